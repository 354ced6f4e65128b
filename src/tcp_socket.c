/* SPDX-License-Identifier: MIT */
/*
 * The TCP socket builder (tokio TcpSocket) and the TCP listener.  A
 * tcp_socket is an unconnected TCP socket on which options are set before
 * it becomes a listener (listen) or a stream (connect, connect_timeout);
 * those three consume it whether they succeed or fail, so no path leaves an
 * fd behind.  The stream and listener are the same fd in a new handle.
 */
#include "internal.h"

#include <limits.h>
#include <net/if.h>
#include <string.h>

#define LISTENER_BACKLOG 1024

static int new_socket(int family, int flags, struct ns_sock **ret) {
        int fd = ns_tcp_open(family, flags), r;

        if (fd < 0)
                return fd;
        r = ns_sock_adopt(fd, ret);
        if (r == 0)
                (*ret)->mode = (flags & NETSOCK_NONBLOCK) ? NS_MODE_NONBLOCK : NS_MODE_BLOCKING;
        return r;
}

NS_EXPORT int netsock_tcp_socket_new_v4(int flags, struct netsock_tcp_socket **ret) {
        NS_RETURN_HANDLE(tcp_socket, ret, new_socket(AF_INET, flags, &sk_));
}

NS_EXPORT int netsock_tcp_socket_new_v6(int flags, struct netsock_tcp_socket **ret) {
        NS_RETURN_HANDLE(tcp_socket, ret, new_socket(AF_INET6, flags, &sk_));
}

NS_DEFINE_TCP_OPTIONS(tcp_socket);
NS_DEFINE_COMMON(tcp_socket);

NS_EXPORT int netsock_tcp_socket_set_reuseaddr(struct netsock_tcp_socket *s, bool on) {
        return s ? ns_setopt_bool(s->sk.fd, SOL_SOCKET, SO_REUSEADDR, on) : -EINVAL;
}

NS_EXPORT int netsock_tcp_socket_reuseaddr(const struct netsock_tcp_socket *s, bool *ret) {
        return s ? ns_getopt_bool(s->sk.fd, SOL_SOCKET, SO_REUSEADDR, ret) : -EINVAL;
}

NS_EXPORT int netsock_tcp_socket_set_reuseport(struct netsock_tcp_socket *s, bool on) {
        return s ? ns_setopt_bool(s->sk.fd, SOL_SOCKET, SO_REUSEPORT, on) : -EINVAL;
}

NS_EXPORT int netsock_tcp_socket_reuseport(const struct netsock_tcp_socket *s, bool *ret) {
        return s ? ns_getopt_bool(s->sk.fd, SOL_SOCKET, SO_REUSEPORT, ret) : -EINVAL;
}

/* IPV6_V6ONLY belongs on the builder: Linux refuses it once a socket is
 * bound, and every connected stream is. */
NS_EXPORT int netsock_tcp_socket_set_only_v6(struct netsock_tcp_socket *s, bool on) {
        return s ? ns_set_only_v6(s->sk.fd, on) : -EINVAL;
}

NS_EXPORT int netsock_tcp_socket_only_v6(const struct netsock_tcp_socket *s, bool *ret) {
        return s ? ns_get_only_v6(s->sk.fd, ret) : -EINVAL;
}

/* The type-of-service byte: IP_TOS on IPv4, the traffic class on IPv6. */
static int tos_opt(int fd, int *level, int *name) {
        int family = 0, r = ns_getopt_int(fd, SOL_SOCKET, SO_DOMAIN, &family);

        if (r < 0)
                return r;
        *level = family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
        *name = family == AF_INET6 ? IPV6_TCLASS : IP_TOS;
        return 0;
}

NS_EXPORT int netsock_tcp_socket_set_tos(struct netsock_tcp_socket *s, unsigned tos) {
        int level = 0, name = 0, r;

        if (!s || tos > 255)
                return -EINVAL;
        r = tos_opt(s->sk.fd, &level, &name);
        return r < 0 ? r : ns_setopt_int(s->sk.fd, level, name, (int) tos);
}

NS_EXPORT int netsock_tcp_socket_tos(const struct netsock_tcp_socket *s, unsigned *ret) {
        int level = 0, name = 0, v = 0, r;

        if (!s || !ret)
                return -EINVAL;
        r = tos_opt(s->sk.fd, &level, &name);
        if (r < 0)
                return r;
        r = ns_getopt_int(s->sk.fd, level, name, &v);
        if (r < 0)
                return r;
        *ret = (unsigned) v;
        return 0;
}

NS_EXPORT int netsock_tcp_socket_bind_device(struct netsock_tcp_socket *s, const char *ifname) {
        size_t n;

        if (!s)
                return -EINVAL;
        n = ifname ? strlen(ifname) : 0;
        /* The kernel would cut a longer name to IFNAMSIZ-1 bytes and bind
         * to whatever interface that names: refuse instead. */
        if (n >= IFNAMSIZ)
                return -EINVAL;
        if (setsockopt(s->sk.fd, SOL_SOCKET, SO_BINDTODEVICE, n ? ifname : "", (socklen_t) n) < 0)
                return -errno;
        return 0;
}

NS_EXPORT ssize_t netsock_tcp_socket_device(const struct netsock_tcp_socket *s, char *buf, size_t size) {
        char name[IFNAMSIZ + 1];
        socklen_t len = IFNAMSIZ;
        size_t n;

        if (!s || (!buf && size))
                return -EINVAL;
        memset(name, 0, sizeof(name));
        if (getsockopt(s->sk.fd, SOL_SOCKET, SO_BINDTODEVICE, name, &len) < 0)
                return -errno;
        n = strnlen(name, IFNAMSIZ);
        if (size) {
                size_t c = n < size - 1 ? n : size - 1;

                memcpy(buf, name, c);
                buf[c] = '\0';
        }
        return (ssize_t) n;
}

NS_EXPORT int netsock_tcp_socket_bind(struct netsock_tcp_socket *s, const struct netsock_addr *addr) {
        int r;

        if (!s)
                return -EINVAL;
        r = ns_check_inet(addr);
        if (r < 0)
                return r;
        return bind(s->sk.fd, (const struct sockaddr *) &addr->storage, addr->len) < 0 ? -errno : 0;
}

static int socket_connect(struct netsock_tcp_socket *s, const struct netsock_addr *addr, int wait_ms, struct netsock_tcp_stream **ret) {
        bool nb = false;
        int r;

        if (!s)
                return -EINVAL;
        if (!ret) {
                r = -EINVAL;
        } else if (wait_ms == 0 && s->sk.mode == NS_MODE_UNKNOWN && (r = ns_fd_is_nonblocking(s->sk.fd, &nb)) < 0) {
                ;
        } else {
                /* The mode the library knows (issue 12: no fcntl to ask);
                 * only a builder taken with from_fd has to be asked. */
                if (s->sk.mode != NS_MODE_UNKNOWN)
                        nb = s->sk.mode == NS_MODE_NONBLOCK;
                r = ns_tcp_connect(s->sk.fd, addr, wait_ms ? wait_ms : (nb ? 0 : -1), s->sk.mode);
        }
        if (r < 0) {
                ns_sock_close(&s->sk);
                return r;
        }
        /* Same fd, same struct: the socket becomes the stream. */
        *ret = NS_AS(tcp_stream, &s->sk);
        return 0;
}

NS_EXPORT int netsock_tcp_socket_connect(struct netsock_tcp_socket *s, const struct netsock_addr *addr, struct netsock_tcp_stream **ret) {
        return socket_connect(s, addr, 0, ret);
}

NS_EXPORT int netsock_tcp_socket_connect_timeout(struct netsock_tcp_socket *s, const struct netsock_addr *addr, unsigned timeout_ms,
                                                 struct netsock_tcp_stream **ret) {
        if (s && (timeout_ms == 0 || timeout_ms > INT_MAX)) {
                ns_sock_close(&s->sk);
                return -EINVAL;
        }
        return socket_connect(s, addr, (int) timeout_ms, ret);
}

NS_EXPORT int netsock_tcp_socket_listen(struct netsock_tcp_socket *s, unsigned backlog, struct netsock_tcp_listener **ret) {
        int r = 0;

        if (!s)
                return -EINVAL;
        if (!ret)
                r = -EINVAL;
        else if (listen(s->sk.fd, backlog > INT_MAX ? INT_MAX : (int) backlog) < 0)
                r = -errno;
        if (r < 0) {
                ns_sock_close(&s->sk);
                return r;
        }
        *ret = NS_AS(tcp_listener, &s->sk);
        return 0;
}

/* ---- the listener ------------------------------------------------------- */

static int listener_bind(const struct netsock_addr *addr, int flags, struct ns_sock **ret) {
        int fd, r;

        fd = ns_tcp_open_for(addr, flags);
        if (fd < 0)
                return fd;
        /* SO_REUSEADDR so that a restarted server can bind while old
         * connections sit in TIME_WAIT. */
        if ((r = ns_setopt_bool(fd, SOL_SOCKET, SO_REUSEADDR, true)) < 0 ||
            (bind(fd, (const struct sockaddr *) &addr->storage, addr->len) < 0 && (r = -errno)) ||
            (listen(fd, LISTENER_BACKLOG) < 0 && (r = -errno))) {
                ns_close_fd(fd);
                return r;
        }
        return ns_sock_adopt(fd, ret);
}

NS_EXPORT int netsock_tcp_listener_bind(const struct netsock_addr *addr, int flags, struct netsock_tcp_listener **ret) {
        NS_RETURN_HANDLE(tcp_listener, ret, listener_bind(addr, flags, &sk_));
}

NS_EXPORT int netsock_tcp_listener_accept(struct netsock_tcp_listener *l, int flags, struct netsock_tcp_stream **ret, struct netsock_addr *ret_peer) {
        NS_RETURN_HANDLE(tcp_stream, ret, ns_accept(NS_SK(l), flags, &sk_, ret_peer));
}

NS_EXPORT int netsock_tcp_listener_set_ttl(struct netsock_tcp_listener *l, unsigned ttl) {
        return l ? ns_set_ttl(l->sk.fd, ttl) : -EINVAL;
}

NS_EXPORT int netsock_tcp_listener_ttl(const struct netsock_tcp_listener *l, unsigned *ret) {
        return l ? ns_get_ttl(l->sk.fd, ret) : -EINVAL;
}

NS_DEFINE_COMMON(tcp_listener);
