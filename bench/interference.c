/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench-interference: the interference lab (docs/interference.md). Two VMs on one platform, a
 * critical one and a noisy one saturating what they share, measured alone, together without
 * limits and together with vplat's mechanism; numbers printed and written as JSON. Scenarios:
 *
 *   block:    two block devices (validation driver on the loopback backend, virtio-pci, io_uring
 *             host ends on images in one tmpfs) on ONE dispatch thread. Critical: 4 KiB random
 *             reads at queue depth 1, latency from posting to the used-ring entry. Noisy: 4 KiB
 *             random writes, reposted as they complete (128 asked, 85 fit the ring).
 *             Mechanism: the noisy device's rate limit (vplat_blk_set_ratelimit()).
 *   switch:   vplat's switch, an uplink shaped to its wire rate; critical frames open loop on
 *             PCP 6, the noisy VM floods the uplink. Mechanism: 8 classes, strict priority.
 *   can:      vplat's CAN bus; critical node periodic, noisy node babbles an outranking ID.
 *             Mechanisms: per-node rate limit, then also a transmit filter.
 *   dispatch: two block devices with synchronous host ends served round by round by one
 *             thread; the noisy ring kept full. Mechanism: the dispatch budget (VPLAT-FFI-013).
 *
 * switch and can run on a simulated clock unless --real-time. Wall-clock figures are never
 * judged (the machine is shared); --check judges only the simulated-time bounds and the
 * dispatch scenario's chain counts.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "blk_rig.h"
#include "hist.h"
#include "vplat/can.h"
#include "vplat/fabric/can_bus.h"
#include "vplat/fabric/switch.h"

#define QD_NOISY BLK_RIG_QD
#define BS BLK_RIG_BS
#define MAXS (1u << 20)

static uint64_t clk(void *o)
{
	(void)o;
	return blk_rig_now_ns();
}

/* Two VMs' block rigs on two 32 MiB images in the same tmpfs (/dev/shm). */
struct rig_pair {
	struct blk_rig crit, noisy;
	char ic[64], in[64];
};

/* @p sync: synchronous host ends; otherwise io_uring (seeded from the rig's address). */
static int pair_up(struct rig_pair *p, const char *tag, bool sync)
{
	snprintf(p->ic, sizeof(p->ic), "/dev/shm/vplat-intf-%scrit-%d.img", tag, (int)getpid());
	snprintf(p->in, sizeof(p->in), "/dev/shm/vplat-intf-%snoisy-%d.img", tag, (int)getpid());
	struct blk_rig_opts oc = {.seed = 0x9e3779b97f4a7c15u ^ (uintptr_t)&p->crit, .sync = sync};
	struct blk_rig_opts on = {.seed = 0x9e3779b97f4a7c15u ^ (uintptr_t)&p->noisy, .sync = sync};
	if (blk_rig_make_image(p->ic, 32u << 20) || blk_rig_make_image(p->in, 32u << 20) ||
	    blk_rig_up(&p->crit, p->ic, &oc) || blk_rig_up(&p->noisy, p->in, &on)) {
		fprintf(stderr, "bench-interference: setup failed\n");
		return -1;
	}
	return 0;
}

static void pair_down(struct rig_pair *p)
{
	blk_rig_down(&p->crit);
	blk_rig_down(&p->noisy);
	unlink(p->ic);
	unlink(p->in);
}

/* Drain used entries; repost (noisy) or record the latency (critical). */
static bool drain(struct blk_rig *r, bool noisy, uint64_t *lat, uint64_t *nlat, bool repost)
{
	void *tok;
	bool any = false;
	while (vplat_val_vq_get_used(&r->vq, &tok, NULL) == 0) {
		unsigned i = (unsigned)(uintptr_t)tok - 1;
		r->done++;
		any = true;
		if (!noisy && *nlat < MAXS)
			lat[(*nlat)++] = blk_rig_now_ns() - r->slot[i].t_post;
		if (noisy && repost)
			blk_rig_post(r, i, true);
	}
	if (any && (noisy ? repost : false))
		vplat_val_vq_kick(&r->vq);
	return any;
}

static void unthrottle(struct blk_rig *r, uint64_t t)
{
	uint64_t ns = vplat_blk_throttle_ns(&r->blk);
	if (ns && !r->wait_until)
		r->wait_until = t + ns;
	if (r->wait_until && t >= r->wait_until) {
		r->wait_until = 0;
		vplat_blk_resume(&r->blk, 0);
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

struct result {
	const char *name;
	double crit_iops, p50, p99, p999, noisy_iops;
};

static uint64_t lat[MAXS];

static int run(struct blk_rig *crit, struct blk_rig *noisy, uint64_t noisy_iops_limit, double seconds,
	       struct result *res)
{
	struct vplat_ratelimit_config rl = {.ops_rate = noisy_iops_limit, .ops_burst = 32};
	if (noisy && vplat_blk_set_ratelimit(&noisy->blk, &rl, clk, NULL) != 0)
		return -1;
	uint64_t nlat = 0, t0 = blk_rig_now_ns(), end = t0 + (uint64_t)(seconds * 1e9);
	crit->done = 0;
	if (noisy) {
		noisy->done = 0;
		for (unsigned i = 0; i < QD_NOISY; i++)
			blk_rig_post(noisy, i, true);
		vplat_val_vq_kick(&noisy->vq);
	}
	blk_rig_post(crit, 0, false);
	vplat_val_vq_kick(&crit->vq);
	bool crit_busy = true;
	for (;;) {
		uint64_t t = blk_rig_now_ns();
		bool stop = t >= end;
		bool any = false;
		if (drain(crit, false, lat, &nlat, false)) {
			any = true;
			crit_busy = false;
			if (!stop) {
				blk_rig_post(crit, 0, false);
				vplat_val_vq_kick(&crit->vq);
				crit_busy = true;
			}
		}
		if (noisy) {
			any |= drain(noisy, true, NULL, NULL, !stop);
			unthrottle(noisy, t);
			any |= vplat_blk_aio_poll(&noisy->aio) > 0;
		}
		any |= vplat_blk_aio_poll(&crit->aio) > 0;
		if (stop && !crit_busy)
			break;
		if (!any) {
			struct pollfd p[2] = {{.fd = vplat_blk_aio_fd(&crit->aio), .events = POLLIN},
					      {.fd = noisy ? vplat_blk_aio_fd(&noisy->aio) : -1,
					       .events = POLLIN}};
			struct timespec ts = {0, 20000};
			ppoll(p, 2, &ts, NULL);
		}
	}
	double el = (double)(blk_rig_now_ns() - t0) / 1e9;
	if (noisy) { /* let the noisy queue empty before the next run */
		rl.ops_rate = 0;
		vplat_blk_set_ratelimit(&noisy->blk, &rl, clk, NULL);
		vplat_blk_resume(&noisy->blk, 0);
		noisy->wait_until = 0;
		uint64_t until = blk_rig_now_ns() + 2000000000u;
		uint64_t want = 0;
		while (blk_rig_now_ns() < until) {
			drain(noisy, true, NULL, NULL, false);
			vplat_blk_aio_poll(&noisy->aio);
			struct vplat_val_vq *q = &noisy->vq;
			(void)q;
			if (++want > 100000)
				break;
		}
	}
	qsort(lat, nlat, sizeof(uint64_t), cmp_u64);
	res->crit_iops = (double)crit->done / el;
	res->noisy_iops = noisy ? (double)noisy->done / el : 0;
	res->p50 = nlat ? (double)lat[nlat / 2] / 1e3 : 0;
	res->p99 = nlat ? (double)lat[nlat * 99 / 100] / 1e3 : 0;
	res->p999 = nlat ? (double)lat[nlat * 999 / 1000] / 1e3 : 0;
	printf("%-26s critical %8.0f IOPS p50 %7.1f p99 %7.1f p99.9 %8.1f us | noisy %8.0f IOPS\n",
	       res->name, res->crit_iops, res->p50, res->p99, res->p999, res->noisy_iops);
	fflush(stdout);
	return 0;
}

/* Open the JSON file of @p scenario: @p pattern with "%s" replaced by the scenario's name. */
static FILE *json_open(const char *pattern, const char *scenario)
{
	char path[512];
	const char *pct = strstr(pattern, "%s");
	if (pct)
		snprintf(path, sizeof(path), "%.*s%s%s", (int)(pct - pattern), pattern, scenario,
			 pct + 2);
	else
		snprintf(path, sizeof(path), "%s", pattern);
	return fopen(path, "w");
}

static int scenario_block(double seconds, uint64_t limit, const char *json)
{
	static struct rig_pair p;
	struct blk_rig *crit = &p.crit, *noisy = &p.noisy;
	int rc = 1;
	if (pair_up(&p, "", false) != 0)
		goto out;
	struct result r[3] = {{.name = "alone"},
			      {.name = "together, unlimited"},
			      {.name = "together, noisy limited"}};
	printf("block: critical QD1 4 KiB reads, noisy QD%u 4 KiB writes, one dispatch thread, "
	       "%.1f s per run, noisy limit %llu IOPS\n", QD_NOISY, seconds,
	       (unsigned long long)limit);
	if (run(crit, NULL, 0, seconds, &r[0]) || run(crit, noisy, 0, seconds, &r[1]) ||
	    run(crit, noisy, limit, seconds, &r[2]))
		goto out;
	if (json) {
		FILE *f = json_open(json, "block");
		if (!f)
			goto out;
		fprintf(f, "{\n  \"tool\": \"bench-interference %s\",\n  \"scenario\": \"block\",\n"
			   "  \"seconds_per_run\": %.1f,\n  \"load_average\": %.2f,\n"
			   "  \"noisy_limit_iops\": %llu,\n  \"runs\": [\n",
			vplat_version(), seconds, bh_loadavg(), (unsigned long long)limit);
		for (int i = 0; i < 3; i++)
			fprintf(f, "    {\"name\": \"%s\", \"critical_iops\": %.0f, \"p50_us\": %.1f, "
				   "\"p99_us\": %.1f, \"p999_us\": %.1f, \"noisy_iops\": %.0f}%s\n",
				r[i].name, r[i].crit_iops, r[i].p50, r[i].p99, r[i].p999,
				r[i].noisy_iops, i == 2 ? "" : ",");
		fprintf(f, "  ],\n  \"isolation_p99\": %.3f,\n  \"interference_p99\": %.3f\n}\n",
			r[2].p99 / r[0].p99, r[1].p99 / r[0].p99);
		fclose(f);
	}
	printf("critical p99: alone %.1f us, together unlimited %.1f us (x%.2f), limited %.1f us "
	       "(x%.2f)\n", r[0].p99, r[1].p99, r[1].p99 / r[0].p99, r[2].p99, r[2].p99 / r[0].p99);
	rc = 0;
out:
	pair_down(&p);
	return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* The other scenarios: open-loop critical traffic (fixed rate; each sample is measured from
 * the time the frame or request was due, not from when the loop got round to sending it, so
 * coordinated omission is avoided), a noisy VM saturating what they share. */

struct lab_result {
	const char *name;
	double crit_rate;  /* critical frames or requests completed per second */
	double p50, p99, p999; /* µs; < 0: no sample */
	double noisy_rate; /* noisy frames or requests per second that got through */
	uint64_t sent, lost; /* critical frames sent, and not delivered */
	double max_us;	     /* largest sample; < 0: none */
	uint64_t max_batch;  /* dispatch: most noisy chains served in one round */
};

/* --check: the simulated-time scenarios' bounds (deterministic, not timed) and the dispatch
 * scenario's chain counts; set when one does not hold. */
static bool check_failed;

static void lab_check(bool ok, const char *scenario, const char *what)
{
	if (!ok) {
		printf("CHECK FAILED (%s): %s\n", scenario, what);
		check_failed = true;
	}
}

static void lab_percentiles(struct lab_result *res, uint64_t n)
{
	qsort(lat, n, sizeof(uint64_t), cmp_u64);
	res->p50 = n ? (double)lat[n / 2] / 1e3 : -1;
	res->p99 = n ? (double)lat[n * 99 / 100] / 1e3 : -1;
	res->p999 = n ? (double)lat[n * 999 / 1000] / 1e3 : -1;
	res->max_us = n ? (double)lat[n - 1] / 1e3 : -1;
}

static void lab_print(const struct lab_result *r, const char *unit)
{
	printf("%-34s critical %7.0f %s", r->name, r->crit_rate, unit);
	if (r->p50 >= 0)
		printf(" p50 %8.1f p99 %8.1f p99.9 %8.1f us", r->p50, r->p99, r->p999);
	else
		printf(" (no frame delivered)                        ");
	printf(" lost %llu/%llu | noisy %7.0f %s\n", (unsigned long long)r->lost,
	       (unsigned long long)r->sent, r->noisy_rate, unit);
	fflush(stdout);
}

static void json_num(FILE *f, const char *key, double v)
{
	if (v < 0)
		fprintf(f, "\"%s\": null", key);
	else
		fprintf(f, "\"%s\": %.1f", key, v);
}

/* Runs[0] is "alone"; isolation figures compare runs[1] (unlimited) and runs[n-1] with it. */
static int lab_json(const char *pattern, const char *scenario, const char *params, double seconds,
		    const struct lab_result *r, unsigned n)
{
	FILE *f = json_open(pattern, scenario);
	if (!f)
		return -1;
	fprintf(f, "{\n  \"tool\": \"bench-interference %s\",\n  \"scenario\": \"%s\",\n"
		   "  \"seconds_per_run\": %.1f,\n  \"load_average\": %.2f,\n  \"params\": \"%s\",\n"
		   "  \"runs\": [\n", vplat_version(), scenario, seconds, bh_loadavg(), params);
	for (unsigned i = 0; i < n; i++) {
		fprintf(f, "    {\"name\": \"%s\", \"critical_per_s\": %.0f, ", r[i].name,
			r[i].crit_rate);
		if (!strcmp(scenario, "dispatch"))
			fprintf(f, "\"max_noisy_chains_per_round\": %llu, ",
				(unsigned long long)r[i].max_batch);
		json_num(f, "p50_us", r[i].p50);
		fputs(", ", f);
		json_num(f, "p99_us", r[i].p99);
		fputs(", ", f);
		json_num(f, "p999_us", r[i].p999);
		fputs(", ", f);
		json_num(f, "max_us", r[i].max_us);
		fprintf(f, ", \"critical_sent\": %llu, \"critical_lost\": %llu, \"noisy_per_s\": %.0f}%s\n",
			(unsigned long long)r[i].sent, (unsigned long long)r[i].lost, r[i].noisy_rate,
			i + 1 == n ? "" : ",");
	}
	fputs("  ],\n", f);
	if (r[0].p99 > 0 && r[n - 1].p99 >= 0)
		fprintf(f, "  \"isolation_p99\": %.3f,\n", r[n - 1].p99 / r[0].p99);
	else
		fputs("  \"isolation_p99\": null,\n", f);
	if (r[0].p99 > 0 && r[1].p99 >= 0)
		fprintf(f, "  \"interference_p99\": %.3f\n}\n", r[1].p99 / r[0].p99);
	else
		fputs("  \"interference_p99\": null\n}\n", f);
	fclose(f);
	return 0;
}

/* The switch and CAN scenarios run on a simulated clock by default: time advances to the next
 * event (a frame due, the shaper or the bus ready) instead of being slept, so the host's
 * scheduler (the machine is shared) does not enter the figures, and the switch's shaper and
 * the bus's timing model decide alone. --real-time runs them on CLOCK_MONOTONIC instead. */
static bool real_time;
static uint64_t sim_ns;

static uint64_t lab_now(void)
{
	return real_time ? blk_rig_now_ns() : sim_ns;
}

static uint64_t lab_clock(void *o)
{
	(void)o;
	return lab_now();
}

/* Wait (real time) or jump (simulated) to @p t; simulated time always moves forward. */
static void lab_wait_until(uint64_t t)
{
	if (!real_time) {
		sim_ns = t > sim_ns ? t : sim_ns + 1000u;
		return;
	}
	if (t <= blk_rig_now_ns() + 20000u)
		return;
	struct timespec ts = {(time_t)(t / 1000000000u), (long)(t % 1000000000u)};
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

/* --- Shared switch uplink ----------------------------------------------------------------- */

#define SW_UPLINK_BPS 100000000u  /* the uplink's wire: 100 Mbit/s (egress shaper) */
#define SW_NOISY_BPS 200000000u	  /* offered by the noisy VM: twice the uplink */
#define SW_NOISY_LEN 1514u
#define SW_CRIT_LEN 64u
#define SW_CRIT_PERIOD_NS 500000u /* critical: 2000 frames/s */
#define SW_CRIT_PCP 6u

/* A frame scenario's counters: run start, latency samples, frames received. */
struct frame_lab {
	uint64_t t0, nlat, crit_rx, noisy_rx;
};

/* Fill in and print @p res after a run of @p seconds in which @p sent critical frames were due. */
static void frame_lab_finish(const struct frame_lab *l, uint64_t sent, double seconds,
			     struct lab_result *res)
{
	res->crit_rate = (double)l->crit_rx / seconds;
	res->noisy_rate = (double)l->noisy_rx / seconds;
	res->sent = sent;
	res->lost = sent - l->crit_rx;
	lab_percentiles(res, l->nlat);
	lab_print(res, "fps");
}

static int sw_discard(void *ctx, const struct vplat_net_frame *f)
{
	(void)ctx;
	(void)f;
	return 0;
}

/* The uplink's far end: a critical frame (802.1Q-tagged, sequence number after the tag)
 * gives one latency sample, measured from the time it was due. */
static int sw_uplink_rx(void *ctx, const struct vplat_net_frame *f)
{
	struct frame_lab *l = ctx;
	if (f->len >= 26 && f->data[12] == 0x81 && f->data[13] == 0x00) {
		uint64_t seq;
		memcpy(&seq, f->data + 18, sizeof(seq));
		if (l->nlat < MAXS)
			lat[l->nlat++] = lab_now() - (l->t0 + seq * SW_CRIT_PERIOD_NS);
		l->crit_rx++;
	} else {
		l->noisy_rx++;
	}
	return 0;
}

enum { LAB_ALONE, LAB_TOGETHER, LAB_LIMITED, LAB_LIMITED2 };

static int sw_run(int mode, double seconds, struct lab_result *res)
{
	static const struct vplat_switch_port_ops discard = {.egress = sw_discard};
	static const struct vplat_switch_port_ops uplink_ops = {.egress = sw_uplink_rx};
	const struct vplat_switch_ops *ops = &vplat_switch_builtin_ops;
	struct vplat_switch sw;
	struct frame_lab l = {0};
	if (vplat_switch_init(&sw, NULL) != 0)
		return -1;
	struct vplat_switch_port_config vm = {.name = "vm"};
	/* Without the mechanism the uplink has one class (FIFO); with it, 8 classes served by
	 * strict priority, the critical VM's frames on PCP 6. */
	struct vplat_switch_port_config ul = {.name = "uplink", .uplink = true,
					      .rate_bps = SW_UPLINK_BPS,
					      .classes = mode == LAB_LIMITED ? 8 : 1,
					      .sched = VPLAT_SWITCH_STRICT};
	uint32_t pc, pn, pu;
	int rc = -1;
	if (ops->port_add(&sw, &vm, &discard, NULL, &pc) ||
	    ops->port_add(&sw, &vm, &discard, NULL, &pn) ||
	    ops->port_add(&sw, &ul, &uplink_ops, &l, &pu))
		goto out;
	static const uint8_t mac_up[6] = {2, 0, 0, 0, 0, 0xfe}, mac_c[6] = {2, 0, 0, 0, 0, 1},
			     mac_n[6] = {2, 0, 0, 0, 0, 2};
	static uint8_t lf[60], cf[SW_CRIT_LEN], nf[SW_NOISY_LEN];
	memset(lf, 0xff, 6); /* the uplink's far end speaks first: the switch learns it */
	memcpy(lf + 6, mac_up, 6);
	lf[12] = 0x88, lf[13] = 0xb5;
	memcpy(cf, mac_up, 6);
	memcpy(cf + 6, mac_c, 6);
	cf[12] = 0x81, cf[13] = 0x00, cf[14] = (uint8_t)(SW_CRIT_PCP << 5), cf[15] = 0;
	cf[16] = 0x88, cf[17] = 0xb5;
	memcpy(nf, mac_up, 6);
	memcpy(nf + 6, mac_n, 6);
	nf[12] = 0x88, nf[13] = 0xb5;
	struct vplat_net_frame fl = {.data = lf, .len = sizeof(lf)};
	struct vplat_net_frame fc = {.data = cf, .len = sizeof(cf)};
	struct vplat_net_frame fn = {.data = nf, .len = sizeof(nf)};
	uint64_t t = lab_now();
	ops->input(&sw, pu, &fl, t);
	ops->run(&sw, t);
	const double noisy_fps = (double)SW_NOISY_BPS / (8.0 * SW_NOISY_LEN);
	const uint64_t noisy_gap = (uint64_t)(1e9 / noisy_fps);
	uint64_t t0 = lab_now(), end = t0 + (uint64_t)(seconds * 1e9), seq = 0, nsent = 0;
	l.t0 = t0;
	for (;;) {
		t = lab_now();
		if (t >= end)
			break;
		for (; t0 + seq * SW_CRIT_PERIOD_NS <= t; seq++) {
			memcpy(cf + 18, &seq, sizeof(seq));
			ops->input(&sw, pc, &fc, t);
		}
		if (mode != LAB_ALONE) {
			uint64_t due = (t - t0) / noisy_gap;
			for (unsigned k = 0; nsent < due && k < 256; k++, nsent++)
				ops->input(&sw, pn, &fn, t);
			nsent = due; /* what it could not offer in time is not offered late */
		}
		uint64_t w = ops->run(&sw, t);
		uint64_t next = t0 + seq * SW_CRIT_PERIOD_NS;
		if (mode != LAB_ALONE && t0 + (nsent + 1) * noisy_gap < next)
			next = t0 + (nsent + 1) * noisy_gap;
		if (w != UINT64_MAX && t + w < next)
			next = t + w;
		lab_wait_until(next);
	}
	/* Let what is queued for the uplink leave (the noisy VM has stopped), then count. */
	uint64_t until = lab_now() + 50000000u;
	while ((t = lab_now()) < until && ops->run(&sw, t) != UINT64_MAX)
		lab_wait_until(t + 50000);
	frame_lab_finish(&l, seq, seconds, res);
	rc = 0;
out:
	vplat_switch_fini(&sw);
	return rc;
}

static int scenario_switch(double seconds, const char *json)
{
	struct lab_result r[3] = {{.name = "alone"},
				  {.name = "together, one class (FIFO)"},
				  {.name = "together, strict priority (PCP 6)"}};
	printf("switch: critical %u-byte frames at %u/s (PCP %u), noisy %u-byte frames at %u Mbit/s, "
	       "one uplink shaped to %u Mbit/s, %.1f s per run, %s\n", SW_CRIT_LEN,
	       1000000000u / SW_CRIT_PERIOD_NS, SW_CRIT_PCP, SW_NOISY_LEN, SW_NOISY_BPS / 1000000u,
	       SW_UPLINK_BPS / 1000000u, seconds, real_time ? "real time" : "simulated time");
	for (int m = 0; m < 3; m++)
		if (sw_run(m, seconds, &r[m]) != 0)
			return -1;
	if (!real_time) {
		/* Strict priority: a critical frame waits at most for the noisy frame the shaper
		 * is paying for, one 1514-byte frame at the uplink's rate (121 us). */
		double frame_us = 8.0 * SW_NOISY_LEN * 1e6 / SW_UPLINK_BPS;
		lab_check(r[1].lost > 0 || r[1].p99 > frame_us, "switch",
			  "without classes the flood delays or drops critical frames");
		lab_check(r[2].lost == 0 && r[2].max_us >= 0 && r[2].max_us <= frame_us, "switch",
			  "with strict priority no critical frame is lost or waits more than one "
			  "noisy frame time");
	}
	char params[256];
	snprintf(params, sizeof(params),
		 "critical %u B frames at %u/s on PCP %u; noisy %u B frames offered at %u Mbit/s; "
		 "uplink shaped to %u Mbit/s, 64 frames per class queue; %s", SW_CRIT_LEN,
		 1000000000u / SW_CRIT_PERIOD_NS, SW_CRIT_PCP, SW_NOISY_LEN, SW_NOISY_BPS / 1000000u,
		 SW_UPLINK_BPS / 1000000u, real_time ? "real time" : "simulated time");
	return json ? lab_json(json, "switch", params, seconds, r, 3) : 0;
}

/* --- Shared CAN bus ------------------------------------------------------------------------ */

#define CAN_BITRATE 500000u
#define CAN_CRIT_ID 0x100u
#define CAN_CRIT_PERIOD_NS 1000000u /* 1000 frames/s */
#define CAN_BABBLE_ID 0x010u	    /* outranks the critical node's identifier */
#define CAN_NOISY_FPS 500u	    /* its rate limit */

static uint64_t can_frame_ns; /* bus time of one critical frame */

static void can_rx(void *o, const struct vplat_can_frame *f, const struct vplat_canbus_node *from)
{
	struct frame_lab *l = o;
	(void)from;
	if (f->id == CAN_CRIT_ID) {
		uint64_t seq;
		memcpy(&seq, f->data, sizeof(seq));
		if (l->nlat < MAXS)
			lat[l->nlat++] = lab_now() - (l->t0 + seq * CAN_CRIT_PERIOD_NS);
		l->crit_rx++;
	} else {
		l->noisy_rx++;
	}
}

static int can_run(int mode, double seconds, struct lab_result *res)
{
	struct vplat_canbus_config bc = {.bitrate = CAN_BITRATE, .clock = lab_clock};
	struct vplat_canbus *bus = vplat_canbus_new(&bc);
	struct frame_lab l = {0};
	if (!bus)
		return -1;
	struct vplat_canbus_node *crit = vplat_canbus_add_port(bus, "critical", NULL, NULL);
	struct vplat_canbus_node *noisy = vplat_canbus_add_port(bus, "noisy", NULL, NULL);
	struct vplat_canbus_node *ecu = vplat_canbus_add_port(bus, "receiver", can_rx, &l);
	int rc = -1;
	if (!crit || !noisy || !ecu)
		goto out;
	if (mode >= LAB_LIMITED) {
		struct vplat_ratelimit_config rl = {.ops_rate = CAN_NOISY_FPS, .ops_burst = 4};
		if (vplat_canbus_node_set_ratelimit(noisy, &rl) != 0)
			goto out;
	}
	if (mode == LAB_LIMITED2) {
		struct vplat_can_filter tf = {.id = 0x700, .mask = 0x700};
		if (vplat_canbus_node_set_tx_filters(noisy, &tf, 1) != 0)
			goto out;
	}
	struct vplat_can_frame cf = {.id = CAN_CRIT_ID, .len = 8};
	memset(cf.data, 0xff, 8); /* the most stuff bits: the frame's longest bus time */
	can_frame_ns = vplat_canbus_frame_ns(bus, &cf);
	struct vplat_can_frame nf = {.len = 8};
	memset(nf.data, 0xa5, 8);
	uint64_t t0 = lab_now(), end = t0 + (uint64_t)(seconds * 1e9), seq = 0;
	l.t0 = t0;
	for (;;) {
		uint64_t t = lab_now();
		if (t >= end)
			break;
		for (; t0 + seq * CAN_CRIT_PERIOD_NS <= t; seq++) {
			memcpy(cf.data, &seq, sizeof(seq));
			(void)vplat_canbus_port_send(crit, &cf); /* FIFO full: lost */
		}
		/* The noisy node babbles: it keeps its FIFO full of an identifier that outranks
		 * the critical one (refused outright under the transmit filter). */
		for (unsigned k = 0; mode != LAB_ALONE && k < 64; k++) {
			nf.id = CAN_BABBLE_ID;
			if (vplat_canbus_port_send(noisy, &nf) != 0)
				break;
		}
		vplat_canbus_run(bus, 0);
		uint64_t next = t0 + seq * CAN_CRIT_PERIOD_NS, bn = vplat_canbus_next_ns(bus);
		if (bn != 0 && bn < next)
			next = bn;
		if (bn != 0)
			lab_wait_until(next);
	}
	/* Frames still queued when the run ends are late by more than the run's tail: lost. */
	frame_lab_finish(&l, seq, seconds, res);
	rc = 0;
out:
	vplat_canbus_free(bus);
	return rc;
}

static int scenario_can(double seconds, const char *json)
{
	struct lab_result r[4] = {{.name = "alone"},
				  {.name = "together, unlimited"},
				  {.name = "together, noisy rate-limited"},
				  {.name = "together, rate limit + tx filter"}};
	printf("can: %u kbit/s bus, critical ID 0x%x at %u frames/s, noisy babbles 0x%03x "
	       "(FIFO kept full); limit %u frames/s, tx filter 0x700/0x700, %.1f s per run, %s\n",
	       CAN_BITRATE / 1000u, CAN_CRIT_ID, 1000000000u / CAN_CRIT_PERIOD_NS, CAN_BABBLE_ID,
	       CAN_NOISY_FPS, seconds, real_time ? "real time" : "simulated time");
	for (int m = 0; m < 4; m++)
		if (can_run(m, seconds, &r[m]) != 0)
			return -1;
	if (!real_time) {
		/* One 8-byte standard frame at 500 kbit/s (bit stuffing included by the bus's
		 * model): the critical frame's own time on the bus. */
		double f_us = (double)can_frame_ns / 1e3;
		lab_check(r[1].lost > 0, "can", "the babbling node starves the critical one");
		/* Rate-limited: the frame in progress, the noisy node's burst of 4, its own. */
		lab_check(r[2].lost == 0 && r[2].max_us >= 0 && r[2].max_us <= 6 * f_us, "can",
			  "rate-limited, no critical frame is lost or waits more than the frame "
			  "in progress and the noisy burst");
		lab_check(r[3].lost == 0 && r[3].max_us >= 0 && r[3].max_us <= r[0].max_us, "can",
			  "with the transmit filter the critical node does as well as alone");
	}
	char params[256];
	snprintf(params, sizeof(params),
		 "%u kbit/s bus; critical ID 0x%x, 8 B, %u frames/s; noisy babbles 0x%03x, 8 B, "
		 "FIFO kept full; limit %u frames/s burst 4; tx filter id 0x700 mask 0x700; %s",
		 CAN_BITRATE / 1000u, CAN_CRIT_ID, 1000000000u / CAN_CRIT_PERIOD_NS, CAN_BABBLE_ID,
		 CAN_NOISY_FPS, real_time ? "real time" : "simulated time");
	return json ? lab_json(json, "can", params, seconds, r, 4) : 0;
}

/* --- Shared daemon thread (bounded dispatch) ---------------------------------------------- */

#define DSP_BUDGET 8u /* the noisy queue's dispatch budget when bounded */

/* CPU time of the calling thread (ns): the dispatch thread's own work, without the time the
 * host's scheduler gives other processes (the machine is shared). */
static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * One daemon thread serves both VMs round by round, as an event loop does: first the noisy
 * VM's queue (its kick, or vplat_device_dispatch() for what a budget left on the ring), then
 * the critical VM's. The critical VM has one read outstanding (QD1) that became due at the
 * start of the round (the worst case: it waits for the whole noisy dispatch); its latency is
 * the thread's CPU time from the round's start to its completion.
 */
static int dsp_run(struct blk_rig *crit, struct blk_rig *noisy, int mode, double seconds,
		   struct lab_result *res)
{
	struct vplat_device *nd = vplat_blk_device(&noisy->blk);
	if (vplat_device_set_dispatch_budget(nd, VPLAT_DISPATCH_ALL_QUEUES,
					     mode == LAB_LIMITED ? DSP_BUDGET : 0) != 0)
		return -1;
	uint64_t nlat = 0, rounds = 0;
	crit->done = noisy->done = 0;
	if (mode != LAB_ALONE) { /* the noisy VM fills its ring (a kick: the first dispatch) */
		for (unsigned i = 0; i < BLK_RIG_QD; i++)
			if (blk_rig_post(noisy, i, true) != 0)
				break;
	}
	uint64_t t0 = blk_rig_now_ns(), end = t0 + (uint64_t)(seconds * 1e9);
	bool kick = mode != LAB_ALONE;
	while (blk_rig_now_ns() < end) {
		uint64_t c0 = thread_cpu_ns();
		void *tok;
		rounds++;
		if (kick)
			vplat_val_vq_kick(&noisy->vq);
		else if (mode != LAB_ALONE && vplat_device_has_more(nd))
			vplat_device_dispatch(nd);
		blk_rig_post(crit, 0, false);
		vplat_val_vq_kick(&crit->vq);
		while (vplat_val_vq_get_used(&crit->vq, &tok, NULL) == 0) {
			crit->done++;
			if (nlat < MAXS)
				lat[nlat++] = thread_cpu_ns() - c0;
		}
		/* The noisy VM reposts what completed; its kick is served next round. */
		kick = false;
		uint64_t batch = 0;
		while (mode != LAB_ALONE && vplat_val_vq_get_used(&noisy->vq, &tok, NULL) == 0) {
			noisy->done++;
			batch++;
			blk_rig_post(noisy, (unsigned)(uintptr_t)tok - 1, true);
			kick = true;
		}
		if (batch > res->max_batch)
			res->max_batch = batch;
	}
	double el = (double)(blk_rig_now_ns() - t0) / 1e9;
	if (mode != LAB_ALONE) { /* empty the noisy ring before the next run */
		void *tok;
		for (unsigned k = 0; k < 100000 && vplat_device_has_more(nd); k++)
			vplat_device_dispatch(nd);
		while (vplat_val_vq_get_used(&noisy->vq, &tok, NULL) == 0)
			;
	}
	res->crit_rate = (double)crit->done / el;
	res->noisy_rate = (double)noisy->done / el;
	res->sent = rounds;
	res->lost = rounds - crit->done;
	lab_percentiles(res, nlat);
	lab_print(res, "IOPS");
	if (mode != LAB_ALONE)
		printf("%-34s most noisy chains served before a critical request: %llu\n", "",
		       (unsigned long long)res->max_batch);
	return 0;
}

static int scenario_dispatch(double seconds, const char *json)
{
	static struct rig_pair p;
	struct lab_result r[3] = {{.name = "alone"},
				  {.name = "together, budget = queue size"},
				  {.name = "together, budget 8"}};
	int rc = -1;
	if (pair_up(&p, "d", true) != 0)
		goto out;
	printf("dispatch: synchronous host ends, one thread serving noisy then critical each round; "
	       "critical QD1 4 KiB reads, noisy keeps its ring full of 4 KiB writes; budget %u "
	       "chains vs the default (queue size %u); latency in thread CPU time, %.1f s per run\n",
	       DSP_BUDGET, BLK_RIG_QSIZE, seconds);
	for (int m = 0; m < 3; m++)
		if (dsp_run(&p.crit, &p.noisy, m, seconds, &r[m]) != 0)
			goto out;
	/* Counts, not times: with the budget the thread serves at most DSP_BUDGET noisy chains
	 * before the critical request; without it, more (the whole ring). */
	lab_check(r[2].max_batch >= 1 && r[2].max_batch <= DSP_BUDGET, "dispatch",
		  "with budget 8 at most 8 noisy chains are served before a critical request");
	lab_check(r[1].max_batch > DSP_BUDGET, "dispatch",
		  "with the default budget a round serves more noisy chains than the budget");
	char params[256];
	snprintf(params, sizeof(params),
		 "synchronous file host ends on tmpfs; round robin noisy then critical; critical QD1 "
		 "4 KiB reads; noisy ring of %u kept full of 4 KiB writes; budget %u vs default %u; "
		 "latency = dispatch thread CPU time from round start", BLK_RIG_QSIZE, DSP_BUDGET,
		 BLK_RIG_QSIZE);
	rc = json ? lab_json(json, "dispatch", params, seconds, r, 3) : 0;
out:
	pair_down(&p);
	return rc;
}

int main(int argc, char **argv)
{
	double seconds = 2;
	const char *json = NULL, *only = "all";
	bool check = false;
	uint64_t limit = 2000;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help")) {
			printf("usage: bench-interference [--scenario block|switch|can|dispatch|all] "
			       "[--seconds S] [--limit IOPS] [--json FILE] [--real-time] [--check]\n"
			       "  --json FILE: \"%%s\" in FILE is replaced by the scenario's name\n"
			       "  --real-time: switch and can on CLOCK_MONOTONIC, not simulated time\n"
			       "  --check: exit 1 if a simulated-time bound or a dispatch count does "
			       "not hold\n");
			return 0;
		}
		if (!strcmp(argv[i], "--version")) {
			printf("bench-interference %s\n", vplat_version());
			return 0;
		}
		if (i + 1 < argc && !strcmp(argv[i], "--seconds"))
			seconds = atof(argv[++i]);
		else if (i + 1 < argc && !strcmp(argv[i], "--json"))
			json = argv[++i];
		else if (i + 1 < argc && !strcmp(argv[i], "--limit"))
			limit = strtoull(argv[++i], NULL, 0);
		else if (i + 1 < argc && !strcmp(argv[i], "--scenario"))
			only = argv[++i];
		else if (!strcmp(argv[i], "--real-time"))
			real_time = true;
		else if (!strcmp(argv[i], "--check"))
			check = true;
	}
	bool all = !strcmp(only, "all");
	if (!all && strcmp(only, "block") && strcmp(only, "switch") && strcmp(only, "can") &&
	    strcmp(only, "dispatch")) {
		fprintf(stderr, "bench-interference: unknown scenario %s\n", only);
		return 1;
	}
	if (json && all && !strstr(json, "%s")) {
		fprintf(stderr, "bench-interference: --json needs %%s with several scenarios\n");
		return 1;
	}
	printf("load average %.2f\n", bh_loadavg());
	if ((all || !strcmp(only, "block")) && scenario_block(seconds, limit, json) != 0)
		return 1;
	if ((all || !strcmp(only, "switch")) && scenario_switch(seconds, json) != 0)
		return 1;
	if ((all || !strcmp(only, "can")) && scenario_can(seconds, json) != 0)
		return 1;
	if ((all || !strcmp(only, "dispatch")) && scenario_dispatch(seconds, json) != 0)
		return 1;
	if (check && check_failed)
		return 1;
	return 0;
}
