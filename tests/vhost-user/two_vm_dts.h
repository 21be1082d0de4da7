/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared by tests/vhost-user/platform_busy.c and bench/vhost_net_lat.c: the platform
 * description of two VMs, one virtio-net each on switch "sw", served as vhost-user back ends
 * on the sockets a.sock and b.sock (relative to the description's folder). */
#ifndef VPLAT_TESTS_VHOST_USER_TWO_VM_DTS_H
#define VPLAT_TESTS_VHOST_USER_TWO_VM_DTS_H

#include <stdio.h>

/* Write the two-VM description to @p path: 0, or -1 if the file cannot be opened. */
static inline int write_two_vm_dts(const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "/dts-v1/;\n/ {\n\tcompatible = \"vplat,platform\";\n"
		   "\tswitches { sw { }; };\n\tvms {\n"
		   "\t\tvma { #address-cells = <2>; #size-cells = <2>;\n"
		   "\t\t\tnet@a000000 { compatible = \"vplat,virtio-net\"; transport = \"virtio-pci\";"
		   " pci-slot = <1>; switch = \"sw\"; vhost-user-socket = \"a.sock\"; }; };\n"
		   "\t\tvmb { #address-cells = <2>; #size-cells = <2>;\n"
		   "\t\t\tnet@a000000 { compatible = \"vplat,virtio-net\"; transport = \"virtio-pci\";"
		   " pci-slot = <1>; switch = \"sw\"; vhost-user-socket = \"b.sock\"; }; };\n"
		   "\t};\n};\n");
	fclose(f);
	return 0;
}

#endif
