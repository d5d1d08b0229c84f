#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# profiler serve's costs, on a busy shell loop (one busy thread):
#   idle CPU:   the server's own CPU per second while nobody asks anything;
#   scrape:     the wall time of one request of /metrics, /health,
#               /api/trend (median of REPS);
#   profile:    the wall time to answer /debug/pprof/profile?seconds=5
#               (5 s of it are the profile's own);
#   soak:       SOAK_S seconds following a shell that starts and ends a
#               child process continuously: the server's RSS, the stacks it
#               keeps and the kernel's stack map fill, every tenth of the
#               soak (flat after the first minute if memory is bounded).
# Needs root.  Asserts nothing.
#
# Knobs: REPS (default 20, quick 5), SOAK_S (default 600, quick 60).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tools/bench/lib.sh
REPS=${REPS:-$(quick 5 20)}
SOAK_S=${SOAK_S:-$(quick 60 600)}

# serve ARGS...: start the server on a free port; PORT, SPID set.
serve()
{
	local i
	./profiler serve --listen 127.0.0.1:0 "$@" 2> "$B/serve.err" &
	SPID=$!
	for ((i = 0; i < 300; i++)); do
		PORT=$(sed -n 's|.*serving on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$B/serve.err")
		[ -n "$PORT" ] && return 0
		sleep 0.1
	done
	note "serve did not start: $(head -c 300 "$B/serve.err")"
	return 1
}

ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2> /dev/null || echo 0; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2> /dev/null; }
metric() { curl -s "http://127.0.0.1:$PORT/metrics" | awk -v n="$1" '$1 == n { print $2; exit }'; }

bash -c 'while :; do :; done' &
WORK=$!
started $WORK
serve -p $WORK || exit 1
sleep 2
t0=$(ticks $SPID)
sleep 10
idle=$(calc "($(ticks $SPID) - $t0) * 1000 / $(getconf CLK_TCK) / 10")
declare -A S
for ep in /metrics /health /api/trend; do
	for _ in $(seq "$REPS"); do
		S[$ep]+="$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$PORT$ep") "
	done
done
P=
for _ in $(seq "$(quick 1 3)"); do
	P+="$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$PORT/debug/pprof/profile?seconds=5") "
done
kill -INT $SPID; wait $SPID 2> /dev/null
kill $WORK; wait $WORK 2> /dev/null

echo "## serve: idle cost, scrapes, profile requests, soak"
echo
echo "\`profiler serve -p\` on a busy shell loop (one busy thread), 99 Hz."
echo
echo "| figure | value |"
echo "| --- | --- |"
echo "| server CPU while idle (no requests), 10 s | $idle ms/s |"
for ep in /metrics /health /api/trend; do
	echo "| one request of $ep, $REPS runs, ms | $(echo "${S[$ep]}" | awk '{ for (i = 1; i <= NF; i++) printf "%.2f ", $i * 1000 }' | spread %.2f) |"
done
echo "| /debug/pprof/profile?seconds=5, answered after, s | $(echo "$P" | spread %.2f) |"
echo

# The soak: a shell starting /bin/true without end, and a client that
# pulls 10-second profiles back to back, as Parca or Pyroscope would (so
# that a capture is always active and the exited processes are named).
bash -c 'while :; do /bin/true; done' &
FORKER=$!
started $FORKER
serve -p $FORKER || exit 1
bash -c "while :; do curl -s -o /dev/null 'http://127.0.0.1:$PORT/debug/pprof/profile?seconds=10' || sleep 1; done" &
PULLER=$!
echo "Soak: ${SOAK_S} s following a shell that starts /bin/true over and over"
echo "(each child is followed, sampled, named and dropped), with 10-second"
echo "profiles pulled back to back."
echo
echo "| t, s | server RSS MiB | stacks stored | kernel stack map entries | symbolizer processes | processes dropped | frames | samples |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
step=$((SOAK_S / 10))
rss_after=
for ((t = step; t <= SOAK_S; t += step)); do
	sleep "$step"
	r=$(calc "$(rss_kib $SPID) / 1024")
	((t > 60)) && rss_after+="$r "
	printf '| %d | %.1f | %s | %s | %s | %s | %s | %s |\n' "$t" "$r" \
		"$(metric profiler_stacks_stored)" \
		"$(curl -s "http://127.0.0.1:$PORT/metrics" | awk '$1 == "profiler_bpf_map_entries{map=\"stacks\"}" { print $2 }')" \
		"$(metric profiler_symbolizer_processes)" \
		"$(metric profiler_symbolizer_processes_dropped_total)" \
		"$(metric profiler_symbolizer_frames)" \
		"$(metric profiler_cpu_samples_total)"
done
kill $PULLER; wait $PULLER 2> /dev/null
if [[ -n $rss_after ]]; then
	echo
	echo "$rss_after" | awk '{ lo = hi = $1; for (i = 2; i <= NF; i++) { if ($i < lo) lo = $i; if ($i > hi) hi = $i }
		printf "RSS after the first minute: %.1f-%.1f MiB (spread %.1f%% of the lowest)\n", lo, hi, (hi - lo) * 100 / lo }'
fi
kill -INT $SPID; wait $SPID 2> /dev/null
kill $FORKER; wait $FORKER 2> /dev/null
echo
