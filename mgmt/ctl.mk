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

# Unit tests of the client's parts (sanitized like the other unit tests)
ctl_unit_tests = tests/unit/test_ctl_json tests/unit/test_ctl_parse \
	tests/unit/test_ctl_conn
check_PROGRAMS += $(ctl_unit_tests)
TESTS += $(ctl_unit_tests)
CTL_TEST_CPPFLAGS = $(TEST_CPPFLAGS) -I$(top_srcdir)/mgmt
tests_unit_test_ctl_json_SOURCES = tests/unit/test_ctl_json.c \
	mgmt/ctl_json.c mgmt/ctl_json.h
tests_unit_test_ctl_json_CPPFLAGS = $(CTL_TEST_CPPFLAGS)
tests_unit_test_ctl_json_LDADD = $(TEST_LIBS)
tests_unit_test_ctl_parse_SOURCES = tests/unit/test_ctl_parse.c \
	mgmt/ctl_parse.c mgmt/ctl_parse.h mgmt/ctl_json.c mgmt/ctl_json.h
tests_unit_test_ctl_parse_CPPFLAGS = $(CTL_TEST_CPPFLAGS)
tests_unit_test_ctl_parse_LDADD = $(TEST_LIBS)
tests_unit_test_ctl_conn_SOURCES = tests/unit/test_ctl_conn.c \
	mgmt/ctl_conn.c mgmt/ctl_conn.h
tests_unit_test_ctl_conn_CPPFLAGS = $(CTL_TEST_CPPFLAGS)
tests_unit_test_ctl_conn_LDADD = $(TEST_LIBS)

# Integration test: the built patchbay-ctl against Debian's vde_switch -M
check_PROGRAMS += tests/integration/test_ctl
TESTS += tests/integration/test_ctl
tests_integration_test_ctl_SOURCES = tests/integration/test_ctl.c \
	tests/integration/harness.c tests/integration/harness.h
tests_integration_test_ctl_CPPFLAGS = $(TEST_CPPFLAGS) \
	-DCTL_BIN='"$(abs_top_builddir)/mgmt/patchbay-ctl"'
tests_integration_test_ctl_CFLAGS = $(INTEG_CFLAGS)
tests_integration_test_ctl_LDFLAGS =
tests_integration_test_ctl_LDADD = $(INTEG_LIBS)
