/* SPDX-License-Identifier: BSD-3-Clause */
/* Console device: multiport control messages (spec/12-console.md 12.3). */
#include "console_test.h"

#define NMSG 64

static enum vplat_result ready_adds(struct vplat_test_ctx *t)
{
	struct con c;
	enum vplat_result r = con_up(t, &c, 0, 80, 16);
	if (r != VPLAT_PASS)
		return r;
	static struct cmsg m[NMSG];
	unsigned n = con_collect(t, &c, m, NMSG, CON_QUIET_MS);
	VPLAT_T_CHECK_MSG(t, 1, n == 0, "no control message before DEVICE_READY",
			  "%u messages before DEVICE_READY (first: event %u port %u)", n, m[0].event,
			  m[0].id);
	n = con_ready(t, &c, m, NMSG);
	VPLAT_T_CHECK_MSG(t, 2, n >= 1 && m[0].event == E_ADD && m[0].id == 0,
			  "DEVICE_ADD for port 0 first", "%u messages, first event %u port %u", n,
			  n ? m[0].event : 0, n ? m[0].id : 0);
	int64_t prev = -1;
	for (unsigned i = 0; i < n; i++) {
		VPLAT_T_CHECK_MSG(t, 3, m[i].event == E_ADD, "only DEVICE_ADDs after DEVICE_READY",
				  "message %u: event %u", i, m[i].event);
		VPLAT_T_CHECK_MSG(t, 4, (int64_t)m[i].id > prev, "in ascending port order, each once",
				  "port %u after port %lld", m[i].id, (long long)prev);
		VPLAT_T_CHECK_MSG(t, 5, m[i].id < c.max_ports, "port numbers below max_nr_ports",
				  "DEVICE_ADD for port %u, max_nr_ports %u", m[i].id, c.max_ports);
		prev = m[i].id;
	}
	/* A second DEVICE_READY adds nothing already added. */
	VPLAT_T_CHECK(t, 6, con_send(t, &c, 0, E_READY, 1, 8) == 0);
	unsigned n2 = con_collect(t, &c, m, NMSG, CON_QUIET_MS);
	for (unsigned i = 0; i < n2; i++)
		VPLAT_T_CHECK_MSG(t, 7, m[i].event != E_ADD, "no DEVICE_ADD for a port that exists",
				  "DEVICE_ADD for port %u again after a second DEVICE_READY", m[i].id);
	return VPLAT_PASS;
}
VPLAT_TEST(con_device_ready_adds_ports, "VPLAT-CON-013 VPLAT-CON-015", "sec:Device Types / Console Device / Device Initialization", VPLAT_VIRTIO_ID_CONSOLE, 0, "nothing before DEVICE_READY 1; then one DEVICE_ADD per port, ascending from port 0, below max_nr_ports; a second DEVICE_READY adds nothing", ready_adds);

static enum vplat_result ready_zero_first(struct vplat_test_ctx *t)
{
	struct con c;
	enum vplat_result r = con_up(t, &c, 0, 80, 16);
	if (r != VPLAT_PASS)
		return r;
	static struct cmsg m[NMSG];
	VPLAT_T_CHECK(t, 1, con_send(t, &c, 0, E_READY, 0, 8) == 0);
	VPLAT_T_CHECK(t, 2, con_send(t, &c, 0, E_READY, 1, 8) == 0);
	VPLAT_T_CHECK(t, 3, con_send(t, &c, 0, E_PREADY, 1, 8) == 0);
	unsigned n = con_collect(t, &c, m, NMSG, CON_QUIET_MS);
	VPLAT_T_CHECK_MSG(t, 4, n == 0, "no control message after DEVICE_READY 0 until reset",
			  "%u messages (first: event %u port %u)", n, m[0].event, m[0].id);
	/* A reset ends it. */
	VPLAT_T_CHECK(t, 5, vplat_val_reset(t->d) == 0);
	for (unsigned i = 0; i < t->nvqs; i++)
		vplat_val_vq_fini(&t->vqs[i]);
	t->nvqs = 0;
	if ((r = con_up(t, &c, 0, 80, 16)) != VPLAT_PASS)
		return r;
	n = con_ready(t, &c, m, NMSG);
	VPLAT_T_CHECK_MSG(t, 6, n >= 1 && m[0].event == E_ADD, "after a reset DEVICE_READY 1 works",
			  "%u messages", n);
	return VPLAT_PASS;
}
VPLAT_TEST(con_device_ready_zero_silences, "VPLAT-CON-014", "sec:Device Types / Console Device / Device Operation / Multiport Device Operation", VPLAT_VIRTIO_ID_CONSOLE, 0, "DEVICE_READY 0 then DEVICE_READY 1 and PORT_READY: no control message until reset; after reset the start-up works", ready_zero_first);

static enum vplat_result ready_zero_later(struct vplat_test_ctx *t)
{
	struct con c;
	enum vplat_result r = con_up(t, &c, 0, 80, 16);
	if (r != VPLAT_PASS)
		return r;
	static struct cmsg m[NMSG];
	unsigned n = con_ready(t, &c, m, NMSG);
	VPLAT_T_CHECK(t, 1, n >= 1);
	VPLAT_T_CHECK(t, 2, con_send(t, &c, 0, E_READY, 0, 8) == 0);
	VPLAT_T_CHECK(t, 3, con_send(t, &c, 0, E_PREADY, 1, 8) == 0);
	n = con_collect(t, &c, m, NMSG, CON_QUIET_MS);
	VPLAT_T_CHECK_MSG(t, 4, n == 0, "no control message after DEVICE_READY 0",
			  "%u messages after DEVICE_READY 0 and PORT_READY (first: event %u port %u)",
			  n, m[0].event, m[0].id);
	return VPLAT_PASS;
}
VPLAT_TEST(con_device_ready_zero_after_start, "VPLAT-CON-014", "sec:Device Types / Console Device / Device Operation / Multiport Device Operation", VPLAT_VIRTIO_ID_CONSOLE, 0, "after the start-up, DEVICE_READY 0 then PORT_READY 1 for port 0: no further control message", ready_zero_later);

/* Valid UTF-8 without NUL. */
static bool utf8_ok(const uint8_t *s, uint32_t n)
{
	for (uint32_t i = 0; i < n;) {
		uint8_t b = s[i];
		unsigned k = b < 0x80 ? 0 : (b & 0xe0) == 0xc0 ? 1 : (b & 0xf0) == 0xe0 ? 2
			     : (b & 0xf8) == 0xf0 ? 3 : 9;
		if (b == 0 || k == 9 || (k == 1 && b < 0xc2) || i + k >= n + (k ? 0 : 1))
			return false;
		for (unsigned j = 1; j <= k; j++)
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
		i += k + 1;
	}
	return true;
}

static enum vplat_result port_ready_sequence(struct vplat_test_ctx *t)
{
	struct con c;
	enum vplat_result r = con_up(t, &c, 0, 300, 24);
	if (r != VPLAT_PASS)
		return r;
	static struct cmsg adds[NMSG], m[NMSG];
	unsigned na = con_ready(t, &c, adds, NMSG);
	VPLAT_T_CHECK(t, 1, na >= 1);
	static uint8_t names[NMSG][256];
	static uint32_t namelen[NMSG];
	unsigned nnames = 0;
	bool port0_console = false;
	for (unsigned a = 0; a < na; a++) {
		uint32_t id = adds[a].id;
		VPLAT_T_CHECK(t, 2, con_send(t, &c, id, E_PREADY, 1, 8) == 0);
		unsigned n = con_collect(t, &c, m, NMSG, CON_QUIET_MS);
		int stage = 0; /* 0: nothing yet, 1: CONSOLE_PORT seen, 2: PORT_NAME, 3: PORT_OPEN */
		for (unsigned i = 0; i < n; i++) {
			VPLAT_T_CHECK_MSG(t, 3, m[i].id == id, "messages for the port made ready",
					  "PORT_READY for port %u answered with event %u for port %u", id,
					  m[i].event, m[i].id);
			int s = m[i].event == E_CONSOLE ? 1 : m[i].event == E_NAME ? 2
				: m[i].event == E_OPEN ? 3 : 9;
			VPLAT_T_CHECK_MSG(t, 4, s != 9, "only CONSOLE_PORT, PORT_NAME, PORT_OPEN (no RESIZE first)",
					  "port %u: event %u after PORT_READY", id, m[i].event);
			VPLAT_T_CHECK_MSG(t, 5, s > stage, "CONSOLE_PORT, PORT_NAME, PORT_OPEN in that order, once each",
					  "port %u: event %u after stage %d", id, m[i].event, stage);
			stage = s;
			if (s == 1) {
				VPLAT_T_CHECK_MSG(t, 6, m[i].value == 1, "CONSOLE_PORT value 1",
						  "port %u: value %u", id, m[i].value);
				port0_console |= id == 0;
			}
			if (s == 3)
				VPLAT_T_CHECK_MSG(t, 7, m[i].value == 1, "PORT_OPEN value 1 (host end open)",
						  "port %u: value %u", id, m[i].value);
			if (s == 2) {
				uint32_t len = m[i].used - 8;
				VPLAT_T_CHECK_MSG(t, 8, m[i].used > 8 && len <= 255 && utf8_ok(m[i].payload, len),
						  "a name of 1..255 bytes of UTF-8 without NUL",
						  "port %u: name of %u bytes", id, m[i].used < 8 ? 0 : len);
				for (unsigned k = 0; k < nnames; k++)
					VPLAT_T_CHECK_MSG(t, 9, namelen[k] != len || memcmp(names[k], m[i].payload, len),
							  "no two ports with one name", "port %u repeats a name", id);
				memcpy(names[nnames], m[i].payload, len);
				namelen[nnames++] = len;
			}
		}
	}
	VPLAT_T_CHECK_MSG(t, 10, port0_console, "port 0 nominated with CONSOLE_PORT 1",
			  "no CONSOLE_PORT for port 0");
	return VPLAT_PASS;
}
VPLAT_TEST(con_port_ready_sequence, "VPLAT-CON-017 VPLAT-CON-021 VPLAT-CON-023", "sec:Device Types / Console Device / Device Operation / Multiport Device Operation", VPLAT_VIRTIO_ID_CONSOLE, 0, "PORT_READY 1 for each added port: CONSOLE_PORT 1, PORT_NAME, PORT_OPEN 1 in that order (each optional, nothing else); port 0 is a console; names are unique UTF-8 of 1..255 bytes", port_ready_sequence);

static enum vplat_result port_ready_zero(struct vplat_test_ctx *t)
{
	struct con c;
	enum vplat_result r = con_up(t, &c, 0, 80, 16);
	if (r != VPLAT_PASS)
		return r;
	if (!c.tx1)
		return vplat_t_skip(t, "max_nr_ports %u: no port 1", c.max_ports);
	static struct cmsg m[NMSG];
	unsigned n = con_ready(t, &c, m, NMSG);
	bool has1 = false;
	for (unsigned i = 0; i < n; i++)
		has1 |= m[i].event == E_ADD && m[i].id == 1;
	if (!has1)
		return vplat_t_skip(t, "the device adds no port 1");
	VPLAT_T_CHECK(t, 1, con_send(t, &c, 1, E_PREADY, 0, 8) == 0);
	n = con_collect(t, &c, m, NMSG, CON_QUIET_MS);
	for (unsigned i = 0; i < n; i++)
		VPLAT_T_CHECK_MSG(t, 2, m[i].id != 1, "nothing for a port that failed",
				  "event %u for port 1 after PORT_READY 0", m[i].event);
	uint8_t *line = dmab(t, 8);
	memcpy(line, "port 1\n", 7);
	struct vplat_val_buf b = {.ptr = line, .len = 7};
	VPLAT_T_CHECK(t, 3, vplat_val_vq_add(c.tx1, &b, 1, 0, line) == 0);
	vplat_val_vq_kick(c.tx1);
	VPLAT_T_CHECK_MSG(t, 4, quiet_for(t, c.tx1, 100, NULL),
			  "the port's queues are not used after PORT_READY 0",
			  "a transmit buffer of port 1 was used after PORT_READY 0");
	return VPLAT_PASS;
}
VPLAT_TEST(con_port_ready_zero_unused, "VPLAT-CON-018", "sec:Device Types / Console Device / Device Operation / Multiport Device Operation", VPLAT_VIRTIO_ID_CONSOLE, 0, "after PORT_READY 0 for port 1 the device sends nothing for it and leaves a buffer on its transmitq alone", port_ready_zero);

static enum vplat_result small_buffers(struct vplat_test_ctx *t)
{
	struct con c;
	/* Control receive buffers of 8 bytes: every message fits but PORT_NAME. */
	enum vplat_result r = con_up(t, &c, 0, 8, 8);
	if (r != VPLAT_PASS)
		return r;
	static struct cmsg m[NMSG];
	unsigned n = con_ready(t, &c, m, NMSG);
	VPLAT_T_CHECK(t, 1, n >= 1);
	for (unsigned i = 0; i < n; i++)
		VPLAT_T_CHECK_MSG(t, 2, m[i].used == 8, "DEVICE_ADD whole in an 8-byte buffer",
				  "used %u", m[i].used);
	unsigned seen_name = 0;
	c.buflen = 0; /* no automatic re-posting: the test decides every buffer's size */
	for (unsigned a = 0; a < n && a < NMSG; a++) {
		uint32_t id = m[a].id;
		static struct cmsg p[NMSG];
		for (int k = 0; k < 8; k++)
			VPLAT_T_CHECK(t, 3, con_post(t, &c, 8) == 0);
		VPLAT_T_CHECK(t, 4, con_send(t, &c, id, E_PREADY, 1, 8) == 0);
		unsigned np = con_collect(t, &c, p, NMSG, CON_QUIET_MS);
		bool empty_seen = false;
		for (unsigned i = 0; i < np; i++) {
			if (p[i].used == 0) {
				empty_seen = true;
				continue;
			}
			VPLAT_T_CHECK_MSG(t, 5, p[i].used == 8 && p[i].event != E_NAME,
					  "no message split or cut to fit a buffer",
					  "port %u: event %u delivered in %u bytes of an 8-byte buffer", id,
					  p[i].event, p[i].used);
			VPLAT_T_CHECK_MSG(t, 6, !empty_seen,
					  "nothing overtakes the message waiting for a bigger buffer",
					  "port %u: event %u after a buffer returned empty", id, p[i].event);
		}
		if (!empty_seen)
			continue;
		/* One big buffer gets the held message whole. */
		VPLAT_T_CHECK(t, 7, con_post(t, &c, 300) == 0);
		np = con_collect(t, &c, p, NMSG, CON_QUIET_MS);
		VPLAT_T_CHECK_MSG(t, 8, np == 1 && p[0].event == E_NAME && p[0].used > 8,
				  "the held PORT_NAME comes whole in the next big buffer",
				  "port %u: %u messages, first event %u used %u", id, np,
				  np ? p[0].event : 0, np ? p[0].used : 0);
		seen_name++;
		/* What follows it (PORT_OPEN) fits small buffers again. */
		for (int k = 0; k < 4; k++)
			VPLAT_T_CHECK(t, 9, con_post(t, &c, 8) == 0);
		np = con_collect(t, &c, p, NMSG, CON_QUIET_MS);
		for (unsigned i = 0; i < np; i++)
			VPLAT_T_CHECK_MSG(t, 10, p[i].used == 8 && p[i].id == id && p[i].event == E_OPEN,
					  "then the rest of the sequence", "port %u: event %u used %u", id,
					  p[i].event, p[i].used);
		/* Drain the unused small buffers' worth of nothing: they stay posted for the next port. */
	}
	if (!seen_name)
		return vplat_t_skip(t, "no port has a name: nothing is too big for 8 bytes");
	return VPLAT_PASS;
}
VPLAT_TEST(con_ctrl_small_buffer_keeps_message, "VPLAT-CON-024", "sec:Device Types / Console Device / Device Operation / Multiport Device Operation", VPLAT_VIRTIO_ID_CONSOLE, 0, "with 8-byte control buffers a PORT_NAME is neither cut nor dropped: the buffer comes back empty and the name arrives whole, first, in the next big buffer", small_buffers);
