/* SPDX-License-Identifier: MIT */
/*
 * What daemons need from Unix listeners and connections (API.md §10, §12,
 * issue 10): socket files with an exact mode whatever the umask and never
 * wider at any moment (bind_mode), kernel-chosen abstract names
 * (bind_auto), accept and connect timeouts, and peer identity that
 * survives pid reuse (peer_pidfd, peer_groups, SO_PASSPIDFD, SO_PASSRIGHTS)
 * with exact values.
 *
 * Each case runs for both Unix families, unix_stream and seqpacket, through
 * the table of typed calls below (Check loop tests: _i picks the family).
 * Forked helpers end with _exit() and report through their exit status
 * only; umask is changed only inside them.
 */
#include "config.h"
#include "common.h"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SO_PASSRIGHTS
#define SO_PASSRIGHTS 83  /* Linux 6.16 */
#endif

/* ---- the two families, as one table of calls ----------------------------- */

/* Handles travel as void *: every call below is the family's typed one. */
struct family {
        const char *name;
        int type;
        int (*bind)(const char *name, int flags, void **ret);
        int (*bind_mode)(const char *name, unsigned mode, int flags, void **ret);
        int (*bind_auto)(int flags, void **ret);
        int (*set_accept_timeout)(void *l, unsigned ms);
        int (*accept_timeout)(const void *l, unsigned *ret_ms);
        int (*accept)(void *l, int flags, void **ret);
        int (*local_addr)(const void *l, struct netsock_addr *ret);
        int (*lfd)(const void *l);
        int (*l_set_passpidfd)(void *l, bool on);
        int (*l_set_passrights)(void *l, bool on);
        void (*lclose)(void *l);
        int (*connect)(const char *name, int flags, void **ret);
        int (*connect_timeout)(const char *name, unsigned ms, int flags, void **ret);
        int (*pair)(int flags, void **a, void **b);
        int (*fd)(const void *s);
        int (*peer_addr)(const void *s, struct netsock_addr *ret);
        int (*peer_pidfd)(const void *s, int *ret);
        ssize_t (*peer_groups)(const void *s, gid_t *groups, size_t n);
        int (*set_passrights)(void *s, bool on);
        ssize_t (*send)(void *s, const void *buf, size_t len);
        ssize_t (*send_fds)(void *s, const void *buf, size_t len, const int *fds, size_t nfds);
        ssize_t (*send_ancillary)(void *s, const struct iovec *iov, size_t iovcnt, const struct netsock_ancillary *anc);
        ssize_t (*recv_ancillary)(void *s, const struct iovec *iov, size_t iovcnt, struct netsock_ancillary *anc);
        void (*close)(void *s);
};

#define HANDLE_OUT(call, out) do {                                      \
                int r_ = (call);                                        \
                if (r_ == 0)                                            \
                        *(out) = h_;                                    \
                return r_;                                              \
        } while (0)

#define FAMILY(L, T, TYPE)                                                                      \
        static int L##_bind_w(const char *n, int f, void **r) {                                 \
                struct netsock_##L *h_; HANDLE_OUT(netsock_##L##_bind(n, f, &h_), r);          \
        }                                                                                       \
        static int L##_bind_mode_w(const char *n, unsigned m, int f, void **r) {                \
                struct netsock_##L *h_; HANDLE_OUT(netsock_##L##_bind_mode(n, m, f, &h_), r);  \
        }                                                                                       \
        static int L##_bind_auto_w(int f, void **r) {                                           \
                struct netsock_##L *h_; HANDLE_OUT(netsock_##L##_bind_auto(f, &h_), r);        \
        }                                                                                       \
        static int L##_set_accept_timeout_w(void *l, unsigned ms) { return netsock_##L##_set_accept_timeout(l, ms); } \
        static int L##_accept_timeout_w(const void *l, unsigned *ms) { return netsock_##L##_accept_timeout(l, ms); } \
        static int L##_accept_w(void *l, int f, void **r) {                                     \
                struct netsock_##T *h_; HANDLE_OUT(netsock_##L##_accept(l, f, &h_, NULL), r);  \
        }                                                                                       \
        static int L##_local_addr_w(const void *l, struct netsock_addr *a) { return netsock_##L##_local_addr(l, a); } \
        static int L##_fd_w(const void *l) { return netsock_##L##_fd(l); }                     \
        static int L##_set_passpidfd_w(void *l, bool on) { return netsock_##L##_set_passpidfd(l, on); } \
        static int L##_set_passrights_w(void *l, bool on) { return netsock_##L##_set_passrights(l, on); } \
        static void L##_close_w(void *l) { netsock_##L##_close(l); }                           \
        static int T##_connect_w(const char *n, int f, void **r) {                              \
                struct netsock_##T *h_; HANDLE_OUT(netsock_##T##_connect(n, f, &h_), r);       \
        }                                                                                       \
        static int T##_connect_timeout_w(const char *n, unsigned ms, int f, void **r) {         \
                struct netsock_##T *h_; HANDLE_OUT(netsock_##T##_connect_timeout(n, ms, f, &h_), r); \
        }                                                                                       \
        static int T##_pair_w(int f, void **a, void **b) {                                      \
                struct netsock_##T *x, *y;                                                      \
                int r = netsock_##T##_pair(f, &x, &y);                                          \
                if (r == 0) { *a = x; *b = y; }                                                 \
                return r;                                                                       \
        }                                                                                       \
        static int T##_fd_w(const void *s) { return netsock_##T##_fd(s); }                     \
        static int T##_peer_addr_w(const void *s, struct netsock_addr *a) { return netsock_##T##_peer_addr(s, a); } \
        static int T##_peer_pidfd_w(const void *s, int *p) { return netsock_##T##_peer_pidfd(s, p); } \
        static ssize_t T##_peer_groups_w(const void *s, gid_t *g, size_t n) { return netsock_##T##_peer_groups(s, g, n); } \
        static int T##_set_passrights_w(void *s, bool on) { return netsock_##T##_set_passrights(s, on); } \
        static ssize_t T##_send_w(void *s, const void *b, size_t n) {                           \
                return netsock_##T##_send(s, b, n);                                             \
        }                                                                                       \
        static ssize_t T##_send_fds_w(void *s, const void *b, size_t n, const int *fds, size_t nfds) { \
                return netsock_##T##_send_fds(s, b, n, fds, nfds);                              \
        }                                                                                       \
        static ssize_t T##_send_anc_w(void *s, const struct iovec *iov, size_t n, const struct netsock_ancillary *a) { \
                return netsock_##T##_send_ancillary(s, iov, n, a);                              \
        }                                                                                       \
        static ssize_t T##_recv_anc_w(void *s, const struct iovec *iov, size_t n, struct netsock_ancillary *a) { \
                return netsock_##T##_recv_ancillary(s, iov, n, a);                              \
        }                                                                                       \
        static void T##_close_w(void *s) { netsock_##T##_close(s); }                           \
        static const struct family fam_##T = {                                                  \
                #T, TYPE, L##_bind_w, L##_bind_mode_w, L##_bind_auto_w,                         \
                L##_set_accept_timeout_w, L##_accept_timeout_w, L##_accept_w, L##_local_addr_w, \
                L##_fd_w, L##_set_passpidfd_w, L##_set_passrights_w, L##_close_w,              \
                T##_connect_w, T##_connect_timeout_w, T##_pair_w, T##_fd_w, T##_peer_addr_w,   \
                T##_peer_pidfd_w, T##_peer_groups_w, T##_set_passrights_w, T##_send_w,         \
                T##_send_fds_w, T##_send_anc_w, T##_recv_anc_w, T##_close_w,                   \
        }

FAMILY(unix_listener, unix_stream, SOCK_STREAM);
FAMILY(seqpacket_listener, seqpacket, SOCK_SEQPACKET);

static const struct family *const families[] = { &fam_unix_stream, &fam_seqpacket };
#define NFAMILIES 2
#define FAM (families[_i])

/* ---- helpers ------------------------------------------------------------- */

static unsigned file_mode(const char *path) {
        struct stat st;

        ck_assert_int_eq(lstat(path, &st), 0);
        ck_assert(S_ISSOCK(st.st_mode));
        return st.st_mode & 07777;
}

/* The formatted address, in a static buffer. */
static const char *addr_text(const struct netsock_addr *a) {
        static char buf[NETSOCK_ADDRSTRLEN];

        ns_format_addr(a, buf, sizeof(buf));
        return buf;
}

/* A child's status as one byte: 0 = all well, else the failing step. */
#define CHILD_CHECK(cond, code) do { if (!(cond)) _exit(code); } while (0)

/* Forks a child that runs fn(arg) and _exits with what it returns. */
static pid_t fork_child(int (*fn)(const void *arg), const void *arg) {
        pid_t pid = fork();

        ck_assert_int_ge(pid, 0);
        if (pid == 0)
                _exit(fn(arg));
        return pid;
}

/* ---- bind_mode ----------------------------------------------------------- */

struct mode_case {
        const struct family *f;
        const char *path;
        unsigned mode;
        mode_t umask;
};

/* In a child (the umask is per process): bind_mode under that umask gives
 * exactly mode; local_addr and a client's peer_addr show the path. */
static int child_bind_mode(const void *arg) {
        const struct mode_case *c = arg;
        struct netsock_addr a;
        struct stat st;
        void *l, *s;
        char want[NETSOCK_ADDRSTRLEN], got[NETSOCK_ADDRSTRLEN];

        umask(c->umask);
        CHILD_CHECK(c->f->bind_mode(c->path, c->mode, NETSOCK_REMOVE_ON_CLOSE, &l) == 0, 10);
        CHILD_CHECK(lstat(c->path, &st) == 0 && S_ISSOCK(st.st_mode), 11);
        CHILD_CHECK((st.st_mode & 07777) == c->mode, 12);
        CHILD_CHECK(umask(0) == c->umask, 13);   /* nobody changed it */
        snprintf(want, sizeof(want), "%s", c->path);
        CHILD_CHECK(c->f->local_addr(l, &a) == 0, 14);
        CHILD_CHECK(netsock_addr_format(&a, got, sizeof(got)) > 0 && strcmp(got, want) == 0, 15);
        /* Connecting needs write permission, which root always has. */
        if (geteuid() != 0 && !(c->mode & 0200)) {
                c->f->lclose(l);
                return 0;
        }
        CHILD_CHECK(c->f->connect(c->path, 0, &s) == 0, 16);
        CHILD_CHECK(c->f->peer_addr(s, &a) == 0, 17);
        CHILD_CHECK(netsock_addr_format(&a, got, sizeof(got)) > 0 && strcmp(got, want) == 0, 18);
        c->f->close(s);
        c->f->lclose(l);
        CHILD_CHECK(!ns_path_exists(c->path), 19);
        return 0;
}

START_TEST(bind_mode_gives_exact_mode_under_any_umask) {
        static const unsigned modes[] = { 0600, 0660, 0666, 0700, 0, 0777, 0640 };
        static const mode_t umasks[] = { 0, 077, 022 };
        size_t m, u;

        for (u = 0; u < sizeof(umasks) / sizeof(umasks[0]); u++)
                for (m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
                        struct mode_case c = { FAM, ns_tmppath("s"), modes[m], umasks[u] };

                        ns_assert_child_ok(fork_child(child_bind_mode, &c));
                }
}
END_TEST

/* In this process too (whatever the test runner's umask): exact mode, and
 * the umask is the same afterwards. */
START_TEST(bind_mode_leaves_the_umask_alone) {
        mode_t before = umask(022);
        void *l;

        ck_assert_int_eq(FAM->bind_mode(ns_tmppath("s"), 0666, 0, &l), 0);
        ck_assert_uint_eq(file_mode(ns_tmppath("s")), 0666);
        ck_assert_uint_eq(umask(before), 022);
        FAM->lclose(l);
}
END_TEST

START_TEST(bind_mode_rejects_abstract_names_bad_modes_and_flags) {
        void *l = NS_SENTINEL(netsock_unix_listener);

        ck_assert_int_eq(FAM->bind_mode(ns_abstract_name("mode"), 0600, 0, &l), -EINVAL);
        ck_assert_int_eq(FAM->bind_mode(ns_tmppath("s"), 010000, 0, &l), -EINVAL);
        ck_assert_int_eq(FAM->bind_mode(ns_tmppath("s"), 0xffffffffu, 0, &l), -EINVAL);
        ck_assert_int_eq(FAM->bind_mode(ns_tmppath("s"), 0600, 0x4000, &l), -EINVAL);
        ck_assert_int_eq(FAM->bind_mode(NULL, 0600, 0, &l), -EINVAL);
        ck_assert_int_eq(FAM->bind_mode("", 0600, 0, &l), -EINVAL);
        ck_assert_ptr_eq(l, NS_SENTINEL(netsock_unix_listener));
        ck_assert(!ns_path_exists(ns_tmppath("s")));
        ck_assert_int_eq(netsock_unix_listener_bind_mode(ns_tmppath("s"), 0600, 0, NULL), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_listener_bind_mode(ns_tmppath("s"), 0600, 0, NULL), -EINVAL);
        ck_assert(!ns_path_exists(ns_tmppath("s")));
}
END_TEST

/* Failures leave nothing behind: no file, no lock file, a live listener's
 * file untouched. */
START_TEST(bind_mode_failures_leave_nothing_behind) {
        char path[256], lock[300], longp[200];
        void *live, *l = NULL;
        ino_t ino;

        ns_keep(path, sizeof(path), ns_tmppath("s"));
        snprintf(lock, sizeof(lock), "%s.lock", path);
        ck_assert_int_eq(FAM->bind_mode(ns_tmppath("no-such-dir/s"), 0600, 0, &l), -ENOENT);
        ck_assert_ptr_null(l);
        memset(longp, 'x', sizeof(longp) - 1);
        longp[sizeof(longp) - 1] = '\0';
        ck_assert_int_eq(FAM->bind_mode(longp, 0600, 0, &l), -ENAMETOOLONG);
        ck_assert(!ns_path_exists(longp));

        ck_assert_int_eq(FAM->bind_mode(path, 0640, 0, &live), 0);
        ino = ns_inode_of(path);
        ck_assert_int_eq(FAM->bind_mode(path, 0600, 0, &l), -EADDRINUSE);
        ck_assert_int_eq(FAM->bind_mode(path, 0600, NETSOCK_REPLACE_STALE, &l), -EADDRINUSE);
        ck_assert_ptr_null(l);
        ck_assert_uint_eq(ns_inode_of(path), ino);
        ck_assert_uint_eq(file_mode(path), 0640);
        ck_assert(!ns_path_exists(lock));
        FAM->lclose(live);
        ck_assert_int_eq(unlink(path), 0);
}
END_TEST

/* REPLACE_STALE and REMOVE_ON_CLOSE work with bind_mode as with bind: the
 * stale file is replaced by one of exactly mode, the lock is held until
 * close, and close removes the file and then the lock file. */
START_TEST(bind_mode_takes_the_flags_of_bind) {
        char path[256], lock[300];
        void *l, *l2 = NULL, *s = NULL;

        ns_keep(path, sizeof(path), ns_tmppath("s"));
        snprintf(lock, sizeof(lock), "%s.lock", path);
        ns_make_stale_socket_file(path, FAM->type);
        ck_assert_int_eq(FAM->bind_mode(path, 0600, NETSOCK_REPLACE_STALE | NETSOCK_REMOVE_ON_CLOSE | NETSOCK_NONBLOCK, &l), 0);
        ck_assert_uint_eq(file_mode(path), 0600);
        ck_assert(ns_path_exists(lock));
        ck_assert_uint_eq(file_mode(path), 0600);
        ck_assert_int_eq(FAM->bind(path, NETSOCK_REPLACE_STALE, &l2), -EADDRINUSE);
        ck_assert_ptr_null(l2);
        ck_assert(ns_fd_has_nonblock(FAM->lfd(l)));
        ck_assert(ns_fd_has_cloexec(FAM->lfd(l)));
        ck_assert_int_eq(FAM->accept(l, 0, &s), -EAGAIN);
        ck_assert_ptr_null(s);
        FAM->lclose(l);
        ck_assert(!ns_path_exists(path));
        ck_assert(!ns_path_exists(lock));
}
END_TEST

/* A watcher lstat()s the path while the listener is bound and closed again
 * and again (umask 0, so only bind_mode narrows the file): it must never
 * see a mode other than the one asked for.  Bounded: 300 binds, and the
 * watcher stops when told or after 5 s. */
struct watch {
        const struct family *f;
        const char *path;
};

static int child_binder_and_watcher(const void *arg) {
        const struct watch *w = arg;
        int stop[2], i;
        long long seen = 0;
        pid_t watcher;
        int report[2];

        umask(0);
        if (pipe(stop) < 0 || pipe(report) < 0)
                return 20;
        watcher = fork();
        if (watcher < 0)
                return 21;
        if (watcher == 0) {
                long long start = ns_now_ms();
                struct stat st;
                char verdict = 0;

                close(stop[1]);
                close(report[0]);
                fcntl(stop[0], F_SETFL, O_NONBLOCK);
                while (ns_elapsed_ms(start) < 5000) {
                        char c;

                        if (read(stop[0], &c, 1) >= 0)
                                break;
                        if (lstat(w->path, &st) == 0) {
                                seen++;
                                if ((st.st_mode & 07777) != 0600)
                                        verdict = 1;
                        }
                }
                if (write(report[1], &seen, sizeof(seen)) < 0)
                        _exit(2);
                _exit(verdict);
        }
        close(stop[0]);
        close(report[1]);
        for (i = 0; i < 300; i++) {
                void *l;

                if (w->f->bind_mode(w->path, 0600, NETSOCK_REMOVE_ON_CLOSE, &l) < 0)
                        return 22;
                w->f->lclose(l);
        }
        close(stop[1]);
        if (read(report[0], &seen, sizeof(seen)) != sizeof(seen))
                return 23;
        if (waitpid(watcher, &i, 0) != watcher || !WIFEXITED(i))
                return 24;
        if (WEXITSTATUS(i) != 0)
                return 25;   /* it saw the file wider */
        return 0;
}

START_TEST(bind_mode_file_is_never_seen_wider) {
        struct watch w = { FAM, ns_tmppath("s") };

        ns_assert_child_ok(fork_child(child_binder_and_watcher, &w));
        ck_assert(!ns_path_exists(w.path));
}
END_TEST

/* ---- bind_auto ----------------------------------------------------------- */

START_TEST(bind_auto_gets_a_kernel_chosen_abstract_name) {
        struct netsock_addr a, b, peer;
        char name[NETSOCK_ADDRSTRLEN], other[NETSOCK_ADDRSTRLEN];
        void *l, *l2, *c, *s;
        size_t i;

        ck_assert_int_eq(FAM->bind_auto(0, &l), 0);
        ck_assert(ns_fd_has_cloexec(FAM->lfd(l)));
        ck_assert(!ns_fd_has_nonblock(FAM->lfd(l)));
        ck_assert_int_eq(FAM->local_addr(l, &a), 0);
        ck_assert_int_eq(netsock_addr_unix_kind(&a), NETSOCK_UNIX_ABSTRACT);
        ns_keep(name, sizeof(name), addr_text(&a));
        /* "@" and five hex digits (Linux's autobind names). */
        ck_assert_uint_eq(strlen(name), 6);
        ck_assert_int_eq(name[0], '@');
        for (i = 1; i < 6; i++)
                ck_assert_msg(strchr("0123456789abcdef", name[i]) != NULL, "%s", name);
        ck_assert_int_eq(FAM->connect(name, 0, &c), 0);
        ck_assert_int_eq(FAM->peer_addr(c, &peer), 0);
        ck_assert(netsock_addr_equal(&peer, &a));
        ck_assert_int_eq(FAM->accept(l, 0, &s), 0);
        ck_assert_int_eq(FAM->send(c, "hi", 2), 2);
        FAM->close(c);
        FAM->close(s);

        ck_assert_int_eq(FAM->bind_auto(NETSOCK_NONBLOCK, &l2), 0);
        ck_assert(ns_fd_has_nonblock(FAM->lfd(l2)));
        ck_assert_int_eq(FAM->local_addr(l2, &b), 0);
        ns_keep(other, sizeof(other), addr_text(&b));
        ck_assert_str_ne(name, other);
        ck_assert_int_eq(FAM->accept(l2, 0, &s), -EAGAIN);
        FAM->lclose(l2);
        FAM->lclose(l);
        ck_assert_int_eq(FAM->connect(name, 0, &c), -ECONNREFUSED);
}
END_TEST

START_TEST(bind_auto_takes_only_nonblock) {
        void *l = NS_SENTINEL(netsock_unix_listener);

        ck_assert_int_eq(FAM->bind_auto(NETSOCK_REMOVE_ON_CLOSE, &l), -EINVAL);
        ck_assert_int_eq(FAM->bind_auto(NETSOCK_REPLACE_STALE, &l), -EINVAL);
        ck_assert_int_eq(FAM->bind_auto(0x4000, &l), -EINVAL);
        ck_assert_ptr_eq(l, NS_SENTINEL(netsock_unix_listener));
        ck_assert_int_eq(netsock_unix_listener_bind_auto(0, NULL), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_listener_bind_auto(0, NULL), -EINVAL);
}
END_TEST

/* ---- accept timeouts ----------------------------------------------------- */

START_TEST(accept_timeout_bounds_a_blocking_accept) {
        void *l, *s = NULL, *c;
        unsigned ms = 99;
        long long t;
        char name[NETSOCK_ADDRSTRLEN];
        struct netsock_addr a;

        ck_assert_int_eq(FAM->bind_auto(0, &l), 0);
        ck_assert_int_eq(FAM->accept_timeout(l, &ms), 0);
        ck_assert_uint_eq(ms, 0);
        ck_assert_int_eq(FAM->set_accept_timeout(l, 100), 0);
        ck_assert_int_eq(FAM->accept_timeout(l, &ms), 0);
        ck_assert_uint_eq(ms, 100);
        t = ns_now_ms();
        ck_assert_int_eq(FAM->accept(l, 0, &s), -EAGAIN);
        ck_assert_int_ge(ns_elapsed_ms(t), 90);
        ck_assert_int_lt(ns_elapsed_ms(t), 2000);
        ck_assert_ptr_null(s);
        /* A connection that is there is taken at once. */
        ck_assert_int_eq(FAM->local_addr(l, &a), 0);
        ns_keep(name, sizeof(name), addr_text(&a));
        ck_assert_int_eq(FAM->connect(name, 0, &c), 0);
        ck_assert_int_eq(FAM->accept(l, 0, &s), 0);
        FAM->close(s);
        FAM->close(c);
        /* The kernel keeps the timeout in ticks: it reads back rounded up
         * to one, never less. */
        ck_assert_int_eq(FAM->set_accept_timeout(l, 1234), 0);
        ck_assert_int_eq(FAM->accept_timeout(l, &ms), 0);
        ck_assert_uint_ge(ms, 1234);
        ck_assert_uint_le(ms, 1244);
        ck_assert_int_eq(FAM->set_accept_timeout(l, 0), 0);
        ck_assert_int_eq(FAM->accept_timeout(l, &ms), 0);
        ck_assert_uint_eq(ms, 0);
        ck_assert_int_eq(FAM->accept_timeout(l, NULL), -EINVAL);
        FAM->lclose(l);
        ck_assert_int_eq(FAM->set_accept_timeout(NULL, 10), -EINVAL);
        ck_assert_int_eq(FAM->accept_timeout(NULL, &ms), -EINVAL);
}
END_TEST

START_TEST(tcp_accept_timeout_bounds_a_blocking_accept) {
        struct netsock_tcp_stream *s = NS_SENTINEL(netsock_tcp_stream);
        struct netsock_tcp_listener *l;
        struct netsock_addr la;
        unsigned ms = 99;
        long long t;

        l = ns_tcp_listen("127.0.0.1:0", 0, &la);

        ck_assert_int_eq(netsock_tcp_listener_accept_timeout(l, &ms), 0);
        ck_assert_uint_eq(ms, 0);
        ck_assert_int_eq(netsock_tcp_listener_set_accept_timeout(l, 100), 0);
        ck_assert_int_eq(netsock_tcp_listener_accept_timeout(l, &ms), 0);
        ck_assert_uint_eq(ms, 100);
        t = ns_now_ms();
        ck_assert_int_eq(netsock_tcp_listener_accept(l, 0, &s, NULL), -EAGAIN);
        ck_assert_int_ge(ns_elapsed_ms(t), 90);
        ck_assert_int_lt(ns_elapsed_ms(t), 2000);
        ck_assert_ptr_eq(s, NS_SENTINEL(netsock_tcp_stream));
        ck_assert_int_eq(netsock_tcp_listener_accept_timeout(l, NULL), -EINVAL);
        netsock_tcp_listener_close(l);
        ck_assert_int_eq(netsock_tcp_listener_set_accept_timeout(NULL, 1), -EINVAL);
        ck_assert_int_eq(netsock_tcp_listener_accept_timeout(NULL, &ms), -EINVAL);
}
END_TEST

/* ---- connect_timeout ----------------------------------------------------- */

/* A raw listener at path with backlog 0 and one connection queued in it:
 * its backlog is full (Linux: full once more are queued than the backlog). */
struct full {
        int lfd;
        int filler;
        char path[256];
};

static void full_open(struct full *f, int type) {
        ns_keep(f->path, sizeof(f->path), ns_tmppath("full"));
        f->lfd = ns_unix_bound_socket(f->path, type | SOCK_CLOEXEC);
        ck_assert_int_eq(listen(f->lfd, 0), 0);
        f->filler = socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        ck_assert_int_ge(f->filler, 0);
        {
                struct netsock_addr a;

                ck_assert_int_eq(netsock_addr_unix(&a, f->path), 0);
                ck_assert_int_eq(connect(f->filler, (const struct sockaddr *) &a.storage, a.len), 0);
        }
}

static void full_close(struct full *f) {
        close(f->filler);
        close(f->lfd);
}

START_TEST(connect_timeout_on_a_full_backlog_times_out) {
        struct full f;
        void *c = NULL;
        long long t;
        int before;

        full_open(&f, FAM->type);
        /* Full indeed: a nonblocking connect is refused with -EAGAIN. */
        ck_assert_int_eq(FAM->connect(f.path, NETSOCK_NONBLOCK, &c), -EAGAIN);
        before = ns_count_fds();
        t = ns_now_ms();
        ck_assert_int_eq(FAM->connect_timeout(f.path, 200, 0, &c), -ETIMEDOUT);
        ck_assert_int_ge(ns_elapsed_ms(t), 180);
        ck_assert_int_lt(ns_elapsed_ms(t), 3000);
        ck_assert_int_eq(FAM->connect_timeout(f.path, 50, NETSOCK_NONBLOCK, &c), -ETIMEDOUT);
        ck_assert_ptr_null(c);
        ck_assert_int_eq(ns_count_fds(), before);
        full_close(&f);
}
END_TEST

/* SO_SNDTIMEO of fd in ms, read without the library. */
static long send_timeout_ms(int fd) {
        struct timeval tv;
        socklen_t len = sizeof(tv);

        ck_assert_int_eq(getsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, &len), 0);
        return tv.tv_sec * 1000L + tv.tv_usec / 1000;
}

/* Signals during the wait do not end it early (the connect is retried for
 * what is left of the time) and do not make it last longer than asked. */
START_TEST(connect_timeout_resumes_after_signals) {
        struct full f;
        void *c = NULL;
        long long t, took;

        full_open(&f, FAM->type);
        ns_arm_alarm(30, 30);
        t = ns_now_ms();
        ck_assert_int_eq(FAM->connect_timeout(f.path, 300, 0, &c), -ETIMEDOUT);
        took = ns_elapsed_ms(t);
        ns_disarm_alarm();
        ck_assert_int_ge(ns_alarms(), 3);
        ck_assert_int_ge(took, 280);
        ck_assert_int_lt(took, 3000);
        ck_assert_ptr_null(c);
        full_close(&f);
}
END_TEST

struct accept_later {
        int lfd;
        long delay_ms;
        int accepted;
};

static void *accept_after_delay(void *arg) {
        struct accept_later *a = arg;

        ns_sleep_ms(a->delay_ms);
        a->accepted = accept4(a->lfd, NULL, NULL, SOCK_CLOEXEC);
        return NULL;
}

/* A slot that frees during the wait lets the connect through; the handle
 * is blocking and has no write timeout left over. */
START_TEST(connect_timeout_succeeds_when_a_slot_frees) {
        struct accept_later al;
        struct full f;
        pthread_t th;
        void *c = NULL;
        long long t;

        full_open(&f, FAM->type);
        al.lfd = f.lfd;
        al.delay_ms = 100;
        al.accepted = -1;
        ck_assert_int_eq(pthread_create(&th, NULL, accept_after_delay, &al), 0);
        t = ns_now_ms();
        ck_assert_int_eq(FAM->connect_timeout(f.path, 5000, 0, &c), 0);
        ck_assert_int_ge(ns_elapsed_ms(t), 80);
        ck_assert_int_lt(ns_elapsed_ms(t), 4000);
        ck_assert_int_eq(pthread_join(th, NULL), 0);
        ck_assert_int_ge(al.accepted, 0);
        ck_assert(!ns_fd_has_nonblock(FAM->fd(c)));
        ck_assert(ns_fd_has_cloexec(FAM->fd(c)));
        ck_assert_int_eq(send_timeout_ms(FAM->fd(c)), 0);
        FAM->close(c);
        close(al.accepted);
        full_close(&f);
}
END_TEST

START_TEST(connect_timeout_nonblock_and_plain_cases) {
        void *l, *c = NULL, *s;
        struct netsock_addr a;
        char name[NETSOCK_ADDRSTRLEN];

        ck_assert_int_eq(FAM->bind_mode(ns_tmppath("s"), 0600, 0, &l), 0);
        ck_assert_int_eq(FAM->connect_timeout(ns_tmppath("s"), 1000, NETSOCK_NONBLOCK, &c), 0);
        ck_assert(ns_fd_has_nonblock(FAM->fd(c)));
        ck_assert_int_eq(send_timeout_ms(FAM->fd(c)), 0);
        ck_assert_int_eq(FAM->accept(l, 0, &s), 0);
        FAM->close(s);
        FAM->close(c);
        c = NULL;
        ck_assert_int_eq(FAM->connect_timeout(ns_tmppath("s"), 0, 0, &c), -EINVAL);
        ck_assert_int_eq(FAM->connect_timeout(ns_tmppath("s"), 100, 0x4000, &c), -EINVAL);
        ck_assert_int_eq(FAM->connect_timeout(ns_tmppath("s"), 100, NETSOCK_REMOVE_ON_CLOSE, &c), -EINVAL);
        ck_assert_int_eq(FAM->connect_timeout(NULL, 100, 0, &c), -EINVAL);
        ck_assert_int_eq(FAM->connect_timeout(ns_tmppath("nobody"), 100, 0, &c), -ENOENT);
        ck_assert_ptr_null(c);
        ck_assert_int_eq(netsock_unix_stream_connect_timeout(ns_tmppath("s"), 100, 0, NULL), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_connect_timeout(ns_tmppath("s"), 100, 0, NULL), -EINVAL);
        FAM->lclose(l);
        ck_assert_int_eq(FAM->connect_timeout(ns_tmppath("s"), 100, 0, &c), -ECONNREFUSED);
        ck_assert_int_eq(FAM->bind_auto(0, &l), 0);
        ck_assert_int_eq(FAM->local_addr(l, &a), 0);
        ns_keep(name, sizeof(name), addr_text(&a));
        ck_assert_int_eq(FAM->connect_timeout(name, 100, 0, &c), 0);
        ck_assert_int_eq(FAM->accept(l, 0, &s), 0);
        FAM->close(s);
        FAM->close(c);
        FAM->lclose(l);
        ck_assert_int_eq(FAM->connect_timeout(ns_abstract_name("nobody"), 100, 0, &c), -ECONNREFUSED);
}
END_TEST

/* ---- peer identity (§10) -------------------------------------------------- */

/* A child that connects to name after setgroups(groups) (if n > 0), sends
 * one byte, and exits once it reads one back (or the parent hangs up). */
struct peer_child {
        const struct family *f;
        const char *name;
        const gid_t *groups;
        size_t ngroups;
};

static int child_connect_and_wait(const void *arg) {
        const struct peer_child *p = arg;
        void *s;
        char c;

        if (p->ngroups && setgroups(p->ngroups, p->groups) < 0)
                return 30;
        if (p->f->connect(p->name, 0, &s) < 0)
                return 31;
        if (p->f->send(s, "x", 1) != 1)
                return 32;
        if (read(p->f->fd(s), &c, 1) < 0)
                return 33;
        p->f->close(s);
        return 0;
}

/* Binds an autobound listener; its name goes into name. */
static void *auto_listener(const struct family *f, char *name, size_t size) {
        struct netsock_addr a;
        void *l;

        ck_assert_int_eq(f->bind_auto(0, &l), 0);
        ck_assert_int_eq(f->local_addr(l, &a), 0);
        ns_keep(name, size, addr_text(&a));
        return l;
}

static void release_child(const struct family *f, void *s, pid_t pid) {
        ck_assert_int_eq(f->send(s, "y", 1), 1);
        ns_assert_child_ok(pid);
}

START_TEST(peer_pidfd_names_the_connecting_child) {
        char name[NETSOCK_ADDRSTRLEN];
        void *l = auto_listener(FAM, name, sizeof(name)), *s;
        struct peer_child pc = { FAM, name, NULL, 0 };
        int pidfd = -7;
        pid_t pid;

        pid = fork_child(child_connect_and_wait, &pc);
        ck_assert_int_eq(FAM->accept(l, 0, &s), 0);
        ck_assert_int_eq(FAM->peer_pidfd(s, &pidfd), 0);
        ck_assert(ns_is_pidfd(pidfd));
        ck_assert(ns_fd_has_cloexec(pidfd));
        ck_assert_int_eq(ns_pidfd_pid(pidfd), pid);
        release_child(FAM, s, pid);
        /* Reaped: the pidfd still refers to that process, which is gone. */
        ck_assert_int_eq(ns_pidfd_pid(pidfd), -1);
        ck_assert_int_eq(close(pidfd), 0);
        FAM->close(s);
        FAM->lclose(l);
}
END_TEST

START_TEST(peer_pidfd_of_a_pair_is_this_process) {
        void *a, *b;
        int pidfd = -7;

        ck_assert_int_eq(FAM->pair(0, &a, &b), 0);
        ck_assert_int_eq(FAM->peer_pidfd(b, &pidfd), 0);
        ck_assert(ns_fd_has_cloexec(pidfd));
        ck_assert_int_eq(ns_pidfd_pid(pidfd), getpid());
        close(pidfd);
        pidfd = -7;
        ck_assert_int_eq(FAM->peer_pidfd(a, NULL), -EINVAL);
        ck_assert_int_eq(FAM->peer_pidfd(NULL, &pidfd), -EINVAL);
        ck_assert_int_eq(pidfd, -7);
        FAM->close(a);
        FAM->close(b);
}
END_TEST

START_TEST(peer_groups_are_the_childs_supplementary_groups) {
        static const gid_t want[] = { 10, 20, 30 };
        char name[NETSOCK_ADDRSTRLEN];
        void *l = auto_listener(FAM, name, sizeof(name)), *s;
        struct peer_child pc = { FAM, name, want, 3 };
        gid_t got[8], two[3] = { 77, 77, 77 };
        pid_t pid;

        if (geteuid() != 0)
                return;   /* setgroups needs CAP_SETGID */
        pid = fork_child(child_connect_and_wait, &pc);
        ck_assert_int_eq(FAM->accept(l, 0, &s), 0);
        ck_assert_int_eq(FAM->peer_groups(s, got, 8), 3);
        ck_assert_uint_eq(got[0], 10);
        ck_assert_uint_eq(got[1], 20);
        ck_assert_uint_eq(got[2], 30);
        /* snprintf-like: the count, and the first n in the buffer. */
        ck_assert_int_eq(FAM->peer_groups(s, two, 2), 3);
        ck_assert_uint_eq(two[0], 10);
        ck_assert_uint_eq(two[1], 20);
        ck_assert_uint_eq(two[2], 77);
        ck_assert_int_eq(FAM->peer_groups(s, NULL, 0), 3);
        ck_assert_int_eq(FAM->peer_groups(s, got, 0), 3);
        ck_assert_int_eq(FAM->peer_groups(s, got, 3), 3);
        ck_assert_int_eq(FAM->peer_groups(s, NULL, 1), -EINVAL);
        ck_assert_int_eq(FAM->peer_groups(NULL, got, 8), -EINVAL);
        release_child(FAM, s, pid);
        FAM->close(s);
        FAM->lclose(l);
}
END_TEST

START_TEST(peer_groups_of_a_pair_are_ours) {
        gid_t mine[64], got[64];
        void *a, *b;
        int n = getgroups(64, mine), i;

        ck_assert_int_ge(n, 0);
        ck_assert_int_eq(FAM->pair(0, &a, &b), 0);
        ck_assert_int_eq(FAM->peer_groups(a, got, 64), n);
        for (i = 0; i < n; i++)
                ck_assert_uint_eq(got[i], mine[i]);
        FAM->close(a);
        FAM->close(b);
}
END_TEST

/* set_passpidfd on the listener, before the child connects: the accepted
 * connection inherits it and recv_ancillary hands out the child's pidfd. */
START_TEST(listener_passpidfd_hands_out_the_senders_pidfd) {
        char name[NETSOCK_ADDRSTRLEN], c;
        void *l = auto_listener(FAM, name, sizeof(name)), *s;
        struct peer_child pc = { FAM, name, NULL, 0 };
        struct netsock_ancillary anc;
        struct iovec iov = { &c, 1 };
        pid_t pid;

        ck_assert_int_eq(FAM->l_set_passpidfd(l, true), 0);
        pid = fork_child(child_connect_and_wait, &pc);
        ck_assert_int_eq(FAM->accept(l, 0, &s), 0);
        memset(&anc, 0, sizeof(anc));
        ck_assert_int_eq(FAM->recv_ancillary(s, &iov, 1, &anc), 1);
        ck_assert_int_eq(c, 'x');
        ck_assert_uint_eq(anc.flags, NETSOCK_MSG_PIDFD);
        ck_assert(ns_is_pidfd(anc.pidfd));
        ck_assert(ns_fd_has_cloexec(anc.pidfd));
        ck_assert_int_eq(ns_pidfd_pid(anc.pidfd), pid);
        release_child(FAM, s, pid);
        close(anc.pidfd);
        FAM->close(s);
        FAM->lclose(l);
}
END_TEST

/* Whether the kernel has SO_PASSRIGHTS (Linux 6.16).  Before it the calls
 * return -ENOPROTOOPT, which the man pages document. */
static bool have_passrights(void) {
        return ns_have_unix_option(SO_PASSRIGHTS);
}

static void assert_fds_refused(const struct family *f, void *from, void *to) {
        struct netsock_ancillary anc;
        struct iovec iov = { (void *) "m", 1 };
        int p[2], before;
        char buf[4];

        ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
        before = ns_count_fds();
        ck_assert_int_eq(f->send_fds(from, "m", 1, &p[0], 1), -EPERM);
        memset(&anc, 0, sizeof(anc));
        anc.fds = &p[1];
        anc.nfds = 1;
        ck_assert_int_eq(f->send_ancillary(from, &iov, 1, &anc), -EPERM);
        /* Nothing arrived, and data without fds still goes through. */
        ck_assert_int_eq(f->send(from, "d", 1), 1);
        memset(&anc, 0, sizeof(anc));
        iov.iov_base = buf;
        iov.iov_len = sizeof(buf);
        ck_assert_int_eq(f->recv_ancillary(to, &iov, 1, &anc), 1);
        ck_assert_int_eq(buf[0], 'd');
        ck_assert_uint_eq(anc.nfds, 0);
        ck_assert_int_eq(ns_count_fds(), before);
        close(p[0]);
        close(p[1]);
}

START_TEST(passrights_off_refuses_the_peers_fds) {
        void *a, *b;
        int p[2], got[1];
        struct netsock_ancillary anc;
        struct iovec iov;
        char c;

        ck_assert_int_eq(FAM->pair(0, &a, &b), 0);
        if (!have_passrights()) {
                ck_assert_int_eq(FAM->set_passrights(b, false), -ENOPROTOOPT);
                goto out;
        }
        ck_assert_int_eq(FAM->set_passrights(b, false), 0);
        assert_fds_refused(FAM, a, b);
        /* On again: fds pass. */
        ck_assert_int_eq(FAM->set_passrights(b, true), 0);
        ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
        ck_assert_int_eq(FAM->send_fds(a, "m", 1, &p[0], 1), 1);
        memset(&anc, 0, sizeof(anc));
        anc.fds = got;
        anc.nfds = 1;
        iov.iov_base = &c;
        iov.iov_len = 1;
        ck_assert_int_eq(FAM->recv_ancillary(b, &iov, 1, &anc), 1);
        ck_assert_uint_eq(anc.nfds, 1);
        ck_assert(ns_same_file(got[0], p[0]));
        close(got[0]);
        close(p[0]);
        close(p[1]);
        ck_assert_int_eq(FAM->set_passrights(NULL, false), -EINVAL);
out:
        FAM->close(a);
        FAM->close(b);
}
END_TEST

START_TEST(listener_passrights_off_is_inherited) {
        char name[NETSOCK_ADDRSTRLEN];
        void *l = auto_listener(FAM, name, sizeof(name)), *c, *s;

        if (!have_passrights()) {
                ck_assert_int_eq(FAM->l_set_passrights(l, false), -ENOPROTOOPT);
                FAM->lclose(l);
                return;
        }
        ck_assert_int_eq(FAM->l_set_passrights(l, false), 0);
        ck_assert_int_eq(FAM->connect(name, 0, &c), 0);
        ck_assert_int_eq(FAM->accept(l, 0, &s), 0);
        assert_fds_refused(FAM, c, s);
        ck_assert_int_eq(FAM->l_set_passrights(NULL, false), -EINVAL);
        FAM->close(c);
        FAM->close(s);
        FAM->lclose(l);
}
END_TEST

static Suite *daemons_suite(void) {
        Suite *s = suite_create("daemons");
        TCase *tc;

        tc = ns_tcase(s, "bind_mode");
        tcase_add_loop_test(tc, bind_mode_gives_exact_mode_under_any_umask, 0, NFAMILIES);
        tcase_add_loop_test(tc, bind_mode_leaves_the_umask_alone, 0, NFAMILIES);
        tcase_add_loop_test(tc, bind_mode_rejects_abstract_names_bad_modes_and_flags, 0, NFAMILIES);
        tcase_add_loop_test(tc, bind_mode_failures_leave_nothing_behind, 0, NFAMILIES);
        tcase_add_loop_test(tc, bind_mode_takes_the_flags_of_bind, 0, NFAMILIES);
        tcase_add_loop_test(tc, bind_mode_file_is_never_seen_wider, 0, NFAMILIES);

        tc = ns_tcase(s, "bind_auto");
        tcase_add_loop_test(tc, bind_auto_gets_a_kernel_chosen_abstract_name, 0, NFAMILIES);
        tcase_add_loop_test(tc, bind_auto_takes_only_nonblock, 0, NFAMILIES);

        tc = ns_tcase(s, "timeouts");
        tcase_add_loop_test(tc, accept_timeout_bounds_a_blocking_accept, 0, NFAMILIES);
        tcase_add_test(tc, tcp_accept_timeout_bounds_a_blocking_accept);
        tcase_add_loop_test(tc, connect_timeout_on_a_full_backlog_times_out, 0, NFAMILIES);
        tcase_add_loop_test(tc, connect_timeout_succeeds_when_a_slot_frees, 0, NFAMILIES);
        tcase_add_loop_test(tc, connect_timeout_resumes_after_signals, 0, NFAMILIES);
        tcase_add_loop_test(tc, connect_timeout_nonblock_and_plain_cases, 0, NFAMILIES);

        tc = ns_tcase(s, "identity");
        tcase_add_loop_test(tc, peer_pidfd_names_the_connecting_child, 0, NFAMILIES);
        tcase_add_loop_test(tc, peer_pidfd_of_a_pair_is_this_process, 0, NFAMILIES);
        tcase_add_loop_test(tc, peer_groups_are_the_childs_supplementary_groups, 0, NFAMILIES);
        tcase_add_loop_test(tc, peer_groups_of_a_pair_are_ours, 0, NFAMILIES);
        tcase_add_loop_test(tc, listener_passpidfd_hands_out_the_senders_pidfd, 0, NFAMILIES);
        tcase_add_loop_test(tc, passrights_off_refuses_the_peers_fds, 0, NFAMILIES);
        tcase_add_loop_test(tc, listener_passrights_off_is_inherited, 0, NFAMILIES);
        return s;
}

NS_TEST_MAIN(daemons_suite)
