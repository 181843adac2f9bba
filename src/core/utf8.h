/* utf8.h — text at the door.
 *
 * Every string that enters ftz (JSON bodies, CSV and XLSX imports, CEB XML, query strings) is
 * checked with ftz_utf8_valid before it is stored, so the rest of the code may assume valid
 * UTF-8 without NUL bytes. Length rules ("a name of at most 100 characters") count code points
 * with ftz_utf8_len. Search goes through a folded copy of the text (ftz_utf8_fold, stored in a
 * search column) matched with LIKE ? ESCAPE '\' on a pattern built with ftz_like_escape, the
 * same on SQLite and PostgreSQL (DESIGN.md §6). */
#ifndef FTZ_CORE_UTF8_H
#define FTZ_CORE_UTF8_H

#include "core/ftz_setup.h"
#include "core/arena.h"

/* Whether the n bytes at s are well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates
 * (U+D800..U+DFFF), nothing above U+10FFFF, no truncated sequence, and no NUL byte (a NUL
 * would cut the text short in C and in SQL). s may be NULL when n is 0. */
bool ftz_utf8_valid(const char *s, size_t n);

/* The number of code points in the NUL-terminated valid UTF-8 string s. */
size_t ftz_utf8_len(const char *s);

/* The search form of s: NFKC, Unicode case folding and removal of default-ignorable code
 * points (soft hyphen, zero-width space …), as utf8proc does them, then white space trimmed at
 * both ends and every run of white space (any Unicode space separator, line or paragraph
 * separator, or ASCII control white space) replaced by one ASCII space. So "ÉCOLE" and "école",
 * "ＡＢＣ" and "abc", "МОСКВА" and "москва" fold alike; Chinese is unchanged. Returns a
 * string in a, or NULL when s is NULL or not valid UTF-8. */
char *ftz_utf8_fold(ftz_arena *a, const char *s);

/* s with '\', '%' and '_' each preceded by '\', for use inside a pattern of
 * `LIKE ? ESCAPE '\'` (e.g. "%" + ftz_like_escape(a, folded) + "%"). */
char *ftz_like_escape(ftz_arena *a, const char *s);

#endif
