/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Bytes from the ring buffer to typed records, validated: nothing past
 * this point trusts a length or a type it has not checked. */
#ifndef TFOTRACE_DECODE_H
#define TFOTRACE_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "records.h"

/* Check DATA (LEN bytes) and copy it into OUT. Returns 0, or -EINVAL when
 * the record is short, of an unknown type, or its header disagrees with
 * its length. */
int tfo_decode(const void *data, size_t len, union tfo_record *out);

/* How an option value reads: an integer when the option is an integer one
 * and enough bytes were captured, else the raw bytes. */
struct tfo_optval {
	bool is_int;
	int64_t value;
};
struct tfo_optval tfo_optval_decode(const struct tfo_rec_setsockopt *r);

#endif
