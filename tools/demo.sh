#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# `make demo`: start the bundled workload, profile it for a few seconds,
# print the top table and write demo.folded and demo.svg.  Run from the repository root.
set -u
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
	echo "make demo: the profiler needs root: sudo make demo" >&2
	exit 1
fi
mkdir -p build
# clang keeps frame pointers in leaf functions too (gcc 12 drops them).
clang -O2 -g -fno-omit-frame-pointer -fno-optimize-sibling-calls \
	-o build/demo-workload tools/demo/workload.c || exit 1

build/demo-workload 30 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
sleep 0.5

echo "\$ sudo ./profiler -p $pid -d 5 --folded demo.folded --svg demo.svg"
./profiler -p "$pid" -d 5 --folded demo.folded --svg demo.svg
status=$?
if [ $status -eq 0 ]; then
	echo
	echo "demo.folded: $(wc -l < demo.folded) distinct stacks; the hottest:"
	sort -t' ' -k2 -nr demo.folded | head -3
	echo
	echo "Open demo.svg in a browser: an interactive flame graph (hover, click"
	echo "to zoom, Ctrl-F to search)."
fi
exit $status
