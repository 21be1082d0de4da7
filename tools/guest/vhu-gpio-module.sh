#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Build the gpio-virtio kernel module out of tree (Debian's 6.1 kernel has CONFIG_GPIO_VIRTIO
# unset) into CACHE_DIR/oot/gpio-virtio.ko: vhu-oot-module.sh with the GPIO driver's source.
# Exit status: 0 built or cached; 77 when headers or sources cannot be had; 1 on a build error.
set -euo pipefail
exec "$(dirname "$0")/vhu-oot-module.sh" "${1:?usage: vhu-gpio-module.sh CACHE_DIR}" \
	gpio-virtio drivers/gpio/gpio-virtio.c
