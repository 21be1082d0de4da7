/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vplat-device: vplat's device models as vhost-user back-end daemons, one subcommand per
 * device. The daemon owns the poll loop; the library (vplat/vhost_user.h) exposes fds and a
 * dispatch call.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "vdev.h"
#include "vplat/version.h"

static const struct vdev_type *const types[] = {&vdev_rng,  &vdev_blk,     &vdev_net,
						   &vdev_gpio, &vdev_console, &vdev_can,
						   &vdev_watchdog, &vdev_i2c, &vdev_input, &vdev_vsock,
						   &vdev_sound};
#define NTYPES (sizeof(types) / sizeof(types[0]))

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static const char *const level_names[] = {"error", "warn", "info", "debug"};

void vdev_log(struct vdev *v, enum vplat_vhu_log_level lvl, const char *fmt, ...)
{
	if (lvl > v->level)
		return;
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* ISO-8601 local time with milliseconds and the UTC offset: 2026-01-31T14:05:09.123+01:00 */
	struct timespec ts;
	struct tm tm;
	char when[32] = "", off[8] = "";
	clock_gettime(CLOCK_REALTIME, &ts);
	time_t sec = ts.tv_sec;
	if (localtime_r(&sec, &tm)) {
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
		strftime(off, sizeof(off), "%z", &tm); /* +0100 */
	}
	fprintf(stderr, "%s.%03ld%.3s:%.2s vplat-device[%d] %s: %s\n", when, ts.tv_nsec / 1000000,
		off, off[0] ? off + 3 : "", (int)getpid(), level_names[lvl], line);
}

static void lib_log(void *opaque, enum vplat_vhu_log_level level, const char *msg)
{
	vdev_log(opaque, level, "%s", msg);
}

/* The instance's levels have the values of the back end's. */
static void inst_log(void *opaque, enum vplat_instance_log_level level, const char *msg)
{
	vdev_log(opaque, (enum vplat_vhu_log_level)level, "%s", msg);
}

const char *vdev_optval(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);
	if (strncmp(argv[*i], name, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] != '\0' || *i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

int vdev_ratelimit_option(int argc, char **argv, int *i, const char *ops, const char *ops_burst,
			  struct vplat_ratelimit_config *rl)
{
	const char *val;
	uint64_t *field = NULL, n;
	if ((val = vdev_optval(argc, argv, i, ops)))
		field = &rl->ops_rate;
	else if ((val = vdev_optval(argc, argv, i, ops_burst)))
		field = &rl->ops_burst;
	else if ((val = vdev_optval(argc, argv, i, "--bps")))
		field = &rl->bytes_rate;
	else if ((val = vdev_optval(argc, argv, i, "--bps-burst")))
		field = &rl->bytes_burst;
	if (!field)
		return 0;
	if (!vdev_parse_u64(val, &n) || n > VPLAT_RATELIMIT_MAX_RATE)
		return -1;
	*field = n;
	return 1;
}

static const char common_opts[] =
    "COMMON OPTIONS\n"
    "    --socket PATH       vhost-user socket (required)\n"
    "    --client            connect to PATH instead of listening on it\n"
    "    --reconnect MS      client mode: after a disconnect, reconnect for up to MS ms\n"
    "    --once              exit when the first front-end disconnects\n"
    "    --busy-poll         poll the rings on this thread's core instead of sleeping\n"
    "                        until a kick (lower latency and higher rates with a core of\n"
    "                        its own: pin it, e.g. taskset -c 1); after 2 ms without work\n"
    "                        it sleeps until the next kick, so an idle daemon burns no core;\n"
    "                        blk also reaps its io_uring completions on every pass and\n"
    "                        does at once what cannot wait for a disk (an image on tmpfs,\n"
    "                        cached reads) instead of handing it to io_uring's workers\n"
    "    --threads N         serve the queues from N threads of their own (blk: queue q\n"
    "                        on thread q mod N, N <= --num-queues), each with its own\n"
    "                        epoll or busy-poll loop and, with io_uring, its own ring;\n"
    "                        the main thread keeps the vhost-user socket. Devices other\n"
    "                        than blk share host-end state between queues: refused\n"
    "    --log-level LEVEL   error, warn, info (default) or debug; logs go to stderr\n"
    "    -h, --help          this text\n";

static const char exit_status[] = "EXIT STATUS\n"
				  "    0   clean shutdown (SIGTERM, SIGINT, or --once)\n"
				  "    1   run-time failure (socket, device or host resource)\n"
				  "    2   bad command line\n"
				  "    3   watchdog expired (watchdog --action exit)\n";

static void usage(FILE *f)
{
	fprintf(f, "NAME\n    vplat-device - vplat virtio devices as vhost-user back-ends\n\n"
		   "SYNOPSIS\n    vplat-device DEVICE --socket PATH [OPTIONS]\n"
		   "    vplat-device DEVICE --help\n"
		   "    vplat-device --version\n\n"
		   "DESCRIPTION\n"
		   "    Serves one vplat device model to a vhost-user front-end (QEMU, DPDK\n"
		   "    virtio-user, vplat's own front-end). By default it listens on PATH and\n"
		   "    serves one front-end at a time, accepting the next one after a disconnect;\n"
		   "    the inflight region given by the front-end lets a restarted daemon resume\n"
		   "    requests a killed one had taken. Every peer message is validated; a\n"
		   "    front-end that breaks the protocol is disconnected.\n\n"
		   "DEVICES\n");
	for (size_t i = 0; i < NTYPES; i++)
		fprintf(f, "    %-8s %s\n", types[i]->name, types[i]->summary);
	fprintf(f, "\n%s\n%s", common_opts, exit_status);
}

static void type_usage(const struct vdev_type *t)
{
	printf("NAME\n    vplat-device %s - %s\n\nSYNOPSIS\n    vplat-device %s --socket PATH "
	       "[OPTIONS]\n\n%s\n%s\n%s",
	       t->name, t->summary, t->name, t->help, common_opts, exit_status);
}

/* Parse common and device options. 0 = go on, 1 = help printed, -1 = usage error. */
static int parse(struct vdev *v, int argc, char **argv)
{
	for (int i = 2; i < argc; i++) {
		const char *val;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			type_usage(v->type);
			return 1;
		} else if ((val = vdev_optval(argc, argv, &i, "--socket"))) {
			v->socket_path = val;
		} else if (!strcmp(argv[i], "--client")) {
			v->client = true;
		} else if (!strcmp(argv[i], "--once")) {
			v->once = true;
		} else if (!strcmp(argv[i], "--busy-poll")) {
			v->busy_poll = true;
		} else if ((val = vdev_optval(argc, argv, &i, "--threads"))) {
			uint64_t n;
			if (!vdev_parse_u64(val, &n) || n < 1 || n > VPLAT_VHU_MAX_QUEUES) {
				fprintf(stderr, "vplat-device %s: bad option --threads %s (1..%u)\n",
					v->type->name, val, VPLAT_VHU_MAX_QUEUES);
				return -1;
			}
			v->threads = (unsigned)n;
		} else if ((val = vdev_optval(argc, argv, &i, "--reconnect"))) {
			uint64_t ms;
			if (!vdev_parse_u64(val, &ms) || ms > 86400000u)
				return -1;
			v->reconnect_ms = (int)ms;
		} else if ((val = vdev_optval(argc, argv, &i, "--log-level"))) {
			size_t l = 0;
			while (l < 4 && strcmp(val, level_names[l]))
				l++;
			if (l == 4)
				return -1;
			v->level = (enum vplat_vhu_log_level)l;
		} else {
			int at = i;
			int r = v->type->option(v, argc, argv, &i);
			if (r == 0) {
				fprintf(stderr, "vplat-device %s: unknown option, or no value given: %s\n",
					v->type->name, argv[at]);
				return -1;
			}
			if (r < 0) {
				if (i > at)
					fprintf(stderr, "vplat-device %s: bad value for %s: '%s'\n",
						v->type->name, argv[at], argv[i]);
				else
					fprintf(stderr, "vplat-device %s: bad option %s\n", v->type->name,
						argv[at]);
				return -1;
			}
		}
	}
	if (!v->socket_path) {
		fprintf(stderr, "vplat-device %s: --socket PATH is required\n", v->type->name);
		return -1;
	}
	return 0;
}

static int dispatch_host(void *arg)
{
	return vplat_instance_dispatch(arg);
}

/* Busy polling, after every pass over the rings: blk's asynchronous completions (a look at
 * the io_uring completion queue, no system call while nothing completed); a positive count
 * is work. */
static int busy_host_pass(void *arg)
{
	unsigned n = vplat_instance_busy_poll(arg);
	return n > (unsigned)INT32_MAX ? INT32_MAX : (int)n;
}

/* Serve one connection until it ends or a signal arrives. Host-end work (asynchronous
 * completions, received frames) writes guest memory: it runs under the back-end's SIGBUS
 * guard like the back-end's own handlers, so a front-end that truncates its memory file
 * loses its session instead of killing the daemon. */
static void serve(struct vdev *v)
{
	struct vplat_vhu_pollfd pf[VPLAT_VHU_MAX_QUEUES + 1];
	struct pollfd p[VPLAT_VHU_MAX_QUEUES + 1 + VDEV_HOST_FDS];
	int hfd[VDEV_HOST_FDS];
	/* Busy polling: vplat_vhu_busy_spin() turns on this thread's core, with the fall-back to
	 * sleeping on the kick fds after 2 ms without work. */
	struct vplat_vhu_busy busy = {0};
	struct vplat_vhu_backend *be[1] = {&v->be};
	while (!stop_signal && vplat_vhu_backend_connected(&v->be)) {
		size_t n = vplat_vhu_backend_pollfds(&v->be, pf, VPLAT_VHU_MAX_QUEUES + 1);
		for (size_t i = 0; i < n; i++)
			p[i] = (struct pollfd){.fd = pf[i].fd, .events = POLLIN};
		unsigned nh = v->threads ? 0 : vplat_instance_fds(v->inst, hfd, VDEV_HOST_FDS);
		for (unsigned i = 0; i < nh; i++)
			p[n + i] = (struct pollfd){.fd = hfd[i], .events = POLLIN};
		int tmo = v->threads ? -1 : vplat_instance_timeout_ms(v->inst);
		if (v->busy_poll && !v->threads) {
			bool idle = vplat_vhu_busy_spin(&busy, be, 1,
							v->host_busy ? busy_host_pass : NULL, v->inst,
							&stop_signal);
			/* The reaped completions left the host end's eventfd readable: drain it
			 * before sleeping, or the poll(2) below returns at once. */
			if (idle && v->host_busy)
				(void)vplat_vhu_backends_guard(be, 1, dispatch_host, v->inst);
			if (!(idle && vplat_vhu_backends_rearm(be, 1) == 0))
				tmo = 0; /* still busy: look at the fds without sleeping, spin again */
		}
		int r = poll(p, n + nh, tmo >= 0 && tmo < 1000 ? tmo : 1000);
		if (r < 0 && errno != EINTR)
			break;
		for (size_t i = n; r > 0 && i-- > 0;) /* kicks first; the socket (entry 0) last */
			if ((p[i].revents & (POLLIN | POLLHUP | POLLERR)) &&
			    vplat_vhu_backend_handle(&v->be, &pf[i]))
				break;
		/* With queue threads the host end is theirs (one per queue): this thread keeps
		 * off the device's state. */
		struct vplat_vhu_backend *bs[1] = {&v->be};
		if (!v->threads &&
		    vplat_vhu_backends_guard(bs, 1, dispatch_host, v->inst) == VPLAT_EFAULT)
			break;
	}
}

/* Wait for a front-end; the device's host end (e.g. a control socket) is served meanwhile. */
static int accept_one(struct vdev *v, int lfd)
{
	struct pollfd p[1 + VDEV_HOST_FDS];
	int hfd[VDEV_HOST_FDS];
	while (!stop_signal) {
		unsigned nh = vplat_instance_fds(v->inst, hfd, VDEV_HOST_FDS);
		p[0] = (struct pollfd){.fd = lfd, .events = POLLIN};
		for (unsigned i = 0; i < nh; i++)
			p[1 + i] = (struct pollfd){.fd = hfd[i], .events = POLLIN};
		int r = poll(p, 1 + nh, 1000);
		if (r > 0 && nh)
			vplat_instance_dispatch(v->inst);
		if (r <= 0 || !(p[0].revents & POLLIN))
			continue;
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0)
			return fd;
		if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED)
			return -1;
	}
	return -1;
}

/* Before listening on @p path (which replaces whatever is there): refuse to steal a socket a
 * live back end listens on, or to delete a file that is not a socket. */
static bool socket_path_free(struct vdev *v, const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return true;
	if (!S_ISSOCK(st.st_mode)) {
		vdev_log(v, VPLAT_VHU_LOG_ERROR,
			 "%s exists and is not a socket: refusing to replace it (remove it, or choose "
			 "another --socket)", path);
		return false;
	}
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || strlen(path) >= sizeof(sa.sun_path)) {
		if (fd >= 0)
			close(fd);
		return true;
	}
	memcpy(sa.sun_path, path, strlen(path));
	bool live = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	if (live) {
		vdev_log(v, VPLAT_VHU_LOG_ERROR,
			 "socket %s is in use: another back end is listening on it (stop that one, or "
			 "choose another --socket)", path);
		return false;
	}
	vdev_log(v, VPLAT_VHU_LOG_DEBUG, "replacing stale socket %s", path);
	return true;
}

static int run(struct vdev *v)
{
	int lfd = -1;
	if (!v->client) {
		if (!socket_path_free(v, v->socket_path))
			return VDEV_EXIT_FAIL;
		errno = 0;
		lfd = vplat_vhu_listen(v->socket_path);
		if (lfd < 0) {
			vdev_log(v, VPLAT_VHU_LOG_ERROR, "cannot listen on %s: %s", v->socket_path,
				 errno ? strerror(errno) : vplat_strerror(lfd));
			return VDEV_EXIT_FAIL;
		}
		vdev_log(v, VPLAT_VHU_LOG_INFO, "listening on %s", v->socket_path);
	}
	int rc = VDEV_EXIT_OK, connections = 0;
	while (!stop_signal) {
		int fd = v->client ? vplat_vhu_connect(v->socket_path,
						       connections ? (uint32_t)v->reconnect_ms : 5000)
				   : accept_one(v, lfd);
		if (fd < 0) {
			if (!stop_signal) {
				vdev_log(v, VPLAT_VHU_LOG_ERROR, "no front-end on %s", v->socket_path);
				rc = VDEV_EXIT_FAIL;
			}
			break;
		}
		connections++;
		vplat_vhu_backend_set_conn(&v->be, fd);
		serve(v);
		vplat_vhu_backend_disconnect(&v->be);
		if (v->once || (v->client && !v->reconnect_ms))
			break;
	}
	if (stop_signal)
		vdev_log(v, VPLAT_VHU_LOG_INFO, "signal %d: shutting down", (int)stop_signal);
	if (lfd >= 0) {
		close(lfd);
		unlink(v->socket_path);
	}
	return rc;
}

static unsigned queue_fds(void *opaque, uint16_t q, int *fds, unsigned max)
{
	return vplat_instance_queue_fds(opaque, q, fds, max);
}

static void queue_dispatch(void *opaque, uint16_t q)
{
	vplat_instance_queue_dispatch(opaque, q);
}

/* --threads: check the combination before the device is created; 0 or VDEV_EXIT_USAGE. */
static int threads_check(struct vdev *v)
{
	if (!v->threads)
		return 0;
	const char *why = NULL;
	const struct vplat_instance_blk *o = &v->opt.blk;
	if (v->opt.type != VPLAT_INSTANCE_BLK)
		why = "only blk serves its queues from threads of their own";
	else if (v->threads > (o->num_queues ? o->num_queues : 1u))
		why = "more threads than queues (--num-queues)";
	else if (o->ratelimit.ops_rate || o->ratelimit.bytes_rate)
		why = "the rate limit is one for all queues: not with --threads";
	if (why) {
		vdev_log(v, VPLAT_VHU_LOG_ERROR, "--threads %u: %s", v->threads, why);
		return VDEV_EXIT_USAGE;
	}
	v->opt.blk.queue_hosts = true; /* one io_uring per queue, polled on its thread */
	return 0;
}

static int start_threads(struct vdev *v)
{
	if (!v->threads)
		return 0;
	struct vplat_vhu_threads_params tp = {.nthreads = (uint16_t)v->threads,
					      .group = 1,
					      .busy_poll = v->busy_poll,
					      .host_fds = queue_fds,
					      .host_dispatch = queue_dispatch,
					      .opaque = v->inst};
	int rc = vplat_vhu_backend_start_threads(&v->be, &tp);
	if (rc)
		vdev_log(v, VPLAT_VHU_LOG_ERROR, "cannot start %u queue threads: %s", v->threads,
			 vplat_strerror(rc));
	return rc;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "--version")) {
		printf("vplat-device (vplat) %s\n", vplat_version());
		return VDEV_EXIT_OK;
	}
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? VDEV_EXIT_USAGE : VDEV_EXIT_OK;
	}
	static struct vdev v = {.level = VPLAT_VHU_LOG_INFO};
	for (size_t i = 0; i < NTYPES; i++)
		if (!strcmp(argv[1], types[i]->name))
			v.type = types[i];
	if (!v.type) {
		fprintf(stderr, "vplat-device: unknown device '%s' (try --help)\n", argv[1]);
		return VDEV_EXIT_USAGE;
	}
	int pr = parse(&v, argc, argv);
	if (pr)
		return pr > 0 ? VDEV_EXIT_OK : VDEV_EXIT_USAGE;
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	v.opt.type = v.type->type;
	v.opt.log = inst_log;
	v.opt.log_opaque = &v;
	if (v.type->configure && !v.type->configure(&v))
		return VDEV_EXIT_FAIL;
	if (threads_check(&v))
		return VDEV_EXIT_USAGE;
	/* An asynchronous block end completes split-ring requests out of order (recovered
	 * exactly) and packed-ring requests in order (vplat_blk_config.packed_in_order). */
	bool in_order = vplat_instance_in_order(v.opt.type);
	struct vplat_vhu_backend_params bp = {.log = lib_log, .log_opaque = &v, .log_level = v.level,
					      .completes_in_order = in_order};
	vplat_vhu_backend_init(&v.be, &bp);
	char err[512];
	/* A busy-polling blk daemon has a core of its own: what io_uring would hand to a kernel
	 * worker and cannot wait for a device (tmpfs, cached reads) is done at once. */
	if (v.busy_poll && v.opt.type == VPLAT_INSTANCE_BLK)
		v.opt.blk.async_inline = true;
	int rc = vplat_instance_create(&v.inst, vplat_vhu_backend_mem(&v.be), &v.opt, err,
				       sizeof(err));
	if (rc) {
		vdev_log(&v, VPLAT_VHU_LOG_ERROR, "%s", err);
		if (v.opt.type == VPLAT_INSTANCE_NET && rc == VPLAT_EPERM)
			vdev_log(&v, VPLAT_VHU_LOG_ERROR,
				 "a tap needs CAP_NET_ADMIN: run as root, or grant it with 'setcap "
				 "cap_net_admin+ep vplat-device', or create the tap for your user first "
				 "('ip tuntap add dev NAME mode tap user $USER') and pass --tap NAME");
	} else {
		/* blk's asynchronous end: busy polling reaps its completions on every pass */
		v.host_busy = v.busy_poll && v.opt.type == VPLAT_INSTANCE_BLK;
		rc = vplat_vhu_backend_attach(&v.be, vplat_instance_device(v.inst)) || start_threads(&v)
			 ? VDEV_EXIT_FAIL
			 : run(&v);
	}
	vplat_vhu_backend_fini(&v.be);
	vplat_instance_destroy(v.inst);
	return rc ? VDEV_EXIT_FAIL : VDEV_EXIT_OK;
}
