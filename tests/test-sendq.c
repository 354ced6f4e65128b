/* SPDX-License-Identifier: MIT */
/*
 * Queued sends (API.md §15), for both stream types: every case is a loop
 * test, run once on a unix_stream pair (_i == 0) and once on a TCP pair
 * over loopback (_i == 1).  The sender is nonblocking with small kernel
 * buffers, and the peer reads nothing until the test lets it, so the bytes
 * really queue; every byte that arrives is checked against the pattern, so
 * a lost, doubled or reordered byte fails the test.
 */
#include "config.h"
#include "common.h"
#include "internal.h"

#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define LIMIT NS_SENDQ_DEFAULT_LIMIT   /* 4 MiB, the documented default */
#define TOTAL ((size_t) 8 * NS_MIB)

/* ---- one pair of either type: a is the sender, b the receiver ------------------ */

struct qp {
        bool tcp;
        struct netsock_unix_stream *ua, *ub;
        struct netsock_tcp_stream *ta, *tb;
};

static unsigned char *pattern;   /* TOTAL pattern bytes */

static void pattern_setup(void) {
        pattern = malloc(TOTAL);
        ck_assert_ptr_nonnull(pattern);
        ns_fill_pattern(pattern, TOTAL);
}

static void pattern_teardown(void) {
        free(pattern);
        pattern = NULL;
}

static int fd_a(const struct qp *p) {
        return p->tcp ? netsock_tcp_stream_fd(p->ta) : netsock_unix_stream_fd(p->ua);
}

static int fd_b(const struct qp *p) {
        return p->tcp ? netsock_tcp_stream_fd(p->tb) : netsock_unix_stream_fd(p->ub);
}

/* The sender's core handle, to see what the library allocated. */
static const struct ns_sock *sk_a(const struct qp *p) {
        return p->tcp ? (const struct ns_sock *) (const void *) p->ta : (const struct ns_sock *) (const void *) p->ua;
}

static void set_nonblocking_a(const struct qp *p, bool on) {
        ck_assert_int_eq(p->tcp ? netsock_tcp_stream_set_nonblocking(p->ta, on) : netsock_unix_stream_set_nonblocking(p->ua, on), 0);
}

/* A connected pair, the sender nonblocking, both kernel buffers small so
 * that a few hundred KiB fill them. */
static void qp_open(struct qp *p, int type) {
        int small = 32 * 1024;

        memset(p, 0, sizeof(*p));
        p->tcp = type == 1;
        if (p->tcp)
                ns_tcp_pair("127.0.0.1:0", &p->ta, &p->tb);
        else
                ck_assert_int_eq(netsock_unix_stream_pair(0, &p->ua, &p->ub), 0);
        ck_assert_int_eq(setsockopt(fd_a(p), SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)), 0);
        ck_assert_int_eq(setsockopt(fd_b(p), SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)), 0);
        set_nonblocking_a(p, true);
}

static void close_a(struct qp *p) {
        if (p->tcp)
                netsock_tcp_stream_close(p->ta);
        else
                netsock_unix_stream_close(p->ua);
        p->ta = NULL;
        p->ua = NULL;
}

static void close_b(struct qp *p) {
        if (p->tcp)
                netsock_tcp_stream_close(p->tb);
        else
                netsock_unix_stream_close(p->ub);
        p->tb = NULL;
        p->ub = NULL;
}

static ssize_t send_queued(const struct qp *p, const void *buf, size_t len) {
        return p->tcp ? netsock_tcp_stream_send_queued(p->ta, buf, len) : netsock_unix_stream_send_queued(p->ua, buf, len);
}

static int flush(const struct qp *p) {
        return p->tcp ? netsock_tcp_stream_flush(p->ta) : netsock_unix_stream_flush(p->ua);
}

static size_t queued(const struct qp *p) {
        return p->tcp ? netsock_tcp_stream_queued(p->ta) : netsock_unix_stream_queued(p->ua);
}

static int set_limit(const struct qp *p, size_t bytes) {
        return p->tcp ? netsock_tcp_stream_set_send_queue_limit(p->ta, bytes) : netsock_unix_stream_set_send_queue_limit(p->ua, bytes);
}

static ssize_t plain_send(const struct qp *p, const void *buf, size_t len) {
        return p->tcp ? netsock_tcp_stream_send(p->ta, buf, len) : netsock_unix_stream_send(p->ua, buf, len);
}

/* Chunk sizes that are no multiple of anything the kernel uses. */
static const size_t sizes[] = { 1, 4093, 65536, 7, 300001, 12345, NS_MIB + 3, 511, 131072, 2 };
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

/* Offers pattern bytes from *off in varying chunks, each taken whole, until
 * at least `want` bytes wait in the queue. */
static void queue_until(const struct qp *p, size_t *off, size_t want) {
        size_t k = 0;

        while (queued(p) < want) {
                size_t len = sizes[k++ % NSIZES];

                ck_assert_uint_lt(*off + len, TOTAL);
                ck_assert_int_eq(send_queued(p, pattern + *off, len), (ssize_t) len);
                *off += len;
        }
}

/* Waits (bounded) until the sender is writable again. */
static void wait_writable(const struct qp *p) {
        ck_assert_int_ne(ns_poll_fd(fd_a(p), POLLOUT, 10000), 0);
}

/* Receives what b has now, checking it is pattern bytes *got onward. */
static void recv_and_check(const struct qp *p, size_t *got) {
        static unsigned char buf[65536];
        ssize_t n;

        n = p->tcp ? netsock_tcp_stream_recv(p->tb, buf, sizeof(buf)) : netsock_unix_stream_recv(p->ub, buf, sizeof(buf));
        if (n == -EAGAIN)
                return;
        ck_assert_int_gt(n, 0);
        ck_assert_uint_le(*got + (size_t) n, TOTAL);
        if (memcmp(buf, pattern + *got, (size_t) n) != 0)
                ck_abort_msg("bytes %zu..%zu are not the pattern", *got, *got + (size_t) n);
        *got += (size_t) n;
}

/* Receives and checks until `want` bytes in all arrived (bounded wait). */
static void recv_until(const struct qp *p, size_t *got, size_t want) {
        while (*got < want) {
                if (ns_poll_fd(fd_b(p), POLLIN, 10000) == 0)
                        ck_abort_msg("nothing to read with %zu of %zu received", *got, want);
                recv_and_check(p, got);
        }
        ck_assert_uint_eq(*got, want);
}

/* Flushes while b reads, until the queue is empty (flush 0) and b has
 * received `want` pattern bytes in all. */
static void drain(const struct qp *p, size_t *got, size_t want) {
        int r;

        while ((r = flush(p)) == -EAGAIN) {
                ck_assert_int_ne(ns_poll_fd(fd_b(p), POLLIN, 10000), 0);
                recv_and_check(p, got);
        }
        ck_assert_int_eq(r, 0);
        recv_until(p, got, want);
}

/* Every plain send is -EBUSY while the queue holds data. */
static void assert_plain_sends_busy(const struct qp *p) {
        struct iovec iov = { (void *) "x", 1 };
        int fd = fd_b(p);

        if (p->tcp) {
                ck_assert_int_eq(netsock_tcp_stream_send(p->ta, "x", 1), -EBUSY);
                ck_assert_int_eq(netsock_tcp_stream_send_vectored(p->ta, &iov, 1), -EBUSY);
                ck_assert_int_eq(netsock_tcp_stream_send_all(p->ta, "x", 1), -EBUSY);
        } else {
                struct netsock_ancillary anc;

                memset(&anc, 0, sizeof(anc));
                anc.fds = &fd;
                anc.nfds = 1;
                anc.pidfd = -1;
                ck_assert_int_eq(netsock_unix_stream_send(p->ua, "x", 1), -EBUSY);
                ck_assert_int_eq(netsock_unix_stream_send_vectored(p->ua, &iov, 1), -EBUSY);
                ck_assert_int_eq(netsock_unix_stream_send_all(p->ua, "x", 1), -EBUSY);
                ck_assert_int_eq(netsock_unix_stream_send_fds(p->ua, "x", 1, &fd, 1), -EBUSY);
                ck_assert_int_eq(netsock_unix_stream_send_ancillary(p->ua, &iov, 1, &anc), -EBUSY);
        }
}

/* ---- tests ------------------------------------------------------------------- */

START_TEST(send_queued_with_room_sends_at_once_and_allocates_nothing) {
        struct qp p;
        size_t got = 0;

        qp_open(&p, _i);
        ck_assert_int_eq(send_queued(&p, pattern, 1000), 1000);
        ck_assert_uint_eq(queued(&p), 0);
        ck_assert_ptr_null(sk_a(&p)->q);
        /* Nothing waits: the plain sends go on, in order after it. */
        ck_assert_int_eq(plain_send(&p, pattern + 1000, 24), 24);
        ck_assert_int_eq(flush(&p), 0);
        recv_until(&p, &got, 1024);
        close_a(&p);
        close_b(&p);
}
END_TEST

START_TEST(plain_sends_allocate_nothing) {
        struct qp p;

        qp_open(&p, _i);
        ck_assert_int_eq(plain_send(&p, "abc", 3), 3);
        /* The default limit needs no queue either. */
        ck_assert_int_eq(set_limit(&p, LIMIT), 0);
        ck_assert_int_eq(send_queued(&p, "", 0), 0);
        ck_assert_ptr_null(sk_a(&p)->q);
        ck_assert_uint_eq(queued(&p), 0);
        close_a(&p);
        close_b(&p);
}
END_TEST

START_TEST(bad_arguments_are_einval) {
        struct qp p;

        qp_open(&p, _i);
        if (p.tcp) {
                ck_assert_int_eq(netsock_tcp_stream_send_queued(NULL, "x", 1), -EINVAL);
                ck_assert_int_eq(netsock_tcp_stream_flush(NULL), -EINVAL);
                ck_assert_uint_eq(netsock_tcp_stream_queued(NULL), 0);
                ck_assert_int_eq(netsock_tcp_stream_set_send_queue_limit(NULL, 10), -EINVAL);
        } else {
                ck_assert_int_eq(netsock_unix_stream_send_queued(NULL, "x", 1), -EINVAL);
                ck_assert_int_eq(netsock_unix_stream_flush(NULL), -EINVAL);
                ck_assert_uint_eq(netsock_unix_stream_queued(NULL), 0);
                ck_assert_int_eq(netsock_unix_stream_set_send_queue_limit(NULL, 10), -EINVAL);
        }
        ck_assert_int_eq(send_queued(&p, NULL, 1), -EINVAL);
        ck_assert_int_eq(send_queued(&p, pattern, (size_t) SSIZE_MAX + 1), -EINVAL);
        ck_assert_int_eq(set_limit(&p, 0), -EINVAL);
        ck_assert_int_eq(flush(&p), 0);
        ck_assert_uint_eq(queued(&p), 0);
        close_a(&p);
        close_b(&p);
}
END_TEST

/* The whole story of §15 on 8 MiB: queue until the limit refuses, exactly
 * at the limit; -EBUSY from every plain send; -EAGAIN from flush while the
 * peer reads nothing; then a reader drains it all and checks every byte. */
START_TEST(eight_mib_in_order_through_a_peer_that_stops_reading) {
        struct ns_trickle t = { TOTAL, 65536, 0, 0, 0, NULL };
        struct qp p;
        size_t off = 0, k = 0, q;
        bool refused = false;
        pid_t pid;

        qp_open(&p, _i);
        for (;;) {
                size_t len = sizes[k++ % NSIZES];

                q = queued(&p);
                if (q + len > LIMIT)
                        break;
                ck_assert_int_eq(send_queued(&p, pattern + off, len), (ssize_t) len);
                off += len;
                ck_assert_uint_le(queued(&p), LIMIT);
        }
        /* One byte over the limit: refused, and nothing changed. */
        q = queued(&p);
        ck_assert_int_eq(send_queued(&p, pattern + off, LIMIT - q + 1), -ENOBUFS);
        ck_assert_uint_eq(queued(&p), q);
        /* Exactly up to the limit: taken whole. */
        ck_assert_int_eq(send_queued(&p, pattern + off, LIMIT - q), (ssize_t) (LIMIT - q));
        off += LIMIT - q;
        ck_assert_uint_le(queued(&p), LIMIT);
        ck_assert_uint_gt(queued(&p), LIMIT / 2);
        ck_assert_int_eq(send_queued(&p, pattern + off, LIMIT - queued(&p) + 1), -ENOBUFS);
        assert_plain_sends_busy(&p);
        ck_assert_int_eq(flush(&p), -EAGAIN);
        ck_assert_int_eq(flush(&p), -EAGAIN);

        /* Now the peer reads; the rest of the 8 MiB goes through the queue. */
        pid = ns_fork_pattern_reader(fd_b(&p), fd_a(&p), &t);
        close_b(&p);
        while (off < TOTAL) {
                size_t len = sizes[k++ % NSIZES];
                ssize_t r;

                if (len > TOTAL - off)
                        len = TOTAL - off;
                r = send_queued(&p, pattern + off, len);
                if (r == -ENOBUFS) {
                        refused = true;
                        wait_writable(&p);
                        r = flush(&p);
                        ck_assert(r == 0 || r == -EAGAIN);
                        continue;
                }
                ck_assert_int_eq(r, (ssize_t) len);
                off += len;
        }
        ck_assert(refused);
        while (flush(&p) == -EAGAIN)
                wait_writable(&p);
        ck_assert_uint_eq(queued(&p), 0);
        close_a(&p);
        ns_assert_child_ok(pid);
}
END_TEST

START_TEST(flush_is_eagain_until_drained_then_0) {
        struct qp p;
        size_t off = 0, got = 0;
        bool saw_eagain = false, drained = false;
        int r;

        qp_open(&p, _i);
        queue_until(&p, &off, 2 * NS_MIB);
        assert_plain_sends_busy(&p);
        while (got < off) {
                r = flush(&p);
                if (r == -EAGAIN) {
                        saw_eagain = true;
                        ck_assert(!drained);
                        ck_assert_uint_gt(queued(&p), 0);
                } else {
                        ck_assert_int_eq(r, 0);
                        ck_assert_uint_eq(queued(&p), 0);
                        drained = true;
                }
                if (ns_poll_fd(fd_b(&p), POLLIN, 10000) == 0)
                        ck_abort_msg("nothing to read with %zu of %zu received", got, off);
                recv_and_check(&p, &got);
        }
        ck_assert(saw_eagain);
        ck_assert(drained);
        ck_assert_uint_eq(got, off);
        ck_assert_int_eq(flush(&p), 0);
        /* Drained: the plain sends work again and follow in order. */
        ck_assert_int_eq(plain_send(&p, pattern + off, 5), 5);
        off += 5;
        recv_until(&p, &got, off);
        close_a(&p);
        close_b(&p);
}
END_TEST

/* With bytes queued and room in the socket, send_queued sends the queue
 * first and the new bytes after it (one vectored send), never before. */
START_TEST(send_queued_sends_the_queue_before_new_bytes) {
        struct qp p;
        size_t off = 0, got = 0, q;

        qp_open(&p, _i);
        queue_until(&p, &off, 300000);
        /* The peer reads what the kernel holds; nothing is flushed. */
        while (ns_poll_fd(fd_b(&p), POLLIN, 200) != 0)
                recv_and_check(&p, &got);
        wait_writable(&p);
        q = queued(&p);
        ck_assert_int_eq(send_queued(&p, pattern + off, 7), 7);
        off += 7;
        ck_assert_uint_lt(queued(&p), q);  /* the queue went out first */
        drain(&p, &got, off);
        close_a(&p);
        close_b(&p);
}
END_TEST

/* Queues 1 MiB, lets a slow reader start, makes the sender blocking and
 * flushes: 0 once the reader took everything, with SIGALRM every 10 ms
 * meanwhile if `signals` (they do not end it: it resumes like send_all). */
static void blocking_flush_case(int type, bool signals) {
        struct ns_trickle t = { 0, 16384, 4, 10, 100, NULL };
        struct qp p;
        size_t off = 0;
        pid_t pid;
        int r;

        qp_open(&p, type);
        queue_until(&p, &off, NS_MIB);
        t.len = off;
        pid = ns_fork_pattern_reader(fd_b(&p), fd_a(&p), &t);
        close_b(&p);
        set_nonblocking_a(&p, false);
        if (signals)
                ns_arm_alarm(10, 10);
        r = flush(&p);
        if (signals) {
                ns_disarm_alarm();
                ck_assert_int_gt(ns_alarms(), 0);
        }
        ck_assert_int_eq(r, 0);
        ck_assert_uint_eq(queued(&p), 0);
        close_a(&p);
        ns_assert_child_ok(pid);
}

START_TEST(blocking_flush_drains_to_a_slow_reader) {
        blocking_flush_case(_i, false);
}
END_TEST

START_TEST(blocking_flush_resumes_after_signals) {
        blocking_flush_case(_i, true);
}
END_TEST

/* A blocking send_queued that a signal interrupts keeps the rest queued
 * and still returns len: EINTR only means the socket took nothing more. */
START_TEST(blocking_send_queued_interrupted_by_a_signal_queues_the_rest) {
        struct ns_trickle t = { 0, 65536, 0, 0, 0, NULL };
        struct qp p;
        size_t off = 0;
        ssize_t n;
        pid_t pid;

        qp_open(&p, _i);
        while ((n = plain_send(&p, pattern + off, 4096)) > 0)
                off += (size_t) n;
        ck_assert_int_eq(n, -EAGAIN);
        set_nonblocking_a(&p, false);
        ns_arm_alarm(50, 0);
        ck_assert_int_eq(send_queued(&p, pattern + off, NS_MIB), NS_MIB);
        ns_disarm_alarm();
        ck_assert_int_eq(ns_alarms(), 1);
        ck_assert_uint_gt(queued(&p), 0);
        ck_assert_uint_le(queued(&p), NS_MIB);
        off += NS_MIB;
        t.len = off;
        pid = ns_fork_pattern_reader(fd_b(&p), fd_a(&p), &t);
        close_b(&p);
        ck_assert_int_eq(flush(&p), 0);
        close_a(&p);
        ns_assert_child_ok(pid);
}
END_TEST

/* On a blocking handle send_queued sends like send_all: when the queue
 * holds data, the one vectored send blocks until both went out. */
START_TEST(blocking_send_queued_sends_queue_then_buffer) {
        struct ns_trickle t = { 0, 16384, 8, 5, 50, NULL };
        struct qp p;
        size_t off = 0;
        pid_t pid;

        qp_open(&p, _i);
        queue_until(&p, &off, 256 * 1024);
        t.len = off + 300000;
        pid = ns_fork_pattern_reader(fd_b(&p), fd_a(&p), &t);
        close_b(&p);
        set_nonblocking_a(&p, false);
        ck_assert_int_eq(send_queued(&p, pattern + off, 300000), 300000);
        ck_assert_uint_eq(queued(&p), 0);
        close_a(&p);
        ns_assert_child_ok(pid);
}
END_TEST

static void assert_peer_gone(ssize_t r) {
        if (r != -EPIPE && r != -ECONNRESET)
                ck_abort_msg("expected -EPIPE or -ECONNRESET, got %zd (%s)", r, netsock_errname((int) r));
}

START_TEST(peer_close_makes_flush_and_send_queued_fail) {
        struct qp p;
        size_t off = 0, q;
        long long start;
        int r;

        ns_assert_sigpipe_is_fatal();
        qp_open(&p, _i);
        queue_until(&p, &off, 200000);
        close_b(&p);  /* with unread data: TCP answers with a reset */
        start = ns_now_ms();
        while ((r = flush(&p)) == -EAGAIN) {
                ck_assert_int_lt(ns_elapsed_ms(start), 10000);
                (void) ns_poll_fd(fd_a(&p), POLLOUT, 100);
        }
        assert_peer_gone(r);
        q = queued(&p);
        ck_assert_uint_gt(q, 0);
        assert_peer_gone(send_queued(&p, pattern + off, 10));
        ck_assert_uint_eq(queued(&p), q);  /* buf not taken */
        assert_peer_gone(flush(&p));
        close_a(&p);  /* drops the queue: the ASan build sees it freed */
}
END_TEST

START_TEST(peer_close_with_empty_queue_fails_send_queued) {
        struct qp p;

        ns_assert_sigpipe_is_fatal();
        qp_open(&p, _i);
        close_b(&p);
        if (p.tcp)  /* the first send after a FIN may still be taken: a reset answers it */
                (void) send_queued(&p, "x", 1);
        ns_sleep_ms(20);
        assert_peer_gone(send_queued(&p, pattern, 1000));
        ck_assert_uint_eq(queued(&p), 0);
        close_a(&p);
}
END_TEST

START_TEST(close_with_queued_data_frees_it) {
        struct qp p;
        size_t off = 0;

        qp_open(&p, _i);
        queue_until(&p, &off, NS_MIB);
        ck_assert_ptr_nonnull(sk_a(&p)->q);
        close_a(&p);
        close_b(&p);
}
END_TEST

START_TEST(into_fd_drops_the_queue) {
        struct qp p;
        size_t off = 0;
        int fd;

        qp_open(&p, _i);
        queue_until(&p, &off, NS_MIB);
        fd = p.tcp ? netsock_tcp_stream_into_fd(p.ta) : netsock_unix_stream_into_fd(p.ua);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(close(fd), 0);
        close_b(&p);
}
END_TEST

/* A limit below what is queued is allowed: those bytes stay and go out,
 * new ones are refused until the queue is below the limit again. */
START_TEST(lower_limit_refuses_until_the_queue_is_below_it) {
        struct qp p;
        size_t off = 0, got = 0, q;
        int r;

        qp_open(&p, _i);
        queue_until(&p, &off, 500000);
        q = queued(&p);
        ck_assert_int_eq(set_limit(&p, 1000), 0);
        ck_assert_uint_eq(queued(&p), q);
        ck_assert_int_eq(send_queued(&p, pattern + off, 1), -ENOBUFS);
        ck_assert_uint_eq(queued(&p), q);
        while ((r = flush(&p)) != 0) {
                ck_assert_int_eq(r, -EAGAIN);
                ck_assert_int_ne(ns_poll_fd(fd_b(&p), POLLIN, 10000), 0);
                recv_and_check(&p, &got);
        }
        ck_assert_int_eq(send_queued(&p, pattern + off, 1001), -ENOBUFS);
        ck_assert_int_eq(send_queued(&p, pattern + off, 1000), 1000);
        off += 1000;
        drain(&p, &got, off);
        close_a(&p);
        close_b(&p);
}
END_TEST

/* A raised limit lets the queue grow past the default. */
START_TEST(raised_limit_queues_more_than_the_default) {
        struct qp p;
        size_t off = 0;

        qp_open(&p, _i);
        ck_assert_int_eq(set_limit(&p, LIMIT + NS_MIB), 0);
        queue_until(&p, &off, LIMIT + 1);
        ck_assert_uint_le(queued(&p), LIMIT + NS_MIB);
        ck_assert_int_eq(send_queued(&p, pattern + off, LIMIT + NS_MIB - queued(&p) + 1), -ENOBUFS);
        close_a(&p);
        close_b(&p);
}
END_TEST

static Suite *make(void) {
        Suite *s = suite_create("sendq");
        TCase *tc;

        tc = ns_tcase(s, "sendq");
        tcase_add_unchecked_fixture(tc, pattern_setup, pattern_teardown);
        tcase_add_loop_test(tc, send_queued_with_room_sends_at_once_and_allocates_nothing, 0, 2);
        tcase_add_loop_test(tc, plain_sends_allocate_nothing, 0, 2);
        tcase_add_loop_test(tc, bad_arguments_are_einval, 0, 2);
        tcase_add_loop_test(tc, eight_mib_in_order_through_a_peer_that_stops_reading, 0, 2);
        tcase_add_loop_test(tc, flush_is_eagain_until_drained_then_0, 0, 2);
        tcase_add_loop_test(tc, send_queued_sends_the_queue_before_new_bytes, 0, 2);
        tcase_add_loop_test(tc, blocking_flush_drains_to_a_slow_reader, 0, 2);
        tcase_add_loop_test(tc, blocking_send_queued_sends_queue_then_buffer, 0, 2);
        tcase_add_loop_test(tc, blocking_flush_resumes_after_signals, 0, 2);
        tcase_add_loop_test(tc, blocking_send_queued_interrupted_by_a_signal_queues_the_rest, 0, 2);
        tcase_add_loop_test(tc, peer_close_makes_flush_and_send_queued_fail, 0, 2);
        tcase_add_loop_test(tc, peer_close_with_empty_queue_fails_send_queued, 0, 2);
        tcase_add_loop_test(tc, close_with_queued_data_frees_it, 0, 2);
        tcase_add_loop_test(tc, into_fd_drops_the_queue, 0, 2);
        tcase_add_loop_test(tc, lower_limit_refuses_until_the_queue_is_below_it, 0, 2);
        tcase_add_loop_test(tc, raised_limit_queues_more_than_the_default, 0, 2);
        return s;
}

NS_TEST_MAIN(make)
