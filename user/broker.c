// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include "broker.h"
#include "caps.h"
#include "goinfo.h"
#include "procfs.h"

#define BROKER_FD	3

static int open_exe(uint32_t pid)
{
	char path[40];
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/exe", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* The child: a pid in, a descriptor (or an errno) out, until tfotrace
 * closes its end or dies. */
static void serve(pid_t parent)
{
	uint32_t pid;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent ||
	    tfo_caps_keep_only(CAP_SYS_PTRACE))
		_exit(1);
	while (recv(BROKER_FD, &pid, sizeof(pid), 0) == sizeof(pid)) {
		int fd = open_exe(pid), err = fd < 0 ? fd : 0;
		char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
		struct iovec iov = { .iov_base = &err, .iov_len = sizeof(err) };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

		if (fd >= 0) {
			struct cmsghdr *c;

			msg.msg_control = cbuf;
			msg.msg_controllen = sizeof(cbuf);
			c = CMSG_FIRSTHDR(&msg);
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(c), &fd, sizeof(fd));
		}
		if (sendmsg(BROKER_FD, &msg, MSG_NOSIGNAL) < 0)
			_exit(1);
		if (fd >= 0)
			close(fd);
	}
	_exit(0);
}

int tfo_broker_start(struct tfo_broker *b)
{
	pid_t parent = getpid();
	int sv[2];

	b->sock = -1;
	b->pid = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -errno;
	b->pid = fork();
	if (b->pid < 0) {
		int err = -errno;

		close(sv[0]);
		close(sv[1]);
		return err;
	}
	if (b->pid == 0) {
		/* nothing of tfotrace's but its end of the socket and stderr:
		 * no BPF object, no ring buffer, no output */
		if (dup2(sv[1], BROKER_FD) < 0 ||
		    close_range(BROKER_FD + 1, ~0U, 0))
			_exit(1);
		close(STDIN_FILENO);
		close(STDOUT_FILENO);
		serve(parent);
	}
	close(sv[1]);
	b->sock = sv[0];
	return 0;
}

void tfo_broker_stop(struct tfo_broker *b)
{
	if (b->sock >= 0) {
		close(b->sock);	/* the child reads EOF and exits */
		b->sock = -1;
	}
	if (b->pid > 0) {
		waitpid(b->pid, NULL, 0);
		b->pid = -1;
	}
}

int tfo_broker_open_exe(struct tfo_broker *b, uint32_t pid)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	int err = -EIO, fd = -1;
	struct iovec iov = { .iov_base = &err, .iov_len = sizeof(err) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;

	if (!b || b->sock < 0)
		return open_exe(pid);
	if (send(b->sock, &pid, sizeof(pid), MSG_NOSIGNAL) != sizeof(pid) ||
	    recvmsg(b->sock, &msg, MSG_CMSG_CLOEXEC) != sizeof(err))
		return -EIO;
	c = CMSG_FIRSTHDR(&msg);
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(c), sizeof(fd));
	if (err)
		return err;
	return fd >= 0 ? fd : -EIO;
}

void tfo_broker_describe(struct tfo_broker *b, uint32_t pid,
			 struct tfo_program *p)
{
	int fd = tfo_broker_open_exe(b, pid);

	memset(p, 0, sizeof(*p));
	if (fd >= 0) {
		p->known = !tfo_goinfo_read_fd(fd, &p->go);
		close(fd);
	}
	tfo_systemd_unit_of("/proc", pid, p->unit, sizeof(p->unit));
}
