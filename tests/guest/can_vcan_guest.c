/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Runs inside a Linux guest (tests/guest/can_vcan.sh): creates vcan0 (CAN FD MTU), attaches a
 * vplat CAN device to it through the SocketCAN host end, drives the device with the
 * validation driver (in-process loopback), and checks frames both ways against a raw CAN
 * socket used as cansend/candump would. Prints "VPLAT-GUEST-RESULT: PASS" or "... FAIL" on
 * the console; exit status 0 on PASS.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/can.h>
#include <linux/can/error.h>
#include <linux/can/raw.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include "vplat/can.h"
#include "vplat/vplat.h"
#include "vplat/fabric/can_bus.h"
#include "vplat/host/can_socketcan.h"
#include "vplat/val/val.h"
#include "vplat/val/loopback.h"

static int failures;
#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (cond) {                                                                        \
			printf("ok: " __VA_ARGS__);                                                \
		} else {                                                                           \
			printf("FAIL: " __VA_ARGS__);                                              \
			failures++;                                                                \
		}                                                                                  \
		printf("\n");                                                                      \
	} while (0)

/* ---- vcan0 set-up (what `ip link add dev vcan0 type vcan; ip link set vcan0 mtu 72 up` does) */

static void nl_attr(struct nlmsghdr *nh, unsigned short type, const void *data, size_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)nh + NLMSG_ALIGN(nh->nlmsg_len));
	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

static int vcan_create(const char *name)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	union {
		struct nlmsghdr nh;
		char buf[512];
	} req;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_type = RTM_NEWLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK;
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	nl_attr(&req.nh, IFLA_IFNAME, name, strlen(name) + 1);
	struct rtattr *li = (struct rtattr *)((char *)&req.nh + NLMSG_ALIGN(req.nh.nlmsg_len));
	nl_attr(&req.nh, IFLA_LINKINFO, NULL, 0);
	nl_attr(&req.nh, IFLA_INFO_KIND, "vcan", 4);
	li->rta_len = (unsigned short)((char *)&req.nh + req.nh.nlmsg_len - (char *)li);
	int rc = 0;
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0) {
		rc = -errno;
	} else {
		char ack[512];
		ssize_t n = recv(fd, ack, sizeof(ack), 0);
		struct nlmsghdr *h = (struct nlmsghdr *)ack;
		if (n >= (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)) && h->nlmsg_type == NLMSG_ERROR)
			rc = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
	}
	close(fd);
	return rc == -EEXIST ? 0 : rc;
}

static int link_up_fd_mtu(const char *name)
{
	int fd = socket(PF_CAN, SOCK_RAW, CAN_RAW);
	if (fd < 0)
		return -errno;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_mtu = CANFD_MTU;
	int rc = ioctl(fd, SIOCSIFMTU, &ifr);
	if (rc == 0)
		rc = ioctl(fd, SIOCGIFFLAGS, &ifr);
	if (rc == 0) {
		ifr.ifr_flags |= IFF_UP;
		rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	rc = rc ? -errno : 0;
	close(fd);
	return rc;
}

/* ---- the peer: a raw CAN socket as cansend/candump use it ----------------------------- */

static int peer_open(const char *name)
{
	int fd = socket(PF_CAN, SOCK_RAW | SOCK_NONBLOCK, CAN_RAW);
	int on = 1;
	setsockopt(fd, SOL_CAN_RAW, CAN_RAW_FD_FRAMES, &on, sizeof(on));
	struct sockaddr_can a = {.can_family = AF_CAN, .can_ifindex = (int)if_nametoindex(name)};
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
		return -1;
	return fd;
}

/* candump's line format: "  vcan0  123   [4]  DE AD BE EF" */
static void dump(const char *tag, const struct canfd_frame *cf, bool fd)
{
	bool eff = cf->can_id & CAN_EFF_FLAG;
	printf("  %s vcan0  %0*X  %s[%u] ", tag, eff ? 8 : 3,
	       cf->can_id & (eff ? CAN_EFF_MASK : CAN_SFF_MASK), fd ? "" : " ", cf->len);
	if (cf->can_id & CAN_RTR_FLAG)
		printf(" remote request");
	else
		for (unsigned i = 0; i < cf->len; i++)
			printf(" %02X", cf->data[i]);
	printf("\n");
}

static bool peer_read(int fd, struct canfd_frame *cf, bool *fd_frame)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	if (poll(&p, 1, 1000) <= 0)
		return false;
	ssize_t n = read(fd, cf, sizeof(*cf));
	*fd_frame = n == (ssize_t)CANFD_MTU;
	return n == (ssize_t)CAN_MTU || n == (ssize_t)CANFD_MTU;
}

/* ---- the guest driver side -------------------------------------------------------------- */

struct rig {
	struct vplat_loopback lb;
	struct vplat_can can;
	struct vplat_can_socketcan *sc;
	struct vplat_val_dev d;
	struct vplat_val_vq txq, rxq, ctlq;
};

static void *dma(struct rig *r, uint32_t len)
{
	uint64_t gpa;
	return vplat_val_alloc(vplat_loopback_dma(&r->lb), len, 8, &gpa);
}

static int ctl(struct rig *r, uint16_t type)
{
	vplat_le16 *q = dma(r, 2);
	uint8_t *res = dma(r, 1);
	*q = vplat_cpu_to_le16(type);
	*res = 0xee;
	struct vplat_val_buf b[2] = {{.ptr = q, .len = 2}, {.ptr = res, .len = 1}};
	vplat_val_vq_add(&r->ctlq, b, 1, 1, res);
	vplat_val_vq_kick(&r->ctlq);
	void *tok;
	if (vplat_val_wait_used(&r->ctlq, &tok, NULL, 1000) != 0)
		return -1;
	return *res;
}

static uint8_t *tx(struct rig *r, uint32_t id, uint32_t flags, uint8_t len, const uint8_t *data)
{
	struct vplat_virtio_can_tx_out *h = dma(r, 16 + 64);
	h->msg_type = vplat_cpu_to_le16(VPLAT_VIRTIO_CAN_TX);
	h->length = vplat_cpu_to_le16(len);
	h->flags = vplat_cpu_to_le32(flags);
	h->can_id = vplat_cpu_to_le32(id);
	uint32_t dlen = (flags & VPLAT_VIRTIO_CAN_FLAGS_RTR) ? 0 : len;
	memcpy((uint8_t *)h + 16, data, dlen);
	uint8_t *res = dma(r, 1);
	*res = 0xee;
	struct vplat_val_buf b[2] = {{.ptr = h, .len = 16 + dlen}, {.ptr = res, .len = 1}};
	vplat_val_vq_add(&r->txq, b, 1, 1, res);
	vplat_val_vq_kick(&r->txq);
	return res;
}

static int tx_result(struct rig *r)
{
	void *tok;
	uint32_t len;
	if (vplat_val_vq_get_used(&r->txq, &tok, &len) != 0)
		return -1;
	return len == 1 ? *(uint8_t *)tok : -2;
}

static int rig_up(struct rig *r, const char *ifname, struct vplat_canbus_node *bn)
{
	memset(r, 0, sizeof(*r));
	uint64_t feat = VPLAT_BIT(VPLAT_VIRTIO_CAN_F_CAN_CLASSIC) | VPLAT_BIT(VPLAT_VIRTIO_CAN_F_CAN_FD) |
			VPLAT_BIT(VPLAT_VIRTIO_CAN_F_RTR_FRAMES) |
			VPLAT_BIT(VPLAT_VIRTIO_CAN_F_LATE_TX_ACK);
	if (vplat_loopback_init(&r->lb, bn ? VPLAT_LOOPBACK_MMIO : VPLAT_LOOPBACK_PCI, 1u << 20))
		return -1;
	if (bn) { /* a node of a virtual bus */
		if (vplat_can_init(&r->can, vplat_loopback_mem(&r->lb), feat, &vplat_can_host_bus, bn))
			return -1;
		vplat_canbus_node_bind(bn, &r->can);
	} else { /* straight on the interface */
		if (vplat_can_socketcan_open(ifname, &r->sc) ||
		    vplat_can_init(&r->can, vplat_loopback_mem(&r->lb), feat,
				   &vplat_can_host_socketcan, r->sc))
			return -1;
		vplat_can_socketcan_bind(r->sc, &r->can);
	}
	if (vplat_loopback_attach(&r->lb, vplat_can_device(&r->can)) ||
	    vplat_loopback_val_init(&r->lb, &r->d) ||
	    vplat_val_negotiate(&r->d, feat | VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1)) ||
	    vplat_val_vq_setup(&r->d, &r->txq, 0, 64) || vplat_val_vq_setup(&r->d, &r->rxq, 1, 64) ||
	    vplat_val_vq_setup(&r->d, &r->ctlq, 2, 8) || vplat_val_driver_ok(&r->d))
		return -1;
	for (int i = 0; i < 16; i++) {
		uint8_t *b = dma(r, 16 + 64);
		struct vplat_val_buf vb = {.ptr = b, .len = 16 + 64};
		vplat_val_vq_add(&r->rxq, &vb, 0, 1, b);
	}
	vplat_val_vq_kick(&r->rxq);
	return ctl(r, VPLAT_VIRTIO_CAN_SET_CTRL_MODE_START) == VPLAT_VIRTIO_CAN_RESULT_OK ? 0 : -1;
}

/* What an RTR frame carries after its header in the Rxq: `length` zero bytes. */
static const uint8_t zeros[64];

struct want {
	uint32_t id, flags;
	uint8_t len;
	const char *what;
};

static const struct want frames[] = {
	{0x123, 0, 4, "cansend vcan0 123#<4 bytes>"},
	{0x1abcdef0, VPLAT_VIRTIO_CAN_FLAGS_EXTENDED, 8, "cansend vcan0 1ABCDEF0#<8 bytes>"},
	{0x321, VPLAT_VIRTIO_CAN_FLAGS_RTR, 3, "cansend vcan0 321#R3"},
	{0x0c0, VPLAT_VIRTIO_CAN_FLAGS_FD, 24, "cansend vcan0 0C0##0<24 bytes>"},
	{0x1f00, VPLAT_VIRTIO_CAN_FLAGS_FD | VPLAT_VIRTIO_CAN_FLAGS_EXTENDED, 64,
	 "cansend vcan0 00001F00##0<64 bytes>"},
};

static void fill(uint8_t *d, unsigned n, unsigned seed)
{
	for (unsigned i = 0; i < n; i++)
		d[i] = (uint8_t)(seed * 17 + i);
}

/* guest -> bus: the device transmits, the peer socket reads (candump). */
static void guest_to_peer(struct rig *r, int peer)
{
	for (unsigned k = 0; k < sizeof(frames) / sizeof(frames[0]); k++) {
		const struct want *w = &frames[k];
		uint8_t data[64];
		fill(data, w->len, k);
		tx(r, w->id, w->flags, w->len, data);
		int early = tx_result(r);
		struct canfd_frame cf;
		bool isfd = false;
		bool got = peer_read(peer, &cf, &isfd);
		if (got)
			dump("guest->", &cf, isfd);
		bool eff = w->flags & VPLAT_VIRTIO_CAN_FLAGS_EXTENDED;
		bool rtr = w->flags & VPLAT_VIRTIO_CAN_FLAGS_RTR;
		CHECK(got && (cf.can_id & (eff ? CAN_EFF_MASK : CAN_SFF_MASK)) == w->id &&
			      !!(cf.can_id & CAN_EFF_FLAG) == eff && !!(cf.can_id & CAN_RTR_FLAG) == rtr &&
			      isfd == !!(w->flags & VPLAT_VIRTIO_CAN_FLAGS_FD) && cf.len == w->len &&
			      (rtr || memcmp(cf.data, data, w->len) == 0),
		      "guest TX reaches candump: %s", w->what);
		/* LATE_TX_ACK: used only after the bus confirmed it (own-message loopback) */
		CHECK(early == -1, "no TX completion before the bus confirmed the frame");
		vplat_can_socketcan_dispatch(r->sc);
		CHECK(tx_result(r) == VPLAT_VIRTIO_CAN_RESULT_OK, "TX completed OK after confirmation");
	}
}

/* bus -> guest: the peer writes (cansend), the device's Rxq gets it. */
static void peer_to_guest(struct rig *r, int peer)
{
	for (unsigned k = 0; k < sizeof(frames) / sizeof(frames[0]); k++) {
		const struct want *w = &frames[k];
		struct canfd_frame cf;
		memset(&cf, 0, sizeof(cf));
		bool eff = w->flags & VPLAT_VIRTIO_CAN_FLAGS_EXTENDED;
		bool isfd = w->flags & VPLAT_VIRTIO_CAN_FLAGS_FD;
		cf.can_id = w->id | (eff ? CAN_EFF_FLAG : 0) |
			    ((w->flags & VPLAT_VIRTIO_CAN_FLAGS_RTR) ? CAN_RTR_FLAG : 0);
		cf.len = w->len;
		if (!(w->flags & VPLAT_VIRTIO_CAN_FLAGS_RTR))
			fill(cf.data, w->len, k + 100);
		dump("->guest", &cf, isfd);
		ssize_t n = write(peer, &cf, isfd ? CANFD_MTU : CAN_MTU);
		usleep(1000);
		vplat_can_socketcan_dispatch(r->sc);
		void *tok;
		uint32_t len = 0;
		int rc = vplat_val_wait_used(&r->rxq, &tok, &len, 1000);
		const struct vplat_virtio_can_rx *h = tok;
		/* An RTR frame is followed by `length` zero bytes (VPLAT-CAN-030). */
		bool rtr = w->flags & VPLAT_VIRTIO_CAN_FLAGS_RTR;
		uint32_t dlen = w->len;
		CHECK(n > 0 && rc == 0 && len == 16 + dlen &&
			      vplat_le16_to_cpu(h->msg_type) == VPLAT_VIRTIO_CAN_RX &&
			      vplat_le32_to_cpu(h->can_id) == w->id &&
			      vplat_le32_to_cpu(h->flags) == w->flags &&
			      vplat_le16_to_cpu(h->length) == w->len &&
			      memcmp((const uint8_t *)h + 16, rtr ? zeros : cf.data, dlen) == 0,
		      "peer frame reaches the guest Rxq: %s", w->what);
	}
}

/* ---- can-utils (when the image has them): candump reads what the guest sends, cansend
 * writes what the guest must receive ------------------------------------------------------ */

/* The frame in can-utils' notation (candump -L, cansend); the FD flags nibble is 'X'. */
static void cu_str(const struct want *w, const uint8_t *data, char *out, size_t cap)
{
	bool eff = w->flags & VPLAT_VIRTIO_CAN_FLAGS_EXTENDED;
	int o = snprintf(out, cap, eff ? "%08X#" : "%03X#", w->id);
	if (w->flags & VPLAT_VIRTIO_CAN_FLAGS_FD)
		o += snprintf(out + o, cap - (size_t)o, "#X");
	if (w->flags & VPLAT_VIRTIO_CAN_FLAGS_RTR) {
		snprintf(out + o, cap - (size_t)o, w->len ? "R%X" : "R", w->len);
		return;
	}
	for (unsigned i = 0; i < w->len; i++)
		o += snprintf(out + o, cap - (size_t)o, "%02X", data[i]);
}

/* Compare a candump -L line "(sec.usec) vcan0 FRAME" with @want (X matches any digit). */
static bool cu_match(const char *line, const char *ifname, const char *want)
{
	const char *p = strchr(line, ')');
	if (!p || strncmp(p + 2, ifname, strlen(ifname)) != 0)
		return false;
	p += 2 + strlen(ifname) + 1;
	for (; *want; want++, p++)
		if (*p != *want && !(*want == 'X' && *p))
			return false;
	return *p == 0 || *p == '\n';
}

static pid_t spawn(char *const argv[], int *out)
{
	int pfd[2] = {-1, -1};
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	if (out) {
		if (pipe(pfd) != 0)
			return -1;
		posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
		posix_spawn_file_actions_addclose(&fa, pfd[0]);
	}
	pid_t pid;
	int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (out) {
		close(pfd[1]);
		*out = pfd[0];
	}
	return rc == 0 ? pid : -1;
}

static void canutils_phase(struct rig *r, const char *ifname)
{
	if (access("/bin/candump", X_OK) || access("/bin/cansend", X_OK)) {
		printf("info: can-utils not in the image; cansend/candump checks skipped\n");
		return;
	}
	const unsigned nf = sizeof(frames) / sizeof(frames[0]);
	char n[8], line[256], want[160];
	snprintf(n, sizeof(n), "%u", nf);
	int fd = -1;
	char *dump_argv[] = {"/bin/candump", "-L", "-n", n, (char *)ifname, NULL};
	pid_t pid = spawn(dump_argv, &fd);
	usleep(500000); /* let candump bind its socket */
	for (unsigned k = 0; k < nf; k++) {
		uint8_t data[64];
		fill(data, frames[k].len, k + 200);
		tx(r, frames[k].id, frames[k].flags, frames[k].len, data);
		vplat_can_socketcan_dispatch(r->sc);
		while (tx_result(r) != -1)
			;
	}
	FILE *f = pid > 0 ? fdopen(fd, "r") : NULL;
	for (unsigned k = 0; k < nf; k++) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		bool got = f && poll(&p, 1, 3000) > 0 && fgets(line, sizeof(line), f);
		uint8_t data[64];
		fill(data, frames[k].len, k + 200);
		cu_str(&frames[k], data, want, sizeof(want));
		if (got)
			printf("  candump: %s", line);
		CHECK(got && cu_match(line, ifname, want), "candump -L shows the guest's %s", want);
	}
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
	if (f)
		fclose(f);
	for (unsigned k = 0; k < nf; k++) {
		uint8_t data[64];
		fill(data, frames[k].len, k + 300);
		cu_str(&frames[k], data, want, sizeof(want));
		char *x = strchr(want, 'X');
		if (x)
			*x = '0';
		char *send_argv[] = {"/bin/cansend", (char *)ifname, want, NULL};
		int st = -1;
		pid = spawn(send_argv, NULL);
		if (pid > 0)
			waitpid(pid, &st, 0);
		usleep(1000);
		vplat_can_socketcan_dispatch(r->sc);
		void *tok;
		uint32_t len = 0;
		int rc = vplat_val_wait_used(&r->rxq, &tok, &len, 1000);
		const struct vplat_virtio_can_rx *h = tok;
		bool rtr = frames[k].flags & VPLAT_VIRTIO_CAN_FLAGS_RTR; /* length zero bytes */
		uint32_t dlen = frames[k].len;
		CHECK(st == 0 && rc == 0 && len == 16 + dlen && vplat_le32_to_cpu(h->can_id) == frames[k].id &&
			      vplat_le32_to_cpu(h->flags) == frames[k].flags &&
			      vplat_le16_to_cpu(h->length) == frames[k].len &&
			      memcmp((const uint8_t *)h + 16, rtr ? zeros : data, dlen) == 0,
		      "cansend %s %s reaches the guest Rxq", ifname, want);
	}
}

/* The virtual bus with a SocketCAN port: guest device <-> bus <-> vcan0 <-> peer socket. */
static void bus_phase(const char *ifname, int peer)
{
	struct vplat_can_socketcan *port_sc = NULL;
	struct vplat_canbus *bus = vplat_canbus_new(NULL);
	struct vplat_canbus_node *bn = vplat_canbus_add_node(bus, "guest");
	static struct rig b;
	bool up = vplat_can_socketcan_open(ifname, &port_sc) == 0 &&
		  vplat_canbus_add_socketcan(bus, port_sc, ifname) && rig_up(&b, ifname, bn) == 0;
	CHECK(up, "virtual bus with a vplat device node and a SocketCAN port on %s", ifname);
	if (!up)
		return;
	uint8_t d[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	struct canfd_frame cf;
	bool isfd = false;
	while (peer_read(peer, &cf, &isfd)) /* whatever earlier checks left behind */
		;
	tx(&b, 0x456, 0, 8, d);
	vplat_canbus_run(bus, 0);
	bool got = peer_read(peer, &cf, &isfd);
	if (got)
		dump("bus->", &cf, isfd);
	CHECK(got && cf.can_id == 0x456 && cf.len == 8 && !memcmp(cf.data, d, 8),
	      "device frame crosses the virtual bus onto %s", ifname);
	CHECK(tx_result(&b) == VPLAT_VIRTIO_CAN_RESULT_OK, "late TX ack from the virtual bus");
	memset(&cf, 0, sizeof(cf));
	cf.can_id = 0x12345 | CAN_EFF_FLAG;
	cf.len = 2;
	cf.data[0] = 0xca, cf.data[1] = 0xfe;
	dump("->bus", &cf, false);
	ssize_t n = write(peer, &cf, CAN_MTU);
	usleep(1000);
	vplat_canbus_run(bus, 0);
	void *tok;
	uint32_t len = 0;
	int rc = vplat_val_wait_used(&b.rxq, &tok, &len, 1000);
	const struct vplat_virtio_can_rx *h = tok;
	CHECK(n == (ssize_t)CAN_MTU && rc == 0 && len == 18 &&
		      vplat_le32_to_cpu(h->can_id) == 0x12345 &&
		      vplat_le32_to_cpu(h->flags) == VPLAT_VIRTIO_CAN_FLAGS_EXTENDED &&
		      ((const uint8_t *)h)[16] == 0xca,
	      "peer frame crosses the virtual bus into the device");
	vplat_canbus_free(bus);
	vplat_can_socketcan_close(port_sc);
}

int main(int argc, char **argv)
{
	const char *ifname = argc > 1 ? argv[1] : "vcan0";
	setvbuf(stdout, NULL, _IOLBF, 0);
	int rc = vcan_create(ifname);
	CHECK(rc == 0, "create %s (rtnetlink, kind vcan): %s", ifname, strerror(-rc));
	rc = link_up_fd_mtu(ifname);
	CHECK(rc == 0, "%s up with CAN FD MTU 72: %s", ifname, strerror(-rc));
	struct rig r;
	int peer = peer_open(ifname);
	CHECK(peer >= 0, "peer raw socket on %s", ifname);
	if (peer < 0 || rig_up(&r, ifname, NULL) != 0) {
		printf("FAIL: vplat CAN device on %s could not start\nVPLAT-GUEST-RESULT: FAIL\n",
		       ifname);
		return 1;
	}
	CHECK(vplat_can_socketcan_fd_capable(r.sc), "SocketCAN end sees an FD-capable interface");
	guest_to_peer(&r, peer);
	peer_to_guest(&r, peer);
	canutils_phase(&r, ifname);
	bus_phase(ifname, peer);
	/* STOP: frames are refused and never reach the bus */
	CHECK(ctl(&r, VPLAT_VIRTIO_CAN_SET_CTRL_MODE_STOP) == 0, "STOP");
	uint8_t d[1] = {0};
	tx(&r, 0x55, 0, 1, d);
	struct canfd_frame cf;
	bool isfd;
	CHECK(tx_result(&r) == VPLAT_VIRTIO_CAN_RESULT_NOT_OK && !peer_read(peer, &cf, &isfd),
	      "TX while STOPPED is NOT_OK and not sent");
	/* bus-off from an error frame on the interface (vcan passes error frames through) */
	CHECK(ctl(&r, VPLAT_VIRTIO_CAN_SET_CTRL_MODE_START) == 0, "START again");
	struct can_frame ef = {.can_id = CAN_ERR_FLAG | CAN_ERR_BUSOFF, .len = CAN_ERR_DLC};
	if (write(peer, &ef, CAN_MTU) == (ssize_t)CAN_MTU) {
		usleep(1000);
		vplat_can_socketcan_dispatch(r.sc);
		CHECK(vplat_val_config_read(&r.d, 0, 2) == VPLAT_VIRTIO_CAN_S_CTRL_BUSOFF &&
			      !vplat_can_started(&r.can),
		      "bus-off error frame -> config status BUSOFF, controller STOPPED");
	} else {
		printf("info: the kernel refused to inject an error frame (%s); bus-off not checked\n",
		       strerror(errno));
	}
	printf("stats: tx_ok=%llu rx=%llu rejected=%llu overruns=%llu\n",
	       (unsigned long long)vplat_can_stats(&r.can)->tx_ok,
	       (unsigned long long)vplat_can_stats(&r.can)->rx,
	       (unsigned long long)vplat_can_stats(&r.can)->tx_rejected,
	       (unsigned long long)vplat_can_socketcan_overruns(r.sc));
	printf("VPLAT-GUEST-RESULT: %s (%d failures)\n", failures ? "FAIL" : "PASS", failures);
	return failures ? 1 : 0;
}
