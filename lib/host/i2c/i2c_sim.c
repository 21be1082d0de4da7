/* SPDX-License-Identifier: BSD-3-Clause */
/* Simulated I2C bus with an LM75 temperature sensor model and AT24-style EEPROMs. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "vplat/error.h"
#include "vplat/host/i2c_host.h"

enum sim_kind { SIM_LM75 = 1, SIM_EEPROM = 2 };

struct sim_dev {
	enum sim_kind kind;
	uint16_t addr;
	/* LM75 */
	uint8_t ptr;       /* pointer register, 0..3 */
	uint16_t reg[4];   /* temp, conf (low byte), thyst, tos: register images */
	/* EEPROM */
	uint8_t *mem;
	uint32_t size, page, wptr;
	unsigned abytes;   /* word address bytes: 1 or 2 */
	int fd;            /* backing file or -1 */
	bool dirty;
};

struct vplat_i2c_sim {
	struct sim_dev dev[VPLAT_I2C_SIM_MAX_DEVICES];
	unsigned n;
};

struct vplat_i2c_sim *vplat_i2c_sim_new(void)
{
	return calloc(1, sizeof(struct vplat_i2c_sim));
}

void vplat_i2c_sim_free(struct vplat_i2c_sim *s)
{
	if (!s)
		return;
	for (unsigned i = 0; i < s->n; i++) {
		free(s->dev[i].mem);
		if (s->dev[i].fd >= 0)
			close(s->dev[i].fd);
	}
	free(s);
}

static struct sim_dev *find(struct vplat_i2c_sim *s, uint16_t addr, enum sim_kind kind)
{
	for (unsigned i = 0; s && i < s->n; i++)
		if (s->dev[i].addr == addr && (!kind || s->dev[i].kind == kind))
			return &s->dev[i];
	return NULL;
}

static int add(struct vplat_i2c_sim *s, uint16_t addr, struct sim_dev **out)
{
	if (!s || addr > 0x7f)
		return VPLAT_EINVAL;
	if (find(s, addr, 0))
		return VPLAT_EEXIST;
	if (s->n == VPLAT_I2C_SIM_MAX_DEVICES)
		return VPLAT_ENOSPC;
	*out = &s->dev[s->n];
	(void)memset(*out, 0, sizeof(**out));
	(*out)->addr = addr;
	(*out)->fd = -1;
	return 0;
}

/* ---- LM75 ------------------------------------------------------------------------------ */

#define LM75_TEMP  0
#define LM75_CONF  1
#define LM75_THYST 2
#define LM75_TOS   3

/* m°C -> register image: 9-bit two's complement half degrees in bits 15..7. */
static uint16_t lm75_image(int32_t mc)
{
	int64_t half = mc >= 0 ? ((int64_t)mc + 250) / 500 : -((-(int64_t)mc + 250) / 500);
	if (half > 255)
		half = 255;
	if (half < -256)
		half = -256;
	return (uint16_t)(((uint16_t)half & 0x1ffu) << 7);
}

static int32_t lm75_mc(uint16_t image)
{
	return (int32_t)((int16_t)image >> 7) * 500;
}

int vplat_i2c_sim_add_lm75(struct vplat_i2c_sim *s, uint16_t addr, int32_t millicelsius)
{
	struct sim_dev *d;
	int rc = add(s, addr, &d);
	if (rc)
		return rc;
	d->kind = SIM_LM75;
	d->reg[LM75_TEMP] = lm75_image(millicelsius);
	d->reg[LM75_THYST] = lm75_image(75000);
	d->reg[LM75_TOS] = lm75_image(80000);
	s->n++;
	return 0;
}

int vplat_i2c_sim_lm75_set(struct vplat_i2c_sim *s, uint16_t addr, int32_t millicelsius)
{
	struct sim_dev *d = find(s, addr, SIM_LM75);
	if (!d)
		return VPLAT_ENOENT;
	d->reg[LM75_TEMP] = lm75_image(millicelsius);
	return 0;
}

int vplat_i2c_sim_lm75_get(struct vplat_i2c_sim *s, uint16_t addr, int32_t *millicelsius)
{
	struct sim_dev *d = find(s, addr, SIM_LM75);
	if (!d || !millicelsius)
		return VPLAT_ENOENT;
	*millicelsius = lm75_mc(d->reg[LM75_TEMP]);
	return 0;
}

static void lm75_msg(struct sim_dev *d, struct vplat_i2c_msg *m)
{
	if (m->flags & VPLAT_I2C_MSG_RD) {
		uint16_t r = d->reg[d->ptr];
		for (uint32_t i = 0; i < m->len; i++)
			m->buf[i] = d->ptr == LM75_CONF ? (uint8_t)r
							: (uint8_t)(i % 2 ? r & 0xff : r >> 8);
		return;
	}
	if (!m->len)
		return;
	d->ptr = m->buf[0] & 3u;
	if (m->len < 2)
		return;
	if (d->ptr == LM75_CONF)
		d->reg[LM75_CONF] = m->buf[1];
	else if (d->ptr != LM75_TEMP && m->len >= 3)
		d->reg[d->ptr] = (uint16_t)((m->buf[1] << 8 | m->buf[2]) & 0xff80u);
}

/* ---- EEPROM ----------------------------------------------------------------------------- */

static bool pow2(uint32_t v) { return v && !(v & (v - 1)); }

static int eeprom_flush(struct sim_dev *d)
{
	d->dirty = false;
	if (d->fd < 0)
		return 0;
	ssize_t w = pwrite(d->fd, d->mem, d->size, 0);
	return w == (ssize_t)d->size ? 0 : VPLAT_EIO;
}

int vplat_i2c_sim_add_eeprom(struct vplat_i2c_sim *s, uint16_t addr, uint32_t size,
			     uint32_t page, const char *file)
{
	if (!pow2(size) || size < 128 || size > 65536 || !pow2(page) || page > size)
		return VPLAT_EINVAL;
	struct sim_dev *d;
	int rc = add(s, addr, &d);
	if (rc)
		return rc;
	d->kind = SIM_EEPROM;
	d->size = size;
	d->page = page;
	d->abytes = size <= 256 ? 1 : 2;
	if (!(d->mem = malloc(size)))
		return VPLAT_ENOMEM;
	(void)memset(d->mem, 0xff, size);
	if (file) {
		d->fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		ssize_t r = d->fd >= 0 ? pread(d->fd, d->mem, size, 0) : -1;
		if (r < 0) {
			int e = errno;
			if (d->fd >= 0)
				close(d->fd);
			free(d->mem);
			errno = e;
			return VPLAT_EIO;
		}
		if ((size_t)r < size)
			(void)memset(d->mem + r, 0xff, size - (size_t)r);
		if (eeprom_flush(d)) {
			close(d->fd);
			free(d->mem);
			return VPLAT_EIO;
		}
	}
	s->n++;
	return 0;
}

static int eeprom_range(struct vplat_i2c_sim *s, uint16_t addr, uint32_t off, uint32_t len,
			struct sim_dev **out)
{
	struct sim_dev *d = find(s, addr, SIM_EEPROM);
	if (!d)
		return VPLAT_ENOENT;
	if (off > d->size || len > d->size - off)
		return VPLAT_EINVAL;
	*out = d;
	return 0;
}

int vplat_i2c_sim_eeprom_read(struct vplat_i2c_sim *s, uint16_t addr, uint32_t off, void *buf,
			      uint32_t len)
{
	struct sim_dev *d;
	int rc = eeprom_range(s, addr, off, len, &d);
	if (!rc && len)
		(void)memcpy(buf, d->mem + off, len);
	return rc;
}

int vplat_i2c_sim_eeprom_write(struct vplat_i2c_sim *s, uint16_t addr, uint32_t off,
			       const void *buf, uint32_t len)
{
	struct sim_dev *d;
	int rc = eeprom_range(s, addr, off, len, &d);
	if (rc)
		return rc;
	if (len)
		(void)memcpy(d->mem + off, buf, len);
	return eeprom_flush(d);
}

static void eeprom_msg(struct sim_dev *d, struct vplat_i2c_msg *m)
{
	if (m->flags & VPLAT_I2C_MSG_RD) {
		for (uint32_t i = 0; i < m->len; i++) {
			m->buf[i] = d->mem[d->wptr];
			d->wptr = (d->wptr + 1) & (d->size - 1);
		}
		return;
	}
	if (m->len < d->abytes)
		return; /* no (complete) word address: nothing changes */
	uint32_t p = d->abytes == 1 ? m->buf[0] : (uint32_t)(m->buf[0] << 8 | m->buf[1]);
	d->wptr = p & (d->size - 1);
	for (uint32_t i = d->abytes; i < m->len; i++) {
		/* A page write wraps inside its page (AT24 datasheet, "Page Write"). */
		d->mem[d->wptr] = m->buf[i];
		d->wptr = (d->wptr & ~(d->page - 1)) | ((d->wptr + 1) & (d->page - 1));
		d->dirty = true;
	}
}

/* ---- the bus ---------------------------------------------------------------------------- */

static int sim_transfer(void *host, struct vplat_i2c_msg *msgs, unsigned n)
{
	struct vplat_i2c_sim *s = host;
	unsigned i;
	for (i = 0; i < n; i++) {
		struct sim_dev *d =
		    msgs[i].flags & VPLAT_I2C_MSG_TEN ? NULL : find(s, msgs[i].addr, 0);
		if (!d)
			break; /* no acknowledge */
		if (d->kind == SIM_LM75)
			lm75_msg(d, &msgs[i]);
		else
			eeprom_msg(d, &msgs[i]);
	}
	for (unsigned k = 0; k < s->n; k++)
		if (s->dev[k].kind == SIM_EEPROM && s->dev[k].dirty && eeprom_flush(&s->dev[k]))
			return VPLAT_EIO;
	return (int)i;
}

const struct vplat_i2c_host_ops vplat_i2c_host_sim = {
    .transfer = sim_transfer,
};
