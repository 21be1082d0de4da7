/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the text parsers of host-end configuration that come from files and
 * command lines: an input device's event script (vplat_input_script_parse(), the `script=`
 * file of vplat-device input, vplat-xen and a description's input node) and a console port
 * spec (vplat_instance_console_port_parse(), `--port`, `port=`, a description's `ports`).
 * The first byte chooses the parser, the rest is the text (made NUL-terminated).
 * Invariants:
 *  - script: the result is 0, EINVAL or ENOMEM; a bad line's number is 1 .. lines in the
 *    text; parsing again gives the same result and line; the text with every line turned
 *    into a comment parses to nothing (the script is done at once); a script that parsed is
 *    left as it was by a bad text appended to it (still done / not done as before);
 *  - port: the result is 0 or EINVAL with a message; on success the ID is 1 .. 2^31 - 1, the
 *    name has no ':', the end is pty (no path) or log / listen / connect with a non-empty
 *    path inside the text, and the spec written back from the parts parses to the same port.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vplat/error.h"
#include "vplat/host/input_host.h"
#include "vplat/platform/instance.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_script(const char *text, size_t len)
{
	unsigned lines = 1;
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	struct vplat_input_script *s = vplat_input_script_new(), *s2 = vplat_input_script_new();
	if (!s || !s2)
		abort();
	unsigned line = 0, line2 = 0;
	int rc = vplat_input_script_parse(s, text, &line);
	if (rc != 0 && rc != VPLAT_EINVAL && rc != VPLAT_ENOMEM)
		abort();
	if (rc == VPLAT_EINVAL && (line < 1 || line > lines))
		abort(); /* the bad line is one of the text's */
	if (vplat_input_script_parse(s2, text, &line2) != rc || (rc == VPLAT_EINVAL && line2 != line))
		abort(); /* deterministic */
	if (rc == 0) {
		/* a bad text appended changes nothing */
		bool done = vplat_input_script_done(s);
		unsigned l3 = 0;
		if (vplat_input_script_parse(s, "syn\nno-such-step 1\n", &l3) != VPLAT_EINVAL || l3 != 2)
			abort();
		if (vplat_input_script_done(s) != done)
			abort();
	}
	vplat_input_script_free(s);
	vplat_input_script_free(s2);
	/* every line a comment: nothing to do */
	char *c = malloc(2 * len + 2);
	if (!c)
		abort();
	size_t k = 0;
	c[k++] = '#';
	for (size_t i = 0; i < len; i++) {
		c[k++] = text[i];
		if (text[i] == '\n')
			c[k++] = '#';
	}
	c[k] = '\0';
	s = vplat_input_script_new();
	if (!s)
		abort();
	rc = vplat_input_script_parse(s, c, &line);
	if (rc == VPLAT_EINVAL || (rc == 0 && !vplat_input_script_done(s)))
		abort();
	vplat_input_script_free(s);
	free(c);
}

static void fuzz_port(const char *text, size_t len)
{
	char *spec = malloc(len + 1), err[256];
	if (!spec)
		abort();
	memcpy(spec, text, len + 1);
	struct vplat_instance_console_port p;
	err[0] = '\0';
	int rc = vplat_instance_console_port_parse(spec, &p, err, sizeof(err));
	if (rc != 0) {
		if (rc != VPLAT_EINVAL || !err[0] || !memchr(err, '\0', sizeof(err)))
			abort();
		free(spec);
		return;
	}
	if (p.id < 1 || p.id > 0x7fffffffu || p.console || p.closed)
		abort();
	if (p.name && (!*p.name || strchr(p.name, ':') || p.name < spec || p.name >= spec + len))
		abort();
	if (p.end == VPLAT_INSTANCE_CONSOLE_PTY) {
		if (p.path)
			abort();
	} else if (p.end == VPLAT_INSTANCE_CONSOLE_LOG || p.end == VPLAT_INSTANCE_CONSOLE_LISTEN ||
		   p.end == VPLAT_INSTANCE_CONSOLE_CONNECT) {
		if (!p.path || !*p.path || p.path < spec || p.path >= spec + len)
			abort();
	} else {
		abort();
	}
	/* written back from the parts, it parses to the same port */
	static const char *const ends[] = {[VPLAT_INSTANCE_CONSOLE_PTY] = "pty",
					   [VPLAT_INSTANCE_CONSOLE_LISTEN] = "listen=",
					   [VPLAT_INSTANCE_CONSOLE_CONNECT] = "connect=",
					   [VPLAT_INSTANCE_CONSOLE_LOG] = "log="};
	size_t n = len + 32;
	char *again = malloc(n);
	if (!again)
		abort();
	snprintf(again, n, "%u:%s:%s%s", p.id, p.name ? p.name : "", ends[p.end],
		 p.path ? p.path : "");
	struct vplat_instance_console_port q;
	if (vplat_instance_console_port_parse(again, &q, NULL, 0) != 0 || q.id != p.id ||
	    q.end != p.end || !q.name != !p.name || (p.name && strcmp(q.name, p.name)) ||
	    !q.path != !p.path || (p.path && strcmp(q.path, p.path)))
		abort();
	free(again);
	free(spec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 65536)
		return 0;
	char *text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	size_t len = strlen(text); /* up to the first NUL, as a C string from a file or argv */
	if (data[0] & 1)
		fuzz_port(text, len);
	else
		fuzz_script(text, len);
	free(text);
	return 0;
}
