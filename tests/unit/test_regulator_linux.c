/* SPDX-License-Identifier: BSD-3-Clause */
#define _GNU_SOURCE
/* Linux host part of the memory-bandwidth regulator (vplat/host/regulator_linux.h): the
 * poller with a simulated source and throttle, PMU detection, the perf task-clock source, the
 * signal throttle and the cgroup freezer on real child processes. No timing assertions. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "testutil.h"
#include "vplat/error.h"
#include "vplat/host/regulator_linux.h"

#define MS UINT64_C(1000000)

/* ---- simulated source and throttle ---- */
struct sim {
	uint64_t count[2];
	int fail_read[2];
	int stopped[2];
	int stops, resumes;
};

static int sim_read(void *ctx, uint32_t vm, uint64_t *c)
{
	struct sim *s = ctx;
	if (s->fail_read[vm])
		return VPLAT_EIO;
	*c = s->count[vm];
	return 0;
}

static int sim_stop(void *ctx, uint32_t vm)
{
	struct sim *s = ctx;
	s->stopped[vm] = 1;
	s->stops++;
	return 0;
}

static int sim_resume(void *ctx, uint32_t vm)
{
	struct sim *s = ctx;
	s->stopped[vm] = 0;
	s->resumes++;
	return 0;
}

static const struct vplat_hreg_source_ops sim_src = {.name = "sim", .read = sim_read};
static const struct vplat_hreg_throttle_ops sim_thr = {
	.name = "sim", .stop = sim_stop, .resume = sim_resume};

START_TEST(poller_applies_decisions)
{
	/* covers: VPLAT-FFI-021 VPLAT-FFI-022 */
	struct vplat_hreg h;
	struct sim s;
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(vplat_hreg_init(&h, 0, MS, &sim_src, &s, &sim_thr, &s, 0), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_hreg_init(&h, VPLAT_HREG_MAX_VMS + 1, MS, &sim_src, &s, &sim_thr,
					 &s, 0), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_hreg_init(&h, 2, 1, &sim_src, &s, &sim_thr, &s, 0), VPLAT_ERANGE);
	ck_assert_int_eq(vplat_hreg_init(&h, 2, MS, &sim_src, &s, &sim_thr, &s, 0), 0);
	vplat_reg_set_budget(&h.core, 0, 100);
	vplat_reg_set_budget(&h.core, 1, 100);
	ck_assert_int_eq(vplat_hreg_poll(&h, 0), 0); /* baselines */
	s.count[0] = 150;
	s.count[1] = 50;
	ck_assert_int_eq(vplat_hreg_poll(&h, MS / 2), 1);
	ck_assert(s.stopped[0] && !s.stopped[1]);
	/* A failed read leaves the VM as it is and is counted. */
	s.fail_read[0] = 1;
	ck_assert_int_eq(vplat_hreg_poll(&h, MS), 0);
	ck_assert_uint_eq(h.errors, 1);
	ck_assert(s.stopped[0]);
	s.fail_read[0] = 0;
	ck_assert_int_eq(vplat_hreg_poll(&h, MS + 1), 1);
	ck_assert(!s.stopped[0]);
	/* Release all: stopped VMs resumed, budgets removed. */
	s.count[0] = 300;
	ck_assert_int_eq(vplat_hreg_poll(&h, MS + 2), 1);
	ck_assert(s.stopped[0]);
	ck_assert_int_eq(vplat_hreg_release_all(&h), 0);
	ck_assert(!s.stopped[0]);
	s.count[0] = 100000;
	ck_assert_int_eq(vplat_hreg_poll(&h, MS + 3), 0);
	ck_assert_int_eq(s.stops, 2);
	ck_assert_int_eq(s.resumes, 2);
}
END_TEST

START_TEST(pmu_detected_or_refused)
{
	/* covers: VPLAT-FFI-025 */
	char why[256] = "";
	int have = vplat_hreg_pmu_probe(why, sizeof(why));
	struct vplat_hreg_perf p;
	vplat_hreg_perf_init(&p, VPLAT_HREG_PERF_CACHE_MISSES);
	int rc = vplat_hreg_perf_add(&p, 0, getpid());
	printf("hardware cache-miss counter: %s%s\n", have ? "available" : "NOT available: ", why);
	if (have) {
		ck_assert_int_eq(rc, 0);
	} else {
		/* The detection and the source agree: no silent zero counter. */
		ck_assert(rc == VPLAT_ENOTSUP || rc == VPLAT_EPERM);
		ck_assert(strstr(why, "perf_event_open") != NULL);
		ck_assert_uint_eq(p.n[0], 0);
	}
	vplat_hreg_perf_fini(&p);
}
END_TEST

static pid_t spin_child(volatile uint64_t *counter)
{
	pid_t pid = fork();
	if (pid == 0) {
		for (;;)
			if (counter)
				__atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
	}
	ck_assert_int_gt(pid, 0);
	return pid;
}

static char proc_state(pid_t pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return '?';
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	return p && p[1] ? p[2] : '?';
}

static char wait_state(pid_t pid, int stopped)
{
	char c = '?';
	for (int i = 0; i < 2000; i++) { /* up to 2 s on a loaded machine */
		c = proc_state(pid);
		if ((c == 'T') == (stopped != 0))
			break;
		struct timespec ts = {0, 1000000};
		nanosleep(&ts, NULL);
	}
	return c;
}

static void kill_child(pid_t pid)
{
	kill(pid, SIGKILL);
	kill(pid, SIGCONT);
	waitpid(pid, NULL, 0);
}

START_TEST(task_clock_counts_and_signal_throttles)
{
	/* covers: VPLAT-FFI-021 VPLAT-FFI-025 */
	pid_t pid = spin_child(NULL);
	struct vplat_hreg_perf p;
	vplat_hreg_perf_init(&p, VPLAT_HREG_PERF_TASK_CLOCK);
	int rc = vplat_hreg_perf_add(&p, 0, pid);
	if (rc == VPLAT_EPERM) {
		kill_child(pid);
		VPLAT_SKIP("perf_event_open(task-clock) not permitted here");
	}
	ck_assert_int_eq(rc, 0);
	/* A second counter on the same task: the VM's count is the sum of its counters. */
	ck_assert_int_eq(vplat_hreg_perf_add(&p, 0, pid), 0);
	struct vplat_hreg_signal s;
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(vplat_hreg_signal_add(&s, 0, pid), 0);
	ck_assert_int_eq(vplat_hreg_signal_add(&s, VPLAT_HREG_MAX_VMS, pid), VPLAT_EINVAL);
	struct vplat_hreg h;
	uint64_t t0 = vplat_hreg_now_ns();
	/* A 10 s period: only the budget can release it within this test. */
	ck_assert_int_eq(vplat_hreg_init(&h, 1, 10000 * MS, &vplat_hreg_perf_source, &p,
					 &vplat_hreg_signal_throttle, &s, t0), 0);
	vplat_reg_set_budget(&h.core, 0, 5 * MS); /* 5 ms of CPU time */
	vplat_hreg_poll(&h, t0);
	int stopped = 0;
	for (int i = 0; i < 5000 && !stopped; i++) { /* up to ~5 s of wall time */
		struct timespec ts = {0, 1000000};
		nanosleep(&ts, NULL);
		stopped = vplat_hreg_poll(&h, vplat_hreg_now_ns()) > 0;
	}
	ck_assert_msg(stopped, "the child never used 5 ms of CPU in 5 s");
	ck_assert_int_eq(wait_state(pid, 1), 'T');
	uint64_t sum = 0, a = 0, b = 0;
	ck_assert_int_eq(vplat_hreg_perf_source.read(&p, 0, &sum), 0);
	ck_assert_int_eq(read(p.fd[0][0], &a, sizeof(a)), (int)sizeof(a));
	ck_assert_int_eq(read(p.fd[0][1], &b, sizeof(b)), (int)sizeof(b));
	ck_assert_uint_eq(sum, a + b); /* stopped: the counters stand still */
	ck_assert_uint_gt(a, 0);
	struct vplat_reg_stats st;
	vplat_reg_get_stats(&h.core, 0, &st);
	ck_assert_uint_ge(st.events, 5 * MS);
	printf("task-clock: stopped after %llu ns of CPU (budget 5000000)\n",
	       (unsigned long long)st.events);
	ck_assert_int_eq(vplat_hreg_release_all(&h), 0);
	ck_assert_int_ne(wait_state(pid, 0), 'T');
	vplat_hreg_perf_fini(&p);
	kill_child(pid);
}
END_TEST

START_TEST(shm_source_closed_loop)
{
	/* covers: VPLAT-FFI-021 VPLAT-FFI-022 VPLAT-FFI-023 */
	volatile uint64_t *ctr = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
				      -1, 0);
	ck_assert(ctr != MAP_FAILED);
	pid_t pid = spin_child(ctr);
	struct vplat_hreg_shm shm = {.counters = ctr, .n = 1};
	struct vplat_hreg_signal s;
	memset(&s, 0, sizeof(s));
	vplat_hreg_signal_add(&s, 0, pid);
	struct vplat_hreg h;
	ck_assert_int_eq(vplat_hreg_init(&h, 1, MS, &vplat_hreg_shm_source, &shm,
					 &vplat_hreg_signal_throttle, &s, vplat_hreg_now_ns()), 0);
	vplat_reg_set_budget(&h.core, 0, 1000);
	for (int i = 0; i < 3000; i++) {
		struct timespec ts = {0, 100000};
		nanosleep(&ts, NULL);
		vplat_hreg_poll(&h, vplat_hreg_now_ns());
	}
	struct vplat_reg_stats st;
	vplat_reg_get_stats(&h.core, 0, &st);
	printf("shm closed loop: %llu periods, %llu throttled, overshoot max %llu total %llu, "
	       "%llu events\n", (unsigned long long)st.periods,
	       (unsigned long long)st.periods_throttled, (unsigned long long)st.overshoot_max,
	       (unsigned long long)st.overshoot_total, (unsigned long long)st.events);
	ck_assert_uint_ge(st.throttles, 1);
	ck_assert_uint_ge(st.periods_throttled, 1);
	ck_assert_uint_eq(h.errors, 0);
	ck_assert_int_eq(vplat_hreg_release_all(&h), 0);
	ck_assert_int_ne(wait_state(pid, 0), 'T');
	/* Once released it runs on: the counter moves. */
	uint64_t a = *ctr;
	for (int i = 0; i < 2000 && *ctr == a; i++) {
		struct timespec ts = {0, 1000000};
		nanosleep(&ts, NULL);
	}
	ck_assert_uint_ne(*ctr, a);
	kill_child(pid);
	munmap((void *)ctr, 4096);
}
END_TEST

START_TEST(cgroup_freezer_throttles)
{
	/* covers: VPLAT-FFI-021 */
	struct vplat_hreg_cgroup c;
	vplat_hreg_cgroup_init(&c);
	ck_assert_int_eq(vplat_hreg_cgroup_open(&c, 0, "/nonexistent"), VPLAT_ENOTSUP);
	static const char *const roots[] = {"/sys/fs/cgroup/unified", "/sys/fs/cgroup",
					    "/sys/fs/cgroup/freezer"};
	char dir[256] = "";
	for (unsigned i = 0; i < 3; i++) {
		snprintf(dir, sizeof(dir), "%s/vplat-reg-test-%d", roots[i], (int)getpid());
		if (mkdir(dir, 0755) != 0) {
			dir[0] = 0;
			continue;
		}
		if (vplat_hreg_cgroup_open(&c, 0, dir) == 0)
			break;
		rmdir(dir);
		dir[0] = 0;
	}
	if (!dir[0])
		VPLAT_SKIP("no writable cgroup freezer (v2 cgroup.freeze or v1 freezer.state)");
	printf("cgroup freezer: %s (%s)\n", dir, c.v2[0] ? "v2 cgroup.freeze" : "v1 freezer.state");
	pid_t pid = spin_child(NULL);
	char procs[300];
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	FILE *f = fopen(procs, "w");
	int moved = f && fprintf(f, "%d\n", (int)pid) > 0;
	if (f && fclose(f) != 0)
		moved = 0;
	if (!moved) {
		kill_child(pid);
		vplat_hreg_cgroup_fini(&c);
		rmdir(dir);
		VPLAT_SKIP("could not move a process into %s", dir);
	}
	ck_assert_int_eq(vplat_hreg_cgroup_throttle.stop(&c, 0), 0);
	/* A frozen task: not running (v1 shows D, v2 shows S or T); its CPU time stands still. */
	struct timespec ts = {0, 100 * 1000000};
	nanosleep(&ts, NULL);
	char st1 = proc_state(pid);
	ck_assert_msg(st1 != 'R', "state %c while frozen", st1);
	ck_assert_int_eq(vplat_hreg_cgroup_throttle.resume(&c, 0), 0);
	char st2 = '?';
	for (int i = 0; i < 2000 && st2 != 'R'; i++) {
		nanosleep(&(struct timespec){0, 1000000}, NULL);
		st2 = proc_state(pid);
	}
	ck_assert_msg(st2 == 'R', "state %c after thaw", st2);
	kill_child(pid);
	vplat_hreg_cgroup_fini(&c);
	for (int i = 0; i < 100 && rmdir(dir) != 0; i++)
		nanosleep(&(struct timespec){0, 10000000}, NULL);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("regulator_linux");
	TCase *tc = tcase_create("regulator_linux");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, poller_applies_decisions);
	tcase_add_test(tc, pmu_detected_or_refused);
	tcase_add_test(tc, task_clock_counts_and_signal_throttles);
	tcase_add_test(tc, shm_source_closed_loop);
	tcase_add_test(tc, cgroup_freezer_throttles);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vplat_test_main(suite());
}
