/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vplat-switch: the built-in virtual switch as a small daemon that wires QEMU VMs together
 * with no root and no tap (-netdev stream / -netdev dgram), or taps where root is available,
 * with per-port traffic shaping. A vendor's embedding does the same with its own ports.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vplat/version.h"
#include "vplat/error.h"
#include "vplat/host/net_host.h"
#include "vplat/fabric/switch.h"

#define MAX_PORTS 32

static void usage(FILE *out)
{
	fputs(
	    "NAME\n"
	    "    vplat-switch - L2 learning switch with traffic shaping for QEMU VMs and taps\n\n"
	    "SYNOPSIS\n"
	    "    vplat-switch [PORT...] [--duration S] [--stats]\n\n"
	    "DESCRIPTION\n"
	    "    Connects every PORT to one vplat switch (vplat/switch.h) and forwards frames\n"
	    "    until SIGINT/SIGTERM or --duration seconds, then prints per-port counters.\n"
	    "    A QEMU VM joins a stream port with\n"
	    "      -netdev stream,id=n0,server=off,addr.type=unix,addr.path=PATH\n"
	    "    and a dgram port with\n"
	    "      -netdev dgram,id=n0,local.type=unix,local.path=REMOTE,\n"
	    "              remote.type=unix,remote.path=LOCAL\n\n"
	    "PORTS\n"
	    "    --stream PATH[,OPT...]          listen on a unix stream socket (QEMU 7.2 format)\n"
	    "    --dgram LOCAL:REMOTE[,OPT...]   unix datagram socket pair\n"
	    "    --tap NAME[,OPT...]             Linux tap (needs CAP_NET_ADMIN)\n"
	    "    OPT is rate=BITS_PER_S, burst=BYTES, classes=1..8, strict, weighted=W0/W1/...,\n"
	    "    vlan=VID (member VLAN; repeat), pvid=VID\n\n"
	    "OPTIONS\n"
	    "    --duration S   stop after S seconds (default: run until a signal)\n"
	    "    --stats        print counters every second\n"
	    "    -h, --help     this text\n"
	    "    --version      print the version and exit\n\n"
	    "EXIT STATUS\n"
	    "    0 on a clean stop, 1 on a set-up failure, 2 on bad arguments.\n",
	    out);
}

enum kind { K_STREAM, K_DGRAM, K_TAP };

struct port {
	enum kind kind;
	char spec[256];
	struct vplat_net_sock *sock;
	struct vplat_net_tap *tap;
	struct vplat_switch_port_config cfg;
};

static volatile sig_atomic_t stop;
static void on_sig(int s)
{
	(void)s;
	stop = 1;
}

/* Parse ",opt,opt" after the port's address into its configuration. */
static int parse_opts(char *opts, struct vplat_switch_port_config *c)
{
	for (char *o = strtok(opts, ","); o; o = strtok(NULL, ",")) {
		if (!strncmp(o, "rate=", 5))
			c->rate_bps = strtoull(o + 5, NULL, 0);
		else if (!strncmp(o, "burst=", 6))
			c->burst_bytes = strtoull(o + 6, NULL, 0);
		else if (!strncmp(o, "classes=", 8))
			c->classes = (uint8_t)atoi(o + 8);
		else if (!strcmp(o, "strict"))
			c->sched = VPLAT_SWITCH_STRICT;
		else if (!strncmp(o, "weighted=", 9)) {
			c->sched = VPLAT_SWITCH_WEIGHTED;
			char *w = o + 9;
			for (unsigned k = 0; k < VPLAT_SWITCH_CLASSES && *w; k++) {
				c->weights[k] = (uint8_t)strtoul(w, &w, 0);
				if (*w == '/')
					w++;
			}
		} else if (!strncmp(o, "vlan=", 5)) {
			unsigned v = (unsigned)atoi(o + 5);
			if (v > 4095)
				return -1;
			c->vlan_filter = true;
			c->vlans[v / 32] |= 1u << (v % 32);
		} else if (!strncmp(o, "pvid=", 5))
			c->pvid = (uint16_t)atoi(o + 5);
		else
			return -1;
	}
	return 0;
}

static int open_port(struct port *p, struct vplat_switch *sw)
{
	char *opts = strchr(p->spec, ',');
	if (opts)
		*opts++ = 0;
	if (opts && parse_opts(opts, &p->cfg))
		return VPLAT_EINVAL;
	int rc;
	if (p->kind == K_TAP) {
		p->tap = calloc(1, sizeof(*p->tap));
		if (!p->tap)
			return VPLAT_ENOMEM;
		if ((rc = vplat_net_tap_open(p->tap, p->spec)))
			return rc;
		return vplat_net_tap_attach(p->tap, vplat_switch_iface(sw), &p->cfg);
	}
	p->sock = calloc(1, sizeof(*p->sock));
	if (!p->sock)
		return VPLAT_ENOMEM;
	if (p->kind == K_STREAM) {
		rc = vplat_net_sock_listen_unix(p->sock, p->spec);
	} else {
		char *remote = strchr(p->spec, ':');
		if (!remote)
			return VPLAT_EINVAL;
		*remote++ = 0;
		rc = vplat_net_sock_dgram_unix(p->sock, p->spec, remote);
	}
	return rc ? rc : vplat_net_sock_attach(p->sock, vplat_switch_iface(sw), &p->cfg);
}

static void print_stats(struct vplat_switch *sw, struct port *ports, int n)
{
	for (int i = 0; i < n; i++) {
		struct vplat_switch_port_stats st;
		uint32_t id = ports[i].tap ? ports[i].tap->port : ports[i].sock->port;
		vplat_switch_builtin_ops.port_stats(sw, id, &st);
		printf("port %d %s: in %llu frames %llu bytes, out %llu frames %llu bytes, drops "
		       "vlan %llu mac %llu queue %llu offload %llu\n",
		       i, ports[i].spec, (unsigned long long)st.rx_frames,
		       (unsigned long long)st.rx_bytes, (unsigned long long)st.tx_frames,
		       (unsigned long long)st.tx_bytes, (unsigned long long)st.drop_vlan,
		       (unsigned long long)st.drop_mac, (unsigned long long)st.drop_queue,
		       (unsigned long long)st.drop_offload);
	}
	fflush(stdout);
}

/* Forward until a signal or @p duration seconds (0: no limit). */
static void serve(struct vplat_switch *sw, struct port *ports, int n, double duration, bool stats)
{
	signal(SIGINT, on_sig);
	signal(SIGTERM, on_sig);
	printf("vplat-switch: %d ports up\n", n);
	fflush(stdout);
	uint64_t start = vplat_switch_monotonic_ns(NULL), last = start, wait = 10;
	while (!stop) {
		struct pollfd pf[MAX_PORTS];
		for (int i = 0; i < n; i++) {
			pf[i].fd =
			    ports[i].tap ? ports[i].tap->fd : vplat_net_sock_fd(ports[i].sock);
			pf[i].events = POLLIN;
		}
		if (poll(pf, (nfds_t)n, (int)wait) < 0 && errno != EINTR)
			break;
		uint64_t t = vplat_switch_monotonic_ns(NULL);
		for (int i = 0; i < n; i++) {
			if (ports[i].tap)
				vplat_net_tap_poll(ports[i].tap, t);
			else
				vplat_net_sock_poll(ports[i].sock, t);
		}
		uint64_t next = vplat_switch_builtin_ops.run(sw, t);
		wait = next == UINT64_MAX ? 10 : next / 1000000u > 10 ? 10 : next / 1000000u;
		if (stats && t - last >= 1000000000u) {
			print_stats(sw, ports, n);
			last = t;
		}
		if (duration > 0 && (double)(t - start) / 1e9 >= duration)
			break;
	}
}

int main(int argc, char **argv)
{
	static struct port ports[MAX_PORTS];
	int n = 0;
	double duration = 0;
	bool stats = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--version")) {
			printf("vplat-switch (vplat) %s\n", vplat_version());
			return 0;
		} else if (!strcmp(a, "--stats")) {
			stats = true;
		} else if (!strcmp(a, "--duration") && i + 1 < argc) {
			duration = atof(argv[++i]);
		} else if ((!strcmp(a, "--stream") || !strcmp(a, "--dgram") ||
			    !strcmp(a, "--tap")) &&
			   i + 1 < argc && n < MAX_PORTS) {
			ports[n].kind = a[2] == 's' ? K_STREAM : a[2] == 'd' ? K_DGRAM : K_TAP;
			snprintf(ports[n].spec, sizeof(ports[n].spec), "%s", argv[++i]);
			n++;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (n < 1) {
		usage(stderr);
		return 2;
	}
	static struct vplat_switch sw;
	if (vplat_switch_init(&sw, &(struct vplat_switch_config){.max_ports = MAX_PORTS}))
		return 1;
	for (int i = 0; i < n; i++) {
		int rc = open_port(&ports[i], &sw);
		if (rc) {
			fprintf(stderr, "vplat-switch: port %s: %s\n", ports[i].spec,
				vplat_strerror(rc));
			return 1;
		}
	}
	serve(&sw, ports, n, duration, stats);
	print_stats(&sw, ports, n);
	for (int i = 0; i < n; i++) {
		if (ports[i].tap)
			vplat_net_tap_close(ports[i].tap);
		else
			vplat_net_sock_close(ports[i].sock);
		free(ports[i].tap);
		free(ports[i].sock);
	}
	vplat_switch_fini(&sw);
	return 0;
}
