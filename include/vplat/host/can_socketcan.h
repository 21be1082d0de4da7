/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/host/can_socketcan.h
 * SocketCAN host end of the CAN device (hosted library, Linux).
 */
#ifndef VPLAT_HOST_CAN_SOCKETCAN_H
#define VPLAT_HOST_CAN_SOCKETCAN_H

#include <stdbool.h>
#include <stdint.h>
#include "vplat/export.h"
#include "vplat/can.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------- */
/** @name SocketCAN host end (POSIX, Linux; lib/host/can/can_socketcan.c)
 *
 * A raw CAN socket bound to one interface (vcan0, can0), with CAN FD frames enabled when the
 * interface supports them and error frames subscribed: a bus-off error frame makes the bound
 * device go bus-off. Transmitted frames are confirmed through the socket's own-message
 * loopback (MSG_CONFIRM), which is what LATE_TX_ACK waits for.
 * @{ */

struct vplat_can_socketcan;

/**
 * Open a raw CAN socket on @p ifname (non-blocking).
 * @param ifname  interface name
 * @param out     receives the handle
 * @return 0; VPLAT_ENODEV (no such interface); VPLAT_ENOTSUP (no CAN support in the kernel);
 *         VPLAT_EIO; VPLAT_ENOMEM
 */
VPLAT_API int vplat_can_socketcan_open(const char *ifname, struct vplat_can_socketcan **out);

/**
 * @param s  the handle
 * @return the socket fd to poll for input
 */
VPLAT_API int vplat_can_socketcan_fd(const struct vplat_can_socketcan *s);

/**
 * @param s  the handle
 * @return true if the interface accepts CAN FD frames
 */
VPLAT_API bool vplat_can_socketcan_fd_capable(const struct vplat_can_socketcan *s);

/**
 * Bind a device: frames read by vplat_can_socketcan_dispatch() go to it. Use
 * vplat_can_host_socketcan with @p s as the device's host end.
 * @param s    the handle
 * @param can  the device (NULL unbinds)
 */
VPLAT_API void vplat_can_socketcan_bind(struct vplat_can_socketcan *s, struct vplat_can *can);

/**
 * Write one frame to the interface.
 * @return 0; VPLAT_EAGAIN (socket buffer full); VPLAT_ENOTSUP (FD frame, interface not FD);
 *         VPLAT_EIO
 */
VPLAT_API int vplat_can_socketcan_send(struct vplat_can_socketcan *s,
				       const struct vplat_can_frame *f);

/**
 * Read one frame (not blocking).
 * @param s        the handle
 * @param f        receives the frame
 * @param confirm  set true when the frame is the confirmation of one we sent (may be NULL)
 * @return 0; VPLAT_EAGAIN (nothing to read); VPLAT_ENODEV for a bus-off error frame;
 *         VPLAT_EIO for other error frames (to be skipped) or a read error
 */
VPLAT_API int vplat_can_socketcan_recv(struct vplat_can_socketcan *s, struct vplat_can_frame *f,
				       bool *confirm);

/**
 * Serve the bound device: read every frame available, deliver it (vplat_can_receive()),
 * complete confirmed transmissions (vplat_can_tx_done()), map bus-off error frames to
 * vplat_can_bus_off(). Frames the device has no Rxq buffer for are dropped (a real controller
 * overruns too) and counted.
 * @param s  the handle
 * @return frames handled, or a negative VPLAT_E* code
 */
VPLAT_API int vplat_can_socketcan_dispatch(struct vplat_can_socketcan *s);

/**
 * @param s  the handle
 * @return frames dropped because the device had no Rxq buffer
 */
VPLAT_API uint64_t vplat_can_socketcan_overruns(const struct vplat_can_socketcan *s);

/**
 * Close the socket and free the handle.
 * @param s  the handle (NULL is ignored)
 */
VPLAT_API void vplat_can_socketcan_close(struct vplat_can_socketcan *s);

/** SocketCAN host end for a device; host argument: the struct vplat_can_socketcan. */
VPLAT_API extern const struct vplat_can_host_ops vplat_can_host_socketcan;

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* VPLAT_HOST_CAN_SOCKETCAN_H */
