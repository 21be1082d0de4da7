/* SPDX-License-Identifier: BSD-3-Clause */
/* Input host end on a Linux evdev device (vplat/host/input_host.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/input.h>
#include <sys/ioctl.h>
#include "vplat/error.h"
#include "vplat/host/input_host.h"

struct vplat_input_evdev {
	int fd;
	bool grabbed;
	struct vplat_input_evdev_sys sys;
	struct vplat_input *dev;
	struct vplat_input_caps caps;
	char name[VPLAT_INPUT_STRING_MAX + 1];
	char serial[VPLAT_INPUT_STRING_MAX + 1];
};

static int sys_open(const char *path, int flags) { return open(path, flags); }
static int sys_ioctl(int fd, unsigned long req, void *arg) { return ioctl(fd, req, arg); }
static long sys_read(int fd, void *buf, unsigned long len) { return (long)read(fd, buf, len); }
static long sys_write(int fd, const void *buf, unsigned long len)
{
	return (long)write(fd, buf, len);
}
static int sys_close(int fd) { return close(fd); }

static const struct vplat_input_evdev_sys real_sys = {
	.open = sys_open, .ioctl = sys_ioctl, .read = sys_read, .write = sys_write,
	.close = sys_close};

/* Read the capabilities; false (errno set) if a required ioctl fails. */
static bool read_caps(struct vplat_input_evdev *e)
{
	struct vplat_input_caps *c = &e->caps;
	int n = e->sys.ioctl(e->fd, EVIOCGNAME(VPLAT_INPUT_STRING_MAX), e->name);
	if (n < 0)
		return false;
	e->name[VPLAT_INPUT_STRING_MAX] = 0;
	c->name = e->name;
	if (e->sys.ioctl(e->fd, EVIOCGUNIQ(VPLAT_INPUT_STRING_MAX), e->serial) >= 0 && e->serial[0]) {
		e->serial[VPLAT_INPUT_STRING_MAX] = 0;
		c->serial = e->serial;
	}
	struct input_id id;
	if (e->sys.ioctl(e->fd, EVIOCGID, &id) >= 0) {
		c->has_ids = true;
		c->bustype = id.bustype;
		c->vendor = id.vendor;
		c->product = id.product;
		c->version = id.version;
	}
	(void)e->sys.ioctl(e->fd, EVIOCGPROP(VPLAT_INPUT_BITMAP), c->prop); /* older kernels: none */
	uint8_t types[VPLAT_INPUT_BITMAP] = {0};
	if (e->sys.ioctl(e->fd, EVIOCGBIT(0, VPLAT_INPUT_BITMAP), types) < 0)
		return false;
	for (unsigned t = 1; t < VPLAT_EV_CNT; t++) {
		if (!(types[t / 8] & (1u << (t % 8))))
			continue;
		if (t == VPLAT_EV_REP) {
			/* EV_REP has no code bitmap in evdev; the virtio driver sets EV_REP when
			 * the bitmap is non-empty: show REP_DELAY and REP_PERIOD. */
			c->ev[t][0] = 0x3;
			continue;
		}
		if (e->sys.ioctl(e->fd, EVIOCGBIT(t, VPLAT_INPUT_BITMAP), c->ev[t]) < 0)
			memset(c->ev[t], 0, VPLAT_INPUT_BITMAP);
	}
	for (unsigned a = 0; a < VPLAT_INPUT_ABS_CNT; a++) {
		if (!(c->ev[VPLAT_EV_ABS][a / 8] & (1u << (a % 8))))
			continue;
		struct input_absinfo ai;
		if (e->sys.ioctl(e->fd, EVIOCGABS(a), &ai) < 0) {
			c->ev[VPLAT_EV_ABS][a / 8] &= (uint8_t)~(1u << (a % 8));
			continue;
		}
		c->abs[a] = (struct vplat_input_absinfo){.min = ai.minimum, .max = ai.maximum,
							 .fuzz = ai.fuzz, .flat = ai.flat,
							 .res = ai.resolution};
	}
	return true;
}

struct vplat_input_evdev *vplat_input_evdev_open(const char *path, bool grab,
						 const struct vplat_input_evdev_sys *sys, int *err)
{
	int e_ = 0;
	int *errp = err ? err : &e_;
	*errp = 0;
	if (!path) {
		*errp = VPLAT_EINVAL;
		return NULL;
	}
	char buf[64];
	const char *p = path;
	if (*path && strspn(path, "0123456789") == strlen(path)) {
		(void)snprintf(buf, sizeof(buf), "/dev/input/event%s", path);
		p = buf;
	}
	struct vplat_input_evdev *e = calloc(1, sizeof(*e));
	if (!e) {
		*errp = VPLAT_ENOMEM;
		return NULL;
	}
	e->sys = sys ? *sys : real_sys;
	e->fd = e->sys.open(p, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (e->fd < 0) /* a read-only device still gives events (no LEDs then) */
		e->fd = e->sys.open(p, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (e->fd < 0) {
		free(e);
		*errp = VPLAT_EIO;
		return NULL;
	}
	if (!read_caps(e) || (grab && e->sys.ioctl(e->fd, EVIOCGRAB, (void *)1) < 0)) {
		int saved = errno;
		e->sys.close(e->fd);
		free(e);
		errno = saved;
		*errp = VPLAT_EIO;
		return NULL;
	}
	e->grabbed = grab;
	return e;
}

void vplat_input_evdev_close(struct vplat_input_evdev *e)
{
	if (!e)
		return;
	if (e->grabbed)
		(void)e->sys.ioctl(e->fd, EVIOCGRAB, NULL);
	e->sys.close(e->fd);
	free(e);
}

const struct vplat_input_caps *vplat_input_evdev_caps(const struct vplat_input_evdev *e)
{
	return &e->caps;
}

int vplat_input_evdev_fd(const struct vplat_input_evdev *e)
{
	return e->fd;
}

void vplat_input_evdev_bind(struct vplat_input_evdev *e, struct vplat_input *d)
{
	e->dev = d;
}

int vplat_input_evdev_dispatch(struct vplat_input_evdev *e)
{
	int total = 0;
	for (int round = 0; round < 16; round++) {
		struct input_event ev[64];
		long n = e->sys.read(e->fd, ev, sizeof(ev));
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			return VPLAT_EIO; /* ENODEV: unplugged */
		}
		if (n == 0)
			return VPLAT_EIO;
		size_t k = (size_t)n / sizeof(ev[0]);
		for (size_t i = 0; i < k; i++) {
			if (e->dev)
				(void)vplat_input_send(e->dev, ev[i].type, ev[i].code, ev[i].value);
			total++;
		}
		if ((size_t)n < sizeof(ev))
			break;
	}
	return total;
}

static void evdev_status(void *host, uint16_t type, uint16_t code, int32_t value)
{
	struct vplat_input_evdev *e = host;
	struct input_event ev[2];
	memset(ev, 0, sizeof(ev));
	ev[0].type = type;
	ev[0].code = code;
	ev[0].value = value;
	ev[1].type = EV_SYN;
	ev[1].code = SYN_REPORT;
	(void)e->sys.write(e->fd, ev, sizeof(ev)); /* best effort: a LED the host cannot set */
}

const struct vplat_input_host_ops vplat_input_host_evdev = {.status = evdev_status};
