# profiler: eBPF system-wide profiler.  `make help` lists the targets.
.DELETE_ON_ERROR:
.SUFFIXES:
# Skeletons and BPF objects are intermediate: keep them.
.SECONDARY:

ARCH		:= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
VERSION		:= 0.1.0
OUT		:= build
CLANG		?= clang
BPFTOOL		?= bpftool
CC		?= gcc
PKG_LIBS	:= libbpf libelf libdw zlib

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

CFLAGS		?= -O2 -g
WARN		:= -Wall -Wextra -Werror -Wno-missing-field-initializers
USER_CFLAGS	:= $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -MMD -MP \
		   -Iinclude -Iuser -I$(OUT) -DPROFILER_VERSION='"$(VERSION)"'
LDLIBS		:= -lbpf -lelf -ldw -lz -llzma -liberty -lcapstone -lmicrohttpd -lpthread -lm
BPF_CFLAGS	:= -target bpf -g -O2 -Wall -D__TARGET_ARCH_$(ARCH) -MMD -MP \
		   -Ivmlinux/$(ARCH) -Iinclude -Ibpf

# The BPF programs compile against this architecture's vendored kernel
# types; say so rather than fail on a missing header.
ifeq ($(wildcard vmlinux/$(ARCH)/vmlinux.h),)
ifeq ($(filter vmlinux clean help,$(MAKECMDGOALS)),)
$(error no vmlinux/$(ARCH)/vmlinux.h: this architecture's kernel types are not vendored; generate them with 'make vmlinux' on a kernel with BTF)
endif
endif

BPF_SRCS	:= $(wildcard bpf/*.bpf.c)
BPF_OBJS	:= $(patsubst bpf/%.bpf.c,$(OUT)/%.bpf.o,$(BPF_SRCS))
SKELS		:= $(patsubst bpf/%.bpf.c,$(OUT)/%.skel.h,$(BPF_SRCS))

# Everything but main.c goes into a library that the unit tests link too.
LIB_SRCS	:= $(filter-out user/main.c,$(wildcard user/*.c user/*/*.c))
LIB_OBJS	:= $(patsubst user/%.c,$(OUT)/user/%.o,$(LIB_SRCS))
MAIN_OBJ	:= $(OUT)/user/main.o

.PHONY: all
all: profiler

profiler: $(MAIN_OBJ) $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(OUT)/%.bpf.o: bpf/%.bpf.c | $(OUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/%.skel.h: $(OUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $*_bpf > $@

# User objects may include any skeleton: generate them all first.
$(OUT)/user/%.o: user/%.c | $(SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

$(OUT):
	$(Q)mkdir -p $@

# Regenerate the vendored CO-RE header from this kernel's BTF.
.PHONY: vmlinux
vmlinux:
	$(Q)mkdir -p vmlinux/$(ARCH)
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > vmlinux/$(ARCH)/vmlinux.h

# ---- tests -----------------------------------------------------------------
include tests/tests.mk

# ---- demo and benchmarks ---------------------------------------------------
.PHONY: deps
deps:
	$(Q)tools/deps.sh --if-missing

.PHONY: demo
demo: deps
	$(Q)$(MAKE) --no-print-directory all $(TARGET_BINS)
	$(Q)tools/demo.sh

# Benchmarks (not tests: nothing here asserts a timing).
$(OUT)/bench/symbolize_bench: tools/bench/symbolize_bench.c $(LIB_OBJS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(USER_CFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS)

$(OUT)/bench/unwind_bench: tools/bench/unwind_bench.c $(LIB_OBJS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(USER_CFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS)

# An empty uprobe program and its loader: the floor probe costs are
# measured against (tools/bench/mem_overhead.sh).
$(OUT)/bench/floor.bpf.o: tools/bench/floor.bpf.c | $(OUT)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/bench/floor.skel.h: $(OUT)/bench/floor.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name floor_bpf > $@

$(OUT)/bench/uprobe_floor: tools/bench/floor.c $(OUT)/bench/floor.skel.h
	$(call msg,CC,$@)
	$(Q)$(CC) $(USER_CFLAGS) -I$(OUT)/bench -o $@ $< $(LDLIBS)

# Workloads: fixed CPU work and a malloc/free loop on N threads, a clock
# read in a loop that sees each interruption, and a program with S
# distinct call stacks (tools/bench/*.sh).
$(OUT)/bench/malloc_loop: tools/bench/malloc_loop.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O2 -g -fno-omit-frame-pointer -pthread -o $@ $<

# clang, as the figures in docs/performance.md were taken with (gcc's code
# for the loop is much slower: WORK would mean another duration).
$(OUT)/bench/cpu_work: tools/bench/cpu_work.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) -O2 -g -fno-omit-frame-pointer -pthread -o $@ $<

$(OUT)/bench/gaps: tools/bench/gaps.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O2 -g -fno-omit-frame-pointer -fno-optimize-sibling-calls \
		-o $@ $<

$(OUT)/bench/stacks: tools/bench/stacks.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O2 -g -fno-omit-frame-pointer -fno-optimize-sibling-calls \
		-fno-ipa-icf -pthread -o $@ $<

# An empty function called in a loop, and floor.bpf.c's empty programs
# attached through uprobe_multi links as the lat mode attaches its own
# (tools/bench/lat_overhead.sh).
$(OUT)/bench/call_loop: tools/bench/call_loop.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O2 -g -fno-omit-frame-pointer -o $@ $<

# Two threads passing a byte through pipes: context switches
# (tools/bench/offcpu_overhead.sh).
$(OUT)/bench/pingpong: tools/bench/pingpong.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O2 -g -pthread -o $@ $<

$(OUT)/bench/uprobe_multi_floor: tools/bench/multi_floor.c \
		$(OUT)/bench/floor.skel.h $(OUT)/user/probes/uprobe_multi.o
	$(call msg,CC,$@)
	$(Q)$(CC) $(USER_CFLAGS) -I$(OUT)/bench -o $@ $< $(OUT)/user/probes/uprobe_multi.o \
		$(LDLIBS)

BENCH_BINS	:= $(OUT)/bench/symbolize_bench $(OUT)/bench/unwind_bench $(OUT)/bench/uprobe_floor \
		   $(OUT)/bench/malloc_loop $(OUT)/bench/call_loop \
		   $(OUT)/bench/uprobe_multi_floor $(OUT)/bench/cpu_work \
		   $(OUT)/bench/stacks $(OUT)/bench/gaps $(OUT)/bench/pingpong

# perf, bpftrace and bcc are installed here, for `make bench` only.
# BENCH_QUICK=1 is a smoke run of a few minutes; REPS and the scripts'
# other knobs are read from the environment (tools/bench/run.sh).
.PHONY: bench
bench: all $(BENCH_BINS) $(TARGET_DIR)/unwind_target
	$(Q)tools/bench/deps-bench.sh
	$(Q)tools/bench/run.sh

.PHONY: clean
clean:
	rm -rf $(OUT) profiler demo.folded demo.svg

# ---- install and package ------------------------------------------------------
# make install [PREFIX=/usr/local] [DESTDIR=]: the binary, the man page, bash
# completion, and the systemd unit for `profiler serve` with its settings file.
PREFIX		?= /usr/local
BINDIR		?= $(PREFIX)/bin
MANDIR		?= $(PREFIX)/share/man
COMPLETIONDIR	?= $(PREFIX)/share/bash-completion/completions
SYSCONFDIR	?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
UNITDIR		?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)
INSTALL		?= install

.PHONY: install
install: profiler
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(COMPLETIONDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/default
	$(INSTALL) -m 0755 profiler $(DESTDIR)$(BINDIR)/profiler
	$(INSTALL) -m 0644 docs/profiler.1 $(DESTDIR)$(MANDIR)/man1/profiler.1
	$(INSTALL) -m 0644 dist/profiler.bash-completion $(DESTDIR)$(COMPLETIONDIR)/profiler
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		dist/profiler.service.in > $(DESTDIR)$(UNITDIR)/profiler.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/profiler.service
	@# The settings file is the admin's once there: never overwritten.
	[ -e $(DESTDIR)$(SYSCONFDIR)/default/profiler ] || \
		$(INSTALL) -m 0644 dist/profiler.default $(DESTDIR)$(SYSCONFDIR)/default/profiler

.PHONY: uninstall
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/profiler $(DESTDIR)$(MANDIR)/man1/profiler.1 \
		$(DESTDIR)$(COMPLETIONDIR)/profiler $(DESTDIR)$(UNITDIR)/profiler.service

# make deb: a Debian package built by dpkg-buildpackage from a copy of the
# tree in build/deb (the parent directory stays clean); the .deb lands there.
.PHONY: deb
deb:
	$(Q)rm -rf $(OUT)/deb && mkdir -p $(OUT)/deb/src
	$(Q)git ls-files -z 2>/dev/null | xargs -0 -r cp --parents -t $(OUT)/deb/src || \
		tar --exclude=./$(OUT) --exclude=./.git -cf - . | tar -C $(OUT)/deb/src -xf -
	$(Q)cd $(OUT)/deb/src && dpkg-buildpackage -us -uc -b
	$(Q)ls $(OUT)/deb/*.deb

.PHONY: help
help:
	@echo 'make           build ./profiler'
	@echo 'make test      unit tests (also under ASan+UBSan) and root integration tests'
	@echo 'make demo      build, run a demo workload, profile it, write demo.folded and demo.svg'
	@echo 'make fuzz      run every fuzz harness for FUZZ_SECONDS (default 60) each'
	@echo 'make vmlinux   regenerate vmlinux/$(ARCH)/vmlinux.h from this kernel'
	@echo 'make install   install into PREFIX (default /usr/local), DESTDIR for staging'
	@echo 'make deb       build a Debian package into build/deb/'
	@echo 'V=1            show full commands'

-include $(shell find $(OUT) -name '*.d' 2>/dev/null)
