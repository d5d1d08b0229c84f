#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# `make test` after the build: the doc sync check, the layering of user/,
# every cmocka unit test
# (built with ASan+UBSan), then the root integration suite.  Each suite's
# output is shown as it runs; the last line adds them all up as
# "N passed, N failed, N skipped".  Exits non-zero if anything failed.
set -u
cd "$(dirname "$0")/.."

pass=0 fail=0 skip=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Add a suite's "N passed, N failed[, N skipped]" closing line to the totals.
tally()
{
	local line
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
	if [ -z "$line" ]; then
		echo "run_all: $1 printed no summary line: counted as a failure"
		fail=$((fail + 1))
		return
	fi
	set -- $line
	pass=$((pass + $1)) fail=$((fail + $3))
	[ $# -ge 6 ] && skip=$((skip + $5))
}

echo "== doc sync"
bash tests/doc_sync.sh 2>&1 | tee "$log"
tally doc_sync

echo "== layers of user/"
bash tests/layers.sh 2>&1 | tee "$log"
tally layers

for t in build/san/tests/test_*; do
	case $t in *.d) continue ;; esac
	echo "== unit: $t"
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 "$t" >"$log" 2>&1
	rc=$?
	cat "$log"
	ok=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log")
	bad=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log")
	pass=$((pass + ${ok:-0})) fail=$((fail + ${bad:-0}))
	# A crash (sanitizer abort) prints no FAILED line: count it.
	if [ $rc -ne 0 ] && [ -z "$bad" ]; then
		echo "run_all: $t exited with status $rc"
		fail=$((fail + 1))
	fi
done

# Every fuzz harness a few seconds from its seeds: the inputs that once
# crashed are seeds, so this is the regression run.
echo "== fuzz (smoke)"
bash tests/fuzz/run.sh --smoke 2>&1 | tee "$log"
tally fuzz

echo "== integration"
bash tests/integration/run.sh 2>&1 | tee "$log"
tally integration

echo "== integration: symbols"
bash tests/integration/symbols.sh 2>&1 | tee "$log"
tally symbols

echo "== integration: mem"
bash tests/integration/mem.sh 2>&1 | tee "$log"
tally mem

echo "== integration: lat"
bash tests/integration/lat.sh 2>&1 | tee "$log"
tally lat

echo "== integration: offcpu, wall"
bash tests/integration/offcpu.sh 2>&1 | tee "$log"
tally offcpu

echo "== integration: serve"
bash tests/integration/serve.sh 2>&1 | tee "$log"
tally serve

echo "== integration: top"
bash tests/integration/top.sh 2>&1 | tee "$log"
tally top

echo "== integration: install and package"
bash tests/integration/package.sh 2>&1 | tee "$log"
tally package

echo "== integration: unwinding"
bash tests/integration/unwind.sh 2>&1 | tee "$log"
tally unwind

echo "== integration: Python functions in the stacks"
bash tests/integration/python.sh 2>&1 | tee "$log"
tally python

echo "== integration: outputs, report, diff"
bash tests/integration/outputs.sh 2>&1 | tee "$log"
tally outputs

echo "== integration: faults around a run"
bash tests/integration/faults.sh 2>&1 | tee "$log"
tally faults

echo
echo "all suites: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
