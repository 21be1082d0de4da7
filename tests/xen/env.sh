#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Build the Xen-on-Arm test environment, cached under $1 (the build folder's xen-env/):
#   debs/      arm64 .debs from Debian (apt-get download), extracted into root/
#   sysroot/   root/ is also the sysroot the Xen back end links against (libxen-dev)
#   xen        the hypervisor rebuilt from Debian's source package with CONFIG_IOREQ_SERVER
# Exit 0 when everything is in place, 77 when this machine cannot build it (no arm64 cross
# compiler, no qemu-system-aarch64, no root to add the arm64 architecture or deb-src entry),
# 1 on a real failure. Idempotent: each step leaves a stamp file and is skipped next time.
set -euo pipefail
E=${1:?usage: env.sh ENVDIR}
mkdir -p "$E"
E=$(cd "$E" && pwd)
log() { echo "xen-env: $*"; }
skip() { echo "SKIP: $*"; exit 77; }

for t in qemu-system-aarch64 aarch64-linux-gnu-gcc dpkg-deb apt-get cpio gzip flex bison make; do
	command -v "$t" >/dev/null || skip "$t not installed (tools/deps.sh installs it)"
done

# 1. arm64 multiarch lists and a deb-src entry (root only; both are one-time machine setup).
need_update=0
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	[ "$(id -u)" = 0 ] || skip "arm64 is not a dpkg architecture and we are not root"
	dpkg --add-architecture arm64; need_update=1
fi
if ! grep -rqs '^Types:.*deb-src\|^deb-src ' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	[ "$(id -u)" = 0 ] || skip "no deb-src entry and we are not root"
	cat >> /etc/apt/sources.list.d/debian.sources <<'SRC'

Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	need_update=1
fi
if [ $need_update = 1 ] || ! apt-cache show libxen-dev:arm64 >/dev/null 2>&1 ||
   ! apt-cache showsrc xen >/dev/null 2>&1; then
	[ "$(id -u)" = 0 ] || skip "apt lists lack arm64 packages and we are not root"
	for i in 1 2 3 4 5 6 7 8 9 10; do apt-get update -q >/dev/null 2>&1 && break; sleep 5; done
fi

# 2. arm64 .debs, extracted into root/.
if [ ! -e "$E/root.stamp" ]; then
	kimg=$(apt-cache depends linux-image-arm64:arm64 | sed -n 's/.*Depends: \(linux-image-[0-9].*-arm64\):arm64/\1/p' | head -1)
	[ -n "$kimg" ] || { echo "xen-env: no arm64 kernel package"; exit 1; }
	libs=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
		--no-breaks --no-replaces --no-enhances libxen-dev:arm64 libxenmisc4.17:arm64 \
		libncurses6:arm64 libgcc-s1:arm64 | grep '^[a-z]' | sort -u)
	pkgs="$libs xen-hypervisor-4.17-arm64:arm64 xen-utils-4.17:arm64 xen-utils-common:arm64
	      xenstore-utils:arm64 $kimg:arm64 busybox-static:arm64 e2fsprogs:arm64
	      libcom-err2:arm64 libss2:arm64 libblkid1:arm64"
	rm -rf "$E/debs" "$E/root"; mkdir -p "$E/debs" "$E/root"
	log "downloading $(echo $pkgs | wc -w) arm64 packages"
	(cd "$E/debs" && apt-get download -q $pkgs 2>&1 >/dev/null | grep -v '^W: Download is performed unsandboxed' || true)
	ls "$E"/debs/xen-hypervisor-4.17-arm64_*.deb >/dev/null
	for d in "$E"/debs/*.deb; do dpkg-deb -x "$d" "$E/root"; done
	echo "$kimg" | sed 's/linux-image-//' > "$E/kver"
	touch "$E/root.stamp"
fi

# 2b. libfdt-dev (arm64) into root/: the arm64 vplat-xen reads platform descriptions
#     (--platform, xen.platform), and vplat-conform-static links libfdt.a.
if [ ! -e "$E/fdt.stamp" ]; then
	(cd "$E/debs" && apt-get download -q libfdt-dev:arm64 2>&1 >/dev/null | grep -v '^W: Download is performed unsandboxed' || true)
	dpkg-deb -x "$(ls "$E"/debs/libfdt-dev_*_arm64.deb | head -1)" "$E/root"
	[ -e "$E/root/usr/include/libfdt.h" ] || { echo "xen-env: libfdt-dev:arm64 did not extract"; exit 1; }
	touch "$E/fdt.stamp"
fi

# 3. The hypervisor with CONFIG_IOREQ_SERVER (Debian builds it without: needs CONFIG_EXPERT).
if [ ! -e "$E/xen.stamp" ]; then
	rm -rf "$E/xen-src"; mkdir -p "$E/xen-src"
	log "downloading Debian's xen source package"
	(cd "$E/xen-src" && apt-get source -q --download-only xen 2>&1 >/dev/null | grep -v '^W: Download is performed unsandboxed' || true)
	(cd "$E/xen-src" && dpkg-source -x --skip-patches *.dsc src >/dev/null 2>&1 || \
		dpkg-source -x *.dsc src >/dev/null)
	cd "$E/xen-src/src"
	# Debian's patches carry the version string and build fixes: apply them.
	if [ -d debian/patches ] && [ ! -e .pc ] && command -v quilt >/dev/null; then
		QUILT_PATCHES=debian/patches quilt push -aq >/dev/null || true
	fi
	cfg=$(ls "$E"/root/boot/xen-*-arm64.config 2>/dev/null | head -1 || true)
	[ -n "$cfg" ] && cp "$cfg" xen/.config
	{ echo CONFIG_EXPERT=y; echo CONFIG_IOREQ_SERVER=y; } >> xen/.config
	log "building the hypervisor (about a minute)"
	make -C xen XEN_TARGET_ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- olddefconfig >/dev/null
	grep -qx CONFIG_IOREQ_SERVER=y xen/.config || { echo "xen-env: IOREQ_SERVER did not stick"; exit 1; }
	make -C xen XEN_TARGET_ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- -j2 >"$E/xen-build.log" 2>&1 \
		|| { tail -30 "$E/xen-build.log"; exit 1; }
	cp xen/xen "$E/xen"
	cd "$E"; rm -rf "$E/xen-src/src"
	touch "$E/xen.stamp"
fi
# 4. Drivers Debian's arm64 6.1 kernel leaves out, for the domU, built out of tree from
#    linux-source-6.1 against the arm64 linux-headers with the host's linux-kbuild-6.1 tools
#    (same 6.1 release) and linux-headers-*-common: virtio_snd (CONFIG_SND_VIRTIO, from
#    sound/virtio/) and gpio-virtio (CONFIG_GPIO_VIRTIO, drivers/gpio/gpio-virtio.c).
#    Optional: without one the sound or GPIO test skips (snd.skip / gpio.skip say why).
# oot NAME MODULE SOURCE WHAT: build MODULE into oot/ once (stamp NAME.stamp).
oot() {
	[ -e "$E/$1.stamp" ] && return 0
	KV=$(cat "$E/kver"); rel=${KV%-arm64}; rm -f "$E/$1.skip"
	if [ ! -d "/usr/src/linux-headers-$rel-common" ] || [ ! -d /usr/lib/linux-kbuild-6.1 ]; then
		echo "no linux-headers-$rel-common / linux-kbuild-6.1 on the host" > "$E/$1.skip"
	else
		if [ ! -d "$E/kheaders/usr/src/linux-headers-$KV" ]; then
			rm -rf "$E/kheaders"; mkdir -p "$E/kheaders/usr/lib"
			(cd "$E/debs" && apt-get download -q "linux-headers-$KV:arm64" 2>&1 >/dev/null | grep -v '^W: Download is performed unsandboxed' || true)
			dpkg-deb -x "$E"/debs/linux-headers-"$KV"_*_arm64.deb "$E/kheaders"
			ln -sfn /usr/lib/linux-kbuild-6.1 "$E/kheaders/usr/lib/linux-kbuild-6.1"
		fi
		# The x86 guest tests' linux-source-6.1 download (BUILD/guest-cache) serves here too.
		g=$(ls "$E"/../guest-cache/oot/src/linux-source-6.1_*.deb 2>/dev/null | head -1 || true)
		if [ -n "$g" ] && ! ls "$E"/oot/src/linux-source-6.1_*.deb >/dev/null 2>&1; then
			mkdir -p "$E/oot/src"; ln "$g" "$E/oot/src/" 2>/dev/null || cp "$g" "$E/oot/src/"
		fi
		log "building $2 for arm64 ($4)"
		VPLAT_GUEST_KVER=$KV VPLAT_OOT_KDIR="$E/kheaders/usr/src/linux-headers-$KV" \
		VPLAT_OOT_MAKEFLAGS="ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-" \
			bash "$(dirname "$0")/../../tools/guest/vhu-oot-module.sh" "$E" "$2" "$3" \
			|| echo "$2 out-of-tree build failed (vhu-oot-module.sh rc $?)" > "$E/$1.skip"
	fi
	touch "$E/$1.stamp"
}
oot snd virtio_snd sound/virtio/ "about two minutes"
oot gpio gpio-virtio drivers/gpio/gpio-virtio.c "about a minute"
log "ready: $E (kernel $(cat "$E/kver"))"
