/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The style sheet and script every SVG flame graph carries (svg_script.c). */
#ifndef PROFILER_SVG_SCRIPT_H
#define PROFILER_SVG_SCRIPT_H

extern const char svg_style[];
extern const char svg_script[];

#endif
