// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Finding CPython in live processes: Debian's python3 (non-PIE, libpython
 * linked in, stripped), a pyenv build with libpython3.11.so when there is
 * one, versions without a frame layout (fakes, and pyenv's when present)
 * and processes that are no python.  Addresses are checked against nm, and
 * the thread-state lookup the BPF side will make is made here from outside
 * (the key read from the process, the thread pointer by ptrace) and must
 * give the thread state the interpreter itself reports.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <gnu/libc-version.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "symbols/pydetect.h"
#include "symbols/pyversions.h"

#define DEBIAN_PYTHON	"/usr/bin/python3"
#define PYENV		"/root/.pyenv/versions"
#define FAKE_312	FIXTURE_DIR "/fake_python312"
#define FAKE_310	FIXTURE_DIR "/fakepy/python3.10"
#define PYKEYS		FIXTURE_DIR "/libpykeys.so"
#define PYKEYS_TAKEN	5	/* keys libpykeys.so takes */

/* Prints, for its main thread and then for a second thread that sleeps
 * (the GIL released), the thread's id and its state as the interpreter
 * knows it. */
static const char tstate_script[] =
	"import ctypes, threading, time\n"
	"get = ctypes.pythonapi.PyThreadState_Get\n"
	"get.restype = ctypes.c_void_p\n"
	"def show():\n"
	"    print(threading.get_native_id(), hex(get()), flush=True)\n"
	"def worker():\n"
	"    show()\n"
	"    time.sleep(1000)\n"
	"show()\n"
	"threading.Thread(target=worker, daemon=True).start()\n"
	"while True:\n"
	"    time.sleep(1)\n";

static const char idle_script[] =
	"import time\n"
	"print('up', flush=True)\n"
	"time.sleep(1000)\n";

/*
 * Run argv (in environment envp, if not NULL) with its stdout on a pipe
 * (*out, if out is not NULL); returns once the exec has happened (a
 * close-on-exec pipe reads EOF then), or fails the test.
 */
static pid_t spawn(char *const argv[], char *const envp[], int *out)
{
	int sync[2], pipefd[2] = { -1, -1 }, err = 0;
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe2(sync, O_CLOEXEC), 0);
	if (out)
		assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* Ended with the test, even one that fails half-way. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (out && dup2(pipefd[1], STDOUT_FILENO) < 0)
			_exit(127);
		if (envp)
			execve(argv[0], argv, envp);
		else
			execv(argv[0], argv);
		err = errno;
		if (write(sync[1], &err, sizeof(err)) < 0)
			_exit(126);
		_exit(127);
	}
	close(sync[1]);
	n = read(sync[0], &err, sizeof(err));
	close(sync[0]);
	if (out) {
		close(pipefd[1]);
		*out = pipefd[0];
	}
	if (n != 0) {
		waitpid(pid, NULL, 0);
		fail_msg("exec %s: %s", argv[0], strerror(err));
	}
	return pid;
}

static void end(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* One line from fd, within 30 s (a loaded host starts python slowly). */
static bool read_line(int fd, char *buf, size_t len)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t n = 0;

	while (n + 1 < len) {
		if (poll(&p, 1, 30000) != 1 || read(fd, buf + n, 1) != 1)
			return false;
		if (buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = '\0';
	return true;
}

/* A symbol's value and size as nm lists them (-D: .dynsym). */
static bool nm_symbol(const char *path, bool dynamic, const char *name,
		      uint64_t *addr, uint64_t *size)
{
	char cmd[512], line[512], sym[256], type;
	bool found = false;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "nm -S --defined-only %s '%s' 2>/dev/null",
		 dynamic ? "-D" : "", path);
	f = popen(cmd, "r");
	assert_non_null(f);
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%" SCNx64 " %" SCNx64 " %c %255s", addr, size,
			   &type, sym) == 4 && !strcmp(sym, name))
			found = true;
	pclose(f);
	return found;
}

static void read_mem(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };

	assert_int_equal(process_vm_readv(pid, &local, 1, &remote, 1, 0),
			 (ssize_t)len);
}

/* Thread tid's thread pointer, what BPF reads as thread.fsbase. */
static uint64_t fsbase(pid_t tid)
{
	long v;
	int st;

	assert_int_equal(ptrace(PTRACE_ATTACH, tid, NULL, NULL), 0);
	assert_int_equal(waitpid(tid, &st, __WALL), tid);
	assert_true(WIFSTOPPED(st));
	errno = 0;
	v = ptrace(PTRACE_PEEKUSER, tid,
		   (void *)(offsetof(struct user, regs) +
			    offsetof(struct user_regs_struct, fs_base)), NULL);
	assert_int_equal(errno, 0);
	assert_int_equal(ptrace(PTRACE_DETACH, tid, NULL, NULL), 0);
	return (uint64_t)v;
}

/* "TID 0xSTATE" */
static void parse_thread(const char *line, pid_t *tid, uint64_t *tstate)
{
	char *end;
	long t;

	errno = 0;
	t = strtol(line, &end, 10);
	assert_true(!errno && end != line && *end == ' ' && t > 0);
	*tid = (pid_t)t;
	*tstate = strtoull(end + 1, &end, 16);
	assert_true(!errno && *end == '\0' && *tstate != 0);
}

/*
 * python (3.11) has its interpreter in image (the executable or its
 * libpython): detection gives nm's addresses plus one page-aligned bias
 * (0 for a non-PIE executable), and the thread-state lookup through
 * glibc's thread-specific data finds each thread's state, the main
 * thread's and a sleeping one's.  preload: with libpykeys.so, whose keys
 * push the interpreter's past key 0.
 */
static void check_python(const char *python, const char *image, bool pie,
			 bool preload)
{
	char *argv[] = { (char *)python, "-I", "-c", (char *)tstate_script, NULL };
	char *envp[] = { "LD_PRELOAD=" PYKEYS, NULL };
	uint64_t eval, eval_size, rt, rt_size, ct, ct_size, cold, cold_size;
	uint64_t bias, fs, tstate, word;
	char line[2][64], why[256];
	struct py_image img;
	struct py_proc p;
	pid_t pid, tid;
	uint32_t key;
	int fd, err, i;

	pid = spawn(argv, preload ? envp : NULL, &fd);
	for (i = 0; i < 2; i++) {
		if (read_line(fd, line[i], sizeof(line[i])))
			continue;
		close(fd);
		end(pid);
		fail_msg("%s printed no thread state", python);
	}
	close(fd);

	err = py_detect(pid, &p, &img, why, sizeof(why));
	if (err)
		print_message("%s: %d %s\n", python, err, why);
	assert_int_equal(err, 0);
	assert_string_equal(why, "");
	assert_int_equal(p.version, 0x030b);
	assert_int_equal(img.major, 3);
	assert_int_equal(img.minor, 11);
	assert_ptr_equal(img.off, py_offsets_for(3, 11));
	assert_memory_equal(&p.off, py_offsets_for(3, 11), sizeof(p.off));
	assert_string_equal(img.path, image);

	assert_true(nm_symbol(image, true, "_PyEval_EvalFrameDefault", &eval,
			      &eval_size));
	assert_true(nm_symbol(image, true, "_PyRuntime", &rt, &rt_size));
	assert_true(nm_symbol(image, true, "PyCode_Type", &ct, &ct_size));
	bias = p.eval_start - eval;
	assert_int_equal(bias & 0xfff, 0);
	if (!pie)
		assert_int_equal(bias, 0);
	else
		assert_true(bias != 0);
	assert_int_equal(p.eval_end, p.eval_start + eval_size);
	assert_int_equal(p.tss_key, rt + bias + 596);
	assert_int_equal(img.code_type, ct + bias);
	/* .cold only from .symtab: none in a stripped file. */
	if (nm_symbol(image, false, "_PyEval_EvalFrameDefault.cold", &cold,
		      &cold_size)) {
		assert_int_equal(p.cold_start, cold + bias);
		assert_int_equal(p.cold_end, cold + bias + cold_size);
	} else {
		assert_int_equal(p.cold_start, 0);
		assert_int_equal(p.cold_end, 0);
	}
	print_message("%s: interpreter in %s, bias 0x%" PRIx64 ", eval [0x%llx, 0x%llx), "
		      "cold [0x%llx, 0x%llx), tss key at 0x%llx, tsd base 0x%x size %u "
		      "data %u keys %u\n", python, img.path, bias,
		      (unsigned long long)p.eval_start, (unsigned long long)p.eval_end,
		      (unsigned long long)p.cold_start, (unsigned long long)p.cold_end,
		      (unsigned long long)p.tss_key, p.tsd_base, p.tsd_size, p.tsd_data,
		      p.tsd_keys);

	/* glibc 2.36 (Debian 12): struct pthread's specific_1stblock. */
	if (!strcmp(gnu_get_libc_version(), "2.36")) {
		assert_int_equal(p.tsd_base, 0x310);
		assert_int_equal(p.tsd_size, 16);
		assert_int_equal(p.tsd_data, 8);
		assert_int_equal(p.tsd_keys, 32);
	}

	/* What the BPF side will do, from outside, for each thread. */
	read_mem(pid, p.tss_key, &key, sizeof(key));
	assert_true(key < p.tsd_keys);
	if (preload)
		assert_true(key >= PYKEYS_TAKEN);
	for (i = 0; i < 2; i++) {
		parse_thread(line[i], &tid, &tstate);
		assert_true(i == 0 ? tid == pid : tid != pid);
		fs = fsbase(tid);
		read_mem(pid, fs + p.tsd_base + (uint64_t)key * p.tsd_size + p.tsd_data,
			 &word, sizeof(word));
		print_message("%s: thread %d, key %u: thread state 0x%" PRIx64
			      " (python says 0x%" PRIx64 ")\n", python, (int)tid, key,
			      word, tstate);
		assert_int_equal(word, tstate);
	}
	end(pid);
}

static void test_debian_python(void **state)
{
	(void)state;
	if (access(DEBIAN_PYTHON, X_OK)) {
		print_message("no %s: skipped\n", DEBIAN_PYTHON);
		skip();
	}
	/* The link resolves to the file mapped. */
	check_python(DEBIAN_PYTHON, "/usr/bin/python3.11", false, false);
	check_python(DEBIAN_PYTHON, "/usr/bin/python3.11", false, true);
}

/* pyenv's 3.11 built with --enable-shared: the interpreter in a library. */
static void test_pyenv_shared(void **state)
{
	char python[512], lib[512];
	glob_t g;
	size_t n;

	(void)state;
	if (glob(PYENV "/3.11*/lib/libpython3.11.so.1.0", 0, NULL, &g)) {
		print_message("no pyenv 3.11 with libpython3.11.so under " PYENV
			      ": skipped\n");
		skip();
	}
	snprintf(lib, sizeof(lib), "%s", g.gl_pathv[0]);
	globfree(&g);
	n = strlen(lib) - strlen("/lib/libpython3.11.so.1.0");
	snprintf(python, sizeof(python), "%.*s/bin/python3.11", (int)n, lib);
	check_python(python, lib, true, true);
}

/* argv runs and is refused as python of version ("python 3.12 "); a real
 * python prints a line once it is up, the fakes print nothing. */
static void expect_refused(char *const argv[], bool prints, const char *version)
{
	struct py_image img;
	struct py_proc p;
	char why[256], line[64], pidstr[32];
	pid_t pid;
	int fd, err;

	pid = spawn(argv, NULL, &fd);
	if (prints && !read_line(fd, line, sizeof(line))) {
		close(fd);
		end(pid);
		fail_msg("%s did not start", argv[0]);
	}
	close(fd);
	err = py_detect(pid, &p, &img, why, sizeof(why));
	end(pid);
	print_message("%s: %d \"%s\"\n", argv[0], err, why);
	assert_int_equal(err, -ENOTSUP);
	assert_non_null(strstr(why, version));
	snprintf(pidstr, sizeof(pidstr), "pid %d", (int)pid);
	assert_non_null(strstr(why, pidstr));
	assert_null(strchr(why, '\n'));
}

static void test_fake_versions(void **state)
{
	char *fake312[] = { FAKE_312, NULL };
	char *fake310[] = { FAKE_310, NULL };

	(void)state;
	/* By Py_Version, and by the file name when there is none. */
	expect_refused(fake312, false, "python 3.12 ");
	expect_refused(fake310, false, "python 3.10 ");
}

/* pyenv's other versions, where present: refused by their real symbols. */
static void test_pyenv_refused(void **state)
{
	static const char *const minors[] = { "3.10", "3.12", "3.13" };
	char python[512], pattern[512], want[32];
	int tried = 0;
	size_t i;
	glob_t g;

	(void)state;
	for (i = 0; i < sizeof(minors) / sizeof(minors[0]); i++) {
		char *argv[] = { python, "-I", "-c", (char *)idle_script, NULL };

		snprintf(pattern, sizeof(pattern), PYENV "/%s*/bin/python%s",
			 minors[i], minors[i]);
		if (glob(pattern, 0, NULL, &g))
			continue;
		snprintf(python, sizeof(python), "%s", g.gl_pathv[0]);
		globfree(&g);
		snprintf(want, sizeof(want), "python %s ", minors[i]);
		expect_refused(argv, true, want);
		tried++;
	}
	if (!tried) {
		print_message("no pyenv 3.10, 3.12 or 3.13 under " PYENV ": skipped\n");
		skip();
	}
}

/* Stopped at its exec, before the dynamic loader ran: only the executable
 * and ld.so are mapped, libc is still to come. */
static void test_before_libc(void **state)
{
	char *argv[] = { DEBIAN_PYTHON, "-I", "-c", "pass", NULL };
	struct py_image img;
	struct py_proc p;
	char why[256];
	pid_t pid;
	int st, err;

	(void)state;
	if (access(DEBIAN_PYTHON, X_OK)) {
		print_message("no %s: skipped\n", DEBIAN_PYTHON);
		skip();
	}
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0)
			execv(argv[0], argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (!WIFSTOPPED(st) || WSTOPSIG(st) != SIGTRAP) {
		end(pid);
		fail_msg("child did not stop at exec: status 0x%x", st);
	}
	err = py_detect(pid, &p, &img, why, sizeof(why));
	end(pid);
	print_message("%s at exec: %d \"%s\"\n", argv[0], err, why);
	assert_int_equal(err, -EAGAIN);
	assert_non_null(strstr(why, "python 3.11 "));
}

static void test_not_python(void **state)
{
	char *argv[] = { "/bin/sleep", "1000", NULL };
	struct py_image img;
	struct py_proc p;
	char why[128];
	pid_t pid;

	(void)state;
	pid = spawn(argv, NULL, NULL);
	assert_int_equal(py_detect(pid, &p, &img, why, sizeof(why)), -ENOENT);
	assert_string_equal(why, "");
	end(pid);
	/* Gone, and reaped: no such process. */
	assert_int_equal(py_detect(pid, &p, &img, why, sizeof(why)), -ESRCH);
	assert_int_equal(py_detect(pid, &p, &img, NULL, 0), -ESRCH);
}

/*
 * The layout decoder on code shapes: glibc 2.36's own bytes, the same
 * lookup written other ways, and lookups it must refuse.
 */
static void expect_layout(const uint8_t *code, size_t len, uint32_t base,
			  uint32_t size, uint32_t data, uint32_t keys)
{
	struct py_proc p = {};

	assert_int_equal(py_tsd_layout(code, len, 0x8ab00, &p), 0);
	assert_int_equal(p.tsd_base, base);
	assert_int_equal(p.tsd_size, size);
	assert_int_equal(p.tsd_data, data);
	assert_int_equal(p.tsd_keys, keys);
}

static void test_tsd_layout(void **state)
{
	/* Debian 12's libc.so.6 (2.36-9+deb12u*), at pthread_getspecific:
	 * cmp $0x1f,%edi; ja; mov %edi,%eax; add $0x31,%rax; shl $4,%rax;
	 * add %fs:0x10,%rax; mov 0x8(%rax),%rdx */
	static const uint8_t glibc236[] = {
		0x83, 0xff, 0x1f, 0x77, 0x3b, 0x89, 0xf8, 0x48, 0x83, 0xc0, 0x31,
		0x48, 0xc1, 0xe0, 0x04, 0x64, 0x48, 0x03, 0x04, 0x25, 0x10, 0x00,
		0x00, 0x00, 0x48, 0x8b, 0x50, 0x08,
	};
	/* endbr64 first; the thread pointer in its own register: ...;
	 * mov %fs:0x10,%rdx; mov 0x8(%rdx,%rax,1),%rax */
	static const uint8_t indexed[] = {
		0xf3, 0x0f, 0x1e, 0xfa, 0x83, 0xff, 0x1f, 0x77, 0x18, 0x89, 0xf8,
		0x48, 0x83, 0xc0, 0x31, 0x48, 0xc1, 0xe0, 0x04, 0x64, 0x48, 0x8b,
		0x14, 0x25, 0x10, 0x00, 0x00, 0x00, 0x48, 0x8b, 0x44, 0x02, 0x08,
		0xc3,
	};
	/* The base folded into the displacement, a jae bound and 32-byte
	 * entries: cmp $0x3f,%edi; jae; mov %edi,%eax; shl $5,%rax;
	 * add %fs:0x10,%rax; mov 0x318(%rax),%rax */
	static const uint8_t folded[] = {
		0x83, 0xff, 0x3f, 0x73, 0x16, 0x89, 0xf8, 0x48, 0xc1, 0xe0, 0x05,
		0x64, 0x48, 0x03, 0x04, 0x25, 0x10, 0x00, 0x00, 0x00, 0x48, 0x8b,
		0x80, 0x18, 0x03, 0x00, 0x00, 0xc3,
	};
	/* musl: a table pointer in its struct pthread, no bound.
	 * mov %fs:0,%rax; mov 0x80(%rax),%rax; mov (%rax,%rdi,8),%rax */
	static const uint8_t musl[] = {
		0x64, 0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x00, 0x00, 0x48, 0x8b,
		0x80, 0x80, 0x00, 0x00, 0x00, 0x48, 0x8b, 0x04, 0xf8, 0xc3,
	};
	/* glibc's lookup without its bound check (keys past the first
	 * block would be read out of struct pthread). */
	static const uint8_t unbounded[] = {
		0x89, 0xf8, 0x48, 0x83, 0xc0, 0x31, 0x48, 0xc1, 0xe0, 0x04, 0x64,
		0x48, 0x03, 0x04, 0x25, 0x10, 0x00, 0x00, 0x00, 0x48, 0x8b, 0x50,
		0x08, 0xc3,
	};
	/* Bounded, but no thread pointer in the address. */
	static const uint8_t no_tp[] = {
		0x83, 0xff, 0x1f, 0x77, 0x0a, 0x89, 0xf8, 0x48, 0xc1, 0xe0, 0x04,
		0x48, 0x8b, 0x50, 0x08, 0xc3,
	};
	static const uint8_t junk[32] = {
		0xff, 0xff, 0xff, 0xff, 0x0f, 0x0b,
	};
	struct py_proc p = {};

	(void)state;
	expect_layout(glibc236, sizeof(glibc236), 0x310, 16, 8, 32);
	expect_layout(indexed, sizeof(indexed), 0x310, 16, 8, 32);
	expect_layout(folded, sizeof(folded), 0x300, 32, 0x18, 0x3f);
	assert_int_equal(py_tsd_layout(musl, sizeof(musl), 0, &p), -ENOTSUP);
	assert_int_equal(py_tsd_layout(unbounded, sizeof(unbounded), 0, &p),
			 -ENOTSUP);
	assert_int_equal(py_tsd_layout(no_tp, sizeof(no_tp), 0, &p), -ENOTSUP);
	assert_int_equal(py_tsd_layout(junk, sizeof(junk), 0, &p), -ENOTSUP);
	/* Cut before the load. */
	assert_int_equal(py_tsd_layout(glibc236, 20, 0, &p), -ENOTSUP);
	assert_int_equal(py_tsd_layout(glibc236, 0, 0, &p), -ENOTSUP);
	/* Nothing written on refusal. */
	assert_int_equal(p.tsd_size, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tsd_layout),
		cmocka_unit_test(test_debian_python),
		cmocka_unit_test(test_pyenv_shared),
		cmocka_unit_test(test_fake_versions),
		cmocka_unit_test(test_pyenv_refused),
		cmocka_unit_test(test_before_libc),
		cmocka_unit_test(test_not_python),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
