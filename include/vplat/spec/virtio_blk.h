/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/spec/virtio_blk.h
 * Block device (virtio device ID 2): feature bits, configuration layout, request format,
 * request types, status codes and the structures some requests carry.
 *
 * Written from the virtio 1.4 specification, device-types/blk/description.tex ("Block
 * Device"): "Feature bits", "Device configuration layout", "Device Operation" and its zoned
 * and legacy subsections. All multi-byte fields are little-endian (legacy: guest-endian).
 *
 * Queues: requestq1..requestqN; N is `num_queues` when VPLAT_VIRTIO_BLK_F_MQ is negotiated,
 * else 1. A request is a struct vplat_virtio_blk_req_hdr (device-readable), then the data,
 * then one status byte the device writes last (VPLAT_VIRTIO_BLK_S_*). `sector` and all
 * `*_sectors` fields count 512-byte units whatever `blk_size` says.
 */
#ifndef VPLAT_SPEC_VIRTIO_BLK_H
#define VPLAT_SPEC_VIRTIO_BLK_H

#include <stddef.h>
#include <stdint.h>
#include "vplat/spec/types.h"

/** @name Feature bit numbers (sec: Block Device / Feature bits)
 * @{ */
#define VPLAT_VIRTIO_BLK_F_BARRIER      0  /**< legacy: request barriers */
#define VPLAT_VIRTIO_BLK_F_SIZE_MAX     1  /**< `size_max` is valid */
#define VPLAT_VIRTIO_BLK_F_SEG_MAX      2  /**< `seg_max` is valid */
#define VPLAT_VIRTIO_BLK_F_GEOMETRY     4  /**< `geometry` is valid */
#define VPLAT_VIRTIO_BLK_F_RO           5  /**< device is read-only */
#define VPLAT_VIRTIO_BLK_F_BLK_SIZE     6  /**< `blk_size` is valid */
#define VPLAT_VIRTIO_BLK_F_SCSI         7  /**< legacy: SCSI packet commands */
#define VPLAT_VIRTIO_BLK_F_FLUSH        9  /**< T_FLUSH supported (legacy: WCE) */
#define VPLAT_VIRTIO_BLK_F_TOPOLOGY     10 /**< `topology` is valid */
#define VPLAT_VIRTIO_BLK_F_CONFIG_WCE   11 /**< cache mode switchable through `writeback` */
#define VPLAT_VIRTIO_BLK_F_MQ           12 /**< several request queues, `num_queues` valid */
#define VPLAT_VIRTIO_BLK_F_DISCARD      13 /**< VPLAT_VIRTIO_BLK_T_DISCARD supported */
#define VPLAT_VIRTIO_BLK_F_WRITE_ZEROES 14 /**< VPLAT_VIRTIO_BLK_T_WRITE_ZEROES supported */
#define VPLAT_VIRTIO_BLK_F_LIFETIME     15 /**< VPLAT_VIRTIO_BLK_T_GET_LIFETIME supported */
#define VPLAT_VIRTIO_BLK_F_SECURE_ERASE 16 /**< VPLAT_VIRTIO_BLK_T_SECURE_ERASE supported */
#define VPLAT_VIRTIO_BLK_F_ZONED        17 /**< zoned block device, `zoned` is valid */
/** @} */

/** Bytes in a sector, the unit of every sector count in the protocol. */
#define VPLAT_VIRTIO_BLK_SECTOR_SIZE  512u
/** log2 of VPLAT_VIRTIO_BLK_SECTOR_SIZE. */
#define VPLAT_VIRTIO_BLK_SECTOR_SHIFT 9
/** Length of the VPLAT_VIRTIO_BLK_T_GET_ID reply: an ASCII string, NUL-padded if shorter. */
#define VPLAT_VIRTIO_BLK_ID_BYTES     20u

/** Legacy disk geometry, config field `geometry`. */
struct vplat_virtio_blk_geometry {
	vplat_le16 cylinders; /**< number of cylinders */
	uint8_t heads;        /**< number of heads */
	uint8_t sectors;      /**< sectors per track */
};

/** I/O topology hints, config field `topology`; sizes in logical blocks. */
struct vplat_virtio_blk_topology {
	uint8_t physical_block_exp; /**< log2 of logical blocks per physical block */
	uint8_t alignment_offset;   /**< offset of the first aligned logical block */
	vplat_le16 min_io_size;     /**< suggested minimum I/O size */
	vplat_le32 opt_io_size;     /**< optimal (suggested maximum) I/O size */
};

/** Zoned characteristics, config field `zoned` (valid with VPLAT_VIRTIO_BLK_F_ZONED). */
struct vplat_virtio_blk_zoned_characteristics {
	vplat_le32 zone_sectors;       /**< zone size in sectors */
	vplat_le32 max_open_zones;     /**< most zones open at once; 0 = no limit */
	vplat_le32 max_active_zones;   /**< most zones active at once; 0 = no limit */
	vplat_le32 max_append_sectors; /**< largest ZONE_APPEND in sectors */
	vplat_le32 write_granularity;  /**< write alignment and size unit in bytes */
	uint8_t model;                 /**< VPLAT_VIRTIO_BLK_Z_* */
	uint8_t unused2[3];            /**< padding */
};

/** Device configuration layout (sec: Block Device / Device configuration layout). */
struct vplat_virtio_blk_config {
	vplat_le64 capacity;                                 /**< size in 512-byte sectors */
	vplat_le32 size_max;                                 /**< max segment bytes (F_SIZE_MAX) */
	vplat_le32 seg_max;                                  /**< max segments (F_SEG_MAX) */
	struct vplat_virtio_blk_geometry geometry;           /**< legacy CHS (F_GEOMETRY) */
	vplat_le32 blk_size;                                 /**< optimal block size (F_BLK_SIZE) */
	struct vplat_virtio_blk_topology topology;           /**< I/O hints (F_TOPOLOGY) */
	uint8_t writeback;                                   /**< 1 writeback, 0 writethrough */
	uint8_t unused0;                                     /**< padding, 0 */
	vplat_le16 num_queues;                               /**< request queues (F_MQ) */
	vplat_le32 max_discard_sectors;                      /**< per segment (F_DISCARD) */
	vplat_le32 max_discard_seg;                          /**< segments per discard */
	vplat_le32 discard_sector_alignment;                 /**< alignment in sectors */
	vplat_le32 max_write_zeroes_sectors;                 /**< per segment (F_WRITE_ZEROES) */
	vplat_le32 max_write_zeroes_seg;                     /**< segments per write-zeroes */
	uint8_t write_zeroes_may_unmap;                      /**< 1: unmap may deallocate */
	uint8_t unused1[3];                                  /**< padding, 0 */
	vplat_le32 max_secure_erase_sectors;                 /**< per segment (F_SECURE_ERASE) */
	vplat_le32 max_secure_erase_seg;                     /**< segments per secure erase */
	vplat_le32 secure_erase_sector_alignment;            /**< alignment in sectors */
	struct vplat_virtio_blk_zoned_characteristics zoned; /**< zone characteristics (F_ZONED) */
};

/** @name Zoned models, vplat_virtio_blk_zoned_characteristics::model
 * @{ */
#define VPLAT_VIRTIO_BLK_Z_NONE 0u /**< drive-managed: behaves as a regular device */
#define VPLAT_VIRTIO_BLK_Z_HM   1u /**< host-managed */
#define VPLAT_VIRTIO_BLK_Z_HA   2u /**< host-aware */
/** @} */

/**
 * Request header (sec: Block Device / Device Operation), the device-readable start of every
 * request. The spec's struct virtio_blk_req continues with the data and a u8 status.
 */
struct vplat_virtio_blk_req_hdr {
	vplat_le32 type;     /**< VPLAT_VIRTIO_BLK_T_* */
	vplat_le32 reserved; /**< reserved (Linux: ioprio) */
	vplat_le64 sector;   /**< first 512-byte sector for IN/OUT and zone operations, else 0 */
};

/** @name Request types, vplat_virtio_blk_req_hdr::type
 * @{ */
#define VPLAT_VIRTIO_BLK_T_IN             0u          /**< read */
#define VPLAT_VIRTIO_BLK_T_OUT            1u          /**< write */
#define VPLAT_VIRTIO_BLK_T_SCSI_CMD       2u          /**< legacy: SCSI command */
#define VPLAT_VIRTIO_BLK_T_SCSI_CMD_OUT   3u          /**< legacy: SCSI command with data out */
#define VPLAT_VIRTIO_BLK_T_FLUSH          4u          /**< flush the write cache */
#define VPLAT_VIRTIO_BLK_T_FLUSH_OUT      5u          /**< legacy: same as FLUSH */
#define VPLAT_VIRTIO_BLK_T_GET_ID         8u          /**< read the 20-byte ID string */
#define VPLAT_VIRTIO_BLK_T_GET_LIFETIME   10u         /**< read blk_lifetime */
#define VPLAT_VIRTIO_BLK_T_DISCARD        11u         /**< discard the ranges in the data */
#define VPLAT_VIRTIO_BLK_T_WRITE_ZEROES   13u         /**< zero the ranges in the data */
#define VPLAT_VIRTIO_BLK_T_SECURE_ERASE   14u         /**< securely erase the ranges in the data */
#define VPLAT_VIRTIO_BLK_T_ZONE_APPEND    15u         /**< zoned: append (le64 sector out) */
#define VPLAT_VIRTIO_BLK_T_ZONE_REPORT    16u         /**< zoned: read zone_report */
#define VPLAT_VIRTIO_BLK_T_ZONE_OPEN      18u         /**< zoned: open the zone at `sector` */
#define VPLAT_VIRTIO_BLK_T_ZONE_CLOSE     20u         /**< zoned: close the zone at `sector` */
#define VPLAT_VIRTIO_BLK_T_ZONE_FINISH    22u         /**< zoned: finish the zone at `sector` */
#define VPLAT_VIRTIO_BLK_T_ZONE_RESET     24u         /**< zoned: reset the zone at `sector` */
#define VPLAT_VIRTIO_BLK_T_ZONE_RESET_ALL 26u         /**< zoned: reset all sequential zones */
#define VPLAT_VIRTIO_BLK_T_BARRIER        0x80000000u /**< legacy: flag or'ed into type */
/** @} */

/** @name Request status byte values
 * @{ */
#define VPLAT_VIRTIO_BLK_S_OK                   0u /**< success */
#define VPLAT_VIRTIO_BLK_S_IOERR                1u /**< device or driver error */
#define VPLAT_VIRTIO_BLK_S_UNSUPP               2u /**< request unsupported */
#define VPLAT_VIRTIO_BLK_S_ZONE_INVALID_CMD     3u /**< zoned: command invalid for the zone */
#define VPLAT_VIRTIO_BLK_S_ZONE_UNALIGNED_WP    4u /**< zoned: write not at the write pointer */
#define VPLAT_VIRTIO_BLK_S_ZONE_OPEN_RESOURCE   5u /**< zoned: too many open zones */
#define VPLAT_VIRTIO_BLK_S_ZONE_ACTIVE_RESOURCE 6u /**< zoned: too many active zones */
/** @} */

/** One range of a DISCARD, WRITE_ZEROES or SECURE_ERASE request (the data is an array of these). */
struct vplat_virtio_blk_discard_write_zeroes {
	vplat_le64 sector;      /**< first sector */
	vplat_le32 num_sectors; /**< number of sectors */
	vplat_le32 flags;       /**< bit 0 unmap; others reserved */
};

/** flags bit 0 (`unmap`): WRITE_ZEROES may deallocate; DISCARD with it set gets UNSUPP. */
#define VPLAT_VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP 0x1u

/** Reply of VPLAT_VIRTIO_BLK_T_GET_LIFETIME. */
struct vplat_virtio_blk_lifetime {
	vplat_le16 pre_eol_info;              /**< VPLAT_VIRTIO_BLK_PRE_EOL_INFO_* */
	vplat_le16 device_lifetime_est_typ_a; /**< type A wear, 1..11 = 10% steps */
	vplat_le16 device_lifetime_est_typ_b; /**< type B wear, 1..11 = 10% steps */
};

/** @name Lifetime `pre_eol_info` values
 * @{ */
#define VPLAT_VIRTIO_BLK_PRE_EOL_INFO_UNDEFINED 0u /**< value not defined */
#define VPLAT_VIRTIO_BLK_PRE_EOL_INFO_NORMAL    1u /**< fewer than 80% of reserved blocks used */
#define VPLAT_VIRTIO_BLK_PRE_EOL_INFO_WARNING   2u /**< 80% of reserved blocks used */
#define VPLAT_VIRTIO_BLK_PRE_EOL_INFO_URGENT    3u /**< 90% of reserved blocks used */
/** @} */

/** One zone in a VPLAT_VIRTIO_BLK_T_ZONE_REPORT reply. */
struct vplat_virtio_blk_zone_descriptor {
	vplat_le64 z_cap;     /**< zone capacity in sectors */
	vplat_le64 z_start;   /**< first sector of the zone */
	vplat_le64 z_wp;      /**< write pointer in sectors */
	uint8_t z_type;       /**< VPLAT_VIRTIO_BLK_ZT_* */
	uint8_t z_state;      /**< VPLAT_VIRTIO_BLK_ZS_* */
	uint8_t reserved[38]; /**< reserved, 0 */
};

/** Header of a VPLAT_VIRTIO_BLK_T_ZONE_REPORT reply. */
struct vplat_virtio_blk_zone_report {
	vplat_le64 nr_zones;                             /**< number of descriptors that follow */
	uint8_t reserved[56];                            /**< reserved, 0 */
	struct vplat_virtio_blk_zone_descriptor zones[]; /**< the zones */
};

/** @name Zone types, vplat_virtio_blk_zone_descriptor::z_type
 * @{ */
#define VPLAT_VIRTIO_BLK_ZT_CONV 1u /**< conventional zone */
#define VPLAT_VIRTIO_BLK_ZT_SWR  2u /**< sequential write required */
#define VPLAT_VIRTIO_BLK_ZT_SWP  3u /**< sequential write preferred */
/** @} */

/** @name Zone states, vplat_virtio_blk_zone_descriptor::z_state
 * @{ */
#define VPLAT_VIRTIO_BLK_ZS_NOT_WP  0u  /**< no write pointer (conventional) */
#define VPLAT_VIRTIO_BLK_ZS_EMPTY   1u  /**< empty */
#define VPLAT_VIRTIO_BLK_ZS_IOPEN   2u  /**< implicitly open */
#define VPLAT_VIRTIO_BLK_ZS_EOPEN   3u  /**< explicitly open */
#define VPLAT_VIRTIO_BLK_ZS_CLOSED  4u  /**< closed */
#define VPLAT_VIRTIO_BLK_ZS_RDONLY  13u /**< read-only */
#define VPLAT_VIRTIO_BLK_ZS_FULL    14u /**< full */
#define VPLAT_VIRTIO_BLK_ZS_OFFLINE 15u /**< offline */
/** @} */

/** @cond */
_Static_assert(sizeof(struct vplat_virtio_blk_geometry) == 4, "geometry is 4 bytes");
_Static_assert(sizeof(struct vplat_virtio_blk_topology) == 8, "topology is 8 bytes");
_Static_assert(sizeof(struct vplat_virtio_blk_zoned_characteristics) == 24, "zoned is 24 bytes");
_Static_assert(sizeof(struct vplat_virtio_blk_config) == 96, "virtio_blk_config is 96 bytes");
_Static_assert(offsetof(struct vplat_virtio_blk_config, size_max) == 8, "size_max at 8");
_Static_assert(offsetof(struct vplat_virtio_blk_config, seg_max) == 12, "seg_max at 12");
_Static_assert(offsetof(struct vplat_virtio_blk_config, geometry) == 16, "geometry at 16");
_Static_assert(offsetof(struct vplat_virtio_blk_config, blk_size) == 20, "blk_size at 20");
_Static_assert(offsetof(struct vplat_virtio_blk_config, topology) == 24, "topology at 24");
_Static_assert(offsetof(struct vplat_virtio_blk_config, writeback) == 32, "writeback at 32");
_Static_assert(offsetof(struct vplat_virtio_blk_config, num_queues) == 34, "num_queues at 34");
_Static_assert(offsetof(struct vplat_virtio_blk_config, max_discard_sectors) == 36,
	       "max_discard_sectors at 36");
_Static_assert(offsetof(struct vplat_virtio_blk_config, max_write_zeroes_sectors) == 48,
	       "max_write_zeroes_sectors at 48");
_Static_assert(offsetof(struct vplat_virtio_blk_config, write_zeroes_may_unmap) == 56,
	       "write_zeroes_may_unmap at 56");
_Static_assert(offsetof(struct vplat_virtio_blk_config, max_secure_erase_sectors) == 60,
	       "max_secure_erase_sectors at 60");
_Static_assert(offsetof(struct vplat_virtio_blk_config, secure_erase_sector_alignment) == 68,
	       "secure_erase_sector_alignment at 68");
_Static_assert(offsetof(struct vplat_virtio_blk_config, zoned) == 72, "zoned at 72");
_Static_assert(sizeof(struct vplat_virtio_blk_req_hdr) == 16, "request header is 16 bytes");
_Static_assert(offsetof(struct vplat_virtio_blk_req_hdr, sector) == 8, "sector at 8");
_Static_assert(sizeof(struct vplat_virtio_blk_discard_write_zeroes) == 16, "segment is 16 bytes");
_Static_assert(offsetof(struct vplat_virtio_blk_discard_write_zeroes, flags) == 12, "flags at 12");
_Static_assert(sizeof(struct vplat_virtio_blk_lifetime) == 6, "lifetime is 6 bytes");
_Static_assert(sizeof(struct vplat_virtio_blk_zone_descriptor) == 64, "zone descriptor: 64");
_Static_assert(offsetof(struct vplat_virtio_blk_zone_descriptor, z_type) == 24, "z_type at 24");
_Static_assert(sizeof(struct vplat_virtio_blk_zone_report) == 64, "zone report header is 64 bytes");
/** @endcond */

#endif /* VPLAT_SPEC_VIRTIO_BLK_H */
