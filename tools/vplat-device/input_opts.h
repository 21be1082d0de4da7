/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Input device options shared by vplat-device input (--touch WxH[,slots=N], ...) and
 * vplat-xen (--dev input,touch=WxH,slots=N,...): one parser for both tools.
 */
#ifndef VPLAT_TOOLS_INPUT_OPTS_H
#define VPLAT_TOOLS_INPUT_OPTS_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "vplat/platform/instance.h"

/* "WxH" or "WxH,slots=N" into @p o (touch on); false if malformed or out of range. */
static inline bool input_opts_touch(const char *s, struct vplat_instance_input *o)
{
	unsigned w, h, n = o->slots;
	int used = 0;

	if (sscanf(s, "%ux%u%n", &w, &h, &used) != 2)
		return false;
	if (s[used] && sscanf(s + used, ",slots=%u%n", &n, &used) != 1)
		return false;
	if (!w || w > 65536 || !h || h > 65536 || n > 16)
		return false;
	o->touch = true;
	o->width = w;
	o->height = h;
	o->slots = n;
	return true;
}

/*
 * One KEY[=VALUE] of the key=value form (vplat-xen's --dev input,...): keyboard, touch=WxH,
 * slots=N, script=PATH, name=NAME, serial=SERIAL, evdev=DEV, grab. @p v is NULL for a bare key.
 * Returns true if the key was known and well formed.
 */
static inline bool input_opts_kv(struct vplat_instance_input *o, const char *k, const char *v)
{
	unsigned n;
	int used = 0;

	if (!strcmp(k, "keyboard") && !v)
		return o->keyboard = true;
	if (!strcmp(k, "grab") && !v)
		return o->grab = true;
	if (!v)
		return false;
	if (!strcmp(k, "touch"))
		return input_opts_touch(v, o);
	if (!strcmp(k, "slots")) {
		if (sscanf(v, "%u%n", &n, &used) != 1 || v[used] || n > 16)
			return false;
		o->slots = n;
		return true;
	}
	if (!strcmp(k, "script"))
		return o->script = v, true;
	if (!strcmp(k, "name"))
		return strlen(v) <= 128 && (o->name = v, true);
	if (!strcmp(k, "serial"))
		return strlen(v) <= 128 && (o->serial = v, true);
	if (!strcmp(k, "evdev"))
		return o->evdev = v, o->backend = VPLAT_INSTANCE_INPUT_EVDEV, true;
	return false;
}

/* The combinations both tools refuse: NULL if @p o is consistent, else why not. */
static inline const char *input_opts_check(const struct vplat_instance_input *o)
{
	if (o->evdev && (o->keyboard || o->touch || o->script || o->name || o->serial))
		return "evdev serves a host device: it excludes keyboard, touch, script, name "
		       "and serial";
	if (o->grab && !o->evdev)
		return "grab needs evdev";
	if (o->slots && !o->touch)
		return "slots needs touch";
	return NULL;
}

#endif
