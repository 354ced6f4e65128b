/* SPDX-License-Identifier: MIT */
/*
 * The shared fd-wrapper core: the common calls of every handle type, the
 * socket-option helpers, timeouts, and the plain data calls.  Module files
 * call these instead of the syscalls so that every handle behaves alike:
 * close-on-exec everywhere, MSG_NOSIGNAL on every send, EINTR retried only
 * in the loops, and out-parameters written only on success.
 */
#include "internal.h"

#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

const struct ns_kind ns_kind_unix_stream = { AF_UNIX, SOCK_STREAM, 0, false, false };
const struct ns_kind ns_kind_unix_listener = { AF_UNIX, SOCK_STREAM, 0, true, false };
const struct ns_kind ns_kind_seqpacket = { AF_UNIX, SOCK_SEQPACKET, 0, false, false };
const struct ns_kind ns_kind_seqpacket_listener = { AF_UNIX, SOCK_SEQPACKET, 0, true, false };
const struct ns_kind ns_kind_tcp_socket = { AF_INET, SOCK_STREAM, IPPROTO_TCP, false, true };
const struct ns_kind ns_kind_tcp_listener = { AF_INET, SOCK_STREAM, IPPROTO_TCP, true, false };
const struct ns_kind ns_kind_tcp_stream = { AF_INET, SOCK_STREAM, IPPROTO_TCP, false, false };

void ns_close_fd(int fd) {
        int saved = errno;

        /* On Linux the fd is released even when close reports EINTR, so
         * never retry: that could close an fd another thread just got. */
        if (fd >= 0)
                (void) close(fd);
        errno = saved;
}

int ns_sock_new(int fd, struct ns_sock **ret) {
        /* malloc and a compound literal rather than calloc: glibc's calloc
         * skips the thread cache and clears memory it then hands out
         * anyway, while this is a few stores (issue 12: accept).  Every
         * field not named here is zero, as calloc made it. */
        struct ns_sock *sk = malloc(sizeof(*sk));

        if (!sk)
                return -ENOMEM;
        *sk = (struct ns_sock) { .fd = fd, .lock_fd = -1 };
        *ret = sk;
        return 0;
}

int ns_sock_adopt(int fd, struct ns_sock **ret) {
        int r = ns_sock_new(fd, ret);

        if (r < 0)
                ns_close_fd(fd);
        return r;
}

/* Removes the socket file a listener bound, but only if the file at that
 * path is still the very socket this listener created: another process may
 * have replaced it (NETSOCK_REPLACE_STALE elsewhere) and that file is not
 * ours to remove. */
void ns_unlink_if_same(const char *path, dev_t dev, ino_t ino) {
        struct stat st;

        if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_dev == dev && st.st_ino == ino)
                (void) unlink(path);
}

void ns_sock_close(struct ns_sock *sk) {
        if (!sk)
                return;
        /* A forked child closing its copy of a listener removes nothing:
         * the socket file (and its lock file) belong to the process that
         * bound it, which may well still be listening. */
        if (sk->unlink_path && sk->owner == getpid()) {
                ns_unlink_if_same(sk->unlink_path, sk->dev, sk->ino);
                if (sk->lock_fd >= 0)
                        ns_unlink_lock_file(sk->unlink_path, sk->lock_fd);
        }
        free(sk->unlink_path);
        /* The lock goes last, once the files it guards are gone. */
        ns_close_fd(sk->lock_fd);
        ns_close_fd(sk->fd);
        ns_sendq_free(sk->q);  /* what is still queued is dropped (API.md §15) */
        free(sk);
}

int ns_sock_into_fd(struct ns_sock *sk) {
        int fd;

        if (!sk)
                return -EINVAL;
        fd = sk->fd;
        ns_close_fd(sk->lock_fd);  /* into_fd releases the REPLACE_STALE lock */
        free(sk->unlink_path);
        ns_sendq_free(sk->q);  /* queued bytes are dropped: flush first */
        free(sk);
        return fd;
}

int ns_getopt_int(int fd, int level, int name, int *ret) {
        int v = 0;
        socklen_t len = sizeof(v);

        if (!ret)
                return -EINVAL;
        if (getsockopt(fd, level, name, &v, &len) < 0)
                return -errno;
        *ret = v;
        return 0;
}

int ns_setopt_int(int fd, int level, int name, int value) {
        return setsockopt(fd, level, name, &value, sizeof(value)) < 0 ? -errno : 0;
}

int ns_getopt_bool(int fd, int level, int name, bool *ret) {
        int v = 0, r;

        if (!ret)
                return -EINVAL;
        r = ns_getopt_int(fd, level, name, &v);
        if (r < 0)
                return r;
        *ret = v != 0;
        return 0;
}

int ns_setopt_bool(int fd, int level, int name, bool on) {
        return ns_setopt_int(fd, level, name, on ? 1 : 0);
}

/* Send/receive buffer sizes.  Linux doubles the value set (for its own
 * bookkeeping) and clamps it to [a minimum, net.core.[rw]mem_max]; the
 * getter reports what the kernel holds. */
int ns_set_bufsize(int fd, int optname, size_t size) {
        if (size > INT_MAX)
                return -EINVAL;
        return ns_setopt_int(fd, SOL_SOCKET, optname, (int) size);
}

int ns_get_bufsize(int fd, int optname, size_t *ret) {
        int v = 0, r;

        if (!ret)
                return -EINVAL;
        r = ns_getopt_int(fd, SOL_SOCKET, optname, &v);
        if (r < 0)
                return r;
        *ret = v < 0 ? 0 : (size_t) v;
        return 0;
}

/* secs < 0: off; 0: close sends RST (abortive); > 0: close waits. */
int ns_set_linger(int fd, int secs) {
        struct linger l;

        l.l_onoff = secs >= 0;
        l.l_linger = secs >= 0 ? secs : 0;
        return setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l)) < 0 ? -errno : 0;
}

int ns_get_linger(int fd, int *ret_secs) {
        struct linger l;
        socklen_t len = sizeof(l);

        if (!ret_secs)
                return -EINVAL;
        if (getsockopt(fd, SOL_SOCKET, SO_LINGER, &l, &len) < 0)
                return -errno;
        *ret_secs = l.l_onoff ? l.l_linger : -1;
        return 0;
}

/* Where IPv4 and IPv6 name an option differently, the socket's own
 * family (SO_DOMAIN) decides; a non-inet socket has neither. */
int ns_opt_resolve(int fd, const struct ns_opt *o, int *ret_level, int *ret_name) {
        int family = 0, r;

        if (o->level == o->level6 && o->name == o->name6) {
                *ret_level = o->level;
                *ret_name = o->name;
                return 0;
        }
        r = ns_getopt_int(fd, SOL_SOCKET, SO_DOMAIN, &family);
        if (r < 0)
                return r;
        if (family != AF_INET && family != AF_INET6)
                return -EAFNOSUPPORT;
        *ret_level = family == AF_INET6 ? o->level6 : o->level;
        *ret_name = family == AF_INET6 ? o->name6 : o->name;
        return 0;
}

/* The kernel reads and writes every option below as a 32-bit int; the
 * typed helpers only convert, after ns_opt_resolve. */
static int opt_set(int fd, const struct ns_opt *o, int v) {
        int level = 0, name = 0, r = ns_opt_resolve(fd, o, &level, &name);

        return r < 0 ? r : ns_setopt_int(fd, level, name, v);
}

static int opt_get(int fd, const struct ns_opt *o, int *ret) {
        int level = 0, name = 0, r = ns_opt_resolve(fd, o, &level, &name);

        return r < 0 ? r : ns_getopt_int(fd, level, name, ret);
}

int ns_opt_set_bool(int fd, const struct ns_opt *o, bool on) {
        return opt_set(fd, o, on ? 1 : 0);
}

int ns_opt_get_bool(int fd, const struct ns_opt *o, bool *ret) {
        int v = 0, r;

        if (!ret)
                return -EINVAL;
        r = opt_get(fd, o, &v);
        if (r < 0)
                return r;
        *ret = v != 0;
        return 0;
}

int ns_opt_set_int(int fd, const struct ns_opt *o, int v) {
        return opt_set(fd, o, v);
}

int ns_opt_get_int(int fd, const struct ns_opt *o, int *ret) {
        int v = 0, r;

        if (!ret)
                return -EINVAL;
        r = opt_get(fd, o, &v);
        if (r < 0)
                return r;
        *ret = v;
        return 0;
}

int ns_opt_set_uint(int fd, const struct ns_opt *o, unsigned v) {
        /* Above INT_MAX the kernel would see a negative int. */
        return v > INT_MAX ? -EINVAL : opt_set(fd, o, (int) v);
}

int ns_opt_get_uint(int fd, const struct ns_opt *o, unsigned *ret) {
        int v = 0, r;

        if (!ret)
                return -EINVAL;
        r = opt_get(fd, o, &v);
        if (r < 0)
                return r;
        *ret = (unsigned) v;
        return 0;
}

int ns_opt_set_u32(int fd, const struct ns_opt *o, uint32_t v) {
        int level = 0, name = 0, r = ns_opt_resolve(fd, o, &level, &name);

        if (r < 0)
                return r;
        return setsockopt(fd, level, name, &v, sizeof(v)) < 0 ? -errno : 0;
}

int ns_opt_get_u32(int fd, const struct ns_opt *o, uint32_t *ret) {
        int level = 0, name = 0, r;
        uint32_t v = 0;
        socklen_t len = sizeof(v);

        if (!ret)
                return -EINVAL;
        r = ns_opt_resolve(fd, o, &level, &name);
        if (r < 0)
                return r;
        if (getsockopt(fd, level, name, &v, &len) < 0)
                return -errno;
        *ret = v;
        return 0;
}

/* The longest name option we read: IFNAMSIZ and TCP_CA_NAME_MAX are 16. */
#define NAME_OPT_MAX 64

int ns_setopt_name(int fd, int level, int name, const char *value, size_t max) {
        size_t n = value ? strlen(value) : 0;

        if (n >= max)
                return -EINVAL;
        return setsockopt(fd, level, name, n ? value : "", (socklen_t) n) < 0 ? -errno : 0;
}

ssize_t ns_getopt_name(int fd, int level, int name, char *buf, size_t size) {
        char v[NAME_OPT_MAX + 1];
        socklen_t len = NAME_OPT_MAX;
        size_t n;

        if (!buf && size)
                return -EINVAL;
        memset(v, 0, sizeof(v));
        if (getsockopt(fd, level, name, v, &len) < 0)
                return -errno;
        n = strnlen(v, len);
        if (size) {
                size_t c = n < size - 1 ? n : size - 1;

                memcpy(buf, v, c);
                buf[c] = '\0';
        }
        return (ssize_t) n;
}

int ns_set_keepalive_params(int fd, unsigned idle_s, unsigned interval_s, unsigned count) {
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
        for (i = 0; i < 3; i++)
                if (v[i] > max[i])
                        return -EINVAL;
        for (i = 0; i < 3; i++) {
                if (v[i] == 0)
                        continue;  /* 0 leaves that one as it is */
                r = ns_setopt_int(fd, IPPROTO_TCP, names[i], (int) v[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

int ns_get_keepalive_params(int fd, unsigned *ret_idle_s, unsigned *ret_interval_s, unsigned *ret_count) {
        int idle = 0, intvl = 0, cnt = 0, r;

        if (!ret_idle_s || !ret_interval_s || !ret_count)
                return -EINVAL;
        if ((r = ns_getopt_int(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle)) < 0 ||
            (r = ns_getopt_int(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl)) < 0 ||
            (r = ns_getopt_int(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt)) < 0)
                return r;
        *ret_idle_s = (unsigned) idle;
        *ret_interval_s = (unsigned) intvl;
        *ret_count = (unsigned) cnt;
        return 0;
}

/* IP_TTL on IPv4, IPV6_UNICAST_HOPS on IPv6. */
#define TTL_OPT NS_OPT_BY_FAMILY(IPPROTO_IP, IP_TTL, IPPROTO_IPV6, IPV6_UNICAST_HOPS)

int ns_set_ttl(int fd, unsigned ttl) {
        if (ttl == 0 || ttl > 255)
                return -EINVAL;
        return ns_opt_set_uint(fd, &TTL_OPT, ttl);
}

int ns_get_ttl(int fd, unsigned *ret) {
        return ns_opt_get_uint(fd, &TTL_OPT, ret);
}

/* IPV6_V6ONLY exists only on IPv6 sockets: -EAFNOSUPPORT on IPv4. */
static int check_v6(int fd) {
        int family = 0, r = ns_getopt_int(fd, SOL_SOCKET, SO_DOMAIN, &family);

        if (r < 0)
                return r;
        return family == AF_INET6 ? 0 : -EAFNOSUPPORT;
}

int ns_set_only_v6(int fd, bool on) {
        int r = check_v6(fd);

        return r < 0 ? r : ns_setopt_bool(fd, IPPROTO_IPV6, IPV6_V6ONLY, on);
}

int ns_get_only_v6(int fd, bool *ret) {
        int r;

        if (!ret)
                return -EINVAL;
        r = check_v6(fd);
        return r < 0 ? r : ns_getopt_bool(fd, IPPROTO_IPV6, IPV6_V6ONLY, ret);
}

/* Maps a failed getsockopt on a foreign fd to the from_fd() errors. */
static int kind_check(int fd, const struct ns_kind *kind) {
        int v = 0, r;

        r = ns_getopt_int(fd, SOL_SOCKET, SO_DOMAIN, &v);
        if (r < 0)
                return r;  /* -EBADF, -ENOTSOCK */
        if (kind->family == AF_INET ? (v != AF_INET && v != AF_INET6) : v != kind->family)
                return -EAFNOSUPPORT;
        r = ns_getopt_int(fd, SOL_SOCKET, SO_TYPE, &v);
        if (r < 0)
                return r;
        if (v != kind->type)
                return -EPROTOTYPE;
        if (kind->protocol) {
                r = ns_getopt_int(fd, SOL_SOCKET, SO_PROTOCOL, &v);
                if (r < 0)
                        return r;
                if (v != kind->protocol)
                        return -EPROTOTYPE;
        }
        r = ns_getopt_int(fd, SOL_SOCKET, SO_ACCEPTCONN, &v);
        if (r < 0)
                return r;
        if ((v != 0) != kind->listening)
                return -EINVAL;
        if (kind->unconnected) {
                /* Only a TCP socket in state CLOSE is unconnected: one whose
                 * connect is still in progress (SYN_SENT) has no peer name
                 * yet but is no builder any more. */
                struct tcp_info ti;
                socklen_t len = sizeof(ti);

                memset(&ti, 0, sizeof(ti));
                if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
                        return -errno;
                if (ti.tcpi_state != TCP_CLOSE)
                        return -EISCONN;
        }
        return 0;
}

int ns_sock_from_fd(int fd, const struct ns_kind *kind, struct ns_sock **ret) {
        struct ns_sock *sk;
        int r;

        if (fd < 0)
                return -EBADF;
        r = kind_check(fd, kind);
        if (r < 0)
                return r;
        r = ns_sock_new(fd, &sk);
        if (r < 0)
                return r;
        /* Set last, when nothing can fail any more: on failure the caller's
         * fd is left exactly as it was. */
        if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
                r = -errno;
                free(sk);
                return r;
        }
        *ret = sk;
        return 0;
}

int ns_sock_try_clone(const struct ns_sock *sk, struct ns_sock **ret) {
        int fd;

        if (!sk)
                return -EINVAL;
        fd = fcntl(sk->fd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return -errno;
        /* The clone never removes the socket file: only the handle that
         * bound it does (NETSOCK_REMOVE_ON_CLOSE is not inherited). */
        return ns_sock_adopt(fd, ret);
}

int ns_fd_set_nonblocking(int fd, bool on) {
        int v = on;

        /* FIONBIO is one syscall where F_GETFL + F_SETFL would be two. */
        return ioctl(fd, FIONBIO, &v) < 0 ? -errno : 0;
}

int ns_sock_set_nonblocking(struct ns_sock *sk, bool on) {
        int r = ns_fd_set_nonblocking(sk->fd, on);

        if (r == 0)
                sk->mode = on ? NS_MODE_NONBLOCK : NS_MODE_BLOCKING;
        return r;
}

int ns_fd_is_nonblocking(int fd, bool *ret) {
        int fl;

        if (!ret)
                return -EINVAL;
        fl = fcntl(fd, F_GETFL);
        if (fl < 0)
                return -errno;
        *ret = (fl & O_NONBLOCK) != 0;
        return 0;
}

int ns_sock_take_error(struct ns_sock *sk, int *ret_err) {
        if (!sk || !ret_err)
                return -EINVAL;
        if (sk->pending_err) {
                *ret_err = ns_sock_take_pending(sk);
                return 0;
        }
        return ns_fd_take_error(sk->fd, ret_err);
}

int ns_fd_take_error(int fd, int *ret_err) {
        int v = 0, r;

        if (!ret_err)
                return -EINVAL;
        r = ns_getopt_int(fd, SOL_SOCKET, SO_ERROR, &v);
        if (r < 0)
                return r;
        *ret_err = -v;
        return 0;
}

/* getsockname or getpeername, read into a well-formed netsock_addr. */
static int fd_name(int fd, int (*get)(int, struct sockaddr *, socklen_t *), struct netsock_addr *ret) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);

        if (!ret)
                return -EINVAL;
        memset(&ss, 0, sizeof(ss));
        if (get(fd, (struct sockaddr *) &ss, &len) < 0)
                return -errno;
        ns_addr_from_kernel(ret, &ss, len);
        return 0;
}

int ns_fd_local_addr(int fd, struct netsock_addr *ret) {
        return fd_name(fd, getsockname, ret);
}

int ns_fd_peer_addr(int fd, struct netsock_addr *ret) {
        return fd_name(fd, getpeername, ret);
}

int ns_fd_shutdown(int fd, int how) {
        if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
                return -EINVAL;
        return shutdown(fd, how) < 0 ? -errno : 0;
}

/* SO_RCVTIMEO / SO_SNDTIMEO in milliseconds.  The kernel keeps them in
 * clock ticks, so a value reads back rounded up to a whole tick. */
int ns_fd_set_timeout(int fd, int optname, unsigned ms) {
        struct timeval tv;

        tv.tv_sec = ms / 1000;
        tv.tv_usec = (suseconds_t) (ms % 1000) * 1000;
        return setsockopt(fd, SOL_SOCKET, optname, &tv, sizeof(tv)) < 0 ? -errno : 0;
}

int ns_fd_timeout(int fd, int optname, unsigned *ret_ms) {
        struct timeval tv;
        socklen_t len = sizeof(tv);
        unsigned long long ms;

        if (!ret_ms)
                return -EINVAL;
        if (getsockopt(fd, SOL_SOCKET, optname, &tv, &len) < 0)
                return -errno;
        ms = (unsigned long long) tv.tv_sec * 1000 + ((unsigned long long) tv.tv_usec + 999) / 1000;
        *ret_ms = ms > UINT_MAX ? UINT_MAX : (unsigned) ms;
        return 0;
}

ssize_t ns_neg_errno(void) {
        return -errno;
}

ssize_t ns_sock_take_pending_cold(struct ns_sock *sk) {
        return ns_sock_take_pending(sk);
}

int ns_send_all_args(const struct ns_sock *sk, const void *buf, size_t len) {
        (void) sk;
        (void) buf;
        return len == 0 ? 0 : -EINVAL;  /* NULL buf */
}

ssize_t ns_recv_exact_args(const struct ns_sock *sk, const void *buf, size_t len) {
        (void) sk;
        (void) buf;
        return len == 0 ? 0 : -EINVAL;  /* NULL buf, or len > SSIZE_MAX */
}

/* The rest of a send_all after its first send returned n (-1: errno). */
int ns_send_all_rest(const struct ns_io_rest *io, ssize_t n) {
        const char *p = io->buf;
        size_t len = io->len;
        int fd = io->sk->fd;

        for (;;) {
                if (n < 0) {
                        if (errno != EINTR)
                                return -errno;
                } else {
                        p += n;
                        len -= (size_t) n;
                        if (len == 0)
                                return 0;
                }
                n = send(fd, p, len, MSG_NOSIGNAL);
        }
}

/* The rest of a recv_exact after its first recv returned n (-1: errno). */
ssize_t ns_recv_exact_rest(const struct ns_io_rest *io, ssize_t n) {
        struct ns_sock *sk = io->sk;
        char *p = io->buf;
        size_t len = io->len, got = 0;

        for (;;) {
                if (n < 0) {
                        if (errno != EINTR) {
                                /* Bytes already taken off the socket are
                                 * never thrown away: return them.  The
                                 * kernel reports some errors only once (a
                                 * TCP reset is consumed by the recv that
                                 * sees it), so the handle keeps the error
                                 * for the next receive.  EAGAIN (a timeout,
                                 * or nothing more queued) is not kept: the
                                 * next call finds it again by itself, and
                                 * keeping it would hide bytes that arrive
                                 * meanwhile from an edge-triggered loop. */
                                if (got == 0)
                                        return -errno;
                                if (errno != EAGAIN)
                                        ns_sock_set_pending(sk, -errno);
                                break;
                        }
                } else if (n == 0) {
                        break;
                } else {
                        got += (size_t) n;
                        if (got == len)
                                break;
                }
                /* MSG_WAITALL lets a blocking socket fill the whole buffer
                 * in one call; the loop covers signals, timeouts and
                 * nonblocking sockets, where it returns early. */
                n = recv(sk->fd, p + got, len - got, MSG_WAITALL);
        }
        return (ssize_t) got;
}

/* accept4 with close-on-exec, shared by every listener type.  The peer's
 * address is asked of the kernel only when the caller wants it: no 128-byte
 * buffer to set up otherwise (issue 12), and the kernel writes the len
 * bytes that ns_addr_from_kernel reads, so the buffer needs no clearing. */
int ns_accept(struct ns_sock *l, int flags, struct ns_sock **ret, struct netsock_addr *ret_peer) {
        struct sockaddr_storage ss;
        socklen_t len = 0;
        int fd, r;

        if (!l)
                return -EINVAL;
        r = ns_check_flags(flags, NETSOCK_NONBLOCK);
        if (r < 0)
                return r;
        for (;;) {
                if (ret_peer) {
                        len = sizeof(ss);
                        fd = accept4(l->fd, (struct sockaddr *) &ss, &len, ns_sock_flags(flags));
                } else {
                        fd = accept4(l->fd, NULL, NULL, ns_sock_flags(flags));
                }
                if (fd >= 0)
                        break;
                /* A connection the peer gave up on before we took it is
                 * not this listener's error: take the next one.  EINTR is
                 * returned (API.md §5, 0.2): a server must be able to stop
                 * a blocking accept with a signal. */
                if (errno != ECONNABORTED)
                        return -errno;
        }
        r = ns_sock_adopt(fd, ret);
        if (r < 0)
                return r;
        if (ret_peer)
                ns_addr_from_kernel(ret_peer, &ss, len);
        return 0;
}
