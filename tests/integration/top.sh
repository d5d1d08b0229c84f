#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Integration tests of `profiler top`: a table per second when stdout is not
# a terminal (the last --window seconds, at most --top rows), the live
# screen on a pseudo-terminal (fits a resize, q quits, the alternate screen
# is left: tests/integration/top_pty.py), and the errors.
#
# Run as `bash tests/integration/top.sh` after `make` and `make targets`.
# Same conventions as run.sh (see lib.sh).

set -u

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TESTS="batch screen tmux errors no_bpf_leftover"

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

suite_main cpu_chain
