/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * I2C adapter device (sec: Device Types / I2C Adapter Device), driven as a guest would
 * through the loopback backend over virtio-mmio (_i bit 0 = 0) and virtio-pci (bit 0 = 1),
 * split (bit 1 = 0) and packed (bit 1 = 1) rings, against the simulated bus (LM75, AT24) and
 * the Linux adapter end on a fake /dev/i2c-N whose I2C_RDWR runs on the simulated bus.
 */
#define _DEFAULT_SOURCE /* mkstemp, pread */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/i2c-dev.h>
#include <linux/i2c.h>
#include "testutil.h"
#include "vplat/i2c.h"
#include "vplat/vplat.h"
#include "vplat/host/i2c_host.h"
#include "vplat/platform/instance.h"
#include "vplat/val/val.h"
#include "vplat/val/loopback.h"

#define OK  VPLAT_VIRTIO_I2C_MSG_OK
#define ERR VPLAT_VIRTIO_I2C_MSG_ERR
#define FN  VPLAT_VIRTIO_I2C_FLAGS_FAIL_NEXT
#define RD  VPLAT_VIRTIO_I2C_FLAGS_M_RD

/* Counts transfers; forwards to the simulated bus. */
struct spy {
	struct vplat_i2c_sim *sim;
	unsigned transfers, last_n;
};

static int spy_transfer(void *host, struct vplat_i2c_msg *msgs, unsigned n)
{
	struct spy *s = host;
	s->transfers++;
	s->last_n = n;
	return vplat_i2c_host_sim.transfer(s->sim, msgs, n);
}

static const struct vplat_i2c_host_ops spy_ops = {.transfer = spy_transfer};

struct rig {
	struct vplat_loopback lb;
	struct vplat_i2c d;
	struct spy spy;
	struct vplat_val_dev v;
	struct vplat_val_vq rq;
};

static void rig_up_ops(struct rig *r, int variant, const struct vplat_i2c_host_ops *ops,
		       void *host)
{
	enum vplat_loopback_transport kind = (variant & 1) ? VPLAT_LOOPBACK_PCI : VPLAT_LOOPBACK_MMIO;
	ck_assert_int_eq(vplat_loopback_init(&r->lb, kind, 1u << 20), 0);
	ck_assert_int_eq(vplat_i2c_init(&r->d, vplat_loopback_mem(&r->lb), ops, host), 0);
	ck_assert_int_eq(vplat_loopback_attach(&r->lb, vplat_i2c_device(&r->d)), 0);
	ck_assert_int_eq(vplat_loopback_val_init(&r->lb, &r->v), 0);
	uint64_t want = VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) | VPLAT_BIT(VPLAT_VIRTIO_F_IN_ORDER) |
			VPLAT_BIT(VPLAT_VIRTIO_I2C_F_ZERO_LENGTH_REQUEST);
	if (variant & 2)
		want |= VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED);
	ck_assert_int_eq(vplat_val_negotiate(&r->v, want), 0);
	ck_assert(vplat_val_has_feature(&r->v, VPLAT_VIRTIO_F_IN_ORDER)); /* completes in order */
	ck_assert_int_eq(vplat_val_vq_setup(&r->v, &r->rq, 0, 64), 0);
	ck_assert_int_eq(vplat_val_driver_ok(&r->v), 0);
}

static void rig_up(struct rig *r, int variant)
{
	memset(r, 0, sizeof(*r));
	r->spy.sim = vplat_i2c_sim_new();
	ck_assert_ptr_nonnull(r->spy.sim);
	ck_assert_int_eq(vplat_i2c_sim_add_lm75(r->spy.sim, 0x48, 23500), 0);
	ck_assert_int_eq(vplat_i2c_sim_add_eeprom(r->spy.sim, 0x50, 256, 8, NULL), 0);
	rig_up_ops(r, variant, &spy_ops, &r->spy);
}

static void rig_down(struct rig *r)
{
	ck_assert_uint_eq(r->lb.access_errors, 0);
	ck_assert_int_eq(r->rq.error, 0);
	vplat_val_vq_fini(&r->rq);
	vplat_loopback_fini(&r->lb);
	vplat_i2c_sim_free(r->spy.sim);
}

static void *dma(struct rig *r, uint32_t len)
{
	uint64_t gpa;
	void *p = vplat_val_alloc(vplat_loopback_dma(&r->lb), len ? len : 1, 8, &gpa);
	ck_assert_ptr_nonnull(p);
	return p;
}

/* One request as Linux's i2c-virtio builds it: out_hdr, buffer (readable for a write,
 * writable for a read, absent if @len is 0), in_hdr. Returns the status byte (0xee until
 * the device writes it). */
struct req {
	uint8_t *status;
	uint8_t *buf;
};

static struct req req_add(struct rig *r, uint16_t raw_addr, uint32_t flags, uint8_t *data,
			  uint32_t len)
{
	struct vplat_virtio_i2c_out_hdr *h = dma(r, sizeof(*h));
	h->addr = vplat_cpu_to_le16(raw_addr);
	h->padding = 0;
	h->flags = vplat_cpu_to_le32(flags);
	struct req q = {.status = dma(r, 1), .buf = len ? dma(r, len) : NULL};
	*q.status = 0xee;
	if (len && !(flags & RD))
		memcpy(q.buf, data, len);
	else if (len)
		memset(q.buf, 0xaa, len);
	struct vplat_val_buf b[3];
	unsigned nr = 0, nw = 0;
	b[nr++] = (struct vplat_val_buf){.ptr = h, .len = sizeof(*h)};
	if (len && !(flags & RD))
		b[nr++] = (struct vplat_val_buf){.ptr = q.buf, .len = len};
	if (len && (flags & RD))
		b[nr + nw++] = (struct vplat_val_buf){.ptr = q.buf, .len = len};
	b[nr + nw++] = (struct vplat_val_buf){.ptr = q.status, .len = 1};
	ck_assert_int_eq(vplat_val_vq_add(&r->rq, b, nr, nw, q.status), 0);
	return q;
}

/* Kick and collect @n used buffers, checking ring order. */
static void run(struct rig *r, struct req *q, unsigned n)
{
	vplat_val_vq_kick(&r->rq);
	for (unsigned i = 0; i < n; i++) {
		void *tok;
		uint32_t len;
		ck_assert_int_eq(vplat_val_wait_used(&r->rq, &tok, &len, 1000), 0);
		ck_assert_ptr_eq(tok, q[i].status); /* processed and completed in order */
	}
	void *tok;
	uint32_t len;
	ck_assert_int_ne(vplat_val_vq_get_used(&r->rq, &tok, &len), 0);
}

/* SMBus "read word data" as i2c-virtio sends it: write the register, read 2 (one group). */
static uint8_t read_reg16(struct rig *r, uint8_t addr, uint8_t reg, uint16_t *val)
{
	struct req q[2];
	q[0] = req_add(r, (uint16_t)(addr << 1), FN, &reg, 1);
	q[1] = req_add(r, (uint16_t)(addr << 1), RD, NULL, 2);
	run(r, q, 2);
	if (val)
		*val = (uint16_t)(q[1].buf[0] << 8 | q[1].buf[1]);
	return *q[0].status == OK ? *q[1].status : ERR;
}

START_TEST(lm75_temperature)
{
	struct rig r;
	rig_up(&r, _i);
	uint16_t v;
	ck_assert_uint_eq(read_reg16(&r, 0x48, 0, &v), OK);
	ck_assert_uint_eq(v, (uint16_t)(47u << 7)); /* 23.5 C: 47 half degrees */
	ck_assert_uint_eq(r.spy.transfers, 1);      /* one group, one transfer */
	ck_assert_uint_eq(r.spy.last_n, 2);
	ck_assert_int_eq(vplat_i2c_sim_lm75_set(r.spy.sim, 0x48, -10250), 0); /* rounds to -10.5 */
	ck_assert_uint_eq(read_reg16(&r, 0x48, 0, &v), OK);
	ck_assert_uint_eq(v, (uint16_t)((uint16_t)-21 << 7));
	int32_t mc;
	ck_assert_int_eq(vplat_i2c_sim_lm75_get(r.spy.sim, 0x48, &mc), 0);
	ck_assert_int_eq(mc, -10500);
	/* 9-bit range: clamped */
	vplat_i2c_sim_lm75_set(r.spy.sim, 0x48, 200000);
	vplat_i2c_sim_lm75_get(r.spy.sim, 0x48, &mc);
	ck_assert_int_eq(mc, 127500);
	vplat_i2c_sim_lm75_set(r.spy.sim, 0x48, -300000);
	vplat_i2c_sim_lm75_get(r.spy.sim, 0x48, &mc);
	ck_assert_int_eq(mc, -128000);
	/* thyst/tos power-on values and a write of tos (2 bytes, MSB first, low 7 bits dropped) */
	ck_assert_uint_eq(read_reg16(&r, 0x48, 2, &v), OK);
	ck_assert_uint_eq(v, 150u << 7);
	ck_assert_uint_eq(read_reg16(&r, 0x48, 3, &v), OK);
	ck_assert_uint_eq(v, 160u << 7);
	uint8_t w[3] = {3, 0x2d, 0xff};
	struct req q = req_add(&r, 0x48 << 1, 0, w, 3);
	run(&r, &q, 1);
	ck_assert_uint_eq(*q.status, OK);
	ck_assert_uint_eq(read_reg16(&r, 0x48, 3, &v), OK);
	ck_assert_uint_eq(v, 0x2d80);
	/* conf: a byte register; the temperature register is read-only */
	uint8_t c[2] = {1, 0x01};
	q = req_add(&r, 0x48 << 1, 0, c, 2);
	run(&r, &q, 1);
	ck_assert_uint_eq(read_reg16(&r, 0x48, 1, &v), OK);
	ck_assert_uint_eq(v, 0x0101);
	uint8_t t[3] = {0, 0x12, 0x34};
	q = req_add(&r, 0x48 << 1, 0, t, 3);
	run(&r, &q, 1);
	ck_assert_uint_eq(read_reg16(&r, 0x48, 0, &v), OK);
	ck_assert_uint_eq(v, (uint16_t)((uint16_t)-256 << 7));
	ck_assert_uint_eq(vplat_i2c_stats(&r.d)->errors, 0);
	rig_down(&r);
}
END_TEST

START_TEST(eeprom_page_write_and_read)
{
	struct rig r;
	rig_up(&r, _i);
	/* page write at 0x06 of 4 bytes: wraps inside the 8-byte page to 0x00, 0x01 */
	uint8_t w[5] = {0x06, 'a', 'b', 'c', 'd'};
	struct req q[3];
	q[0] = req_add(&r, 0x50 << 1, 0, w, 5);
	run(&r, q, 1);
	ck_assert_uint_eq(*q[0].status, OK);
	uint8_t m[8];
	ck_assert_int_eq(vplat_i2c_sim_eeprom_read(r.spy.sim, 0x50, 0, m, 8), 0);
	ck_assert_mem_eq(m, "cd\xff\xff\xff\xff" "ab", 8);
	/* random read: dummy write of the word address, then a read across the end (wraps) */
	uint8_t a = 0xfe;
	ck_assert_int_eq(vplat_i2c_sim_eeprom_write(r.spy.sim, 0x50, 0xfe, "XY", 2), 0);
	q[0] = req_add(&r, 0x50 << 1, FN, &a, 1);
	q[1] = req_add(&r, 0x50 << 1, RD, NULL, 4);
	run(&r, q, 2);
	ck_assert_uint_eq(*q[0].status, OK);
	ck_assert_uint_eq(*q[1].status, OK);
	ck_assert_mem_eq(q[1].buf, "XYcd", 4);
	/* current-address read continues from the pointer */
	q[0] = req_add(&r, 0x50 << 1, RD, NULL, 2);
	run(&r, q, 1);
	ck_assert_mem_eq(q[0].buf, "\xff\xff", 2);
	/* devicenormative: the write buffer is not changed */
	uint8_t w2[3] = {0x10, 0x55, 0x66};
	q[0] = req_add(&r, 0x50 << 1, 0, w2, 3);
	run(&r, q, 1);
	ck_assert_mem_eq(q[0].buf, "\x10\x55\x66", 3);
	rig_down(&r);
}
END_TEST

START_TEST(eeprom_file_backing)
{
	char path[] = "/tmp/vplat-i2c-eeprom-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "hello", 5), 5);
	struct vplat_i2c_sim *s = vplat_i2c_sim_new();
	ck_assert_int_eq(vplat_i2c_sim_add_eeprom(s, 0x50, 256, 16, path), 0);
	uint8_t b[8];
	ck_assert_int_eq(vplat_i2c_sim_eeprom_read(s, 0x50, 0, b, 6), 0);
	ck_assert_mem_eq(b, "hello\xff", 6); /* short file padded */
	uint8_t w[4] = {0x20, 1, 2, 3};
	struct vplat_i2c_msg m = {.addr = 0x50, .len = 4, .buf = w};
	ck_assert_int_eq(vplat_i2c_host_sim.transfer(s, &m, 1), 1);
	ck_assert_int_eq((int)pread(fd, b, 3, 0x20), 3); /* written back at once */
	ck_assert_mem_eq(b, "\1\2\3", 3);
	ck_assert_int_eq((int)lseek(fd, 0, SEEK_END), 256);
	vplat_i2c_sim_free(s);
	close(fd);
	unlink(path);
	/* bad geometry, duplicate and full bus */
	s = vplat_i2c_sim_new();
	ck_assert_int_eq(vplat_i2c_sim_add_eeprom(s, 0x50, 300, 8, NULL), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_i2c_sim_add_eeprom(s, 0x50, 256, 3, NULL), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_i2c_sim_add_eeprom(s, 0x80, 256, 8, NULL), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_i2c_sim_add_lm75(s, 0x48, 0), 0);
	ck_assert_int_eq(vplat_i2c_sim_add_eeprom(s, 0x48, 256, 8, NULL), VPLAT_EEXIST);
	for (uint16_t a = 1; a < VPLAT_I2C_SIM_MAX_DEVICES; a++)
		ck_assert_int_eq(vplat_i2c_sim_add_lm75(s, a, 0), 0);
	ck_assert_int_eq(vplat_i2c_sim_add_lm75(s, 0x70, 0), VPLAT_ENOSPC);
	ck_assert_int_eq(vplat_i2c_sim_lm75_set(s, 0x70, 0), VPLAT_ENOENT);
	/* 2-byte word address (24c32) */
	vplat_i2c_sim_free(s);
	s = vplat_i2c_sim_new();
	ck_assert_int_eq(vplat_i2c_sim_add_eeprom(s, 0x51, 4096, 32, NULL), 0);
	uint8_t w3[4] = {0x0f, 0xfe, 9, 8};
	m = (struct vplat_i2c_msg){.addr = 0x51, .len = 4, .buf = w3};
	ck_assert_int_eq(vplat_i2c_host_sim.transfer(s, &m, 1), 1);
	ck_assert_int_eq(vplat_i2c_sim_eeprom_read(s, 0x51, 0xffe, b, 2), 0);
	ck_assert_mem_eq(b, "\x09\x08", 2);
	vplat_i2c_sim_free(s);
}
END_TEST

START_TEST(nack_fails_rest_of_group)
{
	/* devicenormative: first failed request ERR; the rest of its group not attempted. */
	struct rig r;
	rig_up(&r, _i);
	uint8_t reg = 0;
	struct req q[4];
	q[0] = req_add(&r, 0x48 << 1, FN, &reg, 1);
	q[1] = req_add(&r, 0x49 << 1, FN, &reg, 1); /* nobody at 0x49: NACK */
	q[2] = req_add(&r, 0x48 << 1, RD, NULL, 2);
	q[3] = req_add(&r, 0x48 << 1, RD, NULL, 2); /* next group: runs */
	run(&r, q, 4);
	ck_assert_uint_eq(*q[0].status, OK);
	ck_assert_uint_eq(*q[1].status, ERR);
	ck_assert_uint_eq(*q[2].status, ERR);
	ck_assert_mem_eq(q[2].buf, "\0\0", 2); /* a failed read returns zeros */
	ck_assert_uint_eq(*q[3].status, OK);
	ck_assert_uint_eq(q[3].buf[0], 47u >> 1);
	ck_assert_uint_eq(r.spy.transfers, 2);
	/* zero-length request (SMBus quick) to a present and an absent device */
	q[0] = req_add(&r, 0x50 << 1, 0, NULL, 0);
	q[1] = req_add(&r, 0x51 << 1, 0, NULL, 0);
	q[2] = req_add(&r, 0x51 << 1, RD, NULL, 0);
	run(&r, q, 3);
	ck_assert_uint_eq(*q[0].status, OK);
	ck_assert_uint_eq(*q[1].status, ERR);
	ck_assert_uint_eq(*q[2].status, ERR);
	rig_down(&r);
}
END_TEST

START_TEST(group_split_across_kicks)
{
	/* A group's requests made available in two kicks still run as one transfer. */
	struct rig r;
	rig_up(&r, _i);
	uint8_t reg = 0;
	struct req q[2];
	q[0] = req_add(&r, 0x48 << 1, FN, &reg, 1);
	vplat_val_vq_kick(&r.rq);
	void *tok;
	uint32_t len;
	ck_assert_int_ne(vplat_val_vq_get_used(&r.rq, &tok, &len), 0); /* held */
	ck_assert_uint_eq(r.spy.transfers, 0);
	q[1] = req_add(&r, 0x48 << 1, RD, NULL, 2);
	run(&r, q, 2);
	ck_assert_uint_eq(r.spy.transfers, 1);
	ck_assert_uint_eq(r.spy.last_n, 2);
	ck_assert_uint_eq(*q[1].status, OK);
	rig_down(&r);
}
END_TEST

/* A request with explicit segments (for malformed layouts). */
static uint8_t *raw_req(struct rig *r, uint16_t addr, uint32_t flags, uint32_t rd_extra,
			uint32_t wr_len)
{
	struct vplat_virtio_i2c_out_hdr *h = dma(r, sizeof(*h) + rd_extra);
	h->addr = vplat_cpu_to_le16(addr);
	h->flags = vplat_cpu_to_le32(flags);
	uint8_t *w = wr_len ? dma(r, wr_len) : NULL;
	if (w)
		memset(w, 0xee, wr_len);
	struct vplat_val_buf b[2] = {{.ptr = h, .len = (uint32_t)sizeof(*h) + rd_extra},
				     {.ptr = w, .len = wr_len}};
	ck_assert_int_eq(vplat_val_vq_add(&r->rq, b, 1, w ? 1 : 0, h), 0);
	return w;
}

START_TEST(malformed_requests_fail_group)
{
	struct rig r;
	rig_up(&r, _i);
	void *tok;
	uint32_t len;
	/* reserved flag bit, bad addresses, read with a readable buffer, write with a
	 * writable buffer: each ERR, no bus traffic */
	uint8_t *s[6];
	s[0] = raw_req(&r, 0x48 << 1, 0x4, 1, 1);
	s[1] = raw_req(&r, (0x48 << 1) | 1, 0, 1, 1);
	s[2] = raw_req(&r, 0x1248, 0, 1, 1);           /* bits 15..8 set in 7-bit format */
	s[3] = raw_req(&r, 0x48 << 1, RD, 1, 3);       /* read + readable buffer */
	s[4] = raw_req(&r, 0x48 << 1, 0, 1, 3);        /* write + writable buffer */
	s[5] = raw_req(&r, 0x48 << 1, 0, 0, 1);        /* fine: quick write */
	vplat_val_vq_kick(&r.rq);
	for (int i = 0; i < 6; i++) {
		ck_assert_int_eq(vplat_val_wait_used(&r.rq, &tok, &len, 1000), 0);
		uint8_t *st = i == 3 || i == 4 ? s[i] + 2 : s[i];
		ck_assert_uint_eq(*st, i == 5 ? OK : ERR);
	}
	ck_assert_uint_eq(r.spy.transfers, 1);
	ck_assert_uint_eq(vplat_i2c_stats(&r.d)->malformed, 5);
	/* no status byte at all: completed with nothing written */
	raw_req(&r, 0x48 << 1, 0, 1, 0);
	vplat_val_vq_kick(&r.rq);
	ck_assert_int_eq(vplat_val_wait_used(&r.rq, &tok, &len, 1000), 0);
	ck_assert_uint_eq(len, 0);
	/* a malformed request inside a group fails the held ones and the rest of the group */
	uint8_t reg = 0;
	struct req q[3];
	q[0] = req_add(&r, 0x48 << 1, FN, &reg, 1);
	uint8_t *bad = raw_req(&r, 0x48 << 1, FN | 0x100, 0, 1);
	q[2] = req_add(&r, 0x48 << 1, RD, NULL, 2);
	vplat_val_vq_kick(&r.rq);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(vplat_val_wait_used(&r.rq, &tok, &len, 1000), 0);
	ck_assert_uint_eq(*q[0].status, ERR);
	ck_assert_uint_eq(*bad, ERR);
	ck_assert_uint_eq(*q[2].status, ERR);
	ck_assert_uint_eq(r.spy.transfers, 1);
	/* then the next group works */
	uint16_t v;
	ck_assert_uint_eq(read_reg16(&r, 0x48, 0, &v), OK);
	rig_down(&r);
}
END_TEST

START_TEST(stats_and_bad_args)
{
	/* The counters of vplat_i2c_stats(): an OK write, an OK read, a NACKed group (the host
	 * end completes 0 of 2), a malformed request. tools/mutate found the error and host-error
	 * counts untested. */
	struct rig r;
	rig_up(&r, _i);
	uint8_t reg = 0;
	struct req q[4];
	q[0] = req_add(&r, 0x48 << 1, FN, &reg, 1);
	q[1] = req_add(&r, 0x48 << 1, RD, NULL, 2);
	run(&r, q, 2);
	ck_assert_uint_eq(*q[1].status, OK);
	const struct vplat_i2c_stats *st = vplat_i2c_stats(&r.d);
	ck_assert_uint_eq(st->requests, 2);
	ck_assert_uint_eq(st->errors, 0);
	ck_assert_uint_eq(st->transfers, 1);
	ck_assert_uint_eq(st->host_errors, 0);
	ck_assert_uint_eq(st->bytes_written, 1);
	ck_assert_uint_eq(st->bytes_read, 2);
	q[0] = req_add(&r, 0x49 << 1, FN, &reg, 1); /* nobody at 0x49 */
	q[1] = req_add(&r, 0x49 << 1, RD, NULL, 2);
	run(&r, q, 2);
	ck_assert_uint_eq(*q[0].status, ERR);
	ck_assert_uint_eq(*q[1].status, ERR);
	ck_assert_uint_eq(st->requests, 4);
	ck_assert_uint_eq(st->errors, 2);
	ck_assert_uint_eq(st->transfers, 2);
	ck_assert_uint_eq(st->host_errors, 1);
	ck_assert_uint_eq(st->bytes_written, 1); /* failed requests move no bytes */
	ck_assert_uint_eq(st->bytes_read, 2);
	uint8_t *bad = raw_req(&r, 0x48 << 1, 0x4, 1, 1); /* reserved flag bit */
	vplat_val_vq_kick(&r.rq);
	void *tok;
	uint32_t len;
	ck_assert_int_eq(vplat_val_wait_used(&r.rq, &tok, &len, 1000), 0);
	ck_assert_uint_eq(*bad, ERR);
	ck_assert_uint_eq(st->requests, 5);
	ck_assert_uint_eq(st->errors, 3);
	ck_assert_uint_eq(st->malformed, 1);
	ck_assert_uint_eq(st->transfers, 2);
	rig_down(&r);
	/* vplat_i2c_init() refuses a missing device, host end or transfer() */
	struct vplat_i2c d;
	static const struct vplat_i2c_host_ops none = {0};
	ck_assert_int_eq(vplat_i2c_init(NULL, NULL, &spy_ops, NULL), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_i2c_init(&d, NULL, NULL, NULL), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_i2c_init(&d, NULL, &none, NULL), VPLAT_EINVAL);
}
END_TEST

START_TEST(group_limits)
{
	struct rig r;
	rig_up(&r, _i);
	/* VPLAT_I2C_GROUP_MAX + 2 requests in one group: all ERR, nothing on the bus */
	struct req q[VPLAT_I2C_GROUP_MAX + 3];
	uint8_t reg = 0;
	unsigned n = VPLAT_I2C_GROUP_MAX + 2;
	for (unsigned i = 0; i < n; i++)
		q[i] = req_add(&r, 0x48 << 1, i + 1 < n ? FN : 0, &reg, 1);
	q[n] = req_add(&r, 0x48 << 1, 0, &reg, 1);
	run(&r, q, n + 1);
	for (unsigned i = 0; i < n; i++)
		ck_assert_uint_eq(*q[i].status, ERR);
	ck_assert_uint_eq(*q[n].status, OK);
	ck_assert_uint_eq(r.spy.transfers, 1);
	/* data larger than VPLAT_I2C_GROUP_BYTES: ERR; exactly that much: fine */
	q[0] = req_add(&r, 0x50 << 1, RD, NULL, VPLAT_I2C_GROUP_BYTES + 1);
	q[1] = req_add(&r, 0x50 << 1, RD, NULL, VPLAT_I2C_GROUP_BYTES);
	run(&r, q, 2);
	ck_assert_uint_eq(*q[0].status, ERR);
	ck_assert_uint_eq(*q[1].status, OK);
	/* the largest group is fine */
	for (unsigned i = 0; i < VPLAT_I2C_GROUP_MAX; i++)
		q[i] = req_add(&r, 0x48 << 1, i + 1 < VPLAT_I2C_GROUP_MAX ? FN : 0, &reg, 1);
	run(&r, q, VPLAT_I2C_GROUP_MAX);
	for (unsigned i = 0; i < VPLAT_I2C_GROUP_MAX; i++)
		ck_assert_uint_eq(*q[i].status, OK);
	rig_down(&r);
}
END_TEST

START_TEST(feature_required_and_reset)
{
	/* devicenormative: offered, and a driver that does not accept it is refused. */
	struct rig r;
	memset(&r, 0, sizeof(r));
	r.spy.sim = vplat_i2c_sim_new();
	enum vplat_loopback_transport kind = (_i & 1) ? VPLAT_LOOPBACK_PCI : VPLAT_LOOPBACK_MMIO;
	ck_assert_int_eq(vplat_loopback_init(&r.lb, kind, 1u << 20), 0);
	ck_assert_int_eq(vplat_i2c_init(&r.d, vplat_loopback_mem(&r.lb), &spy_ops, &r.spy), 0);
	ck_assert_int_eq(vplat_loopback_attach(&r.lb, vplat_i2c_device(&r.d)), 0);
	ck_assert_int_eq(vplat_loopback_val_init(&r.lb, &r.v), 0);
	ck_assert(vplat_val_get_device_features(&r.v) &
		  VPLAT_BIT(VPLAT_VIRTIO_I2C_F_ZERO_LENGTH_REQUEST));
	ck_assert_int_eq(vplat_val_negotiate(&r.v, VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1)),
			 VPLAT_EPROTO);
	vplat_loopback_fini(&r.lb);
	vplat_i2c_sim_free(r.spy.sim);
	/* a held partial group is dropped by a device reset */
	rig_up(&r, _i);
	uint8_t reg = 0;
	req_add(&r, 0x48 << 1, FN, &reg, 1);
	vplat_val_vq_kick(&r.rq);
	ck_assert_uint_eq(r.d.npend, 1);
	ck_assert_int_eq(vplat_val_reset(&r.v), 0);
	ck_assert_uint_eq(r.d.npend, 0);
	ck_assert_uint_eq(r.spy.transfers, 0);
	vplat_val_vq_fini(&r.rq);
	vplat_loopback_fini(&r.lb);
	vplat_i2c_sim_free(r.spy.sim);
}
END_TEST

START_TEST(addr_decode)
{
	uint16_t a, f;
	ck_assert(vplat_i2c_addr_decode(0x48 << 1, &a, &f));
	ck_assert_uint_eq(a, 0x48);
	ck_assert_uint_eq(f, 0);
	ck_assert(vplat_i2c_addr_decode(0x00fe, &a, &f)); /* 0x7f: bits 7..3 are 11111 */
	ck_assert_uint_eq(a, 0x7f);
	ck_assert_uint_eq(f, 0);
	/* 10-bit 0x2a5: A9..A8 = 10, A7..A0 = 0xa5 */
	ck_assert(vplat_i2c_addr_decode(0xa5f4, &a, &f));
	ck_assert_uint_eq(a, 0x2a5);
	ck_assert_uint_eq(f, VPLAT_I2C_MSG_TEN);
	ck_assert(!vplat_i2c_addr_decode(0x0091, &a, &f)); /* bit 0 */
	ck_assert(!vplat_i2c_addr_decode(0x0190, &a, &f)); /* 7-bit with high bits */
}
END_TEST

/* ---- the Linux adapter end on a fake /dev/i2c-N ----------------------------------------- */

static struct vplat_i2c_sim *fake_bus;
static unsigned long fake_funcs = I2C_FUNC_I2C | I2C_FUNC_SMBUS_EMUL;
static int fake_fd_open, fake_rdwr_calls, fake_last_nmsgs;

static int fake_open(const char *path, int flags)
{
	(void)flags;
	if (strcmp(path, "/dev/i2c-7")) {
		errno = ENOENT;
		return -1;
	}
	fake_fd_open++;
	return 77;
}

static int fake_ioctl(int fd, unsigned long req, void *arg)
{
	ck_assert_int_eq(fd, 77);
	if (req == I2C_FUNCS) {
		*(unsigned long *)arg = fake_funcs;
		return 0;
	}
	ck_assert_uint_eq(req, I2C_RDWR);
	struct i2c_rdwr_ioctl_data *d = arg;
	fake_rdwr_calls++;
	fake_last_nmsgs = (int)d->nmsgs;
	struct vplat_i2c_msg m[VPLAT_I2C_GROUP_MAX];
	for (unsigned i = 0; i < d->nmsgs; i++)
		m[i] = (struct vplat_i2c_msg){
		    .addr = d->msgs[i].addr,
		    .flags = (uint16_t)((d->msgs[i].flags & I2C_M_RD ? VPLAT_I2C_MSG_RD : 0) |
					(d->msgs[i].flags & I2C_M_TEN ? VPLAT_I2C_MSG_TEN : 0)),
		    .len = d->msgs[i].len,
		    .buf = d->msgs[i].buf};
	int n = vplat_i2c_host_sim.transfer(fake_bus, m, d->nmsgs);
	if (n != (int)d->nmsgs) {
		errno = ENXIO; /* the kernel: all or nothing */
		return -1;
	}
	return n;
}

static int fake_close(int fd)
{
	ck_assert_int_eq(fd, 77);
	fake_fd_open--;
	return 0;
}

static const struct vplat_i2c_linux_sys fake_sys = {fake_open, fake_ioctl, fake_close};

START_TEST(linux_adapter_end)
{
	fake_bus = vplat_i2c_sim_new();
	ck_assert_int_eq(vplat_i2c_sim_add_lm75(fake_bus, 0x48, 31000), 0);
	int e;
	ck_assert_ptr_null(vplat_i2c_linux_open("/dev/i2c-3", &fake_sys, &e));
	ck_assert_int_eq(e, VPLAT_EIO);
	fake_funcs = I2C_FUNC_SMBUS_EMUL; /* SMBus-only adapter: refused */
	ck_assert_ptr_null(vplat_i2c_linux_open("7", &fake_sys, &e));
	ck_assert_int_eq(e, VPLAT_ENOTSUP);
	ck_assert_int_eq(fake_fd_open, 0);
	fake_funcs = I2C_FUNC_I2C | I2C_FUNC_SMBUS_EMUL;
	struct vplat_i2c_linux *l = vplat_i2c_linux_open("7", &fake_sys, &e); /* N: /dev/i2c-N */
	ck_assert_ptr_nonnull(l);
	ck_assert_uint_eq(vplat_i2c_linux_funcs(l) & I2C_FUNC_I2C, I2C_FUNC_I2C);
	struct rig r;
	memset(&r, 0, sizeof(r));
	rig_up_ops(&r, _i, &vplat_i2c_host_linux, l);
	uint16_t v;
	ck_assert_uint_eq(read_reg16(&r, 0x48, 0, &v), OK);
	ck_assert_uint_eq(v, 62u << 7);
	ck_assert_int_eq(fake_rdwr_calls, 1); /* the group is one I2C_RDWR */
	ck_assert_int_eq(fake_last_nmsgs, 2);
	/* a failed ioctl fails the whole group */
	ck_assert_uint_eq(read_reg16(&r, 0x4f, 0, &v), ERR);
	/* 10-bit address without I2C_FUNC_10BIT_ADDR: refused without an ioctl */
	struct req q = req_add(&r, 0xa5f4, 0, NULL, 0);
	run(&r, &q, 1);
	ck_assert_uint_eq(*q.status, ERR);
	ck_assert_int_eq(fake_rdwr_calls, 2);
	vplat_val_vq_fini(&r.rq);
	vplat_loopback_fini(&r.lb);
	vplat_i2c_linux_close(l);
	ck_assert_int_eq(fake_fd_open, 0);
	vplat_i2c_sim_free(fake_bus);
	fake_rdwr_calls = 0;
	/* the real open path: a missing adapter */
	ck_assert_ptr_null(vplat_i2c_linux_open("/nonexistent/i2c-99", NULL, &e));
	ck_assert_int_eq(e, VPLAT_EIO);
}
END_TEST

START_TEST(instance_options)
{
	struct vplat_loopback lb;
	ck_assert_int_eq(vplat_loopback_init(&lb, VPLAT_LOOPBACK_MMIO, 1u << 20), 0);
	struct vplat_instance_i2c_lm75 lm = {.addr = 0x48, .millicelsius = 42000};
	struct vplat_instance_i2c_eeprom ee = {.addr = 0x50};
	struct vplat_instance_options o = {.type = VPLAT_INSTANCE_I2C,
					   .i2c = {.lm75 = &lm, .nlm75 = 1, .eeprom = &ee,
						   .neeprom = 1}};
	struct vplat_instance *in;
	char err[256];
	ck_assert_int_eq(vplat_instance_create(&in, vplat_loopback_mem(&lb), &o, err, sizeof(err)), 0);
	ck_assert_uint_eq(vplat_instance_device(in)->ops->device_id, VPLAT_VIRTIO_ID_I2C);
	int32_t mc;
	ck_assert_int_eq(vplat_i2c_sim_lm75_get(vplat_instance_i2c_sim(in), 0x48, &mc), 0);
	ck_assert_int_eq(mc, 42000);
	uint8_t b;
	ck_assert_int_eq(vplat_i2c_sim_eeprom_read(vplat_instance_i2c_sim(in), 0x50, 255, &b, 1), 0);
	ck_assert_str_eq(vplat_instance_type_name(VPLAT_INSTANCE_I2C), "i2c");
	ck_assert(vplat_instance_in_order(VPLAT_INSTANCE_I2C));
	vplat_instance_destroy(in);
	o.i2c.adapter = "/dev/i2c-0";
	ck_assert_int_eq(vplat_instance_create(&in, vplat_loopback_mem(&lb), &o, err, sizeof(err)),
			 VPLAT_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "exclude"));
	o.i2c = (struct vplat_instance_i2c){.adapter = "/nonexistent/i2c-9"};
	ck_assert_int_eq(vplat_instance_create(&in, vplat_loopback_mem(&lb), &o, err, sizeof(err)),
			 VPLAT_EIO);
	ck_assert_ptr_nonnull(strstr(err, "i2c: adapter /nonexistent/i2c-9"));
	vplat_loopback_fini(&lb);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("i2c");
	TCase *tc = tcase_create("i2c");
	tcase_add_loop_test(tc, lm75_temperature, 0, 4);
	tcase_add_loop_test(tc, eeprom_page_write_and_read, 0, 4);
	tcase_add_loop_test(tc, nack_fails_rest_of_group, 0, 4);
	tcase_add_loop_test(tc, group_split_across_kicks, 0, 4);
	tcase_add_loop_test(tc, malformed_requests_fail_group, 0, 4);
	tcase_add_loop_test(tc, stats_and_bad_args, 0, 4);
	tcase_add_loop_test(tc, group_limits, 0, 4);
	tcase_add_loop_test(tc, feature_required_and_reset, 0, 4);
	tcase_add_loop_test(tc, linux_adapter_end, 0, 4);
	tcase_add_test(tc, eeprom_file_backing);
	tcase_add_test(tc, addr_decode);
	tcase_add_test(tc, instance_options);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vplat_test_main(suite());
}
