/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Guest memory from the front-end: SET_MEM_TABLE, ADD_MEM_REG, REM_MEM_REG. Each region's fd
 * is mapped shared and entered in the device's struct vplat_mem; vring addresses (front-end
 * user addresses) are translated to guest-physical ones through the same table.
 */
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include "vhu_internal.h"

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* Structural checks that need no fd: sizes, wrap-around. */
static int region_sane(const struct vhu_region *r)
{
	if (r->size == 0)
		return VPLAT_EINVAL;
	if (r->gpa + r->size < r->gpa || r->uaddr + r->size < r->uaddr ||
	    r->mmap_offset + r->size < r->mmap_offset || r->mmap_offset + r->size > SIZE_MAX)
		return VPLAT_EOVERFLOW;
	return 0;
}

/* Does @r collide, in guest or user address space, with a region we hold? */
static bool collides(const struct vplat_vhu_backend *b, const struct vhu_region *r)
{
	for (uint32_t i = 0; i < b->nregions; i++) {
		const struct vplat_vhu_region *o = &b->regions[i];
		if (ranges_overlap(r->gpa, r->size, o->gpa, o->size) ||
		    ranges_overlap(r->uaddr, r->size, o->uaddr, o->size))
			return true;
	}
	return false;
}

/* Map @fd for @r. The fd must really be that large: touching a mapping past the end of the
 * file raises SIGBUS, and a hostile front-end must not be able to kill us that way. */
static int region_map(const struct vhu_region *r, int fd, struct vplat_vhu_region *out)
{
	struct stat st;
	uint64_t need = r->mmap_offset + r->size;
	if (fstat(fd, &st) != 0 || st.st_size < 0 || (uint64_t)st.st_size < need)
		return VPLAT_EINVAL;
	void *p = mmap(NULL, (size_t)need, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return VPLAT_ENOMEM;
	out->gpa = r->gpa;
	out->size = r->size;
	out->uaddr = r->uaddr;
	out->mmap_offset = r->mmap_offset;
	out->map = p;
	out->map_size = need;
	return 0;
}

static void region_unmap(struct vplat_vhu_region *r)
{
	if (r->map)
		munmap(r->map, (size_t)r->map_size);
	memset(r, 0, sizeof(*r));
}

/* Rebuild the device's memory map from b->regions; re-translate ring addresses and tell the
 * device, whose queues keep host pointers into the old mappings until then. */
static int rebuild_map(struct vplat_vhu_backend *b)
{
	int rc = 0;
	vplat_mem_clear(&b->mem);
	for (uint32_t i = 0; i < b->nregions && !rc; i++) {
		struct vplat_vhu_region *r = &b->regions[i];
		rc = vplat_mem_add(&b->mem, r->gpa, r->size, (uint8_t *)r->map + r->mmap_offset);
	}
	for (uint32_t q = 0; !rc && b->dev && q < b->dev->nvqs && q < VPLAT_VHU_MAX_QUEUES; q++) {
		struct vplat_vhu_vring *v = &b->vrings[q];
		if (!v->addr_set)
			continue;
		if (vplat_vhu_ua_to_gpa(b, v->desc_ua, 1, &v->desc_gpa) ||
		    vplat_vhu_ua_to_gpa(b, v->driver_ua, 1, &v->driver_gpa) ||
		    vplat_vhu_ua_to_gpa(b, v->device_ua, 1, &v->device_gpa)) {
			vplat_vhu_log(b, VPLAT_VHU_LOG_WARN, "ring %u is no longer in guest memory", q);
			v->addr_set = false;
			continue;
		}
		struct vplat_vq *vq = vplat_device_vq(b->dev, (uint16_t)q);
		if (vq && v->started) {
			vq->desc_addr = v->desc_gpa;
			vq->driver_addr = v->driver_gpa;
			vq->device_addr = v->device_gpa;
		}
	}
	if (b->dev)
		vplat_device_remap(b->dev);
	return rc;
}

void vplat_vhu_mem_unmap_all(struct vplat_vhu_backend *b)
{
	vplat_mem_clear(&b->mem);
	for (uint32_t i = 0; i < b->nregions; i++)
		region_unmap(&b->regions[i]);
	b->nregions = 0;
}

int vplat_vhu_mem_set_table(struct vplat_vhu_backend *b, struct vhu_msg *m)
{
	const struct vhu_memory *t = &m->u.memory;
	if (m->hdr.size < 8 || t->nregions == 0 || t->nregions > VHU_TABLE_MAX ||
	    m->hdr.size != 8 + t->nregions * sizeof(struct vhu_region))
		return VPLAT_EPROTO;
	if (m->nfds != t->nregions) {
		vplat_vhu_log(b, VPLAT_VHU_LOG_ERROR,
			      "memory table: %u regions but %u fds: guest memory is not shared with "
			      "this back end; " VHU_SHARE_HINT, t->nregions, m->nfds);
		return VPLAT_EPROTO;
	}
	struct vplat_vhu_region nr[VHU_TABLE_MAX];
	memset(nr, 0, sizeof(nr));
	int rc = 0;
	bool mapfail = false;
	for (uint32_t i = 0; i < t->nregions && !rc; i++) {
		const struct vhu_region *r = &t->regions[i];
		rc = region_sane(r);
		for (uint32_t j = 0; j < i && !rc; j++) /* overlaps inside the new table */
			if (ranges_overlap(r->gpa, r->size, nr[j].gpa, nr[j].size) ||
			    ranges_overlap(r->uaddr, r->size, nr[j].uaddr, nr[j].size))
				rc = VPLAT_EEXIST;
		if (!rc && (rc = region_map(r, m->fds[i], &nr[i])) != 0)
			mapfail = true;
	}
	vplat_vhu_close_fds(m); /* the mappings keep the memory; the fds are no longer needed */
	if (rc) {
		if (mapfail)
			vplat_vhu_log(b, VPLAT_VHU_LOG_ERROR,
				      "memory table: a region cannot be mapped: guest memory is not "
				      "shared with this back end; " VHU_SHARE_HINT);
		for (uint32_t i = 0; i < t->nregions; i++)
			region_unmap(&nr[i]);
		return VPLAT_EPROTO;
	}
	/* Swap: the device sees the new map before the old mappings go away. */
	struct vplat_vhu_region old[VPLAT_VHU_MAX_REGIONS];
	uint32_t nold = b->nregions;
	memcpy(old, b->regions, sizeof(old));
	memset(b->regions, 0, sizeof(b->regions));
	memcpy(b->regions, nr, t->nregions * sizeof(nr[0]));
	b->nregions = t->nregions;
	rc = rebuild_map(b);
	for (uint32_t i = 0; i < nold; i++)
		region_unmap(&old[i]);
	vplat_vhu_log(b, VPLAT_VHU_LOG_DEBUG, "memory table: %u regions", b->nregions);
	return rc ? VPLAT_EPROTO : 0;
}

int vplat_vhu_mem_add(struct vplat_vhu_backend *b, struct vhu_msg *m)
{
	const struct vhu_region *r = &m->u.memreg.region;
	if (m->hdr.size != sizeof(struct vhu_memreg) || m->nfds != 1)
		return VPLAT_EPROTO;
	int rc = region_sane(r);
	if (!rc && collides(b, r))
		rc = VPLAT_EEXIST;
	if (!rc && b->nregions >= VPLAT_VHU_MAX_REGIONS)
		rc = VPLAT_ENOSPC;
	struct vplat_vhu_region nr;
	memset(&nr, 0, sizeof(nr));
	if (!rc)
		rc = region_map(r, m->fds[0], &nr);
	vplat_vhu_close_fds(m);
	if (rc)
		return VPLAT_EPROTO;
	b->regions[b->nregions++] = nr;
	if (rebuild_map(b)) {
		region_unmap(&b->regions[--b->nregions]);
		rebuild_map(b);
		return VPLAT_EPROTO;
	}
	return 0;
}

int vplat_vhu_mem_rem(struct vplat_vhu_backend *b, struct vhu_msg *m)
{
	const struct vhu_region *r = &m->u.memreg.region;
	if (m->hdr.size != sizeof(struct vhu_memreg) || m->nfds > 1)
		return VPLAT_EPROTO;
	vplat_vhu_close_fds(m); /* a stray fd is tolerated and closed unused (vhost-user.rst) */
	for (uint32_t i = 0; i < b->nregions; i++) {
		struct vplat_vhu_region *o = &b->regions[i];
		if (o->gpa != r->gpa || o->uaddr != r->uaddr || o->size != r->size)
			continue;
		struct vplat_vhu_region gone = *o;
		memmove(o, o + 1, (b->nregions - i - 1) * sizeof(*o));
		b->nregions--;
		memset(&b->regions[b->nregions], 0, sizeof(*o));
		int rc = rebuild_map(b);
		region_unmap(&gone);
		return rc ? VPLAT_EPROTO : 0;
	}
	return VPLAT_EPROTO;
}

int vplat_vhu_ua_to_gpa(const struct vplat_vhu_backend *b, uint64_t ua, uint64_t len, uint64_t *gpa)
{
	for (uint32_t i = 0; i < b->nregions; i++) {
		const struct vplat_vhu_region *r = &b->regions[i];
		if (ua >= r->uaddr && ua - r->uaddr < r->size && len <= r->size - (ua - r->uaddr)) {
			*gpa = r->gpa + (ua - r->uaddr);
			return 0;
		}
	}
	return VPLAT_EFAULT;
}
