/* SPDX-License-Identifier: BSD-3-Clause */
/* covers(unit.test_vhost_user): VPLAT-VHU-001 (hostile_frontend: one malformed message per
 * validation rule, refused with the session intact; garbage_header: a disconnect)
 * VPLAT-FFI-013 (budget_rest_served_without_kick: the back end's poll loop serves what a
 * dispatch budget left on a ring) VPLAT-VHU-002 (ring_moves_to_a_new_back_end) */
/*
 * vhost-user back-end and front-end in one process over a socketpair: the back-end serves the
 * entropy device from a thread running its poll loop; the validation driver drives it through
 * the front-end's virtio-mmio emulation (split: _i bit 0 = 0, packed: 1). Hostile front-end
 * messages get a failure reply and a disconnect, never a crash or a leak.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include "testutil.h"
#include "vplat/vplat.h"
#include "vplat/backend/vhost_user.h"
#include "vplat/val/vhost_user_frontend.h"
#include "vplat/val/mock.h"
#include "vplat/val/val.h"

struct rig {
	struct vplat_vhu_backend b;
	struct vplat_rng rng;
	struct vplat_rng_mock mock;
	struct vplat_vhu_frontend fe;
	struct vplat_val_dev d;
	struct vplat_val_vq vq;
	pthread_t thr;
	atomic_bool stop;
	atomic_bool ended; /* the back-end saw the connection end */
};

static void *backend_thread(void *arg)
{
	struct rig *r = arg;
	while (!atomic_load(&r->stop)) {
		if (vplat_vhu_backend_poll(&r->b, 5) == VPLAT_ENODEV) {
			atomic_store(&r->ended, true);
			break;
		}
	}
	return NULL;
}

static int count_fds(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* Dispatch budget of the device's queues (0: the queue size). */
static uint16_t rig_budget;
/* The front-end refuses the inflight region. */
static bool rig_no_inflight;

/* A back end serving an entropy device on the mock host end. */
static void rng_backend_up(struct vplat_vhu_backend *b, struct vplat_rng *rng,
			   struct vplat_rng_mock *mock)
{
	ck_assert_int_eq(vplat_vhu_backend_init(b, NULL), 0);
	ck_assert_int_eq(vplat_rng_init(rng, vplat_vhu_backend_mem(b), &vplat_rng_host_mock, mock),
			 0);
	ck_assert_int_eq(vplat_vhu_backend_attach(b, vplat_rng_device(rng)), 0);
}

/* Back-end + thread + front-end, handshake done. */
static void rig_conn(struct rig *r)
{
	memset(r, 0, sizeof(*r));
	int sv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	rng_backend_up(&r->b, &r->rng, &r->mock);
	ck_assert_int_eq(vplat_device_set_dispatch_budget(vplat_rng_device(&r->rng),
							  VPLAT_DISPATCH_ALL_QUEUES, rig_budget),
			 0);
	ck_assert_int_eq(vplat_vhu_backend_set_conn(&r->b, sv[0]), 0);
	ck_assert_int_eq(pthread_create(&r->thr, NULL, backend_thread, r), 0);
	struct vplat_vhu_frontend_params p = {.fd = sv[1], .device_id = VPLAT_VIRTIO_ID_RNG,
					      .mem_size = 1u << 20, .timeout_ms = 2000,
					      .no_inflight = rig_no_inflight};
	ck_assert_int_eq(vplat_vhu_frontend_init(&r->fe, &p), 0);
	ck_assert_int_eq(vplat_vhu_frontend_val_init(&r->fe, &r->d), 0);
}

static void rig_up(struct rig *r, bool packed)
{
	rig_conn(r);
	uint64_t want = VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) | VPLAT_BIT(VPLAT_VIRTIO_F_EVENT_IDX);
	if (packed)
		want |= VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED);
	ck_assert_int_eq(vplat_val_negotiate(&r->d, want), 0);
	ck_assert_int_eq(vplat_val_vq_setup(&r->d, &r->vq, 0, 16), 0);
	ck_assert_int_eq(vplat_val_driver_ok(&r->d), 0);
}

static void rig_down(struct rig *r)
{
	vplat_val_vq_fini(&r->vq);
	vplat_vhu_frontend_fini(&r->fe);
	atomic_store(&r->stop, true);
	pthread_join(r->thr, NULL);
	vplat_vhu_backend_fini(&r->b);
}

START_TEST(rng_end_to_end)
{
	struct rig r;
	rig_up(&r, _i & 1);
	ck_assert(vplat_val_has_feature(&r.d, VPLAT_VIRTIO_F_EVENT_IDX));
	/* The front end is a transport of its own, not an emulated register window. */
	ck_assert_int_eq(r.d.transport, VPLAT_VAL_CUSTOM);
	ck_assert_ptr_eq(r.d.transport_ctx, &r.fe);
	ck_assert_uint_eq(r.d.vendor_id, VPLAT_VHU_FRONTEND_VENDOR);
	ck_assert_uint_eq(r.d.num_queues, 1);
	ck_assert_uint_eq(vplat_val_queue_max(&r.d, 1), 0);
	ck_assert_uint_eq(vplat_val_config_generation(&r.d), 0);
	ck_assert_int_eq(vplat_val_queue_reset(&r.d, 0), VPLAT_ENOTSUP);
	uint64_t mark = vplat_val_mem_mark(vplat_vhu_frontend_dma(&r.fe));
	for (unsigned n = 0; n < 40; n++) {
		uint64_t gpa;
		uint8_t *buf = vplat_val_alloc(vplat_vhu_frontend_dma(&r.fe), 64, 8, &gpa);
		memset(buf, 0xee, 64);
		struct vplat_val_buf b = {.ptr = buf, .len = 64};
		ck_assert_int_eq(vplat_val_vq_add(&r.vq, &b, 0, 1, (void *)(uintptr_t)(n + 1)), 0);
		vplat_val_vq_kick(&r.vq);
		void *tok;
		uint32_t len;
		ck_assert_int_eq(vplat_val_wait_used(&r.vq, &tok, &len, 2000), 0);
		ck_assert_ptr_eq(tok, (void *)(uintptr_t)(n + 1));
		ck_assert_uint_eq(len, 64);
		ck_assert_uint_eq(buf[1], (uint8_t)(buf[0] + 1));
		vplat_val_mem_release(vplat_vhu_frontend_dma(&r.fe), mark);
	}
	ck_assert_uint_ge(vplat_val_irq_count(&r.d), 1);
	/* The call eventfd signals show as a used-buffer interrupt, acknowledged by reading it. */
	ck_assert_uint_eq(vplat_val_isr(&r.d), 1);
	ck_assert_uint_eq(vplat_val_isr(&r.d), 0);
	ck_assert_uint_eq(r.fe.errors, 0);
	/* A driver reset stops the rings (GET_VRING_BASE) and the session survives it. */
	ck_assert_int_eq(vplat_val_reset(&r.d), 0);
	vplat_val_vq_fini(&r.vq);
	rig_down(&r);
	ck_assert_uint_eq(vplat_rng_stats(&r.rng)->requests, 40);
	ck_assert_uint_eq(r.b.stats.errors, 0);
}
END_TEST

/* A back end that accepts one connection on a listening path and serves it until stopped. */
struct side {
	struct vplat_vhu_backend b;
	struct vplat_rng rng;
	struct vplat_rng_mock mock;
	int lfd;
	pthread_t thr;
	atomic_bool stop;
};

static void *accept_and_serve(void *arg)
{
	struct side *s = arg;
	int fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0 || vplat_vhu_backend_set_conn(&s->b, fd) != 0)
		return NULL;
	while (!atomic_load(&s->stop))
		if (vplat_vhu_backend_poll(&s->b, 5) == VPLAT_ENODEV)
			break;
	return NULL;
}

static void side_up(struct side *s, const char *path)
{
	memset(s, 0, sizeof(*s));
	rng_backend_up(&s->b, &s->rng, &s->mock);
	s->lfd = vplat_vhu_listen(path);
	ck_assert_int_ge(s->lfd, 0);
	ck_assert_int_eq(pthread_create(&s->thr, NULL, accept_and_serve, s), 0);
}

static void side_down(struct side *s)
{
	atomic_store(&s->stop, true);
	shutdown(s->lfd, SHUT_RDWR); /* ends an accept() that never got its connection */
	pthread_join(s->thr, NULL);
	close(s->lfd);
	vplat_vhu_backend_fini(&s->b);
}

static void add_request(struct vplat_val_vq *vq, uint8_t *buf, unsigned n)
{
	struct vplat_val_buf b = {.ptr = buf, .len = 64};
	ck_assert_int_eq(vplat_val_vq_add(vq, &b, 0, 1, (void *)(uintptr_t)(n + 1)), 0);
}

START_TEST(ring_moves_to_a_new_back_end)
{
	/* covers: VPLAT-VHU-002 */
	/* Back end A serves 5 requests; GET_VRING_BASE stops its ring and returns index 5
	 * (every request taken was completed, so the used index); 3 requests made available
	 * and kicked after that are not touched by A; back end B, started from that index
	 * (vplat_vhu_frontend_reconnect() on the same path), serves exactly those 3. Split
	 * ring: the front end restarts packed rings from their start. */
	char path[64];
	snprintf(path, sizeof(path), "/tmp/vplat-vhu002-%d.sock", (int)getpid());
	struct side *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	ck_assert(a && b);
	side_up(a, path);
	struct vplat_vhu_frontend fe;
	struct vplat_vhu_frontend_params p = {.path = path, .device_id = VPLAT_VIRTIO_ID_RNG,
					      .mem_size = 1u << 20, .timeout_ms = 2000};
	ck_assert_int_eq(vplat_vhu_frontend_init(&fe, &p), 0);
	struct vplat_val_dev d;
	struct vplat_val_vq vq;
	ck_assert_int_eq(vplat_vhu_frontend_val_init(&fe, &d), 0);
	ck_assert_int_eq(vplat_val_negotiate(&d, VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) |
							 VPLAT_BIT(VPLAT_VIRTIO_F_EVENT_IDX)),
			 0);
	ck_assert_int_eq(vplat_val_vq_setup(&d, &vq, 0, 16), 0);
	ck_assert_int_eq(vplat_val_driver_ok(&d), 0);
	uint8_t *buf[8];
	for (unsigned n = 0; n < 8; n++) {
		buf[n] = vplat_val_alloc(vplat_vhu_frontend_dma(&fe), 64, 8, NULL);
		ck_assert_ptr_nonnull(buf[n]);
		memset(buf[n], 0xee, 64);
	}
	void *tok;
	for (unsigned n = 0; n < 5; n++) {
		add_request(&vq, buf[n], n);
		vplat_val_vq_kick(&vq);
		ck_assert_int_eq(vplat_val_wait_used(&vq, &tok, NULL, 2000), 0);
		ck_assert_ptr_eq(tok, (void *)(uintptr_t)(n + 1));
	}
	struct {
		uint32_t index, num;
	} st = {0, 0};
	ck_assert_int_eq(vplat_vhu_frontend_call(&fe, VPLAT_VHU_GET_VRING_BASE, 0, &st, sizeof(st),
						 NULL, 0, &st, sizeof(st)),
			 0);
	ck_assert_uint_eq(st.index, 0);
	ck_assert_uint_eq(st.num, 5);
	for (unsigned n = 5; n < 8; n++)
		add_request(&vq, buf[n], n);
	vplat_val_vq_kick(&vq);
	ck_assert_int_eq(vplat_val_wait_used(&vq, &tok, NULL, 300), VPLAT_ETIMEDOUT);
	ck_assert_uint_eq(vplat_rng_stats(&a->rng)->requests, 5);
	ck_assert_uint_eq(buf[5][0], 0xee);
	side_down(a);
	side_up(b, path);
	ck_assert_int_eq(vplat_vhu_frontend_reconnect(&fe), 0);
	for (unsigned n = 5; n < 8; n++) {
		uint32_t len;
		ck_assert_int_eq(vplat_val_wait_used(&vq, &tok, &len, 2000), 0);
		ck_assert_ptr_eq(tok, (void *)(uintptr_t)(n + 1));
		ck_assert_uint_eq(len, 64);
		ck_assert_uint_eq(buf[n][1], (uint8_t)(buf[n][0] + 1)); /* the mock's bytes */
	}
	ck_assert_int_eq(vplat_val_wait_used(&vq, &tok, NULL, 100), VPLAT_ETIMEDOUT);
	ck_assert_uint_eq(vplat_rng_stats(&b->rng)->requests, 3);
	vplat_val_vq_fini(&vq);
	vplat_vhu_frontend_fini(&fe);
	side_down(b);
	unlink(path);
	free(a);
	free(b);
}
END_TEST

START_TEST(budget_rest_served_without_kick)
{
	/* covers: VPLAT-FFI-013 */
	/* a budget of 2 on a 16-entry ring: one kick of 12 requests;
	 * the back end's poll loop serves the 10 the kick left, without another kick (with
	 * EVENT_IDX the driver does not kick while the device is behind). */
	struct rig r;
	rig_budget = 2;
	rig_up(&r, _i & 1);
	rig_budget = 0;
	for (unsigned n = 0; n < 12; n++) {
		uint64_t gpa;
		uint8_t *buf = vplat_val_alloc(vplat_vhu_frontend_dma(&r.fe), 64, 8, &gpa);
		struct vplat_val_buf b = {.ptr = buf, .len = 64};
		ck_assert_int_eq(vplat_val_vq_add(&r.vq, &b, 0, 1, (void *)(uintptr_t)(n + 1)), 0);
	}
	vplat_val_vq_notify(&r.vq);
	for (unsigned n = 0; n < 12; n++) {
		void *tok;
		ck_assert_int_eq(vplat_val_wait_used(&r.vq, &tok, NULL, 5000), 0);
		ck_assert_ptr_eq(tok, (void *)(uintptr_t)(n + 1));
	}
	rig_down(&r);
	ck_assert_uint_eq(vplat_rng_stats(&r.rng)->requests, 12);
	ck_assert_uint_le(r.b.stats.kicks, 2); /* the one kick (a DRIVER_OK catch-up at most) */
}
END_TEST

START_TEST(track_hook_only_with_region)
{
	/* The inflight hook (vplat_vq::track) is on a ring only when a region tracks it: on
	 * every ring it turned each vplat_vq_push_burst() into one push per chain. _i 0: the
	 * front-end takes the region, 1: it refuses it. */
	struct rig r;
	rig_no_inflight = _i == 1;
	rig_up(&r, false);
	uint8_t *buf = vplat_val_alloc(vplat_vhu_frontend_dma(&r.fe), 16, 8, NULL);
	struct vplat_val_buf b = {.ptr = buf, .len = 16};
	ck_assert_int_eq(vplat_val_vq_add(&r.vq, &b, 0, 1, (void *)1), 0);
	vplat_val_vq_kick(&r.vq);
	void *tok;
	uint32_t len;
	ck_assert_int_eq(vplat_val_wait_used(&r.vq, &tok, &len, 2000), 0); /* ring 0 started */
	struct vplat_vq *vq = vplat_device_vq(vplat_rng_device(&r.rng), 0);
	ck_assert_ptr_nonnull(vq);
	bool hooked = __atomic_load_n(&vq->track, __ATOMIC_ACQUIRE) != NULL;
	ck_assert_int_eq(r.fe.inflight_fd >= 0, _i == 0);
	ck_assert_int_eq(hooked, _i == 0);
	rig_no_inflight = false;
	rig_down(&r);
}
END_TEST

START_TEST(reset_and_renegotiate)
{
	struct rig r;
	rig_up(&r, false);
	ck_assert_int_eq(vplat_val_reset(&r.d), 0);
	vplat_val_vq_fini(&r.vq);
	vplat_val_mem_reset(vplat_vhu_frontend_dma(&r.fe));
	uint64_t want = VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) | VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED);
	ck_assert_int_eq(vplat_val_negotiate(&r.d, want), 0);
	ck_assert_int_eq(vplat_val_vq_setup(&r.d, &r.vq, 0, 8), 0);
	ck_assert_int_eq(vplat_val_driver_ok(&r.d), 0);
	uint64_t gpa;
	uint8_t *buf = vplat_val_alloc(vplat_vhu_frontend_dma(&r.fe), 16, 8, &gpa);
	struct vplat_val_buf b = {.ptr = buf, .len = 16};
	ck_assert_int_eq(vplat_val_vq_add(&r.vq, &b, 0, 1, (void *)1), 0);
	vplat_val_vq_kick(&r.vq);
	void *tok;
	uint32_t len;
	ck_assert_int_eq(vplat_val_wait_used(&r.vq, &tok, &len, 2000), 0);
	ck_assert_uint_eq(len, 16);
	rig_down(&r);
}
END_TEST

START_TEST(status_and_queue_num)
{
	struct rig r;
	rig_up(&r, false);
	uint64_t v = 0;
	ck_assert_int_eq(vplat_vhu_frontend_call(&r.fe, VPLAT_VHU_GET_QUEUE_NUM, 0, NULL, 0, NULL, 0,
						 &v, 8),
			 0);
	ck_assert_uint_eq(v, 1);
	ck_assert_int_eq(vplat_vhu_frontend_call(&r.fe, VPLAT_VHU_GET_STATUS, 0, NULL, 0, NULL, 0,
						 &v, 8),
			 0);
	ck_assert_uint_eq(v & 0x0f, 0x0f);
	ck_assert_int_eq(vplat_vhu_frontend_call(&r.fe, VPLAT_VHU_GET_MAX_MEM_SLOTS, 0, NULL, 0,
						 NULL, 0, &v, 8),
			 0);
	ck_assert_uint_eq(v, VPLAT_VHU_MAX_REGIONS);
	rig_down(&r);
}
END_TEST

/* Send a hostile message with NEED_REPLY: a non-zero ack comes back, then the back-end drops
 * the connection. */
static void expect_refused(struct rig *r, uint32_t req, const void *pl, uint32_t size,
			   const int *fds, uint32_t nfds)
{
	uint64_t ack = 0;
	int rc = vplat_vhu_frontend_call(&r->fe, req, VPLAT_VHU_FLAG_NEED_REPLY, pl, size, fds, nfds,
					 &ack, 8);
	ck_assert(rc != 0 || ack != 0);
	for (int i = 0; i < 400 && !atomic_load(&r->ended); i++)
		usleep(5000);
	ck_assert(atomic_load(&r->ended));
	ck_assert(!vplat_vhu_backend_connected(&r->b));
	ck_assert_uint_eq(r->b.nregions, 0);
}

struct hostile {
	uint32_t req;
	uint32_t size;
	uint64_t words[6];
	int nfds;   /* fds to attach: -1 = a memfd too small for its region */
};

static const struct hostile hostile_cases[] = {
    /* vring address outside the memory table */
    {VPLAT_VHU_SET_VRING_ADDR, 40, {0, 0x1000, 0x2000, 0x3000, 0, 0}, 0},
    /* queue index out of range */
    {VPLAT_VHU_SET_VRING_NUM, 8, {UINT64_C(7) | (UINT64_C(16) << 32)}, 0},
    /* queue size above 32768 */
    {VPLAT_VHU_SET_VRING_NUM, 8, {UINT64_C(65536) << 32}, 0},
    /* payload size wrong for the request */
    {VPLAT_VHU_SET_FEATURES, 4, {0}, 0},
    /* feature never offered */
    {VPLAT_VHU_SET_FEATURES, 8, {UINT64_C(1) << 63}, 0},
    /* unknown request */
    {200, 0, {0}, 0},
    /* kick without its fd */
    {VPLAT_VHU_SET_VRING_KICK, 8, {0}, 0},
    /* a memory region larger than its fd (would SIGBUS) */
    {VPLAT_VHU_SET_MEM_TABLE, 40, {1, 0x80000000, 1u << 20, 0x7f0000000000, 0}, -1},
    /* memory table: region count and fd count disagree */
    {VPLAT_VHU_SET_MEM_TABLE, 40, {1, 0x80000000, 4096, 0x7f0000000000, 0}, 0},
    /* region wrapping around the guest address space */
    {VPLAT_VHU_ADD_MEM_REG, 40, {0, UINT64_MAX - 4095, 8192, 0x7f0000000000, 0}, 1},
    /* region overlapping the front-end's memory in guest-physical space */
    {VPLAT_VHU_ADD_MEM_REG, 40, {0, 0x40000000, 4096, 0x7f0000000000, 0}, 1},
    /* removing a region that does not exist */
    {VPLAT_VHU_REM_MEM_REG, 40, {0, 0x90000000, 4096, 0x7f0000000000, 0}, 0},
    /* region whose file offset runs past the fd */
    {VPLAT_VHU_ADD_MEM_REG, 40, {0, 0x90000000, 4096, 0x7f0000000000, 4096}, 1},
    /* inflight region with zero queues */
    {VPLAT_VHU_GET_INFLIGHT_FD, 24, {0, 0, 0}, 0},
};

START_TEST(hostile_frontend)
{
	const struct hostile *h = &hostile_cases[_i];
	int before = count_fds();
	struct rig r;
	rig_up(&r, false);
	int fds[1] = {-1};
	uint32_t nfds = 0;
	if (h->nfds) {
		fds[0] = memfd_create("hostile", MFD_CLOEXEC);
		ck_assert_int_ge(fds[0], 0);
		ck_assert_int_eq(ftruncate(fds[0], 4096), 0);
		nfds = 1;
	}
	uint8_t pl[48];
	memcpy(pl, h->words, sizeof(pl) < sizeof(h->words) ? sizeof(pl) : sizeof(h->words));
	if (h->req == VPLAT_VHU_SET_MEM_TABLE) { /* u32 count + u32 padding, then the region */
		uint32_t n = 1;
		memcpy(pl, &n, 4);
		memset(pl + 4, 0, 4);
		memcpy(pl + 8, &h->words[1], 32);
	}
	expect_refused(&r, h->req, pl, h->size, fds, nfds);
	if (fds[0] >= 0)
		close(fds[0]);
	rig_down(&r);
	ck_assert_int_eq(count_fds(), before);
}
END_TEST

START_TEST(add_and_remove_region)
{
	/* A second region added and removed at run time; rings keep working throughout. */
	int before = count_fds();
	struct rig r;
	rig_up(&r, false);
	int fd = memfd_create("extra", MFD_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, 1u << 16), 0);
	uint64_t reg[5] = {0, 0x80000000, 1u << 16, 0x7e0000000000, 0};
	uint64_t ack = 1;
	ck_assert_int_eq(vplat_vhu_frontend_call(&r.fe, VPLAT_VHU_ADD_MEM_REG,
						 VPLAT_VHU_FLAG_NEED_REPLY, reg, 40, &fd, 1, &ack, 8),
			 0);
	ck_assert_uint_eq(ack, 0);
	close(fd);
	ack = 1;
	ck_assert_int_eq(vplat_vhu_frontend_call(&r.fe, VPLAT_VHU_REM_MEM_REG,
						 VPLAT_VHU_FLAG_NEED_REPLY, reg, 40, NULL, 0, &ack, 8),
			 0);
	ck_assert_uint_eq(ack, 0);
	uint64_t gpa;
	uint8_t *buf = vplat_val_alloc(vplat_vhu_frontend_dma(&r.fe), 16, 8, &gpa);
	struct vplat_val_buf b = {.ptr = buf, .len = 16};
	ck_assert_int_eq(vplat_val_vq_add(&r.vq, &b, 0, 1, (void *)1), 0);
	vplat_val_vq_kick(&r.vq);
	void *tok;
	uint32_t len;
	ck_assert_int_eq(vplat_val_wait_used(&r.vq, &tok, &len, 2000), 0);
	ck_assert_uint_eq(len, 16);
	rig_down(&r);
	ck_assert_int_eq(count_fds(), before);
}
END_TEST

START_TEST(garbage_header)
{
	int before = count_fds();
	struct rig r;
	rig_up(&r, false);
	uint32_t bad[3] = {VPLAT_VHU_GET_FEATURES, 0x1, 1u << 30}; /* payload size 1 GiB */
	ck_assert_int_eq(write(r.fe.sock, bad, sizeof(bad)), (ssize_t)sizeof(bad));
	for (int i = 0; i < 400 && !atomic_load(&r.ended); i++)
		usleep(5000);
	ck_assert(atomic_load(&r.ended));
	rig_down(&r);
	ck_assert_int_eq(count_fds(), before);
}
END_TEST

START_TEST(process_entry_point)
{
	/* The fuzz entry point: messages from memory, no socket. */
	struct vplat_vhu_backend b;
	struct vplat_rng rng;
	struct vplat_rng_mock mock = {0};
	rng_backend_up(&b, &rng, &mock);
	uint32_t get[3] = {VPLAT_VHU_GET_FEATURES, 1, 0};
	ck_assert_int_eq(vplat_vhu_backend_process(&b, get, sizeof(get)), 0);
	ck_assert_uint_eq(b.reply_len, 20);
	uint64_t f;
	memcpy(&f, b.reply + 12, 8);
	ck_assert(f & VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1));
	ck_assert(f & VPLAT_BIT(VPLAT_VHU_F_PROTOCOL_FEATURES));
	ck_assert(!(f & VPLAT_BIT(VPLAT_VIRTIO_F_NOTIFICATION_DATA)));
	uint32_t trunc[2] = {VPLAT_VHU_GET_FEATURES, 1};
	ck_assert_int_eq(vplat_vhu_backend_process(&b, trunc, sizeof(trunc)), VPLAT_EPROTO);
	vplat_vhu_backend_fini(&b);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("vhost_user");
	TCase *tc = tcase_create("vhost_user");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, rng_end_to_end, 0, 2);
	tcase_add_loop_test(tc, track_hook_only_with_region, 0, 2);
	tcase_add_test(tc, reset_and_renegotiate);
	tcase_add_loop_test(tc, budget_rest_served_without_kick, 0, 2);
	tcase_add_test(tc, ring_moves_to_a_new_back_end);
	tcase_add_test(tc, status_and_queue_num);
	tcase_add_loop_test(tc, hostile_frontend, 0,
			    (int)(sizeof(hostile_cases) / sizeof(hostile_cases[0])));
	tcase_add_test(tc, garbage_header);
	tcase_add_test(tc, add_and_remove_region);
	tcase_add_test(tc, process_entry_point);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vplat_test_main(suite());
}
