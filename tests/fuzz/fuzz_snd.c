/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the sound device's control and I/O message parsers (sec: Device Types /
 * Sound Device / Device Operation) and its PCM lifecycle, with a recording host end and a
 * virtual clock. The input is a script of driver actions, 8 bytes each: control requests
 * (a code from the spec's set or raw, stream/item IDs, SET_PARAMS fields, truncated
 * requests and responses), tx and rx messages (stream ID, payload length, segment layout,
 * wrong-direction buffers), clock ticks, kicks, drains, eventq buffers and jack changes.
 * Checked after every step: every used length fits the buffer's writable part, every written
 * status is one of the spec's codes (I/O: OK or IO_ERR), the device's held-message counters
 * match its slots, nothing is held for a stream that is not prepared/started/stopped, and the
 * device never needs a reset. Byte 0: bit 0 packed ring. Guest RAM (fuzz_lb.h), the device
 * and the driver are set up once per process, one of each per transport (input length odd:
 * virtio-pci); every input starts with a device reset through the driver (status 0, then
 * negotiation and fresh queues) and ends with one, so what one input leaves in the device is
 * what a reset leaves (VPLAT-SND-012), and the invariants hold from the first step.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "vplat/snd.h"
#include "vplat/vplat.h"
#include "vplat/val/val.h"
#include "vplat/val/loopback.h"
#include "fuzz_lb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_STEPS 96
#define NPOST     192

struct post {
	uint8_t *w;    /* writable part (one segment) */
	uint32_t wlen; /* writable bytes */
	uint8_t kind;  /* 0 control, 1 event, 2 I/O */
};

struct fz {
	struct vplat_loopback lb;
	struct vplat_snd d;
	struct vplat_val_dev v;
	struct vplat_val_vq q[4];
	struct post posts[NPOST];
	unsigned nposts;
	uint64_t now;
};

static int h_write(void *h, uint32_t s, const void *d, size_t n)
{
	(void)h;
	(void)d;
	return (s == 0 && n > 4096) ? -5 : 0;
}

static int h_read(void *h, uint32_t s, void *b, size_t n)
{
	(void)h;
	(void)s;
	memset(b, 0x5a, n);
	return 0;
}

static const struct vplat_snd_host_ops ops = {.write = h_write, .read = h_read};

static const struct vplat_snd_stream_config streams[3] = {
	{.direction = VPLAT_VIRTIO_SND_D_OUTPUT, .channels_min = 1, .channels_max = 2,
	 .formats = (1u << VPLAT_VIRTIO_SND_PCM_FMT_S16) | (1u << VPLAT_VIRTIO_SND_PCM_FMT_U8),
	 .rates = (1u << VPLAT_VIRTIO_SND_PCM_RATE_8000) | (1u << VPLAT_VIRTIO_SND_PCM_RATE_48000)},
	{.direction = VPLAT_VIRTIO_SND_D_INPUT, .channels_min = 1, .channels_max = 1,
	 .formats = 1u << VPLAT_VIRTIO_SND_PCM_FMT_S16, .rates = 1u << VPLAT_VIRTIO_SND_PCM_RATE_8000},
	{.direction = VPLAT_VIRTIO_SND_D_OUTPUT, .channels_min = 2, .channels_max = 8,
	 .formats = 1u << VPLAT_VIRTIO_SND_PCM_FMT_FLOAT64,
	 .rates = 1u << VPLAT_VIRTIO_SND_PCM_RATE_384000},
};
static const struct vplat_snd_jack_config jacks[2] = {{.connected = true}, {.hda_fn_nid = 1}};
static const struct vplat_snd_chmap_config chmaps[1] = {
	{.channels = 2, .positions = {VPLAT_VIRTIO_SND_CHMAP_FL, VPLAT_VIRTIO_SND_CHMAP_FR}}};
static const struct vplat_snd_config cfg = {.streams = streams, .nstreams = 3, .jacks = jacks,
					    .njacks = 2, .chmaps = chmaps, .nchmaps = 1};

/* The harness's checks and bookkeeping are not instrumented for coverage: their loops only
 * added features that say nothing about the device, and their comparisons were a large part
 * of the target's time (docs/fuzzing.md). The script decoder (step()) stays instrumented. */
#if defined(__clang__)
#define NO_COVERAGE __attribute__((no_sanitize("coverage")))
#else
#define NO_COVERAGE
#endif

NO_COVERAGE static void check_used(const struct post *p, uint32_t len)
{
	if (len > p->wlen)
		abort();
	if (len < 4 || p->kind == 1)
		return;
	uint32_t code;
	if (p->kind == 0) {
		memcpy(&code, p->w, 4);
		code = vplat_le32_to_cpu(code);
		if (code < VPLAT_VIRTIO_SND_S_OK || code > VPLAT_VIRTIO_SND_S_IO_ERR)
			abort();
	} else {
		memcpy(&code, p->w + p->wlen - 8, 4);
		code = vplat_le32_to_cpu(code);
		if (code != VPLAT_VIRTIO_SND_S_OK && code != VPLAT_VIRTIO_SND_S_IO_ERR)
			abort();
	}
}

NO_COVERAGE static void drain(struct fz *f)
{
	for (int i = 0; i < 4; i++) {
		void *tok;
		uint32_t len;
		while (vplat_val_vq_get_used(&f->q[i], &tok, &len) == 0)
			check_used(tok, len);
	}
}

/* The harness's own bookkeeping, run after every step: one pass over the device's slots. */
NO_COVERAGE static void invariants(const struct fz *f)
{
	uint32_t n[VPLAT_SND_MAX_STREAMS] = {0};
	uint64_t bytes[VPLAT_SND_MAX_STREAMS] = {0};
	for (unsigned pool = 0; pool < 2u; pool++)
		for (unsigned i = 0; i < VPLAT_SND_PENDING_MAX; i++) {
			const struct vplat_snd_io *m = &f->d.io[pool][i];
			if (!m->busy)
				continue;
			if (m->stream >= f->d.nstreams || streams[m->stream].direction != pool)
				abort(); /* held in the other direction's pool */
			n[m->stream]++;
			bytes[m->stream] += m->bytes;
		}
	for (uint32_t id = 0; id < f->d.nstreams; id++) {
		const struct vplat_snd_pcm *s = &f->d.pcm[id];
		if (n[id] != s->held || bytes[id] != s->held_bytes)
			abort();
		if (n[id] && s->state != VPLAT_SND_STATE_PREPARED &&
		    s->state != VPLAT_SND_STATE_STARTED && s->state != VPLAT_SND_STATE_STOPPED)
			abort();
	}
	if (f->d.nev > VPLAT_SND_EVENTS_MAX)
		abort();
}

static const uint32_t codes[] = {
	VPLAT_VIRTIO_SND_R_JACK_INFO,	 VPLAT_VIRTIO_SND_R_JACK_REMAP,
	VPLAT_VIRTIO_SND_R_PCM_INFO,	 VPLAT_VIRTIO_SND_R_PCM_SET_PARAMS,
	VPLAT_VIRTIO_SND_R_PCM_PREPARE,	 VPLAT_VIRTIO_SND_R_PCM_RELEASE,
	VPLAT_VIRTIO_SND_R_PCM_START,	 VPLAT_VIRTIO_SND_R_PCM_STOP,
	VPLAT_VIRTIO_SND_R_CHMAP_INFO,	 VPLAT_VIRTIO_SND_R_PCM_SET_PARAMS,
	VPLAT_VIRTIO_SND_R_PCM_PREPARE,	 VPLAT_VIRTIO_SND_R_PCM_START};

static void add(struct fz *f, int q, const struct vplat_val_buf *b, unsigned nr, unsigned nw,
		uint8_t kind, bool kick)
{
	if (f->nposts == NPOST || f->q[q].num_free < 4)
		return;
	struct post *p = &f->posts[f->nposts++];
	p->w = nw ? b[nr + nw - 1].ptr : NULL;
	p->wlen = nw ? b[nr + nw - 1].len : 0;
	if (nw == 2) { /* status in the last segment; used length covers both */
		p->w = b[nr].ptr;
		p->wlen = b[nr].len + b[nr + 1].len;
	}
	p->kind = kind;
	if (vplat_val_vq_add(&f->q[q], b, nr, nw, p) == 0 && kick)
		vplat_val_vq_kick(&f->q[q]);
}

static void step(struct fz *f, const uint8_t *p, size_t n)
{
	uint64_t gpa;
	uint8_t op = p[0] % 10;
	if (n < 8)
		return;
	bool kick = (p[0] & 0x80) != 0;
	switch (op) {
	case 0:
	case 1:
	case 2: { /* control request */
		uint8_t req[32];
		memset(req, 0, sizeof(req));
		uint32_t code = (p[1] & 0x80) ? (uint32_t)(p[6] | p[7] << 8) : codes[p[1] % 12];
		uint32_t c = vplat_cpu_to_le32(code);
		memcpy(req, &c, 4);
		uint32_t id = vplat_cpu_to_le32((p[2] & 0x80) ? p[2] : (uint32_t)(p[2] % 4));
		memcpy(req + 4, &id, 4); /* stream/jack/chmap id or start_id */
		uint32_t cnt = vplat_cpu_to_le32(p[3] % 4);
		uint32_t sz = vplat_cpu_to_le32((p[3] & 0x80) ? p[4] : 32u - 8u * (p[3] >> 5 & 1));
		memcpy(req + 8, &cnt, 4);
		memcpy(req + 12, &sz, 4);
		if (code == VPLAT_VIRTIO_SND_R_PCM_SET_PARAMS) {
			uint32_t period = vplat_cpu_to_le32((uint32_t)(p[4] % 8) * 16u);
			uint32_t buf = vplat_cpu_to_le32((uint32_t)(p[4] % 8) * 16u * (1u + p[5] % 4));
			memcpy(req + 8, &buf, 4);
			memcpy(req + 12, &period, 4);
			uint32_t feat = vplat_cpu_to_le32((p[5] & 0x80) ? 1u << (p[5] & 7) : 0u);
			memcpy(req + 16, &feat, 4);
			req[20] = p[6] % 4;                       /* channels */
			req[21] = (p[7] & 0x80) ? p[7] : p[7] % 8; /* format */
			req[22] = (p[5] & 0x40) ? p[5] : p[5] % 8; /* rate */
		}
		uint32_t rl = (p[5] & 0x20) ? (uint32_t)(p[5] % 25) : 24;
		uint32_t wl = (p[4] & 0x40) ? (uint32_t)(p[4] % 16) : 4 + 32 * (p[3] % 4);
		uint8_t *rb = vplat_val_alloc(&f->lb.dma, rl ? rl : 1, 8, &gpa);
		uint8_t *wb = vplat_val_alloc(&f->lb.dma, wl ? wl : 1, 8, &gpa);
		if (!rb || !wb)
			return;
		memcpy(rb, req, rl);
		memset(wb, 0xee, wl ? wl : 1);
		struct vplat_val_buf b[2] = {{.ptr = rb, .len = rl ? rl : 1}, {.ptr = wb, .len = wl}};
		add(f, 0, b, 1, wl ? 1 : 0, 0, kick);
		break;
	}
	case 3:
	case 4: { /* tx message */
		uint32_t len = (uint32_t)(p[2] % 64);
		uint32_t sl = (p[3] & 0x40) ? (uint32_t)(p[3] % 16) : 8;
		uint8_t *rb = vplat_val_alloc(&f->lb.dma, 4 + len, 8, &gpa);
		uint8_t *wb = vplat_val_alloc(&f->lb.dma, sl ? sl : 1, 8, &gpa);
		if (!rb || !wb)
			return;
		uint32_t id = vplat_cpu_to_le32((p[1] & 0x80) ? p[1] : (uint32_t)(p[1] % 3));
		memcpy(rb, &id, 4);
		memset(wb, 0xee, sl ? sl : 1);
		struct vplat_val_buf b[3];
		unsigned k = 0;
		uint32_t hl = (p[3] & 0x80) ? (uint32_t)(p[3] % 4) : 4;
		if (p[4] & 1 && hl && len) {
			b[k++] = (struct vplat_val_buf){.ptr = rb, .len = hl};
			b[k++] = (struct vplat_val_buf){.ptr = rb + hl, .len = len};
		} else {
			b[k++] = (struct vplat_val_buf){.ptr = rb, .len = hl + len ? hl + len : 1};
		}
		b[k] = (struct vplat_val_buf){.ptr = wb, .len = sl};
		add(f, 2, b, k, sl ? 1 : 0, 2, kick);
		break;
	}
	case 5: { /* rx message */
		uint32_t len = (uint32_t)(p[2] % 64);
		uint8_t *rb = vplat_val_alloc(&f->lb.dma, 8, 8, &gpa);
		uint8_t *wb = vplat_val_alloc(&f->lb.dma, len + 8, 8, &gpa);
		if (!rb || !wb)
			return;
		uint32_t id = vplat_cpu_to_le32((p[1] & 0x80) ? p[1] : (uint32_t)(p[1] % 3));
		memcpy(rb, &id, 4);
		memset(wb, 0xee, len + 8);
		uint32_t rl = (p[3] & 0x80) ? 1u + p[3] % 8 : 4;
		struct vplat_val_buf b[3] = {{.ptr = rb, .len = rl}};
		unsigned nw = 1;
		if ((p[4] & 1) && len) {
			b[1] = (struct vplat_val_buf){.ptr = wb, .len = len};
			b[2] = (struct vplat_val_buf){.ptr = wb + len, .len = 8};
			nw = 2;
		} else {
			b[1] = (struct vplat_val_buf){.ptr = wb, .len = len + 8};
		}
		add(f, 3, b, 1, nw, 2, kick);
		break;
	}
	case 6: /* the clock */
		f->now += (uint64_t)(p[1] | p[2] << 8) * 1000u;
		vplat_snd_tick(&f->d, f->now);
		break;
	case 7: { /* eventq buffer */
		uint32_t len = (uint32_t)(p[1] % 16);
		uint8_t *wb = vplat_val_alloc(&f->lb.dma, len ? len : 1, 8, &gpa);
		if (!wb)
			return;
		struct vplat_val_buf b = {.ptr = wb, .len = len ? len : 1};
		add(f, 1, &b, 0, 1, 1, kick);
		break;
	}
	case 8:
		(void)vplat_snd_jack_set(&f->d, p[1] % 3, p[2] & 1);
		break;
	default:
		for (int i = 0; i < 4; i++)
			vplat_val_vq_kick(&f->q[i]);
		drain(f);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz fs[2];
	static bool up[2];
	static uint64_t base[2];
	unsigned k = (unsigned)(size & 1u);
	struct fz *fp = &fs[k];
	if (!up[k]) {
		memset(fp, 0, sizeof(*fp));
		if (fz_lb_init(&fp->lb, k ? VPLAT_LOOPBACK_PCI : VPLAT_LOOPBACK_MMIO, 1u << 17) ||
		    vplat_snd_init(&fp->d, vplat_loopback_mem(&fp->lb), &cfg, &ops, NULL) ||
		    vplat_loopback_attach(&fp->lb, vplat_snd_device(&fp->d)) ||
		    vplat_loopback_val_init(&fp->lb, &fp->v))
			abort();
		base[k] = vplat_val_mem_mark(&fp->lb.dma);
		fp->now = 1;
		up[k] = true;
	}
	struct fz *const f = fp;
	/* The previous input's rings and buffers are gone; the reset in negotiate() drops
	 * whatever the device still held of them. */
	vplat_val_mem_release(&f->lb.dma, base[k]);
	f->nposts = 0;
	f->now += 1000000000u;
	uint64_t want = VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1);
	if (size && (data[0] & 1))
		want |= VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED);
	if (vplat_val_negotiate(&f->v, want))
		abort();
	invariants(f);
	for (uint32_t id = 0; id < f->d.nstreams; id++) /* a reset left no stream running */
		if (f->d.pcm[id].state != VPLAT_SND_STATE_INIT || f->d.pcm[id].held)
			abort();
	for (uint16_t i = 0; i < 4; i++)
		if (vplat_val_vq_setup(&f->v, &f->q[i], i, 64))
			abort();
	if (vplat_val_driver_ok(&f->v))
		abort();
	uint64_t mark = vplat_val_mem_mark(&f->lb.dma);
	size_t end = size < 1 + 8 * MAX_STEPS ? size : 1 + 8 * MAX_STEPS;
	for (size_t off = 1; off < end;) {
		size_t n = end - off < 8 ? end - off : 8;
		step(f, data + off, n);
		drain(f);
		invariants(f);
		if (!f->q[0].inflight && !f->q[1].inflight && !f->q[2].inflight && !f->q[3].inflight) {
			vplat_val_mem_release(&f->lb.dma, mark);
			f->nposts = 0;
		}
		off += n;
	}
	for (int i = 0; i < 4; i++)
		vplat_val_vq_kick(&f->q[i]);
	f->now += 1000000000u;
	vplat_snd_tick(&f->d, f->now);
	drain(f);
	invariants(f);
	if (vplat_device_get_status(&f->d.dev) & VPLAT_VIRTIO_STATUS_DEVICE_NEEDS_RESET)
		abort();
	for (int i = 0; i < 4; i++)
		vplat_val_vq_fini(&f->q[i]);
	/* the other transport's instance shares the RAM: leave no queue of this one live */
	if (vplat_val_reset(&f->v))
		abort();
	return 0;
}
