/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The PALs vplat-conform knows. Each fills a struct vplat_pal from its command-line options.
 * In-guest PALs (linux-mmio, linux-pci) and vhost-user are added here the same way.
 */
#ifndef VPLAT_CONFORM_PAL_H
#define VPLAT_CONFORM_PAL_H

#include <stdio.h>
#include "vplat/val/conform.h"

/* A PAL the runner can select with --pal NAME. */
struct vplat_pal_entry {
	const char *name;
	const char *help; /* one line for --help */
	int (*create)(struct vplat_pal *pal, int argc, char **argv);
	void (*destroy)(struct vplat_pal *pal);
	/* Optional: why test @test cannot run on device @idx (e.g. a legacy-only device the
	 * virtio 1.x driver cannot speak): the runner reports SKIP with this text without
	 * opening the device. NULL: run it. */
	const char *(*skip)(struct vplat_pal *pal, unsigned idx, const struct vplat_test *test);
};

int vplat_pal_loopback_create(struct vplat_pal *pal, int argc, char **argv);
void vplat_pal_loopback_destroy(struct vplat_pal *pal);
int vplat_pal_vhost_user_create(struct vplat_pal *pal, int argc, char **argv);
void vplat_pal_vhost_user_destroy(struct vplat_pal *pal);
int vplat_pal_linux_mmio_create(struct vplat_pal *pal, int argc, char **argv);
int vplat_pal_linux_pci_create(struct vplat_pal *pal, int argc, char **argv);
void vplat_pal_linux_destroy(struct vplat_pal *pal);
const char *vplat_pal_linux_skip(struct vplat_pal *pal, unsigned idx,
				 const struct vplat_test *test);

#endif
