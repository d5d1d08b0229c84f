// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A tiny library function, called through unwind_target's PLT. */
int plt_tiny(int x);

int plt_tiny(int x)
{
	return x * 3 + 1;
}
