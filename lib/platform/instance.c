/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Device instances: each device model paired with its host end (vplat/platform/instance.h).
 * The only place that does this pairing; the platform loader and vplat-device use it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "vplat/blk.h"
#include "vplat/can.h"
#include "vplat/console.h"
#include "vplat/error.h"
#include "vplat/fabric/can_bus.h"
#include "vplat/fabric/switch.h"
#include "vplat/gpio.h"
#include "vplat/i2c.h"
#include "vplat/host/i2c_host.h"
#include "vplat/input.h"
#include "vplat/host/input_host.h"
#include "vplat/vsock.h"
#include "vplat/host/vsock_host.h"
#include "vplat/host/snd_host.h"
#include "vplat/snd.h"
#include "vplat/host/blk_file.h"
#include "vplat/host/can_socketcan.h"
#include "vplat/host/console_fd.h"
#include "vplat/host/features.h"
#include "vplat/host/gpio_host.h"
#include "vplat/host/net_host.h"
#include "vplat/host/rng_host.h"
#include "vplat/net.h"
#include "vplat/platform/instance.h"
#include "vplat/rng.h"
#include "vplat/watchdog.h"
#include "pf_error.h"

extern char **environ;

#define I_BLK_REQS 128u
#define I_ECHO_MAX 64u
#define I_NAME_CAP 33u /* bytes per packed GPIO line name, NUL included */

struct i_blk {
	struct vplat_blk_file f;
	bool open;
	struct vplat_blk_aio aio;
	bool aio_on;
	struct vplat_blk_aio *qaio; /* queue_hosts: one per queue, or NULL */
	uint16_t nqaio;             /* entries of qaio initialised */
	struct vplat_blk blk;
	struct vplat_blk_req *reqs;
};

struct i_con_end {
	struct vplat_console_fd fd;
	bool open; /* fd is one of ours, to dispatch and close */
};

struct i_con {
	struct i_con_end *ends; /* port 0, then the options' ports in order */
	unsigned nends;
	struct vplat_console con;
};

struct i_net {
	struct vplat_switch_net_port port;
	struct vplat_net_tap tap;
	uint64_t sunk;
	uint64_t sunk_group; /* of them, frames to a group (multicast/broadcast) address */
	struct vplat_net net;
};

struct i_gpio {
	struct vplat_gpio_sim *sim;
	struct vplat_gpio_gpiod *chip; /* GPIOD */
	struct vplat_gpio_line *lines;
	uint8_t *names;
	bool init;
	struct vplat_gpio gpio;
};

struct i_can {
	struct vplat_can_socketcan *sock;
	struct vplat_canbus *own_bus; /* ECHO: the private bus */
	struct vplat_canbus_node *node, *echo;
	struct vplat_can_frame pending[I_ECHO_MAX]; /* frames the echo node sends back */
	unsigned npending;
	struct vplat_can can;
};

struct i_i2c {
	struct vplat_i2c_sim *sim;
	struct vplat_i2c_linux *adapter;
	struct vplat_i2c *i2c;
};

struct i_input {
	struct vplat_input *dev;
	struct vplat_input_caps *caps;
	struct vplat_input_script *script;
	struct vplat_input_evdev *evdev;
	bool reported; /* the script's end was logged */
	uint64_t runs_logged; /* a repeating script: runs done when last logged (1, 2, 4, ...) */
};

struct i_vsock {
	struct vplat_vsock *vs;
	struct vplat_vsock_conn *conns;
	struct vplat_vsock_host *host;
};

struct i_snd {
	struct vplat_snd *snd;
	struct vplat_snd_wav *wav;
	/* jack_flip_ms: the scripted host-side jack change of the current driver session */
	bool jack_live;      /* the device was live at the last dispatch */
	bool jack_armed;     /* a flip is due at jack_at_ns */
	bool jack_connected; /* jack 0 now */
	uint64_t jack_at_ns;
};

struct i_wdt {
	struct vplat_watchdog wd;
	pid_t child; /* command still running, 0 if none */
};

struct vplat_instance {
	struct vplat_instance_options opt;
	struct vplat_device *dev;
	bool served_more; /* the last dispatch served work a budget left (the host ends wait) */
	union {
		struct vplat_rng rng;
		struct i_blk blk;
		struct i_con con;
		struct i_net net;
		struct i_gpio gpio;
		struct i_can can;
		struct i_wdt wdt;
		struct i_i2c i2c;
		struct i_input input;
		struct i_vsock vsock;
		struct i_snd snd;
	} u;
};

static const char *const type_names[VPLAT_INSTANCE_NTYPES] = {
    [VPLAT_INSTANCE_RNG] = "rng",   [VPLAT_INSTANCE_BLK] = "blk",
    [VPLAT_INSTANCE_CONSOLE] = "console", [VPLAT_INSTANCE_NET] = "net",
    [VPLAT_INSTANCE_GPIO] = "gpio", [VPLAT_INSTANCE_CAN] = "can",
    [VPLAT_INSTANCE_WATCHDOG] = "watchdog", [VPLAT_INSTANCE_I2C] = "i2c",
    [VPLAT_INSTANCE_INPUT] = "input", [VPLAT_INSTANCE_VSOCK] = "vsock",
    [VPLAT_INSTANCE_SOUND] = "sound"};

int vplat_pf_error(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

__attribute__((format(printf, 3, 4))) static void
ilog(const struct vplat_instance *in, enum vplat_instance_log_level lvl, const char *fmt, ...)
{
	if (!in->opt.log)
		return;
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	in->opt.log(in->opt.log_opaque, lvl, line);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Milliseconds from now until @p deadline_ns (rounded up, at most 60 s); -1 for none. */
static int ms_until(uint64_t deadline_ns)
{
	if (deadline_ns == UINT64_MAX)
		return -1;
	uint64_t now = mono_ns();
	if (deadline_ns <= now)
		return 0;
	uint64_t ms = (deadline_ns - now + 999999u) / 1000000u;
	return ms > 60000 ? 60000 : (int)ms;
}

static int resolve(const struct vplat_instance *in, const char *path, char *buf, size_t len)
{
	const char *dir = in->opt.base_dir;
	int n = dir && path[0] != '/' ? snprintf(buf, len, "%s/%s", dir, path)
				      : snprintf(buf, len, "%s", path);
	return n < 0 || (size_t)n >= len ? VPLAT_EINVAL : 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Per type: create. */

static int create_rng(struct vplat_instance *in, struct vplat_mem *mem, char *err, size_t errlen)
{
	const struct vplat_instance_rng *o = &in->opt.rng;
	int rc = o->host ? vplat_rng_init(&in->u.rng, mem, o->host, o->host_opaque)
			 : vplat_rng_init(&in->u.rng, mem, &vplat_rng_host_getrandom, NULL);
	if (rc)
		return vplat_pf_error(err, errlen, rc, "rng: %s", vplat_strerror(rc));
	in->dev = vplat_rng_device(&in->u.rng);
	return 0;
}

/* The rest of a block device, on the host end @p ops / @p host, offering @p cfg. */
static int blk_finish(struct vplat_instance *in, struct vplat_mem *mem,
		      struct vplat_blk_config *cfg, const struct vplat_blk_host_ops *ops,
		      void *host, char *err, size_t errlen)
{
	const struct vplat_instance_blk *o = &in->opt.blk;
	struct i_blk *b = &in->u.blk;
	uint32_t nreqs = o->max_requests ? o->max_requests : I_BLK_REQS;
	if (!(b->reqs = calloc(nreqs, sizeof(*b->reqs))))
		return VPLAT_ENOMEM;
	if (o->serial) {
		memset(cfg->id, 0, sizeof(cfg->id));
		memcpy(cfg->id, o->serial, strlen(o->serial));
	}
	int rc = vplat_blk_init(&b->blk, mem, cfg, ops, host, b->reqs, nreqs);
	if (rc)
		return vplat_pf_error(err, errlen, rc, "blk: %s", vplat_strerror(rc));
	const struct vplat_ratelimit_config *rl = &o->ratelimit;
	if ((rl->ops_rate || rl->bytes_rate) &&
	    (rc = vplat_blk_set_ratelimit(&b->blk, rl, vplat_switch_monotonic_ns, NULL)))
		return vplat_pf_error(err, errlen, rc, "blk: rate limit: %s", vplat_strerror(rc));
	in->dev = vplat_blk_device(&b->blk);
	return 0;
}

/* A block device on the caller's host end. */
static int create_blk_custom(struct vplat_instance *in, struct vplat_mem *mem, char *err,
			     size_t errlen)
{
	const struct vplat_instance_blk *o = &in->opt.blk;
	if (!o->config)
		return vplat_pf_error(err, errlen, VPLAT_EINVAL,
			    "blk: a caller-supplied host end needs a device config");
	if (o->serial && strlen(o->serial) > 20)
		return vplat_pf_error(err, errlen, VPLAT_EINVAL, "blk: serial longer than 20 bytes");
	struct vplat_blk_config cfg = *o->config;
	int rc = blk_finish(in, mem, &cfg, o->host, o->host_opaque, err, errlen);
	if (!rc)
		ilog(in, VPLAT_INSTANCE_LOG_INFO, "blk: caller's host end, %llu sectors%s",
		     (unsigned long long)cfg.capacity, cfg.read_only ? ", read-only" : "");
	return rc;
}

/* The asynchronous end's flags from the options (io_uring wanted). The wait for a
 * completion only with one queue: a thread sleeping for one queue's request would leave
 * another queue's new requests unseen for up to VPLAT_BLK_AIO_WAIT_NS. */
static unsigned aio_flags(const struct vplat_instance_blk *o)
{
	if (!o->async_inline)
		return 0;
	return o->num_queues <= 1u ? VPLAT_BLK_AIO_INLINE | VPLAT_BLK_AIO_WAIT
				   : VPLAT_BLK_AIO_INLINE;
}

/* queue_hosts: one asynchronous host end per queue, like the shared one, which stays unused. */
static int blk_queue_hosts(struct vplat_instance *in, const struct vplat_blk_config *cfg)
{
	const struct vplat_instance_blk *o = &in->opt.blk;
	struct i_blk *b = &in->u.blk;
	if (o->ratelimit.ops_rate || o->ratelimit.bytes_rate)
		return VPLAT_EINVAL; /* one limiter for all queues: not per queue */
	uint32_t depth = (o->max_requests ? o->max_requests : I_BLK_REQS) / cfg->num_queues;
	if (!(b->qaio = calloc(cfg->num_queues, sizeof(*b->qaio))))
		return VPLAT_ENOMEM;
	for (; b->nqaio < cfg->num_queues; b->nqaio++) {
		struct vplat_blk_aio *a = &b->qaio[b->nqaio];
		int rc = vplat_blk_aio_init(a, &b->f, depth ? depth : 1,
					    o->async_threads || !b->aio.uring ? VPLAT_BLK_AIO_THREADS
									      : aio_flags(o));
		if (!rc)
			rc = vplat_blk_set_queue_host(&b->blk, b->nqaio, &vplat_blk_host_aio, a);
		if (rc) {
			if (a->efd >= 0 && a->impl)
				vplat_blk_aio_fini(a);
			return rc;
		}
	}
	return 0;
}

static int create_blk(struct vplat_instance *in, struct vplat_mem *mem, char *err, size_t errlen)
{
	const struct vplat_instance_blk *o = &in->opt.blk;
	struct i_blk *b = &in->u.blk;
	char path[4096];
	if (o->host)
		return create_blk_custom(in, mem, err, errlen);
	if (!o->path)
		return vplat_pf_error(err, errlen, VPLAT_EINVAL, "blk: an image path is required");
	if (resolve(in, o->path, path, sizeof(path)))
		return vplat_pf_error(err, errlen, VPLAT_EINVAL, "blk: image path too long");
	if (o->serial && strlen(o->serial) > 20)
		return vplat_pf_error(err, errlen, VPLAT_EINVAL, "blk: serial longer than 20 bytes");
	if (o->create_size) {
		int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd >= 0) {
			int rc = ftruncate(fd, (off_t)o->create_size);
			close(fd);
			if (rc)
				return vplat_pf_error(err, errlen, VPLAT_EIO, "blk: cannot size image %s: %s",
					    path, strerror(errno));
		}
	}
	unsigned flags =
	    (o->read_only ? VPLAT_BLK_FILE_RDONLY : 0) | (o->direct ? VPLAT_BLK_FILE_DIRECT : 0);
	int rc = vplat_blk_file_open(&b->f, path, flags);
	if (rc)
		return vplat_pf_error(err, errlen, rc, "blk: cannot open image %s: %s", path,
			    vplat_strerror(rc));
	b->open = true;
	struct vplat_blk_config cfg = {.num_queues = o->num_queues ? o->num_queues : 1,
				       .queue_size = o->queue_size ? o->queue_size : 256,
				       .writeback = o->writeback};
	vplat_blk_file_config(&b->f, &cfg);
	const struct vplat_blk_host_ops *ops = &vplat_blk_host_file;
	void *host = &b->f;
	if (o->async) {
		uint32_t depth = o->max_requests ? o->max_requests : I_BLK_REQS;
		if ((rc = vplat_blk_aio_init(&b->aio, &b->f, depth > 4096 ? 4096 : depth,
					     o->async_threads ? VPLAT_BLK_AIO_THREADS : aio_flags(o))))
			return vplat_pf_error(err, errlen, rc, "blk: asynchronous I/O: %s",
				    vplat_strerror(rc));
		b->aio_on = true;
		ops = &vplat_blk_host_aio;
		host = &b->aio;
		if (o->async_uring_only && !o->async_threads && !b->aio.uring) {
			vplat_blk_aio_fini(&b->aio);
			b->aio_on = false;
			ops = &vplat_blk_host_file;
			host = &b->f;
		}
	}
	if ((rc = blk_finish(in, mem, &cfg, ops, host, err, errlen)))
		return rc;
	if (b->aio_on && o->queue_hosts && (rc = blk_queue_hosts(in, &cfg)))
		return vplat_pf_error(err, errlen, rc, "blk: a host end per queue: %s",
			    vplat_strerror(rc));
	ilog(in, VPLAT_INSTANCE_LOG_INFO, "blk: %s, %llu sectors%s%s%s", path,
	     (unsigned long long)cfg.capacity, cfg.read_only ? ", read-only" : "",
	     !b->aio_on ? "" : b->aio.uring ? ", io_uring" : ", thread pool",
	     b->qaio ? ", one per queue" : "");
	return 0;
}

/* Open the host end @p end (at @p opath) of console port @p port into @p e; fills the ops
 * table and argument the device gets for the port. */
static int con_open_end(struct vplat_instance *in, uint32_t port,
			enum vplat_instance_console_end end, const char *opath,
			const struct vplat_console_host_ops *custom, void *custom_opaque,
			struct i_con_end *e, const struct vplat_console_host_ops **ops, void **host,
			char *err, size_t errlen)
{
	char path[4096] = "";
	bool needs_path = end == VPLAT_INSTANCE_CONSOLE_LISTEN ||
			  end == VPLAT_INSTANCE_CONSOLE_CONNECT || end == VPLAT_INSTANCE_CONSOLE_LOG;
	if (needs_path && !opath)
		return vplat_pf_error(err, errlen, VPLAT_EINVAL, "console: this host end needs a path");
	if (needs_path && resolve(in, opath, path, sizeof(path)))
		return vplat_pf_error(err, errlen, VPLAT_EINVAL, "console: host end path too long");
	int rc;
	errno = 0;
	switch (end) {
	case VPLAT_INSTANCE_CONSOLE_STDIO:
		rc = vplat_console_fd_pipe(&e->fd, 0, 1);
		break;
	case VPLAT_INSTANCE_CONSOLE_PTY:
		rc = vplat_console_fd_pty(&e->fd);
		break;
	case VPLAT_INSTANCE_CONSOLE_LISTEN:
		rc = vplat_console_fd_listen(&e->fd, path);
		break;
	case VPLAT_INSTANCE_CONSOLE_CONNECT:
		rc = vplat_console_fd_connect(&e->fd, path);
		break;
	case VPLAT_INSTANCE_CONSOLE_LOG:
		rc = vplat_console_fd_log(&e->fd, path);
		break;
	case VPLAT_INSTANCE_CONSOLE_CUSTOM:
		if (!custom)
			return vplat_pf_error(err, errlen, VPLAT_EINVAL,
				    "console: a caller-supplied host end needs its ops table");
		*ops = custom;
		*host = custom_opaque;
		return 0;
	default:
		return vplat_pf_error(err, errlen, VPLAT_EINVAL, "console: unknown host end %d", (int)end);
	}
	if (rc) {
		int os = errno; /* the failed system call's, where one failed */
		return vplat_pf_error(err, errlen, rc, "console: port %u: host end %s: %s%s%s%s", port,
				      path[0] ? path : "(pty or stdio)", vplat_strerror(rc),
				      os ? " (" : "", os ? strerror(os) : "", os ? ")" : "");
	}
	e->open = true;
	if (end == VPLAT_INSTANCE_CONSOLE_PTY) {
		if (port)
			ilog(in, VPLAT_INSTANCE_LOG_INFO, "console: port %u pty %s", port,
			     e->fd.pty_name);
		else
			ilog(in, VPLAT_INSTANCE_LOG_INFO, "console: pty %s", e->fd.pty_name);
	}
	*ops = &vplat_console_host_fd;
	*host = &e->fd;
	return 0;
}

static int create_console(struct vplat_instance *in, struct vplat_mem *mem, char *err,
			  size_t errlen)
{
	const struct vplat_instance_console *o = &in->opt.console;
	struct i_con *b = &in->u.con;
	uint32_t max_ports = o->max_ports;
	if (o->nports && !o->ports)
		return vplat_pf_error(err, errlen, VPLAT_EINVAL, "console: %u ports but no port list",
			    o->nports);
	for (unsigned i = 0; !o->max_ports && i < o->nports; i++)
		if (o->ports[i].id >= max_ports)
			max_ports = o->ports[i].id + 1;
	if (!max_ports)
		max_ports = 1;
	for (unsigned i = 0; i < o->nports; i++)
		if (!o->ports[i].id || o->ports[i].id >= max_ports)
			return vplat_pf_error(err, errlen, VPLAT_EINVAL,
				    "console: port %u outside 1..%u", o->ports[i].id,
				    max_ports - 1);
	b->nends = 1 + o->nports;
	if (!(b->ends = calloc(b->nends, sizeof(*b->ends))))
		return VPLAT_ENOMEM;
	const struct vplat_console_host_ops *ops = NULL;
	void *host = NULL;
	int rc = con_open_end(in, 0, o->end, o->path, o->host, o->host_opaque, &b->ends[0], &ops,
			      &host, err, errlen);
	if (rc)
		return rc;
	struct vplat_console_config cfg = {.max_ports = max_ports,
					   .cols = o->cols ? o->cols : 80,
					   .rows = o->rows ? o->rows : 25};
	if ((rc = vplat_console_init(&b->con, mem, &cfg, ops, host)))
		return vplat_pf_error(err, errlen, rc, "console: %s", vplat_strerror(rc));
	if (b->ends[0].open)
		vplat_console_fd_bind(&b->ends[0].fd, &b->con, 0);
	for (unsigned i = 0; i < o->nports; i++) {
		const struct vplat_instance_console_port *p = &o->ports[i];
		struct i_con_end *e = &b->ends[1 + i];
		if ((rc = con_open_end(in, p->id, p->end, p->path, p->host, p->host_opaque, e,
				       &ops, &host, err, errlen)))
			return rc;
		if (e->open)
			vplat_console_fd_bind(&e->fd, &b->con, p->id);
		if ((rc = vplat_console_port_add(&b->con, p->id, p->name, p->console, ops, host)) ||
		    (p->closed && (rc = vplat_console_port_set_open(&b->con, p->id, false))))
			return vplat_pf_error(err, errlen, rc, "console: port %u: %s", p->id,
				    vplat_strerror(rc));
	}
	in->dev = vplat_console_device(&b->con);
	return 0;
}

static int sink_tx(void *host, const struct vplat_virtio_net_hdr *hdr, const uint8_t *frame,
		   size_t len)
{
	(void)hdr;
	(void)frame;
	(void)len;
	((struct i_net *)host)->sunk++;
	return 0;
}

/* The sink's scatter-gather entry: the frame stays in the guest's segments (no copy); like a
 * switch port it reads the destination address (the group bit), and nothing else. */
static int sink_tx_sg(void *host, const struct vplat_virtio_net_hdr *hdr, const struct vplat_iov *seg,
		      uint32_t nseg, size_t len)
{
	struct i_net *b = host;
	(void)hdr;
	(void)len;
	b->sunk++;
	if (nseg > 0u && seg[0].len > 0u)
		b->sunk_group += *(const volatile uint8_t *)seg[0].base & 1u;
	return 0;
}

static const struct vplat_net_host_ops sink_ops = {.tx = sink_tx, .tx_sg = sink_tx_sg};

static int create_net(struct vplat_instance *in, struct vplat_mem *mem, char *err, size_t errlen)
{
	const struct vplat_instance_net *o = &in->opt.net;
	struct i_net *b = &in->u.net;
	struct vplat_net_config cfg = {.pairs = 1,
				       .ctrl = o->ctrl,
				       .mtu = o->mtu,
				       .queue_size = o->queue_size ? o->queue_size : 256,
				       .has_mac = o->has_mac};
	const struct vplat_net_host_ops *ops;
	void *host;
	int rc;
	memcpy(cfg.mac, o->mac, 6);
	switch (o->backend) {
	case VPLAT_INSTANCE_NET_CUSTOM:
		if (!o->host)
			return vplat_pf_error(err, errlen, VPLAT_EINVAL,
				    "net: a caller-supplied host end needs its ops table");
		if (o->config)
			cfg = *o->config;
		ops = o->host;
		host = o->host_opaque;
		break;
	case VPLAT_INSTANCE_NET_TAP:
		if (!o->tap)
			return vplat_pf_error(err, errlen, VPLAT_EINVAL, "net: a tap name is required");
		if ((rc = vplat_net_tap_open(&b->tap, o->tap)))
			return vplat_pf_error(err, errlen, rc, "net: tap %s: %s", o->tap, vplat_strerror(rc));
		ilog(in, VPLAT_INSTANCE_LOG_INFO, "net: tap %s", b->tap.name);
		ops = &vplat_net_tap_host;
		host = &b->tap;
		break;
	case VPLAT_INSTANCE_NET_SWITCH: {
		if (!o->sw)
			return vplat_pf_error(err, errlen, VPLAT_EINVAL, "net: a switch is required");
		struct vplat_switch_port_config pc = {0};
		if (o->port)
			pc = *o->port; /* classes, scheduling, queues, VLANs, source MACs */
		pc.name = o->port_name ? o->port_name : "net";
		pc.rate_bps = o->rate_bps;
		pc.burst_bytes = o->burst_bytes;
		if (o->source_mac_only && o->has_mac) {
			pc.n_macs = 1; /* VPLAT-FFI-017: only the assigned source address */
			memcpy(pc.macs[0], o->mac, 6);
		}
		if ((rc = vplat_switch_net_port_init(&b->port, vplat_switch_iface(o->sw), &pc, NULL,
						     NULL)))
			return vplat_pf_error(err, errlen, rc, "net: switch port: %s", vplat_strerror(rc));
		ops = &vplat_switch_net_host;
		host = &b->port;
		break;
	}
	case VPLAT_INSTANCE_NET_SINK:
		ops = &sink_ops;
		host = b;
		break;
	default:
		return vplat_pf_error(err, errlen, VPLAT_EINVAL, "net: unknown backend %d", (int)o->backend);
	}
	if ((rc = vplat_net_init(&b->net, mem, &cfg, ops, host)))
		return vplat_pf_error(err, errlen, rc, "net: %s", vplat_strerror(rc));
	const struct vplat_ratelimit_config *rl = &o->ratelimit;
	if ((rl->ops_rate || rl->bytes_rate) &&
	    (rc = vplat_net_set_ratelimit(&b->net, rl, vplat_switch_monotonic_ns, NULL)))
		return vplat_pf_error(err, errlen, rc, "net: rate limit: %s", vplat_strerror(rc));
	if (o->backend == VPLAT_INSTANCE_NET_SWITCH)
		vplat_switch_net_port_bind(&b->port, &b->net);
	in->dev = vplat_net_device(&b->net);
	return 0;
}

static void gpio_input(void *opaque, uint16_t line, uint8_t level)
{
	vplat_gpio_input_event(opaque, line, level);
}

/* The simulator without event detection (VPLAT_INSTANCE_GPIO no_irq): the device then offers
 * no VIRTIO_GPIO_F_IRQ. */
static int noirq_set_direction(void *host, uint16_t line, uint8_t dir, uint8_t value)
{
	return vplat_gpio_host_sim.set_direction(host, line, dir, value);
}

static int noirq_get_value(void *host, uint16_t line, uint8_t *value)
{
	return vplat_gpio_host_sim.get_value(host, line, value);
}

static int noirq_set_value(void *host, uint16_t line, uint8_t value)
{
	return vplat_gpio_host_sim.set_value(host, line, value);
}

static const struct vplat_gpio_host_ops gpio_sim_noirq = {
    .set_direction = noirq_set_direction,
    .get_value = noirq_get_value,
    .set_value = noirq_set_value,
};

/* A GPIO device on a host chip through libgpiod. */
static int create_gpio_chip(struct vplat_instance *in, struct vplat_mem *mem, char *err,
			    size_t errlen)
{
	const struct vplat_instance_gpio *o = &in->opt.gpio;
	struct i_gpio *b = &in->u.gpio;
	if (!o->chip)
		return vplat_pf_error(err, errlen, VPLAT_EINVAL, "gpio: a chip is required");
	if (!(b->chip = vplat_gpio_gpiod_open(o->chip, NULL))) {
		int e = errno;
		if (e == ENOTSUP && vplat_build_missing(VPLAT_BUILD_GPIOD))
			return vplat_pf_error(err, errlen, VPLAT_ENOTSUP, "gpio: chip %s: %s", o->chip,
				    vplat_build_missing(VPLAT_BUILD_GPIOD));
		return vplat_pf_error(err, errlen, e == ENOMEM ? VPLAT_ENOMEM : VPLAT_EIO,
			    "gpio: cannot open chip %s: %s", o->chip, strerror(e));
	}
	unsigned n = vplat_gpio_gpiod_lines(b->chip);
	uint32_t nsize = 0;
	size_t cap = (size_t)n * I_NAME_CAP;
	if (n < 1 || n > 1024)
		return vplat_pf_error(err, errlen, VPLAT_EINVAL, "gpio: chip %s has %u lines (1..1024)",
			    o->chip, n);
	b->lines = calloc(n, sizeof(*b->lines));
	b->names = malloc(cap);
	if (!b->lines || !b->names)
		return VPLAT_ENOMEM;
	int rc = o->no_names ? 0
			     : vplat_gpio_names_pack(vplat_gpio_gpiod_names(b->chip), (uint16_t)n,
						     b->names, cap, &nsize);
	if (rc)
		return vplat_pf_error(err, errlen, rc, "gpio: line names: %s", vplat_strerror(rc));
	rc = vplat_gpio_init(&b->gpio, mem, b->lines, (uint16_t)n, nsize ? b->names : NULL, nsize,
			     &vplat_gpio_host_gpiod, b->chip);
	if (rc)
		return vplat_pf_error(err, errlen, rc, "gpio: %s", vplat_strerror(rc));
	b->init = true;
	vplat_gpio_gpiod_bind(b->chip, &b->gpio);
	in->dev = vplat_gpio_device(&b->gpio);
	ilog(in, VPLAT_INSTANCE_LOG_INFO, "gpio: chip %s, %u lines", o->chip, n);
	return 0;
}

static int create_gpio(struct vplat_instance *in, struct vplat_mem *mem, char *err, size_t errlen)
{
	const struct vplat_instance_gpio *o = &in->opt.gpio;
	struct i_gpio *b = &in->u.gpio;
	if (o->backend == VPLAT_INSTANCE_GPIO_GPIOD)
		return create_gpio_chip(in, mem, err, errlen);
	if (o->backend != VPLAT_INSTANCE_GPIO_SIM)
		return vplat_pf_error(err, errlen, VPLAT_EINVAL, "gpio: unknown backend %d", (int)o->backend);
	uint16_t n = o->lines ? o->lines : 8;
	uint32_t nsize = 0;
	size_t cap = (size_t)n * I_NAME_CAP;
	if (n > 1024)
		return vplat_pf_error(err, errlen, VPLAT_EINVAL, "gpio: %u lines (at most 1024)", n);
	b->sim = vplat_gpio_sim_new(1, n);
	b->lines = calloc(n, sizeof(*b->lines));
	b->names = malloc(cap);
	if (!b->sim || !b->lines || !b->names)
		return VPLAT_ENOMEM;
	if ((uint32_t)o->loop_wires * 2u > n)
		return vplat_pf_error(err, errlen, VPLAT_EINVAL,
				      "gpio: %u loopback wires need %u lines (have %u)", o->loop_wires,
				      2u * o->loop_wires, n);
	for (uint16_t i = 0; o->line_names && i < n; i++)
		vplat_gpio_sim_set_name(b->sim, 0, i, o->line_names[i]);
	for (unsigned w = 0, first = n - 2u * o->loop_wires; w < o->loop_wires; w++) {
		char name[16];
		if (!o->line_names) {
			snprintf(name, sizeof(name), "loop-out%u", w);
			vplat_gpio_sim_set_name(b->sim, 0, first + 2u * w, name);
			snprintf(name, sizeof(name), "loop-in%u", w);
			vplat_gpio_sim_set_name(b->sim, 0, first + 2u * w + 1u, name);
		}
		vplat_gpio_sim_wire(b->sim, 0, first + 2u * w, first + 2u * w + 1u);
	}
	int rc = o->no_names ? 0
			     : vplat_gpio_names_pack(vplat_gpio_sim_names(b->sim, 0), n, b->names,
						     cap, &nsize);
	if (rc)
		return vplat_pf_error(err, errlen, rc, "gpio: line names: %s", vplat_strerror(rc));
	if (o->control) {
		char path[4096];
		if (resolve(in, o->control, path, sizeof(path)) ||
		    vplat_gpio_sim_listen(b->sim, path) < 0)
			return vplat_pf_error(err, errlen, VPLAT_EIO, "gpio: cannot listen on %s",
				    o->control);
	}
	rc = vplat_gpio_init(&b->gpio, mem, b->lines, n, nsize ? b->names : NULL, nsize,
			     o->no_irq ? &gpio_sim_noirq : &vplat_gpio_host_sim,
			     vplat_gpio_sim_chip(b->sim, 0));
	if (rc)
		return vplat_pf_error(err, errlen, rc, "gpio: %s", vplat_strerror(rc));
	b->init = true;
	vplat_gpio_sim_set_sink(b->sim, 0, gpio_input, &b->gpio);
	in->dev = vplat_gpio_device(&b->gpio);
	ilog(in, VPLAT_INSTANCE_LOG_INFO, "gpio: %u simulated lines%s%s%s", n,
	     o->control ? ", control socket " : "", o->control ? o->control : "",
	     o->loop_wires ? ", loopback wires" : "");
	return 0;
}

static int create_i2c(struct vplat_instance *in, struct vplat_mem *mem, char *err, size_t errlen)
{
	const struct vplat_instance_i2c *o = &in->opt.i2c;
	struct i_i2c *b = &in->u.i2c;
	if (!(b->i2c = calloc(1, sizeof(*b->i2c))))
		return VPLAT_ENOMEM;
	const struct vplat_i2c_host_ops *ops = &vplat_i2c_host_sim;
	void *host;
	if (o->adapter) {
		if (o->nlm75 || o->neeprom)
			return vplat_pf_error(err, errlen, VPLAT_EINVAL,
					      "i2c: simulated devices and an adapter (%s) exclude each "
					      "other", o->adapter);
		int e = 0;
		if (!(b->adapter = vplat_i2c_linux_open(o->adapter, NULL, &e)))
			return vplat_pf_error(err, errlen, e, "i2c: adapter %s: %s", o->adapter,
					      e == VPLAT_EIO ? strerror(errno)
							     : e == VPLAT_ENOTSUP
								   ? "no plain I2C transfers "
								     "(I2C_FUNC_I2C)"
								   : vplat_strerror(e));
		ops = &vplat_i2c_host_linux;
		host = b->adapter;
	} else {
		if (!(b->sim = vplat_i2c_sim_new()))
			return VPLAT_ENOMEM;
		for (unsigned i = 0; i < o->nlm75; i++) {
			int rc = vplat_i2c_sim_add_lm75(b->sim, o->lm75[i].addr, o->lm75[i].millicelsius);
			if (rc)
				return vplat_pf_error(err, errlen, rc, "i2c: lm75 at 0x%02x: %s",
						      o->lm75[i].addr, vplat_strerror(rc));
		}
		for (unsigned i = 0; i < o->neeprom; i++) {
			const struct vplat_instance_i2c_eeprom *e = &o->eeprom[i];
			char path[4096];
			if (e->file && resolve(in, e->file, path, sizeof(path)))
				return vplat_pf_error(err, errlen, VPLAT_EINVAL,
						      "i2c: eeprom file %s: path too long", e->file);
			int rc = vplat_i2c_sim_add_eeprom(b->sim, e->addr, e->size ? e->size : 256,
							  e->page ? e->page : 8,
							  e->file ? path : NULL);
			if (rc)
				return vplat_pf_error(err, errlen, rc, "i2c: eeprom at 0x%02x%s%s: %s",
						      e->addr, e->file ? ", file " : "",
						      e->file ? e->file : "",
						      rc == VPLAT_EIO ? strerror(errno) : vplat_strerror(rc));
		}
		host = b->sim;
	}
	int rc = vplat_i2c_init(b->i2c, mem, ops, host);
	if (rc)
		return vplat_pf_error(err, errlen, rc, "i2c: %s", vplat_strerror(rc));
	in->dev = vplat_i2c_device(b->i2c);
	if (o->adapter)
		ilog(in, VPLAT_INSTANCE_LOG_INFO, "i2c: adapter %s", o->adapter);
	else
		ilog(in, VPLAT_INSTANCE_LOG_INFO, "i2c: simulated bus, %u lm75, %u eeprom", o->nlm75,
		     o->neeprom);
	return 0;
}

static int create_input(struct vplat_instance *in, struct vplat_mem *mem, char *err,
			size_t errlen)
{
	const struct vplat_instance_input *o = &in->opt.input;
	struct i_input *b = &in->u.input;
	if (!(b->dev = calloc(1, sizeof(*b->dev))))
		return VPLAT_ENOMEM;
	const struct vplat_input_host_ops *ops;
	const struct vplat_input_caps *caps;
	void *host;
	if (o->backend == VPLAT_INSTANCE_INPUT_EVDEV) {
		if (!o->evdev)
			return vplat_pf_error(err, errlen, VPLAT_EINVAL, "input: evdev: no device");
		int e = 0;
		if (!(b->evdev = vplat_input_evdev_open(o->evdev, o->grab, NULL, &e)))
			return vplat_pf_error(err, errlen, e, "input: evdev %s: %s", o->evdev,
					      e == VPLAT_EIO ? strerror(errno) : vplat_strerror(e));
		ops = &vplat_input_host_evdev;
		caps = vplat_input_evdev_caps(b->evdev);
		host = b->evdev;
	} else if (o->backend == VPLAT_INSTANCE_INPUT_SCRIPT) {
		uint32_t w = o->width ? o->width : 1920, h = o->height ? o->height : 1080;
		if (w > 65536 || h > 65536 || o->slots > 16)
			return vplat_pf_error(err, errlen, VPLAT_EINVAL,
					      "input: touch %ux%u with %u slots: at most 65536x65536 "
					      "and 16 slots", w, h, o->slots);
		if (!(b->caps = calloc(1, sizeof(*b->caps))) ||
		    !(b->script = vplat_input_script_new()))
			return VPLAT_ENOMEM;
		b->caps->name = o->name ? o->name : "vplat input";
		b->caps->serial = o->serial;
		b->caps->has_ids = true;
		b->caps->bustype = 0x06; /* BUS_VIRTUAL */
		b->caps->vendor = 0x1af4;
		b->caps->product = 0x1100 + VPLAT_VIRTIO_ID_INPUT;
		b->caps->version = 1;
		if (o->keyboard || !o->touch)
			vplat_input_preset_keyboard(b->caps);
		if (o->touch || !o->keyboard)
			vplat_input_preset_touch(b->caps, w, h, o->slots);
		unsigned line = 0;
		if (o->script) {
			char path[4096];
			if (resolve(in, o->script, path, sizeof(path)))
				return vplat_pf_error(err, errlen, VPLAT_EINVAL,
						      "input: script %s: path too long", o->script);
			int rc = vplat_input_script_load(b->script, path, &line);
			if (rc)
				return vplat_pf_error(err, errlen, rc, "input: script %s: %s%s%u",
						      o->script,
						      rc == VPLAT_EIO ? strerror(errno)
								      : vplat_strerror(rc),
						      rc == VPLAT_EINVAL ? ", line " : "",
						      rc == VPLAT_EINVAL ? line : 0u);
		}
		if (o->script_text) {
			int rc = vplat_input_script_parse(b->script, o->script_text, &line);
			if (rc)
				return vplat_pf_error(err, errlen, rc, "input: script text: %s, line %u",
						      vplat_strerror(rc), line);
		}
		ops = &vplat_input_host_script;
		caps = b->caps;
		host = b->script;
	} else {
		return vplat_pf_error(err, errlen, VPLAT_EINVAL, "input: unknown backend %d",
				      (int)o->backend);
	}
	int rc = vplat_input_init(b->dev, mem, caps, ops, host);
	if (rc)
		return vplat_pf_error(err, errlen, rc, "input: %s", vplat_strerror(rc));
	if (b->evdev)
		vplat_input_evdev_bind(b->evdev, b->dev);
	else
		vplat_input_script_bind(b->script, b->dev);
	in->dev = vplat_input_device(b->dev);
	ilog(in, VPLAT_INSTANCE_LOG_INFO, "input: %s \"%s\"",
	     b->evdev ? o->evdev : "script", caps->name ? caps->name : "");
	return 0;
}

static void dispatch_input(struct vplat_instance *in)
{
	struct i_input *b = &in->u.input;
	if (b->evdev) {
		if (vplat_input_evdev_dispatch(b->evdev) == VPLAT_EIO && !b->reported) {
			ilog(in, VPLAT_INSTANCE_LOG_ERROR, "input: evdev %s: %s", in->opt.input.evdev,
			     strerror(errno));
			b->reported = true;
		}
		return;
	}
	const struct vplat_input_script_stats *st = vplat_input_script_stats(b->script);
	uint64_t before = st->status;
	vplat_input_script_run(b->script);
	if (st->status != before)
		ilog(in, VPLAT_INSTANCE_LOG_DEBUG, "input: %llu status events, last %u/%u/%d",
		     (unsigned long long)st->status, st->last_type, st->last_code, st->last_value);
	if (st->runs && st->runs >= 2 * b->runs_logged && !vplat_input_script_done(b->script)) {
		/* a repeating script: its runs so far, at 1, 2, 4, ... runs (a bounded log) */
		b->runs_logged = st->runs;
		ilog(in, VPLAT_INSTANCE_LOG_INFO,
		     "input: script run %llu done (it repeats): %llu steps, %llu status events",
		     (unsigned long long)st->runs, (unsigned long long)st->steps,
		     (unsigned long long)st->status);
	}
	if (!b->reported && vplat_input_script_done(b->script) && st->steps) {
		b->reported = true;
		if (st->rtt_count)
			ilog(in, VPLAT_INSTANCE_LOG_INFO,
			     "input: script done: %llu steps, %llu round trips (SYN_REPORT to "
			     "status event): min %llu us, mean %llu us, max %llu us",
			     (unsigned long long)st->steps, (unsigned long long)st->rtt_count,
			     (unsigned long long)(st->rtt_min_ns / 1000u),
			     (unsigned long long)(st->rtt_sum_ns / st->rtt_count / 1000u),
			     (unsigned long long)(st->rtt_max_ns / 1000u));
		else
			ilog(in, VPLAT_INSTANCE_LOG_INFO, "input: script done: %llu steps",
			     (unsigned long long)st->steps);
	}
}

static int create_vsock(struct vplat_instance *in, struct vplat_mem *mem, char *err,
			size_t errlen)
{
	const struct vplat_instance_vsock *o = &in->opt.vsock;
	struct i_vsock *b = &in->u.vsock;
	uint32_t n = o->max_conns ? o->max_conns : 256u;
	if (!vplat_vsock_cid_valid(o->guest_cid))
		return vplat_pf_error(err, errlen, VPLAT_EINVAL,
				      "vsock: guest CID %llu is reserved (0, 1, 2, >= 0xffffffff)",
				      (unsigned long long)o->guest_cid);
	if (n > 65536u)
		return vplat_pf_error(err, errlen, VPLAT_EINVAL,
				      "vsock: max connections %u above 65536", n);
	char path[4096];
	if (o->uds_path && resolve(in, o->uds_path, path, sizeof(path)))
		return vplat_pf_error(err, errlen, VPLAT_EINVAL, "vsock: socket %s: path too long",
				      o->uds_path);
	if (!(b->vs = calloc(1, sizeof(*b->vs))) || !(b->conns = calloc(n, sizeof(*b->conns))))
		return VPLAT_ENOMEM;
	int e = 0;
	if (!(b->host = vplat_vsock_host_new(o->uds_path ? path : NULL, &e)))
		return vplat_pf_error(err, errlen, e, "vsock: socket %s: %s", o->uds_path,
				      e == VPLAT_EIO ? strerror(errno) : vplat_strerror(e));
	struct vplat_vsock_cfg cfg = {.guest_cid = o->guest_cid, .buf_alloc = o->buf_alloc,
				      .conns = b->conns, .max_conns = n};
	int rc = vplat_vsock_init(b->vs, mem, &cfg, &vplat_vsock_host_ops, b->host);
	if (rc)
		return vplat_pf_error(err, errlen, rc, "vsock: %s", vplat_strerror(rc));
	vplat_vsock_host_bind(b->host, b->vs);
	in->dev = vplat_vsock_device(b->vs);
	ilog(in, VPLAT_INSTANCE_LOG_INFO, "vsock: guest CID %llu, %u connections, socket %s",
	     (unsigned long long)o->guest_cid, n, o->uds_path ? path : "(none)");
	return 0;
}

/* The echo node of VPLAT_INSTANCE_CAN_ECHO: every frame it receives goes back onto the bus. */
static void echo_rx(void *opaque, const struct vplat_can_frame *f,
		    const struct vplat_canbus_node *from)
{
	struct i_can *b = opaque;
	(void)from;
	if (b->npending < I_ECHO_MAX)
		b->pending[b->npending++] = *f;
}

/* The CAN host end: fills the host ops, their argument and the feature bits it adds. */
static int can_host(struct vplat_instance *in, const struct vplat_can_host_ops **ops, void **host,
		    uint64_t *f, char *err, size_t errlen)
{
	const struct vplat_instance_can *o = &in->opt.can;
	struct i_can *b = &in->u.can;
	int rc;
	switch (o->backend) {
	case VPLAT_INSTANCE_CAN_SOCKETCAN:
		if (!o->iface)
			return vplat_pf_error(err, errlen, VPLAT_EINVAL,
				    "can: an interface name is required");
		if ((rc = vplat_can_socketcan_open(o->iface, &b->sock)))
			return vplat_pf_error(err, errlen, rc, "can: %s: %s", o->iface, vplat_strerror(rc));
		if (!o->no_fd && vplat_can_socketcan_fd_capable(b->sock))
			*f |= VPLAT_BIT(VPLAT_VIRTIO_CAN_F_CAN_FD);
		*ops = &vplat_can_host_socketcan;
		*host = b->sock;
		return 0;
	case VPLAT_INSTANCE_CAN_BUS:
		if (!o->bus)
			return vplat_pf_error(err, errlen, VPLAT_EINVAL, "can: a bus is required");
		if (!(b->node = vplat_canbus_add_node(o->bus, o->node_name ? o->node_name : "can")))
			return VPLAT_ENOMEM;
		if ((o->ratelimit.ops_rate || o->ratelimit.bytes_rate) &&
		    (rc = vplat_canbus_node_set_ratelimit(b->node, &o->ratelimit)))
			return vplat_pf_error(err, errlen, rc, "can: rate limit: %s", vplat_strerror(rc));
		if (o->nfilters &&
		    (rc = vplat_canbus_node_set_filters(b->node, o->filters, o->nfilters)))
			return vplat_pf_error(err, errlen, rc, "can: acceptance filters: %s",
					      vplat_strerror(rc));
		if (o->ntx_filters &&
		    (rc = vplat_canbus_node_set_tx_filters(b->node, o->tx_filters, o->ntx_filters)))
			return vplat_pf_error(err, errlen, rc, "can: transmit filters: %s",
					      vplat_strerror(rc));
		break;
	case VPLAT_INSTANCE_CAN_ECHO: {
		/* A timed bus: frames occupy it as on a wire. */
		struct vplat_canbus_config bc = {.bitrate = 500000, .data_bitrate = 2000000};
		b->own_bus = vplat_canbus_new(&bc);
		b->node = b->own_bus ? vplat_canbus_add_node(b->own_bus, "vhost-user") : NULL;
		b->echo = b->own_bus ? vplat_canbus_add_port(b->own_bus, "echo", echo_rx, b) : NULL;
		if (!b->node || !b->echo)
			return VPLAT_ENOMEM;
		if ((o->ratelimit.ops_rate || o->ratelimit.bytes_rate) &&
		    (rc = vplat_canbus_node_set_ratelimit(b->node, &o->ratelimit)))
			return vplat_pf_error(err, errlen, rc, "can: rate limit: %s", vplat_strerror(rc));
		break;
	}
	default:
		return vplat_pf_error(err, errlen, VPLAT_EINVAL, "can: unknown backend %d", (int)o->backend);
	}
	*f |= VPLAT_BIT(VPLAT_VIRTIO_CAN_F_CAN_FD);
	*ops = &vplat_can_host_bus;
	*host = b->node;
	return 0;
}

static int create_can(struct vplat_instance *in, struct vplat_mem *mem, char *err, size_t errlen)
{
	struct i_can *b = &in->u.can;
	uint64_t f = VPLAT_BIT(VPLAT_VIRTIO_CAN_F_CAN_CLASSIC) |
		     VPLAT_BIT(VPLAT_VIRTIO_CAN_F_RTR_FRAMES) |
		     VPLAT_BIT(VPLAT_VIRTIO_CAN_F_LATE_TX_ACK);
	const struct vplat_can_host_ops *ops = NULL;
	void *host = NULL;
	int rc = can_host(in, &ops, &host, &f, err, errlen);
	if (rc)
		return rc;
	if ((rc = vplat_can_init(&b->can, mem, f, ops, host)))
		return vplat_pf_error(err, errlen, rc, "can: %s", vplat_strerror(rc));
	if (b->node)
		vplat_canbus_node_bind(b->node, &b->can);
	else
		vplat_can_socketcan_bind(b->sock, &b->can);
	in->dev = vplat_can_device(&b->can);
	if (b->sock)
		ilog(in, VPLAT_INSTANCE_LOG_INFO, "can: %s%s", in->opt.can.iface,
		     (f & VPLAT_BIT(VPLAT_VIRTIO_CAN_F_CAN_FD)) ? " (CAN FD)" : "");
	else if (b->own_bus)
		ilog(in, VPLAT_INSTANCE_LOG_INFO, "can: virtual bus with an echo node");
	return 0;
}

static uint64_t wdt_now(void *host)
{
	(void)host;
	return mono_ns();
}

static void wdt_run_command(struct vplat_instance *in)
{
	struct i_wdt *w = &in->u.wdt;
	if (w->child) {
		ilog(in, VPLAT_INSTANCE_LOG_WARN,
		     "watchdog: command still running, not started again");
		return;
	}
	/* The child's environment: ours plus the event; the embedder's is left alone. */
	static const char event[] = "VPLAT_WATCHDOG_EVENT=expired";
	size_t n = 0;
	while (environ[n])
		n++;
	char **envp = calloc(n + 2, sizeof(*envp));
	if (!envp) {
		ilog(in, VPLAT_INSTANCE_LOG_ERROR, "watchdog: cannot run '%s': out of memory",
		     in->opt.watchdog.command);
		return;
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], event, sizeof("VPLAT_WATCHDOG_EVENT=") - 1))
			envp[k++] = environ[i];
	envp[k] = (char *)event;
	char *argv[] = {(char *)"sh", (char *)"-c", (char *)in->opt.watchdog.command, NULL};
	pid_t pid;
	int rc = posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, envp);
	free(envp);
	if (rc)
		ilog(in, VPLAT_INSTANCE_LOG_ERROR, "watchdog: cannot run '%s': %s",
		     in->opt.watchdog.command, strerror(rc));
	else
		w->child = pid;
}

static void wdt_expired(void *host, enum vplat_watchdog_action action)
{
	struct vplat_instance *in = host;
	const struct vplat_instance_watchdog *o = &in->opt.watchdog;
	(void)action;
	ilog(in, VPLAT_INSTANCE_LOG_ERROR, "watchdog: expired (no ping for %u ms)",
	     in->u.wdt.wd.timeout_ms);
	if (o->action == VPLAT_INSTANCE_WATCHDOG_COMMAND)
		wdt_run_command(in);
	if (o->expired)
		o->expired(o->expired_opaque);
}

static void wdt_pretimeout(void *host)
{
	struct vplat_instance *in = host;
	ilog(in, VPLAT_INSTANCE_LOG_WARN, "watchdog: pre-timeout (%u ms before expiry)",
	     in->u.wdt.wd.pretimeout_ms);
}

static const struct vplat_watchdog_host_ops wdt_host = {
    .now_ns = wdt_now,
    .expired = wdt_expired,
    .pretimeout = wdt_pretimeout,
};

/* The output stream a sink offers. */
static const struct vplat_snd_stream_config snd_out = {
	.direction = VPLAT_VIRTIO_SND_D_OUTPUT,
	.channels_min = 1,
	.channels_max = 2,
	.formats = (UINT64_C(1) << VPLAT_VIRTIO_SND_PCM_FMT_U8) |
		   (UINT64_C(1) << VPLAT_VIRTIO_SND_PCM_FMT_S16) |
		   (UINT64_C(1) << VPLAT_VIRTIO_SND_PCM_FMT_S32) |
		   (UINT64_C(1) << VPLAT_VIRTIO_SND_PCM_FMT_FLOAT),
	.rates = (UINT64_C(1) << VPLAT_VIRTIO_SND_PCM_RATE_8000) |
		 (UINT64_C(1) << VPLAT_VIRTIO_SND_PCM_RATE_11025) |
		 (UINT64_C(1) << VPLAT_VIRTIO_SND_PCM_RATE_16000) |
		 (UINT64_C(1) << VPLAT_VIRTIO_SND_PCM_RATE_22050) |
		 (UINT64_C(1) << VPLAT_VIRTIO_SND_PCM_RATE_32000) |
		 (UINT64_C(1) << VPLAT_VIRTIO_SND_PCM_RATE_44100) |
		 (UINT64_C(1) << VPLAT_VIRTIO_SND_PCM_RATE_48000),
};

static int create_sound(struct vplat_instance *in, struct vplat_mem *mem, char *err,
			size_t errlen)
{
	const struct vplat_instance_sound *o = &in->opt.sound;
	struct i_snd *b = &in->u.snd;
	char path[PATH_MAX];
	if (!o->sink && !o->source)
		return vplat_pf_error(err, errlen, VPLAT_EINVAL,
				      "sound: needs a sink and/or a source WAV file");
	if (!(b->snd = calloc(1, sizeof(*b->snd))) || !(b->wav = vplat_snd_wav_new()))
		return VPLAT_ENOMEM;
	struct vplat_snd_stream_config streams[2];
	struct vplat_snd_chmap_config maps[2] = {
		{.direction = VPLAT_VIRTIO_SND_D_OUTPUT, .channels = 2,
		 .positions = {VPLAT_VIRTIO_SND_CHMAP_FL, VPLAT_VIRTIO_SND_CHMAP_FR}},
		{.direction = VPLAT_VIRTIO_SND_D_INPUT, .channels = 1,
		 .positions = {VPLAT_VIRTIO_SND_CHMAP_MONO}}};
	uint32_t n = 0;
	int rc;
	if (o->sink) {
		if (resolve(in, o->sink, path, sizeof(path)))
			return vplat_pf_error(err, errlen, VPLAT_EINVAL, "sound: sink %s: path too long",
					      o->sink);
		rc = vplat_snd_wav_set_sink(b->wav, n, path);
		if (rc)
			return vplat_pf_error(err, errlen, rc, "sound: sink %s: %s", o->sink,
					      vplat_strerror(rc));
		streams[n++] = snd_out;
	}
	if (o->source) {
		if (resolve(in, o->source, path, sizeof(path)))
			return vplat_pf_error(err, errlen, VPLAT_EINVAL,
					      "sound: source %s: path too long", o->source);
		rc = vplat_snd_wav_set_source(b->wav, n, path, !o->no_loop);
		if (rc)
			return vplat_pf_error(err, errlen, rc, "sound: source %s: %s", o->source,
					      rc == VPLAT_ENOTSUP ? "not a PCM or float WAV file "
								    "vplat can describe"
								  : vplat_strerror(rc));
		(void)vplat_snd_wav_source_stream(b->wav, n, &streams[n]);
		n++;
	}
	/* A line jack (HDA pin: line in, jack connector, presence detect capable). */
	static const struct vplat_snd_jack_config jack = {
		.hda_fn_nid = 0, .hda_reg_defconf = 0x01813000u, .hda_reg_caps = 0x00000004u,
		.connected = true};
	struct vplat_snd_config cfg = {.streams = streams, .nstreams = n, .chmaps = maps,
				       .nchmaps = 2, .jacks = &jack,
				       .njacks = o->jack_flip_ms ? 1u : 0u};
	b->jack_connected = true;
	rc = vplat_snd_init(b->snd, mem, &cfg, &vplat_snd_host_wav, b->wav);
	if (rc)
		return vplat_pf_error(err, errlen, rc, "sound: %s", vplat_strerror(rc));
	in->dev = vplat_snd_device(b->snd);
	ilog(in, VPLAT_INSTANCE_LOG_INFO, "sound: %s%s%s%s%s", o->sink ? "output into " : "",
	     o->sink ? o->sink : "", o->sink && o->source ? ", " : "",
	     o->source ? "input from " : "", o->source ? o->source : "");
	return 0;
}

/* Square root by Newton's method (no libm in this library). */
static double root(double v)
{
	double x = v > 1.0 ? v : 1.0;
	for (int i = 0; i < 64; i++)
		x = 0.5 * (x + v / x);
	return v > 0.0 ? x : 0.0;
}

static void destroy_sound(struct vplat_instance *in)
{
	struct i_snd *b = &in->u.snd;
	if (b->snd && in->dev) {
		const struct vplat_snd_stats *s = vplat_snd_stats(b->snd);
		uint64_t n = s->intervals;
		double mean = n ? (double)s->interval_sum_us / (double)n : 0.0;
		double var = n ? (double)s->interval_sumsq_us / (double)n - mean * mean : 0.0;
		ilog(in, VPLAT_INSTANCE_LOG_INFO,
		     "sound: %llu bytes played, %llu recorded, %llu I/O errors; period interval "
		     "n=%llu mean=%.0f us sd=%.0f us min=%llu us max=%llu us",
		     (unsigned long long)s->bytes_played, (unsigned long long)s->bytes_recorded,
		     (unsigned long long)s->io_errors, (unsigned long long)n, mean,
		     root(var), (unsigned long long)s->interval_min_us,
		     (unsigned long long)s->interval_max_us);
	}
	vplat_snd_wav_free(b->wav);
	free(b->snd);
}

static int create_watchdog(struct vplat_instance *in, struct vplat_mem *mem, char *err,
			   size_t errlen)
{
	const struct vplat_instance_watchdog *o = &in->opt.watchdog;
	if (o->action == VPLAT_INSTANCE_WATCHDOG_COMMAND && !o->command)
		return vplat_pf_error(err, errlen, VPLAT_EINVAL, "watchdog: action command needs a command");
	if (o->action != VPLAT_INSTANCE_WATCHDOG_LOG &&
	    o->action != VPLAT_INSTANCE_WATCHDOG_COMMAND)
		return vplat_pf_error(err, errlen, VPLAT_EINVAL, "watchdog: unknown action %d",
			    (int)o->action);
	uint64_t f = VPLAT_WATCHDOG_ALL_FEATURES;
	if (o->nowayout)
		f &= ~VPLAT_BIT(VPLAT_VIRTIO_WDT_F_DISARM);
	struct vplat_watchdog_config c = {.action = VPLAT_WATCHDOG_ACTION_CALLBACK,
					  .min_timeout_ms = o->min_timeout_ms,
					  .max_timeout_ms = o->max_timeout_ms,
					  .features = o->cloud_hypervisor ? 0 : f};
	int rc = vplat_watchdog_init(&in->u.wdt.wd, mem, &c, &wdt_host, in);
	if (rc)
		return vplat_pf_error(err, errlen, rc, "watchdog: %s", vplat_strerror(rc));
	in->dev = vplat_watchdog_device(&in->u.wdt.wd);
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* The interface. */

int vplat_instance_create(struct vplat_instance **out, struct vplat_mem *mem,
			  const struct vplat_instance_options *opt, char *err, size_t errlen)
{
	if (out)
		*out = NULL;
	if (!out || !mem || !opt)
		return vplat_pf_error(err, errlen, VPLAT_EINVAL, "instance: no output, memory or options");
	struct vplat_instance *in = calloc(1, sizeof(*in));
	if (!in)
		return vplat_pf_error(err, errlen, VPLAT_ENOMEM, "instance: out of memory");
	in->opt = *opt;
	if (opt->type == VPLAT_INSTANCE_NET)
		in->u.net.tap.fd = -1; /* no tap open yet */
	int rc;
	switch (opt->type) {
	case VPLAT_INSTANCE_RNG:
		rc = create_rng(in, mem, err, errlen);
		break;
	case VPLAT_INSTANCE_BLK:
		rc = create_blk(in, mem, err, errlen);
		break;
	case VPLAT_INSTANCE_CONSOLE:
		rc = create_console(in, mem, err, errlen);
		break;
	case VPLAT_INSTANCE_NET:
		rc = create_net(in, mem, err, errlen);
		break;
	case VPLAT_INSTANCE_GPIO:
		rc = create_gpio(in, mem, err, errlen);
		break;
	case VPLAT_INSTANCE_CAN:
		rc = create_can(in, mem, err, errlen);
		break;
	case VPLAT_INSTANCE_WATCHDOG:
		rc = create_watchdog(in, mem, err, errlen);
		break;
	case VPLAT_INSTANCE_I2C:
		rc = create_i2c(in, mem, err, errlen);
		break;
	case VPLAT_INSTANCE_INPUT:
		rc = create_input(in, mem, err, errlen);
		break;
	case VPLAT_INSTANCE_VSOCK:
		rc = create_vsock(in, mem, err, errlen);
		break;
	case VPLAT_INSTANCE_SOUND:
		rc = create_sound(in, mem, err, errlen);
		break;
	default:
		rc = vplat_pf_error(err, errlen, VPLAT_EINVAL, "instance: unknown device type %d",
			  (int)opt->type);
	}
	if (rc == VPLAT_ENOMEM)
		vplat_pf_error(err, errlen, rc, "%s: out of memory", vplat_instance_type_name(opt->type));
	if (rc) {
		in->opt.log = NULL; /* destroy must not report on a device that never existed */
		vplat_instance_destroy(in);
		return rc;
	}
	*out = in;
	return 0;
}

void vplat_instance_destroy(struct vplat_instance *in)
{
	if (!in)
		return;
	switch (in->opt.type) {
	case VPLAT_INSTANCE_BLK:
		if (in->u.blk.aio_on)
			vplat_blk_aio_fini(&in->u.blk.aio);
		for (uint16_t q = 0; q < in->u.blk.nqaio; q++)
			vplat_blk_aio_fini(&in->u.blk.qaio[q]);
		free(in->u.blk.qaio);
		if (in->u.blk.open)
			vplat_blk_file_close(&in->u.blk.f);
		free(in->u.blk.reqs);
		break;
	case VPLAT_INSTANCE_CONSOLE:
		for (unsigned i = 0; i < in->u.con.nends; i++)
			if (in->u.con.ends[i].open)
				vplat_console_fd_close(&in->u.con.ends[i].fd);
		free(in->u.con.ends);
		break;
	case VPLAT_INSTANCE_NET:
		if (in->opt.net.backend == VPLAT_INSTANCE_NET_TAP && in->u.net.tap.fd >= 0)
			vplat_net_tap_close(&in->u.net.tap);
		if (in->opt.net.backend == VPLAT_INSTANCE_NET_SINK && in->dev)
			ilog(in, VPLAT_INSTANCE_LOG_INFO, "net: sink dropped %llu frames (%llu to group addresses)",
			     (unsigned long long)in->u.net.sunk, (unsigned long long)in->u.net.sunk_group);
		break;
	case VPLAT_INSTANCE_GPIO:
		if (in->u.gpio.init)
			vplat_gpio_fini(&in->u.gpio.gpio);
		vplat_gpio_sim_free(in->u.gpio.sim);
		vplat_gpio_gpiod_close(in->u.gpio.chip);
		free(in->u.gpio.lines);
		free(in->u.gpio.names);
		break;
	case VPLAT_INSTANCE_CAN:
		if (in->u.can.sock)
			vplat_can_socketcan_close(in->u.can.sock);
		vplat_canbus_free(in->u.can.own_bus);
		break;
	case VPLAT_INSTANCE_I2C:
		vplat_i2c_sim_free(in->u.i2c.sim);
		vplat_i2c_linux_close(in->u.i2c.adapter);
		free(in->u.i2c.i2c);
		break;
	case VPLAT_INSTANCE_INPUT:
		vplat_input_script_free(in->u.input.script);
		vplat_input_evdev_close(in->u.input.evdev);
		free(in->u.input.caps);
		free(in->u.input.dev);
		break;
	case VPLAT_INSTANCE_VSOCK:
		vplat_vsock_host_free(in->u.vsock.host);
		free(in->u.vsock.conns);
		free(in->u.vsock.vs);
		break;
	case VPLAT_INSTANCE_SOUND:
		destroy_sound(in);
		break;
	default:
		break;
	}
	free(in);
}

struct vplat_device *vplat_instance_device(struct vplat_instance *in)
{
	return in ? in->dev : NULL;
}

struct vplat_gpio_sim *vplat_instance_gpio_sim(struct vplat_instance *in)
{
	return in && in->opt.type == VPLAT_INSTANCE_GPIO ? in->u.gpio.sim : NULL;
}

struct vplat_vsock_host *vplat_instance_vsock_host(struct vplat_instance *in)
{
	return in && in->opt.type == VPLAT_INSTANCE_VSOCK ? in->u.vsock.host : NULL;
}

struct vplat_i2c_sim *vplat_instance_i2c_sim(struct vplat_instance *in)
{
	return in && in->opt.type == VPLAT_INSTANCE_I2C ? in->u.i2c.sim : NULL;
}

struct vplat_input_script *vplat_instance_input_script(struct vplat_instance *in)
{
	return in && in->opt.type == VPLAT_INSTANCE_INPUT ? in->u.input.script : NULL;
}

struct vplat_input *vplat_instance_input(struct vplat_instance *in)
{
	return in && in->opt.type == VPLAT_INSTANCE_INPUT ? in->u.input.dev : NULL;
}

enum vplat_instance_type vplat_instance_get_type(const struct vplat_instance *in)
{
	return in->opt.type;
}

unsigned vplat_instance_fds(const struct vplat_instance *in, int *fds, unsigned max)
{
	if (!in || !max)
		return 0;
	switch (in->opt.type) {
	case VPLAT_INSTANCE_CONSOLE: {
		unsigned k = 0;
		for (unsigned e = 0; e < in->u.con.nends; e++) {
			if (!in->u.con.ends[e].open)
				continue;
			struct pollfd p[3];
			unsigned n = vplat_console_fd_pollfds(&in->u.con.ends[e].fd, p, 3);
			for (unsigned i = 0; i < n && k < max; i++)
				if (p[i].events & POLLIN) /* output readiness: retried every turn */
					fds[k++] = p[i].fd;
		}
		return k;
	}
	case VPLAT_INSTANCE_GPIO:
		if (in->u.gpio.chip)
			return vplat_gpio_gpiod_fds(in->u.gpio.chip, fds, max);
		return vplat_gpio_sim_fds(in->u.gpio.sim, fds, max);
	case VPLAT_INSTANCE_BLK:
		if (!in->u.blk.aio_on || in->u.blk.qaio)
			return 0;
		fds[0] = vplat_blk_aio_fd(&in->u.blk.aio);
		return 1;
	case VPLAT_INSTANCE_NET:
		if (in->opt.net.backend != VPLAT_INSTANCE_NET_TAP || in->u.net.tap.fd < 0)
			return 0;
		fds[0] = in->u.net.tap.fd;
		return 1;
	case VPLAT_INSTANCE_CAN:
		if (!in->u.can.sock)
			return 0;
		fds[0] = vplat_can_socketcan_fd(in->u.can.sock);
		return 1;
	case VPLAT_INSTANCE_INPUT:
		if (!in->u.input.evdev || in->u.input.reported)
			return 0;
		fds[0] = vplat_input_evdev_fd(in->u.input.evdev);
		return 1;
	case VPLAT_INSTANCE_VSOCK:
		return vplat_vsock_host_fds(in->u.vsock.host, fds, max);
	default:
		return 0;
	}
}

int vplat_instance_timeout_ms(const struct vplat_instance *in)
{
	if (!in)
		return -1;
	if (vplat_device_has_more(in->dev))
		return 0; /* a dispatch budget left work on a ring: no sleeping (VPLAT-FFI-013) */
	switch (in->opt.type) {
	case VPLAT_INSTANCE_WATCHDOG:
		if (in->u.wdt.child)
			return 100; /* reap the command */
		return ms_until(vplat_watchdog_next_deadline(&in->u.wdt.wd));
	case VPLAT_INSTANCE_CAN:
		if (!in->u.can.own_bus)
			return -1;
		if (in->u.can.npending)
			return 0;
		return ms_until(vplat_canbus_next_ns(in->u.can.own_bus));
	case VPLAT_INSTANCE_SOUND: {
		uint64_t next = vplat_snd_next_deadline(in->u.snd.snd);
		if (in->u.snd.jack_armed && in->u.snd.jack_at_ns < next)
			next = in->u.snd.jack_at_ns;
		return ms_until(next);
	}
	case VPLAT_INSTANCE_BLK: {
		uint64_t ns = vplat_blk_throttle_ns((struct vplat_blk *)&in->u.blk.blk);
		return ns ? (int)((ns + 999999u) / 1000000u > 60000 ? 60000
								    : (ns + 999999u) / 1000000u)
			  : -1;
	}
	case VPLAT_INSTANCE_NET: {
		/* a held frame (monotonic ns); none goes while the device is not live */
		uint64_t until = vplat_net_throttle_until(&in->u.net.net);
		return until && vplat_device_is_live(in->dev) ? ms_until(until) : -1;
	}
	case VPLAT_INSTANCE_INPUT:
		return in->u.input.script ? vplat_input_script_timeout_ms(in->u.input.script) : -1;
	case VPLAT_INSTANCE_VSOCK:
		return vplat_vsock_host_timeout_ms(in->u.vsock.host);
	case VPLAT_INSTANCE_GPIO:
		return vplat_gpio_sim_pending(in->u.gpio.sim) ? 0 : -1; /* a wire to carry */
	default:
		return -1;
	}
}

static void dispatch_can(struct i_can *b)
{
	if (b->sock)
		vplat_can_socketcan_dispatch(b->sock);
	if (!b->own_bus)
		return; /* a shared bus is run by its owner */
	for (int round = 0; round < 4; round++) {
		vplat_canbus_run(b->own_bus, 0);
		if (!b->npending)
			break;
		for (unsigned i = 0; i < b->npending; i++)
			vplat_canbus_port_send(b->echo, &b->pending[i]);
		b->npending = 0;
	}
}

/* A transmit frame held by the rate limit goes when its time has come (VPLAT-NET-081). */
static void dispatch_net_throttle(struct vplat_net *net)
{
	uint64_t until = vplat_net_throttle_until(net);
	if (until && mono_ns() >= until)
		vplat_net_tx_resume(net);
}

static void dispatch_watchdog(struct vplat_instance *in)
{
	struct i_wdt *w = &in->u.wdt;
	vplat_watchdog_tick(&w->wd, mono_ns());
	int st;
	if (w->child && waitpid(w->child, &st, WNOHANG) == w->child) {
		ilog(in, VPLAT_INSTANCE_LOG_INFO, "watchdog: command exited with status %d",
		     WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		w->child = 0;
	}
}

unsigned vplat_instance_queue_fds(struct vplat_instance *in, uint16_t queue, int *fds,
				  unsigned max)
{
	if (!in || !fds || max == 0 || in->opt.type != VPLAT_INSTANCE_BLK || queue >= in->u.blk.nqaio)
		return 0;
	fds[0] = vplat_blk_aio_fd(&in->u.blk.qaio[queue]);
	return 1;
}

void vplat_instance_queue_dispatch(struct vplat_instance *in, uint16_t queue)
{
	if (in && in->opt.type == VPLAT_INSTANCE_BLK && queue < in->u.blk.nqaio)
		vplat_blk_aio_poll(&in->u.blk.qaio[queue]);
}

/* jack_flip_ms: arm a flip when the driver sets DRIVER_OK, flip jack 0 once when it is due,
 * disarm when the device stops being live (a reset starts the next session). */
static void dispatch_jack_flip(struct vplat_instance *in)
{
	struct i_snd *b = &in->u.snd;
	uint32_t ms = in->opt.sound.jack_flip_ms;
	bool live = vplat_device_is_live(in->dev);
	if (!ms)
		return;
	if (live && !b->jack_live) {
		b->jack_armed = true;
		b->jack_at_ns = mono_ns() + (uint64_t)ms * 1000000u;
	}
	if (!live)
		b->jack_armed = false;
	b->jack_live = live;
	if (b->jack_armed && mono_ns() >= b->jack_at_ns) {
		b->jack_armed = false;
		b->jack_connected = !b->jack_connected;
		(void)vplat_snd_jack_set(b->snd, 0, b->jack_connected);
		ilog(in, VPLAT_INSTANCE_LOG_INFO, "sound: jack 0 %s by the host",
		     b->jack_connected ? "connected" : "disconnected");
	}
}

unsigned vplat_instance_busy_poll(struct vplat_instance *in)
{
	if (!in || in->opt.type != VPLAT_INSTANCE_BLK || !in->u.blk.aio_on || in->u.blk.qaio)
		return 0;
	return vplat_blk_aio_reap(&in->u.blk.aio);
}

int vplat_instance_dispatch(struct vplat_instance *in)
{
	if (!in)
		return VPLAT_EINVAL;
	/* One more budget for each queue a kick left with work (VPLAT-FFI-013). That is this
	 * call's dispatch of the device; the host ends (which may pop too: a resume, a
	 * completion) get the next call, so one call stays within one budget per queue and
	 * neither side starves the other. */
	if (!in->served_more && vplat_device_has_more(in->dev)) {
		(void)vplat_device_dispatch(in->dev);
		in->served_more = true;
		return 0;
	}
	in->served_more = false;
	switch (in->opt.type) {
	case VPLAT_INSTANCE_RNG:
		vplat_rng_resume(&in->u.rng); /* a request may wait for the entropy pool */
		break;
	case VPLAT_INSTANCE_BLK:
		if (in->u.blk.aio_on && !in->u.blk.qaio)
			vplat_blk_aio_poll(&in->u.blk.aio);
		if (vplat_blk_throttle_ns(&in->u.blk.blk))
			for (uint16_t q = 0; q < in->dev->nvqs; q++)
				vplat_blk_resume(&in->u.blk.blk, q);
		break;
	case VPLAT_INSTANCE_CONSOLE:
		for (unsigned e = 0; e < in->u.con.nends; e++)
			if (in->u.con.ends[e].open)
				vplat_console_fd_dispatch(&in->u.con.ends[e].fd);
		break;
	case VPLAT_INSTANCE_NET:
		if (in->opt.net.backend == VPLAT_INSTANCE_NET_TAP && in->u.net.tap.fd >= 0 &&
		    vplat_device_is_live(in->dev))
			vplat_net_tap_poll_net(&in->u.net.tap, &in->u.net.net);
		dispatch_net_throttle(&in->u.net.net);
		break;
	case VPLAT_INSTANCE_GPIO:
		if (in->u.gpio.chip)
			vplat_gpio_gpiod_dispatch(in->u.gpio.chip);
		else
			vplat_gpio_sim_dispatch(in->u.gpio.sim);
		break;
	case VPLAT_INSTANCE_CAN:
		dispatch_can(&in->u.can);
		break;
	case VPLAT_INSTANCE_WATCHDOG:
		dispatch_watchdog(in);
		break;
	case VPLAT_INSTANCE_I2C:
		break; /* transfers run in the queue notification */
	case VPLAT_INSTANCE_INPUT:
		dispatch_input(in);
		break;
	case VPLAT_INSTANCE_VSOCK:
		vplat_vsock_host_dispatch(in->u.vsock.host);
		break;
	case VPLAT_INSTANCE_SOUND:
		vplat_snd_tick(in->u.snd.snd, mono_ns());
		dispatch_jack_flip(in);
		break;
	default:
		break;
	}
	return 0;
}

bool vplat_instance_in_order(enum vplat_instance_type t)
{
	return t == VPLAT_INSTANCE_RNG || t == VPLAT_INSTANCE_BLK || t == VPLAT_INSTANCE_WATCHDOG ||
	       t == VPLAT_INSTANCE_I2C || t == VPLAT_INSTANCE_INPUT;
}

const char *vplat_instance_type_name(enum vplat_instance_type t)
{
	return (unsigned)t < VPLAT_INSTANCE_NTYPES && type_names[t] ? type_names[t] : "?";
}

int vplat_instance_type_from_name(const char *name)
{
	for (unsigned t = 0; name && t < VPLAT_INSTANCE_NTYPES; t++)
		if (type_names[t] && !strcmp(name, type_names[t]))
			return (int)t;
	return VPLAT_EINVAL;
}

int vplat_instance_console_port_parse(char *spec, struct vplat_instance_console_port *p, char *err,
				      size_t errlen)
{
	static const struct {
		const char *key;
		enum vplat_instance_console_end end;
	} ends[] = {{"log=", VPLAT_INSTANCE_CONSOLE_LOG},
		    {"listen=", VPLAT_INSTANCE_CONSOLE_LISTEN},
		    {"connect=", VPLAT_INSTANCE_CONSOLE_CONNECT}};
	if (!spec || !p)
		return vplat_pf_error(err, errlen, VPLAT_EINVAL, "console port: no text");
	memset(p, 0, sizeof(*p));
	char *name = strchr(spec, ':');
	char *end = name ? strchr(name + 1, ':') : NULL;
	if (!end)
		return vplat_pf_error(err, errlen, VPLAT_EINVAL,
				      "console port '%s': expected ID:NAME:END (e.g. 1:org.example.0:log=/tmp/p1)",
				      spec);
	*name++ = '\0';
	*end++ = '\0';
	unsigned long id = 0;
	const char *d = spec;
	for (; *d >= '0' && *d <= '9' && id <= 0x7fffffffUL; d++)
		id = id * 10u + (unsigned long)(*d - '0');
	if (d == spec || *d || id == 0 || id > 0x7fffffffUL)
		return vplat_pf_error(err, errlen, VPLAT_EINVAL,
				      "console port: '%s' is not a port number (1 .. 2147483647)", spec);
	p->id = (uint32_t)id;
	p->name = *name ? name : NULL;
	if (!strcmp(end, "pty")) {
		p->end = VPLAT_INSTANCE_CONSOLE_PTY;
		return 0;
	}
	for (unsigned i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		size_t k = strlen(ends[i].key);
		if (strncmp(end, ends[i].key, k))
			continue;
		if (!end[k])
			return vplat_pf_error(err, errlen, VPLAT_EINVAL,
					      "console port %lu: '%s' needs a path", id, end);
		p->end = ends[i].end;
		p->path = end + k;
		return 0;
	}
	return vplat_pf_error(err, errlen, VPLAT_EINVAL,
			      "console port %lu: unknown host end '%s' (pty, log=PATH, listen=PATH or "
			      "connect=PATH)", id, end);
}
