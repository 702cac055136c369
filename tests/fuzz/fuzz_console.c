/* SPDX-License-Identifier: GPL-2.0-or-later
 * fuzz_console.c - the management console (mgmt/) as a unixterm client
 * drives it: the bytes of a session arrive in pieces on a socket, the
 * console splits them into lines (console.c), runs each through the
 * command registry (cmd.c) into every command's own argument parsing and
 * handler (mgmt/cmd_*.c), on a switch with its VDE control socket (in a
 * temporary directory), fake endpoints on a few ports (fakesw.c) and no
 * URL backends, so port/attach opens nothing. The switch is shared by
 * up to FAKE_SHARED_RUNS inputs in a row (fakesw.h), as a daemon's
 * console serves one session after another.
 *
 * Input: 4 bytes of seed for the write sizes, then what the client types.
 * Inputs naming `load` or `port/capture` are skipped: those open files a
 * fuzzer must not choose (tests/unit/test_console.c covers them). After
 * the input the client shuts its side down. Invariants: the session ends
 * (and its socket closes) within a bounded number of loop rounds, and each
 * switch is destroyed without leaks.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fakesw.h"
#include "fuzz.h"
#include "loop.h"
#include "mgmt.h"
#include "sw.h"
#include "swcmd.h"

static char rbuf[65536];

static void drain(int fd, bool *eof)
{
	ssize_t n;

	while ((n = recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT)) > 0)
		;
	if (n == 0)
		*eof = true;
}

static bool forbidden(const uint8_t *data, size_t size)
{
	return memmem(data, size, "load", 4) ||
	       memmem(data, size, "capture", 7);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fake_switch *fs;
	struct fuzz_chunks ch;
	size_t off = 0;
	bool eof = false;
	int sv[2], i;

	if (size < 4 || forbidden(data, size))
		return -1;
	fuzz_chunks_init(&ch, fuzz_u32(data), 600);
	data += 4;
	size -= 4;

	fs = fake_switch_shared();
	FUZZ_CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0,
		   "socketpair: %s", strerror(errno));
	FUZZ_CHECK(mgmt_attach(fs->m, sv[0]) == 0, "mgmt_attach");

	while (off < size) {
		size_t n = fuzz_chunk_next(&ch);
		ssize_t w;

		if (n > size - off)
			n = size - off;
		w = send(sv[1], data + off, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w < 0 && errno != EAGAIN)
			break;		/* the session ended (logout) */
		if (w > 0)
			off += (size_t)w;
		FUZZ_CHECK(loop_run_once(fs->loop, 0) >= 0, "loop");
		drain(sv[1], &eof);
		if (eof)
			break;
	}
	shutdown(sv[1], SHUT_WR);
	for (i = 0; i < 1000 && mgmt_sessions(fs->m); i++) {
		FUZZ_CHECK(loop_run_once(fs->loop, 0) >= 0, "loop");
		drain(sv[1], &eof);
	}
	FUZZ_CHECK(mgmt_sessions(fs->m) == 0, "the session did not end");
	for (i = 0; i < 10 && !eof; i++)
		drain(sv[1], &eof);
	FUZZ_CHECK(eof, "the session's socket is still open");
	close(sv[1]);
	return 0;
}
