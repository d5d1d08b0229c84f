// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Allocations whose direct caller a frame-pointer walk loses: they go
 * through libstdc++ and libc code built without frame pointers (operator
 * new, std::string's growth, strdup), so at malloc's return the walk skips
 * the function that called them.  This program itself keeps frame pointers.
 * On SIGUSR1 (or at once with --now), from main -> f_mid:
 *
 *   g_new       1000 x operator new (64 bytes)
 *   g_string     300 x a std::string of 100 characters (one allocation)
 *   g_strdup     200 x strdup of a 40-character string
 *
 * each freed at once, then it lingers 200 ms and exits 0.
 */
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))

static volatile sig_atomic_t go;
static void *volatile sink;

NOINLINE static void g_new()
{
	int *p = new int[16];

	sink = p;
	delete[] p;
}

NOINLINE static void g_string()
{
	std::string *s = new (std::nothrow) std::string();

	if (!s)
		return;
	/* The object itself: 'new' above.  Its buffer: assign grows it. */
	s->assign(100, 'x');
	sink = s;
	delete s;
}

NOINLINE static void g_strdup()
{
	char *p = strdup("forty characters of text, give or take..");

	sink = p;
	free(p);
}

NOINLINE static void f_mid()
{
	for (int i = 0; i < 1000; i++)
		g_new();
	for (int i = 0; i < 300; i++)
		g_string();
	for (int i = 0; i < 200; i++)
		g_strdup();
}

static void on_usr1(int)
{
	go = 1;
}

int main(int argc, char **argv)
{
	go = argc > 1 && !strcmp(argv[1], "--now");
	signal(SIGUSR1, on_usr1);
	while (!go)
		usleep(1000);
	f_mid();
	usleep(200000);
	return 0;
}
