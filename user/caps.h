/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The privileges tfotrace needs to load its programs, and giving them up
 * once it has. */
#ifndef TFOTRACE_CAPS_H
#define TFOTRACE_CAPS_H

#include <stdbool.h>

/* CAP_SYS_ADMIN, or CAP_BPF with CAP_PERFMON, in the effective set. */
bool tfo_caps_can_load_bpf(void);

/* Empties every capability set for good (no_new_privs set): the ring
 * buffer, maps and links opened so far stay usable. 0 or -errno. */
int tfo_caps_drop_all(void);
/* The same, but KEEP (a CAP_* below 32), if it is permitted now, stays
 * permitted and effective; -1 keeps none. 1 when it was kept, 0 when it
 * was not there to keep, or -errno. */
int tfo_caps_keep_only(int keep);

#endif
