/* SPDX-License-Identifier: GPL-2.0-or-later
 * sockaddr.c - socket addresses in URLs.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "parse.h"
#include "sockaddr.h"

static bool names_off;

/**
 * sa_names_off() - from now on, HOST must be an address (or localhost)
 *
 * The switch calls it once it runs: a name lookup blocks, and while it
 * waits for a name server every port would wait too. Names given at
 * start-up (-a, -f) are looked up before that.
 */
void sa_names_off(void)
{
	names_off = true;
}

/**
 * sa_parse() - parse HOST:PORT, [IPV6]:PORT, :PORT or /PATH
 * @s:		the text
 * @n:		its length (it need not end there)
 * @family:	AF_INET or AF_INET6 to insist on one, or AF_UNSPEC
 * @socktype:	SOCK_STREAM or SOCK_DGRAM, for name lookups
 * @flags:	SA_PASSIVE, SA_PORT0, SA_UNIX, SA_NOHOST
 * @out:	the address
 * @err:	on failure, why (quoting @s)
 * @errlen:	size of @err
 *
 * HOST may be a name (looked up, the first answer taken; not after
 * sa_names_off(), but localhost), IPv4 or IPv6.
 *
 * Return: 0, or -EINVAL / -ENAMETOOLONG
 */
int sa_parse(const char *s, size_t n, int family, int socktype,
	     unsigned flags, struct sa *out, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_family = family,
				  .ai_socktype = socktype,
				  .ai_flags = AI_NUMERICSERV };
	struct addrinfo *ai;
	char buf[300], *host, *port, *colon;
	unsigned long num;
	int rc;

	memset(out, 0, sizeof(*out));
	if (n >= sizeof(buf))
		goto bad;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (buf[0] == '/' && (flags & SA_UNIX)) {
		struct sockaddr_un *u = (struct sockaddr_un *)&out->ss;

		if (n >= sizeof(u->sun_path)) {
			snprintf(err, errlen, "%s: the path is longer than "
				 "%zu bytes", buf, sizeof(u->sun_path) - 1);
			return -ENAMETOOLONG;
		}
		u->sun_family = AF_UNIX;
		memcpy(u->sun_path, buf, n + 1);
		out->len = sizeof(*u);
		return 0;
	}
	if (buf[0] == '[') {
		char *end = strchr(buf, ']');

		if (!end || end[1] != ':')
			goto bad;
		*end = '\0';
		host = buf + 1;
		port = end + 2;
	} else if ((colon = strrchr(buf, ':'))) {
		*colon = '\0';
		host = buf;
		port = colon + 1;
	} else if (flags & SA_NOHOST) {
		host = buf + n;
		port = buf;
	} else {
		goto bad;
	}
	if (parse_ulong(port, 10, (flags & SA_PORT0) ? 0 : 1, 65535, &num))
		goto bad;
	if (!*host && (flags & SA_PASSIVE))
		hints.ai_flags |= AI_PASSIVE;
	if (names_off && *host && strcmp(host, "localhost"))
		hints.ai_flags |= AI_NUMERICHOST;
	rc = getaddrinfo(*host ? host : (flags & SA_PASSIVE) ? NULL
							     : "localhost",
			 port, &hints, &ai);
	if (rc == EAI_NONAME && (hints.ai_flags & AI_NUMERICHOST)) {
		snprintf(err, errlen, "%s: a host name: while the switch runs "
			 "only addresses are taken (a lookup would stall every "
			 "port); give the address, or the name at start-up "
			 "(-a, -f)", host);
		return -EINVAL;
	}
	if (rc) {
		snprintf(err, errlen, "%s: %s", *host ? host : "localhost",
			 gai_strerror(rc));
		return -EINVAL;
	}
	memcpy(&out->ss, ai->ai_addr, ai->ai_addrlen);
	out->len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
bad:
	snprintf(err, errlen, "'%.*s': expected HOST:PORT, [IPV6]:PORT, "
		 ":PORT%s%s", (int)(n > 200 ? 200 : n), s,
		 (flags & SA_NOHOST) ? ", PORT" : "",
		 (flags & SA_UNIX) ? " or /PATH" : "");
	return -EINVAL;
}

/**
 * sa_format() - an address as text: 1.2.3.4:5, [::1]:5, or the path
 * @sa:		the address
 * @len:	its length
 * @buf:	the text
 * @size:	size of @buf
 */
void sa_format(const struct sockaddr *sa, socklen_t len, char *buf,
	       size_t size)
{
	char host[INET6_ADDRSTRLEN], serv[8];

	if (sa->sa_family == AF_UNIX) {
		const struct sockaddr_un *u = (const void *)sa;
		size_t off = offsetof(struct sockaddr_un, sun_path);

		if (len > off && u->sun_path[0])
			snprintf(buf, size, "%.*s", (int)(len - off),
				 u->sun_path);
		else
			snprintf(buf, size, "unix");
		return;
	}
	if (getnameinfo(sa, len, host, sizeof(host), serv, sizeof(serv),
			NI_NUMERICHOST | NI_NUMERICSERV)) {
		snprintf(buf, size, "?");
		return;
	}
	snprintf(buf, size, sa->sa_family == AF_INET6 ? "[%s]:%s" : "%s:%s",
		 host, serv);
}

/**
 * sa_equal() - the same IP address and port (IPv4 or IPv6)
 * @a:		one
 * @b:		the other
 * @blen:	its length
 *
 * Return: true if they are equal
 */
bool sa_equal(const struct sa *a, const struct sockaddr *b, socklen_t blen)
{
	if (a->ss.ss_family != b->sa_family)
		return false;
	if (b->sa_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)&a->ss;
		const struct sockaddr_in *y = (const void *)b;

		return blen >= sizeof(*y) && x->sin_port == y->sin_port &&
		       x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (b->sa_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)&a->ss;
		const struct sockaddr_in6 *y = (const void *)b;

		return blen >= sizeof(*y) && x->sin6_port == y->sin6_port &&
		       !memcmp(&x->sin6_addr, &y->sin6_addr,
			       sizeof(y->sin6_addr));
	}
	return false;
}

/**
 * sa_unix_stale() - whether a UNIX socket path was left by a listener that
 * is gone (it is a socket and connect() is refused)
 * @u:		the path
 *
 * Return: true if it may be removed and bound again
 */
bool sa_unix_stale(const struct sockaddr_un *u)
{
	struct stat st;
	int fd, rc;

	if (stat(u->sun_path, &st) || !S_ISSOCK(st.st_mode))
		return false;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	rc = connect(fd, (const struct sockaddr *)u, sizeof(*u));
	close(fd);
	return rc && errno == ECONNREFUSED;
}
