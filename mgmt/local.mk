# mgmt/: the management console library and its unit tests.
# Included from the top-level Makefile.am.

noinst_LIBRARIES += mgmt/libmgmt.a

mgmt_libmgmt_a_SOURCES = \
	mgmt/cmd.c mgmt/cmd.h \
	mgmt/cmd_core.c mgmt/cmd_debug.c \
	mgmt/console.c \
	mgmt/event.c \
	mgmt/load.c \
	mgmt/mgmt.c mgmt/mgmt.h mgmt/mgmt_int.h \
	mgmt/out.c mgmt/out.h \
	mgmt/server.c \
	mgmt/swcmd.c mgmt/swcmd.h \
	mgmt/cmd_port.c mgmt/cmd_vlan.c mgmt/cmd_hash.c mgmt/cmd_info.c \
	mgmt/cmd_fstp.c

MGMT_TEST_CPPFLAGS = $(TEST_CPPFLAGS) -I$(top_srcdir)/mgmt
MGMT_TEST_LIBS = mgmt/libmgmt.a $(TEST_LIBS)

mgmt_unit_tests = tests/unit/test_console tests/unit/test_swcmd
check_PROGRAMS += $(mgmt_unit_tests)
TESTS += $(mgmt_unit_tests)

tests_unit_test_console_SOURCES = tests/unit/test_console.c
tests_unit_test_console_CPPFLAGS = $(MGMT_TEST_CPPFLAGS)
tests_unit_test_console_LDADD = $(MGMT_TEST_LIBS)

tests_unit_test_swcmd_SOURCES = tests/unit/test_swcmd.c \
	tests/unit/pairbackend.c tests/unit/pairbackend.h
tests_unit_test_swcmd_CPPFLAGS = $(MGMT_TEST_CPPFLAGS)
tests_unit_test_swcmd_LDADD = $(MGMT_TEST_LIBS)
