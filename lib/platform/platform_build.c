/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Platform description: build the validated devices, their host ends, switches and CAN
 * buses, and bind each device to its transport model.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "vplat/blk.h"
#include "vplat/host/blk_file.h"
#include "vplat/can.h"
#include "vplat/console.h"
#include "vplat/host/console_fd.h"
#include "vplat/error.h"
#include "vplat/gpio.h"
#include "vplat/net.h"
#include "vplat/host/net_host.h"
#include "vplat/rng.h"
#include "vplat/fabric/switch.h"
#include "vplat/fabric/can_bus.h"
#include "vplat/host/can_socketcan.h"
#include "vplat/host/gpio_host.h"
#include "vplat/host/rng_host.h"
#include "vplat/platform/platform.h"
#include "platform_internal.h"

#define PF_VENDOR   0x544c5056u /* "VPLT", as the loopback */
#define PF_BLK_REQS 128u
#define PF_MSIX     32u

struct b_xport {
	struct vplat_platform *p;
	struct pf_dev *d;
	struct vplat_mmio mmio;
	struct vplat_pci pci;
	struct vplat_pci_msix_entry msix[PF_MSIX];
	uint64_t pending[(PF_MSIX + 63) / 64];
};

struct b_blk {
	struct vplat_blk_file f;
	bool open;
	struct vplat_blk blk;
	struct vplat_blk_req reqs[PF_BLK_REQS];
};

struct b_con {
	struct vplat_console_fd end;
	bool open;
	struct vplat_console con;
};

struct b_net {
	struct vplat_switch_net_port port;
	struct vplat_net_tap tap;
	struct vplat_net net;
};

struct b_gpio {
	struct vplat_gpio_sim *sim;
	struct vplat_gpio_line *lines;
	uint8_t *names;
	bool init;
	struct vplat_gpio gpio;
};

struct b_can {
	struct vplat_can_socketcan *sock;
	struct vplat_canbus_node *node;
	struct vplat_can can;
};

struct b_dev {
	struct b_xport x;
	union {
		struct vplat_rng rng;
		struct b_blk blk;
		struct b_con con;
		struct b_net net;
		struct b_gpio gpio;
		struct b_can can;
	} u;
};

static int resolve(const struct vplat_platform *p, const char *path, char *buf, size_t len)
{
	int n = p->base_dir && path[0] != '/' ? snprintf(buf, len, "%s/%s", p->base_dir, path)
					      : snprintf(buf, len, "%s", path);
	return n < 0 || (size_t)n >= len ? VPLAT_ERANGE : 0;
}

static int build_blk(struct vplat_platform *p, struct pf_dev *d, struct b_blk *b,
		     struct vplat_mem *mem, char *err, size_t errlen)
{
	char path[4096];
	if (resolve(p, d->image, path, sizeof(path)))
		return vplat_pf_error(err, errlen, VPLAT_ERANGE, "%s: property \"image\": path too long",
				d->info.path);
	if (d->image_size) {
		int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd >= 0) {
			int rc = ftruncate(fd, (off_t)d->image_size);
			close(fd);
			if (rc)
				return vplat_pf_error(err, errlen, VPLAT_EIO,
						"%s: property \"image-size\": cannot size %s: %s",
						d->info.path, path, strerror(errno));
		}
	}
	int rc = vplat_blk_file_open(&b->f, path, d->read_only ? VPLAT_BLK_FILE_RDONLY : 0);
	if (rc)
		return vplat_pf_error(err, errlen, rc, "%s: property \"image\": cannot open %s: %s",
				d->info.path, path, vplat_strerror(rc));
	b->open = true;
	struct vplat_blk_config cfg = {.num_queues = (uint16_t)(d->num_queues ? d->num_queues : 1),
				       .queue_size = (uint16_t)(d->queue_size ? d->queue_size : 256)};
	vplat_blk_file_config(&b->f, &cfg);
	if (d->serial)
		memcpy(cfg.id, d->serial, strlen(d->serial));
	rc = vplat_blk_init(&b->blk, mem, &cfg, &vplat_blk_host_file, &b->f, b->reqs, PF_BLK_REQS);
	if (!rc && (d->rl.ops_rate || d->rl.bytes_rate)) {
		struct vplat_ratelimit_config rl = {d->rl.ops_rate, d->rl.ops_burst,
						    d->rl.bytes_rate, d->rl.bytes_burst};
		rc = vplat_blk_set_ratelimit(&b->blk, &rl, vplat_switch_monotonic_ns, NULL);
		if (rc)
			return vplat_pf_error(err, errlen, rc, "%s: property \"iops\": rate limit: %s",
					d->info.path, vplat_strerror(rc));
	}
	if (rc)
		return vplat_pf_error(err, errlen, rc, "%s: blk: %s", d->info.path, vplat_strerror(rc));
	d->dev = vplat_blk_device(&b->blk);
	return 0;
}

static int build_console(struct vplat_platform *p, struct pf_dev *d, struct b_con *b,
			 struct vplat_mem *mem, char *err, size_t errlen)
{
	char path[4096] = "";
	if (d->con_path && resolve(p, d->con_path, path, sizeof(path)))
		return vplat_pf_error(err, errlen, VPLAT_ERANGE, "%s: host end path too long",
				d->info.path);
	int rc;
	switch (d->con_kind) {
	case PF_CON_STDIO:
		rc = vplat_console_fd_pipe(&b->end, 0, 1);
		break;
	case PF_CON_PTY:
		rc = vplat_console_fd_pty(&b->end);
		break;
	case PF_CON_SOCKET:
		rc = vplat_console_fd_listen(&b->end, path);
		break;
	case PF_CON_CONNECT:
		rc = vplat_console_fd_connect(&b->end, path);
		break;
	case PF_CON_LOG:
		rc = vplat_console_fd_log(&b->end, path);
		break;
	default:
		rc = VPLAT_EINVAL;
	}
	if (rc)
		return vplat_pf_error(err, errlen, rc, "%s: console host end %s: %s", d->info.path, path,
				vplat_strerror(rc));
	b->open = true;
	struct vplat_console_config cfg = {.max_ports = 1, .cols = 80, .rows = 25};
	rc = vplat_console_init(&b->con, mem, &cfg, &vplat_console_host_fd, &b->end);
	if (rc)
		return vplat_pf_error(err, errlen, rc, "%s: console: %s", d->info.path,
				vplat_strerror(rc));
	vplat_console_fd_bind(&b->end, &b->con, 0);
	d->dev = vplat_console_device(&b->con);
	return 0;
}

/* The switch, and its uplink socket if the description gives one. */
static int ensure_switch(struct vplat_platform *p, struct pf_switch *s, char *err, size_t errlen)
{
	if (s->built)
		return 0;
	struct vplat_switch_config sc = {.max_ports = s->max_ports};
	int rc;
	if (!(s->sw = calloc(1, sizeof(struct vplat_switch))))
		return VPLAT_ENOMEM;
	if ((rc = vplat_switch_init(s->sw, &sc)))
		return vplat_pf_error(err, errlen, rc, "%s: switch: %s", s->path, vplat_strerror(rc));
	s->built = true;
	if (!s->socket)
		return 0;
	char path[4096];
	struct vplat_switch_port_config pc = {.name = s->path};
	if (!(s->sock = calloc(1, sizeof(struct vplat_net_sock))))
		return VPLAT_ENOMEM;
	((struct vplat_net_sock *)s->sock)->fd = ((struct vplat_net_sock *)s->sock)->listen_fd = -1;
	if (resolve(p, s->socket, path, sizeof(path)) ||
	    (rc = vplat_net_sock_listen_unix(s->sock, path)) ||
	    (rc = vplat_net_sock_attach(s->sock, vplat_switch_iface(s->sw), &pc)))
		return vplat_pf_error(err, errlen, rc ? rc : VPLAT_ERANGE,
				"%s: property \"socket\": cannot listen on %s", s->path, s->socket);
	s->sock_path = strdup(path);
	return s->sock_path ? 0 : VPLAT_ENOMEM;
}

static int build_net(struct vplat_platform *p, struct pf_dev *d, struct b_net *b,
		     struct vplat_mem *mem, char *err, size_t errlen)
{
	struct vplat_net_config cfg = {.pairs = 1, .ctrl = true, .mtu = (uint16_t)d->mtu,
				       .queue_size = (uint16_t)(d->queue_size ? d->queue_size : 256)};
	const struct vplat_net_host_ops *ops;
	void *host;
	int rc;
	if (d->has_mac) {
		memcpy(cfg.mac, d->mac, 6);
		cfg.has_mac = true;
	}
	b->tap.fd = -1;
	if (d->sw >= 0) {
		struct pf_switch *s = &p->switches[d->sw];
		if ((rc = ensure_switch(p, s, err, errlen)))
			return rc;
		struct vplat_switch_port_config pc = {.name = d->info.path,
						      .rate_bps = d->net_rate_bps,
						      .burst_bytes = d->net_burst_bytes};
		rc = vplat_switch_net_port_init(&b->port, vplat_switch_iface(s->sw), &pc, NULL,
						NULL);
		if (rc)
			return vplat_pf_error(err, errlen, rc, "%s: property \"switch\": port: %s",
					d->info.path, vplat_strerror(rc));
		ops = &vplat_switch_net_host;
		host = &b->port;
	} else {
		rc = vplat_net_tap_open(&b->tap, d->tap);
		if (rc)
			return vplat_pf_error(err, errlen, rc, "%s: property \"tap\": %s: %s",
					d->info.path, d->tap, vplat_strerror(rc));
		ops = &vplat_net_tap_host;
		host = &b->tap;
	}
	rc = vplat_net_init(&b->net, mem, &cfg, ops, host);
	if (rc)
		return vplat_pf_error(err, errlen, rc, "%s: net: %s", d->info.path, vplat_strerror(rc));
	if (d->sw >= 0)
		vplat_switch_net_port_bind(&b->port, &b->net);
	d->dev = vplat_net_device(&b->net);
	return 0;
}

static void gpio_input(void *opaque, uint16_t line, uint8_t level)
{
	vplat_gpio_input_event(opaque, line, level);
}

static int build_gpio(struct vplat_platform *p, struct pf_dev *d, struct b_gpio *b,
		      struct vplat_mem *mem, char *err, size_t errlen)
{
	uint32_t n = d->ngpios, nsize = 0;
	size_t cap = (size_t)n * 33;
	b->sim = vplat_gpio_sim_new(1, n);
	b->lines = calloc(n, sizeof(*b->lines));
	b->names = malloc(cap);
	if (!b->sim || !b->lines || !b->names)
		return VPLAT_ENOMEM;
	for (uint32_t i = 0; d->line_names && i < n; i++)
		vplat_gpio_sim_set_name(b->sim, 0, i, d->line_names[i]);
	int rc = vplat_gpio_names_pack(vplat_gpio_sim_names(b->sim, 0), (uint16_t)n, b->names, cap,
				       &nsize);
	if (rc)
		return vplat_pf_error(err, errlen, rc, "%s: property \"gpio-line-names\": %s",
				d->info.path, vplat_strerror(rc));
	if (d->control) {
		char path[4096];
		if (resolve(p, d->control, path, sizeof(path)) ||
		    (rc = vplat_gpio_sim_listen(b->sim, path)) < 0)
			return vplat_pf_error(err, errlen, VPLAT_EIO,
					"%s: property \"control-socket\": cannot listen on %s",
					d->info.path, d->control);
	}
	rc = vplat_gpio_init(&b->gpio, mem, b->lines, (uint16_t)n, nsize ? b->names : NULL, nsize,
			     &vplat_gpio_host_sim, vplat_gpio_sim_chip(b->sim, 0));
	if (rc)
		return vplat_pf_error(err, errlen, rc, "%s: gpio: %s", d->info.path, vplat_strerror(rc));
	b->init = true;
	vplat_gpio_sim_set_sink(b->sim, 0, gpio_input, &b->gpio);
	d->dev = vplat_gpio_device(&b->gpio);
	return 0;
}

static int build_can(struct vplat_platform *p, struct pf_dev *d, struct b_can *b,
		     struct vplat_mem *mem, char *err, size_t errlen)
{
	uint64_t f = VPLAT_BIT(VPLAT_VIRTIO_CAN_F_CAN_CLASSIC) |
		     VPLAT_BIT(VPLAT_VIRTIO_CAN_F_RTR_FRAMES) |
		     VPLAT_BIT(VPLAT_VIRTIO_CAN_F_LATE_TX_ACK);
	const struct vplat_can_host_ops *ops;
	void *host;
	int rc;
	if (d->bus >= 0) {
		struct pf_bus *bus = &p->buses[d->bus];
		if (!bus->bus) {
			struct vplat_canbus_config bc = {.bitrate = bus->bitrate,
							 .data_bitrate = bus->data_bitrate};
			if (!(bus->bus = vplat_canbus_new(&bc)))
				return VPLAT_ENOMEM;
		}
		if (!(b->node = vplat_canbus_add_node(bus->bus, d->info.path)))
			return VPLAT_ENOMEM;
		if (d->rl.ops_rate || d->rl.bytes_rate) {
			struct vplat_ratelimit_config rl = {d->rl.ops_rate, d->rl.ops_burst,
							    d->rl.bytes_rate, d->rl.bytes_burst};
			if ((rc = vplat_canbus_node_set_ratelimit(b->node, &rl)))
				return vplat_pf_error(err, errlen, rc,
						"%s: property \"frame-rate\": rate limit: %s",
						d->info.path, vplat_strerror(rc));
		}
		f |= VPLAT_BIT(VPLAT_VIRTIO_CAN_F_CAN_FD);
		ops = &vplat_can_host_bus;
		host = b->node;
	} else {
		if ((rc = vplat_can_socketcan_open(d->socketcan, &b->sock)))
			return vplat_pf_error(err, errlen, rc, "%s: property \"socketcan\": %s: %s",
					d->info.path, d->socketcan, vplat_strerror(rc));
		if (vplat_can_socketcan_fd_capable(b->sock))
			f |= VPLAT_BIT(VPLAT_VIRTIO_CAN_F_CAN_FD);
		ops = &vplat_can_host_socketcan;
		host = b->sock;
	}
	if ((rc = vplat_can_init(&b->can, mem, f, ops, host)))
		return vplat_pf_error(err, errlen, rc, "%s: can: %s", d->info.path, vplat_strerror(rc));
	if (b->node)
		vplat_canbus_node_bind(b->node, &b->can);
	else
		vplat_can_socketcan_bind(b->sock, &b->can);
	d->dev = vplat_can_device(&b->can);
	return 0;
}

static void xport_irq(void *opaque, bool level)
{
	struct b_xport *x = opaque;
	if (x->p->opt.irq)
		x->p->opt.irq(x->p->opt.opaque, &x->d->info, level);
}

static void xport_msi(void *opaque, uint64_t addr, uint32_t data)
{
	(void)addr;
	(void)data;
	xport_irq(opaque, true);
}

static int build_transport(struct vplat_platform *p, struct pf_dev *d, struct b_xport *x,
			   char *err, size_t errlen)
{
	int rc;
	x->p = p;
	x->d = d;
	if (d->info.feature_mask != UINT64_MAX &&
	    (rc = vplat_device_set_offer(d->dev, d->dev->host_features & d->info.feature_mask)))
		return vplat_pf_error(err, errlen, rc,
				"%s: property \"feature-mask\": the offer 0x%llx is refused "
				"(it breaks a feature dependency): %s",
				d->info.path,
				(unsigned long long)(d->dev->host_features & d->info.feature_mask),
				vplat_strerror(rc));
	if (p->opt.no_transport)
		return 0;
	if (d->info.transport == VPLAT_PLATFORM_MMIO) {
		if (VPLAT_MMIO_CONFIG_OFFSET + d->dev->config_len > d->info.size)
			return vplat_pf_error(err, errlen, VPLAT_ERANGE,
					"%s: property \"reg\": window of 0x%llx bytes is smaller "
					"than the registers and config space (0x%x)",
					d->info.path, (unsigned long long)d->info.size,
					VPLAT_MMIO_CONFIG_OFFSET + d->dev->config_len);
		rc = vplat_mmio_init(&x->mmio, d->dev, PF_VENDOR, xport_irq, x);
		d->mmio = rc ? NULL : &x->mmio;
	} else {
		struct vplat_pci_params pp = {.msix = x->msix,
					      .nmsix = (uint16_t)(d->dev->nvqs + 1u < PF_MSIX
								      ? d->dev->nvqs + 1u
								      : PF_MSIX),
					      .msix_pending = x->pending,
					      .intx = xport_irq,
					      .msi = xport_msi,
					      .opaque = x};
		rc = vplat_pci_init(&x->pci, d->dev, &pp);
		d->pci = rc ? NULL : &x->pci;
	}
	if (rc)
		return vplat_pf_error(err, errlen, rc, "%s: property \"transport\": %s", d->info.path,
				vplat_strerror(rc));
	return 0;
}

static int build_one(struct vplat_platform *p, struct pf_dev *d, char *err, size_t errlen)
{
	struct b_dev *b = calloc(1, sizeof(*b));
	if (!b)
		return VPLAT_ENOMEM;
	if (d->info.type == VPLAT_PLATFORM_NET)
		b->u.net.tap.fd = -1; /* nothing to close if the build stops before the tap opens */
	d->state = b;
	struct vplat_mem *mem = p->opt.mem(p->opt.opaque, &d->info);
	if (!mem)
		return vplat_pf_error(err, errlen, VPLAT_ENOMEM, "%s: no guest memory for the device",
				d->info.path);
	int rc = 0;
	switch (d->info.type) {
	case VPLAT_PLATFORM_RNG:
		rc = vplat_rng_init(&b->u.rng, mem, &vplat_rng_host_getrandom, NULL);
		if (rc)
			return vplat_pf_error(err, errlen, rc, "%s: rng: %s", d->info.path,
					vplat_strerror(rc));
		d->dev = vplat_rng_device(&b->u.rng);
		break;
	case VPLAT_PLATFORM_BLK:
		rc = build_blk(p, d, &b->u.blk, mem, err, errlen);
		break;
	case VPLAT_PLATFORM_CONSOLE:
		rc = build_console(p, d, &b->u.con, mem, err, errlen);
		break;
	case VPLAT_PLATFORM_NET:
		rc = build_net(p, d, &b->u.net, mem, err, errlen);
		break;
	case VPLAT_PLATFORM_GPIO:
		rc = build_gpio(p, d, &b->u.gpio, mem, err, errlen);
		break;
	case VPLAT_PLATFORM_CAN:
		rc = build_can(p, d, &b->u.can, mem, err, errlen);
		break;
	}
	return rc ? rc : build_transport(p, d, &b->x, err, errlen);
}

int vplat_pf_build(struct vplat_platform *p, char *err, size_t errlen)
{
	for (unsigned i = 0; i < p->nswitches; i++) {
		int rc = p->switches[i].socket ? ensure_switch(p, &p->switches[i], err, errlen) : 0;
		if (rc)
			return rc;
	}
	for (unsigned i = 0; i < p->ndevs; i++) {
		int rc = build_one(p, &p->devs[i], err, errlen);
		if (rc)
			return rc;
	}
	return 0;
}

void vplat_pf_unbuild(struct vplat_platform *p)
{
	for (unsigned i = 0; i < p->ndevs; i++) {
		struct pf_dev *d = &p->devs[i];
		struct b_dev *b = d->state;
		if (!b)
			continue;
		switch (d->info.type) {
		case VPLAT_PLATFORM_BLK:
			if (b->u.blk.open)
				vplat_blk_file_close(&b->u.blk.f);
			break;
		case VPLAT_PLATFORM_CONSOLE:
			if (b->u.con.open)
				vplat_console_fd_close(&b->u.con.end);
			break;
		case VPLAT_PLATFORM_NET:
			if (b->u.net.tap.fd >= 0 && d->tap)
				vplat_net_tap_close(&b->u.net.tap);
			break;
		case VPLAT_PLATFORM_GPIO:
			if (b->u.gpio.init)
				vplat_gpio_fini(&b->u.gpio.gpio);
			vplat_gpio_sim_free(b->u.gpio.sim);
			free(b->u.gpio.lines);
			free(b->u.gpio.names);
			break;
		case VPLAT_PLATFORM_CAN:
			if (b->u.can.sock)
				vplat_can_socketcan_close(b->u.can.sock);
			break;
		default:
			break;
		}
		free(b);
		d->state = NULL;
		d->dev = NULL;
		d->mmio = NULL;
		d->pci = NULL;
	}
	for (unsigned i = 0; i < p->nswitches; i++) {
		if (p->switches[i].sock)
			vplat_net_sock_close(p->switches[i].sock);
		free(p->switches[i].sock);
		p->switches[i].sock = NULL;
		if (p->switches[i].sock_path)
			unlink(p->switches[i].sock_path);
		free(p->switches[i].sock_path);
		p->switches[i].sock_path = NULL;
		if (p->switches[i].built)
			vplat_switch_fini(p->switches[i].sw);
		free(p->switches[i].sw);
		p->switches[i].sw = NULL;
		p->switches[i].built = false;
	}
	for (unsigned i = 0; i < p->nbuses; i++) {
		vplat_canbus_free(p->buses[i].bus);
		p->buses[i].bus = NULL;
	}
}

unsigned vplat_platform_fds(const struct vplat_platform *p, int *fds, unsigned max)
{
	unsigned k = 0;
	for (unsigned i = 0; p && i < p->nswitches && k < max; i++)
		if (p->switches[i].sock && vplat_net_sock_fd(p->switches[i].sock) >= 0)
			fds[k++] = vplat_net_sock_fd(p->switches[i].sock);
	for (unsigned i = 0; p && i < p->ndevs && k < max; i++) {
		const struct pf_dev *d = &p->devs[i];
		struct b_dev *b = d->state;
		if (!b || !d->dev)
			continue;
		switch (d->info.type) {
		case VPLAT_PLATFORM_CONSOLE: {
			struct pollfd pfd[3];
			unsigned n = vplat_console_fd_pollfds(&b->u.con.end, pfd, 3);
			for (unsigned j = 0; j < n && k < max; j++)
				if (pfd[j].events & POLLIN)
					fds[k++] = pfd[j].fd;
			break;
		}
		case VPLAT_PLATFORM_GPIO:
			k += vplat_gpio_sim_fds(b->u.gpio.sim, fds + k, max - k);
			break;
		case VPLAT_PLATFORM_NET:
			if (d->tap && b->u.net.tap.fd >= 0)
				fds[k++] = b->u.net.tap.fd;
			break;
		case VPLAT_PLATFORM_CAN:
			if (b->u.can.sock)
				fds[k++] = vplat_can_socketcan_fd(b->u.can.sock);
			break;
		default:
			break;
		}
	}
	return k;
}

int vplat_platform_dispatch(struct vplat_platform *p)
{
	if (!p)
		return VPLAT_EINVAL;
	uint64_t now = vplat_switch_monotonic_ns(NULL);
	for (unsigned i = 0; i < p->ndevs; i++) {
		struct pf_dev *d = &p->devs[i];
		struct b_dev *b = d->state;
		if (!b || !d->dev)
			continue;
		switch (d->info.type) {
		case VPLAT_PLATFORM_RNG:
			vplat_rng_resume(&b->u.rng);
			break;
		case VPLAT_PLATFORM_BLK:
			if (vplat_blk_throttle_ns(&b->u.blk.blk))
				for (uint16_t q = 0; q < d->dev->nvqs; q++)
					vplat_blk_resume(&b->u.blk.blk, q);
			break;
		case VPLAT_PLATFORM_CONSOLE:
			vplat_console_fd_dispatch(&b->u.con.end);
			break;
		case VPLAT_PLATFORM_GPIO:
			vplat_gpio_sim_dispatch(b->u.gpio.sim);
			break;
		case VPLAT_PLATFORM_NET:
			if (d->tap && b->u.net.tap.fd >= 0 && vplat_device_is_live(d->dev))
				vplat_net_tap_poll_net(&b->u.net.tap, &b->u.net.net);
			break;
		case VPLAT_PLATFORM_CAN:
			if (b->u.can.sock)
				vplat_can_socketcan_dispatch(b->u.can.sock);
			break;
		}
	}
	for (unsigned i = 0; i < p->nswitches; i++) {
		if (p->switches[i].sock)
			(void)vplat_net_sock_poll(p->switches[i].sock, now); /* ENODEV: no peer yet */
		if (p->switches[i].built)
			vplat_switch_builtin_ops.run(p->switches[i].sw, now);
	}
	for (unsigned i = 0; i < p->nbuses; i++)
		if (p->buses[i].bus)
			vplat_canbus_run(p->buses[i].bus, 0);
	return 0;
}
