/* SPDX-License-Identifier: BSD-3-Clause */
/* Smoke test for vplat-shmem-server: two peers join, share the region, ring a doorbell. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include "vplat/fabric/ivshmem_server.h"

int main(int argc, char **argv)
{
	struct vplat_ivshmem_client *a, *b;
	if (argc != 2 || vplat_ivshmem_client_connect(argv[1], 1, &a) ||
	    vplat_ivshmem_client_connect(argv[1], 1, &b)) {
		fprintf(stderr, "smoke: cannot join %s\n", argc == 2 ? argv[1] : "?");
		return 1;
	}
	uint16_t idb = (uint16_t)vplat_ivshmem_client_id(b);
	for (int i = 0; i < 200 && !vplat_ivshmem_client_peer_present(a, idb); i++) {
		vplat_ivshmem_client_dispatch(a);
		nanosleep(&(struct timespec){0, 5000000}, NULL);
	}
	if (!vplat_ivshmem_client_peer_present(a, idb)) {
		fprintf(stderr, "smoke: peer %u never announced\n", idb);
		return 1;
	}
	size_t sz = (size_t)vplat_ivshmem_client_shm_size(a);
	uint8_t *pa = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED, vplat_ivshmem_client_shm_fd(a), 0);
	uint8_t *pb = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED, vplat_ivshmem_client_shm_fd(b), 0);
	if (pa == MAP_FAILED || pb == MAP_FAILED) {
		perror("smoke: mmap");
		return 1;
	}
	memcpy(pa, "vplat shared memory", 20);
	if (memcmp(pb, "vplat shared memory", 20) != 0) {
		fprintf(stderr, "smoke: the peers do not share the region\n");
		return 1;
	}
	if (vplat_ivshmem_client_ring(a, idb, 0) != 0 || vplat_ivshmem_client_wait(b, 0, 2000) <= 0) {
		fprintf(stderr, "smoke: the doorbell did not arrive\n");
		return 1;
	}
	printf("smoke: peers %d and %d share %zu bytes; doorbell delivered\n",
	       vplat_ivshmem_client_id(a), idb, sz);
	vplat_ivshmem_client_close(a);
	vplat_ivshmem_client_close(b);
	return 0;
}
