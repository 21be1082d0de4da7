/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Platform description parsing: what platform.c (structure: root, VMs, switches, buses,
 * the properties every device has) shares with the per-device-type parsers (parse_<type>.c,
 * one per device type, each checking that type's own properties). Not installed; only with
 * libfdt.
 */
#ifndef VPLAT_PLATFORM_PARSE_H
#define VPLAT_PLATFORM_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "platform_internal.h"

/* Parsing context. */
struct vplat_pf_ctx {
	struct vplat_platform *p;
	const void *fdt;
	char *err;
	size_t errlen;
	char path[512];
};

/* Property helpers (parse_props.c). Each error message names the node path and property. */
const char *vplat_pf_node_path(struct vplat_pf_ctx *c, int node);
__attribute__((format(printf, 5, 6))) int vplat_pf_fail_at(struct vplat_pf_ctx *c, int rc,
							     int node, const char *prop,
							     const char *fmt, ...);
bool vplat_pf_has_prop(struct vplat_pf_ctx *c, int node, const char *name);
/* The getters return 1: found, 0: absent, <0: error (message in c->err). */
int vplat_pf_get_u32(struct vplat_pf_ctx *c, int node, const char *name, uint32_t *v);
int vplat_pf_get_u64(struct vplat_pf_ctx *c, int node, const char *name, uint64_t *v);
int vplat_pf_get_u32_range(struct vplat_pf_ctx *c, int node, const char *name, uint32_t *v,
			   uint32_t lo, uint32_t hi);
int vplat_pf_get_str(struct vplat_pf_ctx *c, int node, const char *name, const char **v);
int vplat_pf_get_bool(struct vplat_pf_ctx *c, int node, const char *name, bool *v);
/* A switch (@p sw) or CAN bus named by property @p prop: its index in *@p idx. */
int vplat_pf_find_named(struct vplat_pf_ctx *c, int node, const char *prop, bool sw, int *idx);

/* Short names used by the parsers. */
#define FAIL(c, rc, node, prop, ...) vplat_pf_fail_at(c, rc, node, prop, __VA_ARGS__)
#define node_path vplat_pf_node_path
#define has_prop vplat_pf_has_prop
#define get_u32 vplat_pf_get_u32
#define get_u64 vplat_pf_get_u64
#define get_u32_range vplat_pf_get_u32_range
#define get_str vplat_pf_get_str
#define get_bool vplat_pf_get_bool
#define find_named vplat_pf_find_named

/*
 * One device type's parser: the properties the type adds to the common ones (any other is
 * refused) and the function that checks them and fills the device (NULL: no own property).
 * Called after the common properties (type, transport, window or slot) are parsed.
 */
struct vplat_pf_type_parser {
	const char *const *props;
	int (*parse)(struct vplat_pf_ctx *c, int node, struct pf_dev *d);
};

/* One per device type, in parse_<type>.c. */
extern const struct vplat_pf_type_parser vplat_pf_parser_rng;
extern const struct vplat_pf_type_parser vplat_pf_parser_blk;
extern const struct vplat_pf_type_parser vplat_pf_parser_console;
extern const struct vplat_pf_type_parser vplat_pf_parser_net;
extern const struct vplat_pf_type_parser vplat_pf_parser_gpio;
extern const struct vplat_pf_type_parser vplat_pf_parser_can;
extern const struct vplat_pf_type_parser vplat_pf_parser_watchdog;
extern const struct vplat_pf_type_parser vplat_pf_parser_i2c;
extern const struct vplat_pf_type_parser vplat_pf_parser_input;
extern const struct vplat_pf_type_parser vplat_pf_parser_vsock;
extern const struct vplat_pf_type_parser vplat_pf_parser_sound;

#endif /* VPLAT_PLATFORM_PARSE_H */
