# patchbay-ctl: the management console client (included by Makefile.am)

bin_PROGRAMS += mgmt/patchbay-ctl
mgmt_patchbay_ctl_SOURCES = mgmt/ctl.c mgmt/ctl.h \
	mgmt/ctl_conn.c mgmt/ctl_conn.h \
	mgmt/ctl_json.c mgmt/ctl_json.h \
	mgmt/ctl_parse.c mgmt/ctl_parse.h \
	mgmt/ctl_term.c
mgmt_patchbay_ctl_CFLAGS = $(AM_CFLAGS) $(LIBEDIT_CFLAGS)
mgmt_patchbay_ctl_LDADD = lib/libcommon.a $(LIBEDIT_LIBS)

dist_man_MANS += doc/patchbay-ctl.1
