/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Work per call of every virtio device in lib/devices under hostile rings (issue 19,
 * docs/workbound.md): the driver-to-device queues of block, console (port transmitq and
 * control transmitq), network (transmitq and control queue), GPIO, CAN and watchdog, each
 * attacked three ways in one vplat_device_kick():
 *
 *   full    Q avail entries, all naming the same chain of Q descriptors (the most ring
 *           descriptors a driver can make a device walk: Q x Q);
 *   beyond  an avail index 0x8000 ahead of the device (more entries than the queue holds);
 *   race    a driver that republishes one entry after every chain the device takes (another
 *           vCPU), R times.
 *
 * Counted: chains taken (vplat_vq::track POP events, the core's hook), chains answered (used
 * index), host-end calls (counting host ends wrapping the in-memory ones), bytes the host end
 * was handed. Checked against the formulas of docs/workbound.md for queue size Q.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "vplat/blk.h"
#include "vplat/can.h"
#include "vplat/console.h"
#include "vplat/gpio.h"
#include "vplat/net.h"
#include "vplat/watchdog.h"
#include "vplat/error.h"
#include "vplat/val/mock.h"
#include "vplat/spec/virtio_config.h"
#include "vplat/spec/virtio_ring.h"
#include "vplat/spec/virtio_can.h"
#include "vplat/spec/virtio_console.h"
#include "vplat/spec/virtio_gpio.h"
#include "vplat/spec/virtio_net.h"

#define GPA     UINT64_C(0x40000000)
#define MEMSIZE (2u << 20)
#define QSTRIDE 0x10000u /* queue i: desc at i*QSTRIDE, driver +0x4000, device +0x8000 */
#define BUF     (GPA + 0x100000) /* every writable descriptor */
#define BUF_R   (GPA + 0x180000) /* the readable ones: a valid request header */

enum dev_kind { D_BLK, D_CONSOLE, D_CONSOLE_CTRL, D_NET_TX, D_NET_CTRL, D_GPIO, D_CAN, D_WDT };

struct wbd {
	uint8_t *mem;
	struct vplat_mem_region regions[1];
	struct vplat_mem map;
	struct vplat_device *dev;
	uint16_t qi;     /* queue under attack */
	uint16_t q;      /* its size */
	uint64_t pops;   /* chains taken (track POP) */
	uint64_t host;   /* host-end calls */
	uint64_t hbytes; /* bytes handed to the host end */
	uint32_t race;   /* entries still to republish, one per chain taken */
	uint16_t avail;  /* avail idx published so far */
	uint32_t seglen; /* bytes per descriptor of the attack chain */
	/* devices and their host ends */
	struct vplat_blk blk;
	struct vplat_blk_req reqs[4];
	struct vplat_blk_mem disk;
	uint8_t disk_data[1u << 16];
	struct vplat_console con;
	struct vplat_console_mem cmem;
	struct vplat_net net;
	struct vplat_net_mock nmock;
	struct vplat_gpio gpio;
	struct vplat_gpio_line lines[8];
	struct vplat_can can;
	struct vplat_watchdog wdt;
};

static struct wbd *cur; /* host ends reach the fixture through it */

/* --- counting host ends ---------------------------------------------------------------- */

static int cnt_blk_submit(void *h, struct vplat_blk_req *r)
{
	cur->host++;
	return vplat_blk_host_mem.submit(h, r);
}

static int32_t cnt_con_write(void *h, uint32_t port, const uint8_t *buf, uint32_t len)
{
	cur->host++;
	cur->hbytes += len;
	(void)h, (void)port, (void)buf;
	return (int32_t)len;
}

static int cnt_net_tx(void *h, const struct vplat_virtio_net_hdr *hdr, const uint8_t *f, size_t len)
{
	cur->host++;
	cur->hbytes += len;
	return vplat_net_host_mock.tx(h, hdr, f, len);
}

static int cnt_gpio_dir(void *h, uint16_t l, uint8_t d, uint8_t v)
{
	(void)h, (void)l, (void)d, (void)v;
	cur->host++;
	return 0;
}

static int cnt_gpio_get(void *h, uint16_t l, uint8_t *v)
{
	(void)h, (void)l;
	cur->host++;
	*v = 0;
	return 0;
}

static int cnt_gpio_set(void *h, uint16_t l, uint8_t v)
{
	(void)h, (void)l, (void)v;
	cur->host++;
	return 0;
}

static int cnt_can_send(void *h, const struct vplat_can_frame *f, uint32_t token)
{
	(void)h, (void)f, (void)token;
	cur->host++;
	return 0;
}

static uint64_t cnt_wdt_now(void *h)
{
	(void)h;
	cur->host++;
	return 0;
}

static struct vplat_blk_host_ops blk_ops;
static struct vplat_console_host_ops con_ops;
static struct vplat_net_host_ops net_ops;
static const struct vplat_gpio_host_ops gpio_ops = {
    .set_direction = cnt_gpio_dir, .get_value = cnt_gpio_get, .set_value = cnt_gpio_set};
static const struct vplat_can_host_ops can_ops = {.send = cnt_can_send};
static const struct vplat_watchdog_host_ops wdt_ops = {.now_ns = cnt_wdt_now};

/* --- the fixture ----------------------------------------------------------------------- */

static void *gptr(struct wbd *w, uint64_t gpa)
{
	return w->mem + (gpa - GPA);
}

static uint64_t qbase(uint16_t i)
{
	return GPA + (uint64_t)i * QSTRIDE;
}

/* The core's per-ring hook: count every chain taken; a racing driver publishes one more. */
static void track(struct vplat_vq *vq, int event, const struct vplat_chain *c)
{
	(void)c;
	if (event != VPLAT_VQ_TRACK_POP || vq->index != cur->qi)
		return;
	cur->pops++;
	if (cur->race) {
		struct vplat_virtq_avail *a = gptr(cur, qbase(cur->qi) + 0x4000);
		a->ring[cur->avail % cur->q] = 0;
		cur->avail++;
		__atomic_store_n(&a->idx, vplat_cpu_to_le16(cur->avail), __ATOMIC_RELEASE);
		cur->race--;
	}
}

static void make_device(struct wbd *w, enum dev_kind k, uint64_t *features)
{
	*features = VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1);
	switch (k) {
	case D_BLK: {
		struct vplat_blk_config c = {.capacity = sizeof(w->disk_data) / 512};
		w->disk.data = w->disk_data;
		w->disk.size = sizeof(w->disk_data);
		blk_ops = vplat_blk_host_mem;
		blk_ops.submit = cnt_blk_submit;
		ck_assert_int_eq(vplat_blk_init(&w->blk, &w->map, &c, &blk_ops, &w->disk, w->reqs, 4),
				 0);
		w->dev = vplat_blk_device(&w->blk);
		w->qi = 0;
		break;
	}
	case D_CONSOLE:
	case D_CONSOLE_CTRL: {
		struct vplat_console_config c = {.max_ports = k == D_CONSOLE ? 1 : 2};
		w->cmem.room = UINT32_MAX;
		con_ops = vplat_console_host_mem;
		con_ops.write = cnt_con_write;
		ck_assert_int_eq(vplat_console_init(&w->con, &w->map, &c, &con_ops, &w->cmem), 0);
		w->dev = vplat_console_device(&w->con);
		if (k == D_CONSOLE_CTRL)
			*features |= VPLAT_BIT(VPLAT_VIRTIO_CONSOLE_F_MULTIPORT);
		w->qi = k == D_CONSOLE ? 1 : 3;
		break;
	}
	case D_NET_TX:
	case D_NET_CTRL: {
		struct vplat_net_config c = {.pairs = 1, .ctrl = true};
		net_ops = vplat_net_host_mock;
		net_ops.tx = cnt_net_tx;
		ck_assert_int_eq(vplat_net_init(&w->net, &w->map, &c, &net_ops, &w->nmock), 0);
		w->dev = vplat_net_device(&w->net);
		*features |= VPLAT_BIT(VPLAT_VIRTIO_NET_F_CTRL_VQ);
		w->qi = k == D_NET_TX ? 1 : 2;
		break;
	}
	case D_GPIO:
		ck_assert_int_eq(vplat_gpio_init(&w->gpio, &w->map, w->lines, 8, NULL, 0, &gpio_ops,
						 w),
				 0);
		w->dev = vplat_gpio_device(&w->gpio);
		w->qi = 0;
		break;
	case D_CAN:
		ck_assert_int_eq(vplat_can_init(&w->can, &w->map,
						VPLAT_BIT(VPLAT_VIRTIO_CAN_F_CAN_CLASSIC), &can_ops,
						w),
				 0);
		w->dev = vplat_can_device(&w->can);
		*features |= VPLAT_BIT(VPLAT_VIRTIO_CAN_F_CAN_CLASSIC);
		w->qi = VPLAT_VIRTIO_CAN_TXQ;
		break;
	case D_WDT: {
		struct vplat_watchdog_config c = {.features = VPLAT_WATCHDOG_ALL_FEATURES};
		ck_assert_int_eq(vplat_watchdog_init(&w->wdt, &w->map, &c, &wdt_ops, w), 0);
		w->dev = vplat_watchdog_device(&w->wdt);
		w->qi = 0;
		break;
	}
	}
}

/* A request chain: the first descriptor readable (@first_len bytes of @hdr), then
 * @seglen-byte descriptors, writable unless @all_readable, the last writable one @last_len. */
struct shape {
	uint8_t hdr[16];
	uint32_t first_len, seglen, last_len;
	bool all_readable;
};

static struct shape shape(enum dev_kind k)
{
	struct shape s = {.first_len = 16, .seglen = 512, .last_len = 1};
	switch (k) {
	case D_BLK: /* VIRTIO_BLK_T_IN of sector 0 (zeros), data, status byte */
		s.seglen = 256;
		break;
	case D_CONSOLE: /* output bytes */
	case D_NET_TX:  /* virtio_net_hdr (zeros) + frame */
		s.all_readable = true;
		s.first_len = 12;
		s.seglen = 64;
		break;
	case D_GPIO: /* GET_VALUE of line 0; response {status, value} */
		s.hdr[0] = VPLAT_VIRTIO_GPIO_MSG_GET_VALUE;
		s.first_len = 8;
		s.seglen = 2;
		s.last_len = 2;
		break;
	default: /* header of zeros */
		break;
	}
	return s;
}

/* Device @k at DRIVER_OK, every queue enabled with size min(@q, its maximum). */
static struct wbd *wbd_up(enum dev_kind k, uint16_t q)
{
	struct wbd *w = calloc(1, sizeof(*w));
	ck_assert_ptr_nonnull(w);
	cur = w;
	w->mem = calloc(1, MEMSIZE);
	ck_assert_ptr_nonnull(w->mem);
	ck_assert_int_eq(vplat_mem_init(&w->map, w->regions, 1), 0);
	ck_assert_int_eq(vplat_mem_add(&w->map, GPA, MEMSIZE, w->mem), 0);
	uint64_t f;
	make_device(w, k, &f);
	struct vplat_device *dev = w->dev;
	const uint8_t AD = VPLAT_VIRTIO_STATUS_ACKNOWLEDGE | VPLAT_VIRTIO_STATUS_DRIVER;
	ck_assert_int_eq(vplat_device_set_status(dev, AD), 0);
	vplat_device_set_driver_features64(dev, f);
	ck_assert_int_eq(vplat_device_set_status(dev, AD | VPLAT_VIRTIO_STATUS_FEATURES_OK), 0);
	ck_assert(vplat_device_get_status(dev) & VPLAT_VIRTIO_STATUS_FEATURES_OK);
	for (uint16_t i = 0; i < dev->nvqs; i++) {
		struct vplat_vq *vq = vplat_device_vq(dev, i);
		if (!vq || vq->size_max == 0)
			continue;
		vq->size = q < vq->size_max ? q : vq->size_max;
		vq->desc_addr = qbase(i);
		vq->driver_addr = qbase(i) + 0x4000;
		vq->device_addr = qbase(i) + 0x8000;
		ck_assert_int_eq(vplat_device_queue_enable(dev, i), 0);
	}
	ck_assert_int_eq(vplat_device_set_status(dev, AD | VPLAT_VIRTIO_STATUS_FEATURES_OK |
							      VPLAT_VIRTIO_STATUS_DRIVER_OK),
			 0);
	struct vplat_vq *vq = vplat_device_vq(dev, w->qi);
	ck_assert_ptr_nonnull(vq);
	ck_assert(vq->live);
	w->q = vq->size;
	vq->track = track;
	/* The chain every avail entry names: Q descriptors; a valid request of the device
	 * (shape()) where the queue size allows, so that the host end is really called. */
	struct shape sh = shape(k);
	memcpy(gptr(w, BUF_R), sh.hdr, sizeof(sh.hdr));
	struct vplat_virtq_desc *t = gptr(w, qbase(w->qi));
	for (uint16_t i = 0; i < w->q; i++) {
		bool last = i + 1u == w->q;
		bool wr = !sh.all_readable && i > 0;
		uint32_t len = i == 0 ? sh.first_len : last && wr ? sh.last_len : sh.seglen;
		t[i].addr = vplat_cpu_to_le64(wr ? BUF : BUF_R);
		t[i].len = vplat_cpu_to_le32(len);
		t[i].flags = vplat_cpu_to_le16((uint16_t)((wr ? VPLAT_VIRTQ_DESC_F_WRITE : 0u) |
							  (last ? 0u : VPLAT_VIRTQ_DESC_F_NEXT)));
		t[i].next = vplat_cpu_to_le16((uint16_t)(i + 1u));
	}
	w->seglen = sh.seglen;
	return w;
}

/* VPLAT_TEST_VERBOSE=1: print what each attack did (the numbers of docs/workbound.md). */
static void report(const struct wbd *w, const char *what, const char *name, uint16_t used)
{
	if (getenv("VPLAT_TEST_VERBOSE"))
		fprintf(stderr, "%-12s %-7s Q=%-4u taken=%-6llu used=%-6u host=%-6llu bytes=%-8llu "
			"needs_reset=%d\n", name, what, w->q, (unsigned long long)w->pops, used,
			(unsigned long long)w->host, (unsigned long long)w->hbytes,
			(vplat_device_get_status(w->dev) & VPLAT_VIRTIO_STATUS_DEVICE_NEEDS_RESET) != 0);
}

static void wbd_down(struct wbd *w)
{
	cur = NULL;
	free(w->mem);
	free(w);
}

/* Publish @n avail entries (all head 0), kick once; returns the used index after it. */
static uint16_t publish_and_kick(struct wbd *w, uint16_t n)
{
	struct vplat_virtq_avail *a = gptr(w, qbase(w->qi) + 0x4000);
	for (uint16_t i = 0; i < n && i < w->q; i++)
		a->ring[i] = 0;
	w->avail = n;
	__atomic_store_n(&a->idx, vplat_cpu_to_le16(n), __ATOMIC_RELEASE);
	vplat_device_kick(w->dev, w->qi, 0);
	const struct vplat_virtq_used *u = gptr(w, qbase(w->qi) + 0x8000);
	return vplat_le16_to_cpu(__atomic_load_n(&u->idx, __ATOMIC_ACQUIRE));
}

static bool needs_reset(const struct wbd *w)
{
	return vplat_device_get_status(w->dev) & VPLAT_VIRTIO_STATUS_DEVICE_NEEDS_RESET;
}

/* Host-end calls one chain may cause (docs/workbound.md, "host calls per chain"). */
static uint64_t host_per_chain(enum dev_kind k)
{
	switch (k) {
	case D_CONSOLE:
		return VPLAT_CONSOLE_SEGS; /* one write per segment */
	case D_WDT:
		return 2; /* the clock, at most twice per request */
	default:
		return 1;
	}
}

static const char *const names[] = {"blk", "console", "console-ctrl", "net-tx",
				    "net-ctrl", "gpio", "can", "watchdog"};

/* _i: device kind in bits 0-3, bit 4 = the device's maximum queue size (else 16). */
START_TEST(full_queue_of_longest_chains)
{
	enum dev_kind k = (enum dev_kind)(_i & 15);
	struct wbd *w = wbd_up(k, (_i & 16) ? 0xffff : 16);
	uint16_t q = w->q;
	uint16_t used = publish_and_kick(w, q);
	report(w, "full", names[k], used);
	/* chains taken <= Q; answered <= taken; host calls and bytes bounded by them */
	ck_assert_msg(w->pops <= q, "%s: %llu chains taken, Q = %u", names[k],
		      (unsigned long long)w->pops, q);
	ck_assert_uint_le(used, w->pops);
	ck_assert_msg(w->host <= w->pops * host_per_chain(k), "%s: %llu host calls for %llu chains",
		      names[k], (unsigned long long)w->host, (unsigned long long)w->pops);
	ck_assert_uint_le(w->hbytes, w->pops * (uint64_t)q * 512u);
	/* and something was served: the attack reached the device's loop */
	ck_assert_uint_ge(w->pops, 1);
	wbd_down(w);
}
END_TEST

START_TEST(avail_index_beyond_queue)
{
	enum dev_kind k = (enum dev_kind)(_i & 15);
	struct wbd *w = wbd_up(k, 16);
	uint16_t used = publish_and_kick(w, 0x8000);
	report(w, "beyond", names[k], used);
	ck_assert_uint_le(w->pops, w->q);
	ck_assert_uint_le(used, w->q);
	ck_assert_msg(needs_reset(w), "%s: ring with 0x8000 new entries not refused", names[k]);
	wbd_down(w);
}
END_TEST

START_TEST(racing_driver)
{
	/* R = 10000 entries published during the call (one per chain taken). Every dispatch
	 * call takes at most min(budget, Q) chains (VPLAT-FFI-013; the core's budget, Q by
	 * default) and says it left work; the embedder's vplat_device_dispatch() calls serve the
	 * rest, again at most Q each, until all Q + R are taken (docs/workbound.md). */
	enum dev_kind k = (enum dev_kind)(_i & 15);
	struct wbd *w = wbd_up(k, 16);
	const uint32_t r = 10000;
	w->race = r;
	uint16_t used = publish_and_kick(w, w->q);
	report(w, "race", names[k], used);
	ck_assert_msg(w->pops <= w->q, "%s: %llu chains in one call, Q = %u", names[k],
		      (unsigned long long)w->pops, w->q);
	ck_assert_msg(vplat_device_has_more(w->dev), "%s: the kick left work but says none",
		      names[k]);
	uint64_t calls = 0, before;
	do {
		before = w->pops;
		calls++;
		ck_assert_msg(calls <= 2u * (r / w->q) + 4u, "%s: %llu dispatch calls", names[k],
			      (unsigned long long)calls);
		(void)vplat_device_dispatch(w->dev);
		ck_assert_msg(w->pops - before <= w->q, "%s: %llu chains in one dispatch, Q = %u",
			      names[k], (unsigned long long)(w->pops - before), w->q);
	} while (vplat_device_has_more(w->dev));
	ck_assert_msg(w->pops == (uint64_t)w->q + r, "%s: %llu of %llu chains taken in the end",
		      names[k], (unsigned long long)w->pops, (unsigned long long)w->q + r);
	ck_assert_uint_le(w->host, w->pops * host_per_chain(k));
	if (getenv("VPLAT_TEST_VERBOSE"))
		printf("race %-12s %llu chains in 1 kick + %llu dispatch calls\n", names[k],
		       (unsigned long long)w->pops, (unsigned long long)calls);
	wbd_down(w);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("workbound_devices");
	TCase *tc = tcase_create("devices");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, full_queue_of_longest_chains, 0, D_WDT + 1);
	tcase_add_loop_test(tc, full_queue_of_longest_chains, 16, 16 + D_WDT + 1);
	tcase_add_loop_test(tc, avail_index_beyond_queue, 0, D_WDT + 1);
	tcase_add_loop_test(tc, racing_driver, 0, D_WDT + 1);
	suite_add_tcase(s, tc);
	return vplat_test_main(s);
}
