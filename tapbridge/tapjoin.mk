# tapbridge/tapjoin.mk: patchbay-tap, a TAP device joined to a VDE switch
# (the replacement for vde_plug2tap), its man page and integration test.
# Included from the top-level Makefile.am.

bin_PROGRAMS += tapbridge/patchbay-tap
dist_man_MANS += doc/patchbay-tap.8

# libvdeplug dlopen()s its plugins with RTLD_DEEPBIND, which ASan refuses
# (the same reason the integration tests are built without it): with
# --enable-sanitizers this program gets UBSan only, so the sources it
# shares with the daemon are compiled here again, not linked from the
# ASan-instrumented libraries.
tapbridge_patchbay_tap_SOURCES = tapbridge/patchbay-tap.c \
	tapbridge/tap.c tapbridge/netlink.c \
	$(switch_libswitch_a_SOURCES) $(lib_libcommon_a_SOURCES)
tapbridge_patchbay_tap_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tapbridge \
	$(LIBNL_CFLAGS)
tapbridge_patchbay_tap_CFLAGS = $(VDEPLUG_PROG_CC_FLAGS)
tapbridge_patchbay_tap_LDFLAGS = $(VDEPLUG_PROG_LD_FLAGS)
tapbridge_patchbay_tap_LDADD = $(LIBNL_LIBS) $(VDEPLUG_LIBS)

check_PROGRAMS += tests/integration/test_tapjoin
TESTS += tests/integration/test_tapjoin

tests_integration_test_tapjoin_SOURCES = tests/integration/test_tapjoin.c \
	tests/integration/harness.c tests/integration/harness.h
tests_integration_test_tapjoin_CPPFLAGS = $(TEST_CPPFLAGS) \
	-DTAPJOIN_BIN='"$(abs_top_builddir)/tapbridge/patchbay-tap"'
tests_integration_test_tapjoin_CFLAGS = $(INTEG_CFLAGS)
tests_integration_test_tapjoin_LDFLAGS =
tests_integration_test_tapjoin_LDADD = $(INTEG_LIBS)
