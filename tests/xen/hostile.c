/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The hostile domU of the Xen group: a static arm64 program that drives one of vplat-xen's
 * virtio-mmio windows through /dev/mem the way no driver should, each case printing one line
 * "HOSTILE <case> ok|BAD <what>" for tests/xen/check.sh (xen.hostile):
 *   width1/width2/width8  1-, 2- and 8-byte reads of MagicValue (the model allows 4 only):
 *                         the read answers 0; 1/2/8-byte writes to Status change nothing
 *   past_regs             a read in the window past the device's config space answers 0
 *   qsize3                a split queue of 3 entries (not a power of 2): QueueReady stays 0
 *                         or the device says DEVICE_NEEDS_RESET
 *   desc_out_of_ram       a descriptor at 64 GiB (no RAM bank there): DEVICE_NEEDS_RESET
 *   desc_unmapped_gfn     a descriptor in the first RAM bank above the domain's RAM (a gfn
 *                         the domain does not own): DEVICE_NEEDS_RESET
 *   desc_huge_len         a descriptor of 4 GiB - 4 KiB from a page of the domain's RAM:
 *                         DEVICE_NEEDS_RESET
 *   ring_out_of_ram       the descriptor table at 128 TiB: DRIVER_OK ends in DEVICE_NEEDS_RESET
 *   unowned_window        a read just past the window (no device there: Xen answers the
 *                         domU with an abort, SIGBUS in a child process) — vplat-xen never
 *                         sees it
 * The device is reset (Status 0) after each case. Memory for the rings: one locked page whose
 * guest-physical address comes from /proc/self/pagemap.
 * usage: xen-hostile WINDOW_BASE RAM_BYTES
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define R_MAGIC 0x000
#define R_DEV_FEAT 0x010
#define R_DEV_FEAT_SEL 0x014
#define R_DRV_FEAT 0x020
#define R_DRV_FEAT_SEL 0x024
#define R_QSEL 0x030
#define R_QNUM_MAX 0x034
#define R_QNUM 0x038
#define R_QREADY 0x044
#define R_QNOTIFY 0x050
#define R_ISR 0x060
#define R_ACK 0x064
#define R_STATUS 0x070
#define R_QDESC 0x080
#define R_QDRV 0x090
#define R_QDEV 0x0a0
#define NEEDS_RESET 0x40u

static volatile uint8_t *win;
static uint8_t *page;
static uint64_t page_gpa;
static int bad;

static uint32_t rd(unsigned off) { return *(volatile uint32_t *)(win + off); }
static void wr(unsigned off, uint32_t v) { *(volatile uint32_t *)(win + off) = v; }
static void wr64(unsigned off, uint64_t v)
{
	wr(off, (uint32_t)v);
	wr(off + 4, (uint32_t)(v >> 32));
}

static void result(const char *name, int ok, const char *fmt, uint64_t v)
{
	if (ok) {
		printf("HOSTILE %s ok\n", name);
	} else {
		printf("HOSTILE %s BAD ", name);
		printf(fmt, v);
		printf("\n");
		bad = 1;
	}
	fflush(stdout);
}

static void pause_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Reset, then ACKNOWLEDGE | DRIVER, VIRTIO_F_VERSION_1 only, FEATURES_OK. */
static int handshake(void)
{
	wr(R_STATUS, 0);
	wr(R_STATUS, 1);
	wr(R_STATUS, 3);
	wr(R_DRV_FEAT_SEL, 1);
	wr(R_DRV_FEAT, 1); /* bit 32: VERSION_1 */
	wr(R_DRV_FEAT_SEL, 0);
	wr(R_DRV_FEAT, 0);
	wr(R_STATUS, 11);
	return (rd(R_STATUS) & 8) ? 0 : -1;
}

/* Queue 0 of @p n entries; descriptor table at @p desc, rings in the locked page. */
static void queue(uint32_t n, uint64_t desc)
{
	wr(R_QSEL, 0);
	wr(R_QNUM, n);
	wr64(R_QDESC, desc);
	wr64(R_QDRV, page_gpa + 0x800);
	wr64(R_QDEV, page_gpa + 0xc00);
	wr(R_QREADY, 1);
}

/* One descriptor (addr, len, device-writable) made available, then a notify. */
static uint32_t kick_desc(uint64_t addr, uint32_t len)
{
	memset(page, 0, 4096);
	uint8_t *d = page;
	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	uint16_t fl = 2; /* VIRTQ_DESC_F_WRITE */
	memcpy(d + 12, &fl, 2);
	uint16_t *avail = (uint16_t *)(page + 0x800);
	avail[2] = 0; /* ring[0] = descriptor 0 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	avail[1] = 1; /* idx */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (handshake() != 0)
		return 0xffffffffu;
	queue(8, page_gpa);
	wr(R_STATUS, 15); /* DRIVER_OK */
	wr(R_QNOTIFY, 0);
	uint32_t st = 0;
	for (int i = 0; i < 50 && !((st = rd(R_STATUS)) & NEEDS_RESET); i++)
		pause_ms(20);
	return st;
}

static int find_page(void)
{
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED || mlock(page, 4096) != 0)
		return -1;
	page[0] = 1;
	int fd = open("/proc/self/pagemap", O_RDONLY);
	uint64_t e = 0;
	if (fd < 0 || pread(fd, &e, 8, (off_t)((uintptr_t)page / 4096 * 8)) != 8)
		return -1;
	close(fd);
	if (!(e & (1ull << 63)) || (e & ((1ull << 55) - 1)) == 0)
		return -1;
	page_gpa = (e & ((1ull << 55) - 1)) * 4096;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: xen-hostile WINDOW_BASE RAM_BYTES\n");
		return 2;
	}
	uint64_t base = strtoull(argv[1], NULL, 0), ram = strtoull(argv[2], NULL, 0);
	int fd = open("/dev/mem", O_RDWR | O_SYNC);
	if (fd < 0) {
		perror("/dev/mem");
		return 1;
	}
	uint64_t pg = base & ~0xfffull;
	uint8_t *m = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)pg);
	if (m == MAP_FAILED) {
		perror("mmap /dev/mem");
		return 1;
	}
	win = m + (base - pg);
	if (find_page() != 0) {
		fprintf(stderr, "no locked page with a known guest-physical address\n");
		return 1;
	}
	uint32_t magic = rd(R_MAGIC), id = rd(0x008);
	printf("HOSTILE start window 0x%" PRIx64 " magic 0x%x device %u page 0x%" PRIx64 "\n", base,
	       magic, id, page_gpa);
	if (magic != 0x74726976u) {
		printf("HOSTILE start BAD no virtio-mmio window\n");
		return 1;
	}
	/* Widths the registers do not allow. */
	uint8_t b1 = *(volatile uint8_t *)(win + R_MAGIC);
	result("width1", b1 == 0, "read 0x%" PRIx64, b1);
	uint16_t b2 = *(volatile uint16_t *)(win + R_MAGIC);
	result("width2", b2 == 0, "read 0x%" PRIx64, b2);
	uint64_t b8 = *(volatile uint64_t *)(win + R_MAGIC);
	result("width8", b8 == 0, "read 0x%" PRIx64, b8);
	wr(R_STATUS, 0);
	*(volatile uint8_t *)(win + R_STATUS) = 1;
	*(volatile uint16_t *)(win + R_STATUS) = 1;
	*(volatile uint64_t *)(win + R_STATUS) = 1;
	uint32_t st = rd(R_STATUS);
	result("width_writes", st == 0, "status 0x%" PRIx64 " after 1/2/8-byte writes", st);
	/* Past the registers and the (empty or short) config space, inside the window. */
	uint32_t past = rd(0x1fc);
	result("past_regs", past == 0 || id == 2, "read 0x%" PRIx64 " at 0x1fc", past);
	/* A split queue of 3 entries. */
	if (handshake() != 0) {
		result("handshake", 0, "FEATURES_OK refused (status 0x%" PRIx64 ")", rd(R_STATUS));
	} else {
		queue(3, page_gpa);
		uint32_t ready = rd(R_QREADY);
		wr(R_STATUS, 15);
		st = rd(R_STATUS);
		result("qsize3", ready == 0 || (st & NEEDS_RESET), "QueueReady %" PRIu64 " and no DEVICE_NEEDS_RESET", ready);
	}
	/* Descriptors the domain does not own. */
	st = kick_desc(0x1000000000ull, 4096);
	result("desc_out_of_ram", (st & NEEDS_RESET) && st != 0xffffffffu, "status 0x%" PRIx64, st);
	st = kick_desc(0x40000000ull + ram + (64ull << 20), 4096);
	result("desc_unmapped_gfn", (st & NEEDS_RESET) && st != 0xffffffffu, "status 0x%" PRIx64, st);
	st = kick_desc(page_gpa, 0xfffff000u);
	result("desc_huge_len", (st & NEEDS_RESET) && st != 0xffffffffu, "status 0x%" PRIx64, st);
	/* The descriptor table itself outside RAM. */
	if (handshake() == 0) {
		queue(8, 0x800000000000ull);
		wr(R_STATUS, 15);
		st = rd(R_STATUS);
		result("ring_out_of_ram", (st & NEEDS_RESET) || rd(R_QREADY) == 0, "status 0x%" PRIx64, st);
	}
	wr(R_STATUS, 0);
	/* No device just past the window's page: Xen aborts the access; vplat-xen never sees it. */
	pid_t c = fork();
	if (c == 0) {
		uint8_t *n = mmap(NULL, 0x1000, PROT_READ, MAP_SHARED, fd, (off_t)(pg + 0x10000));
		if (n == MAP_FAILED)
			_exit(3);
		volatile uint32_t v = *(volatile uint32_t *)n;
		(void)v;
		_exit(0);
	}
	int ws = 0;
	waitpid(c, &ws, 0);
	printf("HOSTILE unowned_window child %s %d\n", WIFSIGNALED(ws) ? "signal" : "exit",
	       WIFSIGNALED(ws) ? WTERMSIG(ws) : WEXITSTATUS(ws));
	/* Still the same device after all that. */
	result("still_there", rd(R_MAGIC) == 0x74726976u && rd(0x008) == id, "magic 0x%" PRIx64,
	       rd(R_MAGIC));
	printf("HOSTILE done %s\n", bad ? "BAD" : "ok");
	return bad;
}
