# tapbridge/: TAP configuration through netlink (libnl-3) and its tests.
# Included from the top-level Makefile.am.

noinst_LIBRARIES += tapbridge/libtapbridge.a

tapbridge_libtapbridge_a_SOURCES = tapbridge/netlink.c tapbridge/netlink.h \
	tapbridge/tap.c tapbridge/tap.h
tapbridge_libtapbridge_a_CPPFLAGS = $(AM_CPPFLAGS) $(LIBNL_CFLAGS)

tapbridge_unit_tests = tests/unit/test_tapnl
check_PROGRAMS += $(tapbridge_unit_tests)
TESTS += $(tapbridge_unit_tests)

tests_unit_test_tapnl_SOURCES = tests/unit/test_tapnl.c
tests_unit_test_tapnl_CPPFLAGS = $(TEST_CPPFLAGS) -I$(top_srcdir)/tapbridge \
	$(LIBNL_CFLAGS)
tests_unit_test_tapnl_LDADD = tapbridge/libtapbridge.a lib/libcommon.a \
	$(LIBNL_LIBS) $(CRITERION_LIBS)
