/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Built-in virtual switch: learning and flooding, VLAN and MAC filters, offload resolution,
 * strict and weighted classes (by injected clock, and frame by frame on a congested port),
 * token-bucket shaping measured with an injected clock, and a net
 * device port driven by the validation driver (virtio-mmio/pci x split/packed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "netdrv.h"
#include "pcprec.h"
#include "vplat/fabric/switch.h"

#define NS 1000000000ull

struct cap {
	uint64_t frames, bytes;
	uint64_t pcp_frames[8];
	uint8_t last[2048];
	size_t last_len;
	struct vplat_virtio_net_hdr last_hdr;
	uint32_t busy; /* next egress calls return EAGAIN */
};

static int cap_egress(void *ctx, const struct vplat_net_frame *f)
{
	struct cap *c = ctx;
	if (c->busy) {
		c->busy--;
		return VPLAT_EAGAIN;
	}
	c->frames++;
	c->bytes += f->len;
	if (f->len >= 16 && f->data[12] == 0x81)
		c->pcp_frames[f->data[14] >> 5]++;
	c->last_len = f->len < sizeof(c->last) ? f->len : sizeof(c->last);
	memcpy(c->last, f->data, c->last_len);
	c->last_hdr = f->hdr;
	return 0;
}

static const struct vplat_switch_port_ops cap_ops = {.egress = cap_egress};

/* Add a port (@p pc, NULL for the defaults) whose egress is captured in @p c; its id in @p id. */
static void add_port(struct vplat_switch *sw, const struct vplat_switch_port_config *pc,
		     struct cap *c, uint32_t *id)
{
	ck_assert_int_eq(vplat_switch_builtin_ops.port_add(sw, pc, &cap_ops, c, id), 0);
}

/* Initialise @p sw (@p sc, NULL for the defaults) with @p n ports, egress captured in c[i], id
 * in id[i]: port i configured by pc[i] if @p each, else every port by @p pc (NULL: defaults). */
static void sw_up(struct vplat_switch *sw, const struct vplat_switch_config *sc,
		  const struct vplat_switch_port_config *pc, bool each, int n, struct cap *c,
		  uint32_t *id)
{
	ck_assert_int_eq(vplat_switch_init(sw, sc), 0);
	for (int i = 0; i < n; i++)
		add_port(sw, each ? &pc[i] : pc, &c[i], &id[i]);
}

static uint8_t mac(int n, uint8_t out[6])
{
	uint8_t m[6] = {0x02, 0, 0, 0, 0, (uint8_t)n};
	memcpy(out, m, 6);
	return 0;
}

/* Frame of @p len bytes from host @p src to host @p dst (dst < 0: broadcast); vid >= 0 tags. */
static size_t frame(uint8_t *f, size_t len, int src, int dst, int vid, int pcp)
{
	memset(f, 0, len);
	if (dst < 0)
		memset(f, 0xff, 6);
	else
		mac(dst, f);
	mac(src, f + 6);
	size_t o = 12;
	if (vid >= 0) {
		f[12] = 0x81, f[13] = 0;
		f[14] = (uint8_t)(pcp << 5 | (vid >> 8)), f[15] = (uint8_t)vid;
		o = 16;
	}
	f[o] = 0x88, f[o + 1] = 0xb5;
	return len;
}

static void input(struct vplat_switch *sw, uint32_t port, const uint8_t *d, size_t len,
		  uint64_t now)
{
	struct vplat_net_frame f = {.data = d, .len = len};
	ck_assert_int_eq(vplat_switch_builtin_ops.input(sw, port, &f, now), 0);
}

/* A 64-byte frame from host @p src to @p dst (< 0: broadcast), VLAN @p vid (< 0: untagged),
 * enters port @p port at @p now, and the switch runs at @p now. */
static void deliver(struct vplat_switch *sw, uint32_t port, int src, int dst, int vid,
		    uint64_t now)
{
	uint8_t f[64];
	input(sw, port, f, frame(f, sizeof(f), src, dst, vid, 0), now);
	vplat_switch_builtin_ops.run(sw, now);
}

static struct vplat_switch_port_stats stats(struct vplat_switch *sw, uint32_t id)
{
	struct vplat_switch_port_stats st;
	ck_assert_int_eq(vplat_switch_builtin_ops.port_stats(sw, id, &st), 0);
	return st;
}

START_TEST(scattered_frames_forward_the_snapshot)
{
	/* A frame given as segments (a device's tx_sg) is reassembled in the egress queue, and
	 * its head is the snapshot the switch classified: segments rewritten to another VLAN
	 * after the snapshot still leave with the snapshot's tag. */
	struct vplat_switch sw;
	struct cap c[2] = {0};
	uint32_t id[2];
	sw_up(&sw, NULL, NULL, false, 2, c, id);
	uint8_t want[200], body[200];
	frame(want, 200, 1, 2, 0, 0);
	for (size_t i = 18; i < 200; i++)
		want[i] = (uint8_t)(i * 5u);
	memcpy(body, want, sizeof(body));
	body[15] = 7; /* the guest's buffer now says VLAN 7 */
	struct vplat_iov seg[3] = {{body, 10}, {body + 10, 100}, {body + 110, 90}};
	struct vplat_net_frame f = {.data = want, .len = 200, .seg = seg, .nseg = 3};
	ck_assert_int_eq(vplat_switch_builtin_ops.input(&sw, id[0], &f, 0), 0);
	vplat_switch_builtin_ops.run(&sw, 0);
	ck_assert_uint_eq(c[1].frames, 1);
	ck_assert_uint_eq(c[1].last_len, 200);
	ck_assert_mem_eq(c[1].last, want, 200);
	/* Segments shorter than the length: dropped, counted. */
	seg[2].len = 10;
	ck_assert_int_eq(vplat_switch_builtin_ops.input(&sw, id[0], &f, 0), 0);
	vplat_switch_builtin_ops.run(&sw, 0);
	ck_assert_uint_eq(c[1].frames, 1);
	ck_assert_uint_eq(stats(&sw, id[1]).drop_size, 1);
	vplat_switch_fini(&sw);
}
END_TEST

START_TEST(learn_and_flood)
{
	struct vplat_switch sw;
	struct cap c[3] = {0};
	uint32_t id[3];
	sw_up(&sw, NULL, NULL, false, 3, c, id);
	uint8_t f[128];
	/* Unknown destination: flooded to the other two ports. */
	deliver(&sw, id[0], 1, 2, -1, 0);
	ck_assert_uint_eq(c[0].frames, 0);
	ck_assert_uint_eq(c[1].frames, 1);
	ck_assert_uint_eq(c[2].frames, 1);
	uint8_t m[6];
	mac(1, m);
	ck_assert_int_eq(vplat_switch_lookup(&sw, m, 0), (int)id[0]);
	/* Host 2 answers from port 1: known unicast to port 0 only. */
	deliver(&sw, id[1], 2, 1, -1, 1);
	ck_assert_uint_eq(c[0].frames, 1);
	ck_assert_uint_eq(c[2].frames, 1);
	/* Broadcast floods. */
	input(&sw, id[2], f, frame(f, 64, 3, -1, -1, 0), 2);
	ck_assert_uint_eq(vplat_switch_builtin_ops.run(&sw, 2), UINT64_MAX);
	ck_assert_uint_eq(c[0].frames, 2);
	ck_assert_uint_eq(c[1].frames, 2);
	/* A busy port keeps the frame and gets it on the next run. */
	c[0].busy = 1;
	input(&sw, id[1], f, frame(f, 64, 2, 1, -1, 0), 3);
	ck_assert_uint_eq(vplat_switch_builtin_ops.run(&sw, 3), 0);
	ck_assert_uint_eq(c[0].frames, 2);
	vplat_switch_builtin_ops.run(&sw, 4);
	ck_assert_uint_eq(c[0].frames, 3);
	/* Aging: after 300 s host 1 is unknown again and frames to it flood. */
	deliver(&sw, id[1], 2, 1, -1, 400 * NS);
	ck_assert_uint_eq(c[2].frames, 2);
	/* Removing a port forgets its MACs. */
	ck_assert_int_eq(vplat_switch_builtin_ops.port_remove(&sw, id[1]), 0);
	mac(2, m);
	ck_assert_int_eq(vplat_switch_lookup(&sw, m, 0), -1);
	ck_assert_int_eq(vplat_switch_builtin_ops.port_remove(&sw, id[1]), VPLAT_ENOENT);
	vplat_switch_fini(&sw);
}
END_TEST

/* VPLAT-FFI-016: with assigned_unicast, unicast reaches only the port the integrator assigned
 * the destination to, or the uplink; unknown unicast never floods to VM ports, and a VM that
 * sends from a foreign address neither gets it forwarded nor attracts traffic for it.
 * covers(unit.test_switch): VPLAT-FFI-016 */
START_TEST(assigned_unicast_never_floods_vm_ports)
{
	struct vplat_switch sw;
	struct vplat_switch_config sc = {.assigned_unicast = true};
	struct cap c[4] = {0};
	uint32_t id[4];
	struct vplat_switch_port_config pc[4];
	memset(pc, 0, sizeof(pc));
	for (int i = 0; i < 3; i++) { /* VM ports: host i+1 assigned to port i */
		pc[i].n_macs = 1;
		mac(i + 1, pc[i].macs[0]);
	}
	pc[3].uplink = true; /* port 3 leads out of the platform */
	sw_up(&sw, &sc, pc, true, 4, c, id);
	uint8_t f[128];
	/* Unknown destination: the uplink only. */
	deliver(&sw, id[0], 1, 9, -1, 0);
	ck_assert_uint_eq(c[1].frames + c[2].frames, 0);
	ck_assert_uint_eq(c[3].frames, 1);
	/* An assigned destination: its port only. */
	deliver(&sw, id[0], 1, 2, -1, 1);
	ck_assert_uint_eq(c[1].frames, 1);
	ck_assert_uint_eq(c[2].frames + c[0].frames, 0);
	ck_assert_uint_eq(c[3].frames, 1);
	/* Port 2 sends from host 5, an address it was not assigned: dropped, nothing learned;
	 * unicast to host 5 afterwards still goes to the uplink only. */
	input(&sw, id[2], f, frame(f, 64, 5, -1, -1, 0), 2);
	ck_assert_uint_eq(stats(&sw, id[2]).drop_mac, 1);
	deliver(&sw, id[0], 1, 5, -1, 3);
	ck_assert_uint_eq(c[2].frames, 0);
	ck_assert_uint_eq(c[3].frames, 2);
	/* Host 7 behind the uplink is learned there; frames to it go there only. */
	input(&sw, id[3], f, frame(f, 64, 7, 1, -1, 0), 4);
	input(&sw, id[1], f, frame(f, 64, 2, 7, -1, 0), 4);
	vplat_switch_builtin_ops.run(&sw, 4);
	ck_assert_uint_eq(c[0].frames, 1);
	ck_assert_uint_eq(c[2].frames, 0);
	ck_assert_uint_eq(c[3].frames, 3);
	/* Broadcast still reaches every port of the VLAN. */
	deliver(&sw, id[0], 1, -1, -1, 5);
	ck_assert_uint_eq(c[1].frames, 2);
	ck_assert_uint_eq(c[2].frames, 1);
	ck_assert_uint_eq(c[3].frames, 4);
	vplat_switch_fini(&sw);
	/* A VM port the integrator assigned no address to: what it sends from is learned, but it
	 * never attracts unicast (not assigned, not an uplink). */
	ck_assert_int_eq(vplat_switch_init(&sw, &sc), 0);
	struct cap e[3] = {0};
	struct vplat_switch_port_config none = {0};
	add_port(&sw, &pc[0], &e[0], &id[0]);
	add_port(&sw, &none, &e[1], &id[1]);
	add_port(&sw, &pc[3], &e[2], &id[2]);
	deliver(&sw, id[1], 6, -1, -1, 0);
	deliver(&sw, id[0], 1, 6, -1, 1);
	ck_assert_uint_eq(e[1].frames, 0);
	ck_assert_uint_eq(e[2].frames, 2);
	vplat_switch_fini(&sw);
	/* Without an uplink, unknown unicast reaches nobody. */
	struct cap d[2] = {0};
	sw_up(&sw, &sc, pc, true, 2, d, id);
	deliver(&sw, id[0], 1, 9, -1, 0);
	ck_assert_uint_eq(d[1].frames, 0);
	vplat_switch_fini(&sw);
}
END_TEST

/* VPLAT-FFI-012: a receiver that takes nothing (every egress EAGAIN) neither blocks the sender
 * nor delays the other receivers: 500 broadcast frames, each run() delivers to the two
 * working ports, the stalled port's bounded queue overflows and only its frames are dropped
 * and counted.
 * covers(unit.test_switch): VPLAT-FFI-012 */
START_TEST(stalled_receiver_isolated)
{
	struct vplat_switch sw;
	struct cap c[4] = {0};
	uint32_t id[4];
	struct vplat_switch_port_config pc = {.queue_len = 16};
	sw_up(&sw, NULL, &pc, false, 4, c, id);
	c[1].busy = UINT32_MAX; /* never takes a frame */
	for (int k = 0; k < 500; k++) {
		deliver(&sw, id[0], 1, -1, -1, (uint64_t)k);
		ck_assert_uint_eq(c[2].frames, (uint64_t)k + 1); /* not delayed by port 1 */
		ck_assert_uint_eq(c[3].frames, (uint64_t)k + 1);
	}
	ck_assert_uint_eq(c[1].frames, 0);
	struct vplat_switch_port_stats st = stats(&sw, id[1]);
	ck_assert_uint_eq(st.drop_queue, 500 - 16); /* bounded: 16 kept, the rest dropped */
	ck_assert_uint_eq(stats(&sw, id[2]).drop_queue, 0);
	ck_assert_uint_eq(stats(&sw, id[0]).rx_frames, 500);
	vplat_switch_fini(&sw);
}
END_TEST

/* VPLAT-FFI-009: a VM goes away with frames queued for its port (it stopped taking them):
 * removing its port releases them and its address; the other ports are never blocked, and a
 * port added again gets none of the old frames.
 * covers(unit.test_switch): VPLAT-FFI-009 */
START_TEST(removed_port_releases_everything)
{
	struct vplat_switch sw;
	struct cap c[3] = {0};
	uint32_t id[3];
	sw_up(&sw, NULL, NULL, false, 3, c, id);
	uint8_t f[128];
	deliver(&sw, id[1], 2, -1, -1, 0); /* host 2 learned on port 1 */
	c[1].busy = UINT32_MAX; /* the VM behind port 1 stops */
	for (int k = 0; k < 10; k++)
		input(&sw, id[0], f, frame(f, 64, 1, 2, -1, 0), 1);
	ck_assert_uint_eq(vplat_switch_builtin_ops.run(&sw, 1), 0); /* frames wait on port 1 */
	ck_assert_int_eq(vplat_switch_builtin_ops.port_remove(&sw, id[1]), 0);
	ck_assert_uint_eq(vplat_switch_builtin_ops.run(&sw, 2), UINT64_MAX); /* nothing waits */
	uint8_t m[6];
	mac(2, m);
	ck_assert_int_eq(vplat_switch_lookup(&sw, m, 0), -1);
	for (int k = 0; k < 10; k++) { /* the others are not blocked */
		deliver(&sw, id[0], 1, 3, -1, 3);
	}
	ck_assert_uint_eq(c[2].frames, 1 + 10);
	struct cap again = {0};
	uint32_t nid;
	add_port(&sw, NULL, &again, &nid);
	vplat_switch_builtin_ops.run(&sw, 4);
	ck_assert_uint_eq(again.frames, 0);
	vplat_switch_fini(&sw);
}
END_TEST

/* covers(unit.test_switch): VPLAT-FFI-017 (spoofed source MAC and a VLAN the port is not in:
 * dropped and counted) */
START_TEST(vlan_and_mac_filters)
{
	struct vplat_switch sw;
	struct cap c[3] = {0};
	uint32_t id[3];
	struct vplat_switch_port_config pc[3];
	memset(pc, 0, sizeof(pc));
	pc[0].vlan_filter = true; /* trunk: VLANs 10 and 20 */
	pc[0].vlans[0] = (1u << 10) | (1u << 20);
	pc[1].vlan_filter = true; /* VLAN 10 only, and only host 2 may send */
	pc[1].vlans[0] = 1u << 10;
	pc[1].n_macs = 1;
	mac(2, pc[1].macs[0]);
	pc[2].vlan_filter = true;
	pc[2].vlans[0] = 1u << 20;
	sw_up(&sw, NULL, pc, true, 3, c, id);
	uint8_t f[128];
	input(&sw, id[0], f, frame(f, 64, 1, -1, 10, 0), 0);
	input(&sw, id[0], f, frame(f, 64, 1, -1, 20, 0), 0);
	input(&sw, id[0], f, frame(f, 64, 1, -1, 30, 0), 0); /* not a member: dropped */
	vplat_switch_builtin_ops.run(&sw, 0);
	ck_assert_uint_eq(c[1].frames, 1);
	ck_assert_uint_eq(c[2].frames, 1);
	ck_assert_uint_eq(stats(&sw, id[0]).drop_vlan, 1);
	input(&sw, id[1], f, frame(f, 64, 9, -1, 10, 0), 0); /* host 9 not allowed */
	input(&sw, id[1], f, frame(f, 64, 2, -1, 10, 0), 0);
	vplat_switch_builtin_ops.run(&sw, 0);
	ck_assert_uint_eq(stats(&sw, id[1]).drop_mac, 1);
	ck_assert_uint_eq(c[0].frames, 1);
	ck_assert_uint_eq(c[2].frames, 1); /* VLAN 10 never reaches port 2 */
	/* Runt and oversize frames are counted, not forwarded. */
	input(&sw, id[0], f, 10, 0);
	ck_assert_uint_eq(stats(&sw, id[0]).drop_size, 1);
	vplat_switch_fini(&sw);
}
END_TEST

START_TEST(offloads_resolved_for_plain_ports)
{
	struct vplat_switch sw;
	ck_assert_int_eq(vplat_switch_init(&sw, NULL), 0);
	struct cap c[3] = {0};
	uint32_t id[3];
	struct vplat_switch_port_config off = {.offloads = true};
	add_port(&sw, NULL, &c[0], &id[0]);
	add_port(&sw, &off, &c[1], &id[1]);
	add_port(&sw, NULL, &c[2], &id[2]);
	uint8_t d[100];
	frame(d, sizeof(d), 7, -1, -1, 0);
	d[40] = 0x12, d[41] = 0x34; /* "pseudo-header sum" at csum_start + csum_offset */
	struct vplat_net_frame f = {.data = d, .len = sizeof(d)};
	f.hdr.flags = VPLAT_VIRTIO_NET_HDR_F_NEEDS_CSUM;
	f.hdr.csum_start = vplat_cpu_to_le16(34);
	f.hdr.csum_offset = vplat_cpu_to_le16(6);
	ck_assert_int_eq(vplat_switch_builtin_ops.input(&sw, id[2], &f, 0), 0);
	vplat_switch_builtin_ops.run(&sw, 0);
	ck_assert_uint_eq(c[1].last_hdr.flags, VPLAT_VIRTIO_NET_HDR_F_NEEDS_CSUM);
	ck_assert_mem_eq(c[1].last, d, sizeof(d));
	ck_assert_uint_eq(c[0].last_hdr.flags, 0);
	/* The plain port got a complete checksum: with the pseudo-header sum it verifies. */
	uint32_t s = 0x1234;
	for (size_t i = 34; i < sizeof(d); i++)
		s += (i & 1) ? c[0].last[i] : (uint32_t)c[0].last[i] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	ck_assert_uint_eq(s, 0xffff);
	/* GSO frames never reach a plain port. */
	f.hdr.gso_type = VPLAT_VIRTIO_NET_HDR_GSO_TCPV4;
	ck_assert_int_eq(vplat_switch_builtin_ops.input(&sw, id[2], &f, 0), 0);
	vplat_switch_builtin_ops.run(&sw, 0);
	ck_assert_uint_eq(stats(&sw, id[0]).drop_offload, 1);
	ck_assert_uint_eq(c[1].frames, 2);
	vplat_switch_fini(&sw);
}
END_TEST

/* Found by fuzz_switch: a partial checksum placed in the 802.1Q tag rewrote the VLAN ID after
 * the membership check, so a sender in VLAN 5 had a frame tagged VLAN 6 delivered. A checksum
 * that would land in the Ethernet header or the tag is refused (drop_offload). */
START_TEST(csum_never_rewrites_the_tag)
{
	struct vplat_switch sw;
	struct cap c[2] = {0};
	uint32_t id[2];
	struct vplat_switch_port_config cfg = {.vlan_filter = true};
	cfg.vlans[0] = 1u << 5; /* both ports in VLAN 5 only */
	sw_up(&sw, NULL, &cfg, false, 2, c, id);
	uint8_t d[64];
	frame(d, sizeof(d), 1, -1, 5, 0);
	struct vplat_net_frame f = {.data = d, .len = sizeof(d)};
	f.hdr.flags = VPLAT_VIRTIO_NET_HDR_F_NEEDS_CSUM;
	for (uint16_t start = 0; start < 18; start++) {
		f.hdr.csum_start = vplat_cpu_to_le16(start);
		f.hdr.csum_offset = vplat_cpu_to_le16((uint16_t)(14 - start % 15)); /* onto the TCI */
		ck_assert_int_eq(vplat_switch_builtin_ops.input(&sw, id[0], &f, 0), 0);
		vplat_switch_builtin_ops.run(&sw, 0);
	}
	ck_assert_uint_eq(c[1].frames, 0);
	ck_assert_uint_eq(stats(&sw, id[1]).drop_offload, 18);
	/* A checksum after the tag still goes through, and the tag is intact. */
	f.hdr.csum_start = vplat_cpu_to_le16(18);
	f.hdr.csum_offset = vplat_cpu_to_le16(6);
	ck_assert_int_eq(vplat_switch_builtin_ops.input(&sw, id[0], &f, 0), 0);
	vplat_switch_builtin_ops.run(&sw, 0);
	ck_assert_uint_eq(c[1].frames, 1);
	ck_assert_mem_eq(c[1].last, d, 18);
	vplat_switch_fini(&sw);
}
END_TEST

/* Simulate @p secs seconds in @p step_ns ticks; each tick every sender injects one frame. */
struct flow {
	uint32_t in;
	int src, dst, vid, pcp;
	size_t len;
};

static void simulate(struct vplat_switch *sw, const struct flow *fl, int nfl, uint64_t dur_ns,
		     uint64_t step_ns)
{
	uint8_t f[2048];
	for (uint64_t t = 0; t < dur_ns; t += step_ns) {
		for (int k = 0; k < nfl; k++)
			input(sw, fl[k].in, f,
			      frame(f, fl[k].len, fl[k].src, fl[k].dst, fl[k].vid, fl[k].pcp), t);
		vplat_switch_builtin_ops.run(sw, t);
	}
}

START_TEST(shaping_rates_within_ten_percent)
{
	/* Two senders at full rate (1500-byte frames every 12 us = 1 Gbit/s each): port 2 is
	 * shaped to 100 Mbit/s, port 3 is not. Measured over 1 s of injected time. */
	struct vplat_switch sw;
	ck_assert_int_eq(vplat_switch_init(&sw, NULL), 0);
	struct cap c[4] = {0};
	uint32_t id[4];
	struct vplat_switch_port_config shaped = {.rate_bps = 100000000};
	for (int i = 0; i < 4; i++)
		add_port(&sw, i == 2 ? &shaped : NULL, &c[i], &id[i]);
	uint8_t f[64];
	input(&sw, id[2], f, frame(f, 64, 3, 1, -1, 0), 0); /* learn host 3 on port 2 */
	input(&sw, id[3], f, frame(f, 64, 4, 2, -1, 0), 0); /* learn host 4 on port 3 */
	vplat_switch_builtin_ops.run(&sw, 0);
	memset(c, 0, sizeof(c));
	struct flow fl[2] = {{id[0], 1, 3, -1, 0, 1500}, {id[1], 2, 4, -1, 0, 1500}};
	simulate(&sw, fl, 2, NS, 12000);
	double r2 = (double)c[2].bytes * 8.0, r3 = (double)c[3].bytes * 8.0;
	printf(
	    "shaping: port limited to 100 Mbit/s carried %.2f Mbit/s, unlimited port %.2f Mbit/s\n",
	    r2 / 1e6, r3 / 1e6);
	ck_assert_msg(r2 > 0.9e8 && r2 < 1.1e8, "shaped port: %.0f bit/s", r2);
	ck_assert_msg(r3 > 0.9e9 && r3 < 1.1e9, "unshaped port: %.0f bit/s", r3);
	ck_assert_uint_gt(stats(&sw, id[2]).drop_queue, 0);
	ck_assert_uint_gt(stats(&sw, id[2]).throttled, 0);
	ck_assert_uint_eq(stats(&sw, id[3]).drop_queue, 0);
	vplat_switch_fini(&sw);
}
END_TEST

START_TEST(strict_and_weighted_classes)
{
	/* One egress port shaped to 100 Mbit/s with 8 classes; PCP 6 and PCP 1 both offered at
	 * 1 Gbit/s. Strict: PCP 6 takes the whole rate. Weighted 3:1: a 75/25 split. */
	for (int mode = 0; mode < 2; mode++) {
		struct vplat_switch sw;
		ck_assert_int_eq(vplat_switch_init(&sw, NULL), 0);
		struct cap c[3] = {0};
		uint32_t id[3];
		struct vplat_switch_port_config pc = {.rate_bps = 100000000, .classes = 8};
		pc.sched = mode ? VPLAT_SWITCH_WEIGHTED : VPLAT_SWITCH_STRICT;
		pc.weights[6] = 3, pc.weights[1] = 1;
		add_port(&sw, NULL, &c[0], &id[0]);
		add_port(&sw, NULL, &c[1], &id[1]);
		add_port(&sw, &pc, &c[2], &id[2]);
		deliver(&sw, id[2], 3, 1, 0, 0);
		memset(c, 0, sizeof(c));
		struct flow fl[2] = {{id[0], 1, 3, 0, 6, 1500}, {id[1], 2, 3, 0, 1, 1500}};
		simulate(&sw, fl, 2, NS / 2, 12000);
		double hi = (double)c[2].pcp_frames[6], lo = (double)c[2].pcp_frames[1];
		double rate = (double)c[2].bytes * 8.0 * 2.0;
		ck_assert_msg(rate > 0.9e8 && rate < 1.1e8, "port rate %.0f", rate);
		printf("%s: port %.2f Mbit/s, PCP6 %.0f frames, PCP1 %.0f frames\n",
		       mode ? "weighted 3:1" : "strict", rate / 1e6, hi, lo);
		if (mode == 0) {
			ck_assert_msg(lo <= 2, "strict: low class sent %.0f", lo);
		} else {
			double share = hi / (hi + lo);
			ck_assert_msg(share > 0.70 && share < 0.80, "weighted share %.3f", share);
		}
		vplat_switch_fini(&sw);
	}
}
END_TEST

/* Congested port @p pc behind one sender: per tick, @p offer 1500-byte frames of each PCP in
 * @p pcps arrive (while tick < @p until[k]), and the port may send @p per_tick frames. */
static void congest(const struct vplat_switch_port_config *pc, const int *pcps, const int *until,
		    int npcp, int offer, int per_tick, int ticks, struct pcp_rec *r)
{
	struct vplat_switch sw;
	ck_assert_int_eq(vplat_switch_init(&sw, NULL), 0);
	struct cap c = {0};
	uint32_t in, out;
	add_port(&sw, NULL, &c, &in);
	ck_assert_int_eq(vplat_switch_builtin_ops.port_add(&sw, pc, &pcp_rec_ops, r, &out), 0);
	uint8_t f[1500];
	for (int t = 0; t < ticks; t++) {
		for (int k = 0; k < npcp; k++)
			for (int i = 0; i < offer && t < until[k]; i++)
				input(&sw, in, f, frame(f, sizeof(f), 1, -1, 20, pcps[k]),
				      (uint64_t)t * 1000);
		r->allow = (uint32_t)per_tick;
		vplat_switch_builtin_ops.run(&sw, (uint64_t)t * 1000); /* the time is not used */
	}
	vplat_switch_fini(&sw);
}

START_TEST(strict_priority_counted)
{
	/* covers: VPLAT-PDESC-014 */
	/* Strict priority on a congested port, counted frame by frame: while the high class
	 * (PCP 6) has a frame queued, the low class (PCP 1) is never served; when the high
	 * class stops arriving, its backlog drains first and only then the low class goes. */
	struct vplat_switch_port_config pc = {.classes = 8, .sched = VPLAT_SWITCH_STRICT,
					      .queue_len = 64};
	static struct pcp_rec r;
	memset(&r, 0, sizeof(r));
	const int pcps[2] = {6, 1}, until[2] = {100, 1000};
	congest(&pc, pcps, until, 2, 4, 2, 200, &r);
	ck_assert_uint_eq(r.n, 400); /* work-conserving: 2 per tick for 200 ticks */
	uint32_t hi = 0, first_lo = r.n;
	for (uint32_t i = 0; i < r.n; i++) {
		if (r.pcp[i] == 6) {
			hi++;
			ck_assert_msg(first_lo == r.n, "PCP 6 frame %u served after a PCP 1 frame at %u",
				      i, first_lo);
		} else {
			ck_assert_uint_eq(r.pcp[i], 1);
			if (first_lo == r.n)
				first_lo = i;
		}
	}
	/* 200 served while both arrived, then the high queue's backlog drains: 64 queued (tail
	 * drop beyond) at the last tick with arrivals, less the 2 sent in that tick. */
	ck_assert_uint_eq(first_lo, 200 + 62);
	ck_assert_uint_eq(hi, 262);
	printf("strict (counted): %u PCP 6 frames served before the first PCP 1 frame (frame %u)\n",
	       hi, first_lo);
}
END_TEST

START_TEST(weighted_sharing_counted)
{
	/* covers: VPLAT-PDESC-014 */
	/* Weighted 3:2:1 (PCP 6, 3, 1) on a congested port, all three classes backlogged: over
	 * 600 frames each class gets its share within 1 % of the frames, and within every
	 * window of 60 consecutive frames (10 rounds) within 2 frames of its share. */
	struct vplat_switch_port_config pc = {.classes = 8, .sched = VPLAT_SWITCH_WEIGHTED,
					      .queue_len = 64};
	pc.weights[6] = 3, pc.weights[3] = 2, pc.weights[1] = 1;
	static struct pcp_rec r;
	memset(&r, 0, sizeof(r));
	const int pcps[3] = {6, 3, 1}, until[3] = {1000, 1000, 1000};
	congest(&pc, pcps, until, 3, 6, 6, 100, &r);
	ck_assert_uint_eq(r.n, 600);
	const int w[8] = {[6] = 3, [3] = 2, [1] = 1};
	unsigned tot[8] = {0};
	for (uint32_t i = 0; i < r.n; i++) {
		ck_assert_uint_lt(r.pcp[i], 8);
		tot[r.pcp[i]]++;
	}
	printf("weighted 3:2:1 (counted): PCP 6 %u, PCP 3 %u, PCP 1 %u of %u frames\n", tot[6],
	       tot[3], tot[1], r.n);
	for (int k = 0; k < 8; k++) {
		double want = (double)r.n * w[k] / 6.0;
		ck_assert_msg(tot[k] >= want - 6.0 && tot[k] <= want + 6.0,
			      "PCP %d: %u frames, share %.0f", k, tot[k], want);
	}
	for (uint32_t s0 = 0; s0 + 60 <= r.n; s0++) {
		unsigned win[8] = {0};
		for (uint32_t i = s0; i < s0 + 60; i++)
			win[r.pcp[i]]++;
		for (int k = 0; k < 8; k++)
			ck_assert_msg(win[k] + 2 >= 10u * (unsigned)w[k] &&
					  win[k] <= 10u * (unsigned)w[k] + 2,
				      "PCP %d: %u frames in window at %u, share %d", k, win[k], s0,
				      10 * w[k]);
	}
}
END_TEST

START_TEST(bad_port_configs)
{
	struct vplat_switch sw;
	ck_assert_int_eq(vplat_switch_init(&sw, &(struct vplat_switch_config){.max_ports = 1}), 0);
	struct cap c = {0};
	uint32_t id;
	struct vplat_switch_port_config pc = {.classes = 9};
	ck_assert_int_eq(vplat_switch_builtin_ops.port_add(&sw, &pc, &cap_ops, &c, &id),
			 VPLAT_EINVAL);
	pc = (struct vplat_switch_port_config){.frame_max = 70000};
	ck_assert_int_eq(vplat_switch_builtin_ops.port_add(&sw, &pc, &cap_ops, &c, &id),
			 VPLAT_EINVAL);
	pc = (struct vplat_switch_port_config){.pvid = 4096};
	ck_assert_int_eq(vplat_switch_builtin_ops.port_add(&sw, &pc, &cap_ops, &c, &id),
			 VPLAT_EINVAL);
	add_port(&sw, NULL, &c, &id);
	ck_assert_int_eq(vplat_switch_builtin_ops.port_add(&sw, NULL, &cap_ops, &c, &id),
			 VPLAT_ENOSPC);
	struct vplat_net_frame f = {.data = NULL};
	ck_assert_int_eq(vplat_switch_builtin_ops.input(&sw, 5, &f, 0), VPLAT_ENOENT);
	ck_assert_int_eq(vplat_switch_builtin_ops.input(&sw, id, &f, 0), VPLAT_EINVAL);
	vplat_switch_fini(&sw);
}
END_TEST

/* Two vplat net devices on one switch, each driven by its own validation driver. */
START_TEST(net_devices_through_switch)
{
	struct vplat_switch sw;
	ck_assert_int_eq(vplat_switch_init(&sw, NULL), 0);
	struct vplat_switch_net_port p[2];
	struct netdrv *n = calloc(2, sizeof(*n));
	ck_assert_ptr_nonnull(n);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(
		    vplat_switch_net_port_init(&p[i], vplat_switch_iface(&sw), NULL, NULL, NULL),
		    0);
		struct vplat_net_config cfg = {.has_mac = true, .pairs = 1, .mtu = 1500};
		mac(10 + i, cfg.mac);
		ck_assert_int_eq(netdrv_up(&n[i], _i, &cfg, &vplat_switch_net_host, &p[i],
					   VPLAT_BIT(VPLAT_VIRTIO_NET_F_MRG_RXBUF) |
					       VPLAT_BIT(VPLAT_VIRTIO_NET_F_CSUM),
					   1536, 16, 32, 2u << 20),
				 0);
		vplat_switch_net_port_bind(&p[i], &n[i].net);
	}
	static uint8_t f[1514], got[2048];
	for (size_t len = 60; len <= 1514; len += 101) {
		frame(f, len, 10, 11, -1, 0);
		ck_assert_int_eq(netdrv_tx(&n[0], 0, NULL, f, len, true), 0);
		vplat_switch_builtin_ops.run(&sw, 0);
		ck_assert_int_eq(netdrv_rx(&n[1], 0, got, sizeof(got), NULL, NULL), (int)len);
		ck_assert_mem_eq(got, f, len);
		frame(f, len, 11, 10, -1, 0);
		ck_assert_int_eq(netdrv_tx(&n[1], 0, NULL, f, len, false), 0);
		vplat_switch_builtin_ops.run(&sw, 0);
		ck_assert_int_eq(netdrv_rx(&n[0], 0, got, sizeof(got), NULL, NULL), (int)len);
	}
	ck_assert_uint_eq(stats(&sw, p[0].port).tx_frames, 15);
	ck_assert_uint_eq(stats(&sw, p[1].port).tx_frames, 15);
	/* Receiver out of buffers: the switch holds the frames and delivers them later. */
	for (int k = 0; k < 20; k++) {
		frame(f, 1000, 10, 11, -1, 0);
		ck_assert_int_eq(netdrv_tx(&n[0], 0, NULL, f, 1000, false), 0);
	}
	ck_assert_uint_eq(vplat_switch_builtin_ops.run(&sw, 0), 0); /* 16 buffers: busy */
	int seen = 0;
	while (netdrv_rx(&n[1], 0, got, sizeof(got), NULL, NULL) == 1000)
		seen++;
	vplat_switch_builtin_ops.run(&sw, 0);
	while (netdrv_rx(&n[1], 0, got, sizeof(got), NULL, NULL) == 1000)
		seen++;
	ck_assert_int_eq(seen, 20);
	for (int i = 0; i < 2; i++)
		netdrv_down(&n[i]);
	free(n);
	vplat_switch_fini(&sw);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("switch");
	TCase *tc = tcase_create("switch");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, learn_and_flood);
	tcase_add_test(tc, scattered_frames_forward_the_snapshot);
	tcase_add_test(tc, assigned_unicast_never_floods_vm_ports);
	tcase_add_test(tc, stalled_receiver_isolated);
	tcase_add_test(tc, removed_port_releases_everything);
	tcase_add_test(tc, vlan_and_mac_filters);
	tcase_add_test(tc, offloads_resolved_for_plain_ports);
	tcase_add_test(tc, csum_never_rewrites_the_tag);
	tcase_add_test(tc, shaping_rates_within_ten_percent);
	tcase_add_test(tc, strict_and_weighted_classes);
	tcase_add_test(tc, strict_priority_counted);
	tcase_add_test(tc, weighted_sharing_counted);
	tcase_add_test(tc, bad_port_configs);
	tcase_add_loop_test(tc, net_devices_through_switch, 0, 4);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vplat_test_main(suite());
}
