/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host side of tests/guest/ivshmem_qemu.sh: runs the vplat shared-memory server on SOCKET (on a
 * thread) and joins it as a vplat client (peer 0). Prints "READY" once QEMU may connect; then
 * waits for the guest (tests/guest/ivshmem_guest.c) to announce itself in the region, writes a
 * pattern, rings the guest's vector 0, and waits for the guest's doorbell and reply.
 * Prints "VPLAT-HOST-RESULT: PASS" on success.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include "vplat/error.h"
#include "vplat/fabric/ivshmem_server.h"

#define SHM_SIZE (1u << 20)
#define PATTERN_OFF 4096u
#define PATTERN_LEN 65536u
#define REPLY_OFF (PATTERN_OFF + PATTERN_LEN)
#define GUEST_READY 0x59445247u
#define HOST_MAGIC 0x54534f48u
#define GUEST_MAGIC 0x54534547u

static struct vplat_ivshmem_server *srv;

static void *serve(void *arg)
{
	(void)arg;
	for (;;) {
		int fds[32];
		struct pollfd pfd[32];
		size_t n = vplat_ivshmem_server_pollfds(srv, fds, 32);
		if (n > 32)
			n = 32;
		for (size_t i = 0; i < n; i++)
			pfd[i] = (struct pollfd){.fd = fds[i], .events = POLLIN};
		if (poll(pfd, (nfds_t)n, -1) < 0)
			continue;
		for (size_t i = 0; i < n; i++)
			if (pfd[i].revents) {
				vplat_ivshmem_server_dispatch(srv, pfd[i].fd);
				printf("host: server now has %u peers\n",
				       vplat_ivshmem_server_peers(srv));
				fflush(stdout);
			}
	}
	return NULL;
}

static int fail(const char *what)
{
	printf("FAIL: %s\nVPLAT-HOST-RESULT: FAIL\n", what);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: ivshmem_host SOCKET\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct vplat_ivshmem_server_config cfg = {
		.path = argv[1], .shm_size = SHM_SIZE, .vectors = 1, .max_peers = 4};
	if (vplat_ivshmem_server_create(&cfg, &srv) != 0)
		return fail("server create");
	pthread_t th;
	if (pthread_create(&th, NULL, serve, NULL) != 0)
		return fail("thread");
	struct vplat_ivshmem_client *c = NULL;
	if (vplat_ivshmem_client_connect(argv[1], 1, &c) != 0)
		return fail("client connect");
	int me = vplat_ivshmem_client_id(c);
	volatile uint8_t *shm = mmap(NULL, SHM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
				     vplat_ivshmem_client_shm_fd(c), 0);
	if (shm == MAP_FAILED)
		return fail("mmap");
	printf("host: client id %d\nREADY\n", me);

	/* Wait for the guest's readiness word, applying server notices meanwhile. */
	for (int i = 0; *(volatile uint32_t *)(shm + 68) != GUEST_READY; i++) {
		while (vplat_ivshmem_client_dispatch(c) == 0)
			;
		if (i > 5000)
			return fail("guest never announced itself in the region");
		usleep(10000);
	}
	__sync_synchronize();
	uint32_t guest = *(volatile uint32_t *)(shm + 64);
	while (vplat_ivshmem_client_dispatch(c) == 0)
		;
	if (!vplat_ivshmem_client_peer_present(c, (uint16_t)guest))
		return fail("guest's peer ID not announced by the server");
	printf("ok: guest is peer %u\n", guest);
	for (unsigned i = 0; i < PATTERN_LEN; i++)
		shm[PATTERN_OFF + i] = (uint8_t)(i * 13u + 5u);
	*(volatile uint32_t *)(shm + 4) = (uint32_t)me;
	__sync_synchronize();
	*(volatile uint32_t *)shm = HOST_MAGIC;
	__sync_synchronize();
	if (vplat_ivshmem_client_ring(c, (uint16_t)guest, 0) != 0)
		return fail("ring guest");
	printf("ok: pattern written, guest rung\n");
	int64_t r = vplat_ivshmem_client_wait(c, 0, 45000);
	if (r < 1)
		return fail("no doorbell from the guest");
	printf("ok: doorbell from the guest\n");
	__sync_synchronize();
	if (*(volatile uint32_t *)(shm + 128) != GUEST_MAGIC)
		return fail("guest magic missing");
	for (unsigned i = 0; i < PATTERN_LEN; i++)
		if (shm[REPLY_OFF + i] != (uint8_t)~(i * 13u + 5u))
			return fail("guest reply differs");
	printf("ok: guest reply (%u bytes) verified\n", PATTERN_LEN);
	printf("VPLAT-HOST-RESULT: PASS\n");
	return 0;
}
