/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tone generator and checker of the Xen group's sound test (static arm64, no libasound).
 *   snd-tone play PCMDEV HZ SECONDS   play a sine (S16_LE, mono, 48 kHz) through the ALSA PCM
 *                                     ioctls, then drain. The buffer holds the whole tone
 *                                     (SECONDS / 50 ms periods of 2400 frames; virtio_snd
 *                                     loaded with pcm_buffer_ms=1000 pcm_periods_max=64), so
 *                                     one write fills it before the stream starts: virtio_snd
 *                                     queues every period to the device at START and the
 *                                     device reads each when it plays it, so a guest slower
 *                                     than real time (TCG) would otherwise have the device
 *                                     play periods it has not refilled yet, unseen by ALSA.
 *   snd-tone check WAV HZ SECONDS     check the recorded WAV file by content, not by time:
 *                                     header (PCM, mono, 48000 Hz, 16 bit, sizes matching the
 *                                     file); every frame the player wrote is in the file once,
 *                                     in order, the first of them first, and nothing else lies
 *                                     between the first and the last of them (no dropped,
 *                                     duplicated or inserted frame; what follows the last is
 *                                     counted as trailing, a figure);
 *                                     the tone's frequency (zero crossings) within 2 %. Prints
 *                                     one line of figures; exits 0 if all hold. With frames
 *                                     inserted (stale periods a guest underrun replays) and all
 *                                     else holding it says TONE_OK_WITH_INSERTS and exits 1.
 *   snd-tone gen WAV HZ SECONDS       write the tone as the sink would record it (self-test)
 * Each sample carries its frame index modulo 251 in its low byte (the sine in the upper
 * bits): the sine repeats every 1200 frames (11 cycles of 440 Hz), the tag every 251, so a
 * dropped or repeated stretch shorter than 301,200 frames (the tone has 96,000) changes the
 * sequence. Both ends generate the same samples (tone()).
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <sound/asound.h>

#define RATE    48000u
#define PERIOD  2400u

static void mask_only(struct snd_pcm_hw_params *p, int param, unsigned bit)
{
	struct snd_mask *m = &p->masks[param - SNDRV_PCM_HW_PARAM_FIRST_MASK];
	memset(m, 0, sizeof(*m));
	m->bits[bit / 32] = 1u << (bit % 32);
}

static void interval_exact(struct snd_pcm_hw_params *p, int param, unsigned v)
{
	struct snd_interval *i = &p->intervals[param - SNDRV_PCM_HW_PARAM_FIRST_INTERVAL];
	memset(i, 0, sizeof(*i));
	i->min = i->max = v;
	i->integer = 1;
}

/* Frame i of the tone: the sine rounded down to a multiple of 256, i mod 251 in the low byte. */
static int16_t tone(double hz, size_t i)
{
	long v = lrint(16000.0 * sin(2.0 * M_PI * hz * (double)i / RATE));
	return (int16_t)((v & ~0xffL) | (long)(i % 251u));
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int play(const char *dev, double hz, double secs)
{
	int fd = open(dev, O_RDWR);
	if (fd < 0) {
		printf("SND_PLAY_ERROR open %s: %s\n", dev, strerror(errno));
		return 1;
	}
	struct snd_pcm_hw_params p;
	memset(&p, 0, sizeof(p));
	for (int i = 0; i <= SNDRV_PCM_HW_PARAM_LAST_MASK - SNDRV_PCM_HW_PARAM_FIRST_MASK; i++)
		memset(&p.masks[i], 0xff, sizeof(p.masks[i]));
	for (int i = 0; i <= SNDRV_PCM_HW_PARAM_LAST_INTERVAL - SNDRV_PCM_HW_PARAM_FIRST_INTERVAL;
	     i++)
		p.intervals[i].max = ~0u;
	p.rmask = ~0u;
	mask_only(&p, SNDRV_PCM_HW_PARAM_ACCESS, SNDRV_PCM_ACCESS_RW_INTERLEAVED);
	mask_only(&p, SNDRV_PCM_HW_PARAM_FORMAT, SNDRV_PCM_FORMAT_S16_LE);
	mask_only(&p, SNDRV_PCM_HW_PARAM_SUBFORMAT, SNDRV_PCM_SUBFORMAT_STD);
	interval_exact(&p, SNDRV_PCM_HW_PARAM_CHANNELS, 1);
	interval_exact(&p, SNDRV_PCM_HW_PARAM_RATE, RATE);
	interval_exact(&p, SNDRV_PCM_HW_PARAM_PERIOD_SIZE, PERIOD);
	size_t total = (size_t)(secs * RATE);
	interval_exact(&p, SNDRV_PCM_HW_PARAM_PERIODS, (unsigned)((total + PERIOD - 1) / PERIOD));
	if (ioctl(fd, SNDRV_PCM_IOCTL_HW_PARAMS, &p) < 0) {
		printf("SND_PLAY_ERROR HW_PARAMS: %s\n", strerror(errno));
		return 1;
	}
	if (ioctl(fd, SNDRV_PCM_IOCTL_PREPARE) < 0) {
		printf("SND_PLAY_ERROR PREPARE: %s\n", strerror(errno));
		return 1;
	}
	int16_t *buf = malloc(total * sizeof(*buf));
	if (!buf)
		return 1;
	for (size_t i = 0; i < total; i++)
		buf[i] = tone(hz, i);
	size_t done = 0;
	unsigned xruns = 0;
	double t0 = now_s();
	while (done < total) {
		struct snd_xferi x = {.buf = buf + done, .frames = (snd_pcm_uframes_t)(total - done)};
		if (ioctl(fd, SNDRV_PCM_IOCTL_WRITEI_FRAMES, &x) < 0) {
			if (errno == EPIPE) {
				xruns++;
				(void)ioctl(fd, SNDRV_PCM_IOCTL_PREPARE);
				continue;
			}
			if (errno == EINTR || errno == EAGAIN)
				continue;
			printf("SND_PLAY_ERROR WRITEI: %s\n", strerror(errno));
			return 1;
		}
		done += (size_t)x.result;
	}
	if (ioctl(fd, SNDRV_PCM_IOCTL_DRAIN) < 0)
		printf("SND_PLAY_WARN DRAIN: %s\n", strerror(errno));
	double t1 = now_s();
	close(fd);
	printf("SND_PLAY_DONE frames=%zu hz=%.1f wall=%.3f s xruns=%u\n", total, hz, t1 - t0, xruns);
	return xruns ? 1 : 0;
}

static uint32_t le32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint16_t le16(const uint8_t *b)
{
	return (uint16_t)(b[0] | b[1] << 8);
}

static int check(const char *path, double hz, double secs)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	uint8_t h[44];
	if (!f || fstat(fileno(f), &st) || fread(h, 1, 44, f) != 44) {
		printf("SND_CHECK_ERROR cannot read %s\n", path);
		return 1;
	}
	uint32_t data = le32(h + 40);
	int hdr_ok = !memcmp(h, "RIFF", 4) && !memcmp(h + 8, "WAVEfmt ", 8) && le32(h + 16) == 16 &&
		     le16(h + 20) == 1 && le16(h + 22) == 1 && le32(h + 24) == RATE &&
		     le32(h + 28) == RATE * 2 && le16(h + 32) == 2 && le16(h + 34) == 16 &&
		     !memcmp(h + 36, "data", 4) && le32(h + 4) == 36 + data &&
		     (uint64_t)data + 44 == (uint64_t)st.st_size;
	size_t frames = (size_t)(st.st_size - 44) / 2;
	int16_t *s = malloc(frames * 2 + 2);
	if (!s || fread(s, 2, frames, f) != frames) {
		printf("SND_CHECK_ERROR short read\n");
		return 1;
	}
	/* Match the file against the frames the player wrote (pairs of frames, so a stray
	 * equal sample does not count): leading frames before the first, frames inserted between
	 * the first and the last, frames of the tone missing, trailing frames after the last. */
	size_t total = (size_t)(secs * RATE), k = 0, p = 0, lead = 0, inserted = 0, first_p = 0;
	while (p < frames && k < total) {
		int m = s[p] == tone(hz, k) &&
			(k + 1 == total || (p + 1 < frames && s[p + 1] == tone(hz, k + 1)));
		if (m) {
			if (k == 0)
				first_p = p;
			k++;
		} else if (k == 0) {
			lead++;
		} else {
			inserted++;
		}
		p++;
	}
	size_t missing = total - k, trailing = frames - p;
	/* Rising zero crossings of the file between the tone's first and last frame, with the
	 * fractional position of the first and the last: frequency = cycles / time between. */
	double first = -1, last = -1;
	unsigned cycles = 0;
	double sq = 0;
	for (size_t i = first_p + 1; i < p; i++) {
		sq += (double)s[i] * s[i];
		if (s[i - 1] < 0 && s[i] >= 0) {
			double pos = (double)(i - 1) + (double)-s[i - 1] / (double)(s[i] - s[i - 1]);
			if (first < 0)
				first = pos;
			else
				cycles++;
			last = pos;
		}
	}
	double f_zc = (last > first && cycles) ? cycles * (double)RATE / (last - first) : 0;
	double rms = p > first_p + 1 ? sqrt(sq / (double)(p - first_p - 1)) : 0;
	int f_ok = fabs(f_zc - hz) <= 0.02 * hz;
	int ok = hdr_ok && f_ok && !missing && !lead && rms > 5000;
	printf("SND_CHECK header=%s frames=%zu tone=%zu/%zu missing=%zu inserted=%zu leading=%zu "
	       "trailing=%zu freq=%.2f Hz (want %.1f +-2%%) rms=%.0f %s\n",
	       hdr_ok ? "ok" : "BAD", frames, k, total, missing, inserted, lead, trailing, f_zc, hz,
	       rms, !ok ? "TONE_BAD" : inserted ? "TONE_OK_WITH_INSERTS" : "TONE_OK");
	return !ok || inserted;
}

static int gen(const char *path, double hz, double secs)
{
	size_t total = (size_t)(secs * RATE);
	uint32_t data = (uint32_t)(total * 2u);
	uint8_t h[44] = "RIFF....WAVEfmt ";
	uint32_t v32[] = {36 + data, 16, 0, RATE, RATE * 2, 0, 0, data};
	memcpy(h + 4, &v32[0], 4);
	memcpy(h + 16, &v32[1], 4);
	h[20] = 1; /* PCM */
	h[21] = 0;
	h[22] = 1; /* mono */
	h[23] = 0;
	memcpy(h + 24, &v32[3], 4);
	memcpy(h + 28, &v32[4], 4);
	h[32] = 2;
	h[33] = 0;
	h[34] = 16;
	h[35] = 0;
	memcpy(h + 36, "data", 4);
	memcpy(h + 40, &v32[7], 4);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(h, 1, 44, f) != 44)
		return 1;
	for (size_t i = 0; i < total; i++) {
		int16_t x = tone(hz, i);
		if (fwrite(&x, 2, 1, f) != 1)
			return 1;
	}
	return fclose(f) ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "gen"))
		return gen(argv[2], atof(argv[3]), atof(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "play"))
		return play(argv[2], atof(argv[3]), atof(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "check"))
		return check(argv[2], atof(argv[3]), atof(argv[4]));
	fprintf(stderr, "usage: snd-tone play PCMDEV HZ SECONDS | check|gen WAV HZ SECONDS\n");
	return 2;
}
