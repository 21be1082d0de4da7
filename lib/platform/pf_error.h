/* SPDX-License-Identifier: BSD-3-Clause */
/* The error-message helper of lib/platform (the factory and the loader); not public. */
#ifndef VPLAT_PLATFORM_PF_ERROR_H
#define VPLAT_PLATFORM_PF_ERROR_H

#include <stddef.h>

/* "<fmt>" into err (if any); returns rc. Defined in instance.c, the lowest file of the
 * folder, so that a program using only the factory does not pull in the loader. */
int vplat_pf_error(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
