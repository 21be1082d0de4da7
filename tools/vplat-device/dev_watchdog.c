/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vplat-device watchdog: the watchdog device (virtio ID 35, spec/16-watchdog.md) with the
 * host's monotonic clock and an expiry action: log, exit, or run a command.
 */
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include "vdev.h"
#include "vplat/watchdog.h"

#define WDT_EXIT_EXPIRED 3 /* --action exit */

extern char **environ;

enum wdt_act { ACT_LOG, ACT_EXIT, ACT_COMMAND };

struct wdt_state {
	struct vplat_watchdog wd;
	struct vdev *v;
	enum wdt_act act;
	const char *command;
	uint64_t min_ms, max_ms;
	bool nowayout, ch_only;
	pid_t child; /* command still running, 0 if none */
};

/* Options parsed before create(); the subcommand has one device per process. */
static struct wdt_state opts = {.act = ACT_LOG};

static uint64_t mono_ns(void *host)
{
	(void)host;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void run_command(struct wdt_state *s, const char *event)
{
	if (s->child) {
		vdev_log(s->v, VPLAT_VHU_LOG_WARN, "watchdog: command still running, not started again");
		return;
	}
	setenv("VPLAT_WATCHDOG_EVENT", event, 1);
	char *argv[] = {(char *)"sh", (char *)"-c", (char *)s->command, NULL};
	pid_t pid;
	int rc = posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, environ);
	if (rc)
		vdev_log(s->v, VPLAT_VHU_LOG_ERROR, "watchdog: cannot run '%s': %s", s->command,
			 strerror(rc));
	else
		s->child = pid;
}

static void wdt_expired(void *host, enum vplat_watchdog_action action)
{
	struct wdt_state *s = host;
	(void)action;
	vdev_log(s->v, VPLAT_VHU_LOG_ERROR, "watchdog: expired (no ping for %u ms)",
		 s->wd.timeout_ms);
	if (s->act == ACT_EXIT)
		exit(WDT_EXIT_EXPIRED);
	if (s->act == ACT_COMMAND)
		run_command(s, "expired");
}

static void wdt_pretimeout(void *host)
{
	struct wdt_state *s = host;
	vdev_log(s->v, VPLAT_VHU_LOG_WARN, "watchdog: pre-timeout (%u ms before expiry)",
		 s->wd.pretimeout_ms);
}

static const struct vplat_watchdog_host_ops wdt_host = {
	.now_ns = mono_ns,
	.expired = wdt_expired,
	.pretimeout = wdt_pretimeout,
};

static int wdt_option(struct vdev *v, int argc, char **argv, int *i)
{
	(void)v;
	const char *val;
	if ((val = vdev_optval(argc, argv, i, "--action"))) {
		if (!strcmp(val, "log"))
			opts.act = ACT_LOG;
		else if (!strcmp(val, "exit"))
			opts.act = ACT_EXIT;
		else if (!strcmp(val, "command"))
			opts.act = ACT_COMMAND;
		else
			return -1;
		return 1;
	}
	if ((val = vdev_optval(argc, argv, i, "--command"))) {
		opts.command = val;
		opts.act = ACT_COMMAND;
		return 1;
	}
	if ((val = vdev_optval(argc, argv, i, "--min-timeout")))
		return vdev_parse_u64(val, &opts.min_ms) && opts.min_ms >= 1000 &&
		       opts.min_ms <= 20000 ? 1 : -1;
	if ((val = vdev_optval(argc, argv, i, "--max-timeout")))
		return vdev_parse_u64(val, &opts.max_ms) && opts.max_ms >= 20000 &&
		       opts.max_ms <= UINT32_MAX ? 1 : -1;
	if (!strcmp(argv[*i], "--nowayout")) {
		opts.nowayout = true;
		return 1;
	}
	if (!strcmp(argv[*i], "--cloud-hypervisor")) {
		opts.ch_only = true;
		return 1;
	}
	return 0;
}

static struct vplat_device *wdt_create(struct vdev *v, struct vplat_mem *mem)
{
	if (opts.act == ACT_COMMAND && !opts.command) {
		vdev_log(v, VPLAT_VHU_LOG_ERROR, "watchdog: --action command needs --command");
		return NULL;
	}
	struct wdt_state *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	*s = opts;
	s->v = v;
	uint64_t f = VPLAT_WATCHDOG_ALL_FEATURES;
	if (s->nowayout)
		f &= ~VPLAT_BIT(VPLAT_VIRTIO_WDT_F_DISARM);
	struct vplat_watchdog_config c = {.action = VPLAT_WATCHDOG_ACTION_CALLBACK,
					  .min_timeout_ms = (uint32_t)s->min_ms,
					  .max_timeout_ms = (uint32_t)s->max_ms,
					  .features = s->ch_only ? 0 : f};
	if (vplat_watchdog_init(&s->wd, mem, &c, &wdt_host, s)) {
		free(s);
		return NULL;
	}
	v->state = s;
	return vplat_watchdog_device(&s->wd);
}

static int wdt_timeout_ms(struct vdev *v)
{
	struct wdt_state *s = v->state;
	uint64_t d = vplat_watchdog_next_deadline(&s->wd);
	if (s->child)
		return 100; /* reap the command */
	if (d == UINT64_MAX)
		return -1;
	uint64_t now = mono_ns(NULL);
	return d <= now ? 0 : (int)((d - now) / 1000000u + 1 > 60000 ? 60000 : (d - now) / 1000000u + 1);
}

static void wdt_run(struct vdev *v)
{
	struct wdt_state *s = v->state;
	vplat_watchdog_tick(&s->wd, mono_ns(NULL));
	if (s->child) {
		int st;
		if (waitpid(s->child, &st, WNOHANG) == s->child) {
			vdev_log(v, VPLAT_VHU_LOG_INFO, "watchdog: command exited with status %d",
				 WIFEXITED(st) ? WEXITSTATUS(st) : -1);
			s->child = 0;
		}
	}
}

static void wdt_destroy(struct vdev *v)
{
	free(v->state);
	v->state = NULL;
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
    .option = wdt_option,
    .create = wdt_create,
    .host_timeout_ms = wdt_timeout_ms,
    .host_run = wdt_run,
    .destroy = wdt_destroy,
    .in_order = true,
};
