/* SPDX-License-Identifier: MIT */
/*
 * TCP streams (API.md §8 and the §2 calls of tcp_stream), on loopback only:
 * every listener is bound to 127.0.0.1:0 or [::1]:0 and its port read back.
 */
#include "config.h"
#include "common.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netinet/in.h>

/* ---- helpers ------------------------------------------------------------- */


/* A boolean option of a stream that starts off and reads back on and off
 * as set. */
static void assert_off_then_toggles(struct netsock_tcp_stream *c, int (*get)(const struct netsock_tcp_stream *, bool *),
                                    int (*set)(struct netsock_tcp_stream *, bool)) {
        bool on = true;

        ck_assert_int_eq(get(c, &on), 0);
        ck_assert(!on);
        ck_assert_int_eq(set(c, true), 0);
        ck_assert_int_eq(get(c, &on), 0);
        ck_assert(on);
        ck_assert_int_eq(set(c, false), 0);
        ck_assert_int_eq(get(c, &on), 0);
        ck_assert(!on);
}

static void fill_pattern(unsigned char *buf, size_t len, unsigned seed) {
        size_t i;

        for (i = 0; i < len; i++)
                buf[i] = (unsigned char) ((i * 131u + seed + (i >> 12)) & 0xff);
}

/* ---- connect ---------------------------------------------------------------- */

START_TEST(connect_blocking_connects_to_listener) {
        struct netsock_tcp_listener *l;
        struct netsock_tcp_stream *c = NULL, *srv = NULL;
        struct netsock_addr la, peer, accepted_peer, local;
        bool nb = true;

        l = ns_tcp_listen("127.0.0.1:0", 0, &la);
        ck_assert_int_eq(netsock_tcp_stream_connect(&la, 0, &c), 0);
        ck_assert_ptr_nonnull(c);
        ck_assert(ns_fd_has_cloexec(netsock_tcp_stream_fd(c)));
        ck_assert_int_eq(netsock_tcp_stream_is_nonblocking(c, &nb), 0);
        ck_assert(!nb);
        ck_assert_int_eq(netsock_tcp_stream_finish_connect(c), 0);
        ck_assert_int_eq(netsock_tcp_listener_accept(l, 0, &srv, &accepted_peer), 0);
        ck_assert_int_eq(netsock_tcp_stream_peer_addr(c, &peer), 0);
        ck_assert(netsock_addr_equal(&peer, &la));
        ck_assert_int_eq(netsock_tcp_stream_local_addr(c, &local), 0);
        ck_assert(netsock_addr_equal(&local, &accepted_peer));
        ns_assert_tcp_transfer(c, srv, "hi");
        netsock_tcp_stream_close(srv);
        netsock_tcp_stream_close(c);
        netsock_tcp_listener_close(l);
}
END_TEST

START_TEST(connect_blocking_v6_connects_to_listener) {
        struct netsock_tcp_listener *l;
        struct netsock_tcp_stream *c = NULL, *srv = NULL;
        struct netsock_addr la, peer;

        if (!ns_have_ipv6())
                return;
        l = ns_tcp_listen("[::1]:0", 0, &la);
        ck_assert_int_eq(netsock_addr_family(&la), AF_INET6);
        ck_assert_int_eq(netsock_tcp_stream_connect(&la, 0, &c), 0);
        ck_assert_int_eq(netsock_tcp_listener_accept(l, 0, &srv, NULL), 0);
        ck_assert_int_eq(netsock_tcp_stream_peer_addr(c, &peer), 0);
        ck_assert(netsock_addr_equal(&peer, &la));
        netsock_tcp_stream_close(srv);
        netsock_tcp_stream_close(c);
        netsock_tcp_listener_close(l);
}
END_TEST

START_TEST(connect_blocking_to_closed_port_is_econnrefused) {
        struct netsock_tcp_stream *c = NULL;
        struct netsock_addr a;

        a = ns_tcp_closed_port();
        ck_assert_int_eq(netsock_tcp_stream_connect(&a, 0, &c), -ECONNREFUSED);
        ck_assert_ptr_null(c);
}
END_TEST

START_TEST(connect_rejects_bad_arguments) {
        struct netsock_tcp_stream *c = NULL;
        struct netsock_addr a, u;

        a = ns_parse_addr("127.0.0.1:1");
        ck_assert_int_eq(netsock_tcp_stream_connect(&a, 0x100, &c), -EINVAL);
        ck_assert_int_eq(netsock_tcp_stream_connect(&a, NETSOCK_REMOVE_ON_CLOSE, &c), -EINVAL);
        ck_assert_int_eq(netsock_tcp_stream_connect(NULL, 0, &c), -EINVAL);
        ck_assert_int_eq(netsock_tcp_stream_connect(&a, 0, NULL), -EINVAL);
        ck_assert_int_eq(netsock_addr_unix(&u, "/nonexistent/sock"), 0);
        ck_assert_int_eq(netsock_tcp_stream_connect(&u, 0, &c), -EAFNOSUPPORT);
        ck_assert_ptr_null(c);
        ck_assert_int_eq(netsock_tcp_stream_finish_connect(NULL), -EINVAL);
}
END_TEST

START_TEST(connect_nonblocking_returns_at_once_then_finish_connect_is_0) {
        struct netsock_tcp_listener *l;
        struct netsock_tcp_stream *c = NULL, *srv = NULL;
        struct netsock_addr la, peer;
        long long t0;
        bool nb = false;
        short re;

        l = ns_tcp_listen("127.0.0.1:0", 0, &la);
        t0 = ns_now_ms();
        ck_assert_int_eq(netsock_tcp_stream_connect(&la, NETSOCK_NONBLOCK, &c), 0);
        ck_assert_int_lt(ns_elapsed_ms(t0), 100);
        ck_assert_int_eq(netsock_tcp_stream_is_nonblocking(c, &nb), 0);
        ck_assert(nb);
        re = ns_poll_fd(netsock_tcp_stream_fd(c), POLLOUT, 2000);
        ck_assert_int_eq(re, POLLOUT);
        ck_assert_int_eq(netsock_tcp_stream_finish_connect(c), 0);
        /* Asking again changes nothing. */
        ck_assert_int_eq(netsock_tcp_stream_finish_connect(c), 0);
        ck_assert_int_eq(netsock_tcp_stream_peer_addr(c, &peer), 0);
        ck_assert(netsock_addr_equal(&peer, &la));
        ck_assert_int_eq(netsock_tcp_listener_accept(l, 0, &srv, NULL), 0);
        ns_assert_tcp_transfer(c, srv, "nb");
        netsock_tcp_stream_close(srv);
        netsock_tcp_stream_close(c);
        netsock_tcp_listener_close(l);
}
END_TEST

START_TEST(connect_nonblocking_to_closed_port_finish_connect_is_econnrefused) {
        struct netsock_tcp_stream *c = NULL;
        struct netsock_addr a;
        long long t0;
        short re;

        a = ns_tcp_closed_port();
        t0 = ns_now_ms();
        ck_assert_int_eq(netsock_tcp_stream_connect(&a, NETSOCK_NONBLOCK, &c), 0);
        ck_assert_int_lt(ns_elapsed_ms(t0), 100);
        re = ns_poll_fd(netsock_tcp_stream_fd(c), POLLOUT, 2000);
        ck_assert_msg(re & (POLLOUT | POLLERR), "revents 0x%x", (unsigned) re);
        ck_assert_msg(re & POLLERR, "revents 0x%x", (unsigned) re);
        ck_assert_int_eq(netsock_tcp_stream_finish_connect(c), -ECONNREFUSED);
        /* SO_ERROR is taken by that call: what is left is "not connected". */
        ck_assert_int_eq(netsock_tcp_stream_finish_connect(c), -ENOTCONN);
        netsock_tcp_stream_close(c);
}
END_TEST

START_TEST(take_error_reports_refused_nonblocking_connect) {
        struct netsock_tcp_stream *c = NULL;
        struct netsock_addr a;
        int err = 1;

        a = ns_tcp_closed_port();
        ck_assert_int_eq(netsock_tcp_stream_connect(&a, NETSOCK_NONBLOCK, &c), 0);
        ck_assert(ns_poll_fd(netsock_tcp_stream_fd(c), POLLOUT, 2000) & POLLERR);
        ck_assert_int_eq(netsock_tcp_stream_take_error(c, &err), 0);
        ck_assert_int_eq(err, -ECONNREFUSED);
        err = 1;
        ck_assert_int_eq(netsock_tcp_stream_take_error(c, &err), 0);
        ck_assert_int_eq(err, 0);
        ck_assert_int_eq(netsock_tcp_stream_take_error(c, NULL), -EINVAL);
        netsock_tcp_stream_close(c);
}
END_TEST

START_TEST(finish_connect_is_einprogress_while_pending) {
        struct ns_full_listener f;
        int err = 1;

        ns_full_listener_open(&f);
        ck_assert_int_ge(f.nfill, 1);
        ck_assert_ptr_nonnull(f.pending);
        /* Its SYN was dropped: it stays in SYN_SENT until the retransmit
         * (about 1 s later), so these answers are deterministic. */
        ck_assert_int_eq(ns_poll_fd(netsock_tcp_stream_fd(f.pending), POLLOUT, 0), 0);
        ck_assert_int_eq(netsock_tcp_stream_finish_connect(f.pending), -EINPROGRESS);
        ck_assert_int_eq(netsock_tcp_stream_finish_connect(f.pending), -EINPROGRESS);
        ck_assert_int_eq(netsock_tcp_stream_take_error(f.pending, &err), 0);
        ck_assert_int_eq(err, 0);
        ns_full_listener_close(&f);
}
END_TEST

START_TEST(connect_timeout_to_full_backlog_is_etimedout) {
        struct netsock_tcp_stream *c = NULL;
        struct ns_full_listener f;
        long long t0, el;

        ns_full_listener_open(&f);
        t0 = ns_now_ms();
        ck_assert_int_eq(netsock_tcp_stream_connect_timeout(&f.addr, 200, 0, &c), -ETIMEDOUT);
        el = ns_elapsed_ms(t0);
        ck_assert_msg(el >= 150 && el <= 2000, "elapsed %lld ms", el);
        ck_assert_ptr_null(c);
        /* The same with NETSOCK_NONBLOCK. */
        t0 = ns_now_ms();
        ck_assert_int_eq(netsock_tcp_stream_connect_timeout(&f.addr, 200, NETSOCK_NONBLOCK, &c), -ETIMEDOUT);
        el = ns_elapsed_ms(t0);
        ck_assert_msg(el >= 150 && el <= 2000, "elapsed %lld ms", el);
        ck_assert_ptr_null(c);
        ns_full_listener_close(&f);
}
END_TEST

struct acceptor {
        struct netsock_tcp_listener *l;
        int r;
};

/* After 100 ms takes one connection off the full accept queue, so that
 * the next SYN retransmit of a pending connect gets in. */
static void *accept_later(void *arg) {
        struct acceptor *a = arg;
        struct netsock_tcp_stream *t = NULL;

        ns_sleep_ms(100);
        a->r = netsock_tcp_listener_accept(a->l, 0, &t, NULL);
        netsock_tcp_stream_close(t);
        return NULL;
}

START_TEST(connect_blocking_resumes_after_eintr) {
        struct netsock_tcp_stream *c = NULL;
        struct ns_full_listener f;
        struct acceptor acc;
        long long t0, el;
        pthread_t t;

        ns_full_listener_open(&f);
        /* The probe's own SYN retransmit must not take the freed slot. */
        netsock_tcp_stream_close(f.pending);
        f.pending = NULL;
        acc.l = f.l;
        acc.r = 1;
        ns_thread_start_without_sigalrm(&t, accept_later, &acc);
        ns_arm_alarm(50, 50);
        /* The SYN is dropped; signals keep interrupting connect(2); the
         * retransmit about 1 s later finds room and connects. */
        t0 = ns_now_ms();
        ck_assert_int_eq(netsock_tcp_stream_connect(&f.addr, 0, &c), 0);
        el = ns_elapsed_ms(t0);
        ns_disarm_alarm();
        ck_assert_int_eq(pthread_join(t, NULL), 0);
        ck_assert_int_eq(acc.r, 0);
        ck_assert_int_ge(ns_alarms(), 2);
        ck_assert_msg(el >= 500 && el <= 5000, "elapsed %lld ms", el);
        ck_assert_int_eq(netsock_tcp_stream_finish_connect(c), 0);
        netsock_tcp_stream_close(c);
        ns_full_listener_close(&f);
}
END_TEST

START_TEST(connect_timeout_zero_is_einval) {
        struct netsock_tcp_stream *c = NULL;
        struct netsock_addr a;

        a = ns_parse_addr("127.0.0.1:1");
        ck_assert_int_eq(netsock_tcp_stream_connect_timeout(&a, 0, 0, &c), -EINVAL);
        ck_assert_int_eq(netsock_tcp_stream_connect_timeout(&a, 0, NETSOCK_NONBLOCK, &c), -EINVAL);
        ck_assert_int_eq(netsock_tcp_stream_connect_timeout(&a, (unsigned) INT_MAX + 1u, 0, &c), -EINVAL);
        ck_assert_int_eq(netsock_tcp_stream_connect_timeout(&a, 100, 0x100, &c), -EINVAL);
        ck_assert_int_eq(netsock_tcp_stream_connect_timeout(&a, 100, 0, NULL), -EINVAL);
        ck_assert_ptr_null(c);
}
END_TEST

START_TEST(connect_timeout_connects_and_keeps_blocking_mode) {
        struct netsock_tcp_listener *l;
        struct netsock_tcp_stream *c = NULL, *d = NULL;
        struct netsock_addr la, peer, a;
        bool nb = true;

        l = ns_tcp_listen("127.0.0.1:0", 0, &la);
        ck_assert_int_eq(netsock_tcp_stream_connect_timeout(&la, 1000, 0, &c), 0);
        ck_assert_int_eq(netsock_tcp_stream_is_nonblocking(c, &nb), 0);
        ck_assert(!nb);
        ck_assert_int_eq(netsock_tcp_stream_peer_addr(c, &peer), 0);
        ck_assert(netsock_addr_equal(&peer, &la));
        ck_assert_int_eq(netsock_tcp_stream_connect_timeout(&la, 1000, NETSOCK_NONBLOCK, &d), 0);
        ck_assert_int_eq(netsock_tcp_stream_is_nonblocking(d, &nb), 0);
        ck_assert(nb);
        ck_assert_int_eq(netsock_tcp_stream_finish_connect(d), 0);
        netsock_tcp_stream_close(d);
        netsock_tcp_stream_close(c);
        netsock_tcp_listener_close(l);
        a = ns_tcp_closed_port();
        c = NULL;
        ck_assert_int_eq(netsock_tcp_stream_connect_timeout(&a, 1000, 0, &c), -ECONNREFUSED);
        ck_assert_ptr_null(c);
}
END_TEST

/* ---- data -------------------------------------------------------------------- */

START_TEST(send_and_recv_move_exact_bytes) {
        struct netsock_tcp_stream *c, *s;
        char buf[16];

        ns_tcp_pair("127.0.0.1:0", &c, &s);
        ck_assert_int_eq(netsock_tcp_stream_send(c, "hello", 5), 5);
        ns_wait_bytes(netsock_tcp_stream_fd(s), 5);
        memset(buf, 0, sizeof(buf));
        ck_assert_int_eq(netsock_tcp_stream_recv(s, buf, sizeof(buf)), 5);
        ck_assert_str_eq(buf, "hello");
        ck_assert_int_eq(netsock_tcp_stream_send(s, "world!", 6), 6);
        ns_wait_bytes(netsock_tcp_stream_fd(c), 6);
        memset(buf, 0, sizeof(buf));
        ck_assert_int_eq(netsock_tcp_stream_recv(c, buf, 3), 3);
        ck_assert_str_eq(buf, "wor");
        ck_assert_int_eq(netsock_tcp_stream_recv(c, buf, sizeof(buf)), 3);
        ck_assert(memcmp(buf, "ld!", 3) == 0);
        ck_assert_int_eq(netsock_tcp_stream_send(c, NULL, 0), 0);
        ck_assert_int_eq(netsock_tcp_stream_send(c, NULL, 1), -EINVAL);
        ck_assert_int_eq(netsock_tcp_stream_recv(c, NULL, 1), -EINVAL);
        ck_assert_int_eq(netsock_tcp_stream_send(NULL, "x", 1), -EINVAL);
        ck_assert_int_eq(netsock_tcp_stream_recv(NULL, buf, 1), -EINVAL);
        /* Nothing queued on a nonblocking stream: -EAGAIN. */
        ck_assert_int_eq(netsock_tcp_stream_set_nonblocking(c, true), 0);
        ck_assert_int_eq(netsock_tcp_stream_recv(c, buf, sizeof(buf)), -EAGAIN);
        netsock_tcp_stream_close(c);
        netsock_tcp_stream_close(s);
}
END_TEST

START_TEST(send_vectored_sends_three_iovecs_in_order) {
        struct netsock_tcp_stream *c, *s;
        struct iovec iov[3];
        char buf[16];

        ns_tcp_pair("127.0.0.1:0", &c, &s);
        iov[0].iov_base = (void *) "ab";
        iov[0].iov_len = 2;
        iov[1].iov_base = (void *) "cde";
        iov[1].iov_len = 3;
        iov[2].iov_base = (void *) "fghi";
        iov[2].iov_len = 4;
        ck_assert_int_eq(netsock_tcp_stream_send_vectored(c, iov, 3), 9);
        memset(buf, 0, sizeof(buf));
        ck_assert_int_eq(netsock_tcp_stream_recv_exact(s, buf, 9), 9);
        ck_assert_str_eq(buf, "abcdefghi");
        ck_assert_int_eq(netsock_tcp_stream_send_vectored(c, NULL, 0), 0);
        ck_assert_int_eq(netsock_tcp_stream_send_vectored(c, NULL, 1), -EINVAL);
        ck_assert_int_eq(netsock_tcp_stream_send_vectored(c, iov, (size_t) IOV_MAX + 1), -EINVAL);
        netsock_tcp_stream_close(c);
        netsock_tcp_stream_close(s);
}
END_TEST

START_TEST(recv_vectored_fills_iovecs_in_order) {
        struct netsock_tcp_stream *c, *s;
        char a[2], b[3], d[4];
        struct iovec iov[3];

        ns_tcp_pair("127.0.0.1:0", &c, &s);
        ck_assert_int_eq(netsock_tcp_stream_send(c, "abcdefghiXYZ", 12), 12);
        ns_wait_bytes(netsock_tcp_stream_fd(s), 12);
        iov[0].iov_base = a;
        iov[0].iov_len = sizeof(a);
        iov[1].iov_base = b;
        iov[1].iov_len = sizeof(b);
        iov[2].iov_base = d;
        iov[2].iov_len = sizeof(d);
        ck_assert_int_eq(netsock_tcp_stream_recv_vectored(s, iov, 3), 9);
        ck_assert(memcmp(a, "ab", 2) == 0);
        ck_assert(memcmp(b, "cde", 3) == 0);
        ck_assert(memcmp(d, "fghi", 4) == 0);
        /* The rest stays queued for the next call. */
        ck_assert_int_eq(netsock_tcp_stream_recv_vectored(s, iov, 3), 3);
        ck_assert(memcmp(a, "XY", 2) == 0);
        ck_assert_int_eq(b[0], 'Z');
        ck_assert_int_eq(netsock_tcp_stream_recv_vectored(s, NULL, 1), -EINVAL);
        ck_assert_int_eq(netsock_tcp_stream_recv_vectored(s, iov, (size_t) IOV_MAX + 1), -EINVAL);
        netsock_tcp_stream_close(c);
        netsock_tcp_stream_close(s);
}
END_TEST

START_TEST(send_all_sends_every_byte) {
        struct netsock_tcp_stream *c, *s;
        unsigned char out[5000], in[5000];

        ns_tcp_pair("127.0.0.1:0", &c, &s);
        fill_pattern(out, sizeof(out), 7);
        ck_assert_int_eq(netsock_tcp_stream_send_all(c, out, sizeof(out)), 0);
        ck_assert_int_eq(netsock_tcp_stream_send_all(c, NULL, 0), 0);
        ck_assert_int_eq(netsock_tcp_stream_send_all(c, NULL, 1), -EINVAL);
        ck_assert_int_eq(netsock_tcp_stream_recv_exact(s, in, sizeof(in)), (ssize_t) sizeof(in));
        ck_assert(memcmp(in, out, sizeof(in)) == 0);
        netsock_tcp_stream_close(c);
        netsock_tcp_stream_close(s);
}
END_TEST

struct xfer {
        struct netsock_tcp_stream *s;
        unsigned char *buf;
        size_t len;
        long r;
};

/* Sends buf in 64 KiB pieces with a pause after each: the receiver's
 * recv_exact sees the data trickle in. */
static void *slow_sender(void *arg) {
        struct xfer *x = arg;
        size_t off = 0;

        x->r = 0;
        while (off < x->len) {
                size_t n = x->len - off < 65536 ? x->len - off : 65536;
                int r = netsock_tcp_stream_send_all(x->s, x->buf + off, n);

                if (r < 0) {
                        x->r = r;
                        return NULL;
                }
                off += n;
                ns_sleep_ms(2);
        }
        return NULL;
}

/* Reads into buf in small pieces with pauses: a slow reader. */
static void *slow_reader(void *arg) {
        struct xfer *x = arg;
        size_t off = 0;
        int i = 0;

        while (off < x->len) {
                size_t want = x->len - off < 32768 ? x->len - off : 32768;
                ssize_t n = netsock_tcp_stream_recv(x->s, x->buf + off, want);

                if (n <= 0) {
                        x->r = n < 0 ? (long) n : -EPIPE;
                        return NULL;
                }
                off += (size_t) n;
                if (++i % 4 == 0)
                        ns_sleep_ms(2);
        }
        x->r = (long) off;
        return NULL;
}

START_TEST(recv_exact_receives_1mib_from_a_slow_sender) {
        struct netsock_tcp_stream *c, *s;
        unsigned char *out = malloc(NS_MIB), *in = malloc(NS_MIB);
        struct xfer x;
        pthread_t t;

        ck_assert_ptr_nonnull(out);
        ck_assert_ptr_nonnull(in);
        ns_tcp_pair("127.0.0.1:0", &c, &s);
        fill_pattern(out, NS_MIB, 3);
        memset(in, 0, NS_MIB);
        x.s = c;
        x.buf = out;
        x.len = NS_MIB;
        x.r = 1;
        ck_assert_int_eq(pthread_create(&t, NULL, slow_sender, &x), 0);
        ck_assert_int_eq(netsock_tcp_stream_recv_exact(s, in, NS_MIB), NS_MIB);
        ck_assert_int_eq(pthread_join(t, NULL), 0);
        ck_assert_int_eq(x.r, 0);
        ck_assert(memcmp(in, out, NS_MIB) == 0);
        netsock_tcp_stream_close(c);
        netsock_tcp_stream_close(s);
        free(out);
        free(in);
}
END_TEST

START_TEST(send_all_sends_1mib_to_a_slow_reader) {
        struct netsock_tcp_stream *c, *s;
        unsigned char *out = malloc(NS_MIB), *in = malloc(NS_MIB);
        struct xfer x;
        pthread_t t;

        ck_assert_ptr_nonnull(out);
        ck_assert_ptr_nonnull(in);
        ns_tcp_pair("127.0.0.1:0", &c, &s);
        /* Small buffers so that send_all has to wait for the reader. */
        ck_assert_int_eq(netsock_tcp_stream_set_send_buffer_size(c, 16384), 0);
        ck_assert_int_eq(netsock_tcp_stream_set_recv_buffer_size(s, 16384), 0);
        fill_pattern(out, NS_MIB, 11);
        memset(in, 0, NS_MIB);
        x.s = s;
        x.buf = in;
        x.len = NS_MIB;
        x.r = 0;
        ck_assert_int_eq(pthread_create(&t, NULL, slow_reader, &x), 0);
        ck_assert_int_eq(netsock_tcp_stream_send_all(c, out, NS_MIB), 0);
        ck_assert_int_eq(pthread_join(t, NULL), 0);
        ck_assert_int_eq(x.r, NS_MIB);
        ck_assert(memcmp(in, out, NS_MIB) == 0);
        netsock_tcp_stream_close(c);
        netsock_tcp_stream_close(s);
        free(out);
        free(in);
}
END_TEST

START_TEST(recv_exact_returns_short_count_at_eof) {
        struct netsock_tcp_stream *c, *s;
        char buf[10];

        ns_tcp_pair("127.0.0.1:0", &c, &s);
        ck_assert_int_eq(netsock_tcp_stream_send(c, "abc", 3), 3);
        ck_assert_int_eq(netsock_tcp_stream_shutdown(c, SHUT_WR), 0);
        ck_assert_int_eq(netsock_tcp_stream_recv_exact(s, buf, sizeof(buf)), 3);
        ck_assert(memcmp(buf, "abc", 3) == 0);
        ck_assert_int_eq(netsock_tcp_stream_recv_exact(s, buf, sizeof(buf)), 0);
        ck_assert_int_eq(netsock_tcp_stream_recv_exact(s, NULL, 1), -EINVAL);
        netsock_tcp_stream_close(c);
        netsock_tcp_stream_close(s);
}
END_TEST

START_TEST(recv_exact_with_read_timeout_keeps_partial_data) {
        struct netsock_tcp_stream *c, *s;
        long long t0, el;
        char buf[10];

        ns_tcp_pair("127.0.0.1:0", &c, &s);
        ck_assert_int_eq(netsock_tcp_stream_set_read_timeout(s, 100), 0);
        ck_assert_int_eq(netsock_tcp_stream_send(c, "abc", 3), 3);
        /* The data stops after 3 bytes: the timeout ends the call, and the
         * bytes already taken off the socket are returned, not lost. */
        memset(buf, 0, sizeof(buf));
        t0 = ns_now_ms();
        ck_assert_int_eq(netsock_tcp_stream_recv_exact(s, buf, sizeof(buf)), 3);
        el = ns_elapsed_ms(t0);
        ck_assert_msg(el >= 80 && el <= 2000, "elapsed %lld ms", el);
        ck_assert(memcmp(buf, "abc", 3) == 0);
        /* Nothing more: the next call reports the timeout. */
        t0 = ns_now_ms();
        ck_assert_int_eq(netsock_tcp_stream_recv_exact(s, buf, sizeof(buf)), -EAGAIN);
        el = ns_elapsed_ms(t0);
        ck_assert_msg(el >= 80 && el <= 2000, "elapsed %lld ms", el);
        /* Nonblocking, partial data: the part, then -EAGAIN. */
        ck_assert_int_eq(netsock_tcp_stream_set_nonblocking(s, true), 0);
        ck_assert_int_eq(netsock_tcp_stream_send(c, "de", 2), 2);
        ns_wait_bytes(netsock_tcp_stream_fd(s), 2);
        ck_assert_int_eq(netsock_tcp_stream_recv_exact(s, buf, sizeof(buf)), 2);
        ck_assert(memcmp(buf, "de", 2) == 0);
        ck_assert_int_eq(netsock_tcp_stream_recv_exact(s, buf, sizeof(buf)), -EAGAIN);
        netsock_tcp_stream_close(c);
        netsock_tcp_stream_close(s);
}
END_TEST

START_TEST(peek_leaves_data_queued) {
        struct netsock_tcp_stream *c, *s;
        char buf[16];

        ns_tcp_pair("127.0.0.1:0", &c, &s);
        ck_assert_int_eq(netsock_tcp_stream_send(c, "peekdata", 8), 8);
        ns_wait_bytes(netsock_tcp_stream_fd(s), 8);
        memset(buf, 0, sizeof(buf));
        ck_assert_int_eq(netsock_tcp_stream_peek(s, buf, sizeof(buf)), 8);
        ck_assert_str_eq(buf, "peekdata");
        memset(buf, 0, sizeof(buf));
        ck_assert_int_eq(netsock_tcp_stream_peek(s, buf, 4), 4);
        ck_assert_str_eq(buf, "peek");
        memset(buf, 0, sizeof(buf));
        ck_assert_int_eq(netsock_tcp_stream_recv(s, buf, sizeof(buf)), 8);
        ck_assert_str_eq(buf, "peekdata");
        ck_assert_int_eq(netsock_tcp_stream_set_nonblocking(s, true), 0);
        ck_assert_int_eq(netsock_tcp_stream_peek(s, buf, sizeof(buf)), -EAGAIN);
        ck_assert_int_eq(netsock_tcp_stream_recv(s, buf, sizeof(buf)), -EAGAIN);
        netsock_tcp_stream_close(c);
        netsock_tcp_stream_close(s);
}
END_TEST

START_TEST(shutdown_write_gives_peer_eof_and_keeps_reading) {
        struct netsock_tcp_stream *c, *s;
        char buf[8];

        ns_tcp_pair("127.0.0.1:0", &c, &s);
        ck_assert_int_eq(netsock_tcp_stream_shutdown(c, SHUT_WR), 0);
        ck_assert_int_eq(netsock_tcp_stream_recv(s, buf, sizeof(buf)), 0);
        ck_assert_int_eq(netsock_tcp_stream_send(s, "back", 4), 4);
        memset(buf, 0, sizeof(buf));
        ck_assert_int_eq(netsock_tcp_stream_recv_exact(c, buf, 4), 4);
        ck_assert_str_eq(buf, "back");
        /* This side cannot send any more. */
        ck_assert_int_eq(netsock_tcp_stream_send(c, "x", 1), -EPIPE);
        ck_assert_int_eq(netsock_tcp_stream_shutdown(c, 42), -EINVAL);
        ck_assert_int_eq(netsock_tcp_stream_shutdown(NULL, SHUT_WR), -EINVAL);
        netsock_tcp_stream_close(c);
        netsock_tcp_stream_close(s);
}
END_TEST

/* The peer is gone and has answered with RST: every send call fails with
 * an error and SIGPIPE (left at SIG_DFL by the fixture) never kills us. */
static void assert_sends_fail_without_sigpipe(struct netsock_tcp_stream *c) {
        struct iovec iov[2];
        ssize_t r;
        short re;

        re = ns_poll_fd(netsock_tcp_stream_fd(c), 0, 2000);
        ck_assert_msg(re & (POLLERR | POLLHUP), "revents 0x%x", (unsigned) re);
        r = netsock_tcp_stream_send(c, "x", 1);
        ck_assert_msg(r == -EPIPE || r == -ECONNRESET, "send: %zd", r);
        ck_assert_int_eq(netsock_tcp_stream_send(c, "x", 1), -EPIPE);
        iov[0].iov_base = (void *) "ab";
        iov[0].iov_len = 2;
        iov[1].iov_base = (void *) "cd";
        iov[1].iov_len = 2;
        ck_assert_int_eq(netsock_tcp_stream_send_vectored(c, iov, 2), -EPIPE);
        ck_assert_int_eq(netsock_tcp_stream_send_all(c, "abcd", 4), -EPIPE);
}

START_TEST(send_to_peer_closed_with_rst_is_error_without_sigpipe) {
        struct netsock_tcp_stream *c, *s;
        int lg = 5;

        ns_tcp_pair("127.0.0.1:0", &c, &s);
        ck_assert_int_eq(netsock_tcp_stream_set_linger(s, 0), 0);
        ck_assert_int_eq(netsock_tcp_stream_linger(s, &lg), 0);
        ck_assert_int_eq(lg, 0);
        netsock_tcp_stream_close(s);  /* linger 0: RST */
        assert_sends_fail_without_sigpipe(c);
        netsock_tcp_stream_close(c);
}
END_TEST

START_TEST(send_to_peer_that_closed_is_epipe_without_sigpipe) {
        struct netsock_tcp_stream *c, *s;
        char buf[4];

        ns_tcp_pair("127.0.0.1:0", &c, &s);
        netsock_tcp_stream_close(s);  /* FIN */
        ck_assert_int_eq(netsock_tcp_stream_recv(c, buf, sizeof(buf)), 0);
        /* The closed peer answers this byte with RST. */
        ck_assert_int_eq(netsock_tcp_stream_send(c, "x", 1), 1);
        assert_sends_fail_without_sigpipe(c);
        netsock_tcp_stream_close(c);
}
END_TEST

/* ---- options ------------------------------------------------------------- */

START_TEST(nodelay_reads_back) {
        struct netsock_tcp_stream *c, *s;

        ns_tcp_pair("127.0.0.1:0", &c, &s);
        assert_off_then_toggles(c, netsock_tcp_stream_nodelay, netsock_tcp_stream_set_nodelay);
        ck_assert_int_eq(netsock_tcp_stream_nodelay(c, NULL), -EINVAL);
        ck_assert_int_eq(netsock_tcp_stream_set_nodelay(NULL, true), -EINVAL);
        netsock_tcp_stream_close(c);
        netsock_tcp_stream_close(s);
}
END_TEST

START_TEST(buffer_sizes_read_back_at_least_the_request) {
        struct netsock_tcp_stream *c, *s;
        size_t v = 0;

        ns_tcp_pair("127.0.0.1:0", &c, &s);
        ck_assert_int_eq(netsock_tcp_stream_set_send_buffer_size(c, 65536), 0);
        ck_assert_int_eq(netsock_tcp_stream_send_buffer_size(c, &v), 0);
        ck_assert_uint_ge(v, 65536);
        v = 0;
        ck_assert_int_eq(netsock_tcp_stream_set_recv_buffer_size(c, 65536), 0);
        ck_assert_int_eq(netsock_tcp_stream_recv_buffer_size(c, &v), 0);
        ck_assert_uint_ge(v, 65536);
        ck_assert_int_eq(netsock_tcp_stream_set_send_buffer_size(c, (size_t) INT_MAX + 1), -EINVAL);
        ck_assert_int_eq(netsock_tcp_stream_set_recv_buffer_size(c, (size_t) INT_MAX + 1), -EINVAL);
        ck_assert_int_eq(netsock_tcp_stream_send_buffer_size(c, NULL), -EINVAL);
        netsock_tcp_stream_close(c);
        netsock_tcp_stream_close(s);
}
END_TEST

START_TEST(keepalive_reads_back) {
        struct netsock_tcp_stream *c, *s;

        ns_tcp_pair("127.0.0.1:0", &c, &s);
        assert_off_then_toggles(c, netsock_tcp_stream_keepalive, netsock_tcp_stream_set_keepalive);
        netsock_tcp_stream_close(c);
        netsock_tcp_stream_close(s);
}
END_TEST

START_TEST(keepalive_params_read_back_and_0_leaves_one_unchanged) {
        struct netsock_tcp_stream *c, *s;
        unsigned idle = 0, intvl = 0, cnt = 0;

        ns_tcp_pair("127.0.0.1:0", &c, &s);
        ck_assert_int_eq(netsock_tcp_stream_set_keepalive_params(c, 30, 5, 4), 0);
        ck_assert_int_eq(netsock_tcp_stream_keepalive_params(c, &idle, &intvl, &cnt), 0);
        ck_assert_uint_eq(idle, 30);
        ck_assert_uint_eq(intvl, 5);
        ck_assert_uint_eq(cnt, 4);
        ck_assert_int_eq(netsock_tcp_stream_set_keepalive_params(c, 0, 7, 0), 0);
        ck_assert_int_eq(netsock_tcp_stream_keepalive_params(c, &idle, &intvl, &cnt), 0);
        ck_assert_uint_eq(idle, 30);
        ck_assert_uint_eq(intvl, 7);
        ck_assert_uint_eq(cnt, 4);
        ck_assert_int_eq(netsock_tcp_stream_set_keepalive_params(c, (unsigned) INT_MAX + 1u, 1, 1), -EINVAL);
        ck_assert_int_eq(netsock_tcp_stream_keepalive_params(c, &idle, &intvl, &cnt), 0);
        ck_assert_uint_eq(idle, 30);  /* nothing was set */
        ck_assert_uint_eq(intvl, 7);
        ck_assert_uint_eq(cnt, 4);
        ck_assert_int_eq(netsock_tcp_stream_keepalive_params(c, NULL, &intvl, &cnt), -EINVAL);
        ck_assert_int_eq(netsock_tcp_stream_keepalive_params(c, &idle, NULL, &cnt), -EINVAL);
        ck_assert_int_eq(netsock_tcp_stream_keepalive_params(c, &idle, &intvl, NULL), -EINVAL);
        netsock_tcp_stream_close(c);
        netsock_tcp_stream_close(s);
}
END_TEST

START_TEST(keepalive_params_failure_changes_nothing) {
        struct netsock_tcp_stream *c, *s;
        unsigned idle = 0, intvl = 0, cnt = 0;

        ns_tcp_pair("127.0.0.1:0", &c, &s);
        ck_assert_int_eq(netsock_tcp_stream_set_keepalive_params(c, 10, 5, 4), 0);
        /* Linux takes at most 127 probes: the call fails, and a failed call
         * must leave all three as they were, not idle and interval set. */
        ck_assert_int_eq(netsock_tcp_stream_set_keepalive_params(c, 20, 6, 200), -EINVAL);
        ck_assert_int_eq(netsock_tcp_stream_keepalive_params(c, &idle, &intvl, &cnt), 0);
        ck_assert_uint_eq(cnt, 4);
        ck_assert_uint_eq(intvl, 5);
        ck_assert_uint_eq(idle, 10);
        netsock_tcp_stream_close(c);
        netsock_tcp_stream_close(s);
}
END_TEST

START_TEST(ttl_reads_back) {
        struct netsock_tcp_stream *c, *s;
        unsigned ttl = 0;

        ns_tcp_pair("127.0.0.1:0", &c, &s);
        ck_assert_int_eq(netsock_tcp_stream_set_ttl(c, 33), 0);
        ck_assert_int_eq(netsock_tcp_stream_ttl(c, &ttl), 0);
        ck_assert_uint_eq(ttl, 33);
        ck_assert_int_eq(netsock_tcp_stream_set_ttl(c, 0), -EINVAL);
        ck_assert_int_eq(netsock_tcp_stream_set_ttl(c, 256), -EINVAL);
        ck_assert_int_eq(netsock_tcp_stream_ttl(c, &ttl), 0);
        ck_assert_uint_eq(ttl, 33);
        ck_assert_int_eq(netsock_tcp_stream_ttl(c, NULL), -EINVAL);
        netsock_tcp_stream_close(c);
        netsock_tcp_stream_close(s);
}
END_TEST

START_TEST(ttl_reads_back_on_v6) {
        struct netsock_tcp_stream *c, *s;
        unsigned ttl = 0;

        if (!ns_have_ipv6())
                return;
        ns_tcp_pair("[::1]:0", &c, &s);
        ck_assert_int_eq(netsock_tcp_stream_set_ttl(c, 33), 0);
        ck_assert_int_eq(netsock_tcp_stream_ttl(c, &ttl), 0);
        ck_assert_uint_eq(ttl, 33);
        netsock_tcp_stream_close(c);
        netsock_tcp_stream_close(s);
}
END_TEST

static bool sysctl_bindv6only(void) {
        return ns_sysctl_long("/proc/sys/net/ipv6/bindv6only", 0) != 0;
}

START_TEST(only_v6_on_connected_v6_stream) {
        struct netsock_tcp_stream *c, *s;
        bool on = !sysctl_bindv6only();

        if (!ns_have_ipv6())
                return;
        ns_tcp_pair("[::1]:0", &c, &s);
        /* The getter works and shows the system default. */
        ck_assert_int_eq(netsock_tcp_stream_only_v6(c, &on), 0);
        ck_assert(on == sysctl_bindv6only());
        /* Linux refuses IPV6_V6ONLY once the socket is bound, and a
         * connected socket is: the setter passes that on. */
        ck_assert_int_eq(netsock_tcp_stream_set_only_v6(c, true), -EINVAL);
        ck_assert_int_eq(netsock_tcp_stream_only_v6(c, &on), 0);
        ck_assert(on == sysctl_bindv6only());
        ck_assert_int_eq(netsock_tcp_stream_only_v6(c, NULL), -EINVAL);
        netsock_tcp_stream_close(c);
        netsock_tcp_stream_close(s);
}
END_TEST

START_TEST(only_v6_set_true_reads_true_on_unbound_v6_stream) {
        struct netsock_tcp_stream *st = NULL;
        bool on = false;
        int fd;

        if (!ns_have_ipv6())
                return;
        /* from_fd takes a fresh (not yet connected) TCP socket as a stream:
         * there the option can still be set. */
        fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(netsock_tcp_stream_from_fd(fd, &st), 0);
        ck_assert_int_eq(netsock_tcp_stream_set_only_v6(st, true), 0);
        ck_assert_int_eq(netsock_tcp_stream_only_v6(st, &on), 0);
        ck_assert(on);
        ck_assert_int_eq(netsock_tcp_stream_set_only_v6(st, false), 0);
        ck_assert_int_eq(netsock_tcp_stream_only_v6(st, &on), 0);
        ck_assert(!on);
        netsock_tcp_stream_close(st);
}
END_TEST

START_TEST(only_v6_on_v4_stream_is_eafnosupport) {
        struct netsock_tcp_stream *c, *s;
        bool on = true;

        ns_tcp_pair("127.0.0.1:0", &c, &s);
        ck_assert_int_eq(netsock_tcp_stream_set_only_v6(c, true), -EAFNOSUPPORT);
        ck_assert_int_eq(netsock_tcp_stream_set_only_v6(c, false), -EAFNOSUPPORT);
        ck_assert_int_eq(netsock_tcp_stream_only_v6(c, &on), -EAFNOSUPPORT);
        ck_assert(on);  /* untouched */
        netsock_tcp_stream_close(c);
        netsock_tcp_stream_close(s);
}
END_TEST

START_TEST(linger_reads_back) {
        struct netsock_tcp_stream *c, *s;
        int secs = 0;

        ns_tcp_pair("127.0.0.1:0", &c, &s);
        ck_assert_int_eq(netsock_tcp_stream_linger(c, &secs), 0);
        ck_assert_int_eq(secs, -1);
        ck_assert_int_eq(netsock_tcp_stream_set_linger(c, 3), 0);
        ck_assert_int_eq(netsock_tcp_stream_linger(c, &secs), 0);
        ck_assert_int_eq(secs, 3);
        ck_assert_int_eq(netsock_tcp_stream_set_linger(c, -1), 0);
        ck_assert_int_eq(netsock_tcp_stream_linger(c, &secs), 0);
        ck_assert_int_eq(secs, -1);
        ck_assert_int_eq(netsock_tcp_stream_linger(c, NULL), -EINVAL);
        netsock_tcp_stream_close(c);
        netsock_tcp_stream_close(s);
}
END_TEST

START_TEST(user_timeout_reads_back) {
        struct netsock_tcp_stream *c, *s;
        unsigned ms = 1;

        ns_tcp_pair("127.0.0.1:0", &c, &s);
        ck_assert_int_eq(netsock_tcp_stream_user_timeout(c, &ms), 0);
        ck_assert_uint_eq(ms, 0);
        ck_assert_int_eq(netsock_tcp_stream_set_user_timeout(c, 5000), 0);
        ck_assert_int_eq(netsock_tcp_stream_user_timeout(c, &ms), 0);
        ck_assert_uint_eq(ms, 5000);
        ck_assert_int_eq(netsock_tcp_stream_set_user_timeout(c, (unsigned) INT_MAX + 1u), -EINVAL);
        ck_assert_int_eq(netsock_tcp_stream_user_timeout(c, &ms), 0);
        ck_assert_uint_eq(ms, 5000);
        ck_assert_int_eq(netsock_tcp_stream_user_timeout(c, NULL), -EINVAL);
        netsock_tcp_stream_close(c);
        netsock_tcp_stream_close(s);
}
END_TEST

/* ---- common calls --------------------------------------------------------- */

START_TEST(from_fd_keeps_blocking_mode_both_ways) {
        struct netsock_tcp_stream *c, *s, *back = NULL;
        bool nb;
        int fd;

        ns_tcp_pair("127.0.0.1:0", &c, &s);
        fd = netsock_tcp_stream_into_fd(c);
        ck_assert_int_ge(fd, 0);
        ck_assert(ns_fd_is_open(fd));
        /* Nonblocking fd, close-on-exec removed: stays nonblocking, gets
         * close-on-exec. */
        ck_assert_int_eq(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK), 0);
        ck_assert_int_eq(fcntl(fd, F_SETFD, 0), 0);
        ck_assert_int_eq(netsock_tcp_stream_from_fd(fd, &back), 0);
        ck_assert_int_eq(netsock_tcp_stream_fd(back), fd);
        ck_assert(ns_fd_has_cloexec(fd));
        nb = false;
        ck_assert_int_eq(netsock_tcp_stream_is_nonblocking(back, &nb), 0);
        ck_assert(nb);
        ck_assert_int_eq(netsock_tcp_stream_into_fd(back), fd);
        /* Blocking fd: stays blocking. */
        ck_assert_int_eq(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK), 0);
        back = NULL;
        ck_assert_int_eq(netsock_tcp_stream_from_fd(fd, &back), 0);
        nb = true;
        ck_assert_int_eq(netsock_tcp_stream_is_nonblocking(back, &nb), 0);
        ck_assert(!nb);
        /* It is the same connection. */
        ns_assert_tcp_transfer(back, s, "fd");
        netsock_tcp_stream_close(back);
        netsock_tcp_stream_close(s);
}
END_TEST

START_TEST(from_fd_rejects_what_is_not_a_tcp_stream) {
        struct netsock_tcp_stream *st = NULL;
        struct netsock_tcp_listener *l;
        struct netsock_addr a;
        int sv[2], lfd, ufd, pfd[2];

        ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        ck_assert_int_eq(netsock_tcp_stream_from_fd(sv[0], &st), -EAFNOSUPPORT);
        ck_assert(ns_fd_is_open(sv[0]));
        close(sv[0]);
        close(sv[1]);

        l = ns_tcp_listen("127.0.0.1:0", 0, &a);
        lfd = netsock_tcp_listener_into_fd(l);
        ck_assert_int_ge(lfd, 0);
        ck_assert_int_eq(netsock_tcp_stream_from_fd(lfd, &st), -EINVAL);
        ck_assert(ns_fd_is_open(lfd));
        close(lfd);

        ufd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        ck_assert_int_ge(ufd, 0);
        ck_assert_int_eq(netsock_tcp_stream_from_fd(ufd, &st), -EPROTOTYPE);
        close(ufd);

        ck_assert_int_eq(pipe2(pfd, O_CLOEXEC), 0);
        ck_assert_int_eq(netsock_tcp_stream_from_fd(pfd[0], &st), -ENOTSOCK);
        close(pfd[0]);
        close(pfd[1]);

        ck_assert_int_eq(netsock_tcp_stream_from_fd(-1, &st), -EBADF);
        ck_assert_ptr_null(st);
}
END_TEST

START_TEST(into_fd_hands_over_the_fd) {
        struct netsock_tcp_stream *c, *s;
        char buf[2];
        int fd;

        ns_tcp_pair("127.0.0.1:0", &c, &s);
        fd = netsock_tcp_stream_into_fd(c);
        ck_assert_int_ge(fd, 0);
        ck_assert(ns_fd_is_open(fd));
        ck_assert_int_eq(send(fd, "io", 2, MSG_NOSIGNAL), 2);
        ck_assert_int_eq(netsock_tcp_stream_recv_exact(s, buf, 2), 2);
        ck_assert(memcmp(buf, "io", 2) == 0);
        ck_assert_int_eq(netsock_tcp_stream_into_fd(NULL), -EINVAL);
        ck_assert_int_eq(close(fd), 0);
        netsock_tcp_stream_close(s);
        netsock_tcp_stream_close(NULL);
}
END_TEST

START_TEST(try_clone_shares_the_connection) {
        struct netsock_tcp_stream *c, *s, *k = NULL;
        char buf[16];

        ns_tcp_pair("127.0.0.1:0", &c, &s);
        ck_assert_int_eq(netsock_tcp_stream_try_clone(c, &k), 0);
        ck_assert_ptr_nonnull(k);
        ck_assert_int_ne(netsock_tcp_stream_fd(k), netsock_tcp_stream_fd(c));
        ck_assert(ns_fd_has_cloexec(netsock_tcp_stream_fd(k)));
        ck_assert_int_eq(netsock_tcp_stream_send(k, "clone", 5), 5);
        ck_assert_int_eq(netsock_tcp_stream_send(c, "orig", 4), 4);
        memset(buf, 0, sizeof(buf));
        ck_assert_int_eq(netsock_tcp_stream_recv_exact(s, buf, 9), 9);
        ck_assert(memcmp(buf, "cloneorig", 9) == 0);
        /* The peer's answer is readable through either handle. */
        ck_assert_int_eq(netsock_tcp_stream_send(s, "ok", 2), 2);
        ck_assert_int_eq(netsock_tcp_stream_recv_exact(c, buf, 1), 1);
        ck_assert_int_eq(buf[0], 'o');
        ck_assert_int_eq(netsock_tcp_stream_recv_exact(k, buf, 1), 1);
        ck_assert_int_eq(buf[0], 'k');
        /* Closing one handle leaves the connection to the other. */
        netsock_tcp_stream_close(c);
        ck_assert_int_eq(netsock_tcp_stream_send(k, "!", 1), 1);
        ck_assert_int_eq(netsock_tcp_stream_recv_exact(s, buf, 1), 1);
        ck_assert_int_eq(buf[0], '!');
        ck_assert_int_eq(netsock_tcp_stream_try_clone(NULL, &k), -EINVAL);
        netsock_tcp_stream_close(k);
        netsock_tcp_stream_close(s);
}
END_TEST

START_TEST(take_error_is_0_on_a_healthy_stream) {
        struct netsock_tcp_stream *c, *s;
        int err = 1;

        ns_tcp_pair("127.0.0.1:0", &c, &s);
        ck_assert_int_eq(netsock_tcp_stream_take_error(c, &err), 0);
        ck_assert_int_eq(err, 0);
        err = 1;
        ck_assert_int_eq(netsock_tcp_stream_take_error(s, &err), 0);
        ck_assert_int_eq(err, 0);
        netsock_tcp_stream_close(c);
        netsock_tcp_stream_close(s);
}
END_TEST

START_TEST(peer_and_local_addr_match_both_ends) {
        struct netsock_tcp_listener *l;
        struct netsock_tcp_stream *c = NULL, *s = NULL;
        struct netsock_addr la, cpeer, clocal, speer, slocal, accepted;
        char text[NETSOCK_ADDRSTRLEN];

        l = ns_tcp_listen("127.0.0.1:0", 0, &la);
        ck_assert_int_eq(netsock_tcp_stream_connect(&la, 0, &c), 0);
        ck_assert_int_eq(netsock_tcp_listener_accept(l, 0, &s, &accepted), 0);
        ck_assert_int_eq(netsock_tcp_stream_peer_addr(c, &cpeer), 0);
        ck_assert(netsock_addr_equal(&cpeer, &la));
        ck_assert_int_eq(netsock_tcp_stream_local_addr(c, &clocal), 0);
        ck_assert_int_eq(netsock_tcp_stream_peer_addr(s, &speer), 0);
        ck_assert(netsock_addr_equal(&clocal, &speer));
        ck_assert(netsock_addr_equal(&clocal, &accepted));
        ck_assert_int_eq(netsock_tcp_stream_local_addr(s, &slocal), 0);
        ck_assert(netsock_addr_equal(&slocal, &la));
        ck_assert_int_ge(netsock_addr_format(&clocal, text, sizeof(text)), 0);
        ck_assert_msg(strncmp(text, "127.0.0.1:", 10) == 0, "local %s", text);
        ck_assert_int_ne(netsock_addr_port(&clocal), netsock_addr_port(&la));
        ck_assert_int_eq(netsock_tcp_stream_peer_addr(c, NULL), -EINVAL);
        ck_assert_int_eq(netsock_tcp_stream_local_addr(NULL, &clocal), -EINVAL);
        netsock_tcp_stream_close(c);
        netsock_tcp_stream_close(s);
        netsock_tcp_listener_close(l);
}
END_TEST

START_TEST(read_timeout_makes_blocking_recv_eagain) {
        struct netsock_tcp_stream *c, *s;
        unsigned ms = 0;
        long long t0, el;
        char buf[4];

        ns_tcp_pair("127.0.0.1:0", &c, &s);
        ck_assert_int_eq(netsock_tcp_stream_read_timeout(c, &ms), 0);
        ck_assert_uint_eq(ms, 0);
        ck_assert_int_eq(netsock_tcp_stream_set_read_timeout(c, 100), 0);
        ck_assert_int_eq(netsock_tcp_stream_read_timeout(c, &ms), 0);
        /* Kept in clock ticks: read back rounded up to a whole tick. */
        ck_assert_msg(ms >= 100 && ms <= 120, "read timeout %u", ms);
        t0 = ns_now_ms();
        ck_assert_int_eq(netsock_tcp_stream_recv(c, buf, sizeof(buf)), -EAGAIN);
        el = ns_elapsed_ms(t0);
        ck_assert_msg(el >= 80 && el <= 1000, "elapsed %lld ms", el);
        ck_assert_int_eq(netsock_tcp_stream_set_read_timeout(c, 0), 0);
        ck_assert_int_eq(netsock_tcp_stream_read_timeout(c, &ms), 0);
        ck_assert_uint_eq(ms, 0);
        ck_assert_int_eq(netsock_tcp_stream_set_write_timeout(c, 250), 0);
        ck_assert_int_eq(netsock_tcp_stream_write_timeout(c, &ms), 0);
        ck_assert_msg(ms >= 250 && ms <= 270, "write timeout %u", ms);
        netsock_tcp_stream_close(c);
        netsock_tcp_stream_close(s);
}
END_TEST

static Suite *make(void) {
        Suite *s = suite_create("tcp_stream");
        TCase *tc;

        tc = ns_tcase(s, "connect");
        tcase_add_test(tc, connect_blocking_connects_to_listener);
        tcase_add_test(tc, connect_blocking_v6_connects_to_listener);
        tcase_add_test(tc, connect_blocking_to_closed_port_is_econnrefused);
        tcase_add_test(tc, connect_rejects_bad_arguments);
        tcase_add_test(tc, connect_nonblocking_returns_at_once_then_finish_connect_is_0);
        tcase_add_test(tc, connect_nonblocking_to_closed_port_finish_connect_is_econnrefused);
        tcase_add_test(tc, take_error_reports_refused_nonblocking_connect);
        tcase_add_test(tc, finish_connect_is_einprogress_while_pending);
        tcase_add_test(tc, connect_timeout_to_full_backlog_is_etimedout);
        tcase_add_test(tc, connect_timeout_zero_is_einval);
        tcase_add_test(tc, connect_blocking_resumes_after_eintr);
        tcase_add_test(tc, connect_timeout_connects_and_keeps_blocking_mode);

        tc = ns_tcase(s, "data");
        tcase_add_test(tc, send_and_recv_move_exact_bytes);
        tcase_add_test(tc, send_vectored_sends_three_iovecs_in_order);
        tcase_add_test(tc, recv_vectored_fills_iovecs_in_order);
        tcase_add_test(tc, send_all_sends_every_byte);
        tcase_add_test(tc, recv_exact_receives_1mib_from_a_slow_sender);
        tcase_add_test(tc, send_all_sends_1mib_to_a_slow_reader);
        tcase_add_test(tc, recv_exact_returns_short_count_at_eof);
        tcase_add_test(tc, recv_exact_with_read_timeout_keeps_partial_data);
        tcase_add_test(tc, peek_leaves_data_queued);
        tcase_add_test(tc, shutdown_write_gives_peer_eof_and_keeps_reading);
        tcase_add_test(tc, send_to_peer_closed_with_rst_is_error_without_sigpipe);
        tcase_add_test(tc, send_to_peer_that_closed_is_epipe_without_sigpipe);

        tc = ns_tcase(s, "options");
        tcase_add_test(tc, nodelay_reads_back);
        tcase_add_test(tc, buffer_sizes_read_back_at_least_the_request);
        tcase_add_test(tc, keepalive_reads_back);
        tcase_add_test(tc, keepalive_params_read_back_and_0_leaves_one_unchanged);
        tcase_add_test(tc, keepalive_params_failure_changes_nothing);
        tcase_add_test(tc, ttl_reads_back);
        tcase_add_test(tc, ttl_reads_back_on_v6);
        tcase_add_test(tc, only_v6_on_connected_v6_stream);
        tcase_add_test(tc, only_v6_set_true_reads_true_on_unbound_v6_stream);
        tcase_add_test(tc, only_v6_on_v4_stream_is_eafnosupport);
        tcase_add_test(tc, linger_reads_back);
        tcase_add_test(tc, user_timeout_reads_back);

        tc = ns_tcase(s, "common");
        tcase_add_test(tc, from_fd_keeps_blocking_mode_both_ways);
        tcase_add_test(tc, from_fd_rejects_what_is_not_a_tcp_stream);
        tcase_add_test(tc, into_fd_hands_over_the_fd);
        tcase_add_test(tc, try_clone_shares_the_connection);
        tcase_add_test(tc, take_error_is_0_on_a_healthy_stream);
        tcase_add_test(tc, peer_and_local_addr_match_both_ends);
        tcase_add_test(tc, read_timeout_makes_blocking_recv_eagain);
        return s;
}

NS_TEST_MAIN(make)
