/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Built-in switch egress: per-class FIFOs, strict-priority or deficit-round-robin scheduling
 * and a token-bucket shaper per port (vplat/ratelimit.h, bytes bucket only).
 */
#include <stdlib.h>
#include <string.h>
#include "switch_internal.h"
#include "vplat/error.h"
#include "vplat/fabric/switch.h"

#define DEF_QLEN  64u
#define DEF_FRAME 1522u

int vplat_switch_queues_alloc(struct vplat_switch_port *p, uint64_t now_ns)
{
	struct vplat_switch_port_config *c = &p->cfg;
	if (!c->classes)
		c->classes = 1;
	if (!c->queue_len)
		c->queue_len = DEF_QLEN;
	if (!c->frame_max)
		c->frame_max = DEF_FRAME;
	if (c->classes > VPLAT_SWITCH_CLASSES || c->frame_max < 14 ||
	    c->frame_max > VPLAT_NET_FRAME_MAX || c->queue_len > 65536 || c->pvid > 4095 ||
	    c->n_macs > VPLAT_SWITCH_PORT_MACS ||
	    (c->sched != VPLAT_SWITCH_STRICT && c->sched != VPLAT_SWITCH_WEIGHTED))
		return VPLAT_EINVAL;
	for (unsigned k = 0; k < VPLAT_SWITCH_CLASSES; k++)
		if (!c->weights[k])
			c->weights[k] = 1;
	if (!c->burst_bytes)
		c->burst_bytes = 2u * (uint64_t)c->frame_max;
	vplat_ratelimit_init(&p->rl, now_ns);
	if (c->rate_bps) {
		struct vplat_ratelimit_config rc = {.bytes_rate = c->rate_bps / 8u,
						    .bytes_burst = c->burst_bytes};
		if (rc.bytes_rate == 0 || vplat_ratelimit_set(&p->rl, &rc, now_ns))
			return VPLAT_EINVAL;
		p->shaped = true;
	}
	for (unsigned k = 0; k < c->classes; k++) {
		struct sw_queue *q = &p->q[k];
		q->buf = malloc((size_t)c->queue_len * c->frame_max);
		q->slots = calloc(c->queue_len, sizeof(*q->slots));
		if (!q->buf || !q->slots) {
			vplat_switch_queues_free(p);
			return VPLAT_ENOMEM;
		}
	}
	p->fresh = true;
	return 0;
}

void vplat_switch_queues_free(struct vplat_switch_port *p)
{
	for (unsigned k = 0; k < VPLAT_SWITCH_CLASSES; k++) {
		free(p->q[k].buf);
		free(p->q[k].slots);
		p->q[k].buf = NULL;
		p->q[k].slots = NULL;
		p->q[k].count = 0;
	}
}

static uint8_t *slot_data(const struct vplat_switch_port *p, const struct sw_queue *q, uint32_t i)
{
	return q->buf + (size_t)i * p->cfg.frame_max;
}

void vplat_switch_enqueue(struct vplat_switch_port *p, const struct vplat_net_frame *f, uint8_t pcp)
{
	const struct vplat_switch_port_config *c = &p->cfg;
	if (f->len > c->frame_max) {
		p->st.drop_size++;
		return;
	}
	bool partial = f->hdr.flags & VPLAT_VIRTIO_NET_HDR_F_NEEDS_CSUM;
	bool gso = (f->hdr.gso_type & (uint8_t)~VPLAT_VIRTIO_NET_HDR_GSO_ECN) != 0;
	if (gso && !c->offloads) {
		p->st.drop_offload++; /* no software segmentation */
		return;
	}
	struct sw_queue *q = &p->q[(unsigned)pcp * c->classes / 8u];
	if (q->count == c->queue_len) {
		p->st.drop_queue++; /* tail drop */
		return;
	}
	uint32_t i = (q->head + q->count) % c->queue_len;
	uint8_t *dst = slot_data(p, q, i);
	if (f->seg) {
		/* Scattered (a guest's own segments): gather once, then the snapshot the frame
		 * was classified by goes over the head, so a guest rewriting its buffer after the
		 * VLAN check cannot change the tag the frame is forwarded with. */
		size_t off = 0;
		for (uint32_t k = 0; k < f->nseg && off < f->len; k++) {
			size_t n = f->seg[k].len < f->len - off ? f->seg[k].len : f->len - off;
			memcpy(dst + off, f->seg[k].base, n);
			off += n;
		}
		if (off < f->len) {
			p->st.drop_size++; /* segments shorter than the length: a caller bug */
			return;
		}
		memcpy(dst, f->data, f->len < VPLAT_NET_FRAME_SNAP ? f->len : VPLAT_NET_FRAME_SNAP);
	} else {
		memcpy(dst, f->data, f->len);
	}
	struct sw_slot *s = &q->slots[i];
	s->len = (uint32_t)f->len;
	s->hdr = f->hdr;
	if (partial && !c->offloads) {
		/* The checksum the switch writes must not land in the Ethernet header or the
		 * 802.1Q tag the frame was classified by: a csum_start there would let a sender
		 * rewrite the VLAN ID after the membership check (fuzz_switch found it). */
		bool tagged = f->len >= 18 && dst[12] == 0x81 && dst[13] == 0x00;
		size_t l2 = tagged ? 18u : 14u;
		if (vplat_le16_to_cpu(f->hdr.csum_start) < l2 ||
		    vplat_net_csum_fill(dst, f->len, vplat_le16_to_cpu(f->hdr.csum_start),
					vplat_le16_to_cpu(f->hdr.csum_offset))) {
			p->st.drop_offload++;
			return;
		}
		memset(&s->hdr, 0, sizeof(s->hdr));
	}
	if (!c->offloads)
		memset(&s->hdr, 0, sizeof(s->hdr)); /* DATA_VALID etc. mean nothing to it */
	q->count++;
}

/* Next class to serve, or -1 if every queue is empty. */
static int pick(struct vplat_switch_port *p)
{
	unsigned n = p->cfg.classes;
	if (p->cfg.sched == VPLAT_SWITCH_STRICT) {
		for (unsigned k = n; k-- > 0;)
			if (p->q[k].count)
				return (int)k;
		return -1;
	}
	/* Deficit round robin: each turn adds weight * frame_max bytes, so a class with a
	 * frame always sends at least one per turn; the loop ends within two rounds. */
	for (unsigned tries = 0; tries < 2u * n + 1u; tries++) {
		struct sw_queue *q = &p->q[p->rr];
		if (!q->count) {
			q->deficit = 0;
		} else {
			if (p->fresh) {
				q->deficit += (int64_t)p->cfg.weights[p->rr] * p->cfg.frame_max;
				p->fresh = false;
			}
			if (q->deficit >= (int64_t)q->slots[q->head].len)
				return p->rr;
		}
		p->rr = (uint8_t)((p->rr + 1u) % n);
		p->fresh = true;
	}
	return -1;
}

uint64_t vplat_switch_serve(struct vplat_switch_port *p, uint64_t now)
{
	for (unsigned budget = 0; budget < 4096u; budget++) {
		int k = pick(p);
		if (k < 0)
			return UINT64_MAX;
		struct sw_queue *q = &p->q[k];
		struct sw_slot *s = &q->slots[q->head];
		if (p->shaped) {
			uint64_t w = vplat_ratelimit_wait_ns(&p->rl, 0, s->len, now);
			if (w) {
				p->st.throttled++;
				return w;
			}
		}
		struct vplat_net_frame f = {
		    .data = slot_data(p, q, q->head), .len = s->len, .hdr = s->hdr};
		int rc = p->ops->egress(p->ctx, &f);
		if (rc == VPLAT_EAGAIN)
			return 0;
		if (p->shaped)
			vplat_ratelimit_consume(&p->rl, 0, s->len, now);
		if (rc < 0) {
			p->st.drop_egress++;
		} else {
			p->st.tx_frames++;
			p->st.tx_bytes += s->len;
			p->st.tx_class[k]++;
		}
		q->deficit -= s->len;
		q->head = (q->head + 1u) % p->cfg.queue_len;
		q->count--;
	}
	return 0; /* budget spent: more to do now */
}
