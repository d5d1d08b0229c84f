# Included by the top Makefile: test targets, unit tests (cmocka, run under
# ASan+UBSan), fixtures for the symbol tests, and the root integration suite.

# ---- programs the integration tests profile ---------------------------------
TARGET_DIR	:= tests/targets/build
TARGET_CFLAGS	:= -O1 -g -fno-omit-frame-pointer -fno-optimize-sibling-calls
TARGET_BINS	:= $(TARGET_DIR)/cpu_chain $(TARGET_DIR)/cpu_lib \
		   $(TARGET_DIR)/exit_status $(TARGET_DIR)/threads \
		   $(TARGET_DIR)/libhot.so

# clang keeps the frame pointer in leaf functions; gcc 12 drops it there.
$(TARGET_DIR)/libhot.so: tests/targets/libhot.c $(wildcard tests/targets/*.h)
	$(call msg,TARGET,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(TARGET_CFLAGS) -fPIC -shared -o $@ $<

$(TARGET_DIR)/cpu_lib: tests/targets/cpu_lib.c $(TARGET_DIR)/libhot.so
	$(call msg,TARGET,$@)
	$(Q)$(CLANG) $(TARGET_CFLAGS) -o $@ $< -L$(TARGET_DIR) -lhot \
		-Wl,-rpath,'$$ORIGIN'

$(TARGET_DIR)/threads: tests/targets/threads.c $(wildcard tests/targets/*.h)
	$(call msg,TARGET,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(TARGET_CFLAGS) -pthread -o $@ $<

$(TARGET_DIR)/%: tests/targets/%.c $(wildcard tests/targets/*.h)
	$(call msg,TARGET,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(TARGET_CFLAGS) -o $@ $< -lm

.PHONY: targets
targets: $(TARGET_BINS)

# ---- unit tests -------------------------------------------------------------
# The loader's library objects again, with sanitizers, linked into one cmocka
# program per tests/unit/test_*.c.
SAN_FLAGS	:= -fsanitize=address,undefined -fno-sanitize-recover=all \
		   -fno-omit-frame-pointer
SAN_DIR		:= $(OUT)/san
SAN_OBJS	:= $(patsubst user/%.c,$(SAN_DIR)/user/%.o,$(LIB_SRCS))
UNIT_SRCS	:= $(wildcard tests/unit/test_*.c)
UNIT_BINS	:= $(patsubst tests/unit/%.c,$(SAN_DIR)/tests/%,$(UNIT_SRCS))
FIXTURE_DIR	:= $(OUT)/fixtures

$(SAN_DIR)/user/%.o: user/%.c | $(SKELS)
	$(call msg,CC-SAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(USER_CFLAGS) -O1 $(SAN_FLAGS) -c $< -o $@

$(SAN_DIR)/tests/%: tests/unit/%.c $(SAN_OBJS) | $(SKELS)
	$(call msg,CC-TEST,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(USER_CFLAGS) -O1 $(SAN_FLAGS) -Itests/unit \
		-DFIXTURE_DIR='"$(abspath $(FIXTURE_DIR))"' \
		-DTESTDATA_DIR='"$(abspath tests/unit/data)"' \
		-o $@ $< $(SAN_OBJS) $(LDLIBS) -lcmocka

# ELF fixtures for the symbol tests: one source, four shapes.
FIXTURES	:= $(FIXTURE_DIR)/fix_pie $(FIXTURE_DIR)/fix_nopie \
		   $(FIXTURE_DIR)/libfix.so $(FIXTURE_DIR)/fix_stripped

$(FIXTURE_DIR)/fix_pie: tests/unit/fixtures/fix.c
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O1 -g -fPIE -pie -o $@ $<
$(FIXTURE_DIR)/fix_nopie: tests/unit/fixtures/fix.c
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O1 -g -fno-pie -no-pie -o $@ $<
$(FIXTURE_DIR)/libfix.so: tests/unit/fixtures/fix.c
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O1 -g -fPIC -shared -DFIX_LIBRARY -o $@ $<
$(FIXTURE_DIR)/fix_stripped: $(FIXTURE_DIR)/fix_pie
	$(Q)strip -o $@ $<

.PHONY: test-unit
test-unit: $(UNIT_BINS) $(FIXTURES)
	$(Q)set -e; for t in $(UNIT_BINS); do \
		echo "== $$t"; \
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 $$t; \
	done

# ---- integration (root, real BPF) ------------------------------------------
.PHONY: test-integration
test-integration: all $(TARGET_BINS)
	$(Q)bash tests/integration/run.sh

# Everything, with one closing "N passed, N failed, N skipped" line.
.PHONY: test
test: deps
	$(Q)$(MAKE) --no-print-directory all $(TARGET_BINS) $(UNIT_BINS) $(FIXTURES)
	$(Q)bash tests/run_all.sh
