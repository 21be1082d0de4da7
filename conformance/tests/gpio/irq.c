/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * GPIO device: interrupts (spec/14-gpio.md 14.3). Tests that need an input to change use the
 * loopback wire convention (gpio_test.h): the driver drives loop-out0 and the level appears on
 * loop-in0. On a platform without lines of those names they SKIP.
 */
#include "gpio_test.h"

/* Bring up with the eventq, find wire 0, make loop-out0 an output at @p level and loop-in0 an
 * input with interrupt type @p type (I_NONE: none set). */
static enum vplat_result wired(struct vplat_test_ctx *t, struct gdev *g, uint16_t *out, uint16_t *in,
			       uint8_t level, uint8_t type)
{
	enum vplat_result r = gpio_up(t, true, g);
	if (r != VPLAT_PASS)
		return r;
	GPIO_NEED_LOOP(t, g, 0, out, in);
	if (gpio_ok(t, g, G_SET_DIR, *in, D_IN) != 0 || !gpio_wire(t, g, *out, *in, level))
		return vplat_t_error(t, "cannot set up the loop-out0 -> loop-in0 wire at %u",
				     level);
	if (type != I_NONE && gpio_ok(t, g, G_SET_IRQ, *in, type) != 0)
		return vplat_t_error(t, "SET_IRQ_TYPE %u on loop-in0 refused", type);
	return VPLAT_PASS;
}

/* The eventq buffer @p ev came back with @p st. Checkpoint cp. */
#define EV_BACK(T, G, CP, EV, ST, WHAT)                                                            \
	do {                                                                                       \
		void *tok_ = NULL;                                                                 \
		uint32_t len_ = UINT32_MAX;                                                        \
		bool got_ = gpio_ev_wait(T, G, G_EV_MS, &tok_, &len_);                             \
		VPLAT_T_CHECK_MSG(T, CP, got_ && tok_ == (EV) && (EV)->rsp[0] == (ST) && len_ == 1,\
				  WHAT, "%s: status 0x%02x used %u",                               \
				  got_ ? "returned" : "not returned", (EV)->rsp[0], len_);         \
	} while (0)

/* No eventq buffer comes back for G_QUIET_MS (while the wire settles). Checkpoint cp. */
#define EV_NONE(T, G, CP, WHAT)                                                                    \
	do {                                                                                       \
		void *tok_;                                                                        \
		uint32_t len_;                                                                     \
		VPLAT_T_CHECK_MSG(T, CP, !gpio_ev_wait(T, G, G_QUIET_MS, &tok_, &len_), WHAT,      \
				  "an eventq buffer came back (status 0x%02x)",                    \
				  ((struct gev *)tok_)->rsp[0]);                                   \
	} while (0)

static enum vplat_result edge_types(struct vplat_test_ctx *t)
{
	struct gdev g;
	uint16_t out, in;
	static const struct {
		uint8_t type, start;
	} cases[] = {{I_RISE, 1}, {I_FALL, 0}, {I_BOTH, 0}}; /* start: the next change is wrong */
	for (unsigned c = 0; c < 3; c++) {
		uint8_t type = cases[c].type, lv = cases[c].start;
		enum vplat_result r = wired(t, &g, &out, &in, lv, type);
		if (r != VPLAT_PASS)
			return r;
		struct gev ev;
		VPLAT_T_CHECK(t, 1, gpio_unmask(t, &g, in, &ev) == 0);
		EV_NONE(t, &g, 2, "no interrupt before the line changes");
		if (type != I_BOTH) {
			/* The other edge first: nothing. Then back: the matching edge fires. */
			VPLAT_T_CHECK(t, 3, gpio_wire(t, &g, out, in, lv ^ 1));
			VPLAT_T_CHECK(t, 4, gpio_wire(t, &g, out, in, lv));
			EV_BACK(t, &g, 5, &ev, IRQ_VALID, "the matching edge fires VALID");
			/* Did it fire on the right edge? Re-arm and give only the wrong edge. */
			VPLAT_T_CHECK(t, 6, gpio_unmask(t, &g, in, &ev) == 0);
			VPLAT_T_CHECK(t, 7, gpio_wire(t, &g, out, in, lv ^ 1));
			EV_NONE(t, &g, 8, "the opposite edge does not fire");
		} else {
			VPLAT_T_CHECK(t, 3, gpio_wire(t, &g, out, in, 1));
			EV_BACK(t, &g, 4, &ev, IRQ_VALID, "EDGE_BOTH fires on a rising edge");
			VPLAT_T_CHECK(t, 5, gpio_unmask(t, &g, in, &ev) == 0);
			VPLAT_T_CHECK(t, 6, gpio_wire(t, &g, out, in, 0));
			EV_BACK(t, &g, 7, &ev, IRQ_VALID, "EDGE_BOTH fires on a falling edge");
		}
		VPLAT_T_CHECK(t, 9, vplat_val_reset(t->d) == 0);
	}
	return VPLAT_PASS;
}
VPLAT_TEST(gpio_irq_edge_types, "VPLAT-GPIO-020 VPLAT-GPIO-026", "sec:Device Types / GPIO Device / eventq Operation / Message Flow", VPLAT_VIRTIO_ID_GPIO, 0, "EDGE_RISING/FALLING fire VALID on their edge only, EDGE_BOTH on either (loop-out0 -> loop-in0 wire)", edge_types);

static enum vplat_result level_types(struct vplat_test_ctx *t)
{
	struct gdev g;
	uint16_t out, in;
	static const uint8_t types[] = {I_HIGH, I_LOW};
	for (unsigned c = 0; c < 2; c++) {
		uint8_t type = types[c], active = type == I_HIGH;
		enum vplat_result r = wired(t, &g, &out, &in, active ^ 1, type);
		if (r != VPLAT_PASS)
			return r;
		struct gev ev;
		VPLAT_T_CHECK(t, 1, gpio_unmask(t, &g, in, &ev) == 0);
		EV_NONE(t, &g, 2, "no interrupt while the line is inactive");
		VPLAT_T_CHECK(t, 3, gpio_wire(t, &g, out, in, active));
		EV_BACK(t, &g, 4, &ev, IRQ_VALID, "the level interrupt fires VALID when active");
		/* Still active: a new buffer comes back at once. */
		VPLAT_T_CHECK(t, 5, gpio_unmask(t, &g, in, &ev) == 0);
		EV_BACK(t, &g, 6, &ev, IRQ_VALID,
			"a buffer queued while the level is active: VALID at once");
		/* Masked: inactive, active, inactive again, then unmask: nothing latched. */
		VPLAT_T_CHECK(t, 7, gpio_wire(t, &g, out, in, active ^ 1));
		VPLAT_T_CHECK(t, 8, gpio_wire(t, &g, out, in, active));
		VPLAT_T_CHECK(t, 9, gpio_wire(t, &g, out, in, active ^ 1));
		VPLAT_T_CHECK(t, 10, gpio_unmask(t, &g, in, &ev) == 0);
		EV_NONE(t, &g, 11, "a level interrupt is never latched while masked");
		VPLAT_T_CHECK(t, 12, vplat_val_reset(t->d) == 0);
	}
	return VPLAT_PASS;
}
VPLAT_TEST(gpio_irq_level_types, "VPLAT-GPIO-020 VPLAT-GPIO-022 VPLAT-GPIO-026 VPLAT-GPIO-027", "devicenormative:Device Types / GPIO Device / requestq Operation", VPLAT_VIRTIO_ID_GPIO, 0, "LEVEL_HIGH/LOW fire while active, at once for a buffer queued while active, and are not latched while masked", level_types);

static enum vplat_result edge_latched(struct vplat_test_ctx *t)
{
	struct gdev g;
	uint16_t out, in;
	enum vplat_result r = wired(t, &g, &out, &in, 0, I_RISE);
	if (r != VPLAT_PASS)
		return r;
	/* Enabled, masked (no buffer): a rising edge happens, then the line goes low again. */
	VPLAT_T_CHECK(t, 1, gpio_wire(t, &g, out, in, 1));
	VPLAT_T_CHECK(t, 2, gpio_wire(t, &g, out, in, 0));
	struct gev ev;
	VPLAT_T_CHECK(t, 3, gpio_unmask(t, &g, in, &ev) == 0);
	EV_BACK(t, &g, 4, &ev, IRQ_VALID, "an edge latched while masked is delivered at unmask");
	/* Delivered once: the next buffer waits. */
	VPLAT_T_CHECK(t, 5, gpio_unmask(t, &g, in, &ev) == 0);
	EV_NONE(t, &g, 6, "the latched edge is delivered only once");
	return VPLAT_PASS;
}
VPLAT_TEST(gpio_irq_edge_latched, "VPLAT-GPIO-021 VPLAT-GPIO-027", "devicenormative:Device Types / GPIO Device / requestq Operation", VPLAT_VIRTIO_ID_GPIO, 0, "an edge while enabled but masked is latched and returned VALID at once when a buffer arrives, once", edge_latched);

static enum vplat_result disable_returns_invalid(struct vplat_test_ctx *t)
{
	struct gdev g;
	enum vplat_result r = gpio_up(t, true, &g);
	if (r != VPLAT_PASS)
		return r;
	uint16_t line = (uint16_t)(g.ngpio - 1);
	VPLAT_T_CHECK(t, 1, gpio_ok(t, &g, G_SET_DIR, line, D_IN) == 0);
	VPLAT_T_CHECK(t, 2, gpio_ok(t, &g, G_SET_IRQ, line, I_RISE) == 0);
	struct gev ev;
	VPLAT_T_CHECK(t, 3, gpio_unmask(t, &g, line, &ev) == 0);
	gpio_settle(t, G_QUIET_MS);
	void *tok;
	uint32_t len;
	if (vplat_val_vq_get_used(g.eq, &tok, &len) == 0)
		return vplat_t_skip(t, "the line's interrupt fired on its own (status 0x%02x)",
				    ev.rsp[0]);
	/* The request's answer is only seen after the buffer is already back. */
	VPLAT_T_CHECK(t, 4, gpio_ok(t, &g, G_SET_IRQ, line, I_NONE) == 0);
	int rc = vplat_val_vq_get_used(g.eq, &tok, &len);
	VPLAT_T_CHECK_MSG(t, 5, rc == 0 && tok == &ev,
			  "the queued buffer is returned before the answer",
			  "eventq empty when SET_IRQ_TYPE(NONE) was answered");
	VPLAT_T_CHECK_MSG(t, 6, ev.rsp[0] == IRQ_INVALID && len == 1, "returned INVALID",
			  "status 0x%02x used %u", ev.rsp[0], len);
	return VPLAT_PASS;
}
VPLAT_TEST(gpio_irq_disable_returns_invalid, "VPLAT-GPIO-025", "devicenormative:Device Types / GPIO Device / eventq Operation", VPLAT_VIRTIO_ID_GPIO, 0, "SET_IRQ_TYPE(NONE) returns the queued eventq buffer INVALID before the request is answered", disable_returns_invalid);

/* How a test disables the interrupt of loop-in0. */
enum off_how { BY_IRQ_NONE, BY_DIR_NONE, BY_DIR_OUT };

static enum vplat_result disable_discards(struct vplat_test_ctx *t, enum off_how how)
{
	struct gdev g;
	uint16_t out, in;
	enum vplat_result r = wired(t, &g, &out, &in, 0, I_RISE);
	if (r != VPLAT_PASS)
		return r;
	/* A queued buffer returned INVALID by the disabling request. */
	struct gev ev;
	VPLAT_T_CHECK(t, 1, gpio_unmask(t, &g, in, &ev) == 0);
	EV_NONE(t, &g, 2, "no interrupt before the line changes");
	uint16_t type = how == BY_IRQ_NONE ? G_SET_IRQ : G_SET_DIR;
	uint32_t val = how == BY_IRQ_NONE ? I_NONE : how == BY_DIR_NONE ? D_NONE : D_OUT;
	VPLAT_T_CHECK(t, 3, gpio_ok(t, &g, type, in, val) == 0);
	EV_BACK(t, &g, 4, &ev, IRQ_INVALID, "disabling returns the queued buffer INVALID");
	/* Enabled again, an edge latched while masked, then disabled: the latch is gone. */
	VPLAT_T_CHECK(t, 5, gpio_ok(t, &g, G_SET_DIR, in, D_IN) == 0);
	VPLAT_T_CHECK(t, 6, gpio_ok(t, &g, G_SET_IRQ, in, I_RISE) == 0);
	VPLAT_T_CHECK(t, 7, gpio_wire(t, &g, out, in, 1));
	VPLAT_T_CHECK(t, 8, gpio_ok(t, &g, type, in, val) == 0);
	/* Back to an enabled input, level high (no new edge), and unmask. */
	VPLAT_T_CHECK(t, 9, gpio_ok(t, &g, G_SET_DIR, in, D_IN) == 0);
	VPLAT_T_CHECK(t, 10, gpio_ok(t, &g, G_SET_IRQ, in, I_RISE) == 0);
	VPLAT_T_CHECK(t, 11, gpio_unmask(t, &g, in, &ev) == 0);
	EV_NONE(t, &g, 12, "the edge latched before the interrupt was disabled is discarded");
	/* And the interrupt works again. */
	VPLAT_T_CHECK(t, 13, gpio_wire(t, &g, out, in, 0));
	VPLAT_T_CHECK(t, 14, gpio_wire(t, &g, out, in, 1));
	EV_BACK(t, &g, 15, &ev, IRQ_VALID, "a new edge fires after re-enabling");
	return VPLAT_PASS;
}
static enum vplat_result off_irq_none(struct vplat_test_ctx *t)
{
	return disable_discards(t, BY_IRQ_NONE);
}
static enum vplat_result off_dir_none(struct vplat_test_ctx *t)
{
	return disable_discards(t, BY_DIR_NONE);
}
static enum vplat_result off_dir_out(struct vplat_test_ctx *t) { return disable_discards(t, BY_DIR_OUT); }
VPLAT_TEST(gpio_irq_none_discards_latch, "VPLAT-GPIO-023 VPLAT-GPIO-025", "devicenormative:Device Types / GPIO Device / requestq Operation", VPLAT_VIRTIO_ID_GPIO, 0, "SET_IRQ_TYPE(NONE) returns the buffer INVALID and discards a latched edge (loop-out0 -> loop-in0 wire)", off_irq_none);
VPLAT_TEST(gpio_dir_none_discards_irq, "VPLAT-GPIO-015 VPLAT-GPIO-023", "devicenormative:Device Types / GPIO Device / requestq Operation", VPLAT_VIRTIO_ID_GPIO, 0, "SET_DIRECTION(NONE) returns the buffer INVALID and discards the trigger type and a latched edge", off_dir_none);
VPLAT_TEST(gpio_dir_out_disables_irq, "VPLAT-GPIO-016 VPLAT-GPIO-023", "vplat", VPLAT_VIRTIO_ID_GPIO, 0, "SET_DIRECTION(OUT) on an enabled input disables its interrupt as SET_IRQ_TYPE(NONE) does", off_dir_out);

static enum vplat_result type_forgotten(struct vplat_test_ctx *t)
{
	/* After NONE or OUT, an eventq buffer for the line is returned INVALID: not enabled. */
	struct gdev g;
	enum vplat_result r = gpio_up(t, true, &g);
	if (r != VPLAT_PASS)
		return r;
	uint16_t line = (uint16_t)(g.ngpio - 1);
	static const uint8_t dirs[] = {D_NONE, D_OUT};
	for (unsigned i = 0; i < 2; i++) {
		VPLAT_T_CHECK(t, 1, gpio_ok(t, &g, G_SET_DIR, line, D_IN) == 0);
		VPLAT_T_CHECK(t, 2, gpio_ok(t, &g, G_SET_IRQ, line, I_BOTH) == 0);
		VPLAT_T_CHECK(t, 3, gpio_ok(t, &g, G_SET_DIR, line, dirs[i]) == 0);
		VPLAT_T_CHECK(t, 4, gpio_ok(t, &g, G_SET_DIR, line, D_IN) == 0);
		struct gev ev;
		VPLAT_T_CHECK(t, 5, gpio_unmask(t, &g, line, &ev) == 0);
		EV_BACK(t, &g, 6, &ev, IRQ_INVALID,
			"the trigger type is gone: the buffer comes back INVALID");
	}
	return VPLAT_PASS;
}
VPLAT_TEST(gpio_dir_change_forgets_irq_type, "VPLAT-GPIO-015 VPLAT-GPIO-016 VPLAT-GPIO-028", "devicenormative:Device Types / GPIO Device / requestq Operation", VPLAT_VIRTIO_ID_GPIO, 0, "after SET_DIRECTION NONE or OUT the interrupt stays disabled once the line is an input again", type_forgotten);

static enum vplat_result unmask_refused(struct vplat_test_ctx *t)
{
	struct gdev g;
	enum vplat_result r = gpio_up(t, true, &g);
	if (r != VPLAT_PASS)
		return r;
	uint16_t last = (uint16_t)(g.ngpio - 1);
	struct gev ev;
	/* Not enabled (released line, then input). */
	VPLAT_T_CHECK(t, 1, gpio_unmask(t, &g, last, &ev) == 0);
	EV_BACK(t, &g, 2, &ev, IRQ_INVALID,
		"a buffer for a line without interrupt: INVALID at once");
	VPLAT_T_CHECK(t, 3, gpio_ok(t, &g, G_SET_DIR, last, D_IN) == 0);
	VPLAT_T_CHECK(t, 4, gpio_unmask(t, &g, last, &ev) == 0);
	EV_BACK(t, &g, 5, &ev, IRQ_INVALID, "an input without interrupt: INVALID at once");
	/* Beyond ngpio. */
	VPLAT_T_CHECK(t, 6, gpio_unmask(t, &g, g.ngpio, &ev) == 0);
	EV_BACK(t, &g, 7, &ev, IRQ_INVALID, "a line >= ngpio: INVALID at once");
	VPLAT_T_CHECK(t, 8, gpio_unmask(t, &g, 0xffff, &ev) == 0);
	EV_BACK(t, &g, 9, &ev, IRQ_INVALID, "line 0xffff: INVALID at once");
	/* An output. */
	if (last != 0) {
		VPLAT_T_CHECK(t, 10, gpio_ok(t, &g, G_SET_DIR, 0, D_OUT) == 0);
		VPLAT_T_CHECK(t, 11, gpio_unmask(t, &g, 0, &ev) == 0);
		EV_BACK(t, &g, 12, &ev, IRQ_INVALID, "an output line: INVALID at once");
	}
	/* A second pair for a line that has one queued: the second comes back, the first stays. */
	VPLAT_T_CHECK(t, 13, gpio_ok(t, &g, G_SET_IRQ, last, I_RISE) == 0);
	struct gev first, second;
	VPLAT_T_CHECK(t, 14, gpio_unmask(t, &g, last, &first) == 0);
	gpio_settle(t, G_QUIET_MS);
	void *tok;
	uint32_t len;
	if (vplat_val_vq_get_used(g.eq, &tok, &len) == 0)
		return vplat_t_skip(t, "the line's interrupt fired on its own");
	VPLAT_T_CHECK(t, 15, gpio_unmask(t, &g, last, &second) == 0);
	EV_BACK(t, &g, 16, &second, IRQ_INVALID, "a second pair for the line: INVALID at once");
	EV_NONE(t, &g, 17, "the first pair stays queued");
	VPLAT_T_CHECK(t, 18, gpio_ok(t, &g, G_SET_IRQ, last, I_NONE) == 0);
	EV_BACK(t, &g, 19, &first, IRQ_INVALID, "the first pair is the one the line held");
	return VPLAT_PASS;
}
VPLAT_TEST(gpio_irq_unmask_refused, "VPLAT-GPIO-028 VPLAT-GPIO-024", "vplat", VPLAT_VIRTIO_ID_GPIO, 0, "eventq pairs for a line not enabled, an output, a line >= ngpio, or a second pair: INVALID at once; the first pair stays", unmask_refused);

static enum vplat_result never_unless_enabled(struct vplat_test_ctx *t)
{
	struct gdev g;
	uint16_t out, in;
	/* Interrupt of loop-in0 enabled but not unmasked; loop-in1 (if any) unmasked, not enabled.
	 */
	enum vplat_result r = wired(t, &g, &out, &in, 0, I_BOTH);
	if (r != VPLAT_PASS)
		return r;
	for (int n = 0; n < 4; n++)
		VPLAT_T_CHECK(t, 1, gpio_wire(t, &g, out, in, (uint8_t)(n & 1 ? 0 : 1)));
	EV_NONE(t, &g, 2, "no interrupt reported for an enabled line that is masked");
	uint16_t out1, in1;
	if (gpio_loop(t, &g, 1, &out1, &in1)) {
		VPLAT_T_CHECK(t, 3, gpio_ok(t, &g, G_SET_DIR, in1, D_IN) == 0);
		struct gev ev;
		VPLAT_T_CHECK(t, 4, gpio_unmask(t, &g, in1, &ev) == 0);
		EV_BACK(t, &g, 5, &ev, IRQ_INVALID,
			"unmasked but not enabled: INVALID, never VALID");
		VPLAT_T_CHECK(t, 6, gpio_wire(t, &g, out1, in1, 1));
		EV_NONE(t, &g, 7, "no interrupt for a line that is not enabled");
	}
	return VPLAT_PASS;
}
VPLAT_TEST(gpio_irq_needs_enable_and_unmask, "VPLAT-GPIO-024", "devicenormative:Device Types / GPIO Device / eventq Operation", VPLAT_VIRTIO_ID_GPIO, 0, "edges on an enabled but masked line, and on an unmasked line that is not enabled, report nothing", never_unless_enabled);
