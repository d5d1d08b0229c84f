#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The options --help lists, README, docs/usage.md, the man page and the
# bash completion must name the same long options.  Prints "N passed, N failed" like the other suites.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd -P)
PROF=${PROFILER:-$ROOT/profiler}

opts() { grep -o -- '--[a-z][a-z-]*' | sort -u; }

help=$({ "$PROF" --help; "$PROF" mem --help; "$PROF" lat --help;
	"$PROF" offcpu --help; "$PROF" wall --help; "$PROF" serve --help; "$PROF" top --help;
	"$PROF" report --help;
	"$PROF" diff --help; } | opts)
pass=0
fail=0
for doc in README.md docs/usage.md docs/profiler.1 dist/profiler.bash-completion; do
	# The man page escapes dashes as \-.
	have=$(sed 's/\\-/-/g' "$ROOT/$doc" | opts)
	missing=$(comm -23 <(echo "$help") <(echo "$have") | tr '\n' ' ')
	extra=$(comm -13 <(echo "$help") <(echo "$have") | grep -v -- '^--help$' |
		tr '\n' ' ')
	if [ -n "$missing" ]; then
		echo "FAIL doc_sync $doc: does not document $missing"
		fail=$((fail + 1))
	else
		echo "PASS doc_sync $doc: documents every option of --help"
		pass=$((pass + 1))
	fi
	if [ "$doc" = docs/profiler.1 ] && [ -n "$extra" ]; then
		echo "FAIL doc_sync $doc: names options --help lacks: $extra"
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
