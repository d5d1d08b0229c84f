# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# What CPython itself says about its line tables, for test_pycode.c: for
# every code object of a few standard modules (and of a source made to need
# every kind of entry), one line
#
#   LABEL FIRSTLINENO LINETABLE-HEX LINES
#
# LINETABLE-HEX is co_linetable ("-" when empty), LINES the line of every
# code unit as co_positions() gives it, comma-separated, "n" for None.
# Run by /usr/bin/python3 only; prints "SKIP reason" and nothing else when
# that is not 3.11 (the table format of another version differs).
import importlib.util
import sys

if sys.version_info[:2] != (3, 11):
    print("SKIP /usr/bin/python3 is %d.%d, not 3.11" % sys.version_info[:2])
    sys.exit(0)

MODULES = [
    "json.decoder", "collections", "argparse", "typing",
    "asyncio.base_events", "email.message", "contextlib", "tarfile",
    "zipfile", "dataclasses",
]

# Long lines (columns past 127: the long form), lines far apart (varints of
# more than one chunk), loops (negative deltas), try/finally, with and
# match (entries without a location), generators and comprehensions.
SYNTHETIC = (
    "import contextlib\n"
    "def f(xs):\n"
    "    total = 0\n"
    "    for x in xs:\n"
    "        try:\n"
    "            with contextlib.suppress(ValueError):\n"
    "                total += int(x)\n"
    "        finally:\n"
    "            total -= 1\n"
    + "\n" * 3000 +
    "    match total:\n"
    "        case 0: return [y * 2 for y in xs]\n"
    "        case [a, b]: return a\n"
    "        case _: pass\n"
    "    g = (z for z in xs if z)\n"
    "    return " + " + ".join("total" for _ in range(60)) + "\n"
    "async def h():\n"
    "    async with contextlib.nullcontext() as c:\n"
    "        await c\n"
    + "\n" * 70000 +
    "x = (1 +\n"
    "     2 +\n"
    + "\n" * 200 +
    "     3)\n"
)


def walk(code, label):
    yield label + ":" + code.co_qualname, code
    for c in code.co_consts:
        if isinstance(c, type(code)):
            yield from walk(c, label)


def dump(label, code):
    for name, c in walk(code, label):
        lines = [("n" if p[0] is None else str(p[0])) for p in c.co_positions()]
        # One position per code unit.
        assert len(lines) == len(c.co_code) // 2, name
        print(name.replace(" ", "_"), c.co_firstlineno,
              c.co_linetable.hex() or "-", ",".join(lines) or "-")


for m in MODULES:
    spec = importlib.util.find_spec(m)
    dump(m, spec.loader.get_code(m))
dump("synthetic", compile(SYNTHETIC, "<synthetic>", "exec"))
