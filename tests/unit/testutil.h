/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared helpers for the Check unit tests. */
#ifndef VPLAT_TESTUTIL_H
#define VPLAT_TESTUTIL_H

#include <check.h>

/* Run @p s in CK_NORMAL verbosity; return the process exit status (0 only if all passed). */
int vplat_test_main(Suite *s);

#endif
