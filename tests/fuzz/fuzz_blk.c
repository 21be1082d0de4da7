/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the block request parser (sec: Device Types / Block Device / Device
 * Operation). The input chooses the negotiated features, how the request is cut into
 * readable and writable segments, and the bytes of the header and data; a request the parser
 * accepts is then run against a small in-memory disk, whose bounds checks must never fire.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "devices/blk/blk_internal.h"
#include "vplat/blk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DISK_SECTORS 64u

static struct vplat_blk blk;
static struct vplat_blk_req slots[2];
static struct vplat_blk_mem disk;
static uint8_t disk_data[DISK_SECTORS * 512];
static uint8_t buf[8192];
static struct vplat_mem mem;
static struct vplat_mem_region region;

static void setup(uint8_t sel)
{
	struct vplat_blk_config c = {.capacity = DISK_SECTORS, .writeback = true, .discard = true,
				     .write_zeroes = true, .secure_erase = true, .lifetime = true,
				     .read_only = sel & 0x80, .max_discard_sectors = 16};
	memcpy(c.id, "fuzz", 4);
	vplat_mem_init(&mem, &region, 1);
	disk.data = disk_data;
	disk.size = sizeof(disk_data);
	disk.has_lifetime = true; /* metrics at init: LIFETIME offered (VPLAT-BLK-029) */
	disk.fail = sel & 0x20 ? 1 : 0;
	vplat_blk_init(&blk, &mem, &c, &vplat_blk_host_mem, &disk, slots, 2);
	disk.has_lifetime = sel & 0x40; /* ... and a host end that may fail to answer later */
	/* Negotiated set: a subset of the offer picked by the input. */
	uint64_t pick = ((uint64_t)sel << 9) | ((uint64_t)sel << 1) | ((uint64_t)sel >> 3 << 13);
	blk.dev.features = blk.dev.host_features & (pick | VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	setup(data[0]);
	struct vplat_blk_req *r = &slots[0];
	struct vplat_chain *c = &r->chain;
	unsigned nseg = 1 + data[1] % 8;
	const uint8_t *lens = data + 2;
	size_t hdr = 2 + 2 * (size_t)nseg;
	if (size < hdr)
		return 0;
	size_t body = size - hdr, pos = 0;
	memset(buf, 0, sizeof(buf));
	memcpy(buf, data + hdr, body < sizeof(buf) ? body : sizeof(buf));
	memset(c, 0, sizeof(*c));
	c->iov = r->chain_iov;
	c->iov_cap = VPLAT_BLK_SEGS;
	bool writable = false;
	for (unsigned i = 0; i < nseg; i++) {
		size_t len = (size_t)(lens[2 * i] & 0x7f) * 8 + (lens[2 * i + 1] & 7);
		writable |= lens[2 * i] & 0x80; /* once writable, the rest is too (ring rule) */
		if (pos + len > sizeof(buf))
			len = sizeof(buf) - pos;
		c->iov[i] = (struct vplat_iov){.base = buf + pos, .len = len};
		pos += len;
		if (writable) {
			c->nwrite++;
			c->write_len += len;
		} else {
			c->nread++;
			c->read_len += len;
		}
	}
	r->blk = &blk;
	int st = vplat_blk_parse(&blk, r);
	if (st == BLK_SUBMIT) {
		/* Everything the parser hands on must lie inside the disk and the chain. */
		if (r->op <= VPLAT_BLK_OP_WRITE &&
		    (r->offset + r->len > sizeof(disk_data) || r->niov > VPLAT_BLK_SEGS))
			__builtin_trap();
		for (uint32_t i = 0; i < r->nranges; i++)
			if (r->ranges[i].offset + r->ranges[i].len > sizeof(disk_data))
				__builtin_trap();
		vplat_blk_host_mem.submit(&disk, r);
	} else if (st != BLK_BROKEN && st > (int)VPLAT_VIRTIO_BLK_S_UNSUPP) {
		__builtin_trap();
	}
	return 0;
}
