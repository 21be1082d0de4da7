/* SPDX-License-Identifier: BSD-3-Clause */
/* Console device: emergency write, configuration, transmit (spec/12-console.md 12.1, 12.2). */
#include "console_test.h"

#define S_NR VPLAT_VIRTIO_STATUS_DEVICE_NEEDS_RESET

static enum vplat_result emerg_offered(struct vplat_test_ctx *t)
{
	uint64_t f = vplat_val_get_device_features(t->d);
	VPLAT_T_CHECK_MSG(t, 1, f & CF(EMERG_WRITE), "VIRTIO_CONSOLE_F_EMERG_WRITE offered",
			  "offer 0x%llx", (unsigned long long)f);
	return VPLAT_PASS;
}
VPLAT_TEST(con_emerg_write_offered, "VPLAT-CON-001", "vplat", VPLAT_VIRTIO_ID_CONSOLE, 0, "the device offers VIRTIO_CONSOLE_F_EMERG_WRITE", emerg_offered);

/* The config fields other than emerg_wr, as one 8-byte snapshot. */
static uint64_t snapshot(struct vplat_test_ctx *t)
{
	return cfg(t, 0, 4) | cfg(t, 4, 4) << 32;
}

/* Write three bytes to emerg_wr; status and the other fields must stay. Checkpoints cp..cp+1. */
static enum vplat_result emerg_in(struct vplat_test_ctx *t, int cp, const char *when)
{
	uint8_t st = status(t);
	uint64_t before = snapshot(t);
	static const char msg[] = "ok\n";
	for (int i = 0; i < 3; i++)
		vplat_val_config_write(t->d, COFF(emerg_wr), 4, (uint8_t)msg[i]);
	VPLAT_T_CHECK_MSG(t, cp, status(t) == st, "the write changes no device status",
			  "%s: status 0x%x became 0x%x", when, st, status(t));
	VPLAT_T_CHECK_MSG(t, cp + 1, snapshot(t) == before, "cols, rows, max_nr_ports unchanged",
			  "%s: the configuration changed", when);
	return VPLAT_PASS;
}

static enum vplat_result emerg_any_state(struct vplat_test_ctx *t)
{
	if (!(vplat_val_get_device_features(t->d) & CF(EMERG_WRITE)))
		return vplat_t_skip(t, "EMERG_WRITE not offered");
	enum vplat_result r;
	VPLAT_T_CHECK(t, 1, vplat_val_reset(t->d) == 0);
	if ((r = emerg_in(t, 2, "status 0")) != VPLAT_PASS)
		return r;
	vplat_val_add_status(t->d, VPLAT_VIRTIO_STATUS_ACKNOWLEDGE);
	if ((r = emerg_in(t, 4, "ACKNOWLEDGE")) != VPLAT_PASS)
		return r;
	vplat_val_add_status(t->d, VPLAT_VIRTIO_STATUS_DRIVER);
	if ((r = emerg_in(t, 6, "DRIVER, before FEATURES_OK")) != VPLAT_PASS)
		return r;
	VPLAT_T_CHECK(t, 8, vplat_val_negotiate(t->d, CF(EMERG_WRITE) | F(VERSION_1)) == 0);
	if ((r = emerg_in(t, 9, "FEATURES_OK, no queue set up")) != VPLAT_PASS)
		return r;
	struct vplat_val_vq *vq = vplat_t_vq(t);
	VPLAT_T_CHECK(t, 11, vq && vplat_val_vq_setup(t->d, vq, 1, 8) == 0);
	VPLAT_T_CHECK(t, 12, vplat_val_driver_ok(t->d) == 0);
	if ((r = emerg_in(t, 13, "DRIVER_OK")) != VPLAT_PASS)
		return r;
	/* Output still works. */
	uint8_t *line = dmab(t, 6);
	memcpy(line, "hello\n", 6);
	struct vplat_val_buf b = {.ptr = line, .len = 6};
	uint32_t used;
	VPLAT_T_CHECK_MSG(t, 15, xfer(t, vq, &b, 1, 0, &used) == 0, "port 0 output still works",
			  "a transmit buffer after emerg_wr writes was not used");
	/* A broken ring: descriptor 0 -> 1 -> 0; then emerg_wr while DEVICE_NEEDS_RESET. */
	uint64_t g = 0;
	vplat_val_alloc(t->d->mem, 16, 16, &g);
	vplat_val_vq_raw_desc(vq, 0, g, 16, VPLAT_VIRTQ_DESC_F_NEXT, 1);
	vplat_val_vq_raw_desc(vq, 1, g, 16, VPLAT_VIRTQ_DESC_F_NEXT, 0);
	if (!vq->packed)
		vplat_val_vq_raw_avail(vq, 0);
	vplat_val_vq_notify(vq);
	if (!wait_status(t, S_NR, 200))
		return VPLAT_PASS; /* the device did not flag this ring; the states above count */
	if ((r = emerg_in(t, 16, "DEVICE_NEEDS_RESET")) != VPLAT_PASS)
		return r;
	VPLAT_T_CHECK_MSG(t, 18, vplat_val_reset(t->d) == 0, "a reset still recovers the device",
			  "reset did not complete");
	return VPLAT_PASS;
}
VPLAT_TEST(con_emerg_write_any_state, "VPLAT-CON-002", "devicenormative:Device Types / Console Device / Device Initialization", VPLAT_VIRTIO_ID_CONSOLE, 0, "emerg_wr writes at status 0, ACKNOWLEDGE, DRIVER, FEATURES_OK, DRIVER_OK and DEVICE_NEEDS_RESET change no status or config field; output still works", emerg_any_state);

static enum vplat_result mp_queues(struct vplat_test_ctx *t)
{
	if (!(vplat_val_get_device_features(t->d) & CF(MULTIPORT)))
		return vplat_t_skip(t, "MULTIPORT not offered");
	uint64_t n = cfg(t, COFF(max_nr_ports), 4);
	VPLAT_T_CHECK_MSG(t, 1, n >= 1 && n <= 0x7fff, "max_nr_ports >= 1", "max_nr_ports %llu",
			  (unsigned long long)n);
	enum vplat_result r = bringup(t, CF(MULTIPORT), NULL, 0, 0);
	if (r != VPLAT_PASS)
		return r;
	for (uint64_t q = 0; q < 2 * n + 2; q++)
		VPLAT_T_CHECK_MSG(t, 2, vplat_val_queue_max(t->d, (uint16_t)q) > 0,
				  "2 x max_nr_ports + 2 queues", "queue %llu of %llu missing",
				  (unsigned long long)q, (unsigned long long)(2 * n + 2));
	VPLAT_T_CHECK_MSG(t, 3, vplat_val_queue_max(t->d, (uint16_t)(2 * n + 2)) == 0,
			  "exactly 2 x max_nr_ports + 2 queues", "queue %llu exists",
			  (unsigned long long)(2 * n + 2));
	return VPLAT_PASS;
}
VPLAT_TEST(con_multiport_queue_count, "VPLAT-CON-006", "sec:Device Types / Console Device / Virtqueues", VPLAT_VIRTIO_ID_CONSOLE, 0, "with MULTIPORT, max_nr_ports (offset 4) is >= 1 and exactly 2 x max_nr_ports + 2 queues exist", mp_queues);

static enum vplat_result tx_used_zero(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *vq;
	enum vplat_result r = bringup(t, 0, &vq, 1, 16);
	if (r != VPLAT_PASS)
		return r;
	static const uint32_t sizes[] = {1, 13, 200, 1000};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint8_t *p = dmab(t, sizes[i]), *snap = dmab(t, sizes[i]);
		VPLAT_T_CHECK(t, 1, p && snap);
		for (uint32_t k = 0; k < sizes[i]; k++)
			p[k] = (uint8_t)(' ' + (k + i) % 90);
		memcpy(snap, p, sizes[i]);
		/* In two descriptors when it can be split. */
		uint32_t h = sizes[i] / 2;
		struct vplat_val_buf b[2] = {{.ptr = p, .len = h ? h : sizes[i]},
					     {.ptr = p + h, .len = sizes[i] - h}};
		uint32_t used = 1234;
		VPLAT_T_CHECK_MSG(t, 2, xfer(t, vq, b, h ? 2 : 1, 0, &used) == 0,
				  "the transmit buffer is used", "%u bytes not used", sizes[i]);
		VPLAT_T_CHECK_MSG(t, 3, used == 0, "transmitq used length 0", "used %u for %u bytes",
				  used, sizes[i]);
		VPLAT_T_CHECK_MSG(t, 4, memcmp(p, snap, sizes[i]) == 0,
				  "the device never writes a transmit buffer", "the data changed");
	}
	/* A transmit chain with a writable part: still not written, used length 0. */
	uint8_t *p = dmab(t, 4), *w = dmab(t, 32);
	memcpy(p, "abc\n", 4);
	memset(w, 0x5a, 32);
	struct vplat_val_buf b[2] = {{.ptr = p, .len = 4}, {.ptr = w, .len = 32}};
	uint32_t used = 1234;
	VPLAT_T_CHECK(t, 5, xfer(t, vq, b, 1, 1, &used) == 0);
	bool untouched = true;
	for (int k = 0; k < 32; k++)
		untouched &= w[k] == 0x5a;
	VPLAT_T_CHECK_MSG(t, 6, used == 0 && untouched, "nothing written, used length 0",
			  "used %u, writable part %s", used, untouched ? "intact" : "written");
	return VPLAT_PASS;
}
VPLAT_TEST(con_tx_used_len_zero, "VPLAT-CON-012", "sec:Device Types / Console Device / Device Operation / Legacy Interface: Device Operation", VPLAT_VIRTIO_ID_CONSOLE, 0, "port 0 transmit buffers of 1..1000 bytes (one or two descriptors, or with a writable part) come back with used length 0, untouched", tx_used_zero);

static enum vplat_result ctrl_tx_used_zero(struct vplat_test_ctx *t)
{
	struct con c;
	enum vplat_result r = con_up(t, &c, 0, 80, 16);
	if (r != VPLAT_PASS)
		return r;
	/* DEVICE_READY, PORT_READY, PORT_OPEN and a malformed one: each used with length 0. */
	struct vplat_virtio_console_control *m = dmab(t, 8);
	uint16_t ev[4][2] = {{E_READY, 1}, {E_PREADY, 1}, {E_OPEN, 1}, {99, 0}};
	for (int i = 0; i < 4; i++) {
		m->id = 0;
		m->event = vplat_cpu_to_le16(ev[i][0]);
		m->value = vplat_cpu_to_le16(ev[i][1]);
		struct vplat_val_buf b = {.ptr = m, .len = 8};
		uint32_t used = 1234;
		VPLAT_T_CHECK(t, 1, xfer(t, c.cout, &b, 1, 0, &used) == 0);
		VPLAT_T_CHECK_MSG(t, 2, used == 0, "control transmitq used length 0",
				  "event %u: used %u", ev[i][0], used);
		struct cmsg msgs[16];
		con_collect(t, &c, msgs, 16, CON_QUIET_MS);
	}
	return VPLAT_PASS;
}
VPLAT_TEST(con_ctrl_tx_used_len_zero, "VPLAT-CON-012", "sec:Device Types / Console Device / Device Operation / Multiport Device Operation", VPLAT_VIRTIO_ID_CONSOLE, 0, "control transmitq buffers (DEVICE_READY, PORT_READY, PORT_OPEN, an unknown event) come back with used length 0", ctrl_tx_used_zero);
