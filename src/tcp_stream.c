/* SPDX-License-Identifier: MIT */
/*
 * TCP streams (mio TcpStream): connect blocking, with a timeout, or the
 * nonblocking way (EINPROGRESS is success; wait for writable, then
 * finish_connect), the byte-stream data calls shared with unix_stream, the
 * TCP options with read-back, TCP_INFO read through a private copy of the
 * kernel's layout, and connecting by name with RFC 8305 racing (one
 * poll(2) loop over nonblocking attempts, no threads).
 */
#include "internal.h"

#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
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
        fd = ns_tcp_open_for(addr, wait_ms > 0 ? (int) ((unsigned) flags | NETSOCK_NONBLOCK) : flags);
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
NS_DEFINE_SENDQ(tcp_stream);
NS_DEFINE_TCP_OPTIONS(tcp_stream);
NS_DEFINE_COMMON(tcp_stream);
NS_DEFINE_CONNECTED(tcp_stream);
NS_DEFINE_TCP_TUNING(tcp_stream);
NS_DEFINE_TCP_PLACEMENT(tcp_stream);

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

/* ---- TCP_INFO ------------------------------------------------------------ */

/*
 * The kernel's struct tcp_info (include/uapi/linux/tcp.h) up to the fields
 * we report, copied here so that struct netsock_tcp_info never depends on
 * the kernel headers of the machine that built the library.  The kernel
 * only ever appends to it and copies out min(its size, optlen) bytes,
 * returning that length: a field lies within the returned length exactly
 * when the running kernel knows it.
 */
struct ns_kernel_tcp_info {
        uint8_t  tcpi_state, tcpi_ca_state, tcpi_retransmits, tcpi_probes;
        uint8_t  tcpi_backoff, tcpi_options, tcpi_wscale, tcpi_flags;
        uint32_t tcpi_rto, tcpi_ato, tcpi_snd_mss, tcpi_rcv_mss;
        uint32_t tcpi_unacked, tcpi_sacked, tcpi_lost, tcpi_retrans, tcpi_fackets;
        uint32_t tcpi_last_data_sent, tcpi_last_ack_sent, tcpi_last_data_recv, tcpi_last_ack_recv;
        uint32_t tcpi_pmtu, tcpi_rcv_ssthresh, tcpi_rtt, tcpi_rttvar;
        uint32_t tcpi_snd_ssthresh, tcpi_snd_cwnd, tcpi_advmss, tcpi_reordering;
        uint32_t tcpi_rcv_rtt, tcpi_rcv_space, tcpi_total_retrans;
        uint64_t tcpi_pacing_rate, tcpi_max_pacing_rate;          /* Linux 3.15 */
        uint64_t tcpi_bytes_acked, tcpi_bytes_received;           /* 4.1 */
        uint32_t tcpi_segs_out, tcpi_segs_in;                     /* 4.2 */
        uint32_t tcpi_notsent_bytes, tcpi_min_rtt;                /* 4.6 */
        uint32_t tcpi_data_segs_in, tcpi_data_segs_out;
        uint64_t tcpi_delivery_rate;                              /* 4.9 */
        uint64_t tcpi_busy_time, tcpi_rwnd_limited, tcpi_sndbuf_limited;
        uint32_t tcpi_delivered, tcpi_delivered_ce;
        uint64_t tcpi_bytes_sent, tcpi_bytes_retrans;             /* 4.19 */
};

/* The kernel's ABI, which does not change: offsets checked here once. */
_Static_assert(offsetof(struct ns_kernel_tcp_info, tcpi_rto) == 8 &&
               offsetof(struct ns_kernel_tcp_info, tcpi_pmtu) == 60 &&
               offsetof(struct ns_kernel_tcp_info, tcpi_total_retrans) == 100 &&
               offsetof(struct ns_kernel_tcp_info, tcpi_pacing_rate) == 104 &&
               offsetof(struct ns_kernel_tcp_info, tcpi_bytes_acked) == 120 &&
               offsetof(struct ns_kernel_tcp_info, tcpi_notsent_bytes) == 144 &&
               offsetof(struct ns_kernel_tcp_info, tcpi_delivery_rate) == 160 &&
               offsetof(struct ns_kernel_tcp_info, tcpi_bytes_sent) == 200 &&
               sizeof(struct ns_kernel_tcp_info) == 216,
               "struct ns_kernel_tcp_info must match the kernel's struct tcp_info");

NS_EXPORT int netsock_tcp_stream_info(const struct netsock_tcp_stream *s, struct netsock_tcp_info *ret) {
        struct ns_kernel_tcp_info k;
        struct netsock_tcp_info out;
        socklen_t len = sizeof(k);

        if (!s || !ret)
                return -EINVAL;
        memset(&k, 0, sizeof(k));
        if (getsockopt(s->sk.fd, IPPROTO_TCP, TCP_INFO, &k, &len) < 0)
                return -errno;
        /* What the running kernel reported, and 0 for what it did not. */
#define K(f) ((size_t) len >= offsetof(struct ns_kernel_tcp_info, f) + sizeof(k.f) ? k.f : 0)
        memset(&out, 0, sizeof(out));  /* reserved[] and any padding */
        out.state = K(tcpi_state);
        out.rtt_us = K(tcpi_rtt);
        out.rttvar_us = K(tcpi_rttvar);
        out.min_rtt_us = K(tcpi_min_rtt);
        out.rto_us = K(tcpi_rto);
        out.snd_mss = K(tcpi_snd_mss);
        out.rcv_mss = K(tcpi_rcv_mss);
        out.snd_cwnd = K(tcpi_snd_cwnd);
        out.snd_ssthresh = K(tcpi_snd_ssthresh);
        out.pmtu = K(tcpi_pmtu);
        out.unacked = K(tcpi_unacked);
        out.lost = K(tcpi_lost);
        out.retrans = K(tcpi_retrans);
        out.total_retrans = K(tcpi_total_retrans);
        out.notsent_bytes = K(tcpi_notsent_bytes);
        out.bytes_sent = K(tcpi_bytes_sent);
        out.bytes_acked = K(tcpi_bytes_acked);
        out.bytes_received = K(tcpi_bytes_received);
        out.bytes_retrans = K(tcpi_bytes_retrans);
        out.delivery_rate = K(tcpi_delivery_rate);
#undef K
        *ret = out;
        return 0;
}

/* ---- racing connects (RFC 8305, Happy Eyeballs v2) ------------------------ */

#define ATTEMPT_DELAY_DEFAULT_MS 250  /* RFC 8305, section 8 */

/* A connect attempt to addr on a new nonblocking socket: the fd with the
 * connect in progress (or already done), or -errno with nothing open. */
static int attempt_start(const struct netsock_addr *addr) {
        int fd = ns_tcp_open(addr->storage.ss_family, NETSOCK_NONBLOCK);

        if (fd < 0)
                return fd;
        /* EINTR: the connect goes on in the kernel, as EINPROGRESS. */
        if (connect(fd, (const struct sockaddr *) &addr->storage, addr->len) < 0 && errno != EINPROGRESS && errno != EINTR) {
                int r = -errno;

                ns_close_fd(fd);
                return r;
        }
        return fd;
}

/* The result of an attempt that poll reported: 0 connected, or its error. */
static int attempt_result(int fd) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);
        int err = 0, r = ns_getopt_int(fd, SOL_SOCKET, SO_ERROR, &err);

        if (r < 0)
                return r;
        if (err)
                return -err;
        return getpeername(fd, (struct sockaddr *) &ss, &len) < 0 ? -errno : 0;
}

static void attempts_close(struct pollfd *p, size_t n) {
        size_t i;

        for (i = 0; i < n; i++)
                ns_close_fd(p[i].fd);
}

/* Milliseconds until t (>= 0), or -1 for t < 0 (never). */
static int ms_until(long long t, long long now) {
        if (t < 0)
                return -1;
        if (t <= now)
                return 0;
        return t - now > INT_MAX ? INT_MAX : (int) (t - now);
}

static int min_wait(int a, int b) {
        if (a < 0)
                return b;
        if (b < 0)
                return a;
        return a < b ? a : b;
}

/* Races connects to addrs[0..n-1]; the winner's fd (in the mode flags ask
 * for) or -errno, with every other attempt closed on every path. */
static int race(const struct netsock_addr *addrs, size_t n, unsigned delay_ms, unsigned timeout_ms, int flags) {
        struct pollfd *p;
        size_t next = 0, active = 0, i;
        long long now = now_ms();
        long long deadline = timeout_ms ? now + timeout_ms : -1;
        long long next_start = now;  /* when the next attempt is due */
        int last_err = -ECONNREFUSED, winner = -1, r;

        p = calloc(n, sizeof(*p));
        if (!p)
                return -ENOMEM;
        while (winner < 0) {
                now = now_ms();
                if (deadline >= 0 && now >= deadline) {
                        winner = -ETIMEDOUT;
                        break;
                }
                if (next < n && (active == 0 || now >= next_start)) {
                        int fd = attempt_start(&addrs[next++]);

                        next_start = now + delay_ms;
                        if (fd < 0) {
                                /* Failed at once: the next one may start now. */
                                last_err = fd;
                                next_start = now;
                                continue;
                        }
                        p[active].fd = fd;
                        p[active].events = POLLOUT;
                        p[active].revents = 0;
                        active++;
                        continue;
                }
                if (active == 0) {
                        winner = last_err;  /* every address failed */
                        break;
                }
                r = poll(p, active, min_wait(ms_until(deadline, now), next < n ? ms_until(next_start, now) : -1));
                if (r < 0) {
                        if (errno == EINTR)
                                continue;  /* the deadline still holds */
                        winner = -errno;
                        break;
                }
                for (i = 0; i < active && winner < 0;) {
                        if (!p[i].revents) {
                                i++;
                                continue;
                        }
                        r = attempt_result(p[i].fd);
                        if (r == 0) {
                                winner = p[i].fd;
                                p[i] = p[--active];  /* out of the set that is closed */
                                break;
                        }
                        /* Failed: drop it, and the next attempt is due now. */
                        last_err = r;
                        next_start = now;
                        ns_close_fd(p[i].fd);
                        p[i] = p[--active];
                }
        }
        attempts_close(p, active);
        free(p);
        if (winner >= 0 && !(flags & NETSOCK_NONBLOCK) && (r = ns_fd_set_nonblocking(winner, false)) < 0) {
                ns_close_fd(winner);
                return r;
        }
        return winner;
}

static int connect_any(const struct netsock_addr *addrs, size_t n, unsigned delay_ms, unsigned timeout_ms, int flags,
                       struct ns_sock **ret) {
        size_t i;
        int fd, r = ns_check_flags(flags, NETSOCK_NONBLOCK);

        if (r < 0)
                return r;
        if (!addrs || n == 0)
                return -EINVAL;
        for (i = 0; i < n; i++)
                if (ns_check_inet(&addrs[i]) < 0)
                        return -EINVAL;
        fd = race(addrs, n, delay_ms ? delay_ms : ATTEMPT_DELAY_DEFAULT_MS, timeout_ms, flags);
        return fd < 0 ? fd : ns_sock_adopt(fd, ret);
}

NS_EXPORT int netsock_tcp_stream_connect_any(const struct netsock_addr *addrs, size_t n, unsigned attempt_delay_ms, unsigned timeout_ms,
                                             int flags, struct netsock_tcp_stream **ret) {
        NS_RETURN_HANDLE(tcp_stream, ret, connect_any(addrs, n, attempt_delay_ms, timeout_ms, flags, &sk_));
}

/* getaddrinfo's answer as a library code (API.md §14). */
static int resolver_error(int eai) {
        switch (eai) {
        case EAI_NONAME:
#ifdef EAI_NODATA
        case EAI_NODATA:      /* the name exists but has no address */
#endif
#ifdef EAI_ADDRFAMILY
        case EAI_ADDRFAMILY:  /* ... of any family asked for */
#endif
                return NETSOCK_EAI_NONAME;
        case EAI_AGAIN:
                return NETSOCK_EAI_AGAIN;
        case EAI_SERVICE:
                return NETSOCK_EAI_SERVICE;
        case EAI_FAMILY:
                return NETSOCK_EAI_FAMILY;
        case EAI_MEMORY:
                return NETSOCK_EAI_MEMORY;
        case EAI_SYSTEM:
                return errno > 0 ? -errno : NETSOCK_EAI_FAIL;
        default:
                return NETSOCK_EAI_FAIL;
        }
}

/* The resolver's addresses in RFC 8305 order (section 4): the families
 * interleaved, starting with the family of the resolver's first answer,
 * each family in the resolver's order.  *ret_n of them in *ret (malloc). */
static int sorted_addresses(const struct addrinfo *res, struct netsock_addr **ret, size_t *ret_n) {
        const struct addrinfo *ai, *first = NULL, *other = NULL;
        struct netsock_addr *a;
        size_t n = 0, k = 0;

        for (ai = res; ai; ai = ai->ai_next)
                if (ai->ai_family == AF_INET || ai->ai_family == AF_INET6)
                        n++;
        if (n == 0)
                return NETSOCK_EAI_NONAME;
        a = calloc(n, sizeof(*a));
        if (!a)
                return -ENOMEM;
        /* Two cursors, one per family, taking turns. */
        for (ai = res; ai && !first; ai = ai->ai_next)
                if (ai->ai_family == AF_INET || ai->ai_family == AF_INET6)
                        first = ai;
        for (ai = first; ai && !other; ai = ai->ai_next)
                if ((ai->ai_family == AF_INET || ai->ai_family == AF_INET6) && ai->ai_family != first->ai_family)
                        other = ai;
        while (k < n) {
                const struct addrinfo **cur = (k % 2 == 0 && first) || !other ? &first : &other;
                int family = (*cur)->ai_family;

                if (netsock_addr_from_sockaddr(&a[k], (*cur)->ai_addr, (*cur)->ai_addrlen) == 0)
                        k++;
                else
                        n--;  /* cannot happen for AF_INET/AF_INET6; skip it */
                for (ai = (*cur)->ai_next; ai && ai->ai_family != family; ai = ai->ai_next)
                        ;
                *cur = ai;
        }
        *ret = a;
        *ret_n = n;
        return 0;
}

static int connect_host(const char *host, const char *port, unsigned timeout_ms, int flags, struct ns_sock **ret) {
        struct addrinfo hints, *res = NULL;
        struct netsock_addr *addrs = NULL;
        size_t n = 0;
        int r = ns_check_flags(flags, NETSOCK_NONBLOCK);

        if (r < 0)
                return r;
        if (!host || !port)
                return -EINVAL;
        memset(&hints, 0, sizeof(hints));
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_protocol = IPPROTO_TCP;
        /* No AI_ADDRCONFIG: glibc does not count loopback addresses as
         * configured, so on a host whose only interface is lo it would
         * make "localhost" unresolvable.  An address of a family the host
         * cannot reach just fails fast, and the race moves on. */
        hints.ai_flags = 0;
        r = getaddrinfo(host, port, &hints, &res);
        if (r != 0)
                return resolver_error(r);
        r = sorted_addresses(res, &addrs, &n);
        freeaddrinfo(res);
        if (r < 0)
                return r;
        r = connect_any(addrs, n, 0, timeout_ms, flags, ret);
        free(addrs);
        return r;
}

NS_EXPORT int netsock_tcp_stream_connect_host(const char *host, const char *port, unsigned timeout_ms, int flags,
                                              struct netsock_tcp_stream **ret) {
        NS_RETURN_HANDLE(tcp_stream, ret, connect_host(host, port, timeout_ms, flags, &sk_));
}
