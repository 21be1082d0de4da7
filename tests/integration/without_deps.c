/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Run against a hosted vplat configured with VPLAT_WITH_GPIOD=OFF, VPLAT_WITH_URING=OFF and
 * VPLAT_WITH_FDT=OFF (tools/test, step "hosted library without optional dependencies"): the
 * build reports no optional feature, and each feature that needs one fails with a clear
 * "built without" error instead of crashing or failing obscurely.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <vplat/vplat.h>

static int fails;
#define CHECK(c, ...) do { if (!(c)) { fprintf(stderr, "without_deps: FAIL " __VA_ARGS__); fputc('\n', stderr); fails++; } } while (0)

int main(void)
{
	char err[256] = "";
	struct vplat_platform *p = (struct vplat_platform *)&err; /* must be reset to NULL */
	static const unsigned char blob[64];

	CHECK(vplat_build_features() == 0, "features 0x%x, expected none", vplat_build_features());
	const char *m = vplat_build_missing(VPLAT_BUILD_GPIOD);
	CHECK(m && strstr(m, "without libgpiod"), "gpiod message '%s'", m ? m : "(null)");
	m = vplat_build_missing(VPLAT_BUILD_FDT);
	CHECK(m && strstr(m, "without libfdt"), "fdt message '%s'", m ? m : "(null)");
	m = vplat_build_missing(VPLAT_BUILD_URING);
	CHECK(m && strstr(m, "without liburing"), "uring message '%s'", m ? m : "(null)");

	errno = 0;
	CHECK(vplat_gpio_gpiod_open("gpiochip0", NULL) == NULL && errno == ENOTSUP,
	      "gpiod open: errno %d, expected ENOTSUP", errno);
	int rc = vplat_platform_load(&p, blob, sizeof(blob), NULL, err, sizeof(err));
	CHECK(rc == VPLAT_ENOTSUP && p == NULL && strstr(err, "without libfdt"),
	      "platform load: rc %d, err '%s'", rc, err);
	if (fails)
		return 1;
	printf("without_deps: no optional dependency built in; gpiod and platform descriptions "
	       "report \"built without\"\n");
	return 0;
}
