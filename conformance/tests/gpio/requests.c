/* SPDX-License-Identifier: BSD-3-Clause */
/* GPIO device: requestq messages, their answers and errors (spec/14-gpio.md 14.2). */
#include "gpio_test.h"

static enum vplat_result initial_directions(struct vplat_test_ctx *t)
{
	struct gdev g;
	enum vplat_result r = gpio_up(t, false, &g);
	if (r != VPLAT_PASS)
		return r;
	for (uint16_t line = 0; line < g.ngpio && line < 256; line++) {
		struct grsp a;
		VPLAT_T_CHECK(t, 1, gpio_rq(t, &g, G_GET_DIR, line, 0, &a) == 0);
		VPLAT_T_CHECK_MSG(t, 2, a.status == G_OK && a.used == 2,
				  "GET_DIRECTION answers OK with status and value",
				  "line %u: status 0x%02x, used %u", line, a.status, a.used);
		VPLAT_T_CHECK_MSG(t, 3, a.value == D_NONE, "every line released (NONE) after reset",
				  "line %u: direction %u", line, a.value);
	}
	return VPLAT_PASS;
}
VPLAT_TEST(gpio_initial_direction_none, "VPLAT-GPIO-012 VPLAT-GPIO-019 VPLAT-GPIO-009", "sec:Device Types / GPIO Device / requestq Operation / Get Direction", VPLAT_VIRTIO_ID_GPIO, 0, "after reset GET_DIRECTION answers OK, used length 2, NONE for every line", initial_directions);

static enum vplat_result directions(struct vplat_test_ctx *t)
{
	struct gdev g;
	enum vplat_result r = gpio_up(t, false, &g);
	if (r != VPLAT_PASS)
		return r;
	uint16_t line = (uint16_t)(g.ngpio - 1);
	static const uint8_t seq[] = {D_OUT, D_IN, D_OUT, D_NONE, D_IN, D_NONE};
	for (unsigned i = 0; i < sizeof(seq); i++) {
		struct grsp a;
		VPLAT_T_CHECK(t, 1, gpio_rq(t, &g, G_SET_DIR, line, seq[i], &a) == 0);
		VPLAT_T_CHECK_MSG(t, 2, a.status == G_OK && a.value == 0 && a.used == 2,
				  "SET_DIRECTION answers OK with value 0",
				  "direction %u: status 0x%02x value 0x%02x used %u", seq[i],
				  a.status, a.value, a.used);
		int d = gpio_ok(t, &g, G_GET_DIR, line, 0);
		VPLAT_T_CHECK_MSG(t, 3, d == seq[i], "GET_DIRECTION answers the direction set",
				  "set %u, read %d", seq[i], d);
	}
	return VPLAT_PASS;
}
VPLAT_TEST(gpio_set_get_direction, "VPLAT-GPIO-012 VPLAT-GPIO-009", "sec:Device Types / GPIO Device / requestq Operation / Set Direction", VPLAT_VIRTIO_ID_GPIO, 0, "SET_DIRECTION OUT/IN/NONE answers OK with value 0; GET_DIRECTION answers what was set", directions);

static enum vplat_result output_values(struct vplat_test_ctx *t)
{
	struct gdev g;
	enum vplat_result r = gpio_up(t, false, &g);
	if (r != VPLAT_PASS)
		return r;
	uint16_t a = 0, b = (uint16_t)(g.ngpio - 1);
	/* A line made an output without SET_VALUE drives 0. */
	VPLAT_T_CHECK(t, 1, gpio_ok(t, &g, G_SET_DIR, a, D_OUT) == 0);
	VPLAT_T_CHECK_EQ(t, 2, gpio_ok(t, &g, G_GET_VAL, a, 0), 0, "a new output drives 0");
	/* SET_VALUE changes the driven level, and answers value 0. */
	struct grsp s;
	VPLAT_T_CHECK(t, 3, gpio_rq(t, &g, G_SET_VAL, a, 1, &s) == 0);
	VPLAT_T_CHECK_MSG(t, 4, s.status == G_OK && s.value == 0 && s.used == 2,
			  "SET_VALUE answers OK with value 0", "status 0x%02x value 0x%02x used %u",
			  s.status, s.value, s.used);
	VPLAT_T_CHECK_EQ(t, 5, gpio_ok(t, &g, G_GET_VAL, a, 0), 1, "GET_VALUE reads the driven 1");
	VPLAT_T_CHECK(t, 6, gpio_ok(t, &g, G_SET_VAL, a, 0) == 0);
	VPLAT_T_CHECK_EQ(t, 7, gpio_ok(t, &g, G_GET_VAL, a, 0), 0, "GET_VALUE reads the driven 0");
	/* SET_VALUE before the line is an output is kept and driven at SET_DIRECTION(OUT). */
	if (b != a) {
		VPLAT_T_CHECK_MSG(t, 8, gpio_ok(t, &g, G_SET_VAL, b, 1) == 0,
				  "SET_VALUE on a released line answers OK", "refused");
		VPLAT_T_CHECK(t, 9, gpio_ok(t, &g, G_SET_DIR, b, D_OUT) == 0);
		VPLAT_T_CHECK_EQ(t, 10, gpio_ok(t, &g, G_GET_VAL, b, 0), 1,
				 "the value given before SET_DIRECTION(OUT) is driven");
		/* IN then OUT again: the kept value survives a change to input. */
		VPLAT_T_CHECK(t, 11, gpio_ok(t, &g, G_SET_DIR, b, D_IN) == 0);
		VPLAT_T_CHECK(t, 12, gpio_ok(t, &g, G_SET_DIR, b, D_OUT) == 0);
		VPLAT_T_CHECK_EQ(t, 13, gpio_ok(t, &g, G_GET_VAL, b, 0), 1,
				 "the last SET_VALUE is driven again after IN -> OUT");
		/* NONE discards the kept value: OUT afterwards drives 0. */
		VPLAT_T_CHECK(t, 14, gpio_ok(t, &g, G_SET_DIR, b, D_NONE) == 0);
		VPLAT_T_CHECK(t, 15, gpio_ok(t, &g, G_SET_DIR, b, D_OUT) == 0);
		VPLAT_T_CHECK_EQ(t, 16, gpio_ok(t, &g, G_GET_VAL, b, 0), 0,
				 "after NONE the kept value is gone: OUT drives 0");
	}
	return VPLAT_PASS;
}
VPLAT_TEST(gpio_output_values, "VPLAT-GPIO-012 VPLAT-GPIO-013 VPLAT-GPIO-014 VPLAT-GPIO-015 VPLAT-GPIO-009", "sec:Device Types / GPIO Device / requestq Operation / Set Value", VPLAT_VIRTIO_ID_GPIO, 0, "outputs drive 0 by default, SET_VALUE changes the level, a value set early is driven at OUT, NONE forgets it", output_values);

static enum vplat_result input_follows_wire(struct vplat_test_ctx *t)
{
	struct gdev g;
	uint16_t out, in;
	enum vplat_result r = gpio_up(t, false, &g);
	if (r != VPLAT_PASS)
		return r;
	GPIO_NEED_LOOP(t, &g, 0, &out, &in);
	VPLAT_T_CHECK(t, 1, gpio_ok(t, &g, G_SET_DIR, in, D_IN) == 0);
	for (uint8_t level = 1, n = 0; n < 3; n++, level ^= 1)
		VPLAT_T_CHECK_MSG(t, 2, gpio_wire(t, &g, out, in, level),
				  "GET_VALUE on an input answers the sensed level",
				  "loop-in never read %u after loop-out drove it", level);
	return VPLAT_PASS;
}
/* Needs the loopback wire convention (gpio_test.h); SKIPs on platforms without it. */
VPLAT_TEST(gpio_input_value, "VPLAT-GPIO-012", "sec:Device Types / GPIO Device / requestq Operation / Get Value", VPLAT_VIRTIO_ID_GPIO, 0, "GET_VALUE on an input answers the level sensed (driven through the loop-out0 -> loop-in0 wire)", input_follows_wire);

static enum vplat_result same_line_in_order(struct vplat_test_ctx *t)
{
	struct gdev g;
	enum vplat_result r = gpio_up(t, false, &g);
	if (r != VPLAT_PASS)
		return r;
	uint16_t line = 0;
	VPLAT_T_CHECK(t, 1, gpio_ok(t, &g, G_SET_DIR, line, D_OUT) == 0);
	/* Eight messages for one line in one kick: SET 1, GET, SET 0, GET, ... */
	enum { N = 8 };
	struct vplat_virtio_gpio_request *q = dmab(t, N * sizeof(*q));
	uint8_t *a = dmab(t, N * 2);
	VPLAT_T_CHECK(t, 2, q && a);
	for (unsigned i = 0; i < N; i++) {
		q[i].type = vplat_cpu_to_le16(i % 2 ? G_GET_VAL : G_SET_VAL);
		q[i].gpio = vplat_cpu_to_le16(line);
		q[i].value = vplat_cpu_to_le32(i % 2 ? 0 : (i / 2 + 1) % 2);
		a[2 * i] = a[2 * i + 1] = G_UNTOUCHED;
		struct vplat_val_buf b[2] = {{.ptr = &q[i], .len = 8},
					     {.ptr = &a[2 * i], .len = 2}};
		VPLAT_T_CHECK(t, 3, vplat_val_vq_add(g.rq, b, 1, 1, &a[2 * i]) == 0);
	}
	vplat_val_vq_kick(g.rq);
	for (unsigned i = 0; i < N; i++) {
		void *tok;
		uint32_t len;
		VPLAT_T_CHECK(t, 4, wait_used(t, g.rq, &tok, &len) == 0);
		VPLAT_T_CHECK_MSG(t, 5, tok == &a[2 * i], "messages for one line answered in order",
				  "answer %u is for message %d", i,
				  (int)(((uint8_t *)tok - a) / 2));
	}
	for (unsigned i = 1; i < N; i += 2)
		VPLAT_T_CHECK_MSG(t, 6, a[2 * i] == G_OK && a[2 * i + 1] == (i / 2 + 1) % 2,
				  "each GET_VALUE sees the SET_VALUE before it",
				  "message %u: status %u value %u, expected value %u", i, a[2 * i],
				  a[2 * i + 1], (i / 2 + 1) % 2);
	return VPLAT_PASS;
}
VPLAT_TEST(gpio_same_line_in_order, "VPLAT-GPIO-010", "devicenormative:Device Types / GPIO Device / requestq Operation", VPLAT_VIRTIO_ID_GPIO, 0, "eight SET_VALUE/GET_VALUE messages for one line in one kick are processed and answered in order", same_line_in_order);

/* Direction and value of @p line as one number (direction * 2 + value), or -1. */
static int line_state(struct vplat_test_ctx *t, struct gdev *g, uint16_t line)
{
	int d = gpio_ok(t, g, G_GET_DIR, line, 0), v = gpio_ok(t, g, G_GET_VAL, line, 0);
	return d < 0 || v < 0 ? -1 : d * 2 + v;
}

/* Message @p type/@p line/@p value must get ERR with value 0 and leave line 0 and the last
 * line as they were. Checkpoints cp..cp+2. */
static enum vplat_result expect_err(struct vplat_test_ctx *t, struct gdev *g, int cp, uint16_t type,
				    uint16_t line, uint32_t value)
{
	int s0 = line_state(t, g, 0), s1 = line_state(t, g, (uint16_t)(g->ngpio - 1));
	struct grsp a;
	VPLAT_T_CHECK(t, cp, gpio_rq(t, g, type, line, value, &a) == 0);
	VPLAT_T_CHECK_MSG(t, cp + 1, a.status == G_ERR && a.value == 0 && a.used == 2,
			  "ERR with value 0", "type %u line %u value 0x%x: status 0x%02x value "
			  "0x%02x used %u", type, line, value, a.status, a.value, a.used);
	VPLAT_T_CHECK_MSG(t, cp + 2, line_state(t, g, 0) == s0 &&
			  line_state(t, g, (uint16_t)(g->ngpio - 1)) == s1,
			  "a failed message changes no state",
			  "type %u line %u value 0x%x changed a line", type, line, value);
	return VPLAT_PASS;
}

#define ERR_CASE(CP, TYPE, LINE, VALUE)                                                            \
	do {                                                                                       \
		enum vplat_result r_ = expect_err(t, &g, CP, TYPE, LINE, VALUE);                   \
		if (r_ != VPLAT_PASS)                                                              \
			return r_;                                                                 \
	} while (0)

static enum vplat_result errors(struct vplat_test_ctx *t)
{
	struct gdev g;
	bool irq = vplat_val_get_device_features(t->d) & GF_IRQ;
	enum vplat_result r = gpio_up(t, irq, &g);
	if (r != VPLAT_PASS)
		return r;
	uint16_t last = (uint16_t)(g.ngpio - 1);
	/* Line 0 an output driving 1, the last line an input (states the errors must keep). */
	VPLAT_T_CHECK(t, 1, gpio_ok(t, &g, G_SET_VAL, 0, 1) == 0);
	VPLAT_T_CHECK(t, 2, gpio_ok(t, &g, G_SET_DIR, 0, D_OUT) == 0);
	if (last != 0)
		VPLAT_T_CHECK(t, 3, gpio_ok(t, &g, G_SET_DIR, last, D_IN) == 0);
	static const uint16_t unknown[] = {0, 7, 0x100, 0xffff};
	for (unsigned i = 0; i < 4; i++)
		ERR_CASE(10, unknown[i], 0, 0);
	static const uint16_t types[] = {G_GET_DIR, G_SET_DIR, G_GET_VAL, G_SET_VAL};
	for (unsigned i = 0; i < 4; i++) {
		ERR_CASE(20, types[i], g.ngpio, 0);
		ERR_CASE(20, types[i], 0xffff, 0);
	}
	ERR_CASE(30, G_SET_DIR, 0, 3);
	ERR_CASE(30, G_SET_DIR, 0, 0x100);
	ERR_CASE(30, G_SET_DIR, last, 0xffffffffu);
	ERR_CASE(40, G_SET_VAL, 0, 2);
	ERR_CASE(40, G_SET_VAL, 0, 0x100); /* low byte 0: still out of range */
	if (irq) {
		ERR_CASE(50, G_SET_IRQ, g.ngpio, I_RISE);
		static const uint32_t bad[] = {5, 6, 7, 9, 0x10, 0x101};
		for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			ERR_CASE(50, G_SET_IRQ, last, bad[i]);
		ERR_CASE(60, G_SET_IRQ, 0, I_RISE);  /* line 0 is an output */
		ERR_CASE(60, G_SET_IRQ, 0, I_HIGH);
	}
	/* GET_LINE_NAMES ignores gpio and value: the same answer as a plain one. */
	uint32_t size = (uint32_t)cfg(t, GCFG(gpio_names_size), 4);
	struct grsp a;
	VPLAT_T_CHECK(t, 70, gpio_rq(t, &g, G_NAMES, 0xffff, 0xdeadbeef, &a) == 0);
	if (size == 0)
		VPLAT_T_CHECK_MSG(t, 71, a.status == G_ERR, "no names: ERR whatever gpio and value",
				  "status 0x%02x", a.status);
	else if (size == 1)
		VPLAT_T_CHECK_MSG(t, 72, a.status == G_OK, "gpio and value ignored",
				  "status 0x%02x", a.status);
	else
		VPLAT_T_CHECK_MSG(t, 73, a.status == G_ERR,
				  "gpio and value ignored (too small: ERR)", "status 0x%02x",
				  a.status);
	return VPLAT_PASS;
}
VPLAT_TEST(gpio_errors, "VPLAT-GPIO-017 VPLAT-GPIO-009", "drivernormative:Device Types / GPIO Device / requestq Operation", VPLAT_VIRTIO_ID_GPIO, 0, "unknown types, lines >= ngpio, bad directions, values and IRQ types, IRQ on an output: ERR, value 0, no state change", errors);

static enum vplat_result irq_not_negotiated(struct vplat_test_ctx *t)
{
	struct gdev g;
	enum vplat_result r = gpio_up(t, false, &g);
	if (r != VPLAT_PASS)
		return r;
	uint16_t last = (uint16_t)(g.ngpio - 1);
	VPLAT_T_CHECK(t, 1, gpio_ok(t, &g, G_SET_DIR, last, D_IN) == 0);
	ERR_CASE(10, G_SET_IRQ, last, I_RISE);
	ERR_CASE(10, G_SET_IRQ, last, I_HIGH);
	ERR_CASE(10, G_SET_IRQ, last, I_NONE);
	return VPLAT_PASS;
}
VPLAT_TEST(gpio_irq_type_without_f_irq_err, "VPLAT-GPIO-017", "drivernormative:Device Types / GPIO Device / requestq Operation", VPLAT_VIRTIO_ID_GPIO, 0, "SET_IRQ_TYPE without VIRTIO_GPIO_F_IRQ negotiated: ERR, value 0, no state change", irq_not_negotiated);

static enum vplat_result reset_releases(struct vplat_test_ctx *t)
{
	struct gdev g;
	bool irq = vplat_val_get_device_features(t->d) & GF_IRQ;
	enum vplat_result r = gpio_up(t, irq, &g);
	if (r != VPLAT_PASS)
		return r;
	uint16_t last = (uint16_t)(g.ngpio - 1);
	VPLAT_T_CHECK(t, 1, gpio_ok(t, &g, G_SET_VAL, 0, 1) == 0);
	VPLAT_T_CHECK(t, 2, gpio_ok(t, &g, G_SET_DIR, 0, D_OUT) == 0);
	if (last != 0) {
		VPLAT_T_CHECK(t, 3, gpio_ok(t, &g, G_SET_DIR, last, D_IN) == 0);
		if (irq)
			VPLAT_T_CHECK(t, 4, gpio_ok(t, &g, G_SET_IRQ, last, I_BOTH) == 0);
	}
	VPLAT_T_CHECK(t, 5, vplat_val_reset(t->d) == 0);
	if ((r = gpio_up(t, irq, &g)) != VPLAT_PASS)
		return r;
	for (uint16_t line = 0; line < g.ngpio && line < 256; line++)
		VPLAT_T_CHECK_MSG(t, 6, gpio_ok(t, &g, G_GET_DIR, line, 0) == D_NONE,
				  "every line NONE after a reset", "line %u not released", line);
	/* The kept output value is forgotten: OUT drives 0. */
	VPLAT_T_CHECK(t, 7, gpio_ok(t, &g, G_SET_DIR, 0, D_OUT) == 0);
	VPLAT_T_CHECK_EQ(t, 8, gpio_ok(t, &g, G_GET_VAL, 0, 0), 0,
			 "the value set before the reset is not driven");
	/* The interrupt is disabled: an eventq buffer for the line comes back INVALID. */
	if (irq && last != 0) {
		struct gev ev;
		void *tok;
		uint32_t len;
		VPLAT_T_CHECK(t, 9, gpio_ok(t, &g, G_SET_DIR, last, D_IN) == 0);
		VPLAT_T_CHECK(t, 10, gpio_unmask(t, &g, last, &ev) == 0);
		VPLAT_T_CHECK_MSG(t, 11, gpio_ev_wait(t, &g, G_EV_MS, &tok, &len) && tok == &ev &&
				  ev.rsp[0] == IRQ_INVALID, "interrupts disabled by the reset",
				  "eventq buffer after reset: status 0x%02x", ev.rsp[0]);
	}
	return VPLAT_PASS;
}
VPLAT_TEST(gpio_reset_releases_lines, "VPLAT-GPIO-019", "vplat", VPLAT_VIRTIO_ID_GPIO, 0, "a device reset releases every line (NONE), forgets the kept output value and disables interrupts", reset_releases);
