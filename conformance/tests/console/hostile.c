/* SPDX-License-Identifier: BSD-3-Clause */
/* Console device, hostile driver: malformed control messages (spec/12-console.md 12.3). */
#include "console_test.h"

#define NMSG 64

static enum vplat_result malformed_ignored(struct vplat_test_ctx *t)
{
	struct con c;
	enum vplat_result r = con_up(t, &c, 0, 80, 16);
	if (r != VPLAT_PASS)
		return r;
	static struct cmsg m[NMSG];
	/* A DEVICE_READY 1 cut to 6 and to 0 bytes: ignored, so no port is added. */
	VPLAT_T_CHECK(t, 1, con_send(t, &c, 0, E_READY, 1, 6) == 0);
	VPLAT_T_CHECK(t, 2, con_send(t, &c, 0, E_READY, 1, 0) == 0);
	unsigned n = con_collect(t, &c, m, NMSG, CON_QUIET_MS);
	VPLAT_T_CHECK_MSG(t, 3, n == 0, "a message shorter than 8 bytes is ignored",
			  "%u messages after a 6-byte DEVICE_READY", n);
	n = con_ready(t, &c, m, NMSG);
	VPLAT_T_CHECK(t, 4, n >= 1);
	/* Events only the device sends, unknown events, ports that do not exist. */
	static const struct {
		uint32_t id;
		uint16_t event, value;
	} bad[] = {
		{0, E_ADD, 0},        {0, E_REMOVE, 0},  {0, E_CONSOLE, 1}, {0, E_RESIZE, 0},
		{0, E_NAME, 0},       {0, 8, 1},         {0, 99, 1},        {0, 0xffff, 1},
		{0x7fff, E_PREADY, 1}, {0xffffffffu, E_PREADY, 1}, {0xffffffffu, E_OPEN, 1},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		VPLAT_T_CHECK_MSG(t, 5, con_send(t, &c, bad[i].id, bad[i].event, bad[i].value, 8) == 0,
				  "the buffer is used", "event %u port %u not used", bad[i].event,
				  bad[i].id);
		n = con_collect(t, &c, m, NMSG, CON_QUIET_MS);
		VPLAT_T_CHECK_MSG(t, 6, n == 0, "ignored: no reply, no state change",
				  "event %u for port %u answered with event %u for port %u", bad[i].event,
				  bad[i].id, m[0].event, m[0].id);
	}
	/* Still working: PORT_READY for port 0 gets CONSOLE_PORT (port 0 is the console). */
	VPLAT_T_CHECK(t, 7, con_send(t, &c, 0, E_PREADY, 1, 8) == 0);
	n = con_collect(t, &c, m, NMSG, CON_QUIET_MS);
	VPLAT_T_CHECK_MSG(t, 8, n >= 1 && m[0].id == 0, "the device still answers a valid message",
			  "%u messages after PORT_READY for port 0", n);
	return VPLAT_PASS;
}
VPLAT_TEST(con_exer_ctrl_malformed_ignored, "VPLAT-CON-025", "vplat", VPLAT_VIRTIO_ID_CONSOLE, VPLAT_TF_EXERCISER, "control messages of 6 and 0 bytes, device-only and unknown events, and ports that do not exist are used and ignored; valid messages still work", malformed_ignored);
