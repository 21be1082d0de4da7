/* SPDX-License-Identifier: BSD-3-Clause */
/* Platform description, sound device: a WAV sink for the output stream and/or a WAV source
 * for the input stream (docs/platform-binding.md). */
#include "platform_parse.h"

#ifdef VPLAT_HAVE_LIBFDT
#include "vplat/error.h"

static const char *const sound_props[] = {"sound-sink", "sound-source", "sound-no-loop", NULL};

static int parse_sound(struct vplat_pf_ctx *c, int node, struct pf_dev *d)
{
	int rc;
	if ((rc = get_str(c, node, "sound-sink", &d->snd_sink)) < 0 ||
	    (rc = get_str(c, node, "sound-source", &d->snd_source)) < 0 ||
	    (rc = get_bool(c, node, "sound-no-loop", &d->snd_no_loop)) < 0)
		return rc;
	if (!d->snd_sink && !d->snd_source)
		return FAIL(c, VPLAT_EINVAL, node, "sound-sink",
			    "a sound device needs \"sound-sink\" and/or \"sound-source\" (WAV files)");
	return 0;
}

const struct vplat_pf_type_parser vplat_pf_parser_sound = {.props = sound_props,
							   .parse = parse_sound};

#endif /* VPLAT_HAVE_LIBFDT */
