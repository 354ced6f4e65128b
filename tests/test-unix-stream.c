/* SPDX-License-Identifier: MIT */
/*
 * Unix stream sockets and listeners (API.md section 5): connect by path,
 * abstract name and address; pairs; the data calls; addresses; fd passing
 * and credentials; listener flags (REMOVE_ON_CLOSE, REPLACE_STALE,
 * NONBLOCK); and the common calls on both handle types.
 *
 * Every test runs under the fd-leak fixture of common.c, so a test that
 * checks "no fd leaked" only needs exact counts where it wants to prove
 * something stronger (exactly one new fd, none on an error path).  Forked
 * helpers end with _exit() and report through their exit status only.
 */
#include "config.h"
#include "common.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* ---- helpers ------------------------------------------------------------ */

static struct netsock_unix_listener *listen_at(const char *name, int flags) {
        struct netsock_unix_listener *l = NULL;

        ck_assert_int_eq(netsock_unix_listener_bind(name, flags, &l), 0);
        ck_assert_ptr_nonnull(l);
        return l;
}

static struct netsock_unix_stream *connect_to(const char *name, int flags) {
        struct netsock_unix_stream *s = NULL;

        ck_assert_int_eq(netsock_unix_stream_connect(name, flags, &s), 0);
        ck_assert_ptr_nonnull(s);
        return s;
}

static struct netsock_unix_stream *accept_from(struct netsock_unix_listener *l, int flags) {
        struct netsock_unix_stream *s = NULL;

        ck_assert_int_eq(netsock_unix_listener_accept(l, flags, &s, NULL), 0);
        ck_assert_ptr_nonnull(s);
        return s;
}

static void make_pair(int flags, struct netsock_unix_stream **a, struct netsock_unix_stream **b) {
        *a = *b = NULL;
        ck_assert_int_eq(netsock_unix_stream_pair(flags, a, b), 0);
        ck_assert_ptr_nonnull(*a);
        ck_assert_ptr_nonnull(*b);
}

/* Sends msg on one end and receives exactly those bytes on the other. */
static void assert_transfer(struct netsock_unix_stream *from, struct netsock_unix_stream *to, const char *msg) {
        char buf[256];
        size_t n = strlen(msg);

        ck_assert_uint_lt(n, sizeof(buf));
        ck_assert_int_eq(netsock_unix_stream_send(from, msg, n), (ssize_t) n);
        memset(buf, 0, sizeof(buf));
        ck_assert_int_eq(netsock_unix_stream_recv_exact(to, buf, n), (ssize_t) n);
        ck_assert_mem_eq(buf, msg, n);
}

/* An absolute path of exactly len bytes inside the test's tmpdir (the file
 * does not exist). */
static void path_of_length(char *buf, size_t size, size_t len) {
        size_t n;

        ck_assert_uint_gt(size, len);
        n = (size_t) snprintf(buf, size, "%s/", ns_tmpdir());
        ck_assert_uint_lt(n, len);
        memset(buf + n, 'p', len - n);
        buf[len] = '\0';
        ck_assert_uint_eq(strlen(buf), len);
}

/* ---- connect ------------------------------------------------------------ */

START_TEST(connect_by_path_reaches_listener) {
        char path[512];
        struct netsock_unix_listener *l;
        struct netsock_unix_stream *c, *s;

        ns_keep(path, sizeof(path), ns_tmppath("srv.sock"));
        l = listen_at(path, 0);
        c = connect_to(path, 0);
        s = accept_from(l, 0);
        assert_transfer(c, s, "ping");
        assert_transfer(s, c, "pong!");
        netsock_unix_stream_close(c);
        netsock_unix_stream_close(s);
        netsock_unix_listener_close(l);
}
END_TEST

START_TEST(connect_by_abstract_name_reaches_listener) {
        char name[128];
        struct netsock_unix_listener *l;
        struct netsock_unix_stream *c, *s;

        ns_keep(name, sizeof(name), ns_abstract_name("conn"));
        l = listen_at(name, 0);
        c = connect_to(name, 0);
        s = accept_from(l, 0);
        assert_transfer(c, s, "abstract hello");
        netsock_unix_stream_close(c);
        netsock_unix_stream_close(s);
        netsock_unix_listener_close(l);
}
END_TEST

START_TEST(connect_addr_reaches_path_and_abstract_listeners) {
        char path[512], name[128];
        struct netsock_addr pa, aa;
        struct netsock_unix_listener *lp, *la;
        struct netsock_unix_stream *c = NULL, *s;

        ns_keep(path, sizeof(path), ns_tmppath("addr.sock"));
        ns_keep(name, sizeof(name), ns_abstract_name("addr"));
        ck_assert_int_eq(netsock_addr_unix(&pa, path), 0);
        ck_assert_int_eq(netsock_addr_abstract(&aa, name + 1, strlen(name + 1)), 0);
        lp = NULL;
        la = NULL;
        ck_assert_int_eq(netsock_unix_listener_bind_addr(&pa, 0, &lp), 0);
        ck_assert_int_eq(netsock_unix_listener_bind_addr(&aa, 0, &la), 0);

        ck_assert_int_eq(netsock_unix_stream_connect_addr(&pa, 0, &c), 0);
        s = accept_from(lp, 0);
        assert_transfer(c, s, "via path addr");
        netsock_unix_stream_close(c);
        netsock_unix_stream_close(s);

        c = NULL;
        ck_assert_int_eq(netsock_unix_stream_connect_addr(&aa, 0, &c), 0);
        s = accept_from(la, 0);
        assert_transfer(c, s, "via abstract addr");
        netsock_unix_stream_close(c);
        netsock_unix_stream_close(s);

        netsock_unix_listener_close(lp);
        netsock_unix_listener_close(la);
}
END_TEST

START_TEST(connect_missing_path_is_enoent) {
        struct netsock_unix_stream *s = NS_SENTINEL(netsock_unix_stream);
        int before = ns_count_fds();

        ck_assert_int_eq(netsock_unix_stream_connect(ns_tmppath("missing.sock"), 0, &s), -ENOENT);
        ck_assert_ptr_eq(s, NS_SENTINEL(netsock_unix_stream));  /* untouched on failure */
        ck_assert_int_eq(ns_count_fds(), before);
}
END_TEST

START_TEST(connect_path_longer_than_107_bytes_is_enametoolong) {
        char path[512];
        struct netsock_addr a;
        struct netsock_unix_stream *s = NULL;
        int before = ns_count_fds();

        path_of_length(path, sizeof(path), 108);
        ck_assert_int_eq(netsock_unix_stream_connect(path, 0, &s), -ENAMETOOLONG);
        ck_assert_ptr_null(s);
        ck_assert_int_eq(ns_count_fds(), before);

        /* 107 bytes still fits: the answer is about the missing file. */
        path_of_length(path, sizeof(path), 107);
        ck_assert_int_eq(netsock_unix_stream_connect(path, 0, &s), -ENOENT);
        ck_assert_ptr_null(s);
        ck_assert_int_eq(ns_count_fds(), before);

        /* An abstract name of 108 bytes does not fit either. */
        memset(path, 'a', sizeof(path));
        path[0] = '@';
        path[109] = '\0';
        ck_assert_int_eq(netsock_unix_stream_connect(path, 0, &s), -ENAMETOOLONG);
        ck_assert_int_eq(netsock_addr_abstract(&a, path + 1, 108), -ENAMETOOLONG);
        ck_assert_ptr_null(s);
        ck_assert_int_eq(ns_count_fds(), before);
}
END_TEST

START_TEST(connect_null_or_empty_name_is_einval) {
        struct netsock_unix_stream *s = NULL;
        struct netsock_addr empty;

        ck_assert_int_eq(netsock_unix_stream_connect(NULL, 0, &s), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_connect("", 0, &s), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_connect_addr(NULL, 0, &s), -EINVAL);
        memset(&empty, 0, sizeof(empty));
        ck_assert_int_eq(netsock_unix_stream_connect_addr(&empty, 0, &s), -EINVAL);
        ck_assert_ptr_null(s);
}
END_TEST

START_TEST(connect_null_ret_is_einval) {
        char path[512];
        struct netsock_unix_listener *l;
        int before;

        ns_keep(path, sizeof(path), ns_tmppath("nullret.sock"));
        l = listen_at(path, 0);
        before = ns_count_fds();
        ck_assert_int_eq(netsock_unix_stream_connect(path, 0, NULL), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_pair(0, NULL, NULL), -EINVAL);
        ck_assert_int_eq(ns_count_fds(), before);
        netsock_unix_listener_close(l);
}
END_TEST

START_TEST(connect_inet_addr_is_eafnosupport) {
        struct netsock_addr a;
        struct netsock_unix_stream *s = NULL;

        ck_assert_int_eq(netsock_addr_parse(&a, "127.0.0.1:1"), 0);
        ck_assert_int_eq(netsock_unix_stream_connect_addr(&a, 0, &s), -EAFNOSUPPORT);
        ck_assert_ptr_null(s);
}
END_TEST

START_TEST(connect_unknown_flags_is_einval) {
        char path[512];
        struct netsock_unix_listener *l;
        struct netsock_unix_stream *s = NULL;
        int before;

        ns_keep(path, sizeof(path), ns_tmppath("flags.sock"));
        l = listen_at(path, 0);
        before = ns_count_fds();
        /* Listener-only flags are unknown to connect. */
        ck_assert_int_eq(netsock_unix_stream_connect(path, (int) NETSOCK_REMOVE_ON_CLOSE, &s), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_connect(path, (int) NETSOCK_REPLACE_STALE, &s), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_connect(path, 0x100, &s), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_connect(path, -1, &s), -EINVAL);
        ck_assert_ptr_null(s);
        ck_assert_int_eq(ns_count_fds(), before);
        netsock_unix_listener_close(l);
}
END_TEST

START_TEST(connect_to_socket_file_nobody_listens_on_is_econnrefused) {
        char path[512];
        struct netsock_unix_stream *s = NULL;
        int before;

        ns_keep(path, sizeof(path), ns_tmppath("stale.sock"));
        ns_make_stale_socket_file(path, SOCK_STREAM);
        before = ns_count_fds();
        ck_assert_int_eq(netsock_unix_stream_connect(path, 0, &s), -ECONNREFUSED);
        ck_assert_int_eq(netsock_unix_stream_connect(path, (int) NETSOCK_NONBLOCK, &s), -ECONNREFUSED);
        ck_assert_ptr_null(s);
        ck_assert_int_eq(ns_count_fds(), before);
}
END_TEST

/* Linux answers a nonblocking Unix connect to a listener whose backlog is
 * full with EAGAIN (not EINPROGRESS). */
START_TEST(nonblocking_connect_to_full_backlog_is_eagain) {
        enum { MAX_CLIENTS = 10000 };
        struct netsock_unix_stream **clients = calloc(MAX_CLIENTS, sizeof(*clients));
        struct netsock_unix_listener *l;
        struct netsock_unix_stream *s, *late = NULL, *other;
        struct rlimit rl;
        char path[512];
        int i, n = 0, r = 0, lowest;
        long somaxconn;

        ck_assert_ptr_nonnull(clients);
        /* Room for a full SOMAXCONN backlog of client fds. */
        ns_raise_nofile_limit(MAX_CLIENTS + 64);
        somaxconn = ns_sysctl_long("/proc/sys/net/core/somaxconn", -1);

        ns_keep(path, sizeof(path), ns_tmppath("backlog.sock"));
        l = listen_at(path, 0);
        ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
        if (rl.rlim_cur != RLIM_INFINITY && (somaxconn < 0 || (long) rl.rlim_cur < somaxconn + 64)) {
                /* Not enough fds for the real backlog here: shrink it so
                 * that the behaviour under test stays the same. */
                ck_assert_int_eq(listen(netsock_unix_listener_fd(l), 16), 0);
                somaxconn = -1;
        }
        for (i = 0; i < MAX_CLIENTS; i++) {
                struct netsock_unix_stream *c = NULL;

                r = netsock_unix_stream_connect(path, (int) NETSOCK_NONBLOCK, &c);
                if (r < 0) {
                        ck_assert_ptr_null(c);
                        break;
                }
                clients[n++] = c;
        }
        ck_assert_int_eq(r, -EAGAIN);
        ck_assert_int_gt(n, 0);
        /* Listeners use backlog SOMAXCONN (clamped by the sysctl). */
        if (somaxconn > 0)
                ck_assert_int_ge(n, somaxconn < SOMAXCONN ? somaxconn : SOMAXCONN);
        /* A failed connect leaves no fd behind: the lowest free fd number
         * is the same before and after (this works above fd 1023 too,
         * where the fixture's map does not look). */
        lowest = ns_lowest_free_fd();
        ck_assert_int_eq(netsock_unix_stream_connect(path, (int) NETSOCK_NONBLOCK, &late), -EAGAIN);
        ck_assert_ptr_null(late);
        ck_assert_int_eq(ns_lowest_free_fd(), lowest);

        /* Taking one connection off the queue makes room for exactly one. */
        s = accept_from(l, 0);
        ck_assert_int_eq(netsock_unix_stream_connect(path, (int) NETSOCK_NONBLOCK, &late), 0);
        ck_assert_ptr_nonnull(late);
        other = NULL;
        ck_assert_int_eq(netsock_unix_stream_connect(path, (int) NETSOCK_NONBLOCK, &other), -EAGAIN);
        ck_assert_ptr_null(other);
        netsock_unix_stream_close(s);

        for (i = 0; i < n; i++)
                netsock_unix_stream_close(clients[i]);
        netsock_unix_stream_close(late);
        netsock_unix_listener_close(l);
        free(clients);
}
END_TEST

/* ---- pair and data -------------------------------------------------------- */

START_TEST(pair_blocking_and_nonblocking_read_back) {
        struct netsock_unix_stream *a, *b;
        bool on = true;

        make_pair(0, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_is_nonblocking(a, &on), 0);
        ck_assert(!on);
        on = true;
        ck_assert_int_eq(netsock_unix_stream_is_nonblocking(b, &on), 0);
        ck_assert(!on);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);

        make_pair((int) NETSOCK_NONBLOCK, &a, &b);
        on = false;
        ck_assert_int_eq(netsock_unix_stream_is_nonblocking(a, &on), 0);
        ck_assert(on);
        on = false;
        ck_assert_int_eq(netsock_unix_stream_is_nonblocking(b, &on), 0);
        ck_assert(on);

        /* set_nonblocking flips it both ways. */
        ck_assert_int_eq(netsock_unix_stream_set_nonblocking(a, false), 0);
        ck_assert_int_eq(netsock_unix_stream_is_nonblocking(a, &on), 0);
        ck_assert(!on);
        ck_assert_int_eq(netsock_unix_stream_set_nonblocking(a, true), 0);
        ck_assert_int_eq(netsock_unix_stream_is_nonblocking(a, &on), 0);
        ck_assert(on);
        ck_assert_int_eq(netsock_unix_stream_is_nonblocking(a, NULL), -EINVAL);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

START_TEST(pair_unknown_flags_is_einval) {
        struct netsock_unix_stream *a = NULL, *b = NULL;
        int before = ns_count_fds();

        ck_assert_int_eq(netsock_unix_stream_pair((int) NETSOCK_REMOVE_ON_CLOSE, &a, &b), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_pair(0x40, &a, &b), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_pair(0, &a, NULL), -EINVAL);
        ck_assert_ptr_null(a);
        ck_assert_ptr_null(b);
        ck_assert_int_eq(ns_count_fds(), before);
}
END_TEST

START_TEST(send_recv_exact_bytes_both_ways) {
        struct netsock_unix_stream *a, *b;
        char buf[64];

        make_pair(0, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_send(a, "hello", 5), 5);
        memset(buf, 0, sizeof(buf));
        ck_assert_int_eq(netsock_unix_stream_recv(b, buf, sizeof(buf)), 5);
        ck_assert_str_eq(buf, "hello");

        ck_assert_int_eq(netsock_unix_stream_send(b, "\0bin\xff", 5), 5);
        memset(buf, 'x', sizeof(buf));
        ck_assert_int_eq(netsock_unix_stream_recv(a, buf, sizeof(buf)), 5);
        ck_assert_mem_eq(buf, "\0bin\xff", 5);
        ck_assert_int_eq(buf[5], 'x');

        /* A short buffer takes a prefix; the rest stays queued. */
        ck_assert_int_eq(netsock_unix_stream_send(a, "abcdef", 6), 6);
        ck_assert_int_eq(netsock_unix_stream_recv(b, buf, 2), 2);
        ck_assert_mem_eq(buf, "ab", 2);
        ck_assert_int_eq(netsock_unix_stream_recv(b, buf, sizeof(buf)), 4);
        ck_assert_mem_eq(buf, "cdef", 4);

        /* Zero-length calls are fine; NULL with a length is not. */
        ck_assert_int_eq(netsock_unix_stream_send(a, NULL, 0), 0);
        ck_assert_int_eq(netsock_unix_stream_send(a, NULL, 1), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_recv(b, NULL, 1), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_send(NULL, "x", 1), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_recv(NULL, buf, 1), -EINVAL);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

START_TEST(send_vectored_recv_vectored_across_three_iovecs) {
        struct netsock_unix_stream *a, *b;
        char x[4], y[2], z[8];
        struct iovec out[3] = {
                { (void *) "ab", 2 }, { (void *) "cde", 3 }, { (void *) "fghi", 4 },
        };
        struct iovec in[3] = { { x, sizeof(x) }, { y, sizeof(y) }, { z, 3 } };

        make_pair(0, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_send_vectored(a, out, 3), 9);
        memset(x, 0, sizeof(x));
        memset(y, 0, sizeof(y));
        memset(z, 0, sizeof(z));
        ck_assert_int_eq(netsock_unix_stream_recv_vectored(b, in, 3), 9);
        ck_assert_mem_eq(x, "abcd", 4);
        ck_assert_mem_eq(y, "ef", 2);
        ck_assert_mem_eq(z, "ghi", 3);
        ck_assert_int_eq(z[3], '\0');

        /* iovcnt beyond IOV_MAX or a NULL array with a count: -EINVAL. */
        ck_assert_int_eq(netsock_unix_stream_send_vectored(a, out, (size_t) IOV_MAX + 1), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_send_vectored(a, NULL, 1), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_recv_vectored(b, in, (size_t) IOV_MAX + 1), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_recv_vectored(b, NULL, 2), -EINVAL);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

START_TEST(peek_leaves_data_queued) {
        struct netsock_unix_stream *a, *b;
        char buf[16];

        make_pair((int) NETSOCK_NONBLOCK, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_send(a, "xyz", 3), 3);
        memset(buf, 0, sizeof(buf));
        ck_assert_int_eq(netsock_unix_stream_peek(b, buf, sizeof(buf)), 3);
        ck_assert_str_eq(buf, "xyz");
        memset(buf, 0, sizeof(buf));
        ck_assert_int_eq(netsock_unix_stream_peek(b, buf, 2), 2);
        ck_assert_str_eq(buf, "xy");
        memset(buf, 0, sizeof(buf));
        ck_assert_int_eq(netsock_unix_stream_recv(b, buf, sizeof(buf)), 3);
        ck_assert_str_eq(buf, "xyz");
        ck_assert_int_eq(netsock_unix_stream_peek(b, buf, sizeof(buf)), -EAGAIN);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

START_TEST(recv_on_nonblocking_empty_socket_is_eagain) {
        struct netsock_unix_stream *a, *b;
        char buf[8];
        struct iovec iov = { buf, sizeof(buf) };

        make_pair((int) NETSOCK_NONBLOCK, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_recv(b, buf, sizeof(buf)), -EAGAIN);
        ck_assert_int_eq(netsock_unix_stream_recv_vectored(b, &iov, 1), -EAGAIN);
        ck_assert_int_eq(netsock_unix_stream_recv_exact(b, buf, sizeof(buf)), -EAGAIN);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

START_TEST(recv_returns_zero_at_eof) {
        struct netsock_unix_stream *a, *b;
        char buf[8];

        make_pair(0, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_send(a, "end", 3), 3);
        netsock_unix_stream_close(a);
        ck_assert_int_eq(netsock_unix_stream_recv(b, buf, sizeof(buf)), 3);
        ck_assert_int_eq(netsock_unix_stream_recv(b, buf, sizeof(buf)), 0);
        ck_assert_int_eq(netsock_unix_stream_recv(b, buf, sizeof(buf)), 0);
        netsock_unix_stream_close(b);
}
END_TEST

START_TEST(shutdown_write_gives_peer_eof) {
        struct netsock_unix_stream *a, *b;
        char buf[8];

        make_pair(0, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_shutdown(a, 42), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_shutdown(a, SHUT_WR), 0);
        ck_assert_int_eq(netsock_unix_stream_recv(b, buf, sizeof(buf)), 0);
        /* The other direction still works. */
        ck_assert_int_eq(netsock_unix_stream_send(b, "ok", 2), 2);
        ck_assert_int_eq(netsock_unix_stream_recv(a, buf, sizeof(buf)), 2);
        ck_assert_int_eq(netsock_unix_stream_send(a, "no", 2), -EPIPE);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

START_TEST(send_to_closed_peer_is_epipe_without_sigpipe) {
        struct netsock_unix_stream *a, *b;
        struct iovec iov = { (void *) "v", 1 };
        struct netsock_ancillary anc;
        int p[2];

        /* The test means something only if SIGPIPE would kill us. */
        ns_assert_sigpipe_is_fatal();

        ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
        make_pair(0, &a, &b);
        netsock_unix_stream_close(b);
        ck_assert_int_eq(netsock_unix_stream_send(a, "x", 1), -EPIPE);
        ck_assert_int_eq(netsock_unix_stream_send_vectored(a, &iov, 1), -EPIPE);
        ck_assert_int_eq(netsock_unix_stream_send_all(a, "xyz", 3), -EPIPE);
        ck_assert_int_eq(netsock_unix_stream_send_fds(a, "x", 1, &p[1], 1), -EPIPE);
        memset(&anc, 0, sizeof(anc));
        anc.fds = &p[0];
        anc.nfds = 1;
        ck_assert_int_eq(netsock_unix_stream_send_ancillary(a, &iov, 1, &anc), -EPIPE);
        netsock_unix_stream_close(a);
        close(p[0]);
        close(p[1]);
}
END_TEST

START_TEST(send_all_delivers_one_mib_to_slow_reader) {
        /* Reader: starts late so the writer fills the socket buffer and
         * blocks, then reads in small pieces. */
        static const struct ns_trickle reader = { .len = NS_MIB, .chunk = 1000, .delay_ms = 50 };
        struct netsock_unix_stream *a, *b;
        unsigned char *data = malloc(NS_MIB);
        pid_t pid;

        ck_assert_ptr_nonnull(data);
        ns_fill_pattern(data, NS_MIB);
        make_pair(0, &a, &b);
        pid = ns_fork_pattern_reader(netsock_unix_stream_fd(b), netsock_unix_stream_fd(a), &reader);
        netsock_unix_stream_close(b);
        ck_assert_int_eq(netsock_unix_stream_send_all(a, data, NS_MIB), 0);
        netsock_unix_stream_close(a);
        ns_assert_child_ok(pid);
        free(data);
}
END_TEST

START_TEST(recv_exact_collects_one_mib_from_chunked_writer) {
        /* Writer: 1 MiB in odd-sized pieces, then 5 bytes, then EOF. */
        static const struct ns_trickle writer = { .len = NS_MIB, .chunk = 777, .tail = "tail!" };
        struct netsock_unix_stream *a, *b;
        unsigned char *data = malloc(NS_MIB + 64);
        pid_t pid;

        ck_assert_ptr_nonnull(data);
        make_pair(0, &a, &b);
        pid = ns_fork_pattern_writer(netsock_unix_stream_fd(a), netsock_unix_stream_fd(b), &writer);
        netsock_unix_stream_close(a);
        ck_assert_int_eq(netsock_unix_stream_recv_exact(b, data, NS_MIB), NS_MIB);
        ns_assert_pattern(data, NS_MIB);
        /* Fewer than asked only at EOF. */
        memset(data, 0, 64);
        ck_assert_int_eq(netsock_unix_stream_recv_exact(b, data, 64), 5);
        ck_assert_mem_eq(data, "tail!", 5);
        ck_assert_int_eq(netsock_unix_stream_recv_exact(b, data, 64), 0);
        netsock_unix_stream_close(b);
        ns_assert_child_ok(pid);
        free(data);
}
END_TEST

/* ---- addresses -------------------------------------------------------------- */

START_TEST(path_connection_addresses) {
        char path[512], text[NETSOCK_ADDRSTRLEN];
        struct netsock_addr bound, got, peer;
        struct netsock_unix_listener *l;
        struct netsock_unix_stream *c, *s = NULL;

        ns_keep(path, sizeof(path), ns_tmppath("addrs.sock"));
        ck_assert_int_eq(netsock_addr_unix(&bound, path), 0);
        l = listen_at(path, 0);
        ck_assert_int_eq(netsock_unix_listener_local_addr(l, &got), 0);
        ck_assert(netsock_addr_equal(&got, &bound));
        ns_format_addr(&got, text, sizeof(text));
        ck_assert_str_eq(text, path);
        ck_assert_int_eq(netsock_addr_unix_kind(&got), NETSOCK_UNIX_PATH);

        c = connect_to(path, 0);
        memset(&peer, 0xaa, sizeof(peer));
        ck_assert_int_eq(netsock_unix_listener_accept(l, 0, &s, &peer), 0);
        /* accept's ret_peer: the client never bound, so it is unnamed. */
        ck_assert_int_eq(netsock_addr_family(&peer), AF_UNIX);
        ck_assert_int_eq(netsock_addr_unix_kind(&peer), NETSOCK_UNIX_UNNAMED);
        ns_format_addr(&peer, text, sizeof(text));
        ck_assert_str_eq(text, "(unnamed)");

        /* Client: local unnamed, peer the path. */
        ck_assert_int_eq(netsock_unix_stream_local_addr(c, &got), 0);
        ck_assert_int_eq(netsock_addr_unix_kind(&got), NETSOCK_UNIX_UNNAMED);
        ns_format_addr(&got, text, sizeof(text));
        ck_assert_str_eq(text, "(unnamed)");
        ck_assert(netsock_addr_equal(&got, &peer));
        ck_assert_int_eq(netsock_unix_stream_peer_addr(c, &got), 0);
        ck_assert(netsock_addr_equal(&got, &bound));
        ns_format_addr(&got, text, sizeof(text));
        ck_assert_str_eq(text, path);

        /* Accepted side: local the path, peer unnamed. */
        ck_assert_int_eq(netsock_unix_stream_local_addr(s, &got), 0);
        ck_assert(netsock_addr_equal(&got, &bound));
        ck_assert_int_eq(netsock_unix_stream_peer_addr(s, &got), 0);
        ns_format_addr(&got, text, sizeof(text));
        ck_assert_str_eq(text, "(unnamed)");

        ck_assert_int_eq(netsock_unix_stream_local_addr(c, NULL), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_peer_addr(c, NULL), -EINVAL);
        ck_assert_int_eq(netsock_unix_listener_local_addr(l, NULL), -EINVAL);
        netsock_unix_stream_close(c);
        netsock_unix_stream_close(s);
        netsock_unix_listener_close(l);
}
END_TEST

START_TEST(abstract_connection_addresses) {
        char name[128], text[NETSOCK_ADDRSTRLEN];
        struct netsock_addr expect, got, peer;
        struct netsock_unix_listener *l;
        struct netsock_unix_stream *c, *s = NULL;

        ns_keep(name, sizeof(name), ns_abstract_name("addrs"));
        ck_assert_int_eq(netsock_addr_abstract(&expect, name + 1, strlen(name + 1)), 0);
        l = listen_at(name, 0);
        ck_assert_int_eq(netsock_unix_listener_local_addr(l, &got), 0);
        ck_assert(netsock_addr_equal(&got, &expect));
        ck_assert_int_eq(netsock_addr_unix_kind(&got), NETSOCK_UNIX_ABSTRACT);
        ck_assert_int_eq(got.len, offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name + 1));
        ns_format_addr(&got, text, sizeof(text));
        ck_assert_str_eq(text, name);

        c = connect_to(name, 0);
        ck_assert_int_eq(netsock_unix_listener_accept(l, 0, &s, &peer), 0);
        ck_assert_int_eq(netsock_addr_unix_kind(&peer), NETSOCK_UNIX_UNNAMED);
        ck_assert_int_eq(netsock_unix_stream_peer_addr(c, &got), 0);
        ck_assert(netsock_addr_equal(&got, &expect));
        ns_format_addr(&got, text, sizeof(text));
        ck_assert_str_eq(text, name);
        ck_assert_int_eq(netsock_unix_stream_local_addr(s, &got), 0);
        ck_assert(netsock_addr_equal(&got, &expect));
        ck_assert_int_eq(netsock_unix_stream_local_addr(c, &got), 0);
        ck_assert_int_eq(netsock_addr_unix_kind(&got), NETSOCK_UNIX_UNNAMED);
        netsock_unix_stream_close(c);
        netsock_unix_stream_close(s);
        netsock_unix_listener_close(l);
}
END_TEST

START_TEST(accept_with_null_ret_peer) {
        char path[512];
        struct netsock_unix_listener *l;
        struct netsock_unix_stream *c, *s = NULL;

        ns_keep(path, sizeof(path), ns_tmppath("nullpeer.sock"));
        l = listen_at(path, 0);
        c = connect_to(path, 0);
        ck_assert_int_eq(netsock_unix_listener_accept(l, 0, &s, NULL), 0);
        ck_assert_ptr_nonnull(s);
        assert_transfer(s, c, "no peer wanted");
        ck_assert_int_eq(netsock_unix_listener_accept(l, 0, NULL, NULL), -EINVAL);
        ck_assert_int_eq(netsock_unix_listener_accept(NULL, 0, &s, NULL), -EINVAL);
        netsock_unix_stream_close(c);
        netsock_unix_stream_close(s);
        netsock_unix_listener_close(l);
}
END_TEST

START_TEST(pair_addresses_are_unnamed) {
        struct netsock_unix_stream *a, *b;
        struct netsock_addr got;
        char text[NETSOCK_ADDRSTRLEN];

        make_pair(0, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_local_addr(a, &got), 0);
        ck_assert_int_eq(netsock_addr_unix_kind(&got), NETSOCK_UNIX_UNNAMED);
        ck_assert_int_eq(netsock_unix_stream_peer_addr(a, &got), 0);
        ck_assert_int_eq(netsock_addr_unix_kind(&got), NETSOCK_UNIX_UNNAMED);
        ns_format_addr(&got, text, sizeof(text));
        ck_assert_str_eq(text, "(unnamed)");
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

/* ---- fd passing ------------------------------------------------------------- */

START_TEST(send_fds_one_pipe_end_usable_by_receiver) {
        struct netsock_unix_stream *a, *b;
        int p[2], got = -1;
        size_t n = 1;
        unsigned flags = 0xff;
        char c = 0;

        ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
        make_pair(0, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_send_fds(a, "F", 1, &p[1], 1), 1);
        ck_assert_int_eq(netsock_unix_stream_recv_fds(b, &c, 1, &got, &n, &flags), 1);
        ck_assert_int_eq(c, 'F');
        ck_assert_uint_eq(n, 1);
        ck_assert_uint_eq(flags, 0);
        ck_assert_int_ge(got, 0);
        ck_assert_int_ne(got, p[1]);
        ck_assert(ns_fd_has_cloexec(got));
        /* Write through the received fd, read from the original pipe. */
        ns_assert_pipe_link(got, p[0], "through the passed fd");
        close(got);
        close(p[0]);
        close(p[1]);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

START_TEST(send_fds_three_arrive_in_order) {
        struct netsock_unix_stream *a, *b;
        int p[3][2], send[3], got[4] = { -1, -1, -1, -1 };
        size_t n = 4, i;
        unsigned flags = 0xff;
        char buf[8];

        for (i = 0; i < 3; i++) {
                ck_assert_int_eq(pipe2(p[i], O_CLOEXEC), 0);
                send[i] = p[i][1];
        }
        make_pair(0, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_send_fds(a, "three", 5, send, 3), 5);
        ck_assert_int_eq(netsock_unix_stream_recv_fds(b, buf, sizeof(buf), got, &n, &flags), 5);
        ck_assert_mem_eq(buf, "three", 5);
        ck_assert_uint_eq(n, 3);
        ck_assert_uint_eq(flags, 0);
        ck_assert_int_eq(got[3], -1);  /* nothing written past the count */
        for (i = 0; i < 3; i++) {
                ck_assert(ns_fd_has_cloexec(got[i]));
                ns_assert_pipe_link(got[i], p[i][0], i == 0 ? "zero" : i == 1 ? "one" : "two");
                close(got[i]);
                close(p[i][0]);
                close(p[i][1]);
        }
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

START_TEST(send_fds_exactly_253) {
        struct netsock_unix_stream *a, *b;
        int p[2], send[NETSOCK_MAX_FDS], got[NETSOCK_MAX_FDS + 1];
        size_t n = NETSOCK_MAX_FDS + 1, i;
        unsigned flags = 0xff;
        int before;
        char c;

        ck_assert_int_eq(NETSOCK_MAX_FDS, 253);
        ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
        for (i = 0; i < NETSOCK_MAX_FDS; i++)
                send[i] = p[1];
        make_pair(0, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_send_fds(a, "M", 1, send, NETSOCK_MAX_FDS), 1);
        before = ns_count_fds();
        ck_assert_int_eq(netsock_unix_stream_recv_fds(b, &c, 1, got, &n, &flags), 1);
        ck_assert_uint_eq(n, NETSOCK_MAX_FDS);
        ck_assert_uint_eq(flags, 0);
        ck_assert_int_eq(ns_count_fds(), before + NETSOCK_MAX_FDS);
        for (i = 0; i < NETSOCK_MAX_FDS; i++) {
                ck_assert(ns_fd_has_cloexec(got[i]));
                if (i > 0)
                        ck_assert_int_ne(got[i], got[i - 1]);
        }
        ns_assert_pipe_link(got[NETSOCK_MAX_FDS - 1], p[0], "last");
        for (i = 0; i < NETSOCK_MAX_FDS; i++)
                close(got[i]);
        ck_assert_int_eq(ns_count_fds(), before);
        close(p[0]);
        close(p[1]);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

START_TEST(send_254_fds_is_einval_and_nothing_sent) {
        struct netsock_unix_stream *a, *b;
        int p[2], send[NETSOCK_MAX_FDS + 1], got[4];
        struct netsock_ancillary anc;
        struct iovec iov = { (void *) "x", 1 };
        size_t n = 4, i;
        char c;

        ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
        for (i = 0; i < NETSOCK_MAX_FDS + 1; i++)
                send[i] = p[1];
        make_pair((int) NETSOCK_NONBLOCK, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_send_fds(a, "x", 1, send, NETSOCK_MAX_FDS + 1), -EINVAL);
        memset(&anc, 0, sizeof(anc));
        anc.fds = send;
        anc.nfds = NETSOCK_MAX_FDS + 1;
        ck_assert_int_eq(netsock_unix_stream_send_ancillary(a, &iov, 1, &anc), -EINVAL);
        /* Not even the payload went out. */
        ck_assert_int_eq(netsock_unix_stream_recv_fds(b, &c, 1, got, &n, NULL), -EAGAIN);
        ck_assert_int_eq(netsock_unix_stream_recv(b, &c, 1), -EAGAIN);
        close(p[0]);
        close(p[1]);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

START_TEST(send_fds_with_empty_payload_is_einval) {
        struct netsock_unix_stream *a, *b;
        int p[2], got[2];
        struct netsock_ancillary anc;
        struct iovec iov = { (void *) "", 0 };
        size_t n = 2;
        char c;

        ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
        make_pair((int) NETSOCK_NONBLOCK, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_send_fds(a, "", 0, &p[1], 1), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_send_fds(a, NULL, 0, &p[1], 1), -EINVAL);
        memset(&anc, 0, sizeof(anc));
        anc.fds = &p[1];
        anc.nfds = 1;
        ck_assert_int_eq(netsock_unix_stream_send_ancillary(a, &iov, 1, &anc), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_send_ancillary(a, NULL, 0, &anc), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_recv_fds(b, &c, 1, got, &n, NULL), -EAGAIN);
        /* With no fds an empty send is just an empty send. */
        ck_assert_int_eq(netsock_unix_stream_send_fds(a, "", 0, NULL, 0), 0);
        ck_assert_int_eq(netsock_unix_stream_recv(b, &c, 1), -EAGAIN);
        close(p[0]);
        close(p[1]);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

START_TEST(send_fds_argument_errors) {
        struct netsock_unix_stream *a, *b;
        int p[2], got[2];
        size_t n = 2;
        char c;

        ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
        make_pair((int) NETSOCK_NONBLOCK, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_send_fds(a, "x", 1, NULL, 1), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_send_fds(a, NULL, 1, &p[1], 1), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_send_fds(NULL, "x", 1, &p[1], 1), -EINVAL);
        /* A bad fd is the kernel's -EBADF, and nothing goes out. */
        {
                int bad = ns_lowest_free_fd();

                ck_assert_int_eq(netsock_unix_stream_send_fds(a, "x", 1, &bad, 1), -EBADF);
        }
        ck_assert_int_eq(netsock_unix_stream_recv_fds(b, &c, 1, got, &n, NULL), -EAGAIN);
        ck_assert_int_eq(netsock_unix_stream_recv_fds(b, &c, 1, NULL, &n, NULL), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_recv_fds(b, NULL, 1, got, &n, NULL), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_recv_fds(NULL, &c, 1, got, &n, NULL), -EINVAL);
        close(p[0]);
        close(p[1]);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

/* The kernel installs every fd it can; the library keeps what fits the
 * caller's capacity and closes the rest.  Proof that the rest are closed:
 * once the sender closes its own copies, the pipes behind them read EOF. */
START_TEST(recv_fds_closes_fds_beyond_capacity) {
        struct netsock_unix_stream *a, *b;
        int p[3][2], send[3], got[2] = { -1, -1 };
        size_t n = 1, i;
        unsigned flags = 0;
        int before;
        char buf[8];

        for (i = 0; i < 3; i++) {
                ck_assert_int_eq(pipe2(p[i], O_CLOEXEC), 0);
                send[i] = p[i][1];
        }
        make_pair(0, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_send_fds(a, "3fds", 4, send, 3), 4);
        for (i = 0; i < 3; i++)
                close(p[i][1]);
        before = ns_count_fds();
        ck_assert_int_eq(netsock_unix_stream_recv_fds(b, buf, sizeof(buf), got, &n, &flags), 4);
        ck_assert_mem_eq(buf, "3fds", 4);
        ck_assert_uint_eq(n, 1);
        ck_assert_uint_eq(flags, NETSOCK_MSG_CTRUNC);
        ck_assert_int_eq(got[1], -1);
        ck_assert_int_eq(ns_count_fds(), before + 1);
        ck_assert(ns_fd_has_cloexec(got[0]));
        /* The one kept is the first one sent. */
        ns_assert_pipe_link(got[0], p[0][0], "first");
        /* The others were closed: their pipes have no writer left. */
        ck_assert_int_eq(read(p[1][0], buf, sizeof(buf)), 0);
        ck_assert_int_eq(read(p[2][0], buf, sizeof(buf)), 0);
        close(got[0]);
        for (i = 0; i < 3; i++)
                close(p[i][0]);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

START_TEST(recv_fds_capacity_zero_closes_every_fd) {
        struct netsock_unix_stream *a, *b;
        int p[2], send[2];
        size_t n = 0;
        unsigned flags = 0;
        int before;
        char buf[8];

        ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
        send[0] = send[1] = p[1];
        make_pair(0, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_send_fds(a, "zero", 4, send, 2), 4);
        close(p[1]);
        before = ns_count_fds();
        ck_assert_int_eq(netsock_unix_stream_recv_fds(b, buf, sizeof(buf), NULL, &n, &flags), 4);
        ck_assert_mem_eq(buf, "zero", 4);
        ck_assert_uint_eq(n, 0);
        ck_assert_uint_eq(flags, NETSOCK_MSG_CTRUNC);
        ck_assert_int_eq(ns_count_fds(), before);
        ck_assert_int_eq(read(p[0], buf, sizeof(buf)), 0);
        close(p[0]);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

START_TEST(recv_fds_null_flags_allowed) {
        struct netsock_unix_stream *a, *b;
        int p[2], got = -1;
        size_t n = 1;
        char c;

        ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
        make_pair(0, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_send_fds(a, "n", 1, &p[1], 1), 1);
        ck_assert_int_eq(netsock_unix_stream_recv_fds(b, &c, 1, &got, &n, NULL), 1);
        ck_assert_uint_eq(n, 1);
        ns_assert_pipe_link(got, p[0], "noflags");
        close(got);
        close(p[0]);
        close(p[1]);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

START_TEST(recv_fds_null_nfds_is_einval_and_consumes_nothing) {
        struct netsock_unix_stream *a, *b;
        int p[2], got = -1;
        size_t n = 1;
        unsigned flags = 0xff;
        char c = 0;

        ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
        make_pair(0, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_send_fds(a, "q", 1, &p[1], 1), 1);
        ck_assert_int_eq(netsock_unix_stream_recv_fds(b, &c, 1, &got, NULL, &flags), -EINVAL);
        ck_assert_uint_eq(flags, 0xff);
        ck_assert_int_eq(got, -1);
        /* The message is still there, fd and all. */
        ck_assert_int_eq(netsock_unix_stream_recv_fds(b, &c, 1, &got, &n, &flags), 1);
        ck_assert_int_eq(c, 'q');
        ck_assert_uint_eq(n, 1);
        ck_assert_uint_eq(flags, 0);
        close(got);
        close(p[0]);
        close(p[1]);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

START_TEST(recv_fds_without_fds_sent_gives_zero_fds_and_no_flags) {
        struct netsock_unix_stream *a, *b;
        int got[4] = { -1, -1, -1, -1 };
        size_t n = 4;
        unsigned flags = 0xff;
        char buf[8];
        int before;

        make_pair(0, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_send(a, "plain", 5), 5);
        before = ns_count_fds();
        ck_assert_int_eq(netsock_unix_stream_recv_fds(b, buf, sizeof(buf), got, &n, &flags), 5);
        ck_assert_mem_eq(buf, "plain", 5);
        ck_assert_uint_eq(n, 0);
        ck_assert_uint_eq(flags, 0);
        ck_assert_int_eq(got[0], -1);
        ck_assert_int_eq(ns_count_fds(), before);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

START_TEST(recv_ancillary_without_anc_closes_received_fds) {
        struct netsock_unix_stream *a, *b;
        int p[2];
        char c;
        struct iovec iov = { &c, 1 };
        int before;

        ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
        make_pair(0, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_send_fds(a, "d", 1, &p[1], 1), 1);
        close(p[1]);
        before = ns_count_fds();
        ck_assert_int_eq(netsock_unix_stream_recv_ancillary(b, &iov, 1, NULL), 1);
        ck_assert_int_eq(c, 'd');
        ck_assert_int_eq(ns_count_fds(), before);
        ck_assert_int_eq(read(p[0], &c, 1), 0);
        close(p[0]);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

START_TEST(plain_recv_of_a_message_with_fds_leaks_nothing) {
        struct netsock_unix_stream *a, *b;
        int p[2];
        char c;
        int before;

        ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
        make_pair(0, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_send_fds(a, "r", 1, &p[1], 1), 1);
        close(p[1]);
        before = ns_count_fds();
        ck_assert_int_eq(netsock_unix_stream_recv(b, &c, 1), 1);
        ck_assert_int_eq(c, 'r');
        ck_assert_int_eq(ns_count_fds(), before);
        ck_assert_int_eq(read(p[0], &c, 1), 0);
        close(p[0]);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

/* ---- credentials -------------------------------------------------------------- */

START_TEST(send_recv_ancillary_with_fds_and_creds) {
        struct netsock_unix_stream *a, *b;
        struct netsock_creds mine = { getpid(), getuid(), getgid() }, got_creds;
        struct netsock_ancillary out, in;
        int p[2][2], send[2], got[4] = { -1, -1, -1, -1 };
        char x[3], y[3];
        struct iovec oiov[2] = { { (void *) "anc", 3 }, { (void *) "ill", 3 } };
        struct iovec iiov[2] = { { x, sizeof(x) }, { y, sizeof(y) } };

        ck_assert_int_eq(pipe2(p[0], O_CLOEXEC), 0);
        ck_assert_int_eq(pipe2(p[1], O_CLOEXEC), 0);
        send[0] = p[0][1];
        send[1] = p[1][1];
        make_pair(0, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_set_passcred(b, true), 0);

        memset(&out, 0, sizeof(out));
        out.fds = send;
        out.nfds = 2;
        out.creds = &mine;
        ck_assert_int_eq(netsock_unix_stream_send_ancillary(a, oiov, 2, &out), 6);

        memset(&in, 0, sizeof(in));
        memset(&got_creds, 0, sizeof(got_creds));
        in.fds = got;
        in.nfds = 4;
        in.creds = &got_creds;
        in.flags = 0xff;
        ck_assert_int_eq(netsock_unix_stream_recv_ancillary(b, iiov, 2, &in), 6);
        ck_assert_mem_eq(x, "anc", 3);
        ck_assert_mem_eq(y, "ill", 3);
        ck_assert_uint_eq(in.nfds, 2);
        ck_assert_uint_eq(in.flags, NETSOCK_MSG_CREDS);
        ns_assert_own_creds(&got_creds);
        ck_assert(ns_fd_has_cloexec(got[0]));
        ck_assert(ns_fd_has_cloexec(got[1]));
        ns_assert_pipe_link(got[0], p[0][0], "anc0");
        ns_assert_pipe_link(got[1], p[1][0], "anc1");
        close(got[0]);
        close(got[1]);
        close(p[0][0]);
        close(p[0][1]);
        close(p[1][0]);
        close(p[1][1]);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

START_TEST(no_creds_without_passcred) {
        struct netsock_unix_stream *a, *b;
        struct netsock_creds mine = { getpid(), getuid(), getgid() }, got_creds;
        struct netsock_ancillary out, in;
        char c;
        struct iovec iov = { &c, 1 };
        size_t n = 0;
        unsigned flags = 0xff;

        make_pair(0, &a, &b);
        /* A plain send. */
        ck_assert_int_eq(netsock_unix_stream_send(a, "1", 1), 1);
        memset(&in, 0, sizeof(in));
        memset(&got_creds, 0x5a, sizeof(got_creds));
        in.creds = &got_creds;
        in.flags = 0xff;
        ck_assert_int_eq(netsock_unix_stream_recv_ancillary(b, &iov, 1, &in), 1);
        ck_assert_uint_eq(in.flags, 0);
        ck_assert_uint_eq(in.nfds, 0);
        ck_assert_int_eq(got_creds.pid, (pid_t) 0x5a5a5a5a);  /* untouched */

        /* Explicit credentials from the sender do not arrive either. */
        memset(&out, 0, sizeof(out));
        out.creds = &mine;
        iov.iov_base = (void *) "2";
        ck_assert_int_eq(netsock_unix_stream_send_ancillary(a, &iov, 1, &out), 1);
        ck_assert_int_eq(netsock_unix_stream_recv_fds(b, &c, 1, NULL, &n, &flags), 1);
        ck_assert_int_eq(c, '2');
        ck_assert_uint_eq(flags, 0);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

START_TEST(passcred_on_receiver_delivers_sender_creds) {
        struct netsock_unix_stream *a, *b;
        struct netsock_creds got_creds;
        struct netsock_ancillary in;
        char c;
        struct iovec iov = { &c, 1 };
        size_t n = 0;
        unsigned flags = 0;

        make_pair(0, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_set_passcred(b, true), 0);
        ck_assert_int_eq(netsock_unix_stream_send(a, "c", 1), 1);
        memset(&in, 0, sizeof(in));
        memset(&got_creds, 0, sizeof(got_creds));
        in.creds = &got_creds;
        ck_assert_int_eq(netsock_unix_stream_recv_ancillary(b, &iov, 1, &in), 1);
        ck_assert_uint_eq(in.flags, NETSOCK_MSG_CREDS);
        ns_assert_own_creds(&got_creds);

        /* recv_fds reports the flag too. */
        ck_assert_int_eq(netsock_unix_stream_send(a, "d", 1), 1);
        ck_assert_int_eq(netsock_unix_stream_recv_fds(b, &c, 1, NULL, &n, &flags), 1);
        ck_assert_uint_eq(flags, NETSOCK_MSG_CREDS);
        ck_assert_uint_eq(n, 0);

        /* Turned off again: no more credentials. */
        ck_assert_int_eq(netsock_unix_stream_set_passcred(b, false), 0);
        ck_assert_int_eq(netsock_unix_stream_send(a, "e", 1), 1);
        ck_assert_int_eq(netsock_unix_stream_recv_fds(b, &c, 1, NULL, &n, &flags), 1);
        ck_assert_uint_eq(flags, 0);
        ck_assert_int_eq(netsock_unix_stream_set_passcred(NULL, true), -EINVAL);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

START_TEST(explicit_creds_arrive) {
        struct netsock_unix_stream *a, *b;
        struct netsock_creds mine = { getpid(), getuid(), getgid() }, got_creds;
        struct netsock_ancillary out, in;
        char c;
        struct iovec oiov = { (void *) "k", 1 }, iiov = { &c, 1 };

        make_pair(0, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_set_passcred(b, true), 0);
        memset(&out, 0, sizeof(out));
        out.creds = &mine;
        ck_assert_int_eq(netsock_unix_stream_send_ancillary(a, &oiov, 1, &out), 1);
        memset(&in, 0, sizeof(in));
        memset(&got_creds, 0, sizeof(got_creds));
        in.creds = &got_creds;
        ck_assert_int_eq(netsock_unix_stream_recv_ancillary(b, &iiov, 1, &in), 1);
        ck_assert_int_eq(c, 'k');
        ck_assert_uint_eq(in.flags, NETSOCK_MSG_CREDS);
        ns_assert_own_creds(&got_creds);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

/* There is no netsock_unix_listener_set_passcred(): API.md promises that
 * SO_PASSCRED set on the listener is inherited, so set it on the borrowed
 * fd. */
START_TEST(passcred_on_listener_is_inherited_by_accepted_socket) {
        char path[512];
        struct netsock_unix_listener *l;
        struct netsock_unix_stream *c, *s;
        struct netsock_creds got_creds;
        struct netsock_ancillary in;
        char ch;
        struct iovec iov = { &ch, 1 };
        int one = 1;

        ns_keep(path, sizeof(path), ns_tmppath("passcred.sock"));
        l = listen_at(path, 0);
        ck_assert_int_eq(setsockopt(netsock_unix_listener_fd(l), SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)), 0);
        c = connect_to(path, 0);
        s = accept_from(l, 0);
        ck_assert_int_eq(netsock_unix_stream_send(c, "i", 1), 1);
        memset(&in, 0, sizeof(in));
        memset(&got_creds, 0, sizeof(got_creds));
        in.creds = &got_creds;
        ck_assert_int_eq(netsock_unix_stream_recv_ancillary(s, &iov, 1, &in), 1);
        ck_assert_int_eq(ch, 'i');
        ck_assert_uint_eq(in.flags, NETSOCK_MSG_CREDS);
        ns_assert_own_creds(&got_creds);
        netsock_unix_stream_close(c);
        netsock_unix_stream_close(s);
        netsock_unix_listener_close(l);
}
END_TEST

START_TEST(peer_credentials_of_pair_and_listener_connection) {
        char path[512];
        struct netsock_unix_listener *l;
        struct netsock_unix_stream *a, *b, *c, *s;
        struct netsock_creds cr;

        make_pair(0, &a, &b);
        memset(&cr, 0, sizeof(cr));
        ck_assert_int_eq(netsock_unix_stream_peer_credentials(a, &cr), 0);
        ns_assert_own_creds(&cr);
        memset(&cr, 0, sizeof(cr));
        ck_assert_int_eq(netsock_unix_stream_peer_credentials(b, &cr), 0);
        ns_assert_own_creds(&cr);
        ck_assert_int_eq(netsock_unix_stream_peer_credentials(a, NULL), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_peer_credentials(NULL, &cr), -EINVAL);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);

        ns_keep(path, sizeof(path), ns_tmppath("peercred.sock"));
        l = listen_at(path, 0);
        c = connect_to(path, 0);
        s = accept_from(l, 0);
        memset(&cr, 0, sizeof(cr));
        ck_assert_int_eq(netsock_unix_stream_peer_credentials(s, &cr), 0);
        ns_assert_own_creds(&cr);
        memset(&cr, 0, sizeof(cr));
        ck_assert_int_eq(netsock_unix_stream_peer_credentials(c, &cr), 0);
        ns_assert_own_creds(&cr);
        netsock_unix_stream_close(c);
        netsock_unix_stream_close(s);
        netsock_unix_listener_close(l);
}
END_TEST

START_TEST(peer_credentials_name_the_forked_client) {
        char path[512];
        struct netsock_unix_listener *l;
        struct netsock_unix_stream *s;
        struct netsock_creds cr;
        pid_t pid;
        char ch = 0;

        ns_keep(path, sizeof(path), ns_tmppath("child.sock"));
        l = listen_at(path, 0);
        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                struct netsock_unix_stream *c = NULL;
                char buf[4];

                /* Frees what it does not need, so that valgrind sees no
                 * lost handle when it exits. */
                netsock_unix_listener_close(l);
                if (netsock_unix_stream_connect(path, 0, &c) != 0)
                        _exit(1);
                if (netsock_unix_stream_send(c, "C", 1) != 1)
                        _exit(2);
                /* Stay connected until the parent has looked. */
                if (netsock_unix_stream_recv(c, buf, sizeof(buf)) != 0)
                        _exit(3);
                netsock_unix_stream_close(c);
                _exit(0);
        }
        s = accept_from(l, 0);
        memset(&cr, 0, sizeof(cr));
        ck_assert_int_eq(netsock_unix_stream_peer_credentials(s, &cr), 0);
        ck_assert_int_eq(cr.pid, pid);
        ck_assert_uint_eq(cr.uid, getuid());
        ck_assert_uint_eq(cr.gid, getgid());
        ck_assert_int_eq(netsock_unix_stream_recv(s, &ch, 1), 1);
        ck_assert_int_eq(ch, 'C');
        netsock_unix_stream_close(s);
        ns_assert_child_ok(pid);
        netsock_unix_listener_close(l);
}
END_TEST

START_TEST(peer_security_context_length_or_enoprotoopt) {
        struct netsock_unix_stream *a, *b;
        char big[4096];
        ssize_t r, r0;

        make_pair(0, &a, &b);
        memset(big, 0, sizeof(big));
        r = netsock_unix_stream_peer_security_context(a, big, sizeof(big));
        r0 = netsock_unix_stream_peer_security_context(a, NULL, 0);
        if (r == -ENOPROTOOPT) {
                ck_assert_int_eq(r0, -ENOPROTOOPT);
        } else {
                ck_assert_int_ge(r, 0);
                ck_assert_int_eq(r0, r);
                if (r > 0) {
                        char one[1];

                        /* Too small: the length it needs, snprintf-style. */
                        ck_assert_int_eq(netsock_unix_stream_peer_security_context(a, one, 1), r);
                }
        }
        ck_assert_int_eq(netsock_unix_stream_peer_security_context(a, NULL, 10), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_peer_security_context(NULL, big, sizeof(big)), -EINVAL);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

/* ---- listener ----------------------------------------------------------------- */

START_TEST(remove_on_close_unlinks_socket_file) {
        char path[512];
        struct netsock_unix_listener *l;

        ns_keep(path, sizeof(path), ns_tmppath("roc.sock"));
        l = listen_at(path, (int) NETSOCK_REMOVE_ON_CLOSE);
        ck_assert(ns_is_socket_file(path));
        netsock_unix_listener_close(l);
        ck_assert(!ns_path_exists(path));
        netsock_unix_listener_close(NULL);  /* NULL-safe */
}
END_TEST

START_TEST(listener_without_remove_on_close_leaves_file) {
        char path[512];
        struct netsock_unix_listener *l;

        ns_keep(path, sizeof(path), ns_tmppath("keep.sock"));
        l = listen_at(path, 0);
        netsock_unix_listener_close(l);
        ck_assert(ns_is_socket_file(path));
}
END_TEST

START_TEST(remove_on_close_spares_file_rebound_by_another_listener) {
        char path[512];
        struct netsock_unix_listener *la, *lb;
        struct netsock_unix_stream *c, *s;
        ino_t ino_b;

        ns_keep(path, sizeof(path), ns_tmppath("rebound.sock"));
        la = listen_at(path, (int) NETSOCK_REMOVE_ON_CLOSE);
        ck_assert_int_eq(unlink(path), 0);
        lb = listen_at(path, (int) NETSOCK_REMOVE_ON_CLOSE);
        ino_b = ns_inode_of(path);
        netsock_unix_listener_close(la);
        ck_assert(ns_is_socket_file(path));
        ck_assert(ns_inode_of(path) == ino_b);
        c = connect_to(path, 0);
        s = accept_from(lb, 0);
        assert_transfer(c, s, "B still serves");
        netsock_unix_stream_close(c);
        netsock_unix_stream_close(s);
        netsock_unix_listener_close(lb);
        ck_assert(!ns_path_exists(path));
}
END_TEST

START_TEST(remove_on_close_spares_a_regular_file_put_at_the_path) {
        char path[512];
        struct netsock_unix_listener *l;
        int fd;

        ns_keep(path, sizeof(path), ns_tmppath("replaced.sock"));
        l = listen_at(path, (int) NETSOCK_REMOVE_ON_CLOSE);
        ck_assert_int_eq(unlink(path), 0);
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        ck_assert_int_ge(fd, 0);
        close(fd);
        netsock_unix_listener_close(l);
        ck_assert(ns_path_exists(path));
        ck_assert(!ns_is_socket_file(path));
}
END_TEST

START_TEST(into_fd_of_remove_on_close_listener_keeps_file) {
        char path[512];
        struct netsock_unix_listener *l, *again = NULL;
        struct netsock_unix_stream *c, *s;
        int fd, lfd;

        ns_keep(path, sizeof(path), ns_tmppath("intofd.sock"));
        l = listen_at(path, (int) NETSOCK_REMOVE_ON_CLOSE);
        lfd = netsock_unix_listener_fd(l);
        fd = netsock_unix_listener_into_fd(l);
        ck_assert_int_eq(fd, lfd);
        ck_assert(ns_fd_is_open(fd));
        ck_assert(ns_is_socket_file(path));
        /* The fd is still the listening socket. */
        ck_assert_int_eq(netsock_unix_listener_from_fd(fd, &again), 0);
        c = connect_to(path, 0);
        s = accept_from(again, 0);
        assert_transfer(c, s, "adopted again");
        netsock_unix_stream_close(c);
        netsock_unix_stream_close(s);
        netsock_unix_listener_close(again);
        ck_assert(ns_is_socket_file(path));
}
END_TEST

START_TEST(clone_of_remove_on_close_listener_does_not_remove) {
        char path[512];
        struct netsock_unix_listener *l, *clone = NULL;

        ns_keep(path, sizeof(path), ns_tmppath("clone.sock"));
        l = listen_at(path, (int) NETSOCK_REMOVE_ON_CLOSE);
        ck_assert_int_eq(netsock_unix_listener_try_clone(l, &clone), 0);
        netsock_unix_listener_close(clone);
        ck_assert(ns_is_socket_file(path));
        netsock_unix_listener_close(l);
        ck_assert(!ns_path_exists(path));
}
END_TEST

START_TEST(bind_existing_path_without_replace_stale_is_eaddrinuse) {
        char path[512];
        struct netsock_unix_listener *l = NULL, *live;
        ino_t ino;
        int before;

        ns_keep(path, sizeof(path), ns_tmppath("exists.sock"));
        ns_make_stale_socket_file(path, SOCK_STREAM);
        ino = ns_inode_of(path);
        before = ns_count_fds();
        ck_assert_int_eq(netsock_unix_listener_bind(path, 0, &l), -EADDRINUSE);
        ck_assert_int_eq(netsock_unix_listener_bind(path, (int) NETSOCK_REMOVE_ON_CLOSE, &l), -EADDRINUSE);
        ck_assert_ptr_null(l);
        ck_assert_int_eq(ns_count_fds(), before);
        ck_assert(ns_is_socket_file(path));
        ck_assert(ns_inode_of(path) == ino);

        /* Same for a live listener's path. */
        ck_assert_int_eq(unlink(path), 0);
        live = listen_at(path, 0);
        ino = ns_inode_of(path);
        ck_assert_int_eq(netsock_unix_listener_bind(path, 0, &l), -EADDRINUSE);
        ck_assert_ptr_null(l);
        ck_assert(ns_inode_of(path) == ino);
        netsock_unix_listener_close(live);
}
END_TEST

START_TEST(replace_stale_replaces_dead_socket_file) {
        char path[512];
        struct netsock_unix_listener *l;
        struct netsock_unix_stream *c, *s;

        /* (The inode number may be reused for the new file, so the proof
         * that the file was replaced is that connecting works.) */
        ns_keep(path, sizeof(path), ns_tmppath("stale.sock"));
        ns_make_stale_socket_file(path, SOCK_STREAM);
        l = listen_at(path, (int) (NETSOCK_REPLACE_STALE | NETSOCK_REMOVE_ON_CLOSE));
        ck_assert(ns_is_socket_file(path));
        c = connect_to(path, 0);
        s = accept_from(l, 0);
        assert_transfer(c, s, "fresh");
        netsock_unix_stream_close(c);
        netsock_unix_stream_close(s);
        netsock_unix_listener_close(l);
        ck_assert(!ns_path_exists(path));
}
END_TEST

START_TEST(replace_stale_on_a_free_path_just_binds) {
        char path[512];
        struct netsock_unix_listener *l;

        ns_keep(path, sizeof(path), ns_tmppath("free.sock"));
        l = listen_at(path, (int) NETSOCK_REPLACE_STALE);
        ck_assert(ns_is_socket_file(path));
        netsock_unix_listener_close(l);
}
END_TEST

/* The stale probe is a real connect, so the live listener may find the
 * probe's (already closed) connection in its queue: accept at most twice
 * until our client's byte arrives. */
START_TEST(replace_stale_never_takes_live_listener_path) {
        char path[512];
        struct netsock_unix_listener *live, *l = NULL;
        struct netsock_unix_stream *c, *s;
        ino_t ino;
        int tries;
        char ch = 0;

        ns_keep(path, sizeof(path), ns_tmppath("live.sock"));
        live = listen_at(path, 0);
        ino = ns_inode_of(path);
        ck_assert_int_eq(netsock_unix_listener_bind(path, (int) NETSOCK_REPLACE_STALE, &l), -EADDRINUSE);
        ck_assert_int_eq(netsock_unix_listener_bind(path, (int) (NETSOCK_REPLACE_STALE | NETSOCK_REMOVE_ON_CLOSE), &l), -EADDRINUSE);
        ck_assert_ptr_null(l);
        ck_assert(ns_is_socket_file(path));
        ck_assert(ns_inode_of(path) == ino);

        c = connect_to(path, 0);
        ck_assert_int_eq(netsock_unix_stream_send(c, "L", 1), 1);
        for (tries = 0; tries < 3; tries++) {
                s = accept_from(live, 0);
                ch = 0;
                ck_assert_int_ge(netsock_unix_stream_recv(s, &ch, 1), 0);
                netsock_unix_stream_close(s);
                if (ch == 'L')
                        break;
        }
        ck_assert_int_eq(ch, 'L');
        netsock_unix_stream_close(c);
        netsock_unix_listener_close(live);
}
END_TEST

START_TEST(replace_stale_never_removes_regular_file) {
        char path[512], buf[32];
        struct netsock_unix_listener *l = NULL;
        int fd, before;

        ns_keep(path, sizeof(path), ns_tmppath("regular"));
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, "precious", 8), 8);
        close(fd);
        before = ns_count_fds();
        ck_assert_int_eq(netsock_unix_listener_bind(path, (int) NETSOCK_REPLACE_STALE, &l), -EADDRINUSE);
        ck_assert_ptr_null(l);
        ck_assert_int_eq(ns_count_fds(), before);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        ck_assert_int_ge(fd, 0);
        memset(buf, 0, sizeof(buf));
        ck_assert_int_eq(read(fd, buf, sizeof(buf)), 8);
        ck_assert_str_eq(buf, "precious");
        close(fd);
}
END_TEST

START_TEST(bind_in_missing_directory_is_enoent) {
        char path[512];
        struct netsock_unix_listener *l = NULL;
        int before = ns_count_fds();

        ns_keep(path, sizeof(path), ns_tmppath("no-such-dir/x.sock"));
        ck_assert_int_eq(netsock_unix_listener_bind(path, 0, &l), -ENOENT);
        ck_assert_int_eq(netsock_unix_listener_bind(path, (int) (NETSOCK_REPLACE_STALE | NETSOCK_REMOVE_ON_CLOSE), &l), -ENOENT);
        ck_assert_ptr_null(l);
        ck_assert_int_eq(ns_count_fds(), before);
}
END_TEST

START_TEST(bind_name_errors) {
        char path[512];
        struct netsock_unix_listener *l = NULL;
        int before = ns_count_fds();

        ck_assert_int_eq(netsock_unix_listener_bind(NULL, 0, &l), -EINVAL);
        ck_assert_int_eq(netsock_unix_listener_bind("", 0, &l), -EINVAL);
        ck_assert_int_eq(netsock_unix_listener_bind_addr(NULL, 0, &l), -EINVAL);
        path_of_length(path, sizeof(path), 108);
        ck_assert_int_eq(netsock_unix_listener_bind(path, 0, &l), -ENAMETOOLONG);
        ck_assert_ptr_null(l);
        ns_keep(path, sizeof(path), ns_tmppath("noret.sock"));
        ck_assert_int_eq(netsock_unix_listener_bind(path, 0, NULL), -EINVAL);
        ck_assert(!ns_path_exists(path));
        ck_assert_int_eq(ns_count_fds(), before);
}
END_TEST

START_TEST(abstract_listener_accepts_and_name_is_exclusive) {
        char name[128];
        struct netsock_unix_listener *l, *other = NULL;
        struct netsock_unix_stream *c, *s;

        ns_keep(name, sizeof(name), ns_abstract_name("lst"));
        /* REMOVE_ON_CLOSE has no file to remove here; it is harmless. */
        l = listen_at(name, (int) NETSOCK_REMOVE_ON_CLOSE);
        ck_assert_int_eq(netsock_unix_listener_bind(name, 0, &other), -EADDRINUSE);
        ck_assert_int_eq(netsock_unix_listener_bind(name, (int) NETSOCK_REPLACE_STALE, &other), -EADDRINUSE);
        ck_assert_ptr_null(other);
        c = connect_to(name, 0);
        s = accept_from(l, 0);
        assert_transfer(s, c, "from the abstract side");
        netsock_unix_stream_close(c);
        netsock_unix_stream_close(s);
        netsock_unix_listener_close(l);

        /* The name is free again once the listener is closed. */
        l = listen_at(name, 0);
        netsock_unix_listener_close(l);
}
END_TEST

START_TEST(nonblocking_listener_accept_is_eagain) {
        char path[512];
        struct netsock_unix_listener *l;
        struct netsock_unix_stream *s = NULL, *c;
        bool on = false;

        ns_keep(path, sizeof(path), ns_tmppath("nbl.sock"));
        l = listen_at(path, (int) NETSOCK_NONBLOCK);
        ck_assert_int_eq(netsock_unix_listener_is_nonblocking(l, &on), 0);
        ck_assert(on);
        ck_assert_int_eq(netsock_unix_listener_accept(l, 0, &s, NULL), -EAGAIN);
        ck_assert_ptr_null(s);

        /* accept's flags, not the listener's, set the connection's mode. */
        c = connect_to(path, 0);
        s = accept_from(l, 0);
        ck_assert_int_eq(netsock_unix_stream_is_nonblocking(s, &on), 0);
        ck_assert(!on);
        netsock_unix_stream_close(s);
        netsock_unix_stream_close(c);
        netsock_unix_listener_close(l);
}
END_TEST

START_TEST(accept_nonblock_makes_only_the_connection_nonblocking) {
        char path[512];
        struct netsock_unix_listener *l;
        struct netsock_unix_stream *s, *c;
        bool on = true;
        char ch;

        ns_keep(path, sizeof(path), ns_tmppath("acnb.sock"));
        l = listen_at(path, 0);
        c = connect_to(path, 0);
        s = accept_from(l, (int) NETSOCK_NONBLOCK);
        ck_assert_int_eq(netsock_unix_listener_is_nonblocking(l, &on), 0);
        ck_assert(!on);
        ck_assert_int_eq(netsock_unix_stream_is_nonblocking(s, &on), 0);
        ck_assert(on);
        ck_assert_int_eq(netsock_unix_stream_recv(s, &ch, 1), -EAGAIN);
        ck_assert_int_eq(netsock_unix_stream_is_nonblocking(c, &on), 0);
        ck_assert(!on);
        netsock_unix_stream_close(s);
        netsock_unix_stream_close(c);
        netsock_unix_listener_close(l);
}
END_TEST

START_TEST(listener_bad_flags_is_einval) {
        char path[512];
        struct netsock_unix_listener *l = NULL;
        struct netsock_unix_stream *s = NULL, *c;
        int before = ns_count_fds();

        ns_keep(path, sizeof(path), ns_tmppath("badflags.sock"));
        ck_assert_int_eq(netsock_unix_listener_bind(path, 0x8, &l), -EINVAL);
        ck_assert_int_eq(netsock_unix_listener_bind(path, -1, &l), -EINVAL);
        ck_assert_ptr_null(l);
        ck_assert(!ns_path_exists(path));
        ck_assert_int_eq(ns_count_fds(), before);

        l = listen_at(path, 0);
        c = connect_to(path, 0);
        /* Listener-only flags and unknown bits are refused by accept, and
         * the pending connection stays queued. */
        ck_assert_int_eq(netsock_unix_listener_accept(l, (int) NETSOCK_REMOVE_ON_CLOSE, &s, NULL), -EINVAL);
        ck_assert_int_eq(netsock_unix_listener_accept(l, (int) NETSOCK_REPLACE_STALE, &s, NULL), -EINVAL);
        ck_assert_int_eq(netsock_unix_listener_accept(l, 0x100, &s, NULL), -EINVAL);
        ck_assert_ptr_null(s);
        s = accept_from(l, 0);
        assert_transfer(c, s, "still queued");
        netsock_unix_stream_close(s);
        netsock_unix_stream_close(c);
        netsock_unix_listener_close(l);
}
END_TEST

START_TEST(created_fds_are_cloexec) {
        char path[512];
        struct netsock_unix_listener *l, *lc = NULL;
        struct netsock_unix_stream *c, *s, *a, *b, *sc = NULL;

        ns_keep(path, sizeof(path), ns_tmppath("cloexec.sock"));
        l = listen_at(path, 0);
        c = connect_to(path, 0);
        s = accept_from(l, 0);
        make_pair(0, &a, &b);
        ck_assert_int_eq(netsock_unix_listener_try_clone(l, &lc), 0);
        ck_assert_int_eq(netsock_unix_stream_try_clone(s, &sc), 0);
        ck_assert(ns_fd_has_cloexec(netsock_unix_listener_fd(l)));
        ck_assert(ns_fd_has_cloexec(netsock_unix_listener_fd(lc)));
        ck_assert(ns_fd_has_cloexec(netsock_unix_stream_fd(c)));
        ck_assert(ns_fd_has_cloexec(netsock_unix_stream_fd(s)));
        ck_assert(ns_fd_has_cloexec(netsock_unix_stream_fd(sc)));
        ck_assert(ns_fd_has_cloexec(netsock_unix_stream_fd(a)));
        ck_assert(ns_fd_has_cloexec(netsock_unix_stream_fd(b)));
        netsock_unix_stream_close(sc);
        netsock_unix_listener_close(lc);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
        netsock_unix_stream_close(c);
        netsock_unix_stream_close(s);
        netsock_unix_listener_close(l);
}
END_TEST

/* ---- common calls -------------------------------------------------------------- */

START_TEST(from_fd_adopts_socketpair_fd) {
        struct netsock_unix_stream *h = NULL;
        int sv[2];
        bool on = true;
        char buf[8];

        ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
        ck_assert(!ns_fd_has_cloexec(sv[0]));
        ck_assert_int_eq(netsock_unix_stream_from_fd(sv[0], &h), 0);
        ck_assert_ptr_nonnull(h);
        ck_assert_int_eq(netsock_unix_stream_fd(h), sv[0]);
        ck_assert(ns_fd_has_cloexec(sv[0]));
        ck_assert_int_eq(netsock_unix_stream_is_nonblocking(h, &on), 0);
        ck_assert(!on);
        ck_assert_int_eq(netsock_unix_stream_send(h, "raw", 3), 3);
        ck_assert_int_eq(read(sv[1], buf, sizeof(buf)), 3);
        ck_assert_mem_eq(buf, "raw", 3);
        netsock_unix_stream_close(h);
        ck_assert(!ns_fd_is_open(sv[0]));
        close(sv[1]);

        /* O_NONBLOCK is kept as it is. */
        ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
        ck_assert_int_eq(netsock_unix_stream_from_fd(sv[1], &h), 0);
        ck_assert_int_eq(netsock_unix_stream_is_nonblocking(h, &on), 0);
        ck_assert(on);
        netsock_unix_stream_close(h);
        close(sv[0]);
}
END_TEST

START_TEST(from_fd_refuses_other_kinds_and_leaves_fd_alone) {
        struct netsock_unix_stream *h = NULL;
        struct netsock_unix_listener *lh = NULL, *l;
        char path[512];
        int sv[2], p[2], in;

        ck_assert_int_eq(netsock_unix_stream_from_fd(-1, &h), -EBADF);
        ck_assert_int_eq(netsock_unix_stream_from_fd(ns_lowest_free_fd(), &h), -EBADF);

        ck_assert_int_eq(pipe(p), 0);
        ck_assert_int_eq(netsock_unix_stream_from_fd(p[0], &h), -ENOTSOCK);
        ck_assert(!ns_fd_has_cloexec(p[0]));
        close(p[0]);
        close(p[1]);

        ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
        ck_assert_int_eq(netsock_unix_stream_from_fd(sv[0], &h), -EPROTOTYPE);
        ck_assert(ns_fd_is_open(sv[0]));
        ck_assert(!ns_fd_has_cloexec(sv[0]));
        close(sv[0]);
        close(sv[1]);

        in = socket(AF_INET, SOCK_STREAM, 0);
        ck_assert_int_ge(in, 0);
        ck_assert_int_eq(netsock_unix_stream_from_fd(in, &h), -EAFNOSUPPORT);
        ck_assert(ns_fd_is_open(in));
        close(in);

        /* A connected stream is not a listener and vice versa. */
        ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
        ck_assert_int_eq(netsock_unix_listener_from_fd(sv[0], &lh), -EINVAL);
        ck_assert(ns_fd_is_open(sv[0]));
        close(sv[0]);
        close(sv[1]);
        ns_keep(path, sizeof(path), ns_tmppath("fromfd.sock"));
        l = listen_at(path, 0);
        ck_assert_int_eq(netsock_unix_stream_from_fd(netsock_unix_listener_fd(l), &h), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_from_fd(netsock_unix_listener_fd(l), NULL), -EINVAL);
        ck_assert_ptr_null(h);
        ck_assert_ptr_null(lh);
        netsock_unix_listener_close(l);
}
END_TEST

START_TEST(into_fd_hands_over_the_connection) {
        struct netsock_unix_stream *a, *b;
        int fd, afd;
        char buf[8];

        make_pair(0, &a, &b);
        afd = netsock_unix_stream_fd(a);
        ck_assert_int_ge(afd, 0);
        fd = netsock_unix_stream_into_fd(a);
        ck_assert_int_eq(fd, afd);
        ck_assert(ns_fd_is_open(fd));
        ck_assert_int_eq(write(fd, "own", 3), 3);
        ck_assert_int_eq(netsock_unix_stream_recv(b, buf, sizeof(buf)), 3);
        ck_assert_mem_eq(buf, "own", 3);
        close(fd);
        ck_assert_int_eq(netsock_unix_stream_recv(b, buf, sizeof(buf)), 0);
        netsock_unix_stream_close(b);
        ck_assert_int_eq(netsock_unix_stream_into_fd(NULL), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_fd(NULL), -EINVAL);
        ck_assert_int_eq(netsock_unix_listener_into_fd(NULL), -EINVAL);
        netsock_unix_stream_close(NULL);
}
END_TEST

START_TEST(try_clone_shares_the_connection) {
        struct netsock_unix_stream *a, *b, *c = NULL;
        char buf[8];

        make_pair(0, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_try_clone(a, &c), 0);
        ck_assert_ptr_nonnull(c);
        ck_assert_int_ne(netsock_unix_stream_fd(c), netsock_unix_stream_fd(a));
        assert_transfer(c, b, "from clone");
        assert_transfer(b, a, "to original");
        netsock_unix_stream_close(a);
        /* The connection lives on in the clone. */
        assert_transfer(c, b, "after close");
        netsock_unix_stream_close(c);
        ck_assert_int_eq(netsock_unix_stream_recv(b, buf, sizeof(buf)), 0);
        netsock_unix_stream_close(b);
        ck_assert_int_eq(netsock_unix_stream_try_clone(NULL, &c), -EINVAL);
}
END_TEST

START_TEST(try_clone_of_listener_accepts) {
        char path[512];
        struct netsock_unix_listener *l, *lc = NULL;
        struct netsock_unix_stream *c, *s;

        ns_keep(path, sizeof(path), ns_tmppath("lclone.sock"));
        l = listen_at(path, 0);
        ck_assert_int_eq(netsock_unix_listener_try_clone(l, &lc), 0);
        netsock_unix_listener_close(l);
        c = connect_to(path, 0);
        s = accept_from(lc, 0);
        assert_transfer(c, s, "clone accepted");
        netsock_unix_stream_close(c);
        netsock_unix_stream_close(s);
        netsock_unix_listener_close(lc);
}
END_TEST

START_TEST(take_error_is_zero) {
        char path[512];
        struct netsock_unix_listener *l;
        struct netsock_unix_stream *a, *b;
        int err = 123;

        make_pair(0, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_take_error(a, &err), 0);
        ck_assert_int_eq(err, 0);
        ck_assert_int_eq(netsock_unix_stream_take_error(a, NULL), -EINVAL);
        ns_keep(path, sizeof(path), ns_tmppath("err.sock"));
        l = listen_at(path, 0);
        err = 123;
        ck_assert_int_eq(netsock_unix_listener_take_error(l, &err), 0);
        ck_assert_int_eq(err, 0);
        netsock_unix_listener_close(l);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

START_TEST(timeouts_read_back) {
        struct netsock_unix_stream *a, *b;
        unsigned ms = 1;

        make_pair(0, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_read_timeout(a, &ms), 0);
        ck_assert_uint_eq(ms, 0);
        ck_assert_int_eq(netsock_unix_stream_set_read_timeout(a, 100), 0);
        ck_assert_int_eq(netsock_unix_stream_read_timeout(a, &ms), 0);
        ck_assert_uint_eq(ms, 100);
        ck_assert_int_eq(netsock_unix_stream_set_write_timeout(a, 100), 0);
        ck_assert_int_eq(netsock_unix_stream_write_timeout(a, &ms), 0);
        ck_assert_uint_eq(ms, 100);
        ck_assert_int_eq(netsock_unix_stream_set_write_timeout(a, 2500), 0);
        ck_assert_int_eq(netsock_unix_stream_write_timeout(a, &ms), 0);
        ck_assert_uint_eq(ms, 2500);
        ck_assert_int_eq(netsock_unix_stream_set_read_timeout(a, 0), 0);
        ck_assert_int_eq(netsock_unix_stream_read_timeout(a, &ms), 0);
        ck_assert_uint_eq(ms, 0);
        ck_assert_int_eq(netsock_unix_stream_read_timeout(a, NULL), -EINVAL);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

START_TEST(timed_out_recv_is_eagain) {
        struct netsock_unix_stream *a, *b;
        char ch;

        make_pair(0, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_set_read_timeout(b, 40), 0);
        ck_assert_int_eq(netsock_unix_stream_recv(b, &ch, 1), -EAGAIN);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

/* ---- suite -------------------------------------------------------------------- */

static Suite *make_suite(void) {
        Suite *s = suite_create("unix_stream");
        TCase *tc;

        tc = ns_tcase(s, "connect");
        tcase_add_test(tc, connect_by_path_reaches_listener);
        tcase_add_test(tc, connect_by_abstract_name_reaches_listener);
        tcase_add_test(tc, connect_addr_reaches_path_and_abstract_listeners);
        tcase_add_test(tc, connect_missing_path_is_enoent);
        tcase_add_test(tc, connect_path_longer_than_107_bytes_is_enametoolong);
        tcase_add_test(tc, connect_null_or_empty_name_is_einval);
        tcase_add_test(tc, connect_null_ret_is_einval);
        tcase_add_test(tc, connect_inet_addr_is_eafnosupport);
        tcase_add_test(tc, connect_unknown_flags_is_einval);
        tcase_add_test(tc, connect_to_socket_file_nobody_listens_on_is_econnrefused);
        tcase_add_test(tc, nonblocking_connect_to_full_backlog_is_eagain);

        tc = ns_tcase(s, "data");
        tcase_add_test(tc, pair_blocking_and_nonblocking_read_back);
        tcase_add_test(tc, pair_unknown_flags_is_einval);
        tcase_add_test(tc, send_recv_exact_bytes_both_ways);
        tcase_add_test(tc, send_vectored_recv_vectored_across_three_iovecs);
        tcase_add_test(tc, peek_leaves_data_queued);
        tcase_add_test(tc, recv_on_nonblocking_empty_socket_is_eagain);
        tcase_add_test(tc, recv_returns_zero_at_eof);
        tcase_add_test(tc, shutdown_write_gives_peer_eof);
        tcase_add_test(tc, send_to_closed_peer_is_epipe_without_sigpipe);
        tcase_add_test(tc, send_all_delivers_one_mib_to_slow_reader);
        tcase_add_test(tc, recv_exact_collects_one_mib_from_chunked_writer);

        tc = ns_tcase(s, "addresses");
        tcase_add_test(tc, path_connection_addresses);
        tcase_add_test(tc, abstract_connection_addresses);
        tcase_add_test(tc, accept_with_null_ret_peer);
        tcase_add_test(tc, pair_addresses_are_unnamed);

        tc = ns_tcase(s, "fd_passing");
        tcase_add_test(tc, send_fds_one_pipe_end_usable_by_receiver);
        tcase_add_test(tc, send_fds_three_arrive_in_order);
        tcase_add_test(tc, send_fds_exactly_253);
        tcase_add_test(tc, send_254_fds_is_einval_and_nothing_sent);
        tcase_add_test(tc, send_fds_with_empty_payload_is_einval);
        tcase_add_test(tc, send_fds_argument_errors);
        tcase_add_test(tc, recv_fds_closes_fds_beyond_capacity);
        tcase_add_test(tc, recv_fds_capacity_zero_closes_every_fd);
        tcase_add_test(tc, recv_fds_null_flags_allowed);
        tcase_add_test(tc, recv_fds_null_nfds_is_einval_and_consumes_nothing);
        tcase_add_test(tc, recv_fds_without_fds_sent_gives_zero_fds_and_no_flags);
        tcase_add_test(tc, recv_ancillary_without_anc_closes_received_fds);
        tcase_add_test(tc, plain_recv_of_a_message_with_fds_leaks_nothing);

        tc = ns_tcase(s, "credentials");
        tcase_add_test(tc, send_recv_ancillary_with_fds_and_creds);
        tcase_add_test(tc, no_creds_without_passcred);
        tcase_add_test(tc, passcred_on_receiver_delivers_sender_creds);
        tcase_add_test(tc, explicit_creds_arrive);
        tcase_add_test(tc, passcred_on_listener_is_inherited_by_accepted_socket);
        tcase_add_test(tc, peer_credentials_of_pair_and_listener_connection);
        tcase_add_test(tc, peer_credentials_name_the_forked_client);
        tcase_add_test(tc, peer_security_context_length_or_enoprotoopt);

        tc = ns_tcase(s, "listener");
        tcase_add_test(tc, remove_on_close_unlinks_socket_file);
        tcase_add_test(tc, listener_without_remove_on_close_leaves_file);
        tcase_add_test(tc, remove_on_close_spares_file_rebound_by_another_listener);
        tcase_add_test(tc, remove_on_close_spares_a_regular_file_put_at_the_path);
        tcase_add_test(tc, into_fd_of_remove_on_close_listener_keeps_file);
        tcase_add_test(tc, clone_of_remove_on_close_listener_does_not_remove);
        tcase_add_test(tc, bind_existing_path_without_replace_stale_is_eaddrinuse);
        tcase_add_test(tc, replace_stale_replaces_dead_socket_file);
        tcase_add_test(tc, replace_stale_on_a_free_path_just_binds);
        tcase_add_test(tc, replace_stale_never_takes_live_listener_path);
        tcase_add_test(tc, replace_stale_never_removes_regular_file);
        tcase_add_test(tc, bind_in_missing_directory_is_enoent);
        tcase_add_test(tc, bind_name_errors);
        tcase_add_test(tc, abstract_listener_accepts_and_name_is_exclusive);
        tcase_add_test(tc, nonblocking_listener_accept_is_eagain);
        tcase_add_test(tc, accept_nonblock_makes_only_the_connection_nonblocking);
        tcase_add_test(tc, listener_bad_flags_is_einval);
        tcase_add_test(tc, created_fds_are_cloexec);

        tc = ns_tcase(s, "common");
        tcase_add_test(tc, from_fd_adopts_socketpair_fd);
        tcase_add_test(tc, from_fd_refuses_other_kinds_and_leaves_fd_alone);
        tcase_add_test(tc, into_fd_hands_over_the_connection);
        tcase_add_test(tc, try_clone_shares_the_connection);
        tcase_add_test(tc, try_clone_of_listener_accepts);
        tcase_add_test(tc, take_error_is_zero);
        tcase_add_test(tc, timeouts_read_back);
        tcase_add_test(tc, timed_out_recv_is_eagain);

        return s;
}

NS_TEST_MAIN(make_suite)
