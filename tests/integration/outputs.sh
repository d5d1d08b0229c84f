#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Integration tests of the output formats and of `profiler report` and
# `profiler diff`, checked with the tools people open them with: `go tool
# pprof` reads our pprof without a warning and agrees on totals and the top
# function; speedscope's own JSON schema (npm) accepts our speedscope file;
# headless Chromium loads the SVG, finds a frame by search, zooms on a
# click, shows the hover box (screenshots kept); diff reports a known change
# first.  Most tests need no root; one profiles tests/targets/cpu_chain for
# real (root, and a kernel `profiler check` accepts).
#
# Run as `bash tests/integration/outputs.sh` after `make`.  A test whose
# tool is missing (go: golang-go; chromium; node/npm) says SKIPPED and why.
# Prints one PASS/FAIL/SKIPPED line per test, then "N passed, N failed, N
# skipped"; exits 1 if any test failed.
#
# Environment:
#   PROFILER     profiler binary (default: ./profiler at the repo root)
#   TARGETS_DIR  built targets (default: tests/targets/build)
#   ONLY         space separated test names to run (default: all)
#   KEEP_TMP=1   keep the temporary directory and say where it is
#   SHOTS_DIR    where the SVG screenshots go (default: build/test-screens)
#   NPM_DIR      where speedscope and ajv are installed (default: build/npm)

set -u

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TESTS="report_table report_errors folded_round_trip pprof_go_top pprof_go_traces
       pprof_go_proto_back speedscope_schema json_report svg_browser svg_50k
       diff_known_change diff_fail_above cpu_run_outputs"

SHOTS=${SHOTS_DIR:-$ROOT/build/test-screens}
NPM_PREFIX=${NPM_DIR:-$ROOT/build/npm}
SPEEDSCOPE_VERSION=1.25.0
AJV_VERSION=8.17.1

# ---- fixtures ----------------------------------------------------------------

# A small profile as collapsed stacks, sorted as render_folded writes them,
# with kernel, inlined and unnamed frames.
write_fixture()
{
	cat >"$1" <<'EOF'
app;main;compress 400
app;main;libz.so.1+0x1a2b 30
app;main;parse;lex 300
app;main;work;hash 200
app;main;work;hash;mix_[i] 50
app;main;write;do_syscall_64_[k] 100
kworker;worker_thread_[k];process_one_work_[k] 20
EOF
}

# The same program later: hash's self share grew from 18.18% to 57.14%.
write_fixture_new()
{
	cat >"$1" <<'EOF'
app;main;compress 400
app;main;libz.so.1+0x1a2b 30
app;main;parse;lex 300
app;main;work;hash 1200
app;main;work;hash;mix_[i] 50
app;main;write;do_syscall_64_[k] 100
kworker;worker_thread_[k];process_one_work_[k] 20
EOF
}

# report FILE ARGS...: run `profiler report`; output in $T/out, $T/err.
report()
{
	"$PROF" report "$@" >"$T/out" 2>"$T/err"
	RC=$?
}

# The total of a folded file.
folded_total()
{
	awk '{ n += $NF } END { print n + 0 }' "$1"
}

have()
{
	command -v "$1" >/dev/null 2>&1
}

# speedscope (for its schema) and ajv, installed once under $NPM_PREFIX.
npm_tools()
{
	local schema=$NPM_PREFIX/node_modules/speedscope/dist/release/file-format-schema.json

	if [[ -f $schema && -d $NPM_PREFIX/node_modules/ajv ]]; then
		echo "$schema"
		return 0
	fi
	mkdir -p "$NPM_PREFIX" || return 1
	npm install --silent --no-audit --no-fund --prefix "$NPM_PREFIX" \
		"speedscope@$SPEEDSCOPE_VERSION" "ajv@$AJV_VERSION" >/dev/null 2>&1 ||
		return 1
	[[ -f $schema ]] || return 1
	echo "$schema"
}

# validate_speedscope FILE: "ok" or the schema's complaints.
validate_speedscope()
{
	local schema

	schema=$(npm_tools) || { echo "npm install of speedscope and ajv failed"; return 1; }
	NODE_PATH=$NPM_PREFIX/node_modules node -e '
		const Ajv = require("ajv");
		const fs = require("fs");
		const schema = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
		const data = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
		const ajv = new Ajv({ strict: false, allErrors: true });
		if (ajv.validate(schema, data)) {
			console.log("ok");
		} else {
			console.log(JSON.stringify(ajv.errors).slice(0, 400));
			process.exit(1);
		}' "$schema" "$1"
}

# check_go_top PPROF FOLDED: go tool pprof -top reads PPROF with nothing on
# stderr, and agrees with FOLDED on the total and the top self function.
check_go_top()
{
	local total top ours

	if ! go tool pprof -top "$1" >"$T/go.top" 2>"$T/go.err"; then
		bad "go tool pprof -top failed: $(head -n 1 "$T/go.err")"
		return 1
	fi
	if [[ -s $T/go.err ]]; then
		bad "go tool pprof -top warned: $(head -n 1 "$T/go.err")"
		return 1
	fi
	total=$(sed -n 's/^Showing nodes accounting for [^ ]*, [^ ]* of \([0-9]*\) total.*/\1/p' \
		"$T/go.top")
	if [[ $total != "$(folded_total "$2")" ]]; then
		bad "go tool pprof total '$total', ours $(folded_total "$2")"
		return 1
	fi
	# The first row after the header: flat, flat%, sum%, cum, cum%, name.
	top=$(awk '/ flat  flat%/ { getline; for (i = 6; i <= NF; i++)
		printf "%s%s", (i > 6 ? " " : ""), $i; exit }' "$T/go.top")
	top=${top% (inline)}
	ours=$("$PROF" report "$1" --top 1 | awk '/^Top 1 functions by self/ {
		getline; getline; print $5; exit }')
	if [[ -z $top || $top != "$ours" ]]; then
		bad "top function: go tool pprof says '$top', we say '$ours'"
		return 1
	fi
	return 0
}

# ---- tests -------------------------------------------------------------------

t_report_table()
{
	write_fixture "$T/in.folded"
	report "$T/in.folded" --top 3
	expect_rc 0 || return
	if ! grep -q '^in.folded (folded stacks)$' "$T/out" ||
	   ! grep -q 'duration 0.00 s, 1100 samples, 7 distinct stacks' "$T/out"; then
		bad "header not as expected: $(head -n 2 "$T/out" | tr '\n' '|')"
		return
	fi
	if ! awk '/by self/ { getline; getline; exit !($1 == 400 && $5 == "compress") }' \
		"$T/out"; then
		bad "compress (400) is not the top self row: $(grep -A2 'by self' "$T/out" | tail -1)"
		return
	fi
	ok
}

t_report_errors()
{
	report "$T/missing.pb.gz"
	expect_rc 1 || return
	if [[ $(wc -l <"$T/err") != 1 ]] || ! grep -q 'cannot read .*missing.pb.gz' "$T/err"; then
		bad "expected one line naming the file, got: $(head -n 2 "$T/err" | tr '\n' '|')"
		return
	fi
	printf 'app;main 1\nbroken line\n' >"$T/bad.folded"
	report "$T/bad.folded"
	expect_rc 1 || return
	grep -q 'line 2' "$T/err" || { bad "no line number in: $(err_head)"; return; }
	report "$T/bad.folded" --bogus
	expect_rc 2 || return
	write_fixture "$T/in.folded"
	report "$T/in.folded" --output "$T/x.txt"
	expect_rc 2 || return
	report "$T/in.folded" --svg "$T/no/such/dir/x.svg"
	expect_rc 1 || return
	ok
}

# folded -> pprof -> folded, byte for byte (and the other formats written).
t_folded_round_trip()
{
	write_fixture "$T/in.folded"
	report "$T/in.folded" --pprof "$T/p.pb.gz" --svg "$T/p.svg" \
		--speedscope "$T/p.speedscope.json" --json "$T/p.json" --folded "$T/same.folded"
	expect_rc 0 || return
	report "$T/p.pb.gz" --folded "$T/back.folded"
	expect_rc 0 || return
	if ! cmp -s "$T/in.folded" "$T/same.folded" || ! cmp -s "$T/in.folded" "$T/back.folded"; then
		bad "round trip changed the stacks: $(diff "$T/in.folded" "$T/back.folded" | head -n 3 | tr '\n' '|')"
		return
	fi
	ok
}

t_pprof_go_top()
{
	if ! have go; then
		skip "go is not installed (Debian: golang-go)"
		return
	fi
	write_fixture "$T/in.folded"
	report "$T/in.folded" --pprof "$T/p.pb.gz"
	expect_rc 0 || return
	check_go_top "$T/p.pb.gz" "$T/in.folded" || return
	ok
}

t_pprof_go_traces()
{
	local n

	if ! have go; then
		skip "go is not installed (Debian: golang-go)"
		return
	fi
	write_fixture "$T/in.folded"
	report "$T/in.folded" --pprof "$T/p.pb.gz"
	expect_rc 0 || return
	if ! go tool pprof -traces "$T/p.pb.gz" >"$T/traces" 2>"$T/go.err" ||
	   [[ -s $T/go.err ]]; then
		bad "go tool pprof -traces: $(head -n 1 "$T/go.err")"
		return
	fi
	# One trace per stack, each with its comm label; inlined marked.
	n=$(grep -c '^ *comm: ' "$T/traces")
	if ((n != 7)); then
		bad "$n traces with a comm label, expected 7"
		return
	fi
	grep -q 'mix (inline)' "$T/traces" || { bad "inlined frame not marked inline"; return; }
	ok
}

# Another pprof writer's output reads back: go re-encodes ours.
t_pprof_go_proto_back()
{
	if ! have go; then
		skip "go is not installed (Debian: golang-go)"
		return
	fi
	write_fixture "$T/in.folded"
	report "$T/in.folded" --pprof "$T/p.pb.gz"
	expect_rc 0 || return
	if ! go tool pprof -proto "$T/p.pb.gz" >"$T/go.pb.gz" 2>"$T/go.err"; then
		bad "go tool pprof -proto failed: $(head -n 1 "$T/go.err")"
		return
	fi
	report "$T/go.pb.gz" --folded "$T/back.folded"
	expect_rc 0 || return
	if ! cmp -s "$T/in.folded" "$T/back.folded"; then
		bad "go's re-encoding reads back different: $(diff "$T/in.folded" "$T/back.folded" | head -n 3 | tr '\n' '|')"
		return
	fi
	ok
}

t_speedscope_schema()
{
	local v

	if ! have node || ! have npm; then
		skip "node and npm are not installed (Debian: nodejs, npm)"
		return
	fi
	write_fixture "$T/in.folded"
	report "$T/in.folded" --output "$T/p.speedscope.json"
	expect_rc 0 || return
	v=$(validate_speedscope "$T/p.speedscope.json")
	if [[ $v == "npm install"* ]]; then
		skip "$v (no npm registry?)"
		return
	fi
	[[ $v == ok ]] || { bad "speedscope schema: $v"; return; }
	ok
}

t_json_report()
{
	local got

	if ! have python3; then
		skip "python3 is not installed"
		return
	fi
	write_fixture "$T/in.folded"
	report "$T/in.folded" --json "$T/p.json"
	expect_rc 0 || return
	got=$(python3 - "$T/p.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
s = d["stacks"]
assert d["totals"]["samples"] == sum(x["values"]["samples"] for x in s)
f = {x["name"]: x for x in d["functions"]}
assert f["compress"]["self"]["samples"] == 400, f["compress"]
assert f["hash"]["total"]["samples"] == 250, f["hash"]
k = [fr for x in s for fr in x["frames"] if fr["kernel"]]
assert k and all(fr["module"] == "[kernel.kallsyms]" for fr in k)
assert any(fr["inlined"] for x in s for fr in x["frames"])
assert s[0]["frames"][0]["name"] == "main"        # root first
print("ok")
EOF
	)
	[[ $got == ok ]] || { bad "json report: $got"; return; }
	ok
}

# svg_check FILE FRAME: the browser checks of svg_check.js; screenshots to
# $SHOTS/NAME-*.png.
svg_check()
{
	local name=$3

	if ! node "$ROOT/tests/integration/svg_check.js" "$1" "$T" "$2" >"$T/svg.log" 2>&1; then
		bad "in Chromium: $(grep -m1 '^fail' "$T/svg.log" || tail -n 1 "$T/svg.log")"
		return 1
	fi
	mkdir -p "$SHOTS"
	for s in initial search zoom; do
		cp "$T/$s.png" "$SHOTS/$name-$s.png" 2>/dev/null
	done
	return 0
}

have_browser()
{
	if ! have chromium; then
		skip "chromium is not installed (Debian: chromium)"
		return 1
	fi
	if ! have node; then
		skip "node is not installed (Debian: nodejs)"
		return 1
	fi
	return 0
}

t_svg_browser()
{
	have_browser || return
	write_fixture "$T/in.folded"
	report "$T/in.folded" --svg "$T/p.svg"
	expect_rc 0 || return
	svg_check "$T/p.svg" hash fixture || return
	ok
}

# 50,000 distinct stacks: still drawn, and zoom and search stay quick.
t_svg_50k()
{
	local size

	have_browser || return
	awk 'BEGIN {
		srand(7)
		for (s = 0; s < 50000; s++) {
			line = "server"
			h = s
			d = 6 + s % 30
			for (i = 0; i < d; i++) {
				line = line ";fn_" (h % (i < 4 ? 3 : 40)) "_" i
				h = int(h / 3) + i * 7
			}
			printf "%s;leaf_%d %d\n", line, s, 1 + int(1000 / (1 + s % 997))
		}
	}' >"$T/big.folded"
	report "$T/big.folded" --svg "$T/big.svg"
	expect_rc 0 || return
	if ! grep -q 'not drawn; they hold' "$T/big.svg"; then
		bad "no note about frames left out"
		return
	fi
	size=$(stat -c %s "$T/big.svg")
	if ((size > 20000000)); then
		bad "SVG of $size bytes for 50,000 stacks"
		return
	fi
	svg_check "$T/big.svg" fn_0_0 big || return
	ok
}

t_diff_known_change()
{
	write_fixture "$T/base.folded"
	write_fixture_new "$T/new.folded"
	"$PROF" diff "$T/base.folded" "$T/new.folded" --svg "$T/diff.svg" >"$T/out" 2>"$T/err"
	RC=$?
	expect_rc 0 || return
	# The first row of each table is hash: 18.18% of base, 57.14% of new.
	if ! awk '/changes of self share/ { getline; getline; f = ($4 == "hash" && $3 == "+38.96") }
		  END { exit !f }' "$T/out"; then
		bad "hash (+38.96) is not the first self change: $(grep -A2 'self share' "$T/out" | tail -1)"
		return
	fi
	grep -q 'share grew' "$T/diff.svg" || { bad "no differential legend in the SVG"; return; }
	if have chromium && have node; then
		svg_check "$T/diff.svg" hash diff || return
	fi
	ok
}

t_diff_fail_above()
{
	write_fixture "$T/base.folded"
	write_fixture_new "$T/new.folded"
	"$PROF" diff -q "$T/base.folded" "$T/new.folded" --fail-above 30 >"$T/out" 2>"$T/err"
	RC=$?
	expect_rc 3 || return
	grep -q 'hash: self share grew by 38.96 points' "$T/err" ||
		{ bad "no line naming hash: $(err_head)"; return; }
	"$PROF" diff -q "$T/base.folded" "$T/new.folded" --fail-above 39 >"$T/out" 2>"$T/err"
	RC=$?
	expect_rc 0 || return
	ok
}

# A real run of the cpu mode writing every format at once.  The command
# ends before -d does, so the run ends with it and exits with its status.
t_cpu_run_outputs()
{
	local v

	if (($(id -u) != 0)); then
		skip "not root"
		return
	fi
	if ! "$PROF" check >/dev/null 2>&1; then
		skip "profiler check fails on this machine"
		return
	fi
	if ! "$PROF" --help | grep -q -- --pprof; then
		skip "the cpu mode has no --pprof option yet"
		return
	fi
	prof -F "$FREQ" -d $((DUR + 5)) --folded "$T/run.folded" --pprof "$T/run.pb.gz" \
		--svg "$T/run.svg" --speedscope "$T/run.speedscope.json" \
		--json "$T/run.json" -- "$TDIR/cpu_chain" "$DUR"
	expect_rc 0 || return
	check_share "$T/run.folded" "main;chain_a;chain_b;chain_hot" 100 || return
	report "$T/run.pb.gz" --folded "$T/back.folded"
	expect_rc 0 || return
	if ! cmp -s "$T/run.folded" "$T/back.folded"; then
		bad "pprof -> folded differs from the run's folded: $(diff "$T/run.folded" "$T/back.folded" | head -n 3 | tr '\n' '|')"
		return
	fi
	if have go; then
		check_go_top "$T/run.pb.gz" "$T/run.folded" || return
		if ! go tool pprof -traces "$T/run.pb.gz" >/dev/null 2>"$T/go.err" ||
		   [[ -s $T/go.err ]]; then
			bad "go tool pprof -traces: $(head -n 1 "$T/go.err")"
			return
		fi
	fi
	if have node && have npm; then
		v=$(validate_speedscope "$T/run.speedscope.json")
		[[ $v == ok || $v == "npm install"* ]] || { bad "speedscope schema: $v"; return; }
	fi
	if have chromium && have node; then
		svg_check "$T/run.svg" chain_hot cpu_chain || return
	fi
	ok
}

# ---- driver --------------------------------------------------------------------

outputs_main()
{
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM

	if [[ ! -x $PROF ]]; then
		all_tests bad "not built: $PROF (run make first)"
		summary
		exit 1
	fi
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/profiler-out.XXXXXX") &&
		TMP=$(cd "$TMP" && pwd -P) || {
		all_tests bad "mktemp -d failed"
		summary
		exit 1
	}
	TDIR=$(cd "$TDIR" 2>/dev/null && pwd -P || echo "$TDIR")
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

outputs_main
