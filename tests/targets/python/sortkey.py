# Python -> C -> Python: sorted() (native) calls keyfn (Python) for each
# element; the stacks must show level2, then sort's native frames, then
# keyfn.


def keyfn(x):
    s = 0
    for i in range(50):
        s += i
    return s - x


def level2():
    data = list(range(3000))
    while True:
        sorted(data, key=keyfn)


def level1():
    level2()


print("ready", flush=True)
level1()
