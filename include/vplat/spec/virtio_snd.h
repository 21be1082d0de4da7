/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/spec/virtio_snd.h
 * Sound device (virtio device ID 25): configuration layout, queue indexes, request codes,
 * status codes, PCM formats and rates, and the request/response structures.
 *
 * Written from the virtio 1.4 specification, device-types/sound/description.tex
 * (sec:Device Types / Sound Device): "Virtqueues", "Device Configuration Layout",
 * "Device Operation", "Item Information Request", "Jack Control Messages", "PCM Control
 * Messages", "PCM I/O Messages" and "Channel Map Control Messages". All multi-byte fields are
 * little-endian. The control-element messages (VIRTIO_SND_F_CTLS) are not described here:
 * vplat does not offer them. Layouts are checked against Linux 6.1 <linux/virtio_snd.h> in
 * unit.test_wire.
 */
#ifndef VPLAT_SPEC_VIRTIO_SND_H
#define VPLAT_SPEC_VIRTIO_SND_H

#include <stddef.h>
#include <stdint.h>
#include "vplat/spec/types.h"

/** @name Queue indexes (sec: Virtqueues)
 * @{ */
#define VPLAT_VIRTIO_SND_VQ_CONTROL 0 /**< controlq */
#define VPLAT_VIRTIO_SND_VQ_EVENT   1 /**< eventq */
#define VPLAT_VIRTIO_SND_VQ_TX      2 /**< txq: output PCM frames */
#define VPLAT_VIRTIO_SND_VQ_RX      3 /**< rxq: input PCM frames */
#define VPLAT_VIRTIO_SND_VQ_MAX     4 /**< number of queues */
/** @} */

/** Device configuration layout (without the VIRTIO_SND_F_CTLS field). */
struct vplat_virtio_snd_config {
	vplat_le32 jacks;   /**< number of jacks */
	vplat_le32 streams; /**< number of PCM streams */
	vplat_le32 chmaps;  /**< number of channel maps */
};

/** @name Data flow directions
 * @{ */
#define VPLAT_VIRTIO_SND_D_OUTPUT 0 /**< playback */
#define VPLAT_VIRTIO_SND_D_INPUT  1 /**< capture */
/** @} */

/** @name Request codes, event codes and status codes (sec: Device Operation)
 * @{ */
#define VPLAT_VIRTIO_SND_R_JACK_INFO      0x0001u /**< jack information */
#define VPLAT_VIRTIO_SND_R_JACK_REMAP     0x0002u /**< jack remap */
#define VPLAT_VIRTIO_SND_R_PCM_INFO       0x0100u /**< PCM stream information */
#define VPLAT_VIRTIO_SND_R_PCM_SET_PARAMS 0x0101u /**< set PCM stream parameters */
#define VPLAT_VIRTIO_SND_R_PCM_PREPARE    0x0102u /**< prepare a PCM stream */
#define VPLAT_VIRTIO_SND_R_PCM_RELEASE    0x0103u /**< release a PCM stream */
#define VPLAT_VIRTIO_SND_R_PCM_START      0x0104u /**< start a PCM stream */
#define VPLAT_VIRTIO_SND_R_PCM_STOP       0x0105u /**< stop a PCM stream */
#define VPLAT_VIRTIO_SND_R_CHMAP_INFO     0x0200u /**< channel map information */
#define VPLAT_VIRTIO_SND_EVT_JACK_CONNECTED    0x1000u /**< a jack was connected */
#define VPLAT_VIRTIO_SND_EVT_JACK_DISCONNECTED 0x1001u /**< a jack was disconnected */
#define VPLAT_VIRTIO_SND_EVT_PCM_PERIOD_ELAPSED 0x1100u /**< a period elapsed (shmem) */
#define VPLAT_VIRTIO_SND_EVT_PCM_XRUN          0x1101u /**< underrun / overrun */
#define VPLAT_VIRTIO_SND_S_OK       0x8000u /**< success */
#define VPLAT_VIRTIO_SND_S_BAD_MSG  0x8001u /**< malformed or invalid request */
#define VPLAT_VIRTIO_SND_S_NOT_SUPP 0x8002u /**< operation or parameters not supported */
#define VPLAT_VIRTIO_SND_S_IO_ERR   0x8003u /**< I/O error */
/** @} */

/** Common header of requests and responses. */
struct vplat_virtio_snd_hdr {
	vplat_le32 code; /**< VIRTIO_SND_R_* in a request, VIRTIO_SND_S_* in a response */
};

/** Event notification (eventq buffer). */
struct vplat_virtio_snd_event {
	struct vplat_virtio_snd_hdr hdr; /**< VIRTIO_SND_EVT_* */
	vplat_le32 data;                 /**< jack or stream ID */
};

/** Item information request (sec: Item Information Request). */
struct vplat_virtio_snd_query_info {
	struct vplat_virtio_snd_hdr hdr; /**< VIRTIO_SND_R_*_INFO */
	vplat_le32 start_id;             /**< first item */
	vplat_le32 count;                /**< items wanted */
	vplat_le32 size;                 /**< size of one information structure */
};

/** Common header of every information structure. */
struct vplat_virtio_snd_info {
	vplat_le32 hda_fn_nid; /**< HDA function group node ID */
};

/** Header of a jack request. */
struct vplat_virtio_snd_jack_hdr {
	struct vplat_virtio_snd_hdr hdr; /**< VIRTIO_SND_R_JACK_* */
	vplat_le32 jack_id;              /**< 0 .. jacks - 1 */
};

/** Jack feature bit: the jack can be remapped. */
#define VPLAT_VIRTIO_SND_JACK_F_REMAP 0

/** Jack information. */
struct vplat_virtio_snd_jack_info {
	struct vplat_virtio_snd_info hdr; /**< common header */
	vplat_le32 features;              /**< 1 << VIRTIO_SND_JACK_F_* */
	vplat_le32 hda_reg_defconf;       /**< HDA pin configuration default */
	vplat_le32 hda_reg_caps;          /**< HDA pin capabilities */
	uint8_t connected;                /**< 1: connected */
	uint8_t padding[7];               /**< zero */
};

/** Jack remap request. */
struct vplat_virtio_snd_jack_remap {
	struct vplat_virtio_snd_jack_hdr hdr; /**< VIRTIO_SND_R_JACK_REMAP */
	vplat_le32 association;               /**< association number */
	vplat_le32 sequence;                  /**< sequence number */
};

/** Header of a PCM control request. */
struct vplat_virtio_snd_pcm_hdr {
	struct vplat_virtio_snd_hdr hdr; /**< VIRTIO_SND_R_PCM_* */
	vplat_le32 stream_id;            /**< 0 .. streams - 1 */
};

/** @name PCM stream feature bits (vplat_virtio_snd_pcm_info::features)
 * @{ */
#define VPLAT_VIRTIO_SND_PCM_F_SHMEM_HOST        0 /**< host shared memory */
#define VPLAT_VIRTIO_SND_PCM_F_SHMEM_GUEST       1 /**< guest shared memory */
#define VPLAT_VIRTIO_SND_PCM_F_MSG_POLLING       2 /**< polling of I/O messages */
#define VPLAT_VIRTIO_SND_PCM_F_EVT_SHMEM_PERIODS 3 /**< period notifications (shmem) */
#define VPLAT_VIRTIO_SND_PCM_F_EVT_XRUNS         4 /**< xrun notifications */
/** @} */

/** @name PCM sample formats (bit numbers of vplat_virtio_snd_pcm_info::formats)
 * @{ */
#define VPLAT_VIRTIO_SND_PCM_FMT_IMA_ADPCM 0 /**< 4 / 4 bits */
#define VPLAT_VIRTIO_SND_PCM_FMT_MU_LAW    1 /**< 8 / 8 bits */
#define VPLAT_VIRTIO_SND_PCM_FMT_A_LAW     2 /**< 8 / 8 bits */
#define VPLAT_VIRTIO_SND_PCM_FMT_S8        3 /**< 8 / 8 bits */
#define VPLAT_VIRTIO_SND_PCM_FMT_U8        4 /**< 8 / 8 bits */
#define VPLAT_VIRTIO_SND_PCM_FMT_S16       5 /**< 16 / 16 bits */
#define VPLAT_VIRTIO_SND_PCM_FMT_U16       6 /**< 16 / 16 bits */
#define VPLAT_VIRTIO_SND_PCM_FMT_S18_3     7 /**< 18 / 24 bits */
#define VPLAT_VIRTIO_SND_PCM_FMT_U18_3     8 /**< 18 / 24 bits */
#define VPLAT_VIRTIO_SND_PCM_FMT_S20_3     9 /**< 20 / 24 bits */
#define VPLAT_VIRTIO_SND_PCM_FMT_U20_3     10 /**< 20 / 24 bits */
#define VPLAT_VIRTIO_SND_PCM_FMT_S24_3     11 /**< 24 / 24 bits */
#define VPLAT_VIRTIO_SND_PCM_FMT_U24_3     12 /**< 24 / 24 bits */
#define VPLAT_VIRTIO_SND_PCM_FMT_S20       13 /**< 20 / 32 bits */
#define VPLAT_VIRTIO_SND_PCM_FMT_U20       14 /**< 20 / 32 bits */
#define VPLAT_VIRTIO_SND_PCM_FMT_S24       15 /**< 24 / 32 bits */
#define VPLAT_VIRTIO_SND_PCM_FMT_U24       16 /**< 24 / 32 bits */
#define VPLAT_VIRTIO_SND_PCM_FMT_S32       17 /**< 32 / 32 bits */
#define VPLAT_VIRTIO_SND_PCM_FMT_U32       18 /**< 32 / 32 bits */
#define VPLAT_VIRTIO_SND_PCM_FMT_FLOAT     19 /**< 32 / 32 bits */
#define VPLAT_VIRTIO_SND_PCM_FMT_FLOAT64   20 /**< 64 / 64 bits */
#define VPLAT_VIRTIO_SND_PCM_FMT_DSD_U8    21 /**< 8 / 8 bits */
#define VPLAT_VIRTIO_SND_PCM_FMT_DSD_U16   22 /**< 16 / 16 bits */
#define VPLAT_VIRTIO_SND_PCM_FMT_DSD_U32   23 /**< 32 / 32 bits */
#define VPLAT_VIRTIO_SND_PCM_FMT_IEC958_SUBFRAME 24 /**< 32 / 32 bits */
#define VPLAT_VIRTIO_SND_PCM_FMT_COUNT     25 /**< number of defined formats */
/** @} */

/** @name PCM frame rates (bit numbers of vplat_virtio_snd_pcm_info::rates)
 * @{ */
#define VPLAT_VIRTIO_SND_PCM_RATE_5512   0  /**< 5512 Hz */
#define VPLAT_VIRTIO_SND_PCM_RATE_8000   1  /**< 8000 Hz */
#define VPLAT_VIRTIO_SND_PCM_RATE_11025  2  /**< 11025 Hz */
#define VPLAT_VIRTIO_SND_PCM_RATE_16000  3  /**< 16000 Hz */
#define VPLAT_VIRTIO_SND_PCM_RATE_22050  4  /**< 22050 Hz */
#define VPLAT_VIRTIO_SND_PCM_RATE_32000  5  /**< 32000 Hz */
#define VPLAT_VIRTIO_SND_PCM_RATE_44100  6  /**< 44100 Hz */
#define VPLAT_VIRTIO_SND_PCM_RATE_48000  7  /**< 48000 Hz */
#define VPLAT_VIRTIO_SND_PCM_RATE_64000  8  /**< 64000 Hz */
#define VPLAT_VIRTIO_SND_PCM_RATE_88200  9  /**< 88200 Hz */
#define VPLAT_VIRTIO_SND_PCM_RATE_96000  10 /**< 96000 Hz */
#define VPLAT_VIRTIO_SND_PCM_RATE_176400 11 /**< 176400 Hz */
#define VPLAT_VIRTIO_SND_PCM_RATE_192000 12 /**< 192000 Hz */
#define VPLAT_VIRTIO_SND_PCM_RATE_384000 13 /**< 384000 Hz */
#define VPLAT_VIRTIO_SND_PCM_RATE_COUNT  14 /**< number of defined rates */
/** @} */

/** PCM stream information. */
struct vplat_virtio_snd_pcm_info {
	struct vplat_virtio_snd_info hdr; /**< common header */
	vplat_le32 features;              /**< 1 << VIRTIO_SND_PCM_F_* */
	vplat_le64 formats;               /**< 1 << VIRTIO_SND_PCM_FMT_* */
	vplat_le64 rates;                 /**< 1 << VIRTIO_SND_PCM_RATE_* */
	uint8_t direction;                /**< VIRTIO_SND_D_* */
	uint8_t channels_min;             /**< fewest channels */
	uint8_t channels_max;             /**< most channels */
	uint8_t padding[5];               /**< zero */
};

/** Set PCM stream parameters (sec: PCM Stream Parameters). */
struct vplat_virtio_snd_pcm_set_params {
	struct vplat_virtio_snd_pcm_hdr hdr; /**< VIRTIO_SND_R_PCM_SET_PARAMS */
	vplat_le32 buffer_bytes;             /**< size of the buffer */
	vplat_le32 period_bytes;             /**< size of a period; divides buffer_bytes */
	vplat_le32 features;                 /**< selected 1 << VIRTIO_SND_PCM_F_* */
	uint8_t channels;                    /**< selected channels */
	uint8_t format;                      /**< VIRTIO_SND_PCM_FMT_* */
	uint8_t rate;                        /**< VIRTIO_SND_PCM_RATE_* */
	uint8_t padding;                     /**< zero */
};

/** Header of a PCM I/O message (sec: PCM I/O Messages). */
struct vplat_virtio_snd_pcm_xfer {
	vplat_le32 stream_id; /**< 0 .. streams - 1 */
};

/** Status of a PCM I/O message (the last 8 device-writable bytes). */
struct vplat_virtio_snd_pcm_status {
	vplat_le32 status;        /**< VIRTIO_SND_S_OK or VIRTIO_SND_S_IO_ERR */
	vplat_le32 latency_bytes; /**< current device latency */
};

/** Channel positions in a channel map (VIRTIO_SND_CHMAP_*; up to BRC = 36). */
#define VPLAT_VIRTIO_SND_CHMAP_NONE 0 /**< undefined */
#define VPLAT_VIRTIO_SND_CHMAP_NA   1 /**< silent */
#define VPLAT_VIRTIO_SND_CHMAP_MONO 2 /**< mono */
#define VPLAT_VIRTIO_SND_CHMAP_FL   3 /**< front left */
#define VPLAT_VIRTIO_SND_CHMAP_FR   4 /**< front right */
#define VPLAT_VIRTIO_SND_CHMAP_BRC  36 /**< bottom right center (the last defined) */
/** Most positions in one channel map. */
#define VPLAT_VIRTIO_SND_CHMAP_MAX_SIZE 18

/** Channel map information. */
struct vplat_virtio_snd_chmap_info {
	struct vplat_virtio_snd_info hdr;                  /**< common header */
	uint8_t direction;                                 /**< VIRTIO_SND_D_* */
	uint8_t channels;                                  /**< valid entries of positions */
	uint8_t positions[VPLAT_VIRTIO_SND_CHMAP_MAX_SIZE]; /**< VIRTIO_SND_CHMAP_* */
};

#endif /* VPLAT_SPEC_VIRTIO_SND_H */
