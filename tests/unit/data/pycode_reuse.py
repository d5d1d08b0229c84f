# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# A code object freed and its memory reused by another, for test_pycode.c:
# prints "TYPE ADDR" (PyCode_Type) and "CODE ADDR" (first_fn's code), waits
# for a line on stdin, frees it and makes code objects of the same size
# until one lands at the same address, prints "REUSED" (or "SKIP why"),
# then waits on stdin.
import sys

if sys.version_info[:2] != (3, 11):
    print("SKIP /usr/bin/python3 is %d.%d, not 3.11" % sys.version_info[:2])
    sys.exit(0)


def make(name):
    ns = {}
    exec(compile("def %s():\n    return 1\n" % name, name + ".py", "exec"), ns)
    return ns[name].__code__


code = make("first_fn")
addr = id(code)
print("TYPE", hex(id(type(code))))
print("CODE", hex(addr), flush=True)
sys.stdin.readline()
del code
keep = []
for _ in range(20000):
    c = make("second_fn")
    if id(c) == addr:
        print("REUSED", flush=True)
        break
    keep.append(c)
else:
    print("SKIP no code object landed at the freed address", flush=True)
sys.stdin.read()
