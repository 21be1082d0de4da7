/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SocketCAN host end (Linux raw CAN sockets): classic and FD frames, own-message confirmation
 * for LATE_TX_ACK, bus-off error frames mapped to the device's bus-off.
 */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/can.h>
#include <linux/can/error.h>
#include <linux/can/raw.h>
#include "vplat/can.h"
#include "vplat/error.h"
#include "vplat/host/can_socketcan.h"

#define SC_TOKENS 256 /* frames written and not yet confirmed */

struct vplat_can_socketcan {
	int fd;
	bool fd_capable;
	struct vplat_can *can;
	uint32_t tokens[SC_TOKENS];
	unsigned tok_head, tok_count;
	unsigned skip;  /* confirmations still due for frames the device cancelled */
	bool blocked;
	uint64_t overruns;
};

int vplat_can_socketcan_open(const char *ifname, struct vplat_can_socketcan **out)
{
	if (!ifname || !out || strlen(ifname) >= IFNAMSIZ)
		return VPLAT_EINVAL;
	int fd = socket(PF_CAN, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, CAN_RAW);
	if (fd < 0)
		return errno == EAFNOSUPPORT || errno == EPROTONOSUPPORT ? VPLAT_ENOTSUP : VPLAT_EIO;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, ifname, strlen(ifname) + 1);
	unsigned idx = if_nametoindex(ifname);
	if (!idx) {
		close(fd);
		return VPLAT_ENODEV;
	}
	int on = 1;
	can_err_mask_t errs = CAN_ERR_BUSOFF | CAN_ERR_CRTL;
	setsockopt(fd, SOL_CAN_RAW, CAN_RAW_ERR_FILTER, &errs, sizeof(errs));
	setsockopt(fd, SOL_CAN_RAW, CAN_RAW_RECV_OWN_MSGS, &on, sizeof(on));
	bool fdcap = false;
	if (ioctl(fd, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu == (int)CANFD_MTU)
		fdcap = setsockopt(fd, SOL_CAN_RAW, CAN_RAW_FD_FRAMES, &on, sizeof(on)) == 0;
	struct sockaddr_can addr = {.can_family = AF_CAN, .can_ifindex = (int)idx};
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		close(fd);
		return VPLAT_EIO;
	}
	struct vplat_can_socketcan *s = calloc(1, sizeof(*s));
	if (!s) {
		close(fd);
		return VPLAT_ENOMEM;
	}
	s->fd = fd;
	s->fd_capable = fdcap;
	*out = s;
	return 0;
}

int vplat_can_socketcan_fd(const struct vplat_can_socketcan *s)
{
	return s->fd;
}

bool vplat_can_socketcan_fd_capable(const struct vplat_can_socketcan *s)
{
	return s->fd_capable;
}

void vplat_can_socketcan_bind(struct vplat_can_socketcan *s, struct vplat_can *can)
{
	s->can = can;
	s->tok_count = 0;
}

uint64_t vplat_can_socketcan_overruns(const struct vplat_can_socketcan *s)
{
	return s->overruns;
}

void vplat_can_socketcan_close(struct vplat_can_socketcan *s)
{
	if (!s)
		return;
	close(s->fd);
	free(s);
}

int vplat_can_socketcan_send(struct vplat_can_socketcan *s, const struct vplat_can_frame *f)
{
	if (!s || !vplat_can_frame_valid(f))
		return VPLAT_EINVAL;
	struct canfd_frame cf;
	memset(&cf, 0, sizeof(cf));
	cf.can_id = f->id;
	if (f->flags & VPLAT_VIRTIO_CAN_FLAGS_EXTENDED)
		cf.can_id |= CAN_EFF_FLAG;
	if (f->flags & VPLAT_VIRTIO_CAN_FLAGS_RTR)
		cf.can_id |= CAN_RTR_FLAG;
	cf.len = f->len;
	size_t mtu = CAN_MTU;
	if (f->flags & VPLAT_VIRTIO_CAN_FLAGS_FD) {
		if (!s->fd_capable)
			return VPLAT_ENOTSUP;
		mtu = CANFD_MTU;
		memcpy(cf.data, f->data, f->len);
	} else {
		struct can_frame *cc = (struct can_frame *)&cf;
		cc->len8_dlc = f->dlc;
		if (!(f->flags & VPLAT_VIRTIO_CAN_FLAGS_RTR))
			memcpy(cc->data, f->data, f->len);
	}
	ssize_t n = write(s->fd, &cf, mtu);
	if (n == (ssize_t)mtu)
		return 0;
	if (n < 0 && (errno == EAGAIN || errno == ENOBUFS || errno == EINTR))
		return VPLAT_EAGAIN;
	return VPLAT_EIO;
}

int vplat_can_socketcan_recv(struct vplat_can_socketcan *s, struct vplat_can_frame *f,
			     bool *confirm)
{
	struct canfd_frame cf;
	struct iovec iov = {.iov_base = &cf, .iov_len = sizeof(cf)};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n = recvmsg(s->fd, &msg, MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? VPLAT_EAGAIN
										 : VPLAT_EIO;
	if (n != (ssize_t)CAN_MTU && n != (ssize_t)CANFD_MTU)
		return VPLAT_EIO;
	if (cf.can_id & CAN_ERR_FLAG)
		return (cf.can_id & CAN_ERR_BUSOFF) ? VPLAT_ENODEV : VPLAT_EIO;
	memset(f, 0, sizeof(*f));
	if (cf.can_id & CAN_EFF_FLAG) {
		f->flags |= VPLAT_VIRTIO_CAN_FLAGS_EXTENDED;
		f->id = cf.can_id & CAN_EFF_MASK;
	} else {
		f->id = cf.can_id & CAN_SFF_MASK;
	}
	if (n == (ssize_t)CANFD_MTU) {
		f->flags |= VPLAT_VIRTIO_CAN_FLAGS_FD;
		f->len = cf.len > CANFD_MAX_DLEN ? CANFD_MAX_DLEN : cf.len;
		memcpy(f->data, cf.data, f->len);
	} else {
		struct can_frame *cc = (struct can_frame *)&cf;
		f->len = cc->len > CAN_MAX_DLEN ? CAN_MAX_DLEN : cc->len;
		if (cc->can_id & CAN_RTR_FLAG)
			f->flags |= VPLAT_VIRTIO_CAN_FLAGS_RTR;
		else
			memcpy(f->data, cc->data, f->len);
		if (f->len == 8 && cc->len8_dlc > 8 && cc->len8_dlc <= 15)
			f->dlc = cc->len8_dlc;
	}
	if (confirm)
		*confirm = (msg.msg_flags & MSG_CONFIRM) != 0;
	return 0;
}

int vplat_can_socketcan_dispatch(struct vplat_can_socketcan *s)
{
	if (!s)
		return VPLAT_EINVAL;
	int done = 0;
	for (int k = 0; k < 256; k++) { /* bounded per call */
		struct vplat_can_frame f;
		bool confirm = false;
		int rc = vplat_can_socketcan_recv(s, &f, &confirm);
		if (rc == VPLAT_EAGAIN)
			break;
		done++;
		if (rc == VPLAT_ENODEV) {
			s->tok_count = 0;
			if (s->can)
				vplat_can_bus_off(s->can);
			continue;
		}
		if (rc != 0 || !s->can)
			continue;
		if (confirm) {
			/* our own frame went out on the bus: acknowledge the oldest one sent */
			if (s->skip) {
				s->skip--;
			} else if (s->tok_count) {
				uint32_t t = s->tokens[s->tok_head];
				s->tok_head = (s->tok_head + 1) % SC_TOKENS;
				s->tok_count--;
				vplat_can_tx_done(s->can, t, true);
			}
			continue;
		}
		if (vplat_can_receive(s->can, &f) == VPLAT_EAGAIN)
			s->overruns++;
	}
	if (s->blocked && s->can && s->tok_count < SC_TOKENS) {
		s->blocked = false;
		vplat_can_resume(s->can);
	}
	return done;
}

static int sc_send(void *host, const struct vplat_can_frame *f, uint32_t token)
{
	struct vplat_can_socketcan *s = host;
	if (s->tok_count == SC_TOKENS) {
		s->blocked = true;
		return VPLAT_EAGAIN;
	}
	int rc = vplat_can_socketcan_send(s, f);
	if (rc == VPLAT_EAGAIN)
		s->blocked = true;
	if (rc == 0) {
		s->tokens[(s->tok_head + s->tok_count) % SC_TOKENS] = token;
		s->tok_count++;
	}
	return rc;
}

static int sc_set_mode(void *host, bool started)
{
	struct vplat_can_socketcan *s = host;
	if (!started) {
		s->skip += s->tok_count; /* the device cancelled them; they may still go out */
		s->tok_count = 0;
		s->blocked = false;
	}
	return 0;
}

const struct vplat_can_host_ops vplat_can_host_socketcan = {
	.send = sc_send,
	.set_mode = sc_set_mode,
};
