/* SPDX-License-Identifier: BSD-3-Clause */
/* Optional dependencies built into the hosted library (vplat/host/features.h). */
#include <stddef.h>
#include "vplat/host/features.h"

uint32_t vplat_build_features(void)
{
	uint32_t f = 0;
#ifdef VPLAT_HAVE_GPIOD
	f |= VPLAT_BUILD_GPIOD;
#endif
#ifdef VPLAT_HAVE_LIBURING
	f |= VPLAT_BUILD_URING;
#endif
#ifdef VPLAT_HAVE_LIBFDT
	f |= VPLAT_BUILD_FDT;
#endif
	return f;
}

const char *vplat_build_missing(uint32_t feature)
{
	if (vplat_build_features() & feature)
		return NULL;
	switch (feature) {
	case VPLAT_BUILD_GPIOD:
		return "vplat was built without libgpiod (configure with VPLAT_WITH_GPIOD=ON and "
		       "libgpiod-dev installed)";
	case VPLAT_BUILD_URING:
		return "vplat was built without liburing (configure with VPLAT_WITH_URING=ON and "
		       "liburing-dev installed)";
	case VPLAT_BUILD_FDT:
		return "vplat was built without libfdt (configure with VPLAT_WITH_FDT=ON and "
		       "libfdt-dev installed)";
	default:
		return "unknown build feature";
	}
}
