/* SPDX-License-Identifier: MIT */
/*
 * The side-by-side benchmark (issue 12 item 4): raw system calls,
 * libnetsock and libuv doing the same work, in two processes where there is
 * a peer.  Run it through bench/run (see bench/README); it is never part of
 * make check, since a timing is not a test result.
 *
 * Every case is measured as repetitions interleaved across the
 * implementations, so that a change of the machine's load hits all of them
 * alike, and the order rotates from one repetition to the next (raw lib uv,
 * lib uv raw, uv raw lib, ...), so that none of them always runs first.
 * The table gives the median time per operation of each, and the median of
 * the per-repetition ratios lib/raw and lib/uv with the half-width of its
 * 95 % confidence interval: the distribution-free interval of a median,
 * between two order statistics of the sorted ratios chosen from the
 * binomial distribution (no assumption about how the noise is
 * distributed).  A ratio whose interval is wider than ±NOISY is flagged: it
 * cannot tell 1.00 from 1.02, which is what the release goal asks.
 *
 * Both processes are pinned to the same CPU by default (the two take turns,
 * as a ping-pong does anyway, and the numbers are stable); --split puts
 * them on two CPUs, which measures cross-CPU wake-ups and is noisier.
 *
 * Built without libuv (configure found none) the uv column says "n/a".
 */
#include "config.h"

#include <netsock.h>

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef HAVE_UV
#include <uv.h>
#endif

#define NOISY 0.02      /* half-width of a ratio's 95 % interval above which a row is flagged */
#define MAXREPS 401     /* --reps at most */
#define MSG 64          /* ping-pong message size */
#define BATCH 32        /* packets per batch */
#define BACKLOG 4096    /* > the connections of one accept run: no SYN is ever dropped */

/* ---- plumbing ------------------------------------------------------------ */

static void die(const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        exit(2);
}

static void check(long r, const char *what) {
        if (r < 0)
                die("%s: %s", what, strerror(r == -1 ? errno : (int) -r));
}

static double now_ns(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec * 1e9 + (double) ts.tv_nsec;
}

/* The timed part of a run, set by the measured side around its loop (set-up
 * and tear-down are not in the numbers). */
static double mark0, mark1;
#define MARK_START() (mark0 = now_ns())
#define MARK_END() (mark1 = now_ns())

static int cpu_parent = -1, cpu_child = -1;

static void pin(int cpu) {
        cpu_set_t set;

        if (cpu < 0)
                return;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        check(sched_setaffinity(0, sizeof(set), &set), "sched_setaffinity");
}

/* The first and second CPU this process may run on. */
static void choose_cpus(bool split) {
        cpu_set_t set;
        int i, first = -1, second = -1;

        check(sched_getaffinity(0, sizeof(set), &set), "sched_getaffinity");
        for (i = 0; i < CPU_SETSIZE; i++) {
                if (!CPU_ISSET(i, &set))
                        continue;
                if (first < 0)
                        first = i;
                else if (second < 0)
                        second = i;
        }
        if (split && second < 0)
                die("--split needs two CPUs; this process may use one");
        cpu_parent = first;
        cpu_child = split ? second : first;
}

static void nonblock(int fd) {
        check(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK), "fcntl");
}

/* ---- transports ---------------------------------------------------------- */

enum transport { T_UNIX, T_SEQ, T_TCP };

/* A connected pair of raw fds of transport t. */
static void make_pair(enum transport t, int fds[2]) {
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof(a);
        int l, one = 1;

        if (t != T_TCP) {
                check(socketpair(AF_UNIX, (t == T_SEQ ? SOCK_SEQPACKET : SOCK_STREAM) | SOCK_CLOEXEC, 0, fds), "socketpair");
                return;
        }
        check(l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket");
        check(bind(l, (struct sockaddr *) &a, sizeof(a)), "bind");
        check(listen(l, 1), "listen");
        check(getsockname(l, (struct sockaddr *) &a, &len), "getsockname");
        check(fds[0] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket");
        check(connect(fds[0], (struct sockaddr *) &a, sizeof(a)), "connect");
        check(fds[1] = accept4(l, NULL, NULL, SOCK_CLOEXEC), "accept");
        close(l);
        check(setsockopt(fds[0], IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)), "nodelay");
        check(setsockopt(fds[1], IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)), "nodelay");
}

/* A listening socket of transport t (Unix: an abstract name) and the address
 * to connect to. */
static int make_listener(enum transport t, struct sockaddr_storage *ss, socklen_t *sslen) {
        int l;

        if (t == T_TCP) {
                struct sockaddr_in *a = (struct sockaddr_in *) ss;

                memset(ss, 0, sizeof(*ss));
                a->sin_family = AF_INET;
                a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
                *sslen = sizeof(*a);
                check(l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket");
        } else {
                struct sockaddr_un *u = (struct sockaddr_un *) ss;

                memset(ss, 0, sizeof(*ss));
                u->sun_family = AF_UNIX;
                *sslen = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + 1 +
                        (size_t) snprintf(u->sun_path + 1, sizeof(u->sun_path) - 1, "netsock-bench-%d-%ld",
                                          (int) getpid(), (long) random()));
                check(l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket");
        }
        check(bind(l, (struct sockaddr *) ss, *sslen), "bind");
        check(listen(l, BACKLOG), "listen");
        *sslen = sizeof(*ss);
        check(getsockname(l, (struct sockaddr *) ss, sslen), "getsockname");
        return l;
}

/* ---- one side of a connection, raw or through the library ---------------- */

struct side {
        enum transport t;
        int fd;
        void *h;                        /* the library's handle (lib) */
        int ep;                         /* raw: epoll fd */
        struct netsock_poll *p;         /* lib: poller */
};

/* The data operations one implementation offers.  Both sides of a case use
 * the same table; the indirect call costs the same for raw and lib. */
struct ops {
        void    (*open)(struct side *s, int fd, bool poll);
        void    (*close)(struct side *s);
        ssize_t (*send)(struct side *s, const void *buf, size_t len);
        ssize_t (*recv)(struct side *s, void *buf, size_t len);      /* one call */
        ssize_t (*recv_msg)(struct side *s, void *buf, size_t len);  /* a whole message: exact for streams */
        int     (*wait)(struct side *s);                             /* until readable */
        ssize_t (*send_fds)(struct side *s, const void *buf, size_t len, const int *fds, size_t n);
        ssize_t (*recv_fds)(struct side *s, void *buf, size_t len, int *fds, size_t *n);
        int     (*accept_close)(struct side *s);                     /* s is a listener */
        ssize_t (*send_batch)(struct side *s, struct netsock_packet *p, size_t n);
        ssize_t (*recv_batch)(struct side *s, struct netsock_packet *p, size_t n);
};

/* raw */

static void raw_open(struct side *s, int fd, bool poll) {
        struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 0 };

        s->fd = fd;
        s->ep = -1;
        if (!poll)
                return;
        nonblock(fd);
        check(s->ep = epoll_create1(EPOLL_CLOEXEC), "epoll_create1");
        check(epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev), "epoll_ctl");
}

static void raw_close(struct side *s) {
        if (s->ep >= 0)
                close(s->ep);
        close(s->fd);
}

static ssize_t raw_send(struct side *s, const void *buf, size_t len) {
        ssize_t n = send(s->fd, buf, len, MSG_NOSIGNAL);

        return n < 0 ? -errno : n;
}

static ssize_t raw_recv(struct side *s, void *buf, size_t len) {
        ssize_t n = recv(s->fd, buf, len, 0);

        return n < 0 ? -errno : n;
}

static ssize_t raw_recv_msg(struct side *s, void *buf, size_t len) {
        ssize_t n = recv(s->fd, buf, len, s->t == T_SEQ ? 0 : MSG_WAITALL);

        return n < 0 ? -errno : n;
}

static int raw_wait(struct side *s) {
        struct epoll_event ev[64];
        int n;

        do
                n = epoll_wait(s->ep, ev, 64, -1);
        while (n < 0 && errno == EINTR);
        return n < 0 ? -errno : n;
}

static ssize_t raw_send_fds(struct side *s, const void *buf, size_t len, const int *fds, size_t n) {
        union { char b[CMSG_SPACE(sizeof(int) * 16)]; struct cmsghdr align; } c;
        struct iovec iov = { (void *) buf, len };
        struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.b,
                            .msg_controllen = CMSG_SPACE(sizeof(int) * n) };
        struct cmsghdr *h = CMSG_FIRSTHDR(&m);
        ssize_t r;

        h->cmsg_level = SOL_SOCKET;
        h->cmsg_type = SCM_RIGHTS;
        h->cmsg_len = CMSG_LEN(sizeof(int) * n);
        memcpy(CMSG_DATA(h), fds, sizeof(int) * n);
        r = sendmsg(s->fd, &m, MSG_NOSIGNAL);
        return r < 0 ? -errno : r;
}

static ssize_t raw_recv_fds(struct side *s, void *buf, size_t len, int *fds, size_t *n) {
        union { char b[CMSG_SPACE(sizeof(int) * 16)]; struct cmsghdr align; } c;
        struct iovec iov = { buf, len };
        struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.b, .msg_controllen = sizeof(c.b) };
        struct cmsghdr *h;
        ssize_t r = recvmsg(s->fd, &m, MSG_CMSG_CLOEXEC);

        if (r < 0)
                return -errno;
        *n = 0;
        for (h = CMSG_FIRSTHDR(&m); h; h = CMSG_NXTHDR(&m, h))
                if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS) {
                        *n = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                        memcpy(fds, CMSG_DATA(h), *n * sizeof(int));
                }
        return r;
}

static int raw_accept_close(struct side *s) {
        int fd = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC);

        if (fd < 0)
                return -errno;
        close(fd);
        return 0;
}

/* The raw batch: sendmmsg / recvmmsg of the same packets. */
static ssize_t raw_mmsg(struct side *s, struct netsock_packet *p, size_t n, bool out) {
        struct mmsghdr m[BATCH];
        size_t i;
        int r;

        memset(m, 0, sizeof(m[0]) * n);
        for (i = 0; i < n; i++) {
                m[i].msg_hdr.msg_iov = (struct iovec *) p[i].iov;
                m[i].msg_hdr.msg_iovlen = p[i].iovcnt;
        }
        r = out ? sendmmsg(s->fd, m, (unsigned) n, MSG_NOSIGNAL) : recvmmsg(s->fd, m, (unsigned) n, MSG_WAITFORONE, NULL);
        if (r < 0)
                return -errno;
        for (i = 0; i < (size_t) r; i++)
                p[i].len = m[i].msg_len;
        return r;
}

static ssize_t raw_send_batch(struct side *s, struct netsock_packet *p, size_t n) {
        return raw_mmsg(s, p, n, true);
}

static ssize_t raw_recv_batch(struct side *s, struct netsock_packet *p, size_t n) {
        return raw_mmsg(s, p, n, false);
}

#define RAW_OPS { raw_open, raw_close, raw_send, raw_recv, raw_recv_msg, raw_wait, raw_send_fds, raw_recv_fds, \
                 raw_accept_close, raw_send_batch, raw_recv_batch }
static const struct ops raw_ops = RAW_OPS;
/* The same raw calls under another name: the control row of the poller,
 * whose raw epoll_wait sits in a function of its own (wait_in_function). */
static const struct ops rawfn_ops = RAW_OPS;

/* libnetsock */

static void lib_open(struct side *s, int fd, bool poll) {
        s->fd = fd;
        s->p = NULL;
        switch (s->t) {
        case T_UNIX: check(netsock_unix_stream_from_fd(fd, (struct netsock_unix_stream **) &s->h), "from_fd"); break;
        case T_SEQ:  check(netsock_seqpacket_from_fd(fd, (struct netsock_seqpacket **) &s->h), "from_fd"); break;
        case T_TCP:  check(netsock_tcp_stream_from_fd(fd, (struct netsock_tcp_stream **) &s->h), "from_fd"); break;
        }
        if (!poll)
                return;
        /* Nonblocking, as raw_open makes its fd: otherwise every recv of the
         * poll loop blocks in the kernel and the loop never polls. */
        switch (s->t) {
        case T_UNIX: check(netsock_unix_stream_set_nonblocking(s->h, true), "set_nonblocking"); break;
        case T_SEQ:  check(netsock_seqpacket_set_nonblocking(s->h, true), "set_nonblocking"); break;
        case T_TCP:  check(netsock_tcp_stream_set_nonblocking(s->h, true), "set_nonblocking"); break;
        }
        check(netsock_poll_new(&s->p), "poll_new");
        check(netsock_poll_register(s->p, fd, 0, NETSOCK_READABLE, NETSOCK_LEVEL), "poll_register");
}

static void lib_close(struct side *s) {
        netsock_poll_close(s->p);
        switch (s->t) {
        case T_UNIX: netsock_unix_stream_close(s->h); break;
        case T_SEQ:  netsock_seqpacket_close(s->h); break;
        case T_TCP:  netsock_tcp_stream_close(s->h); break;
        }
}

static ssize_t lib_send(struct side *s, const void *buf, size_t len) {
        switch (s->t) {
        case T_UNIX: return netsock_unix_stream_send(s->h, buf, len);
        case T_SEQ:  return netsock_seqpacket_send(s->h, buf, len);
        default:     return netsock_tcp_stream_send(s->h, buf, len);
        }
}

static ssize_t lib_recv(struct side *s, void *buf, size_t len) {
        switch (s->t) {
        case T_UNIX: return netsock_unix_stream_recv(s->h, buf, len);
        case T_SEQ:  return netsock_seqpacket_recv(s->h, buf, len, NULL);
        default:     return netsock_tcp_stream_recv(s->h, buf, len);
        }
}

static ssize_t lib_recv_msg(struct side *s, void *buf, size_t len) {
        switch (s->t) {
        case T_UNIX: return netsock_unix_stream_recv_exact(s->h, buf, len);
        case T_SEQ:  return netsock_seqpacket_recv(s->h, buf, len, NULL);
        default:     return netsock_tcp_stream_recv_exact(s->h, buf, len);
        }
}

static int lib_wait(struct side *s) {
        struct netsock_event ev[64];

        return netsock_poll_wait(s->p, ev, 64, -1);
}

static ssize_t lib_send_fds(struct side *s, const void *buf, size_t len, const int *fds, size_t n) {
        return netsock_unix_stream_send_fds(s->h, buf, len, fds, n);
}

static ssize_t lib_recv_fds(struct side *s, void *buf, size_t len, int *fds, size_t *n) {
        *n = 16;
        return netsock_unix_stream_recv_fds(s->h, buf, len, fds, n, NULL);
}

static int lib_accept_close(struct side *s) {
        if (s->t == T_TCP) {
                struct netsock_tcp_stream *c;
                int r = netsock_tcp_listener_accept(s->h, 0, &c, NULL);

                if (r == 0)
                        netsock_tcp_stream_close(c);
                return r;
        } else {
                struct netsock_unix_stream *c;
                int r = netsock_unix_listener_accept(s->h, 0, &c, NULL);

                if (r == 0)
                        netsock_unix_stream_close(c);
                return r;
        }
}

static ssize_t lib_send_batch(struct side *s, struct netsock_packet *p, size_t n) {
        return netsock_seqpacket_send_batch(s->h, p, n);
}

static ssize_t lib_recv_batch(struct side *s, struct netsock_packet *p, size_t n) {
        return netsock_seqpacket_recv_batch(s->h, p, n);
}

static const struct ops lib_ops = {
        lib_open, lib_close, lib_send, lib_recv, lib_recv_msg, lib_wait, lib_send_fds, lib_recv_fds,
        lib_accept_close, lib_send_batch, lib_recv_batch,
};

/* ---- the work, on top of an ops table ------------------------------------- */

struct bcase;
typedef void (*side_fn)(const struct bcase *c, const struct ops *o, int fd, long iters);

struct bcase {
        const char *name;
        const char *unit;               /* what one operation is */
        enum transport t;
        bool poll;                      /* poll loop instead of blocking calls */
        size_t size;                    /* message / chunk size, or fds per message, or registered fds */
        long iters;                     /* operations in a full run */
        side_fn client, server;         /* raw and lib (NULL server: one process) */
        double (*uv)(const struct bcase *c, int fd, long iters);   /* NULL: no libuv equivalent */
        const char *uv_note;
        const struct ops *impl[2];      /* the two ops tables compared (normally raw, lib) */
        const char *label[3];
};

static char buf[65536];

/* Ping-pong: the client sends MSG bytes and waits for them back. */
static void pp_exchange(const struct bcase *c, const struct ops *o, struct side *s) {
        size_t got = 0;
        ssize_t n;

        if (!c->poll) {
                check(o->recv_msg(s, buf, MSG) == MSG ? 0 : -EIO, "recv");
                return;
        }
        while (got < MSG) {
                n = o->recv(s, buf + got, MSG - got);
                if (n == -EAGAIN) {
                        check(o->wait(s), "wait");
                        continue;
                }
                check(n > 0 ? 0 : (n < 0 ? n : -EPIPE), "recv");
                got += (size_t) n;
        }
}

static void pp_client(const struct bcase *c, const struct ops *o, int fd, long iters) {
        struct side s = { .t = c->t };
        long i;

        o->open(&s, fd, c->poll);
        MARK_START();
        for (i = 0; i < iters; i++) {
                check(o->send(&s, buf, MSG) == MSG ? 0 : -EIO, "send");
                pp_exchange(c, o, &s);
        }
        MARK_END();
        o->close(&s);
}

static void pp_server(const struct bcase *c, const struct ops *o, int fd, long iters) {
        struct side s = { .t = c->t };
        long i;

        o->open(&s, fd, c->poll);
        for (i = 0; i < iters; i++) {
                pp_exchange(c, o, &s);
                check(o->send(&s, buf, MSG) == MSG ? 0 : -EIO, "send");
        }
        o->close(&s);
}

/* Idle sockets registered next to the active one (c->size pairs), in the
 * poller of that side: what a server with many quiet clients has. */
static int idle_fds[2 * 10000];

static void pp_client_idle(const struct bcase *c, const struct ops *o, int fd, long iters) {
        struct side s = { .t = c->t };
        size_t i;
        long k;

        o->open(&s, fd, true);
        for (i = 0; i < c->size; i++) {
                check(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, idle_fds + 2 * i), "socketpair");
                if (o == &raw_ops) {
                        struct epoll_event ev = { .events = EPOLLIN, .data.u64 = i + 1 };

                        check(epoll_ctl(s.ep, EPOLL_CTL_ADD, idle_fds[2 * i], &ev), "epoll_ctl");
                } else {
                        check(netsock_poll_register(s.p, idle_fds[2 * i], i + 1, NETSOCK_READABLE, NETSOCK_LEVEL), "register");
                }
        }
        MARK_START();
        for (k = 0; k < iters; k++) {
                check(o->send(&s, buf, MSG) == MSG ? 0 : -EIO, "send");
                pp_exchange(c, o, &s);
        }
        MARK_END();
        for (i = 0; i < 2 * c->size; i++)
                close(idle_fds[i]);
        o->close(&s);
}

/* Bulk: the server sends iters chunks of c->size bytes, the client takes
 * them in reads of up to the chunk size. */
static void bulk_client(const struct bcase *c, const struct ops *o, int fd, long iters) {
        struct side s = { .t = c->t };
        size_t want = c->size * (size_t) iters, got = 0;
        ssize_t n;

        o->open(&s, fd, false);
        MARK_START();
        while (got < want) {
                n = o->recv(&s, buf, c->size);
                check(n > 0 ? 0 : (n < 0 ? n : -EPIPE), "recv");
                got += (size_t) n;
        }
        MARK_END();
        o->close(&s);
}

static void bulk_server(const struct bcase *c, const struct ops *o, int fd, long iters) {
        struct side s = { .t = c->t };
        long i;
        size_t off;
        ssize_t n;

        o->open(&s, fd, false);
        for (i = 0; i < iters; i++)
                for (off = 0; off < c->size; off += (size_t) n) {
                        n = o->send(&s, buf + off, c->size - off);
                        check(n, "send");
                }
        o->close(&s);
}

/* Fd passing: the client sends c->size fds with one byte, the server
 * receives and closes them and answers one byte. */
static void fds_client(const struct bcase *c, const struct ops *o, int fd, long iters) {
        struct side s = { .t = T_UNIX };
        int fds[16], devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
        size_t i;
        long k;

        check(devnull, "open /dev/null");
        for (i = 0; i < c->size; i++)
                fds[i] = devnull;
        o->open(&s, fd, false);
        MARK_START();
        for (k = 0; k < iters; k++) {
                check(o->send_fds(&s, "x", 1, fds, c->size) == 1 ? 0 : -EIO, "send_fds");
                check(o->recv(&s, buf, 1) == 1 ? 0 : -EIO, "recv ack");
        }
        MARK_END();
        o->close(&s);
        close(devnull);
}

static void fds_server(const struct bcase *c, const struct ops *o, int fd, long iters) {
        struct side s = { .t = T_UNIX };
        int fds[16];
        size_t n, i;
        long k;

        o->open(&s, fd, false);
        for (k = 0; k < iters; k++) {
                check(o->recv_fds(&s, buf, 1, fds, &n) == 1 && n == c->size ? 0 : -EIO, "recv_fds");
                for (i = 0; i < n; i++)
                        close(fds[i]);
                check(o->send(&s, "y", 1) == 1 ? 0 : -EIO, "send ack");
        }
        o->close(&s);
}

/* Accept: fd is a listener; the peer process connects iters times (raw
 * connect for every implementation) and this side accepts and closes. */
static struct sockaddr_storage accept_addr;
static socklen_t accept_addrlen;

static void accept_client(const struct bcase *c, const struct ops *o, int fd, long iters) {
        struct side s = { .t = c->t, .fd = fd };
        long k;

        if (o == &lib_ops) {
                if (c->t == T_TCP)
                        check(netsock_tcp_listener_from_fd(fd, (struct netsock_tcp_listener **) &s.h), "from_fd");
                else
                        check(netsock_unix_listener_from_fd(fd, (struct netsock_unix_listener **) &s.h), "from_fd");
        }
        MARK_START();
        for (k = 0; k < iters; k++)
                check(o->accept_close(&s), "accept");
        MARK_END();
        if (o != &lib_ops)
                close(fd);
        else if (c->t == T_TCP)
                netsock_tcp_listener_close(s.h);
        else
                netsock_unix_listener_close(s.h);
}

static void connect_many(const struct bcase *c, long iters) {
        struct linger lg = { 1, 0 };   /* RST on close: no TIME_WAIT piling up */
        long k;
        int fd;

        for (k = 0; k < iters; k++) {
                check(fd = socket(accept_addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket");
                if (c->t == T_TCP)
                        check(setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), "linger");
                check(connect(fd, (struct sockaddr *) &accept_addr, accept_addrlen), "connect");
                close(fd);
        }
}

static void accept_server(const struct bcase *c, const struct ops *o, int fd, long iters) {
        close(fd);
        connect_many(c, iters);
}

/* Seqpacket packets one way: the server sends iters x BATCH packets of MSG
 * bytes, the client receives them; single calls, or batches. */
static struct netsock_packet pk[BATCH];
static struct iovec pkiov[BATCH];

static void batch_setup(void) {
        size_t i;

        for (i = 0; i < BATCH; i++) {
                pkiov[i].iov_base = buf + i * MSG;
                pkiov[i].iov_len = MSG;
                pk[i].iov = &pkiov[i];
                pk[i].iovcnt = 1;
        }
}

/* A one-way flood on one CPU degenerates under wakeup preemption: the
 * receiver, woken by the first packet, preempts the sender and takes one
 * packet per call whatever it asked for.  SCHED_BATCH (no wakeup
 * preemption, allowed unprivileged) lets each side run its time slice, as
 * on two CPUs, so batches are batches; both modes are measured so. */
static void sched_batch(bool on) {
        struct sched_param sp = { 0 };

        check(sched_setscheduler(0, on ? SCHED_BATCH : SCHED_OTHER, &sp), "sched_setscheduler");
}

static void pkt_client(const struct bcase *c, const struct ops *o, int fd, long iters) {
        struct side s = { .t = T_SEQ };
        long want = iters * BATCH, got = 0;
        ssize_t n;

        sched_batch(true);
        o->open(&s, fd, false);
        batch_setup();
        MARK_START();
        while (got < want) {
                n = c->size == 1 ? (o->recv(&s, buf, MSG) == MSG ? 1 : -EIO) : o->recv_batch(&s, pk, BATCH);
                check(n > 0 ? 0 : (n < 0 ? n : -EPIPE), "recv");
                got += n;
        }
        MARK_END();
        o->close(&s);
        sched_batch(false);
}

static void pkt_server(const struct bcase *c, const struct ops *o, int fd, long iters) {
        struct side s = { .t = T_SEQ };
        long k;
        ssize_t n, i;

        sched_batch(true);
        o->open(&s, fd, false);
        batch_setup();
        for (k = 0; k < iters; k++) {
                if (c->size == 1) {
                        for (i = 0; i < BATCH; i++)
                                check(o->send(&s, buf, MSG) == MSG ? 0 : -EIO, "send");
                        continue;
                }
                for (i = 0; i < BATCH; i += n) {
                        n = o->send_batch(&s, pk + i, (size_t) (BATCH - i));
                        check(n, "send_batch");
                }
        }
        o->close(&s);
}

/* The same in one process over a pair, 32 out then 32 in: no scheduler in
 * the numbers, only what the calls cost. */
static void pkt_local(const struct bcase *c, const struct ops *o, int fd, long iters) {
        struct side a = { .t = T_SEQ }, b = { .t = T_SEQ };
        int fds[2];
        long k;
        ssize_t n, i;

        make_pair(T_SEQ, fds);
        o->open(&a, fds[0], false);
        o->open(&b, fds[1], false);
        batch_setup();
        MARK_START();
        for (k = 0; k < iters; k++) {
                if (c->size == 1) {
                        for (i = 0; i < BATCH; i++)
                                check(o->send(&a, buf, MSG) == MSG ? 0 : -EIO, "send");
                        for (i = 0; i < BATCH; i++)
                                check(o->recv(&b, buf, MSG) == MSG ? 0 : -EIO, "recv");
                        continue;
                }
                check(o->send_batch(&a, pk, BATCH) == BATCH ? 0 : -EIO, "send_batch");
                for (i = 0; i < BATCH; i += n)
                        check(n = o->recv_batch(&b, pk + i, (size_t) (BATCH - i)), "recv_batch");
        }
        MARK_END();
        o->close(&a);
        o->close(&b);
}

/* ---- one process: poller costs ------------------------------------------- */

static int reg_fds[10001];

static void open_eventfds(size_t n) {
        size_t i;

        for (i = 0; i <= n; i++)
                check(reg_fds[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), "eventfd");
        check(eventfd_write(reg_fds[0], 1), "eventfd_write");   /* fd 0 stays readable */
}

static void close_eventfds(size_t n) {
        size_t i;

        for (i = 0; i <= n; i++)
                close(reg_fds[i]);
}

/* The control of the poll_wait rows: raw epoll_wait behind one call of a
 * function that does nothing else -- the least any wrapping library adds
 * (a call and a return around the system call), without the library. */
static __attribute__((noinline)) int wait_in_function(int ep, struct epoll_event *out) {
        int n = epoll_wait(ep, out, 64, 0);

        __asm__ volatile("" ::: "memory");  /* stays a function of its own */
        return n < 0 ? -errno : n;
}

/* wait: c->size fds registered, one readable: one wait returns one event.
 * register: one more fd registered and deregistered, next to c->size. */
static void poller_client(const struct bcase *c, const struct ops *o, int fd, long iters) {
        size_t i, n = c->size;
        bool wait = c->poll;
        long k;

        open_eventfds(n);
        if (o == &raw_ops || o == &rawfn_ops) {
                struct epoll_event ev = { .events = EPOLLIN }, out[64];
                int ep = epoll_create1(EPOLL_CLOEXEC);

                for (i = 0; i < n; i++) {
                        ev.data.u64 = i;
                        check(epoll_ctl(ep, EPOLL_CTL_ADD, reg_fds[i], &ev), "epoll_ctl");
                }
                MARK_START();
                if (o == &rawfn_ops) {  /* the control: a loop of its own, raw's stays as it was */
                        for (k = 0; k < iters; k++)
                                check(wait_in_function(ep, out) == 1 ? 0 : -EIO, "epoll_wait");
                } else {
                        for (k = 0; k < iters; k++) {
                                if (wait) {
                                        check(epoll_wait(ep, out, 64, 0) == 1 ? 0 : -EIO, "epoll_wait");
                                } else {
                                        check(epoll_ctl(ep, EPOLL_CTL_ADD, reg_fds[n], &ev), "epoll_ctl");
                                        check(epoll_ctl(ep, EPOLL_CTL_DEL, reg_fds[n], NULL), "epoll_ctl");
                                }
                        }
                }
                MARK_END();
                close(ep);
        } else {
                struct netsock_event out[64];
                struct netsock_poll *p;

                check(netsock_poll_new(&p), "poll_new");
                for (i = 0; i < n; i++)
                        check(netsock_poll_register(p, reg_fds[i], i, NETSOCK_READABLE, NETSOCK_LEVEL), "register");
                MARK_START();
                for (k = 0; k < iters; k++) {
                        if (wait) {
                                check(netsock_poll_wait(p, out, 64, 0) == 1 ? 0 : -EIO, "poll_wait");
                        } else {
                                check(netsock_poll_register(p, reg_fds[n], n, NETSOCK_READABLE, NETSOCK_LEVEL), "register");
                                check(netsock_poll_deregister(p, reg_fds[n]), "deregister");
                        }
                }
                MARK_END();
                netsock_poll_close(p);
        }
        close_eventfds(n);
}

/* ---- libuv --------------------------------------------------------------- */

#ifdef HAVE_UV
struct uvs {
        uv_loop_t loop;
        union { uv_stream_t s; uv_pipe_t pipe; uv_tcp_t tcp; uv_poll_t poll; uv_handle_t h; } u;
        const struct bcase *c;
        int fd;
        long iters, count;
        size_t got;
        bool client;
        uv_write_t wr;
        uv_buf_t wbuf;
};

static void uv_check(int r, const char *what) {
        if (r < 0)
                die("%s: %s", what, uv_strerror(r));
}

static void uv_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b) {
        b->base = buf;
        b->len = sizeof(buf);
}

static void uv_send64(struct uvs *u) {
        uv_buf_t b = uv_buf_init(buf, MSG);

        uv_check(uv_try_write(&u->u.s, &b, 1) == MSG ? 0 : UV_EIO, "uv_try_write");
}

/* Ping-pong over a stream handle: each MSG bytes that arrive complete one
 * exchange; the client then sends the next, the server echoes. */
static void uv_pp_read(uv_stream_t *st, ssize_t n, const uv_buf_t *b) {
        struct uvs *u = st->data;

        if (n < 0) {
                uv_stop(&u->loop);
                return;
        }
        u->got += (size_t) n;
        while (u->got >= MSG) {
                u->got -= MSG;
                if (++u->count >= u->iters && u->client) {
                        uv_stop(&u->loop);
                        return;
                }
                uv_send64(u);
        }
}

/* The same over a uv_poll on a seqpacket fd (libuv has no seqpacket
 * handle: a libuv program polls the fd and calls recv/send itself). */
static void uv_pp_poll(uv_poll_t *p, int status, int events) {
        struct uvs *u = p->data;
        ssize_t n;

        while ((n = recv(u->fd, buf, MSG, MSG_DONTWAIT)) > 0) {
                if (++u->count >= u->iters && u->client) {
                        uv_stop(&u->loop);
                        return;
                }
                check(send(u->fd, buf, MSG, MSG_NOSIGNAL) == MSG ? 0 : -EIO, "send");
        }
        if (n == 0)
                uv_stop(&u->loop);
}

static void uv_open(struct uvs *u, const struct bcase *c, int fd, long iters, bool client) {
        memset(u, 0, sizeof(*u));
        u->c = c;
        u->fd = fd;
        u->iters = iters;
        u->client = client;
        uv_check(uv_loop_init(&u->loop), "uv_loop_init");
        if (c->t == T_TCP) {
                uv_check(uv_tcp_init(&u->loop, &u->u.tcp), "uv_tcp_init");
                uv_check(uv_tcp_open(&u->u.tcp, fd), "uv_tcp_open");
        } else if (c->t == T_UNIX) {
                /* fd passing needs an IPC pipe */
                uv_check(uv_pipe_init(&u->loop, &u->u.pipe, c->client == fds_client), "uv_pipe_init");
                uv_check(uv_pipe_open(&u->u.pipe, fd), "uv_pipe_open");
        } else {
                uv_check(uv_poll_init(&u->loop, &u->u.poll, fd), "uv_poll_init");
        }
        u->u.h.data = u;
}

static void uv_finish(struct uvs *u) {
        uv_close(&u->u.h, NULL);
        uv_run(&u->loop, UV_RUN_DEFAULT);
        uv_check(uv_loop_close(&u->loop), "uv_loop_close");
        if (u->c->t == T_SEQ)
                close(u->fd);           /* a uv_poll does not own its fd */
}

static void uv_pp_side(const struct bcase *c, int fd, long iters, bool client, uv_poll_t *idle, size_t nidle) {
        struct uvs u;
        size_t i;

        uv_open(&u, c, fd, iters, client);
        for (i = 0; i < nidle; i++) {
                uv_check(uv_poll_init(&u.loop, &idle[i], idle_fds[2 * i]), "uv_poll_init");
                uv_check(uv_poll_start(&idle[i], UV_READABLE, uv_pp_poll), "uv_poll_start");
        }
        MARK_START();
        if (c->t == T_SEQ) {
                uv_check(uv_poll_start(&u.u.poll, UV_READABLE, uv_pp_poll), "uv_poll_start");
                if (client)
                        check(send(fd, buf, MSG, MSG_NOSIGNAL) == MSG ? 0 : -EIO, "send");
        } else {
                uv_check(uv_read_start(&u.u.s, uv_alloc, uv_pp_read), "uv_read_start");
                if (client)
                        uv_send64(&u);
        }
        uv_run(&u.loop, UV_RUN_DEFAULT);
        MARK_END();
        for (i = 0; i < nidle; i++)
                uv_close((uv_handle_t *) &idle[i], NULL);
        uv_finish(&u);
}

static uv_poll_t uv_idle[10000];

static double uv_pp(const struct bcase *c, int fd, long iters) {
        size_t i, nidle = c->client == pp_client_idle ? c->size : 0;

        for (i = 0; i < nidle; i++)
                check(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, idle_fds + 2 * i), "socketpair");
        uv_pp_side(c, fd, iters, true, uv_idle, nidle);
        for (i = 0; i < 2 * nidle; i++)
                close(idle_fds[i]);
        return 0;
}

static void uv_pp_server(const struct bcase *c, const struct ops *o, int fd, long iters) {
        uv_pp_side(c, fd, iters, false, NULL, 0);
}

/* Bulk: the server writes chunks with uv_write, one after the other. */
static void uv_bulk_written(uv_write_t *w, int status) {
        struct uvs *u = w->data;

        uv_check(status, "uv_write");
        if (++u->count < u->iters)
                uv_check(uv_write(&u->wr, &u->u.s, &u->wbuf, 1, uv_bulk_written), "uv_write");
}

static void uv_bulk_server(const struct bcase *c, const struct ops *o, int fd, long iters) {
        struct uvs u;

        uv_open(&u, c, fd, iters, false);
        u.wbuf = uv_buf_init(buf, (unsigned) c->size);
        u.wr.data = &u;
        uv_check(uv_write(&u.wr, &u.u.s, &u.wbuf, 1, uv_bulk_written), "uv_write");
        uv_run(&u.loop, UV_RUN_DEFAULT);
        uv_finish(&u);
}

static void uv_bulk_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b) {
        struct uvs *u = h->data;

        b->base = buf;
        b->len = u->c->size;
}

static void uv_bulk_read(uv_stream_t *st, ssize_t n, const uv_buf_t *b) {
        struct uvs *u = st->data;

        if (n < 0 && u->got >= u->c->size * (size_t) u->iters)
                return;                 /* EOF in the same loop turn as the end */
        if (n < 0)
                die("bulk: %s after %zu of %zu bytes", uv_strerror((int) n), u->got, u->c->size * (size_t) u->iters);
        u->got += (size_t) n;
        if (u->got >= u->c->size * (size_t) u->iters) {
                uv_read_stop(st);
                uv_stop(&u->loop);
        }
}

/* The measured side of a loop that start() sets going. */
static double uv_timed(const struct bcase *c, int fd, long iters, int (*start)(struct uvs *u)) {
        struct uvs u;

        uv_open(&u, c, fd, iters, true);
        MARK_START();
        uv_check(start(&u), "start");
        uv_run(&u.loop, UV_RUN_DEFAULT);
        MARK_END();
        uv_finish(&u);
        return 0;
}

static int uv_start_bulk(struct uvs *u) {
        return uv_read_start(&u->u.s, uv_bulk_alloc, uv_bulk_read);
}

static double uv_bulk(const struct bcase *c, int fd, long iters) {
        return uv_timed(c, fd, iters, uv_start_bulk);
}

/* Accept: uv_listen on the listening fd, accept into a pipe or TCP handle
 * and close it. */
static void uv_free_handle(uv_handle_t *h) {
        free(h);
}

static void uv_on_conn(uv_stream_t *l, int status) {
        struct uvs *u = l->data;
        uv_stream_t *c = malloc(u->c->t == T_TCP ? sizeof(uv_tcp_t) : sizeof(uv_pipe_t));

        uv_check(c ? status : UV_ENOMEM, "connection");
        if (u->c->t == T_TCP)
                uv_tcp_init(&u->loop, (uv_tcp_t *) c);
        else
                uv_pipe_init(&u->loop, (uv_pipe_t *) c, 0);
        uv_check(uv_accept(l, c), "uv_accept");
        uv_close((uv_handle_t *) c, uv_free_handle);
        if (++u->count >= u->iters)
                uv_stop(&u->loop);
}

static int uv_start_listen(struct uvs *u) {
        return uv_listen(&u->u.s, BACKLOG, uv_on_conn);
}

static double uv_accept_rate(const struct bcase *c, int fd, long iters) {
        return uv_timed(c, fd, iters, uv_start_listen);
}

/* Fd passing: one fd per write over an IPC pipe (uv_write2 with a handle);
 * libuv passes at most one per write. */
struct uvfd {
        struct uvs u;
        uv_pipe_t devnull;
        uv_write_t wr[4];       /* a request may still be queued when the ack comes */
        unsigned next;
};

static void uv_fd_written(uv_write_t *w, int status) {
        uv_check(status, "uv_write2");
}

static void uv_fd_send(struct uvfd *f) {
        f->u.wbuf = uv_buf_init("x", 1);
        uv_check(uv_write2(&f->wr[f->next++ % 4], &f->u.u.s, &f->u.wbuf, 1, (uv_stream_t *) &f->devnull, uv_fd_written), "uv_write2");
}

static void uv_fd_client_read(uv_stream_t *st, ssize_t n, const uv_buf_t *b) {
        struct uvfd *f = st->data;

        if (n < 0)
                die("fds: early EOF");
        if (n == 0)
                return;
        if (++f->u.count >= f->u.iters)
                uv_stop(&f->u.loop);
        else
                uv_fd_send(f);
}

static void uv_fd_server_read(uv_stream_t *st, ssize_t n, const uv_buf_t *b) {
        struct uvs *u = st->data;
        uv_buf_t y = uv_buf_init("y", 1);

        if (n < 0) {
                uv_stop(&u->loop);
                return;
        }
        while (uv_pipe_pending_count(&u->u.pipe) > 0) {
                uv_pipe_t *c = malloc(sizeof(*c));

                uv_check(c ? uv_pipe_init(&u->loop, c, 0) : UV_ENOMEM, "uv_pipe_init");
                uv_check(uv_accept(st, (uv_stream_t *) c), "uv_accept");
                uv_close((uv_handle_t *) c, uv_free_handle);
                uv_check(uv_try_write(st, &y, 1) == 1 ? 0 : UV_EIO, "uv_try_write");
        }
}

static double uv_fds(const struct bcase *c, int fd, long iters) {
        struct uvfd f;
        int sv[2];

        check(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), "socketpair");  /* the handle passed */
        f.next = 0;
        uv_open(&f.u, c, fd, iters, true);
        uv_check(uv_pipe_init(&f.u.loop, &f.devnull, 0), "uv_pipe_init");
        uv_check(uv_pipe_open(&f.devnull, sv[0]), "uv_pipe_open");
        f.u.u.h.data = &f;
        uv_check(uv_read_start(&f.u.u.s, uv_alloc, uv_fd_client_read), "uv_read_start");
        MARK_START();
        uv_fd_send(&f);
        uv_run(&f.u.loop, UV_RUN_DEFAULT);
        MARK_END();
        uv_close((uv_handle_t *) &f.devnull, NULL);
        uv_finish(&f.u);
        close(sv[1]);
        return 0;
}

static void uv_fds_server(const struct bcase *c, const struct ops *o, int fd, long iters) {
        struct uvs u;

        uv_open(&u, c, fd, iters, false);
        uv_check(uv_read_start(&u.u.s, uv_alloc, uv_fd_server_read), "uv_read_start");
        uv_run(&u.loop, UV_RUN_DEFAULT);
        uv_finish(&u);
}

/* Poller wait cost: c->size uv_poll handles, one readable, one
 * uv_run(UV_RUN_NOWAIT) per operation. */
static void uv_noop_poll(uv_poll_t *p, int status, int events) {
}

static double uv_pollwait(const struct bcase *c, int fd, long iters) {
        static uv_poll_t h[10000];
        uv_loop_t loop;
        size_t i;
        long k;

        open_eventfds(c->size);
        uv_check(uv_loop_init(&loop), "uv_loop_init");
        for (i = 0; i < c->size; i++) {
                uv_check(uv_poll_init(&loop, &h[i], reg_fds[i]), "uv_poll_init");
                uv_check(uv_poll_start(&h[i], UV_READABLE, uv_noop_poll), "uv_poll_start");
        }
        uv_run(&loop, UV_RUN_NOWAIT);   /* libuv registers with epoll here */
        MARK_START();
        for (k = 0; k < iters; k++)
                uv_run(&loop, UV_RUN_NOWAIT);
        MARK_END();
        for (i = 0; i < c->size; i++)
                uv_close((uv_handle_t *) &h[i], NULL);
        uv_run(&loop, UV_RUN_DEFAULT);
        uv_check(uv_loop_close(&loop), "uv_loop_close");
        close_eventfds(c->size);
        return 0;
}
#define UV_(f) f
#else
#define UV_(f) NULL
#endif

/* ---- the cases ------------------------------------------------------------ */

#define RAWLIB { &raw_ops, &lib_ops }, { "raw", "lib", "uv" }
#define PP(t, tn, poll, n) { poll ? "pingpong poll " tn : "pingpong block " tn, "round trip", t, poll, MSG, n, \
                pp_client, pp_server, poll ? UV_(uv_pp) : NULL, poll ? NULL : "libuv has no blocking calls", RAWLIB }

/* Bulk in chunks of kib KiB, 512 MiB (full run) each way. */
#define BULK(t, tn, kib) { "bulk " tn " " #kib " KiB", "chunk", t, false, kib * 1024, 512 * 1024 / kib, \
                bulk_client, bulk_server, UV_(uv_bulk), NULL, RAWLIB }
/* The poller with n fds registered: one wait with one fd ready, or one
 * more fd registered and deregistered.  libuv's uv_poll_start only queues
 * the change for the next uv_run, so it has no register of its own. */
#define POLLER(what, unit, wait, n) { what ", " #n " registered", unit, T_UNIX, wait, n, 400000, poller_client, NULL, \
                wait ? UV_(uv_pollwait) : NULL, "libuv defers epoll_ctl to uv_run", RAWLIB }

static const struct bcase cases[] = {
        PP(T_UNIX, "unix", false, 40000), PP(T_SEQ, "seqpacket", false, 40000), PP(T_TCP, "tcp", false, 20000),
        PP(T_UNIX, "unix", true, 40000), PP(T_SEQ, "seqpacket", true, 40000), PP(T_TCP, "tcp", true, 20000),
        { "idle 1000 + pingpong unix", "round trip", T_UNIX, true, 1000, 20000, pp_client_idle, pp_server,
          UV_(uv_pp), NULL, RAWLIB },
        BULK(T_UNIX, "unix", 64), BULK(T_UNIX, "unix", 4), BULK(T_TCP, "tcp", 64), BULK(T_TCP, "tcp", 4),
        { "fds 1 per message", "message+ack", T_UNIX, false, 1, 20000, fds_client, fds_server, UV_(uv_fds), NULL, RAWLIB },
        { "fds 16 per message", "message+ack", T_UNIX, false, 16, 10000, fds_client, fds_server, NULL,
          "libuv passes one handle per write", RAWLIB },
        { "accept unix", "connection", T_UNIX, false, 0, 10000, accept_client, accept_server, UV_(uv_accept_rate), NULL, RAWLIB },
        { "accept tcp", "connection", T_TCP, false, 0, 4000, accept_client, accept_server, UV_(uv_accept_rate), NULL, RAWLIB },
        POLLER("poll_wait", "wait", true, 10), POLLER("poll_wait", "wait", true, 1000), POLLER("poll_wait", "wait", true, 10000),
        POLLER("register", "register+deregister", false, 10), POLLER("register", "register+deregister", false, 1000),
        POLLER("register", "register+deregister", false, 10000),
        /* The control: what a function call around epoll_wait costs by itself. */
        { "poll_wait, 1000, raw via fn", "wait", T_UNIX, true, 1000, 400000, poller_client, NULL, NULL,
          "a control: no library at all", { &raw_ops, &rawfn_ops }, { "raw", "fn", "uv" } },
};

/* The batch comparison: lib one send + one recv per packet against lib
 * batches (and raw sendmmsg/recvmmsg), packets one way. */
static const struct bcase batch_single = { "seqpacket 64 B, single", "32 packets", T_SEQ, false, 1, 20000,
                                           pkt_client, pkt_server, NULL, NULL, RAWLIB };
static const struct bcase batch_batch = { "seqpacket 64 B, batches of 32", "32 packets", T_SEQ, false, BATCH, 20000,
                                          pkt_client, pkt_server, NULL, NULL, RAWLIB };

static const struct bcase local_single = { "seqpacket 64 B, one process", "32 packets", T_SEQ, false, 1, 20000,
                                           pkt_local, NULL, NULL, NULL, RAWLIB };
static const struct bcase local_batch = { "seqpacket 64 B, one process, batches", "32 packets", T_SEQ, false, BATCH,
                                          20000, pkt_local, NULL, NULL, NULL, RAWLIB };

/* ---- measuring ------------------------------------------------------------ */

/* One run of implementation which (0 raw, 1 lib, 2 uv) of c: ns per op. */
static double run_once(const struct bcase *c, int which, long iters) {
        int fds[2] = { -1, -1 }, sync[2], status;
        side_fn server = which == 2 ? NULL : c->server;
        pid_t pid = -1;
        double t;
        char b;

#ifdef HAVE_UV
        if (which == 2 && (c->client == pp_client || c->client == pp_client_idle))
                server = uv_pp_server;  /* idle sockets only on the measured side */
        else if (which == 2 && c->client == bulk_client)
                server = uv_bulk_server;
        else if (which == 2 && c->client == fds_client)
                server = uv_fds_server;
        else if (which == 2 && c->client == accept_client)
                server = accept_server;
#endif
        if (c->client == accept_client) {
                fds[0] = make_listener(c->t, &accept_addr, &accept_addrlen);
        } else if (c->server) {
                make_pair(c->t, fds);
        }
        if (c->server) {
                check(pipe2(sync, O_CLOEXEC), "pipe2");
                check(pid = fork(), "fork");
                if (pid == 0) {
                        pin(cpu_child);
                        close(sync[0]);
                        if (fds[0] >= 0 && c->client != accept_client)
                                close(fds[0]);
                        check(write(sync[1], "r", 1), "write");
                        close(sync[1]);
                        server(c, c->impl[which < 2 ? which : 0],
                               c->client == accept_client ? fds[0] : fds[1], iters);
                        _exit(0);
                }
                close(sync[1]);
                if (fds[1] >= 0)
                        close(fds[1]);
                check(read(sync[0], &b, 1) == 1 ? 0 : -EIO, "sync");
                close(sync[0]);
        }
        mark0 = mark1 = 0;
        if (which == 2)
                c->uv(c, fds[0], iters);
        else
                c->client(c, c->impl[which], fds[0], iters);
        if (mark0 == 0 || mark1 < mark0)
                die("%s: the run marked no timed part", c->name);
        t = mark1 - mark0;
        if (pid > 0) {
                check(waitpid(pid, &status, 0), "waitpid");
                if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                        die("%s: peer process failed", c->name);
        }
        return t / (double) iters;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;

        return x < y ? -1 : x > y;
}

static double median(const double *v, int n) {
        double s[MAXREPS];

        memcpy(s, v, sizeof(double) * (size_t) n);
        qsort(s, (size_t) n, sizeof(double), cmp_double);
        return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* The 95 % confidence interval of the median of n values: [v_(k), v_(n+1-k)]
 * of the sorted values (1-based) for the largest k with
 * P(Binomial(n, 1/2) < k) <= 2.5 %; 0 when n is too small for one (n < 6). */
static int median_ci_rank(int n) {
        double pmf = 1, cdf;
        int j, k = 0;

        for (j = 0; j < n; j++)
                pmf /= 2;               /* P(B = 0) = 2^-n */
        cdf = pmf;                      /* P(B <= 0) */
        for (j = 0; j < n; j++) {
                if (cdf > 0.025)
                        break;
                k = j + 1;              /* P(B < k) = P(B <= j) <= 2.5 % */
                pmf = pmf * (n - j) / (j + 1);
                cdf += pmf;
        }
        return k;
}

/* Median of the per-repetition ratios num/den and the half-width of its
 * 95 % interval relative to the median (1e9 when n is too small). */
static void ratio_stats(const double *num, const double *den, int reps, double *ret_med, double *ret_half) {
        double r[MAXREPS];
        int i, k = median_ci_rank(reps);

        for (i = 0; i < reps; i++)
                r[i] = num[i] / den[i];
        qsort(r, (size_t) reps, sizeof(double), cmp_double);
        *ret_med = median(r, reps);
        *ret_half = k > 0 ? (r[reps - k] - r[k - 1]) / 2 / *ret_med : 1e9;
}

static void print_ratio(const char *what, const double *num, const double *den, int reps) {
        double med, half;

        ratio_stats(num, den, reps, &med, &half);
        if (half > 1)
                printf("  %s %5.3f (too few reps) NOISY", what, med);
        else
                printf("  %s %5.3f ±%4.1f%%%s", what, med, half * 100.0, half > NOISY ? " NOISY" : "      ");
}

static void measure(const struct bcase *c, int reps, long iters, bool with_uv) {
        static double t[3][MAXREPS];
        int i, j, w, nimpl = with_uv && c->uv ? 3 : 2;
        char what[16];

        for (i = 0; i < reps; i++)
                for (j = 0; j < nimpl; j++) {
                        w = (i + j) % nimpl;  /* the order rotates */
                        t[w][i] = run_once(c, w, iters);
                }
        printf("%-30s %10.1f %10.1f ", c->name, median(t[0], reps), median(t[1], reps));
        if (nimpl == 3)
                printf("%10.1f", median(t[2], reps));
        else
                printf("%10s", "n/a");
        snprintf(what, sizeof(what), "%s/%s", c->label[1], c->label[0]);
        print_ratio(what, t[1], t[0], reps);
        snprintf(what, sizeof(what), "%s/%s", c->label[1], c->label[2]);
        if (nimpl == 3)
                print_ratio(what, t[1], t[2], reps);
        else
                printf("  %s   n/a (%s)", what, !with_uv ? "built without libuv" : c->uv_note ? c->uv_note : "no libuv equivalent");
        printf("   ns/%s\n", c->unit);
        fflush(stdout);
}

/* What one trivial system call costs here (getppid, through syscall(2)):
 * ns, median of reps loops. */
static double syscall_ns(int reps) {
        double v[MAXREPS], t;
        int i, k;

        for (i = 0; i < reps; i++) {
                t = now_ns();
                for (k = 0; k < 20000; k++)
                        (void) syscall(SYS_getppid);
                v[i] = (now_ns() - t) / 20000;
        }
        return median(v, reps);
}

static void measure_batch(const char *name, const struct bcase *one, const struct bcase *many, int reps, long iters) {
        static double t[3][MAXREPS];  /* single, batch, raw mmsg */
        double med, half, sc, single;
        int i, j, w;

        for (i = 0; i < reps; i++)
                for (j = 0; j < 3; j++) {
                        w = (i + j) % 3;
                        t[w][i] = run_once(w == 0 ? one : many, w == 2 ? 0 : 1, iters);
                }
        printf("%-30s %10.1f %10.1f %10.1f", name, median(t[0], reps), median(t[1], reps), median(t[2], reps));
        ratio_stats(t[0], t[1], reps, &med, &half);
        if (half > 1)
                printf("  batch speedup %4.2fx (too few reps) NOISY (target >= 1.5x)", med);
        else
                printf("  batch speedup %4.2fx ±%4.1f%%%s (target >= 1.5x)", med, half * 100.0, half > NOISY ? " NOISY" : "");
        print_ratio("batch lib/raw", t[1], t[2], reps);
        printf("   ns/32 packets\n");
        /* The most a batch can gain: it saves the entry and exit of 62 of
         * the 64 system calls that 32 single packets make. */
        sc = syscall_ns(reps < 5 ? 5 : reps);
        single = median(t[0], reps);
        printf("%-30s one syscall %.0f ns; single %.0f ns/packet; ceiling single / (single - 62 x syscall) = %.2fx\n", "",
               sc, single / BATCH, single > 62 * sc ? single / (single - 62 * sc) : 0.0);
        fflush(stdout);
}

int main(int argc, char **argv) {
        bool quick = false, split = false, with_uv = false;
        const char *only = NULL;
        struct rlimit rl;
        int i, reps = 0;
        long div = 0;

        for (i = 1; i < argc; i++) {
                if (!strcmp(argv[i], "--quick"))
                        quick = true;
                else if (!strcmp(argv[i], "--split"))
                        split = true;
                else if (!strncmp(argv[i], "--only=", 7))
                        only = argv[i] + 7;
                else if (!strncmp(argv[i], "--reps=", 7))
                        reps = atoi(argv[i] + 7);
                else if (!strncmp(argv[i], "--scale=", 8))
                        div = atol(argv[i] + 8);
                else
                        die("usage: %s [--quick] [--split] [--reps=N] [--scale=D] [--only=SUBSTRING]", argv[0]);
        }
#ifdef HAVE_UV
        with_uv = true;
#endif
        signal(SIGPIPE, SIG_IGN);
        srandom((unsigned) getpid() ^ (unsigned) time(NULL));
        check(getrlimit(RLIMIT_NOFILE, &rl), "getrlimit");
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        choose_cpus(split);
        pin(cpu_parent);
        if (reps == 0)
                reps = quick ? 3 : 25;
        if (div == 0)
                div = quick ? 10 : 1;
        if (reps < 1 || reps > MAXREPS || div < 1)
                die("--reps must be 1 to %d, --scale at least 1", MAXREPS);
        printf("libnetsock %s", netsock_version());
#ifdef HAVE_UV
        printf(", libuv %s", uv_version_string());
#else
        printf(", built without libuv");
#endif
        printf("; %s; %d repetitions interleaved, the order rotating (raw lib uv, lib uv raw, ...), iterations /%ld\n",
               split ? "--split: peer on another CPU (noisy)" : "both processes pinned to the same CPU", reps, div);
        printf("CPUs: this process %d, peer %d.  Times are medians; ratios are medians of per-repetition ratios,\n"
               "± the half-width of their 95%% confidence interval (order statistics, no assumption on the noise);\n"
               "NOISY: wider than ±%.0f%%, the ratio cannot be told from 1.00 +- %.0f%%.\n\n",
               cpu_parent, cpu_child, NOISY * 100, NOISY * 100);
        printf("%-30s %10s %10s %10s\n", "case", "raw ns", "lib ns", "uv ns");
        for (i = 0; i < (int) (sizeof(cases) / sizeof(cases[0])); i++) {
                if (only && !strstr(cases[i].name, only))
                        continue;
                if (cases[i].client == poller_client && rl.rlim_cur < (rlim_t) (cases[i].size + 100)) {
                        printf("%-30s skipped: RLIMIT_NOFILE %ld is too low\n", cases[i].name, (long) rl.rlim_cur);
                        continue;
                }
                measure(&cases[i], reps, cases[i].iters / div, with_uv);
        }
        if (!only || strstr("seqpacket 32 x 64 B batches", only)) {
                printf("\n%-30s %10s %10s %10s\n", "case", "single ns", "batch ns", "raw mmsg");
                measure_batch("seqpacket 32 x 64 B, 2 procs", &batch_single, &batch_batch, reps, batch_single.iters / div);
                measure_batch("seqpacket 32 x 64 B, 1 proc", &local_single, &local_batch, reps, local_single.iters / div);
        }
        return 0;
}
