/* SPDX-License-Identifier: BSD-3-Clause */
/* vplat-device i2c: the I2C adapter device on a simulated bus (LM75 sensors, AT24 EEPROMs) or
 * on a Linux /dev/i2c-N adapter. */
#include <stdlib.h>
#include <string.h>
#include "vdev.h"
#include "vplat/host/i2c_host.h"

static struct vplat_instance_i2c_lm75 lm75[VPLAT_I2C_SIM_MAX_DEVICES];
static struct vplat_instance_i2c_eeprom eeprom[VPLAT_I2C_SIM_MAX_DEVICES];

/* "ADDR" then ",key=value" pairs; returns the pairs' start ("" if none) or NULL. */
static const char *parse_addr(const char *val, uint16_t *addr)
{
	char *end;
	unsigned long a = strtoul(val, &end, 0);
	if (end == val || a > 0x7f || (*end && *end != ','))
		return NULL;
	*addr = (uint16_t)a;
	return end;
}

/* Temperature in °C with up to three decimals ("23.5", "-10.25") as m°C. */
static bool parse_temp(const char *s, size_t n, int32_t *mc)
{
	char buf[32];
	if (!n || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = 0;
	char *end;
	double t = strtod(buf, &end);
	if (*end || t < -1000.0 || t > 1000.0)
		return false;
	*mc = (int32_t)(t * 1000.0 + (t < 0 ? -0.5 : 0.5));
	return true;
}

static int i2c_option(struct vdev *v, int argc, char **argv, int *i)
{
	struct vplat_instance_i2c *o = &v->opt.i2c;
	const char *val, *kv;
	if ((val = vdev_optval(argc, argv, i, "--lm75"))) {
		if (o->nlm75 == VPLAT_I2C_SIM_MAX_DEVICES)
			return -1;
		struct vplat_instance_i2c_lm75 *l = &lm75[o->nlm75];
		*l = (struct vplat_instance_i2c_lm75){.millicelsius = 25000};
		if (!(kv = parse_addr(val, &l->addr)))
			return -1;
		while (*kv == ',') {
			kv++;
			size_t n = strcspn(kv, ",");
			if (strncmp(kv, "temp=", 5) || !parse_temp(kv + 5, n - 5, &l->millicelsius))
				return -1;
			kv += n;
		}
		o->lm75 = lm75;
		return o->nlm75++, 1;
	}
	if ((val = vdev_optval(argc, argv, i, "--eeprom"))) {
		if (o->neeprom == VPLAT_I2C_SIM_MAX_DEVICES)
			return -1;
		struct vplat_instance_i2c_eeprom *e = &eeprom[o->neeprom];
		*e = (struct vplat_instance_i2c_eeprom){.size = 256, .page = 8};
		if (!(kv = parse_addr(val, &e->addr)))
			return -1;
		while (*kv == ',') {
			kv++;
			size_t n = strcspn(kv, ",");
			char num[24];
			uint64_t u;
			if (!strncmp(kv, "file=", 5) && n > 5) {
				e->file = strndup(kv + 5, n - 5);
			} else if ((!strncmp(kv, "size=", 5) || !strncmp(kv, "page=", 5)) && n > 5 &&
				   n - 5 < sizeof(num)) {
				memcpy(num, kv + 5, n - 5);
				num[n - 5] = 0;
				if (!vdev_parse_u64(num, &u) || u > 65536)
					return -1;
				*(kv[0] == 's' ? &e->size : &e->page) = (uint32_t)u;
			} else {
				return -1;
			}
			kv += n;
		}
		o->eeprom = eeprom;
		return o->neeprom++, 1;
	}
	if ((val = vdev_optval(argc, argv, i, "--dev")))
		return o->adapter = val, 1;
	return 0;
}

static bool i2c_configure(struct vdev *v)
{
	struct vplat_instance_i2c *o = &v->opt.i2c;
	if (o->adapter && (o->nlm75 || o->neeprom)) {
		vdev_log(v, VPLAT_VHU_LOG_ERROR,
			 "--dev serves a host adapter: it excludes --lm75 and --eeprom");
		return false;
	}
	return true;
}

const struct vdev_type vdev_i2c = {
    .name = "i2c",
    .summary = "I2C adapter (virtio-i2c, ID 34): simulated LM75/EEPROM or /dev/i2c-N",
    .help = "DESCRIPTION\n"
	    "    Serves a virtio I2C adapter. By default its bus is simulated and holds the\n"
	    "    devices given with --lm75 and --eeprom (none: every address NACKs); with --dev\n"
	    "    the guest's transfers go to a host adapter instead (I2C_RDWR, one ioctl per\n"
	    "    transfer). QEMU: -chardev socket,id=i,path=SOCK\n"
	    "    -device vhost-user-i2c-pci,chardev=i. In a Linux guest (i2c-virtio):\n"
	    "    echo lm75 0x48 > /sys/bus/i2c/devices/i2c-N/new_device.\n"
	    "\n"
	    "DEVICE OPTIONS\n"
	    "    --lm75 ADDR[,temp=C]\n"
	    "                        an LM75 temperature sensor at 7-bit ADDR (e.g. 0x48)\n"
	    "                        reading C degrees Celsius (default 25; kept to 0.5 C, the\n"
	    "                        sensor's 9-bit resolution); may be repeated\n"
	    "    --eeprom ADDR[,file=PATH][,size=N][,page=N]\n"
	    "                        an AT24-style EEPROM at ADDR (e.g. 0x50): N bytes (default\n"
	    "                        256, a 24c02; above 256 it takes a 2-byte word address),\n"
	    "                        page writes of N bytes (default 8); contents loaded from\n"
	    "                        and written back to PATH; may be repeated\n"
	    "    --dev DEV           serve the host adapter DEV (/dev/i2c-N or N) instead of\n"
	    "                        the simulated bus\n",
    .type = VPLAT_INSTANCE_I2C,
    .option = i2c_option,
    .configure = i2c_configure,
};
