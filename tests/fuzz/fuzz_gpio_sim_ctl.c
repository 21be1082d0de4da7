/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the GPIO simulator's control protocol (lib/host/gpio/gpio_sim.c, the text
 * lines "set C L 0|1", "get C L", "name C L", "info" on its UNIX socket; vplat/gpio.h). A
 * simulator of 2 chips x 8 named lines listens once per process, with three clients connected
 * to it; byte 0 picks how many of them the input uses, and its records {client, len, bytes...}
 * are written by that client, then the simulator dispatches and the client reads its replies.
 * Between inputs every client that left a partial line sends a newline (the server then holds
 * no partial line; that answer is checked too), a client the server dropped is dialled again,
 * and every line is driven back to 0.
 *
 * Checked (abort() when false), against a model of the server's 127-byte line buffer:
 * - every complete line gets exactly one reply, in order: "ok..." or "err ...", one line of at
 *   most 95 characters; "info" answers "ok 2 8";
 * - a client whose line does not fit the buffer is dropped (reads end of file), the others are
 *   not;
 * - a line "set C L V" (scanf's reading; trailing bytes ignored) with C, L, V in range is
 *   answered "ok" and leaves vplat_gpio_sim_get() reading V on that line
 *   and reported the change to the sink exactly when the level changed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "vplat/error.h"
#include "vplat/host/gpio_host.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NC   2
#define NL   8
#define NCLI 3
#define LBUF 127 /* the server's line buffer less its terminating NUL */

static struct vplat_gpio_sim *sim;
static char path[108];
static unsigned events;

struct cli {
	int fd;
	bool closed;       /* the model says the server dropped it */
	char pend[LBUF];   /* model: bytes the server holds (no newline yet) */
	size_t plen;
	char lines[64][LBUF + 1]; /* model: complete lines not yet answered */
	unsigned nlines;
	char rbuf[512];     /* replies read, not yet matched */
	size_t rlen;
};

static struct cli cli[NCLI];

static void sink(void *opaque, uint16_t line, uint8_t level)
{
	(void)opaque;
	(void)line;
	(void)level;
	events++;
}

static void cleanup(void)
{
	vplat_gpio_sim_free(sim);
}

static void setup(void)
{
	sim = vplat_gpio_sim_new(NC, NL);
	if (!sim)
		abort();
	for (unsigned c = 0; c < NC; c++)
		for (unsigned l = 0; l < NL; l++) {
			char n[40];
			snprintf(n, sizeof(n), l == 7 ? "a-name-of-thirty-one-characters" : "c%ul%u",
				 c, l);
			vplat_gpio_sim_set_name(sim, c, l, n);
		}
	snprintf(path, sizeof(path), "/tmp/vplat-fuzz-gpio-sim-%d.sock", (int)getpid());
	if (vplat_gpio_sim_listen(sim, path) < 0)
		abort();
	vplat_gpio_sim_set_sink(sim, 0, sink, NULL);
	vplat_gpio_sim_set_sink(sim, 1, sink, NULL);
	atexit(cleanup);
}

static int dial(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		abort();
	return fd;
}

/* A "set" the protocol takes: verb, chip, line, level as scanf reads them (what follows is
 * ignored), in range. */
static bool parse_set(const char *l, unsigned *c, unsigned *n, unsigned *v)
{
	char verb[16];
	return sscanf(l, "%15s %u %u %u", verb, c, n, v) == 4 && !strcmp(verb, "set") && *c < NC &&
	       *n < NL && *v <= 1;
}

/* Read the replies of client @p k and match each complete one with the model's next line. */
static void read_replies(struct cli *k)
{
	for (;;) {
		ssize_t n = recv(k->fd, k->rbuf + k->rlen, sizeof(k->rbuf) - k->rlen, MSG_DONTWAIT);
		if (n == 0) {
			if (!k->closed)
				abort(); /* dropped without a reason */
			break;
		}
		if (n < 0) {
			/* (a server closing with bytes unread resets the connection) */
			if (errno != EAGAIN && !(errno == ECONNRESET && k->closed))
				abort();
			break;
		}
		k->rlen += (size_t)n;
		char *nl;
		while ((nl = memchr(k->rbuf, '\n', k->rlen)) != NULL) {
			size_t rl = (size_t)(nl - k->rbuf);
			if (k->nlines == 0 || rl > 95 || memchr(k->rbuf, 0, rl))
				abort();
			*nl = 0;
			const char *line = k->lines[0];
			if (strncmp(k->rbuf, "ok", 2) && strncmp(k->rbuf, "err ", 4))
				abort();
			if (!strcmp(line, "info") && strcmp(k->rbuf, "ok 2 8"))
				abort();
			unsigned c, l, v;
			if (parse_set(line, &c, &l, &v) && strcmp(k->rbuf, "ok"))
				abort(); /* a valid set must be taken */
			memmove(k->lines[0], k->lines[1], sizeof(k->lines[0]) * (k->nlines - 1));
			k->nlines--;
			memmove(k->rbuf, nl + 1, k->rlen - rl - 1);
			k->rlen -= rl + 1;
		}
		if (k->rlen == sizeof(k->rbuf))
			abort(); /* a reply line longer than the buffer */
	}
}

/* The model of one read by the server: it takes what fits its buffer and answers the lines. */
static void model_write(struct cli *k, const uint8_t *b, size_t len)
{
	for (size_t i = 0; i < len && !k->closed; i++) {
		if (b[i] == '\n') {
			if (k->nlines == 64)
				abort(); /* harness limit: see the record size */
			memcpy(k->lines[k->nlines], k->pend, k->plen);
			k->lines[k->nlines][k->plen] = 0;
			k->nlines++;
			k->plen = 0;
		} else {
			k->pend[k->plen++] = (char)b[i];
			if (k->plen == LBUF)
				k->closed = true;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!sim)
		setup();
	if (size < 1)
		return 0;
	unsigned ncli = 1 + data[0] % NCLI;
	bool dialled = false;
	for (unsigned i = 0; i < NCLI; i++) {
		if (cli[i].fd > 0)
			continue; /* still connected, and clean (see the end) */
		memset(&cli[i], 0, sizeof(cli[i]));
		cli[i].fd = dial();
		dialled = true;
	}
	if (dialled)
		vplat_gpio_sim_dispatch(sim); /* accepts them */
	for (size_t pos = 1; pos + 2 <= size;) {
		struct cli *k = &cli[data[pos] % ncli];
		size_t len = data[pos + 1] % 64;
		pos += 2;
		if (len > size - pos)
			len = size - pos;
		const uint8_t *b = data + pos;
		pos += len;
		if (k->closed || len == 0)
			continue;
		/* The sink count expected from a valid "set" line in this write. */
		if (send(k->fd, b, len, MSG_NOSIGNAL) != (ssize_t)len)
			abort();
		unsigned before_lines = k->nlines;
		model_write(k, b, len);
		/* The levels the "set" lines will leave, and the changes they make. */
		uint8_t lvl[NC][NL];
		for (unsigned c = 0; c < NC; c++)
			for (unsigned l = 0; l < NL; l++)
				vplat_gpio_sim_get(sim, c, l, &lvl[c][l], NULL);
		unsigned want_events = events;
		for (unsigned i = before_lines; i < k->nlines; i++) {
			unsigned c, l, v;
			if (parse_set(k->lines[i], &c, &l, &v)) {
				want_events += lvl[c][l] != v;
				lvl[c][l] = (uint8_t)v;
			}
		}
		/* One read takes up to the buffer's room; a full buffer without a newline is
		 * dropped within that read. A write of < 64 bytes needs at most two reads. */
		for (int guard = 0; guard < 2 && vplat_gpio_sim_dispatch(sim) > 0; guard++)
			;
		read_replies(k);
		if (!k->closed && k->nlines)
			abort(); /* a line left unanswered */
		if (!k->closed || before_lines == k->nlines) {
			/* (a dropped client's pending lines may or may not have been served) */
			if (events != want_events)
				abort();
			for (unsigned c = 0; c < NC; c++)
				for (unsigned l = 0; l < NL; l++) {
					uint8_t v;
					vplat_gpio_sim_get(sim, c, l, &v, NULL);
					if (v != lvl[c][l])
						abort();
				}
		}
		if (k->closed) {
			k->nlines = 0; /* from here on nothing is checked for it */
			events = 0;
		}
	}
	/* Reset between inputs: a newline ends what a client left half-written (its answer is
	 * checked like any other), so the server holds nothing of this input; a client that left
	 * no partial line is clean already and gets nothing (a system call saved per client); a
	 * dropped client hangs up and is dialled again by the next input. */
	bool hung = false, sent = false, ended[NCLI] = {false};
	for (unsigned i = 0; i < NCLI; i++) {
		struct cli *k = &cli[i];
		if (!k->closed && k->plen) {
			if (send(k->fd, "\n", 1, MSG_NOSIGNAL) != 1)
				abort();
			model_write(k, (const uint8_t *)"\n", 1);
			ended[i] = sent = true;
		}
	}
	if (sent)
		vplat_gpio_sim_dispatch(sim);
	for (unsigned i = 0; i < NCLI; i++) {
		struct cli *k = &cli[i];
		if (ended[i])
			read_replies(k);
		if (!k->closed && (k->nlines || k->rlen))
			abort();
		if (k->closed) {
			close(k->fd);
			k->fd = 0;
			hung = true;
		}
	}
	if (hung)
		vplat_gpio_sim_dispatch(sim); /* sees the hang-ups */
	for (unsigned c = 0; c < NC; c++)
		for (unsigned l = 0; l < NL; l++)
			vplat_gpio_sim_drive(sim, c, l, 0);
	events = 0;
	return 0;
}
