#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# usage: tools/strict-warnings.sh [CC [FLAGS...]]
#
# Compile every file of the portable layers (lib/core, lib/transport, lib/devices) freestanding
# with the warnings issue 19 asks for, as errors: -Wall -Wextra -Wconversion -Wsign-conversion
# -Wcast-align -Wshadow -Wstrict-prototypes. Syntax and semantic checks only (-fsyntax-only
# does not run the middle end, so -O2 is given for the flow-based warnings through -c to
# /dev/null). Bounded: one compile per file (~25 files). tools/test runs it with cc, clang-14
# and arm-none-eabi-gcc -mcpu=cortex-m3 -mthumb (32-bit size_t: conversions from the 64-bit
# chain lengths to size_t offsets only warn there).
set -euo pipefail
cd "$(dirname "$0")/.."
cc=${1:-cc}
shift || true
fail=0
for f in lib/core/*.c lib/transport/*.c lib/devices/*/*.c; do
	"$cc" "$@" -std=c11 -ffreestanding -Iinclude -Ilib -O2 -c "$f" -o /dev/null \
		-Wall -Wextra -Wconversion -Wsign-conversion -Wcast-align -Wshadow -Wstrict-prototypes \
		-Werror || fail=1
done
[ "$fail" -eq 0 ] && echo "strict-warnings: vplat-core clean with $cc $*"
exit "$fail"
