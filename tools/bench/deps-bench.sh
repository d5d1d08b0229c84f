#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Installs the tools `make bench` compares the profiler with: perf
# (linux-perf), bpftrace, bcc's tools (bpfcc-tools), llvm-addr2line
# (llvm-14) and libc's debug file (libc6-dbg), which both symbolizers read.  Only `make bench`
# calls this; `make test` never needs any of them.  A tool that cannot be
# installed is left out of the comparison with the reason printed, so a
# failed install is reported, not fatal.
set -u

want=""
command -v perf > /dev/null 2>&1 || want="$want linux-perf"
command -v bpftrace > /dev/null 2>&1 || want="$want bpftrace"
command -v memleak-bpfcc > /dev/null 2>&1 || want="$want bpfcc-tools"
command -v llvm-addr2line-14 > /dev/null 2>&1 || want="$want llvm-14"
dpkg-query -W -f '${Status}' libc6-dbg 2> /dev/null | grep -q 'ok installed' ||
	want="$want libc6-dbg"
[ -z "$want" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps-bench: not root, not installing:$want (those columns are skipped)" >&2
	exit 0
fi
echo "deps-bench: installing$want" >&2
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086  # $want is a list of package names
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends $want; } \
	> /tmp/deps-bench.log 2>&1; then
	echo "deps-bench: apt-get failed (see /tmp/deps-bench.log); those columns are skipped" >&2
fi
exit 0
