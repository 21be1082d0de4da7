/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * WAV file host ends of the sound device: a sink per output stream, a source per input
 * stream (vplat/host/snd_host.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "vplat/error.h"
#include "vplat/host/snd_host.h"

#define WAV_HDR 44u

struct wav_stream {
	char path[PATH_MAX];
	int fd;              /* -1: closed */
	bool sink, source, loop;
	struct vplat_snd_params p;
	bool have_p;
	uint64_t data_bytes; /* sink: bytes of frames written */
	/* source: */
	uint16_t tag, channels, bits;
	uint32_t rate;
	uint64_t data_off, data_len, pos;
};

struct vplat_snd_wav {
	struct wav_stream s[VPLAT_SND_MAX_STREAMS];
};

static void put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *b, uint32_t v)
{
	put16(b, (uint16_t)v);
	put16(b + 2, (uint16_t)(v >> 16));
}

static uint16_t get16(const uint8_t *b)
{
	return (uint16_t)(b[0] | (b[1] << 8));
}

static uint32_t get32(const uint8_t *b)
{
	return (uint32_t)get16(b) | ((uint32_t)get16(b + 2) << 16);
}

/* WAVE format tag of a virtio format: 1 PCM, 3 IEEE float, 0 none. */
static uint16_t wav_tag(uint8_t format)
{
	switch (format) {
	case VPLAT_VIRTIO_SND_PCM_FMT_U8:
	case VPLAT_VIRTIO_SND_PCM_FMT_S16:
	case VPLAT_VIRTIO_SND_PCM_FMT_S24_3:
	case VPLAT_VIRTIO_SND_PCM_FMT_S32:
		return 1;
	case VPLAT_VIRTIO_SND_PCM_FMT_FLOAT:
		return 3;
	default:
		return 0;
	}
}

static int write_all(int fd, const void *buf, size_t len, off_t off)
{
	const uint8_t *p = buf;
	while (len) {
		ssize_t n = off >= 0 ? pwrite(fd, p, len, off) : write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return VPLAT_EIO;
		p += n;
		len -= (size_t)n;
		if (off >= 0)
			off += n;
	}
	return 0;
}

static int sink_header(struct wav_stream *s)
{
	uint8_t h[WAV_HDR];
	uint64_t data = s->data_bytes > 0xffffffffu - 36u ? 0xffffffffu - 36u : s->data_bytes;
	memcpy(h, "RIFF", 4);
	put32(h + 4, (uint32_t)(36u + data));
	memcpy(h + 8, "WAVEfmt ", 8);
	put32(h + 16, 16);
	put16(h + 20, wav_tag(s->p.format));
	put16(h + 22, s->p.channels);
	put32(h + 24, s->p.rate_hz);
	put32(h + 28, s->p.rate_hz * s->p.frame_bytes);
	put16(h + 32, (uint16_t)s->p.frame_bytes);
	put16(h + 34, (uint16_t)(s->p.sample_bytes * 8u));
	memcpy(h + 36, "data", 4);
	put32(h + 40, (uint32_t)data);
	return write_all(s->fd, h, sizeof(h), 0);
}

static struct wav_stream *st(void *host, uint32_t id)
{
	struct vplat_snd_wav *w = host;
	return id < VPLAT_SND_MAX_STREAMS ? &w->s[id] : NULL;
}

static int wav_set_params(void *host, uint32_t id, const struct vplat_snd_params *p)
{
	struct wav_stream *s = st(host, id);
	if (!s)
		return VPLAT_EINVAL;
	if (s->sink) {
		if (!wav_tag(p->format))
			return VPLAT_ENOTSUP;
		if (s->fd >= 0 && s->have_p &&
		    (s->p.format != p->format || s->p.rate != p->rate ||
		     s->p.channels != p->channels)) {
			(void)sink_header(s); /* a new layout: the file starts anew */
			close(s->fd);
			s->fd = -1;
		}
	} else if (s->source) {
		if (p->channels != s->channels || p->rate_hz != s->rate ||
		    p->sample_bytes * 8u != s->bits || wav_tag(p->format) != s->tag)
			return VPLAT_ENOTSUP;
	}
	s->p = *p;
	s->have_p = true;
	return 0;
}

static int wav_prepare(void *host, uint32_t id)
{
	struct wav_stream *s = st(host, id);
	if (!s || !s->sink || s->fd >= 0)
		return 0;
	s->fd = open(s->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (s->fd < 0)
		return VPLAT_EIO;
	s->data_bytes = 0;
	return sink_header(s);
}

static int wav_finish(void *host, uint32_t id)
{
	struct wav_stream *s = st(host, id);
	if (!s || !s->sink || s->fd < 0)
		return 0;
	return sink_header(s);
}

static int wav_write(void *host, uint32_t id, const void *data, size_t len)
{
	struct wav_stream *s = st(host, id);
	if (!s || !s->sink || s->fd < 0)
		return VPLAT_EIO;
	int rc = write_all(s->fd, data, len, (off_t)(WAV_HDR + s->data_bytes));
	if (rc == 0)
		s->data_bytes += len;
	return rc;
}

static int wav_read(void *host, uint32_t id, void *buf, size_t len)
{
	struct wav_stream *s = st(host, id);
	if (!s || !s->source || s->fd < 0)
		return VPLAT_EIO;
	uint8_t *b = buf;
	uint8_t silence = s->bits == 8 ? 0x80 : 0;
	while (len) {
		if (s->pos >= s->data_len) {
			if (!s->loop || s->data_len == 0) {
				memset(b, silence, len);
				return 0;
			}
			s->pos = 0;
		}
		size_t n = len;
		if (n > s->data_len - s->pos)
			n = (size_t)(s->data_len - s->pos);
		ssize_t r = pread(s->fd, b, n, (off_t)(s->data_off + s->pos));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return VPLAT_EIO;
		s->pos += (uint64_t)r;
		b += r;
		len -= (size_t)r;
	}
	return 0;
}

const struct vplat_snd_host_ops vplat_snd_host_wav = {
	.set_params = wav_set_params,
	.prepare = wav_prepare,
	.stop = wav_finish,
	.release = wav_finish,
	.write = wav_write,
	.read = wav_read,
};

struct vplat_snd_wav *vplat_snd_wav_new(void)
{
	struct vplat_snd_wav *w = calloc(1, sizeof(*w));
	if (w)
		for (unsigned i = 0; i < VPLAT_SND_MAX_STREAMS; i++)
			w->s[i].fd = -1;
	return w;
}

int vplat_snd_wav_set_sink(struct vplat_snd_wav *w, uint32_t stream, const char *path)
{
	if (!w || !path || stream >= VPLAT_SND_MAX_STREAMS || strlen(path) >= PATH_MAX)
		return VPLAT_EINVAL;
	struct wav_stream *s = &w->s[stream];
	if (s->sink || s->source)
		return VPLAT_EBUSY;
	strcpy(s->path, path);
	s->sink = true;
	return 0;
}

int vplat_snd_wav_set_source(struct vplat_snd_wav *w, uint32_t stream, const char *path,
			     bool loop)
{
	if (!w || !path || stream >= VPLAT_SND_MAX_STREAMS || strlen(path) >= PATH_MAX)
		return VPLAT_EINVAL;
	struct wav_stream *s = &w->s[stream];
	if (s->sink || s->source)
		return VPLAT_EINVAL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return VPLAT_EIO;
	uint8_t h[12];
	if (pread(fd, h, 12, 0) != 12 || memcmp(h, "RIFF", 4) || memcmp(h + 8, "WAVE", 4)) {
		close(fd);
		return VPLAT_ENOTSUP;
	}
	off_t off = 12;
	bool fmt = false;
	for (int guard = 0; guard < 64; guard++) {
		uint8_t c[24];
		if (pread(fd, c, 8, off) != 8)
			break;
		uint32_t len = get32(c + 4);
		if (!memcmp(c, "fmt ", 4)) {
			if (len < 16 || pread(fd, c + 8, 16, off + 8) != 16)
				break;
			s->tag = get16(c + 8);
			s->channels = get16(c + 10);
			s->rate = get32(c + 12);
			s->bits = get16(c + 22);
			fmt = true;
		} else if (!memcmp(c, "data", 4) && fmt) {
			s->data_off = (uint64_t)off + 8u;
			s->data_len = len;
			s->fd = fd;
			s->source = true;
			s->loop = loop;
			struct vplat_snd_stream_config sc;
			if (vplat_snd_wav_source_stream(w, stream, &sc) != 0) {
				s->source = false;
				s->fd = -1;
				close(fd);
				return VPLAT_ENOTSUP;
			}
			return 0;
		}
		off += 8 + (off_t)len + (off_t)(len & 1u);
	}
	close(fd);
	return VPLAT_ENOTSUP;
}

int vplat_snd_wav_source_stream(const struct vplat_snd_wav *w, uint32_t stream,
				struct vplat_snd_stream_config *out)
{
	if (!w || !out || stream >= VPLAT_SND_MAX_STREAMS || !w->s[stream].source)
		return VPLAT_EINVAL;
	const struct wav_stream *s = &w->s[stream];
	int fmt = -1;
	if (s->tag == 1 && s->bits == 8)
		fmt = VPLAT_VIRTIO_SND_PCM_FMT_U8;
	else if (s->tag == 1 && s->bits == 16)
		fmt = VPLAT_VIRTIO_SND_PCM_FMT_S16;
	else if (s->tag == 1 && s->bits == 24)
		fmt = VPLAT_VIRTIO_SND_PCM_FMT_S24_3;
	else if (s->tag == 1 && s->bits == 32)
		fmt = VPLAT_VIRTIO_SND_PCM_FMT_S32;
	else if (s->tag == 3 && s->bits == 32)
		fmt = VPLAT_VIRTIO_SND_PCM_FMT_FLOAT;
	int rate = -1;
	for (uint8_t r = 0; r < VPLAT_VIRTIO_SND_PCM_RATE_COUNT; r++)
		if (vplat_snd_rate_hz(r) == s->rate)
			rate = r;
	if (fmt < 0 || rate < 0 || s->channels == 0 || s->channels > 255)
		return VPLAT_EINVAL;
	*out = (struct vplat_snd_stream_config){.direction = VPLAT_VIRTIO_SND_D_INPUT,
						.channels_min = (uint8_t)s->channels,
						.channels_max = (uint8_t)s->channels,
						.formats = UINT64_C(1) << fmt,
						.rates = UINT64_C(1) << rate};
	return 0;
}

uint64_t vplat_snd_wav_frames(const struct vplat_snd_wav *w, uint32_t stream)
{
	if (!w || stream >= VPLAT_SND_MAX_STREAMS || !w->s[stream].sink ||
	    !w->s[stream].p.frame_bytes)
		return 0;
	return w->s[stream].data_bytes / w->s[stream].p.frame_bytes;
}

void vplat_snd_wav_free(struct vplat_snd_wav *w)
{
	if (!w)
		return;
	for (unsigned i = 0; i < VPLAT_SND_MAX_STREAMS; i++) {
		struct wav_stream *s = &w->s[i];
		if (s->fd < 0)
			continue;
		if (s->sink)
			(void)sink_header(s);
		close(s->fd);
	}
	free(w);
}
