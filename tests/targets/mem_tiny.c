// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Allocates through whatever malloc it is linked with (libtinyalloc.so in
 * the tests): on SIGUSR1, 500 malloc(48) from tiny_site, 400 of them freed,
 * then _exit().  With argv[1] = "prefixed" it calls tiny_malloc/tiny_free
 * directly instead (for --prefix tiny_).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *tiny_malloc(size_t n);
void tiny_free(void *p);

static volatile sig_atomic_t go;
static int prefixed;

__attribute__((noinline)) static void *tiny_site(void)
{
	return prefixed ? tiny_malloc(48) : malloc(48);
}

static void on_usr1(int sig)
{
	(void)sig;
	go = 1;
}

int main(int argc, char **argv)
{
	static void *keep[500];
	int i;

	prefixed = argc > 1 && !strcmp(argv[1], "prefixed");
	signal(SIGUSR1, on_usr1);
	while (!go)
		usleep(1000);
	for (i = 0; i < 500; i++)
		keep[i] = tiny_site();
	for (i = 0; i < 400; i++) {
		if (prefixed)
			tiny_free(keep[i]);
		else
			free(keep[i]);
	}
	usleep(200000);
	_exit(0);
}
