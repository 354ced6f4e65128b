/* SPDX-License-Identifier: MIT */
/*
 * Unix stream sockets and listeners (interprocess UdStream /
 * UdStreamListener).  Everything here is shared machinery from the core,
 * ancillary.c and unix.c; this file only says which of it a unix_stream has.
 */
#include "internal.h"

NS_EXPORT int netsock_unix_stream_connect_addr(const struct netsock_addr *addr, int flags, struct netsock_unix_stream **ret) {
        NS_RETURN_HANDLE(unix_stream, ret, ns_unix_connect(NULL, addr, SOCK_STREAM, flags, &sk_));
}

NS_EXPORT int netsock_unix_stream_connect(const char *name, int flags, struct netsock_unix_stream **ret) {
        struct ns_sock *sk = NULL;
        int r = ns_unix_connect_name(name, SOCK_STREAM, flags, ret ? &sk : NULL);

        if (r < 0)
                return r;
        *ret = NS_AS(unix_stream, sk);
        return 0;
}

NS_EXPORT int netsock_unix_stream_pair(int flags, struct netsock_unix_stream **ret_a, struct netsock_unix_stream **ret_b) {
        struct ns_sock *a, *b;
        int r;

        if (!ret_a || !ret_b)
                return -EINVAL;
        r = ns_unix_pair(SOCK_STREAM, flags, &a, &b);
        if (r < 0)
                return r;
        *ret_a = NS_AS(unix_stream, a);
        *ret_b = NS_AS(unix_stream, b);
        return 0;
}

NS_DEFINE_UNIX_CONNECT_TIMEOUT(unix_stream, SOCK_STREAM);
NS_DEFINE_STREAM_DATA(unix_stream);
NS_DEFINE_SENDQ(unix_stream);
NS_DEFINE_ANCILLARY(unix_stream, true);
NS_DEFINE_COMMON(unix_stream);
NS_DEFINE_CONNECTED(unix_stream);

NS_DEFINE_UNIX_LISTENER(unix_listener, unix_stream, SOCK_STREAM);
NS_DEFINE_COMMON(unix_listener);
