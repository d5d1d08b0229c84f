#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Integration tests of `profiler serve`: cpu sampling kept attached and
# served over HTTP.  /metrics in Prometheus' text format (promtool checks
# it), /debug/pprof/profile?seconds=N read back by `profiler report` and by
# `go tool pprof` over HTTP, /flamegraph.svg, the bearer token, bad
# requests, concurrent requests, a stop while a request waits, and the
# errors.  Each server listens on a free port it picks (--listen :0) and
# says which on stderr: the tests wait for that line.
#
# Run as `bash tests/integration/serve.sh` after `make` and `make targets`.
# Same conventions as run.sh (see lib.sh).

set -u

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BPF_PROGS="$BPF_PROGS alloc_entry alloc_return free_entry lat_entry lat_return
	   lat_ret lat_thread_exit offcpu_switch"

TESTS="metrics profile_report go_tool_pprof flamegraph loopback_default token
       bad_requests concurrent stop_while_waiting health trend renew_symbols
       exited_dropped
       mem_heap mem_json lat_metrics offcpu offcpu_long_wait slow_clients many_connections
       not_outside prometheus growth_health errors no_bpf_leftover"

URL=
PORT=
SERVE_ARGS=()

# serve_on ARGS...: start `profiler serve` on a free port of 127.0.0.1
# following a busy cpu_chain; URL is where it serves.  1 if it never said.
serve_on()
{
	start_target cpu_chain 60 || { bad "cpu_chain did not start"; return 1; }
	serve_pid "$LAST_PID" "$@"
}

# serve_pid PID ARGS...: start `profiler serve -p PID ARGS` on a free port of
# 127.0.0.1; PORT and URL are where it serves.  1 if it never said.
serve_pid()
{
	local pid=$1

	shift
	prof_start serve -p "$pid" --listen 127.0.0.1:0 "$@"
	wait_said "serving on" || return 1
	PORT=$(sed -n 's|.*serving on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$T/err")
	[[ -n $PORT ]] || { bad "no port in: $(err_head)"; return 1; }
	URL=http://127.0.0.1:$PORT
}

# get PATH [CURL ARGS...]: the body to $T/body; prints the HTTP status.
get()
{
	local path=$1

	shift
	curl -s -m "$LIMIT" -o "$T/body" -w '%{http_code}' "$@" "$URL$path"
}

# stop_serve: SIGINT, and it must exit 0 within LIMIT.
stop_serve()
{
	kill -INT "$PROF_PID" 2>/dev/null
	prof_wait "$LIMIT"
	expect_rc 0
}

# metric NAME: its value in $T/body (the first line without labels).
metric()
{
	awk -v n="$1" '$1 == n { print $2; exit }' "$T/body"
}

# /metrics is valid Prometheus text (promtool), counts the samples taken,
# lists every loss reason and the BPF programs' run time.
t_metrics()
{
	local i samples

	command -v promtool >/dev/null || { skip "promtool is not installed (tools/deps.sh installs prometheus)"; return; }
	serve_on || return
	# Samples arrive with the first second's tick.
	for ((i = 0; i < LIMIT * 10; i++)); do
		[[ $(get /metrics) == 200 ]] || { bad "/metrics: status $(get /metrics)"; return; }
		samples=$(metric profiler_cpu_samples_total)
		((${samples:-0} > 0)) && break
		sleep 0.1
	done
	if ! promtool check metrics <"$T/body" >"$T/promtool" 2>&1; then
		bad "promtool: $(head -c 400 "$T/promtool")"
		return
	fi
	((${samples:-0} > 0)) || { bad "no samples counted: $(head -c 400 "$T/body")"; return; }
	grep -q '^profiler_lost_total{reason="user_stack_map_full"} ' "$T/body" &&
	grep -q '^profiler_bpf_prog_runs_total{prog="cpu_sample"} [1-9]' "$T/body" &&
	grep -q '^profiler_bpf_map_max_entries{map="stacks"} 16384$' "$T/body" ||
		{ bad "missing series: $(grep -c . "$T/body") lines"; return; }
	stop_serve || return
	ok
}

# A profile of the next 2 seconds: 2 s long, nearly all of it in
# chain_hot under the whole chain, as the cpu mode sees it.
t_profile_report()
{
	local share

	serve_on || return
	[[ $(get '/debug/pprof/profile?seconds=2') == 200 ]] || { bad "status $(get /debug/pprof/profile?seconds=2)"; return; }
	"$PROF" report "$T/body" >"$T/report" 2>"$T/rerr" &&
	"$PROF" report "$T/body" --folded "$T/folded" >/dev/null 2>"$T/rerr" ||
		{ bad "report: $(head -c 300 "$T/rerr")"; return; }
	grep -q '^duration 2.00 s, ' "$T/report" || { bad "$(head -3 "$T/report")"; return; }
	read -r hit total _ < <(folded_sum "$T/folded" "main;chain_a;chain_b;chain_hot")
	if ((total < 100 || hit * 100 < total * 90)); then
		bad "$hit of $total samples in main;chain_a;chain_b;chain_hot"
		return
	fi
	stop_serve || return
	ok
}

# go tool pprof fetches the profile itself, as Parca and Pyroscope do.
t_go_tool_pprof()
{
	command -v go >/dev/null || { skip "go is not installed"; return; }
	serve_on || return
	if ! HOME=$T PPROF_TMPDIR=$T timeout "$LIMIT" go tool pprof -top \
		"$URL/debug/pprof/profile?seconds=1" >"$T/top" 2>&1; then
		bad "go tool pprof: $(head -c 400 "$T/top")"
		return
	fi
	grep -q 'chain_hot' "$T/top" || { bad "no chain_hot in: $(head -c 400 "$T/top")"; return; }
	stop_serve || return
	ok
}

t_flamegraph()
{
	serve_on || return
	[[ $(get '/flamegraph.svg?seconds=1') == 200 ]] || { bad "status"; return; }
	grep -q '<svg' "$T/body" && grep -q 'chain_hot' "$T/body" ||
		{ bad "no flame graph of chain_hot"; return; }
	[[ $(get /) == 200 ]] && grep -q '/debug/pprof/profile' "$T/body" ||
		{ bad "/ does not list the endpoints"; return; }
	[[ $(get /health) == 200 ]] || { bad "/health"; return; }
	stop_serve || return
	ok
}

# Without --listen's address it listens on the loopback address only.
t_loopback_default()
{
	local port

	start_target cpu_chain 60 || { bad "cpu_chain did not start"; return; }
	prof_start serve -p "$LAST_PID" --listen :0
	wait_said "serving on" || return
	port=$(sed -n 's|.*serving on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$T/err")
	[[ -n $port ]] || { bad "not on 127.0.0.1: $(err_head)"; return; }
	if ! ss -Hltn "sport = :$port" | grep -q "127.0.0.1:$port"; then
		bad "listening on: $(ss -Hltn "sport = :$port")"
		return
	fi
	stop_serve || return
	ok
}

t_token()
{
	printf 's3cr3t\n' >"$T/token"
	serve_on --token-file "$T/token" || return
	[[ $(get /metrics) == 401 ]] || { bad "no token: $(get /metrics)"; return; }
	[[ $(get /metrics -H 'Authorization: Bearer wrong') == 401 ]] || { bad "wrong token accepted"; return; }
	[[ $(get /metrics -H 'Authorization: Bearer s3cr3t') == 200 ]] || { bad "token refused"; return; }
	stop_serve || return
	: >"$T/empty"
	prof serve --token-file "$T/empty" -d 1
	expect_rc 1 || return
	grep -q "holds no token" "$T/err" || { bad "stderr: $(err_head)"; return; }
	ok
}

t_bad_requests()
{
	serve_on --max-seconds 5 || return
	[[ $(get '/debug/pprof/profile?seconds=0') == 400 ]] &&
	[[ $(get '/debug/pprof/profile?seconds=6') == 400 ]] &&
	[[ $(get '/debug/pprof/profile?seconds=-1') == 400 ]] &&
	[[ $(get '/debug/pprof/profile?seconds=99999999') == 400 ]] &&
	[[ $(get '/debug/pprof/profile?seconds=%ff%00') == 400 ]] &&
	[[ $(get '/debug/pprof/profile?seconds=x') == 400 ]] ||
		{ bad "bad seconds accepted"; return; }
	[[ $(get /nope) == 404 ]] || { bad "/nope: $(get /nope)"; return; }
	[[ $(get /metrics -X POST -d x=1) == 405 ]] || { bad "POST: $(get /metrics -X POST -d x=1)"; return; }
	stop_serve || return
	ok
}

# Two profiles at once: both whole.
t_concurrent()
{
	local a b

	serve_on || return
	curl -s -m "$LIMIT" -o "$T/a" -w '%{http_code}' "$URL/debug/pprof/profile?seconds=2" >"$T/a.status" &
	a=$!
	curl -s -m "$LIMIT" -o "$T/b" -w '%{http_code}' "$URL/debug/pprof/profile?seconds=1" >"$T/b.status" &
	b=$!
	wait $a $b
	if [[ $(cat "$T/a.status") != 200 || $(cat "$T/b.status") != 200 ]]; then
		bad "statuses $(cat "$T/a.status") $(cat "$T/b.status")"
		return
	fi
	"$PROF" report "$T/a" | grep -q '^duration 2.00 s' &&
	"$PROF" report "$T/b" | grep -q '^duration 1.00 s' || { bad "durations"; return; }
	stop_serve || return
	ok
}

# SIGINT while a request waits: the request gets 503, the server exits 0.
t_stop_while_waiting()
{
	local c i

	serve_on || return
	curl -s -m "$LIMIT" -o "$T/w" -w '%{http_code}' "$URL/debug/pprof/profile?seconds=60" >"$T/w.status" &
	c=$!
	for ((i = 0; i < LIMIT * 10; i++)); do
		[[ $(get /metrics) == 200 ]] && [[ $(metric profiler_profile_requests_in_flight) == 1 ]] && break
		sleep 0.1
	done
	stop_serve || return
	wait $c
	[[ $(cat "$T/w.status") == 503 ]] || { bad "waiting request got $(cat "$T/w.status")"; return; }
	ok
}

# /health: 200 while the rules hold; a rule the target breaks (its RSS is
# above 1 KiB) makes it 503 and is named in the body.
t_health()
{
	local i status

	serve_on --health 'rss<1TiB,lost<1000000' || return
	for ((i = 0; i < LIMIT * 10; i++)); do
		status=$(get /health)
		grep -q '"rss_bytes": [1-9]' "$T/body" && break
		sleep 0.1
	done
	[[ $status == 200 ]] && grep -q '"status": "ok"' "$T/body" ||
		{ bad "healthy: $status $(cat "$T/body")"; return; }
	stop_serve || return
	serve_on --health 'lost==0,rss<1KiB' || return
	for ((i = 0; i < LIMIT * 10; i++)); do
		status=$(get /health)
		[[ $status == 503 ]] && break
		sleep 0.1
	done
	[[ $status == 503 ]] && [[ $(jq -r '.failing | join(",")' "$T/body") == "rss<1KiB" ]] ||
		{ bad "unhealthy: $status $(cat "$T/body")"; return; }
	[[ $(get /metrics) == 200 ]] && [[ $(metric profiler_healthy) == 0 ]] ||
		{ bad "profiler_healthy is $(metric profiler_healthy)"; return; }
	stop_serve || return
	prof serve --health 'rss<1GiB' -d 1
	expect_rc 2 || return
	grep -q "needs -p" "$T/err" || { bad "stderr: $(err_head)"; return; }
	ok
}

# /api/trend: a point per --window second, oldest first, each with the
# window's samples and the target's RSS; --history bounds them; the points
# add up to no more than the samples /metrics counted after.
t_trend()
{
	local i n

	serve_on --window 1 --history 3 || return
	for ((i = 0; i < LIMIT * 10; i++)); do
		[[ $(get /api/trend) == 200 ]] || { bad "status"; return; }
		n=$(jq '.points | length' "$T/body")
		((n >= 3)) && break
		sleep 0.2
	done
	if ((n != 3)); then
		bad "$n points with --history 3: $(head -c 300 "$T/body")"
		return
	fi
	cp "$T/body" "$T/trend"
	if [[ $(jq '[.points[] | select(.cpu_samples <= 0 or .rss_bytes <= 0)] | length' "$T/trend") != 0 ||
	      $(jq '[.points[].t_s] | . == sort and (unique | length) == 3' "$T/trend") != true ]]; then
		bad "points: $(jq -c .points "$T/trend")"
		return
	fi
	[[ $(get /metrics) == 200 ]] || { bad "/metrics"; return; }
	if (($(jq '[.points[].cpu_samples] | add' "$T/trend") > $(metric profiler_cpu_samples_total))); then
		bad "the points hold more samples than were taken: $(jq -c .points "$T/trend")"
		return
	fi
	stop_serve || return
	ok
}

# A run of days drops the symbolizer's caches now and then (every second
# here, PROFILER_SERVE_RENEW_S=1); profiles taken after are named as well.
t_renew_symbols()
{
	local i

	export PROFILER_SERVE_RENEW_S=1
	serve_on
	i=$?
	unset PROFILER_SERVE_RENEW_S
	((i == 0)) || return
	for ((i = 0; i < LIMIT * 10; i++)); do
		[[ $(get /metrics) == 200 ]] && (($(metric profiler_symbolizer_renewals_total) >= 2)) && break
		sleep 0.1
	done
	(($(metric profiler_symbolizer_renewals_total) >= 2)) || { bad "no renewal: $(grep renewals "$T/body")"; return; }
	[[ $(get '/debug/pprof/profile?seconds=2') == 200 ]] || { bad "status"; return; }
	"$PROF" report "$T/body" --folded "$T/folded" >/dev/null 2>&1 || { bad "report"; return; }
	read -r hit total _ < <(folded_sum "$T/folded" "main;chain_a;chain_b;chain_hot")
	if ((total < 100 || hit * 100 < total * 90)); then
		bad "after renewals: $hit of $total samples named main;chain_a;chain_b;chain_hot: $(head -c 300 "$T/folded")"
		return
	fi
	stop_serve || return
	ok
}

# named_leaves COMM FOLDED: "NAMED TOTAL" samples of process COMM by their
# innermost user frame (those whose walk stopped at once left out): named
# is a function name, not "[unknown]" nor module+0xOFFSET.
named_leaves()
{
	awk -v comm="$1" '
	$0 ~ "^" comm ";" {
		n = $NF; sub(/ [0-9]+$/, "")
		k = split($0, f, ";"); leaf = ""
		for (i = 2; i <= k; i++) { if (f[i] ~ /_\[k\]$/) break; leaf = f[i] }
		if (leaf == "" || leaf ~ /^\[unwind/) next
		total += n
		if (leaf != "[unknown]" && leaf !~ /\+0x[0-9a-f]+$/) named += n
	}
	END { print named + 0, total + 0 }' "$2"
}

# A run of days follows processes that come and go (a shell starting
# cpu_chain for 30 ms of CPU without end; sweeps every second here,
# PROFILER_SERVE_SWEEP_S=1): what the symbolizer kept of each goes once it
# has exited, yet a profile taken across the sweeps still names the exited
# ones (most of their innermost frames: when they are dropped too early,
# about a fifth); once the churn stops, nothing is kept but the shell, and
# the stored stacks and the kernel's stack map are empty.
t_exited_dropped()
{
	local i cpid named total

	spawn bash -c "while [ ! -e '$T/stop' ]; do '$TDIR/cpu_chain' 0.03; done; exec sleep 600"
	cpid=$LAST_PID
	PROFILER_SERVE_SWEEP_S=1 serve_pid "$cpid" || return
	[[ $(get '/debug/pprof/profile?seconds=4') == 200 ]] || { bad "profile: status"; return; }
	"$PROF" report "$T/body" --folded "$T/folded" >/dev/null 2>"$T/rerr" ||
		{ bad "report: $(head -c 300 "$T/rerr")"; return; }
	read -r named total < <(named_leaves cpu_chain "$T/folded")
	if ((total < 20 || named * 2 < total)); then
		bad "$named of $total samples of cpu_chain named at their leaf: $(head -c 400 "$T/folded")"
		return
	fi
	[[ $(get /metrics) == 200 ]] || { bad "/metrics"; return; }
	(($(metric profiler_symbolizer_processes_dropped_total) >= 20)) ||
		{ bad "dropped: $(grep symbolizer_processes "$T/body")"; return; }
	touch "$T/stop"
	for ((i = 0; i < LIMIT * 10; i++)); do
		[[ $(get /metrics) == 200 ]] || { bad "/metrics"; return; }
		if (($(metric profiler_symbolizer_processes) <= 1 &&
		     $(metric profiler_stacks_stored) == 0)) &&
		   grep -q '^profiler_bpf_map_entries{map="stacks"} 0$' "$T/body"; then
			break
		fi
		sleep 0.1
	done
	if ((i == LIMIT * 10)); then
		bad "after the churn: $(grep -E '^profiler_(symbolizer_processes|stacks_stored|bpf_map_entries)' "$T/body" | tr '\n' ' ')"
		return
	fi
	stop_serve || return
	ok
}

# serve_mem: mem_exact ("stay": it waits after its work) followed with
# --mem; its work done while probed.  Its truth (tests/targets/mem_exact.c):
# 1610 allocations of 221760 bytes, 25 blocks of 11280 bytes outstanding.
serve_mem()
{
	local i

	start_target mem_exact stay >"$T/target.out" || { bad "mem_exact did not start"; return 1; }
	MEM_PID=$LAST_PID
	serve_pid "$MEM_PID" --mem "${SERVE_ARGS[@]}" || return 1
	kill -USR1 "$MEM_PID"
	for ((i = 0; i < LIMIT * 10; i++)); do
		grep -qx done "$T/target.out" && return 0
		sleep 0.1
	done
	bad "mem_exact did not finish its work"
	return 1
}

# /debug/pprof/heap: Go's four sample types with the exact truth; the
# mem counters in /metrics; go tool pprof reads it over HTTP.
t_mem_heap()
{
	serve_mem || return
	[[ $(get /debug/pprof/heap) == 200 ]] || { bad "/debug/pprof/heap: $(cat "$T/body")"; return; }
	"$PROF" report "$T/body" --json "$T/heap.json" >/dev/null 2>"$T/rerr" ||
		{ bad "report: $(head -c 300 "$T/rerr")"; return; }
	if [[ $(jq -c .totals "$T/heap.json") != '{"alloc_objects":1610,"alloc_space_bytes":221760,"inuse_objects":25,"inuse_space_bytes":11280}' ]]; then
		bad "heap totals: $(jq -c .totals "$T/heap.json")"
		return
	fi
	[[ $(get /metrics) == 200 ]] || { bad "/metrics"; return; }
	[[ "$(metric profiler_mem_allocs_total) $(metric profiler_mem_outstanding_bytes)" == "1610 11280" ]] ||
		{ bad "metrics: $(grep '^profiler_mem' "$T/body" | tr '\n' ' ')"; return; }
	if command -v go >/dev/null; then
		HOME=$T PPROF_TMPDIR=$T timeout "$LIMIT" go tool pprof -sample_index=alloc_objects \
			-top "$URL/debug/pprof/heap" >"$T/top" 2>&1 &&
		grep -q 'Total samples = 1610' "$T/top" ||
			{ bad "go tool pprof: $(head -c 400 "$T/top")"; return; }
	fi
	stop_serve || return
	ok
}

# /api/memory: the totals as the mem mode reports them; /api/leaks: the 25
# outstanding blocks by site; an outstanding rule fails with the 11280
# outstanding bytes; without --mem both are 404.
t_mem_json()
{
	local i rc

	SERVE_ARGS=(--health 'outstanding<10KiB')
	serve_mem
	rc=$?
	SERVE_ARGS=()
	((rc == 0)) || return
	for ((i = 0; i < LIMIT * 10; i++)); do
		[[ $(get /health) == 503 ]] && break
		sleep 0.1
	done
	[[ $(jq -r '"\(.failing | join(",")) \(.outstanding_bytes)"' "$T/body") == "outstanding<10KiB 11280" ]] ||
		{ bad "/health: $(cat "$T/body")"; return; }
	[[ $(get /api/memory) == 200 ]] || { bad "/api/memory"; return; }
	if [[ $(jq -c '[.metrics[] | select(.name == "totals.allocs" or .name == "totals.outstanding_bytes") | .value]' "$T/body") != "[1610,11280]" ]]; then
		bad "/api/memory: $(jq -c .metrics "$T/body" | head -c 400)"
		return
	fi
	[[ $(get /api/leaks) == 200 ]] || { bad "/api/leaks"; return; }
	if [[ $(jq -c '.totals.objects' "$T/body") != 25 ]] ||
	   ! jq -e '.stacks[] | select(.stack | index("alloc_zeroed")) | select(.values.objects == 20)' "$T/body" >/dev/null; then
		bad "/api/leaks: $(jq -c '[.totals, [.stacks[] | {stack: .stack[-3:], values}]]' "$T/body" | head -c 600)"
		return
	fi
	stop_serve || return
	serve_on || return
	[[ $(get /debug/pprof/heap) == 404 ]] && [[ $(get /api/leaks) == 404 ]] ||
		{ bad "memory endpoints without --mem: $(get /debug/pprof/heap)"; return; }
	stop_serve || return
	prof serve --mem -d 1
	expect_rc 2 || return
	grep -q -- "--mem needs -p" "$T/err" || { bad "stderr: $(err_head)"; return; }
	ok
}

# --lat: lat_target's one round (--stay: it waits after it) counted and
# timed: fn_fast 500 calls, fn_slow 50 timed calls of ~200 us each; the
# histogram is cumulative, ends at its count, and promtool accepts it.
t_lat_metrics()
{
	local i tpid

	start_target lat_target --stay >"$T/target.out" || { bad "lat_target did not start"; return; }
	tpid=$LAST_PID
	serve_pid "$tpid" --lat 'fn_*' || return
	kill -USR1 "$tpid"
	for ((i = 0; i < LIMIT * 10; i++)); do
		grep -qx done "$T/target.out" && break
		sleep 0.1
	done
	[[ $(get /metrics) == 200 ]] || { bad "/metrics"; return; }
	if command -v promtool >/dev/null && ! promtool check metrics <"$T/body" >"$T/promtool" 2>&1; then
		bad "promtool: $(head -c 400 "$T/promtool")"
		return
	fi
	grep -qx 'profiler_function_calls_total{function="fn_fast",module="lat_target"} 500' "$T/body" &&
	grep -qx 'profiler_function_calls_total{function="fn_slow",module="lat_target"} 50' "$T/body" &&
	grep -qx 'profiler_function_duration_seconds_count{function="fn_slow",module="lat_target"} 50' "$T/body" &&
	grep -qx 'profiler_function_duration_seconds_bucket{function="fn_slow",module="lat_target",le="+Inf"} 50' "$T/body" ||
		{ bad "series: $(grep 'fn_slow\|fn_fast' "$T/body" | grep -v _bucket | tr '\n' ' ')"; return; }
	# Cumulative; fn_slow's calls each spin 200 us, so none is in a bucket
	# up to 131 us (how long the longest took depends on the machine).
	if ! awk -F'[ "]' '/^profiler_function_duration_seconds_bucket\{function="fn_slow"/ {
		v = $NF; if (v < last) bad = 1; last = v
		if ($6 == "0.000131071" && v != 0) bad = 1 }
		END { exit bad }' "$T/body"; then
		bad "buckets: $(grep '_bucket{function="fn_slow"' "$T/body" | tr '\n' ' ')"
		return
	fi
	stop_serve || return
	ok
}

# --offcpu: a 2 s off-CPU profile of offcpu_target, whose sleeper thread
# is off CPU nearly all the time: its sleep_wait time is the profile's
# duration within a tenth and one 100 ms sleep; /metrics counts the
# seconds by state; without --offcpu the endpoint is 404.
t_offcpu()
{
	local dur sleeper

	start_target offcpu_target 60 || { bad "offcpu_target did not start"; return; }
	serve_pid "$LAST_PID" --offcpu || return
	[[ $(get '/debug/pprof/offcpu?seconds=2') == 200 ]] || { bad "status $(cat "$T/body")"; return; }
	"$PROF" report "$T/body" --json "$T/off.json" >/dev/null 2>"$T/rerr" ||
		{ bad "report: $(head -c 300 "$T/rerr")"; return; }
	[[ $(jq -r '.metadata.mode + " " + .metadata.default_sample_type' "$T/off.json") == "offcpu off_cpu_ns" ]] ||
		{ bad "metadata: $(jq -c .metadata "$T/off.json")"; return; }
	dur=$(jq -r .metadata.duration_ns "$T/off.json")
	sleeper=$(jq -r '[.stacks[] | select(.comm == "sleeper" and (.stack | index(["sleep_wait"]))) | .values.off_cpu_ns] | add // 0' "$T/off.json")
	if ((sleeper - dur > dur / 10 + 100000000 || dur - sleeper > dur / 10 + 100000000)); then
		bad "sleeper off CPU $sleeper ns in a profile of $dur ns"
		return
	fi
	[[ $(get /metrics) == 200 ]] || { bad "/metrics"; return; }
	grep -q '^profiler_offcpu_seconds_total{state="S"} [1-9]' "$T/body" &&
	grep -q '^profiler_offcpu_seconds_total{state="D"} ' "$T/body" ||
		{ bad "metrics: $(grep offcpu_seconds "$T/body" | tr '\n' ' ')"; return; }
	if command -v promtool >/dev/null && ! promtool check metrics <"$T/body" >"$T/promtool" 2>&1; then
		bad "promtool: $(head -c 400 "$T/promtool")"
		return
	fi
	stop_serve || return
	serve_on || return
	[[ $(get '/debug/pprof/offcpu?seconds=1') == 404 ]] || { bad "without --offcpu: $(get /debug/pprof/offcpu)"; return; }
	stop_serve || return
	ok
}

# A thread off CPU keeps the stacks its time will be counted under for as
# long as it waits: long_wait reads a pipe twice at the same stack, 0.2 s
# then 8 s.  The profile is asked for 4.5 s into it: by then the stack,
# copied out of the kernel after the first read, has gone unnamed for
# longer than any capture needed it (without the hold, the 8 s come out as
# "[stack lost]").
t_offcpu_long_wait()
{
	local i cpid ns lost

	spawn "$TDIR/long_wait" 8 >"$T/lw.out"
	cpid=$LAST_PID
	for ((i = 0; i < LIMIT * 10; i++)); do
		grep -q ready "$T/lw.out" && break
		sleep 0.1
	done
	grep -q ready "$T/lw.out" || { bad "long_wait did not start"; return; }
	serve_pid "$cpid" --offcpu || return
	kill -USR1 "$cpid"
	# Not a race: the time for the first read's stack to go unnamed.
	sleep 4.5
	# The profile's 6 s begin at the next tick; the long wait ends 8.2 s
	# after the signal.
	curl -s -m "$LIMIT" -o "$T/off.pb.gz" "$URL/debug/pprof/offcpu?seconds=6" ||
		{ bad "curl failed"; return; }
	grep -q done "$T/lw.out" || { bad "long_wait did not finish its reads"; return; }
	"$PROF" report "$T/off.pb.gz" --folded "$T/folded" >/dev/null 2>"$T/rerr" ||
		{ bad "report: $(head -c 300 "$T/rerr")"; return; }
	# Weights in ns (report's folded of an off-CPU profile), as integers.
	ns=$(awk '/;wait_read;/ { n += $NF } END { printf "%d", n / 1e6 }' "$T/folded")
	lost=$(awk '/stack lost/ { n += $NF } END { printf "%d", n / 1e6 }' "$T/folded")
	if ((ns < 7500 || lost > 0)); then
		bad "wait_read ${ns} ms, lost ${lost} ms: $(cut -c1-200 "$T/folded" | head -5)"
		return
	fi
	stop_serve || return
	ok
}

# Clients that send half a request and stall, or ask for a profile and
# never read it, hold only their own connections: the profile of another
# client comes whole, and the server still stops at once.
t_slow_clients()
{
	local i

	serve_on || return
	for i in 1 2 3; do
		exec {fd}<>"/dev/tcp/127.0.0.1/$PORT" || { bad "connect"; return; }
		printf 'GET /metrics HTTP/1.1\r\nHost: x\r\n' >&$fd
		eval "SLOW_$i=$fd"
	done
	# One that asks for a big flame graph and does not read it.
	exec {big}<>"/dev/tcp/127.0.0.1/$PORT"
	printf 'GET /flamegraph.svg?seconds=1 HTTP/1.1\r\nHost: x\r\n\r\n' >&$big
	[[ $(get '/debug/pprof/profile?seconds=2') == 200 ]] || { bad "profile status"; return; }
	"$PROF" report "$T/body" | grep -q '^duration 2.00 s' || { bad "profile"; return; }
	stop_serve || return
	exec {SLOW_1}>&- {SLOW_2}>&- {SLOW_3}>&- {big}>&-
	ok
}

# 500 connections at once: those past the limit are turned away, and the
# server keeps answering and profiling.
t_many_connections()
{
	local i fds=() before after

	serve_on || return
	[[ $(get /metrics) == 200 ]] || { bad "/metrics"; return; }
	before=$(metric profiler_cpu_samples_total)
	for ((i = 0; i < 500; i++)); do
		exec {fd}<>"/dev/tcp/127.0.0.1/$PORT" 2>/dev/null || continue
		fds+=("$fd")
	done
	for fd in "${fds[@]}"; do
		exec {fd}>&-
	done
	# Samples go on counting (the figures refresh every second).
	for ((i = 0; i < LIMIT * 10; i++)); do
		[[ $(get /metrics) == 200 ]] || { bad "/metrics after 500 connections"; return; }
		after=$(metric profiler_cpu_samples_total)
		((after > before)) && break
		sleep 0.1
	done
	((after > before)) || { bad "sampling stopped: $before then $after"; return; }
	[[ $(get '/debug/pprof/profile?seconds=1') == 200 ]] || { bad "profile"; return; }
	stop_serve || return
	ok
}

# Without --listen only the loopback address answers: another address of
# this machine is refused.
t_not_outside()
{
	local addr

	addr=$(hostname -I 2>/dev/null | tr ' ' '\n' | grep -v ':' | grep -v '^127\.' | head -1)
	[[ -n $addr ]] || { skip "this machine has no non-loopback IPv4 address"; return; }
	serve_on || return
	if curl -s -m 5 -o /dev/null "http://$addr:$PORT/metrics"; then
		bad "answered on $addr:$PORT"
		return
	fi
	stop_serve || return
	ok
}

# A real Prometheus scrapes the server: its query API returns the
# profiler's series, and the median of a --lat histogram lies in the bucket
# of fn_slow's ~200 us calls (le 262 us: above 131 us, each call spins 200).
t_prometheus()
{
	local ppid i q tpid

	command -v prometheus >/dev/null || { skip "prometheus is not installed (tools/deps.sh installs it)"; return; }
	start_target lat_target --loop --gap 0.2 >"$T/target.out" ||
		{ bad "lat_target did not start"; return; }
	tpid=$LAST_PID
	serve_pid "$tpid" --lat fn_slow || return
	kill -USR1 "$tpid"
	cat >"$T/prom.yml" <<EOC
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: profiler
    static_configs:
      - targets: ['127.0.0.1:$PORT']
EOC
	spawn prometheus --config.file="$T/prom.yml" --storage.tsdb.path="$T/tsdb" \
		--web.listen-address=127.0.0.1:0 --log.level=warn
	ppid=$LAST_PID
	# Its own port: from the process's sockets.
	for ((i = 0; i < LIMIT * 10; i++)); do
		q=$(ss -Hltnp 2>/dev/null | awk -v p="pid=$ppid," 'index($0, p) { split($4, a, ":"); print a[2]; exit }')
		[[ -n $q ]] && break
		sleep 0.1
	done
	[[ -n $q ]] || { bad "prometheus did not listen"; return; }
	for ((i = 0; i < LIMIT * 5; i++)); do
		curl -s -m 2 "http://127.0.0.1:$q/api/v1/query?query=profiler_up" -o "$T/up.json"
		[[ $(jq -r '.data.result[0].value[1] // empty' "$T/up.json" 2>/dev/null) == 1 ]] && break
		sleep 0.2
	done
	[[ $(jq -r '.data.result[0].value[1] // empty' "$T/up.json") == 1 ]] ||
		{ bad "no profiler_up in Prometheus: $(head -c 300 "$T/up.json")"; return; }
	curl -s -m 5 "http://127.0.0.1:$q/api/v1/query" \
		--data-urlencode 'query=histogram_quantile(0.5, sum by (le) (profiler_function_duration_seconds_bucket{function="fn_slow"}))' \
		-o "$T/q.json"
	if ! jq -e '.data.result[0].value[1] | tonumber | . > 0.000131071 and . <= 0.000262143' "$T/q.json" >/dev/null; then
		bad "fn_slow median from Prometheus: $(head -c 300 "$T/q.json")"
		return
	fi
	kill "$ppid"
	wait_pid "$ppid" "$LIMIT"
	stop_serve || return
	ok
}

# /health with growth<1MiB/min: 503 while the leaker grows 10 MiB a
# second, 200 again once its growth has left the history (3 points of 1 s).
t_growth_health()
{
	local i tpid

	start_target leaker 3 >"$T/target.out" || { bad "leaker did not start"; return; }
	tpid=$LAST_PID
	serve_pid "$tpid" --health 'growth<1MiB/min' --window 1 --history 3 || return
	[[ $(get /health) == 200 ]] || { bad "before: $(cat "$T/body")"; return; }
	kill -USR1 "$tpid"
	for ((i = 0; i < LIMIT * 10; i++)); do
		[[ $(get /health) == 503 ]] && break
		sleep 0.1
	done
	[[ $(get /health) == 503 ]] && [[ $(jq -r '.failing | join(",")' "$T/body") == "growth<1MiB/min" ]] ||
		{ bad "while growing: $(cat "$T/body")"; return; }
	for ((i = 0; i < LIMIT * 10; i++)); do
		grep -qx grown "$T/target.out" && [[ $(get /health) == 200 ]] && break
		sleep 0.1
	done
	[[ $(get /health) == 200 ]] || { bad "after: $(cat "$T/body")"; return; }
	stop_serve || return
	ok
}

t_errors()
{
	local first

	prof serve --listen nowhere -d 1
	expect_rc 2 || return
	grep -q "invalid --listen 'nowhere'" "$T/err" || { bad "stderr: $(err_head)"; return; }
	prof serve -d 1 -- /bin/true
	expect_rc 2 || return
	serve_on || return
	first=$PROF_PID
	prof_start serve --listen "${URL#http://}" -d 5
	prof_wait "$LIMIT"
	kill -INT "$first"
	wait_pid "$first" "$LIMIT"
	expect_rc 1 || return
	grep -q "cannot listen on 127.0.0.1 port" "$T/err" || { bad "stderr: $(err_head)"; return; }
	ok
}

suite_main cpu_chain mem_exact lat_target offcpu_target leaker
