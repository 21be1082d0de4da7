/* SPDX-License-Identifier: BSD-3-Clause */
/* covers(unit.test_ivshmem): VPLAT-SHM-001 VPLAT-SHM-002 VPLAT-SHM-003 VPLAT-SHM-005
 * VPLAT-SHM-006 VPLAT-SHM-007 VPLAT-SHM-008 VPLAT-SHM-009 VPLAT-SHM-010 VPLAT-SHM-014
 * (config_space, registers_and_intx, msix_doorbells; spec/untested.md said which case checks which) */
/* ivshmem PCI function (spec/17-shmem.md): configuration space, BAR sizing, BAR0 registers,
 * doorbells both ways, INTx and MSI-X delivery, two peers wired back to back. */
#include <string.h>
#include "testutil.h"
#include "vplat/error.h"
#include "vplat/ivshmem.h"

struct peer {
	struct vplat_ivshmem fn;
	struct peer *other; /* where doorbells go (one other peer, ID other_id) */
	uint16_t other_id;
	bool intx;
	unsigned msis;
	uint64_t msi_addr;
	uint32_t msi_data;
	unsigned dropped;
};

static void p_doorbell(void *h, uint16_t peer, uint16_t vector)
{
	struct peer *p = h;
	if (!p->other || peer != p->other_id) {
		p->dropped++; /* absent peer: ignored */
		return;
	}
	vplat_ivshmem_interrupt(&p->other->fn, vector);
}
static void p_intx(void *h, bool level) { ((struct peer *)h)->intx = level; }
static void p_msi(void *h, uint64_t addr, uint32_t data)
{
	struct peer *p = h;
	p->msis++;
	p->msi_addr = addr;
	p->msi_data = data;
}
static const struct vplat_ivshmem_host_ops ops = {
	.doorbell = p_doorbell, .intx = p_intx, .msi = p_msi};

static uint32_t cr(struct peer *p, uint32_t off, unsigned size)
{
	uint32_t v;
	ck_assert_int_eq(vplat_ivshmem_cfg_read(&p->fn, off, size, &v), 0);
	return v;
}
static uint32_t br(struct peer *p, unsigned bar, uint64_t off)
{
	uint32_t v;
	ck_assert_int_eq(vplat_ivshmem_bar_read(&p->fn, bar, off, 4, &v), 0);
	return v;
}
static void bw(struct peer *p, unsigned bar, uint64_t off, uint32_t v)
{
	ck_assert_int_eq(vplat_ivshmem_bar_write(&p->fn, bar, off, 4, v), 0);
}

static void pair(struct peer *a, struct peer *b, uint16_t vectors)
{
	memset(a, 0, sizeof(*a));
	memset(b, 0, sizeof(*b));
	struct vplat_ivshmem_config ca = {.shm_size = 1u << 20, .peer_id = 3, .vectors = vectors};
	struct vplat_ivshmem_config cb = {.shm_size = 1u << 20, .peer_id = 7, .vectors = vectors};
	ck_assert_int_eq(vplat_ivshmem_init(&a->fn, &ca, &ops, a), 0);
	ck_assert_int_eq(vplat_ivshmem_init(&b->fn, &cb, &ops, b), 0);
	a->other = b, a->other_id = 7;
	b->other = a, b->other_id = 3;
}

START_TEST(config_space)
{
	struct peer a, b;
	pair(&a, &b, 4);
	ck_assert_uint_eq(cr(&a, 0, 4), 0x11101af4u);
	ck_assert_uint_eq(cr(&a, 8, 1), 1);          /* revision */
	ck_assert_uint_eq(cr(&a, 8, 4) >> 8, 0x050000); /* class memory controller / RAM */
	ck_assert_uint_eq(cr(&a, 0x3d, 1), 1);        /* INTA */
	/* BAR sizing: all ones, read back the size mask with the type bits. */
	ck_assert_int_eq(vplat_ivshmem_cfg_write(&a.fn, 0x10, 4, 0xffffffffu), 0);
	ck_assert_uint_eq(cr(&a, 0x10, 4), 0xffffff00u);
	ck_assert_int_eq(vplat_ivshmem_cfg_write(&a.fn, 0x14, 4, 0xffffffffu), 0);
	ck_assert_uint_eq(cr(&a, 0x14, 4), 0xfffff000u);
	ck_assert_int_eq(vplat_ivshmem_cfg_write(&a.fn, 0x18, 4, 0xffffffffu), 0);
	ck_assert_int_eq(vplat_ivshmem_cfg_write(&a.fn, 0x1c, 4, 0xffffffffu), 0);
	ck_assert_uint_eq(cr(&a, 0x18, 4), 0xfff0000cu); /* 1 MiB, 64-bit prefetchable */
	ck_assert_uint_eq(cr(&a, 0x1c, 4), 0xffffffffu);
	ck_assert_int_eq(vplat_ivshmem_cfg_write(&a.fn, 0x18, 4, 0x40000000u), 0);
	ck_assert_int_eq(vplat_ivshmem_cfg_write(&a.fn, 0x1c, 4, 0x1), 0);
	ck_assert_uint_eq(vplat_ivshmem_bar_addr(&a.fn, 2), 0x140000000ull);
	/* Read-only: IDs. Capability list: MSI-X with 4 entries in BAR1. */
	ck_assert_int_eq(vplat_ivshmem_cfg_write(&a.fn, 0, 4, 0), 0);
	ck_assert_uint_eq(cr(&a, 0, 4), 0x11101af4u);
	ck_assert_uint_eq(cr(&a, 6, 2) & 0x10, 0x10);
	uint32_t cap = cr(&a, 0x34, 1);
	ck_assert_uint_eq(cr(&a, cap, 1), 0x11);
	ck_assert_uint_eq(cr(&a, cap + 2, 2) & 0x7ff, 3);
	ck_assert_uint_eq(cr(&a, cap + 4, 4), 1);
	uint32_t v;
	ck_assert_int_eq(vplat_ivshmem_cfg_read(&a.fn, 1, 2, &v), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_ivshmem_cfg_read(&a.fn, 256, 1, &v), VPLAT_EINVAL);
	/* Plain variant: no BAR1, no capabilities, IVPosition 0. */
	struct vplat_ivshmem_config c = {.shm_size = 4096};
	ck_assert_int_eq(vplat_ivshmem_init(&a.fn, &c, &ops, &a), 0);
	ck_assert_int_eq(vplat_ivshmem_cfg_write(&a.fn, 0x14, 4, 0xffffffffu), 0);
	ck_assert_uint_eq(cr(&a, 0x14, 4), 0);
	ck_assert_uint_eq(cr(&a, 0x34, 1), 0);
	ck_assert_uint_eq(br(&a, 0, VPLAT_IVSHMEM_IVPOSITION), 0);
	ck_assert_int_eq(vplat_ivshmem_bar_read(&a.fn, 1, 0, 4, &v), VPLAT_EINVAL);
	c.shm_size = 3 << 12;
	ck_assert_int_eq(vplat_ivshmem_init(&a.fn, &c, &ops, &a), VPLAT_EINVAL);
	/* Writes the function does not decode are refused and change nothing: config space
	 * (unaligned, an odd size, past 256 bytes) and the BARs (a size other than 4, unaligned,
	 * past BAR0's registers, BAR1 without MSI-X, a BAR that does not exist). */
	pair(&a, &b, 0);
	ck_assert_int_eq(vplat_ivshmem_cfg_write(&a.fn, 0x3c, 4, 0x000000aau), 0);
	ck_assert_int_eq(vplat_ivshmem_cfg_write(&a.fn, 0x3d, 2, 0x5555u), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_ivshmem_cfg_write(&a.fn, 0x3c, 3, 0x5555u), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_ivshmem_cfg_write(&a.fn, 256, 1, 0x55u), VPLAT_EINVAL);
	ck_assert_uint_eq(cr(&a, 0x3c, 1), 0xaa);
	ck_assert_uint_eq(cr(&a, 0x3d, 1), 1);
	bw(&a, 0, VPLAT_IVSHMEM_INTRMASK, 0x1);
	ck_assert_int_eq(vplat_ivshmem_bar_write(&a.fn, 0, VPLAT_IVSHMEM_INTRMASK, 2, 0xffffu),
			 VPLAT_EINVAL);
	ck_assert_int_eq(vplat_ivshmem_bar_write(&a.fn, 0, VPLAT_IVSHMEM_INTRMASK + 1, 4, 0xffu),
			 VPLAT_EINVAL);
	ck_assert_int_eq(vplat_ivshmem_bar_write(&a.fn, 0, VPLAT_IVSHMEM_BAR0_SIZE, 4, 0), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_ivshmem_bar_write(&a.fn, 1, 0, 4, 0), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_ivshmem_bar_write(&a.fn, 3, VPLAT_IVSHMEM_INTRMASK, 4, 0), VPLAT_EINVAL);
	ck_assert_uint_eq(br(&a, 0, VPLAT_IVSHMEM_INTRMASK), 0x1);
}
END_TEST

START_TEST(registers_and_intx)
{
	struct peer a, b;
	pair(&a, &b, 2);
	ck_assert_uint_eq(br(&a, 0, VPLAT_IVSHMEM_IVPOSITION), 3);
	ck_assert_uint_eq(br(&b, 0, VPLAT_IVSHMEM_IVPOSITION), 7);
	bw(&a, 0, VPLAT_IVSHMEM_IVPOSITION, 99); /* read-only */
	ck_assert_uint_eq(br(&a, 0, VPLAT_IVSHMEM_IVPOSITION), 3);
	ck_assert_uint_eq(br(&a, 0, VPLAT_IVSHMEM_DOORBELL), 0);
	/* Doorbell from a to b, vector 1, without MSI-X: b's IntrStatus 1, INTx only if masked in. */
	bw(&a, 0, VPLAT_IVSHMEM_DOORBELL, 7u << 16 | 1);
	ck_assert(!b.intx);
	ck_assert_uint_eq(br(&b, 0, VPLAT_IVSHMEM_INTRSTATUS), 1);
	ck_assert_uint_eq(br(&b, 0, VPLAT_IVSHMEM_INTRSTATUS), 0); /* read clears */
	bw(&b, 0, VPLAT_IVSHMEM_INTRMASK, 0xffffffffu);
	ck_assert_uint_eq(br(&b, 0, VPLAT_IVSHMEM_INTRMASK), 0xffffffffu);
	bw(&a, 0, VPLAT_IVSHMEM_DOORBELL, 7u << 16 | 0);
	ck_assert(b.intx);
	ck_assert_uint_eq(br(&b, 0, VPLAT_IVSHMEM_INTRSTATUS), 1);
	ck_assert(!b.intx);
	/* INTx disable in the command register holds the line low. */
	ck_assert_int_eq(vplat_ivshmem_cfg_write(&b.fn, 4, 2, 0x0400), 0);
	bw(&a, 0, VPLAT_IVSHMEM_DOORBELL, 7u << 16 | 0);
	ck_assert(!b.intx);
	ck_assert_int_eq(vplat_ivshmem_cfg_write(&b.fn, 4, 2, 0x0002), 0);
	ck_assert(b.intx);
	/* Ignored doorbells: vector out of range, absent peer (the embedder drops it). */
	bw(&b, 0, VPLAT_IVSHMEM_INTRSTATUS, 0);
	bw(&a, 0, VPLAT_IVSHMEM_DOORBELL, 7u << 16 | 2);
	ck_assert(!b.intx);
	bw(&a, 0, VPLAT_IVSHMEM_DOORBELL, 9u << 16 | 0);
	ck_assert_uint_eq(a.dropped, 1);
	ck_assert(!b.intx);
	/* Access rules. */
	uint32_t v;
	ck_assert_int_eq(vplat_ivshmem_bar_read(&a.fn, 0, 2, 4, &v), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_ivshmem_bar_read(&a.fn, 0, 0, 2, &v), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_ivshmem_bar_read(&a.fn, 0, 256, 4, &v), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_ivshmem_bar_read(&a.fn, 2, 0, 4, &v), VPLAT_EINVAL);
}
END_TEST

START_TEST(msix_doorbells)
{
	struct peer a, b;
	pair(&a, &b, 4);
	/* Program b's vector 2 and enable MSI-X (function unmasked). */
	bw(&b, 1, 2 * 16 + 0, 0xfee00000u);
	bw(&b, 1, 2 * 16 + 4, 0);
	bw(&b, 1, 2 * 16 + 8, 0x4062);
	bw(&b, 1, 2 * 16 + 12, 0); /* unmask the entry */
	ck_assert_int_eq(vplat_ivshmem_cfg_write(&b.fn, 0x42, 2, 0x8000 | 3), 0);
	bw(&a, 0, VPLAT_IVSHMEM_DOORBELL, 7u << 16 | 2);
	ck_assert_uint_eq(b.msis, 1);
	ck_assert_uint_eq(b.msi_addr, 0xfee00000u);
	ck_assert_uint_eq(b.msi_data, 0x4062);
	ck_assert(!b.intx);
	/* A masked vector is held in the PBA and sent on unmask. */
	bw(&a, 0, VPLAT_IVSHMEM_DOORBELL, 7u << 16 | 1);
	ck_assert_uint_eq(b.msis, 1);
	ck_assert_uint_eq(br(&b, 1, 0x800), 1u << 1);
	bw(&b, 1, 1 * 16 + 8, 0x4063);
	bw(&b, 1, 1 * 16 + 12, 0);
	ck_assert_uint_eq(b.msis, 2);
	ck_assert_uint_eq(b.msi_data, 0x4063);
	ck_assert_uint_eq(br(&b, 1, 0x800), 0);
	/* Function mask holds everything. */
	ck_assert_int_eq(vplat_ivshmem_cfg_write(&b.fn, 0x42, 2, 0xc000 | 3), 0);
	bw(&a, 0, VPLAT_IVSHMEM_DOORBELL, 7u << 16 | 2);
	ck_assert_uint_eq(b.msis, 2);
	ck_assert_int_eq(vplat_ivshmem_cfg_write(&b.fn, 0x42, 2, 0x8000), 0);
	ck_assert_uint_eq(b.msis, 3);
	/* Reset: MSI-X off, entries masked, registers cleared. */
	vplat_ivshmem_reset(&b.fn);
	ck_assert_uint_eq(cr(&b, 0x42, 2) & 0xc000, 0);
	ck_assert_uint_eq(br(&b, 1, 2 * 16 + 12), 1);
	ck_assert_uint_eq(br(&b, 0, VPLAT_IVSHMEM_INTRMASK), 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ivshmem");
	TCase *tc = tcase_create("ivshmem");
	tcase_add_test(tc, config_space);
	tcase_add_test(tc, registers_and_intx);
	tcase_add_test(tc, msix_doorbells);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vplat_test_main(suite());
}
