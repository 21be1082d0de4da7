// SPDX-License-Identifier: BSD-3-Clause
/*
 * xen.bank2, domU side: make the domU's virtio_blk driver do DMA to and from a page of the
 * second RAM bank (GUEST_RAM1_BASE 0x200000000, present when the domU has more than 3 GiB).
 * usage: xen-bank2 DEV OFFSET
 * Locks a 64 MiB buffer, finds in /proc/self/pagemap a page whose guest frame lies at or
 * above 0x200000000 (and one below, for contrast), and moves 4 KiB between each page and DEV
 * at OFFSET with O_DIRECT, so the descriptor the driver builds points at that very page:
 * write a pattern from the bank-1 page, read it back into another bank-1 page, compare.
 * The pattern is "VPLAT-XEN-BANK2 " repeated: dom0 checks it in the image afterwards.
 * Prints BANK2_* lines; exit 0 when the round trip through a bank-1 page matched.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PG 4096UL
#define BUF (64UL << 20)
#define BANK1 0x200000000ULL

/* Guest-physical address of the page at @p v (0: not present or no PFN visible). */
static uint64_t gpa(int pm, const void *v)
{
	uint64_t e;

	if (pread(pm, &e, sizeof(e), (off_t)((uintptr_t)v / PG * 8)) != (ssize_t)sizeof(e))
		return 0;
	if (!(e >> 63))
		return 0;
	return (e & ((1ULL << 55) - 1)) * PG;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: xen-bank2 DEV OFFSET\n");
		return 2;
	}
	off_t off = (off_t)strtoull(argv[2], NULL, 0);
	int pm = open("/proc/self/pagemap", O_RDONLY);
	int fd = open(argv[1], O_RDWR | O_DIRECT | O_SYNC);
	uint8_t *buf = mmap(NULL, BUF, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (pm < 0 || fd < 0 || buf == MAP_FAILED) {
		printf("BANK2_ERROR setup: %s\n", strerror(errno));
		return 1;
	}
	if (mlock(buf, BUF) != 0)
		printf("BANK2_WARN mlock: %s\n", strerror(errno));
	uint8_t *hi[2] = {NULL, NULL}, *lo = NULL;
	unsigned nhi = 0, nlo = 0;

	for (unsigned long i = 0; i < BUF / PG; i++) {
		uint8_t *p = buf + i * PG;

		p[0] = 1; /* resident */
		uint64_t a = gpa(pm, p);

		if (a >= BANK1) {
			if (nhi < 2)
				hi[nhi] = p;
			nhi++;
		} else if (a != 0) {
			if (lo == NULL)
				lo = p;
			nlo++;
		}
	}
	printf("BANK2_PAGES buffer %lu pages: %u in bank 1 (>= 0x%llx), %u below\n", BUF / PG, nhi,
	       (unsigned long long)BANK1, nlo);
	if (nhi < 2) {
		printf("BANK2_ERROR fewer than 2 pages of the buffer in bank 1\n");
		return 1;
	}
	for (unsigned long i = 0; i < PG; i++)
		hi[0][i] = (uint8_t)"VPLAT-XEN-BANK2 "[i % 16];
	memset(hi[1], 0, PG);
	printf("BANK2_WRITE_PAGE gpa=0x%" PRIx64 "\n", gpa(pm, hi[0]));
	printf("BANK2_READ_PAGE gpa=0x%" PRIx64 "\n", gpa(pm, hi[1]));
	ssize_t w = pwrite(fd, hi[0], PG, off);

	if (w != (ssize_t)PG) {
		printf("BANK2_ERROR write from bank 1: %zd %s\n", w, strerror(errno));
		return 1;
	}
	ssize_t r = pread(fd, hi[1], PG, off);

	if (r != (ssize_t)PG) {
		printf("BANK2_ERROR read into bank 1: %zd %s\n", r, strerror(errno));
		return 1;
	}
	/* The pages must still be where they were (locked): the DMA went there. */
	if (gpa(pm, hi[0]) < BANK1 || gpa(pm, hi[1]) < BANK1) {
		printf("BANK2_ERROR a page moved out of bank 1\n");
		return 1;
	}
	if (memcmp(hi[0], hi[1], PG) != 0) {
		printf("BANK2_ERROR read back differs\n");
		return 1;
	}
	printf("BANK2_DIRECT_IO_OK 4096 bytes written from and read into bank-1 pages at offset %lld\n",
	       (long long)off);
	/* Contrast: the same through a bank-0 page reads the same bytes. */
	if (lo != NULL) {
		memset(lo, 0, PG);
		if (pread(fd, lo, PG, off) == (ssize_t)PG && memcmp(lo, hi[0], PG) == 0)
			printf("BANK2_BANK0_READ_OK gpa=0x%" PRIx64 "\n", gpa(pm, lo));
	}
	return 0;
}
