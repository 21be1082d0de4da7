/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * GPIO simulator host end: N chips of M named lines, inputs driven by a library call or a
 * UNIX-socket control interface (protocol in vplat/gpio.h), outputs observable.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "vplat/error.h"
#include "vplat/gpio.h"
#include "vplat/host/gpio_host.h"

#define SIM_NAME_MAX 32
#define SIM_CLIENTS  8
#define SIM_LINE_MAX 128

struct sim_line {
	char name[SIM_NAME_MAX];
	uint8_t dir;
	uint8_t out;   /* value driven by the device (output) */
	uint8_t pull;  /* level driven from outside (input) */
	uint8_t irq;   /* armed interrupt type (recorded only) */
	uint16_t wire; /* 0, or 1 + the line whose input this line's output drives */
	bool wired_in; /* the target of a wire */
};

struct sim_chip {
	struct vplat_gpio_sim *sim;
	unsigned index;
	struct sim_line *lines;
	const char **names;
	vplat_gpio_sim_event_fn sink;
	void *sink_opaque;
	unsigned fail;
	bool wire_pending; /* a wire's source changed: propagate at the next dispatch */
};

struct sim_client {
	int fd;
	size_t len;
	char buf[SIM_LINE_MAX];
};

struct vplat_gpio_sim {
	unsigned nchips, nlines;
	struct sim_chip *chips;
	int listen_fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct sim_client clients[SIM_CLIENTS];
};

struct vplat_gpio_sim *vplat_gpio_sim_new(unsigned nchips, unsigned nlines)
{
	if (nchips < 1 || nchips > 64 || nlines < 1 || nlines > 1024)
		return NULL;
	struct vplat_gpio_sim *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->nchips = nchips;
	s->nlines = nlines;
	s->listen_fd = -1;
	for (unsigned i = 0; i < SIM_CLIENTS; i++)
		s->clients[i].fd = -1;
	s->chips = calloc(nchips, sizeof(*s->chips));
	if (!s->chips)
		goto fail;
	for (unsigned c = 0; c < nchips; c++) {
		struct sim_chip *ch = &s->chips[c];
		ch->sim = s;
		ch->index = c;
		ch->lines = calloc(nlines, sizeof(*ch->lines));
		ch->names = calloc(nlines, sizeof(*ch->names));
		if (!ch->lines || !ch->names)
			goto fail;
		for (unsigned l = 0; l < nlines; l++) {
			snprintf(ch->lines[l].name, SIM_NAME_MAX, "c%ul%u", c, l);
			ch->names[l] = ch->lines[l].name;
		}
	}
	return s;
fail:
	vplat_gpio_sim_free(s);
	return NULL;
}

void vplat_gpio_sim_free(struct vplat_gpio_sim *s)
{
	if (!s)
		return;
	for (unsigned i = 0; i < SIM_CLIENTS; i++)
		if (s->clients[i].fd >= 0)
			close(s->clients[i].fd);
	if (s->listen_fd >= 0) {
		close(s->listen_fd);
		unlink(s->path);
	}
	for (unsigned c = 0; s->chips && c < s->nchips; c++) {
		free(s->chips[c].lines);
		free(s->chips[c].names);
	}
	free(s->chips);
	free(s);
}

static struct sim_line *sim_line(struct vplat_gpio_sim *s, unsigned chip, unsigned line)
{
	if (!s || chip >= s->nchips || line >= s->nlines)
		return NULL;
	return &s->chips[chip].lines[line];
}

void *vplat_gpio_sim_chip(struct vplat_gpio_sim *s, unsigned chip)
{
	return (s && chip < s->nchips) ? &s->chips[chip] : NULL;
}

int vplat_gpio_sim_set_name(struct vplat_gpio_sim *s, unsigned chip, unsigned line,
			    const char *name)
{
	struct sim_line *l = sim_line(s, chip, line);
	if (!l)
		return VPLAT_EINVAL;
	snprintf(l->name, SIM_NAME_MAX, "%s", name ? name : "");
	return 0;
}

const char *const *vplat_gpio_sim_names(struct vplat_gpio_sim *s, unsigned chip)
{
	return (s && chip < s->nchips) ? s->chips[chip].names : NULL;
}

int vplat_gpio_sim_set_sink(struct vplat_gpio_sim *s, unsigned chip, vplat_gpio_sim_event_fn fn,
			    void *opaque)
{
	if (!s || chip >= s->nchips)
		return VPLAT_EINVAL;
	s->chips[chip].sink = fn;
	s->chips[chip].sink_opaque = opaque;
	return 0;
}

/* What the device reads on the line. */
static uint8_t line_level(const struct sim_line *l)
{
	return l->dir == VPLAT_VIRTIO_GPIO_DIRECTION_OUT ? l->out : l->pull;
}

int vplat_gpio_sim_drive(struct vplat_gpio_sim *s, unsigned chip, unsigned line, uint8_t level)
{
	struct sim_line *l = sim_line(s, chip, line);
	if (!l)
		return VPLAT_EINVAL;
	level = level ? 1 : 0;
	uint8_t old = line_level(l);
	l->pull = level;
	struct sim_chip *ch = &s->chips[chip];
	if (l->dir != VPLAT_VIRTIO_GPIO_DIRECTION_OUT && old != level && ch->sink)
		ch->sink(ch->sink_opaque, (uint16_t)line, level);
	return 0;
}

int vplat_gpio_sim_wire(struct vplat_gpio_sim *s, unsigned chip, unsigned from, unsigned to)
{
	struct sim_line *f = sim_line(s, chip, from), *t = sim_line(s, chip, to);
	if (!f || !t || from == to)
		return VPLAT_EINVAL;
	if (f->wire || f->wired_in || t->wire || t->wired_in)
		return VPLAT_EBUSY;
	f->wire = (uint16_t)(to + 1u);
	t->wired_in = true;
	s->chips[chip].wire_pending = true; /* the target takes the source's level at once */
	return 0;
}

bool vplat_gpio_sim_pending(const struct vplat_gpio_sim *s)
{
	for (unsigned c = 0; s && c < s->nchips; c++)
		if (s->chips[c].wire_pending)
			return true;
	return false;
}

/* Each wire's target takes its source's output level, or 0 (a pull-down) while the source is
 * not an output; a change reaches the chip's sink as an input change would. */
static void propagate_wires(struct vplat_gpio_sim *s)
{
	for (unsigned c = 0; c < s->nchips; c++) {
		struct sim_chip *ch = &s->chips[c];
		if (!ch->wire_pending)
			continue;
		ch->wire_pending = false;
		for (unsigned l = 0; l < s->nlines; l++) {
			const struct sim_line *src = &ch->lines[l];
			if (src->wire)
				(void)vplat_gpio_sim_drive(s, c, src->wire - 1u,
							   src->dir == VPLAT_VIRTIO_GPIO_DIRECTION_OUT
								   ? src->out
								   : 0);
		}
	}
}

int vplat_gpio_sim_get(struct vplat_gpio_sim *s, unsigned chip, unsigned line, uint8_t *level,
		       uint8_t *dir)
{
	struct sim_line *l = sim_line(s, chip, line);
	if (!l)
		return VPLAT_EINVAL;
	if (level)
		*level = line_level(l);
	if (dir)
		*dir = l->dir;
	return 0;
}

int vplat_gpio_sim_fail(struct vplat_gpio_sim *s, unsigned chip, unsigned n)
{
	if (!s || chip >= s->nchips)
		return VPLAT_EINVAL;
	s->chips[chip].fail = n;
	return 0;
}

/* ---- host ops ------------------------------------------------------------------------- */

static struct sim_line *op_line(void *host, uint16_t line, int *rc)
{
	struct sim_chip *ch = host;
	*rc = 0;
	if (ch->fail) {
		ch->fail--;
		*rc = VPLAT_EIO;
		return NULL;
	}
	struct sim_line *l = sim_line(ch->sim, ch->index, line);
	if (!l)
		*rc = VPLAT_EINVAL;
	return l;
}

static int sim_set_direction(void *host, uint16_t line, uint8_t dir, uint8_t value)
{
	int rc;
	struct sim_line *l = op_line(host, line, &rc);
	if (!l)
		return rc;
	if (dir > VPLAT_VIRTIO_GPIO_DIRECTION_IN)
		return VPLAT_EINVAL;
	l->dir = dir;
	if (dir == VPLAT_VIRTIO_GPIO_DIRECTION_OUT)
		l->out = value ? 1 : 0;
	if (l->wire)
		((struct sim_chip *)host)->wire_pending = true;
	if (dir == VPLAT_VIRTIO_GPIO_DIRECTION_NONE)
		l->irq = 0;
	return 0;
}

static int sim_get_value(void *host, uint16_t line, uint8_t *value)
{
	int rc;
	struct sim_line *l = op_line(host, line, &rc);
	if (!l)
		return rc;
	*value = line_level(l);
	return 0;
}

static int sim_set_value(void *host, uint16_t line, uint8_t value)
{
	int rc;
	struct sim_line *l = op_line(host, line, &rc);
	if (!l)
		return rc;
	l->out = value ? 1 : 0;
	if (l->wire)
		((struct sim_chip *)host)->wire_pending = true;
	return 0;
}

static int sim_set_irq_type(void *host, uint16_t line, uint8_t type)
{
	int rc;
	struct sim_line *l = op_line(host, line, &rc);
	if (!l)
		return rc;
	l->irq = type;
	return 0;
}

const struct vplat_gpio_host_ops vplat_gpio_host_sim = {
	.set_direction = sim_set_direction,
	.get_value = sim_get_value,
	.set_value = sim_set_value,
	.set_irq_type = sim_set_irq_type,
};

/* ---- control socket ------------------------------------------------------------------- */

int vplat_gpio_sim_listen(struct vplat_gpio_sim *s, const char *path)
{
	if (!s || !path || strlen(path) >= sizeof(s->path))
		return VPLAT_EINVAL;
	if (s->listen_fd >= 0)
		return VPLAT_EBUSY;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return VPLAT_EIO;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	memcpy(sa.sun_path, path, strlen(path) + 1);
	struct stat st;
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 4) != 0) {
		close(fd);
		return VPLAT_EIO;
	}
	memcpy(s->path, path, strlen(path) + 1);
	s->listen_fd = fd;
	return fd;
}

static const char *dir_name(uint8_t d)
{
	return d == VPLAT_VIRTIO_GPIO_DIRECTION_OUT ? "out"
	       : d == VPLAT_VIRTIO_GPIO_DIRECTION_IN ? "in" : "none";
}

/* Execute one command line; writes the reply (with newline) into @out. */
static void sim_command(struct vplat_gpio_sim *s, const char *cmd, char *out, size_t cap)
{
	char verb[16] = "";
	unsigned chip = 0, line = 0, level = 0;
	int n = sscanf(cmd, "%15s %u %u %u", verb, &chip, &line, &level);
	struct sim_line *l = n >= 3 ? sim_line(s, chip, line) : NULL;

	if (n >= 1 && !strcmp(verb, "info")) {
		snprintf(out, cap, "ok %u %u\n", s->nchips, s->nlines);
	} else if (n == 4 && !strcmp(verb, "set") && l && level <= 1) {
		vplat_gpio_sim_drive(s, chip, line, (uint8_t)level);
		snprintf(out, cap, "ok\n");
	} else if (n == 3 && !strcmp(verb, "get") && l) {
		snprintf(out, cap, "ok %u %s\n", line_level(l), dir_name(l->dir));
	} else if (n == 3 && !strcmp(verb, "name") && l) {
		snprintf(out, cap, "ok %s\n", l->name);
	} else if (n >= 3 && !l) {
		snprintf(out, cap, "err no such line\n");
	} else {
		snprintf(out, cap, "err usage: set C L 0|1 | get C L | name C L | info\n");
	}
}

static void client_close(struct sim_client *c)
{
	close(c->fd);
	c->fd = -1;
	c->len = 0;
}

/* Read what a client sent and answer every complete line. */
static int client_serve(struct vplat_gpio_sim *s, struct sim_client *c)
{
	int done = 0;
	ssize_t r = read(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len);
	if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
		client_close(c);
		return 0;
	}
	if (r < 0)
		return 0;
	c->len += (size_t)r;
	c->buf[c->len] = 0;
	char *nl;
	while ((nl = memchr(c->buf, '\n', c->len)) != NULL) {
		*nl = 0;
		char reply[96];
		sim_command(s, c->buf, reply, sizeof(reply));
		if (send(c->fd, reply, strlen(reply), MSG_NOSIGNAL) < 0) { /* no SIGPIPE */
			client_close(c);
			return done;
		}
		done++;
		size_t used = (size_t)(nl - c->buf) + 1;
		memmove(c->buf, nl + 1, c->len - used);
		c->len -= used;
	}
	if (c->len == sizeof(c->buf) - 1)
		client_close(c); /* a line too long: drop the client */
	return done;
}

/* Poll the listening socket (when @listen) and every client in one system call; the clients'
 * results land in @rev. Returns whether the listening socket has connections waiting. */
static bool sim_poll(const struct vplat_gpio_sim *s, bool listen, short rev[SIM_CLIENTS])
{
	struct pollfd p[SIM_CLIENTS + 1];
	unsigned idx[SIM_CLIENTS + 1], n = 0;
	if (listen && s->listen_fd >= 0) {
		p[n] = (struct pollfd){.fd = s->listen_fd, .events = POLLIN};
		idx[n++] = SIM_CLIENTS;
	}
	for (unsigned i = 0; i < SIM_CLIENTS; i++) {
		rev[i] = 0;
		if (s->clients[i].fd >= 0) {
			p[n] = (struct pollfd){.fd = s->clients[i].fd, .events = POLLIN};
			idx[n++] = i;
		}
	}
	bool pending = false;
	if (n == 0 || poll(p, n, 0) <= 0)
		return false;
	for (unsigned k = 0; k < n; k++) {
		if (idx[k] == SIM_CLIENTS)
			pending = p[k].revents != 0;
		else
			rev[idx[k]] = p[k].revents;
	}
	return pending;
}

int vplat_gpio_sim_dispatch(struct vplat_gpio_sim *s)
{
	if (!s)
		return VPLAT_EINVAL;
	int done = 0;
	short rev[SIM_CLIENTS];
	propagate_wires(s);
	/* One poll() for the listening socket and the clients (a dispatch with nothing to do
	 * is one system call); new connections are accepted first and polled with the rest. */
	if (sim_poll(s, true, rev)) {
		int fd;
		while ((fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
			unsigned i = 0;
			while (i < SIM_CLIENTS && s->clients[i].fd >= 0)
				i++;
			if (i == SIM_CLIENTS) {
				close(fd); /* too many clients */
				continue;
			}
			s->clients[i].fd = fd;
			s->clients[i].len = 0;
		}
		sim_poll(s, false, rev);
	}
	for (unsigned i = 0; i < SIM_CLIENTS; i++) {
		struct sim_client *c = &s->clients[i];
		if (c->fd >= 0 && rev[i] != 0)
			done += client_serve(s, c);
	}
	return done;
}

unsigned vplat_gpio_sim_fds(const struct vplat_gpio_sim *s, int *fds, unsigned max)
{
	unsigned n = 0;
	if (!s)
		return 0;
	if (s->listen_fd >= 0 && n < max)
		fds[n++] = s->listen_fd;
	for (unsigned i = 0; i < SIM_CLIENTS && n < max; i++)
		if (s->clients[i].fd >= 0)
			fds[n++] = s->clients[i].fd;
	return n;
}
