/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Start-up and semihosting for the bare-metal test image on AArch64 (QEMU -M virt, Cortex-A53,
 * EL1, MMU off): entry sets the stack, zeroes .bss, paints the stack and runs fw_main. With
 * the MMU off all memory is Device memory, so everything is built with -mstrict-align and
 * -mgeneral-regs-only. No C library: the few string functions vplat-core needs are here.
 */
#include <stddef.h>
#include <stdint.h>
#include "fw.h"

extern uint8_t _sbss[], _ebss[];
extern uint32_t _estack[], _stack_limit[];

/* Semihosting call (AArch64: HLT #0xF000). */
static uint64_t semihost(uint64_t op, const void *arg)
{
	register uint64_t x0 __asm__("x0") = op;
	register const void *x1 __asm__("x1") = arg;
	__asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
	return x0;
}

void fw_puts(const char *s)
{
	(void)semihost(0x04u, s); /* SYS_WRITE0 */
}

int fw_cmdline(char *buf, uint32_t len)
{
	struct {
		char *buf;
		uint64_t len;
	} blk = {buf, len};
	if (semihost(0x15u, &blk) != 0) /* SYS_GET_CMDLINE */
		return -1;
	return (int)blk.len;
}

void fw_exit(int code)
{
	/* SYS_EXIT with a parameter block on AArch64: ADP_Stopped_ApplicationExit, status. */
	uint64_t blk[2] = {0x20026u, (uint64_t)(code == 0 ? 0 : 1)};
	(void)semihost(0x18u, blk);
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

void fw_start(void) __attribute__((noreturn, used));
void fw_start(void)
{
	for (uint8_t *b = _sbss; b < _ebss; b++)
		*(volatile uint8_t *)b = 0;
	uint32_t *sp;
	__asm__ volatile("mov %0, sp" : "=r"(sp));
	for (uint32_t *d = _stack_limit; d < sp - 64; d++)
		*(volatile uint32_t *)d = STACK_PAINT;
	fw_exit(fw_main());
}

__asm__(".section .text.entry, \"ax\"\n"
	".global _start\n"
	"_start:\n"
	"	ldr x0, =_estack\n"
	"	mov sp, x0\n"
	"	bl fw_start\n"
	"1:	wfi\n"
	"	b 1b\n"
	".previous\n");

/* The C library functions vplat-core and the image call (byte loops; -fno-builtin and
 * -fno-tree-loop-distribute-patterns keep GCC from turning them back into calls). */
void *memcpy(void *d, const void *s, size_t n)
{
	uint8_t *dd = d;
	const uint8_t *ss = s;
	while (n--)
		*dd++ = *ss++;
	return d;
}

void *memmove(void *d, const void *s, size_t n)
{
	uint8_t *dd = d;
	const uint8_t *ss = s;
	if (dd < ss) {
		while (n--)
			*dd++ = *ss++;
	} else {
		while (n--)
			dd[n] = ss[n];
	}
	return d;
}

void *memset(void *d, int c, size_t n)
{
	uint8_t *dd = d;
	while (n--)
		*dd++ = (uint8_t)c;
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;
	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x < *y ? -1 : 1;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		if (!*a)
			return 0;
	}
	return 0;
}
