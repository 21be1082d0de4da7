/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Block device rate limits measured over intervals (spec VPLAT-BLK-052, VPLAT-FFI-011), driven
 * as a guest would over the loopback backend (virtio-mmio/-pci x split/packed) with an injected
 * clock. A driver keeps 5 reads of 1..4 sectors outstanding for 10 simulated seconds; a host
 * end wrapped around the in-memory one records when each request was started. Checked: over
 * every window of T = 1 s starting at a start, and over the whole run, requests started <=
 * rate x T + burst + 1 and their bytes <= byte rate x T + byte burst + one request (2048 B);
 * at least 95 % of what the binding limit allows went through; every request started once in
 * submission order and completed with S_OK.
 *
 * covers(unit.test_blk_ratelimit): VPLAT-BLK-052 VPLAT-FFI-011
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "vplat/blk.h"
#include "vplat/vplat.h"
#include "vplat/val/val.h"
#include "vplat/val/loopback.h"

#define NS   UINT64_C(1000000000)
#define STEP UINT64_C(100000)
#define QS   16u
#define NOUT 5u /* outstanding requests: 3 descriptors each in a 16-entry queue */
#define MAXR 20000u
#define SECTORS 256u

static uint64_t now_ns;
static uint64_t fake_clock(void *o)
{
	(void)o;
	return now_ns;
}

struct rec {
	uint64_t t[MAXR];
	uint32_t len[MAXR];
	uint64_t off[MAXR];
	uint32_t n;
};
static struct rec *R;
static struct vplat_blk_host_ops rec_ops;

static int rec_submit(void *host, struct vplat_blk_req *req)
{
	if (req->op == VPLAT_BLK_OP_READ && R->n < MAXR) {
		R->t[R->n] = now_ns;
		R->len[R->n] = (uint32_t)req->len;
		R->off[R->n] = req->offset;
		R->n++;
	}
	return vplat_blk_host_mem.submit(host, req);
}

static uint32_t rlen(uint32_t seq)
{
	return (1u + seq % 4u) * 512u;
}

static uint64_t roff(uint32_t seq)
{
	return (uint64_t)(seq % 200u) * 512u;
}

START_TEST(started_within_rate_times_t_plus_burst)
{
	R = calloc(1, sizeof(*R));
	ck_assert_ptr_nonnull(R);
	rec_ops = vplat_blk_host_mem;
	rec_ops.submit = rec_submit;
	struct vplat_loopback lb;
	static struct vplat_blk blk;
	static struct vplat_blk_req reqs[QS];
	struct vplat_blk_mem disk;
	memset(&disk, 0, sizeof(disk)); /* every field the host end reads, not only data and size */
	struct vplat_val_dev d;
	struct vplat_val_vq vq;
	memset(&vq, 0, sizeof(vq));
	ck_assert_int_eq(vplat_loopback_init(&lb, (_i & 1) ? VPLAT_LOOPBACK_PCI : VPLAT_LOOPBACK_MMIO,
					     4u << 20), 0);
	uint8_t *data = calloc(1, SECTORS * 512);
	disk.data = data;
	disk.size = SECTORS * 512;
	struct vplat_blk_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.capacity = SECTORS;
	ck_assert_int_eq(vplat_blk_init(&blk, vplat_loopback_mem(&lb), &cfg, &rec_ops, &disk, reqs, QS), 0);
	ck_assert_int_eq(vplat_loopback_attach(&lb, vplat_blk_device(&blk)), 0);
	ck_assert_int_eq(vplat_loopback_val_init(&lb, &d), 0);
	uint64_t want = VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) |
			((_i & 2) ? VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED) : 0);
	ck_assert_int_eq(vplat_val_negotiate(&d, want), 0);
	ck_assert_int_eq(vplat_val_vq_setup(&d, &vq, 0, QS), 0);
	ck_assert_int_eq(vplat_val_driver_ok(&d), 0);
	struct vplat_val_mem *dm = vplat_loopback_dma(&lb);
	uint8_t *hdr[QS], *buf[QS], *st[QS];
	bool busy[QS] = {false};
	for (unsigned i = 0; i < QS; i++) {
		hdr[i] = vplat_val_alloc(dm, 16, 8, NULL);
		buf[i] = vplat_val_alloc(dm, 2048, 8, NULL);
		st[i] = vplat_val_alloc(dm, 1, 1, NULL);
		ck_assert(hdr[i] && buf[i] && st[i]);
	}
	now_ns = 0;
	/* 500 requests/s (burst 10) and 600 kB/s (burst 8 KiB); mean request 1280 B. */
	struct vplat_ratelimit_config lim = {.ops_rate = 500, .ops_burst = 10,
					     .bytes_rate = 600000, .bytes_burst = 8192};
	ck_assert_int_eq(vplat_blk_set_ratelimit(&blk, &lim, fake_clock, NULL), 0);
	uint32_t seq = 0, bad = 0;
	for (now_ns = 0; now_ns < 10 * NS; now_ns += STEP) {
		void *tok;
		uint32_t len;
		while (vplat_val_vq_get_used(&vq, &tok, &len) == 0) {
			uintptr_t i = (uintptr_t)tok - 1;
			if (i >= QS || !busy[i] || *st[i] != VPLAT_VIRTIO_BLK_S_OK)
				bad++;
			else
				busy[i] = false;
		}
		vplat_blk_resume(&blk, 0);
		for (uintptr_t i = 0; i < NOUT; i++) {
			if (busy[i])
				continue;
			struct vplat_virtio_blk_req_hdr h = {.type = vplat_cpu_to_le32(VPLAT_VIRTIO_BLK_T_IN),
							     .sector = vplat_cpu_to_le64(roff(seq) / 512)};
			memcpy(hdr[i], &h, 16);
			*st[i] = 0xee;
			struct vplat_val_buf b[3] = {{.ptr = hdr[i], .len = 16},
						     {.ptr = buf[i], .len = rlen(seq)},
						     {.ptr = st[i], .len = 1}};
			ck_assert_int_eq(vplat_val_vq_add(&vq, b, 1, 2, (void *)(i + 1)), 0);
			busy[i] = true;
			seq++;
			vplat_val_vq_kick(&vq);
		}
	}
	ck_assert_uint_eq(bad, 0);
	uint32_t n = R->n;
	uint64_t ops_max = lim.ops_rate + lim.ops_burst + 1;
	uint64_t bytes_max = lim.bytes_rate + lim.bytes_burst + 2048;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t ops = 0, bytes = 0;
		for (uint32_t j = i; j < n && R->t[j] < R->t[i] + NS; j++)
			ops++, bytes += R->len[j];
		ck_assert_msg(ops <= ops_max, "%llu requests in 1 s from request %u (bound %llu)",
			      (unsigned long long)ops, i, (unsigned long long)ops_max);
		ck_assert_msg(bytes <= bytes_max, "%llu bytes in 1 s from request %u (bound %llu)",
			      (unsigned long long)bytes, i, (unsigned long long)bytes_max);
	}
	ck_assert_uint_le(n, 10 * lim.ops_rate + lim.ops_burst + 1);
	uint64_t allowed = 10 * lim.bytes_rate / 1280;
	ck_assert_msg((uint64_t)n * 100 >= allowed * 95, "only %u requests in 10 s (~%llu allowed)", n,
		      (unsigned long long)allowed);
	for (uint32_t i = 0; i < n; i++) { /* submission order: request i is the i-th posted */
		ck_assert_uint_eq(R->len[i], rlen(i));
		ck_assert_uint_eq(R->off[i], roff(i));
	}
	ck_assert_uint_eq(lb.access_errors, 0);
	printf("blk limit: %u requests started in 10 s at 500/s + 10, 600 kB/s + 8 KiB\n", n);
	vplat_val_vq_fini(&vq);
	vplat_loopback_fini(&lb);
	free(data);
	free(R);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("blk_ratelimit");
	TCase *tc = tcase_create("limits");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, started_within_rate_times_t_plus_burst, 0, 4);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vplat_test_main(suite());
}
