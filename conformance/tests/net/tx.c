/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Network device: transmit (spec/13-network.md 13.3). What a transmitted frame looks like on
 * the far side is not visible to a driver; these tests check what is: every transmitq buffer
 * comes back, with used length 0, and the queue keeps going whatever the header says.
 */
#include "net_test.h"

#define S_NR VPLAT_VIRTIO_STATUS_DEVICE_NEEDS_RESET

/* A 12-byte header and a 60-byte broadcast frame (ethertype 0x88b5) in DMA memory. */
static uint8_t *frame(struct vplat_test_ctx *t, uint32_t payload)
{
	uint8_t *p = dmab(t, HDR_LEN + 14 + payload);
	if (!p)
		return NULL;
	memset(p + HDR_LEN, 0xff, 6);
	p[HDR_LEN + 6] = 0x02;
	p[HDR_LEN + 12] = 0x88;
	p[HDR_LEN + 13] = 0xb5;
	pattern(p + HDR_LEN + 14, payload, payload);
	return p;
}

static enum vplat_result used_len_zero(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *vq;
	enum vplat_result r = bringup(t, net_offer(t) & (NF(CSUM) | NF(MRG_RXBUF)), &vq, 1, 32);
	if (r != VPLAT_PASS)
		return r;
	static const uint32_t sizes[] = {46, 100, 1000, 1486};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint8_t *p = frame(t, sizes[i]);
		VPLAT_T_CHECK(t, 1, p != NULL);
		uint8_t *snap = dmab(t, HDR_LEN + 14 + sizes[i]);
		memcpy(snap, p, HDR_LEN + 14 + sizes[i]);
		/* Header and frame in one descriptor, then split: 5 + 7 header bytes, the rest. */
		struct vplat_val_buf one = {.ptr = p, .len = HDR_LEN + 14 + sizes[i]};
		struct vplat_val_buf three[3] = {{.ptr = p, .len = 5}, {.ptr = p + 5, .len = 7},
						 {.ptr = p + HDR_LEN, .len = 14 + sizes[i]}};
		uint32_t used = 1234;
		VPLAT_T_CHECK(t, 2, xfer(t, vq, &one, 1, 0, &used) == 0);
		VPLAT_T_CHECK_MSG(t, 3, used == 0, "transmitq used length 0", "used %u (frame %u bytes)",
				  used, sizes[i]);
		used = 1234;
		VPLAT_T_CHECK(t, 4, xfer(t, vq, three, 3, 0, &used) == 0);
		VPLAT_T_CHECK_MSG(t, 5, used == 0, "transmitq used length 0 (header over 2 descriptors)",
				  "used %u", used);
		VPLAT_T_CHECK_MSG(t, 6, memcmp(snap, p, HDR_LEN + 14 + sizes[i]) == 0,
				  "the device does not write into a transmit buffer", "the frame changed");
	}
	return VPLAT_PASS;
}
VPLAT_TEST(net_tx_used_len_zero, "VPLAT-NET-025", "sec:Device Types / Network Device / Device Operation / Legacy Interface: Device Operation", VPLAT_VIRTIO_ID_NET, 0, "frames of 60..1500 bytes, header in one or split over two descriptors, come back with used length 0, unmodified", used_len_zero);

/* Header variants a driver may send; the device must complete each and carry on. */
enum txcase {
	TX_UNKNOWN_FLAGS,   /* flags bits the device does not know */
	TX_CSUM_NO_FLAG,    /* garbage csum_start/offset without NEEDS_CSUM */
	TX_HDR_LEN_JUNK,    /* hdr_len 0xffff */
	TX_NUM_BUFFERS,     /* num_buffers non-zero on TX */
	TX_GSO_UNKNOWN,     /* gso_type 2 (not assigned) */
	TX_GSO_UNNEGOTIATED, /* TCPV4 without HOST_TSO4 */
	TX_GSO_ECN,         /* GSO_ECN without HOST_ECN */
	TX_GSO_NO_CSUM,     /* TCPV4 with NEEDS_CSUM clear */
	TX_GSO_UDP_L4,      /* UDP_L4 (USO never offered) */
	TX_GSO_TUNNEL,      /* both tunnel bits */
	TX_CSUM_UNNEGOTIATED, /* NEEDS_CSUM without CSUM negotiated */
	TX_CSUM_PAST_END,   /* csum_start + csum_offset + 2 past the packet */
	TX_SHORT,           /* 12-byte header and 10 frame bytes */
	TX_HEADER_ONLY,     /* 12 bytes */
	TX_TINY,            /* 3 bytes */
	TX_WRITABLE,        /* a valid frame plus a device-writable descriptor */
	TX_NCASES
};

static enum vplat_result tx_case(struct vplat_test_ctx *t, struct vplat_val_vq *vq, enum txcase c)
{
	uint8_t *p = frame(t, 46);
	uint8_t *w = dmab(t, 64);
	VPLAT_T_CHECK(t, 1, p && w);
	struct vplat_virtio_net_hdr *h = (struct vplat_virtio_net_hdr *)p;
	uint32_t len = HDR_LEN + 60;
	unsigned n_in = 0;
	switch (c) {
	case TX_UNKNOWN_FLAGS: h->flags = 0xfc; break;
	case TX_CSUM_NO_FLAG:
		h->csum_start = vplat_cpu_to_le16(0xfff0);
		h->csum_offset = vplat_cpu_to_le16(0xfff0);
		break;
	case TX_HDR_LEN_JUNK: h->hdr_len = vplat_cpu_to_le16(0xffff); break;
	case TX_NUM_BUFFERS: h->num_buffers = vplat_cpu_to_le16(7); break;
	case TX_GSO_UNKNOWN: h->gso_type = 2; break;
	case TX_GSO_UNNEGOTIATED:
	case TX_GSO_ECN:
	case TX_GSO_UDP_L4:
	case TX_GSO_TUNNEL:
		h->flags = VPLAT_VIRTIO_NET_HDR_F_NEEDS_CSUM;
		h->csum_start = vplat_cpu_to_le16(34);
		h->csum_offset = vplat_cpu_to_le16(16);
		h->gso_size = vplat_cpu_to_le16(8);
		h->gso_type = c == TX_GSO_UNNEGOTIATED ? VPLAT_VIRTIO_NET_HDR_GSO_TCPV4
			      : c == TX_GSO_ECN ? VPLAT_VIRTIO_NET_HDR_GSO_TCPV4 | VPLAT_VIRTIO_NET_HDR_GSO_ECN
			      : c == TX_GSO_UDP_L4 ? VPLAT_VIRTIO_NET_HDR_GSO_UDP_L4
						   : VPLAT_VIRTIO_NET_HDR_GSO_TCPV4 |
							     VPLAT_VIRTIO_NET_HDR_GSO_UDP_TUNNEL_IPV4 |
							     VPLAT_VIRTIO_NET_HDR_GSO_UDP_TUNNEL_IPV6;
		break;
	case TX_GSO_NO_CSUM:
		h->gso_type = VPLAT_VIRTIO_NET_HDR_GSO_TCPV4;
		h->gso_size = vplat_cpu_to_le16(8);
		break;
	case TX_CSUM_UNNEGOTIATED:
	case TX_CSUM_PAST_END:
		h->flags = VPLAT_VIRTIO_NET_HDR_F_NEEDS_CSUM;
		h->csum_start = vplat_cpu_to_le16(c == TX_CSUM_PAST_END ? 50 : 34);
		h->csum_offset = vplat_cpu_to_le16(c == TX_CSUM_PAST_END ? 9 : 6);
		break;
	case TX_SHORT: len = HDR_LEN + 10; break;
	case TX_HEADER_ONLY: len = HDR_LEN; break;
	case TX_TINY: len = 3; break;
	case TX_WRITABLE: n_in = 1; break;
	case TX_NCASES: break;
	}
	struct vplat_val_buf b[2] = {{.ptr = p, .len = len}, {.ptr = w, .len = 64}};
	uint32_t used = 1234;
	VPLAT_T_CHECK_MSG(t, 2, xfer(t, vq, b, 1, n_in, &used) == 0, "every transmit buffer is completed",
			  "case %d: not completed", (int)c);
	VPLAT_T_CHECK_MSG(t, 3, used == 0, "used length 0", "case %d: used %u", (int)c, used);
	VPLAT_T_CHECK_MSG(t, 4, !(status(t) & S_NR), "the device carries on (no DEVICE_NEEDS_RESET)",
			  "case %d: status 0x%x", (int)c, status(t));
	/* The queue keeps going: a plain frame right after is completed. */
	uint8_t *ok = frame(t, 46);
	struct vplat_val_buf g = {.ptr = ok, .len = HDR_LEN + 60};
	VPLAT_T_CHECK_MSG(t, 5, xfer(t, vq, &g, 1, 0, &used) == 0 && used == 0,
			  "a valid frame after it is served", "case %d: the next frame is stuck", (int)c);
	return VPLAT_PASS;
}

static enum vplat_result tx_cases(struct vplat_test_ctx *t, bool hostile)
{
	struct vplat_val_vq *vq;
	/* CSUM negotiated only where a case needs it; no host GSO offload is accepted. */
	enum vplat_result r = bringup(t, 0, &vq, 1, 32);
	if (r != VPLAT_PASS)
		return r;
	for (int c = hostile ? TX_GSO_UNKNOWN : 0; c < (hostile ? TX_NCASES : TX_GSO_UNKNOWN); c++) {
		uint64_t mark = vplat_val_mem_mark(t->d->mem);
		if ((r = tx_case(t, vq, (enum txcase)c)) != VPLAT_PASS)
			return r;
		vplat_val_mem_release(t->d->mem, mark);
	}
	return VPLAT_PASS;
}

static enum vplat_result tx_header_fields(struct vplat_test_ctx *t)
{
	return tx_cases(t, false);
}
VPLAT_TEST(net_tx_header_fields_completed, "VPLAT-NET-025", "devicenormative:Device Types / Network Device / Device Operation / Packet Transmission", VPLAT_VIRTIO_ID_NET, 0, "unknown flag bits, csum fields without NEEDS_CSUM, junk hdr_len, non-zero num_buffers: each frame completes (used 0) and the queue goes on", tx_header_fields);

static enum vplat_result tx_malformed(struct vplat_test_ctx *t)
{
	return tx_cases(t, true);
}
VPLAT_TEST(net_exer_tx_malformed_completed, "VPLAT-NET-025", "drivernormative:Device Types / Network Device / Device Operation / Packet Transmission", VPLAT_VIRTIO_ID_NET, VPLAT_TF_EXERCISER, "unknown/unnegotiated/ECN/USO/tunnel GSO, GSO without NEEDS_CSUM, NEEDS_CSUM without CSUM or past the end, short chains, writable descriptors: each buffer completes with used 0, no DEVICE_NEEDS_RESET, the queue goes on", tx_malformed);
