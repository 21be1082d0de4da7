# SPDX-License-Identifier: BSD-3-Clause
# Sourced by the guest test scripts: vplat_guest_kver prints the newest Debian
# linux-image-amd64 kernel version in /boot (or $VPLAT_GUEST_KVER); vplat_guest_vmlinux KVER
# CACHE prints the kernel to boot: an uncompressed ELF vmlinux cut out of /boot/vmlinuz-KVER
# and cached in CACHE (PVH boot, skipping 2 s of XZ decompression under TCG), or the
# compressed image when no ELF comes out.
vplat_guest_kver() {
	echo "${VPLAT_GUEST_KVER:-$(ls /boot/vmlinuz-*-amd64 2>/dev/null | grep -v cloud |
		sed 's|/boot/vmlinuz-||' | sort -V | tail -n1)}"
}
vplat_guest_vmlinux() {
	local kver=$1 cache=$2 out off
	out=$cache/vmlinux-$kver
	if [ ! -s "$out" ]; then
		mkdir -p "$cache"
		off=$(LC_ALL=C grep -obUaP '\xFD\x37\x7A\x58\x5A\x00' "/boot/vmlinuz-$kver" | head -n1 | cut -d: -f1)
		[ -n "$off" ] && { tail -c +$((off + 1)) "/boot/vmlinuz-$kver" | xz -dc >"$out.$$" 2>/dev/null || true; }
		if head -c 4 "$out.$$" 2>/dev/null | grep -q ELF; then
			mv "$out.$$" "$out"
		else
			rm -f "$out.$$"
			out=/boot/vmlinuz-$kver
		fi
	fi
	echo "$out"
}
