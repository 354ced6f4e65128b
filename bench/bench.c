/* SPDX-License-Identifier: MIT */
/*
 * Overhead of libnetsock over the raw system calls it wraps.
 *
 * Each case does the same work twice, once with raw syscalls and once
 * through the library, in one process over a socketpair (no scheduler
 * ping-pong in the numbers), and prints nanoseconds per operation.  Run it
 * with `make bench`; for counts that do not depend on the machine's load,
 * run it under `valgrind --tool=callgrind`.  It is never part of make check:
 * a timing is not a test result.
 */
#include <netsock.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec * 1e9 + (double) ts.tv_nsec;
}

static void die(const char *what, int r) {
        fprintf(stderr, "%s: %s\n", what, netsock_strerror(r));
        exit(1);
}

static void report(const char *name, double raw, double lib, long n) {
        printf("%-28s raw %8.1f ns/op   libnetsock %8.1f ns/op   (%+.1f%%)\n", name, raw / (double) n, lib / (double) n,
               (lib - raw) * 100.0 / raw);
}

/* 64-byte send + recv. */
static void bench_send_recv(long n) {
        struct netsock_unix_stream *a, *b;
        char buf[64] = { 0 };
        double t0, raw, lib;
        long i;
        int r;

        if ((r = netsock_unix_stream_pair(0, &a, &b)) < 0)
                die("pair", r);
        t0 = now_ns();
        for (i = 0; i < n; i++) {
                if (send(netsock_unix_stream_fd(a), buf, sizeof(buf), MSG_NOSIGNAL) != sizeof(buf) ||
                    recv(netsock_unix_stream_fd(b), buf, sizeof(buf), 0) != sizeof(buf))
                        die("raw", -EIO);
        }
        raw = now_ns() - t0;
        t0 = now_ns();
        for (i = 0; i < n; i++) {
                if (netsock_unix_stream_send(a, buf, sizeof(buf)) != sizeof(buf) ||
                    netsock_unix_stream_recv(b, buf, sizeof(buf)) != sizeof(buf))
                        die("lib", -EIO);
        }
        lib = now_ns() - t0;
        report("unix_stream send+recv 64B", raw, lib, n);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}

/* One fd passed and received (and closed) per operation. */
static void bench_fds(long n) {
        struct netsock_unix_stream *a, *b;
        char c = 'x', cbuf[CMSG_SPACE(sizeof(int))];
        double t0, raw, lib;
        long i;
        int r, fd = STDIN_FILENO, got;
        size_t nfds;

        if ((r = netsock_unix_stream_pair(0, &a, &b)) < 0)
                die("pair", r);
        t0 = now_ns();
        for (i = 0; i < n; i++) {
                struct iovec iov = { &c, 1 };
                struct msghdr m;
                struct cmsghdr *h;

                memset(&m, 0, sizeof(m));
                m.msg_iov = &iov;
                m.msg_iovlen = 1;
                m.msg_control = cbuf;
                m.msg_controllen = sizeof(cbuf);
                h = CMSG_FIRSTHDR(&m);
                h->cmsg_level = SOL_SOCKET;
                h->cmsg_type = SCM_RIGHTS;
                h->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(h), &fd, sizeof(int));
                if (sendmsg(netsock_unix_stream_fd(a), &m, MSG_NOSIGNAL) != 1)
                        die("raw sendmsg", -EIO);
                m.msg_controllen = sizeof(cbuf);
                if (recvmsg(netsock_unix_stream_fd(b), &m, MSG_CMSG_CLOEXEC) != 1)
                        die("raw recvmsg", -EIO);
                memcpy(&got, CMSG_DATA(CMSG_FIRSTHDR(&m)), sizeof(int));
                close(got);
        }
        raw = now_ns() - t0;
        t0 = now_ns();
        for (i = 0; i < n; i++) {
                nfds = 1;
                if (netsock_unix_stream_send_fds(a, &c, 1, &fd, 1) != 1 ||
                    netsock_unix_stream_recv_fds(b, &c, 1, &got, &nfds, NULL) != 1 || nfds != 1)
                        die("lib fds", -EIO);
                close(got);
        }
        lib = now_ns() - t0;
        report("unix_stream pass 1 fd", raw, lib, n);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}

/* One 100-byte packet, with truncation reporting. */
static void bench_seqpacket(long n) {
        struct netsock_seqpacket *a, *b;
        char buf[100] = { 0 };
        double t0, raw, lib;
        bool trunc;
        long i;
        int r;

        if ((r = netsock_seqpacket_pair(0, &a, &b)) < 0)
                die("pair", r);
        t0 = now_ns();
        for (i = 0; i < n; i++) {
                struct iovec iov = { buf, sizeof(buf) };
                struct msghdr m;

                memset(&m, 0, sizeof(m));
                m.msg_iov = &iov;
                m.msg_iovlen = 1;
                if (send(netsock_seqpacket_fd(a), buf, sizeof(buf), MSG_NOSIGNAL) != sizeof(buf) ||
                    recvmsg(netsock_seqpacket_fd(b), &m, 0) != sizeof(buf))
                        die("raw", -EIO);
        }
        raw = now_ns() - t0;
        t0 = now_ns();
        for (i = 0; i < n; i++) {
                if (netsock_seqpacket_send(a, buf, sizeof(buf)) != sizeof(buf) ||
                    netsock_seqpacket_recv(b, buf, sizeof(buf), &trunc) != sizeof(buf))
                        die("lib", -EIO);
        }
        lib = now_ns() - t0;
        report("seqpacket send+recv 100B", raw, lib, n);
        netsock_seqpacket_close(a);
        netsock_seqpacket_close(b);
}

int main(int argc, char **argv) {
        long n = argc > 1 ? atol(argv[1]) : 200000;

        if (n <= 0)
                n = 200000;
        printf("libnetsock %s, %ld operations per case\n", netsock_version(), n);
        bench_send_recv(n);
        bench_fds(n / 4);
        bench_seqpacket(n);
        return 0;
}
