/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-VM memory-bandwidth regulator (vplat/regulator.h). Freestanding: the caller passes the
 * time and the counter readings and applies the answers. Constant work per call.
 */
#include <string.h>
#include "vplat/error.h"
#include "vplat/regulator.h"

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return (a > UINT64_MAX - b) ? UINT64_MAX : a + b;
}

/* Move the current period forward to the one containing now_ns. */
static void reg_advance(struct vplat_reg *r, uint64_t now_ns)
{
	if (now_ns <= r->start_ns)
		return; /* time going backwards counts as no time */
	uint64_t k = (now_ns - r->start_ns) / r->period_ns;
	if (k == 0U)
		return;
	r->start_ns += k * r->period_ns; /* k * period <= now - start: no overflow */
	r->index = sat_add(r->index, k);
}

/* End the VM's period(s): statistics, a fresh budget; true if it was throttled. */
static bool vm_close(struct vplat_reg_vm *v, uint64_t index, uint64_t now_ns)
{
	bool was = v->throttled;
	if (v->budget != 0U) {
		v->stats.periods = sat_add(v->stats.periods, index - v->period);
		if (v->used > v->budget) {
			uint64_t over = v->used - v->budget;
			v->stats.overshoot_total = sat_add(v->stats.overshoot_total, over);
			if (over > v->stats.overshoot_max)
				v->stats.overshoot_max = over;
		}
		if (v->hit)
			v->stats.periods_throttled++;
	}
	if (was && now_ns > v->throttled_at)
		v->stats.throttled_ns = sat_add(v->stats.throttled_ns, now_ns - v->throttled_at);
	v->used = 0;
	v->hit = false;
	v->throttled = false;
	v->period = index;
	return was;
}

int vplat_reg_init(struct vplat_reg *r, struct vplat_reg_vm *vms, uint32_t nvms,
		   uint64_t period_ns, uint64_t now_ns)
{
	if (!r || !vms || nvms == 0U)
		return VPLAT_EINVAL;
	if (period_ns < VPLAT_REG_MIN_PERIOD_NS || period_ns > VPLAT_REG_MAX_PERIOD_NS)
		return VPLAT_ERANGE;
	(void)memset(r, 0, sizeof(*r));
	(void)memset(vms, 0, sizeof(*vms) * nvms);
	r->vms = vms;
	r->nvms = nvms;
	r->period_ns = period_ns;
	r->start_ns = now_ns;
	return 0;
}

int vplat_reg_set_budget(struct vplat_reg *r, uint32_t vm, uint64_t budget)
{
	if (!r || vm >= r->nvms)
		return VPLAT_EINVAL;
	r->vms[vm].budget = budget;
	return 0;
}

int vplat_reg_update(struct vplat_reg *r, uint32_t vm, uint64_t count, uint64_t now_ns)
{
	if (!r || vm >= r->nvms)
		return VPLAT_EINVAL;
	struct vplat_reg_vm *v = &r->vms[vm];
	uint64_t delta = v->primed ? count - v->last_count : 0U; /* modulo 2^64: wraps */
	v->primed = true;
	v->last_count = count;
	v->used = sat_add(v->used, delta);
	v->stats.events = sat_add(v->stats.events, delta);
	reg_advance(r, now_ns);
	bool was = v->throttled;
	if (v->period != r->index)
		(void)vm_close(v, r->index, now_ns);
	bool over = v->budget != 0U && v->used >= v->budget;
	if (over && !v->throttled) {
		v->throttled = true;
		v->hit = true;
		v->stats.throttles++;
		v->throttled_at = now_ns;
	} else if (!over && v->throttled) {
		/* a larger budget or none at all, set during the period */
		v->throttled = false;
		if (now_ns > v->throttled_at)
			v->stats.throttled_ns =
				sat_add(v->stats.throttled_ns, now_ns - v->throttled_at);
	} else {
		/* unchanged */
	}
	enum vplat_reg_action act = VPLAT_REG_NONE;
	if (was != v->throttled)
		act = v->throttled ? VPLAT_REG_THROTTLE : VPLAT_REG_RELEASE;
	return (int)act;
}

uint64_t vplat_reg_remaining(const struct vplat_reg *r, uint32_t vm)
{
	if (!r || vm >= r->nvms)
		return 0;
	const struct vplat_reg_vm *v = &r->vms[vm];
	if (v->budget == 0U)
		return UINT64_MAX;
	return v->used >= v->budget ? 0U : v->budget - v->used;
}

uint64_t vplat_reg_next_ns(const struct vplat_reg *r)
{
	if (!r)
		return 0;
	return sat_add(r->start_ns, r->period_ns);
}

bool vplat_reg_throttled(const struct vplat_reg *r, uint32_t vm)
{
	if (!r || vm >= r->nvms)
		return false;
	return r->vms[vm].throttled;
}

int vplat_reg_get_stats(const struct vplat_reg *r, uint32_t vm, struct vplat_reg_stats *st)
{
	if (!r || !st || vm >= r->nvms)
		return VPLAT_EINVAL;
	*st = r->vms[vm].stats;
	return 0;
}
