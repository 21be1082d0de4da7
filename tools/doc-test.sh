#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# NAME
#     tools/doc-test.sh - run a guide's shell blocks as written
#
# SYNOPSIS
#     tools/doc-test.sh [--list] FILE.md SOURCE_DIR BUILD_DIR
#
# DESCRIPTION
#     Extracts every fenced code block marked ```sh (or ```bash) from FILE.md and runs them,
#     in order, in one bash session (set -e -o pipefail: every command must succeed; later
#     blocks see the variables of earlier ones), in a temporary folder that looks like the top
#     of the source tree: each entry of SOURCE_DIR is a symbolic link there, and build/default
#     is a link to BUILD_DIR. Background jobs the blocks started are killed at the end.
#
#     Markers, as HTML comments (invisible when the guide is rendered):
#       <!-- doc-test: skip: REASON -->   on the line before a block: do not run it
#       <!-- doc-test: requires: X Y -->  anywhere: exit 77 (skipped) unless each X is a
#                                         command on PATH or an existing path (globs allowed)
#     With --list, prints each block's line number and whether it runs, and exits.
#
# EXIT STATUS
#     0 every block ran and succeeded; 1 a block failed (its line number and the failing
#     command are printed); 77 a requirement is missing or the file has no block to run;
#     2 bad usage.
set -uo pipefail
LIST=0
[ "${1:-}" = --list ] && { LIST=1; shift; }
[ $# -eq 3 ] || { sed -n '3,28p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
DOC=$(realpath "$1") SRC=$(realpath "$2") BLD=$(realpath "$3")
[ -f "$DOC" ] || { echo "doc-test: no file $DOC" >&2; exit 2; }

for req in $(sed -n 's/.*<!-- doc-test: requires: \(.*\) -->.*/\1/p' "$DOC"); do
	command -v "$req" >/dev/null 2>&1 && continue
	compgen -G "$req" >/dev/null && continue
	echo "doc-test: SKIP: $(basename "$DOC") requires $req, which is not here"
	exit 77
done

T=$(mktemp -d "${TMPDIR:-/tmp}/doc-test.XXXXXX")
SCRIPT=$T/.doc-test-script.sh
# Blocks to a script: each block is preceded by a marker the ERR trap reports.
awk -v list=$LIST -v script="$SCRIPT" '
	BEGIN { n = 0; skip = ""; inblk = 0 }
	/^<!-- doc-test: skip:/ { skip = $0; sub(/^<!-- doc-test: skip: */, "", skip); sub(/ *-->.*/, "", skip); next }
	!inblk && /^```(sh|bash)[[:space:]]*$/ { inblk = 1; start = NR; n++; run = (skip == ""); 
		if (list) printf "block %d, line %d: %s\n", n, NR, run ? "runs" : "skipped (" skip ")";
		else if (run) printf "DOC_BLOCK=%d; DOC_LINE=%d\n", n, NR + 1 > script;
		else printf "echo \"doc-test: block %d (line %d) skipped: %s\"\n", n, NR, skip > script;
		skip = ""; next }
	inblk && /^```/ { inblk = 0; if (!list && run) print "echo \"doc-test: block " n " (line " start ") passed\"" > script; next }
	inblk { if (!list && run) print > script; next }
	NF { skip = "" }
' "$DOC"
if [ $LIST = 1 ]; then rm -rf "$T"; exit 0; fi
if ! grep -q '^DOC_BLOCK=' "$SCRIPT" 2>/dev/null; then
	echo "doc-test: SKIP: no block to run in $(basename "$DOC")"
	rm -rf "$T"
	exit 77
fi
for e in "$SRC"/* "$SRC"/.[!.]*; do
	[ -e "$e" ] || continue
	case $(basename "$e") in build|.git) continue ;; esac
	ln -s "$e" "$T/$(basename "$e")"
done
mkdir -p "$T/build"
ln -s "$BLD" "$T/build/default"
mkdir "$T/.tmp"
export TMPDIR=$T/.tmp # what the blocks put in mktemp's folders goes away with $T
cd "$T"
echo "doc-test: $(basename "$DOC") in $T"
rc=0
bash -c '
	set -eE -o pipefail
	trap '\''echo "doc-test: FAILED: block $DOC_BLOCK (the block from line $DOC_LINE): \"$BASH_COMMAND\" exited $?"'\'' ERR
	trap '\''kill $(jobs -p) 2>/dev/null || true'\'' EXIT
	. "$0"
' "$SCRIPT" || rc=$?
cd / && rm -rf "$T"
[ $rc -eq 0 ] && echo "doc-test: $(basename "$DOC"): every block passed" && exit 0
exit 1
