/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Start-up and semihosting for the bare-metal test image on an Arm Cortex-M (ARMv7-M/ARMv8-M
 * Mainline, Thumb-2): vector table, reset handler (copy .data, zero .bss, paint the stack,
 * run fw_main), fault handler, and the three semihosting calls the image uses.
 */
#include <stddef.h>
#include <stdint.h>
#include "fw.h"

extern uint32_t _sidata[], _sdata[], _edata[], _sbss[], _ebss[], _estack[], _stack_limit[];

/* Semihosting call (Arm semihosting 2.0: BKPT 0xAB on M-profile). */
static uint32_t semihost(uint32_t op, const void *arg)
{
	register uint32_t r0 __asm__("r0") = op;
	register const void *r1 __asm__("r1") = arg;
	__asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
	return r0;
}

void fw_puts(const char *s)
{
	semihost(0x04u, s); /* SYS_WRITE0 */
}

int fw_cmdline(char *buf, uint32_t len)
{
	struct {
		char *buf;
		uint32_t len;
	} blk = {buf, len};
	if (semihost(0x15u, &blk) != 0) /* SYS_GET_CMDLINE */
		return -1;
	return (int)blk.len;
}

void fw_exit(int code)
{
	/* SYS_EXIT: ADP_Stopped_ApplicationExit exits QEMU with 0, RunTimeErrorUnknown with 1. */
	semihost(0x18u, (const void *)(uintptr_t)(code == 0 ? 0x20026u : 0x20023u));
	for (;;)
		__asm__ volatile("wfi");
}

#define STACK_PAINT 0x5a5aa5a5u

uint32_t fw_stack_used(void)
{
	const uint32_t *p = _stack_limit;
	while (p < _estack && *p == STACK_PAINT)
		p++;
	return (uint32_t)((uintptr_t)_estack - (uintptr_t)p);
}

void fw_reset(void) __attribute__((noreturn, used));
void fw_reset(void)
{
	uint32_t *d = _sdata;
	const uint32_t *s = _sidata;
	while (d < _edata)
		*d++ = *s++;
	for (d = _sbss; d < _ebss; d++)
		*d = 0;
	/* Paint the stack below the current frame so fw_stack_used() can measure the peak. */
	uint32_t *sp;
	__asm__ volatile("mov %0, sp" : "=r"(sp));
	for (d = _stack_limit; d < sp - 16; d++)
		*d = STACK_PAINT;
	fw_exit(fw_main());
}

static void fw_fault(void)
{
	fw_puts("vplat-baremetal: FAULT (HardFault/MemManage/BusFault/UsageFault)\nRESULT: FAIL\n");
	fw_exit(1);
}

/* ARMv7-M vector table: initial SP, reset, NMI, the four fault handlers. */
__attribute__((section(".vectors"), used)) static void (*const vectors[8])(void) = {
	(void (*)(void))(uintptr_t)_estack, fw_reset, fw_fault, fw_fault,
	fw_fault, fw_fault, fw_fault, 0,
};
