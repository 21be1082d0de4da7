#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Progress and early stop of vplat-conform (bounded: about 30 s).
# 1. Against a socket that accepts but never answers, the run stops after three tests in a row
#    could not bring the device up: exit status 125, a message saying what was tried, one
#    "[n/N]" line per test in the log, and the summary; --quiet keeps the summary and drops the
#    per-test lines.
# 2. On a terminal (script(1) gives it a pty) the live "[n/N] test (elapsed, ETA)" line shows.
# usage: check-early-stop.sh VPLAT_CONFORM
set -u
conform=$1
w=$(mktemp -d "${TMPDIR:-/tmp}/early-stop.XXXXXX")
lpid=
cleanup() { [ -n "$lpid" ] && kill "$lpid" 2>/dev/null; rm -rf "$w"; }
trap cleanup EXIT
python3 - "$w/mute.sock" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(16)
held = []
while True:
    c, _ = s.accept()
    held.append(c)  # accepted, never answered
PY
lpid=$!
for _ in $(seq 100); do [ -S "$w/mute.sock" ] && break; sleep 0.05; done
fail=0
check() { if eval "$1"; then echo "ok   $2"; else echo "FAIL $2"; fail=1; fi; }
args=(--pal vhost-user --pal-arg socket="$w/mute.sock" --pal-arg device=blk --timeout 1000)
t0=$(date +%s)
timeout 60 "$conform" "${args[@]}" >"$w/out" 2>"$w/err"; rc=$?
el=$(( $(date +%s) - t0 ))
ntests=$(grep -c '^\[ *[0-9]*/[0-9]*\] ' "$w/out")
check '[ $rc -eq 125 ]' "mute socket: exit status $rc (want 125) after ${el} s"
check '[ $el -lt 60 ]' "stopped within 60 s"
check '[ "$ntests" -eq 3 ]' "one indexed line per test run: $ntests (want 3)"
check 'grep -q "^\[ *1/[0-9]*\] ERROR" "$w/out" && grep -q "^\[ *3/[0-9]*\] ERROR" "$w/out"' "lines carry [n/N] and the result"
check 'grep -q "could not be brought up for 3 tests in a row" "$w/err"' "the message says why it stopped"
check '[ "$(grep -c "^  opening " "$w/err")" -eq 3 ] && grep -q "socket=$w/mute.sock" "$w/err"' "the message lists what was tried and the PAL arguments"
check 'grep -q "^vplat-conform: 3 tests: 0 PASS, 0 FAIL, 0 SKIP, 3 ERROR" "$w/out"' "the summary is printed"
timeout 60 "$conform" "${args[@]}" --quiet >"$w/qout" 2>"$w/qerr"; qrc=$?
check '[ $qrc -eq 125 ] && grep -q "^vplat-conform: 3 tests:" "$w/qout"' "--quiet: exit $qrc, summary kept"
check '! grep -q "^\[" "$w/qout"' "--quiet: no per-test lines"
if command -v script >/dev/null; then
	script -qec "'$conform' --tests 'core_reset*' --device 'rng@mmio'" /dev/null >"$w/tty" 2>&1
	check 'grep -qa $'"'"'\r\[1/[0-9]*\] core_reset'"'"' "$w/tty" && grep -qa "ETA" "$w/tty"' "terminal: live [n/N] line with elapsed time and ETA"
else
	echo "note: script(1) missing, terminal line not checked"
fi
cat "$w/err"
exit $fail
