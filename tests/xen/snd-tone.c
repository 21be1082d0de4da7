/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tone generator and checker of the Xen group's sound test (static arm64, no libasound).
 *   snd-tone play PCMDEV HZ SECONDS   play a sine (S16_LE, mono, 48 kHz, 8 periods of 2400
 *                                     frames) through the ALSA PCM ioctls, then drain
 *   snd-tone check WAV HZ SECONDS     check the recorded WAV file: header (PCM, mono,
 *                                     48000 Hz, 16 bit, sizes matching the file), length and
 *                                     the tone's frequency (zero crossings of the first
 *                                     SECONDS); prints one line of figures and exits 0 if all
 *                                     hold (frequency within 2 %, length SECONDS .. SECONDS +
 *                                     one buffer + one period)
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
#define PERIODS 8u

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
	interval_exact(&p, SNDRV_PCM_HW_PARAM_PERIODS, PERIODS);
	if (ioctl(fd, SNDRV_PCM_IOCTL_HW_PARAMS, &p) < 0) {
		printf("SND_PLAY_ERROR HW_PARAMS: %s\n", strerror(errno));
		return 1;
	}
	if (ioctl(fd, SNDRV_PCM_IOCTL_PREPARE) < 0) {
		printf("SND_PLAY_ERROR PREPARE: %s\n", strerror(errno));
		return 1;
	}
	size_t total = (size_t)(secs * RATE);
	int16_t *buf = malloc(total * sizeof(*buf));
	if (!buf)
		return 1;
	for (size_t i = 0; i < total; i++)
		buf[i] = (int16_t)lrint(16000.0 * sin(2.0 * M_PI * hz * (double)i / RATE));
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
	size_t n = (size_t)(secs * RATE);
	if (n > frames)
		n = frames;
	/* Zero crossings (rising) over the tone, with the fractional position of the first and
	 * the last one: frequency = cycles between them / time between them. */
	double first = -1, last = -1;
	unsigned cycles = 0;
	double sq = 0;
	for (size_t i = 1; i < n; i++) {
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
	double rms = n > 1 ? sqrt(sq / (double)(n - 1)) : 0;
	double len_s = (double)frames / RATE;
	double max_len = secs + (double)(PERIOD * PERIODS + PERIOD) / RATE;
	int f_ok = fabs(f_zc - hz) <= 0.02 * hz;
	int len_ok = len_s >= secs && len_s <= max_len;
	printf("SND_CHECK header=%s frames=%zu seconds=%.3f (want %.3f..%.3f) freq=%.2f Hz (want "
	       "%.1f +-2%%) rms=%.0f %s\n",
	       hdr_ok ? "ok" : "BAD", frames, len_s, secs, max_len, f_zc, hz, rms,
	       hdr_ok && f_ok && len_ok && rms > 5000 ? "TONE_OK" : "TONE_BAD");
	return !(hdr_ok && f_ok && len_ok && rms > 5000);
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "play"))
		return play(argv[2], atof(argv[3]), atof(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "check"))
		return check(argv[2], atof(argv[3]), atof(argv[4]));
	fprintf(stderr, "usage: snd-tone play PCMDEV HZ SECONDS | check WAV HZ SECONDS\n");
	return 2;
}
