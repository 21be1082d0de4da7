/* SPDX-License-Identifier: BSD-3-Clause */
/* GPIO device: configuration and line names (spec/14-gpio.md 14.1). */
#include "gpio_test.h"

static enum vplat_result config_fields(struct vplat_test_ctx *t)
{
	/* Read right after reset, before the driver has even set ACKNOWLEDGE. */
	uint8_t early[8], late[8];
	VPLAT_T_CHECK(t, 1, vplat_val_config_read_stable(t->d, 0, early, 8, 1000) == 0);
	uint16_t ngpio = (uint16_t)(early[0] | early[1] << 8);
	VPLAT_T_CHECK_MSG(t, 2, ngpio >= 1, "ngpio >= 1 from reset on", "ngpio 0 after reset");
	VPLAT_T_CHECK_MSG(t, 3, early[2] == 0 && early[3] == 0, "padding reads 0",
			  "padding %02x %02x", early[2], early[3]);
	/* The same values once the driver is running: nothing was filled in late. */
	struct gdev g;
	enum vplat_result r = gpio_up(t, false, &g);
	if (r != VPLAT_PASS)
		return r;
	VPLAT_T_CHECK(t, 4, vplat_val_config_read_stable(t->d, 0, late, 8, 1000) == 0);
	VPLAT_T_CHECK_MSG(
	    t, 5, memcmp(early, late, 8) == 0,
	    "every field set before the driver first reads it (unchanged at DRIVER_OK)",
	    "after reset %02x%02x %02x%02x %02x%02x%02x%02x, at DRIVER_OK %02x%02x %02x%02x "
	    "%02x%02x%02x%02x",
	    early[1], early[0], early[2], early[3], early[7], early[6], early[5], early[4], late[1],
	    late[0], late[2], late[3], late[7], late[6], late[5], late[4]);
	return VPLAT_PASS;
}
VPLAT_TEST(gpio_config_fields, "VPLAT-GPIO-001 VPLAT-GPIO-002", "devicenormative:Device Types / GPIO Device / requestq Operation", VPLAT_VIRTIO_ID_GPIO, 0, "ngpio >= 1 and padding 0 right after reset, and every field unchanged at DRIVER_OK", config_fields);

static enum vplat_result names_block(struct vplat_test_ctx *t)
{
	struct gdev g;
	enum vplat_result r = gpio_up(t, false, &g);
	if (r != VPLAT_PASS)
		return r;
	uint32_t size = (uint32_t)cfg(t, GCFG(gpio_names_size), 4), used;
	if (size == 0)
		return vplat_t_skip(t, "gpio_names_size 0: the device has no line names");
	VPLAT_T_CHECK_MSG(t, 1, size >= g.ngpio && size <= 65536u * 256u,
			  "gpio_names_size holds ngpio strings", "gpio_names_size %u for %u lines",
			  size, g.ngpio);
	/* Exactly 1 + size bytes, then 16 more: the device writes status + the block only. */
	uint8_t *a = gpio_names(t, &g, size + 1 + 16, &used);
	VPLAT_T_CHECK(t, 2, a != NULL);
	VPLAT_T_CHECK_EQ(t, 3, a[0], G_OK, "GET_LINE_NAMES answers OK");
	VPLAT_T_CHECK_EQ(t, 4, used, size + 1, "used length is 1 + gpio_names_size");
	VPLAT_T_CHECK_MSG(t, 5, a[size] == 0, "the block ends with a NUL byte",
			  "last byte 0x%02x", a[size]);
	const uint8_t *blk = a + 1;
	uint32_t off = 0;
	for (uint16_t line = 0; line < g.ngpio; line++) {
		VPLAT_T_CHECK_MSG(t, 6, off < size, "one string per line",
				  "the block ends at line %u of %u", line, g.ngpio);
		uint32_t len = 0;
		while (off + len < size && blk[off + len]) {
			VPLAT_T_CHECK_MSG(t, 7, blk[off + len] <= 0x7f, "7-bit ASCII names",
					  "line %u: byte 0x%02x", line, blk[off + len]);
			len++;
		}
		VPLAT_T_CHECK_MSG(t, 8, off + len < size, "every name NUL-terminated",
				  "line %u runs past the block", line);
		for (uint32_t o2 = 0; len && o2 < off;) {
			uint32_t l2 = (uint32_t)strlen((const char *)blk + o2);
			VPLAT_T_CHECK_MSG(t, 9, l2 != len || memcmp(blk + o2, blk + off, len) != 0,
					  "no name used for two lines", "line %u repeats \"%.*s\"",
					  line, (int)len, (const char *)blk + off);
			o2 += l2 + 1;
		}
		off += len + 1;
	}
	VPLAT_T_CHECK_MSG(t, 10, off == size, "exactly ngpio strings fill the block",
			  "%u strings end at byte %u of %u", g.ngpio, off, size);
	for (uint32_t i = size + 1; i < size + 17; i++)
		VPLAT_T_CHECK_MSG(t, 11, a[i] == G_UNTOUCHED, "nothing written past the block",
				  "byte %u of the response written", i);
	return VPLAT_PASS;
}
VPLAT_TEST(gpio_names_block, "VPLAT-GPIO-004 VPLAT-GPIO-005 VPLAT-GPIO-007", "sec:Device Types / GPIO Device / requestq Operation / Get Line Names", VPLAT_VIRTIO_ID_GPIO, 0, "GET_LINE_NAMES: OK, 1 + gpio_names_size bytes, exactly ngpio NUL-terminated unique 7-bit names", names_block);

static enum vplat_result names_short_buffer(struct vplat_test_ctx *t)
{
	struct gdev g;
	enum vplat_result r = gpio_up(t, false, &g);
	if (r != VPLAT_PASS)
		return r;
	uint32_t size = (uint32_t)cfg(t, GCFG(gpio_names_size), 4), used;
	if (size == 0)
		return vplat_t_skip(t, "gpio_names_size 0: the device has no line names");
	/* One byte short of status + block, and a 2-byte buffer (what other messages get). */
	const uint32_t caps[2] = {size, 2};
	for (unsigned k = 0; k < 2; k++) {
		uint32_t cap = caps[k];
		uint8_t *a = gpio_names(t, &g, cap, &used);
		VPLAT_T_CHECK(t, 1, a != NULL);
		VPLAT_T_CHECK_MSG(t, 2, a[0] == G_ERR, "a buffer below 1 + gpio_names_size: ERR",
				  "status 0x%02x with a %u-byte buffer for %u name bytes", a[0],
				  cap, size);
		VPLAT_T_CHECK_MSG(t, 3, a[1] == 0 || a[1] == G_UNTOUCHED,
				  "no part of the block written (value 0 or untouched)",
				  "byte 1 = 0x%02x", a[1]);
		for (uint32_t i = 2; i < cap; i++)
			VPLAT_T_CHECK_MSG(t, 4, a[i] == G_UNTOUCHED, "no part of the block written",
					  "byte %u written with a %u-byte buffer", i, cap);
		VPLAT_T_CHECK_MSG(t, 5, used <= 2, "used length covers status and value only",
				  "used length %u", used);
	}
	return VPLAT_PASS;
}
VPLAT_TEST(gpio_names_short_buffer_err, "VPLAT-GPIO-007 VPLAT-GPIO-009", "sec:Device Types / GPIO Device / requestq Operation / Get Line Names", VPLAT_VIRTIO_ID_GPIO, 0, "GET_LINE_NAMES into a buffer below 1 + gpio_names_size: ERR and no part of the block", names_short_buffer);

static enum vplat_result no_names(struct vplat_test_ctx *t)
{
	struct gdev g;
	enum vplat_result r = gpio_up(t, false, &g);
	if (r != VPLAT_PASS)
		return r;
	uint32_t size = (uint32_t)cfg(t, GCFG(gpio_names_size), 4), used;
	if (size != 0)
		return vplat_t_skip(t, "the device has line names (gpio_names_size %u)", size);
	uint8_t *a = gpio_names(t, &g, 64, &used);
	VPLAT_T_CHECK(t, 1, a != NULL);
	VPLAT_T_CHECK_MSG(t, 2, a[0] == G_ERR, "GET_LINE_NAMES answers ERR without names",
			  "status 0x%02x", a[0]);
	for (uint32_t i = 2; i < 64; i++)
		VPLAT_T_CHECK_MSG(t, 3, a[i] == G_UNTOUCHED, "no block written",
				  "byte %u written", i);
	return VPLAT_PASS;
}
VPLAT_TEST(gpio_no_names_err, "VPLAT-GPIO-003 VPLAT-GPIO-007", "devicenormative:Device Types / GPIO Device / requestq Operation", VPLAT_VIRTIO_ID_GPIO, 0, "a device with gpio_names_size 0 answers GET_LINE_NAMES with ERR and writes no block", no_names);
