#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Deployment: `make install` into a staging root (PREFIX, DESTDIR) puts the
# binary, the man page, bash completion, the systemd unit and its settings
# file where they belong, and `make uninstall` takes them back; `make deb`
# builds a Debian package with dpkg-buildpackage that installs, runs
# `profiler check`, and is removed and purged without a trace.
#
# Run as `bash tests/integration/package.sh` after `make`.  Same conventions
# as run.sh (see lib.sh).

set -u

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TESTS="install_usr install_local deb"

# installed ROOT PATH...: every PATH exists under ROOT.
installed()
{
	local root=$1 f

	shift
	for f in "$@"; do
		[[ -e $root$f ]] || { bad "make install left no $f"; return 1; }
	done
	return 0
}

t_install_usr()
{
	local r=$T/root

	make -s -C "$ROOT" install DESTDIR="$r" PREFIX=/usr >"$T/log" 2>&1 ||
		{ bad "make install: $(tail -c 400 "$T/log")"; return; }
	installed "$r" /usr/bin/profiler /usr/share/man/man1/profiler.1 \
		/usr/share/bash-completion/completions/profiler \
		/lib/systemd/system/profiler.service /etc/default/profiler || return
	[[ -x $r/usr/bin/profiler ]] || { bad "the binary is not executable"; return; }
	grep -qx 'ExecStart=/usr/bin/profiler serve $PROFILER_ARGS' "$r/lib/systemd/system/profiler.service" &&
	grep -qx 'EnvironmentFile=-/etc/default/profiler' "$r/lib/systemd/system/profiler.service" ||
		{ bad "unit: $(grep -E '^(ExecStart|EnvironmentFile)' "$r/lib/systemd/system/profiler.service")"; return; }
	bash -n "$r/usr/share/bash-completion/completions/profiler" ||
		{ bad "the completion script does not parse"; return; }
	# The settings file is the admin's: a second install keeps it.
	echo 'PROFILER_ARGS="-p 1"' >"$r/etc/default/profiler"
	make -s -C "$ROOT" install DESTDIR="$r" PREFIX=/usr >"$T/log" 2>&1 || { bad "second install"; return; }
	grep -qx 'PROFILER_ARGS="-p 1"' "$r/etc/default/profiler" || { bad "install overwrote the settings"; return; }
	"$r/usr/bin/profiler" --version >/dev/null || { bad "the installed binary does not run"; return; }
	make -s -C "$ROOT" uninstall DESTDIR="$r" PREFIX=/usr >"$T/log" 2>&1 || { bad "make uninstall"; return; }
	if [[ -n $(find "$r" -type f ! -path '*/etc/default/profiler') ]]; then
		bad "uninstall left: $(find "$r" -type f | tr '\n' ' ')"
		return
	fi
	ok
}

t_install_local()
{
	local r=$T/root

	make -s -C "$ROOT" install DESTDIR="$r" >"$T/log" 2>&1 ||
		{ bad "make install: $(tail -c 400 "$T/log")"; return; }
	installed "$r" /usr/local/bin/profiler /usr/local/share/man/man1/profiler.1 \
		/usr/local/lib/systemd/system/profiler.service /usr/local/etc/default/profiler ||
		return
	grep -qx 'ExecStart=/usr/local/bin/profiler serve $PROFILER_ARGS' \
		"$r/usr/local/lib/systemd/system/profiler.service" || { bad "unit ExecStart"; return; }
	ok
}

t_deb()
{
	local deb

	for c in dpkg-buildpackage dh; do
		command -v $c >/dev/null || { skip "$c is not installed (tools/deps.sh installs dpkg-dev and debhelper)"; return; }
	done
	if dpkg -s profiler >/dev/null 2>&1; then
		skip "a profiler package is installed on this machine already"
		return
	fi
	make -s -C "$ROOT" deb >"$T/log" 2>&1 || { bad "make deb: $(tail -c 600 "$T/log")"; return; }
	deb=$(ls "$ROOT"/build/deb/profiler_*_amd64.deb 2>/dev/null | head -1)
	[[ -n $deb ]] || { bad "no .deb in build/deb"; return; }
	dpkg -i "$deb" >"$T/log" 2>&1 || { bad "dpkg -i: $(tail -c 400 "$T/log")"; return; }
	/usr/bin/profiler check >"$T/check" 2>&1
	rc=$?
	vrc=0
	if command -v systemd-analyze >/dev/null; then
		systemd-analyze verify /lib/systemd/system/profiler.service >"$T/verify" 2>&1
		vrc=$?
	fi
	dpkg -L profiler >"$T/files"
	dpkg --purge profiler >"$T/log" 2>&1 || { bad "dpkg --purge: $(tail -c 400 "$T/log")"; return; }
	((rc == 0)) || { bad "profiler check: $(tail -c 400 "$T/check")"; return; }
	((vrc == 0)) || { bad "systemd-analyze verify: $(head -c 400 "$T/verify")"; return; }
	grep -qx /lib/systemd/system/profiler.service "$T/files" &&
	grep -qx /usr/share/bash-completion/completions/profiler "$T/files" ||
		{ bad "package files: $(tr '\n' ' ' <"$T/files")"; return; }
	if [[ -e /usr/bin/profiler || -e /etc/default/profiler || -e /lib/systemd/system/profiler.service ]]; then
		bad "purge left files behind"
		return
	fi
	ok
}

suite_main
