/* SPDX-License-Identifier: BSD-3-Clause */
/* vplat-device rng: the entropy device with getrandom(2) as its host end. */
#include <stdlib.h>
#include "vdev.h"
#include "vplat/rng.h"
#include "vplat/host/rng_host.h"

static int rng_option(struct vdev *v, int argc, char **argv, int *i)
{
	(void)v;
	(void)argc;
	(void)argv;
	(void)i;
	return 0;
}

static struct vplat_device *rng_create(struct vdev *v, struct vplat_mem *mem)
{
	struct vplat_rng *rng = calloc(1, sizeof(*rng));
	if (!rng || vplat_rng_init(rng, mem, &vplat_rng_host_getrandom, NULL)) {
		free(rng);
		return NULL;
	}
	v->state = rng;
	return vplat_rng_device(rng);
}

static void rng_run(struct vdev *v)
{
	vplat_rng_resume(v->state); /* a request may wait for the entropy pool */
}

static void rng_destroy(struct vdev *v)
{
	free(v->state);
	v->state = NULL;
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
    .option = rng_option,
    .create = rng_create,
    .host_run = rng_run,
    .destroy = rng_destroy,
    .in_order = true,
};
