/* SPDX-License-Identifier: MIT */
/*
 * TCP streams (mio TcpStream): connect blocking, with a timeout, or the
 * nonblocking way (EINPROGRESS is success; wait for writable, then
 * finish_connect), the byte-stream data calls shared with unix_stream, and
 * the TCP options with read-back.
 */
#include "internal.h"

#include <limits.h>
#include <poll.h>
#include <string.h>
#include <time.h>

int ns_check_inet(const struct netsock_addr *a) {
        int r = ns_addr_check(a);

        if (r == -EINVAL || a->len == 0)
                return -EINVAL;
        if (a->storage.ss_family != AF_INET && a->storage.ss_family != AF_INET6)
                return -EAFNOSUPPORT;
        return 0;
}

int ns_tcp_open(int family, int flags) {
        int fd, r = ns_check_flags(flags, NETSOCK_NONBLOCK);

        if (r < 0)
                return r;
        fd = socket(family, SOCK_STREAM | ns_sock_flags(flags), IPPROTO_TCP);
        return fd < 0 ? -errno : fd;
}

int ns_tcp_open_for(const struct netsock_addr *addr, int flags) {
        int r = ns_check_inet(addr);

        return r < 0 ? r : ns_tcp_open(addr->storage.ss_family, flags);
}

static long long now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits until a connect in progress on fd has finished and returns its
 * result: 0, the connect's error, or -ETIMEDOUT after wait_ms (-1: no
 * limit).  EINTR does not end the wait. */
static int wait_connect(int fd, int wait_ms) {
        long long deadline = wait_ms > 0 ? now_ms() + wait_ms : 0;
        struct pollfd p;
        int n, err = 0, r;

        for (;;) {
                int left = -1;

                if (wait_ms > 0) {
                        long long d = deadline - now_ms();

                        left = d < 0 ? 0 : (int) d;
                }
                p.fd = fd;
                p.events = POLLOUT;
                p.revents = 0;
                n = poll(&p, 1, left);
                if (n > 0)
                        break;
                if (n == 0)
                        return -ETIMEDOUT;
                if (errno != EINTR)
                        return -errno;
        }
        r = ns_getopt_int(fd, SOL_SOCKET, SO_ERROR, &err);
        if (r < 0)
                return r;
        return -err;
}

int ns_tcp_connect(int fd, const struct netsock_addr *addr, int wait_ms, int mode) {
        bool was_nonblocking = mode == NS_MODE_NONBLOCK;
        int r;

        r = ns_check_inet(addr);
        if (r < 0)
                return r;
        if (wait_ms > 0) {
                /* A timed connect runs nonblocking and then gives the
                 * socket back its own mode. */
                if (mode == NS_MODE_UNKNOWN && (r = ns_fd_is_nonblocking(fd, &was_nonblocking)) < 0)
                        return r;
                if (!was_nonblocking && (r = ns_fd_set_nonblocking(fd, true)) < 0)
                        return r;
        }
        if (connect(fd, (const struct sockaddr *) &addr->storage, addr->len) == 0) {
                r = 0;
        } else if (errno == EINPROGRESS && wait_ms == 0) {
                r = 0;  /* nonblocking: finish_connect tells the rest */
        } else if (errno == EINPROGRESS || errno == EINTR) {
                /* A blocking connect interrupted by a signal goes on in the
                 * kernel: calling connect again would give EALREADY, so
                 * wait for its outcome instead. */
                r = wait_connect(fd, wait_ms > 0 ? wait_ms : -1);
        } else {
                r = -errno;
        }
        if (wait_ms > 0 && !was_nonblocking) {
                int r2 = ns_fd_set_nonblocking(fd, false);

                if (r == 0)
                        r = r2;
        }
        return r;
}

static int stream_connect(const struct netsock_addr *addr, int flags, int wait_ms, struct ns_sock **ret) {
        int fd, r;

        /* A timed connect runs nonblocking: open the socket so (issue 12:
         * no mode to ask and set), and make it blocking after if the
         * caller wants it so. */
        fd = ns_tcp_open_for(addr, wait_ms > 0 ? flags | NETSOCK_NONBLOCK : flags);
        if (fd < 0)
                return fd;
        if (wait_ms == 0 && !(flags & NETSOCK_NONBLOCK))
                wait_ms = -1;
        r = ns_tcp_connect(fd, addr, wait_ms, wait_ms > 0 ? NS_MODE_NONBLOCK : NS_MODE_UNKNOWN);
        if (r == 0 && wait_ms > 0 && !(flags & NETSOCK_NONBLOCK))
                r = ns_fd_set_nonblocking(fd, false);
        if (r < 0) {
                ns_close_fd(fd);
                return r;
        }
        return ns_sock_adopt(fd, ret);
}

NS_EXPORT int netsock_tcp_stream_connect(const struct netsock_addr *addr, int flags, struct netsock_tcp_stream **ret) {
        NS_RETURN_HANDLE(tcp_stream, ret, stream_connect(addr, flags, 0, &sk_));
}

NS_EXPORT int netsock_tcp_stream_connect_timeout(const struct netsock_addr *addr, unsigned timeout_ms, int flags,
                                                 struct netsock_tcp_stream **ret) {
        if (timeout_ms == 0 || timeout_ms > INT_MAX)
                return -EINVAL;
        NS_RETURN_HANDLE(tcp_stream, ret, stream_connect(addr, flags, (int) timeout_ms, &sk_));
}

NS_EXPORT int netsock_tcp_stream_finish_connect(struct netsock_tcp_stream *s) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);
        struct tcp_info ti;
        int err = 0, r;

        if (!s)
                return -EINVAL;
        r = ns_getopt_int(s->sk.fd, SOL_SOCKET, SO_ERROR, &err);
        if (r < 0)
                return r;
        if (err)
                return -err;
        if (getpeername(s->sk.fd, (struct sockaddr *) &ss, &len) == 0)
                return 0;
        if (errno != ENOTCONN)
                return -errno;
        /* Not connected and no error pending: still in progress, or a
         * failure whose error an earlier call already took. */
        len = sizeof(ti);
        memset(&ti, 0, sizeof(ti));
        if (getsockopt(s->sk.fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 && ti.tcpi_state == TCP_SYN_SENT)
                return -EINPROGRESS;
        /* The connect may have failed after SO_ERROR was read above: its
         * error is pending now, not "already taken".  Read it again. */
        r = ns_getopt_int(s->sk.fd, SOL_SOCKET, SO_ERROR, &err);
        if (r < 0)
                return r;
        return err ? -err : -ENOTCONN;
}

NS_DEFINE_STREAM_DATA(tcp_stream);
NS_DEFINE_TCP_OPTIONS(tcp_stream);
NS_DEFINE_COMMON(tcp_stream);
NS_DEFINE_CONNECTED(tcp_stream);

NS_EXPORT int netsock_tcp_stream_set_keepalive_params(struct netsock_tcp_stream *s, unsigned idle_s, unsigned interval_s, unsigned count) {
        /* The kernel's limits (MAX_TCP_KEEPIDLE, MAX_TCP_KEEPINTVL,
         * MAX_TCP_KEEPCNT), checked first so that a bad value changes
         * nothing instead of leaving the earlier ones applied. */
        static const int names[3] = { TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT };
        static const unsigned max[3] = { 32767, 32767, 127 };
        unsigned v[3];
        int i, r;

        v[0] = idle_s;
        v[1] = interval_s;
        v[2] = count;
        if (!s)
                return -EINVAL;
        for (i = 0; i < 3; i++)
                if (v[i] > max[i])
                        return -EINVAL;
        for (i = 0; i < 3; i++) {
                if (v[i] == 0)
                        continue;  /* 0 leaves that one as it is */
                r = ns_setopt_int(s->sk.fd, IPPROTO_TCP, names[i], (int) v[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

NS_EXPORT int netsock_tcp_stream_keepalive_params(const struct netsock_tcp_stream *s, unsigned *ret_idle_s, unsigned *ret_interval_s,
                                                  unsigned *ret_count) {
        int idle = 0, intvl = 0, cnt = 0, r;

        if (!s || !ret_idle_s || !ret_interval_s || !ret_count)
                return -EINVAL;
        if ((r = ns_getopt_int(s->sk.fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle)) < 0 ||
            (r = ns_getopt_int(s->sk.fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl)) < 0 ||
            (r = ns_getopt_int(s->sk.fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt)) < 0)
                return r;
        *ret_idle_s = (unsigned) idle;
        *ret_interval_s = (unsigned) intvl;
        *ret_count = (unsigned) cnt;
        return 0;
}

NS_EXPORT int netsock_tcp_stream_set_ttl(struct netsock_tcp_stream *s, unsigned ttl) {
        return s ? ns_set_ttl(s->sk.fd, ttl) : -EINVAL;
}

NS_EXPORT int netsock_tcp_stream_ttl(const struct netsock_tcp_stream *s, unsigned *ret) {
        return s ? ns_get_ttl(s->sk.fd, ret) : -EINVAL;
}

NS_EXPORT int netsock_tcp_stream_set_only_v6(struct netsock_tcp_stream *s, bool on) {
        return s ? ns_set_only_v6(s->sk.fd, on) : -EINVAL;
}

NS_EXPORT int netsock_tcp_stream_only_v6(const struct netsock_tcp_stream *s, bool *ret) {
        return s ? ns_get_only_v6(s->sk.fd, ret) : -EINVAL;
}

NS_EXPORT int netsock_tcp_stream_set_user_timeout(struct netsock_tcp_stream *s, unsigned ms) {
        if (!s || ms > INT_MAX)
                return -EINVAL;
        return ns_setopt_int(s->sk.fd, IPPROTO_TCP, TCP_USER_TIMEOUT, (int) ms);
}

NS_EXPORT int netsock_tcp_stream_user_timeout(const struct netsock_tcp_stream *s, unsigned *ret_ms) {
        int v = 0, r;

        if (!s || !ret_ms)
                return -EINVAL;
        r = ns_getopt_int(s->sk.fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &v);
        if (r < 0)
                return r;
        *ret_ms = (unsigned) v;
        return 0;
}
