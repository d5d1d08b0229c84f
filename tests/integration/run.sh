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
#
# The helpers and the driver are in lib.sh, shared with symbols.sh.

set -u

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TESTS="check chain_share chain_share_fp lib_named system_wide short_lived follow_fork_exec
       command_mode target_exits idle_target kernel_thread
       sigint threads threads_after_attach forking_shell bystander user_only
       kernel_only
       error_no_process error_pid_abc error_pid_12x error_unknown_option
       error_freq_zero error_top_x not_root no_bpf_leftover"

# ---- tests -----------------------------------------------------------------

# A target that sleeps through the run: no samples, and the report says
# why (its CPU time during the run), not just "no samples".
t_idle_target()
{
	local tpid

	spawn sleep 60
	tpid=$LAST_PID
	wait_exec "$tpid" "$(readlink -f "$(command -v sleep)")" || { bad "sleep did not start"; return; }
	prof -p "$tpid" -d 1
	expect_rc 0 || return
	grep -q "^no samples collected" "$T/out" &&
	grep -q "^process $tpid (sleep) ran 0 ms on a CPU during the run: cpu-clock counts time spent running" "$T/out" ||
		{ bad "no explanation: $(grep -A2 'no samples' "$T/out" | tr '\n' '|')"; return; }
	ok
}

# cpu profiles kernel threads (their kernel stacks); an idle one is named
# as such.
t_kernel_thread()
{
	local k

	k=$(kernel_thread) || { skip "no kernel thread visible (kthreadd is not pid 2)"; return; }
	prof -p "$k" -d 0.5
	expect_rc 0 || return
	if grep -q "^no samples collected" "$T/out" &&
	   ! grep -q "^process $k (kthreadd, a kernel thread) ran [0-9]* ms on a CPU" "$T/out"; then
		bad "no explanation: $(grep -A2 'no samples' "$T/out" | tr '\n' '|')"
		return
	fi
	ok
}

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

# --unwind fp: the frame-pointer walk as before unwinding from tables.
t_chain_share_fp()
{
	start_target cpu_chain $((DUR + 2)) || { bad "cpu_chain did not start"; return; }
	prof -p "$LAST_PID" -d "$DUR" -F "$FREQ" --unwind fp --folded "$T/folded"
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
# gets its frames named: its maps are read at its first sample.  Its
# samples are bounded by the CPU time it used: at least half of what
# FREQ Hz gives in that time, and 90% of them under main;chain_a;...
# Frame pointers only: at start-up a system-wide run loads the unwind
# tables of every running process, and a process that lives 0.4 s may
# start and end behind that work (its maps then unread); what is tested
# here is the naming.
t_short_lived()
{
	local hit total malformed all ms

	prof_start -F "$FREQ" --unwind fp -v --folded "$T/folded"
	wait_said profiling || return
	ms=$(cpu_timed "$TDIR/cpu_chain" 0.4)
	kill -INT "$PROF_PID"
	prof_wait "$LIMIT"
	expect_rc 0 || return
	all=$(comm_samples "$T/folded" cpu_chain)
	read -r hit total malformed < <(folded_sum "$T/folded" \
		"main;chain_a;chain_b;chain_hot" cpu_chain)
	if ((all == 0 || all * 2000 < ms * FREQ || hit * 10 < all * 9)); then
		bad "cpu_chain ran $ms ms on a CPU: $all samples (expected >= $((ms * FREQ / 2000))), $hit of them under main;chain_a;chain_b;chain_hot (of $total), expected >= 90%; its most common stack: $(top_stack "$T/folded" cpu_chain); $(grep -m1 'maps of process .* unreadable' "$T/err")"
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

# A shell that starts commands without end is sampled in proportion to its
# own CPU time: its children inherit its event, and the kernel must not
# take their contexts for clones of the shell's (it swaps those instead of
# switching events, and the shell's event then ends with a child: a tenth
# of the samples).  At least half of what its CPU time gives at FREQ Hz.
t_forking_shell()
{
	local spid c0 c1 n hz

	spawn bash -c "while :; do /bin/true; done"
	spid=$LAST_PID
	c0=$(cpu_ticks "$spid")
	prof -p "$spid" -d "$DUR" -F "$FREQ" --folded "$T/folded"
	c1=$(cpu_ticks "$spid")
	expect_rc 0 || return
	hz=$(getconf CLK_TCK)
	n=$(comm_samples "$T/folded" bash)
	if ((n * 2 * hz < (c1 - c0) * FREQ)); then
		bad "$n samples of the shell, which ran $(((c1 - c0) * 1000 / hz)) ms on a CPU (expected >= $(((c1 - c0) * FREQ / hz / 2)))"
		return
	fi
	ok
}

# Threads a -p target creates after the profiler attached are sampled: its
# threads' events are inherited by the threads they create.  threads
# --after-signal starts its four workers at SIGUSR1, sent once the
# profiler says it is profiling; main then only waits in pthread_join.
t_threads_after_attach()
{
	local tpid i

	spawn "$TDIR/threads" 3 --after-signal >"$T/ready"
	tpid=$LAST_PID
	for ((i = 0; i < LIMIT * 10; i++)); do
		grep -q ready "$T/ready" && break
		sleep 0.1
	done
	grep -q ready "$T/ready" || { bad "threads did not start"; return; }
	prof_start -p "$tpid" -F "$FREQ" --folded "$T/folded"
	wait_said profiling || return
	kill -USR1 "$tpid"
	prof_wait "$LIMIT"
	expect_rc 0 || return
	# At least a CPU-second of the workers' 12 (4 threads, 3 s).
	check_share "$T/folded" "thread_worker;thread_hot" "$FREQ" || return
	ok
}

# gaps_rate: a bystander's interruptions per second over 1.5 s
# (tools/bench/gaps.c: gaps of 300 ns to 1 ms between two clock reads,
# which take some 30 ns).
gaps_rate()
{
	local gpid i nr

	"$TDIR/gaps" 1.5 300 >"$T/gaps" &
	gpid=$!
	# It blocks SIGUSR1 first thing, then waits for it: in
	# rt_sigtimedwait (128 on x86-64, the first field of /proc/PID/syscall).
	for ((i = 0; i < LIMIT * 100; i++)); do
		read -r nr _ <"/proc/$gpid/syscall" 2>/dev/null
		[[ $nr == 128 ]] && break
		sleep 0.01
	done
	kill -USR1 "$gpid"
	wait "$gpid" || return 1
	awk '{ printf "%d\n", $2 / ($1 / 1e9) }' "$T/gaps"
}

# gaps_under ARGS...: the fewer of two gaps_rate while `profiler ARGS`
# samples at 9999 Hz.
gaps_under()
{
	local r1 r2

	prof_start -F 9999 "$@"
	wait_said profiling || return 1
	r1=$(gaps_rate) && r2=$(gaps_rate) || return 1
	kill -INT "$PROF_PID"
	prof_wait "$LIMIT"
	expect_rc 0 || return 1
	echo $((r1 < r2 ? r1 : r2))
}

# With -p nothing else on the machine is interrupted (one sampling event
# per thread of the target, as perf record -p): a bystander counting its
# own interruptions sees about as many while a busy process is profiled as
# without.  The control, in the same run: sampled system-wide, the same
# bystander is interrupted at each period of its CPU, as it was with -p on
# per-CPU events; what -p adds must stay under a third of that.  At
# 9999 Hz: on this kind of host (a VM in a VM) the bystander's baseline
# swings by hundreds of interruptions a second between runs, as much as
# per-CPU events at 999 Hz add; at 9999 Hz they add thousands.  Each
# profiled figure is the fewer of two runs and the baseline the most of
# three, so that noise makes it pass, not fail; where the control adds
# under 1000/s, the test says so and skips.
t_bystander()
{
	local tpid b0 b1 b2 p w base xp xw

	start_target cpu_chain 60 || { bad "cpu_chain did not start"; return; }
	tpid=$LAST_PID
	b0=$(gaps_rate) || { bad "gaps failed"; return; }
	p=$(gaps_under -p "$tpid" --folded "$T/folded") || { bad "profiling -p"; return; }
	read -r _ xp _ < <(folded_sum "$T/folded" x)
	((xp >= 1000)) || { bad "only $xp samples of the busy target"; return; }
	b1=$(gaps_rate) || { bad "gaps failed"; return; }
	w=$(gaps_under --unwind fp) || { bad "profiling system-wide"; return; }
	b2=$(gaps_rate) || { bad "gaps failed"; return; }
	base=$((b0 > b1 ? b0 : b1))
	base=$((base > b2 ? base : b2))
	xp=$((p - base))
	xw=$((w - base))
	if ((xw < 1000)); then
		skip "the control (system-wide) adds only $xw interruptions/s to the bystander: too few to tell from noise (baseline $b0, $b1, $b2 /s)"
		return
	fi
	if ((xp * 3 >= xw)); then
		bad "-p adds $xp interruptions/s to a bystander (system-wide: $xw; baseline $b0, $b1, $b2 /s)"
		return
	fi
	ok
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

suite_main cpu_chain cpu_lib exit_status threads libhot.so
