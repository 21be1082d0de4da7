/* SPDX-License-Identifier: BSD-3-Clause */
/* vplat-device console: the console device (port 0) on stdio, a pty, a socket or a log file;
 * with --max-ports, a multiport console with further named ports. */
#include <stdlib.h>
#include <string.h>
#include "vdev.h"

/* The host ends given (one device per process); configure() picks one. */
static const char *listen_path, *connect_path, *log_path;
static bool pty;
static uint64_t max_ports;
static struct vplat_instance_console_port *ports;
static unsigned nports;

/* --port ID:NAME:END, repeatable: the text stays in argv (the port's strings point into it). */
static int add_port(struct vdev *v, char *spec)
{
	char err[160];
	struct vplat_instance_console_port p;
	if (vplat_instance_console_port_parse(spec, &p, err, sizeof(err))) {
		vdev_log(v, VPLAT_VHU_LOG_ERROR, "--port: %s", err);
		return -1;
	}
	struct vplat_instance_console_port *n = realloc(ports, (nports + 1u) * sizeof(*n));
	if (!n)
		return -1;
	ports = n;
	ports[nports++] = p;
	return 1;
}

static int con_option(struct vdev *v, int argc, char **argv, int *i)
{
	const char *val;
	if ((val = vdev_optval(argc, argv, i, "--listen")))
		return listen_path = val, 1;
	if ((val = vdev_optval(argc, argv, i, "--connect")))
		return connect_path = val, 1;
	if ((val = vdev_optval(argc, argv, i, "--log")))
		return log_path = val, 1;
	if (!strcmp(argv[*i], "--pty"))
		return pty = true, 1;
	if ((val = vdev_optval(argc, argv, i, "--max-ports"))) {
		if (!vdev_parse_u64(val, &max_ports) || max_ports < 1 || max_ports > 0x7fffffffu)
			return -1;
		return 1;
	}
	if ((val = vdev_optval(argc, argv, i, "--port")))
		return add_port(v, (char *)val);
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
	o->max_ports = (uint32_t)max_ports;
	o->ports = ports;
	o->nports = nports;
	return true;
}

const struct vdev_type vdev_console = {
    .name = "console",
    .summary = "console device (virtio-console, ID 3), port 0 on stdio, a pty, a socket or a file",
    .help = "DESCRIPTION\n"
	    "    Serves a virtio console. Guest output goes to, and input comes from, the\n"
	    "    chosen host end of port 0, the console port (default: the daemon's stdin and\n"
	    "    stdout). With --max-ports above 1 the device offers VIRTIO_CONSOLE_F_MULTIPORT;\n"
	    "    each --port adds a named port with its own host end. QEMU 7.2\n"
	    "    has no vhost-user console device: use vplat's front-end or the conformance\n"
	    "    suite as the driver.\n"
	    "\n"
	    "DEVICE OPTIONS\n"
	    "    --listen PATH       serve one client on a UNIX socket at PATH\n"
	    "    --connect PATH      connect to a UNIX socket at PATH\n"
	    "    --pty               a pseudo-terminal (its path is logged)\n"
	    "    --log FILE          append guest output to FILE (no input)\n"
	    "    --max-ports N       offer N ports (MULTIPORT above 1; default: 1, or one\n"
	    "                        more than the highest --port; description: max-ports)\n"
	    "    --port ID:NAME:END  a further port, repeatable: number ID (1 .. N-1), the\n"
	    "                        name the driver is told (may be empty), and its host\n"
	    "                        end: pty, log=PATH, listen=PATH or connect=PATH\n"
	    "                        (description: ports)\n",
    .type = VPLAT_INSTANCE_CONSOLE,
    .option = con_option,
    .configure = con_configure,
};
