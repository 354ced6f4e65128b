/* SPDX-License-Identifier: MIT */
/*
 * Close-on-exec audit (API.md §1): after each kind of fd the library makes
 * or receives, fork and exec tests/list-fds, which fails if it finds any fd
 * but 0, 1 and 2.  A fixture first marks every fd the process already has
 * (Check's, the harness's) close-on-exec, so that the audit is exact: what
 * list-fds could see is only what the case made since.
 */
#include "config.h"
#include "common.h"

#include <dirent.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- the audit ----------------------------------------------------------------- */

static void cloexec_all_open_fds(void) {
        DIR *d = opendir("/proc/self/fd");
        struct dirent *e;

        ck_assert_ptr_nonnull(d);
        while ((e = readdir(d))) {
                int fd = atoi(e->d_name), fl;

                if (e->d_name[0] == '.' || fd <= 2 || fd == dirfd(d))
                        continue;
                fl = fcntl(fd, F_GETFD);
                if (fl >= 0)
                        (void) fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
        }
        closedir(d);
}

/* tests/list-fds, beside this program. */
static const char *witness(void) {
        static char path[PATH_MAX];
        char self[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

        ck_assert_int_gt(n, 0);
        self[n] = '\0';
        ck_assert_int_lt(snprintf(path, sizeof(path), "%s/list-fds", dirname(self)), (int) sizeof(path));
        ck_assert_int_eq(access(path, X_OK), 0);
        return path;
}

/* Forks and execs list-fds; its exit status (0: no fd crossed exec).  In
 * the child, before exec, prepare (if not NULL) sets things up; it reports
 * a failure by _exit(100 + n). */
static int run_witness(void (*prepare)(void)) {
        const char *path = witness();
        int status = 0;
        pid_t pid = fork();

        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                char *argv[] = { (char *) "list-fds", NULL };

                if (prepare)
                        prepare();
                execv(path, argv);
                _exit(127);
        }
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert_msg(WIFEXITED(status), "list-fds did not exit (status 0x%x)", status);
        return WEXITSTATUS(status);
}

static void assert_nothing_crosses_exec(void) {
        ck_assert_int_eq(run_witness(NULL), 0);
}

/* ---- the audit itself can fail -------------------------------------------------- */

START_TEST(audit_sees_an_fd_without_cloexec) {
        int fd = open("/dev/null", O_RDONLY);   /* no O_CLOEXEC, on purpose */

        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(run_witness(NULL), 1);
        ck_assert_int_eq(fcntl(fd, F_SETFD, FD_CLOEXEC), 0);
        assert_nothing_crosses_exec();
        close(fd);
}
END_TEST

/* ---- connect, listen, accept ------------------------------------------------------ */

START_TEST(unix_stream_connect_listen_accept_fds_are_cloexec) {
        char path[512], name[128];
        struct netsock_unix_listener *lp, *la;
        struct netsock_unix_stream *c1, *c2, *s1, *s2;

        ns_keep(path, sizeof(path), ns_tmppath("a.sock"));
        ns_keep(name, sizeof(name), ns_abstract_name("cloexec"));
        ck_assert_int_eq(netsock_unix_listener_bind(path, 0, &lp), 0);
        ck_assert_int_eq(netsock_unix_listener_bind(name, NETSOCK_NONBLOCK, &la), 0);
        ck_assert_int_eq(netsock_unix_stream_connect(path, 0, &c1), 0);
        ck_assert_int_eq(netsock_unix_stream_connect(name, NETSOCK_NONBLOCK, &c2), 0);
        ck_assert_int_eq(netsock_unix_listener_accept(lp, NETSOCK_NONBLOCK, &s1, NULL), 0);
        ck_assert_int_eq(netsock_unix_listener_accept(la, 0, &s2, NULL), 0);
        assert_nothing_crosses_exec();
        netsock_unix_stream_close(s2);
        netsock_unix_stream_close(s1);
        netsock_unix_stream_close(c2);
        netsock_unix_stream_close(c1);
        netsock_unix_listener_close(la);
        netsock_unix_listener_close(lp);
}
END_TEST

START_TEST(seqpacket_connect_listen_accept_fds_are_cloexec) {
        char path[512], name[128];
        struct netsock_seqpacket_listener *lp, *la;
        struct netsock_seqpacket *c1, *c2, *s1, *s2;

        ns_keep(path, sizeof(path), ns_tmppath("q.sock"));
        ns_keep(name, sizeof(name), ns_abstract_name("cloexec"));
        ck_assert_int_eq(netsock_seqpacket_listener_bind(path, 0, &lp), 0);
        ck_assert_int_eq(netsock_seqpacket_listener_bind(name, NETSOCK_NONBLOCK, &la), 0);
        ck_assert_int_eq(netsock_seqpacket_connect(path, 0, &c1), 0);
        ck_assert_int_eq(netsock_seqpacket_connect(name, NETSOCK_NONBLOCK, &c2), 0);
        ck_assert_int_eq(netsock_seqpacket_listener_accept(lp, NETSOCK_NONBLOCK, &s1, NULL), 0);
        ck_assert_int_eq(netsock_seqpacket_listener_accept(la, 0, &s2, NULL), 0);
        assert_nothing_crosses_exec();
        netsock_seqpacket_close(s2);
        netsock_seqpacket_close(s1);
        netsock_seqpacket_close(c2);
        netsock_seqpacket_close(c1);
        netsock_seqpacket_listener_close(la);
        netsock_seqpacket_listener_close(lp);
}
END_TEST

START_TEST(tcp_connect_listen_accept_fds_are_cloexec) {
        struct netsock_addr a4, a6;
        struct netsock_tcp_listener *l4 = ns_tcp_listen("127.0.0.1:0", 0, &a4);
        struct netsock_tcp_listener *l6 = ns_tcp_listen("[::1]:0", NETSOCK_NONBLOCK, &a6);
        struct netsock_tcp_socket *b4, *b6;
        struct netsock_tcp_stream *c1, *c2, *c3, *s1, *s2, *s3;

        ck_assert_int_eq(netsock_tcp_stream_connect(&a4, 0, &c1), 0);
        ck_assert_int_eq(netsock_tcp_stream_connect_timeout(&a6, 5000, NETSOCK_NONBLOCK, &c2), 0);
        ck_assert_int_eq(netsock_tcp_socket_new_v4(0, &b4), 0);
        ck_assert_int_eq(netsock_tcp_socket_connect(b4, &a4, &c3), 0);
        ck_assert_int_eq(netsock_tcp_listener_accept(l4, 0, &s1, NULL), 0);
        ck_assert_int_eq(netsock_tcp_listener_accept(l4, NETSOCK_NONBLOCK, &s3, NULL), 0);
        ck_assert_int_eq(netsock_tcp_listener_accept(l6, 0, &s2, NULL), 0);
        /* An unconnected builder socket too. */
        ck_assert_int_eq(netsock_tcp_socket_new_v6(NETSOCK_NONBLOCK, &b6), 0);
        assert_nothing_crosses_exec();
        netsock_tcp_socket_close(b6);
        netsock_tcp_stream_close(s3);
        netsock_tcp_stream_close(s2);
        netsock_tcp_stream_close(s1);
        netsock_tcp_stream_close(c3);
        netsock_tcp_stream_close(c2);
        netsock_tcp_stream_close(c1);
        netsock_tcp_listener_close(l6);
        netsock_tcp_listener_close(l4);
}
END_TEST

/* ---- pairs and clones --------------------------------------------------------------- */

START_TEST(pair_and_try_clone_fds_are_cloexec) {
        struct netsock_unix_stream *ua, *ub, *uc;
        struct netsock_seqpacket *sa, *sb, *sc;
        struct netsock_unix_listener *l, *lc;
        struct netsock_addr ta;
        struct netsock_tcp_listener *tl = ns_tcp_listen("127.0.0.1:0", 0, &ta), *tlc;

        ck_assert_int_eq(netsock_unix_stream_pair(0, &ua, &ub), 0);
        ck_assert_int_eq(netsock_seqpacket_pair(NETSOCK_NONBLOCK, &sa, &sb), 0);
        ck_assert_int_eq(netsock_unix_listener_bind(ns_abstract_name("clone"), 0, &l), 0);
        ck_assert_int_eq(netsock_unix_stream_try_clone(ua, &uc), 0);
        ck_assert_int_eq(netsock_seqpacket_try_clone(sb, &sc), 0);
        ck_assert_int_eq(netsock_unix_listener_try_clone(l, &lc), 0);
        ck_assert_int_eq(netsock_tcp_listener_try_clone(tl, &tlc), 0);
        assert_nothing_crosses_exec();
        netsock_tcp_listener_close(tlc);
        netsock_tcp_listener_close(tl);
        netsock_unix_listener_close(lc);
        netsock_unix_listener_close(l);
        netsock_seqpacket_close(sc);
        netsock_seqpacket_close(sb);
        netsock_seqpacket_close(sa);
        netsock_unix_stream_close(uc);
        netsock_unix_stream_close(ub);
        netsock_unix_stream_close(ua);
}
END_TEST

/* ---- received fds ----------------------------------------------------------------- */

/* The sent fds are not close-on-exec (and are closed before the exec):
 * the received copies must be, by MSG_CMSG_CLOEXEC. */
START_TEST(received_fds_are_cloexec) {
        struct netsock_unix_stream *a, *b;
        struct netsock_seqpacket *qa, *qb;
        int p[2], got[4], qgot[4];
        size_t n = 4, qn = 4;
        char buf[4];

        ck_assert_int_eq(netsock_unix_stream_pair(0, &a, &b), 0);
        ck_assert_int_eq(netsock_seqpacket_pair(0, &qa, &qb), 0);
        ck_assert_int_eq(pipe(p), 0);
        ck_assert(!ns_fd_has_cloexec(p[0]));
        ck_assert_int_eq(netsock_unix_stream_send_fds(a, "f", 1, p, 2), 1);
        ck_assert_int_eq(netsock_seqpacket_send_fds(qa, "g", 1, p, 2), 1);
        close(p[0]);
        close(p[1]);
        ck_assert_int_eq(netsock_unix_stream_recv_fds(b, buf, sizeof(buf), got, &n, NULL), 1);
        ck_assert_int_eq(netsock_seqpacket_recv_fds(qb, buf, sizeof(buf), qgot, &qn, NULL), 1);
        ck_assert_uint_eq(n, 2);
        ck_assert_uint_eq(qn, 2);
        assert_nothing_crosses_exec();
        close(got[0]);
        close(got[1]);
        close(qgot[0]);
        close(qgot[1]);
        netsock_seqpacket_close(qb);
        netsock_seqpacket_close(qa);
        netsock_unix_stream_close(b);
        netsock_unix_stream_close(a);
}
END_TEST

/* SO_PASSPIDFD's pidfd handed out by recv_ancillary, and SO_PEERPIDFD's. */
START_TEST(pidfds_are_cloexec) {
        struct netsock_unix_stream *a, *b;
        struct netsock_ancillary anc;
        struct iovec iov;
        int peer = -1, r;
        char buf[4];

        ck_assert_int_eq(netsock_unix_stream_pair(0, &a, &b), 0);
        r = netsock_unix_stream_set_passpidfd(b, true);
        if (r == -ENOPROTOOPT) {
                /* Linux < 6.5: neither pidfd exists to audit. */
                netsock_unix_stream_close(b);
                netsock_unix_stream_close(a);
                return;
        }
        ck_assert_int_eq(r, 0);
        ck_assert_int_eq(netsock_unix_stream_send(a, "p", 1), 1);
        memset(&anc, 0, sizeof(anc));
        iov.iov_base = buf;
        iov.iov_len = sizeof(buf);
        ck_assert_int_eq(netsock_unix_stream_recv_ancillary(b, &iov, 1, &anc), 1);
        ck_assert_uint_eq(anc.flags & NETSOCK_MSG_PIDFD, NETSOCK_MSG_PIDFD);
        ck_assert_int_ge(anc.pidfd, 0);
        ck_assert_int_eq(netsock_unix_stream_peer_pidfd(b, &peer), 0);
        ck_assert_int_ge(peer, 0);
        assert_nothing_crosses_exec();
        close(peer);
        close(anc.pidfd);
        netsock_unix_stream_close(b);
        netsock_unix_stream_close(a);
}
END_TEST

/* ---- poll, lock files, activation --------------------------------------------------- */

START_TEST(poll_fds_are_cloexec) {
        struct netsock_poll *p;

        ck_assert_int_eq(netsock_poll_new(&p), 0);   /* an epoll fd and an eventfd */
        assert_nothing_crosses_exec();
        netsock_poll_close(p);
}
END_TEST

START_TEST(replace_stale_lock_file_fd_is_cloexec) {
        char path[512];
        struct netsock_unix_listener *l;
        struct netsock_seqpacket_listener *q;

        ns_keep(path, sizeof(path), ns_tmppath("stale.sock"));
        ns_make_stale_socket_file(path, SOCK_STREAM);
        ck_assert_int_eq(netsock_unix_listener_bind(path, NETSOCK_REPLACE_STALE | NETSOCK_REMOVE_ON_CLOSE, &l), 0);
        ck_assert_int_eq(netsock_seqpacket_listener_bind(ns_tmppath("fresh.sock"), NETSOCK_REPLACE_STALE, &q), 0);
        ck_assert(ns_path_exists(ns_tmppath("stale.sock.lock")));
        assert_nothing_crosses_exec();
        netsock_seqpacket_listener_close(q);
        netsock_unix_listener_close(l);
}
END_TEST

/* A listening AF_UNIX socket without FD_CLOEXEC, autobound (the address
 * is zeroed beyond sun_family: valgrind reads sun_path whatever the
 * length says). */
static int plain_listening_socket(void) {
        struct sockaddr_un sun;
        int s = socket(AF_UNIX, SOCK_STREAM, 0);

        memset(&sun, 0, sizeof(sun));
        sun.sun_family = AF_UNIX;
        if (s < 0 || bind(s, (struct sockaddr *) &sun, sizeof(sa_family_t)) < 0 || listen(s, 4) < 0)
                _exit(101);
        return s;
}

/* In the child: what a service manager hands over, a listening socket at
 * fd 3 without FD_CLOEXEC, taken with netsock_listen_fds and from_fd; the
 * exec that follows must not carry it. */
static void adopt_listen_fd(void) {
        struct netsock_listen_fd lfd;
        struct netsock_unix_listener *l = NULL;
        char pid[32];
        int s = plain_listening_socket();

        if (s != NETSOCK_LISTEN_FDS_START) {
                if (dup2(s, NETSOCK_LISTEN_FDS_START) < 0)
                        _exit(102);
                close(s);
        }
        snprintf(pid, sizeof(pid), "%ld", (long) getpid());
        if (setenv("LISTEN_PID", pid, 1) < 0 || setenv("LISTEN_FDS", "1", 1) < 0)
                _exit(104);
        unsetenv("LISTEN_FDNAMES");
        unsetenv("LISTEN_PIDFDID");
        if (netsock_listen_fds(NETSOCK_LISTEN_UNSET_ENV, &lfd, 1) != 1 || lfd.fd != NETSOCK_LISTEN_FDS_START)
                _exit(105);
        if (netsock_unix_listener_from_fd(lfd.fd, &l) != 0)
                _exit(106);
}

START_TEST(listen_fds_adopted_fd_is_cloexec) {
        ck_assert_int_eq(run_witness(adopt_listen_fd), 0);
}
END_TEST

/* The same child without netsock_listen_fds: the fd does cross, so the
 * case above proves something. */
static void leave_listen_fd(void) {
        (void) plain_listening_socket();
}

START_TEST(audit_sees_an_unadopted_listen_fd) {
        ck_assert_int_eq(run_witness(leave_listen_fd), 1);
}
END_TEST

static Suite *make(void) {
        Suite *s = suite_create("cloexec");
        TCase *tc;

        tc = ns_tcase(s, "audit");
        tcase_add_checked_fixture(tc, cloexec_all_open_fds, NULL);
        tcase_add_test(tc, audit_sees_an_fd_without_cloexec);
        tcase_add_test(tc, audit_sees_an_unadopted_listen_fd);

        tc = ns_tcase(s, "library fds");
        tcase_add_checked_fixture(tc, cloexec_all_open_fds, NULL);
        tcase_add_test(tc, unix_stream_connect_listen_accept_fds_are_cloexec);
        tcase_add_test(tc, seqpacket_connect_listen_accept_fds_are_cloexec);
        tcase_add_test(tc, tcp_connect_listen_accept_fds_are_cloexec);
        tcase_add_test(tc, pair_and_try_clone_fds_are_cloexec);
        tcase_add_test(tc, received_fds_are_cloexec);
        tcase_add_test(tc, pidfds_are_cloexec);
        tcase_add_test(tc, poll_fds_are_cloexec);
        tcase_add_test(tc, replace_stale_lock_file_fd_is_cloexec);
        tcase_add_test(tc, listen_fds_adopted_fd_is_cloexec);
        return s;
}

NS_TEST_MAIN(make)
