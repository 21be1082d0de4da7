/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the platform description loader (vplat/platform.h). The input is taken as
 * a device tree blob: it must be refused with an error (never walked when fdt_check_full()
 * fails) or validated; a validated description is then written out as a guest device tree,
 * which must itself pass fdt_check_full(). Nothing is built (no files or sockets are opened).
 * The switch port and CAN filters a valid description states stay within their ranges.
 * Seeds: tests/fuzz/seeds/fuzz_platform (examples/platform/ecu.dts, the limits of
 * tools/vplat-platform/tests/limits.dts, and variants).
 */
#include <libfdt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "vplat/error.h"
#include "vplat/fabric/can_bus.h"
#include "vplat/fabric/switch.h"
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
	for (unsigned i = 0; i < vplat_platform_device_count(p); i++) {
		if (!vplat_platform_device(p, i)->path)
			abort();
		/* the limits a description states, as check prints them (issue 17) */
		struct vplat_switch_port_config pc;
		if (!vplat_platform_device_port(p, i, &pc) &&
		    (pc.classes < 1 || pc.classes > VPLAT_SWITCH_CLASSES ||
		     pc.n_macs > VPLAT_SWITCH_PORT_MACS || pc.queue_len > 4096 || pc.pvid > 4095))
			abort();
		struct vplat_can_filter cf[VPLAT_CANBUS_MAX_FILTERS];
		unsigned n;
		for (int tx = 0; tx < 2; tx++)
			if (!vplat_platform_device_can_filters(p, i, tx, cf, &n) &&
			    n > VPLAT_CANBUS_MAX_FILTERS)
				abort();
	}
	vplat_platform_free(p);
	return 0;
}
