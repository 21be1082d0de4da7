/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PAL "loopback": vplat's own device models, in process, each behind a fresh virtio-mmio or
 * virtio-pci transport model for every test. Add a device model to the table below and every
 * conformance test that applies runs against it on both transports.
 *
 * Every model is built by the device factory (vplat/platform/instance.h), as the daemons and
 * platform descriptions build theirs: a model fills the factory's options, giving it a test
 * host end (in-memory disks, console sinks, the net and rng mocks) where vplat's own host ends
 * would need files, sockets or taps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "conformance/pal/pal.h"
#include "vplat/error.h"
#include "vplat/val/loopback.h"
#include "vplat/blk.h"
#include "vplat/can.h"
#include "vplat/console.h"
#include "vplat/gpio.h"
#include "vplat/net.h"
#include "vplat/rng.h"
#include "vplat/watchdog.h"
#include "vplat/fabric/can_bus.h"
#include "vplat/platform/instance.h"
#include "vplat/host/gpio_host.h"
#include "vplat/val/mock.h"
#include "vplat/val/val.h"
#include "vplat/val/conform.h"

/* One device model the PAL can build through the factory. */
struct lb_model {
	const char *name;
	uint32_t device_id;
	size_t state_size;
	/* Fill the factory's options; @p state (zeroed) holds what they point to: a test host
	 * end, a bus the device joins. */
	int (*options)(void *state, struct vplat_instance_options *o);
	/* Optional: release @p state (after the instance is destroyed, or if the factory
	 * refused the options). */
	void (*destroy)(void *state);
	/* Optional: the host side's turn while a test waits (vplat_t_poll()), after the
	 * instance's own dispatch. */
	void (*poll)(void *state, struct vplat_instance *inst);
};

static int rng_options(void *state, struct vplat_instance_options *o)
{
	o->type = VPLAT_INSTANCE_RNG;
	o->rng = (struct vplat_instance_rng){.host = &vplat_rng_host_mock, .host_opaque = state};
	return 0;
}

/* Block: 1 MiB in-memory disk with every optional request type offered, 64 KiB segments. */
#define BLK_BYTES (1u << 20)
#define BLK_REQS 64
struct blk_state {
	struct vplat_blk_config cfg;
	struct vplat_blk_mem disk;
	uint8_t data[BLK_BYTES];
};

/* The factory's options of a block model on the in-memory disk @p disk. */
static void blk_mem_options(struct vplat_instance_options *o, struct vplat_blk_mem *disk,
			    const struct vplat_blk_config *cfg)
{
	o->type = VPLAT_INSTANCE_BLK;
	o->blk = (struct vplat_instance_blk){.host = &vplat_blk_host_mem, .host_opaque = disk,
					     .config = cfg, .max_requests = BLK_REQS};
}

static int blk_options(void *state, struct vplat_instance_options *o)
{
	struct blk_state *s = state;
	s->cfg = (struct vplat_blk_config){.capacity = BLK_BYTES / 512, .writeback = true,
					   .discard = true, .write_zeroes = true,
					   .write_zeroes_may_unmap = true, .secure_erase = true,
					   .size_max = 64u << 10, .id = "vplat-conform"};
	s->disk.data = s->data;
	s->disk.size = BLK_BYTES;
	blk_mem_options(o, &s->disk, &s->cfg);
	return 0;
}

/*
 * Block, read-only: a 256 KiB disk pre-filled with a pattern, two request queues (MQ), an
 * eMMC-like host end with lifetime metrics, and the range commands offered (a read-only device
 * must refuse them as writes).
 */
#define BLK_RO_BYTES (256u << 10)
struct blk_ro_state {
	struct vplat_blk_config cfg;
	struct vplat_blk_mem disk;
	uint8_t data[BLK_RO_BYTES];
};

static int blk_ro_options(void *state, struct vplat_instance_options *o)
{
	struct blk_ro_state *s = state;
	s->cfg = (struct vplat_blk_config){.capacity = BLK_RO_BYTES / 512, .read_only = true,
					   .num_queues = 2, .discard = true, .write_zeroes = true,
					   .secure_erase = true, .lifetime = true, .blk_size = 4096,
					   .physical_block_exp = 0, .size_max = 64u << 10,
					   .id = "vplat-conform-ro"};
	for (size_t i = 0; i < BLK_RO_BYTES; i++)
		s->data[i] = (uint8_t)(i * 7u + (i >> 9) + 3u);
	s->disk.data = s->data;
	s->disk.size = BLK_RO_BYTES;
	s->disk.has_lifetime = true;
	s->disk.lifetime = (struct vplat_virtio_blk_lifetime){
		.pre_eol_info = vplat_cpu_to_le16(VPLAT_VIRTIO_BLK_PRE_EOL_INFO_NORMAL),
		.device_lifetime_est_typ_a = vplat_cpu_to_le16(2),
		.device_lifetime_est_typ_b = vplat_cpu_to_le16(1)};
	blk_mem_options(o, &s->disk, &s->cfg);
	return 0;
}

/*
 * Console host end for the suite: takes every byte at once and keeps a count (the suite
 * checks the driver side; what reaches a host end is the host tests' business).
 */
struct con_sink {
	uint64_t bytes;
	uint64_t emerg;
};

static int32_t sink_write(void *host, uint32_t port, const uint8_t *buf, uint32_t len)
{
	(void)port, (void)buf;
	((struct con_sink *)host)->bytes += len;
	return (int32_t)(len > INT32_MAX ? INT32_MAX : len);
}

static void sink_emerg(void *host, uint8_t ch)
{
	(void)ch;
	((struct con_sink *)host)->emerg++;
}

static const struct vplat_console_host_ops con_sink_ops = {
	.write = sink_write,
	.emerg = sink_emerg,
};

/*
 * Console, multiport: 4 ports; port 0 the console, port 1 a named second console, port 2 a
 * named port whose host side is closed, port 3 free for hot plug.
 */
struct con_state {
	struct con_sink sink[3];
	struct vplat_instance_console_port ports[2];
};

static int con_options(void *state, struct vplat_instance_options *o)
{
	struct con_state *s = state;
	s->ports[0] = (struct vplat_instance_console_port){
		.id = 1, .name = "vplat.console1", .console = true,
		.end = VPLAT_INSTANCE_CONSOLE_CUSTOM, .host = &con_sink_ops,
		.host_opaque = &s->sink[1]};
	s->ports[1] = (struct vplat_instance_console_port){
		.id = 2, .name = "org.vplat.agent", .closed = true,
		.end = VPLAT_INSTANCE_CONSOLE_CUSTOM, .host = &con_sink_ops,
		.host_opaque = &s->sink[2]};
	o->type = VPLAT_INSTANCE_CONSOLE;
	o->console = (struct vplat_instance_console){
		.end = VPLAT_INSTANCE_CONSOLE_CUSTOM, .host = &con_sink_ops,
		.host_opaque = &s->sink[0], .max_ports = 4, .cols = 80, .rows = 25,
		.ports = s->ports, .nports = 2};
	return 0;
}

/* Console, single port (no MULTIPORT). */
static int con_sp_options(void *state, struct vplat_instance_options *o)
{
	struct con_state *s = state;
	o->type = VPLAT_INSTANCE_CONSOLE;
	o->console = (struct vplat_instance_console){
		.end = VPLAT_INSTANCE_CONSOLE_CUSTOM, .host = &con_sink_ops,
		.host_opaque = &s->sink[0], .max_ports = 1, .cols = 132, .rows = 43};
	return 0;
}

/* Network: one queue pair with the control queue, MAC, MTU and link speed. */
struct net_state {
	struct vplat_net_config cfg;
	struct vplat_net_mock mock;
};

/* The factory's options of a network model on the mock host end of @p s. */
static void net_mock_options(struct vplat_instance_options *o, struct net_state *s)
{
	o->type = VPLAT_INSTANCE_NET;
	o->net = (struct vplat_instance_net){.backend = VPLAT_INSTANCE_NET_CUSTOM,
					     .host = &vplat_net_host_mock, .host_opaque = &s->mock,
					     .config = &s->cfg};
}

static int net_options(void *state, struct vplat_instance_options *o)
{
	struct net_state *s = state;
	s->cfg = (struct vplat_net_config){.mac = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56},
					   .has_mac = true, .mtu = 1500, .pairs = 1, .ctrl = true,
					   .speed = 1000, .duplex = 1};
	net_mock_options(o, s);
	return 0;
}

/*
 * Network, multiqueue: 4 queue pairs, no MAC, MTU or speed (feature-gated fields absent), and
 * a host end that takes every offload, so the GSO features are offered too.
 */
static int net_mq_options(void *state, struct vplat_instance_options *o)
{
	struct net_state *s = state;
	s->cfg = (struct vplat_net_config){.pairs = VPLAT_NET_MAX_PAIRS, .ctrl = true};
	s->mock.offloads = VPLAT_NET_OFFLOAD_MASK;
	net_mock_options(o, s);
	return 0;
}

/*
 * GPIO: 8 lines of vplat's line simulator, VIRTIO_GPIO_F_IRQ offered, every line named except
 * line 3. Lines 4..7 are two loopback wires of the simulator (vplat_gpio_sim_wire(), the
 * instance option loop_wires: the last 2N lines), a convention the GPIO tests look for by
 * name: "loop-out0" (4) -> "loop-in0" (5), "loop-out1" (6) -> "loop-in1" (7).
 * loop-inN follows the level loop-outN drives while loop-outN is an output, and 0 (a
 * pull-down) otherwise, as a wire between two pins would; the simulator reports the input
 * change to the device (vplat_gpio_input_event()), so a driver raises interrupts on loop-inN
 * by writing loop-outN with SET_VALUE: no host-side hook is needed. A platform without lines
 * of these names makes the interrupt tests SKIP.
 */
#define GPIO_LINES 8
static const char *const gpio_line_names[GPIO_LINES] = {
	"ign-sense", "cam0-reset", "telltale-led", "",
	"loop-out0", "loop-in0", "loop-out1", "loop-in1"};

static int gpio_options(void *state, struct vplat_instance_options *o)
{
	(void)state;
	o->type = VPLAT_INSTANCE_GPIO;
	o->gpio = (struct vplat_instance_gpio){
		.lines = GPIO_LINES, .line_names = gpio_line_names, .loop_wires = 2};
	return 0;
}

/*
 * GPIO, plain: 4 unnamed lines (gpio_names_size 0) on a host end that cannot detect input
 * events, so VIRTIO_GPIO_F_IRQ is not offered and there is no eventq.
 */
static int gpio_plain_options(void *state, struct vplat_instance_options *o)
{
	(void)state;
	o->type = VPLAT_INSTANCE_GPIO;
	o->gpio = (struct vplat_instance_gpio){.lines = 4, .no_irq = true, .no_names = true};
	return 0;
}

/*
 * CAN: the device on a virtual CAN bus (no timing model: frames move when the PAL polls) with
 * every feature offered (CLASSIC, FD, RTR_FRAMES, LATE_TX_ACK), and one other node, "echo": a
 * generic port that acknowledges every frame (as any receiver on a CAN bus does) and sends
 * each frame it receives back onto the bus unchanged, once. A frame the driver transmits thus
 * comes back to the driver as a received frame from another node, which gives the tests RX
 * without a host-side hook. Frames move on every poll (vplat_t_poll()), so with LATE_TX_ACK a
 * frame stays pending until the test waits. On a platform without such a peer, the RX tests
 * SKIP when nothing comes back.
 */
struct can_state {
	struct vplat_canbus *bus;
	struct vplat_canbus_node *echo;
};

static void can_echo(void *opaque, const struct vplat_can_frame *f,
		     const struct vplat_canbus_node *from)
{
	(void)from;
	vplat_canbus_port_send(((struct can_state *)opaque)->echo, f);
}

static void can_destroy(void *state)
{
	struct can_state *s = state;
	vplat_canbus_free(s->bus);
	s->bus = NULL;
}

static int can_options(void *state, struct vplat_instance_options *o)
{
	struct can_state *s = state;
	s->bus = vplat_canbus_new(NULL);
	s->echo = s->bus ? vplat_canbus_add_port(s->bus, "echo", can_echo, s) : NULL;
	if (!s->echo)
		return VPLAT_ENOMEM;
	o->type = VPLAT_INSTANCE_CAN;
	o->can = (struct vplat_instance_can){.backend = VPLAT_INSTANCE_CAN_BUS, .bus = s->bus,
					     .node_name = "dut"};
	return 0;
}

static void can_poll(void *state, struct vplat_instance *inst)
{
	(void)inst;
	vplat_canbus_run(((struct can_state *)state)->bus, 0);
}

/*
 * Watchdog: every vplat feature offered, the smallest timeout 1 s so that tests can watch an
 * expiry, the host's monotonic clock; the instance's dispatch (on every poll) ticks it, and
 * the PAL records the expiries.
 */
struct wd_state {
	unsigned expiries;
};

static void wd_expired(void *opaque)
{
	((struct wd_state *)opaque)->expiries++;
}

static int wd_options(void *state, struct vplat_instance_options *o)
{
	o->type = VPLAT_INSTANCE_WATCHDOG;
	o->watchdog = (struct vplat_instance_watchdog){.min_timeout_ms = 1000,
						       .expired = wd_expired,
						       .expired_opaque = state};
	return 0;
}

/* I2C: a simulated bus with an LM75 at 0x48 (the device the I2C tests look for) and a
 * 24c02 EEPROM at 0x50; 0x75..0x77 are free. */
static const struct vplat_instance_i2c_lm75 i2c_lm75 = {.addr = 0x48, .millicelsius = 21500};
static const struct vplat_instance_i2c_eeprom i2c_eeprom = {.addr = 0x50};

static int i2c_options(void *state, struct vplat_instance_options *o)
{
	(void)state;
	o->type = VPLAT_INSTANCE_I2C;
	o->i2c = (struct vplat_instance_i2c){.lm75 = &i2c_lm75, .nlm75 = 1, .eeprom = &i2c_eeprom,
					     .neeprom = 1};
	return 0;
}

/* Input: keyboard and a 2-slot touchscreen on a script that answers every status event with
 * an update (the event source the input tests use: spec/19-input.md). */
static int input_options(void *state, struct vplat_instance_options *o)
{
	(void)state;
	o->type = VPLAT_INSTANCE_INPUT;
	o->input = (struct vplat_instance_input){
	    .name = "vplat conformance input", .serial = "conform-1", .slots = 2,
	    .script_text = "wait-status\nkey 30 1\nsyn\nwait-status\nkey 30 0\nsyn\n"
			   "wait-status\nabs 0 100\nabs 1 200\nsyn\nrepeat 0\n"};
	return 0;
}

/* vsock: guest CID 3, no host sockets (every host port refuses), a small table. */
static int vsock_options(void *state, struct vplat_instance_options *o)
{
	(void)state;
	o->type = VPLAT_INSTANCE_VSOCK;
	o->vsock = (struct vplat_instance_vsock){.guest_cid = 3, .max_conns = 16};
	return 0;
}

/* Sound: one output stream recorded into /dev/null (the WAV sink's header and data are
 * written and dropped), one input stream fed from a WAV file the PAL writes (0.5 s of a 400 Hz
 * triangle tone, 8000 Hz S16 mono, looped), one jack the host flips 100 ms after each
 * DRIVER_OK, the two channel maps of vplat's factory; the streams run on the host's monotonic
 * clock, ticked by the instance's dispatch on every poll. */
struct snd_state {
	char source[64];
};

static void put_le(uint8_t *p, uint32_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static int write_tone(char *path)
{
	enum { FRAMES = 4000, RATE = 8000, PERIOD = RATE / 400 };
	static uint8_t wav[44 + FRAMES * 2];
	memcpy(wav, "RIFF", 4);
	put_le(wav + 4, 36 + FRAMES * 2, 4);
	memcpy(wav + 8, "WAVEfmt ", 8);
	put_le(wav + 16, 16, 4);
	put_le(wav + 20, 1, 2); /* PCM */
	put_le(wav + 22, 1, 2); /* mono */
	put_le(wav + 24, RATE, 4);
	put_le(wav + 28, RATE * 2, 4);
	put_le(wav + 32, 2, 2);
	put_le(wav + 34, 16, 2);
	memcpy(wav + 36, "data", 4);
	put_le(wav + 40, FRAMES * 2, 4);
	for (unsigned i = 0; i < FRAMES; i++) {
		int ph = (int)(i % PERIOD), v = ph < PERIOD / 2 ? ph : PERIOD - ph;
		put_le(wav + 44 + 2 * i, (uint32_t)(int16_t)((v * 4 - PERIOD) * 1000), 2);
	}
	int fd = mkstemp(path);
	if (fd < 0)
		return VPLAT_EIO;
	bool ok = write(fd, wav, sizeof(wav)) == (ssize_t)sizeof(wav);
	close(fd);
	if (!ok)
		unlink(path);
	return ok ? 0 : VPLAT_EIO;
}

static int sound_options(void *state, struct vplat_instance_options *o)
{
	struct snd_state *st = state;
	const char *tmp = getenv("TMPDIR");
	if (snprintf(st->source, sizeof(st->source), "%s/vplat-tone.XXXXXX",
		     tmp && strlen(tmp) < 40 ? tmp : "/tmp") >= (int)sizeof(st->source))
		return VPLAT_EINVAL;
	int rc = write_tone(st->source);
	if (rc) {
		st->source[0] = 0;
		return rc;
	}
	o->type = VPLAT_INSTANCE_SOUND;
	o->sound = (struct vplat_instance_sound){.sink = "/dev/null", .source = st->source,
						 .jack_flip_ms = 100};
	return 0;
}

static void sound_destroy(void *state)
{
	struct snd_state *st = state;
	if (st->source[0])
		unlink(st->source);
}

static const struct lb_model models[] = {
	{"rng", VPLAT_VIRTIO_ID_RNG, sizeof(struct vplat_rng_mock), rng_options, NULL, NULL},
	{"blk", VPLAT_VIRTIO_ID_BLOCK, sizeof(struct blk_state), blk_options, NULL, NULL},
	{"blk-ro", VPLAT_VIRTIO_ID_BLOCK, sizeof(struct blk_ro_state), blk_ro_options, NULL, NULL},
	{"net", VPLAT_VIRTIO_ID_NET, sizeof(struct net_state), net_options, NULL, NULL},
	{"net-mq", VPLAT_VIRTIO_ID_NET, sizeof(struct net_state), net_mq_options, NULL, NULL},
	{"console", VPLAT_VIRTIO_ID_CONSOLE, sizeof(struct con_state), con_options, NULL, NULL},
	{"console-sp", VPLAT_VIRTIO_ID_CONSOLE, sizeof(struct con_state), con_sp_options, NULL,
	 NULL},
	{"gpio", VPLAT_VIRTIO_ID_GPIO, 1, gpio_options, NULL, NULL},
	{"gpio-plain", VPLAT_VIRTIO_ID_GPIO, 1, gpio_plain_options, NULL, NULL},
	{"can", VPLAT_VIRTIO_ID_CAN, sizeof(struct can_state), can_options, can_destroy, can_poll},
	{"watchdog", VPLAT_VIRTIO_ID_WATCHDOG, sizeof(struct wd_state), wd_options, NULL, NULL},
	{"i2c", VPLAT_VIRTIO_ID_I2C, 1, i2c_options, NULL, NULL},
	{"input", VPLAT_VIRTIO_ID_INPUT, 1, input_options, NULL, NULL},
	{"vsock", VPLAT_VIRTIO_ID_VSOCK, 1, vsock_options, NULL, NULL},
	{"sound", VPLAT_VIRTIO_ID_SOUND, sizeof(struct snd_state), sound_options, sound_destroy,
	 NULL},
};
#define NMODELS (sizeof(models) / sizeof(models[0]))

/* What one open device needs. */
struct lb_inst {
	struct vplat_loopback lb;
	void *state;
	struct vplat_instance *inst;
	struct vplat_device *dev;
};

/* The model's device over @p mem, from the factory. */
static int lb_build(const struct lb_model *m, struct lb_inst *in, struct vplat_mem *mem)
{
	struct vplat_instance_options o = {0};
	int rc = m->options(in->state, &o);
	if (!rc && !(rc = vplat_instance_create(&in->inst, mem, &o, NULL, 0)))
		in->dev = vplat_instance_device(in->inst);
	return rc;
}

/* Detach the transport, then release the device: the loopback may touch it until then. */
static void lb_unbuild(const struct lb_model *m, struct lb_inst *in)
{
	vplat_loopback_fini(&in->lb);
	vplat_instance_destroy(in->inst);
	in->inst = NULL;
	in->dev = NULL;
	if (m->destroy)
		m->destroy(in->state);
}

struct lb_pal {
	struct lb_inst **inst; /* per device index, while open */
};

static int lb_open(struct vplat_pal *pal, unsigned idx, struct vplat_val_dev *d)
{
	struct lb_pal *p = pal->priv;
	const struct lb_model *m = &models[idx / 2];
	struct lb_inst *in = calloc(1, sizeof(*in));
	if (!in)
		return VPLAT_ENOMEM;
	in->state = calloc(1, m->state_size);
	int rc = in->state ? 0 : VPLAT_ENOMEM;
	if (!rc)
		rc = vplat_loopback_init(&in->lb, (idx & 1) ? VPLAT_LOOPBACK_PCI : VPLAT_LOOPBACK_MMIO,
					 4u << 20);
	if (!rc) {
		rc = lb_build(m, in, vplat_loopback_mem(&in->lb));
		if (!rc)
			rc = vplat_loopback_attach(&in->lb, in->dev);
		if (!rc)
			rc = vplat_loopback_val_init(&in->lb, d);
		if (rc)
			lb_unbuild(m, in);
	}
	if (rc) {
		free(in->state);
		free(in);
		return rc;
	}
	p->inst[idx] = in;
	return 0;
}

static void lb_close(struct vplat_pal *pal, unsigned idx, struct vplat_val_dev *d)
{
	struct lb_pal *p = pal->priv;
	struct lb_inst *in = p->inst[idx];
	(void)d;
	if (!in)
		return;
	lb_unbuild(&models[idx / 2], in);
	free(in->state);
	free(in);
	p->inst[idx] = NULL;
}

static void lb_poll(struct vplat_pal *pal, unsigned idx)
{
	struct lb_pal *p = pal->priv;
	struct lb_inst *in = p->inst[idx];
	if (!in)
		return;
	vplat_instance_dispatch(in->inst);
	if (models[idx / 2].poll)
		models[idx / 2].poll(in->state, in->inst);
}

static int lb_status(struct vplat_pal *pal, unsigned idx)
{
	struct lb_pal *p = pal->priv;
	return p->inst[idx] ? vplat_device_get_status(p->inst[idx]->dev) : -1;
}

static int lb_budget(struct vplat_pal *pal, unsigned idx, uint16_t budget)
{
	struct lb_pal *p = pal->priv;
	if (!p->inst[idx])
		return VPLAT_ENODEV;
	return vplat_device_set_dispatch_budget(p->inst[idx]->dev, VPLAT_DISPATCH_ALL_QUEUES,
						budget);
}

static const struct vplat_pal_ops lb_ops = {
	.name = "loopback",
	.open = lb_open,
	.close = lb_close,
	.poll = lb_poll,
	.device_status = lb_status,
	.set_dispatch_budget = lb_budget,
};

int vplat_pal_loopback_create(struct vplat_pal *pal, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	struct lb_pal *p = calloc(1, sizeof(*p));
	pal->devs = calloc(NMODELS * 2, sizeof(*pal->devs));
	if (p)
		p->inst = calloc(NMODELS * 2, sizeof(*p->inst));
	if (!p || !pal->devs || !p->inst) {
		free(p ? p->inst : NULL);
		free(p);
		free(pal->devs);
		return VPLAT_ENOMEM;
	}
	for (unsigned i = 0; i < NMODELS * 2; i++) {
		struct vplat_pal_dev *d = &pal->devs[i];
		snprintf(d->name, sizeof(d->name), "%s@%s", models[i / 2].name,
			 (i & 1) ? "pci" : "mmio");
		d->device_id = models[i / 2].device_id;
		d->transport = (i & 1) ? VPLAT_VAL_PCI : VPLAT_VAL_MMIO;
	}
	pal->ndevs = NMODELS * 2;
	pal->ops = &lb_ops;
	pal->priv = p;
	return 0;
}

void vplat_pal_loopback_destroy(struct vplat_pal *pal)
{
	struct lb_pal *p = pal->priv;
	for (unsigned i = 0; p && i < pal->ndevs; i++)
		lb_close(pal, i, NULL);
	if (p)
		free(p->inst);
	free(p);
	free(pal->devs);
	pal->devs = NULL;
	pal->ndevs = 0;
}
