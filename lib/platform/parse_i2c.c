/* SPDX-License-Identifier: BSD-3-Clause */
/* Platform description, I2C adapter: a host adapter, or a simulated bus with LM75 sensors and
 * AT24 EEPROMs (docs/platform-binding.md). */
#include "platform_parse.h"

#ifdef VPLAT_HAVE_LIBFDT
#include <libfdt.h>
#include <string.h>
#include "vplat/error.h"

static const char *const i2c_props[] = {"i2c-adapter", "lm75", "eeprom", "eeprom-files", NULL};

/* A property of @p per cells per entry: its entries in *@p n (0 when absent). */
static int cells(struct vplat_pf_ctx *c, int node, const char *name, unsigned per,
		 const fdt32_t **v, unsigned *n)
{
	int len;
	*v = fdt_getprop(c->fdt, node, name, &len);
	*n = 0;
	if (!*v)
		return 0;
	if (len <= 0 || len % (int)(4 * per))
		return FAIL(c, VPLAT_EINVAL, node, name, "must be a list of %u-cell entries", per);
	*n = (unsigned)len / (4 * per);
	if (*n > PF_MAX_I2C_DEVS)
		return FAIL(c, VPLAT_ERANGE, node, name, "%u entries (at most %u)", *n,
			    PF_MAX_I2C_DEVS);
	return 1;
}

static int check_addr(struct vplat_pf_ctx *c, int node, const char *name, uint32_t a,
		      struct pf_dev *d)
{
	if (a > 0x7f)
		return FAIL(c, VPLAT_EINVAL, node, name, "address 0x%x is not a 7-bit address", a);
	for (unsigned i = 0; i < d->nlm75; i++)
		if (d->lm75[i].addr == a)
			return FAIL(c, VPLAT_EEXIST, node, name, "address 0x%02x is used twice", a);
	for (unsigned i = 0; i < d->neeprom; i++)
		if (d->eeprom[i].addr == a)
			return FAIL(c, VPLAT_EEXIST, node, name, "address 0x%02x is used twice", a);
	return 0;
}

static bool pow2(uint32_t v) { return v && !(v & (v - 1)); }

static int parse_i2c(struct vplat_pf_ctx *c, int node, struct pf_dev *d)
{
	int rc = get_str(c, node, "i2c-adapter", &d->i2c_adapter);
	if (rc < 0)
		return rc;
	if (rc > 0) {
		static const char *const sim_only[] = {"lm75", "eeprom", "eeprom-files"};
		for (unsigned i = 0; i < 3; i++)
			if (has_prop(c, node, sim_only[i]))
				return FAIL(c, VPLAT_EINVAL, node, sim_only[i],
					    "only for the simulated bus; an \"i2c-adapter\" brings "
					    "its own devices");
		return 0;
	}
	const fdt32_t *v;
	unsigned n;
	if ((rc = cells(c, node, "lm75", 2, &v, &n)) < 0)
		return rc;
	for (unsigned i = 0; i < n; i++) {
		uint32_t a = fdt32_to_cpu(v[2 * i]);
		if ((rc = check_addr(c, node, "lm75", a, d)))
			return rc;
		d->lm75[d->nlm75++] = (struct vplat_instance_i2c_lm75){
		    .addr = (uint16_t)a, .millicelsius = (int32_t)fdt32_to_cpu(v[2 * i + 1])};
	}
	if ((rc = cells(c, node, "eeprom", 3, &v, &n)) < 0)
		return rc;
	for (unsigned i = 0; i < n; i++) {
		uint32_t a = fdt32_to_cpu(v[3 * i]), size = fdt32_to_cpu(v[3 * i + 1]),
			 page = fdt32_to_cpu(v[3 * i + 2]);
		if ((rc = check_addr(c, node, "eeprom", a, d)))
			return rc;
		if (!pow2(size) || size < 128 || size > 65536 || !pow2(page) || page > size)
			return FAIL(c, VPLAT_EINVAL, node, "eeprom",
				    "entry %u: size %u and page %u must be powers of two, size "
				    "128..65536, page at most size",
				    i, size, page);
		d->eeprom[d->neeprom++] = (struct vplat_instance_i2c_eeprom){
		    .addr = (uint16_t)a, .size = size, .page = page};
	}
	if (!has_prop(c, node, "eeprom-files"))
		return 0;
	int nf = fdt_stringlist_count(c->fdt, node, "eeprom-files");
	if (nf < 0 || (unsigned)nf != d->neeprom)
		return FAIL(c, VPLAT_EINVAL, node, "eeprom-files",
			    "must list one file per \"eeprom\" entry (%u; \"\" for memory only)",
			    d->neeprom);
	for (int i = 0; i < nf; i++) {
		const char *s = fdt_stringlist_get(c->fdt, node, "eeprom-files", i, NULL);
		if (!s)
			return FAIL(c, VPLAT_EINVAL, node, "eeprom-files", "unreadable name %d", i);
		d->eeprom[i].file = *s ? s : NULL;
	}
	return 0;
}

const struct vplat_pf_type_parser vplat_pf_parser_i2c = {.props = i2c_props, .parse = parse_i2c};

#endif /* VPLAT_HAVE_LIBFDT */
