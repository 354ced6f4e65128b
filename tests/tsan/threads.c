/* SPDX-License-Identifier: MIT */
/*
 * The thread-safety promises of API.md §1, under ThreadSanitizer
 * (tests/tsan/run builds the library and this program with
 * -fsanitize=thread; any report fails it):
 *
 *  - one handle used for send in one thread and recv in another: both ends
 *    of a unix_stream and of a tcp_stream connection, each end shared by a
 *    sending and a receiving thread, N pattern bytes each way, verified;
 *  - netsock_poll_wake from several threads while another waits;
 *  - register / reregister / deregister from one thread while another
 *    thread sits in netsock_poll_wait on the same poll.
 *
 * Plain C with its own checks (no Check: its fork per case and its
 * uninstrumented library would only blur what TSan sees).  An alarm ends
 * a run that hangs.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netsock.h>

#define CHECK(cond) do { if (!(cond)) fail(__LINE__, #cond); } while (0)
#define CHECK_EQ(a, b) do { long long a_ = (long long) (a), b_ = (long long) (b); \
        if (a_ != b_) fail_eq(__LINE__, #a, a_, b_); } while (0)

static void fail(int line, const char *what) {
        fprintf(stderr, "threads.c:%d: check failed: %s\n", line, what);
        exit(1);
}

static void fail_eq(int line, const char *what, long long got, long long want) {
        fprintf(stderr, "threads.c:%d: %s is %lld, expected %lld\n", line, what, got, want);
        exit(1);
}

/* Bytes each direction of a connection carries. */
#define STREAM_BYTES (4u * 1024 * 1024)

static unsigned char pattern(size_t i, unsigned seed) {
        return (unsigned char) ((i * 7 + i / 251 + seed) & 0xff);
}

/* ---- one connection, each end shared by a sender and a receiver ---------- */

/* What a thread needs to move bytes through one end of a stream. */
struct end_ops {
        int (*send_all)(void *h, const void *buf, size_t len);
        ssize_t (*recv)(void *h, void *buf, size_t len);
        int (*shutdown_wr)(void *h);
};

struct job {
        const struct end_ops *ops;
        void *h;
        unsigned seed;  /* of the pattern this job sends or expects */
        size_t done;
};

static void *sender(void *arg) {
        struct job *j = arg;
        unsigned char buf[6000];
        size_t chunk = 1;

        while (j->done < STREAM_BYTES) {
                size_t n = STREAM_BYTES - j->done, i;

                /* Sizes vary so that sends and receives interleave differently. */
                chunk = chunk * 5 % sizeof(buf) + 1;
                if (n > chunk)
                        n = chunk;
                for (i = 0; i < n; i++)
                        buf[i] = pattern(j->done + i, j->seed);
                CHECK_EQ(j->ops->send_all(j->h, buf, n), 0);
                j->done += n;
        }
        CHECK_EQ(j->ops->shutdown_wr(j->h), 0);
        return NULL;
}

static void *receiver(void *arg) {
        struct job *j = arg;
        unsigned char buf[7000];
        ssize_t n;

        while ((n = j->ops->recv(j->h, buf, sizeof(buf))) > 0) {
                ssize_t i;

                for (i = 0; i < n; i++)
                        if (buf[i] != pattern(j->done + (size_t) i, j->seed))
                                fail_eq(__LINE__, "received byte", buf[i], pattern(j->done + (size_t) i, j->seed));
                j->done += (size_t) n;
        }
        CHECK_EQ(n, 0);
        return NULL;
}

/* a and b are the two ends of one connection: four threads, both ends
 * sending and receiving at once. */
static void full_duplex(const struct end_ops *ops, void *a, void *b) {
        struct job jobs[4] = {
                { ops, a, 3, 0 },   /* sends a -> b */
                { ops, b, 3, 0 },   /* receives it on b */
                { ops, b, 11, 0 },  /* sends b -> a */
                { ops, a, 11, 0 },  /* receives it on a */
        };
        pthread_t t[4];
        int i;

        for (i = 0; i < 4; i++)
                CHECK_EQ(pthread_create(&t[i], NULL, i % 2 ? receiver : sender, &jobs[i]), 0);
        for (i = 0; i < 4; i++)
                CHECK_EQ(pthread_join(t[i], NULL), 0);
        for (i = 0; i < 4; i++)
                CHECK_EQ(jobs[i].done, STREAM_BYTES);
}

static int us_send_all(void *h, const void *buf, size_t len) {
        return netsock_unix_stream_send_all(h, buf, len);
}
static ssize_t us_recv(void *h, void *buf, size_t len) {
        return netsock_unix_stream_recv(h, buf, len);
}
static int us_shutdown_wr(void *h) {
        return netsock_unix_stream_shutdown(h, SHUT_WR);
}
static const struct end_ops unix_ops = { us_send_all, us_recv, us_shutdown_wr };

static int tcp_send_all(void *h, const void *buf, size_t len) {
        return netsock_tcp_stream_send_all(h, buf, len);
}
static ssize_t tcp_recv(void *h, void *buf, size_t len) {
        return netsock_tcp_stream_recv(h, buf, len);
}
static int tcp_shutdown_wr(void *h) {
        return netsock_tcp_stream_shutdown(h, SHUT_WR);
}
static const struct end_ops tcp_ops = { tcp_send_all, tcp_recv, tcp_shutdown_wr };

static void unix_stream_full_duplex(void) {
        struct netsock_unix_stream *a = NULL, *b = NULL;

        CHECK_EQ(netsock_unix_stream_pair(0, &a, &b), 0);
        full_duplex(&unix_ops, a, b);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}

static void tcp_stream_full_duplex(void) {
        struct netsock_addr addr;
        struct netsock_tcp_listener *l = NULL;
        struct netsock_tcp_stream *c = NULL, *s = NULL;

        CHECK_EQ(netsock_addr_parse(&addr, "127.0.0.1:0"), 0);
        CHECK_EQ(netsock_tcp_listener_bind(&addr, 0, &l), 0);
        CHECK_EQ(netsock_tcp_listener_local_addr(l, &addr), 0);
        CHECK_EQ(netsock_tcp_stream_connect(&addr, 0, &c), 0);
        CHECK_EQ(netsock_tcp_listener_accept(l, 0, &s, NULL), 0);
        netsock_tcp_listener_close(l);
        full_duplex(&tcp_ops, c, s);
        netsock_tcp_stream_close(c);
        netsock_tcp_stream_close(s);
}

/* ---- poll_wake from several threads during a wait -------------------------- */

#define WAKERS 4
#define WAKES_EACH 2000

struct waker {
        struct netsock_poll *p;
        atomic_int *running;
};

static void *waker(void *arg) {
        struct waker *w = arg;
        int i;

        for (i = 0; i < WAKES_EACH; i++)
                CHECK_EQ(netsock_poll_wake(w->p), 0);
        atomic_fetch_sub(w->running, 1);
        return NULL;
}

static void poll_wake_from_several_threads(void) {
        struct netsock_poll *p = NULL;
        struct netsock_event ev[8];
        struct waker w;
        atomic_int running = WAKERS;
        pthread_t t[WAKERS];
        long wakeups = 0;
        int i, n;

        CHECK_EQ(netsock_poll_new(&p), 0);
        w.p = p;
        w.running = &running;
        for (i = 0; i < WAKERS; i++)
                CHECK_EQ(pthread_create(&t[i], NULL, waker, &w), 0);
        /* Wakes coalesce: at least one arrives, never more than were sent. */
        while (atomic_load(&running) > 0) {
                n = netsock_poll_wait(p, ev, 8, 1000);
                CHECK(n >= 0);
                for (i = 0; i < n; i++) {
                        CHECK(ev[i].token == NETSOCK_WAKE_TOKEN);
                        CHECK_EQ(ev[i].ready, NETSOCK_READABLE);
                        wakeups++;
                }
        }
        for (i = 0; i < WAKERS; i++)
                CHECK_EQ(pthread_join(t[i], NULL), 0);
        CHECK(wakeups <= (long) WAKERS * WAKES_EACH);
        /* Whatever was pending is reported once, then nothing. */
        n = netsock_poll_wait(p, ev, 8, 0);
        CHECK(n == 0 || (n == 1 && ev[0].token == NETSOCK_WAKE_TOKEN));
        wakeups += n;
        CHECK(wakeups >= 1);
        CHECK_EQ(netsock_poll_wait(p, ev, 8, 0), 0);
        /* And a new wake is seen again. */
        CHECK_EQ(netsock_poll_wake(p), 0);
        CHECK_EQ(netsock_poll_wait(p, ev, 8, 1000), 1);
        CHECK(ev[0].token == NETSOCK_WAKE_TOKEN);
        netsock_poll_close(p);
}

/* ---- register and deregister while another thread waits ------------------- */

#define SOCKS 8
#define ROUNDS 2000

struct waiter {
        struct netsock_poll *p;
        atomic_bool stop;
        long events;
};

static void *waiter(void *arg) {
        struct waiter *w = arg;
        struct netsock_event ev[SOCKS + 1];
        int n, i;

        while (!atomic_load(&w->stop)) {
                n = netsock_poll_wait(w->p, ev, SOCKS + 1, 1000);
                CHECK(n >= 0);
                for (i = 0; i < n; i++) {
                        if (ev[i].token == NETSOCK_WAKE_TOKEN)
                                continue;
                        /* Only tokens the registering thread uses, ready
                         * only for what it asked. */
                        CHECK(ev[i].token >= 100 && ev[i].token < 100 + SOCKS);
                        CHECK(ev[i].ready & (NETSOCK_READABLE | NETSOCK_WRITABLE));
                        w->events++;
                }
        }
        return NULL;
}

static void poll_register_while_waiting(void) {
        struct netsock_unix_stream *a[SOCKS], *b[SOCKS];
        struct waiter w;
        pthread_t t;
        int i, r;

        memset(&w, 0, sizeof(w));
        CHECK_EQ(netsock_poll_new(&w.p), 0);
        atomic_init(&w.stop, false);
        for (i = 0; i < SOCKS; i++) {
                CHECK_EQ(netsock_unix_stream_pair(0, &a[i], &b[i]), 0);
                /* Readable and writable at once: every registration fires. */
                CHECK_EQ(netsock_unix_stream_send(b[i], "x", 1), 1);
        }
        CHECK_EQ(pthread_create(&t, NULL, waiter, &w), 0);
        for (r = 0; r < ROUNDS; r++) {
                i = r % SOCKS;
                int fd = netsock_unix_stream_fd(a[i]);

                CHECK_EQ(netsock_poll_register(w.p, fd, 100 + (uint64_t) i, NETSOCK_READABLE, NETSOCK_EDGE), 0);
                CHECK_EQ(netsock_poll_reregister(w.p, fd, 100 + (uint64_t) i, NETSOCK_WRITABLE,
                                                 r % 3 ? NETSOCK_ONESHOT : 0), 0);
                CHECK_EQ(netsock_poll_deregister(w.p, fd), 0);
                CHECK_EQ(netsock_poll_deregister(w.p, fd), -ENOENT);
                if (r % 64 == 0)
                        CHECK_EQ(netsock_poll_wake(w.p), 0);
        }
        /* Leave one registered for the waiter to see for sure. */
        CHECK_EQ(netsock_poll_register(w.p, netsock_unix_stream_fd(a[0]), 100, NETSOCK_READABLE, 0), 0);
        usleep(20000);
        atomic_store(&w.stop, true);
        CHECK_EQ(netsock_poll_wake(w.p), 0);
        CHECK_EQ(pthread_join(t, NULL), 0);
        CHECK(w.events >= 1);
        netsock_poll_close(w.p);
        for (i = 0; i < SOCKS; i++) {
                netsock_unix_stream_close(a[i]);
                netsock_unix_stream_close(b[i]);
        }
}

int main(void) {
        static const struct { const char *name; void (*fn)(void); } tests[] = {
                { "unix_stream_full_duplex", unix_stream_full_duplex },
                { "tcp_stream_full_duplex", tcp_stream_full_duplex },
                { "poll_wake_from_several_threads", poll_wake_from_several_threads },
                { "poll_register_while_waiting", poll_register_while_waiting },
        };
        size_t i;

        alarm(120);
        for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
                tests[i].fn();
                printf("ok %zu - %s\n", i + 1, tests[i].name);
        }
        return 0;
}
