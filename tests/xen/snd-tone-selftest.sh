#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Self-test of xen.sound's content check (tests/xen/snd-tone.c), on the host: the tone as the
# sink records it passes (also with stale periods after it); a repeated period, a dropped
# period, a replayed buffer and silence before the tone are each found. usage: snd-tone-selftest.sh SRC WORKDIR
set -u
SRC=${1:?usage: snd-tone-selftest.sh SRC WORKDIR}; W=${2:?}
mkdir -p "$W" && cd "$W" || exit 1
CC=${CC:-cc}
command -v "$CC" >/dev/null || { echo "SKIP: no C compiler"; exit 77; }
"$CC" -O2 -o snd-tone "$SRC/tests/xen/snd-tone.c" -lm || exit 1
./snd-tone gen ok.wav 440 2 || exit 1
bad=0
expect() { # FILE RC TOKEN
	out=$(./snd-tone check "$1" 440 2); rc=$?
	echo "$1: $out"
	[ $rc = "$2" ] && grep -q " $3\$" <<<"$out" || { echo "  want rc $2 and $3"; bad=1; }
}
# WAV with the data of ok.wav cut and spliced (byte ranges of the data part), header fixed
splice() { # OUT RANGES...: "a:b" byte ranges of ok.wav's data or "z:n" zero bytes, concatenated
	local out=$1; shift
	: >"$out.data"
	for r in "$@"; do
		[ "${r%:*}" = z ] && { head -c "${r#*:}" /dev/zero >>"$out.data"; continue; }
		tail -c +$((44 + ${r%:*} + 1)) ok.wav | head -c $((${r#*:} - ${r%:*})) >>"$out.data"
	done
	local n; n=$(stat -c %s "$out.data")
	{ head -c 4 ok.wav; printf "%08x" $((36 + n)) | sed 's/\(..\)\(..\)\(..\)\(..\)/\\x\4\\x\3\\x\2\\x\1/' | xargs -0 printf
	  head -c 40 ok.wav | tail -c 32; printf "%08x" "$n" | sed 's/\(..\)\(..\)\(..\)\(..\)/\\x\4\\x\3\\x\2\\x\1/' | xargs -0 printf
	  cat "$out.data"; } >"$out"
}
P=4800 # one period of 2400 frames, bytes
D=192000
expect ok.wav 0 TONE_OK
splice dup.wav 0:$((10 * P)) $((9 * P)):$D;          expect dup.wav 1 TONE_OK_WITH_INSERTS
splice drop.wav 0:$((10 * P)) $((11 * P)):$D;        expect drop.wav 1 TONE_BAD
splice buf.wav 0:$((20 * P)) $((12 * P)):$D;         expect buf.wav 1 TONE_OK_WITH_INSERTS
splice lead.wav z:$P 0:$D;                           expect lead.wav 1 TONE_BAD
splice tail.wav 0:$D 0:$((8 * P));                   expect tail.wav 0 TONE_OK
exit $bad
