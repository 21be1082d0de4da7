/* SPDX-License-Identifier: BSD-3-Clause */
/* vplat-device sound: the sound device with an output stream recorded into a WAV file and/or
 * an input stream played from one. */
#include <string.h>
#include "vdev.h"

static int sound_option(struct vdev *v, int argc, char **argv, int *i)
{
	struct vplat_instance_sound *o = &v->opt.sound;
	const char *val;
	if ((val = vdev_optval(argc, argv, i, "--sink")))
		return o->sink = val, 1;
	if ((val = vdev_optval(argc, argv, i, "--source")))
		return o->source = val, 1;
	if (!strcmp(argv[*i], "--no-loop"))
		return o->no_loop = true, 1;
	if ((val = vdev_optval(argc, argv, i, "--jack-flip"))) {
		uint64_t ms;
		if (!vdev_parse_u64(val, &ms) || ms == 0 || ms > 3600000u)
			return -1;
		return o->jack_flip_ms = (uint32_t)ms, 1;
	}
	return 0;
}

static bool sound_configure(struct vdev *v)
{
	struct vplat_instance_sound *o = &v->opt.sound;
	if (!o->sink && !o->source) {
		vdev_log(v, VPLAT_VHU_LOG_ERROR, "sound needs --sink FILE.wav and/or --source FILE.wav");
		return false;
	}
	return true;
}

const struct vdev_type vdev_sound = {
    .name = "sound",
    .summary = "sound device (virtio-snd, ID 25): PCM output into / input from WAV files",
    .help = "DESCRIPTION\n"
	    "    Serves a virtio sound device with one output stream (--sink) and/or one input\n"
	    "    stream (--source); with both, stream 0 is the output and stream 1 the input.\n"
	    "    The output stream offers U8, S16, S32 and FLOAT samples, 8000 to 48000 Hz, 1 or\n"
	    "    2 channels; what the guest plays is written to the sink as a WAV file whose\n"
	    "    header is completed at every STOP and RELEASE. The input stream offers exactly\n"
	    "    the source file's format, rate and channels. Periods complete at the stream's\n"
	    "    real rate (a period's frames per period duration), so the guest driver sees\n"
	    "    realistic timing. At exit the period interval statistics are logged.\n"
	    "    With --jack-flip the device has one jack (a line jack, connected at start)\n"
	    "    and the host flips its connection once per driver session, MS milliseconds\n"
	    "    after the driver sets DRIVER_OK: the driver gets a JACK_CONNECTED or\n"
	    "    JACK_DISCONNECTED event and JACK_INFO shows the new state (a scripted host-side\n"
	    "    jack change, as the conformance suite's sound_jack_host_change test expects).\n"
	    "    QEMU 7.2 has no vhost-user sound front end: serve it through vplat's own\n"
	    "    transports (vplat-xen --dev sound,sink=FILE, a VMM embedding the library).\n"
	    "\n"
	    "DEVICE OPTIONS\n"
	    "    --sink FILE         record the output stream into FILE (WAV, created at PREPARE)\n"
	    "    --source FILE       feed the input stream from FILE (PCM or float WAV)\n"
	    "    --no-loop           at the end of the source deliver silence (default: start over)\n"
	    "    --jack-flip MS      one jack; the host flips its connection MS ms (1..3600000)\n"
	    "                        after each DRIVER_OK (default: no jacks)\n",
    .type = VPLAT_INSTANCE_SOUND,
    .option = sound_option,
    .configure = sound_configure,
};
