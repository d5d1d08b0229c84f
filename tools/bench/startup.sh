#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Time from start to first sample, on a target with many shared libraries:
# /usr/bin/python3 importing ssl, sqlite3, ctypes, lzma, curses, readline
# and more (C extension modules and the libraries behind them), then busy.
# From the profiler's -v lines "attached in X ms from launch" (BPF load,
# verifier, perf events or probes) and "process N: first sample Y ms after
# start (Z ms after launch), maps read in W ms":
#   cpu -- COMMAND: the profiler starts python itself;
#   cpu -p PID:     python already running, its libraries loaded (reading
#                   its maps is then the many-libraries case);
#   mem -p PID, lat -p PID 'libc:malloc': attach time of the other modes.
# Needs root.  Asserts nothing.
#
# Knobs: REPS (default 5, quick 2).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tools/bench/lib.sh
REPS=${REPS:-$(quick 2 5)}

PY=/usr/bin/python3
# Imports, then the count of executable mappings, then SECS of busy loop.
py_script()
{
	cat <<EOF
import ssl, sqlite3, ctypes, lzma, bz2, curses, readline, decimal, hashlib
import uuid, zlib, multiprocessing, asyncio, unicodedata, json, csv, socket
import xml.etree.ElementTree, mmap, array, math, cmath, zoneinfo, dbm, gzip
import time
print(sum(1 for l in open('/proc/self/maps') if ' r-xp ' in l), flush=True)
t = time.time()
while time.time() - t < $1:
    pass
EOF
}

# dbg TEXT PATTERN: the number PATTERN's \1 captures from -v output TEXT.
dbg() { echo "$1" | sed -n "s/.*debug: $2.*/\\1/p" | head -1; }

declare -A R
note "startup: $REPS reps of python3 with many libraries under cpu, mem, lat"
for i in $(seq "$REPS"); do
	out=$(./profiler -v -d 5 -- $PY -c "$(py_script 0.3)" 2>&1)
	R[cmd.att]+="$(dbg "$out" 'attached in \([0-9.]*\) ms from launch') "
	R[cmd.first]+="$(dbg "$out" 'process [0-9]*: first sample \([0-9.]*\) ms after start') "
	R[cmd.launch]+="$(dbg "$out" 'process [0-9]*: first sample .*(\([0-9.]*\) ms after launch)') "
	R[cmd.maps]+="$(dbg "$out" 'process [0-9]*: first sample .*maps read in \([0-9.]*\) ms') "
	# The unwinder's loads of python's mappings: the first (python, libc
	# and the loader, right after exec) and the one that had them all
	# (after the imports' dlopens); "ms after launch", and the ms spent.
	echo "$out" | sed -n 's/.*debug: unwind: process [0-9]* loaded: \([0-9]*\) mappings, [0-9]* new files, \([0-9.]*\) ms (\([0-9.]*\) ms after launch).*/\1 \2 \3/p' > "$B/startup.unw"
	R[cmd.unw1]+="$(awk 'NR == 1 { print $3 }' "$B/startup.unw") "
	R[cmd.unwall]+="$(awk '$1 > m { m = $1; t = $3 } END { print t }' "$B/startup.unw") "
	R[cmd.unwms]+="$(awk '{ t += $2 } END { print t }' "$B/startup.unw") "

	$PY -c "$(py_script 10)" > "$B/py.out" &
	pid=$!
	while [ ! -s "$B/py.out" ]; do sleep 0.05; done
	R[maps]+="$(cat "$B/py.out") "
	out=$(./profiler -v -p $pid -d 0.5 2>&1)
	R[p.att]+="$(dbg "$out" 'attached in \([0-9.]*\) ms from launch') "
	R[p.first]+="$(dbg "$out" 'process [0-9]*: first sample \([0-9.]*\) ms after start') "
	R[p.launch]+="$(dbg "$out" 'process [0-9]*: first sample .*(\([0-9.]*\) ms after launch)') "
	R[p.maps]+="$(dbg "$out" 'process [0-9]*: first sample .*maps read in \([0-9.]*\) ms') "
	out=$(./profiler mem -v -p $pid -d 0.2 2>&1)
	R[mem.att]+="$(dbg "$out" 'attached in \([0-9.]*\) ms from launch') "
	out=$(./profiler lat -v -p $pid -d 0.2 'libc:malloc' 2>&1)
	R[lat.att]+="$(dbg "$out" 'attached in \([0-9.]*\) ms from launch') "
	kill $pid
	wait $pid 2> /dev/null
	note "rep $i/$REPS done"
done

echo "## Start to first sample"
echo
echo "\`tools/bench/startup.sh\`, $REPS runs each: $PY after importing ssl, sqlite3,"
echo "ctypes, lzma, curses, readline and others ($(echo "${R[maps]}" | median) executable mappings), then"
echo "busy. From \`profiler -v\`: \"attached in X ms from launch\" (BPF load,"
echo "verifier, events or probes attached) and \"first sample Y ms after start"
echo "(Z after launch), maps read in W ms\". median (min-max), ms."
echo
echo "| run | launch to attached | attached to first sample | launch to first sample | reading the process's maps |"
echo "| --- | --- | --- | --- | --- |"
printf '| `profiler -F 99 -- python3 ...` | %s | %s | %s | %s |\n' \
	"$(echo "${R[cmd.att]}" | spread %.1f)" "$(echo "${R[cmd.first]}" | spread %.1f)" \
	"$(echo "${R[cmd.launch]}" | spread %.1f)" "$(echo "${R[cmd.maps]}" | spread %.2f)"
printf '| same: python'"'"'s unwind tables loaded, first / all its libraries | | | %s / %s | %s (tables built and loaded, all loads) |\n' \
	"$(echo "${R[cmd.unw1]}" | spread %.1f)" "$(echo "${R[cmd.unwall]}" | spread %.1f)" \
	"$(echo "${R[cmd.unwms]}" | spread %.1f)"
printf '| `profiler -F 99 -p PID` (python running) | %s | %s | %s | %s |\n' \
	"$(echo "${R[p.att]}" | spread %.1f)" "$(echo "${R[p.first]}" | spread %.1f)" \
	"$(echo "${R[p.launch]}" | spread %.1f)" "$(echo "${R[p.maps]}" | spread %.2f)"
printf '| `profiler mem -p PID` | %s | | | |\n' "$(echo "${R[mem.att]}" | spread %.1f)"
printf '| `profiler lat -p PID libc:malloc` | %s | | | |\n' "$(echo "${R[lat.att]}" | spread %.1f)"
echo
