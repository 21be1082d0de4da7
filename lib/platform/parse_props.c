/* SPDX-License-Identifier: BSD-3-Clause */
/* Platform description: property helpers shared by the structure walk (platform.c) and the
 * per-device-type parsers (parse_<type>.c). */
#include "platform_parse.h"

#ifdef VPLAT_HAVE_LIBFDT
#include <libfdt.h>
#include <stdio.h>
#include <string.h>
#include "vplat/error.h"

const char *vplat_pf_node_path(struct vplat_pf_ctx *c, int node)
{
	if (fdt_get_path(c->fdt, node, c->path, sizeof(c->path)))
		snprintf(c->path, sizeof(c->path), "<node at offset %d>", node);
	return c->path;
}

int vplat_pf_fail_at(struct vplat_pf_ctx *c, int rc, int node, const char *prop,
		     const char *fmt, ...)
{
	char msg[384];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (prop)
		return vplat_pf_error(c->err, c->errlen, rc, "%s: property \"%s\": %s", node_path(c, node),
				prop, msg);
	return vplat_pf_error(c->err, c->errlen, rc, "%s: %s", node_path(c, node), msg);
}

bool vplat_pf_has_prop(struct vplat_pf_ctx *c, int node, const char *name)
{
	return fdt_getprop(c->fdt, node, name, NULL) != NULL;
}

/* A u32 (one cell). 1: found, 0: absent, <0: error. */
int vplat_pf_get_u32(struct vplat_pf_ctx *c, int node, const char *name, uint32_t *v)
{
	int len;
	const fdt32_t *d = fdt_getprop(c->fdt, node, name, &len);
	if (!d)
		return 0;
	if (len != 4)
		return FAIL(c, VPLAT_EINVAL, node, name, "must be one cell (4 bytes), has %d bytes",
			    len);
	*v = fdt32_ld(d);
	return 1;
}

/* A u64: one cell or /bits/ 64 (two cells). */
int vplat_pf_get_u64(struct vplat_pf_ctx *c, int node, const char *name, uint64_t *v)
{
	int len;
	const void *d = fdt_getprop(c->fdt, node, name, &len);
	if (!d)
		return 0;
	if (len == 4)
		*v = fdt32_ld(d);
	else if (len == 8)
		*v = fdt64_ld(d);
	else
		return FAIL(c, VPLAT_EINVAL, node, name,
			    "must be one cell or /bits/ 64 (4 or 8 bytes), has %d bytes", len);
	return 1;
}

int vplat_pf_get_u32_range(struct vplat_pf_ctx *c, int node, const char *name, uint32_t *v,
			   uint32_t lo, uint32_t hi)
{
	int rc = get_u32(c, node, name, v);
	if (rc > 0 && (*v < lo || *v > hi))
		return FAIL(c, VPLAT_ERANGE, node, name, "%u is out of range %u..%u", *v, lo, hi);
	return rc;
}

/* A non-empty NUL-terminated string. */
int vplat_pf_get_str(struct vplat_pf_ctx *c, int node, const char *name, const char **v)
{
	int len;
	const char *d = fdt_getprop(c->fdt, node, name, &len);
	if (!d)
		return 0;
	if (len < 2 || d[len - 1] != '\0' || strlen(d) != (size_t)len - 1)
		return FAIL(c, VPLAT_EINVAL, node, name, "must be one non-empty string");
	*v = d;
	return 1;
}

/* An empty (boolean) property. */
int vplat_pf_get_bool(struct vplat_pf_ctx *c, int node, const char *name, bool *v)
{
	int len;
	if (!fdt_getprop(c->fdt, node, name, &len))
		return 0;
	if (len != 0)
		return FAIL(c, VPLAT_EINVAL, node, name, "is a boolean and takes no value");
	*v = true;
	return 1;
}

int vplat_pf_find_named(struct vplat_pf_ctx *c, int node, const char *prop, bool sw, int *idx)
{
	const char *name;
	int rc = get_str(c, node, prop, &name);
	if (rc <= 0)
		return rc;
	unsigned n = sw ? c->p->nswitches : c->p->nbuses;
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(name, sw ? c->p->switches[i].name : c->p->buses[i].name)) {
			*idx = (int)i;
			return 1;
		}
	return FAIL(c, VPLAT_ENOENT, node, prop, "no %s named \"%s\" is declared under %s",
		    sw ? "switch" : "CAN bus", name, sw ? "/switches" : "/can-buses");
}

#endif /* VPLAT_HAVE_LIBFDT */
