/* SPDX-License-Identifier: BSD-3-Clause */
/* covers(unit.blk_durable_file_writeback): VPLAT-BLK-034 VPLAT-BLK-036 */
/* covers(unit.blk_durable_file_writethrough): VPLAT-BLK-035 VPLAT-BLK-036 */
/* covers(unit.blk_durable_uring_writeback): VPLAT-BLK-034 VPLAT-BLK-036 */
/* covers(unit.blk_durable_uring_writethrough): VPLAT-BLK-035 VPLAT-BLK-036 */
/* covers(unit.blk_durable_threads_writeback): VPLAT-BLK-034 VPLAT-BLK-036 */
/* covers(unit.blk_durable_threads_writethrough): VPLAT-BLK-035 VPLAT-BLK-036 */
/*
 * Durability of the block host ends under a power-loss model (run under dur_shim.c, which
 * keeps IMAGE.durable: the image with everything after the last sync the host end really
 * asked for dropped).
 *
 * A driver streams 4 KiB writes (queue depth 16, never two in flight to one block), with
 * FLUSHes in between when FLUSH is negotiated, through the block device and one host end:
 *  - write-back (FLUSH negotiated): when a FLUSH completes OK, every write completed before
 *    the FLUSH was posted must be in the durable copy (power loss right after any completed
 *    FLUSH loses none of them);
 *  - write-through (FLUSH not negotiated: every completed write is stable): when a write
 *    completes OK, it must be in the durable copy.
 * A block may hold a newer write than required, never an older one, never a torn one.
 *
 * Usage: blk_durable file|uring|threads writeback|writethrough. Exit 0 pass, 1 fail, 77 skip
 * (shim not loaded, or io_uring not available for "uring").
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "vplat/host/blk_file.h"
#include "vplat/vplat.h"
#include "vplat/val/loopback.h"
#include "vplat/val/val.h"

#define NBLK 64u
#define BS   4096u
#define QD   16u
#define NREQ_WB 2000u /* write-back: cheap, a sync per FLUSH */
#define NREQ_WT 600u  /* write-through: a sync per write */

struct slot {
	struct vplat_virtio_blk_req_hdr *hdr;
	uint8_t *data, *st;
	bool busy, flush;
	uint32_t blk;
	uint64_t seq;
	uint64_t snap[NBLK]; /* flush: last completed write per block when it was posted */
};

static char img[256], dur[270];
static uint64_t done[NBLK], issued[NBLK];
static bool busy[NBLK];

static void fill(uint8_t *d, uint64_t seq, uint32_t blk)
{
	for (uint32_t i = 0; i < BS; i += 16) {
		memcpy(d + i, &seq, 8);
		uint64_t b = blk;
		memcpy(d + i + 8, &b, 8);
	}
}

/* Seq held by block @b of the durable copy; UINT64_MAX if torn or foreign. */
static uint64_t durable_seq(int fd, uint32_t b)
{
	uint8_t d[BS];
	if (pread(fd, d, BS, (off_t)b * BS) != (ssize_t)BS)
		return 0; /* the durable copy is shorter: never written there */
	for (uint32_t i = 16; i < BS; i += 16)
		if (memcmp(d, d + i, 16))
			return UINT64_MAX;
	uint64_t seq, blk;
	memcpy(&seq, d, 8);
	memcpy(&blk, d + 8, 8);
	return seq && blk != b ? UINT64_MAX : seq;
}

/* Every block must hold at least @need[b] (and nothing never issued). */
static unsigned check(const uint64_t *need, const char *what, uint64_t seq)
{
	int fd = open(dur, O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "no durable copy %s\n", dur);
		return 1;
	}
	unsigned bad = 0;
	for (uint32_t b = 0; b < NBLK; b++) {
		if (!need[b])
			continue;
		uint64_t s = durable_seq(fd, b);
		if (s == UINT64_MAX || s < need[b] || s > issued[b]) {
			if (bad < 3)
				fprintf(stderr, "after %s %llu: block %u durable seq %lld, needs %llu\n",
					what, (unsigned long long)seq, b,
					s == UINT64_MAX ? -1LL : (long long)s,
					(unsigned long long)need[b]);
			bad++;
		}
	}
	close(fd);
	return bad;
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	const char *end = argv[1];
	bool wb = !strcmp(argv[2], "writeback");
	void (*stats)(unsigned long long *, unsigned long long *, unsigned long long *,
		      unsigned long long *) = (void (*)(unsigned long long *, unsigned long long *,
							unsigned long long *, unsigned long long *))
		dlsym(RTLD_DEFAULT, "vplat_dur_shim_stats");
	if (!stats) {
		printf("blk_durable: SKIP: dur_shim.so not preloaded (LD_PRELOAD)\n");
		return 77;
	}
	char dir[] = "/tmp/vplat-dur-XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	snprintf(img, sizeof(img), "%s/img", dir);
	snprintf(dur, sizeof(dur), "%s.durable", img);
	int fd = open(img, O_RDWR | O_CREAT, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)NBLK * BS) || fsync(fd))
		return 1;
	close(fd);
	setenv("VPLAT_DUR_IMAGE", img, 1);

	static struct vplat_blk_file file;
	static struct vplat_blk_aio aio;
	static struct vplat_loopback lb;
	static struct vplat_blk blk;
	static struct vplat_blk_req reqs[32];
	static struct vplat_val_dev d;
	static struct vplat_val_vq vq;
	int rc = vplat_blk_file_open(&file, img, 0);
	if (rc) {
		fprintf(stderr, "open: %s\n", vplat_strerror(rc));
		return 1;
	}
	struct vplat_blk_config c = {.writeback = true};
	vplat_blk_file_config(&file, &c);
	const struct vplat_blk_host_ops *ops = &vplat_blk_host_file;
	void *host = &file;
	bool use_aio = strcmp(end, "file") != 0;
	if (use_aio) {
		rc = vplat_blk_aio_init(&aio, &file, 64, !strcmp(end, "threads") ? VPLAT_BLK_AIO_THREADS : 0);
		if (rc)
			return 1;
		if (!strcmp(end, "uring") && !aio.uring) {
			printf("blk_durable: SKIP: io_uring not available here\n");
			return 77;
		}
		ops = &vplat_blk_host_aio;
		host = &aio;
	}
	if (vplat_loopback_init(&lb, VPLAT_LOOPBACK_PCI, 4u << 20) ||
	    vplat_blk_init(&blk, vplat_loopback_mem(&lb), &c, ops, host, reqs, 32) ||
	    vplat_loopback_attach(&lb, vplat_blk_device(&blk)) || vplat_loopback_val_init(&lb, &d))
		return 1;
	uint64_t want = VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1);
	if (wb)
		want |= VPLAT_BIT(VPLAT_VIRTIO_BLK_F_FLUSH);
	if (vplat_val_negotiate(&d, want) || vplat_val_vq_setup(&d, &vq, 0, 128) ||
	    vplat_val_driver_ok(&d))
		return 1;
	if (vplat_blk_writethrough(&blk) == wb) {
		fprintf(stderr, "device write-through mode %d, wanted %d\n", !wb, wb);
		return 1;
	}
	struct vplat_val_mem *m = vplat_loopback_dma(&lb);
	static struct slot s[QD];
	for (unsigned i = 0; i < QD; i++) {
		s[i].hdr = vplat_val_alloc(m, sizeof(*s[i].hdr), 16, NULL);
		s[i].data = vplat_val_alloc(m, BS, 4096, NULL);
		s[i].st = vplat_val_alloc(m, 1, 1, NULL);
		if (!s[i].hdr || !s[i].data || !s[i].st)
			return 1;
	}
	srand(7);
	const uint64_t NREQ = wb ? NREQ_WB : NREQ_WT;
	uint64_t seq = 0, posted = 0, completed = 0, flushes_ok = 0, checks = 0;
	unsigned bad = 0;
	while (completed < NREQ && bad == 0) {
		for (unsigned i = 0; i < QD && posted < NREQ; i++) {
			struct slot *q = &s[i];
			if (q->busy)
				continue;
			q->flush = wb && rand() % 6 == 0;
			q->hdr->reserved = 0;
			*q->st = 0xff;
			struct vplat_val_buf b[3];
			unsigned nout = 1, n = 0;
			b[n++] = (struct vplat_val_buf){.ptr = q->hdr, .len = sizeof(*q->hdr)};
			if (q->flush) {
				q->hdr->type = vplat_cpu_to_le32(VPLAT_VIRTIO_BLK_T_FLUSH);
				q->hdr->sector = 0;
				memcpy(q->snap, done, sizeof(done));
			} else {
				do
					q->blk = (uint32_t)(rand() % NBLK);
				while (busy[q->blk]);
				q->seq = ++seq;
				fill(q->data, q->seq, q->blk);
				issued[q->blk] = q->seq;
				busy[q->blk] = true;
				q->hdr->type = vplat_cpu_to_le32(VPLAT_VIRTIO_BLK_T_OUT);
				q->hdr->sector = vplat_cpu_to_le64((uint64_t)q->blk * (BS / 512));
				b[n++] = (struct vplat_val_buf){.ptr = q->data, .len = BS};
				nout = 2;
			}
			b[n++] = (struct vplat_val_buf){.ptr = q->st, .len = 1};
			if (vplat_val_vq_add(&vq, b, nout, 1, q))
				return 1;
			q->busy = true;
			posted++;
		}
		vplat_val_vq_kick(&vq);
		void *tok = NULL;
		for (int spin = 0; vplat_val_vq_get_used(&vq, &tok, NULL) != 0; spin++) {
			if (use_aio)
				vplat_blk_aio_poll(&aio);
			if (spin > 100)
				usleep(20);
			if (spin > 500000) {
				fprintf(stderr, "request never completed\n");
				return 1;
			}
		}
		struct slot *q = tok;
		q->busy = false;
		completed++;
		if (*q->st != VPLAT_VIRTIO_BLK_S_OK) {
			fprintf(stderr, "request failed: status %u\n", *q->st);
			return 1;
		}
		if (q->flush) {
			flushes_ok++;
			checks++;
			bad += check(q->snap, "flush after write", seq);
			continue;
		}
		busy[q->blk] = false;
		if (q->seq > done[q->blk])
			done[q->blk] = q->seq;
		if (!wb) {
			static uint64_t need[NBLK];
			memset(need, 0, sizeof(need));
			need[q->blk] = q->seq;
			checks++;
			bad += check(need, "write", q->seq);
		}
	}
	unsigned long long syncs, dsync, ufsync, udsync;
	stats(&syncs, &dsync, &ufsync, &udsync);
	printf("blk_durable %s %s (%s): %llu requests, %llu writes, %llu flushes completed, %llu "
	       "power-loss points checked, %u violations; shim saw %llu fdatasync/fsync, %llu "
	       "O_DSYNC/RWF_DSYNC writes, %llu io_uring fsyncs, %llu io_uring DSYNC writes: %s\n",
	       end, argv[2], use_aio ? (aio.uring ? "io_uring" : "thread pool") : "synchronous",
	       (unsigned long long)completed, (unsigned long long)seq,
	       (unsigned long long)flushes_ok, (unsigned long long)checks, bad, syncs, dsync, ufsync,
	       udsync, bad || !checks ? "FAIL" : "PASS");
	vplat_val_vq_fini(&vq);
	if (use_aio)
		vplat_blk_aio_fini(&aio);
	vplat_blk_file_close(&file);
	vplat_loopback_fini(&lb);
	unlink(dur);
	unlink(img);
	rmdir(dir);
	return bad || !checks;
}
