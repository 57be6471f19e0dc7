/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* --cgroup PATH: a cgroup v2 directory whose processes (and those of its
 * descendants) are traced. The kernel filters by its fd; what /proc finds
 * (the scan's listener owners) is checked against its path here. */
#ifndef TFOTRACE_CGROUP_H
#define TFOTRACE_CGROUP_H

#include <limits.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

struct tfo_cgroup {
	const char *path;	/* as given; NULL: no filter */
	int fd;			/* of PATH, checked to be cgroup v2; -1 none */
	char rel[PATH_MAX];	/* its path inside the cgroup2 mount */
	const char *proc_root;	/* where processes are looked up: NULL
				 * for /proc (tests give another) */
};

/* Opens PATH (NULL: no filter, CG->fd = -1). Returns 0, or the exit
 * status after saying why on stderr. */
int tfo_cgroup_open(struct tfo_cgroup *cg, const char *path);
void tfo_cgroup_close(struct tfo_cgroup *cg);

/* The cgroup v2 hierarchy's mount point (the first cgroup2 mount of
 * /proc/self/mounts) into PATH. 0, or -ENOENT when none is mounted. */
int tfo_cgroup_root(char *path, size_t size);

/* Whether process PID is in the cgroup or below it; true without one. */
bool tfo_cgroup_has_pid(const struct tfo_cgroup *cg, uint32_t pid);

#endif
