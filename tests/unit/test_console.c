/* SPDX-License-Identifier: BSD-3-Clause */
/* covers(unit.test_console): VPLAT-CON-005 VPLAT-CON-007 VPLAT-CON-008 VPLAT-CON-010
 * (resize_linux_order/resize_spec_order, single_port_output_and_input,
 * backpressure_loses_nothing: driven through the in-memory host end) */
/*
 * Console device (sec: Device Types / Console Device) driven as a guest would: loopback,
 * virtio-mmio (_i bit 0 = 0) / virtio-pci (bit 0 = 1), split (bit 1 = 0) / packed (bit 1 = 1).
 * Clause labels: devicenormative:Device Types / Console Device / Device Initialization
 * ("Initialization") and / Device Operation / Multiport Device Operation ("Multiport").
 */
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "vplat/console.h"
#include "vplat/vplat.h"
#include "vplat/val/val.h"
#include "vplat/val/loopback.h"

#define NQ 8 /* ports 0..2 plus control: queues 0..7 */
#define EW offsetof(struct vplat_virtio_console_config, emerg_wr)

struct rig {
	struct vplat_loopback lb;
	struct vplat_console con;
	struct vplat_console_mem m0, m1, m2;
	struct vplat_val_dev d;
	struct vplat_val_vq vq[NQ];
	bool multi;
};

static void rig_init(struct rig *r, int variant, const struct vplat_console_config *cfg)
{
	memset(r, 0, sizeof(*r));
	r->m0.room = r->m1.room = r->m2.room = UINT32_MAX;
	enum vplat_loopback_transport kind = (variant & 1) ? VPLAT_LOOPBACK_PCI : VPLAT_LOOPBACK_MMIO;
	ck_assert_int_eq(vplat_loopback_init(&r->lb, kind, 2u << 20), 0);
	ck_assert_int_eq(vplat_console_init(&r->con, vplat_loopback_mem(&r->lb), cfg,
					    &vplat_console_host_mem, &r->m0),
			 0);
	ck_assert_int_eq(vplat_loopback_attach(&r->lb, vplat_console_device(&r->con)), 0);
	ck_assert_int_eq(vplat_loopback_val_init(&r->lb, &r->d), 0);
}

static void rig_start(struct rig *r, int variant, uint64_t want)
{
	want |= VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1);
	if (variant & 2)
		want |= VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED);
	ck_assert_int_eq(vplat_val_negotiate(&r->d, want), 0);
	r->multi = vplat_val_has_feature(&r->d, VPLAT_VIRTIO_CONSOLE_F_MULTIPORT);
	for (uint16_t q = 0; q < (r->multi ? NQ : 2); q++)
		if (vplat_val_queue_max(&r->d, q))
			ck_assert_int_eq(vplat_val_vq_setup(&r->d, &r->vq[q], q, 32), 0);
	ck_assert_int_eq(vplat_val_driver_ok(&r->d), 0);
}

static void rig_up(struct rig *r, int variant, uint32_t ports, uint64_t want)
{
	struct vplat_console_config c = {.max_ports = ports, .cols = 80, .rows = 25};
	rig_init(r, variant, &c);
	rig_start(r, variant, want);
}

static void rig_down(struct rig *r)
{
	ck_assert_uint_eq(r->lb.access_errors, 0);
	for (int q = 0; q < NQ; q++) {
		if (r->vq[q].dev) {
			ck_assert_int_eq(r->vq[q].error, 0);
			vplat_val_vq_fini(&r->vq[q]);
		}
	}
	vplat_loopback_fini(&r->lb);
}

static void *dma(struct rig *r, uint32_t len)
{
	void *p = vplat_val_alloc(vplat_loopback_dma(&r->lb), len, 8, NULL);
	ck_assert_ptr_nonnull(p);
	return p;
}

/* Guest output on queue @p q. */
static void tx(struct rig *r, uint16_t q, const void *data, uint32_t len, void *token)
{
	void *b = dma(r, len);
	memcpy(b, data, len);
	struct vplat_val_buf v = {.ptr = b, .len = len};
	ck_assert_int_eq(vplat_val_vq_add(&r->vq[q], &v, 1, 0, token), 0);
	vplat_val_vq_kick(&r->vq[q]);
}

/* Post a device-writable buffer on queue @p q. */
static uint8_t *rxbuf(struct rig *r, uint16_t q, uint32_t len, void *token)
{
	uint8_t *b = dma(r, len);
	struct vplat_val_buf v = {.ptr = b, .len = len};
	ck_assert_int_eq(vplat_val_vq_add(&r->vq[q], &v, 0, 1, token), 0);
	vplat_val_vq_kick(&r->vq[q]);
	return b;
}

static void ctrl_send(struct rig *r, uint32_t id, uint16_t event, uint16_t value)
{
	struct vplat_virtio_console_control m = {.id = vplat_cpu_to_le32(id),
						 .event = vplat_cpu_to_le16(event),
						 .value = vplat_cpu_to_le16(value)};
	tx(r, VPLAT_VIRTIO_CONSOLE_CTRL_TXQ, &m, sizeof(m), (void *)9);
	void *tok;
	ck_assert_int_eq(vplat_val_vq_get_used(&r->vq[VPLAT_VIRTIO_CONSOLE_CTRL_TXQ], &tok, NULL), 0);
}

struct msg {
	uint32_t id;
	uint16_t event, value;
	uint8_t payload[64];
	uint32_t len;
};

/* Post one control receive buffer and take the message the device put in it, if any. */
static bool ctrl_recv(struct rig *r, struct msg *m)
{
	uint8_t *b = rxbuf(r, VPLAT_VIRTIO_CONSOLE_CTRL_RXQ, 128, b = (uint8_t *)8);
	void *tok;
	uint32_t len;
	if (vplat_val_vq_get_used(&r->vq[VPLAT_VIRTIO_CONSOLE_CTRL_RXQ], &tok, &len) != 0)
		return false;
	ck_assert_ptr_eq(tok, (void *)8);
	ck_assert_uint_ge(len, 8);
	struct vplat_virtio_console_control h;
	memcpy(&h, b, 8);
	m->id = vplat_le32_to_cpu(h.id);
	m->event = vplat_le16_to_cpu(h.event);
	m->value = vplat_le16_to_cpu(h.value);
	m->len = len - 8;
	memcpy(m->payload, b + 8, m->len);
	return true;
}

static void expect(struct rig *r, uint32_t id, uint16_t event, uint16_t value)
{
	struct msg m;
	ck_assert_msg(ctrl_recv(r, &m), "no control message (wanted event %u)", event);
	ck_assert_uint_eq(m.event, event);
	ck_assert_uint_eq(m.id, id);
	ck_assert_uint_eq(m.value, value);
}

START_TEST(single_port_output_and_input)
{
	struct rig r;
	rig_up(&r, _i, 1, 0);
	ck_assert(!r.multi);
	ck_assert(r.m0.guest_open);
	ck_assert(vplat_console_port_guest_open(&r.con, 0));
	uint8_t pattern[1500];
	for (unsigned i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)(i * 7 + 3);
	uint32_t off = 0;
	static const uint32_t sizes[] = {1, 2, 3, 17, 64, 255, 256, 1000};
	for (unsigned k = 0; k < 8; k++) {
		tx(&r, 1, pattern, sizes[k], (void *)1);
		void *tok;
		ck_assert_int_eq(vplat_val_vq_get_used(&r.vq[1], &tok, NULL), 0);
		ck_assert_mem_eq(r.m0.out + off, pattern, sizes[k]);
		off += sizes[k];
	}
	ck_assert_uint_eq(r.m0.len, off);
	/* Input: nothing posted yet: nothing taken. */
	ck_assert_int_eq(vplat_console_input(&r.con, 0, pattern, 10), 0);
	uint8_t *a = rxbuf(&r, 0, 8, (void *)1), *b = rxbuf(&r, 0, 8, (void *)2);
	ck_assert_uint_ge(r.m0.rx_ready, 1);
	ck_assert_int_eq(vplat_console_input(&r.con, 0, pattern, 20), 16);
	ck_assert_mem_eq(a, pattern, 8);
	ck_assert_mem_eq(b, pattern + 8, 8);
	void *tok;
	uint32_t len;
	ck_assert_int_eq(vplat_val_vq_get_used(&r.vq[0], &tok, &len), 0);
	ck_assert_uint_eq(len, 8);
	ck_assert_int_eq(vplat_console_input(&r.con, 1, pattern, 1), VPLAT_ENOENT);
	ck_assert_uint_eq(vplat_console_stats(&r.con)->rx_bytes, 16);
	rig_down(&r);
}
END_TEST

START_TEST(backpressure_loses_nothing)
{
	/* The host end takes 10 bytes, then would block: the queue is not drained further; when
	 * the host end resumes, the rest arrives in order. */
	struct rig r;
	rig_up(&r, _i, 1, 0);
	r.m0.room = 10;
	uint8_t data[300];
	for (unsigned i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;
	tx(&r, 1, data, 100, (void *)1);
	tx(&r, 1, data + 100, 100, (void *)2);
	tx(&r, 1, data + 200, 100, (void *)3);
	void *tok;
	ck_assert_int_eq(vplat_val_vq_get_used(&r.vq[1], &tok, NULL), VPLAT_EAGAIN);
	ck_assert_uint_eq(r.m0.len, 10);
	for (int step = 0; step < 100 && r.m0.len < 300; step++) {
		r.m0.room = 7;
		vplat_console_resume(&r.con, 0);
	}
	ck_assert_uint_eq(r.m0.len, 300);
	ck_assert_mem_eq(r.m0.out, data, 300);
	for (int i = 1; i <= 3; i++) {
		ck_assert_int_eq(vplat_val_vq_get_used(&r.vq[1], &tok, NULL), 0);
		ck_assert_ptr_eq(tok, (void *)(uintptr_t)i);
	}
	ck_assert_uint_eq(vplat_console_stats(&r.con)->dropped, 0);
	/* A failing host end: the buffer is returned, the bytes are counted as dropped. */
	r.m0.fail = true;
	tx(&r, 1, data, 50, (void *)4);
	ck_assert_int_eq(vplat_val_vq_get_used(&r.vq[1], &tok, NULL), 0);
	ck_assert_uint_eq(vplat_console_stats(&r.con)->dropped, 50);
	rig_down(&r);
}
END_TEST

START_TEST(emerg_write_any_time)
{
	/* Initialization: "MUST allow a write to emerg_wr, even on an unconfigured device". */
	struct rig r;
	struct vplat_console_config c = {.max_ports = 1};
	rig_init(&r, _i, &c);
	vplat_val_config_write(&r.d, EW, 4, 'A'); /* status 0: nothing negotiated */
	vplat_val_add_status(&r.d, VPLAT_VIRTIO_STATUS_ACKNOWLEDGE);
	vplat_val_config_write(&r.d, EW, 4, 0x100 | 'B'); /* low byte only */
	ck_assert_uint_eq(r.m0.nemerg, 2);
	ck_assert_mem_eq(r.m0.emerg, "AB", 2);
	rig_start(&r, _i, VPLAT_BIT(VPLAT_VIRTIO_CONSOLE_F_EMERG_WRITE));
	vplat_val_config_write(&r.d, EW, 4, 'C');
	ck_assert_uint_eq(r.m0.nemerg, 3);
	/* Other config writes do not emit anything. */
	vplat_val_config_write(&r.d, 0, 2, 'x');
	ck_assert_uint_eq(r.m0.nemerg, 3);
	rig_down(&r);
	/* Not offered: ignored. */
	c.no_emerg = true;
	rig_init(&r, _i, &c);
	ck_assert(!(vplat_val_get_device_features(&r.d) &
		    VPLAT_BIT(VPLAT_VIRTIO_CONSOLE_F_EMERG_WRITE)));
	vplat_val_config_write(&r.d, EW, 4, 'D');
	ck_assert_uint_eq(r.m0.nemerg, 0);
	vplat_loopback_fini(&r.lb);
}
END_TEST

START_TEST(config_and_size)
{
	struct rig r;
	rig_up(&r, _i, 3, VPLAT_BIT(VPLAT_VIRTIO_CONSOLE_F_SIZE));
	struct vplat_virtio_console_config k;
	ck_assert_int_eq(vplat_val_config_read_stable(&r.d, 0, &k, sizeof(k), 1000), 0);
	ck_assert_uint_eq(vplat_le16_to_cpu(k.cols), 80);
	ck_assert_uint_eq(vplat_le16_to_cpu(k.rows), 25);
	ck_assert_uint_eq(vplat_le32_to_cpu(k.max_nr_ports), 3);
	uint32_t gen = vplat_val_config_generation(&r.d);
	uint64_t irq = vplat_val_irq_count(&r.d);
	ck_assert_int_eq(vplat_console_resize(&r.con, 0, 132, 43), 0);
	ck_assert_uint_ne(vplat_val_config_generation(&r.d), gen);
	ck_assert_uint_gt(vplat_val_irq_count(&r.d), irq);
	ck_assert_uint_eq(vplat_val_config_read(&r.d, 0, 2), 132);
	ck_assert_uint_eq(vplat_val_config_read(&r.d, 2, 2), 43);
	ck_assert_int_eq(vplat_console_resize(&r.con, 5, 1, 1), VPLAT_ENOENT);
	rig_down(&r);
}
END_TEST

START_TEST(multiport_sequence)
{
	/* DEVICE_READY -> DEVICE_ADD per port; PORT_READY -> CONSOLE_PORT, PORT_NAME, PORT_OPEN;
	 * guest PORT_OPEN; hot add and remove; data on a second port. */
	struct rig r;
	struct vplat_console_config c = {.max_ports = 3};
	rig_init(&r, _i, &c);
	r.m0.room = r.m1.room = r.m2.room = UINT32_MAX;
	ck_assert_int_eq(vplat_console_port_add(&r.con, 1, "org.vplat.one", false,
						&vplat_console_host_mem, &r.m1),
			 0);
	rig_start(&r, _i, VPLAT_BIT(VPLAT_VIRTIO_CONSOLE_F_MULTIPORT));
	ck_assert(r.multi);
	struct msg m;
	ck_assert(!ctrl_recv(&r, &m)); /* nothing before DEVICE_READY */
	ctrl_send(&r, 0, VPLAT_VIRTIO_CONSOLE_DEVICE_READY, 1);
	/* The buffer posted by ctrl_recv above already holds the first message. */
	void *tok;
	uint32_t len;
	ck_assert_int_eq(vplat_val_vq_get_used(&r.vq[2], &tok, &len), 0);
	expect(&r, 1, VPLAT_VIRTIO_CONSOLE_DEVICE_ADD, 0);
	ck_assert(!ctrl_recv(&r, &m));
	ctrl_send(&r, 0, VPLAT_VIRTIO_CONSOLE_PORT_READY, 1);
	ck_assert_int_eq(vplat_val_vq_get_used(&r.vq[2], &tok, &len), 0); /* CONSOLE_PORT(0) */
	expect(&r, 0, VPLAT_VIRTIO_CONSOLE_PORT_OPEN, 1);
	ctrl_send(&r, 1, VPLAT_VIRTIO_CONSOLE_PORT_READY, 1);
	ck_assert(ctrl_recv(&r, &m));
	ck_assert_uint_eq(m.event, VPLAT_VIRTIO_CONSOLE_PORT_NAME);
	ck_assert_uint_eq(m.id, 1);
	ck_assert_uint_eq(m.len, 13);
	ck_assert_mem_eq(m.payload, "org.vplat.one", 13);
	expect(&r, 1, VPLAT_VIRTIO_CONSOLE_PORT_OPEN, 1);
	/* Guest opens port 1; output and input on its queues (4/5). */
	ctrl_send(&r, 1, VPLAT_VIRTIO_CONSOLE_PORT_OPEN, 1);
	ck_assert(r.m1.guest_open);
	ck_assert(vplat_console_port_guest_open(&r.con, 1));
	tx(&r, 5, "hello", 5, (void *)1);
	ck_assert_uint_eq(r.m1.len, 5);
	ck_assert_mem_eq(r.m1.out, "hello", 5);
	uint8_t *in = rxbuf(&r, 4, 16, (void *)1);
	ck_assert_uint_eq(r.m1.rx_ready, 2); /* the PORT_OPEN 1, then the posted buffer */
	ck_assert_int_eq(vplat_console_input(&r.con, 1, (const uint8_t *)"abc", 3), 3);
	ck_assert_mem_eq(in, "abc", 3);
	/* Hot add port 2 (a console), errors for bad ids (Multiport: no existing port, none
	 * >= max_nr_ports). */
	ck_assert_int_eq(vplat_console_port_add(&r.con, 2, NULL, true, &vplat_console_host_mem, &r.m2),
			 0);
	expect(&r, 2, VPLAT_VIRTIO_CONSOLE_DEVICE_ADD, 0);
	ck_assert_int_eq(vplat_console_port_add(&r.con, 2, NULL, false, &vplat_console_host_mem, &r.m2),
			 VPLAT_EEXIST);
	ck_assert_int_eq(vplat_console_port_add(&r.con, 3, NULL, false, &vplat_console_host_mem, &r.m2),
			 VPLAT_ERANGE);
	ck_assert_int_eq(vplat_console_port_add(&r.con, 0, NULL, false, &vplat_console_host_mem, &r.m2),
			 VPLAT_EEXIST);
	ctrl_send(&r, 2, VPLAT_VIRTIO_CONSOLE_PORT_READY, 1);
	expect(&r, 2, VPLAT_VIRTIO_CONSOLE_CONSOLE_PORT, 1);
	expect(&r, 2, VPLAT_VIRTIO_CONSOLE_PORT_OPEN, 1);
	/* Host side closes and reopens port 2. */
	ck_assert_int_eq(vplat_console_port_set_open(&r.con, 2, false), 0);
	expect(&r, 2, VPLAT_VIRTIO_CONSOLE_PORT_OPEN, 0);
	/* Guest closes port 1; then hot remove both. */
	ctrl_send(&r, 1, VPLAT_VIRTIO_CONSOLE_PORT_OPEN, 0);
	ck_assert(!r.m1.guest_open);
	ck_assert_int_eq(vplat_console_port_remove(&r.con, 2), 0);
	expect(&r, 2, VPLAT_VIRTIO_CONSOLE_DEVICE_REMOVE, 0);
	ck_assert_int_eq(vplat_console_port_remove(&r.con, 2), VPLAT_ENOENT);
	ck_assert_int_eq(vplat_console_port_remove(&r.con, 0), VPLAT_EPERM);
	/* Re-add port 2 after removal: a fresh DEVICE_ADD. */
	ck_assert_int_eq(vplat_console_port_add(&r.con, 2, "again", false, &vplat_console_host_mem, &r.m2),
			 0);
	expect(&r, 2, VPLAT_VIRTIO_CONSOLE_DEVICE_ADD, 0);
	ck_assert_uint_eq(vplat_console_stats(&r.con)->ctrl_bad, 0);
	rig_down(&r);
}
END_TEST

START_TEST(remove_unannounced_port_sends_nothing)
{
	/* Multiport: REMOVE only for a port created with DEVICE_ADD. */
	struct rig r;
	struct vplat_console_config c = {.max_ports = 3};
	rig_init(&r, _i, &c);
	rig_start(&r, _i, VPLAT_BIT(VPLAT_VIRTIO_CONSOLE_F_MULTIPORT));
	ck_assert_int_eq(vplat_console_port_add(&r.con, 1, NULL, false, &vplat_console_host_mem, &r.m1),
			 0);
	ck_assert_int_eq(vplat_console_port_remove(&r.con, 1), 0);
	struct msg m;
	ck_assert(!ctrl_recv(&r, &m));
	rig_down(&r);
}
END_TEST

static void resize_order(int variant, enum vplat_console_resize_order order)
{
	struct rig r;
	struct vplat_console_config c = {.max_ports = 2, .resize_order = order};
	rig_init(&r, variant, &c);
	rig_start(&r, variant, VPLAT_BIT(VPLAT_VIRTIO_CONSOLE_F_MULTIPORT) |
				       VPLAT_BIT(VPLAT_VIRTIO_CONSOLE_F_SIZE));
	ctrl_send(&r, 0, VPLAT_VIRTIO_CONSOLE_DEVICE_READY, 1);
	expect(&r, 0, VPLAT_VIRTIO_CONSOLE_DEVICE_ADD, 0);
	ctrl_send(&r, 0, VPLAT_VIRTIO_CONSOLE_PORT_READY, 1);
	expect(&r, 0, VPLAT_VIRTIO_CONSOLE_CONSOLE_PORT, 1);
	expect(&r, 0, VPLAT_VIRTIO_CONSOLE_PORT_OPEN, 1);
	ck_assert_int_eq(vplat_console_resize(&r.con, 0, 100, 30), 0);
	struct msg m;
	ck_assert(ctrl_recv(&r, &m));
	ck_assert_uint_eq(m.event, VPLAT_VIRTIO_CONSOLE_RESIZE);
	ck_assert_uint_eq(m.len, 4);
	uint16_t first = (uint16_t)(m.payload[0] | m.payload[1] << 8);
	uint16_t second = (uint16_t)(m.payload[2] | m.payload[3] << 8);
	if (order == VPLAT_CONSOLE_RESIZE_LINUX) {
		ck_assert_uint_eq(first, 30); /* rows first: what Linux reads */
		ck_assert_uint_eq(second, 100);
	} else {
		ck_assert_uint_eq(first, 100); /* cols first: the spec's struct */
		ck_assert_uint_eq(second, 30);
	}
	/* Config space keeps cols, rows in both modes. */
	ck_assert_uint_eq(vplat_val_config_read(&r.d, 0, 2), 100);
	ck_assert_uint_eq(vplat_val_config_read(&r.d, 2, 2), 30);
	rig_down(&r);
}

START_TEST(resize_linux_order)
{
	resize_order(_i, VPLAT_CONSOLE_RESIZE_LINUX);
}
END_TEST

START_TEST(resize_spec_order)
{
	resize_order(_i, VPLAT_CONSOLE_RESIZE_SPEC);
}
END_TEST

START_TEST(hostile_control_messages)
{
	struct rig r;
	struct vplat_console_config c = {.max_ports = 3};
	rig_init(&r, _i, &c);
	rig_start(&r, _i, VPLAT_BIT(VPLAT_VIRTIO_CONSOLE_F_MULTIPORT));
	/* Short message, unknown event, port out of range, port never announced, value 7. */
	tx(&r, 3, "\0\0\0\0", 4, (void *)1);
	ctrl_send(&r, 0, 99, 1);
	ctrl_send(&r, 1000, VPLAT_VIRTIO_CONSOLE_PORT_READY, 1);
	ctrl_send(&r, 1, VPLAT_VIRTIO_CONSOLE_PORT_READY, 1);
	ctrl_send(&r, 0, VPLAT_VIRTIO_CONSOLE_PORT_OPEN, 7);
	ctrl_send(&r, 0, VPLAT_VIRTIO_CONSOLE_DEVICE_ADD, 0); /* a device-to-driver event */
	ck_assert_uint_ge(vplat_console_stats(&r.con)->ctrl_bad, 5);
	/* A control message in more segments than the device takes (VPLAT_CONSOLE_SEGS) is
	 * returned unread and counted, and the queue goes on. */
	uint64_t bad = vplat_console_stats(&r.con)->ctrl_bad;
	void *t5;
	uint32_t l5 = 99;
	while (vplat_val_vq_get_used(&r.vq[3], &t5, &l5) == 0) /* the messages above */
		;
	struct vplat_val_buf seg[VPLAT_CONSOLE_SEGS + 1];
	for (unsigned k = 0; k < VPLAT_CONSOLE_SEGS + 1; k++)
		seg[k] = (struct vplat_val_buf){.ptr = dma(&r, 1), .len = 1};
	ck_assert_int_eq(vplat_val_vq_add(&r.vq[3], seg, VPLAT_CONSOLE_SEGS + 1, 0, (void *)5), 0);
	vplat_val_vq_kick(&r.vq[3]);
	l5 = 99;
	ck_assert_int_eq(vplat_val_vq_get_used(&r.vq[3], &t5, &l5), 0);
	ck_assert_ptr_eq(t5, (void *)5);
	ck_assert_uint_eq(l5, 0);
	ck_assert_uint_eq(vplat_console_stats(&r.con)->ctrl_bad, bad + 1);
	/* No control receive buffer: messages wait, none is lost. */
	ctrl_send(&r, 0, VPLAT_VIRTIO_CONSOLE_DEVICE_READY, 1);
	for (uint32_t id = 1; id < 3; id++)
		ck_assert_int_eq(vplat_console_port_add(&r.con, id, NULL, false,
							&vplat_console_host_mem, &r.m1),
				 0);
	ck_assert_uint_eq(r.con.npend, 3);
	/* A control receive buffer too short for the header is returned empty, message kept. */
	rxbuf(&r, 2, 4, (void *)7);
	void *tok;
	uint32_t len;
	ck_assert_int_eq(vplat_val_vq_get_used(&r.vq[2], &tok, &len), 0);
	ck_assert_uint_eq(len, 0);
	expect(&r, 0, VPLAT_VIRTIO_CONSOLE_DEVICE_ADD, 0);
	expect(&r, 1, VPLAT_VIRTIO_CONSOLE_DEVICE_ADD, 0);
	expect(&r, 2, VPLAT_VIRTIO_CONSOLE_DEVICE_ADD, 0);
	/* A repeated DEVICE_READY announces nothing twice. */
	ctrl_send(&r, 0, VPLAT_VIRTIO_CONSOLE_DEVICE_READY, 1);
	struct msg m;
	ck_assert(!ctrl_recv(&r, &m));
	/* Reset: the driver starts over, ports stay on the host side and are announced again. */
	for (int q = 0; q < NQ; q++)
		vplat_val_vq_fini(&r.vq[q]);
	memset(r.vq, 0, sizeof(r.vq));
	rig_start(&r, _i, VPLAT_BIT(VPLAT_VIRTIO_CONSOLE_F_MULTIPORT));
	ctrl_send(&r, 0, VPLAT_VIRTIO_CONSOLE_DEVICE_READY, 1);
	expect(&r, 0, VPLAT_VIRTIO_CONSOLE_DEVICE_ADD, 0);
	expect(&r, 1, VPLAT_VIRTIO_CONSOLE_DEVICE_ADD, 0);
	rig_down(&r);
}
END_TEST

START_TEST(init_errors)
{
	struct vplat_console *con = calloc(1, sizeof(*con));
	struct vplat_mem m;
	struct vplat_mem_region reg[1];
	struct vplat_console_mem h = {0};
	vplat_mem_init(&m, reg, 1);
	struct vplat_console_config c = {.max_ports = VPLAT_CONSOLE_MAX_PORTS + 1};
	ck_assert_int_eq(vplat_console_init(con, &m, &c, &vplat_console_host_mem, &h), VPLAT_EINVAL);
	c.max_ports = 2;
	ck_assert_int_eq(vplat_console_init(con, &m, &c, NULL, &h), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_console_init(con, &m, &c, &vplat_console_host_mem, &h), 0);
	char longname[80];
	memset(longname, 'n', sizeof(longname) - 1);
	longname[79] = 0;
	ck_assert_int_eq(vplat_console_port_add(con, 1, longname, false, &vplat_console_host_mem, &h),
			 VPLAT_EINVAL);
	/* the other port calls without a device, a host end or an existing port */
	ck_assert_int_eq(vplat_console_port_add(NULL, 1, NULL, false, &vplat_console_host_mem, &h),
			 VPLAT_EINVAL);
	ck_assert_int_eq(vplat_console_port_add(con, 1, NULL, false, NULL, &h), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_console_port_set_open(NULL, 0, true), VPLAT_ENOENT);
	ck_assert_int_eq(vplat_console_port_set_open(con, 1, true), VPLAT_ENOENT);
	ck_assert_int_eq(vplat_console_port_set_open(con, UINT32_MAX, true), VPLAT_ENOENT);
	ck_assert(!vplat_console_port_guest_open(con, UINT32_MAX));
	ck_assert_int_eq(vplat_console_port_add(con, 1, NULL, false, &vplat_console_host_mem, &h), 0);
	ck_assert_int_eq(vplat_console_port_set_open(con, 1, false), 0);
	free(con);
}
END_TEST

START_TEST(hostile_data_buffers)
{
	/* Driver errors on the data queues (Operation: no device-readable buffer in a receiveq,
	 * no device-writable one in a transmitq): the device never crashes, returns each buffer
	 * once, writes nothing into a readable buffer and reads nothing from a writable one. */
	struct rig r;
	rig_up(&r, _i, 1, 0);
	/* A writable-only buffer on the transmitq: nothing is output, the buffer comes back. */
	uint8_t *w = rxbuf(&r, 1, 16, (void *)1);
	void *tok;
	uint32_t len;
	ck_assert_int_eq(vplat_val_vq_get_used(&r.vq[1], &tok, &len), 0);
	ck_assert_uint_eq(len, 0);
	ck_assert_uint_eq(r.m0.len, 0);
	(void)w;
	/* A readable-only buffer on the receiveq: input skips it (used with 0 bytes). */
	uint8_t *ro = dma(&r, 8);
	memset(ro, 0x11, 8);
	struct vplat_val_buf v = {.ptr = ro, .len = 8};
	ck_assert_int_eq(vplat_val_vq_add(&r.vq[0], &v, 1, 0, (void *)2), 0);
	vplat_val_vq_kick(&r.vq[0]);
	uint8_t *ok = rxbuf(&r, 0, 8, (void *)3);
	ck_assert_int_eq(vplat_console_input(&r.con, 0, (const uint8_t *)"abcdefgh", 8), 8);
	ck_assert_int_eq(vplat_val_vq_get_used(&r.vq[0], &tok, &len), 0);
	ck_assert_ptr_eq(tok, (void *)2);
	ck_assert_uint_eq(len, 0);
	ck_assert_uint_eq(ro[0], 0x11);
	ck_assert_int_eq(vplat_val_vq_get_used(&r.vq[0], &tok, &len), 0);
	ck_assert_uint_eq(len, 8);
	ck_assert_mem_eq(ok, "abcdefgh", 8);
	/* A transmit buffer with more segments than the device takes: returned unread. */
	struct vplat_val_buf many[VPLAT_CONSOLE_SEGS + 2];
	for (unsigned i = 0; i < VPLAT_CONSOLE_SEGS + 2; i++)
		many[i] = (struct vplat_val_buf){.ptr = dma(&r, 1), .len = 1};
	ck_assert_int_eq(vplat_val_vq_add(&r.vq[1], many, VPLAT_CONSOLE_SEGS + 2, 0, (void *)4), 0);
	vplat_val_vq_kick(&r.vq[1]);
	ck_assert_int_eq(vplat_val_vq_get_used(&r.vq[1], &tok, &len), 0);
	ck_assert_ptr_eq(tok, (void *)4);
	/* One more output, then a broken ring (descriptor outside memory): needs reset. */
	tx(&r, 1, "", 1, (void *)5);
	ck_assert_int_eq(vplat_val_vq_get_used(&r.vq[1], &tok, &len), 0);
	uint16_t slot = (_i & 2) ? (uint16_t)(vplat_val_vq_raw_next(&r.vq[1]) & 0x7fff) : 0;
	ck_assert_int_eq(vplat_val_vq_raw_desc(&r.vq[1], slot, 0x10, 4, 0, 0), 0);
	if (_i & 2)
		ck_assert_int_eq(vplat_val_vq_raw_make_avail(&r.vq[1], 1), 0);
	else
		ck_assert_int_eq(vplat_val_vq_raw_avail(&r.vq[1], 0), 0);
	vplat_val_vq_notify(&r.vq[1]);
	ck_assert(vplat_val_get_status(&r.d) & VPLAT_VIRTIO_STATUS_DEVICE_NEEDS_RESET);
	/* Input and resume on a device that needs reset: nothing taken, nothing crashes. */
	ck_assert_int_eq(vplat_console_input(&r.con, 0, (const uint8_t *)"x", 1), 0);
	vplat_console_resume(&r.con, 0);
	for (int q = 0; q < NQ; q++)
		if (r.vq[q].dev)
			r.vq[q].error = 0;
	rig_down(&r);
}
END_TEST

/* ---- requirement tests (tools/spec-index.py: the covers line names what each checks) ---- */

/* Like ctrl_recv, but each buffer is its own token: a buffer left posted by a call that found
 * no message takes the next one, and messages are read in the order the device sent them. */
static bool crecv(struct rig *r, struct msg *m)
{
	uint8_t *b = dma(r, 128);
	struct vplat_val_buf v = {.ptr = b, .len = 128};
	ck_assert_int_eq(vplat_val_vq_add(&r->vq[VPLAT_VIRTIO_CONSOLE_CTRL_RXQ], &v, 0, 1, b), 0);
	vplat_val_vq_kick(&r->vq[VPLAT_VIRTIO_CONSOLE_CTRL_RXQ]);
	void *tok;
	uint32_t len;
	if (vplat_val_vq_get_used(&r->vq[VPLAT_VIRTIO_CONSOLE_CTRL_RXQ], &tok, &len) != 0)
		return false;
	ck_assert_uint_ge(len, 8);
	const uint8_t *u = tok;
	m->id = (uint32_t)u[0] | (uint32_t)u[1] << 8 | (uint32_t)u[2] << 16 | (uint32_t)u[3] << 24;
	m->event = (uint16_t)(u[4] | u[5] << 8);
	m->value = (uint16_t)(u[6] | u[7] << 8);
	m->len = len - 8;
	memcpy(m->payload, u + 8, m->len < sizeof(m->payload) ? m->len : sizeof(m->payload));
	return true;
}

static void cexpect(struct rig *r, uint32_t id, uint16_t event, uint16_t value)
{
	struct msg m;
	ck_assert_msg(crecv(r, &m), "no control message (wanted event %u for port %u)", event, id);
	ck_assert_msg(m.event == event && m.id == id && m.value == value,
		      "got event %u port %u value %u, wanted %u %u %u", m.event, m.id, m.value,
		      event, id, value);
}

START_TEST(config_layout_offsets)
{
	/* covers: VPLAT-CON-004 */
	/* Read byte by byte at fixed offsets (not through the struct): cols at 0, rows at 2,
	 * max_nr_ports at 4, little-endian; a write at offset 8 is emerg_wr. Values above 255 so
	 * that the byte order shows; after a resize of port 0 too. */
	struct rig r;
	struct vplat_console_config c = {.max_ports = 3, .cols = 300, .rows = 260};
	rig_init(&r, _i, &c);
	rig_start(&r, _i, VPLAT_BIT(VPLAT_VIRTIO_CONSOLE_F_SIZE) |
			      VPLAT_BIT(VPLAT_VIRTIO_CONSOLE_F_EMERG_WRITE));
	static const uint8_t want[8] = {300 & 0xff, 300 >> 8, 260 & 0xff, 260 >> 8, 3, 0, 0, 0};
	for (uint32_t off = 0; off < 8; off++)
		ck_assert_msg(vplat_val_config_read(&r.d, off, 1) == want[off], "offset %u", off);
	ck_assert_int_eq(vplat_console_resize(&r.con, 0, 0x1234, 0x0567), 0);
	static const uint8_t want2[4] = {0x34, 0x12, 0x67, 0x05};
	for (uint32_t off = 0; off < 4; off++)
		ck_assert_msg(vplat_val_config_read(&r.d, off, 1) == want2[off], "offset %u", off);
	vplat_val_config_write(&r.d, 8, 4, 'Z');
	ck_assert_uint_eq(r.m0.nemerg, 1);
	ck_assert_uint_eq(r.m0.emerg[0], 'Z');
	rig_down(&r);
}
END_TEST

START_TEST(rx_only_writable_bytes)
{
	/* covers: VPLAT-CON-011 */
	/* Receive side: a receiveq chain with no device-writable byte is returned with used
	 * length 0, its bytes untouched, and takes no input; in a chain with a readable part
	 * first, only the writable part is written. */
	struct rig r;
	rig_up(&r, _i, 1, 0);
	uint8_t *ro = dma(&r, 16), *mix = dma(&r, 24), *w = dma(&r, 8);
	memset(ro, 0x77, 16);
	memset(mix, 0x66, 24);
	struct vplat_val_buf bro = {.ptr = ro, .len = 16};
	ck_assert_int_eq(vplat_val_vq_add(&r.vq[0], &bro, 1, 0, (void *)1), 0);
	struct vplat_val_buf bmix[2] = {{.ptr = mix, .len = 16}, {.ptr = mix + 16, .len = 8}};
	ck_assert_int_eq(vplat_val_vq_add(&r.vq[0], bmix, 1, 1, (void *)2), 0);
	struct vplat_val_buf bw = {.ptr = w, .len = 8};
	ck_assert_int_eq(vplat_val_vq_add(&r.vq[0], &bw, 0, 1, (void *)3), 0);
	vplat_val_vq_kick(&r.vq[0]);
	ck_assert_int_eq(vplat_console_input(&r.con, 0, (const uint8_t *)"abcdefghijklmnopq", 17), 16);
	void *tok;
	uint32_t len;
	ck_assert_int_eq(vplat_val_vq_get_used(&r.vq[0], &tok, &len), 0);
	ck_assert_ptr_eq(tok, (void *)1);
	ck_assert_uint_eq(len, 0);
	for (unsigned k = 0; k < 16; k++)
		ck_assert_uint_eq(ro[k], 0x77);
	ck_assert_int_eq(vplat_val_vq_get_used(&r.vq[0], &tok, &len), 0);
	ck_assert_ptr_eq(tok, (void *)2);
	ck_assert_uint_eq(len, 8);
	for (unsigned k = 0; k < 16; k++)
		ck_assert_uint_eq(mix[k], 0x66);
	ck_assert_mem_eq(mix + 16, "abcdefgh", 8);
	ck_assert_int_eq(vplat_val_vq_get_used(&r.vq[0], &tok, &len), 0);
	ck_assert_ptr_eq(tok, (void *)3);
	ck_assert_mem_eq(w, "ijklmnop", 8);
	rig_down(&r);
}
END_TEST

/* Bring up a MULTIPORT device with ports 0 (console) and, if @p ready1, port 1 ready. */
static void multi_up(struct rig *r, int variant, bool add1, bool console1)
{
	struct vplat_console_config c = {.max_ports = 3, .cols = 80, .rows = 25};
	rig_init(r, variant, &c);
	if (add1)
		ck_assert_int_eq(vplat_console_port_add(&r->con, 1, NULL, console1,
							&vplat_console_host_mem, &r->m1),
				 0);
	rig_start(r, variant, VPLAT_BIT(VPLAT_VIRTIO_CONSOLE_F_MULTIPORT) |
				      VPLAT_BIT(VPLAT_VIRTIO_CONSOLE_F_SIZE));
}

START_TEST(remove_only_added_ports)
{
	/* covers: VPLAT-CON-016 */
	/* DEVICE_REMOVE goes out once for a port a DEVICE_ADD created and not for: a port added
	 * and removed before DEVICE_READY, a port already removed, a port whose DEVICE_ADD a
	 * device reset took back. Every message the device sends is checked. */
	struct rig r;
	multi_up(&r, _i, true, false);
	struct msg m;
	ck_assert_int_eq(vplat_console_port_remove(&r.con, 1), 0); /* never announced */
	ck_assert(!crecv(&r, &m));
	ck_assert_int_eq(vplat_console_port_add(&r.con, 2, NULL, false, &vplat_console_host_mem, &r.m2),
			 0);
	ctrl_send(&r, 0, VPLAT_VIRTIO_CONSOLE_DEVICE_READY, 1);
	cexpect(&r, 0, VPLAT_VIRTIO_CONSOLE_DEVICE_ADD, 0);
	cexpect(&r, 2, VPLAT_VIRTIO_CONSOLE_DEVICE_ADD, 0);
	ck_assert(!crecv(&r, &m)); /* nothing for port 1 */
	ck_assert_int_eq(vplat_console_port_remove(&r.con, 2), 0);
	cexpect(&r, 2, VPLAT_VIRTIO_CONSOLE_DEVICE_REMOVE, 0);
	ck_assert_int_eq(vplat_console_port_remove(&r.con, 2), VPLAT_ENOENT);
	ck_assert_int_eq(vplat_console_port_remove(&r.con, 1), VPLAT_ENOENT);
	ck_assert(!crecv(&r, &m));
	/* added after DEVICE_READY: ADD then REMOVE */
	ck_assert_int_eq(vplat_console_port_add(&r.con, 1, NULL, false, &vplat_console_host_mem, &r.m1),
			 0);
	cexpect(&r, 1, VPLAT_VIRTIO_CONSOLE_DEVICE_ADD, 0);
	/* a reset takes the DEVICE_ADD back: removing the port before the next DEVICE_READY
	 * sends nothing, then or after the new driver's DEVICE_READY */
	for (int q = 0; q < NQ; q++)
		vplat_val_vq_fini(&r.vq[q]);
	memset(r.vq, 0, sizeof(r.vq));
	ck_assert_int_eq(vplat_val_reset(&r.d), 0);
	rig_start(&r, _i, VPLAT_BIT(VPLAT_VIRTIO_CONSOLE_F_MULTIPORT));
	ck_assert_int_eq(vplat_console_port_remove(&r.con, 1), 0);
	ck_assert(!crecv(&r, &m));
	ctrl_send(&r, 0, VPLAT_VIRTIO_CONSOLE_DEVICE_READY, 1);
	cexpect(&r, 0, VPLAT_VIRTIO_CONSOLE_DEVICE_ADD, 0);
	ck_assert(!crecv(&r, &m));
	rig_down(&r);
}
END_TEST

START_TEST(ctrl_backlog_full_refuses)
{
	/* The device keeps at most VPLAT_CONSOLE_CTRL_PENDING control messages the driver has
	 * not taken yet. When that backlog is full a hot add or remove is refused with
	 * VPLAT_ENOSPC (the port stays as it was) instead of overwriting a queued message; once
	 * the driver takes them, every queued message arrives in order and the remove works. */
	struct rig r;
	multi_up(&r, _i, true, false);
	ctrl_send(&r, 0, VPLAT_VIRTIO_CONSOLE_DEVICE_READY, 1); /* DEVICE_ADD 0 and 1 queued */
	uint32_t queued = 2;
	while (queued < VPLAT_CONSOLE_CTRL_PENDING) {
		ck_assert_int_eq(vplat_console_port_add(&r.con, 2, NULL, false,
							&vplat_console_host_mem, &r.m2),
				 0);
		ck_assert_int_eq(vplat_console_port_remove(&r.con, 2), 0);
		queued += 2;
	}
	ck_assert_int_eq(vplat_console_port_add(&r.con, 2, NULL, false, &vplat_console_host_mem, &r.m2),
			 VPLAT_ENOSPC);
	ck_assert_int_eq(vplat_console_port_remove(&r.con, 1), VPLAT_ENOSPC);
	cexpect(&r, 0, VPLAT_VIRTIO_CONSOLE_DEVICE_ADD, 0);
	cexpect(&r, 1, VPLAT_VIRTIO_CONSOLE_DEVICE_ADD, 0);
	for (queued = 2; queued < VPLAT_CONSOLE_CTRL_PENDING; queued += 2) {
		cexpect(&r, 2, VPLAT_VIRTIO_CONSOLE_DEVICE_ADD, 0);
		cexpect(&r, 2, VPLAT_VIRTIO_CONSOLE_DEVICE_REMOVE, 0);
	}
	struct msg m;
	ck_assert(!crecv(&r, &m));
	ck_assert_int_eq(vplat_console_port_remove(&r.con, 1), 0); /* port 1 was still there */
	cexpect(&r, 1, VPLAT_VIRTIO_CONSOLE_DEVICE_REMOVE, 0);
	rig_down(&r);
}
END_TEST

/* DEVICE_READY and PORT_READY for ports 0 and 1 (both with a host end, host side open). */
static void make_ready(struct rig *r, bool console1)
{
	ctrl_send(r, 0, VPLAT_VIRTIO_CONSOLE_DEVICE_READY, 1);
	cexpect(r, 0, VPLAT_VIRTIO_CONSOLE_DEVICE_ADD, 0);
	cexpect(r, 1, VPLAT_VIRTIO_CONSOLE_DEVICE_ADD, 0);
	ctrl_send(r, 0, VPLAT_VIRTIO_CONSOLE_PORT_READY, 1);
	cexpect(r, 0, VPLAT_VIRTIO_CONSOLE_CONSOLE_PORT, 1);
	cexpect(r, 0, VPLAT_VIRTIO_CONSOLE_PORT_OPEN, 1);
	ctrl_send(r, 1, VPLAT_VIRTIO_CONSOLE_PORT_READY, 1);
	if (console1)
		cexpect(r, 1, VPLAT_VIRTIO_CONSOLE_CONSOLE_PORT, 1);
	cexpect(r, 1, VPLAT_VIRTIO_CONSOLE_PORT_OPEN, 1);
	struct msg m;
	ck_assert(!crecv(r, &m));
}

START_TEST(host_open_close_reported)
{
	/* covers: VPLAT-CON-019 */
	/* The host end of a ready port closing and opening is reported with PORT_OPEN 0 and 1,
	 * once per change; before PORT_READY only the state is kept (PORT_READY then reports it). */
	struct rig r;
	multi_up(&r, _i, true, false);
	ck_assert_int_eq(vplat_console_port_set_open(&r.con, 1, false), 0);
	ck_assert_int_eq(vplat_console_port_set_open(&r.con, 1, true), 0);
	make_ready(&r, false);
	struct msg m;
	for (int k = 0; k < 3; k++) {
		ck_assert_int_eq(vplat_console_port_set_open(&r.con, 1, false), 0);
		cexpect(&r, 1, VPLAT_VIRTIO_CONSOLE_PORT_OPEN, 0);
		ck_assert_int_eq(vplat_console_port_set_open(&r.con, 1, false), 0);
		ck_assert(!crecv(&r, &m));
		ck_assert_int_eq(vplat_console_port_set_open(&r.con, 1, true), 0);
		cexpect(&r, 1, VPLAT_VIRTIO_CONSOLE_PORT_OPEN, 1);
	}
	ck_assert_int_eq(vplat_console_port_set_open(&r.con, 0, false), 0);
	cexpect(&r, 0, VPLAT_VIRTIO_CONSOLE_PORT_OPEN, 0);
	ck_assert(!crecv(&r, &m));
	rig_down(&r);
}
END_TEST

START_TEST(closed_port_keeps_input)
{
	/* covers: VPLAT-CON-020 */
	/* A driver PORT_OPEN reaches the host end (guest_open); while the driver has the port
	 * closed, input is not taken (it stays at the host end, the posted buffer untouched) and
	 * the driver opening it calls the host end's rx_ready, after which it is delivered. */
	struct rig r;
	multi_up(&r, _i, true, false);
	make_ready(&r, false);
	ck_assert(!r.m1.guest_open);
	uint8_t *in = rxbuf(&r, 4, 16, (void *)1);
	memset(in, 0x55, 16);
	uint32_t ready = r.m1.rx_ready;
	for (int k = 0; k < 2; k++) {
		ck_assert_int_eq(vplat_console_input(&r.con, 1, (const uint8_t *)"abc", 3), 0);
		void *tok;
		ck_assert_int_eq(vplat_val_vq_get_used(&r.vq[4], &tok, NULL), VPLAT_EAGAIN);
		for (unsigned i = 0; i < 16; i++)
			ck_assert_uint_eq(in[i], 0x55);
		ctrl_send(&r, 1, VPLAT_VIRTIO_CONSOLE_PORT_OPEN, 1);
		ck_assert(r.m1.guest_open);
		ck_assert(vplat_console_port_guest_open(&r.con, 1));
		ck_assert_uint_gt(r.m1.rx_ready, ready);
		ready = r.m1.rx_ready;
		ck_assert_int_eq(vplat_console_input(&r.con, 1, (const uint8_t *)"abc", 3), 3);
		ck_assert_int_eq(vplat_val_vq_get_used(&r.vq[4], &tok, NULL), 0);
		ck_assert_mem_eq(in, "abc", 3);
		in = rxbuf(&r, 4, 16, (void *)1);
		memset(in, 0x55, 16);
		ctrl_send(&r, 1, VPLAT_VIRTIO_CONSOLE_PORT_OPEN, 0);
		ck_assert(!r.m1.guest_open);
	}
	rig_down(&r);
}
END_TEST

/* Take one message; true if it is a RESIZE for @p id of (cols, rows) in Linux order. */
static bool got_resize(struct rig *r, uint32_t id, uint16_t cols, uint16_t rows)
{
	struct msg m;
	if (!crecv(r, &m))
		return false;
	ck_assert_uint_eq(m.event, VPLAT_VIRTIO_CONSOLE_RESIZE);
	ck_assert_uint_eq(m.id, id);
	ck_assert_uint_eq(m.value, 0);
	ck_assert_uint_eq(m.len, 4);
	ck_assert_uint_eq(m.payload[0] | m.payload[1] << 8, rows);
	ck_assert_uint_eq(m.payload[2] | m.payload[3] << 8, cols);
	return true;
}

START_TEST(resize_only_console_ports)
{
	/* covers: VPLAT-CON-026 */
	/* RESIZE (value 0, 4-byte payload) only for a console port and only after its
	 * PORT_READY 1: none before, none for a plain port; every change of a ready console port,
	 * port 0 included, is reported. */
	for (int console1 = 0; console1 < 2; console1++) {
		struct rig r;
		multi_up(&r, _i, true, console1);
		ck_assert_int_eq(vplat_console_resize(&r.con, 0, 100, 30), 0);
		ck_assert_int_eq(vplat_console_resize(&r.con, 1, 101, 31), 0);
		struct msg m;
		ck_assert(!crecv(&r, &m));
		make_ready(&r, console1);
		for (uint16_t k = 0; k < 3; k++) {
			ck_assert_int_eq(vplat_console_resize(&r.con, 0, (uint16_t)(90 + k), 20), 0);
			ck_assert(got_resize(&r, 0, (uint16_t)(90 + k), 20));
			ck_assert_int_eq(vplat_console_resize(&r.con, 1, (uint16_t)(60 + k), 10), 0);
			ck_assert_int_eq(got_resize(&r, 1, (uint16_t)(60 + k), 10), console1);
		}
		ck_assert(!crecv(&r, &m));
		rig_down(&r);
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("console");
	TCase *tc = tcase_create("console");
	tcase_add_loop_test(tc, single_port_output_and_input, 0, 4);
	tcase_add_loop_test(tc, backpressure_loses_nothing, 0, 4);
	tcase_add_loop_test(tc, emerg_write_any_time, 0, 4);
	tcase_add_loop_test(tc, config_and_size, 0, 4);
	tcase_add_loop_test(tc, multiport_sequence, 0, 4);
	tcase_add_loop_test(tc, remove_unannounced_port_sends_nothing, 0, 4);
	tcase_add_loop_test(tc, resize_linux_order, 0, 4);
	tcase_add_loop_test(tc, resize_spec_order, 0, 4);
	tcase_add_loop_test(tc, hostile_control_messages, 0, 4);
	tcase_add_loop_test(tc, hostile_data_buffers, 0, 4);
	tcase_add_test(tc, init_errors);
	tcase_add_loop_test(tc, config_layout_offsets, 0, 4);
	tcase_add_loop_test(tc, rx_only_writable_bytes, 0, 4);
	tcase_add_loop_test(tc, remove_only_added_ports, 0, 4);
	tcase_add_loop_test(tc, ctrl_backlog_full_refuses, 0, 4);
	tcase_add_loop_test(tc, host_open_close_reported, 0, 4);
	tcase_add_loop_test(tc, closed_port_keeps_input, 0, 4);
	tcase_add_loop_test(tc, resize_only_console_ports, 0, 4);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vplat_test_main(suite());
}
