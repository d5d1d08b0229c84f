// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "entry_point.h"
#include "log.h"

/* execvp's search: each $PATH entry in turn, "" meaning ".". */
static int search_path(const char *cmd, char *path, size_t len)
{
	const char *dirs = getenv("PATH");
	char *copy, *save = NULL, *d;
	int err = -ENOENT;

	copy = strdup(dirs ? dirs : "/usr/local/bin:/usr/bin:/bin");
	if (!copy)
		return -ENOMEM;
	for (d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		if ((size_t)snprintf(path, len, "%s/%s", *d ? d : ".", cmd) >= len)
			continue;
		if (access(path, X_OK) == 0) {
			err = 0;
			break;
		}
	}
	free(copy);
	return err;
}

static int entry_offset(int fd, uint64_t *off)
{
	GElf_Ehdr eh;
	size_t i, nph;
	Elf *elf;
	int err = -ENOEXEC;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf)
		return -ENOEXEC;
	if (elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh) ||
	    elf_getphdrnum(elf, &nph))
		goto out;
	for (i = 0; i < nph; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_LOAD ||
		    eh.e_entry < ph.p_vaddr || eh.e_entry >= ph.p_vaddr + ph.p_filesz)
			continue;
		*off = eh.e_entry - ph.p_vaddr + ph.p_offset;
		err = 0;
		break;
	}
out:
	elf_end(elf);
	return err;
}

int command_entry_point(const char *cmd, char *path, size_t len, uint64_t *off)
{
	int fd, err;

	if (strchr(cmd, '/')) {
		if ((size_t)snprintf(path, len, "%s", cmd) >= len)
			return -ENAMETOOLONG;
	} else {
		err = search_path(cmd, path, len);
		if (err)
			return err;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = entry_offset(fd, off);
	close(fd);
	return err;
}

struct bpf_link *entry_point__stop(struct bpf_program *prog, pid_t pid,
				   const char *cmd)
{
	char path[PATH_MAX];
	struct bpf_link *link;
	uint64_t off = 0;
	int err;

	err = command_entry_point(cmd, path, sizeof(path), &off);
	if (err) {
		p_err("cannot find the entry point of %s: %s", cmd,
		      err == -ENOEXEC ? "not an ELF executable" : strerror(-err));
		return NULL;
	}
	link = bpf_program__attach_uprobe(prog, false, pid, path, off);
	if (!link)
		p_err("cannot probe the entry point of %s: %s", path, strerror(errno));
	return link;
}
