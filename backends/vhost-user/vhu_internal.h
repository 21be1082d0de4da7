/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared between the files of backends/vhost-user; not part of the public API. */
#ifndef VPLAT_VHU_INTERNAL_H
#define VPLAT_VHU_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>
#include "vplat/backend/vhost_user.h"

/* Wire layouts (vhost-user.rst, "Message Specification"): native byte order. */
struct vhu_hdr {
	uint32_t request;
	uint32_t flags;
	uint32_t size;
};
_Static_assert(sizeof(struct vhu_hdr) == VPLAT_VHU_HDR_SIZE, "vhost-user header");

struct vhu_state {
	uint32_t index;
	uint32_t num;
};
_Static_assert(sizeof(struct vhu_state) == 8, "vring state");

struct vhu_addr {
	uint32_t index;
	uint32_t flags;
	uint64_t desc;
	uint64_t used;
	uint64_t avail;
	uint64_t log;
};
_Static_assert(sizeof(struct vhu_addr) == 40, "vring address");

struct vhu_region {
	uint64_t gpa;
	uint64_t size;
	uint64_t uaddr;
	uint64_t mmap_offset;
};
_Static_assert(sizeof(struct vhu_region) == 32, "memory region");

#define VHU_TABLE_MAX 8u /* regions in one SET_MEM_TABLE */
struct vhu_memory {
	uint32_t nregions;
	uint32_t padding;
	struct vhu_region regions[VHU_TABLE_MAX];
};

struct vhu_memreg {
	uint64_t padding;
	struct vhu_region region;
};
_Static_assert(sizeof(struct vhu_memreg) == 40, "single memory region");

struct vhu_config {
	uint32_t offset;
	uint32_t size;
	uint32_t flags;
	uint8_t data[VPLAT_VHU_MAX_CONFIG];
};
#define VHU_CONFIG_HDR 12u

struct vhu_inflight_desc {
	uint64_t mmap_size;
	uint64_t mmap_offset;
	uint16_t num_queues;
	uint16_t queue_size;
	uint32_t padding; /* QEMU's struct is not packed: 24 bytes on the wire */
};
_Static_assert(sizeof(struct vhu_inflight_desc) == 24, "inflight description");

/* Inflight queue region, split layout (vhost-user.rst, "Inflight I/O tracking"). */
struct vhu_desc_state_split {
	uint8_t inflight;
	uint8_t padding[5];
	uint16_t next;
	uint64_t counter;
};
_Static_assert(sizeof(struct vhu_desc_state_split) == 16, "DescStateSplit");

struct vhu_queue_region_split {
	uint64_t features;
	uint16_t version;
	uint16_t desc_num;
	uint16_t last_batch_head;
	uint16_t used_idx;
	struct vhu_desc_state_split desc[];
};
_Static_assert(sizeof(struct vhu_queue_region_split) == 16, "QueueRegionSplit");

/* Own use, packed rings (vhu_inflight.c): after a queue's desc[queue_size] states, queue_size
 * copies of the descriptors of chains in flight (addr, len, flags as the ring had them), each
 * linked to its chain's next copy. A buffer ID's state keeps its first copy in padding[1..2]
 * and its number of descriptors in next. */
struct vhu_desc_copy {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next; /* the chain's next copy, or VHU_COPY_END */
};
_Static_assert(sizeof(struct vhu_desc_copy) == 16, "descriptor copy");
#define VHU_COPY_END 0xffffu

/* A received message: header, payload and the fds that came with it. */
struct vhu_msg {
	struct vhu_hdr hdr;
	union {
		uint64_t u64;
		struct vhu_state state;
		struct vhu_addr addr;
		struct vhu_memory memory;
		struct vhu_memreg memreg;
		struct vhu_config config;
		struct vhu_inflight_desc inflight;
		uint8_t raw[VPLAT_VHU_MAX_PAYLOAD];
	} u;
	int fds[VPLAT_VHU_MAX_FDS];
	uint32_t nfds;
	/* The fds are the caller's (vplat_vhu_backend_process_fds()): vplat_vhu_take_fd() dup()s,
	 * vplat_vhu_close_fds() forgets them instead of closing. */
	bool borrowed;
};

/* A handler's "no" that keeps the session: failure reply (if asked for), no disconnect. */
#define VHU_REFUSE 1

/* Logging. */
/* What to tell the user when guest memory does not reach the back end as shared fds. */
#define VHU_SHARE_HINT                                                                             \
	"start QEMU with a shared memory backend: -object "                                        \
	"memory-backend-memfd,id=mem,size=...,share=on -machine memory-backend=mem"

void vplat_vhu_log(struct vplat_vhu_backend *b, enum vplat_vhu_log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Socket I/O (vhu_io.c). recv: 0, VPLAT_ENODEV on EOF, VPLAT_EPROTO on a malformed frame. */
int vplat_vhu_recv_msg(int fd, struct vhu_msg *m, uint32_t timeout_ms);
int vplat_vhu_send(int fd, const void *buf, size_t len, const int *fds, uint32_t nfds);
void vplat_vhu_close_fds(struct vhu_msg *m);
/* Take fd @i out of @m (the caller owns it now; a dup() of a borrowed one, -1 when that
 * fails). */
int vplat_vhu_take_fd(struct vhu_msg *m, uint32_t i);

/* Memory table (vhu_mem.c). */
int vplat_vhu_mem_set_table(struct vplat_vhu_backend *b, struct vhu_msg *m);
int vplat_vhu_mem_add(struct vplat_vhu_backend *b, struct vhu_msg *m);
int vplat_vhu_mem_rem(struct vplat_vhu_backend *b, struct vhu_msg *m);
void vplat_vhu_mem_unmap_all(struct vplat_vhu_backend *b);
/* Front-end user address of a range that lies inside one region -> guest-physical. */
int vplat_vhu_ua_to_gpa(const struct vplat_vhu_backend *b, uint64_t ua, uint64_t len, uint64_t *gpa);

/* Rings (vhu_vring.c). */
int vplat_vhu_vring_msg(struct vplat_vhu_backend *b, struct vhu_msg *m, bool *reply);
void vplat_vhu_vring_stop_all(struct vplat_vhu_backend *b);
void vplat_vhu_vring_kick(struct vplat_vhu_backend *b, uint16_t q);
int vplat_vhu_ensure_features(struct vplat_vhu_backend *b);
int vplat_vhu_set_status(struct vplat_vhu_backend *b, uint8_t status);
extern const struct vplat_interrupt_ops vplat_vhu_notify_ops;

/* Inflight tracking (vhu_inflight.c). */
int vplat_vhu_inflight_get(struct vplat_vhu_backend *b, struct vhu_msg *m);
int vplat_vhu_inflight_set(struct vplat_vhu_backend *b, struct vhu_msg *m);
void vplat_vhu_inflight_release(struct vplat_vhu_backend *b);
/* At ring start, before the ring runs: install the pop/push tracking on ring @q. */
void vplat_vhu_inflight_attach(struct vplat_vhu_backend *b, uint16_t q);
/* At ring start: recover from the region; may move *avail (the next index to pop; packed:
 * slot + wrap bit 15) and *used (packed: the next used slot + wrap), and fill a split ring's
 * resubmit list. */
void vplat_vhu_inflight_recover(struct vplat_vhu_backend *b, uint16_t q, uint16_t *avail,
				uint16_t *used);

/* Busy polling of one ring (vhu_backend.c): 1 if the pass took chains. */
unsigned vplat_vhu_service_queue(struct vplat_vhu_backend *b, uint16_t q);
/* Kicks back on for one silenced ring, then one more look: 1 if that took chains. */
unsigned vplat_vhu_rearm_queue(struct vplat_vhu_backend *b, uint16_t q);
/* One busy-polling pass over every ring of @b not served by a queue thread (no guard of its
 * own: the caller holds one), and the re-arming of those rings (vhu_busy.c). */
unsigned vplat_vhu_service_pass(struct vplat_vhu_backend *b);
unsigned vplat_vhu_rearm_pass(struct vplat_vhu_backend *b);

/* Queue threads (vhu_threads.c). Park: every queue thread waits at the top of its loop
 * (no-op without threads, or on a queue thread); resume: let them go with the rings as they
 * are now. */
void vplat_vhu_threads_park(struct vplat_vhu_backend *b);
void vplat_vhu_threads_resume(struct vplat_vhu_backend *b);
/* Is ring @q served by a queue thread? */
bool vplat_vhu_threads_serve(const struct vplat_vhu_backend *b, uint16_t q);
/* Is the calling thread a queue thread? */
bool vplat_vhu_on_queue_thread(void);
/* A SIGBUS was caught on a queue thread: stop serving until parked, and shut the socket so
 * that the control thread disconnects. */
void vplat_vhu_queue_thread_faulted(struct vplat_vhu_backend *b);

#ifdef VPLAT_TEST_HOOKS
#include <pthread.h>
/* Test-only (builds with -DVPLAT_TEST_HOOKS=ON): when not NULL,
 * vplat_vhu_backend_start_threads() calls these instead of aligned_alloc() and
 * pthread_create(), so that a test can make the allocation of the thread records or the
 * creation of one queue thread fail (tests/unit/test_vhost_user_guards.c). */
extern void *(*vplat_vhu_test_aligned_alloc)(size_t align, size_t size);
extern int (*vplat_vhu_test_pthread_create)(pthread_t *th, const pthread_attr_t *attr,
					    void *(*fn)(void *), void *arg);
#endif

static inline void vhu_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

#endif
