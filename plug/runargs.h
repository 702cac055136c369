/* SPDX-License-Identifier: GPL-2.0-or-later
 * runargs.h - the emulator command line as patchbay-run rewrites it.
 *
 * runargs_parse() reads the arguments that follow EMULATOR: vdeq's own
 * leading options (-sock/-vdesock/-unix PATH[,PATH...], --mod OCTAL), and
 * every -nic vde,..., -netdev vde,... and -net vde,... anywhere after them.
 * Each becomes a struct run_net: where to connect and how the emulator will
 * see it. The launcher then opens the connections, stores in each run_net
 * the fd the emulator inherits, and runargs_build() writes the new command
 * line, every other argument unchanged and in place:
 *
 *   -netdev vde,id=X,...     -netdev socket,id=X,fd=N
 *   -nic vde,model=M,mac=A   -nic socket,fd=N,model=M,mac=A
 *   -net vde,...             -net socket,fd=N            (QEMU's hub 0)
 *   -net vde,vlan=V,...      -netdev socket,id=I,fd=N
 *                            -netdev hubport,id=Ih,hubid=V,netdev=I
 *   -net nic,vlan=V,...      -netdev hubport,id=J,hubid=V -net nic,netdev=J,...
 *   -sock S1,S2 (no vde)     -net nic -net socket,fd=N1 -net socket,fd=N2
 *
 * (vlan=0 is hub 0, so it is simply dropped.) Nothing here opens a socket:
 * the module is plain text in, text out, for the unit tests.
 */
#ifndef PATCHBAY_RUNARGS_H
#define PATCHBAY_RUNARGS_H

#include <stdbool.h>
#include <stddef.h>

/* Where a connection came from on the command line. */
enum run_form {
	RUN_NETDEV,		/* -netdev vde,... */
	RUN_NIC,		/* -nic vde,... */
	RUN_NET,		/* -net vde,... */
	RUN_SOCK,		/* one path of vdeq's -sock, without vde options */
};

/* One connection to a switch, and the emulator's end of it. */
struct run_net {
	enum run_form form;
	int argi;		/* index of the option in the arguments, or -1 */
	char *sock;		/* switch dir or libvdeplug URL; NULL: default */
	int port;		/* 0: any */
	char *group;		/* NULL: none */
	unsigned mode;		/* the client socket's mode */
	bool have_mode;		/* mode= given on this option */
	char *id;		/* netdev id, NULL if none given */
	char *model, *mac;	/* -nic only, NULL if not given */
	long vlan;		/* -net's legacy hub number, -1 if none */
	int fd;			/* the fd the emulator gets: set by the caller */
};

/* A -net nic,vlan=V,... the rewriter turns into a hub port. */
struct run_nic {
	int argi;
	long vlan;
	char *rest;		/* the other parameters, re-escaped, or NULL */
};

struct runargs {
	int argc;
	char *const *argv;	/* the emulator's arguments, not owned */
	int first;		/* first argument after vdeq's own options */
	struct run_net *nets;
	size_t nnets;
	struct run_nic *nics;
	size_t nnics;
	bool add_nic;		/* vdeq's -sock form: prepend -net nic */
	bool daemonize;		/* -daemonize is among the arguments */
	char err[512];		/* why runargs_parse() failed */
};

#define RUN_DEFAULT_MODE 0700	/* QEMU's and vdeplug4's default */

int runargs_parse(struct runargs *ra, int argc, char *const argv[],
		  bool vdeq_default);
char **runargs_build(const struct runargs *ra, int *argcp);
void runargs_free(struct runargs *ra);
void runargs_argv_free(char **argv);
char *runargs_quote(const char *prog, char *const argv[]);
bool runargs_is_vde_scheme(const char *sock);

#endif /* PATCHBAY_RUNARGS_H */
