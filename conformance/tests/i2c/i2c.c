/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * I2C adapter device (spec/18-i2c.md). Everything goes through the driver. Tests that need a
 * bus device use one that acknowledges at 0x48 and an address nothing acknowledges (0x77,
 * 0x76 or 0x75); without them they SKIP.
 */
#include "../common/devreq.h"
#include "vplat/spec/virtio_i2c.h"
#include "vplat/val/val.h"
#include "vplat/val/conform.h"

#define ZLR     VPLAT_BIT(VPLAT_VIRTIO_I2C_F_ZERO_LENGTH_REQUEST)
#define FN      VPLAT_VIRTIO_I2C_FLAGS_FAIL_NEXT
#define RD      VPLAT_VIRTIO_I2C_FLAGS_M_RD
#define I_OK    VPLAT_VIRTIO_I2C_MSG_OK
#define I_ERR   VPLAT_VIRTIO_I2C_MSG_ERR
#define PRESENT 0x48
#define UNTOUCHED 0x5a
#define QUIET_MS 100u

/* One request as posted: header, data buffer, status byte, snapshot of what was readable. */
struct ireq {
	struct vplat_virtio_i2c_out_hdr *h;
	uint8_t *buf, *st, *snap;
	uint32_t len, rd_len;
	uint32_t used;
};

static enum vplat_result i2c_up(struct vplat_test_ctx *t, struct vplat_val_vq **vq)
{
	return bringup(t, ZLR, vq, VPLAT_VIRTIO_I2C_REQUESTQ, 16);
}

/* Post (no kick) a request: raw @p addr, @p flags, @p len data bytes (@p data for a write). */
static int i2c_add(struct vplat_test_ctx *t, struct vplat_val_vq *vq, struct ireq *q,
		   uint16_t addr, uint32_t flags, const void *data, uint32_t len)
{
	memset(q, 0, sizeof(*q));
	q->h = dmab(t, sizeof(*q->h));
	q->st = dmab(t, 1);
	q->buf = len ? dmab(t, len) : NULL;
	q->snap = dmab(t, sizeof(*q->h) + len);
	if (!q->h || !q->st || (len && !q->buf) || !q->snap)
		return VPLAT_ENOMEM;
	q->h->addr = vplat_cpu_to_le16(addr);
	q->h->flags = vplat_cpu_to_le32(flags);
	*q->st = UNTOUCHED;
	q->len = len;
	if (len && !(flags & RD) && data)
		memcpy(q->buf, data, len);
	else if (len)
		memset(q->buf, UNTOUCHED, len);
	q->rd_len = (uint32_t)sizeof(*q->h) + ((flags & RD) ? 0 : len);
	memcpy(q->snap, q->h, sizeof(*q->h));
	if (len && !(flags & RD))
		memcpy(q->snap + sizeof(*q->h), q->buf, len);
	struct vplat_val_buf b[3];
	unsigned nr = 0, nw = 0;
	b[nr++] = (struct vplat_val_buf){.ptr = q->h, .len = sizeof(*q->h)};
	if (len && !(flags & RD))
		b[nr++] = (struct vplat_val_buf){.ptr = q->buf, .len = len};
	if (len && (flags & RD))
		b[nr + nw++] = (struct vplat_val_buf){.ptr = q->buf, .len = len};
	b[nr + nw++] = (struct vplat_val_buf){.ptr = q->st, .len = 1};
	q->used = UINT32_MAX;
	return vplat_val_vq_add(vq, b, nr, nw, q);
}

/* Kick and wait for @p n requests; false unless they come back in the order of @p q. */
static bool i2c_run(struct vplat_test_ctx *t, struct vplat_val_vq *vq, struct ireq *q, unsigned n,
		    bool *order)
{
	vplat_val_vq_kick(vq);
	*order = true;
	for (unsigned i = 0; i < n; i++) {
		void *tok;
		uint32_t len;
		if (wait_used(t, vq, &tok, &len) != 0)
			return false;
		struct ireq *got = tok;
		got->used = len;
		if (got != &q[i])
			*order = false;
	}
	return true;
}

static bool intact(const struct ireq *q)
{
	return memcmp(q->snap, q->h, sizeof(*q->h)) == 0 &&
	       (!q->len || q->rd_len == sizeof(*q->h) ||
		memcmp(q->snap + sizeof(*q->h), q->buf, q->len) == 0);
}

/* A one-request zero-length write to @p addr: its status, or -1. */
static int quick(struct vplat_test_ctx *t, struct vplat_val_vq *vq, uint16_t addr7)
{
	struct ireq q;
	bool order;
	if (i2c_add(t, vq, &q, (uint16_t)(addr7 << 1), 0, NULL, 0) || !i2c_run(t, vq, &q, 1, &order))
		return -1;
	return *q.st;
}

/* The present device and an absent address, or SKIP. */
static enum vplat_result need_bus(struct vplat_test_ctx *t, struct vplat_val_vq *vq,
				  uint16_t *absent)
{
	if (quick(t, vq, PRESENT) != I_OK)
		return vplat_t_skip(t, "no device acknowledges at 0x%02x", PRESENT);
	for (uint16_t a = 0x77; a >= 0x75; a--)
		if (quick(t, vq, a) == I_ERR) {
			*absent = a;
			return VPLAT_PASS;
		}
	return vplat_t_skip(t, "0x75..0x77 all acknowledge: no absent address to fail on");
}

/* The request queue and the bus (need_bus()), or why not. */
static enum vplat_result bus_up(struct vplat_test_ctx *t, struct vplat_val_vq **vq,
				uint16_t *absent)
{
	enum vplat_result r = i2c_up(t, vq);
	return r == VPLAT_PASS ? need_bus(t, *vq, absent) : r;
}

/* Post the one-byte register write that opens a write-then-read group (FAIL_NEXT). */
static int reg_write(struct vplat_test_ctx *t, struct vplat_val_vq *vq, struct ireq *q)
{
	static const uint8_t reg = 0;
	return i2c_add(t, vq, q, PRESENT << 1, FN, &reg, 1);
}

static enum vplat_result feature_required(struct vplat_test_ctx *t)
{
	VPLAT_T_CHECK_MSG(t, 1, (vplat_val_get_device_features(t->d) & ZLR) != 0,
			  "VIRTIO_I2C_F_ZERO_LENGTH_REQUEST offered", "features 0x%llx",
			  (unsigned long long)vplat_val_get_device_features(t->d));
	int rc = vplat_val_negotiate(t->d, 0); /* VERSION_1 only */
	VPLAT_T_CHECK_MSG(t, 2, rc == VPLAT_EPROTO,
			  "FEATURES_OK refused without VIRTIO_I2C_F_ZERO_LENGTH_REQUEST",
			  "negotiation without it returned %d (status 0x%02x)", rc, status(t));
	VPLAT_T_CHECK(t, 3, vplat_val_reset(t->d) == 0);
	struct vplat_val_vq *vq;
	enum vplat_result r = i2c_up(t, &vq);
	if (r != VPLAT_PASS)
		return r;
	VPLAT_T_CHECK_MSG(t, 4, vplat_val_has_feature(t->d, VPLAT_VIRTIO_I2C_F_ZERO_LENGTH_REQUEST),
			  "accepted with it", "not negotiated");
	return VPLAT_PASS;
}
VPLAT_TEST(i2c_feature_required, "VPLAT-I2C-001", "devicenormative:Device Types / I2C Adapter Device / Device Operation", VPLAT_VIRTIO_ID_I2C, 0, "VIRTIO_I2C_F_ZERO_LENGTH_REQUEST is offered and a driver that does not accept it is refused at FEATURES_OK", feature_required);

static enum vplat_result read_write(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *vq;
	uint16_t absent;
	enum vplat_result r = bus_up(t, &vq, &absent);
	if (r != VPLAT_PASS)
		return r;
	/* write-then-read groups of 1, 2 and 7 data bytes, and single reads */
	static const uint32_t lens[] = {1, 2, 7};
	for (unsigned k = 0; k < 3; k++) {
		struct ireq q[3];
		bool order;
		VPLAT_T_CHECK(t, 1, reg_write(t, vq, &q[0]) == 0);
		VPLAT_T_CHECK(t, 1, i2c_add(t, vq, &q[1], PRESENT << 1, RD, NULL, lens[k]) == 0);
		VPLAT_T_CHECK(t, 1, i2c_add(t, vq, &q[2], PRESENT << 1, RD, NULL, lens[k]) == 0);
		VPLAT_T_CHECK(t, 2, i2c_run(t, vq, q, 3, &order));
		VPLAT_T_CHECK_MSG(t, 3, order, "completed in ring order", "out of order");
		for (unsigned i = 0; i < 3; i++) {
			VPLAT_T_CHECK_MSG(t, 4, *q[i].st == I_OK, "requests to 0x48 answer OK",
					  "request %u of %u-byte group: status 0x%02x", i, lens[k],
					  *q[i].st);
			VPLAT_T_CHECK_MSG(t, 5, intact(&q[i]), "readable part unchanged",
					  "request %u: header or write buffer changed", i);
		}
		VPLAT_T_CHECK_MSG(t, 6, q[1].used == lens[k] + 1 && q[2].used == lens[k] + 1,
				  "used length of a read is length of buf + 1",
				  "used %u and %u for %u bytes", q[1].used, q[2].used, lens[k]);
		VPLAT_T_CHECK_MSG(t, 7, q[0].used <= 1, "a write's used length covers status only",
				  "used %u", q[0].used);
	}
	return VPLAT_PASS;
}
VPLAT_TEST(i2c_read_write, "VPLAT-I2C-002 VPLAT-I2C-003 VPLAT-I2C-004", "devicenormative:Device Types / I2C Adapter Device / Device Operation", VPLAT_VIRTIO_ID_I2C, 0, "write-then-read groups to an acknowledging device: OK, ring order, buf filled (used = len + 1), readable parts untouched", read_write);

static enum vplat_result zero_length(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *vq;
	uint16_t absent;
	enum vplat_result r = bus_up(t, &vq, &absent);
	if (r != VPLAT_PASS)
		return r;
	VPLAT_T_CHECK_EQ(t, 1, quick(t, vq, PRESENT), I_OK, "quick write to 0x48: OK");
	VPLAT_T_CHECK_EQ(t, 2, quick(t, vq, absent), I_ERR, "quick write to an absent address: ERR");
	struct ireq q;
	bool order;
	VPLAT_T_CHECK(t, 3, i2c_add(t, vq, &q, PRESENT << 1, RD, NULL, 0) == 0);
	VPLAT_T_CHECK(t, 3, i2c_run(t, vq, &q, 1, &order));
	VPLAT_T_CHECK_EQ(t, 4, *q.st, I_OK, "quick read to 0x48: OK");
	return VPLAT_PASS;
}
VPLAT_TEST(i2c_zero_length, "VPLAT-I2C-005", "sec:Device Types / I2C Adapter Device / Device Operation: Request Queue", VPLAT_VIRTIO_ID_I2C, 0, "a request without buf is a quick command: OK where a device acknowledges, ERR where none does", zero_length);

static enum vplat_result fail_next(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *vq;
	uint16_t absent;
	enum vplat_result r = bus_up(t, &vq, &absent);
	if (r != VPLAT_PASS)
		return r;
	struct ireq q[4];
	bool order;
	VPLAT_T_CHECK(t, 1, reg_write(t, vq, &q[0]) == 0);
	VPLAT_T_CHECK(t, 1, i2c_add(t, vq, &q[1], (uint16_t)(absent << 1), FN | RD, NULL, 4) == 0);
	VPLAT_T_CHECK(t, 1, i2c_add(t, vq, &q[2], PRESENT << 1, RD, NULL, 2) == 0);
	VPLAT_T_CHECK(t, 1, i2c_add(t, vq, &q[3], PRESENT << 1, RD, NULL, 2) == 0);
	VPLAT_T_CHECK(t, 2, i2c_run(t, vq, q, 4, &order));
	VPLAT_T_CHECK_MSG(t, 3, order, "completed in ring order", "out of order");
	VPLAT_T_CHECK_EQ(t, 4, *q[1].st, I_ERR, "the request to the absent address: ERR");
	VPLAT_T_CHECK_EQ(t, 5, *q[2].st, I_ERR, "the rest of its group: ERR");
	VPLAT_T_CHECK_EQ(t, 6, *q[3].st, I_OK, "the next group runs");
	for (unsigned i = 0; i < 4; i++)
		VPLAT_T_CHECK_MSG(t, 7, q[1].buf[i] == 0, "a failed read's buffer holds zeros",
				  "byte %u = 0x%02x", i, q[1].buf[i]);
	VPLAT_T_CHECK_MSG(t, 7, q[2].buf[0] == 0 && q[2].buf[1] == 0,
			  "a failed read's buffer holds zeros", "0x%02x 0x%02x", q[2].buf[0],
			  q[2].buf[1]);
	return VPLAT_PASS;
}
VPLAT_TEST(i2c_fail_next, "VPLAT-I2C-002 VPLAT-I2C-007 VPLAT-I2C-009", "devicenormative:Device Types / I2C Adapter Device / Device Operation", VPLAT_VIRTIO_ID_I2C, 0, "a failed request of a group and the rest of the group answer ERR with zeroed read buffers; the next group runs", fail_next);

/* A request with explicit parts: @p rd_extra data bytes after the header, @p wr writable. */
static int raw_add(struct vplat_test_ctx *t, struct vplat_val_vq *vq, uint16_t addr,
		   uint32_t flags, uint32_t hdr_len, uint32_t rd_extra, uint32_t wr, uint8_t **w)
{
	uint8_t *h = dmab(t, hdr_len + rd_extra + 1);
	*w = wr ? dmab(t, wr) : NULL;
	if (!h || (wr && !*w))
		return VPLAT_ENOMEM;
	struct vplat_virtio_i2c_out_hdr hd = {.addr = vplat_cpu_to_le16(addr),
					      .flags = vplat_cpu_to_le32(flags)};
	memcpy(h, &hd, hdr_len < sizeof(hd) ? hdr_len : sizeof(hd));
	if (wr)
		memset(*w, UNTOUCHED, wr);
	struct vplat_val_buf b[2] = {{.ptr = h, .len = hdr_len + rd_extra}, {.ptr = *w, .len = wr}};
	return vplat_val_vq_add(vq, b, 1, wr ? 1 : 0, h);
}

static enum vplat_result malformed(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *vq;
	uint16_t absent;
	enum vplat_result r = bus_up(t, &vq, &absent);
	if (r != VPLAT_PASS)
		return r;
	static const struct {
		uint16_t addr;
		uint32_t flags, hdr, rd_extra, wr;
		const char *what;
	} cases[] = {
	    {PRESENT << 1, 0x4, 8, 1, 1, "a reserved flag bit"},
	    {PRESENT << 1, 0x80000000u, 8, 0, 1, "flag bit 31"},
	    {(PRESENT << 1) | 1, 0, 8, 1, 1, "addr bit 0"},
	    {0x0100 | (PRESENT << 1), 0, 8, 1, 1, "a 7-bit addr with bits 15..8 set"},
	    {PRESENT << 1, RD, 8, 2, 3, "M_RD with a device-readable buffer"},
	    {PRESENT << 1, 0, 8, 1, 3, "a write with a device-writable buffer"},
	    {PRESENT << 1, 0, 6, 0, 1, "a 6-byte header"},
	};
	for (unsigned k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		uint8_t *w;
		void *tok;
		uint32_t used;
		VPLAT_T_CHECK(t, 1, raw_add(t, vq, cases[k].addr, cases[k].flags, cases[k].hdr,
					    cases[k].rd_extra, cases[k].wr, &w) == 0);
		vplat_val_vq_kick(vq);
		VPLAT_T_CHECK(t, 2, wait_used(t, vq, &tok, &used) == 0);
		VPLAT_T_CHECK_MSG(t, 3, w[cases[k].wr - 1] == I_ERR, "malformed request: ERR",
				  "%s: status 0x%02x", cases[k].what, w[cases[k].wr - 1]);
		VPLAT_T_CHECK_MSG(t, 4, quick(t, vq, PRESENT) == I_OK, "the next request is served",
				  "after %s", cases[k].what);
	}
	/* no writable byte at all: used length 0 */
	uint8_t *w;
	void *tok;
	uint32_t used = UINT32_MAX;
	VPLAT_T_CHECK(t, 5, raw_add(t, vq, PRESENT << 1, 0, 8, 1, 0, &w) == 0);
	vplat_val_vq_kick(vq);
	VPLAT_T_CHECK(t, 5, wait_used(t, vq, &tok, &used) == 0);
	VPLAT_T_CHECK_EQ(t, 6, used, 0, "a request without status byte: used length 0");
	/* a malformed request inside a group fails the whole group */
	struct ireq q[2];
	VPLAT_T_CHECK(t, 7, reg_write(t, vq, &q[0]) == 0);
	VPLAT_T_CHECK(t, 7, raw_add(t, vq, PRESENT << 1, FN | 0x10, 8, 0, 1, &w) == 0);
	VPLAT_T_CHECK(t, 7, i2c_add(t, vq, &q[1], PRESENT << 1, RD, NULL, 2) == 0);
	vplat_val_vq_kick(vq);
	for (int i = 0; i < 3; i++)
		VPLAT_T_CHECK(t, 8, wait_used(t, vq, &tok, &used) == 0);
	VPLAT_T_CHECK_MSG(t, 9, *q[0].st == I_ERR && *w == I_ERR && *q[1].st == I_ERR,
			  "a malformed request fails its whole group",
			  "statuses 0x%02x 0x%02x 0x%02x", *q[0].st, *w, *q[1].st);
	VPLAT_T_CHECK_EQ(t, 10, quick(t, vq, PRESENT), I_OK, "the next group is served");
	return VPLAT_PASS;
}
VPLAT_TEST(i2c_malformed_err, "VPLAT-I2C-006", "drivernormative:Device Types / I2C Adapter Device / Device Operation", VPLAT_VIRTIO_ID_I2C, 0, "reserved flags, malformed addresses, buffers in the wrong direction, short headers: ERR for the group, and the next request is served", malformed);

static enum vplat_result group_held(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *vq;
	uint16_t absent;
	enum vplat_result r = bus_up(t, &vq, &absent);
	if (r != VPLAT_PASS)
		return r;
	struct ireq q[2];
	bool order;
	VPLAT_T_CHECK(t, 1, reg_write(t, vq, &q[0]) == 0);
	vplat_val_vq_kick(vq);
	void *tok = NULL;
	VPLAT_T_CHECK_MSG(t, 2, quiet_for(t, vq, QUIET_MS, &tok),
			  "a group's first request is not completed before its last arrives",
			  "completed alone (status 0x%02x)", *q[0].st);
	VPLAT_T_CHECK(t, 3, i2c_add(t, vq, &q[1], PRESENT << 1, RD, NULL, 2) == 0);
	VPLAT_T_CHECK(t, 3, i2c_run(t, vq, q, 2, &order));
	VPLAT_T_CHECK_MSG(t, 4, order && *q[0].st == I_OK && *q[1].st == I_OK,
			  "the group completes once whole", "statuses 0x%02x 0x%02x", *q[0].st,
			  *q[1].st);
	/* reset with a group open: nothing comes back, the device works afterwards */
	struct ireq h;
	VPLAT_T_CHECK(t, 5, reg_write(t, vq, &h) == 0);
	vplat_val_vq_kick(vq);
	VPLAT_T_CHECK(t, 5, quiet_for(t, vq, QUIET_MS, &tok));
	release_queues(t);
	r = i2c_up(t, &vq);
	if (r != VPLAT_PASS)
		return r;
	VPLAT_T_CHECK_EQ(t, 6, quick(t, vq, PRESENT), I_OK, "served normally after the reset");
	return VPLAT_PASS;
}
VPLAT_TEST(i2c_group_held, "VPLAT-I2C-010 VPLAT-I2C-012", "sec:Device Types / I2C Adapter Device / Device Operation: Request Queue", VPLAT_VIRTIO_ID_I2C, 0, "a group is not completed before its last request is available; a reset drops an open group", group_held);

static enum vplat_result group_limits(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *vq;
	uint16_t absent;
	enum vplat_result r = bus_up(t, &vq, &absent);
	if (r != VPLAT_PASS)
		return r;
	/* 17 requests in one group (vplat's limit is 16) in a 32-entry ring */
	release_queues(t);
	r = bringup(t, ZLR, &vq, VPLAT_VIRTIO_I2C_REQUESTQ, 0);
	if (r != VPLAT_PASS)
		return r;
	if (vq->size < 18)
		return vplat_t_skip(t, "requestq of %u entries: too small for a 17-request group",
				    vq->size);
	struct ireq q[18];
	uint8_t reg = 0;
	bool order;
	for (unsigned i = 0; i < 17; i++)
		VPLAT_T_CHECK(t, 1, i2c_add(t, vq, &q[i], PRESENT << 1, i < 16 ? FN : 0, &reg, 1) == 0);
	VPLAT_T_CHECK(t, 1, i2c_add(t, vq, &q[17], PRESENT << 1, 0, &reg, 1) == 0);
	VPLAT_T_CHECK(t, 2, i2c_run(t, vq, q, 18, &order));
	unsigned errs = 0;
	for (unsigned i = 0; i < 17; i++)
		errs += *q[i].st == I_ERR;
	VPLAT_T_CHECK_MSG(t, 3, errs == 17, "a 17-request group fails as a whole",
			  "%u of 17 answered ERR", errs);
	VPLAT_T_CHECK_EQ(t, 4, *q[17].st, I_OK, "the request after it is served");
	/* 8193 data bytes in one read */
	struct ireq b;
	VPLAT_T_CHECK(t, 5, i2c_add(t, vq, &b, PRESENT << 1, RD, NULL, 8193) == 0);
	VPLAT_T_CHECK(t, 5, i2c_run(t, vq, &b, 1, &order));
	VPLAT_T_CHECK_EQ(t, 6, *b.st, I_ERR, "a group of more than 8192 data bytes: ERR");
	VPLAT_T_CHECK_EQ(t, 7, quick(t, vq, PRESENT), I_OK, "then served normally");
	return VPLAT_PASS;
}
VPLAT_TEST(i2c_group_limits, "VPLAT-I2C-011", "sec:Device Types / I2C Adapter Device / Device Operation: Request Queue", VPLAT_VIRTIO_ID_I2C, 0, "a group over 16 requests or 8192 data bytes fails as a whole; the next request is served", group_limits);
