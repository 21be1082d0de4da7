/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the built-in switch's frame parser and forwarding (lib/fabric/switch:
 * Ethernet header, 802.1Q tag, VLAN membership, source-MAC filter, MAC learning and aging,
 * traffic classes, shaping, the software checksum of partial frames for ports without offloads).
 *
 * Byte 0..7 configure a switch of 4 ports (learning table of 4 or 16 entries, so entries
 * collide and are replaced; per port: pvid, VLAN filter with a membership bitmap, one allowed
 * source MAC or any, offloads, classes, strict or weighted service, queue length 1..4, frame_max,
 * rate). The rest is a script of records {op, ...}: a frame entering a port (length, virtio-net
 * header flags/gso/csum_start/csum_offset, bytes), run at a time, time advancing, a port turning
 * busy (EAGAIN) / failing / accepting, a port removed and added again.
 *
 * Checked (abort() when false):
 * - every frame a port is given is 14..frame_max of that port long, and was entered by the
 *   script on another port with the same length and the same MAC addresses (unless its checksum
 *   was filled in, which may touch them); never back out of its ingress port;
 * - a port without offloads is never given a virtio-net header other than all zero;
 * - a tagged frame leaves only through a port that is a member of its VLAN;
 * - a frame the ingress port accepted (no ingress drop counted) has its source MAC learned on
 *   that port in its VLAN;
 * - with every port accepting and time going on, the switch empties its queues in a bounded
 *   number of runs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "vplat/error.h"
#include "vplat/fabric/switch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NP   4
#define NREC 256

struct fport {
	uint32_t id;
	bool present;
	int mode; /* 0 accept, 1 busy (EAGAIN), 2 refuse (VPLAT_EIO) */
	struct vplat_switch_port_config cfg;
};

struct rec {
	uint32_t port;
	size_t len;
	uint8_t macs[12];
	bool csum;
};

static struct vplat_switch sw;
static struct fport ports[NP];
static struct rec recs[NREC];
static unsigned nrec;
static uint8_t frame[2100];

static bool member(const struct vplat_switch_port_config *c, uint16_t vid)
{
	return !c->vlan_filter || vid == c->pvid || ((c->vlans[vid / 32u] >> (vid % 32u)) & 1u);
}

static int egress(void *ctx, const struct vplat_net_frame *f)
{
	struct fport *p = ctx;
	if (p->mode == 1)
		return VPLAT_EAGAIN;
	if (f->len < 14 || f->len > p->cfg.frame_max)
		abort();
	static const struct vplat_virtio_net_hdr zero;
	if (!p->cfg.offloads && memcmp(&f->hdr, &zero, sizeof(zero)) != 0)
		abort();
	if (f->len >= 18 && f->data[12] == 0x81 && f->data[13] == 0x00 &&
	    !member(&p->cfg, (uint16_t)((f->data[14] & 0x0fu) << 8 | f->data[15])))
		abort();
	bool found = false;
	for (unsigned i = 0; i < nrec && !found; i++)
		found = recs[i].port != p->id && recs[i].len == f->len &&
			(recs[i].csum || memcmp(recs[i].macs, f->data, 12) == 0);
	if (!found)
		abort();
	return p->mode == 2 ? VPLAT_EIO : 0;
}

static const struct vplat_switch_port_ops ops = {.egress = egress};

static void port_add(unsigned i, const uint8_t *c)
{
	struct vplat_switch_port_config *k = &ports[i].cfg;
	static const uint32_t fmax[4] = {64, 200, 1522, 2048};
	memset(k, 0, sizeof(*k));
	k->pvid = (uint16_t)(c[0] & 7);
	k->vlan_filter = c[0] & 8;
	k->vlans[0] = (uint32_t)c[1] * 0x01010101u; /* VLANs 0..31 */
	if (c[0] & 0x10) {
		k->n_macs = 1;
		memcpy(k->macs[0], "\x02\x00\x00\x00\x00", 5);
		k->macs[0][5] = (uint8_t)i;
	}
	k->offloads = c[0] & 0x20;
	k->sched = (c[0] & 0x40) ? VPLAT_SWITCH_WEIGHTED : VPLAT_SWITCH_STRICT;
	k->classes = (uint8_t)(1 + (c[1] >> 5));
	for (unsigned w = 0; w < VPLAT_SWITCH_CLASSES; w++)
		k->weights[w] = (uint8_t)(w + (c[1] & 3));
	k->queue_len = 1u + (c[0] >> 7) * 3u;
	k->frame_max = fmax[(c[1] >> 2) & 3];
	k->rate_bps = (c[1] & 0x10) ? 1000000u : 0; /* 125 bytes per ms */
	ports[i].present = ports[i].mode = 0;
	if (vplat_switch_builtin_ops.port_add(&sw, k, &ops, &ports[i], &ports[i].id) == 0) {
		ports[i].present = true;
		/* The switch keeps its own copy with defaults filled in; ours must match it. */
		if (!k->burst_bytes)
			k->burst_bytes = 2u * (uint64_t)k->frame_max;
	}
}

static uint64_t drops(uint32_t id)
{
	struct vplat_switch_port_stats st;
	if (vplat_switch_builtin_ops.port_stats(&sw, id, &st))
		abort();
	return st.drop_vlan + st.drop_mac + st.drop_size;
}

static void send_frame(const uint8_t *p, size_t n, uint64_t now)
{
	/* p: op, port/flags, len_lo, len_hi, hdr flags, gso, csum_start, csum_offset, bytes... */
	unsigned i = p[1] % NP;
	if (!ports[i].present || nrec == NREC)
		return; /* (past NREC frames the forwarding check could not be made) */
	size_t len = ((size_t)p[2] | (size_t)p[3] << 8) % 2100;
	struct vplat_net_frame f = {.data = frame, .len = len};
	memset(frame, 0, len);
	memcpy(frame, p + 8, n - 8 < len ? n - 8 : len);
	if (p[1] & 0x10) /* a source this port allows */
		memcpy(frame + 6, ports[i].cfg.macs[0], 6);
	if (p[1] & 0x20) /* an 802.1Q tag in the first VLANs */
		frame[12] = 0x81, frame[13] = 0, frame[14] &= 0xe0, frame[15] &= 7;
	if (p[1] & 0x40) {
		f.hdr.flags = p[4];
		f.hdr.gso_type = p[5];
		f.hdr.csum_start = vplat_cpu_to_le16(p[6]);
		f.hdr.csum_offset = vplat_cpu_to_le16(p[7] & 0x3f);
	}
	if (len >= 14) {
		recs[nrec].port = ports[i].id;
		recs[nrec].len = len;
		memcpy(recs[nrec].macs, frame, 12);
		recs[nrec].csum = f.hdr.flags & VPLAT_VIRTIO_NET_HDR_F_NEEDS_CSUM;
		nrec++;
	}
	uint64_t before = drops(ports[i].id);
	if (vplat_switch_builtin_ops.input(&sw, ports[i].id, &f, now) != 0)
		abort();
	if (len >= 14 && len <= VPLAT_NET_FRAME_MAX && drops(ports[i].id) == before) {
		uint16_t vid = ports[i].cfg.pvid;
		if (len >= 18 && frame[12] == 0x81 && frame[13] == 0)
			vid = (uint16_t)((frame[14] & 0x0fu) << 8 | frame[15]);
		if (vplat_switch_lookup(&sw, frame + 6, vid) != (int32_t)ports[i].id)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2 * NP + 1)
		return 0;
	struct vplat_switch_config cfg = {.max_ports = NP, .mac_entries = (data[0] & 1) ? 16 : 4,
					  .aging_ns = 1000000u * (1u + (data[0] >> 1))};
	if (vplat_switch_init(&sw, &cfg))
		abort();
	nrec = 0;
	for (unsigned i = 0; i < NP; i++)
		port_add(i, data + 1 + 2 * i);
	uint64_t now = 0;
	for (size_t off = 1 + 2 * NP; off < size;) {
		const uint8_t *p = data + off;
		size_t n = size - off;
		switch (p[0] % 6) {
		case 0: { /* a frame: 8 header bytes and up to 64 bytes given */
			if (n < 8)
				goto done;
			size_t take = 8 + (p[0] >> 3) * 8u;
			if (take > n)
				take = n;
			send_frame(p, take, now);
			off += take;
			continue;
		}
		case 1: vplat_switch_builtin_ops.run(&sw, now); break;
		case 2: now += (uint64_t)(p[0] >> 3) * 250000u; break;
		case 3: ports[(p[0] >> 3) % NP].mode = (p[0] >> 5) % 3; break;
		case 4: {
			unsigned i = (p[0] >> 3) % NP;
			if (ports[i].present && !(p[0] & 0x80)) {
				if (vplat_switch_builtin_ops.port_remove(&sw, ports[i].id))
					abort();
				ports[i].present = false;
			} else if (!ports[i].present && n >= 3) {
				port_add(i, p + 1);
				off += 2;
			}
			break;
		}
		default: break;
		}
		off++;
	}
done:
	for (unsigned i = 0; i < NP; i++)
		ports[i].mode = 0;
	bool empty = false;
	for (int k = 0; k < 64 && !empty; k++) {
		uint64_t w = vplat_switch_builtin_ops.run(&sw, now);
		empty = w == UINT64_MAX;
		now += w ? w : 1;
	}
	if (!empty)
		abort();
	vplat_switch_fini(&sw);
	return 0;
}
