/* SPDX-License-Identifier: BSD-3-Clause */
#include <stddef.h>
#include "vplat/error.h"

/* One table: the code, its name and its text. */
static const struct {
	int code;
	const char *text;
} error_table[] = {
	{VPLAT_OK, "success"},
	{VPLAT_EPERM, "operation not permitted in this state"},
	{VPLAT_ENOENT, "no such object"},
	{VPLAT_EIO, "host I/O error"},
	{VPLAT_E2BIG, "too many segments"},
	{VPLAT_EAGAIN, "nothing available, try again"},
	{VPLAT_ENOMEM, "caller storage too small"},
	{VPLAT_EFAULT, "guest address outside guest memory"},
	{VPLAT_EBUSY, "object in use"},
	{VPLAT_EEXIST, "object exists or overlaps"},
	{VPLAT_ENODEV, "device not live"},
	{VPLAT_EINVAL, "invalid argument"},
	{VPLAT_ENOSPC, "no space left"},
	{VPLAT_ERANGE, "value out of range"},
	{VPLAT_EPROTO, "protocol violation by the peer"},
	{VPLAT_EOVERFLOW, "arithmetic overflow in a peer-supplied value"},
	{VPLAT_ENOTSUP, "not supported"},
	{VPLAT_ETIMEDOUT, "timed out"},
};

const char *vplat_strerror(int err)
{
	for (size_t i = 0; i < sizeof(error_table) / sizeof(error_table[0]); i++)
		if (error_table[i].code == err)
			return error_table[i].text;
	return "unknown error";
}
