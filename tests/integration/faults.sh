#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The fault table: what goes wrong around a run, one test per row.  In
# every row the run still reports what it collected, says what it lost,
# leaves no half-written file and no BPF program behind, and never harms
# its target.
#
#   target_sigkilled     the target is SIGKILLed mid-run
#   target_execs         the target execs another program
#   fork_storm           1,000 short-lived children a second for 5 s (-p
#                        follows them)
#   many_threads         a target with 10,000 threads
#   leader_exits         main pthread_exits, another thread runs on: still
#                        followed (a process ends with its last thread)
#   maps_full            every kernel map of cpu and mem too small
#   sigint_anytime       SIGINT at 20 random moments of a run
#   signal_naming        a second signal while frames are being named:
#                        outputs written, addresses left as module+offset
#   two_profilers        two profilers on one target at once
#   profiler_sigkilled   cpu, mem and lat SIGKILLed: the target runs on, no
#                        probe or program left
#
# Same conventions as run.sh (see lib.sh).

set -u

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BPF_PROGS="$BPF_PROGS prof_exit unwind_fork unwind_exec unwind_exit alloc_entry
	   alloc_return free_entry lat_entry lat_return"

TESTS="target_sigkilled target_execs fork_storm many_threads leader_exits maps_full
       sigint_anytime signal_naming two_profilers profiler_sigkilled no_bpf_leftover"

CHAIN="main;chain_a;chain_b;chain_hot"

# folded_ok FILE: exists, not empty, every line "frames COUNT".
folded_ok()
{
	if [[ ! -s $1 ]]; then
		bad "$(basename "$1") missing or empty; stderr: $(err_head)"
		return 1
	fi
	if grep -qv '^[^ ].* [0-9][0-9]*$' "$1"; then
		bad "$(basename "$1") has malformed lines: $(grep -v '^[^ ].* [0-9][0-9]*$' "$1" | head -n 1)"
		return 1
	fi
	return 0
}

# no_temp_files DIR: no *.tmp.* left behind.
no_temp_files()
{
	local left

	left=$(find "$1" -name '*.tmp.*' | head -n 1)
	if [[ -n $left ]]; then
		bad "a temporary output file was left: $left"
		return 1
	fi
	return 0
}

t_target_sigkilled()
{
	local tpid

	start_target cpu_chain 30 || { bad "cpu_chain did not start"; return; }
	tpid=$LAST_PID
	prof_start -p "$tpid" -d 20 -F "$FREQ" --folded "$T/folded" --pprof "$T/p.pb.gz"
	# Attached, then a second of samples (50 of the ~199 are asked for).
	wait_said profiling || return
	sleep 1
	kill -KILL "$tpid"
	prof_wait "$LIMIT"
	expect_rc 0 || return
	grep -q 'stopped: target exited' "$T/out" ||
		{ bad "no 'stopped: target exited': $(tail -n 2 "$T/out" | tr '\n' '|')"; return; }
	folded_ok "$T/folded" || return
	check_share "$T/folded" "$CHAIN" 50 || return
	"$PROF" report -q "$T/p.pb.gz" --folded "$T/back.folded" ||
		{ bad "the pprof file does not read back"; return; }
	no_temp_files "$T" || return
	ok
}

# Samples before the exec are named from the old image, after it from
# the new one.
t_target_execs()
{
	local tpid

	start_target fault_target exec 1 "$TDIR/cpu_chain" 3 ||
		{ bad "fault_target did not start"; return; }
	tpid=$LAST_PID
	prof -p "$tpid" -d 3 -F "$FREQ" --folded "$T/folded"
	expect_rc 0 || return
	folded_ok "$T/folded" || return
	if ! grep -q ';before_exec' "$T/folded"; then
		bad "no sample named in the image before exec: $(top_stack "$T/folded")"
		return
	fi
	if ! grep -q "$CHAIN" "$T/folded"; then
		bad "no sample named in the image after exec: $(top_stack "$T/folded")"
		return
	fi
	ok
}

# Children come and go faster than their first samples: the run follows
# what it can, reports, and never stops following new ones (the kernel's
# target set forgets the dead).  Each child runs less than a sample
# period, so only per-CPU events see them (--per-cpu; an event per thread,
# the default, starts each child's period afresh).
t_fork_storm()
{
	local tpid forked

	spawn "$TDIR/fault_target" forker 5 >"$T/target.out"
	tpid=$LAST_PID
	wait_exec "$tpid" "$TDIR/fault_target" || { bad "fault_target did not start"; return; }
	prof -p "$tpid" --per-cpu -F "$FREQ" --folded "$T/folded"
	expect_rc 0 || return
	folded_ok "$T/folded" || return
	forked=$(sed -n 's/^forked //p' "$T/target.out")
	if ((${forked:-0} < 2000)); then
		bad "the target forked ${forked:-no} children; the test wants thousands"
		return
	fi
	if ! grep -q ';child_work' "$T/folded"; then
		bad "no sample of a child: $(top_stack "$T/folded")"
		return
	fi
	if grep -q 'forked children not followed' "$T/out"; then
		bad "children stopped being followed: $(grep 'not followed' "$T/out")"
		return
	fi
	ok
}

t_many_threads()
{
	local tpid i

	spawn "$TDIR/fault_target" threads 10000 4 >"$T/target.out"
	tpid=$LAST_PID
	for ((i = 0; i < 400; i++)); do
		grep -q '^started' "$T/target.out" 2>/dev/null && break
		kill -0 "$tpid" 2>/dev/null || break
		sleep 0.02
	done
	grep -q '^started 10000' "$T/target.out" ||
		{ bad "fault_target did not start its 10,000 threads"; return; }
	prof -p "$tpid" -d 1 -F "$FREQ" --folded "$T/folded"
	expect_rc 0 || return
	check_share "$T/folded" "main;threads;main_spin" 50 || return
	ok
}

t_leader_exits()
{
	local tpid i hit total

	spawn "$TDIR/fault_target" leader_exits 30 >"$T/target.out"
	tpid=$LAST_PID
	for ((i = 0; i < 200; i++)); do
		grep -q '^ready' "$T/target.out" 2>/dev/null && break
		sleep 0.02
	done
	grep -q '^ready' "$T/target.out" || { bad "fault_target did not start"; return; }
	prof_start -p "$tpid" -d 2 -F "$FREQ" --folded "$T/folded"
	wait_said profiling || return
	kill -USR1 "$tpid"
	prof_wait "$LIMIT"
	expect_rc 0 || return
	folded_ok "$T/folded" || return
	read -r hit total _ < <(folded_sum "$T/folded" "orphan;spin_after")
	if ((total < 100 || hit * 2 < total)); then
		bad "$hit of $total samples after the leader exited: $(top_stack "$T/folded")"
		return
	fi
	ok
}

# Maps of one entry: everything that did not fit is counted and said, the
# run still reports and exits 0.
t_maps_full()
{
	local tpid i

	start_target cpu_chain 10 || { bad "cpu_chain did not start"; return; }
	prof -p "$LAST_PID" -d 1 -F 999 --stack-map-size 1 --counts-map-size 1 \
		--folded "$T/folded"
	expect_rc 0 || return
	grep -q '^lost: [0-9]* user stacks: stack map full (raise --stack-map-size)' "$T/out" &&
	grep -q '^lost: [0-9]* samples: counts map full, sample dropped (raise --counts-map-size)' "$T/out" ||
		{ bad "lost: lines missing: $(grep -E '^(lost|truncated):' "$T/out" | tr '\n' '|')"; return; }
	folded_ok "$T/folded" || return

	# mem_exact allocates on SIGUSR1, sent once mem traces it.
	start_target mem_exact || { bad "mem_exact did not start"; return; }
	tpid=$LAST_PID
	prof_start mem -p "$tpid" --exact --live-map-size 1 --sites-map-size 1 --stack-map-size 1
	wait_said tracing || return
	kill -USR1 "$tpid"
	prof_wait "$LIMIT"
	expect_rc 0 || return
	grep -q 'lost: [0-9]* allocations not tracked: live map full (raise --live-map-size)' "$T/out" &&
	grep -q 'lost: [0-9]* allocations not attributed: sites map full (raise --sites-map-size)' "$T/out" ||
		{ bad "mem lost: lines missing: $(grep -E '^(lost|truncated):' "$T/out" | tr '\n' '|')"; return; }
	ok
}

# SIGINT at any moment: before the outputs exist the profiler dies as any
# program would (nothing written, nothing left); after, it writes complete
# files and exits 0.
t_sigint_anytime()
{
	local tpid i delay d

	start_target cpu_chain 60 || { bad "cpu_chain did not start"; return; }
	tpid=$LAST_PID
	for ((i = 0; i < 20; i++)); do
		d=$T/run$i
		mkdir "$d"
		delay=$(awk -v r="$RANDOM" 'BEGIN { printf "%.3f", r / 32767 * 1.2 }')
		spawn env --default-signal=INT "$PROF" -p "$tpid" -F 999 \
			--folded "$d/f.folded" --svg "$d/f.svg" --pprof "$d/f.pb.gz" \
			>"$d/out" 2>"$d/err"
		sleep "$delay"
		kill -INT "$LAST_PID"
		wait_pid "$LAST_PID" "$LIMIT"
		RC=$?
		if ((RC == 0)); then
			# Interrupted before any sample: an empty profile.
			[[ -e $d/f.folded ]] ||
				{ bad "run $i (SIGINT after ${delay}s): exit 0 without the folded file"; return; }
			if [[ -s $d/f.folded ]]; then
				folded_ok "$d/f.folded" || return
			fi
			grep -q '</svg>' "$d/f.svg" ||
				{ bad "run $i (SIGINT after ${delay}s): SVG incomplete"; return; }
			"$PROF" report -q "$d/f.pb.gz" --folded "$d/back.folded" ||
				{ bad "run $i: the pprof file does not read back"; return; }
		elif ((RC == 130)); then
			if [[ -e $d/f.folded || -e $d/f.svg || -e $d/f.pb.gz ]]; then
				bad "run $i: killed by SIGINT, yet an output file exists"
				return
			fi
		else
			bad "run $i (SIGINT after ${delay}s): exit $RC; stderr: $(head -n 1 "$d/err")"
			return
		fi
		no_temp_files "$d" || return
	done
	ok
}

# SIGINT ends the run, SIGTERM right behind it stops the naming: both are
# queued while the profiler is stopped, and signalfd hands out the lower
# number (SIGINT) first, so the second one always finds naming under way.
t_signal_naming()
{
	local tpid i hit total

	start_target cpu_chain 30 || { bad "cpu_chain did not start"; return; }
	tpid=$LAST_PID
	prof_start -p "$tpid" -F 999 --folded "$T/f.folded" --pprof "$T/p.pb.gz"
	wait_said profiling || return
	sleep 0.5
	kill -STOP "$PROF_PID"
	kill -INT "$PROF_PID"
	kill -TERM "$PROF_PID"
	kill -CONT "$PROF_PID"
	prof_wait "$LIMIT"
	expect_rc 0 || return
	grep -q '^truncated: [1-9][0-9]* addresses not named: naming stopped by a signal (shown as module+offset)' "$T/out" ||
		{ bad "no 'addresses not named' line: $(grep -E '^(lost|truncated|stopped):' "$T/out" | tr '\n' '|')"; return; }
	folded_ok "$T/f.folded" || return
	# Naming stopped at its first address: frames are module+offset.
	read -r hit total _ < <(folded_sum "$T/f.folded" "")
	hit=$(samples_with_frame "$T/f.folded" '^cpu_chain\+0x[0-9a-f]+$' cpu_chain)
	if ((total < 100 || hit * 10 < total * 9)); then
		bad "$hit of $total samples have cpu_chain+0x... frames: $(top_stack "$T/f.folded")"
		return
	fi
	if grep -q 'chain_hot' "$T/f.folded"; then
		bad "frames were named after the signal: $(top_stack "$T/f.folded")"
		return
	fi
	"$PROF" report -q "$T/p.pb.gz" --folded "$T/back.folded" ||
		{ bad "the pprof file does not read back"; return; }
	ok
}

t_two_profilers()
{
	local tpid a b

	start_target cpu_chain 10 || { bad "cpu_chain did not start"; return; }
	tpid=$LAST_PID
	spawn env --default-signal=INT "$PROF" -p "$tpid" -d 2 -F "$FREQ" --folded "$T/a.folded" \
		>"$T/a.out" 2>"$T/a.err"
	a=$LAST_PID
	spawn env --default-signal=INT "$PROF" -p "$tpid" -d 2 -F "$FREQ" --folded "$T/b.folded" \
		>"$T/b.out" 2>"$T/b.err"
	b=$LAST_PID
	wait_pid "$a" "$LIMIT" || { bad "the first profiler failed: $(head -n 1 "$T/a.err")"; return; }
	wait_pid "$b" "$LIMIT" || { bad "the second profiler failed: $(head -n 1 "$T/b.err")"; return; }
	check_share "$T/a.folded" "$CHAIN" 100 || return
	check_share "$T/b.folded" "$CHAIN" 100 || return
	ok
}

# SIGKILL gives a profiler no chance to clean up: the kernel must, and the
# target must not notice (its return probes, mem's and lat's, are gone with
# the profiler's links).
t_profiler_sigkilled()
{
	local tpid cpu mem lat i before after

	start_target lat_target --loop --gap 0.01 || { bad "lat_target did not start"; return; }
	tpid=$LAST_PID
	spawn "$PROF" -p "$tpid" -F 999 >"$T/cpu.out" 2>"$T/cpu.err"
	cpu=$LAST_PID
	spawn "$PROF" mem -p "$tpid" >"$T/mem.out" 2>"$T/mem.err"
	mem=$LAST_PID
	spawn "$PROF" lat -p "$tpid" 'fn_*' 'libhot:lib_hot*' >"$T/lat.out" 2>"$T/lat.err"
	lat=$LAST_PID
	for ((i = 0; i < 200; i++)); do
		grep -q tracing "$T/mem.err" 2>/dev/null && grep -q tracing "$T/lat.err" 2>/dev/null &&
			grep -q profiling "$T/cpu.err" 2>/dev/null && break
		sleep 0.05
	done
	grep -q tracing "$T/lat.err" || { bad "lat did not start: $(head -n 1 "$T/lat.err")"; return; }
	sleep 0.5
	kill -KILL "$cpu" "$mem" "$lat"
	for p in "$cpu" "$mem" "$lat"; do
		wait "$p" 2>/dev/null
		forget "$p"
	done
	# The target keeps working: its CPU time still grows.
	before=$(cpu_ticks "$tpid")
	sleep 1
	after=$(cpu_ticks "$tpid")
	if ! kill -0 "$tpid" 2>/dev/null; then
		bad "the target died with the profilers"
		return
	fi
	if ((after <= before)); then
		bad "the target stopped running ($before -> $after ticks)"
		return
	fi
	ok
}

suite_main cpu_chain fault_target mem_exact lat_target libhot.so
