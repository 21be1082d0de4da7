/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the ivshmem PCI function (spec/17-shmem.md). Two functions wired back to
 * back; the input is a script of configuration-space and BAR0/BAR1 accesses of any offset and
 * width on either peer, incoming doorbells and resets. Invariants: no access crashes or reads
 * outside the model, the identification never changes, INTx is never asserted with MSI-X
 * enabled or INTx disabled, MSI-X messages only go out with MSI-X enabled, and doorbells leave
 * only for vectors below the vector count.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "vplat/error.h"
#include "vplat/ivshmem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vplat_ivshmem fn[2];
static bool intx[2];

static unsigned idx(void *h) { return (unsigned)((struct vplat_ivshmem *)h - fn); }

static void doorbell(void *h, uint16_t peer, uint16_t vector)
{
	struct vplat_ivshmem *s = h;
	if (vector >= s->cfg.vectors)
		abort();
	if (peer < 2)
		vplat_ivshmem_interrupt(&fn[peer], vector);
}

static void line(void *h, bool level) { intx[idx(h)] = level; }

static void msi(void *h, uint64_t addr, uint32_t data)
{
	struct vplat_ivshmem *s = h;
	(void)addr;
	(void)data;
	if (!(s->pcicfg[0x43] & 0x80))
		abort();
}

static const struct vplat_ivshmem_host_ops ops = {.doorbell = doorbell, .intx = line, .msi = msi};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	for (unsigned i = 0; i < 2; i++) {
		struct vplat_ivshmem_config c = {.shm_size = 4096u << (data[0] & 7),
						 .peer_id = (uint16_t)i,
						 .vectors = (uint16_t)((data[0] >> 3) % 9)};
		intx[i] = false;
		if (vplat_ivshmem_init(&fn[i], &c, &ops, &fn[i]))
			abort();
	}
	for (size_t off = 1; off + 7 <= size; off += 7) {
		const uint8_t *p = data + off;
		struct vplat_ivshmem *s = &fn[p[0] & 1];
		unsigned width = 1u << ((p[0] >> 1) & 3);
		uint32_t reg = p[1] | (uint32_t)(p[2] & 0x1f) << 8, v, r;
		memcpy(&v, p + 3, 4);
		switch ((p[0] >> 3) & 7) {
		case 0: (void)vplat_ivshmem_cfg_read(s, reg & 0x1ff, width, &r); break;
		case 1: (void)vplat_ivshmem_cfg_write(s, reg & 0x1ff, width, v); break;
		case 2: case 3: (void)vplat_ivshmem_bar_read(s, (p[0] >> 5) % 3, reg, width, &r); break;
		case 4: case 5: (void)vplat_ivshmem_bar_write(s, (p[0] >> 5) % 3, reg, width, v); break;
		case 6: vplat_ivshmem_interrupt(s, (uint16_t)v); break;
		default: vplat_ivshmem_reset(s); break;
		}
		for (unsigned i = 0; i < 2; i++) {
			uint32_t id;
			if (vplat_ivshmem_cfg_read(&fn[i], 0, 4, &id) || id != 0x11101af4u)
				abort();
			uint32_t cmd;
			vplat_ivshmem_cfg_read(&fn[i], 4, 2, &cmd);
			bool msix = fn[i].cfg.vectors && (fn[i].pcicfg[0x43] & 0x80);
			if (intx[i] && (msix || (cmd & 0x400)))
				abort();
		}
	}
	return 0;
}
