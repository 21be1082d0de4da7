/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * GPIO device (sec: Device Types / GPIO Device). Freestanding.
 *
 * requestq messages are answered synchronously in ring order, which gives the ordering the
 * chapter asks for (devicenormative:Device Types / GPIO Device / requestq Operation: "MUST
 * process multiple messages, for the same GPIO line, sequentially"). eventq buffers are held
 * per line until the line's interrupt fires or is disabled (sec: GPIO Device / eventq
 * Operation), so they are returned out of order and VIRTIO_F_IN_ORDER is not offered.
 */
#include <string.h>
#include "vplat/error.h"
#include "vplat/gpio.h"

#define GPIO_REQ  VPLAT_VIRTIO_GPIO_REQUESTQ
#define GPIO_EVQ  VPLAT_VIRTIO_GPIO_EVENTQ
#define DIR_NONE  VPLAT_VIRTIO_GPIO_DIRECTION_NONE
#define DIR_OUT   VPLAT_VIRTIO_GPIO_DIRECTION_OUT
#define DIR_IN    VPLAT_VIRTIO_GPIO_DIRECTION_IN
#define ST_OK     VPLAT_VIRTIO_GPIO_STATUS_OK
#define ST_ERR    VPLAT_VIRTIO_GPIO_STATUS_ERR
#define IRQ_NONE  VPLAT_VIRTIO_GPIO_IRQ_TYPE_NONE
#define IRQ_RISE  VPLAT_VIRTIO_GPIO_IRQ_TYPE_EDGE_RISING
#define IRQ_FALL  VPLAT_VIRTIO_GPIO_IRQ_TYPE_EDGE_FALLING
#define IRQ_HIGH  VPLAT_VIRTIO_GPIO_IRQ_TYPE_LEVEL_HIGH
#define IRQ_LOW   VPLAT_VIRTIO_GPIO_IRQ_TYPE_LEVEL_LOW

/* ---- line names --------------------------------------------------------------------- */

static bool name_ascii(const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] > 0x7f)
			return false;
	return true;
}

int vplat_gpio_names_pack(const char *const *names, uint16_t n, uint8_t *buf, size_t cap,
			  uint32_t *size)
{
	if (!size || (n && !names))
		return VPLAT_EINVAL;
	*size = 0;
	size_t need = 0;
	bool any = false;
	for (uint16_t i = 0; i < n; i++) {
		size_t len = names[i] ? strlen(names[i]) : 0;
		if (!name_ascii((const uint8_t *)names[i], len))
			return VPLAT_EINVAL;
		for (uint16_t j = 0; len && j < i; j++)
			if (names[j] && strlen(names[j]) == len && !memcmp(names[i], names[j], len))
				return VPLAT_EEXIST;
		need += len + 1;
		any |= len != 0;
	}
	if (!any)
		return 0; /* no names: gpio_names_size is 0 */
	if (!buf || need > cap || need > UINT32_MAX)
		return VPLAT_ENOMEM;
	size_t off = 0;
	for (uint16_t i = 0; i < n; i++) {
		size_t len = names[i] ? strlen(names[i]) : 0;
		if (len)
			(void)memcpy(buf + off, names[i], len);
		buf[off + len] = 0;
		off += len + 1;
	}
	*size = (uint32_t)need;
	return 0;
}

/* A block is valid when it holds exactly @n NUL-terminated ASCII strings, non-empty ones
 * unique (devicenormative: requestq Operation, "strings MUST be zero-terminated and unique"). */
static bool names_valid(const uint8_t *b, uint32_t size, uint16_t n)
{
	uint32_t off = 0;
	for (uint16_t i = 0; i < n; i++) {
		if (off >= size)
			return false;
		uint32_t len = 0;
		while (off + len < size && b[off + len])
			len++;
		if (off + len == size)
			return false; /* not NUL-terminated */
		if (!name_ascii(b + off, len))
			return false;
		uint32_t o2 = 0;
		for (uint16_t j = 0; len && j < i; j++) {
			uint32_t l2 = (uint32_t)strlen((const char *)b + o2);
			if (l2 == len && !memcmp(b + o2, b + off, len))
				return false;
			o2 += l2 + 1;
		}
		off += len + 1;
	}
	return off == size;
}

/* ---- eventq --------------------------------------------------------------------------- */

static void evq_complete(struct vplat_gpio *g, struct vplat_chain *c, uint8_t status)
{
	uint32_t w = (uint32_t)vplat_chain_write(c, 0, &status, 1);
	if (status == VPLAT_VIRTIO_GPIO_IRQ_STATUS_VALID)
		g->stats.irqs++;
	else
		g->stats.irq_invalid++;
	(void)vplat_vq_push(&g->vqs[GPIO_EVQ], c, w);
}

/* Return the line's queued buffer (this masks the interrupt again). */
static void line_return(struct vplat_gpio *g, struct vplat_gpio_line *l, uint8_t status)
{
	if (!l->unmasked)
		return;
	l->unmasked = false;
	l->chain.iov = l->iov; /* the line state may have been copied by the caller */
	evq_complete(g, &l->chain, status);
	(void)vplat_vq_interrupt(&g->vqs[GPIO_EVQ]);
}

static bool is_edge(uint8_t t) { return t >= IRQ_RISE && t <= VPLAT_VIRTIO_GPIO_IRQ_TYPE_EDGE_BOTH; }
static bool is_level(uint8_t t) { return t == IRQ_HIGH || t == IRQ_LOW; }

static bool level_active(uint8_t type, uint8_t level)
{
	return (type == IRQ_HIGH && level) || (type == IRQ_LOW && !level);
}

static bool host_level(struct vplat_gpio *g, uint16_t line, uint8_t *level)
{
	uint8_t v = 0;
	if (g->host->get_value(g->host_opaque, line, &v) != 0) {
		g->stats.host_errors++;
		return false;
	}
	*level = v ? 1 : 0;
	return true;
}

/* The line was just unmasked (or its type changed while unmasked): deliver what is due. */
static void line_check(struct vplat_gpio *g, uint16_t line)
{
	struct vplat_gpio_line *l = &g->lines[line];
	if (!l->unmasked)
		return;
	if (is_edge(l->irq_type) && l->latched) {
		l->latched = false;
		line_return(g, l, VPLAT_VIRTIO_GPIO_IRQ_STATUS_VALID);
	} else if (is_level(l->irq_type) && host_level(g, line, &l->level) &&
		   level_active(l->irq_type, l->level)) {
		line_return(g, l, VPLAT_VIRTIO_GPIO_IRQ_STATUS_VALID);
	}
}

void vplat_gpio_input_event(struct vplat_gpio *g, uint16_t line, uint8_t level)
{
	if (!g || line >= g->ngpio)
		return;
	struct vplat_gpio_line *l = &g->lines[line];
	level = level ? 1 : 0;
	l->level = level;
	if (l->dir == DIR_OUT || l->irq_type == IRQ_NONE)
		return;
	if (is_edge(l->irq_type)) {
		/* The host reports a change *to* @level: that is a rising or a falling edge. */
		bool hit = (l->irq_type & (level ? IRQ_RISE : IRQ_FALL)) != 0;
		if (!hit)
			return;
		if (l->unmasked)
			line_return(g, l, VPLAT_VIRTIO_GPIO_IRQ_STATUS_VALID);
		else
			l->latched = true; /* devicenormative: "MUST latch an edge interrupt" */
	} else if (level_active(l->irq_type, level) && l->unmasked) {
		/* Level interrupts are never latched while masked. */
		line_return(g, l, VPLAT_VIRTIO_GPIO_IRQ_STATUS_VALID);
	}
}

/* One eventq buffer pair: struct virtio_gpio_irq_request + virtio_gpio_irq_response. */
static void evq_one(struct vplat_gpio *g, struct vplat_chain *c)
{
	vplat_le16 raw;
	if (vplat_chain_read(c, 0, &raw, sizeof(raw)) != sizeof(raw) || c->write_len < 1) {
		evq_complete(g, c, VPLAT_VIRTIO_GPIO_IRQ_STATUS_INVALID);
		return;
	}
	uint16_t line = vplat_le16_to_cpu(raw);
	if (line >= g->ngpio) {
		evq_complete(g, c, VPLAT_VIRTIO_GPIO_IRQ_STATUS_INVALID);
		return;
	}
	struct vplat_gpio_line *l = &g->lines[line];
	/* Not enabled (or an output), or a second pair for the same line (the driver MUST NOT):
	 * return it at once with INVALID (sec: Set IRQ Type, "unmasked without being enabled"). */
	if (l->irq_type == IRQ_NONE || l->dir == DIR_OUT || l->unmasked) {
		evq_complete(g, c, VPLAT_VIRTIO_GPIO_IRQ_STATUS_INVALID);
		return;
	}
	l->chain = *c;
	(void)memcpy(l->iov, c->iov, sizeof(struct vplat_iov) * (c->nread + c->nwrite));
	l->chain.iov = l->iov;
	l->chain.iov_cap = VPLAT_GPIO_EVENT_SEGS;
	l->unmasked = true;
	line_check(g, line);
}

static void evq_process(struct vplat_gpio *g)
{
	struct vplat_vq *vq = &g->vqs[GPIO_EVQ];
	struct vplat_iov iov[VPLAT_GPIO_EVENT_SEGS];
	for (;;) {
		struct vplat_chain c = {.iov = iov, .iov_cap = VPLAT_GPIO_EVENT_SEGS};
		int rc = vplat_vq_pop(vq, &c);
		if (rc == VPLAT_E2BIG) {
			c.nread = 0;
			c.nwrite = 0;
			c.read_len = 0;
			c.write_len = 0;
			evq_complete(g, &c, VPLAT_VIRTIO_GPIO_IRQ_STATUS_INVALID);
			continue;
		}
		if (rc != 0)
			break;
		evq_one(g, &c);
	}
	(void)vplat_vq_interrupt(vq);
}

/* ---- requestq ------------------------------------------------------------------------- */

static int host_call(struct vplat_gpio *g, int rc)
{
	if (rc != 0)
		g->stats.host_errors++;
	return rc;
}

/* Disable the line's interrupt: discard a latched edge, return its buffer INVALID
 * (devicenormative: requestq Operation, "MUST discard any latched interrupt"; eventq
 * Operation, "MUST return the buffers ... INVALID"). */
static void irq_disable(struct vplat_gpio *g, uint16_t line)
{
	struct vplat_gpio_line *l = &g->lines[line];
	if (l->irq_type != IRQ_NONE && g->host->set_irq_type)
		(void)host_call(g, g->host->set_irq_type(g->host_opaque, line, IRQ_NONE));
	l->irq_type = IRQ_NONE;
	l->latched = false;
	line_return(g, l, VPLAT_VIRTIO_GPIO_IRQ_STATUS_INVALID);
}

static uint8_t req_set_direction(struct vplat_gpio *g, uint16_t line, uint32_t dir)
{
	struct vplat_gpio_line *l = &g->lines[line];
	if (dir > DIR_IN)
		return ST_ERR;
	if (dir != DIR_IN)
		irq_disable(g, line); /* outputs and released lines have no interrupt */
	if (host_call(g, g->host->set_direction(g->host_opaque, line, (uint8_t)dir,
						dir == DIR_OUT ? l->value : 0)) != 0)
		return ST_ERR;
	l->dir = (uint8_t)dir;
	if (dir == DIR_NONE) {
		/* devicenormative: "MUST discard all state information" of the line. */
		l->value = 0;
		l->latched = false;
	}
	return ST_OK;
}

static uint8_t req_set_value(struct vplat_gpio *g, uint16_t line, uint32_t value)
{
	struct vplat_gpio_line *l = &g->lines[line];
	if (value > 1)
		return ST_ERR;
	/* Remembered for a later SET_DIRECTION(OUT) (sec: requestq Operation / Set Value). */
	if (l->dir == DIR_OUT &&
	    host_call(g, g->host->set_value(g->host_opaque, line, (uint8_t)value)) != 0)
		return ST_ERR;
	l->value = (uint8_t)value;
	return ST_OK;
}

static uint8_t req_set_irq_type(struct vplat_gpio *g, uint16_t line, uint32_t type)
{
	struct vplat_gpio_line *l = &g->lines[line];
	if (!vplat_device_has_feature(&g->dev, VPLAT_VIRTIO_GPIO_F_IRQ) || !g->host->set_irq_type)
		return ST_ERR; /* only with VIRTIO_GPIO_F_IRQ */
	if (type == IRQ_NONE) {
		irq_disable(g, line);
		return ST_OK;
	}
	if (!(is_edge((uint8_t)type) || is_level((uint8_t)type)) || type > IRQ_LOW)
		return ST_ERR;
	if (l->dir == DIR_OUT)
		return ST_ERR; /* the driver MUST NOT send IRQ messages for an output */
	if (l->irq_type == type)
		return ST_OK;
	if (host_call(g, g->host->set_irq_type(g->host_opaque, line, (uint8_t)type)) != 0)
		return ST_ERR;
	/* A type change (which a driver should do through NONE) drops a latched edge. */
	l->latched = false;
	l->irq_type = (uint8_t)type;
	(void)host_level(g, line, &l->level);
	line_check(g, line);
	return ST_OK;
}

/* GET_LINE_NAMES: status + the gpio-names block (sec: requestq Operation / Get Line Names). */
static uint32_t req_names(struct vplat_gpio *g, const struct vplat_chain *c)
{
	uint8_t st = ST_ERR;
	if (g->names_size && c->write_len >= 1 + (uint64_t)g->names_size) {
		st = ST_OK;
		(void)vplat_chain_write(c, 1, g->names, g->names_size);
	}
	(void)vplat_chain_write(c, 0, &st, 1);
	if (st == ST_OK)
		return 1 + g->names_size;
	uint8_t zero = 0; /* all fields of a failed reply are set: value 0 */
	return (uint32_t)(1 + vplat_chain_write(c, 1, &zero, 1));
}

/* Parse and answer one message; returns bytes written into the response. */
static uint32_t req_one(struct vplat_gpio *g, const struct vplat_chain *c)
{
	struct vplat_virtio_gpio_request req;
	struct vplat_virtio_gpio_response rsp = {.status = ST_ERR, .value = 0};

	if (vplat_chain_read(c, 0, &req, sizeof(req)) != sizeof(req) || c->write_len < 1) {
		g->stats.malformed++;
		g->stats.errors++;
		return (uint32_t)vplat_chain_write(c, 0, &rsp, sizeof(rsp));
	}
	uint16_t type = vplat_le16_to_cpu(req.type);
	uint16_t line = vplat_le16_to_cpu(req.gpio);
	uint32_t value = vplat_le32_to_cpu(req.value);
	if (type == VPLAT_VIRTIO_GPIO_MSG_GET_LINE_NAMES) {
		uint32_t w = req_names(g, c);
		g->stats.errors += w == 1 + g->names_size && g->names_size ? 0 : 1;
		return w;
	}
	if (line < g->ngpio && c->write_len >= sizeof(rsp)) {
		struct vplat_gpio_line *l = &g->lines[line];
		switch (type) {
		case VPLAT_VIRTIO_GPIO_MSG_GET_DIRECTION:
			rsp.status = ST_OK;
			rsp.value = l->dir;
			break;
		case VPLAT_VIRTIO_GPIO_MSG_SET_DIRECTION:
			rsp.status = req_set_direction(g, line, value);
			break;
		case VPLAT_VIRTIO_GPIO_MSG_GET_VALUE:
			if (host_level(g, line, &rsp.value))
				rsp.status = ST_OK;
			break;
		case VPLAT_VIRTIO_GPIO_MSG_SET_VALUE:
			rsp.status = req_set_value(g, line, value);
			break;
		case VPLAT_VIRTIO_GPIO_MSG_SET_IRQ_TYPE:
			rsp.status = req_set_irq_type(g, line, value);
			break;
		default:
			break; /* unknown message type: ERR */
		}
	}
	if (rsp.status != ST_OK)
		g->stats.errors++;
	return (uint32_t)vplat_chain_write(c, 0, &rsp, sizeof(rsp));
}

static void req_process(struct vplat_gpio *g)
{
	struct vplat_vq *vq = &g->vqs[GPIO_REQ];
	for (;;) {
		struct vplat_chain c = {.iov = g->iov, .iov_cap = VPLAT_GPIO_REQUEST_SEGS};
		int rc = vplat_vq_pop(vq, &c);
		uint32_t w = 0;
		if (rc == VPLAT_E2BIG) {
			g->stats.malformed++; /* too many segments: completed empty */
		} else if (rc != 0) {
			break;
		} else {
			w = req_one(g, &c);
		}
		g->stats.requests++;
		(void)vplat_vq_push(vq, &c, w);
	}
	(void)vplat_vq_interrupt(vq);
}

/* ---- device ops ----------------------------------------------------------------------- */

static void gpio_queue_notify(struct vplat_device *dev, struct vplat_vq *vq)
{
	if (vq->index == GPIO_REQ)
		req_process(dev->opaque);
	else
		evq_process(dev->opaque);
}

/* Release every line at the host end and forget the driver's settings. */
static void gpio_release(struct vplat_gpio *g)
{
	for (uint16_t i = 0; i < g->ngpio; i++) {
		struct vplat_gpio_line *l = &g->lines[i];
		if (l->irq_type != IRQ_NONE && g->host->set_irq_type)
			g->host->set_irq_type(g->host_opaque, i, IRQ_NONE);
		if (l->dir != DIR_NONE)
			g->host->set_direction(g->host_opaque, i, DIR_NONE, 0);
		(void)memset(l, 0, sizeof(*l));
	}
}

static void gpio_reset(struct vplat_device *dev)
{
	gpio_release(dev->opaque); /* the core drops every queued buffer with the rings */
}

static void gpio_queue_reset(struct vplat_device *dev, struct vplat_vq *vq)
{
	struct vplat_gpio *g = dev->opaque;
	if (vq->index != GPIO_EVQ)
		return;
	for (uint16_t i = 0; i < g->ngpio; i++)
		g->lines[i].unmasked = false; /* held buffers went with the queue */
}

static const struct vplat_device_ops gpio_ops = {
	.name = "gpio",
	.device_id = VPLAT_VIRTIO_ID_GPIO,
	.features = VPLAT_BIT(VPLAT_VIRTIO_GPIO_F_IRQ),
	.queue_notify = gpio_queue_notify, /* serves synchronously, never blocks */
	.reset = gpio_reset,
	.queue_reset = gpio_queue_reset,
};

int vplat_gpio_init(struct vplat_gpio *g, struct vplat_mem *mem, struct vplat_gpio_line *lines,
		    uint16_t ngpio, const uint8_t *names, uint32_t names_size,
		    const struct vplat_gpio_host_ops *host, void *host_opaque)
{
	if (!g || !lines || !ngpio || !host || !host->set_direction || !host->get_value ||
	    !host->set_value || (!names) != (names_size == 0))
		return VPLAT_EINVAL;
	if (names && !names_valid(names, names_size, ngpio))
		return VPLAT_EINVAL;
	(void)memset(g, 0, sizeof(*g));
	(void)memset(lines, 0, sizeof(*lines) * ngpio);
	g->lines = lines;
	g->ngpio = ngpio;
	g->names = names;
	g->names_size = names_size;
	g->host = host;
	g->host_opaque = host_opaque;
	g->config.ngpio = vplat_cpu_to_le16(ngpio);
	g->config.gpio_names_size = vplat_cpu_to_le32(names_size);
	int rc = vplat_device_init(&g->dev, &gpio_ops, g, mem, g->vqs, 2, 256,
				   (uint8_t *)&g->config, sizeof(g->config));
	if (rc)
		return rc;
	uint64_t offer = g->dev.host_features & ~VPLAT_BIT(VPLAT_VIRTIO_F_IN_ORDER);
	if (!host->set_irq_type) {
		offer &= ~VPLAT_BIT(VPLAT_VIRTIO_GPIO_F_IRQ);
		(void)vplat_device_set_queue_max(&g->dev, GPIO_EVQ, 0); /* no eventq without F_IRQ */
	}
	return vplat_device_set_offer(&g->dev, offer);
}

struct vplat_device *vplat_gpio_device(struct vplat_gpio *g)
{
	return &g->dev;
}

void vplat_gpio_fini(struct vplat_gpio *g)
{
	if (g && g->lines)
		gpio_release(g);
}

const struct vplat_gpio_stats *vplat_gpio_stats(const struct vplat_gpio *g)
{
	return &g->stats;
}
