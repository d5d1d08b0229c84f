#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Per-call cost of the lat mode on an empty function, in ns per call, side
# by side in one run (interleaved, REPS rounds each, median):
#   base:        unprofiled;
#   floor_perf:  an empty uprobe + uretprobe at the function's entry, as
#                perf events (build/bench/uprobe_floor), what a tool
#                attaching one probe at a time pays;
#   floor:       the same empty programs through uprobe_multi links, as lat
#                attaches (build/bench/uprobe_multi_floor);
#   lat:         profiler lat on the function;
#   floor_entry: an empty uprobe_multi entry probe where --count-only
#                puts its probe;
#   count:       profiler lat --count-only.
# Two functions: bench_push starts with an instruction the kernel emulates,
# bench_mov with one it single-steps (--count-only moves past it).  Then
# the time to attach and detach 100 and 1000 libc functions.  Needs root.
# Asserts nothing.
set -u
cd "$(dirname "$0")/../.."
REPS=${REPS:-5}
N=${N:-200000}
B=build/bench
LOOP=$B/call_loop

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
	sleep 0.1
	d=$(./profiler lat -v --count-only -p $pid -d 0.1 "$1" 2>&1 |
	    sed -n 's/.*debug: probe .*: at +\([0-9]*\) .*/\1/p' | head -1)
	kill -USR1 $pid
	wait $pid
	echo "${d:-0}"
}

# run FN KIND: one round of the loop under KIND; prints ns per call.
run()
{
	local fn=$1 kind=$2 pid helper= off out=$B/lat_bench.out
	"$LOOP" "$fn" "$N" > $B/loop.out &
	pid=$!
	sleep 0.1
	case $kind in
	base) ;;
	floor_perf)
		$B/uprobe_floor $pid "$(realpath $LOOP)" "${OFF[$fn]}:ret" > $out &
		helper=$! ;;
	floor)
		$B/uprobe_multi_floor $pid "$(realpath $LOOP)" "${OFF[$fn]}:ret" > $out &
		helper=$! ;;
	floor_entry)
		off=$(printf '0x%x' $((OFF[$fn] + DELTA[$fn])))
		$B/uprobe_multi_floor $pid "$(realpath $LOOP)" "$off" > $out &
		helper=$! ;;
	lat)
		./profiler lat -q -p $pid "$fn" > /dev/null 2> $out &
		helper=$! ;;
	count)
		./profiler lat -q -p $pid --count-only "$fn" > /dev/null 2> $out &
		helper=$! ;;
	esac
	if [ -n "$helper" ]; then
		# -q hides "tracing": wait for the programs to be attached.
		for _ in $(seq 100); do
			case $kind in
			floor*) grep -q attached $out 2>/dev/null && break ;;
			*) bpftool link show 2>/dev/null | grep -q uprobe_multi && break ;;
			esac
			sleep 0.05
		done
		sleep 0.1
	fi
	kill -USR1 $pid
	wait $pid
	[ -n "$helper" ] && { kill -INT $helper; wait $helper; } 2>/dev/null
	cat $B/loop.out
}

median() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

declare -A OFF DELTA R
for fn in bench_push bench_mov; do
	OFF[$fn]=$(file_offset $fn)
	DELTA[$fn]=$(count_delta $fn)
done
kinds="base floor_perf floor lat floor_entry count"
for i in $(seq "$REPS"); do
	for fn in bench_push bench_mov; do
		for k in $kinds; do
			R[$fn.$k]+="$(run $fn $k) "
		done
	done
done
printf 'lat mode cost per call of an empty function (%d interleaved reps of %d calls; ns per call, median)\n' "$REPS" "$N"
for fn in bench_push bench_mov; do
	base=$(echo "${R[$fn.base]}" | median)
	printf '  %s (count-only probe at +%s):\n' "$fn" "${DELTA[$fn]}"
	for k in $kinds; do
		m=$(echo "${R[$fn.$k]}" | median)
		printf '    %-12s %8.1f ns  (+%.1f ns over unprofiled)\n' "$k" "$m" \
			"$(echo "$m - $base" | bc -l)"
	done
done

# Attach and detach: libc functions of an idle process (-v timings).
echo
echo "attach and detach, libc functions of an idle process (ms, from -v)"
sleep 1000 &
pid=$!
for glob in 'libc:pthread_*' 'libc:[m-z]*' 'libc:*'; do
	for mode in timed --count-only; do
		out=$(./profiler lat -v -p $pid -d 0.1 --max-probes 5000 \
		      $([ $mode = timed ] || echo $mode) "$glob" 2>&1)
		printf '  %-16s %-12s %s; %s\n' "$glob" "$mode" \
			"$(echo "$out" | sed -n 's/.*debug: \(attached [0-9]* functions.*\)/\1/p')" \
			"$(echo "$out" | sed -n 's/.*debug: \(detached .*\)/\1/p')"
	done
done
kill $pid
wait $pid 2>/dev/null
