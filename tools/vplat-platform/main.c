/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vplat-platform: check a platform description, write a VM's guest device tree, or build the
 * whole platform in-process and drive every device once with vplat's validation driver
 * through the loopback backend.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "vplat/version.h"
#include "vplat/vplat.h"
#include "vplat/fabric/can_bus.h"
#include "vplat/fabric/switch.h"
#include "vplat/platform/platform.h"
#include "vplat/spec/virtio_blk.h"
#include "vplat/spec/virtio_can.h"
#include "vplat/spec/virtio_gpio.h"
#include "drive.h"

#define EXIT_INVALID 1 /* the description is invalid, or a device misbehaved */
#define EXIT_USAGE   2 /* bad command line */
#define EXIT_IO      3 /* a file could not be read or written, dtc failed, a host end failed */

static const char help_main[] =
    "NAME\n"
    "    vplat-platform - check, compile and run vplat platform descriptions\n\n"
    "SYNOPSIS\n"
    "    vplat-platform check FILE\n"
    "    vplat-platform guest-dtb FILE -o OUT [--vm VM] [--base DTB]\n"
    "    vplat-platform run FILE [--vm VM] [--once] [--busy-poll [--busy-idle MS]]\n"
    "    vplat-platform [COMMAND] --help\n"
    "    vplat-platform --version\n\n"
    "DESCRIPTION\n"
    "    A platform description is a device tree (docs/platform-binding.md) that lists\n"
    "    VMs, their virtio devices, transports, MMIO windows, interrupts, feature masks,\n"
    "    host ends and rate limits. FILE is a DTB, or DTS which is compiled with dtc(1).\n"
    "    Relative paths inside it (images, sockets, logs) are relative to FILE's folder.\n\n"
    "COMMANDS\n"
    "    check      validate the description; print its VMs and devices\n"
    "    guest-dtb  write one VM's guest device tree (its virtio,mmio nodes)\n"
    "    run        build every device with its host end, drive each once and keep\n"
    "               the platform running, or serve the devices as vhost-user back\n"
    "               ends (vhost-user-socket), until SIGINT or SIGTERM\n\n"
    "EXIT STATUS\n"
    "    0 success; 1 invalid description or a device misbehaved; 2 bad command line;\n"
    "    3 a file could not be read or written, dtc failed, or a host end failed.\n";

static const char help_check[] =
    "NAME\n"
    "    vplat-platform check - validate a platform description\n\n"
    "SYNOPSIS\n"
    "    vplat-platform check FILE\n\n"
    "DESCRIPTION\n"
    "    Checks the blob with fdt_check_full(), then every node and property against the\n"
    "    binding: device types, transports, windows (size, alignment, overlaps),\n"
    "    interrupts and PCI slots (ranges, duplicates), host ends, references to switches\n"
    "    and CAN buses, value ranges. Nothing is opened or created. On success prints one\n"
    "    line per device, followed by a \"limits:\" line with the rate limits and\n"
    "    shaping it states, its switch port (\"port:\", \"vlans:\",\n"
    "    \"allowed-source-macs:\") or CAN filters (\"rx-filters:\", \"tx-filters:\"),\n"
    "    and each VM's memory-budget; on failure one line naming the node and property.\n\n"
    "EXIT STATUS\n"
    "    0 valid; 1 invalid; 2 bad command line; 3 FILE unreadable or dtc failed.\n";

static const char help_guest[] =
    "NAME\n"
    "    vplat-platform guest-dtb - write a VM's guest device tree\n\n"
    "SYNOPSIS\n"
    "    vplat-platform guest-dtb FILE -o OUT [--vm VM] [--base DTB]\n\n"
    "DESCRIPTION\n"
    "    Writes a DTB with one node per virtio-mmio device of the VM (compatible =\n"
    "    \"virtio,mmio\", reg, interrupts, interrupt-parent and dma-coherent where the\n"
    "    description gives them), as Linux's virtio-mmio binding wants. Pass the result\n"
    "    (or --base merged with it) to the guest kernel. virtio-pci devices get no node.\n\n"
    "OPTIONS\n"
    "    -o, --output OUT  the DTB to write (required)\n"
    "    --vm VM           VM name or index (required when the description has\n"
    "                      more than one VM)\n"
    "    --base DTB        add the nodes to this tree (e.g. from qemu -machine\n"
    "                      dumpdtb=FILE) instead of an empty one. A device whose\n"
    "                      window, node name or GIC SPI a root node of DTB already\n"
    "                      has is refused: the message names that node and suggests\n"
    "                      a free window or SPI for the description\n\n"
    "EXIT STATUS\n"
    "    0 written; 1 invalid description or nodes that collide or do not fit; 2 bad\n"
    "    command line (also: several VMs and no --vm);\n"
    "    3 a file could not be read or written.\n";

static const char help_run[] =
    "NAME\n"
    "    vplat-platform run - build a platform, drive each device and keep it running\n\n"
    "SYNOPSIS\n"
    "    vplat-platform run FILE [--vm VM] [--once] [--busy-poll [--busy-idle MS]]\n\n"
    "DESCRIPTION\n"
    "    Builds every device (of one VM with --vm) with its host end: images are opened\n"
    "    (or created with image-size), consoles, switches and CAN buses set up. Each\n"
    "    device is bound to the loopback backend on its transport and vplat's validation\n"
    "    driver negotiates, sets up its queues and makes one request: rng reads 16 bytes,\n"
    "    blk reads its ID, console writes a line to its host end, net sends a broadcast\n"
    "    on its switch, gpio reads its line names, can starts and sends one frame on its\n"
    "    bus. Then frames the network devices and CAN devices received are printed,\n"
    "    and the platform keeps running (switches and their sockets, CAN buses, host\n"
    "    ends; further frames the devices receive are printed) until SIGINT or\n"
    "    SIGTERM, unless --once is given.\n\n"
    "    If devices (of the VM chosen with --vm) have a vhost-user-socket property,\n"
    "    run serves those instead: a vhost-user back end listens on each socket (QEMU\n"
    "    -chardev socket,path=SOCK with vhost-user-*-pci, or vplat's front end), and one\n"
    "    loop serves them, their host ends, switches and CAN buses until SIGINT or\n"
    "    SIGTERM. A front end may disconnect and reconnect.\n\n"
    "OPTIONS\n"
    "    --vm VM  only this VM (name or index)\n"
    "    --once   stop after the first pass; serving: stop when every served device\n"
    "             has had a front end and none is connected any more\n"
    "    --busy-poll\n"
    "             serving only: poll the rings of every served device, and run the\n"
    "             switches and CAN buses between passes, on this process's core instead\n"
    "             of sleeping on the kick fds (lower latency; pin the process to a core\n"
    "             of its own, e.g. taskset -c 1). After 2 ms without work it sleeps on\n"
    "             the kick fds again until a driver kicks, so an idle platform burns no\n"
    "             core\n"
    "    --busy-idle MS\n"
    "             with --busy-poll: sleep after MS milliseconds without work instead of\n"
    "             2 (1..4000; longer keeps the core for traffic with longer gaps)\n\n"
    "EXIT STATUS\n"
    "    0 every device answered, then stopped by SIGINT or SIGTERM (or --once);\n"
    "    1 invalid description or a device misbehaved; 2 bad command line; 3 a host\n"
    "    end or socket could not be set up.\n";

/* Run dtc on a DTS file; the DTB is read from its stdout. */
static void *compile_dts(const char *path, size_t *len)
{
	int pfd[2];
	if (pipe(pfd))
		return NULL;
	pid_t pid = fork();
	if (pid < 0)
		return NULL;
	if (pid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		execlp("dtc", "dtc", "-q", "-I", "dts", "-O", "dtb", "--", path, (char *)NULL);
		fprintf(stderr, "vplat-platform: cannot run dtc: %s (install device-tree-compiler)\n",
			strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	ssize_t r;
	while (buf && (r = read(pfd[0], buf + n, cap - n)) > 0) {
		n += (size_t)r;
		if (n == cap) {
			char *b = realloc(buf, cap *= 2);
			if (!b) {
				free(buf);
				buf = NULL;
			}
			buf = b;
		}
	}
	close(pfd[0]);
	int st = 0;
	waitpid(pid, &st, 0);
	if (!buf || !WIFEXITED(st) || WEXITSTATUS(st) != 0 || n == 0) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

static void *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0, r;
	char *buf = malloc(cap);
	while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			char *b = cap < (1u << 26) ? realloc(buf, cap *= 2) : NULL;
			if (!b)
				free(buf);
			buf = b;
		}
	}
	fclose(f);
	*len = n;
	return buf;
}

/* A DTB as is, anything else through dtc. */
static void *load_description(const char *path, size_t *len)
{
	void *buf = read_file(path, len);
	if (!buf) {
		fprintf(stderr, "vplat-platform: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	const uint8_t *b = buf;
	if (*len >= 4 && b[0] == 0xd0 && b[1] == 0x0d && b[2] == 0xfe && b[3] == 0xed)
		return buf;
	free(buf);
	buf = compile_dts(path, len);
	if (!buf)
		fprintf(stderr, "vplat-platform: %s: dtc could not compile it\n", path);
	return buf;
}

static char *dir_of(const char *path)
{
	char *d = strdup(path), *slash = d ? strrchr(d, '/') : NULL;
	if (!d)
		return NULL;
	if (!slash)
		strcpy(d, ".");
	else if (slash == d)
		slash[1] = '\0';
	else
		*slash = '\0';
	return d;
}

static int find_vm(const struct vplat_platform *p, const char *vm)
{
	if (!vm)
		return 0;
	for (unsigned i = 0; i < vplat_platform_vm_count(p); i++)
		if (!strcmp(vplat_platform_vm_name(p, i), vm))
			return (int)i;
	char *end;
	long n = strtol(vm, &end, 10);
	if (*vm && !*end && n >= 0 && n < (long)vplat_platform_vm_count(p))
		return (int)n;
	fprintf(stderr, "vplat-platform: no VM \"%s\" in the description\n", vm);
	return -1;
}

static void print_device(const struct vplat_platform_device *d)
{
	if (d->transport == VPLAT_PLATFORM_MMIO)
		printf("  %-8s %-34s virtio-mmio 0x%llx+0x%llx irq %u%s\n",
		       vplat_platform_type_name(d->type), d->path, (unsigned long long)d->base,
		       (unsigned long long)d->size, d->irq, d->dma_coherent ? " dma-coherent" : "");
	else
		printf("  %-8s %-34s virtio-pci slot %u\n", vplat_platform_type_name(d->type),
		       d->path, d->pci_slot);
}

/* The switch port of a network device: classes and scheduling, queues, VLANs, source MACs. */
static void print_port(const struct vplat_platform *p, unsigned i)
{
	struct vplat_switch_port_config c;
	if (vplat_platform_device_port(p, i, &c) != 0)
		return;
	printf("           port: traffic-classes %u scheduling %s", c.classes ? c.classes : 1u,
	       c.sched == VPLAT_SWITCH_WEIGHTED ? "weighted" : "strict");
	if (c.sched == VPLAT_SWITCH_WEIGHTED) {
		printf(" class-weights");
		for (unsigned k = 0; k < (c.classes ? c.classes : 1u); k++)
			printf("%s%u", k ? "," : " ", c.weights[k] ? c.weights[k] : 1u);
	}
	printf(" queue-length %u\n", c.queue_len ? c.queue_len : 64u);
	if (c.vlan_filter || c.pvid) {
		printf("           vlans: pvid %u", c.pvid);
		if (c.vlan_filter) {
			printf(" member");
			unsigned k = 0;
			for (unsigned vid = 1; vid < 4095; vid++)
				if (c.vlans[vid / 32u] & (UINT32_C(1) << (vid % 32u)))
					printf("%s%u", k++ ? "," : " ", vid);
		} else {
			printf(" member any");
		}
		printf("\n");
	}
	if (c.n_macs) {
		printf("           allowed-source-macs:");
		for (unsigned k = 0; k < c.n_macs; k++)
			printf(" %02x:%02x:%02x:%02x:%02x:%02x", c.macs[k][0], c.macs[k][1],
			       c.macs[k][2], c.macs[k][3], c.macs[k][4], c.macs[k][5]);
		printf("\n");
	}
}

/* The acceptance and transmit filters of a CAN device's bus node. */
static void print_can_filters(const struct vplat_platform *p, unsigned i)
{
	static const char *const fmt[] = {"any", "std", "ext"};
	for (int tx = 0; tx < 2; tx++) {
		struct vplat_can_filter f[VPLAT_CANBUS_MAX_FILTERS];
		unsigned n;
		if (vplat_platform_device_can_filters(p, i, tx, f, &n) != 0 || n == 0)
			continue;
		printf("           %s:", tx ? "tx-filters" : "rx-filters");
		for (unsigned k = 0; k < n; k++)
			printf(" 0x%x/0x%x/%s", f[k].id, f[k].mask,
			       fmt[f[k].match_ext ? (f[k].ext ? 2 : 1) : 0]);
		printf("\n");
	}
}

/* One "limits" line per device that has any, naming each as the description does. */
/* A multiport console's ports: how many it offers, each further port's name and host end. */
static void print_console_ports(const struct vplat_platform *p, unsigned i)
{
	static const char *const ends[] = {
	    [VPLAT_INSTANCE_CONSOLE_STDIO] = "stdio", [VPLAT_INSTANCE_CONSOLE_PTY] = "pty",
	    [VPLAT_INSTANCE_CONSOLE_LISTEN] = "listen=", [VPLAT_INSTANCE_CONSOLE_CONNECT] = "connect=",
	    [VPLAT_INSTANCE_CONSOLE_LOG] = "log=", [VPLAT_INSTANCE_CONSOLE_CUSTOM] = "custom"};
	const struct vplat_instance_console_port *pt;
	uint32_t max;
	unsigned n;
	if (vplat_platform_device_console_ports(p, i, &max, &pt, &n) != 0 || max < 2)
		return;
	printf("           ports: %u offered (MULTIPORT)\n", max);
	for (unsigned k = 0; k < n; k++)
		printf("           port %u: %s%s%s %s%s\n", pt[k].id,
		       pt[k].name && *pt[k].name ? "\"" : "(no name)",
		       pt[k].name && *pt[k].name ? pt[k].name : "",
		       pt[k].name && *pt[k].name ? "\"" : "",
		       (unsigned)pt[k].end < sizeof(ends) / sizeof(ends[0]) ? ends[pt[k].end] : "?",
		       pt[k].path ? pt[k].path : "");
}

static void print_limits(const struct vplat_platform *p, unsigned i)
{
	const struct vplat_platform_device *d = vplat_platform_device(p, i);
	struct vplat_platform_limits l;
	if (vplat_platform_device_limits(p, i, &l) != 0)
		return;
	bool frames = d->type == VPLAT_PLATFORM_CAN || d->type == VPLAT_PLATFORM_NET;
	char buf[256];
	size_t n = 0;
#define ADD(...) n += (size_t)snprintf(buf + n, n < sizeof(buf) ? sizeof(buf) - n : 0, __VA_ARGS__)
	if (l.ops_rate)
		ADD(" %s %llu/s burst %llu", frames ? "frame-rate" : "iops",
		    (unsigned long long)l.ops_rate,
		    (unsigned long long)(l.ops_burst ? l.ops_burst : l.ops_rate));
	if (l.bytes_rate)
		ADD(" bandwidth %llu B/s burst %llu", (unsigned long long)l.bytes_rate,
		    (unsigned long long)(l.bytes_burst ? l.bytes_burst : l.bytes_rate));
	if (l.net_rate_bps)
		ADD(" rate-bps %llu", (unsigned long long)l.net_rate_bps);
	if (l.net_rate_bps && l.net_burst_bytes)
		ADD(" burst-bytes %llu", (unsigned long long)l.net_burst_bytes);
#undef ADD
	if (n)
		printf("           limits:%s\n", buf);
	print_port(p, i);
	print_can_filters(p, i);
	print_console_ports(p, i);
}

static int cmd_check(const char *file)
{
	size_t len;
	void *dtb = load_description(file, &len);
	if (!dtb)
		return EXIT_IO;
	char err[512];
	struct vplat_platform *p;
	int rc = vplat_platform_load(&p, dtb, len, NULL, err, sizeof(err));
	free(dtb);
	if (rc) {
		fprintf(stderr, "vplat-platform: %s: %s\n", file, err);
		return rc == VPLAT_ENOTSUP ? EXIT_IO : EXIT_INVALID;
	}
	printf("%s: valid: %u VM(s), %u device(s)\n", file, vplat_platform_vm_count(p),
	       vplat_platform_device_count(p));
	for (unsigned vm = 0; vm < vplat_platform_vm_count(p); vm++) {
		uint64_t budget = 0, period = 0;
		(void)vplat_platform_vm_memory_budget(p, vm, &budget, &period);
		if (budget)
			printf("vm %s memory-budget %llu events per %llu us\n",
			       vplat_platform_vm_name(p, vm), (unsigned long long)budget,
			       (unsigned long long)(period / 1000));
		else
			printf("vm %s\n", vplat_platform_vm_name(p, vm));
		for (unsigned i = 0; i < vplat_platform_device_count(p); i++)
			if (vplat_platform_device(p, i)->vm == vm) {
				print_device(vplat_platform_device(p, i));
				print_limits(p, i);
			}
	}
	vplat_platform_free(p);
	return 0;
}

static int cmd_guest(const char *file, const char *out, const char *vmname, const char *basef)
{
	size_t len, blen = 0;
	void *dtb = load_description(file, &len), *base = NULL;
	if (!dtb)
		return EXIT_IO;
	if (basef && !(base = read_file(basef, &blen))) {
		fprintf(stderr, "vplat-platform: %s: %s\n", basef, strerror(errno));
		free(dtb);
		return EXIT_IO;
	}
	char err[512];
	struct vplat_platform *p;
	int rc = vplat_platform_load(&p, dtb, len, NULL, err, sizeof(err));
	free(dtb);
	if (rc) {
		fprintf(stderr, "vplat-platform: %s: %s\n", file, err);
		free(base);
		return EXIT_INVALID;
	}
	if (!vmname && vplat_platform_vm_count(p) > 1) {
		fprintf(stderr, "vplat-platform: %s has %u VMs; choose one with --vm:", file,
			vplat_platform_vm_count(p));
		for (unsigned i = 0; i < vplat_platform_vm_count(p); i++)
			fprintf(stderr, " %s", vplat_platform_vm_name(p, i));
		fprintf(stderr, "\n");
		free(base);
		vplat_platform_free(p);
		return EXIT_USAGE;
	}
	int vm = find_vm(p, vmname), ret = 0;
	size_t cap = blen + (1u << 16);
	void *buf = malloc(cap);
	if (vm < 0 || !buf) {
		ret = vm < 0 ? EXIT_USAGE : EXIT_IO;
	} else if ((rc = vplat_platform_guest_fdt(p, (unsigned)vm, base, buf, cap, err,
						  sizeof(err)))) {
		fprintf(stderr, "vplat-platform: %s\n", err);
		ret = EXIT_INVALID;
	} else {
		const uint8_t *h = buf;
		size_t size = ((size_t)h[4] << 24) | ((size_t)h[5] << 16) | ((size_t)h[6] << 8) | h[7];
		FILE *f = fopen(out, "wb");
		if (!f || fwrite(buf, 1, size, f) != size || fclose(f)) {
			fprintf(stderr, "vplat-platform: %s: %s\n", out, strerror(errno));
			ret = EXIT_IO;
		} else {
			printf("%s: guest device tree of VM %s (%zu bytes)\n", out,
			       vplat_platform_vm_name(p, (unsigned)vm), size);
		}
	}
	free(buf);
	free(base);
	vplat_platform_free(p);
	return ret;
}

static int cmd_run(const char *file, const char *vmname, bool once, bool busy_poll,
		   unsigned idle_ms)
{
	size_t len;
	void *dtb = load_description(file, &len);
	if (!dtb)
		return EXIT_IO;
	char err[512];
	struct vplat_platform *p;
	int rc = vplat_platform_load(&p, dtb, len, NULL, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "vplat-platform: %s: %s\n", file, err);
		free(dtb);
		return EXIT_INVALID;
	}
	int vm = find_vm(p, vmname);
	bool vhu = false;
	for (unsigned i = 0; i < vplat_platform_device_count(p); i++) {
		const struct vplat_platform_device *d = vplat_platform_device(p, i);
		vhu |= d->vhost_user_socket && (!vmname || d->vm == (unsigned)vm);
	}
	vplat_platform_free(p);
	if (vm < 0) {
		free(dtb);
		return EXIT_USAGE;
	}
	if (busy_poll && !vhu) {
		free(dtb);
		fprintf(stderr, "vplat-platform: --busy-poll: no device has a vhost-user-socket "
				"(it polls served devices' rings)\n");
		return EXIT_USAGE;
	}
	char *dir = dir_of(file);
	rc = vhu ? serve_platform(dtb, len, dir, vmname ? vm : -1, once, busy_poll ? idle_ms : 0)
		 : drive_platform(dtb, len, dir, vmname ? vm : -1, once);
	free(dir);
	free(dtb);
	return rc;
}

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "vplat-platform: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'vplat-platform --help'.\n");
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("%s", "no command given");
	const char *cmd = argv[1];
	if (!strcmp(cmd, "--version")) {
		printf("vplat-platform (vplat) %s\n", vplat_version());
		return 0;
	}
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		fputs(help_main, stdout);
		return 0;
	}
	const char *help = !strcmp(cmd, "check")	 ? help_check
			   : !strcmp(cmd, "guest-dtb") ? help_guest
			   : !strcmp(cmd, "run")	 ? help_run
						 : NULL;
	if (!help)
		return usage_error("unknown command \"%s\"", cmd);
	const char *file = NULL, *out = NULL, *vm = NULL, *base = NULL;
	bool once = false, busy_poll = false;
	unsigned idle_ms = 0;
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(help, stdout);
			return 0;
		}
		if (!strcmp(a, "--once")) {
			if (help != help_run)
				return usage_error("option %s is not for this command", a);
			once = true;
			continue;
		}
		if (!strcmp(a, "--busy-poll")) {
			if (help != help_run)
				return usage_error("option %s is not for this command", a);
			busy_poll = true;
			continue;
		}
		if (!strcmp(a, "--busy-idle")) {
			char *end = NULL;
			unsigned long ms = i + 1 < argc ? strtoul(argv[i + 1], &end, 10) : 0;
			if (help != help_run)
				return usage_error("option %s is not for this command", a);
			if (i + 1 >= argc || !end || *end || ms < 1 || ms > 4000)
				return usage_error("%s", "--busy-idle needs milliseconds, 1..4000");
			idle_ms = (unsigned)ms;
			i++;
			continue;
		}
		const char **slot = NULL;
		if (!strcmp(a, "-o") || !strcmp(a, "--output"))
			slot = &out;
		else if (!strcmp(a, "--vm"))
			slot = &vm;
		else if (!strcmp(a, "--base"))
			slot = &base;
		if (slot && help != help_guest && slot != &vm)
			return usage_error("option %s is not for this command", a);
		if (slot && help == help_check)
			return usage_error("option %s is not for this command", a);
		if (slot) {
			if (++i >= argc)
				return usage_error("option %s needs a value", a);
			*slot = argv[i];
		} else if (a[0] == '-' && a[1]) {
			return usage_error("unknown option \"%s\"", a);
		} else if (file) {
			return usage_error("more than one FILE (\"%s\")", a);
		} else {
			file = a;
		}
	}
	if (!file)
		return usage_error("%s", "no FILE given");
	if (idle_ms && !busy_poll)
		return usage_error("%s", "--busy-idle needs --busy-poll");
	if (help == help_check)
		return cmd_check(file);
	if (help == help_guest) {
		if (!out)
			return usage_error("%s", "guest-dtb needs -o OUT");
		return cmd_guest(file, out, vm, base);
	}
	return cmd_run(file, vm, once, busy_poll, idle_ms ? idle_ms : 2u);
}
