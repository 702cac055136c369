/* SPDX-License-Identifier: GPL-2.0-or-later
 * runargs.c - find the VDE network options in an emulator's command line
 * and write it anew with inherited fds in their place (see runargs.h for
 * the rewriting rules).
 *
 * A QEMU option value is a comma-separated list of key=value parameters in
 * which ",," stands for a comma; the first parameter may be a bare word,
 * the type ("vde" in "-netdev vde,id=n0"). Parameters are split with that
 * rule and written back with it, so a path or model holding a comma passes
 * through intact. Every refusal leaves a message quoting the argument in
 * ra->err.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "runargs.h"

/* One parameter of an option value; val is NULL for a bare word. */
struct param {
	char *key;
	char *val;
};

struct params {
	struct param *v;
	size_t n;
	char *buf;		/* the unescaped copy the pointers point into */
};

/* Largest port a v3 request can carry (the port travels as type >> 8). */
#define RUN_PORT_MAX 0xffffff
#define RUN_VLAN_MAX 0x7fffffff

static int fail(struct runargs *ra, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct runargs *ra, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ra->err, sizeof(ra->err), fmt, ap);
	va_end(ap);
	return err;
}

static void params_free(struct params *p)
{
	free(p->v);
	free(p->buf);
	p->v = NULL;
	p->buf = NULL;
	p->n = 0;
}

/* Split @s at single commas (",," is a comma). Return: 0 or -ENOMEM */
static int params_split(const char *s, struct params *p)
{
	size_t len = strlen(s), i, n = 1;
	char *w;

	p->n = 0;
	p->buf = malloc(len + 1);
	for (i = 0; i < len; i++) {
		if (s[i] == ',' && s[i + 1] == ',')
			i++;
		else if (s[i] == ',')
			n++;
	}
	p->v = calloc(n, sizeof(*p->v));
	if (!p->buf || !p->v) {
		params_free(p);
		return -ENOMEM;
	}
	w = p->buf;
	p->v[0].key = w;
	for (i = 0; i < len; i++) {
		if (s[i] == ',' && s[i + 1] == ',') {
			*w++ = ',';
			i++;
		} else if (s[i] == ',') {
			*w++ = '\0';
			p->v[++p->n].key = w;
		} else {
			*w++ = s[i];
		}
	}
	*w = '\0';
	p->n++;
	for (i = 0; i < p->n; i++) {
		char *eq = strchr(p->v[i].key, '=');

		if (eq) {
			*eq = '\0';
			p->v[i].val = eq + 1;
		}
	}
	return 0;
}

/* The type: the leading bare word, or type=. NULL if there is none. */
static const char *params_type(const struct params *p)
{
	size_t i;

	if (p->n && !p->v[0].val)
		return p->v[0].key;
	for (i = 0; i < p->n; i++)
		if (p->v[i].val && !strcmp(p->v[i].key, "type"))
			return p->v[i].val;
	return NULL;
}

static bool is_type_param(const struct params *p, size_t i)
{
	return (i == 0 && !p->v[0].val) ||
	       (p->v[i].val && !strcmp(p->v[i].key, "type"));
}

/* A string being built: text, its allocated size and its length. */
struct sbuf {
	char *s;
	size_t size, len;
};

/* Append @s, doubling its commas if @escape. Return: 0 or -ENOMEM */
static int sb_add(struct sbuf *b, const char *s, bool escape)
{
	for (; *s; s++) {
		if (b->len + 3 > b->size) {
			size_t nsize = (b->len + 3) * 2;
			char *n = realloc(b->s, nsize);

			if (!n)
				return -ENOMEM;
			b->s = n;
			b->size = nsize;
		}
		b->s[b->len++] = *s;
		if (escape && *s == ',')
			b->s[b->len++] = ',';
		b->s[b->len] = '\0';
	}
	return 0;
}

/* Append ",key=value" (no comma first in an empty string), escaped. */
static int sb_kv(struct sbuf *b, const char *key, const char *val)
{
	int rc = 0;

	if (b->len)
		rc = sb_add(b, ",", false);
	if (!rc)
		rc = sb_add(b, key, true);
	if (!rc && val)
		rc = sb_add(b, "=", false) ?: sb_add(b, val, true);
	return rc;
}

static void net_free(struct run_net *n)
{
	free(n->sock);
	free(n->group);
	free(n->id);
	free(n->model);
	free(n->mac);
}

static struct run_net *net_add(struct runargs *ra)
{
	struct run_net *v = realloc(ra->nets, (ra->nnets + 1) * sizeof(*v));

	if (!v)
		return NULL;
	ra->nets = v;
	v += ra->nnets++;
	memset(v, 0, sizeof(*v));
	v->argi = -1;
	v->vlan = -1;
	v->mode = RUN_DEFAULT_MODE;
	v->fd = -1;
	return v;
}

/* vdeq accepted sock="PATH": drop the quotes. */
static const char *unquote(char *s)
{
	size_t len = strlen(s);

	if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
		s[len - 1] = '\0';
		return s + 1;
	}
	return s;
}

static const char *const form_keys[] = {
	[RUN_NETDEV] = "id, sock, port, group, mode",
	[RUN_NIC] = "id, sock, port, group, mode, model, mac",
	[RUN_NET] = "id, sock, port, group, mode, vlan",
	[RUN_SOCK] = "",
};

/* Fill @n from the parameters of "-OPT vde,..." (argument @arg). */
static int net_parse(struct runargs *ra, struct run_net *n,
		     const struct params *p, const char *opt, const char *arg)
{
	bool seen_mode = false;
	size_t i;

	for (i = 0; i < p->n; i++) {
		const char *k = p->v[i].key, *v = p->v[i].val;
		unsigned long num;
		char **str = NULL;
		size_t j;

		if (is_type_param(p, i))
			continue;
		if (!v)
			return fail(ra, -EINVAL, "%s %s: '%s' is not key=value",
				    opt, arg, k);
		for (j = 0; j < i; j++)
			if (!is_type_param(p, j) && !strcmp(p->v[j].key, k))
				return fail(ra, -EINVAL,
					    "%s %s: '%s' given twice", opt, arg,
					    k);
		if (!strcmp(k, "sock"))
			str = &n->sock;
		else if (!strcmp(k, "group"))
			str = &n->group;
		else if (!strcmp(k, "id"))
			str = &n->id;
		else if (!strcmp(k, "model") && n->form == RUN_NIC)
			str = &n->model;
		else if (!strcmp(k, "mac") && n->form == RUN_NIC)
			str = &n->mac;
		if (str) {
			if (!*v)
				return fail(ra, -EINVAL, "%s %s: empty %s=",
					    opt, arg, k);
			if (str == &n->sock)
				v = unquote(p->v[i].val);
			*str = strdup(v);
			if (!*str)
				return fail(ra, -ENOMEM, "out of memory");
			continue;
		}
		if (!strcmp(k, "port")) {
			if (parse_ulong(v, 10, 0, RUN_PORT_MAX, &num))
				return fail(ra, -EINVAL,
					    "%s %s: bad port '%s' (0..%d)",
					    opt, arg, v, RUN_PORT_MAX);
			n->port = (int)num;
		} else if (!strcmp(k, "mode")) {
			if (parse_mode(v, &n->mode))
				return fail(ra, -EINVAL,
					    "%s %s: bad mode '%s' (octal, "
					    "at most 07777)", opt, arg, v);
			seen_mode = true;
		} else if (!strcmp(k, "vlan") && n->form == RUN_NET) {
			if (parse_ulong(v, 10, 0, RUN_VLAN_MAX, &num))
				return fail(ra, -EINVAL,
					    "%s %s: bad vlan '%s'", opt, arg,
					    v);
			n->vlan = (long)num;
		} else {
			return fail(ra, -EINVAL,
				    "%s %s: unknown key '%s' (known: %s)", opt,
				    arg, k, form_keys[n->form]);
		}
	}
	if (n->mac) {
		unsigned char mac[6];

		if (parse_mac(n->mac, mac))
			return fail(ra, -EINVAL, "%s %s: bad mac '%s'", opt,
				    arg, n->mac);
	}
	if (n->form == RUN_NETDEV && !n->id)
		return fail(ra, -EINVAL, "%s %s: id= is required", opt, arg);
	n->have_mode = seen_mode;
	return 0;
}

/* -net nic,vlan=V,...: remember it, with the other parameters. */
static int nic_parse(struct runargs *ra, const struct params *p, int argi,
		     const char *arg)
{
	struct run_nic *nic;
	unsigned long vlan = 0;
	bool have_vlan = false;
	struct sbuf rest = { 0 };
	size_t i;

	for (i = 0; i < p->n; i++) {
		const char *k = p->v[i].key, *v = p->v[i].val;

		if (is_type_param(p, i))
			continue;
		if (!strcmp(k, "vlan") && v) {
			if (parse_ulong(v, 10, 0, RUN_VLAN_MAX, &vlan))
				return fail(ra, -EINVAL,
					    "-net %s: bad vlan '%s'", arg, v);
			have_vlan = true;
			continue;
		}
		if (!strcmp(k, "netdev") && v) {
			/* both: QEMU decides (it refuses vlan) */
			free(rest.s);
			return 0;
		}
		if (sb_kv(&rest, k, v)) {
			free(rest.s);
			return fail(ra, -ENOMEM, "out of memory");
		}
	}
	if (!have_vlan) {
		free(rest.s);
		return 0;
	}
	nic = realloc(ra->nics, (ra->nnics + 1) * sizeof(*nic));
	if (!nic) {
		free(rest.s);
		return fail(ra, -ENOMEM, "out of memory");
	}
	ra->nics = nic;
	nic += ra->nnics++;
	nic->argi = argi;
	nic->vlan = (long)vlan;
	nic->rest = rest.s;
	return 0;
}

/* "-netdev", "--netdev" -> "netdev"; NULL if not a network option. */
static const char *net_option(const char *a)
{
	static const char *const names[] = { "nic", "netdev", "net" };
	size_t i;

	if (a[0] != '-')
		return NULL;
	a += a[1] == '-' ? 2 : 1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(a, names[i]))
			return names[i];
	return NULL;
}

static bool is_opt(const char *a, const char *name)
{
	if (a[0] != '-')
		return false;
	a += a[1] == '-' ? 2 : 1;
	return !strcmp(a, name);
}

/* vdeq's -sock/-vdesock/-unix PATH[,PATH...]: add each path. */
static int socks_parse(struct runargs *ra, const char *list, char ***socks,
		       size_t *nsocks)
{
	const char *s = list;

	do {
		const char *e = strchr(s, ',');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		char **v;

		if (!len)
			return fail(ra, -EINVAL, "-sock %s: empty path", list);
		v = realloc(*socks, (*nsocks + 1) * sizeof(*v));
		if (!v)
			return fail(ra, -ENOMEM, "out of memory");
		*socks = v;
		v[*nsocks] = strndup(s, len);
		if (!v[*nsocks])
			return fail(ra, -ENOMEM, "out of memory");
		(*nsocks)++;
		s = e ? e + 1 : NULL;
	} while (s);
	return 0;
}

/* vdeq's leading options. Return: 0 or -errno; ra->first set. */
static int vdeq_opts(struct runargs *ra, char ***socks, size_t *nsocks,
		     unsigned *mod, bool *have_mod)
{
	int i = 0, rc;

	while (i < ra->argc) {
		const char *a = ra->argv[i];

		if (!strcmp(a, "-sock") || !strcmp(a, "-vdesock") ||
		    !strcmp(a, "-unix")) {
			if (i + 1 >= ra->argc)
				return fail(ra, -EINVAL, "%s needs a path", a);
			rc = socks_parse(ra, ra->argv[i + 1], socks, nsocks);
			if (rc)
				return rc;
		} else if (!strcmp(a, "--mod")) {
			if (i + 1 >= ra->argc)
				return fail(ra, -EINVAL,
					    "--mod needs an octal mode");
			if (parse_mode(ra->argv[i + 1], mod))
				return fail(ra, -EINVAL,
					    "--mod '%s': not an octal mode "
					    "(at most 07777)", ra->argv[i + 1]);
			*have_mod = true;
		} else {
			break;
		}
		i += 2;
	}
	ra->first = i;
	return 0;
}

static int net_from(struct runargs *ra, enum run_form form, int argi,
		    const struct params *p, const char *opt, const char *arg)
{
	struct run_net *n = net_add(ra);

	if (!n)
		return fail(ra, -ENOMEM, "out of memory");
	n->form = form;
	n->argi = argi;
	return net_parse(ra, n, p, opt, arg);
}

/* Scan the emulator's arguments after vdeq's options. */
static int scan(struct runargs *ra, bool *net_nic)
{
	int i, rc;

	for (i = ra->first; i < ra->argc; i++) {
		const char *a = ra->argv[i], *opt = net_option(a), *type;
		struct params p;
		char optname[16];

		if (is_opt(a, "daemonize"))
			ra->daemonize = true;
		if (!opt || i + 1 >= ra->argc)
			continue;
		a = ra->argv[++i];
		snprintf(optname, sizeof(optname), "-%s", opt);
		if (a[0] == '{') {
			if (strstr(a, "\"vde\""))
				return fail(ra, -EINVAL,
					    "%s %s: the JSON form is not "
					    "rewritten; write %s vde,KEY=VALUE,"
					    "...", optname, a, optname);
			continue;
		}
		if (params_split(a, &p))
			return fail(ra, -ENOMEM, "out of memory");
		type = params_type(&p);
		rc = 0;
		if (type && !strcmp(type, "vde"))
			rc = net_from(ra,
				      !strcmp(opt, "nic")      ? RUN_NIC
				      : !strcmp(opt, "netdev") ? RUN_NETDEV
							       : RUN_NET,
				      i - 1, &p, optname, a);
		else if (type && !strcmp(type, "nic") && !strcmp(opt, "net")) {
			*net_nic = true;
			rc = nic_parse(ra, &p, i - 1, a);
		}
		params_free(&p);
		if (rc)
			return rc;
	}
	return 0;
}

/**
 * runargs_parse() - find the VDE options in an emulator's arguments
 * @ra:		filled in; release with runargs_free() even on failure
 * @argc:	number of arguments after EMULATOR
 * @argv:	those arguments (kept by reference until runargs_free())
 * @vdeq_default: without any VDE option or -sock, connect one NIC to the
 *		default switch anyway (vdeq's behaviour when run as vdeEMU)
 *
 * Return: 0, or -EINVAL / -ENOMEM with the reason in @ra->err
 */
int runargs_parse(struct runargs *ra, int argc, char *const argv[],
		  bool vdeq_default)
{
	char **socks = NULL;
	size_t nsocks = 0, i;
	unsigned mod = RUN_DEFAULT_MODE;
	bool have_mod = false, net_nic = false;
	int rc;

	memset(ra, 0, sizeof(*ra));
	ra->argc = argc;
	ra->argv = argv;
	rc = vdeq_opts(ra, &socks, &nsocks, &mod, &have_mod);
	if (!rc)
		rc = scan(ra, &net_nic);
	if (rc)
		goto out;

	if (ra->nnets && nsocks > 1) {
		rc = fail(ra, -EINVAL,
			  "-sock with several switches is vdeq's form "
			  "without vde options; with -nic/-netdev/-net vde "
			  "give each its sock=");
		goto out;
	}
	for (i = 0; i < ra->nnets; i++) {
		struct run_net *n = &ra->nets[i];

		if (!n->sock && nsocks == 1) {
			n->sock = strdup(socks[0]);
			if (!n->sock) {
				rc = fail(ra, -ENOMEM, "out of memory");
				goto out;
			}
		}
		if (!n->have_mode)
			n->mode = mod;
	}
	if (!ra->nnets && (nsocks || have_mod || vdeq_default)) {
		/* vdeq's old form: every switch on one NIC (hub 0) */
		for (i = 0; i < (nsocks ? nsocks : 1); i++) {
			struct run_net *n = net_add(ra);

			if (!n || (nsocks && !(n->sock = strdup(socks[i])))) {
				rc = fail(ra, -ENOMEM, "out of memory");
				goto out;
			}
			n->form = RUN_SOCK;
			n->mode = mod;
		}
		ra->add_nic = !net_nic;
	}
out:
	for (i = 0; i < nsocks; i++)
		free(socks[i]);
	free(socks);
	return rc;
}

/* The growing new command line. */
struct argv_out {
	char **v;
	int n, size;
	bool oom;
};

static void out_add(struct argv_out *o, char *s)
{
	if (!s || o->oom) {
		free(s);
		o->oom = true;
		return;
	}
	if (o->n + 2 > o->size) {
		int nsize = o->size ? o->size * 2 : 16;
		char **v = realloc(o->v, (size_t)nsize * sizeof(*v));

		if (!v) {
			free(s);
			o->oom = true;
			return;
		}
		o->v = v;
		o->size = nsize;
	}
	o->v[o->n++] = s;
	o->v[o->n] = NULL;
}

/* Build "type,key=val,..." from NULL-terminated key/value pairs. */
static char *optval(const char *type, ...)
{
	struct sbuf b = { 0 };
	const char *k;
	va_list ap;
	int rc;

	rc = sb_add(&b, type, true);
	va_start(ap, type);
	while (!rc && (k = va_arg(ap, const char *))) {
		const char *v = va_arg(ap, const char *);

		if (v)
			rc = sb_kv(&b, k, v);
	}
	va_end(ap);
	if (rc) {
		free(b.s);
		return NULL;
	}
	return b.s;
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

static char *fmt(const char *f, ...)
{
	va_list ap;
	char *s;
	int rc;

	va_start(ap, f);
	rc = vasprintf(&s, f, ap);
	va_end(ap);
	return rc < 0 ? NULL : s;
}

static void emit_net(struct argv_out *o, const struct run_net *n, size_t k)
{
	char fd[16], hub[24];
	char *id = NULL;

	snprintf(fd, sizeof(fd), "%d", n->fd);
	switch (n->form) {
	case RUN_NETDEV:
		out_add(o, strdup("-netdev"));
		out_add(o, optval("socket", "id", n->id, "fd", fd, NULL));
		break;
	case RUN_NIC:
		out_add(o, strdup("-nic"));
		out_add(o, optval("socket", "fd", fd, "id", n->id, "model",
				  n->model, "mac", n->mac, NULL));
		break;
	case RUN_NET:
		if (n->vlan <= 0) {
			out_add(o, strdup("-net"));
			out_add(o, optval("socket", "fd", fd, "id", n->id,
					  NULL));
			break;
		}
		id = n->id ? strdup(n->id) : fmt("pbrun%zu", k);
		if (!id) {
			o->oom = true;
			break;
		}
		snprintf(hub, sizeof(hub), "%ld", n->vlan);
		out_add(o, strdup("-netdev"));
		out_add(o, optval("socket", "id", id, "fd", fd, NULL));
		out_add(o, strdup("-netdev"));
		out_add(o, fmt("hubport,id=%shub,hubid=%s,netdev=%s", id, hub,
			       id));
		free(id);
		break;
	case RUN_SOCK:
		out_add(o, strdup("-net"));
		out_add(o, optval("socket", "fd", fd, NULL));
		break;
	}
}

static void emit_nic(struct argv_out *o, const struct run_nic *nic, size_t k)
{
	const char *sep = nic->rest ? "," : "";
	const char *rest = nic->rest ? nic->rest : "";

	if (nic->vlan == 0) {
		out_add(o, strdup("-net"));
		out_add(o, fmt("nic%s%s", sep, rest));
		return;
	}
	out_add(o, strdup("-netdev"));
	out_add(o, fmt("hubport,id=pbnic%zu,hubid=%ld", k, nic->vlan));
	out_add(o, strdup("-net"));
	out_add(o, fmt("nic,netdev=pbnic%zu%s%s", k, sep, rest));
}

/**
 * runargs_build() - the emulator's new arguments
 * @ra:		parsed by runargs_parse(), each net's fd set
 * @argcp:	the number of arguments, or NULL
 *
 * Return: a NULL-terminated array of new strings (runargs_argv_free()), or
 * NULL without memory
 */
char **runargs_build(const struct runargs *ra, int *argcp)
{
	struct argv_out o = { 0 };
	size_t net = 0, nic = 0, k;
	int i;

	if (ra->add_nic) {
		out_add(&o, strdup("-net"));
		out_add(&o, strdup("nic"));
	}
	for (k = 0; k < ra->nnets; k++)
		if (ra->nets[k].form == RUN_SOCK)
			emit_net(&o, &ra->nets[k], k);
	for (i = ra->first; i < ra->argc; i++) {
		while (net < ra->nnets && ra->nets[net].argi < 0)
			net++;
		if (net < ra->nnets && ra->nets[net].argi == i) {
			emit_net(&o, &ra->nets[net], net);
			net++;
			i++;
		} else if (nic < ra->nnics && ra->nics[nic].argi == i) {
			emit_nic(&o, &ra->nics[nic], nic);
			nic++;
			i++;
		} else {
			out_add(&o, strdup(ra->argv[i]));
		}
	}
	if (!o.v) {
		o.v = calloc(1, sizeof(*o.v));
		if (!o.v)
			return NULL;
	}
	if (o.oom) {
		runargs_argv_free(o.v);
		return NULL;
	}
	if (argcp)
		*argcp = o.n;
	return o.v;
}

/** runargs_free() - release what runargs_parse() allocated */
void runargs_free(struct runargs *ra)
{
	size_t i;

	for (i = 0; i < ra->nnets; i++)
		net_free(&ra->nets[i]);
	for (i = 0; i < ra->nnics; i++)
		free(ra->nics[i].rest);
	free(ra->nets);
	free(ra->nics);
	ra->nets = NULL;
	ra->nics = NULL;
	ra->nnets = ra->nnics = 0;
}

/** runargs_argv_free() - release an array from runargs_build() */
void runargs_argv_free(char **argv)
{
	char **p;

	if (!argv)
		return;
	for (p = argv; *p; p++)
		free(*p);
	free(argv);
}

static bool shell_safe(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789_@%+=:,./-", *s))
			return false;
	return true;
}

/**
 * runargs_quote() - a command line as a shell would read it back
 * @prog:	the program name, first word
 * @argv:	NULL-terminated arguments after it
 *
 * Words with characters a shell treats specially are put in single
 * quotes, a quote inside written as '\''.
 *
 * Return: a new string, or NULL without memory
 */
char *runargs_quote(const char *prog, char *const argv[])
{
	size_t size = strlen(prog) * 4 + 3, len = 0, i;
	const char *w = prog;
	char *out;

	for (i = 0; argv[i]; i++)
		size += strlen(argv[i]) * 4 + 3;
	out = malloc(size + 1);
	if (!out)
		return NULL;
	for (i = 0; w; w = argv[i++]) {
		const char *s;

		if (len)
			out[len++] = ' ';
		if (shell_safe(w)) {
			memcpy(out + len, w, strlen(w));
			len += strlen(w);
			continue;
		}
		out[len++] = '\'';
		for (s = w; *s; s++) {
			if (*s == '\'') {
				memcpy(out + len, "'\\''", 4);
				len += 4;
			} else {
				out[len++] = *s;
			}
		}
		out[len++] = '\'';
	}
	out[len] = '\0';
	return out;
}

/**
 * runargs_is_vde_scheme() - does @sock name a vde_switch-style switch?
 * @sock:	the sock= value; NULL for the default switch
 *
 * Return: true for a plain path (vdeplug4 reads it as vde://), a vde://
 * URL, or the default switch; its data socket can be handed over as it is
 * (the launcher still checks the fd). False for any other scheme.
 */
bool runargs_is_vde_scheme(const char *sock)
{
	return !sock || !strstr(sock, "://") || !strncmp(sock, "vde://", 6);
}
