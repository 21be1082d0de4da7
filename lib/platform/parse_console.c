/* SPDX-License-Identifier: BSD-3-Clause */
/* Platform description, console: its one host end (docs/platform-binding.md). */
#include "platform_parse.h"

#ifdef VPLAT_HAVE_LIBFDT
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>
#include "vplat/platform/instance.h"
#include "vplat/error.h"

static const char *const console_props[] = {"stdio", "pty", "socket", "connect", "log",
					    "max-ports", "ports", NULL};

/* max-ports and ports: a multiport console's further ports, "ID:NAME:END" each (the form
 * vplat_instance_console_port_parse() takes). */
static int parse_ports(struct vplat_pf_ctx *c, int node, struct pf_dev *d)
{
	int rc = get_u32_range(c, node, "max-ports", &d->con_max_ports, 1, 0x7fffffffu);
	if (rc < 0)
		return rc;
	int len;
	const char *list = fdt_getprop(c->fdt, node, "ports", &len);
	if (!list)
		return 0;
	int n = fdt_stringlist_count(c->fdt, node, "ports");
	if (n <= 0)
		return FAIL(c, VPLAT_EINVAL, node, "ports",
			    "must be a list of strings \"ID:NAME:END\"");
	if (!(d->con_text = malloc((size_t)len)) ||
	    !(d->con_ports = calloc((size_t)n, sizeof(*d->con_ports))))
		return VPLAT_ENOMEM;
	memcpy(d->con_text, list, (size_t)len);
	char *s = d->con_text;
	for (int i = 0; i < n; i++) {
		char err[160];
		size_t l = strlen(s);
		struct vplat_instance_console_port *pt = &d->con_ports[i];
		if (vplat_instance_console_port_parse(s, pt, err, sizeof(err)))
			return FAIL(c, VPLAT_EINVAL, node, "ports", "entry %d: %s", i, err);
		if (d->con_max_ports && pt->id >= d->con_max_ports)
			return FAIL(c, VPLAT_ERANGE, node, "ports",
				    "port %u is outside 1..%u (max-ports %u)", pt->id,
				    d->con_max_ports - 1u, d->con_max_ports);
		for (int j = 0; j < i; j++)
			if (d->con_ports[j].id == pt->id)
				return FAIL(c, VPLAT_EEXIST, node, "ports",
					    "port %u is given twice", pt->id);
		d->con_nports++;
		s += l + 1;
	}
	return 0;
}

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
	return parse_ports(c, node, d);
}

const struct vplat_pf_type_parser vplat_pf_parser_console = {
	.props = console_props, .parse = parse_console};

#endif /* VPLAT_HAVE_LIBFDT */
