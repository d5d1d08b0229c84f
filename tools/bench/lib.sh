# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Sourced by the benchmark scripts: statistics over repeated runs, waiting
# for a tool to be attached, and reading a tool's own costs.  Results go to
# stdout as Markdown; progress and skip reasons go to stderr as well, so a
# skipped column is explained where it is missing.

B=build/bench
mkdir -p "$B"

# In quick mode (BENCH_QUICK=1) every script runs fewer, shorter rounds: a
# smoke run of the whole suite in a few minutes, not figures to quote.
QUICK=${BENCH_QUICK:-0}

# quick Q FULL: Q in quick mode, FULL otherwise.
quick() { if [ "$QUICK" = 1 ]; then echo "$1"; else echo "$2"; fi; }

note() { echo "  $*" >&2; }

# started PID: wait until the background job PID has exec'd its program
# (until then it is a copy of this shell, and a tool given -p PID would
# look at bash).
started()
{
	local self i

	self=$(readlink /proc/$$/exe)
	for ((i = 0; i < 200; i++)); do
		[ "$(readlink "/proc/$1/exe" 2> /dev/null)" != "$self" ] && return 0
		sleep 0.01
	done
}

# stats: reads numbers (any whitespace), prints "min median max n".
stats()
{
	tr -s ' \t' '\n' | grep -E '^-?[0-9.]+(e[-+]?[0-9]+)?$' | sort -g |
		awk '{ v[NR] = $1 }
		     END {
			if (NR == 0) { print "- - - 0"; exit }
			m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			print v[1], m, v[NR], NR
		     }'
}

# spread FORMAT: "median (min-max)" of the numbers on stdin, each printed
# with the printf FORMAT; "-" when there are none.
spread()
{
	local lo med hi n
	read -r lo med hi n < <(stats)
	if [ "$n" = 0 ]; then
		echo "-"
		return
	fi
	# shellcheck disable=SC2059
	printf "$1 ($1-$1)" "$med" "$lo" "$hi"
}

# median: the median alone ("" when there are no numbers).
median()
{
	local lo med hi n
	read -r lo med hi n < <(stats)
	[ "$n" = 0 ] || echo "$med"
}

# rotate I WORD...: the words rotated left by I-1: rep I's order, so no
# tool always runs first or right after the same one.
rotate()
{
	local i=$1 n j
	shift
	n=$#
	set -- "$@" "$@"
	shift $(( (i - 1) % n ))
	for ((j = 0; j < n; j++)); do
		printf '%s ' "$1"
		shift
	done
}

# ratio A B: A / B with 4 decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.4f", a / b }'; }

# calc EXPR: floating point arithmetic.
calc() { awk "BEGIN { printf \"%.6g\", $1 }"; }

# probe_fds PID: how many perf events and BPF links PID holds (a tool's
# probes and sampling events; 0 once it has exited).
probe_fds()
{
	find "/proc/$1/fd" -lname 'anon_inode:*perf_event*' -o \
		-lname 'anon_inode:bpf_link' -o -lname 'anon_inode:bpf-link' \
		2> /dev/null | wc -l
}

# wait_attached PID [TIMEOUT_S]: wait until PID holds probe fds and their
# number has not changed for half a second: tools attach one probe after
# another (bpftrace, bcc), so the first one is not "ready".  Returns 1 if
# PID exited or nothing was attached within TIMEOUT_S (default 60).
wait_attached()
{
	local pid=$1 limit=$(( ${2:-60} * 10 )) n last=-1 same=0 i

	for ((i = 0; i < limit; i++)); do
		kill -0 "$pid" 2> /dev/null || return 1
		n=$(probe_fds "$pid")
		if [ "$n" -gt 0 ] && [ "$n" = "$last" ]; then
			same=$((same + 1))
			[ "$same" -ge 5 ] && return 0
		else
			same=0
		fi
		last=$n
		sleep 0.1
	done
	return 1
}

# bpf_cost PID: "run_time_ns run_cnt" summed over the BPF programs PID
# holds open, from their fdinfo (needs kernel.bpf_stats_enabled=1:
# bpf_stats_on), each program counted once however many fds it has.
bpf_cost()
{
	local fd progs=()

	for fd in /proc/"$1"/fd/*; do
		[ "$(readlink "$fd" 2> /dev/null)" = anon_inode:bpf-prog ] &&
			progs+=("/proc/$1/fdinfo/${fd##*/}")
	done
	[ ${#progs[@]} -gt 0 ] || { echo "0 0"; return; }
	awk '$1 == "prog_id:" { id = $2 }
	     $1 == "run_time_ns:" && !(id in seen) { t += $2 }
	     $1 == "run_cnt:" && !(id in seen) { n += $2; seen[id] = 1 }
	     END { print t + 0, n + 0 }' "${progs[@]}" 2> /dev/null
}

# bpf_map_mib PID: memory the kernel charges for the BPF maps PID holds
# (memlock in their fdinfo), MiB: preallocated maps count in full.
bpf_map_mib()
{
	local fd maps=()

	for fd in /proc/"$1"/fd/*; do
		[ "$(readlink "$fd" 2> /dev/null)" = anon_inode:bpf-map ] &&
			maps+=("/proc/$1/fdinfo/${fd##*/}")
	done
	[ ${#maps[@]} -gt 0 ] || return
	awk '$1 == "memlock:" { m = $2 }
	     $1 == "map_id:" && !($2 in seen) { t += m; seen[$2] = 1 }
	     END { printf "%.1f", t / 1048576 }' "${maps[@]}" 2> /dev/null
}

# bpf_stats_on: enable the kernel's per-program run-time counters until
# the calling script exits.
bpf_stats_on()
{
	BPF_STATS_OLD=$(sysctl -n kernel.bpf_stats_enabled)
	sysctl -q kernel.bpf_stats_enabled=1
	trap 'sysctl -q kernel.bpf_stats_enabled=$BPF_STATS_OLD' EXIT
}

# start_tool FILE CMD...: start CMD in the background under /usr/bin/time,
# which writes "user sys maxrss_kib" to FILE when it ends: the tool's own
# CPU time and peak RSS over its whole run.  Sets TOOL to the tool's pid
# (for signals and its fds) and TOOL_WAIT to the pid to wait for.
start_tool()
{
	local f=$1 i
	shift
	/usr/bin/time -f '%U %S %M' -o "$f" "$@" &
	TOOL_WAIT=$!
	TOOL=
	for ((i = 0; i < 100; i++)); do
		TOOL=$(pgrep -P "$TOOL_WAIT" | head -1)
		[ -n "$TOOL" ] && return 0
		sleep 0.01
	done
	TOOL=$TOOL_WAIT
}

# stop_tool: SIGINT to the tool started last (tools print and exit on it),
# then reap it.
stop_tool()
{
	[ -n "${TOOL:-}" ] && kill -INT "$TOOL" 2> /dev/null
	wait "$TOOL_WAIT" 2> /dev/null
	TOOL=
}

# tool_cpu_ms FILE / tool_rss_mib FILE: from start_tool's FILE.
tool_cpu_ms() { awk 'END { if (NF == 3) printf "%.0f", ($1 + $2) * 1000 }' "$1" 2> /dev/null; }
tool_rss_mib() { awk 'END { if (NF == 3) printf "%.1f", $3 / 1024 }' "$1" 2> /dev/null; }

# Which comparison tools run here; each have_* prints why not, once.
have_perf()
{
	command -v perf > /dev/null && return 0
	note "skipped perf: not installed (tools/bench/deps-bench.sh installs linux-perf)"
	return 1
}

have_bpftrace()
{
	command -v bpftrace > /dev/null && return 0
	note "skipped bpftrace: not installed (tools/bench/deps-bench.sh installs it)"
	return 1
}

# have_memleak: bcc compiles its programs at run time against the running
# kernel's headers; try it on an idle process and keep its reason if not.
have_memleak()
{
	local pid why

	if ! command -v memleak-bpfcc > /dev/null; then
		MEMLEAK_WHY="not installed (tools/bench/deps-bench.sh installs bpfcc-tools)"
	else
		sleep 30 &
		pid=$!
		why=$(timeout 30 memleak-bpfcc -p $pid 1 1 2>&1)
		kill $pid
		wait $pid 2> /dev/null
		if ! echo "$why" | grep -q '^Exception\|^Traceback\|rror'; then
			return 0
		fi
		# bcc's own explanation if it gave one, else its last line.
		MEMLEAK_WHY=$( { echo "$why" | grep -i 'unable to'
				 echo "$why" | grep -i 'cannot\|no such'
				 echo "$why" | tail -1; } | head -1 |
			      sed 's/^[[:space:]]*//')
	fi
	note "skipped memleak-bpfcc: $MEMLEAK_WHY"
	return 1
}
