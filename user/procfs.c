// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include "tfotrace.h"
#include "procfs.h"

/* ---- /proc/net/netstat ---- */

#define TCPEXT_PREFIX "TcpExt:"
#define NETSTAT_SEPARATORS " \t\r\n"

/* The counters of struct tfo_mib, in the order of its present bits. */
static const struct {
	const char *name;
	size_t offset;
} mib_fields[] = {
	{ "TCPFastOpenActive", offsetof(struct tfo_mib, active) },
	{ "TCPFastOpenActiveFail", offsetof(struct tfo_mib, active_fail) },
	{ "TCPFastOpenPassive", offsetof(struct tfo_mib, passive) },
	{ "TCPFastOpenPassiveFail", offsetof(struct tfo_mib, passive_fail) },
	{ "TCPFastOpenListenOverflow", offsetof(struct tfo_mib, listen_overflow) },
	{ "TCPFastOpenCookieReqd", offsetof(struct tfo_mib, cookie_reqd) },
	{ "TCPFastOpenBlackhole", offsetof(struct tfo_mib, blackhole) },
	{ "TCPFastOpenPassiveAltKey", offsetof(struct tfo_mib, passive_alt_key) },
};
#define N_MIB_FIELDS (sizeof(mib_fields) / sizeof(mib_fields[0]))

static uint64_t *mib_counter(struct tfo_mib *mib, size_t field)
{
	return (uint64_t *)((char *)mib + mib_fields[field].offset);
}

static uint64_t mib_counter_value(const struct tfo_mib *mib, size_t field)
{
	return *(const uint64_t *)((const char *)mib + mib_fields[field].offset);
}

/* getline() that tells a line (1) from end of file (0) and from a
 * failure (-errno): -1 alone means either. */
static int read_line(char **line, size_t *cap, FILE *file)
{
	errno = 0;
	if (getline(line, cap, file) >= 0)
		return 1;
	if (feof(file) && !ferror(file))
		return 0;
	return errno ? -errno : -EIO;
}

static bool is_tcpext_line(const char *line)
{
	return strncmp(line, TCPEXT_PREFIX, strlen(TCPEXT_PREFIX)) == 0;
}

/* A decimal counter: digits only, so "-1" or "1x" is malformed rather
 * than silently wrapped or cut. */
static int parse_counter(const char *text, uint64_t *value)
{
	unsigned long long parsed;
	char *end;

	if (*text < '0' || *text > '9')
		return -EINVAL;
	errno = 0;
	parsed = strtoull(text, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*value = parsed;
	return 0;
}

/* Walk the names and the values of one TcpExt pair side by side. */
static int parse_tcpext_pair(char *names, char *values, struct tfo_mib *mib)
{
	char *names_pos, *values_pos;
	char *name = strtok_r(names, NETSTAT_SEPARATORS, &names_pos);
	char *value = strtok_r(values, NETSTAT_SEPARATORS, &values_pos);

	for (; name && value;
	     name = strtok_r(NULL, NETSTAT_SEPARATORS, &names_pos),
	     value = strtok_r(NULL, NETSTAT_SEPARATORS, &values_pos)) {
		uint64_t counter;

		/* Every value is checked, not only ours: a garbled line
		 * means the ones we want cannot be trusted either. */
		if (parse_counter(value, &counter))
			return -EINVAL;
		for (size_t field = 0; field < N_MIB_FIELDS; field++) {
			if (strcmp(name, mib_fields[field].name) == 0) {
				*mib_counter(mib, field) = counter;
				mib->present |= 1u << field;
				break;
			}
		}
	}
	/* One list ran out first: the names no longer line up with the values. */
	if (name || value)
		return -EINVAL;
	return 0;
}

int tfo_mib_parse(FILE *netstat, struct tfo_mib *out)
{
	char *names = NULL, *values = NULL;
	size_t names_cap = 0, values_cap = 0;
	struct tfo_mib mib = { 0 };
	int got, err = -ENOENT;

	if (!netstat || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	while ((got = read_line(&names, &names_cap, netstat)) > 0) {
		if (!is_tcpext_line(names))
			continue;
		/* The values line follows its names line directly. */
		got = read_line(&values, &values_cap, netstat);
		if (got < 0)
			err = got;
		else if (got == 0 || !is_tcpext_line(values))
			err = -EINVAL;
		else
			err = parse_tcpext_pair(names + strlen(TCPEXT_PREFIX),
						values + strlen(TCPEXT_PREFIX), &mib);
		break;
	}
	if (got < 0)
		err = got;
	free(names);
	free(values);
	if (!err)
		*out = mib;
	return err;
}

int tfo_mib_read(const char *path, struct tfo_mib *out)
{
	FILE *netstat;
	int err;

	if (!path || !out)
		return -EINVAL;
	netstat = fopen(path, "re");
	if (!netstat)
		return -errno;
	err = tfo_mib_parse(netstat, out);
	fclose(netstat);
	return err;
}

void tfo_mib_delta(const struct tfo_mib *before, const struct tfo_mib *after,
		   struct tfo_mib *delta)
{
	/* Built aside so DELTA may alias BEFORE or AFTER. */
	struct tfo_mib result = { 0 };

	for (size_t field = 0; field < N_MIB_FIELDS; field++) {
		uint64_t old = mib_counter_value(before, field);
		uint64_t new = mib_counter_value(after, field);

		/* Backwards means a reset or another namespace, not a
		 * huge increase. */
		*mib_counter(&result, field) = new > old ? new - old : 0;
	}
	result.present = before->present & after->present;
	*delta = result;
}

/* ---- sysctl ---- */

/* Refuse what could walk out of PROC_ROOT/sys or name nothing. */
static bool is_sysctl_name(const char *name)
{
	return name[0] && name[0] != '.' && name[0] != '/' && !strstr(name, "..");
}

int tfo_sysctl_read(const char *proc_root, const char *name, long *out)
{
	/* Any long in decimal, with its newline, fits with room to spare;
	 * content that fills this is not one integer. */
	char content[64];
	char path[PATH_MAX];
	size_t name_start, used = 0;
	long value;
	char *end;
	int len, fd;

	if (!proc_root || !name || !out || !is_sysctl_name(name))
		return -EINVAL;
	len = snprintf(path, sizeof(path), "%s/sys/", proc_root);
	if (len < 0 || (size_t)len >= sizeof(path))
		return -ENAMETOOLONG;
	name_start = len;
	len = snprintf(path + name_start, sizeof(path) - name_start, "%s", name);
	if (len < 0 || (size_t)len >= sizeof(path) - name_start)
		return -ENAMETOOLONG;
	/* Like sysctl(8): dots separate levels unless the name already uses
	 * slashes (then dots belong to a component, as in "eth0.100"). Only
	 * the name is rewritten: PROC_ROOT may contain dots of its own. */
	if (!strchr(name, '/'))
		for (char *c = path + name_start; *c; c++)
			if (*c == '.')
				*c = '/';

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (used < sizeof(content)) {
		ssize_t got = read(fd, content + used, sizeof(content) - used);

		if (got < 0) {
			int err = -errno;

			if (err == -EINTR)
				continue;
			close(fd);
			return err;
		}
		if (got == 0)
			break;
		used += got;
	}
	close(fd);
	if (used == sizeof(content))
		return -EINVAL;
	content[used] = '\0';

	errno = 0;
	value = strtol(content, &end, 10);
	if (end == content)
		return -EINVAL;
	if (errno == ERANGE)
		return -ERANGE;
	/* One integer and its newline: "4096 131072 6291456" is not one. */
	while (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')
		end++;
	if (*end)
		return -EINVAL;
	*out = value;
	return 0;
}

uint32_t tfo_own_netns(const char *proc_root)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/self/ns/net", proc_root);
	return stat(path, &st) ? 0 : (uint32_t)st.st_ino;
}

/* ---- one parser per /proc file of a process ---- */

/* PROC_ROOT/PID/NAME into BUF (SIZE bytes, NUL-terminated): its length,
 * or -errno. */
static ssize_t read_proc_file(const char *proc_root, uint32_t pid,
			      const char *name, char *buf, size_t size)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%u/%s", proc_root, pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

int tfo_proc_stat_read(const char *proc_root, uint32_t pid,
		       struct tfo_proc_stat *out)
{
	char buf[1024], *open_paren, *close_paren;
	unsigned long long start;
	unsigned int parent;
	char state;
	ssize_t n;
	size_t len;

	n = read_proc_file(proc_root, pid, "stat", buf, sizeof(buf));
	if (n < 0)
		return n;
	/* comm may hold spaces and parentheses: it ends at the last ')' */
	open_paren = strchr(buf, '(');
	close_paren = strrchr(buf, ')');
	if (!open_paren || !close_paren || close_paren < open_paren ||
	    /* state, ppid, 17 fields, starttime (field 22) */
	    sscanf(close_paren + 1, " %c %u %*s %*s %*s %*s %*s %*s %*s %*s "
		   "%*s %*s %*s %*s %*s %*s %*s %*s %*s %llu", &state, &parent,
		   &start) != 3)
		return -EINVAL;
	len = close_paren - open_paren - 1;
	if (len >= TFO_COMM_LEN)
		len = TFO_COMM_LEN - 1;
	memcpy(out->comm, open_paren + 1, len);
	out->comm[len] = '\0';
	out->state = state;
	out->ppid = parent;
	out->start_time = start;
	return 0;
}

int tfo_proc_status_read(const char *proc_root, uint32_t pid,
			 struct tfo_proc_status *out)
{
	char buf[4096];
	ssize_t n = read_proc_file(proc_root, pid, "status", buf, sizeof(buf));
	bool tgid = false;

	memset(out, 0, sizeof(*out));
	if (n < 0)
		return n;
	for (char *line = buf; line && *line; line = strchr(line, '\n'),
	     line = line ? line + 1 : NULL) {
		unsigned int v;

		if (sscanf(line, "Tgid: %u", &v) == 1) {
			out->tgid = v;
			tgid = true;
		} else if (!strncmp(line, "NSpid:", 6)) {
			/* the last number: the innermost namespace's */
			char *eol = strchr(line, '\n'), *last;

			if (eol)
				*eol = '\0';
			last = strrchr(line, '\t');
			if (last && sscanf(last, "%u", &v) == 1)
				out->ns_pid = v;
			if (eol)
				*eol = '\n';
		}
	}
	return tgid ? 0 : -EINVAL;
}

uint32_t tfo_ns_pid_of(const char *proc_root, uint32_t pid)
{
	struct tfo_proc_status st;

	return tfo_proc_status_read(proc_root, pid, &st) ? 0 : st.ns_pid;
}

int tfo_cgroup_path_of(const char *proc_root, uint32_t pid, char *path,
		       size_t size)
{
	char buf[8192];
	ssize_t n = read_proc_file(proc_root, pid, "cgroup", buf, sizeof(buf));
	char *line;

	if (!size)
		return -EINVAL;
	path[0] = '\0';
	if (n < 0)
		return n;
	/* the unified hierarchy's line: "0::/system.slice/xray.service" */
	for (line = buf; line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		size_t len;

		if (strncmp(line, "0::", 3))
			continue;
		line += 3;
		len = strcspn(line, "\n");
		if (len >= size)
			return -ENAMETOOLONG;
		memcpy(path, line, len);
		path[len] = '\0';
		break;
	}
	return 0;
}

void tfo_unit_of_cgroup(const char *cgroup_path, char *unit, size_t size)
{
	const char *p = cgroup_path, *end;

	if (!size)
		return;
	unit[0] = '\0';
	for (; (end = strstr(p, ".service")); p = end + 8) {
		const char *start = end;
		size_t n;

		if (end[8] != '/' && end[8] != '\0')
			continue;
		while (start > cgroup_path && start[-1] != '/')
			start--;
		n = end + 8 - start;
		if (n < size && n > 8) {
			memcpy(unit, start, n);
			unit[n] = '\0';
		}
	}
}

/* The component of PATH that starts with PREFIX, its rest (up to SUFFIX,
 * or the component's end) into ID; false when there is none. */
static bool component_id(const char *path, const char *prefix,
			 const char *suffix, char *id, size_t size)
{
	size_t plen = strlen(prefix), slen = suffix ? strlen(suffix) : 0;

	for (const char *c = path; c && *c; c = strchr(c, '/')) {
		size_t len;

		if (*c == '/')
			c++;
		len = strcspn(c, "/");
		if (len > plen + slen && !strncmp(c, prefix, plen) &&
		    (!suffix || !strncmp(c + len - slen, suffix, slen))) {
			size_t n = len - plen - slen;

			if (n >= size)
				n = size - 1;
			memcpy(id, c + plen, n);
			id[n] = '\0';
			return true;
		}
	}
	return false;
}

/* A container runtime's 64-hex id, as a component of its own. */
static bool hex_id_component(const char *path, char *id, size_t size)
{
	for (const char *c = path; c && *c; c = strchr(c, '/')) {
		size_t len, n;

		if (*c == '/')
			c++;
		len = strcspn(c, "/");
		if (len != 64 || strspn(c, "0123456789abcdef") < 64)
			continue;
		n = len < size ? len : size - 1;
		memcpy(id, c, n);
		id[n] = '\0';
		return true;
	}
	return false;
}

void tfo_container_of_cgroup(const char *cgroup_path, char *out, size_t size)
{
	static const struct {
		const char *runtime, *prefix, *suffix;
	} scopes[] = {
		{ "docker", "docker-", ".scope" },
		{ "podman", "libpod-", ".scope" },
		{ "containerd", "cri-containerd-", ".scope" },
		{ "cri-o", "crio-", ".scope" },
		{ "nspawn", "machine-", ".scope" },
		{ "lxc", "lxc.payload.", NULL },
	};
	const char *runtime = NULL;
	char id[65] = "";

	if (!size)
		return;
	out[0] = '\0';
	for (size_t i = 0; i < sizeof(scopes) / sizeof(scopes[0]) && !runtime; i++)
		if (component_id(cgroup_path, scopes[i].prefix, scopes[i].suffix,
				 id, sizeof(id)))
			runtime = scopes[i].runtime;
	/* the cgroupfs drivers: /docker/ID, /kubepods/.../ID, /lxc/NAME */
	if (!runtime && hex_id_component(cgroup_path, id, sizeof(id)))
		runtime = strstr(cgroup_path, "kubepods") ? "kubernetes" :
			  strstr(cgroup_path, "/docker/") ? "docker" : "container";
	if (!runtime && component_id(cgroup_path, "lxc/", NULL, id, sizeof(id)))
		runtime = "lxc";
	if (!runtime && !strncmp(cgroup_path, "/lxc/", 5)) {
		size_t n = strcspn(cgroup_path + 5, "/");

		if (n && n < sizeof(id)) {
			memcpy(id, cgroup_path + 5, n);
			id[n] = '\0';
			runtime = "lxc";
		}
	}
	if (!runtime)
		return;
	/* a kubernetes pod's containers run under containerd or cri-o */
	if (strstr(cgroup_path, "kubepods"))
		runtime = "kubernetes";
	if (strlen(id) == 64)
		id[12] = '\0';
	snprintf(out, size, "%s %s", runtime, id);
}

bool tfo_cgroup_path_within(const char *path, const char *rel)
{
	size_t n = strlen(rel);

	return !strcmp(rel, "/") ||
	       (!strncmp(path, rel, n) && (path[n] == '\0' || path[n] == '/'));
}

/* ---- process ancestry ---- */

/* PID's parent and command; false when unknown. */
static bool read_stat(const char *proc_root, uint32_t pid, uint32_t *ppid,
		      char comm[TFO_COMM_LEN])
{
	struct tfo_proc_stat st;

	if (tfo_proc_stat_read(proc_root, pid, &st))
		return false;
	*ppid = st.ppid;
	memcpy(comm, st.comm, TFO_COMM_LEN);
	return true;
}

uint32_t tfo_ppid_of(const char *proc_root, uint32_t pid)
{
	char comm[TFO_COMM_LEN];
	uint32_t ppid;

	return read_stat(proc_root, pid, &ppid, comm) ? ppid : 0;
}

uint32_t tfo_service_root(const char *proc_root, uint32_t pid,
			  char comm[TFO_COMM_LEN])
{
	char mine[TFO_COMM_LEN], theirs[TFO_COMM_LEN];
	uint32_t ppid, up;

	comm[0] = '\0';
	if (!read_stat(proc_root, pid, &ppid, mine))
		return pid;
	/* the tree of one program is shallow: 64 steps */
	for (int depth = 0; ppid > 1 && depth < 64; depth++) {
		if (!read_stat(proc_root, ppid, &up, theirs) ||
		    strcmp(theirs, mine))
			break;
		pid = ppid;
		ppid = up;
	}
	memcpy(comm, mine, TFO_COMM_LEN);
	return pid;
}

static bool among(const uint32_t *holders, size_t n, uint32_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (holders[i] == pid)
			return true;
	return false;
}

size_t tfo_creator_of(const uint32_t *holders, const uint32_t *ppids,
		      size_t n, const char *proc_root)
{
	size_t best = 0;
	bool found = false;

	for (size_t i = 0; i < n; i++) {
		uint32_t up = ppids[i];
		bool descends = false;

		/* pid namespaces nest and trees are shallow: 64 steps */
		for (int depth = 0; up > 1 && depth < 64 && !descends; depth++) {
			descends = up != holders[i] && among(holders, n, up);
			up = tfo_ppid_of(proc_root, up);
		}
		if (descends)
			continue;
		if (!found || holders[i] < holders[best])
			best = i;
		found = true;
	}
	return best;
}
