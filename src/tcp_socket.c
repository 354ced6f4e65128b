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

NS_DEFINE_TCP_TUNING(tcp_socket);
NS_DEFINE_TCP_PLACEMENT(tcp_socket);
NS_DEFINE_OPT(tcp_socket, reuseaddr, bool, NS_OPT(SOL_SOCKET, SO_REUSEADDR));
NS_DEFINE_OPT(tcp_socket, reuseport, bool, NS_OPT(SOL_SOCKET, SO_REUSEPORT));

/* Binding to an address this host does not have (yet): FREEBIND lets
 * bind() take it, TRANSPARENT (CAP_NET_ADMIN or CAP_NET_RAW) lets a proxy
 * act as it.  Each has an IPv4 and an IPv6 flavour. */
NS_DEFINE_OPT(tcp_socket, freebind, bool, NS_OPT_BY_FAMILY(IPPROTO_IP, IP_FREEBIND, IPPROTO_IPV6, IPV6_FREEBIND));
NS_DEFINE_OPT(tcp_socket, transparent, bool, NS_OPT_BY_FAMILY(IPPROTO_IP, IP_TRANSPARENT, IPPROTO_IPV6, IPV6_TRANSPARENT));
/* An IPPROTO_IP option that IPv6 TCP sockets take as well. */
NS_DEFINE_OPT(tcp_socket, bind_address_no_port, bool, NS_OPT(IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT));

/* TCP Fast Open: the server's queue of pending TFO requests (before
 * listen), and connect() sending data in its SYN. */
NS_DEFINE_OPT(tcp_socket, fastopen, uint, NS_OPT(IPPROTO_TCP, TCP_FASTOPEN));
NS_DEFINE_OPT(tcp_socket, fastopen_connect, bool, NS_OPT(IPPROTO_TCP, TCP_FASTOPEN_CONNECT));

/* The kernel keeps TCP_DEFER_ACCEPT as a count of SYN-ACK retransmissions
 * and reads it back as the seconds they add up to. */
#define DEFER_ACCEPT_OPT NS_OPT(IPPROTO_TCP, TCP_DEFER_ACCEPT)
NS_DEFINE_OPT(tcp_socket, defer_accept, uint, DEFER_ACCEPT_OPT);

/* IPV6_V6ONLY belongs on the builder: Linux refuses it once a socket is
 * bound, and every connected stream is. */
NS_EXPORT int netsock_tcp_socket_set_only_v6(struct netsock_tcp_socket *s, bool on) {
        return s ? ns_set_only_v6(s->sk.fd, on) : -EINVAL;
}

NS_EXPORT int netsock_tcp_socket_only_v6(const struct netsock_tcp_socket *s, bool *ret) {
        return s ? ns_get_only_v6(s->sk.fd, ret) : -EINVAL;
}

/* The type-of-service byte: IP_TOS on IPv4, the traffic class on IPv6. */
#define TOS_OPT NS_OPT_BY_FAMILY(IPPROTO_IP, IP_TOS, IPPROTO_IPV6, IPV6_TCLASS)

NS_EXPORT int netsock_tcp_socket_set_tos(struct netsock_tcp_socket *s, unsigned tos) {
        if (!s || tos > 255)
                return -EINVAL;
        return ns_opt_set_uint(s->sk.fd, &TOS_OPT, tos);
}

NS_EXPORT int netsock_tcp_socket_tos(const struct netsock_tcp_socket *s, unsigned *ret) {
        return s ? ns_opt_get_uint(s->sk.fd, &TOS_OPT, ret) : -EINVAL;
}

NS_EXPORT int netsock_tcp_socket_bind_device(struct netsock_tcp_socket *s, const char *ifname) {
        /* The kernel would cut a longer name to IFNAMSIZ-1 bytes and bind
         * to whatever interface that names: ns_setopt_name refuses. */
        return s ? ns_setopt_name(s->sk.fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, IFNAMSIZ) : -EINVAL;
}

NS_EXPORT ssize_t netsock_tcp_socket_device(const struct netsock_tcp_socket *s, char *buf, size_t size) {
        return s ? ns_getopt_name(s->sk.fd, SOL_SOCKET, SO_BINDTODEVICE, buf, size) : -EINVAL;
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

NS_DEFINE_ACCEPT_TIMEOUT(tcp_listener);
NS_DEFINE_COMMON(tcp_listener);
NS_DEFINE_TCP_PLACEMENT(tcp_listener);
NS_DEFINE_OPT(tcp_listener, defer_accept, uint, DEFER_ACCEPT_OPT);

/* Fixed when the socket was bound: a getter only. */
NS_EXPORT int netsock_tcp_listener_only_v6(const struct netsock_tcp_listener *l, bool *ret) {
        return l ? ns_get_only_v6(l->sk.fd, ret) : -EINVAL;
}
