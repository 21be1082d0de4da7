/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xen.gpio's two ends (static arm64, tests/xen/run.sh builds it for both initramfs images).
 *
 *   xen-gpio guest SECONDS     in the domU: Linux's stock gpio-virtio (built out of tree) on
 *                              vplat-xen's GPIO device, driven through the GPIO character
 *                              device (uAPI v2, /dev/gpiochipN), no libgpiod needed
 *   xen-gpio host SOCK SECONDS in dom0: the other side through the simulator's control socket
 *                              of `vplat-xen --dev gpio,control=SOCK` (vplat/host/gpio_host.h)
 *
 * The handshake (lines 0..7 of the 12-line simulated chip, named c0l0..c0l7 by vplat; lines
 * 8..11 are loopback wires for the conformance suite):
 *   host:  drives input 3 high and input 4 low before the domU runs
 *   guest: lists the chip and its lines; reads inputs 3 and 4 (1, 0); requests line 3 as an
 *          input with edge detection (both edges, so through VIRTIO_GPIO_F_IRQ) and lines 5
 *          and 6 as outputs, 5 high and 6 low
 *   host:  reads outputs 5 = 1 and 6 = 0 back, then drives input 3 low
 *   guest: gets a falling-edge event on line 3 (an interrupt: the eventq buffer vplat returns,
 *          the SPI Xen injects, gpio-virtio's irq chip, gpiolib's edge detector); reads 3 = 0;
 *          sets output 6 high as its acknowledgement
 *   host:  reads output 6 = 1, drives input 3 high
 *   guest: gets a rising-edge event on line 3
 * Every step prints one marker line (DOMU_GPIO_* / DOM0_GPIO_*) that tests/xen/check.sh gpio
 * checks; the last is DOMU_GPIO_RESULT / DOM0_GPIO_RESULT ok or FAIL. Each wait is bounded
 * by SECONDS; nothing is timed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/gpio.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define NLINES 12 /* c0l0..c0l7, then two loopback wires (loop-wires=2) */

static int fails;

static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void bad(const char *fmt, ...)
{
	va_list ap;

	fails++;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- the guest end ---- */

/* The first gpiochip whose label is a virtio device's name (gpio-virtio labels its chip with
 * dev_name() of the virtio device: "virtioN"). */
static int open_chip(struct gpiochip_info *ci, char *path, size_t plen)
{
	DIR *d = opendir("/dev");
	struct dirent *e;
	int fd = -1;

	while (d && (e = readdir(d)) != NULL && fd < 0) {
		if (strncmp(e->d_name, "gpiochip", 8) != 0)
			continue;
		snprintf(path, plen, "/dev/%s", e->d_name);
		int f = open(path, O_RDWR | O_CLOEXEC);

		if (f < 0)
			continue;
		memset(ci, 0, sizeof(*ci));
		if (ioctl(f, GPIO_GET_CHIPINFO_IOCTL, ci) == 0 && strncmp(ci->label, "virtio", 6) == 0)
			fd = f;
		else
			close(f);
	}
	if (d)
		closedir(d);
	return fd;
}

/* Request @p n lines: inputs (with edge detection when @p edges) or outputs at @p values
 * (bit i for offsets[i]). Returns the request's fd or -1. */
static int request(int chip, const unsigned *offs, unsigned n, int output, int edges,
		   uint64_t values)
{
	struct gpio_v2_line_request r;

	memset(&r, 0, sizeof(r));
	for (unsigned i = 0; i < n; i++)
		r.offsets[i] = offs[i];
	r.num_lines = n;
	snprintf(r.consumer, sizeof(r.consumer), "xen-gpio");
	if (output) {
		r.config.flags = GPIO_V2_LINE_FLAG_OUTPUT;
		r.config.num_attrs = 1;
		r.config.attrs[0].attr.id = GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES;
		r.config.attrs[0].attr.values = values;
		r.config.attrs[0].mask = (1ull << n) - 1;
	} else {
		r.config.flags = GPIO_V2_LINE_FLAG_INPUT;
		if (edges)
			r.config.flags |= GPIO_V2_LINE_FLAG_EDGE_RISING | GPIO_V2_LINE_FLAG_EDGE_FALLING;
	}
	if (ioctl(chip, GPIO_V2_GET_LINE_IOCTL, &r) != 0)
		return -1;
	return r.fd;
}

static int get_values(int req, unsigned n, uint64_t *bits)
{
	struct gpio_v2_line_values v = {.mask = (1ull << n) - 1};

	if (ioctl(req, GPIO_V2_LINE_GET_VALUES_IOCTL, &v) != 0)
		return -1;
	*bits = v.bits;
	return 0;
}

/* Wait up to @p secs for one edge event on @p req; 0 and *ev filled, or -1. */
static int wait_edge(int req, int secs, struct gpio_v2_line_event *ev)
{
	struct pollfd p = {.fd = req, .events = POLLIN};
	double end = now_s() + secs;

	for (;;) {
		int left = (int)((end - now_s()) * 1000);

		if (left <= 0)
			return -1;
		int pr = poll(&p, 1, left);

		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			return -1;
		return read(req, ev, sizeof(*ev)) == (ssize_t)sizeof(*ev) ? 0 : -1;
	}
}

/* The interrupt counts of the device's SPI (named after the virtio device, @p label) and of
 * line 3's interrupt (named after our consumer label). */
static void irq_lines(const char *when, const char *label)
{
	FILE *f = fopen("/proc/interrupts", "r");
	char l[512];

	while (f && fgets(l, sizeof(l), f)) {
		l[strcspn(l, "\n")] = '\0';
		size_t n = strlen(l), k = strlen(label);

		if (!strstr(l, "xen-gpio") && !(n > k && !strcmp(l + n - k, label) && l[n - k - 1] == ' '))
			continue;
		char *s = l;

		while (*s == ' ')
			s++;
		say("DOMU_GPIO_IRQS %s %s", when, s);
	}
	if (f)
		fclose(f);
}

static int edge_step(int req, int secs, uint32_t want_id, const char *what)
{
	struct gpio_v2_line_event ev;

	if (wait_edge(req, secs, &ev) != 0) {
		bad("DOMU_GPIO_EDGE_MISSING %s line=3 (none in %d s)", what, secs);
		return -1;
	}
	if (ev.offset != 3 || ev.id != want_id) {
		bad("DOMU_GPIO_EDGE_WRONG line=%u id=%u (wanted %s on line 3)", ev.offset, ev.id, what);
		return -1;
	}
	say("DOMU_GPIO_EDGE %s line=%u seqno=%u", what, ev.offset, ev.line_seqno);
	return 0;
}

static int guest(int secs)
{
	struct gpiochip_info ci;
	char path[300];
	int chip = -1;

	for (int i = 0; i < 20 && chip < 0; i++) { /* the module was just loaded */
		chip = open_chip(&ci, path, sizeof(path));
		if (chip < 0)
			sleep(1);
	}
	if (chip < 0) {
		bad("DOMU_GPIO_NO_CHIP no /dev/gpiochipN with a virtio label");
		goto out;
	}
	say("DOMU_GPIO_CHIP %s name=%s label=%s lines=%u", path, ci.name, ci.label, ci.lines);
	for (unsigned o = 0; o < ci.lines && o < 64; o++) {
		struct gpio_v2_line_info li;

		memset(&li, 0, sizeof(li));
		li.offset = o;
		if (ioctl(chip, GPIO_V2_GET_LINEINFO_IOCTL, &li) != 0) {
			bad("DOMU_GPIO_LINEINFO_FAILED %u: %s", o, strerror(errno));
			continue;
		}
		say("DOMU_GPIO_LINE %u name=%s %s%s", o, li.name[0] ? li.name : "-",
		    li.flags & GPIO_V2_LINE_FLAG_OUTPUT ? "output" : "input",
		    li.flags & GPIO_V2_LINE_FLAG_USED ? " used" : "");
	}
	if (ci.lines != NLINES) {
		bad("DOMU_GPIO_LINES %u (wanted %d)", ci.lines, NLINES);
		goto out;
	}
	/* The inputs the host drove before the domU started. */
	static const unsigned in34[] = {3, 4}, out56[] = {5, 6}, l3[] = {3};
	uint64_t v = 0;
	int r = request(chip, in34, 2, 0, 0, 0);

	if (r < 0 || get_values(r, 2, &v) != 0) {
		bad("DOMU_GPIO_IN_FAILED %s", strerror(errno));
		goto out;
	}
	close(r);
	if (v == 1)
		say("DOMU_GPIO_IN 3=1 4=0");
	else
		bad("DOMU_GPIO_IN_WRONG 3=%u 4=%u (wanted 1 0)", (unsigned)(v & 1),
		    (unsigned)(v >> 1 & 1));
	/* Line 3 with edge detection first (the host waits for the outputs before it moves 3). */
	int e = request(chip, l3, 1, 0, 1, 0);

	if (e < 0) {
		bad("DOMU_GPIO_EDGE_REQUEST_FAILED %s (no VIRTIO_GPIO_F_IRQ?)", strerror(errno));
		goto out;
	}
	say("DOMU_GPIO_EDGE_ARMED line=3 both");
	irq_lines("armed", ci.label);
	int o = request(chip, out56, 2, 1, 0, 1); /* 5 high, 6 low */

	if (o < 0) {
		bad("DOMU_GPIO_OUT_FAILED %s", strerror(errno));
		goto out;
	}
	say("DOMU_GPIO_OUT_SET 5=1 6=0");
	if (edge_step(e, secs, GPIO_V2_LINE_EVENT_FALLING_EDGE, "falling") != 0)
		goto out;
	if (get_values(e, 1, &v) != 0 || v != 0)
		bad("DOMU_GPIO_AFTER_FALL_WRONG line 3 reads %u", (unsigned)v);
	else
		say("DOMU_GPIO_AFTER_FALL 3=0");
	struct gpio_v2_line_values sv = {.bits = 3, .mask = 3}; /* 5 high, 6 high */

	if (ioctl(o, GPIO_V2_LINE_SET_VALUES_IOCTL, &sv) != 0) {
		bad("DOMU_GPIO_ACK_FAILED %s", strerror(errno));
		goto out;
	}
	say("DOMU_GPIO_ACK_SET 6=1");
	if (edge_step(e, secs, GPIO_V2_LINE_EVENT_RISING_EDGE, "rising") != 0)
		goto out;
	irq_lines("done", ci.label);
	close(o);
	close(e);
out:
	say("DOMU_GPIO_RESULT %s", fails ? "FAIL" : "ok");
	return fails ? 1 : 0;
}

/* ---- the host end (dom0) ---- */

static int ctl_fd = -1;
static double deadline; /* of the whole host end */

/* One control command, its reply line into @p rep. vplat-xen answers from its poll loop,
 * which a domain's start (foreign-mapping its RAM under TCG) can hold up for many seconds:
 * the reply is waited for until the deadline, not for a fixed time. */
static int ctl(const char *cmd, char *rep, size_t rlen)
{
	size_t n = 0;
	char line[128];
	int len = snprintf(line, sizeof(line), "%s\n", cmd);

	rep[0] = '\0';
	if (write(ctl_fd, line, (size_t)len) != len) {
		bad("DOM0_GPIO_CTL_FAILED '%s': write: %s", cmd, strerror(errno));
		return -1;
	}
	while (n + 1 < rlen) {
		struct pollfd p = {.fd = ctl_fd, .events = POLLIN};
		int left = (int)((deadline - now_s()) * 1000);
		int pr = left > 0 ? poll(&p, 1, left) : 0;

		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0 || read(ctl_fd, rep + n, 1) != 1) {
			bad("DOM0_GPIO_CTL_FAILED '%s': %s", cmd, pr <= 0 ? "no reply" : "connection closed");
			rep[n] = '\0';
			return -1;
		}
		if (rep[n] == '\n')
			break;
		n++;
	}
	rep[n] = '\0';
	return 0;
}

/* Wait until the deadline for `get 0 LINE` to answer @p wa for line @p la and @p wb for @p lb. */
static int wait_outputs(unsigned la, const char *wa, unsigned lb, const char *wb)
{
	char ra[64] = "", rb[64] = "", c[32];

	while (now_s() < deadline) {
		snprintf(c, sizeof(c), "get 0 %u", la);
		if (ctl(c, ra, sizeof(ra)) != 0)
			return -1;
		snprintf(c, sizeof(c), "get 0 %u", lb);
		if (ctl(c, rb, sizeof(rb)) != 0)
			return -1;
		if (!strcmp(ra, wa) && !strcmp(rb, wb))
			return 0;
		usleep(200 * 1000);
	}
	bad("DOM0_GPIO_TIMEOUT line %u '%s' line %u '%s' (wanted '%s' '%s')", la, ra, lb, rb, wa, wb);
	return -1;
}

static int host(const char *sock, int secs)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	char rep[64];

	deadline = now_s() + secs;
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", sock);
	for (int i = 0; i < 50 && ctl_fd < 0; i++) {
		int f = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (f >= 0 && connect(f, (struct sockaddr *)&a, sizeof(a)) == 0)
			ctl_fd = f;
		else {
			if (f >= 0)
				close(f);
			usleep(200 * 1000);
		}
	}
	if (ctl_fd < 0) {
		bad("DOM0_GPIO_NO_SOCKET %s: %s", sock, strerror(errno));
		goto out;
	}
	char want_info[32];

	snprintf(want_info, sizeof(want_info), "ok 1 %d", NLINES);
	if (ctl("info", rep, sizeof(rep)) != 0 || strcmp(rep, want_info) != 0) {
		bad("DOM0_GPIO_INFO_WRONG '%s'", rep);
		goto out;
	}
	if (ctl("set 0 3 1", rep, sizeof(rep)) != 0 || strcmp(rep, "ok") != 0 ||
	    ctl("set 0 4 0", rep, sizeof(rep)) != 0 || strcmp(rep, "ok") != 0) {
		bad("DOM0_GPIO_SET_FAILED '%s'", rep);
		goto out;
	}
	say("DOM0_GPIO_DROVE 3=1 4=0");
	if (wait_outputs(5, "ok 1 out", 6, "ok 0 out") != 0)
		goto out;
	say("DOM0_GPIO_OUTPUTS 5=1 6=0");
	if (ctl("set 0 3 0", rep, sizeof(rep)) != 0 || strcmp(rep, "ok") != 0) {
		bad("DOM0_GPIO_SET_FAILED '%s'", rep);
		goto out;
	}
	say("DOM0_GPIO_DROVE 3=0");
	if (wait_outputs(5, "ok 1 out", 6, "ok 1 out") != 0)
		goto out;
	say("DOM0_GPIO_ACK 6=1");
	if (ctl("set 0 3 1", rep, sizeof(rep)) != 0 || strcmp(rep, "ok") != 0) {
		bad("DOM0_GPIO_SET_FAILED '%s'", rep);
		goto out;
	}
	say("DOM0_GPIO_DROVE 3=1");
out:
	say("DOM0_GPIO_RESULT %s", fails ? "FAIL" : "ok");
	return fails ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "guest"))
		return guest(atoi(argv[2]));
	if (argc == 4 && !strcmp(argv[1], "host"))
		return host(argv[2], atoi(argv[3]));
	fprintf(stderr, "usage: xen-gpio guest SECONDS | xen-gpio host SOCK SECONDS\n");
	return 2;
}
