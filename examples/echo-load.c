/* SPDX-License-Identifier: MIT */
/*
 * Load for echo-server: N clients at once on one edge-triggered
 * netsock_poll, each sending its own pattern of a few hundred KiB and
 * checking every byte that comes back.  Each client hands its whole
 * message to netsock_tcp_stream_send_queued() at once, flushes on
 * NETSOCK_WRITABLE, and shuts its sending side down once the queue is
 * empty; the server closes after echoing everything, so EOF must come
 * after exactly the bytes sent.  Exits 0 when every client got its bytes.
 *
 * Usage: echo-load ADDRESS [CLIENTS]   (default 200 clients)
 */
#include "echo-common.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#define STALL_MS 20000  /* no event for this long: the test failed */

struct client {
        struct netsock_tcp_stream *s;
        size_t size;      /* bytes sent, and expected back */
        size_t got;       /* bytes back so far, all checked */
        unsigned interest;
        bool shut;        /* sending side shut down */
};

/* Byte j of client i's message: no two clients alike, not periodic in 256. */
static unsigned char pattern(size_t i, size_t j) {
        return (unsigned char) ((j * 7 + j / 251 + i * 31 + 1) & 0xff);
}

static void client_start(struct netsock_poll *p, struct client *c, size_t i, const struct netsock_addr *addr) {
        unsigned char *buf;
        size_t j;
        ssize_t n;
        int r;

        c->size = 256 * 1024 + i * 509;
        if ((r = netsock_tcp_stream_connect(addr, 0, &c->s)) < 0)
                echo_die("echo-load", "connect", r);
        if ((r = netsock_tcp_stream_set_nonblocking(c->s, true)) < 0)
                echo_die("echo-load", "set_nonblocking", r);
        buf = malloc(c->size);
        if (!buf)
                echo_die("echo-load", "malloc", -ENOMEM);
        for (j = 0; j < c->size; j++)
                buf[j] = pattern(i, j);
        /* All of it or nothing: what the socket does not take now waits in
         * the handle's queue, so the buffer is ours again at once. */
        n = netsock_tcp_stream_send_queued(c->s, buf, c->size);
        free(buf);
        if (n < 0)
                echo_die("echo-load", "send_queued", (int) n);
        c->interest = NETSOCK_READABLE | NETSOCK_WRITABLE;
        if ((r = netsock_poll_register(p, netsock_tcp_stream_fd(c->s), i, c->interest, NETSOCK_EDGE)) < 0)
                echo_die("echo-load", "poll_register", r);
}

/* Returns true when the client is done (EOF after all its bytes). */
static bool client_event(struct netsock_poll *p, struct client *c, size_t i, unsigned ready) {
        static unsigned char buf[65536];
        ssize_t n, k;
        int r;

        if (!c->shut && (ready & (NETSOCK_WRITABLE | NETSOCK_ERROR | NETSOCK_HUP))) {
                r = netsock_tcp_stream_flush(c->s);
                if (r == 0) {
                        /* Sent: stop asking for writable, tell the server. */
                        c->interest = NETSOCK_READABLE;
                        if ((r = netsock_poll_reregister(p, netsock_tcp_stream_fd(c->s), i, c->interest, NETSOCK_EDGE)) < 0 ||
                            (r = netsock_tcp_stream_shutdown(c->s, SHUT_WR)) < 0)
                                echo_die("echo-load", "shutdown", r);
                        c->shut = true;
                } else if (r != -EAGAIN) {
                        echo_die("echo-load", "flush", r);
                }
        }
        for (;;) {
                n = netsock_tcp_stream_recv(c->s, buf, sizeof(buf));
                if (n == -EAGAIN)
                        return false;
                if (n == -EINTR)
                        continue;
                if (n < 0)
                        echo_die("echo-load", "recv", (int) n);
                if (n == 0)
                        break;
                for (k = 0; k < n; k++)
                        if (c->got + (size_t) k >= c->size || buf[k] != pattern(i, c->got + (size_t) k)) {
                                fprintf(stderr, "echo-load: client %zu: byte %zu wrong\n", i, c->got + (size_t) k);
                                exit(1);
                        }
                c->got += (size_t) n;
        }
        if (c->got != c->size || !c->shut) {
                fprintf(stderr, "echo-load: client %zu: EOF after %zu of %zu bytes\n", i, c->got, c->size);
                exit(1);
        }
        netsock_tcp_stream_close(c->s);
        c->s = NULL;
        return true;
}

int main(int argc, char **argv) {
        struct netsock_event events[64];
        struct netsock_addr addr;
        struct netsock_poll *p;
        struct client *clients;
        size_t nclients, done = 0, i, total = 0;
        int n, k, r;

        if (argc < 2) {
                fprintf(stderr, "usage: echo-load ADDRESS [CLIENTS]\n");
                return 2;
        }
        nclients = argc > 2 ? strtoul(argv[2], NULL, 10) : 200;
        if (nclients == 0)
                return 2;
        echo_raise_nofile(nclients + 64);
        if ((r = netsock_addr_parse(&addr, argv[1])) < 0)
                echo_die("echo-load", argv[1], r);
        if ((r = netsock_poll_new(&p)) < 0)
                echo_die("echo-load", "poll_new", r);
        clients = calloc(nclients, sizeof(*clients));
        if (!clients)
                echo_die("echo-load", "calloc", -ENOMEM);
        for (i = 0; i < nclients; i++) {
                client_start(p, &clients[i], i, &addr);
                total += clients[i].size;
        }
        while (done < nclients) {
                n = netsock_poll_wait(p, events, sizeof(events) / sizeof(events[0]), STALL_MS);
                if (n < 0)
                        echo_die("echo-load", "poll_wait", n);
                if (n == 0) {
                        fprintf(stderr, "echo-load: stalled with %zu of %zu clients done\n", done, nclients);
                        return 1;
                }
                for (k = 0; k < n; k++) {
                        i = (size_t) events[k].token;
                        if (i < nclients && clients[i].s && client_event(p, &clients[i], i, events[k].ready))
                                done++;
                }
        }
        free(clients);
        netsock_poll_close(p);
        printf("echo-load: %zu clients, %zu bytes each way, every byte checked\n", nclients, total);
        return 0;
}
