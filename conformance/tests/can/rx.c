/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CAN device: reception and frame order (spec/15-can.md 15.3, 15.4). Frames are received from
 * the platform's echo peer (can_test.h): each test transmits a frame and waits for it to come back
 * from the other node. Where nothing comes back within CAN_ECHO_MS the test SKIPs: the
 * platform has no echo peer and reception cannot be provoked from the driver.
 */
#include "can_test.h"

#define SKIP_NO_ECHO(T)                                                                            \
	vplat_t_skip(T, "no frame came back within %u ms: the platform has no echo peer on the "   \
		     "bus, so reception cannot be provoked from the driver", CAN_ECHO_MS)

/* Bring up with @p feats, START, post @p nrx Rxq buffers of @p size bytes. */
static enum vplat_result started(struct vplat_test_ctx *t, uint64_t feats, struct cdev *c, unsigned nrx,
				 uint32_t size, uint8_t **bufs)
{
	enum vplat_result r = can_up(t, feats, c);
	if (r != VPLAT_PASS)
		return r;
	if (can_ctl(t, c, C_START) != C_OK)
		return vplat_t_error(t, "START refused");
	if (nrx && can_rx_post(t, c, nrx, size, bufs) != 0)
		return vplat_t_error(t, "cannot post Rxq buffers");
	return VPLAT_PASS;
}

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The received frame @p b (used length @p len) is @p f as the chapter says a received frame
 * looks. Checkpoints cp..cp+4. */
static enum vplat_result rx_matches(struct vplat_test_ctx *t, int cp, const uint8_t *b, uint32_t len,
				    const struct cframe *f)
{
	uint32_t dlen = f->length; /* RTR: that many zero bytes */
	VPLAT_T_CHECK_MSG(t, cp, le16(b) == VPLAT_VIRTIO_CAN_RX && le32(b + 8) == f->flags &&
			  le32(b + 12) == f->can_id && le16(b + 2) == f->length,
			  "msg_type RX; flags, can_id and length of the frame sent",
			  "msg_type 0x%04x flags 0x%x can_id 0x%x length %u (sent flags 0x%x id "
			  "0x%x length %u)", le16(b), le32(b + 8), le32(b + 12), le16(b + 2),
			  f->flags, f->can_id, f->length);
	VPLAT_T_CHECK_MSG(
	    t, cp + 1, b[4] == 0 && b[5] == 0 && le16(b + 6) == 0 && (le32(b + 12) >> 29) == 0,
	    "reserved_classic_dlc, padding, reserved_xl_priority and can_id bits 29..31 are 0",
	    "reserved_classic_dlc 0x%02x padding 0x%02x reserved_xl_priority 0x%04x "
	    "can_id 0x%x",
	    b[4], b[5], le16(b + 6), le32(b + 12));
	VPLAT_T_CHECK_MSG(t, cp + 2, len == 16 + dlen, "used length 16 + length",
			  "used %u for length %u", len, f->length);
	if (f->flags & FL_RTR) {
		for (uint32_t i = 0; i < dlen; i++)
			VPLAT_T_CHECK_MSG(t, cp + 3, b[16 + i] == 0,
					  "an RTR frame carries length zero bytes",
					  "byte %u is 0x%02x", i, b[16 + i]);
	} else {
		VPLAT_T_CHECK_MSG(t, cp + 4, memcmp(b + 16, f->sdu, dlen) == 0, "the data sent",
				  "data differs");
	}
	return VPLAT_PASS;
}

/* One round of can_rx_frame_fields with the features @p off. */
static enum vplat_result echo_round(struct vplat_test_ctx *t, uint64_t off)
{
	struct cdev c = {0};
	enum vplat_result r = started(t, off, &c, 16, CAN_RXBUF, NULL);
	if (r != VPLAT_PASS)
		return r;
	struct cframe fs[5];
	unsigned n = 0;
	if (off & CF(CAN_CLASSIC)) {
		fs[n++] = can_frame(FL_EXT, 0x1234567, 5);
		fs[n++] = can_frame(0, 0x7ff, 0);
		fs[n] = can_frame(0, 0x3c, 8);
		fs[n++].dlc = 12; /* a classic DLC above 8: still 0 in what is received */
	}
	if (off & CF(CAN_FD)) {
		fs[n++] = can_frame(FL_FD | FL_EXT, 0x1fffffff, 64);
		fs[n++] = can_frame(FL_FD, 0x11, 12);
	}
	for (unsigned i = 0; i < n; i++) {
		VPLAT_T_CHECK(t, 1, can_tx(t, &c, &fs[i], NULL) == C_OK);
		uint8_t *b;
		uint32_t len;
		if (!can_rx_wait(t, &c, CAN_ECHO_MS, &b, &len)) {
			if (i == 0)
				return SKIP_NO_ECHO(t);
			return vplat_t_fail(t, 2, "can_rx_wait", __FILE__, __LINE__,
					    "every echoed frame is received",
					    "frame %u (flags 0x%x) not received, frame 0 was", i,
					    fs[i].flags);
		}
		if ((r = rx_matches(t, 10, b, len, &fs[i])) != VPLAT_PASS)
			return r;
		/* One copy only: the echo, never the device's own frame as well. */
		VPLAT_T_CHECK_MSG(t, 20, !can_rx_wait(t, &c, CAN_QUIET_MS, &b, &len),
				  "the device never receives its own frame (one copy: the peer's)",
				  "frame %u received twice", i);
	}
	return VPLAT_PASS;
}
static enum vplat_result echo_fields(struct vplat_test_ctx *t)
{
	/* Without LATE_TX_ACK first, then with it (if offered). */
	uint64_t off = vplat_val_get_device_features(t->d) & C_ALL;
	for (int late = 0; late < 2; late++) {
		if (late && !(off & CF(LATE_TX_ACK)))
			break;
		enum vplat_result r = echo_round(t, off & ~(late ? 0 : CF(LATE_TX_ACK)));
		if (r != VPLAT_PASS)
			return r;
	}
	return VPLAT_PASS;
}

VPLAT_TEST(can_rx_frame_fields, "VPLAT-CAN-028 VPLAT-CAN-027 VPLAT-CAN-003", "sec:Device Types / CAN Device / Device Operation / CAN Message Reception", VPLAT_VIRTIO_ID_CAN, 0, "frames echoed by the peer (without and with LATE_TX_ACK) arrive once with msg_type RX, the sent flags, id, length and data, reserved fields 0 (SKIP without an echo peer)", echo_fields);

static enum vplat_result rx_rtr(struct vplat_test_ctx *t)
{
	struct cdev c = {0};
	uint64_t off = vplat_val_get_device_features(t->d) & C_ALL;
	if (!(off & CF(RTR_FRAMES)))
		return vplat_t_skip(t, "RTR_FRAMES not offered");
	enum vplat_result r = started(t, off, &c, 4, CAN_RXBUF, NULL);
	if (r != VPLAT_PASS)
		return r;
	static const uint16_t dlcs[] = {3, 0, 8};
	for (unsigned i = 0; i < 3; i++) {
		struct cframe f = can_frame(FL_RTR, 0x2a0 + i, dlcs[i]);
		VPLAT_T_CHECK(t, 1, can_tx(t, &c, &f, NULL) == C_OK);
		uint8_t *b;
		uint32_t len;
		if (!can_rx_wait(t, &c, CAN_ECHO_MS, &b, &len))
			return SKIP_NO_ECHO(t);
		if ((r = rx_matches(t, 10, b, len, &f)) != VPLAT_PASS)
			return r;
	}
	return VPLAT_PASS;
}
VPLAT_TEST(can_rx_rtr_length, "VPLAT-CAN-030 VPLAT-CAN-028", "sec:Device Types / CAN Device / Device Operation / CAN Message Reception", VPLAT_VIRTIO_ID_CAN, 0, "a received RTR frame has length = its DLC, followed by that many zero bytes (used 16 + length) (SKIP without an echo peer)", rx_rtr);

static enum vplat_result small_buffer(struct vplat_test_ctx *t)
{
	struct cdev c = {0};
	uint64_t off = vplat_val_get_device_features(t->d) & C_ALL;
	uint32_t base = (off & CF(CAN_CLASSIC)) ? 0 : FL_FD;
	/* One Rxq buffer, echo or not: find out whether the platform echoes at all. */
	uint8_t *probe[1];
	enum vplat_result r = started(t, off, &c, 1, CAN_RXBUF, probe);
	if (r != VPLAT_PASS)
		return r;
	struct cframe f0 = can_frame(base, 0x61, 1);
	VPLAT_T_CHECK(t, 1, can_tx(t, &c, &f0, NULL) == C_OK);
	uint8_t *b;
	uint32_t len;
	if (!can_rx_wait(t, &c, CAN_ECHO_MS, &b, &len))
		return SKIP_NO_ECHO(t);
	/* A 20-byte buffer, then a full one: an 8-byte frame does not fit the first. */
	uint8_t *small[1], *big[1];
	VPLAT_T_CHECK(t, 2, can_rx_post(t, &c, 1, 20, small) == 0);
	VPLAT_T_CHECK(t, 3, can_rx_post(t, &c, 1, CAN_RXBUF, big) == 0);
	struct cframe f1 = can_frame(base, 0x62, 8);
	VPLAT_T_CHECK(t, 4, can_tx(t, &c, &f1, NULL) == C_OK);
	VPLAT_T_CHECK_MSG(t, 5, can_rx_wait(t, &c, CAN_ECHO_MS, &b, &len) && b == small[0],
			  "the too-small buffer is returned", "not returned");
	VPLAT_T_CHECK_EQ(t, 6, len, 0, "a too-small buffer is returned with used length 0");
	for (unsigned i = 0; i < 20; i++)
		VPLAT_T_CHECK_MSG(t, 7, small[0][i] == C_UNTOUCHED, "no truncated frame written",
				  "byte %u of the 20-byte buffer written", i);
	VPLAT_T_CHECK_MSG(t, 8, !can_rx_wait(t, &c, CAN_QUIET_MS, &b, &len),
			  "the frame is dropped, not delivered into the next buffer",
			  "the next buffer received it");
	/* The next frame goes into the big buffer. */
	struct cframe f2 = can_frame(base, 0x63, 4);
	VPLAT_T_CHECK(t, 9, can_tx(t, &c, &f2, NULL) == C_OK);
	VPLAT_T_CHECK_MSG(t, 10, can_rx_wait(t, &c, CAN_ECHO_MS, &b, &len) && b == big[0],
			  "reception goes on in the next buffer",
			  "the next frame was not received");
	return rx_matches(t, 20, b, len, &f2);
}
VPLAT_TEST(can_rx_buffer_too_small, "VPLAT-CAN-031", "vplat", VPLAT_VIRTIO_ID_CAN, 0, "an Rxq buffer too small for the frame is returned empty (used 0), the frame dropped; the next frame uses the next buffer (SKIP without an echo peer)", small_buffer);

static enum vplat_result stopped_no_rx(struct vplat_test_ctx *t)
{
	struct cdev c = {0};
	uint64_t off = vplat_val_get_device_features(t->d) & C_ALL;
	uint32_t base = (off & CF(CAN_CLASSIC)) ? 0 : FL_FD;
	/* With LATE_TX_ACK (if offered) the second frame is on the bus before the STOP. */
	enum vplat_result r = started(t, off, &c, 1, CAN_RXBUF, NULL);
	if (r != VPLAT_PASS)
		return r;
	struct cframe f = can_frame(base, 0x70, 2);
	VPLAT_T_CHECK(t, 1, can_tx(t, &c, &f, NULL) == C_OK);
	uint8_t *b;
	uint32_t len;
	if (!can_rx_wait(t, &c, CAN_ECHO_MS, &b, &len))
		return SKIP_NO_ECHO(t);
	/* A frame whose echo is on its way (no Rxq buffer for it now), then STOP. */
	f.can_id = 0x71;
	VPLAT_T_CHECK(t, 2, can_tx(t, &c, &f, NULL) == C_OK);
	VPLAT_T_CHECK(t, 3, can_ctl(t, &c, C_STOP) == C_OK);
	VPLAT_T_CHECK(t, 4, can_rx_post(t, &c, 4, CAN_RXBUF, NULL) == 0);
	VPLAT_T_CHECK_MSG(t, 5, !can_rx_wait(t, &c, CAN_ECHO_MS, &b, &len),
			  "while STOPPED no frame is placed in the Rxq",
			  "a frame (can_id 0x%x) was received while STOPPED", le32(b + 12));
	return VPLAT_PASS;
}
VPLAT_TEST(can_rx_none_while_stopped, "VPLAT-CAN-012", "vplat", VPLAT_VIRTIO_ID_CAN, 0, "after STOP, with Rxq buffers posted, the echo of a frame sent just before arrives in none of them (SKIP without an echo peer)", stopped_no_rx);

static enum vplat_result tx_order(struct vplat_test_ctx *t)
{
	struct cdev c = {0};
	uint64_t off = vplat_val_get_device_features(t->d) & C_ALL;
	if (!(off & CF(LATE_TX_ACK)))
		return vplat_t_skip(t, "LATE_TX_ACK not offered");
	uint32_t base = (off & CF(CAN_CLASSIC)) ? 0 : FL_FD;
	enum vplat_result r = started(t, off, &c, 16, CAN_RXBUF, NULL);
	if (r != VPLAT_PASS)
		return r;
	/* Decreasing identifiers: arbitration among them would reverse the order. */
	enum { N = 8 };
	uint8_t *res[N];
	for (unsigned i = 0; i < N; i++) {
		struct cframe f = can_frame(base, 0x700 - 0x10 * i, 1);
		VPLAT_T_CHECK(t, 1, can_tx_post(t, &c, &f, &res[i]) == 0);
	}
	for (unsigned i = 0; i < N; i++) {
		void *tok;
		uint32_t len;
		VPLAT_T_CHECK(t, 2, wait_used(t, c.txq, &tok, &len) == 0);
		VPLAT_T_CHECK_MSG(t, 3, tok == res[i],
				  "with LATE_TX_ACK frames are used in Txq order",
				  "completion %u is for another frame", i);
		VPLAT_T_CHECK_EQ(t, 4, *res[i], C_OK, "each frame sent OK");
	}
	/* The echoes (if any) show the bus order. */
	for (unsigned i = 0; i < N; i++) {
		uint8_t *b;
		uint32_t len;
		if (!can_rx_wait(t, &c, CAN_ECHO_MS, &b, &len)) {
			if (i == 0)
				return VPLAT_PASS; /* no echo peer: only the used order */
			return vplat_t_fail(t, 5, "can_rx_wait", __FILE__, __LINE__,
					    "every frame reaches the bus", "echo %u missing", i);
		}
		VPLAT_T_CHECK_MSG(t, 6, le32(b + 12) == 0x700 - 0x10 * i,
				  "frames enter the bus in Txq order",
				  "echo %u has can_id 0x%x, expected 0x%x", i, le32(b + 12),
				  0x700 - 0x10 * i);
	}
	return VPLAT_PASS;
}
VPLAT_TEST(can_tx_order, "VPLAT-CAN-026", "vplat", VPLAT_VIRTIO_ID_CAN, 0, "eight frames with decreasing identifiers: used in Txq order with LATE_TX_ACK, and (with an echo peer) on the bus in Txq order", tx_order);
