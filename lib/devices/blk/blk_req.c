/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Block request parser (sec: Device Types / Block Device / Device Operation). Freestanding.
 *
 * The chain is untrusted: the header may be split over several readable segments, the status
 * byte is the last byte of the writable part wherever the driver put it, and every length is
 * checked before a byte of guest data is used. Device-side MUSTs implemented here
 * (devicenormative:Device Types / Block Device / Device Operation):
 * - a write to a VIRTIO_BLK_F_RO device gets IOERR and nothing is written;
 * - DISCARD, WRITE_ZEROES and SECURE_ERASE with an unknown flag get UNSUPP, DISCARD with
 *   `unmap` gets UNSUPP;
 * and vplat's choices for driver errors: data not a multiple of 512, a request past
 * `capacity`, data in the wrong direction, more ranges or sectors than advertised: IOERR.
 * Unknown request types, and types whose feature was not negotiated: UNSUPP.
 */
#include <string.h>
#include "blk_internal.h"
#include "vplat/error.h"

#define S_OK VPLAT_VIRTIO_BLK_S_OK
#define S_IOERR VPLAT_VIRTIO_BLK_S_IOERR
#define S_UNSUPP VPLAT_VIRTIO_BLK_S_UNSUPP
#define HDR_LEN ((uint64_t)sizeof(struct vplat_virtio_blk_req_hdr))

/*
 * Copy into out[] the segments covering bytes [skip, skip + len) of segments
 * c->iov[first .. first + nseg). Returns the count (out has VPLAT_BLK_SEGS entries, as many as
 * the chain can have, so it never overflows).
 */
static uint32_t slice(const struct vplat_chain *c, uint32_t first, uint32_t nseg, uint64_t skip,
		      uint64_t len, struct vplat_iov *out)
{
	uint32_t n = 0;
	for (uint32_t i = first; i < first + nseg && len > 0; i++) {
		uint64_t l = c->iov[i].len;
		if (skip >= l) {
			skip -= l;
			continue;
		}
		uint64_t take = l - skip < len ? l - skip : len;
		out[n].base = (uint8_t *)c->iov[i].base + skip;
		out[n].len = (size_t)take;
		n++;
		len -= take;
		skip = 0;
	}
	return n;
}

/* The status byte: last byte of the last non-empty writable segment. */
static uint8_t *find_status(const struct vplat_chain *c)
{
	for (uint32_t i = c->nread + c->nwrite; i > c->nread; i--) {
		const struct vplat_iov *v = &c->iov[i - 1];
		if (v->len)
			return (uint8_t *)v->base + v->len - 1;
	}
	return NULL;
}

/* [sector, sector + bytes/512) inside capacity? */
static bool in_capacity(const struct vplat_blk *blk, uint64_t sector, uint64_t bytes)
{
	uint64_t cap = vplat_le64_to_cpu(blk->config.capacity);
	uint64_t n = bytes >> VPLAT_VIRTIO_BLK_SECTOR_SHIFT;
	return sector <= cap && n <= cap - sector;
}

static int parse_rw(struct vplat_blk *blk, struct vplat_blk_req *r, uint64_t sector, bool write)
{
	const struct vplat_chain *c = &r->chain;
	uint64_t out = c->read_len - HDR_LEN, in = c->write_len - 1;

	/* devicenormative: MUST NOT write any data when RO is offered, accepted or not. */
	if (write && blk->cfg.read_only)
		return S_IOERR;
	if (write ? in != 0 : out != 0)
		return S_IOERR; /* data in the wrong direction */
	uint64_t len = write ? out : in;
	if ((len & (VPLAT_VIRTIO_BLK_SECTOR_SIZE - 1)) || len > UINT32_MAX - 1)
		return S_IOERR;
	if (!in_capacity(blk, sector, len))
		return S_IOERR;
	r->op = write ? VPLAT_BLK_OP_WRITE : VPLAT_BLK_OP_READ;
	r->offset = sector << VPLAT_VIRTIO_BLK_SECTOR_SHIFT;
	r->len = len;
	if (write)
		r->niov = slice(c, 0, c->nread, HDR_LEN, len, r->data_iov);
	else
		r->niov = slice(c, c->nread, c->nwrite, 0, len, r->data_iov);
	r->iov = r->data_iov;
	/* A data segment longer than a negotiated size_max: IOERR, nothing moved (VPLAT-BLK-013).
	 * Segments are checked as mapped; one descriptor split over two memory regions is seen
	 * as two segments. */
	if (vplat_device_has_feature(&blk->dev, VPLAT_VIRTIO_BLK_F_SIZE_MAX))
		for (uint32_t i = 0; i < r->niov; i++)
			if (r->iov[i].len > blk->cfg.size_max)
				return S_IOERR;
	r->sync = write && vplat_blk_sync_writes(blk);
	r->written = write ? 1 : (uint32_t)len + 1;
	return BLK_SUBMIT;
}

static int parse_get_id(struct vplat_blk *blk, struct vplat_blk_req *r)
{
	uint64_t room = r->chain.write_len - 1;
	uint32_t n = room < VPLAT_VIRTIO_BLK_ID_BYTES ? (uint32_t)room : VPLAT_VIRTIO_BLK_ID_BYTES;

	if (r->chain.read_len != HDR_LEN)
		return S_IOERR; /* data in the wrong direction */
	/* A data part shorter than 20 bytes gets the first bytes of the ID (VPLAT-BLK-026). */
	(void)vplat_chain_write(&r->chain, 0, blk->cfg.id, n);
	r->written = n + 1;
	return S_OK;
}

static int parse_lifetime(struct vplat_blk *blk, struct vplat_blk_req *r)
{
	struct vplat_virtio_blk_lifetime lt;

	if (!vplat_device_has_feature(&blk->dev, VPLAT_VIRTIO_BLK_F_LIFETIME))
		return S_UNSUPP;
	if (r->chain.read_len != HDR_LEN || r->chain.write_len - 1 < sizeof(lt))
		return S_IOERR;
	(void)memset(&lt, 0, sizeof(lt));
	if (blk->host->lifetime(blk->host_opaque, &lt) != 0)
		return S_IOERR;
	(void)vplat_chain_write(&r->chain, 0, &lt, sizeof(lt));
	r->written = (uint32_t)sizeof(lt) + 1;
	return S_OK;
}

/* Per-type limits of the range commands. */
static bool range_limits(const struct vplat_blk *blk, uint32_t type, unsigned *feature,
			 uint32_t *max_sectors, enum vplat_blk_op *op)
{
	const struct vplat_virtio_blk_config *k = &blk->config;
	switch (type) {
	case VPLAT_VIRTIO_BLK_T_DISCARD:
		*feature = VPLAT_VIRTIO_BLK_F_DISCARD;
		*max_sectors = vplat_le32_to_cpu(k->max_discard_sectors);
		*op = VPLAT_BLK_OP_DISCARD;
		return true;
	case VPLAT_VIRTIO_BLK_T_WRITE_ZEROES:
		*feature = VPLAT_VIRTIO_BLK_F_WRITE_ZEROES;
		*max_sectors = vplat_le32_to_cpu(k->max_write_zeroes_sectors);
		*op = VPLAT_BLK_OP_WRITE_ZEROES;
		return true;
	case VPLAT_VIRTIO_BLK_T_SECURE_ERASE:
		*feature = VPLAT_VIRTIO_BLK_F_SECURE_ERASE;
		*max_sectors = vplat_le32_to_cpu(k->max_secure_erase_sectors);
		*op = VPLAT_BLK_OP_SECURE_ERASE;
		return true;
	default:
		return false;
	}
}

static int parse_ranges(struct vplat_blk *blk, struct vplat_blk_req *r, uint32_t type)
{
	const struct vplat_chain *c = &r->chain;
	unsigned feature = 0;
	uint32_t max_sectors = 0;
	enum vplat_blk_op op = VPLAT_BLK_OP_DISCARD;
	struct vplat_virtio_blk_discard_write_zeroes seg;

	(void)range_limits(blk, type, &feature, &max_sectors, &op);
	if (!vplat_device_has_feature(&blk->dev, feature))
		return S_UNSUPP;
	uint64_t out = c->read_len - HDR_LEN;
	if (out == 0 || out % sizeof(seg) || out / sizeof(seg) > VPLAT_BLK_RANGES ||
	    c->write_len != 1)
		return S_IOERR;
	uint32_t n = (uint32_t)(out / sizeof(seg));
	int st = S_OK;
	for (uint32_t i = 0; i < n; i++) {
		(void)vplat_chain_read(c, (size_t)HDR_LEN + (size_t)i * sizeof(seg), &seg, sizeof(seg));
		uint32_t flags = vplat_le32_to_cpu(seg.flags);
		uint64_t sector = vplat_le64_to_cpu(seg.sector);
		uint32_t num = vplat_le32_to_cpu(seg.num_sectors);
		bool unmap = flags & VPLAT_VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP;
		/* devicenormative: unknown flags, and unmap on DISCARD: UNSUPP (wins over IOERR). */
		if ((flags & ~VPLAT_VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP) ||
		    (unmap && type != VPLAT_VIRTIO_BLK_T_WRITE_ZEROES))
			return S_UNSUPP;
		if (num > max_sectors || !in_capacity(blk, sector, (uint64_t)num << 9))
			st = S_IOERR;
		r->range[i].offset = sector << VPLAT_VIRTIO_BLK_SECTOR_SHIFT;
		r->range[i].len = (uint64_t)num << VPLAT_VIRTIO_BLK_SECTOR_SHIFT;
		r->range[i].unmap = unmap;
	}
	if (st != S_OK)
		return st;
	if (blk->cfg.read_only)
		return S_IOERR; /* a range command is a write (VPLAT-BLK-033) */
	r->op = op;
	r->ranges = r->range;
	r->nranges = n;
	r->written = 1;
	return BLK_SUBMIT;
}

int vplat_blk_parse(struct vplat_blk *blk, struct vplat_blk_req *r)
{
	const struct vplat_chain *c = &r->chain;
	struct vplat_virtio_blk_req_hdr hdr;

	r->status = NULL;
	r->written = 0;
	r->niov = 0;
	r->iov = NULL;
	r->nranges = 0;
	r->ranges = NULL;
	r->offset = 0;
	r->len = 0;
	r->sync = false;
	r->charged = false;
	if (c->read_len < HDR_LEN || c->write_len < 1)
		return BLK_BROKEN;
	r->status = find_status(c);
	(void)vplat_chain_read(c, 0, &hdr, sizeof(hdr));
	uint32_t type = vplat_le32_to_cpu(hdr.type);
	uint64_t sector = vplat_le64_to_cpu(hdr.sector);
	r->written = 1;

	switch (type) {
	case VPLAT_VIRTIO_BLK_T_IN:
		return parse_rw(blk, r, sector, false);
	case VPLAT_VIRTIO_BLK_T_OUT:
		return parse_rw(blk, r, sector, true);
	case VPLAT_VIRTIO_BLK_T_FLUSH:
		if (!vplat_device_has_feature(&blk->dev, VPLAT_VIRTIO_BLK_F_FLUSH) &&
		    blk->cfg.no_flush)
			return S_UNSUPP;
		r->op = VPLAT_BLK_OP_FLUSH;
		return BLK_SUBMIT;
	case VPLAT_VIRTIO_BLK_T_GET_ID:
		return parse_get_id(blk, r);
	case VPLAT_VIRTIO_BLK_T_GET_LIFETIME:
		return parse_lifetime(blk, r);
	case VPLAT_VIRTIO_BLK_T_DISCARD:
	case VPLAT_VIRTIO_BLK_T_WRITE_ZEROES:
	case VPLAT_VIRTIO_BLK_T_SECURE_ERASE:
		return parse_ranges(blk, r, type);
	default:
		return S_UNSUPP;
	}
}
