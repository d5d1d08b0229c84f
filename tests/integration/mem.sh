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
       error_go_lib exact_sites_fp sampled_estimates sampled_no_stacks
       error_bad_sample_bytes
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

# Sampled stacks (--sample-bytes 64K) on mem_sizes, whose three sites
# allocate one size each (1000 x 4 KiB, 10000 x 100 B, 200 x 64 KiB), in
# RUNS runs.  Each run: totals exact; stacks taken = the sites' samples,
# far fewer than the allocations; per site, estimate and stated error are
# what the profiler's own probabilities give for its number of samples k
# (s/p * k, and sqrt(k s^2 (1 - p)) / p): deterministic checks.
#
# Then the statistical one: with one size per site, k ~ Binomial(n, p) in
# each run, and the mean of the RUNS estimates must be within Z standard
# errors of the mean (sigma / sqrt(RUNS), sigma from the truth) of the
# truth.  A 3-sigma bound on each of 3 sites x 5 runs would fail a correct
# profiler with probability about 15 x 0.27% = 4%; so the runs are pooled
# and Z = 4.5.  Exact binomial tails of the pooled k (n x 5 allocations):
# P(outside) = 9.1e-6 (4 KiB: p = 0.0606), 1.4e-5 (100 B: p = 0.00152,
# skewed), 6.9e-6 (64 KiB: p = 0.632); by the union bound a false failure
# is less likely than 3.0e-5, and with sampled_no_stacks' 3.2e-6 below
# 1e-4.  A real bias of 1/RUNS^0.5 x 4.5 sigma fails: 25% at 4 KiB sites,
# 51% at 100 B, 11% at 64 KiB.
SAMPLED_RUNS=5
t_sampled_estimates()
{
	local i tpid got

	command -v python3 >/dev/null || { skip "python3 not installed"; return; }
	for ((i = 0; i < SAMPLED_RUNS; i++)); do
		start_target mem_sizes || { bad "mem_sizes did not start"; return; }
		tpid=$LAST_PID
		prof_start mem -p "$tpid" --sample-bytes 64K --json "$T/run$i.json"
		wait_said tracing || return
		kill -USR1 "$tpid"
		prof_wait "$LIMIT"
		expect_rc 0 || return
		grep -q "stacks sampled: one per 64.0 KiB allocated on average" "$T/out" ||
			{ bad "the report does not say stacks are sampled: $(head -n 5 "$T/out" | tr '\n' '|')"; return; }
	done
	got=$(python3 - "$T" "$SAMPLED_RUNS" <<'PY' 2>&1
import json, math, sys
d, runs = sys.argv[1], int(sys.argv[2])
N = 65536
# The profiler's probability (include/mem_sample.h): a table of 1 - e^-x
# at x = i/256 in 2^-32, interpolated, rounded.
tab = [round(-math.expm1(-i / 256) * 2**32) for i in range(256 * 24 + 1)]
def prob(s):
    pos = s * 256
    i, rem = pos // N, pos % N
    return (tab[i] + ((tab[i + 1] - tab[i]) * rem + N // 2) // N) / 2**32
sites = {"site_page": (4096, 1000), "site_small": (100, 10000), "site_big": (65536, 200)}
want = {"allocs": 11200, "alloc_bytes": 18203200, "outstanding_count": 200,
        "outstanding_bytes": 13107200, "sample_bytes": N}
bad, sums = [], {k: 0.0 for k in sites}
for r in range(runs):
    j = json.load(open(f"{d}/run{r}.json"))
    t = j["totals"]
    bad += [f"run {r}: {k}={t.get(k)} (want {v})" for k, v in want.items() if t.get(k) != v]
    if j["metadata"]["period"] != {"type": "space", "unit": "bytes", "value_bytes": N}:
        bad.append(f"run {r}: period {j['metadata']['period']}")
    taken = 0
    for st in j["stacks"]:
        name = [f for f in st["stack"] if f in sites]
        if st["stack"][-1] != "malloc" or len(name) != 1:
            bad.append(f"run {r}: a site not of the target: {st['stack'][-4:]}")
            continue
        s, n = sites[name[0]]
        p, k = prob(s), st["labels"]["samples"]
        taken += k
        est, se = st["values"]["alloc_space_bytes"], st["labels"]["alloc_space_stderr_bytes"]
        want_est, want_se = k * s / p, math.sqrt(k * s * s * (1 - p)) / p
        if abs(est - want_est) > 1e-4 * want_est + 1:
            bad.append(f"run {r} {name[0]}: {est} bytes for {k} samples, want {want_est:.0f}")
        if abs(se - want_se) > 1e-3 * want_se + 1:
            bad.append(f"run {r} {name[0]}: stated error {se}, want {want_se:.0f}")
        if name[0] == "site_big" and st["values"]["inuse_space_bytes"] != est:
            bad.append(f"run {r}: site_big in use {st['values']['inuse_space_bytes']}, want {est}")
        sums[name[0]] += est
    if t["stacks_taken"] != taken or not 0 < taken < 1000:
        bad.append(f"run {r}: {t['stacks_taken']} stacks taken, sites' samples {taken}")
for name, (s, n) in sites.items():
    p = prob(s)
    sigma = s * math.sqrt(n * (1 - p) / p)
    mean = sums[name] / runs
    if abs(mean - s * n) > 4.5 * sigma / math.sqrt(runs):
        bad.append(f"{name}: mean estimate {mean:.0f} B, truth {s * n}, "
                   f"{abs(mean - s * n) / (sigma / math.sqrt(runs)):.1f} sigma off")
print("; ".join(bad))
PY
)
	if [[ -n $got ]]; then
		bad "$got"
		return
	fi
	ok
}

# At one sample per 64 GiB, mem_exact's 221760 bytes get no stack (a
# stack, each time with probability 3.2e-6), while every allocation is
# counted: unsampled allocations cost no stack walk.
t_sampled_no_stacks()
{
	local f=$T/folded

	run_exact --sample-bytes 64G --folded "$f" --sample alloc_objects || return
	expect_total allocs 1610 &&
	expect_total frees 1585 &&
	expect_total outstanding_bytes 11280 &&
	expect_total stacks_taken 0 || return
	if [[ -s $f ]]; then
		bad "stacks without a sample: $(tr '\n' '|' < "$f")"
		return
	fi
	ok
}

t_error_bad_sample_bytes()
{
	local a

	for a in -1 12Q 64T 68719476737 ""; do
		prof mem -p 1 --sample-bytes "$a" -d 1
		expect_rc 2 || return
		grep -q "invalid size '$a' for --sample-bytes" "$T/err" ||
			{ bad "--sample-bytes '$a': $(err_head)"; return; }
	done
	ok
}

# The same counts through one perf event per probe, as on kernels before
# 6.6 that have no uprobe_multi links.
t_without_uprobe_multi()
{
	PROFILER_NO_UPROBE_MULTI=1 t_exact_totals
}

suite_main mem_exact mem_sizes mem_tiny libtinyalloc.so go_target
