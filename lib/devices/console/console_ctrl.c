/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Console control queues (sec: Device Types / Console Device / Device Operation / Multiport
 * Device Operation). Freestanding.
 *
 * Device to driver: messages wait in a bounded ring until the driver posts a control receive
 * buffer; none is ever dropped (the embedder gets VPLAT_ENOSPC when the ring is full).
 * Driver to device: every message is untrusted: short messages, unknown events and ports
 * that do not exist are counted and ignored; each buffer is returned exactly once.
 */
#include <string.h>
#include "console_internal.h"
#include "vplat/error.h"

#define HDR sizeof(struct vplat_virtio_console_control)

int vplat_console_ctrl_send(struct vplat_console *con, uint32_t id, uint16_t event,
			    uint16_t value, const void *payload, uint32_t len)
{
	if (con->failed)
		return 0; /* the driver gave up (DEVICE_READY 0): nothing until reset */
	if (con->npend == VPLAT_CONSOLE_CTRL_PENDING || len > VPLAT_CONSOLE_NAME_MAX)
		return VPLAT_ENOSPC;
	struct vplat_console_msg *m =
		&con->pending[(con->pend_head + con->npend) % VPLAT_CONSOLE_CTRL_PENDING];
	m->hdr.id = vplat_cpu_to_le32(id);
	m->hdr.event = vplat_cpu_to_le16(event);
	m->hdr.value = vplat_cpu_to_le16(value);
	if (len)
		(void)memcpy(m->payload, payload, len);
	m->len = (uint8_t)len;
	con->npend++;
	vplat_console_ctrl_flush(con);
	return 0;
}

void vplat_console_ctrl_flush(struct vplat_console *con)
{
	struct vplat_vq *vq = &con->vqs[VPLAT_VIRTIO_CONSOLE_CTRL_RXQ];
	struct vplat_iov iov[VPLAT_CONSOLE_SEGS];
	bool pushed = false;

	if (!vplat_console_multiport(con) || !vplat_device_is_live(&con->dev))
		return;
	while (con->npend) {
		struct vplat_chain c = {.iov = iov, .iov_cap = VPLAT_CONSOLE_SEGS};
		int rc = vplat_vq_pop(vq, &c);
		if (rc != 0 && rc != VPLAT_E2BIG)
			break;
		const struct vplat_console_msg *m = &con->pending[con->pend_head];
		/* A buffer too small for the whole message comes back empty; the message waits
		 * for the next one, never cut or reordered (VPLAT-CON-024). */
		if (rc == VPLAT_E2BIG || c.write_len < HDR + m->len) {
			(void)vplat_vq_push(vq, &c, 0);
			pushed = true;
			continue;
		}
		uint32_t n = (uint32_t)vplat_chain_write(&c, 0, &m->hdr, HDR);
		n += (uint32_t)vplat_chain_write(&c, HDR, m->payload, m->len);
		(void)vplat_vq_push(vq, &c, n);
		pushed = true;
		con->pend_head = (con->pend_head + 1) % VPLAT_CONSOLE_CTRL_PENDING;
		con->npend--;
		con->stats.ctrl_out++;
	}
	if (pushed)
		(void)vplat_vq_interrupt(vq);
}

/* After PORT_READY: console nomination, name, open state, size. */
static void port_ready(struct vplat_console *con, uint32_t id)
{
	struct vplat_console_port *p = &con->port[id];
	p->guest_ready = true;
	if (p->console)
		(void)vplat_console_ctrl_send(con, id, VPLAT_VIRTIO_CONSOLE_CONSOLE_PORT, 1, NULL, 0);
	if (p->name_len)
		(void)vplat_console_ctrl_send(con, id, VPLAT_VIRTIO_CONSOLE_PORT_NAME, 0, p->name,
					p->name_len);
	if (p->host_open)
		(void)vplat_console_ctrl_send(con, id, VPLAT_VIRTIO_CONSOLE_PORT_OPEN, 1, NULL, 0);
}

static void device_ready(struct vplat_console *con, uint16_t value)
{
	if (value != 1) {
		/* The driver failed: no control message until reset (VPLAT-CON-014). */
		con->failed = true;
		con->npend = 0;
		con->pend_head = 0;
		return;
	}
	if (con->ready || con->failed)
		return; /* a repeated DEVICE_READY, or one after the driver failed */
	con->ready = true;
	for (uint32_t id = 0; id < con->cfg.max_ports; id++)
		if (con->port[id].host)
			(void)vplat_console_announce(con, id);
}

void vplat_console_ctrl_handle(struct vplat_console *con, const uint8_t *msg, size_t len)
{
	struct vplat_virtio_console_control c;

	if (len < HDR) {
		con->stats.ctrl_bad++;
		return;
	}
	/* misra-deviation: 21.15 a wire message is copied from its byte buffer into its struct */
	(void)memcpy(&c, msg, HDR);
	uint32_t id = vplat_le32_to_cpu(c.id);
	uint16_t event = vplat_le16_to_cpu(c.event), value = vplat_le16_to_cpu(c.value);
	if (event == VPLAT_VIRTIO_CONSOLE_DEVICE_READY) {
		device_ready(con, value);
		con->stats.ctrl_in++;
		return;
	}
	/* Port events: only for ports the driver was told about, while it has not failed. */
	if (con->failed || id >= con->cfg.max_ports || !con->port[id].host ||
	    !con->port[id].announced || value > 1) {
		con->stats.ctrl_bad++;
		return;
	}
	struct vplat_console_port *p = &con->port[id];
	switch (event) {
	case VPLAT_VIRTIO_CONSOLE_PORT_READY:
		if (!value) {
			/* The port failed: its queues stay unused until it is removed and added
			 * again or the device is reset (VPLAT-CON-018). */
			p->guest_failed = true;
			p->guest_ready = false;
		} else if (!p->guest_ready && !p->guest_failed) {
			port_ready(con, id);
		}
		break;
	case VPLAT_VIRTIO_CONSOLE_PORT_OPEN:
		if (p->guest_open != (value == 1)) {
			p->guest_open = value == 1;
			if (p->host->guest_open)
				p->host->guest_open(p->host_opaque, id, p->guest_open);
			/* input kept while the port was closed can come now (VPLAT-CON-020) */
			if (p->guest_open && p->host->rx_ready)
				p->host->rx_ready(p->host_opaque, id);
		}
		break;
	default:
		con->stats.ctrl_bad++; /* device-to-driver events, unknown events */
		return;
	}
	con->stats.ctrl_in++;
}

void vplat_console_ctrl_process(struct vplat_console *con)
{
	struct vplat_vq *vq = &con->vqs[VPLAT_VIRTIO_CONSOLE_CTRL_TXQ];
	struct vplat_iov iov[VPLAT_CONSOLE_SEGS];
	uint8_t msg[HDR];
	bool pushed = false;

	for (;;) {
		struct vplat_chain c = {.iov = iov, .iov_cap = VPLAT_CONSOLE_SEGS};
		int rc = vplat_vq_pop(vq, &c);
		if (rc == VPLAT_E2BIG) {
			con->stats.ctrl_bad++;
			(void)vplat_vq_push(vq, &c, 0);
			pushed = true;
			continue;
		}
		if (rc != 0)
			break;
		size_t n = vplat_chain_read(&c, 0, msg, sizeof(msg));
		(void)vplat_vq_push(vq, &c, 0); /* before acting: handling may queue replies */
		pushed = true;
		vplat_console_ctrl_handle(con, msg, n);
	}
	if (pushed)
		(void)vplat_vq_interrupt(vq);
}
