# Allocations from Python: make_blocks allocates 64 KiB bytearrays
# (malloc under the hood, above pymalloc's 512-byte limit) in a loop.
def make_blocks(n):
    keep = []
    for _ in range(n):
        keep.append(bytearray(65536))
    return len(keep)


def run():
    while True:
        make_blocks(100)


print("ready", flush=True)
run()
