/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* tfotrace doctor: is TCP Fast Open healthy on this host, and if not, why
 * and what fixes it. */
#ifndef TFOTRACE_DOCTOR_H
#define TFOTRACE_DOCTOR_H

/* ARGV[0] is "doctor". Returns the exit status: 0 healthy, 3 a problem
 * found, 1 could not check, 2 bad usage. */
int tfo_doctor_main(int argc, char **argv);

#endif
