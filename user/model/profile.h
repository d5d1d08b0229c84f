/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The one mode-neutral profile that every mode produces and every renderer
 * reads.  It follows pprof's model: sample types, samples holding a stack of
 * locations (leaf first) and one value per sample type, locations pointing at
 * functions and mappings, and all strings in one table.
 */
#ifndef PROFILER_PROFILE_H
#define PROFILER_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/frame.h"

#define PROF_MAX_VALUES 4

struct prof_value_type {
	uint32_t type;	/* string ids: "samples", "cpu", ... */
	uint32_t unit;	/* "count", "nanoseconds", "bytes" */
};

struct prof_mapping {
	uint32_t name;		/* module as shown: "libc.so.6", "[vdso]" */
	uint32_t path;		/* file, "" if none */
	uint32_t build_id;	/* hex, "" if unknown */
	bool kernel;
};

struct prof_function {
	uint32_t name;
	uint32_t file;		/* source file (string id), "" if unknown */
	uint32_t mapping;	/* 1-based index into mappings, 0: none */
	uint32_t start_line;	/* where it starts in file, 0: unknown */
	bool python;		/* a Python function's (never native code's) */
};

/*
 * One frame.  An address inside inlined code becomes several locations with
 * the same address: one per inlined call (inlined set), then the function.
 * A Python function (python set) has no mapping and address 0: its
 * function and line say where it is.
 */
struct prof_location {
	uint32_t mapping;	/* 1-based, 0: no mapping matched */
	uint32_t function;	/* 1-based, 0: not named */
	uint64_t address;	/* module-relative (user) or kernel address */
	uint32_t line;		/* source line in the function's file, 0: unknown */
	bool inlined;
	bool kernel;
	bool python;
};

/*
 * A key and value a sample carries besides its stack, as pprof's
 * Sample.label: a string (str != 0) or a number with a unit ("bytes", ""
 * for none).  lat puts where its probe sits on each function this way.
 */
struct prof_label {
	uint32_t key;
	uint32_t str;		/* string id, 0 for a number */
	int64_t num;
	uint32_t unit;		/* string id of the number's unit, 0: none */
};

/*
 * The label of a sample that is time spent off CPU (offcpu, wall), valued
 * by the thread's state ("S", "D", "R"...): the SVG draws frames made
 * mostly of such time in cold colours.
 */
#define PROF_LABEL_OFF_CPU	"off_cpu"

struct prof_sample {
	uint32_t *locs;		/* 1-based location ids, leaf first */
	uint32_t nlocs;
	uint32_t pid;
	uint32_t comm;		/* thread/process name (string id) */
	uint32_t label0;	/* its labels: labels[label0 .. label0 + nlabels) */
	uint32_t nlabels;
	int64_t values[PROF_MAX_VALUES];
};

/* Something the run lost, shown with the option that avoids it. */
struct prof_loss {
	uint32_t what;	/* "user stacks lost: stack map full" */
	uint32_t hint;	/* "raise --stack-map-size", "" if none */
	uint64_t count;
	bool truncated;	/* kept, but incomplete (a stack cut short) */
};

/* A named figure of the run: "allocs", "alloc_bytes"... */
/*
 * Where a figure or a distribution belongs, which says where renderers
 * show it: PROF_GROUP_TOTALS, the run's figures beside the sums of the
 * sample values ("allocs", "alloc_bytes"); PROF_GROUP_LATENCY, how long
 * calls took, one distribution per function; "" for the rest.
 */
#define PROF_GROUP_TOTALS	"totals"
#define PROF_GROUP_LATENCY	"latency"

struct prof_metric {
	uint32_t group;		/* PROF_GROUP_*, or "" */
	uint32_t name;		/* "allocs" */
	uint32_t unit;		/* "count", "bytes", "nanoseconds", "per_second" */
	double value;
};

/* A distribution in the shared log-linear scheme (include/hist.h). */
struct prof_hist {
	uint32_t group;		/* PROF_GROUP_*, or "" */
	uint32_t name;		/* "size", "malloc" */
	uint32_t unit;		/* "bytes", "nanoseconds" */
	uint64_t *counts;	/* HIST_BUCKETS entries */
	uint64_t total;		/* sum of counts */
	uint64_t min;		/* exact smallest value, 0 if unknown */
	uint64_t max;		/* exact largest value, 0 if unknown */
	uint32_t location;	/* the function it belongs to (1-based), 0: none */
};

struct profile {
	struct strtab *strings;
	struct prof_value_type types[PROF_MAX_VALUES];
	uint32_t ntypes;
	uint32_t default_type;	/* index the table ranks by */
	struct prof_value_type period_type;
	int64_t period;		/* e.g. ns between samples */
	int64_t duration_ns;
	int64_t time_ns;	/* wall clock at start, ns since the epoch */
	uint32_t title;		/* "cpu-clock at 99 Hz, pid 1234" */
	uint32_t mode;		/* the mode that made it: "cpu", "mem", "lat",
				 * "offcpu", "wall"; "" if not known */
	/* --folded writes values divided by this (offcpu, wall: 1000, their
	 * nanoseconds as microseconds, as bcc's offcputime); 0: as they are */
	int64_t folded_scale;

	struct prof_mapping *mappings;
	size_t nmappings, mappings_cap;
	struct prof_function *functions;
	size_t nfunctions, functions_cap;
	struct prof_location *locations;
	size_t nlocations, locations_cap;
	struct prof_sample *samples;
	size_t nsamples, samples_cap;
	struct prof_loss *losses;
	size_t nlosses, losses_cap;
	struct prof_metric *metrics;
	size_t nmetrics, metrics_cap;
	struct prof_hist *hists;
	size_t nhists, hists_cap;
	struct prof_label *labels;
	size_t nlabels, labels_cap;

	struct u64map *mapping_index, *function_index, *location_index;
	uint64_t nframes;	/* frames in all samples */
};

/*
 * Frames a profile holds at most, over all samples (4 bytes each), and
 * in one sample: saved profiles are read on anyone's behalf, and a few KB
 * of pprof can make millions of frames (a Location of 1,000 lines listed
 * 20,000 times in a sample).  profiler report/diff --max-frames sets the
 * first.
 */
#define PROFILE_DEFAULT_MAX_FRAMES	(64ULL << 20)
#define PROFILE_MAX_SAMPLE_FRAMES	8192
extern uint64_t profile_max_frames;

struct profile *profile__new(void);
void profile__free(struct profile *p);

/* String id for s (0 for ""); -1 on allocation failure. */
int64_t profile__str(struct profile *p, const char *s);
const char *profile__get_str(const struct profile *p, uint32_t id);
/* Append a value type, e.g. ("samples", "count"); its index or -1. */
int profile__add_type(struct profile *p, const char *type, const char *unit);
/* The location for a symbolized frame (deduplicated); 1-based id or 0 on
 * allocation failure. */
uint32_t profile__location(struct profile *p, const struct frame *f);
/* A location for a frame that does not exist in the target, e.g.
 * "[lost user stack]": no mapping, named function. */
uint32_t profile__pseudo_location(struct profile *p, const char *name);
/* Append a sample; locs are copied.  0, -ENOMEM, or -E2BIG past
 * PROFILE_MAX_SAMPLE_FRAMES or profile_max_frames. */
int profile__add_sample(struct profile *p, const uint32_t *locs, uint32_t nlocs,
			uint32_t pid, const char *comm, const int64_t *values);
int profile__add_loss(struct profile *p, const char *what, const char *hint,
		      uint64_t count);
/* Samples kept but incomplete ("truncated:" in the table). */
int profile__add_truncation(struct profile *p, const char *what,
			    const char *hint, uint64_t count);
/* A figure for the report; 0 or -ENOMEM. */
int profile__add_metric(struct profile *p, const char *group,
			 const char *name, const char *unit, double value);
/*
 * A histogram (counts has HIST_BUCKETS entries, copied), its exact max
 * (0: unknown).  The new entry, whose min and location the caller may
 * set (valid until the next profile__add_hist), or NULL on ENOMEM.
 */
struct prof_hist *profile__add_hist(struct profile *p, const char *group,
				    const char *name, const char *unit,
				    const uint64_t *counts, uint64_t max);
/*
 * A label on the last sample added: a string if str is non-NULL, else
 * num in unit (NULL or "" for none).  0, -ENOMEM, or -EINVAL without a
 * sample.
 */
int profile__add_label(struct profile *p, const char *key, const char *str,
		       int64_t num, const char *unit);
/* The label key of a sample; NULL if it has none. */
const struct prof_label *profile__label(const struct profile *p,
					const struct prof_sample *s,
					const char *key);

/* Sum of one value over all samples. */
int64_t profile__total(const struct profile *p, uint32_t type);

/*
 * A location's name as every renderer shows it: the function, else
 * "module+0xaddr", else "[unknown]".  Written to buf; returns buf.
 */
const char *profile__location_name(const struct profile *p, uint32_t loc,
				   char *buf, size_t len);
/* The source file of a location ("" if unknown); its line in *line. */
const char *profile__location_source(const struct profile *p, uint32_t loc,
				     uint32_t *line);
/* The module of a location ("" if none). */
const char *profile__location_module(const struct profile *p, uint32_t loc);

#endif
