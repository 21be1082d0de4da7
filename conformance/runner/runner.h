/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal interfaces of the vplat-conform program. */
#ifndef VPLAT_CONFORM_RUNNER_H
#define VPLAT_CONFORM_RUNNER_H

#include "vplat/val/conform.h"

/* Render the JSON report @in as HTML into @out ("-": standard output), with requirement text
 * from @spec (may be NULL). Returns 0 or a VPLAT_E* code (a message is printed). */
int vplat_conform_json_to_html(const char *in, const char *spec, const char *out);

#endif
