/* SPDX-License-Identifier: BSD-3-Clause */
/* Platform description, watchdog: expiry action and timeout range (docs/platform-binding.md). */
#include "platform_parse.h"

#ifdef VPLAT_HAVE_LIBFDT
#include <libfdt.h>
#include <string.h>
#include "vplat/error.h"

static const char *const watchdog_props[] = {
	"action", "command", "min-timeout-ms", "max-timeout-ms", "nowayout", "cloud-hypervisor",
	NULL};

static int parse_watchdog(struct vplat_pf_ctx *c, int node, struct pf_dev *d)
{
	const char *action = "log";
	int rc;
	if ((rc = get_str(c, node, "action", &action)) < 0 ||
	    (rc = get_str(c, node, "command", &d->wdt_command)) < 0 ||
	    (rc = get_u32_range(c, node, "min-timeout-ms", &d->wdt_min_ms, 1000, 20000)) < 0 ||
	    (rc = get_u32_range(c, node, "max-timeout-ms", &d->wdt_max_ms, 20000, UINT32_MAX)) < 0 ||
	    (rc = get_bool(c, node, "nowayout", &d->wdt_nowayout)) < 0 ||
	    (rc = get_bool(c, node, "cloud-hypervisor", &d->wdt_cloud_hypervisor)) < 0)
		return rc;
	if (strcmp(action, "log") && strcmp(action, "command"))
		return FAIL(c, VPLAT_EINVAL, node, "action",
			    "unknown action \"%s\" (\"log\" or \"command\")", action);
	if (!strcmp(action, "command") && !d->wdt_command)
		return FAIL(c, VPLAT_ENOENT, node, "command",
			    "missing: action \"command\" needs the command to run");
	if (!strcmp(action, "log") && d->wdt_command && has_prop(c, node, "action"))
		return FAIL(c, VPLAT_EINVAL, node, "command",
			    "given with action \"log\" (use action \"command\")");
	return 0;
}

const struct vplat_pf_type_parser vplat_pf_parser_watchdog = {
	.props = watchdog_props, .parse = parse_watchdog};

#endif /* VPLAT_HAVE_LIBFDT */
