/* SPDX-License-Identifier: BSD-3-Clause */
/* Platform description, input device: a host evdev device, or a scripted event stream with
 * keyboard and touchscreen capabilities (docs/platform-binding.md). */
#include "platform_parse.h"

#ifdef VPLAT_HAVE_LIBFDT
#include <libfdt.h>
#include <string.h>
#include "vplat/error.h"

static const char *const input_props[] = {"evdev",       "evdev-grab", "script",
					  "keyboard",    "touchscreen", "input-name",
					  "input-serial", NULL};

static int parse_input(struct vplat_pf_ctx *c, int node, struct pf_dev *d)
{
	struct vplat_instance_input *o = &d->input;
	int rc = get_str(c, node, "evdev", &o->evdev);
	if (rc < 0)
		return rc;
	if (rc > 0) {
		static const char *const script_only[] = {"script", "keyboard", "touchscreen",
							  "input-name", "input-serial"};
		for (unsigned i = 0; i < sizeof(script_only) / sizeof(script_only[0]); i++)
			if (has_prop(c, node, script_only[i]))
				return FAIL(c, VPLAT_EINVAL, node, script_only[i],
					    "only for a scripted device; an \"evdev\" device brings "
					    "its own capabilities");
		o->backend = VPLAT_INSTANCE_INPUT_EVDEV;
		return get_bool(c, node, "evdev-grab", &o->grab) < 0 ? -1 : 0;
	}
	if (has_prop(c, node, "evdev-grab"))
		return FAIL(c, VPLAT_EINVAL, node, "evdev-grab", "needs \"evdev\"");
	o->backend = VPLAT_INSTANCE_INPUT_SCRIPT;
	if ((rc = get_str(c, node, "script", &o->script)) < 0 ||
	    (rc = get_str(c, node, "input-name", &o->name)) < 0 ||
	    (rc = get_str(c, node, "input-serial", &o->serial)) < 0 ||
	    (rc = get_bool(c, node, "keyboard", &o->keyboard)) < 0)
		return rc;
	if ((o->name && strlen(o->name) > 128) || (o->serial && strlen(o->serial) > 128))
		return FAIL(c, VPLAT_ERANGE, node, o->name && strlen(o->name) > 128 ? "input-name"
										   : "input-serial",
			    "longer than 128 bytes");
	int len;
	const fdt32_t *v = fdt_getprop(c->fdt, node, "touchscreen", &len);
	if (!v)
		return 0;
	if (len != 12)
		return FAIL(c, VPLAT_EINVAL, node, "touchscreen", "must be <width height slots>");
	uint32_t w = fdt32_to_cpu(v[0]), h = fdt32_to_cpu(v[1]), s = fdt32_to_cpu(v[2]);
	if (!w || w > 65536 || !h || h > 65536 || s > 16)
		return FAIL(c, VPLAT_ERANGE, node, "touchscreen",
			    "<%u %u %u>: width and height 1..65536, slots 0..16", w, h, s);
	o->touch = true;
	o->width = w;
	o->height = h;
	o->slots = s;
	return 0;
}

const struct vplat_pf_type_parser vplat_pf_parser_input = {.props = input_props,
							    .parse = parse_input};

#endif /* VPLAT_HAVE_LIBFDT */
