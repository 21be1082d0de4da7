/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/host/snd_host.h
 * Sound host ends (hosted library, lib/host/snd/snd_wav.c): WAV files. An output stream is
 * recorded into a WAV file (the sink); an input stream is fed from a WAV file (the source).
 *
 * Sink: the file is created (truncated) at the stream's first PREPARE after parameters were
 * set, with a RIFF/WAVE header describing the parameters (PCM for U8, S16, S24_3 and S32,
 * IEEE float for FLOAT; other formats are refused at SET_PARAMS, which the device answers
 * VIRTIO_SND_S_NOT_SUPP). Played frames are appended; the header's sizes are rewritten on
 * STOP, RELEASE and vplat_snd_wav_free(), so a file is a valid WAV after each of them. New
 * parameters with a different frame layout start the file anew.
 *
 * Source: a canonical PCM or float WAV file (RIFF, a "fmt " chunk, a "data" chunk; other
 * chunks skipped). Its format, rate and channels are the only ones the input stream
 * advertises (vplat_snd_wav_source_stream()); at the end of the data it starts over (loop) or
 * delivers silence.
 *
 * Pacing is the device's (vplat_snd_tick()): the files see a period's frames when the period
 * is due. Thread rules: one thread serves the device and its host end.
 */
#ifndef VPLAT_HOST_SND_HOST_H
#define VPLAT_HOST_SND_HOST_H

#include <stdbool.h>
#include <stdint.h>
#include "vplat/export.h"
#include "vplat/snd.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vplat_snd_wav;

/** Host end ops over struct vplat_snd_wav (pass the vplat_snd_wav as host_opaque). */
VPLAT_API extern const struct vplat_snd_host_ops vplat_snd_host_wav;

/**
 * Create a WAV host end with no stream bound (allocates).
 * @return it, or NULL when out of memory
 */
VPLAT_API struct vplat_snd_wav *vplat_snd_wav_new(void);

/**
 * Record output stream @p stream into @p path.
 * @param w       the host end
 * @param stream  stream ID (0..VPLAT_SND_MAX_STREAMS-1)
 * @param path    file to create at PREPARE (copied)
 * @return 0, or VPLAT_EINVAL (stream out of range, path too long), VPLAT_EBUSY (already bound)
 */
VPLAT_API int vplat_snd_wav_set_sink(struct vplat_snd_wav *w, uint32_t stream, const char *path);

/**
 * Feed input stream @p stream from the WAV file @p path (opened and parsed now).
 * @param w       the host end
 * @param stream  stream ID
 * @param path    the file
 * @param loop    start over at the end of the data (false: silence)
 * @return 0, VPLAT_EINVAL (stream out of range, already bound), VPLAT_EIO (cannot open or
 *         read), VPLAT_ENOTSUP (not a WAV file in a format vplat can describe)
 */
VPLAT_API int vplat_snd_wav_set_source(struct vplat_snd_wav *w, uint32_t stream,
				       const char *path, bool loop);

/**
 * The stream configuration a source file allows: its own format, rate and channel count.
 * @param w       the host end
 * @param stream  a stream bound with vplat_snd_wav_set_source()
 * @param out     receives the configuration (direction input)
 * @return 0 or VPLAT_EINVAL
 */
VPLAT_API int vplat_snd_wav_source_stream(const struct vplat_snd_wav *w, uint32_t stream,
					  struct vplat_snd_stream_config *out);

/**
 * Frames written into the sink of @p stream so far.
 * @param w       the host end
 * @param stream  the stream
 * @return frames (0 if none or not a sink)
 */
VPLAT_API uint64_t vplat_snd_wav_frames(const struct vplat_snd_wav *w, uint32_t stream);

/**
 * Finish every sink's header, close the files and free the host end.
 * @param w  the host end (NULL is ignored)
 */
VPLAT_API void vplat_snd_wav_free(struct vplat_snd_wav *w);

#ifdef __cplusplus
}
#endif

#endif /* VPLAT_HOST_SND_HOST_H */
