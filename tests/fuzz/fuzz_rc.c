/* SPDX-License-Identifier: GPL-2.0-or-later
 * fuzz_rc.c - the rc file reader (mgmt/load.c, `-f FILE` at start-up):
 * the input is the file, read through mgmt_load() on the switch the
 * console harness uses (fakesw.c: control socket, fake endpoints, every
 * switch command, no URL backends), as the daemon runs it at start-up;
 * one switch for up to FAKE_SHARED_RUNS inputs in a row (fakesw.h).
 *
 * Input: the file. Files naming `load` or `port/capture` are skipped (they
 * open files a fuzzer must not choose). Invariants: a failure comes with
 * a message naming the file (and its line); success leaves no message.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fakesw.h"
#include "fuzz.h"
#include "loop.h"
#include "mgmt.h"
#include "sw.h"
#include "swcmd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fake_switch *fs;
	char path[64], err[8192];
	int fd, rc;

	if (memmem(data, size, "load", 4) || memmem(data, size, "capture", 7))
		return -1;
	fd = memfd_create("fuzz_rc", MFD_CLOEXEC);
	FUZZ_CHECK(fd >= 0, "memfd_create: %s", strerror(errno));
	FUZZ_CHECK(size == 0 || write(fd, data, size) == (ssize_t)size,
		   "write");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);

	fs = fake_switch_shared();
	err[0] = '\0';
	rc = mgmt_load(fs->m, path, err, sizeof(err));
	FUZZ_CHECK(rc <= 0, "rc %d", rc);
	if (rc)
		FUZZ_CHECK(!strncmp(err, path, strlen(path)),
			   "failure without the file's name: '%s'", err);
	else
		FUZZ_CHECK(!err[0], "success with a message: '%s'", err);
	close(fd);
	return 0;
}
