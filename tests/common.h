/* SPDX-License-Identifier: MIT */
/*
 * Shared test scaffolding.  Every test case runs inside ns_tcase(), whose
 * checked fixture records the open fds before the test and fails the test
 * if any fd is open afterwards that was not open before.
 */
#ifndef NS_TESTS_COMMON_H
#define NS_TESTS_COMMON_H

#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include <netsock.h>

/* A TCase with the fd-leak fixture, added to suite s. */
TCase *ns_tcase(Suite *s, const char *name);

/* Number of open fds and whether fd is open. */
int  ns_count_fds(void);
bool ns_fd_is_open(int fd);
bool ns_fd_has_cloexec(int fd);

/* A fresh private directory (mkdtemp) and paths inside it; removed with
 * everything in it at the end of the test by the fixture. */
const char *ns_tmpdir(void);
/* ns_tmpdir() + "/" + name, in a static buffer per call slot (4 slots). */
const char *ns_tmppath(const char *name);
/* "@netsock-test-<pid>-<random>-<tag>": an abstract name nobody else uses. */
const char *ns_abstract_name(const char *tag);

/* Runs the suite made by make_suite and exits with the test result. */
int ns_run_suite(Suite *s);

#define NS_TEST_MAIN(make_suite) \
        int main(void) { return ns_run_suite(make_suite()); }

#endif
