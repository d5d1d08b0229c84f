# A thread hashing with the GIL released (hashlib releases it for data
# over 2 KiB) beside the main thread spinning in Python: the hashing
# thread's samples must still show its Python function, hasher.
import hashlib
import threading

DATA = b"x" * (1 << 22)


def hasher():
    while True:
        hashlib.sha256(DATA).digest()


def spinner():
    x = 0
    while True:
        x += 1


threading.Thread(target=hasher, daemon=True).start()
print("ready", flush=True)
spinner()
