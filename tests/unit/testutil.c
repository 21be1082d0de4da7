/* SPDX-License-Identifier: BSD-3-Clause */
#define _DEFAULT_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include "testutil.h"

/* Skips counted in memory shared with Check's forked test processes. */
static volatile int *skips;

void vplat_test_skip(const char *test, const char *fmt, ...)
{
	va_list ap;
	printf("SKIP %s: ", test);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (skips)
		__atomic_add_fetch(skips, 1, __ATOMIC_SEQ_CST);
}

int vplat_test_main(Suite *s)
{
	void *shm = mmap(NULL, sizeof(int), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			 -1, 0);
	if (shm == MAP_FAILED) {
		perror("mmap");
		return EXIT_FAILURE;
	}
	skips = shm;
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	int run = srunner_ntests_run(sr);
	srunner_free(sr);
	int skipped = *skips;
	munmap(shm, sizeof(int));
	skips = NULL;
	/* A suite that ran nothing is a broken suite, not a passing one. */
	if (failed != 0 || run == 0)
		return EXIT_FAILURE;
	if (skipped) {
		printf("%d of %d tests skipped: exit %d (SKIP)\n", skipped, run, VPLAT_TEST_SKIPPED);
		return VPLAT_TEST_SKIPPED;
	}
	return EXIT_SUCCESS;
}
