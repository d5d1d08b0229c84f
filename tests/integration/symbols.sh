#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Integration tests of symbol resolution in the hard cases: code a JIT
# generated (named by /tmp/perf-PID.map), a library loaded after the
# profiler attached, an executable deleted while it runs, one that exists
# only inside a chroot or a private mount namespace, and a process too short
# to be seen twice.  Real BPF, asserting on the --folded file.
#
# Run as `bash tests/integration/symbols.sh` after `make` and `make targets`.
# Needs root and a kernel the profiler runs on (`profiler check`); otherwise
# every test says SKIPPED and the suite exits 0.  Prints one PASS/FAIL/SKIPPED
# line per test, then "N passed, N failed, N skipped"; exits 1 if any test
# failed.  Environment: as tests/integration/run.sh (see lib.sh).

set -u

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TESTS="jit_named dlopen_named deleted_binary chroot_target chroot_symlink
       chroot_fifo
       mntns_target
       short_lived_exec no_bpf_leftover"

CHAIN="main;chain_a;chain_b;chain_hot"
JIT_MAPS=()	# perf maps a JIT target may leave if it is killed

suite_cleanup()
{
	((${#JIT_MAPS[@]})) && rm -f "${JIT_MAPS[@]}"
}

# folded_total FILE MIN: the folded file exists, every line is well formed
# and it holds at least MIN samples, which go to TOTAL; else fail the test.
folded_total()
{
	local hit malformed

	if [[ ! -s $1 ]]; then
		bad "folded file missing or empty; stderr: $(err_head)"
		return 1
	fi
	read -r hit TOTAL malformed < <(folded_sum "$1" x)
	if ((malformed)); then
		bad "$malformed malformed line(s) in the folded file"
		return 1
	fi
	if ((TOTAL < $2)); then
		bad "$TOTAL samples in total, expected at least $2"
		return 1
	fi
	return 0
}

# ---- tests -----------------------------------------------------------------

# Code in anonymous memory, named only by the map the JIT wrote.  The JIT'd
# function sets up no frame pointer, so only the frame itself is asserted.
t_jit_named()
{
	local pid map n i

	start_target jit_target $((DUR + 2)) || { bad "jit_target did not start"; return; }
	pid=$LAST_PID
	map=/tmp/perf-$pid.map
	JIT_MAPS+=("$map")
	for ((i = 0; i < 100; i++)); do
		[[ -s $map ]] && break
		sleep 0.02
	done
	if [[ ! -s $map ]]; then
		bad "jit_target wrote no $map"
		return
	fi
	prof -p "$pid" -d "$DUR" -F "$FREQ" --folded "$T/folded"
	expect_rc 0 || return
	folded_total "$T/folded" 100 || return
	n=$(samples_with_frame "$T/folded" '^jit_spin_loop$')
	if ((n * 10 < TOTAL * 8)); then
		bad "$n of $TOTAL samples ($((n * 100 / TOTAL))%) have a frame jit_spin_loop, expected >= 80%; most common stack: $(top_stack "$T/folded")"
		return
	fi
	kill -TERM "$pid"
	wait_pid "$pid" 5
	if [[ -e $map ]]; then
		bad "jit_target left $map behind after SIGTERM"
		return
	fi
	ok
}

# libhot.so is mapped half a second after the profiler read the target's
# mappings: finding it needs a second look at them.
t_dlopen_named()
{
	local before lib malformed

	start_target dlopen_target $((DUR + 1)) || { bad "dlopen_target did not start"; return; }
	prof -p "$LAST_PID" -d "$DUR" -F "$FREQ" --folded "$T/folded"
	expect_rc 0 || return
	folded_total "$T/folded" 100 || return
	read -r before _ malformed < <(folded_sum "$T/folded" "main;before_dlopen")
	if ((before == 0)); then
		bad "no sample in main;before_dlopen: the profiler attached after the dlopen, so this run proves nothing; most common stack: $(top_stack "$T/folded")"
		return
	fi
	read -r lib _ malformed < <(folded_sum "$T/folded" "call_dlopened;lib_hot_spin")
	if ((lib * 10 < TOTAL * 3)); then
		bad "$lib of $TOTAL samples ($((lib * 100 / TOTAL))%) under call_dlopened;lib_hot_spin, expected >= 30%; most common stack: $(top_stack "$T/folded")"
		return
	fi
	if ! awk 'index($0, "lib_hot_spin") && index($0, "libhot.so") { f = 1 }
		  END { exit !f }' "$T/out"; then
		bad "no line of the summary names both lib_hot_spin and libhot.so"
		return
	fi
	ok
}

# The executable is gone from the file system before the profiler starts:
# only /proc/PID/map_files still reaches it.
t_deleted_binary()
{
	local exe=$T/bin/cpu_chain pid

	mkdir "$T/bin" && cp "$TDIR/cpu_chain" "$exe" || { bad "cannot copy cpu_chain to $T/bin"; return; }
	start_exe "$exe" $((DUR + 2)) || { bad "the copy of cpu_chain did not start"; return; }
	pid=$LAST_PID
	rm "$exe"
	if ! grep -qF "$exe (deleted)" "/proc/$pid/maps"; then
		bad "/proc/$pid/maps does not show $exe as deleted"
		return
	fi
	prof -p "$pid" -d "$DUR" -F "$FREQ" --folded "$T/folded"
	expect_rc 0 || return
	check_share "$T/folded" "$CHAIN" 100 || return
	ok
}

# A static cpu_chain that exists only inside a directory it is chrooted to.
# From outside, /proc/PID/maps shows the file under the chroot (the kernel
# prints paths relative to the reader's root).
t_chroot_target()
{
	local root=$T/root

	if [[ -e /bin/cpu_chain_static ]]; then
		skip "/bin/cpu_chain_static exists on this machine: the test needs that path free"
		return
	fi
	mkdir -p "$root/bin" && cp "$TDIR/cpu_chain_static" "$root/bin/" ||
		{ bad "cannot set up $root"; return; }
	spawn chroot "$root" /bin/cpu_chain_static $((DUR + 2))
	if ! wait_exec "$LAST_PID" "$root/bin/cpu_chain_static"; then
		bad "chroot $root /bin/cpu_chain_static did not start"
		return
	fi
	prof -p "$LAST_PID" -d "$DUR" -F "$FREQ" --folded "$T/folded"
	expect_rc 0 || return
	check_share "$T/folded" "$CHAIN" 100 || return
	ok
}

# A process in a chroot, running as nobody, plants in its own root a
# symlink at the path its binary has in the host's view (the path
# /proc/PID/maps shows the profiler), pointing to a root-only host ELF
# file.  Through /proc/PID/root, that path would resolve the symlink
# against the host's / and name the frames from the host file: the
# profiler must read the very file mapped (map_files) and name them right.
t_chroot_symlink()
{
	local root=$T/root secret=$T/secret.so decoy

	mkdir -p "$root/bin" && cp "$TDIR/cpu_chain_static" "$root/bin/" &&
		cp "$TDIR/libhot.so" "$secret" && chmod 600 "$secret" ||
		{ bad "cannot set up $root"; return; }
	spawn chroot --userspec=nobody:nogroup "$root" /bin/cpu_chain_static $((DUR + 2))
	if ! wait_exec "$LAST_PID" "$root/bin/cpu_chain_static"; then
		bad "chroot $root /bin/cpu_chain_static did not start"
		return
	fi
	decoy=$root$root/bin/cpu_chain_static
	mkdir -p "$(dirname "$decoy")" && ln -s "$secret" "$decoy" ||
		{ bad "cannot plant $decoy"; return; }
	prof -p "$LAST_PID" -d "$DUR" -F "$FREQ" --folded "$T/folded"
	expect_rc 0 || return
	if grep -q 'lib_hot' "$T/folded"; then
		bad "frames named from the host file the symlink leads to: $(grep lib_hot "$T/folded" | head -n 1)"
		return
	fi
	check_share "$T/folded" "$CHAIN" 100 || return
	ok
}

# The same path planted as a FIFO: opening it would block the profiler
# for good (SIGINT and SIGTERM are blocked for its signalfd).
t_chroot_fifo()
{
	local root=$T/root decoy

	mkdir -p "$root/bin" && cp "$TDIR/cpu_chain_static" "$root/bin/" ||
		{ bad "cannot set up $root"; return; }
	spawn chroot --userspec=nobody:nogroup "$root" /bin/cpu_chain_static $((DUR + 2))
	if ! wait_exec "$LAST_PID" "$root/bin/cpu_chain_static"; then
		bad "chroot $root /bin/cpu_chain_static did not start"
		return
	fi
	decoy=$root$root/bin/cpu_chain_static
	mkdir -p "$(dirname "$decoy")" && mkfifo "$decoy" ||
		{ bad "cannot plant $decoy"; return; }
	prof -p "$LAST_PID" -d "$DUR" -F "$FREQ" --folded "$T/folded"
	expect_rc 0 || return
	check_share "$T/folded" "$CHAIN" 100 || return
	ok
}

# A static cpu_chain on a tmpfs mounted in its own mount namespace: the path
# /proc/PID/maps shows exists only as the process sees it, through
# /proc/PID/root.
t_mntns_target()
{
	local mnt=$T/mnt

	mkdir "$mnt"
	spawn unshare -m --propagation private sh -c \
		'mount -t tmpfs profiler-it "$1" && cp "$2" "$1/" && exec "$1/cpu_chain_static" "$3"' \
		sh "$mnt" "$TDIR/cpu_chain_static" $((DUR + 2))
	if ! wait_exec "$LAST_PID" "$mnt/cpu_chain_static"; then
		if ! kill -0 "$LAST_PID" 2>/dev/null; then
			skip "cannot run a process in a private mount namespace here (unshare -m, mount -t tmpfs)"
			return
		fi
		bad "cpu_chain_static did not start in its mount namespace"
		return
	fi
	if [[ -e $mnt/cpu_chain_static ]]; then
		bad "$mnt/cpu_chain_static is visible outside the namespace: the test would prove nothing"
		return
	fi
	prof -p "$LAST_PID" -d "$DUR" -F "$FREQ" --folded "$T/folded"
	expect_rc 0 || return
	check_share "$T/folded" "$CHAIN" 100 || return
	ok
}

# A 200 ms process exec'ed in the middle of a system-wide run has exited
# long before the profiler names its frames.
t_short_lived_exec()
{
	local hit all malformed ms

	# Frame pointers only: see run.sh's short_lived.
	prof_start -F "$FREQ" --unwind fp -v --folded "$T/folded"
	wait_said profiling || return
	ms=$(cpu_timed "$TDIR/cpu_chain" 0.2)
	kill -INT "$PROF_PID"
	prof_wait "$LIMIT"
	expect_rc 0 || return
	folded_total "$T/folded" 1 || return
	all=$(comm_samples "$T/folded" cpu_chain)
	read -r hit _ malformed < <(folded_sum "$T/folded" "$CHAIN" cpu_chain)
	if ((all == 0 || all * 2000 < ms * FREQ)); then
		bad "$all samples of comm cpu_chain, which ran $ms ms on a CPU: expected >= $((ms * FREQ / 2000)) at $FREQ Hz"
		return
	fi
	if ((hit * 10 < all * 8)); then
		bad "$hit of the $all samples of cpu_chain ($((hit * 100 / all))%) under $CHAIN, expected >= 80%; its most common stack: $(top_stack "$T/folded" cpu_chain)"
		return
	fi
	ok
}

suite_main cpu_chain libhot.so jit_target dlopen_target cpu_chain_static
