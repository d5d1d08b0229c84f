// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A C++ target whose timed functions are left by exceptions: on SIGUSR1
 * (or at once with --now) it calls shapes::Gauge::check(int) const 100
 * times through shapes::validate(shapes::Gauge const&, int); check()
 * throws std::out_of_range for odd readings (50 times), so both frames are
 * unwound by the exception and main catches it.  Built with g++ -O2, which
 * moves the throw into check's ".cold" part.  It prints "caught 50" and
 * exits 0 if it survived.
 */
#include <csignal>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <unistd.h>

namespace shapes {

class Gauge {
public:
	explicit Gauge(int limit) : limit_(limit) {}
	__attribute__((noinline)) int check(int v) const;

private:
	int limit_;
};

int Gauge::check(int v) const
{
	if (__builtin_expect(v & 1, 0))
		throw std::out_of_range("odd reading");
	return v < limit_ ? v : limit_;
}

__attribute__((noinline)) int validate(const Gauge &g, int v)
{
	int r = g.check(v);

	asm volatile("" ::: "memory");
	return r + 1;
}

} // namespace shapes

static volatile std::sig_atomic_t go;
static volatile int sink;

static void on_usr1(int)
{
	go = 1;
}

int main(int argc, char **argv)
{
	shapes::Gauge g(40);
	int caught = 0;

	go = argc > 1 && !std::strcmp(argv[1], "--now");
	std::signal(SIGUSR1, on_usr1);
	while (!go)
		usleep(1000);
	for (int i = 0; i < 100; i++) {
		try {
			sink = shapes::validate(g, i);
		} catch (const std::out_of_range &) {
			caught++;
		}
	}
	std::printf("caught %d\n", caught);
	std::fflush(stdout);
	return 0;
}
