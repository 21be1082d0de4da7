/* SPDX-License-Identifier: BSD-3-Clause */
/* getrandom(2) host end for the entropy device. */
#include <errno.h>
#include <sys/random.h>
#include "vplat/error.h"
#include "vplat/rng.h"
#include "vplat/host/rng_host.h"

static int32_t getrandom_read(void *host, uint8_t *buf, uint32_t len)
{
	(void)host;
	if (len > INT32_MAX)
		len = INT32_MAX;
	for (;;) {
		ssize_t n = getrandom(buf, len, GRND_NONBLOCK);
		if (n >= 0)
			return (int32_t)n;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN)
			return 0; /* pool not initialised yet: the request waits */
		return VPLAT_EIO;
	}
}

const struct vplat_rng_host_ops vplat_rng_host_getrandom = {.read = getrandom_read};
