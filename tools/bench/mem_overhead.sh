#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Per-call cost of the mem mode on a malloc(64)+free loop
# (build/bench/malloc_loop), side by side in one interleaved run, REPS
# rounds each, in the target's CPU nanoseconds per malloc+free:
#   unprofiled;
#   floor_free0: empty uprobe+uretprobe on malloc and an empty uprobe on
#                free at its first instruction (single-stepped);
#   floor_moved: the same with free's probe where the mem mode puts it
#                (free+3 in Debian's glibc, emulated);
#   profiler mem --exact (every stack, from the unwind tables), and with
#                --unwind fp;
#   profiler mem (stacks sampled, one per 512 KiB: malloc(64) gets one
#                about every 8192 calls): the cost without the stack walk;
#   the same two, --exact and sampled, with the loop DEEP calls below its
#                thread's start (a stack walk costs per frame, and
#                production stacks are deeper than this loop's);
#   bpftrace: live blocks and bytes per user stack (malloc entry+return,
#             free), what the mem mode keeps;
#   memleak-bpfcc -p PID (bcc), when it runs on this kernel.
# Also each tool's BPF run time per program run and its own CPU time and
# peak RSS.  Needs root.  Asserts nothing.
#
# Knobs: REPS (default 5, quick 2), N (rounds per run, default 200000,
# quick 100000), DEEP (default 30).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tools/bench/lib.sh
REPS=${REPS:-$(quick 2 5)}
N=${N:-$(quick 100000 200000)}
DEEP=${DEEP:-30}
LIBC=$(ldd "$B/malloc_loop" | awk '/libc.so/ {print $3}')

offset() { # SYMBOL: file offset in libc (text is mapped at offset = vaddr here)
	nm -D "$LIBC" | awk -v s="$1" '$3 == s || index($3, s "@") == 1 {print "0x" $1; exit}'
}
MALLOC=$(offset malloc)
FREE=$(offset free)
# Where the mem mode places free's probe: ask it (-v prints the placement).
FREE_DELTA=$(./profiler mem -v -d 0.1 -- /bin/true 2>&1 |
	sed -n 's/.*debug: free: probe at +\([0-9]*\).*/\1/p' | head -1)
FREE_MOVED=$(printf '0x%x' $((FREE + ${FREE_DELTA:-0})))

bpf_stats_on
kinds="floor_free0 floor_moved mem_nostack mem_exact mem_fp mem mem_exact_deep mem_deep"
skipped=()
if have_bpftrace; then
	kinds="$kinds bpftrace"
else
	skipped+=("bpftrace: not installed")
fi
if have_memleak; then
	kinds="$kinds memleak"
else
	skipped+=("memleak-bpfcc: $MEMLEAK_WHY")
fi

# run KIND REP: one run of the loop under KIND; prints "wall_ns cpu_ns" per
# round; a tool's time file is $B/mem.KIND.REP, its BPF cost .bpf beside.
run()
{
	local kind=$1 f=$B/mem.$1.$2 pid depth=1
	case $kind in *_deep) depth=$DEEP ;; esac
	"$B/malloc_loop" "$N" 1 "$depth" > "$B/mem.out" &
	pid=$!
	started $pid
	TOOL=
	case $kind in
	base) sleep 0.1 ;;
	floor_free0)
		start_tool "$f" "$B/uprobe_floor" $pid "$LIBC" "$MALLOC:ret" "$FREE" > /dev/null ;;
	floor_moved)
		start_tool "$f" "$B/uprobe_floor" $pid "$LIBC" "$MALLOC:ret" "$FREE_MOVED" > /dev/null ;;
	mem|mem_deep)
		start_tool "$f" ./profiler mem -q -p $pid > /dev/null ;;
	mem_nostack)
		start_tool "$f" ./profiler mem -q -p $pid --sample-bytes 64G > /dev/null ;;
	mem_exact|mem_exact_deep)
		start_tool "$f" ./profiler mem -q -p $pid --exact > /dev/null ;;
	mem_fp)
		start_tool "$f" ./profiler mem -q -p $pid --exact --unwind fp > /dev/null ;;
	bpftrace)
		start_tool "$f" bpftrace -e "
			uprobe:$LIBC:malloc /pid == $pid/ { @size[tid] = arg0; }
			uretprobe:$LIBC:malloc /pid == $pid && @size[tid]/ {
				@live[retval] = @size[tid];
				@bytes[ustack] = sum(@size[tid]);
				delete(@size[tid]); }
			uprobe:$LIBC:free /pid == $pid/ { delete(@live[arg0]); }" \
			> /dev/null 2>&1 ;;
	memleak)
		start_tool "$f" memleak-bpfcc -p $pid 60 > /dev/null 2>&1 ;;
	esac
	if [ -n "$TOOL" ] && ! wait_attached "$TOOL"; then
		note "$kind did not attach"
	fi
	kill -USR1 $pid
	if [ -n "$TOOL" ]; then
		sleep 0.1
		bpf_cost "$TOOL" > "$f.bpf"
	fi
	wait $pid
	case $kind in
	base) ;;
	mem*) wait "$TOOL_WAIT" ;;	# ends with its target
	*) stop_tool ;;
	esac
	cat "$B/mem.out"
}

note "mem: $REPS reps of: unprofiled and $kinds, interleaved"
declare -A R
for i in $(seq "$REPS"); do
	for k in base $(rotate "$i" $kinds); do
		read -r _ c < <(run "$k" "$i")
		R[$k]+="$c "
		[ "$k" = base ] && continue
		R[$k.tcpu]+="$(tool_cpu_ms "$B/mem.$k.$i") "
		R[$k.rss]+="$(tool_rss_mib "$B/mem.$k.$i") "
		read -r rt rc < "$B/mem.$k.$i.bpf"
		[ "${rc:-0}" -gt 0 ] && R[$k.bpf]+="$(calc "$rt / $rc") "
	done
	note "rep $i/$REPS done"
done

label()
{
	case $1 in
	base) echo "unprofiled" ;;
	floor_free0) echo "floor: empty probes, free's at free+0 (single-stepped)" ;;
	floor_moved) echo "floor: empty probes, free's at free+${FREE_DELTA:-0} (emulated)" ;;
	mem_nostack) echo "profiler mem, no stack ever (--sample-bytes 64G): the exact bookkeeping alone" ;;
	mem) echo "profiler mem (stacks sampled, --sample-bytes 512K)" ;;
	mem_exact) echo "profiler mem --exact" ;;
	mem_fp) echo "profiler mem --exact --unwind fp" ;;
	mem_deep) echo "profiler mem (sampled), loop $DEEP calls deep" ;;
	mem_exact_deep) echo "profiler mem --exact, loop $DEEP calls deep" ;;
	bpftrace) echo "bpftrace: live blocks, bytes per ustack" ;;
	memleak) echo "memleak-bpfcc -p" ;;
	esac
}

base=$(echo "${R[base]}" | median)
echo "## mem: cost per malloc + free"
echo
echo "\`tools/bench/mem_overhead.sh\`: malloc(64) + free, $N rounds per run, $REPS"
echo "reps, tools interleaved; the target's CPU ns per round; BPF: the tool's"
echo "programs' run time per program run (kernel.bpf_stats_enabled); tool CPU"
echo "and peak RSS: /usr/bin/time over its whole run. median (min-max)."
echo
echo "| run | CPU ns per round | over unprofiled (median) | BPF ns per run | tool CPU ms | tool peak RSS MiB |"
echo "| --- | --- | --- | --- | --- | --- |"
for k in base $kinds; do
	m=$(echo "${R[$k]}" | median)
	if [ "$k" = base ]; then
		printf '| %s | %s | | | | |\n' "$(label $k)" "$(echo "${R[$k]}" | spread %.0f)"
		continue
	fi
	printf '| %s | %s | +%s | %s | %s | %s |\n' "$(label "$k")" \
		"$(echo "${R[$k]}" | spread %.0f)" "$(calc "$m - $base" | xargs printf %.0f)" \
		"$(echo "${R[$k.bpf]:-}" | spread %.0f)" \
		"$(echo "${R[$k.tcpu]}" | spread %.0f)" "$(echo "${R[$k.rss]}" | spread %.1f)"
done
ratio() { calc "$(echo "${R[$1]}" | median) / $(echo "${R[$2]}" | median)" | xargs printf %.2f; }
echo
echo "Sampled stacks over the floor (free's probe emulated): $(ratio mem floor_moved)x, $DEEP deep"
echo "$(ratio mem_deep floor_moved)x; over the same mode taking no stack at all (totals, histograms"
echo "and live blocks kept exact, which the floor's empty programs do not): $(ratio mem mem_nostack)x,"
echo "$DEEP deep $(ratio mem_deep mem_nostack)x."
for s in "${skipped[@]}"; do
	echo
	echo "Not run: $s"
done
echo
