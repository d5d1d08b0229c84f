#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Run every libFuzzer harness (build/fuzz/fuzz_*) for SECONDS each, from
# its committed seeds (tests/fuzz/corpus/NAME) plus what earlier runs found
# (build/fuzz/corpus/NAME, where new inputs go).  A crash, leak, timeout or
# out-of-memory leaves its input as build/fuzz/crash-NAME-* and fails.
# Prints "PASS fuzz_NAME: N runs ..." per harness, then "N passed,
# N failed" (make test's summary counts it).
#
#   bash tests/fuzz/run.sh SECONDS      (make fuzz: FUZZ_SECONDS, default 60)
#   bash tests/fuzz/run.sh --smoke      (make test: the seeds, then 20,000
#                                        mutations from a fixed seed: the
#                                        same inputs every run, a regression
#                                        test, not a search)
set -u
cd "$(dirname "$0")/../.." || exit 1
secs=${1:-60}
smoke=0
if [ "$secs" = --smoke ]; then
	smoke=1
	secs=0
fi
pass=0
fail=0

for bin in build/fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	case $bin in *.d|*.o) continue ;; esac
	name=${bin##*/fuzz_}
	seeds=tests/fuzz/corpus/$name
	found=build/fuzz/corpus/$name
	log=build/fuzz/$name.log
	if [ $smoke = 1 ]; then
		# New units go to a scratch directory: the run depends on the
		# committed seeds alone.
		found=$(mktemp -d)
		limit=(-runs=20000 -seed=1)
	else
		mkdir -p "$found"
		limit=(-max_total_time="$secs")
	fi
	# Bounded like the profiler's own inputs: 1 GiB of RSS is a failure,
	# so is a second spent on one input.
	"$bin" "${limit[@]}" -timeout=10 -rss_limit_mb=1024 \
		-malloc_limit_mb=1024 -max_len=65536 -print_final_stats=1 \
		-artifact_prefix="build/fuzz/crash-$name-" "$found" "$seeds" \
		>"$log" 2>&1
	rc=$?
	[ $smoke = 1 ] && rm -rf "$found"
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	if [ $rc -eq 0 ]; then
		echo "PASS fuzz_$name: ${runs:-?} runs$([ $smoke = 1 ] && echo ' (seeds + fixed mutations)' || echo " in ${secs} s")"
		pass=$((pass + 1))
	else
		echo "FAIL fuzz_$name: exit $rc; $(grep -m1 -E 'ERROR|SUMMARY|Test unit written' "$log")"
		echo "  log: $log"
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
