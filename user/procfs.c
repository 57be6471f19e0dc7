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

uint32_t tfo_ns_pid_of(const char *proc_root, uint32_t pid)
{
	char path[PATH_MAX], line[256];
	unsigned int ns_pid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%u/status", proc_root, pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *last;

		if (strncmp(line, "NSpid:", 6))
			continue;
		last = strrchr(line, '\t');
		if (!last || sscanf(last, "%u", &ns_pid) != 1)
			ns_pid = 0;
		break;
	}
	fclose(f);
	return ns_pid;
}

uint32_t tfo_own_netns(const char *proc_root)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/self/ns/net", proc_root);
	return stat(path, &st) ? 0 : (uint32_t)st.st_ino;
}

/* ---- a process's systemd unit ---- */

int tfo_systemd_unit_of(const char *proc_root, uint32_t pid, char *unit,
			size_t size)
{
	char path[PATH_MAX], line[4096];
	FILE *f;

	if (!size)
		return -EINVAL;
	unit[0] = '\0';
	snprintf(path, sizeof(path), "%s/%u/cgroup", proc_root, pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *p, *end;
		size_t n;

		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = '\0';
		/* the deepest "NAME.service" of the path: a service's own
		 * sub-cgroups (a container manager's) stay its */
		for (p = line + 3; (end = strstr(p, ".service")); p = end + 8) {
			char *start = end;

			if (end[8] != '/' && end[8] != '\0')
				continue;
			while (start > line + 3 && start[-1] != '/')
				start--;
			n = end + 8 - start;
			if (n < size && n > 8) {
				memcpy(unit, start, n);
				unit[n] = '\0';
			}
		}
	}
	fclose(f);
	return 0;
}

/* ---- process ancestry ---- */

/* PID's parent and command from PROC_ROOT/PID/stat; false when unknown. */
static bool read_stat(const char *proc_root, uint32_t pid, uint32_t *ppid,
		      char comm[TFO_COMM_LEN])
{
	char path[PATH_MAX], buf[512], *open_paren, *close_paren;
	unsigned int parent;
	ssize_t n;
	size_t len;
	int fd;

	snprintf(path, sizeof(path), "%s/%u/stat", proc_root, pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	/* comm may hold spaces and parentheses: it ends at the last ')' */
	open_paren = strchr(buf, '(');
	close_paren = strrchr(buf, ')');
	if (!open_paren || !close_paren || close_paren < open_paren ||
	    sscanf(close_paren + 1, " %*c %u", &parent) != 1)
		return false;
	len = close_paren - open_paren - 1;
	if (len >= TFO_COMM_LEN)
		len = TFO_COMM_LEN - 1;
	memcpy(comm, open_paren + 1, len);
	comm[len] = '\0';
	*ppid = parent;
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
