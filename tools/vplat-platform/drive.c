/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vplat-platform run: every device of a description on its own loopback backend (simulated
 * guest RAM plus its transport model), driven by vplat's validation driver through the
 * registers, as a guest would. Switches and CAN buses are shared between the devices, so a
 * broadcast sent by one VM's network device arrives at the others.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "vplat/vplat.h"
#include "vplat/platform/platform.h"
#include "vplat/spec/virtio_blk.h"
#include "vplat/spec/virtio_can.h"
#include "vplat/spec/virtio_gpio.h"
#include "vplat/spec/virtio_i2c.h"
#include "vplat/val/val.h"
#include "vplat/val/loopback.h"
#include "drive.h"

#define RAM      (1u << 20)
#define NET_HDR  12u
#define NET_RX   4u
#define CAN_RX   4u
#define CAN_BUF  (16u + 64u)

struct drv {
	const struct vplat_platform_device *info;
	struct vplat_loopback lb;
	bool lb_init;
	struct vplat_val_dev d;
	struct vplat_val_vq q[3];
	unsigned nq;
	uint8_t *rx[NET_RX];
	uint8_t *tx_status;
	bool ok;
};

struct run {
	struct drv *drv;
	unsigned n, next;
};

static struct vplat_mem *run_mem(void *opaque, const struct vplat_platform_device *d)
{
	struct run *r = opaque;
	if (r->next >= r->n)
		return NULL;
	struct drv *v = &r->drv[r->next++];
	v->info = d;
	if (vplat_loopback_init(&v->lb, d->transport == VPLAT_PLATFORM_PCI ? VPLAT_LOOPBACK_PCI
									   : VPLAT_LOOPBACK_MMIO,
				RAM))
		return NULL;
	v->lb_init = true;
	return vplat_loopback_mem(&v->lb);
}

static void say(const struct drv *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const struct drv *v, const char *fmt, ...)
{
	va_list ap;
	printf("  %-8s %-34s ", vplat_platform_type_name(v->info->type), v->info->path);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static void *dma(struct drv *v, uint32_t len)
{
	uint64_t gpa;
	void *p = vplat_val_alloc(vplat_loopback_dma(&v->lb), len, 16, &gpa);
	if (p)
		memset(p, 0, len);
	return p;
}

/* One request: @out readable bytes, @in writable bytes; returns the used length or -1. */
static int request(struct drv *v, unsigned q, const void *out, uint32_t olen, void *in,
		   uint32_t ilen)
{
	struct vplat_val_buf b[2];
	unsigned no = 0, ni = 0;
	void *tok = NULL;
	uint32_t len = 0;
	if (olen)
		b[no++] = (struct vplat_val_buf){.ptr = out, .len = olen};
	if (ilen)
		b[no + ni++] = (struct vplat_val_buf){.ptr = in, .len = ilen};
	void *token = olen ? (void *)out : in;
	if (vplat_val_vq_add(&v->q[q], b, no, ni, token))
		return -1;
	vplat_val_vq_kick(&v->q[q]);
	if (vplat_val_wait_used(&v->q[q], &tok, &len, 1000) || tok != token)
		return -1;
	return (int)len;
}

static int start(struct drv *v, struct vplat_device *dev)
{
	static const unsigned queues[] = {1, 1, 2, 2, 1, 3, 1, 1, 2, 3};
	uint64_t want = VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1);
	if (vplat_loopback_attach(&v->lb, dev) || vplat_loopback_val_init(&v->lb, &v->d))
		return -1;
	uint64_t offered = vplat_val_get_device_features(&v->d);
	if (v->info->type == VPLAT_PLATFORM_CAN)
		want |= VPLAT_BIT(VPLAT_VIRTIO_CAN_F_CAN_CLASSIC);
	if (v->info->type == VPLAT_PLATFORM_NET)
		want |= VPLAT_BIT(VPLAT_VIRTIO_NET_F_MAC);
	if (v->info->type == VPLAT_PLATFORM_I2C)
		want |= VPLAT_BIT(VPLAT_VIRTIO_I2C_F_ZERO_LENGTH_REQUEST);
	if (vplat_val_negotiate(&v->d, want & offered))
		return -1;
	v->nq = queues[v->info->type];
	for (unsigned i = 0; i < v->nq; i++)
		if (vplat_val_vq_setup(&v->d, &v->q[i], (uint16_t)i, 16))
			return -1;
	if (vplat_val_driver_ok(&v->d))
		return -1;
	if (v->info->type == VPLAT_PLATFORM_NET || v->info->type == VPLAT_PLATFORM_CAN) {
		uint32_t sz = v->info->type == VPLAT_PLATFORM_NET ? NET_HDR + 1514 : CAN_BUF;
		unsigned rq = v->info->type == VPLAT_PLATFORM_NET ? 0 : VPLAT_VIRTIO_CAN_RXQ;
		for (unsigned i = 0; i < NET_RX; i++) {
			struct vplat_val_buf b = {.ptr = v->rx[i] = dma(v, sz), .len = sz};
			if (!b.ptr || vplat_val_vq_add(&v->q[rq], &b, 0, 1, v->rx[i]))
				return -1;
		}
		vplat_val_vq_kick(&v->q[rq]);
	}
	if (v->info->type == VPLAT_PLATFORM_CAN) {
		uint8_t *out = dma(v, 2), *in = dma(v, 1);
		out[0] = VPLAT_VIRTIO_CAN_SET_CTRL_MODE_START & 0xff;
		out[1] = VPLAT_VIRTIO_CAN_SET_CTRL_MODE_START >> 8;
		if (request(v, VPLAT_VIRTIO_CAN_CONTROLQ, out, 2, in, 1) != 1 ||
		    in[0] != VPLAT_VIRTIO_CAN_RESULT_OK)
			return -1;
	}
	return 0;
}

static void hex(char *dst, const uint8_t *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		sprintf(dst + 2 * i, "%02x", b[i]);
}

static int go_rng(struct drv *v)
{
	uint8_t *buf = dma(v, 16);
	char h[40];
	int n = request(v, 0, NULL, 0, buf, 16);
	if (n <= 0)
		return -1;
	hex(h, buf, (unsigned)n);
	say(v, "read %d random bytes: %s", n, h);
	return 0;
}

static int go_watchdog(struct drv *v)
{
	uint8_t *buf = dma(v, 1);
	buf[0] = 0;
	if (request(v, 0, NULL, 0, buf, 1) != 1 || buf[0] != 1)
		return -1;
	say(v, "pinged: armed, timeout %u ms", (unsigned)vplat_val_config_read(&v->d, 0, 4));
	return 0;
}

static int go_blk(struct drv *v)
{
	uint8_t *hdr = dma(v, 16), *id = dma(v, 21);
	hdr[0] = VPLAT_VIRTIO_BLK_T_GET_ID;
	struct vplat_val_buf b[3] = {{.ptr = hdr, .len = 16}, {.ptr = id, .len = 20},
				     {.ptr = id + 20, .len = 1}};
	void *tok;
	uint32_t len;
	if (vplat_val_vq_add(&v->q[0], b, 1, 2, hdr))
		return -1;
	vplat_val_vq_kick(&v->q[0]);
	if (vplat_val_wait_used(&v->q[0], &tok, &len, 1000) || id[20] != VPLAT_VIRTIO_BLK_S_OK)
		return -1;
	uint64_t cap = vplat_val_config_read(&v->d, 0, 8);
	char serial[21];
	memcpy(serial, id, 20);
	serial[20] = '\0';
	say(v, "capacity %llu sectors, GET_ID \"%s\"", (unsigned long long)cap, serial);
	return 0;
}

static int go_console(struct drv *v)
{
	char line[160];
	int n = snprintf(line, sizeof(line), "vplat-platform: hello from %s\n", v->info->path);
	uint8_t *buf = dma(v, (uint32_t)n);
	memcpy(buf, line, (size_t)n);
	if (request(v, 1, buf, (uint32_t)n, NULL, 0) < 0)
		return -1;
	say(v, "wrote %d bytes to its host end", n);
	return 0;
}

static int go_net(struct drv *v, unsigned idx)
{
	static const char payload[] = "vplat-platform broadcast";
	uint32_t len = NET_HDR + 14 + sizeof(payload);
	uint8_t *b = dma(v, len), *f = b + NET_HDR;
	memset(f, 0xff, 6);
	if (vplat_val_has_feature(&v->d, VPLAT_VIRTIO_NET_F_MAC))
		for (unsigned i = 0; i < 6; i++)
			f[6 + i] = (uint8_t)vplat_val_config_read(&v->d, i, 1);
	else
		memcpy(f + 6, (uint8_t[]){0x02, 0x00, 0x00, 0x00, 0x10, (uint8_t)idx}, 6);
	f[12] = 0x88;
	f[13] = 0xb5; /* local experimental EtherType */
	memcpy(f + 14, payload, sizeof(payload));
	if (request(v, 1, b, len, NULL, 0) < 0)
		return -1;
	say(v, "sent a broadcast from %02x:%02x:%02x:%02x:%02x:%02x", f[6], f[7], f[8], f[9],
	    f[10], f[11]);
	return 0;
}

static int go_gpio(struct drv *v)
{
	uint16_t ngpio = (uint16_t)vplat_val_config_read(&v->d, 0, 2);
	uint32_t nsize = (uint32_t)vplat_val_config_read(&v->d, 4, 4);
	uint8_t *req = dma(v, 8);
	if (!nsize) {
		uint8_t *resp = dma(v, 2);
		req[0] = VPLAT_VIRTIO_GPIO_MSG_GET_VALUE;
		if (request(v, 0, req, 8, resp, 2) != 2 || resp[0])
			return -1;
		say(v, "%u lines, line 0 reads %u", ngpio, resp[1]);
		return 0;
	}
	if (nsize > 4096)
		return -1;
	uint8_t *resp = dma(v, 1 + nsize);
	req[0] = VPLAT_VIRTIO_GPIO_MSG_GET_LINE_NAMES;
	if (request(v, 0, req, 8, resp, 1 + nsize) < 1 || resp[0])
		return -1;
	char names[512] = "";
	size_t at = 0;
	for (uint32_t off = 1; off < 1 + nsize && at + 40 < sizeof(names);) {
		const char *s = (const char *)resp + off;
		size_t l = strnlen(s, 1 + nsize - off);
		at += (size_t)snprintf(names + at, sizeof(names) - at, "%s\"%s\"", at ? " " : "", s);
		off += (uint32_t)l + 1;
	}
	say(v, "%u lines named %s", ngpio, names);
	return 0;
}

/* I2C: a quick (zero-length) write to every 7-bit address; list those that acknowledge. */
static int go_i2c(struct drv *v)
{
	char found[256] = "";
	size_t at = 0;
	for (unsigned a = 0x08; a < 0x78; a++) {
		struct vplat_virtio_i2c_out_hdr *h = dma(v, sizeof(*h));
		uint8_t *st = dma(v, 1);
		if (!h || !st)
			return -1;
		h->addr = vplat_cpu_to_le16((uint16_t)(a << 1));
		if (request(v, 0, h, sizeof(*h), st, 1) != 1)
			return -1;
		if (*st == VPLAT_VIRTIO_I2C_MSG_OK && at + 8 < sizeof(found))
			at += (size_t)snprintf(found + at, sizeof(found) - at, " 0x%02x", a);
	}
	say(v, "devices acknowledge at:%s", at ? found : " none");
	return 0;
}

/* Input: the name and event types the configuration space shows. */
static int go_input(struct drv *v)
{
	char name[129] = "";
	vplat_val_config_write(&v->d, 0, 1, VPLAT_VIRTIO_INPUT_CFG_ID_NAME);
	vplat_val_config_write(&v->d, 1, 1, 0);
	unsigned n = (unsigned)vplat_val_config_read(&v->d, 2, 1);
	for (unsigned i = 0; i < n && i < 128; i++)
		name[i] = (char)vplat_val_config_read(&v->d, 8 + i, 1);
	char types[64] = "";
	size_t at = 0;
	for (unsigned t = 1; t < VPLAT_EV_CNT; t++) {
		vplat_val_config_write(&v->d, 0, 1, VPLAT_VIRTIO_INPUT_CFG_EV_BITS);
		vplat_val_config_write(&v->d, 1, 1, t);
		if (vplat_val_config_read(&v->d, 2, 1) && at + 6 < sizeof(types))
			at += (size_t)snprintf(types + at, sizeof(types) - at, " 0x%02x", t);
	}
	if (!n)
		return -1;
	say(v, "\"%s\", event types%s", name, at ? types : " none");
	return 0;
}

static int go_can(struct drv *v, unsigned idx)
{
	uint8_t *out = dma(v, 16 + 8);
	v->tx_status = dma(v, 1);
	uint32_t id = 0x100 + idx;
	out[0] = VPLAT_VIRTIO_CAN_TX;
	out[2] = 8;
	memcpy(out + 12, &id, 4); /* little-endian host assumed by the demo */
	memcpy(out + 16, "vplat\0\0", 8);
	out[16 + 7] = (uint8_t)idx;
	struct vplat_val_buf b[2] = {{.ptr = out, .len = 24}, {.ptr = v->tx_status, .len = 1}};
	if (vplat_val_vq_add(&v->q[VPLAT_VIRTIO_CAN_TXQ], b, 1, 1, out))
		return -1;
	vplat_val_vq_kick(&v->q[VPLAT_VIRTIO_CAN_TXQ]);
	say(v, "queued CAN frame 0x%03x on its bus", id);
	return 0;
}

/* Give a receive buffer back to the device. */
static void repost(struct drv *v, unsigned q, void *buf, uint32_t sz)
{
	struct vplat_val_buf b = {.ptr = buf, .len = sz};
	if (!vplat_val_vq_add(&v->q[q], &b, 0, 1, buf))
		vplat_val_vq_kick(&v->q[q]);
}

/* Print what the network and CAN devices received (and the CAN transmit status the first
 * time); receive buffers are given back so that a running platform keeps receiving. */
static void report(struct drv *v, bool first)
{
	void *tok;
	uint32_t len;
	if (v->info->type == VPLAT_PLATFORM_NET) {
		unsigned got = 0;
		while (!vplat_val_vq_get_used(&v->q[0], &tok, &len)) {
			const uint8_t *f = (const uint8_t *)tok + NET_HDR;
			if (len >= NET_HDR + 14) {
				say(v, "received %u bytes from %02x:%02x:%02x:%02x:%02x:%02x",
				    len - NET_HDR, f[6], f[7], f[8], f[9], f[10], f[11]);
				got++;
			}
			repost(v, 0, tok, NET_HDR + 1514);
		}
		if (!got && first)
			say(v, "received nothing (no other device on its switch)");
	} else if (v->info->type == VPLAT_PLATFORM_CAN) {
		if (first && !vplat_val_vq_get_used(&v->q[VPLAT_VIRTIO_CAN_TXQ], &tok, &len))
			say(v, "transmit completed: %s",
			    v->tx_status[0] == VPLAT_VIRTIO_CAN_RESULT_OK ? "OK" : "NOT_OK");
		else if (first)
			say(v, "transmit still pending");
		while (!vplat_val_vq_get_used(&v->q[VPLAT_VIRTIO_CAN_RXQ], &tok, &len)) {
			const uint8_t *r = tok;
			uint32_t cid;
			memcpy(&cid, r + 12, 4);
			say(v, "received CAN frame 0x%03x, %u bytes", cid, r[2]);
			repost(v, VPLAT_VIRTIO_CAN_RXQ, tok, CAN_BUF);
		}
	}
}

volatile sig_atomic_t run_stop;

static void on_signal(int sig)
{
	run_stop = sig;
}

void run_install_signals(void)
{
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* After the first pass: the switches (and their uplink sockets), CAN buses and host ends keep
 * running, and frames the devices receive are printed, until SIGINT or SIGTERM. */
static void keep_running(struct vplat_platform *p, struct run *r)
{
	run_install_signals();
	printf("running until SIGINT or SIGTERM (--once: stop after the first pass)\n");
	fflush(stdout);
	while (!run_stop) {
		struct pollfd pfd[64];
		int fds[64];
		unsigned n = vplat_platform_fds(p, fds, 64);
		for (unsigned i = 0; i < n; i++)
			pfd[i] = (struct pollfd){.fd = fds[i], .events = POLLIN};
		/* 10 ms: timed CAN buses and switch shapers move without an fd event. */
		if (poll(pfd, n, 10) < 0 && errno != EINTR)
			break;
		vplat_platform_dispatch(p);
		for (unsigned i = 0; i < r->n; i++)
			if (r->drv[i].ok)
				report(&r->drv[i], false);
		fflush(stdout);
	}
	printf("signal %d: shutting down\n", (int)run_stop);
}

int drive_platform(const void *dtb, size_t len, const char *base_dir, int vm, bool once)
{
	char err[512];
	struct vplat_platform *p;
	int rc = vplat_platform_load(&p, dtb, len, NULL, err, sizeof(err));
	if (rc)
		return 1;
	struct run r = {.n = vplat_platform_device_count(p)};
	vplat_platform_free(p);
	r.drv = calloc(r.n ? r.n : 1, sizeof(*r.drv));
	if (!r.drv)
		return 3;
	struct vplat_platform_options o = {.mem = run_mem, .opaque = &r, .no_transport = true,
					   .base_dir = base_dir};
	rc = vplat_platform_load(&p, dtb, len, &o, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "vplat-platform: %s\n", err);
		for (unsigned i = 0; i < r.n; i++)
			if (r.drv[i].lb_init)
				vplat_loopback_fini(&r.drv[i].lb);
		free(r.drv);
		return 3;
	}
	int ret = 0;
	for (unsigned i = 0; i < r.n; i++) {
		struct drv *v = &r.drv[i];
		if (vm >= 0 && v->info->vm != (unsigned)vm)
			continue;
		if (start(v, vplat_platform_dev(p, i))) {
			say(v, "FAILED to start (status 0x%02x)", vplat_val_get_status(&v->d));
			ret = 1;
			continue;
		}
		v->ok = true;
	}
	unsigned vmcur = UINT32_MAX;
	for (unsigned i = 0; i < r.n; i++) {
		struct drv *v = &r.drv[i];
		if (!v->ok)
			continue;
		if (v->info->vm != vmcur)
			printf("vm %s\n", vplat_platform_vm_name(p, vmcur = v->info->vm));
		int e = 0;
		switch (v->info->type) {
		case VPLAT_PLATFORM_RNG:
			e = go_rng(v);
			break;
		case VPLAT_PLATFORM_BLK:
			e = go_blk(v);
			break;
		case VPLAT_PLATFORM_CONSOLE:
			e = go_console(v);
			break;
		case VPLAT_PLATFORM_NET:
			e = go_net(v, i);
			break;
		case VPLAT_PLATFORM_GPIO:
			e = go_gpio(v);
			break;
		case VPLAT_PLATFORM_CAN:
			e = go_can(v, i);
			break;
		case VPLAT_PLATFORM_WATCHDOG:
			e = go_watchdog(v);
			break;
		case VPLAT_PLATFORM_I2C:
			e = go_i2c(v);
			break;
		case VPLAT_PLATFORM_INPUT:
			e = go_input(v);
			break;
		case VPLAT_PLATFORM_SOUND: /* brought up, not driven (its periods need a clock) */
			say(v, "up (not driven)");
			break;
		default:
			break; /* vsock: the queues come up; connections need a guest stack */
		}
		if (e) {
			say(v, "FAILED: the device did not answer as expected");
			ret = 1;
		}
	}
	/* Let switches and buses move what was sent (a CAN frame takes ~0.25 ms at 500k). */
	for (int i = 0; i < 50; i++) {
		vplat_platform_dispatch(p);
		nanosleep(&(struct timespec){0, 1000000}, NULL);
	}
	printf("after the switches and buses ran:\n");
	for (unsigned i = 0; i < r.n; i++)
		if (r.drv[i].ok)
			report(&r.drv[i], true);
	if (!once)
		keep_running(p, &r);
	for (unsigned i = 0; i < r.n; i++)
		for (unsigned q = 0; r.drv[i].ok && q < r.drv[i].nq; q++)
			vplat_val_vq_fini(&r.drv[i].q[q]);
	vplat_platform_free(p);
	for (unsigned i = 0; i < r.n; i++)
		if (r.drv[i].lb_init)
			vplat_loopback_fini(&r.drv[i].lb);
	free(r.drv);
	return ret;
}
