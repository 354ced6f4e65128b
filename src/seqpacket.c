/* SPDX-License-Identifier: MIT */
/*
 * Unix seqpacket sockets (uds UnixSeqpacketConn): connection-oriented,
 * reliable, ordered packets whose boundaries are kept.  Connecting,
 * listening, fd passing and the common calls are the shared Unix and core
 * machinery; what is special here is packet reception: a recv takes exactly
 * one packet, reports truncation (the rest of that packet is discarded by
 * the kernel), and the next packet's full length can be asked without
 * consuming it.
 *
 * A zero-length packet reads as 0, exactly like EOF: recv, peek and
 * next_packet_len all return 0 for both and the kernel gives no other way to
 * tell them apart.  A 0 while the peer has not hung up (no NETSOCK_READ_HUP
 * from the poller) is a zero-length packet.
 *
 * Batches (send_batch, recv_batch) are one sendmmsg / recvmmsg.  Two kernel
 * behaviours shape them.  sendmmsg returns the count when a packet after
 * the first fails and drops the error, so a short count is followed by one
 * MSG_DONTWAIT send of the first packet that did not go, which either goes
 * (and is counted) or names the error; that error (not EAGAIN, which a
 * short count already says) is kept in pending_err for the next call.  And
 * at EOF recvmmsg reads 0 again and again, filling every remaining slot
 * with a zero-length "packet"; so when a full batch ends in zero-length
 * entries, the library asks (poll, then a peek if the peer hung up)
 * whether those were EOF, and does not count them if so.
 *
 * The error a batch kept is handed out, once, by the next call that moves
 * packets on the handle, whichever direction (as the kernel does with
 * SO_ERROR); peeks report it and leave it kept.
 */
#include "internal.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>

NS_EXPORT int netsock_seqpacket_connect_from_to(const struct netsock_addr *from, const struct netsock_addr *to, int flags,
                                                struct netsock_seqpacket **ret) {
        if (!from)
                return -EINVAL;
        NS_RETURN_HANDLE(seqpacket, ret, ns_unix_connect(from, to, SOCK_SEQPACKET, flags, &sk_));
}

NS_EXPORT int netsock_seqpacket_connect_addr(const struct netsock_addr *addr, int flags, struct netsock_seqpacket **ret) {
        NS_RETURN_HANDLE(seqpacket, ret, ns_unix_connect(NULL, addr, SOCK_SEQPACKET, flags, &sk_));
}

NS_EXPORT int netsock_seqpacket_connect(const char *name, int flags, struct netsock_seqpacket **ret) {
        struct netsock_addr a;
        int r = ns_addr_unix_name(&a, name);

        return r < 0 ? r : netsock_seqpacket_connect_addr(&a, flags, ret);
}

NS_EXPORT int netsock_seqpacket_pair(int flags, struct netsock_seqpacket **ret_a, struct netsock_seqpacket **ret_b) {
        struct ns_sock *a, *b;
        int r;

        if (!ret_a || !ret_b)
                return -EINVAL;
        r = ns_unix_pair(SOCK_SEQPACKET, flags, &a, &b);
        if (r < 0)
                return r;
        *ret_a = NS_AS(seqpacket, a);
        *ret_b = NS_AS(seqpacket, b);
        return 0;
}

NS_EXPORT NS_HOT ssize_t netsock_seqpacket_send(struct netsock_seqpacket *s, const void *buf, size_t len) {
        NS_RECV_GUARD(s);  /* an error a batch kept */
        return ns_send(s->sk.fd, buf, len);
}

NS_EXPORT NS_HOT ssize_t netsock_seqpacket_send_vectored(struct netsock_seqpacket *s, const struct iovec *iov, size_t iovcnt) {
        NS_RECV_GUARD(s);
        return ns_sendv(s->sk.fd, iov, iovcnt);
}

/* What a packet recv needs after the syscall, kept on the stack
 * (NS_ON_STACK): two stores and a load instead of two pushes, two moves
 * and two pops. */
struct packet_rest {
        size_t len;
        bool *ret_truncated;
};

/* A recv that failed (n < 0) or found a packet longer than len (n > len,
 * truncated); out of line, so that the fast path is the compare that finds
 * both cases at once. */
static __attribute__((cold, noinline)) ssize_t packet_slow(ssize_t n, const struct packet_rest *r) {
        if (n < 0)
                return ns_neg_errno();
        if (r->ret_truncated)
                *r->ret_truncated = true;
        return (ssize_t) r->len;
}

/* A recvmsg that failed (n < 0) or took a truncated packet (MSG_TRUNC in
 * msg_flags); out of line like packet_slow. */
static __attribute__((cold, noinline)) ssize_t packet_slow_msg(ssize_t n, bool *ret_truncated) {
        if (n < 0)
                return ns_neg_errno();
        if (ret_truncated)
                *ret_truncated = true;
        return n;
}

/* One packet into iov; MSG_TRUNC in msg_flags says it was longer.  Where
 * that answer goes is kept next to the msghdr, in memory across the call
 * like the msghdr itself, not in a callee-saved register. */
static inline ssize_t recv_packet(struct netsock_seqpacket *s, const struct iovec *iov, size_t iovcnt, int flags, bool *ret_truncated) {
        struct {
                struct msghdr msg;
                bool *ret_truncated;
        } m;
        ssize_t n;

        if (!s || ns_bad_iov(iov, iovcnt))
                return -EINVAL;
        if (__builtin_expect(s->sk.slow & NS_SLOW_PENDING, 0))  /* a batch kept it; a peek leaves it */
                return (flags & MSG_PEEK) ? s->sk.pending_err : ns_sock_take_pending_cold(&s->sk);
        ns_recvmsg_init(&m.msg, iov, iovcnt);
        m.ret_truncated = ret_truncated;
        n = recvmsg(s->sk.fd, &m.msg, flags);
        /* A failure and a truncated packet both go out of line, so that the
         * fast path stores a constant false: one test of msg_flags and a
         * branch, not a shift, a mask and a store of the bit. */
        if (__builtin_expect(n < 0 || (m.msg.msg_flags & MSG_TRUNC), 0))
                return packet_slow_msg(n, m.ret_truncated);
        if (m.ret_truncated)
                *m.ret_truncated = false;
        return n;
}

/* One packet into buf.  With MSG_TRUNC an AF_UNIX recv returns the
 * packet's full length even when it did not fit (the rest is discarded as
 * without it), so truncation is n > len: one recv, no recvmsg and msghdr
 * to set up just to read msg_flags. */
static inline ssize_t recv_packet_buf(struct netsock_seqpacket *s, void *buf, size_t len, int flags, bool *ret_truncated) {
        struct packet_rest r = { len, ret_truncated };
        ssize_t n;

        if (!s || (!buf && len))
                return -EINVAL;
        if (__builtin_expect(s->sk.slow & NS_SLOW_PENDING, 0))  /* a batch kept it; a peek leaves it */
                return (flags & MSG_PEEK) ? s->sk.pending_err : ns_sock_take_pending_cold(&s->sk);
        NS_ON_STACK(r);
        n = recv(s->sk.fd, buf, len, flags | MSG_TRUNC);
        /* Unsigned, n < 0 is above any len: one compare for both. */
        if (__builtin_expect((size_t) n > r.len, 0))
                return packet_slow(n, &r);
        if (r.ret_truncated)
                *r.ret_truncated = false;
        return n;
}

NS_EXPORT NS_HOT ssize_t netsock_seqpacket_recv(struct netsock_seqpacket *s, void *buf, size_t len, bool *ret_truncated) {
        return recv_packet_buf(s, buf, len, 0, ret_truncated);
}

NS_EXPORT NS_HOT ssize_t netsock_seqpacket_recv_vectored(struct netsock_seqpacket *s, const struct iovec *iov, size_t iovcnt, bool *ret_truncated) {
        return recv_packet(s, iov, iovcnt, 0, ret_truncated);
}

NS_EXPORT NS_HOT ssize_t netsock_seqpacket_peek(struct netsock_seqpacket *s, void *buf, size_t len, bool *ret_truncated) {
        return recv_packet_buf(s, buf, len, MSG_PEEK, ret_truncated);
}

NS_EXPORT NS_HOT ssize_t netsock_seqpacket_peek_vectored(struct netsock_seqpacket *s, const struct iovec *iov, size_t iovcnt, bool *ret_truncated) {
        return recv_packet(s, iov, iovcnt, MSG_PEEK, ret_truncated);
}

NS_EXPORT NS_HOT ssize_t netsock_seqpacket_next_packet_len(struct netsock_seqpacket *s) {
        /* With MSG_TRUNC an AF_UNIX recv returns the packet's real length
         * whatever the buffer size; with MSG_PEEK it stays queued. */
        if (s && s->sk.pending_err)
                return s->sk.pending_err;
        return s ? ns_recv(s->sk.fd, NULL, 0, MSG_PEEK | MSG_TRUNC) : -EINVAL;
}

NS_DEFINE_UNIX_CONNECT_TIMEOUT(seqpacket, SOCK_SEQPACKET);

/* ---- batches ------------------------------------------------------------ */

/* What sendmmsg / recvmmsg take per call (the kernel's UIO_MAXIOV; more are
 * silently ignored), and how many headers live on the stack: a bigger batch
 * allocates its headers, or, when that fails, goes NS_BATCH_STACK at a time
 * (a short count is always allowed). */
#define NS_BATCH_MAX   1024
#define NS_BATCH_STACK 64

struct ns_batch {
        struct mmsghdr *m;
        size_t n;
        struct mmsghdr stack[NS_BATCH_STACK];
};

/* Checks the handle and the first min(n, NS_BATCH_MAX) packets (the ones
 * this call uses), hands out a kept error, and sets b up for them.
 * Returns > 0 to go on, 0 for nothing to do (n 0), or -errno. */
static int batch_begin(struct netsock_seqpacket *s, const struct netsock_packet *pkts, size_t n, struct ns_batch *b) {
        size_t i;
        int r;

        if (!s || (!pkts && n))
                return -EINVAL;
        if (n > NS_BATCH_MAX)
                n = NS_BATCH_MAX;
        for (i = 0; i < n; i++) {
                r = ns_check_iov(pkts[i].iov, pkts[i].iovcnt);
                if (r < 0)
                        return r;
        }
        if (n == 0)
                return 0;               /* a no-op: a kept error stays kept */
        if (s->sk.pending_err)
                return ns_sock_take_pending(&s->sk);
        b->m = b->stack;
        if (n > NS_BATCH_STACK) {
                b->m = malloc(n * sizeof(*b->m));
                if (!b->m) {
                        b->m = b->stack;
                        n = NS_BATCH_STACK;
                }
        }
        b->n = n;
        memset(b->m, 0, n * sizeof(*b->m));
        for (i = 0; i < n; i++) {
                b->m[i].msg_hdr.msg_iov = (struct iovec *) pkts[i].iov;
                b->m[i].msg_hdr.msg_iovlen = pkts[i].iovcnt;
        }
        return 1;
}

static void batch_end(struct ns_batch *b) {
        if (b->m != b->stack)
                free(b->m);
}

NS_EXPORT NS_HOT ssize_t netsock_seqpacket_send_batch(struct netsock_seqpacket *s, struct netsock_packet *pkts, size_t n) {
        struct ns_batch b;
        ssize_t got, one;
        size_t i;
        int r = batch_begin(s, pkts, n, &b);

        if (r <= 0)
                return r;
        got = sendmmsg(s->sk.fd, b.m, (unsigned) b.n, MSG_NOSIGNAL);
        if (got < 0) {
                got = -errno;
                batch_end(&b);
                return got;
        }
        if ((size_t) got < b.n) {
                /* sendmmsg stopped early and kept no error: find out why
                 * with the packet that did not go, without waiting. */
                one = sendmsg(s->sk.fd, &b.m[got].msg_hdr, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (one >= 0)
                        b.m[got++].msg_len = (unsigned) one;
                else if (errno != EAGAIN && errno != EWOULDBLOCK)
                        ns_sock_set_pending(&s->sk, -errno);
        }
        for (i = 0; i < (size_t) got; i++)
                pkts[i].len = b.m[i].msg_len;
        batch_end(&b);
        return got;
}

/* Whether zero-length entries at the end of a full batch were EOF: the peer
 * hung up and no packet with bytes is queued (a zero-length one sent just
 * before the hang-up cannot be told from EOF; see the top of the file). */
static bool batch_hit_eof(int fd) {
        struct pollfd p = { .fd = fd, .events = POLLIN | POLLRDHUP };

        if (poll(&p, 1, 0) <= 0 || !(p.revents & (POLLRDHUP | POLLHUP)))
                return false;
        return recv(fd, NULL, 0, MSG_PEEK | MSG_DONTWAIT | MSG_TRUNC) == 0;
}

NS_EXPORT NS_HOT ssize_t netsock_seqpacket_recv_batch(struct netsock_seqpacket *s, struct netsock_packet *pkts, size_t n) {
        struct ns_batch b;
        ssize_t got;
        size_t i, real;
        int r = batch_begin(s, pkts, n, &b);

        if (r <= 0)
                return r;
        /* MSG_WAITFORONE: a blocking handle waits for the first packet
         * only.  An error after some packets the kernel keeps itself
         * (sk_err) for the next call. */
        got = recvmmsg(s->sk.fd, b.m, (unsigned) b.n, MSG_WAITFORONE, NULL);
        if (got < 0) {
                got = -errno;
                batch_end(&b);
                return got;
        }
        /* EOF fills every remaining slot, so only a full batch can end in
         * EOF entries; a truncated entry stored 0 bytes of a real packet. */
        real = (size_t) got;
        if (real == b.n) {
                while (real > 0 && b.m[real - 1].msg_len == 0 && !(b.m[real - 1].msg_hdr.msg_flags & MSG_TRUNC))
                        real--;
                if (real == (size_t) got || !batch_hit_eof(s->sk.fd))
                        real = (size_t) got;
        }
        for (i = 0; i < real; i++) {
                pkts[i].len = b.m[i].msg_len;
                pkts[i].truncated = (b.m[i].msg_hdr.msg_flags & MSG_TRUNC) != 0;
        }
        batch_end(&b);
        return (ssize_t) real;
}

NS_DEFINE_ANCILLARY(seqpacket, false);
NS_DEFINE_COMMON(seqpacket);
NS_DEFINE_CONNECTED(seqpacket);

NS_DEFINE_UNIX_LISTENER(seqpacket_listener, seqpacket, SOCK_SEQPACKET);
NS_DEFINE_COMMON(seqpacket_listener);
