# plug/run.mk: patchbay-run, the vdeq-style launcher (an emulator joined
# to VDE switches by handing it the switch's own data socket), its man
# page, the unit test of its argument rewriter and its integration test.
# Included from the top-level Makefile.am.

bin_PROGRAMS += plug/patchbay-run
dist_man_MANS += doc/patchbay-run.1

# libvdeplug dlopen()s its plugins with RTLD_DEEPBIND, which ASan refuses:
# this program gets UBSan only (VDEPLUG_PROG_CC_FLAGS), so the shared sources
# are compiled here again rather than linked from the ASan build.
plug_patchbay_run_SOURCES = plug/patchbay-run.c plug/runargs.c \
	plug/runargs.h lib/log.c lib/log.h lib/parse.c lib/parse.h
plug_patchbay_run_CFLAGS = $(VDEPLUG_PROG_CC_FLAGS)
plug_patchbay_run_LDFLAGS = $(VDEPLUG_PROG_LD_FLAGS)
plug_patchbay_run_LDADD = $(VDEPLUG_LIBS)

check_PROGRAMS += tests/unit/test_runargs
TESTS += tests/unit/test_runargs
tests_unit_test_runargs_SOURCES = tests/unit/test_runargs.c plug/runargs.c \
	plug/runargs.h
tests_unit_test_runargs_CPPFLAGS = $(TEST_CPPFLAGS) -I$(top_srcdir)/plug
tests_unit_test_runargs_LDADD = $(TEST_LIBS)

# fakeemu: a stand-in emulator for the launcher's tests (reports its argv
# and inherited fds, sends and echoes frames on them).
check_PROGRAMS += tests/integration/fakeemu tests/integration/test_run
TESTS += tests/integration/test_run
tests_integration_fakeemu_SOURCES = tests/integration/fakeemu.c
tests_integration_fakeemu_CFLAGS = $(INTEG_CFLAGS)
tests_integration_fakeemu_LDFLAGS =
tests_integration_fakeemu_LDADD =

tests_integration_test_run_SOURCES = tests/integration/test_run.c \
	tests/integration/runtest.c tests/integration/runtest.h \
	tests/integration/harness.c tests/integration/harness.h
tests_integration_test_run_CPPFLAGS = $(TEST_CPPFLAGS) \
	-DRUN_BIN='"$(abs_top_builddir)/plug/patchbay-run"' \
	-DFAKEEMU_BIN='"$(abs_top_builddir)/tests/integration/fakeemu"'
tests_integration_test_run_CFLAGS = $(INTEG_CFLAGS)
tests_integration_test_run_LDFLAGS =
tests_integration_test_run_LDADD = $(INTEG_LIBS)
