#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# NAME
#     tests/guest/gpio_sim.sh - the libgpiod host end against the kernel's gpio-sim, in a guest
#
# SYNOPSIS
#     gpio_sim.sh PROGRAM CACHE_DIR
#
# DESCRIPTION
#     integration.gpio_sim_configfs (PROGRAM: a vplat GPIO device on a real kernel GPIO chip
#     through libgpiod) needs gpio-sim, which Debian 12's kernel leaves out (CONFIG_GPIO_SIM,
#     and CONFIG_IRQ_SIM it needs). This builds gpio-sim out of tree from Debian's
#     linux-source-6.1 against the linux-headers of the guest kernel, with the kernel's
#     interrupt simulator linked in (kernel/irq/irq_sim.c; its one call of the unexported
#     irq_to_desc() is replaced by the exported generic_handle_irq(), which does the same
#     lookup and calls the same flow handler), cached in CACHE_DIR/gpio-sim/oot, and runs
#     PROGRAM inside a TCG guest with configfs and that module (tests/guest/in_guest.sh).
#
# EXIT STATUS
#     0 pass; 1 fail (including PROGRAM skipping inside the guest); 77 when the module cannot
#     be had (no linux-headers or linux-source download) or QEMU, the kernel or busybox-static
#     is missing.
set -euo pipefail
PROG=${1:?usage: gpio_sim.sh PROGRAM CACHE_DIR}
CACHE=${2:?usage: gpio_sim.sh PROGRAM CACHE_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
C=$CACHE/gpio-sim
mkdir -p "$C/oot"
# the linux-source package other out-of-tree modules downloaded, if any
[ -d "$CACHE/oot/src" ] && [ ! -e "$C/oot/src" ] && ln -s "$CACHE/oot/src" "$C/oot/src"
rc=0
VPLAT_OOT_SED='s/handle_simple_irq(irq_to_desc(irqnum))/generic_handle_irq(irqnum)/' \
	"$SRC/tools/guest/vhu-oot-module.sh" "$C" gpio-sim drivers/gpio/gpio-sim.c \
	drivers/gpio/gpiolib.h kernel/irq/irq_sim.c || rc=$?
[ $rc -eq 77 ] && { echo "SKIP: cannot build gpio-sim (no linux-headers or linux-source)"; exit 77; }
[ $rc -eq 0 ] || { echo "FAIL: building gpio-sim out of tree failed ($rc)"; exit 1; }
exec bash "$HERE/in_guest.sh" gpio_sim "$CACHE" "$PROG" -m configfs -k "$C/oot/gpio-sim.ko"
