/* SPDX-License-Identifier: GPL-2.0-or-later
 * nodns.c - linked into the harnesses that reach getaddrinfo() (URL
 * addresses, sockaddr.c): a fuzzer must never send a DNS query, so every
 * host but "localhost" (and no host) is looked up numerically only. The
 * definition here takes the place of the C library's (and of a
 * sanitizer's interceptor); the real one is found with RTLD_NEXT.
 */
#include <dlfcn.h>
#include <netdb.h>
#include <string.h>

#include "fuzz.h"

int getaddrinfo(const char *node, const char *service,
		const struct addrinfo *hints, struct addrinfo **res);

int getaddrinfo(const char *node, const char *service,
		const struct addrinfo *hints, struct addrinfo **res)
{
	static int (*real)(const char *, const char *,
			   const struct addrinfo *, struct addrinfo **);
	struct addrinfo h = { 0 };

	if (!real) {
		*(void **)&real = dlsym(RTLD_NEXT, "getaddrinfo");
		FUZZ_CHECK(real, "no getaddrinfo() to call");
	}
	if (hints)
		h = *hints;
	if (node && strcmp(node, "localhost"))
		h.ai_flags |= AI_NUMERICHOST;
	return real(node, service, &h, res);
}
