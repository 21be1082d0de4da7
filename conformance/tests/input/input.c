/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Input device (spec/19-input.md). Everything goes through the driver. The event tests need a
 * device that sends an update after a status event (an LED write on the statusq), as vplat's
 * scripted host end does with "wait-status / key 30 1 / syn / wait-status / key 30 0 / syn"
 * (the loopback PAL and the daemon run); a device that sends nothing makes them SKIP.
 */
#include <time.h>
#include "../common/devreq.h"
#include "vplat/spec/virtio_input.h"
#include "vplat/val/val.h"
#include "vplat/val/conform.h"

#define EVQ VPLAT_VIRTIO_INPUT_EVENTQ
#define STQ VPLAT_VIRTIO_INPUT_STATUSQ
#define ICFG(f) ((uint32_t)offsetof(struct vplat_virtio_input_config, f))
#define EVENT_MS 2000u
#define QUIET_MS 200u
#define UNTOUCHED 0x5a

struct idev {
	struct vplat_val_vq *evq, *stq;
};

static enum vplat_result inp_up(struct vplat_test_ctx *t, struct idev *g)
{
	memset(g, 0, sizeof(*g));
	enum vplat_result r = bringup_no_driver_ok(t, 0, &g->evq, EVQ, 16);
	if (r != VPLAT_PASS)
		return r;
	g->stq = vplat_t_vq(t);
	uint16_t max = vplat_val_queue_max(t->d, STQ);
	if (!g->stq || max == 0)
		return vplat_t_error(t, "no statusq");
	int rc = vplat_val_vq_setup(t->d, g->stq, STQ, max < 16 ? max : 16);
	if (rc)
		return vplat_t_error(t, "statusq setup failed: %s", vplat_strerror(rc));
	rc = vplat_val_driver_ok(t->d);
	if (rc)
		return vplat_t_error(t, "DRIVER_OK failed: %s", vplat_strerror(rc));
	return VPLAT_PASS;
}

/* Select (@p sel, @p sub) in the given order; returns size and copies the union to @p u. */
static uint8_t query(struct vplat_test_ctx *t, uint8_t sel, uint8_t sub, bool sub_first,
		     uint8_t *u)
{
	if (sub_first) {
		vplat_val_config_write(t->d, ICFG(subsel), 1, sub);
		vplat_val_config_write(t->d, ICFG(select), 1, sel);
	} else {
		vplat_val_config_write(t->d, ICFG(select), 1, sel);
		vplat_val_config_write(t->d, ICFG(subsel), 1, sub);
	}
	for (uint32_t i = 0; i < VPLAT_VIRTIO_INPUT_CFG_UNION; i++)
		u[i] = (uint8_t)cfg(t, ICFG(u) + i, 1);
	return (uint8_t)cfg(t, ICFG(size), 1);
}

static bool zero_from(const uint8_t *u, uint32_t from)
{
	for (uint32_t i = from; i < VPLAT_VIRTIO_INPUT_CFG_UNION; i++)
		if (u[i])
			return false;
	return true;
}

static enum vplat_result cfg_unsupported(struct vplat_test_ctx *t)
{
	struct idev g;
	enum vplat_result r = inp_up(t, &g);
	if (r != VPLAT_PASS)
		return r;
	uint8_t u[VPLAT_VIRTIO_INPUT_CFG_UNION], absbits[VPLAT_VIRTIO_INPUT_CFG_UNION];
	/* selectors the specification does not define, UNSET, and subsel values that the
	 * selectors with "subsel is zero" do not take */
	static const uint8_t none[][2] = {
		{VPLAT_VIRTIO_INPUT_CFG_UNSET, 0},     {VPLAT_VIRTIO_INPUT_CFG_UNSET, 5},
		{0x04, 0},                             {0x0f, 0},
		{0x13, 0},                             {0xff, 0xff},
		{VPLAT_VIRTIO_INPUT_CFG_ID_NAME, 1},   {VPLAT_VIRTIO_INPUT_CFG_ID_SERIAL, 0x80},
		{VPLAT_VIRTIO_INPUT_CFG_ID_DEVIDS, 2}, {VPLAT_VIRTIO_INPUT_CFG_PROP_BITS, 0xff},
	};
	for (unsigned i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		uint8_t sz = query(t, none[i][0], none[i][1], false, u);
		VPLAT_T_CHECK_MSG(t, 1, sz == 0, "size 0 for an unsupported select/subsel",
				  "select 0x%02x subsel 0x%02x: size %u", none[i][0], none[i][1], sz);
	}
	/* an axis the device does not have (not in its EV_ABS bitmap): ABS_INFO size 0 */
	uint8_t n = query(t, VPLAT_VIRTIO_INPUT_CFG_EV_BITS, VPLAT_EV_ABS, false, absbits);
	for (uint32_t i = n; i < VPLAT_VIRTIO_INPUT_CFG_UNION; i++)
		absbits[i] = 0;
	for (unsigned a = 0; a < 256; a++) {
		if (absbits[a / 8] & (1u << (a % 8)))
			continue;
		uint8_t sz = query(t, VPLAT_VIRTIO_INPUT_CFG_ABS_INFO, (uint8_t)a, false, u);
		VPLAT_T_CHECK_MSG(t, 2, sz == 0, "size 0 for ABS_INFO of an axis the device lacks",
				  "axis %u (not in EV_BITS/EV_ABS): size %u", a, sz);
	}
	return VPLAT_PASS;
}
VPLAT_TEST(input_cfg_unsupported, "VPLAT-INP-001", "devicenormative:Device Types / Input Device / Device Initialization", VPLAT_VIRTIO_ID_INPUT, 0, "size 0 for every unsupported select/subsel: undefined selectors, UNSET, non-zero subsel where zero is the only one, ABS_INFO of an absent axis", cfg_unsupported);

static enum vplat_result cfg_shapes(struct vplat_test_ctx *t)
{
	struct idev g;
	enum vplat_result r = inp_up(t, &g);
	if (r != VPLAT_PASS)
		return r;
	uint8_t u[VPLAT_VIRTIO_INPUT_CFG_UNION], v[VPLAT_VIRTIO_INPUT_CFG_UNION];
	uint8_t sz = query(t, VPLAT_VIRTIO_INPUT_CFG_ID_NAME, 0, false, u);
	VPLAT_T_CHECK_MSG(t, 1, sz <= 128 && zero_from(u, sz), "ID_NAME: size at most 128, the rest 0",
			  "size %u", sz);
	sz = query(t, VPLAT_VIRTIO_INPUT_CFG_ID_SERIAL, 0, false, u);
	VPLAT_T_CHECK_MSG(t, 2, sz <= 128 && zero_from(u, sz), "ID_SERIAL: size at most 128, the rest 0",
			  "size %u", sz);
	sz = query(t, VPLAT_VIRTIO_INPUT_CFG_ID_DEVIDS, 0, false, u);
	VPLAT_T_CHECK_MSG(t, 3, (sz == 0 || sz == 8) && zero_from(u, sz), "ID_DEVIDS: size 0 or 8",
			  "size %u", sz);
	unsigned types = 0;
	for (unsigned ty = 0; ty < VPLAT_EV_CNT; ty++) {
		sz = query(t, VPLAT_VIRTIO_INPUT_CFG_EV_BITS, (uint8_t)ty, false, u);
		VPLAT_T_CHECK_MSG(t, 4, sz <= 128 && zero_from(u, sz),
				  "EV_BITS: size at most 128, the rest 0", "type %u: size %u", ty, sz);
		types += sz != 0;
		/* either order of select and subsel (the driver may use either) */
		uint8_t sz2 = query(t, VPLAT_VIRTIO_INPUT_CFG_EV_BITS, (uint8_t)ty, true, v);
		VPLAT_T_CHECK_MSG(t, 5, sz2 == sz && !memcmp(u, v, sizeof(u)),
				  "the same answer whether subsel or select is written first",
				  "type %u: size %u then %u", ty, sz, sz2);
		if (ty == VPLAT_EV_ABS)
			memcpy(v, u, sizeof(v));
	}
	VPLAT_T_CHECK_MSG(t, 6, types > 0, "at least one event type", "EV_BITS empty for all types");
	uint8_t absbits[VPLAT_VIRTIO_INPUT_CFG_UNION];
	sz = query(t, VPLAT_VIRTIO_INPUT_CFG_EV_BITS, VPLAT_EV_ABS, false, absbits);
	for (unsigned a = 0; a < 8u * sz; a++) {
		if (!(absbits[a / 8] & (1u << (a % 8))))
			continue;
		uint8_t s = query(t, VPLAT_VIRTIO_INPUT_CFG_ABS_INFO, (uint8_t)a, false, u);
		VPLAT_T_CHECK_MSG(t, 7, s == 20 && zero_from(u, 20),
				  "ABS_INFO of an axis the device has: size 20", "axis %u: size %u",
				  a, s);
	}
	/* writes to size, reserved and the union change nothing the device reports */
	sz = query(t, VPLAT_VIRTIO_INPUT_CFG_ID_NAME, 0, false, u);
	vplat_val_config_write(t->d, ICFG(size), 1, 0x7f);
	vplat_val_config_write(t->d, ICFG(reserved), 1, 0x33);
	vplat_val_config_write(t->d, ICFG(u), 4, 0x41414141u);
	uint8_t after = (uint8_t)cfg(t, ICFG(size), 1);
	for (uint32_t i = 0; i < VPLAT_VIRTIO_INPUT_CFG_UNION; i++)
		v[i] = (uint8_t)cfg(t, ICFG(u) + i, 1);
	VPLAT_T_CHECK_MSG(t, 8, after == sz && !memcmp(u, v, sizeof(u)) &&
				    cfg(t, ICFG(reserved), 1) == 0,
			  "writes to fields other than select and subsel are ignored",
			  "size %u -> %u, reserved 0x%02x", sz, after,
			  (unsigned)cfg(t, ICFG(reserved), 1));
	return VPLAT_PASS;
}
VPLAT_TEST(input_cfg_shapes, "VPLAT-INP-002 VPLAT-INP-003 VPLAT-INP-004", "sec:Device Types / Input Device / Device configuration layout", VPLAT_VIRTIO_ID_INPUT, 0, "strings and bitmaps fit the union with zeros after size, IDs 8 and ABS_INFO 20 bytes, either order of select/subsel, writes elsewhere ignored", cfg_shapes);

/* Post @p n eventq buffers of @p len bytes; their storage in @p bufs. */
static bool post_events(struct vplat_test_ctx *t, struct idev *g, unsigned n, uint32_t len,
			uint8_t **bufs)
{
	for (unsigned i = 0; i < n; i++) {
		bufs[i] = dmab(t, len);
		if (!bufs[i])
			return false;
		memset(bufs[i], UNTOUCHED, len);
		struct vplat_val_buf b = {.ptr = bufs[i], .len = len};
		if (vplat_val_vq_add(g->evq, &b, 0, 1, bufs[i]))
			return false;
	}
	vplat_val_vq_kick(g->evq);
	return true;
}

/* Send one status event of @p len readable bytes (an LED write); returns its used length, or
 * UINT32_MAX if it did not come back. @p snap: whether the buffer was left as written. */
static uint32_t send_status(struct vplat_test_ctx *t, struct idev *g, uint32_t len, int32_t value,
		       bool *intact)
{
	uint8_t *p = dmab(t, len ? len : 1);
	uint8_t s[16];
	if (!p || len > sizeof(s))
		return UINT32_MAX;
	struct vplat_virtio_input_event e = {.type = vplat_cpu_to_le16(VPLAT_EV_LED),
					     .code = 0,
					     .value = vplat_cpu_to_le32((uint32_t)value)};
	memset(p, 0, len);
	memcpy(p, &e, len < sizeof(e) ? len : sizeof(e));
	memcpy(s, p, len);
	struct vplat_val_buf b = {.ptr = p, .len = len};
	if (vplat_val_vq_add(g->stq, &b, 1, 0, p))
		return UINT32_MAX;
	vplat_val_vq_kick(g->stq);
	void *tok;
	uint32_t used;
	if (wait_used(t, g->stq, &tok, &used) != 0 || tok != p)
		return UINT32_MAX;
	*intact = !memcmp(p, s, len);
	return used;
}

/* Wait up to @p ms for a used eventq buffer, polling the PAL: 0 or VPLAT_EAGAIN. */
static int ev_wait(struct vplat_test_ctx *t, struct vplat_val_vq *vq, unsigned ms, void **tok,
		   uint32_t *len)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t end = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec +
		       (uint64_t)ms * 1000000u;
	for (;;) {
		int rc = vplat_val_vq_get_used(vq, tok, len);
		if (rc != VPLAT_EAGAIN)
			return rc;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		if ((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec >= end)
			return VPLAT_EAGAIN;
		vplat_t_poll(t);
	}
}

static enum vplat_result events(struct vplat_test_ctx *t)
{
	struct idev g;
	enum vplat_result r = inp_up(t, &g);
	if (r != VPLAT_PASS)
		return r;
	uint8_t *bufs[8];
	bool intact = false;
	VPLAT_T_CHECK(t, 1, post_events(t, &g, 8, 16, bufs));
	uint32_t used = send_status(t, &g, 8, 1, &intact);
	VPLAT_T_CHECK_MSG(t, 2, used == 0 && intact,
			  "a statusq buffer comes back unchanged with used length 0",
			  "used %u, %s", used, intact ? "unchanged" : "changed");
	/* the update the device sends: one event per buffer, 8 bytes each, up to a SYN_REPORT */
	unsigned got = 0;
	bool syn = false;
	while (!syn && got < 8) {
		void *tok;
		uint32_t len;
		int rc = ev_wait(t, g.evq, EVENT_MS, &tok, &len);
		if (rc != 0) {
			if (got == 0)
				return vplat_t_skip(t, "the device sent no event within %u ms of a "
						       "status event (no event source)", EVENT_MS);
			break;
		}
		VPLAT_T_CHECK_MSG(t, 3, tok == bufs[got], "eventq buffers used in order",
				  "buffer %u came back out of order", got);
		VPLAT_T_CHECK_EQ(t, 4, len, 8, "one 8-byte event per eventq buffer");
		const uint8_t *b = tok;
		VPLAT_T_CHECK_MSG(t, 5, b[8] == UNTOUCHED, "nothing written after the event",
				  "byte 8 is 0x%02x", b[8]);
		struct vplat_virtio_input_event e;
		memcpy(&e, b, sizeof(e));
		syn = vplat_le16_to_cpu(e.type) == VPLAT_EV_SYN &&
		      vplat_le16_to_cpu(e.code) == VPLAT_SYN_REPORT;
		got++;
	}
	VPLAT_T_CHECK_MSG(t, 6, syn, "an update ends with EV_SYN/SYN_REPORT",
			  "%u events without SYN_REPORT", got);
	return VPLAT_PASS;
}
VPLAT_TEST(input_events, "VPLAT-INP-005 VPLAT-INP-006", "sec:Device Types / Input Device / Device Operation", VPLAT_VIRTIO_ID_INPUT, 0, "statusq buffers come back unchanged with used 0; an update arrives one 8-byte event per eventq buffer, in order, ending with SYN_REPORT", events);

static enum vplat_result short_buffers(struct vplat_test_ctx *t)
{
	struct idev g;
	enum vplat_result r = inp_up(t, &g);
	if (r != VPLAT_PASS)
		return r;
	bool intact;
	uint32_t used = send_status(t, &g, 4, 1, &intact);
	VPLAT_T_CHECK_MSG(t, 1, used == 0, "a 4-byte statusq buffer comes back with used 0",
			  "used %u", used);
	/* a 4-byte eventq buffer first, then good ones: the event goes to the next good one */
	uint8_t *small, *bufs[6];
	VPLAT_T_CHECK(t, 2, post_events(t, &g, 1, 4, &small));
	VPLAT_T_CHECK(t, 2, post_events(t, &g, 6, 8, bufs));
	used = send_status(t, &g, 8, 0, &intact);
	VPLAT_T_CHECK(t, 3, used == 0);
	void *tok;
	uint32_t len;
	int rc = ev_wait(t, g.evq, EVENT_MS, &tok, &len);
	if (rc != 0)
		return vplat_t_skip(t, "the device sent no event within %u ms of a status event "
				       "(no event source)", EVENT_MS);
	VPLAT_T_CHECK_MSG(t, 4, tok == small && len == 0,
			  "a 4-byte eventq buffer comes back first, with used 0",
			  "first used: %s, length %u", tok == small ? "the short one" : "another", len);
	VPLAT_T_CHECK_MSG(t, 5, small[0] == UNTOUCHED, "nothing written into it", "byte 0 0x%02x",
			  small[0]);
	rc = wait_used(t, g.evq, &tok, &len);
	VPLAT_T_CHECK_MSG(t, 6, rc == 0 && tok == bufs[0] && len == 8,
			  "the event goes to the next buffer", "rc %d, length %u", rc, len);
	return VPLAT_PASS;
}
VPLAT_TEST(input_short_buffers, "VPLAT-INP-007", "drivernormative:Device Types / Input Device / Device Operation", VPLAT_VIRTIO_ID_INPUT, 0, "statusq and eventq buffers shorter than an event come back with used 0; no event is lost to them", short_buffers);

static enum vplat_result sequence_held(struct vplat_test_ctx *t)
{
	struct idev g;
	enum vplat_result r = inp_up(t, &g);
	if (r != VPLAT_PASS)
		return r;
	/* one buffer only: the update's first event; its SYN_REPORT waits for the next buffer */
	uint8_t *b1, *b2;
	VPLAT_T_CHECK(t, 1, post_events(t, &g, 1, 8, &b1));
	bool intact;
	VPLAT_T_CHECK(t, 2, send_status(t, &g, 8, 1, &intact) == 0);
	void *tok;
	uint32_t len;
	int rc = ev_wait(t, g.evq, EVENT_MS, &tok, &len);
	if (rc != 0)
		return vplat_t_skip(t, "the device sent no event within %u ms of a status event "
				       "(no event source)", EVENT_MS);
	struct vplat_virtio_input_event e;
	memcpy(&e, b1, sizeof(e));
	if (vplat_le16_to_cpu(e.type) == VPLAT_EV_SYN)
		return vplat_t_skip(t, "the device's update is a lone SYN_REPORT");
	/* wait, then give one more buffer: the rest of the update comes, nothing was dropped */
	void *q = NULL;
	(void)quiet_for(t, g.evq, QUIET_MS, &q);
	VPLAT_T_CHECK(t, 3, post_events(t, &g, 1, 8, &b2));
	unsigned more = 0;
	bool syn = false;
	uint8_t *nb = b2;
	while (!syn && more < 8) {
		rc = wait_used(t, g.evq, &tok, &len);
		VPLAT_T_CHECK_MSG(t, 4, rc == 0 && tok == nb && len == 8,
				  "the update goes on in the next buffer, not dropped",
				  "rc %d, length %u after %u more events", rc, len, more);
		memcpy(&e, nb, sizeof(e));
		syn = vplat_le16_to_cpu(e.type) == VPLAT_EV_SYN;
		more++;
		if (!syn)
			VPLAT_T_CHECK(t, 5, post_events(t, &g, 1, 8, &nb));
	}
	VPLAT_T_CHECK_MSG(t, 6, syn, "the held update ends with SYN_REPORT", "%u events", more);
	/* reset with an update held: nothing of it reaches the next driver */
	VPLAT_T_CHECK(t, 7, send_status(t, &g, 8, 0, &intact) == 0);
	(void)quiet_for(t, g.evq, QUIET_MS, &q);
	release_queues(t);
	r = inp_up(t, &g);
	if (r != VPLAT_PASS)
		return r;
	uint8_t *four[4];
	VPLAT_T_CHECK(t, 8, post_events(t, &g, 4, 8, four));
	q = NULL;
	VPLAT_T_CHECK_MSG(t, 9, quiet_for(t, g.evq, QUIET_MS, &q),
			  "no event held before a reset reaches the driver after it",
			  "an event arrived after the reset");
	return VPLAT_PASS;
}
VPLAT_TEST(input_sequence_held, "VPLAT-INP-008 VPLAT-INP-010", "devicenormative:Device Types / Input Device / Device Operation", VPLAT_VIRTIO_ID_INPUT, 0, "an update that finds too few buffers is held, not cut: the rest follows in the next buffers; a reset drops held events", sequence_held);
