// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A C++ target for the lat mode's demangled names: on SIGUSR1 (or at once
 * with --now) it calls shapes::Widget::area() const 100 times,
 * shapes::Widget::grow(int) 50 times and shapes::make_widget(int) 10
 * times, then exits.  '*Widget::*' must match the two methods (names as
 * c++filt prints them) and not make_widget.
 */
#include <csignal>
#include <cstdio>
#include <cstring>
#include <unistd.h>

namespace shapes {

class Widget {
public:
	explicit Widget(int side) : side_(side) {}
	__attribute__((noinline)) int area() const;
	__attribute__((noinline)) void grow(int by);

private:
	int side_;
};

int Widget::area() const
{
	return side_ * side_;
}

void Widget::grow(int by)
{
	side_ += by;
}

__attribute__((noinline)) Widget make_widget(int side)
{
	return Widget(side);
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
	go = argc > 1 && !std::strcmp(argv[1], "--now");
	std::signal(SIGUSR1, on_usr1);
	while (!go)
		usleep(1000);
	for (int i = 0; i < 10; i++) {
		shapes::Widget w = shapes::make_widget(i);

		for (int k = 0; k < 5; k++)
			w.grow(1);
		for (int k = 0; k < 10; k++)
			sink = w.area();
	}
	usleep(200000);
	return 0;
}
