/* SPDX-License-Identifier: GPL-2.0-or-later
 * mgmt.c - the console object: creation with its own commands, the
 * registry other modules add to, destruction.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mgmt_int.h"

/**
 * mgmt_create() - a console with help, logout, shutdown, showinfo, load
 * and the debug menu registered, and no session yet
 * @loop:	the event loop sessions and the socket are served on
 * @cfg:	callbacks and limits (copied), or NULL for none
 *
 * Return: the console, or NULL (out of memory)
 */
struct mgmt *mgmt_create(struct loop *loop, const struct mgmt_config *cfg)
{
	struct mgmt *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->loop = loop;
	m->lfd = -1;
	loop_timer_init(&m->retry, server_retry_cb);
	if (cfg)
		m->cfg = *cfg;
	if (!m->cfg.out_max)
		m->cfg.out_max = MGMT_OUT_MAX;
	m->reg = cmd_registry_create();
	if (!m->reg)
		goto fail;
	if (cmd_core_register(m) || cmd_debug_register(m))
		goto fail;
	return m;
fail:
	cmd_registry_destroy(m->reg);
	free(m);
	return NULL;
}

/**
 * mgmt_destroy() - close every session (sending what they still can
 * without waiting), stop listening, remove the socket file
 * @m:		the console, or NULL
 *
 * Call it outside the loop's callbacks (after loop_run() returns).
 */
void mgmt_destroy(struct mgmt *m)
{
	if (!m)
		return;
	while (m->sessions) {
		struct mgmt_session *s = m->sessions;

		if (!s->out_broken && s->olen) {
			if (s->out_sock)
				(void)!send(s->out_fd, s->obuf + s->ohead,
					    s->olen,
					    MSG_NOSIGNAL | MSG_DONTWAIT);
			else
				(void)!write(s->out_fd, s->obuf + s->ohead,
					     s->olen);
		}
		session_release(s, true);
	}
	server_close(m);
	event_tables_free(m);
	cmd_registry_destroy(m->reg);
	free(m);
}

/**
 * mgmt_registry() - the registry, to register tables with cmd_register()
 * @m:		the console
 *
 * Return: the registry
 */
struct cmd_registry *mgmt_registry(struct mgmt *m)
{
	return m->reg;
}

/**
 * mgmt_register() - register a module's command table
 * @m:		the console
 * @cmds:	the table (must outlive @m or be unregistered)
 * @n:		its size (CMD_COUNT())
 * @order:	its place in `help` (enum cmd_order)
 * @arg:	the module's context, ctx->arg in its handlers
 *
 * Return: 0 or -errno (see cmd_register())
 */
int mgmt_register(struct mgmt *m, const struct cmd *cmds, size_t n,
		  int order, void *arg)
{
	return cmd_register(m->reg, cmds, n, order, arg);
}
