#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Build the gpio-virtio kernel module out of tree (Debian's 6.1 kernel has CONFIG_GPIO_VIRTIO
# unset) into CACHE_DIR/oot/gpio-virtio.ko, from linux-source-6.1 (apt-get download) against
# linux-headers-$KVER. Cached; vhu-guest-image.sh puts the module into the initramfs.
# Exit status: 0 built or cached; 77 when headers or sources cannot be had; 1 on a build error.
set -euo pipefail
CACHE=${1:?usage: vhu-gpio-module.sh CACHE_DIR}
mkdir -p "$CACHE/oot"
[ -s "$CACHE/oot/gpio-virtio.ko" ] && exit 0
KVER=${VPLAT_GUEST_KVER:-$(ls /boot/vmlinuz-*-amd64 2>/dev/null | grep -v cloud | sed 's|/boot/vmlinuz-||' | sort -V | tail -1)}
[ -n "$KVER" ] && [ -d "/lib/modules/$KVER/build" ] || { echo "SKIP: no linux-headers-$KVER" >&2; exit 77; }
SRCVER=$(echo "$KVER" | cut -d. -f1-2)
if [ ! -s "$CACHE/oot/gpio-virtio.c" ]; then
	D=$(mktemp -d "$CACHE/src.XXXX")
	(cd "$D" && apt-get download -q "linux-source-$SRCVER" >/dev/null 2>&1) \
		|| { rm -rf "$D"; echo "SKIP: cannot download linux-source-$SRCVER" >&2; exit 77; }
	dpkg-deb --fsys-tarfile "$D"/linux-source-"$SRCVER"_*.deb \
		| tar -xO "./usr/src/linux-source-$SRCVER.tar.xz" \
		| tar -xJO "linux-source-$SRCVER/drivers/gpio/gpio-virtio.c" > "$D/gpio-virtio.c"
	mv "$D/gpio-virtio.c" "$CACHE/oot/gpio-virtio.c"
	rm -rf "$D"
fi
echo 'obj-m := gpio-virtio.o' > "$CACHE/oot/Makefile"
make -s -C "/lib/modules/$KVER/build" M="$CACHE/oot" modules >/dev/null
[ -s "$CACHE/oot/gpio-virtio.ko" ] || exit 1
