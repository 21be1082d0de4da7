#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Symbol hygiene of an installed vplat (docs/design.md, "ABI policy"):
#  - every global symbol defined in every installed archive and shared object starts with
#    vplat_ (a VMM that links vplat must not meet a clash on fe_set or pf_build);
#  - the product libraries (libvplat-core, libvplat) export no vplat_val_* symbol and no
#    symbol of the test driver's mocks.
# usage: symbols.sh PREFIX
set -u
prefix=${1:?usage: symbols.sh PREFIX}
fail=0 n=0
while IFS= read -r lib; do
	n=$((n + 1))
	case "$lib" in
	*.a) syms=$(nm -g --defined-only "$lib" 2>/dev/null | awk 'NF==3 {print $3}') ;;
	*) syms=$(nm -D --defined-only "$lib" 2>/dev/null | awk 'NF==3 {print $3}') ;;
	esac
	[ -n "$syms" ] || { echo "FAIL $lib: no symbols read"; fail=1; continue; }
	bad=$(printf '%s\n' "$syms" | grep -v '^vplat_' | sort -u)
	if [ -n "$bad" ]; then
		echo "FAIL $lib: global symbols outside vplat_: $(echo $bad)"
		fail=1
	fi
	case "$(basename "$lib")" in
	libvplat-val*) ;;
	*)
		val=$(printf '%s\n' "$syms" | grep -E '^vplat_(val_|t_|report_|loopback_|vhu_frontend|rng_host_mock|net_host_mock)' | sort -u)
		if [ -n "$val" ]; then
			echo "FAIL $lib: exports test-driver symbols: $(echo $val | cut -c1-400)"
			fail=1
		fi ;;
	esac
	echo "checked $lib: $(printf '%s\n' "$syms" | wc -l) global symbols"
done < <(find "$prefix" \( -name 'libvplat*.a' -o -name 'libvplat*.so.*' \) -type f | sort)
[ "$n" -gt 0 ] || { echo "FAIL: no vplat library under $prefix"; exit 1; }
exit $fail
