/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the platform description loader (vplat/platform.h). The input is taken as
 * a device tree blob: it must be refused with an error (never walked when fdt_check_full()
 * fails) or validated; a validated description is then written out as a guest device tree,
 * which must itself pass fdt_check_full(). Nothing is built (no files or sockets are opened).
 * Seed: compile examples/platform/*.dts with dtc into the corpus directory.
 */
#include <libfdt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "vplat/error.h"
#include "vplat/platform/platform.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[1u << 16];
	char err[256];
	struct vplat_platform *p = NULL;
	int rc = vplat_platform_load(&p, data, size, NULL, err, sizeof(err));
	if (rc) {
		if (p || strlen(err) == 0)
			abort(); /* an error must say why and leave nothing behind */
		return 0;
	}
	for (unsigned vm = 0; vm < vplat_platform_vm_count(p); vm++)
		if (!vplat_platform_guest_fdt(p, vm, NULL, out, sizeof(out), err, sizeof(err)) &&
		    fdt_check_full(out, fdt_totalsize(out)))
			abort();
	for (unsigned i = 0; i < vplat_platform_device_count(p); i++)
		if (!vplat_platform_device(p, i)->path)
			abort();
	vplat_platform_free(p);
	return 0;
}
