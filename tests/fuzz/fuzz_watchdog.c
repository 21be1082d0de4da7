/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the watchdog device (spec/16-watchdog.md). The input is a script of ping
 * chains with fuzzed readable/writable parts and lengths, configuration writes of any width and
 * offset, clock advances with ticks, pause/resume and resets. Invariants: every chain comes back
 * with used length 0 or 1 (1 only for an all-writable chain, whose first byte is then 1), the
 * timeout stays within [min, max], the pre-timeout below the timeout, at most one expiry per
 * arming, and the device never needs a reset.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "vplat/vplat.h"
#include "vplat/watchdog.h"
#include "vplat/val/val.h"
#include "vplat/val/loopback.h"
#include "fuzz_lb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
	struct vplat_loopback lb;
	struct vplat_watchdog wd;
	struct vplat_val_dev d;
	struct vplat_val_vq vq;
	uint64_t now;
	unsigned expiries;
	uint64_t pings_at_expiry;
};

static uint64_t clk(void *o) { return ((struct fz *)o)->now; }
static void expired(void *o, enum vplat_watchdog_action a)
{
	struct fz *f = o;
	uint64_t pings = vplat_watchdog_stats(&f->wd)->pings;
	(void)a;
	if (f->expiries && pings == f->pings_at_expiry)
		abort(); /* two expiries without a ping in between */
	f->expiries++;
	f->pings_at_expiry = pings;
}
static const struct vplat_watchdog_host_ops ops = {.now_ns = clk, .expired = expired};

struct tok {
	uint8_t *w;
	bool all_writable;
};

static void drain(struct fz *f)
{
	void *t;
	uint32_t len;
	while (vplat_val_vq_get_used(&f->vq, &t, &len) == 0) {
		struct tok *k = t;
		if (len > 1 || (len == 1 && (!k->all_writable || k->w[0] != 1)))
			abort();
	}
}

static void step(struct fz *f, const uint8_t *p, size_t n)
{
	uint64_t gpa;
	switch (p[0] & 7) {
	case 0: case 1: { /* a chain: p[1] readable count, p[2] writable count, p[3] length */
		unsigned nr = p[1] % 3, nw = (n > 2 ? p[2] : 1) % 3;
		uint32_t len = n > 3 ? p[3] % 5 : 1;
		if (nr + nw == 0 || f->vq.num_free < nr + nw)
			return;
		struct vplat_val_buf b[4];
		struct tok *k = vplat_val_alloc(&f->lb.dma, sizeof(*k), 8, &gpa);
		if (!k)
			return;
		k->w = NULL;
		k->all_writable = nr == 0;
		for (unsigned i = 0; i < nr + nw; i++) {
			uint8_t *x = vplat_val_alloc(&f->lb.dma, len ? len : 1, 8, &gpa);
			if (!x)
				return;
			memset(x, 0xee, len ? len : 1);
			b[i] = (struct vplat_val_buf){.ptr = x, .len = len};
			if (i == nr)
				k->w = x;
		}
		vplat_val_vq_add(&f->vq, b, nr, nw, k);
		vplat_val_vq_kick(&f->vq);
		break;
	}
	case 2: case 3: { /* config write: offset p[1], width 1/2/4, value p[2..5] */
		static const unsigned w[] = {1, 2, 4, 4};
		uint32_t v = 0;
		if (n > 5)
			memcpy(&v, p + 2, 4);
		vplat_val_config_write(&f->d, p[1] % 28, w[p[0] >> 6], v);
		break;
	}
	case 4: /* time passes */
		f->now += (uint64_t)(n > 1 ? p[1] : 1) * 250000000u;
		vplat_watchdog_tick(&f->wd, f->now);
		break;
	case 5:
		if (p[0] & 8)
			vplat_watchdog_pause(&f->wd);
		else
			vplat_watchdog_resume(&f->wd, f->now);
		break;
	default:
		drain(f);
		break;
	}
	uint32_t to = (uint32_t)vplat_val_config_read(&f->d, 0, 4);
	uint32_t pre = (uint32_t)vplat_val_config_read(&f->d, 12, 4);
	if (to < 1000 || to > 3600000 || (pre && pre >= to))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz f;
	if (size < 1)
		return 0;
	memset(&f, 0, sizeof(f));
	struct vplat_watchdog_config c = {.features = VPLAT_WATCHDOG_ALL_FEATURES};
	if (fz_lb_init(&f.lb, (data[0] & 0x20) ? VPLAT_LOOPBACK_PCI : VPLAT_LOOPBACK_MMIO,
		       1u << 17) ||
	    vplat_watchdog_init(&f.wd, vplat_loopback_mem(&f.lb), &c, &ops, &f) ||
	    vplat_loopback_attach(&f.lb, vplat_watchdog_device(&f.wd)) ||
	    vplat_loopback_val_init(&f.lb, &f.d))
		abort();
	uint64_t want = VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) | ((uint64_t)(data[0] & 7) << 20);
	if ((want & VPLAT_BIT(21)) && !(want & VPLAT_BIT(20)))
		want |= VPLAT_BIT(20);
	if (data[0] & 0x40)
		want |= VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED);
	if (vplat_val_negotiate(&f.d, want) || vplat_val_vq_setup(&f.d, &f.vq, 0, 8) ||
	    vplat_val_driver_ok(&f.d))
		abort();
	uint64_t mark = vplat_val_mem_mark(&f.lb.dma);
	for (size_t off = 1; off < size;) {
		size_t n = size - off < 6 ? size - off : 6;
		uint8_t chunk[6] = {0}; /* a short last step reads zeros, not past the input */
		memcpy(chunk, data + off, n);
		step(&f, chunk, n);
		if (!f.vq.inflight)
			vplat_val_mem_release(&f.lb.dma, mark);
		off += n;
	}
	drain(&f);
	if (vplat_device_get_status(&f.wd.dev) & VPLAT_VIRTIO_STATUS_DEVICE_NEEDS_RESET)
		abort();
	vplat_val_vq_fini(&f.vq);
	fz_lb_fini(&f.lb);
	return 0;
}
