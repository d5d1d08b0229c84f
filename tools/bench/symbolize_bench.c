// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Symbolization speed: resolve N distinct addresses spread over the text of
 * an ELF file (cold: the first pass includes reading the file, its symbols
 * and debug information; cached: the same addresses again), then build and
 * render a profile of S distinct stacks made of those addresses.
 *
 * With ADDR2LINE (llvm-addr2line's path), the same addresses are resolved by
 * it too (run_addr2line: its cold and warm passes, process start-up not
 * counted), with -f -i -C: the work the symbolizer does (function,
 * file:line, inlined frames, demangled).
 *
 *   symbolize_bench FILE [N [S [ADDR2LINE]]]
 */
#include <gelf.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "model/profile.h"
#include "render/render.h"
#include "symbols/symbolize.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* [lo, hi) of the file's .text, from its section headers. */
static int text_range(const char *path, uint64_t *lo, uint64_t *hi)
{
	int fd = open(path, O_RDONLY), ret = -1;
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	Elf *elf;

	if (fd < 0)
		return -1;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (elf && elf_getshdrstrndx(elf, &shstrndx) == 0) {
		while ((scn = elf_nextscn(elf, scn))) {
			GElf_Shdr sh;
			const char *name;

			if (!gelf_getshdr(scn, &sh))
				continue;
			name = elf_strptr(elf, shstrndx, sh.sh_name);
			if (name && !strcmp(name, ".text")) {
				*lo = sh.sh_addr;
				*hi = sh.sh_addr + sh.sh_size;
				ret = 0;
				break;
			}
		}
	}
	if (elf)
		elf_end(elf);
	close(fd);
	return ret;
}

/* Seconds tool takes on the lines of input (stdin), its output dropped;
 * < 0 if it failed. */
static double time_run(const char *tool, const char *path, FILE *input)
{
	double t0 = now();
	int status;
	pid_t pid;

	rewind(input);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(fileno(input), 0);
		if (null >= 0)
			dup2(null, 1);
		execl(tool, tool, "-a", "-f", "-i", "-C", "-e", path, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return -1;
	return now() - t0;
}

/* How many of tool's answers to input name a function: -a prints each
 * address, then its frames, the innermost first ("??" when unnamed). */
static long count_named(const char *tool, const char *path, FILE *input)
{
	char cmd[8192], line[8192];
	long named = 0;
	bool first = false;
	FILE *out;
	int fd = dup(fileno(input));

	if (fd < 0)
		return -1;
	rewind(input);
	snprintf(cmd, sizeof(cmd), "'%s' -a -f -i -C -e '%s' < /dev/fd/%d", tool,
		 path, fd);
	out = popen(cmd, "r");
	if (!out) {
		close(fd);
		return -1;
	}
	while (fgets(line, sizeof(line), out)) {
		if (!strncmp(line, "0x", 2)) {
			first = true;
			continue;
		}
		if (first)
			named += strcmp(line, "??\n") != 0;
		first = false;
	}
	pclose(out);
	close(fd);
	return named;
}

/*
 * llvm-addr2line on addrs, addresses per second cold and warm: three runs
 * of a fresh process, output to /dev/null: on one line that is not an
 * address (started, the file not opened: it opens it at the first
 * address), on the addresses, and on the addresses twice.  Cold is the
 * second run less the first, warm the third less the second.
 */
static int run_addr2line(const char *tool, const char *path, const uint64_t *addrs,
			 size_t n, double *cold, double *warm, long *named)
{
	FILE *none = tmpfile(), *once = tmpfile(), *twice = tmpfile();
	double t0, t1, t2;
	size_t i;
	int err = -1;

	if (!none || !once || !twice)
		goto out;
	fprintf(none, "start\n");
	for (i = 0; i < 2 * n; i++) {
		if (i < n)
			fprintf(once, "0x%llx\n", (unsigned long long)addrs[i]);
		fprintf(twice, "0x%llx\n", (unsigned long long)addrs[i % n]);
	}
	if (fflush(none) || fflush(once) || fflush(twice))
		goto out;
	t0 = time_run(tool, path, none);
	t1 = time_run(tool, path, once);
	t2 = time_run(tool, path, twice);
	if (t0 < 0 || t1 <= t0 || t2 <= t1)
		goto out;
	*cold = n / (t1 - t0);
	*warm = n / (t2 - t1);
	*named = count_named(tool, path, once);
	err = *named < 0 ? -1 : 0;
out:
	if (none)
		fclose(none);
	if (once)
		fclose(once);
	if (twice)
		fclose(twice);
	return err;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/usr/lib/x86_64-linux-gnu/libc.so.6";
	size_t n = argc > 2 ? strtoul(argv[2], NULL, 10) : 100000;
	size_t nstacks = argc > 3 ? strtoul(argv[3], NULL, 10) : 100000;
	struct frame f[SYMBOLIZER_MAX_FRAMES];
	uint64_t lo, hi, *addrs, *locs;
	struct symbolizer *s;
	struct profile *p;
	size_t i, named = 0, frames = 0;
	double t0, t1, t2, t3, t4, t5;
	FILE *devnull;

	if (text_range(path, &lo, &hi) || hi <= lo) {
		fprintf(stderr, "symbolize_bench: no .text in %s\n", path);
		return 1;
	}
	addrs = malloc(n * sizeof(*addrs));
	locs = malloc(n * SYMBOLIZER_MAX_FRAMES * sizeof(*locs));
	s = symbolizer__new(NULL);
	p = profile__new();
	devnull = fopen("/dev/null", "w");
	if (!addrs || !locs || !s || !p || !devnull)
		return 1;
	/* Distinct addresses spread evenly over .text. */
	for (i = 0; i < n; i++)
		addrs[i] = lo + (hi - lo) * i / n;

	t0 = now();
	for (i = 0; i < n; i++) {
		int k = symbolizer__resolve_file(s, path, addrs[i], f,
						 SYMBOLIZER_MAX_FRAMES);

		named += f[k - 1].name != NULL;
		frames += k;
	}
	t1 = now();
	/* resolve_file has no per-address cache: the second pass measures
	 * the indexed lookups alone (tables and DWARF already read). */
	for (i = 0; i < n; i++)
		symbolizer__resolve_file(s, path, addrs[i], f, SYMBOLIZER_MAX_FRAMES);
	t2 = now();

	/* A profile of nstacks distinct stacks, 24 frames each. */
	profile__add_type(p, "samples", "count");
	for (i = 0; i < n; i++) {
		int k = symbolizer__resolve_file(s, path, addrs[i], f, 1);

		(void)k;
		locs[i] = profile__location(p, &f[0]);
	}
	t3 = now();
	for (i = 0; i < nstacks; i++) {
		uint32_t st[24];
		int64_t v = 1 + i % 7;
		int d;

		for (d = 0; d < 24; d++)
			st[d] = locs[(i * 7919 + d * 104729 + (size_t)d * i) % n];
		profile__add_sample(p, st, 24, 1, "bench", &v);
	}
	t4 = now();
	render_folded(p, 0, 0, devnull);
	render_table(p, 0, 10, devnull);
	t5 = now();

	printf("%s: .text %llu KiB, %zu distinct addresses\n", path,
	       (unsigned long long)(hi - lo) / 1024, n);
	printf("  cold   %8.0f addr/s  (%.3f s: reads symbols, debug info, DWARF)\n",
	       n / (t1 - t0), t1 - t0);
	printf("  warm   %8.0f addr/s  (%.3f s: tables and DWARF already read)\n",
	       n / (t2 - t1), t2 - t1);
	printf("  named  %.1f%%, %.2f frames per address (inlined calls expanded)\n",
	       100.0 * named / n, (double)frames / n);
	printf("  %zu distinct stacks of 24 frames: build %.3f s, render folded + table %.3f s\n",
	       nstacks, t4 - t3, t5 - t4);
	if (argc > 4) {
		double cold, warm;
		long tnamed;

		if (run_addr2line(argv[4], path, addrs, n, &cold, &warm, &tnamed)) {
			fprintf(stderr, "symbolize_bench: %s did not answer\n", argv[4]);
			return 1;
		}
		printf("  %s: cold %8.0f addr/s, warm %8.0f addr/s, named %.1f%%\n",
		       argv[4], cold, warm, 100.0 * (double)tnamed / n);
		printf("  ratio (ours / theirs, >= 1: ours faster): cold %.2f, warm %.2f\n",
		       n / (t1 - t0) / cold, n / (t2 - t1) / warm);
	}
	fclose(devnull);
	profile__free(p);
	symbolizer__free(s);
	free(addrs);
	free(locs);
	return 0;
}
