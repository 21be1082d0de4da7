/* SPDX-License-Identifier: BSD-3-Clause */
/* The run-time version (vplat/version.h). Freestanding. */
#include "vplat/version.h"

#define VPLAT_STR2(x) #x
#define VPLAT_STR(x) VPLAT_STR2(x)

const char *vplat_version(void)
{
	return VPLAT_STR(VPLAT_VERSION_MAJOR) "." VPLAT_STR(VPLAT_VERSION_MINOR) "." VPLAT_STR(
	    VPLAT_VERSION_PATCH);
}

uint32_t vplat_version_number(void)
{
	/* misra-deviation: 10.1 the version macro is a composite of shifts of small constants */
	return (uint32_t)VPLAT_VERSION_NUMBER;
}
