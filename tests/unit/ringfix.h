/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ring fixture for core unit tests: a device with an echo model in 1 MiB of simulated guest
 * memory, configured directly through the device API (no transport), and small writers for
 * split and packed descriptors built from the wire structs.
 */
#ifndef VPLAT_RINGFIX_H
#define VPLAT_RINGFIX_H

#include <stdbool.h>
#include <stdint.h>
#include "vplat/device.h"
#include "vplat/error.h"

#define RF_GPA      UINT64_C(0x100000)
#define RF_MEMSIZE  (1u << 20)
#define RF_DESC     (RF_GPA + 0x0000)
#define RF_DRIVER   (RF_GPA + 0x8000)
#define RF_DEVICE   (RF_GPA + 0xc000)
#define RF_BUF      (RF_GPA + 0x20000) /* buffers from here on */

struct ringfix {
	uint8_t *mem;                /* RF_MEMSIZE bytes of "guest RAM" */
	struct vplat_mem_region regions[4];
	struct vplat_mem map;
	struct vplat_device dev;
	struct vplat_vq vq[2];
	uint8_t config[16];
	unsigned used_irqs;          /* used-buffer notifications seen */
	unsigned config_irqs;        /* config-change notifications seen */
	unsigned kicks;              /* queue_notify calls */
	uint16_t size;
	bool packed;
	/* driver-side state for building rings */
	uint16_t avail_idx;          /* split: next avail idx; packed: next slot */
	bool wrap;                   /* packed: driver wrap counter */
	uint16_t used_seen;          /* split: next used idx to read; packed: slot */
	bool used_wrap;
	uint16_t next_free;           /* split: next descriptor rf_add uses */
};

/* Host pointer of a guest address inside the fixture's memory. */
void *rf_ptr(struct ringfix *f, uint64_t gpa);
/* Set up: features to negotiate (VERSION_1 is added), queue size; runs to DRIVER_OK. */
void rf_setup(struct ringfix *f, uint64_t features, uint16_t size);
/* Variant that stops after FEATURES_OK, before queue enable; returns features result. */
int rf_setup_noqueue(struct ringfix *f, uint64_t features);
void rf_teardown(struct ringfix *f);

/* Split: write descriptor i. */
void rf_split_desc(struct ringfix *f, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
		   uint16_t next);
/* Split: publish head in the avail ring and bump idx. */
void rf_split_avail(struct ringfix *f, uint16_t head);
/* Split: set the avail idx directly. */
void rf_split_set_avail_idx(struct ringfix *f, uint16_t idx);
/* Split: read used element n (0-based from start); returns used idx. */
uint16_t rf_split_used_idx(struct ringfix *f);
struct vplat_virtq_used_elem rf_split_used(struct ringfix *f, uint16_t n);

/* Packed: write descriptor at slot with the driver's current wrap (AVAIL/USED bits set so it
 * is available), except that flags for the first descriptor of a chain can be written last
 * with rf_packed_publish. */
void rf_packed_desc(struct ringfix *f, uint16_t slot, uint64_t addr, uint32_t len,
		    uint16_t flags, uint16_t id, bool wrap);
/* Packed: add a chain of n descriptors (addr/len/flags arrays) at the driver's next slot. */
uint16_t rf_packed_add(struct ringfix *f, unsigned n, const uint64_t *addr, const uint32_t *len,
		       const uint16_t *flags, uint16_t id);
/* Packed: fetch the next used descriptor; returns false if none. */
bool rf_packed_used(struct ringfix *f, uint16_t *id, uint32_t *len, unsigned ndesc);

/* Generic: add a chain of n buffers (split or packed, direct descriptors); returns head/id. */
uint16_t rf_add(struct ringfix *f, unsigned n, const uint64_t *addr, const uint32_t *len,
		const uint16_t *flags);

/* Generic: add a chain of one device-writable 16-byte buffer at RF_BUF; returns head/id. */
uint16_t rf_add_one(struct ringfix *f);

/* Pop with a local iov of cap entries. */
int rf_pop(struct ringfix *f, struct vplat_chain *c, struct vplat_iov *iov, uint32_t cap);

/* Empty chains for vplat_vq_pop_burst(): cs[j] gets the two segments io[j], j < n. */
void rf_burst_chains(struct vplat_chain *cs, struct vplat_iov (*io)[2], unsigned n);

bool rf_needs_reset(struct ringfix *f);

#endif
