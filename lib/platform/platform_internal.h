/* SPDX-License-Identifier: BSD-3-Clause */
/* Platform description: state shared by platform.c (parse, validate), platform_build.c
 * (devices and host ends) and platform_fdt.c (guest device tree). Not installed. */
#ifndef VPLAT_PLATFORM_INTERNAL_H
#define VPLAT_PLATFORM_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include "vplat/platform/platform.h"
#include "vplat/host/net_host.h"
#include "vplat/fabric/can_bus.h"
#include "vplat/fabric/switch.h"
#include "pf_error.h"

#define PF_MAX_GPIO_LINES 1024u
#define PF_MAX_I2C_DEVS 16u /* VPLAT_I2C_SIM_MAX_DEVICES */

enum pf_console_kind { PF_CON_NONE = 0, PF_CON_STDIO, PF_CON_PTY, PF_CON_SOCKET, PF_CON_CONNECT,
		       PF_CON_LOG };

struct pf_switch {
	const char *name;
	char *path;
	uint32_t max_ports;
	uint32_t users;        /* ports in use: net devices and the uplink (validation) */
	const char *socket;    /* uplink: QEMU -netdev stream socket path, or NULL */
	bool assigned_unicast; /* VPLAT-FFI-016/017: unicast to the assigned port, source MAC checked */
	bool built;
	void *sw;              /* struct vplat_switch (platform_build.c) */
	void *sock;            /* struct vplat_net_sock of the uplink */
	char *sock_path;       /* its resolved path (unlinked at free) */
};

struct pf_bus {
	const char *name;
	char *path;
	uint32_t bitrate, data_bitrate;
	void *bus;             /* struct vplat_canbus */
};

struct pf_vm {
	const char *name;
	char *path;
	enum vplat_platform_irq_style irq_style;
	bool has_irq_parent;
	uint32_t irq_parent;
	bool dma_coherent;
	uint64_t mem_budget;    /* memory events per period (0: not regulated) */
	uint32_t mem_period_us; /* regulation period */
	bool xen;               /* served-by = "xen": an ioreq server in dom0 (vplat-xen) */
	uint32_t xen_domid;     /* xen,domid (0: any domain) */
};

struct pf_ratelimit {
	uint64_t ops_rate, ops_burst, bytes_rate, bytes_burst;
};

struct pf_dev {
	struct vplat_platform_device info;
	/* blk */
	const char *image;
	uint64_t image_size;
	bool read_only;
	const char *serial;
	uint32_t num_queues, queue_size;
	bool async;            /* blk: asynchronous I/O (io_uring or thread pool) */
	/* console */
	enum pf_console_kind con_kind;
	const char *con_path;
	uint32_t con_max_ports;  /* max-ports (0: from the ports) */
	struct vplat_instance_console_port *con_ports; /* ports (allocated; strings in con_text) */
	unsigned con_nports;
	char *con_text;          /* a copy of the ports property, parsed in place */
	/* net */
	int sw;                /* index into switches, or -1 */
	const char *tap;
	uint8_t mac[6];
	bool has_mac;
	uint32_t mtu;
	/* gpio */
	uint32_t ngpios;
	const char **line_names; /* ngpios entries or NULL (allocated; strings in the dtb copy) */
	const char *control;
	const char *gpio_chip; /* a host chip through libgpiod instead of the simulator */
	uint32_t loop_wires;   /* simulator loopback wires on the last 2N lines */
	/* i2c: a host adapter, or simulated devices (PF_MAX_I2C_DEVS of each kind) */
	const char *i2c_adapter;
	struct vplat_instance_i2c_lm75 lm75[PF_MAX_I2C_DEVS];
	unsigned nlm75;
	struct vplat_instance_i2c_eeprom eeprom[PF_MAX_I2C_DEVS];
	unsigned neeprom;
	/* input: the instance options as parsed (strings in the dtb copy) */
	struct vplat_instance_input input;
	/* vsock */
	uint64_t vsock_cid;
	const char *vsock_socket;
	uint32_t vsock_max_conns, vsock_buf_alloc;
	/* sound: WAV sink and/or source */
	const char *snd_sink, *snd_source;
	bool snd_no_loop;
	/* can */
	int bus;               /* index into buses, or -1 */
	const char *socketcan;
	/* rate limits: blk (IOPS, bytes/s), net and can (frames/s, bytes/s); net_rate_bps and
	 * net_burst_bytes: the switch port's egress shaping */
	struct pf_ratelimit rl;
	uint64_t net_rate_bps, net_burst_bytes;
	/* net on a switch: classes, scheduling, queues, VLANs, source MACs (name and shaping
	 * are set when built) */
	struct vplat_switch_port_config port;
	/* can on a bus: acceptance and transmit filters */
	struct vplat_can_filter rx_filters[VPLAT_CANBUS_MAX_FILTERS];
	unsigned n_rx_filters;
	struct vplat_can_filter tx_filters[VPLAT_CANBUS_MAX_FILTERS];
	unsigned n_tx_filters;
	/* watchdog */
	const char *wdt_command; /* run on expiry (else the expiry is only logged) */
	uint32_t wdt_min_ms, wdt_max_ms;
	bool wdt_nowayout, wdt_cloud_hypervisor;
	/* built */
	struct vplat_instance *inst; /* the device and its host end */
	void *state;           /* its transport (platform_build.c) */
	struct vplat_device *dev;
	struct vplat_mmio *mmio;
	struct vplat_pci *pci;
};

struct vplat_platform {
	void *fdt;             /* our copy of the description */
	struct pf_vm *vms;
	unsigned nvms;
	struct pf_dev *devs;
	unsigned ndevs;
	struct pf_switch *switches;
	unsigned nswitches;
	struct pf_bus *buses;
	unsigned nbuses;
	struct vplat_platform_options opt;
	char *base_dir;
};

/* platform_build.c */
int vplat_pf_build(struct vplat_platform *p, char *err, size_t errlen);
void vplat_pf_unbuild(struct vplat_platform *p);

#endif
