#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Integration tests of the lat mode: real uprobes and uretprobes on targets
# whose calls are known (tests/targets/lat_target.c, lat_cpp.cpp), asserting
# exact counts, percentiles against the durations the target measured
# itself, pattern matching in the executable, a library and C++ names, the
# errors, -i, --count-only and --json.
#
# Run as `bash tests/integration/lat.sh` after `make` and `make targets`.
# Same conventions as run.sh (see lib.sh): root and a working kernel, or
# every test says SKIPPED; "N passed, N failed, N skipped" at the end.

set -u

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BPF_PROGS="$BPF_PROGS lat_entry lat_return lat_count lat_exec"

TESTS="exact_counts percentiles recursion library_patterns cpp_demangled
       count_only intervals json_schema json_matches_table hist flat_outputs
       command_mode cpp_exceptions go_timed go_command go_count_only many_functions
       per_probe_links error_no_match error_elsewhere
       error_bad_module error_no_process error_kernel_thread error_max_probes error_usage
       no_bpf_leftover"

# What lat_target does once (see its header comment).
declare -A CALLS=([fn_fast]=500 [fn_slow]=50 [fn_recurse]=200
		  [fn_warmup]=2 [lib_hot_spin]=30)

# run_target ARGS...: lat_target traced with -p from before it starts its
# work: wait for "tracing" on the profiler's stderr, then SIGUSR1.  Target
# options go before "--", profiler ones after it.
run_target()
{
	local targs=() tpid i

	while (($#)) && [[ $1 != -- ]]; do
		targs+=("$1")
		shift
	done
	shift
	start_target lat_target "${targs[@]}" || { bad "lat_target did not start"; return 1; }
	tpid=$LAST_PID
	prof_start lat -p "$tpid" "$@"
	wait_said tracing || return 1
	kill -USR1 "$tpid"
	prof_wait "$LIMIT"
	expect_rc 0
}

# row NAME: the table row of a function (the first table when -i printed
# several: the last one is the run's).
row()
{
	awk -v f="$1" '$1 == f' "$T/out" | tail -n 1
}

# expect_calls NAME N: the table says NAME was called N times.
expect_calls()
{
	local got

	got=$(row "$1" | awk '{print $3}')
	if [[ $got != "$2" ]]; then
		bad "$1: ${got:-no row} calls, expected $2; table: $(tr '\n' '|' < "$T/out")"
		return 1
	fi
	return 0
}

# json FILTER: jq on the JSON file.
json()
{
	jq -r "$1" "$T/json"
}

# fig NAME KEY: one function's figure in the JSON (docs/formats.md): calls
# and time_ns from its sample, count (its timed calls), min_ns, max_ns and
# pNN_ns from its latency histogram.
fig()
{
	case $2 in
	calls | time_ns) json ".functions[] | select(.name == \"$1\") | .self.$2" ;;
	*) json ".histograms[] | select(.function == \"$1\") | .$2" ;;
	esac
}

need_jq()
{
	command -v jq >/dev/null && return 0
	skip "jq is not installed (tools/deps.sh installs it)"
	return 1
}

# truth_pct NAME Q [COLUMN]: nearest-rank percentile Q of NAME's durations
# as the target measured them (ns), the same definition hist_quantile()
# uses; COLUMN 2 (default) the caller's measurement, 3 the function's own.
truth_pct()
{
	awk -v f="$1" -v c="${3:-2}" '$1 == f {print $c}' "$T/truth" | sort -n |
		awk -v q="$2" '{v[NR] = $1}
		END { r = int(q * NR / 100); if (r * 100 < q * NR) r++; if (r < 1) r = 1; print v[r] }'
}

# ---- tests -----------------------------------------------------------------

t_exact_counts()
{
	local f

	run_target -- 'fn_*' 'libhot:lib_hot*' || return
	for f in "${!CALLS[@]}"; do
		expect_calls "$f" "${CALLS[$f]}" || return
	done
	if row fn_never | grep -q .; then
		bad "fn_never has a row though never called: $(row fn_never)"
		return
	fi
	grep -q "(1 of 6 probed functions not called)" "$T/out" ||
		{ bad "no line for the uncalled fn_never: $(tr '\n' '|' < "$T/out")"; return; }
	if grep -q "note:" "$T/out"; then
		bad "report says calls were missed: $(grep note: "$T/out")"
		return
	fi
	ok
}

# The profiler's p50/p90/p99 against the truth the target measured for
# each call, twice: around the call (outer) and inside the function
# (inner).  The profiler's window (entry probe to return probe) contains
# the inner one and lies inside the outer one, call by call, so each of its
# percentiles lies between theirs, whatever interrupts, preemption or the
# hypervisor added to any window.  The scheme reports a bucket's midpoint,
# within 3.125% of any value in it.  No other allowance.
t_percentiles()
{
	local f q lo_t hi_t p lo hi

	need_jq || return
	run_target --truth "$T/truth" -- --json "$T/json" 'fn_*' || return
	for f in fn_fast fn_slow fn_recurse; do
		for q in 50 90 99; do
			lo_t=$(truth_pct "$f" "$q" 3)
			hi_t=$(truth_pct "$f" "$q" 2)
			p=$(fig "$f" "p${q}_ns")
			lo=$((lo_t - lo_t * 3125 / 100000 - 1))
			hi=$((hi_t + hi_t * 3125 / 100000 + 1))
			if [[ -z $lo_t || -z $hi_t || -z $p ]] || ((p < lo || p > hi)); then
				bad "$f p$q is ${p:-missing} ns, the target measured ${lo_t:-nothing} ns inside, ${hi_t:-nothing} ns around (allowed $lo..$hi)"
				return
			fi
		done
	done
	ok
}

# fn_recurse(5): each level busy 10 us, then the next level: all 200
# calls timed, each nested in its caller's time.  The target measured each
# call inside (its own clock reads) and around it (its caller's): the exact
# min and max lie between the smallest and the largest of each; the
# longest holds all five levels (inside: >= 50 us).
t_recursion()
{
	local timed min max lo_min hi_min lo_max hi_max

	need_jq || return
	run_target --truth "$T/truth" -- --json "$T/json" 'fn_recurse' || return
	timed=$(fig fn_recurse count)
	min=$(fig fn_recurse min_ns)
	max=$(fig fn_recurse max_ns)
	if [[ $timed != 200 ]]; then
		bad "$timed of fn_recurse's calls timed, expected 200"
		return
	fi
	read -r lo_min hi_min lo_max hi_max < <(awk '$1 == "fn_recurse" {
		if (n++ == 0 || $3 < imin) imin = $3
		if ($2 < omin || n == 1) omin = $2
		if ($3 > imax) imax = $3
		if ($2 > omax) omax = $2
	} END { print imin, omin, imax, omax }' "$T/truth")
	if ((min < lo_min || min > hi_min || max < lo_max || max > hi_max ||
	     lo_max < 50000)); then
		bad "fn_recurse min $min ns, max $max ns: the target measured min $lo_min..$hi_min, max $lo_max..$hi_max"
		return
	fi
	ok
}

# A library by name, by file name and by path; a pattern over both.
t_library_patterns()
{
	run_target -- 'libhot:lib_hot_spin' "$TDIR/libhot.so:lib_*" \
		'libhot.so:*hot_spin' 'fn_s*' || return
	expect_calls lib_hot_spin 30 && expect_calls fn_slow 50 || return
	if ! row lib_hot_spin | grep -q 'libhot.so'; then
		bad "lib_hot_spin's module is not libhot.so: $(row lib_hot_spin)"
		return
	fi
	# One function, matched three ways: probed (and counted) once.
	if (($(grep -c '^  lib_hot_spin ' "$T/out") != 1)); then
		bad "lib_hot_spin has several rows"
		return
	fi
	ok
}

t_cpp_demangled()
{
	local tpid i

	start_target lat_cpp || { bad "lat_cpp did not start"; return; }
	tpid=$LAST_PID
	prof_start lat -p "$tpid" '*Widget::*'
	wait_said tracing || return
	kill -USR1 "$tpid"
	prof_wait "$LIMIT"
	expect_rc 0 || return
	if ! grep -qE '^  shapes::Widget::area\(\) const +lat_cpp +100 ' "$T/out" ||
	   ! grep -qE '^  shapes::Widget::grow\(int\) +lat_cpp +50 ' "$T/out"; then
		bad "no rows for the two methods with 100 and 50 calls: $(tr '\n' '|' < "$T/out")"
		return
	fi
	if grep -q make_widget "$T/out"; then
		bad "make_widget is not a Widget method but was matched"
		return
	fi
	ok
}

# A C++ exception unwinding through a return probe's trampoline terminates
# the program, so g++ code is timed by uprobes on its RET instructions,
# including those of the ".cold" part where g++ put the throw.  lat_throw
# calls validate() -> Gauge::check() 100 times; the 50 odd calls throw, and
# main catches.  Both functions: 100 calls (the 50 left by the exception
# counted, untimed, with a note), 50 timed; the target survives.  "*" also
# matches check's ".cold" part, which is not a function of its own.
t_cpp_exceptions()
{
	local tpid i f rc

	need_jq || return
	start_target lat_throw >"$T/target.out" || { bad "lat_throw did not start"; return; }
	tpid=$LAST_PID
	prof_start lat -p "$tpid" -v --json "$T/json" 'shapes::*'
	wait_said tracing || return
	kill -USR1 "$tpid"
	wait_pid "$tpid" "$LIMIT"
	rc=$?
	if ((rc != 0)) || ! grep -qx 'caught 50' "$T/target.out"; then
		bad "lat_throw exited $rc: $(tr '\n' '|' < "$T/target.out")"
		return
	fi
	prof_wait "$LIMIT"
	expect_rc 0 || return
	if (($(json '.functions | length') != 2)); then
		bad "expected check and validate, not their .cold parts: $(json '[.functions[].name] | join(", ")')"
		return
	fi
	for f in 'shapes::Gauge::check(int) const' \
		 'shapes::validate(shapes::Gauge const&, int)'; do
		if [[ "$(fig "$f" calls) $(fig "$f" count)" != "100 50" ]]; then
			bad "$f: calls and timed calls $(fig "$f" calls) $(fig "$f" count), expected 100 50"
			return
		fi
	done
	if ! grep -q 'note: 100 calls counted but not timed: left without returning (an exception' "$T/out"; then
		bad "no note of the 100 calls left by an exception: $(tr '\n' '|' < "$T/out")"
		return
	fi
	if ! grep -q 'RET instruction' "$T/err"; then
		bad "-v does not say the functions are timed on their RET instructions: $(err_head)"
		return
	fi
	ok
}

# --folded, --pprof, --svg: the run as a flat profile, one frame per
# function under the target's name, weighed by its total time (calls with
# --count-only): the same figures as the JSON report's.  report reads the
# pprof back as a lat profile and writes the same folded stacks.
t_flat_outputs()
{
	local want got

	need_jq || return
	run_target -- --json "$T/json" --folded "$T/folded" --pprof "$T/p.pb.gz" \
		--svg "$T/svg" 'fn_*' || return
	want=$(json '.functions[] | select(.self.calls > 0) | "lat_target;\(.name) \(.self.time_ns)"' | sort)
	got=$(sort "$T/folded")
	if [[ -z $want || $want != "$got" ]]; then
		bad "folded stacks differ from the JSON report: want $(tr '\n' '|' <<<"$want"), got $(tr '\n' '|' <<<"$got")"
		return
	fi
	grep -q '<svg' "$T/svg" || { bad "no SVG written"; return; }
	"$PROF" report "$T/p.pb.gz" --folded "$T/back.folded" --json "$T/back.json" \
		>/dev/null 2>"$T/err" || { bad "report failed: $(err_head)"; return; }
	if [[ $(sort "$T/back.folded") != "$got" ]]; then
		bad "report's folded stacks differ: $(tr '\n' '|' < "$T/back.folded")"
		return
	fi
	if [[ $(jq -r .metadata.mode "$T/back.json") != lat ]]; then
		bad "report does not say the profile is lat's: $(jq -c .metadata "$T/back.json")"
		return
	fi
	run_target -- --count-only --folded "$T/count.folded" 'fn_fast' 'fn_slow' || return
	if [[ $(sort "$T/count.folded" | tr '\n' '|') != "lat_target;fn_fast 500|lat_target;fn_slow 50|" ]]; then
		bad "--count-only folded stacks: $(tr '\n' '|' < "$T/count.folded")"
		return
	fi
	ok
}

t_count_only()
{
	local f

	run_target -- --count-only -v 'fn_*' 'libhot:lib_hot*' || return
	for f in "${!CALLS[@]}"; do
		expect_calls "$f" "${CALLS[$f]}" || return
	done
	if ! head -n 4 "$T/out" | grep -qE 'CALLS +RATE$'; then
		bad "no CALLS and RATE columns: $(head -n 4 "$T/out" | tr '\n' '|')"
		return
	fi
	# -v says where each entry probe went.
	if ! grep -q 'debug: probe fn_fast (lat_target+0x[0-9a-f]*): at +[0-9]* (' "$T/err"; then
		bad "-v does not give fn_fast's probe placement: $(err_head)"
		return
	fi
	ok
}

# -i: a table per interval, each of that interval's calls only.
t_intervals()
{
	local n

	need_jq || return
	run_target --loop --gap 0.05 -- -i 0.3 -d 1.5 --json "$T/json" 'fn_*' || return
	n=$(grep -cE '^[0-9]+\.[0-9]+ s \.\. [0-9]+\.[0-9]+ s:$' "$T/out")
	if ((n < 3)); then
		bad "$n interval tables, expected at least 3: $(head -c 600 "$T/out" | tr '\n' '|')"
		return
	fi
	if (($(json '.intervals | length') != n)); then
		bad "JSON has $(json '.intervals | length') intervals, the terminal $n"
		return
	fi
	# Intervals add up to at most the run (calls after the last tick).
	if (($(json '[.intervals[].functions[] | select(.name == "fn_fast") | .self.calls] | add') >
	     $(fig fn_fast calls))); then
		bad "fn_fast's interval calls add up to more than the run's"
		return
	fi
	ok
}

# --json is the shared profile JSON (docs/formats.md): each function called
# is a sample with its calls and time, labelled with its symbol and probe;
# its latency histogram names it, with the exact min and max, and adds up
# to its timed calls.
t_json_schema()
{
	local keys k probed

	need_jq || return
	run_target -- --json "$T/json" 'fn_*' || return
	if ! jq -e . "$T/json" >/dev/null; then
		bad "not valid JSON: $(head -c 300 "$T/json")"
		return
	fi
	for k in format version metadata losses metrics histograms totals functions \
		 stacks; do
		json "has(\"$k\")" | grep -qx true || { bad "no top-level key $k"; return; }
	done
	if [[ $(json .metadata.mode) != lat || $(json .metadata.default_sample_type) != time_ns ]]; then
		bad "metadata: $(jq -c .metadata "$T/json")"
		return
	fi
	keys=$(json '.histograms[] | select(.function == "fn_slow") | keys[]' | tr '\n' ' ')
	for k in name function module unit count min_ns max_ns p50_ns p90_ns p95_ns \
		 p99_ns buckets; do
		[[ " $keys" == *" $k "* ]] || { bad "fn_slow's histogram has no key $k: $keys"; return; }
	done
	if (($(json '.histograms[] | select(.function == "fn_slow") | [.buckets[].count] | add') != 50 ||
	     $(fig fn_slow calls) != 50)); then
		bad "fn_slow's histogram does not add up to its 50 calls"
		return
	fi
	keys=$(json '.stacks[] | select(.stack[-1] == "fn_slow") | .labels | keys[]' | tr '\n' ' ')
	for k in symbol probe_offset_bytes probe_instruction probe_emulated probe_placement; do
		[[ " $keys" == *" $k "* ]] || { bad "fn_slow's sample has no label $k: $keys"; return; }
	done
	# Every function probed, called or not, as the title counts them.
	probed=$(json '.metrics[] | select(.name == "functions_probed") | .value')
	if [[ -z $probed || $(json .metadata.title) != *", $probed functions" ]]; then
		bad "functions_probed ${probed:-missing}, title $(json .metadata.title)"
		return
	fi
	ok
}

# fmt_ns NS: a duration as the table prints it (user/render/sections.c).
fmt_ns()
{
	awk -v v="$1" 'BEGIN {
		if (v < 1000) printf "%.0f ns\n", v
		else if (v < 1e6) printf (v < 1e4 ? "%.2f us\n" : "%.1f us\n"), v / 1e3
		else if (v < 1e9) printf (v < 1e7 ? "%.2f ms\n" : "%.1f ms\n"), v / 1e6
		else printf "%.2f s\n", v / 1e9 }'
}

t_json_matches_table()
{
	local f r calls p50 max

	need_jq || return
	run_target -- --json "$T/json" 'fn_*' 'libhot:lib_hot*' || return
	for f in fn_fast fn_slow fn_recurse lib_hot_spin; do
		r=$(row "$f")
		calls=$(fig "$f" calls)
		p50=$(fmt_ns "$(fig "$f" p50_ns)")
		max=$(fmt_ns "$(fig "$f" max_ns)")
		if [[ $(awk '{print $3}' <<<"$r") != "$calls" || $r != *" $p50 "* ||
		      $r != *" $max "* ]]; then
			bad "$f: table row '$r' disagrees with JSON calls $calls, p50 $p50, max $max"
			return
		fi
	done
	ok
}

t_hist()
{
	local sum

	run_target -- --hist 'fn_slow' || return
	if ! grep -q '^fn_slow (lat_target), 50 calls:$' "$T/out"; then
		bad "no histogram header for fn_slow's 50 calls: $(tr '\n' '|' < "$T/out")"
		return
	fi
	# Bars "  LOW .. HIGH : COUNT |***|" adding up to the calls.
	sum=$(sed -n '/^fn_slow (lat_target)/,$p' "$T/out" |
	      awk -F: '/ \.\. .*\|/ { split($2, a, " "); s += a[1] } END { print s + 0 }')
	if ((sum != 50)); then
		bad "fn_slow's histogram bars add up to $sum, expected 50"
		return
	fi
	ok
}

# A COMMAND is stopped at its entry point while the patterns are resolved
# (its libraries are mapped then), and traced to its end.
t_command_mode()
{
	local f

	prof lat 'fn_*' 'libhot:lib_hot*' -- "$TDIR/lat_target" --now
	expect_rc 0 || return
	for f in "${!CALLS[@]}"; do
		expect_calls "$f" "${CALLS[$f]}" || return
	done
	ok
}

# start_go: go_target waiting for SIGUSR1, its stdout in $T/target.out.
start_go()
{
	spawn "$TDIR/go_target" "$@" >"$T/target.out"
	wait_exec "$LAST_PID" "$TDIR/go_target"
}

# Go functions are timed by uprobes on their RET instructions (a return
# probe's trampoline kills Go programs), matched to entries per goroutine.
# go_target's counts are exact: 1000 calls of main.work, 96020 of
# main.deep (whose stack growths restart it at its entry: counted once),
# 50 of main.nap (a 2 ms sleep: the goroutine may resume on another
# thread), and 101 of main.panicky, of which the 50 that panic never
# return: counted, untimed, when the next call takes their place.  The
# target finishes its work, unharmed.
t_go_timed()
{
	local tpid i rc min max longest

	need_jq || return
	start_go || { bad "go_target did not start"; return; }
	tpid=$LAST_PID
	prof_start lat -p "$tpid" --json "$T/json" 'main.work' 'main.deep' 'main.nap' \
		'main.panicky'
	wait_said tracing || return
	kill -USR1 "$tpid"
	wait_pid "$tpid" "$LIMIT"
	rc=$?
	if ((rc != 0)) || ! grep -q '^done ' "$T/target.out"; then
		bad "go_target exited $rc without finishing its work: $(tail -n 3 "$T/target.out" | tr '\n' '|')"
		return
	fi
	prof_wait "$LIMIT"
	expect_rc 0 || return
	expect_calls main.work 1000 &&
	expect_calls main.deep 96020 &&
	expect_calls main.nap 50 &&
	expect_calls main.panicky 101 || return
	if (($(fig main.panicky count) != 51)); then
		bad "main.panicky: expected 51 of its 101 calls timed: $(row main.panicky)"
		return
	fi
	# Every other call timed; main.nap between its sleep and what its
	# caller measured around it.
	for f in main.work main.deep main.nap; do
		if (($(fig "$f" count) != $(fig "$f" calls))); then
			bad "$f: not every call timed: $(row "$f")"
			return
		fi
	done
	min=$(fig main.nap min_ns)
	max=$(fig main.nap max_ns)
	longest=$(sed -n 's/^nap_max_ns //p' "$T/target.out")
	if ((min < 2000000 || max > longest)); then
		bad "main.nap took $min..$max ns; it sleeps 2 ms and its caller measured at most ${longest:-nothing} ns"
		return
	fi
	ok
}

# COMMAND mode too: go_target runs its work to the end under lat.
t_go_command()
{
	prof lat 'main.work' -- "$TDIR/go_target" --now
	expect_rc 0 || return
	expect_calls main.work 1000 || return
	ok
}

# --count-only needs no return probe: allowed, exact (main.deep's stack
# growths restart it at its entry: the probe sits past that check, so each
# call counts once; main.panicky's panicking calls count too), and the
# target lives.
t_go_count_only()
{
	local tpid i rc

	start_go || { bad "go_target did not start"; return; }
	tpid=$LAST_PID
	prof_start lat -p "$tpid" --count-only 'main.work' 'main.deep' 'main.panicky'
	wait_said tracing || return
	kill -USR1 "$tpid"
	wait_pid "$tpid" "$LIMIT"
	rc=$?
	if ((rc != 0)) || ! grep -q '^done ' "$T/target.out"; then
		bad "go_target exited $rc without finishing its work"
		return
	fi
	prof_wait "$LIMIT"
	expect_rc 0 || return
	expect_calls main.work 1000 &&
	expect_calls main.deep 96020 &&
	expect_calls main.panicky 101 || return
	ok
}

# Every libc function of a busy process: fast to attach and detach, and
# the process runs on.
t_many_functions()
{
	local t0 t1 n tpid

	start_target lat_target --loop --now --gap 0.01 ||
		{ bad "lat_target did not start"; return; }
	tpid=$LAST_PID
	t0=$(now_us)
	prof lat -p "$tpid" -v --count-only --max-probes 5000 -d 1 'libc:*'
	t1=$(now_us)
	expect_rc 0 || return
	n=$(sed -n 's/.*debug: attached \([0-9]*\) functions.*/\1/p' "$T/err")
	if ((${n:-0} < 1000)); then
		bad "attached ${n:-no} functions, expected libc's thousands: $(err_head)"
		return
	fi
	if ((t1 - t0 > 8000000)); then
		bad "a 1 s run over $n functions took $(((t1 - t0) / 1000)) ms"
		return
	fi
	if ! kill -0 "$tpid" 2>/dev/null; then
		bad "the target died"
		return
	fi
	ok
}

# Kernels before 6.6 have no uprobe_multi links: one perf event per probe,
# forced here by the test hook.  (Slow to detach on 6.12+: few functions.)
t_per_probe_links()
{
	PROFILER_NO_UPROBE_MULTI=1 run_target -- -v 'fn_slow' 'fn_warmup' || return
	expect_calls fn_slow 50 && expect_calls fn_warmup 2 || return
	if ! grep -q "attached 2 functions (4 links)" "$T/err"; then
		bad "not one link per probe: $(grep attached "$T/err")"
		return
	fi
	PROFILER_NO_UPROBE_MULTI=1 run_target -- --count-only 'fn_slow' || return
	expect_calls fn_slow 50 || return
	ok
}

t_error_no_match()
{
	start_target lat_target || { bad "lat_target did not start"; return; }
	prof lat -p "$LAST_PID" -d 1 'fn_slwo'
	expect_rc 1 || return
	grep -q "'fn_slwo' matches no function in lat_target; similar names: fn_slow" "$T/err" ||
		{ bad "stderr: $(err_head)"; return; }
	ok
}

# A library function named without its module: say where it is.
t_error_elsewhere()
{
	start_target lat_target || { bad "lat_target did not start"; return; }
	prof lat -p "$LAST_PID" -d 1 'lib_hot_spin'
	expect_rc 1 || return
	grep -q "but does in libhot.so: 'libhot.so:lib_hot_spin'" "$T/err" ||
		{ bad "stderr: $(err_head)"; return; }
	ok
}

t_error_bad_module()
{
	local tpid

	start_target lat_target || { bad "lat_target did not start"; return; }
	tpid=$LAST_PID
	prof lat -p "$tpid" -d 1 'libnope:*'
	expect_rc 1 || return
	grep -q "module 'libnope' in 'libnope:\*' is not mapped by process $tpid (it maps lat_target, " "$T/err" ||
		{ bad "stderr: $(err_head)"; return; }
	ok
}

t_error_no_process()
{
	prof lat -p 999999 -d 1 'f'
	expect_rc 1 || return
	grep -q "process 999999 not found" "$T/err" || { bad "stderr: $(err_head)"; return; }
	ok
}

t_error_kernel_thread()
{
	local k

	k=$(kernel_thread) || { skip "no kernel thread visible (kthreadd is not pid 2)"; return; }
	prof lat -p "$k" -d 1 'f'
	expect_rc 1 || return
	grep -q "process $k (kthreadd) is a kernel thread: it has no user space for lat to trace" "$T/err" ||
		{ bad "stderr: $(err_head)"; return; }
	ok
}

t_error_max_probes()
{
	start_target lat_target || { bad "lat_target did not start"; return; }
	prof lat -p "$LAST_PID" -d 1 'libc:*'
	expect_rc 1 || return
	grep -qE "the PATTERNs match [0-9]+ functions \('libc:\*' alone [0-9]+\), more than --max-probes 100" "$T/err" ||
		{ bad "stderr: $(err_head)"; return; }
	ok
}

t_error_usage()
{
	prof lat -p 1
	expect_rc 2 || return
	grep -q "needs a PATTERN" "$T/err" || { bad "stderr: $(err_head)"; return; }
	prof lat 'f'
	expect_rc 2 || return
	grep -q "needs a target" "$T/err" || { bad "stderr: $(err_head)"; return; }
	ok
}

suite_main lat_target lat_cpp lat_throw libhot.so go_target
