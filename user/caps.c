// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include "caps.h"

bool tfo_caps_can_load_bpf(void)
{
	unsigned long long eff = 0;
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return geteuid() == 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	return (eff >> CAP_SYS_ADMIN & 1) ||
	       ((eff >> CAP_BPF & 1) && (eff >> CAP_PERFMON & 1));
}

int tfo_caps_keep_only(int keep)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = { 0 }, now[2] = { 0 };
	bool kept;

	/* what is not permitted now cannot be kept */
	if (syscall(SYS_capget, &hdr, now))
		return -errno;
	kept = keep >= 0 && keep < 32 && (now[0].permitted >> keep & 1);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0))
		return -errno;
	/* Emptying the bounding set needs CAP_SETPCAP; without it the sets
	 * below are still emptied, and no_new_privs keeps them so. */
	for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
		if (cap != keep && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) &&
		    errno != EINVAL)
			break;
	if (kept)
		data[0].permitted = data[0].effective = 1u << keep;
	if (syscall(SYS_capset, &hdr, data))
		return -errno;
	return kept;
}

int tfo_caps_drop_all(void)
{
	int err = tfo_caps_keep_only(-1);

	return err < 0 ? err : 0;
}
