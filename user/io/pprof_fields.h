/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Field numbers of pprof's profile.proto messages, and the conventions this
 * project adds on top (label keys, comment prefixes, the kernel and Python
 * mappings):
 * one definition for the writer (render/pprof.c) and the reader
 * (pprof_read.c).  docs/formats.md describes the encoding.
 */
#ifndef PROFILER_PPROF_FIELDS_H
#define PROFILER_PPROF_FIELDS_H

enum pprof_profile_field {
	PPROF_SAMPLE_TYPE = 1,		/* ValueType, repeated */
	PPROF_SAMPLE = 2,		/* Sample, repeated */
	PPROF_MAPPING = 3,		/* Mapping, repeated */
	PPROF_LOCATION = 4,		/* Location, repeated */
	PPROF_FUNCTION = 5,		/* Function, repeated */
	PPROF_STRING_TABLE = 6,		/* string, repeated; [0] is "" */
	PPROF_DROP_FRAMES = 7,
	PPROF_KEEP_FRAMES = 8,
	PPROF_TIME_NANOS = 9,
	PPROF_DURATION_NANOS = 10,
	PPROF_PERIOD_TYPE = 11,		/* ValueType */
	PPROF_PERIOD = 12,
	PPROF_COMMENT = 13,		/* string ids, repeated */
	PPROF_DEFAULT_SAMPLE_TYPE = 14,	/* string id of a type's name */
};

enum pprof_value_type_field {
	PPROF_VT_TYPE = 1,
	PPROF_VT_UNIT = 2,
};

enum pprof_sample_field {
	PPROF_SAMPLE_LOCATION_ID = 1,	/* repeated, leaf first */
	PPROF_SAMPLE_VALUE = 2,		/* repeated, one per sample type */
	PPROF_SAMPLE_LABEL = 3,		/* Label, repeated */
};

enum pprof_label_field {
	PPROF_LABEL_KEY = 1,
	PPROF_LABEL_STR = 2,
	PPROF_LABEL_NUM = 3,
	PPROF_LABEL_NUM_UNIT = 4,
};

enum pprof_mapping_field {
	PPROF_MAPPING_ID = 1,
	PPROF_MAPPING_MEMORY_START = 2,
	PPROF_MAPPING_MEMORY_LIMIT = 3,
	PPROF_MAPPING_FILE_OFFSET = 4,
	PPROF_MAPPING_FILENAME = 5,
	PPROF_MAPPING_BUILD_ID = 6,
	PPROF_MAPPING_HAS_FUNCTIONS = 7,
	PPROF_MAPPING_HAS_FILENAMES = 8,
	PPROF_MAPPING_HAS_LINE_NUMBERS = 9,
	PPROF_MAPPING_HAS_INLINE_FRAMES = 10,
};

enum pprof_location_field {
	PPROF_LOCATION_ID = 1,
	PPROF_LOCATION_MAPPING_ID = 2,
	PPROF_LOCATION_ADDRESS = 3,
	PPROF_LOCATION_LINE = 4,	/* Line, repeated, innermost first */
	PPROF_LOCATION_IS_FOLDED = 5,
};

enum pprof_line_field {
	PPROF_LINE_FUNCTION_ID = 1,
	PPROF_LINE_LINE = 2,
};

enum pprof_function_field {
	PPROF_FUNCTION_ID = 1,
	PPROF_FUNCTION_NAME = 2,
	PPROF_FUNCTION_SYSTEM_NAME = 3,
	PPROF_FUNCTION_FILENAME = 4,
	PPROF_FUNCTION_START_LINE = 5,
};

/* Sample labels: the process name (string) and id (number). */
#define PPROF_LABEL_COMM	"comm"
#define PPROF_LABEL_PID		"pid"
/* Labels a sample may carry besides comm and pid, read back at most. */
#define PPROF_MAX_LABELS	32
/* Comments: "title: TEXT", and for each loss "lost: COUNT WHAT", followed by
 * " (hint: HINT)" when it has a hint. */
#define PPROF_COMMENT_TITLE	"title: "
#define PPROF_COMMENT_MODE	"mode: "
#define PPROF_COMMENT_LOST	"lost: "
#define PPROF_COMMENT_TRUNCATED	"truncated: "
#define PPROF_COMMENT_HINT	" (hint: "
/* The kernel's mapping, named as perf names it. */
#define PPROF_KERNEL_MAPPING	"[kernel.kallsyms]"
/* The pseudo mapping of Python functions' locations (no addresses): a
 * Location is a Python function's when its mapping is named so. */
#define PPROF_PYTHON_MAPPING	"[python]"
/* Kernel addresses live in the upper half of the address space: a mapping
 * named "[...]" whose range starts there is a kernel module. */
#define PPROF_KERNEL_START	0x8000000000000000ULL

#endif
