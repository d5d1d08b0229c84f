/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Symbol names as people read them: C++ (Itanium, _Z...), Rust legacy
 * (_ZN...17h<16 hex>E) and Rust v0 (_R...), demangled by libiberty.
 *
 * What the text looks like, and why:
 *
 * - C++ names keep their parameter lists and cv-qualifiers, as perf and
 *   pprof show them: "ns::Widget::get() const".  Overloads stay apart in a
 *   profile; folded flame graphs get long frames, which is the price.
 *   Template functions keep their return type, as c++filt prints it:
 *   "int twice<int>(int)".
 *
 * - Rust legacy names lose the "::h0123456789abcdef" hash.  It differs per
 *   build and per instance, so keeping it would split one function into
 *   many frames and stop profiles of two builds from lining up.
 *
 * - Rust v0 names drop the crate disambiguators (the "Cs4T4zK9Otvt5_"
 *   part, a hash of the crate's metadata) and keep generic arguments and
 *   closures: "<names::Point<u32>>::sum", "names::main::{closure#0}".
 *
 * - Compiler clones keep their suffix, shown as libiberty shows it for C++,
 *   and in the same way for Rust: "_Z3foov.constprop.0" gives
 *   "foo() [clone .constprop.0]", "_Z3foov.part.0.cold" gives
 *   "foo() [clone .part.0] [clone .cold]".  A clone is a separate body of
 *   code, so it stays a separate frame.
 *
 * - The one suffix dropped is LLVM's ".llvm.<digits>", which ThinLTO puts
 *   on functions it promotes out of their module.  It is a hash of the
 *   module, not a variant of the code: dropped for the reason the Rust hash
 *   is.
 *
 * - A symbol version that the ELF symbol table keeps in the name
 *   ("_ZN...@GLIBCXX_3.4") is copied after the demangled text unchanged.
 *
 * - A suffix that is neither a clone nor a version (say ".Foo") makes the
 *   whole name count as not demangleable: NULL, the raw name stays.
 *
 * - "__Z..." is the Mach-O spelling of "_Z..."; ELF symbols never carry the
 *   extra underscore, so such names are taken as plain C.
 *
 * Thread safety is not promised: the symbolizer calls this from one
 * thread (libiberty's demanglers keep no global state today).
 */
#ifndef PROFILER_DEMANGLE_H
#define PROFILER_DEMANGLE_H

#include <stdbool.h>

/*
 * The readable form of a mangled name, malloc'd (the caller frees it).
 * NULL when name is not mangled, is malformed, or memory ran out: the
 * caller keeps the raw name then.
 */
char *demangle(const char *name);

/*
 * Whether name could be mangled: a prefix test only ("_Z", or "_R" and an
 * upper-case letter or digit), so callers can skip demangle() for the many
 * C names.  demangle() returns NULL for every name this rejects.
 */
bool demangle_is_mangled(const char *name);

#endif
