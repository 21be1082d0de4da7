/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Platform description: build the switches and CAN buses, each validated device with its
 * host end (a vplat_instance: vplat/platform/instance.h), and bind each device to its
 * transport model.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "vplat/error.h"
#include "vplat/fabric/can_bus.h"
#include "vplat/fabric/switch.h"
#include "vplat/host/net_host.h"
#include "vplat/platform/instance.h"
#include "vplat/platform/platform.h"
#include "platform_internal.h"

#define PF_VENDOR   0x544c5056u /* "VPLT", as the loopback */
#define PF_MSIX     32u

struct b_xport {
	struct vplat_platform *p;
	struct pf_dev *d;
	struct vplat_mmio mmio;
	struct vplat_pci pci;
	struct vplat_pci_msix_entry msix[PF_MSIX];
	uint64_t pending[(PF_MSIX + 63) / 64];
};

static int resolve(const struct vplat_platform *p, const char *path, char *buf, size_t len)
{
	int n = p->base_dir && path[0] != '/' ? snprintf(buf, len, "%s/%s", p->base_dir, path)
					      : snprintf(buf, len, "%s", path);
	return n < 0 || (size_t)n >= len ? VPLAT_ERANGE : 0;
}

/* The switch, and its uplink socket if the description gives one. */
static int ensure_switch(struct vplat_platform *p, struct pf_switch *s, char *err, size_t errlen)
{
	if (s->built)
		return 0;
	struct vplat_switch_config sc = {.max_ports = s->max_ports,
					 .assigned_unicast = s->assigned_unicast};
	int rc;
	if (!(s->sw = calloc(1, sizeof(struct vplat_switch))))
		return VPLAT_ENOMEM;
	if ((rc = vplat_switch_init(s->sw, &sc)))
		return vplat_pf_error(err, errlen, rc, "%s: switch: %s", s->path, vplat_strerror(rc));
	s->built = true;
	if (!s->socket)
		return 0;
	char path[4096];
	struct vplat_switch_port_config pc = {.name = s->path, .uplink = true};
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

static int ensure_bus(struct pf_bus *bus)
{
	if (bus->bus)
		return 0;
	struct vplat_canbus_config bc = {.bitrate = bus->bitrate, .data_bitrate = bus->data_bitrate};
	return (bus->bus = vplat_canbus_new(&bc)) ? 0 : VPLAT_ENOMEM;
}

static const enum vplat_instance_console_end con_ends[] = {
    [PF_CON_STDIO] = VPLAT_INSTANCE_CONSOLE_STDIO,     [PF_CON_PTY] = VPLAT_INSTANCE_CONSOLE_PTY,
    [PF_CON_SOCKET] = VPLAT_INSTANCE_CONSOLE_LISTEN,   [PF_CON_CONNECT] = VPLAT_INSTANCE_CONSOLE_CONNECT,
    [PF_CON_LOG] = VPLAT_INSTANCE_CONSOLE_LOG};

/* The instance options of a validated device; builds the switch or bus it joins. */
static int options_of(struct vplat_platform *p, const struct pf_dev *d,
		      struct vplat_instance_options *o, char *err, size_t errlen)
{
	int rc = 0;
	*o = (struct vplat_instance_options){.type = (enum vplat_instance_type)d->info.type,
					     .base_dir = p->base_dir,
					     .log = p->opt.log,
					     .log_opaque = p->opt.log_opaque};
	const struct vplat_ratelimit_config rl = {d->rl.ops_rate, d->rl.ops_burst, d->rl.bytes_rate,
						  d->rl.bytes_burst};
	switch (d->info.type) {
	case VPLAT_PLATFORM_BLK:
		o->blk = (struct vplat_instance_blk){.path = d->image,
						     .create_size = d->image_size,
						     .read_only = d->read_only,
						     .num_queues = (uint16_t)d->num_queues,
						     .queue_size = (uint16_t)d->queue_size,
						     .serial = d->serial,
						     .ratelimit = rl,
						     .async = d->async};
		break;
	case VPLAT_PLATFORM_CONSOLE:
		o->console = (struct vplat_instance_console){.end = con_ends[d->con_kind],
							     .path = d->con_path,
							     .max_ports = d->con_max_ports,
							     .ports = d->con_ports,
							     .nports = d->con_nports};
		break;
	case VPLAT_PLATFORM_NET:
		o->net = (struct vplat_instance_net){.backend = VPLAT_INSTANCE_NET_TAP,
						     .tap = d->tap,
						     .port_name = d->info.path,
						     .rate_bps = d->net_rate_bps,
						     .burst_bytes = d->net_burst_bytes,
						     .has_mac = d->has_mac,
						     .mtu = (uint16_t)d->mtu,
						     .queue_size = (uint16_t)d->queue_size,
						     .ratelimit = rl,
						     /* a vhost-user front end serves its own */
						     .ctrl = !d->info.vhost_user_socket};
		memcpy(o->net.mac, d->mac, 6);
		if (d->sw >= 0) {
			rc = ensure_switch(p, &p->switches[d->sw], err, errlen);
			o->net.backend = VPLAT_INSTANCE_NET_SWITCH;
			o->net.sw = p->switches[d->sw].sw;
			o->net.port = &d->port;
			/* assigned-unicast: the port sends only with its assigned MAC (FFI-017) */
			o->net.source_mac_only = p->switches[d->sw].assigned_unicast;
		}
		break;
	case VPLAT_PLATFORM_GPIO:
		o->gpio = (struct vplat_instance_gpio){.lines = (uint16_t)d->ngpios,
						       .line_names = d->line_names,
						       .control = d->control,
						       .loop_wires = (uint16_t)d->loop_wires};
		if (d->gpio_chip) {
			o->gpio.backend = VPLAT_INSTANCE_GPIO_GPIOD;
			o->gpio.chip = d->gpio_chip;
		}
		break;
	case VPLAT_PLATFORM_I2C:
		o->i2c = (struct vplat_instance_i2c){.lm75 = d->lm75, .nlm75 = d->nlm75,
						     .eeprom = d->eeprom, .neeprom = d->neeprom,
						     .adapter = d->i2c_adapter};
		break;
	case VPLAT_PLATFORM_INPUT:
		o->input = d->input;
		break;
	case VPLAT_PLATFORM_VSOCK:
		o->vsock = (struct vplat_instance_vsock){.guest_cid = d->vsock_cid,
							 .uds_path = d->vsock_socket,
							 .max_conns = d->vsock_max_conns,
							 .buf_alloc = d->vsock_buf_alloc};
		break;
	case VPLAT_PLATFORM_SOUND:
		o->sound = (struct vplat_instance_sound){.sink = d->snd_sink, .source = d->snd_source,
							 .no_loop = d->snd_no_loop};
		break;
	case VPLAT_PLATFORM_CAN:
		o->can = (struct vplat_instance_can){.backend = VPLAT_INSTANCE_CAN_SOCKETCAN,
						     .iface = d->socketcan,
						     .node_name = d->info.path,
						     .ratelimit = rl,
						     .filters = d->rx_filters,
						     .nfilters = d->n_rx_filters,
						     .tx_filters = d->tx_filters,
						     .ntx_filters = d->n_tx_filters};
		if (d->bus >= 0) {
			rc = ensure_bus(&p->buses[d->bus]);
			o->can.backend = VPLAT_INSTANCE_CAN_BUS;
			o->can.bus = p->buses[d->bus].bus;
		}
		break;
	case VPLAT_PLATFORM_WATCHDOG:
		o->watchdog = (struct vplat_instance_watchdog){
		    .action = d->wdt_command ? VPLAT_INSTANCE_WATCHDOG_COMMAND
					     : VPLAT_INSTANCE_WATCHDOG_LOG,
		    .command = d->wdt_command,
		    .min_timeout_ms = d->wdt_min_ms,
		    .max_timeout_ms = d->wdt_max_ms,
		    .nowayout = d->wdt_nowayout,
		    .cloud_hypervisor = d->wdt_cloud_hypervisor};
		break;
	default:
		break;
	}
	return rc;
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
	struct b_xport *x = calloc(1, sizeof(*x));
	if (!x)
		return VPLAT_ENOMEM;
	d->state = x;
	struct vplat_mem *mem = p->opt.mem(p->opt.opaque, &d->info);
	if (!mem)
		return vplat_pf_error(err, errlen, VPLAT_ENOMEM, "%s: no guest memory for the device",
				d->info.path);
	struct vplat_instance_options o;
	char msg[384] = "";
	int rc = options_of(p, d, &o, err, errlen);
	if (rc)
		return rc;
	if ((rc = vplat_instance_create(&d->inst, mem, &o, msg, sizeof(msg))))
		return vplat_pf_error(err, errlen, rc, "%s: %s", d->info.path, msg);
	d->dev = vplat_instance_device(d->inst);
	return build_transport(p, d, x, err, errlen);
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
		vplat_instance_destroy(d->inst);
		free(d->state);
		d->inst = NULL;
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
	for (unsigned i = 0; p && i < p->ndevs && k < max; i++)
		k += vplat_instance_fds(p->devs[i].inst, fds + k, max - k);
	return k;
}

int vplat_platform_timeout_ms(const struct vplat_platform *p)
{
	int tmo = -1;
	for (unsigned i = 0; p && i < p->ndevs; i++) {
		int t = vplat_instance_timeout_ms(p->devs[i].inst);
		if (t >= 0 && (tmo < 0 || t < tmo))
			tmo = t;
	}
	return tmo;
}

int vplat_platform_dispatch(struct vplat_platform *p)
{
	if (!p)
		return VPLAT_EINVAL;
	uint64_t now = vplat_switch_monotonic_ns(NULL);
	for (unsigned i = 0; i < p->ndevs; i++)
		if (p->devs[i].inst)
			vplat_instance_dispatch(p->devs[i].inst);
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
