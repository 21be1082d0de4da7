/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * GPIO device, hostile driver: requests and eventq pairs too short to parse, or with no
 * writable byte (spec/14-gpio.md 14.2, 14.3). The device must answer as the chapter says,
 * change no state and stay usable.
 */
#include "gpio_test.h"

/* Post @p rd_len readable bytes of @p q and @p wr_len writable bytes (pre-set) on @p vq. */
static int raw_post(struct vplat_test_ctx *t, struct vplat_val_vq *vq, const void *q, uint32_t rd_len,
		    uint8_t *w, uint32_t wr_len, uint32_t *used)
{
	struct vplat_val_buf b[2];
	unsigned no = 0, ni = 0;
	if (rd_len)
		b[no++] = (struct vplat_val_buf){.ptr = q, .len = rd_len};
	if (wr_len) {
		memset(w, G_UNTOUCHED, wr_len);
		b[no + ni++] = (struct vplat_val_buf){.ptr = w, .len = wr_len};
	}
	return xfer(t, vq, b, no, ni, used);
}

static enum vplat_result short_requests(struct vplat_test_ctx *t)
{
	struct gdev g;
	enum vplat_result r = gpio_up(t, false, &g);
	if (r != VPLAT_PASS)
		return r;
	uint16_t line = (uint16_t)(g.ngpio - 1);
	struct vplat_virtio_gpio_request *q = dmab(t, 8);
	uint8_t *w = dmab(t, 2);
	VPLAT_T_CHECK(t, 1, q && w);
	/* SET_DIRECTION(OUT) of the last line, in ever more broken framings. */
	q->type = vplat_cpu_to_le16(G_SET_DIR);
	q->gpio = vplat_cpu_to_le16(line);
	q->value = vplat_cpu_to_le32(D_OUT);
	static const struct {
		uint32_t rd, wr;
	} cases[] = {{4, 2}, {7, 2}, {0, 2}, {8, 1}, {8, 0}, {2, 0}};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t used = UINT32_MAX, rd = cases[i].rd, wr = cases[i].wr;
		VPLAT_T_CHECK_MSG(t, 2, raw_post(t, g.rq, q, rd, w, wr, &used) == 0,
				  "the malformed request is completed", "%u readable + %u writable "
				  "bytes: no completion", rd, wr);
		if (wr == 0)
			VPLAT_T_CHECK_MSG(t, 3, used == 0, "no writable byte: used length 0",
					  "%u + 0 bytes: used %u", rd, used);
		else
			VPLAT_T_CHECK_MSG(t, 4,
					  w[0] == G_ERR && (wr < 2 || w[1] == 0) && used == wr,
					  "ERR and value 0 in the writable bytes there are",
					  "%u + %u bytes: %02x %02x, used %u", rd, wr, w[0],
					  wr > 1 ? w[1] : 0, used);
		VPLAT_T_CHECK_MSG(t, 5, gpio_ok(t, &g, G_GET_DIR, line, 0) == D_NONE,
				  "a malformed request changes no state",
				  "%u + %u bytes: the line's direction changed", rd, wr);
	}
	/* Still usable. */
	VPLAT_T_CHECK(t, 6, gpio_ok(t, &g, G_SET_DIR, line, D_OUT) == 0);
	VPLAT_T_CHECK_EQ(t, 7, gpio_ok(t, &g, G_GET_DIR, line, 0), D_OUT,
			 "well-formed requests work afterwards");
	return VPLAT_PASS;
}
VPLAT_TEST(gpio_exer_short_request, "VPLAT-GPIO-018", "vplat", VPLAT_VIRTIO_ID_GPIO, VPLAT_TF_EXERCISER, "requests with < 8 readable or < 2 writable bytes: ERR/0 in what is writable, used 0 without writable bytes, no state change", short_requests);

static enum vplat_result writable_request(struct vplat_test_ctx *t)
{
	/* The request in a device-writable buffer (wrong direction): nothing to read, ERR. */
	struct gdev g;
	enum vplat_result r = gpio_up(t, false, &g);
	if (r != VPLAT_PASS)
		return r;
	uint16_t line = (uint16_t)(g.ngpio - 1);
	uint8_t *w = dmab(t, 10);
	VPLAT_T_CHECK(t, 1, w != NULL);
	memset(w, G_UNTOUCHED, 10);
	w[0] = G_SET_DIR, w[1] = 0, w[2] = (uint8_t)line, w[3] = (uint8_t)(line >> 8), w[4] = D_OUT;
	w[5] = w[6] = w[7] = 0;
	struct vplat_val_buf b[1] = {{.ptr = w, .len = 10}};
	uint32_t used = UINT32_MAX;
	VPLAT_T_CHECK(t, 2, xfer(t, g.rq, b, 0, 1, &used) == 0);
	VPLAT_T_CHECK_MSG(t, 3, w[0] == G_ERR && w[1] == 0, "ERR, value 0",
			  "status 0x%02x value 0x%02x", w[0], w[1]);
	VPLAT_T_CHECK_MSG(t, 4, gpio_ok(t, &g, G_GET_DIR, line, 0) == D_NONE, "no state change",
			  "the line's direction changed");
	return VPLAT_PASS;
}
VPLAT_TEST(gpio_exer_request_wrong_direction, "VPLAT-GPIO-018", "vplat", VPLAT_VIRTIO_ID_GPIO, VPLAT_TF_EXERCISER, "a SET_DIRECTION request placed in a device-writable buffer: ERR, value 0, no state change", writable_request);

static enum vplat_result short_event_pairs(struct vplat_test_ctx *t)
{
	struct gdev g;
	enum vplat_result r = gpio_up(t, true, &g);
	if (r != VPLAT_PASS)
		return r;
	uint16_t line = (uint16_t)(g.ngpio - 1);
	VPLAT_T_CHECK(t, 1, gpio_ok(t, &g, G_SET_DIR, line, D_IN) == 0);
	VPLAT_T_CHECK(t, 2, gpio_ok(t, &g, G_SET_IRQ, line, I_RISE) == 0);
	uint8_t *q = dmab(t, 2), *w = dmab(t, 1);
	VPLAT_T_CHECK(t, 3, q && w);
	q[0] = (uint8_t)line, q[1] = (uint8_t)(line >> 8);
	uint32_t used = UINT32_MAX;
	/* One readable byte: INVALID at once. */
	VPLAT_T_CHECK_MSG(t, 4, raw_post(t, g.eq, q, 1, w, 1, &used) == 0, "returned at once",
			  "a 1-byte eventq request was kept");
	VPLAT_T_CHECK_MSG(t, 5, w[0] == IRQ_INVALID && used == 1, "INVALID",
			  "status 0x%02x used %u", w[0], used);
	/* No writable byte: returned at once with used length 0. */
	VPLAT_T_CHECK_MSG(t, 6, raw_post(t, g.eq, q, 2, w, 0, &used) == 0, "returned at once",
			  "a pair without a writable byte was kept");
	VPLAT_T_CHECK_EQ(t, 7, used, 0, "used length 0 without a writable byte");
	/* No reference kept: a proper pair is now queued for the line, not refused as a second. */
	struct gev ev;
	VPLAT_T_CHECK(t, 8, gpio_unmask(t, &g, line, &ev) == 0);
	void *tok;
	uint32_t len;
	VPLAT_T_CHECK_MSG(t, 9, !gpio_ev_wait(t, &g, G_QUIET_MS, &tok, &len),
			  "a well-formed pair is held (the malformed ones left no reference)",
			  "returned with status 0x%02x", ev.rsp[0]);
	VPLAT_T_CHECK(t, 10, gpio_ok(t, &g, G_SET_IRQ, line, I_NONE) == 0);
	VPLAT_T_CHECK_MSG(t, 11, gpio_ev_wait(t, &g, G_EV_MS, &tok, &len) && tok == &ev &&
			  ev.rsp[0] == IRQ_INVALID, "and returned INVALID when disabled",
			  "status 0x%02x", ev.rsp[0]);
	return VPLAT_PASS;
}
VPLAT_TEST(gpio_exer_short_event_pair, "VPLAT-GPIO-028", "vplat", VPLAT_VIRTIO_ID_GPIO, VPLAT_TF_EXERCISER, "eventq pairs with 1 readable byte or no writable byte: returned at once (INVALID / used 0), no reference kept", short_event_pairs);
