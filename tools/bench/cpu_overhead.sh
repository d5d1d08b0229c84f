#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Overhead of CPU sampling on a CPU-bound target: the same fixed work run
# unprofiled and profiled at 99 Hz and 999 Hz, interleaved (base, 99, base,
# 999, ...) so that drift in the machine hits all columns alike.  Reports the
# min and median of each ratio to the neighbouring baseline, plus the
# profiler's own CPU time and peak RSS.  Needs root.  Not a test: it asserts
# nothing.
set -eu
cd "$(dirname "$0")/../.."
REPS=${REPS:-7}
WORK=${WORK:-15000}
mkdir -p build/bench
clang -O2 -fno-omit-frame-pointer -o build/bench/cpu_work tools/bench/cpu_work.c

run_base() { build/bench/cpu_work "$WORK"; }
# The profiler's own user+system CPU seconds and max RSS go to $2.
run_prof() {
	/usr/bin/time -f '%U %S %M' -o "$2" \
		./profiler -q -F "$1" -- build/bench/cpu_work "$WORK"
}

median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

r99=() r999=() cpu99=() cpu999=() rss=0
for i in $(seq "$REPS"); do
	b1=$(run_base)
	p99=$(run_prof 99 build/bench/t99)
	b2=$(run_base)
	p999=$(run_prof 999 build/bench/t999)
	b3=$(run_base)
	r99+=("$(echo "$p99 / (($b1 + $b2) / 2)" | bc -l)")
	r999+=("$(echo "$p999 / (($b2 + $b3) / 2)" | bc -l)")
	read -r u s m < build/bench/t99
	cpu99+=("$(echo "($u + $s) / ($p99 / 1000000000)" | bc -l)")
	read -r u s m2 < build/bench/t999
	cpu999+=("$(echo "($u + $s) / ($p999 / 1000000000)" | bc -l)")
	[ "$m" -gt "$rss" ] && rss=$m
	[ "$m2" -gt "$rss" ] && rss=$m2
	printf '  rep %d: base %.3f s, 99 Hz x%.4f, 999 Hz x%.4f\n' "$i" \
		"$(echo "$b1 / 1000000000" | bc -l)" "${r99[-1]}" "${r999[-1]}"
done

stat() { printf '%s\n' "$@" | sort -g | head -1; }
printf '\ncpu overhead (%d interleaved reps, %s work units)\n' "$REPS" "$WORK"
printf '  99 Hz : runtime ratio min %.4f median %.4f\n' "$(stat "${r99[@]}")" \
	"$(printf '%s\n' "${r99[@]}" | median)"
printf '  999 Hz: runtime ratio min %.4f median %.4f\n' "$(stat "${r999[@]}")" \
	"$(printf '%s\n' "${r999[@]}" | median)"
printf '  profiler CPU time per second of target run: 99 Hz %.4f s, 999 Hz %.4f s (median)\n' \
	"$(printf '%s\n' "${cpu99[@]}" | median)" "$(printf '%s\n' "${cpu999[@]}" | median)"
printf '  profiler peak RSS: %d KiB\n' "$rss"
