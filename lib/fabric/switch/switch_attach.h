/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private to the hosted library: the one way a port owner (a net device's switch port, the
 * tap and socket host ends) joins a switch. Not installed.
 */
#ifndef VPLAT_SWITCH_ATTACH_H
#define VPLAT_SWITCH_ATTACH_H

#include <stdbool.h>
#include <stdint.h>

#include "vplat/fabric/switch.h"

/*
 * Add a port for @p ctx to @p sw through its ops table. @p cfg is copied (NULL: all
 * defaults), its offloads field forced to @p offloads and a frame_max of 0 made explicit
 * (1522, the contract's default). @p sw is stored in *@p sw_out before the port is added,
 * the new port id in *@p port.
 * @return 0 or an error of vplat_switch_ops.port_add
 */
int vplat_switch_attach(struct vplat_switch_if sw, const struct vplat_switch_port_config *cfg,
			bool offloads, const struct vplat_switch_port_ops *ops, void *ctx,
			struct vplat_switch_if *sw_out, uint32_t *port);

#endif /* VPLAT_SWITCH_ATTACH_H */
