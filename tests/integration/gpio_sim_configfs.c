/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The libgpiod host end against a real kernel GPIO chip: the kernel's gpio-sim (configfs,
 * Linux 5.17+). Creates a simulated chip of 8 lines, binds a vplat GPIO device to it through
 * vplat_gpio_host_gpiod, drives it with the validation driver, and checks: an output set by
 * the guest shows in the chip's sysfs `value`; an input pulled up through sysfs reads 1 and
 * raises the guest's edge interrupt (eventq VALID). Exits 77 (skipped) when gpio-sim is not
 * available (no /sys/kernel/config/gpio-sim, not root, no libgpiod in the build).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "vplat/gpio.h"
#include "vplat/vplat.h"
#include "vplat/host/gpio_host.h"
#include "vplat/val/val.h"
#include "vplat/val/loopback.h"

#define SIM "/sys/kernel/config/gpio-sim"

static char dir[128], chip[64], devname[64];

static int put(const char *path, const char *val)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	int rc = fputs(val, f) < 0 ? -1 : 0;
	return fclose(f) || rc ? -1 : 0;
}

static int get(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char *r = fgets(buf, (int)cap, f);
	fclose(f);
	if (!r)
		return -1;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static void teardown(void)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/live", dir);
	put(p, "0");
	snprintf(p, sizeof(p), "%s/bank0/line3", dir);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/bank0", dir);
	rmdir(p);
	rmdir(dir);
}

static int setup(void)
{
	char p[256];
	snprintf(dir, sizeof(dir), SIM "/vplat%d", (int)getpid());
	snprintf(p, sizeof(p), "%s/bank0", dir);
	if (mkdir(dir, 0755) || mkdir(p, 0755))
		return -1;
	snprintf(p, sizeof(p), "%s/bank0/num_lines", dir);
	if (put(p, "8"))
		return -1;
	snprintf(p, sizeof(p), "%s/bank0/line3", dir);
	if (mkdir(p, 0755))
		return -1;
	snprintf(p, sizeof(p), "%s/bank0/line3/name", dir);
	put(p, "vplat-button");
	snprintf(p, sizeof(p), "%s/live", dir);
	if (put(p, "1"))
		return -1;
	snprintf(p, sizeof(p), "%s/bank0/chip_name", dir);
	if (get(p, chip, sizeof(chip)))
		return -1;
	snprintf(p, sizeof(p), "%s/dev_name", dir);
	return get(p, devname, sizeof(devname));
}

/* /sys/devices/platform/<dev>/<chip>/sim_gpio<N>/<attr> */
static int line_attr(int line, const char *attr, const char *val, char *out, size_t cap)
{
	char p[256];
	snprintf(p, sizeof(p), "/sys/devices/platform/%s/%s/sim_gpio%d/%s", devname, chip, line,
		 attr);
	return val ? put(p, val) : get(p, out, cap);
}

struct rig {
	struct vplat_loopback lb;
	struct vplat_gpio g;
	struct vplat_gpio_line lines[8];
	struct vplat_gpio_gpiod *h;
	struct vplat_val_dev d;
	struct vplat_val_vq rq, eq;
};

static int msg(struct rig *r, uint16_t type, uint16_t line, uint32_t value, uint8_t *out)
{
	uint64_t gpa;
	struct vplat_virtio_gpio_request *q = vplat_val_alloc(&r->lb.dma, 8, 8, &gpa);
	uint8_t *rsp = vplat_val_alloc(&r->lb.dma, 2, 8, &gpa);
	q->type = vplat_cpu_to_le16(type);
	q->gpio = vplat_cpu_to_le16(line);
	q->value = vplat_cpu_to_le32(value);
	struct vplat_val_buf b[2] = {{.ptr = q, .len = 8}, {.ptr = rsp, .len = 2}};
	void *tok;
	vplat_val_vq_add(&r->rq, b, 1, 1, q);
	vplat_val_vq_kick(&r->rq);
	if (vplat_val_wait_used(&r->rq, &tok, NULL, 1000))
		return -1;
	if (out)
		*out = rsp[1];
	return rsp[0];
}

static int run(void)
{
	static struct rig r;
	int fails = 0;
	r.h = vplat_gpio_gpiod_open(chip, &r.g);
	if (!r.h) {
		printf("FAIL: libgpiod cannot open %s\n", chip);
		return 1;
	}
	uint8_t names[512];
	uint32_t nsize = 0;
	if (vplat_gpio_names_pack(vplat_gpio_gpiod_names(r.h), 8, names, sizeof(names), &nsize) ||
	    vplat_loopback_init(&r.lb, VPLAT_LOOPBACK_MMIO, 1u << 20) ||
	    vplat_gpio_init(&r.g, vplat_loopback_mem(&r.lb), r.lines, 8, nsize ? names : NULL, nsize,
			    &vplat_gpio_host_gpiod, r.h) ||
	    vplat_loopback_attach(&r.lb, vplat_gpio_device(&r.g)) ||
	    vplat_loopback_val_init(&r.lb, &r.d) ||
	    vplat_val_negotiate(&r.d, VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) |
					     VPLAT_BIT(VPLAT_VIRTIO_GPIO_F_IRQ)) ||
	    vplat_val_vq_setup(&r.d, &r.rq, 0, 16) || vplat_val_vq_setup(&r.d, &r.eq, 1, 16) ||
	    vplat_val_driver_ok(&r.d)) {
		printf("FAIL: device set-up on %s\n", chip);
		return 1;
	}
	char v[32] = "";
	/* output: guest drives line 5 high, the chip shows it */
	fails += msg(&r, VPLAT_VIRTIO_GPIO_MSG_SET_VALUE, 5, 1, NULL) != 0;
	fails += msg(&r, VPLAT_VIRTIO_GPIO_MSG_SET_DIRECTION, 5, 1, NULL) != 0;
	line_attr(5, "value", NULL, v, sizeof(v));
	printf("%s: output line 5 -> sysfs value %s\n", strcmp(v, "1") ? "FAIL" : "ok", v);
	fails += strcmp(v, "1") != 0;
	/* then SET_VALUE on the output line: low, high again */
	for (int want = 0; want <= 1; want++) {
		fails += msg(&r, VPLAT_VIRTIO_GPIO_MSG_SET_VALUE, 5, (uint32_t)want, NULL) != 0;
		line_attr(5, "value", NULL, v, sizeof(v));
		printf("%s: SET_VALUE %d on line 5 -> sysfs value %s\n",
		       v[0] == '0' + want ? "ok" : "FAIL", want, v);
		fails += v[0] != '0' + want;
	}
	/* input + edge interrupt: pull line 3 up from outside */
	uint8_t val = 9;
	fails += msg(&r, VPLAT_VIRTIO_GPIO_MSG_SET_DIRECTION, 3, 2, NULL) != 0;
	fails += msg(&r, VPLAT_VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 3, 1, NULL) != 0;
	uint64_t gpa;
	uint8_t *q = vplat_val_alloc(&r.lb.dma, 2, 8, &gpa), *st = vplat_val_alloc(&r.lb.dma, 1, 8, &gpa);
	q[0] = 3;
	struct vplat_val_buf b[2] = {{.ptr = q, .len = 2}, {.ptr = st, .len = 1}};
	vplat_val_vq_add(&r.eq, b, 1, 1, st);
	vplat_val_vq_kick(&r.eq);
	line_attr(3, "pull", "pull-up", NULL, 0);
	void *tok = NULL;
	for (int i = 0; i < 100 && vplat_val_vq_get_used(&r.eq, &tok, NULL) != 0; i++) {
		vplat_gpio_gpiod_dispatch(r.h);
		usleep(10000);
	}
	printf("%s: pull-up on line 3 -> eventq %s\n", tok == st && *st == 1 ? "ok" : "FAIL",
	       tok ? (*st == 1 ? "VALID" : "INVALID") : "nothing");
	fails += !(tok == st && *st == 1);
	fails += msg(&r, VPLAT_VIRTIO_GPIO_MSG_GET_VALUE, 3, 0, &val) != 0 || val != 1;
	printf("%s: GET_VALUE line 3 = %u\n", val == 1 ? "ok" : "FAIL", val);
	vplat_gpio_fini(&r.g);
	vplat_gpio_gpiod_close(r.h);
	vplat_val_vq_fini(&r.rq);
	vplat_val_vq_fini(&r.eq);
	vplat_loopback_fini(&r.lb);
	return fails ? 1 : 0;
}

int main(void)
{
	struct stat st;
	if (stat(SIM, &st) != 0) {
		printf("SKIP: no gpio-sim in this kernel (%s missing: the gpio-sim module and a "
		       "mounted configfs are needed; Debian 12's kernels do not build gpio-sim: "
		       "guest.gpio_sim builds it out of tree and runs this test in a guest)\n", SIM);
		return 77;
	}
	if (geteuid() != 0) {
		printf("SKIP: gpio-sim needs root\n");
		return 77;
	}
#ifndef VPLAT_HAVE_GPIOD
	printf("SKIP: vplat was built without libgpiod\n");
	return 77;
#endif
	if (setup() != 0) {
		printf("SKIP: could not create a gpio-sim chip: %s\n", strerror(errno));
		teardown();
		return 77;
	}
	printf("gpio-sim chip %s (%s)\n", chip, devname);
	int rc = run();
	teardown();
	printf("%s\n", rc ? "FAIL" : "PASS");
	return rc;
}
