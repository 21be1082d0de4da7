/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the console control-message parser (sec: Device Types / Console Device /
 * Device Operation / Multiport Device Operation) interleaved with host-side port operations
 * (hot add, remove, open, resize). Invariants: no port >= max_nr_ports ever exists, the
 * pending control ring never overflows.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "devices/console/console_internal.h"
#include "vplat/console.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vplat_console con;
static struct vplat_console_mem host;
static struct vplat_mem mem;
static struct vplat_mem_region region;

static void host_op(uint8_t op, uint8_t arg)
{
	uint32_t id = arg % (VPLAT_CONSOLE_MAX_PORTS + 2);
	switch (op % 5) {
	case 0:
		vplat_console_port_add(&con, id, arg & 1 ? "port" : NULL, arg & 2,
				       &vplat_console_host_mem, &host);
		break;
	case 1:
		vplat_console_port_remove(&con, id);
		break;
	case 2:
		vplat_console_port_set_open(&con, id, arg & 1);
		break;
	case 3:
		vplat_console_resize(&con, id, arg, (uint16_t)(arg * 3));
		break;
	default:
		vplat_console_input(&con, id, &arg, 1);
		vplat_console_resume(&con, id);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct vplat_console_config c = {.max_ports = 1 + data[0] % VPLAT_CONSOLE_MAX_PORTS,
					 .resize_order = data[0] >> 7};
	memset(&host, 0, sizeof(host));
	host.room = 100;
	vplat_mem_init(&mem, &region, 1);
	if (vplat_console_init(&con, &mem, &c, &vplat_console_host_mem, &host) != 0)
		return 0;
	con.dev.features = con.dev.host_features;
	size_t i = 1;
	while (i < size) {
		uint8_t tag = data[i++];
		if (tag & 0x80) { /* a host-side operation */
			if (i >= size)
				break;
			host_op(tag, data[i++]);
		} else { /* a driver message of (tag & 15) bytes */
			size_t len = tag & 15;
			if (len > size - i)
				len = size - i;
			vplat_console_ctrl_handle(&con, data + i, len);
			i += len;
		}
		if (con.npend > VPLAT_CONSOLE_CTRL_PENDING)
			__builtin_trap();
		for (uint32_t p = con.cfg.max_ports; p < VPLAT_CONSOLE_MAX_PORTS; p++)
			if (con.port[p].host)
				__builtin_trap();
	}
	return 0;
}
