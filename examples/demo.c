/* SPDX-License-Identifier: MIT */
/*
 * libnetsock demo: each module in a few lines, printing what happened.
 *
 *  1. Unix stream: a listener in a private directory, a client that
 *     connects, an echo, a pipe passed as an fd, and the peer's credentials.
 *  2. Seqpacket: packets keep their boundaries; truncation is reported.
 *  3. TCP: a socket built with options, listening on 127.0.0.1:0.
 *  4. Poll: a nonblocking TCP echo driven only by readiness events.
 *
 * Build against an installed library:
 *     cc demo.c $(pkg-config --cflags --libs libnetsock)
 */
#include <netsock.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHECK(call) do {                                                     \
                int r_ = (int) (call);                                       \
                if (r_ < 0) {                                                \
                        fprintf(stderr, "%s:%d: %s: %s (%s)\n", __FILE__,    \
                                __LINE__, #call, netsock_strerror(r_),       \
                                netsock_errname(r_));                        \
                        exit(1);                                             \
                }                                                            \
        } while (0)

static void unix_stream_demo(void) {
        char dir[] = "/tmp/netsock-demo-XXXXXX", path[64], buf[64], text[NETSOCK_ADDRSTRLEN];
        struct netsock_unix_listener *l;
        struct netsock_unix_stream *client, *server;
        struct netsock_creds creds;
        int pipefd[2], fd;
        size_t nfds = 1;
        unsigned flags = 0;
        ssize_t n;

        if (!mkdtemp(dir)) {
                perror("mkdtemp");
                exit(1);
        }
        snprintf(path, sizeof(path), "%s/echo.sock", dir);
        CHECK(netsock_unix_listener_bind(path, NETSOCK_REMOVE_ON_CLOSE, &l));
        CHECK(netsock_unix_stream_connect(path, 0, &client));
        CHECK(netsock_unix_listener_accept(l, 0, &server, NULL));
        printf("unix_stream: listening on %s, one client connected\n", path);

        CHECK(netsock_unix_stream_send_all(client, "ping", 4));
        n = netsock_unix_stream_recv_exact(server, buf, 4);
        CHECK(n);
        CHECK(netsock_unix_stream_send_all(server, buf, (size_t) n));
        n = netsock_unix_stream_recv_exact(client, buf, 4);
        CHECK(n);
        printf("unix_stream: echoed \"%.*s\"\n", (int) n, buf);

        /* Pass the write end of a pipe; the server writes through it. */
        if (pipe(pipefd) < 0) {
                perror("pipe");
                exit(1);
        }
        CHECK(netsock_unix_stream_send_fds(client, "fd", 2, &pipefd[1], 1));
        close(pipefd[1]);
        n = netsock_unix_stream_recv_fds(server, buf, sizeof(buf), &fd, &nfds, &flags);
        CHECK(n);
        printf("unix_stream: received %zu fd with \"%.*s\" (flags 0x%x)\n", nfds, (int) n, buf, flags);
        if (write(fd, "through the passed fd", 21) != 21)
                perror("write");
        close(fd);
        n = read(pipefd[0], buf, sizeof(buf));
        close(pipefd[0]);
        printf("unix_stream: the pipe says \"%.*s\"\n", (int) (n > 0 ? n : 0), buf);

        CHECK(netsock_unix_stream_peer_credentials(server, &creds));
        printf("unix_stream: peer is pid %ld uid %ld gid %ld (we are pid %ld)\n",
               (long) creds.pid, (long) creds.uid, (long) creds.gid, (long) getpid());
        {
                struct netsock_addr a;

                CHECK(netsock_unix_stream_local_addr(client, &a));
                CHECK(netsock_addr_format(&a, text, sizeof(text)));
                printf("unix_stream: client address %s, ", text);
                CHECK(netsock_unix_stream_peer_addr(client, &a));
                CHECK(netsock_addr_format(&a, text, sizeof(text)));
                printf("server address %s\n", text);
        }
        netsock_unix_stream_close(client);
        netsock_unix_stream_close(server);
        netsock_unix_listener_close(l);  /* removes the socket file */
        printf("unix_stream: socket file removed on close: %s\n", access(path, F_OK) ? "yes" : "no");
        rmdir(dir);
}

static void seqpacket_demo(void) {
        struct netsock_seqpacket *a, *b;
        char buf[8];
        bool truncated = false;
        ssize_t n;

        CHECK(netsock_seqpacket_pair(NETSOCK_NONBLOCK, &a, &b));
        CHECK(netsock_seqpacket_send(a, "first", 5));
        CHECK(netsock_seqpacket_send(a, "this is it", 10));
        n = netsock_seqpacket_recv(b, buf, sizeof(buf), &truncated);
        CHECK(n);
        printf("seqpacket: packet 1: \"%.*s\" (%zd bytes, truncated: %s)\n", (int) n, buf, n, truncated ? "yes" : "no");
        n = netsock_seqpacket_next_packet_len(b);
        CHECK(n);
        printf("seqpacket: packet 2 is %zd bytes long\n", n);
        n = netsock_seqpacket_recv(b, buf, sizeof(buf), &truncated);
        CHECK(n);
        printf("seqpacket: packet 2 into 8 bytes: \"%.*s\" (truncated: %s)\n", (int) n, buf, truncated ? "yes" : "no");
        n = netsock_seqpacket_recv(b, buf, sizeof(buf), &truncated);
        printf("seqpacket: nothing left: %s\n", netsock_errname((int) n));
        netsock_seqpacket_close(a);
        netsock_seqpacket_close(b);
}

static void tcp_socket_demo(struct netsock_tcp_listener **ret_l, struct netsock_addr *ret_addr) {
        struct netsock_tcp_socket *s;
        struct netsock_addr any;
        char text[NETSOCK_ADDRSTRLEN];
        size_t bufsize = 0;
        int linger = 0;

        CHECK(netsock_tcp_socket_new_v4(NETSOCK_NONBLOCK, &s));
        CHECK(netsock_tcp_socket_set_reuseaddr(s, true));
        CHECK(netsock_tcp_socket_set_recv_buffer_size(s, 65536));
        CHECK(netsock_tcp_socket_recv_buffer_size(s, &bufsize));
        CHECK(netsock_tcp_socket_linger(s, &linger));
        CHECK(netsock_addr_parse(&any, "127.0.0.1:0"));
        CHECK(netsock_tcp_socket_bind(s, &any));
        CHECK(netsock_tcp_socket_listen(s, 128, ret_l));
        CHECK(netsock_tcp_listener_local_addr(*ret_l, ret_addr));
        CHECK(netsock_addr_format(ret_addr, text, sizeof(text)));
        printf("tcp_socket: listening on %s (asked for a 65536-byte receive buffer, the kernel holds %zu; linger %d)\n",
               text, bufsize, linger);
}

enum { LISTENER = 1, CLIENT = 2, SERVER = 3 };

static void poll_demo(struct netsock_tcp_listener *l, const struct netsock_addr *addr) {
        struct netsock_poll *p;
        struct netsock_tcp_stream *client, *server = NULL;
        struct netsock_event ev[8];
        char buf[64];
        bool sent = false, done = false;
        int round, i, n;

        CHECK(netsock_poll_new(&p));
        CHECK(netsock_poll_register(p, netsock_tcp_listener_fd(l), LISTENER, NETSOCK_READABLE, NETSOCK_LEVEL));
        CHECK(netsock_tcp_stream_connect(addr, NETSOCK_NONBLOCK, &client));
        CHECK(netsock_poll_register(p, netsock_tcp_stream_fd(client), CLIENT, NETSOCK_READABLE | NETSOCK_WRITABLE, NETSOCK_EDGE));
        for (round = 0; round < 50 && !done; round++) {
                n = netsock_poll_wait(p, ev, 8, 100);
                CHECK(n);
                for (i = 0; i < n; i++) {
                        if (ev[i].token == LISTENER) {
                                CHECK(netsock_tcp_listener_accept(l, NETSOCK_NONBLOCK, &server, NULL));
                                CHECK(netsock_poll_register(p, netsock_tcp_stream_fd(server), SERVER, NETSOCK_READABLE, NETSOCK_LEVEL));
                                printf("poll: listener readable, accepted a connection\n");
                        } else if (ev[i].token == CLIENT && (ev[i].ready & NETSOCK_WRITABLE) && !sent) {
                                CHECK(netsock_tcp_stream_finish_connect(client));
                                CHECK(netsock_tcp_stream_send(client, "hello", 5));
                                sent = true;
                                printf("poll: client writable, connect finished, sent \"hello\"\n");
                        } else if (ev[i].token == SERVER && (ev[i].ready & NETSOCK_READABLE)) {
                                ssize_t m = netsock_tcp_stream_recv(server, buf, sizeof(buf));

                                CHECK(m);
                                CHECK(netsock_tcp_stream_send(server, buf, (size_t) m));
                                printf("poll: server readable, echoed %zd bytes\n", m);
                        } else if (ev[i].token == CLIENT && (ev[i].ready & NETSOCK_READABLE)) {
                                ssize_t m = netsock_tcp_stream_recv(client, buf, sizeof(buf));

                                CHECK(m);
                                printf("poll: client readable, got \"%.*s\" back\n", (int) m, buf);
                                done = true;
                        }
                }
        }
        printf("poll: echo %s after %d waits\n", done ? "complete" : "NOT complete", round);
        netsock_poll_close(p);
        netsock_tcp_stream_close(client);
        netsock_tcp_stream_close(server);
        if (!done)
                exit(1);
}

int main(void) {
        struct netsock_tcp_listener *l;
        struct netsock_addr addr;

        printf("libnetsock %s\n", netsock_version());
        unix_stream_demo();
        seqpacket_demo();
        tcp_socket_demo(&l, &addr);
        poll_demo(l, &addr);
        netsock_tcp_listener_close(l);
        return 0;
}
