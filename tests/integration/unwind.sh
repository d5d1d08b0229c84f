#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Integration tests of user-stack unwinding without frame pointers: real
# BPF on targets built by gcc with -O2 -fomit-frame-pointer
# (tests/targets/unwind_target.c), asserting that stacks reach main (or the
# thread's start) and that they agree with `perf record --call-graph dwarf`
# taken on the same process at the same time; the modes (auto, dwarf, fp);
# stacks under pending uretprobes; libraries loaded after the start; mem
# with allocations through libstdc++ and libc.
#
# Run as `bash tests/integration/unwind.sh` after `make` and `make targets`.
# Same conventions as run.sh (see lib.sh).  Without perf, the comparisons
# with it say SKIPPED (the rest still runs).

set -u

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BPF_PROGS="$BPF_PROGS unwind_fork unwind_exec unwind_exit alloc_entry
	   alloc_return free_entry lat_entry lat_return"

TESTS="qsort recurse signal thread plt
       perf_qsort perf_recurse perf_signal perf_thread perf_plt
       fork_child system_wide
       fp_mode dwarf_jit auto_jit dlopen_dwarf ceiling debug_frame
       under_uretprobe uprobe_storm mem_cpp mem_under_uretprobe command_mode
       no_bpf_leftover"

SFREQ=499

# start_unwind MODE: unwind_target MODE, once it says it is in its chain.
start_unwind()
{
	local i

	spawn "$TDIR/unwind_target" "$1" >"$T/target.out"
	for ((i = 0; i < 200; i++)); do
		grep -q ready "$T/target.out" 2>/dev/null && return 0
		sleep 0.01
	done
	return 1
}

# share FILE AWK-CONDITION: "HIT TOTAL" over the folded samples of FILE for
# which the condition on s (the stack, root first, comm first) holds.
share()
{
	awk -v cond="$2" '
	/^[^ ].* [0-9]+$/ {
		n = $NF; s = $0; sub(/ [0-9]+$/, "", s); t += n
		if ((cond == "main" && index(s ";", ";main;")) ||
		    (cond == "thread" && s ~ /^[^;]*;__clone3;start_thread;thread_main;/))
			h += n
	}
	END { print h + 0, t + 0 }' "$1"
}

# reaches FILE COND MIN: at least 99% of at least MIN samples satisfy COND,
# and no stack carries an unwind marker.
reaches()
{
	local hit total

	read -r hit total < <(share "$1" "$2")
	if ((total < $3)); then
		bad "$total samples, expected at least $3; stderr: $(err_head)"
		return 1
	fi
	if ((hit * 100 < total * 99)); then
		bad "$hit of $total samples reach $2 ($((hit * 100 / total))%), expected >= 99%; most common stack: $(top_stack "$1")"
		return 1
	fi
	if grep -q '\[unwind:' "$1"; then
		bad "stacks marked incomplete: $(grep '\[unwind:' "$1" | head -n 2 | tr '\n' '|')"
		return 1
	fi
	return 0
}

# profile_mode MODE COND [ARGS...]: profile unwind_target MODE for 2 s with
# user stacks only and no inlined frames (as perf shows them), and check
# that the stacks reach COND.
profile_mode()
{
	local mode=$1 cond=$2 pid t0 t1

	shift 2
	start_unwind "$mode" || { bad "unwind_target $mode did not start"; return 1; }
	pid=$LAST_PID
	t0=$(cpu_ticks "$pid")
	prof -p "$pid" -d 2 -F "$SFREQ" -U --no-inline --folded "$T/folded" "$@"
	t1=$(cpu_ticks "$pid")
	expect_rc 0 || return 1
	# At least half the samples its CPU time (ticks of 10 ms) calls for:
	# on a busy machine the target runs less, and its events sample CPU
	# time.
	reaches "$T/folded" "$cond" $(((t1 - t0) * SFREQ / 200 > 100 ? (t1 - t0) * SFREQ / 200 : 100))
}

t_qsort() { profile_mode qsort main && ok; }
t_recurse() { profile_mode recurse main && ok; }
t_signal()
{
	profile_mode signal main || return
	# Some samples in the handler, continued through the signal frame.
	if ! grep -q ';work_plain;.*handler_spin' "$T/folded"; then
		bad "no stack through the signal frame: $(top_stack "$T/folded")"
		return
	fi
	ok
}
t_thread() { profile_mode thread thread && ok; }
t_plt() { profile_mode plt main && ok; }

# A child forked by a -p target maps what its parent maps: it gets a copy
# of its parent's mappings in the fork tracepoint, so even its first
# samples are whole, and no sample says "process not loaded".  (Symbols
# bound at start: a sample in ld.so's lazy-binding resolver, whose CFA is
# in rbx, would end "unsupported CFI", as documented.)
t_fork_child()
{
	local parent child hit total i

	LD_BIND_NOW=1 start_unwind fork || { bad "unwind_target fork did not start"; return; }
	parent=$LAST_PID
	prof_start -p "$parent" -d 2 -F "$SFREQ" -U --no-inline --folded "$T/folded"
	wait_said profiling || return
	kill -USR1 "$parent"
	prof_wait "$LIMIT"
	expect_rc 0 || return
	child=$(pgrep -P "$parent" | head -n 1)
	[[ -n $child ]] && PIDS+=("$child")
	if ! grep -q ';main;forked_child;work_qsort' "$T/folded"; then
		bad "no sample of the child: $(top_stack "$T/folded")"
		return
	fi
	reaches "$T/folded" main 300 || return
	ok
}

# System wide: a process is loaded at its first samples; those say so,
# every other sample of the target is whole.
t_system_wide()
{
	local hit total bad_lines

	start_unwind qsort || { bad "unwind_target did not start"; return; }
	prof -d 2 -F "$SFREQ" -U --no-inline --folded "$T/all"
	expect_rc 0 || return
	grep '^unwind_target;' "$T/all" >"$T/folded"
	bad_lines=$(grep -vE ';main[; ]' "$T/folded" | grep -v '\[unwind: process not loaded\]' | head -n 2)
	if [[ -n $bad_lines ]]; then
		bad "stacks short of main without a marker: $(echo "$bad_lines" | tr '\n' '|')"
		return
	fi
	read -r hit total < <(share "$T/folded" main)
	if ((total < 300 || hit * 2 < total)); then
		bad "$hit of $total samples of the target reach main: $(top_stack "$T/folded")"
		return
	fi
	ok
}

# ---- against perf ------------------------------------------------------------

need_perf()
{
	if ! command -v perf >/dev/null 2>&1; then
		skip "perf is not installed"
		return 1
	fi
	return 0
}

# The debug file of an ELF file (by build-id), or the file itself.
debug_file()
{
	local bid f

	bid=$(readelf -n "$1" 2>/dev/null | sed -n 's/.*Build ID: *//p' | head -n 1)
	f=/usr/lib/debug/.build-id/${bid:0:2}/${bid:2}.debug
	if [[ -n $bid && -e $f ]]; then
		echo "$f"
	else
		echo "$1"
	fi
}

# Function names -> "module:address", so that aliases (two names of one
# function, which perf and the profiler may choose differently) compare
# equal: NAME MODULE:ADDR lines for every file the targets map.
name_table()
{
	local f m

	for f in "$TDIR/unwind_target" "$TDIR/libunwind_plt.so" \
		 /lib/x86_64-linux-gnu/libc.so.6 /lib64/ld-linux-x86-64.so.2; do
		m=$(basename "$f")
		nm --defined-only "$(debug_file "$(readlink -f "$f")")" 2>/dev/null |
			awk -v m="$m" '$2 ~ /^[TtWwi]$/ { n = $3; sub(/@.*/, "", n); print n, m ":" $1 }'
	done
}

# The normalisation both sides go through: kernel and inline markers and
# symbol versions off, aliases to their address, unnamed frames to "?"
# (perf names this PLT "_init": unnamed too), recursion collapsed.
NORM='
function norm(s) {
	sub(/_\[[ki]\]$/, "", s); sub(/@.*$/, "", s); sub(/^__vdso_/, "", s)
	if (s == "[unknown]" || s ~ /\+0x[0-9a-f]+$/ || s == "_init")
		return "?"
	return (s in names) ? names[s] : s
}
function collapse(st,   n, a, i, out, last, g) {
	n = split(st, a, ";")
	out = a[1]
	last = ""
	for (i = 2; i <= n; i++) {
		g = norm(a[i])
		if (g != last)
			out = out ";" g
		last = g
	}
	return out
}'

# perf's view of the same process at the same time: its stacks, collapsed,
# user frames only, one per line.
perf_stacks()
{
	perf script -i "$1" -F comm,ip,sym,dso --no-inline --max-stack 1024 2>/dev/null |
		awk "$NORM"'
		FILENAME == ARGV[1] { names[$1] = $2; next }
		/^[^ \t]/ { if (n) emit(); comm = $1; n = 0; next }
		/^[ \t]+[0-9a-f]+ / {
			if ($0 ~ /\(\[kernel\.kallsyms\]\)$/)
				next
			l = $0
			sub(/^[ \t]+[0-9a-f]+ /, "", l)
			sub(/ \([^()]*\)$/, "", l)
			sub(/\+0x[0-9a-f]+$/, "", l)
			fr[n++] = l
			next
		}
		function emit(  i, st) {
			st = comm
			for (i = n - 1; i >= 0; i--)
				st = st ";" fr[i]
			print collapse(st)
			n = 0
		}
		END { if (n) emit() }' "$T/names" - | sort -u
}

# agree OURS PERFSET: "AGREE TOTAL": our samples whose stack perf also saw.
agree()
{
	awk "$NORM"'
	FILENAME == ARGV[1] { names[$1] = $2; next }
	FILENAME == ARGV[2] { have[$0] = 1; next }
	/^[^ ].* [0-9]+$/ {
		n = $NF; s = $0; sub(/ [0-9]+$/, "", s); t += n
		c = collapse(s)
		if (c in have)
			a += n
		else
			miss[c] += n
	}
	END {
		printf "%d %d\n", a, t
		for (m in miss)
			print miss[m], m > "/dev/stderr"
	}' "$T/names" "$2" "$1"
}

# compare_perf MODE: the profiler and perf on the same process at once;
# >= 98% of our samples have a stack perf also recorded.
compare_perf()
{
	local mode=$1 pid a t

	need_perf || return 1
	start_unwind "$mode" || { bad "unwind_target $mode did not start"; return 1; }
	pid=$LAST_PID
	prof_start -p "$pid" -d 2 -F "$SFREQ" -U --no-inline --folded "$T/folded"
	perf record -q -F "$SFREQ" -e cpu-clock --call-graph dwarf,32768 -p "$pid" \
		-o "$T/perf.data" -- sleep 2 >/dev/null 2>"$T/perf.err"
	prof_wait "$LIMIT"
	expect_rc 0 || return 1
	if [[ ! -s $T/perf.data ]]; then
		bad "perf recorded nothing: $(head -n 1 "$T/perf.err")"
		return 1
	fi
	name_table >"$T/names"
	perf_stacks "$T/perf.data" >"$T/perf.set"
	read -r a t < <(agree "$T/folded" "$T/perf.set" 2>"$T/miss")
	if ((t < 500 || a * 100 < t * 98)); then
		bad "$a of $t samples have a stack perf also recorded, expected >= 98%; ours alone: $(sort -rn "$T/miss" | head -n 2 | tr '\n' '|')"
		return 1
	fi
	return 0
}

t_perf_qsort() { compare_perf qsort && ok; }
t_perf_recurse() { compare_perf recurse && ok; }
t_perf_signal() { compare_perf signal && ok; }
t_perf_thread() { compare_perf thread && ok; }
t_perf_plt() { compare_perf plt && ok; }

# ---- modes -------------------------------------------------------------------

# --unwind fp is the frame-pointer walk as before: on this target it stops
# in the first frame without a frame pointer.
t_fp_mode()
{
	local hit total

	start_unwind qsort || { bad "unwind_target did not start"; return; }
	prof -p "$LAST_PID" -d 1 -F "$SFREQ" -U --unwind fp --folded "$T/folded"
	expect_rc 0 || return
	read -r hit total < <(share "$T/folded" main)
	if ((total < 100 || hit * 2 > total)); then
		bad "--unwind fp: $hit of $total samples reach main; a frame-pointer walk can't here"
		return
	fi
	ok
}

# JIT code has no table: dwarf stops there and says so; auto walks it with
# frame pointers (jit_target's main keeps them) and reaches main.
t_dwarf_jit()
{
	start_target jit_target 4 || { bad "jit_target did not start"; return; }
	prof -p "$LAST_PID" -d 1 -F "$SFREQ" -U --unwind dwarf --folded "$T/folded"
	expect_rc 0 || return
	if ! grep -q 'jit_spin_loop;\[unwind: no table\] [0-9]' "$T/folded" &&
	   ! grep -q '\[unwind: no table\];jit_spin_loop [0-9]' "$T/folded"; then
		bad "no '[unwind: no table]' marker at the JIT frame: $(top_stack "$T/folded")"
		return
	fi
	if ! grep -q '^truncated: [0-9]* user stacks incomplete: no table' "$T/out"; then
		bad "no 'truncated:' line for it: $(grep -E '^(lost|truncated):' "$T/out" | tr '\n' '|')"
		return
	fi
	ok
}

t_auto_jit()
{
	local hit total

	start_target jit_target 4 || { bad "jit_target did not start"; return; }
	prof -p "$LAST_PID" -d 1 -F "$SFREQ" -U --folded "$T/folded"
	expect_rc 0 || return
	read -r hit total < <(share "$T/folded" main)
	if ((total < 100 || hit * 100 < total * 99)); then
		bad "$hit of $total samples reach main through the JIT frame: $(top_stack "$T/folded")"
		return
	fi
	ok
}

# A library loaded after the start: the kernel asks for the new mappings,
# and meanwhile each sample ends with a marker that says why; none is
# silently short, and the library's frames walk once it is loaded.
t_dlopen_dwarf()
{
	local bad_lines through

	start_target dlopen_target 3 || { bad "dlopen_target did not start"; return; }
	prof -p "$LAST_PID" -d 2 -F "$SFREQ" -U --unwind dwarf --folded "$T/folded"
	expect_rc 0 || return
	bad_lines=$(grep -vE ';main[; ]' "$T/folded" | grep -v '\[unwind: unknown mapping\]' | head -n 2)
	if [[ -n $bad_lines ]]; then
		bad "stacks short of main without a marker: $(echo "$bad_lines" | tr '\n' '|')"
		return
	fi
	through=$(grep -cE ';main;call_dlopened;lib_hot_spin[; ]' "$T/folded")
	if ((through == 0)); then
		bad "no stack reaches main through the dlopened library: $(top_stack "$T/folded")"
		return
	fi
	ok
}

# A memory ceiling no table fits under (a shard is 1.5 MiB): said once on
# stderr, every stack marked, counted in a truncated: line; auto mode
# falls back to frame pointers and still reports.
t_ceiling()
{
	start_unwind qsort || { bad "unwind_target did not start"; return; }
	prof -p "$LAST_PID" -d 1 -F "$SFREQ" -U --unwind dwarf --unwind-max-mb 1 \
		--folded "$T/folded"
	expect_rc 0 || return
	grep -q 'unwind tables reached the memory ceiling (1 MiB)' "$T/err" ||
		{ bad "no warning about the ceiling: $(err_head)"; return; }
	if grep -v '\[unwind: table missing\]' "$T/folded" | grep -q .; then
		bad "stacks without the marker: $(grep -v '\[unwind: table missing\]' "$T/folded" | head -n 1)"
		return
	fi
	grep -q '^truncated: [0-9]* user stacks incomplete: table missing' "$T/out" ||
		{ bad "no truncated: line: $(grep -E '^(lost|truncated):' "$T/out" | tr '\n' '|')"; return; }
	ok
}

# A program whose CFI is only in .debug_frame of a separate debug file:
# found by build-id under --debug-dir, its stacks reach main (crt's _start
# lost its CFI with .eh_frame and says so); without it, they stop at the
# program's first frame with [unwind: no table].
t_debug_frame()
{
	local hit total pid

	spawn "$TDIR/unwind_dbgframe" qsort >"$T/target.out"
	pid=$LAST_PID
	wait_exec "$pid" "$TDIR/unwind_dbgframe" || { bad "unwind_dbgframe did not start"; return; }
	prof -p "$pid" -d 1 -F "$SFREQ" -U --unwind dwarf --folded "$T/without"
	expect_rc 0 || return
	# A sample in cmp_spin (no table) cannot be walked past it.  One in
	# glibc's qsort between two calls of it can, up to work_qsort (glibc
	# has CFI): those are not the executable's frames being walked.
	read -r hit total < <(awk '/^[^ ].* [0-9]+$/ {
		n = $NF; s = $0; sub(/ [0-9]+$/, "", s)
		if (index(s ";", ";cmp_spin;")) { t += n; if (index(s ";", ";main;")) h += n }
	} END { print h + 0, t + 0 }' "$T/without")
	if ((total < 100 || hit > 0)) || ! grep -q '\[unwind: no table\]' "$T/without"; then
		bad "without the debug file: $hit of $total samples in cmp_spin reach main: $(top_stack "$T/without")"
		return
	fi
	prof -p "$pid" -d 1 -F "$SFREQ" -U --unwind dwarf --debug-dir "$TDIR/dbgroot" \
		--folded "$T/folded"
	expect_rc 0 || return
	read -r hit total < <(share "$T/folded" main)
	if ((total < 100 || hit * 100 < total * 99)); then
		bad "with the debug file: $hit of $total samples reach main: $(top_stack "$T/folded")"
		return
	fi
	ok
}

# ---- pending return probes -----------------------------------------------------

# start_lat PID PATTERN: lat timing PATTERN in PID, once it traces.
start_lat()
{
	local i

	spawn env --default-signal=INT "$PROF" lat -p "$1" -d 4 "$2" \
		>"$T/lat.out" 2>"$T/lat.err"
	LAT_PID=$LAST_PID
	for ((i = 0; i < 200; i++)); do
		grep -q tracing "$T/lat.err" 2>/dev/null && break
		sleep 0.02
	done
	grep -q tracing "$T/lat.err"
}

# cpu samples while lat times work_qsort: its return address on the stack is
# the kernel's trampoline, which must not end or garble the stacks.  The
# one sample that may not be whole is one taken while the kernel is
# setting the probe up (return address replaced, its record not yet
# linked): then the stack ends at work_qsort's entry, marked.
t_under_uretprobe()
{
	local pid bad_lines

	start_unwind qsort || { bad "unwind_target did not start"; return; }
	pid=$LAST_PID
	start_lat "$pid" 'work_qsort*' || { bad "lat did not start: $(head -n 1 "$T/lat.err")"; return; }
	prof -p "$pid" -d 1 -F "$SFREQ" -U --no-inline --folded "$T/folded"
	expect_rc 0 || return
	if grep -q '\[unknown\]\|uprobes' "$T/folded"; then
		bad "a trampoline frame in the stacks: $(grep '\[unknown\]\|uprobes' "$T/folded" | head -n 1)"
		return
	fi
	bad_lines=$(grep -vE ';main[; ]' "$T/folded" |
		    grep -v '^unwind_target;\[unwind: bad frame\];work_qsort[^;]* [0-9]*$' | head -n 2)
	if [[ -n $bad_lines ]]; then
		bad "stacks short of main: $(echo "$bad_lines" | tr '\n' '|')"
		return
	fi
	if ! grep -q ';main;work_qsort[^;]*;qsort_r;' "$T/folded"; then
		bad "work_qsort's frame is missing under its return probe: $(top_stack "$T/folded")"
		return
	fi
	wait_pid "$LAT_PID" "$LIMIT"
	ok
}

# A tiny function timed by lat in a tight loop: much of the time is the
# kernel's probe handling, so samples land in the return trampoline and in
# the slots where probed instructions are stepped.  No such frame shows;
# a stack that cannot be completed there says so; most reach main.
t_uprobe_storm()
{
	local pid bad_lines hit total

	start_unwind plt || { bad "unwind_target did not start"; return; }
	pid=$LAST_PID
	start_lat "$pid" 'libunwind_plt:plt_tiny' || { bad "lat did not start: $(head -n 1 "$T/lat.err")"; return; }
	prof -p "$pid" -d 1 -F 999 -U --no-inline --folded "$T/folded"
	expect_rc 0 || return
	if grep -q 'uprobes' "$T/folded"; then
		bad "a uprobes-area frame in the stacks: $(grep 'uprobes' "$T/folded" | head -n 1)"
		return
	fi
	bad_lines=$(grep -vE ';main[; ]' "$T/folded" | grep -v '\[unwind: ' | head -n 2)
	if [[ -n $bad_lines ]]; then
		bad "stacks short of main without a marker: $(echo "$bad_lines" | tr '\n' '|')"
		return
	fi
	read -r hit total < <(share "$T/folded" main)
	if ((total < 300 || hit * 2 < total)); then
		bad "$hit of $total samples reach main: $(top_stack "$T/folded")"
		return
	fi
	wait_pid "$LAT_PID" "$LIMIT"
	ok
}

# start_mem_cpp: mem_cpp waiting for SIGUSR1.
start_mem_cpp()
{
	start_target mem_cpp
}

# run_mem_cpp ARGS: mem on mem_cpp from before its work to its exit.
run_mem_cpp()
{
	local tpid i

	start_mem_cpp || { bad "mem_cpp did not start"; return 1; }
	tpid=$LAST_PID
	prof_start mem -p "$tpid" --exact --sample alloc_objects --folded "$T/folded" "$@"
	wait_said tracing || return
	kill -USR1 "$tpid"
	prof_wait "$LIMIT"
	expect_rc 0
}

# allocs_under FILE FRAME: allocations whose stack has FRAME right under
# main;f_mid (the direct caller in the program).
allocs_under()
{
	awk -v f="$2" '
	/^[^ ].* [0-9]+$/ {
		n = $NF; s = $0; sub(/ [0-9]+$/, "", s)
		if (index(s, ";main;f_mid();" f ";"))
			h += n
	}
	END { print h + 0 }' "$1"
}

# Allocations through operator new, std::string and strdup keep their
# direct caller: exact counts per calling function (the frame-pointer walk
# loses it inside libstdc++ and libc).
check_mem_cpp()
{
	local f got

	for f in "g_new() 1000" "g_string() 600" "g_strdup() 200"; do
		got=$(allocs_under "$T/folded" "${f% *}")
		if [[ $got != "${f##* }" ]]; then
			bad "${f% *}: $got allocations, expected ${f##* }; folded: $(cut -c1-200 "$T/folded" | tr '\n' '|')"
			return 1
		fi
	done
	return 0
}

t_mem_cpp()
{
	run_mem_cpp || return
	check_mem_cpp || return
	grep -q '\[unwind:' "$T/folded" && { bad "marked incomplete: $(grep '\[unwind:' "$T/folded" | head -n 1)"; return; }
	ok
}

# The same while lat times f_mid: every allocation stack passes its
# return address slot, which holds the trampoline.
t_mem_under_uretprobe()
{
	local tpid lat i

	start_mem_cpp || { bad "mem_cpp did not start"; return; }
	tpid=$LAST_PID
	spawn env --default-signal=INT "$PROF" lat -p "$tpid" 'f_mid*' \
		>"$T/lat.out" 2>"$T/lat.err"
	lat=$LAST_PID
	for ((i = 0; i < 200; i++)); do
		grep -q tracing "$T/lat.err" 2>/dev/null && break
		sleep 0.02
	done
	grep -q tracing "$T/lat.err" || { bad "lat did not start: $(head -n 1 "$T/lat.err")"; return; }
	prof_start mem -p "$tpid" --exact --sample alloc_objects --folded "$T/folded"
	wait_said tracing || return
	kill -USR1 "$tpid"
	prof_wait "$LIMIT"
	expect_rc 0 || return
	check_mem_cpp || return
	if grep -q '\[unknown\]\|uprobes' "$T/folded"; then
		bad "a trampoline frame in the stacks: $(grep '\[unknown\]\|uprobes' "$T/folded" | head -n 1)"
		return
	fi
	wait_pid "$lat" "$LIMIT"
	if ! grep -qE '^ +f_mid\(\) +mem_cpp +1 ' "$T/lat.out"; then
		bad "lat did not time f_mid once: $(tr '\n' '|' < "$T/lat.out")"
		return
	fi
	ok
}

# COMMAND: the process is unknown until its first samples.  Every stack
# reaches main, or is in the dynamic loader before main, or carries the
# marker that says the process was not loaded yet: none is silently short.
t_command_mode()
{
	local bad_lines hit total

	prof -d 2 -F "$SFREQ" -U --no-inline --folded "$T/folded" -- "$TDIR/unwind_target" qsort
	bad_lines=$(grep -vE ';main[; ]' "$T/folded" | grep -v '\[unwind: process not loaded\]' |
		    grep -v ';_dl_start' | head -n 2)
	if [[ -n $bad_lines ]]; then
		bad "stacks short of main without a marker: $(echo "$bad_lines" | tr '\n' '|')"
		return
	fi
	read -r hit total < <(share "$T/folded" main)
	if ((total < 500 || hit * 2 < total)); then
		bad "$hit of $total samples reach main: $(top_stack "$T/folded")"
		return
	fi
	ok
}

suite_main unwind_target unwind_dbgframe libunwind_plt.so mem_cpp jit_target dlopen_target libhot.so
