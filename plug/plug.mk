# plug/plug.mk: patchbay-plug, the vde_plug-compatible cable end, the
# vde_plug stream framer it shares with patchbay-tap (lib/vdestream.c),
# their man page and tests. Included from the top-level Makefile.am.

lib_libcommon_a_SOURCES += lib/vdestream.c lib/vdestream.h

bin_PROGRAMS += plug/patchbay-plug
dist_man_MANS += doc/patchbay-plug.1

# libvdeplug dlopen()s its plugins with RTLD_DEEPBIND, which ASan refuses:
# with --enable-sanitizers this program gets UBSan only, so the lib/
# sources are compiled here again, not linked from the ASan-instrumented
# library (as tapbridge/tapjoin.mk does for patchbay-tap).
plug_patchbay_plug_SOURCES = plug/patchbay-plug.c $(lib_libcommon_a_SOURCES)
if SANITIZERS
plug_patchbay_plug_CFLAGS = -std=gnu11 $(WARN_CFLAGS) \
	-fsanitize=undefined -fno-sanitize-recover=all
plug_patchbay_plug_LDFLAGS = -fsanitize=undefined
else
plug_patchbay_plug_CFLAGS = -std=gnu11 $(WARN_CFLAGS)
plug_patchbay_plug_LDFLAGS =
endif
plug_patchbay_plug_LDADD = $(VDEPLUG_LIBS)

check_PROGRAMS += tests/unit/test_vdestream tests/integration/test_plug
TESTS += tests/unit/test_vdestream tests/integration/test_plug

tests_unit_test_vdestream_SOURCES = tests/unit/test_vdestream.c
tests_unit_test_vdestream_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_test_vdestream_LDADD = $(TEST_LIBS)

tests_integration_test_plug_SOURCES = tests/integration/test_plug.c \
	tests/integration/harness.c tests/integration/harness.h
tests_integration_test_plug_CPPFLAGS = $(TEST_CPPFLAGS) \
	-DPLUG_BIN='"$(abs_top_builddir)/plug/patchbay-plug"'
tests_integration_test_plug_CFLAGS = $(INTEG_CFLAGS)
tests_integration_test_plug_LDFLAGS =
tests_integration_test_plug_LDADD = $(INTEG_LIBS)
