/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>
#include "testutil.h"

int vplat_test_main(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	int run = srunner_ntests_run(sr);
	srunner_free(sr);
	/* A suite that ran nothing is a broken suite, not a passing one. */
	return (failed == 0 && run > 0) ? EXIT_SUCCESS : EXIT_FAILURE;
}
