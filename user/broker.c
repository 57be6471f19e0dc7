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

#define BROKER_FD	3

/* The child's first word: ready, with or without CAP_SYS_PTRACE. */
#define READY_PTRACE	1
#define READY_PLAIN	2

enum broker_op {
	OP_READ_PROCESS = 1,	/* answer: struct answer_process + the exe's fd */
	OP_READ_ENVIRON,	/* answer: struct answer_environ */
};

struct request {
	uint32_t op;
	uint32_t pid;
};

struct answer_environ {
	int32_t err;		/* bytes read, or -errno */
	struct tfo_environ env;
};

struct answer_process {
	int32_t exe_err;	/* 0: its fd comes with the answer; -errno */
	struct answer_environ environ;
};

/* ANSWER, with FD passed along when it is one. */
static int send_answer(const void *answer, size_t len, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = (void *)answer, .iov_len = len };
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
	return sendmsg(BROKER_FD, &msg, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

/* The child: a request in, an answer out, until tfotrace closes its end
 * or dies. */
static void serve(pid_t parent)
{
	struct request req;
	int kept;
	char ready;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(1);
	kept = tfo_caps_keep_only(CAP_SYS_PTRACE);
	ready = kept == 1 ? READY_PTRACE : READY_PLAIN;
	if (kept < 0 || send(BROKER_FD, &ready, 1, MSG_NOSIGNAL) != 1)
		_exit(1);
	while (recv(BROKER_FD, &req, sizeof(req), 0) == sizeof(req)) {
		int err = 0;

		if (req.op == OP_READ_PROCESS) {
			struct answer_process a;
			int fd;

			a.environ.err = tfo_program_read_process(NULL, req.pid, &fd,
								 &a.environ.env);
			a.exe_err = fd < 0 ? fd : 0;
			err = send_answer(&a, sizeof(a), fd);
			if (fd >= 0)
				close(fd);
		} else if (req.op == OP_READ_ENVIRON) {
			struct answer_environ a;

			a.err = tfo_program_read_environ(NULL, req.pid, &a.env);
			err = send_answer(&a, sizeof(a), -1);
		} else {
			_exit(1);
		}
		if (err)
			_exit(1);
	}
	_exit(0);
}

int tfo_broker_start(struct tfo_broker *b)
{
	pid_t parent = getpid();
	int sv[2];

	b->sock = -1;
	b->pid = -1;
	b->pending = false;
	b->ptrace = false;
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
	b->pending = true;
	return 0;
}

int tfo_broker_ready(struct tfo_broker *b)
{
	char ready = 0;

	if (b->sock < 0)
		return -ECHILD;
	if (!b->pending)
		return 0;
	b->pending = false;
	/* its privileges down to CAP_SYS_PTRACE */
	if (recv(b->sock, &ready, 1, 0) != 1 ||
	    (ready != READY_PTRACE && ready != READY_PLAIN)) {
		tfo_broker_stop(b);
		return -ECHILD;
	}
	b->ptrace = ready == READY_PTRACE;
	return 0;
}

void tfo_broker_stop(struct tfo_broker *b)
{
	if (b->sock >= 0) {
		close(b->sock);	/* the child reads EOF and exits */
		b->sock = -1;
	}
	b->pending = false;
	if (b->pid > 0) {
		waitpid(b->pid, NULL, 0);
		b->pid = -1;
	}
}

static int ask(const struct tfo_broker *b, uint32_t op, uint32_t pid)
{
	struct request req = { .op = op, .pid = pid };

	return send(b->sock, &req, sizeof(req), MSG_NOSIGNAL) == sizeof(req) ?
	       0 : -EIO;
}

/* The answer to a request of B's, LEN bytes into ANSWER; an fd passed
 * along into *FD (-1 if none). 0, or -EIO. */
static int receive(const struct tfo_broker *b, void *answer, size_t len, int *fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = answer, .iov_len = len };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	ssize_t got;

	*fd = -1;
	got = recvmsg(b->sock, &msg, MSG_CMSG_CLOEXEC);
	c = got > 0 ? CMSG_FIRSTHDR(&msg) : NULL;
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
	    c->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(fd, CMSG_DATA(c), sizeof(*fd));
	if (got == (ssize_t)len)
		return 0;
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
	return -EIO;
}

/* What the child sent of an environment: its strings terminated whatever
 * it sent; the bytes it read, or -errno. */
static int environ_answer(struct answer_environ *a, struct tfo_environ *out)
{
	if (a->err < 0)
		return a->err;
	a->env.godebug[sizeof(a->env.godebug) - 1] = '\0';
	a->env.preload[sizeof(a->env.preload) - 1] = '\0';
	*out = a->env;
	return a->err;
}

static struct tfo_broker *usable(void *broker)
{
	struct tfo_broker *b = broker;

	if (b && b->pending)
		tfo_broker_ready(b);
	return b && b->sock >= 0 ? b : NULL;
}

int tfo_broker_read_process(void *broker, uint32_t pid, int *exe_fd,
			    struct tfo_environ *env)
{
	struct tfo_broker *b = usable(broker);
	struct answer_process a;
	int fd;

	if (!b)
		return tfo_program_read_process(NULL, pid, exe_fd, env);
	memset(env, 0, sizeof(*env));
	*exe_fd = -EIO;
	if (ask(b, OP_READ_PROCESS, pid) || receive(b, &a, sizeof(a), &fd))
		return -EIO;
	if (a.exe_err || fd < 0) {
		if (fd >= 0)
			close(fd);
		*exe_fd = a.exe_err < 0 ? a.exe_err : -EIO;
	} else {
		*exe_fd = fd;
	}
	return environ_answer(&a.environ, env);
}

int tfo_broker_read_environ(void *broker, uint32_t pid,
			    struct tfo_environ *out)
{
	struct tfo_broker *b = usable(broker);
	struct answer_environ a;
	int fd;

	if (!b)
		return tfo_program_read_environ(NULL, pid, out);
	memset(out, 0, sizeof(*out));
	if (ask(b, OP_READ_ENVIRON, pid) || receive(b, &a, sizeof(a), &fd))
		return -EIO;
	if (fd >= 0)	/* none was asked for */
		close(fd);
	return environ_answer(&a, out);
}

void tfo_broker_reader(struct tfo_broker *b, struct tfo_program_reader *r)
{
	memset(r, 0, sizeof(*r));
	r->proc_root = "/proc";
	r->read_process = tfo_broker_read_process;
	r->ctx = b;
}
