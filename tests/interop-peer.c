/* SPDX-License-Identifier: MIT */
/*
 * The library's side of the interop checks (tests/check-interop.sh runs it
 * against Debian's python3 and socat): one connection, one short exchange,
 * verified, as a user's program would do it.
 *
 *   interop-peer serve   KIND ADDR   bind ADDR, print "ready <address>" on
 *                                    stdout, accept one client, serve it
 *   interop-peer connect KIND ADDR   connect to ADDR and talk
 *
 * KIND and the exchange (client first, then server):
 *   stream, seqpacket, tcp  "ping\n"  ->  "pong\n"
 *   fds     "fd\n" with one fd (a pipe holding "through-fd\n")  ->  the
 *           bytes the server read from that fd
 *   creds   "creds\n" with SCM_CREDENTIALS  ->  "ok\n", once the server
 *           found them equal to the client's SO_PEERCRED
 * ADDR is netsock_addr_parse text: "/path", "@abstract", "127.0.0.1:0",
 * "[::1]:0".  Exit 0 when the exchange was right; else a message on stderr
 * and exit 1.  An alarm ends it after 20 s whatever happens.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netsock.h>

static const char *kind;

static void die(const char *what, int r) {
        fprintf(stderr, "interop-peer %s: %s: %s\n", kind, what, r < 0 ? netsock_strerror(r) : "wrong");
        exit(1);
}

#define TRY(call) do { int r_ = (int) (call); if (r_ < 0) die(#call, r_); } while (0)

/* One connection of whichever type, with the calls the exchange needs. */
struct conn {
        struct netsock_unix_stream *us;
        struct netsock_seqpacket *sq;
        struct netsock_tcp_stream *tcp;
};

static void conn_send(struct conn *c, const char *msg) {
        size_t n = strlen(msg);

        if (c->us)
                TRY(netsock_unix_stream_send_all(c->us, msg, n));
        else if (c->tcp)
                TRY(netsock_tcp_stream_send_all(c->tcp, msg, n));
        else if (netsock_seqpacket_send(c->sq, msg, n) != (ssize_t) n)
                die("seqpacket_send", -EIO);
}

/* Receives exactly strlen(want) bytes (one packet on seqpacket) and
 * compares them with want. */
static void conn_expect(struct conn *c, const char *want) {
        char buf[256];
        size_t n = strlen(want);
        ssize_t got;
        bool trunc = false;

        memset(buf, 0, sizeof(buf));
        if (c->us)
                got = netsock_unix_stream_recv_exact(c->us, buf, n);
        else if (c->tcp)
                got = netsock_tcp_stream_recv_exact(c->tcp, buf, n);
        else
                got = netsock_seqpacket_recv(c->sq, buf, sizeof(buf) - 1, &trunc);
        if (got < 0)
                die("recv", (int) got);
        if ((size_t) got != n || trunc || memcmp(buf, want, n) != 0) {
                fprintf(stderr, "interop-peer %s: got \"%.*s\" (%zd bytes), expected \"%s\"\n",
                        kind, (int) (got > 0 ? got : 0), buf, got, want);
                exit(1);
        }
}

/* ---- the exchanges ---------------------------------------------------------- */

static void client_talk(struct conn *c) {
        if (strcmp(kind, "fds") == 0) {
                int p[2];

                if (pipe2(p, O_CLOEXEC) < 0 || write(p[1], "through-fd\n", 11) != 11)
                        die("pipe", -errno);
                close(p[1]);
                if (netsock_unix_stream_send_fds(c->us, "fd\n", 3, &p[0], 1) != 3)
                        die("send_fds", -EIO);
                close(p[0]);
                conn_expect(c, "through-fd\n");
        } else if (strcmp(kind, "creds") == 0) {
                struct netsock_creds me = { getpid(), getuid(), getgid() };
                struct netsock_ancillary anc;
                struct iovec iov = { (void *) "creds\n", 6 };

                memset(&anc, 0, sizeof(anc));
                anc.creds = &me;
                if (netsock_unix_stream_send_ancillary(c->us, &iov, 1, &anc) != 6)
                        die("send_ancillary", -EIO);
                conn_expect(c, "ok\n");
        } else {
                conn_send(c, "ping\n");
                conn_expect(c, "pong\n");
        }
}

static void server_talk(struct conn *c) {
        if (strcmp(kind, "fds") == 0) {
                char buf[8], data[64];
                int fd = -1;
                size_t nfds = 1;
                unsigned flags = 0;
                ssize_t n = netsock_unix_stream_recv_fds(c->us, buf, 3, &fd, &nfds, &flags);

                if (n != 3 || memcmp(buf, "fd\n", 3) != 0 || nfds != 1 || flags != 0)
                        die("recv_fds", n < 0 ? (int) n : -EIO);
                if ((fcntl(fd, F_GETFD) & FD_CLOEXEC) == 0)
                        die("received fd is not close-on-exec", -EIO);
                n = read(fd, data, sizeof(data) - 1);
                close(fd);
                if (n <= 0)
                        die("read from the received fd", -errno);
                data[n] = '\0';
                conn_send(c, data);
        } else if (strcmp(kind, "creds") == 0) {
                struct netsock_creds got, peer;
                struct netsock_ancillary anc;
                char buf[8];
                struct iovec iov = { buf, 6 };
                ssize_t n;

                memset(&anc, 0, sizeof(anc));
                anc.creds = &got;
                n = netsock_unix_stream_recv_ancillary(c->us, &iov, 1, &anc);
                if (n != 6 || memcmp(buf, "creds\n", 6) != 0 || !(anc.flags & NETSOCK_MSG_CREDS))
                        die("recv_ancillary with credentials", n < 0 ? (int) n : -EIO);
                TRY(netsock_unix_stream_peer_credentials(c->us, &peer));
                if (got.pid != peer.pid || got.uid != peer.uid || got.gid != peer.gid) {
                        fprintf(stderr, "interop-peer creds: passed %ld/%ld/%ld, peer is %ld/%ld/%ld\n",
                                (long) got.pid, (long) got.uid, (long) got.gid,
                                (long) peer.pid, (long) peer.uid, (long) peer.gid);
                        exit(1);
                }
                conn_send(c, "ok\n");
        } else {
                conn_expect(c, "ping\n");
                conn_send(c, "pong\n");
        }
}

/* ---- connecting and serving ----------------------------------------------------- */

static bool is_unix(void) {
        return strcmp(kind, "tcp") != 0;
}

static void connect_to(const char *text, struct conn *c) {
        struct netsock_addr a;

        TRY(netsock_addr_parse(&a, text));
        if (!is_unix())
                TRY(netsock_tcp_stream_connect(&a, 0, &c->tcp));
        else if (strcmp(kind, "seqpacket") == 0)
                TRY(netsock_seqpacket_connect_addr(&a, 0, &c->sq));
        else
                TRY(netsock_unix_stream_connect_addr(&a, 0, &c->us));
}

static void ready(const struct netsock_addr *a) {
        char text[NETSOCK_ADDRSTRLEN];

        TRY(netsock_addr_format(a, text, sizeof(text)));
        printf("ready %s\n", text);
        fflush(stdout);
}

static void serve(const char *text, struct conn *c) {
        struct netsock_addr a;

        TRY(netsock_addr_parse(&a, text));
        if (!is_unix()) {
                struct netsock_tcp_listener *l;

                TRY(netsock_tcp_listener_bind(&a, 0, &l));
                TRY(netsock_tcp_listener_local_addr(l, &a));
                ready(&a);
                TRY(netsock_tcp_listener_accept(l, 0, &c->tcp, NULL));
                netsock_tcp_listener_close(l);
        } else if (strcmp(kind, "seqpacket") == 0) {
                struct netsock_seqpacket_listener *l;

                TRY(netsock_seqpacket_listener_bind_addr(&a, NETSOCK_REMOVE_ON_CLOSE, &l));
                TRY(netsock_seqpacket_listener_local_addr(l, &a));
                ready(&a);
                TRY(netsock_seqpacket_listener_accept(l, 0, &c->sq, NULL));
                netsock_seqpacket_listener_close(l);
        } else {
                struct netsock_unix_listener *l;

                TRY(netsock_unix_listener_bind_addr(&a, NETSOCK_REMOVE_ON_CLOSE, &l));
                if (strcmp(kind, "creds") == 0)
                        TRY(netsock_unix_listener_set_passcred(l, true));
                TRY(netsock_unix_listener_local_addr(l, &a));
                ready(&a);
                TRY(netsock_unix_listener_accept(l, 0, &c->us, NULL));
                netsock_unix_listener_close(l);
        }
}

int main(int argc, char **argv) {
        struct conn c = { NULL, NULL, NULL };

        if (argc != 4 || (strcmp(argv[1], "serve") != 0 && strcmp(argv[1], "connect") != 0)) {
                fprintf(stderr, "usage: interop-peer serve|connect stream|seqpacket|tcp|fds|creds ADDR\n");
                return 2;
        }
        kind = argv[2];
        alarm(20);
        if (strcmp(argv[1], "serve") == 0) {
                serve(argv[3], &c);
                server_talk(&c);
        } else {
                connect_to(argv[3], &c);
                client_talk(&c);
        }
        netsock_unix_stream_close(c.us);
        netsock_seqpacket_close(c.sq);
        netsock_tcp_stream_close(c.tcp);
        return 0;
}
