/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vplat-xen: vplat devices served to Xen guests from dom0 through an ioreq server, each
 * behind vplat's own virtio-mmio model. Waits for libxl's virtio-mmio disk nodes of a domain
 * (backendtype=standalone, specification=virtio), serves them, and waits for the next domain
 * when it goes away.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xenstore.h>

#include "vplat/backend/xen.h"
#include "vplat/error.h"
#include "vplat/fabric/switch.h"
#include "vplat/host/net_host.h"
#include "vplat/mem.h"
#include "vplat/platform/instance.h"
#include "vplat/platform/platform.h"
#include "vplat/version.h"

#include "../vplat-device/input_opts.h"
#include "../vplat-device/net_opts.h"

#define EXIT_USAGE 2
#define MAX_DEVS   VPLAT_XEN_MAX_DEVICES
#define BACKEND    "/local/domain/0/backend/virtio_disk"

__attribute__((format(printf, 2, 3))) static void say(int lvl, const char *fmt, ...);
static volatile sig_atomic_t stop;
static int verbosity = 2;

/* vplat's Ethernet switch in this process (--dev net,switch): the net devices' ports and,
 * with --switch-tap, a tap port in dom0. */
static struct vplat_switch sw;
static bool sw_up;
static struct vplat_net_tap sw_tap;
static bool sw_tap_up;

static int switch_up(void)
{
	if (sw_up)
		return 0;
	int rc = vplat_switch_init(&sw, NULL);

	if (rc != 0) {
		say(0, "switch: %s", vplat_strerror(rc));
		return -1;
	}
	sw_up = true;
	return 0;
}

/* Move frames: the tap's input into the switch, the switch's queues out to its ports. */
static void switch_run(void)
{
	if (!sw_up)
		return;
	uint64_t now = vplat_switch_monotonic_ns(NULL);

	if (sw_tap_up)
		(void)vplat_net_tap_poll(&sw_tap, now);
	(void)vplat_switch_builtin_ops.run(&sw, now);
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

__attribute__((format(printf, 2, 3))) static void say(int lvl, const char *fmt, ...)
{
	static const char *const names[] = {"error", "warning", "info", "debug"};
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;
	va_list ap;

	if (lvl > verbosity)
		return;
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
	fprintf(stderr, "%s vplat-xen %s: ", ts, names[lvl < 0 ? 0 : lvl > 3 ? 3 : lvl]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void xen_log(void *opaque, int level, const char *msg)
{
	(void)opaque;
	say(level, "%s", msg);
}

static void inst_log(void *opaque, enum vplat_instance_log_level level, const char *msg)
{
	(void)opaque;
	say((int)level, "%s", msg);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vplat-xen [OPTIONS] --dev SPEC [--dev SPEC]...\n"
		"       vplat-xen [OPTIONS] --platform FILE [--vm NAME]\n"
		"Serve vplat virtio devices to Xen guests from dom0: an ioreq server per guest presents\n"
		"each device behind vplat's own virtio-mmio model (version 2).\n\n"
		"    The guest's xl configuration names one virtio-mmio node per device with the disk\n"
		"    syntax of Xen 4.17 (the n-th node is served by the n-th --dev):\n"
		"      disk = [ \"backend=0, backendtype=standalone, specification=virtio, vdev=xvda\" ]\n"
		"    vplat-xen waits for libxl's nodes in xenstore (" BACKEND "),\n"
		"    registers the ioreq server, answers libxl's handshake (state 2, InitWait) and\n"
		"    serves the guest until it is destroyed, mapping its RAM by foreign mapping as the\n"
		"    devices touch it (2 MiB at a time, kept while the guest lives);\n"
		"    then it waits for the next guest. The hypervisor needs CONFIG_IOREQ_SERVER.\n\n"
		"Options:\n"
		"    --dev SPEC        a device (repeat, in node order); SPEC is TYPE[,KEY=VALUE]...:\n"
		"                        rng\n"
		"                        blk,image=PATH[,create-size=BYTES][,ro][,serial=ID]\n"
		"                        console[,stdio|,pty|,log=PATH|,listen=PATH][,max-ports=N]\n"
		"                               [,port=ID:NAME:END]...\n"
		"                          max-ports=N: offer N ports (MULTIPORT above 1); each port=\n"
		"                          adds port ID (1..N-1) named NAME (may be empty) with host\n"
		"                          end END: pty, log=PATH, listen=PATH or connect=PATH\n"
		"                        gpio[,lines=N][,control=PATH][,no-irq][,loop-wires=N]\n"
		"                          loop-wires=N: N wires on the last 2N lines, named\n"
		"                          loop-outk -> loop-ink (a driver's own interrupts)\n"
		"                        net[,tap=IFNAME|,switch]  (neither: a sink)\n"
		"                          switch: a port of vplat's Ethernet switch in this process\n"
		"                          [,mac=XX:XX:XX:XX:XX:XX][,mtu=N][,ctrl]: offer a MAC, an\n"
		"                          MTU (68..65535), a control queue (served by vplat)\n"
		"                        input[,keyboard][,touch=WxH[,slots=N]][,script=PATH]\n"
		"                             [,name=NAME][,serial=S] | input,evdev=DEV[,grab]\n"
		"                          (vplat-device input's options; neither keyboard nor\n"
		"                          touch: both, touch 1920x1080)\n"
		"                        sound[,sink=OUT.wav][,source=IN.wav][,no-loop]\n"
		"                             [,jack-flip=MS]\n"
		"                          jack-flip=MS: one jack, its connection flipped by the\n"
		"                          host MS ms (1..3600000) after each DRIVER_OK\n"
		"    --platform FILE   the devices of a platform description (a DTB,\n"
		"                      docs/platform-binding.md): those of its first VM with\n"
		"                      served-by = \"xen\" (its xen,domid, if given, as --domid),\n"
		"                      in node order; instead of --dev\n"
		"    --vm NAME         with --platform: that VM (it must be served-by = \"xen\")\n"
		"    --domid N         serve only domain N (default: any domain with nodes; with\n"
		"                      --platform the VM's xen,domid, which --domid overrides);\n"
		"                      nodes of any other domain are left alone (a warning says so\n"
		"                      once per domain): libxl picks the domid, so it must match\n"
		"    --once            exit after the first served domain goes away\n"
		"    --switch-tap NAME a tap interface in dom0 as one more port of the switch\n"
		"    --ram-mib N       guest RAM to map when xenstore has no memory/static-max\n"
		"    -v, --verbose     debug messages;  -q, --quiet: errors only\n"
		"    -h, --help        this text\n"
		"        --version     print the version and exit\n\n"
		"EXIT STATUS\n"
		"    0  stopped by a signal, or --once and the domain went away\n"
		"    1  run-time failure (xenstore, a device's host end)\n"
		"    2  bad command line\n");
}

struct dev {
	struct vplat_instance_options opt;
	struct vplat_instance *inst;
	/* --platform: a device of the description's Xen VM (host ends run by the platform) */
	struct vplat_device *vd;
	const struct vplat_platform_device *pd;
	/* console: its further ports (strings point into argv) */
	struct vplat_instance_console_port *ports;
};

static struct vplat_platform *pf;

static struct vplat_device *dev_of(const struct dev *d)
{
	return d->vd ? d->vd : vplat_instance_device(d->inst);
}

static const char *dev_type(const struct dev *d)
{
	return d->pd ? vplat_platform_type_name(d->pd->type) : vplat_instance_type_name(d->opt.type);
}

/* Host ends: the --dev instances', or the platform's (its switches included). */
static unsigned host_fds(struct dev *devs, unsigned ndevs, struct pollfd *pfd, unsigned max,
			 int *timeout)
{
	unsigned np = 0;
	int fds[64];

	if (pf != NULL) {
		unsigned k = vplat_platform_fds(pf, fds, 64);

		for (unsigned j = 0; j < k && j < 64 && np < max; j++)
			pfd[np++] = (struct pollfd){.fd = fds[j], .events = POLLIN};
		int t = vplat_platform_timeout_ms(pf);

		if (t >= 0 && t < *timeout)
			*timeout = t;
		return np;
	}
	for (unsigned i = 0; i < ndevs; i++) {
		unsigned k = vplat_instance_fds(devs[i].inst, fds, 16);

		for (unsigned j = 0; j < k && j < 16 && np < max; j++)
			pfd[np++] = (struct pollfd){.fd = fds[j], .events = POLLIN};
		int t = vplat_instance_timeout_ms(devs[i].inst);

		if (t >= 0 && t < *timeout)
			*timeout = t;
	}
	return np;
}

static void host_dispatch(struct dev *devs, unsigned ndevs)
{
	switch_run();
	if (pf != NULL)
		(void)vplat_platform_dispatch(pf);
	else
		for (unsigned i = 0; i < ndevs; i++)
			(void)vplat_instance_dispatch(devs[i].inst);
	switch_run();
}

static struct vplat_mem *pf_mem(void *opaque, const struct vplat_platform_device *d)
{
	(void)d;
	return opaque;
}

/* Devices of the description's VM served by Xen (--vm NAME, or the first such VM). */
static int load_platform(const char *path, const char *vmname, struct vplat_mem *mem,
			 struct dev *devs, unsigned *ndevs, long *only)
{
	FILE *f = fopen(path, "rb");
	static uint8_t dtb[1 << 20];
	size_t len = f ? fread(dtb, 1, sizeof(dtb), f) : 0;

	if (f == NULL || ferror(f) || len == sizeof(dtb)) {
		say(0, "--platform %s: %s", path, f ? "unreadable or larger than 1 MiB" : strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	struct vplat_platform_options o = {.mem = pf_mem, .opaque = mem, .no_transport = true,
					   .log = inst_log};
	char err[512] = "";

	if (vplat_platform_load(&pf, dtb, len, &o, err, sizeof(err)) != 0) {
		say(0, "--platform %s: %s", path, err);
		return -1;
	}
	unsigned vm = 0, n = vplat_platform_vm_count(pf);
	uint32_t domid = 0;

	for (; vm < n; vm++) {
		const char *name = vplat_platform_vm_name(pf, vm);

		if (vmname ? !strcmp(name, vmname) : vplat_platform_vm_xen(pf, vm, NULL) == 1)
			break;
	}
	if (vm == n || vplat_platform_vm_xen(pf, vm, &domid) != 1) {
		say(0, "--platform %s: %s", path,
		    vmname ? "that VM is not in the description or not served-by = \"xen\""
			   : "no VM has served-by = \"xen\"");
		return -1;
	}
	if (domid != 0 && *only < 0)
		*only = domid;
	for (unsigned i = 0; i < vplat_platform_device_count(pf) && *ndevs < MAX_DEVS; i++) {
		const struct vplat_platform_device *d = vplat_platform_device(pf, i);

		if (d->vm != vm)
			continue;
		devs[*ndevs].pd = d;
		devs[*ndevs].vd = vplat_platform_dev(pf, i);
		(*ndevs)++;
	}
	say(2, "--platform: VM %s, %u device(s)%s", vplat_platform_vm_name(pf, vm), *ndevs,
	    domid ? "" : ", any domain");
	return *ndevs ? 0 : -1;
}

/* A key's value as a whole unsigned number in 0..max (vdev_parse_u64); false if absent. */
static bool num_arg(const char *v, uint64_t max, uint64_t *out)
{
	return v != NULL && vdev_parse_u64(v, out) && *out <= max;
}

static int parse_dev(struct dev *d, char *spec)
{
	char *save = NULL;
	char *type = strtok_r(spec, ",", &save);
	int t = type ? vplat_instance_type_from_name(type) : -1;

	if (t < 0) {
		say(0, "--dev: unknown device type '%s'", type ? type : "");
		return -1;
	}
	memset(&d->opt, 0, sizeof(d->opt));
	d->opt.type = (enum vplat_instance_type)t;
	d->opt.log = inst_log;
	d->opt.console.end = VPLAT_INSTANCE_CONSOLE_STDIO;
	d->opt.net.backend = VPLAT_INSTANCE_NET_SINK;
	const char *key = "";
	uint64_t n;

	for (char *kv; (kv = strtok_r(NULL, ",", &save)) != NULL;) {
		char *v = strchr(kv, '=');

		if (v)
			*v++ = '\0';
		key = kv;
		switch (d->opt.type) {
		case VPLAT_INSTANCE_BLK:
			if (!strcmp(kv, "image") && v)
				d->opt.blk.path = v;
			else if (!strcmp(kv, "create-size") && num_arg(v, UINT64_MAX, &n))
				d->opt.blk.create_size = n;
			else if (!strcmp(kv, "ro") && !v)
				d->opt.blk.read_only = true;
			else if (!strcmp(kv, "serial") && v)
				d->opt.blk.serial = v;
			else
				goto bad;
			break;
		case VPLAT_INSTANCE_CONSOLE:
			if (!strcmp(kv, "stdio") && !v)
				d->opt.console.end = VPLAT_INSTANCE_CONSOLE_STDIO;
			else if (!strcmp(kv, "pty") && !v)
				d->opt.console.end = VPLAT_INSTANCE_CONSOLE_PTY;
			else if (!strcmp(kv, "log") && v) {
				d->opt.console.end = VPLAT_INSTANCE_CONSOLE_LOG;
				d->opt.console.path = v;
			} else if (!strcmp(kv, "listen") && v) {
				d->opt.console.end = VPLAT_INSTANCE_CONSOLE_LISTEN;
				d->opt.console.path = v;
			} else if (!strcmp(kv, "max-ports") && num_arg(v, 0x7fffffff, &n) && n > 0) {
				d->opt.console.max_ports = (uint32_t)n;
			} else if (!strcmp(kv, "port") && v) {
				char perr[160];
				struct vplat_instance_console_port cp, *np;
				unsigned k = d->opt.console.nports;

				if (vplat_instance_console_port_parse(v, &cp, perr, sizeof(perr))) {
					say(0, "--dev %s: %s", type, perr);
					return -1;
				}
				if (!(np = realloc(d->ports, (k + 1) * sizeof(*np))))
					return -1;
				np[k] = cp;
				d->ports = np;
				d->opt.console.ports = np;
				d->opt.console.nports = k + 1;
			} else
				goto bad;
			break;
		case VPLAT_INSTANCE_GPIO:
			if (!strcmp(kv, "lines") && num_arg(v, 1024, &n) && n > 0)
				d->opt.gpio.lines = (uint16_t)n;
			else if (!strcmp(kv, "loop-wires") && num_arg(v, 512, &n))
				d->opt.gpio.loop_wires = (uint16_t)n;
			else if (!strcmp(kv, "control") && v)
				d->opt.gpio.control = v;
			else if (!strcmp(kv, "no-irq") && !v)
				d->opt.gpio.no_irq = true;
			else
				goto bad;
			break;
		case VPLAT_INSTANCE_INPUT:
			if (!input_opts_kv(&d->opt.input, kv, v))
				goto bad;
			break;
		case VPLAT_INSTANCE_SOUND:
			if (!strcmp(kv, "sink") && v)
				d->opt.sound.sink = v;
			else if (!strcmp(kv, "source") && v)
				d->opt.sound.source = v;
			else if (!strcmp(kv, "no-loop") && !v)
				d->opt.sound.no_loop = true;
			else if (!strcmp(kv, "jack-flip") && num_arg(v, 3600000, &n) && n > 0)
				d->opt.sound.jack_flip_ms = (uint32_t)n;
			else
				goto bad;
			break;
		case VPLAT_INSTANCE_NET:
			if (!strcmp(kv, "tap") && v) {
				d->opt.net.backend = VPLAT_INSTANCE_NET_TAP;
				d->opt.net.tap = v;
			} else if (!strcmp(kv, "switch") && !v) {
				if (switch_up() != 0)
					return -1;
				d->opt.net.backend = VPLAT_INSTANCE_NET_SWITCH;
				d->opt.net.sw = &sw;
				d->opt.net.port_name = "xen-net";
			} else if (!strcmp(kv, "mac") && v && net_opts_mac(v, d->opt.net.mac)) {
				d->opt.net.has_mac = true;
			} else if (!strcmp(kv, "mtu") && v && net_opts_mtu(v) != 0) {
				d->opt.net.mtu = net_opts_mtu(v);
			} else if (!strcmp(kv, "ctrl") && !v) {
				d->opt.net.ctrl = true;
			} else
				goto bad;
			break;
		default:
			goto bad;
		}
	}
	if (d->opt.type == VPLAT_INSTANCE_SOUND && !d->opt.sound.sink && !d->opt.sound.source) {
		say(0, "--dev sound needs sink=PATH and/or source=PATH");
		return -1;
	}
	if (d->opt.type == VPLAT_INSTANCE_BLK && d->opt.blk.path == NULL) {
		say(0, "--dev blk needs image=PATH");
		return -1;
	}
	if (d->opt.type == VPLAT_INSTANCE_INPUT && input_opts_check(&d->opt.input) != NULL) {
		say(0, "--dev input: %s", input_opts_check(&d->opt.input));
		return -1;
	}
	return 0;
bad:
	say(0, "--dev %s: unknown or malformed key '%s'", type, key);
	return -1;
}

/* The virtio-mmio nodes libxl made for a domain, in device-number order. */
struct node {
	unsigned long devid;
	uint64_t base;
	uint32_t irq;
};

static char *xs_get(struct xs_handle *xs, const char *fmt, ...)
{
	char path[256];
	unsigned int len;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return xs_read(xs, XBT_NULL, path, &len);
}

static int cmp_node(const void *a, const void *b)
{
	const struct node *x = a, *y = b;

	return x->devid < y->devid ? -1 : x->devid > y->devid;
}

/* A xenstore number: the whole text, at most @p max (vdev_parse_u64's forms). */
static bool xs_num(const char *txt, uint64_t max, uint64_t *out)
{
	return txt && vdev_parse_u64(txt, out) && *out <= max;
}

/* Say once per domain and node that its entries are malformed (the scan repeats); after 64
 * such nodes, say once that further ones go unreported. */
static void node_malformed(unsigned domid, const char *ent, const char *st, const char *base,
			   const char *irq)
{
	static uint64_t warned[64];
	static unsigned nwarned;
	uint64_t key = (uint64_t)domid << 32;

	for (const char *c = ent; *c; c++)
		key = key * 31 + (unsigned char)*c;
	for (unsigned i = 0; i < nwarned; i++)
		if (warned[i] == key)
			return;
	if (nwarned == sizeof(warned) / sizeof(warned[0])) {
		/* a bounded memory of nodes, and no log flood from a hostile toolstack either */
		static bool full_said;
		if (!full_said)
			say(1, "%u malformed nodes reported: further ones are not served and not "
			       "reported", nwarned);
		full_said = true;
		return;
	}
	warned[nwarned++] = key;
	say(1, "dom%u node '%.32s': malformed (state '%.16s', base '%.32s', irq '%.16s'; want a "
	       "device number, state 1, a 64-bit base and a GIC SPI 32..1019): not served",
	    domid, ent, st, base, irq);
}

/* Nodes of @p domid whose back end is still Initialising (1), complete, by device number.
 * The entries are the toolstack's, read as untrusted text: a node whose number, state, base
 * or interrupt is not a whole number in range is refused with a message, never guessed. */
static unsigned domain_nodes(struct xs_handle *xs, unsigned domid, struct node *out)
{
	unsigned int n = 0, k = 0;
	char path[128];

	snprintf(path, sizeof(path), BACKEND "/%u", domid);
	char **ents = xs_directory(xs, XBT_NULL, path, &n);

	for (unsigned i = 0; ents && i < n && k < MAX_DEVS; i++) {
		char *st = xs_get(xs, "%s/%s/state", path, ents[i]);
		char *base = xs_get(xs, "%s/%s/base", path, ents[i]);
		char *irq = xs_get(xs, "%s/%s/irq", path, ents[i]);
		uint64_t dv, sv, bv, iv;

		say(3, "dom%u node %s: state %s base %s irq %s", domid, ents[i], st ? st : "-",
		    base ? base : "-", irq ? irq : "-");
		if (st && base && irq) {
			if (!xs_num(ents[i], ULONG_MAX, &dv) || !xs_num(st, 0xffffffff, &sv) ||
			    !xs_num(base, UINT64_MAX, &bv) || !xs_num(irq, 1019, &iv) || iv < 32)
				node_malformed(domid, ents[i], st, base, irq);
			else if (sv == 1) {
				out[k].devid = (unsigned long)dv;
				out[k].base = bv;
				out[k].irq = (uint32_t)iv;
				k++;
			}
		}
		free(st);
		free(base);
		free(irq);
	}
	free(ents);
	qsort(out, k, sizeof(*out), cmp_node);
	return k;
}

static void set_state(struct xs_handle *xs, unsigned domid, unsigned long devid, const char *st)
{
	char path[128];

	snprintf(path, sizeof(path), BACKEND "/%u/%lu/state", domid, devid);
	if (!xs_write(xs, XBT_NULL, path, st, strlen(st)))
		say(1, "dom%u: writing %s: %s", domid, path, strerror(errno));
}

/* The device for node @p devid: libxl numbers xvda, xvdb, ... 51712, 51728, ... */
static int node_index(unsigned long devid)
{
	return devid >= 51712 && (devid - 51712) % 16 == 0 ? (int)((devid - 51712) / 16) : -1;
}

/* Add the nodes of @p domid not served yet; answer libxl's handshake for each. */
static void add_nodes(struct xs_handle *xs, struct vplat_xen_server *s, unsigned domid,
		      struct dev *devs, unsigned ndevs, bool *done)
{
	struct node nodes[MAX_DEVS];
	unsigned nn = domain_nodes(xs, domid, nodes);

	for (unsigned i = 0; i < nn; i++) {
		int k = node_index(nodes[i].devid);

		if (k < 0 || (unsigned)k >= ndevs) {
			say(1, "dom%u: node %lu has no device (vplat-xen has %u)", domid,
			    nodes[i].devid, ndevs);
			continue;
		}
		if (done[k])
			continue;
		struct vplat_xen_device xd = {.base = nodes[i].base, .irq = nodes[i].irq,
					      .dev = dev_of(&devs[k])};
		int rc = vplat_xen_server_add(s, &xd);

		if (rc != 0) {
			say(0, "dom%u: node %lu at 0x%llx: %s", domid, nodes[i].devid,
			    (unsigned long long)nodes[i].base,
			    rc == VPLAT_EINVAL ? "bad or overlapping window" : "Xen refused the window");
			done[k] = true;
			continue;
		}
		done[k] = true;
		set_state(xs, domid, nodes[i].devid, "2");
		say(2, "dom%u: %s at 0x%llx irq %u", domid, dev_type(&devs[k]),
		    (unsigned long long)nodes[i].base, nodes[i].irq);
		if (devs[k].pd && devs[k].pd->transport == VPLAT_PLATFORM_MMIO &&
		    (devs[k].pd->base != nodes[i].base || devs[k].pd->irq != nodes[i].irq))
			say(1, "dom%u: %s says 0x%llx irq %u, libxl placed it at 0x%llx irq %u: "
			       "serving libxl's node", domid, devs[k].pd->path,
			    (unsigned long long)devs[k].pd->base, devs[k].pd->irq,
			    (unsigned long long)nodes[i].base, nodes[i].irq);
	}
}

static int serve(struct xs_handle *xs, unsigned domid, struct dev *devs, unsigned ndevs,
		 struct vplat_mem *mem, uint64_t ram_default)
{
	bool done[MAX_DEVS] = {false};
	char *smax = xs_get(xs, "/local/domain/%u/memory/static-max", domid);
	uint64_t kib = 0, ram = ram_default;

	/* static-max is in KiB; an unreadable or absurd value keeps --ram-mib's size */
	if (smax && xs_num(smax, UINT64_MAX / 1024, &kib) && kib > 0)
		ram = kib * 1024;
	else if (smax)
		say(1, "dom%u: memory/static-max '%.32s' is not a size in KiB: assuming %llu MiB "
		       "(--ram-mib)", domid, smax, (unsigned long long)(ram_default >> 20));
	free(smax);
	struct vplat_xen_options o = {.domid = domid, .mem = mem, .ram_size = ram, .log = xen_log};
	struct vplat_xen_server *s = NULL;
	char err[256] = "";
	int rc = vplat_xen_server_open(&s, &o, err, sizeof(err));

	if (rc != 0) {
		say(0, "dom%u: %s", domid, err);
		return rc;
	}
	add_nodes(xs, s, domid, devs, ndevs, done);
	if (vplat_xen_server_map_ram(s) != 0)
		say(0, "dom%u: the first chunk of its RAM could not be mapped (is this dom0, with "
		       "xen-privcmd loaded?); ring accesses will fail where mapping fails", domid);
	struct timespec last;
	unsigned ticks = 0;

	clock_gettime(CLOCK_MONOTONIC, &last);
	while (!stop) {
		struct pollfd pfd[1 + MAX_DEVS * 16];
		unsigned np = 0;
		int timeout = 100;

		pfd[np++] = (struct pollfd){.fd = vplat_xen_server_fd(s), .events = POLLIN};
		if (sw_tap_up) {
			pfd[np++] = (struct pollfd){.fd = sw_tap.fd, .events = POLLIN};
			timeout = 10; /* the switch's queues and shaping */
		}
		np += host_fds(devs, ndevs, pfd + np, (unsigned)(sizeof(pfd) / sizeof(pfd[0])) - np,
			       &timeout);
		int pr = poll(pfd, np, timeout);

		if (pr < 0 && errno != EINTR) {
			say(0, "poll: %s", strerror(errno));
			break;
		}
		if (pr > 0 && (pfd[0].revents & POLLIN) && vplat_xen_server_dispatch(s) != 0) {
			say(2, "dom%u: event channel closed", domid);
			break;
		}
		host_dispatch(devs, ndevs);
		struct timespec now;

		clock_gettime(CLOCK_MONOTONIC, &now);
		bool all = true;

		for (unsigned i = 0; i < ndevs; i++)
			all = all && done[i];
		if (!all)
			add_nodes(xs, s, domid, devs, ndevs, done);
		if ((now.tv_sec - last.tv_sec) * 1000 + (now.tv_nsec - last.tv_nsec) / 1000000 >= 500) {
			last = now;
			if (++ticks % 120 == 0) { /* every minute: is the domain still being served? */
				struct vplat_xen_stats so;

				vplat_xen_server_stats(s, &so);
				say(2, "dom%u: so far served %llu, rejected %llu ioreqs, %llu irq errors",
				    domid, (unsigned long long)so.served, (unsigned long long)so.rejected,
				    (unsigned long long)so.irq_errors);
			}
			/* A dying domain can outlive its destruction while our mappings hold its
			 * pages: libxl's removal of its xenstore directory counts as gone too. */
			char *name = xs_get(xs, "/local/domain/%u/name", domid);

			free(name);
			if (!vplat_xen_server_alive(s) || name == NULL) {
				say(2, "dom%u is gone", domid);
				break;
			}
		}
	}
	struct vplat_xen_stats st;

	vplat_xen_server_stats(s, &st);
	say(2, "dom%u: served %llu, rejected %llu, refused %llu ioreqs; %llu invalidations, %llu irq errors, %llu device resets needed",
	    domid, (unsigned long long)st.served, (unsigned long long)st.rejected,
	    (unsigned long long)st.refused, (unsigned long long)st.invalidate,
	    (unsigned long long)st.irq_errors, (unsigned long long)st.needs_reset);
	say(2, "dom%u RAM: %llu chunk(s) of %llu KiB mapped, %llu mapping call(s), %llu failed, %llu page(s) refused",
	    domid, (unsigned long long)st.ram.chunks_mapped,
	    (unsigned long long)(VPLAT_XEN_CHUNK_SIZE >> 10), (unsigned long long)st.ram.map_calls,
	    (unsigned long long)st.ram.map_failures, (unsigned long long)st.ram.pages_refused);
	vplat_xen_server_close(s);
	return 0;
}

int main(int argc, char **argv)
{
	static struct dev devs[MAX_DEVS];
	unsigned ndevs = 0;
	long only = -1;
	bool once = false;
	const char *platform = NULL, *vmname = NULL;
	uint64_t ram_default = 128ull << 20;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--version")) {
			printf("vplat-xen (vplat) %s\n", vplat_version());
			return 0;
		} else if (!strcmp(a, "--dev") && i + 1 < argc) {
			if (ndevs == MAX_DEVS || parse_dev(&devs[ndevs], argv[++i]) != 0)
				return EXIT_USAGE;
			ndevs++;
		} else if (!strcmp(a, "--domid") && i + 1 < argc) {
			char *end;

			only = strtol(argv[++i], &end, 0);
			if (*end || only < 1 || only > 0x7fef)
				return say(0, "--domid: bad domain id"), EXIT_USAGE;
		} else if (!strcmp(a, "--ram-mib") && i + 1 < argc) {
			uint64_t mib;

			if (!num_arg(argv[++i], UINT64_C(1) << 24, &mib) || mib == 0)
				return say(0, "--ram-mib: a size in MiB, 1..16777216"), EXIT_USAGE;
			ram_default = mib << 20;
		} else if (!strcmp(a, "--switch-tap") && i + 1 < argc) {
			int rc;

			if (switch_up() != 0)
				return 1;
			if ((rc = vplat_net_tap_open(&sw_tap, argv[++i])) != 0 ||
			    (rc = vplat_net_tap_attach(&sw_tap, vplat_switch_iface(&sw), NULL)) != 0) {
				say(0, "--switch-tap %s: %s", argv[i], vplat_strerror(rc));
				return 1;
			}
			sw_tap_up = true;
			say(2, "switch: tap %s is a port", sw_tap.name);
		} else if (!strcmp(a, "--platform") && i + 1 < argc) {
			platform = argv[++i];
		} else if (!strcmp(a, "--vm") && i + 1 < argc) {
			vmname = argv[++i];
		} else if (!strcmp(a, "--once")) {
			once = true;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			verbosity = 3;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			verbosity = 0;
		} else {
			say(0, "unknown or incomplete option '%s' (see --help)", a);
			return EXIT_USAGE;
		}
	}
	if ((ndevs == 0) == (platform == NULL) || (vmname && !platform)) {
		say(0, platform ? "--platform and --dev exclude each other (see --help)"
				: vmname ? "--vm needs --platform (see --help)"
					 : "no --dev or --platform given (see --help)");
		return EXIT_USAGE;
	}
	static struct vplat_mem_region regions[64];
	struct vplat_mem mem;

	vplat_mem_init(&mem, regions, 64);
	/* --domid wins over the description's xen,domid (load_platform() keeps it) */
	const char *only_src = only >= 0 ? "--domid" : "the description's xen,domid";

	if (platform && load_platform(platform, vmname, &mem, devs, &ndevs, &only) != 0)
		return 1;
	for (unsigned i = 0; i < ndevs && !platform; i++) {
		char err[256] = "";

		if (vplat_instance_create(&devs[i].inst, &mem, &devs[i].opt, err, sizeof(err)) != 0) {
			say(0, "device %u (%s): %s", i, vplat_instance_type_name(devs[i].opt.type), err);
			return 1;
		}
	}
	struct sigaction sa = {.sa_handler = on_signal};

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	struct xs_handle *xs = xs_open(0);

	if (xs == NULL) {
		say(0, "opening xenstore: %s", strerror(errno));
		return 1;
	}
	say(2, "%u device(s) ready; waiting for a domain's virtio-mmio nodes", ndevs);
	static bool seen[0x8000], other[0x8000];
	int status = 0;

	while (!stop) {
		unsigned int n = 0;
		char **doms = xs_directory(xs, XBT_NULL, BACKEND, &n);
		bool served = false;

		for (unsigned i = 0; doms && i < n && !stop; i++) {
			uint64_t dn = 0;
			long d = xs_num(doms[i], 0x7fff, &dn) ? (long)dn : -1;
			struct node nodes[MAX_DEVS];
			unsigned nn;

			if (d < 1 || seen[d] || other[d])
				continue; /* served, or another domain already reported */
			nn = domain_nodes(xs, (unsigned)d, nodes);
			if (nn == 0)
				continue;
			if (only >= 0 && d != only) {
				/* Another domain's nodes (libxl chose a domid the description or
				 * --domid did not name): say so once, leave them to their back end. */
				say(1, "dom%ld: virtio-mmio node(s) appeared, not served: "
				       "serving dom%ld only (%s)", d, only, only_src);
				other[d] = true;
				continue;
			}
			seen[d] = true;
			say(2, "dom%ld: virtio-mmio node(s) appeared", d);
			(void)serve(xs, (unsigned)d, devs, ndevs, &mem, ram_default);
			served = true;
			break;
		}
		free(doms);
		if (served && once)
			break;
		if (!served) {
			/* Host ends keep running between domains (a console client, a tap). */
			host_dispatch(devs, ndevs);
			usleep(100 * 1000);
		}
	}
	xs_close(xs);
	for (unsigned i = 0; i < ndevs && !platform; i++)
		vplat_instance_destroy(devs[i].inst);
	vplat_platform_free(pf);
	if (sw_tap_up)
		vplat_net_tap_close(&sw_tap);
	if (sw_up)
		vplat_switch_fini(&sw);
	return status;
}
