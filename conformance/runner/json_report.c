/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vplat-conform report IN.json -o OUT.html: render a JSON report (from this host or from an
 * in-guest run with the static build) as the HTML report. A small JSON reader for the
 * reporter's own format; unknown members are ignored, missing ones left empty, so reports
 * from older suites still render.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "conformance/runner/runner.h"
#include "vplat/error.h"

enum jt { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jv {
	enum jt t;
	double num;
	char *str;        /* J_STR */
	struct jv *kids;  /* J_ARR, J_OBJ */
	char **keys;      /* J_OBJ */
	size_t n;
};

struct jp {
	const char *p;
	int depth;
};

static void ws(struct jp *j)
{
	while (*j->p == ' ' || *j->p == '\n' || *j->p == '\r' || *j->p == '\t')
		j->p++;
}

static void put_utf8(char **o, unsigned c)
{
	char *q = *o;
	if (c < 0x80) {
		*q++ = (char)c;
	} else if (c < 0x800) {
		*q++ = (char)(0xc0 | (c >> 6));
		*q++ = (char)(0x80 | (c & 0x3f));
	} else {
		*q++ = (char)(0xe0 | (c >> 12));
		*q++ = (char)(0x80 | ((c >> 6) & 0x3f));
		*q++ = (char)(0x80 | (c & 0x3f));
	}
	*o = q;
}

static char *jstr(struct jp *j)
{
	if (*j->p != '"')
		return NULL;
	const char *s = ++j->p;
	size_t n = 0;
	while (s[n] && s[n] != '"')
		n += (s[n] == '\\' && s[n + 1]) ? 2 : 1;
	if (!s[n])
		return NULL;
	char *out = malloc(n * 3 / 2 + 4), *o = out; /* \uXXXX (6) -> at most 3 bytes */
	if (!out)
		return NULL;
	while (*j->p != '"') {
		char ch = *j->p++;
		if (ch != '\\') {
			*o++ = ch;
			continue;
		}
		ch = *j->p++;
		switch (ch) {
		case 'n': *o++ = '\n'; break;
		case 't': *o++ = '\t'; break;
		case 'r': *o++ = '\r'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'u': {
			unsigned c = 0;
			for (int k = 0; k < 4; k++) {
				char h = *j->p;
				if (!h || j->p >= s + n) {
					free(out);
					return NULL;
				}
				j->p++;
				c = c * 16 + (unsigned)(h >= 'a' ? h - 'a' + 10 : h >= 'A' ? h - 'A' + 10 : h - '0');
			}
			put_utf8(&o, c & 0xffff);
			break;
		}
		default: *o++ = ch; break;
		}
	}
	j->p++;
	*o = 0;
	return out;
}

static int jval(struct jp *j, struct jv *v);

static int jcontainer(struct jp *j, struct jv *v, char close)
{
	size_t cap = 0;
	j->p++;
	ws(j);
	if (*j->p == close) {
		j->p++;
		return 0;
	}
	for (;;) {
		if (v->n == cap) {
			cap = cap ? cap * 2 : 8;
			struct jv *k = realloc(v->kids, cap * sizeof(*k));
			if (!k)
				return VPLAT_ENOMEM;
			v->kids = k;
			if (close == '}') {
				char **ks = realloc(v->keys, cap * sizeof(*ks));
				if (!ks)
					return VPLAT_ENOMEM;
				v->keys = ks;
			}
		}
		ws(j);
		if (close == '}') {
			if (!(v->keys[v->n] = jstr(j)))
				return VPLAT_EINVAL;
			ws(j);
			if (*j->p++ != ':') {
				free(v->keys[v->n]);
				return VPLAT_EINVAL;
			}
		}
		memset(&v->kids[v->n], 0, sizeof(v->kids[0]));
		v->n++;
		int rc = jval(j, &v->kids[v->n - 1]);
		if (rc)
			return rc;
		ws(j);
		if (*j->p == ',') {
			j->p++;
			continue;
		}
		if (*j->p++ == close)
			return 0;
		return VPLAT_EINVAL;
	}
}

static int jval(struct jp *j, struct jv *v)
{
	ws(j);
	if (++j->depth > 32)
		return VPLAT_EINVAL;
	int rc = 0;
	switch (*j->p) {
	case '{': v->t = J_OBJ; rc = jcontainer(j, v, '}'); break;
	case '[': v->t = J_ARR; rc = jcontainer(j, v, ']'); break;
	case '"': v->t = J_STR; rc = (v->str = jstr(j)) ? 0 : VPLAT_EINVAL; break;
	case 't': v->t = J_BOOL; v->num = 1; rc = strncmp(j->p, "true", 4) ? VPLAT_EINVAL : 0; j->p += 4; break;
	case 'f': v->t = J_BOOL; rc = strncmp(j->p, "false", 5) ? VPLAT_EINVAL : 0; j->p += 5; break;
	case 'n': v->t = J_NULL; rc = strncmp(j->p, "null", 4) ? VPLAT_EINVAL : 0; j->p += 4; break;
	default: {
		char *end;
		v->t = J_NUM;
		v->num = strtod(j->p, &end);
		if (end == j->p)
			rc = VPLAT_EINVAL;
		j->p = end;
	}
	}
	j->depth--;
	return rc;
}

static void jfree(struct jv *v)
{
	for (size_t i = 0; i < v->n; i++) {
		jfree(&v->kids[i]);
		if (v->t == J_OBJ)
			free(v->keys[i]);
	}
	free(v->kids);
	free(v->keys);
	free(v->str);
}

static const struct jv *jget(const struct jv *o, const char *key)
{
	if (!o || o->t != J_OBJ)
		return NULL;
	for (size_t i = 0; i < o->n; i++)
		if (!strcmp(o->keys[i], key))
			return &o->kids[i];
	return NULL;
}

/* The string member @p key of @p o, or @p def. */
static const char *jgs(const struct jv *o, const char *key, const char *def)
{
	const struct jv *v = jget(o, key);
	return v && v->t == J_STR ? v->str : def;
}

static double jgn(const struct jv *o, const char *key)
{
	const struct jv *v = jget(o, key);
	return v && v->t == J_NUM ? v->num : 0;
}

static enum vplat_result result_of(const char *s)
{
	if (!strcmp(s, "PASS"))
		return VPLAT_PASS;
	if (!strcmp(s, "FAIL"))
		return VPLAT_FAIL;
	if (!strcmp(s, "SKIP"))
		return VPLAT_SKIP;
	return VPLAT_ERROR;
}

int vplat_conform_json_to_html(const char *in, const char *spec, const char *out)
{
	FILE *f = fopen(in, "rb");
	if (!f) {
		fprintf(stderr, "vplat-conform report: cannot open %s\n", in);
		return VPLAT_ENOENT;
	}
	size_t cap = 1 << 16, len = 0, got;
	char *buf = malloc(cap + 1);
	while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
		len += got;
		if (len == cap) {
			char *nb = realloc(buf, cap * 2 + 1);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	fclose(f);
	if (!buf)
		return VPLAT_ENOMEM;
	buf[len] = 0;
	struct jv root = {0};
	struct jp j = {buf, 0};
	int rc = jval(&j, &root);
	const struct jv *results = jget(&root, "results"), *devs = jget(&root, "devices");
	if (rc || root.t != J_OBJ || !results || results->t != J_ARR) {
		fprintf(stderr, "vplat-conform report: %s is not a vplat-conform JSON report\n", in);
		jfree(&root);
		free(buf);
		return VPLAT_EINVAL;
	}
	size_t n = results->n, nd = devs && devs->t == J_ARR ? devs->n : 0;
	struct vplat_test *tests = calloc(n + 1, sizeof(*tests));
	struct vplat_t_record *recs = calloc(n + 1, sizeof(*recs));
	struct vplat_report_dev *rd = calloc(nd + 1, sizeof(*rd));
	rc = tests && recs && rd ? 0 : VPLAT_ENOMEM;
	for (size_t i = 0; !rc && i < n; i++) {
		const struct jv *x = &results->kids[i];
		tests[i].name = jgs(x, "test", "?");
		tests[i].reqs = jgs(x, "requirements", "");
		tests[i].clause = jgs(x, "clause", "");
		tests[i].desc = jgs(x, "description", "");
		recs[i].test = &tests[i];
		snprintf(recs[i].device, sizeof(recs[i].device), "%s", jgs(x, "device", "?"));
		recs[i].result = result_of(jgs(x, "result", "ERROR"));
		recs[i].checkpoint = (int)jgn(x, "checkpoint");
		snprintf(recs[i].expected, sizeof(recs[i].expected), "%s", jgs(x, "expected", ""));
		snprintf(recs[i].seen, sizeof(recs[i].seen), "%s", jgs(x, "seen", ""));
		snprintf(recs[i].detail, sizeof(recs[i].detail), "%s", jgs(x, "detail", ""));
		recs[i].seconds = jgn(x, "seconds");
	}
	for (size_t i = 0; !rc && i < nd; i++) {
		const struct jv *x = &devs->kids[i];
		snprintf(rd[i].name, sizeof(rd[i].name), "%s", jgs(x, "name", "?"));
		rd[i].device_id = (uint32_t)jgn(x, "device_id");
		snprintf(rd[i].transport, sizeof(rd[i].transport), "%s", jgs(x, "transport", "?"));
		rd[i].offered = strtoull(jgs(x, "offered", "0"), NULL, 0);
		rd[i].negotiated = strtoull(jgs(x, "negotiated", "0"), NULL, 0);
	}
	struct vplat_req *reqs = NULL;
	size_t nreqs = 0;
	if (!rc && spec && vplat_req_load(spec, &reqs, &nreqs) != 0)
		fprintf(stderr, "vplat-conform report: %s unreadable: report without requirement text\n",
			spec);
	if (!rc) {
		struct vplat_report rep = {
			.pal = jgs(&root, "pal", "?"), .started = jgs(&root, "started", "?"),
			.host = jgs(&root, "host", "?"), .recs = recs, .nrecs = n, .reqs = reqs,
			.nreqs = nreqs, .version = jgs(&root, "version", NULL),
			.revision = jgs(&root, "revision", NULL), .cmdline = jgs(&root, "command_line", NULL),
			.reached = jgs(&root, "reached", NULL), .devs = rd, .ndevs = nd};
		FILE *o = strcmp(out, "-") ? fopen(out, "w") : stdout;
		rc = o ? vplat_report_html(&rep, o) : VPLAT_EIO;
		if (o && o != stdout && fclose(o) != 0)
			rc = VPLAT_EIO;
		if (rc)
			fprintf(stderr, "vplat-conform report: cannot write %s\n", out);
	}
	free(reqs);
	free(tests);
	free(recs);
	free(rd);
	jfree(&root);
	free(buf);
	return rc;
}
