// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * btf_rename IN OUT OLD NEW [OLD NEW]...: a copy of the BTF file IN with
 * each string OLD of its string table renamed NEW (same length, so no
 * offset moves). The tests use it to make a kernel function "missing" from
 * the BTF tfotrace reads with --btf, as a rename between kernels would.
 * Only libc: static, for the test VMs. Exit 1 when an OLD is not found.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	size_t len = 0, cap = 1 << 20, n;
	char *buf = malloc(cap);
	FILE *in, *out;

	if (argc < 5 || (argc - 3) % 2) {
		fprintf(stderr, "usage: btf_rename IN OUT OLD NEW [OLD NEW]...\n");
		return 2;
	}
	in = fopen(argv[1], "rb");
	if (!in || !buf) {
		perror(argv[1]);
		return 1;
	}
	while ((n = fread(buf + len, 1, cap - len, in)) > 0) {
		len += n;
		if (len == cap && !(buf = realloc(buf, cap *= 2))) {
			perror("realloc");
			return 1;
		}
	}
	fclose(in);
	for (int i = 3; i + 1 < argc; i += 2) {
		size_t olen = strlen(argv[i]);
		int found = 0;

		if (strlen(argv[i + 1]) != olen) {
			fprintf(stderr, "btf_rename: '%s' and '%s' differ in length\n",
				argv[i], argv[i + 1]);
			return 2;
		}
		/* a whole string of the table: NUL before and after */
		for (size_t p = 1; p + olen < len; p++)
			if (buf[p - 1] == 0 && buf[p + olen] == 0 &&
			    !memcmp(buf + p, argv[i], olen)) {
				memcpy(buf + p, argv[i + 1], olen);
				found++;
			}
		if (!found) {
			fprintf(stderr, "btf_rename: '%s' not found\n", argv[i]);
			return 1;
		}
	}
	out = fopen(argv[2], "wb");
	if (!out || fwrite(buf, 1, len, out) != len || fclose(out)) {
		perror(argv[2]);
		return 1;
	}
	free(buf);
	return 0;
}
