/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Where a systemd service sets an environment variable: its unit file,
 * its drop-ins and its EnvironmentFile=s, read as systemd applies them
 * (drop-ins after the unit in file-name order, environment files after
 * Environment=). Advice then says where to change it, and whether
 * `systemctl edit` (a drop-in named override.conf) can override it.
 * Of an environment file only the line setting the variable is looked at.
 */
#ifndef TFOTRACE_UNITFILE_H
#define TFOTRACE_UNITFILE_H

#include <stdbool.h>
#include <stddef.h>

#define TFO_UNIT_PATH_LEN	160

enum tfo_unit_env_kind {
	TFO_UNIT_ENV_NONE,		/* not in its unit's files */
	TFO_UNIT_ENV_UNIT,		/* Environment= in the unit file */
	TFO_UNIT_ENV_DROPIN,		/* Environment= in a drop-in */
	TFO_UNIT_ENV_FILE,		/* in an EnvironmentFile= */
	TFO_UNIT_ENV_FILE_UNREADABLE,	/* not found, but an EnvironmentFile=
					 * could not be read */
};

struct tfo_unit_env {
	enum tfo_unit_env_kind kind;
	/* a drop-in read after `systemctl edit`'s override.conf: that one
	 * would not override it */
	bool after_override;
	char path[TFO_UNIT_PATH_LEN];	/* the file; "" for NONE */
};

/* Where service UNIT ("xray.service") sets VAR ("GODEBUG"), its files
 * looked for under ROOT ("" for "/"). */
void tfo_unit_env_origin(const char *root, const char *unit, const char *var,
			 struct tfo_unit_env *out);

#endif
