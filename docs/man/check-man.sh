#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Checks the generated man pages: each renders with `man -l` without a groff warning, each
# option that the program's --help (and each sub-command's --help) prints appears in the
# rendered page, and libvplat(3) names every public header.
# usage: check-man.sh MANDIR LIBPAGE INCLUDEDIR NAME:SECTION:PROGRAM:SUB|SUB...
set -u
mandir=$1 libpage=$2 incdir=$3
shift 3
command -v man >/dev/null || { echo "SKIP: man(1) not installed"; exit 77; }
fail=0
render() { # FILE -> plain text on stdout, warnings on stderr
	LC_ALL=C MANWIDTH=200 man --warnings=w -l "$1" 2>"$tmp/err" | col -b
	if [ -s "$tmp/err" ]; then
		{ echo "FAIL $(basename "$1"): man -l warns:"; sed 's/^/    /' "$tmp/err"; } >&2
		return 1
	fi
}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pages=0
for e in "$@"; do
	[ -n "$e" ] || continue
	IFS=: read -r name sec prog subs <<<"$e"
	page=$mandir/$name.$sec
	[ -f "$page" ] || { echo "FAIL $name.$sec: not generated ($page)"; fail=1; continue; }
	pages=$((pages + 1))
	warned=0
	render "$page" >"$tmp/page.txt" || warned=1
	"$prog" --help >"$tmp/help.txt" 2>&1
	IFS='|' read -ra sublist <<<"$subs"
	for s in "${sublist[@]}"; do "$prog" "$s" --help >>"$tmp/help.txt" 2>&1; done
	missing=0 nopt=0
	for o in $(grep -oE '(^|[][ ,|(])--?[A-Za-z][-A-Za-z0-9]*' "$tmp/help.txt" | sed 's/^[][ ,|(]//' | sort -u); do
		nopt=$((nopt + 1))
		if ! grep -qe "$o\\b" "$tmp/page.txt"; then
			echo "FAIL $name.$sec: option $o from --help is not in the page"; missing=1
		fi
	done
	if [ $missing -eq 0 ] && [ $warned -eq 0 ]; then
		echo "ok   $name.$sec: renders cleanly, all $nopt options of --help present"
	else
		fail=1
	fi
done
libok=1
render "$libpage" >"$tmp/lib.txt" || libok=0
for h in $(cd "$incdir" && find vplat -name '*.h' | sort); do
	grep -qF "<$h>" "$tmp/lib.txt" || { echo "FAIL libvplat.3: header $h not listed"; libok=0; }
done
[ $libok -eq 1 ] && echo "ok   libvplat.3: renders cleanly, lists every header" || fail=1
[ $pages -gt 0 ] || { echo "FAIL: no man pages were checked"; fail=1; }
exit $fail
