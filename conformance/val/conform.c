/* SPDX-License-Identifier: BSD-3-Clause */
/* Conformance framework: checkpoints, skips, the clock, the requirement index. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "vplat/val/conform.h"
#include "vplat/error.h"
#include "vplat/val/val.h"

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

enum vplat_result vplat_t_fail(struct vplat_test_ctx *t, int checkpoint, const char *expr,
			       const char *file, int line, const char *expected,
			       const char *seen_fmt, ...)
{
	const char *base = strrchr(file, '/');
	t->result = VPLAT_FAIL;
	t->checkpoint = checkpoint;
	snprintf(t->detail, sizeof(t->detail), "checkpoint %d: %s (%s:%d)", checkpoint, expr,
		 base ? base + 1 : file, line);
	snprintf(t->expected, sizeof(t->expected), "%s", expected ? expected : expr);
	if (seen_fmt) {
		va_list ap;
		va_start(ap, seen_fmt);
		vsnprintf(t->seen, sizeof(t->seen), seen_fmt, ap);
		va_end(ap);
	} else {
		snprintf(t->seen, sizeof(t->seen), "the condition was false");
	}
	return VPLAT_FAIL;
}

static enum vplat_result note(struct vplat_test_ctx *t, enum vplat_result r, const char *fmt, va_list ap)
{
	t->result = r;
	vsnprintf(t->detail, sizeof(t->detail), fmt, ap);
	return r;
}

enum vplat_result vplat_t_skip(struct vplat_test_ctx *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	note(t, VPLAT_SKIP, fmt, ap);
	va_end(ap);
	return VPLAT_SKIP;
}

enum vplat_result vplat_t_error(struct vplat_test_ctx *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	note(t, VPLAT_ERROR, fmt, ap);
	va_end(ap);
	return VPLAT_ERROR;
}

bool vplat_t_expired(const struct vplat_test_ctx *t)
{
	return t->deadline_ns && now_ns() > t->deadline_ns;
}

struct vplat_val_vq *vplat_t_vq(struct vplat_test_ctx *t)
{
	if (t->nvqs == sizeof(t->vqs) / sizeof(t->vqs[0]))
		return NULL;
	memset(&t->vqs[t->nvqs], 0, sizeof(t->vqs[0]));
	return &t->vqs[t->nvqs++];
}

void vplat_t_poll(struct vplat_test_ctx *t)
{
	if (t->pal->ops->poll)
		t->pal->ops->poll(t->pal, t->idx);
}

int vplat_t_device_status(struct vplat_test_ctx *t)
{
	return t->pal->ops->device_status ? t->pal->ops->device_status(t->pal, t->idx) : -1;
}

const char *vplat_result_name(enum vplat_result r)
{
	switch (r) {
	case VPLAT_PASS: return "PASS";
	case VPLAT_FAIL: return "FAIL";
	case VPLAT_SKIP: return "SKIP";
	default: return "ERROR";
	}
}

/* Copy one tab-separated field into dst; advance *p past the tab. */
static void field(char **p, char *dst, size_t cap)
{
	char *s = *p, *tab = s ? strchr(s, '\t') : NULL;
	size_t len = tab ? (size_t)(tab - s) : (s ? strlen(s) : 0);
	if (len >= cap)
		len = cap - 1;
	if (s)
		memcpy(dst, s, len);
	dst[len] = 0;
	*p = tab ? tab + 1 : NULL;
}

int vplat_req_load(const char *path, struct vplat_req **out, size_t *n)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return VPLAT_ENOENT;
	struct vplat_req *v = NULL;
	size_t cnt = 0, cap = 0;
	char line[2048];
	int rc = 0;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = 0;
		if (!line[0] || line[0] == '#' || !strncmp(line, "id\t", 3))
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 128;
			struct vplat_req *nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				rc = VPLAT_ENOMEM;
				break;
			}
			v = nv;
		}
		char *p = line;
		struct vplat_req *r = &v[cnt];
		field(&p, r->id, sizeof(r->id));
		field(&p, r->level, sizeof(r->level));
		field(&p, r->chapter, sizeof(r->chapter));
		field(&p, r->origin, sizeof(r->origin));
		field(&p, r->text, sizeof(r->text));
		if (strncmp(r->id, "VPLAT-", 6) || !r->level[0]) {
			rc = VPLAT_EINVAL;
			break;
		}
		cnt++;
	}
	fclose(f);
	if (rc) {
		free(v);
		return rc;
	}
	*out = v;
	*n = cnt;
	return 0;
}
