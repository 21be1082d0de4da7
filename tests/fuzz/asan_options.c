/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Linked into every fuzz target: sanitizer defaults that keep a target at its speed
 * (docs/fuzzing.md, "Speed"). ASan's default 256 MiB quarantine makes every input's
 * allocations land on fresh pages, so each input pays page faults; 16 MiB still holds far more
 * than one input frees (use after free within an input is caught), and memory is recycled.
 * ASAN_OPTIONS set in the environment still override these.
 */
const char *__asan_default_options(void);

const char *__asan_default_options(void)
{
	return "quarantine_size_mb=16";
}
