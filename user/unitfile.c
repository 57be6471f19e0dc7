// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#define _GNU_SOURCE
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "unitfile.h"

/* systemd's system unit search path, highest priority first (a file of
 * a name found early masks the same name further down). */
static const char *const unit_dirs[] = {
	"/etc/systemd/system.control", "/run/systemd/system.control",
	"/run/systemd/transient", "/etc/systemd/system", "/run/systemd/system",
	"/usr/local/lib/systemd/system", "/usr/lib/systemd/system",
	"/lib/systemd/system",
};
#define N_DIRS		(sizeof(unit_dirs) / sizeof(unit_dirs[0]))
#define MAX_DROPINS	32
#define MAX_ENV_FILES	8
/* what systemctl edit writes, and whose name decides what it overrides */
#define EDIT_DROPIN	"override.conf"

struct dropin {
	char name[NAME_MAX + 1];
	char path[PATH_MAX];
};

struct search {
	const char *var;
	size_t var_len;
	struct tfo_unit_env found;	/* by Environment= */
	char files[MAX_ENV_FILES][PATH_MAX];	/* EnvironmentFile=s */
	size_t n_files;
};

/* SRC into DST (SIZE bytes) whole, or false: a path cut short names
 * another file. */
static bool copy_whole(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		return false;
	memcpy(dst, src, n + 1);
	return true;
}

static void set_path(struct tfo_unit_env *e, enum tfo_unit_env_kind kind,
		     const char *root, const char *path)
{
	size_t rlen = strlen(root);

	e->kind = kind;
	/* the path as the host names it, not under a test's root */
	if (rlen && !strncmp(path, root, rlen))
		path += rlen;
	if (!copy_whole(e->path, sizeof(e->path), path))
		copy_whole(e->path, sizeof(e->path), "(a path too long to show)");
}

/* Whether an Environment= value assigns VAR: its words (quoted or not)
 * are NAME=VALUE assignments. */
static bool assigns(const char *value, const struct search *s)
{
	const char *p = value;

	while (*p) {
		char quote = 0;

		p += strspn(p, " \t");
		if (*p == '"' || *p == '\'')
			quote = *p++;
		if (!strncmp(p, s->var, s->var_len) && p[s->var_len] == '=')
			return true;
		/* to the word's end */
		while (*p && (quote ? *p != quote : (*p != ' ' && *p != '\t'))) {
			if (*p == '\\' && p[1])
				p++;
			p++;
		}
		if (*p)
			p++;
	}
	return false;
}

/* One unit file or drop-in: its [Service] Environment= and
 * EnvironmentFile= lines, as systemd reads them in order. */
static void read_unit_file(const char *root, const char *path,
			   enum tfo_unit_env_kind kind, struct search *s)
{
	char line[4096];
	bool service = false;
	FILE *f = fopen(path, "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *p = line + strspn(line, " \t"), *eq, *key_end, *value;

		p[strcspn(p, "\r\n")] = '\0';
		if (*p == '[') {
			service = !strncmp(p, "[Service]", 9);
			continue;
		}
		if (!service || *p == '#' || *p == ';' || !(eq = strchr(p, '=')))
			continue;
		for (key_end = eq; key_end > p && (key_end[-1] == ' ' ||
						    key_end[-1] == '\t'); key_end--)
			;
		value = eq + 1 + strspn(eq + 1, " \t");
		if (key_end - p == 11 && !strncmp(p, "Environment", 11)) {
			if (!*value)
				memset(&s->found, 0, sizeof(s->found));	/* reset */
			else if (assigns(value, s))
				set_path(&s->found, kind, root, path);
		} else if (key_end - p == 15 && !strncmp(p, "EnvironmentFile", 15)) {
			if (!*value) {
				s->n_files = 0;
				continue;
			}
			if (*value == '-')
				value++;
			if (s->n_files < MAX_ENV_FILES)
				snprintf(s->files[s->n_files++], PATH_MAX, "%s%s",
					 root, value);
		}
	}
	fclose(f);
}

/* Whether environment file PATH sets VAR: 1 yes, 0 no, -1 unreadable.
 * Only the lines are looked at, none kept. */
static int env_file_sets(const char *path, const struct search *s)
{
	char line[4096];
	int sets = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = line + strspn(line, " \t");

		if (!strncmp(p, "export ", 7))
			p += 7 + strspn(p + 7, " \t");
		if (!strncmp(p, s->var, s->var_len) &&
		    (p[s->var_len] == '=' || p[s->var_len] == ' '))
			sets = 1;
	}
	fclose(f);
	return sets;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct dropin *)a)->name,
		      ((const struct dropin *)b)->name);
}

/* The drop-ins of DIRNAME ("xray.service.d") in every unit directory, a
 * name in a higher-priority directory masking the same name below. */
static size_t find_dropins(const char *root, const char *dirname,
			   struct dropin *out, size_t n)
{
	for (size_t d = 0; d < N_DIRS; d++) {
		char dir[PATH_MAX];
		struct dirent *de;
		DIR *dh;

		snprintf(dir, sizeof(dir), "%s%s/%s", root, unit_dirs[d], dirname);
		dh = opendir(dir);
		if (!dh)
			continue;
		while ((de = readdir(dh)) && n < MAX_DROPINS) {
			size_t len = strlen(de->d_name);
			bool masked = false;

			if (len < 6 || strcmp(de->d_name + len - 5, ".conf") ||
			    strlen(dir) + 1 + len >= sizeof(out[n].path))
				continue;
			for (size_t i = 0; i < n && !masked; i++)
				masked = !strcmp(out[i].name, de->d_name);
			if (masked)
				continue;
			copy_whole(out[n].name, sizeof(out[n].name), de->d_name);
			strcpy(out[n].path, dir);
			strcat(out[n].path, "/");
			strcat(out[n].path, de->d_name);
			n++;
		}
		closedir(dh);
	}
	return n;
}

void tfo_unit_env_origin(const char *root, const char *unit, const char *var,
			 struct tfo_unit_env *out)
{
	struct search *s = calloc(1, sizeof(*s));
	struct dropin *dropins = calloc(MAX_DROPINS, sizeof(*dropins));
	char template[NAME_MAX + 1] = "", path[PATH_MAX], dirname[NAME_MAX + 8];
	const char *at = strchr(unit, '@'), *dot = strrchr(unit, '.');
	bool unreadable = false;
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	if (!s || !dropins || strchr(unit, '/'))
		goto out;
	s->var = var;
	s->var_len = strlen(var);
	/* an instance "x@a.service" is read from its template "x@.service" */
	if (at && dot && dot > at)
		snprintf(template, sizeof(template), "%.*s%s", (int)(at - unit + 1),
			 unit, dot);
	for (size_t d = 0; d < N_DIRS; d++) {
		snprintf(path, sizeof(path), "%s%s/%s", root, unit_dirs[d], unit);
		if (access(path, R_OK) && template[0])
			snprintf(path, sizeof(path), "%s%s/%s", root, unit_dirs[d],
				 template);
		if (!access(path, R_OK)) {
			read_unit_file(root, path, TFO_UNIT_ENV_UNIT, s);
			break;
		}
	}
	if (template[0]) {
		snprintf(dirname, sizeof(dirname), "%s.d", template);
		n = find_dropins(root, dirname, dropins, 0);
	}
	snprintf(dirname, sizeof(dirname), "%s.d", unit);
	n = find_dropins(root, dirname, dropins, n);
	qsort(dropins, n, sizeof(*dropins), by_name);
	for (size_t i = 0; i < n; i++) {
		struct tfo_unit_env before = s->found;

		read_unit_file(root, dropins[i].path, TFO_UNIT_ENV_DROPIN, s);
		if (memcmp(&before, &s->found, sizeof(before)) &&
		    s->found.kind == TFO_UNIT_ENV_DROPIN)
			s->found.after_override =
				strcmp(dropins[i].name, EDIT_DROPIN) > 0;
	}
	*out = s->found;
	/* environment files override Environment= */
	for (size_t i = 0; i < s->n_files; i++) {
		int sets = env_file_sets(s->files[i], s);

		if (sets > 0) {
			set_path(out, TFO_UNIT_ENV_FILE, root, s->files[i]);
			out->after_override = true;
			unreadable = false;
		} else if (sets < 0 && out->kind != TFO_UNIT_ENV_FILE) {
			unreadable = true;
			snprintf(path, sizeof(path), "%s", s->files[i]);
		}
	}
	if (unreadable && out->kind == TFO_UNIT_ENV_NONE)
		set_path(out, TFO_UNIT_ENV_FILE_UNREADABLE, root, path);
out:
	free(dropins);
	free(s);
}
