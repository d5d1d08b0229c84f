// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * CPython in a process, found by its symbols.
 *
 * The interpreter is the first mapped file (by address: the executable
 * before the libraries) that defines _PyEval_EvalFrameDefault: a python
 * with libpython linked in, or a libpython*.so.  Its addresses are the
 * file's plus the load bias of its mapping.
 *
 * The BPF side finds a thread's state as PyGILState_GetThisThreadState
 * does: pthread_getspecific(_PyRuntime.gilstate.autoTSSkey._key).  That
 * works for threads that released the GIL (the GIL holder's pointer in
 * _PyRuntime names one thread only).  Where glibc keeps a key's value is
 * read off the code of the process's own pthread_getspecific rather than
 * assumed: struct pthread changes between glibc releases.
 *
 * Every file is opened through targetfs (the very inode mapped, never a
 * path the process could redirect) and only read within its PT_LOAD
 * segments, a few bytes at a time.
 */
#include <capstone/capstone.h>
#include <errno.h>
#include <gelf.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "symbols/procmaps.h"
#include "symbols/pydetect.h"
#include "symbols/pyversions.h"
#include "symbols/targetfs.h"

/* Distinct files looked into per process at most: processes map a few
 * dozen to a few hundred; one mapping more costs no more than this. */
#define MAX_FILES	1024
/* pthread_getspecific's path for keys in the first block comes first. */
#define TSD_CODE	96
#define TSD_INSNS	24
/* No struct pthread is this big (glibc 2.36's is 0x980 bytes). */
#define TSD_MAX_END	0x4000

enum want {
	W_EVAL,
	W_COLD,
	W_RUNTIME,
	W_CODE_TYPE,
	W_VERSION,
	W_GETSPECIFIC,
	W_N,
};

static const struct {
	const char *name;
	int type;
} wanted[W_N] = {
	[W_EVAL] = { "_PyEval_EvalFrameDefault", STT_FUNC },
	/* gcc's hot/cold split moves the eval function's unlikely paths
	 * there: a local symbol, so only in .symtab. */
	[W_COLD] = { "_PyEval_EvalFrameDefault.cold", STT_FUNC },
	[W_RUNTIME] = { "_PyRuntime", STT_OBJECT },
	[W_CODE_TYPE] = { "PyCode_Type", STT_OBJECT },
	/* PY_VERSION_HEX, from 3.11 on. */
	[W_VERSION] = { "Py_Version", STT_OBJECT },
	[W_GETSPECIFIC] = { "pthread_getspecific", STT_FUNC },
};

struct sym {
	bool have;
	uint64_t vaddr, size;
};

/* One mapped ELF file, open. */
struct file {
	const struct map_entry *map;	/* its first executable mapping */
	int fd;
	Elf *elf;
	struct sym sym[W_N];
};

struct file_id {
	uint64_t inode;
	unsigned int major, minor;
};

static void __attribute__((format(printf, 3, 4)))
say(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!why || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
}

/* Whether pid has exited (a zombie still reads as an empty process). */
static bool gone(pid_t pid)
{
	return kill(pid, 0) && errno == ESRCH;
}

static void file_close(struct file *f)
{
	if (f->elf)
		elf_end(f->elf);
	if (f->fd >= 0)
		close(f->fd);
	f->elf = NULL;
	f->fd = -1;
}

/* Record the wanted symbols one symbol table defines; the first
 * definition of a name wins. */
static void scan_table(struct file *f, Elf_Scn *scn, const GElf_Shdr *sh)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t i, k, n;

	if (!data || !sh->sh_entsize)
		return;
	n = sh->sh_size / sh->sh_entsize;
	for (i = 0; i < n; i++) {
		const char *name;
		GElf_Sym s;

		if (!gelf_getsym(data, i, &s) || s.st_shndx == SHN_UNDEF ||
		    !s.st_value)
			continue;
		name = elf_strptr(f->elf, sh->sh_link, s.st_name);
		if (!name || (name[0] != '_' && name[0] != 'P' && name[0] != 'p'))
			continue;
		for (k = 0; k < W_N; k++) {
			if (f->sym[k].have || GELF_ST_TYPE(s.st_info) != wanted[k].type ||
			    strcmp(name, wanted[k].name))
				continue;
			f->sym[k].have = true;
			f->sym[k].vaddr = s.st_value;
			f->sym[k].size = s.st_size;
		}
	}
}

static void scan_symbols(struct file *f)
{
	Elf_Scn *scn = NULL;
	bool dynsym = false;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(f->elf, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_DYNSYM) {
			scan_table(f, scn, &sh);
			dynsym = true;
		}
	/* .symtab only where it can matter: in the interpreter (.cold), in
	 * a libc, or in an executable linked statically (no .dynsym).  Big
	 * unstripped libraries that are neither are not read twice. */
	if (dynsym && !f->sym[W_EVAL].have && !f->sym[W_GETSPECIFIC].have)
		return;
	scn = NULL;
	while ((scn = elf_nextscn(f->elf, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB)
			scan_table(f, scn, &sh);
}

/* Open the file mapped at e and read its wanted symbols.  0, -EINVAL
 * when it is not an x86-64 ELF file, or tfs_open_mapping's -errno. */
static int file_open(pid_t pid, const struct map_entry *e, struct file *f)
{
	GElf_Ehdr eh;

	memset(f, 0, sizeof(*f));
	f->map = e;
	f->fd = tfs_open_mapping(pid, e, NULL, 0);
	if (f->fd < 0)
		return f->fd;
	f->elf = elf_begin(f->fd, ELF_C_READ_MMAP, NULL);
	if (!f->elf || elf_kind(f->elf) != ELF_K_ELF || !gelf_getehdr(f->elf, &eh) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_machine != EM_X86_64) {
		file_close(f);
		return -EINVAL;
	}
	scan_symbols(f);
	return 0;
}

/* Read len bytes at vaddr from the file's contents (never past a
 * segment's file part: .bss holds nothing to read). */
static bool file_read(const struct file *f, uint64_t vaddr, void *buf, size_t len)
{
	size_t i, n;

	if (elf_getphdrnum(f->elf, &n))
		return false;
	for (i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(f->elf, i, &ph) || ph.p_type != PT_LOAD ||
		    vaddr < ph.p_vaddr || vaddr - ph.p_vaddr > ph.p_filesz ||
		    len > ph.p_filesz - (vaddr - ph.p_vaddr))
			continue;
		return pread(f->fd, buf, len, ph.p_offset + (vaddr - ph.p_vaddr)) ==
		       (ssize_t)len;
	}
	return false;
}

/* The load bias of the file's mapping: address in the process - vaddr. */
static bool file_bias(const struct file *f, uint64_t *bias)
{
	const struct map_entry *e = f->map;
	size_t i, n;

	if (elf_getphdrnum(f->elf, &n))
		return false;
	for (i = 0; i < n; i++) {
		GElf_Phdr ph;
		uint64_t page;

		if (!gelf_getphdr(f->elf, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		/* The mapping starts at the page holding the segment's
		 * first byte, or further in. */
		page = ph.p_offset & ~(uint64_t)0xfff;
		if (e->pgoff >= page && e->pgoff < ph.p_offset + ph.p_filesz) {
			*bias = e->start - e->pgoff - (ph.p_vaddr - ph.p_offset);
			return true;
		}
	}
	return false;
}

/* Whether the file names libraries it needs (DT_NEEDED): a libc is then
 * still to come if none is mapped. */
static bool needs_libraries(const struct file *f)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(f->elf, scn))) {
		Elf_Data *data;
		size_t i, n;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNAMIC ||
		    !sh.sh_entsize || !(data = elf_getdata(scn, NULL)))
			continue;
		n = sh.sh_size / sh.sh_entsize;
		for (i = 0; i < n; i++) {
			GElf_Dyn dyn;

			if (gelf_getdyn(data, i, &dyn) && dyn.d_tag == DT_NEEDED)
				return true;
		}
	}
	return false;
}

/* "python3.11", "libpython3.11.so.1.0", "python3.11d": major.minor. */
static bool version_from_name(const char *path, unsigned int *major,
			      unsigned int *minor)
{
	const char *base = strrchr(path, '/');
	unsigned long a, b;
	char *end;

	base = base ? base + 1 : path;
	if (!strncmp(base, "lib", 3))
		base += 3;
	if (strncmp(base, "python", 6) || base[6] < '0' || base[6] > '9')
		return false;
	errno = 0;
	a = strtoul(base + 6, &end, 10);
	if (errno || *end != '.' || end[1] < '0' || end[1] > '9')
		return false;
	b = strtoul(end + 1, &end, 10);
	if (errno || a > 255 || b > 255)
		return false;
	*major = a;
	*minor = b;
	return true;
}

static bool version_of(const struct file *f, unsigned int *major,
		       unsigned int *minor)
{
	const struct sym *v = &f->sym[W_VERSION];
	uint64_t hex;

	/* const unsigned long, in .rodata: from the file, not the process. */
	if (v->have && v->size == sizeof(hex) &&
	    file_read(f, v->vaddr, &hex, sizeof(hex)) && (hex >> 24) == 3) {
		*major = (hex >> 24) & 0xff;
		*minor = (hex >> 16) & 0xff;
		return true;
	}
	return version_from_name(f->map->path, major, minor);
}

/*
 * glibc's thread-specific data, from pthread_getspecific's code.  glibc
 * 2.36 on x86-64:
 *	cmp $0x1f,%edi		keys below 32 ...
 *	ja  <other blocks>
 *	mov %edi,%eax
 *	add $0x31,%rax
 *	shl $0x4,%rax		... are entries of 16 bytes at 0x310
 *	add %fs:0x10,%rax	of struct pthread (the thread pointer),
 *	mov 0x8(%rax),%rdx	their value at +8
 * Rather than match these bytes, the code is run symbolically: each
 * register holds tp * (thread pointer) + mul * key + add, and the first
 * load from an address that involves both the thread pointer and the key,
 * on the path where the key is below the bound, gives the layout.  Any
 * instruction outside this small set fails: no guess.
 */
struct form {
	bool known;
	bool tp;
	uint64_t mul, add;
};

static int gpr(x86_reg r)
{
	static const x86_reg r64[16] = {
		X86_REG_RAX, X86_REG_RCX, X86_REG_RDX, X86_REG_RBX,
		X86_REG_RSP, X86_REG_RBP, X86_REG_RSI, X86_REG_RDI,
		X86_REG_R8, X86_REG_R9, X86_REG_R10, X86_REG_R11,
		X86_REG_R12, X86_REG_R13, X86_REG_R14, X86_REG_R15,
	};
	static const x86_reg r32[16] = {
		X86_REG_EAX, X86_REG_ECX, X86_REG_EDX, X86_REG_EBX,
		X86_REG_ESP, X86_REG_EBP, X86_REG_ESI, X86_REG_EDI,
		X86_REG_R8D, X86_REG_R9D, X86_REG_R10D, X86_REG_R11D,
		X86_REG_R12D, X86_REG_R13D, X86_REG_R14D, X86_REG_R15D,
	};
	int i;

	for (i = 0; i < 16; i++)
		if (r == r64[i] || r == r32[i])
			return i;
	return -1;
}

static void form_add(struct form *a, const struct form *b, uint64_t scale)
{
	if (!a->known || !b->known || (b->tp && (a->tp || scale != 1))) {
		a->known = false;
		return;
	}
	a->tp |= b->tp;
	a->mul += b->mul * scale;
	a->add += b->add * scale;
}

/* The thread pointer itself: glibc's tcbhead_t starts with two pointers
 * to itself, tcb at %fs:0 and self at %fs:0x10. */
static bool thread_pointer(const cs_x86_op *op)
{
	return op->type == X86_OP_MEM && op->mem.segment == X86_REG_FS &&
	       op->mem.base == X86_REG_INVALID &&
	       op->mem.index == X86_REG_INVALID &&
	       (op->mem.disp == 0 || op->mem.disp == 0x10) && op->size == 8;
}

/* The address of an ordinary memory operand, less its displacement. */
static struct form address(const struct form *reg, const x86_op_mem *m)
{
	struct form f = { .known = true };
	int r;

	if (m->segment != X86_REG_INVALID)
		return (struct form){};
	if (m->base != X86_REG_INVALID) {
		if ((r = gpr(m->base)) < 0)
			return (struct form){};
		form_add(&f, &reg[r], 1);
	}
	if (m->index != X86_REG_INVALID) {
		if ((r = gpr(m->index)) < 0)
			return (struct form){};
		form_add(&f, &reg[r], (uint64_t)m->scale);
	}
	return f;
}

/* The load of a key's value from ea + disp: the layout, if it is one. */
static bool tsd_found(const struct form *ea, int64_t disp, uint32_t keys,
		      struct py_proc *t)
{
	uint64_t size = ea->mul, data, base;

	if (!ea->known || !ea->tp || disp < 0 || keys == 0 || keys > 1024 ||
	    size < 8 || size > 64 || (size & (size - 1)) || ea->add > TSD_MAX_END ||
	    (uint64_t)disp > TSD_MAX_END)
		return false;
	/* Only the sum base + data matters to the reader; split it the way
	 * glibc lays entries out, the value inside the entry. */
	data = (uint64_t)disp % size;
	base = ea->add + (uint64_t)disp - data;
	if (base + keys * size > TSD_MAX_END)
		return false;
	t->tsd_base = base;
	t->tsd_size = size;
	t->tsd_data = data;
	t->tsd_keys = keys;
	return true;
}

int py_tsd_layout(const uint8_t *code, size_t len, uint64_t vaddr,
		  struct py_proc *t)
{
	struct form reg[16] = {};
	uint32_t keys = 0;
	bool found = false;
	size_t count, i;
	cs_insn *insn;
	csh h;

	if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK)
		return -EINVAL;
	cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
	count = cs_disasm(h, code, len, vaddr, TSD_INSNS, &insn);
	/* The key: pthread_getspecific's only argument. */
	reg[gpr(X86_REG_RDI)] = (struct form){ .known = true, .mul = 1 };
	for (i = 0; i < count && !found; i++) {
		const cs_x86 *x = &insn[i].detail->x86;
		const cs_x86_op *dst = &x->operands[0], *src = &x->operands[1];
		struct form f;
		int d;

		if (insn[i].id == X86_INS_ENDBR64 || insn[i].id == X86_INS_NOP)
			continue;
		if (x->op_count < 1 || dst->type != X86_OP_REG ||
		    (d = gpr(dst->reg)) < 0)
			break;
		if (insn[i].id == X86_INS_CMP) {
			/* cmp $bound, key; ja (or jae) away: the fall-through
			 * is the path of keys below the bound. */
			if (keys || x->op_count != 2 || src->type != X86_OP_IMM ||
			    !reg[d].known || reg[d].tp || reg[d].mul != 1 ||
			    reg[d].add || src->imm < 0 || src->imm >= 1024 ||
			    i + 1 >= count)
				break;
			if (insn[i + 1].id == X86_INS_JA)
				keys = src->imm + 1;
			else if (insn[i + 1].id == X86_INS_JAE)
				keys = src->imm;
			else
				break;
			i++;
			continue;
		}
		switch (insn[i].id) {
		case X86_INS_MOV:
			if (x->op_count != 2)
				goto out;
			if (src->type == X86_OP_REG && gpr(src->reg) >= 0)
				f = reg[gpr(src->reg)];
			else if (src->type == X86_OP_IMM)
				f = (struct form){ .known = true, .add = src->imm };
			else if (thread_pointer(src))
				f = (struct form){ .known = true, .tp = true };
			else if (src->type == X86_OP_MEM && keys) {
				f = address(reg, &src->mem);
				found = tsd_found(&f, src->mem.disp, keys, t);
				goto out;
			} else
				goto out;
			break;
		case X86_INS_ADD:
			if (x->op_count != 2)
				goto out;
			f = reg[d];
			if (src->type == X86_OP_IMM)
				f.add += src->imm;
			else if (src->type == X86_OP_REG && gpr(src->reg) >= 0)
				form_add(&f, &reg[gpr(src->reg)], 1);
			else if (thread_pointer(src))
				form_add(&f, &(struct form){ .known = true, .tp = true }, 1);
			else
				goto out;
			break;
		case X86_INS_SHL: {
			uint64_t n = 1;

			if (x->op_count == 2) {
				if (src->type != X86_OP_IMM || src->imm < 0 ||
				    src->imm > 16)
					goto out;
				n = src->imm;
			}
			f = reg[d];
			if (f.tp)
				goto out;
			f.mul <<= n;
			f.add <<= n;
			break;
		}
		case X86_INS_LEA:
			if (x->op_count != 2 || src->type != X86_OP_MEM)
				goto out;
			f = address(reg, &src->mem);
			f.add += src->mem.disp;
			break;
		default:
			goto out;
		}
		/* A 32-bit result would cut the thread pointer (gpr() knows
		 * no narrower registers). */
		if (dst->size != 8 && f.tp)
			break;
		reg[d] = f;
	}
out:
	if (count)
		cs_free(insn, count);
	cs_close(&h);
	return found ? 0 : -ENOTSUP;
}

/* musl keeps its thread-specific data elsewhere (a table pointer in its
 * own struct pthread). */
static bool is_musl(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	return !strncmp(base, "ld-musl-", 8) || !strncmp(base, "libc.musl-", 10);
}

static bool same_file(const struct map_entry *a, const struct map_entry *b)
{
	return a && b && a->inode == b->inode && a->dev_major == b->dev_major &&
	       a->dev_minor == b->dev_minor;
}

/* Whether [start, end) lies in executable mappings of f's file. */
static bool mapped_code(const struct proc_maps *maps, const struct file *f,
			uint64_t start, uint64_t end)
{
	return end > start && same_file(procmaps__find(maps, start), f->map) &&
	       same_file(procmaps__find(maps, end - 1), f->map);
}

/* Find the interpreter's file and the one defining pthread_getspecific
 * (libc, or the interpreter itself when linked statically): kept[0..*n),
 * *py and *tsd pointing into it, or NULL. */
static int find_files(pid_t pid, const struct proc_maps *maps,
		      struct file kept[2], int *n, struct file **py,
		      struct file **tsd)
{
	struct file_id *seen;
	size_t i, nseen = 0;
	int err = 0;

	seen = calloc(MAX_FILES, sizeof(*seen));
	if (!seen)
		return -ENOMEM;
	for (i = 0; i < maps->n && !(*py && *tsd) && nseen < MAX_FILES; i++) {
		const struct map_entry *e = &maps->v[i];
		struct file f;
		bool keep = false;
		size_t k;

		if (e->kind != MAP_KIND_FILE)
			continue;
		for (k = 0; k < nseen; k++)
			if (seen[k].inode == e->inode && seen[k].major == e->dev_major &&
			    seen[k].minor == e->dev_minor)
				break;
		if (k < nseen)
			continue;
		seen[nseen++] = (struct file_id){ e->inode, e->dev_major, e->dev_minor };
		err = file_open(pid, e, &f);
		if (err == -ESRCH || (err && gone(pid))) {
			err = -ESRCH;
			break;
		}
		/* Not ELF, or a file that went away or cannot be opened: not
		 * the interpreter as far as we can tell. */
		err = 0;
		if (f.fd < 0)
			continue;
		if (!*py && f.sym[W_EVAL].have) {
			kept[*n] = f;
			*py = &kept[*n];
			keep = true;
		}
		if (!*tsd && f.sym[W_GETSPECIFIC].have) {
			if (!keep)
				kept[*n] = f;
			*tsd = &kept[*n];
			keep = true;
		}
		if (keep)
			(*n)++;
		else
			file_close(&f);
	}
	free(seen);
	return err;
}

int py_detect(pid_t pid, struct py_proc *out, struct py_image *img, char *why,
	      size_t whylen)
{
	struct file kept[2], *py = NULL, *tsdf = NULL;
	const struct py_offsets *off;
	struct proc_maps maps = {};
	unsigned int major, minor, tss;
	uint8_t code[TSD_CODE];
	struct py_proc p = {};
	const struct sym *s;
	uint64_t bias;
	size_t len;
	int err, nkept = 0;

	say(why, whylen, "%s", "");
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	err = procmaps__read(pid, &maps);
	if (err)
		return err == -ENOENT ? -ESRCH : err;
	err = find_files(pid, &maps, kept, &nkept, &py, &tsdf);
	if (err)
		goto out;
	if (!py) {
		err = -ENOENT;
		goto out;
	}
	err = -ENOTSUP;
	if (!version_of(py, &major, &minor)) {
		say(why, whylen,
		    "python (pid %d, %s): no version found (no Py_Version, none in "
		    "the file name); its stacks stay native", (int)pid, py->map->path);
		goto out;
	}
	off = py_offsets_for(major, minor);
	tss = py_runtime_tss_key(major, minor);
	if (!off || !tss) {
		say(why, whylen, "python %u.%u (pid %d): %s; its stacks stay native",
		    major, minor, (int)pid,
		    py_version_known(major, minor) ?
		    "no frame layout for this version" :
		    "a version this profiler does not know");
		goto out;
	}
	s = py->sym;
	if (!s[W_RUNTIME].have || !s[W_CODE_TYPE].have || !s[W_EVAL].size ||
	    (s[W_RUNTIME].size && s[W_RUNTIME].size < tss + 4)) {
		say(why, whylen,
		    "python %u.%u (pid %d): %s lacks %s; its stacks stay native",
		    major, minor, (int)pid, py->map->path,
		    !s[W_RUNTIME].have ? "_PyRuntime" :
		    !s[W_CODE_TYPE].have ? "PyCode_Type" :
		    !s[W_EVAL].size ? "the size of _PyEval_EvalFrameDefault" :
		    "a _PyRuntime big enough for this version");
		goto out;
	}
	if (!file_bias(py, &bias) ||
	    !mapped_code(&maps, py, s[W_EVAL].vaddr + bias,
			 s[W_EVAL].vaddr + bias + s[W_EVAL].size)) {
		say(why, whylen,
		    "python %u.%u (pid %d): %s is not mapped as its segments say; "
		    "its stacks stay native", major, minor, (int)pid, py->map->path);
		goto out;
	}
	if (!tsdf && needs_libraries(py)) {
		/* Just after exec: the loader has not mapped libc yet. */
		err = -EAGAIN;
		say(why, whylen, "python %u.%u (pid %d): no libc mapped yet",
		    major, minor, (int)pid);
		goto out;
	}
	if (!tsdf) {
		say(why, whylen,
		    "python %u.%u (pid %d): no pthread_getspecific in the process "
		    "(not glibc?); its stacks stay native", major, minor, (int)pid);
		goto out;
	}
	if (is_musl(tsdf->map->path)) {
		say(why, whylen,
		    "python %u.%u (pid %d): musl libc (%s) keeps thread-specific "
		    "data unlike glibc; its stacks stay native", major, minor,
		    (int)pid, tsdf->map->path);
		goto out;
	}
	s = &tsdf->sym[W_GETSPECIFIC];
	len = s->size && s->size < sizeof(code) ? s->size : sizeof(code);
	/* A function near the end of its segment: read what there is. */
	while (len > 16 && !file_read(tsdf, s->vaddr, code, len))
		len /= 2;
	if (!file_read(tsdf, s->vaddr, code, len) ||
	    py_tsd_layout(code, len, s->vaddr, &p)) {
		say(why, whylen,
		    "python %u.%u (pid %d): glibc's thread-specific data layout not "
		    "recognised in pthread_getspecific of %s; its stacks stay native",
		    major, minor, (int)pid, tsdf->map->path);
		goto out;
	}

	s = py->sym;
	p.eval_start = s[W_EVAL].vaddr + bias;
	p.eval_end = p.eval_start + s[W_EVAL].size;
	/* Without .symtab (a stripped python, as distributions ship it) the
	 * .cold part is not found: samples in it (error paths) then show the
	 * native frame, not that eval call's Python frames. */
	if (s[W_COLD].have && s[W_COLD].size &&
	    mapped_code(&maps, py, s[W_COLD].vaddr + bias,
			s[W_COLD].vaddr + bias + s[W_COLD].size)) {
		p.cold_start = s[W_COLD].vaddr + bias;
		p.cold_end = p.cold_start + s[W_COLD].size;
	}
	p.tss_key = s[W_RUNTIME].vaddr + bias + tss;
	p.version = major << 8 | minor;
	p.off = *off;
	*out = p;

	memset(img, 0, sizeof(*img));
	img->code_type = s[W_CODE_TYPE].vaddr + bias;
	img->major = major;
	img->minor = minor;
	img->off = off;
	snprintf(img->path, sizeof(img->path), "%s", py->map->path);
	err = 0;
out:
	while (nkept > 0)
		file_close(&kept[--nkept]);
	procmaps__clear(&maps);
	return err;
}
