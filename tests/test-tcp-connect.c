/* SPDX-License-Identifier: MIT */
/*
 * Racing connects and connecting by name (API.md §14):
 * netsock_tcp_stream_connect_any and netsock_tcp_stream_connect_host, on
 * loopback only.  An attempt that hangs is a connect to a listener whose
 * accept queue is full (its SYN is dropped); an attempt that fails fast is
 * a connect to a port nobody listens on.  Timing bounds are generous: the
 * lower bound proves the wait happened, the upper one only that it ended.
 */
#include "config.h"
#include "common.h"

#include <poll.h>
#include <stdio.h>
#include <string.h>

/* Asserts that c is connected to the listener whose address is to. */
static void assert_connected_to(struct netsock_tcp_stream *c, const struct netsock_addr *to) {
        struct netsock_addr peer;

        ck_assert_int_eq(netsock_tcp_stream_peer_addr(c, &peer), 0);
        ck_assert(netsock_addr_equal(&peer, to));
}

static bool stream_is_nonblocking(const struct netsock_tcp_stream *c) {
        bool nb = false;

        ck_assert_int_eq(netsock_tcp_stream_is_nonblocking(c, &nb), 0);
        ck_assert(nb == ns_fd_has_nonblock(netsock_tcp_stream_fd(c)));
        return nb;
}

/* A race of two: addrs[0] hangs (its SYN is dropped by a full accept
 * queue), addrs[1] is a live listener. */
struct race {
        struct ns_full_listener f;
        struct netsock_tcp_listener *live;
        struct netsock_addr addrs[2];
};

static void race_open(struct race *r) {
        ns_full_listener_open(&r->f);
        r->live = ns_tcp_listen("127.0.0.1:0", 0, &r->addrs[1]);
        r->addrs[0] = r->f.addr;
}

static void race_close(struct race *r) {
        netsock_tcp_listener_close(r->live);
        ns_full_listener_close(&r->f);
}

/* Runs connect_any over the race with delay_ms; asserts that the live
 * address won in [min_ms, max_ms] and returns the stream. */
static struct netsock_tcp_stream *race_run(struct race *r, unsigned delay_ms, long long min_ms, long long max_ms) {
        struct netsock_tcp_stream *c = NULL;
        long long t0 = ns_now_ms(), el;

        ck_assert_int_eq(netsock_tcp_stream_connect_any(r->addrs, 2, delay_ms, 0, 0, &c), 0);
        el = ns_elapsed_ms(t0);
        ck_assert_msg(el >= min_ms && el <= max_ms, "elapsed %lld ms", el);
        assert_connected_to(c, &r->addrs[1]);
        return c;
}

/* ---- connect_any -------------------------------------------------------------- */

START_TEST(connect_any_live_address_wins_after_one_attempt_delay) {
        struct race r;
        struct netsock_tcp_stream *c;

        race_open(&r);
        c = race_run(&r, 100, 90, 1500);
        ck_assert(!stream_is_nonblocking(c));
        netsock_tcp_stream_close(c);
        race_close(&r);
}
END_TEST

START_TEST(connect_any_hanging_only_times_out) {
        struct ns_full_listener f;
        struct netsock_tcp_stream *c = NS_SENTINEL(netsock_tcp_stream);
        long long t0, el;

        ns_full_listener_open(&f);
        t0 = ns_now_ms();
        ck_assert_int_eq(netsock_tcp_stream_connect_any(&f.addr, 1, 100, 300, 0, &c), -ETIMEDOUT);
        el = ns_elapsed_ms(t0);
        ck_assert_msg(el >= 290 && el <= 1500, "elapsed %lld ms", el);
        ck_assert_ptr_eq(c, NS_SENTINEL(netsock_tcp_stream));
        ns_full_listener_close(&f);
}
END_TEST

START_TEST(connect_any_all_refused_is_econnrefused_without_waiting_the_delay) {
        struct netsock_addr addrs[3];
        struct netsock_tcp_stream *c = NS_SENTINEL(netsock_tcp_stream);
        long long t0, el;

        addrs[0] = ns_tcp_closed_port();
        addrs[1] = ns_tcp_closed_port();
        addrs[2] = ns_tcp_closed_port();
        t0 = ns_now_ms();
        /* A failed attempt starts the next one at once: three refusals take
         * far less than one 5 s attempt delay. */
        ck_assert_int_eq(netsock_tcp_stream_connect_any(addrs, 3, 5000, 0, 0, &c), -ECONNREFUSED);
        el = ns_elapsed_ms(t0);
        ck_assert_msg(el <= 2500, "elapsed %lld ms", el);
        ck_assert_ptr_eq(c, NS_SENTINEL(netsock_tcp_stream));
}
END_TEST

START_TEST(connect_any_refused_then_live_connects_at_once) {
        struct netsock_addr live, addrs[2];
        struct netsock_tcp_listener *l = ns_tcp_listen("127.0.0.1:0", 0, &live);
        struct netsock_tcp_stream *c = NULL;
        long long t0, el;

        addrs[0] = ns_tcp_closed_port();
        addrs[1] = live;
        t0 = ns_now_ms();
        ck_assert_int_eq(netsock_tcp_stream_connect_any(addrs, 2, 5000, 0, NETSOCK_NONBLOCK, &c), 0);
        el = ns_elapsed_ms(t0);
        ck_assert_msg(el <= 2500, "elapsed %lld ms", el);
        assert_connected_to(c, &live);
        ck_assert(stream_is_nonblocking(c));
        ck_assert(ns_fd_has_cloexec(netsock_tcp_stream_fd(c)));
        netsock_tcp_stream_close(c);
        netsock_tcp_listener_close(l);
}
END_TEST

START_TEST(connect_any_resumes_after_eintr) {
        struct race r;
        struct netsock_tcp_stream *c;

        race_open(&r);
        ns_arm_alarm(20, 20);
        c = race_run(&r, 200, 180, 2000);
        ns_disarm_alarm();
        ck_assert_int_ge(ns_alarms(), 2);
        netsock_tcp_stream_close(c);
        race_close(&r);
}
END_TEST

START_TEST(connect_any_rejects_bad_arguments) {
        struct netsock_addr addrs[2], unix_addr;
        struct netsock_tcp_stream *c = NS_SENTINEL(netsock_tcp_stream);

        addrs[0] = ns_tcp_closed_port();
        ck_assert_int_eq(netsock_addr_unix(&unix_addr, "/nonexistent"), 0);
        addrs[1] = unix_addr;
        ck_assert_int_eq(netsock_tcp_stream_connect_any(addrs, 2, 0, 0, 0, &c), -EINVAL);
        ck_assert_int_eq(netsock_tcp_stream_connect_any(addrs, 0, 0, 0, 0, &c), -EINVAL);
        ck_assert_int_eq(netsock_tcp_stream_connect_any(NULL, 1, 0, 0, 0, &c), -EINVAL);
        ck_assert_int_eq(netsock_tcp_stream_connect_any(addrs, 1, 0, 0, 0x100, &c), -EINVAL);
        ck_assert_int_eq(netsock_tcp_stream_connect_any(addrs, 1, 0, 0, 0, NULL), -EINVAL);
        ck_assert_ptr_eq(c, NS_SENTINEL(netsock_tcp_stream));
}
END_TEST

/* ---- connect_host ---------------------------------------------------------------- */

/* Listeners on 127.0.0.1:P and, where the host has IPv6, [::1]:P for one
 * port P (retrying when another process holds P on [::1]), so that
 * "localhost" reaches us whichever address the resolver lists first. */
static unsigned loopback_listeners(struct netsock_tcp_listener **l4, struct netsock_tcp_listener **l6) {
        int tries;

        *l6 = NULL;
        for (tries = 0; tries < 20; tries++) {
                struct netsock_addr a4, a6;
                char text[64];
                int r;

                *l4 = ns_tcp_listen("127.0.0.1:0", 0, &a4);
                if (!ns_have_ipv6())
                        return (unsigned) netsock_addr_port(&a4);
                snprintf(text, sizeof(text), "[::1]:%d", netsock_addr_port(&a4));
                a6 = ns_parse_addr(text);
                r = netsock_tcp_listener_bind(&a6, 0, l6);
                if (r == 0)
                        return (unsigned) netsock_addr_port(&a4);
                ck_assert_int_eq(r, -EADDRINUSE);
                netsock_tcp_listener_close(*l4);
        }
        ck_abort_msg("no port free on both 127.0.0.1 and [::1]");
        return 0;
}

START_TEST(connect_host_localhost_works_on_loopback) {
        struct netsock_tcp_listener *l4 = NULL, *l6 = NULL;
        struct netsock_tcp_stream *c = NULL;
        struct netsock_addr peer;
        char port[16];
        unsigned p = loopback_listeners(&l4, &l6);

        snprintf(port, sizeof(port), "%u", p);
        ck_assert_int_eq(netsock_tcp_stream_connect_host("localhost", port, 2000, 0, &c), 0);
        ck_assert_int_eq(netsock_tcp_stream_peer_addr(c, &peer), 0);
        ck_assert_uint_eq(netsock_addr_port(&peer), p);
        ck_assert(!stream_is_nonblocking(c));
        netsock_tcp_stream_close(c);
        netsock_tcp_listener_close(l4);
        netsock_tcp_listener_close(l6);
}
END_TEST

START_TEST(connect_host_numeric_address_and_port) {
        struct netsock_addr live;
        struct netsock_tcp_listener *l = ns_tcp_listen("127.0.0.1:0", 0, &live);
        struct netsock_tcp_stream *c = NULL;
        char port[16];

        snprintf(port, sizeof(port), "%d", netsock_addr_port(&live));
        ck_assert_int_eq(netsock_tcp_stream_connect_host("127.0.0.1", port, 0, NETSOCK_NONBLOCK, &c), 0);
        assert_connected_to(c, &live);
        ck_assert(stream_is_nonblocking(c));
        netsock_tcp_stream_close(c);
        netsock_tcp_listener_close(l);
}
END_TEST

START_TEST(connect_host_refused_is_the_connect_error) {
        struct netsock_addr closed = ns_tcp_closed_port();
        struct netsock_tcp_stream *c = NS_SENTINEL(netsock_tcp_stream);
        char port[16];

        snprintf(port, sizeof(port), "%d", netsock_addr_port(&closed));
        ck_assert_int_eq(netsock_tcp_stream_connect_host("127.0.0.1", port, 0, 0, &c), -ECONNREFUSED);
        ck_assert_ptr_eq(c, NS_SENTINEL(netsock_tcp_stream));
}
END_TEST

START_TEST(connect_host_unknown_service_is_eai_service) {
        struct netsock_tcp_stream *c = NS_SENTINEL(netsock_tcp_stream);

        ck_assert_int_eq(netsock_tcp_stream_connect_host("localhost", "no-such-service-xyz", 0, 0, &c), NETSOCK_EAI_SERVICE);
        ck_assert_str_eq(netsock_errname(NETSOCK_EAI_SERVICE), "EAI_SERVICE");
        ck_assert_ptr_eq(c, NS_SENTINEL(netsock_tcp_stream));
}
END_TEST

START_TEST(connect_host_unknown_name_is_eai_noname_or_eai_again) {
        struct netsock_tcp_stream *c = NS_SENTINEL(netsock_tcp_stream);
        int r;

        /* .invalid never exists (RFC 6761).  A resolver that can ask a
         * name server gets "no such name" (EAI_NONAME); one that cannot
         * reach its configured server may only say "try again"
         * (EAI_AGAIN), which is just as true.  Both are correct; nothing
         * else is. */
        r = netsock_tcp_stream_connect_host("nonexistent.invalid", "80", 0, 0, &c);
        ck_assert_msg(r == NETSOCK_EAI_NONAME || r == NETSOCK_EAI_AGAIN, "got %d (%s)", r, netsock_errname(r));
        ck_assert_ptr_eq(c, NS_SENTINEL(netsock_tcp_stream));
}
END_TEST

START_TEST(connect_host_rejects_bad_arguments) {
        struct netsock_tcp_stream *c = NS_SENTINEL(netsock_tcp_stream);

        ck_assert_int_eq(netsock_tcp_stream_connect_host(NULL, "80", 0, 0, &c), -EINVAL);
        ck_assert_int_eq(netsock_tcp_stream_connect_host("localhost", NULL, 0, 0, &c), -EINVAL);
        ck_assert_int_eq(netsock_tcp_stream_connect_host("localhost", "80", 0, 0x100, &c), -EINVAL);
        ck_assert_int_eq(netsock_tcp_stream_connect_host("localhost", "80", 0, 0, NULL), -EINVAL);
        ck_assert_ptr_eq(c, NS_SENTINEL(netsock_tcp_stream));
}
END_TEST

static Suite *make(void) {
        Suite *s = suite_create("tcp_connect");
        TCase *tc;

        tc = ns_tcase(s, "connect_any");
        tcase_add_test(tc, connect_any_live_address_wins_after_one_attempt_delay);
        tcase_add_test(tc, connect_any_hanging_only_times_out);
        tcase_add_test(tc, connect_any_all_refused_is_econnrefused_without_waiting_the_delay);
        tcase_add_test(tc, connect_any_refused_then_live_connects_at_once);
        tcase_add_test(tc, connect_any_resumes_after_eintr);
        tcase_add_test(tc, connect_any_rejects_bad_arguments);

        tc = ns_tcase(s, "connect_host");
        tcase_add_test(tc, connect_host_localhost_works_on_loopback);
        tcase_add_test(tc, connect_host_numeric_address_and_port);
        tcase_add_test(tc, connect_host_refused_is_the_connect_error);
        tcase_add_test(tc, connect_host_unknown_service_is_eai_service);
        tcase_add_test(tc, connect_host_unknown_name_is_eai_noname_or_eai_again);
        tcase_add_test(tc, connect_host_rejects_bad_arguments);
        return s;
}

NS_TEST_MAIN(make)
