// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <signal.h>
#include <unistd.h>
#include <linux/types.h>
#include <bpf/libbpf.h>

#include "probes/entry_point.h"
#include "lib/log.h"

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

/* The COMMAND's pid on the ring: it is stopped at its entry point. */
static int on_event(void *ctx, void *data, size_t len)
{
	struct entry_stop *es = ctx;

	if (len < sizeof(__u32) || *(__u32 *)data != (__u32)es->pid || !es->link)
		return 0;
	bpf_link__destroy(es->link);
	es->link = NULL;
	es->reached(es->ctx);
	/* On an error too: the mode's loop then ends and the session ends
	 * the process. */
	kill(es->pid, SIGCONT);
	return 0;
}

int entry_stop__attach(struct entry_stop *es, struct bpf_program *prog,
		       struct bpf_map *events, struct ring_buffer **rb,
		       pid_t pid, const char *cmd,
		       void (*reached)(void *ctx), void *ctx)
{
	char path[PATH_MAX];
	uint64_t off = 0;
	int err;

	es->pid = pid;
	es->reached = reached;
	es->ctx = ctx;
	err = command_entry_point(cmd, path, sizeof(path), &off);
	if (err) {
		p_err("cannot find the entry point of %s: %s", cmd,
		      err == -ENOEXEC ? "not an ELF executable" : strerror(-err));
		return -1;
	}
	es->link = bpf_program__attach_uprobe(prog, false, pid, path, off);
	if (!es->link) {
		p_err("cannot probe the entry point of %s: %s", path, strerror(errno));
		return -1;
	}
	if (*rb)
		err = ring_buffer__add(*rb, bpf_map__fd(events), on_event, es);
	else
		err = (*rb = ring_buffer__new(bpf_map__fd(events), on_event, es,
					      NULL)) ? 0 : -errno;
	if (err) {
		p_err("cannot listen for the command's start: %s", strerror(-err));
		return -1;
	}
	return 0;
}

void entry_stop__detach(struct entry_stop *es)
{
	bpf_link__destroy(es->link);
	es->link = NULL;
}
