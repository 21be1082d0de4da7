/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/spec/virtio_rng.h
 * Entropy device (virtio device ID 4).
 *
 * Written from the virtio 1.4 specification, device-types/entropy/description.tex ("Entropy
 * Device"). The device has no feature bits and no configuration space. Its single queue,
 * requestq, carries device-writable buffers only; the device fills them with random bytes
 * (at least one per request) and reports how many it wrote as the used length.
 */
#ifndef VPLAT_SPEC_VIRTIO_RNG_H
#define VPLAT_SPEC_VIRTIO_RNG_H

#include "vplat/spec/types.h"

/** Number of virtqueues: queue 0 is requestq. */
#define VPLAT_VIRTIO_RNG_NUM_QUEUES 1

#endif /* VPLAT_SPEC_VIRTIO_RNG_H */
