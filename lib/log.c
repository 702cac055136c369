/* SPDX-License-Identifier: GPL-2.0-or-later
 * log.c - logging for patchbay programs.
 *
 * Messages go to stderr as "progname: text" until log_use_syslog() is
 * called (a daemon, once detached), then to syslog(3) with LOG_DAEMON.
 * Verbosity: 0 = warnings and info, 1 = + debug.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "log.h"

static const char *log_name = "patchbay";
static bool log_syslog;
static int log_verbose;
static bool log_quiet;

/**
 * log_init() - set the program name and verbosity, log to stderr
 * @progname:	prefix for messages and syslog identity
 * @verbose:	0 for normal output, 1 to include debug messages
 */
void log_init(const char *progname, int verbose)
{
	log_name = progname;
	log_verbose = verbose;
	log_syslog = false;
}

/**
 * log_use_syslog() - send every further message to syslog
 */
void log_use_syslog(void)
{
	openlog(log_name, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	log_syslog = true;
}

/**
 * log_set_verbose() - change the verbosity
 * @verbose:	0 for normal output, 1 to include debug messages
 */
void log_set_verbose(int verbose)
{
	log_verbose = verbose;
}

/**
 * log_set_quiet() - drop informational messages (warnings and errors are
 * still written): for the fuzz harnesses, whose switches would otherwise
 * log at every input
 * @quiet:	drop them
 */
void log_set_quiet(bool quiet)
{
	log_quiet = quiet;
}

/**
 * log_get_verbose() - current verbosity
 *
 * Return: the value last given to log_init() or log_set_verbose()
 */
int log_get_verbose(void)
{
	return log_verbose;
}

static void log_vwrite(int prio, const char *fmt, va_list ap, int err)
{
	char buf[1024];
	int n;

	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n < 0)
		return;
	if (err && (size_t)n < sizeof(buf))
		snprintf(buf + n, sizeof(buf) - (size_t)n, ": %s",
			 strerror(err));
	if (log_syslog)
		syslog(prio, "%s", buf);
	else
		fprintf(stderr, "%s: %s\n", log_name, buf);
}

#define LOG_BODY(prio, err)                                                   \
	do {                                                                   \
		int saved = errno;                                             \
		va_list ap;                                                    \
		va_start(ap, fmt);                                             \
		log_vwrite(prio, fmt, ap, err);                                \
		va_end(ap);                                                    \
		errno = saved;                                                 \
	} while (0)

/**
 * log_warn() - log a warning followed by strerror(errno)
 * @fmt:	printf format
 */
void log_warn(const char *fmt, ...)
{
	int err = errno;

	LOG_BODY(LOG_WARNING, err);
}

/**
 * log_warnx() - log a warning
 * @fmt:	printf format
 */
void log_warnx(const char *fmt, ...)
{
	LOG_BODY(LOG_WARNING, 0);
}

/**
 * log_info() - log an informational message
 * @fmt:	printf format
 */
void log_info(const char *fmt, ...)
{
	if (log_quiet)
		return;
	LOG_BODY(LOG_INFO, 0);
}

/**
 * log_debug_() - log a debug message; log_debug() calls it only when
 * verbose, so its arguments are not evaluated otherwise
 * @fmt:	printf format
 */
void log_debug_(const char *fmt, ...)
{
	LOG_BODY(LOG_DEBUG, 0);
}

/**
 * fatal() - log an error with strerror(errno) and exit(1)
 * @fmt:	printf format
 */
void fatal(const char *fmt, ...)
{
	int err = errno;

	LOG_BODY(LOG_ERR, err);
	exit(1);
}

/**
 * fatalx() - log an error and exit(1)
 * @fmt:	printf format
 */
void fatalx(const char *fmt, ...)
{
	LOG_BODY(LOG_ERR, 0);
	exit(1);
}
