/* SPDX-License-Identifier: BSD-3-Clause */
/* Interface between the bare-metal start-up code and the test image. */
#ifndef VPLAT_FW_H
#define VPLAT_FW_H
#include <stdint.h>

/** Print a NUL-terminated string on the semihosting console. */
void fw_puts(const char *s);
/** Copy the semihosting command line into @p buf. @return its length, or -1. */
int fw_cmdline(char *buf, uint32_t len);
/** Leave QEMU: exit status 0 when @p code is 0, else 1. */
void fw_exit(int code) __attribute__((noreturn));
/** @return the peak stack use so far in bytes (painted-stack watermark). */
uint32_t fw_stack_used(void);
/** The test program. @return 0 when every check passed. */
int fw_main(void);

#endif /* VPLAT_FW_H */
