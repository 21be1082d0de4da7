/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The input device's evdev host end on a real evdev device, made with uinput: capabilities
 * read with the evdev ioctls, an event written to uinput reaches the driver. Needs
 * /dev/uinput (the uinput module and access to its node): skips without it (containers).
 */
#define _DEFAULT_SOURCE /* usleep */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/input.h>
#include <linux/uinput.h>
#include <sys/ioctl.h>
#include "testutil.h"
#include "vplat/input.h"
#include "vplat/vplat.h"
#include "vplat/host/input_host.h"
#include "vplat/val/val.h"
#include "vplat/val/loopback.h"

#define EVQ VPLAT_VIRTIO_INPUT_EVENTQ
#define STQ VPLAT_VIRTIO_INPUT_STATUSQ

struct rig {
	struct vplat_loopback lb;
	struct vplat_input d;
	struct vplat_val_dev v;
	struct vplat_val_vq evq, stq;
};

static void rig_down(struct rig *r)
{
	ck_assert_uint_eq(r->lb.access_errors, 0);
	vplat_val_vq_fini(&r->evq);
	vplat_val_vq_fini(&r->stq);
	vplat_loopback_fini(&r->lb);
}

static void post(struct rig *r, unsigned n, uint32_t len)
{
	uint64_t gpa;
	uint8_t *base = vplat_val_alloc(vplat_loopback_dma(&r->lb), n * len, 8, &gpa);
	ck_assert_ptr_nonnull(base);
	for (unsigned i = 0; i < n; i++) {
		struct vplat_val_buf b = {.ptr = base + i * len, .len = len};
		ck_assert_int_eq(vplat_val_vq_add(&r->evq, &b, 0, 1, base + i * len), 0);
	}
	vplat_val_vq_kick(&r->evq);
}

static void expect_event(struct rig *r, uint16_t type, uint16_t code, int32_t value)
{
	void *tok;
	uint32_t len;
	ck_assert_int_eq(vplat_val_vq_get_used(&r->evq, &tok, &len), 0);
	ck_assert_uint_eq(len, 8);
	const struct vplat_virtio_input_event *e = tok;
	ck_assert_uint_eq(vplat_le16_to_cpu(e->type), type);
	ck_assert_uint_eq(vplat_le16_to_cpu(e->code), code);
	ck_assert_int_eq((int32_t)vplat_le32_to_cpu(e->value), value);
}

/* A real evdev device through uinput: needs /dev/uinput (CONFIG_INPUT_UINPUT, access). */
START_TEST(evdev_uinput)
{
	int u = open("/dev/uinput", O_RDWR | O_NONBLOCK | O_CLOEXEC); /* read: LED changes */
	if (u < 0)
		VPLAT_SKIP("no /dev/uinput to make an evdev device with (%s)", strerror(errno));
	ck_assert_int_eq(ioctl(u, UI_SET_EVBIT, EV_KEY), 0);
	ck_assert_int_eq(ioctl(u, UI_SET_KEYBIT, KEY_B), 0);
	ck_assert_int_eq(ioctl(u, UI_SET_EVBIT, EV_ABS), 0);
	ck_assert_int_eq(ioctl(u, UI_SET_ABSBIT, ABS_X), 0);
	ck_assert_int_eq(ioctl(u, UI_SET_EVBIT, EV_LED), 0);
	ck_assert_int_eq(ioctl(u, UI_SET_LEDBIT, LED_CAPSL), 0);
	struct uinput_abs_setup as = {.code = ABS_X, .absinfo = {.minimum = 0, .maximum = 4095}};
	ck_assert_int_eq(ioctl(u, UI_ABS_SETUP, &as), 0);
	struct uinput_setup us = {.id = {.bustype = BUS_VIRTUAL, .vendor = 1, .product = 2}};
	strcpy(us.name, "vplat uinput test");
	ck_assert_int_eq(ioctl(u, UI_DEV_SETUP, &us), 0);
	ck_assert_int_eq(ioctl(u, UI_DEV_CREATE), 0);
	char sys[64] = "", path[96] = "";
	ck_assert_int_ge(ioctl(u, UI_GET_SYSNAME(sizeof(sys)), sys), 0);
	for (int i = 0; i < 50 && !path[0]; i++, usleep(20000)) {
		char d[160];
		snprintf(d, sizeof(d), "/sys/devices/virtual/input/%s", sys);
		for (int n = 0; n < 64 && !path[0]; n++) {
			char q[200];
			snprintf(q, sizeof(q), "%s/event%d", d, n);
			if (access(q, F_OK) == 0)
				snprintf(path, sizeof(path), "/dev/input/event%d", n);
		}
	}
	ck_assert_str_ne(path, "");
	int e = 0;
	struct vplat_input_evdev *ev = NULL;
	for (int i = 0; i < 50 && !ev; i++, usleep(20000))
		ev = vplat_input_evdev_open(path, true, NULL, &e);
	ck_assert_ptr_nonnull(ev);
	const struct vplat_input_caps *c = vplat_input_evdev_caps(ev);
	ck_assert_str_eq(c->name, "vplat uinput test");
	ck_assert_int_eq(c->abs[ABS_X].max, 4095);
	ck_assert(c->ev[EV_KEY][KEY_B / 8] & (1u << (KEY_B % 8)));
	ck_assert(c->ev[EV_LED][LED_CAPSL / 8] & (1u << (LED_CAPSL % 8)));
	/* Opened with grab: nobody else gets the device's events meanwhile (EVIOCGRAB). */
	int other = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ck_assert_int_ge(other, 0);
	errno = 0;
	ck_assert_int_eq(ioctl(other, EVIOCGRAB, 1), -1);
	ck_assert_int_eq(errno, EBUSY);
	close(other);
	struct rig r;
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(vplat_loopback_init(&r.lb, VPLAT_LOOPBACK_MMIO, 1u << 20), 0);
	ck_assert_int_eq(vplat_input_init(&r.d, vplat_loopback_mem(&r.lb), c,
					  &vplat_input_host_evdev, ev), 0);
	vplat_input_evdev_bind(ev, &r.d);
	ck_assert_int_eq(vplat_loopback_attach(&r.lb, vplat_input_device(&r.d)), 0);
	ck_assert_int_eq(vplat_loopback_val_init(&r.lb, &r.v), 0);
	ck_assert_int_eq(vplat_val_negotiate(&r.v, VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1)), 0);
	ck_assert_int_eq(vplat_val_vq_setup(&r.v, &r.evq, EVQ, 64), 0);
	ck_assert_int_eq(vplat_val_vq_setup(&r.v, &r.stq, STQ, 64), 0);
	ck_assert_int_eq(vplat_val_driver_ok(&r.v), 0);
	post(&r, 8, 8);
	struct input_event in[2];
	memset(in, 0, sizeof(in));
	in[0].type = EV_KEY;
	in[0].code = KEY_B;
	in[0].value = 1;
	in[1].type = EV_SYN;
	ck_assert_int_eq(write(u, in, sizeof(in)), (ssize_t)sizeof(in));
	int got = 0;
	for (int i = 0; i < 100 && got < 2; i++, usleep(10000))
		got += vplat_input_evdev_dispatch(ev);
	ck_assert_int_eq(got, 2);
	expect_event(&r, EV_KEY, KEY_B, 1);
	expect_event(&r, EV_SYN, SYN_REPORT, 0);
	/* The driver sets Caps Lock on the status queue: the LED write reaches the real device,
	 * which hands LED changes to its uinput owner as EV_LED events. */
	uint64_t sgpa;
	struct vplat_virtio_input_event *st = vplat_val_alloc(vplat_loopback_dma(&r.lb), sizeof(*st),
							       8, &sgpa);
	ck_assert_ptr_nonnull(st);
	st->type = vplat_cpu_to_le16(EV_LED);
	st->code = vplat_cpu_to_le16(LED_CAPSL);
	st->value = vplat_cpu_to_le32(1);
	struct vplat_val_buf sb = {.ptr = st, .len = sizeof(*st)};
	ck_assert_int_eq(vplat_val_vq_add(&r.stq, &sb, 1, 0, st), 0);
	vplat_val_vq_kick(&r.stq);
	void *tok;
	uint32_t len;
	ck_assert_int_eq(vplat_val_wait_used(&r.stq, &tok, &len, 1000), 0);
	bool led = false;
	for (int i = 0; i < 100 && !led; i++) {
		struct input_event le;
		while (!led && read(u, &le, sizeof(le)) == (ssize_t)sizeof(le))
			led = le.type == EV_LED && le.code == LED_CAPSL && le.value == 1;
		if (!led)
			usleep(10000);
	}
	ck_assert_msg(led, "the LED write did not reach the uinput device");
	rig_down(&r);
	vplat_input_evdev_close(ev);
	ioctl(u, UI_DEV_DESTROY);
	close(u);
}
END_TEST


static Suite *suite(void)
{
	Suite *s = suite_create("input_uinput");
	TCase *tc = tcase_create("uinput");
	tcase_add_test(tc, evdev_uinput);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vplat_test_main(suite());
}
