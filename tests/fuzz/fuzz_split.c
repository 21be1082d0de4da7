/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer target: the split ring walker (sec: Split Virtqueues) fed with arbitrary rings. */
#include <stdint.h>
#include <stddef.h>
#include "fuzz_ring.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fz_run(data, size, false);
}
