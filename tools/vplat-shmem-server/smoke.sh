#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Start vplat-shmem-server, join two peers, check the region is shared and a doorbell arrives,
# stop the server with SIGTERM and check it exits 0 and removes its socket.
set -u
server=$1 client=$2
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
"$server" --socket "$dir/s" --size 64K --verbose &
pid=$!
for _ in $(seq 100); do [ -S "$dir/s" ] && break; sleep 0.05; done
"$client" "$dir/s" || exit 1
kill -TERM $pid
wait $pid || { echo "server exit status $?"; exit 1; }
[ ! -e "$dir/s" ] || { echo "socket left behind"; exit 1; }
echo "shmem server: ok"
