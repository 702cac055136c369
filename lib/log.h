/* SPDX-License-Identifier: GPL-2.0-or-later
 * log.h - logging for patchbay programs: stderr in the foreground, syslog
 * once a daemon. log_warn() appends strerror(errno); the x variants do not.
 */
#ifndef PATCHBAY_LOG_H
#define PATCHBAY_LOG_H

#include <stdbool.h>

#define PB_PRINTF(f, a) __attribute__((format(printf, f, a)))

void log_init(const char *progname, int verbose);
void log_use_syslog(void);
void log_set_verbose(int verbose);
void log_set_quiet(bool quiet);
int log_get_verbose(void);

void log_warn(const char *fmt, ...) PB_PRINTF(1, 2);
void log_warnx(const char *fmt, ...) PB_PRINTF(1, 2);
void log_info(const char *fmt, ...) PB_PRINTF(1, 2);
void log_debug_(const char *fmt, ...) PB_PRINTF(1, 2);

/* Debug messages: the arguments (often strerror() or formatting work on a
 * per-frame path) are evaluated only when debug output is on. */
#define log_debug(...)                                                         \
	do {                                                                   \
		if (log_get_verbose() > 0)                                     \
			log_debug_(__VA_ARGS__);                               \
	} while (0)
void fatal(const char *fmt, ...) PB_PRINTF(1, 2) __attribute__((noreturn));
void fatalx(const char *fmt, ...) PB_PRINTF(1, 2) __attribute__((noreturn));

#endif /* PATCHBAY_LOG_H */
