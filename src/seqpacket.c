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
 */
#include "internal.h"

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

NS_EXPORT ssize_t netsock_seqpacket_send(struct netsock_seqpacket *s, const void *buf, size_t len) {
        return s ? ns_send(s->sk.fd, buf, len) : -EINVAL;
}

NS_EXPORT ssize_t netsock_seqpacket_send_vectored(struct netsock_seqpacket *s, const struct iovec *iov, size_t iovcnt) {
        return s ? ns_sendv(s->sk.fd, iov, iovcnt) : -EINVAL;
}

/* A recv that failed (n < 0) or found a packet longer than len (n > len,
 * truncated); out of line, so that the fast path is the compare that finds
 * both cases at once. */
static __attribute__((cold, noinline)) ssize_t packet_slow(ssize_t n, size_t len, bool *ret_truncated) {
        if (n < 0)
                return ns_neg_errno();
        if (ret_truncated)
                *ret_truncated = true;
        return (ssize_t) len;
}

/* One packet into iov; MSG_TRUNC in msg_flags says it was longer. */
static ssize_t recv_packet(struct netsock_seqpacket *s, const struct iovec *iov, size_t iovcnt, int flags, bool *ret_truncated) {
        struct msghdr msg;
        ssize_t n;

        if (!s || ns_bad_iov(iov, iovcnt))
                return -EINVAL;
        msg = (struct msghdr) { .msg_iov = (struct iovec *) iov, .msg_iovlen = iovcnt };
        n = recvmsg(s->sk.fd, &msg, flags);
        if (__builtin_expect(n < 0, 0))
                return ns_neg_errno();
        if (ret_truncated)
                *ret_truncated = (msg.msg_flags & MSG_TRUNC) != 0;
        return n;
}

/* One packet into buf.  With MSG_TRUNC an AF_UNIX recv returns the
 * packet's full length even when it did not fit (the rest is discarded as
 * without it), so truncation is n > len: one recv, no recvmsg and msghdr
 * to set up just to read msg_flags. */
static inline ssize_t recv_packet_buf(struct netsock_seqpacket *s, void *buf, size_t len, int flags, bool *ret_truncated) {
        ssize_t n;

        if (!s || (!buf && len))
                return -EINVAL;
        n = recv(s->sk.fd, buf, len, flags | MSG_TRUNC);
        /* Unsigned, n < 0 is above any len: one compare for both. */
        if (__builtin_expect((size_t) n > len, 0))
                return packet_slow(n, len, ret_truncated);
        if (ret_truncated)
                *ret_truncated = false;
        return n;
}

NS_EXPORT ssize_t netsock_seqpacket_recv(struct netsock_seqpacket *s, void *buf, size_t len, bool *ret_truncated) {
        return recv_packet_buf(s, buf, len, 0, ret_truncated);
}

NS_EXPORT ssize_t netsock_seqpacket_recv_vectored(struct netsock_seqpacket *s, const struct iovec *iov, size_t iovcnt, bool *ret_truncated) {
        return recv_packet(s, iov, iovcnt, 0, ret_truncated);
}

NS_EXPORT ssize_t netsock_seqpacket_peek(struct netsock_seqpacket *s, void *buf, size_t len, bool *ret_truncated) {
        return recv_packet_buf(s, buf, len, MSG_PEEK, ret_truncated);
}

NS_EXPORT ssize_t netsock_seqpacket_peek_vectored(struct netsock_seqpacket *s, const struct iovec *iov, size_t iovcnt, bool *ret_truncated) {
        return recv_packet(s, iov, iovcnt, MSG_PEEK, ret_truncated);
}

NS_EXPORT ssize_t netsock_seqpacket_next_packet_len(struct netsock_seqpacket *s) {
        /* With MSG_TRUNC an AF_UNIX recv returns the packet's real length
         * whatever the buffer size; with MSG_PEEK it stays queued. */
        return s ? ns_recv(s->sk.fd, NULL, 0, MSG_PEEK | MSG_TRUNC) : -EINVAL;
}

NS_DEFINE_UNIX_CONNECT_TIMEOUT(seqpacket, SOCK_SEQPACKET);
NS_DEFINE_ANCILLARY(seqpacket, false);
NS_DEFINE_COMMON(seqpacket);
NS_DEFINE_CONNECTED(seqpacket);

NS_DEFINE_UNIX_LISTENER(seqpacket_listener, seqpacket, SOCK_SEQPACKET);
NS_DEFINE_COMMON(seqpacket_listener);
