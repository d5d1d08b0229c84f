#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Overhead of CPU sampling, side by side with other tools in one
# interleaved run: unprofiled, `profiler -p` (its default unwinding: the
# DWARF tables where a file has them) and `profiler --unwind fp -p`,
# `perf record -g -p` and `perf record --call-graph dwarf -p`, and
# bpftrace's `profile:hz:N /pid == PID/ { @[ustack] = count(); }`.  Each
# rep runs every tool once, in an order rotated from rep to rep, with an
# unprofiled run between any two; each profiled run is compared with the
# mean of its two neighbouring unprofiled runs, so drift in a shared
# machine hits all columns alike.  Two workloads:
#   build/bench/cpu_work, fixed CPU work (a call tree 14 frames deep), at
#     99 and 999 Hz: the target's CPU-time and wall-time ratios, the tool's
#     BPF program cost per run (kernel.bpf_stats_enabled), and the tool's
#     own CPU time and peak RSS over its whole run (/usr/bin/time);
#   build/bench/gaps, a clock read in a loop 14 frames deep, at 999 and
#     9999 Hz: the interruptions the target sees (extra gaps per second
#     and extra time in gaps), so the time each sample takes from the
#     target, independent of how fast the host runs the loop; also the
#     profiler attached to another, idle process at 9999 Hz: what the
#     target pays for a profiler it is not the target of.
# Needs root.  Asserts nothing.
#
# Knobs: REPS (default 5, quick 2), WORK (tree runs, default 15000, about
# 1 s; quick 6000), THREADS (default 1), GAP_SECS (default 2, quick 1),
# GAP_REPS (reps on the gaps target, default 7, quick 2).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tools/bench/lib.sh
REPS=${REPS:-$(quick 2 5)}
WORK=${WORK:-$(quick 6000 15000)}
THREADS=${THREADS:-1}
GAP_SECS=${GAP_SECS:-$(quick 1 2)}
GAP_REPS=${GAP_REPS:-$(quick 2 7)}
WORK_REPS=$REPS

bpf_stats_on
tools="prof proffp"
skipped=()
if have_perf; then
	tools="$tools perf perfdw"
else
	skipped+=("perf: not installed")
fi
if have_bpftrace; then
	tools="$tools bpftrace"
else
	skipped+=("bpftrace: not installed")
fi
# kinds RATE...: each tool at each rate, as prof99 perf99 ...
kinds() { local t r; for t in $tools; do for r in "$@"; do printf '%s ' "$t$r"; done; done; }

# run KIND REP: one run of the workload under KIND; prints "wall_ns cpu_ns";
# for a tool, its time file is $B/cpu.KIND.REP and its BPF cost, read
# while the target runs, $B/cpu.KIND.REP.bpf.
run()
{
	local kind=$1 pid hz=${1//[a-z]/} f=$B/cpu.$1.$2 other
	"${TARGET[@]}" > "$B/cpu.out" &
	pid=$!
	started $pid
	TOOL=
	case $kind in
	base) sleep 0.1 ;;
	proffp*) start_tool "$f" ./profiler -q -F "$hz" --unwind fp -p $pid > /dev/null ;;
	prof*) start_tool "$f" ./profiler -q -F "$hz" -p $pid > /dev/null ;;
	other*)	# the profiler on another, idle process: what bystanders pay
		sleep 1000 &
		other=$!
		start_tool "$f" ./profiler -q -F "$hz" -p $other > /dev/null ;;
	perfdw*) start_tool "$f" perf record -q -F "$hz" --call-graph dwarf -p $pid \
			-o "$B/perf.data" > /dev/null 2>&1 ;;
	perf*) start_tool "$f" perf record -q -F "$hz" -g -p $pid \
			-o "$B/perf.data" > /dev/null 2>&1 ;;
	bpftrace*) start_tool "$f" bpftrace -e "profile:hz:$hz /pid == $pid/ {
			@[ustack] = count(); }" > /dev/null 2>&1 ;;
	esac
	if [ -n "$TOOL" ] && ! wait_attached "$TOOL"; then
		note "$kind did not attach"
	fi
	kill -USR1 $pid
	if [ -n "$TOOL" ]; then
		sleep "$BPF_AT"
		bpf_cost "$TOOL" > "$f.bpf"
	fi
	wait $pid
	# perf and the profiler end with their target; bpftrace at SIGINT.
	case $kind in
	bpftrace*) stop_tool ;;
	other*) stop_tool; kill $other; wait $other 2> /dev/null ;;
	base) ;;
	*) wait "$TOOL_WAIT" ;;
	esac
	cat "$B/cpu.out"
}

# interleave TAG KIND...: REPS reps of the kinds against unprofiled runs;
# fills R[TAG.KIND.*] with the target's "wall cpu" (or "elapsed gaps
# gap_ns median_gap_ns") of the run and of the mean of its unprofiled
# neighbours.
interleave()
{
	local tag=$1 i k p b r
	shift
	note "cpu: $REPS reps of: unprofiled and $*, interleaved"
	for i in $(seq "$REPS"); do
		p=$(run base "$i")
		for k in $(rotate "$i" "$@"); do
			r=$(run "$k" "$i")
			b=$(run base "$i")
			R[$tag.$k]+="$r;$(mean_of "$p" "$b")|"
			R[$tag.base]+="$b|"
			R[$tag.$k.tcpu]+="$(tool_cpu_ms "$B/cpu.$k.$i") "
			R[$tag.$k.rss]+="$(tool_rss_mib "$B/cpu.$k.$i") "
			read -r rt rc < "$B/cpu.$k.$i.bpf"
			[ "${rc:-0}" -gt 0 ] && R[$tag.$k.bpf]+="$(calc "$rt / $rc") "
			p=$b
		done
		note "rep $i/$REPS done"
	done
}

# mean_of "A1 A2.." "B1 B2..": field by field means.
mean_of() { echo "$1 $2" | awk '{ n = NF / 2; for (i = 1; i <= n; i++) printf "%.0f ", ($i + $(i + n)) / 2 }'; }

# field TAG KIND EXPR: EXPR over each run's fields, $1.. of the run and
# $5.. of its unprofiled neighbours (gaps) or $1,$2 and $3,$4 (work).
field()
{
	echo "${R[$1.$2]}" | tr '|' '\n' | grep . | tr ';' ' ' | awk "{ print $3 }"
}

declare -A R
TARGET=("$B/cpu_work" "$WORK" "$THREADS")
read -r w _ < <(run base 0)
# Read BPF counters halfway through a run: the tool is gone at the end.
BPF_AT=$(calc "$w / 2e9")
interleave work $(kinds 99 999)
TARGET=("$B/gaps" "$GAP_SECS")
BPF_AT=$(calc "$GAP_SECS / 2")
REPS=$GAP_REPS
interleave gaps $(kinds 99 999 9999) other9999

label()
{
	case $1 in
	proffp*) echo "profiler --unwind fp, ${1#proffp} Hz" ;;
	prof*) echo "profiler, ${1#prof} Hz" ;;
	perfdw*) echo "perf record --call-graph dwarf, ${1#perfdw} Hz" ;;
	perf*) echo "perf record -g, ${1#perf} Hz" ;;
	bpftrace*) echo "bpftrace profile:hz:${1#bpftrace} ustack" ;;
	other*) echo "profiler -p another process, ${1#other} Hz: cost to a bystander" ;;
	esac
}

work_base=$(field work base '$2 / 1e9' | median)
echo "## cpu: sampling a CPU-bound target"
echo
echo "\`tools/bench/cpu_overhead.sh\`: $(printf %.2f "$work_base") s of CPU work ($WORK runs of a call"
echo "tree 14 frames deep, $THREADS thread(s)), $WORK_REPS reps, tools interleaved; each"
echo "profiled run against the mean of the unprofiled runs before and after it."
echo "Ratios of the target's CPU time (steadier on a shared VM) and wall time;"
echo "BPF: the tool's programs' run time per run, from kernel.bpf_stats_enabled;"
echo "tool CPU and peak RSS: /usr/bin/time over the tool's whole run, start-up"
echo "and report included. median (min-max)."
echo
echo "| tool | target CPU time | target wall time | BPF ns per run | tool CPU ms | tool peak RSS MiB |"
echo "| --- | --- | --- | --- | --- | --- |"
for k in $(kinds 99 999); do
	printf '| %s | x%s | x%s | %s | %s | %s |\n' "$(label "$k")" \
		"$(field work "$k" '$2 / $4' | spread %.3f)" \
		"$(field work "$k" '$1 / $3' | spread %.3f)" \
		"$(echo "${R[work.$k.bpf]:-}" | spread %.0f)" \
		"$(echo "${R[work.$k.tcpu]}" | spread %.0f)" \
		"$(echo "${R[work.$k.rss]}" | spread %.1f)"
done
echo
echo "The same tools on \`build/bench/gaps\`, $GAP_REPS reps: for $GAP_SECS s the target reads the clock"
echo "in a loop 14 frames deep and counts the interruptions (gaps of 1 us to"
echo "1 ms between reads) and their total length. Extra gaps per second over"
echo "the unprofiled neighbours are the samples the target took; extra gap time"
echo "is the share of its time the tool took, whatever the speed of the host;"
echo "per sample: the one over the other. Unprofiled, the target sees"
echo "$(field gaps base '$2 / ($1 / 1e9)' | spread %.0f) gaps/s (the kernel's tick, other tenants),"
echo "$(field gaps base '100 * $3 / $1' | spread %.2f)% of its time, median gap $(field gaps base '$4 / 1e3' | spread %.1f) us."
echo "The median gap of a run at 9999 Hz, where nine gaps in ten are samples,"
echo "is a second measure of the time a sample takes: long stalls of the host"
echo "move it less than they move the mean."
echo
echo "| tool | extra gaps/s | time taken from the target | per sample us | median gap us |"
echo "| --- | --- | --- | --- | --- |"
for k in $(kinds 99 999 9999) other9999; do
	printf '| %s | %s | %s%% | %s | %s |\n' "$(label "$k")" \
		"$(field gaps "$k" '$2 / ($1 / 1e9) - $6 / ($5 / 1e9)' | spread %.0f)" \
		"$(field gaps "$k" '100 * ($3 / $1 - $7 / $5)' | spread %.2f)" \
		"$(field gaps "$k" '($3 / $1 - $7 / $5) / ($2 / $1 - $6 / $5) / 1e3' | spread %.1f)" \
		"$(field gaps "$k" '$4 / 1e3' | spread %.1f)"
done
# The goals: per-sample cost at or under perf's with the same kind of
# unwinding, and nothing for a bystander.
per_sample() { field gaps "$1" '($3 / $1 - $7 / $5) / ($2 / $1 - $6 / $5) / 1e3' | median; }
if [[ " $tools " == *" perf "* ]]; then
	echo
	echo "| goal | profiler | perf | result |"
	echo "| --- | --- | --- | --- |"
	# At 99 Hz the extra gaps (about 99/s) drown in the tick's: no verdict.
	for hz in 999 9999; do
		for pair in "proffp perf frame-pointers" "prof perfdw DWARF"; do
			set -- $pair
			a=$(per_sample "$1$hz")
			b=$(per_sample "$2$hz")
			printf '| per-sample cost, %s, %s Hz | %.1f us | %.1f us | %s |\n' "${3/-/ }" "$hz" "$a" "$b" \
				"$(awk -v a="$a" -v b="$b" 'BEGIN { print (a <= b ? "PASS" : "FAIL") }')"
		done
	done
	for pair in "proffp perf frame-pointers" "prof perfdw DWARF"; do
		set -- $pair
		a=$(field gaps "${1}9999" '$4 / 1e3' | median)
		b=$(field gaps "${2}9999" '$4 / 1e3' | median)
		printf '| per-sample cost, %s, 9999 Hz, median gap | %.1f us | %.1f us | %s |\n' "${3/-/ }" "$a" "$b" \
			"$(awk -v a="$a" -v b="$b" 'BEGIN { print (a <= b ? "PASS" : "FAIL") }')"
	done
	x=$(field gaps other9999 '$2 / ($1 / 1e9) - $6 / ($5 / 1e9)' | median)
	printf '| a bystander of profiler -p at 9999 Hz: extra interruptions | %.0f/s | - | %s |\n' "$x" \
		"$(awk -v x="$x" 'BEGIN { print (x < 9999 * 0.02 ? "PASS" : "FAIL") }')"
fi
for s in "${skipped[@]}"; do
	echo
	echo "Not run: $s"
done
echo
