// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <string.h>

#include "probes/bpfutil.h"
#include "modes/losses.h"
#include "model/profile.h"
#include "modes/unwinder.h"

static const struct stat_reason reasons[STAT__MAX] = {
	[STAT_USTACK_FULL] = { "user stacks: stack map full",
			       "raise --stack-map-size" },
	[STAT_KSTACK_FULL] = { "kernel stacks: stack map full",
			       "raise --stack-map-size" },
	[STAT_USTACK_FAULT] = { "user stacks: could not be walked", "" },
	[STAT_COUNTS_FULL] = { "samples: counts map full, sample dropped",
			       "raise --counts-map-size" },
	[STAT_TARGETS_FULL] = { "forked children not followed: target map full",
				"" },
	[STAT_EVENTS_LOST] = { "new-process notifications: ring buffer full",
			       "frames of those processes may stay unnamed" },
	[STAT_UNWIND_PROCS_FULL] = { "forked children not given to the unwinder",
				     "their stacks use frame pointers until "
				     "loaded" },
	[STAT_STACK_NOMEM] = { "stacks: the kernel could not allocate them", "" },
	[STAT_MEM_LIVE_FULL] = { "allocations not tracked: live map full",
				 "raise --live-map-size" },
	[STAT_MEM_SITES_FULL] = { "allocations not attributed: sites map full",
				  "raise --sites-map-size" },
	[STAT_MEM_INFLIGHT_FULL] = { "calls missed: the kernel had no memory "
				     "for a thread's call in flight", "" },
	[STAT_LAT_DEPTH] = { "calls counted but not timed: nested deeper than "
			     "32 in their thread", "" },
	[STAT_LAT_NO_RETURN] = { "calls counted but not timed: left without "
				 "returning (an exception or longjmp), or nested "
				 "deeper than the kernel's 64 return probes", "" },
	[STAT_LAT_DEEP_GONE] = { "calls not counted: nested deeper than 32 in "
				 "their thread and left without returning", "" },
	[STAT_LAT_NO_ENTRY] = { "calls not counted: already running when "
				"tracing started", "" },
	[STAT_LAT_NO_STORAGE] = { "calls missed: no thread storage in the kernel",
				  "memory pressure" },
	[STAT_LAT_GO_STACK] = { "Go calls missed: the goroutine's stack bounds "
				"were unreadable", "" },
	[STAT_LAT_GO_FULL] = { "Go calls not timed: more than 65536 in flight at "
			       "once", "" },
	[STAT_OFF_NO_START] = { "off-CPU periods not counted: begun before "
				"tracing started", "" },
	[STAT_OFF_THREADS_FULL] = { "off-CPU periods not counted: too many "
				    "threads off CPU at once",
				    "raise --threads-map-size" },
	[STAT_OFF_WAKERS_FULL] = { "wakers not known: too many threads woken "
				   "at once", "raise --threads-map-size" },
	[STAT_PY_NO_THREAD] = { "stacks without their Python frames: the "
				"thread's interpreter state was not found", "" },
	[STAT_PY_BAD_READ] = { "stacks without their Python frames: the "
			       "interpreter's state could not be read", "" },
};

/* Short names for metrics labels, one per counter. */
static const char *const ids[STAT__MAX] = {
	[STAT_SAMPLES] = "samples",
	[STAT_USTACK_FULL] = "user_stack_map_full",
	[STAT_USTACK_FAULT] = "user_stack_unwalkable",
	[STAT_KSTACK_FULL] = "kernel_stack_map_full",
	[STAT_COUNTS_FULL] = "counts_map_full",
	[STAT_TARGETS_FULL] = "targets_map_full",
	[STAT_EVENTS_LOST] = "events_ring_full",
	[STAT_UNWIND_PROCS_FULL] = "unwind_processes_full",
	[STAT_STACK_NOMEM] = "stack_no_memory",
	[STAT_MEM_LIVE_FULL] = "mem_live_map_full",
	[STAT_MEM_SITES_FULL] = "mem_sites_map_full",
	[STAT_MEM_INFLIGHT_FULL] = "mem_inflight_full",
	[STAT_LAT_DEPTH] = "lat_too_deep",
	[STAT_LAT_NO_RETURN] = "lat_no_return",
	[STAT_LAT_DEEP_GONE] = "lat_deep_gone",
	[STAT_LAT_NO_ENTRY] = "lat_no_entry",
	[STAT_LAT_NO_STORAGE] = "lat_no_storage",
	[STAT_LAT_GO_STACK] = "lat_go_stack",
	[STAT_LAT_GO_FULL] = "lat_go_full",
	[STAT_OFF_NO_START] = "offcpu_no_start",
	[STAT_OFF_THREADS_FULL] = "offcpu_threads_full",
	[STAT_OFF_WAKERS_FULL] = "offcpu_wakers_full",
	[STAT_PY_NO_THREAD] = "python_no_thread",
	[STAT_PY_BAD_READ] = "python_bad_read",
	[STAT_UNWIND_END + UNWIND_END_OK] = "unwind_complete",
	[STAT_UNWIND_END + UNWIND_END_TRUNCATED] = "unwind_too_deep",
	[STAT_UNWIND_END + UNWIND_END_NO_PROCESS] = "unwind_no_process",
	[STAT_UNWIND_END + UNWIND_END_NO_MAPPING] = "unwind_no_mapping",
	[STAT_UNWIND_END + UNWIND_END_NO_TABLE] = "unwind_no_table",
	[STAT_UNWIND_END + UNWIND_END_NO_ROW] = "unwind_no_row",
	[STAT_UNWIND_END + UNWIND_END_UNSUPPORTED] = "unwind_unsupported",
	[STAT_UNWIND_END + UNWIND_END_BAD_READ] = "unwind_bad_read",
	[STAT_UNWIND_END + UNWIND_END_BAD_FRAME] = "unwind_bad_frame",
	[STAT_UNWIND_END + UNWIND_END_TABLE_LOST] = "unwind_table_lost",
};

const char *stat_id(enum prof_stat s)
{
	return (unsigned int)s < STAT__MAX && ids[s] ? ids[s] : "other";
}

const struct stat_reason *stat_reason(enum prof_stat s)
{
	static const struct stat_reason none;

	return (unsigned int)s < STAT__MAX ? &reasons[s] : &none;
}

int stats_read(int fd, uint64_t *totals)
{
	int err = percpu_array_read(fd, 0, STAT__MAX, totals, false);

	if (err)
		memset(totals, 0, STAT__MAX * sizeof(*totals));
	return err;
}

int stats_add_losses(struct profile *p, const uint64_t *totals)
{
	unsigned int i;

	for (i = 0; i < STAT__MAX; i++)
		if (totals[i] && reasons[i].what &&
		    profile__add_loss(p, reasons[i].what, reasons[i].hint,
				      totals[i]))
			return -ENOMEM;
	return unwind_add_truncations(p, totals + STAT_UNWIND_END);
}
