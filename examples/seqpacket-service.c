/* SPDX-License-Identifier: MIT */
/*
 * seqpacket-service: a request/response service over Unix seqpacket
 * sockets, and a client that pipelines its requests on the poller.
 *
 *   seqpacket-service serve NAME           serve until SIGTERM (or SIGINT)
 *   seqpacket-service client NAME N DEPTH  send N requests, at most DEPTH
 *                                          outstanding, check every answer
 *
 * NAME is a path or "@abstract".  A request is one packet "<seq> <text>";
 * the answer is one packet "<seq> <TEXT>" (the text in upper case).
 * Packets keep their boundaries, so neither side frames anything.
 *
 * The server is one thread on one netsock_poll: the listener and every
 * connection are registered level-triggered; a readable connection gets
 * one request read and answered.  A connection whose answer would block
 * (its peer does not read) is closed: a real service would queue.
 *
 * The client is nonblocking and edge-triggered: it keeps DEPTH requests in
 * flight, sends while the socket takes them, and reads answers as they
 * come, checking that they arrive in order and say the right thing.
 */
#include <netsock.h>

#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LISTENER_TOKEN 0
#define MAX_CONN 1024

static volatile sig_atomic_t stop;

static void on_signal(int sig) {
        (void) sig;
        stop = 1;
}

static int fail(const char *what, int r) {
        fprintf(stderr, "seqpacket-service: %s: %s\n", what, netsock_strerror(r));
        return 1;
}

/* ---- server -------------------------------------------------------------- */

struct server {
        struct netsock_poll *poll;
        struct netsock_seqpacket_listener *l;
        struct netsock_seqpacket *conn[MAX_CONN];  /* token i + 1 */
};

static void drop(struct server *sv, size_t i) {
        (void) netsock_poll_deregister(sv->poll, netsock_seqpacket_fd(sv->conn[i]));
        netsock_seqpacket_close(sv->conn[i]);
        sv->conn[i] = NULL;
}

static void accept_one(struct server *sv) {
        struct netsock_seqpacket *c;
        size_t i;

        if (netsock_seqpacket_listener_accept(sv->l, NETSOCK_NONBLOCK, &c, NULL) < 0)
                return;  /* -EAGAIN: another event took it; -EMFILE: try later */
        for (i = 0; i < MAX_CONN && sv->conn[i]; i++)
                ;
        if (i == MAX_CONN || netsock_poll_register(sv->poll, netsock_seqpacket_fd(c), i + 1, NETSOCK_READABLE, 0) < 0) {
                netsock_seqpacket_close(c);
                return;
        }
        sv->conn[i] = c;
}

static void answer(struct server *sv, size_t i) {
        char buf[512];
        bool truncated = false;
        ssize_t n = netsock_seqpacket_recv(sv->conn[i], buf, sizeof(buf), &truncated), k;

        if (n == -EAGAIN)
                return;
        if (n <= 0 || truncated) {
                drop(sv, i);  /* hang-up, error, or a request too long */
                return;
        }
        for (k = 0; k < n; k++)
                buf[k] = (char) toupper((unsigned char) buf[k]);
        if (netsock_seqpacket_send(sv->conn[i], buf, (size_t) n) != n)
                drop(sv, i);
}

static int serve(const char *name) {
        struct server sv;
        struct sigaction sa;
        int r;
        size_t i;

        memset(&sv, 0, sizeof(sv));
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_signal;
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        if ((r = netsock_poll_new(&sv.poll)) < 0)
                return fail("poll_new", r);
        r = netsock_seqpacket_listener_bind(name, NETSOCK_NONBLOCK | NETSOCK_REMOVE_ON_CLOSE | NETSOCK_REPLACE_STALE, &sv.l);
        if (r < 0)
                return fail(name, r);
        r = netsock_poll_register(sv.poll, netsock_seqpacket_listener_fd(sv.l), LISTENER_TOKEN, NETSOCK_READABLE, 0);
        if (r < 0)
                return fail("register", r);
        printf("seqpacket-service: serving on %s\n", name);
        fflush(stdout);
        while (!stop) {
                struct netsock_event ev[64];
                int n = netsock_poll_wait(sv.poll, ev, 64, 200), k;

                if (n < 0 && n != -EINTR)
                        return fail("poll_wait", n);
                for (k = 0; k < n; k++) {
                        if (ev[k].token == LISTENER_TOKEN)
                                accept_one(&sv);
                        else if (ev[k].token <= MAX_CONN && sv.conn[ev[k].token - 1])
                                answer(&sv, (size_t) ev[k].token - 1);
                }
        }
        for (i = 0; i < MAX_CONN; i++)
                if (sv.conn[i])
                        drop(&sv, i);
        netsock_seqpacket_listener_close(sv.l);
        netsock_poll_close(sv.poll);
        return 0;
}

/* ---- pipelining client ----------------------------------------------------- */

static void request_text(unsigned long seq, char *buf, size_t size, bool upper) {
        snprintf(buf, size, "%lu %s-%lu", seq, upper ? "REQUEST" : "request", seq * 2654435761ul % 1000003);
}

static int client(const char *name, unsigned long n, unsigned long depth) {
        struct netsock_seqpacket *s;
        struct netsock_poll *p;
        unsigned long sent = 0, answered = 0;
        int r;

        if (depth == 0)
                depth = 1;
        if ((r = netsock_seqpacket_connect(name, NETSOCK_NONBLOCK, &s)) < 0)
                return fail(name, r);
        if ((r = netsock_poll_new(&p)) < 0)
                return fail("poll_new", r);
        r = netsock_poll_register(p, netsock_seqpacket_fd(s), 1, NETSOCK_READABLE | NETSOCK_WRITABLE, NETSOCK_EDGE);
        if (r < 0)
                return fail("register", r);
        /* Edge-triggered: wait only after the socket said -EAGAIN for what
         * we wait for (or the depth limit holds sends back until answers,
         * which come with a readable edge). */
        while (answered < n) {
                char buf[512], want[512];
                bool progressed = false;
                ssize_t got;

                while (sent < n && sent - answered < depth) {
                        request_text(sent, buf, sizeof(buf), false);
                        got = netsock_seqpacket_send(s, buf, strlen(buf));
                        if (got == -EAGAIN)
                                break;
                        if (got < 0)
                                return fail("send", (int) got);
                        sent++;
                        progressed = true;
                }
                for (;;) {
                        bool truncated = false;

                        got = netsock_seqpacket_recv(s, buf, sizeof(buf) - 1, &truncated);
                        if (got == -EAGAIN)
                                break;
                        if (got <= 0)
                                return fail("recv", got == 0 ? -ECONNRESET : (int) got);
                        buf[got] = '\0';
                        request_text(answered, want, sizeof(want), true);
                        if (truncated || strcmp(buf, want) != 0) {
                                fprintf(stderr, "seqpacket-service: answer %lu is \"%s\", not \"%s\"\n", answered, buf, want);
                                return 1;
                        }
                        answered++;
                        progressed = true;
                }
                if (!progressed) {
                        struct netsock_event ev[4];
                        int k = netsock_poll_wait(p, ev, 4, 5000);

                        if (k == 0)
                                return fail("no answer within 5 s", -ETIMEDOUT);
                        if (k < 0 && k != -EINTR)
                                return fail("poll_wait", k);
                }
        }
        printf("seqpacket-service: %lu answers, in order, at most %lu in flight\n", answered, depth);
        netsock_poll_close(p);
        netsock_seqpacket_close(s);
        return 0;
}

int main(int argc, char **argv) {
        if (argc == 3 && strcmp(argv[1], "serve") == 0)
                return serve(argv[2]);
        if (argc == 5 && strcmp(argv[1], "client") == 0)
                return client(argv[2], strtoul(argv[3], NULL, 10), strtoul(argv[4], NULL, 10));
        fprintf(stderr, "usage: seqpacket-service serve NAME | seqpacket-service client NAME N DEPTH\n");
        return 2;
}
