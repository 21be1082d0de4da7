/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz the vhost-user back-end's message handling through its in-memory entry point
 * (vplat_vhu_backend_process): the input is a stream of messages, each a 12-byte header
 * followed by up to `size` payload bytes (the last one may be cut short). No fds are passed,
 * so every fd-carrying request must be refused cleanly; everything else (features, protocol
 * features, ring state, config, status, inflight descriptions) is parsed as from a real peer.
 * The fast, breadth-first companion of fuzz_vhost_user (which passes real descriptors and pays
 * a socket round trip and an mmap/munmap per session): the back end is set up once per process
 * and disconnected (reset) after each input.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "vplat/rng.h"
#include "vplat/backend/vhost_user.h"
#include "vplat/val/mock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vplat_vhu_backend b;
	static struct vplat_rng rng;
	static struct vplat_rng_mock mock;
	static bool up;
	if (!up && (vplat_vhu_backend_init(&b, NULL) ||
		    vplat_rng_init(&rng, vplat_vhu_backend_mem(&b), &vplat_rng_host_mock, &mock) ||
		    vplat_vhu_backend_attach(&b, vplat_rng_device(&rng))))
		abort();
	up = true;
	while (size >= VPLAT_VHU_HDR_SIZE) {
		uint32_t psize;
		memcpy(&psize, data + 8, 4);
		size_t len = VPLAT_VHU_HDR_SIZE + (psize < size - VPLAT_VHU_HDR_SIZE
							   ? psize
							   : size - VPLAT_VHU_HDR_SIZE);
		vplat_vhu_backend_process(&b, data, len);
		data += len;
		size -= len;
	}
	vplat_vhu_backend_disconnect(&b);
	return 0;
}
