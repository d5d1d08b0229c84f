# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# A live interpreter for test_pycode.c to read code objects from.  Prints
#
#   TYPE ADDR                     the address of PyCode_Type
#   CODE ADDR FIRSTLINENO QUALNAME NAME FILENAME LINES   per code object
#   READY
#
# then waits on stdin.  QUALNAME, NAME and FILENAME are the UTF-8 the
# reader should give (sanitized, cut to argv[1] characters), in hex; LINES
# the line of every code unit (co_positions(), "n" for None).  Prints
# "SKIP reason" instead when this is not 3.11.
import sys

if sys.version_info[:2] != (3, 11):
    print("SKIP /usr/bin/python3 is %d.%d, not 3.11" % sys.version_info[:2])
    sys.exit(0)

CAP = int(sys.argv[1])


def sanitize(s):
    def bad(c):
        o = ord(c)
        return (o < 0x20 or 0x7f <= o < 0xa0 or 0xd800 <= o < 0xe000 or
                o in (0x2028, 0x2029) or 0x202a <= o <= 0x202e or
                0x2066 <= o <= 0x2069)
    return "".join("?" if bad(c) else c for c in s[:CAP]).encode().hex()


def outer():
    def inner():
        return 1
    return inner


class Größe:
    def maß(self):
        return 2


def Функция():
    return 3


def 𠀀():
    return 4


codes = [outer.__code__, outer().__code__, Größe.maß.__code__,
         Функция.__code__, 𠀀.__code__]
# Names no compiler writes: control characters, a bidi override, a lone
# surrogate (as surrogateescape makes of a file name that is not UTF-8),
# and a name longer than the reader keeps.
codes.append(outer.__code__.replace(co_qualname="evil\x1b]0;x\x07\u202eend",
                                    co_name="a\nb\x85c",
                                    co_filename="bad\udcff.py"))
codes.append(outer.__code__.replace(co_qualname="q" * (CAP + 100) + "é"))

print("TYPE", hex(id(type(outer.__code__))))
for c in codes:
    lines = [("n" if p[0] is None else str(p[0])) for p in c.co_positions()]
    print("CODE", hex(id(c)), c.co_firstlineno, sanitize(c.co_qualname),
          sanitize(c.co_name), sanitize(c.co_filename), ",".join(lines))
print("READY", flush=True)
sys.stdin.read()
