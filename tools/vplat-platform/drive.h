/* SPDX-License-Identifier: BSD-3-Clause */
/* vplat-platform run: build a description on loopback backends and drive each device once. */
#ifndef VPLAT_PLATFORM_DRIVE_H
#define VPLAT_PLATFORM_DRIVE_H

#include <stddef.h>

#include <signal.h>
#include <stdbool.h>

/* Set by SIGINT/SIGTERM (the signal's number) once run_install_signals() has run. */
extern volatile sig_atomic_t run_stop;
/* SIGINT and SIGTERM set run_stop; SIGPIPE is ignored. */
void run_install_signals(void);

/* Returns the tool's exit status. @vm: only this VM's devices (-1: all). Drives each device
 * once; then, unless @once, keeps the switches, buses and host ends running (and prints the
 * frames the devices receive) until SIGINT or SIGTERM. */
int drive_platform(const void *dtb, size_t len, const char *base_dir, int vm, bool once);
/* Serve the devices that have a vhost-user-socket until SIGINT/SIGTERM (serve.c); with @once,
 * stop when every served device has had a front end and none is connected any more. */
/* busy_idle_ms: 0, or vplat-platform run --busy-poll: vplat_vhu_busy_spin() over every served
 * device, sleeping after that many milliseconds without work. */
int serve_platform(const void *dtb, size_t len, const char *base_dir, int vm, bool once,
		   unsigned busy_idle_ms);

#endif
