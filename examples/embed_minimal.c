/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The smallest embedding of vplat in a VMM: an entropy device on a virtio-mmio window.
 * The VMM owns guest memory and the trap handlers; vplat owns the device. Built and run by
 * the test example.embed_minimal; included verbatim in the API reference's front page.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "vplat/vplat.h" /* core + hosted: vplat/mmio.h, vplat/rng.h, vplat/host/rng_host.h */

#define GUEST_RAM_GPA  0x40000000u
#define GUEST_RAM_SIZE (16u << 20)
#define RNG_MMIO_BASE  0x0a000000u

static struct vplat_mem_region regions[4];
static struct vplat_mem mem;   /* the guest memory map every guest address goes through */
static struct vplat_rng rng;   /* the device model */
static struct vplat_mmio mmio; /* its virtio-mmio register window */

/* Your interrupt controller: raise or lower the device's line. */
static void irq_line(void *opaque, bool level)
{
	(void)opaque;
	printf("irq %s\n", level ? "raised" : "lowered");
}

/* Your VMM's MMIO exit handler calls these for accesses inside the window. */
static uint64_t on_mmio_read(uint64_t gpa, unsigned size)
{
	uint64_t v = 0;
	vplat_mmio_read(&mmio, gpa - RNG_MMIO_BASE, size, &v);
	return v;
}

static void on_mmio_write(uint64_t gpa, unsigned size, uint64_t v)
{
	vplat_mmio_write(&mmio, gpa - RNG_MMIO_BASE, size, v);
}

int main(void)
{
	void *ram = calloc(1, GUEST_RAM_SIZE); /* in a VMM: the memory you gave the guest */
	int rc = ram ? 0 : VPLAT_ENOMEM;
	if (!rc)
		rc = vplat_mem_init(&mem, regions, 4);
	if (!rc)
		rc = vplat_mem_add(&mem, GUEST_RAM_GPA, GUEST_RAM_SIZE, ram);
	if (!rc)
		rc = vplat_rng_init(&rng, &mem, &vplat_rng_host_getrandom, NULL);
	if (!rc)
		rc = vplat_mmio_init(&mmio, vplat_rng_device(&rng), 0x554d4551, irq_line, NULL);
	if (rc) {
		fprintf(stderr, "setup: %s\n", vplat_strerror(rc));
		return 1;
	}
	/* What the guest's driver sees first: MagicValue "virt", Version 2, DeviceID 4. */
	printf("magic 0x%08llx version %llu device %llu\n",
	       (unsigned long long)on_mmio_read(RNG_MMIO_BASE + 0x000, 4),
	       (unsigned long long)on_mmio_read(RNG_MMIO_BASE + 0x004, 4),
	       (unsigned long long)on_mmio_read(RNG_MMIO_BASE + 0x008, 4));
	on_mmio_write(RNG_MMIO_BASE + 0x070, 4, 0); /* Status = 0: reset */
	free(ram);
	return 0;
}
