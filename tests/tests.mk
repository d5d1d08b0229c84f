# Included by the top Makefile: test targets, unit tests (cmocka, run under
# ASan+UBSan), fixtures for the symbol tests, and the root integration suite.

# ---- programs the integration tests profile ---------------------------------
TARGET_DIR	:= tests/targets/build
TARGET_CFLAGS	:= -O1 -g -fno-omit-frame-pointer -fno-optimize-sibling-calls
TARGET_BINS	:= $(TARGET_DIR)/cpu_chain $(TARGET_DIR)/cpu_lib \
		   $(TARGET_DIR)/exit_status $(TARGET_DIR)/threads \
		   $(TARGET_DIR)/libhot.so $(TARGET_DIR)/jit_target \
		   $(TARGET_DIR)/dlopen_target $(TARGET_DIR)/cpu_chain_static \
		   $(TARGET_DIR)/mem_exact $(TARGET_DIR)/mem_sizes \
		   $(TARGET_DIR)/libtinyalloc.so \
		   $(TARGET_DIR)/mem_tiny $(TARGET_DIR)/lat_target \
		   $(TARGET_DIR)/lat_cpp $(TARGET_DIR)/go_target \
		   $(TARGET_DIR)/unwind_target $(TARGET_DIR)/libunwind_plt.so \
		   $(TARGET_DIR)/mem_cpp $(TARGET_DIR)/unwind_dbgframe \
		   $(TARGET_DIR)/fault_target $(TARGET_DIR)/lat_throw \
		   $(TARGET_DIR)/offcpu_target $(TARGET_DIR)/leaker \
		   $(TARGET_DIR)/long_wait $(TARGET_DIR)/gaps

# The interruption counter of the benchmarks, for the bystander test.
$(TARGET_DIR)/gaps: tools/bench/gaps.c
	$(call msg,TARGET,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(TARGET_CFLAGS) -o $@ $<

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

# Not linked against libhot.so: it loads it from beside itself at run time.
$(TARGET_DIR)/dlopen_target: tests/targets/dlopen_target.c \
		$(wildcard tests/targets/*.h) $(TARGET_DIR)/libhot.so
	$(call msg,TARGET,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(TARGET_CFLAGS) -o $@ $< -ldl

$(TARGET_DIR)/mem_exact: tests/targets/mem_exact.c
	$(call msg,TARGET,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(TARGET_CFLAGS) -pthread -o $@ $<

$(TARGET_DIR)/mem_sizes: tests/targets/mem_sizes.c
	$(call msg,TARGET,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(TARGET_CFLAGS) -o $@ $<

$(TARGET_DIR)/libtinyalloc.so: tests/targets/libtinyalloc.c
	$(call msg,TARGET,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(TARGET_CFLAGS) -fPIC -shared -o $@ $<

# Linked against libtinyalloc.so, whose malloc then replaces glibc's.
$(TARGET_DIR)/mem_tiny: tests/targets/mem_tiny.c $(TARGET_DIR)/libtinyalloc.so
	$(call msg,TARGET,$@)
	$(Q)$(CLANG) $(TARGET_CFLAGS) -o $@ $< -L$(TARGET_DIR) -ltinyalloc \
		-Wl,-rpath,'$$ORIGIN'

# Linked against libhot.so (found beside it, as cpu_lib): the lat mode's
# library patterns.
$(TARGET_DIR)/lat_target: tests/targets/lat_target.c $(wildcard tests/targets/*.h) \
		$(TARGET_DIR)/libhot.so
	$(call msg,TARGET,$@)
	$(Q)$(CLANG) $(TARGET_CFLAGS) -pthread -o $@ $< -L$(TARGET_DIR) -lhot \
		-Wl,-rpath,'$$ORIGIN'

$(TARGET_DIR)/lat_cpp: tests/targets/lat_cpp.cpp
	$(call msg,TARGET,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG)++ $(TARGET_CFLAGS) -o $@ $<

# Without frame pointers, as distributions build: gcc, -O2, rbp an ordinary
# register.  Only CFI walks these stacks.  Lazy binding: the PLT is used.
NOFP_CFLAGS	:= -O2 -g -fomit-frame-pointer
$(TARGET_DIR)/libunwind_plt.so: tests/targets/unwind_plt.c
	$(call msg,TARGET,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(NOFP_CFLAGS) -fPIC -shared -o $@ $<

$(TARGET_DIR)/unwind_target: tests/targets/unwind_target.c $(TARGET_DIR)/libunwind_plt.so
	$(call msg,TARGET,$@)
	$(Q)$(CC) $(NOFP_CFLAGS) -fno-ipa-icf -pthread -o $@ $< -L$(TARGET_DIR) \
		-lunwind_plt -Wl,-rpath,'$$ORIGIN' -Wl,-z,lazy

# The same program with its CFI only in .debug_frame, and that only in a
# separate debug file under dbgroot/ (by build-id): no .eh_frame at all.
$(TARGET_DIR)/unwind_dbgframe: tests/targets/unwind_target.c $(TARGET_DIR)/libunwind_plt.so
	$(call msg,TARGET,$@)
	$(Q)$(CC) $(NOFP_CFLAGS) -fno-asynchronous-unwind-tables -fno-unwind-tables \
		-fno-ipa-icf -pthread -o $@.full $< -L$(TARGET_DIR) -lunwind_plt \
		-Wl,-rpath,'$$ORIGIN'
	$(Q)objcopy --remove-section .eh_frame --remove-section .eh_frame_hdr $@.full
	$(Q)bid=$$(readelf -n $@.full | sed -n 's/.*Build ID: *//p'); \
	dir=$(TARGET_DIR)/dbgroot/.build-id/$$(echo $$bid | cut -c1-2); \
	mkdir -p $$dir && \
	objcopy --only-keep-debug $@.full $$dir/$$(echo $$bid | cut -c3-).debug \
		2>/dev/null
	$(Q)strip --strip-debug -o $@ $@.full
	$(Q)rm -f $@.full

# With frame pointers itself, allocating through libstdc++ and libc code
# that has none.
$(TARGET_DIR)/mem_cpp: tests/targets/mem_cpp.cpp
	$(call msg,TARGET,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG)++ $(TARGET_CFLAGS) -o $@ $<

# C++ that throws through timed functions, built as distributions build:
# g++ -O2 moves the throw into a "check(int) [clone .cold]" part.
$(TARGET_DIR)/lat_throw: tests/targets/lat_throw.cpp
	$(call msg,TARGET,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CXX) -O2 -g -o $@ $<

# Go code, whose stacks move: timed by probes on RET instructions, not
# return probes (Debian's golang-go).  The build
# cache stays under build/, not in root's home.
$(TARGET_DIR)/go_target: tests/targets/go_target.go
	$(call msg,TARGET,$@)
	$(Q)mkdir -p $(@D)
	$(Q)GOCACHE=$(abspath $(OUT)/gocache) GO111MODULE=off GOFLAGS= \
		go build -o $@ $<

# Runs alone in an empty chroot: no loader, no libraries (libc.a).
$(TARGET_DIR)/cpu_chain_static: tests/targets/cpu_chain.c \
		$(wildcard tests/targets/*.h)
	$(call msg,TARGET,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(TARGET_CFLAGS) -static -o $@ $< -lm

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
		-o $@ $< $(SAN_OBJS) $(LDLIBS) -lcmocka -lm

# ELF fixtures for the symbol tests: one source, four shapes.
FIXTURES	:= $(FIXTURE_DIR)/fix_pie $(FIXTURE_DIR)/fix_nopie \
		   $(FIXTURE_DIR)/libfix.so $(FIXTURE_DIR)/fix_stripped \
		   $(FIXTURE_DIR)/fix_go $(FIXTURE_DIR)/fix_throw \
		   $(FIXTURE_DIR)/unwind_nofp \
		   $(FIXTURE_DIR)/unwind_nocfi $(FIXTURE_DIR)/unwind_dbgframe \
		   $(FIXTURE_DIR)/fake_python312 $(FIXTURE_DIR)/fakepy/python3.10 \
		   $(FIXTURE_DIR)/libpykeys.so

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
# Unwind tables: CFI only, no frame pointers (gcc); and no CFI at all.
$(FIXTURE_DIR)/unwind_nofp: tests/unit/fixtures/fix.c
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O2 -g -fomit-frame-pointer -o $@ $<
$(FIXTURE_DIR)/unwind_nocfi: $(FIXTURE_DIR)/fix_pie
	$(Q)objcopy --remove-section .eh_frame --remove-section .eh_frame_hdr \
		--remove-section .debug_frame $< $@
# CFI only in .debug_frame, and that in a separate debug file found by
# build-id: no .eh_frame at all (crt's removed too).
$(FIXTURE_DIR)/unwind_dbgframe: tests/unit/fixtures/fix.c
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O2 -g -fomit-frame-pointer -fno-asynchronous-unwind-tables \
		-fno-unwind-tables -o $@.full $<
	$(Q)objcopy --remove-section .eh_frame --remove-section .eh_frame_hdr $@.full
	$(Q)bid=$$(readelf -n $@.full | sed -n 's/.*Build ID: *//p'); \
	dir=$(FIXTURE_DIR)/dbgframe-root/.build-id/$$(echo $$bid | cut -c1-2); \
	mkdir -p $$dir && \
	objcopy --only-keep-debug $@.full $$dir/$$(echo $$bid | cut -c3-).debug \
		2>/dev/null
	$(Q)strip --strip-debug -o $@ $@.full
	$(Q)rm -f $@.full
# g++ -O2 code whose throw is in a ".cold" part (test_probe).
$(FIXTURE_DIR)/fix_throw: tests/targets/lat_throw.cpp
	$(Q)mkdir -p $(@D)
	$(Q)$(CXX) -O2 -o $@ $<
# CPython's symbols, no interpreter: versions without a frame layout
# (test_pydetect), one by Py_Version, one by its file name only.
$(FIXTURE_DIR)/fake_python312: tests/unit/fixtures/fake_python.c
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O1 -rdynamic -o $@ $<
$(FIXTURE_DIR)/fakepy/python3.10: tests/unit/fixtures/fake_python.c
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O1 -rdynamic -DFAKE_NO_VERSION -o $@ $<
# Preloaded into a real python: its GIL-state key is then not key 0.
$(FIXTURE_DIR)/libpykeys.so: tests/unit/fixtures/pykeys.c
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O1 -fPIC -shared -o $@ $<
# What marks Go code, without needing Go: a .go.buildinfo section.
$(FIXTURE_DIR)/fix_go: $(FIXTURE_DIR)/fix_pie
	$(Q)printf '\377 Go buildinf:' > $@.sec
	$(Q)objcopy --add-section .go.buildinfo=$@.sec $< $@
	$(Q)rm -f $@.sec

# Debug information packaged the ways distributions ship it, all from one
# -O2 -g build: whole, split by build-id, split by .gnu_debuglink,
# MiniDebugInfo, and stripped bare.
DBG_DIR		:= $(FIXTURE_DIR)/dbg
DBG_FIXTURES	:= $(DBG_DIR)/dbg_full $(DBG_DIR)/bid/dbg_bid \
		   $(DBG_DIR)/link/dbg_link $(DBG_DIR)/dbg_mini $(DBG_DIR)/dbg_bare \
		   $(DBG_DIR)/dbg_cpp $(DBG_DIR)/dbg_bomb \
		   $(DBG_DIR)/evil/dbg_fifo $(DBG_DIR)/evil/dbg_up
FIXTURES	+= $(DBG_FIXTURES)

$(DBG_DIR)/dbg_full: tests/unit/fixtures/dbg.c
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O2 -g -o $@ $<

$(DBG_DIR)/dbg_cpp: tests/unit/fixtures/dbg_cpp.cpp
	$(Q)mkdir -p $(@D)
	$(Q)$(CXX) -O2 -g -o $@ $<

# The debug file goes to debugroot/.build-id/xx/rest.debug (searched only
# when a test passes debugroot as a debug directory).
$(DBG_DIR)/bid/dbg_bid: $(DBG_DIR)/dbg_full
	$(Q)mkdir -p $(@D)
	$(Q)bid=$$(readelf -n $< | sed -n 's/.*Build ID: *//p'); \
	dir=$(DBG_DIR)/debugroot/.build-id/$$(echo $$bid | cut -c1-2); \
	mkdir -p $$dir && \
	objcopy --only-keep-debug $< $$dir/$$(echo $$bid | cut -c3-).debug
	$(Q)strip --strip-all -o $@ $<

# No build-id at all, so only the debuglink (to .debug/ beside it) works.
$(DBG_DIR)/link/dbg_link: tests/unit/fixtures/dbg.c
	$(Q)mkdir -p $(@D)/.debug
	$(Q)$(CC) -O2 -g -Wl,--build-id=none -o $@.full $<
	$(Q)objcopy --only-keep-debug $@.full $(@D)/.debug/dbg_link.debug
	$(Q)strip --strip-all -o $@ $@.full
	$(Q)objcopy --add-gnu-debuglink=$(@D)/.debug/dbg_link.debug $@
	$(Q)rm -f $@.full

# MiniDebugInfo as Fedora builds it: the function symbols .dynsym lacks,
# xz-compressed into .gnu_debugdata of the stripped file.
$(DBG_DIR)/dbg_mini: $(DBG_DIR)/dbg_full
	$(Q)nm -D --format=posix --defined-only $< | awk '{print $$1}' | sort > $@.dyn
	$(Q)nm --format=posix --defined-only $< | awk '$$2 ~ /^[Tt]$$/ {print $$1}' | \
		sort > $@.func
	$(Q)comm -13 $@.dyn $@.func > $@.keep
	$(Q)objcopy --only-keep-debug $< $@.debug
	$(Q)objcopy -S --remove-section .gdb_index --remove-section .comment \
		--keep-symbols=$@.keep $@.debug $@.mini
	$(Q)xz -f $@.mini
	$(Q)strip --strip-all -o $@ $<
	$(Q)objcopy --add-section .gnu_debugdata=$@.mini.xz $@
	$(Q)rm -f $@.dyn $@.func $@.keep $@.debug $@.mini.xz

$(DBG_DIR)/dbg_bare: $(DBG_DIR)/dbg_full
	$(Q)strip --strip-all -o $@ $<

# Hostile debug links: one names a FIFO beside the file (opening it would
# block), one climbs out with "../" to a debug file that matches its CRC.
$(DBG_DIR)/evil/dbg_fifo: $(DBG_DIR)/dbg_full
	$(Q)mkdir -p $(@D)
	$(Q)strip --strip-all -o $@ $<
	$(Q)rm -f $(@D)/dbg_fifo.debug && echo x > $(@D)/dbg_fifo.debug
	$(Q)objcopy --add-gnu-debuglink=$(@D)/dbg_fifo.debug $@
	$(Q)rm -f $(@D)/dbg_fifo.debug && mkfifo $(@D)/dbg_fifo.debug
$(DBG_DIR)/evil/dbg_up: $(DBG_DIR)/dbg_full
	$(Q)mkdir -p $(@D)
	$(Q)objcopy --only-keep-debug $< $(DBG_DIR)/dbgup.debug
	$(Q)strip --strip-all -o $@ $<
	$(Q){ printf '../dbgup.debug\0\0'; \
	      gzip -c $(DBG_DIR)/dbgup.debug | tail -c8 | head -c4; } > $@.link
	$(Q)objcopy --add-section .gnu_debuglink=$@.link $@
	$(Q)rm -f $@.link

# A hostile MiniDebugInfo: 15 KB of xz holding 100 MiB of zeros.
$(DBG_DIR)/dbg_bomb: $(DBG_DIR)/dbg_full
	$(Q)head -c 100M /dev/zero | xz -0 -T1 > $@.xz
	$(Q)strip --strip-all -o $@ $<
	$(Q)objcopy --add-section .gnu_debugdata=$@.xz $@
	$(Q)rm -f $@.xz

.PHONY: test-unit
test-unit: $(UNIT_BINS) $(FIXTURES)
	$(Q)set -e; for t in $(UNIT_BINS); do \
		echo "== $$t"; \
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 $$t; \
	done

include tests/fuzz/fuzz.mk

# ---- integration (root, real BPF) ------------------------------------------
.PHONY: test-integration
test-integration: all $(TARGET_BINS)
	$(Q)rc=0; bash tests/integration/run.sh || rc=1; \
	bash tests/integration/symbols.sh || rc=1; \
	bash tests/integration/mem.sh || rc=1; \
	bash tests/integration/lat.sh || rc=1; \
	bash tests/integration/offcpu.sh || rc=1; \
	bash tests/integration/serve.sh || rc=1; \
	bash tests/integration/top.sh || rc=1; \
	bash tests/integration/package.sh || rc=1; \
	bash tests/integration/unwind.sh || rc=1; \
	bash tests/integration/python.sh || rc=1; \
	bash tests/integration/outputs.sh || rc=1; \
	bash tests/integration/faults.sh || rc=1; exit $$rc

# Everything, with one closing "N passed, N failed, N skipped" line.
.PHONY: test
test: deps
	$(Q)$(MAKE) --no-print-directory all $(TARGET_BINS) $(UNIT_BINS) $(FIXTURES) \
		$(FUZZ_BINS)
	$(Q)bash tests/run_all.sh
