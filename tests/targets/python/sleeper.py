# Off CPU in Python: nap sleeps in time.sleep (select/clock_nanosleep).
import time


def nap():
    time.sleep(0.05)


def loop():
    while True:
        nap()


print("ready", flush=True)
loop()
