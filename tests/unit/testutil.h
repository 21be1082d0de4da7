/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared helpers for the Check unit tests. */
#ifndef VPLAT_TESTUTIL_H
#define VPLAT_TESTUTIL_H

#include <check.h>

/* Exit status of a test program that ran but could not check everything (CTest
 * SKIP_RETURN_CODE). */
#define VPLAT_TEST_SKIPPED 77

/*
 * Run @p s in CK_NORMAL verbosity; return the process exit status: EXIT_FAILURE if a test
 * failed or nothing ran, VPLAT_TEST_SKIPPED (77) if every test that ran passed but at least
 * one called VPLAT_SKIP(), EXIT_SUCCESS otherwise.
 */
int vplat_test_main(Suite *s);

/* Record that the running test (named @p test) could not do its check, and why; printed as
 * "SKIP test: why". Counted across Check's forked test processes. Use VPLAT_SKIP(). */
void vplat_test_skip(const char *test, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Inside a START_TEST body: mark the test skipped (see vplat_test_skip) and return. */
#define VPLAT_SKIP(...)                                                                            \
	do {                                                                                       \
		vplat_test_skip(__func__, __VA_ARGS__);                                            \
		return;                                                                            \
	} while (0)

#endif
