#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Per-call cost of the mem mode on a malloc(64)+free loop, in ns per round,
# side by side in one run (interleaved, REPS rounds each):
#   unprofiled;
#   floor: empty uprobe+uretprobe on malloc and an empty uprobe on free at
#          its first instruction (single-stepped) or where the mem mode puts
#          it (free+3 in Debian's glibc, emulated);
#   profiler mem;
#   bpftrace's equivalent and bcc's memleak when installed.
# Needs root.  Asserts nothing.
set -u
cd "$(dirname "$0")/../.."
REPS=${REPS:-5}
N=${N:-200000}
B=build/bench
LIBC=$(ldd $B/malloc_loop | awk '/libc.so/ {print $3}')

offset() { # SYMBOL: file offset in libc (text is mapped at offset = vaddr here)
	nm -D "$LIBC" | awk -v s="$1" '$3 == s || index($3, s "@") == 1 {print "0x" $1; exit}'
}
MALLOC=$(offset malloc)
FREE=$(offset free)
# Where the mem mode places free's probe: ask it (-v prints the placement).
FREE_DELTA=$(./profiler mem -v -d 0.1 -- /bin/true 2>&1 |
	sed -n 's/.*debug: free: probe at +\([0-9]*\).*/\1/p' | head -1)
FREE_MOVED=$(printf '0x%x' $((FREE + ${FREE_DELTA:-0})))

# run KIND: one round of the loop under KIND; prints ns per round.
run() {
	local kind=$1 pid helper= out
	$B/malloc_loop "$N" > $B/loop.out &
	pid=$!
	sleep 0.1
	case $kind in
	base) ;;
	floor_free0)
		$B/uprobe_floor $pid "$LIBC" "$MALLOC:ret" "$FREE" > $B/floor.out &
		helper=$! ;;
	floor_moved)
		$B/uprobe_floor $pid "$LIBC" "$MALLOC:ret" "$FREE_MOVED" > $B/floor.out &
		helper=$! ;;
	mem)
		./profiler mem -q -p $pid > /dev/null 2> $B/mem.err &
		helper=$! ;;
	bpftrace)
		bpftrace -e "uprobe:$LIBC:malloc /pid == $pid/ { @s[tid] = arg0; }
			uretprobe:$LIBC:malloc /pid == $pid/ { @m[retval] = @s[tid]; delete(@s[tid]); }
			uprobe:$LIBC:free /pid == $pid/ { delete(@m[arg0]); }" > /dev/null 2>&1 &
		helper=$! ;;
	esac
	if [ -n "$helper" ]; then
		# Wait until the probes are in: the BPF programs are loaded.
		for _ in $(seq 100); do
			case $kind in
			floor*) grep -q attached $B/floor.out 2>/dev/null && break ;;
			mem) grep -q tracing $B/mem.err 2>/dev/null && break ;;
			*) sleep 0.05 ;;
			esac
			sleep 0.05
		done
		[ "$kind" = bpftrace ] && sleep 3
	fi
	kill -USR1 $pid
	wait $pid
	[ -n "$helper" ] && { kill -INT $helper; wait $helper; } 2>/dev/null
	cat $B/loop.out
}

kinds="base floor_free0 floor_moved mem"
command -v bpftrace > /dev/null && kinds="$kinds bpftrace"
declare -A R
for i in $(seq "$REPS"); do
	for k in $kinds; do
		R[$k]+="$(run $k) "
	done
done
median() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
printf '\nmem mode cost on a malloc(64)+free loop (%d interleaved reps of %d rounds; ns per round, median)\n' "$REPS" "$N"
base=$(echo "${R[base]}" | median)
for k in $kinds; do
	m=$(echo "${R[$k]}" | median)
	printf '  %-12s %8.1f ns  (+%.1f ns over unprofiled)\n' "$k" "$m" "$(echo "$m - $base" | bc -l)"
done
echo "  floor_free0: empty malloc entry+return probes, empty free probe at free+0 (single-stepped)"
echo "  floor_moved: the same with free's probe at free+${FREE_DELTA:-0} (where the mem mode puts it)"
