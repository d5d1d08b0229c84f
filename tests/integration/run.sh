#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Integration tests of the CPU profiler: real BPF, profiling the programs of
# tests/targets, asserting on what a user sees (exit status, stderr, the
# summary on stdout, the --folded file).
#
# Run as `bash tests/integration/run.sh` after `make`.  Needs root and a
# kernel the profiler runs on (`profiler check`); otherwise every test says
# SKIPPED and the suite exits 0.  Prints one PASS/FAIL/SKIPPED line per test,
# then "N passed, N failed, N skipped"; exits 1 if any test failed.
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
BPF_PROGS="cpu_sample prof_fork prof_exec"

TESTS="check chain_share lib_named system_wide short_lived follow_fork_exec
       command_mode target_exits
       sigint threads user_only kernel_only
       error_no_process error_pid_abc error_pid_12x error_unknown_option
       error_freq_zero error_top_x not_root no_bpf_leftover"

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

# start_target NAME ARGS...: run a target in the background and wait until
# it has exec'ed, as a user's `-p $(pidof NAME)` would find it.
start_target()
{
	local exe=$TDIR/$1 i

	shift
	spawn "$exe" "$@"
	for ((i = 0; i < 100; i++)); do
		[[ $(readlink "/proc/$LAST_PID/exe" 2>/dev/null) == "$exe" ]] &&
			return 0
		sleep 0.02
	done
	return 1
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

# ---- tests -----------------------------------------------------------------

t_check()
{
	prof check
	expect_rc 0 || return
	if ! grep -q . "$T/out"; then
		bad "printed no check on stdout"
		return
	fi
	if grep -q '^[[:space:]]*$' "$T/out"; then
		bad "blank line in its output; expected one line per check"
		return
	fi
	ok
}

t_chain_share()
{
	start_target cpu_chain $((DUR + 2)) || { bad "cpu_chain did not start"; return; }
	prof -p "$LAST_PID" -d "$DUR" -F "$FREQ" --folded "$T/folded"
	expect_rc 0 || return
	check_share "$T/folded" "main;chain_a;chain_b;chain_hot" 100 || return
	ok
}

t_lib_named()
{
	start_target cpu_lib $((DUR + 2)) || { bad "cpu_lib did not start"; return; }
	prof -p "$LAST_PID" -d "$DUR" -F "$FREQ" --folded "$T/folded"
	expect_rc 0 || return
	check_share "$T/folded" "call_lib;lib_hot_spin" 100 || return
	if ! awk 'index($0, "lib_hot_spin") && index($0, "libhot.so") { f = 1 }
		  END { exit !f }' "$T/out"; then
		bad "no line of the summary names both lib_hot_spin and libhot.so"
		return
	fi
	ok
}

t_system_wide()
{
	local hit total malformed

	start_target cpu_chain $((DUR + 2)) || { bad "cpu_chain did not start"; return; }
	prof -d "$DUR" -F "$FREQ" --folded "$T/folded"
	expect_rc 0 || return
	if [[ ! -s $T/folded ]]; then
		bad "folded file missing or empty; stderr: $(err_head)"
		return
	fi
	read -r hit total malformed < <(folded_sum "$T/folded" \
		"main;chain_a;chain_b;chain_hot" cpu_chain)
	if ((malformed)); then
		bad "$malformed malformed line(s) in the folded file"
		return
	fi
	if ((hit < 50)); then
		bad "$hit samples of comm cpu_chain under main;chain_a;chain_b;chain_hot (of $total), expected >= 50"
		return
	fi
	ok
}

# A process that starts after the profiler and exits before it ends still
# gets its frames named: its maps are read at its first sample.
t_short_lived()
{
	local hit total malformed

	prof_start -d 3 -F "$FREQ" --folded "$T/folded"
	sleep 0.7
	"$TDIR/cpu_chain" 0.4
	prof_wait "$LIMIT"
	expect_rc 0 || return
	read -r hit total malformed < <(folded_sum "$T/folded" \
		"main;chain_a;chain_b;chain_hot" cpu_chain)
	if ((hit < 30)); then
		bad "$hit samples of the 0.4 s process named under main;chain_a;chain_b;chain_hot (of $total), expected >= 30"
		return
	fi
	ok
}

# -p follows processes the target forks, and their exec: a shell that
# starts cpu_chain after the profiler attached.
t_follow_fork_exec()
{
	local spid

	spawn bash -c "sleep 0.5; '$TDIR/cpu_chain' 1.5; true"
	spid=$LAST_PID
	prof -p "$spid" -F "$FREQ" --folded "$T/folded"
	expect_rc 0 || return
	check_share "$T/folded" "main;chain_a;chain_b;chain_hot" 100 || return
	if ! grep -q '^cpu_chain;' "$T/folded"; then
		bad "no stack under the child's name cpu_chain"
		return
	fi
	ok
}

t_command_mode()
{
	prof -F "$FREQ" --folded "$T/folded" -- "$TDIR/exit_status" 1.5 7
	expect_rc 7 || return
	check_share "$T/folded" "main;status_spin" 100 || return
	ok
}

t_target_exits()
{
	local tpid

	start_target cpu_chain 1 || { bad "cpu_chain did not start"; return; }
	tpid=$LAST_PID
	prof_start -p "$tpid" -F "$FREQ" --folded "$T/folded"
	prof_wait 15
	wait_pid "$tpid" 1
	if ((RC == 124)); then
		bad "profiler still running 15 s after starting on a 1 s target"
		return
	fi
	expect_rc 0 || return
	check_share "$T/folded" "main;chain_a;chain_b;chain_hot" 20 || return
	ok
}

t_sigint()
{
	local dir=$T/folded.d file hit total malformed f left=

	mkdir "$dir"
	file=$dir/folded
	start_target cpu_chain 10 || { bad "cpu_chain did not start"; return; }
	prof_start -p "$LAST_PID" -F "$FREQ" --folded "$file"
	sleep 1.5
	kill -INT "$PROF_PID"
	prof_wait 10
	if ((RC == 124)); then
		bad "profiler still running 10 s after SIGINT"
		return
	fi
	expect_rc 0 || return
	if [[ ! -s $file ]]; then
		bad "folded file missing or empty after SIGINT"
		return
	fi
	if ! tail -n 1 "$file" | grep -Eq ' [0-9]+$' ||
	   [[ $(tail -c 1 "$file" | od -An -tx1) != *0a* ]]; then
		bad "folded file cut short: last line '$(tail -n 1 "$file" | cut -c 1-80)'"
		return
	fi
	read -r hit total malformed < <(folded_sum "$file" "chain_hot")
	if ((malformed)); then
		bad "$malformed malformed line(s) in the folded file"
		return
	fi
	for f in "$dir"/* "$dir"/.*; do
		case ${f##*/} in
		folded | . | .. | '*' | '.*') ;;
		*) left="$left ${f##*/}" ;;
		esac
	done
	if [[ -n $left ]]; then
		bad "files left beside the folded file:$left"
		return
	fi
	ok
}

# 4 workers on every CPU: the samples must come from all of them.  When the
# machine is busy (a build in another session: autogroup scheduling then
# leaves the workers about one CPU), the count says nothing about the
# profiler, so the workers' CPU time decides between FAIL and SKIPPED.
t_threads()
{
	local tpid hit total malformed min c0 c1 w0 w1 hz ncpu busy_ms

	start_target threads $((DUR + 2)) || { bad "threads did not start"; return; }
	tpid=$LAST_PID
	c0=$(cpu_ticks "$tpid")
	w0=$(now_us)
	prof -p "$tpid" -d "$DUR" -F "$FREQ" --folded "$T/folded"
	c1=$(cpu_ticks "$tpid")
	w1=$(now_us)
	expect_rc 0 || return
	check_share "$T/folded" "thread_worker;thread_hot" 1 || return
	read -r hit total malformed < <(folded_sum "$T/folded" x)
	# More than one thread could produce alone.
	min=$((13 * DUR * FREQ / 10))
	if ((total * 10 > 13 * DUR * FREQ)); then
		ok
		return
	fi
	# CPU time the workers surely had while sampled: all of theirs in
	# the window, less every CPU's worth of the window beyond -d.
	hz=$(getconf CLK_TCK)
	ncpu=$(getconf _NPROCESSORS_ONLN)
	busy_ms=$(((c1 - c0) * 1000 / hz - ncpu * ((w1 - w0) / 1000 - DUR * 1000)))
	if ((busy_ms < 1500 * DUR)); then
		skip "machine busy: the workers surely had only ${busy_ms} ms of CPU in the ${DUR}s sampled ($total samples); rerun on an idle machine"
		return
	fi
	bad "$total samples, expected more than $min (1.3 x ${DUR}s x ${FREQ} Hz); the workers had at least ${busy_ms} ms of CPU while sampled"
}

t_user_only()
{
	local k

	start_target cpu_chain $((DUR + 2)) || { bad "cpu_chain did not start"; return; }
	prof -U -p "$LAST_PID" -d "$DUR" -F "$FREQ" --folded "$T/folded"
	expect_rc 0 || return
	check_share "$T/folded" "main;chain_a;chain_b;chain_hot" 100 || return
	k=$(samples_with_frame "$T/folded" '_\[k\]$')
	if ((k)); then
		bad "$k samples with kernel frames under -U: $(grep -m 1 '_\[k\]' "$T/folded" | cut -c 1-120)"
		return
	fi
	ok
}

# cpu_chain gives user-mode samples that must not show up as user frames;
# dd copying /dev/zero to /dev/null gives kernel stacks that must.
t_kernel_only()
{
	local cpid dpid u k

	start_target cpu_chain $((DUR + 2)) || { bad "cpu_chain did not start"; return; }
	cpid=$LAST_PID
	spawn dd if=/dev/zero of=/dev/null bs=1M count=1000000000 status=none
	dpid=$LAST_PID
	prof -K -p "$cpid,$dpid" -d "$DUR" -F "$FREQ" --folded "$T/folded"
	expect_rc 0 || return
	if [[ ! -s $T/folded ]]; then
		bad "folded file missing or empty; stderr: $(err_head)"
		return
	fi
	u=$(samples_with_frame "$T/folded" '^(main|chain_a|chain_b|chain_hot)$')
	if ((u)); then
		bad "$u samples with user functions under -K: $(grep -m 1 -E ';(main|chain_[a-z]+)(;| )' "$T/folded" | cut -c 1-120)"
		return
	fi
	k=$(samples_with_frame "$T/folded" '_\[k\]$' dd)
	if ((k < 50)); then
		bad "$k samples of dd with kernel frames under -K, expected >= 50"
		return
	fi
	ok
}

t_error_no_process()
{
	local n

	if [[ -e /proc/999999 ]]; then
		skip "a process 999999 exists"
		return
	fi
	prof -p 999999 -d 1
	expect_rc 1 || return
	n=$(wc -l <"$T/err")
	if ((n != 1)); then
		bad "$n lines on stderr, expected 1: $(err_head)"
		return
	fi
	if ! grep -q 'process 999999 not found' "$T/err"; then
		bad "stderr lacks 'process 999999 not found': $(err_head)"
		return
	fi
	ok
}

# usage_error WORD ARGS...: ARGS is a usage error: exit 2, stderr one line
# naming WORD, or that line plus a pointer to --help.
usage_error()
{
	local word=$1 n

	shift
	prof "$@"
	expect_rc 2 || return
	n=$(wc -l <"$T/err")
	if ((n < 1 || n > 2)); then
		bad "$n lines on stderr, expected 1 (or 2 with a --help hint): $(err_head)"
		return
	fi
	if ((n == 2)) && ! sed -n 2p "$T/err" | grep -q -- '--help'; then
		bad "second stderr line is not a --help hint: $(sed -n 2p "$T/err")"
		return
	fi
	if ! head -n 1 "$T/err" | grep -qwF -- "$word"; then
		bad "first stderr line does not name '$word': $(err_head)"
		return
	fi
	ok
}

t_error_pid_abc()
{
	usage_error abc -p abc -d 1
}

t_error_pid_12x()
{
	usage_error 12x -p 12x -d 1
}

t_error_unknown_option()
{
	usage_error no-such-option --no-such-option -d 1
}

t_error_freq_zero()
{
	usage_error 0 -F 0 -d 1
}

t_error_top_x()
{
	usage_error x --top x -d 1
}

t_not_root()
{
	local nobody

	nobody=$(id -u nobody 2>/dev/null) || { skip "no user nobody"; return; }
	if command -v setpriv >/dev/null; then
		PROF_WRAP=(setpriv --reuid="$nobody" --regid="$(id -g nobody)"
			   --clear-groups)
	elif command -v runuser >/dev/null; then
		PROF_WRAP=(runuser -u nobody --)
	else
		skip "neither setpriv nor runuser is installed"
		return
	fi
	if ! "${PROF_WRAP[@]}" test -x "$PROF"; then
		PROF_WRAP=()
		skip "user nobody cannot execute $PROF"
		return
	fi
	prof -p $$ -d 1
	PROF_WRAP=()
	expect_rc 1 || return
	if ! grep -q 'needs root or CAP_BPF and CAP_PERFMON' "$T/err"; then
		bad "stderr lacks 'needs root or CAP_BPF and CAP_PERFMON': $(err_head)"
		return
	fi
	ok
}

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

# ---- main ------------------------------------------------------------------

cleanup()
{
	reap
	if [[ -n $TMP ]]; then
		if [[ ${KEEP_TMP:-0} == 1 ]]; then
			echo "kept $TMP" >&2
		else
			rm -rf "$TMP"
		fi
	fi
}

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

missing=
[[ -x $PROF ]] || missing="$missing $PROF"
for t in cpu_chain cpu_lib exit_status threads libhot.so; do
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

TMP=$(mktemp -d "${TMPDIR:-/tmp}/profiler-it.XXXXXX") || {
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
