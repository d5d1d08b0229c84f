#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Integration tests of Python functions in the stacks: scripts of known
# nesting run by Debian's CPython 3.11 (/usr/bin/python3), profiled by
# -p with real BPF; the interpreter frames the kernel walks must show the
# scripts' functions with the right lines, in place of the interpreter's
# eval function, interleaved with native frames where C code calls back
# into Python.
#
# Run as `bash tests/integration/python.sh` after `make` (and make's test
# fixtures).  Needs root, a kernel the profiler runs on and
# /usr/bin/python3 3.11; otherwise every test says SKIPPED.  Prints one
# PASS/FAIL/SKIPPED line per test, then "N passed, N failed, N skipped".

set -u

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TESTS="nest_chain sort_interleave gil_released recursion_truncated
       short_script_named mem_python offcpu_python no_python
       unsupported_version no_bpf_leftover"

PYTHON=/usr/bin/python3
PYDIR=$ROOT/tests/targets/python
FAKE312=${FIXTURES_DIR:-$ROOT/build/fixtures}/fake_python312
PFREQ=499

# The suite needs Debian's CPython 3.11 (the one with a frame layout).
python_ok()
{
	[[ -x $PYTHON ]] &&
		[[ $("$PYTHON" -c 'import sys; print(sys.version_info[:2] == (3, 11))' 2>/dev/null) == True ]]
}

# start_py SCRIPT [ARGS...]: run a script of PYDIR until it says ready.
start_py()
{
	local i

	spawn "$PYTHON" "$PYDIR/$1" "${@:2}" >"$T/py.out" 2>&1
	for ((i = 0; i < 500; i++)); do
		grep -q ready "$T/py.out" 2>/dev/null && return 0
		sleep 0.01
	done
	bad "$1 did not start: $(head -c 300 "$T/py.out")"
	return 1
}

# prof_cpu SECONDS ARGS...: prof -d SECONDS ARGS on the script LAST_PID;
# EXPECT is then the samples its CPU time while sampled calls for at PFREQ
# (its events sample CPU time: on a busy machine it gets less, and fewer
# samples): its share of a CPU from when the profiler says it is profiling
# to the profiler's exit, times SECONDS.
prof_cpu()
{
	local pid=$LAST_PID secs=$1 t0 t1 w0 w1

	shift
	EXPECT=0
	prof_start -d "$secs" "$@"
	wait_said profiling || { prof_wait "$LIMIT"; return; }
	t0=$(cpu_ticks "$pid")
	w0=$(date +%s%N)
	prof_wait "$LIMIT"
	t1=$(cpu_ticks "$pid")
	w1=$(date +%s%N)
	EXPECT=$(awk -v t="$((t1 - t0))" -v w="$((w1 - w0))" -v s="$secs" -v f="$PFREQ" \
		'BEGIN { if (w > 0) printf "%d", t / 100 / (w / 1e9) * s * f; else print 0 }')
}

# enough HAVE MIN WHAT: fail the test (1) when HAVE < MIN, or when the
# script got too little CPU time to judge.
enough()
{
	if ((EXPECT < 100)); then
		bad "the script ran $((EXPECT * 100 / PFREQ)) CPU ticks during the run: too few to judge"
		return 1
	fi
	if (($1 < $2)); then
		bad "$1 samples $3, expected at least $2 (of the $EXPECT its CPU time calls for): $(err_head)"
		return 1
	fi
}

# line_of SCRIPT TEXT: the number of the first line of SCRIPT that is TEXT.
line_of()
{
	awk -v t="$2" '$0 == t { print NR; exit }' "$PYDIR/$1"
}

# pyframes FILE: each folded line as "COUNT<TAB>py1|py2|...", the Python
# frames (name (file:line), suffix dropped) root first.
pyframes()
{
	awk '/^[^ ].* [0-9]+$/ {
		n = $NF; s = $0; sub(/ [0-9]+$/, "", s)
		k = split(s, f, ";"); out = ""
		for (i = 1; i <= k; i++)
			if (f[i] ~ /_\[py\]$/) {
				sub(/_\[py\]$/, "", f[i]); sub(/ \(.*\//, " (", f[i])
				out = out (out == "" ? "" : "|") f[i]
			}
		printf "%s\t%s\n", n, out
	}' "$1"
}

# The chain <module> -> level1 -> level2 -> level3 -> leaf of nest.py with
# each caller at the line of its call, leaf anywhere in its body; level3
# may be on top (between two calls of leaf).
t_nest_chain()
{
	local m l1 l2 l3 lf0 lf1 hit total

	start_py nest.py || return
	prof_cpu 3 -p "$LAST_PID" -F "$PFREQ" -U --lines --folded "$T/folded"
	expect_rc 0 || return
	m=$(line_of nest.py "level1()")
	l1=$(line_of nest.py "    level2()")
	l2=$(line_of nest.py "    level3()")
	l3=$(line_of nest.py "        leaf(1000)")
	lf0=$(line_of nest.py "def leaf(n):")
	lf1=$(line_of nest.py "    return x")
	read -r hit total < <(pyframes "$T/folded" | awk -F'\t' \
		-v want="<module> (nest.py:$m)|level1 (nest.py:$l1)|level2 (nest.py:$l2)" \
		-v l3="$l3" -v lf0="$lf0" -v lf1="$lf1" '
		{ t += $1; k = split($2, f, "|")
		  if (k < 4 || f[1] "|" f[2] "|" f[3] != want) next
		  if (f[4] != "level3 (nest.py:" l3 ")" && f[4] !~ /^level3 \(nest.py:/) next
		  if (k == 4) { h += $1; next }
		  if (k == 5 && f[4] == "level3 (nest.py:" l3 ")" && f[5] ~ /^leaf \(nest.py:/) {
			ln = f[5]; sub(/^.*:/, "", ln); sub(/\)$/, "", ln)
			if (ln + 0 > lf0 && ln + 0 <= lf1) h += $1
		  } }
		END { print h + 0, t + 0 }')
	enough "$total" $((EXPECT / 2)) "of the script" || return
	if ((hit * 100 < total * 95)); then
		bad "$hit of $total samples show <module>:$m level1:$l1 level2:$l2 level3:$l3 leaf; most common: $(pyframes "$T/folded" | sort -rn | head -n 3 | tr '\n' ' ')"
		return
	fi
	ok
}

# Python -> C -> Python: keyfn called by sorted() shows level2, sort's
# native frames, then keyfn.
t_sort_interleave()
{
	local hit total

	start_py sortkey.py || return
	prof_cpu 3 -p "$LAST_PID" -F "$PFREQ" -U --lines --folded "$T/folded"
	expect_rc 0 || return
	read -r hit total < <(awk '/^[^ ].* [0-9]+$/ && /keyfn \(/ {
		n = $NF; t += n; s = $0; sub(/ [0-9]+$/, "", s)
		k = split(s, f, ";"); state = 0; natives = 0
		for (i = 1; i <= k; i++) {
			if (state == 0 && f[i] ~ /^level2 \(.*sortkey.py:[0-9]+\)_\[py\]$/) state = 1
			else if (state == 1 && f[i] !~ /_\[py\]$/) natives++
			else if (state == 1 && f[i] ~ /^keyfn \(.*sortkey.py:[0-9]+\)_\[py\]$/ && natives > 0) state = 2
			else if (state == 1 && f[i] ~ /_\[py\]$/) break
		}
		if (state == 2) h += n
	}
	END { print h + 0, t + 0 }' "$T/folded")
	enough "$total" $((EXPECT / 4)) "in keyfn" || return
	if ((hit * 100 < total * 95)); then
		bad "$hit of $total samples in keyfn show level2, native frames, keyfn: $(grep 'keyfn' "$T/folded" | sort -t' ' -k2 -rn | head -n 2 | tr '\n' '|')"
		return
	fi
	ok
}

# A thread hashing with the GIL released still shows its Python function.
t_gil_released()
{
	local hit total

	start_py gilfree.py || return
	prof_cpu 3 -p "$LAST_PID" -F "$PFREQ" -U --folded "$T/folded"
	expect_rc 0 || return
	# The hashing thread's samples: those in the hash's native code.
	read -r hit total < <(awk '/^[^ ].* [0-9]+$/ && tolower($0) ~ /sha256/ {
		n = $NF; t += n
		if ($0 ~ /;hasher_\[py\]/) h += n
	}
	END { print h + 0, t + 0 }' "$T/folded")
	# Two busy threads: the hashing one has about half the CPU time.
	enough "$total" $((EXPECT / 8)) "hashing" || return
	if ((hit * 100 < total * 95)); then
		bad "$hit of $total hashing samples show hasher: $(grep -i sha256 "$T/folded" | head -n 2 | tr '\n' '|')"
		return
	fi
	ok
}

# 300 Python frames: more than a stack holds; the program loads and the
# stacks end with the truncation marker.
t_recursion_truncated()
{
	local deep hit total

	start_py recurse.py || return
	prof_cpu 2 -p "$LAST_PID" -F "$PFREQ" -U --folded "$T/folded"
	expect_rc 0 || return
	deep=$(awk '/^[^ ].* [0-9]+$/ {
		k = gsub(/;rec_\[py\]/, "&")
		if (k >= 200 && index($0, "[unwind: truncated]")) h += $NF
		t += $NF
	}
	END { print h + 0, t + 0 }' "$T/folded")
	read -r hit total <<<"$deep"
	enough "$total" $((EXPECT / 2)) "of the script" || return
	if ((hit * 100 < total * 95)); then
		bad "$hit of $total samples are 200+ rec frames deep and marked truncated: $(head -c 400 "$T/folded")"
		return
	fi
	ok
}

# A script that ends before the run: its frames were read while it ran.
t_short_script_named()
{
	local hit total

	cat >"$T/short.py" <<'EOF'
import time


def busy():
    end = time.process_time() + 1.0
    while time.process_time() < end:
        pass


def main():
    busy()


main()
EOF
	prof -d 10 -F "$PFREQ" -U --folded "$T/folded" -- "$PYTHON" "$T/short.py"
	expect_rc 0 || return
	read -r hit total < <(awk '/^[^ ].* [0-9]+$/ && /_\[py\]/ {
		t += $NF; if ($0 ~ /;main_\[py\];busy_\[py\]/) h += $NF
	}
	END { print h + 0, t + 0 }' "$T/folded")
	# busy() burns 1 s of CPU time: about PFREQ samples.
	if ((total < PFREQ / 2 || hit * 100 < total * 90)); then
		bad "$hit of $total samples with Python frames show main;busy after the script ended: $(grep -o '\[python[^]]*\]' "$T/folded" | sort | uniq -c | head -n 3 | tr '\n' ' ')"
		return
	fi
	ok
}

# Allocations made by Python code carry its frames.
t_mem_python()
{
	local hit total

	start_py allocs.py || return
	prof mem -p "$LAST_PID" -d 2 --exact --sample alloc_space --folded "$T/folded"
	expect_rc 0 || return
	read -r hit total < <(awk '/^[^ ].* [0-9]+$/ && /;malloc/ {
		t += $NF; if ($0 ~ /;run_\[py\];make_blocks_\[py\];/) h += $NF
	}
	END { print h + 0, t + 0 }' "$T/folded")
	if ((total == 0 || hit * 100 < total * 90)); then
		bad "$hit of $total bytes allocated through malloc show run;make_blocks: $(sort -t' ' -k2 -rn "$T/folded" | head -n 2 | tr '\n' '|')"
		return
	fi
	ok
}

# Time off CPU in time.sleep is under the Python function that sleeps.
t_offcpu_python()
{
	local hit total

	start_py sleeper.py || return
	prof offcpu -p "$LAST_PID" -d 2 -U --folded "$T/folded"
	expect_rc 0 || return
	read -r hit total < <(awk '/^[^ ].* [0-9]+$/ {
		t += $NF; if ($0 ~ /;loop_\[py\];nap_\[py\];/) h += $NF
	}
	END { print h + 0, t + 0 }' "$T/folded")
	if ((total == 0 || hit * 100 < total * 90)); then
		bad "$hit of $total off-CPU time under loop;nap: $(sort -t' ' -k2 -rn "$T/folded" | head -n 2 | tr '\n' '|')"
		return
	fi
	ok
}

# --no-python: native frames only, the eval function in place.
t_no_python()
{
	start_py nest.py || return
	prof -p "$LAST_PID" -d 1 -F "$PFREQ" -U --no-python --folded "$T/folded"
	expect_rc 0 || return
	if grep -q '_\[py\]' "$T/folded"; then
		bad "Python frames with --no-python: $(grep -m1 '_\[py\]' "$T/folded" | head -c 300)"
		return
	fi
	grep -q '_PyEval_EvalFrameDefault' "$T/folded" ||
		{ bad "no eval function frames: $(head -c 300 "$T/folded")"; return; }
	ok
}

# A CPython without a frame layout (a fake 3.12): one clear line, native
# stacks, exit 0.
t_unsupported_version()
{
	if [[ ! -x $FAKE312 ]]; then
		skip "$FAKE312 not built (make test builds the fixtures)"
		return
	fi
	local pid

	spawn "$FAKE312"
	pid=$LAST_PID
	prof -p "$pid" -d 0.5 -F "$PFREQ" --folded "$T/folded"
	expect_rc 0 || return
	if ! grep -q "python 3.12 (pid $pid): no frame layout for this version; its stacks stay native" "$T/err"; then
		bad "no refusal line: $(err_head)"
		return
	fi
	ok
}

if ! python_ok; then
	all_tests skip "$PYTHON is not CPython 3.11"
	summary
	exit 0
fi
suite_main
