/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Socket device (spec/21-vsock.md). Everything goes through the driver, which can only
 * observe flows nobody accepts: the tests use host ports 40000..40099, which no host end
 * listens on (vplat's loopback PAL has no host sockets; the daemon run has no PATH_<port>
 * listeners). What accepted connections do is tested in process (unit.test_vsock).
 */
#include "../common/devreq.h"
#include "vplat/spec/virtio_vsock.h"
#include "vplat/vsock.h"
#include "vplat/val/val.h"
#include "vplat/val/conform.h"

#define HDR     VPLAT_VIRTIO_VSOCK_HDR_SIZE
#define OP(x)   VPLAT_VIRTIO_VSOCK_OP_##x
#define NRX     16u
#define QUIET_MS 100u
#define NOPORT  40000u

struct vs {
	struct vplat_val_vq *rx, *tx, *ev;
	uint64_t cid;
	uint8_t *rxb[NRX];
};

/* Bring the device up with its three queues; rx gets @p nrx buffers of header + 4 KiB. */
static enum vplat_result vs_up(struct vplat_test_ctx *t, struct vs *v, unsigned nrx)
{
	memset(v, 0, sizeof(*v));
	enum vplat_result r = bringup_no_driver_ok(t, 0, &v->rx, VPLAT_VIRTIO_VSOCK_RXQ, 32);
	if (r != VPLAT_PASS)
		return r;
	v->tx = vplat_t_vq(t);
	v->ev = vplat_t_vq(t);
	if (!v->tx || !v->ev || vplat_val_vq_setup(t->d, v->tx, VPLAT_VIRTIO_VSOCK_TXQ, 32) ||
	    vplat_val_vq_setup(t->d, v->ev, VPLAT_VIRTIO_VSOCK_EVENTQ, 8) ||
	    vplat_val_driver_ok(t->d))
		return vplat_t_error(t, "queue set-up or DRIVER_OK failed (status 0x%02x)", status(t));
	v->cid = cfg(t, 0, 8);
	for (unsigned i = 0; i < NRX; i++)
		if (!(v->rxb[i] = dmab(t, HDR + 4096)))
			return vplat_t_error(t, "no DMA memory");
	for (unsigned i = 0; i < nrx; i++) {
		struct vplat_val_buf b = {.ptr = v->rxb[i], .len = HDR + 4096};
		if (vplat_val_vq_add(v->rx, &b, 0, 1, v->rxb[i]))
			return vplat_t_error(t, "rx buffer add failed");
	}
	vplat_val_vq_kick(v->rx);
	return VPLAT_PASS;
}

static struct vplat_vsock_hdr hdr(const struct vs *v, uint16_t op, uint32_t sport, uint32_t dport)
{
	return (struct vplat_vsock_hdr){.src_cid = v->cid, .dst_cid = VPLAT_VSOCK_CID_HOST,
					.src_port = sport, .dst_port = dport,
					.type = VPLAT_VIRTIO_VSOCK_TYPE_STREAM, .op = op,
					.buf_alloc = 65536};
}

/* Post one tx packet (header, then @p len payload bytes) without waiting. */
static int tx_add(struct vplat_test_ctx *t, struct vs *v, const struct vplat_vsock_hdr *h,
		  uint32_t len, uint32_t buf_len)
{
	uint8_t *p = dmab(t, buf_len ? buf_len : 1);
	if (!p)
		return VPLAT_ENOMEM;
	vplat_vsock_hdr_encode(h, p);
	(void)len;
	struct vplat_val_buf b = {.ptr = p, .len = buf_len};
	return vplat_val_vq_add(v->tx, &b, 1, 0, p);
}

/* Send one packet and wait for the tx buffer. */
static int tx1(struct vplat_test_ctx *t, struct vs *v, const struct vplat_vsock_hdr *h,
	       uint32_t buf_len)
{
	int rc = tx_add(t, v, h, h->len, buf_len);
	if (rc)
		return rc;
	vplat_val_vq_kick(v->tx);
	void *tok;
	uint32_t len;
	return wait_used(t, v->tx, &tok, &len);
}

/* The next rx packet (true), or none within QUIET_MS (false). */
static bool rx1(struct vplat_test_ctx *t, struct vs *v, struct vplat_vsock_hdr *h)
{
	void *tok = NULL;
	if (quiet_for(t, v->rx, QUIET_MS, &tok))
		return false;
	vplat_vsock_hdr_decode(tok, h);
	return true;
}

static bool is_rst_to(const struct vplat_vsock_hdr *o, const struct vs *v, uint32_t gport,
		      uint32_t hport)
{
	return o->op == OP(RST) && o->dst_cid == v->cid && o->dst_port == gport &&
	       o->src_port == hport && o->src_cid == VPLAT_VSOCK_CID_HOST && o->len == 0;
}

/* What ask() saw. */
enum answer { TX_FAILED = -1, NO_ANSWER = 0, ANSWER = 1, RST_BACK = 2 };

static const char *answer_name(int a)
{
	return a == RST_BACK ? "RST back" : a == ANSWER ? "another answer"
			  : a == NO_ANSWER ? "no answer" : "tx buffer not returned";
}

/* The request set-up of every test below: send @p h (in a buffer of @p buf_len bytes), take
 * the answer within QUIET_MS into @p o (zeroed if none) and say what it was: RST_BACK for an
 * RST from the destination back to the sender. */
static int ask(struct vplat_test_ctx *t, struct vs *v, const struct vplat_vsock_hdr *h,
	       uint32_t buf_len, struct vplat_vsock_hdr *o)
{
	*o = (struct vplat_vsock_hdr){0};
	if (tx1(t, v, h, buf_len))
		return TX_FAILED;
	if (!rx1(t, v, o))
		return NO_ANSWER;
	return is_rst_to(o, v, h->src_port, h->dst_port) ? RST_BACK : ANSWER;
}

static enum vplat_result config_cid(struct vplat_test_ctx *t)
{
	uint64_t cid = cfg(t, 0, 8);
	VPLAT_T_CHECK_MSG(t, 1, vplat_vsock_cid_valid(cid), "guest_cid is not a reserved CID",
			  "guest_cid %llu", (unsigned long long)cid);
	uint64_t f = vplat_val_get_device_features(t->d);
	VPLAT_T_CHECK_MSG(t, 2, (f & VPLAT_BIT(VPLAT_VIRTIO_VSOCK_F_NO_IMPLIED_STREAM)) != 0 &&
				(f & VPLAT_BIT(VPLAT_VIRTIO_VSOCK_F_STREAM)) != 0,
			  "VIRTIO_VSOCK_F_NO_IMPLIED_STREAM and VIRTIO_VSOCK_F_STREAM offered",
			  "features 0x%llx", (unsigned long long)f);
	return VPLAT_PASS;
}
VPLAT_TEST(vsock_config_cid, "VPLAT-VSK-001 VPLAT-VSK-002", "devicenormative:Device Types / Socket Device / Device Operation / Receive and Transmit", VPLAT_VIRTIO_ID_VSOCK, 0, "guest_cid is a usable CID; NO_IMPLIED_STREAM (with STREAM) is offered", config_cid);

static enum vplat_result features(struct vplat_test_ctx *t)
{
	uint64_t f = vplat_val_get_device_features(t->d);
	if (!(f & VPLAT_BIT(VPLAT_VIRTIO_VSOCK_F_NO_IMPLIED_STREAM)))
		return vplat_t_skip(t, "VIRTIO_VSOCK_F_NO_IMPLIED_STREAM not offered");
	int rc = vplat_val_negotiate(t->d, VPLAT_BIT(VPLAT_VIRTIO_VSOCK_F_NO_IMPLIED_STREAM));
	VPLAT_T_CHECK_MSG(t, 1, rc == VPLAT_EPROTO,
			  "FEATURES_OK refused with NO_IMPLIED_STREAM but no socket type",
			  "negotiation returned %d (status 0x%02x)", rc, status(t));
	VPLAT_T_CHECK(t, 2, vplat_val_reset(t->d) == 0);
	/* No vsock bit at all: streams are implied; a REQUEST is answered. */
	struct vs v;
	enum vplat_result r = vs_up(t, &v, 4);
	if (r != VPLAT_PASS)
		return r;
	struct vplat_vsock_hdr h = hdr(&v, OP(REQUEST), 1000, NOPORT), o;
	int a = ask(t, &v, &h, HDR, &o);
	VPLAT_T_CHECK_MSG(t, 4, a > NO_ANSWER && (o.op == OP(RST) || o.op == OP(RESPONSE)),
			  "a stream REQUEST is answered without any vsock feature bit", "%s (op %u)",
			  answer_name(a), o.op);
	return VPLAT_PASS;
}
VPLAT_TEST(vsock_features, "VPLAT-VSK-003", "devicenormative:Device Types / Socket Device / Feature bits", VPLAT_VIRTIO_ID_VSOCK, 0, "NO_IMPLIED_STREAM without STREAM is refused; without any vsock bit streams work", features);

static enum vplat_result unknown_type(struct vplat_test_ctx *t)
{
	struct vs v;
	enum vplat_result r = vs_up(t, &v, 8);
	if (r != VPLAT_PASS)
		return r;
	static const uint16_t types[] = {0, VPLAT_VIRTIO_VSOCK_TYPE_SEQPACKET, 3, 0xffff};
	for (unsigned i = 0; i < 4; i++) {
		struct vplat_vsock_hdr h = hdr(&v, OP(REQUEST), 1100 + i, NOPORT + 1), o;
		h.type = types[i];
		int a = ask(t, &v, &h, HDR, &o);
		VPLAT_T_CHECK_MSG(t, 2, a == RST_BACK, "RST back to the sender", "type %u: %s (op %u)",
				  types[i], answer_name(a), o.op);
	}
	/* An RST of an unknown type gets no answer. */
	struct vplat_vsock_hdr h = hdr(&v, OP(RST), 1110, NOPORT + 1), o;
	h.type = 9;
	int a = ask(t, &v, &h, HDR, &o);
	VPLAT_T_CHECK_MSG(t, 4, a == NO_ANSWER, "no reply to an RST", "%s (op %u)",
			  answer_name(a), o.op);
	return VPLAT_PASS;
}
VPLAT_TEST(vsock_unknown_type, "VPLAT-VSK-004", "devicenormative:Device Types / Socket Device / Device Operation / Receive and Transmit", VPLAT_VIRTIO_ID_VSOCK, 0, "packets of an unknown type (or seqpacket, not offered) are answered with RST", unknown_type);

static enum vplat_result refused(struct vplat_test_ctx *t)
{
	struct vs v;
	enum vplat_result r = vs_up(t, &v, 8);
	if (r != VPLAT_PASS)
		return r;
	struct vplat_vsock_hdr h = hdr(&v, OP(REQUEST), 1200, NOPORT + 2), o;
	int a = ask(t, &v, &h, HDR, &o);
	VPLAT_T_CHECK_MSG(t, 2, a == RST_BACK, "REQUEST to a port without a listener: RST",
			  "%s (op %u)", answer_name(a), o.op);
	/* The flow is gone: data on it is answered with RST too. */
	h = hdr(&v, OP(RW), 1200, NOPORT + 2);
	h.len = 4;
	a = ask(t, &v, &h, HDR + 4, &o);
	VPLAT_T_CHECK_MSG(t, 4, a == RST_BACK, "RW after the refusal: RST", "%s (op %u)",
			  answer_name(a), o.op);
	return VPLAT_PASS;
}
VPLAT_TEST(vsock_refused, "VPLAT-VSK-005", "sec:Device Types / Socket Device / Device Operation / Stream Sockets", VPLAT_VIRTIO_ID_VSOCK, 0, "a REQUEST to a destination without a listener is answered with RST", refused);

static enum vplat_result unknown_flow(struct vplat_test_ctx *t)
{
	struct vs v;
	enum vplat_result r = vs_up(t, &v, 8);
	if (r != VPLAT_PASS)
		return r;
	static const uint16_t ops[] = {OP(RESPONSE), OP(SHUTDOWN), OP(RW), OP(CREDIT_UPDATE),
				       OP(CREDIT_REQUEST), OP(INVALID), 99};
	for (unsigned i = 0; i < 7; i++) {
		struct vplat_vsock_hdr h = hdr(&v, ops[i], 1300 + i, NOPORT + 3), o;
		h.len = ops[i] == OP(RW) ? 8 : 0;
		int a = ask(t, &v, &h, HDR + h.len, &o);
		VPLAT_T_CHECK_MSG(t, 2, a == RST_BACK, "RST for a packet of an unknown flow",
				  "op %u: %s (op %u)", ops[i], answer_name(a), o.op);
	}
	struct vplat_vsock_hdr h = hdr(&v, OP(RST), 1320, NOPORT + 3), o;
	int a = ask(t, &v, &h, HDR, &o);
	VPLAT_T_CHECK_MSG(t, 4, a == NO_ANSWER, "no reply to an RST of an unknown flow",
			  "%s (op %u)", answer_name(a), o.op);
	return VPLAT_PASS;
}
VPLAT_TEST(vsock_unknown_flow, "VPLAT-VSK-006", "sec:Device Types / Socket Device / Device Operation / Stream Sockets", VPLAT_VIRTIO_ID_VSOCK, 0, "every packet but REQUEST and RST of an unknown flow gets RST; an RST gets nothing", unknown_flow);

static enum vplat_result spoofed(struct vplat_test_ctx *t)
{
	struct vs v;
	enum vplat_result r = vs_up(t, &v, 8);
	if (r != VPLAT_PASS)
		return r;
	static const uint64_t srcs[] = {2, 1, 0xffffffffu, 1ull << 32};
	for (unsigned i = 0; i < 4; i++) {
		struct vplat_vsock_hdr h = hdr(&v, OP(REQUEST), 1400 + i, NOPORT + 4), o;
		h.src_cid = srcs[i] == v.cid ? v.cid + 1 : srcs[i];
		int a = ask(t, &v, &h, HDR, &o);
		VPLAT_T_CHECK_MSG(t, 2, a == NO_ANSWER, "a packet from another CID is dropped",
				  "src_cid %llu: %s (op %u)", (unsigned long long)h.src_cid,
				  answer_name(a), o.op);
	}
	/* The device still answers its own guest. */
	struct vplat_vsock_hdr h = hdr(&v, OP(RW), 1410, NOPORT + 4), o;
	VPLAT_T_CHECK(t, 4, ask(t, &v, &h, HDR, &o) == RST_BACK);
	return VPLAT_PASS;
}
VPLAT_TEST(vsock_spoofed_source, "VPLAT-VSK-007", "drivernormative:Device Types / Socket Device / Device Operation / Receive and Transmit", VPLAT_VIRTIO_ID_VSOCK, 0, "a tx packet whose src_cid is not guest_cid gets no reply", spoofed);

static enum vplat_result malformed(struct vplat_test_ctx *t)
{
	struct vs v;
	enum vplat_result r = vs_up(t, &v, 0);
	if (r != VPLAT_PASS)
		return r;
	/* An rx buffer too small for a header comes back empty; the next one is used. */
	uint8_t *small = dmab(t, 16);
	VPLAT_T_CHECK(t, 1, small != NULL);
	struct vplat_val_buf b = {.ptr = small, .len = 16};
	VPLAT_T_CHECK(t, 1, vplat_val_vq_add(v.rx, &b, 0, 1, small) == 0);
	b = (struct vplat_val_buf){.ptr = v.rxb[0], .len = HDR + 4096};
	VPLAT_T_CHECK(t, 1, vplat_val_vq_add(v.rx, &b, 0, 1, v.rxb[0]) == 0);
	vplat_val_vq_kick(v.rx);
	/* A 20-byte tx packet: dropped. */
	struct vplat_vsock_hdr h = hdr(&v, OP(REQUEST), 1500, NOPORT + 5), o;
	VPLAT_T_CHECK(t, 2, tx1(t, &v, &h, 20) == 0);
	/* A RW whose len is beyond its buffer, on an unknown flow: RST, nothing else. */
	h = hdr(&v, OP(RW), 1501, NOPORT + 5);
	h.len = 1000;
	VPLAT_T_CHECK(t, 3, tx1(t, &v, &h, HDR + 10) == 0);
	void *tok;
	uint32_t len;
	VPLAT_T_CHECK(t, 4, wait_used(t, v.rx, &tok, &len) == 0);
	VPLAT_T_CHECK_MSG(t, 5, tok == small && len == 0, "a too small rx buffer returned empty",
			  "token %s, used %u", tok == small ? "small" : "other", len);
	VPLAT_T_CHECK(t, 6, wait_used(t, v.rx, &tok, &len) == 0);
	vplat_vsock_hdr_decode(tok, &o);
	VPLAT_T_CHECK_MSG(t, 7, len == HDR && is_rst_to(&o, &v, 1501, NOPORT + 5),
			  "only the RW got an answer: RST", "used %u op %u dst_port %u", len, o.op,
			  o.dst_port);
	return VPLAT_PASS;
}
VPLAT_TEST(vsock_malformed, "VPLAT-VSK-008", "sec:Device Types / Socket Device / Device Operation", VPLAT_VIRTIO_ID_VSOCK, 0, "short tx packets are dropped, short rx buffers returned empty, a bad len delivers nothing", malformed);

static enum vplat_result tx_without_rx(struct vplat_test_ctx *t)
{
	struct vs v;
	enum vplat_result r = vs_up(t, &v, 0);
	if (r != VPLAT_PASS)
		return r;
	/* Eight packets that each need an RST while rx has no buffer: all consumed. */
	for (unsigned i = 0; i < 8; i++) {
		struct vplat_vsock_hdr h = hdr(&v, OP(RW), 1600 + i, NOPORT + 6);
		VPLAT_T_CHECK(t, 1, tx_add(t, &v, &h, 0, HDR) == 0);
	}
	vplat_val_vq_kick(v.tx);
	unsigned used = 0;
	void *tok;
	uint32_t len;
	while (used < 8 && wait_used(t, v.tx, &tok, &len) == 0)
		used++;
	VPLAT_T_CHECK_MSG(t, 2, used == 8, "tx processed while rx is empty",
			  "%u of 8 tx buffers returned", used);
	for (unsigned i = 0; i < NRX; i++) {
		struct vplat_val_buf b = {.ptr = v.rxb[i], .len = HDR + 4096};
		VPLAT_T_CHECK(t, 3, vplat_val_vq_add(v.rx, &b, 0, 1, v.rxb[i]) == 0);
	}
	vplat_val_vq_kick(v.rx);
	for (unsigned i = 0; i < 8; i++) {
		struct vplat_vsock_hdr o;
		VPLAT_T_CHECK_MSG(t, 4, rx1(t, &v, &o) && is_rst_to(&o, &v, 1600 + i, NOPORT + 6),
				  "the held replies, in order, once rx has buffers",
				  "reply %u missing or wrong (op %u port %u)", i, o.op, o.dst_port);
	}
	return VPLAT_PASS;
}
VPLAT_TEST(vsock_tx_without_rx, "VPLAT-VSK-015", "devicenormative:Device Types / Socket Device / Device Operation / Virtqueue Flow Control", VPLAT_VIRTIO_ID_VSOCK, 0, "the tx queue is processed while rx has no buffers; the replies follow when it does", tx_without_rx);
