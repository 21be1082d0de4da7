/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PALs "linux-mmio" and "linux-pci": vplat-conform inside a Linux guest drives the
 * hypervisor's own virtio devices from user space (run as root, no virtio driver needed).
 *
 * - Discovery. MMIO: the windows given with --pal-arg mmio=BASE@SIZE, else the kernel command
 *   line's virtio_mmio.device=SIZE@BASE[:IRQ], else every /proc/iomem entry named LNRO0005
 *   (ACPI, e.g. QEMU microvm) or virtio-mmio/virtio_mmio (device tree); windows whose
 *   MagicValue is wrong or whose DeviceID is 0 are left out. PCI: every
 *   /sys/bus/pci/devices/X with vendor 0x1af4 and a device ID 0x1000..0x107f, or only those
 *   named with --pal-arg pci=DDDD:BB:DD.F. A bound kernel driver is unbound first.
 * - Registers. MMIO through an mmap of /dev/mem; PCI configuration space through pread/pwrite
 *   of sysfs `config`, BARs through mmaps of sysfs `resourceN` (made on first use). Every
 *   access is one volatile load or store of the requested width.
 * - DMA memory. --pal-arg dma=ADDR@SIZE names physically contiguous guest RAM the kernel does
 *   not use (boot with memmap=SIZE$ADDR), mapped through /dev/mem. Without it the PAL mlocks
 *   an anonymous buffer and uses its longest physically contiguous run of pages, found in
 *   /proc/self/pagemap.
 * - Waiting. The PAL's poll op (tests call it while they give the device time to act) samples
 *   the interrupt status and sleeps 0.5 ms, as the device runs on the hypervisor's threads.
 * - Interrupts are polled. The PAL samples InterruptStatus (MMIO; acknowledged at once) or the
 *   ISR byte (PCI; read-to-clear) while the driver waits and counts each non-zero sample as an
 *   interrupt (vplat_val_irq_count). The bits sampled are latched so that the driver's own
 *   read of InterruptStatus / ISR still sees them, with the hardware semantics: MMIO bits stay
 *   until written to InterruptACK, a PCI ISR read returns and clears them. A reset (status 0)
 *   drops the latch.
 * - Legacy devices. The validation driver speaks virtio 1.x only. A virtio-mmio window with
 *   Version 1 (QEMU's default) or a PCI function without the common-configuration capability
 *   (legacy only) is listed with "-legacy" in its name; every test on it is SKIPped with the
 *   reason "legacy interface only", except the one that checks the requirement a legacy-only
 *   device breaks (VPLAT-MMIO-002 "Version reads 0x2", VPLAT-PCI-003 "capabilities present"),
 *   which runs against the raw registers and FAILs. Transitional PCI devices (device ID
 *   0x1000..0x103f with the modern capabilities) are driven through the modern interface.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "conformance/pal/pal.h"
#include "vplat/error.h"
#include "vplat/spec/virtio_config.h"
#include "vplat/spec/virtio_mmio.h"
#include "vplat/spec/virtio_pci.h"
#include "vplat/val/val.h"

#define LX_MAX_DEVS 32
#define LX_PAGE 4096u
#define LX_FALLBACK_BYTES (4u << 20)

struct lx_bar {
	volatile uint8_t *p;
	uint64_t len;
	bool tried;
};

struct lx_dev {
	/* MMIO */
	uint64_t base, size;
	volatile uint8_t *regs;
	/* PCI */
	char sysfs[200];
	int cfg_fd;
	struct lx_bar bar[6];
	/* both */
	bool legacy;
	bool pci;
	uint32_t latch;       /* interrupt bits sampled but not yet consumed by the driver */
	uint64_t irqs;        /* non-zero samples */
	int isr_space;        /* PCI: where the ISR byte is, -1 before open */
	uint64_t isr_off;
	int common_space;     /* PCI: device_status location */
	uint64_t status_off;
};

struct lx_pal {
	bool pci;
	int mem_fd;
	uint8_t *dma;
	uint64_t dma_gpa, dma_size;
	void *dma_map;      /* what to munmap */
	uint64_t dma_map_len;
	struct vplat_val_mem mem;
	struct lx_dev dev[LX_MAX_DEVS];
	unsigned ndev;
	char why[LX_MAX_DEVS][160];
};

/* ------------------------------------------------------------------------------------------ */
/* Register access */

static uint64_t vol_rd(volatile uint8_t *p, unsigned size)
{
	switch (size) {
	case 1: return *(volatile uint8_t *)p;
	case 2: return *(volatile uint16_t *)(volatile void *)p;
	case 4: return *(volatile uint32_t *)(volatile void *)p;
	default: return *(volatile uint64_t *)(volatile void *)p;
	}
}

static void vol_wr(volatile uint8_t *p, unsigned size, uint64_t v)
{
	switch (size) {
	case 1: *(volatile uint8_t *)p = (uint8_t)v; break;
	case 2: *(volatile uint16_t *)(volatile void *)p = (uint16_t)v; break;
	case 4: *(volatile uint32_t *)(volatile void *)p = (uint32_t)v; break;
	default: *(volatile uint64_t *)(volatile void *)p = v; break;
	}
}

static volatile uint8_t *bar_map(struct lx_dev *x, unsigned n)
{
	struct lx_bar *b = &x->bar[n];
	if (b->tried)
		return b->p;
	b->tried = true;
	char path[240];
	snprintf(path, sizeof(path), "%s/resource%u", x->sysfs, n);
	int fd = open(path, O_RDWR | O_SYNC);
	if (fd < 0) {
		fprintf(stderr, "linux-pci: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	struct stat st;
	off_t len = fstat(fd, &st) == 0 ? st.st_size : 0; /* sysfs: the BAR size */
	if (len > 0) {
		void *p = mmap(NULL, (size_t)len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p != MAP_FAILED) {
			b->p = p;
			b->len = (uint64_t)len;
		} else {
			fprintf(stderr, "linux-pci: mmap %s: %s\n", path, strerror(errno));
		}
	}
	close(fd);
	return b->p;
}

/* Host address of [off, off+size) in @space, or NULL. */
static volatile uint8_t *where(struct lx_dev *x, unsigned space, uint64_t off, unsigned size)
{
	if (!x->pci) {
		if (space != VPLAT_VAL_SPACE_MMIO || !x->regs || off + size > x->size)
			return NULL;
		return x->regs + off;
	}
	if (space < VPLAT_VAL_SPACE_BAR(0) || space > VPLAT_VAL_SPACE_BAR(5))
		return NULL;
	unsigned n = space - VPLAT_VAL_SPACE_BAR(0);
	volatile uint8_t *p = bar_map(x, n);
	if (!p || off + size > x->bar[n].len) {
		static unsigned warned;
		if (warned++ < 4)
			fprintf(stderr, "linux-pci: %s: no BAR%u mapping for 0x%" PRIx64 "+%u (BAR length 0x%"
				PRIx64 ")\n", x->sysfs, n, off, size, x->bar[n].len);
		return NULL;
	}
	return p + off;
}

static bool is_isr(const struct lx_dev *x, unsigned space, uint64_t off)
{
	if (x->pci)
		return x->isr_space >= 0 && space == (unsigned)x->isr_space && off == x->isr_off;
	return space == VPLAT_VAL_SPACE_MMIO && off == VPLAT_VIRTIO_MMIO_INTERRUPT_STATUS;
}

/* Take what the device's interrupt status shows into the latch; count it. */
static void sample(struct lx_dev *x)
{
	volatile uint8_t *p;
	uint32_t v;
	if (x->legacy)
		return;
	if (x->pci) {
		if (x->isr_space < 0 || !(p = where(x, (unsigned)x->isr_space, x->isr_off, 1)))
			return;
		v = (uint32_t)vol_rd(p, 1); /* read-to-clear */
	} else {
		if (!(p = where(x, VPLAT_VAL_SPACE_MMIO, VPLAT_VIRTIO_MMIO_INTERRUPT_STATUS, 4)))
			return;
		v = (uint32_t)vol_rd(p, 4);
		if (v)
			vol_wr(x->regs + VPLAT_VIRTIO_MMIO_INTERRUPT_ACK, 4, v);
	}
	if (v) {
		x->latch |= v;
		x->irqs++;
	}
}

static uint64_t lx_read(void *ctx, unsigned space, uint64_t off, unsigned size)
{
	struct lx_dev *x = ctx;
	uint64_t ones = size >= 8 ? UINT64_MAX : ((UINT64_C(1) << (size * 8)) - 1);
	if (x->pci && space == VPLAT_VAL_SPACE_PCI_CFG) {
		uint64_t v = 0;
		if (pread(x->cfg_fd, &v, size, (off_t)off) != (ssize_t)size)
			return ones;
		return v; /* little-endian host */
	}
	volatile uint8_t *p = where(x, space, off, size);
	if (!p)
		return x->pci ? ones : 0;
	uint64_t v = vol_rd(p, size);
	if (is_isr(x, space, off) && !x->legacy) {
		v |= x->latch;
		if (x->pci)
			x->latch = 0; /* the ISR clears on read */
	}
	return v;
}

static void lx_write(void *ctx, unsigned space, uint64_t off, unsigned size, uint64_t val)
{
	struct lx_dev *x = ctx;
	if (x->pci && space == VPLAT_VAL_SPACE_PCI_CFG) {
		if (pwrite(x->cfg_fd, &val, size, (off_t)off) != (ssize_t)size)
			fprintf(stderr, "linux-pci: config write at 0x%" PRIx64 " failed: %s\n", off,
				strerror(errno));
		return;
	}
	volatile uint8_t *p = where(x, space, off, size);
	if (!p)
		return;
	if (!x->pci && space == VPLAT_VAL_SPACE_MMIO) {
		if (off == VPLAT_VIRTIO_MMIO_INTERRUPT_ACK)
			x->latch &= ~(uint32_t)val;
		else if (off == VPLAT_VIRTIO_MMIO_STATUS && (val & 0xff) == 0)
			x->latch = 0;
	} else if (x->pci && x->common_space >= 0 && space == (unsigned)x->common_space &&
		   off == x->status_off && (val & 0xff) == 0) {
		x->latch = 0;
	}
	vol_wr(p, size, val);
}

static uint64_t lx_irq_count(void *ctx)
{
	struct lx_dev *x = ctx;
	sample(x);
	return x->irqs;
}

static void lx_poll(void *ctx)
{
	sample(ctx);
	struct timespec ts = {.tv_sec = 0, .tv_nsec = 20000};
	nanosleep(&ts, NULL);
}

static const struct vplat_val_io_ops lx_io_ops = {
	.read = lx_read,
	.write = lx_write,
	.irq_count = lx_irq_count,
	.poll = lx_poll,
};

/* ------------------------------------------------------------------------------------------ */
/* DMA memory */

static int dma_devmem(struct lx_pal *p, uint64_t addr, uint64_t size)
{
	if (addr % LX_PAGE || size % LX_PAGE || size == 0) {
		fprintf(stderr, "linux PAL: dma=ADDR@SIZE must be page aligned\n");
		return VPLAT_EINVAL;
	}
	void *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, p->mem_fd, (off_t)addr);
	if (m == MAP_FAILED) {
		fprintf(stderr, "linux PAL: mmap of /dev/mem at 0x%" PRIx64 " (dma) failed: %s\n",
			addr, strerror(errno));
		return VPLAT_EIO;
	}
	p->dma_map = m;
	p->dma_map_len = size;
	p->dma = m;
	p->dma_gpa = addr;
	p->dma_size = size;
	return 0;
}

/* The longest physically contiguous run of an mlocked anonymous buffer. */
static int dma_pagemap(struct lx_pal *p)
{
	size_t len = LX_FALLBACK_BYTES;
	uint8_t *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
			  -1, 0);
	if (m == MAP_FAILED)
		return VPLAT_ENOMEM;
	if (mlock(m, len) != 0) {
		munmap(m, len);
		return VPLAT_ENOMEM;
	}
	for (size_t i = 0; i < len; i += LX_PAGE)
		m[i] = 1; /* fault every page in */
	int fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0) {
		munmap(m, len);
		return VPLAT_EIO;
	}
	size_t npages = len / LX_PAGE, best = 0, best_at = 0, run = 0, run_at = 0;
	uint64_t prev = 0;
	for (size_t i = 0; i < npages; i++) {
		uint64_t e = 0;
		off_t at = (off_t)(((uintptr_t)m / LX_PAGE + i) * 8);
		if (pread(fd, &e, 8, at) != 8 || !(e & (UINT64_C(1) << 63))) {
			run = 0;
			continue;
		}
		uint64_t pfn = e & ((UINT64_C(1) << 55) - 1);
		if (pfn == 0) { /* not root: PFNs hidden */
			close(fd);
			munmap(m, len);
			fprintf(stderr, "linux PAL: /proc/self/pagemap hides PFNs (run as root)\n");
			return VPLAT_EIO;
		}
		if (run && pfn == prev + 1) {
			run++;
		} else {
			run = 1;
			run_at = i;
		}
		prev = pfn;
		if (run > best) {
			best = run;
			best_at = run_at;
		}
	}
	close(fd);
	if (best == 0) {
		munmap(m, len);
		return VPLAT_EIO;
	}
	/* Physical address of the run's first page. */
	fd = open("/proc/self/pagemap", O_RDONLY);
	uint64_t e = 0;
	if (fd < 0 || pread(fd, &e, 8, (off_t)(((uintptr_t)m / LX_PAGE + best_at) * 8)) != 8) {
		if (fd >= 0)
			close(fd);
		munmap(m, len);
		return VPLAT_EIO;
	}
	close(fd);
	p->dma_map = m;
	p->dma_map_len = len;
	p->dma = m + best_at * LX_PAGE;
	p->dma_gpa = (e & ((UINT64_C(1) << 55) - 1)) * LX_PAGE;
	p->dma_size = best * LX_PAGE;
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Discovery */

static const char *type_name(uint32_t id)
{
	switch (id) {
	case VPLAT_VIRTIO_ID_NET: return "net";
	case VPLAT_VIRTIO_ID_BLOCK: return "blk";
	case VPLAT_VIRTIO_ID_CONSOLE: return "console";
	case VPLAT_VIRTIO_ID_RNG: return "rng";
	case VPLAT_VIRTIO_ID_BALLOON: return "balloon";
	case VPLAT_VIRTIO_ID_SCSI: return "scsi";
	case VPLAT_VIRTIO_ID_9P: return "9p";
	case VPLAT_VIRTIO_ID_GPU: return "gpu";
	case VPLAT_VIRTIO_ID_INPUT: return "input";
	case VPLAT_VIRTIO_ID_VSOCK: return "vsock";
	case VPLAT_VIRTIO_ID_SOUND: return "sound";
	case VPLAT_VIRTIO_ID_FS: return "fs";
	case VPLAT_VIRTIO_ID_I2C: return "i2c";
	case VPLAT_VIRTIO_ID_CAN: return "can";
	case VPLAT_VIRTIO_ID_GPIO: return "gpio";
	default: return NULL;
	}
}

static void write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return;
	if (write(fd, s, strlen(s)) < 0)
		fprintf(stderr, "linux PAL: writing %s: %s\n", path, strerror(errno));
	close(fd);
}

/* Unbind the kernel driver of sysfs device @dir (named @name) if one is bound. */
static void unbind(const char *dir, const char *name)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/driver/unbind", dir);
	if (access(path, W_OK) == 0) {
		fprintf(stderr, "linux PAL: unbinding the kernel driver from %s\n", name);
		write_file(path, name);
	}
}

static void add_mmio(struct lx_pal *p, struct vplat_pal *pal, uint64_t base, uint64_t size)
{
	if (p->ndev == LX_MAX_DEVS || size < 0x100)
		return;
	for (unsigned i = 0; i < p->ndev; i++)
		if (p->dev[i].base == base)
			return;
	long pg = sysconf(_SC_PAGESIZE);
	uint64_t start = base & ~(uint64_t)(pg - 1);
	uint64_t len = ((base + size + (uint64_t)pg - 1) & ~(uint64_t)(pg - 1)) - start;
	uint8_t *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, p->mem_fd, (off_t)start);
	if (m == MAP_FAILED) {
		fprintf(stderr, "linux-mmio: mmap of /dev/mem at 0x%" PRIx64 " failed: %s\n", base,
			strerror(errno));
		return;
	}
	volatile uint8_t *r = m + (base - start);
	uint32_t magic = (uint32_t)vol_rd(r + VPLAT_VIRTIO_MMIO_MAGIC_VALUE, 4);
	uint32_t ver = (uint32_t)vol_rd(r + VPLAT_VIRTIO_MMIO_VERSION, 4);
	uint32_t id = (uint32_t)vol_rd(r + VPLAT_VIRTIO_MMIO_DEVICE_ID, 4);
	if (magic != VPLAT_VIRTIO_MMIO_MAGIC || id == 0 || (ver != 1 && ver != 2)) {
		munmap(m, len);
		return; /* empty slot */
	}
	struct lx_dev *x = &p->dev[p->ndev];
	memset(x, 0, sizeof(*x));
	x->base = base;
	x->size = size;
	x->regs = r;
	x->legacy = ver == 1;
	x->cfg_fd = -1;
	x->isr_space = x->common_space = -1;
	struct vplat_pal_dev *d = &pal->devs[p->ndev];
	const char *tn = type_name(id);
	char tbuf[24];
	if (!tn) {
		snprintf(tbuf, sizeof(tbuf), "virtio%u", id);
		tn = tbuf;
	}
	snprintf(d->name, sizeof(d->name), "%s@mmio:%" PRIx64 "%s", tn, base,
		 x->legacy ? "-legacy" : "");
	d->device_id = id;
	d->transport = VPLAT_VAL_MMIO;
	if (x->legacy)
		snprintf(p->why[p->ndev], sizeof(p->why[0]),
			 "legacy interface only (Version 1): the virtio 1.x driver cannot drive it");
	p->ndev++;
}

static int parse_range(const char *v, uint64_t *a, uint64_t *s, bool addr_first)
{
	char *end;
	uint64_t x = strtoull(v, &end, 0);
	if (*end != '@')
		return -1;
	const char *w = end + 1;
	uint64_t y = strtoull(w, &end, 0);
	if (!addr_first) { /* SIZE@BASE with K/M suffixes, as the kernel writes it */
		char sfx = v[strspn(v, "0123456789abcdefxABCDEFX")];
		if (sfx == 'K' || sfx == 'k')
			x <<= 10;
		else if (sfx == 'M' || sfx == 'm')
			x <<= 20;
		*s = x;
		*a = y;
		return 0;
	}
	if (*end == 'K' || *end == 'k')
		y <<= 10, end++;
	else if (*end == 'M' || *end == 'm')
		y <<= 20, end++;
	if (*end && *end != ',')
		return -1;
	*a = x;
	*s = y;
	return 0;
}

static void find_mmio(struct lx_pal *p, struct vplat_pal *pal)
{
	/* virtio_mmio.device=SIZE@BASE[:IRQ[:ID]] on the kernel command line */
	FILE *f = fopen("/proc/cmdline", "r");
	char line[4096];
	if (f) {
		if (fgets(line, sizeof(line), f)) {
			for (char *s = strstr(line, "virtio_mmio.device="); s;
			     s = strstr(s + 1, "virtio_mmio.device=")) {
				uint64_t a, sz;
				if (parse_range(s + 19, &a, &sz, false) == 0)
					add_mmio(p, pal, a, sz);
			}
		}
		fclose(f);
	}
	/* ACPI (LNRO0005) and device-tree windows in /proc/iomem */
	f = fopen("/proc/iomem", "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		uint64_t a, b;
		char name[128];
		if (!strstr(line, "LNRO0005") && !strstr(line, "virtio-mmio") && !strstr(line, "virtio_mmio"))
			continue;
		if (sscanf(line, " %" SCNx64 "-%" SCNx64 " : %127[^\n]", &a, &b, name) != 3 || b <= a)
			continue;
		if (a == 0) {
			fprintf(stderr, "linux-mmio: /proc/iomem shows 0 addresses (run as root)\n");
			break;
		}
		/* A bound platform driver claims the window: unbind it. */
		char dir[256];
		snprintf(dir, sizeof(dir), "/sys/bus/platform/devices/%s", name);
		unbind(dir, name);
		add_mmio(p, pal, a, b - a + 1);
	}
	fclose(f);
}

static uint32_t cfg_read(int fd, unsigned off, unsigned size)
{
	uint32_t v = 0;
	if (pread(fd, &v, size, off) != (ssize_t)size)
		return 0xffffffffu;
	return v;
}

static void add_pci(struct lx_pal *p, struct vplat_pal *pal, const char *bdf)
{
	if (p->ndev == LX_MAX_DEVS)
		return;
	struct lx_dev *x = &p->dev[p->ndev];
	memset(x, 0, sizeof(*x));
	snprintf(x->sysfs, sizeof(x->sysfs), "/sys/bus/pci/devices/%.170s", bdf);
	char path[240];
	snprintf(path, sizeof(path), "%s/config", x->sysfs);
	int fd = open(path, O_RDWR);
	if (fd < 0)
		return;
	uint32_t vendor = cfg_read(fd, 0, 2), did = cfg_read(fd, 2, 2);
	if (vendor != VPLAT_VIRTIO_PCI_VENDOR_ID || did < 0x1000 || did > 0x107f) {
		close(fd);
		return;
	}
	unbind(x->sysfs, bdf);
	uint32_t id = did >= 0x1040 ? did - 0x1040 : cfg_read(fd, 0x2e, 2);
	/* Modern capabilities: look for the common configuration (cfg_type 1). */
	bool common = false;
	if (cfg_read(fd, 6, 2) & 0x10) {
		unsigned pos = cfg_read(fd, 0x34, 1) & 0xfc;
		for (unsigned n = 0; pos >= 0x40 && n < 48; n++) {
			if (cfg_read(fd, pos, 1) == 9 && cfg_read(fd, pos + 3, 1) == 1)
				common = true;
			pos = cfg_read(fd, pos + 1, 1) & 0xfc;
		}
	}
	x->pci = true;
	x->cfg_fd = fd;
	x->legacy = !common;
	x->isr_space = x->common_space = -1;
	struct vplat_pal_dev *d = &pal->devs[p->ndev];
	const char *tn = type_name(id);
	char tbuf[24];
	if (!tn) {
		snprintf(tbuf, sizeof(tbuf), "virtio%u", id);
		tn = tbuf;
	}
	snprintf(d->name, sizeof(d->name), "%s@pci:%s%s", tn, bdf, x->legacy ? "-legacy" : "");
	d->device_id = id;
	d->transport = VPLAT_VAL_PCI;
	if (x->legacy)
		snprintf(p->why[p->ndev], sizeof(p->why[0]),
			 "legacy interface only (no virtio common configuration capability): the "
			 "virtio 1.x driver cannot drive it");
	p->ndev++;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void find_pci(struct lx_pal *p, struct vplat_pal *pal)
{
	DIR *dir = opendir("/sys/bus/pci/devices");
	if (!dir)
		return;
	char *names[256];
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(dir)) && n < 256)
		if (e->d_name[0] != '.')
			names[n++] = strdup(e->d_name);
	closedir(dir);
	qsort(names, n, sizeof(names[0]), cmp_str);
	for (size_t i = 0; i < n; i++) {
		if (names[i])
			add_pci(p, pal, names[i]);
		free(names[i]);
	}
}

/* ------------------------------------------------------------------------------------------ */
/* PAL ops */

static int lx_open(struct vplat_pal *pal, unsigned idx, struct vplat_val_dev *d)
{
	struct lx_pal *p = pal->priv;
	struct lx_dev *x = &p->dev[idx];
	int rc = vplat_val_mem_init(&p->mem, p->dma, p->dma_gpa, p->dma_size);
	if (rc)
		return rc;
	x->latch = 0;
	x->irqs = 0;
	x->isr_space = x->common_space = -1;
	struct vplat_val_io io = {&lx_io_ops, x};
	rc = vplat_val_init(d, &io, &p->mem, x->pci ? VPLAT_VAL_PCI : VPLAT_VAL_MMIO);
	if (rc == VPLAT_ENOTSUP && x->legacy)
		return 0; /* only the legacy-evidence test gets here: it reads raw registers */
	if (rc)
		return rc;
	if (x->pci) {
		x->isr_space = (int)VPLAT_VAL_SPACE_BAR(d->isr.bar);
		x->isr_off = d->isr.offset;
		x->common_space = (int)VPLAT_VAL_SPACE_BAR(d->common.bar);
		x->status_off = (uint64_t)d->common.offset + VPLAT_VIRTIO_PCI_COMMON_DEVICE_STATUS;
	}
	/* Firmware may have left the device running (SeaBIOS: virtio-blk at DRIVER_OK). */
	rc = vplat_val_reset(d);
	if (rc)
		fprintf(stderr, "%s: %s: reset did not complete: status reads 0x%x\n",
			pal->ops->name, pal->devs[idx].name, vplat_val_get_status(d));
	return rc;
}

static void lx_close(struct vplat_pal *pal, unsigned idx, struct vplat_val_dev *d)
{
	struct lx_pal *p = pal->priv;
	struct lx_dev *x = &p->dev[idx];
	/* Stop the device before its rings' memory is handed to the next test. */
	if (!x->legacy && d && d->t)
		(void)vplat_val_reset(d);
	x->latch = 0;
}

/*
 * Tests call this in fixed-count loops to give the device time to act ("poll 50 times, then
 * check the status"). An in-process device acts inside the call; the hypervisor's device
 * acts on its own threads, so each call also yields for 0.5 ms.
 */
static void lx_pal_poll(struct vplat_pal *pal, unsigned idx)
{
	struct lx_pal *p = pal->priv;
	sample(&p->dev[idx]);
	struct timespec ts = {.tv_sec = 0, .tv_nsec = 500000};
	nanosleep(&ts, NULL);
}

static const struct vplat_pal_ops lx_mmio_ops = {
	.name = "linux-mmio",
	.open = lx_open,
	.close = lx_close,
	.poll = lx_pal_poll,
};

static const struct vplat_pal_ops lx_pci_ops = {
	.name = "linux-pci",
	.open = lx_open,
	.close = lx_close,
	.poll = lx_pal_poll,
};

const char *vplat_pal_linux_skip(struct vplat_pal *pal, unsigned idx,
				 const struct vplat_test *test)
{
	struct lx_pal *p = pal->priv;
	if (!p || idx >= p->ndev || !p->dev[idx].legacy)
		return NULL;
	const char *evidence = p->dev[idx].pci ? "VPLAT-PCI-003" : "VPLAT-MMIO-002";
	if (strstr(test->reqs, evidence))
		return NULL;
	return p->why[idx];
}

static int lx_create(struct vplat_pal *pal, int argc, char **argv, bool pci)
{
	struct lx_pal *p = calloc(1, sizeof(*p));
	pal->devs = calloc(LX_MAX_DEVS, sizeof(*pal->devs));
	if (!p || !pal->devs) {
		free(p);
		free(pal->devs);
		pal->devs = NULL;
		return VPLAT_ENOMEM;
	}
	const char *me = pci ? "linux-pci" : "linux-mmio";
	p->pci = pci;
	p->mem_fd = open("/dev/mem", O_RDWR | O_SYNC);
	uint64_t dma_a = 0, dma_s = 0;
	bool listed = false;
	int rc = 0;
	if (p->mem_fd < 0 && !pci) {
		fprintf(stderr, "%s: cannot open /dev/mem: %s\n", me, strerror(errno));
		rc = VPLAT_EIO;
		goto out;
	}
	for (int i = 0; i < argc; i++) {
		const char *v = strchr(argv[i], '=') + 1;
		if (!strncmp(argv[i], "dma=", 4)) {
			if (parse_range(v, &dma_a, &dma_s, true) != 0) {
				fprintf(stderr, "%s: dma wants ADDR@SIZE\n", me);
				rc = VPLAT_EINVAL;
				goto out;
			}
		} else if (!pci && !strncmp(argv[i], "mmio=", 5)) {
			listed = true;
			for (const char *s = v; s && *s; s = strchr(s, ',') ? strchr(s, ',') + 1 : NULL) {
				uint64_t a, sz;
				if (parse_range(s, &a, &sz, true) != 0) {
					fprintf(stderr, "%s: mmio wants BASE@SIZE[,BASE@SIZE...]\n", me);
					rc = VPLAT_EINVAL;
					goto out;
				}
				add_mmio(p, pal, a, sz);
			}
		} else if (pci && !strncmp(argv[i], "pci=", 4)) {
			listed = true;
			add_pci(p, pal, v);
		} else {
			fprintf(stderr, "%s: unknown --pal-arg '%s'\n", me, argv[i]);
			rc = VPLAT_EINVAL;
			goto out;
		}
	}
	if (!listed) {
		if (pci)
			find_pci(p, pal);
		else
			find_mmio(p, pal);
	}
	if (p->ndev == 0) {
		fprintf(stderr, "%s: no virtio device found\n", me);
		rc = VPLAT_ENODEV;
		goto out;
	}
	if (dma_s) {
		if (p->mem_fd < 0) {
			fprintf(stderr, "%s: dma= needs /dev/mem: %s\n", me, strerror(errno));
			rc = VPLAT_EIO;
			goto out;
		}
		rc = dma_devmem(p, dma_a, dma_s);
	} else {
		rc = dma_pagemap(p);
		if (!rc)
			fprintf(stderr, "%s: no dma=ADDR@SIZE: using %" PRIu64 " KiB of locked pages at "
				"0x%" PRIx64 "\n", me, p->dma_size >> 10, p->dma_gpa);
	}
	if (rc) {
		fprintf(stderr, "%s: no DMA memory\n", me);
		goto out;
	}
	pal->ndevs = p->ndev;
	pal->ops = pci ? &lx_pci_ops : &lx_mmio_ops;
	pal->priv = p;
	return 0;
out:
	for (unsigned i = 0; i < p->ndev; i++)
		if (p->dev[i].cfg_fd >= 0)
			close(p->dev[i].cfg_fd);
	if (p->mem_fd >= 0)
		close(p->mem_fd);
	free(p);
	free(pal->devs);
	pal->devs = NULL;
	return rc;
}

int vplat_pal_linux_mmio_create(struct vplat_pal *pal, int argc, char **argv)
{
	return lx_create(pal, argc, argv, false);
}

int vplat_pal_linux_pci_create(struct vplat_pal *pal, int argc, char **argv)
{
	return lx_create(pal, argc, argv, true);
}

void vplat_pal_linux_destroy(struct vplat_pal *pal)
{
	struct lx_pal *p = pal->priv;
	if (p) {
		for (unsigned i = 0; i < p->ndev; i++) {
			struct lx_dev *x = &p->dev[i];
			if (x->cfg_fd >= 0)
				close(x->cfg_fd);
			for (unsigned b = 0; b < 6; b++)
				if (x->bar[b].p)
					munmap((void *)x->bar[b].p, x->bar[b].len);
		}
		if (p->dma_map)
			munmap(p->dma_map, p->dma_map_len);
		if (p->mem_fd >= 0)
			close(p->mem_fd);
	}
	free(p);
	free(pal->devs);
	pal->devs = NULL;
	pal->ndevs = 0;
	pal->priv = NULL;
}
