# Included by tests/tests.mk: libFuzzer harnesses for every parser of
# input a target or a user hands over (tests/fuzz/fuzz_*.c), built with
# clang -fsanitize=fuzzer,address,undefined against the loader's objects.
#
#   make fuzz            each harness for FUZZ_SECONDS (default 60) from its
#                        seed corpus (tests/fuzz/corpus/NAME/); new inputs go
#                        to build/fuzz/corpus/NAME, crashes to build/fuzz/
#   make test            each for a few seconds on its seeds (regressions)

FUZZ_DIR	:= $(OUT)/fuzz
FUZZ_FLAGS	:= -fsanitize=address,undefined -fno-sanitize-recover=all \
		   -fno-omit-frame-pointer
FUZZ_CFLAGS	:= -O1 -g $(WARN) -std=gnu11 -D_GNU_SOURCE -Iinclude -Iuser \
		   -I$(OUT) -DPROFILER_VERSION='"$(VERSION)"'
FUZZ_OBJS	:= $(patsubst user/%.c,$(FUZZ_DIR)/user/%.o,$(LIB_SRCS))
FUZZ_SRCS	:= $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS	:= $(patsubst tests/fuzz/%.c,$(FUZZ_DIR)/%,$(FUZZ_SRCS))
FUZZ_SECONDS	?= 60

$(FUZZ_DIR)/user/%.o: user/%.c | $(SKELS)
	$(call msg,CC-FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -MMD -MP \
		-c $< -o $@

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJS)
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< \
		$(FUZZ_OBJS) $(LDLIBS)

.PHONY: fuzz-build fuzz
fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	$(Q)bash tests/fuzz/run.sh $(FUZZ_SECONDS)
