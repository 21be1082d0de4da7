/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Arm SP805 watchdog register model (ARM DDI 0270). Freestanding.
 *
 * The counter is computed from the clock, not stepped: while INTEN is set it held count_ref at
 * t_ref and loses one per WDOGCLK period. Reaching zero is an expiry: the first raises WdogRIS,
 * a second with RIS still set asserts the reset output if RESEN is set; after each the counter
 * reloads from WdogLoad (a load of 0 counts as one period, so time always moves on).
 */
#include <string.h>
#include "vplat/error.h"
#include "vplat/sp805.h"

#define NS UINT64_C(1000000000)

/* Standard SP805 identification: PeriphID0..3 (part 0x805, designer Arm 0x41, rev 1), then
 * PrimeCell ID0..3 (0xb105f00d). */
static const uint8_t sp805_id[8] = {0x05, 0x18, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

static uint64_t ns_to_ticks(const struct vplat_sp805 *sp, uint64_t ns)
{
	return ns / NS * sp->hz + ns % NS * sp->hz / NS;
}

/* Time of @p ticks periods, rounded up (the tick has happened by then). */
static uint64_t ticks_to_ns(const struct vplat_sp805 *sp, uint64_t ticks)
{
	uint64_t whole = ticks / sp->hz, rest = ticks % sp->hz;
	if (whole > UINT64_MAX / NS - 1)
		return UINT64_MAX / 2;
	return whole * NS + (rest * NS + sp->hz - 1) / sp->hz;
}

static bool running(const struct vplat_sp805 *sp)
{
	return (sp->control & VPLAT_SP805_CTRL_INTEN) && !sp->reset_out;
}

static void set_irq(struct vplat_sp805 *sp)
{
	if (sp->host->irq)
		sp->host->irq(sp->host_opaque, sp->ris && (sp->control & VPLAT_SP805_CTRL_INTEN));
}

static void reload(struct vplat_sp805 *sp, uint64_t now)
{
	sp->count_ref = sp->load;
	sp->t_ref = now;
}

/* Ticks from a reload to the next expiry. */
static uint64_t period(const struct vplat_sp805 *sp)
{
	return sp->load ? sp->load : 1;
}

uint64_t vplat_sp805_next_deadline(const struct vplat_sp805 *sp)
{
	if (!running(sp))
		return UINT64_MAX;
	uint64_t d = ticks_to_ns(sp, sp->count_ref ? sp->count_ref : 1);
	return sp->t_ref > UINT64_MAX - d ? UINT64_MAX : sp->t_ref + d;
}

void vplat_sp805_tick(struct vplat_sp805 *sp, uint64_t now)
{
	while (running(sp) && now >= vplat_sp805_next_deadline(sp)) {
		uint64_t at = vplat_sp805_next_deadline(sp);
		if (!sp->ris) {
			sp->ris = true;
			reload(sp, at);
			set_irq(sp);
			continue;
		}
		if (sp->control & VPLAT_SP805_CTRL_RESEN) {
			sp->reset_out = true;
			sp->resets++;
			sp->count_ref = 0;
			if (sp->host->reset)
				sp->host->reset(sp->host_opaque);
			return;
		}
		/* Interrupt already raised and no reset: nothing changes but the counter. Skip
		 * every whole period that has passed at once. */
		uint64_t p = period(sp), n = ns_to_ticks(sp, now - at) / p;
		reload(sp, at);
		if (n)
			sp->t_ref = at + ticks_to_ns(sp, n * p);
	}
}

static uint32_t value(struct vplat_sp805 *sp, uint64_t now)
{
	if (!running(sp))
		return sp->count_ref;
	uint64_t t = now > sp->t_ref ? ns_to_ticks(sp, now - sp->t_ref) : 0;
	return t >= sp->count_ref ? 0 : sp->count_ref - (uint32_t)t;
}

void vplat_sp805_reset(struct vplat_sp805 *sp)
{
	sp->load = 0xffffffffu;
	sp->count_ref = 0xffffffffu;
	sp->control = 0;
	sp->ris = false;
	sp->locked = false;
	sp->reset_out = false;
	sp->itcr = 0;
	sp->t_ref = sp->host->now_ns(sp->host_opaque);
	set_irq(sp);
}

int vplat_sp805_init(struct vplat_sp805 *sp, uint64_t clock_hz,
		     const struct vplat_sp805_host_ops *host, void *host_opaque)
{
	if (!sp || !host || !host->now_ns || clock_hz == 0 || clock_hz > UINT32_MAX)
		return VPLAT_EINVAL;
	(void)memset(sp, 0, sizeof(*sp));
	sp->host = host;
	sp->host_opaque = host_opaque;
	sp->hz = clock_hz;
	vplat_sp805_reset(sp);
	return 0;
}

static bool access_ok(uint64_t off, unsigned size)
{
	return size == 4 && off < VPLAT_SP805_WINDOW && !(off & 3);
}

int vplat_sp805_read(struct vplat_sp805 *sp, uint64_t off, unsigned size, uint64_t *val)
{
	*val = 0;
	if (!access_ok(off, size))
		return VPLAT_EINVAL;
	uint64_t now = sp->host->now_ns(sp->host_opaque);
	vplat_sp805_tick(sp, now);
	switch (off) {
	case VPLAT_SP805_LOAD: *val = sp->load; break;
	case VPLAT_SP805_VALUE: *val = value(sp, now); break;
	case VPLAT_SP805_CONTROL: *val = sp->control; break;
	case VPLAT_SP805_RIS: *val = sp->ris; break;
	case VPLAT_SP805_MIS: *val = sp->ris && (sp->control & VPLAT_SP805_CTRL_INTEN); break;
	case VPLAT_SP805_LOCK: *val = sp->locked; break;
	case VPLAT_SP805_ITCR: *val = sp->itcr; break;
	default:
		if (off >= VPLAT_SP805_PERIPHID0)
			*val = sp805_id[(off - VPLAT_SP805_PERIPHID0) / 4];
		break; /* WdogIntClr, WdogITOP and reserved offsets read 0 */
	}
	return 0;
}

int vplat_sp805_write(struct vplat_sp805 *sp, uint64_t off, unsigned size, uint64_t val)
{
	if (!access_ok(off, size))
		return VPLAT_EINVAL;
	uint32_t v = (uint32_t)val;
	uint64_t now = sp->host->now_ns(sp->host_opaque);
	vplat_sp805_tick(sp, now);
	if (off == VPLAT_SP805_LOCK) {
		sp->locked = v != VPLAT_SP805_UNLOCK_KEY;
		return 0;
	}
	if (sp->locked)
		return 0;
	switch (off) {
	case VPLAT_SP805_LOAD:
		sp->load = v;
		reload(sp, now);
		break;
	case VPLAT_SP805_CONTROL: {
		bool was = sp->control & VPLAT_SP805_CTRL_INTEN;
		if (was)
			sp->count_ref = value(sp, now); /* freeze before a possible stop */
		sp->t_ref = now;
		sp->control = v & (VPLAT_SP805_CTRL_INTEN | VPLAT_SP805_CTRL_RESEN);
		if (!was && (sp->control & VPLAT_SP805_CTRL_INTEN))
			reload(sp, now); /* enabling reloads the counter */
		set_irq(sp);
		break;
	}
	case VPLAT_SP805_INTCLR:
		sp->ris = false;
		reload(sp, now);
		set_irq(sp);
		break;
	case VPLAT_SP805_ITCR:
		sp->itcr = v & 1;
		break;
	default:
		break; /* read-only, ITOP (test outputs not modelled) and reserved */
	}
	return 0;
}
