# tests/fuzz/fuzz.mk - builds the libFuzzer harnesses with $(FUZZ_CC),
# apart from the normal build: every module source compiled again with
# -fsanitize=fuzzer-no-link,address,undefined into tests/fuzz/obj/, archived,
# and linked with each harness. GNU make; run by `make fuzz` (fuzz.am),
# which passes the variables below from the Automake build.
#
# srcdir	the source tree
# FUZZ_CC	clang
# CPPFLAGS_ALL	the build's include flags
# WARN		the build's warning flags (-Werror dropped: another compiler)
# LIB_SRCS, SWITCH_SRCS, MGMT_SRCS	the libraries' sources (headers too)
# HARNESSES	request console ... (tests/fuzz/fuzz_NAME.c)

OBJ := tests/fuzz/obj
BIN := tests/fuzz/bin
SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined
# -Werror dropped (another compiler), and clang's complaint about
# log.c's vsnprintf() wrapper, which gcc's format attribute covers
FLAGS := -g -O1 -std=gnu11 -fno-omit-frame-pointer \
	$(filter-out -Werror,$(WARN)) -Wno-format-nonliteral

lib_objs = $(patsubst %.c,$(OBJ)/%.o,$(filter %.c,$(1)))

LIB_OBJS := $(call lib_objs,$(LIB_SRCS))
SWITCH_OBJS := $(call lib_objs,$(SWITCH_SRCS))
MGMT_OBJS := $(call lib_objs,$(MGMT_SRCS))
ARCHIVES := $(OBJ)/libmgmt.a $(OBJ)/libswitch.a $(OBJ)/libcommon.a

# helpers some harnesses link besides their own file
EXTRA_url := $(OBJ)/tests/fuzz/nodns.o
EXTRA_console := $(OBJ)/tests/fuzz/fakesw.o
EXTRA_rc := $(OBJ)/tests/fuzz/fakesw.o
EXTRA_fwd := $(OBJ)/tests/fuzz/fakesw.o
EXTRA_vnet := $(OBJ)/tests/fuzz/fakesw.o
EXTRA_bpdu := $(OBJ)/tests/fuzz/fakesw.o

all: $(patsubst %,$(BIN)/fuzz_%,$(HARNESSES))

$(OBJ)/%.o: $(srcdir)/%.c
	@mkdir -p $(@D)
	@echo "  FUZZCC   $*.o"
	@$(FUZZ_CC) $(CPPFLAGS_ALL) $(FLAGS) -fsanitize=fuzzer-no-link $(SAN) \
		-MMD -MP -c $< -o $@

$(OBJ)/libcommon.a: $(LIB_OBJS)
$(OBJ)/libswitch.a: $(SWITCH_OBJS)
$(OBJ)/libmgmt.a: $(MGMT_OBJS)
$(ARCHIVES):
	@rm -f $@
	@ar cr $@ $^

.SECONDEXPANSION:
$(BIN)/fuzz_%: $(OBJ)/tests/fuzz/fuzz_%.o $$(EXTRA_$$*) $(ARCHIVES)
	@mkdir -p $(@D)
	@echo "  FUZZLD   $@"
	@$(FUZZ_CC) $(FLAGS) -fsanitize=fuzzer $(SAN) -o $@ \
		$(filter %.o,$^) $(ARCHIVES) -ldl

-include $(shell find $(OBJ) -name '*.d' 2>/dev/null)

.SECONDARY:
.PHONY: all
