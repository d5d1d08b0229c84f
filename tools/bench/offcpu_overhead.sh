#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Cost per context switch of the offcpu mode, side by side in one run
# (tools interleaved, REPS rounds each), on a pipe ping-pong between two
# threads (build/bench/pingpong: every round trip is two switches), in the
# target's CPU nanoseconds per switch:
#   base:      unprofiled;
#   offcpu:    profiler offcpu -p (stacks and state at every switch out);
#   wakers:    profiler offcpu --wakers -p (and the waker's stacks);
#   bpftrace:  a tracepoint:sched:sched_switch one-liner keeping the same
#              map: time off CPU summed by kernel and user stack;
# and what a bystander pays: the same ping-pong, unprofiled, while the
# tool follows another (sleeping) process:
#   by_offcpu, by_bpftrace.
# Also each tool's own CPU time, per second of the target's run, its peak
# RSS and (profiler) the kernel memory of its maps.  Needs root.  Asserts
# nothing.
#
# Knobs: REPS (default 5, quick 2), N (round trips per run, default 200000,
# quick 50000).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tools/bench/lib.sh
REPS=${REPS:-$(quick 2 5)}
N=${N:-$(quick 50000 200000)}
PP=$B/pingpong

# bpftrace finds tracepoints in tracefs.
if [ ! -d /sys/kernel/tracing/events ]; then
	mount -t tracefs nodev /sys/kernel/tracing 2> /dev/null ||
		note "tracefs not mounted: bpftrace will not find sched_switch"
fi

# bpftrace_script PID: the one-liner, following process PID.
bpftrace_script()
{
	echo "tracepoint:sched:sched_switch /pid == $1/ {
		@ts[tid] = nsecs; @ks[tid] = kstack; @us[tid] = ustack; }
	tracepoint:sched:sched_switch /@ts[args->next_pid]/ {
		@off[@ks[args->next_pid], @us[args->next_pid]] =
			sum(nsecs - @ts[args->next_pid]);
		delete(@ts[args->next_pid]); }"
}

# ticks PID: user + system clock ticks of PID so far.
ticks()
{
	awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2> /dev/null || echo 0
}

# run KIND REP: one round of the ping-pong under KIND; prints "wall_ns
# cpu_ns switches tool_ms": tool_ms is the tool's CPU time while the
# target ran (not its start or its report); a tool's time file is
# $B/offcpu.KIND.REP, its map memory in $B/offcpu.KIND.REP.maps.
run()
{
	local kind=$1 f=$B/offcpu.$1.$2 pid follow sleeper t0 t1 bt bn
	"$PP" "$N" > "$B/offcpu.out" &
	pid=$!
	started $pid
	# A sleeping process: the one a bystander's tool follows, and the one
	# that keeps the profiler attached after the target ends (its BPF
	# costs are read then).
	sleep 1000 &
	sleeper=$!
	started $sleeper
	follow=$pid,$sleeper
	case $kind in
	by_*) follow=$sleeper ;;
	bpftrace) follow=$pid ;;
	esac
	TOOL=
	: > "$f.maps"
	case $kind in
	base) sleep 0.1 ;;
	offcpu|by_offcpu)
		start_tool "$f" ./profiler offcpu -q -p $follow > /dev/null ;;
	wakers)
		start_tool "$f" ./profiler offcpu -q --wakers -p $follow > /dev/null ;;
	bpftrace|by_bpftrace)
		start_tool "$f" bpftrace -e "$(bpftrace_script $follow)" > /dev/null 2>&1 ;;
	esac
	if [ -n "$TOOL" ] && ! wait_attached "$TOOL"; then
		note "$kind did not attach"
	fi
	[ -n "$TOOL" ] && [ "$kind" != bpftrace ] && [ "$kind" != by_bpftrace ] &&
		bpf_map_mib "$TOOL" > "$f.maps"
	t0=$([ -n "$TOOL" ] && ticks "$TOOL")
	kill -USR1 $pid
	wait $pid
	t1=$([ -n "$TOOL" ] && ticks "$TOOL")
	: > "$f.bpf"
	[ -n "$TOOL" ] && case $kind in *offcpu|wakers) bpf_cost "$TOOL" > "$f.bpf" ;; esac
	[ -n "$TOOL" ] && stop_tool
	{ kill "$sleeper"; wait "$sleeper"; } 2> /dev/null
	echo "$(cat "$B/offcpu.out") $(( (${t1:-0} - ${t0:-0}) * 1000 / $(getconf CLK_TCK) ))"
}

bpf_stats_on
declare -A R
kinds="offcpu wakers by_offcpu"
if have_bpftrace; then
	kinds="$kinds bpftrace by_bpftrace"
fi
note "offcpu: $REPS reps of: unprofiled and $kinds, interleaved, $N round trips"
for i in $(seq "$REPS"); do
	for k in base $(rotate "$i" $kinds); do
		read -r w c s tms < <(run "$k" "$i")
		R[$k]+="$(calc "$c / $s") "
		R[$k.rate]+="$(calc "$s / ($w / 1e9)") "
		[ "$k" = base ] && continue
		# The tool's CPU per second of the target's run.
		R[$k.tcpu]+="$(calc "$tms / ($w / 1e9)") "
		R[$k.rss]+="$(tool_rss_mib "$B/offcpu.$k.$i") "
		R[$k.maps]+="$(cat "$B/offcpu.$k.$i.maps") "
		read -r bt bn < "$B/offcpu.$k.$i.bpf" && [ "${bn:-0}" -gt 0 ] &&
			R[$k.bpf]+="$(calc "$bt / $bn") "
	done
	note "rep $i/$REPS done"
done

label()
{
	case $1 in
	base) echo "unprofiled" ;;
	offcpu) echo "profiler offcpu -p" ;;
	wakers) echo "profiler offcpu --wakers -p" ;;
	bpftrace) echo "bpftrace sched_switch one-liner (same map)" ;;
	by_offcpu) echo "bystander: profiler offcpu -p another process" ;;
	by_bpftrace) echo "bystander: bpftrace one-liner on another process" ;;
	esac
}

base=$(echo "${R[base]}" | median)
echo "## Off-CPU: cost per context switch"
echo
echo "\`build/bench/pingpong $N\`: two threads pass a byte through pipes, two"
echo "context switches per round trip; $REPS rounds per tool, interleaved."
echo "Target CPU ns per switch (process user + system over its switches),"
echo "median (min-max); added = median minus unprofiled. BPF ns/run: the"
echo "profiler's programs' run time over their runs (kernel.bpf_stats_enabled),"
echo "on every switch of the machine. Tool CPU: the tool's own user + system"
echo "time while the target ran (clock ticks: 10 ms steps), per second of it."
echo "Maps: the kernel memory its BPF maps are charged (preallocated in full)."
echo
echo "| run | switches/s | target CPU ns/switch | added ns/switch | BPF ns/run | tool CPU ms/s | tool RSS MiB | maps MiB |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
for k in base $kinds; do
	med=$(echo "${R[$k]}" | median)
	added=-
	[ "$k" != base ] && [ -n "$med" ] && [ -n "$base" ] && added=$(calc "$med - $base")
	printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$(label "$k")" \
		"$(echo "${R[$k.rate]}" | spread %.0f)" "$(echo "${R[$k]}" | spread %.0f)" \
		"$added" "$(echo "${R[$k.bpf]:-}" | spread %.0f)" \
		"$(echo "${R[$k.tcpu]:-}" | spread %.1f)" \
		"$(echo "${R[$k.rss]:-}" | spread %.1f)" \
		"$(echo "${R[$k.maps]:-}" | spread %.1f)"
done
echo
