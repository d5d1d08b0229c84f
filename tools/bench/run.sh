#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# `make bench`: every benchmark, one after the other.  Needs root for the
# overhead part.  Prints results; asserts nothing.
set -u
cd "$(dirname "$0")/../.."
echo "== symbolization"
for f in /usr/lib/x86_64-linux-gnu/libc.so.6 /usr/lib/x86_64-linux-gnu/libLLVM-14.so.1; do
	[ -e "$f" ] && build/bench/symbolize_bench "$f" 100000 100000
done
echo
echo "== mem mode cost per call"
bash tools/bench/mem_overhead.sh
echo
echo "== lat mode cost per call, attach and detach"
bash tools/bench/lat_overhead.sh
echo
echo "== cpu mode overhead"
bash tools/bench/cpu_overhead.sh
