/* SPDX-License-Identifier: BSD-3-Clause */
/* vplat-platform run: build a description on loopback backends and drive each device once. */
#ifndef VPLAT_PLATFORM_DRIVE_H
#define VPLAT_PLATFORM_DRIVE_H

#include <stddef.h>

/* Returns the tool's exit status. @vm: only this VM's devices (-1: all). */
int drive_platform(const void *dtb, size_t len, const char *base_dir, int vm);
/* Serve the devices that have a vhost-user-socket until SIGINT/SIGTERM (serve.c). */
int serve_platform(const void *dtb, size_t len, const char *base_dir, int vm);

#endif
