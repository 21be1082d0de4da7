/* SPDX-License-Identifier: BSD-3-Clause */
/* vplat-device: shared between the daemon's files. */
#ifndef VPLAT_DEVICE_DAEMON_H
#define VPLAT_DEVICE_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include "vplat/backend/vhost_user.h"

/* Exit statuses (also in every --help). */
#define VDEV_EXIT_OK    0
#define VDEV_EXIT_FAIL  1 /* run-time failure: socket, device or host resource */
#define VDEV_EXIT_USAGE 2 /* bad command line */
#define VDEV_HOST_FDS   16 /* most host-end fds a device polls */

struct vdev;

/* One device subcommand. */
struct vdev_type {
	const char *name;
	const char *summary; /* one line for the daemon's --help */
	const char *help;    /* the subcommand's man page (DESCRIPTION + device OPTIONS) */
	/* Parse one device option at argv[*i] (advance *i past its value). 1 = consumed,
	 * 0 = not ours, -1 = bad value. */
	int (*option)(struct vdev *v, int argc, char **argv, int *i);
	/* Create the device on @mem; return it or NULL (after logging why). */
	struct vplat_device *(*create)(struct vdev *v, struct vplat_mem *mem);
	/* Optional: fds to poll for the device's host end; returns how many (at most @max). */
	unsigned (*host_fds)(struct vdev *v, int *fds, unsigned max);
	/* Optional: longest the loop may sleep before host_run() is due (ms); -1: no limit. */
	int (*host_timeout_ms)(struct vdev *v);
	/* Optional: the host fd polled readable, or a loop iteration ended. */
	void (*host_run)(struct vdev *v);
	/* The device completes requests in the order it takes them (see vplat/vhost_user.h). */
	bool in_order;
	/* Optional: release the host end. */
	void (*destroy)(struct vdev *v);
};

struct vdev {
	const struct vdev_type *type;
	void *state;             /* the subcommand's own state */
	const char *socket_path;
	bool client;             /* connect instead of listening */
	bool once;               /* exit when the first connection ends */
	int reconnect_ms;        /* client: retry for this long after a disconnect */
	bool busy_poll;          /* poll the rings instead of sleeping on kicks */
	enum vplat_vhu_log_level level;
	struct vplat_vhu_backend be;
};

void vdev_log(struct vdev *v, enum vplat_vhu_log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Value of option argv[*i] ("--opt VALUE" or "--opt=VALUE"); NULL if missing. */
const char *vdev_optval(int argc, char **argv, int *i, const char *name);
bool vdev_parse_u64(const char *s, uint64_t *out);

extern const struct vdev_type vdev_rng;
extern const struct vdev_type vdev_blk;
extern const struct vdev_type vdev_net;
extern const struct vdev_type vdev_gpio;
extern const struct vdev_type vdev_console;
extern const struct vdev_type vdev_can;
extern const struct vdev_type vdev_watchdog;

#endif
