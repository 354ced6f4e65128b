/* SPDX-License-Identifier: MIT */
/*
 * Socket activation: netsock_listen_fds() against environments set up by
 * hand.  Each case forks a child that puts sockets at fds 3, 4, ... (without
 * FD_CLOEXEC, as a service manager hands them over), sets LISTEN_* for its
 * own pid and checks the call there: the fds and the environment of the
 * test process itself are never touched.  The child reports through its
 * exit status (ns_assert_child_ok) and says on stderr what failed.
 * tests/check-activation.sh runs the call for real under
 * systemd-socket-activate.
 */
#include "config.h"
#include "common.h"

#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <netinet/in.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#define PIDFS_MAGIC_ 0x50494446

#define START NETSOCK_LISTEN_FDS_START
#define NFDS 3
#define CAP 8

/* In the child: a failed expectation ends it with status 1. */
#define EXPECT(cond) do {                                                       \
                if (!(cond)) {                                                  \
                        fprintf(stderr, "%s:%d: in child: %s\n", __FILE__, __LINE__, #cond); \
                        _exit(1);                                               \
                }                                                               \
        } while (0)
#define EXPECT_EQ(a, b) do {                                                    \
                long long a_ = (long long) (a), b_ = (long long) (b);           \
                if (a_ != b_) {                                                 \
                        fprintf(stderr, "%s:%d: in child: %s is %lld, not %lld\n", \
                                __FILE__, __LINE__, #a, a_, b_);                \
                        _exit(1);                                               \
                }                                                               \
        } while (0)

/* Forks, runs fn in the child and asserts that it exits 0. */
static void in_child(void (*fn)(void)) {
        pid_t pid = fork();

        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                fn();
                _exit(0);
        }
        ns_assert_child_ok(pid);
}

/* Moves fd to number to, without FD_CLOEXEC (dup2 clears it). */
static void place(int fd, int to) {
        int high = fcntl(fd, F_DUPFD, 100);

        EXPECT(high >= 0);
        close(fd);
        EXPECT(dup2(high, to) == to);
        close(high);
}

/* What a service manager passes: fd 3 a listening Unix socket (autobound
 * abstract name), fd 4 a connected one (Accept=yes), fd 5 a listening TCP
 * socket on 127.0.0.1. */
static void place_sockets(void) {
        struct sockaddr_in in;
        sa_family_t fam = AF_UNIX;
        int l, sp[2], t;

        l = socket(AF_UNIX, SOCK_STREAM, 0);
        EXPECT(l >= 0);
        EXPECT(bind(l, (struct sockaddr *) &fam, sizeof(fam)) == 0);
        EXPECT(listen(l, 4) == 0);
        EXPECT(socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0);
        close(sp[1]);
        t = socket(AF_INET, SOCK_STREAM, 0);
        EXPECT(t >= 0);
        memset(&in, 0, sizeof(in));
        in.sin_family = AF_INET;
        in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        EXPECT(bind(t, (struct sockaddr *) &in, sizeof(in)) == 0);
        EXPECT(listen(t, 4) == 0);
        /* Out of the way first, so that placing one never overwrites another. */
        l = fcntl(l, F_DUPFD, 200);
        sp[0] = fcntl(sp[0], F_DUPFD, 200);
        t = fcntl(t, F_DUPFD, 200);
        EXPECT(l >= 0 && sp[0] >= 0 && t >= 0);
        place(l, START);
        place(sp[0], START + 1);
        place(t, START + 2);
        /* Nothing above them, so that "fd 3 + n - 1 is not open" is true
         * (the test runner may have files open there). */
        for (t = START + NFDS; t < 300; t++)
                (void) close(t);
}

static bool has_cloexec(int fd) {
        int fl = fcntl(fd, F_GETFD);

        EXPECT(fl >= 0);
        return (fl & FD_CLOEXEC) != 0;
}

/* None of the passed fds was touched. */
static void expect_no_cloexec(void) {
        int i;

        for (i = START; i < START + NFDS; i++)
                EXPECT(!has_cloexec(i));
}

/* Sets or (NULL) unsets name; "SELF" is this process's pid. */
static void env(const char *name, const char *value) {
        char pid[32];

        if (!value) {
                EXPECT(unsetenv(name) == 0);
                return;
        }
        if (strcmp(value, "SELF") == 0) {
                snprintf(pid, sizeof(pid), "%ld", (long) getpid());
                value = pid;
        }
        EXPECT(setenv(name, value, 1) == 0);
}

static void set_listen_env(const char *pid, const char *pidfdid, const char *fds, const char *names) {
        env("LISTEN_PID", pid);
        env("LISTEN_PIDFDID", pidfdid);
        env("LISTEN_FDS", fds);
        env("LISTEN_FDNAMES", names);
}

static bool env_is_unset(void) {
        return !getenv("LISTEN_PID") && !getenv("LISTEN_PIDFDID") && !getenv("LISTEN_FDS") &&
               !getenv("LISTEN_FDNAMES");
}

/* A result array whose every byte shows whether the call wrote it. */
static void poison(struct netsock_listen_fd *r, size_t n) {
        memset(r, 0x5a, n * sizeof(*r));
}

static bool untouched(const struct netsock_listen_fd *r, size_t n) {
        const unsigned char *b = (const unsigned char *) r;
        size_t i;

        for (i = 0; i < n * sizeof(*r); i++)
                if (b[i] != 0x5a)
                        return false;
        return true;
}

/* r[0 .. n-1] describe fds 3, 4, ... named names[i], and r[n .. CAP-1]
 * is untouched. */
static void expect_entries(const struct netsock_listen_fd *r, int n, const char *const *names) {
        int i;

        for (i = 0; i < n; i++) {
                EXPECT_EQ(r[i].fd, START + i);
                EXPECT(strcmp(r[i].name, names[i]) == 0);
        }
        EXPECT(untouched(r + n, CAP - (size_t) n));
}

/* With LISTEN_FDS=fds and LISTEN_FDNAMES=names for this process, the call
 * returns n and stores the first n fds named expect[i]. */
static void expect_passed(const char *fds, const char *names, int n, const char *const *expect) {
        struct netsock_listen_fd r[CAP];

        set_listen_env("SELF", NULL, fds, names);
        poison(r, CAP);
        EXPECT_EQ(netsock_listen_fds(0, r, CAP), n);
        expect_entries(r, n, expect);
}

/* The call fails with err, writes nothing and changes no fd. */
static void expect_failure(int err) {
        struct netsock_listen_fd r[CAP];

        poison(r, CAP);
        EXPECT_EQ(netsock_listen_fds(0, r, CAP), err);
        EXPECT(untouched(r, CAP));
        expect_no_cloexec();
}

/* Not activated: 0, nothing written, no fd changed. */
static void expect_not_activated(void) {
        expect_failure(0);
}

/* The inode number of a pidfd of this process, independently of the
 * library; 0 when pidfds have no inode numbers of their own here. */
static uint64_t own_pidfd_inode(void) {
        struct statfs sfs;
        struct stat st;
        int fd = (int) syscall(SYS_pidfd_open, getpid(), 0);
        uint64_t ino = 0;

        if (fd < 0)
                return 0;
        if (fstatfs(fd, &sfs) == 0 && sfs.f_type == PIDFS_MAGIC_ && fstat(fd, &st) == 0)
                ino = (uint64_t) st.st_ino;
        close(fd);
        return ino;
}

/* Three fds named a, b, c for this process, with LISTEN_PIDFDID the inode
 * of our own pidfd plus delta. */
static void set_env_with_pidfdid(uint64_t delta) {
        char id[32];

        snprintf(id, sizeof(id), "%llu", (unsigned long long) (own_pidfd_inode() + delta));
        set_listen_env("SELF", id, "3", "a:b:c");
}

/* ---- what is passed ------------------------------------------------------ */

static void child_count_and_names(void) {
        place_sockets();
        expect_passed("3", "http:admin:metrics", 3, (const char *const[]) { "http", "admin", "metrics" });
}
START_TEST(listen_fds_returns_count_fds_and_names) { in_child(child_count_and_names); }
END_TEST

static void child_unknown_names(void) {
        place_sockets();
        expect_passed("2", NULL, 2, (const char *const[]) { "unknown", "unknown" });
}
START_TEST(listen_fds_names_are_unknown_without_fdnames) { in_child(child_unknown_names); }
END_TEST

static void child_empty_names(void) {
        place_sockets();
        expect_passed("3", "a::", 3, (const char *const[]) { "a", "", "" });
}
START_TEST(listen_fds_empty_fields_are_empty_names) { in_child(child_empty_names); }
END_TEST

static void child_longest_name(void) {
        struct netsock_listen_fd r[1];
        char name[256];

        memset(name, 'n', 255);
        name[255] = '\0';
        place_sockets();
        set_listen_env("SELF", NULL, "1", name);
        EXPECT_EQ(netsock_listen_fds(0, r, 1), 1);
        EXPECT(strcmp(r[0].name, name) == 0);
}
START_TEST(listen_fds_name_of_255_bytes_fits) { in_child(child_longest_name); }
END_TEST

static void child_name_too_long(void) {
        char names[300];

        memset(names, 'n', 256);
        strcpy(names + 256, ":b:c");
        place_sockets();
        set_listen_env("SELF", NULL, "3", names);
        expect_failure(-EINVAL);
        /* Also when it is the last one. */
        snprintf(names, sizeof(names), "a:b:");
        memset(names + 4, 'n', 256);
        names[260] = '\0';
        set_listen_env("SELF", NULL, "3", names);
        expect_failure(-EINVAL);
}
START_TEST(listen_fds_name_of_256_bytes_is_einval) { in_child(child_name_too_long); }
END_TEST

static void child_cloexec_on_all(void) {
        struct netsock_listen_fd r[CAP];
        int i;

        place_sockets();
        expect_no_cloexec();
        set_listen_env("SELF", NULL, "3", "a:b:c");
        poison(r, CAP);
        EXPECT_EQ(netsock_listen_fds(0, r, 1), 3);
        expect_entries(r, 1, (const char *const[]) { "a" });
        for (i = START; i < START + NFDS; i++)
                EXPECT(has_cloexec(i));
}
START_TEST(listen_fds_sets_cloexec_on_every_fd_beyond_max_too) { in_child(child_cloexec_on_all); }
END_TEST

static void child_count_only(void) {
        int i;

        place_sockets();
        set_listen_env("SELF", NULL, "3", NULL);
        EXPECT_EQ(netsock_listen_fds(0, NULL, 0), 3);
        for (i = START; i < START + NFDS; i++)
                EXPECT(has_cloexec(i));
}
START_TEST(listen_fds_counts_with_null_ret_and_max_zero) { in_child(child_count_only); }
END_TEST

static void child_null_ret(void) {
        place_sockets();
        set_listen_env("SELF", NULL, "3", NULL);
        EXPECT_EQ(netsock_listen_fds(NETSOCK_LISTEN_UNSET_ENV, NULL, 1), -EINVAL);
        expect_no_cloexec();
        /* An argument error changes nothing, the environment included. */
        EXPECT(getenv("LISTEN_PID") && getenv("LISTEN_FDS"));
}
START_TEST(listen_fds_null_ret_with_max_is_einval) { in_child(child_null_ret); }
END_TEST

static void child_unknown_flags(void) {
        struct netsock_listen_fd r[CAP];

        place_sockets();
        set_listen_env("SELF", NULL, "3", NULL);
        poison(r, CAP);
        EXPECT_EQ(netsock_listen_fds(0x2u, r, CAP), -EINVAL);
        EXPECT_EQ(netsock_listen_fds(~0u, r, CAP), -EINVAL);
        EXPECT(untouched(r, CAP));
        expect_no_cloexec();
        EXPECT(getenv("LISTEN_PID") && getenv("LISTEN_FDS"));
}
START_TEST(listen_fds_unknown_flags_are_einval) { in_child(child_unknown_flags); }
END_TEST

static void child_zero_fds(void) {
        place_sockets();
        set_listen_env("SELF", NULL, "0", NULL);
        expect_not_activated();
        set_listen_env("SELF", NULL, "0", "");
        expect_not_activated();
        /* LISTEN_PID for us but no LISTEN_FDS: none passed. */
        set_listen_env("SELF", NULL, NULL, NULL);
        expect_not_activated();
}
START_TEST(listen_fds_zero_or_no_count_is_zero) { in_child(child_zero_fds); }
END_TEST

static void child_wrap(void) {
        struct netsock_listen_fd r[CAP];
        struct netsock_unix_listener *ul = NULL;
        struct netsock_unix_stream *us = NULL;
        struct netsock_tcp_listener *tl = NULL;

        place_sockets();
        set_listen_env("SELF", NULL, "3", "unix:conn:tcp");
        EXPECT_EQ(netsock_listen_fds(NETSOCK_LISTEN_UNSET_ENV, r, CAP), 3);
        /* Each fd takes only its own kind of handle. */
        EXPECT_EQ(netsock_unix_listener_from_fd(r[1].fd, &ul), -EINVAL);
        EXPECT_EQ(netsock_tcp_listener_from_fd(r[0].fd, &tl), -EAFNOSUPPORT);
        EXPECT_EQ(netsock_unix_listener_from_fd(r[2].fd, &ul), -EAFNOSUPPORT);
        EXPECT(!ul && !tl);
        EXPECT_EQ(netsock_unix_listener_from_fd(r[0].fd, &ul), 0);
        EXPECT_EQ(netsock_unix_stream_from_fd(r[1].fd, &us), 0);
        EXPECT_EQ(netsock_tcp_listener_from_fd(r[2].fd, &tl), 0);
        EXPECT_EQ(netsock_unix_listener_fd(ul), 3);
        EXPECT_EQ(netsock_unix_stream_fd(us), 4);
        EXPECT_EQ(netsock_tcp_listener_fd(tl), 5);
        netsock_unix_listener_close(ul);
        netsock_unix_stream_close(us);
        netsock_tcp_listener_close(tl);
        EXPECT(!ns_fd_is_open(3) && !ns_fd_is_open(4) && !ns_fd_is_open(5));
}
START_TEST(listen_fds_fds_wrap_with_their_typed_from_fd) { in_child(child_wrap); }
END_TEST

static void child_repeat(void) {
        struct netsock_listen_fd r[CAP];

        place_sockets();
        set_listen_env("SELF", NULL, "3", "a:b:c");
        EXPECT_EQ(netsock_listen_fds(0, r, CAP), 3);
        EXPECT(getenv("LISTEN_PID") && getenv("LISTEN_FDS") && getenv("LISTEN_FDNAMES"));
        EXPECT_EQ(netsock_listen_fds(0, r, CAP), 3);
        EXPECT(strcmp(r[2].name, "c") == 0);
}
START_TEST(listen_fds_without_unset_env_keeps_env_and_repeats) { in_child(child_repeat); }
END_TEST

/* ---- not for this process --------------------------------------------------- */

static void child_other_pid(void) {
        char pid[32];

        place_sockets();
        snprintf(pid, sizeof(pid), "%ld", (long) getppid());
        set_listen_env(pid, NULL, "3", "a:b:c");
        expect_not_activated();
        /* Not ours: LISTEN_FDS is not even looked at. */
        set_listen_env(pid, NULL, "garbage", "a");
        expect_not_activated();
}
START_TEST(listen_fds_other_pid_is_not_activated) { in_child(child_other_pid); }
END_TEST

static void child_no_pid(void) {
        place_sockets();
        set_listen_env(NULL, NULL, "3", "a:b:c");
        expect_not_activated();
        set_listen_env(NULL, NULL, NULL, NULL);
        expect_not_activated();
}
START_TEST(listen_fds_unset_pid_is_not_activated) { in_child(child_no_pid); }
END_TEST

static void child_pidfdid_matches(void) {
        struct netsock_listen_fd r[CAP];

        place_sockets();
        set_env_with_pidfdid(0);
        EXPECT_EQ(netsock_listen_fds(0, r, CAP), 3);
        EXPECT(has_cloexec(3));
}
START_TEST(listen_fds_matching_pidfdid_is_activated) { in_child(child_pidfdid_matches); }
END_TEST

static void child_pidfdid_differs(void) {
        if (own_pidfd_inode() == 0) {
                fprintf(stderr, "no pidfs here: LISTEN_PIDFDID cannot be checked\n");
                return;
        }
        place_sockets();
        set_env_with_pidfdid(1);
        expect_not_activated();
        set_listen_env("SELF", "18446744073709551615", "3", NULL);
        expect_not_activated();
}
START_TEST(listen_fds_other_pidfdid_is_not_activated) { in_child(child_pidfdid_differs); }
END_TEST

/* ---- malformed environments -------------------------------------------------- */

static const char *const bad_numbers[] = {
        "", "x", "3x", "x3", "+3", "-3", " 3", "3 ", "0x3", "3.0", "3:", "\t3",
};

static void child_malformed_fds(void) {
        size_t i;

        place_sockets();
        for (i = 0; i < sizeof(bad_numbers) / sizeof(bad_numbers[0]); i++) {
                set_listen_env("SELF", NULL, bad_numbers[i], NULL);
                expect_failure(-EINVAL);
        }
        /* Out of range: the last fd, 3 + n - 1, would not be an int. */
        set_listen_env("SELF", NULL, "2147483646", NULL);
        expect_failure(-EINVAL);
        set_listen_env("SELF", NULL, "4294967299", NULL);  /* 3 as 32 bits */
        expect_failure(-EINVAL);
        set_listen_env("SELF", NULL, "18446744073709551619", NULL);  /* 3 as 64 bits */
        expect_failure(-EINVAL);
        set_listen_env("SELF", NULL, "99999999999999999999999999", NULL);
        expect_failure(-EINVAL);
}
START_TEST(listen_fds_malformed_listen_fds_is_einval) { in_child(child_malformed_fds); }
END_TEST

static void child_largest_count(void) {
        /* The largest count that is well-formed (fds 3 .. INT_MAX): the
         * fds are not there, and the call says so at once. */
        place_sockets();
        set_listen_env("SELF", NULL, "2147483645", NULL);
        expect_failure(-EBADF);
}
START_TEST(listen_fds_largest_count_is_ebadf_at_once) { in_child(child_largest_count); }
END_TEST

static void child_malformed_pid(void) {
        char buf[64];
        size_t i;

        place_sockets();
        for (i = 0; i < sizeof(bad_numbers) / sizeof(bad_numbers[0]); i++) {
                set_listen_env(bad_numbers[i], NULL, "3", NULL);
                expect_failure(-EINVAL);
        }
        snprintf(buf, sizeof(buf), "+%ld", (long) getpid());
        set_listen_env(buf, NULL, "3", NULL);
        expect_failure(-EINVAL);
        snprintf(buf, sizeof(buf), " %ld", (long) getpid());
        set_listen_env(buf, NULL, "3", NULL);
        expect_failure(-EINVAL);
        snprintf(buf, sizeof(buf), "%ld ", (long) getpid());
        set_listen_env(buf, NULL, "3", NULL);
        expect_failure(-EINVAL);
        /* Our pid plus 2^32: equal to getpid() when cut to 32 bits. */
        snprintf(buf, sizeof(buf), "%lld", (long long) getpid() + 4294967296LL);
        set_listen_env(buf, NULL, "3", NULL);
        expect_failure(-EINVAL);
        set_listen_env("0", NULL, "3", NULL);
        expect_failure(-EINVAL);
        set_listen_env("2147483648", NULL, "3", NULL);
        expect_failure(-EINVAL);
}
START_TEST(listen_fds_malformed_listen_pid_is_einval) { in_child(child_malformed_pid); }
END_TEST

static void child_malformed_pidfdid(void) {
        size_t i;

        place_sockets();
        for (i = 0; i < sizeof(bad_numbers) / sizeof(bad_numbers[0]); i++) {
                set_listen_env("SELF", bad_numbers[i], "3", NULL);
                expect_failure(-EINVAL);
        }
        set_listen_env("SELF", "18446744073709551616", "3", NULL);
        expect_failure(-EINVAL);
}
START_TEST(listen_fds_malformed_listen_pidfdid_is_einval) { in_child(child_malformed_pidfdid); }
END_TEST

static void child_names_mismatch(void) {
        place_sockets();
        set_listen_env("SELF", NULL, "3", "a:b");
        expect_failure(-EINVAL);
        set_listen_env("SELF", NULL, "3", "a:b:c:d");
        expect_failure(-EINVAL);
        set_listen_env("SELF", NULL, "3", "a:b:c:");
        expect_failure(-EINVAL);
        set_listen_env("SELF", NULL, "1", "");
        expect_failure(-EINVAL);
        set_listen_env("SELF", NULL, "1", ":");
        expect_failure(-EINVAL);
        set_listen_env("SELF", NULL, "0", "a");
        expect_failure(-EINVAL);
        set_listen_env("SELF", NULL, NULL, "a");
        expect_failure(-EINVAL);
}
START_TEST(listen_fds_names_and_fds_mismatch_is_einval) { in_child(child_names_mismatch); }
END_TEST

static void child_closed_fd(void) {
        struct netsock_listen_fd r[CAP];

        place_sockets();
        set_listen_env("SELF", NULL, "4", NULL);  /* fd 6 is not there */
        EXPECT(!ns_fd_is_open(6));
        expect_failure(-EBADF);
        close(4);
        set_listen_env("SELF", NULL, "3", "a:b:c");
        poison(r, CAP);
        EXPECT_EQ(netsock_listen_fds(0, r, CAP), -EBADF);
        EXPECT(untouched(r, CAP));
        /* Checked before any is changed. */
        EXPECT(!has_cloexec(3) && !has_cloexec(5));
}
START_TEST(listen_fds_fd_not_open_is_ebadf_and_changes_nothing) { in_child(child_closed_fd); }
END_TEST

/* ---- NETSOCK_LISTEN_UNSET_ENV ------------------------------------------------ */

static void child_unset_on_success(void) {
        struct netsock_listen_fd r[CAP];

        place_sockets();
        set_env_with_pidfdid(0);
        EXPECT_EQ(netsock_listen_fds(NETSOCK_LISTEN_UNSET_ENV, r, CAP), 3);
        EXPECT(env_is_unset());
        /* The names were copied out before the environment went away. */
        EXPECT(strcmp(r[0].name, "a") == 0 && strcmp(r[2].name, "c") == 0);
        /* Now the process looks not activated. */
        EXPECT_EQ(netsock_listen_fds(0, r, CAP), 0);
}
START_TEST(listen_fds_unset_env_removes_all_four_on_success) { in_child(child_unset_on_success); }
END_TEST

static void child_unset_on_failure(void) {
        struct netsock_listen_fd r[CAP];
        char pid[32];

        place_sockets();
        set_listen_env("SELF", NULL, "x", "a");
        poison(r, CAP);
        EXPECT_EQ(netsock_listen_fds(NETSOCK_LISTEN_UNSET_ENV, r, CAP), -EINVAL);
        EXPECT(env_is_unset());
        EXPECT(untouched(r, CAP));
        set_listen_env("SELF", NULL, "9", NULL);
        EXPECT_EQ(netsock_listen_fds(NETSOCK_LISTEN_UNSET_ENV, r, CAP), -EBADF);
        EXPECT(env_is_unset());
        set_listen_env("SELF", NULL, "3", "a:b");
        EXPECT_EQ(netsock_listen_fds(NETSOCK_LISTEN_UNSET_ENV, r, CAP), -EINVAL);
        EXPECT(env_is_unset());
        /* Also when the variables are meant for another process. */
        snprintf(pid, sizeof(pid), "%ld", (long) getppid());
        set_listen_env(pid, "1", "3", "a:b:c");
        EXPECT_EQ(netsock_listen_fds(NETSOCK_LISTEN_UNSET_ENV, r, CAP), 0);
        EXPECT(env_is_unset());
        EXPECT(untouched(r, CAP));
        expect_no_cloexec();
}
START_TEST(listen_fds_unset_env_removes_all_four_on_failure) { in_child(child_unset_on_failure); }
END_TEST

static Suite *make(void) {
        Suite *s = suite_create("activation");
        TCase *tc;

        tc = ns_tcase(s, "passed");
        tcase_add_test(tc, listen_fds_returns_count_fds_and_names);
        tcase_add_test(tc, listen_fds_names_are_unknown_without_fdnames);
        tcase_add_test(tc, listen_fds_empty_fields_are_empty_names);
        tcase_add_test(tc, listen_fds_name_of_255_bytes_fits);
        tcase_add_test(tc, listen_fds_name_of_256_bytes_is_einval);
        tcase_add_test(tc, listen_fds_sets_cloexec_on_every_fd_beyond_max_too);
        tcase_add_test(tc, listen_fds_counts_with_null_ret_and_max_zero);
        tcase_add_test(tc, listen_fds_null_ret_with_max_is_einval);
        tcase_add_test(tc, listen_fds_unknown_flags_are_einval);
        tcase_add_test(tc, listen_fds_zero_or_no_count_is_zero);
        tcase_add_test(tc, listen_fds_fds_wrap_with_their_typed_from_fd);
        tcase_add_test(tc, listen_fds_without_unset_env_keeps_env_and_repeats);

        tc = ns_tcase(s, "not_for_us");
        tcase_add_test(tc, listen_fds_other_pid_is_not_activated);
        tcase_add_test(tc, listen_fds_unset_pid_is_not_activated);
        tcase_add_test(tc, listen_fds_matching_pidfdid_is_activated);
        tcase_add_test(tc, listen_fds_other_pidfdid_is_not_activated);

        tc = ns_tcase(s, "malformed");
        tcase_add_test(tc, listen_fds_malformed_listen_fds_is_einval);
        tcase_add_test(tc, listen_fds_largest_count_is_ebadf_at_once);
        tcase_add_test(tc, listen_fds_malformed_listen_pid_is_einval);
        tcase_add_test(tc, listen_fds_malformed_listen_pidfdid_is_einval);
        tcase_add_test(tc, listen_fds_names_and_fds_mismatch_is_einval);
        tcase_add_test(tc, listen_fds_fd_not_open_is_ebadf_and_changes_nothing);

        tc = ns_tcase(s, "unset_env");
        tcase_add_test(tc, listen_fds_unset_env_removes_all_four_on_success);
        tcase_add_test(tc, listen_fds_unset_env_removes_all_four_on_failure);
        return s;
}

NS_TEST_MAIN(make)
