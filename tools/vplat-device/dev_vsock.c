/* SPDX-License-Identifier: BSD-3-Clause */
/* vplat-device vsock: the socket device (virtio-vsock) with the hybrid UNIX-socket host end of
 * cloud-hypervisor and rust-vmm's vhost-device-vsock. */
#include <stdlib.h>
#include <string.h>
#include "vdev.h"
#include "vplat/vsock.h"

static int vsock_option(struct vdev *v, int argc, char **argv, int *i)
{
	struct vplat_instance_vsock *o = &v->opt.vsock;
	const char *val;
	uint64_t u;
	if ((val = vdev_optval(argc, argv, i, "--guest-cid"))) {
		if (!vdev_parse_u64(val, &u) || !vplat_vsock_cid_valid(u))
			return -1;
		return o->guest_cid = u, 1;
	}
	if ((val = vdev_optval(argc, argv, i, "--uds-path")))
		return o->uds_path = val, 1;
	if ((val = vdev_optval(argc, argv, i, "--max-connections"))) {
		if (!vdev_parse_u64(val, &u) || u < 1 || u > 65536)
			return -1;
		return o->max_conns = (uint32_t)u, 1;
	}
	if ((val = vdev_optval(argc, argv, i, "--buf-alloc"))) {
		if (!vdev_parse_u64(val, &u) || u < 4096 || u > (1u << 30))
			return -1;
		return o->buf_alloc = (uint32_t)u, 1;
	}
	return 0;
}

static bool vsock_configure(struct vdev *v)
{
	if (!v->opt.vsock.guest_cid) {
		vdev_log(v, VPLAT_VHU_LOG_ERROR, "vsock needs --guest-cid N (3 or more)");
		return false;
	}
	return true;
}

const struct vdev_type vdev_vsock = {
    .name = "vsock",
    .summary = "socket device (virtio-vsock, ID 19): host UNIX sockets, hybrid convention",
    .help = "DESCRIPTION\n"
	    "    Serves a virtio socket device (stream sockets) for a guest with the given CID.\n"
	    "    Host ends follow the hybrid UNIX-socket convention of cloud-hypervisor and\n"
	    "    rust-vmm's vhost-device-vsock: a host program connects to the UNIX socket\n"
	    "    given with --uds-path and writes \"CONNECT <port>\\n\"; once the guest accepts\n"
	    "    it reads \"OK <hostport>\\n\" and the socket carries the stream. A guest\n"
	    "    connection to CID 2 port P goes to the UNIX socket PATH_P (refused if\n"
	    "    nothing listens there). QEMU: -chardev socket,id=v,path=SOCK\n"
	    "    -device vhost-user-vsock-pci,chardev=v (shared guest memory). In a Linux\n"
	    "    guest: modprobe vmw_vsock_virtio_transport.\n"
	    "\n"
	    "DEVICE OPTIONS\n"
	    "    --guest-cid N       the guest's context ID (3 .. 4294967294); required\n"
	    "    --uds-path PATH     the hybrid socket (created; PATH_<port> are the host\n"
	    "                        listeners). Without it the guest reaches no host port\n"
	    "    --max-connections N connection table size (default 256); a guest that opens\n"
	    "                        more gets RST\n"
	    "    --buf-alloc BYTES   receive credit per connection (default 262144)\n",
    .type = VPLAT_INSTANCE_VSOCK,
    .option = vsock_option,
    .configure = vsock_configure,
};
