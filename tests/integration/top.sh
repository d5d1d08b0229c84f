#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Integration tests of `profiler top`: a table per second when stdout is not
# a terminal (the last --window seconds, at most --top rows), the live
# screen on a pseudo-terminal (fits a resize, q quits, the alternate screen
# is left: tests/integration/top_pty.py), and the errors.  The mem, lat and
# offcpu views against targets whose truth is known: mem_exact's sites,
# lat_target's calls, offcpu_target's sleeper.
#
# Run as `bash tests/integration/top.sh` after `make` and `make targets`.
# Same conventions as run.sh (see lib.sh).

set -u

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BPF_PROGS="$BPF_PROGS alloc_entry alloc_return free_entry lat_entry lat_return
	   lat_ret lat_thread_exit offcpu_switch"

TESTS="batch screen tmux errors mem_batch lat_batch offcpu_batch offcpu_tmux
       view_errors no_bpf_leftover"

# Not a terminal: one table per second; each names the busy chain first,
# the window grows to --window and stays; --top bounds the rows.
t_batch()
{
	local frames windows

	start_target cpu_chain 30 || { bad "cpu_chain did not start"; return; }
	prof top -p "$LAST_PID" -d 4.5 --window 2 --top 3
	expect_rc 0 || return
	frames=$(grep -c '^profiler top ' "$T/out")
	((frames >= 3)) || { bad "$frames tables in 4.5 s: $(head -c 500 "$T/out")"; return; }
	windows=$(sed -n 's/.*, last \([0-9]*\) s: .*/\1/p' "$T/out" | tr '\n' ' ')
	[[ $windows == "1 2 2 "* ]] || { bad "windows: $windows"; return; }
	# Each table: its header, then at most 3 rows, the first spin_burn.
	awk '/^profiler top / { if (n > 4) bad = 1; n = 0; first = 1; next }
	     /^ *SELF%/ { n++; next }
	     NF { n++; if (first && $3 != "spin_burn") bad = 1; first = 0 }
	     END { exit bad }' "$T/out" || { bad "tables: $(head -c 600 "$T/out")"; return; }
	ok
}

t_screen()
{
	command -v python3 >/dev/null || { skip "python3 is not installed"; return; }
	start_target cpu_chain 60 || { bad "cpu_chain did not start"; return; }
	if ! python3 "$ROOT/tests/integration/top_pty.py" "$PROF" "$LAST_PID" "$T/screen" \
		>"$T/why" 2>&1; then
		bad "$(head -c 400 "$T/why")"
		return
	fi
	ok
}

# In tmux, as a user would: the hot function is on screen, q exits 0.
t_tmux()
{
	local sock=$T/tmux.sock i tpid

	command -v tmux >/dev/null || { skip "tmux is not installed (tools/deps.sh installs it)"; return; }
	start_target cpu_chain 60 || { bad "cpu_chain did not start"; return; }
	tpid=$LAST_PID
	tmux -S "$sock" new-session -d -x 120 -y 30 \
		"$PROF top -p $tpid; echo \$? > $T/rc; sleep 60" || { bad "tmux"; return; }
	for ((i = 0; i < LIMIT * 10; i++)); do
		tmux -S "$sock" capture-pane -p >"$T/pane" 2>/dev/null
		grep -q spin_burn "$T/pane" && break
		sleep 0.1
	done
	if ! grep -q spin_burn "$T/pane"; then
		bad "not on screen: $(head -c 400 "$T/pane")"
		tmux -S "$sock" kill-server
		return
	fi
	tmux -S "$sock" send-keys q
	for ((i = 0; i < LIMIT * 10; i++)); do
		[[ -s $T/rc ]] && break
		sleep 0.1
	done
	tmux -S "$sock" kill-server 2>/dev/null
	[[ $(cat "$T/rc" 2>/dev/null) == 0 ]] || { bad "top exited ${rc:-?} after q: $(cat "$T/rc" 2>/dev/null)"; return; }
	ok
}

t_errors()
{
	prof top --window 0 -d 1
	expect_rc 2 || return
	grep -q "invalid --window '0'" "$T/err" || { bad "stderr: $(err_head)"; return; }
	prof top -- /bin/true
	expect_rc 2 || return
	prof top -p 999999 -d 1
	expect_rc 1 || return
	ok
}

# wait_tables N ERE: until N lines of the profiler's output match ERE (or
# it exits); 1 with a "bad" line if they never do.
wait_tables()
{
	local i

	for ((i = 0; i < LIMIT * 20; i++)); do
		(($(grep -cE "$2" "$T/out") >= $1)) && return 0
		kill -0 "$PROF_PID" 2>/dev/null || break
		sleep 0.05
	done
	(($(grep -cE "$2" "$T/out") >= $1)) && return 0
	bad "fewer than $1 lines like '$2': $(tail -c 600 "$T/out")"
	return 1
}

# wait_done: until the target (started with its stdout in $T/target.out)
# says its work is done.
wait_done()
{
	local i

	for ((i = 0; i < LIMIT * 10; i++)); do
		grep -qx done "$T/target.out" && return 0
		sleep 0.1
	done
	bad "the target did not finish its work"
	return 1
}

# Ctrl-C ends top: exit 0.
stop_top()
{
	kill -INT "$PROF_PID"
	prof_wait "$LIMIT"
	expect_rc 0
}

# mem: mem_exact's one burst of work (tests/targets/mem_exact.c): 1610
# allocations, 25 blocks of 11280 bytes outstanding, 20 of them (10000 B)
# from alloc_zeroed's calloc and 5 (1280 B) from alloc_aligned's
# posix_memalign.  Once its work is done: the totals line says so; some
# window holds the whole burst (its rates times its seconds are the
# counts, 1610 in all, 200 for alloc_zeroed), none holds more; the window
# after it has passed shows no allocations, and the outstanding blocks
# still.
t_mem_batch()
{
	local tpid last

	start_target mem_exact stay >"$T/target.out" || { bad "mem_exact did not start"; return; }
	tpid=$LAST_PID
	prof_start top -p "$tpid" mem --window 2
	wait_said "tracing the allocations" || return
	kill -USR1 "$tpid"
	wait_done || return
	# The burst, then two full windows without it.
	wait_tables 4 '^since the start: 1610 allocs' || return
	stop_top || return
	awk '/^profiler top / { s = $0; sub(/.*, last /, "", s); secs = s + 0
		n = $0; sub(/.*: /, "", n); a = n + 0
		if (a * secs > 1610.5) over = 1
		if (a * secs > 1609.5) whole = 1 }
	     / <- alloc_zeroed <- / { r = $1 * secs; if (r > 200.05) over = 1
		if (r > 199.95) zwhole = 1 }
	     END { exit !(whole && zwhole && !over) }' "$T/out" ||
		{ bad "no window with the whole burst, or one with more: $(head -c 1500 "$T/out")"; return; }
	# The last table: after the window passed, nothing allocates.
	awk '/^profiler top /{ t = "" } { t = t $0 "\n" } END { printf "%s", t }' \
		"$T/out" >"$T/last"
	last=$(cat "$T/last")
	grep -q '^profiler top .*, mem, last 2 s: 0.0 allocs/s, 0 B/s' "$T/last" &&
	grep -qx 'since the start: 1610 allocs, 1585 frees, outstanding 11.0 KiB (11280 B) in 25 blocks' "$T/last" &&
	grep -qE '^ +0\.0 +0 B/s +9\.77 KiB +20  calloc <- alloc_zeroed <- worker_a' "$T/last" &&
	grep -qE '^ +0\.0 +0 B/s +1\.25 KiB +5  posix_memalign <- alloc_aligned <- worker_b' "$T/last" &&
	(($(grep -c ' <- ' "$T/last") == 2)) ||
		{ bad "last table: $last"; return; }
	ok
}

# ns VALUE UNIT: a duration as the tables print it, in nanoseconds.
ns_of()
{
	awk -v v="$1" -v u="$2" 'BEGIN { m = 1
		if (u == "s") m = 1e9; else if (u == "ms") m = 1e6; else if (u == "us") m = 1e3
		printf "%d\n", v * m }'
}

# lat: lat_target's one round (tests/targets/lat_target.c): in a window
# that holds it, fn_fast 500 calls, fn_slow 50, fn_recurse 200 (40 of
# depth 5); each fn_slow call spins at least 200 us, so its percentiles
# are no lower (less the 3.2% of a histogram bucket), and its max no
# lower than its p99; once the window has passed, no calls.
t_lat_batch()
{
	local tpid row

	start_target lat_target --stay >"$T/target.out" || { bad "lat_target did not start"; return; }
	tpid=$LAST_PID
	prof_start top -p "$tpid" lat 'fn_*' --window 2
	wait_said "tracing" || return
	kill -USR1 "$tpid"
	wait_done || return
	wait_tables 1 '^  fn_fast +lat_target +500 ' || return
	# Then a window without the round.
	wait_tables 2 '^  no calls' || return
	stop_top || return
	grep -qE '^  fn_slow +lat_target +50 ' "$T/out" &&
	grep -qE '^  fn_recurse +lat_target +200 ' "$T/out" ||
		{ bad "calls: $(grep -E '^  fn_' "$T/out" | head -n 6)"; return; }
	# No window counts more than the round.
	awk '/^  fn_fast / && $3 > 500 { exit 1 } /^  fn_slow / && $3 > 50 { exit 1 }' "$T/out" ||
		{ bad "more calls than made: $(grep -E '^  fn_' "$T/out" | head -n 6)"; return; }
	row=$(grep -E '^  fn_slow +lat_target +50 ' "$T/out" | head -n 1)
	read -r _ _ _ _ _ p50 p50u _ _ _ _ p99 p99u max maxu _ <<<"$row"
	p50=$(ns_of "$p50" "$p50u")
	p99=$(ns_of "$p99" "$p99u")
	max=$(ns_of "$max" "$maxu")
	((p50 >= 193600 && p99 >= p50 && max >= p99)) ||
		{ bad "fn_slow: p50 $p50 ns, p99 $p99 ns, max $max ns: $row"; return; }
	tail -n 4 "$T/out" | grep -q '^  no calls' ||
		{ bad "the window after the round: $(tail -n 4 "$T/out")"; return; }
	ok
}

# offcpu: offcpu_target's sleeper sleeps 100 ms at a time, again and
# again: in each full window of 2 s, sleep_wait (sleeper) waited the
# window within a tenth and one sleep; the time is mostly S.
t_offcpu_batch()
{
	local tables

	start_target offcpu_target 60 || { bad "offcpu_target did not start"; return; }
	prof top -p "$LAST_PID" offcpu --window 2 -d 4.5
	expect_rc 0 || return
	tables=$(grep -c '^profiler top .*, off CPU, last 2 s: .*by state.* S ' "$T/out")
	((tables >= 2)) || { bad "$tables full windows: $(head -c 800 "$T/out")"; return; }
	awk '/^profiler top / { full = / last 2 s: / }
	     full && / sleep_wait \(sleeper\)$/ {
		m = 1e3
		if ($2 == "s") m = 1e9; else if ($2 == "ms") m = 1e6
		ns = $1 * m
		n++
		if (ns < 2e9 - 0.3e9 || ns > 2e9 + 0.3e9) bad = 1 }
	     END { exit bad || n < 2 }' "$T/out" ||
		{ bad "sleeper: $(grep -E 'last|sleep_wait' "$T/out" | head -c 900)"; return; }
	ok
}

# In tmux, as a user would: the offcpu view shows the sleeper, q exits 0.
t_offcpu_tmux()
{
	local sock=$T/tmux.sock i tpid

	command -v tmux >/dev/null || { skip "tmux is not installed (tools/deps.sh installs it)"; return; }
	start_target offcpu_target 60 || { bad "offcpu_target did not start"; return; }
	tpid=$LAST_PID
	tmux -S "$sock" new-session -d -x 120 -y 30 \
		"$PROF top -p $tpid offcpu; echo \$? > $T/rc; sleep 60" || { bad "tmux"; return; }
	for ((i = 0; i < LIMIT * 10; i++)); do
		tmux -S "$sock" capture-pane -p >"$T/pane" 2>/dev/null
		grep -q 'sleep_wait (sleeper)' "$T/pane" && break
		sleep 0.1
	done
	if ! grep -q 'sleep_wait (sleeper)' "$T/pane"; then
		bad "not on screen: $(head -c 400 "$T/pane")"
		tmux -S "$sock" kill-server
		return
	fi
	# The screen fits the pane: 30 lines at most, none wider than 120.
	if (($(wc -l <"$T/pane") > 30)) || ! awk 'length > 120 { exit 1 }' "$T/pane"; then
		bad "screen does not fit 120x30: $(head -c 400 "$T/pane")"
		tmux -S "$sock" kill-server
		return
	fi
	tmux -S "$sock" send-keys q
	for ((i = 0; i < LIMIT * 10; i++)); do
		[[ -s $T/rc ]] && break
		sleep 0.1
	done
	tmux -S "$sock" kill-server 2>/dev/null
	[[ $(cat "$T/rc" 2>/dev/null) == 0 ]] || { bad "top exited $(cat "$T/rc" 2>/dev/null) after q"; return; }
	ok
}

t_view_errors()
{
	prof top mem -d 1
	expect_rc 2 || return
	grep -q "top mem needs -p" "$T/err" || { bad "mem: $(err_head)"; return; }
	prof top lat 'fn_*' -d 1
	expect_rc 2 || return
	grep -q "top lat needs -p" "$T/err" || { bad "lat: $(err_head)"; return; }
	prof top -p "$$" lat -d 1
	expect_rc 2 || return
	grep -q "top lat needs a PATTERN" "$T/err" || { bad "lat: $(err_head)"; return; }
	prof top -p "$$" heap -d 1
	expect_rc 2 || return
	grep -q "unknown view 'heap' (views: cpu, mem, lat, offcpu)" "$T/err" ||
		{ bad "heap: $(err_head)"; return; }
	ok
}

suite_main cpu_chain mem_exact lat_target offcpu_target
