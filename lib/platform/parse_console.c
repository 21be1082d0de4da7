/* SPDX-License-Identifier: BSD-3-Clause */
/* Platform description, console: its one host end (docs/platform-binding.md). */
#include "platform_parse.h"

#ifdef VPLAT_HAVE_LIBFDT
#include <libfdt.h>
#include <string.h>
#include "vplat/error.h"

static const char *const console_props[] = {"stdio", "pty", "socket", "connect", "log", NULL};

static int parse_console(struct vplat_pf_ctx *c, int node, struct pf_dev *d)
{
	static const struct {
		const char *prop;
		enum pf_console_kind kind;
		bool path;
	} ends[] = {{"stdio", PF_CON_STDIO, false},   {"pty", PF_CON_PTY, false},
		    {"socket", PF_CON_SOCKET, true},  {"connect", PF_CON_CONNECT, true},
		    {"log", PF_CON_LOG, true}};
	for (unsigned i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		bool b = false;
		int rc = ends[i].path ? get_str(c, node, ends[i].prop, &d->con_path)
				      : get_bool(c, node, ends[i].prop, &b);
		if (rc < 0)
			return rc;
		if (rc == 0)
			continue;
		if (d->con_kind != PF_CON_NONE)
			return FAIL(c, VPLAT_EINVAL, node, ends[i].prop,
				    "a console has one host end; another one is already given");
		d->con_kind = ends[i].kind;
	}
	if (d->con_kind == PF_CON_NONE)
		return FAIL(c, VPLAT_ENOENT, node, NULL,
			    "missing host end: give one of \"stdio\", \"pty\", \"socket\", "
			    "\"connect\" or \"log\"");
	return 0;
}

const struct vplat_pf_type_parser vplat_pf_parser_console = {
	.props = console_props, .parse = parse_console};

#endif /* VPLAT_HAVE_LIBFDT */
