#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# `make bench`: every benchmark, one after the other, as Markdown tables on
# stdout and in build/bench/results.md (docs/performance.md quotes the
# latest run).  Needs root.  Benchmarks, not tests: nothing here asserts
# a timing, and `make test` runs none of it.
#
#   BENCH_QUICK=1  a smoke run of a few minutes: fewer, shorter rounds
#   REPS=N         rounds of every script (each has its own default)
#   BENCH_ONLY="cpu mem"  only these parts: symbolize mem lat offcpu serve
#                  cpu unwind threads stacks startup python
# Each script's other knobs are described at its top.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tools/bench/lib.sh
PARTS=${BENCH_ONLY:-symbolize mem lat offcpu serve cpu unwind threads stacks startup python}
RESULTS=$B/results.md

if [ "$(id -u)" -ne 0 ]; then
	echo "tools/bench/run.sh: needs root (BPF, perf events): sudo make bench" >&2
	exit 1
fi

# The kernel lowers perf_event_max_sample_rate by itself when sampling
# interrupts run long (the 9999 Hz runs can trigger it): put it back.
old_rate=$(sysctl -n kernel.perf_event_max_sample_rate)
trap 'sysctl -q kernel.perf_event_max_sample_rate=$old_rate' EXIT

environment()
{
	local pmu=no commit dirty=

	[ -d /sys/bus/event_source/devices/cpu ] || [ -d /sys/bus/event_source/devices/cpu_core ] && pmu=yes
	commit=$(git rev-parse --short HEAD 2> /dev/null || echo unknown)
	[ -n "$(git status --porcelain 2> /dev/null)" ] && dirty=" plus uncommitted changes"
	echo "# Benchmark results"
	echo
	echo "| | |"
	echo "| --- | --- |"
	echo "| date | $(date -u '+%Y-%m-%d %H:%M UTC') |"
	echo "| commit | $commit$dirty |"
	echo "| kernel | $(uname -r) $(uname -m) |"
	echo "| CPU | $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(nproc) online |"
	echo "| hardware PMU | $pmu |"
	echo "| hypervisor | $(lscpu | sed -n 's/^Hypervisor vendor:[[:space:]]*//p' | grep . || echo none) |"
	echo "| mode | $([ "$QUICK" = 1 ] && echo "BENCH_QUICK=1 (smoke run: few rounds, not figures to quote)" || echo "full") |"
	echo "| tools | perf $(perf --version 2> /dev/null | awk '{print $3}' || echo -), bpftrace $(bpftrace --version 2> /dev/null | awk '{print $2}' || echo -), bpfcc-tools $(dpkg-query -W -f '${Version}' bpfcc-tools 2> /dev/null || echo -) |"
	echo
}

symbolize()
{
	local reps f a2l
	reps=$(quick 1 3)
	a2l=$(command -v llvm-addr2line-14 || command -v llvm-addr2line || true)
	note "symbolize: $reps run(s) per file${a2l:+, against $a2l}"
	echo "## Symbolization and report"
	echo
	echo "\`build/bench/symbolize_bench FILE 100000 100000 ${a2l:-}\`, $reps run(s): 100,000 distinct"
	echo "addresses spread over the file's .text resolved as a profile would (cold:"
	echo "the first pass in a fresh process, reading symbols, debug file, DWARF;"
	echo "warm: the same addresses again), then a profile of 100,000 distinct"
	echo "24-frame stacks built and rendered to folded and table output."
	if [ -n "$a2l" ]; then
		echo "llvm-addr2line -a -f -i -C on the same addresses in the same run"
		echo "(function, file:line, inlined frames, demangled; output to /dev/null):"
		echo "cold = a fresh process on the addresses less one that only started,"
		echo "warm = the addresses twice less once. Ratio: ours / theirs in"
		echo "addresses per second, >= 1 when ours is faster."
	else
		echo "(llvm-addr2line not installed: no comparison.)"
	fi
	echo "median (min-max)."
	echo
	echo "| file | cold addr/s | warm addr/s | named | llvm-addr2line cold | llvm-addr2line warm | llvm-addr2line named | ratio cold | ratio warm | render 100,000 stacks, s |"
	echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
	for f in /usr/lib/x86_64-linux-gnu/libc.so.6 /usr/lib/x86_64-linux-gnu/libLLVM-14.so.1; do
		[ -e "$f" ] || { note "skipped $f: not installed"; continue; }
		local cold='' warm='' named='' render='' tcold='' twarm='' tnamed='' rcold='' rwarm=''
		for _ in $(seq "$reps"); do
			# shellcheck disable=SC2086  # no tool: no argument
			out=$("$B/symbolize_bench" "$f" 100000 100000 $a2l)
			cold+="$(echo "$out" | awk '$1 == "cold" { print $2 }') "
			warm+="$(echo "$out" | awk '$1 == "warm" { print $2 }') "
			named=$(echo "$out" | awk '$1 == "named" { print $2 }' | tr -d ,)
			render+="$(echo "$out" | sed -n 's/.*render folded + table \([0-9.]*\) s/\1/p') "
			[ -n "$a2l" ] || continue
			tcold+="$(echo "$out" | sed -n 's/.*addr2line[^:]*: cold *\([0-9]*\) addr.*/\1/p') "
			twarm+="$(echo "$out" | sed -n 's/.*addr2line[^:]*: .*warm *\([0-9]*\) addr.*/\1/p') "
			tnamed=$(echo "$out" | sed -n 's/.*addr2line[^:]*: .*named \([0-9.]*%\).*/\1/p')
			rcold+="$(echo "$out" | sed -n 's/.*ratio.*cold \([0-9.]*\),.*/\1/p') "
			rwarm+="$(echo "$out" | sed -n 's/.*ratio.*warm \([0-9.]*\)$/\1/p') "
		done
		if [ -n "$a2l" ]; then
			printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$(basename "$f")" \
				"$(echo "$cold" | spread %.0f)" "$(echo "$warm" | spread %.0f)" "$named" \
				"$(echo "$tcold" | spread %.0f)" "$(echo "$twarm" | spread %.0f)" "$tnamed" \
				"$(echo "$rcold" | spread %.2f)" "$(echo "$rwarm" | spread %.2f)" \
				"$(echo "$render" | spread %.2f)"
		else
			printf '| %s | %s | %s | %s | - | - | - | - | - | %s |\n' "$(basename "$f")" \
				"$(echo "$cold" | spread %.0f)" "$(echo "$warm" | spread %.0f)" \
				"$named" "$(echo "$render" | spread %.2f)"
		fi
	done
	echo
}

t0=$(date +%s)
{
	environment
	for part in $PARTS; do
		echo "== $part" >&2
		case $part in
		symbolize) symbolize ;;
		mem) bash tools/bench/mem_overhead.sh ;;
		lat) bash tools/bench/lat_overhead.sh ;;
		offcpu) bash tools/bench/offcpu_overhead.sh ;;
		serve) bash tools/bench/serve_bench.sh ;;
		cpu) bash tools/bench/cpu_overhead.sh ;;
		unwind) bash tools/bench/unwind.sh ;;
		threads) bash tools/bench/scale_threads.sh ;;
		stacks) bash tools/bench/scale_stacks.sh ;;
		startup) bash tools/bench/startup.sh ;;
		python) bash tools/bench/python_cost.sh ;;
		*) echo "tools/bench/run.sh: unknown part '$part'" >&2 ;;
		esac
	done
	echo "Whole run: $(( ($(date +%s) - t0) / 60 )) min $(( ($(date +%s) - t0) % 60 )) s."
} | tee "$RESULTS.tmp"
mv "$RESULTS.tmp" "$RESULTS"
echo "wrote $RESULTS" >&2
