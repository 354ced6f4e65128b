/* SPDX-License-Identifier: MIT */
/*
 * Readiness polling (API.md §9): registration, the readiness bits of real
 * TCP events on loopback, level/edge/oneshot, wake-ups, EINTR, and mio's
 * nonblocking echo example driven only by netsock_poll_wait.
 */
#include "config.h"
#include "common.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>


/* ---- helpers ------------------------------------------------------------- */

static int sfd(const struct netsock_tcp_stream *s) {
        return netsock_tcp_stream_fd(s);
}

static struct netsock_poll *poll_new(void) {
        struct netsock_poll *p = NULL;

        ck_assert_int_eq(netsock_poll_new(&p), 0);
        ck_assert_ptr_nonnull(p);
        return p;
}

/* One wait; asserts exactly one event and returns it. */
static struct netsock_event wait_one(struct netsock_poll *p, int timeout_ms) {
        struct netsock_event ev[8];
        int n;

        memset(ev, 0, sizeof(ev));
        n = netsock_poll_wait(p, ev, 8, timeout_ms);
        ck_assert_int_eq(n, 1);
        return ev[0];
}

/* One wait gives exactly one event: token, with exactly the bits ready. */
static void assert_one_event(struct netsock_poll *p, int timeout_ms, uint64_t token, unsigned ready) {
        struct netsock_event ev = wait_one(p, timeout_ms);

        ck_assert(ev.token == token);
        ck_assert_uint_eq(ev.ready, ready);
}

static int wait_count(struct netsock_poll *p, int timeout_ms) {
        struct netsock_event ev[8];

        return netsock_poll_wait(p, ev, 8, timeout_ms);
}

/* ---- new / close / fd ----------------------------------------------------- */

START_TEST(new_gives_cloexec_epoll_fd) {
        struct netsock_poll *p = poll_new();
        int fd = netsock_poll_fd(p);

        ck_assert_int_ge(fd, 0);
        ck_assert(ns_fd_has_cloexec(fd));
        ck_assert(ns_fd_is_anon(fd, "anon_inode:[eventpoll]"));
        netsock_poll_close(p);
        ck_assert(!ns_fd_is_open(fd));
        netsock_poll_close(NULL);
        ck_assert_int_eq(netsock_poll_new(NULL), -EINVAL);
        ck_assert_int_eq(netsock_poll_fd(NULL), -EINVAL);
}
END_TEST

START_TEST(close_leaves_registered_fds_open) {
        struct netsock_tcp_stream *c, *s;
        struct netsock_poll *p = poll_new();

        ns_tcp_pair("127.0.0.1:0", &c, &s);
        ck_assert_int_eq(netsock_poll_register(p, sfd(s), 1, NETSOCK_READABLE, NETSOCK_LEVEL), 0);
        netsock_poll_close(p);
        ck_assert(ns_fd_is_open(sfd(s)));
        ck_assert_int_eq(netsock_tcp_stream_send(c, "x", 1), 1);
        {
                char b;

                ck_assert_int_eq(netsock_tcp_stream_recv(s, &b, 1), 1);
                ck_assert_int_eq(b, 'x');
        }
        netsock_tcp_stream_close(c);
        netsock_tcp_stream_close(s);
}
END_TEST

/* ---- readiness -------------------------------------------------------------- */

START_TEST(readable_event_carries_token_when_data_arrives) {
        struct netsock_tcp_stream *c, *s;
        struct netsock_poll *p = poll_new();
        const uint64_t tok = UINT64_C(0x123456789abcdef0);

        ns_tcp_pair("127.0.0.1:0", &c, &s);
        ck_assert_int_eq(netsock_poll_register(p, sfd(s), tok, NETSOCK_READABLE, NETSOCK_LEVEL), 0);
        ck_assert_int_eq(wait_count(p, 0), 0);
        ck_assert_int_eq(netsock_tcp_stream_send(c, "data", 4), 4);
        assert_one_event(p, 2000, tok, NETSOCK_READABLE);
        netsock_poll_close(p);
        netsock_tcp_stream_close(c);
        netsock_tcp_stream_close(s);
}
END_TEST

START_TEST(writable_event_on_fresh_connected_socket) {
        struct netsock_tcp_stream *c, *s;
        struct netsock_poll *p = poll_new();

        ns_tcp_pair("127.0.0.1:0", &c, &s);
        ck_assert_int_eq(netsock_poll_register(p, sfd(c), 9, NETSOCK_WRITABLE, NETSOCK_LEVEL), 0);
        assert_one_event(p, 2000, 9, NETSOCK_WRITABLE);
        /* Both interests: only what is ready is reported. */
        ck_assert_int_eq(netsock_poll_reregister(p, sfd(c), 10, NETSOCK_READABLE | NETSOCK_WRITABLE, NETSOCK_LEVEL), 0);
        assert_one_event(p, 2000, 10, NETSOCK_WRITABLE);
        netsock_poll_close(p);
        netsock_tcp_stream_close(c);
        netsock_tcp_stream_close(s);
}
END_TEST

START_TEST(error_event_on_refused_nonblocking_connect) {
        struct netsock_tcp_stream *c = NULL;
        struct netsock_poll *p = poll_new();
        struct netsock_addr a;
        struct netsock_event ev;

        a = ns_tcp_closed_port();  /* nobody listens on that port now */
        ck_assert_int_eq(netsock_tcp_stream_connect(&a, NETSOCK_NONBLOCK, &c), 0);
        ck_assert_int_eq(netsock_poll_register(p, sfd(c), 5, NETSOCK_WRITABLE, NETSOCK_LEVEL), 0);
        ev = wait_one(p, 2000);
        ck_assert(ev.token == 5);
        /* Linux reports EPOLLERR (SO_ERROR pending) and EPOLLHUP (closed),
         * and EPOLLOUT as asked for. */
        ck_assert_msg(ev.ready & NETSOCK_ERROR, "ready 0x%x", ev.ready);
        ck_assert_uint_eq(ev.ready, NETSOCK_WRITABLE | NETSOCK_ERROR | NETSOCK_HUP | NETSOCK_READ_HUP);
        ck_assert_int_eq(netsock_tcp_stream_finish_connect(c), -ECONNREFUSED);
        netsock_poll_close(p);
        netsock_tcp_stream_close(c);
}
END_TEST

START_TEST(hup_when_both_sides_shut_down) {
        struct netsock_tcp_stream *c, *s;
        struct netsock_poll *p = poll_new();

        ns_tcp_pair("127.0.0.1:0", &c, &s);
        ck_assert_int_eq(netsock_poll_register(p, sfd(c), 3, NETSOCK_READABLE, NETSOCK_LEVEL), 0);
        ck_assert_int_eq(netsock_tcp_stream_shutdown(c, SHUT_WR), 0);
        ck_assert_int_eq(wait_count(p, 0), 0);
        ck_assert_int_eq(netsock_tcp_stream_shutdown(s, SHUT_WR), 0);
        assert_one_event(p, 2000, 3, NETSOCK_READABLE | NETSOCK_HUP | NETSOCK_READ_HUP);
        netsock_poll_close(p);
        netsock_tcp_stream_close(c);
        netsock_tcp_stream_close(s);
}
END_TEST

START_TEST(read_hup_when_peer_shuts_down_writing) {
        struct netsock_tcp_stream *c, *s;
        struct netsock_poll *p = poll_new();
        char b;

        ns_tcp_pair("127.0.0.1:0", &c, &s);
        ck_assert_int_eq(netsock_poll_register(p, sfd(c), 4, NETSOCK_READABLE, NETSOCK_LEVEL), 0);
        ck_assert_int_eq(netsock_tcp_stream_shutdown(s, SHUT_WR), 0);
        assert_one_event(p, 2000, 4, NETSOCK_READABLE | NETSOCK_READ_HUP);
        ck_assert_int_eq(netsock_tcp_stream_recv(c, &b, 1), 0);
        netsock_poll_close(p);
        netsock_tcp_stream_close(c);
        netsock_tcp_stream_close(s);
}
END_TEST

START_TEST(priority_event_on_urgent_data) {
        struct netsock_tcp_stream *c, *s;
        struct netsock_poll *p = poll_new();
        struct netsock_event ev;

        ns_tcp_pair("127.0.0.1:0", &c, &s);
        ck_assert_int_eq(netsock_poll_register(p, sfd(s), 6, NETSOCK_PRIORITY, NETSOCK_LEVEL), 0);
        ck_assert_int_eq(wait_count(p, 0), 0);
        ck_assert_int_eq(send(sfd(c), "x", 1, MSG_OOB | MSG_NOSIGNAL), 1);
        assert_one_event(p, 2000, 6, NETSOCK_PRIORITY);
        /* With readable interest too, both show. */
        ck_assert_int_eq(netsock_poll_reregister(p, sfd(s), 7, NETSOCK_PRIORITY | NETSOCK_READABLE, NETSOCK_LEVEL), 0);
        ev = wait_one(p, 2000);
        ck_assert(ev.token == 7);
        ck_assert_msg(ev.ready & NETSOCK_PRIORITY, "ready 0x%x", ev.ready);
        netsock_poll_close(p);
        netsock_tcp_stream_close(c);
        netsock_tcp_stream_close(s);
}
END_TEST

/* ---- registration ----------------------------------------------------------- */

START_TEST(reregister_changes_interest_and_token) {
        struct netsock_tcp_stream *c, *s;
        struct netsock_poll *p = poll_new();

        ns_tcp_pair("127.0.0.1:0", &c, &s);
        ck_assert_int_eq(netsock_poll_register(p, sfd(s), 1, NETSOCK_READABLE, NETSOCK_LEVEL), 0);
        ck_assert_int_eq(netsock_tcp_stream_send(c, "r", 1), 1);
        assert_one_event(p, 2000, 1, NETSOCK_READABLE);
        /* Writable only: the unread byte is not reported any more. */
        ck_assert_int_eq(netsock_poll_reregister(p, sfd(s), 2, NETSOCK_WRITABLE, NETSOCK_LEVEL), 0);
        assert_one_event(p, 2000, 2, NETSOCK_WRITABLE);
        ck_assert_int_eq(netsock_poll_reregister(p, sfd(s), 3, NETSOCK_READABLE, NETSOCK_LEVEL), 0);
        assert_one_event(p, 2000, 3, NETSOCK_READABLE);
        netsock_poll_close(p);
        netsock_tcp_stream_close(c);
        netsock_tcp_stream_close(s);
}
END_TEST

START_TEST(deregister_stops_events) {
        struct netsock_tcp_stream *c, *s;
        struct netsock_poll *p = poll_new();

        ns_tcp_pair("127.0.0.1:0", &c, &s);
        ck_assert_int_eq(netsock_poll_register(p, sfd(s), 1, NETSOCK_READABLE, NETSOCK_LEVEL), 0);
        ck_assert_int_eq(netsock_poll_deregister(p, sfd(s)), 0);
        ck_assert_int_eq(netsock_tcp_stream_send(c, "d", 1), 1);
        ns_wait_bytes(sfd(s), 1);
        ck_assert_int_eq(wait_count(p, 0), 0);
        ck_assert_int_eq(wait_count(p, 50), 0);
        /* Deregistered means unknown: a second deregister is -ENOENT, and
         * registering again works. */
        ck_assert_int_eq(netsock_poll_deregister(p, sfd(s)), -ENOENT);
        ck_assert_int_eq(netsock_poll_register(p, sfd(s), 2, NETSOCK_READABLE, NETSOCK_LEVEL), 0);
        ck_assert(wait_one(p, 2000).token == 2);
        netsock_poll_close(p);
        netsock_tcp_stream_close(c);
        netsock_tcp_stream_close(s);
}
END_TEST

START_TEST(registration_errors) {
        struct netsock_tcp_stream *c, *s;
        struct netsock_poll *p = poll_new();
        int fd;

        ns_tcp_pair("127.0.0.1:0", &c, &s);
        fd = sfd(s);
        ck_assert_int_eq(netsock_poll_register(p, fd, 1, NETSOCK_READABLE, NETSOCK_LEVEL), 0);
        ck_assert_int_eq(netsock_poll_register(p, fd, 2, NETSOCK_READABLE, NETSOCK_LEVEL), -EEXIST);
        ck_assert_int_eq(netsock_poll_deregister(p, sfd(c)), -ENOENT);
        ck_assert_int_eq(netsock_poll_reregister(p, sfd(c), 1, NETSOCK_READABLE, NETSOCK_LEVEL), -ENOENT);
        ck_assert_int_eq(netsock_poll_register(p, sfd(c), NETSOCK_WAKE_TOKEN, NETSOCK_READABLE, NETSOCK_LEVEL), -EINVAL);
        ck_assert_int_eq(netsock_poll_reregister(p, fd, NETSOCK_WAKE_TOKEN, NETSOCK_READABLE, NETSOCK_LEVEL), -EINVAL);
        ck_assert_int_eq(netsock_poll_register(p, sfd(c), 1, 0, NETSOCK_LEVEL), -EINVAL);
        ck_assert_int_eq(netsock_poll_reregister(p, fd, 1, 0, NETSOCK_LEVEL), -EINVAL);
        /* Readiness-only bits are no interest. */
        ck_assert_int_eq(netsock_poll_register(p, sfd(c), 1, NETSOCK_ERROR, NETSOCK_LEVEL), -EINVAL);
        ck_assert_int_eq(netsock_poll_register(p, sfd(c), 1, NETSOCK_HUP, NETSOCK_LEVEL), -EINVAL);
        ck_assert_int_eq(netsock_poll_register(p, sfd(c), 1, 0x100, NETSOCK_LEVEL), -EINVAL);
        ck_assert_int_eq(netsock_poll_register(p, sfd(c), 1, NETSOCK_READABLE, 0x4), -EINVAL);
        ck_assert_int_eq(netsock_poll_register(p, sfd(c), 1, NETSOCK_READABLE, 0x100), -EINVAL);
        ck_assert_int_eq(netsock_poll_reregister(p, fd, 1, NETSOCK_READABLE, 0x4), -EINVAL);
        ck_assert_int_eq(netsock_poll_register(p, -1, 1, NETSOCK_READABLE, NETSOCK_LEVEL), -EBADF);
        ck_assert_int_eq(netsock_poll_reregister(p, -1, 1, NETSOCK_READABLE, NETSOCK_LEVEL), -EBADF);
        ck_assert_int_eq(netsock_poll_deregister(p, -1), -EBADF);
        ck_assert_int_eq(netsock_poll_register(NULL, fd, 1, NETSOCK_READABLE, NETSOCK_LEVEL), -EINVAL);
        ck_assert_int_eq(netsock_poll_reregister(NULL, fd, 1, NETSOCK_READABLE, NETSOCK_LEVEL), -EINVAL);
        ck_assert_int_eq(netsock_poll_deregister(NULL, fd), -EINVAL);
        /* None of the refused calls changed the registration. */
        ck_assert_int_eq(netsock_tcp_stream_send(c, "e", 1), 1);
        ck_assert(wait_one(p, 2000).token == 1);
        netsock_poll_close(p);
        netsock_tcp_stream_close(c);
        netsock_tcp_stream_close(s);
}
END_TEST

START_TEST(register_a_closed_fd_is_ebadf) {
        struct netsock_poll *p = poll_new();
        int pfd[2];

        ck_assert_int_eq(pipe2(pfd, O_CLOEXEC), 0);
        close(pfd[0]);
        close(pfd[1]);
        ck_assert_int_eq(netsock_poll_register(p, pfd[0], 1, NETSOCK_READABLE, NETSOCK_LEVEL), -EBADF);
        netsock_poll_close(p);
}
END_TEST

START_TEST(wake_eventfd_registration_is_reserved) {
        struct netsock_poll *p = poll_new();
        int fd, wakefd = -1;

        for (fd = 0; fd < 1024; fd++)
                if (ns_fd_is_anon(fd, "anon_inode:[eventfd]")) {
                        wakefd = fd;
                        break;
                }
        ck_assert_int_ge(wakefd, 0);
        ck_assert(ns_fd_has_cloexec(wakefd));
        ck_assert_int_eq(netsock_poll_register(p, wakefd, 1, NETSOCK_READABLE, NETSOCK_LEVEL), -EEXIST);
        ck_assert_int_eq(netsock_poll_reregister(p, wakefd, 1, NETSOCK_READABLE, NETSOCK_LEVEL), -EINVAL);
        ck_assert_int_eq(netsock_poll_deregister(p, wakefd), -ENOENT);
        /* The wake-up still works. */
        ck_assert_int_eq(netsock_poll_wake(p), 0);
        ck_assert(wait_one(p, 0).token == NETSOCK_WAKE_TOKEN);
        netsock_poll_close(p);
        ck_assert(!ns_fd_is_open(wakefd));
}
END_TEST

/* ---- wait -------------------------------------------------------------------- */

START_TEST(wait_with_timeout_0_returns_at_once) {
        struct netsock_poll *p = poll_new();
        struct netsock_event ev[4];
        long long t0 = ns_now_ms();

        ck_assert_int_eq(netsock_poll_wait(p, ev, 4, 0), 0);
        ck_assert_int_lt(ns_elapsed_ms(t0), 50);
        netsock_poll_close(p);
}
END_TEST

START_TEST(wait_with_timeout_returns_0_after_it) {
        struct netsock_poll *p = poll_new();
        struct netsock_event ev[4];
        long long t0 = ns_now_ms(), el;

        ck_assert_int_eq(netsock_poll_wait(p, ev, 4, 100), 0);
        el = ns_elapsed_ms(t0);
        ck_assert_msg(el >= 90 && el < 1000, "elapsed %lld ms", el);
        netsock_poll_close(p);
}
END_TEST

START_TEST(wait_rejects_bad_arguments) {
        struct netsock_poll *p = poll_new();
        struct netsock_event ev[4];

        ck_assert_int_eq(netsock_poll_wait(NULL, ev, 4, 0), -EINVAL);
        ck_assert_int_eq(netsock_poll_wait(p, NULL, 4, 0), -EINVAL);
        ck_assert_int_eq(netsock_poll_wait(p, ev, 0, 0), -EINVAL);
        ck_assert_int_eq(netsock_poll_wait(p, ev, 4, -2), -EINVAL);
        ck_assert_int_eq(netsock_poll_wake(NULL), -EINVAL);
        netsock_poll_close(p);
}
END_TEST

START_TEST(wait_returns_at_most_max_events) {
        struct netsock_tcp_stream *c[3], *s[3];
        struct netsock_poll *p = poll_new();
        struct netsock_event ev[8];
        int i;

        for (i = 0; i < 3; i++) {
                ns_tcp_pair("127.0.0.1:0", &c[i], &s[i]);
                ck_assert_int_eq(netsock_poll_register(p, sfd(s[i]), (uint64_t) i + 100, NETSOCK_READABLE, NETSOCK_LEVEL), 0);
                ck_assert_int_eq(netsock_tcp_stream_send(c[i], "m", 1), 1);
                ns_wait_bytes(sfd(s[i]), 1);
        }
        ck_assert_int_eq(netsock_poll_wait(p, ev, 2, 0), 2);
        ck_assert_int_eq(netsock_poll_wait(p, ev, 8, 0), 3);
        {
                unsigned seen = 0;

                for (i = 0; i < 3; i++) {
                        ck_assert(ev[i].token >= 100 && ev[i].token <= 102);
                        ck_assert_uint_eq(ev[i].ready, NETSOCK_READABLE);
                        seen |= 1u << (ev[i].token - 100);
                }
                ck_assert_uint_eq(seen, 7);
        }
        netsock_poll_close(p);
        for (i = 0; i < 3; i++) {
                netsock_tcp_stream_close(c[i]);
                netsock_tcp_stream_close(s[i]);
        }
}
END_TEST

struct waker {
        struct netsock_poll *p;
        long delay_ms;
        int r;
};

static void *wake_later(void *arg) {
        struct waker *w = arg;

        ns_sleep_ms(w->delay_ms);
        w->r = netsock_poll_wake(w->p);
        return NULL;
}

START_TEST(wait_forever_blocks_until_wake_from_another_thread) {
        struct netsock_poll *p = poll_new();
        struct netsock_event ev[4];
        struct waker w = { p, 100, 1 };
        long long t0, el;
        pthread_t t;

        t0 = ns_now_ms();
        ck_assert_int_eq(pthread_create(&t, NULL, wake_later, &w), 0);
        ck_assert_int_eq(netsock_poll_wait(p, ev, 4, -1), 1);
        el = ns_elapsed_ms(t0);
        ck_assert_int_eq(pthread_join(t, NULL), 0);
        ck_assert_int_eq(w.r, 0);
        ck_assert(ev[0].token == NETSOCK_WAKE_TOKEN);
        ck_assert_uint_eq(ev[0].ready, NETSOCK_READABLE);
        ck_assert_msg(el >= 80 && el < 5000, "elapsed %lld ms", el);
        /* Reported once. */
        ck_assert_int_eq(netsock_poll_wait(p, ev, 4, 0), 0);
        netsock_poll_close(p);
}
END_TEST

START_TEST(two_wakes_give_one_wake_event) {
        struct netsock_poll *p = poll_new();
        struct netsock_event ev[4];

        ck_assert_int_eq(netsock_poll_wake(p), 0);
        ck_assert_int_eq(netsock_poll_wake(p), 0);
        ck_assert_int_eq(netsock_poll_wait(p, ev, 4, 0), 1);
        ck_assert(ev[0].token == NETSOCK_WAKE_TOKEN);
        ck_assert_int_eq(netsock_poll_wait(p, ev, 4, 0), 0);
        /* And it can be woken again. */
        ck_assert_int_eq(netsock_poll_wake(p), 0);
        ck_assert_int_eq(netsock_poll_wait(p, ev, 4, 0), 1);
        ck_assert(ev[0].token == NETSOCK_WAKE_TOKEN);
        netsock_poll_close(p);
}
END_TEST

START_TEST(wait_retries_on_eintr) {
        struct netsock_poll *p = poll_new();
        struct netsock_event ev[4];
        long long t0, el;

        ns_arm_alarm(50, 0);
        t0 = ns_now_ms();
        ck_assert_int_eq(netsock_poll_wait(p, ev, 4, 300), 0);
        el = ns_elapsed_ms(t0);
        ns_disarm_alarm();
        ck_assert_int_eq(ns_alarms(), 1);
        ck_assert_msg(el >= 250 && el < 2000, "elapsed %lld ms", el);
        netsock_poll_close(p);
}
END_TEST

START_TEST(wait_forever_retries_on_eintr) {
        struct netsock_poll *p = poll_new();
        struct netsock_event ev[4];
        struct waker w = { p, 250, 1 };
        long long t0, el;
        pthread_t t;

        /* The waker thread must not take the signals. */
        ns_thread_start_without_sigalrm(&t, wake_later, &w);
        ns_arm_alarm(50, 50);
        t0 = ns_now_ms();
        ck_assert_int_eq(netsock_poll_wait(p, ev, 4, -1), 1);
        el = ns_elapsed_ms(t0);
        ns_disarm_alarm();
        ck_assert_int_eq(pthread_join(t, NULL), 0);
        ck_assert_int_ge(ns_alarms(), 2);
        ck_assert(ev[0].token == NETSOCK_WAKE_TOKEN);
        ck_assert_msg(el >= 200 && el < 5000, "elapsed %lld ms", el);
        netsock_poll_close(p);
}
END_TEST

/* ---- level / edge / oneshot ------------------------------------------------- */

START_TEST(edge_triggered_gives_one_event_per_arrival) {
        struct netsock_tcp_stream *c, *s;
        struct netsock_poll *p = poll_new();
        char buf[4];

        ns_tcp_pair("127.0.0.1:0", &c, &s);
        ck_assert_int_eq(netsock_poll_register(p, sfd(s), 11, NETSOCK_READABLE, NETSOCK_EDGE), 0);
        ck_assert_int_eq(netsock_tcp_stream_send(c, "1", 1), 1);
        assert_one_event(p, 2000, 11, NETSOCK_READABLE);
        /* Not read, but no new arrival: no event. */
        ck_assert_int_eq(wait_count(p, 0), 0);
        ck_assert_int_eq(wait_count(p, 0), 0);
        ck_assert_int_eq(netsock_tcp_stream_send(c, "2", 1), 1);
        assert_one_event(p, 2000, 11, NETSOCK_READABLE);
        ck_assert_int_eq(wait_count(p, 0), 0);
        ck_assert_int_eq(netsock_tcp_stream_recv_exact(s, buf, 2), 2);
        ck_assert(memcmp(buf, "12", 2) == 0);
        ck_assert_int_eq(wait_count(p, 0), 0);
        netsock_poll_close(p);
        netsock_tcp_stream_close(c);
        netsock_tcp_stream_close(s);
}
END_TEST

START_TEST(level_triggered_repeats_until_read) {
        struct netsock_tcp_stream *c, *s;
        struct netsock_poll *p = poll_new();
        char b;
        int i;

        ns_tcp_pair("127.0.0.1:0", &c, &s);
        ck_assert_int_eq(netsock_poll_register(p, sfd(s), 12, NETSOCK_READABLE, NETSOCK_LEVEL), 0);
        ck_assert_int_eq(netsock_tcp_stream_send(c, "L", 1), 1);
        ck_assert(wait_one(p, 2000).token == 12);
        for (i = 0; i < 3; i++)
                assert_one_event(p, 0, 12, NETSOCK_READABLE);
        ck_assert_int_eq(netsock_tcp_stream_recv(s, &b, 1), 1);
        ck_assert_int_eq(b, 'L');
        ck_assert_int_eq(wait_count(p, 0), 0);
        netsock_poll_close(p);
        netsock_tcp_stream_close(c);
        netsock_tcp_stream_close(s);
}
END_TEST

START_TEST(oneshot_gives_no_second_event_until_reregister) {
        struct netsock_tcp_stream *c, *s;
        struct netsock_poll *p = poll_new();

        ns_tcp_pair("127.0.0.1:0", &c, &s);
        ck_assert_int_eq(netsock_poll_register(p, sfd(s), 13, NETSOCK_READABLE, NETSOCK_ONESHOT), 0);
        ck_assert_int_eq(netsock_tcp_stream_send(c, "a", 1), 1);
        assert_one_event(p, 2000, 13, NETSOCK_READABLE);
        ck_assert_int_eq(wait_count(p, 0), 0);
        /* New data: still nothing. */
        ck_assert_int_eq(netsock_tcp_stream_send(c, "b", 1), 1);
        ns_wait_bytes(sfd(s), 2);
        ck_assert_int_eq(wait_count(p, 0), 0);
        ck_assert_int_eq(wait_count(p, 50), 0);
        /* Still registered (disabled): register again is -EEXIST. */
        ck_assert_int_eq(netsock_poll_register(p, sfd(s), 13, NETSOCK_READABLE, NETSOCK_ONESHOT), -EEXIST);
        /* Re-armed: the queued data is reported once more, once. */
        ck_assert_int_eq(netsock_poll_reregister(p, sfd(s), 14, NETSOCK_READABLE, NETSOCK_ONESHOT), 0);
        assert_one_event(p, 2000, 14, NETSOCK_READABLE);
        ck_assert_int_eq(wait_count(p, 0), 0);
        netsock_poll_close(p);
        netsock_tcp_stream_close(c);
        netsock_tcp_stream_close(s);
}
END_TEST

START_TEST(edge_and_oneshot_combine) {
        struct netsock_tcp_stream *c, *s;
        struct netsock_poll *p = poll_new();

        ns_tcp_pair("127.0.0.1:0", &c, &s);
        ck_assert_int_eq(netsock_poll_register(p, sfd(s), 15, NETSOCK_READABLE, NETSOCK_EDGE | NETSOCK_ONESHOT), 0);
        ck_assert_int_eq(netsock_tcp_stream_send(c, "a", 1), 1);
        ck_assert(wait_one(p, 2000).token == 15);
        ck_assert_int_eq(netsock_tcp_stream_send(c, "b", 1), 1);
        ns_wait_bytes(sfd(s), 2);
        ck_assert_int_eq(wait_count(p, 0), 0);
        netsock_poll_close(p);
        netsock_tcp_stream_close(c);
        netsock_tcp_stream_close(s);
}
END_TEST

/* ---- the mio example ---------------------------------------------------------- */

#define SERVER UINT64_C(0)
#define CLIENT UINT64_C(1)
#define CONN   UINT64_C(2)

START_TEST(mio_echo_example_driven_by_poll_wait) {
        struct netsock_tcp_listener *l;
        struct netsock_tcp_stream *client = NULL, *conn = NULL;
        struct netsock_poll *p = poll_new();
        struct netsock_event ev[16];
        struct netsock_addr a;
        char echoed[16], got[16];
        size_t nechoed = 0, ngot = 0;
        bool connected = false, accepted = false;
        int rounds, i, n;

        l = ns_tcp_listen("127.0.0.1:0", NETSOCK_NONBLOCK, &a);
        ck_assert_int_eq(netsock_poll_register(p, netsock_tcp_listener_fd(l), SERVER, NETSOCK_READABLE, NETSOCK_LEVEL), 0);
        ck_assert_int_eq(netsock_tcp_stream_connect(&a, NETSOCK_NONBLOCK, &client), 0);
        ck_assert_int_eq(netsock_poll_register(p, sfd(client), CLIENT, NETSOCK_WRITABLE, NETSOCK_EDGE), 0);

        for (rounds = 0; rounds < 50 && ngot < 5; rounds++) {
                n = netsock_poll_wait(p, ev, 16, 100);
                ck_assert_int_ge(n, 0);
                for (i = 0; i < n; i++) {
                        if (ev[i].token == SERVER) {
                                struct netsock_tcp_stream *t = NULL;
                                int r;

                                ck_assert_uint_eq(ev[i].ready, NETSOCK_READABLE);
                                while ((r = netsock_tcp_listener_accept(l, NETSOCK_NONBLOCK, &t, NULL)) == 0) {
                                        ck_assert(!accepted);
                                        accepted = true;
                                        conn = t;
                                        ck_assert_int_eq(netsock_poll_register(p, sfd(conn), CONN, NETSOCK_READABLE, NETSOCK_LEVEL), 0);
                                }
                                ck_assert_int_eq(r, -EAGAIN);
                        } else if (ev[i].token == CLIENT && !connected) {
                                ck_assert(ev[i].ready & NETSOCK_WRITABLE);
                                ck_assert_int_eq(netsock_tcp_stream_finish_connect(client), 0);
                                connected = true;
                                ck_assert_int_eq(netsock_tcp_stream_send(client, "hello", 5), 5);
                                ck_assert_int_eq(netsock_poll_reregister(p, sfd(client), CLIENT, NETSOCK_READABLE, NETSOCK_EDGE), 0);
                        } else if (ev[i].token == CLIENT) {
                                ssize_t r;

                                ck_assert(ev[i].ready & NETSOCK_READABLE);
                                /* Edge-triggered: read until -EAGAIN. */
                                while ((r = netsock_tcp_stream_recv(client, got + ngot, sizeof(got) - ngot)) > 0)
                                        ngot += (size_t) r;
                                ck_assert_int_eq(r, -EAGAIN);
                        } else if (ev[i].token == CONN) {
                                ssize_t r;

                                ck_assert(ev[i].ready & NETSOCK_READABLE);
                                r = netsock_tcp_stream_recv(conn, echoed + nechoed, sizeof(echoed) - nechoed);
                                ck_assert_int_gt(r, 0);
                                ck_assert_int_eq(netsock_tcp_stream_send_all(conn, echoed + nechoed, (size_t) r), 0);
                                nechoed += (size_t) r;
                        } else {
                                ck_abort_msg("unexpected token %llu", (unsigned long long) ev[i].token);
                        }
                }
        }
        ck_assert(connected);
        ck_assert(accepted);
        ck_assert_uint_eq(nechoed, 5);
        ck_assert_uint_eq(ngot, 5);
        ck_assert(memcmp(echoed, "hello", 5) == 0);
        ck_assert(memcmp(got, "hello", 5) == 0);
        netsock_poll_close(p);
        netsock_tcp_stream_close(conn);
        netsock_tcp_stream_close(client);
        netsock_tcp_listener_close(l);
}
END_TEST

static Suite *make(void) {
        Suite *s = suite_create("poll");
        TCase *tc;

        tc = ns_tcase(s, "basics");
        tcase_add_test(tc, new_gives_cloexec_epoll_fd);
        tcase_add_test(tc, close_leaves_registered_fds_open);

        tc = ns_tcase(s, "readiness");
        tcase_add_test(tc, readable_event_carries_token_when_data_arrives);
        tcase_add_test(tc, writable_event_on_fresh_connected_socket);
        tcase_add_test(tc, error_event_on_refused_nonblocking_connect);
        tcase_add_test(tc, hup_when_both_sides_shut_down);
        tcase_add_test(tc, read_hup_when_peer_shuts_down_writing);
        tcase_add_test(tc, priority_event_on_urgent_data);

        tc = ns_tcase(s, "registration");
        tcase_add_test(tc, reregister_changes_interest_and_token);
        tcase_add_test(tc, deregister_stops_events);
        tcase_add_test(tc, registration_errors);
        tcase_add_test(tc, register_a_closed_fd_is_ebadf);
        tcase_add_test(tc, wake_eventfd_registration_is_reserved);

        tc = ns_tcase(s, "wait");
        tcase_add_test(tc, wait_with_timeout_0_returns_at_once);
        tcase_add_test(tc, wait_with_timeout_returns_0_after_it);
        tcase_add_test(tc, wait_rejects_bad_arguments);
        tcase_add_test(tc, wait_returns_at_most_max_events);
        tcase_add_test(tc, wait_forever_blocks_until_wake_from_another_thread);
        tcase_add_test(tc, two_wakes_give_one_wake_event);
        tcase_add_test(tc, wait_retries_on_eintr);
        tcase_add_test(tc, wait_forever_retries_on_eintr);

        tc = ns_tcase(s, "triggering");
        tcase_add_test(tc, edge_triggered_gives_one_event_per_arrival);
        tcase_add_test(tc, level_triggered_repeats_until_read);
        tcase_add_test(tc, oneshot_gives_no_second_event_until_reregister);
        tcase_add_test(tc, edge_and_oneshot_combine);

        tc = ns_tcase(s, "example");
        tcase_add_test(tc, mio_echo_example_driven_by_poll_wait);
        return s;
}

NS_TEST_MAIN(make)
