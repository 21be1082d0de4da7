/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared by the CAN device tests (spec/15-can.md). Everything goes through the driver.
 *
 * Reception needs another node on the bus that sends frames. The tests use an echo: a peer
 * that sends every frame it receives back onto the bus (the loopback PAL's CAN model has one,
 * conformance/pal/loopback/pal_loopback.c, and so does `vplat-device can --virtual`). A frame
 * the driver transmits then comes back to it as a frame received from another node. On a
 * platform where nothing comes back within CAN_ECHO_MS, the reception tests SKIP.
 */
#ifndef VPLAT_CONFORM_CANT_H
#define VPLAT_CONFORM_CANT_H

#include <stddef.h>
#include "../common/devreq.h"
#include "vplat/spec/virtio_can.h"
#include "vplat/val/val.h"
#include "vplat/val/conform.h"

#define CF(b)     VPLAT_BIT(VPLAT_VIRTIO_CAN_F_##b)
#define C_ALL     (CF(CAN_CLASSIC) | CF(CAN_FD) | CF(RTR_FRAMES) | CF(LATE_TX_ACK))
#define C_OK      VPLAT_VIRTIO_CAN_RESULT_OK
#define C_NOT_OK  VPLAT_VIRTIO_CAN_RESULT_NOT_OK
#define C_START   VPLAT_VIRTIO_CAN_SET_CTRL_MODE_START
#define C_STOP    VPLAT_VIRTIO_CAN_SET_CTRL_MODE_STOP
#define FL_EXT    VPLAT_VIRTIO_CAN_FLAGS_EXTENDED
#define FL_FD     VPLAT_VIRTIO_CAN_FLAGS_FD
#define FL_RTR    VPLAT_VIRTIO_CAN_FLAGS_RTR
#define S_BUSOFF  VPLAT_VIRTIO_CAN_S_CTRL_BUSOFF

/* Byte the helpers pre-set in writable buffers, to see what the device wrote. */
#define C_UNTOUCHED 0x5a
/* How long to wait for an echo (and how long "nothing comes" is watched). */
#define CAN_ECHO_MS  500u
#define CAN_QUIET_MS 100u
/* Size of the Rxq buffers the tests post: a header and 64 data bytes. */
#define CAN_RXBUF (16u + 64u)

/* The driver's view of a CAN device brought up for a test. */
struct cdev {
	struct vplat_val_vq *txq, *rxq, *ctlq;
};

/* A frame to transmit: header fields as the driver writes them, and the data it appends. */
struct cframe {
	uint16_t msg_type; /* 0 means VIRTIO_CAN_TX */
	uint16_t length;
	uint8_t dlc, padding;
	uint16_t xl_prio;
	uint32_t flags, can_id;
	uint32_t sdu_len; /* data bytes appended after the header */
	uint8_t sdu[64];  /* their values (the rest of the 64 is not sent) */
};

/*
 * Reset and bring the device up with exactly @p feats (plus VERSION_1) and the Txq, Rxq and
 * Controlq. SKIP if a feature is not offered, ERROR if FEATURES_OK is refused. @p c starts
 * zeroed; a later call with the same @p c reuses its queue storage (a test has 8 queues).
 */
enum vplat_result can_up(struct vplat_test_ctx *t, uint64_t feats, struct cdev *c);

/* One Controlq request; the result byte (C_UNTOUCHED if not written) or -1 on a ring error. */
int can_ctl(struct vplat_test_ctx *t, struct cdev *c, uint16_t msg_type);

/* A classic data frame with @p len bytes 0xc0, 0xc1, ... */
struct cframe can_frame(uint32_t flags, uint32_t id, uint16_t len);

/* Transmit @p f and wait; the result byte (C_UNTOUCHED if not written) or -1 on a ring error.
 * @p used (may be NULL) gets the used length. */
int can_tx(struct vplat_test_ctx *t, struct cdev *c, const struct cframe *f, uint32_t *used);

/* Post @p f on the Txq without waiting; @p res receives the result byte. 0 or an add error. */
int can_tx_post(struct vplat_test_ctx *t, struct cdev *c, const struct cframe *f, uint8_t **res);

/* Post @p n Rxq buffers of @p size bytes (pre-set). Their addresses go to @p bufs. */
int can_rx_post(struct vplat_test_ctx *t, struct cdev *c, unsigned n, uint32_t size, uint8_t **bufs);

/* Wait up to @p ms for an Rxq buffer; true if one came (token = buffer address). */
bool can_rx_wait(struct vplat_test_ctx *t, struct cdev *c, unsigned ms, uint8_t **buf, uint32_t *len);

/* The configuration field `status`. */
static inline uint16_t can_status(struct vplat_test_ctx *t)
{
	return (uint16_t)cfg(t, 0, 2);
}

#endif
