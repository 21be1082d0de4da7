#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Install what vplat needs to build and test on Debian 12 (idempotent; skips what is present).
set -euo pipefail
pkgs=(build-essential cmake pkg-config check doxygen clang-14 libclang-rt-14-dev linux-libc-dev
      python3 libgpiod-dev liburing-dev fio qemu-system-x86 qemu-utils linux-image-amd64
      busybox-static xz-utils cpio kmod linux-headers-amd64 iproute2 can-utils dpdk-dev
      libfdt-dev device-tree-compiler
      gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm gcc-aarch64-linux-gnu cppcheck
      help2man man-db chromium gnuplot-nox)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
echo "vplat: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "vplat: need root (or sudo) to apt-get install ${missing[*]}" >&2; exit 1; }
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
