#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Every tool answers --version with "NAME (vplat) MAJOR.MINOR.PATCH", exit status 0, and the
# version is the one in include/vplat/version.h.
# usage: check-version.sh VERSION TOOL...
set -u
want=${1:?usage: check-version.sh VERSION TOOL...}
shift
fail=0
for t in "$@"; do
	out=$("$t" --version 2>&1); rc=$?
	name=$(basename "$t")
	if [ $rc -ne 0 ] || [ "$out" != "$name (vplat) $want" ]; then
		echo "FAIL $name --version: exit $rc, printed '$out' (want '$name (vplat) $want')"
		fail=1
	else
		echo "ok   $out"
	fi
done
exit $fail
