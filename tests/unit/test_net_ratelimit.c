/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Transmit rate limits of the network device (spec VPLAT-NET-081, VPLAT-FFI-010/011), driven
 * as a guest would over the loopback backend (virtio-mmio/-pci x split/packed), with an
 * injected clock (no sleeps, no wall-clock assertions). A driver keeps the 64-entry transmitq
 * full for 10 simulated seconds; the host end records when each frame left. Checked:
 *   - over every window of T = 1 s starting at a transmission, and over the whole 10 s, the
 *     frames admitted are <= rate x T + burst + 1 and their bytes <= byte rate x T + byte
 *     burst + one frame (VPLAT-FFI-011's bound, exact: counts, not timings);
 *   - the limit is not a starvation: at least 95 % of rate x T went out;
 *   - every frame went out once, in order, completed normally (no error, no reset);
 *   - raised and then removed at run time without a reset (VPLAT-FFI-010).
 *
 * covers(unit.test_net_ratelimit): VPLAT-FFI-010 VPLAT-FFI-011 VPLAT-NET-081
 */
#include <stdio.h>
#include "testutil.h"
#include "netdrv.h"
#include "vplat/error.h"
#include "vplat/ratelimit.h"

#define NS   UINT64_C(1000000000)
#define STEP UINT64_C(100000) /* 100 us */
#define QS   64u
#define MAXF 40000u

static uint64_t now_ns;
static uint64_t fake_clock(void *o)
{
	(void)o;
	return now_ns;
}

struct sent {
	uint64_t t[MAXF];
	uint32_t len[MAXF];
	uint32_t seq[MAXF];
	uint32_t n;
};
static struct sent *S;

static int rec_tx(void *host, const struct vplat_virtio_net_hdr *hdr, const uint8_t *frame, size_t len)
{
	(void)host, (void)hdr;
	const uint8_t *f = frame;
	if (S->n < MAXF) {
		S->t[S->n] = now_ns;
		S->len[S->n] = (uint32_t)len;
		S->seq[S->n] = (uint32_t)f[14] | (uint32_t)f[15] << 8 | (uint32_t)f[16] << 16;
		S->n++;
	}
	return 0;
}
static const struct vplat_net_host_ops rec_ops = {.tx = rec_tx};

struct drv {
	struct netdrv n;
	uint8_t *buf[QS];
	bool busy[QS];
	uint32_t next_seq;
	uint32_t bad_used;
};

static size_t flen(uint32_t seq)
{
	return 60 + (seq * 37u) % 240u; /* 60..299 bytes */
}

/* Fill free slots with new frames, reap completions, call resume when the limiter says so. */
static void drive(struct drv *d)
{
	struct vplat_val_vq *vq = &d->n.vq[1];
	void *tok;
	uint32_t len;
	while (vplat_val_vq_get_used(vq, &tok, &len) == 0) {
		uintptr_t i = (uintptr_t)tok - 1;
		if (i >= QS || !d->busy[i] || len != 0)
			d->bad_used++;
		else
			d->busy[i] = false;
	}
	uint64_t until = vplat_net_throttle_until(&d->n.net);
	if (until && until <= now_ns)
		vplat_net_tx_resume(&d->n.net);
	for (uintptr_t i = 0; i < QS; i++) {
		if (d->busy[i])
			continue;
		uint32_t seq = d->next_seq++;
		size_t l = flen(seq);
		uint8_t *b = d->buf[i];
		memset(b, 0, VPLAT_VIRTIO_NET_HDR_SIZE);
		uint8_t *f = b + VPLAT_VIRTIO_NET_HDR_SIZE;
		memset(f, 0xff, 6);
		memset(f + 6, 0x02, 6);
		f[12] = 0x88, f[13] = 0xb5;
		f[14] = (uint8_t)seq, f[15] = (uint8_t)(seq >> 8), f[16] = (uint8_t)(seq >> 16);
		memset(f + 17, 0x5a, l - 17);
		struct vplat_val_buf vb = {.ptr = b, .len = (uint32_t)(VPLAT_VIRTIO_NET_HDR_SIZE + l)};
		ck_assert_int_eq(vplat_val_vq_add(vq, &vb, 1, 0, (void *)(i + 1)), 0);
		d->busy[i] = true;
		vplat_val_vq_kick(vq);
	}
}

/* Check the bound over every window [t_i, t_i + T) and return the frames sent in [from, to). */
static uint32_t check_windows(uint32_t from, uint32_t to, uint64_t T,
			      const struct vplat_ratelimit_config *c, uint64_t maxlen)
{
	uint64_t ops_max = c->ops_rate * T / NS + c->ops_burst + 1;
	uint64_t bytes_max = c->bytes_rate * T / NS + c->bytes_burst + maxlen;
	for (uint32_t i = from; i < to; i++) {
		uint64_t ops = 0, bytes = 0;
		for (uint32_t j = i; j < to && S->t[j] < S->t[i] + T; j++)
			ops++, bytes += S->len[j];
		ck_assert_msg(ops <= ops_max, "%llu frames in %llu ns from frame %u (bound %llu)",
			      (unsigned long long)ops, (unsigned long long)T, i,
			      (unsigned long long)ops_max);
		ck_assert_msg(bytes <= bytes_max, "%llu bytes in %llu ns from frame %u (bound %llu)",
			      (unsigned long long)bytes, (unsigned long long)T, i,
			      (unsigned long long)bytes_max);
	}
	return to - from;
}

START_TEST(admitted_within_rate_times_t_plus_burst)
{
	S = calloc(1, sizeof(*S));
	struct drv *d = calloc(1, sizeof(*d));
	ck_assert_ptr_nonnull(S);
	ck_assert_ptr_nonnull(d);
	struct vplat_net_config cfg = {.mtu = 1500, .pairs = 1};
	now_ns = 0;
	ck_assert_int_eq(netdrv_up(&d->n, _i, &cfg, &rec_ops, NULL, 0, 1526, 4, QS, 4u << 20), 0);
	for (unsigned i = 0; i < QS; i++) {
		d->buf[i] = vplat_val_alloc(vplat_loopback_dma(&d->n.lb), 512, 8, NULL);
		ck_assert_ptr_nonnull(d->buf[i]);
	}
	/* 1000 frames/s (burst 20) and 150 kB/s (burst 4000 B): average frame 180 B, so each
	 * bucket binds part of the time. */
	struct vplat_ratelimit_config lim = {.ops_rate = 1000, .ops_burst = 20,
					     .bytes_rate = 150000, .bytes_burst = 4000};
	ck_assert_int_eq(vplat_net_set_ratelimit(&d->n.net, &lim, fake_clock, NULL), 0);
	for (now_ns = 0; now_ns < 10 * NS; now_ns += STEP)
		drive(d);
	uint32_t n1 = S->n;
	check_windows(0, n1, NS, &lim, 299);
	/* The whole 10 s: at most rate x T + burst + 1, at least 95 % of what the binding
	 * limit allows (no starvation, no lost time). */
	uint64_t by_ops = lim.ops_rate * 10, by_bytes = lim.bytes_rate * 10 / 180;
	uint64_t allowed = by_ops < by_bytes ? by_ops : by_bytes;
	ck_assert_uint_le(n1, by_ops + lim.ops_burst + 1);
	ck_assert_msg(n1 * 100 >= allowed * 95, "only %u frames in 10 s (limit allows ~%llu)", n1,
		      (unsigned long long)allowed);
	ck_assert_uint_gt(vplat_net_stats(&d->n.net)->tx_throttled, 0);
	/* Raised at run time (no reset): 4000 frames/s, 800 kB/s for 2 s. */
	struct vplat_ratelimit_config hi = {.ops_rate = 4000, .ops_burst = 20,
					    .bytes_rate = 800000, .bytes_burst = 4000};
	ck_assert_int_eq(vplat_net_set_ratelimit(&d->n.net, &hi, NULL, NULL), 0);
	uint64_t t1 = now_ns;
	for (; now_ns < t1 + 2 * NS; now_ns += STEP)
		drive(d);
	uint32_t n2 = S->n;
	/* windows that start after the change (the first may still see the old bucket) */
	uint32_t k = n1;
	while (k < n2 && S->t[k] < t1 + STEP)
		k++;
	check_windows(k, n2, NS, &hi, 299);
	ck_assert_msg((n2 - n1) * 100 >= 2 * 4000 * 95, "%u frames in 2 s at 4000/s", n2 - n1);
	/* Removed: the ring drains at once on the next resume/kick. */
	struct vplat_ratelimit_config none = {0};
	ck_assert_int_eq(vplat_net_set_ratelimit(&d->n.net, &none, NULL, NULL), 0);
	vplat_net_tx_resume(&d->n.net); /* the embedder resumes after changing a limit */
	drive(d);
	drive(d);
	ck_assert_uint_ge(S->n - n2, QS);
	/* Every frame once, in order; none failed, none completed with an error. */
	for (uint32_t i = 0; i < S->n; i++)
		ck_assert_uint_eq(S->seq[i], i);
	ck_assert_uint_eq(d->bad_used, 0);
	const struct vplat_net_stats *st = vplat_net_stats(&d->n.net);
	ck_assert_uint_eq(st->tx_errors + st->tx_host_errors, 0);
	ck_assert(!(vplat_val_get_status(&d->n.d) & VPLAT_VIRTIO_STATUS_DEVICE_NEEDS_RESET));
	ck_assert_uint_eq(d->n.lb.access_errors, 0);
	printf("net tx limit: %u frames in 10 s at 1000/s + burst 20 (bytes 150 kB/s); %u in 2 s at 4000/s\n",
	       n1, n2 - n1);
	netdrv_down(&d->n);
	free(d);
	free(S);
}
END_TEST

START_TEST(set_ratelimit_arguments)
{
	struct drv *d = calloc(1, sizeof(*d));
	struct vplat_net_config cfg = {.mtu = 1500, .pairs = 1};
	ck_assert_int_eq(netdrv_up(&d->n, 0, &cfg, &rec_ops, NULL, 0, 1526, 4, QS, 4u << 20), 0);
	struct vplat_ratelimit_config lim = {.ops_rate = 10};
	ck_assert_int_eq(vplat_net_set_ratelimit(&d->n.net, &lim, NULL, NULL), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_net_set_ratelimit(NULL, &lim, fake_clock, NULL), VPLAT_EINVAL);
	ck_assert_uint_eq(vplat_net_throttle_until(&d->n.net), 0);
	netdrv_down(&d->n);
	free(d);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("net_ratelimit");
	TCase *tc = tcase_create("limits");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, admitted_within_rate_times_t_plus_burst, 0, 4);
	tcase_add_test(tc, set_ratelimit_arguments);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vplat_test_main(suite());
}
