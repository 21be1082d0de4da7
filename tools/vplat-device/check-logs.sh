#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# vplat-device's log lines people can read (bounded: about 15 s):
# - ISO-8601 local timestamps with milliseconds and the UTC offset;
# - at info, only connection lifecycle lines: at most 2 per connection (connected,
#   disconnected) plus listening and shutdown, over a short conformance run;
# - guest memory not shared (a SET_MEM_TABLE without fds; a ring address outside the table)
#   -> the QEMU options to share it;
# - the socket path in use by a live back end -> refused, the first daemon keeps serving;
#   a path that is not a socket is not replaced;
# - a tap without CAP_NET_ADMIN -> what to do (checked when the capability can be dropped).
# usage: check-logs.sh VPLAT_DEVICE VPLAT_CONFORM
set -u
dev=$1 conform=$2
w=$(mktemp -d "${TMPDIR:-/tmp}/vdev-logs.XXXXXX")
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$w"; }
trap cleanup EXIT
fail=0
check() { if eval "$1"; then echo "ok   $2"; else echo "FAIL $2"; fail=1; fi; }
wait_sock() { for _ in $(seq 100); do [ -S "$1" ] && return 0; sleep 0.05; done; return 1; }
hint='start QEMU with a shared memory backend: -object memory-backend-memfd,id=mem,size=...,share=on -machine memory-backend=mem'

"$dev" rng --socket "$w/rng.sock" 2>"$w/rng.log" &
pids+=($!)
wait_sock "$w/rng.sock" || { echo "FAIL: vplat-device did not start"; cat "$w/rng.log"; exit 1; }
check 'grep -qE "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}[+-][0-9]{2}:[0-9]{2} vplat-device\[[0-9]+\] info: listening on " "$w/rng.log"' \
	"ISO-8601 local timestamp: $(head -1 "$w/rng.log")"

# Socket in use: a second daemon on the same path is refused; the first still answers.
timeout 10 "$dev" rng --socket "$w/rng.sock" 2>"$w/second.log"; rc=$?
check '[ $rc -eq 1 ] && grep -q "socket $w/rng.sock is in use: another back end is listening on it" "$w/second.log"' \
	"socket in use: exit $rc, '$(sed 's/^[^ ]* [^ ]* //' "$w/second.log" | head -1)'"
# A file that is not a socket is left alone.
echo keep >"$w/notasocket"
timeout 10 "$dev" rng --socket "$w/notasocket" 2>"$w/file.log"; rc=$?
check '[ $rc -eq 1 ] && [ "$(cat "$w/notasocket")" = keep ] && grep -q "exists and is not a socket" "$w/file.log"' \
	"a regular file at the socket path is not replaced"

# Guest memory not shared, as a front end without share=on produces it.
python3 - "$w/rng.sock" <<'PY'
import os, socket, struct, sys, time
def msg(req, payload=b"", fds=None):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sys.argv[1])
    return s
def send(s, req, payload=b"", fds=None):
    data = struct.pack("<III", req, 1, len(payload)) + payload
    if fds:
        socket.send_fds(s, [data], fds)
    else:
        s.sendall(data)
region = lambda gpa, size, ua: struct.pack("<QQQQ", gpa, size, ua, 0)
# 1: SET_MEM_TABLE with one region and no fd.
s = msg(0); send(s, 3); send(s, 5, struct.pack("<II", 1, 0) + region(0, 1 << 20, 0x7f0000000000))
time.sleep(0.3); s.close()
# 2: a shared table, then a ring address outside it (memory the front end did not share).
fd = os.memfd_create("guest"); os.ftruncate(fd, 1 << 20)
s = msg(0); send(s, 3); send(s, 5, struct.pack("<II", 1, 0) + region(0, 1 << 20, 0x7f0000000000), [fd])
send(s, 9, struct.pack("<IIQQQQ", 0, 0, 0x7f1000000000, 0x7f1000001000, 0x7f1000002000, 0))
time.sleep(0.3); s.close()
PY
sleep 0.3
check 'grep -qF "memory table: 1 regions but 0 fds: guest memory is not shared with this back end; $hint" "$w/rng.log"' \
	"SET_MEM_TABLE without fds -> share=on hint"
check 'grep -qF "ring 0: address outside the memory table (1 regions): guest memory is not shared with this back end; $hint" "$w/rng.log"' \
	"ring address outside the table -> share=on hint"

# Info lines over a short conformance run: lifecycle only.
"$dev" rng --socket "$w/q.sock" 2>"$w/q.log" &
qpid=$!
pids+=($qpid)
wait_sock "$w/q.sock"
"$conform" --quiet --pal vhost-user --pal-arg socket="$w/q.sock" --pal-arg device=rng \
	--tests 'core_*' --json "$w/q.json" >/dev/null 2>&1
kill "$qpid"; wait "$qpid" 2>/dev/null
conns=$(grep -c " info: front-end connected" "$w/q.log")
infos=$(grep -c " info: " "$w/q.log")
other=$(grep " info: " "$w/q.log" | grep -vcE "info: (listening on|front-end connected|front-end disconnected|signal [0-9]+: shutting down)")
check '[ "$conns" -gt 0 ] && [ "$infos" -le $((2 * conns + 2)) ] && [ "$other" -eq 0 ]' \
	"$conns connections: $infos info lines, $other not about the connection lifecycle"

# A tap without CAP_NET_ADMIN.
if [ -c /dev/net/tun ] && command -v setpriv >/dev/null &&
	setpriv --bounding-set=-net_admin --inh-caps=-net_admin true 2>/dev/null; then
	setpriv --bounding-set=-net_admin --inh-caps=-net_admin \
		"$dev" net --tap vplatlogt0 --socket "$w/net.sock" 2>"$w/tap.log"; rc=$?
	check '[ $rc -eq 1 ] && grep -q "a tap needs CAP_NET_ADMIN: run as root, or grant it" "$w/tap.log"' \
		"tap without CAP_NET_ADMIN: exit $rc, says what to do"
else
	echo "note: cannot drop CAP_NET_ADMIN here; tap message not checked"
fi
[ $fail -eq 0 ] || { echo "--- rng.log"; cat "$w/rng.log"; echo "--- tap.log"; cat "$w/tap.log" 2>/dev/null; }
exit $fail
