/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Numbers seen by the tracer -> symbolic names. Every lookup returns NULL
 * for a number it does not know, so callers print the number instead of a
 * guessed name.
 */
#ifndef TFOTRACE_NAMES_H
#define TFOTRACE_NAMES_H

#include <stddef.h>

struct tfo_name {
	int value;
	const char *name;
};

enum tfo_optval_kind {
	TFO_OPTVAL_INT,		/* int or boolean; also the default */
	TFO_OPTVAL_BYTES,	/* a struct or buffer: show as hex */
	TFO_OPTVAL_STRING,	/* a NUL-less name: device, CC, ULP */
};

const char *tfo_level_name(int level);
const char *tfo_optname_name(int level, int optname);
enum tfo_optval_kind tfo_optname_kind(int level, int optname);
const char *tfo_proto_name(int proto);
const char *tfo_family_name(int family);
const char *tfo_socktype_name(int type);
const char *tfo_errno_name(int err);
const char *tfo_tcp_state_name(int state);
const char *tfo_layer_name(int layer);
const char *tfo_mode_name(int mode);
int tfo_mode_parse(const char *s);

/* The option table of a level (for tests); 0 and *out = NULL when the
 * level has none. */
size_t tfo_names__options(int level, const struct tfo_name **out);

#endif /* TFOTRACE_NAMES_H */
