/* SPDX-License-Identifier: BSD-3-Clause */
/* vplat-device rng: the entropy device with getrandom(2) as its host end. */
#include "vdev.h"

static int rng_option(struct vdev *v, int argc, char **argv, int *i)
{
	(void)v;
	(void)argc;
	(void)argv;
	(void)i;
	return 0;
}

const struct vdev_type vdev_rng = {
    .name = "rng",
    .summary = "entropy device (virtio-rng, ID 4) fed by getrandom(2)",
    .help = "DESCRIPTION\n"
	    "    Serves a virtio entropy device. Every request buffer is filled from\n"
	    "    getrandom(2). QEMU: -chardev socket,id=r,path=SOCK\n"
	    "    -device vhost-user-rng-pci,chardev=r\n"
	    "\n"
	    "DEVICE OPTIONS\n"
	    "    none\n",
    .type = VPLAT_INSTANCE_RNG,
    .option = rng_option,
};
