// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

#include "probes/uprobe_multi.h"

/*
 * The BPF_LINK_CREATE attribute with its uprobe_multi member (union
 * bpf_attr, Linux 6.6), which the installed <linux/bpf.h> may predate.
 * The kernel takes a shorter attribute than its own and zero-fills it.
 */
struct link_create_uprobe_multi {
	__u32 prog_fd;
	__u32 target_fd;
	__u32 attach_type;
	__u32 flags;
	__aligned_u64 path;
	__aligned_u64 offsets;
	__aligned_u64 ref_ctr_offsets;
	__aligned_u64 cookies;
	__u32 cnt;
	__u32 umulti_flags;	/* BPF_F_UPROBE_MULTI_RETURN */
	__u32 pid;
};
_Static_assert(offsetof(struct link_create_uprobe_multi, path) == 16 &&
	       offsetof(struct link_create_uprobe_multi, cnt) == 48 &&
	       offsetof(struct link_create_uprobe_multi, pid) == 56,
	       "layout of union bpf_attr's link_create.uprobe_multi");

#define UPROBE_MULTI_RETURN	1	/* BPF_F_UPROBE_MULTI_RETURN */

bool uprobe_multi__supported(void)
{
	static const struct bpf_insn ret0[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type = (enum bpf_attach_type)UPROBE_MULTI_ATTACH_TYPE);
	static int known = -1;
	uint64_t off = 0;
	int prog, link;

	if (known >= 0)
		return known;
	known = 0;
	if (getenv("PROFILER_NO_UPROBE_MULTI"))
		return false;
	/*
	 * Asked of the kernel itself rather than of its BTF, which takes a
	 * parse of all of vmlinux's types (tens of milliseconds of start-up):
	 * a kernel with these links looks the path up and refuses "/", a
	 * directory, with EBADF; an older one refuses the attach type
	 * (EINVAL) before that.
	 */
	prog = bpf_prog_load(BPF_PROG_TYPE_KPROBE, NULL, "GPL", ret0,
			     sizeof(ret0) / sizeof(ret0[0]), &opts);
	if (prog < 0)
		return false;
	link = uprobe_multi__attach(prog, "/", &off, NULL, 1, 0, false);
	if (link >= 0)
		close(link);
	close(prog);
	known = link == -EBADF;
	return known;
}

int uprobe_multi__attach(int prog_fd, const char *path, const uint64_t *offsets,
			 const uint64_t *cookies, uint32_t n, pid_t pid, bool ret)
{
	struct link_create_uprobe_multi attr;
	long fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_fd = prog_fd;
	attr.attach_type = UPROBE_MULTI_ATTACH_TYPE;
	attr.path = (__u64)(unsigned long)path;
	attr.offsets = (__u64)(unsigned long)offsets;
	attr.cookies = (__u64)(unsigned long)cookies;
	attr.cnt = n;
	attr.umulti_flags = ret ? UPROBE_MULTI_RETURN : 0;
	attr.pid = pid;
	fd = syscall(__NR_bpf, BPF_LINK_CREATE, &attr, sizeof(attr));
	return fd < 0 ? -errno : (int)fd;
}
