/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Network device options shared by vplat-device net (--mac, --mtu) and vplat-xen
 * (--dev net,mac=...,mtu=...): one parser for both tools.
 */
#ifndef VPLAT_TOOLS_NET_OPTS_H
#define VPLAT_TOOLS_NET_OPTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "num_opts.h"

/* "aa:bb:cc:dd:ee:ff" (hex, one or two digits per byte, nothing after) into @p mac. */
static inline bool net_opts_mac(const char *s, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++) {
		char *end;
		unsigned long b;

		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') || (*s >= 'A' && *s <= 'F')))
			return false;
		b = strtoul(s, &end, 16);
		if (b > 255 || end - s > 2 || *end != (i == 5 ? '\0' : ':'))
			return false;
		mac[i] = (uint8_t)b;
		s = end + 1;
	}
	return true;
}

/* An MTU the device may offer (VIRTIO_NET_F_MTU): 68..65535; 0 if malformed. */
static inline uint16_t net_opts_mtu(const char *s)
{
	uint64_t n;

	return vdev_parse_u64(s, &n) && n >= 68 && n <= 65535 ? (uint16_t)n : 0;
}

#endif
