/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Guest side of tests/guest/ivshmem_qemu.sh: runs as a static program in a QEMU guest with
 * `-device ivshmem-doorbell,vectors=1` connected to the vplat shared-memory server. Finds the
 * function (1af4:1110) in sysfs, enables it, enables MSI-X with the function masked (so an
 * incoming doorbell shows as the pending bit of vector 0 in BAR1's PBA, no driver needed),
 * maps BAR0 and BAR2 through sysfs resource0/resource2, announces readiness in the region,
 * waits for the host's doorbell, checks the host's pattern, writes a reply and rings the host
 * back through the Doorbell register. Prints "VPLAT-GUEST-RESULT: PASS" on success.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PATTERN_OFF 4096u
#define PATTERN_LEN 65536u
#define REPLY_OFF (PATTERN_OFF + PATTERN_LEN)
#define GUEST_READY 0x59445247u /* "GRDY" at offset 64 */
#define HOST_MAGIC 0x54534f48u  /* "HOST" at offset 0; host ID at offset 4 */
#define GUEST_MAGIC 0x54534547u /* "GEST" at offset 128 */

static int fail(const char *what)
{
	printf("FAIL: %s\n", what);
	printf("VPLAT-GUEST-RESULT: FAIL\n");
	return 1;
}

static int rd(const char *dir, const char *name, char *buf, size_t n)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	int fd = open(p, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t r = read(fd, buf, n - 1);
	close(fd);
	if (r < 0)
		return -1;
	buf[r] = 0;
	return 0;
}

static void *map(const char *dir, const char *res, size_t *len)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", dir, res);
	int fd = open(p, O_RDWR | O_SYNC);
	if (fd < 0)
		return NULL;
	struct stat st;
	if (fstat(fd, &st) != 0) {
		close(fd);
		return NULL;
	}
	*len = st.st_size < 4096 ? 4096 : (size_t)st.st_size;
	void *m = mmap(NULL, *len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return m == MAP_FAILED ? NULL : m;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void)
{
	char dir[300] = "";
	DIR *d = opendir("/sys/bus/pci/devices");
	if (!d)
		return fail("no /sys/bus/pci/devices");
	struct dirent *e;
	while ((e = readdir(d))) {
		char cand[300];
		if (e->d_name[0] == '.')
			continue;
		snprintf(cand, sizeof(cand), "/sys/bus/pci/devices/%s", e->d_name);
		char v[16], dv[16];
		if (rd(cand, "vendor", v, sizeof(v)) == 0 && rd(cand, "device", dv, sizeof(dv)) == 0 &&
		    strncmp(v, "0x1af4", 6) == 0 && strncmp(dv, "0x1110", 6) == 0) {
			memcpy(dir, cand, sizeof(dir));
			break;
		}
	}
	closedir(d);
	if (!dir[0])
		return fail("no ivshmem function (1af4:1110) on the PCI bus");
	printf("guest: ivshmem at %s\n", dir);
	char p[512];
	snprintf(p, sizeof(p), "%s/enable", dir);
	int efd = open(p, O_WRONLY);
	if (efd < 0 || write(efd, "1", 1) != 1)
		return fail("enable");
	close(efd);

	/* MSI-X enable + function mask, through the configuration space file. */
	snprintf(p, sizeof(p), "%s/config", dir);
	int cfd = open(p, O_RDWR);
	uint8_t cfg[256];
	if (cfd < 0 || pread(cfd, cfg, sizeof(cfg), 0) != (ssize_t)sizeof(cfg))
		return fail("config read");
	if (cfg[8] != 1 || cfg[11] != 0x05)
		return fail("revision/class");
	unsigned cap = cfg[0x34] & 0xfcu, msix = 0;
	for (int guard = 0; cap && guard < 48; guard++) {
		if (cfg[cap] == 0x11) {
			msix = cap;
			break;
		}
		cap = cfg[cap + 1] & 0xfcu;
	}
	if (!msix)
		return fail("no MSI-X capability");
	uint16_t ctl = (uint16_t)(cfg[msix + 2] | (cfg[msix + 3] << 8));
	ctl |= 0xc000u;
	uint8_t w[2] = {(uint8_t)ctl, (uint8_t)(ctl >> 8)};
	if (pwrite(cfd, w, 2, msix + 2) != 2)
		return fail("MSI-X enable");
	close(cfd);

	size_t l0, l1, l2;
	volatile uint32_t *bar0 = map(dir, "resource0", &l0);
	volatile uint32_t *bar1 = map(dir, "resource1", &l1);
	volatile uint8_t *shm = map(dir, "resource2", &l2);
	if (!bar0 || !bar1 || !shm)
		return fail("mmap of resource0/1/2");
	uint32_t me = bar0[2]; /* IVPosition */
	printf("guest: IVPosition %u, region %zu bytes\n", me, l2);
	if (l2 < REPLY_OFF + PATTERN_LEN)
		return fail("region too small");

	/* Ready: the host may ring now. */
	*(volatile uint32_t *)(shm + 64) = me;
	__sync_synchronize();
	*(volatile uint32_t *)(shm + 68) = GUEST_READY;
	double t0 = now();
	while ((bar1[2048 / 4] & 1u) == 0) /* PBA bit of vector 0 */
		if (now() - t0 > 40)
			return fail("no doorbell from the host (PBA bit 0 never set)");
	printf("ok: doorbell from the host arrived (MSI-X pending bit)\n");
	__sync_synchronize();
	if (*(volatile uint32_t *)shm != HOST_MAGIC)
		return fail("host magic missing");
	uint32_t host = *(volatile uint32_t *)(shm + 4);
	for (unsigned i = 0; i < PATTERN_LEN; i++)
		if (shm[PATTERN_OFF + i] != (uint8_t)(i * 13u + 5u))
			return fail("host pattern differs");
	printf("ok: host pattern (%u bytes) read through BAR2\n", PATTERN_LEN);
	for (unsigned i = 0; i < PATTERN_LEN; i++)
		shm[REPLY_OFF + i] = (uint8_t)~(i * 13u + 5u);
	__sync_synchronize();
	*(volatile uint32_t *)(shm + 128) = GUEST_MAGIC;
	__sync_synchronize();
	bar0[3] = (host << 16) | 0u; /* Doorbell: host's vector 0 */
	printf("ok: reply written, host %u rung\n", host);
	printf("VPLAT-GUEST-RESULT: PASS\n");
	return 0;
}
