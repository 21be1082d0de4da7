#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Header hygiene (STYLE habits 1, 8, 10): every public header carries an SPDX line and a
# Doxygen @file naming itself, and compiles on its own with -Wall -Wextra -Werror; headers
# under include/vplat/spec/ and the ones the portable layers use also compile freestanding.
# Every source file in the tree carries an SPDX line.
set -u
src=${1:?usage: check_headers.sh SOURCE_DIR [CC]}
cc=${2:-cc}
cd "$src" || exit 2
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for h in $(find include/vplat -name '*.h' | sort); do
	rel=${h#include/}
	grep -q 'SPDX-License-Identifier' "$h" || { echo "FAIL $h: no SPDX line"; fail=1; }
	grep -q "@file $rel\$" "$h" || { echo "FAIL $h: no '@file $rel'"; fail=1; }
	printf '#include "%s"\n#include "%s"\n' "$rel" "$rel" >"$tmp/t.c"
	if ! "$cc" -std=c11 -Wall -Wextra -Werror -fsyntax-only -Iinclude "$tmp/t.c" 2>"$tmp/err"; then
		echo "FAIL $h: does not compile alone (or twice)"; cat "$tmp/err"; fail=1
	fi
done
# vplat-core's headers (the top level of include/vplat/ and spec/, all but the product
# umbrella vplat.h) must be freestanding: an RTOS integrator gets only these.
for h in include/vplat/spec/*.h include/vplat/*.h; do
	[ "$h" = include/vplat/vplat.h ] && continue
	rel=${h#include/}
	printf '#include "%s"\n' "$rel" >"$tmp/f.c"
	if ! "$cc" -std=c11 -ffreestanding -nostdinc -isystem "$("$cc" -print-file-name=include)" \
		-Wall -Werror -fsyntax-only -Iinclude "$tmp/f.c" 2>"$tmp/err"; then
		echo "FAIL $h: not freestanding"; cat "$tmp/err"; fail=1
	fi
done
# Vendors' VMMs are often C++: the umbrella headers must compile there too.
cxx=$(command -v g++ || command -v clang++ || true)
if [ -n "$cxx" ]; then
	printf '#include "vplat/vplat.h"\n#include "vplat/val/all.h"\n#include "vplat/spec.h"\n#include "vplat/gpio.h"\n#include "vplat/can.h"\n#include "vplat/ratelimit.h"\n#include "vplat/blk.h"\n#include "vplat/host/blk_file.h"\n#include "vplat/console.h"\n#include "vplat/host/console_fd.h"\n#include "vplat/watchdog.h"\n#include "vplat/sp805.h"\n#include "vplat/ivshmem.h"\nint main() { return 0; }\n' >"$tmp/t.cc"
	if ! "$cxx" -std=c++17 -Wall -Wextra -Werror -fsyntax-only -Iinclude "$tmp/t.cc" 2>"$tmp/err"; then
		echo "FAIL: public headers do not compile as C++"; cat "$tmp/err"; fail=1
	fi
else
	echo "SKIP: no C++ compiler (g++ or clang++): the C++ check of the public headers did not run"
	no_cxx=1
fi
for f in $(git ls-files '*.c' '*.h' '*.sh' 'CMakeLists.txt' 2>/dev/null || find . -name '*.c' -o -name '*.h'); do
	grep -q 'SPDX-License-Identifier' "$f" || { echo "FAIL $f: no SPDX line"; fail=1; }
done
[ $fail -eq 0 ] && echo "headers: all good"
# Layering: a product header (anything outside val/) never includes the test driver, and a
# vplat-core header never includes a hosted one.
for h in $(find include/vplat -name '*.h' ! -path '*/val/*'); do
	if grep -q '#include "vplat/val/' "$h"; then echo "FAIL $h: product header includes vplat/val/"; fail=1; fi
done
for h in include/vplat/*.h include/vplat/spec/*.h; do
	[ "$h" = include/vplat/vplat.h ] && continue
	if grep -Eq '#include "vplat/(host|fabric|backend|platform|val)/' "$h"; then
		echo "FAIL $h: vplat-core header includes a hosted or val header"; fail=1
	fi
done
[ $fail -eq 0 ] && [ -n "${no_cxx:-}" ] && exit 77
exit $fail
