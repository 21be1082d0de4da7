/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Built-in L2 learning switch: ports, the MAC learning table, ingress filters and forwarding.
 * Queues, scheduling and shaping are in switch_queue.c. Hosted (malloc at set-up only).
 */
#include <stdlib.h>
#include <string.h>
#include "switch_internal.h"
#include "vplat/error.h"
#include "vplat/fabric/switch.h"

#define DEF_PORTS 16u
#define DEF_MACS  1024u
#define DEF_AGING (UINT64_C(300) * 1000000000u)
#define PROBES	  8u

int vplat_switch_init(struct vplat_switch *sw, const struct vplat_switch_config *cfg)
{
	if (!sw)
		return VPLAT_EINVAL;
	memset(sw, 0, sizeof(*sw));
	if (cfg)
		sw->cfg = *cfg;
	if (!sw->cfg.max_ports)
		sw->cfg.max_ports = DEF_PORTS;
	if (!sw->cfg.mac_entries)
		sw->cfg.mac_entries = DEF_MACS;
	if (!sw->cfg.aging_ns)
		sw->cfg.aging_ns = DEF_AGING;
	if (sw->cfg.max_ports > 4096 || sw->cfg.mac_entries > (1u << 20))
		return VPLAT_EINVAL;
	uint32_t n = 1;
	while (n < sw->cfg.mac_entries)
		n <<= 1;
	sw->cfg.mac_entries = n;
	sw->ports = calloc(sw->cfg.max_ports, sizeof(*sw->ports));
	sw->macs = calloc(n, sizeof(*sw->macs));
	if (!sw->ports || !sw->macs) {
		vplat_switch_fini(sw);
		return VPLAT_ENOMEM;
	}
	return 0;
}

void vplat_switch_fini(struct vplat_switch *sw)
{
	if (!sw)
		return;
	for (uint32_t i = 0; sw->ports && i < sw->cfg.max_ports; i++) {
		if (sw->ports[i]) {
			vplat_switch_queues_free(sw->ports[i]);
			free(sw->ports[i]);
		}
	}
	free(sw->ports);
	free(sw->macs);
	sw->ports = NULL;
	sw->macs = NULL;
}

struct vplat_switch_if vplat_switch_iface(struct vplat_switch *sw)
{
	struct vplat_switch_if i = {.ops = &vplat_switch_builtin_ops, .sw = sw};
	return i;
}

/* ---------------------------------------------------------------------------------------- */
/* Learning table: open addressing, PROBES slots per key, oldest or expired entry replaced. */

static uint32_t mac_hash(const uint8_t *mac, uint16_t vid)
{
	uint32_t h = 2166136261u ^ vid;
	for (int i = 0; i < 6; i++)
		h = (h ^ mac[i]) * 16777619u;
	return h;
}

static struct vplat_switch_mac *mac_find(const struct vplat_switch *sw, const uint8_t *mac,
					 uint16_t vid)
{
	uint32_t mask = sw->cfg.mac_entries - 1u, h = mac_hash(mac, vid);
	for (uint32_t k = 0; k < PROBES; k++) {
		struct vplat_switch_mac *e = &sw->macs[(h + k) & mask];
		if (e->used && e->vid == vid && memcmp(e->mac, mac, 6) == 0)
			return e;
	}
	return NULL;
}

static void mac_learn(struct vplat_switch *sw, const uint8_t *mac, uint16_t vid, uint32_t port,
		      uint64_t now)
{
	struct vplat_switch_mac *e = mac_find(sw, mac, vid);
	if (!e) {
		uint32_t mask = sw->cfg.mac_entries - 1u, h = mac_hash(mac, vid);
		e = &sw->macs[h & mask];
		for (uint32_t k = 0; k < PROBES; k++) {
			struct vplat_switch_mac *c = &sw->macs[(h + k) & mask];
			if (!c->used) {
				e = c;
				break;
			}
			if (c->seen < e->seen)
				e = c;
		}
		memcpy(e->mac, mac, 6);
		e->vid = vid;
		e->used = true;
		sw->learned++;
	}
	e->port = port;
	e->seen = now;
}

int32_t vplat_switch_lookup(const struct vplat_switch *sw, const uint8_t mac[6], uint16_t vid)
{
	const struct vplat_switch_mac *e = mac_find(sw, mac, vid);
	return e ? (int32_t)e->port : -1;
}

/* ---------------------------------------------------------------------------------------- */
/* Ports */

static struct vplat_switch_port *port_get(const struct vplat_switch *sw, uint32_t id)
{
	return id < sw->cfg.max_ports ? sw->ports[id] : NULL;
}

static int sw_port_add(void *s, const struct vplat_switch_port_config *cfg,
		       const struct vplat_switch_port_ops *ops, void *ctx, uint32_t *id)
{
	struct vplat_switch *sw = s;
	if (!sw || !ops || !ops->egress || !id)
		return VPLAT_EINVAL;
	uint32_t i = 0;
	while (i < sw->cfg.max_ports && sw->ports[i])
		i++;
	if (i == sw->cfg.max_ports)
		return VPLAT_ENOSPC;
	struct vplat_switch_port *p = calloc(1, sizeof(*p));
	if (!p)
		return VPLAT_ENOMEM;
	if (cfg)
		p->cfg = *cfg;
	p->id = i;
	p->ops = ops;
	p->ctx = ctx;
	int rc = vplat_switch_queues_alloc(p, 0);
	if (rc) {
		free(p);
		return rc;
	}
	sw->ports[i] = p;
	*id = i;
	return 0;
}

static int sw_port_remove(void *s, uint32_t id)
{
	struct vplat_switch *sw = s;
	struct vplat_switch_port *p = port_get(sw, id);
	if (!p)
		return VPLAT_ENOENT;
	for (uint32_t k = 0; k < sw->cfg.mac_entries; k++)
		if (sw->macs[k].used && sw->macs[k].port == id)
			sw->macs[k].used = false;
	vplat_switch_queues_free(p);
	free(p);
	sw->ports[id] = NULL;
	return 0;
}

static int sw_port_stats(void *s, uint32_t id, struct vplat_switch_port_stats *st)
{
	struct vplat_switch_port *p = port_get(s, id);
	if (!p || !st)
		return VPLAT_ENOENT;
	*st = p->st;
	return 0;
}

bool vplat_switch_vlan_member(const struct vplat_switch_port *p, uint16_t vid)
{
	if (!p->cfg.vlan_filter || vid == p->cfg.pvid)
		return true;
	return (p->cfg.vlans[vid / 32u] >> (vid % 32u)) & 1u;
}

static bool src_allowed(const struct vplat_switch_port *p, const uint8_t *src)
{
	if (src[0] & 1u)
		return false; /* a multicast source address is never valid */
	if (!p->cfg.n_macs)
		return true;
	for (uint8_t i = 0; i < p->cfg.n_macs && i < VPLAT_SWITCH_PORT_MACS; i++)
		if (memcmp(p->cfg.macs[i], src, 6) == 0)
			return true;
	return false;
}

/* The port the integrator assigned address @p mac to (in its allowed source MACs), or NULL. */
static struct vplat_switch_port *assigned_port(struct vplat_switch *sw, const uint8_t *mac)
{
	for (uint32_t i = 0; i < sw->cfg.max_ports; i++) {
		struct vplat_switch_port *p = sw->ports[i];
		for (uint8_t k = 0; p && k < p->cfg.n_macs && k < VPLAT_SWITCH_PORT_MACS; k++)
			if (memcmp(p->cfg.macs[k], mac, 6) == 0)
				return p;
	}
	return NULL;
}

/* Unicast with vplat_switch_config.assigned_unicast (VPLAT-FFI-016): the assigned port, else
 * the uplink where the address was learned, else every uplink; never another VM port. */
static void assigned_unicast(struct vplat_switch *sw, struct vplat_switch_port *in,
			     const struct vplat_net_frame *f, uint16_t vid, uint8_t pcp, uint64_t now)
{
	const uint8_t *d = f->data;
	struct vplat_switch_port *out = assigned_port(sw, d);
	if (!out) {
		struct vplat_switch_mac *e = mac_find(sw, d, vid);
		if (e && !(now - e->seen > sw->cfg.aging_ns && now > e->seen)) {
			struct vplat_switch_port *l = port_get(sw, e->port);
			if (l && l->cfg.uplink)
				out = l;
		}
	}
	if (out) {
		if (out == in)
			return;
		if (vplat_switch_vlan_member(out, vid))
			vplat_switch_enqueue(out, f, pcp);
		else
			out->st.drop_vlan++;
		return;
	}
	sw->flooded++;
	for (uint32_t i = 0; i < sw->cfg.max_ports; i++) {
		struct vplat_switch_port *o = sw->ports[i];
		if (o && o != in && o->cfg.uplink && vplat_switch_vlan_member(o, vid))
			vplat_switch_enqueue(o, f, pcp);
	}
}

static int sw_input(void *s, uint32_t id, const struct vplat_net_frame *f, uint64_t now)
{
	struct vplat_switch *sw = s;
	struct vplat_switch_port *in = port_get(sw, id);
	if (!in)
		return VPLAT_ENOENT;
	if (!f || !f->data)
		return VPLAT_EINVAL;
	in->st.rx_frames++;
	in->st.rx_bytes += f->len;
	if (f->len < 14 || f->len > VPLAT_NET_FRAME_MAX) {
		in->st.drop_size++;
		return 0;
	}
	const uint8_t *d = f->data;
	uint16_t vid = in->cfg.pvid;
	uint8_t pcp = 0;
	if (d[12] == 0x81 && d[13] == 0x00 && f->len >= 18) {
		vid = (uint16_t)(((d[14] & 0x0fu) << 8) | d[15]);
		pcp = (uint8_t)(d[14] >> 5);
	}
	if (!vplat_switch_vlan_member(in, vid)) {
		in->st.drop_vlan++;
		return 0;
	}
	if (!src_allowed(in, d + 6)) {
		in->st.drop_mac++;
		return 0;
	}
	mac_learn(sw, d + 6, vid, id, now);
	if (!(d[0] & 1u) && sw->cfg.assigned_unicast) {
		assigned_unicast(sw, in, f, vid, pcp, now);
		return 0;
	}
	if (!(d[0] & 1u)) {
		struct vplat_switch_mac *e = mac_find(sw, d, vid);
		if (e && now - e->seen > sw->cfg.aging_ns && now > e->seen)
			e->used = false, e = NULL; /* aged out: flood */
		if (e) {
			struct vplat_switch_port *out = port_get(sw, e->port);
			if (out && out != in) {
				if (vplat_switch_vlan_member(out, vid))
					vplat_switch_enqueue(out, f, pcp);
				else
					out->st.drop_vlan++;
			}
			return 0;
		}
	}
	sw->flooded++;
	for (uint32_t i = 0; i < sw->cfg.max_ports; i++) {
		struct vplat_switch_port *out = sw->ports[i];
		if (out && out != in && vplat_switch_vlan_member(out, vid))
			vplat_switch_enqueue(out, f, pcp);
	}
	return 0;
}

static uint64_t sw_run(void *s, uint64_t now)
{
	struct vplat_switch *sw = s;
	uint64_t next = UINT64_MAX;
	for (uint32_t i = 0; i < sw->cfg.max_ports; i++) {
		if (!sw->ports[i])
			continue;
		uint64_t w = vplat_switch_serve(sw->ports[i], now);
		if (w < next)
			next = w;
	}
	return next;
}

const struct vplat_switch_ops vplat_switch_builtin_ops = {
    .port_add = sw_port_add,
    .port_remove = sw_port_remove,
    .input = sw_input,
    .run = sw_run,
    .port_stats = sw_port_stats,
};
