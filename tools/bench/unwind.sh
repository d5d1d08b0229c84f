#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# User stacks without frame pointers, side by side in one run:
#   completeness: Debian's python3 running a json/re/hashlib/sort loop and
#     tests/targets/unwind_target qsort (gcc -O2 -fomit-frame-pointer),
#     sampled in turn by the profiler with --unwind fp and --unwind auto,
#     perf record -g and perf record --call-graph dwarf: the share of
#     samples whose user stack reaches main, and the median user depth;
#   cost per sample: build/bench/gaps (a clock read in a loop, 14 frames
#     deep) under each of those four at 999 Hz, interleaved with
#     unprofiled runs: the time each sample takes from the target; and
#     the profiler's BPF run time per sample (kernel.bpf_stats_enabled)
#     with each --unwind on the gaps target and on python3;
#   tables: build time and kernel memory of the unwind tables of libc,
#     libstdc++, python3 and libLLVM-14 (build/bench/unwind_bench).
# Needs root.  Asserts nothing.
#
# Knobs: REPS (default 3, quick 1), SECS per sampling run (default 3,
# quick 1), GAP_REPS (default 5, quick 2).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tools/bench/lib.sh
REPS=${REPS:-$(quick 1 3)}
SECS=${SECS:-$(quick 1 3)}
GAP_REPS=${GAP_REPS:-$(quick 2 5)}
HZ=499
PY=/usr/bin/python3
UT=tests/targets/build/unwind_target

bpf_stats_on
tools="fp auto"
if have_perf; then
	tools="$tools perffp perfdwarf"
fi

label()
{
	case $1 in
	fp) echo "profiler --unwind fp" ;;
	auto) echo "profiler (--unwind auto)" ;;
	perffp) echo "perf record -g" ;;
	perfdwarf) echo "perf record --call-graph dwarf" ;;
	esac
}

py_loop()
{
	cat <<'EOF'
import json, re, hashlib
data = [{"k": i, "v": str(i) * 5} for i in range(2000)]
print("ready", flush=True)
while True:
    s = json.dumps(data)
    d = json.loads(s)
    re.findall(r"\d+", s)
    hashlib.sha256(s.encode()).hexdigest()
    sorted(d, key=lambda x: x["v"])
EOF
}

# perf_fold DATA: perf's samples as folded user stacks (no inlined frames).
perf_fold()
{
	perf script -i "$1" -F comm,ip,sym,dso --no-inline --max-stack 1024 2> /dev/null |
		awk '/^[^ \t]/ { if (n) emit(); comm = $1; n = 0; next }
		     /^[ \t]+[0-9a-f]+ / {
			if ($0 ~ /\(\[kernel\.kallsyms\]\)$/) next
			l = $0; sub(/^[ \t]+[0-9a-f]+ /, "", l); sub(/ \([^()]*\)$/, "", l)
			sub(/\+0x[0-9a-f]+$/, "", l); fr[n++] = l; next }
		     function emit(  i, st) { st = comm; for (i = n - 1; i >= 0; i--) st = st ";" fr[i]; c[st]++; n = 0 }
		     END { if (n) emit(); for (s in c) print s, c[s] }'
}

# reach FOLDED: "PCT MEDIAN_DEPTH SAMPLES" over the samples: PCT those whose
# stack reaches the program's start, the frame that calls main
# (__libc_start_call_main; python3's main tail-calls Py_BytesMain, so main
# itself is not on its stacks) or a thread's start_thread.
reach()
{
	awk '/ [0-9]+$/ {
		n = $NF; s = $0; sub(/ [0-9]+$/, "", s)
		d = split(s, f, ";") - 1
		t += n
		if (index(s ";", ";__libc_start_call_main;") || index(s ";", ";start_thread;"))
			m += n
		for (i = 0; i < n; i++) print d > "/dev/stderr"
	     }
	     END { printf "%.1f ", t ? 100 * m / t : 0 }' "$1" 2> "$B/unwind.depths"
	printf '%s %s\n' "$(sort -n "$B/unwind.depths" | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : 0 }')" \
		"$(wc -l < "$B/unwind.depths")"
}

# sample TOOL PID: one run of TOOL on PID for SECS; prints reach's line and
# leaves the profiler's BPF ns per sample in $B/unwind.bpf.
sample()
{
	local tool=$1 pid=$2 f=$B/unwind.folded
	: > "$B/unwind.bpf"
	case $tool in
	fp|auto)
		start_tool "$B/unwind.time" ./profiler -q -p "$pid" -F $HZ -d "$(calc "$SECS + 1")" -U \
			--no-inline --unwind "$tool" --folded "$f" > /dev/null
		wait_attached "$TOOL" 20 > /dev/null
		sleep "$(calc "$SECS / 2")"
		bpf_cost "$TOOL" > "$B/unwind.bpf"
		wait "$TOOL_WAIT" ;;
	perffp)
		perf record -q -F $HZ -e cpu-clock -g -p "$pid" -o "$B/unwind.perf" \
			-- sleep "$SECS" > /dev/null 2>&1
		perf_fold "$B/unwind.perf" > "$f" ;;
	perfdwarf)
		perf record -q -F $HZ -e cpu-clock --call-graph dwarf -p "$pid" \
			-o "$B/unwind.perf" -- sleep "$SECS" > /dev/null 2>&1
		perf_fold "$B/unwind.perf" > "$f" ;;
	esac
	reach "$f"
}

declare -A R
completeness()
{
	local name=$1 pid i t pct depth n rt rc
	shift
	"$@" > "$B/unwind.target" 2>&1 &
	pid=$!
	for ((i = 0; i < 300; i++)); do
		grep -q ready "$B/unwind.target" 2> /dev/null && break
		sleep 0.02
	done
	for i in $(seq "$REPS"); do
		for t in $(rotate "$i" $tools); do
			read -r pct depth n < <(sample "$t" $pid)
			R[$name.$t.pct]+="$pct "
			R[$name.$t.depth]+="$depth "
			read -r rt rc < "$B/unwind.bpf"
			[ "${rc:-0}" -gt 0 ] && R[$name.$t.bpf]+="$(calc "$rt / $rc") "
		done
		note "unwind: $name rep $i/$REPS done"
	done
	kill $pid
	wait $pid 2> /dev/null
}

note "unwind: completeness on python3 and unwind_target qsort, $REPS reps of $SECS s"
completeness python3 $PY -c "$(py_loop)"
completeness qsort $UT qsort

echo "## Unwinding: complete user stacks without frame pointers"
echo
echo "\`tools/bench/unwind.sh\`: Debian's python3 running a json/re/hashlib/sort"
echo "loop, and \`unwind_target qsort\` (gcc -O2 -fomit-frame-pointer: main ->"
echo "work_qsort -> glibc qsort -> comparator), each sampled at $HZ Hz for $SECS s by"
echo "each tool in turn, $REPS rep(s): share of samples whose user stack reaches"
echo "the program's start (\`__libc_start_call_main\`, which calls main, or a"
echo "thread's \`start_thread\`), median user frames per sample (no inlined"
echo "frames). BPF: the"
echo "profiler's programs' run time per sample (kernel.bpf_stats_enabled)."
echo "median (min-max)."
echo
echo "| target | tool | reach the start, % | median depth | BPF ns per sample |"
echo "| --- | --- | --- | --- | --- |"
for name in python3 qsort; do
	for t in $tools; do
		printf '| %s | %s | %s | %s | %s |\n' "$name" "$(label "$t")" \
			"$(echo "${R[$name.$t.pct]}" | spread %.1f)" \
			"$(echo "${R[$name.$t.depth]}" | spread %.0f)" \
			"$(echo "${R[$name.$t.bpf]:-}" | spread %.0f)"
	done
done
echo

# ---- cost per sample as the target sees it (gaps) ----------------------------

gap_run()
{
	local kind=$1 pid
	"$B/gaps" "$SECS" > "$B/unwind.gaps" &
	pid=$!
	started $pid
	TOOL=
	case $kind in
	base) sleep 0.1 ;;
	fp|auto) start_tool "$B/unwind.time" ./profiler -q -F 999 -p $pid --unwind "$kind" > /dev/null ;;
	perffp) start_tool "$B/unwind.time" perf record -q -F 999 -e cpu-clock -g -p $pid \
			-o "$B/unwind.perf" > /dev/null 2>&1 ;;
	perfdwarf) start_tool "$B/unwind.time" perf record -q -F 999 -e cpu-clock \
			--call-graph dwarf -p $pid -o "$B/unwind.perf" > /dev/null 2>&1 ;;
	esac
	[ -n "$TOOL" ] && ! wait_attached "$TOOL" 20 && note "$kind did not attach"
	kill -USR1 $pid
	if [ -n "$TOOL" ]; then
		sleep "$(calc "$SECS / 2")"
		bpf_cost "$TOOL" > "$B/unwind.bpf"
	fi
	wait $pid
	[ -n "$TOOL" ] && wait "$TOOL_WAIT"
	cat "$B/unwind.gaps"
}

note "unwind: cost per sample on gaps, $GAP_REPS reps"
for i in $(seq "$GAP_REPS"); do
	p=$(gap_run base)
	for t in $(rotate "$i" $tools); do
		r=$(gap_run "$t")
		if [ "$t" = fp ] || [ "$t" = auto ]; then
			read -r rt rc < "$B/unwind.bpf"
			[ "${rc:-0}" -gt 0 ] && R[gaps.$t.bpf]+="$(calc "$rt / $rc") "
		fi
		b=$(gap_run base)
		# per sample us: extra gap time over extra gaps, against the
		# mean of the unprofiled runs around it.
		R[gaps.$t]+="$(echo "$r $p $b" | awk '{
			bt = ($7 / $5 + $11 / $9) / 2; bg = ($6 / $5 + $10 / $9) / 2
			t = $3 / $1 - bt; g = $2 / $1 - bg
			if (g > 0) printf "%.2f", t / g / 1e3 }') "
		p=$b
	done
	note "unwind: gaps rep $i/$GAP_REPS done"
done

echo "Cost per sample on \`build/bench/gaps\` (a clock read in a loop 14 frames"
echo "deep, clang with frame pointers, so every tool walks the whole stack), 999"
echo "Hz, $GAP_REPS reps interleaved with unprofiled runs: time each sample takes from"
echo "the target (extra time in interruptions over extra interruptions), and the"
echo "profiler's BPF run time per sample. perf's dwarf mode copies 8 KiB of stack"
echo "per sample and unwinds later, in \`perf report\`/\`script\`. median (min-max)."
echo
echo "| tool | per sample, us | BPF ns per sample |"
echo "| --- | --- | --- |"
for t in $tools; do
	printf '| %s | %s | %s |\n' "$(label "$t")" "$(echo "${R[gaps.$t]}" | spread %.2f)" \
		"$(echo "${R[gaps.$t.bpf]:-}" | spread %.0f)"
done
echo

# ---- tables -------------------------------------------------------------------

echo "Unwind tables (\`build/bench/unwind_bench 3 FILE...\`): build time (best of"
echo "3), rows, kernel memory (12 bytes a row, plus the 64 KiB page index), per"
echo "MiB of executable text."
echo
echo "| file | text MiB | FDEs | rows | build ms | table KiB | KiB per MiB of text |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
files=()
for f in /usr/lib/x86_64-linux-gnu/libc.so.6 /usr/lib/x86_64-linux-gnu/libstdc++.so.6 \
	 /usr/bin/python3.11 /usr/lib/x86_64-linux-gnu/libLLVM-14.so.1; do
	[ -e "$f" ] && files+=("$f") || note "skipped $f: not installed"
done
"$B/unwind_bench" 3 "${files[@]}" | while read -r f text rows fdes ms bytes; do
	printf '| %s | %.2f | %s | %s | %s | %.0f | %.0f |\n' "$(basename "$f")" \
		"$(calc "$text / 1048576")" "$fdes" "$rows" "$ms" "$(calc "$bytes / 1024")" \
		"$(calc "$bytes / 1024 / ($text / 1048576)")"
done
echo
