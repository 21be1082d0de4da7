/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vplat-shmem-server: the inter-VM shared-memory server QEMU's ivshmem-doorbell connects to
 * (Debian ships no ivshmem-server). A thin poll loop around the library's server
 * (include/vplat/ivshmem_server.h): the library owns no loop.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vplat/version.h"
#include "vplat/error.h"
#include "vplat/fabric/ivshmem_server.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *out)
{
	fputs("NAME\n"
	      "    vplat-shmem-server - inter-VM shared memory with doorbells (ivshmem protocol)\n\n"
	      "SYNOPSIS\n"
	      "    vplat-shmem-server --socket PATH [--size BYTES] [--vectors N] [--max-peers N]\n"
	      "                       [--verbose]\n\n"
	      "DESCRIPTION\n"
	      "    Serves one shared-memory region and per-peer doorbell eventfds over a UNIX\n"
	      "    socket with the protocol of QEMU's ivshmem-server (version 0): VMs run by QEMU\n"
	      "    (-chardev socket,path=PATH,id=c -device ivshmem-doorbell,chardev=c,vectors=N)\n"
	      "    and vplat peers (vplat_ivshmem_client_connect()) share the region and ring each\n"
	      "    other's doorbells. Peers that leave are announced to the others; a client that\n"
	      "    sends anything is disconnected and the others keep working.\n\n"
	      "OPTIONS\n"
	      "    --socket PATH     listening socket (replaced if it exists; removed on exit)\n"
	      "    --size BYTES      region size, a power of two >= 4096 (default 4194304);\n"
	      "                      K, M and G suffixes are accepted\n"
	      "    --vectors N       doorbell vectors per peer, 1..64 (default 1)\n"
	      "    --max-peers N     peers at once (default: the library's)\n"
	      "    --verbose         print the peer count when it changes\n"
	      "    -h, --help        this text\n"
	      "        --version     print the version and exit\n\n"
	      "EXIT STATUS\n"
	      "    0 after SIGTERM or SIGINT, 1 on a run-time failure, 2 on bad arguments.\n",
	      out);
}

static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || end == s)
		return false;
	unsigned shift = 0;
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	default: break;
	}
	if (*end || (shift && v > (UINT64_MAX >> shift)))
		return false;
	*out = (uint64_t)v << shift;
	return true;
}

int main(int argc, char **argv)
{
	struct vplat_ivshmem_server_config cfg = {.shm_size = 4u << 20, .vectors = 1};
	bool verbose = false;
	static const struct option opts[] = {{"socket", required_argument, 0, 's'},
					     {"size", required_argument, 0, 'S'},
					     {"vectors", required_argument, 0, 'v'},
					     {"max-peers", required_argument, 0, 'p'},
					     {"verbose", no_argument, 0, 'V'},
					     {"help", no_argument, 0, 'h'},
					     {"version", no_argument, 0, 1000},
					     {0, 0, 0, 0}};
	int o;
	uint64_t v;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 1000: printf("vplat-shmem-server (vplat) %s\n", vplat_version()); return 0;
		case 's': cfg.path = optarg; break;
		case 'S':
			if (!parse_u64(optarg, &cfg.shm_size)) {
				fprintf(stderr, "vplat-shmem-server: bad --size '%s'\n", optarg);
				return 2;
			}
			break;
		case 'v':
		case 'p':
			if (!parse_u64(optarg, &v) || v == 0 || v > 65535) {
				fprintf(stderr, "vplat-shmem-server: bad --%s '%s'\n",
					o == 'v' ? "vectors" : "max-peers", optarg);
				return 2;
			}
			if (o == 'v')
				cfg.vectors = (uint16_t)v;
			else
				cfg.max_peers = (uint16_t)v;
			break;
		case 'V': verbose = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc || !cfg.path) {
		fprintf(stderr, "vplat-shmem-server: %s (try --help)\n",
			optind < argc ? "unexpected argument" : "--socket is required");
		return 2;
	}
	struct vplat_ivshmem_server *srv;
	int rc = vplat_ivshmem_server_create(&cfg, &srv);
	if (rc) {
		fprintf(stderr, "vplat-shmem-server: cannot serve %s: %s\n", cfg.path,
			vplat_strerror(rc));
		return rc == VPLAT_EINVAL ? 2 : 1;
	}
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	unsigned last = 0;
	fprintf(stderr, "vplat-shmem-server: serving %llu bytes, %u vector(s) on %s\n",
		(unsigned long long)cfg.shm_size, cfg.vectors, cfg.path);
	while (!stop) {
		int fds[1024];
		struct pollfd pfd[1024];
		size_t n = vplat_ivshmem_server_pollfds(srv, fds, 1024);
		for (size_t i = 0; i < n; i++)
			pfd[i] = (struct pollfd){.fd = fds[i], .events = POLLIN};
		int r = poll(pfd, (nfds_t)n, 500);
		if (r < 0 && errno != EINTR) {
			perror("vplat-shmem-server: poll");
			rc = 1;
			break;
		}
		for (size_t i = 0; r > 0 && i < n; i++)
			if (pfd[i].revents)
				vplat_ivshmem_server_dispatch(srv, pfd[i].fd);
		if (verbose && vplat_ivshmem_server_peers(srv) != last) {
			last = vplat_ivshmem_server_peers(srv);
			fprintf(stderr, "vplat-shmem-server: %u peer(s)\n", last);
		}
	}
	vplat_ivshmem_server_destroy(srv);
	return rc ? 1 : 0;
}
