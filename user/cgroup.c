// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <unistd.h>
#include "cgroup.h"
#include "procfs.h"

int tfo_cgroup_open(struct tfo_cgroup *cg, const char *path)
{
	char real[PATH_MAX], line[4096];
	struct statfs sfs;
	size_t best = 0;
	FILE *f;

	cg->path = path;
	cg->fd = -1;
	cg->rel[0] = '\0';
	if (!path)
		return 0;
	cg->fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg->fd < 0) {
		fprintf(stderr, "tfotrace: cannot open cgroup %s: %s\n", path,
			strerror(errno));
		return 2;
	}
	if (fstatfs(cg->fd, &sfs) || sfs.f_type != CGROUP2_SUPER_MAGIC ||
	    !realpath(path, real)) {
		fprintf(stderr, "tfotrace: %s is not a cgroup v2 directory (--cgroup needs the unified hierarchy, e.g. /sys/fs/cgroup/...)\n",
			path);
		return 2;
	}
	/* the longest cgroup2 mount point that holds it */
	f = fopen("/proc/self/mounts", "r");
	while (f && fgets(line, sizeof(line), f)) {
		char dir[PATH_MAX], type[64];
		size_t n;

		if (sscanf(line, "%*s %4095s %63s", dir, type) != 2 ||
		    strcmp(type, "cgroup2"))
			continue;
		n = strlen(dir);
		if (n >= best && !strncmp(real, dir, n) &&
		    (real[n] == '/' || real[n] == '\0')) {
			best = n;
			snprintf(cg->rel, sizeof(cg->rel), "%s",
				 real[n] ? real + n : "/");
		}
	}
	if (f)
		fclose(f);
	if (!cg->rel[0]) {
		fprintf(stderr, "tfotrace: cannot find the cgroup2 mount of %s\n",
			path);
		return 1;
	}
	return 0;
}

int tfo_cgroup_root(char *path, size_t size)
{
	char line[4096], dir[PATH_MAX], type[64];
	int err = -ENOENT;
	FILE *f = fopen("/proc/self/mounts", "r");

	if (!f)
		return -errno;
	while (err && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %4095s %63s", dir, type) == 2 &&
		    !strcmp(type, "cgroup2") && !strchr(dir, '\\') &&
		    (size_t)snprintf(path, size, "%s", dir) < size)
			err = 0;
	fclose(f);
	return err;
}

void tfo_cgroup_close(struct tfo_cgroup *cg)
{
	if (cg->fd >= 0)
		close(cg->fd);
	cg->fd = -1;
}

bool tfo_cgroup_has_pid(const struct tfo_cgroup *cg, uint32_t pid)
{
	char path[PATH_MAX];

	if (!cg->path)
		return true;
	return !tfo_cgroup_path_of(cg->proc_root ?: "/proc", pid, path,
				   sizeof(path)) &&
	       path[0] && tfo_cgroup_path_within(path, cg->rel);
}
