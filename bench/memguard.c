/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench-memguard: per-VM memory-bandwidth regulation (vplat/regulator.h, vplat/host/
 * regulator_linux.h) on this machine, and a small tool to regulate given processes.
 *
 *   bench-memguard demo [--seconds S] [--json FILE]   victim alone / with a hog / regulated
 *   bench-memguard regulate --pid P ... | --cgroup DIR ...   regulate running processes
 *   bench-memguard hog | victim                      the two workloads on their own
 *
 * The victim is a latency-sensitive, memory-bound task: rounds of dependent loads along a
 * random cycle through a working set (default 2 MiB) larger than its core's private L2 but
 * small enough to be served by the share of the last-level cache it gets; each round's time
 * is one latency sample. The hog's stream through 64 MiB evicts the victim's lines from the
 * shared L3, so every such eviction turns an L3 hit (~10-20 ns) into a DRAM access (~150 ns):
 * that is the interference a memory-bandwidth regulator limits. The hog streams through another large buffer on the other core and adds
 * the cache lines it touched to a cooperative counter in shared memory (the "shm" source of
 * regulator_linux.h); the task-clock source needs no cooperation. Numbers are printed and
 * written as JSON, never judged: the machine is shared.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "hist.h"
#include "vplat/error.h"
#include "vplat/version.h"
#include "vplat/host/regulator_linux.h"

#define LINE 64u

struct shared {
	volatile uint64_t hog_lines;   /* cooperative counter, slot 0 */
	volatile uint64_t pad[7];
	volatile int victim_done;
	uint64_t nsamples;
	uint64_t samples[1 << 18]; /* victim round times, CPU ns of the victim thread */
	uint64_t wall[1 << 18];    /* the same rounds, wall-clock ns (include preemption) */
};

static size_t victim_kb = 2048, hog_mb = 64;
#define VICTIM_LOADS 2000u /* dependent loads per round (one sample) */
static int quick, rt_victim, hog_cpu = -1; /* -1: the CPU other than the victim's */
/* Periodic victim (--periodic-us P): every P us one job, a full walk of the working set, then
 * sleep to the next period; the sample is the job's CPU time. 0: continuous rounds. */
static uint64_t periodic_us;

/* Dependent loads in one victim sample: a round, or a periodic job's walk of the whole set. */
static uint64_t loads_per_sample(void)
{
	return periodic_us ? (victim_kb << 10) / LINE : VICTIM_LOADS;
}

static long ncpus(void)
{
	return sysconf(_SC_NPROCESSORS_ONLN);
}

static void pin(int cpu)
{
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	(void)sched_setaffinity(0, sizeof(s), &s);
}

static void *big(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	(void)madvise(p, bytes, MADV_HUGEPAGE); /* fewer TLB misses: measure the caches */
	memset(p, 1, bytes);
	return p;
}

/* Stream through @p mb MiB forever, adding the lines touched to *ctr every 4 KiB. */
static void hog(size_t mb, volatile uint64_t *ctr)
{
	size_t n = mb << 20;
	volatile uint64_t *b = big(n);
	for (uint64_t pass = 0;; pass++)
		for (size_t off = 0; off < n / 8; off += 4096 / 8) {
			for (size_t i = 0; i < 4096 / 8; i += LINE / 8)
				b[off + i] += pass;
			if (ctr)
				__atomic_fetch_add(ctr, 4096 / LINE, __ATOMIC_RELAXED);
		}
}

/* Control: a hog that only spins on registers (no memory traffic); it competes for the CPU
 * and causes context switches but evicts next to nothing. */
static void spin(volatile uint64_t *ctr)
{
	*ctr = 1;
	for (;;)
		__asm__ volatile("" ::: "memory");
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Dependent loads along a random cycle; one sample per `loads` loads, for `seconds`. */
static void victim(size_t kb, uint64_t loads, double seconds, struct shared *sh)
{
	size_t n = (kb << 10) / LINE;
	size_t *b = big(n * LINE);
	size_t stride = LINE / sizeof(size_t);
	size_t *perm = malloc(n * sizeof(size_t));
	for (size_t i = 0; i < n; i++)
		perm[i] = i;
	srand(42);
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = (size_t)rand() % (i + 1), t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	for (size_t i = 0; i < n; i++)
		b[perm[i] * stride] = perm[(i + 1) % n] * stride;
	free(perm);
	size_t p = 0;
	uint64_t end = vplat_hreg_now_ns() + (uint64_t)(seconds * 1e9);
	sh->nsamples = 0;
	if (periodic_us) {
		struct timespec next;
		clock_gettime(CLOCK_MONOTONIC, &next);
		while (vplat_hreg_now_ns() < end &&
		       sh->nsamples < sizeof(sh->samples) / sizeof(sh->samples[0])) {
			uint64_t t0 = vplat_hreg_now_ns(), c0 = thread_cpu_ns();
			for (size_t i = 0; i < n; i++)
				p = b[p];
			sh->samples[sh->nsamples] = thread_cpu_ns() - c0;
			sh->wall[sh->nsamples++] = vplat_hreg_now_ns() - t0;
			next.tv_nsec += (long)(periodic_us * 1000u);
			while (next.tv_nsec >= 1000000000L) {
				next.tv_nsec -= 1000000000L;
				next.tv_sec++;
			}
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
		}
		loads = 0; /* skip the continuous loop */
		end = 0;
	}
	for (;;) {
		uint64_t t0 = vplat_hreg_now_ns(), c0 = thread_cpu_ns();
		if (t0 >= end || sh->nsamples >= sizeof(sh->samples) / sizeof(sh->samples[0]))
			break;
		for (uint64_t i = 0; i < loads; i++)
			p = b[p];
		sh->samples[sh->nsamples] = thread_cpu_ns() - c0;
		sh->wall[sh->nsamples++] = vplat_hreg_now_ns() - t0;
	}
	if (p == (size_t)-1)
		puts("");
	sh->victim_done = 1;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

struct result {
	const char *name;
	const char *source;
	uint64_t budget; /* per period; 0 = none */
	double rounds_per_s, p50_us, p99_us, p999_us, wall_p99_us;
	double ns_per_access;            /* victim CPU ns per dependent load (mean of the run) */
	double ns_min, ns_max;           /* spread of ns_per_access over the repetitions */
	double slow_med, slow_min, slow_max; /* slowdown vs the same repetition's alone run, % */
	double ctl_med, ctl_min, ctl_max;    /* the same against the CPU-only (control) hog, % */
	double hog_mb_s;
	struct vplat_reg_stats st;
	uint64_t polls, errors, period_ns;
};

enum mode { ALONE, UNLIMITED, SPIN, SHM, TASK_CLOCK };

static void print_result(const struct result *r, int regulated)
{
	printf("%-26s victim %6.0f rounds/CPU-s p50 %6.1f p99 %6.1f p99.9 %6.1f us (wall p99 %7.1f)"
	       " | hog %6.0f MiB/s", r->name, r->rounds_per_s, r->p50_us, r->p99_us, r->p999_us,
	       r->wall_p99_us, r->hog_mb_s);
	if (regulated)
		printf(" | periods %llu throttled %llu overshoot max %llu mean %.0f",
		       (unsigned long long)r->st.periods, (unsigned long long)r->st.periods_throttled,
		       (unsigned long long)r->st.overshoot_max,
		       r->st.periods ? (double)r->st.overshoot_total / (double)r->st.periods : 0.0);
	printf("\n");
	fflush(stdout);
}



static void run(enum mode m, uint64_t budget, uint64_t period_ns, double seconds,
		struct shared *sh, struct result *r, int cpu_v, int cpu_h)
{
	memset(&r->st, 0, sizeof(r->st));
	sh->hog_lines = 0;
	sh->victim_done = 0;
	pid_t hp = -1;
	if (m != ALONE) {
		hp = fork();
		if (hp == 0) {
			pin(cpu_h);
			if (m == SPIN)
				spin(&sh->hog_lines);
			hog(hog_mb, &sh->hog_lines);
		}
		/* The hog streams before the victim starts (its 64 MiB are touched first). */
		for (int i = 0; i < 5000 && sh->hog_lines == 0; i++)
			nanosleep(&(struct timespec){0, 1000000}, NULL);
	}
	pid_t vp = fork();
	if (vp == 0) {
		pin(cpu_v);
		if (rt_victim) {
			/* Optional: keep the rest of a shared machine off the victim's CPU. */
			struct sched_param vp_sp = {.sched_priority = 5};
			(void)sched_setscheduler(0, SCHED_FIFO, &vp_sp);
		}
		victim(victim_kb, VICTIM_LOADS, seconds, sh);
		_exit(0);
	}
	pin(ncpus() > 1 ? 1 : 0); /* the poller: CPU 1 also when the hog shares the victim's CPU */
	/* The poller must preempt the hog on its CPU: real-time priority while regulating. */
	struct sched_param sp = {.sched_priority = 10};
	int rt = 0;
	if (m == SHM || m == TASK_CLOCK)
		rt = sched_setscheduler(0, SCHED_FIFO, &sp) == 0;
	struct vplat_hreg h;
	struct vplat_hreg_shm shm = {.counters = &sh->hog_lines, .n = 1};
	struct vplat_hreg_perf perf;
	struct vplat_hreg_signal sig;
	memset(&sig, 0, sizeof(sig));
	int regulated = (m == SHM || m == TASK_CLOCK);
	if (regulated) {
		vplat_hreg_signal_add(&sig, 0, hp);
		if (m == TASK_CLOCK) {
			vplat_hreg_perf_init(&perf, VPLAT_HREG_PERF_TASK_CLOCK);
			if (vplat_hreg_perf_add(&perf, 0, hp) != 0) {
				fprintf(stderr, "task-clock counter refused\n");
				regulated = 0;
			}
		}
	}
	if (regulated) {
		vplat_hreg_init(&h, 1, period_ns,
				m == SHM ? &vplat_hreg_shm_source : &vplat_hreg_perf_source,
				m == SHM ? (void *)&shm : (void *)&perf, &vplat_hreg_signal_throttle, &sig,
				vplat_hreg_now_ns());
		vplat_reg_set_budget(&h.core, 0, budget);
	}
	uint64_t t0 = vplat_hreg_now_ns();
	uint64_t l0 = sh->hog_lines;
	while (!sh->victim_done) {
		struct timespec ts = {0, regulated ? 50000 : 10000000};
		nanosleep(&ts, NULL);
		if (regulated)
			vplat_hreg_poll(&h, vplat_hreg_now_ns());
	}
	uint64_t t1 = vplat_hreg_now_ns();
	r->hog_mb_s = (double)(sh->hog_lines - l0) * LINE / 1048576.0 / ((double)(t1 - t0) / 1e9);
	if (regulated) {
		vplat_hreg_release_all(&h);
		vplat_reg_get_stats(&h.core, 0, &r->st);
		r->polls = h.polls;
		r->errors = h.errors;
		if (m == TASK_CLOCK)
			vplat_hreg_perf_fini(&perf);
	}
	if (rt) {
		sp.sched_priority = 0;
		(void)sched_setscheduler(0, SCHED_OTHER, &sp);
	}
	if (hp > 0) {
		kill(hp, SIGKILL);
		kill(hp, SIGCONT);
		waitpid(hp, NULL, 0);
	}
	waitpid(vp, NULL, 0);
	uint64_t n = sh->nsamples;
	qsort(sh->samples, n, sizeof(uint64_t), cmp_u64);
	double sum = 0;
	for (uint64_t i = 0; i < n; i++)
		sum += (double)sh->samples[i];
	r->rounds_per_s = n ? (double)n / (sum / 1e9) : 0;
	r->ns_per_access = n ? sum / ((double)n * (double)loads_per_sample()) : 0;
	r->p50_us = n ? (double)sh->samples[n / 2] / 1e3 : 0;
	r->p99_us = n ? (double)sh->samples[n * 99 / 100] / 1e3 : 0;
	r->p999_us = n ? (double)sh->samples[n * 999 / 1000] / 1e3 : 0;
	qsort(sh->wall, n, sizeof(uint64_t), cmp_u64);
	r->wall_p99_us = n ? (double)sh->wall[n * 99 / 100] / 1e3 : 0;
	r->budget = budget;
	r->period_ns = period_ns;
	print_result(r, regulated);
}

static void json_result(FILE *f, const struct result *r, const struct result *alone, int last)
{
	fprintf(f,
		"    {\"name\": \"%s\", \"source\": \"%s\", \"budget_per_period\": %llu, "
		"\"period_us\": %llu,\n"
		"     \"victim\": {\"rounds_per_s\": %.1f, \"p50_us\": %.2f, \"p99_us\": %.2f, "
		"\"p999_us\": %.2f, \"wall_p99_us\": %.2f, \"slowdown_pct\": %.1f,\n"
		"                \"ns_per_access\": %.2f, \"ns_per_access_min\": %.2f, "
		"\"ns_per_access_max\": %.2f,\n"
		"                \"slowdown_pct_median_of_reps\": %.1f, \"slowdown_pct_min\": %.1f, "
		"\"slowdown_pct_max\": %.1f,\n"
		"                \"vs_control_pct_median_of_reps\": %.1f, \"vs_control_pct_min\": %.1f, "
		"\"vs_control_pct_max\": %.1f},\n"
		"     \"hog_mib_s\": %.1f,\n"
		"     \"regulator\": {\"periods\": %llu, \"periods_throttled\": %llu, "
		"\"throttles\": %llu, \"overshoot_max\": %llu, \"overshoot_total\": %llu, "
		"\"throttled_ms\": %.1f, \"polls\": %llu, \"errors\": %llu}}%s\n",
		r->name, r->source, (unsigned long long)r->budget,
		(unsigned long long)(r->period_ns / 1000), r->rounds_per_s, r->p50_us, r->p99_us,
		r->p999_us, r->wall_p99_us, 100.0 * (alone->rounds_per_s / r->rounds_per_s - 1.0),
		r->ns_per_access, r->ns_min, r->ns_max, r->slow_med, r->slow_min, r->slow_max,
		r->ctl_med, r->ctl_min, r->ctl_max, r->hog_mb_s,
		(unsigned long long)r->st.periods, (unsigned long long)r->st.periods_throttled,
		(unsigned long long)r->st.throttles, (unsigned long long)r->st.overshoot_max,
		(unsigned long long)r->st.overshoot_total, (double)r->st.throttled_ns / 1e6,
		(unsigned long long)r->polls, (unsigned long long)r->errors, last ? "" : ",");
}

static double med(double *v, int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			double t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Median of each metric over n runs; statistics of the regulator summed, maxima kept. */
static void median_of(struct result *out, const struct result *in, int n)
{
	double v[16];
	*out = in[0];
#define MED(f)                                                                                     \
	do {                                                                                       \
		for (int i = 0; i < n; i++)                                                        \
			v[i] = in[i].f;                                                            \
		out->f = med(v, n);                                                                \
	} while (0)
	MED(rounds_per_s);
	MED(p50_us);
	MED(p99_us);
	MED(p999_us);
	MED(wall_p99_us);
	MED(hog_mb_s);
	MED(ns_per_access);
#undef MED
	out->ns_min = out->ns_max = in[0].ns_per_access;
	for (int i = 1; i < n; i++) {
		if (in[i].ns_per_access < out->ns_min)
			out->ns_min = in[i].ns_per_access;
		if (in[i].ns_per_access > out->ns_max)
			out->ns_max = in[i].ns_per_access;
	}
	memset(&out->st, 0, sizeof(out->st));
	out->polls = out->errors = 0;
	for (int i = 0; i < n; i++) {
		out->st.periods += in[i].st.periods;
		out->st.periods_throttled += in[i].st.periods_throttled;
		out->st.throttles += in[i].st.throttles;
		out->st.throttled_ns += in[i].st.throttled_ns;
		out->st.overshoot_total += in[i].st.overshoot_total;
		if (in[i].st.overshoot_max > out->st.overshoot_max)
			out->st.overshoot_max = in[i].st.overshoot_max;
		out->polls += in[i].polls;
		out->errors += in[i].errors;
	}
}

static int demo(double seconds, const char *json, uint64_t period_ns, int reps)
{
	struct shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	char why[256] = "";
	int pmu = vplat_hreg_pmu_probe(why, sizeof(why));
	printf("hardware PMU cache-miss counter: %s%s\n", pmu ? "available" : "NOT available (",
	       pmu ? "" : why);
	if (!pmu)
		printf("  -> falling back to software sources: the hog's cooperative cache-line "
		       "counter (shm) and its CPU time (perf task-clock)\n");
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	(void)prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL); /* poll on time, not 50 us late */
	int cv = 0, ch = hog_cpu >= 0 ? hog_cpu : (ncpu > 1 ? 1 : 0);
	double load0 = bh_loadavg();
	printf("victim (%zu KiB working set) on CPU %d, hog (%zu MiB) on CPU %d, regulator on CPU 1, "
	       "period %llu us, %.1f s per run, load average %.2f\n", victim_kb, cv, hog_mb, ch,
	       (unsigned long long)(period_ns / 1000), seconds, load0);
	static const struct {
		enum mode m;
		double frac; /* of the unregulated hog's lines, or of the period in CPU ns */
		const char *name, *source;
	} cond[] = {
		{ALONE, 0, "alone", "-"},
		{UNLIMITED, 0, "with hog, unregulated", "-"},
		{SPIN, 0, "with CPU-only hog (control)", "-"},
		{SHM, 0.5, "regulated shm 50%", "shm (cooperative cache-line counter)"},
		{SHM, 0.2, "regulated shm 20%", "shm (cooperative cache-line counter)"},
		{SHM, 0.05, "regulated shm 5%", "shm (cooperative cache-line counter)"},
		{TASK_CLOCK, 0.2, "regulated task-clock 20%", "perf task-clock (CPU ns)"},
	};
	enum { NC = sizeof(cond) / sizeof(cond[0]), MAXREP = 15 };
	int k = quick ? 2 : (int)NC;
	static struct result all[NC][MAXREP];
	struct result r[NC];
	memset(r, 0, sizeof(r));
	double lines_per_period = 0;
	if (reps > MAXREP)
		reps = MAXREP;
	/* Interleaved repetitions: load from the rest of the machine drifts over time and should
	 * hit every condition alike. Each metric is the median over the repetitions. */
	for (int rep = 0; rep < reps; rep++) {
		for (int c = 0; c < k; c++) {
			uint64_t budget = 0;
			if (cond[c].m == SHM) {
				budget = (uint64_t)(lines_per_period * cond[c].frac);
				budget = budget ? budget : 1;
			} else if (cond[c].m == TASK_CLOCK) {
				budget = (uint64_t)((double)period_ns * cond[c].frac);
			}
			all[c][rep].name = cond[c].name;
			all[c][rep].source = cond[c].source;
			run(cond[c].m, budget, period_ns, seconds, sh, &all[c][rep], cv, ch);
			if (rep == 0 && cond[c].m == UNLIMITED)
				lines_per_period = all[c][rep].hog_mb_s * 1048576.0 / LINE *
						   (double)period_ns / 1e9;
		}
	}
	for (int c = 0; c < k; c++) {
		median_of(&r[c], all[c], reps);
		/* Slowdown of each repetition against the alone run of the same repetition. */
		double sl[MAXREP];
		for (int i = 0; i < reps; i++)
			sl[i] = all[c][i].rounds_per_s > 0 ?
				100.0 * (all[0][i].rounds_per_s / all[c][i].rounds_per_s - 1.0) : 0;
		r[c].slow_med = med(sl, reps); /* sorts sl */
		r[c].slow_min = sl[0];
		r[c].slow_max = sl[reps - 1];
		for (int i = 0; i < reps && k > 2; i++)
			sl[i] = all[c][i].rounds_per_s > 0 ?
				100.0 * (all[2][i].rounds_per_s / all[c][i].rounds_per_s - 1.0) : 0;
		if (k > 2) {
			r[c].ctl_med = med(sl, reps);
			r[c].ctl_min = sl[0];
			r[c].ctl_max = sl[reps - 1];
		}
	}
	double load1 = bh_loadavg();
	if (json) {
		FILE *f = fopen(json, "w");
		if (!f) {
			perror(json);
			return 1;
		}
		fprintf(f, "{\n  \"tool\": \"bench-memguard %s\",\n  \"pmu\": %s,\n", vplat_version(),
			pmu ? "true" : "false");
		fprintf(f, "  \"pmu_probe\": \"%s\",\n  \"cpus\": %ld,\n  \"seconds_per_run\": %.1f,\n",
			pmu ? "ok" : why, ncpu, seconds);
		fprintf(f, "  \"victim_kib\": %zu,\n  \"victim_loads_per_round\": %u,\n"
			"  \"hog_mib\": %zu,\n  \"hog_cpu\": %d,\n  \"periodic_us\": %llu,\n"
			"  \"repetitions\": %d,\n  \"rt_victim\": %d,\n"
			"  \"loadavg_1min_start\": %.2f,\n  \"loadavg_1min_end\": %.2f,\n",
			victim_kb, (unsigned)loads_per_sample(), hog_mb, ch,
			(unsigned long long)periodic_us, reps, rt_victim, load0, load1);
		fprintf(f, "  \"runs\": [\n");
		for (int i = 0; i < k; i++)
			json_result(f, &r[i], &r[0], i == k - 1);
		fprintf(f, "  ]\n}\n");
		fclose(f);
	}
	printf("load average (1 min) %.2f at start, %.2f at end\n", load0, load1);
	printf("medians over %d interleaved repetitions:\n", reps);
	for (int i = 0; i < k; i++)
		print_result(&r[i], r[i].budget != 0);
	for (int i = 1; i < k; i++)
		printf("victim slowdown %-28s %6.1f %% (per repetition: median %.1f, min %.1f, max %.1f);"
		       " %.1f ns/access (%.1f..%.1f)\n", r[i].name,
		       100.0 * (r[0].rounds_per_s / r[i].rounds_per_s - 1.0), r[i].slow_med,
		       r[i].slow_min, r[i].slow_max, r[i].ns_per_access, r[i].ns_min, r[i].ns_max);
	for (int i = 1; i < k && k > 2; i++)
		printf("against the CPU-only hog: %-28s median %.1f %% (%.1f..%.1f)\n", r[i].name,
		       r[i].ctl_med, r[i].ctl_min, r[i].ctl_max);
	printf("victim alone: %.1f ns/access (%.1f..%.1f)\n", r[0].ns_per_access, r[0].ns_min,
	       r[0].ns_max);
	return 0;
}

static volatile sig_atomic_t quit;
static void on_signal(int s)
{
	(void)s;
	quit = 1;
}

static int regulate(int argc, char **argv)
{
	static const struct option opts[] = {
		{"pid", required_argument, 0, 'p'},    {"cgroup", required_argument, 0, 'g'},
		{"period-us", required_argument, 0, 'P'}, {"budget", required_argument, 0, 'b'},
		{"source", required_argument, 0, 's'}, {"poll-us", required_argument, 0, 'i'},
		{"seconds", required_argument, 0, 't'}, {0, 0, 0, 0}};
	pid_t pids[VPLAT_HREG_MAX_TASKS];
	unsigned np = 0;
	const char *cg = NULL, *source = "auto";
	uint64_t period_us = 1000, budget = 0, poll_us = 100;
	double seconds = 0;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (np < VPLAT_HREG_MAX_TASKS)
				pids[np++] = (pid_t)atoi(optarg);
			break;
		case 'g': cg = optarg; break;
		case 'P': period_us = strtoull(optarg, NULL, 0); break;
		case 'b': budget = strtoull(optarg, NULL, 0); break;
		case 's': source = optarg; break;
		case 'i': poll_us = strtoull(optarg, NULL, 0); break;
		case 't': seconds = atof(optarg); break;
		default: return 2;
		}
	}
	if ((!np && !cg) || !budget) {
		fprintf(stderr, "regulate: --budget and at least one --pid (or --cgroup) needed\n");
		return 2;
	}
	char why[256] = "";
	int pmu = vplat_hreg_pmu_probe(why, sizeof(why));
	enum vplat_hreg_perf_event ev = VPLAT_HREG_PERF_TASK_CLOCK;
	if (!strcmp(source, "cache-misses") || (!strcmp(source, "auto") && pmu))
		ev = VPLAT_HREG_PERF_CACHE_MISSES;
	if (!pmu)
		fprintf(stderr, "regulate: no hardware PMU (%s); counting task-clock (CPU ns)\n", why);
	struct vplat_hreg_perf perf;
	vplat_hreg_perf_init(&perf, ev);
	struct vplat_hreg_signal sig;
	memset(&sig, 0, sizeof(sig));
	struct vplat_hreg_cgroup cgr;
	vplat_hreg_cgroup_init(&cgr);
	for (unsigned i = 0; i < np; i++) {
		int rc = vplat_hreg_perf_add(&perf, 0, pids[i]);
		if (rc) {
			fprintf(stderr, "regulate: counter for %d: %s\n", (int)pids[i],
				vplat_strerror(rc));
			return 1;
		}
		vplat_hreg_signal_add(&sig, 0, pids[i]);
	}
	const struct vplat_hreg_throttle_ops *thr = &vplat_hreg_signal_throttle;
	void *thr_ctx = &sig;
	if (cg) {
		if (vplat_hreg_cgroup_open(&cgr, 0, cg) != 0) {
			fprintf(stderr, "regulate: %s: no writable cgroup.freeze or freezer.state\n", cg);
			return 1;
		}
		thr = &vplat_hreg_cgroup_throttle;
		thr_ctx = &cgr;
	}
	struct vplat_hreg h;
	int rc = vplat_hreg_init(&h, 1, period_us * 1000, &vplat_hreg_perf_source, &perf, thr,
				 thr_ctx, vplat_hreg_now_ns());
	if (rc) {
		fprintf(stderr, "regulate: %s\n", vplat_strerror(rc));
		return 1;
	}
	vplat_reg_set_budget(&h.core, 0, budget);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	uint64_t end = seconds > 0 ? vplat_hreg_now_ns() + (uint64_t)(seconds * 1e9) : UINT64_MAX;
	while (!quit && vplat_hreg_now_ns() < end) {
		struct timespec ts = {0, (long)(poll_us * 1000)};
		nanosleep(&ts, NULL);
		vplat_hreg_poll(&h, vplat_hreg_now_ns());
	}
	vplat_hreg_release_all(&h);
	struct vplat_reg_stats st;
	vplat_reg_get_stats(&h.core, 0, &st);
	printf("source %s, throttle %s: %llu events, %llu periods, %llu throttled, overshoot max "
	       "%llu total %llu, errors %llu\n", ev == VPLAT_HREG_PERF_CACHE_MISSES ? "cache-misses" :
	       "task-clock", thr->name, (unsigned long long)st.events,
	       (unsigned long long)st.periods, (unsigned long long)st.periods_throttled,
	       (unsigned long long)st.overshoot_max, (unsigned long long)st.overshoot_total,
	       (unsigned long long)h.errors);
	vplat_hreg_perf_fini(&perf);
	vplat_hreg_cgroup_fini(&cgr);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: bench-memguard demo [--seconds S] [--period-us N] [--json FILE] [--repeat N]\n"
		"                  [--victim-kb K] [--hog-mb M] [--hog-cpu C] [--rt-victim 0|1] [--quick 0|1]\n"
		"                  [--periodic-us P]\n"
		"       bench-memguard regulate --budget N (--pid P ... | --cgroup DIR) [--pid P ...]\n"
		"                      [--period-us N] [--poll-us N] [--source auto|cache-misses|task-clock]\n"
		"                      [--seconds S]\n"
		"       bench-memguard hog | victim [--seconds S]\n"
		"       bench-memguard --help | --version\n"
		"\n"
		"demo: a latency-sensitive memory-bound victim on CPU 0, a memory hog on CPU 1, the\n"
		"  victim measured alone, with the hog, and with the hog regulated (cooperative\n"
		"  cache-line counter at 50/20/5%% of its unregulated bandwidth, and its CPU time).\n"
		"regulate: MemGuard-style regulation of the given processes as one VM: at most N events\n"
		"  per period (hardware cache misses when the PMU counts them, else task-clock ns),\n"
		"  throttled with SIGSTOP/SIGCONT, or with the cgroup freezer of DIR.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("bench-memguard %s\n", vplat_version());
		return 0;
	}
	double seconds = 2.0;
	const char *json = NULL;
	uint64_t period_us = 1000;
	int reps = 1;
	if (!strcmp(argv[1], "regulate"))
		return regulate(argc - 1, argv + 1);
	for (int i = 2; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--seconds"))
			seconds = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--json"))
			json = argv[i + 1];
		else if (!strcmp(argv[i], "--victim-mb"))
			victim_kb = strtoull(argv[i + 1], NULL, 0) * 1024;
		else if (!strcmp(argv[i], "--victim-kb"))
			victim_kb = strtoull(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--hog-mb"))
			hog_mb = strtoull(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--repeat"))
			reps = atoi(argv[i + 1]) > 0 ? atoi(argv[i + 1]) : 1;
		else if (!strcmp(argv[i], "--rt-victim"))
			rt_victim = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--periodic-us"))
			periodic_us = strtoull(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--hog-cpu"))
			hog_cpu = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--quick"))
			quick = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--period-us"))
			period_us = strtoull(argv[i + 1], NULL, 0);
	}
	if (!strcmp(argv[1], "demo"))
		return demo(seconds, json, period_us * 1000, reps);
	if (!strcmp(argv[1], "hog")) {
		hog(64, NULL);
		return 0;
	}
	if (!strcmp(argv[1], "victim")) {
		struct shared *sh = malloc(sizeof(*sh));
		victim(victim_kb, VICTIM_LOADS, seconds, sh);
		printf("%llu rounds\n", (unsigned long long)sh->nsamples);
		free(sh);
		return 0;
	}
	usage(stderr);
	return 2;
}
