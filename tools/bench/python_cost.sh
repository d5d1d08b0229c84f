#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Cost of Python frames per sample: `profiler -p` on a Python script
# spinning a known number of Python frames deep (Debian's CPython 3.11),
# with its interpreter frames walked and with --no-python (the native walk
# alone), interleaved REPS times; the BPF program's run time per sample
# (kernel.bpf_stats_enabled) and the difference per Python frame.  Needs
# root and /usr/bin/python3 3.11.  Asserts nothing.
#
# Knobs: REPS (default 5, quick 2), SECS (default 3, quick 2), DEPTHS
# (Python frames of the spinning function, default "5 30").
set -u
cd "$(dirname "$0")/../.." || exit 1
. tools/bench/lib.sh
REPS=${REPS:-$(quick 2 5)}
SECS=${SECS:-$(quick 2 3)}
DEPTHS=${DEPTHS:-5 30}
PYTHON=/usr/bin/python3

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
	echo "## python: cost per sample"
	echo
	echo "Not run: $PYTHON is not CPython 3.11"
	exit 0
fi
bpf_stats_on

# spin.py DEPTH: <module> calls down DEPTH - 1 Python frames, then spins.
cat > "$B/spin.py" <<'PY'
import sys


def down(n):
    if n > 1:
        down(n - 1)
    x = 0
    while True:
        x += 1


print("ready", flush=True)
down(int(sys.argv[1]) - 1)
PY

# run DEPTH KIND: "ns_per_run runs" of cpu_sample for one run.
run()
{
	local depth=$1 kind=$2 pid tool i flags=()

	[ "$kind" = native ] && flags=(--no-python)
	"$PYTHON" "$B/spin.py" "$depth" > "$B/spin.out" &
	pid=$!
	for ((i = 0; i < 300; i++)); do
		grep -q ready "$B/spin.out" && break
		sleep 0.01
	done
	./profiler -q -F 999 -U "${flags[@]}" -p $pid > /dev/null 2> "$B/spin.err" &
	tool=$!
	wait_attached $tool || note "profiler did not attach: $(head -c 200 "$B/spin.err")"
	sleep "$SECS"
	read -r t n < <(bpf_cost $tool)
	kill -INT $tool
	wait $tool
	kill $pid
	wait $pid 2> /dev/null
	[ "${n:-0}" -gt 0 ] || n=1
	calc "$t / $n"
}

declare -A R
note "python: $REPS reps of depths $DEPTHS, Python frames and --no-python, interleaved"
for i in $(seq "$REPS"); do
	for d in $DEPTHS; do
		for k in $(rotate "$i" python native); do
			R[$d.$k]+="$(run "$d" "$k") "
		done
	done
	note "rep $i/$REPS done"
done

echo "## python: cost per sample"
echo
echo "\`tools/bench/python_cost.sh\`: \`profiler -p\` at 999 Hz on a Python script"
echo "spinning DEPTH Python frames deep (Debian's CPython 3.11), $REPS reps"
echo "interleaved; cpu_sample's BPF run time per run (kernel.bpf_stats_enabled),"
echo "with the interpreter frames walked and with --no-python. median (min-max)."
echo
echo "| Python frames | ns per sample, Python frames | ns per sample, --no-python | difference per Python frame |"
echo "| --- | --- | --- | --- |"
for d in $DEPTHS; do
	py=$(echo "${R[$d.python]}" | median)
	na=$(echo "${R[$d.native]}" | median)
	printf '| %s | %s | %s | %.0f |\n' "$d" "$(echo "${R[$d.python]}" | spread %.0f)" \
		"$(echo "${R[$d.native]}" | spread %.0f)" "$(calc "($py - $na) / $d")"
done
echo
