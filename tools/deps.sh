#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Install what vplat needs to build and test on Debian 12 (idempotent; skips what is present,
# silent when everything is).
set -euo pipefail
pkgs=(build-essential cmake pkg-config check doxygen clang-14 libclang-rt-14-dev linux-libc-dev
      python3 libgpiod-dev liburing-dev fio qemu-system-x86 qemu-utils linux-image-amd64
      busybox-static xz-utils cpio kmod linux-headers-amd64 iproute2 can-utils dpdk-dev
      libfdt-dev device-tree-compiler
      gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm gcc-aarch64-linux-gnu cppcheck
      help2man man-db chromium gnuplot-nox flex bison libxen-dev dpkg-dev
      # arm64 Linux hosts (docs/arm64.md): cross compiler, qemu-aarch64 user mode, the arm64
      # libraries by multiarch; gcc-s390x-linux-gnu, check:s390x, qemu-s390x for the
      # big-endian run.
      # libfdt-dev is not Multi-Arch: same (it would replace the amd64 one): libfdt1:arm64
      # here, its libfdt.a and libfdt.so link below.
      libc6-dev-arm64-cross qemu-user-static check:arm64 liburing-dev:arm64 libgpiod-dev:arm64
      libfdt1:arm64 gcc-s390x-linux-gnu libc6-dev-s390x-cross check:s390x)
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
need_root() {
	[ -z "$SUDO" ] || command -v sudo >/dev/null ||
		{ echo "vplat: need root (or sudo) to $*" >&2; exit 1; }
}
export DEBIAN_FRONTEND=noninteractive
updated=""
for arch in arm64 s390x; do
	dpkg --print-foreign-architectures | grep -qx "$arch" && continue
	need_root "add the $arch architecture (dpkg --add-architecture $arch)"
	echo "vplat: dpkg --add-architecture $arch" >&2
	$SUDO dpkg --add-architecture "$arch"
	added=1
done
if [ -n "${added:-}" ]; then
	$SUDO apt-get update -qq
	updated=1
fi
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -ne 0 ]; then
	echo "vplat: installing ${missing[*]}" >&2
	need_root "apt-get install ${missing[*]}"
	[ -n "$updated" ] || $SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The arm64 libfdt.a and libfdt.so link (static and dynamic linking of the cross build) from
# Debian's libfdt-dev:arm64, unpacked into /usr/local/lib/aarch64-linux-gnu (headers: the
# amd64 libfdt-dev's, which are the same files).
fdt=/usr/local/lib/aarch64-linux-gnu
if [ ! -e "$fdt/libfdt.a" ] || [ ! -e "$fdt/libfdt.so" ]; then
	need_root "install $fdt/libfdt.a"
	echo "vplat: unpacking libfdt-dev:arm64's libfdt.a into $fdt" >&2
	tmp=$(mktemp -d)
	(cd "$tmp" && chmod 755 . && apt-get download -qq libfdt-dev:arm64 2>/dev/null &&
		dpkg-deb -x libfdt-dev_*_arm64.deb x)
	$SUDO install -d "$fdt"
	$SUDO install -m 644 "$tmp/x/usr/lib/aarch64-linux-gnu/libfdt.a" "$fdt/libfdt.a"
	$SUDO ln -sf /usr/lib/aarch64-linux-gnu/libfdt.so.1 "$fdt/libfdt.so"
	rm -rf "$tmp"
fi
