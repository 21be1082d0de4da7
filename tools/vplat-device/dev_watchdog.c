/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vplat-device watchdog: the watchdog device (virtio ID 35, spec/16-watchdog.md) with the
 * host's monotonic clock and an expiry action: log, exit, or run a command.
 */
#include <stdlib.h>
#include <string.h>
#include "vdev.h"

static bool act_exit; /* --action exit (one device per process) */

static void wdt_exit(void *opaque)
{
	(void)opaque;
	exit(VDEV_EXIT_WDT);
}

static int wdt_option(struct vdev *v, int argc, char **argv, int *i)
{
	struct vplat_instance_watchdog *o = &v->opt.watchdog;
	const char *val;
	uint64_t ms;
	if ((val = vdev_optval(argc, argv, i, "--action"))) {
		act_exit = !strcmp(val, "exit");
		if (!strcmp(val, "log") || act_exit)
			o->action = VPLAT_INSTANCE_WATCHDOG_LOG;
		else if (!strcmp(val, "command"))
			o->action = VPLAT_INSTANCE_WATCHDOG_COMMAND;
		else
			return -1;
		return 1;
	}
	if ((val = vdev_optval(argc, argv, i, "--command"))) {
		o->command = val;
		o->action = VPLAT_INSTANCE_WATCHDOG_COMMAND;
		act_exit = false;
		return 1;
	}
	if ((val = vdev_optval(argc, argv, i, "--min-timeout"))) {
		if (!vdev_parse_u64(val, &ms) || ms < 1000 || ms > 20000)
			return -1;
		return o->min_timeout_ms = (uint32_t)ms, 1;
	}
	if ((val = vdev_optval(argc, argv, i, "--max-timeout"))) {
		if (!vdev_parse_u64(val, &ms) || ms < 20000 || ms > UINT32_MAX)
			return -1;
		return o->max_timeout_ms = (uint32_t)ms, 1;
	}
	if (!strcmp(argv[*i], "--nowayout"))
		return o->nowayout = true, 1;
	if (!strcmp(argv[*i], "--cloud-hypervisor"))
		return o->cloud_hypervisor = true, 1;
	return 0;
}

static bool wdt_configure(struct vdev *v)
{
	struct vplat_instance_watchdog *o = &v->opt.watchdog;
	if (o->action == VPLAT_INSTANCE_WATCHDOG_COMMAND && !o->command) {
		vdev_log(v, VPLAT_VHU_LOG_ERROR, "watchdog: --action command needs --command");
		return false;
	}
	if (act_exit)
		o->expired = wdt_exit; /* after the instance has logged the expiry */
	return true;
}

const struct vdev_type vdev_watchdog = {
    .name = "watchdog",
    .summary = "watchdog (virtio ID 35, cloud-hypervisor compatible) with an expiry action",
    .help = "DESCRIPTION\n"
	    "    Serves vplat's watchdog device (spec/16-watchdog.md): the guest pings it\n"
	    "    through device-writable buffers; the first ping arms a 20 s timeout (the\n"
	    "    guest may change it, set a pre-timeout or disarm when it negotiates vplat's\n"
	    "    feature bits 20..22). Without a ping for the timeout the watchdog expires:\n"
	    "    the daemon logs it and performs the expiry action. Pausing the VM is the\n"
	    "    front-end's business; time counts while the daemon runs.\n"
	    "\n"
	    "DEVICE OPTIONS\n"
	    "    --action ACTION     on expiry: log (default: log and keep serving; the next\n"
	    "                        ping re-arms), exit (exit with status 3), command (run\n"
	    "                        --command)\n"
	    "    --command CMD       run CMD with /bin/sh -c on expiry (implies --action\n"
	    "                        command); VPLAT_WATCHDOG_EVENT=expired in its environment\n"
	    "    --min-timeout MS    smallest timeout a guest may set (1000..20000, default 1000)\n"
	    "    --max-timeout MS    largest timeout a guest may set (>= 20000, default 3600000)\n"
	    "    --nowayout          do not offer the disarm feature\n"
	    "    --cloud-hypervisor  offer no vplat feature (cloud-hypervisor's device exactly)\n"
	    "\n"
	    "    Exit status 3: the watchdog expired with --action exit.\n",
    .type = VPLAT_INSTANCE_WATCHDOG,
    .option = wdt_option,
    .configure = wdt_configure,
};
