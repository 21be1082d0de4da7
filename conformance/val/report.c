/* SPDX-License-Identifier: BSD-3-Clause */
/* Conformance reporters: TAP 13, JUnit XML, JSON and a self-contained HTML report. */
#include <string.h>
#include "vplat/val/conform.h"
#include "vplat/error.h"
#include "vplat/val/val.h"

static void count(const struct vplat_report *r, size_t c[4])
{
	memset(c, 0, 4 * sizeof(c[0]));
	for (size_t i = 0; i < r->nrecs; i++)
		c[r->recs[i].result & 3]++;
}

/* Escape for XML and HTML text and attributes. */
static void xml(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:
			if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
				fprintf(f, "&#x%x;", (unsigned char)*s);
			else
				fputc(*s, f);
		}
	}
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

/* A literal, then @s escaped. */
static void put_xml(FILE *f, const char *lit, const char *s)
{
	fputs(lit, f);
	xml(f, s);
}

static void put_json(FILE *f, const char *lit, const char *s)
{
	fputs(lit, f);
	json_str(f, s);
}

static int done(FILE *f)
{
	return (fflush(f) == 0 && !ferror(f)) ? 0 : VPLAT_EIO;
}

int vplat_report_tap(const struct vplat_report *r, FILE *f)
{
	fprintf(f, "TAP version 13\n1..%zu\n", r->nrecs);
	for (size_t i = 0; i < r->nrecs; i++) {
		const struct vplat_t_record *x = &r->recs[i];
		bool ok = x->result == VPLAT_PASS || x->result == VPLAT_SKIP;
		fprintf(f, "%s %zu - %s on %s [%s]", ok ? "ok" : "not ok", i + 1, x->test->name,
			x->device, x->test->reqs);
		if (x->result == VPLAT_SKIP)
			fprintf(f, " # SKIP %s", x->detail);
		fputc('\n', f);
		if (!ok) {
			fprintf(f, "  ---\n  result: %s\n  clause: \"%s\"\n  detail: \"%s\"\n",
				vplat_result_name(x->result), x->test->clause, x->detail);
			fprintf(f, "  expected: \"%s\"\n  seen: \"%s\"\n  ...\n", x->expected, x->seen);
		}
	}
	return done(f);
}

int vplat_report_junit(const struct vplat_report *r, FILE *f)
{
	size_t c[4];
	double total = 0;
	count(r, c);
	for (size_t i = 0; i < r->nrecs; i++)
		total += r->recs[i].seconds;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<testsuites name=\"vplat-conform\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
		   "skipped=\"%zu\" time=\"%.3f\">\n",
		r->nrecs, c[VPLAT_FAIL], c[VPLAT_ERROR], c[VPLAT_SKIP], total);
	put_xml(f, "  <testsuite name=\"", r->pal);
	fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" timestamp=\"",
		r->nrecs, c[VPLAT_FAIL], c[VPLAT_ERROR], c[VPLAT_SKIP]);
	xml(f, r->started);
	fprintf(f, "\">\n");
	for (size_t i = 0; i < r->nrecs; i++) {
		const struct vplat_t_record *x = &r->recs[i];
		put_xml(f, "    <testcase classname=\"", x->device);
		put_xml(f, "\" name=\"", x->test->name);
		fprintf(f, "\" time=\"%.3f\">\n      <properties><property name=\"requirements\" value=\"",
			x->seconds);
		xml(f, x->test->reqs);
		put_xml(f, "\"/><property name=\"clause\" value=\"", x->test->clause);
		fprintf(f, "\"/></properties>\n");
		if (x->result == VPLAT_SKIP) {
			put_xml(f, "      <skipped message=\"", x->detail);
			fprintf(f, "\"/>\n");
		} else if (x->result != VPLAT_PASS) {
			fprintf(f, "      <%s message=\"", x->result == VPLAT_FAIL ? "failure" : "error");
			xml(f, x->detail);
			put_xml(f, "\">expected: ", x->expected);
			put_xml(f, "\nseen: ", x->seen);
			fprintf(f, "</%s>\n", x->result == VPLAT_FAIL ? "failure" : "error");
		}
		fprintf(f, "    </testcase>\n");
	}
	fprintf(f, "  </testsuite>\n</testsuites>\n");
	return done(f);
}

int vplat_report_json(const struct vplat_report *r, FILE *f)
{
	size_t c[4];
	count(r, c);
	put_json(f, "{\n  \"suite\": \"vplat-conform\",\n  \"pal\": ", r->pal);
	put_json(f, ",\n  \"started\": ", r->started);
	put_json(f, ",\n  \"host\": ", r->host);
	fprintf(f, ",\n  \"summary\": {\"total\": %zu, \"pass\": %zu, \"fail\": %zu, \"skip\": %zu, "
		   "\"error\": %zu},\n  \"results\": [",
		r->nrecs, c[VPLAT_PASS], c[VPLAT_FAIL], c[VPLAT_SKIP], c[VPLAT_ERROR]);
	for (size_t i = 0; i < r->nrecs; i++) {
		const struct vplat_t_record *x = &r->recs[i];
		fprintf(f, "%s\n    {\"test\": ", i ? "," : "");
		json_str(f, x->test->name);
		put_json(f, ", \"device\": ", x->device);
		put_json(f, ", \"requirements\": ", x->test->reqs);
		put_json(f, ", \"clause\": ", x->test->clause);
		fprintf(f, ", \"result\": \"%s\", \"checkpoint\": %d, \"detail\": ",
			vplat_result_name(x->result), x->checkpoint);
		json_str(f, x->detail);
		put_json(f, ", \"expected\": ", x->expected);
		put_json(f, ", \"seen\": ", x->seen);
		fprintf(f, ", \"seconds\": %.6f}", x->seconds);
	}
	fprintf(f, "\n  ]\n}\n");
	return done(f);
}

/* Does the space-separated list @p reqs contain @p id? */
static bool names(const char *reqs, const char *id)
{
	size_t n = strlen(id);
	for (const char *p = reqs; (p = strstr(p, id)) != NULL; p += n)
		if ((p == reqs || p[-1] == ' ') && (p[n] == 0 || p[n] == ' '))
			return true;
	return false;
}

static const char *css =
	"body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
	"table{border-collapse:collapse;width:100%;margin-bottom:2em}"
	"th,td{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}"
	"th{background:#f0f0f0}.PASS{color:#075e07;font-weight:bold}"
	".FAIL{color:#b00000;font-weight:bold}.SKIP{color:#8a6d00}.ERROR{color:#7a00b0;"
	"font-weight:bold}.NONE{color:#888}code{font-size:90%}.sum td{font-size:120%}"
	"details{margin:2px 0}";

static void html_rec(FILE *f, const struct vplat_t_record *x)
{
	const char *res = vplat_result_name(x->result);
	fprintf(f, "<div><span class=\"%s\">%s</span> <code>", res, res);
	xml(f, x->test->name);
	put_xml(f, "</code> on <code>", x->device);
	fprintf(f, "</code>");
	if (x->result == VPLAT_FAIL || x->result == VPLAT_ERROR) {
		put_xml(f, "<details open><summary>", x->detail);
		put_xml(f, "</summary>clause: <code>", x->test->clause);
		put_xml(f, "</code><br>expected: ", x->expected);
		put_xml(f, "<br>seen: ", x->seen);
		fprintf(f, "</details>");
	} else if (x->result == VPLAT_SKIP) {
		put_xml(f, " &mdash; ", x->detail);
	}
	fprintf(f, "</div>\n");
}

/* Worst result among the records naming @p id, or -1 if none. */
static int req_result(const struct vplat_report *r, const char *id)
{
	int worst = -1;
	static const int rank[4] = {1, 3, 0, 2}; /* SKIP < PASS < ERROR < FAIL */
	for (size_t i = 0; i < r->nrecs; i++) {
		if (!names(r->recs[i].test->reqs, id))
			continue;
		int res = (int)r->recs[i].result;
		if (worst < 0 || rank[res & 3] > rank[worst & 3])
			worst = res;
	}
	return worst;
}

int vplat_report_html(const struct vplat_report *r, FILE *f)
{
	size_t c[4];
	count(r, c);
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		   "<title>vplat conformance report</title><style>%s</style></head><body>\n", css);
	put_xml(f, "<h1>vplat conformance report</h1>\n<p>PAL <code>", r->pal);
	put_xml(f, "</code>, started ", r->started);
	put_xml(f, ", platform: ", r->host);
	fprintf(f, "</p>\n<table class=\"sum\"><tr><th>tests run</th><th>PASS</th><th>FAIL</th>"
		   "<th>SKIP</th><th>ERROR</th></tr><tr><td>%zu</td><td class=\"PASS\">%zu</td>"
		   "<td class=\"FAIL\">%zu</td><td class=\"SKIP\">%zu</td><td class=\"ERROR\">%zu"
		   "</td></tr></table>\n",
		r->nrecs, c[VPLAT_PASS], c[VPLAT_FAIL], c[VPLAT_SKIP], c[VPLAT_ERROR]);
	if (r->nreqs) {
		fprintf(f, "<h2>By requirement</h2>\n<table><tr><th>requirement</th><th>level</th>"
			   "<th>text and origin</th><th>result</th><th>tests</th></tr>\n");
		for (size_t k = 0; k < r->nreqs; k++) {
			const struct vplat_req *q = &r->reqs[k];
			int res = req_result(r, q->id);
			const char *rn = res < 0 ? "NONE" : vplat_result_name((enum vplat_result)res);
			fprintf(f, "<tr id=\"%s\"><td><code>%s</code></td><td>%s</td><td>", q->id,
				q->id, q->level);
			xml(f, q->text);
			put_xml(f, "<br><small>origin: ", q->origin);
			fprintf(f, "</small></td><td class=\"%s\">%s</td><td>", rn,
				res < 0 ? "not tested in this run" : rn);
			for (size_t i = 0; i < r->nrecs; i++)
				if (names(r->recs[i].test->reqs, q->id))
					html_rec(f, &r->recs[i]);
			fprintf(f, "</td></tr>\n");
		}
		fprintf(f, "</table>\n");
	}
	fprintf(f, "<h2>All tests</h2>\n<table><tr><th>test</th><th>device</th><th>requirements"
		   "</th><th>what it checks</th><th>result</th></tr>\n");
	for (size_t i = 0; i < r->nrecs; i++) {
		const struct vplat_t_record *x = &r->recs[i];
		put_xml(f, "<tr><td><code>", x->test->name);
		put_xml(f, "</code></td><td><code>", x->device);
		put_xml(f, "</code></td><td><code>", x->test->reqs);
		put_xml(f, "</code></td><td>", x->test->desc);
		fprintf(f, "</td><td>");
		html_rec(f, x);
		fprintf(f, "</td></tr>\n");
	}
	fprintf(f, "</table>\n<p><small>Generated by vplat-conform.</small></p></body></html>\n");
	return done(f);
}
