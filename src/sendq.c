/* SPDX-License-Identifier: MIT */
/*
 * Queued sends for nonblocking streams (API.md §15): send_queued takes all
 * of a buffer or nothing, sends what the socket takes now and keeps the
 * rest, in order, for flush.  Shared by unix_stream and tcp_stream through
 * NS_DEFINE_SENDQ; the plain sends refuse with -EBUSY while bytes wait
 * (NS_SEND_GUARD), so nothing ever overtakes the queue.
 *
 * Cost model: a handle that never queues has a NULL q and pays one load and
 * a branch in its plain sends.  The queue (struct ns_sendq) is allocated by
 * the first send_queued that leaves bytes over, or by set_send_queue_limit;
 * its ring buffer grows by doubling (amortised O(1) copying per byte), is
 * bounded by the limit, and one larger than NS_SENDQ_KEEP is given back as
 * soon as the queue drains, so a burst does not pin memory.
 *
 * The queue is a ring: the bytes are at most two contiguous pieces, so one
 * sendmsg carries the whole queue and the caller's new buffer after it (3
 * iovecs), and a partial send only moves head.
 */
#include "internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* Ring buffers up to this size stay allocated when the queue drains. */
#define NS_SENDQ_KEEP ((size_t) 64 * 1024)
/* The smallest ring allocated. */
#define NS_SENDQ_MIN ((size_t) 4096)

static struct ns_sendq *sendq_get(struct ns_sock *sk) {
        if (!sk->q) {
                sk->q = calloc(1, sizeof(*sk->q));
                if (sk->q)
                        sk->q->limit = NS_SENDQ_DEFAULT_LIMIT;
        }
        return sk->q;
}

void ns_sendq_free(struct ns_sendq *q) {
        if (!q)
                return;
        free(q->buf);
        free(q);
}

/* The queued bytes as at most two iovecs, oldest first; their count. */
static size_t sendq_iov(const struct ns_sendq *q, struct iovec *iov) {
        size_t first;

        if (q->len == 0)
                return 0;
        first = q->cap - q->head < q->len ? q->cap - q->head : q->len;
        iov[0].iov_base = q->buf + q->head;
        iov[0].iov_len = first;
        if (first == q->len)
                return 1;
        iov[1].iov_base = q->buf;
        iov[1].iov_len = q->len - first;
        return 2;
}

/* Makes room for `need` bytes in all (need >= q->len); 0 or -ENOMEM,
 * with the queue unchanged on failure. */
static int sendq_reserve(struct ns_sendq *q, size_t need) {
        struct iovec iov[2];
        size_t cap, n, i, at = 0;
        unsigned char *buf;

        if (need <= q->cap)
                return 0;
        cap = q->cap > NS_SENDQ_MIN ? q->cap : NS_SENDQ_MIN;
        while (cap < need) {
                if (cap > SIZE_MAX / 2) {
                        cap = need;
                        break;
                }
                cap *= 2;
        }
        /* Never more than the limit asks for (a lowered limit may be below
         * what is queued: then exactly what is needed). */
        if (cap > q->limit)
                cap = q->limit > need ? q->limit : need;
        buf = malloc(cap);
        if (!buf)
                return -ENOMEM;
        n = sendq_iov(q, iov);
        for (i = 0; i < n; i++) {
                memcpy(buf + at, iov[i].iov_base, iov[i].iov_len);
                at += iov[i].iov_len;
        }
        free(q->buf);
        q->buf = buf;
        q->cap = cap;
        q->head = 0;
        return 0;
}

/* NS_SLOW_QUEUED follows q->len: the plain sends' guard reads only it. */
static void sendq_sync(struct ns_sock *sk) {
        if (sk->q && sk->q->len != 0)
                sk->slow |= NS_SLOW_QUEUED;
        else
                sk->slow &= (unsigned char) ~NS_SLOW_QUEUED;
}

/* Drops the n oldest bytes (they were sent). */
static void sendq_consume(struct ns_sendq *q, size_t n) {
        q->len -= n;
        q->head += n;
        if (q->head >= q->cap)
                q->head -= q->cap;
        if (q->len == 0)
                q->head = 0;
}

/* Gives back a large ring once the queue is empty. */
static void sendq_trim(struct ns_sendq *q) {
        if (q->len == 0 && q->cap > NS_SENDQ_KEEP) {
                free(q->buf);
                q->buf = NULL;
                q->cap = 0;
        }
}

/* Appends n bytes; the room is there (sendq_reserve). */
static void sendq_append(struct ns_sendq *q, const unsigned char *p, size_t n) {
        size_t tail = q->head + q->len, first;

        if (tail >= q->cap)
                tail -= q->cap;
        first = q->cap - tail < n ? q->cap - tail : n;
        memcpy(q->buf + tail, p, first);
        memcpy(q->buf, p + first, n - first);
        q->len += n;
}

/* One sendmsg of iov with MSG_NOSIGNAL: the count taken or -errno. */
static ssize_t sendq_sendmsg(int fd, struct iovec *iov, size_t iovcnt) {
        struct msghdr msg;
        ssize_t n;

        memset(&msg, 0, sizeof(msg));
        msg.msg_iov = iov;
        msg.msg_iovlen = iovcnt;
        n = sendmsg(fd, &msg, MSG_NOSIGNAL);
        return n < 0 ? -errno : n;
}

/* The same for send_queued, where a socket that takes nothing now
 * (EAGAIN, or a signal before the first byte) is not an error: 0. */
static ssize_t send_iov(int fd, struct iovec *iov, size_t iovcnt) {
        ssize_t n = sendq_sendmsg(fd, iov, iovcnt);

        return n == -EAGAIN || n == -EWOULDBLOCK || n == -EINTR ? 0 : n;
}

ssize_t ns_sendq_send(struct ns_sock *sk, const void *buf, size_t len) {
        struct ns_sendq *q;
        struct iovec iov[3];
        size_t queued, limit, niov, took, from_buf;
        ssize_t n;
        int r;

        if (!sk || (!buf && len) || len > SSIZE_MAX)
                return -EINVAL;
        q = sk->q;
        queued = q ? q->len : 0;
        limit = q ? q->limit : NS_SENDQ_DEFAULT_LIMIT;
        /* Checked before anything is sent, so the answer never depends on
         * how much the socket would have taken.  queued may exceed a limit
         * lowered since; the subtraction is then not taken. */
        if (queued > limit || len > limit - queued)
                return -ENOBUFS;
        if (len == 0)
                return 0;
        if (queued == 0) {
                /* The common case: the socket takes it all and nothing is
                 * allocated.  Room for a rest is made after the send. */
                iov[0].iov_base = (void *) buf;
                iov[0].iov_len = len;
                n = send_iov(sk->fd, iov, 1);
                if (n < 0)
                        return n;
                took = (size_t) n;
                if (took == len)
                        return (ssize_t) len;
                q = sendq_get(sk);
                r = q ? sendq_reserve(q, len - took) : -ENOMEM;
                if (r < 0) {
                        if (took == 0)
                                return r;  /* nothing sent, nothing taken */
                        /* The kernel has the first bytes and the rest
                         * cannot be kept: the stream has a hole.  Stop it
                         * so that the peer sees an end, never a splice. */
                        (void) shutdown(sk->fd, SHUT_WR);
                        return r;
                }
                sendq_append(q, (const unsigned char *) buf + took, len - took);
                sendq_sync(sk);
                return (ssize_t) len;
        }
        /* Bytes wait: they go first, with buf after them, in one sendmsg.
         * Room for all of buf is made before, so that a failure leaves
         * everything as it was. */
        r = sendq_reserve(q, queued + len);
        if (r < 0)
                return r;
        niov = sendq_iov(q, iov);
        iov[niov].iov_base = (void *) buf;
        iov[niov].iov_len = len;
        n = send_iov(sk->fd, iov, niov + 1);
        if (n < 0)
                return n;  /* buf not taken; the queue as it was */
        took = (size_t) n;
        from_buf = took > queued ? took - queued : 0;
        sendq_consume(q, took - from_buf);
        sendq_append(q, (const unsigned char *) buf + from_buf, len - from_buf);
        sendq_sync(sk);
        sendq_trim(q);
        return (ssize_t) len;
}

int ns_sendq_flush(struct ns_sock *sk) {
        struct ns_sendq *q;
        struct iovec iov[2];
        ssize_t n;

        if (!sk)
                return -EINVAL;
        q = sk->q;
        if (!q || q->len == 0)
                return 0;
        /* Until the socket stops taking bytes: a nonblocking one says
         * EAGAIN, a blocking one blocks and returns when all is sent.
         * Signals do not end the loop (like send_all). */
        while (q->len > 0) {
                n = sendq_sendmsg(sk->fd, iov, sendq_iov(q, iov));
                if (n == -EINTR)
                        continue;
                if (n < 0)
                        return (int) n;  /* -EAGAIN: wait for writable */
                sendq_consume(q, (size_t) n);
                sendq_sync(sk);
        }
        sendq_trim(q);
        return 0;
}

size_t ns_sendq_queued(const struct ns_sock *sk) {
        return sk && sk->q ? sk->q->len : 0;
}

int ns_sendq_set_limit(struct ns_sock *sk, size_t bytes) {
        struct ns_sendq *q;

        if (!sk || bytes == 0)
                return -EINVAL;
        /* The default needs no queue: a handle that never queues stays
         * without one. */
        if (!sk->q && bytes == NS_SENDQ_DEFAULT_LIMIT)
                return 0;
        q = sendq_get(sk);
        if (!q)
                return -ENOMEM;
        /* A limit below what is queued now is allowed: those bytes stay,
         * and send_queued refuses new ones until the queue is below it. */
        q->limit = bytes;
        return 0;
}
