/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench/vhost_net_lat: request/response latency between two virtio-net drivers (vplat's
 * vhost-user front end, two connections in this process) through a back end that connects
 * them: vplat's learning switch (`vplat-platform run` serving two virtio-net devices on one
 * switch as vhost-user back ends, event-driven and with --busy-poll), and as the peer DPDK
 * testpmd with two net_vhost ports in io forwarding mode (port 0 <-> port 1, busy polling),
 * where dpdk-testpmd exists. --rounds N runs the three back ends N times in turn (same
 * minutes for each) and prints each round and the rounds merged.
 *
 * Driver A sends a 64-byte frame to B; driver B, as soon as it sees it, sends a frame back;
 * A's round-trip time is the figure. Open loop: exchange i is due at t0 + i/rate, latency
 * counts from the due time (a late start is charged). One exchange in flight at a time.
 * The back end runs on one CPU, the two drivers on the other. Prints p50/p99/p99.9 and the
 * exact command line of each back end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "hist.h"
#include "two_vm_dts.h"
#include "vplat/net.h"
#include "vplat/val/vhost_user_frontend.h"
#include "vplat/val/val.h"

#define NRX   64u
#define FLEN  64u
#define HDR   12u /* virtio_net_hdr with VERSION_1 */
#define QSIZE 128u
#define CLOSED 1000 /* closed-loop exchanges: capacity and the closed-loop view */

struct drv {
	struct vplat_vhu_frontend fe;
	struct vplat_val_dev d;
	struct vplat_val_vq rxq, txq;
	uint8_t *rx[NRX], *tx;
	bool up;
};

static void pin(int cpu)
{
	if (cpu < 0)
		return;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* Undo the drivers' pinning in a child that places its own threads (testpmd's -l). */
static void pin_all(void)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	for (long i = 0; i < sysconf(_SC_NPROCESSORS_ONLN) && i < CPU_SETSIZE; i++)
		CPU_SET((int)i, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static int drv_up(struct drv *n, const char *sock, uint8_t me, uint8_t peer)
{
	memset(n, 0, sizeof(*n));
	struct vplat_vhu_frontend_params p = {.path = sock, .device_id = VPLAT_VIRTIO_ID_NET,
					      .mem_size = 4u << 20, .queue_size_max = QSIZE};
	int rc = vplat_vhu_frontend_init(&n->fe, &p);
	if (rc)
		return rc;
	n->up = true;
	if ((rc = vplat_vhu_frontend_val_init(&n->fe, &n->d)) ||
	    (rc = vplat_val_negotiate(&n->d, VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1))) ||
	    (rc = vplat_val_vq_setup(&n->d, &n->rxq, 0, QSIZE)) ||
	    (rc = vplat_val_vq_setup(&n->d, &n->txq, 1, QSIZE)))
		return rc;
	struct vplat_val_mem *dma = vplat_vhu_frontend_dma(&n->fe);
	for (unsigned i = 0; i < NRX; i++)
		if (!(n->rx[i] = vplat_val_alloc(dma, 2048, 8, NULL)))
			return VPLAT_ENOMEM;
	if (!(n->tx = vplat_val_alloc(dma, HDR + FLEN, 8, NULL)))
		return VPLAT_ENOMEM;
	memset(n->tx, 0, HDR + FLEN);
	uint8_t *f = n->tx + HDR;
	memcpy(f, (uint8_t[]){2, 0, 0, 0, 0, peer, 2, 0, 0, 0, 0, me, 0x88, 0xb5}, 14);
	if ((rc = vplat_val_driver_ok(&n->d)))
		return rc;
	for (unsigned i = 0; i < NRX; i++) {
		struct vplat_val_buf b = {.ptr = n->rx[i], .len = 2048};
		if ((rc = vplat_val_vq_add(&n->rxq, &b, 0, 1, (void *)(uintptr_t)(i + 1))))
			return rc;
	}
	vplat_val_vq_kick(&n->rxq);
	return 0;
}

static void drv_down(struct drv *n)
{
	if (!n->up)
		return;
	vplat_val_vq_fini(&n->rxq);
	vplat_val_vq_fini(&n->txq);
	vplat_vhu_frontend_fini(&n->fe);
	n->up = false;
}

static int drv_send(struct drv *n, uint32_t seq)
{
	void *tok;
	while (vplat_val_vq_get_used(&n->txq, &tok, NULL) == 0)
		; /* reap earlier sends */
	memcpy(n->tx + HDR + 14, &seq, sizeof(seq));
	struct vplat_val_buf b = {.ptr = n->tx, .len = HDR + FLEN};
	int rc = vplat_val_vq_add(&n->txq, &b, 1, 0, (void *)1);
	if (rc)
		return rc;
	vplat_val_vq_kick(&n->txq);
	return 0;
}

/* Wait for frame @p seq (skipping others: floods, stale frames); re-post every buffer. */
static int drv_recv(struct drv *n, uint32_t seq, int timeout_ms)
{
	for (;;) {
		void *tok;
		uint32_t len;
		int rc = vplat_val_wait_used(&n->rxq, &tok, &len, (uint32_t)timeout_ms);
		if (rc)
			return rc;
		unsigned i = (unsigned)(uintptr_t)tok - 1u;
		if (i >= NRX)
			return VPLAT_EPROTO;
		uint32_t got = ~seq;
		if (len >= HDR + 18)
			memcpy(&got, n->rx[i] + HDR + 14, sizeof(got));
		struct vplat_val_buf b = {.ptr = n->rx[i], .len = 2048};
		vplat_val_vq_add(&n->rxq, &b, 0, 1, tok);
		vplat_val_vq_kick(&n->rxq);
		if (got == seq)
			return 0;
	}
}

/* One exchange: A sends @p seq to B, B answers with seq | bit 31 to A. */
static int exchange(struct drv *a, struct drv *b, uint32_t seq, int timeout_ms)
{
	int rc = drv_send(a, seq);
	if (!rc)
		rc = drv_recv(b, seq, timeout_ms);
	if (!rc)
		rc = drv_send(b, seq | 0x80000000u);
	if (!rc)
		rc = drv_recv(a, seq | 0x80000000u, timeout_ms);
	return rc;
}

struct cfg {
	const char *platform, *dir;
	double rate, seconds;
	int cpu_be, cpu_drv, rounds;
	const char *busy_idle; /* vplat-platform run --busy-idle MS */
	bool machine;
};

static pid_t spawn(const struct cfg *c, char *const *av, const char *wait_sock, bool do_pin)
{
	pid_t p = fork();
	if (p == 0) {
		if (do_pin)
			pin(c->cpu_be);
		else
			pin_all();
		int fd = fileno(fopen("/dev/null", "w"));
		if (fd >= 0 && !getenv("VNL_VERBOSE")) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp(av[0], av);
		_exit(127);
	}
	for (int i = 0; i < 1000; i++) {
		struct stat st;
		if (stat(wait_sock, &st) == 0 && S_ISSOCK(st.st_mode))
			return p;
		if (waitpid(p, NULL, WNOHANG) == p)
			return -1;
		usleep(10000);
	}
	kill(p, SIGKILL);
	waitpid(p, NULL, 0);
	return -1;
}

static int measure(const struct cfg *c, const char *sa, const char *sb, struct bh *h,
		   struct bh *hc, double *rate)
{
	static struct drv a, b;
	int rc = drv_up(&a, sa, 1, 2);
	if (!rc)
		rc = drv_up(&b, sb, 2, 1);
	if (rc) {
		fprintf(stderr, "bench-vhost-net-lat: driver set-up failed: %s\n", vplat_strerror(rc));
		drv_down(&a);
		drv_down(&b);
		return -1;
	}
	/* warm-up: the switch learns both MACs; DPDK's ports come up */
	uint32_t seq = 0;
	for (int k = 0, fails = 0; k < 100 && !rc; k++, seq++) {
		rc = exchange(&a, &b, seq, 200);
		if (rc && ++fails < 10) { /* a back end still starting: retry */
			rc = 0;
			usleep(20000);
		}
	}
	if (rc)
		fprintf(stderr, "bench-vhost-net-lat: no frame came through in the warm-up\n");
	/* Closed-loop capacity (CLOSED exchanges back to back): the open-loop rate must stay well
	 * below it, or the figure is the backlog's, not the back end's. The first back end
	 * measured fixes the rate for all (same load for each). */
	if (rc) {
		drv_down(&a);
		drv_down(&b);
		return -1;
	}
	uint64_t t0 = bh_now_ns();
	for (int k = 0; k < CLOSED && !rc; k++, seq++) {
		uint64_t s0 = bh_now_ns();
		rc = exchange(&a, &b, seq, 2000);
		if (!rc)
			bh_add(hc, bh_now_ns() - s0); /* closed-loop view: each exchange on its own */
	}
	double cap = CLOSED * 1e9 / (double)(bh_now_ns() - t0 + 1);
	if (*rate <= 0)
		*rate = cap / 4 < c->rate ? cap / 4 : c->rate;
	if (*rate < 10)
		*rate = 10;
	printf("bench-vhost-net-lat: closed-loop capacity %.0f exchanges/s; open loop at %.0f/s\n",
	       cap, *rate);
	struct bh_pace pace;
	uint64_t n = (uint64_t)(c->seconds * *rate);
	bh_pace_init(&pace, (uint64_t)(1e9 / *rate));
	for (uint64_t i = 0; i < n && !rc; i++, seq++) {
		uint64_t due = bh_pace_next(&pace);
		rc = exchange(&a, &b, seq, 2000);
		if (!rc)
			bh_add(h, bh_now_ns() - due);
	}
	if (rc)
		fprintf(stderr, "bench-vhost-net-lat: exchange %u failed: %s\n", seq, vplat_strerror(rc));
	drv_down(&a);
	drv_down(&b);
	return rc ? -1 : 0;
}

static void merge(struct bh *to, const struct bh *from)
{
	to->n += from->n;
	to->sum += from->sum;
	to->min = from->min < to->min ? from->min : to->min;
	to->max = from->max > to->max ? from->max : to->max;
	for (unsigned i = 0; i < BH_BUCKETS; i++)
		to->b[i] += from->b[i];
}

static void print_cmd(const char *pre, char *const *av)
{
	fputs(pre, stdout);
	for (int i = 0; av[i]; i++)
		printf("%s%s", i ? " " : "", av[i]);
	putchar('\n');
}

/* One back end: print its command line, start it (pinned to the back end's CPU or placing
 * its own threads), measure through sockets @p sa and @p sb, stop it with @p sig. */
static bool run_backend(const struct cfg *c, const char *label, const char *mlabel,
			char *const *av, bool do_pin, int sig, const char *sa, const char *sb,
			struct bh *h, struct bh *hc, double *rate)
{
	char pre[96];
	static unsigned printed; /* each command line once (bit per back end) */
	unsigned bit = 1u << (label[0] == 'd' ? 2 : strstr(label, "busy") ? 1 : 0);
	bool first = !(printed & bit);
	printed |= bit;
	snprintf(pre, sizeof(pre), "command %s: ", label);
	if (first)
		print_cmd(pre, av);
	if (c->machine && first) {
		snprintf(pre, sizeof(pre), "CMD %s ", mlabel);
		print_cmd(pre, av);
	}
	fflush(stdout);
	bh_init(h);
	bh_init(hc);
	bool ok = false;
	pid_t p = spawn(c, av, sb, do_pin);
	if (p > 0) {
		ok = measure(c, sa, sb, h, hc, rate) == 0;
		kill(p, sig);
		waitpid(p, NULL, 0);
	} else {
		fprintf(stderr, "bench-vhost-net-lat: %s did not start\n", av[0]);
	}
	unlink(sa);
	unlink(sb);
	return ok;
}

int main(int argc, char **argv)
{
	struct cfg c = {.dir = "/dev/shm", .rate = 500, .seconds = 3, .cpu_be = -2, .cpu_drv = -2,
			.rounds = 1, .busy_idle = "1000"};
	const char *testpmd = "dpdk-testpmd";
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			printf("NAME\n    bench-vhost-net-lat - request/response latency between two "
			       "virtio-net drivers\n    through vplat's switch (vplat-platform run) and "
			       "through DPDK testpmd net_vhost io forwarding\n\n"
			       "SYNOPSIS\n    bench-vhost-net-lat --vplat-platform PATH [--testpmd "
			       "PATH|none] [--rate R]\n                        [--seconds S] [--dir DIR] "
			       "[--cpus B,D] [--rounds N] [--busy-idle MS] [--machine]\n\n"
			       "DESCRIPTION\n    Driver A sends a 64-byte frame to driver B, B answers; "
			       "exchanges start at a\n    fixed rate (open loop: a quarter of the first back end's\n    "
			       "closed-loop capacity, at most --rate, default 500/s) and each round trip\n"
			       "    counts from its scheduled start. Prints p50/p99/p99.9 "
			       "per back end and its command line.\n"
			       "    Back ends: vplat-platform run (event-driven), vplat-platform run\n"
			       "    --busy-poll --busy-idle MS (default 1000), DPDK testpmd; --rounds N\n"
			       "    runs all three N times in turn and merges the rounds.\n\n"
			       "EXIT STATUS\n    0 measured; 1 vplat's back end failed; 2 bad arguments\n");
			return 0;
		} else if (!strcmp(a, "--vplat-platform") && v) {
			c.platform = v, i++;
		} else if (!strcmp(a, "--testpmd") && v) {
			testpmd = strcmp(v, "none") ? v : NULL, i++;
		} else if (!strcmp(a, "--dir") && v) {
			c.dir = v, i++;
		} else if (!strcmp(a, "--rate") && v && atof(v) >= 1) {
			c.rate = atof(v), i++;
		} else if (!strcmp(a, "--seconds") && v && atof(v) > 0) {
			c.seconds = atof(v), i++;
		} else if (!strcmp(a, "--cpus") && v && sscanf(v, "%d,%d", &c.cpu_be, &c.cpu_drv) == 2) {
			i++;
		} else if (!strcmp(a, "--rounds") && v && atoi(v) >= 1 && atoi(v) <= 100) {
			c.rounds = atoi(v), i++;
		} else if (!strcmp(a, "--busy-idle") && v && atoi(v) >= 1 && atoi(v) <= 4000) {
			c.busy_idle = v, i++;
		} else if (!strcmp(a, "--machine")) {
			c.machine = true;
		} else {
			fprintf(stderr, "bench-vhost-net-lat: bad option %s (see --help)\n", a);
			return 2;
		}
	}
	if (!c.platform) {
		fprintf(stderr, "bench-vhost-net-lat: --vplat-platform PATH is required\n");
		return 2;
	}
	if (c.cpu_be == -2) {
		bool two = sysconf(_SC_NPROCESSORS_ONLN) >= 2;
		c.cpu_be = two ? 1 : -1, c.cpu_drv = two ? 0 : -1;
	}
	signal(SIGPIPE, SIG_IGN);
	pin(c.cpu_drv);
	char w[512], dts[600], sa[600], sb[600];
	snprintf(w, sizeof(w), "%s/vplat-netlat-%d", c.dir, (int)getpid());
	if (mkdir(w, 0700)) {
		perror("bench-vhost-net-lat: mkdir");
		return 1;
	}
	snprintf(dts, sizeof(dts), "%s/p.dts", w);
	snprintf(sa, sizeof(sa), "%s/a.sock", w);
	snprintf(sb, sizeof(sb), "%s/b.sock", w);
	if (write_two_vm_dts(dts))
		return 1;
	printf("bench-vhost-net-lat: 64-byte request/response, at most %.0f exchanges/s for %.1f s "
	       "(open loop), back end on CPU %d, drivers on CPU %d\n",
	       c.rate, c.seconds, c.cpu_be, c.cpu_drv);
	double rate = 0;
	/* 0: vplat event-driven, 1: vplat --busy-poll, 2: DPDK testpmd (busy polling) */
	enum { NB = 3 };
	static struct bh h[NB], hr, hc[NB], hcr;
	bool ok[NB] = {false, false, false}, ran[NB] = {false, false, false};
	const char *names[NB] = {"vplat switch (vplat-platform run)", "vplat switch --busy-poll",
				 "DPDK testpmd net_vhost io fwd"};
	const char *mnames[NB] = {"net-pingpong vplat", "net-pingpong vplat-busy-poll",
				  "net-pingpong dpdk-net_vhost"};
	for (int k = 0; k < NB; k++) {
		bh_init(&h[k]);
		bh_init(&hc[k]);
	}
	char *av0[] = {(char *)c.platform, "run", dts, NULL};
	/* --busy-idle: at the open-loop rates here (a few hundred exchanges/s) the 2 ms default
	 * would put the platform to sleep between exchanges; DPDK's forwarding core never
	 * sleeps. 1000 ms by default: the platform keeps its core while the traffic lasts. */
	char *av0b[] = {(char *)c.platform, "run", dts, "--busy-poll", "--busy-idle",
			(char *)c.busy_idle, NULL};
	bool have_pmd = testpmd && (strchr(testpmd, '/') ? access(testpmd, X_OK) == 0
				    : system("command -v dpdk-testpmd >/dev/null 2>&1") == 0);
	char v0[700], v1[700], core[32], mcore[16], pfx[64];
	snprintf(v0, sizeof(v0), "net_vhost0,iface=%s,queues=1", sa);
	snprintf(v1, sizeof(v1), "net_vhost1,iface=%s,queues=1", sb);
	/* testpmd needs a main lcore besides the forwarding one: main on the drivers'
	 * CPU (it sleeps), forwarding (busy polling) on the back end's. */
	int fwd = c.cpu_be < 0 ? 1 : c.cpu_be, mainc = c.cpu_drv < 0 ? 0 : c.cpu_drv;
	snprintf(core, sizeof(core), "%d,%d", mainc < fwd ? mainc : fwd, mainc < fwd ? fwd : mainc);
	snprintf(mcore, sizeof(mcore), "%d", mainc);
	snprintf(pfx, sizeof(pfx), "--file-prefix=vnl%d", (int)getpid());
	/* --stats-period: without it testpmd (not interactive) waits for Enter on stdin
	 * and, given no terminal, reads EOF at once and stops forwarding before the first
	 * frame (why the peer forwarded nothing before); with it testpmd loops until
	 * SIGINT. */
	char *av1[] = {(char *)testpmd, "-l", core, "--main-lcore", mcore, "--no-huge", "-m", "512", "--no-pci", pfx,
		       "--vdev", v0, "--vdev", v1, "--", "--forward-mode=io",
		       "--auto-start", "--no-lsc-interrupt", "--total-num-mbufs=4096",
		       "--stats-period=3600", NULL};
	if (!have_pmd)
		printf("bench-vhost-net-lat: no dpdk-testpmd: peer skipped\n");
	for (int r = 0; r < c.rounds; r++) {
		for (int k = 0; k < NB; k++) {
			if (k == 2 && !have_pmd)
				continue;
			bool one = k == 0   ? run_backend(&c, "vplat", mnames[0], av0, true, SIGTERM,
							  sa, sb, &hr, &hcr, &rate)
				   : k == 1 ? run_backend(&c, "vplat-busy-poll", mnames[1], av0b, true,
							  SIGTERM, sa, sb, &hr, &hcr, &rate)
					    : run_backend(&c, "dpdk", mnames[2], av1, false, SIGINT,
							  sa, sb, &hr, &hcr, &rate);
			if (!one)
				continue;
			ran[k] = true;
			ok[k] = true;
			if (c.rounds > 1) {
				char lab[64];
				snprintf(lab, sizeof(lab), "round %d: %s", r + 1,
					 k == 0 ? "vplat" : k == 1 ? "vplat --busy-poll" : "dpdk");
				bh_print_head(stdout);
				bh_print(stdout, lab, &hr);
				strncat(lab, " closed loop", sizeof(lab) - strlen(lab) - 1);
				bh_print(stdout, lab, &hcr);
			}
			merge(&h[k], &hr);
			merge(&hc[k], &hcr);
		}
	}
	unlink(dts);
	rmdir(w);
	if (c.rounds > 1)
		printf("all %d rounds merged:\n", c.rounds);
	bh_print_head(stdout);
	for (int k = 0; k < NB; k++) {
		if (!ran[k])
			continue;
		bh_print(stdout, names[k], &h[k]);
		if (c.machine)
			bh_print_machine(stdout, mnames[k], &h[k]);
	}
	printf("closed loop (%d exchanges back to back per round; each timed on its own):\n",
	       CLOSED);
	bh_print_head(stdout);
	for (int k = 0; k < NB; k++)
		if (ran[k])
			bh_print(stdout, names[k], &hc[k]);
	return ok[0] && ok[1] ? 0 : 1;
}
