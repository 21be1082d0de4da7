/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the QEMU-compatible socket host end (lib/host/net/net_socket.c): the
 * `-netdev stream` framing (4-byte big-endian length, then the frame) in both directions and
 * the `-netdev dgram` datagrams, over real socketpairs made once per process.
 *
 * Byte 0: bit 0 stream or datagram; bits 1-2 the receive buffer given to
 * vplat_net_sock_recv() (64, 1514, 9000 bytes or the largest frame). Then records {op, len_lo,
 * len_hi, bytes...}:
 *   op 0  the peer writes the next len bytes (stream: any bytes, cut anywhere; dgram: one
 *         datagram), then the host end receives until it has nothing more;
 *   op 1  the host end sends a frame of len bytes (bytes seed + 7 i; up to 65535 bytes, so
 *         the stream socket's small send buffer takes it in parts), then the peer reads;
 *   op 2  the host end flushes what it kept of a partly sent frame, then the peer reads.
 *
 * Checked (abort() when false), against a model of the framing kept by the harness:
 * - stream receive: the frames returned are exactly the model's, in order (length and bytes;
 *   VPLAT_E2BIG when longer than the buffer); a zero or too-large length prefix is answered
 *   VPLAT_EPROTO and counted in rx_errors, after which the harness starts a fresh stream;
 * - dgram receive: a datagram of 14.. bytes is returned whole, a runt is VPLAT_EPROTO;
 * - stream send: the bytes the peer reads are the length-prefixed frames the host end accepted
 *   (returned 0), in order, each whole, nothing else; a frame refused with VPLAT_EAGAIN is not
 *   on the wire; after a final flush nothing is left behind;
 * - the counters agree with what was returned.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "vplat/error.h"
#include "vplat/host/net_host.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FMAX VPLAT_NET_SOCK_FRAME_MAX

static struct vplat_net_sock s;
static int st_pair[2] = {-1, -1}, dg_pair[2] = {-1, -1};
static uint8_t model[4 + FMAX + 8192]; /* stream bytes the peer wrote, not yet consumed */
static size_t mlen;
static uint8_t buf[FMAX + 1];
static uint8_t wire[2 * (4 + FMAX)]; /* peer side: what it read, not yet matched */
static size_t wlen;
static uint8_t sent[64][8];           /* the frames the host end accepted: {len, seed} */
static unsigned nsent;

/* Frame bytes: seed + 7 * i, taken from one table made at set-up (no per-byte loop in the
 * instrumented harness). 183 is the inverse of 7 modulo 256. */
static uint8_t pattern[FMAX + 256];
static const uint8_t *frame_of(uint8_t seed)
{
	return pattern + (seed * 183u) % 256u;
}

static void setup(void)
{
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, st_pair) ||
	    socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, dg_pair))
		abort();
	for (size_t i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)(i * 7u);
	int small = 4096; /* the kernel doubles it; frames above it go out in parts */
	setsockopt(st_pair[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	setsockopt(st_pair[1], SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
}

/* Empty the socket (both directions seen from the peer) so the next input starts clean. */
static void flush_peer(int fd)
{
	static uint8_t sink[65536];
	while (recv(fd, sink, sizeof(sink), MSG_DONTWAIT) > 0)
		;
}

/* Stream receive: take frames until EAGAIN; compare with the model. */
static void stream_recv(size_t cap, bool *desync)
{
	for (int guard = 0; guard < 10000; guard++) {
		/* What the model says comes next. */
		int want = VPLAT_EAGAIN;
		size_t flen = 0;
		if (mlen >= 4) {
			flen = (size_t)model[0] << 24 | (size_t)model[1] << 16 |
			       (size_t)model[2] << 8 | model[3];
			if (flen == 0 || flen > FMAX)
				want = VPLAT_EPROTO;
			else if (mlen >= 4 + flen)
				want = flen > cap ? VPLAT_E2BIG : (int)flen;
		}
		uint64_t errs = s.stats.rx_errors, frames = s.stats.rx_frames;
		int rc = vplat_net_sock_recv(&s, buf, cap);
		if (rc != want)
			abort();
		if (rc == VPLAT_EAGAIN)
			return;
		if (rc == VPLAT_EPROTO) {
			if (s.stats.rx_errors != errs + 1)
				abort();
			*desync = true; /* the stream cannot be followed any more */
			return;
		}
		if (s.stats.rx_frames != frames + 1 || (rc > 0 && memcmp(buf, model + 4, flen)))
			abort();
		memmove(model, model + 4 + flen, mlen - 4 - flen);
		mlen -= 4 + flen;
	}
	abort(); /* more frames than bytes */
}

/* Peer reads what the host end sent; every complete frame must be the next accepted one. */
static void peer_read(void)
{
	for (;;) {
		ssize_t n = recv(st_pair[1], wire + wlen, sizeof(wire) - wlen, MSG_DONTWAIT);
		if (n <= 0)
			break;
		wlen += (size_t)n;
	}
	while (wlen >= 4) {
		size_t flen = (size_t)wire[0] << 24 | (size_t)wire[1] << 16 | (size_t)wire[2] << 8 |
			      wire[3];
		if (nsent == 0)
			abort(); /* bytes nobody sent */
		size_t want = (size_t)sent[0][0] | (size_t)sent[0][1] << 8 | (size_t)sent[0][2] << 16;
		if (flen != want)
			abort();
		if (wlen < 4 + flen)
			return;
		if (memcmp(wire + 4, frame_of(sent[0][3]), flen))
			abort();
		memmove(wire, wire + 4 + flen, wlen - 4 - flen);
		wlen -= 4 + flen;
		memmove(sent[0], sent[1], sizeof(sent[0]) * (nsent - 1));
		nsent--;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t caps[4] = {64, 1514, 9000, FMAX};
	if (st_pair[0] < 0)
		setup();
	if (size < 1)
		return 0;
	bool stream = !(data[0] & 1);
	size_t cap = caps[(data[0] >> 1) & 3];
	int *pair = stream ? st_pair : dg_pair;
	if (vplat_net_sock_adopt(&s, stream ? VPLAT_NET_SOCK_STREAM : VPLAT_NET_SOCK_DGRAM,
				 pair[0]))
		abort();
	mlen = wlen = 0;
	nsent = 0;
	bool desync = false;
	uint64_t tx = 0, tx_bytes = 0;
	for (size_t pos = 1; pos + 3 <= size;) {
		uint8_t op = data[pos] % 3;
		size_t len = (size_t)data[pos + 1] | (size_t)data[pos + 2] << 8;
		pos += 3;
		if (op == 0) {
			if (len > size - pos)
				len = size - pos;
			const uint8_t *b = data + pos;
			pos += len;
			if (!stream) {
				if (send(pair[1], b, len, 0) != (ssize_t)len)
					continue; /* (a zero-length datagram is fine too) */
				int rc = vplat_net_sock_recv(&s, buf, cap);
				int want = len < 14 ? VPLAT_EPROTO : len > cap ? VPLAT_E2BIG : (int)len;
				if (rc != want || (rc > 0 && memcmp(buf, b, len)))
					abort();
				continue;
			}
			if (desync || len == 0)
				continue;
			if (send(pair[1], b, len, 0) != (ssize_t)len)
				abort(); /* at most 8 KiB: fits the socket */
			memcpy(model + mlen, b, len);
			mlen += len;
			stream_recv(cap, &desync);
			if (desync) { /* start a fresh stream: drop what is in flight */
				flush_peer(pair[0]);
				if (vplat_net_sock_adopt(&s, VPLAT_NET_SOCK_STREAM, pair[0]))
					abort();
				mlen = 0;
				desync = false;
				peer_read(); /* (adopt forgets a partly sent frame: so does the model) */
				wlen = 0;
				nsent = 0;
				tx = tx_bytes = 0;
			}
		} else if (op == 1 && stream) {
			if (len == 0 || nsent == 64)
				continue;
			uint8_t seed = (uint8_t)pos;
			int rc = vplat_net_sock_send(&s, frame_of(seed), len);
			if (rc == 0) {
				sent[nsent][0] = (uint8_t)len;
				sent[nsent][1] = (uint8_t)(len >> 8);
				sent[nsent][2] = 0;
				sent[nsent][3] = seed;
				nsent++;
				tx++;
				tx_bytes += len;
			} else if (rc != VPLAT_EAGAIN) {
				abort();
			}
			if (s.stats.tx_frames != tx || s.stats.tx_bytes != tx_bytes)
				abort();
			peer_read();
		} else if (op == 2 && stream) {
			int rc = vplat_net_sock_flush(&s);
			if (rc != 0 && rc != VPLAT_EAGAIN)
				abort();
			peer_read();
		}
	}
	if (stream) {
		/* Everything accepted reaches the peer once it reads and the host end flushes. */
		for (int k = 0; k < 64 && (nsent || wlen); k++) {
			int rc = vplat_net_sock_flush(&s);
			if (rc != 0 && rc != VPLAT_EAGAIN)
				abort();
			peer_read();
		}
		if (nsent || wlen)
			abort();
	}
	flush_peer(pair[0]);
	flush_peer(pair[1]);
	return 0;
}
