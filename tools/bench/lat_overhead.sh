#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Per-call cost of the lat mode on an empty function (build/bench/call_loop),
# side by side in one run (tools interleaved, REPS rounds each), in the
# target's CPU nanoseconds per call:
#   base:        unprofiled;
#   floor_perf:  an empty uprobe + uretprobe at the function's entry, as
#                perf events (build/bench/uprobe_floor), what a tool
#                attaching one probe at a time pays;
#   floor:       the same empty programs through uprobe_multi links, as lat
#                attaches (build/bench/uprobe_multi_floor);
#   lat:         profiler lat on the function;
#   bpftrace:    uprobe + uretprobe timing one-liner into a histogram;
#   floor_entry: an empty uprobe_multi entry probe where --count-only
#                puts its probe;
#   count:       profiler lat --count-only.
# Two functions: bench_push starts with an instruction the kernel emulates,
# bench_mov with one it single-steps (--count-only moves past it).  Also
# each tool's own CPU time and peak RSS.  Then lat on a function that calls,
# under a C name (return probe) and a C++ name (probe on its RET).  Then the
# time to attach and
# detach 100 to 2,000 libc functions.  Needs root.  Asserts nothing.
#
# Knobs: REPS (default 5, quick 2), N (calls per run, default 200000,
# quick 100000).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tools/bench/lib.sh
REPS=${REPS:-$(quick 2 5)}
N=${N:-$(quick 100000 200000)}
LOOP=$B/call_loop
LOOP_PATH=$(realpath "$LOOP")

# file_offset SYMBOL: where SYMBOL's code is in call_loop.
file_offset()
{
	local vaddr addr off

	vaddr=$(nm "$LOOP" | awk -v s="$1" '$3 == s { print $1 }')
	read -r addr off < <(readelf -SW "$LOOP" | awk '$2 == ".text" { print $4, $5 }')
	printf '0x%x\n' $((16#$vaddr - 16#$addr + 16#$off))
}

# count_delta SYMBOL: bytes after SYMBOL's start where --count-only probes.
count_delta()
{
	local pid d

	"$LOOP" "$1" 1 > /dev/null &
	pid=$!
	started $pid
	sleep 0.1
	d=$(./profiler lat -v --count-only -p $pid -d 0.1 "$1" 2>&1 |
	    sed -n 's/.*debug: probe .*: at +\([0-9]*\) .*/\1/p' | head -1)
	kill -USR1 $pid
	wait $pid
	echo "${d:-0}"
}

# run FN KIND REP: one round of the loop under KIND; prints "wall_ns
# cpu_ns" per call; a tool's time file is $B/lat.FN.KIND.REP.
run()
{
	local fn=$1 kind=$2 f=$B/lat.$1.$2.$3 pid off
	"$LOOP" "$fn" "$N" > "$B/lat.out" &
	pid=$!
	started $pid
	TOOL=
	case $kind in
	base) sleep 0.1 ;;
	floor_perf)
		start_tool "$f" "$B/uprobe_floor" $pid "$LOOP_PATH" "${OFF[$fn]}:ret" > /dev/null ;;
	floor)
		start_tool "$f" "$B/uprobe_multi_floor" $pid "$LOOP_PATH" "${OFF[$fn]}:ret" > /dev/null ;;
	floor_entry)
		off=$(printf '0x%x' $((OFF[$fn] + DELTA[$fn])))
		start_tool "$f" "$B/uprobe_multi_floor" $pid "$LOOP_PATH" "$off" > /dev/null ;;
	lat)
		start_tool "$f" ./profiler lat -q -p $pid "$fn" > /dev/null ;;
	count)
		start_tool "$f" ./profiler lat -q -p $pid --count-only "$fn" > /dev/null ;;
	bpftrace)
		start_tool "$f" bpftrace -e "
			uprobe:$LOOP_PATH:$fn /pid == $pid/ { @start[tid] = nsecs; }
			uretprobe:$LOOP_PATH:$fn /@start[tid]/ {
				@ns = hist(nsecs - @start[tid]); delete(@start[tid]); }" \
			> /dev/null 2>&1 ;;
	esac
	if [ -n "$TOOL" ] && ! wait_attached "$TOOL"; then
		note "$kind did not attach"
	fi
	kill -USR1 $pid
	wait $pid
	case $kind in
	base) ;;
	lat|count) wait "$TOOL_WAIT" ;;	# they end with their target
	*) stop_tool ;;
	esac
	cat "$B/lat.out"
}

declare -A OFF DELTA R
for fn in bench_push bench_mov; do
	OFF[$fn]=$(file_offset $fn)
	DELTA[$fn]=$(count_delta $fn)
done
kinds="floor_perf floor lat floor_entry count"
if have_bpftrace; then
	kinds="$kinds bpftrace"
fi
note "lat: $REPS reps of: unprofiled and $kinds, interleaved"
for i in $(seq "$REPS"); do
	for fn in bench_push bench_mov; do
		for k in base $(rotate "$i" $kinds); do
			read -r _ c < <(run $fn "$k" "$i")
			R[$fn.$k]+="$c "
			[ "$k" = base ] && continue
			R[$k.tcpu]+="$(tool_cpu_ms "$B/lat.$fn.$k.$i") "
			R[$k.rss]+="$(tool_rss_mib "$B/lat.$fn.$k.$i") "
		done
	done
	note "rep $i/$REPS done"
done

label()
{
	case $1 in
	base) echo "unprofiled" ;;
	floor_perf) echo "floor: empty uprobe + uretprobe, perf events" ;;
	floor) echo "floor: empty uprobe + uretprobe, uprobe_multi" ;;
	lat) echo "profiler lat" ;;
	bpftrace) echo "bpftrace uprobe + uretprobe, hist(nsecs)" ;;
	floor_entry) echo "floor: empty uprobe where --count-only probes" ;;
	count) echo "profiler lat --count-only" ;;
	esac
}

# cell FN KIND: "median (min-max) +over" for one function.
cell()
{
	local m base

	m=$(echo "${R[$1.$2]}" | median)
	base=$(echo "${R[$1.base]}" | median)
	printf '%s' "$(echo "${R[$1.$2]}" | spread %.0f)"
	[ "$2" = base ] || printf ' +%.0f' "$(calc "$m - $base")"
}

echo "## lat: cost per call"
echo
echo "\`tools/bench/lat_overhead.sh\`: an empty function called $N times per run,"
echo "$REPS reps, tools interleaved; the target's CPU ns per call, median (min-max)"
echo "and + the median over unprofiled. bench_push starts with \`push %rbp\`"
echo "(emulated by the kernel); bench_mov with \`mov %rdi,%rax\` (single-stepped;"
echo "--count-only probes +${DELTA[bench_mov]} there). Tool CPU and peak RSS: /usr/bin/time over"
echo "its whole run, both functions."
echo
echo "| run | bench_push ns per call | bench_mov ns per call | tool CPU ms | tool peak RSS MiB |"
echo "| --- | --- | --- | --- | --- |"
for k in base $kinds; do
	if [ "$k" = base ]; then
		printf '| %s | %s | %s | | |\n' "$(label $k)" \
			"$(cell bench_push $k)" "$(cell bench_mov $k)"
		continue
	fi
	printf '| %s | %s | %s | %s | %s |\n' "$(label "$k")" \
		"$(cell bench_push "$k")" "$(cell bench_mov "$k")" \
		"$(echo "${R[$k.tcpu]}" | spread %.0f)" "$(echo "${R[$k.rss]}" | spread %.1f)"
done
echo

# Return probe vs probes on RET: the same function that calls, under a C
# name (timed with a return probe) and a C++ name (timed on its RET
# instruction, which the kernel single-steps).
note "lat: $REPS reps of: unprofiled, lat on bench_call and on bench::call(long), interleaved"
for i in $(seq "$REPS"); do
	for fn in bench_call _ZN5bench4callEl; do
		for k in $(rotate "$i" base lat); do
			read -r _ c < <(run $fn "$k" "$i")
			R[$fn.$k]+="$c "
		done
	done
done
echo "Timing a function that calls something: \`bench_call\` (C, a return probe)"
echo "and the same code as \`bench::call(long)\` (C++, which an exception may"
echo "unwind: a probe on its RET instruction, single-stepped by the kernel); entry"
echo "\`push %rbp\`, emulated. Target's CPU ns per call, median (min-max) + over"
echo "unprofiled."
echo
echo "| run | bench_call (return probe) | bench::call(long) (RET probe) |"
echo "| --- | --- | --- |"
printf '| unprofiled | %s | %s |\n' "$(cell bench_call base)" "$(cell _ZN5bench4callEl base)"
printf '| profiler lat | %s | %s |\n' "$(cell bench_call lat)" "$(cell _ZN5bench4callEl lat)"
echo

# Attach and detach: libc functions of an idle process (-v timings).
AREPS=$(quick 1 3)
echo "Attach and detach: \`profiler lat -v -p PID -d 0.1\` on an idle process,"
echo "its \"attached N functions ... in X ms\" and \"detached in Y ms\" lines, $AREPS"
echo "run(s) each, median (min-max)."
echo
echo "| pattern | probes | functions | attach ms | detach ms |"
echo "| --- | --- | --- | --- | --- |"
sleep 1000 &
pid=$!
for glob in 'libc:pthread_*' 'libc:[m-z]*' 'libc:*'; do
	for mode in timed --count-only; do
		att='' det='' nf=''
		for _ in $(seq "$AREPS"); do
			out=$(./profiler lat -v -p $pid -d 0.1 --max-probes 5000 \
			      $([ $mode = timed ] || echo $mode) "$glob" 2>&1)
			nf=$(echo "$out" | sed -n 's/.*debug: attached \([0-9]*\) functions.*/\1/p')
			att+="$(echo "$out" | sed -n 's/.*debug: attached [0-9]* functions.* in \([0-9.]*\) ms.*/\1/p') "
			det+="$(echo "$out" | sed -n 's/.*debug: detached in \([0-9.]*\) ms.*/\1/p') "
		done
		printf '| `%s` | %s | %s | %s | %s |\n' "$glob" \
			"$([ $mode = timed ] && echo "entry + return" || echo "entry (--count-only)")" \
			"${nf:--}" "$(echo "$att" | spread %.1f)" "$(echo "$det" | spread %.1f)"
	done
done
kill $pid
wait $pid 2> /dev/null
echo
