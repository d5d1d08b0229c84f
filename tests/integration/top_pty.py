#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Drive `profiler top` on a pseudo-terminal as a user would.

top_pty.py PROFILER PID OUT: start `PROFILER top -p PID` on a 30x100
terminal; once a screen names spin_burn, shrink the terminal to 20x60;
once a screen is drawn after that, check that no line of it is wider than
60 columns; then press q.  Everything read goes to OUT.  Exits 0 when top
drew, fitted the new size and quit by itself with status 0 having left
the alternate screen; else prints why and exits 1.
"""
import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time

ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")


def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def main():
    prof, pid, out = sys.argv[1], sys.argv[2], sys.argv[3]
    child, fd = pty.fork()
    if child == 0:
        os.execv(prof, [prof, "top", "-p", pid])
    set_size(fd, 30, 100)
    seen = b""
    phase, mark, deadline = "draw", 0, time.monotonic() + 30
    status = None
    why = "timed out in phase "
    while time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                data = os.read(fd, 65536)
            except OSError:
                data = b""
            if not data:
                break
            seen += data
        if phase == "draw" and b"spin_burn" in seen:
            set_size(fd, 20, 60)
            os.kill(child, signal.SIGWINCH)
            phase, mark = "resized", len(seen)
        elif phase == "resized":
            # A whole screen drawn after the resize: from a home to the
            # clear-below that ends it.
            after = seen[mark:]
            start = after.rfind(b"\x1b[H")
            end = after.find(b"\x1b[J", start) if start >= 0 else -1
            if start >= 0 and end > start:
                screen = ANSI.sub(b"", after[start:end])
                wide = [l for l in screen.split(b"\n") if len(l.rstrip(b"\r")) > 60]
                if wide:
                    why = "line wider than 60 columns after the resize: %r" % wide[0]
                    break
                os.write(fd, b"q")
                phase = "quit"
        wpid, st = os.waitpid(child, os.WNOHANG)
        if wpid:
            status = st
            break
    if status is None:
        try:
            wpid, status = os.waitpid(child, 0) if phase == "quit" else (0, None)
        except ChildProcessError:
            pass
    with open(out, "wb") as f:
        f.write(seen)
    if status is None:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
        print(why + phase)
        return 1
    if phase != "quit":
        print("top exited before it was told to (phase %s), status %d" % (phase, status))
        return 1
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
        print("top exited with status %d after q" % status)
        return 1
    if b"\x1b[?1049l" not in seen:
        print("top did not leave the alternate screen")
        return 1
    return 0


sys.exit(main())
