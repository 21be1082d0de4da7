/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench/hist.h: the latency histogram and open-loop pacing the benchmarks share.
 *
 * HDR-style log-linear buckets: values (nanoseconds) below 2^BH_SUB_BITS are exact; above,
 * each power of two is split into 2^BH_SUB_BITS equal sub-buckets, so a recorded value is
 * off by at most 1/2^BH_SUB_BITS (3 % with 5 bits) and the table is a fixed 2 KiB-ish array
 * covering 1 ns to 2^63 ns. Percentiles report the upper edge of the bucket holding the
 * rank, as HdrHistogram does.
 *
 * Coordinated omission: a closed loop (send, wait, send) stops sending while the system is
 * stalled, so the stall shows up once instead of in every request that should have been
 * sent during it. Tail figures therefore come from an open loop: request i is due at
 * t0 + i * period; its latency is measured from the due time, not from when it was actually
 * sent, so a late send counts its lateness (bh_pace_* below).
 *
 * Also the machine's 1-minute load average (bh_loadavg), which the benchmarks print with
 * their figures.
 */
#ifndef VPLAT_BENCH_HIST_H
#define VPLAT_BENCH_HIST_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define BH_SUB_BITS 5u
#define BH_SUB      (1u << BH_SUB_BITS)
#define BH_BUCKETS  ((64u - BH_SUB_BITS + 1u) * BH_SUB)

struct bh {
	uint64_t n, min, max;
	double sum;
	uint64_t b[BH_BUCKETS];
};

static inline void bh_init(struct bh *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

static inline unsigned bh_index(uint64_t v)
{
	if (v < BH_SUB)
		return (unsigned)v;
	unsigned msb = 63u - (unsigned)__builtin_clzll(v);
	unsigned shift = msb - BH_SUB_BITS;
	return (shift + 1u) * BH_SUB + (unsigned)((v >> shift) & (BH_SUB - 1u));
}

/* Largest value that lands in bucket @p i. */
static inline uint64_t bh_upper(unsigned i)
{
	if (i < BH_SUB)
		return i;
	unsigned shift = i / BH_SUB - 1u;
	uint64_t base = ((uint64_t)BH_SUB + (i % BH_SUB)) << shift;
	return base + ((1ull << shift) - 1u);
}

static inline void bh_add(struct bh *h, uint64_t ns)
{
	h->b[bh_index(ns)]++;
	h->n++;
	h->sum += (double)ns;
	if (ns < h->min)
		h->min = ns;
	if (ns > h->max)
		h->max = ns;
}

/* Value at percentile @p p (0..100): the upper edge of the bucket holding that rank. */
static inline uint64_t bh_pct(const struct bh *h, double p)
{
	if (!h->n)
		return 0;
	uint64_t rank = (uint64_t)((p / 100.0) * (double)h->n + 0.999999);
	if (rank < 1)
		rank = 1;
	uint64_t seen = 0;
	for (unsigned i = 0; i < BH_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= rank) {
			uint64_t u = bh_upper(i);
			return u > h->max ? h->max : u;
		}
	}
	return h->max;
}

static inline double bh_mean(const struct bh *h)
{
	return h->n ? h->sum / (double)h->n : 0;
}

/* One line: "label  n  p50  p99  p99.9  max" in microseconds. */
static inline void bh_print_head(FILE *f)
{
	fprintf(f, "%-34s %9s %9s %9s %9s %9s\n", "latency (us)", "requests", "p50", "p99",
		"p99.9", "max");
}

static inline void bh_print(FILE *f, const char *label, const struct bh *h)
{
	fprintf(f, "%-34s %9llu %9.1f %9.1f %9.1f %9.1f\n", label, (unsigned long long)h->n,
		(double)bh_pct(h, 50) / 1e3, (double)bh_pct(h, 99) / 1e3,
		(double)bh_pct(h, 99.9) / 1e3, (double)h->max / 1e3);
}

/*
 * Machine-readable line for tools/bench: "LAT <label> n=N p50=.. p90=.. p99=.. p99.9=..
 * p99.99=.. max=.." (nanoseconds), then "LATCURVE <label> p:ns p:ns ..." for the percentile
 * curve plot.
 */
static inline void bh_print_machine(FILE *f, const char *label, const struct bh *h)
{
	fprintf(f, "LAT %s n=%llu p50=%llu p90=%llu p99=%llu p99.9=%llu p99.99=%llu max=%llu\n",
		label, (unsigned long long)h->n, (unsigned long long)bh_pct(h, 50),
		(unsigned long long)bh_pct(h, 90), (unsigned long long)bh_pct(h, 99),
		(unsigned long long)bh_pct(h, 99.9), (unsigned long long)bh_pct(h, 99.99),
		(unsigned long long)h->max);
	static const double ps[] = {0,  50,   75,    90,     95,     99,      99.5,
				    99.9, 99.95, 99.99, 99.995, 99.999, 100};
	fprintf(f, "LATCURVE %s", label);
	for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++)
		fprintf(f, " %g:%llu", ps[i],
			(unsigned long long)(ps[i] >= 100 ? h->max
				: ps[i] <= 0 ? h->min : bh_pct(h, ps[i])));
	fputc('\n', f);
}

static inline uint64_t bh_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Open-loop pacing: request i is due at start + i * period_ns. */
struct bh_pace {
	uint64_t start, period_ns, i;
};

static inline void bh_pace_init(struct bh_pace *p, uint64_t period_ns)
{
	p->period_ns = period_ns;
	p->start = bh_now_ns();
	p->i = 0;
}

/* Due time of the next request; spins (no sleep: sub-10 us periods) until it is reached,
 * or returns at once when already late. Advances the schedule. */
static inline uint64_t bh_pace_next(struct bh_pace *p)
{
	uint64_t due = p->start + p->i++ * p->period_ns;
	while (bh_now_ns() < due)
		__asm__ volatile("" ::: "memory");
	return due;
}

/* The 1-minute load average (the machine is shared: say how busy it was), -1 if unknown. */
static inline double bh_loadavg(void)
{
	double l = -1;
	FILE *f = fopen("/proc/loadavg", "r");
	if (f) {
		if (fscanf(f, "%lf", &l) != 1)
			l = -1;
		fclose(f);
	}
	return l;
}

#endif
