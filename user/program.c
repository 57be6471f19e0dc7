// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "procfs.h"
#include "program.h"
#include "unitfile.h"

/* ---- the environment: two variables, nothing else ---- */

static const char *const wanted_vars[] = { "GODEBUG=", "LD_PRELOAD=" };
#define WANT_GODEBUG	0
#define WANT_PRELOAD	1
#define WANT_ALL	((1u << 2) - 1)

/* Where a byte-by-byte scan of the environment stands: across chunk
 * boundaries, nothing of a variable is kept but a wanted one's value. */
struct environ_scan {
	size_t pos;		/* bytes of the current variable seen */
	unsigned int cand;	/* wanted names its first bytes still match */
	int capturing;		/* WANT_*, or -1 */
	size_t len;		/* of the value captured */
};

static void scan_reset(struct environ_scan *s)
{
	s->pos = 0;
	s->cand = WANT_ALL;
	s->capturing = -1;
	s->len = 0;
}

static void scan_bytes(struct environ_scan *s, const char *p, size_t n,
		       struct tfo_environ *out)
{
	for (size_t i = 0; i < n; i++) {
		char c = p[i];

		if (!c) {
			scan_reset(s);
			continue;
		}
		if (s->capturing >= 0) {
			char *val = s->capturing == WANT_GODEBUG ?
				    out->godebug : out->preload;
			bool *cut = s->capturing == WANT_GODEBUG ?
				    &out->godebug_truncated :
				    &out->preload_truncated;

			if (s->len < TFO_ENV_VALUE_LEN - 1) {
				val[s->len++] = c;
				val[s->len] = '\0';
			} else {
				*cut = true;
			}
			continue;
		}
		if (!s->cand) {
			s->pos++;
			continue;
		}
		for (unsigned int w = 0; w < 2; w++) {
			const char *name = wanted_vars[w];

			if (!(s->cand & (1u << w)))
				continue;
			if (name[s->pos] != c) {
				s->cand &= ~(1u << w);
			} else if (!name[s->pos + 1]) {
				/* Go and getenv(3) take the first GODEBUG,
				 * ld.so the last LD_PRELOAD */
				s->cand = 0;
				if (w == WANT_GODEBUG && out->has_godebug)
					break;
				s->capturing = w;
				s->len = 0;
				if (w == WANT_GODEBUG) {
					out->has_godebug = true;
					out->godebug[0] = '\0';
				} else {
					out->has_preload = true;
					out->preload[0] = '\0';
					out->preload_truncated = false;
				}
				break;
			}
		}
		s->pos++;
	}
}

void tfo_environ_parse(const char *env, size_t n, struct tfo_environ *out)
{
	struct environ_scan s;

	memset(out, 0, sizeof(*out));
	scan_reset(&s);
	scan_bytes(&s, env, n, out);
}

int tfo_environ_read_fd(int fd, struct tfo_environ *out)
{
	char chunk[16384];
	struct environ_scan s;
	size_t total = 0;

	memset(out, 0, sizeof(*out));
	scan_reset(&s);
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			return total;
		total += n;
		if (total > TFO_ENVIRON_MAX) {
			memset(out, 0, sizeof(*out));
			return -E2BIG;
		}
		scan_bytes(&s, chunk, n, out);
	}
}

/* ---- the direct reads ---- */

int tfo_program_open_exe(void *proc_root, uint32_t pid)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%u/exe",
		 proc_root ? (const char *)proc_root : "/proc", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int tfo_program_read_environ(void *proc_root, uint32_t pid,
			     struct tfo_environ *out)
{
	char path[PATH_MAX];
	int fd, err;

	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), "%s/%u/environ",
		 proc_root ? (const char *)proc_root : "/proc", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = tfo_environ_read_fd(fd, out);
	close(fd);
	return err;
}

int tfo_program_read_process(void *proc_root, uint32_t pid, int *exe_fd,
			     struct tfo_environ *env)
{
	*exe_fd = tfo_program_open_exe(proc_root, pid);
	return tfo_program_read_environ(proc_root, pid, env);
}

void tfo_program_describe(const struct tfo_program_reader *r, uint32_t pid,
			  struct tfo_program *out)
{
	const char *proc_root = r->proc_root ? r->proc_root : "/proc";
	char cgroup_path[PATH_MAX];
	struct tfo_proc_stat st;
	int fd, err;

	memset(out, 0, sizeof(*out));
	out->pid = pid;
	err = tfo_proc_stat_read(proc_root, pid, &st);
	if (err || st.state == 'Z' || st.state == 'X') {
		/* gone (or going): what it ran cannot be read any more */
		out->exe_err = out->environ_err = err ? err : -ESRCH;
		return;
	}
	out->start_time = st.start_time;
	memcpy(out->comm, st.comm, sizeof(out->comm));
	err = r->read_process(r->ctx, pid, &fd, &out->env);
	out->exe_err = fd < 0 ? fd : tfo_goinfo_read_fd(fd, &out->go);
	if (fd >= 0)
		close(fd);
	out->environ_err = err < 0 ? err : 0;
	out->environ_bytes = err > 0 ? (size_t)err : 0;
	if (!tfo_cgroup_path_of(proc_root, pid, cgroup_path,
				sizeof(cgroup_path))) {
		tfo_unit_of_cgroup(cgroup_path, out->unit, sizeof(out->unit));
		tfo_container_of_cgroup(cgroup_path, out->container,
					sizeof(out->container));
	}
	if (out->unit[0] && !out->environ_err && out->env.has_godebug)
		tfo_unit_env_origin(r->unit_root ? r->unit_root : "", out->unit,
				    "GODEBUG", &out->godebug_set);
}

/* ---- the cache ---- */

#define REF_SLOT_BITS	9	/* slot + 1, up to TFO_PROGRAMS_MAX */
_Static_assert(TFO_PROGRAMS_MAX < (1 << REF_SLOT_BITS), "a slot fits a ref");

struct cached_program {
	struct tfo_program p;
	uint32_t generation;	/* 0: empty */
	uint64_t seq;		/* when described: the newest of a pid wins */
};

struct tfo_programs {
	struct tfo_program_reader reader;
	struct cached_program slots[TFO_PROGRAMS_MAX];
	uint32_t next_slot;	/* the oldest, replaced first */
	uint32_t generation;
	uint64_t described;
};

struct tfo_programs *tfo_programs__new(const struct tfo_program_reader *r)
{
	struct tfo_programs *ps = calloc(1, sizeof(*ps));

	if (ps)
		ps->reader = *r;
	return ps;
}

void tfo_programs__free(struct tfo_programs *ps)
{
	free(ps);
}

static tfo_program_ref ref_of(const struct tfo_programs *ps, uint32_t slot)
{
	return (ps->slots[slot].generation << REF_SLOT_BITS) | (slot + 1);
}

const struct tfo_program *tfo_programs__get(const struct tfo_programs *ps,
					    tfo_program_ref ref)
{
	uint32_t slot = (ref & ((1u << REF_SLOT_BITS) - 1)) - 1;

	if (!ps || !ref || slot >= TFO_PROGRAMS_MAX ||
	    ps->slots[slot].generation != ref >> REF_SLOT_BITS)
		return NULL;
	return &ps->slots[slot].p;
}

tfo_program_ref tfo_programs__find(const struct tfo_programs *ps, uint32_t pid)
{
	uint32_t best = TFO_PROGRAMS_MAX;

	if (!ps || !pid)
		return 0;
	for (uint32_t i = 0; i < TFO_PROGRAMS_MAX; i++)
		if (ps->slots[i].generation && ps->slots[i].p.pid == pid &&
		    (best == TFO_PROGRAMS_MAX ||
		     ps->slots[i].seq > ps->slots[best].seq))
			best = i;
	return best == TFO_PROGRAMS_MAX ? 0 : ref_of(ps, best);
}

/* The oldest slot, emptied for a new description. */
static struct cached_program *take_slot(struct tfo_programs *ps, uint32_t *slot)
{
	struct cached_program *c;

	*slot = ps->next_slot;
	ps->next_slot = (ps->next_slot + 1) % TFO_PROGRAMS_MAX;
	c = &ps->slots[*slot];
	/* 23 bits of generation: a stale ref meets a reused slot only after
	 * 8 million descriptions */
	ps->generation = (ps->generation + 1) & ((1u << (32 - REF_SLOT_BITS)) - 1);
	if (!ps->generation)
		ps->generation = 1;
	c->generation = ps->generation;
	c->seq = ++ps->described;
	return c;
}

tfo_program_ref tfo_programs__put(struct tfo_programs *ps,
				  const struct tfo_program *p)
{
	uint32_t slot;

	take_slot(ps, &slot)->p = *p;
	return ref_of(ps, slot);
}

tfo_program_ref tfo_programs__of(struct tfo_programs *ps, uint32_t pid)
{
	const char *proc_root = ps->reader.proc_root ? ps->reader.proc_root :
				"/proc";
	struct tfo_proc_stat st;
	tfo_program_ref known;
	struct cached_program *c;
	uint32_t slot;

	if (!pid)
		return 0;
	known = tfo_programs__find(ps, pid);
	/* gone: what was read of it is all there is; the same process
	 * running the same program: read once */
	if (known) {
		const struct tfo_program *p = tfo_programs__get(ps, known);

		if (tfo_proc_stat_read(proc_root, pid, &st) ||
		    (st.start_time == p->start_time && !strcmp(st.comm, p->comm) &&
		     (p->environ_err || p->environ_bytes)))
			return known;
	}
	c = take_slot(ps, &slot);
	tfo_program_describe(&ps->reader, pid, &c->p);
	return ref_of(ps, slot);
}

uint64_t tfo_programs__described(const struct tfo_programs *ps)
{
	return ps ? ps->described : 0;
}

/* ---- GODEBUG ---- */

bool tfo_godebug_lookup(const char *s, const char *key, char *val, size_t size)
{
	size_t klen = strlen(key);
	bool found = false;

	if (!s)
		return false;
	/* forward, keeping the last: what Go's backward scan takes */
	for (const char *item = s; item; ) {
		const char *comma = strchr(item, ','), *eq;
		size_t len = comma ? (size_t)(comma - item) : strlen(item);

		eq = memchr(item, '=', len);
		if (eq && (size_t)(eq - item) == klen && !memcmp(item, key, klen)) {
			size_t vlen = len - klen - 1;
			const char *hash = memchr(eq + 1, '#', vlen);

			if (hash)
				vlen = hash - (eq + 1);
			if (size) {
				if (vlen >= size)
					vlen = size - 1;
				memcpy(val, eq + 1, vlen);
				val[vlen] = '\0';
			}
			found = true;
		}
		item = comma ? comma + 1 : NULL;
	}
	return found;
}

bool tfo_godebug_merge(const char *current, const char *key,
		       const char *value, char *out, size_t size)
{
	size_t klen = strlen(key), used = 0;
	bool fits = true;

	if (!size)
		return false;
	out[0] = '\0';
	for (const char *item = current ? current : ""; item && *item; ) {
		const char *comma = strchr(item, ',');
		size_t len = comma ? (size_t)(comma - item) : strlen(item);
		const char *eq = memchr(item, '=', len);
		bool ours = eq && (size_t)(eq - item) == klen &&
			    !memcmp(item, key, klen);

		if (len && !ours) {
			int n = snprintf(out + used, size - used, "%s%.*s",
					 used ? "," : "", (int)len, item);

			if (n < 0 || (size_t)n >= size - used) {
				fits = false;
				break;
			}
			used += n;
		}
		item = comma ? comma + 1 : NULL;
	}
	if (fits) {
		int n = snprintf(out + used, size - used, "%s%s=%s",
				 used ? "," : "", key, value);

		fits = n >= 0 && (size_t)n < size - used;
	}
	return fits;
}

int tfo_go_listens_mptcp(const char *version, const char *value)
{
	int major, minor;

	if (!version || tfo_go_version(version, &major, &minor) ||
	    (major == 1 && minor < 21) || major < 1)
		return -1;
	/* 1.21 to 1.23: only multipathtcp=1 asks for it */
	if (major == 1 && minor < 24)
		return value && !strcmp(value, "1");
	/* 1.24 on (src/net/dial.go): MPTCP unless 0 (off) or 3 (dialers) */
	return !value || (strcmp(value, "0") && strcmp(value, "3"));
}

/* ---- where MPTCP came from ---- */

const char *tfo_mptcp_source_name(enum tfo_mptcp_source s)
{
	static const char *const names[] = {
		[TFO_MPTCP_SOURCE_GO_DEFAULT] = "go-default",
		[TFO_MPTCP_SOURCE_ENVIRONMENT] = "environment",
		[TFO_MPTCP_SOURCE_PROGRAM] = "program",
		[TFO_MPTCP_SOURCE_PRELOAD] = "preload",
		[TFO_MPTCP_SOURCE_UNKNOWN] = "unknown",
	};

	return (unsigned int)s < sizeof(names) / sizeof(names[0]) ? names[s] : NULL;
}

bool tfo_preload_mptcp(const char *preload, char *name, size_t size)
{
	/* ld.so splits LD_PRELOAD at spaces and colons. A library with
	 * "mptcp" in its name that is preloaded is there to make sockets
	 * MPTCP: Debian's mptcpize preloads libmptcpwrap. */
	for (const char *p = preload; p && *p; ) {
		size_t len = strcspn(p, ": "), base;

		for (base = len; base && p[base - 1] != '/'; base--)
			;
		if (len > base && memmem(p + base, len - base, "mptcp", 5)) {
			snprintf(name, size, "%.*s", (int)(len - base), p + base);
			return true;
		}
		p += len;
		p += strspn(p, ": ");
	}
	return false;
}

static const char *why_unread(int err)
{
	switch (err) {
	case -ENOENT:
	case -ESRCH:
		return "the process had exited before tfotrace could read it";
	case -EACCES:
	case -EPERM:
		return "permission denied (another user's process without "
		       "tfotrace's helper, or /proc mounted with hidepid)";
	case -E2BIG:
		return "its environment is larger than tfotrace reads (8 MiB)";
	default:
		return "it could not be read";
	}
}

static void origin(struct tfo_mptcp_origin *o, enum tfo_mptcp_source s,
		   const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void origin(struct tfo_mptcp_origin *o, enum tfo_mptcp_source s,
		   const char *fmt, ...)
{
	va_list ap;

	o->source = s;
	va_start(ap, fmt);
	vsnprintf(o->detail, sizeof(o->detail), fmt, ap);
	va_end(ap);
}

void tfo_mptcp_origin_of(const struct tfo_program *p,
			 struct tfo_mptcp_origin *o)
{
	char lib[96], env_value[16], def_value[16];
	bool env_known, preload, env_set, def_set;
	const char *value;
	int by_go;

	memset(o, 0, sizeof(*o));
	if (!p) {
		origin(o, TFO_MPTCP_SOURCE_UNKNOWN, "its process was not "
		       "found: it had exited before tfotrace could read it");
		return;
	}
	env_known = !p->environ_err;
	preload = env_known && p->env.has_preload &&
		  tfo_preload_mptcp(p->env.preload, lib, sizeof(lib));
	if (p->exe_err && !preload) {
		origin(o, TFO_MPTCP_SOURCE_UNKNOWN, "its executable: %s",
		       why_unread(p->exe_err));
		return;
	}
	if (preload && (p->exe_err || !p->go.is_go)) {
		origin(o, TFO_MPTCP_SOURCE_PRELOAD, "LD_PRELOAD=%s", lib);
		return;
	}
	if (!p->go.is_go) {
		if (env_known)
			origin(o, TFO_MPTCP_SOURCE_PROGRAM, "socket(..., "
			       "IPPROTO_MPTCP) in its own code");
		else
			origin(o, TFO_MPTCP_SOURCE_UNKNOWN, "its environment "
			       "(an LD_PRELOAD library such as mptcpize's, or its "
			       "own code): %s", why_unread(p->environ_err));
		return;
	}
	/* Go: its environment's GODEBUG beats its build's DefaultGODEBUG,
	 * which beats the toolchain's default */
	env_set = env_known && p->env.has_godebug &&
		  tfo_godebug_lookup(p->env.godebug, "multipathtcp", env_value,
				     sizeof(env_value));
	def_set = tfo_godebug_lookup(p->go.default_godebug, "multipathtcp",
				     def_value, sizeof(def_value));
	value = env_set ? env_value : def_set ? def_value : NULL;
	by_go = tfo_go_listens_mptcp(p->go.version, value);
	if (by_go < 0) {
		origin(o, TFO_MPTCP_SOURCE_PROGRAM, "socket(..., IPPROTO_MPTCP) "
		       "in its own code (%s has no MPTCP in its net package: Go "
		       "before 1.21)", p->go.version[0] ? p->go.version :
		       "a Go of unknown version");
		return;
	}
	if (p->go.sets_multipath_tcp) {
		/* its code decides, whatever GODEBUG says (it is MPTCP: the
		 * call asked for it, true) */
		origin(o, TFO_MPTCP_SOURCE_PROGRAM, "net.ListenConfig."
		       "SetMultipathTCP in its code, which beats GODEBUG");
	} else if (by_go && env_set && preload) {
		/* newer mptcpize sets GODEBUG for Go programs along with the
		 * library (which Go, making its own syscalls, never calls) */
		origin(o, TFO_MPTCP_SOURCE_PRELOAD, "LD_PRELOAD=%s, with "
		       "GODEBUG=multipathtcp=%s", lib, env_value);
	} else if (by_go && env_set) {
		origin(o, TFO_MPTCP_SOURCE_ENVIRONMENT, "GODEBUG=multipathtcp=%s",
		       env_value);
	} else if (by_go && def_set) {
		origin(o, TFO_MPTCP_SOURCE_GO_DEFAULT, "DefaultGODEBUG "
		       "multipathtcp=%s in its build (go.mod or //go:debug)",
		       def_value);
	} else if (by_go) {
		origin(o, TFO_MPTCP_SOURCE_GO_DEFAULT, "the default of %s",
		       p->go.version);
	} else if (!env_known) {
		origin(o, TFO_MPTCP_SOURCE_UNKNOWN, "its environment (GODEBUG "
		       "there, or SetMultipathTCP(true) in its code): %s",
		       why_unread(p->environ_err));
	} else {
		origin(o, TFO_MPTCP_SOURCE_PROGRAM, "SetMultipathTCP(true) in its "
		       "code, or its own socket(..., IPPROTO_MPTCP) (GODEBUG "
		       "multipathtcp=%s would make its listeners TCP)",
		       value ? value : "unset");
	}
}
