#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# tools/doc-test.sh on small guides: blocks share one shell, a failing command fails the guide
# naming its block's line, a skip marker skips a block, a missing requirement or no block to
# run skips the guide (77), and a block runs in a folder that looks like the source tree.
# Usage: doc_test_self.sh SOURCE_DIR BUILD_DIR
set -u
SRC=$1 BLD=$2
DT=$SRC/tools/doc-test.sh
W=$(mktemp -d "${TMPDIR:-/tmp}/doc-self.XXXXXX")
trap 'rm -rf "$W"' EXIT
fail=0
check() { # NAME WANT_RC PATTERN FILE
	local out rc=0
	out=$(bash "$DT" "$4" "$SRC" "$BLD" 2>&1) || rc=$?
	if [ $rc -ne "$2" ] || ! grep -qF -- "$3" <<<"$out"; then
		echo "FAIL: $1: exit $rc (want $2), output:"; echo "$out"; fail=1
	else
		echo "ok: $1"
	fi
}
f=$W/pass.md
printf '# t\n\n```sh\nX=42\n```\n\ntext\n\n```sh\n[ "$X" = 42 ] && [ -x tools/doc-test.sh ] && [ -d build/default ]\n```\n' >"$f"
check "shared shell, source-tree folder" 0 "every block passed" "$f"
f=$W/fail.md
printf '# t\n\n```sh\ntrue\n```\n\n```sh\necho one\nfalse\necho never\n```\n' >"$f"
check "failing command" 1 'block 2 (the block from line 8): "false" exited 1' "$f"
f=$W/skip.md
printf '# t\n\n<!-- doc-test: skip: cannot run here -->\n```sh\nfalse\n```\n\n```sh\ntrue\n```\n' >"$f"
check "skip marker" 0 "skipped: cannot run here" "$f"
f=$W/req.md
printf '<!-- doc-test: requires: no-such-command-vplat -->\n```sh\ntrue\n```\n' >"$f"
check "missing requirement" 77 "requires no-such-command-vplat" "$f"
f=$W/none.md
printf '# t\n\n```c\nint x;\n```\n' >"$f"
check "no block to run" 77 "no block to run" "$f"
exit $fail
