/* SPDX-License-Identifier: BSD-3-Clause */
/* vplat-device: shared between the daemon's files. */
#ifndef VPLAT_DEVICE_DAEMON_H
#define VPLAT_DEVICE_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include "num_opts.h"
#include "vplat/backend/vhost_user.h"
#include "vplat/platform/instance.h"

/* Exit statuses (also in every --help). */
#define VDEV_EXIT_OK    0
#define VDEV_EXIT_FAIL  1 /* run-time failure: socket, device or host resource */
#define VDEV_EXIT_USAGE 2 /* bad command line */
#define VDEV_EXIT_WDT   3 /* watchdog expired with --action exit */
#define VDEV_HOST_FDS   256 /* most host-end fds a device polls (vsock: one per connection) */

struct vdev;

/* One device subcommand: its command line. The device and its host end are a library
 * instance (vplat/platform/instance.h); the subcommand only fills its typed options. */
struct vdev_type {
	const char *name;
	const char *summary; /* one line for the daemon's --help */
	const char *help;    /* the subcommand's man page (DESCRIPTION + device OPTIONS) */
	enum vplat_instance_type type;
	/* Parse one device option at argv[*i] (advance *i past its value) into v->opt.
	 * 1 = consumed, 0 = not ours, -1 = bad value. */
	int (*option)(struct vdev *v, int argc, char **argv, int *i);
	/* Optional: after parsing, finish v->opt; false (after logging why) refuses to start. */
	bool (*configure)(struct vdev *v);
};

struct vdev {
	const struct vdev_type *type;
	const char *socket_path;
	bool client;             /* connect instead of listening */
	bool once;               /* exit when the first connection ends */
	int reconnect_ms;        /* client: retry for this long after a disconnect */
	bool busy_poll;          /* poll the rings instead of sleeping on kicks */
	bool host_busy;          /* busy polling also reaps the host end's completions (blk) */
	unsigned threads;        /* --threads: queue threads (0: the main thread serves all) */
	enum vplat_vhu_log_level level;
	struct vplat_vhu_backend be;
	struct vplat_instance_options opt; /* the device, as the subcommand's options give it */
	struct vplat_instance *inst;
};

void vdev_log(struct vdev *v, enum vplat_vhu_log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Value of option argv[*i] ("--opt VALUE" or "--opt=VALUE"); NULL if missing. */
const char *vdev_optval(int argc, char **argv, int *i, const char *name);
/* The four rate-limit options at argv[*i]: OPS (e.g. "--iops") and OPS_BURST for operations,
 * "--bps" and "--bps-burst" for bytes, into RL. 1 = consumed, 0 = not one of them, -1 = bad
 * value (not a number, or over VPLAT_RATELIMIT_MAX_RATE). */
int vdev_ratelimit_option(int argc, char **argv, int *i, const char *ops, const char *ops_burst,
			  struct vplat_ratelimit_config *rl);

extern const struct vdev_type vdev_rng;
extern const struct vdev_type vdev_blk;
extern const struct vdev_type vdev_net;
extern const struct vdev_type vdev_gpio;
extern const struct vdev_type vdev_console;
extern const struct vdev_type vdev_can;
extern const struct vdev_type vdev_watchdog;
extern const struct vdev_type vdev_i2c;
extern const struct vdev_type vdev_input;
extern const struct vdev_type vdev_vsock;
extern const struct vdev_type vdev_sound;

#endif
