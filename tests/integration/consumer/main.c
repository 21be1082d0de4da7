/* SPDX-License-Identifier: BSD-3-Clause */
/* Links against an installed vplat and drives the entropy device through the public API. */
#include <stdio.h>
#include <vplat/vplat.h>

int main(void)
{
	static uint8_t ram[4096];
	struct vplat_mem_region regs[1];
	struct vplat_mem mem;
	struct vplat_rng rng;
	struct vplat_rng_mock mock = {0};

	if (vplat_mem_init(&mem, regs, 1) || vplat_mem_add(&mem, 0, sizeof(ram), ram) ||
	    vplat_rng_init(&rng, &mem, &vplat_rng_host_mock, &mock)) {
		fprintf(stderr, "consumer: init failed\n");
		return 1;
	}
	uint32_t f = vplat_device_get_features(vplat_rng_device(&rng), 1);
	printf("consumer: rng offers VERSION_1: %s (%s)\n", (f & 1) ? "yes" : "no",
	       vplat_strerror(0));
	return (f & 1) ? 0 : 1;
}
