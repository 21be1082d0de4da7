/* SPDX-License-Identifier: BSD-3-Clause */
/* Number arguments, shared by vplat-device and vplat-xen: one parser for both tools. */
#ifndef VPLAT_TOOLS_NUM_OPTS_H
#define VPLAT_TOOLS_NUM_OPTS_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

/* A whole unsigned number (decimal, 0x hex or 0 octal) into *@p out; false on anything else
 * (empty, a sign, trailing characters, out of range). */
static inline bool vdev_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || end == s || *end || *s == '-')
		return false;
	*out = v;
	return true;
}

#endif
