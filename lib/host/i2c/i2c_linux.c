/* SPDX-License-Identifier: BSD-3-Clause */
/* I2C host end on a Linux /dev/i2c-N adapter: one I2C_RDWR ioctl per group. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/i2c-dev.h>
#include <linux/i2c.h>
#include "vplat/error.h"
#include "vplat/host/i2c_host.h"

struct vplat_i2c_linux {
	int fd;
	unsigned long funcs;
	struct vplat_i2c_linux_sys sys;
};

static int sys_open(const char *path, int flags) { return open(path, flags); }
static int sys_ioctl(int fd, unsigned long req, void *arg) { return ioctl(fd, req, arg); }
static int sys_close(int fd) { return close(fd); }

static const struct vplat_i2c_linux_sys real_sys = {sys_open, sys_ioctl, sys_close};

struct vplat_i2c_linux *vplat_i2c_linux_open(const char *dev, const struct vplat_i2c_linux_sys *sys,
					     int *err)
{
	int e = 0;
	struct vplat_i2c_linux *l = NULL;
	char path[64];
	if (err)
		*err = 0;
	if (!dev || !*dev) {
		e = VPLAT_EINVAL;
		goto out;
	}
	if (strspn(dev, "0123456789") == strlen(dev)) {
		(void)snprintf(path, sizeof(path), "/dev/i2c-%s", dev);
		dev = path;
	}
	if (!(l = calloc(1, sizeof(*l)))) {
		e = VPLAT_ENOMEM;
		goto out;
	}
	l->sys = sys ? *sys : real_sys;
	l->fd = l->sys.open(dev, O_RDWR | O_CLOEXEC);
	if (l->fd < 0) {
		e = VPLAT_EIO;
		goto out;
	}
	if (l->sys.ioctl(l->fd, I2C_FUNCS, &l->funcs) < 0) {
		e = VPLAT_EIO;
		goto out;
	}
	if (!(l->funcs & I2C_FUNC_I2C)) {
		e = VPLAT_ENOTSUP;
		goto out;
	}
	return l;
out:
	if (l) {
		int keep = errno;
		if (l->fd >= 0)
			l->sys.close(l->fd);
		free(l);
		errno = keep;
	}
	if (err)
		*err = e;
	return NULL;
}

void vplat_i2c_linux_close(struct vplat_i2c_linux *l)
{
	if (!l)
		return;
	l->sys.close(l->fd);
	free(l);
}

unsigned long vplat_i2c_linux_funcs(const struct vplat_i2c_linux *l)
{
	return l->funcs;
}

static int linux_transfer(void *host, struct vplat_i2c_msg *msgs, unsigned n)
{
	struct vplat_i2c_linux *l = host;
	struct i2c_msg km[VPLAT_I2C_GROUP_MAX];
	if (!n || n > VPLAT_I2C_GROUP_MAX || n > I2C_RDWR_IOCTL_MAX_MSGS)
		return VPLAT_EINVAL;
	for (unsigned i = 0; i < n; i++) {
		if ((msgs[i].flags & VPLAT_I2C_MSG_TEN) && !(l->funcs & I2C_FUNC_10BIT_ADDR))
			return VPLAT_ENOTSUP;
		if (msgs[i].len > 0xffff)
			return VPLAT_EINVAL;
		km[i] = (struct i2c_msg){
		    .addr = msgs[i].addr,
		    .flags = (uint16_t)((msgs[i].flags & VPLAT_I2C_MSG_RD ? I2C_M_RD : 0) |
					(msgs[i].flags & VPLAT_I2C_MSG_TEN ? I2C_M_TEN : 0)),
		    .len = (uint16_t)msgs[i].len,
		    .buf = msgs[i].buf,
		};
	}
	struct i2c_rdwr_ioctl_data data = {.msgs = km, .nmsgs = n};
	int r = l->sys.ioctl(l->fd, I2C_RDWR, &data);
	if (r < 0)
		return VPLAT_EIO;
	return r > (int)n ? (int)n : r; /* the kernel reports all or nothing */
}

const struct vplat_i2c_host_ops vplat_i2c_host_linux = {
    .transfer = linux_transfer,
};
