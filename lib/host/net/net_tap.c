/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Linux TUN/TAP host end with IFF_VNET_HDR: every frame read or written carries a 12-byte
 * virtio-net header (TUNSETVNETHDRSZ), so partial checksums and GSO pass through; the
 * offloads the kernel may hand us are set with TUNSETOFFLOAD.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>
#include "vplat/error.h"
#include "vplat/host/net_host.h"
#include "vplat/fabric/switch.h"
#include "fabric/switch/switch_attach.h"

#define F(b) VPLAT_BIT(VPLAT_VIRTIO_NET_F_##b)

int vplat_net_tap_open(struct vplat_net_tap *t, const char *name)
{
	if (!t || (name && strlen(name) >= IFNAMSIZ))
		return VPLAT_EINVAL;
	memset(t, 0, sizeof(*t));
	t->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (t->fd < 0)
		return errno == ENOENT || errno == ENXIO || errno == ENODEV ? VPLAT_ENODEV
									    : VPLAT_EPERM;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (name)
		memcpy(ifr.ifr_name, name, strlen(name));
	int hs = VPLAT_VIRTIO_NET_HDR_SIZE;
	int rc = 0;
	if (ioctl(t->fd, TUNSETIFF, &ifr) < 0)
		rc = errno == EPERM ? VPLAT_EPERM : errno == EINVAL ? VPLAT_ENOTSUP : VPLAT_EIO;
	else if (ioctl(t->fd, TUNSETVNETHDRSZ, &hs) < 0)
		rc = VPLAT_ENOTSUP;
	if (rc) {
		close(t->fd);
		t->fd = -1;
		return rc;
	}
	memcpy(t->name, ifr.ifr_name, sizeof(t->name) - 1);
	return vplat_net_tap_set_offloads(t, 0);
}

void vplat_net_tap_close(struct vplat_net_tap *t)
{
	if (t && t->fd >= 0) {
		close(t->fd);
		t->fd = -1;
	}
}

int vplat_net_tap_set_offloads(struct vplat_net_tap *t, uint64_t go)
{
	unsigned long o = 0;
	if (go & F(GUEST_CSUM)) {
		o |= TUN_F_CSUM;
		if (go & F(GUEST_TSO4))
			o |= TUN_F_TSO4;
		if (go & F(GUEST_TSO6))
			o |= TUN_F_TSO6;
		if ((go & F(GUEST_ECN)) && (o & (TUN_F_TSO4 | TUN_F_TSO6)))
			o |= TUN_F_TSO_ECN;
	}
	if (ioctl(t->fd, TUNSETOFFLOAD, o) < 0)
		return VPLAT_EIO;
	t->offloads = go;
	return 0;
}

int vplat_net_tap_send(struct vplat_net_tap *t, const struct vplat_virtio_net_hdr *hdr,
		       const void *frame, size_t len)
{
	struct vplat_virtio_net_hdr zero;
	memset(&zero, 0, sizeof(zero));
	struct vplat_virtio_net_hdr h = hdr ? *hdr : zero;
	h.num_buffers = 0;
	struct iovec iov[2] = {{&h, VPLAT_VIRTIO_NET_HDR_SIZE}, {(void *)frame, len}};
	ssize_t n = writev(t->fd, iov, 2);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? VPLAT_EAGAIN : VPLAT_EIO;
	return 0;
}

int vplat_net_tap_send_sg(struct vplat_net_tap *t, const struct vplat_virtio_net_hdr *hdr,
			  const struct vplat_iov *seg, uint32_t nseg, size_t len)
{
	struct vplat_virtio_net_hdr h;
	struct iovec iov[1 + VPLAT_NET_SEGS];
	size_t left = len;
	int n = 1;
	if (nseg > VPLAT_NET_SEGS)
		return VPLAT_EINVAL;
	if (hdr)
		h = *hdr;
	else
		memset(&h, 0, sizeof(h));
	h.num_buffers = 0;
	iov[0] = (struct iovec){&h, VPLAT_VIRTIO_NET_HDR_SIZE};
	for (uint32_t k = 0; k < nseg && left; k++, n++) {
		size_t l = seg[k].len < left ? seg[k].len : left;
		iov[n] = (struct iovec){seg[k].base, l};
		left -= l;
	}
	if (left)
		return VPLAT_EINVAL;
	if (writev(t->fd, iov, n) < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? VPLAT_EAGAIN : VPLAT_EIO;
	return 0;
}

int vplat_net_tap_recv(struct vplat_net_tap *t, struct vplat_virtio_net_hdr *hdr,
		       const uint8_t **frame)
{
	ssize_t n = read(t->fd, t->buf, sizeof(t->buf));
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? VPLAT_EAGAIN : VPLAT_EIO;
	if (n < VPLAT_VIRTIO_NET_HDR_SIZE + 14)
		return VPLAT_EAGAIN; /* runt: nothing usable */
	memcpy(hdr, t->buf, VPLAT_VIRTIO_NET_HDR_SIZE);
	*frame = t->buf + VPLAT_VIRTIO_NET_HDR_SIZE;
	return (int)(n - VPLAT_VIRTIO_NET_HDR_SIZE);
}

static int tap_egress(void *ctx, const struct vplat_net_frame *f)
{
	return vplat_net_tap_send(ctx, &f->hdr, f->data, f->len);
}

const struct vplat_switch_port_ops vplat_net_tap_port_ops = {.egress = tap_egress};

int vplat_net_tap_attach(struct vplat_net_tap *t, struct vplat_switch_if sw,
			 const struct vplat_switch_port_config *cfg)
{
	/* Partial checksums only from the kernel: GSO frames would not fit other ports. */
	vplat_net_tap_set_offloads(t, F(GUEST_CSUM));
	/* The port takes offloads: the kernel finishes partial checksums. */
	return vplat_switch_attach(sw, cfg, true, &vplat_net_tap_port_ops, t, &t->sw, &t->port);
}

int vplat_net_tap_poll(struct vplat_net_tap *t, uint64_t now_ns)
{
	int fed = 0;
	for (int k = 0; k < 256; k++) {
		struct vplat_net_frame f = {.data = NULL};
		const uint8_t *p;
		int n = vplat_net_tap_recv(t, &f.hdr, &p);
		if (n < 0)
			break;
		f.data = p;
		f.len = (size_t)n;
		t->sw.ops->input(t->sw.sw, t->port, &f, now_ns);
		fed++;
	}
	return fed;
}

int vplat_net_tap_poll_net(struct vplat_net_tap *t, struct vplat_net *net)
{
	int done = 0;
	for (int k = 0; k < 256; k++) {
		struct vplat_virtio_net_hdr h;
		const uint8_t *p;
		int n = vplat_net_tap_recv(t, &h, &p);
		if (n < 0)
			break;
		if (vplat_net_rx(net, &h, p, (size_t)n) == 0)
			done++;
	}
	return done;
}

static int host_tx(void *host, const struct vplat_virtio_net_hdr *hdr, const uint8_t *frame,
		   size_t len)
{
	return vplat_net_tap_send(host, hdr, frame, len);
}

static int host_tx_sg(void *host, const struct vplat_virtio_net_hdr *hdr, const struct vplat_iov *seg,
		      uint32_t nseg, size_t len)
{
	return vplat_net_tap_send_sg(host, hdr, seg, nseg, len);
}

static uint64_t host_offloads(void *host)
{
	(void)host;
	return F(CSUM) | F(HOST_TSO4) | F(HOST_TSO6) | F(HOST_ECN) | F(GUEST_CSUM) | F(GUEST_TSO4) |
	       F(GUEST_TSO6) | F(GUEST_ECN);
}

static void host_set_offloads(void *host, uint64_t go)
{
	vplat_net_tap_set_offloads(host, go);
}

const struct vplat_net_host_ops vplat_net_tap_host = {
    .tx = host_tx,
    .tx_sg = host_tx_sg,
    .offloads = host_offloads,
    .set_offloads = host_set_offloads,
};
