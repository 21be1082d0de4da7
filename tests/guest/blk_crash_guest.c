/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Guest side of tests/guest/blk_crash.sh, and the host side's image checker.
 *
 *   blk_crash_guest write DEV NTHREADS MAXSECS
 *       (in the guest) NTHREADS threads write numbered, checksummed 4 KiB records to DEV with
 *       O_DIRECT, each pwrite followed by fsync; thread t writes records t, t+N, t+2N, ... at
 *       offset RECORD_BASE + seq * 4096. A record counts as acknowledged once its pwrite and
 *       the following fsync both returned success. Every 0.5 s the program prints
 *       "GC-PROGRESS acked=A errors=E" and reads the stop sector (sector 0, O_DIRECT): when
 *       the host has written STOP_MAGIC there (or MAXSECS passed) the threads stop, the
 *       program reads every acknowledged record back with O_DIRECT and checks it, and prints
 *       "GC-ACKED t n" per thread (records t + i*N, i < n, were acknowledged) and
 *       "GC-RESULT: PASS" or "GC-RESULT: FAIL ...". Any I/O error is printed ("GC-IOERR")
 *       and stops that thread.
 *
 *   blk_crash_guest check IMAGE N0 N1 ...    (one count per writer thread)
 *       (on the host, after the guest powered off) checks that the records every thread saw
 *       acknowledged are intact in IMAGE; prints "GC-CHECK: ok=K bad=B" and exits 1 if B > 0.
 *
 * A record: magic "VPLATREC", seq, nonce (per boot), payload derived from (seq, nonce), and an
 * FNV-1a 64-bit checksum over everything before it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define REC 4096u
#define RECORD_BASE (1024u * 1024u)
#define STOP_MAGIC "VPLAT-STOP-WRITING"
#define MAX_THREADS 16

struct rec {
	char magic[8];
	uint64_t seq;
	uint64_t nonce;
	uint8_t payload[REC - 32];
	uint64_t sum;
};
_Static_assert(sizeof(struct rec) == REC, "record size");

static uint64_t fnv(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

static void fill(struct rec *r, uint64_t seq, uint64_t nonce)
{
	memcpy(r->magic, "VPLATREC", 8);
	r->seq = seq;
	r->nonce = nonce;
	uint64_t x = seq * 0x9e3779b97f4a7c15ull ^ nonce ^ 0x5bd1e995u;
	for (size_t i = 0; i < sizeof(r->payload); i += 8) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(r->payload + i, &x, 8);
	}
	r->sum = fnv(r, offsetof(struct rec, sum));
}

/* 0 when @r is record @seq, intact (any nonce when @nonce is 0). */
static int verify(const struct rec *r, uint64_t seq, uint64_t nonce)
{
	if (memcmp(r->magic, "VPLATREC", 8) || r->seq != seq || (nonce && r->nonce != nonce))
		return -1;
	if (r->sum != fnv(r, offsetof(struct rec, sum)))
		return -2;
	static _Thread_local struct rec want;
	fill(&want, seq, r->nonce);
	return memcmp(&want, r, REC) ? -3 : 0;
}

static int fd;
static unsigned nthreads;
static uint64_t nonce;
static uint64_t max_seq;
static atomic_bool stop;
static atomic_uint errors;
static atomic_ulong acked_total;
static uint64_t acked[MAX_THREADS];

static void *writer(void *arg)
{
	unsigned t = (unsigned)(uintptr_t)arg;
	struct rec *r = aligned_alloc(REC, REC);
	for (uint64_t seq = t; seq < max_seq && !atomic_load(&stop); seq += nthreads) {
		fill(r, seq, nonce);
		ssize_t n = pwrite(fd, r, REC, (off_t)(RECORD_BASE + seq * REC));
		if (n != (ssize_t)REC) {
			printf("GC-IOERR: pwrite seq %llu: %s\n", (unsigned long long)seq,
			       n < 0 ? strerror(errno) : "short write");
			atomic_fetch_add(&errors, 1);
			break;
		}
		if (fsync(fd) != 0) {
			printf("GC-IOERR: fsync after seq %llu: %s\n", (unsigned long long)seq,
			       strerror(errno));
			atomic_fetch_add(&errors, 1);
			break;
		}
		acked[t]++;
		atomic_fetch_add(&acked_total, 1);
	}
	free(r);
	return NULL;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int do_write(const char *dev, unsigned maxsecs)
{
	fd = open(dev, O_RDWR | O_DIRECT);
	if (fd < 0) {
		printf("GC-RESULT: FAIL open %s: %s\n", dev, strerror(errno));
		return 1;
	}
	off_t size = lseek(fd, 0, SEEK_END);
	max_seq = size > (off_t)RECORD_BASE ? (uint64_t)(size - RECORD_BASE) / REC : 0;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	nonce = ((uint64_t)ts.tv_sec << 32 ^ (uint64_t)ts.tv_nsec) | 1;
	char *sec = aligned_alloc(REC, REC);
	printf("GC-START: %s %llu records of %u bytes, %u threads, nonce %llx\n", dev,
	       (unsigned long long)max_seq, REC, nthreads, (unsigned long long)nonce);
	fflush(stdout);
	pthread_t th[MAX_THREADS];
	for (unsigned t = 0; t < nthreads; t++)
		pthread_create(&th[t], NULL, writer, (void *)(uintptr_t)t);
	double t0 = now();
	while (!atomic_load(&stop)) {
		usleep(500 * 1000);
		ssize_t n = pread(fd, sec, REC, 0);
		if (n != (ssize_t)REC) {
			printf("GC-IOERR: read of the stop sector: %s\n", n < 0 ? strerror(errno) : "short");
			atomic_fetch_add(&errors, 1);
		} else if (!memcmp(sec, STOP_MAGIC, strlen(STOP_MAGIC))) {
			printf("GC-INFO: stop marker seen\n");
			atomic_store(&stop, true);
		}
		if (now() - t0 > maxsecs) {
			printf("GC-INFO: %u s passed without a stop marker\n", maxsecs);
			atomic_store(&stop, true);
		}
		printf("GC-PROGRESS: t=%.1f acked=%lu errors=%u\n", now() - t0,
		       atomic_load(&acked_total), atomic_load(&errors));
		fflush(stdout);
	}
	for (unsigned t = 0; t < nthreads; t++)
		pthread_join(th[t], NULL);
	/* The guest's own view: read every acknowledged record back past the page cache. */
	unsigned bad = 0;
	uint64_t total = 0;
	for (unsigned t = 0; t < nthreads; t++) {
		printf("GC-ACKED %u %llu\n", t, (unsigned long long)acked[t]);
		for (uint64_t i = 0; i < acked[t]; i++) {
			uint64_t seq = t + i * nthreads;
			ssize_t n = pread(fd, sec, REC, (off_t)(RECORD_BASE + seq * REC));
			if (n != (ssize_t)REC) {
				printf("GC-IOERR: read back seq %llu: %s\n", (unsigned long long)seq,
				       n < 0 ? strerror(errno) : "short");
				atomic_fetch_add(&errors, 1);
				bad++;
			} else if (verify((struct rec *)sec, seq, nonce)) {
				if (bad < 10)
					printf("GC-BAD: record %llu\n", (unsigned long long)seq);
				bad++;
			}
			total++;
		}
	}
	printf("GC-SUMMARY: acked=%llu readback_bad=%u io_errors=%u secs=%.1f\n",
	       (unsigned long long)total, bad, atomic_load(&errors), now() - t0);
	if (bad || atomic_load(&errors) || !total)
		printf("GC-RESULT: FAIL\n");
	else
		printf("GC-RESULT: PASS\n");
	fflush(stdout);
	close(fd);
	return 0;
}

static int do_check(const char *img, int argc, char **argv)
{
	int f = open(img, O_RDONLY);
	if (f < 0) {
		perror(img);
		return 1;
	}
	struct rec *r = aligned_alloc(REC, REC);
	unsigned long ok = 0, bad = 0;
	for (unsigned t = 0; t < (unsigned)argc; t++) {
		uint64_t n = strtoull(argv[t], NULL, 0);
		for (uint64_t i = 0; i < n; i++) {
			uint64_t seq = t + i * (uint64_t)argc;
			if (pread(f, r, REC, (off_t)(RECORD_BASE + seq * REC)) != (ssize_t)REC ||
			    verify(r, seq, 0)) {
				if (bad < 10)
					printf("GC-CHECK: record %llu lost or damaged\n",
					       (unsigned long long)seq);
				bad++;
			} else {
				ok++;
			}
		}
	}
	printf("GC-CHECK: ok=%lu bad=%lu\n", ok, bad);
	close(f);
	free(r);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 5 && !strcmp(argv[1], "write")) {
		nthreads = (unsigned)atoi(argv[3]);
		if (nthreads < 1 || nthreads > MAX_THREADS)
			return 2;
		return do_write(argv[2], (unsigned)atoi(argv[4]));
	}
	if (argc >= 4 && !strcmp(argv[1], "check") && argc - 3 <= MAX_THREADS)
		return do_check(argv[2], argc - 3, argv + 3);
	fprintf(stderr, "usage: blk_crash_guest write DEV NTHREADS MAXSECS\n"
			"       blk_crash_guest check IMAGE N0 N1 ...\n");
	return 2;
}
