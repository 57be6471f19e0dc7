/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What userspace knows of each record type, in one table: its size, its
 * JSON name, where its socket and its syscall result sit, how often it
 * comes. The decoder, the formatters, the correlator and the tests ask
 * here instead of switching on the type, so that a new type is one row
 * (and a printer per format: tests/unit/test_output.c checks every
 * printed type has both). */
#ifndef TFOTRACE_RECORDS_H
#define TFOTRACE_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "tfotrace.h"

union tfo_record {
	struct tfo_rec_hdr hdr;
	struct tfo_rec_socket socket;
	struct tfo_rec_listen listen;
	struct tfo_rec_setsockopt setsockopt;
	struct tfo_rec_tfo_server tfo_server;
	struct tfo_rec_tfo_client tfo_client;
	struct tfo_rec_listener listener;
	struct tfo_rec_owner owner;
	struct tfo_rec_tfo_synack tfo_synack;
	struct tfo_rec_wire wire;
};

#define TFO_KIND_NONE	UINT16_MAX	/* no such field in this type */

enum tfo_kind_flags {
	TFO_KIND_PRINTED = 1 << 0,	/* printed as an event (text line,
					 * JSON object of type .name) */
	TFO_KIND_PER_EVENT = 1 << 1,	/* one per SYN or connection: many,
					 * printed with --all only (the
					 * findings carry their numbers) */
};

struct tfo_record_kind {
	const char *name;	/* "setsockopt": the JSON "type" */
	uint16_t size;		/* bytes of the record */
	uint16_t sock_off;	/* offset of its struct tfo_sock_id, or
				 * TFO_KIND_NONE */
	uint16_t ret_off;	/* offset of its __s32 result, or TFO_KIND_NONE */
	uint16_t flags;		/* enum tfo_kind_flags */
};

/* The kind of record TYPE; NULL for a type this build does not know. */
const struct tfo_record_kind *tfo_record_kind(uint32_t type);

/* The size a record of this type must have; 0 for an unknown type. */
size_t tfo_record_size(uint32_t type);

/* The socket a record speaks of; NULL when its type has none. */
const struct tfo_sock_id *tfo_record_sock(const union tfo_record *r);

/* A syscall record whose call failed. */
bool tfo_record_failed(const union tfo_record *r);

#endif
