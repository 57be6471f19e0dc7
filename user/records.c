// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <string.h>
#include "records.h"

#define KIND(type_, member, name_, sock_, ret_, flags_)			\
	[type_] = {							\
		.name = name_,						\
		.size = sizeof(((union tfo_record *)0)->member),	\
		.sock_off = sock_,					\
		.ret_off = ret_,					\
		.flags = flags_,					\
	}
#define AT(member, field)	offsetof(union tfo_record, member.field)

static const struct tfo_record_kind kinds[TFO_REC__MAX] = {
	KIND(TFO_REC_SOCKET, socket, "socket", AT(socket, sock),
	     AT(socket, ret), TFO_KIND_PRINTED),
	KIND(TFO_REC_LISTEN, listen, "listen", AT(listen, sock),
	     AT(listen, ret), TFO_KIND_PRINTED),
	KIND(TFO_REC_SETSOCKOPT, setsockopt, "setsockopt",
	     AT(setsockopt, sock), AT(setsockopt, ret), TFO_KIND_PRINTED),
	KIND(TFO_REC_TFO_SERVER, tfo_server, "tfo_server",
	     AT(tfo_server, sock), TFO_KIND_NONE,
	     TFO_KIND_PRINTED | TFO_KIND_PER_EVENT),
	KIND(TFO_REC_TFO_CLIENT, tfo_client, "tfo_client",
	     AT(tfo_client, sock), TFO_KIND_NONE,
	     TFO_KIND_PRINTED | TFO_KIND_PER_EVENT),
	KIND(TFO_REC_LISTENER, listener, "listener", AT(listener, sock),
	     TFO_KIND_NONE, TFO_KIND_PRINTED),
	/* consumed by the listener scan, never printed */
	KIND(TFO_REC_OWNER, owner, "owner", TFO_KIND_NONE, TFO_KIND_NONE, 0),
	/* its socket is the client's; it is correlated by its server */
	KIND(TFO_REC_TFO_SYNACK, tfo_synack, "tfo_synack",
	     AT(tfo_synack, sock), TFO_KIND_NONE,
	     TFO_KIND_PRINTED | TFO_KIND_PER_EVENT),
	/* server side: the listener; client side: the client's socket */
	KIND(TFO_REC_WIRE, wire, "wire", AT(wire, sock), TFO_KIND_NONE,
	     TFO_KIND_PRINTED | TFO_KIND_PER_EVENT),
};

const struct tfo_record_kind *tfo_record_kind(uint32_t type)
{
	if (type >= TFO_REC__MAX || !kinds[type].name)
		return NULL;
	return &kinds[type];
}

size_t tfo_record_size(uint32_t type)
{
	const struct tfo_record_kind *k = tfo_record_kind(type);

	return k ? k->size : 0;
}

const struct tfo_sock_id *tfo_record_sock(const union tfo_record *r)
{
	const struct tfo_record_kind *k = tfo_record_kind(r->hdr.type);

	if (!k || k->sock_off == TFO_KIND_NONE)
		return NULL;
	return (const struct tfo_sock_id *)((const char *)r + k->sock_off);
}

bool tfo_record_failed(const union tfo_record *r)
{
	const struct tfo_record_kind *k = tfo_record_kind(r->hdr.type);
	int32_t ret;

	if (!k || k->ret_off == TFO_KIND_NONE)
		return false;
	memcpy(&ret, (const char *)r + k->ret_off, sizeof(ret));
	return ret < 0;
}
