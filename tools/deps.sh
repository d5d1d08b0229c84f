#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Installs the Debian 12 packages that building and testing the profiler
# need.  With --if-missing, does nothing when every tool and header is
# already there (so `make test` and `make demo` can call it cheaply).
set -eu

PACKAGES="make gcc g++ clang llvm bpftool libbpf-dev libelf-dev libdw-dev
	  zlib1g-dev liblzma-dev libiberty-dev libcapstone-dev libcmocka-dev pkg-config
	  libmicrohttpd-dev curl prometheus debhelper dpkg-dev tmux systemd
	  libclang-rt-14-dev
	  binutils xz-utils
	  libc6-dev libc6-dbg procps util-linux bc time
	  golang-go chromium fonts-dejavu-core python3 jq"

missing()
{
	local c h
	for c in make gcc g++ clang bpftool pkg-config strip nm readelf objcopy \
		 addr2line xz pgrep setpriv unshare go chromium node npm python3 \
		 jq curl promtool dpkg-buildpackage dh tmux systemd-analyze; do
		command -v "$c" >/dev/null 2>&1 || return 0
	done
	for h in bpf/libbpf.h gelf.h elfutils/libdwfl.h zlib.h lzma.h cmocka.h \
		 libiberty/demangle.h capstone/capstone.h microhttpd.h; do
		[ -e "/usr/include/$h" ] || return 0
	done
	# libFuzzer's runtime, for the fuzz harnesses.
	compgen -G '/usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a' \
		>/dev/null || return 0
	return 1
}

if [ "${1:-}" = "--if-missing" ] && ! missing; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "tools/deps.sh: installing packages needs root: sudo tools/deps.sh" >&2
	exit 1
fi

echo "tools/deps.sh: installing build and test dependencies"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null
# Node.js and npm (the SVG and speedscope checks): machines of this kind
# ship them (from NodeSource, whose nodejs conflicts with Debian's npm), so
# install Debian's only where they are missing.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
