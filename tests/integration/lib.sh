#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Shared by the integration suites (run.sh, symbols.sh): results, processes,
# profiler runs, reading --folded files, the leftover BPF check, and the
# driver.  A suite sets TESTS, defines t_NAME for each name, sources this
# file and ends with `suite_main TARGET...`.
#
# Every suite needs root and a kernel the profiler runs on (`profiler
# check`); otherwise every test says SKIPPED and the suite exits 0.  It
# prints one PASS/FAIL/SKIPPED line per test, then "N passed, N failed, N
# skipped"; it exits 1 if any test failed.  It ends every process it starts.
#
# Environment:
#   PROFILER     profiler binary (default: ./profiler at the repo root)
#   TARGETS_DIR  built targets (default: tests/targets/build)
#   ONLY         space separated test names to run (default: all)
#   KEEP_TMP=1   keep the temporary directory and say where it is

set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
PROF=${PROFILER:-$ROOT/profiler}
TDIR=${TARGETS_DIR:-$ROOT/tests/targets/build}

# Enough samples in a short run: 2 s at 199 Hz is ~400 per busy CPU.
FREQ=199
DUR=2
# Upper bound for one profiler run; only reached when it hangs.
LIMIT=30
# Names of the profiler's BPF programs, for the leftover check.
BPF_PROGS="cpu_sample prof_fork prof_exec prof_exit"

NPASS=0
NFAIL=0
NSKIP=0
CUR=		# name of the running test
T=		# its private directory under $TMP
TMP=
PIDS=()		# background processes still to be ended
LAST_PID=
PROF_PID=
PROF_WRAP=()	# prefix for the profiler command (e.g. drop privileges)
RC=0		# exit status of the last profiler run, 124 if it hung
BPF_BEFORE=

# ---- results ---------------------------------------------------------------

ok()
{
	echo "PASS $CUR"
	NPASS=$((NPASS + 1))
}

bad()
{
	echo "FAIL $CUR: $*"
	NFAIL=$((NFAIL + 1))
}

skip()
{
	echo "SKIPPED $CUR: $*"
	NSKIP=$((NSKIP + 1))
}

summary()
{
	echo "$NPASS passed, $NFAIL failed, $NSKIP skipped"
}

# Say the same thing for every test, without running any.
all_tests()
{
	local verdict=$1 why=$2

	for CUR in $(selected_tests); do
		"$verdict" "$why"
	done
}

selected_tests()
{
	local t o

	for t in $TESTS; do
		if [[ -z ${ONLY:-} ]]; then
			echo "$t"
			continue
		fi
		for o in $ONLY; do
			[[ $o == "$t" ]] && echo "$t"
		done
	done
}

# ---- processes -------------------------------------------------------------

# spawn CMD...: start CMD in the background; its PID goes to LAST_PID and to
# the list cleanup ends.
spawn()
{
	"$@" &
	LAST_PID=$!
	PIDS+=("$LAST_PID")
}

forget()
{
	local p keep=()

	for p in "${PIDS[@]}"; do
		[[ $p == "$1" ]] || keep+=("$p")
	done
	PIDS=("${keep[@]}")
}

# End every process still on the list: SIGTERM (the profiler detaches on
# it), then SIGKILL for whatever is left after 2 s.
reap()
{
	local p i alive

	((${#PIDS[@]})) || return 0
	kill -TERM "${PIDS[@]}" 2>/dev/null
	for ((i = 0; i < 40; i++)); do
		alive=0
		for p in "${PIDS[@]}"; do
			kill -0 "$p" 2>/dev/null && alive=1
		done
		((alive)) || break
		sleep 0.05
	done
	kill -KILL "${PIDS[@]}" 2>/dev/null
	wait "${PIDS[@]}" 2>/dev/null
	PIDS=()
}

now_us()
{
	local t=$EPOCHREALTIME

	echo "${t//[!0-9]/}"
}

# wait_pid PID SECONDS: wait for a child; if it is still running after
# SECONDS, end it and return 124.
wait_pid()
{
	local pid=$1 limit_us=$(($2 * 1000000)) t0 rc

	t0=$(now_us)
	while kill -0 "$pid" 2>/dev/null; do
		if (($(now_us) - t0 > limit_us)); then
			kill -TERM "$pid" 2>/dev/null
			sleep 2
			kill -KILL "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
			forget "$pid"
			return 124
		fi
		sleep 0.05
	done
	wait "$pid"
	rc=$?
	forget "$pid"
	return $rc
}

# wait_exec PID EXE: wait until PID runs EXE, as /proc/PID/exe reads from
# here; 1 if it does not within 2 s.
wait_exec()
{
	local i

	for ((i = 0; i < 100; i++)); do
		[[ $(readlink "/proc/$1/exe" 2>/dev/null) == "$2" ]] && return 0
		sleep 0.02
	done
	return 1
}

# start_exe EXE ARGS...: run EXE in the background and wait until it has
# exec'ed, as a user's `-p $(pidof NAME)` would find it.
start_exe()
{
	spawn "$@"
	wait_exec "$LAST_PID" "$1"
}

# start_target NAME ARGS...: start_exe for a program of tests/targets.
start_target()
{
	local exe=$TDIR/$1

	shift
	start_exe "$exe" "$@"
}

# cpu_ticks PID: user + system time of a process so far, in clock ticks.
cpu_ticks()
{
	awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null ||
		echo 0
}

# The profiler runs with SIGINT at its default, as from a terminal: bash
# starts background commands with SIGINT and SIGQUIT ignored.
prof_start()
{
	spawn "${PROF_WRAP[@]}" env --default-signal=INT,QUIT "$PROF" "$@" \
		>"$T/out" 2>"$T/err"
	PROF_PID=$LAST_PID
}

prof_wait()
{
	wait_pid "$PROF_PID" "$1"
	RC=$?
}

# comm_samples FILE COMM: samples whose first frame is COMM.
comm_samples()
{
	COMM=$2 awk '
	/^[^ ].* [0-9]+$/ && substr($0, 1, length(ENVIRON["COMM"]) + 1) == ENVIRON["COMM"] ";" {
		n += $NF
	}
	END { print n + 0 }' "$1"
}

# cpu_timed CMD...: run CMD (its output dropped); print the CPU time it
# used, user + system, in milliseconds.
cpu_timed()
{
	local TIMEFORMAT='%3U %3S' t

	t=$({ time "$@" >/dev/null 2>&1; } 2>&1)
	awk '{ printf "%d\n", ($1 + $2) * 1000 }' <<<"$t"
}

# wait_said WORD: the handshake with a profiler started by prof_start:
# until its stderr says WORD ("tracing": probes attached; "profiling":
# sampling), or it exits.  1 with a "bad" line if it never said it.
wait_said()
{
	local i

	for ((i = 0; i < LIMIT * 20; i++)); do
		grep -q "$1" "$T/err" 2>/dev/null && return 0
		kill -0 "$PROF_PID" 2>/dev/null || break
		sleep 0.05
	done
	grep -q "$1" "$T/err" 2>/dev/null && return 0
	bad "the profiler never said '$1'; stderr: $(err_head)"
	return 1
}

# prof ARGS...: one profiler run to its end; output in $T/out and $T/err.
prof()
{
	prof_start "$@"
	prof_wait "$LIMIT"
}

# expect_rc N: the last profiler run exited N, else fail the test.
expect_rc()
{
	if ((RC == 124)); then
		bad "profiler still running after ${LIMIT}s, ended it"
		return 1
	fi
	if ((RC != $1)); then
		bad "profiler exited $RC, expected $1; stderr: $(err_head)"
		return 1
	fi
	return 0
}

err_head()
{
	local l

	l=$(head -n 1 "$T/err" 2>/dev/null)
	echo "${l:-(empty)}"
}

# ---- folded output ---------------------------------------------------------
#
# A folded line is "frame;frame;...;frame COUNT", root first, the process
# name (comm) as the first frame.  Frames may contain spaces, so the count is
# what follows the last space.

# folded_sum FILE FRAMES [COMM]: prints "HIT TOTAL MALFORMED": the samples
# whose stack holds FRAMES (";"-separated, consecutive, whole frames) and,
# if COMM is given, whose first frame is COMM; all samples; bad lines.
folded_sum()
{
	PAT=$2 COMM=${3-} awk '
	BEGIN { pat = ";" ENVIRON["PAT"] ";"; comm = ENVIRON["COMM"] }
	!/^[^ ].* [0-9]+$/ { malformed++; next }
	{
		n = $NF
		s = $0
		sub(/ [0-9]+$/, "", s)
		total += n
		if (comm != "" && substr(s, 1, length(comm) + 1) != comm ";")
			next
		if (index(";" s ";", pat))
			hit += n
	}
	END { printf "%d %d %d\n", hit, total, malformed }' "$1"
}

# samples_with_frame FILE ERE [COMM]: samples with a frame after the comm
# matching ERE (only those whose comm is COMM, if given).
samples_with_frame()
{
	RE=$2 COMM=${3-} awk '
	/^[^ ].* [0-9]+$/ {
		n = $NF
		s = $0
		sub(/ [0-9]+$/, "", s)
		k = split(s, f, ";")
		if (ENVIRON["COMM"] != "" && f[1] != ENVIRON["COMM"])
			next
		for (i = 2; i <= k; i++) {
			if (f[i] ~ ENVIRON["RE"]) {
				hit += n
				break
			}
		}
	}
	END { print hit + 0 }' "$1"
}

# check_share FILE FRAMES MIN_TOTAL [COMM]: at least 90% of the samples are
# under FRAMES and there are at least MIN_TOTAL samples.
check_share()
{
	local file=$1 frames=$2 min=$3 hit total malformed

	if [[ ! -s $file ]]; then
		bad "folded file missing or empty; stderr: $(err_head)"
		return 1
	fi
	read -r hit total malformed < <(folded_sum "$file" "$frames")
	if ((malformed)); then
		bad "$malformed malformed line(s) in the folded file"
		return 1
	fi
	if ((total < min)); then
		bad "$total samples in total, expected at least $min"
		return 1
	fi
	if ((hit * 10 < total * 9)); then
		bad "$hit of $total samples ($((hit * 100 / total))%) under $frames, expected >= 90%"
		return 1
	fi
	return 0
}

# kernel_thread: the pid of kthreadd, the parent of kernel threads (2 on
# any Linux not in a pid namespace); fails if not visible.
kernel_thread()
{
	[[ $(cat /proc/2/comm 2>/dev/null) == kthreadd ]] || return 1
	echo 2
}

# top_stack FILE [COMM]: the stack with the most samples (of COMM, if
# given), as "STACK (N samples)", cut to its last 160 characters: what a
# failure should show instead of the stack it wanted.
top_stack()
{
	COMM=${2-} awk '
	/^[^ ].* [0-9]+$/ {
		n = $NF
		s = $0
		sub(/ [0-9]+$/, "", s)
		if (ENVIRON["COMM"] != "" &&
		    substr(s, 1, length(ENVIRON["COMM"]) + 1) != ENVIRON["COMM"] ";")
			next
		c[s] += n
	}
	END {
		for (s in c)
			if (c[s] > best) {
				best = c[s]
				top = s
			}
		if (length(top) > 160)
			top = "..." substr(top, length(top) - 159)
		printf "%s (%d samples)\n", best ? top : "(none)", best
	}' "$1"
}

# ---- leftover BPF programs -------------------------------------------------

# "ID NAME" of every loaded BPF program named like one of the profiler's.
profiler_progs()
{
	bpftool prog show 2>/dev/null | PROGS=$BPF_PROGS awk '
	BEGIN { n = split(ENVIRON["PROGS"], p, " ") }
	/^[0-9]+:/ {
		for (i = 1; i < NF; i++) {
			if ($i != "name")
				continue
			for (j = 1; j <= n; j++)
				if (index($(i + 1), p[j]) == 1)
					print $1 + 0, $(i + 1)
		}
	}'
}

# Programs that appeared during the suite and are still loaded.  The kernel
# frees a program shortly after its last fd closes, so allow it a moment.
# Every suite lists it last.
t_no_bpf_leftover()
{
	local i left

	if ! command -v bpftool >/dev/null; then
		skip "bpftool is not installed"
		return
	fi
	for ((i = 0; i < 50; i++)); do
		left=$(profiler_progs | grep -vxF -f <(echo "$BPF_BEFORE") |
		       tr '\n' ' ')
		[[ -z ${left// /} ]] && break
		sleep 0.1
	done
	if [[ -n ${left// /} ]]; then
		bad "BPF programs still loaded (id name): $left"
		return
	fi
	ok
}

# ---- driver ----------------------------------------------------------------

# Run by a suite for what it leaves besides processes and $TMP.
suite_cleanup()
{
	:
}

cleanup()
{
	reap
	suite_cleanup
	if [[ -n $TMP ]]; then
		if [[ ${KEEP_TMP:-0} == 1 ]]; then
			echo "kept $TMP" >&2
		else
			rm -rf "$TMP"
		fi
	fi
}

# suite_main TARGET...: check that the profiler and the named files of
# tests/targets/build are built, then run the selected tests.
suite_main()
{
	local missing= t why

	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM

	[[ -x $PROF ]] || missing="$missing $PROF"
	for t in "$@"; do
		[[ -e $TDIR/$t ]] || missing="$missing $TDIR/$t"
	done
	if [[ -n $missing ]]; then
		all_tests bad "not built:$missing (run make first)"
		summary
		exit 1
	fi
	TDIR=$(cd "$TDIR" && pwd -P)

	if (($(id -u) != 0)); then
		all_tests skip "not root"
		summary
		exit 0
	fi

	# Real path: tests compare it with what /proc shows.
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/profiler-it.XXXXXX") &&
		TMP=$(cd "$TMP" && pwd -P) || {
		all_tests bad "mktemp -d failed"
		summary
		exit 1
	}

	T=$TMP/gate
	mkdir "$T"
	CUR=check
	prof check
	if ((RC != 0)); then
		why=$(head -n 1 "$T/err")
		[[ -n $why ]] || why=$(grep . "$T/out" | tail -n 1)
		all_tests skip "profiler check failed (exit $RC): ${why:-no output}"
		summary
		exit 0
	fi

	command -v bpftool >/dev/null && BPF_BEFORE=$(profiler_progs)

	for CUR in $(selected_tests); do
		T=$TMP/$CUR
		mkdir "$T"
		"t_$CUR"
		reap
	done

	summary
	((NFAIL == 0))
	exit
}
