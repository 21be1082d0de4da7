/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CAN device: transmission (spec/15-can.md 15.3). A refused frame must not be scheduled: where
 * the platform has an echo peer (can_test.h), the tests also check that nothing comes back for
 * refused frames; without one that part checks nothing.
 */
#include "can_test.h"

/* Bring up with @p feats, START, and post Rxq buffers to catch echoes of refused frames. */
static enum vplat_result started(struct vplat_test_ctx *t, uint64_t feats, struct cdev *c)
{
	enum vplat_result r = can_up(t, feats, c);
	if (r != VPLAT_PASS)
		return r;
	if (can_ctl(t, c, C_START) != C_OK)
		return vplat_t_error(t, "START refused");
	if (can_rx_post(t, c, 8, CAN_RXBUF, NULL) != 0)
		return vplat_t_error(t, "cannot post Rxq buffers");
	return VPLAT_PASS;
}

/* @p f must be refused (NOT_OK, used 1) and nothing may reach the bus. Checkpoints cp..cp+1. */
static enum vplat_result refused(struct vplat_test_ctx *t, struct cdev *c, int cp, const struct cframe *f,
				 const char *what)
{
	uint32_t used = 0;
	int res = can_tx(t, c, f, &used);
	VPLAT_T_CHECK_MSG(t, cp, res == C_NOT_OK && used == 1, what,
			  "flags 0x%x id 0x%x length %u: result %d used %u", f->flags, f->can_id,
			  f->length, res, used);
	uint8_t *b;
	uint32_t len;
	VPLAT_T_CHECK_MSG(t, cp + 1, !can_rx_wait(t, c, CAN_QUIET_MS, &b, &len),
			  "a refused frame is not scheduled (no echo comes back)",
			  "flags 0x%x id 0x%x length %u reached the bus", f->flags, f->can_id,
			  f->length);
	return VPLAT_PASS;
}

#define REFUSED(CP, F, WHAT)                                                                       \
	do {                                                                                       \
		struct cframe f_ = (F);                                                            \
		enum vplat_result r_ = refused(t, &c, CP, &f_, WHAT);                              \
		if (r_ != VPLAT_PASS)                                                              \
			return r_;                                                                 \
	} while (0)

#define SENT(CP, F, WHAT)                                                                          \
	do {                                                                                       \
		struct cframe f_ = (F);                                                            \
		uint32_t used_ = 0;                                                                \
		int res_ = can_tx(t, &c, &f_, &used_);                                             \
		VPLAT_T_CHECK_MSG(t, CP, res_ == C_OK && used_ == 1, WHAT,                         \
				  "flags 0x%x id 0x%x length %u: result %d used %u", f_.flags,     \
				  f_.can_id, f_.length, res_, used_);                              \
	} while (0)

static enum vplat_result valid_frames(struct vplat_test_ctx *t)
{
	struct cdev c = {0};
	uint64_t off = vplat_val_get_device_features(t->d) & C_ALL;
	enum vplat_result r = started(t, off & ~CF(LATE_TX_ACK), &c);
	if (r != VPLAT_PASS)
		return r;
	for (int late = 0; late < 2; late++) {
		if (late) {
			if (!(off & CF(LATE_TX_ACK)))
				break;
			if ((r = started(t, off, &c)) != VPLAT_PASS)
				return r;
		}
		if (off & CF(CAN_CLASSIC)) {
			for (uint16_t len = 0; len <= 8; len++)
				SENT(1, can_frame(0, 0x123, len),
				     "classic frames of 0..8 bytes: OK");
			SENT(2, can_frame(0, 0x7ff, 8), "standard identifier 0x7ff: OK");
			SENT(3, can_frame(FL_EXT, 0x1fffffff, 8),
			     "extended identifier 0x1fffffff: OK");
			SENT(4, can_frame(FL_EXT, 0, 1), "extended identifier 0: OK");
		}
		if (off & CF(CAN_FD)) {
			static const uint16_t lens[] = {0, 1, 8, 12, 16, 20, 24, 32, 48, 64};
			for (unsigned i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
				SENT(5, can_frame(FL_FD, 0x456, lens[i]),
				     "CAN FD frames of every DLC length: OK");
			SENT(6, can_frame(FL_FD | FL_EXT, 0x1fffffff, 64), "extended FD frame: OK");
		}
		if (off & CF(RTR_FRAMES)) {
			SENT(7, can_frame(FL_RTR, 0x321, 0), "RTR frame, DLC 0: OK");
			SENT(8, can_frame(FL_RTR | FL_EXT, 0x1abcdef, 8),
			     "extended RTR frame, DLC 8: OK");
		}
	}
	return VPLAT_PASS;
}
VPLAT_TEST(can_tx_valid_frames, "VPLAT-CAN-003 VPLAT-CAN-020 VPLAT-CAN-022", "devicenormative:Device Types / CAN Device / Device Operation / CAN Message Transmission", VPLAT_VIRTIO_ID_CAN, 0, "classic 0..8 bytes, FD at every DLC length, RTR, 11- and 29-bit identifiers: OK with used length 1, with and without LATE_TX_ACK", valid_frames);

static enum vplat_result unnegotiated_types(struct vplat_test_ctx *t)
{
	struct cdev c = {0};
	uint64_t off = vplat_val_get_device_features(t->d);
	unsigned cases = 0;
	if (off & CF(CAN_CLASSIC)) {
		enum vplat_result r = started(t, CF(CAN_CLASSIC), &c);
		if (r != VPLAT_PASS)
			return r;
		REFUSED(1, can_frame(FL_FD, 0x10, 8), "FD frame without CAN_FD: NOT_OK");
		REFUSED(3, can_frame(FL_RTR, 0x10, 1), "RTR frame without RTR_FRAMES: NOT_OK");
		cases++;
	}
	if (off & CF(CAN_FD)) {
		enum vplat_result r = started(t, CF(CAN_FD), &c);
		if (r != VPLAT_PASS)
			return r;
		REFUSED(5, can_frame(0, 0x10, 8), "classic frame without CAN_CLASSIC: NOT_OK");
		REFUSED(7, can_frame(FL_EXT, 0x10, 0), "classic frame without CAN_CLASSIC: NOT_OK");
		cases++;
	}
	if ((off & C_ALL) == C_ALL) {
		enum vplat_result r = started(t, C_ALL, &c);
		if (r != VPLAT_PASS)
			return r;
		REFUSED(9, can_frame(FL_RTR | FL_FD, 0x10, 8), "RTR together with FD: NOT_OK");
		cases++;
	}
	if (!cases)
		return vplat_t_skip(t, "neither CLASSIC nor FD offered");
	return VPLAT_PASS;
}
VPLAT_TEST(can_tx_unnegotiated_type, "VPLAT-CAN-016", "devicenormative:Device Types / CAN Device / Device Operation / CAN Message Transmission", VPLAT_VIRTIO_ID_CAN, 0, "FD without CAN_FD, classic without CAN_CLASSIC, RTR without RTR_FRAMES, RTR with FD: NOT_OK, not sent", unnegotiated_types);

static enum vplat_result undefined_flags(struct vplat_test_ctx *t)
{
	struct cdev c = {0};
	uint64_t off = vplat_val_get_device_features(t->d) & C_ALL;
	enum vplat_result r = started(t, off, &c);
	if (r != VPLAT_PASS)
		return r;
	uint32_t base = (off & CF(CAN_CLASSIC)) ? 0 : FL_FD;
	static const uint32_t bad[] = {0x1, 0x100, 0x1000, 0x10000, 0x80000000u, 0xffff0000u};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		REFUSED(1, can_frame(base | bad[i], 0x42, 2), "an undefined flag bit: NOT_OK");
	SENT(3, can_frame(base, 0x42, 2), "the same frame without it: OK");
	return VPLAT_PASS;
}
VPLAT_TEST(can_tx_undefined_flags, "VPLAT-CAN-017", "devicenormative:Device Types / CAN Device / Device Operation / CAN Message Transmission", VPLAT_VIRTIO_ID_CAN, 0, "flags with any bit besides EXTENDED, FD, RTR: NOT_OK and not sent", undefined_flags);

static enum vplat_result id_range(struct vplat_test_ctx *t)
{
	struct cdev c = {0};
	uint64_t off = vplat_val_get_device_features(t->d) & C_ALL;
	enum vplat_result r = started(t, off, &c);
	if (r != VPLAT_PASS)
		return r;
	uint32_t base = (off & CF(CAN_CLASSIC)) ? 0 : FL_FD;
	REFUSED(1, can_frame(base, 0x800, 1), "standard identifier above 0x7ff: NOT_OK");
	REFUSED(3, can_frame(base, 0x1fffffff, 1), "standard identifier 0x1fffffff: NOT_OK");
	REFUSED(5, can_frame(base | FL_EXT, 0x20000000, 1),
		"extended identifier above 0x1fffffff: NOT_OK");
	REFUSED(7, can_frame(base | FL_EXT, 0xffffffffu, 1),
		"extended identifier 0xffffffff: NOT_OK");
	SENT(9, can_frame(base, 0x7ff, 1), "standard 0x7ff: OK");
	SENT(10, can_frame(base | FL_EXT, 0x1fffffff, 1), "extended 0x1fffffff: OK");
	return VPLAT_PASS;
}
VPLAT_TEST(can_tx_id_range, "VPLAT-CAN-018 VPLAT-CAN-003", "devicenormative:Device Types / CAN Device / Device Operation / CAN Message Transmission", VPLAT_VIRTIO_ID_CAN, 0, "identifiers above 0x7ff (standard) or 0x1fffffff (extended): NOT_OK and not sent; the limits themselves OK", id_range);

static enum vplat_result length_range(struct vplat_test_ctx *t)
{
	struct cdev c = {0};
	uint64_t off = vplat_val_get_device_features(t->d) & C_ALL;
	enum vplat_result r = started(t, off, &c);
	if (r != VPLAT_PASS)
		return r;
	if (off & CF(CAN_CLASSIC)) {
		REFUSED(1, can_frame(0, 0x1, 9), "classic length 9: NOT_OK");
		REFUSED(3, can_frame(FL_EXT, 0x1, 64), "classic length 64: NOT_OK");
	}
	if (off & CF(RTR_FRAMES)) {
		REFUSED(5, can_frame(FL_RTR, 0x1, 9), "RTR length 9: NOT_OK");
		REFUSED(7, can_frame(FL_RTR, 0x1, 0xffff), "RTR length 0xffff: NOT_OK");
	}
	if (off & CF(CAN_FD)) {
		static const uint16_t bad[] = {9, 10, 11, 13, 15, 31, 33, 63, 65, 0xffff};
		for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			struct cframe f = can_frame(FL_FD, 0x1, bad[i]);
			f.sdu_len = bad[i] > 64 ? 64 : bad[i];
			REFUSED(9, f, "CAN FD length that no DLC encodes: NOT_OK");
		}
	}
	return VPLAT_PASS;
}
VPLAT_TEST(can_tx_length_range, "VPLAT-CAN-019", "devicenormative:Device Types / CAN Device / Device Operation / CAN Message Transmission", VPLAT_VIRTIO_ID_CAN, 0, "classic and RTR length above 8, CAN FD lengths other than 0..8, 12, 16, 20, 24, 32, 48, 64: NOT_OK and not sent", length_range);

static enum vplat_result reserved_ignored(struct vplat_test_ctx *t)
{
	struct cdev c = {0};
	uint64_t off = vplat_val_get_device_features(t->d) & C_ALL;
	enum vplat_result r = started(t, off, &c);
	if (r != VPLAT_PASS)
		return r;
	uint32_t base = (off & CF(CAN_CLASSIC)) ? 0 : FL_FD;
	static const struct {
		uint16_t len;
		uint8_t dlc, pad;
		uint16_t prio;
	} cases[] = {{2, 0, 0xff, 0}, {2, 0, 0, 0xffff}, {2, 3, 0, 0}, {8, 0xff, 0, 0},
		     {0, 1, 1, 1}, {5, 0x80, 0xa5, 0x1234}};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cframe f = can_frame(base, 0x77, cases[i].len);
		f.dlc = cases[i].dlc, f.padding = cases[i].pad, f.xl_prio = cases[i].prio;
		uint32_t used = 0;
		int res = can_tx(t, &c, &f, &used);
		VPLAT_T_CHECK_MSG(t, 1, res == C_OK,
				  "reserved_classic_dlc, padding, reserved_xl_priority ignored",
				  "length %u, reserved_classic_dlc 0x%02x, padding 0x%02x, "
				  "reserved_xl_priority 0x%04x: result %d",
				  cases[i].len, cases[i].dlc, cases[i].pad, cases[i].prio, res);
	}
	return VPLAT_PASS;
}
VPLAT_TEST(can_tx_reserved_ignored, "VPLAT-CAN-025", "devicenormative:Device Types / CAN Device / Device Operation / CAN Message Transmission", VPLAT_VIRTIO_ID_CAN, 0, "frames with any values in reserved_classic_dlc, padding and reserved_xl_priority are sent (OK)", reserved_ignored);

static enum vplat_result rtr_payload(struct vplat_test_ctx *t)
{
	struct cdev c = {0};
	uint64_t off = vplat_val_get_device_features(t->d) & C_ALL;
	if (!(off & CF(RTR_FRAMES)))
		return vplat_t_skip(t, "RTR_FRAMES not offered");
	enum vplat_result r = started(t, off, &c);
	if (r != VPLAT_PASS)
		return r;
	struct cframe f = can_frame(FL_RTR, 0x99, 4);
	SENT(1, f, "RTR with length 4 and no payload bytes: OK");
	f.sdu_len = 4;
	memset(f.sdu, 0, 4);
	SENT(2, f, "RTR with length 4 and 4 zero payload bytes (as Linux sends it): OK");
	f.sdu_len = 64;
	memset(f.sdu, 0xee, 64);
	SENT(3, f, "RTR with payload bytes beyond length: OK, payload ignored");
	return VPLAT_PASS;
}
VPLAT_TEST(can_tx_rtr_payload, "VPLAT-CAN-024", "vplat", VPLAT_VIRTIO_ID_CAN, 0, "an RTR request is accepted with no payload, with length zero bytes, and with extra bytes", rtr_payload);

static enum vplat_result malformed_tx(struct vplat_test_ctx *t)
{
	struct cdev c = {0};
	uint64_t off = vplat_val_get_device_features(t->d) & C_ALL;
	enum vplat_result r = started(t, off, &c);
	if (r != VPLAT_PASS)
		return r;
	uint32_t base = (off & CF(CAN_CLASSIC)) ? 0 : FL_FD;
	struct cframe f = can_frame(base, 0x5, 8);
	f.msg_type = VPLAT_VIRTIO_CAN_RX;
	REFUSED(1, f, "msg_type RX on the Txq: NOT_OK");
	f.msg_type = 0xffff;
	REFUSED(3, f, "msg_type 0xffff: NOT_OK");
	f = can_frame(base, 0x5, 8);
	f.sdu_len = 4;
	REFUSED(5, f, "length 8 with 4 data bytes: NOT_OK");
	f.sdu_len = 0;
	REFUSED(7, f, "length 8 with no data bytes: NOT_OK");
	/* A 15-byte header, and a full request with no writable byte. */
	uint8_t *h = dmab(t, 24), *a = dmab(t, 1);
	VPLAT_T_CHECK(t, 9, h && a);
	h[0] = (uint8_t)VPLAT_VIRTIO_CAN_TX, h[2] = 1, h[12] = 0x5;
	*a = C_UNTOUCHED;
	uint32_t used = UINT32_MAX;
	struct vplat_val_buf b[2] = {{.ptr = h, .len = 15}, {.ptr = a, .len = 1}};
	VPLAT_T_CHECK(t, 10, xfer(t, c.txq, b, 1, 1, &used) == 0);
	VPLAT_T_CHECK_MSG(t, 11, *a == C_NOT_OK, "a 15-byte header: NOT_OK", "result %u", *a);
	b[0].len = 17;
	VPLAT_T_CHECK(t, 12, xfer(t, c.txq, b, 1, 0, &used) == 0);
	VPLAT_T_CHECK_EQ(t, 13, used, 0, "no writable byte: used length 0");
	uint8_t *rb;
	uint32_t len;
	VPLAT_T_CHECK_MSG(t, 14, !can_rx_wait(t, &c, CAN_QUIET_MS, &rb, &len),
			  "nothing sent for either", "a frame reached the bus");
	SENT(15, can_frame(base, 0x5, 8), "a proper frame afterwards: OK");
	return VPLAT_PASS;
}
VPLAT_TEST(can_exer_tx_malformed, "VPLAT-CAN-023", "vplat", VPLAT_VIRTIO_ID_CAN, VPLAT_TF_EXERCISER, "Txq: wrong msg_type, short header, data shorter than length: NOT_OK; no writable byte: used 0; nothing sent", malformed_tx);

static enum vplat_result stop_cancels(struct vplat_test_ctx *t)
{
	struct cdev c = {0};
	uint64_t off = vplat_val_get_device_features(t->d) & C_ALL;
	if (!(off & CF(LATE_TX_ACK)))
		return vplat_t_skip(t, "LATE_TX_ACK not offered: frames do not stay pending");
	enum vplat_result r = can_up(t, off, &c);
	if (r != VPLAT_PASS)
		return r;
	VPLAT_T_CHECK(t, 1, can_ctl(t, &c, C_START) == C_OK);
	uint32_t base = (off & CF(CAN_CLASSIC)) ? 0 : FL_FD;
	enum { N = 4 };
	uint8_t *res[N];
	for (unsigned i = 0; i < N; i++) {
		struct cframe f = can_frame(base, 0x100 + i, 8);
		VPLAT_T_CHECK(t, 2, can_tx_post(t, &c, &f, &res[i]) == 0);
	}
	/* STOP at once, without letting the bus run (no poll in between). */
	uint8_t *q = dmab(t, 2), *a = dmab(t, 1);
	VPLAT_T_CHECK(t, 3, q && a);
	q[0] = (uint8_t)C_STOP, q[1] = (uint8_t)(C_STOP >> 8), *a = C_UNTOUCHED;
	struct vplat_val_buf b[2] = {{.ptr = q, .len = 2}, {.ptr = a, .len = 1}};
	VPLAT_T_CHECK(t, 4, vplat_val_vq_add(c.ctlq, b, 1, 1, a) == 0);
	vplat_val_vq_kick(c.ctlq);
	void *tok;
	uint32_t len;
	VPLAT_T_CHECK(t, 5, wait_used(t, c.ctlq, &tok, &len) == 0 && tok == a);
	VPLAT_T_CHECK_EQ(t, 6, *a, C_OK, "STOP answered OK");
	/* Frames the device had taken are back already, before the STOP was seen used. A frame
	 * whose kick the device had not served yet (queues are independent: an out-of-process
	 * device may see the control queue's kick first) comes back later, NOT_OK, because the
	 * controller is STOPPED by then (VPLAT-CAN-011 and the TX-while-STOPPED rule). */
	unsigned back = 0, cancelled = 0;
	while (vplat_val_vq_get_used(c.txq, &tok, &len) == 0) {
		back++;
		cancelled += *(uint8_t *)tok == C_NOT_OK;
	}
	unsigned early = back;
	while (back < N && wait_used(t, c.txq, &tok, &len) == 0) {
		back++;
		VPLAT_T_CHECK_MSG(t, 7, *(uint8_t *)tok == C_NOT_OK,
				  "a frame completed after the STOP was answered is NOT_OK",
				  "result 0x%02x", *(uint8_t *)tok);
		cancelled++;
	}
	VPLAT_T_CHECK_MSG(t, 10, back == N, "every frame completes", "%u of %u frames back", back, N);
	if (early == N && cancelled == 0)
		return vplat_t_skip(t, "every frame was on the bus before the STOP arrived");
	for (unsigned i = 0; i < N; i++)
		VPLAT_T_CHECK_MSG(t, 8, *res[i] == C_OK || *res[i] == C_NOT_OK,
				  "each frame completed OK (sent before the STOP) or NOT_OK",
				  "frame %u: result 0x%02x", i, *res[i]);
	VPLAT_T_CHECK_MSG(t, 9, cancelled > 0, "frames still pending at STOP complete NOT_OK",
			  "all %u frames answered OK", N);
	return VPLAT_PASS;
}
VPLAT_TEST(can_stop_cancels_pending, "VPLAT-CAN-011", "sec:Device Types / CAN Device / Device Operation / Controller Mode", VPLAT_VIRTIO_ID_CAN, 0, "with LATE_TX_ACK, a STOP right after four frames completes those still pending NOT_OK before the STOP is used", stop_cancels);
