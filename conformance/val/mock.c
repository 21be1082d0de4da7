/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Mock host ends for tests (validation library): a deterministic entropy source and a
 * capturing network end, both with fault injection. Freestanding code, but shipped in
 * vplat-val only: a product never links a mock.
 */
#include <stdint.h>
#include <string.h>
#include "vplat/error.h"
#include "vplat/val/mock.h"

/* Entropy */
static int32_t mock_read(void *host, uint8_t *buf, uint32_t len)
{
	struct vplat_rng_mock *m = host;

	m->calls++;
	if (m->fail) {
		m->fail--;
		return VPLAT_EIO;
	}
	if (m->starve) {
		m->starve--;
		return 0;
	}
	if (m->max_chunk && len > m->max_chunk)
		len = m->max_chunk;
	for (uint32_t i = 0; i < len; i++)
		buf[i] = m->next++;
	return (int32_t)(len > INT32_MAX ? INT32_MAX : len);
}

const struct vplat_rng_host_ops vplat_rng_host_mock = {.read = mock_read};

/* ---------------------------------------------------------------------------------------- */
/* Network */

static int mock_tx(void *host, const struct vplat_virtio_net_hdr *hdr, const uint8_t *frame,
		   size_t len)
{
	struct vplat_net_mock *m = host;
	if (m->busy) {
		m->busy--;
		return VPLAT_EAGAIN;
	}
	if (m->fail) {
		m->fail--;
		return VPLAT_EIO;
	}
	if (len > sizeof(m->last))
		len = sizeof(m->last);
	memcpy(m->last, frame, len);
	m->last_len = len;
	m->last_hdr = *hdr;
	m->frames++;
	return 0;
}

static uint64_t mock_offloads(void *host)
{
	return ((struct vplat_net_mock *)host)->offloads;
}

static void mock_set_offloads(void *host, uint64_t guest_offloads)
{
	((struct vplat_net_mock *)host)->guest_offloads = guest_offloads;
}

static void mock_rx_ready(void *host)
{
	((struct vplat_net_mock *)host)->rx_ready_calls++;
}

const struct vplat_net_host_ops vplat_net_host_mock = {
    .tx = mock_tx,
    .offloads = mock_offloads,
    .set_offloads = mock_set_offloads,
    .rx_ready = mock_rx_ready,
};
