/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Links against an installed hosted vplat: the entropy device with the getrandom(2) host end
 * and the inter-VM Ethernet switch, through the product umbrella header.
 */
#include <stdio.h>
#include <vplat/vplat.h>

int main(void)
{
	static uint8_t ram[4096];
	struct vplat_mem_region regs[1];
	struct vplat_mem mem;
	struct vplat_rng rng;
	uint8_t buf[8];

	if (vplat_mem_init(&mem, regs, 1) || vplat_mem_add(&mem, 0, sizeof(ram), ram) ||
	    vplat_rng_init(&rng, &mem, &vplat_rng_host_getrandom, NULL)) {
		fprintf(stderr, "consumer: init failed\n");
		return 1;
	}
	if (vplat_rng_host_getrandom.read(NULL, buf, sizeof(buf)) <= 0) {
		fprintf(stderr, "consumer: getrandom host end failed\n");
		return 1;
	}
	uint32_t f = vplat_device_get_features(vplat_rng_device(&rng), 1);
	printf("consumer: vplat %s rng offers VERSION_1: %s (%s)\n", vplat_version(),
	       (f & 1) ? "yes" : "no", vplat_strerror(0));
	return (f & 1) ? 0 : 1;
}
