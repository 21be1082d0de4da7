/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Guest side of guest.vhost_user_input (static, runs in the busybox initramfs): finds the
 * evdev device whose name is argv[1], prints every event it reads as "VHU-EV: TYPE CODE
 * VALUE" (EV_LED ones excepted: they are this program's own writes, which the input core
 * echoes) and answers every SYN_REPORT, and the start, with an LED write (NumLock toggled),
 * which the virtio_input driver sends to the device's statusq. Stops after argv[2] updates or
 * 30 s without an event.
 *
 * Usage: input_reader NAME UPDATES
 */
#define _DEFAULT_SOURCE /* usleep */
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/input.h>
#include <sys/ioctl.h>

static int led;

static void answer(int fd)
{
	struct input_event e;
	memset(&e, 0, sizeof(e));
	e.type = EV_LED;
	e.code = LED_NUML;
	led = !led;
	e.value = led; /* a change, or the input core would not pass it to the device */
	if (write(fd, &e, sizeof(e)) != (ssize_t)sizeof(e))
		perror("VHU-INFO: led write");
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	long want = strtol(argv[2], NULL, 0);
	int fd = -1;
	char path[64], name[256];
	for (int tries = 0; tries < 50 && fd < 0; tries++) {
		for (int n = 0; n < 32 && fd < 0; n++) {
			snprintf(path, sizeof(path), "/dev/input/event%d", n);
			int f = open(path, O_RDWR);
			if (f < 0)
				continue;
			memset(name, 0, sizeof(name));
			if (ioctl(f, EVIOCGNAME(sizeof(name) - 1), name) >= 0 && !strcmp(name, argv[1]))
				fd = f;
			else
				close(f);
		}
		if (fd < 0)
			usleep(100000);
	}
	if (fd < 0) {
		printf("VHU-FAIL: no evdev device named '%s'\n", argv[1]);
		return 1;
	}
	printf("VHU-INFO: reading %s ('%s')\n", path, name);
	fflush(stdout);
	answer(fd); /* ready */
	long updates = 0;
	int events = 0; /* non-LED events since the last SYN_REPORT */
	while (updates < want) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 30000) <= 0) {
			printf("VHU-INFO: timeout after %ld updates\n", updates);
			break;
		}
		struct input_event ev[64];
		ssize_t r = read(fd, ev, sizeof(ev));
		if (r <= 0)
			break;
		for (size_t i = 0; i < (size_t)r / sizeof(ev[0]); i++) {
			if (ev[i].type == EV_LED)
				continue;
			if (ev[i].type == EV_SYN && ev[i].code == SYN_REPORT && !events)
				continue; /* an LED-only packet */
			printf("VHU-EV: %u %u %d\n", ev[i].type, ev[i].code, ev[i].value);
			if (ev[i].type == EV_SYN && ev[i].code == SYN_REPORT) {
				events = 0;
				updates++;
				fflush(stdout);
				answer(fd);
			} else {
				events++;
			}
		}
	}
	fflush(stdout);
	printf("VHU-INFO: %ld updates read\n", updates);
	close(fd);
	return updates == want ? 0 : 1;
}
