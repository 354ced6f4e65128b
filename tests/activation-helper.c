/* SPDX-License-Identifier: MIT */
/*
 * A socket-activated service for tests/check-activation.sh, run under
 * systemd-socket-activate:
 *
 *   activation-helper KIND:NAME ...
 *
 * expects exactly one passed fd per argument, in order, named NAME, of
 * KIND unix-listener, tcp-listener, unix-stream or tcp-stream (the last two
 * with --accept).  It wraps each with its typed from_fd call, takes one
 * connection from each listener (or uses the connected socket) and replies
 * "NAME KIND\n" on it.  Exit status 0 only if everything matched; what did
 * not goes to stderr.  An alarm ends it if no client comes.
 *
 * The script's other tools, so that it needs nothing but this program:
 *
 *   activation-helper --free-port        prints a TCP port of 127.0.0.1
 *                                        that was free a moment ago
 *   activation-helper --connect ADDRESS  connects to ADDRESS (a Unix path,
 *                                        or 127.0.0.1:PORT), prints all it
 *                                        receives until EOF
 */
#include "config.h"

#include <netsock.h>
#include <netsock/activation.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_FDS 8

static int fail(const char *what, int r) {
        fprintf(stderr, "activation-helper: %s: %s\n", what, netsock_strerror(r));
        return 1;
}

static int reply_unix(struct netsock_unix_stream *s, const char *text) {
        int r = netsock_unix_stream_send_all(s, text, strlen(text));

        netsock_unix_stream_close(s);
        return r < 0 ? fail("send", r) : 0;
}

static int reply_tcp(struct netsock_tcp_stream *s, const char *text) {
        int r = netsock_tcp_stream_send_all(s, text, strlen(text));

        netsock_tcp_stream_close(s);
        return r < 0 ? fail("send", r) : 0;
}

/* Wraps fd as kind, serves one client with text; 0 or 1. */
static int serve(int fd, const char *kind, const char *text) {
        int r;

        if (strcmp(kind, "unix-listener") == 0) {
                struct netsock_unix_listener *l;
                struct netsock_unix_stream *s;

                if ((r = netsock_unix_listener_from_fd(fd, &l)) < 0)
                        return fail("unix_listener_from_fd", r);
                r = netsock_unix_listener_accept(l, 0, &s, NULL);
                netsock_unix_listener_close(l);
                return r < 0 ? fail("accept", r) : reply_unix(s, text);
        }
        if (strcmp(kind, "tcp-listener") == 0) {
                struct netsock_tcp_listener *l;
                struct netsock_tcp_stream *s;

                if ((r = netsock_tcp_listener_from_fd(fd, &l)) < 0)
                        return fail("tcp_listener_from_fd", r);
                r = netsock_tcp_listener_accept(l, 0, &s, NULL);
                netsock_tcp_listener_close(l);
                return r < 0 ? fail("accept", r) : reply_tcp(s, text);
        }
        if (strcmp(kind, "unix-stream") == 0) {
                struct netsock_unix_stream *s;

                if ((r = netsock_unix_stream_from_fd(fd, &s)) < 0)
                        return fail("unix_stream_from_fd", r);
                return reply_unix(s, text);
        }
        if (strcmp(kind, "tcp-stream") == 0) {
                struct netsock_tcp_stream *s;

                if ((r = netsock_tcp_stream_from_fd(fd, &s)) < 0)
                        return fail("tcp_stream_from_fd", r);
                return reply_tcp(s, text);
        }
        fprintf(stderr, "activation-helper: unknown kind %s\n", kind);
        return 1;
}

static int free_port(void) {
        struct netsock_addr a;
        struct netsock_tcp_listener *l;
        int r;

        if ((r = netsock_addr_parse(&a, "127.0.0.1:0")) < 0 ||
            (r = netsock_tcp_listener_bind(&a, 0, &l)) < 0)
                return fail("bind 127.0.0.1:0", r);
        r = netsock_tcp_listener_local_addr(l, &a);
        netsock_tcp_listener_close(l);
        if (r < 0)
                return fail("local_addr", r);
        printf("%d\n", netsock_addr_port(&a));
        return 0;
}

/* Prints what fd receives until EOF (at most 10 s per read), closes it. */
static int print_until_eof(int fd) {
        struct pollfd p = { .fd = fd, .events = POLLIN, .revents = 0 };
        char buf[512];
        ssize_t n = 1;

        while (n > 0) {
                if (poll(&p, 1, 10000) != 1) {
                        n = -1;
                        break;
                }
                n = read(fd, buf, sizeof(buf));
                if (n > 0)
                        fwrite(buf, 1, (size_t) n, stdout);
        }
        close(fd);
        if (n < 0) {
                fprintf(stderr, "activation-helper: no reply or read error\n");
                return 1;
        }
        return 0;
}

static int connect_and_print(const char *address) {
        struct netsock_addr a;
        int r;

        if ((r = netsock_addr_parse(&a, address)) < 0)
                return fail(address, r);
        if (netsock_addr_family(&a) == AF_UNIX) {
                struct netsock_unix_stream *s;

                if ((r = netsock_unix_stream_connect_addr(&a, 0, &s)) < 0)
                        return fail(address, r);
                return print_until_eof(netsock_unix_stream_into_fd(s));
        } else {
                struct netsock_tcp_stream *s;

                if ((r = netsock_tcp_stream_connect(&a, 0, &s)) < 0)
                        return fail(address, r);
                return print_until_eof(netsock_tcp_stream_into_fd(s));
        }
}

int main(int argc, char **argv) {
        struct netsock_listen_fd fds[MAX_FDS];
        int n, i;

        alarm(20);
        if (argc == 2 && strcmp(argv[1], "--free-port") == 0)
                return free_port();
        if (argc == 3 && strcmp(argv[1], "--connect") == 0)
                return connect_and_print(argv[2]);
        n = netsock_listen_fds(NETSOCK_LISTEN_UNSET_ENV, fds, MAX_FDS);
        if (n < 0)
                return fail("netsock_listen_fds", n);
        if (getenv("LISTEN_PID") || getenv("LISTEN_FDS") || getenv("LISTEN_FDNAMES") ||
            getenv("LISTEN_PIDFDID")) {
                fprintf(stderr, "activation-helper: LISTEN_* still set\n");
                return 1;
        }
        if (n != argc - 1 || n > MAX_FDS) {
                fprintf(stderr, "activation-helper: %d fds passed, expected %d\n", n, argc - 1);
                return 1;
        }
        for (i = 0; i < n; i++) {
                const char *arg = argv[i + 1], *colon = strchr(arg, ':');
                char kind[32], text[300];

                if (!colon || (size_t) (colon - arg) >= sizeof(kind)) {
                        fprintf(stderr, "activation-helper: bad argument %s\n", arg);
                        return 1;
                }
                memcpy(kind, arg, (size_t) (colon - arg));
                kind[colon - arg] = '\0';
                if (fds[i].fd != NETSOCK_LISTEN_FDS_START + i || strcmp(fds[i].name, colon + 1) != 0) {
                        fprintf(stderr, "activation-helper: fd %d is named '%s', expected fd %d '%s'\n",
                                fds[i].fd, fds[i].name, NETSOCK_LISTEN_FDS_START + i, colon + 1);
                        return 1;
                }
                snprintf(text, sizeof(text), "%s %s\n", fds[i].name, kind);
                if (serve(fds[i].fd, kind, text) != 0)
                        return 1;
        }
        return 0;
}
