/* SPDX-License-Identifier: BSD-3-Clause */
/* vplat-device console: the console device (port 0) on stdio, a pty, a socket or a log file. */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include "vdev.h"
#include "vplat/console.h"
#include "vplat/host/console_fd.h"

struct con_state {
	const char *listen, *connect, *log;
	bool pty;
	struct vplat_console_fd end;
	struct vplat_console con;
};

static struct con_state *st(struct vdev *v)
{
	if (!v->state)
		v->state = calloc(1, sizeof(struct con_state));
	return v->state;
}

static int con_option(struct vdev *v, int argc, char **argv, int *i)
{
	struct con_state *s = st(v);
	const char *val;
	if (!s)
		return -1;
	if ((val = vdev_optval(argc, argv, i, "--listen")))
		return s->listen = val, 1;
	if ((val = vdev_optval(argc, argv, i, "--connect")))
		return s->connect = val, 1;
	if ((val = vdev_optval(argc, argv, i, "--log")))
		return s->log = val, 1;
	if (!strcmp(argv[*i], "--pty"))
		return s->pty = true, 1;
	return 0;
}

static struct vplat_device *con_create(struct vdev *v, struct vplat_mem *mem)
{
	struct con_state *s = st(v);
	if (!s)
		return NULL;
	int rc = s->listen    ? vplat_console_fd_listen(&s->end, s->listen)
		 : s->connect ? vplat_console_fd_connect(&s->end, s->connect)
		 : s->log     ? vplat_console_fd_log(&s->end, s->log)
		 : s->pty     ? vplat_console_fd_pty(&s->end)
			      : vplat_console_fd_pipe(&s->end, 0, 1);
	if (rc) {
		vdev_log(v, VPLAT_VHU_LOG_ERROR, "console: host end: %s", vplat_strerror(rc));
		return NULL;
	}
	if (s->pty)
		vdev_log(v, VPLAT_VHU_LOG_INFO, "console: pty %s", s->end.pty_name);
	struct vplat_console_config cfg = {.max_ports = 1, .cols = 80, .rows = 25};
	rc = vplat_console_init(&s->con, mem, &cfg, &vplat_console_host_fd, &s->end);
	if (rc) {
		vdev_log(v, VPLAT_VHU_LOG_ERROR, "console: %s", vplat_strerror(rc));
		return NULL;
	}
	vplat_console_fd_bind(&s->end, &s->con, 0);
	return vplat_console_device(&s->con);
}

static unsigned con_host_fds(struct vdev *v, int *fds, unsigned max)
{
	struct con_state *s = v->state;
	struct pollfd p[3];
	unsigned n = vplat_console_fd_pollfds(&s->end, p, 3), k = 0;
	for (unsigned i = 0; i < n && k < max; i++)
		if (p[i].events & POLLIN) /* output readiness is retried on every loop turn */
			fds[k++] = p[i].fd;
	return k;
}

static void con_run(struct vdev *v)
{
	struct con_state *s = v->state;
	vplat_console_fd_dispatch(&s->end);
}

static void con_destroy(struct vdev *v)
{
	struct con_state *s = v->state;
	if (!s)
		return;
	vplat_console_fd_close(&s->end);
	free(s);
	v->state = NULL;
}

const struct vdev_type vdev_console = {
    .name = "console",
    .summary = "console device (virtio-console, ID 3), port 0 on stdio, a pty, a socket or a file",
    .help = "DESCRIPTION\n"
	    "    Serves a virtio console with one port. Guest output goes to, and input comes\n"
	    "    from, the chosen host end (default: the daemon's stdin and stdout). QEMU 7.2\n"
	    "    has no vhost-user console device: use vplat's front-end or the conformance\n"
	    "    suite as the driver.\n"
	    "\n"
	    "DEVICE OPTIONS\n"
	    "    --listen PATH       serve one client on a UNIX socket at PATH\n"
	    "    --connect PATH      connect to a UNIX socket at PATH\n"
	    "    --pty               a pseudo-terminal (its path is logged)\n"
	    "    --log FILE          append guest output to FILE (no input)\n",
    .option = con_option,
    .create = con_create,
    .host_fds = con_host_fds,
    .host_run = con_run,
    .destroy = con_destroy,
};
