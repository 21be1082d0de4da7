/* SPDX-License-Identifier: BSD-3-Clause */
/* Input host ends: capability presets and the scripted event stream (vplat/host/input_host.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "vplat/error.h"
#include "vplat/host/input_host.h"

/* evdev numbering (linux/input-event-codes.h), kept here so the presets build anywhere. */
#define KEY_FIRST   1u    /* KEY_ESC */
#define KEY_LAST    88u   /* KEY_F12 */
#define LED_NUML    0u
#define LED_CAPSL   1u
#define LED_SCROLLL 2u
#define BTN_TOUCH   0x14au
#define ABS_X       0x00u
#define ABS_Y       0x01u
#define ABS_MT_SLOT 0x2fu
#define ABS_MT_POSITION_X  0x35u
#define ABS_MT_POSITION_Y  0x36u
#define ABS_MT_TRACKING_ID 0x39u
#define INPUT_PROP_DIRECT  0x01u

void vplat_input_preset_keyboard(struct vplat_input_caps *caps)
{
	for (uint16_t k = KEY_FIRST; k <= KEY_LAST; k++)
		vplat_input_caps_set(caps, VPLAT_EV_KEY, k);
	vplat_input_caps_set(caps, VPLAT_EV_LED, LED_NUML);
	vplat_input_caps_set(caps, VPLAT_EV_LED, LED_CAPSL);
	vplat_input_caps_set(caps, VPLAT_EV_LED, LED_SCROLLL);
}

void vplat_input_preset_touch(struct vplat_input_caps *caps, uint32_t width, uint32_t height,
			      uint32_t slots)
{
	if (!width || width > 65536u || !height || height > 65536u || slots > 16u)
		return;
	caps->prop[0] |= 1u << INPUT_PROP_DIRECT;
	vplat_input_caps_set(caps, VPLAT_EV_KEY, BTN_TOUCH);
	struct vplat_input_absinfo x = {.min = 0, .max = (int32_t)width - 1};
	struct vplat_input_absinfo y = {.min = 0, .max = (int32_t)height - 1};
	vplat_input_caps_abs(caps, ABS_X, &x);
	vplat_input_caps_abs(caps, ABS_Y, &y);
	if (!slots)
		return;
	struct vplat_input_absinfo sl = {.min = 0, .max = (int32_t)slots - 1};
	struct vplat_input_absinfo id = {.min = 0, .max = 65535};
	vplat_input_caps_abs(caps, ABS_MT_SLOT, &sl);
	vplat_input_caps_abs(caps, ABS_MT_TRACKING_ID, &id);
	vplat_input_caps_abs(caps, ABS_MT_POSITION_X, &x);
	vplat_input_caps_abs(caps, ABS_MT_POSITION_Y, &y);
}

/* ---- script --------------------------------------------------------------------------- */

enum op { OP_EVENT, OP_SLEEP, OP_WAIT_STATUS };

struct step {
	enum op op;
	uint16_t type, code;
	int32_t value;
	uint32_t ms;
};

struct vplat_input_script {
	struct step *steps;
	size_t n, cap;
	size_t at;        /* next step */
	uint32_t repeat;  /* 0: once; else runs left including this one (UINT32_MAX: forever) */
	bool forever;
	bool sleeping;
	uint64_t due_ns;
	bool waiting;     /* in a wait-status step */
	uint64_t status_seen; /* status events since the last step ran */
	uint64_t last_syn_ns; /* SYN_REPORT not yet answered (0: none) */
	struct vplat_input *dev;
	struct vplat_input_script_stats st;
};

static uint64_t now_ns(void)
{
	struct timespec t;
	(void)clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

struct vplat_input_script *vplat_input_script_new(void)
{
	return calloc(1, sizeof(struct vplat_input_script));
}

void vplat_input_script_free(struct vplat_input_script *s)
{
	if (!s)
		return;
	free(s->steps);
	free(s);
}

static bool num(const char *t, long long lo, long long hi, long long *out)
{
	if (!t)
		return false;
	char *end;
	errno = 0;
	long long v = strtoll(t, &end, 0);
	if (errno || end == t || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static int push(struct step **v, size_t *n, size_t *cap, struct step st)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		struct step *p = realloc(*v, nc * sizeof(*p));
		if (!p)
			return VPLAT_ENOMEM;
		*v = p;
		*cap = nc;
	}
	(*v)[(*n)++] = st;
	return 0;
}

int vplat_input_script_parse(struct vplat_input_script *s, const char *text, unsigned *line)
{
	if (!s || !text)
		return VPLAT_EINVAL;
	char *copy = strdup(text);
	if (!copy)
		return VPLAT_ENOMEM;
	struct step *v = NULL;
	size_t n = 0, cap = 0;
	unsigned ln = 0;
	int rc = 0;
	long long repeat = -1;
	char *next = copy;
	while (next) {
		char *l = next;
		next = strchr(l, '\n');
		if (next)
			*next++ = 0;
		ln++;
		char *hash = strchr(l, '#');
		if (hash)
			*hash = 0;
		char *w[5] = {0};
		int nw = 0;
		char *s2 = NULL;
		for (char *t = strtok_r(l, " \t\r", &s2); t; t = strtok_r(NULL, " \t\r", &s2)) {
			if (nw == 5) {
				rc = VPLAT_EINVAL;
				break;
			}
			w[nw++] = t;
		}
		if (rc || !nw) {
			if (rc)
				break;
			continue;
		}
		if (repeat >= 0) {
			rc = VPLAT_EINVAL; /* repeat is the last line */
			break;
		}
		struct step st = {.op = OP_EVENT};
		long long a, b, c;
		if (!strcmp(w[0], "syn") && nw == 1) {
			st.type = VPLAT_EV_SYN;
			st.code = VPLAT_SYN_REPORT;
		} else if ((!strcmp(w[0], "key") || !strcmp(w[0], "abs") || !strcmp(w[0], "rel")) &&
			   nw == 3 && num(w[1], 0, 0xffff, &b) && num(w[2], INT32_MIN, INT32_MAX, &c)) {
			st.type = w[0][0] == 'k' ? VPLAT_EV_KEY
						 : w[0][0] == 'a' ? VPLAT_EV_ABS : VPLAT_EV_REL;
			st.code = (uint16_t)b;
			st.value = (int32_t)c;
		} else if (!strcmp(w[0], "ev") && nw == 4 && num(w[1], 0, 0xffff, &a) &&
			   num(w[2], 0, 0xffff, &b) && num(w[3], INT32_MIN, INT32_MAX, &c)) {
			st.type = (uint16_t)a;
			st.code = (uint16_t)b;
			st.value = (int32_t)c;
		} else if (!strcmp(w[0], "sleep") && nw == 2 && num(w[1], 0, 3600000, &a)) {
			st.op = OP_SLEEP;
			st.ms = (uint32_t)a;
		} else if (!strcmp(w[0], "wait-status") && nw == 1) {
			st.op = OP_WAIT_STATUS;
		} else if (!strcmp(w[0], "repeat") && nw == 2 && num(w[1], 0, UINT32_MAX - 1, &a)) {
			repeat = a;
			continue;
		} else {
			rc = VPLAT_EINVAL;
			break;
		}
		if ((rc = push(&v, &n, &cap, st)))
			break;
	}
	free(copy);
	if (rc) {
		if (line)
			*line = ln;
		free(v);
		return rc;
	}
	for (size_t i = 0; i < n && !rc; i++)
		rc = push(&s->steps, &s->n, &s->cap, v[i]);
	free(v);
	if (!rc && repeat >= 0) {
		s->forever = repeat == 0;
		s->repeat = repeat ? (uint32_t)repeat : 0;
	}
	return rc;
}

int vplat_input_script_load(struct vplat_input_script *s, const char *path, unsigned *line)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return VPLAT_EIO;
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m) {
		fclose(f);
		return VPLAT_ENOMEM;
	}
	char chunk[4096];
	size_t k;
	bool bad = false;
	while ((k = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (fwrite(chunk, 1, k, m) != k)
			bad = true;
	if (ferror(f))
		bad = true;
	fclose(f);
	fclose(m);
	int rc = bad ? VPLAT_EIO : vplat_input_script_parse(s, buf, line);
	free(buf);
	return rc;
}

void vplat_input_script_bind(struct vplat_input_script *s, struct vplat_input *d)
{
	s->dev = d;
}

bool vplat_input_script_done(const struct vplat_input_script *s)
{
	return s->at >= s->n && !s->forever && s->repeat <= 1u;
}

void vplat_input_script_run(struct vplat_input_script *s)
{
	if (!s->dev || !vplat_device_is_live(vplat_input_device(s->dev)))
		return;
	for (unsigned guard = 0; guard < 100000u; guard++) {
		if (s->at >= s->n) {
			if (!s->n || (!s->forever && s->repeat <= 1u))
				return;
			if (!s->forever)
				s->repeat--;
			s->at = 0;
		}
		const struct step *st = &s->steps[s->at];
		switch (st->op) {
		case OP_SLEEP:
			if (!s->sleeping) {
				s->sleeping = true;
				s->due_ns = now_ns() + (uint64_t)st->ms * 1000000u;
			}
			if (now_ns() < s->due_ns)
				return;
			s->sleeping = false;
			s->status_seen = 0;
			break;
		case OP_WAIT_STATUS:
			/* any status event since the step before this one ran answers it */
			s->waiting = true;
			if (!s->status_seen)
				return;
			s->waiting = false;
			s->status_seen = 0;
			break;
		case OP_EVENT:
			if (st->type == VPLAT_EV_SYN && st->code == VPLAT_SYN_REPORT)
				s->last_syn_ns = now_ns();
			(void)vplat_input_send(s->dev, st->type, st->code, st->value);
			s->status_seen = 0; /* a wait after this step needs a newer answer */
			break;
		}
		s->at++;
		s->st.steps++;
		if (s->at >= s->n)
			s->st.runs++;
	}
}

int vplat_input_script_timeout_ms(const struct vplat_input_script *s)
{
	if (!s->dev || !vplat_device_is_live(vplat_input_device(s->dev)))
		return s->n ? 100 : -1; /* look again for the driver */
	if (vplat_input_script_done(s) || s->waiting)
		return -1;
	if (s->sleeping) {
		uint64_t t = now_ns();
		return t >= s->due_ns ? 0 : (int)((s->due_ns - t + 999999u) / 1000000u);
	}
	return 0;
}

const struct vplat_input_script_stats *vplat_input_script_stats(const struct vplat_input_script *s)
{
	return &s->st;
}

static void script_status(void *host, uint16_t type, uint16_t code, int32_t value)
{
	struct vplat_input_script *s = host;
	uint64_t t = now_ns();
	s->st.status++;
	s->status_seen++;
	s->st.last_type = type;
	s->st.last_code = code;
	s->st.last_value = value;
	if (s->last_syn_ns) {
		uint64_t rtt = t - s->last_syn_ns;
		if (!s->st.rtt_count || rtt < s->st.rtt_min_ns)
			s->st.rtt_min_ns = rtt;
		if (rtt > s->st.rtt_max_ns)
			s->st.rtt_max_ns = rtt;
		s->st.rtt_sum_ns += rtt;
		s->st.rtt_count++;
		s->last_syn_ns = 0;
	}
}

const struct vplat_input_host_ops vplat_input_host_script = {.status = script_status};
