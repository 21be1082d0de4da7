/* SPDX-License-Identifier: BSD-3-Clause */
/* Memory-bandwidth regulation of Linux tasks (vplat/host/regulator_linux.h): a poller over
 * the freestanding core, perf / shared-memory counter sources, signal / cgroup throttles. */
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "vplat/error.h"
#include "vplat/host/regulator_linux.h"

uint64_t vplat_hreg_now_ns(void)
{
	struct timespec ts;
	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * UINT64_C(1000000000) + (uint64_t)ts.tv_nsec;
}

int vplat_hreg_init(struct vplat_hreg *h, uint32_t nvms, uint64_t period_ns,
		    const struct vplat_hreg_source_ops *src, void *src_ctx,
		    const struct vplat_hreg_throttle_ops *thr, void *thr_ctx, uint64_t now_ns)
{
	if (!h || !src || !src->read || !thr || !thr->stop || !thr->resume || nvms == 0 ||
	    nvms > VPLAT_HREG_MAX_VMS)
		return VPLAT_EINVAL;
	memset(h, 0, sizeof(*h));
	int rc = vplat_reg_init(&h->core, h->vms, nvms, period_ns, now_ns);
	if (rc)
		return rc;
	h->src = src;
	h->src_ctx = src_ctx;
	h->thr = thr;
	h->thr_ctx = thr_ctx;
	return 0;
}

int vplat_hreg_poll(struct vplat_hreg *h, uint64_t now_ns)
{
	if (!h || !h->src)
		return VPLAT_EINVAL;
	int changed = 0;
	h->polls++;
	for (uint32_t vm = 0; vm < h->core.nvms; vm++) {
		uint64_t count;
		if (h->src->read(h->src_ctx, vm, &count) != 0) {
			h->errors++;
			continue;
		}
		int a = vplat_reg_update(&h->core, vm, count, now_ns);
		int rc = 0;
		if (a == VPLAT_REG_THROTTLE)
			rc = h->thr->stop(h->thr_ctx, vm);
		else if (a == VPLAT_REG_RELEASE)
			rc = h->thr->resume(h->thr_ctx, vm);
		else
			continue;
		if (rc != 0)
			h->errors++;
		else
			changed++;
	}
	return changed;
}

int vplat_hreg_release_all(struct vplat_hreg *h)
{
	if (!h || !h->thr)
		return VPLAT_EINVAL;
	int first = 0;
	for (uint32_t vm = 0; vm < h->core.nvms; vm++) {
		bool was = vplat_reg_throttled(&h->core, vm);
		(void)vplat_reg_set_budget(&h->core, vm, 0);
		if (!was)
			continue;
		(void)vplat_reg_update(&h->core, vm, h->vms[vm].last_count, vplat_hreg_now_ns());
		int rc = h->thr->resume(h->thr_ctx, vm);
		if (rc != 0 && first == 0)
			first = rc;
	}
	return first;
}

/* ---- perf source -------------------------------------------------------------------- */

static int perf_open(enum vplat_hreg_perf_event ev, pid_t tid)
{
	struct perf_event_attr a;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	if (ev == VPLAT_HREG_PERF_CACHE_MISSES) {
		a.type = PERF_TYPE_HARDWARE;
		a.config = PERF_COUNT_HW_CACHE_MISSES;
	} else {
		a.type = PERF_TYPE_SOFTWARE;
		a.config = PERF_COUNT_SW_TASK_CLOCK;
	}
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	return (int)syscall(SYS_perf_event_open, &a, tid, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

int vplat_hreg_pmu_probe(char *why, size_t whylen)
{
	int fd = perf_open(VPLAT_HREG_PERF_CACHE_MISSES, 0);
	if (fd >= 0) {
		close(fd);
		return 1;
	}
	if (why && whylen)
		snprintf(why, whylen,
			 "perf_event_open(PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES): %s",
			 strerror(errno));
	return 0;
}

void vplat_hreg_perf_init(struct vplat_hreg_perf *p, enum vplat_hreg_perf_event event)
{
	memset(p, 0, sizeof(*p));
	for (uint32_t v = 0; v < VPLAT_HREG_MAX_VMS; v++)
		for (uint32_t i = 0; i < VPLAT_HREG_MAX_TASKS; i++)
			p->fd[v][i] = -1;
	p->event = event;
}

int vplat_hreg_perf_add(struct vplat_hreg_perf *p, uint32_t vm, pid_t tid)
{
	if (!p || vm >= VPLAT_HREG_MAX_VMS)
		return VPLAT_EINVAL;
	if (p->n[vm] >= VPLAT_HREG_MAX_TASKS)
		return VPLAT_ENOSPC;
	int fd = perf_open(p->event, tid);
	if (fd < 0) {
		if (errno == ENOENT || errno == EOPNOTSUPP || errno == ENODEV)
			return p->event == VPLAT_HREG_PERF_CACHE_MISSES ? VPLAT_ENOTSUP : VPLAT_ENOENT;
		if (errno == ESRCH)
			return VPLAT_ENOENT;
		return VPLAT_EPERM;
	}
	p->fd[vm][p->n[vm]++] = fd;
	return 0;
}

void vplat_hreg_perf_fini(struct vplat_hreg_perf *p)
{
	for (uint32_t v = 0; v < VPLAT_HREG_MAX_VMS; v++) {
		for (uint32_t i = 0; i < p->n[v]; i++)
			if (p->fd[v][i] >= 0)
				close(p->fd[v][i]);
		p->n[v] = 0;
	}
}

static int perf_read(void *ctx, uint32_t vm, uint64_t *count)
{
	struct vplat_hreg_perf *p = ctx;
	if (vm >= VPLAT_HREG_MAX_VMS)
		return VPLAT_EINVAL;
	uint64_t sum = 0;
	for (uint32_t i = 0; i < p->n[vm]; i++) {
		uint64_t c;
		/* A thread that exited keeps its final count readable while the fd is open. */
		if (read(p->fd[vm][i], &c, sizeof(c)) != (ssize_t)sizeof(c))
			return VPLAT_EIO;
		sum += c;
	}
	*count = sum;
	return 0;
}

const struct vplat_hreg_source_ops vplat_hreg_perf_source = {.name = "perf", .read = perf_read};

/* ---- cooperative shared-memory source ------------------------------------------------ */

static int shm_read(void *ctx, uint32_t vm, uint64_t *count)
{
	const struct vplat_hreg_shm *s = ctx;
	if (vm >= s->n)
		return VPLAT_EINVAL;
	*count = __atomic_load_n(&s->counters[vm], __ATOMIC_RELAXED);
	return 0;
}

const struct vplat_hreg_source_ops vplat_hreg_shm_source = {.name = "shm", .read = shm_read};

/* ---- signal throttle ----------------------------------------------------------------- */

int vplat_hreg_signal_add(struct vplat_hreg_signal *s, uint32_t vm, pid_t pid)
{
	if (!s || vm >= VPLAT_HREG_MAX_VMS || pid <= 0)
		return VPLAT_EINVAL;
	if (s->n[vm] >= VPLAT_HREG_MAX_TASKS)
		return VPLAT_ENOSPC;
	s->pid[vm][s->n[vm]++] = pid;
	return 0;
}

static int signal_all(struct vplat_hreg_signal *s, uint32_t vm, int sig)
{
	if (vm >= VPLAT_HREG_MAX_VMS)
		return VPLAT_EINVAL;
	int rc = 0;
	for (uint32_t i = 0; i < s->n[vm]; i++)
		if (kill(s->pid[vm][i], sig) != 0 && rc == 0)
			rc = errno == ESRCH ? VPLAT_ENOENT : VPLAT_EPERM;
	return rc;
}

static int signal_stop(void *ctx, uint32_t vm)
{
	return signal_all(ctx, vm, SIGSTOP);
}

static int signal_resume(void *ctx, uint32_t vm)
{
	return signal_all(ctx, vm, SIGCONT);
}

const struct vplat_hreg_throttle_ops vplat_hreg_signal_throttle = {
	.name = "signal", .stop = signal_stop, .resume = signal_resume};

/* ---- cgroup freezer throttle --------------------------------------------------------- */

void vplat_hreg_cgroup_init(struct vplat_hreg_cgroup *c)
{
	for (uint32_t v = 0; v < VPLAT_HREG_MAX_VMS; v++) {
		c->fd[v] = -1;
		c->v2[v] = 0;
	}
}

int vplat_hreg_cgroup_open(struct vplat_hreg_cgroup *c, uint32_t vm, const char *dir)
{
	if (!c || !dir || vm >= VPLAT_HREG_MAX_VMS)
		return VPLAT_EINVAL;
	char path[4096];
	static const char *const files[2] = {"cgroup.freeze", "freezer.state"};
	for (int v1 = 0; v1 < 2; v1++) {
		if (snprintf(path, sizeof(path), "%s/%s", dir, files[v1]) >= (int)sizeof(path))
			return VPLAT_EINVAL;
		int fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (c->fd[vm] >= 0)
			close(c->fd[vm]);
		c->fd[vm] = fd;
		c->v2[vm] = !v1;
		return 0;
	}
	return VPLAT_ENOTSUP;
}

void vplat_hreg_cgroup_fini(struct vplat_hreg_cgroup *c)
{
	for (uint32_t v = 0; v < VPLAT_HREG_MAX_VMS; v++) {
		if (c->fd[v] >= 0)
			close(c->fd[v]);
		c->fd[v] = -1;
	}
}

static int cgroup_write(struct vplat_hreg_cgroup *c, uint32_t vm, bool freeze)
{
	if (vm >= VPLAT_HREG_MAX_VMS || c->fd[vm] < 0)
		return VPLAT_EINVAL;
	const char *s = c->v2[vm] ? (freeze ? "1" : "0") : (freeze ? "FROZEN" : "THAWED");
	ssize_t n = pwrite(c->fd[vm], s, strlen(s), 0);
	return n == (ssize_t)strlen(s) ? 0 : VPLAT_EIO;
}

static int cgroup_stop(void *ctx, uint32_t vm)
{
	return cgroup_write(ctx, vm, true);
}

static int cgroup_resume(void *ctx, uint32_t vm)
{
	return cgroup_write(ctx, vm, false);
}

const struct vplat_hreg_throttle_ops vplat_hreg_cgroup_throttle = {
	.name = "cgroup-freezer", .stop = cgroup_stop, .resume = cgroup_resume};
