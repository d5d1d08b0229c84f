# Recursion 300 Python frames deep, spinning at the bottom: more frames
# than a stack holds (255): the stacks end with the truncation marker.
import sys

sys.setrecursionlimit(10000)


def rec(n):
    if n == 0:
        print("ready", flush=True)
        while True:
            pass
    rec(n - 1)


rec(300)
