// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include "decode.h"

#define SOL_TCP_LEVEL	6
#include "names.h"

/* A syscall returns an fd, 0, or -errno with errno <= MAX_ERRNO (4095):
 * anything else did not come from the kernel. */
static bool ret_plausible(const union tfo_record *r)
{
	const struct tfo_record_kind *k = tfo_record_kind(r->hdr.type);
	int32_t ret;

	if (k->ret_off == TFO_KIND_NONE)
		return true;
	memcpy(&ret, (const char *)r + k->ret_off, sizeof(ret));
	return ret >= -4095;
}

int tfo_decode(const void *data, size_t len, union tfo_record *out)
{
	struct tfo_rec_hdr hdr;
	size_t want;

	if (!data || len < sizeof(hdr))
		return -EINVAL;
	memcpy(&hdr, data, sizeof(hdr));
	want = tfo_record_size(hdr.type);
	/* Longer is accepted (a newer BPF side may grow a record at its end);
	 * the header must agree with what the ring buffer delivered. */
	if (!want || hdr.size != len || len < want)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	memcpy(out, data, want);
	if (!ret_plausible(out))
		return -EINVAL;
	/* comm comes from the kernel NUL-terminated, but a corrupt record must
	 * not make a printer run off the end. */
	out->hdr.comm[TFO_COMM_LEN - 1] = '\0';
	/* An IPv4 address is its first 4 bytes: the rest must not make one
	 * server two in the correlator's table. */
	if (hdr.type == TFO_REC_TFO_SYNACK && out->tfo_synack.family == AF_INET)
		memset(out->tfo_synack.raddr + 4, 0, 12);
	if (hdr.type == TFO_REC_LISTENER && out->listener.sock.family == AF_INET)
		memset(out->listener.addr + 4, 0, 12);
	return 0;
}

struct tfo_optval tfo_optval_decode(const struct tfo_rec_setsockopt *r)
{
	struct tfo_optval v = { .is_int = false };
	enum tfo_optval_kind kind = tfo_optname_kind(r->level, r->optname);
	int32_t word;

	/* SOL_TCP's struct options are all larger than an int: one passed
	 * with an int's length is an int (setsockopt(SOL_TCP, 42, &one, 4),
	 * the multipath-tcp.org kernels' MPTCP_ENABLED, is TCP_AO_REPAIR's
	 * number since 6.7) */
	if (kind == TFO_OPTVAL_BYTES && r->level == SOL_TCP_LEVEL &&
	    r->optlen == (int)sizeof(word))
		kind = TFO_OPTVAL_INT;
	if (kind != TFO_OPTVAL_INT || r->optval_len == 0 || r->optlen <= 0)
		return v;
	if (r->optval_len >= sizeof(word) && r->optlen >= (int)sizeof(word)) {
		memcpy(&word, r->optval, sizeof(word));
		v.value = word;
	} else {
		/* The kernel reads a single byte for the IP options that
		 * accept an optlen shorter than an int. */
		v.value = r->optval[0];
	}
	v.is_int = true;
	return v;
}
