/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Socket device (sec: Device Types / Socket Device). Freestanding.
 *
 * tx packets are parsed from guest memory once (the header is copied out, the payload is
 * read by the host end during recv()) and answered on the rx queue. Control replies wait in
 * per-connection flag bits or, for flows without a connection, in a fixed ring of RSTs; when
 * that ring is full the tx queue is left alone until the driver returns rx buffers.
 */
#include <string.h>
#include "vplat/error.h"
#include "vplat/vsock.h"

#define RXQ    VPLAT_VIRTIO_VSOCK_RXQ
#define TXQ    VPLAT_VIRTIO_VSOCK_TXQ
#define EVQ    VPLAT_VIRTIO_VSOCK_EVENTQ
#define HDR    VPLAT_VIRTIO_VSOCK_HDR_SIZE
#define STREAM VPLAT_VIRTIO_VSOCK_TYPE_STREAM
#define SHUT_MASK (VPLAT_VIRTIO_VSOCK_SHUTDOWN_RCV | VPLAT_VIRTIO_VSOCK_SHUTDOWN_SEND)

/* vplat_vsock_conn::pend bits, sent in this order. */
#define P_REQUEST  0x01u
#define P_RESPONSE 0x02u
#define P_CREDIT   0x04u
#define P_SHUTDOWN 0x08u
#define P_RST      0x10u

/* Private state: reset by the device, RST pending, the slot is freed once it is sent. */
#define ST_CLOSING 4u

/* ---- header ---------------------------------------------------------------------------- */

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;
	for (unsigned i = 8; i > 0u; i--)
		v = (v << 8) | p[i - 1u];
	return v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static void put64(uint8_t *p, uint64_t v)
{
	for (unsigned i = 0; i < 8u; i++)
		p[i] = (uint8_t)(v >> (8u * i));
}

static void put32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4u; i++)
		p[i] = (uint8_t)(v >> (8u * i));
}

void vplat_vsock_hdr_decode(const uint8_t *raw, struct vplat_vsock_hdr *h)
{
	h->src_cid = get64(raw + VPLAT_VIRTIO_VSOCK_HDR_SRC_CID);
	h->dst_cid = get64(raw + VPLAT_VIRTIO_VSOCK_HDR_DST_CID);
	h->src_port = get32(raw + VPLAT_VIRTIO_VSOCK_HDR_SRC_PORT);
	h->dst_port = get32(raw + VPLAT_VIRTIO_VSOCK_HDR_DST_PORT);
	h->len = get32(raw + VPLAT_VIRTIO_VSOCK_HDR_LEN_OFF);
	h->type = (uint16_t)(get32(raw + VPLAT_VIRTIO_VSOCK_HDR_TYPE) & 0xffffu);
	h->op = (uint16_t)(get32(raw + VPLAT_VIRTIO_VSOCK_HDR_TYPE) >> 16);
	h->flags = get32(raw + VPLAT_VIRTIO_VSOCK_HDR_FLAGS);
	h->buf_alloc = get32(raw + VPLAT_VIRTIO_VSOCK_HDR_BUF_ALLOC);
	h->fwd_cnt = get32(raw + VPLAT_VIRTIO_VSOCK_HDR_FWD_CNT);
}

void vplat_vsock_hdr_encode(const struct vplat_vsock_hdr *h, uint8_t *raw)
{
	put64(raw + VPLAT_VIRTIO_VSOCK_HDR_SRC_CID, h->src_cid);
	put64(raw + VPLAT_VIRTIO_VSOCK_HDR_DST_CID, h->dst_cid);
	put32(raw + VPLAT_VIRTIO_VSOCK_HDR_SRC_PORT, h->src_port);
	put32(raw + VPLAT_VIRTIO_VSOCK_HDR_DST_PORT, h->dst_port);
	put32(raw + VPLAT_VIRTIO_VSOCK_HDR_LEN_OFF, h->len);
	put32(raw + VPLAT_VIRTIO_VSOCK_HDR_TYPE, (uint32_t)h->type | ((uint32_t)h->op << 16));
	put32(raw + VPLAT_VIRTIO_VSOCK_HDR_FLAGS, h->flags);
	put32(raw + VPLAT_VIRTIO_VSOCK_HDR_BUF_ALLOC, h->buf_alloc);
	put32(raw + VPLAT_VIRTIO_VSOCK_HDR_FWD_CNT, h->fwd_cnt);
}

bool vplat_vsock_cid_valid(uint64_t cid)
{
	return (cid > VPLAT_VSOCK_CID_HOST) && (cid < VPLAT_VSOCK_CID_ANY);
}

/* ---- connection table ------------------------------------------------------------------ */

static bool live(const struct vplat_vsock_conn *c)
{
	return (c->state != VPLAT_VSOCK_FREE) && (c->state != ST_CLOSING);
}

static struct vplat_vsock_conn *conn_find(struct vplat_vsock *d, uint32_t guest_port,
					  uint64_t peer_cid, uint32_t peer_port)
{
	for (uint32_t i = 0; i < d->max_conns; i++) {
		struct vplat_vsock_conn *c = &d->conns[i];
		if ((c->state != VPLAT_VSOCK_FREE) && (c->guest_port == guest_port) &&
		    (c->peer_cid == peer_cid) && (c->peer_port == peer_port))
			return c;
	}
	return NULL;
}

static struct vplat_vsock_conn *conn_alloc(struct vplat_vsock *d)
{
	for (uint32_t i = 0; i < d->max_conns; i++) {
		if (d->conns[i].state == VPLAT_VSOCK_FREE)
			return &d->conns[i];
	}
	return NULL;
}

static void conn_free(struct vplat_vsock *d, struct vplat_vsock_conn *c)
{
	if (c->pend != 0u)
		d->npend--;
	(void)memset(c, 0, sizeof(*c));
}

static void set_pend(struct vplat_vsock *d, struct vplat_vsock_conn *c, uint8_t bits)
{
	if (c->pend == 0u)
		d->npend++;
	c->pend |= bits;
}

uint32_t vplat_vsock_peer_credit(const struct vplat_vsock_conn *c)
{
	uint32_t inflight = c->tx_cnt - c->peer_fwd_cnt;
	return (inflight >= c->peer_buf_alloc) ? 0u : (c->peer_buf_alloc - inflight);
}

uint32_t vplat_vsock_nconns(const struct vplat_vsock *d)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < d->max_conns; i++) {
		if (live(&d->conns[i]))
			n++;
	}
	return n;
}

/* ---- rx: packets to the guest ---------------------------------------------------------- */

/* A chain the device cannot use: counted as malformed and returned empty. */
static void drop_malformed(struct vplat_vsock *d, struct vplat_vq *vq, const struct vplat_chain *c)
{
	d->stats.malformed++;
	(void)vplat_vq_push(vq, c, 0);
}

/* Pop the next chain of @p vq into @p c (its iov and iov_cap set by the caller). A chain with
 * more segments than the iovec holds (VPLAT_E2BIG) is malformed: dropped, and the next one
 * popped. Returns 0, or what vplat_vq_pop() returned when no chain is left. */
static int pop_mapped(struct vplat_vsock *d, struct vplat_vq *vq, struct vplat_chain *c)
{
	for (;;) {
		int rc = vplat_vq_pop(vq, c);
		if (rc != VPLAT_E2BIG)
			return rc;
		drop_malformed(d, vq, c);
	}
}

/* Put one packet on the rx queue: @p h (its len is set to the payload that fit, at most
 * @p len bytes of @p data). Returns the payload bytes sent, or a negative code when no rx
 * buffer is available. */
static int32_t rx_put(struct vplat_vsock *d, struct vplat_vsock_hdr *h, const void *data,
		      uint32_t len)
{
	struct vplat_vq *vq = &d->vqs[RXQ];
	for (;;) {
		struct vplat_chain c = {.iov = d->rx_iov, .iov_cap = VPLAT_VSOCK_SEGS};
		int rc = pop_mapped(d, vq, &c);
		if (rc != 0)
			return rc;
		if (c.write_len < HDR) {
			drop_malformed(d, vq, &c); /* no room for a header: returned empty */
			continue;
		}
		uint64_t room = c.write_len - HDR;
		uint32_t n = (room < (uint64_t)len) ? (uint32_t)room : len;
		uint8_t raw[HDR];
		h->len = n;
		vplat_vsock_hdr_encode(h, raw);
		(void)vplat_chain_write(&c, 0, raw, HDR);
		if (n > 0u)
			(void)vplat_chain_write(&c, HDR, data, n);
		(void)vplat_vq_push(vq, &c, HDR + n);
		d->stats.rx_packets++;
		d->stats.rx_bytes += n;
		if (h->op == VPLAT_VIRTIO_VSOCK_OP_RST)
			d->stats.rst_sent++;
		if (h->op == VPLAT_VIRTIO_VSOCK_OP_CREDIT_UPDATE)
			d->stats.credit_updates++;
		return (int32_t)n;
	}
}

/* Header of a packet from the host side of @p c; it carries the device's credit. */
static void conn_hdr(struct vplat_vsock *d, struct vplat_vsock_conn *c, uint16_t op,
		     struct vplat_vsock_hdr *h)
{
	*h = (struct vplat_vsock_hdr){
		.src_cid = c->peer_cid,
		.dst_cid = d->guest_cid,
		.src_port = c->peer_port,
		.dst_port = c->guest_port,
		.type = STREAM,
		.op = op,
		.buf_alloc = d->buf_alloc,
		.fwd_cnt = c->fwd_cnt,
	};
	c->fwd_sent = c->fwd_cnt;
}

/* Send the control packets @p c has pending. Returns false when rx buffers ran out. */
static bool conn_flush(struct vplat_vsock *d, struct vplat_vsock_conn *c)
{
	static const uint8_t order[5] = {P_REQUEST, P_RESPONSE, P_CREDIT, P_SHUTDOWN, P_RST};
	static const uint16_t ops[5] = {
		VPLAT_VIRTIO_VSOCK_OP_REQUEST, VPLAT_VIRTIO_VSOCK_OP_RESPONSE,
		VPLAT_VIRTIO_VSOCK_OP_CREDIT_UPDATE, VPLAT_VIRTIO_VSOCK_OP_SHUTDOWN,
		VPLAT_VIRTIO_VSOCK_OP_RST};
	for (unsigned i = 0; i < 5u; i++) {
		if ((c->pend & order[i]) == 0u)
			continue;
		struct vplat_vsock_hdr h;
		conn_hdr(d, c, ops[i], &h);
		if (order[i] == P_SHUTDOWN)
			h.flags = c->shut_sent;
		if (rx_put(d, &h, NULL, 0) < 0)
			return false;
		c->pend &= (uint8_t)~order[i];
		if (c->pend == 0u)
			d->npend--;
		if (order[i] == P_RST) {
			conn_free(d, c);
			return true;
		}
	}
	return true;
}

/* Send every pending control packet. Returns false when rx buffers ran out. */
static bool rx_flush(struct vplat_vsock *d)
{
	while (d->nrst > 0u) {
		struct vplat_vsock_hdr h = d->rst[0];
		if (rx_put(d, &h, NULL, 0) < 0)
			return false;
		d->nrst--;
		(void)memmove(&d->rst[0], &d->rst[1], d->nrst * sizeof(d->rst[0]));
	}
	for (uint32_t i = 0; (i < d->max_conns) && (d->npend > 0u); i++) {
		struct vplat_vsock_conn *c = &d->conns[i];
		if ((c->pend != 0u) && !conn_flush(d, c))
			return false;
	}
	return true;
}

/* Post a pending TRANSPORT_RESET event. */
static void event_flush(struct vplat_vsock *d)
{
	struct vplat_vq *vq = &d->vqs[EVQ];
	while (d->event_pending) {
		struct vplat_chain c = {.iov = d->rx_iov, .iov_cap = VPLAT_VSOCK_SEGS};
		int rc = vplat_vq_pop(vq, &c);
		if (rc == VPLAT_E2BIG) {
			(void)vplat_vq_push(vq, &c, 0);
			continue;
		}
		if (rc != 0)
			break;
		struct vplat_virtio_vsock_event ev = {
			.id = vplat_cpu_to_le32(VPLAT_VIRTIO_VSOCK_EVENT_TRANSPORT_RESET)};
		if (c.write_len < sizeof(ev)) {
			(void)vplat_vq_push(vq, &c, 0);
			continue;
		}
		(void)vplat_chain_write(&c, 0, &ev, sizeof(ev));
		(void)vplat_vq_push(vq, &c, (uint32_t)sizeof(ev));
		d->event_pending = false;
		d->stats.events++;
	}
	(void)vplat_vq_interrupt(vq);
}

/* Tell host ends whose sends were cut short that more can go now. */
static void wake_writers(struct vplat_vsock *d)
{
	if (d->host->writable == NULL)
		return;
	for (uint32_t i = 0; i < d->max_conns; i++) {
		struct vplat_vsock_conn *c = &d->conns[i];
		if (c->want_write && (c->state == VPLAT_VSOCK_ESTABLISHED) && (c->pend == 0u) &&
		    (vplat_vsock_peer_credit(c) > 0u)) {
			c->want_write = false;
			d->host->writable(d->host_opaque, d, c);
		}
	}
}

/* ---- connection ends ------------------------------------------------------------------- */

/* Reset @p c: the host end forgets it (closed()), RST goes to the guest, the slot is freed
 * when it is sent. */
static void conn_reset(struct vplat_vsock *d, struct vplat_vsock_conn *c, bool tell_host)
{
	if (tell_host && live(c))
		d->host->closed(d->host_opaque, d, c);
	if (c->state == VPLAT_VSOCK_FREE)
		return; /* closed() closed it itself */
	c->state = ST_CLOSING;
	c->handle = NULL;
	c->want_write = false;
	if (c->pend != 0u)
		d->npend--;
	c->pend = 0;
	set_pend(d, c, P_RST);
}

void vplat_vsock_close(struct vplat_vsock *d, struct vplat_vsock_conn *c)
{
	if (!d || !c || !live(c))
		return;
	conn_reset(d, c, false);
	(void)rx_flush(d);
	(void)vplat_vq_interrupt(&d->vqs[RXQ]);
}

/* A reply RST to a flow without a connection (the ring is never full here: tx stops first). */
static void rst_unknown(struct vplat_vsock *d, const struct vplat_vsock_hdr *in)
{
	if (in->op == VPLAT_VIRTIO_VSOCK_OP_RST || d->nrst >= VPLAT_VSOCK_RST_QUEUE)
		return;
	d->rst[d->nrst] = (struct vplat_vsock_hdr){
		.src_cid = in->dst_cid,
		.dst_cid = d->guest_cid,
		.src_port = in->dst_port,
		.dst_port = in->src_port,
		.type = in->type,
		.op = VPLAT_VIRTIO_VSOCK_OP_RST,
	};
	d->nrst++;
}

/* ---- tx: packets from the guest -------------------------------------------------------- */

static void on_request(struct vplat_vsock *d, const struct vplat_vsock_hdr *h)
{
	struct vplat_vsock_conn *c = conn_alloc(d);
	if (c == NULL) {
		d->stats.refused++;
		d->stats.table_full++;
		rst_unknown(d, h);
		return;
	}
	*c = (struct vplat_vsock_conn){
		.peer_cid = h->dst_cid,
		.peer_port = h->dst_port,
		.guest_port = h->src_port,
		.state = VPLAT_VSOCK_ACCEPTING,
		.peer_buf_alloc = h->buf_alloc,
		.peer_fwd_cnt = h->fwd_cnt,
	};
	int rc = d->host->connect(d->host_opaque, d, c);
	if (c->state != VPLAT_VSOCK_ACCEPTING)
		return; /* decided inside connect() with vplat_vsock_accept() */
	if (rc == 0) {
		(void)vplat_vsock_accept(d, c, true);
	} else if (rc < 0) {
		d->stats.refused++;
		conn_free(d, c);
		rst_unknown(d, h);
	} else {
		/* decided later */
	}
}

static void on_rw(struct vplat_vsock *d, struct vplat_vsock_conn *c, const struct vplat_chain *pkt,
		  const struct vplat_vsock_hdr *h)
{
	if (c->state != VPLAT_VSOCK_ESTABLISHED) {
		conn_reset(d, c, true);
		return;
	}
	if ((uint64_t)h->len > pkt->read_len - HDR) {
		d->stats.malformed++;
		conn_reset(d, c, true);
		return;
	}
	uint32_t held = c->rx_cnt - c->fwd_cnt;
	if ((held > d->buf_alloc) || (h->len > (d->buf_alloc - held))) {
		d->stats.credit_violations++; /* more than the credit the device gave */
		conn_reset(d, c, true);
		return;
	}
	if (h->len == 0u)
		return;
	c->rx_cnt += h->len;
	d->stats.tx_bytes += h->len;
	if (d->host->recv(d->host_opaque, d, c, pkt, HDR, h->len) < 0)
		conn_reset(d, c, true);
}

static void on_conn_packet(struct vplat_vsock *d, struct vplat_vsock_conn *c,
			   const struct vplat_chain *pkt, const struct vplat_vsock_hdr *h)
{
	if (c->state == ST_CLOSING)
		return; /* our RST is on its way */
	c->peer_buf_alloc = h->buf_alloc;
	c->peer_fwd_cnt = h->fwd_cnt;
	switch (h->op) {
	case VPLAT_VIRTIO_VSOCK_OP_RESPONSE:
		if (c->state == VPLAT_VSOCK_CONNECTING) {
			c->state = VPLAT_VSOCK_ESTABLISHED;
			if (d->host->connected != NULL)
				d->host->connected(d->host_opaque, d, c, 0);
		} else {
			conn_reset(d, c, true);
		}
		break;
	case VPLAT_VIRTIO_VSOCK_OP_RST:
		if (c->state == VPLAT_VSOCK_CONNECTING) {
			if (d->host->connected != NULL)
				d->host->connected(d->host_opaque, d, c, VPLAT_EPERM);
		} else {
			d->host->closed(d->host_opaque, d, c);
		}
		if (c->state != VPLAT_VSOCK_FREE)
			conn_free(d, c);
		break;
	case VPLAT_VIRTIO_VSOCK_OP_SHUTDOWN: {
		uint8_t f = (uint8_t)(c->peer_shut | (h->flags & SHUT_MASK));
		if ((c->state == VPLAT_VSOCK_ESTABLISHED) && (f != c->peer_shut)) {
			c->peer_shut = f;
			if (d->host->shutdown != NULL)
				d->host->shutdown(d->host_opaque, d, c, f);
		} else if (c->state != VPLAT_VSOCK_ESTABLISHED) {
			conn_reset(d, c, true);
		} else {
			/* nothing new */
		}
		break;
	}
	case VPLAT_VIRTIO_VSOCK_OP_RW:
		on_rw(d, c, pkt, h);
		break;
	case VPLAT_VIRTIO_VSOCK_OP_CREDIT_UPDATE:
		break; /* the credit was taken above */
	case VPLAT_VIRTIO_VSOCK_OP_CREDIT_REQUEST:
		if (c->state == VPLAT_VSOCK_ESTABLISHED)
			set_pend(d, c, P_CREDIT);
		break;
	default: /* REQUEST on a live flow, INVALID, unknown ops */
		conn_reset(d, c, true);
		break;
	}
}

static void tx_packet(struct vplat_vsock *d, const struct vplat_chain *pkt)
{
	uint8_t raw[HDR];
	struct vplat_vsock_hdr h;
	if ((pkt->read_len < HDR) || (vplat_chain_read(pkt, 0, raw, HDR) != HDR)) {
		d->stats.malformed++;
		return;
	}
	vplat_vsock_hdr_decode(raw, &h);
	if (h.src_cid != d->guest_cid) {
		d->stats.spoofed++; /* drvnormative: guest_cid is the source CID */
		return;
	}
	if (h.type != STREAM) {
		rst_unknown(d, &h); /* devicenormative: RST for an unknown type */
		return;
	}
	struct vplat_vsock_conn *c = conn_find(d, h.src_port, h.dst_cid, h.dst_port);
	if (c == NULL) {
		if (h.op == VPLAT_VIRTIO_VSOCK_OP_REQUEST)
			on_request(d, &h);
		else
			rst_unknown(d, &h);
		return;
	}
	on_conn_packet(d, c, pkt, &h);
}

static void tx_process(struct vplat_vsock *d)
{
	struct vplat_vq *vq = &d->vqs[TXQ];
	if (d->in_tx)
		return;
	d->in_tx = true;
	for (;;) {
		if ((d->nrst >= VPLAT_VSOCK_RST_QUEUE) && !rx_flush(d)) {
			d->tx_stalled = true; /* no room for more replies: wait for rx buffers */
			break;
		}
		d->tx_stalled = false;
		struct vplat_chain c = {.iov = d->tx_iov, .iov_cap = VPLAT_VSOCK_SEGS};
		if (pop_mapped(d, vq, &c) != 0)
			break;
		d->stats.tx_packets++;
		tx_packet(d, &c);
		(void)vplat_vq_push(vq, &c, 0);
	}
	(void)vplat_vq_interrupt(vq);
	(void)rx_flush(d);
	(void)vplat_vq_interrupt(&d->vqs[RXQ]);
	d->in_tx = false;
	wake_writers(d);
}

/* ---- host end API ---------------------------------------------------------------------- */

int vplat_vsock_accept(struct vplat_vsock *d, struct vplat_vsock_conn *c, bool ok)
{
	if (!d || !c || (c->state != VPLAT_VSOCK_ACCEPTING))
		return VPLAT_EINVAL;
	if (ok) {
		c->state = VPLAT_VSOCK_ESTABLISHED;
		set_pend(d, c, P_RESPONSE);
	} else {
		d->stats.refused++;
		c->state = ST_CLOSING;
		c->handle = NULL;
		set_pend(d, c, P_RST);
	}
	if (!d->in_tx) {
		(void)rx_flush(d);
		(void)vplat_vq_interrupt(&d->vqs[RXQ]);
	}
	return 0;
}

int vplat_vsock_connect(struct vplat_vsock *d, uint64_t peer_cid, uint32_t peer_port,
			uint32_t guest_port, void *handle, struct vplat_vsock_conn **out)
{
	if (!d || !out)
		return VPLAT_EINVAL;
	if (!vplat_device_is_live(&d->dev))
		return VPLAT_ENODEV;
	if (conn_find(d, guest_port, peer_cid, peer_port) != NULL)
		return VPLAT_EEXIST;
	struct vplat_vsock_conn *c = conn_alloc(d);
	if (c == NULL)
		return VPLAT_ENOSPC;
	*c = (struct vplat_vsock_conn){
		.handle = handle,
		.peer_cid = peer_cid,
		.peer_port = peer_port,
		.guest_port = guest_port,
		.state = VPLAT_VSOCK_CONNECTING,
	};
	set_pend(d, c, P_REQUEST);
	*out = c;
	if (!d->in_tx) {
		(void)rx_flush(d);
		(void)vplat_vq_interrupt(&d->vqs[RXQ]);
	}
	return 0;
}

int32_t vplat_vsock_send(struct vplat_vsock *d, struct vplat_vsock_conn *c, const void *data,
			 uint32_t len)
{
	if (!d || !c || (c->state != VPLAT_VSOCK_ESTABLISHED) ||
	    ((c->shut_sent & VPLAT_VIRTIO_VSOCK_SHUTDOWN_SEND) != 0u) || (!data && len))
		return VPLAT_EINVAL;
	if (len > (uint32_t)INT32_MAX)
		len = (uint32_t)INT32_MAX;
	uint32_t done = 0;
	const uint8_t *p = data;
	if (rx_flush(d) && (c->pend == 0u)) {
		while (done < len) {
			uint32_t credit = vplat_vsock_peer_credit(c);
			if (credit == 0u)
				break; /* devicenormative: only within the peer's free space */
			uint32_t n = len - done;
			if (n > credit)
				n = credit;
			struct vplat_vsock_hdr h;
			conn_hdr(d, c, VPLAT_VIRTIO_VSOCK_OP_RW, &h);
			int32_t put = rx_put(d, &h, p + done, n);
			if (put < 0)
				break;
			c->tx_cnt += (uint32_t)put;
			done += (uint32_t)put;
		}
	}
	if (done < len)
		c->want_write = true;
	(void)vplat_vq_interrupt(&d->vqs[RXQ]);
	return (int32_t)done;
}

int vplat_vsock_consumed(struct vplat_vsock *d, struct vplat_vsock_conn *c, uint32_t n)
{
	if (!d || !c || !live(c) || (n > (c->rx_cnt - c->fwd_cnt)))
		return VPLAT_EINVAL;
	c->fwd_cnt += n;
	/* The guest's view of its credit: buf_alloc - (rx_cnt - fwd_sent). */
	uint32_t seen = c->rx_cnt - c->fwd_sent;
	if ((n > 0u) && (c->state == VPLAT_VSOCK_ESTABLISHED) && (seen > (d->buf_alloc / 2u))) {
		set_pend(d, c, P_CREDIT);
		if (!d->in_tx) {
			(void)rx_flush(d);
			(void)vplat_vq_interrupt(&d->vqs[RXQ]);
		}
	}
	return 0;
}

int vplat_vsock_shutdown(struct vplat_vsock *d, struct vplat_vsock_conn *c, uint32_t flags)
{
	if (!d || !c || (c->state != VPLAT_VSOCK_ESTABLISHED) || ((flags & ~SHUT_MASK) != 0u))
		return VPLAT_EINVAL;
	uint8_t f = (uint8_t)(c->shut_sent | flags);
	if (f == c->shut_sent)
		return 0;
	c->shut_sent = f;
	set_pend(d, c, P_SHUTDOWN);
	if (!d->in_tx) {
		(void)rx_flush(d);
		(void)vplat_vq_interrupt(&d->vqs[RXQ]);
	}
	return 0;
}

/* End every connection the host end knows; drop every pending reply. */
static void vsock_forget(struct vplat_vsock *d)
{
	for (uint32_t i = 0; i < d->max_conns; i++) {
		struct vplat_vsock_conn *c = &d->conns[i];
		if (live(c))
			d->host->closed(d->host_opaque, d, c);
		(void)memset(c, 0, sizeof(*c));
	}
	d->npend = 0;
	d->nrst = 0;
	d->tx_stalled = false;
}

int vplat_vsock_transport_reset(struct vplat_vsock *d, uint64_t new_cid)
{
	if (!d || ((new_cid != 0u) && !vplat_vsock_cid_valid(new_cid)))
		return VPLAT_EINVAL;
	vsock_forget(d);
	if (new_cid != 0u) {
		d->guest_cid = new_cid;
		put64(d->config, new_cid);
		vplat_device_config_changed(&d->dev);
	}
	d->event_pending = true;
	event_flush(d);
	return 0;
}

/* ---- device ops ------------------------------------------------------------------------ */

static void vsock_queue_notify(struct vplat_device *dev, struct vplat_vq *vq)
{
	struct vplat_vsock *d = dev->opaque;
	if (vq == &d->vqs[EVQ]) {
		event_flush(d);
	} else if (vq == &d->vqs[RXQ]) {
		(void)rx_flush(d);
		(void)vplat_vq_interrupt(vq);
		if (d->tx_stalled)
			tx_process(d);
		else
			wake_writers(d);
	} else {
		tx_process(d);
	}
}

static void vsock_reset(struct vplat_device *dev)
{
	struct vplat_vsock *d = dev->opaque;
	vsock_forget(d);
	d->event_pending = false;
	d->in_tx = false;
}

static void vsock_queue_reset(struct vplat_device *dev, struct vplat_vq *vq)
{
	/* Any queue reset loses packets of every flow: end them all, as a device reset. */
	(void)vq;
	vsock_reset(dev);
}

/* A driver that accepted NO_IMPLIED_STREAM without STREAM has no socket type the device
 * serves (SEQPACKET is not offered). */
static bool vsock_validate_features(struct vplat_device *dev, uint64_t features)
{
	(void)dev;
	return !(((features & VPLAT_BIT(VPLAT_VIRTIO_VSOCK_F_NO_IMPLIED_STREAM)) != 0u) &&
		 ((features & VPLAT_BIT(VPLAT_VIRTIO_VSOCK_F_STREAM)) == 0u));
}

static const struct vplat_device_ops vsock_ops = {
	.name = "vsock",
	.device_id = VPLAT_VIRTIO_ID_VSOCK,
	.features = VPLAT_BIT(VPLAT_VIRTIO_VSOCK_F_STREAM) |
		    VPLAT_BIT(VPLAT_VIRTIO_VSOCK_F_NO_IMPLIED_STREAM),
	.validate_features = vsock_validate_features,
	.queue_notify = vsock_queue_notify,
	.reset = vsock_reset,
	.queue_reset = vsock_queue_reset,
};

int vplat_vsock_init(struct vplat_vsock *d, struct vplat_mem *mem,
		     const struct vplat_vsock_cfg *cfg, const struct vplat_vsock_host_ops *host,
		     void *host_opaque)
{
	if (!d || !cfg || !host || !host->connect || !host->recv || !host->closed ||
	    !cfg->conns || (cfg->max_conns == 0u) || !vplat_vsock_cid_valid(cfg->guest_cid))
		return VPLAT_EINVAL;
	(void)memset(d, 0, sizeof(*d));
	(void)memset(cfg->conns, 0, (size_t)cfg->max_conns * sizeof(cfg->conns[0]));
	d->host = host;
	d->host_opaque = host_opaque;
	d->guest_cid = cfg->guest_cid;
	d->buf_alloc = (cfg->buf_alloc != 0u) ? cfg->buf_alloc : VPLAT_VSOCK_BUF_ALLOC_DEFAULT;
	d->conns = cfg->conns;
	d->max_conns = cfg->max_conns;
	put64(d->config, cfg->guest_cid);
	return vplat_device_init(&d->dev, &vsock_ops, d, mem, d->vqs, 3, 256, d->config,
				 (uint32_t)sizeof(d->config));
}

struct vplat_device *vplat_vsock_device(struct vplat_vsock *d)
{
	return &d->dev;
}

const struct vplat_vsock_stats *vplat_vsock_stats(const struct vplat_vsock *d)
{
	return &d->stats;
}
