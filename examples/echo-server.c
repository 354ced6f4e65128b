/* SPDX-License-Identifier: MIT */
/*
 * An edge-triggered TCP echo server on one netsock_poll, with no write
 * queue of its own: whatever a client sends goes back through
 * netsock_tcp_stream_send_queued(), and a connection asks for
 * NETSOCK_WRITABLE only while bytes wait in its queue, which
 * netsock_tcp_stream_flush() drains when the event comes.  A client that
 * does not read gets back-pressure: the server stops reading from it while
 * its queue is near the limit, and goes on once the queue has drained.
 *
 * SIGTERM (or SIGINT) stops it cleanly: every thread blocks the signal, one
 * thread waits for it with sigwait(3) and wakes the poller with
 * netsock_poll_wake(); the loop then closes everything and exits 0.
 *
 * Usage: echo-server [ADDRESS]   (default 127.0.0.1:0)
 * It prints the port it listens on, alone on the first line of stdout.
 */
#include "echo-common.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>

#define LISTENER_TOKEN 0
#define MAX_CONNS 4096

struct conn {
        struct netsock_tcp_stream *s;
        unsigned interest;    /* what it is registered for */
        bool read_paused;     /* stopped reading before EAGAIN: the queue was full */
        bool eof;             /* the client finished sending */
};

static struct netsock_poll *poller;
static struct conn *conns[MAX_CONNS];  /* token - 1 */
static int stop_requested;
static unsigned long served;

static void *signal_thread(void *arg) {
        sigset_t *set = arg;
        int sig = 0;

        if (sigwait(set, &sig) == 0) {
                __atomic_store_n(&stop_requested, 1, __ATOMIC_SEQ_CST);
                (void) netsock_poll_wake(poller);
        }
        return NULL;
}

static void conn_close(uint64_t token) {
        struct conn *c = conns[token - 1];

        (void) netsock_poll_deregister(poller, netsock_tcp_stream_fd(c->s));
        netsock_tcp_stream_close(c->s);  /* drops what is still queued */
        free(c);
        conns[token - 1] = NULL;
        served++;
}

/* Writable interest only while the queue holds data. */
static int conn_update_interest(uint64_t token) {
        struct conn *c = conns[token - 1];
        unsigned want = NETSOCK_READABLE;

        if (netsock_tcp_stream_queued(c->s) > 0)
                want |= NETSOCK_WRITABLE;
        if (want == c->interest)
                return 0;
        c->interest = want;
        return netsock_poll_reregister(poller, netsock_tcp_stream_fd(c->s), token, want, NETSOCK_EDGE);
}

/* Edge-triggered: read until EAGAIN (or until the queue could not take a
 * whole buffer more), queueing every byte back. */
static int conn_read(struct conn *c) {
        static char buf[65536];
        ssize_t n, r;

        for (;;) {
                if (netsock_tcp_stream_queued(c->s) + sizeof(buf) > ECHO_QUEUE_LIMIT) {
                        c->read_paused = true;  /* resumed once flush empties the queue */
                        return 0;
                }
                n = netsock_tcp_stream_recv(c->s, buf, sizeof(buf));
                if (n == -EAGAIN) {
                        c->read_paused = false;
                        return 0;
                }
                if (n == -EINTR)
                        continue;
                if (n < 0)
                        return (int) n;
                if (n == 0) {
                        c->eof = true;
                        c->read_paused = false;
                        return 0;
                }
                r = netsock_tcp_stream_send_queued(c->s, buf, (size_t) n);
                if (r < 0)
                        return (int) r;
        }
}

static void conn_event(uint64_t token, unsigned ready) {
        struct conn *c = conns[token - 1];
        int r = 0;

        if (ready & (NETSOCK_WRITABLE | NETSOCK_ERROR | NETSOCK_HUP)) {
                r = netsock_tcp_stream_flush(c->s);
                if (r == -EAGAIN)
                        r = 0;  /* still full: the next writable edge */
                else if (r == 0 && c->read_paused)
                        r = conn_read(c);  /* no readable edge will come for what waits */
        }
        if (r == 0 && (ready & (NETSOCK_READABLE | NETSOCK_ERROR | NETSOCK_HUP | NETSOCK_READ_HUP)) && !c->read_paused && !c->eof)
                r = conn_read(c);
        if (r == 0)
                r = conn_update_interest(token);
        if (r < 0 || (c->eof && netsock_tcp_stream_queued(c->s) == 0))
                conn_close(token);
}

static void accept_all(struct netsock_tcp_listener *l) {
        for (;;) {
                struct netsock_tcp_stream *s;
                struct conn *c;
                uint64_t token;
                int r;

                r = netsock_tcp_listener_accept(l, NETSOCK_NONBLOCK, &s, NULL);
                if (r == -EAGAIN)
                        return;
                if (r == -EINTR)
                        continue;
                if (r < 0) {
                        fprintf(stderr, "echo-server: accept: %s\n", netsock_strerror(r));
                        return;
                }
                for (token = 1; token <= MAX_CONNS && conns[token - 1]; token++)
                        ;
                c = token <= MAX_CONNS ? calloc(1, sizeof(*c)) : NULL;
                if (!c) {
                        netsock_tcp_stream_close(s);
                        continue;
                }
                c->s = s;
                c->interest = NETSOCK_READABLE;
                conns[token - 1] = c;
                r = netsock_poll_register(poller, netsock_tcp_stream_fd(s), token, NETSOCK_READABLE, NETSOCK_EDGE);
                if (r < 0)
                        echo_die("echo-server", "poll_register", r);
        }
}

int main(int argc, char **argv) {
        const char *text = argc > 1 ? argv[1] : "127.0.0.1:0";
        struct netsock_event events[64];
        struct netsock_tcp_listener *l;
        struct netsock_addr addr;
        pthread_t thread;
        sigset_t set;
        uint64_t t;
        int n, i, r;

        echo_raise_nofile(MAX_CONNS + 64);
        /* Blocked before any thread exists, so every thread inherits it and
         * only the signal thread's sigwait ever takes SIGTERM. */
        sigemptyset(&set);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGINT);
        if ((r = pthread_sigmask(SIG_BLOCK, &set, NULL)) != 0)
                echo_die("echo-server", "pthread_sigmask", -r);

        if ((r = netsock_addr_parse(&addr, text)) < 0)
                echo_die("echo-server", text, r);
        if ((r = netsock_tcp_listener_bind(&addr, NETSOCK_NONBLOCK, &l)) < 0)
                echo_die("echo-server", "bind", r);
        if ((r = netsock_tcp_listener_local_addr(l, &addr)) < 0)
                echo_die("echo-server", "local_addr", r);
        if ((r = netsock_poll_new(&poller)) < 0)
                echo_die("echo-server", "poll_new", r);
        if ((r = netsock_poll_register(poller, netsock_tcp_listener_fd(l), LISTENER_TOKEN, NETSOCK_READABLE, NETSOCK_EDGE)) < 0)
                echo_die("echo-server", "poll_register", r);
        if ((r = pthread_create(&thread, NULL, signal_thread, &set)) != 0)
                echo_die("echo-server", "pthread_create", -r);
        printf("%d\n", netsock_addr_port(&addr));
        fflush(stdout);

        while (!__atomic_load_n(&stop_requested, __ATOMIC_SEQ_CST)) {
                n = netsock_poll_wait(poller, events, sizeof(events) / sizeof(events[0]), -1);
                if (n < 0)
                        echo_die("echo-server", "poll_wait", n);
                for (i = 0; i < n; i++) {
                        t = events[i].token;
                        if (t == NETSOCK_WAKE_TOKEN)
                                continue;  /* the loop condition says why */
                        if (t == LISTENER_TOKEN)
                                accept_all(l);
                        else if (conns[t - 1])
                                conn_event(t, events[i].ready);
                }
        }

        for (t = 1; t <= MAX_CONNS; t++)
                if (conns[t - 1])
                        conn_close(t);
        netsock_tcp_listener_close(l);
        pthread_join(thread, NULL);
        netsock_poll_close(poller);
        fprintf(stderr, "echo-server: stopped after %lu connections\n", served);
        return 0;
}
