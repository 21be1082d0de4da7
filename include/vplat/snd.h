/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/snd.h
 * Sound device (virtio-snd, device ID 25; sec: Device Types / Sound Device) and the interface
 * to its host end, which plays and records PCM frames (a WAV file sink and source:
 * vplat/host/snd_host.h).
 *
 * Configuration: the embedder lists the jacks, PCM streams and channel maps
 * (struct vplat_snd_config); the device answers the item information requests
 * (VIRTIO_SND_R_JACK_INFO, _PCM_INFO, _CHMAP_INFO) from that list.
 *
 * Control queue: every request is validated and answered synchronously. PCM streams follow the
 * command lifecycle of sec: PCM Control Messages / PCM Command Lifecycle (SET_PARAMS, PREPARE,
 * START, STOP, RELEASE); a command that is not a valid transition from the stream's state, a
 * stream ID out of range, or parameters outside the advertised sets (format, rate, channels,
 * features; period_bytes dividing buffer_bytes) is answered VIRTIO_SND_S_BAD_MSG and changes
 * nothing. A host end that refuses a command makes it VIRTIO_SND_S_IO_ERR (SET_PARAMS:
 * VIRTIO_SND_S_NOT_SUPP).
 *
 * I/O queues: tx and rx messages (sec: PCM I/O Messages) are held until the stream has played
 * or recorded them. The model has no clock: the embedder calls vplat_snd_tick() with the time
 * (nanoseconds, any monotonic origin) and vplat_snd_next_deadline() tells when it must be
 * called next. A started stream consumes its oldest held message when the message's duration
 * (payload bytes / (frame bytes * rate)) has elapsed since the previous one, so the guest
 * driver sees its periods complete at the real rate (devicenormative: "MUST NOT complete the
 * I/O request until the buffer is totally consumed" / "until the buffer is full"). RELEASE
 * completes every held message of the stream before its own response (devicenormative: PCM
 * Stream Release). A malformed I/O message (no room for the status, a device-writable payload
 * on tx or a device-readable one on rx, an unknown stream, a stream of the other direction or
 * without parameters, no free slot) is completed at once with VIRTIO_SND_S_IO_ERR.
 *
 * Messages of different streams complete out of ring order, so VIRTIO_F_IN_ORDER is not
 * offered. No device feature bit is offered (no VIRTIO_SND_F_CTLS) and no PCM feature
 * (no shared memory, no xrun events).
 *
 * Freestanding. Thread rules: one thread serves the device (queue notifications, vplat_snd_tick()
 * and the host end's calls run in it).
 */
#ifndef VPLAT_SND_H
#define VPLAT_SND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vplat/device.h"
#include "vplat/export.h"
#include "vplat/spec/virtio_snd.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef VPLAT_SND_MAX_STREAMS
/** Most PCM streams of one device. */
#define VPLAT_SND_MAX_STREAMS 4
#endif
#ifndef VPLAT_SND_MAX_JACKS
/** Most jacks of one device. */
#define VPLAT_SND_MAX_JACKS 4
#endif
#ifndef VPLAT_SND_MAX_CHMAPS
/** Most channel maps of one device. */
#define VPLAT_SND_MAX_CHMAPS 4
#endif
#ifndef VPLAT_SND_PENDING_MAX
/** I/O messages held per I/O queue (tx, rx); a message beyond it fails with IO_ERR. */
#define VPLAT_SND_PENDING_MAX 64
#endif
#ifndef VPLAT_SND_IO_SEGS
/** Segments the device maps of one I/O message (more: the message fails). */
#define VPLAT_SND_IO_SEGS 16
#endif
#ifndef VPLAT_SND_EVENTS_MAX
/** Events waiting for an eventq buffer (older ones are dropped when it is full). */
#define VPLAT_SND_EVENTS_MAX 8
#endif

/** A PCM stream as the device advertises it. */
struct vplat_snd_stream_config {
	uint8_t direction;    /**< VPLAT_VIRTIO_SND_D_OUTPUT or _INPUT */
	uint8_t channels_min; /**< fewest channels (>= 1) */
	uint8_t channels_max; /**< most channels (>= channels_min) */
	uint64_t formats;     /**< 1 << VPLAT_VIRTIO_SND_PCM_FMT_* (defined formats only, not 0) */
	uint64_t rates;       /**< 1 << VPLAT_VIRTIO_SND_PCM_RATE_* (defined rates only, not 0) */
	uint32_t hda_fn_nid;  /**< HDA function group node ID reported in the information */
};

/** A jack as the device advertises it. */
struct vplat_snd_jack_config {
	uint32_t hda_fn_nid;      /**< HDA function group node ID */
	uint32_t hda_reg_defconf; /**< HDA pin configuration default */
	uint32_t hda_reg_caps;    /**< HDA pin capabilities */
	bool connected;           /**< connected at start */
};

/** A channel map as the device advertises it. */
struct vplat_snd_chmap_config {
	uint32_t hda_fn_nid; /**< HDA function group node ID */
	uint8_t direction;   /**< VPLAT_VIRTIO_SND_D_* */
	uint8_t channels;    /**< valid entries of @ref positions (1..18) */
	uint8_t positions[VPLAT_VIRTIO_SND_CHMAP_MAX_SIZE]; /**< VPLAT_VIRTIO_SND_CHMAP_* */
};

/** What the device advertises. The arrays are copied by vplat_snd_init(). */
struct vplat_snd_config {
	const struct vplat_snd_stream_config *streams; /**< @ref nstreams entries */
	uint32_t nstreams;                             /**< 0..VPLAT_SND_MAX_STREAMS */
	const struct vplat_snd_jack_config *jacks;     /**< @ref njacks entries */
	uint32_t njacks;                               /**< 0..VPLAT_SND_MAX_JACKS */
	const struct vplat_snd_chmap_config *chmaps;   /**< @ref nchmaps entries */
	uint32_t nchmaps;                              /**< 0..VPLAT_SND_MAX_CHMAPS */
};

/** Parameters of a stream, as set by the driver and checked by the device. */
struct vplat_snd_params {
	uint32_t buffer_bytes; /**< the driver's buffer */
	uint32_t period_bytes; /**< a period (divides @ref buffer_bytes) */
	uint8_t channels;      /**< channels per frame */
	uint8_t format;        /**< VPLAT_VIRTIO_SND_PCM_FMT_* */
	uint8_t rate;          /**< VPLAT_VIRTIO_SND_PCM_RATE_* */
	uint32_t rate_hz;      /**< the rate in frames per second */
	uint32_t sample_bytes; /**< bytes of one sample (physical width) */
	uint32_t frame_bytes;  /**< bytes of one frame (sample_bytes * channels) */
};

/** State of a PCM stream (sec: PCM Command Lifecycle). */
enum vplat_snd_state {
	VPLAT_SND_STATE_INIT = 0,     /**< no parameters yet */
	VPLAT_SND_STATE_PARAMS = 1,   /**< after SET_PARAMS */
	VPLAT_SND_STATE_PREPARED = 2, /**< after PREPARE */
	VPLAT_SND_STATE_STARTED = 3,  /**< after START: frames flow */
	VPLAT_SND_STATE_STOPPED = 4,  /**< after STOP */
	VPLAT_SND_STATE_RELEASED = 5  /**< after RELEASE */
};

/**
 * How the device reaches the audio hardware (or a file). Tables are `static const`. Every
 * callback except the ones marked required may be NULL. A negative return value is a
 * VPLAT_E* code and fails the command or message. Calls must not block for long.
 */
struct vplat_snd_host_ops {
	/** The driver set parameters of @p stream (validated). */
	int (*set_params)(void *host, uint32_t stream, const struct vplat_snd_params *p);
	/** PREPARE of @p stream. */
	int (*prepare)(void *host, uint32_t stream);
	/** START of @p stream. */
	int (*start)(void *host, uint32_t stream);
	/** STOP of @p stream. */
	int (*stop)(void *host, uint32_t stream);
	/** RELEASE of @p stream. */
	int (*release)(void *host, uint32_t stream);
	/**
	 * Required for output streams. @p len bytes of frames played on @p stream (called once
	 * per segment of a message; @p data is guest memory, valid during the call only).
	 * @return 0 or a negative VPLAT_E* code (the message completes with IO_ERR)
	 */
	int (*write)(void *host, uint32_t stream, const void *data, size_t len);
	/**
	 * Required for input streams. Fill @p buf with @p len bytes of frames recorded on
	 * @p stream.
	 * @return 0 or a negative VPLAT_E* code (the message completes with IO_ERR)
	 */
	int (*read)(void *host, uint32_t stream, void *buf, size_t len);
};

/** An I/O message held by the device. Fields are private to the device. */
struct vplat_snd_io {
	struct vplat_chain chain;                /**< the message */
	struct vplat_iov iov[VPLAT_SND_IO_SEGS]; /**< its segments */
	uint32_t seq;                            /**< arrival order */
	uint32_t stream;                         /**< its stream */
	uint32_t bytes;                          /**< payload bytes */
	bool busy;                               /**< slot in use */
};

/** Run-time state of a stream. Fields are private to the device. */
struct vplat_snd_pcm {
	enum vplat_snd_state state;   /**< lifecycle state */
	struct vplat_snd_params p;    /**< parameters (valid from VPLAT_SND_STATE_PARAMS) */
	bool has_params;              /**< @ref p is valid */
	bool anchored;                /**< @ref next_ns is the completion time of the oldest message */
	uint64_t next_ns;             /**< when the oldest held message completes */
	uint32_t held;                /**< messages held */
	uint64_t held_bytes;          /**< their payload bytes */
	uint64_t last_ns;             /**< time of the previous completion (0: none) */
};

/** Counters of a sound device. */
struct vplat_snd_stats {
	uint64_t ctl_requests;  /**< control requests answered */
	uint64_t ctl_errors;    /**< of which not VIRTIO_SND_S_OK */
	uint64_t io_done;       /**< I/O messages completed with VIRTIO_SND_S_OK */
	uint64_t io_errors;     /**< I/O messages completed with VIRTIO_SND_S_IO_ERR */
	uint64_t bytes_played;  /**< payload bytes handed to the host end's write() */
	uint64_t bytes_recorded; /**< payload bytes filled by the host end's read() */
	uint64_t events;        /**< events delivered */
	uint64_t events_dropped; /**< events lost (no eventq buffer and the backlog full) */
	uint64_t intervals;     /**< completion intervals measured (consecutive periods of a started stream) */
	uint64_t interval_min_us; /**< shortest interval, microseconds */
	uint64_t interval_max_us; /**< longest interval, microseconds */
	uint64_t interval_sum_us; /**< sum of the intervals, microseconds */
	uint64_t interval_sumsq_us; /**< sum of their squares, microseconds squared */
};

/** A sound device. Caller-allocated; fields are private. */
struct vplat_snd {
	struct vplat_device dev;                 /**< the virtio device */
	struct vplat_vq vqs[VPLAT_VIRTIO_SND_VQ_MAX]; /**< controlq, eventq, txq, rxq */
	struct vplat_virtio_snd_config config;   /**< config space (little-endian) */
	const struct vplat_snd_host_ops *host;   /**< host end */
	void *host_opaque;                       /**< argument for the host end */
	struct vplat_snd_stream_config streams[VPLAT_SND_MAX_STREAMS]; /**< advertised streams */
	struct vplat_snd_jack_config jacks[VPLAT_SND_MAX_JACKS];       /**< advertised jacks */
	struct vplat_snd_chmap_config chmaps[VPLAT_SND_MAX_CHMAPS];    /**< advertised maps */
	uint32_t nstreams;                       /**< streams */
	uint32_t njacks;                         /**< jacks */
	uint32_t nchmaps;                        /**< channel maps */
	struct vplat_snd_pcm pcm[VPLAT_SND_MAX_STREAMS]; /**< stream state */
	struct vplat_snd_io io[2][VPLAT_SND_PENDING_MAX]; /**< held tx [0] and rx [1] messages */
	uint32_t seq;                            /**< next arrival number */
	struct vplat_virtio_snd_event ev[VPLAT_SND_EVENTS_MAX]; /**< events waiting */
	uint32_t nev;                            /**< entries of @ref ev */
	struct vplat_snd_stats stats;            /**< counters */
};

/**
 * Initialise a sound device.
 *
 * @param d            caller storage
 * @param mem          guest memory map
 * @param cfg          what the device advertises (copied)
 * @param host         host end (static const)
 * @param host_opaque  passed to the host end
 * @return 0, or VPLAT_EINVAL for NULL arguments, too many items, a stream with no format or
 *         rate, an undefined format/rate/direction, channels_min of 0 or above channels_max,
 *         a channel map with 0 or more than 18 positions, or a host end without write() (an
 *         output stream) or read() (an input stream)
 */
VPLAT_API int vplat_snd_init(struct vplat_snd *d, struct vplat_mem *mem,
			     const struct vplat_snd_config *cfg, const struct vplat_snd_host_ops *host,
			     void *host_opaque);

/**
 * @param d  an initialised device
 * @return the generic device, to bind to a transport
 */
VPLAT_API struct vplat_device *vplat_snd_device(struct vplat_snd *d);

/**
 * Play and record what is due: every started stream completes the held messages whose time
 * has come. Call it when vplat_snd_next_deadline() says.
 *
 * @param d       the device
 * @param now_ns  the time (monotonic, nanoseconds)
 */
VPLAT_API void vplat_snd_tick(struct vplat_snd *d, uint64_t now_ns);

/**
 * @param d  the device
 * @return when vplat_snd_tick() must run next: a time in the clock of vplat_snd_tick(), 0 if
 *         it is due now (a started stream got its first message), UINT64_MAX if nothing waits
 */
VPLAT_API uint64_t vplat_snd_next_deadline(const struct vplat_snd *d);

/**
 * Connect or disconnect a jack: its information changes and the driver gets a
 * VIRTIO_SND_EVT_JACK_CONNECTED / _DISCONNECTED event.
 *
 * @param d          the device
 * @param jack       0..njacks-1
 * @param connected  the new state
 * @return 0, or VPLAT_EINVAL for a jack out of range
 */
VPLAT_API int vplat_snd_jack_set(struct vplat_snd *d, uint32_t jack, bool connected);

/**
 * @param d       the device
 * @param stream  a stream ID
 * @return its lifecycle state (VPLAT_SND_STATE_INIT for an ID out of range)
 */
VPLAT_API enum vplat_snd_state vplat_snd_stream_state(const struct vplat_snd *d, uint32_t stream);

/**
 * @param d  the device
 * @return its counters
 */
VPLAT_API const struct vplat_snd_stats *vplat_snd_stats(const struct vplat_snd *d);

/**
 * Frame rate of a VPLAT_VIRTIO_SND_PCM_RATE_* code.
 *
 * @param rate  the code
 * @return frames per second, or 0 for an undefined code
 */
VPLAT_API uint32_t vplat_snd_rate_hz(uint8_t rate);

/**
 * Physical width of a VPLAT_VIRTIO_SND_PCM_FMT_* sample format, in bits.
 *
 * @param format  the code
 * @return 4, 8, 16, 24, 32 or 64, or 0 for an undefined code
 */
VPLAT_API uint32_t vplat_snd_format_bits(uint8_t format);

#ifdef __cplusplus
}
#endif

#endif /* VPLAT_SND_H */
