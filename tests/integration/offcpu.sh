#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Integration tests of the offcpu and wall modes on a target whose threads
# wait in known ways and measure it themselves (tests/targets/offcpu_target.c):
# blocked time per thread against the target's own clock, attributed to the
# right user and kernel functions, the filters (--min-block, --max-block,
# --state), --wakers, the outputs, wall's shares of wall time, threads still
# off CPU at the end, and the errors.
#
# Run as `bash tests/integration/offcpu.sh` after `make` and `make targets`.
# Same conventions as run.sh (see lib.sh).

set -u

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BPF_PROGS="$BPF_PROGS offcpu_switch offcpu_waking wall_sample entry_stop"

TESTS="blocked_time compute_thread min_max_block state wakers outputs
       wall_shares still_off_cpu system_wide errors no_bpf_leftover"

# run_offcpu MODE ARGS...: the target traced from its first instruction
# (COMMAND), its truth in $T/truth, the JSON in $T/json.
run_offcpu()
{
	local mode=$1

	shift
	prof "$mode" --json "$T/json" "$@" -- "$TDIR/offcpu_target" --truth "$T/truth"
	expect_rc 0 || return 1
	[[ -s $T/truth ]] || { bad "the target wrote no truth"; return 1; }
	return 0
}

# truth NAME COLUMN: the target's figure (2: wait, 3: wall, 4: CPU, ns).
truth()
{
	awk -v n="$1" -v c="$2" '$1 == n { print $c }' "$T/truth"
}

# main_pid: the target's pid, as it wrote it.
main_pid()
{
	awk '$1 == "pid" { print $2 }' "$T/truth"
}

# time_in COMM FUNCTION... [VALUE]: the time (ns) of the target's thread
# COMM in stacks that hold every FUNCTION.
time_in()
{
	local comm=$1 key=${VALUE:-off_cpu_ns}

	shift
	jq -r --arg c "$comm" --argjson pid "$(main_pid)" --arg k "$key" \
		--args '[.stacks[] | select(.comm == $c and .pid == $pid) |
		 select(.stack as $s | all($ARGS.positional[]; . as $f | $s | index([$f]))) |
		 .values[$k]] | add // 0' "$@" <"$T/json"
}

# state_time COMM STATE: the time of thread COMM off CPU in STATE.
state_time()
{
	jq -r --arg c "$1" --arg s "$2" --argjson pid "$(main_pid)" \
		'[.stacks[] | select(.comm == $c and .pid == $pid and .labels.off_cpu == $s) |
		 .values.off_cpu_ns] | add // 0' "$T/json"
}

# within GOT WANT PERMILLE WHAT: |GOT - WANT| <= WANT * PERMILLE / 1000.
within()
{
	local got=$1 want=$2 pm=$3

	if [[ -z $got || -z $want ]] || ((want <= 0)) ||
	   ((got - want > want * pm / 1000 || want - got > want * pm / 1000)); then
		bad "$4: ${got:-nothing} ns, the target measured ${want:-nothing} ns (allowed ±$((pm / 10))%)"
		return 1
	fi
	return 0
}

# Each waiting thread's blocked time, in the stack of its own function
# and the kernel function it waits in, is what it measured around its
# waiting call (±5%); the wait in vfork is uninterruptible (D).
t_blocked_time()
{
	run_offcpu offcpu || return
	within "$(time_in sleeper sleep_wait do_nanosleep)" "$(truth sleeper 2)" 50 \
		"sleeper in sleep_wait/do_nanosleep" &&
	within "$(time_in locker lock_wait futex_wait)" "$(truth locker 2)" 50 \
		"locker in lock_wait/futex_wait" &&
	within "$(time_in reader pipe_wait vfs_read)" "$(truth reader 2)" 50 \
		"reader in pipe_wait/vfs_read" &&
	within "$(state_time vforker D)" "$(truth vforker 2)" 50 \
		"vforker off CPU in state D" || return
	ok
}

# The computing thread is off CPU only when preempted: its off-CPU time is
# its wall time minus its CPU time, as it measured them (±5% of its wall).
t_compute_thread()
{
	local off wall cpu

	run_offcpu offcpu || return
	off=$(time_in compute compute_loop)
	wall=$(truth compute 3)
	cpu=$(truth compute 4)
	if ((off - (wall - cpu) > wall / 20 || (wall - cpu) - off > wall / 20)); then
		bad "compute off CPU ${off} ns; it ran $cpu ns of $wall ns"
		return
	fi
	ok
}

# --min-block 150ms drops the sleeper's 100 ms sleeps and keeps the 500 ms
# lock waits; --max-block 150ms the reverse.
t_min_max_block()
{
	run_offcpu offcpu --min-block 150ms || return
	if (($(time_in sleeper sleep_wait) != 0)); then
		bad "--min-block 150ms kept $(time_in sleeper sleep_wait) ns of 100 ms sleeps"
		return
	fi
	within "$(time_in locker lock_wait futex_wait)" "$(truth locker 2)" 50 \
		"--min-block 150ms: locker" || return
	run_offcpu offcpu --max-block 150ms || return
	if (($(time_in locker lock_wait) != 0)); then
		bad "--max-block 150ms kept $(time_in locker lock_wait) ns of 500 ms lock waits"
		return
	fi
	within "$(time_in sleeper sleep_wait do_nanosleep)" "$(truth sleeper 2)" 50 \
		"--max-block 150ms: sleeper" || return
	ok
}

# --state D keeps only the uninterruptible waits (vfork's); --state S
# everything but them.
t_state()
{
	local other

	run_offcpu offcpu --state D || return
	other=$(jq -r '[.stacks[] | select(.labels.off_cpu != "D")] | length' "$T/json")
	if ((other != 0)); then
		bad "--state D kept $other stacks in other states"
		return
	fi
	within "$(state_time vforker D)" "$(truth vforker 2)" 50 "--state D: vforker" ||
		return
	run_offcpu offcpu --state S || return
	if (($(state_time vforker D) != 0)); then
		bad "--state S kept the vforker's D waits"
		return
	fi
	within "$(time_in sleeper sleep_wait do_nanosleep)" "$(truth sleeper 2)" 50 \
		"--state S: sleeper" || return
	ok
}

# --wakers: the reader is woken by the writer's write_pipe, the locker by
# the holder's hold_lock, the sleeper by the timer interrupt (at least 90%
# of each one's waiting time).
t_wakers()
{
	local who want got all

	run_offcpu offcpu --wakers --folded "$T/folded" || return
	for who in "reader:pipe_wait:write_pipe (writer)" \
		   "locker:lock_wait:hold_lock (holder)" \
		   "sleeper:sleep_wait:hrtimer_wakeup (interrupt)"; do
		IFS=: read -r comm fn want <<<"$who"
		all=$(time_in "$comm" "$fn")
		got=$(jq -r --arg c "$comm" --arg w "$want" --arg f "$fn (" \
			'[.stacks[] | select(.comm == $c and .labels.woken_by == $w and
			  (.labels.waiting | startswith($f))) | .values.off_cpu_ns] | add // 0' \
			"$T/json")
		if ((all <= 0 || got * 10 < all * 9)); then
			bad "$comm: $got of $all ns woken by '$want'; pairs: $(sed -n '/wakeups/,$p' "$T/out" | tr '\n' '|')"
			return
		fi
	done
	# The folded waker stack sits above the waiting one, "--" between,
	# the waker's name last (as offwaketime folds them).
	if ! grep -q '^reader;.*pipe_wait;.*;--;.*write_pipe;.*;writer [0-9]*$' "$T/folded"; then
		bad "no reader;...;--;...;writer line: $(grep '^reader' "$T/folded" | head -c 400)"
		return
	fi
	ok
}

# folded in microseconds, pprof in nanoseconds (off_cpu), read back by
# report; the SVG draws off-CPU frames.
t_outputs()
{
	local json_us folded_us lines

	run_offcpu offcpu --folded "$T/folded" --pprof "$T/p.pb.gz" --svg "$T/svg" ||
		return
	json_us=$(jq -r '.totals.off_cpu_ns / 1000 | floor' "$T/json")
	folded_us=$(awk '{ n += $NF } END { print n + 0 }' "$T/folded")
	lines=$(wc -l <"$T/folded")
	# Each line rounds to the nearest microsecond.
	if ((folded_us - json_us > lines || json_us - folded_us > lines)); then
		bad "folded sums to $folded_us us, the JSON to $json_us us"
		return
	fi
	"$PROF" report "$T/p.pb.gz" --json "$T/back.json" >/dev/null 2>"$T/err" ||
		{ bad "report failed: $(err_head)"; return; }
	if [[ $(jq -r '.metadata.mode + " " + .metadata.default_sample_type' "$T/back.json") != "offcpu off_cpu_ns" ]]; then
		bad "report reads back $(jq -c .metadata "$T/back.json")"
		return
	fi
	if [[ $(jq -r .totals.off_cpu_ns "$T/back.json") != $(jq -r .totals.off_cpu_ns "$T/json") ]]; then
		bad "pprof total $(jq -r .totals.off_cpu_ns "$T/back.json") != JSON $(jq -r .totals.off_cpu_ns "$T/json")"
		return
	fi
	grep -q '>off-CPU</text>' "$T/svg" || { bad "the SVG has no off-CPU frames"; return; }
	ok
}

# wall: each thread's share of the threads' wall time is what the target
# measured (±2 points), the computing one mostly on CPU.
t_wall_shares()
{
	local all_t all_p name want got

	VALUE=wall_ns run_offcpu wall -F 999 --svg "$T/svg" || return
	all_t=0
	for name in compute sleeper locker holder reader writer vforker main; do
		all_t=$((all_t + $(truth "$name" 3)))
	done
	all_p=$(jq -r --argjson pid "$(main_pid)" \
		'[.stacks[] | select(.pid == $pid) | .values.wall_ns] | add // 0' "$T/json")
	for name in compute sleeper locker reader; do
		want=$(($(truth "$name" 3) * 1000 / all_t))
		got=$(VALUE=wall_ns time_in "$name")
		got=$((got * 1000 / all_p))
		if ((got - want > 20 || want - got > 20)); then
			bad "$name: $got/1000 of the threads' wall time, the target measured $want/1000"
			return
		fi
	done
	# compute ran: its samples on CPU (no off_cpu label) hold most of it.
	got=$(jq -r --argjson pid "$(main_pid)" '[.stacks[] | select(.pid == $pid and
		.comm == "compute" and (.labels.off_cpu == null)) | .values.wall_ns] | add // 0' "$T/json")
	if ((got * 2 < $(truth compute 4))); then
		bad "compute: $got ns on CPU, it ran $(truth compute 4) ns"
		return
	fi
	grep -q '>off-CPU</text>' "$T/svg" || { bad "the SVG has no off-CPU frames"; return; }
	ok
}

# A run that ends while threads wait counts them up to the end, marked.
t_still_off_cpu()
{
	prof offcpu -d 1 --folded "$T/folded" -- "$TDIR/offcpu_target" 5
	# The run ends the command (SIGTERM) and exits with its status.
	expect_rc 143 || return
	grep -q 'truncated: [0-9]* periods off CPU still going on at the end' "$T/out" ||
		{ bad "no note of the periods still going on: $(head -c 500 "$T/out")"; return; }
	grep -q '^locker;.*lock_wait;.*;\[still off CPU at the end\] [0-9]*$' "$T/folded" ||
		{ bad "the locker's wait is not marked: $(grep '^locker' "$T/folded" | head -c 400)"; return; }
	ok
}

t_system_wide()
{
	prof offcpu -d 1 --folded "$T/folded"
	expect_rc 0 || return
	[[ -s $T/folded ]] || { bad "no stacks system-wide"; return; }
	ok
}

t_errors()
{
	prof offcpu --state X -d 1
	expect_rc 2 || return
	grep -q "invalid --state 'X'" "$T/err" || { bad "stderr: $(err_head)"; return; }
	prof offcpu --min-block 5x -d 1
	expect_rc 2 || return
	grep -q "invalid duration '5x' for --min-block" "$T/err" || { bad "stderr: $(err_head)"; return; }
	prof offcpu --min-block 2s --max-block 1s -d 1
	expect_rc 2 || return
	prof wall --wakers -d 1
	expect_rc 2 || return
	grep -q "is offcpu's, not wall's" "$T/err" || { bad "stderr: $(err_head)"; return; }
	prof offcpu -p 999999 -d 1
	expect_rc 1 || return
	grep -q "process 999999 not found" "$T/err" || { bad "stderr: $(err_head)"; return; }
	ok
}

suite_main offcpu_target
