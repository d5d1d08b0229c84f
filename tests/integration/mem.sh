#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Integration tests of the mem mode: real uprobes on real allocators,
# asserting exact counts against targets whose allocations are known
# (tests/targets/mem_exact.c, mem_tiny.c with libtinyalloc.so).  Sites
# are exact with --exact, which every test of a site's counts passes (the
# default samples stacks); totals are exact either way.  The sampled
# estimates are checked against tests/targets/mem_sizes.c.
#
# Run as `bash tests/integration/mem.sh` after `make` and `make targets`.
# Same conventions as run.sh (see lib.sh): root and a working kernel, or
# every test says SKIPPED; "N passed, N failed, N skipped" at the end.

set -u

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BPF_PROGS="$BPF_PROGS alloc_entry malloc_entry calloc_entry realloc_entry reallocarray_e
	   posix_memalign_ aligned_alloc_e memalign_entry valloc_entry
	   pvalloc_entry free_entry free_timed_entr free_return alloc_return
	   exec_entry"

TESTS="exact_totals exact_sites inuse_sites min_size json leak_suspects timeline
       command_mode other_allocator prefixed_allocator free_latency
       without_uprobe_multi
       error_no_target error_no_process error_kernel_thread error_bad_lib error_bad_prefix
       error_go_lib exact_sites_fp
       no_bpf_leftover"

# report_value NAME: the exact value of a totals line of the report
# ("allocs  1610", "alloc_bytes  217 KiB (221760 B)").
report_value()
{
	awk -v k="$1" '$1 == k {
		if (match($0, /\(([0-9]+) B\)/)) { s = substr($0, RSTART + 1); sub(/ B\).*/, "", s); print s }
		else print $2
		exit }' "$T/out"
}

# expect_total NAME VALUE
expect_total()
{
	local got

	got=$(report_value "$1")
	if [[ $got != "$2" ]]; then
		bad "$1 is '${got:-missing}', expected $2"
		return 1
	fi
	return 0
}

# expect_line FILE LINE: the folded file has exactly this line.
expect_line()
{
	if ! grep -qxF -- "$2" "$1"; then
		bad "no line '$2' in the folded file; it has: $(tr '\n' '|' < "$1")"
		return 1
	fi
	return 0
}

# run_exact ARGS...: mem_exact traced with -p from before it starts its
# work: wait for "tracing" on the profiler's stderr, then SIGUSR1.
run_exact()
{
	local tpid i

	start_target mem_exact || { bad "mem_exact did not start"; return 1; }
	tpid=$LAST_PID
	prof_start mem -p "$tpid" "$@"
	wait_said tracing || return 1
	kill -USR1 "$tpid"
	prof_wait "$LIMIT"
	expect_rc 0
}

t_exact_totals()
{
	run_exact || return
	expect_total allocs 1610 &&
	expect_total alloc_bytes 221760 &&
	expect_total frees 1585 &&
	expect_total free_bytes 210480 &&
	expect_total outstanding_count 25 &&
	expect_total outstanding_bytes 11280 &&
	expect_total failed_allocs 0 || return
	if grep -q "^lost:" "$T/out"; then
		bad "report says something was lost: $(grep '^lost:' "$T/out")"
		return
	fi
	ok
}

# Every allocation is charged to its direct caller and allocator function;
# realloc(NULL) calling malloc inside glibc counts once, as realloc.
t_exact_sites()
{
	local f=$T/folded p="mem_exact;__clone3;start_thread"

	run_exact --exact --folded "$f" --sample alloc_objects || return
	expect_line "$f" "$p;worker_a;alloc_small;malloc 1000" &&
	expect_line "$f" "$p;worker_a;alloc_zeroed;calloc 200" &&
	expect_line "$f" "$p;worker_b;alloc_other;malloc 300" &&
	expect_line "$f" "$p;worker_b;grow_first;realloc 50" &&
	expect_line "$f" "$p;worker_b;grow_second;realloc 50" &&
	expect_line "$f" "$p;worker_b;alloc_aligned;posix_memalign 10" || return
	if (($(wc -l < "$f") != 6)); then
		bad "$(wc -l < "$f") stacks, expected exactly 6: $(tr '\n' '|' < "$f")"
		return
	fi
	ok
}

# --unwind fp: the frame-pointer walk as before, which stops in libc's
# start_thread (no frame pointers there); counts as exact.
t_exact_sites_fp()
{
	local f=$T/folded p="mem_exact;start_thread"

	run_exact --exact --unwind fp --folded "$f" --sample alloc_objects || return
	expect_line "$f" "$p;worker_a;alloc_small;malloc 1000" &&
	expect_line "$f" "$p;worker_a;alloc_zeroed;calloc 200" &&
	expect_line "$f" "$p;worker_b;alloc_other;malloc 300" &&
	expect_line "$f" "$p;worker_b;grow_first;realloc 50" &&
	expect_line "$f" "$p;worker_b;grow_second;realloc 50" &&
	expect_line "$f" "$p;worker_b;alloc_aligned;posix_memalign 10" || return
	ok
}

# The default --sample, inuse_space, is a leak flame graph.
t_inuse_sites()
{
	local f=$T/folded p="mem_exact;__clone3;start_thread"

	run_exact --exact --folded "$f" || return
	expect_line "$f" "$p;worker_a;alloc_zeroed;calloc 10000" &&
	expect_line "$f" "$p;worker_b;alloc_aligned;posix_memalign 1280" || return
	if (($(wc -l < "$f") != 2)); then
		bad "$(wc -l < "$f") stacks hold memory, expected 2: $(tr '\n' '|' < "$f")"
		return
	fi
	ok
}

# Below --min-size: no stacks, yet totals stay exact and frees balance.
t_min_size()
{
	local f=$T/folded

	run_exact --exact --min-size 200 --folded "$f" --sample alloc_objects || return
	expect_total allocs 1610 &&
	expect_total frees 1585 &&
	expect_total outstanding_bytes 11280 &&
	expect_line "$f" "mem_exact;[below --min-size];malloc 1300" &&
	expect_line "$f" "mem_exact;[below --min-size];realloc 100" &&
	expect_line "$f" "mem_exact;__clone3;start_thread;worker_a;alloc_zeroed;calloc 200" || return
	ok
}

# --json: the totals and sites a script reads, keys carrying their units.
t_json()
{
	local j=$T/report.json got

	command -v python3 >/dev/null || { skip "python3 not installed"; return; }
	run_exact --exact --json "$j" || return
	got=$(python3 - "$j" <<'PY' 2>&1
import json, sys
d = json.load(open(sys.argv[1]))
t = d["totals"]
want = {"allocs": 1610, "frees": 1585, "alloc_bytes": 221760,
        "free_bytes": 210480, "outstanding_count": 25,
        "outstanding_bytes": 11280}
bad = [f"{k}={t.get(k)} (want {v})" for k, v in want.items() if t.get(k) != v]
sites = {tuple(s["stack"][-3:]): s["values"] for s in d["stacks"]}
v = sites.get(("worker_a", "alloc_zeroed", "calloc"))
if not v or v["alloc_objects"] != 200 or v["inuse_space_bytes"] != 10000:
    bad.append(f"calloc site: {v}")
print("; ".join(bad))
PY
)
	if [[ -n $got ]]; then
		bad "json: $got"
		return
	fi
	ok
}

t_leak_suspects()
{
	local sect

	run_exact --exact --min-age 0.05 || return
	sect=$(sed -n '/^outstanding at the end/,/^$/p' "$T/out")
	if ! grep -qE '9\.77 KiB +20 .*calloc <- alloc_zeroed <- worker_a' <<<"$sect" ||
	   ! grep -qE '1\.25 KiB +5 .*posix_memalign <- alloc_aligned <- worker_b' <<<"$sect"; then
		bad "leak suspects are not the 20 callocs and 5 posix_memaligns: $sect"
		return
	fi
	ok
}

t_timeline()
{
	run_exact -i 0.2 || return
	if ! grep -qE 'allocs/s +outstanding' "$T/out"; then
		bad "no timeline line in the report"
		return
	fi
	ok
}

# A COMMAND is stopped at its entry point while its allocator is probed:
# its own sites are counted exactly (libc's start-up allocations aside).
t_command_mode()
{
	local f=$T/folded p="mem_exact;__clone3;start_thread"

	prof mem --exact --folded "$f" --sample alloc_objects -- "$TDIR/mem_exact" now
	expect_rc 0 || return
	expect_line "$f" "$p;worker_a;alloc_small;malloc 1000" &&
	expect_line "$f" "$p;worker_b;grow_first;realloc 50" &&
	expect_line "$f" "$p;worker_b;alloc_aligned;posix_memalign 10" || return
	ok
}

# A program linked with another allocator library is traced in it.
t_other_allocator()
{
	local f=$T/folded tpid

	start_target mem_tiny || { bad "mem_tiny did not start"; return; }
	tpid=$LAST_PID
	prof_start mem -p "$tpid" --exact --folded "$f" --sample alloc_objects
	wait_said tracing || return
	if ! grep -q "tracing allocator in $TDIR/libtinyalloc.so" "$T/err"; then
		bad "did not pick libtinyalloc.so: $(err_head)"
		return
	fi
	kill -USR1 "$tpid"
	prof_wait "$LIMIT"
	expect_rc 0 || return
	expect_line "$f" "mem_tiny;_start;__libc_start_main;__libc_start_call_main;main;tiny_site;malloc 500" ||
		return
	expect_total frees 400 || return
	ok
}

t_prefixed_allocator()
{
	local f=$T/folded tpid

	start_target mem_tiny prefixed || { bad "mem_tiny did not start"; return; }
	tpid=$LAST_PID
	prof_start mem -p "$tpid" --exact --prefix tiny_ --folded "$f" --sample alloc_objects
	wait_said tracing || return
	kill -USR1 "$tpid"
	prof_wait "$LIMIT"
	expect_rc 0 || return
	expect_line "$f" "mem_tiny;_start;__libc_start_main;__libc_start_call_main;main;tiny_site;tiny_malloc 500" ||
		return
	expect_total frees 400 || return
	ok
}

t_free_latency()
{
	run_exact --free-latency || return
	if ! grep -qE '^  free +1535 ' "$T/out"; then
		bad "no latency row for free with 1535 calls (frees minus realloc's): $(grep -A12 '^latency' "$T/out" | tr '\n' '|')"
		return
	fi
	expect_total frees 1585 || return
	ok
}

t_error_no_target()
{
	prof mem -d 1
	expect_rc 2 || return
	grep -q "needs a target" "$T/err" || { bad "stderr: $(err_head)"; return; }
	ok
}

t_error_no_process()
{
	prof mem -p 999999
	expect_rc 1 || return
	grep -q "process 999999 not found" "$T/err" || { bad "stderr: $(err_head)"; return; }
	ok
}

t_error_kernel_thread()
{
	local k

	k=$(kernel_thread) || { skip "no kernel thread visible (kthreadd is not pid 2)"; return; }
	prof mem -p "$k" -d 1
	expect_rc 1 || return
	grep -q "process $k (kthreadd) is a kernel thread: it has no user space for mem to trace" "$T/err" ||
		{ bad "stderr: $(err_head)"; return; }
	ok
}

t_error_bad_lib()
{
	start_target mem_tiny || { bad "mem_tiny did not start"; return; }
	prof mem -p "$LAST_PID" --lib /nonexistent/libfoo.so -d 1
	expect_rc 1 || return
	grep -q -- "--lib /nonexistent/libfoo.so" "$T/err" || { bad "stderr: $(err_head)"; return; }
	ok
}

t_error_bad_prefix()
{
	start_target mem_tiny || { bad "mem_tiny did not start"; return; }
	prof mem -p "$LAST_PID" --prefix nosuch_ -d 1
	expect_rc 1 || return
	grep -q "no allocator found" "$T/err" || { bad "stderr: $(err_head)"; return; }
	ok
}

# Return probes in Go code kill the program, and Go's heap has no free():
# a Go file given as the allocator is refused, a pure Go process has no
# allocator to trace, and the target finishes its work.
t_error_go_lib()
{
	local tpid rc

	spawn "$TDIR/go_target" >"$T/target.out"
	tpid=$LAST_PID
	wait_exec "$tpid" "$TDIR/go_target" || { bad "go_target did not start"; return; }
	prof mem -p "$tpid" --lib "$TDIR/go_target" -d 5
	expect_rc 1 || return
	grep -q -- "--lib $TDIR/go_target is Go code" "$T/err" || { bad "stderr: $(err_head)"; return; }
	# Without --lib: no C allocator in a pure Go program, and the error
	# says why Go's own heap is not traced.
	prof mem -p "$tpid" -d 5
	expect_rc 1 || return
	grep -q "it is a Go program, whose heap is garbage collected" "$T/err" ||
		{ bad "stderr: $(err_head)"; return; }
	kill -USR1 "$tpid"
	wait_pid "$tpid" "$LIMIT"
	rc=$?
	((rc == 0)) || { bad "go_target exited $rc"; return; }
	ok
}

# The same counts through one perf event per probe, as on kernels before
# 6.6 that have no uprobe_multi links.
t_without_uprobe_multi()
{
	PROFILER_NO_UPROBE_MULTI=1 t_exact_totals
}

suite_main mem_exact mem_tiny libtinyalloc.so go_target
