/* SPDX-License-Identifier: BSD-3-Clause */
/* Platform description, GPIO device: simulated lines, their names, the control socket, or a
 * host GPIO chip (docs/platform-binding.md). */
#include "platform_parse.h"

#ifdef VPLAT_HAVE_LIBFDT
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>
#include "vplat/error.h"

static const char *const gpio_props[] = {"ngpios", "gpio-line-names", "control-socket",
					 "gpio-chip", "loop-wires", NULL};

static int parse_gpio(struct vplat_pf_ctx *c, int node, struct pf_dev *d)
{
	int rc = get_str(c, node, "gpio-chip", &d->gpio_chip);
	if (rc < 0)
		return rc;
	if (rc > 0) {
		static const char *const sim_only[] = {"ngpios", "gpio-line-names",
						       "control-socket", "loop-wires"};
		for (unsigned i = 0; i < sizeof(sim_only) / sizeof(sim_only[0]); i++)
			if (has_prop(c, node, sim_only[i]))
				return FAIL(c, VPLAT_EINVAL, node, sim_only[i],
					    "only for the simulator; a \"gpio-chip\" brings its own "
					    "lines and names");
		return 0;
	}
	rc = get_u32_range(c, node, "ngpios", &d->ngpios, 1, PF_MAX_GPIO_LINES);
	if (rc == 0)
		return FAIL(c, VPLAT_ENOENT, node, "ngpios",
			    "missing host end: the simulator needs its number of lines");
	if (rc < 0 || (rc = get_str(c, node, "control-socket", &d->control)) < 0)
		return rc;
	if (has_prop(c, node, "loop-wires") && d->ngpios < 2)
		return FAIL(c, VPLAT_ERANGE, node, "loop-wires",
			    "a wire needs two lines; the device has %u", d->ngpios);
	if ((rc = get_u32_range(c, node, "loop-wires", &d->loop_wires, 1, d->ngpios / 2u)) < 0)
		return rc;
	int len;
	const char *names = fdt_getprop(c->fdt, node, "gpio-line-names", &len);
	if (!names)
		return 0;
	int n = fdt_stringlist_count(c->fdt, node, "gpio-line-names");
	if (n < 0)
		return FAIL(c, VPLAT_EINVAL, node, "gpio-line-names", "must be a list of strings");
	if ((uint32_t)n != d->ngpios)
		return FAIL(c, VPLAT_EINVAL, node, "gpio-line-names",
			    "has %d names for %u lines (one per line, \"\" for unnamed)", n,
			    d->ngpios);
	d->line_names = calloc((size_t)n, sizeof(*d->line_names));
	if (!d->line_names)
		return VPLAT_ENOMEM;
	for (int i = 0; i < n; i++) {
		const char *s = fdt_stringlist_get(c->fdt, node, "gpio-line-names", i, NULL);
		if (!s)
			return FAIL(c, VPLAT_EINVAL, node, "gpio-line-names", "unreadable name %d", i);
		if (strlen(s) > 31)
			return FAIL(c, VPLAT_ERANGE, node, "gpio-line-names",
				    "name %d (\"%s\") is longer than 31 bytes", i, s);
		for (const char *q = s; *q; q++)
			if ((unsigned char)*q > 0x7f)
				return FAIL(c, VPLAT_EINVAL, node, "gpio-line-names",
					    "name %d is not 7-bit ASCII", i);
		for (int j = 0; j < i && *s; j++)
			if (!strcmp(s, d->line_names[j]))
				return FAIL(c, VPLAT_EEXIST, node, "gpio-line-names",
					    "name \"%s\" is given to lines %d and %d", s, j, i);
		d->line_names[i] = s;
	}
	return 0;
}

const struct vplat_pf_type_parser vplat_pf_parser_gpio = {.props = gpio_props, .parse = parse_gpio};

#endif /* VPLAT_HAVE_LIBFDT */
