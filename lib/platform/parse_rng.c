/* SPDX-License-Identifier: BSD-3-Clause */
/* Platform description, entropy device: no property of its own (docs/platform-binding.md). */
#include "platform_parse.h"

#ifdef VPLAT_HAVE_LIBFDT
#include <libfdt.h>
#include <string.h>
#include "vplat/error.h"

static const char *const rng_props[] = {NULL};

const struct vplat_pf_type_parser vplat_pf_parser_rng = {.props = rng_props, .parse = NULL};

#endif /* VPLAT_HAVE_LIBFDT */
