/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vplat-demo: vplat's own driver talks to vplat's entropy device through the loopback backend,
 * exactly as a guest would (register by register, rings in simulated guest RAM), and prints
 * what it negotiated and the random bytes it received.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vplat/version.h"
#include "vplat/vplat.h"
#include "vplat/host/rng_host.h"
#include "vplat/val/mock.h"
#include "vplat/val/val.h"
#include "vplat/val/loopback.h"

static const struct {
	unsigned bit;
	const char *name;
} feature_names[] = {
	{VPLAT_VIRTIO_F_INDIRECT_DESC, "INDIRECT_DESC"},
	{VPLAT_VIRTIO_F_EVENT_IDX, "EVENT_IDX"},
	{VPLAT_VIRTIO_F_VERSION_1, "VERSION_1"},
	{VPLAT_VIRTIO_F_ACCESS_PLATFORM, "ACCESS_PLATFORM"},
	{VPLAT_VIRTIO_F_RING_PACKED, "RING_PACKED"},
	{VPLAT_VIRTIO_F_IN_ORDER, "IN_ORDER"},
	{VPLAT_VIRTIO_F_NOTIFICATION_DATA, "NOTIFICATION_DATA"},
	{VPLAT_VIRTIO_F_NOTIF_CONFIG_DATA, "NOTIF_CONFIG_DATA"},
	{VPLAT_VIRTIO_F_RING_RESET, "RING_RESET"},
};

static void print_features(const char *what, uint64_t f)
{
	printf("  %-10s 0x%016llx", what, (unsigned long long)f);
	for (size_t i = 0; i < sizeof(feature_names) / sizeof(feature_names[0]); i++)
		if (f & VPLAT_BIT(feature_names[i].bit))
			printf(" %s", feature_names[i].name);
	printf("\n");
}

static void usage(FILE *out)
{
	fputs("NAME\n"
	      "    vplat-demo - a virtio driver and vplat's entropy device, in one process\n\n"
	      "SYNOPSIS\n"
	      "    vplat-demo [--transport mmio|pci|all] [--layout split|packed|all]\n"
	      "               [--bytes N] [--host getrandom|mock]\n\n"
	      "DESCRIPTION\n"
	      "    Binds vplat's virtio-rng device to a virtio-mmio or virtio-pci transport model\n"
	      "    in simulated guest RAM, then drives it with vplat's validation driver through\n"
	      "    the registers: reset, feature negotiation, queue setup (split or packed ring),\n"
	      "    DRIVER_OK, one request of N bytes. Prints the offered and negotiated feature\n"
	      "    bits and the bytes the device wrote.\n\n"
	      "OPTIONS\n"
	      "    --transport T  mmio, pci or all (default all)\n"
	      "    --layout L     split, packed or all (default all)\n"
	      "    --bytes N      request size, 1..4096 (default 32)\n"
	      "    --host H       entropy source: getrandom (default) or mock (counting bytes)\n"
	      "    -h, --help     this text\n"
	      "    --version      print the version and exit\n\n"
	      "EXIT STATUS\n"
	      "    0 on success, 1 if the device misbehaved, 2 on bad arguments.\n",
	      out);
}

static int run(enum vplat_loopback_transport kind, bool packed, uint32_t nbytes, bool mock)
{
	struct vplat_loopback lb;
	struct vplat_rng rng;
	struct vplat_rng_mock mock_state = {0};
	struct vplat_val_dev d;
	struct vplat_val_vq vq;
	int rc;

	printf("%s transport, %s ring:\n", kind == VPLAT_LOOPBACK_PCI ? "virtio-pci" : "virtio-mmio",
	       packed ? "packed" : "split");
	if ((rc = vplat_loopback_init(&lb, kind, 1u << 20)) != 0) {
		fprintf(stderr, "vplat-demo: loopback: %s\n", vplat_strerror(rc));
		return 1;
	}
	rc = vplat_rng_init(&rng, vplat_loopback_mem(&lb),
			    mock ? &vplat_rng_host_mock : &vplat_rng_host_getrandom,
			    mock ? &mock_state : NULL);
	if (!rc)
		rc = vplat_loopback_attach(&lb, vplat_rng_device(&rng));
	if (!rc)
		rc = vplat_loopback_val_init(&lb, &d);
	if (rc) {
		fprintf(stderr, "vplat-demo: setup: %s\n", vplat_strerror(rc));
		vplat_loopback_fini(&lb);
		return 1;
	}
	uint64_t offered = vplat_val_get_device_features(&d);
	uint64_t want = VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) | VPLAT_BIT(VPLAT_VIRTIO_F_EVENT_IDX) |
			VPLAT_BIT(VPLAT_VIRTIO_F_INDIRECT_DESC) |
			(packed ? VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED) : 0);
	print_features("offered", offered);
	rc = vplat_val_negotiate(&d, want & offered);
	if (!rc)
		rc = vplat_val_vq_setup(&d, &vq, 0, 64);
	if (!rc)
		rc = vplat_val_driver_ok(&d);
	if (rc) {
		fprintf(stderr, "vplat-demo: driver setup: %s\n", vplat_strerror(rc));
		vplat_loopback_fini(&lb);
		return 1;
	}
	print_features("negotiated", d.features);
	printf("  status     0x%02x, queue 0 size %u\n", vplat_val_get_status(&d), vq.size);

	uint64_t gpa;
	uint8_t *buf = vplat_val_alloc(vplat_loopback_dma(&lb), nbytes, 8, &gpa);
	struct vplat_val_buf b = {.ptr = buf, .len = nbytes};
	void *tok;
	uint32_t len = 0;
	rc = buf ? vplat_val_vq_add(&vq, &b, 0, 1, buf) : VPLAT_ENOMEM;
	if (!rc) {
		vplat_val_vq_kick(&vq);
		rc = vplat_val_wait_used(&vq, &tok, &len, 2000);
	}
	if (rc || tok != buf || len == 0) {
		fprintf(stderr, "vplat-demo: request failed: %s (len %u)\n", vplat_strerror(rc), len);
		vplat_val_vq_fini(&vq);
		vplat_loopback_fini(&lb);
		return 1;
	}
	printf("  request    %u bytes at guest 0x%llx, device wrote %u, %llu interrupt(s)\n",
	       nbytes, (unsigned long long)gpa, len, (unsigned long long)vplat_val_irq_count(&d));
	printf("  bytes     ");
	for (uint32_t i = 0; i < len; i++)
		printf("%s%02x", (i && i % 32 == 0) ? "\n            " : " ", buf[i]);
	printf("\n\n");
	vplat_val_vq_fini(&vq);
	vplat_loopback_fini(&lb);
	return 0;
}

int main(int argc, char **argv)
{
	const char *transport = "all", *layout = "all", *host = "getrandom";
	unsigned long nbytes = 32;
	static const struct option opts[] = {{"transport", required_argument, 0, 't'},
					     {"layout", required_argument, 0, 'l'},
					     {"bytes", required_argument, 0, 'b'},
					     {"host", required_argument, 0, 'H'},
					     {"help", no_argument, 0, 'h'},
					     {"version", no_argument, 0, 1000},
					     {0, 0, 0, 0}};
	int o;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		char *end;
		switch (o) {
		case 't': transport = optarg; break;
		case 'l': layout = optarg; break;
		case 'H': host = optarg; break;
		case 'b':
			nbytes = strtoul(optarg, &end, 0);
			if (!*optarg || *end || nbytes == 0 || nbytes > 4096) {
				fprintf(stderr, "vplat-demo: --bytes must be 1..4096, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 1000: printf("vplat-demo (vplat) %s\n", vplat_version()); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vplat-demo: unexpected argument '%s' (try --help)\n", argv[optind]);
		return 2;
	}
	bool t_mmio = !strcmp(transport, "mmio") || !strcmp(transport, "all");
	bool t_pci = !strcmp(transport, "pci") || !strcmp(transport, "all");
	bool l_split = !strcmp(layout, "split") || !strcmp(layout, "all");
	bool l_packed = !strcmp(layout, "packed") || !strcmp(layout, "all");
	bool mock = !strcmp(host, "mock");
	if (!(t_mmio || t_pci) || !(l_split || l_packed) || (!mock && strcmp(host, "getrandom"))) {
		fprintf(stderr, "vplat-demo: bad --transport, --layout or --host (try --help)\n");
		return 2;
	}
	int fail = 0;
	for (int t = 0; t < 2; t++)
		for (int l = 0; l < 2; l++)
			if ((t ? t_pci : t_mmio) && (l ? l_packed : l_split))
				fail |= run(t ? VPLAT_LOOPBACK_PCI : VPLAT_LOOPBACK_MMIO, l, (uint32_t)nbytes,
					    mock);
	return fail;
}
