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
	if (r->version)
		fprintf(f, "# vplat-conform %s (revision %s)\n", r->version,
			r->revision ? r->revision : "unknown");
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
	if (r->version) {
		put_xml(f, "    <properties><property name=\"version\" value=\"", r->version);
		put_xml(f, "\"/><property name=\"revision\" value=\"", r->revision ? r->revision : "");
		put_xml(f, "\"/><property name=\"command_line\" value=\"", r->cmdline ? r->cmdline : "");
		fputs("\"/></properties>\n", f);
	}
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

/* A JSON string, or null for NULL. */
static void put_json_opt(FILE *f, const char *lit, const char *s)
{
	fputs(lit, f);
	if (s)
		json_str(f, s);
	else
		fputs("null", f);
}

int vplat_report_json(const struct vplat_report *r, FILE *f)
{
	size_t c[4];
	count(r, c);
	put_json(f, "{\n  \"suite\": \"vplat-conform\",\n  \"pal\": ", r->pal);
	put_json_opt(f, ",\n  \"version\": ", r->version);
	put_json_opt(f, ",\n  \"revision\": ", r->revision);
	put_json_opt(f, ",\n  \"command_line\": ", r->cmdline);
	put_json_opt(f, ",\n  \"reached\": ", r->reached);
	put_json(f, ",\n  \"started\": ", r->started);
	put_json(f, ",\n  \"host\": ", r->host);
	fprintf(f, ",\n  \"devices\": [");
	for (size_t i = 0; i < r->ndevs; i++) {
		const struct vplat_report_dev *d = &r->devs[i];
		put_json(f, i ? ",\n    {\"name\": " : "\n    {\"name\": ", d->name);
		fprintf(f, ", \"device_id\": %u", d->device_id);
		put_json(f, ", \"transport\": ", d->transport);
		fprintf(f, ", \"offered\": \"0x%llx\", \"negotiated\": \"0x%llx\"}",
			(unsigned long long)d->offered, (unsigned long long)d->negotiated);
	}
	fprintf(f, "%s],\n  \"summary\": {\"total\": %zu, \"pass\": %zu, \"fail\": %zu, "
		   "\"skip\": %zu, \"error\": %zu},\n  \"results\": [",
		r->ndevs ? "\n  " : "", r->nrecs, c[VPLAT_PASS], c[VPLAT_FAIL], c[VPLAT_SKIP],
		c[VPLAT_ERROR]);
	for (size_t i = 0; i < r->nrecs; i++) {
		const struct vplat_t_record *x = &r->recs[i];
		fprintf(f, "%s\n    {\"test\": ", i ? "," : "");
		json_str(f, x->test->name);
		put_json(f, ", \"device\": ", x->device);
		put_json(f, ", \"requirements\": ", x->test->reqs);
		put_json(f, ", \"clause\": ", x->test->clause);
		put_json(f, ", \"description\": ", x->test->desc);
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

/* The report leads with the verdict: identity and counts, then failures, then the rest. */
static const char *css =
	"body{font-family:system-ui,sans-serif;margin:1em auto;max-width:80em;padding:0 1em;"
	"color:#222;line-height:1.35}"
	"h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.2em;margin:1.2em 0 .4em}"
	".verdict{padding:.5em .8em;border-radius:4px;font-weight:bold;margin:.4em 0}"
	".v-bad{background:#fde8e8;color:#8b0000}.v-good{background:#e6f4e6;color:#075e07}"
	".wrap{overflow-x:auto;-webkit-overflow-scrolling:touch}"
	"table{border-collapse:collapse;width:100%;margin-bottom:1em}"
	"th,td{border:1px solid #ccc;padding:3px 6px;vertical-align:top;text-align:left}"
	"th{background:#f0f0f0}table.id th{width:12em}"
	".PASS{color:#075e07;font-weight:bold}.FAIL{color:#b00000;font-weight:bold}"
	".SKIP{color:#8a6d00}.ERROR{color:#7a00b0;font-weight:bold}.NONE{color:#888}"
	"code{font-size:90%;background:#f4f4f4;padding:0 2px;word-break:break-word}"
	".counts a{display:inline-block;margin:0 .6em .3em 0;padding:.2em .6em;border:1px solid #ccc;"
	"border-radius:4px;text-decoration:none;color:inherit}"
	"#failures h2{color:#b00000}"
	"small{color:#555}details{margin:.4em 0}summary{cursor:pointer}"
	"body[data-f=PASS] tr.res:not(.r-PASS),body[data-f=FAIL] tr.res:not(.r-FAIL),"
	"body[data-f=SKIP] tr.res:not(.r-SKIP),body[data-f=ERROR] tr.res:not(.r-ERROR)"
	"{display:none}"
	"@media (max-width:40em){body{margin:.3em;padding:0 .3em}table.fail tr{display:block;"
	"border-bottom:2px solid #999}table.fail td{display:block;border:0}table.fail th{display:none}}"
	"@media print{.counts,.filter{display:none}a{color:inherit;text-decoration:none}"
	"tr{break-inside:avoid}}";

/* Filter buttons set body[data-f]; the links work without script too. */
static const char *script =
	"document.addEventListener('click',function(e){var a=e.target.closest('[data-f]');"
	"if(a)document.body.setAttribute('data-f',a.getAttribute('data-f'));});";

/* Escape @p s, rendering markdown `code spans` as <code>. */
static void md(FILE *f, const char *s)
{
	bool in = false;
	for (; s && *s; s++) {
		if (*s == '`' && (in || strchr(s + 1, '`'))) {
			fputs(in ? "</code>" : "<code>", f);
			in = !in;
			continue;
		}
		char one[2] = {*s, 0};
		xml(f, one);
	}
	if (in)
		fputs("</code>", f);
}

static const char *dev_type_name(uint32_t id)
{
	switch (id) {
	case 1: return "network";
	case 2: return "block";
	case 3: return "console";
	case 4: return "entropy";
	case 35: return "watchdog";
	case 36: return "CAN";
	case 41: return "GPIO";
	case 34: return "I2C";
	case 18: return "input";
	case 19: return "vsock";
	case 25: return "sound";
	default: return "device";
	}
}

/* Spec chapter word of a device type (chapter files are NN-word.md). */
static const char *dev_chapter(uint32_t id)
{
	switch (id) {
	case 1: return "network";
	case 2: return "block";
	case 3: return "console";
	case 4: return "entropy";
	case 35: return "watchdog";
	case 36: return "can";
	case 41: return "gpio";
	case 34: return "i2c";
	case 18: return "input";
	case 19: return "vsock";
	case 25: return "sound";
	default: return NULL;
	}
}

/* Does requirement @p q belong to the run: named by a test that ran, in a chapter that is not
 * a device chapter, or in the chapter of a device type in the run? */
static bool req_in_run(const struct vplat_report *r, const struct vplat_req *q, bool tested)
{
	static const char *const dev_words[] = {"network", "block", "console", "entropy",
						"watchdog", "can", "gpio", "shmem", "i2c",
						"input", "vsock", "sound"};
	if (tested)
		return true;
	bool device_chapter = false;
	for (size_t i = 0; i < sizeof(dev_words) / sizeof(dev_words[0]); i++)
		if (strstr(q->chapter, dev_words[i]))
			device_chapter = true;
	if (!device_chapter)
		return true;
	for (size_t i = 0; i < r->ndevs; i++) {
		const char *w = dev_chapter(r->devs[i].device_id);
		if (w && strstr(q->chapter, w))
			return true;
	}
	return false;
}

static const struct vplat_req *find_req(const struct vplat_report *r, const char *id, size_t n)
{
	for (size_t k = 0; k < r->nreqs; k++)
		if (strlen(r->reqs[k].id) == n && !strncmp(r->reqs[k].id, id, n))
			return &r->reqs[k];
	return NULL;
}

static void html_rec(FILE *f, const struct vplat_t_record *x)
{
	const char *res = vplat_result_name(x->result);
	fprintf(f, "<div><span class=\"%s\">%s</span> <code>", res, res);
	xml(f, x->test->name);
	put_xml(f, "</code> on <code>", x->device);
	fprintf(f, "</code>");
	if (x->result == VPLAT_FAIL || x->result == VPLAT_ERROR) {
		fputs("<details open><summary>", f);
		md(f, x->detail);
		put_xml(f, "</summary>clause: <code>", x->test->clause);
		fputs("</code><br>expected: ", f);
		md(f, x->expected);
		fputs("<br>seen: ", f);
		md(f, x->seen);
		fprintf(f, "</details>");
	} else if (x->result == VPLAT_SKIP) {
		fputs(" &mdash; ", f);
		md(f, x->detail);
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

static void html_header(FILE *f, const struct vplat_report *r, const size_t c[4])
{
	size_t bad = c[VPLAT_FAIL] + c[VPLAT_ERROR];
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		   "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
		   "<title>vplat conformance report: %s</title><style>%s</style></head><body>\n",
		bad ? "FAIL" : "PASS", css);
	fprintf(f, "<h1>vplat conformance report</h1>\n");
	if (bad)
		fprintf(f, "<p class=\"verdict v-bad\" id=\"verdict\">Not conformant: %zu FAIL, %zu "
			   "ERROR of %zu tests</p>\n", c[VPLAT_FAIL], c[VPLAT_ERROR], r->nrecs);
	else
		fprintf(f, "<p class=\"verdict v-good\" id=\"verdict\">No failures: %zu PASS, %zu SKIP "
			   "of %zu tests</p>\n", c[VPLAT_PASS], c[VPLAT_SKIP], r->nrecs);
	fprintf(f, "<p class=\"counts\"><a href=\"#failures\" data-f=\"FAIL\" class=\"FAIL\">%zu FAIL"
		   "</a><a href=\"#failures\" data-f=\"ERROR\" class=\"ERROR\">%zu ERROR</a>"
		   "<a href=\"#tests\" data-f=\"PASS\" class=\"PASS\">%zu PASS</a>"
		   "<a href=\"#tests\" data-f=\"SKIP\" class=\"SKIP\">%zu SKIP</a>"
		   "<a href=\"#tests\" data-f=\"all\">all %zu tests</a>"
		   "<a href=\"#requirements\">requirements</a></p>\n",
		c[VPLAT_FAIL], c[VPLAT_ERROR], c[VPLAT_PASS], c[VPLAT_SKIP], r->nrecs);
	fputs("<div class=\"wrap\"><table class=\"id\">", f);
	fputs("<tr><th>device under test</th><td>", f);
	if (!r->ndevs)
		fputs("<small>not recorded</small>", f);
	for (size_t i = 0; i < r->ndevs; i++) {
		const struct vplat_report_dev *d = &r->devs[i];
		put_xml(f, i ? "<br><code>" : "<code>", d->name);
		fprintf(f, "</code>: %s (virtio ID %u) over ", dev_type_name(d->device_id), d->device_id);
		xml(f, d->transport);
		if (d->offered || d->negotiated)
			fprintf(f, "; features offered <code>0x%llx</code>, negotiated "
				   "<code>0x%llx</code>",
				(unsigned long long)d->offered, (unsigned long long)d->negotiated);
	}
	put_xml(f, "</td></tr>\n<tr><th>how it was reached</th><td>PAL <code>", r->pal);
	fputs("</code>", f);
	if (r->reached && *r->reached)
		put_xml(f, " with <code>", r->reached), fputs("</code>", f);
	put_xml(f, "</td></tr>\n<tr><th>suite</th><td>vplat-conform ", r->version ? r->version : "?");
	if (r->revision && *r->revision)
		put_xml(f, " (revision <code>", r->revision), fputs("</code>)", f);
	fputs("</td></tr>\n", f);
	if (r->cmdline)
		put_xml(f, "<tr><th>command line</th><td><code>", r->cmdline), fputs("</code></td></tr>\n", f);
	put_xml(f, "<tr><th>started</th><td>", r->started);
	put_xml(f, " on ", r->host);
	fputs("</td></tr></table></div>\n", f);
}

static void html_failures(FILE *f, const struct vplat_report *r, size_t bad)
{
	fprintf(f, "<section id=\"failures\"><h2>Failures (%zu)</h2>\n", bad);
	if (!bad) {
		fputs("<p>None: every test passed or was skipped.</p></section>\n", f);
		return;
	}
	fputs("<div class=\"wrap\"><table class=\"fail\"><tr><th>requirement</th><th>level</th>"
	      "<th>origin</th><th>requirement text</th><th>expected / seen</th><th>test</th></tr>\n",
	      f);
	for (size_t i = 0; i < r->nrecs; i++) {
		const struct vplat_t_record *x = &r->recs[i];
		if (x->result != VPLAT_FAIL && x->result != VPLAT_ERROR)
			continue;
		const char *rn = vplat_result_name(x->result);
		fprintf(f, "<tr class=\"failrow r-%s\">", rn);
		/* One cell each for IDs, levels, origins and texts, a line per requirement. */
		for (int col = 0; col < 4; col++) {
			fputs("<td>", f);
			const char *p = x->test->reqs;
			bool first = true;
			while (p && *p) {
				while (*p == ' ')
					p++;
				size_t n = strcspn(p, " ");
				if (!n)
					break;
				const struct vplat_req *q = find_req(r, p, n);
				if (!first)
					fputs("<br>", f);
				first = false;
				if (col == 0) {
					fputs("<a href=\"#", f);
					fwrite(p, 1, n, f);
					fputs("\"><code>", f);
					fwrite(p, 1, n, f);
					fputs("</code></a>", f);
				} else if (q) {
					if (col == 1)
						xml(f, q->level);
					else if (col == 2)
						md(f, q->origin);
					else
						md(f, q->text);
				}
				p += n;
			}
			fputs("</td>", f);
		}
		fputs("<td>expected: ", f);
		md(f, x->expected);
		fputs("<br>seen: ", f);
		md(f, x->seen);
		fprintf(f, "</td><td><span class=\"%s\">%s</span> <code>", rn, rn);
		xml(f, x->test->name);
		put_xml(f, "</code> on <code>", x->device);
		fputs("</code>", f);
		if (x->checkpoint)
			fprintf(f, ", checkpoint %d", x->checkpoint);
		if (x->test->clause && *x->test->clause)
			put_xml(f, "<br><small>clause ", x->test->clause), fputs("</small>", f);
		fputs("<br><small>", f);
		md(f, x->detail);
		fputs("</small></td></tr>\n", f);
	}
	fputs("</table></div></section>\n", f);
}

static void html_req_row(FILE *f, const struct vplat_report *r, const struct vplat_req *q, int res)
{
	const char *rn = res < 0 ? "NONE" : vplat_result_name((enum vplat_result)res);
	fprintf(f, "<tr id=\"%s\" class=\"res r-%s\"><td><code>%s</code></td><td>%s</td><td>", q->id,
		rn, q->id, q->level);
	md(f, q->text);
	fputs("<br><small>origin: ", f);
	md(f, q->origin);
	fprintf(f, "</small></td><td class=\"%s\">%s</td><td>", rn,
		res < 0 ? "not tested in this run" : rn);
	for (size_t i = 0; i < r->nrecs; i++)
		if (names(r->recs[i].test->reqs, q->id))
			html_rec(f, &r->recs[i]);
	fprintf(f, "</td></tr>\n");
}

static const char req_head[] = "<div class=\"wrap\"><table><tr><th>requirement</th><th>level</th>"
			       "<th>text and origin</th><th>result</th><th>tests</th></tr>\n";

int vplat_report_html(const struct vplat_report *r, FILE *f)
{
	size_t c[4];
	count(r, c);
	html_header(f, r, c);
	html_failures(f, r, c[VPLAT_FAIL] + c[VPLAT_ERROR]);
	fputs("<p class=\"filter\">Show: <a href=\"#tests\" data-f=\"all\">all</a> | "
	      "<a href=\"#tests\" data-f=\"FAIL\">FAIL</a> | <a href=\"#tests\" data-f=\"ERROR\">ERROR"
	      "</a> | <a href=\"#tests\" data-f=\"SKIP\">SKIP</a> | <a href=\"#tests\" data-f=\"PASS\">"
	      "PASS</a></p>\n", f);
	if (r->nreqs) {
		size_t nother = 0;
		fputs("<section id=\"requirements\"><h2>By requirement</h2>\n", f);
		fputs(req_head, f);
		for (size_t k = 0; k < r->nreqs; k++) {
			int res = req_result(r, r->reqs[k].id);
			if (req_in_run(r, &r->reqs[k], res >= 0))
				html_req_row(f, r, &r->reqs[k], res);
			else
				nother++;
		}
		fputs("</table></div>\n", f);
		if (nother) {
			fprintf(f, "<details id=\"other-requirements\"><summary>%zu requirements of device "
				   "types not in this run</summary>\n%s", nother, req_head);
			for (size_t k = 0; k < r->nreqs; k++) {
				int res = req_result(r, r->reqs[k].id);
				if (!req_in_run(r, &r->reqs[k], res >= 0))
					html_req_row(f, r, &r->reqs[k], res);
			}
			fputs("</table></div></details>\n", f);
		}
		fputs("</section>\n", f);
	}
	fprintf(f, "<section id=\"tests\"><h2>All tests</h2>\n<div class=\"wrap\"><table><tr><th>test"
		   "</th><th>device</th><th>requirements</th><th>what it checks</th><th>result</th>"
		   "</tr>\n");
	for (size_t i = 0; i < r->nrecs; i++) {
		const struct vplat_t_record *x = &r->recs[i];
		fprintf(f, "<tr class=\"res r-%s\"><td><code>", vplat_result_name(x->result));
		xml(f, x->test->name);
		put_xml(f, "</code></td><td><code>", x->device);
		put_xml(f, "</code></td><td><code>", x->test->reqs);
		fputs("</code></td><td>", f);
		md(f, x->test->desc);
		fprintf(f, "</td><td>");
		html_rec(f, x);
		fprintf(f, "</td></tr>\n");
	}
	fprintf(f, "</table></div></section>\n<p><small>Generated by vplat-conform %s.</small></p>\n"
		   "<script>%s</script></body></html>\n",
		r->version ? r->version : "", script);
	return done(f);
}
