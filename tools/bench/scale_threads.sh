#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# How the target's overhead and the profiler's own memory grow with the
# target's thread count (1, 2, 8, 32 on this 2-CPU machine):
#   cpu: build/bench/cpu_work's fixed work shared by N threads, under
#        `profiler -p` at 99 and 999 Hz, interleaved with unprofiled runs
#        (base, 99, base, 999, base: each profiled run against the mean of
#        its neighbours), ratio of the process's CPU time;
#   mem: build/bench/malloc_loop with N threads sharing a fixed number of
#        malloc(64)+free rounds, unprofiled and under `profiler mem
#        --exact`, the process's CPU ns per round.
# With each: the profiler's CPU time and peak RSS (/usr/bin/time) and the
# memory its BPF maps take in the kernel.  Needs root.  Asserts nothing.
#
# Knobs: REPS (default 3, quick 1), THREAD_COUNTS (default "1 2 8 32"),
# WORK (default 15000, quick 6000), N (total rounds, default 200000, quick
# 100000).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tools/bench/lib.sh
REPS=${REPS:-$(quick 1 3)}
THREAD_COUNTS=${THREAD_COUNTS:-1 2 8 32}
WORK=${WORK:-$(quick 6000 15000)}
N=${N:-$(quick 100000 200000)}

# run_cpu THREADS HZ TAG: prints "wall_ns cpu_ns"; HZ 0 is unprofiled.
run_cpu()
{
	local n=$1 hz=$2 f=$B/thr.cpu.$1.$2.$3 pid
	"$B/cpu_work" "$WORK" "$n" > "$B/thr.out" &
	pid=$!
	started $pid
	TOOL=
	if [ "$hz" -gt 0 ]; then
		start_tool "$f" ./profiler -q -F "$hz" -p $pid > /dev/null
		wait_attached "$TOOL" || note "profiler did not attach"
	else
		sleep 0.1
	fi
	[ -n "$TOOL" ] && bpf_map_mib "$TOOL" > "$f.maps"
	kill -USR1 $pid
	wait $pid
	[ -n "$TOOL" ] && wait "$TOOL_WAIT"
	cat "$B/thr.out"
}

# run_mem THREADS KIND TAG: prints "wall_ns cpu_ns" per round.
run_mem()
{
	local n=$1 kind=$2 f=$B/thr.mem.$1.$3 pid
	"$B/malloc_loop" $((N / n)) "$n" > "$B/thr.out" &
	pid=$!
	started $pid
	TOOL=
	if [ "$kind" = mem ]; then
		start_tool "$f" ./profiler mem -q -p $pid --exact > /dev/null
		wait_attached "$TOOL" || note "profiler mem did not attach"
	else
		sleep 0.1
	fi
	[ -n "$TOOL" ] && bpf_map_mib "$TOOL" > "$f.maps"
	kill -USR1 $pid
	wait $pid
	[ -n "$TOOL" ] && wait "$TOOL_WAIT"
	cat "$B/thr.out"
}

declare -A R
note "threads: $REPS reps for each of $THREAD_COUNTS threads"
for i in $(seq "$REPS"); do
	for n in $THREAD_COUNTS; do
		read -r _ b1 < <(run_cpu "$n" 0 "$i")
		read -r _ c99 < <(run_cpu "$n" 99 "$i")
		read -r _ b2 < <(run_cpu "$n" 0 "$i")
		read -r _ c999 < <(run_cpu "$n" 999 "$i")
		read -r _ b3 < <(run_cpu "$n" 0 "$i")
		R[$n.c99]+="$(ratio "$c99" "$(calc "($b1 + $b2) / 2")") "
		R[$n.c999]+="$(ratio "$c999" "$(calc "($b2 + $b3) / 2")") "
		for hz in 99 999; do
			f=$B/thr.cpu.$n.$hz.$i
			R[$n.cpu.tcpu]+="$(tool_cpu_ms "$f") "
			R[$n.cpu.rss]+="$(tool_rss_mib "$f") "
			R[$n.cpu.maps]+="$(cat "$f.maps") "
		done

		read -r _ m0 < <(run_mem "$n" base "$i")
		read -r _ m1 < <(run_mem "$n" mem "$i")
		R[$n.mbase]+="$m0 "
		R[$n.mem]+="$m1 "
		f=$B/thr.mem.$n.$i
		R[$n.mem.tcpu]+="$(tool_cpu_ms "$f") "
		R[$n.mem.rss]+="$(tool_rss_mib "$f") "
		R[$n.mem.maps]+="$(cat "$f.maps") "
	done
	note "rep $i/$REPS done"
done

echo "## Scaling with the target's threads"
echo
echo "\`tools/bench/scale_threads.sh\`, $REPS rep(s) per thread count. cpu: $WORK runs of the"
echo "call tree shared by the threads, each profiled run's process CPU time"
echo "against the mean of the unprofiled runs around it; profiler CPU, peak RSS"
echo "(/usr/bin/time) and BPF map memory (memlock in the maps' fdinfo) over"
echo "both rates. mem: $N malloc(64)+free rounds shared by the threads, the"
echo "process's CPU ns per round. median (min-max)."
echo
echo "| threads | cpu 99 Hz: target CPU | cpu 999 Hz: target CPU | cpu: profiler CPU ms | cpu: profiler RSS MiB | cpu: BPF maps MiB | mem: ns per round unprofiled | mem: ns per round profiled | mem: profiler CPU ms | mem: profiler RSS MiB | mem: BPF maps MiB |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for n in $THREAD_COUNTS; do
	printf '| %s | x%s | x%s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$n" \
		"$(echo "${R[$n.c99]}" | spread %.3f)" "$(echo "${R[$n.c999]}" | spread %.3f)" \
		"$(echo "${R[$n.cpu.tcpu]}" | spread %.0f)" "$(echo "${R[$n.cpu.rss]}" | spread %.1f)" \
		"$(echo "${R[$n.cpu.maps]}" | spread %.1f)" \
		"$(echo "${R[$n.mbase]}" | spread %.0f)" "$(echo "${R[$n.mem]}" | spread %.0f)" \
		"$(echo "${R[$n.mem.tcpu]}" | spread %.0f)" "$(echo "${R[$n.mem.rss]}" | spread %.1f)" \
		"$(echo "${R[$n.mem.maps]}" | spread %.1f)"
done
echo
