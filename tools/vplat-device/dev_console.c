/* SPDX-License-Identifier: BSD-3-Clause */
/* vplat-device console: the console device (port 0) on stdio, a pty, a socket or a log file. */
#include <string.h>
#include "vdev.h"

/* The host ends given (one device per process); configure() picks one. */
static const char *listen_path, *connect_path, *log_path;
static bool pty;

static int con_option(struct vdev *v, int argc, char **argv, int *i)
{
	(void)v;
	const char *val;
	if ((val = vdev_optval(argc, argv, i, "--listen")))
		return listen_path = val, 1;
	if ((val = vdev_optval(argc, argv, i, "--connect")))
		return connect_path = val, 1;
	if ((val = vdev_optval(argc, argv, i, "--log")))
		return log_path = val, 1;
	if (!strcmp(argv[*i], "--pty"))
		return pty = true, 1;
	return 0;
}

static bool con_configure(struct vdev *v)
{
	struct vplat_instance_console *o = &v->opt.console;
	o->end = listen_path    ? VPLAT_INSTANCE_CONSOLE_LISTEN
		 : connect_path ? VPLAT_INSTANCE_CONSOLE_CONNECT
		 : log_path     ? VPLAT_INSTANCE_CONSOLE_LOG
		 : pty          ? VPLAT_INSTANCE_CONSOLE_PTY
				: VPLAT_INSTANCE_CONSOLE_STDIO;
	o->path = listen_path ? listen_path : connect_path ? connect_path : log_path;
	return true;
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
    .type = VPLAT_INSTANCE_CONSOLE,
    .option = con_option,
    .configure = con_configure,
};
