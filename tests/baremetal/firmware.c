/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vplat on bare metal: four device models (entropy, block on a RAM disk, CAN with an in-image
 * loopback bus node, watchdog), each behind vplat's virtio-mmio transport model, and a minimal
 * split-ring virtio driver in the same image that performs real requests through the
 * registers. Output goes to the semihosting console; the last line is "RESULT: PASS" or
 * "RESULT: FAIL <n>", and the exit status says the same.
 *
 * Fault injection for the negative controls (semihosting command line words):
 *   rng-empty   the entropy source never has bytes (the request must not complete)
 *   blk-fail    the RAM disk fails the next request with an I/O error
 *   can-drop    the loopback bus node loses the frame
 *   wdt-frozen  the watchdog's clock does not advance (no expiry)
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "vplat/blk.h"
#include "vplat/can.h"
#include "vplat/error.h"
#include "vplat/mem.h"
#include "vplat/mmio.h"
#include "vplat/rng.h"
#include "vplat/version.h"
#include "vplat/watchdog.h"
#include "vplat/spec/virtio_blk.h"
#include "vplat/spec/virtio_can.h"
#include "vplat/spec/virtio_config.h"
#include "vplat/spec/virtio_mmio.h"
#include "vplat/spec/virtio_ring.h"
#include "fw.h"

/* Peak stack the whole run may use (painted-stack watermark), start-up and driver included. */
#ifndef FW_STACK_BUDGET
#define FW_STACK_BUDGET 1024u
#endif

/* ---- output ---------------------------------------------------------------------------- */

static char line[160];
static uint32_t line_len;

static void out_s(const char *s)
{
	while (*s && line_len < sizeof(line) - 2)
		line[line_len++] = *s++;
}

static void out_u(uint32_t v)
{
	char b[11];
	int n = 0;
	do {
		b[n++] = (char)('0' + v % 10u);
		v /= 10u;
	} while (v);
	while (n > 0 && line_len < sizeof(line) - 2)
		line[line_len++] = b[--n];
}

static void out_x(uint32_t v, int digits)
{
	static const char hex[] = "0123456789abcdef";
	for (int i = digits - 1; i >= 0; i--)
		if (line_len < sizeof(line) - 2)
			line[line_len++] = hex[(v >> (4 * i)) & 0xfu];
}

static void out_nl(void)
{
	line[line_len++] = '\n';
	line[line_len] = '\0';
	fw_puts(line);
	line_len = 0;
}

static int failures;

static void check(bool ok, const char *what)
{
	out_s(ok ? "  ok   " : "  FAIL ");
	out_s(what);
	out_nl();
	if (!ok)
		failures++;
}

/* ---- fault injection ------------------------------------------------------------------- */

static bool fault_rng_empty, fault_blk_fail, fault_can_drop, fault_wdt_frozen;

static bool word_in(const char *s, const char *w)
{
	size_t n = strlen(w);
	for (const char *p = s; *p; p++)
		if ((p == s || p[-1] == ' ') && !strncmp(p, w, n) && (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

/* ---- guest RAM: identity-mapped, gpa == address ------------------------------------------- */

#define GUEST_RAM_SIZE (64u * 1024u)
static uint8_t guest_ram[GUEST_RAM_SIZE] __attribute__((aligned(4096)));
static uint32_t guest_top;
static struct vplat_mem_region regions[1];
static struct vplat_mem mem;

static void *galloc(uint32_t size, uint32_t align)
{
	uint32_t at = (guest_top + align - 1u) & ~(align - 1u);
	if (at > GUEST_RAM_SIZE || size > GUEST_RAM_SIZE - at)
		return NULL;
	guest_top = at + size;
	memset(&guest_ram[at], 0, size);
	return &guest_ram[at];
}

static uint64_t gpa(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* ---- the driver: virtio-mmio registers, split rings -------------------------------------- */

#define QSIZE 8u

struct drv_vq {
	uint16_t index;
	struct vplat_virtq_desc *desc;
	struct vplat_virtq_avail *avail;
	struct vplat_virtq_used *used;
	uint16_t avail_idx;
	uint16_t last_used;
};

struct drv {
	const char *name;
	struct vplat_mmio mmio;
	uint32_t irqs; /* rising edges of the interrupt line */
	struct drv_vq vq[3];
};

static void drv_irq(void *opaque, bool level)
{
	struct drv *d = opaque;
	if (level)
		d->irqs++;
}

static uint32_t rd(struct drv *d, uint32_t off)
{
	uint64_t v = 0;
	if (vplat_mmio_read(&d->mmio, off, 4, &v) != 0)
		return 0xdeadbeefu;
	return (uint32_t)v;
}

static void wr(struct drv *d, uint32_t off, uint32_t v)
{
	(void)vplat_mmio_write(&d->mmio, off, 4, v);
}

static void barrier(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* Reset, negotiate VERSION_1 (+ @p extra device bits 0..31), set up @p nq queues, DRIVER_OK. */
static bool drv_probe(struct drv *d, uint32_t want_id, uint32_t extra, uint16_t nq)
{
	out_s(d->name);
	out_s(": magic 0x");
	out_x(rd(d, VPLAT_VIRTIO_MMIO_MAGIC_VALUE), 8);
	out_s(" version ");
	out_u(rd(d, VPLAT_VIRTIO_MMIO_VERSION));
	out_s(" device id ");
	out_u(rd(d, VPLAT_VIRTIO_MMIO_DEVICE_ID));
	out_nl();
	if (rd(d, VPLAT_VIRTIO_MMIO_MAGIC_VALUE) != VPLAT_VIRTIO_MMIO_MAGIC ||
	    rd(d, VPLAT_VIRTIO_MMIO_VERSION) != VPLAT_VIRTIO_MMIO_VERSION_MODERN ||
	    rd(d, VPLAT_VIRTIO_MMIO_DEVICE_ID) != want_id)
		return false;
	wr(d, VPLAT_VIRTIO_MMIO_STATUS, 0);
	wr(d, VPLAT_VIRTIO_MMIO_STATUS, VPLAT_VIRTIO_STATUS_ACKNOWLEDGE);
	wr(d, VPLAT_VIRTIO_MMIO_STATUS, VPLAT_VIRTIO_STATUS_ACKNOWLEDGE | VPLAT_VIRTIO_STATUS_DRIVER);
	wr(d, VPLAT_VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	uint32_t lo = rd(d, VPLAT_VIRTIO_MMIO_DEVICE_FEATURES);
	wr(d, VPLAT_VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	uint32_t hi = rd(d, VPLAT_VIRTIO_MMIO_DEVICE_FEATURES);
	if (!(hi & 1u) || (lo & extra) != extra)
		return false;
	wr(d, VPLAT_VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(d, VPLAT_VIRTIO_MMIO_DRIVER_FEATURES, extra);
	wr(d, VPLAT_VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(d, VPLAT_VIRTIO_MMIO_DRIVER_FEATURES, 1u); /* VERSION_1 */
	uint32_t st = VPLAT_VIRTIO_STATUS_ACKNOWLEDGE | VPLAT_VIRTIO_STATUS_DRIVER |
		      VPLAT_VIRTIO_STATUS_FEATURES_OK;
	wr(d, VPLAT_VIRTIO_MMIO_STATUS, st);
	if (!(rd(d, VPLAT_VIRTIO_MMIO_STATUS) & VPLAT_VIRTIO_STATUS_FEATURES_OK))
		return false;
	for (uint16_t q = 0; q < nq; q++) {
		struct drv_vq *v = &d->vq[q];
		wr(d, VPLAT_VIRTIO_MMIO_QUEUE_SEL, q);
		if (rd(d, VPLAT_VIRTIO_MMIO_QUEUE_SIZE_MAX) < QSIZE)
			return false;
		v->index = q;
		v->desc = galloc((uint32_t)VPLAT_VIRTQ_DESC_SIZE(QSIZE), 16);
		v->avail = galloc((uint32_t)VPLAT_VIRTQ_AVAIL_SIZE(QSIZE), 2);
		v->used = galloc((uint32_t)VPLAT_VIRTQ_USED_SIZE(QSIZE), 4);
		if (!v->desc || !v->avail || !v->used)
			return false;
		wr(d, VPLAT_VIRTIO_MMIO_QUEUE_SIZE, QSIZE);
		wr(d, VPLAT_VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)gpa(v->desc));
		wr(d, VPLAT_VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
		wr(d, VPLAT_VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)gpa(v->avail));
		wr(d, VPLAT_VIRTIO_MMIO_QUEUE_DRIVER_HIGH, 0);
		wr(d, VPLAT_VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)gpa(v->used));
		wr(d, VPLAT_VIRTIO_MMIO_QUEUE_DEVICE_HIGH, 0);
		wr(d, VPLAT_VIRTIO_MMIO_QUEUE_READY, 1);
		if (rd(d, VPLAT_VIRTIO_MMIO_QUEUE_READY) != 1u)
			return false;
	}
	wr(d, VPLAT_VIRTIO_MMIO_STATUS, st | VPLAT_VIRTIO_STATUS_DRIVER_OK);
	return rd(d, VPLAT_VIRTIO_MMIO_STATUS) == (st | VPLAT_VIRTIO_STATUS_DRIVER_OK);
}

struct seg {
	void *p;
	uint32_t len;
	bool write; /* device-writable */
};

/* Make a chain of @p n segments (descriptors 0..n-1) available and notify. */
static void drv_submit(struct drv *d, struct drv_vq *v, const struct seg *s, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		v->desc[i].addr = vplat_cpu_to_le64(gpa(s[i].p));
		v->desc[i].len = vplat_cpu_to_le32(s[i].len);
		v->desc[i].flags = vplat_cpu_to_le16((uint16_t)((s[i].write ? VPLAT_VIRTQ_DESC_F_WRITE : 0u) |
								(i + 1u < n ? VPLAT_VIRTQ_DESC_F_NEXT : 0u)));
		v->desc[i].next = vplat_cpu_to_le16((uint16_t)(i + 1u));
	}
	v->avail->ring[v->avail_idx % QSIZE] = vplat_cpu_to_le16(0);
	barrier();
	v->avail_idx++;
	v->avail->idx = vplat_cpu_to_le16(v->avail_idx);
	barrier();
	wr(d, VPLAT_VIRTIO_MMIO_QUEUE_NOTIFY, v->index);
}

/* Collect one used buffer. @return true and its length when there is one. */
static bool drv_used(struct drv *d, struct drv_vq *v, uint32_t *len)
{
	barrier();
	if (vplat_le16_to_cpu(v->used->idx) == v->last_used)
		return false;
	const struct vplat_virtq_used_elem *e = &v->used->ring[v->last_used % QSIZE];
	*len = vplat_le32_to_cpu(e->len);
	v->last_used++;
	uint32_t isr = rd(d, VPLAT_VIRTIO_MMIO_INTERRUPT_STATUS);
	wr(d, VPLAT_VIRTIO_MMIO_INTERRUPT_ACK, isr);
	return vplat_le32_to_cpu(e->id) == 0u;
}

/* ---- entropy: an in-image source (xorshift32; a TRNG driver on real hardware) --------------- */

struct entropy {
	uint32_t state;
	uint32_t delivered;
};

static uint32_t xorshift(uint32_t *s)
{
	uint32_t x = *s;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

static int32_t entropy_read(void *host, uint8_t *buf, uint32_t len)
{
	struct entropy *e = host;
	if (fault_rng_empty)
		return 0;
	for (uint32_t i = 0; i < len; i++)
		buf[i] = (uint8_t)xorshift(&e->state);
	e->delivered += len;
	return (int32_t)len;
}

static const struct vplat_rng_host_ops entropy_ops = {.read = entropy_read};

static void test_rng(void)
{
	static struct vplat_rng rng;
	static struct entropy src = {.state = 0x1234567u};
	static struct drv d = {.name = "rng"};
	fw_puts("--- virtio-rng (entropy)\n");
	int rc = vplat_rng_init(&rng, &mem, &entropy_ops, &src);
	if (rc == 0)
		rc = vplat_mmio_init(&d.mmio, vplat_rng_device(&rng), 0x554d4551u, drv_irq, &d);
	check(rc == 0, "rng: device and transport initialised");
	if (rc != 0 || !drv_probe(&d, VPLAT_VIRTIO_ID_RNG, 0, 1)) {
		check(false, "rng: driver probe");
		return;
	}
	uint8_t *buf = galloc(32, 4);
	struct seg s = {buf, 32, true};
	drv_submit(&d, &d.vq[0], &s, 1);
	uint32_t len = 0;
	bool done = drv_used(&d, &d.vq[0], &len);
	out_s("rng: request of 32 bytes: ");
	out_s(done ? "completed, " : "not completed, ");
	out_u(len);
	out_s(" bytes:");
	for (uint32_t i = 0; i < len && i < 32u; i++) {
		out_s(" ");
		out_x(buf[i], 2);
	}
	out_nl();
	uint32_t ref = 0x1234567u;
	bool same = len == 32u;
	for (uint32_t i = 0; same && i < 32u; i++)
		same = buf[i] == (uint8_t)xorshift(&ref);
	check(done && len == 32u, "rng: request completed with 32 bytes");
	check(same, "rng: bytes are the entropy source's");
	check(d.irqs >= 1u, "rng: used-buffer interrupt raised");
}

/* ---- block device on a RAM disk -------------------------------------------------------- */

#define DISK_SECTORS 64u
static uint8_t disk[DISK_SECTORS * 512u];

static bool blk_io(struct drv *d, uint32_t type, uint64_t sector, uint8_t *data, uint8_t *status)
{
	struct vplat_virtio_blk_req_hdr *h = galloc(sizeof(*h), 8);
	if (!h)
		return false;
	h->type = vplat_cpu_to_le32(type);
	h->sector = vplat_cpu_to_le64(sector);
	*status = 0xffu;
	struct seg s[3] = {{h, sizeof(*h), false},
			   {data, 512u, type == VPLAT_VIRTIO_BLK_T_IN},
			   {status, 1u, true}};
	drv_submit(d, &d->vq[0], s, 3);
	uint32_t len = 0;
	return drv_used(d, &d->vq[0], &len);
}

static void test_blk(void)
{
	static struct vplat_blk blk;
	static struct vplat_blk_req reqs[4];
	static struct vplat_blk_mem ram = {.data = disk, .size = sizeof(disk)};
	static struct drv d = {.name = "blk"};
	fw_puts("--- virtio-blk (RAM disk)\n");
	if (fault_blk_fail)
		ram.fail = 1;
	struct vplat_blk_config cfg = {.capacity = DISK_SECTORS, .queue_size = QSIZE};
	memcpy(cfg.id, "vplat-baremetal", 15);
	int rc = vplat_blk_init(&blk, &mem, &cfg, &vplat_blk_host_mem, &ram, reqs, 4);
	if (rc == 0)
		rc = vplat_mmio_init(&d.mmio, vplat_blk_device(&blk), 0x554d4551u, drv_irq, &d);
	check(rc == 0, "blk: device and transport initialised");
	if (rc != 0 || !drv_probe(&d, VPLAT_VIRTIO_ID_BLOCK, 0, 1)) {
		check(false, "blk: driver probe");
		return;
	}
	uint32_t cap = rd(&d, VPLAT_VIRTIO_MMIO_CONFIG);
	out_s("blk: capacity ");
	out_u(cap);
	out_s(" sectors");
	out_nl();
	check(cap == DISK_SECTORS, "blk: capacity from config space");

	uint8_t *wbuf = galloc(512, 8), *rbuf = galloc(512, 8), *st = galloc(1, 1);
	for (uint32_t i = 0; i < 512u; i++)
		wbuf[i] = (uint8_t)(i * 7u + 3u);
	bool done = blk_io(&d, VPLAT_VIRTIO_BLK_T_OUT, 5, wbuf, st);
	out_s("blk: write sector 5: ");
	out_s(done ? "completed" : "not completed");
	out_s(", status ");
	out_u(*st);
	out_nl();
	check(done && *st == VPLAT_VIRTIO_BLK_S_OK, "blk: write completed with status OK");
	check(memcmp(&disk[5u * 512u], wbuf, 512) == 0, "blk: RAM disk holds the written sector");
	done = blk_io(&d, VPLAT_VIRTIO_BLK_T_IN, 5, rbuf, st);
	out_s("blk: read sector 5: ");
	out_s(done ? "completed" : "not completed");
	out_s(", status ");
	out_u(*st);
	out_s(", first bytes ");
	for (uint32_t i = 0; i < 4u; i++)
		out_x(rbuf[i], 2);
	out_nl();
	check(done && *st == VPLAT_VIRTIO_BLK_S_OK, "blk: read completed with status OK");
	check(memcmp(rbuf, wbuf, 512) == 0, "blk: read returns what was written");
}

/* ---- CAN with a loopback bus node -------------------------------------------------------- */

struct loopback_node {
	struct vplat_can *can;
	bool have;
	struct vplat_can_frame frame;
	uint32_t sent;
};

static int node_send(void *host, const struct vplat_can_frame *f, uint32_t token)
{
	struct loopback_node *n = host;
	(void)token;
	if (n->have)
		return VPLAT_EAGAIN;
	n->sent++;
	if (!fault_can_drop) {
		n->frame = *f;
		n->have = true;
	}
	return 0;
}

/* The bus: deliver what the node sent back to the controller (loopback mode). */
static void node_run(struct loopback_node *n)
{
	if (n->have) {
		n->have = false;
		(void)vplat_can_receive(n->can, &n->frame);
	}
}

static const struct vplat_can_host_ops node_ops = {.send = node_send};

static void test_can(void)
{
	static struct vplat_can can;
	static struct loopback_node node;
	static struct drv d = {.name = "can"};
	fw_puts("--- virtio-can (loopback bus node)\n");
	node.can = &can;
	int rc = vplat_can_init(&can, &mem, VPLAT_BIT(VPLAT_VIRTIO_CAN_F_CAN_CLASSIC), &node_ops,
				&node);
	if (rc == 0)
		rc = vplat_mmio_init(&d.mmio, vplat_can_device(&can), 0x554d4551u, drv_irq, &d);
	check(rc == 0, "can: device and transport initialised");
	if (rc != 0 || !drv_probe(&d, VPLAT_VIRTIO_ID_CAN, 1u << VPLAT_VIRTIO_CAN_F_CAN_CLASSIC, 3)) {
		check(false, "can: driver probe");
		return;
	}
	/* Rx buffer first, then START, then one frame. */
	struct vplat_virtio_can_rx *rx = galloc(sizeof(*rx) + 64u, 4);
	struct seg rs = {rx, (uint32_t)sizeof(*rx) + 64u, true};
	drv_submit(&d, &d.vq[VPLAT_VIRTIO_CAN_RXQ], &rs, 1);

	struct vplat_virtio_can_control_out *co = galloc(sizeof(*co), 2);
	struct vplat_virtio_can_control_in *ci = galloc(sizeof(*ci), 1);
	co->msg_type = vplat_cpu_to_le16(VPLAT_VIRTIO_CAN_SET_CTRL_MODE_START);
	ci->result = 0xffu;
	struct seg cs[2] = {{co, sizeof(*co), false}, {ci, sizeof(*ci), true}};
	drv_submit(&d, &d.vq[VPLAT_VIRTIO_CAN_CONTROLQ], cs, 2);
	uint32_t len = 0;
	bool done = drv_used(&d, &d.vq[VPLAT_VIRTIO_CAN_CONTROLQ], &len);
	check(done && ci->result == VPLAT_VIRTIO_CAN_RESULT_OK, "can: controller started");

	static const uint8_t payload[8] = {0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04};
	struct vplat_virtio_can_tx_out *to = galloc(sizeof(*to) + 8u, 4);
	struct vplat_virtio_can_tx_in *ti = galloc(sizeof(*ti), 1);
	to->msg_type = vplat_cpu_to_le16(VPLAT_VIRTIO_CAN_TX);
	to->length = vplat_cpu_to_le16(8);
	to->can_id = vplat_cpu_to_le32(0x123);
	memcpy(to->sdu, payload, 8);
	ti->result = 0xffu;
	struct seg ts[2] = {{to, (uint32_t)sizeof(*to) + 8u, false}, {ti, sizeof(*ti), true}};
	drv_submit(&d, &d.vq[VPLAT_VIRTIO_CAN_TXQ], ts, 2);
	done = drv_used(&d, &d.vq[VPLAT_VIRTIO_CAN_TXQ], &len);
	out_s("can: tx id 0x123 len 8: ");
	out_s(done ? "completed" : "not completed");
	out_s(", result ");
	out_u(ti->result);
	out_nl();
	check(done && ti->result == VPLAT_VIRTIO_CAN_RESULT_OK, "can: frame sent (result OK)");

	node_run(&node);
	done = drv_used(&d, &d.vq[VPLAT_VIRTIO_CAN_RXQ], &len);
	out_s("can: rx: ");
	out_s(done ? "frame" : "nothing");
	if (done) {
		out_s(" id 0x");
		out_x(vplat_le32_to_cpu(rx->can_id), 3);
		out_s(" len ");
		out_u(vplat_le16_to_cpu(rx->length));
		out_s(" data ");
		for (uint32_t i = 0; i < 8u; i++)
			out_x(rx->sdu[i], 2);
	}
	out_nl();
	check(done && vplat_le16_to_cpu(rx->msg_type) == VPLAT_VIRTIO_CAN_RX &&
		      vplat_le32_to_cpu(rx->can_id) == 0x123u && vplat_le16_to_cpu(rx->length) == 8u &&
		      memcmp(rx->sdu, payload, 8) == 0,
	      "can: the frame came back through the bus into the Rxq");
	check(node.sent == 1u && vplat_can_stats(&can)->tx_ok == 1u, "can: device counted one frame sent");
}

/* ---- watchdog ------------------------------------------------------------------------- */

struct wdt_host {
	uint64_t now;
	uint32_t expiries;
};

static uint64_t wdt_now(void *host)
{
	return ((struct wdt_host *)host)->now;
}

static void wdt_expired(void *host, enum vplat_watchdog_action action)
{
	(void)action;
	((struct wdt_host *)host)->expiries++;
}

static const struct vplat_watchdog_host_ops wdt_ops = {.now_ns = wdt_now, .expired = wdt_expired};

static void test_watchdog(void)
{
	static struct vplat_watchdog wd;
	static struct wdt_host h = {.now = 1000000000u};
	static struct drv d = {.name = "watchdog"};
	fw_puts("--- virtio-watchdog\n");
	int rc = vplat_watchdog_init(&wd, &mem, NULL, &wdt_ops, &h);
	if (rc == 0)
		rc = vplat_mmio_init(&d.mmio, vplat_watchdog_device(&wd), 0x554d4551u, drv_irq, &d);
	check(rc == 0, "watchdog: device and transport initialised");
	if (rc != 0 || !drv_probe(&d, VPLAT_VIRTIO_ID_WATCHDOG, 0, 1)) {
		check(false, "watchdog: driver probe");
		return;
	}
	uint8_t *ping = galloc(1, 1);
	struct seg s = {ping, 1, true};
	drv_submit(&d, &d.vq[0], &s, 1);
	uint32_t len = 0;
	bool done = drv_used(&d, &d.vq[0], &len);
	check(done && len == 1u && *ping == 1u, "watchdog: ping answered");
	check((vplat_watchdog_status(&wd) & VPLAT_VIRTIO_WDT_S_ARMED) != 0u, "watchdog: armed by the ping");
	uint64_t deadline = vplat_watchdog_next_deadline(&wd);
	if (!fault_wdt_frozen)
		h.now += 19u * 1000000000ull;
	vplat_watchdog_tick(&wd, h.now);
	check(h.expiries == 0u, "watchdog: no expiry 19 s after the ping");
	if (!fault_wdt_frozen)
		h.now = deadline;
	vplat_watchdog_tick(&wd, h.now);
	out_s("watchdog: deadline ");
	out_u((uint32_t)(deadline / 1000000u));
	out_s(" ms, expiries ");
	out_u(h.expiries);
	out_nl();
	check(h.expiries == 1u, "watchdog: expired at the 20 s deadline");
}

int fw_main(void)
{
	static char cmd[128];
	int n = fw_cmdline(cmd, sizeof(cmd));
	if (n < 0)
		cmd[0] = '\0';
	fault_rng_empty = word_in(cmd, "rng-empty");
	fault_blk_fail = word_in(cmd, "blk-fail");
	fault_can_drop = word_in(cmd, "can-drop");
	fault_wdt_frozen = word_in(cmd, "wdt-frozen");
	out_s("vplat-baremetal: vplat ");
	out_s(vplat_version());
	out_s(" on " FW_CPU ", command line '");
	out_s(cmd);
	out_s("'");
	out_nl();
	if (vplat_mem_init(&mem, regions, 1) != 0 ||
	    vplat_mem_add(&mem, gpa(guest_ram), GUEST_RAM_SIZE, guest_ram) != 0) {
		fw_puts("RESULT: FAIL guest memory\n");
		return 1;
	}
	test_rng();
	test_blk();
	test_can();
	test_watchdog();
	uint32_t peak = fw_stack_used();
	out_s("stack: peak ");
	out_u(peak);
	out_s(" bytes");
	out_nl();
	check(peak <= FW_STACK_BUDGET, "stack: peak within the budget (FW_STACK_BUDGET bytes)");
	if (failures == 0) {
		fw_puts("RESULT: PASS\n");
		return 0;
	}
	out_s("RESULT: FAIL ");
	out_u((uint32_t)failures);
	out_nl();
	return 1;
}
