/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An out-of-tree VMM that embeds vplat's block device behind the virtio-mmio register model,
 * linking only vplat-core. It plays the guest itself: every access goes through
 * vplat_mmio_read/write, as a VMM's trap handler would forward it. Writes a sector, reads it
 * back through the device and checks the bytes and the status.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <vplat/core.h>

#define RAM_SIZE 65536u
#define QSZ 8u
static uint8_t ram[RAM_SIZE] __attribute__((aligned(4096)));
static uint8_t disk[64 * 512];
static struct vplat_mmio mmio;

static uint32_t rd(uint64_t off)
{
	uint64_t v = 0;
	if (vplat_mmio_read(&mmio, off, 4, &v) != 0)
		fprintf(stderr, "consumer-core: read of 0x%llx refused\n", (unsigned long long)off);
	return (uint32_t)v;
}

static void wr(uint64_t off, uint32_t v)
{
	if (vplat_mmio_write(&mmio, off, 4, v) != 0)
		fprintf(stderr, "consumer-core: write of 0x%llx refused\n", (unsigned long long)off);
}

/* Guest layout: descriptors at 0, avail at 0x1000, used at 0x2000, data from 0x4000. */
struct desc { uint64_t addr; uint32_t len; uint16_t flags, next; };
struct req_hdr { uint32_t type, reserved; uint64_t sector; };

static int request(uint16_t *avail_idx, uint32_t type, uint64_t sector, uint8_t *out_status)
{
	struct desc *d = (struct desc *)ram;
	uint16_t *avail = (uint16_t *)(ram + 0x1000);
	volatile uint16_t *used_idx = (volatile uint16_t *)(ram + 0x2000 + 2);
	struct req_hdr h = {type, 0, sector};
	memcpy(ram + 0x4000, &h, sizeof(h));
	d[0] = (struct desc){0x4000, sizeof(h), 1, 1};                 /* NEXT */
	d[1] = (struct desc){0x5000, 512, (uint16_t)(1 | (type == 0 ? 2 : 0)), 2}; /* data */
	d[2] = (struct desc){0x6000, 1, 2, 0};                         /* WRITE: status */
	ram[0x6000] = 0xff;
	avail[2 + (*avail_idx % QSZ)] = 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	avail[1] = ++*avail_idx;
	uint16_t before = *used_idx;
	wr(0x050, 0); /* QueueNotify: the device serves the queue before returning */
	if (*used_idx == before)
		return -1;
	*out_status = ram[0x6000];
	return 0;
}

int main(void)
{
	static struct vplat_mem_region regions[2];
	static struct vplat_mem mem;
	static struct vplat_blk blk;
	static struct vplat_blk_req reqs[4];
	static struct vplat_blk_mem backing;
	struct vplat_blk_config cfg = {0};

	backing.data = disk;
	backing.size = sizeof(disk);
	cfg.capacity = sizeof(disk) / 512;
	if (vplat_mem_init(&mem, regions, 2) || vplat_mem_add(&mem, 0, RAM_SIZE, ram) ||
	    vplat_blk_init(&blk, &mem, &cfg, &vplat_blk_host_mem, &backing, reqs, 4) ||
	    vplat_mmio_init(&mmio, vplat_blk_device(&blk), 0x76706c74, NULL, NULL)) {
		fprintf(stderr, "consumer-core: init failed\n");
		return 1;
	}
	if (rd(0x000) != 0x74726976 || rd(0x004) != 2 || rd(0x008) != 2) {
		fprintf(stderr, "consumer-core: not a virtio-mmio v2 block device\n");
		return 1;
	}
	wr(0x070, 0);     /* reset */
	wr(0x070, 1 | 2); /* ACKNOWLEDGE | DRIVER */
	wr(0x014, 1);
	if (!(rd(0x010) & 1)) { /* VERSION_1 */
		fprintf(stderr, "consumer-core: VERSION_1 not offered\n");
		return 1;
	}
	wr(0x024, 0); wr(0x020, 0);
	wr(0x024, 1); wr(0x020, 1);
	wr(0x070, 1 | 2 | 8);
	if (!(rd(0x070) & 8)) {
		fprintf(stderr, "consumer-core: FEATURES_OK refused\n");
		return 1;
	}
	wr(0x030, 0);
	if (rd(0x034) < QSZ) {
		fprintf(stderr, "consumer-core: queue too small\n");
		return 1;
	}
	wr(0x038, QSZ);
	wr(0x080, 0x0000); wr(0x084, 0);
	wr(0x090, 0x1000); wr(0x094, 0);
	wr(0x0a0, 0x2000); wr(0x0a4, 0);
	wr(0x044, 1);
	wr(0x070, 1 | 2 | 8 | 4); /* DRIVER_OK */

	uint16_t idx = 0;
	uint8_t st = 0xff;
	const char msg[] = "vplat-core embedded in an out-of-tree VMM";
	memset(ram + 0x5000, 0, 512);
	memcpy(ram + 0x5000, msg, sizeof(msg));
	if (request(&idx, 1, 3, &st) || st != 0) { /* OUT, sector 3 */
		fprintf(stderr, "consumer-core: write failed (status %u)\n", st);
		return 1;
	}
	if (memcmp(disk + 3 * 512, msg, sizeof(msg)) != 0) {
		fprintf(stderr, "consumer-core: the disk does not hold what was written\n");
		return 1;
	}
	memset(ram + 0x5000, 0, 512);
	if (request(&idx, 0, 3, &st) || st != 0 || memcmp(ram + 0x5000, msg, sizeof(msg)) != 0) {
		fprintf(stderr, "consumer-core: read back failed (status %u)\n", st);
		return 1;
	}
	printf("consumer-core: vplat %s block device over virtio-mmio: write + read back OK\n",
	       vplat_version());
	return vplat_version_number() == VPLAT_VERSION_NUMBER ? 0 : 1;
}
