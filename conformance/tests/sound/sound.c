/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sound device (spec/22-sound.md). Everything goes through the driver: the control queue's
 * information, parameter and lifecycle requests, tx messages on an output stream, and the
 * defined outcomes of malformed requests. The tests need an output stream (vplat's loopback
 * PAL and the daemon run have one, recorded into a WAV sink); without one they SKIP. The input
 * test needs an input stream the host feeds (a WAV source there), the jack test a jack the host
 * connects or disconnects while the test waits (`vplat-device sound --jack-flip MS`; the
 * loopback PAL's model does the same); without them those SKIP.
 */
#include <string.h>
#include <time.h>
#include "../common/devreq.h"
#include "vplat/spec/virtio_snd.h"
#include "vplat/val/val.h"
#include "vplat/val/conform.h"

#define CTLQ   VPLAT_VIRTIO_SND_VQ_CONTROL
#define TXQ    VPLAT_VIRTIO_SND_VQ_TX
#define E(x)   VPLAT_VIRTIO_SND_EVT_##x
#define R(x)   VPLAT_VIRTIO_SND_R_##x
#define S(x)   VPLAT_VIRTIO_SND_S_##x
#define NO_STATUS 0x5a5a5a5au
#define PERIOD_MS 10u

struct sd {
	struct vplat_val_vq *ctl, *ev, *tx, *rx;
	uint32_t jacks, streams, chmaps;
	int out;      /* an output stream, or -1 */
	int in;       /* an input stream, or -1 */
	struct vplat_virtio_snd_pcm_info info[8];
};

static uint32_t le32v(vplat_le32 v)
{
	return vplat_le32_to_cpu(v);
}

/* One control request: @p req (@p len bytes) readable, @p resp (@p rlen bytes) writable. */
static int ctl(struct vplat_test_ctx *t, struct sd *s, const void *req, uint32_t len, void *resp,
	       uint32_t rlen, uint32_t *used)
{
	uint8_t *q = dmab(t, len ? len : 1), *r = dmab(t, rlen ? rlen : 1);
	if (!q || !r)
		return VPLAT_ENOMEM;
	memcpy(q, req, len);
	memset(r, 0x5a, rlen);
	struct vplat_val_buf b[2] = {{.ptr = q, .len = len}, {.ptr = r, .len = rlen}};
	int rc = xfer(t, s->ctl, b, 1, 1, used);
	if (!rc)
		memcpy(resp, r, rlen);
	return rc;
}

/* The status code of a control request with a 4-byte response (NO_STATUS if none written). */
static uint32_t ctl_code(struct vplat_test_ctx *t, struct sd *s, const void *req, uint32_t len)
{
	uint32_t code = NO_STATUS, used = 0;
	vplat_le32 resp;
	if (ctl(t, s, req, len, &resp, sizeof(resp), &used))
		return NO_STATUS;
	if (used >= 4)
		code = le32v(resp);
	return code;
}

static uint32_t pcm(struct vplat_test_ctx *t, struct sd *s, uint32_t code, uint32_t stream)
{
	struct vplat_virtio_snd_pcm_hdr h = {.hdr.code = vplat_cpu_to_le32(code),
					     .stream_id = vplat_cpu_to_le32(stream)};
	return ctl_code(t, s, &h, sizeof(h));
}

/* Query @p count items of @p code from @p start with item size @p size into @p out
 * (response header first); returns the status code. */
static uint32_t query(struct vplat_test_ctx *t, struct sd *s, uint32_t code, uint32_t start,
		      uint32_t count, uint32_t size, void *out, uint32_t out_len, uint32_t *used)
{
	struct vplat_virtio_snd_query_info q = {.hdr.code = vplat_cpu_to_le32(code),
						.start_id = vplat_cpu_to_le32(start),
						.count = vplat_cpu_to_le32(count),
						.size = vplat_cpu_to_le32(size)};
	*used = 0;
	if (ctl(t, s, &q, sizeof(q), out, out_len, used))
		return NO_STATUS;
	vplat_le32 c;
	memcpy(&c, out, 4);
	return *used >= 4 ? le32v(c) : NO_STATUS;
}

/* Bring the device up with its four queues and read the PCM information. */
static enum vplat_result sd_up(struct vplat_test_ctx *t, struct sd *s)
{
	memset(s, 0, sizeof(*s));
	s->out = s->in = -1;
	enum vplat_result r = bringup_no_driver_ok(t, 0, &s->ctl, CTLQ, 16);
	if (r != VPLAT_PASS)
		return r;
	s->ev = vplat_t_vq(t);
	s->tx = vplat_t_vq(t);
	s->rx = vplat_t_vq(t);
	if (!s->ev || !s->tx || !s->rx ||
	    vplat_val_vq_setup(t->d, s->ev, VPLAT_VIRTIO_SND_VQ_EVENT, 8) ||
	    vplat_val_vq_setup(t->d, s->tx, TXQ, 16) ||
	    vplat_val_vq_setup(t->d, s->rx, VPLAT_VIRTIO_SND_VQ_RX, 16) ||
	    vplat_val_driver_ok(t->d))
		return vplat_t_error(t, "queue set-up or DRIVER_OK failed (status 0x%02x)", status(t));
	s->jacks = (uint32_t)cfg(t, 0, 4);
	s->streams = (uint32_t)cfg(t, 4, 4);
	s->chmaps = (uint32_t)cfg(t, 8, 4);
	uint32_t n = s->streams < 8 ? s->streams : 8, used;
	uint8_t *b = dmab(t, 4 + 8 * (uint32_t)sizeof(s->info[0]));
	if (!b)
		return vplat_t_error(t, "no DMA memory");
	if (n && query(t, s, R(PCM_INFO), 0, n, sizeof(s->info[0]), b,
		       4 + n * (uint32_t)sizeof(s->info[0]), &used) != S(OK))
		return vplat_t_error(t, "PCM_INFO of streams 0..%u failed", n - 1);
	memcpy(s->info, b + 4, n * sizeof(s->info[0]));
	for (uint32_t i = 0; i < n; i++) {
		if (s->info[i].direction == VPLAT_VIRTIO_SND_D_OUTPUT && s->out < 0)
			s->out = (int)i;
		if (s->info[i].direction == VPLAT_VIRTIO_SND_D_INPUT && s->in < 0)
			s->in = (int)i;
	}
	return VPLAT_PASS;
}

static enum vplat_result need_out(struct vplat_test_ctx *t, struct sd *s)
{
	enum vplat_result r = sd_up(t, s);
	if (r != VPLAT_PASS)
		return r;
	if (s->out < 0)
		return vplat_t_skip(t, "the device has no output stream");
	return VPLAT_PASS;
}

static unsigned lowest_bit(uint64_t v)
{
	unsigned i = 0;
	while (i < 63 && !(v & (1ull << i)))
		i++;
	return i;
}

static const uint32_t fmt_bytes[] = {1, 1, 1, 1, 1, 2, 2, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4,
				     4, 4, 4, 4, 4, 8, 4};
static const uint32_t rate_hz[] = {5512, 8000, 11025, 16000, 22050, 32000, 44100,
				   48000, 64000, 88200, 96000, 176400, 192000, 384000};

/* Parameters the stream advertises: its lowest format and rate, channels_min, periods of
 * PERIOD_MS, a buffer of @p periods. @p frame_bytes and @p period receive the sizes. */
static struct vplat_virtio_snd_pcm_set_params params_for(const struct sd *s, uint32_t id,
							 uint32_t periods, uint32_t *frame_bytes,
							 uint32_t *period)
{
	const struct vplat_virtio_snd_pcm_info *i = &s->info[id];
	unsigned f = lowest_bit(vplat_le64_to_cpu(i->formats));
	unsigned r = lowest_bit(vplat_le64_to_cpu(i->rates));
	uint32_t fb = (f < 25 ? fmt_bytes[f] : 4) * (i->channels_min ? i->channels_min : 1);
	uint32_t hz = r < 14 ? rate_hz[r] : 48000;
	uint32_t pb = hz * PERIOD_MS / 1000u * fb;
	*frame_bytes = fb;
	*period = pb;
	return (struct vplat_virtio_snd_pcm_set_params){
	    .hdr = {.hdr.code = vplat_cpu_to_le32(R(PCM_SET_PARAMS)),
		    .stream_id = vplat_cpu_to_le32(id)},
	    .buffer_bytes = vplat_cpu_to_le32(pb * periods),
	    .period_bytes = vplat_cpu_to_le32(pb),
	    .channels = i->channels_min,
	    .format = (uint8_t)f,
	    .rate = (uint8_t)r};
}

/* The request set-up of the I/O tests: SET_PARAMS (params_for() with @p periods periods in
 * the buffer) and PREPARE on stream @p id. False when either is not answered OK. */
static bool stream_prepared(struct vplat_test_ctx *t, struct sd *s, uint32_t id, uint32_t periods,
			    uint32_t *frame_bytes, uint32_t *period)
{
	struct vplat_virtio_snd_pcm_set_params sp = params_for(s, id, periods, frame_bytes, period);
	return ctl_code(t, s, &sp, sizeof(sp)) == S(OK) && pcm(t, s, R(PCM_PREPARE), id) == S(OK);
}

/* The set-up of the I/O tests: the device up, its first stream of direction @p dir (SKIP
 * without one), SET_PARAMS (@p periods periods of PERIOD_MS in the buffer) and PREPARE
 * answered OK. @p id and @p period receive the stream and its period in bytes. */
static enum vplat_result io_ready(struct vplat_test_ctx *t, struct sd *s, uint8_t dir,
				  uint32_t periods, uint32_t *id, uint32_t *period)
{
	enum vplat_result r = sd_up(t, s);
	if (r != VPLAT_PASS)
		return r;
	bool out = dir == VPLAT_VIRTIO_SND_D_OUTPUT;
	int sid = out ? s->out : s->in;
	if (sid < 0)
		return vplat_t_skip(t, out ? "the device has no output stream"
					   : "the device has no input stream");
	uint32_t fb;
	*id = (uint32_t)sid;
	if (!stream_prepared(t, s, *id, periods, &fb, period))
		return vplat_t_error(t, "SET_PARAMS/PREPARE of stream %u failed", *id);
	return VPLAT_PASS;
}

static bool all_of(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

static bool zero(const uint8_t *p, size_t n)
{
	return all_of(p, n, 0);
}

static enum vplat_result info(struct vplat_test_ctx *t)
{
	struct sd s;
	enum vplat_result r = sd_up(t, &s);
	if (r != VPLAT_PASS)
		return r;
	static const struct {
		uint32_t code, size;
	} kinds[] = {{R(JACK_INFO), sizeof(struct vplat_virtio_snd_jack_info)},
		     {R(PCM_INFO), sizeof(struct vplat_virtio_snd_pcm_info)},
		     {R(CHMAP_INFO), sizeof(struct vplat_virtio_snd_chmap_info)}};
	uint32_t counts[3] = {s.jacks, s.streams, s.chmaps};
	VPLAT_T_CHECK_MSG(t, 1, s.streams > 0 && s.streams <= 64 && s.jacks <= 64 && s.chmaps <= 64,
			  "item counts in the configuration space", "jacks %u streams %u chmaps %u",
			  s.jacks, s.streams, s.chmaps);
	uint8_t *b = dmab(t, 4 + 64 * 40);
	if (!b)
		return vplat_t_error(t, "no DMA memory");
	uint32_t used;
	for (unsigned k = 0; k < 3; k++) {
		uint32_t n = counts[k] < 64 ? counts[k] : 64, sz = kinds[k].size;
		if (n) {
			/* every item, with a larger item size than the structure: zeros beyond */
			uint32_t code = query(t, &s, kinds[k].code, 0, n, sz + 4, b, 4 + n * (sz + 4),
					      &used);
			VPLAT_T_CHECK_MSG(t, 2, code == S(OK) && used == 4 + n * (sz + 4),
					  "every item's information: OK and count * size bytes",
					  "code 0x%x: status 0x%x used %u (want %u)", kinds[k].code,
					  code, used, 4 + n * (sz + 4));
			for (uint32_t i = 0; code == S(OK) && i < n; i++) {
				const uint8_t *it = b + 4 + i * (sz + 4);
				VPLAT_T_CHECK_MSG(t, 3, zero(it + sz, 4),
						  "bytes beyond the structure zero",
						  "code 0x%x item %u", kinds[k].code, i);
				if (k == 0) {
					/* Items sit at a stride of sz + 4 bytes: copy each out, never
					 * cast (an item need not be aligned for its fields). */
					struct vplat_virtio_snd_jack_info jb;
					memcpy(&jb, it, sizeof(jb));
					const struct vplat_virtio_snd_jack_info *j = &jb;
					VPLAT_T_CHECK_MSG(t, 4, zero(j->padding, sizeof(j->padding)) &&
								j->connected <= 1 &&
								le32v(j->features) < 2u,
							  "jack information: defined values, padding zero",
							  "jack %u", i);
				} else if (k == 1) {
					struct vplat_virtio_snd_pcm_info pb;
					memcpy(&pb, it, sizeof(pb));
					const struct vplat_virtio_snd_pcm_info *p = &pb;
					uint64_t fm = vplat_le64_to_cpu(p->formats);
					uint64_t rt = vplat_le64_to_cpu(p->rates);
					VPLAT_T_CHECK_MSG(
					    t, 5,
					    zero(p->padding, sizeof(p->padding)) && fm && !(fm >> 25) &&
						rt && !(rt >> 14) && le32v(p->features) < (1u << 5) &&
						p->direction <= 1 && p->channels_min >= 1 &&
						p->channels_min <= p->channels_max,
					    "PCM information: defined features, formats, rates, direction",
					    "stream %u: formats 0x%llx rates 0x%llx features 0x%x dir %u "
					    "channels %u..%u",
					    i, (unsigned long long)fm, (unsigned long long)rt,
					    le32v(p->features), p->direction, p->channels_min,
					    p->channels_max);
				} else {
					struct vplat_virtio_snd_chmap_info cb;
					memcpy(&cb, it, sizeof(cb));
					const struct vplat_virtio_snd_chmap_info *c = &cb;
					bool ok = c->direction <= 1 &&
						  c->channels <= VPLAT_VIRTIO_SND_CHMAP_MAX_SIZE;
					for (unsigned p = 0; ok && p < c->channels; p++)
						ok = c->positions[p] <= VPLAT_VIRTIO_SND_CHMAP_BRC;
					for (unsigned p = c->channels;
					     ok && p < VPLAT_VIRTIO_SND_CHMAP_MAX_SIZE; p++)
						ok = c->positions[p] == 0;
					VPLAT_T_CHECK_MSG(t, 6, ok,
							  "channel map: at most 18 defined positions",
							  "chmap %u: direction %u channels %u", i,
							  c->direction, c->channels);
				}
			}
		}
		/* beyond the count, a size below the structure, a short response buffer */
		uint32_t bad[][4] = {{n, 1, sz, 4 + sz},
				     {0, n + 1, sz, 4 + (n + 1) * sz},
				     {0xffffffffu, 2, sz, 4 + 2 * sz},
				     {0, 1, sz - 1, 4 + sz},
				     {0, 1, sz, 4 + sz - 1}};
		for (unsigned c = 0; c < 5; c++) {
			if (c != 0 && c != 2 && !n)
				continue;
			memset(b, 0x77, 4 + 2 * (sz + 4));
			uint32_t code = query(t, &s, kinds[k].code, bad[c][0], bad[c][1], bad[c][2], b,
					      bad[c][3], &used);
			VPLAT_T_CHECK_MSG(t, 7, code == S(BAD_MSG) && used == 4,
					  "an invalid information request: BAD_MSG, nothing else",
					  "code 0x%x case %u (start %u count %u size %u resp %u): "
					  "status 0x%x used %u",
					  kinds[k].code, c, bad[c][0], bad[c][1], bad[c][2], bad[c][3],
					  code, used);
		}
	}
	return VPLAT_PASS;
}
VPLAT_TEST(sound_info, "VPLAT-SND-001 VPLAT-SND-002 VPLAT-SND-003", "sec:Device Types / Sound Device / Device Configuration Layout", VPLAT_VIRTIO_ID_SOUND, 0, "jack, PCM and channel map information for every item: OK, defined values, zeros beyond; out of range, undersized or short requests answered BAD_MSG", info);

static enum vplat_result malformed(struct vplat_test_ctx *t)
{
	struct sd s;
	enum vplat_result r = sd_up(t, &s);
	if (r != VPLAT_PASS)
		return r;
	struct vplat_virtio_snd_pcm_set_params sp = {
	    .hdr = {.hdr.code = vplat_cpu_to_le32(R(PCM_SET_PARAMS))}};
	static const uint32_t unknown[] = {0, 3, 0x00ff, 0x0106, 0x0201, 0x1000, 0x8000, 0xffffffffu};
	for (unsigned i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		struct vplat_virtio_snd_pcm_hdr h = {.hdr.code = vplat_cpu_to_le32(unknown[i])};
		uint32_t c = ctl_code(t, &s, &h, sizeof(h));
		VPLAT_T_CHECK_MSG(t, 1, c == S(NOT_SUPP), "an unknown request code: NOT_SUPP",
				  "code 0x%x: status 0x%x", unknown[i], c);
	}
	/* too short for the code: SET_PARAMS cut after the stream ID, a query without its
	 * fields, a PCM command without a stream ID */
	uint32_t c = ctl_code(t, &s, &sp, 8);
	VPLAT_T_CHECK_MSG(t, 2, c == S(BAD_MSG), "a truncated SET_PARAMS: BAD_MSG", "status 0x%x",
			  c);
	struct vplat_virtio_snd_query_info q = {.hdr.code = vplat_cpu_to_le32(R(PCM_INFO))};
	c = ctl_code(t, &s, &q, 8);
	VPLAT_T_CHECK_MSG(t, 3, c == S(BAD_MSG), "a truncated PCM_INFO: BAD_MSG", "status 0x%x", c);
	vplat_le32 start = vplat_cpu_to_le32(R(PCM_START));
	c = ctl_code(t, &s, &start, 4);
	VPLAT_T_CHECK_MSG(t, 4, c == S(BAD_MSG), "START without a stream ID: BAD_MSG",
			  "status 0x%x", c);
	/* no room for the response header: used length 0, the buffer untouched */
	struct vplat_virtio_snd_pcm_hdr h = {.hdr.code = vplat_cpu_to_le32(R(PCM_PREPARE))};
	uint8_t resp[3] = {0};
	uint32_t used = 99;
	int rc = ctl(t, &s, &h, sizeof(h), resp, sizeof(resp), &used);
	VPLAT_T_CHECK_MSG(t, 5, rc == 0 && used == 0 && resp[0] == 0x5a && resp[2] == 0x5a,
			  "a 3-byte response buffer: used length 0, nothing written",
			  "rc %d used %u", rc, used);
	return VPLAT_PASS;
}
VPLAT_TEST(sound_malformed_control, "VPLAT-SND-004", "sec:Device Types / Sound Device / Device Operation", VPLAT_VIRTIO_ID_SOUND, 0, "unknown codes NOT_SUPP; truncated requests BAD_MSG; no room for the response: used length 0", malformed);

static enum vplat_result lifecycle(struct vplat_test_ctx *t)
{
	struct sd s;
	enum vplat_result r = need_out(t, &s);
	if (r != VPLAT_PASS)
		return r;
	uint32_t id = (uint32_t)s.out, fb, pb;
	struct vplat_virtio_snd_pcm_set_params sp = params_for(&s, id, 4, &fb, &pb);
	/* from the initial state only SET_PARAMS is valid */
	static const uint32_t early[] = {R(PCM_PREPARE), R(PCM_START), R(PCM_STOP), R(PCM_RELEASE)};
	for (unsigned i = 0; i < 4; i++) {
		uint32_t c = pcm(t, &s, early[i], id);
		VPLAT_T_CHECK_MSG(t, 1, c == S(BAD_MSG), "a command before SET_PARAMS: BAD_MSG",
				  "code 0x%x: status 0x%x", early[i], c);
	}
	uint32_t c = ctl_code(t, &s, &sp, sizeof(sp));
	if (c != S(OK))
		return vplat_t_error(t, "SET_PARAMS with advertised values: status 0x%x", c);
	/* Then, in order: each command and the status it must get (checkpoint, what). */
	static const struct {
		unsigned cp;
		uint32_t code, want;
		const char *what;
	} steps[] = {
	    {2, R(PCM_START), S(BAD_MSG), "START after SET_PARAMS: BAD_MSG"},
	    {2, R(PCM_STOP), S(BAD_MSG), "STOP after SET_PARAMS: BAD_MSG"},
	    {2, R(PCM_RELEASE), S(BAD_MSG), "RELEASE after SET_PARAMS: BAD_MSG"},
	    {3, R(PCM_SET_PARAMS), S(OK), "SET_PARAMS again after SET_PARAMS: OK"},
	    {4, R(PCM_PREPARE), S(OK), "PREPARE after SET_PARAMS: OK"},
	    {5, R(PCM_PREPARE), S(OK), "PREPARE after PREPARE: OK"},
	    {6, R(PCM_STOP), S(BAD_MSG), "STOP after PREPARE: BAD_MSG"},
	    {7, R(PCM_START), S(OK), "START after PREPARE: OK"},
	    {8, R(PCM_START), S(BAD_MSG), "START while running: BAD_MSG"},
	    {8, R(PCM_PREPARE), S(BAD_MSG), "PREPARE while running: BAD_MSG"},
	    {8, R(PCM_RELEASE), S(BAD_MSG), "RELEASE while running: BAD_MSG"},
	    {9, R(PCM_SET_PARAMS), S(BAD_MSG), "SET_PARAMS while running: BAD_MSG"},
	    {10, R(PCM_STOP), S(OK), "STOP after START: OK"},
	    {11, R(PCM_START), S(OK), "START after STOP: OK"},
	    {12, R(PCM_STOP), S(OK), "STOP again: OK"},
	    {13, R(PCM_RELEASE), S(OK), "RELEASE after STOP: OK"},
	    {14, R(PCM_START), S(BAD_MSG), "START after RELEASE: BAD_MSG"},
	    {15, R(PCM_PREPARE), S(OK), "PREPARE after RELEASE: OK"},
	    {16, R(PCM_RELEASE), S(OK), "RELEASE after PREPARE: OK"},
	};
	for (unsigned i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		c = steps[i].code == R(PCM_SET_PARAMS) ? ctl_code(t, &s, &sp, sizeof(sp))
						       : pcm(t, &s, steps[i].code, id);
		VPLAT_T_CHECK_MSG(t, steps[i].cp, c == steps[i].want, steps[i].what, "status 0x%x", c);
	}
	return VPLAT_PASS;
}
VPLAT_TEST(sound_pcm_lifecycle, "VPLAT-SND-005", "sec:Device Types / Sound Device / Device Operation / PCM Control Messages", VPLAT_VIRTIO_ID_SOUND, 0, "every PCM command from every lifecycle state: the valid transitions OK, the others BAD_MSG", lifecycle);

static enum vplat_result bad_params(struct vplat_test_ctx *t)
{
	struct sd s;
	enum vplat_result r = need_out(t, &s);
	if (r != VPLAT_PASS)
		return r;
	uint32_t id = (uint32_t)s.out, fb, pb;
	const struct vplat_virtio_snd_pcm_info *i = &s.info[id];
	uint64_t fm = vplat_le64_to_cpu(i->formats), rt = vplat_le64_to_cpu(i->rates);
	unsigned nf, nr;
	for (nf = 0; nf < 64 && (fm & (1ull << nf)); nf++)
		;
	for (nr = 0; nr < 64 && (rt & (1ull << nr)); nr++)
		;
	for (unsigned k = 0; k < 8; k++) {
		struct vplat_virtio_snd_pcm_set_params sp = params_for(&s, id, 4, &fb, &pb);
		const char *what = "";
		switch (k) {
		case 0: sp.hdr.stream_id = vplat_cpu_to_le32(s.streams); what = "stream ID = streams"; break;
		case 1: sp.format = (uint8_t)nf; what = "a format not advertised"; break;
		case 2: sp.rate = (uint8_t)nr; what = "a rate not advertised"; break;
		case 3: sp.channels = (uint8_t)(i->channels_max + 1u); what = "channels above max"; break;
		case 4: sp.channels = (uint8_t)(i->channels_min - 1u); what = "channels below min"; break;
		case 5: sp.period_bytes = 0; what = "period_bytes 0"; break;
		case 6: sp.period_bytes = vplat_cpu_to_le32(pb + 1u); what = "a period not dividing the buffer"; break;
		default: sp.features = vplat_cpu_to_le32(~le32v(i->features)); what = "features not advertised"; break;
		}
		uint32_t c = ctl_code(t, &s, &sp, sizeof(sp));
		VPLAT_T_CHECK_MSG(t, 1, c == S(BAD_MSG), "invalid SET_PARAMS: BAD_MSG", "%s: status 0x%x",
				  what, c);
	}
	/* the stream's parameters unchanged: PREPARE still has none to use */
	uint32_t c = pcm(t, &s, R(PCM_PREPARE), id);
	VPLAT_T_CHECK_MSG(t, 2, c == S(BAD_MSG), "after only invalid SET_PARAMS: PREPARE BAD_MSG",
			  "status 0x%x", c);
	return VPLAT_PASS;
}
VPLAT_TEST(sound_bad_params, "VPLAT-SND-006", "drivernormative:Device Types / Sound Device / Device Operation / PCM Stream Parameters", VPLAT_VIRTIO_ID_SOUND, 0, "SET_PARAMS with a bad stream ID, format, rate, channel count, period or features: BAD_MSG, parameters unchanged", bad_params);

/* Post one tx message: header (@p stream) and @p payload bytes readable, an 8-byte status
 * writable (@p status_len bytes; 0: none). The token is the status buffer. */
static int tx_add(struct vplat_test_ctx *t, struct sd *s, uint32_t stream, uint32_t payload,
		  uint32_t status_len, uint8_t **st)
{
	uint8_t *h = dmab(t, 4), *p = dmab(t, payload ? payload : 1),
		*w = dmab(t, status_len ? status_len : 1);
	if (!h || !p || !w)
		return VPLAT_ENOMEM;
	vplat_le32 sid = vplat_cpu_to_le32(stream);
	memcpy(h, &sid, 4);
	memset(w, 0x5a, status_len ? status_len : 1);
	struct vplat_val_buf b[3] = {{.ptr = h, .len = 4}, {.ptr = p, .len = payload},
				     {.ptr = w, .len = status_len}};
	unsigned n_out = payload ? 2 : 1;
	if (!payload)
		b[1] = b[2];
	*st = w;
	return vplat_val_vq_add(s->tx, b, n_out, status_len ? 1 : 0, w);
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Checkpoints of period_done(): completed, in order, not early, used length and status. */
struct period_cps {
	unsigned done, order, early, status;
};

/* START stream @p id; @p t0 receives the time it was sent. */
static enum vplat_result started(struct vplat_test_ctx *t, struct sd *s, uint32_t id,
				 uint64_t *t0)
{
	*t0 = now_ns();
	uint32_t c = pcm(t, s, R(PCM_START), id);
	return c == S(OK) ? VPLAT_PASS : vplat_t_error(t, "START: status 0x%x", c);
}

/* Wait for message @p k of the one-period messages posted on @p vq before START (sent at
 * @p t0): it comes back (checkpoint cp->done), in order (its token is @p want, cp->order), not
 * before its frames' time, k + 1 periods after START (cp->early: a lower bound only; a slow
 * machine only makes it later), with used length @p want_used and status OK in the status
 * buffer at @p status (cp->status). */
static enum vplat_result period_done(struct vplat_test_ctx *t, struct vplat_val_vq *vq, bool rx,
				     unsigned k, uint64_t t0, const void *want,
				     const uint8_t *status, uint32_t want_used,
				     const struct period_cps *cp)
{
	void *tok = NULL;
	uint32_t used = 0;
	int rc = wait_used(t, vq, &tok, &used);
	uint64_t dt = now_ns() - t0;
	VPLAT_T_CHECK_MSG(t, cp->done, rc == 0,
			  rx ? "every rx message completed" : "every tx message completed",
			  "message %u: %s", k, vplat_strerror(rc));
	VPLAT_T_CHECK_MSG(t, cp->order, tok == want,
			  rx ? "rx messages of a stream completed in order"
			     : "tx messages completed in order",
			  "message %u came back out of order", k);
	uint64_t min_ns = (uint64_t)(k + 1u) * PERIOD_MS * 1000000ull;
	VPLAT_T_CHECK_MSG(t, cp->early, dt + 1000000ull >= min_ns,
			  rx ? "no rx message completed before its frames were recorded"
			     : "no tx message completed before its frames were consumed",
			  "message %u completed %.1f ms after START (its frames end at %u ms)", k,
			  (double)dt / 1e6, (k + 1u) * PERIOD_MS);
	vplat_le32 stv;
	memcpy(&stv, status, 4);
	VPLAT_T_CHECK_MSG(t, cp->status, used == want_used && le32v(stv) == S(OK),
			  rx ? "an rx message completed full: used length = period bytes + 8, "
			       "status OK"
			     : "a tx message: status OK in the 8-byte status, used length 8",
			  "message %u: used %u (want %u) status 0x%x", k, used, want_used,
			  le32v(stv));
	return VPLAT_PASS;
}

static enum vplat_result tx_messages(struct vplat_test_ctx *t)
{
	struct sd s;
	uint32_t id, pb;
	enum vplat_result r = io_ready(t, &s, VPLAT_VIRTIO_SND_D_OUTPUT, 4, &id, &pb);
	if (r != VPLAT_PASS)
		return r;
	uint8_t *st[3];
	for (unsigned k = 0; k < 3; k++)
		if (tx_add(t, &s, id, pb, 8, &st[k]))
			return vplat_t_error(t, "tx add failed");
	vplat_val_vq_kick(s.tx);
	uint64_t t0;
	r = started(t, &s, id, &t0);
	static const struct period_cps cps = {.done = 4, .order = 1, .early = 3, .status = 2};
	for (unsigned k = 0; r == VPLAT_PASS && k < 3; k++)
		r = period_done(t, s.tx, false, k, t0, st[k], st[k], 8, &cps);
	if (r != VPLAT_PASS)
		return r;
	(void)pcm(t, &s, R(PCM_STOP), id);
	(void)pcm(t, &s, R(PCM_RELEASE), id);
	return VPLAT_PASS;
}
VPLAT_TEST(sound_tx_messages, "VPLAT-SND-008 VPLAT-SND-010", "devicenormative:Device Types / Sound Device / Device Operation / PCM Output Stream", VPLAT_VIRTIO_ID_SOUND, 0, "three tx messages of one period each: completed in order, status OK with used length 8, none before its frames' time", tx_messages);

static enum vplat_result io_errors(struct vplat_test_ctx *t)
{
	struct sd s;
	enum vplat_result r = need_out(t, &s);
	if (r != VPLAT_PASS)
		return r;
	uint32_t id = (uint32_t)s.out, fb, pb;
	uint8_t *st;
	void *tok;
	uint32_t used;
	vplat_le32 v;
	/* a stream without parameters, an unknown stream, an input stream */
	uint32_t bad[3] = {id, s.streams, 0xffffffffu};
	for (unsigned k = 0; k < 3; k++) {
		if (tx_add(t, &s, bad[k], 64, 8, &st))
			return vplat_t_error(t, "tx add failed");
		vplat_val_vq_kick(s.tx);
		int rc = wait_used(t, s.tx, &tok, &used);
		memcpy(&v, st, 4);
		VPLAT_T_CHECK_MSG(t, 1, rc == 0 && used == 8 && le32v(v) == S(IO_ERR),
				  "a tx message for an unprepared or unknown stream: IO_ERR at once",
				  "stream %u: rc %d used %u status 0x%x", bad[k], rc, used, le32v(v));
	}
	if (s.in >= 0) {
		if (stream_prepared(t, &s, (uint32_t)s.in, 4, &fb, &pb)) {
			if (tx_add(t, &s, (uint32_t)s.in, 64, 8, &st))
				return vplat_t_error(t, "tx add failed");
			vplat_val_vq_kick(s.tx);
			int rc = wait_used(t, s.tx, &tok, &used);
			memcpy(&v, st, 4);
			VPLAT_T_CHECK_MSG(t, 2, rc == 0 && used == 8 && le32v(v) == S(IO_ERR),
					  "a tx message for an input stream: IO_ERR",
					  "rc %d used %u status 0x%x", rc, used, le32v(v));
			(void)pcm(t, &s, R(PCM_RELEASE), (uint32_t)s.in);
		}
	}
	if (!stream_prepared(t, &s, id, 4, &fb, &pb))
		return vplat_t_error(t, "SET_PARAMS/PREPARE failed");
	/* no room for the status: used length 0 */
	if (tx_add(t, &s, id, 64, 4, &st))
		return vplat_t_error(t, "tx add failed");
	vplat_val_vq_kick(s.tx);
	int rc = wait_used(t, s.tx, &tok, &used);
	VPLAT_T_CHECK_MSG(t, 3, rc == 0 && used == 0 && st[0] == 0x5a,
			  "a tx message with a 4-byte status buffer: used length 0",
			  "rc %d used %u", rc, used);
	/* a device-writable payload on the txq: header readable, payload + status writable */
	uint8_t *h = dmab(t, 4), *p = dmab(t, 64), *w = dmab(t, 8);
	if (!h || !p || !w)
		return vplat_t_error(t, "no DMA memory");
	vplat_le32 sid = vplat_cpu_to_le32(id);
	memcpy(h, &sid, 4);
	memset(p, 0x33, 64);
	memset(w, 0x5a, 8);
	struct vplat_val_buf b[3] = {{.ptr = h, .len = 4}, {.ptr = p, .len = 64}, {.ptr = w, .len = 8}};
	if (vplat_val_vq_add(s.tx, b, 1, 2, w))
		return vplat_t_error(t, "tx add failed");
	vplat_val_vq_kick(s.tx);
	rc = wait_used(t, s.tx, &tok, &used);
	memcpy(&v, w, 4);
	VPLAT_T_CHECK_MSG(t, 4, rc == 0 && le32v(v) == S(IO_ERR) && p[0] == 0x33 && p[63] == 0x33,
			  "a device-writable payload on the txq: IO_ERR, payload untouched",
			  "rc %d used %u status 0x%x", rc, used, le32v(v));
	(void)pcm(t, &s, R(PCM_RELEASE), id);
	return VPLAT_PASS;
}
VPLAT_TEST(sound_io_errors, "VPLAT-SND-011 VPLAT-SND-010", "drivernormative:Device Types / Sound Device / Device Operation / PCM Output Stream", VPLAT_VIRTIO_ID_SOUND, 0, "tx messages for an unprepared, unknown or input stream, or with a writable payload: IO_ERR at once; no room for the status: used length 0", io_errors);

/* Post @p n tx messages of 8 periods (@p pb bytes each) on stream @p id and kick: what the
 * tests of held messages queue before they START, STOP, RELEASE, re-parametrise or reset. */
static int tx_hold(struct vplat_test_ctx *t, struct sd *s, uint32_t id, uint32_t pb, unsigned n)
{
	uint8_t *st;
	for (unsigned k = 0; k < n; k++) {
		int rc = tx_add(t, s, id, pb * 8u, 8, &st);
		if (rc)
			return rc;
	}
	vplat_val_vq_kick(s->tx);
	return 0;
}

static enum vplat_result release_completes(struct vplat_test_ctx *t)
{
	struct sd s;
	uint32_t id, pb;
	enum vplat_result r = io_ready(t, &s, VPLAT_VIRTIO_SND_D_OUTPUT, 8, &id, &pb);
	if (r != VPLAT_PASS)
		return r;
	if (tx_hold(t, &s, id, pb, 4))
		return vplat_t_error(t, "tx add failed");
	if (pcm(t, &s, R(PCM_START), id) != S(OK) || pcm(t, &s, R(PCM_STOP), id) != S(OK))
		return vplat_t_error(t, "START/STOP failed");
	uint32_t c = pcm(t, &s, R(PCM_RELEASE), id);
	VPLAT_T_CHECK_MSG(t, 1, c == S(OK), "RELEASE after STOP: OK", "status 0x%x", c);
	/* every message (320 ms of frames, held) is in the used ring by now */
	unsigned got = 0;
	void *tok;
	uint32_t used;
	while (got < 4 && vplat_val_vq_get_used(s.tx, &tok, &used) == 0)
		got++;
	VPLAT_T_CHECK_MSG(t, 2, got == 4, "RELEASE completed after every pending message",
			  "%u of 4 held messages completed when RELEASE was answered", got);
	return VPLAT_PASS;
}
VPLAT_TEST(sound_release_completes, "VPLAT-SND-007", "devicenormative:Device Types / Sound Device / Device Operation / PCM Stream Release", VPLAT_VIRTIO_ID_SOUND, 0, "four held tx messages, STOP, RELEASE: all four completed before the RELEASE response", release_completes);

static enum vplat_result params_completes(struct vplat_test_ctx *t)
{
	struct sd s;
	uint32_t id, pb;
	enum vplat_result r = io_ready(t, &s, VPLAT_VIRTIO_SND_D_OUTPUT, 8, &id, &pb);
	if (r != VPLAT_PASS)
		return r;
	if (tx_hold(t, &s, id, pb, 4))
		return vplat_t_error(t, "tx add failed");
	/* the stream is PREPARED (never started): the four messages are held, not played */
	uint32_t fb, period;
	struct vplat_virtio_snd_pcm_set_params sp = params_for(&s, id, 8, &fb, &period);
	uint32_t c = ctl_code(t, &s, &sp, sizeof(sp));
	VPLAT_T_CHECK_MSG(t, 1, c == S(OK), "SET_PARAMS after PREPARE: OK", "status 0x%x", c);
	unsigned got = 0, ok = 0;
	void *tok;
	uint32_t used;
	while (got < 4 && vplat_val_vq_get_used(s.tx, &tok, &used) == 0) {
		uint8_t *p = tok;
		uint32_t v;
		memcpy(&v, p, 4);
		got++;
		ok += vplat_le32_to_cpu(v) == S(OK) || vplat_le32_to_cpu(v) == S(IO_ERR);
	}
	VPLAT_T_CHECK_MSG(t, 2, got == 4 && ok == 4,
			  "SET_PARAMS completed after every message held for the old parameters",
			  "%u of 4 held messages completed (%u with a defined status) when SET_PARAMS "
			  "was answered", got, ok);
	/* back to PREPARE, START: nothing of the completed messages comes back again */
	if (pcm(t, &s, R(PCM_PREPARE), id) != S(OK) || pcm(t, &s, R(PCM_START), id) != S(OK))
		return vplat_t_error(t, "PREPARE/START after SET_PARAMS failed");
	VPLAT_T_CHECK_MSG(t, 3, quiet_for(t, s.tx, 100, NULL),
			  "no message completed twice", "a used buffer after START");
	(void)pcm(t, &s, R(PCM_STOP), id);
	(void)pcm(t, &s, R(PCM_RELEASE), id);
	return VPLAT_PASS;
}
VPLAT_TEST(sound_params_completes, "VPLAT-SND-015", "sec:Device Types / Sound Device / Device Operation / PCM Control Messages", VPLAT_VIRTIO_ID_SOUND, 0, "four held tx messages on a prepared stream, SET_PARAMS: all four completed before the SET_PARAMS response, none again after START", params_completes);

static enum vplat_result reset_stream(struct vplat_test_ctx *t)
{
	struct sd s;
	uint32_t id, pb;
	enum vplat_result r = io_ready(t, &s, VPLAT_VIRTIO_SND_D_OUTPUT, 8, &id, &pb);
	if (r != VPLAT_PASS)
		return r;
	if (pcm(t, &s, R(PCM_START), id) != S(OK))
		return vplat_t_error(t, "START failed");
	if (tx_hold(t, &s, id, pb, 4))
		return vplat_t_error(t, "tx add failed");
	release_queues(t);
	r = sd_up(t, &s);
	if (r != VPLAT_PASS)
		return r;
	/* after the reset the stream is in its initial state: START and PREPARE are invalid */
	uint32_t c1 = pcm(t, &s, R(PCM_START), id), c2 = pcm(t, &s, R(PCM_PREPARE), id);
	VPLAT_T_CHECK_MSG(t, 1, c1 == S(BAD_MSG) && c2 == S(BAD_MSG),
			  "after a device reset the stream is back in its initial state",
			  "START 0x%x PREPARE 0x%x", c1, c2);
	VPLAT_T_CHECK_MSG(t, 2, quiet_for(t, s.tx, 100, NULL),
			  "nothing of the held messages comes back on the new txq", "a used buffer");
	return VPLAT_PASS;
}
VPLAT_TEST(sound_reset, "VPLAT-SND-012", "sec:Device Types / Sound Device / Device Operation", VPLAT_VIRTIO_ID_SOUND, 0, "a device reset with a running stream and held messages: the stream back in its initial state, nothing completed on the new queue", reset_stream);

/* One rx message: header (@p stream) readable, @p payload bytes and the 8-byte status
 * writable, the payload filled with 0x5a. The token is the payload (the status follows it). */
static int rx_add(struct vplat_test_ctx *t, struct sd *s, uint32_t stream, uint32_t payload,
		  uint8_t **buf)
{
	uint8_t *h = dmab(t, 4), *p = dmab(t, payload + 8u);
	if (!h || !p)
		return VPLAT_ENOMEM;
	vplat_le32 sid = vplat_cpu_to_le32(stream);
	memcpy(h, &sid, 4);
	memset(p, 0x5a, payload + 8u);
	struct vplat_val_buf b[3] = {{.ptr = h, .len = 4}, {.ptr = p, .len = payload},
				     {.ptr = p + payload, .len = 8}};
	*buf = p;
	return vplat_val_vq_add(s->rx, b, 1, 2, p);
}

static enum vplat_result rx_messages(struct vplat_test_ctx *t)
{
	struct sd s;
	uint32_t id, pb;
	enum vplat_result r = io_ready(t, &s, VPLAT_VIRTIO_SND_D_INPUT, 4, &id, &pb);
	if (r != VPLAT_PASS)
		return r;
	uint8_t *buf[3];
	for (unsigned k = 0; k < 3; k++)
		if (rx_add(t, &s, id, pb, &buf[k]))
			return vplat_t_error(t, "rx add failed");
	vplat_val_vq_kick(s.rx);
	VPLAT_T_CHECK_MSG(t, 1, quiet_for(t, s.rx, 2 * PERIOD_MS, NULL),
			  "no rx message completed before START", "a message came back");
	uint64_t t0;
	r = started(t, &s, id, &t0);
	if (r != VPLAT_PASS)
		return r;
	static const struct period_cps cps = {.done = 2, .order = 3, .early = 6, .status = 4};
	for (unsigned k = 0; k < 3; k++) {
		r = period_done(t, s.rx, true, k, t0, buf[k], buf[k] + pb, pb + 8u, &cps);
		if (r != VPLAT_PASS)
			return r;
		VPLAT_T_CHECK_MSG(t, 5, !all_of(buf[k], pb, 0x5a), "the payload holds recorded frames",
				  "message %u: still the 0x5a fill", k);
	}
	(void)pcm(t, &s, R(PCM_STOP), id);
	(void)pcm(t, &s, R(PCM_RELEASE), id);
	return VPLAT_PASS;
}
VPLAT_TEST(sound_rx_messages, "VPLAT-SND-009", "devicenormative:Device Types / Sound Device / Device Operation / PCM Input Stream", VPLAT_VIRTIO_ID_SOUND, 0, "three rx messages of one period each on an input stream the host feeds: none before START, each completed full (used length = period bytes + 8, status OK), in order, none before its frames' time", rx_messages);

/* The connected state of every jack (at most 64) into @p conn; false when JACK_INFO fails. */
static bool jack_states(struct vplat_test_ctx *t, struct sd *s, uint8_t *conn)
{
	uint32_t n = s->jacks < 64 ? s->jacks : 64, sz = sizeof(struct vplat_virtio_snd_jack_info);
	uint32_t used;
	uint8_t b[4 + 64 * sizeof(struct vplat_virtio_snd_jack_info)]; /* ctl() copies into it */
	if (query(t, s, R(JACK_INFO), 0, n, sz, b, 4 + n * sz, &used) != S(OK))
		return false;
	for (uint32_t i = 0; i < n; i++) {
		struct vplat_virtio_snd_jack_info j;
		memcpy(&j, b + 4 + i * sz, sizeof(j));
		conn[i] = j.connected;
	}
	return true;
}

static enum vplat_result jack_host_change(struct vplat_test_ctx *t)
{
	struct sd s;
	enum vplat_result r = sd_up(t, &s);
	if (r != VPLAT_PASS)
		return r;
	if (s.jacks == 0)
		return vplat_t_skip(t, "the device has no jacks");
	uint32_t n = s.jacks < 64 ? s.jacks : 64;
	uint8_t *ev[4];
	for (unsigned k = 0; k < 4; k++) {
		ev[k] = dmab(t, 8);
		if (!ev[k])
			return vplat_t_error(t, "no DMA memory");
		memset(ev[k], 0x5a, 8);
		struct vplat_val_buf b = {.ptr = ev[k], .len = 8};
		if (vplat_val_vq_add(s.ev, &b, 0, 1, ev[k]))
			return vplat_t_error(t, "event buffer add failed");
	}
	vplat_val_vq_kick(s.ev);
	uint8_t before[64], now[64];
	if (!jack_states(t, &s, before))
		return vplat_t_error(t, "JACK_INFO failed");
	/* Wait for the host to change a jack: an event, or (a device that does not report it)
	 * a changed JACK_INFO. */
	void *tok = NULL;
	bool got = false, changed = false;
	while (!got && !changed && !vplat_t_expired(t)) {
		got = !quiet_for(t, s.ev, 50, &tok);
		if (!got) {
			if (!jack_states(t, &s, now))
				return vplat_t_error(t, "JACK_INFO failed");
			changed = memcmp(before, now, n) != 0;
		}
	}
	if (!got && !changed)
		return vplat_t_skip(t, "no jack changed on the host side while the test waited");
	if (!got) {
		/* JACK_INFO answered after the change: its event is due in the next buffer */
		uint32_t len;
		got = wait_used(t, s.ev, &tok, &len) == 0;
	}
	VPLAT_T_CHECK_MSG(t, 1, got, "a host-side jack change reported on the eventq",
			  "JACK_INFO changed, no event came");
	vplat_le32 code, data;
	memcpy(&code, tok, 4);
	memcpy(&data, (uint8_t *)tok + 4, 4);
	uint32_t jack = le32v(data);
	VPLAT_T_CHECK_MSG(t, 2,
			  (le32v(code) == E(JACK_CONNECTED) || le32v(code) == E(JACK_DISCONNECTED)) &&
			      jack < n,
			  "a JACK_CONNECTED or JACK_DISCONNECTED event naming a jack",
			  "event code 0x%x data %u (jacks %u)", le32v(code), jack, n);
	if (!jack_states(t, &s, now))
		return vplat_t_error(t, "JACK_INFO failed");
	bool conn = le32v(code) == E(JACK_CONNECTED);
	VPLAT_T_CHECK_MSG(t, 3, now[jack] == (conn ? 1 : 0),
			  "the jack's information shows the state the event reported",
			  "jack %u: event %s, JACK_INFO connected %u", jack,
			  conn ? "CONNECTED" : "DISCONNECTED", now[jack]);
	return VPLAT_PASS;
}
VPLAT_TEST(sound_jack_host_change, "VPLAT-SND-013", "sec:Device Types / Sound Device / Device Operation / Jack Control Messages", VPLAT_VIRTIO_ID_SOUND, 0, "a jack the host connects or disconnects: a JACK_CONNECTED/DISCONNECTED event with its ID, and JACK_INFO then shows that state", jack_host_change);
