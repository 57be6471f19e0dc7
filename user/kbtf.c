// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "kbtf.h"

#define KERNEL_BTF	"/sys/kernel/btf/vmlinux"
#define CACHE_MAGIC	"tfotrace-kbtf 1"

extern char **environ;

/* ---- the key: what the kernel's BTF, the object and the names hash to ---- */

static uint64_t mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 29);
}

static uint64_t hash_bytes(uint64_t h, const unsigned char *p, size_t n)
{
	uint64_t w;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h = mix(h, w);
	}
	w = 0;
	memcpy(&w, p, n);
	return mix(mix(h, w), n);
}

/* The whole of the kernel's BTF, hashed as it is read (sysfs hands it
 * out a page per read). */
static int hash_kernel_btf(uint64_t *out)
{
	static unsigned char buf[1 << 16];
	uint64_t h = 0x74666f7472616365ULL;	/* "tfotrace" */
	size_t have = 0;
	ssize_t n;
	int fd = open(KERNEL_BTF, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf + have, sizeof(buf) - have)) > 0) {
		have += n;
		if (have == sizeof(buf)) {
			h = hash_bytes(h, buf, have);
			have = 0;
		}
	}
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	*out = hash_bytes(h, buf, have);
	return 0;
}

static uint64_t hash_asked(const struct tfo_kbtf *k,
			   const struct tfo_kbtf_obj *objs, size_t n_objs)
{
	uint64_t h = 0;

	for (size_t i = 0; i < n_objs; i++)
		h = mix(hash_bytes(h, objs[i].elf, objs[i].size), i);

	for (size_t i = 0; i < k->n; i++) {
		h = hash_bytes(h, (const unsigned char *)k->names[i].name,
			       strlen(k->names[i].name));
		h = mix(h, k->names[i].kind);
	}
	return h;
}

/* ---- the cache directory ---- */

/* Ours alone: a directory owned by us that nobody else can write, so that
 * no other user can plant the BTF ids we load programs with. Made if
 * missing (its parent must exist). */
static int cache_dir_usable(const char *dir, char *note, size_t note_len)
{
	struct stat st;

	if (mkdir(dir, 0700) && errno != EEXIST) {
		snprintf(note, note_len, "cannot create %s: %s", dir,
			 strerror(errno));
		return -errno;
	}
	if (stat(dir, &st)) {
		snprintf(note, note_len, "cannot use %s: %s", dir,
			 strerror(errno));
		return -errno;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & (S_IWGRP | S_IWOTH))) {
		snprintf(note, note_len, "%s is not a directory of ours alone "
			 "(owner %u, mode %o): not used", dir, st.st_uid,
			 st.st_mode & 07777);
		return -EPERM;
	}
	if (access(dir, W_OK)) {
		snprintf(note, note_len, "%s is not writable: %s", dir,
			 strerror(errno));
		return -errno;
	}
	return 0;
}

static void entry_path(char *buf, size_t size, const char *dir, uint64_t key,
		       const char *suffix)
{
	snprintf(buf, size, "%s/%016" PRIx64 "%s", dir, key, suffix);
}

/* The ids of an entry, all of K's names or nothing. */
static int read_ids(struct tfo_kbtf *k, const char *path, uint64_t key)
{
	char line[160], name[64];
	unsigned long long file_key;
	size_t found = 0;
	unsigned int kind;
	int id, err = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return -errno;
	if (!fgets(line, sizeof(line), f) || strncmp(line, CACHE_MAGIC "\n", sizeof(line)) ||
	    !fgets(line, sizeof(line), f) ||
	    sscanf(line, "key %llx", &file_key) != 1 || file_key != key) {
		err = -EINVAL;
		goto out;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%u %63s %d", &kind, name, &id) != 3 || id < 0) {
			err = -EINVAL;
			goto out;
		}
		for (size_t i = 0; i < k->n; i++)
			if (k->names[i].kind == kind &&
			    !strcmp(k->names[i].name, name)) {
				k->names[i].id = id;
				found++;
				break;
			}
	}
	if (found != k->n)
		err = -EINVAL;
out:
	fclose(f);
	return err;
}

/* PATH written whole under a temporary name, then renamed into place. */
static int write_ids(const struct tfo_kbtf *k, const char *path, uint64_t key)
{
	char tmp[PATH_MAX + 32];
	int err = 0;
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	f = fopen(tmp, "wxe");
	if (!f)
		return -errno;
	fprintf(f, CACHE_MAGIC "\nkey %016" PRIx64 "\n", key);
	for (size_t i = 0; i < k->n; i++)
		fprintf(f, "%u %s %d\n", k->names[i].kind, k->names[i].name,
			k->names[i].id);
	if (ferror(f))
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

/* A minimized BTF that libbpf can read; a damaged one is not used. */
static bool core_btf_sound(const char *path)
{
	struct btf *btf;

	if (access(path, R_OK))
		return false;
	btf = btf__parse(path, NULL);

	btf__free(btf);
	return btf != NULL;
}

static int run_bpftool(char *const argv[])
{
	static const char *const paths[] = {
		"bpftool", "/usr/sbin/bpftool", "/sbin/bpftool",
	};
	posix_spawn_file_actions_t fa;
	int status, err = -ENOENT;
	pid_t pid;

	if (posix_spawn_file_actions_init(&fa))
		return -ENOMEM;
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null",
					 O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null",
					 O_WRONLY, 0);
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		int e = posix_spawnp(&pid, paths[i], &fa, NULL, argv, environ);

		if (e == ENOENT)
			continue;
		if (e) {
			err = -e;
			break;
		}
		err = waitpid(pid, &status, 0) < 0 ? -errno :
		      WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -EIO;
		break;
	}
	posix_spawn_file_actions_destroy(&fa);
	return err;
}

#define MAX_OBJS	4

/* `bpftool gen min_core_btf`: the types the objects' CO-RE relocations
 * need, from the kernel's BTF, into PATH. */
static int make_core_btf(const char *path, const struct tfo_kbtf_obj *objs,
			 size_t n_objs)
{
	char obj_tmp[MAX_OBJS][PATH_MAX + 32], btf_tmp[PATH_MAX + 32];
	char *argv[5 + MAX_OBJS + 1] = { "bpftool", "gen", "min_core_btf",
					 KERNEL_BTF, btf_tmp };
	size_t made = 0;
	int err = 0;

	if (n_objs > MAX_OBJS)
		return -E2BIG;
	snprintf(btf_tmp, sizeof(btf_tmp), "%s.tmp.%d", path, (int)getpid());
	for (; made < n_objs && !err; made++) {
		int fd;

		snprintf(obj_tmp[made], sizeof(obj_tmp[made]), "%s.%zu.o.tmp.%d",
			 path, made, (int)getpid());
		fd = open(obj_tmp[made], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			  0600);
		if (fd < 0) {
			err = -errno;
			break;
		}
		if (write(fd, objs[made].elf, objs[made].size) !=
		    (ssize_t)objs[made].size)
			err = -EIO;
		close(fd);
		argv[5 + made] = obj_tmp[made];
	}
	if (!err)
		err = run_bpftool(argv);
	if (!err && !core_btf_sound(btf_tmp))
		err = -EINVAL;
	if (!err && rename(btf_tmp, path))
		err = -errno;
	for (size_t i = 0; i < made; i++)
		unlink(obj_tmp[i]);
	if (err)
		unlink(btf_tmp);
	return err;
}

/* ---- the slow way: the kernel's BTF, parsed ---- */

static int ids_from_kernel(struct tfo_kbtf *k, char *why, size_t why_len)
{
	struct btf *btf = btf__load_vmlinux_btf();

	if (!btf) {
		char msg[128];
		int err = -errno;

		libbpf_strerror(err, msg, sizeof(msg));
		snprintf(why, why_len, "cannot read the kernel's BTF: %s", msg);
		return err;
	}
	for (size_t i = 0; i < k->n; i++) {
		int id = btf__find_by_name_kind(btf, k->names[i].name,
						k->names[i].kind);

		k->names[i].id = id > 0 ? id : 0;
	}
	btf__free(btf);
	return 0;
}

int tfo_kbtf_open(struct tfo_kbtf *k, const struct tfo_kbtf_name *names,
		  size_t n, const struct tfo_kbtf_obj *objs, size_t n_objs,
		  const char *cache_dir, char *why, size_t why_len)
{
	char ids_path[PATH_MAX], btf_path[PATH_MAX];
	uint64_t key, kernel_hash = 0;
	bool cache;
	int err;

	memset(k, 0, sizeof(*k));
	k->names = calloc(n ? n : 1, sizeof(*k->names));
	if (!k->names)
		return -ENOMEM;
	memcpy(k->names, names, n * sizeof(*names));
	k->n = n;
	if (!cache_dir)
		cache_dir = getenv("TFOTRACE_CACHE_DIR");
	if (!cache_dir || !*cache_dir)
		cache_dir = TFO_KBTF_DEFAULT_CACHE;
	err = hash_kernel_btf(&kernel_hash);
	if (err) {
		snprintf(why, why_len, "cannot read %s: %s", KERNEL_BTF,
			 strerror(-err));
		goto fail;
	}
	key = mix(kernel_hash, hash_asked(k, objs, n_objs));
	cache = !cache_dir_usable(cache_dir, k->note, sizeof(k->note));
	entry_path(ids_path, sizeof(ids_path), cache_dir, key, ".ids");
	entry_path(btf_path, sizeof(btf_path), cache_dir, key, ".btf");
	if (cache && !read_ids(k, ids_path, key)) {
		k->from_cache = true;
	} else {
		err = ids_from_kernel(k, why, why_len);
		if (err)
			goto fail;
		if (!cache)
			return 0;
		err = write_ids(k, ids_path, key);
		if (err) {
			snprintf(k->note, sizeof(k->note), "cannot write in %s: %s",
				 cache_dir, strerror(-err));
			return 0;
		}
	}
	if (!core_btf_sound(btf_path)) {
		err = make_core_btf(btf_path, objs, n_objs);
		if (err) {
			snprintf(k->note, sizeof(k->note), "no minimized BTF (bpftool gen min_core_btf: %s): libbpf reads the kernel's whole BTF at each start",
				 err == -ENOENT ? "bpftool not found" : strerror(-err));
			return 0;
		}
	}
	snprintf(k->core_btf, sizeof(k->core_btf), "%s", btf_path);
	return 0;
fail:
	tfo_kbtf_close(k);
	return err;
}

void tfo_kbtf_close(struct tfo_kbtf *k)
{
	free(k->names);
	k->names = NULL;
	k->n = 0;
}

int32_t tfo_kbtf_id(const struct tfo_kbtf *k, const char *name, uint32_t kind)
{
	for (size_t i = 0; i < k->n; i++)
		if (k->names[i].kind == kind && !strcmp(k->names[i].name, name))
			return k->names[i].id;
	return -1;
}
