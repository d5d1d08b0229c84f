#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# How the profiler's memory and report time grow with the number of
# distinct stacks: build/bench/stacks walks S distinct call paths (S = 100,
# 10,000, 100,000) on two threads.
#   cpu: each path spins about one sampling period at 9999 Hz, so about S
#        samples land on about S distinct stacks;
#   mem: each path allocates once: exactly S distinct allocation sites.
# The map sizes are raised to hold them (--stack-map-size, and
# --counts-map-size or --sites-map-size).  Measured: distinct stacks in
# the --folded output, the profiler's peak RSS and CPU time (/usr/bin/time),
# the memory its BPF maps take in the kernel (memlock), and the report
# time: from the target's exit (it prints the time) to the profiler's exit,
# which covers reading the maps, symbolizing and writing the table and the
# folded file.  Needs root.  Asserts nothing.
#
# Knobs: REPS (default 3, quick 1), STACK_COUNTS (default
# "100 10000 100000", quick "100 10000").
set -u
cd "$(dirname "$0")/../.." || exit 1
. tools/bench/lib.sh
REPS=${REPS:-$(quick 1 3)}
STACK_COUNTS=${STACK_COUNTS:-$(quick "100 10000" "100 10000 100000")}
HZ=9999

# map_size S: a power of two with room for S entries and some slack.
map_size()
{
	local n=16384
	while [ $n -lt $(( $1 * 13 / 10 )) ]; do
		n=$((n * 2))
	done
	echo $n
}

# run MODE S TAG: one run; its results go to $B/stk.MODE.S.TAG.*
run()
{
	local mode=$1 s=$2 f=$B/stk.$1.$2.$3 size pid end now
	size=$(map_size "$s")
	if [ "$mode" = cpu ]; then
		"$B/stacks" "$s" $((1000000 / HZ)) 2 > "$f.end" &
		pid=$!
		started $pid
		start_tool "$f" ./profiler -q -F $HZ -p $pid --stack-map-size "$size" \
			--counts-map-size "$(( size > 65536 ? size : 65536 ))" \
			--folded "$f.folded" > /dev/null
	else
		"$B/stacks" "$s" 0 2 > "$f.end" &
		pid=$!
		started $pid
		start_tool "$f" ./profiler mem -q -p $pid --exact --stack-map-size "$size" \
			--sites-map-size "$(( size > 65536 ? size : 65536 ))" \
			--sample alloc_objects --folded "$f.folded" > /dev/null
	fi
	wait_attached "$TOOL" || note "profiler $mode did not attach"
	bpf_map_mib "$TOOL" > "$f.maps"
	kill -USR1 $pid
	wait $pid
	wait "$TOOL_WAIT"
	now=$(date +%s%N)
	read -r end < "$f.end"
	calc "($now - $end) / 1e6" > "$f.report"
}

declare -A R
note "stacks: $REPS reps for each of $STACK_COUNTS paths, cpu at $HZ Hz and mem"
for i in $(seq "$REPS"); do
	for s in $STACK_COUNTS; do
		for mode in cpu mem; do
			run $mode "$s" "$i"
			f=$B/stk.$mode.$s.$i
			R[$mode.$s.n]+="$(wc -l < "$f.folded") "
			R[$mode.$s.rss]+="$(tool_rss_mib "$f") "
			R[$mode.$s.tcpu]+="$(tool_cpu_ms "$f") "
			R[$mode.$s.maps]+="$(cat "$f.maps") "
			R[$mode.$s.rep]+="$(cat "$f.report") "
		done
	done
	note "rep $i/$REPS done"
done

echo "## Scaling with distinct stacks"
echo
echo "\`tools/bench/scale_stacks.sh\`, $REPS rep(s): a target walking S distinct call"
echo "paths (5 levels for 100,000) on 2 threads; cpu at $HZ Hz with one sampling"
echo "period per path, mem with one allocation per path; map sizes raised to"
echo "hold them. Stacks: lines of the --folded output (cpu: distinct sampled"
echo "stacks; mem: allocation sites). Report: target exit to profiler exit"
echo "(read maps, symbolize, print the table, write the folded file). Profiler"
echo "CPU and peak RSS for the whole run (/usr/bin/time); BPF maps: memlock of"
echo "its maps. median (min-max)."
echo
echo "| mode | paths | stacks | report ms | profiler peak RSS MiB | profiler CPU ms | BPF maps MiB |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for mode in cpu mem; do
	for s in $STACK_COUNTS; do
		printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$mode" "$s" \
			"$(echo "${R[$mode.$s.n]}" | spread %.0f)" \
			"$(echo "${R[$mode.$s.rep]}" | spread %.0f)" \
			"$(echo "${R[$mode.$s.rss]}" | spread %.1f)" \
			"$(echo "${R[$mode.$s.tcpu]}" | spread %.0f)" \
			"$(echo "${R[$mode.$s.maps]}" | spread %.1f)"
	done
done
echo
