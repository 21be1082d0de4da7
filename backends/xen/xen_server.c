/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Xen ioreq server: the libxen half of the Xen back end (vplat/backend/xen.h).
 *
 * Per domain: one ioreq server (no buffered ioreqs), its shared ioreq page mapped with
 * xenforeignmemory_map_resource(), each device window mapped to it, one event channel per
 * vCPU, and the domain's RAM reachable through the caller's vplat_mem by a mapping cache
 * (xen_mapcache.c, the map's resolver): per bank one inaccessible address-space reservation,
 * each 2 MiB chunk foreign-mapped into its place (xenforeignmemory_map2, MAP_FIXED) when a
 * device first touches it. A page the hypervisor refuses to map is never translated, so a
 * descriptor pointing at a page the domain does not own fails translation (VPLAT_EFAULT)
 * instead of faulting the server. An IOREQ_TYPE_INVALIDATE (the domain gave pages back)
 * unmaps every chunk; the next lookups map again.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <xendevicemodel.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xen/hvm/dm_op.h>
#include <xen/hvm/ioreq.h>
#include <xen/memory.h>

#include "vplat/backend/xen.h"
#include "vplat/device.h"
#include "vplat/error.h"
#include "vplat/spec/virtio_config.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE  ((uint64_t)1 << PAGE_SHIFT)
#define CHUNK_PAGES (VPLAT_XEN_CHUNK_SIZE >> PAGE_SHIFT)
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000 /* Linux >= 4.17 */
#endif
#define RESERVE_FLAGS (MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE)

struct xen_dev {
	struct vplat_mmio mmio;
	struct vplat_xen_server *s;
	uint32_t irq;
	bool reported; /* DEVICE_NEEDS_RESET logged since the last reset */
};

struct vplat_xen_server {
	uint32_t domid;
	xendevicemodel_handle *dm;
	xenforeignmemory_handle *fm;
	xenevtchn_handle *xce;
	ioservid_t id;
	bool have_id;
	xenforeignmemory_resource_handle *res;
	shared_iopage_t *page;
	unsigned nvcpus;
	evtchn_port_t ports[VPLAT_XEN_MAX_VCPUS];
	bool bound[VPLAT_XEN_MAX_VCPUS];
	struct xen_dev devs[VPLAT_XEN_MAX_DEVICES];
	struct vplat_xen_window win[VPLAT_XEN_MAX_DEVICES];
	unsigned ndevs;
	uint32_t vendor_id;
	struct vplat_mem *mem;
	struct vplat_xen_ram_bank bank[2]; /* Arm's GUEST_RAM0/GUEST_RAM1 (or one given bank) */
	unsigned nbanks;
	struct vplat_xen_mapcache *mc; /* owns one reservation per bank, chunks mapped into it */
	xen_pfn_t pfns[CHUNK_PAGES]; /* scratch of mc_map() (the cache serialises it) */
	unsigned map_warnings;
	bool ram_tried; /* vplat_xen_server_map_ram() ran */
	int ram_rc;     /* and its result */
	struct vplat_xen_stats st;
	vplat_xen_log_fn log;
	void *log_opaque;
};

__attribute__((format(printf, 3, 4))) static void slog(struct vplat_xen_server *s, int lvl,
						       const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	if (s->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	s->log(s->log_opaque, lvl, buf);
}

static void dev_irq(void *opaque, bool level)
{
	struct xen_dev *d = opaque;

	if (xendevicemodel_set_irq_level(d->s->dm, d->s->domid, d->irq, level ? 1 : 0) != 0)
		d->s->st.irq_errors++;
}

/* The cache's foreign mapping: one chunk at its fixed place in the bank's reservation. */
static int mc_map(void *opaque, uint64_t gpa, uint64_t npages, void *at, int *errs)
{
	struct vplat_xen_server *s = opaque;

	for (uint64_t i = 0; i < npages; i++)
		s->pfns[i] = (xen_pfn_t)((gpa >> PAGE_SHIFT) + i);
	void *p = xenforeignmemory_map2(s->fm, s->domid, at, PROT_READ | PROT_WRITE, MAP_FIXED,
					npages, s->pfns, errs);

	if (p == at)
		return 0;
	int e = errno;

	if (p != NULL)
		(void)xenforeignmemory_unmap(s->fm, p, npages); /* not where asked: not ours */
	/* A failed map has unmapped the range: take it back unless something else has. */
	void *r = mmap(at, npages << PAGE_SHIFT, PROT_NONE, RESERVE_FLAGS | MAP_FIXED_NOREPLACE,
		       -1, 0);
	bool ours = r == at;

	if (r != MAP_FAILED && r != at)
		(void)munmap(r, npages << PAGE_SHIFT);
	if (++s->map_warnings <= 8)
		slog(s, 1, "dom%u: mapping %llu page(s) of RAM at 0x%llx failed: %s%s", s->domid,
		     (unsigned long long)npages, (unsigned long long)gpa, strerror(e),
		     ours ? "" : " (and the address range was taken meanwhile: not used again)");
	return ours ? VPLAT_EIO : VPLAT_EEXIST;
}

/* Unmap a chunk by mapping the reservation back over it (one call: the range stays ours). */
static void mc_unmap(void *opaque, void *at, uint64_t bytes)
{
	struct vplat_xen_server *s = opaque;

	if (mmap(at, bytes, PROT_NONE, RESERVE_FLAGS | MAP_FIXED, -1, 0) == MAP_FAILED)
		slog(s, 0, "dom%u: unmapping a chunk of RAM: %s", s->domid, strerror(errno));
}

static void mc_release(void *opaque, void *at, uint64_t bytes)
{
	(void)opaque;
	(void)munmap(at, bytes);
}

static void ram_close(struct vplat_xen_server *s)
{
	if (s->ram_tried)
		(void)vplat_mem_set_resolver(s->mem, NULL, NULL);
	vplat_xen_mapcache_free(s->mc); /* gives the reservations back */
	s->mc = NULL;
}

/* Reserve each bank's address range and create the cache (no Xen call yet). */
static int ram_open(struct vplat_xen_server *s)
{
	static const struct vplat_xen_mapcache_ops ops = {mc_map, mc_unmap, mc_release};
	uint8_t *va[2] = {NULL, NULL};

	for (unsigned b = 0; b < s->nbanks; b++) {
		void *p = mmap(NULL, s->bank[b].size, PROT_NONE, RESERVE_FLAGS, -1, 0);

		if (p == MAP_FAILED) {
			while (b-- > 0)
				(void)munmap(va[b], s->bank[b].size);
			return VPLAT_ENOMEM;
		}
		va[b] = p;
	}
	int rc = vplat_xen_mapcache_new(&s->mc, s->bank, s->nbanks, va, &ops, s);

	if (rc != 0)
		for (unsigned b = 0; b < s->nbanks; b++)
			(void)munmap(va[b], s->bank[b].size);
	return rc;
}

static void fail(char *err, size_t len, const char *what, int e)
{
	if (err != NULL && len != 0)
		snprintf(err, len, "%s: %s", what, strerror(e));
}

int vplat_xen_server_open(struct vplat_xen_server **out, const struct vplat_xen_options *opt,
			  char *err, size_t len)
{
	if (out == NULL || opt == NULL || (opt->devs == NULL && opt->ndevs != 0) ||
	    opt->ndevs > VPLAT_XEN_MAX_DEVICES || opt->mem == NULL || opt->ram_size < PAGE_SIZE) {
		fail(err, len, "options", EINVAL);
		return VPLAT_EINVAL;
	}
	struct vplat_xen_server *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		fail(err, len, "allocating the server", ENOMEM);
		return VPLAT_ENOMEM;
	}
	*out = NULL;
	s->domid = opt->domid;
	s->mem = opt->mem;
	s->log = opt->log;
	s->log_opaque = opt->log_opaque;
	if (opt->ram_base != 0) {
		s->bank[0] = (struct vplat_xen_ram_bank){opt->ram_base, opt->ram_size & ~(PAGE_SIZE - 1)};
		s->nbanks = 1;
	} else {
		s->nbanks = vplat_xen_arm_ram_banks(opt->ram_size, s->bank);
	}
	int rc = VPLAT_EIO;

	if (s->nbanks == 0) {
		fail(err, len, "the domain's RAM size", EINVAL);
		free(s);
		return VPLAT_EINVAL;
	}

	s->dm = xendevicemodel_open(NULL, 0);
	s->fm = xenforeignmemory_open(NULL, 0);
	s->xce = xenevtchn_open(NULL, 0);
	if (s->dm == NULL || s->fm == NULL || s->xce == NULL) {
		fail(err, len, "opening the Xen device-model, foreign-memory and event-channel interfaces", errno);
		goto bad;
	}
	if (ram_open(s) != 0) {
		fail(err, len, "reserving address space for the domain's RAM", ENOMEM);
		rc = VPLAT_ENOMEM;
		goto bad;
	}
	/* vplat_xen_server_dispatch() drains pending ports until the read would block. */
	int efd = xenevtchn_fd(s->xce);
	int fl = fcntl(efd, F_GETFL);

	if (fl < 0 || fcntl(efd, F_SETFL, fl | O_NONBLOCK) != 0) {
		fail(err, len, "making the event-channel device non-blocking", errno);
		goto bad;
	}
	if (xendevicemodel_create_ioreq_server(s->dm, s->domid, 0 /* no buffered ioreqs */,
					       &s->id) != 0) {
		int e = errno;

		fail(err, len, e == ENOSYS ? "creating the ioreq server (hypervisor without CONFIG_IOREQ_SERVER?)"
					   : "creating the ioreq server", e);
		rc = e == ENOSYS || e == EOPNOTSUPP ? VPLAT_ENOTSUP : VPLAT_EIO;
		goto bad;
	}
	s->have_id = true;
	void *addr = NULL;

	s->res = xenforeignmemory_map_resource(s->fm, s->domid, XENMEM_resource_ioreq_server, s->id,
					       XENMEM_resource_ioreq_server_frame_ioreq(0), 1, &addr,
					       PROT_READ | PROT_WRITE, 0);
	if (s->res == NULL) {
		fail(err, len, "mapping the ioreq page", errno);
		goto bad;
	}
	s->page = addr;
	s->vendor_id = opt->vendor_id ? opt->vendor_id : 0x006c7076u; /* "vpl" */
	for (unsigned i = 0; i < opt->ndevs; i++) {
		rc = vplat_xen_server_add(s, &opt->devs[i]);
		if (rc != 0) {
			fail(err, len, rc == VPLAT_EINVAL ? "device options"
							  : "mapping a device window to the ioreq server",
			     rc == VPLAT_EINVAL ? EINVAL : errno);
			goto bad;
		}
	}
	rc = VPLAT_EIO;
	unsigned nv = 0;

	if (xendevicemodel_nr_vcpus(s->dm, s->domid, &nv) != 0 || nv == 0 ||
	    nv > VPLAT_XEN_MAX_VCPUS) {
		fail(err, len, "counting the domain's vCPUs", errno ? errno : ERANGE);
		goto bad;
	}
	s->nvcpus = nv;
	if (xendevicemodel_set_ioreq_server_state(s->dm, s->domid, s->id, 1) != 0) {
		fail(err, len, "enabling the ioreq server", errno);
		goto bad;
	}
	for (unsigned i = 0; i < nv; i++) {
		uint32_t remote = __atomic_load_n(&s->page->vcpu_ioreq[i].vp_eport, __ATOMIC_ACQUIRE);
		xenevtchn_port_or_error_t p = xenevtchn_bind_interdomain(s->xce, s->domid, remote);

		if (p < 0) {
			fail(err, len, "binding a vCPU's event channel", errno);
			goto bad;
		}
		s->ports[i] = (evtchn_port_t)p;
		s->bound[i] = true;
	}
	slog(s, 2, "dom%u: ioreq server %u, %u device(s), %u vCPU(s)", s->domid, s->id, s->ndevs, nv);
	*out = s;
	return 0;
bad:
	vplat_xen_server_close(s);
	return rc;
}

int vplat_xen_server_add(struct vplat_xen_server *s, const struct vplat_xen_device *d)
{
	if (s == NULL || d == NULL || d->dev == NULL || s->ndevs >= VPLAT_XEN_MAX_DEVICES)
		return VPLAT_EINVAL;
	uint64_t size = d->size ? d->size : 0x200;

	if (size < VPLAT_MMIO_CONFIG_OFFSET || d->base + size < d->base)
		return VPLAT_EINVAL;
	for (unsigned i = 0; i < s->ndevs; i++)
		if (d->base < s->win[i].base + s->win[i].size && s->win[i].base < d->base + size)
			return VPLAT_EINVAL; /* overlaps a window */
	struct xen_dev *x = &s->devs[s->ndevs];

	x->s = s;
	x->irq = d->irq;
	if (vplat_mmio_init(&x->mmio, d->dev, s->vendor_id, dev_irq, x) != 0)
		return VPLAT_EINVAL;
	if (xendevicemodel_map_io_range_to_ioreq_server(s->dm, s->domid, s->id, 1, d->base,
							d->base + size - 1) != 0)
		return VPLAT_EIO;
	s->win[s->ndevs] = (struct vplat_xen_window){.base = d->base, .size = size,
						     .mmio = &x->mmio};
	s->ndevs++;
	return 0;
}

int vplat_xen_server_fd(const struct vplat_xen_server *s)
{
	return s && s->xce ? xenevtchn_fd(s->xce) : -1;
}

/* Log a device that entered DEVICE_NEEDS_RESET (once until the driver resets it). */
static void check_devices(struct vplat_xen_server *s)
{
	for (unsigned i = 0; i < s->ndevs; i++) {
		struct xen_dev *x = &s->devs[i];
		uint8_t st = vplat_device_get_status(x->mmio.dev);

		if ((st & VPLAT_VIRTIO_STATUS_DEVICE_NEEDS_RESET) == 0) {
			x->reported = false;
			continue;
		}
		if (x->reported)
			continue;
		x->reported = true;
		s->st.needs_reset++;
		int why = -(int)x->mmio.dev->needs_reset_reason;

		slog(s, 0, "dom%u: device %u (%s, window 0x%llx) set DEVICE_NEEDS_RESET: %s; "
			   "the other devices go on",
		     s->domid, i, x->mmio.dev->ops->name ? x->mmio.dev->ops->name : "?",
		     (unsigned long long)s->win[i].base, vplat_strerror(why));
	}
}

static void serve_slot(struct vplat_xen_server *s, ioreq_t *slot)
{
	/* state is a bit-field: read and write it through volatile accesses with fences. */
	if (((volatile ioreq_t *)slot)->state != STATE_IOREQ_READY)
		return;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	/* One private copy: the answer depends on nothing read twice. */
	ioreq_t c;

	memcpy(&c, slot, sizeof(c));
	struct vplat_xen_ioreq r = {.addr = c.addr, .data = c.data, .count = c.count,
				    .size = c.size, .dir = c.dir, .type = c.type,
				    .data_is_ptr = c.data_is_ptr, .df = c.df};
	int res = vplat_xen_dispatch(s->win, s->ndevs, &r);

	switch (res) {
	case VPLAT_XEN_SERVED:
		s->st.served++;
		break;
	case VPLAT_XEN_REJECTED:
		s->st.rejected++;
		if (s->st.rejected <= 8)
			slog(s, 1, "dom%u: %s of %u byte(s) at 0x%llx refused by the virtio-mmio model "
				   "(width or offset); %s",
			     s->domid, c.dir == IOREQ_READ ? "read" : "write", c.size,
			     (unsigned long long)c.addr, c.dir == IOREQ_READ ? "answered 0" : "ignored");
		break;
	case VPLAT_XEN_INVALIDATE:
		s->st.invalidate++;
		/* Single thread: no lookup runs while the chunks go. The resolver is set again to
		 * bump the map's generation, and the queues translate their rings anew. */
		vplat_xen_mapcache_drop(s->mc);
		if (s->ram_tried)
			(void)vplat_mem_set_resolver(s->mem, vplat_xen_mapcache_resolve, s->mc);
		for (unsigned i = 0; i < s->ndevs; i++)
			vplat_device_remap(s->devs[i].mmio.dev);
		break;
	default:
		s->st.refused++;
		if (s->st.refused <= 8)
			slog(s, 1, "dom%u: refused ioreq type %u dir %u addr 0x%llx size %u count %u",
			     s->domid, c.type, c.dir, (unsigned long long)c.addr, c.size, c.count);
		break;
	}
	if (r.dir == VPLAT_XEN_IOREQ_READ && !r.data_is_ptr)
		slot->data = r.data;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	((volatile ioreq_t *)slot)->state = STATE_IORESP_READY;
}

int vplat_xen_server_map_ram(struct vplat_xen_server *s)
{
	if (s == NULL)
		return VPLAT_EINVAL;
	if (s->ram_tried)
		return s->ram_rc;
	s->ram_tried = true;
	(void)vplat_mem_set_resolver(s->mem, vplat_xen_mapcache_resolve, s->mc);
	for (unsigned b = 0; b < s->nbanks; b++)
		slog(s, 2, "dom%u RAM bank %u 0x%llx +%llu MiB: mapped on demand, %llu KiB chunks",
		     s->domid, b, (unsigned long long)s->bank[b].base,
		     (unsigned long long)(s->bank[b].size >> 20),
		     (unsigned long long)(VPLAT_XEN_CHUNK_SIZE >> 10));
	/* The first chunk now: a domain whose memory cannot be mapped at all shows at once. */
	uint64_t n = 0;

	s->ram_rc = vplat_xen_mapcache_resolve(s->mc, s->bank[0].base, 1, &n) != NULL ? 0 : VPLAT_EIO;
	if (s->ram_rc != 0)
		slog(s, 0, "dom%u: the first page of RAM at 0x%llx cannot be mapped", s->domid,
		     (unsigned long long)s->bank[0].base);
	for (unsigned i = 0; i < s->ndevs; i++)
		vplat_device_remap(s->devs[i].mmio.dev);
	return s->ram_rc;
}

int vplat_xen_server_dispatch(struct vplat_xen_server *s)
{
	if (s == NULL)
		return VPLAT_EINVAL;
	/* Before the first request is served, if the caller has not mapped RAM yet. */
	(void)vplat_xen_server_map_ram(s);
	for (int budget = 64; budget > 0; budget--) {
		xenevtchn_port_or_error_t port = xenevtchn_pending(s->xce);

		if (port < 0)
			return errno == EAGAIN ? 0 : VPLAT_EIO;
		(void)xenevtchn_unmask(s->xce, (evtchn_port_t)port);
		for (unsigned i = 0; i < s->nvcpus; i++) {
			if (!s->bound[i] || s->ports[i] != (evtchn_port_t)port)
				continue;
			serve_slot(s, &s->page->vcpu_ioreq[i]);
			(void)xenevtchn_notify(s->xce, s->ports[i]);
			check_devices(s);
		}
	}
	return 0;
}

bool vplat_xen_server_alive(struct vplat_xen_server *s)
{
	unsigned nv = 0;

	if (s == NULL || s->dm == NULL)
		return false;
	return xendevicemodel_nr_vcpus(s->dm, s->domid, &nv) == 0;
}

void vplat_xen_server_stats(const struct vplat_xen_server *s, struct vplat_xen_stats *out)
{
	if (s != NULL && out != NULL) {
		*out = s->st;
		vplat_xen_mapcache_stats(s->mc, &out->ram);
	}
}

void vplat_xen_server_close(struct vplat_xen_server *s)
{
	if (s == NULL)
		return;
	for (unsigned i = 0; i < s->ndevs; i++)
		vplat_device_reset(s->devs[i].mmio.dev);
	for (unsigned i = 0; i < s->nvcpus; i++)
		if (s->bound[i])
			(void)xenevtchn_unbind(s->xce, s->ports[i]);
	if (s->have_id) {
		(void)xendevicemodel_set_ioreq_server_state(s->dm, s->domid, s->id, 0);
		(void)xendevicemodel_destroy_ioreq_server(s->dm, s->domid, s->id);
	}
	if (s->res != NULL)
		(void)xenforeignmemory_unmap_resource(s->fm, s->res);
	if (s->fm != NULL)
		ram_close(s);
	for (unsigned i = 0; i < s->ndevs; i++)
		vplat_device_remap(s->devs[i].mmio.dev);
	if (s->xce != NULL)
		xenevtchn_close(s->xce);
	if (s->fm != NULL)
		xenforeignmemory_close(s->fm);
	if (s->dm != NULL)
		xendevicemodel_close(s->dm);
	free(s);
}
