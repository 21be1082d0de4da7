/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Virtual CAN bus: nodes (vplat CAN devices, generic ports, SocketCAN ports) arbitrate by
 * identifier priority; an optional bit-timing model gives frames their bus time on an
 * injectable clock; per-node rate limits (vplat/ratelimit.h) and acceptance filters; fault
 * injection. Hosted C; see vplat/can.h for the contract.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "vplat/can.h"
#include "vplat/error.h"
#include "vplat/fabric/can_bus.h"
#include "vplat/host/can_socketcan.h"

#define NAME_MAX_ 24
#define RX_BACKLOG 16
#define MAX_TAPS 4
#define SC_READS_PER_RUN 64

enum node_kind { NODE_DEVICE, NODE_PORT, NODE_SOCKETCAN };

struct txent {
	struct vplat_can_frame f;
	uint32_t token;
};

struct vplat_canbus_node {
	struct vplat_canbus *bus;
	enum node_kind kind;
	char name[NAME_MAX_];
	struct vplat_can *can;               /* NODE_DEVICE */
	vplat_canbus_rx_fn rx;               /* NODE_PORT */
	void *rx_opaque;
	struct vplat_can_socketcan *sc;      /* NODE_SOCKETCAN */
	struct txent *fifo;                  /* frames waiting for the bus */
	unsigned head, count;
	struct vplat_can_frame backlog[RX_BACKLOG]; /* frames the device had no buffer for */
	unsigned bl_head, bl_count;
	struct vplat_can_filter filters[VPLAT_CANBUS_MAX_FILTERS];
	unsigned nfilters;
	struct vplat_can_filter txfilters[VPLAT_CANBUS_MAX_FILTERS]; /* identifiers it may send */
	unsigned ntxfilters;
	struct vplat_ratelimit rl;
	bool limited;
	bool started;                        /* device controller STARTED (ports: always) */
	bool bus_off;
	bool blocked;                        /* send() refused a frame: resume the device later */
	struct vplat_canbus_node_stats stats;
};

struct tap {
	vplat_canbus_rx_fn fn;
	void *opaque;
};

struct vplat_canbus {
	struct vplat_canbus_config cfg;
	struct vplat_canbus_node **nodes;
	unsigned nnodes;
	struct tap taps[MAX_TAPS];
	unsigned ntaps;
	struct vplat_canbus_faults faults;
	bool busy;                           /* a frame is on the wire */
	struct vplat_canbus_node *cur;
	struct txent cur_ent;
	uint64_t busy_until;
};

static uint64_t mono_ns(void *opaque)
{
	(void)opaque;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t bus_now(const struct vplat_canbus *bus)
{
	return bus->cfg.clock(bus->cfg.clock_opaque);
}

struct vplat_canbus *vplat_canbus_new(const struct vplat_canbus_config *cfg)
{
	struct vplat_canbus *bus = calloc(1, sizeof(*bus));
	if (!bus)
		return NULL;
	if (cfg)
		bus->cfg = *cfg;
	if (!bus->cfg.clock)
		bus->cfg.clock = mono_ns;
	if (!bus->cfg.node_fifo)
		bus->cfg.node_fifo = 32;
	if (!bus->cfg.data_bitrate)
		bus->cfg.data_bitrate = bus->cfg.bitrate;
	return bus;
}

void vplat_canbus_free(struct vplat_canbus *bus)
{
	if (!bus)
		return;
	for (unsigned i = 0; i < bus->nnodes; i++) {
		free(bus->nodes[i]->fifo);
		free(bus->nodes[i]);
	}
	free(bus->nodes);
	free(bus);
}

static struct vplat_canbus_node *node_new(struct vplat_canbus *bus, enum node_kind kind,
					  const char *name)
{
	if (!bus)
		return NULL;
	struct vplat_canbus_node **nn = realloc(bus->nodes, sizeof(*nn) * (bus->nnodes + 1));
	if (!nn)
		return NULL;
	bus->nodes = nn;
	struct vplat_canbus_node *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->fifo = calloc(bus->cfg.node_fifo, sizeof(*n->fifo));
	if (!n->fifo) {
		free(n);
		return NULL;
	}
	n->bus = bus;
	n->kind = kind;
	n->started = kind != NODE_DEVICE;
	if (name) {
		strncpy(n->name, name, NAME_MAX_ - 1);
	}
	vplat_ratelimit_init(&n->rl, bus_now(bus));
	bus->nodes[bus->nnodes++] = n;
	return n;
}

struct vplat_canbus_node *vplat_canbus_add_node(struct vplat_canbus *bus, const char *name)
{
	return node_new(bus, NODE_DEVICE, name);
}

void vplat_canbus_node_bind(struct vplat_canbus_node *node, struct vplat_can *can)
{
	if (node && node->kind == NODE_DEVICE)
		node->can = can;
}

struct vplat_canbus_node *vplat_canbus_add_port(struct vplat_canbus *bus, const char *name,
						vplat_canbus_rx_fn rx, void *opaque)
{
	struct vplat_canbus_node *n = node_new(bus, NODE_PORT, name);
	if (n) {
		n->rx = rx;
		n->rx_opaque = opaque;
	}
	return n;
}

struct vplat_canbus_node *vplat_canbus_add_socketcan(struct vplat_canbus *bus,
						     struct vplat_can_socketcan *s, const char *name)
{
	if (!s)
		return NULL;
	struct vplat_canbus_node *n = node_new(bus, NODE_SOCKETCAN, name);
	if (n)
		n->sc = s;
	return n;
}

int vplat_canbus_add_tap(struct vplat_canbus *bus, vplat_canbus_rx_fn fn, void *opaque)
{
	if (!bus || !fn)
		return VPLAT_EINVAL;
	if (bus->ntaps == MAX_TAPS)
		return VPLAT_ENOSPC;
	bus->taps[bus->ntaps++] = (struct tap){fn, opaque};
	return 0;
}

static bool match_filters(const struct vplat_can_filter *flts, unsigned nf,
			  const struct vplat_can_frame *f);

static int fifo_push(struct vplat_canbus_node *n, const struct vplat_can_frame *f, uint32_t token)
{
	if (n->ntxfilters && !match_filters(n->txfilters, n->ntxfilters, f)) {
		n->stats.tx_refused++;
		return VPLAT_EPERM;
	}
	if (n->count == n->bus->cfg.node_fifo)
		return VPLAT_EAGAIN;
	unsigned tail = (n->head + n->count) % n->bus->cfg.node_fifo;
	n->fifo[tail].f = *f;
	n->fifo[tail].token = token;
	n->count++;
	return 0;
}

int vplat_canbus_port_send(struct vplat_canbus_node *node, const struct vplat_can_frame *f)
{
	if (!node || node->kind == NODE_DEVICE || !vplat_can_frame_valid(f))
		return VPLAT_EINVAL;
	return fifo_push(node, f, 0);
}

int vplat_canbus_node_set_filters(struct vplat_canbus_node *node,
				  const struct vplat_can_filter *f, unsigned n)
{
	if (!node || n > VPLAT_CANBUS_MAX_FILTERS || (n && !f))
		return VPLAT_EINVAL;
	if (n)
		memcpy(node->filters, f, sizeof(*f) * n);
	node->nfilters = n;
	return 0;
}

int vplat_canbus_node_set_tx_filters(struct vplat_canbus_node *node,
				     const struct vplat_can_filter *f, unsigned n)
{
	if (!node || n > VPLAT_CANBUS_MAX_FILTERS || (n && !f))
		return VPLAT_EINVAL;
	if (n)
		memcpy(node->txfilters, f, sizeof(*f) * n);
	node->ntxfilters = n;
	return 0;
}

int vplat_canbus_node_set_ratelimit(struct vplat_canbus_node *node,
				    const struct vplat_ratelimit_config *cfg)
{
	if (!node || !cfg)
		return VPLAT_EINVAL;
	int rc = vplat_ratelimit_set(&node->rl, cfg, bus_now(node->bus));
	if (rc == 0)
		node->limited = vplat_ratelimit_active(&node->rl);
	return rc;
}

static void node_flush(struct vplat_canbus_node *n)
{
	n->head = n->count = 0;
	n->bl_head = n->bl_count = 0;
}

void vplat_canbus_node_bus_off(struct vplat_canbus_node *node)
{
	if (!node)
		return;
	node_flush(node);
	node->bus_off = true;
	if (node->kind == NODE_DEVICE && node->can)
		vplat_can_bus_off(node->can); /* calls set_mode(false) back */
	node->started = node->kind != NODE_DEVICE;
}

void vplat_canbus_inject(struct vplat_canbus *bus, const struct vplat_canbus_faults *f)
{
	if (bus && f)
		bus->faults = *f;
}

/* ---- timing --------------------------------------------------------------------------- */

static unsigned fd_padded_len(unsigned len)
{
	static const unsigned steps[] = {8, 12, 16, 20, 24, 32, 48, 64};
	if (len <= 8)
		return len;
	for (unsigned i = 0; i < 8; i++)
		if (len <= steps[i])
			return steps[i];
	return 64;
}

/* Nominal frame length without bit stuffing: ISO 11898-1 field sizes, 3-bit intermission. */
uint64_t vplat_canbus_frame_ns(const struct vplat_canbus *bus, const struct vplat_can_frame *f)
{
	if (!bus || !f || !bus->cfg.bitrate)
		return 0;
	bool ext = f->flags & VPLAT_VIRTIO_CAN_FLAGS_EXTENDED;
	uint64_t ns;
	if (f->flags & VPLAT_VIRTIO_CAN_FLAGS_FD) {
		unsigned len = fd_padded_len(f->len);
		uint64_t arb = ext ? 36 : 17;       /* SOF .. BRS */
		uint64_t tail = 13;                 /* CRC delimiter, ACK, EOF, intermission */
		uint64_t data = 1 + 4 + 8ull * len + 4 + (len <= 16 ? 17 : 21); /* ESI .. CRC */
		ns = (arb + tail) * 1000000000ull / bus->cfg.bitrate +
		     data * 1000000000ull / bus->cfg.data_bitrate;
	} else {
		unsigned len = (f->flags & VPLAT_VIRTIO_CAN_FLAGS_RTR) ? 0 : f->len;
		uint64_t bits = (ext ? 67 : 47) + 8ull * len;
		ns = bits * 1000000000ull / bus->cfg.bitrate;
	}
	return ns;
}

/* ---- arbitration ---------------------------------------------------------------------- */

/* Arbitration field as it goes on the wire, dominant (0) bits winning: base identifier, then
 * RTR (standard) or SRR (extended, recessive), IDE, extension bits, RTR (extended). */
static uint32_t arb_key(const struct vplat_can_frame *f)
{
	uint32_t rtr = (f->flags & VPLAT_VIRTIO_CAN_FLAGS_RTR) ? 1 : 0;
	if (!(f->flags & VPLAT_VIRTIO_CAN_FLAGS_EXTENDED))
		return (f->id & 0x7ffu) << 21 | rtr << 20;
	return ((f->id >> 18) & 0x7ffu) << 21 | 1u << 20 | 1u << 19 | (f->id & 0x3ffffu) << 1 | rtr;
}

static bool node_may_send(struct vplat_canbus_node *n, uint64_t now)
{
	if (!n->count || n->bus_off || !n->started)
		return false;
	const struct vplat_can_frame *f = &n->fifo[n->head].f;
	if (n->limited && vplat_ratelimit_wait_ns(&n->rl, 1, f->len, now) > 0) {
		n->stats.throttled++;
		return false;
	}
	return true;
}

static struct vplat_canbus_node *arbitrate(struct vplat_canbus *bus, uint64_t now)
{
	struct vplat_canbus_node *win = NULL;
	uint32_t best = 0;
	unsigned contenders = 0;
	for (unsigned i = 0; i < bus->nnodes; i++) {
		struct vplat_canbus_node *n = bus->nodes[i];
		if (!node_may_send(n, now))
			continue;
		uint32_t k = arb_key(&n->fifo[n->head].f);
		contenders++;
		if (!win || k < best) {
			win = n;
			best = k;
		}
	}
	if (!win)
		return NULL;
	for (unsigned i = 0; contenders > 1 && i < bus->nnodes; i++) {
		struct vplat_canbus_node *n = bus->nodes[i];
		if (n != win && n->count && !n->bus_off && n->started)
			n->stats.arb_lost++;
	}
	if (win->limited)
		vplat_ratelimit_consume(&win->rl, 1, win->fifo[win->head].f.len, now);
	return win;
}

/* ---- delivery ------------------------------------------------------------------------- */

static bool match_filters(const struct vplat_can_filter *flts, unsigned nf,
			  const struct vplat_can_frame *f)
{
	bool ext = f->flags & VPLAT_VIRTIO_CAN_FLAGS_EXTENDED;
	for (unsigned i = 0; i < nf; i++) {
		const struct vplat_can_filter *flt = &flts[i];
		if (flt->match_ext && flt->ext != ext)
			continue;
		if ((f->id & flt->mask) == (flt->id & flt->mask))
			return true;
	}
	return false;
}

static bool filters_accept(const struct vplat_canbus_node *n, const struct vplat_can_frame *f)
{
	return !n->nfilters || match_filters(n->filters, n->nfilters, f);
}

static void backlog_flush(struct vplat_canbus_node *n)
{
	while (n->bl_count) {
		int rc = vplat_can_receive(n->can, &n->backlog[n->bl_head]);
		if (rc == VPLAT_EAGAIN)
			return;
		if (rc == 0)
			n->stats.rx++;
		n->bl_head = (n->bl_head + 1) % RX_BACKLOG;
		n->bl_count--;
	}
}

static void deliver_device(struct vplat_canbus_node *n, const struct vplat_can_frame *f)
{
	backlog_flush(n);
	int rc = n->bl_count ? VPLAT_EAGAIN : vplat_can_receive(n->can, f);
	if (rc == 0) {
		n->stats.rx++;
	} else if (rc == VPLAT_EAGAIN) {
		if (n->bl_count == RX_BACKLOG) {
			n->stats.overruns++; /* like a full controller FIFO */
			return;
		}
		n->backlog[(n->bl_head + n->bl_count) % RX_BACKLOG] = *f;
		n->bl_count++;
	}
}

static void deliver(struct vplat_canbus *bus, struct vplat_canbus_node *from,
		    const struct vplat_can_frame *f)
{
	for (unsigned i = 0; i < bus->nnodes; i++) {
		struct vplat_canbus_node *n = bus->nodes[i];
		if (n == from || n->bus_off || !n->started)
			continue;
		if (!filters_accept(n, f)) {
			n->stats.filtered++;
			continue;
		}
		switch (n->kind) {
		case NODE_DEVICE:
			if (n->can)
				deliver_device(n, f);
			break;
		case NODE_PORT:
			n->stats.rx++;
			if (n->rx)
				n->rx(n->rx_opaque, f, from);
			break;
		case NODE_SOCKETCAN:
			if (vplat_can_socketcan_send(n->sc, f) == 0)
				n->stats.rx++;
			else
				n->stats.overruns++;
			break;
		}
	}
}

/* The frame on the wire is done: faults, taps, receivers, the sender's acknowledgement. */
static void finish(struct vplat_canbus *bus)
{
	struct vplat_canbus_node *from = bus->cur;
	struct vplat_can_frame f = bus->cur_ent.f;
	uint32_t token = bus->cur_ent.token;
	bool ok = true, dropped = false;
	bus->busy = false;
	bus->cur = NULL;
	if (bus->faults.nack) {
		bus->faults.nack--;
		ok = false;
	} else if (bus->faults.drop) {
		bus->faults.drop--;
		dropped = true;
	} else if (bus->faults.corrupt) {
		bus->faults.corrupt--;
		if (f.len && !(f.flags & VPLAT_VIRTIO_CAN_FLAGS_RTR))
			f.data[0] ^= 0x80;
		else
			f.id ^= 1;
	}
	if (ok) {
		for (unsigned i = 0; i < bus->ntaps; i++)
			bus->taps[i].fn(bus->taps[i].opaque, &f, from);
		if (!dropped)
			deliver(bus, from, &f);
		from->stats.tx++;
	}
	if (from->kind == NODE_DEVICE && from->can)
		vplat_can_tx_done(from->can, token, ok);
}

/* Read frames from SocketCAN ports into their FIFOs. */
static void poll_sockets(struct vplat_canbus *bus)
{
	for (unsigned i = 0; i < bus->nnodes; i++) {
		struct vplat_canbus_node *n = bus->nodes[i];
		if (n->kind != NODE_SOCKETCAN)
			continue;
		for (unsigned k = 0; k < SC_READS_PER_RUN; k++) {
			struct vplat_can_frame f;
			bool confirm = false;
			int rc = vplat_can_socketcan_recv(n->sc, &f, &confirm);
			if (rc == VPLAT_EAGAIN)
				break;
			if (rc != 0 || confirm)
				continue; /* error frames, our own echoes */
			if (fifo_push(n, &f, 0) != 0)
				n->stats.overruns++;
		}
	}
}

/* Take the winner's head frame onto the wire. */
static void start_frame(struct vplat_canbus *bus, struct vplat_canbus_node *n, uint64_t now)
{
	bus->cur = n;
	bus->cur_ent = n->fifo[n->head];
	n->head = (n->head + 1) % bus->cfg.node_fifo;
	n->count--;
	bus->busy = true;
	bus->busy_until = now + vplat_canbus_frame_ns(bus, &bus->cur_ent.f);
	if (n->blocked && n->can) {
		n->blocked = false;
		vplat_can_resume(n->can); /* room in the FIFO again */
	}
}

int vplat_canbus_run(struct vplat_canbus *bus, unsigned max_frames)
{
	if (!bus)
		return VPLAT_EINVAL;
	if (!max_frames)
		max_frames = 4096;
	poll_sockets(bus);
	unsigned moved = 0;
	while (moved < max_frames) {
		uint64_t now = bus_now(bus);
		if (bus->busy) {
			if (now < bus->busy_until)
				break;
			finish(bus);
			moved++;
			continue;
		}
		struct vplat_canbus_node *win = arbitrate(bus, now);
		if (!win)
			break;
		start_frame(bus, win, now);
	}
	return (int)moved;
}

uint64_t vplat_canbus_next_ns(struct vplat_canbus *bus)
{
	if (!bus)
		return UINT64_MAX;
	if (bus->busy)
		return bus->busy_until;
	uint64_t now = bus_now(bus), next = UINT64_MAX;
	for (unsigned i = 0; i < bus->nnodes; i++) {
		struct vplat_canbus_node *n = bus->nodes[i];
		if (!n->count || n->bus_off || !n->started)
			continue;
		uint64_t w = n->limited
				     ? vplat_ratelimit_wait_ns(&n->rl, 1, n->fifo[n->head].f.len, now)
				     : 0;
		if (w == 0)
			return 0;
		if (now + w < next)
			next = now + w;
	}
	return next;
}

const struct vplat_canbus_node_stats *vplat_canbus_node_stats(const struct vplat_canbus_node *node)
{
	return &node->stats;
}

const char *vplat_canbus_node_name(const struct vplat_canbus_node *node)
{
	return node->name;
}

/* ---- host ops for a device on the bus -------------------------------------------------- */

static int bus_send(void *host, const struct vplat_can_frame *f, uint32_t token)
{
	struct vplat_canbus_node *n = host;
	if (n->bus_off || !n->started)
		return VPLAT_EIO;
	int rc = fifo_push(n, f, token);
	if (rc == VPLAT_EAGAIN)
		n->blocked = true;
	return rc;
}

static int bus_set_mode(void *host, bool started)
{
	struct vplat_canbus_node *n = host;
	if (!started) {
		node_flush(n); /* queued frames are cancelled by the device */
		n->blocked = false;
	} else {
		n->bus_off = false;
	}
	n->started = started;
	return 0;
}

static void bus_rx_ready(void *host)
{
	struct vplat_canbus_node *n = host;
	if (n->can)
		backlog_flush(n);
}

const struct vplat_can_host_ops vplat_can_host_bus = {
	.send = bus_send,
	.set_mode = bus_set_mode,
	.rx_ready = bus_rx_ready,
};
