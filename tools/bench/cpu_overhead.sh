#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Overhead of CPU sampling on a CPU-bound target: the same fixed work run
# unprofiled and profiled with -p at 99 Hz and 999 Hz, interleaved (base, 99,
# base, 999, base, ...) so drift in the machine hits all columns alike.  For
# each profiled run the ratio is taken to the mean of its two neighbouring
# baselines, for wall time and for the target's own CPU time; min and median
# are reported.  Also the profiler's own CPU time and peak RSS.  Needs root.
# Not a test: it asserts nothing.
set -eu
cd "$(dirname "$0")/../.."
REPS=${REPS:-9}
WORK=${WORK:-15000}
DELAY=0.4	# the target sleeps this long before working: time to attach
B=build/bench
mkdir -p $B
clang -O2 -fno-omit-frame-pointer -o $B/cpu_work tools/bench/cpu_work.c

# The kernel's per-program run time counters, for the BPF cost per sample.
old_stats=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -q kernel.bpf_stats_enabled=1
trap 'sysctl -q kernel.bpf_stats_enabled=$old_stats' EXIT

# run HZ: prints "wall_ns cpu_ns"; with HZ > 0 the profiler's own
# "user sys maxrss_kib" go to $B/prof.$HZ and the sampling program's
# "run_time_ns run_cnt", read just before the target ends, to $B/bpf.$HZ.
run() {
	local hz=$1 pid ppid
	$B/cpu_work "$WORK" "$DELAY" > $B/out &
	pid=$!
	if [ "$hz" -gt 0 ]; then
		/usr/bin/time -f '%U %S %M' -o $B/prof."$hz" \
			./profiler -q -F "$hz" -p "$pid" &
		ppid=$!
		sleep 1
		bpftool prog show name cpu_sample 2>/dev/null |
			sed -n 's/.*run_time_ns \([0-9]*\) run_cnt \([0-9]*\).*/\1 \2/p' \
			> $B/bpf."$hz"
		wait "$ppid"
	fi
	wait "$pid"
	cat $B/out
}

median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
minimum() { sort -g | head -1; }
ratio() { echo "$1 / (($2 + $3) / 2)" | bc -l; }

declare -A R
for i in $(seq "$REPS"); do
	read -r bw1 bc1 < <(run 0)
	read -r w99 c99 < <(run 99)
	read -r u s m99 < $B/prof.99
	p99=$(echo "($u + $s) * 1000" | bc -l)
	read -r rt rc < $B/bpf.99 && R[b99]+="$(echo "$rt / $rc" | bc -l) "
	read -r bw2 bc2 < <(run 0)
	read -r w999 c999 < <(run 999)
	read -r u s m999 < $B/prof.999
	p999=$(echo "($u + $s) * 1000" | bc -l)
	read -r rt rc < $B/bpf.999 && R[b999]+="$(echo "$rt / $rc" | bc -l) "
	read -r bw3 bc3 < <(run 0)
	R[w99]+="$(ratio "$w99" "$bw1" "$bw2") "
	R[c99]+="$(ratio "$c99" "$bc1" "$bc2") "
	R[w999]+="$(ratio "$w999" "$bw2" "$bw3") "
	R[c999]+="$(ratio "$c999" "$bc2" "$bc3") "
	R[p99]+="$p99 " R[p999]+="$p999 " R[rss]+="$m99 $m999 "
	printf '  rep %d: base %.3f s wall %.3f s cpu\n' "$i" \
		"$(echo "$bw1 / 1000000000" | bc -l)" "$(echo "$bc1 / 1000000000" | bc -l)"
done

col() { printf '%s\n' ${R[$1]}; }
printf '\ncpu mode overhead on a CPU-bound target (%d interleaved reps, %s work units)\n' \
	"$REPS" "$WORK"
for hz in 99 999; do
	printf '  %4s Hz: target CPU time x%.4f median (min x%.4f), wall time x%.4f median (min x%.4f)\n' \
		"$hz" "$(col c$hz | median)" "$(col c$hz | minimum)" \
		"$(col w$hz | median)" "$(col w$hz | minimum)"
	printf '          BPF program: %.0f ns per run (median; from kernel.bpf_stats_enabled)\n' \
		"$(col b$hz | median)"
	printf '          profiler CPU: %.0f ms per run of ~%.1f s, mostly start-up (median)\n' \
		"$(col p$hz | median)" "$(echo "$bw1 / 1000000000 + $DELAY" | bc -l)"
done
printf '  profiler peak RSS: %d KiB (max over runs)\n' "$(col rss | sort -n | tail -1)"
