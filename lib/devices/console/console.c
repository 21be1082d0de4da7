/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Console device (sec: Device Types / Console Device): ports, data queues, config space,
 * emergency write. Control messages are in console_ctrl.c. Freestanding.
 *
 * Queues: 0/1 are port 0's receiveq/transmitq, 2/3 the control queues (MULTIPORT), port n >= 1
 * uses 2n+2 and 2n+3. Output back-pressure keeps the transmit buffer in progress (with the
 * offset already taken) and stops draining the queue until vplat_console_resume().
 */
#include <string.h>
#include "console_internal.h"
#include "vplat/error.h"

#define F(b) VPLAT_BIT(VPLAT_VIRTIO_CONSOLE_F_##b)

bool vplat_console_multiport(const struct vplat_console *con)
{
	return vplat_device_has_feature(&con->dev, VPLAT_VIRTIO_CONSOLE_F_MULTIPORT);
}

static struct vplat_vq *port_vq(struct vplat_console *con, uint32_t id, bool tx)
{
	return &con->vqs[tx ? VPLAT_VIRTIO_CONSOLE_PORT_TXQ(id) : VPLAT_VIRTIO_CONSOLE_PORT_RXQ(id)];
}

static bool port_exists(const struct vplat_console *con, uint32_t id)
{
	return id < con->cfg.max_ports && con->port[id].host;
}

int vplat_console_announce(struct vplat_console *con, uint32_t id)
{
	struct vplat_console_port *p = &con->port[id];
	int rc = vplat_console_ctrl_send(con, id, VPLAT_VIRTIO_CONSOLE_DEVICE_ADD, 0, NULL, 0);
	if (rc == 0)
		p->announced = true;
	return rc;
}

/* Give the host end the rest of the transmit buffer in progress. Returns false if blocked. */
static bool tx_drain(struct vplat_console *con, uint32_t id)
{
	struct vplat_console_port *p = &con->port[id];
	const struct vplat_chain *c = &p->tx;
	uint64_t skip = p->tx_off;

	for (uint32_t i = 0; i < c->nread; i++) {
		if (skip >= c->iov[i].len) {
			skip -= c->iov[i].len;
			continue;
		}
		const uint8_t *b = (const uint8_t *)c->iov[i].base + skip;
		uint64_t left = c->iov[i].len - skip;
		while (left) {
			uint32_t want = left > UINT32_MAX / 2 ? UINT32_MAX / 2 : (uint32_t)left;
			int32_t n = p->host->write(p->host_opaque, id, b, want);
			if (n < 0 || (uint32_t)n > want) {
				con->stats.dropped += c->read_len - p->tx_off;
				return true; /* the host end failed: the rest is dropped */
			}
			if (n == 0)
				return false;
			p->tx_off += (uint32_t)n;
			con->stats.tx_bytes += (uint32_t)n;
			b += n;
			left -= (uint32_t)n;
		}
		skip = 0;
	}
	return true;
}

static void tx_process(struct vplat_console *con, uint32_t id)
{
	struct vplat_console_port *p = &con->port[id];
	struct vplat_vq *vq = port_vq(con, id, true);
	bool pushed = false;

	if (!port_exists(con, id) || p->guest_failed)
		return;
	for (;;) {
		if (!p->tx_active) {
			p->tx.iov = p->tx_iov;
			p->tx.iov_cap = VPLAT_CONSOLE_SEGS;
			int rc = vplat_vq_pop(vq, &p->tx);
			if (rc == VPLAT_E2BIG) { /* more segments than we take: returned unread */
				(void)vplat_vq_push(vq, &p->tx, 0);
				pushed = true;
				continue;
			}
			if (rc != 0)
				break;
			p->tx_active = true;
			p->tx_off = 0;
		}
		if (!tx_drain(con, id))
			break; /* host end full: the queue waits for vplat_console_resume() */
		(void)vplat_vq_push(vq, &p->tx, 0);
		p->tx_active = false;
		pushed = true;
	}
	if (pushed)
		(void)vplat_vq_interrupt(vq);
}

/* Return a transmit buffer in progress unfinished (port removed, queue reset). */
static void tx_abort(struct vplat_console *con, uint32_t id, bool push)
{
	struct vplat_console_port *p = &con->port[id];
	if (p->tx_active && push) {
		(void)vplat_vq_push(port_vq(con, id, true), &p->tx, 0);
		(void)vplat_vq_interrupt(port_vq(con, id, true));
	}
	p->tx_active = false;
}

int32_t vplat_console_input(struct vplat_console *con, uint32_t id, const uint8_t *data,
			    uint32_t len)
{
	struct vplat_iov iov[VPLAT_CONSOLE_SEGS];
	uint32_t done = 0;
	bool pushed = false;

	if (!con || !port_exists(con, id))
		return VPLAT_ENOENT;
	if ((id && !vplat_console_multiport(con)) || con->port[id].guest_failed)
		return 0;
	/* VPLAT-CON-020: while the driver reports the port closed, its input stays pending at
	 * the host end (nothing taken); the driver's PORT_OPEN 1 calls rx_ready(). */
	if (vplat_console_multiport(con) && !con->port[id].guest_open)
		return 0;
	struct vplat_vq *vq = port_vq(con, id, false);
	while (done < len) {
		struct vplat_chain c = {.iov = iov, .iov_cap = VPLAT_CONSOLE_SEGS};
		int rc = vplat_vq_pop(vq, &c);
		if (rc != 0 && rc != VPLAT_E2BIG)
			break;
		uint32_t n = 0;
		if (rc == 0)
			n = (uint32_t)vplat_chain_write(&c, 0, data + done, len - done);
		(void)vplat_vq_push(vq, &c, n);
		pushed = true;
		done += n;
	}
	con->stats.rx_bytes += done;
	if (pushed)
		(void)vplat_vq_interrupt(vq);
	return (int32_t)(done > INT32_MAX ? INT32_MAX : done);
}

void vplat_console_resume(struct vplat_console *con, uint32_t id)
{
	if (port_exists(con, id)) {
		/* A resume is a dispatch call too: at most the queue's budget (VPLAT-FFI-013). */
		struct vplat_vq *vq = port_vq(con, id, true);
		bool opened = vplat_vq_dispatch_begin(vq);
		tx_process(con, id);
		(void)vplat_vq_dispatch_end(vq, opened);
	}
}

static void con_queue_notify(struct vplat_device *dev, struct vplat_vq *vq)
{
	struct vplat_console *con = dev->opaque;
	uint16_t q = vq->index;

	if (q == VPLAT_VIRTIO_CONSOLE_CTRL_RXQ) {
		vplat_console_ctrl_flush(con);
		return;
	}
	if (q == VPLAT_VIRTIO_CONSOLE_CTRL_TXQ) {
		vplat_console_ctrl_process(con);
		return;
	}
	uint32_t id = q < 2 ? 0 : (uint32_t)(q - 2) / 2;
	bool tx = q & 1;
	if (!port_exists(con, id) || con->port[id].guest_failed)
		return; /* buffers stay until the port exists (and has not failed) */
	if (tx) {
		tx_process(con, id);
	} else if (con->port[id].host->rx_ready) {
		con->port[id].host->rx_ready(con->port[id].host_opaque, id);
	}
}

static void con_driver_ok(struct vplat_device *dev)
{
	struct vplat_console *con = dev->opaque;
	/* Without MULTIPORT port 0 is simply there and open once the device is live. */
	if (vplat_console_multiport(con))
		return;
	con->port[0].guest_open = true;
	if (con->port[0].host->guest_open)
		con->port[0].host->guest_open(con->port[0].host_opaque, 0, true);
}

static void con_reset(struct vplat_device *dev)
{
	struct vplat_console *con = dev->opaque;
	for (uint32_t id = 0; id < VPLAT_CONSOLE_MAX_PORTS; id++) {
		struct vplat_console_port *p = &con->port[id];
		tx_abort(con, id, false);
		bool was_open = p->guest_open;
		p->announced = false;
		p->guest_ready = false;
		p->guest_open = false;
		p->guest_failed = false;
		if (was_open && p->host && p->host->guest_open)
			p->host->guest_open(p->host_opaque, id, false);
	}
	con->ready = false;
	con->failed = false;
	con->npend = 0;
	con->pend_head = 0;
}

static void con_queue_reset(struct vplat_device *dev, struct vplat_vq *vq)
{
	struct vplat_console *con = dev->opaque;
	uint16_t q = vq->index;
	if (q == VPLAT_VIRTIO_CONSOLE_CTRL_RXQ || q == VPLAT_VIRTIO_CONSOLE_CTRL_TXQ)
		return;
	if (q & 1)
		tx_abort(con, q < 2 ? 0 : (uint32_t)(q - 2) / 2, false);
}

static void con_config_write(struct vplat_device *dev, uint32_t off, const void *data, uint32_t len)
{
	struct vplat_console *con = dev->opaque;
	uint32_t ew = (uint32_t)offsetof(struct vplat_virtio_console_config, emerg_wr);
	/* Device Initialization: a write to emerg_wr MUST be allowed even on an unconfigured
	 * device; the low byte SHOULD be output. Only a write that covers that byte counts. */
	if (con->cfg.no_emerg || off > ew || off + len <= ew)
		return;
	uint8_t ch = ((const uint8_t *)data)[ew - off];
	struct vplat_console_port *p = &con->port[0];
	con->stats.emerg++;
	if (p->host->emerg)
		p->host->emerg(p->host_opaque, ch);
	else
		p->host->write(p->host_opaque, 0, &ch, 1);
}

static const struct vplat_device_ops con_ops = {
	.name = "console",
	.device_id = VPLAT_VIRTIO_ID_CONSOLE,
	.features = F(SIZE) | F(MULTIPORT) | F(EMERG_WRITE),
	.driver_ok = con_driver_ok,
	.queue_notify = con_queue_notify, /* never blocks: host ends say "would block" */
	.reset = con_reset,
	.queue_reset = con_queue_reset,
	.config_write = con_config_write,
	.config_write_early = true, /* emerg_wr: "even on an unconfigured device" */
};

static bool host_ok(const struct vplat_console_host_ops *h)
{
	return h && h->write;
}

int vplat_console_init(struct vplat_console *con, struct vplat_mem *mem,
		       const struct vplat_console_config *cfg,
		       const struct vplat_console_host_ops *host, void *host_opaque)
{
	if (!con || !cfg || !host_ok(host) || cfg->max_ports > VPLAT_CONSOLE_MAX_PORTS ||
	    cfg->resize_order > VPLAT_CONSOLE_RESIZE_SPEC)
		return VPLAT_EINVAL;
	(void)memset(con, 0, sizeof(*con));
	con->cfg = *cfg;
	if (!con->cfg.max_ports)
		con->cfg.max_ports = 1;
	if (!con->cfg.queue_size)
		con->cfg.queue_size = 128;
	if (!cfg->no_size) { /* without F_SIZE the fields stay 0 */
		con->config.cols = vplat_cpu_to_le16(cfg->cols);
		con->config.rows = vplat_cpu_to_le16(cfg->rows);
	}
	con->config.max_nr_ports = vplat_cpu_to_le32(con->cfg.max_ports);
	con->port[0].host = host;
	con->port[0].host_opaque = host_opaque;
	con->port[0].console = true;
	con->port[0].host_open = true;
	con->port[0].cols = cfg->cols;
	con->port[0].rows = cfg->rows;
	bool multi = con->cfg.max_ports > 1;
	uint16_t nvqs = multi ? (uint16_t)(2 * con->cfg.max_ports + 2) : 2;
	int rc = vplat_device_init(&con->dev, &con_ops, con, mem, con->vqs, nvqs,
				   con->cfg.queue_size, (uint8_t *)&con->config,
				   (uint32_t)sizeof(con->config));
	if (rc)
		return rc;
	uint64_t offer = con->dev.host_features & ~con_ops.features;
	if (!cfg->no_size)
		offer |= F(SIZE);
	if (multi)
		offer |= F(MULTIPORT);
	if (!cfg->no_emerg)
		offer |= F(EMERG_WRITE);
	return vplat_device_set_offer(&con->dev, offer);
}

struct vplat_device *vplat_console_device(struct vplat_console *con)
{
	return &con->dev;
}

int vplat_console_port_add(struct vplat_console *con, uint32_t id, const char *name, bool console,
			   const struct vplat_console_host_ops *host, void *host_opaque)
{
	if (!con || !host_ok(host))
		return VPLAT_EINVAL;
	if (id == 0 || id >= con->cfg.max_ports)
		return id == 0 ? VPLAT_EEXIST : VPLAT_ERANGE;
	size_t nlen = name ? strlen(name) : 0;
	if (nlen > VPLAT_CONSOLE_NAME_MAX)
		return VPLAT_EINVAL;
	struct vplat_console_port *p = &con->port[id];
	if (p->host)
		return VPLAT_EEXIST; /* Multiport Device Operation: no DEVICE_ADD of a live port */
	if (con->ready && con->npend == VPLAT_CONSOLE_CTRL_PENDING)
		return VPLAT_ENOSPC;
	(void)memset(p, 0, sizeof(*p));
	p->host = host;
	p->host_opaque = host_opaque;
	p->console = console;
	p->host_open = true;
	if (nlen)
		(void)memcpy(p->name, name, nlen);
	p->name_len = (uint8_t)nlen;
	if (con->ready)
		(void)vplat_console_announce(con, id);
	return 0;
}

int vplat_console_port_remove(struct vplat_console *con, uint32_t id)
{
	if (!con || !port_exists(con, id))
		return VPLAT_ENOENT;
	if (id == 0)
		return VPLAT_EPERM;
	struct vplat_console_port *p = &con->port[id];
	/* Multiport Device Operation: REMOVE only a port that was added with DEVICE_ADD. */
	if (p->announced &&
	    vplat_console_ctrl_send(con, id, VPLAT_VIRTIO_CONSOLE_DEVICE_REMOVE, 0, NULL, 0) != 0)
		return VPLAT_ENOSPC;
	tx_abort(con, id, vplat_device_is_live(&con->dev));
	(void)memset(p, 0, sizeof(*p));
	return 0;
}

int vplat_console_port_set_open(struct vplat_console *con, uint32_t id, bool open)
{
	if (!con || !port_exists(con, id))
		return VPLAT_ENOENT;
	struct vplat_console_port *p = &con->port[id];
	if (p->host_open == open)
		return 0;
	p->host_open = open;
	if (p->guest_ready)
		return vplat_console_ctrl_send(con, id, VPLAT_VIRTIO_CONSOLE_PORT_OPEN, open, NULL, 0);
	return 0;
}

bool vplat_console_port_guest_open(const struct vplat_console *con, uint32_t id)
{
	if (!port_exists(con, id))
		return false;
	return con->port[id].guest_open;
}

int vplat_console_resize(struct vplat_console *con, uint32_t id, uint16_t cols, uint16_t rows)
{
	if (!con || !port_exists(con, id))
		return VPLAT_ENOENT;
	struct vplat_console_port *p = &con->port[id];
	p->cols = cols;
	p->rows = rows;
	if (id == 0 && !con->cfg.no_size) {
		con->config.cols = vplat_cpu_to_le16(cols);
		con->config.rows = vplat_cpu_to_le16(rows);
		vplat_device_config_changed(&con->dev);
	}
	/* VPLAT-CON-026: RESIZE only for a console port, after its PORT_READY 1. */
	if (!vplat_console_multiport(con) || !p->guest_ready || !p->console)
		return 0;
	bool linux_order = con->cfg.resize_order == VPLAT_CONSOLE_RESIZE_LINUX;
	vplat_le16 sz[2] = {vplat_cpu_to_le16(linux_order ? rows : cols),
			    vplat_cpu_to_le16(linux_order ? cols : rows)};
	return vplat_console_ctrl_send(con, id, VPLAT_VIRTIO_CONSOLE_RESIZE, 0, sz, sizeof(sz));
}

const struct vplat_console_stats *vplat_console_stats(const struct vplat_console *con)
{
	return &con->stats;
}

/* ---- in-memory host end (freestanding) ----------------------------------------------- */

static int32_t mem_write(void *host, uint32_t port, const uint8_t *buf, uint32_t len)
{
	struct vplat_console_mem *m = host;
	(void)port;
	if (m->fail)
		return VPLAT_EIO;
	uint32_t space = VPLAT_CONSOLE_MEM_BUF - m->len;
	uint32_t n = len < m->room ? len : m->room;
	n = n < space ? n : space;
	(void)memcpy(m->out + m->len, buf, n);
	m->len += n;
	m->room -= n;
	return (int32_t)n;
}

static void mem_rx_ready(void *host, uint32_t port)
{
	struct vplat_console_mem *m = host;
	(void)port;
	m->rx_ready++;
}

static void mem_guest_open(void *host, uint32_t port, bool open)
{
	struct vplat_console_mem *m = host;
	(void)port;
	m->open_events++;
	m->guest_open = open;
}

static void mem_emerg(void *host, uint8_t ch)
{
	struct vplat_console_mem *m = host;
	if (m->nemerg < sizeof(m->emerg))
		m->emerg[m->nemerg++] = ch;
}

const struct vplat_console_host_ops vplat_console_host_mem = {
	.write = mem_write,
	.rx_ready = mem_rx_ready,
	.guest_open = mem_guest_open,
	.emerg = mem_emerg,
};
