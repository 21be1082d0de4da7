/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sound device (sec: Device Types / Sound Device). Freestanding.
 *
 * Control requests are answered as they are popped. I/O messages are parsed and held in a
 * slot per message (tx and rx pools); vplat_snd_tick() completes them at the rate of their
 * stream, oldest first per stream. Nothing the guest writes is trusted: every length, ID,
 * code and state is checked before use.
 */
#include <string.h>
#include "vplat/error.h"
#include "vplat/snd.h"

#define VQ_CTL VPLAT_VIRTIO_SND_VQ_CONTROL
#define VQ_EVT VPLAT_VIRTIO_SND_VQ_EVENT
#define VQ_TX  VPLAT_VIRTIO_SND_VQ_TX
#define VQ_RX  VPLAT_VIRTIO_SND_VQ_RX

#define S_OK       VPLAT_VIRTIO_SND_S_OK
#define S_BAD_MSG  VPLAT_VIRTIO_SND_S_BAD_MSG
#define S_NOT_SUPP VPLAT_VIRTIO_SND_S_NOT_SUPP
#define S_IO_ERR   VPLAT_VIRTIO_SND_S_IO_ERR

#define HDR_LEN    ((uint32_t)sizeof(struct vplat_virtio_snd_hdr))
#define XFER_LEN   ((uint32_t)sizeof(struct vplat_virtio_snd_pcm_xfer))
#define STATUS_LEN ((uint32_t)sizeof(struct vplat_virtio_snd_pcm_status))
#define CTL_SEGS   8u
/* Largest per-item size a query may ask for (the structures are 32 bytes or less; the size
 * field exists for future growth). */
#define INFO_SIZE_MAX 256u

static const uint32_t rate_table[VPLAT_VIRTIO_SND_PCM_RATE_COUNT] = {
	5512u, 8000u, 11025u, 16000u, 22050u, 32000u, 44100u,
	48000u, 64000u, 88200u, 96000u, 176400u, 192000u, 384000u};

static const uint8_t format_bits[VPLAT_VIRTIO_SND_PCM_FMT_COUNT] = {
	4u, 8u, 8u, 8u, 8u, 16u, 16u, 24u, 24u, 24u, 24u, 24u, 24u,
	32u, 32u, 32u, 32u, 32u, 32u, 32u, 64u, 8u, 16u, 32u, 32u};

uint32_t vplat_snd_rate_hz(uint8_t rate)
{
	return (rate < VPLAT_VIRTIO_SND_PCM_RATE_COUNT) ? rate_table[rate] : 0u;
}

uint32_t vplat_snd_format_bits(uint8_t format)
{
	return (format < VPLAT_VIRTIO_SND_PCM_FMT_COUNT) ? format_bits[format] : 0u;
}

/* ---- I/O messages ----------------------------------------------------------------------- */

/* Pool of a stream direction: tx (output) 0, rx (input) 1. */
static unsigned pool_of(uint8_t direction)
{
	return (direction == VPLAT_VIRTIO_SND_D_INPUT) ? 1u : 0u;
}

static struct vplat_vq *pool_vq(struct vplat_snd *d, unsigned pool)
{
	return &d->vqs[(pool == 0u) ? VQ_TX : VQ_RX];
}

/* Complete an I/O chain: the status is the last STATUS_LEN bytes of the writable part. An
 * rx message that succeeded also reports its payload as written. */
static void io_push(struct vplat_snd *d, unsigned pool, const struct vplat_chain *c,
		    uint32_t status, uint32_t latency, uint32_t payload)
{
	uint32_t w = 0;
	if ((c->write_len >= STATUS_LEN) && (c->write_len <= (uint64_t)UINT32_MAX)) {
		struct vplat_virtio_snd_pcm_status st = {.status = vplat_cpu_to_le32(status),
							 .latency_bytes = vplat_cpu_to_le32(latency)};
		uint32_t off = (uint32_t)c->write_len - STATUS_LEN;
		(void)vplat_chain_write(c, off, &st, sizeof(st));
		w = STATUS_LEN + ((status == S_OK) ? payload : 0u);
	}
	if (status == S_OK)
		d->stats.io_done++;
	else
		d->stats.io_errors++;
	(void)vplat_vq_push(pool_vq(d, pool), c, w);
}

/* Oldest held message of @p stream, or NULL. */
static struct vplat_snd_io *io_head(struct vplat_snd *d, uint32_t stream)
{
	unsigned pool = pool_of(d->streams[stream].direction);
	struct vplat_snd_io *best = NULL;
	for (unsigned i = 0; i < VPLAT_SND_PENDING_MAX; i++) {
		struct vplat_snd_io *m = &d->io[pool][i];
		if (m->busy && (m->stream == stream) &&
		    ((best == NULL) || ((int32_t)(m->seq - best->seq) < 0)))
			best = m;
	}
	return best;
}

/* Nanoseconds it takes to play or record @p bytes of @p s. */
static uint64_t io_duration(const struct vplat_snd_pcm *s, uint32_t bytes)
{
	uint64_t per_s = (uint64_t)s->p.frame_bytes * s->p.rate_hz;
	return (per_s == 0u) ? 0u : (((uint64_t)bytes * 1000000000u) / per_s);
}

/* Move the payload of an output message to the host end, segment by segment. */
static int io_play(struct vplat_snd *d, const struct vplat_snd_io *m)
{
	const struct vplat_chain *c = &m->chain;
	size_t skip = XFER_LEN;
	for (uint32_t i = 0; i < c->nread; i++) {
		const struct vplat_iov *v = &c->iov[i];
		if (v->len <= skip) {
			skip -= v->len;
			continue;
		}
		const uint8_t *p = (const uint8_t *)v->base + skip;
		size_t n = v->len - skip;
		skip = 0;
		int rc = d->host->write(d->host_opaque, m->stream, p, n);
		if (rc < 0)
			return rc;
		d->stats.bytes_played += n;
	}
	return 0;
}

/* Fill the payload of an input message from the host end, segment by segment. */
static int io_record(struct vplat_snd *d, const struct vplat_snd_io *m)
{
	const struct vplat_chain *c = &m->chain;
	size_t left = m->bytes;
	for (uint32_t i = c->nread; (i < (c->nread + c->nwrite)) && (left > 0u); i++) {
		const struct vplat_iov *v = &c->iov[i];
		size_t n = (v->len < left) ? v->len : left;
		int rc = d->host->read(d->host_opaque, m->stream, v->base, n);
		if (rc < 0)
			return rc;
		d->stats.bytes_recorded += n;
		left -= n;
	}
	return 0;
}

/* Release a slot and complete its message. @p play: run it through the host end first. */
static void io_finish(struct vplat_snd *d, struct vplat_snd_io *m, bool play)
{
	struct vplat_snd_pcm *s = &d->pcm[m->stream];
	unsigned pool = pool_of(d->streams[m->stream].direction);
	uint32_t status = S_OK;
	uint32_t payload = 0;
	if (play) {
		int rc = (pool == 0u) ? io_play(d, m) : io_record(d, m);
		if (rc < 0)
			status = S_IO_ERR;
		payload = (pool == 1u) ? m->bytes : 0u;
	}
	m->busy = false;
	s->held--;
	s->held_bytes -= m->bytes;
	uint64_t lat = s->held_bytes;
	io_push(d, pool, &m->chain, status, (lat > UINT32_MAX) ? UINT32_MAX : (uint32_t)lat,
		payload);
}

/* Parse one popped I/O message of @p pool (held in slot @p m). Returns the stream it belongs
 * to and its payload size, or false for a malformed message. */
static bool io_parse(const struct vplat_snd *d, unsigned pool, struct vplat_snd_io *m)
{
	const struct vplat_chain *c = &m->chain;
	struct vplat_virtio_snd_pcm_xfer x;
	if ((c->read_len < XFER_LEN) || (c->write_len < STATUS_LEN) ||
	    (vplat_chain_read(c, 0, &x, XFER_LEN) != XFER_LEN))
		return false;
	uint32_t id = vplat_le32_to_cpu(x.stream_id);
	if ((id >= d->nstreams) || (pool_of(d->streams[id].direction) != pool))
		return false;
	const struct vplat_snd_pcm *s = &d->pcm[id];
	if ((s->state != VPLAT_SND_STATE_PREPARED) && (s->state != VPLAT_SND_STATE_STARTED) &&
	    (s->state != VPLAT_SND_STATE_STOPPED))
		return false;
	uint64_t bytes;
	if (pool == 0u) {
		if (c->write_len != STATUS_LEN)
			return false; /* a device-writable payload on tx */
		bytes = c->read_len - XFER_LEN;
	} else {
		if (c->read_len != XFER_LEN)
			return false; /* a device-readable payload on rx */
		bytes = c->write_len - STATUS_LEN;
	}
	if (bytes > (uint64_t)UINT32_MAX)
		return false;
	m->stream = id;
	m->bytes = (uint32_t)bytes;
	return true;
}

static struct vplat_snd_io *io_free_slot(struct vplat_snd *d, unsigned pool)
{
	for (unsigned i = 0; i < VPLAT_SND_PENDING_MAX; i++)
		if (!d->io[pool][i].busy)
			return &d->io[pool][i];
	return NULL;
}

static void io_process(struct vplat_snd *d, unsigned pool)
{
	struct vplat_vq *vq = pool_vq(d, pool);
	struct vplat_snd_io spare;
	for (;;) {
		struct vplat_snd_io *m = io_free_slot(d, pool);
		bool held = (m != NULL);
		if (!held)
			m = &spare; /* no slot: pop it into the spare and fail it */
		m->chain = (struct vplat_chain){.iov = m->iov, .iov_cap = VPLAT_SND_IO_SEGS};
		int rc = vplat_vq_pop(vq, &m->chain);
		if ((rc != 0) && (rc != VPLAT_E2BIG))
			break;
		if ((rc == VPLAT_E2BIG) || !held || !io_parse(d, pool, m)) {
			if (rc == VPLAT_E2BIG) {
				m->chain.write_len = 0; /* unmapped: nothing can be written */
				m->chain.nread = 0;
				m->chain.nwrite = 0;
			}
			io_push(d, pool, &m->chain, S_IO_ERR, 0, 0);
			continue;
		}
		struct vplat_snd_pcm *s = &d->pcm[m->stream];
		m->busy = true;
		m->seq = d->seq++;
		s->held++;
		s->held_bytes += m->bytes;
	}
	(void)vplat_vq_interrupt(vq);
}

/* Complete every held message of @p stream without playing it (RELEASE, reset). */
static void io_flush_stream(struct vplat_snd *d, uint32_t stream)
{
	for (struct vplat_snd_io *m = io_head(d, stream); m != NULL; m = io_head(d, stream))
		io_finish(d, m, false);
	d->pcm[stream].anchored = false;
	(void)vplat_vq_interrupt(pool_vq(d, pool_of(d->streams[stream].direction)));
}

static void interval_note(struct vplat_snd *d, struct vplat_snd_pcm *s, uint64_t t)
{
	if (s->last_ns != 0u && t >= s->last_ns) {
		uint64_t us = (t - s->last_ns) / 1000u;
		struct vplat_snd_stats *st = &d->stats;
		if ((st->intervals == 0u) || (us < st->interval_min_us))
			st->interval_min_us = us;
		if (us > st->interval_max_us)
			st->interval_max_us = us;
		st->intervals++;
		st->interval_sum_us += us;
		st->interval_sumsq_us += us * us;
	}
	s->last_ns = t;
}

void vplat_snd_tick(struct vplat_snd *d, uint64_t now_ns)
{
	bool done[2] = {false, false};
	for (uint32_t id = 0; id < d->nstreams; id++) {
		struct vplat_snd_pcm *s = &d->pcm[id];
		if (s->state != VPLAT_SND_STATE_STARTED)
			continue;
		struct vplat_snd_io *m = io_head(d, id);
		if ((m != NULL) && !s->anchored) {
			s->anchored = true;
			s->next_ns = now_ns + io_duration(s, m->bytes);
		}
		/* Bounded: each turn completes one held message. */
		while ((m != NULL) && s->anchored && (now_ns >= s->next_ns)) {
			uint64_t t = s->next_ns;
			io_finish(d, m, true);
			interval_note(d, s, now_ns); /* when the driver is told, not the schedule */
			done[pool_of(d->streams[id].direction)] = true;
			m = io_head(d, id);
			if (m != NULL)
				s->next_ns = t + io_duration(s, m->bytes);
			else
				s->anchored = false; /* starved: the next message starts anew */
		}
	}
	for (unsigned p = 0; p < 2u; p++)
		if (done[p])
			(void)vplat_vq_interrupt(pool_vq(d, p));
}

uint64_t vplat_snd_next_deadline(const struct vplat_snd *d)
{
	uint64_t t = UINT64_MAX;
	for (uint32_t id = 0; id < d->nstreams; id++) {
		const struct vplat_snd_pcm *s = &d->pcm[id];
		if ((s->state != VPLAT_SND_STATE_STARTED) || (s->held == 0u))
			continue;
		uint64_t due = s->anchored ? s->next_ns : 0u;
		if (due < t)
			t = due;
	}
	return t;
}

/* ---- events ----------------------------------------------------------------------------- */

static void ev_flush(struct vplat_snd *d)
{
	struct vplat_vq *vq = &d->vqs[VQ_EVT];
	bool any = false;
	while (d->nev > 0u) {
		struct vplat_iov iov[2];
		struct vplat_chain c = {.iov = iov, .iov_cap = 2};
		int rc = vplat_vq_pop(vq, &c);
		if ((rc != 0) && (rc != VPLAT_E2BIG))
			break;
		uint32_t w = 0;
		if ((rc == 0) && (c.read_len == 0u) && (c.write_len >= sizeof(d->ev[0]))) {
			(void)vplat_chain_write(&c, 0, &d->ev[0], sizeof(d->ev[0]));
			w = (uint32_t)sizeof(d->ev[0]);
			d->stats.events++;
			d->nev--;
			(void)memmove(&d->ev[0], &d->ev[1], d->nev * sizeof(d->ev[0]));
		} /* else a malformed event buffer: given back empty, the event waits */
		(void)vplat_vq_push(vq, &c, w);
		any = true;
	}
	if (any)
		(void)vplat_vq_interrupt(vq);
}

static void ev_post(struct vplat_snd *d, uint32_t code, uint32_t data)
{
	if (d->nev == VPLAT_SND_EVENTS_MAX) {
		d->nev--; /* drop the oldest */
		(void)memmove(&d->ev[0], &d->ev[1], d->nev * sizeof(d->ev[0]));
		d->stats.events_dropped++;
	}
	d->ev[d->nev].hdr.code = vplat_cpu_to_le32(code);
	d->ev[d->nev].data = vplat_cpu_to_le32(data);
	d->nev++;
	if (vplat_device_is_live(&d->dev))
		ev_flush(d);
}

int vplat_snd_jack_set(struct vplat_snd *d, uint32_t jack, bool connected)
{
	if ((d == NULL) || (jack >= d->njacks))
		return VPLAT_EINVAL;
	if (d->jacks[jack].connected == connected)
		return 0;
	d->jacks[jack].connected = connected;
	ev_post(d, connected ? VPLAT_VIRTIO_SND_EVT_JACK_CONNECTED
			     : VPLAT_VIRTIO_SND_EVT_JACK_DISCONNECTED, jack);
	return 0;
}

/* ---- control requests ------------------------------------------------------------------- */

/* Write the information structure of item @p id of the kind @p code at @p off of the chain's
 * writable part; returns its size. */
static uint32_t info_fill(const struct vplat_snd *d, uint32_t code, uint32_t id,
			  const struct vplat_chain *c, size_t off)
{
	if (code == VPLAT_VIRTIO_SND_R_JACK_INFO) {
		const struct vplat_snd_jack_config *j = &d->jacks[id];
		struct vplat_virtio_snd_jack_info i;
		(void)memset(&i, 0, sizeof(i));
		i.hdr.hda_fn_nid = vplat_cpu_to_le32(j->hda_fn_nid);
		i.hda_reg_defconf = vplat_cpu_to_le32(j->hda_reg_defconf);
		i.hda_reg_caps = vplat_cpu_to_le32(j->hda_reg_caps);
		i.connected = j->connected ? 1u : 0u;
		(void)vplat_chain_write(c, off, &i, sizeof(i));
		return (uint32_t)sizeof(i);
	}
	if (code == VPLAT_VIRTIO_SND_R_PCM_INFO) {
		const struct vplat_snd_stream_config *s = &d->streams[id];
		struct vplat_virtio_snd_pcm_info i;
		(void)memset(&i, 0, sizeof(i));
		i.hdr.hda_fn_nid = vplat_cpu_to_le32(s->hda_fn_nid);
		i.formats = vplat_cpu_to_le64(s->formats);
		i.rates = vplat_cpu_to_le64(s->rates);
		i.direction = s->direction;
		i.channels_min = s->channels_min;
		i.channels_max = s->channels_max;
		(void)vplat_chain_write(c, off, &i, sizeof(i));
		return (uint32_t)sizeof(i);
	}
	const struct vplat_snd_chmap_config *m = &d->chmaps[id];
	struct vplat_virtio_snd_chmap_info i;
	(void)memset(&i, 0, sizeof(i));
	i.hdr.hda_fn_nid = vplat_cpu_to_le32(m->hda_fn_nid);
	i.direction = m->direction;
	i.channels = m->channels;
	for (uint32_t k = 0; k < VPLAT_VIRTIO_SND_CHMAP_MAX_SIZE; k++)
		i.positions[k] = m->positions[k];
	(void)vplat_chain_write(c, off, &i, sizeof(i));
	return (uint32_t)sizeof(i);
}

/* An item information request (sec: Item Information Request). Writes the items after the
 * status header; returns the status and sets *w to the bytes written including the header. */
static uint32_t ctl_query(const struct vplat_snd *d, const struct vplat_chain *c, uint32_t code,
			  uint32_t *w)
{
	struct vplat_virtio_snd_query_info q;
	if ((c->read_len < sizeof(q)) || (vplat_chain_read(c, 0, &q, sizeof(q)) != sizeof(q)))
		return S_BAD_MSG;
	uint32_t start = vplat_le32_to_cpu(q.start_id);
	uint32_t count = vplat_le32_to_cpu(q.count);
	uint32_t size = vplat_le32_to_cpu(q.size);
	uint32_t n = (code == VPLAT_VIRTIO_SND_R_JACK_INFO) ? d->njacks
		     : (code == VPLAT_VIRTIO_SND_R_PCM_INFO) ? d->nstreams : d->nchmaps;
	uint32_t need = (code == VPLAT_VIRTIO_SND_R_JACK_INFO)
				? (uint32_t)sizeof(struct vplat_virtio_snd_jack_info)
			: (code == VPLAT_VIRTIO_SND_R_PCM_INFO)
				? (uint32_t)sizeof(struct vplat_virtio_snd_pcm_info)
				: (uint32_t)sizeof(struct vplat_virtio_snd_chmap_info);
	if ((start > n) || (count > (n - start)) || (size < need) || (size > INFO_SIZE_MAX))
		return S_BAD_MSG;
	uint64_t total = (uint64_t)HDR_LEN + ((uint64_t)count * size);
	if (c->write_len < total)
		return S_BAD_MSG;
	static const uint8_t zero[INFO_SIZE_MAX];
	for (uint32_t k = 0; k < count; k++) {
		size_t off = (size_t)HDR_LEN + ((size_t)k * size);
		uint32_t len = info_fill(d, code, start + k, c, off);
		(void)vplat_chain_write(c, off + len, zero, (size_t)size - len);
	}
	*w = (uint32_t)total;
	return S_OK;
}

/* Check SET_PARAMS against the stream's advertised sets; fill *p. */
static bool params_check(const struct vplat_snd_stream_config *sc,
			 const struct vplat_virtio_snd_pcm_set_params *r, struct vplat_snd_params *p)
{
	uint32_t buffer = vplat_le32_to_cpu(r->buffer_bytes);
	uint32_t period = vplat_le32_to_cpu(r->period_bytes);
	if (vplat_le32_to_cpu(r->features) != 0u)
		return false; /* no PCM feature is advertised */
	if ((r->format >= 64u) || ((sc->formats & ((uint64_t)1u << r->format)) == 0u))
		return false;
	if ((r->rate >= 64u) || ((sc->rates & ((uint64_t)1u << r->rate)) == 0u))
		return false;
	if ((r->channels < sc->channels_min) || (r->channels > sc->channels_max))
		return false;
	if ((period == 0u) || (buffer == 0u) || ((buffer % period) != 0u))
		return false;
	p->buffer_bytes = buffer;
	p->period_bytes = period;
	p->channels = r->channels;
	p->format = r->format;
	p->rate = r->rate;
	p->rate_hz = vplat_snd_rate_hz(r->rate);
	p->sample_bytes = vplat_snd_format_bits(r->format) / 8u;
	p->frame_bytes = p->sample_bytes * r->channels;
	return true;
}

/* A PCM command (sec: PCM Control Messages): lifecycle check, host end, new state. */
static uint32_t ctl_pcm(struct vplat_snd *d, const struct vplat_chain *c, uint32_t code)
{
	struct vplat_virtio_snd_pcm_hdr h;
	if ((c->read_len < sizeof(h)) || (vplat_chain_read(c, 0, &h, sizeof(h)) != sizeof(h)))
		return S_BAD_MSG;
	uint32_t id = vplat_le32_to_cpu(h.stream_id);
	if (id >= d->nstreams)
		return S_BAD_MSG;
	struct vplat_snd_pcm *s = &d->pcm[id];
	const struct vplat_snd_host_ops *ho = d->host;
	enum vplat_snd_state st = s->state;
	switch (code) {
	case VPLAT_VIRTIO_SND_R_PCM_SET_PARAMS: {
		struct vplat_virtio_snd_pcm_set_params r;
		struct vplat_snd_params p;
		if ((c->read_len < sizeof(r)) ||
		    (vplat_chain_read(c, 0, &r, sizeof(r)) != sizeof(r)))
			return S_BAD_MSG;
		if ((st == VPLAT_SND_STATE_STARTED) || (st == VPLAT_SND_STATE_STOPPED))
			return S_BAD_MSG;
		if (!params_check(&d->streams[id], &r, &p))
			return S_BAD_MSG;
		if ((ho->set_params != NULL) && (ho->set_params(d->host_opaque, id, &p) < 0))
			return S_NOT_SUPP;
		/* VPLAT-SND-015: messages queued for the old parameters are completed, unplayed,
		 * before the stream leaves PREPARE (only a prepared stream holds messages). */
		if (s->held != 0u)
			io_flush_stream(d, id);
		s->p = p;
		s->has_params = true;
		s->state = VPLAT_SND_STATE_PARAMS;
		return S_OK;
	}
	case VPLAT_VIRTIO_SND_R_PCM_PREPARE:
		if (((st != VPLAT_SND_STATE_PARAMS) && (st != VPLAT_SND_STATE_PREPARED) &&
		     (st != VPLAT_SND_STATE_RELEASED)) || !s->has_params)
			return S_BAD_MSG;
		if ((ho->prepare != NULL) && (ho->prepare(d->host_opaque, id) < 0))
			return S_IO_ERR;
		s->state = VPLAT_SND_STATE_PREPARED;
		return S_OK;
	case VPLAT_VIRTIO_SND_R_PCM_START:
		if ((st != VPLAT_SND_STATE_PREPARED) && (st != VPLAT_SND_STATE_STOPPED))
			return S_BAD_MSG;
		if ((ho->start != NULL) && (ho->start(d->host_opaque, id) < 0))
			return S_IO_ERR;
		s->state = VPLAT_SND_STATE_STARTED;
		s->anchored = false;
		s->last_ns = 0;
		return S_OK;
	case VPLAT_VIRTIO_SND_R_PCM_STOP:
		if (st != VPLAT_SND_STATE_STARTED)
			return S_BAD_MSG;
		if (ho->stop != NULL)
			(void)ho->stop(d->host_opaque, id);
		s->state = VPLAT_SND_STATE_STOPPED;
		s->anchored = false;
		return S_OK;
	default: /* VPLAT_VIRTIO_SND_R_PCM_RELEASE */
		if ((st != VPLAT_SND_STATE_PREPARED) && (st != VPLAT_SND_STATE_STOPPED))
			return S_BAD_MSG;
		/* devicenormative (PCM Stream Release): complete every pending I/O message
		 * before the control request. */
		io_flush_stream(d, id);
		if (ho->release != NULL)
			(void)ho->release(d->host_opaque, id);
		s->state = VPLAT_SND_STATE_RELEASED;
		return S_OK;
	}
}

static uint32_t ctl_dispatch(struct vplat_snd *d, const struct vplat_chain *c, uint32_t *w)
{
	struct vplat_virtio_snd_hdr h;
	if ((c->read_len < HDR_LEN) || (vplat_chain_read(c, 0, &h, HDR_LEN) != HDR_LEN))
		return S_BAD_MSG;
	uint32_t code = vplat_le32_to_cpu(h.code);
	switch (code) {
	case VPLAT_VIRTIO_SND_R_JACK_INFO:
	case VPLAT_VIRTIO_SND_R_PCM_INFO:
	case VPLAT_VIRTIO_SND_R_CHMAP_INFO:
		return ctl_query(d, c, code, w);
	case VPLAT_VIRTIO_SND_R_JACK_REMAP: {
		struct vplat_virtio_snd_jack_remap r;
		if ((c->read_len < sizeof(r)) ||
		    (vplat_chain_read(c, 0, &r, sizeof(r)) != sizeof(r)) ||
		    (vplat_le32_to_cpu(r.hdr.jack_id) >= d->njacks))
			return S_BAD_MSG;
		return S_NOT_SUPP; /* no jack advertises VIRTIO_SND_JACK_F_REMAP */
	}
	case VPLAT_VIRTIO_SND_R_PCM_SET_PARAMS:
	case VPLAT_VIRTIO_SND_R_PCM_PREPARE:
	case VPLAT_VIRTIO_SND_R_PCM_RELEASE:
	case VPLAT_VIRTIO_SND_R_PCM_START:
	case VPLAT_VIRTIO_SND_R_PCM_STOP:
		return ctl_pcm(d, c, code);
	default:
		return S_NOT_SUPP;
	}
}

static void ctl_process(struct vplat_snd *d)
{
	struct vplat_vq *vq = &d->vqs[VQ_CTL];
	for (;;) {
		struct vplat_iov iov[CTL_SEGS];
		struct vplat_chain c = {.iov = iov, .iov_cap = CTL_SEGS};
		int rc = vplat_vq_pop(vq, &c);
		if ((rc != 0) && (rc != VPLAT_E2BIG))
			break;
		uint32_t w = 0;
		if (rc == 0 && c.write_len >= HDR_LEN) {
			uint32_t status = ctl_dispatch(d, &c, &w);
			if (status != S_OK)
				w = HDR_LEN; /* the items are only reported with S_OK */
			if (w < HDR_LEN)
				w = HDR_LEN;
			struct vplat_virtio_snd_hdr r = {.code = vplat_cpu_to_le32(status)};
			(void)vplat_chain_write(&c, 0, &r, sizeof(r));
			d->stats.ctl_requests++;
			if (status != S_OK)
				d->stats.ctl_errors++;
		} else {
			d->stats.ctl_requests++; /* no room for a status: given back unanswered */
			d->stats.ctl_errors++;
		}
		(void)vplat_vq_push(vq, &c, w);
	}
	(void)vplat_vq_interrupt(vq);
}

/* ---- device ops ------------------------------------------------------------------------- */

static void snd_queue_notify(struct vplat_device *dev, struct vplat_vq *vq)
{
	struct vplat_snd *d = dev->opaque;
	switch (vq->index) {
	case VQ_CTL:
		ctl_process(d);
		break;
	case VQ_EVT:
		ev_flush(d);
		break;
	case VQ_TX:
		io_process(d, 0u);
		break;
	default:
		io_process(d, 1u);
		break;
	}
}

/* Forget the held messages of @p pool (their buffers went with the queue). */
static void snd_forget_pool(struct vplat_snd *d, unsigned pool)
{
	for (unsigned i = 0; i < VPLAT_SND_PENDING_MAX; i++)
		d->io[pool][i].busy = false;
	for (uint32_t id = 0; id < d->nstreams; id++) {
		if (pool_of(d->streams[id].direction) == pool) {
			d->pcm[id].held = 0;
			d->pcm[id].held_bytes = 0;
			d->pcm[id].anchored = false;
		}
	}
}

static void snd_reset(struct vplat_device *dev)
{
	struct vplat_snd *d = dev->opaque;
	snd_forget_pool(d, 0u);
	snd_forget_pool(d, 1u);
	for (uint32_t id = 0; id < d->nstreams; id++) {
		struct vplat_snd_pcm *s = &d->pcm[id];
		if ((s->state == VPLAT_SND_STATE_STARTED) && (d->host->stop != NULL))
			(void)d->host->stop(d->host_opaque, id);
		if ((s->state != VPLAT_SND_STATE_INIT) && (s->state != VPLAT_SND_STATE_RELEASED) &&
		    (d->host->release != NULL))
			(void)d->host->release(d->host_opaque, id);
		(void)memset(s, 0, sizeof(*s));
	}
	d->nev = 0;
}

static void snd_queue_reset(struct vplat_device *dev, struct vplat_vq *vq)
{
	struct vplat_snd *d = dev->opaque;
	if (vq->index == VQ_TX)
		snd_forget_pool(d, 0u);
	else if (vq->index == VQ_RX)
		snd_forget_pool(d, 1u);
	else
		(void)0; /* control and event queues hold nothing */
}

static const struct vplat_device_ops snd_ops = {
	.name = "snd",
	.device_id = VPLAT_VIRTIO_ID_SOUND,
	.features = 0,
	.queue_notify = snd_queue_notify, /* serves synchronously; the host end must not block */
	.reset = snd_reset,
	.queue_reset = snd_queue_reset,
};

static bool stream_ok(const struct vplat_snd_stream_config *s, const struct vplat_snd_host_ops *h)
{
	uint64_t fmt_defined = ((uint64_t)1u << VPLAT_VIRTIO_SND_PCM_FMT_COUNT) - 1u;
	uint64_t rate_defined = ((uint64_t)1u << VPLAT_VIRTIO_SND_PCM_RATE_COUNT) - 1u;
	if ((s->formats == 0u) || ((s->formats & ~fmt_defined) != 0u) ||
	    ((s->formats & ((uint64_t)1u << VPLAT_VIRTIO_SND_PCM_FMT_IMA_ADPCM)) != 0u))
		return false; /* 4-bit samples have no whole frame size */
	if ((s->rates == 0u) || ((s->rates & ~rate_defined) != 0u))
		return false;
	if ((s->channels_min == 0u) || (s->channels_min > s->channels_max))
		return false;
	if (s->direction == VPLAT_VIRTIO_SND_D_OUTPUT)
		return h->write != NULL;
	if (s->direction == VPLAT_VIRTIO_SND_D_INPUT)
		return h->read != NULL;
	return false;
}

int vplat_snd_init(struct vplat_snd *d, struct vplat_mem *mem, const struct vplat_snd_config *cfg,
		   const struct vplat_snd_host_ops *host, void *host_opaque)
{
	if ((d == NULL) || (cfg == NULL) || (host == NULL) ||
	    (cfg->nstreams > VPLAT_SND_MAX_STREAMS) || (cfg->njacks > VPLAT_SND_MAX_JACKS) ||
	    (cfg->nchmaps > VPLAT_SND_MAX_CHMAPS) || ((cfg->nstreams != 0u) && !cfg->streams) ||
	    ((cfg->njacks != 0u) && !cfg->jacks) || ((cfg->nchmaps != 0u) && !cfg->chmaps))
		return VPLAT_EINVAL;
	for (uint32_t i = 0; i < cfg->nstreams; i++)
		if (!stream_ok(&cfg->streams[i], host))
			return VPLAT_EINVAL;
	for (uint32_t i = 0; i < cfg->nchmaps; i++) {
		const struct vplat_snd_chmap_config *m = &cfg->chmaps[i];
		if ((m->channels == 0u) || (m->channels > VPLAT_VIRTIO_SND_CHMAP_MAX_SIZE) ||
		    (m->direction > VPLAT_VIRTIO_SND_D_INPUT))
			return VPLAT_EINVAL;
	}
	(void)memset(d, 0, sizeof(*d));
	d->host = host;
	d->host_opaque = host_opaque;
	d->nstreams = cfg->nstreams;
	d->njacks = cfg->njacks;
	d->nchmaps = cfg->nchmaps;
	if (cfg->nstreams != 0u)
		(void)memcpy(d->streams, cfg->streams, cfg->nstreams * sizeof(d->streams[0]));
	if (cfg->njacks != 0u)
		(void)memcpy(d->jacks, cfg->jacks, cfg->njacks * sizeof(d->jacks[0]));
	if (cfg->nchmaps != 0u)
		(void)memcpy(d->chmaps, cfg->chmaps, cfg->nchmaps * sizeof(d->chmaps[0]));
	d->config.jacks = vplat_cpu_to_le32(cfg->njacks);
	d->config.streams = vplat_cpu_to_le32(cfg->nstreams);
	d->config.chmaps = vplat_cpu_to_le32(cfg->nchmaps);
	int rc = vplat_device_init(&d->dev, &snd_ops, d, mem, d->vqs, VPLAT_VIRTIO_SND_VQ_MAX, 256,
				   (uint8_t *)&d->config, (uint32_t)sizeof(d->config));
	if (rc != 0)
		return rc;
	/* Messages of different streams complete out of order. */
	return vplat_device_set_offer(&d->dev,
				      d->dev.host_features & ~VPLAT_BIT(VPLAT_VIRTIO_F_IN_ORDER));
}

struct vplat_device *vplat_snd_device(struct vplat_snd *d)
{
	return &d->dev;
}

enum vplat_snd_state vplat_snd_stream_state(const struct vplat_snd *d, uint32_t stream)
{
	return (stream < d->nstreams) ? d->pcm[stream].state : VPLAT_SND_STATE_INIT;
}

const struct vplat_snd_stats *vplat_snd_stats(const struct vplat_snd *d)
{
	return &d->stats;
}
