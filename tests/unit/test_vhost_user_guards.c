/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The vhost-user back end's input guards, one message at a time, with no thread: the test is
 * the front end on one end of a socketpair and calls vplat_vhu_backend_handle() itself, so
 * every refusal is seen exactly (the back end drops the connection: VPLAT_ENODEV, one error
 * counted) and every acceptance too (0, still connected).
 *
 * Each hostile message breaks exactly one rule and is otherwise valid for the state the
 * session is in, so that the guard named in its comment is the only thing that refuses it:
 * removing that guard (tools/mutate) makes the back end accept the message and the test fail.
 * The same message, made valid, is accepted first where that is not obvious.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "testutil.h"
#include "vplat/vplat.h"
#include "vplat/backend/vhost_user.h"
#include "vplat/val/mock.h"
#include "vplat/val/vhost_user_frontend.h"
#include "vplat/spec/virtio_ring.h"
#include "backends/vhost-user/vhu_internal.h"
#include "backends/vhost-user/frontend/vhu_frontend.h"

#define MEM_GPA  UINT64_C(0x100000)
#define MEM_UA   UINT64_C(0x7f0000000000)
#define MEM_SIZE 65536u
#define DESC_OFF 0x0000u
#define AVAIL_OFF 0x1000u
#define USED_OFF 0x2000u

struct srig {
	struct vplat_vhu_backend b;
	struct vplat_rng rng;
	struct vplat_rng_mock mock;
	int fe;     /* the test's end of the socketpair */
	int memfd;  /* guest memory of the session's table */
	uint8_t reply[VPLAT_VHU_HDR_SIZE + VPLAT_VHU_MAX_PAYLOAD];
	ssize_t reply_len;
	int reply_fd;
};

static int new_memfd(size_t size)
{
	int fd = memfd_create("vhu-guards", MFD_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, (off_t)size), 0);
	return fd;
}

static int new_eventfd(void)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ck_assert_int_ge(fd, 0);
	return fd;
}

static void connect_rig(struct srig *r)
{
	int sv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	ck_assert_int_eq(vplat_vhu_backend_set_conn(&r->b, sv[0]), 0);
	r->fe = sv[1];
}

/* VPLAT_TEST_VHU_LOG=1: the back end's log on stderr (while writing a test). */
static void log_stderr(void *opaque, enum vplat_vhu_log_level lvl, const char *msg)
{
	(void)opaque;
	fprintf(stderr, "vhu[%d]: %s\n", (int)lvl, msg);
}

static void rig_init(struct srig *r)
{
	memset(r, 0, sizeof(*r));
	r->memfd = -1;
	r->reply_fd = -1;
	struct vplat_vhu_backend_params p = {.io_timeout_ms = 100};
	if (getenv("VPLAT_TEST_VHU_LOG")) {
		p.log = log_stderr;
		p.log_level = VPLAT_VHU_LOG_DEBUG;
	}
	ck_assert_int_eq(vplat_vhu_backend_init(&r->b, &p), 0);
	ck_assert_int_eq(vplat_rng_init(&r->rng, vplat_vhu_backend_mem(&r->b), &vplat_rng_host_mock,
					&r->mock),
			 0);
	ck_assert_int_eq(vplat_vhu_backend_attach(&r->b, vplat_rng_device(&r->rng)), 0);
	connect_rig(r);
}

static void rig_fini(struct srig *r)
{
	vplat_vhu_backend_fini(&r->b);
	if (r->fe >= 0)
		close(r->fe);
	if (r->memfd >= 0)
		close(r->memfd);
	if (r->reply_fd >= 0)
		close(r->reply_fd);
}

/* Send one message (header flags: version + @flags) and let the back end handle it. */
static int xfer(struct srig *r, uint32_t req, uint32_t flags, const void *pl, uint32_t size,
		const int *fds, uint32_t nfds)
{
	uint8_t buf[VPLAT_VHU_HDR_SIZE + VPLAT_VHU_MAX_PAYLOAD + 64];
	struct vhu_hdr h = {.request = req, .flags = VPLAT_VHU_VERSION | flags, .size = size};
	ck_assert_uint_le(size, sizeof(buf) - sizeof(h));
	memcpy(buf, &h, sizeof(h));
	if (size)
		memcpy(buf + sizeof(h), pl, size);
	ck_assert_int_eq(vplat_vhu_send(r->fe, buf, sizeof(h) + size, fds, nfds), 0);
	struct vplat_vhu_pollfd pf = {.fd = r->b.conn, .queue = -1};
	int rc = vplat_vhu_backend_handle(&r->b, &pf);
	/* Collect a reply, if any, without waiting. */
	if (r->reply_fd >= 0)
		close(r->reply_fd);
	r->reply_fd = -1;
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {.iov_base = r->reply, .iov_len = sizeof(r->reply)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
			    .msg_controllen = sizeof(ctl.b)};
	r->reply_len = recvmsg(r->fe, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (r->reply_len > 0) {
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		if (c && c->cmsg_type == SCM_RIGHTS)
			memcpy(&r->reply_fd, CMSG_DATA(c), sizeof(int));
	}
	return rc;
}

static void ok(struct srig *r, uint32_t req, const void *pl, uint32_t size, const int *fds,
	       uint32_t nfds)
{
	uint64_t errs = r->b.stats.errors;
	ck_assert_int_eq(xfer(r, req, 0, pl, size, fds, nfds), 0);
	ck_assert(vplat_vhu_backend_connected(&r->b));
	ck_assert_uint_eq(r->b.stats.errors, errs);
}

/* The message is refused: the back end counts an error and drops the front end. */
static void refused(struct srig *r, uint32_t req, const void *pl, uint32_t size, const int *fds,
		    uint32_t nfds)
{
	uint64_t errs = r->b.stats.errors;
	ck_assert_int_eq(xfer(r, req, 0, pl, size, fds, nfds), VPLAT_ENODEV);
	ck_assert(!vplat_vhu_backend_connected(&r->b));
	ck_assert_uint_eq(r->b.stats.errors, errs + 1);
	ck_assert_uint_eq(r->b.nregions, 0);
}

static void ok_u64(struct srig *r, uint32_t req, uint64_t v)
{
	ok(r, req, &v, 8, NULL, 0);
}

static void refused_u64(struct srig *r, uint32_t req, uint64_t v)
{
	refused(r, req, &v, 8, NULL, 0);
}

static uint64_t base_features(void)
{
	return VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) | VPLAT_BIT(VPLAT_VHU_F_PROTOCOL_FEATURES);
}

/* SET_OWNER, SET_FEATURES, SET_PROTOCOL_FEATURES (@pf), SET_MEM_TABLE with one 64 KiB region. */
static void session(struct srig *r, uint64_t pf)
{
	ok(r, VPLAT_VHU_SET_OWNER, NULL, 0, NULL, 0);
	ok_u64(r, VPLAT_VHU_SET_FEATURES, base_features());
	ok_u64(r, VPLAT_VHU_SET_PROTOCOL_FEATURES, pf);
	r->memfd = new_memfd(MEM_SIZE);
	struct {
		uint32_t n, pad;
		struct vhu_region reg;
	} t = {1, 0, {MEM_GPA, MEM_SIZE, MEM_UA, 0}};
	ok(r, VPLAT_VHU_SET_MEM_TABLE, &t, sizeof(t), &r->memfd, 1);
	ck_assert_uint_eq(r->b.nregions, 1);
}

static uint64_t all_pf(void)
{
	return VPLAT_VHU_BACKEND_PROTOCOL_FEATURES;
}

/* A new rig with a session of every protocol feature (session()). */
static void new_session(struct srig *r)
{
	rig_init(r);
	session(r, all_pf());
}

/* An address-space limit @p headroom bytes above what the process maps now (from
 * /proc/self/statm; never above the current limit) in @p lim, the current one in @p old. */
static void as_limit(struct rlimit *old, struct rlimit *lim, rlim_t headroom)
{
	ck_assert_int_eq(getrlimit(RLIMIT_AS, old), 0);
	long pages = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%ld", &pages), 1);
	fclose(f);
	*lim = *old;
	lim->rlim_cur = (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) + headroom;
	if (old->rlim_cur != RLIM_INFINITY && old->rlim_cur < lim->rlim_cur)
		lim->rlim_cur = old->rlim_cur;
}

static void ring_addr(struct srig *r)
{
	struct vhu_addr a = {0, 0, MEM_UA + DESC_OFF, MEM_UA + USED_OFF, MEM_UA + AVAIL_OFF, 0};
	ok(r, VPLAT_VHU_SET_VRING_ADDR, &a, sizeof(a), NULL, 0);
}

/* Ring 0: 16 entries at the start of the region, call and kick eventfds; started, enabled. */
static void ring_up(struct srig *r)
{
	struct vhu_state st = {0, 16};
	ok(r, VPLAT_VHU_SET_VRING_NUM, &st, sizeof(st), NULL, 0);
	st.num = 0;
	ok(r, VPLAT_VHU_SET_VRING_BASE, &st, sizeof(st), NULL, 0);
	ring_addr(r);
	int efd = new_eventfd();
	uint64_t idx = 0;
	ok(r, VPLAT_VHU_SET_VRING_CALL, &idx, 8, &efd, 1);
	close(efd);
	efd = new_eventfd();
	ok(r, VPLAT_VHU_SET_VRING_KICK, &idx, 8, &efd, 1);
	close(efd);
	ck_assert(r->b.vrings[0].started);
	st.num = 1;
	ok(r, VPLAT_VHU_SET_VRING_ENABLE, &st, sizeof(st), NULL, 0);
}

/* --- features, protocol features, status, config (vhu_backend.c) ---------------------- */

START_TEST(set_features_guards)
{
	struct srig r;
	new_session(&r);
	/* renegotiation before any ring started is allowed */
	ok_u64(&r, VPLAT_VHU_SET_FEATURES, base_features() | VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED));
	/* a bit never offered (vhu_backend.c set_features: f & ~allowed) */
	refused_u64(&r, VPLAT_VHU_SET_FEATURES, base_features() | (UINT64_C(1) << 63));
	rig_fini(&r);

	new_session(&r);
	/* LOG_ALL: allowed by the mask, refused on its own */
	refused_u64(&r, VPLAT_VHU_SET_FEATURES, base_features() | VPLAT_BIT(VPLAT_VHU_F_LOG_ALL));
	rig_fini(&r);

	new_session(&r);
	ring_up(&r);
	ok_u64(&r, VPLAT_VHU_SET_FEATURES, base_features()); /* the same features: fine */
	/* different features while a ring runs */
	refused_u64(&r, VPLAT_VHU_SET_FEATURES,
		    base_features() | VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED));
	rig_fini(&r);
}
END_TEST

START_TEST(protocol_features_and_status)
{
	struct srig r;
	rig_init(&r);
	ok_u64(&r, VPLAT_VHU_SET_PROTOCOL_FEATURES, all_pf());
	refused_u64(&r, VPLAT_VHU_SET_PROTOCOL_FEATURES, all_pf() | (UINT64_C(1) << 63));
	rig_fini(&r);

	new_session(&r);
	ok_u64(&r, VPLAT_VHU_SET_STATUS, VPLAT_VIRTIO_STATUS_ACKNOWLEDGE);
	refused_u64(&r, VPLAT_VHU_SET_STATUS, 0x100); /* (uint8_t) would be 0: a reset */
	rig_fini(&r);

	rig_init(&r);
	session(&r, all_pf() & ~VPLAT_BIT(VPLAT_VHU_PROTOCOL_F_STATUS));
	refused_u64(&r, VPLAT_VHU_SET_STATUS, VPLAT_VIRTIO_STATUS_ACKNOWLEDGE);
	rig_fini(&r);
}
END_TEST

START_TEST(config_guards)
{
	struct srig r;
	struct vhu_config c;
	memset(&c, 0, sizeof(c));
	c.size = 4;
	new_session(&r);
	ok(&r, VPLAT_VHU_GET_CONFIG, &c, VHU_CONFIG_HDR + 4, NULL, 0);
	ck_assert_int_eq(r.reply_len, VPLAT_VHU_HDR_SIZE + VHU_CONFIG_HDR + 4);
	/* payload size disagrees with the size field */
	refused(&r, VPLAT_VHU_GET_CONFIG, &c, VHU_CONFIG_HDR + 8, NULL, 0);
	rig_fini(&r);

	new_session(&r);
	c.size = 0;
	c.flags = 2; /* flags other than 0/1 */
	refused(&r, VPLAT_VHU_SET_CONFIG, &c, VHU_CONFIG_HDR, NULL, 0);
	rig_fini(&r);
}
END_TEST

START_TEST(ring_message_with_fd)
{
	struct srig r;
	new_session(&r);
	struct vhu_state st = {0, 16};
	int efd = new_eventfd();
	refused(&r, VPLAT_VHU_SET_VRING_NUM, &st, sizeof(st), &efd, 1);
	close(efd);
	rig_fini(&r);
}
END_TEST

/* --- inflight region (vhu_inflight.c, dispatch) ---------------------------------------- */

START_TEST(inflight_guards)
{
	struct srig r;
	struct vhu_inflight_desc d = {0, 0, 1, 16, 0};
	uint8_t big[sizeof(d) + 8];
	memset(big, 0, sizeof(big));
	memcpy(big, &d, sizeof(d));

	/* not negotiated */
	rig_init(&r);
	session(&r, all_pf() & ~VPLAT_BIT(VPLAT_VHU_PROTOCOL_F_INFLIGHT_SHMFD));
	refused(&r, VPLAT_VHU_GET_INFLIGHT_FD, &d, sizeof(d), NULL, 0);
	rig_fini(&r);

	new_session(&r);
	ok(&r, VPLAT_VHU_GET_INFLIGHT_FD, &d, sizeof(d), NULL, 0);
	ck_assert_int_ge(r.reply_fd, 0);
	/* GET with a payload of the wrong size */
	refused(&r, VPLAT_VHU_GET_INFLIGHT_FD, big, sizeof(big), NULL, 0);
	rig_fini(&r);

	struct vhu_inflight_desc s = {8192, 0, 1, 16, 0};
	int fd = new_memfd(1u << 16);
	memcpy(big, &s, sizeof(s));
	new_session(&r);
	ok(&r, VPLAT_VHU_SET_INFLIGHT_FD, &s, sizeof(s), &fd, 1);
	ck_assert_ptr_nonnull(r.b.inflight.map);
	/* SET with a payload of the wrong size */
	refused(&r, VPLAT_VHU_SET_INFLIGHT_FD, big, sizeof(big), &fd, 1);
	rig_fini(&r);

	new_session(&r);
	s.mmap_size = 64; /* smaller than one queue of 16 needs */
	refused(&r, VPLAT_VHU_SET_INFLIGHT_FD, &s, sizeof(s), &fd, 1);
	rig_fini(&r);

	new_session(&r);
	s.mmap_size = 8192;
	s.mmap_offset = 100; /* not page aligned: mmap() fails */
	refused(&r, VPLAT_VHU_SET_INFLIGHT_FD, &s, sizeof(s), &fd, 1);
	ck_assert_ptr_null(r.b.inflight.map);
	rig_fini(&r);
	close(fd);
}
END_TEST

/* The inflight region's mmap() fails (address space limit): refused, nothing written. */
START_TEST(inflight_map_fails)
{
	struct srig r;
	new_session(&r);
	struct rlimit old, lim;
	/* 64 queues of 32768 descriptors: about 32 MiB, far more than is left */
	struct vhu_inflight_desc d = {0, 0, 64, 32768, 0};
	as_limit(&old, &lim, 4u << 20);
	ck_assert_int_eq(setrlimit(RLIMIT_AS, &lim), 0);
	int rc = xfer(&r, VPLAT_VHU_GET_INFLIGHT_FD, 0, &d, sizeof(d), NULL, 0);
	ck_assert_int_eq(setrlimit(RLIMIT_AS, &old), 0);
	ck_assert_int_eq(rc, VPLAT_ENODEV);
	ck_assert_ptr_null(r.b.inflight.map);
	rig_fini(&r);
}
END_TEST

/* A ring larger than the inflight region's queues is not tracked: nothing is written into the
 * region (which would overrun it). With a region as large as the ring, the same request is
 * recorded (the control that the test sees tracking at all). */
static uint16_t inflight_used_after_one_request(uint16_t region_queue_size)
{
	struct srig r;
	new_session(&r);
	struct vhu_inflight_desc d = {0, 0, 1, region_queue_size, 0};
	ok(&r, VPLAT_VHU_GET_INFLIGHT_FD, &d, sizeof(d), NULL, 0);
	ck_assert_int_ge(r.reply_fd, 0);
	struct vhu_inflight_desc got;
	memcpy(&got, r.reply + VPLAT_VHU_HDR_SIZE, sizeof(got));
	void *region = mmap(NULL, (size_t)got.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			    r.reply_fd, 0);
	ck_assert(region != MAP_FAILED);
	uint8_t *ram = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, r.memfd, 0);
	ck_assert(ram != MAP_FAILED);
	ring_up(&r); /* 16 entries */
	struct vplat_virtq_desc *desc = (void *)(ram + DESC_OFF);
	desc[0].addr = vplat_cpu_to_le64(MEM_GPA + 0x3000);
	desc[0].len = vplat_cpu_to_le32(16);
	desc[0].flags = vplat_cpu_to_le16(VPLAT_VIRTQ_DESC_F_WRITE);
	struct vplat_virtq_avail *avail = (void *)(ram + AVAIL_OFF);
	avail->ring[0] = 0;
	__atomic_store_n(&avail->idx, vplat_cpu_to_le16(1), __ATOMIC_RELEASE);
	vplat_vhu_backend_service(&r.b);
	const struct vplat_virtq_used *used = (const void *)(ram + USED_OFF);
	ck_assert_uint_eq(vplat_le16_to_cpu(used->idx), 1); /* the request was served */
	uint16_t rec = ((const struct vhu_queue_region_split *)region)->used_idx;
	munmap(ram, MEM_SIZE);
	munmap(region, (size_t)got.mmap_size);
	rig_fini(&r);
	return rec;
}

START_TEST(inflight_ring_larger_than_region)
{
	ck_assert_uint_eq(inflight_used_after_one_request(16), 1);
	ck_assert_uint_eq(inflight_used_after_one_request(8), 0);
}
END_TEST

/* --- memory table and regions (vhu_mem.c) ---------------------------------------------- */

struct memreg_msg {
	uint64_t pad;
	struct vhu_region r;
};

START_TEST(mem_table_guards)
{
	struct srig r;
	int a = new_memfd(8192), b2 = new_memfd(8192);
	int two[2] = {a, b2};
	struct {
		uint32_t n, pad;
		struct vhu_region reg[2];
		uint8_t extra[8];
	} t;
	memset(&t, 0, sizeof(t));
	t.n = 1;
	t.reg[0] = (struct vhu_region){MEM_GPA, 8192, MEM_UA, 0};

	/* payload size is not 8 + 32 * count */
	rig_init(&r);
	ok_u64(&r, VPLAT_VHU_SET_FEATURES, base_features());
	refused(&r, VPLAT_VHU_SET_MEM_TABLE, &t, 8 + 32 + 8, &a, 1);
	rig_fini(&r);

	/* one region, two fds */
	rig_init(&r);
	ok(&r, VPLAT_VHU_SET_MEM_TABLE, &t, 8 + 32, &a, 1);
	refused(&r, VPLAT_VHU_SET_MEM_TABLE, &t, 8 + 32, two, 2);
	rig_fini(&r);

	/* two regions overlapping in guest-physical space */
	rig_init(&r);
	t.n = 2;
	t.reg[1] = (struct vhu_region){MEM_GPA + 4096, 8192, MEM_UA + 0x100000, 0};
	refused(&r, VPLAT_VHU_SET_MEM_TABLE, &t, 8 + 64, two, 2);
	rig_fini(&r);
	close(a);
	close(b2);
}
END_TEST

START_TEST(mem_region_guards)
{
	struct srig r;
	int fd = new_memfd(8192);
	struct memreg_msg m = {0, {0x200000, 8192, MEM_UA + 0x100000, 0}};
	uint8_t big[sizeof(m) + 8];
	memset(big, 0, sizeof(big));
	memcpy(big, &m, sizeof(m));

	/* ADD_MEM_REG with a payload of the wrong size */
	new_session(&r);
	ok(&r, VPLAT_VHU_ADD_MEM_REG, &m, sizeof(m), &fd, 1);
	ck_assert_uint_eq(r.b.nregions, 2);
	ok(&r, VPLAT_VHU_REM_MEM_REG, &m, sizeof(m), NULL, 0);
	ck_assert_uint_eq(r.b.nregions, 1);
	refused(&r, VPLAT_VHU_ADD_MEM_REG, big, sizeof(big), &fd, 1);
	rig_fini(&r);

	/* user addresses that wrap around */
	new_session(&r);
	struct memreg_msg w = {0, {0x200000, 8192, UINT64_MAX - 4095, 0}};
	refused(&r, VPLAT_VHU_ADD_MEM_REG, &w, sizeof(w), &fd, 1);
	rig_fini(&r);

	/* a region larger than its file */
	new_session(&r);
	struct memreg_msg l = {0, {0x200000, 16384, MEM_UA + 0x100000, 0}};
	refused(&r, VPLAT_VHU_ADD_MEM_REG, &l, sizeof(l), &fd, 1);
	rig_fini(&r);

	/* a region colliding with the table's in user-address space only */
	new_session(&r);
	struct memreg_msg c = {0, {0x200000, 8192, MEM_UA + 4096, 0}};
	refused(&r, VPLAT_VHU_ADD_MEM_REG, &c, sizeof(c), &fd, 1);
	rig_fini(&r);

	/* a file that cannot be mapped (opened write-only) */
	char path[] = "/tmp/vhu-guards-XXXXXX";
	int wfd = mkstemp(path);
	ck_assert_int_ge(wfd, 0);
	ck_assert_int_eq(ftruncate(wfd, 8192), 0);
	close(wfd);
	wfd = open(path, O_WRONLY | O_CLOEXEC);
	unlink(path);
	ck_assert_int_ge(wfd, 0);
	new_session(&r);
	refused(&r, VPLAT_VHU_ADD_MEM_REG, &m, sizeof(m), &wfd, 1);
	rig_fini(&r);
	close(wfd);

	/* REM_MEM_REG with two fds */
	int two[2] = {fd, fd};
	new_session(&r);
	ok(&r, VPLAT_VHU_ADD_MEM_REG, &m, sizeof(m), &fd, 1);
	refused(&r, VPLAT_VHU_REM_MEM_REG, &m, sizeof(m), two, 2);
	rig_fini(&r);

	/* a zero-sized region */
	new_session(&r);
	struct memreg_msg z = {0, {0x200000, 0, MEM_UA + 0x100000, 4096}};
	refused(&r, VPLAT_VHU_ADD_MEM_REG, &z, sizeof(z), &fd, 1);
	rig_fini(&r);
	close(fd);
}
END_TEST

/* --- rings (vhu_vring.c) ---------------------------------------------------------------- */

START_TEST(ring_state_guards)
{
	struct srig r;
	struct vhu_state st = {5, 16};
	/* a ring the device does not have */
	new_session(&r);
	refused(&r, VPLAT_VHU_SET_VRING_NUM, &st, sizeof(st), NULL, 0);
	rig_fini(&r);

	/* vring state with a payload of the wrong size */
	uint8_t big[16] = {0};
	st.index = 0;
	memcpy(big, &st, sizeof(st));
	new_session(&r);
	ok(&r, VPLAT_VHU_SET_VRING_NUM, &st, sizeof(st), NULL, 0);
	refused(&r, VPLAT_VHU_SET_VRING_NUM, big, 12, NULL, 0);
	rig_fini(&r);

	/* SET_VRING_NUM / SET_VRING_BASE on a running ring */
	new_session(&r);
	ring_up(&r);
	refused(&r, VPLAT_VHU_SET_VRING_NUM, &st, sizeof(st), NULL, 0);
	rig_fini(&r);
	new_session(&r);
	ring_up(&r);
	st.num = 0;
	refused(&r, VPLAT_VHU_SET_VRING_BASE, &st, sizeof(st), NULL, 0);
	rig_fini(&r);

	/* SET_VRING_ENABLE with a value other than 0/1 */
	new_session(&r);
	st.num = 2;
	refused(&r, VPLAT_VHU_SET_VRING_ENABLE, &st, sizeof(st), NULL, 0);
	rig_fini(&r);
}
END_TEST

START_TEST(ring_addr_guards)
{
	struct srig r;
	struct vhu_addr a = {0, 0, MEM_UA + DESC_OFF, MEM_UA + USED_OFF, MEM_UA + AVAIL_OFF, 0};
	uint8_t big[sizeof(a) + 8];
	memset(big, 0, sizeof(big));
	memcpy(big, &a, sizeof(a));
	/* payload size */
	new_session(&r);
	refused(&r, VPLAT_VHU_SET_VRING_ADDR, big, sizeof(big), NULL, 0);
	rig_fini(&r);
	/* a running ring's addresses */
	new_session(&r);
	ring_up(&r);
	refused(&r, VPLAT_VHU_SET_VRING_ADDR, &a, sizeof(a), NULL, 0);
	rig_fini(&r);
	/* the used ring outside the memory table */
	new_session(&r);
	a.used = MEM_UA + MEM_SIZE;
	refused(&r, VPLAT_VHU_SET_VRING_ADDR, &a, sizeof(a), NULL, 0);
	rig_fini(&r);
}
END_TEST

START_TEST(ring_fd_guards)
{
	struct srig r;
	int efd = new_eventfd();
	/* CALL with bits beyond the index and the no-fd flag */
	new_session(&r);
	ok(&r, VPLAT_VHU_SET_VRING_CALL, &(uint64_t){0}, 8, &efd, 1);
	refused(&r, VPLAT_VHU_SET_VRING_CALL, &(uint64_t){1u << 9}, 8, &efd, 1);
	rig_fini(&r);
	/* CALL without its fd (and without the no-fd flag) */
	new_session(&r);
	ok(&r, VPLAT_VHU_SET_VRING_CALL, &(uint64_t){VPLAT_VHU_VRING_NOFD}, 8, NULL, 0);
	refused(&r, VPLAT_VHU_SET_VRING_CALL, &(uint64_t){0}, 8, NULL, 0);
	rig_fini(&r);
	/* CALL with the no-fd flag and a descriptor all the same (vhu_vring.c set_fd: nfds;
	 * without that check the descriptor would be dropped and the ring left without one) */
	new_session(&r);
	refused(&r, VPLAT_VHU_SET_VRING_CALL, &(uint64_t){VPLAT_VHU_VRING_NOFD}, 8, &efd, 1);
	rig_fini(&r);
	/* CALL for a ring the device does not have (the entropy device has one) */
	new_session(&r);
	refused(&r, VPLAT_VHU_SET_VRING_CALL, &(uint64_t){5}, 8, &efd, 1);
	rig_fini(&r);
	/* KICK for a ring that has no addresses: the ring cannot start */
	new_session(&r);
	struct vhu_state st = {0, 16};
	ok(&r, VPLAT_VHU_SET_VRING_NUM, &st, sizeof(st), NULL, 0);
	refused(&r, VPLAT_VHU_SET_VRING_KICK, &(uint64_t){0}, 8, &efd, 1);
	ck_assert(!r.b.vrings[0].started);
	rig_fini(&r);
	/* KICK for a ring without addresses, guest memory starting at 0 (as QEMU's does): the
	 * ring must not start at address 0 */
	rig_init(&r);
	ok_u64(&r, VPLAT_VHU_SET_FEATURES, base_features());
	ok_u64(&r, VPLAT_VHU_SET_PROTOCOL_FEATURES, all_pf());
	r.memfd = new_memfd(MEM_SIZE);
	struct {
		uint32_t n, pad;
		struct vhu_region reg;
	} t0 = {1, 0, {0, MEM_SIZE, MEM_UA, 0}};
	ok(&r, VPLAT_VHU_SET_MEM_TABLE, &t0, sizeof(t0), &r.memfd, 1);
	ok(&r, VPLAT_VHU_SET_VRING_NUM, &st, sizeof(st), NULL, 0);
	refused(&r, VPLAT_VHU_SET_VRING_KICK, &(uint64_t){0}, 8, &efd, 1);
	ck_assert(!r.b.vrings[0].started);
	rig_fini(&r);
	/* KICK when the ring's size was never set */
	new_session(&r);
	ring_addr(&r);
	refused(&r, VPLAT_VHU_SET_VRING_KICK, &(uint64_t){0}, 8, &efd, 1);
	ck_assert(!r.b.vrings[0].started);
	rig_fini(&r);
	close(efd);
}
END_TEST

/* Ring start applies the features: never set, or refused by the device at FEATURES_OK. */
START_TEST(ring_start_features)
{
	struct srig r;
	int efd = new_eventfd();
	struct vhu_state st = {0, 16};
	/* no SET_FEATURES at all */
	rig_init(&r);
	ok_u64(&r, VPLAT_VHU_SET_PROTOCOL_FEATURES, all_pf()); /* never applied without features */
	r.memfd = new_memfd(MEM_SIZE);
	struct {
		uint32_t n, pad;
		struct vhu_region reg;
	} t = {1, 0, {MEM_GPA, MEM_SIZE, MEM_UA, 0}};
	ok(&r, VPLAT_VHU_SET_MEM_TABLE, &t, sizeof(t), &r.memfd, 1);
	ok(&r, VPLAT_VHU_SET_VRING_NUM, &st, sizeof(st), NULL, 0);
	ring_addr(&r);
	refused(&r, VPLAT_VHU_SET_VRING_KICK, &(uint64_t){0}, 8, &efd, 1);
	ck_assert(!(vplat_device_get_status(vplat_rng_device(&r.rng)) &
		    VPLAT_VIRTIO_STATUS_FEATURES_OK));
	rig_fini(&r);
	/* features the device refuses (no VERSION_1) */
	rig_init(&r);
	ok_u64(&r, VPLAT_VHU_SET_FEATURES, VPLAT_BIT(VPLAT_VHU_F_PROTOCOL_FEATURES));
	r.memfd = new_memfd(MEM_SIZE);
	ok(&r, VPLAT_VHU_SET_MEM_TABLE, &t, sizeof(t), &r.memfd, 1);
	ok(&r, VPLAT_VHU_SET_VRING_NUM, &st, sizeof(st), NULL, 0);
	ring_addr(&r);
	refused(&r, VPLAT_VHU_SET_VRING_KICK, &(uint64_t){0}, 8, &efd, 1);
	ck_assert(!r.b.vrings[0].started);
	rig_fini(&r);
	close(efd);
}
END_TEST

/* --- framing and the entry points (vhu_backend.c, vhu_msg.c, vhu_guard.c) --------------- */

START_TEST(framing_guards)
{
	struct srig r;
	/* A first message with a payload above the limit: refused, counted as an error even
	 * though no message was handled. The payload is sent too, all zeros. */
	rig_init(&r);
	static uint8_t zeros[VPLAT_VHU_MAX_PAYLOAD + 8];
	uint64_t errs = r.b.stats.errors;
	ck_assert_int_eq(xfer(&r, VPLAT_VHU_GET_FEATURES, 0, zeros, sizeof(zeros), NULL, 0),
			 VPLAT_ENODEV);
	ck_assert_uint_eq(r.b.stats.errors, errs + 1);
	rig_fini(&r);
	/* Half a header, then nothing: refused after the I/O timeout (the rest of the header
	 * is not made up from an earlier message). */
	rig_init(&r);
	ok(&r, VPLAT_VHU_SET_OWNER, NULL, 0, NULL, 0);
	uint32_t req = VPLAT_VHU_GET_FEATURES;
	ck_assert_int_eq(write(r.fe, &req, sizeof(req)), (ssize_t)sizeof(req));
	struct vplat_vhu_pollfd pf = {.fd = r.b.conn, .queue = -1};
	ck_assert_int_eq(vplat_vhu_backend_handle(&r.b, &pf), VPLAT_ENODEV);
	rig_fini(&r);
	/* A reply-flagged request */
	rig_init(&r);
	ck_assert_int_eq(xfer(&r, VPLAT_VHU_GET_FEATURES, VPLAT_VHU_FLAG_REPLY, NULL, 0, NULL, 0),
			 VPLAT_ENODEV);
	rig_fini(&r);
}
END_TEST

START_TEST(process_guards)
{
	struct srig r;
	rig_init(&r);
	uint32_t get[3] = {VPLAT_VHU_GET_FEATURES, 1, 0};
	ck_assert_int_eq(vplat_vhu_backend_process(&r.b, get, sizeof(get)), 0);
	ck_assert_int_eq(vplat_vhu_backend_process(NULL, get, sizeof(get)), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_vhu_backend_process(&r.b, NULL, 12), VPLAT_EINVAL);
	/* buffer longer than the header says */
	uint32_t longer[4] = {VPLAT_VHU_GET_FEATURES, 1, 0, 0};
	ck_assert_int_eq(vplat_vhu_backend_process(&r.b, longer, sizeof(longer)), VPLAT_EPROTO);
	/* a buffer shorter than the header, ending at an unmapped page: refused without
	 * reading past its end */
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *two = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert(two != MAP_FAILED);
	ck_assert_int_eq(mprotect(two + pg, (size_t)pg, PROT_NONE), 0);
	memcpy(two + pg - 8, get, 8);
	ck_assert_int_eq(vplat_vhu_backend_process(&r.b, two + pg - 8, 8), VPLAT_EPROTO);
	munmap(two, (size_t)pg * 2);
	rig_fini(&r);
	/* a back end without a device */
	struct vplat_vhu_backend b;
	ck_assert_int_eq(vplat_vhu_backend_init(&b, NULL), 0);
	ck_assert_int_eq(vplat_vhu_backend_process(&b, get, sizeof(get)), VPLAT_EINVAL);
	vplat_vhu_backend_fini(&b);
}
END_TEST

static void limit_fds(struct rlimit *old);

/* vplat_vhu_backend_process_fds(): the descriptors stay the caller's; the back end keeps a
 * dup() of the ones it keeps, and refuses the message when that dup() fails. */
START_TEST(process_fds_guards)
{
	struct srig r;
	new_session(&r);
	uint32_t call[5] = {VPLAT_VHU_SET_VRING_CALL, 1, 8, 0, 0};
	int efd = new_eventfd();
	/* descriptors promised but no array */
	ck_assert_int_eq(vplat_vhu_backend_process_fds(&r.b, call, sizeof(call), NULL, 1),
			 VPLAT_EINVAL);
	int many[VPLAT_VHU_MAX_FDS + 1];
	for (unsigned i = 0; i <= VPLAT_VHU_MAX_FDS; i++)
		many[i] = efd;
	ck_assert_int_eq(vplat_vhu_backend_process_fds(&r.b, call, sizeof(call), many,
						       VPLAT_VHU_MAX_FDS + 1),
			 VPLAT_EPROTO);
	rig_fini(&r);

	new_session(&r);
	ck_assert_int_eq(vplat_vhu_backend_process_fds(&r.b, call, sizeof(call), &efd, 1), 0);
	int kept = r.b.vrings[0].call_fd;
	ck_assert_int_ge(kept, 0);
	ck_assert_int_ne(kept, efd);
	ck_assert_int_ne(fcntl(efd, F_GETFD), -1); /* ours, still open */
	/* an unused descriptor (SET_MEM_TABLE's, mapped, not kept) is not closed either */
	struct {
		uint32_t n, pad;
		struct vhu_region reg;
	} t = {1, 0, {MEM_GPA, MEM_SIZE, MEM_UA, 0}};
	uint8_t tab[VPLAT_VHU_HDR_SIZE + sizeof(t)];
	struct vhu_hdr h = {VPLAT_VHU_SET_MEM_TABLE, VPLAT_VHU_VERSION, sizeof(t)};
	memcpy(tab, &h, sizeof(h));
	memcpy(tab + sizeof(h), &t, sizeof(t));
	ck_assert_int_eq(vplat_vhu_backend_process_fds(&r.b, tab, sizeof(tab), &r.memfd, 1), 0);
	ck_assert_uint_eq(r.b.nregions, 1);
	ck_assert_int_ne(fcntl(r.memfd, F_GETFD), -1);

	/* no descriptor left for the dup(): SET_VRING_CALL and SET_INFLIGHT_FD are refused
	 * (vhu_vring.c set_fd, vhu_inflight.c set: fd < 0) */
	struct vhu_inflight_desc s = {8192, 0, 1, 16, 0};
	int ifd = new_memfd(1u << 16);
	uint8_t inf[VPLAT_VHU_HDR_SIZE + sizeof(s)];
	struct vhu_hdr hi = {VPLAT_VHU_SET_INFLIGHT_FD, VPLAT_VHU_VERSION, sizeof(s)};
	memcpy(inf, &hi, sizeof(hi));
	memcpy(inf + sizeof(hi), &s, sizeof(s));
	struct rlimit old;
	limit_fds(&old);
	int rc_call = vplat_vhu_backend_process_fds(&r.b, call, sizeof(call), &efd, 1);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
	uint64_t errs = r.b.stats.errors;
	rig_fini(&r);
	new_session(&r);
	limit_fds(&old);
	int rc_inf = vplat_vhu_backend_process_fds(&r.b, inf, sizeof(inf), &ifd, 1);
	bool mapped = r.b.inflight.map != NULL;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
	ck_assert_int_eq(rc_call, VPLAT_EPROTO);
	ck_assert_uint_ge(errs, 1);
	ck_assert_int_eq(rc_inf, VPLAT_EPROTO);
	ck_assert(!mapped);
	/* with descriptors to spare the same SET_INFLIGHT_FD is taken */
	rig_fini(&r);
	new_session(&r);
	ck_assert_int_eq(vplat_vhu_backend_process_fds(&r.b, inf, sizeof(inf), &ifd, 1), 0);
	ck_assert_ptr_nonnull(r.b.inflight.map);
	ck_assert_int_ne(r.b.inflight.fd, ifd);
	rig_fini(&r);
	close(ifd);
	close(efd);
}
END_TEST

/* vplat_vhu_backend_start_threads(): arguments, a second start, no descriptor for a wake
 * eventfd (vhu_threads.c). */
START_TEST(threads_start_guards)
{
	struct srig r;
	rig_init(&r);
	struct vplat_vhu_threads_params p;
	memset(&p, 0, sizeof(p));
	p.nthreads = 1;
	ck_assert_int_eq(vplat_vhu_backend_start_threads(NULL, &p), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_vhu_backend_start_threads(&r.b, NULL), VPLAT_EINVAL);
	p.nthreads = 0;
	ck_assert_int_eq(vplat_vhu_backend_start_threads(&r.b, &p), VPLAT_EINVAL);
	p.nthreads = VPLAT_VHU_MAX_QUEUES + 1;
	ck_assert_int_eq(vplat_vhu_backend_start_threads(&r.b, &p), VPLAT_EINVAL);
	ck_assert_ptr_null(r.b.threads);
	/* no descriptor left for the wake eventfd */
	p.nthreads = 1;
	struct rlimit old;
	limit_fds(&old);
	int rc = vplat_vhu_backend_start_threads(&r.b, &p);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
	ck_assert_int_eq(rc, VPLAT_EIO);
	ck_assert_ptr_null(r.b.threads);
	/* started once; a second start is refused */
	ck_assert_int_eq(vplat_vhu_backend_start_threads(&r.b, &p), 0);
	ck_assert_int_eq(vplat_vhu_backend_start_threads(&r.b, &p), VPLAT_EBUSY);
	vplat_vhu_backend_stop_threads(&r.b);
	ck_assert_ptr_null(r.b.threads);
	rig_fini(&r);
}
END_TEST

#ifdef VPLAT_TEST_HOOKS
static void *alloc_fails(size_t align, size_t size)
{
	(void)align;
	(void)size;
	return NULL;
}

static unsigned creates; /* pthread_create() calls through the hook; the second one fails */

static int second_create_fails(pthread_t *th, const pthread_attr_t *attr, void *(*fn)(void *),
			       void *arg)
{
	if (creates++ == 1)
		return EAGAIN;
	return pthread_create(th, attr, fn, arg);
}

static unsigned host_fds_calls; /* by the queue threads */

static unsigned count_host_fds(void *opaque, uint16_t q, int *fds, unsigned max)
{
	(void)opaque;
	(void)q;
	(void)fds;
	(void)max;
	__atomic_add_fetch(&host_fds_calls, 1, __ATOMIC_SEQ_CST);
	return 0;
}
#endif

/* vplat_vhu_backend_start_threads() when its resources fail: the thread records cannot be
 * allocated (VPLAT_ENOMEM, no threads), or the second queue thread cannot be created
 * (VPLAT_EIO): the first one, parked where it starts, ends without looking at the rings or
 * asking the host for descriptors (the host may be going away with the failed start). The
 * control: a start that works asks the host (host_fds()) from the queue thread. */
START_TEST(threads_start_fails)
{
#ifndef VPLAT_TEST_HOOKS
	VPLAT_SKIP("built without VPLAT_TEST_HOOKS: allocation and thread creation cannot fail");
#else
	struct srig r;
	rig_init(&r);
	struct vplat_vhu_threads_params p;
	memset(&p, 0, sizeof(p));
	p.nthreads = 2;
	p.host_fds = count_host_fds;
	vplat_vhu_test_aligned_alloc = alloc_fails;
	int rc = vplat_vhu_backend_start_threads(&r.b, &p);
	vplat_vhu_test_aligned_alloc = NULL;
	ck_assert_int_eq(rc, VPLAT_ENOMEM);
	ck_assert_ptr_null(r.b.threads);

	creates = 0;
	__atomic_store_n(&host_fds_calls, 0, __ATOMIC_SEQ_CST);
	vplat_vhu_test_pthread_create = second_create_fails;
	rc = vplat_vhu_backend_start_threads(&r.b, &p);
	vplat_vhu_test_pthread_create = NULL;
	ck_assert_int_eq(rc, VPLAT_EIO);
	ck_assert_uint_eq(creates, 2);
	ck_assert_ptr_null(r.b.threads);
	ck_assert_uint_eq(__atomic_load_n(&host_fds_calls, __ATOMIC_SEQ_CST), 0);

	ck_assert_int_eq(vplat_vhu_backend_start_threads(&r.b, &p), 0);
	for (int i = 0; i < 500 && __atomic_load_n(&host_fds_calls, __ATOMIC_SEQ_CST) == 0; i++)
		usleep(10000);
	ck_assert_uint_gt(__atomic_load_n(&host_fds_calls, __ATOMIC_SEQ_CST), 0);
	vplat_vhu_backend_stop_threads(&r.b);
	ck_assert_ptr_null(r.b.threads);
	rig_fini(&r);
#endif
}
END_TEST

START_TEST(api_guards)
{
	struct srig r;
	ck_assert_int_eq(vplat_vhu_backend_init(NULL, NULL), VPLAT_EINVAL);
	rig_init(&r);
	/* a second device; a device on another memory map */
	struct vplat_rng rng2;
	struct vplat_rng_mock mock2 = {0};
	ck_assert_int_eq(vplat_rng_init(&rng2, vplat_vhu_backend_mem(&r.b), &vplat_rng_host_mock,
					&mock2),
			 0);
	ck_assert_int_eq(vplat_vhu_backend_attach(&r.b, vplat_rng_device(&rng2)), VPLAT_EBUSY);
	struct vplat_vhu_backend b;
	ck_assert_int_eq(vplat_vhu_backend_init(&b, NULL), 0);
	ck_assert_int_eq(vplat_vhu_backend_attach(&b, vplat_rng_device(&rng2)), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_vhu_backend_attach(NULL, vplat_rng_device(&rng2)), VPLAT_EINVAL);
	/* no device yet: a connection is refused and its fd closed */
	int sv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	ck_assert_int_eq(vplat_vhu_backend_set_conn(&b, sv[0]), VPLAT_ENODEV);
	ck_assert(!vplat_vhu_backend_connected(&b));
	ck_assert_int_eq(fcntl(sv[0], F_GETFD), -1);
	close(sv[1]);
	/* polling and handling without a connection */
	ck_assert_int_eq(vplat_vhu_backend_poll(&b, 0), VPLAT_ENODEV);
	ck_assert_int_eq(vplat_vhu_backend_poll(NULL, 0), VPLAT_ENODEV);
	struct vplat_vhu_pollfd pf = {.fd = 0, .queue = -1};
	ck_assert_int_eq(vplat_vhu_backend_handle(&b, &pf), VPLAT_ENODEV);
	ck_assert_int_eq(vplat_vhu_backend_handle(&r.b, NULL), VPLAT_ENODEV);
	vplat_vhu_backend_fini(&b);
	/* a negative fd leaves the current connection alone */
	ck_assert_int_eq(vplat_vhu_backend_set_conn(&r.b, -1), VPLAT_EINVAL);
	ck_assert(vplat_vhu_backend_connected(&r.b));
	ck_assert_int_eq(vplat_vhu_backends_guard(NULL, 0, NULL, NULL), VPLAT_EINVAL);
	rig_fini(&r);
}
END_TEST

/* A memory file shrunk under the mapping: the guard returns VPLAT_EFAULT (once). */
static int touch_region(void *arg)
{
	struct srig *r = arg;
	return *(volatile uint8_t *)r->b.regions[0].map;
}

START_TEST(guard_catches_sigbus)
{
	struct srig r;
	new_session(&r);
	ck_assert_int_eq(ftruncate(r.memfd, 0), 0);
	struct vplat_vhu_backend *bs[1] = {&r.b};
	ck_assert_int_eq(vplat_vhu_backends_guard(bs, 1, touch_region, &r), VPLAT_EFAULT);
	ck_assert(!vplat_vhu_backend_connected(&r.b));
	ck_assert_uint_eq(r.b.stats.faults, 1);
	rig_fini(&r);
}
END_TEST

/* --- socket helpers (vhu_msg.c, vhu_io.c) ------------------------------------------------ */

static int lowest_free_fd(void)
{
	int fd = dup(0);
	ck_assert_int_ge(fd, 0);
	close(fd);
	return fd;
}

/* Run with no descriptor left below the limit (socket() fails with EMFILE). */
static void limit_fds(struct rlimit *old)
{
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, old), 0);
	struct rlimit l = *old;
	l.rlim_cur = (rlim_t)lowest_free_fd();
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &l), 0);
}

START_TEST(socket_helpers)
{
	ck_assert_int_eq(vplat_vhu_listen(""), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_vhu_connect("", 10), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_vhu_listen("/nonexistent-dir-vplat/x.sock"), VPLAT_EIO);
	ck_assert_int_eq(vplat_vhu_connect("/nonexistent-dir-vplat/x.sock", 30), VPLAT_ETIMEDOUT);
	/* socket() failing: nothing unlinked, no retries until the timeout */
	char path[] = "/tmp/vhu-guards-sock-XXXXXX";
	int f = mkstemp(path);
	ck_assert_int_ge(f, 0);
	close(f);
	struct rlimit old;
	limit_fds(&old);
	int l = vplat_vhu_listen(path);
	int c = vplat_vhu_connect(path, 60000);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
	ck_assert_int_eq(l, VPLAT_EIO);
	ck_assert_int_eq(c, VPLAT_EIO);
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	unlink(path);
	/* too many fds for one message */
	int sv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	int fds[VPLAT_VHU_MAX_FDS + 1];
	for (unsigned i = 0; i <= VPLAT_VHU_MAX_FDS; i++)
		fds[i] = sv[1];
	uint8_t buf[12] = {0};
	ck_assert_int_eq(vplat_vhu_send(sv[0], buf, sizeof(buf), fds, VPLAT_VHU_MAX_FDS + 1),
			 VPLAT_EINVAL);
	/* the peer is gone */
	close(sv[1]);
	ck_assert_int_eq(vplat_vhu_send(sv[0], buf, sizeof(buf), NULL, 0), VPLAT_EIO);
	close(sv[0]);
}
END_TEST

struct drain {
	int fd;
	int delay_ms;
};

static void *drain_later(void *arg)
{
	struct drain *d = arg;
	usleep((useconds_t)d->delay_ms * 1000u);
	char buf[4096];
	for (;;) {
		ssize_t n = read(d->fd, buf, sizeof(buf));
		if (n <= 0)
			break;
	}
	return NULL;
}

/* A full socket: the sender waits for room (up to a second), then gives up. */
START_TEST(send_waits_for_room)
{
	int sv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv), 0);
	char junk[4096];
	memset(junk, 0, sizeof(junk));
	while (write(sv[0], junk, sizeof(junk)) > 0)
		;
	ck_assert(errno == EAGAIN || errno == EWOULDBLOCK);
	/* nobody reads: EIO after the wait */
	ck_assert_int_eq(vplat_vhu_send(sv[0], junk, 64, NULL, 0), VPLAT_EIO);
	/* the reader comes back after a while: the send completes */
	pthread_t t;
	struct drain d = {sv[1], 100};
	ck_assert_int_eq(pthread_create(&t, NULL, drain_later, &d), 0);
	ck_assert_int_eq(vplat_vhu_send(sv[0], junk, 64, NULL, 0), 0);
	close(sv[0]);
	pthread_join(t, NULL);
	close(sv[1]);
}
END_TEST

/* --- the validation front end against a hostile back end (frontend/vhu_frontend.c) ---- */

/* A front end on one end of a socketpair, not initialised through a handshake: the test is
 * the back end on @be and writes replies before the call reads them. */
static void fe_on_pair(struct vplat_vhu_frontend *fe, int *be)
{
	int sv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	memset(fe, 0, sizeof(*fe));
	fe->sock = sv[0];
	fe->memfd = fe->inflight_fd = fe->reply_fd = -1;
	fe->p.timeout_ms = 100;
	*be = sv[1];
}

static void put_reply(int be, uint32_t req, uint32_t flags, const void *pl, uint32_t size)
{
	uint8_t buf[64];
	struct vhu_hdr h = {.request = req, .flags = flags, .size = size};
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), pl, size);
	ck_assert_int_eq(write(be, buf, sizeof(h) + size), (ssize_t)(sizeof(h) + size));
}

START_TEST(frontend_call_guards)
{
	struct vplat_vhu_frontend fe;
	int be;
	uint64_t v = 7, got = 0;
	const uint32_t RF = VPLAT_VHU_VERSION | VPLAT_VHU_FLAG_REPLY;
	/* a well-formed reply is taken */
	fe_on_pair(&fe, &be);
	put_reply(be, VPLAT_VHU_GET_FEATURES, RF, &v, 8);
	ck_assert_int_eq(vplat_vhu_frontend_call(&fe, VPLAT_VHU_GET_FEATURES, 0, NULL, 0, NULL, 0,
						 &got, 8),
			 0);
	ck_assert_uint_eq(got, 7);
	/* a reply to another request, without the REPLY flag, of the wrong size */
	put_reply(be, VPLAT_VHU_GET_QUEUE_NUM, RF, &v, 8);
	ck_assert_int_eq(vplat_vhu_frontend_call(&fe, VPLAT_VHU_GET_FEATURES, 0, NULL, 0, NULL, 0,
						 &got, 8),
			 VPLAT_EPROTO);
	put_reply(be, VPLAT_VHU_GET_FEATURES, VPLAT_VHU_VERSION, &v, 8);
	ck_assert_int_eq(vplat_vhu_frontend_call(&fe, VPLAT_VHU_GET_FEATURES, 0, NULL, 0, NULL, 0,
						 &got, 8),
			 VPLAT_EPROTO);
	put_reply(be, VPLAT_VHU_GET_FEATURES, RF, &v, 4);
	ck_assert_int_eq(vplat_vhu_frontend_call(&fe, VPLAT_VHU_GET_FEATURES, 0, NULL, 0, NULL, 0,
						 &got, 8),
			 VPLAT_EPROTO);
	ck_assert_uint_eq(fe.errors, 3);
	/* a payload above the limit is not sent */
	static uint8_t big[VPLAT_VHU_MAX_PAYLOAD + 1];
	ck_assert_int_eq(vplat_vhu_frontend_call(&fe, VPLAT_VHU_SET_CONFIG, 0, big, sizeof(big),
						 NULL, 0, NULL, 0),
			 VPLAT_EINVAL);
	/* the back end hangs up without replying */
	ck_assert_int_eq(shutdown(be, SHUT_WR), 0);
	ck_assert_int_eq(vplat_vhu_frontend_call(&fe, VPLAT_VHU_GET_FEATURES, 0, NULL, 0, NULL, 0,
						 &got, 8),
			 VPLAT_ENODEV);
	/* the back end is gone: the send fails */
	close(be);
	ck_assert_int_eq(vplat_vhu_frontend_call(&fe, VPLAT_VHU_GET_FEATURES, 0, NULL, 0, NULL, 0,
						 &got, 8),
			 VPLAT_EIO);
	close(fe.sock);
	/* no connection */
	fe.sock = -1;
	ck_assert_int_eq(vplat_vhu_frontend_call(&fe, VPLAT_VHU_GET_FEATURES, 0, NULL, 0, NULL, 0,
						 &got, 8),
			 VPLAT_ENODEV);
}
END_TEST

/* Read what the front end sent on @be (no wait) and return how many whole messages there were;
 * their requests go to @req. */
static unsigned sent_requests(int be, uint32_t *req, unsigned max)
{
	unsigned n = 0;
	for (;;) {
		struct vhu_msg m;
		if (recv(be, &m.hdr, 0, MSG_DONTWAIT | MSG_PEEK) < 0 && errno == EAGAIN)
			return n;
		ck_assert_int_eq(vplat_vhu_recv_msg(be, &m, 100), 0);
		vplat_vhu_close_fds(&m);
		ck_assert_uint_lt(n, max);
		req[n++] = m.hdr.request;
	}
}

/* Ring 0 of a front end on a socketpair (fe_on_pair()), ready to be started. */
static void fe_ring0(struct vplat_vhu_frontend *fe, uint64_t protocol_features)
{
	fe->protocol_features = protocol_features;
	fe->backend_features = 0; /* no SET_VRING_ENABLE */
	fe->nqueues = 1;
	fe->vqs[0].size = 8;
	fe->vqs[0].ready = true;
	fe->vqs[0].call_fd = fe->vqs[0].kick_fd = fe->vqs[0].err_fd = -1;
}

static void fe_close_pair(struct vplat_vhu_frontend *fe, int be)
{
	struct vplat_vhu_frontend_vq *v = &fe->vqs[0];
	vhu_close(&v->call_fd);
	vhu_close(&v->kick_fd);
	vhu_close(&v->err_fd);
	vhu_close(&fe->inflight_fd);
	vhu_close(&fe->reply_fd);
	close(fe->sock);
	close(be);
}

START_TEST(frontend_ring_start_guards)
{
	struct vplat_vhu_frontend fe;
	int be;
	uint32_t req[16];
	const uint32_t RF = VPLAT_VHU_VERSION | VPLAT_VHU_FLAG_REPLY;
	static const uint32_t start[6] = {VPLAT_VHU_SET_VRING_NUM, VPLAT_VHU_SET_VRING_ADDR,
					  VPLAT_VHU_SET_VRING_BASE, VPLAT_VHU_SET_VRING_CALL,
					  VPLAT_VHU_SET_VRING_ERR, VPLAT_VHU_SET_VRING_KICK};
	/* the control: a ring start sends size, addresses, base and all three eventfds */
	fe_on_pair(&fe, &be);
	fe_ring0(&fe, 0);
	ck_assert_int_eq(vplat_vhufe_start_rings(&fe), 0);
	ck_assert(fe.vqs[0].started);
	ck_assert_uint_eq(sent_requests(be, req, 16), 6);
	for (unsigned i = 0; i < 6; i++)
		ck_assert_uint_eq(req[i], start[i]);
	fe_close_pair(&fe, be);
	/* GET_INFLIGHT_FD answered without a descriptor: refused as a protocol error, nothing
	 * more sent (without the check SET_INFLIGHT_FD would go out with descriptor -1, EIO) */
	fe_on_pair(&fe, &be);
	fe_ring0(&fe, VPLAT_BIT(VPLAT_VHU_PROTOCOL_F_INFLIGHT_SHMFD));
	struct vhu_inflight_desc d = {.mmap_size = 4096, .num_queues = 1, .queue_size = 8};
	put_reply(be, VPLAT_VHU_GET_INFLIGHT_FD, RF, &d, sizeof(d));
	ck_assert_int_eq(vplat_vhufe_start_rings(&fe), VPLAT_EPROTO);
	ck_assert_uint_eq(fe.errors, 1);
	ck_assert_uint_eq(sent_requests(be, req, 16), 1);
	ck_assert_uint_eq(req[0], VPLAT_VHU_GET_INFLIGHT_FD);
	ck_assert(!fe.vqs[0].started);
	fe_close_pair(&fe, be);
	/* only one of the ring's three eventfds can be made (RLIMIT_NOFILE): the ring is not
	 * started and the back end gets none of them (no SET_VRING_CALL with the one made) */
	fe_on_pair(&fe, &be);
	fe_ring0(&fe, 0);
	struct rlimit old, l;
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
	l = old;
	l.rlim_cur = (rlim_t)lowest_free_fd() + 1;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &l), 0);
	int rc = vplat_vhufe_start_rings(&fe);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
	ck_assert_int_eq(rc, VPLAT_EIO);
	ck_assert(!fe.vqs[0].started);
	ck_assert_uint_eq(sent_requests(be, req, 16), 3);
	for (unsigned i = 0; i < 3; i++)
		ck_assert_uint_eq(req[i], start[i]);
	fe_close_pair(&fe, be);
	/* REPLY_ACK: SET_VRING_CALL refused by the back end stops the start there, even though it
	 * would ack SET_VRING_ERR and SET_VRING_KICK */
	fe_on_pair(&fe, &be);
	fe_ring0(&fe, VPLAT_BIT(VPLAT_VHU_PROTOCOL_F_REPLY_ACK));
	uint64_t ack = 0, nack = 1;
	put_reply(be, VPLAT_VHU_SET_VRING_NUM, RF, &ack, 8);
	put_reply(be, VPLAT_VHU_SET_VRING_ADDR, RF, &ack, 8);
	put_reply(be, VPLAT_VHU_SET_VRING_BASE, RF, &ack, 8);
	put_reply(be, VPLAT_VHU_SET_VRING_CALL, RF, &nack, 8);
	put_reply(be, VPLAT_VHU_SET_VRING_ERR, RF, &ack, 8);
	put_reply(be, VPLAT_VHU_SET_VRING_KICK, RF, &ack, 8);
	ck_assert_int_eq(vplat_vhufe_start_rings(&fe), VPLAT_EPROTO);
	ck_assert(!fe.vqs[0].started);
	ck_assert_uint_eq(sent_requests(be, req, 16), 4);
	ck_assert_uint_eq(req[3], VPLAT_VHU_SET_VRING_CALL);
	fe_close_pair(&fe, be);
}
END_TEST

START_TEST(frontend_init_guards)
{
	struct vplat_vhu_frontend fe;
	struct vplat_vhu_frontend_params p = {.fd = -1, .device_id = VPLAT_VIRTIO_ID_RNG};
	ck_assert_int_eq(vplat_vhu_frontend_init(&fe, &p), VPLAT_EINVAL); /* no fd, no path */
	ck_assert_int_eq(vplat_vhu_frontend_init(NULL, &p), VPLAT_EINVAL);
	int sv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	p.fd = sv[0];
	p.mem_size = 4096 + 1; /* not a page multiple */
	ck_assert_int_eq(vplat_vhu_frontend_init(&fe, &p), VPLAT_EINVAL);
	p.mem_size = 1u << 20;
	p.mem_gpa = UINT64_MAX - 4095; /* wraps */
	ck_assert_int_eq(vplat_vhu_frontend_init(&fe, &p), VPLAT_EINVAL);
	/* reconnect needs a path */
	memset(&fe, 0, sizeof(fe));
	ck_assert_int_eq(vplat_vhu_frontend_reconnect(&fe), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_vhu_frontend_reconnect(NULL), VPLAT_EINVAL);
	close(sv[1]);
}
END_TEST

/* The handshake against a scripted back end: the replies are in the socket before the front
 * end asks (GET_FEATURES, GET_PROTOCOL_FEATURES with MQ only, GET_QUEUE_NUM; no REPLY_ACK, so
 * the SET_* messages need no answer). */
static int scripted_init(struct vplat_vhu_frontend *fe, uint64_t queue_num, int *be)
{
	int sv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	const uint32_t RF = VPLAT_VHU_VERSION | VPLAT_VHU_FLAG_REPLY;
	uint64_t f = base_features(), pf = VPLAT_BIT(VPLAT_VHU_PROTOCOL_F_MQ);
	put_reply(sv[1], VPLAT_VHU_GET_FEATURES, RF, &f, 8);
	put_reply(sv[1], VPLAT_VHU_GET_PROTOCOL_FEATURES, RF, &pf, 8);
	put_reply(sv[1], VPLAT_VHU_GET_QUEUE_NUM, RF, &queue_num, 8);
	struct vplat_vhu_frontend_params p = {.fd = sv[0], .device_id = VPLAT_VIRTIO_ID_RNG,
					      .mem_size = 1u << 20, .timeout_ms = 200};
	*be = sv[1];
	return vplat_vhu_frontend_init(fe, &p);
}

START_TEST(frontend_handshake_guards)
{
	struct vplat_vhu_frontend fe;
	int be;
	/* MQ: the back end's queue count is asked for and used */
	ck_assert_int_eq(scripted_init(&fe, 3, &be), 0);
	ck_assert_uint_eq(fe.nqueues, 3);
	vplat_vhu_frontend_fini(&fe);
	close(be);
	/* a back end with no queues */
	ck_assert_int_eq(scripted_init(&fe, 0, &be), VPLAT_EPROTO);
	close(be);
	/* guest memory cannot be mapped (address space limit) */
	struct rlimit old, lim;
	as_limit(&old, &lim, 4u << 20);
	int sv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	struct vplat_vhu_frontend_params p = {.fd = sv[0], .device_id = VPLAT_VIRTIO_ID_RNG,
					      .mem_size = 64u << 20, .timeout_ms = 50};
	ck_assert_int_eq(setrlimit(RLIMIT_AS, &lim), 0);
	int rc = vplat_vhu_frontend_init(&fe, &p);
	ck_assert_int_eq(setrlimit(RLIMIT_AS, &old), 0);
	ck_assert_int_eq(rc, VPLAT_ENOMEM);
	close(sv[1]);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("vhost_user_guards");
	TCase *tc = tcase_create("guards");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, set_features_guards);
	tcase_add_test(tc, protocol_features_and_status);
	tcase_add_test(tc, config_guards);
	tcase_add_test(tc, ring_message_with_fd);
	tcase_add_test(tc, inflight_guards);
	tcase_add_test(tc, inflight_ring_larger_than_region);
	tcase_add_test(tc, mem_table_guards);
	tcase_add_test(tc, mem_region_guards);
	tcase_add_test(tc, ring_state_guards);
	tcase_add_test(tc, ring_addr_guards);
	tcase_add_test(tc, ring_fd_guards);
	tcase_add_test(tc, ring_start_features);
	tcase_add_test(tc, framing_guards);
	tcase_add_test(tc, process_guards);
	tcase_add_test(tc, process_fds_guards);
	tcase_add_test(tc, threads_start_guards);
	tcase_add_test(tc, threads_start_fails);
	tcase_add_test(tc, api_guards);
	tcase_add_test(tc, socket_helpers);
	tcase_add_test(tc, send_waits_for_room);
	tcase_add_test(tc, frontend_call_guards);
	tcase_add_test(tc, frontend_init_guards);
	tcase_add_test(tc, frontend_ring_start_guards);
	suite_add_tcase(s, tc);
	/* Cases that need a native process, so a CTest test of their own: address-space
	 * exhaustion through RLIMIT_AS sized from /proc/self/statm (under qemu user mode both
	 * describe the emulator), and SIGBUS from a truncated mapping (qemu-s390x 7.2 does not
	 * deliver it to the target's handler). */
	TCase *tr = tcase_create("native");
	tcase_set_timeout(tr, 30);
	tcase_set_tags(tr, "native");
	tcase_add_test(tr, guard_catches_sigbus);
	tcase_add_test(tr, inflight_map_fails);
	tcase_add_test(tr, frontend_handshake_guards);
	suite_add_tcase(s, tr);
	return s;
}

int main(void)
{
	return vplat_test_main(suite());
}
