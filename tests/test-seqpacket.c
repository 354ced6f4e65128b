/* SPDX-License-Identifier: MIT */
/*
 * Unix seqpacket sockets and listeners (API.md section 6, issue 3):
 * connecting by path, abstract name, address and from-to; pairs; listener
 * flags; packet semantics (one send is one packet, truncation, peek,
 * next_packet_len, zero-length packets versus EOF); the behaviours the uds
 * documentation gives for UnixSeqpacketConn; fd passing and credentials;
 * the error cases (full backlog, closed peer); and the common calls.
 *
 * Every test runs under the fd-leak fixture of common.c.  Forked helpers
 * end with _exit() and report through their exit status only.  The fixture
 * leaves SIGPIPE at SIG_DFL, so a send that raised it would kill the test.
 */
#include "config.h"
#include "common.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- helpers ------------------------------------------------------------ */

static struct netsock_seqpacket_listener *listen_at(const char *name, int flags) {
        struct netsock_seqpacket_listener *l = NULL;

        ck_assert_int_eq(netsock_seqpacket_listener_bind(name, flags, &l), 0);
        ck_assert_ptr_nonnull(l);
        return l;
}

static struct netsock_seqpacket *connect_to(const char *name, int flags) {
        struct netsock_seqpacket *s = NULL;

        ck_assert_int_eq(netsock_seqpacket_connect(name, flags, &s), 0);
        ck_assert_ptr_nonnull(s);
        return s;
}

static struct netsock_seqpacket *accept_from(struct netsock_seqpacket_listener *l, int flags,
                                             struct netsock_addr *ret_peer) {
        struct netsock_seqpacket *s = NULL;

        ck_assert_int_eq(netsock_seqpacket_listener_accept(l, flags, &s, ret_peer), 0);
        ck_assert_ptr_nonnull(s);
        return s;
}

static void make_pair(int flags, struct netsock_seqpacket **a, struct netsock_seqpacket **b) {
        *a = *b = NULL;
        ck_assert_int_eq(netsock_seqpacket_pair(flags, a, b), 0);
        ck_assert_ptr_nonnull(*a);
        ck_assert_ptr_nonnull(*b);
}

static void close_all(struct netsock_seqpacket *a, struct netsock_seqpacket *b) {
        netsock_seqpacket_close(a);
        netsock_seqpacket_close(b);
}

/* Sends msg as one packet and receives exactly that packet on the other
 * end: its length announced first, the bytes, no truncation. */
static void assert_packet(struct netsock_seqpacket *from, struct netsock_seqpacket *to, const char *msg) {
        char buf[256];
        size_t n = strlen(msg);
        bool trunc = true;

        ck_assert_uint_lt(n, sizeof(buf));
        ck_assert_int_eq(netsock_seqpacket_send(from, msg, n), (ssize_t) n);
        ck_assert_int_eq(netsock_seqpacket_next_packet_len(to), (ssize_t) n);
        memset(buf, 0, sizeof(buf));
        ck_assert_int_eq(netsock_seqpacket_recv(to, buf, sizeof(buf), &trunc), (ssize_t) n);
        ck_assert(!trunc);
        ck_assert_str_eq(buf, msg);
}

static void assert_nonblocking(const struct netsock_seqpacket *s, bool expect) {
        bool on = !expect;

        ck_assert_int_eq(netsock_seqpacket_is_nonblocking(s, &on), 0);
        ck_assert_int_eq(on, expect);
}

/* poll(2) once without waiting, asking for input and read hang-up. */
static short poll_in_rdhup(int fd) {
        return ns_poll_fd(fd, POLLIN | POLLRDHUP, 0);
}

/* ---- connecting ---------------------------------------------------------- */

START_TEST(connect_by_path_blocking_and_nonblocking) {
        char path[512];
        struct netsock_seqpacket_listener *l;
        struct netsock_seqpacket *c, *s;

        ns_keep(path, sizeof(path), ns_tmppath("srv.sock"));
        l = listen_at(path, 0);

        c = connect_to(path, 0);
        s = accept_from(l, 0, NULL);
        assert_nonblocking(c, false);
        assert_nonblocking(s, false);
        assert_packet(c, s, "ping");
        assert_packet(s, c, "pong!");
        close_all(c, s);

        c = connect_to(path, (int) NETSOCK_NONBLOCK);
        s = accept_from(l, 0, NULL);
        assert_nonblocking(c, true);
        assert_nonblocking(s, false);
        assert_packet(c, s, "nonblocking ping");
        assert_packet(s, c, "nonblocking pong");
        close_all(c, s);
        netsock_seqpacket_listener_close(l);
}
END_TEST

START_TEST(connect_by_abstract_name_blocking_and_nonblocking) {
        char name[128];
        struct netsock_seqpacket_listener *l;
        struct netsock_seqpacket *c, *s;

        ns_keep(name, sizeof(name), ns_abstract_name("conn"));
        l = listen_at(name, 0);

        c = connect_to(name, 0);
        s = accept_from(l, 0, NULL);
        assert_nonblocking(c, false);
        assert_packet(c, s, "abstract hello");
        assert_packet(s, c, "abstract reply");
        close_all(c, s);

        c = connect_to(name, (int) NETSOCK_NONBLOCK);
        s = accept_from(l, 0, NULL);
        assert_nonblocking(c, true);
        assert_packet(c, s, "abstract nonblocking");
        close_all(c, s);
        netsock_seqpacket_listener_close(l);
}
END_TEST

START_TEST(connect_addr_by_path_and_abstract_blocking_and_nonblocking) {
        char path[512], name[128];
        struct netsock_addr pa, aa;
        struct netsock_seqpacket_listener *lp = NULL, *la = NULL;
        struct netsock_seqpacket *c, *s;
        int mode;

        ns_keep(path, sizeof(path), ns_tmppath("addr.sock"));
        ns_keep(name, sizeof(name), ns_abstract_name("addr"));
        ck_assert_int_eq(netsock_addr_unix(&pa, path), 0);
        ck_assert_int_eq(netsock_addr_abstract(&aa, name + 1, strlen(name + 1)), 0);
        ck_assert_int_eq(netsock_seqpacket_listener_bind_addr(&pa, 0, &lp), 0);
        ck_assert_int_eq(netsock_seqpacket_listener_bind_addr(&aa, 0, &la), 0);

        for (mode = 0; mode < 2; mode++) {
                int flags = mode ? (int) NETSOCK_NONBLOCK : 0;

                c = NULL;
                ck_assert_int_eq(netsock_seqpacket_connect_addr(&pa, flags, &c), 0);
                ck_assert_ptr_nonnull(c);
                s = accept_from(lp, 0, NULL);
                assert_nonblocking(c, mode == 1);
                assert_packet(c, s, "via path addr");
                close_all(c, s);

                c = NULL;
                ck_assert_int_eq(netsock_seqpacket_connect_addr(&aa, flags, &c), 0);
                ck_assert_ptr_nonnull(c);
                s = accept_from(la, 0, NULL);
                assert_nonblocking(c, mode == 1);
                assert_packet(c, s, "via abstract addr");
                close_all(c, s);
        }
        netsock_seqpacket_listener_close(lp);
        netsock_seqpacket_listener_close(la);
}
END_TEST

START_TEST(connect_from_to_path_binds_client_first) {
        char srv[512], cli[512], text[NETSOCK_ADDRSTRLEN];
        struct netsock_addr from, to, peer, got;
        struct netsock_seqpacket_listener *l;
        struct netsock_seqpacket *c = NULL, *s;

        ns_keep(srv, sizeof(srv), ns_tmppath("srv.sock"));
        ns_keep(cli, sizeof(cli), ns_tmppath("cli.sock"));
        ck_assert_int_eq(netsock_addr_unix(&to, srv), 0);
        ck_assert_int_eq(netsock_addr_unix(&from, cli), 0);
        l = listen_at(srv, 0);

        ck_assert_int_eq(netsock_seqpacket_connect_from_to(&from, &to, 0, &c), 0);
        ck_assert_ptr_nonnull(c);
        assert_nonblocking(c, false);
        ck_assert(ns_is_socket_file(cli));
        memset(&peer, 0xaa, sizeof(peer));
        s = accept_from(l, 0, &peer);
        /* accept's ret_peer and the server side's peer_addr are "from". */
        ck_assert(netsock_addr_equal(&peer, &from));
        ns_format_addr(&peer, text, sizeof(text));
        ck_assert_str_eq(text, cli);
        ck_assert_int_eq(netsock_seqpacket_peer_addr(s, &got), 0);
        ck_assert(netsock_addr_equal(&got, &from));
        ck_assert_int_eq(netsock_seqpacket_local_addr(c, &got), 0);
        ck_assert(netsock_addr_equal(&got, &from));
        ck_assert_int_eq(netsock_seqpacket_peer_addr(c, &got), 0);
        ck_assert(netsock_addr_equal(&got, &to));
        assert_packet(c, s, "from to");
        assert_packet(s, c, "to from");
        close_all(c, s);
        netsock_seqpacket_listener_close(l);
}
END_TEST

START_TEST(connect_from_to_abstract_binds_client_first) {
        char srv[128], cli[128], text[NETSOCK_ADDRSTRLEN];
        struct netsock_addr from, to, peer, got;
        struct netsock_seqpacket_listener *l;
        struct netsock_seqpacket *c = NULL, *s;

        ns_keep(srv, sizeof(srv), ns_abstract_name("srv"));
        ns_keep(cli, sizeof(cli), ns_abstract_name("cli"));
        ck_assert_int_eq(netsock_addr_parse(&to, srv), 0);
        ck_assert_int_eq(netsock_addr_parse(&from, cli), 0);
        ck_assert_int_eq(netsock_addr_unix_kind(&from), NETSOCK_UNIX_ABSTRACT);
        l = listen_at(srv, 0);

        ck_assert_int_eq(netsock_seqpacket_connect_from_to(&from, &to, (int) NETSOCK_NONBLOCK, &c), 0);
        ck_assert_ptr_nonnull(c);
        assert_nonblocking(c, true);
        memset(&peer, 0xaa, sizeof(peer));
        s = accept_from(l, 0, &peer);
        ck_assert(netsock_addr_equal(&peer, &from));
        ns_format_addr(&peer, text, sizeof(text));
        ck_assert_str_eq(text, cli);
        ck_assert_int_eq(netsock_seqpacket_peer_addr(s, &got), 0);
        ck_assert(netsock_addr_equal(&got, &from));
        ck_assert_int_eq(netsock_seqpacket_local_addr(c, &got), 0);
        ck_assert(netsock_addr_equal(&got, &from));
        assert_packet(c, s, "abstract from to");
        close_all(c, s);
        netsock_seqpacket_listener_close(l);
}
END_TEST

START_TEST(connect_from_to_bad_arguments) {
        char srv[512];
        struct netsock_addr to, inet, empty;
        struct netsock_seqpacket_listener *l;
        struct netsock_seqpacket *c = NULL;
        int before;

        ns_keep(srv, sizeof(srv), ns_tmppath("srv.sock"));
        ck_assert_int_eq(netsock_addr_unix(&to, srv), 0);
        ck_assert_int_eq(netsock_addr_parse(&inet, "127.0.0.1:1"), 0);
        memset(&empty, 0, sizeof(empty));
        l = listen_at(srv, 0);
        before = ns_count_fds();
        ck_assert_int_eq(netsock_seqpacket_connect_from_to(NULL, &to, 0, &c), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_connect_from_to(&empty, &to, 0, &c), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_connect_from_to(&to, NULL, 0, &c), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_connect_from_to(&inet, &to, 0, &c), -EAFNOSUPPORT);
        ck_assert_int_eq(netsock_seqpacket_connect_from_to(&to, &inet, 0, &c), -EAFNOSUPPORT);
        ck_assert_int_eq(netsock_seqpacket_connect_from_to(&to, &to, 0x100, &c), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_connect_from_to(&to, &to, 0, NULL), -EINVAL);
        /* "from" already taken (it is the listener's own path). */
        ck_assert_int_eq(netsock_seqpacket_connect_from_to(&to, &to, 0, &c), -EADDRINUSE);
        ck_assert_ptr_null(c);
        ck_assert_int_eq(ns_count_fds(), before);
        netsock_seqpacket_listener_close(l);
}
END_TEST

/* A call that fails leaves nothing behind: the socket file bind created at
 * "from" must not outlive a failed connect, or the very same call can
 * never succeed again (-EADDRINUSE).  The verdict comes last, after the
 * test has cleaned up: a failing test does not get the fixture's teardown
 * and would leave its tmpdir behind. */
START_TEST(connect_from_to_failure_leaves_no_socket_file_at_from) {
        char srv[512], cli[512], dir[512];
        struct netsock_addr from, to;
        struct netsock_seqpacket_listener *l;
        struct netsock_seqpacket *c = NULL, *s;
        bool left;

        ns_keep(dir, sizeof(dir), ns_tmpdir());
        ns_keep(srv, sizeof(srv), ns_tmppath("missing.sock"));
        ns_keep(cli, sizeof(cli), ns_tmppath("cli.sock"));
        ck_assert_int_eq(netsock_addr_unix(&to, srv), 0);
        ck_assert_int_eq(netsock_addr_unix(&from, cli), 0);
        ck_assert_int_eq(netsock_seqpacket_connect_from_to(&from, &to, 0, &c), -ENOENT);
        ck_assert_ptr_null(c);
        left = ns_path_exists(cli);
        if (left)
                (void) unlink(cli);

        /* Once the server is there, the same call works. */
        l = listen_at(srv, (int) NETSOCK_REMOVE_ON_CLOSE);
        ck_assert_int_eq(netsock_seqpacket_connect_from_to(&from, &to, 0, &c), 0);
        ck_assert_ptr_nonnull(c);
        s = accept_from(l, 0, NULL);
        assert_packet(c, s, "second try");
        close_all(c, s);
        netsock_seqpacket_listener_close(l);
        if (left) {
                (void) unlink(cli);
                (void) rmdir(dir);
                ck_abort_msg("failed connect_from_to left its socket file at \"from\" (%s)", cli);
        }
}
END_TEST

START_TEST(connect_missing_or_stale_path_fails_without_leak) {
        char path[512];
        struct netsock_seqpacket *s = NS_SENTINEL(netsock_seqpacket);
        int before = ns_count_fds();

        ck_assert_int_eq(netsock_seqpacket_connect(ns_tmppath("missing.sock"), 0, &s), -ENOENT);
        ck_assert_ptr_eq(s, NS_SENTINEL(netsock_seqpacket));  /* untouched on failure */
        ns_keep(path, sizeof(path), ns_tmppath("stale.sock"));
        ns_make_stale_socket_file(path, SOCK_SEQPACKET);
        ck_assert_int_eq(netsock_seqpacket_connect(path, 0, &s), -ECONNREFUSED);
        ck_assert_int_eq(netsock_seqpacket_connect(path, (int) NETSOCK_NONBLOCK, &s), -ECONNREFUSED);
        ck_assert_int_eq(netsock_seqpacket_connect(ns_abstract_name("nobody"), 0, &s), -ECONNREFUSED);
        ck_assert_ptr_eq(s, NS_SENTINEL(netsock_seqpacket));
        ck_assert_int_eq(ns_count_fds(), before);
}
END_TEST

START_TEST(connect_to_stream_listener_is_eprototype) {
        char path[512];
        struct netsock_unix_listener *l = NULL;
        struct netsock_seqpacket *s = NULL;
        int before;

        ns_keep(path, sizeof(path), ns_tmppath("stream.sock"));
        ck_assert_int_eq(netsock_unix_listener_bind(path, 0, &l), 0);
        before = ns_count_fds();
        ck_assert_int_eq(netsock_seqpacket_connect(path, 0, &s), -EPROTOTYPE);
        ck_assert_ptr_null(s);
        ck_assert_int_eq(ns_count_fds(), before);
        netsock_unix_listener_close(l);
}
END_TEST

START_TEST(connect_bad_arguments_are_einval) {
        char path[512];
        struct netsock_addr empty, inet;
        struct netsock_seqpacket_listener *l;
        struct netsock_seqpacket *s = NULL;
        int before;

        ns_keep(path, sizeof(path), ns_tmppath("flags.sock"));
        l = listen_at(path, 0);
        before = ns_count_fds();
        ck_assert_int_eq(netsock_seqpacket_connect(path, (int) NETSOCK_REMOVE_ON_CLOSE, &s), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_connect(path, (int) NETSOCK_REPLACE_STALE, &s), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_connect(path, 0x100, &s), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_connect(path, -1, &s), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_connect(path, 0, NULL), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_connect(NULL, 0, &s), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_connect("", 0, &s), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_connect_addr(NULL, 0, &s), -EINVAL);
        memset(&empty, 0, sizeof(empty));
        ck_assert_int_eq(netsock_seqpacket_connect_addr(&empty, 0, &s), -EINVAL);
        ck_assert_int_eq(netsock_addr_parse(&inet, "127.0.0.1:1"), 0);
        ck_assert_int_eq(netsock_seqpacket_connect_addr(&inet, 0, &s), -EAFNOSUPPORT);
        ck_assert_ptr_null(s);
        ck_assert_int_eq(ns_count_fds(), before);
        netsock_seqpacket_listener_close(l);
}
END_TEST

/* Linux answers a nonblocking Unix connect to a listener whose backlog is
 * full with EAGAIN (not EINPROGRESS).  Listeners use backlog SOMAXCONN. */
START_TEST(nonblocking_connect_to_full_backlog_is_eagain) {
        enum { MAX_CLIENTS = 10000 };
        struct netsock_seqpacket **clients = calloc(MAX_CLIENTS, sizeof(*clients));
        struct netsock_seqpacket_listener *l;
        struct netsock_seqpacket *s, *late = NULL, *other = NULL;
        struct rlimit rl;
        char path[512];
        int i, n = 0, r = 0, lowest;
        long somaxconn, backlog;

        ck_assert_ptr_nonnull(clients);
        ns_raise_nofile_limit(MAX_CLIENTS + 64);
        somaxconn = ns_sysctl_long("/proc/sys/net/core/somaxconn", -1);
        backlog = somaxconn > 0 && somaxconn < SOMAXCONN ? somaxconn : SOMAXCONN;

        ns_keep(path, sizeof(path), ns_tmppath("backlog.sock"));
        l = listen_at(path, 0);
        ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
        if (somaxconn < 0 || (rl.rlim_cur != RLIM_INFINITY && (long) rl.rlim_cur < backlog + 64)) {
                /* Not enough fds for the real backlog: shrink it, the
                 * behaviour under test stays the same. */
                ck_assert_int_eq(listen(netsock_seqpacket_listener_fd(l), 16), 0);
                backlog = 16;
        }
        for (i = 0; i < MAX_CLIENTS; i++) {
                struct netsock_seqpacket *c = NULL;

                r = netsock_seqpacket_connect(path, (int) NETSOCK_NONBLOCK, &c);
                if (r < 0) {
                        ck_assert_ptr_null(c);
                        break;
                }
                clients[n++] = c;
        }
        ck_assert_int_eq(r, -EAGAIN);
        /* The kernel queues backlog connections, and one more. */
        ck_assert_int_ge(n, backlog);
        ck_assert_int_le(n, backlog + 1);

        /* A refused connect leaves no fd behind. */
        lowest = ns_lowest_free_fd();
        ck_assert_int_eq(netsock_seqpacket_connect(path, (int) NETSOCK_NONBLOCK, &late), -EAGAIN);
        ck_assert_ptr_null(late);
        ck_assert_int_eq(ns_lowest_free_fd(), lowest);

        /* Taking one connection off the queue makes room for exactly one. */
        s = accept_from(l, 0, NULL);
        ck_assert_int_eq(netsock_seqpacket_connect(path, (int) NETSOCK_NONBLOCK, &late), 0);
        ck_assert_ptr_nonnull(late);
        ck_assert_int_eq(netsock_seqpacket_connect(path, (int) NETSOCK_NONBLOCK, &other), -EAGAIN);
        ck_assert_ptr_null(other);
        /* The accepted connection is the first one made. */
        assert_packet(clients[0], s, "first in line");
        netsock_seqpacket_close(s);

        for (i = 0; i < n; i++)
                netsock_seqpacket_close(clients[i]);
        netsock_seqpacket_close(late);
        netsock_seqpacket_listener_close(l);
        free(clients);
}
END_TEST

/* ---- pairs and modes ------------------------------------------------------ */

START_TEST(pair_blocking_and_nonblocking_read_back) {
        struct netsock_seqpacket *a, *b;
        struct netsock_addr got;
        char text[NETSOCK_ADDRSTRLEN];

        make_pair(0, &a, &b);
        assert_nonblocking(a, false);
        assert_nonblocking(b, false);
        assert_packet(a, b, "pair a->b");
        assert_packet(b, a, "pair b->a");
        /* Both ends of a pair are unnamed. */
        ck_assert_int_eq(netsock_seqpacket_local_addr(a, &got), 0);
        ck_assert_int_eq(netsock_addr_unix_kind(&got), NETSOCK_UNIX_UNNAMED);
        ck_assert_int_eq(netsock_seqpacket_peer_addr(a, &got), 0);
        ck_assert_int_eq(netsock_addr_unix_kind(&got), NETSOCK_UNIX_UNNAMED);
        ns_format_addr(&got, text, sizeof(text));
        ck_assert_str_eq(text, "(unnamed)");
        close_all(a, b);

        make_pair((int) NETSOCK_NONBLOCK, &a, &b);
        assert_nonblocking(a, true);
        assert_nonblocking(b, true);
        assert_packet(a, b, "nonblocking pair");
        close_all(a, b);
}
END_TEST

START_TEST(pair_bad_arguments_are_einval) {
        struct netsock_seqpacket *a = NULL, *b = NULL;
        int before = ns_count_fds();

        ck_assert_int_eq(netsock_seqpacket_pair((int) NETSOCK_REMOVE_ON_CLOSE, &a, &b), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_pair(0x40, &a, &b), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_pair(0, &a, NULL), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_pair(0, NULL, &b), -EINVAL);
        ck_assert_ptr_null(a);
        ck_assert_ptr_null(b);
        ck_assert_int_eq(ns_count_fds(), before);
}
END_TEST

START_TEST(set_nonblocking_later_reads_back) {
        char path[512];
        struct netsock_seqpacket_listener *l;
        struct netsock_seqpacket *a, *b, *c, *s;
        char buf[8];

        make_pair(0, &a, &b);
        ck_assert_int_eq(netsock_seqpacket_set_nonblocking(b, true), 0);
        assert_nonblocking(b, true);
        assert_nonblocking(a, false);
        /* Now nonblocking: an empty socket answers at once. */
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, sizeof(buf), NULL), -EAGAIN);
        ck_assert_int_eq(netsock_seqpacket_set_nonblocking(b, false), 0);
        assert_nonblocking(b, false);
        ck_assert_int_eq(netsock_seqpacket_set_nonblocking(NULL, true), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_is_nonblocking(b, NULL), -EINVAL);
        close_all(a, b);

        ns_keep(path, sizeof(path), ns_tmppath("later.sock"));
        l = listen_at(path, 0);
        c = connect_to(path, 0);
        s = accept_from(l, 0, NULL);
        ck_assert_int_eq(netsock_seqpacket_set_nonblocking(c, true), 0);
        assert_nonblocking(c, true);
        ck_assert_int_eq(netsock_seqpacket_recv(c, buf, sizeof(buf), NULL), -EAGAIN);
        ck_assert_int_eq(netsock_seqpacket_set_nonblocking(s, true), 0);
        assert_nonblocking(s, true);
        ck_assert_int_eq(netsock_seqpacket_next_packet_len(s), -EAGAIN);
        assert_packet(c, s, "after the switch");
        close_all(c, s);

        ck_assert_int_eq(netsock_seqpacket_listener_set_nonblocking(l, true), 0);
        {
                bool on = false;

                ck_assert_int_eq(netsock_seqpacket_listener_is_nonblocking(l, &on), 0);
                ck_assert(on);
        }
        s = NULL;
        ck_assert_int_eq(netsock_seqpacket_listener_accept(l, 0, &s, NULL), -EAGAIN);
        ck_assert_ptr_null(s);
        netsock_seqpacket_listener_close(l);
}
END_TEST

/* ---- listeners -------------------------------------------------------------- */

START_TEST(listener_by_path_accept_returns_peer_address) {
        char path[512], text[NETSOCK_ADDRSTRLEN];
        struct netsock_addr bound, got, peer;
        struct netsock_seqpacket_listener *l;
        struct netsock_seqpacket *c, *s;

        ns_keep(path, sizeof(path), ns_tmppath("addrs.sock"));
        ck_assert_int_eq(netsock_addr_unix(&bound, path), 0);
        l = listen_at(path, 0);
        ck_assert(ns_is_socket_file(path));
        ck_assert_int_eq(netsock_seqpacket_listener_local_addr(l, &got), 0);
        ck_assert(netsock_addr_equal(&got, &bound));
        ns_format_addr(&got, text, sizeof(text));
        ck_assert_str_eq(text, path);

        c = connect_to(path, 0);
        memset(&peer, 0xaa, sizeof(peer));
        s = accept_from(l, 0, &peer);
        /* The client never bound: its address is unnamed. */
        ck_assert_int_eq(netsock_addr_family(&peer), AF_UNIX);
        ck_assert_int_eq(netsock_addr_unix_kind(&peer), NETSOCK_UNIX_UNNAMED);
        ns_format_addr(&peer, text, sizeof(text));
        ck_assert_str_eq(text, "(unnamed)");
        ck_assert_int_eq(netsock_seqpacket_local_addr(s, &got), 0);
        ck_assert(netsock_addr_equal(&got, &bound));
        ck_assert_int_eq(netsock_seqpacket_peer_addr(c, &got), 0);
        ck_assert(netsock_addr_equal(&got, &bound));
        ck_assert_int_eq(netsock_seqpacket_peer_addr(s, &got), 0);
        ck_assert(netsock_addr_equal(&got, &peer));
        assert_packet(c, s, "listener by path");
        close_all(c, s);

        ck_assert_int_eq(netsock_seqpacket_listener_accept(l, 0, NULL, NULL), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_listener_accept(NULL, 0, &s, NULL), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_listener_local_addr(l, NULL), -EINVAL);
        netsock_seqpacket_listener_close(l);
        /* Without NETSOCK_REMOVE_ON_CLOSE the socket file stays. */
        ck_assert(ns_is_socket_file(path));
}
END_TEST

START_TEST(listener_by_abstract_name) {
        char name[128], text[NETSOCK_ADDRSTRLEN];
        struct netsock_addr expect, got, peer;
        struct netsock_seqpacket_listener *l;
        struct netsock_seqpacket *c, *s;

        ns_keep(name, sizeof(name), ns_abstract_name("lsn"));
        ck_assert_int_eq(netsock_addr_abstract(&expect, name + 1, strlen(name + 1)), 0);
        /* REMOVE_ON_CLOSE is harmless on an abstract name: no file. */
        l = listen_at(name, (int) NETSOCK_REMOVE_ON_CLOSE);
        ck_assert_int_eq(netsock_seqpacket_listener_local_addr(l, &got), 0);
        ck_assert(netsock_addr_equal(&got, &expect));
        ck_assert_int_eq(netsock_addr_unix_kind(&got), NETSOCK_UNIX_ABSTRACT);
        ns_format_addr(&got, text, sizeof(text));
        ck_assert_str_eq(text, name);

        c = connect_to(name, 0);
        s = accept_from(l, 0, &peer);
        ck_assert_int_eq(netsock_addr_unix_kind(&peer), NETSOCK_UNIX_UNNAMED);
        ck_assert_int_eq(netsock_seqpacket_peer_addr(c, &got), 0);
        ck_assert(netsock_addr_equal(&got, &expect));
        assert_packet(c, s, "listener by abstract name");
        close_all(c, s);
        netsock_seqpacket_listener_close(l);

        /* The name is free again once the listener is closed. */
        l = listen_at(name, 0);
        netsock_seqpacket_listener_close(l);
}
END_TEST

START_TEST(listener_bind_addr_path_and_abstract) {
        char path[512], name[128];
        struct netsock_addr pa, aa, got, inet, empty;
        struct netsock_seqpacket_listener *lp = NULL, *la = NULL, *bad = NULL;
        struct netsock_seqpacket *c, *s;

        ns_keep(path, sizeof(path), ns_tmppath("bindaddr.sock"));
        ns_keep(name, sizeof(name), ns_abstract_name("bindaddr"));
        ck_assert_int_eq(netsock_addr_unix(&pa, path), 0);
        ck_assert_int_eq(netsock_addr_abstract(&aa, name + 1, strlen(name + 1)), 0);
        ck_assert_int_eq(netsock_seqpacket_listener_bind_addr(&pa, (int) NETSOCK_REMOVE_ON_CLOSE, &lp), 0);
        ck_assert_int_eq(netsock_seqpacket_listener_bind_addr(&aa, 0, &la), 0);
        ck_assert_int_eq(netsock_seqpacket_listener_local_addr(lp, &got), 0);
        ck_assert(netsock_addr_equal(&got, &pa));
        ck_assert_int_eq(netsock_seqpacket_listener_local_addr(la, &got), 0);
        ck_assert(netsock_addr_equal(&got, &aa));

        c = connect_to(path, 0);
        s = accept_from(lp, 0, NULL);
        assert_packet(c, s, "bind_addr path");
        close_all(c, s);
        c = connect_to(name, 0);
        s = accept_from(la, 0, NULL);
        assert_packet(c, s, "bind_addr abstract");
        close_all(c, s);

        /* The same address twice: -EADDRINUSE, for both kinds. */
        ck_assert_int_eq(netsock_seqpacket_listener_bind_addr(&pa, 0, &bad), -EADDRINUSE);
        ck_assert_int_eq(netsock_seqpacket_listener_bind_addr(&aa, 0, &bad), -EADDRINUSE);
        ck_assert_int_eq(netsock_addr_parse(&inet, "127.0.0.1:0"), 0);
        ck_assert_int_eq(netsock_seqpacket_listener_bind_addr(&inet, 0, &bad), -EAFNOSUPPORT);
        memset(&empty, 0, sizeof(empty));
        ck_assert_int_eq(netsock_seqpacket_listener_bind_addr(&empty, 0, &bad), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_listener_bind_addr(NULL, 0, &bad), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_listener_bind(NULL, 0, &bad), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_listener_bind(ns_tmppath("x.sock"), 0x100, &bad), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_listener_bind(ns_tmppath("y.sock"), 0, NULL), -EINVAL);
        ck_assert_ptr_null(bad);
        ck_assert(!ns_path_exists(ns_tmppath("x.sock")));
        ck_assert(!ns_path_exists(ns_tmppath("y.sock")));

        netsock_seqpacket_listener_close(lp);
        netsock_seqpacket_listener_close(la);
        ck_assert(!ns_path_exists(path));
}
END_TEST

START_TEST(remove_on_close_unlinks_socket_file) {
        char path[512];
        struct netsock_seqpacket_listener *l;
        struct netsock_seqpacket *s = NULL;

        ns_keep(path, sizeof(path), ns_tmppath("rm.sock"));
        l = listen_at(path, (int) NETSOCK_REMOVE_ON_CLOSE);
        ck_assert(ns_is_socket_file(path));
        netsock_seqpacket_listener_close(l);
        ck_assert(!ns_path_exists(path));
        ck_assert_int_eq(netsock_seqpacket_connect(path, 0, &s), -ENOENT);
        ck_assert_ptr_null(s);

        /* Without the flag the file outlives the listener. */
        l = listen_at(path, 0);
        netsock_seqpacket_listener_close(l);
        ck_assert(ns_is_socket_file(path));
        ck_assert_int_eq(netsock_seqpacket_connect(path, 0, &s), -ECONNREFUSED);
}
END_TEST

START_TEST(remove_on_close_leaves_replacement_file_alone) {
        char path[512];
        struct netsock_seqpacket_listener *old, *now;
        struct netsock_seqpacket *c, *s;
        ino_t ino;

        ns_keep(path, sizeof(path), ns_tmppath("replaced.sock"));
        old = listen_at(path, (int) NETSOCK_REMOVE_ON_CLOSE);
        /* Someone removes the file and a new listener binds there. */
        ck_assert_int_eq(unlink(path), 0);
        now = listen_at(path, 0);
        ino = ns_inode_of(path);
        netsock_seqpacket_listener_close(old);
        ck_assert(ns_is_socket_file(path));
        ck_assert_uint_eq(ns_inode_of(path), ino);
        c = connect_to(path, 0);
        s = accept_from(now, 0, NULL);
        assert_packet(c, s, "still reachable");
        close_all(c, s);
        netsock_seqpacket_listener_close(now);
}
END_TEST

START_TEST(replace_stale_replaces_dead_socket_file) {
        char path[512];
        struct netsock_seqpacket_listener *l = NULL;
        struct netsock_seqpacket *c, *s;
        ino_t stale;

        ns_keep(path, sizeof(path), ns_tmppath("stale.sock"));
        ns_make_stale_socket_file(path, SOCK_SEQPACKET);
        stale = ns_inode_of(path);
        /* Without the flag a stale file is in the way. */
        ck_assert_int_eq(netsock_seqpacket_listener_bind(path, 0, &l), -EADDRINUSE);
        ck_assert_ptr_null(l);
        ck_assert_uint_eq(ns_inode_of(path), stale);

        l = listen_at(path, (int) (NETSOCK_REPLACE_STALE | NETSOCK_REMOVE_ON_CLOSE));
        ck_assert(ns_is_socket_file(path));
        c = connect_to(path, 0);
        s = accept_from(l, 0, NULL);
        assert_packet(c, s, "replaced");
        close_all(c, s);
        netsock_seqpacket_listener_close(l);
        ck_assert(!ns_path_exists(path));

        /* A stale file of another socket type is just as dead. */
        ns_make_stale_socket_file(path, SOCK_STREAM);
        l = listen_at(path, (int) NETSOCK_REPLACE_STALE);
        c = connect_to(path, 0);
        s = accept_from(l, 0, NULL);
        assert_packet(c, s, "replaced stream file");
        close_all(c, s);
        netsock_seqpacket_listener_close(l);
}
END_TEST

START_TEST(replace_stale_never_takes_live_listener_path) {
        char path[512];
        struct netsock_seqpacket_listener *live, *l = NULL;
        struct netsock_unix_listener *stream = NULL;
        struct netsock_seqpacket *c, *s;
        char buf[8];
        ino_t ino;
        int before;

        ns_keep(path, sizeof(path), ns_tmppath("live.sock"));
        live = listen_at(path, 0);
        ino = ns_inode_of(path);
        before = ns_count_fds();
        ck_assert_int_eq(netsock_seqpacket_listener_bind(path, (int) NETSOCK_REPLACE_STALE, &l), -EADDRINUSE);
        ck_assert_ptr_null(l);
        ck_assert_int_eq(ns_count_fds(), before);
        ck_assert_uint_eq(ns_inode_of(path), ino);
        /* The liveness probe is a real connect: it leaves one connection,
         * already hung up, in the live listener's queue, ahead of any
         * later client. */
        c = connect_to(path, 0);
        s = accept_from(live, 0, NULL);
        ck_assert_int_eq(netsock_seqpacket_recv(s, buf, sizeof(buf), NULL), 0);
        ck_assert_int_eq(poll_in_rdhup(netsock_seqpacket_fd(s)) & POLLRDHUP, POLLRDHUP);
        netsock_seqpacket_close(s);
        s = accept_from(live, 0, NULL);
        assert_packet(c, s, "live one kept");
        close_all(c, s);
        netsock_seqpacket_listener_close(live);

        /* A live listener of another type (stream) is alive too: the probe
         * gets EPROTOTYPE, not ECONNREFUSED. */
        ck_assert_int_eq(unlink(path), 0);
        ck_assert_int_eq(netsock_unix_listener_bind(path, 0, &stream), 0);
        ino = ns_inode_of(path);
        ck_assert_int_eq(netsock_seqpacket_listener_bind(path, (int) NETSOCK_REPLACE_STALE, &l), -EADDRINUSE);
        ck_assert_ptr_null(l);
        ck_assert_uint_eq(ns_inode_of(path), ino);
        netsock_unix_listener_close(stream);
}
END_TEST

START_TEST(replace_stale_never_removes_regular_file) {
        char path[512], buf[16];
        struct netsock_seqpacket_listener *l = NULL;
        int fd;

        ns_keep(path, sizeof(path), ns_tmppath("regular"));
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, "keep me", 7), 7);
        ck_assert_int_eq(close(fd), 0);

        ck_assert_int_eq(netsock_seqpacket_listener_bind(path, (int) NETSOCK_REPLACE_STALE, &l), -EADDRINUSE);
        ck_assert_int_eq(netsock_seqpacket_listener_bind(path, (int) (NETSOCK_REPLACE_STALE | NETSOCK_REMOVE_ON_CLOSE), &l), -EADDRINUSE);
        ck_assert_int_eq(netsock_seqpacket_listener_bind(path, 0, &l), -EADDRINUSE);
        ck_assert_ptr_null(l);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        ck_assert_int_ge(fd, 0);
        memset(buf, 0, sizeof(buf));
        ck_assert_int_eq(read(fd, buf, sizeof(buf)), 7);
        ck_assert_str_eq(buf, "keep me");
        close(fd);
}
END_TEST

START_TEST(accept_flags_set_connection_mode) {
        char path[512];
        struct netsock_seqpacket_listener *l;
        struct netsock_seqpacket *c, *s = NULL;
        bool on = false;

        ns_keep(path, sizeof(path), ns_tmppath("acc.sock"));
        l = listen_at(path, (int) NETSOCK_NONBLOCK);
        ck_assert_int_eq(netsock_seqpacket_listener_is_nonblocking(l, &on), 0);
        ck_assert(on);
        /* A nonblocking listener with nobody waiting: -EAGAIN. */
        ck_assert_int_eq(netsock_seqpacket_listener_accept(l, 0, &s, NULL), -EAGAIN);
        ck_assert_ptr_null(s);

        c = connect_to(path, 0);
        s = accept_from(l, (int) NETSOCK_NONBLOCK, NULL);
        assert_nonblocking(s, true);
        netsock_seqpacket_close(s);
        netsock_seqpacket_close(c);

        /* The accepted connection's mode comes from accept's flags, not the
         * listener's. */
        c = connect_to(path, 0);
        s = accept_from(l, 0, NULL);
        assert_nonblocking(s, false);
        ck_assert_int_eq(netsock_seqpacket_listener_accept(l, (int) NETSOCK_REMOVE_ON_CLOSE, &s, NULL), -EINVAL);
        close_all(c, s);
        netsock_seqpacket_listener_close(l);
}
END_TEST

/* ---- packet semantics ------------------------------------------------------ */

START_TEST(two_sends_are_two_packets) {
        struct netsock_seqpacket *a, *b;
        char buf[64];
        bool trunc = true;

        make_pair((int) NETSOCK_NONBLOCK, &a, &b);
        ck_assert_int_eq(netsock_seqpacket_send(a, "first", 5), 5);
        ck_assert_int_eq(netsock_seqpacket_send(a, "second!", 7), 7);
        /* A big buffer still gets one packet at a time. */
        memset(buf, 0, sizeof(buf));
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, sizeof(buf), &trunc), 5);
        ck_assert(!trunc);
        ck_assert_str_eq(buf, "first");
        memset(buf, 0, sizeof(buf));
        trunc = true;
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, sizeof(buf), &trunc), 7);
        ck_assert(!trunc);
        ck_assert_str_eq(buf, "second!");
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, sizeof(buf), &trunc), -EAGAIN);
        close_all(a, b);
}
END_TEST

START_TEST(send_vectored_is_one_packet) {
        struct netsock_seqpacket *a, *b;
        struct iovec out[3] = {
                { (void *) "ab", 2 }, { (void *) "cde", 3 }, { (void *) "fghi", 4 },
        };
        char buf[32];
        bool trunc = true;

        make_pair((int) NETSOCK_NONBLOCK, &a, &b);
        ck_assert_int_eq(netsock_seqpacket_send_vectored(a, out, 3), 9);
        ck_assert_int_eq(netsock_seqpacket_send_vectored(a, out, 1), 2);
        ck_assert_int_eq(netsock_seqpacket_next_packet_len(b), 9);
        memset(buf, 0, sizeof(buf));
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, sizeof(buf), &trunc), 9);
        ck_assert(!trunc);
        ck_assert_str_eq(buf, "abcdefghi");
        memset(buf, 0, sizeof(buf));
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, sizeof(buf), &trunc), 2);
        ck_assert_str_eq(buf, "ab");
        ck_assert_int_eq(netsock_seqpacket_send_vectored(a, out, (size_t) IOV_MAX + 1), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_send_vectored(a, NULL, 1), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_send_vectored(NULL, out, 1), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_next_packet_len(b), -EAGAIN);
        close_all(a, b);
}
END_TEST

START_TEST(recv_truncates_and_discards_rest_of_packet) {
        struct netsock_seqpacket *a, *b;
        char buf[16];
        bool trunc = false;

        make_pair((int) NETSOCK_NONBLOCK, &a, &b);
        ck_assert_int_eq(netsock_seqpacket_send(a, "0123456789", 10), 10);
        ck_assert_int_eq(netsock_seqpacket_send(a, "next", 4), 4);
        memset(buf, 0, sizeof(buf));
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, 4, &trunc), 4);
        ck_assert(trunc);
        ck_assert_str_eq(buf, "0123");
        /* "456789" is gone: the next recv gets the next packet. */
        memset(buf, 0, sizeof(buf));
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, sizeof(buf), &trunc), 4);
        ck_assert(!trunc);
        ck_assert_str_eq(buf, "next");
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, sizeof(buf), &trunc), -EAGAIN);

        /* A buffer of exactly the packet's length is not truncation. */
        ck_assert_int_eq(netsock_seqpacket_send(a, "exact", 5), 5);
        trunc = true;
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, 5, &trunc), 5);
        ck_assert(!trunc);
        close_all(a, b);
}
END_TEST

START_TEST(recv_vectored_truncates_across_iovecs) {
        struct netsock_seqpacket *a, *b;
        char x[4], y[3], z[16];
        struct iovec in[2] = { { x, sizeof(x) }, { y, sizeof(y) } };
        struct iovec big[2] = { { x, sizeof(x) }, { z, sizeof(z) } };
        bool trunc = false;

        make_pair((int) NETSOCK_NONBLOCK, &a, &b);
        ck_assert_int_eq(netsock_seqpacket_send(a, "abcdefghij", 10), 10);
        ck_assert_int_eq(netsock_seqpacket_send(a, "klmnop", 6), 6);
        ck_assert_int_eq(netsock_seqpacket_recv_vectored(b, in, 2, &trunc), 7);
        ck_assert(trunc);
        ck_assert_mem_eq(x, "abcd", 4);
        ck_assert_mem_eq(y, "efg", 3);
        memset(z, 0, sizeof(z));
        ck_assert_int_eq(netsock_seqpacket_recv_vectored(b, big, 2, &trunc), 6);
        ck_assert(!trunc);
        ck_assert_mem_eq(x, "klmn", 4);
        ck_assert_str_eq(z, "op");
        ck_assert_int_eq(netsock_seqpacket_recv_vectored(b, big, 2, &trunc), -EAGAIN);
        ck_assert_int_eq(netsock_seqpacket_recv_vectored(b, in, (size_t) IOV_MAX + 1, &trunc), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_recv_vectored(b, NULL, 2, &trunc), -EINVAL);
        close_all(a, b);
}
END_TEST

START_TEST(peek_truncates_and_leaves_packet_queued) {
        struct netsock_seqpacket *a, *b;
        char buf[16];
        bool trunc = false;

        make_pair((int) NETSOCK_NONBLOCK, &a, &b);
        ck_assert_int_eq(netsock_seqpacket_send(a, "0123456789", 10), 10);
        memset(buf, 0, sizeof(buf));
        ck_assert_int_eq(netsock_seqpacket_peek(b, buf, 3, &trunc), 3);
        ck_assert(trunc);
        ck_assert_str_eq(buf, "012");
        /* Peeking again sees the whole packet, still queued. */
        memset(buf, 0, sizeof(buf));
        ck_assert_int_eq(netsock_seqpacket_peek(b, buf, sizeof(buf), &trunc), 10);
        ck_assert(!trunc);
        ck_assert_str_eq(buf, "0123456789");
        ck_assert_int_eq(netsock_seqpacket_next_packet_len(b), 10);
        memset(buf, 0, sizeof(buf));
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, sizeof(buf), &trunc), 10);
        ck_assert(!trunc);
        ck_assert_str_eq(buf, "0123456789");
        ck_assert_int_eq(netsock_seqpacket_peek(b, buf, sizeof(buf), &trunc), -EAGAIN);
        ck_assert_int_eq(netsock_seqpacket_peek(b, NULL, 1, &trunc), -EINVAL);
        close_all(a, b);
}
END_TEST

START_TEST(peek_vectored_truncates_and_leaves_packet_queued) {
        struct netsock_seqpacket *a, *b;
        char x[2], y[3], buf[16];
        struct iovec in[2] = { { x, sizeof(x) }, { y, sizeof(y) } };
        bool trunc = false;

        make_pair((int) NETSOCK_NONBLOCK, &a, &b);
        ck_assert_int_eq(netsock_seqpacket_send(a, "vectored", 8), 8);
        ck_assert_int_eq(netsock_seqpacket_peek_vectored(b, in, 2, &trunc), 5);
        ck_assert(trunc);
        ck_assert_mem_eq(x, "ve", 2);
        ck_assert_mem_eq(y, "cto", 3);
        ck_assert_int_eq(netsock_seqpacket_peek_vectored(b, in, 2, &trunc), 5);
        ck_assert(trunc);
        ck_assert_int_eq(netsock_seqpacket_next_packet_len(b), 8);
        memset(buf, 0, sizeof(buf));
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, sizeof(buf), &trunc), 8);
        ck_assert(!trunc);
        ck_assert_str_eq(buf, "vectored");
        ck_assert_int_eq(netsock_seqpacket_peek_vectored(b, in, 2, &trunc), -EAGAIN);
        ck_assert_int_eq(netsock_seqpacket_peek_vectored(b, in, (size_t) IOV_MAX + 1, &trunc), -EINVAL);
        close_all(a, b);
}
END_TEST

START_TEST(truncation_out_param_may_be_null) {
        struct netsock_seqpacket *a, *b;
        char buf[4];
        struct iovec iov = { buf, 2 };

        make_pair((int) NETSOCK_NONBLOCK, &a, &b);
        ck_assert_int_eq(netsock_seqpacket_send(a, "abcdef", 6), 6);
        ck_assert_int_eq(netsock_seqpacket_peek(b, buf, 3, NULL), 3);
        ck_assert_mem_eq(buf, "abc", 3);
        ck_assert_int_eq(netsock_seqpacket_peek_vectored(b, &iov, 1, NULL), 2);
        ck_assert_mem_eq(buf, "ab", 2);
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, 4, NULL), 4);
        ck_assert_mem_eq(buf, "abcd", 4);
        ck_assert_int_eq(netsock_seqpacket_send(a, "ghijkl", 6), 6);
        ck_assert_int_eq(netsock_seqpacket_recv_vectored(b, &iov, 1, NULL), 2);
        ck_assert_mem_eq(buf, "gh", 2);
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, 4, NULL), -EAGAIN);
        close_all(a, b);
}
END_TEST

START_TEST(ret_truncated_untouched_on_failure) {
        struct netsock_seqpacket *a, *b;
        char buf[4];
        struct iovec iov = { buf, sizeof(buf) };
        bool trunc = true;

        make_pair((int) NETSOCK_NONBLOCK, &a, &b);
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, sizeof(buf), &trunc), -EAGAIN);
        ck_assert(trunc);
        ck_assert_int_eq(netsock_seqpacket_peek(b, buf, sizeof(buf), &trunc), -EAGAIN);
        ck_assert(trunc);
        ck_assert_int_eq(netsock_seqpacket_recv_vectored(b, &iov, 1, &trunc), -EAGAIN);
        ck_assert(trunc);
        ck_assert_int_eq(netsock_seqpacket_peek_vectored(b, &iov, 1, &trunc), -EAGAIN);
        ck_assert(trunc);
        ck_assert_int_eq(netsock_seqpacket_recv(NULL, buf, sizeof(buf), &trunc), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_recv(b, NULL, 1, &trunc), -EINVAL);
        ck_assert(trunc);
        close_all(a, b);
}
END_TEST

START_TEST(next_packet_len_gives_full_length_without_consuming) {
        struct netsock_seqpacket *a, *b;
        char buf[64];
        bool trunc = true;

        make_pair((int) NETSOCK_NONBLOCK, &a, &b);
        ck_assert_int_eq(netsock_seqpacket_next_packet_len(b), -EAGAIN);
        ck_assert_int_eq(netsock_seqpacket_send(a, "twenty-three bytes long", 23), 23);
        ck_assert_int_eq(netsock_seqpacket_send(a, "short", 5), 5);
        ck_assert_int_eq(netsock_seqpacket_next_packet_len(b), 23);
        ck_assert_int_eq(netsock_seqpacket_next_packet_len(b), 23);
        memset(buf, 0, sizeof(buf));
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, sizeof(buf), &trunc), 23);
        ck_assert(!trunc);
        ck_assert_str_eq(buf, "twenty-three bytes long");
        ck_assert_int_eq(netsock_seqpacket_next_packet_len(b), 5);
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, sizeof(buf), &trunc), 5);
        ck_assert_int_eq(netsock_seqpacket_next_packet_len(b), -EAGAIN);
        ck_assert_int_eq(netsock_seqpacket_next_packet_len(NULL), -EINVAL);
        close_all(a, b);
}
END_TEST

START_TEST(large_packet_length_and_content) {
        enum { LEN = 100000 };
        struct netsock_seqpacket *a, *b;
        unsigned char *out = malloc(LEN), *in = malloc(LEN + 1);
        bool trunc = true;

        ck_assert_ptr_nonnull(out);
        ck_assert_ptr_nonnull(in);
        ns_fill_pattern(out, LEN);
        make_pair((int) NETSOCK_NONBLOCK, &a, &b);
        ck_assert_int_eq(netsock_seqpacket_send(a, out, LEN), LEN);
        ck_assert_int_eq(netsock_seqpacket_next_packet_len(b), LEN);
        ck_assert_int_eq(netsock_seqpacket_recv(b, in, LEN + 1, &trunc), LEN);
        ck_assert(!trunc);
        ck_assert_int_eq(memcmp(in, out, LEN), 0);
        close_all(a, b);
        free(out);
        free(in);
}
END_TEST

/* A packet is sent whole or not at all: one bigger than the send buffer
 * can never fit (4 MiB is above the default buffer of every kernel). */
START_TEST(packet_larger_than_send_buffer_is_emsgsize) {
        enum { LEN = 4 * 1024 * 1024 };
        struct netsock_seqpacket *a, *b;
        char *big = calloc(1, LEN);

        ck_assert_ptr_nonnull(big);
        make_pair((int) NETSOCK_NONBLOCK, &a, &b);
        ck_assert_int_eq(netsock_seqpacket_send(a, big, LEN), -EMSGSIZE);
        ck_assert_int_eq(netsock_seqpacket_next_packet_len(b), -EAGAIN);
        close_all(a, b);
        free(big);
}
END_TEST

START_TEST(zero_length_packet_is_delivered) {
        struct netsock_seqpacket *a, *b;
        char buf[8];
        bool trunc = true;

        make_pair((int) NETSOCK_NONBLOCK, &a, &b);
        ck_assert_int_eq(netsock_seqpacket_send(a, NULL, 0), 0);
        ck_assert_int_eq(netsock_seqpacket_send(a, "", 0), 0);
        ck_assert_int_eq(netsock_seqpacket_send(a, "after", 5), 5);
        ck_assert_int_eq(netsock_seqpacket_next_packet_len(b), 0);
        ck_assert_int_eq(netsock_seqpacket_peek(b, buf, sizeof(buf), &trunc), 0);
        ck_assert(!trunc);
        trunc = true;
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, sizeof(buf), &trunc), 0);
        ck_assert(!trunc);
        trunc = true;
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, sizeof(buf), &trunc), 0);
        ck_assert(!trunc);
        ck_assert_int_eq(netsock_seqpacket_next_packet_len(b), 5);
        memset(buf, 0, sizeof(buf));
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, sizeof(buf), &trunc), 5);
        ck_assert_str_eq(buf, "after");
        /* All three packets consumed: nothing is left. */
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, sizeof(buf), &trunc), -EAGAIN);
        close_all(a, b);
}
END_TEST

/* recv, peek and next_packet_len give 0 both for a zero-length packet and
 * at EOF; what tells them apart is whether the peer has hung up. */
START_TEST(zero_length_packet_told_apart_from_eof_by_rdhup) {
        struct netsock_seqpacket *a, *b;
        char buf[8];
        bool trunc = true;
        int fd;

        make_pair((int) NETSOCK_NONBLOCK, &a, &b);
        fd = netsock_seqpacket_fd(b);
        ck_assert_int_eq(poll_in_rdhup(fd), 0);
        ck_assert_int_eq(netsock_seqpacket_send(a, NULL, 0), 0);
        ck_assert_int_eq(poll_in_rdhup(fd), POLLIN);
        ck_assert_int_eq(netsock_seqpacket_next_packet_len(b), 0);
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, sizeof(buf), &trunc), 0);
        ck_assert(!trunc);
        /* That 0 was a packet: nothing more is queued and the peer is up. */
        ck_assert_int_eq(poll_in_rdhup(fd), 0);
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, sizeof(buf), &trunc), -EAGAIN);

        /* A zero-length packet still queued when the peer hangs up: it is
         * read first, then EOF, and both look the same except for RDHUP. */
        ck_assert_int_eq(netsock_seqpacket_send(a, NULL, 0), 0);
        netsock_seqpacket_close(a);
        ck_assert_int_eq(poll_in_rdhup(fd) & (POLLIN | POLLRDHUP | POLLHUP), POLLIN | POLLRDHUP | POLLHUP);
        trunc = true;
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, sizeof(buf), &trunc), 0);
        ck_assert(!trunc);
        ck_assert_int_eq(poll_in_rdhup(fd) & (POLLRDHUP | POLLHUP), POLLRDHUP | POLLHUP);
        trunc = true;
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, sizeof(buf), &trunc), 0);
        ck_assert(!trunc);
        ck_assert_int_eq(netsock_seqpacket_next_packet_len(b), 0);
        ck_assert_int_eq(netsock_seqpacket_peek(b, buf, sizeof(buf), NULL), 0);
        netsock_seqpacket_close(b);
}
END_TEST

/* The same, the way the man page tells users: NETSOCK_READ_HUP from the
 * library's poller. */
START_TEST(zero_length_packet_told_apart_from_eof_by_poller_read_hup) {
        struct netsock_seqpacket *a, *b;
        struct netsock_poll *p = NULL;
        struct netsock_event ev[4];
        char buf[8];

        make_pair((int) NETSOCK_NONBLOCK, &a, &b);
        ck_assert_int_eq(netsock_poll_new(&p), 0);
        ck_assert_int_eq(netsock_poll_register(p, netsock_seqpacket_fd(b), 7, NETSOCK_READABLE, NETSOCK_LEVEL), 0);
        ck_assert_int_eq(netsock_poll_wait(p, ev, 4, 0), 0);

        ck_assert_int_eq(netsock_seqpacket_send(a, NULL, 0), 0);
        ck_assert_int_eq(netsock_poll_wait(p, ev, 4, 1000), 1);
        ck_assert_uint_eq(ev[0].token, 7);
        ck_assert_uint_eq(ev[0].ready & (NETSOCK_READABLE | NETSOCK_READ_HUP | NETSOCK_HUP), NETSOCK_READABLE);
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, sizeof(buf), NULL), 0);

        netsock_seqpacket_close(a);
        ck_assert_int_eq(netsock_poll_wait(p, ev, 4, 1000), 1);
        ck_assert_uint_eq(ev[0].ready & (NETSOCK_READABLE | NETSOCK_READ_HUP), NETSOCK_READABLE | NETSOCK_READ_HUP);
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, sizeof(buf), NULL), 0);

        ck_assert_int_eq(netsock_poll_deregister(p, netsock_seqpacket_fd(b)), 0);
        netsock_poll_close(p);
        netsock_seqpacket_close(b);
}
END_TEST

/* A zero-length buffer takes the whole packet away and reports it as
 * truncated: the packet's bytes are lost. */
START_TEST(recv_with_empty_buffer_discards_packet_as_truncated) {
        struct netsock_seqpacket *a, *b;
        char buf[8];
        bool trunc = false;

        make_pair((int) NETSOCK_NONBLOCK, &a, &b);
        ck_assert_int_eq(netsock_seqpacket_send(a, "lost", 4), 4);
        ck_assert_int_eq(netsock_seqpacket_send(a, "kept", 4), 4);
        ck_assert_int_eq(netsock_seqpacket_recv(b, NULL, 0, &trunc), 0);
        ck_assert(trunc);
        memset(buf, 0, sizeof(buf));
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, sizeof(buf), &trunc), 4);
        ck_assert(!trunc);
        ck_assert_str_eq(buf, "kept");
        close_all(a, b);
}
END_TEST

/* ---- the uds documentation of UnixSeqpacketConn ---------------------------- */

START_TEST(uds_nonblocking_recv_on_empty_socket_is_eagain) {
        struct netsock_seqpacket *a, *b;
        char buf[8];
        bool trunc = true;

        make_pair((int) NETSOCK_NONBLOCK, &a, &b);
        ck_assert_int_eq(netsock_seqpacket_recv(a, buf, sizeof(buf), &trunc), -EAGAIN);
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, sizeof(buf), &trunc), -EAGAIN);
        close_all(a, b);
}
END_TEST

START_TEST(uds_sending_1000_byte_packets_until_eagain_fills_buffer) {
        enum { LIMIT = 100000 };
        struct netsock_seqpacket *a, *b;
        char out[1000], in[1001];
        bool trunc = true;
        int i, n = 0;
        ssize_t r = 0;

        memset(out, 'p', sizeof(out));
        make_pair((int) NETSOCK_NONBLOCK, &a, &b);
        for (i = 0; i < LIMIT; i++) {
                r = netsock_seqpacket_send(a, out, sizeof(out));
                if (r < 0)
                        break;
                ck_assert_int_eq(r, 1000);
                n++;
        }
        ck_assert_int_eq(r, -EAGAIN);
        ck_assert_int_ge(n, 1);
        /* Full: it stays full. */
        ck_assert_int_eq(netsock_seqpacket_send(a, out, sizeof(out)), -EAGAIN);
        /* Each packet arrives whole, exactly n of them. */
        for (i = 0; i < n; i++) {
                ck_assert_int_eq(netsock_seqpacket_recv(b, in, sizeof(in), &trunc), 1000);
                ck_assert(!trunc);
        }
        ck_assert_int_eq(netsock_seqpacket_recv(b, in, sizeof(in), &trunc), -EAGAIN);
        /* Drained: room again. */
        ck_assert_int_eq(netsock_seqpacket_send(a, out, sizeof(out)), 1000);
        close_all(a, b);
}
END_TEST

START_TEST(uds_recv_into_8_byte_buffer_truncates_this_is_it) {
        struct netsock_seqpacket *a, *b;
        char buf[9];
        bool trunc = false;

        make_pair((int) NETSOCK_NONBLOCK, &a, &b);
        ck_assert_int_eq(netsock_seqpacket_send(a, "this is it", 10), 10);
        memset(buf, 0, sizeof(buf));
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, 8, &trunc), 8);
        ck_assert(trunc);
        ck_assert_str_eq(buf, "this is ");
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, 8, &trunc), -EAGAIN);
        close_all(a, b);
}
END_TEST

START_TEST(uds_peek_hello_then_recv_then_peek_eagain) {
        struct netsock_seqpacket *a, *b;
        char buf[16];
        bool trunc = true;

        make_pair((int) NETSOCK_NONBLOCK, &a, &b);
        ck_assert_int_eq(netsock_seqpacket_peek(b, buf, sizeof(buf), &trunc), -EAGAIN);
        ck_assert_int_eq(netsock_seqpacket_send(a, "hello", 5), 5);
        memset(buf, 0, sizeof(buf));
        ck_assert_int_eq(netsock_seqpacket_peek(b, buf, sizeof(buf), &trunc), 5);
        ck_assert(!trunc);
        ck_assert_str_eq(buf, "hello");
        memset(buf, 0, sizeof(buf));
        trunc = true;
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, sizeof(buf), &trunc), 5);
        ck_assert(!trunc);
        ck_assert_str_eq(buf, "hello");
        ck_assert_int_eq(netsock_seqpacket_peek(b, buf, sizeof(buf), &trunc), -EAGAIN);
        close_all(a, b);
}
END_TEST

START_TEST(uds_try_clone_shares_queue_first_come_first_serve) {
        struct netsock_seqpacket *a, *b, *clone = NULL;
        char buf[16];
        bool trunc = true;

        make_pair((int) NETSOCK_NONBLOCK, &a, &b);
        ck_assert_int_eq(netsock_seqpacket_try_clone(b, &clone), 0);
        ck_assert_ptr_nonnull(clone);
        ck_assert_int_ne(netsock_seqpacket_fd(clone), netsock_seqpacket_fd(b));
        ck_assert(ns_fd_has_cloexec(netsock_seqpacket_fd(clone)));
        assert_nonblocking(clone, true);
        ck_assert_int_eq(netsock_seqpacket_send(a, "first", 5), 5);
        ck_assert_int_eq(netsock_seqpacket_send(a, "second", 6), 6);
        memset(buf, 0, sizeof(buf));
        ck_assert_int_eq(netsock_seqpacket_recv(clone, buf, sizeof(buf), &trunc), 5);
        ck_assert(!trunc);
        ck_assert_str_eq(buf, "first");
        memset(buf, 0, sizeof(buf));
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, sizeof(buf), &trunc), 6);
        ck_assert(!trunc);
        ck_assert_str_eq(buf, "second");
        ck_assert_int_eq(netsock_seqpacket_recv(clone, buf, sizeof(buf), &trunc), -EAGAIN);
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, sizeof(buf), &trunc), -EAGAIN);

        /* Closing the original leaves the connection up through the clone. */
        netsock_seqpacket_close(b);
        assert_packet(a, clone, "via clone");
        ck_assert_int_eq(netsock_seqpacket_try_clone(NULL, &clone), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_try_clone(a, NULL), -EINVAL);
        close_all(a, clone);
}
END_TEST

START_TEST(uds_take_error_on_fresh_pair_is_zero) {
        struct netsock_seqpacket *a, *b;
        int err = 12345;

        make_pair(0, &a, &b);
        ck_assert_int_eq(netsock_seqpacket_take_error(a, &err), 0);
        ck_assert_int_eq(err, 0);
        err = 12345;
        ck_assert_int_eq(netsock_seqpacket_take_error(b, &err), 0);
        ck_assert_int_eq(err, 0);
        ck_assert_int_eq(netsock_seqpacket_take_error(a, NULL), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_take_error(NULL, &err), -EINVAL);
        close_all(a, b);
}
END_TEST

/* ---- fd passing and credentials ------------------------------------------- */

START_TEST(send_fds_one_fd_arrives_cloexec_and_usable) {
        struct netsock_seqpacket *a, *b;
        int p[2], got[4] = { -1, -1, -1, -1 };
        size_t n = 4;
        unsigned flags = 0xff;
        char buf[16];

        ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
        make_pair(0, &a, &b);
        ck_assert_int_eq(netsock_seqpacket_send_fds(a, "fd", 2, &p[1], 1), 2);
        memset(buf, 0, sizeof(buf));
        ck_assert_int_eq(netsock_seqpacket_recv_fds(b, buf, sizeof(buf), got, &n, &flags), 2);
        ck_assert_str_eq(buf, "fd");
        ck_assert_uint_eq(n, 1);
        ck_assert_uint_eq(flags, 0);
        ck_assert_int_ge(got[0], 0);
        ck_assert_int_ne(got[0], p[1]);
        ck_assert_int_eq(got[1], -1);
        ck_assert(ns_fd_has_cloexec(got[0]));
        ck_assert(ns_same_file(got[0], p[1]));
        ns_assert_pipe_link(got[0], p[0], "through the passed fd");
        close(got[0]);
        /* The sender's fd is still its own. */
        ns_assert_pipe_link(p[1], p[0], "sender keeps its fd");
        close_all(a, b);
        close(p[0]);
        close(p[1]);
}
END_TEST

START_TEST(send_fds_several_arrive_in_order) {
        struct netsock_seqpacket *a, *b;
        int p1[2], p2[2], p3[2], out[3], got[8];
        size_t n = 8, i;
        unsigned flags = 0xff;
        char buf[8];

        ck_assert_int_eq(pipe2(p1, O_CLOEXEC), 0);
        ck_assert_int_eq(pipe2(p2, O_CLOEXEC), 0);
        ck_assert_int_eq(pipe2(p3, O_CLOEXEC), 0);
        out[0] = p1[1];
        out[1] = p2[1];
        out[2] = p3[1];
        make_pair(0, &a, &b);
        ck_assert_int_eq(netsock_seqpacket_send_fds(a, "three", 5, out, 3), 5);
        ck_assert_int_eq(netsock_seqpacket_recv_fds(b, buf, sizeof(buf), got, &n, NULL), 5);
        ck_assert_uint_eq(n, 3);
        ck_assert_int_eq(netsock_seqpacket_recv_fds(b, buf, sizeof(buf), got, NULL, &flags), -EINVAL);
        for (i = 0; i < 3; i++)
                ck_assert(ns_fd_has_cloexec(got[i]));
        ns_assert_pipe_link(got[0], p1[0], "one");
        ns_assert_pipe_link(got[1], p2[0], "two");
        ns_assert_pipe_link(got[2], p3[0], "three");
        for (i = 0; i < 3; i++)
                close(got[i]);
        close_all(a, b);
        close(p1[0]); close(p1[1]);
        close(p2[0]); close(p2[1]);
        close(p3[0]); close(p3[1]);
}
END_TEST

START_TEST(send_fds_253_all_arrive_cloexec) {
        struct netsock_seqpacket *a, *b;
        int p[2], out[NETSOCK_MAX_FDS], got[NETSOCK_MAX_FDS + 8];
        size_t n = NETSOCK_MAX_FDS + 8, i, j;
        unsigned flags = 0xff;
        char buf[8];
        int before;

        ck_assert_int_eq(NETSOCK_MAX_FDS, 253);
        ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
        for (i = 0; i < NETSOCK_MAX_FDS; i++)
                out[i] = p[1];
        make_pair(0, &a, &b);
        before = ns_count_fds();
        ck_assert_int_eq(netsock_seqpacket_send_fds(a, "many", 4, out, NETSOCK_MAX_FDS), 4);
        ck_assert_int_eq(netsock_seqpacket_recv_fds(b, buf, sizeof(buf), got, &n, &flags), 4);
        ck_assert_uint_eq(n, NETSOCK_MAX_FDS);
        ck_assert_uint_eq(flags, 0);
        ck_assert_int_eq(ns_count_fds(), before + NETSOCK_MAX_FDS);
        for (i = 0; i < n; i++) {
                ck_assert(ns_fd_has_cloexec(got[i]));
                ck_assert(ns_same_file(got[i], p[1]));
                for (j = 0; j < i; j++)
                        ck_assert_int_ne(got[i], got[j]);
        }
        ns_assert_pipe_link(got[NETSOCK_MAX_FDS - 1], p[0], "last of 253");
        for (i = 0; i < n; i++)
                close(got[i]);
        ck_assert_int_eq(ns_count_fds(), before);
        close_all(a, b);
        close(p[0]);
        close(p[1]);
}
END_TEST

START_TEST(send_fds_254_is_einval_and_sends_nothing) {
        struct netsock_seqpacket *a, *b;
        int p[2], out[NETSOCK_MAX_FDS + 1];
        struct iovec iov = { (void *) "x", 1 };
        struct netsock_ancillary anc;
        size_t i;
        int before;

        ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
        for (i = 0; i < NETSOCK_MAX_FDS + 1; i++)
                out[i] = p[1];
        make_pair((int) NETSOCK_NONBLOCK, &a, &b);
        before = ns_count_fds();
        ck_assert_int_eq(netsock_seqpacket_send_fds(a, "x", 1, out, NETSOCK_MAX_FDS + 1), -EINVAL);
        memset(&anc, 0, sizeof(anc));
        anc.fds = out;
        anc.nfds = NETSOCK_MAX_FDS + 1;
        ck_assert_int_eq(netsock_seqpacket_send_ancillary(a, &iov, 1, &anc), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_next_packet_len(b), -EAGAIN);
        ck_assert_int_eq(ns_count_fds(), before);
        /* fds NULL with a count is a programming error too. */
        ck_assert_int_eq(netsock_seqpacket_send_fds(a, "x", 1, NULL, 1), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_next_packet_len(b), -EAGAIN);
        close_all(a, b);
        close(p[0]);
        close(p[1]);
}
END_TEST

START_TEST(recv_fds_too_small_capacity_is_ctrunc_and_leaks_nothing) {
        struct netsock_seqpacket *a, *b;
        int p[2], out[3], got[2] = { -1, -1 };
        size_t n = 1;
        unsigned flags = 0;
        char buf[8];
        int before;

        ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
        out[0] = out[1] = out[2] = p[1];
        make_pair(0, &a, &b);
        before = ns_count_fds();
        ck_assert_int_eq(netsock_seqpacket_send_fds(a, "abc", 3, out, 3), 3);
        ck_assert_int_eq(ns_count_fds(), before);
        memset(buf, 0, sizeof(buf));
        ck_assert_int_eq(netsock_seqpacket_recv_fds(b, buf, sizeof(buf), got, &n, &flags), 3);
        ck_assert_str_eq(buf, "abc");
        ck_assert_uint_eq(n, 1);
        ck_assert_uint_eq(flags, NETSOCK_MSG_CTRUNC);
        ck_assert_int_eq(got[1], -1);
        ck_assert(ns_same_file(got[0], p[1]));
        /* Exactly one new fd: the two beyond the capacity were closed. */
        ck_assert_int_eq(ns_count_fds(), before + 1);
        close(got[0]);
        ck_assert_int_eq(ns_count_fds(), before);

        /* Capacity 0 (fds may be NULL): every passed fd is closed. */
        ck_assert_int_eq(netsock_seqpacket_send_fds(a, "def", 3, out, 2), 3);
        n = 0;
        flags = 0;
        ck_assert_int_eq(netsock_seqpacket_recv_fds(b, buf, sizeof(buf), NULL, &n, &flags), 3);
        ck_assert_uint_eq(n, 0);
        ck_assert_uint_eq(flags, NETSOCK_MSG_CTRUNC);
        ck_assert_int_eq(ns_count_fds(), before);

        /* A plain recv of a packet that carries fds closes them too. */
        ck_assert_int_eq(netsock_seqpacket_send_fds(a, "ghi", 3, out, 3), 3);
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, sizeof(buf), NULL), 3);
        ck_assert_int_eq(ns_count_fds(), before);
        close_all(a, b);
        close(p[0]);
        close(p[1]);
}
END_TEST

START_TEST(recv_fds_truncated_payload_reports_trunc_and_delivers_fds) {
        struct netsock_seqpacket *a, *b;
        int p[2], out[2], got[4] = { -1, -1, -1, -1 };
        size_t n = 4;
        unsigned flags = 0;
        char buf[8];
        int before;

        ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
        out[0] = p[0];
        out[1] = p[1];
        make_pair((int) NETSOCK_NONBLOCK, &a, &b);
        before = ns_count_fds();
        ck_assert_int_eq(netsock_seqpacket_send_fds(a, "hello world", 11, out, 2), 11);
        ck_assert_int_eq(netsock_seqpacket_send(a, "next", 4), 4);
        memset(buf, 0, sizeof(buf));
        ck_assert_int_eq(netsock_seqpacket_recv_fds(b, buf, 5, got, &n, &flags), 5);
        ck_assert_str_eq(buf, "hello");
        ck_assert_uint_eq(flags, NETSOCK_MSG_TRUNC);
        ck_assert_uint_eq(n, 2);
        ck_assert(ns_same_file(got[0], p[0]));
        ck_assert(ns_same_file(got[1], p[1]));
        ck_assert(ns_fd_has_cloexec(got[0]));
        ck_assert(ns_fd_has_cloexec(got[1]));
        ns_assert_pipe_link(got[1], got[0], "passed pair");
        close(got[0]);
        close(got[1]);
        ck_assert_int_eq(ns_count_fds(), before);
        /* The rest of the payload is gone; the next packet is next. */
        memset(buf, 0, sizeof(buf));
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, sizeof(buf), NULL), 4);
        ck_assert_str_eq(buf, "next");

        /* Short payload buffer and short capacity: both flags. */
        ck_assert_int_eq(netsock_seqpacket_send_fds(a, "hello world", 11, out, 2), 11);
        n = 1;
        flags = 0;
        got[0] = got[1] = -1;
        ck_assert_int_eq(netsock_seqpacket_recv_fds(b, buf, 5, got, &n, &flags), 5);
        ck_assert_uint_eq(flags, NETSOCK_MSG_TRUNC | NETSOCK_MSG_CTRUNC);
        ck_assert_uint_eq(n, 1);
        ck_assert(ns_same_file(got[0], p[0]));
        ck_assert_int_eq(got[1], -1);
        ck_assert_int_eq(ns_count_fds(), before + 1);
        close(got[0]);
        ck_assert_int_eq(ns_count_fds(), before);
        ck_assert_int_eq(netsock_seqpacket_next_packet_len(b), -EAGAIN);
        close_all(a, b);
        close(p[0]);
        close(p[1]);
}
END_TEST

/* Unlike a stream socket, a seqpacket socket keeps a zero-length packet,
 * so fds may ride on one. */
START_TEST(send_fds_on_zero_length_packet_is_delivered) {
        struct netsock_seqpacket *a, *b;
        int p[2], got[2] = { -1, -1 };
        size_t n = 2;
        unsigned flags = 0xff;
        char buf[8];

        ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
        make_pair((int) NETSOCK_NONBLOCK, &a, &b);
        ck_assert_int_eq(netsock_seqpacket_send_fds(a, NULL, 0, &p[1], 1), 0);
        ck_assert_int_eq(netsock_seqpacket_next_packet_len(b), 0);
        ck_assert_int_eq(netsock_seqpacket_recv_fds(b, buf, sizeof(buf), got, &n, &flags), 0);
        ck_assert_uint_eq(n, 1);
        ck_assert_uint_eq(flags, 0);
        ck_assert(ns_fd_has_cloexec(got[0]));
        ns_assert_pipe_link(got[0], p[0], "empty packet, one fd");
        close(got[0]);
        ck_assert_int_eq(netsock_seqpacket_next_packet_len(b), -EAGAIN);
        close_all(a, b);
        close(p[0]);
        close(p[1]);
}
END_TEST

START_TEST(send_ancillary_recv_ancillary_vectored_with_fds) {
        struct netsock_seqpacket *a, *b;
        int p[2], got[2] = { -1, -1 };
        char x[3], y[8];
        struct iovec out[2] = { { (void *) "anc", 3 }, { (void *) "illary", 6 } };
        struct iovec in[2] = { { x, sizeof(x) }, { y, sizeof(y) } };
        struct netsock_ancillary anc;
        int before;

        ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
        make_pair((int) NETSOCK_NONBLOCK, &a, &b);
        before = ns_count_fds();
        memset(&anc, 0, sizeof(anc));
        anc.fds = &p[1];
        anc.nfds = 1;
        ck_assert_int_eq(netsock_seqpacket_send_ancillary(a, out, 2, &anc), 9);
        memset(&anc, 0, sizeof(anc));
        anc.fds = got;
        anc.nfds = 2;
        anc.flags = 0xff;
        memset(y, 0, sizeof(y));
        ck_assert_int_eq(netsock_seqpacket_recv_ancillary(b, in, 2, &anc), 9);
        ck_assert_mem_eq(x, "anc", 3);
        ck_assert_str_eq(y, "illary");
        ck_assert_uint_eq(anc.nfds, 1);
        ck_assert_uint_eq(anc.flags, 0);
        ns_assert_pipe_link(got[0], p[0], "ancillary fd");
        close(got[0]);

        /* recv_ancillary without anc: any fd that came is closed. */
        memset(&anc, 0, sizeof(anc));
        anc.fds = &p[1];
        anc.nfds = 1;
        ck_assert_int_eq(netsock_seqpacket_send_ancillary(a, out, 1, &anc), 3);
        ck_assert_int_eq(netsock_seqpacket_recv_ancillary(b, in, 2, NULL), 3);
        ck_assert_int_eq(ns_count_fds(), before);

        /* A short iovec: MSG_TRUNC through anc.flags. */
        ck_assert_int_eq(netsock_seqpacket_send_ancillary(a, out, 2, NULL), 9);
        memset(&anc, 0, sizeof(anc));
        ck_assert_int_eq(netsock_seqpacket_recv_ancillary(b, in, 1, &anc), 3);
        ck_assert_uint_eq(anc.flags, NETSOCK_MSG_TRUNC);
        ck_assert_int_eq(netsock_seqpacket_recv_ancillary(b, in, 1, &anc), -EAGAIN);
        close_all(a, b);
        close(p[0]);
        close(p[1]);
}
END_TEST

START_TEST(passcred_delivers_sender_credentials) {
        struct netsock_seqpacket *a, *b;
        struct netsock_creds creds;
        struct netsock_ancillary anc;
        char buf[8];
        struct iovec iov = { buf, sizeof(buf) };

        make_pair((int) NETSOCK_NONBLOCK, &a, &b);
        ck_assert_int_eq(netsock_seqpacket_set_passcred(b, true), 0);
        ck_assert_int_eq(netsock_seqpacket_send(a, "who", 3), 3);
        memset(&creds, 0xff, sizeof(creds));
        memset(&anc, 0, sizeof(anc));
        anc.creds = &creds;
        ck_assert_int_eq(netsock_seqpacket_recv_ancillary(b, &iov, 1, &anc), 3);
        ck_assert_uint_eq(anc.flags, NETSOCK_MSG_CREDS);
        ck_assert_uint_eq(anc.nfds, 0);
        ns_assert_own_creds(&creds);

        /* Explicit credentials (our own) are accepted and delivered. */
        creds.pid = getpid();
        creds.uid = getuid();
        creds.gid = getgid();
        memset(&anc, 0, sizeof(anc));
        anc.creds = &creds;
        iov.iov_len = 2;
        ck_assert_int_eq(netsock_seqpacket_send_ancillary(a, &iov, 1, &anc), 2);
        memset(&creds, 0, sizeof(creds));
        memset(&anc, 0, sizeof(anc));
        anc.creds = &creds;
        iov.iov_len = sizeof(buf);
        ck_assert_int_eq(netsock_seqpacket_recv_ancillary(b, &iov, 1, &anc), 2);
        ck_assert_uint_eq(anc.flags, NETSOCK_MSG_CREDS);
        ns_assert_own_creds(&creds);

        /* The flag says credentials came even where there is no room. */
        ck_assert_int_eq(netsock_seqpacket_send(a, "x", 1), 1);
        memset(&anc, 0, sizeof(anc));
        ck_assert_int_eq(netsock_seqpacket_recv_ancillary(b, &iov, 1, &anc), 1);
        ck_assert_uint_eq(anc.flags, NETSOCK_MSG_CREDS);

        /* Off again: none. */
        ck_assert_int_eq(netsock_seqpacket_set_passcred(b, false), 0);
        ck_assert_int_eq(netsock_seqpacket_send(a, "y", 1), 1);
        memset(&anc, 0, sizeof(anc));
        anc.creds = &creds;
        ck_assert_int_eq(netsock_seqpacket_recv_ancillary(b, &iov, 1, &anc), 1);
        ck_assert_uint_eq(anc.flags, 0);
        ck_assert_int_eq(netsock_seqpacket_set_passcred(NULL, true), -EINVAL);
        close_all(a, b);
}
END_TEST

START_TEST(no_credentials_without_passcred) {
        struct netsock_seqpacket *a, *b;
        struct netsock_creds creds;
        struct netsock_ancillary anc;
        char buf[8];
        struct iovec iov = { buf, sizeof(buf) };
        unsigned flags = 0xff;
        size_t n = 0;

        make_pair((int) NETSOCK_NONBLOCK, &a, &b);
        ck_assert_int_eq(netsock_seqpacket_send(a, "anon", 4), 4);
        memset(&creds, 0x5a, sizeof(creds));
        memset(&anc, 0, sizeof(anc));
        anc.creds = &creds;
        ck_assert_int_eq(netsock_seqpacket_recv_ancillary(b, &iov, 1, &anc), 4);
        ck_assert_uint_eq(anc.flags, 0);
        ck_assert_uint_eq(anc.nfds, 0);
        /* Untouched: nothing arrived. */
        ck_assert_int_eq(creds.pid, (pid_t) 0x5a5a5a5a);
        ck_assert_int_eq(netsock_seqpacket_send(a, "anon", 4), 4);
        ck_assert_int_eq(netsock_seqpacket_recv_fds(b, buf, sizeof(buf), NULL, &n, &flags), 4);
        ck_assert_uint_eq(flags, 0);
        close_all(a, b);
}
END_TEST

/* Accepted sockets inherit SO_PASSCRED from their listener. */
START_TEST(listener_passcred_is_inherited_by_accepted_connection) {
        char path[512];
        struct netsock_seqpacket_listener *l;
        struct netsock_seqpacket *c, *s;
        struct netsock_creds creds;
        struct netsock_ancillary anc;
        char buf[8];
        struct iovec iov = { buf, sizeof(buf) };

        ns_keep(path, sizeof(path), ns_tmppath("cred.sock"));
        l = listen_at(path, 0);
        ck_assert_int_eq(setsockopt(netsock_seqpacket_listener_fd(l), SOL_SOCKET, SO_PASSCRED, &(int) { 1 }, sizeof(int)), 0);
        c = connect_to(path, 0);
        s = accept_from(l, 0, NULL);
        ck_assert_int_eq(netsock_seqpacket_send(c, "me", 2), 2);
        memset(&anc, 0, sizeof(anc));
        anc.creds = &creds;
        ck_assert_int_eq(netsock_seqpacket_recv_ancillary(s, &iov, 1, &anc), 2);
        ck_assert_uint_eq(anc.flags, NETSOCK_MSG_CREDS);
        ck_assert_int_eq(creds.pid, getpid());
        close_all(c, s);
        netsock_seqpacket_listener_close(l);
}
END_TEST

START_TEST(peer_credentials_of_pair_are_this_process) {
        struct netsock_seqpacket *a, *b;
        struct netsock_creds creds;

        make_pair(0, &a, &b);
        memset(&creds, 0, sizeof(creds));
        ck_assert_int_eq(netsock_seqpacket_peer_credentials(a, &creds), 0);
        ns_assert_own_creds(&creds);
        memset(&creds, 0, sizeof(creds));
        ck_assert_int_eq(netsock_seqpacket_peer_credentials(b, &creds), 0);
        ck_assert_int_eq(creds.pid, getpid());
        ck_assert_int_eq(netsock_seqpacket_peer_credentials(a, NULL), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_peer_credentials(NULL, &creds), -EINVAL);
        close_all(a, b);
}
END_TEST

START_TEST(peer_credentials_of_forked_client_are_its_pid) {
        char path[512], buf[4];
        struct netsock_seqpacket_listener *l;
        struct netsock_seqpacket *s;
        struct netsock_creds creds;
        pid_t parent = getpid(), pid;

        ns_keep(path, sizeof(path), ns_tmppath("creds.sock"));
        l = listen_at(path, 0);
        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                /* Client: checks its own view (the listener's creator is
                 * the parent), reports, and waits for the parent to hang
                 * up so the connection outlives the parent's checks. */
                struct netsock_seqpacket *c = NULL;
                struct netsock_creds pc;
                char ok;

                netsock_seqpacket_listener_close(l);
                if (netsock_seqpacket_connect(path, 0, &c) != 0)
                        _exit(1);
                if (netsock_seqpacket_peer_credentials(c, &pc) != 0)
                        _exit(2);
                ok = pc.pid == parent && pc.uid == getuid() && pc.gid == getgid() ? 'y' : 'n';
                if (netsock_seqpacket_send(c, &ok, 1) != 1)
                        _exit(3);
                if (netsock_seqpacket_recv(c, &ok, 1, NULL) != 0)
                        _exit(4);
                _exit(0);
        }
        s = accept_from(l, 0, NULL);
        memset(&creds, 0, sizeof(creds));
        ck_assert_int_eq(netsock_seqpacket_peer_credentials(s, &creds), 0);
        ck_assert_int_eq(creds.pid, pid);
        ck_assert_int_ne(creds.pid, getpid());
        ck_assert_uint_eq(creds.uid, getuid());
        ck_assert_uint_eq(creds.gid, getgid());
        ck_assert_int_eq(netsock_seqpacket_recv(s, buf, sizeof(buf), NULL), 1);
        ck_assert_int_eq(buf[0], 'y');
        netsock_seqpacket_close(s);
        ns_assert_child_ok(pid);
        netsock_seqpacket_listener_close(l);
}
END_TEST

START_TEST(peer_security_context_enoprotoopt_or_length) {
        struct netsock_seqpacket *a, *b;
        char big[4096], one[1];
        ssize_t n, n0, n1;

        make_pair(0, &a, &b);
        memset(big, 0, sizeof(big));
        n = netsock_seqpacket_peer_security_context(a, big, sizeof(big));
        if (n == -ENOPROTOOPT) {
                /* No security module labels sockets: every size says so. */
                ck_assert_int_eq(netsock_seqpacket_peer_security_context(a, NULL, 0), -ENOPROTOOPT);
                ck_assert_int_eq(netsock_seqpacket_peer_security_context(a, one, sizeof(one)), -ENOPROTOOPT);
        } else {
                ck_assert_int_ge(n, 0);
                /* Size 0 asks for the length only: the same one. */
                n0 = netsock_seqpacket_peer_security_context(a, NULL, 0);
                ck_assert_int_eq(n0, n);
                if (n > 1) {
                        n1 = netsock_seqpacket_peer_security_context(a, one, sizeof(one));
                        ck_assert_int_eq(n1, n);
                }
        }
        ck_assert_int_eq(netsock_seqpacket_peer_security_context(a, NULL, 16), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_peer_security_context(NULL, big, sizeof(big)), -EINVAL);
        close_all(a, b);
}
END_TEST

/* ---- closed peers ---------------------------------------------------------- */

START_TEST(send_to_closed_peer_is_epipe_without_sigpipe) {
        struct netsock_seqpacket *a, *b;
        struct iovec iov = { (void *) "v", 1 };
        struct netsock_ancillary anc;
        int p[2];

        /* The test means something only if SIGPIPE would kill us. */
        ns_assert_sigpipe_is_fatal();

        ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
        make_pair(0, &a, &b);
        netsock_seqpacket_close(b);
        ck_assert_int_eq(netsock_seqpacket_send(a, "x", 1), -EPIPE);
        ck_assert_int_eq(netsock_seqpacket_send(a, NULL, 0), -EPIPE);
        ck_assert_int_eq(netsock_seqpacket_send_vectored(a, &iov, 1), -EPIPE);
        ck_assert_int_eq(netsock_seqpacket_send_fds(a, "x", 1, &p[1], 1), -EPIPE);
        memset(&anc, 0, sizeof(anc));
        anc.fds = &p[0];
        anc.nfds = 1;
        ck_assert_int_eq(netsock_seqpacket_send_ancillary(a, &iov, 1, &anc), -EPIPE);
        netsock_seqpacket_close(a);

        /* The same through a listener's connection. */
        {
                char path[512];
                struct netsock_seqpacket_listener *l;
                struct netsock_seqpacket *c, *s;

                ns_keep(path, sizeof(path), ns_tmppath("pipe.sock"));
                l = listen_at(path, 0);
                c = connect_to(path, 0);
                s = accept_from(l, 0, NULL);
                netsock_seqpacket_close(s);
                ck_assert_int_eq(netsock_seqpacket_send(c, "x", 1), -EPIPE);
                netsock_seqpacket_close(c);
                netsock_seqpacket_listener_close(l);
        }
        close(p[0]);
        close(p[1]);
}
END_TEST

START_TEST(recv_from_closed_peer_is_zero) {
        struct netsock_seqpacket *a, *b;
        char buf[8];
        bool trunc = true;

        /* Blocking: packets still queued come first, then 0 for good. */
        make_pair(0, &a, &b);
        ck_assert_int_eq(netsock_seqpacket_send(a, "last", 4), 4);
        netsock_seqpacket_close(a);
        memset(buf, 0, sizeof(buf));
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, sizeof(buf), &trunc), 4);
        ck_assert_str_eq(buf, "last");
        trunc = true;
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, sizeof(buf), &trunc), 0);
        ck_assert(!trunc);
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, sizeof(buf), &trunc), 0);
        ck_assert_int_eq(netsock_seqpacket_peek(b, buf, sizeof(buf), &trunc), 0);
        netsock_seqpacket_close(b);

        /* Nonblocking: 0 too, not -EAGAIN. */
        make_pair((int) NETSOCK_NONBLOCK, &a, &b);
        netsock_seqpacket_close(a);
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, sizeof(buf), &trunc), 0);
        ck_assert_int_eq(netsock_seqpacket_next_packet_len(b), 0);
        netsock_seqpacket_close(b);
}
END_TEST

/* Linux: closing a seqpacket socket with packets it never read sets
 * ECONNRESET on its peer, reported once (by take_error, or else by the next
 * recv or send); after that the peer sees plain EOF and -EPIPE. */
START_TEST(take_error_after_peer_closed_with_unread_packets_is_econnreset) {
        struct netsock_seqpacket *a, *b;
        char buf[8];
        int err = 0;

        make_pair((int) NETSOCK_NONBLOCK, &a, &b);
        ck_assert_int_eq(netsock_seqpacket_send(b, "unread", 6), 6);
        netsock_seqpacket_close(a);
        ck_assert_int_eq(netsock_seqpacket_take_error(b, &err), 0);
        ck_assert_int_eq(err, -ECONNRESET);
        ck_assert_int_eq(netsock_seqpacket_take_error(b, &err), 0);
        ck_assert_int_eq(err, 0);
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, sizeof(buf), NULL), 0);
        netsock_seqpacket_close(b);

        /* Not taken: the next recv reports it, then EOF. */
        make_pair((int) NETSOCK_NONBLOCK, &a, &b);
        ck_assert_int_eq(netsock_seqpacket_send(b, "unread", 6), 6);
        netsock_seqpacket_close(a);
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, sizeof(buf), NULL), -ECONNRESET);
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, sizeof(buf), NULL), 0);
        netsock_seqpacket_close(b);

        /* ... or the next send, before its usual -EPIPE. */
        make_pair((int) NETSOCK_NONBLOCK, &a, &b);
        ck_assert_int_eq(netsock_seqpacket_send(b, "unread", 6), 6);
        netsock_seqpacket_close(a);
        ck_assert_int_eq(netsock_seqpacket_send(b, "x", 1), -ECONNRESET);
        ck_assert_int_eq(netsock_seqpacket_send(b, "x", 1), -EPIPE);
        netsock_seqpacket_close(b);
}
END_TEST

START_TEST(shutdown_write_gives_peer_zero) {
        struct netsock_seqpacket *a, *b;
        char buf[8];

        make_pair(0, &a, &b);
        ck_assert_int_eq(netsock_seqpacket_shutdown(a, 42), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_shutdown(NULL, SHUT_WR), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_send(a, "before", 6), 6);
        ck_assert_int_eq(netsock_seqpacket_shutdown(a, SHUT_WR), 0);
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, sizeof(buf), NULL), 6);
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, sizeof(buf), NULL), 0);
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, sizeof(buf), NULL), 0);
        /* The other direction still works. */
        assert_packet(b, a, "back");
        ck_assert_int_eq(netsock_seqpacket_send(a, "no", 2), -EPIPE);
        close_all(a, b);
}
END_TEST

/* ---- common calls -------------------------------------------------------------- */

START_TEST(from_fd_accepts_seqpacket_fd) {
        struct netsock_seqpacket *a, *b;
        int sv[2], fl;

        ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv), 0);
        ck_assert(!ns_fd_has_cloexec(sv[0]));
        a = NULL;
        ck_assert_int_eq(netsock_seqpacket_from_fd(sv[0], &a), 0);
        ck_assert_ptr_nonnull(a);
        ck_assert_int_eq(netsock_seqpacket_fd(a), sv[0]);
        /* Adopting sets close-on-exec and keeps O_NONBLOCK as it is. */
        ck_assert(ns_fd_has_cloexec(sv[0]));
        fl = fcntl(sv[0], F_GETFL);
        ck_assert(fl & O_NONBLOCK);
        assert_nonblocking(a, true);
        b = NULL;
        ck_assert_int_eq(fcntl(sv[1], F_SETFL, fcntl(sv[1], F_GETFL) & ~O_NONBLOCK), 0);
        ck_assert_int_eq(netsock_seqpacket_from_fd(sv[1], &b), 0);
        assert_nonblocking(b, false);
        assert_packet(a, b, "adopted");
        assert_packet(b, a, "adopted back");
        close_all(a, b);
        ck_assert(!ns_fd_is_open(sv[0]));
        ck_assert(!ns_fd_is_open(sv[1]));
}
END_TEST

START_TEST(from_fd_rejects_stream_fd_with_eprototype) {
        struct netsock_seqpacket *s = NS_SENTINEL(netsock_seqpacket);
        int sv[2];

        ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
        ck_assert_int_eq(netsock_seqpacket_from_fd(sv[0], &s), -EPROTOTYPE);
        ck_assert_ptr_eq(s, NS_SENTINEL(netsock_seqpacket));
        /* The fd is still open and still the caller's, untouched. */
        ck_assert(ns_fd_is_open(sv[0]));
        ck_assert(!ns_fd_has_cloexec(sv[0]));
        ck_assert_int_eq(write(sv[0], "s", 1), 1);
        close(sv[0]);
        close(sv[1]);
}
END_TEST

START_TEST(from_fd_rejects_other_kinds) {
        struct netsock_seqpacket *s = NULL;
        struct netsock_seqpacket_listener *l = NULL;
        int p[2], inet, lfd;
        char path[512];

        ck_assert_int_eq(netsock_seqpacket_from_fd(-1, &s), -EBADF);
        ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
        ck_assert_int_eq(netsock_seqpacket_from_fd(p[0], &s), -ENOTSOCK);
        ck_assert_int_eq(netsock_seqpacket_listener_from_fd(p[0], &l), -ENOTSOCK);
        ck_assert(ns_fd_is_open(p[0]));
        close(p[0]);
        close(p[1]);
        ck_assert_int_eq(netsock_seqpacket_from_fd(p[0], &s), -EBADF);

        inet = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ck_assert_int_ge(inet, 0);
        ck_assert_int_eq(netsock_seqpacket_from_fd(inet, &s), -EAFNOSUPPORT);
        ck_assert_int_eq(netsock_seqpacket_listener_from_fd(inet, &l), -EAFNOSUPPORT);
        close(inet);

        /* A listening seqpacket fd is a listener, not a connection. */
        ns_keep(path, sizeof(path), ns_tmppath("raw.sock"));
        lfd = ns_unix_bound_socket(path, SOCK_SEQPACKET);  /* no close-on-exec */
        ck_assert_int_eq(listen(lfd, 4), 0);
        ck_assert_int_eq(netsock_seqpacket_from_fd(lfd, &s), -EINVAL);
        ck_assert(ns_fd_is_open(lfd));
        ck_assert_int_eq(netsock_seqpacket_from_fd(lfd, NULL), -EINVAL);
        ck_assert_ptr_null(s);
        ck_assert_ptr_null(l);

        /* ... which listener_from_fd adopts. */
        ck_assert_int_eq(netsock_seqpacket_listener_from_fd(lfd, &l), 0);
        ck_assert_ptr_nonnull(l);
        ck_assert(ns_fd_has_cloexec(lfd));
        s = connect_to(path, 0);
        {
                struct netsock_seqpacket *acc = accept_from(l, 0, NULL);

                assert_packet(s, acc, "adopted listener");
                netsock_seqpacket_close(acc);
        }
        netsock_seqpacket_close(s);
        netsock_seqpacket_listener_close(l);
        ck_assert(!ns_fd_is_open(lfd));
}
END_TEST

START_TEST(listener_from_fd_rejects_non_listening_with_einval) {
        struct netsock_seqpacket_listener *l = NS_SENTINEL(netsock_seqpacket_listener);
        int sv[2], fresh, stream;

        ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
        ck_assert_int_eq(netsock_seqpacket_listener_from_fd(sv[0], &l), -EINVAL);
        ck_assert_ptr_eq(l, NS_SENTINEL(netsock_seqpacket_listener));
        ck_assert(ns_fd_is_open(sv[0]));
        close(sv[0]);
        close(sv[1]);

        /* Neither is a socket that was never put into listening mode. */
        fresh = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        ck_assert_int_ge(fresh, 0);
        ck_assert_int_eq(netsock_seqpacket_listener_from_fd(fresh, &l), -EINVAL);
        ck_assert(ns_fd_is_open(fresh));
        close(fresh);

        /* A listening stream socket is the wrong type. */
        stream = ns_listening_unix_socket(SOCK_STREAM);
        ck_assert_int_eq(netsock_seqpacket_listener_from_fd(stream, &l), -EPROTOTYPE);
        ck_assert(ns_fd_is_open(stream));
        close(stream);
        ck_assert_ptr_eq(l, NS_SENTINEL(netsock_seqpacket_listener));
}
END_TEST

START_TEST(into_fd_hands_the_fd_over) {
        struct netsock_seqpacket *a, *b, *again = NULL;
        int fd, before;

        make_pair(0, &a, &b);
        before = ns_count_fds();
        fd = netsock_seqpacket_fd(a);
        ck_assert_int_eq(netsock_seqpacket_into_fd(a), fd);
        ck_assert_int_eq(ns_count_fds(), before);
        ck_assert(ns_fd_is_open(fd));
        ck_assert(ns_fd_has_cloexec(fd));
        /* Still the same connection. */
        ck_assert_int_eq(send(fd, "raw", 3, MSG_NOSIGNAL), 3);
        {
                char buf[8];
                bool trunc = true;

                memset(buf, 0, sizeof(buf));
                ck_assert_int_eq(netsock_seqpacket_recv(b, buf, sizeof(buf), &trunc), 3);
                ck_assert_str_eq(buf, "raw");
        }
        ck_assert_int_eq(netsock_seqpacket_from_fd(fd, &again), 0);
        assert_packet(b, again, "readopted");
        close_all(again, b);
        ck_assert(!ns_fd_is_open(fd));
        ck_assert_int_eq(netsock_seqpacket_into_fd(NULL), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_fd(NULL), -EINVAL);
        netsock_seqpacket_close(NULL);
        netsock_seqpacket_listener_close(NULL);
}
END_TEST

/* into_fd gives up the handle, and with it NETSOCK_REMOVE_ON_CLOSE: the
 * caller now owns the fd and the file stays. */
START_TEST(listener_into_fd_keeps_socket_file) {
        char path[512];
        struct netsock_seqpacket_listener *l;
        struct netsock_seqpacket *c, *s;
        int fd, afd;

        ns_keep(path, sizeof(path), ns_tmppath("into.sock"));
        l = listen_at(path, (int) NETSOCK_REMOVE_ON_CLOSE);
        fd = netsock_seqpacket_listener_into_fd(l);
        ck_assert_int_ge(fd, 0);
        ck_assert(ns_is_socket_file(path));
        c = connect_to(path, 0);
        afd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
        ck_assert_int_ge(afd, 0);
        s = NULL;
        ck_assert_int_eq(netsock_seqpacket_from_fd(afd, &s), 0);
        assert_packet(c, s, "raw listener");
        close_all(c, s);
        close(fd);
        ck_assert(ns_is_socket_file(path));
        ck_assert_int_eq(netsock_seqpacket_listener_into_fd(NULL), -EINVAL);
}
END_TEST

START_TEST(listener_try_clone_accepts_and_keeps_file_until_original_closes) {
        char path[512];
        struct netsock_seqpacket_listener *l, *clone = NULL;
        struct netsock_seqpacket *c, *s;

        ns_keep(path, sizeof(path), ns_tmppath("lclone.sock"));
        l = listen_at(path, (int) NETSOCK_REMOVE_ON_CLOSE);
        ck_assert_int_eq(netsock_seqpacket_listener_try_clone(l, &clone), 0);
        ck_assert_ptr_nonnull(clone);
        c = connect_to(path, 0);
        s = accept_from(clone, 0, NULL);
        assert_packet(c, s, "through the clone");
        close_all(c, s);
        /* The clone does not remove the file; the original does. */
        netsock_seqpacket_listener_close(clone);
        ck_assert(ns_is_socket_file(path));
        netsock_seqpacket_listener_close(l);
        ck_assert(!ns_path_exists(path));
}
END_TEST

START_TEST(timeouts_read_back) {
        struct netsock_seqpacket *a, *b;
        unsigned ms = 12345;

        make_pair(0, &a, &b);
        ck_assert_int_eq(netsock_seqpacket_read_timeout(a, &ms), 0);
        ck_assert_uint_eq(ms, 0);
        ms = 12345;
        ck_assert_int_eq(netsock_seqpacket_write_timeout(a, &ms), 0);
        ck_assert_uint_eq(ms, 0);
        ck_assert_int_eq(netsock_seqpacket_set_read_timeout(a, 100), 0);
        ck_assert_int_eq(netsock_seqpacket_read_timeout(a, &ms), 0);
        ck_assert_uint_eq(ms, 100);
        ck_assert_int_eq(netsock_seqpacket_set_write_timeout(a, 100), 0);
        ck_assert_int_eq(netsock_seqpacket_write_timeout(a, &ms), 0);
        ck_assert_uint_eq(ms, 100);
        ck_assert_int_eq(netsock_seqpacket_set_read_timeout(a, 2500), 0);
        ck_assert_int_eq(netsock_seqpacket_read_timeout(a, &ms), 0);
        ck_assert_uint_eq(ms, 2500);
        /* 0 switches it off again. */
        ck_assert_int_eq(netsock_seqpacket_set_read_timeout(a, 0), 0);
        ck_assert_int_eq(netsock_seqpacket_read_timeout(a, &ms), 0);
        ck_assert_uint_eq(ms, 0);
        ck_assert_int_eq(netsock_seqpacket_read_timeout(a, NULL), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_write_timeout(a, NULL), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_set_read_timeout(NULL, 100), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_set_write_timeout(NULL, 100), -EINVAL);
        close_all(a, b);
}
END_TEST

START_TEST(blocking_recv_with_read_timeout_is_eagain) {
        struct netsock_seqpacket *a, *b;
        char buf[8];
        bool trunc = true;
        long long t0, dt;

        make_pair(0, &a, &b);
        assert_nonblocking(b, false);
        ck_assert_int_eq(netsock_seqpacket_set_read_timeout(b, 100), 0);
        t0 = ns_now_ms();
        ck_assert_int_eq(netsock_seqpacket_recv(b, buf, sizeof(buf), &trunc), -EAGAIN);
        dt = ns_elapsed_ms(t0);
        ck_assert(trunc);
        ck_assert_int_ge(dt, 80);
        ck_assert_int_lt(dt, 5000);
        /* A packet that is there comes at once despite the timeout. */
        assert_packet(a, b, "in time");
        close_all(a, b);
}
END_TEST

START_TEST(local_addr_and_peer_addr_bad_arguments) {
        struct netsock_seqpacket *a, *b;
        struct netsock_addr got;

        make_pair(0, &a, &b);
        ck_assert_int_eq(netsock_seqpacket_local_addr(a, NULL), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_peer_addr(a, NULL), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_local_addr(NULL, &got), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_peer_addr(NULL, &got), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_send(NULL, "x", 1), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_send(a, NULL, 1), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_send_fds(NULL, "x", 1, NULL, 0), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_recv_fds(NULL, NULL, 0, NULL, NULL, NULL), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_send_ancillary(NULL, NULL, 0, NULL), -EINVAL);
        ck_assert_int_eq(netsock_seqpacket_recv_ancillary(NULL, NULL, 0, NULL), -EINVAL);
        close_all(a, b);
}
END_TEST

static Suite *make(void) {
        Suite *s = suite_create("seqpacket");
        TCase *tc;

        tc = ns_tcase(s, "connect");
        tcase_add_test(tc, connect_by_path_blocking_and_nonblocking);
        tcase_add_test(tc, connect_by_abstract_name_blocking_and_nonblocking);
        tcase_add_test(tc, connect_addr_by_path_and_abstract_blocking_and_nonblocking);
        tcase_add_test(tc, connect_from_to_path_binds_client_first);
        tcase_add_test(tc, connect_from_to_abstract_binds_client_first);
        tcase_add_test(tc, connect_from_to_bad_arguments);
        tcase_add_test(tc, connect_from_to_failure_leaves_no_socket_file_at_from);
        tcase_add_test(tc, connect_missing_or_stale_path_fails_without_leak);
        tcase_add_test(tc, connect_to_stream_listener_is_eprototype);
        tcase_add_test(tc, connect_bad_arguments_are_einval);
        tcase_add_test(tc, nonblocking_connect_to_full_backlog_is_eagain);
        tcase_add_test(tc, pair_blocking_and_nonblocking_read_back);
        tcase_add_test(tc, pair_bad_arguments_are_einval);
        tcase_add_test(tc, set_nonblocking_later_reads_back);

        tc = ns_tcase(s, "listener");
        tcase_add_test(tc, listener_by_path_accept_returns_peer_address);
        tcase_add_test(tc, listener_by_abstract_name);
        tcase_add_test(tc, listener_bind_addr_path_and_abstract);
        tcase_add_test(tc, remove_on_close_unlinks_socket_file);
        tcase_add_test(tc, remove_on_close_leaves_replacement_file_alone);
        tcase_add_test(tc, replace_stale_replaces_dead_socket_file);
        tcase_add_test(tc, replace_stale_never_takes_live_listener_path);
        tcase_add_test(tc, replace_stale_never_removes_regular_file);
        tcase_add_test(tc, accept_flags_set_connection_mode);

        tc = ns_tcase(s, "packets");
        tcase_add_test(tc, two_sends_are_two_packets);
        tcase_add_test(tc, send_vectored_is_one_packet);
        tcase_add_test(tc, recv_truncates_and_discards_rest_of_packet);
        tcase_add_test(tc, recv_vectored_truncates_across_iovecs);
        tcase_add_test(tc, peek_truncates_and_leaves_packet_queued);
        tcase_add_test(tc, peek_vectored_truncates_and_leaves_packet_queued);
        tcase_add_test(tc, truncation_out_param_may_be_null);
        tcase_add_test(tc, ret_truncated_untouched_on_failure);
        tcase_add_test(tc, next_packet_len_gives_full_length_without_consuming);
        tcase_add_test(tc, large_packet_length_and_content);
        tcase_add_test(tc, packet_larger_than_send_buffer_is_emsgsize);
        tcase_add_test(tc, zero_length_packet_is_delivered);
        tcase_add_test(tc, zero_length_packet_told_apart_from_eof_by_rdhup);
        tcase_add_test(tc, zero_length_packet_told_apart_from_eof_by_poller_read_hup);
        tcase_add_test(tc, recv_with_empty_buffer_discards_packet_as_truncated);

        tc = ns_tcase(s, "uds");
        tcase_add_test(tc, uds_nonblocking_recv_on_empty_socket_is_eagain);
        tcase_add_test(tc, uds_sending_1000_byte_packets_until_eagain_fills_buffer);
        tcase_add_test(tc, uds_recv_into_8_byte_buffer_truncates_this_is_it);
        tcase_add_test(tc, uds_peek_hello_then_recv_then_peek_eagain);
        tcase_add_test(tc, uds_try_clone_shares_queue_first_come_first_serve);
        tcase_add_test(tc, uds_take_error_on_fresh_pair_is_zero);

        tc = ns_tcase(s, "ancillary");
        tcase_add_test(tc, send_fds_one_fd_arrives_cloexec_and_usable);
        tcase_add_test(tc, send_fds_several_arrive_in_order);
        tcase_add_test(tc, send_fds_253_all_arrive_cloexec);
        tcase_add_test(tc, send_fds_254_is_einval_and_sends_nothing);
        tcase_add_test(tc, recv_fds_too_small_capacity_is_ctrunc_and_leaks_nothing);
        tcase_add_test(tc, recv_fds_truncated_payload_reports_trunc_and_delivers_fds);
        tcase_add_test(tc, send_fds_on_zero_length_packet_is_delivered);
        tcase_add_test(tc, send_ancillary_recv_ancillary_vectored_with_fds);
        tcase_add_test(tc, passcred_delivers_sender_credentials);
        tcase_add_test(tc, no_credentials_without_passcred);
        tcase_add_test(tc, listener_passcred_is_inherited_by_accepted_connection);
        tcase_add_test(tc, peer_credentials_of_pair_are_this_process);
        tcase_add_test(tc, peer_credentials_of_forked_client_are_its_pid);
        tcase_add_test(tc, peer_security_context_enoprotoopt_or_length);

        tc = ns_tcase(s, "closed-peer");
        tcase_add_test(tc, send_to_closed_peer_is_epipe_without_sigpipe);
        tcase_add_test(tc, recv_from_closed_peer_is_zero);
        tcase_add_test(tc, take_error_after_peer_closed_with_unread_packets_is_econnreset);
        tcase_add_test(tc, shutdown_write_gives_peer_zero);

        tc = ns_tcase(s, "common");
        tcase_add_test(tc, from_fd_accepts_seqpacket_fd);
        tcase_add_test(tc, from_fd_rejects_stream_fd_with_eprototype);
        tcase_add_test(tc, from_fd_rejects_other_kinds);
        tcase_add_test(tc, listener_from_fd_rejects_non_listening_with_einval);
        tcase_add_test(tc, into_fd_hands_the_fd_over);
        tcase_add_test(tc, listener_into_fd_keeps_socket_file);
        tcase_add_test(tc, listener_try_clone_accepts_and_keeps_file_until_original_closes);
        tcase_add_test(tc, timeouts_read_back);
        tcase_add_test(tc, blocking_recv_with_read_timeout_is_eagain);
        tcase_add_test(tc, local_addr_and_peer_addr_bad_arguments);
        return s;
}

NS_TEST_MAIN(make)
