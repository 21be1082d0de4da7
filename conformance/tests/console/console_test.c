/* SPDX-License-Identifier: BSD-3-Clause */
#include <time.h>
#include "console_test.h"

enum vplat_result con_up(struct vplat_test_ctx *t, struct con *c, uint64_t extra, uint32_t buflen,
			 unsigned nbufs)
{
	memset(c, 0, sizeof(*c));
	uint64_t off = vplat_val_get_device_features(t->d);
	if (!(off & CF(MULTIPORT)))
		return vplat_t_skip(t, "MULTIPORT not offered");
	c->max_ports = (uint16_t)cfg(t, COFF(max_nr_ports), 4);
	int rc = vplat_val_negotiate(t->d, ((CF(MULTIPORT) | extra) & off) | F(VERSION_1));
	if (rc)
		return vplat_t_error(t, "negotiation failed: %s", vplat_strerror(rc));
	struct {
		struct vplat_val_vq **vq;
		uint16_t q;
	} qs[] = {{&c->cin, VPLAT_VIRTIO_CONSOLE_CTRL_RXQ}, {&c->cout, VPLAT_VIRTIO_CONSOLE_CTRL_TXQ},
		  {&c->tx0, VPLAT_VIRTIO_CONSOLE_PORT_TXQ(0)}, {&c->tx1, VPLAT_VIRTIO_CONSOLE_PORT_TXQ(1)}};
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		if (qs[i].q >= 2u * c->max_ports + 2u)
			continue;
		*qs[i].vq = vplat_t_vq(t);
		if (!*qs[i].vq || vplat_val_vq_setup(t->d, *qs[i].vq, qs[i].q, 32) != 0)
			return vplat_t_error(t, "queue %u setup failed", qs[i].q);
	}
	if ((rc = vplat_val_driver_ok(t->d)) != 0)
		return vplat_t_error(t, "DRIVER_OK failed: %s", vplat_strerror(rc));
	c->buflen = buflen;
	for (unsigned i = 0; i < nbufs; i++)
		if (con_post(t, c, buflen) != 0)
			return vplat_t_error(t, "posting control receive buffers failed");
	return VPLAT_PASS;
}

int con_post(struct vplat_test_ctx *t, struct con *c, uint32_t len)
{
	uint8_t *b = dmab(t, len);
	if (!b)
		return VPLAT_ENOMEM;
	memset(b, 0xcc, len);
	struct vplat_val_buf vb = {.ptr = b, .len = len};
	int rc = vplat_val_vq_add(c->cin, &vb, 0, 1, b);
	if (!rc)
		vplat_val_vq_kick(c->cin);
	return rc;
}

int con_send(struct vplat_test_ctx *t, struct con *c, uint32_t id, uint16_t event, uint16_t value,
	     uint32_t len)
{
	uint64_t mark = vplat_val_mem_mark(t->d->mem);
	struct vplat_virtio_console_control *m = dmab(t, sizeof(*m));
	if (!m)
		return VPLAT_ENOMEM;
	m->id = vplat_cpu_to_le32(id);
	m->event = vplat_cpu_to_le16(event);
	m->value = vplat_cpu_to_le16(value);
	struct vplat_val_buf b = {.ptr = m, .len = len < 8 ? len : 8};
	uint32_t used;
	int rc = xfer(t, c->cout, &b, 1, 0, &used);
	vplat_val_mem_release(t->d->mem, mark);
	return rc;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

unsigned con_collect(struct vplat_test_ctx *t, struct con *c, struct cmsg *out, unsigned max,
		     unsigned quiet_ms)
{
	unsigned n = 0;
	uint64_t last = mono_ms();
	while (mono_ms() - last < quiet_ms && !vplat_t_expired(t)) {
		void *tok;
		uint32_t len;
		if (vplat_val_vq_get_used(c->cin, &tok, &len) != 0) {
			vplat_t_poll(t);
			continue;
		}
		last = mono_ms();
		const uint8_t *b = tok;
		if (n < max) {
			struct cmsg *m = &out[n];
			memset(m, 0, sizeof(*m));
			m->used = len;
			if (len >= 8) {
				m->id = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
					(uint32_t)b[3] << 24;
				m->event = (uint16_t)(b[4] | b[5] << 8);
				m->value = (uint16_t)(b[6] | b[7] << 8);
				memcpy(m->payload, b + 8, len - 8 < 256 ? len - 8 : 256);
			}
		}
		n++;
		if (c->buflen)
			con_post(t, c, c->buflen);
	}
	return n < max ? n : max;
}

unsigned con_ready(struct vplat_test_ctx *t, struct con *c, struct cmsg *out, unsigned max)
{
	if (con_send(t, c, 0, E_READY, 1, 8) != 0)
		return 0;
	return con_collect(t, c, out, max, CON_QUIET_MS);
}
