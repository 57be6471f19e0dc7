/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What every test program does in the fresh network namespace it made:
 * bring loopback up and write that namespace's sysctls. Shared by the
 * scenarios and tests/bench/bench_load.c. Header-only, libc only. */
#ifndef TFOTRACE_TESTS_NETNS_H
#define TFOTRACE_TESTS_NETNS_H

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* NULL when lo is up; else the step that failed, errno set. */
static inline const char *netns_loopback_up(void)
{
	struct ifreq ifr;
	const char *failed = NULL;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return "socket for SIOCSIFFLAGS";
	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr))
		failed = "SIOCGIFFLAGS lo";
	else if (ifr.ifr_flags |= IFF_UP, ioctl(fd, SIOCSIFFLAGS, &ifr))
		failed = "SIOCSIFFLAGS lo";
	close(fd);
	return failed;
}

/* Write VALUE to sysctl NAME ("net.ipv4.tcp_fastopen" or with slashes) of
 * the caller's namespace. 0, or -1 with errno set and PATH (PATH_LEN bytes)
 * naming the file. */
static inline int netns_write_sysctl(const char *name, size_t name_len,
				     const char *value, char *path,
				     size_t path_len)
{
	size_t off = (size_t)snprintf(path, path_len, "/proc/sys/");
	ssize_t n;
	int fd;

	if (off + name_len >= path_len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (size_t i = 0; i < name_len; i++)
		path[off + i] = name[i] == '.' ? '/' : name[i];
	path[off + name_len] = '\0';
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = write(fd, value, strlen(value));
	if (n >= 0 && (size_t)n != strlen(value))
		errno = EIO;
	close(fd);
	return n >= 0 && (size_t)n == strlen(value) ? 0 : -1;
}

#endif
