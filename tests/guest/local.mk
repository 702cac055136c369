# tests/guest/: the QEMU guest the integration tests boot (built on first
# use by mkguest.sh, cached), the C API for it (guest.c) and its tests.
# Included from the top-level Makefile.am.

EXTRA_DIST += tests/guest/mkguest.sh tests/guest/init

# for other test programs that boot guests: add these sources and flags
GUEST_SOURCES = tests/integration/guest.c tests/integration/guest.h
GUEST_CPPFLAGS = -DGUEST_DIR='"$(abs_top_srcdir)/tests/guest"'

check_PROGRAMS += tests/integration/test_guest
TESTS += tests/integration/test_guest

tests_integration_test_guest_SOURCES = tests/integration/test_guest.c \
	$(GUEST_SOURCES) \
	tests/integration/harness.c tests/integration/harness.h
tests_integration_test_guest_CPPFLAGS = $(TEST_CPPFLAGS) $(GUEST_CPPFLAGS)
tests_integration_test_guest_CFLAGS = $(INTEG_CFLAGS)
tests_integration_test_guest_LDFLAGS =
tests_integration_test_guest_LDADD = $(INTEG_LIBS)

# ports from URLs with real guests (stream, socket, dgram, multicast)
check_PROGRAMS += tests/integration/test_urlguest
TESTS += tests/integration/test_urlguest

tests_integration_test_urlguest_SOURCES = tests/integration/test_urlguest.c \
	$(GUEST_SOURCES) \
	tests/integration/harness.c tests/integration/harness.h
tests_integration_test_urlguest_CPPFLAGS = $(TEST_CPPFLAGS) $(GUEST_CPPFLAGS)
tests_integration_test_urlguest_CFLAGS = $(INTEG_CFLAGS)
tests_integration_test_urlguest_LDFLAGS =
tests_integration_test_urlguest_LDADD = $(INTEG_LIBS)

# patchbay-run and patchbay-plug with real guests (issue 15)
check_PROGRAMS += tests/integration/test_runguest
TESTS += tests/integration/test_runguest

tests_integration_test_runguest_SOURCES = \
	tests/integration/test_runguest.c $(GUEST_SOURCES) \
	tests/integration/runtest.c tests/integration/runtest.h \
	tests/integration/harness.c tests/integration/harness.h
tests_integration_test_runguest_CPPFLAGS = $(TEST_CPPFLAGS) \
	$(GUEST_CPPFLAGS) \
	-DRUN_BIN='"$(abs_top_builddir)/plug/patchbay-run"' \
	-DPLUG_BIN='"$(abs_top_builddir)/plug/patchbay-plug"'
tests_integration_test_runguest_CFLAGS = $(INTEG_CFLAGS)
tests_integration_test_runguest_LDFLAGS =
tests_integration_test_runguest_LDADD = $(INTEG_LIBS)

# slirp:// ports with real guests (issue 17)
check_PROGRAMS += tests/integration/test_slirp
TESTS += tests/integration/test_slirp

tests_integration_test_slirp_SOURCES = tests/integration/test_slirp.c \
	$(GUEST_SOURCES) \
	tests/integration/harness.c tests/integration/harness.h
tests_integration_test_slirp_CPPFLAGS = $(TEST_CPPFLAGS) $(GUEST_CPPFLAGS)
tests_integration_test_slirp_CFLAGS = $(INTEG_CFLAGS)
tests_integration_test_slirp_LDFLAGS =
tests_integration_test_slirp_LDADD = $(INTEG_LIBS)

# vhost-user:// ports with real guests (issue 21)
check_PROGRAMS += tests/integration/test_vhost
TESTS += tests/integration/test_vhost

tests_integration_test_vhost_SOURCES = tests/integration/test_vhost.c \
	$(GUEST_SOURCES) \
	tests/integration/harness.c tests/integration/harness.h
tests_integration_test_vhost_CPPFLAGS = $(TEST_CPPFLAGS) $(GUEST_CPPFLAGS)
tests_integration_test_vhost_CFLAGS = $(INTEG_CFLAGS)
tests_integration_test_vhost_LDFLAGS =
tests_integration_test_vhost_LDADD = $(INTEG_LIBS)

# --user: privileges dropped after start-up, a guest still on the TAP
# (issue 19)
check_PROGRAMS += tests/integration/test_privdrop
TESTS += tests/integration/test_privdrop

tests_integration_test_privdrop_SOURCES = tests/integration/test_privdrop.c \
	$(GUEST_SOURCES) \
	tests/integration/harness.c tests/integration/harness.h
tests_integration_test_privdrop_CPPFLAGS = $(TEST_CPPFLAGS) $(GUEST_CPPFLAGS)
tests_integration_test_privdrop_CFLAGS = $(INTEG_CFLAGS)
tests_integration_test_privdrop_LDFLAGS =
tests_integration_test_privdrop_LDADD = $(INTEG_LIBS)
