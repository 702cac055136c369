/* SPDX-License-Identifier: GPL-2.0-or-later
 * sockaddr.h - socket addresses in URLs: HOST:PORT, [IPV6]:PORT, :PORT
 * and /PATH, parsed and printed the one way every URL backend uses.
 */
#ifndef PATCHBAY_SOCKADDR_H
#define PATCHBAY_SOCKADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

struct sa {
	struct sockaddr_storage ss;
	socklen_t len;
};

#define SA_PASSIVE 1	/* no host: any address (else loopback) */
#define SA_PORT0 2	/* port 0 accepted (the kernel chooses) */
#define SA_UNIX 4	/* /PATH accepted */
#define SA_NOHOST 8	/* a bare PORT is accepted, as :PORT */

void sa_names_off(void);
int sa_parse(const char *s, size_t n, int family, int socktype,
	     unsigned flags, struct sa *out, char *err, size_t errlen);
void sa_format(const struct sockaddr *sa, socklen_t len, char *buf,
	       size_t size);
struct sockaddr_un;
bool sa_unix_stale(const struct sockaddr_un *u);
bool sa_equal(const struct sa *a, const struct sockaddr *b, socklen_t blen);

#endif /* PATCHBAY_SOCKADDR_H */
