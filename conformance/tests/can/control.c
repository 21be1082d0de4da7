/* SPDX-License-Identifier: BSD-3-Clause */
/* CAN device: features, configuration and controller mode (spec/15-can.md 15.1, 15.2). */
#include "can_test.h"

#define S_ACK VPLAT_VIRTIO_STATUS_ACKNOWLEDGE
#define S_DRV VPLAT_VIRTIO_STATUS_DRIVER
#define S_FOK VPLAT_VIRTIO_STATUS_FEATURES_OK

static enum vplat_result offer(struct vplat_test_ctx *t)
{
	uint64_t off = vplat_val_get_device_features(t->d);
	uint64_t dev = off & 0xffffffu;
	VPLAT_T_CHECK_MSG(t, 1, off & (CF(CAN_CLASSIC) | CF(CAN_FD)),
			  "CAN_CLASSIC or CAN_FD offered", "offer 0x%llx", (unsigned long long)off);
	VPLAT_T_CHECK_MSG(t, 2, !(off & CF(RTR_FRAMES)) || (off & CF(CAN_CLASSIC)),
			  "RTR_FRAMES only with CAN_CLASSIC", "offer 0x%llx",
			  (unsigned long long)off);
	VPLAT_T_CHECK_MSG(t, 3, (dev & ~(uint64_t)C_ALL) == 0,
			  "no device-type bits beyond 0..3 (CAN XL is not offered)",
			  "offered 0x%llx", (unsigned long long)(dev & ~(uint64_t)C_ALL));
	return VPLAT_PASS;
}
VPLAT_TEST(can_feature_offer, "VPLAT-CAN-001", "sec:Device Types / CAN Device / Feature bits / Feature bit requirements", VPLAT_VIRTIO_ID_CAN, 0, "CAN_CLASSIC or CAN_FD offered, RTR_FRAMES only with CAN_CLASSIC, no other device-type bit", offer);

/* The sequence up to FEATURES_OK with exactly @p f; whether FEATURES_OK stuck. */
static bool try_features(struct vplat_test_ctx *t, uint64_t f)
{
	vplat_val_reset(t->d);
	vplat_val_set_status(t->d, S_ACK);
	vplat_val_set_status(t->d, S_ACK | S_DRV);
	vplat_val_get_device_features(t->d);
	vplat_val_set_driver_features(t->d, f | F(VERSION_1));
	vplat_val_set_status(t->d, S_ACK | S_DRV | S_FOK);
	return status(t) & S_FOK;
}

static enum vplat_result features_ok_rules(struct vplat_test_ctx *t)
{
	uint64_t off = vplat_val_get_device_features(t->d);
	VPLAT_T_CHECK_MSG(t, 1, !try_features(t, 0), "neither CLASSIC nor FD: FEATURES_OK refused",
			  "accepted VERSION_1 alone");
	VPLAT_T_CHECK_MSG(t, 2, !try_features(t, off & CF(LATE_TX_ACK)),
			  "LATE_TX_ACK alone: FEATURES_OK refused", "accepted");
	if ((off & (CF(RTR_FRAMES) | CF(CAN_FD))) == (CF(RTR_FRAMES) | CF(CAN_FD)))
		VPLAT_T_CHECK_MSG(t, 3, !try_features(t, CF(RTR_FRAMES) | CF(CAN_FD)),
				  "RTR_FRAMES without CAN_CLASSIC: FEATURES_OK refused",
				  "accepted");
	if (off & CF(CAN_CLASSIC))
		VPLAT_T_CHECK_MSG(t, 4, try_features(t, CF(CAN_CLASSIC)), "CLASSIC alone accepted",
				  "refused");
	if (off & CF(CAN_FD))
		VPLAT_T_CHECK_MSG(t, 5, try_features(t, CF(CAN_FD)), "FD alone accepted",
				  "refused");
	VPLAT_T_CHECK_MSG(t, 6, try_features(t, off & C_ALL), "the whole CAN offer accepted",
			  "refused 0x%llx", (unsigned long long)(off & C_ALL));
	return VPLAT_PASS;
}
VPLAT_TEST(can_features_ok_rules, "VPLAT-CAN-002", "sec:Device Types / CAN Device / Feature bits / Feature bit requirements", VPLAT_VIRTIO_ID_CAN, 0, "FEATURES_OK refused without CLASSIC or FD and for RTR_FRAMES without CLASSIC; valid sets accepted", features_ok_rules);

static enum vplat_result bit_numbering(struct vplat_test_ctx *t)
{
	/* Bit 2 is RTR_FRAMES and bit 3 LATE_TX_ACK: with bit 2 (not 3) an RTR frame is sent,
	 * with bit 3 (not 2) it is refused. A device with the bits swapped does the opposite. */
	struct cdev c = {0};
	uint64_t off = vplat_val_get_device_features(t->d);
	if (!(off & VPLAT_BIT(2)) || !(off & CF(CAN_CLASSIC)))
		return vplat_t_skip(t, "RTR_FRAMES (bit 2) with CAN_CLASSIC not offered");
	struct cframe rtr = can_frame(FL_RTR, 0x55, 2);
	enum vplat_result r = can_up(t, CF(CAN_CLASSIC) | VPLAT_BIT(2), &c);
	if (r != VPLAT_PASS)
		return r;
	VPLAT_T_CHECK(t, 1, can_ctl(t, &c, C_START) == C_OK);
	int res = can_tx(t, &c, &rtr, NULL);
	VPLAT_T_CHECK_MSG(t, 2, res == C_OK, "bit 2 negotiated: RTR frames are sent (RTR_FRAMES)",
			  "RTR frame answered %d", res);
	if (off & VPLAT_BIT(3)) {
		if ((r = can_up(t, CF(CAN_CLASSIC) | VPLAT_BIT(3), &c)) != VPLAT_PASS)
			return r;
		VPLAT_T_CHECK(t, 3, can_ctl(t, &c, C_START) == C_OK);
		res = can_tx(t, &c, &rtr, NULL);
		VPLAT_T_CHECK_MSG(t, 4, res == C_NOT_OK,
				  "bit 3 (LATE_TX_ACK) without bit 2: RTR frames refused",
				  "RTR frame answered %d", res);
	}
	return VPLAT_PASS;
}
VPLAT_TEST(can_feature_bit_numbering, "VPLAT-CAN-005 VPLAT-CAN-016", "vplat", VPLAT_VIRTIO_ID_CAN, 0, "bit 2 enables RTR frames and bit 3 does not (virtio 1.4 numbering, not the RFC's swapped one)", bit_numbering);

static enum vplat_result config_status(struct vplat_test_ctx *t)
{
	VPLAT_T_CHECK_EQ(t, 1, can_status(t), 0, "status reads 0 after reset");
	struct cdev c = {0};
	enum vplat_result r = can_up(t, CF(CAN_CLASSIC), &c);
	if (r != VPLAT_PASS)
		return r;
	static const uint16_t seq[] = {C_START, C_STOP, C_START, C_START, C_STOP};
	for (unsigned i = 0; i < 5; i++) {
		VPLAT_T_CHECK(t, 2, can_ctl(t, &c, seq[i]) == C_OK);
		uint16_t s = can_status(t);
		VPLAT_T_CHECK_MSG(t, 3, (s & ~S_BUSOFF) == 0, "only bit 0 (BUSOFF) ever set",
				  "status 0x%x", s);
		VPLAT_T_CHECK_MSG(t, 4, s == 0, "no bus-off on a quiet bus", "status 0x%x", s);
	}
	VPLAT_T_CHECK(t, 5, vplat_val_reset(t->d) == 0);
	VPLAT_T_CHECK_EQ(t, 6, can_status(t), 0, "status reads 0 after a second reset");
	return VPLAT_PASS;
}
VPLAT_TEST(can_config_status, "VPLAT-CAN-004", "sec:Device Types / CAN Device / Device configuration layout", VPLAT_VIRTIO_ID_CAN, 0, "status reads 0 after reset and through START/STOP; no bit other than BUSOFF", config_status);

static enum vplat_result starts_stopped(struct vplat_test_ctx *t)
{
	struct cdev c = {0};
	struct cframe f = can_frame(0, 0x100, 2);
	for (int round = 0; round < 2; round++) {
		enum vplat_result r = can_up(t, CF(CAN_CLASSIC), &c);
		if (r != VPLAT_PASS)
			return r;
		int res = can_tx(t, &c, &f, NULL);
		VPLAT_T_CHECK_MSG(t, 1, res == C_NOT_OK, "STOPPED after reset: TX answered NOT_OK",
				  "round %d: TX before START answered %d", round, res);
		VPLAT_T_CHECK(t, 2, can_ctl(t, &c, C_START) == C_OK);
		VPLAT_T_CHECK_MSG(t, 3, (res = can_tx(t, &c, &f, NULL)) == C_OK,
				  "TX after START answered OK", "answered %d", res);
		VPLAT_T_CHECK(t, 4, can_ctl(t, &c, C_STOP) == C_OK);
		VPLAT_T_CHECK_MSG(t, 5, (res = can_tx(t, &c, &f, NULL)) == C_NOT_OK,
				  "TX after STOP answered NOT_OK", "answered %d", res);
		/* Round 2: a reset while STARTED must come back STOPPED too. */
		VPLAT_T_CHECK(t, 6, can_ctl(t, &c, C_START) == C_OK);
	}
	return VPLAT_PASS;
}
VPLAT_TEST(can_starts_stopped, "VPLAT-CAN-006 VPLAT-CAN-020 VPLAT-CAN-008", "sec:Device Types / CAN Device / Device Operation / Controller Mode", VPLAT_VIRTIO_ID_CAN, 0, "after reset (also from STARTED) TX is NOT_OK; after START OK; after STOP NOT_OK again", starts_stopped);

static enum vplat_result start_stop_idempotent(struct vplat_test_ctx *t)
{
	struct cdev c = {0};
	struct cframe f = can_frame(FL_EXT, 0x1000, 1);
	enum vplat_result r = can_up(t, CF(CAN_CLASSIC), &c);
	if (r != VPLAT_PASS)
		return r;
	int res;
	VPLAT_T_CHECK_MSG(t, 1, (res = can_ctl(t, &c, C_STOP)) == C_OK, "STOP while STOPPED: OK",
			  "answered %d", res);
	VPLAT_T_CHECK_MSG(t, 2, can_tx(t, &c, &f, NULL) == C_NOT_OK, "still STOPPED", "TX sent");
	VPLAT_T_CHECK(t, 3, can_ctl(t, &c, C_START) == C_OK);
	VPLAT_T_CHECK_MSG(t, 4, (res = can_ctl(t, &c, C_START)) == C_OK,
			  "START while STARTED: OK", "answered %d", res);
	VPLAT_T_CHECK_MSG(t, 5, can_tx(t, &c, &f, NULL) == C_OK, "still STARTED", "TX refused");
	VPLAT_T_CHECK_EQ(t, 6, can_status(t), 0, "status unchanged");
	return VPLAT_PASS;
}
VPLAT_TEST(can_start_stop_repeated, "VPLAT-CAN-014 VPLAT-CAN-008", "vplat", VPLAT_VIRTIO_ID_CAN, 0, "STOP while STOPPED and START while STARTED answer OK and change nothing", start_stop_idempotent);

static enum vplat_result ctl_in_order(struct vplat_test_ctx *t)
{
	struct cdev c = {0};
	enum vplat_result r = can_up(t, CF(CAN_CLASSIC), &c);
	if (r != VPLAT_PASS)
		return r;
	enum { N = 7 };
	uint8_t *q = dmab(t, 2 * N), *a = dmab(t, N);
	VPLAT_T_CHECK(t, 1, q && a);
	for (unsigned i = 0; i < N; i++) { /* START, STOP, START, ... START */
		uint16_t m = i % 2 ? C_STOP : C_START;
		q[2 * i] = (uint8_t)m, q[2 * i + 1] = (uint8_t)(m >> 8);
		a[i] = C_UNTOUCHED;
		struct vplat_val_buf b[2] = {{.ptr = &q[2 * i], .len = 2},
					     {.ptr = &a[i], .len = 1}};
		VPLAT_T_CHECK(t, 2, vplat_val_vq_add(c.ctlq, b, 1, 1, &a[i]) == 0);
	}
	vplat_val_vq_kick(c.ctlq);
	for (unsigned i = 0; i < N; i++) {
		void *tok;
		uint32_t len;
		VPLAT_T_CHECK(t, 3, wait_used(t, c.ctlq, &tok, &len) == 0);
		VPLAT_T_CHECK_MSG(t, 4, tok == &a[i], "Controlq requests answered in order",
				  "answer %u is for request %d", i, (int)((uint8_t *)tok - a));
		VPLAT_T_CHECK_MSG(t, 5, a[i] == C_OK && len == 1, "each answered OK, used length 1",
				  "request %u: result %u used %u", i, a[i], len);
	}
	struct cframe f = can_frame(0, 0x7, 0);
	VPLAT_T_CHECK_MSG(t, 6, can_tx(t, &c, &f, NULL) == C_OK, "the last request (START) holds",
			  "TX refused after START, STOP, ..., START");
	return VPLAT_PASS;
}
VPLAT_TEST(can_ctrl_in_order, "VPLAT-CAN-007 VPLAT-CAN-008", "sec:Device Types / CAN Device / Device Operation / Controller Mode", VPLAT_VIRTIO_ID_CAN, 0, "seven START/STOP requests in one kick are answered OK in order; the last one decides the state", ctl_in_order);

static enum vplat_result ctl_malformed(struct vplat_test_ctx *t)
{
	struct cdev c = {0};
	enum vplat_result r = can_up(t, CF(CAN_CLASSIC), &c);
	if (r != VPLAT_PASS)
		return r;
	struct cframe f = can_frame(0, 0x7, 0);
	uint8_t *q = dmab(t, 2), *a = dmab(t, 1);
	VPLAT_T_CHECK(t, 1, q && a);
	/* Unknown message types. */
	static const uint16_t unknown[] = {0, VPLAT_VIRTIO_CAN_TX, VPLAT_VIRTIO_CAN_RX, 0x0203,
					   0xffff};
	for (unsigned i = 0; i < 5; i++) {
		int res = can_ctl(t, &c, unknown[i]);
		VPLAT_T_CHECK_MSG(t, 2, res == C_NOT_OK, "an unknown msg_type: NOT_OK",
				  "msg_type 0x%04x answered %d", unknown[i], res);
	}
	VPLAT_T_CHECK_MSG(t, 3, can_tx(t, &c, &f, NULL) == C_NOT_OK, "still STOPPED", "TX sent");
	/* One readable byte (the low byte of START). */
	q[0] = (uint8_t)C_START, q[1] = (uint8_t)(C_START >> 8);
	*a = C_UNTOUCHED;
	struct vplat_val_buf b[2] = {{.ptr = q, .len = 1}, {.ptr = a, .len = 1}};
	uint32_t used = UINT32_MAX;
	VPLAT_T_CHECK(t, 4, xfer(t, c.ctlq, b, 1, 1, &used) == 0);
	VPLAT_T_CHECK_MSG(t, 5, *a == C_NOT_OK, "a 1-byte request: NOT_OK", "result %u", *a);
	VPLAT_T_CHECK_MSG(t, 6, can_tx(t, &c, &f, NULL) == C_NOT_OK, "and no START happened",
			  "TX sent");
	/* START with no writable byte: used length 0, nothing changes. */
	VPLAT_T_CHECK(t, 7, xfer(t, c.ctlq, (struct vplat_val_buf[]){{.ptr = q, .len = 2}}, 1, 0,
				 &used) == 0);
	VPLAT_T_CHECK_EQ(t, 8, used, 0, "a request without a writable byte: used length 0");
	VPLAT_T_CHECK_MSG(t, 9, can_tx(t, &c, &f, NULL) == C_NOT_OK,
			  "a START without a writable byte changes nothing", "TX sent");
	/* STARTED, then the same for STOP. */
	VPLAT_T_CHECK(t, 10, can_ctl(t, &c, C_START) == C_OK);
	q[0] = (uint8_t)C_STOP, q[1] = (uint8_t)(C_STOP >> 8);
	VPLAT_T_CHECK(t, 11, xfer(t, c.ctlq, (struct vplat_val_buf[]){{.ptr = q, .len = 2}}, 1, 0,
				  &used) == 0);
	VPLAT_T_CHECK_MSG(t, 12, can_tx(t, &c, &f, NULL) == C_OK,
			  "a STOP without a writable byte changes nothing", "TX refused");
	return VPLAT_PASS;
}
VPLAT_TEST(can_exer_ctrl_malformed, "VPLAT-CAN-015", "vplat", VPLAT_VIRTIO_ID_CAN, VPLAT_TF_EXERCISER, "Controlq: unknown msg_type and 1-byte requests NOT_OK, no writable byte used 0; none changes the controller", ctl_malformed);
