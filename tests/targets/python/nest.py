# A chain of known depth for the profiler's Python frames test:
# <module> -> level1 -> level2 -> level3 -> leaf, spinning in leaf.
# Lines matter: tests/integration/python.sh checks them.


def leaf(n):
    x = 0
    for i in range(n):
        x += i * i
    return x


def level3():
    while True:
        leaf(1000)


def level2():
    level3()


def level1():
    level2()


print("ready", flush=True)
level1()
