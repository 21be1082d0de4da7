/* SPDX-License-Identifier: BSD-3-Clause */
/* Image file / block device host end of the block device: synchronous positioned I/O. */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include "blk_host_internal.h"
#include "vplat/error.h"
#include "vplat/host/blk_file.h"

_Static_assert(sizeof(struct vplat_iov) == sizeof(struct iovec), "vplat_iov is an iovec");
_Static_assert(offsetof(struct vplat_iov, len) == offsetof(struct iovec, iov_len), "iov_len");

static int err_code(int e)
{
	switch (e) {
	case ENOENT:
		return VPLAT_ENOENT;
	case EACCES:
	case EPERM:
	case EROFS:
		return VPLAT_EPERM;
	case EINVAL:
	case EOPNOTSUPP:
		return VPLAT_ENOTSUP;
	default:
		return VPLAT_EIO;
	}
}

int vplat_blk_file_open(struct vplat_blk_file *f, const char *path, unsigned flags)
{
	struct stat st;

	if (!f || !path)
		return VPLAT_EINVAL;
	memset(f, 0, sizeof(*f));
	f->dfd = -1;
	f->read_only = flags & VPLAT_BLK_FILE_RDONLY;
	int mode = (f->read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC;
	f->fd = open(path, mode);
	if (f->fd < 0)
		return err_code(errno);
	if (fstat(f->fd, &st) != 0)
		goto fail;
	f->align = 512;
	if (S_ISBLK(st.st_mode)) {
		f->blockdev = true;
		if (ioctl(f->fd, BLKGETSIZE64, &f->size) != 0)
			goto fail;
		int ssz = 0;
		if (ioctl(f->fd, BLKSSZGET, &ssz) == 0 && ssz >= 512)
			f->align = (uint32_t)ssz;
	} else if (S_ISREG(st.st_mode)) {
		f->size = (uint64_t)st.st_size;
	} else {
		errno = EINVAL;
		goto fail;
	}
	if (flags & VPLAT_BLK_FILE_DIRECT) {
		f->dfd = open(path, mode | O_DIRECT);
		if (f->dfd < 0) {
			vplat_blk_file_close(f);
			return VPLAT_ENOTSUP;
		}
		if (!f->blockdev && st.st_blksize > 512 && st.st_blksize <= 4096)
			f->align = (uint32_t)st.st_blksize;
		/* Write back and drop the image's page cache once, now: an O_DIRECT read of a
		 * range with dirty pages (an image just written or copied through the cache) is
		 * refused by io_uring's non-blocking attempt and punted to a kernel worker that
		 * first writes those pages back and waits, request by request (tens of ms each
		 * at QD1). Advisory: a failure here only leaves that cost in place. */
		if (fdatasync(f->fd) == 0)
			(void)posix_fadvise(f->fd, 0, 0, POSIX_FADV_DONTNEED);
	}
	return 0;
fail:;
	int rc = err_code(errno);
	vplat_blk_file_close(f);
	return rc == VPLAT_ENOTSUP ? VPLAT_EINVAL : rc;
}

void vplat_blk_file_close(struct vplat_blk_file *f)
{
	if (!f)
		return;
	if (f->fd >= 0)
		close(f->fd);
	if (f->dfd >= 0)
		close(f->dfd);
	f->fd = f->dfd = -1;
}

void vplat_blk_file_config(const struct vplat_blk_file *f, struct vplat_blk_config *cfg)
{
	cfg->capacity = (f->size + VPLAT_VIRTIO_BLK_SECTOR_SIZE - 1) >> VPLAT_VIRTIO_BLK_SECTOR_SHIFT;
	cfg->read_only = f->read_only;
	cfg->discard = !f->read_only;
	cfg->write_zeroes = !f->read_only;
	cfg->write_zeroes_may_unmap = !f->read_only;
	cfg->secure_erase = !f->read_only;
	if (f->blockdev && f->align > cfg->blk_size)
		cfg->blk_size = f->align;
}

static bool aligned(const struct vplat_blk_file *f, const struct vplat_blk_req *r)
{
	uint64_t m = f->align - 1;
	if ((r->offset | r->len) & m)
		return false;
	for (uint32_t i = 0; i < r->niov; i++)
		if (((uintptr_t)r->iov[i].base | r->iov[i].len) & m)
			return false;
	return true;
}

int vplat_blk_file_pick_fd(const struct vplat_blk_file *f, const struct vplat_blk_req *r)
{
	return f->dfd >= 0 && aligned(f, r) ? f->dfd : f->fd;
}

/* Read or write all of r's segments; reads past the end of the file give zeroes. */
static int rw_all(struct vplat_blk_file *f, const struct vplat_blk_req *r, bool write)
{
	struct iovec v[VPLAT_BLK_SEGS];
	uint32_t n = r->niov, i = 0;
	uint64_t off = r->offset;
	int fd = vplat_blk_file_pick_fd(f, r);

	memcpy(v, r->iov, n * sizeof(v[0]));
	while (i < n) {
		ssize_t got = write ? pwritev(fd, v + i, (int)(n - i), (off_t)off)
				    : preadv(fd, v + i, (int)(n - i), (off_t)off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && fd == f->dfd && errno == EINVAL) {
			fd = f->fd; /* the file system refused this O_DIRECT request */
			continue;
		}
		if (got < 0)
			return VPLAT_EIO;
		if (got == 0) {
			if (write)
				return VPLAT_EIO;
			for (; i < n; i++) /* end of file: the tail reads as zeroes */
				memset(v[i].iov_base, 0, v[i].iov_len);
			break;
		}
		off += (uint64_t)got;
		size_t left = (size_t)got;
		while (i < n && left >= v[i].iov_len)
			left -= v[i++].iov_len;
		if (i < n) {
			v[i].iov_base = (uint8_t *)v[i].iov_base + left;
			v[i].iov_len -= left;
		}
	}
	return 0;
}

static int do_sync(struct vplat_blk_file *f)
{
	__atomic_fetch_add(&f->fsyncs, 1, __ATOMIC_RELAXED);
	return fdatasync(f->fd) == 0 ? 0 : VPLAT_EIO;
}

static int write_zero_bytes(struct vplat_blk_file *f, uint64_t off, uint64_t len)
{
	static const uint8_t zero[65536];
	while (len) {
		size_t n = len > sizeof(zero) ? sizeof(zero) : (size_t)len;
		ssize_t w = pwrite(f->fd, zero, n, (off_t)off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return VPLAT_EIO;
		off += (uint64_t)w;
		len -= (uint64_t)w;
	}
	return 0;
}

static int blkdev_range(struct vplat_blk_file *f, unsigned long cmd, const struct vplat_blk_range *g)
{
	uint64_t span[2] = {g->offset, g->len};
	if (ioctl(f->fd, cmd, span) == 0)
		return 0;
	return errno == EOPNOTSUPP || errno == ENOTTY ? VPLAT_ENOTSUP : VPLAT_EIO;
}

static int range_one(struct vplat_blk_file *f, enum vplat_blk_op op, const struct vplat_blk_range *g)
{
	if (g->len == 0)
		return 0;
	if (f->blockdev) {
		if (op == VPLAT_BLK_OP_DISCARD)
			return blkdev_range(f, BLKDISCARD, g);
		if (op == VPLAT_BLK_OP_SECURE_ERASE)
			return blkdev_range(f, BLKSECDISCARD, g);
		return blkdev_range(f, BLKZEROOUT, g);
	}
	if (op == VPLAT_BLK_OP_DISCARD) {
		/* Advisory (the device MAY deallocate): a refusal is still success. */
		fallocate(f->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)g->offset,
			  (off_t)g->len);
		return 0;
	}
	if (op == VPLAT_BLK_OP_WRITE_ZEROES) {
		int mode = g->unmap ? FALLOC_FL_PUNCH_HOLE : FALLOC_FL_ZERO_RANGE;
		if (fallocate(f->fd, mode | FALLOC_FL_KEEP_SIZE, (off_t)g->offset, (off_t)g->len) == 0)
			return 0;
	}
	/* Secure erase of a file, or no fallocate support: overwrite with zeroes. */
	uint64_t end = g->offset + g->len;
	uint64_t stop = end < f->size ? end : f->size;
	return g->offset < stop ? write_zero_bytes(f, g->offset, stop - g->offset) : 0;
}

static int ranges(struct vplat_blk_file *f, const struct vplat_blk_req *r)
{
	for (uint32_t i = 0; i < r->nranges; i++) {
		int rc = range_one(f, r->op, &r->ranges[i]);
		if (rc)
			return rc;
	}
	return r->op == VPLAT_BLK_OP_SECURE_ERASE && !f->blockdev ? do_sync(f) : 0;
}

int vplat_blk_file_exec(struct vplat_blk_file *f, const struct vplat_blk_req *r)
{
	int rc;
	switch (r->op) {
	case VPLAT_BLK_OP_READ:
		return rw_all(f, r, false);
	case VPLAT_BLK_OP_WRITE:
		if (f->read_only)
			return VPLAT_EIO;
		rc = rw_all(f, r, true);
		return rc == 0 && r->sync ? do_sync(f) : rc;
	case VPLAT_BLK_OP_FLUSH:
		return f->read_only ? 0 : do_sync(f);
	default:
		return f->read_only ? VPLAT_EIO : ranges(f, r);
	}
}

static int file_submit(void *host, struct vplat_blk_req *r)
{
	return vplat_blk_file_exec(host, r);
}

const struct vplat_blk_host_ops vplat_blk_host_file = {.submit = file_submit};
