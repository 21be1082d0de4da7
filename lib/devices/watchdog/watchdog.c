/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Watchdog device (virtio ID 35; spec/16-watchdog.md). Freestanding.
 *
 * Without vplat's features this is cloud-hypervisor's device: each device-writable buffer on
 * the pingq gets the byte 1 and counts as a ping; the first ping arms a 20 s timeout. Time comes
 * from the host end (now_ns) and vplat_watchdog_tick(); the device owns no timer.
 */
#include <string.h>
#include "vplat/error.h"
#include "vplat/watchdog.h"

#define MS_NS UINT64_C(1000000)
#define DEF_MIN_MS 1000u
#define DEF_MAX_MS 3600000u

static bool wd_has(const struct vplat_watchdog *wd, unsigned bit)
{
	return vplat_device_has_feature(&wd->dev, bit);
}

/* Mirror the model state into config space (little-endian). */
static void wd_sync(struct vplat_watchdog *wd)
{
	wd->config.timeout_ms = vplat_cpu_to_le32(wd->timeout_ms);
	wd->config.min_timeout_ms = vplat_cpu_to_le32(wd->cfg.min_timeout_ms);
	wd->config.max_timeout_ms = vplat_cpu_to_le32(wd->cfg.max_timeout_ms);
	wd->config.pretimeout_ms = vplat_cpu_to_le32(wd->pretimeout_ms);
	wd->config.status = vplat_cpu_to_le32(wd->status);
	wd->config.control = 0;
}

static void wd_ping(struct vplat_watchdog *wd)
{
	wd->last_ping_ns = wd->host->now_ns(wd->host_opaque);
	wd->status = VPLAT_VIRTIO_WDT_S_ARMED;
	wd->stats.pings++;
	wd_sync(wd);
}

/* Serve one chain: a ping if it is all device-writable and at least one byte long. */
static void wd_serve(struct vplat_watchdog *wd, struct vplat_chain *c, int rc)
{
	if (rc == 0 && c->read_len == 0 && c->write_len >= 1 && c->nwrite >= 1) {
		*(uint8_t *)c->iov[0].base = 1;
		(void)vplat_vq_push(&wd->vq, c, 1);
		wd_ping(wd);
		return;
	}
	wd->stats.bad_requests++;
	(void)vplat_vq_push(&wd->vq, c, 0);
}

static void wd_queue_notify(struct vplat_device *dev, struct vplat_vq *vq)
{
	struct vplat_watchdog *wd = dev->opaque;
	bool pushed = false;
	(void)vq;

	for (;;) {
		struct vplat_chain c;
		(void)memset(&c, 0, sizeof(c));
		c.iov = wd->iov;
		c.iov_cap = VPLAT_WATCHDOG_SEGS;
		int rc = vplat_vq_pop(&wd->vq, &c);
		if (rc != 0 && rc != VPLAT_E2BIG)
			break; /* empty, not live, or broken ring (device needs reset) */
		wd_serve(wd, &c, rc);
		pushed = true;
	}
	if (pushed)
		(void)vplat_vq_interrupt(&wd->vq);
}

static void wd_defaults(struct vplat_watchdog *wd)
{
	wd->timeout_ms = VPLAT_VIRTIO_WDT_DEFAULT_TIMEOUT_MS;
	wd->pretimeout_ms = 0;
	wd->status = 0;
	wd->last_ping_ns = 0;
	wd_sync(wd);
}

static void wd_reset(struct vplat_device *dev)
{
	wd_defaults(dev->opaque);
}

static uint32_t clamp_u32(uint32_t v, uint32_t lo, uint32_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Did the write [off, off+len) touch the 4-byte field at @p field? */
static bool touches(uint32_t off, uint32_t len, uint32_t field)
{
	return off < field + 4 && field < off + len;
}

static void wd_config_write(struct vplat_device *dev, uint32_t off, const void *data, uint32_t len)
{
	struct vplat_watchdog *wd = dev->opaque;
	struct vplat_virtio_wdt_config n = wd->config;

	if (off > sizeof(n) || len > sizeof(n) - off)
		return;
	(void)memcpy((uint8_t *)&n + off, data, len);
	if (touches(off, len, 0) && wd_has(wd, VPLAT_VIRTIO_WDT_F_TIMEOUT)) {
		wd->timeout_ms = clamp_u32(vplat_le32_to_cpu(n.timeout_ms), wd->cfg.min_timeout_ms,
					   wd->cfg.max_timeout_ms);
		if (wd->pretimeout_ms >= wd->timeout_ms)
			wd->pretimeout_ms = 0;
		if (wd->status & VPLAT_VIRTIO_WDT_S_ARMED) {
			wd->last_ping_ns = wd->host->now_ns(wd->host_opaque);
			wd->status &= ~VPLAT_VIRTIO_WDT_S_PRETIMEOUT;
		}
	}
	if (touches(off, len, 12) && wd_has(wd, VPLAT_VIRTIO_WDT_F_PRETIMEOUT)) {
		uint32_t p = vplat_le32_to_cpu(n.pretimeout_ms);
		wd->pretimeout_ms = p >= wd->timeout_ms ? 0 : p;
	}
	if (touches(off, len, 20) && wd_has(wd, VPLAT_VIRTIO_WDT_F_DISARM) &&
	    (vplat_le32_to_cpu(n.control) & VPLAT_VIRTIO_WDT_C_DISARM))
		wd->status &= ~(VPLAT_VIRTIO_WDT_S_ARMED | VPLAT_VIRTIO_WDT_S_PRETIMEOUT);
	wd_sync(wd);
}

static const struct vplat_feature_dep wd_deps[] = {
	{VPLAT_VIRTIO_WDT_F_PRETIMEOUT, VPLAT_BIT(VPLAT_VIRTIO_WDT_F_TIMEOUT)},
};

static const struct vplat_device_ops wd_ops = {
	.name = "watchdog",
	.device_id = VPLAT_VIRTIO_ID_WATCHDOG,
	.features = VPLAT_WATCHDOG_ALL_FEATURES,
	.deps = wd_deps,
	.ndeps = sizeof(wd_deps) / sizeof(wd_deps[0]),
	.queue_notify = wd_queue_notify, /* serves synchronously, never blocks */
	.reset = wd_reset,
	.config_write = wd_config_write,
};

int vplat_watchdog_init(struct vplat_watchdog *wd, struct vplat_mem *mem,
			const struct vplat_watchdog_config *cfg,
			const struct vplat_watchdog_host_ops *host, void *host_opaque)
{
	if (!wd || !host || !host->now_ns)
		return VPLAT_EINVAL;
	(void)memset(wd, 0, sizeof(*wd));
	if (cfg)
		wd->cfg = *cfg;
	if (!wd->cfg.min_timeout_ms)
		wd->cfg.min_timeout_ms = DEF_MIN_MS;
	if (!wd->cfg.max_timeout_ms)
		wd->cfg.max_timeout_ms = DEF_MAX_MS;
	if (wd->cfg.min_timeout_ms < DEF_MIN_MS ||
	    wd->cfg.min_timeout_ms > VPLAT_VIRTIO_WDT_DEFAULT_TIMEOUT_MS ||
	    wd->cfg.max_timeout_ms < VPLAT_VIRTIO_WDT_DEFAULT_TIMEOUT_MS ||
	    (wd->cfg.features & ~(uint64_t)VPLAT_WATCHDOG_ALL_FEATURES) ||
	    (unsigned)wd->cfg.action > VPLAT_WATCHDOG_ACTION_POWEROFF)
		return VPLAT_EINVAL;
	wd->host = host;
	wd->host_opaque = host_opaque;
	wd_defaults(wd);
	int rc = vplat_device_init(&wd->dev, &wd_ops, wd, mem, &wd->vq, 1, 64,
				   (uint8_t *)&wd->config, sizeof(wd->config));
	if (rc)
		return rc;
	uint64_t offer = (wd->dev.host_features & ~(uint64_t)VPLAT_WATCHDOG_ALL_FEATURES) |
			 wd->cfg.features;
	return vplat_device_set_offer(&wd->dev, offer);
}

struct vplat_device *vplat_watchdog_device(struct vplat_watchdog *wd)
{
	return &wd->dev;
}

static bool wd_running(const struct vplat_watchdog *wd)
{
	return (wd->status & VPLAT_VIRTIO_WDT_S_ARMED) && !wd->paused &&
	       (wd->dev.status & VPLAT_VIRTIO_STATUS_DRIVER_OK);
}

static uint64_t wd_at(const struct vplat_watchdog *wd, uint32_t ms)
{
	uint64_t d = (uint64_t)ms * MS_NS;
	return wd->last_ping_ns > UINT64_MAX - d ? UINT64_MAX : wd->last_ping_ns + d;
}

uint64_t vplat_watchdog_next_deadline(const struct vplat_watchdog *wd)
{
	if (!wd_running(wd))
		return UINT64_MAX;
	if (wd->pretimeout_ms && !(wd->status & VPLAT_VIRTIO_WDT_S_PRETIMEOUT))
		return wd_at(wd, wd->timeout_ms - wd->pretimeout_ms);
	return wd_at(wd, wd->timeout_ms);
}

static void wd_expire(struct vplat_watchdog *wd)
{
	enum vplat_watchdog_action a = wd->cfg.action;

	wd->status = (wd->status & ~VPLAT_VIRTIO_WDT_S_ARMED) | VPLAT_VIRTIO_WDT_S_EXPIRED;
	wd->stats.expiries++;
	wd_sync(wd);
	/* The host end may reset the device from here (a VM reset): state is final already. */
	if (wd->host->expired)
		wd->host->expired(wd->host_opaque, a);
	if (a == VPLAT_WATCHDOG_ACTION_RESET && wd->host->reset)
		wd->host->reset(wd->host_opaque);
	else if (a == VPLAT_WATCHDOG_ACTION_POWEROFF && wd->host->poweroff)
		wd->host->poweroff(wd->host_opaque);
}

void vplat_watchdog_tick(struct vplat_watchdog *wd, uint64_t now_ns)
{
	if (!wd_running(wd))
		return;
	if (wd->pretimeout_ms && !(wd->status & VPLAT_VIRTIO_WDT_S_PRETIMEOUT) &&
	    now_ns >= wd_at(wd, wd->timeout_ms - wd->pretimeout_ms)) {
		wd->status |= VPLAT_VIRTIO_WDT_S_PRETIMEOUT;
		wd->stats.pretimeouts++;
		wd_sync(wd);
		vplat_device_config_changed(&wd->dev);
		if (wd->host->pretimeout)
			wd->host->pretimeout(wd->host_opaque);
	}
	if (now_ns >= wd_at(wd, wd->timeout_ms))
		wd_expire(wd);
}

void vplat_watchdog_pause(struct vplat_watchdog *wd)
{
	wd->paused = true;
}

void vplat_watchdog_resume(struct vplat_watchdog *wd, uint64_t now_ns)
{
	wd->paused = false;
	wd->last_ping_ns = now_ns;
	wd->status &= ~VPLAT_VIRTIO_WDT_S_PRETIMEOUT;
	wd_sync(wd);
}

uint32_t vplat_watchdog_status(const struct vplat_watchdog *wd)
{
	return wd->status;
}

const struct vplat_watchdog_stats *vplat_watchdog_stats(const struct vplat_watchdog *wd)
{
	return &wd->stats;
}
