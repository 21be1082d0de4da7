/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Token-bucket rate limiter (operations and bytes). Freestanding: the caller passes the time.
 *
 * Refill arithmetic without 128-bit integers: elapsed time is split into whole seconds and a
 * remainder below 1e9 ns, so remainder * rate < 1e9 * 2^34 < 2^64. The fraction of a token
 * left over is carried in `frac` (units of 1e-9 token), so no time is lost to rounding.
 */
#include <string.h>
#include "vplat/error.h"
#include "vplat/ratelimit.h"

#define NS VPLAT_RATELIMIT_NS_PER_SEC
#define DEBT_MAX (INT64_MAX / 2)

/* Tokens missing until the bucket holds @p target (target may be below tokens: 0). */
static uint64_t tb_deficit(const struct vplat_tbucket *b, uint64_t target)
{
	if (b->tokens >= 0)
		return target > (uint64_t)b->tokens ? target - (uint64_t)b->tokens : 0;
	return target + (uint64_t)(-b->tokens);
}

static void tb_refill(struct vplat_tbucket *b, uint64_t elapsed)
{
	if (b->rate == 0 || elapsed == 0)
		return;
	uint64_t room = tb_deficit(b, b->burst);
	if (room == 0) {
		b->frac = 0;
		return;
	}
	uint64_t secs = elapsed / NS, rem = elapsed % NS;
	if (secs > (UINT64_MAX / 2) / b->rate) {
		b->tokens = (int64_t)b->burst;
		b->frac = 0;
		return;
	}
	uint64_t part = rem * b->rate + b->frac; /* < 1e9 * 2^34 + 1e9 */
	uint64_t add = secs * b->rate + part / NS;
	b->frac = part % NS;
	if (add >= room) {
		b->tokens = (int64_t)b->burst;
		b->frac = 0;
	} else {
		b->tokens += (int64_t)add; /* add < room <= burst + debt: no overflow */
	}
}

/* Can @p need tokens be taken now? */
static bool tb_can(const struct vplat_tbucket *b, uint64_t need)
{
	if (b->rate == 0 || need == 0)
		return true;
	if (need > b->burst) /* over-burst: only from a full bucket */
		return b->tokens == (int64_t)b->burst;
	return b->tokens >= 0 && (uint64_t)b->tokens >= need;
}

static void tb_take(struct vplat_tbucket *b, uint64_t need)
{
	if (b->rate == 0 || need == 0)
		return;
	if (need > b->burst) {
		uint64_t over = need - b->burst;
		b->tokens = over > DEBT_MAX ? -DEBT_MAX : -(int64_t)over;
		return;
	}
	b->tokens -= (int64_t)need;
}

/* Nanoseconds until tb_can(b, need). */
static uint64_t tb_wait(const struct vplat_tbucket *b, uint64_t need)
{
	if (tb_can(b, need))
		return 0;
	uint64_t deficit = tb_deficit(b, need > b->burst ? b->burst : need);
	uint64_t secs = deficit / b->rate, r = deficit % b->rate;
	if (secs > UINT64_MAX / NS - 1)
		return UINT64_MAX;
	uint64_t ns = secs * NS, rn = r * NS; /* r < rate <= 2^34 */
	if (rn > b->frac)
		ns += (rn - b->frac + b->rate - 1) / b->rate;
	return ns;
}

static void rl_advance(struct vplat_ratelimit *rl, uint64_t now_ns)
{
	if (now_ns <= rl->last_ns)
		return; /* time going backwards counts as no time */
	uint64_t elapsed = now_ns - rl->last_ns;
	tb_refill(&rl->ops, elapsed);
	tb_refill(&rl->bytes, elapsed);
	rl->last_ns = now_ns;
}

int vplat_ratelimit_init(struct vplat_ratelimit *rl, uint64_t now_ns)
{
	if (!rl)
		return VPLAT_EINVAL;
	(void)memset(rl, 0, sizeof(*rl));
	rl->last_ns = now_ns;
	return 0;
}

static int tb_set(struct vplat_tbucket *b, uint64_t rate, uint64_t burst)
{
	if (burst == 0)
		burst = rate;
	if (rate != b->rate) {
		b->rate = rate;
		b->burst = burst;
		b->tokens = (int64_t)burst;
		b->frac = 0;
		return 0;
	}
	b->burst = burst;
	if (b->tokens > (int64_t)burst)
		b->tokens = (int64_t)burst;
	return 0;
}

int vplat_ratelimit_set(struct vplat_ratelimit *rl, const struct vplat_ratelimit_config *cfg,
			uint64_t now_ns)
{
	if (!rl || !cfg)
		return VPLAT_EINVAL;
	if (cfg->ops_rate > VPLAT_RATELIMIT_MAX_RATE || cfg->bytes_rate > VPLAT_RATELIMIT_MAX_RATE ||
	    cfg->ops_burst > (uint64_t)INT64_MAX || cfg->bytes_burst > (uint64_t)INT64_MAX)
		return VPLAT_ERANGE;
	rl_advance(rl, now_ns);
	(void)tb_set(&rl->ops, cfg->ops_rate, cfg->ops_burst);
	(void)tb_set(&rl->bytes, cfg->bytes_rate, cfg->bytes_burst);
	return 0;
}

void vplat_ratelimit_get(const struct vplat_ratelimit *rl, struct vplat_ratelimit_config *cfg)
{
	cfg->ops_rate = rl->ops.rate;
	cfg->ops_burst = rl->ops.rate ? rl->ops.burst : 0;
	cfg->bytes_rate = rl->bytes.rate;
	cfg->bytes_burst = rl->bytes.rate ? rl->bytes.burst : 0;
}

bool vplat_ratelimit_consume(struct vplat_ratelimit *rl, uint64_t ops, uint64_t bytes,
			     uint64_t now_ns)
{
	rl_advance(rl, now_ns);
	if (!tb_can(&rl->ops, ops) || !tb_can(&rl->bytes, bytes)) {
		rl->stats.throttled++;
		return false;
	}
	tb_take(&rl->ops, ops);
	tb_take(&rl->bytes, bytes);
	rl->stats.allowed++;
	return true;
}

uint64_t vplat_ratelimit_wait_ns(struct vplat_ratelimit *rl, uint64_t ops, uint64_t bytes,
				 uint64_t now_ns)
{
	rl_advance(rl, now_ns);
	uint64_t a = tb_wait(&rl->ops, ops), b = tb_wait(&rl->bytes, bytes);
	return a > b ? a : b;
}

bool vplat_ratelimit_active(const struct vplat_ratelimit *rl)
{
	return rl->ops.rate != 0 || rl->bytes.rate != 0;
}
