/* SPDX-License-Identifier: MIT */
/*
 * libnetsock private header: the shared fd-wrapper core.
 *
 * Every handle type (unix_stream, unix_listener, seqpacket, ...) is the same
 * struct ns_sock underneath: an fd plus, for Unix listeners, what is needed
 * to remove the socket file on close.  The core implements the common calls
 * once on struct ns_sock; NS_DEFINE_COMMON() stamps out the typed public
 * wrappers for one type, so a module file holds only what is special to it.
 *
 * Conventions inside the library: functions return 0/count or a negative
 * errno; an fd that a function creates is either handed out or closed before
 * it returns; out-parameters are written last.
 */
#ifndef NETSOCK_INTERNAL_H
#define NETSOCK_INTERNAL_H

#include "config.h"

#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <netsock.h>

#define NS_EXPORT __attribute__((visibility("default")))
/* The data paths, in one section that the linker places together
 * (.text.hot, before the rest of .text): a program that sends and
 * receives touches one or two pages of the library's code, not one per
 * translation unit, which matters most right after a context switch,
 * when every page costs a TLB miss (issue 12: block ping-pong on Unix
 * streams paid for three).  Only placement: the code is the same. */
#define NS_HOT __attribute__((section(".text.hot.netsock")))

/* ---- handles ---------------------------------------------------------- */

struct ns_sock {
        int fd;
        /* An error a data call met after it had already moved bytes (the
         * ECONNRESET that ends a short recv_exact): it returned the bytes,
         * and the next receive call returns this first.  On a seqpacket
         * also the error sendmmsg dropped after a short send_batch, which
         * the next packet call of either direction returns.  0 = none. */
        int pending_err;
        /* The blocking mode as far as the library knows it (NS_MODE_*):
         * set where it made the socket or set the mode, so that a TCP
         * connect need not ask the kernel (issue 12).  An fd taken with
         * from_fd starts unknown. */
        signed char mode;
        /* NS_SLOW_*: why a data call cannot take its fast path, so that
         * each guard is one test of this byte (issue 12).  In the padding
         * after mode. */
        unsigned char slow;
        /* Unix listeners bound with NETSOCK_REPLACE_STALE: the flock'ed
         * "<path>.lock" held until close or into_fd; -1 = none. */
        int lock_fd;
        /* Unix listeners bound with NETSOCK_REMOVE_ON_CLOSE: the path and the
         * identity of the socket file bind created, so close removes only
         * that file and never one another process put there since, and the
         * process that bound it: a forked child's close removes nothing. */
        char *unlink_path;
        dev_t dev;
        ino_t ino;
        pid_t owner;
        /* Streams: the queue of send_queued (sendq.c, API.md §15); NULL
         * until the handle first uses it, freed by close and into_fd. */
        struct ns_sendq *q;
};

#define NS_SLOW_QUEUED  0x1  /* q holds bytes (sendq.c keeps it) */
#define NS_SLOW_PENDING 0x2  /* pending_err != 0 (ns_sock_set_pending) */

/* What a from_fd() accepts for one handle type. */
struct ns_kind {
        int family;        /* AF_UNIX, or AF_INET meaning AF_INET or AF_INET6 */
        int type;          /* SOCK_STREAM or SOCK_SEQPACKET */
        int protocol;      /* IPPROTO_TCP for TCP types, 0 = not checked */
        bool listening;    /* SO_ACCEPTCONN must be this */
        bool unconnected;  /* must not have a peer (tcp_socket) */
};

extern const struct ns_kind ns_kind_unix_stream, ns_kind_unix_listener,
        ns_kind_seqpacket, ns_kind_seqpacket_listener, ns_kind_tcp_socket,
        ns_kind_tcp_listener, ns_kind_tcp_stream;

#define NS_HANDLE_TYPE(T) struct netsock_##T { struct ns_sock sk; }
NS_HANDLE_TYPE(unix_stream);
NS_HANDLE_TYPE(unix_listener);
NS_HANDLE_TYPE(seqpacket);
NS_HANDLE_TYPE(seqpacket_listener);
NS_HANDLE_TYPE(tcp_socket);
NS_HANDLE_TYPE(tcp_listener);
NS_HANDLE_TYPE(tcp_stream);

/* Every handle type is a bare ns_sock, so that the core allocates them all
 * alike and a tcp_socket can become a tcp_stream or a tcp_listener in place. */
_Static_assert(sizeof(struct netsock_unix_stream) == sizeof(struct ns_sock) &&
               sizeof(struct netsock_tcp_socket) == sizeof(struct ns_sock) &&
               sizeof(struct netsock_tcp_stream) == sizeof(struct ns_sock) &&
               sizeof(struct netsock_tcp_listener) == sizeof(struct ns_sock),
               "handle types must be a bare struct ns_sock");

/* The core handle of a typed one (NULL stays NULL), and back. */
#define NS_SK(h) ((h) ? &(h)->sk : NULL)
#define NS_FD(h) ((h) ? (h)->sk.fd : -1)
#define NS_AS(T, sk) ((struct netsock_##T *)(void *)(sk))

/* Closes fd keeping errno; EINTR from close is not an error on Linux. */
void ns_close_fd(int fd);
int  ns_sock_new(int fd, struct ns_sock **ret);       /* fd untouched on failure */
/* The error a data call kept for the next one (and clears it); 0 if none. */
static inline int ns_sock_take_pending(struct ns_sock *sk) {
        int e = sk->pending_err;

        sk->pending_err = 0;
        sk->slow &= (unsigned char) ~NS_SLOW_PENDING;
        return e;
}
/* Keeps err (< 0) for the next receive. */
static inline void ns_sock_set_pending(struct ns_sock *sk, int err) {
        sk->pending_err = err;
        sk->slow |= NS_SLOW_PENDING;
}
/* The same, out of line and cold, for the receive guard: the fast path
 * is then one compare and a branch, with nothing kept for this. */
ssize_t ns_sock_take_pending_cold(struct ns_sock *sk) __attribute__((cold));
int  ns_sock_adopt(int fd, struct ns_sock **ret);     /* fd closed on failure */
void ns_sock_close(struct ns_sock *sk);
/* Removes the socket file at path only if it is still (dev, ino). */
void ns_unlink_if_same(const char *path, dev_t dev, ino_t ino);
int  ns_sock_into_fd(struct ns_sock *sk);
int  ns_sock_from_fd(int fd, const struct ns_kind *kind, struct ns_sock **ret);
int  ns_sock_try_clone(const struct ns_sock *sk, struct ns_sock **ret);

int  ns_fd_set_nonblocking(int fd, bool on);
#define NS_MODE_UNKNOWN  0
#define NS_MODE_BLOCKING 1
#define NS_MODE_NONBLOCK 2
/* ns_fd_set_nonblocking that also records the mode in sk->mode. */
int  ns_sock_set_nonblocking(struct ns_sock *sk, bool on);
int  ns_fd_is_nonblocking(int fd, bool *ret);
int  ns_fd_take_error(int fd, int *ret_err);
/* The error the handle kept (pending_err) if any, else SO_ERROR. */
int  ns_sock_take_error(struct ns_sock *sk, int *ret_err);
int  ns_fd_local_addr(int fd, struct netsock_addr *ret);
int  ns_fd_peer_addr(int fd, struct netsock_addr *ret);
int  ns_fd_shutdown(int fd, int how);
int  ns_fd_set_timeout(int fd, int optname, unsigned ms);
int  ns_fd_timeout(int fd, int optname, unsigned *ret_ms);

/* Socket options: one place for getsockopt/setsockopt of ints and bools. */
int  ns_setopt_int(int fd, int level, int name, int value);
int  ns_getopt_int(int fd, int level, int name, int *ret);
int  ns_setopt_bool(int fd, int level, int name, bool on);
int  ns_getopt_bool(int fd, int level, int name, bool *ret);

/* A socket option as (level, name), or, where IPv4 and IPv6 differ (IP_TTL
 * and IPV6_UNICAST_HOPS, IP_FREEBIND and IPV6_FREEBIND, ...), one pair per
 * family: ns_opt_resolve() picks by SO_DOMAIN. */
struct ns_opt {
        int level, name;        /* IPv4, or both families */
        int level6, name6;      /* IPv6 */
};
#define NS_OPT(level, name) ((const struct ns_opt){ level, name, level, name })
#define NS_OPT_BY_FAMILY(level4, name4, level6, name6) ((const struct ns_opt){ level4, name4, level6, name6 })
int  ns_opt_resolve(int fd, const struct ns_opt *o, int *ret_level, int *ret_name);

/* Typed get/set of one option through ns_opt_resolve.  uint refuses values
 * above INT_MAX (the kernel reads an int); u32 passes all 32 bits (SO_MARK). */
typedef bool ns_vt_bool;
typedef int ns_vt_int;
typedef unsigned ns_vt_uint;
typedef uint32_t ns_vt_u32;
int  ns_opt_set_bool(int fd, const struct ns_opt *o, bool on);
int  ns_opt_get_bool(int fd, const struct ns_opt *o, bool *ret);
int  ns_opt_set_int(int fd, const struct ns_opt *o, int v);
int  ns_opt_get_int(int fd, const struct ns_opt *o, int *ret);
int  ns_opt_set_uint(int fd, const struct ns_opt *o, unsigned v);
int  ns_opt_get_uint(int fd, const struct ns_opt *o, unsigned *ret);
int  ns_opt_set_u32(int fd, const struct ns_opt *o, uint32_t v);
int  ns_opt_get_u32(int fd, const struct ns_opt *o, uint32_t *ret);

/* A NUL-padded name option (SO_BINDTODEVICE, TCP_CONGESTION): set refuses a
 * name of max or more bytes, which the kernel would silently cut; get
 * copies it snprintf-like into buf and returns its length. */
int     ns_setopt_name(int fd, int level, int name, const char *value, size_t max);
ssize_t ns_getopt_name(int fd, int level, int name, char *buf, size_t size);

int  ns_set_keepalive_params(int fd, unsigned idle_s, unsigned interval_s, unsigned count);
int  ns_get_keepalive_params(int fd, unsigned *ret_idle_s, unsigned *ret_interval_s, unsigned *ret_count);

/* Options shared by several types (core.c). */
int  ns_set_bufsize(int fd, int optname, size_t size);
int  ns_get_bufsize(int fd, int optname, size_t *ret);
int  ns_set_linger(int fd, int secs);
int  ns_get_linger(int fd, int *ret_secs);
int  ns_set_ttl(int fd, unsigned ttl);
int  ns_get_ttl(int fd, unsigned *ret);
int  ns_set_only_v6(int fd, bool on);
int  ns_get_only_v6(int fd, bool *ret);

/* Flags checks: everything outside `allowed` is -EINVAL. */
static inline int ns_check_flags(int flags, unsigned allowed) {
        return ((unsigned)flags & ~allowed) ? -EINVAL : 0;
}
/* SOCK_* bits for socket()/accept4() from NETSOCK_* flags. */
static inline int ns_sock_flags(int flags) {
        return SOCK_CLOEXEC | (((unsigned)flags & NETSOCK_NONBLOCK) ? SOCK_NONBLOCK : 0);
}
/* iovcnt > IOV_MAX, or iov NULL with iovcnt > 0.  "iov NULL" first, so
 * that the common case costs two compares. */
static inline bool ns_bad_iov(const struct iovec *iov, size_t iovcnt) {
        if (__builtin_expect(!iov, 0))
                return iovcnt > 0;
        return __builtin_expect(iovcnt > IOV_MAX, 0);
}
static inline int ns_check_iov(const struct iovec *iov, size_t iovcnt) {
        return ns_bad_iov(iov, iovcnt) ? -EINVAL : 0;
}
/* Checks iov/iovcnt and sets up msg to carry them; 0 or -EINVAL. */
static inline int ns_msg_init(struct msghdr *msg, const struct iovec *iov, size_t iovcnt) {
        int r = ns_check_iov(iov, iovcnt);

        if (r < 0)
                return r;
        *msg = (struct msghdr) { .msg_iov = (struct iovec *) iov, .msg_iovlen = iovcnt };
        return 0;
}

/* ---- data ------------------------------------------------------------- */

/* The plain data calls are inline: each public data call is then its
 * argument checks and the syscall, with no call of ours in between (issue
 * 12: a few instructions over the raw syscall, checked by
 * tests/check-counts.sh).  The rare paths stay out of line and cold, so
 * that a fast path keeps as little as it can live across the syscall:
 * every value kept is a register saved and restored. */

/* A hint, with no effect on what the code does: x (a struct of what a
 * fast path needs after its syscall) lives in its stack slot across the
 * call and is compared and read back from there, where the compiler would
 * otherwise hold each field in a callee-saved register (a push, a move
 * and a pop each; issue 12). */
#define NS_ON_STACK(x) __asm__ volatile("" : : "m"(x))

/* -errno, for a call that just failed (out of line: see above). */
ssize_t ns_neg_errno(void) __attribute__((cold));

static inline ssize_t ns_send(int fd, const void *buf, size_t len) {
        ssize_t n;

        if (!buf && len)
                return -EINVAL;
        n = send(fd, buf, len, MSG_NOSIGNAL);
        if (__builtin_expect(n < 0, 0))
                return ns_neg_errno();
        return n;
}

static inline ssize_t ns_recv(int fd, void *buf, size_t len, int flags) {
        ssize_t n;

        if (!buf && len)
                return -EINVAL;
        n = recv(fd, buf, len, flags);
        if (__builtin_expect(n < 0, 0))
                return ns_neg_errno();
        return n;
}

/* sendmsg, not writev, since writev cannot take MSG_NOSIGNAL. */
static inline ssize_t ns_sendv(int fd, const struct iovec *iov, size_t iovcnt) {
        struct msghdr msg;
        ssize_t n;

        if (ns_bad_iov(iov, iovcnt))
                return -EINVAL;
        msg = (struct msghdr) { .msg_iov = (struct iovec *) iov, .msg_iovlen = iovcnt };
        n = sendmsg(fd, &msg, MSG_NOSIGNAL);
        if (__builtin_expect(n < 0, 0))
                return ns_neg_errno();
        return n;
}

/* Sets up msg for recvmsg of iov: name and control cleared in two wide
 * stores; msg_flags, which recvmsg only writes, left alone. */
static inline void ns_recvmsg_init(struct msghdr *msg, const struct iovec *iov, size_t iovcnt) {
        msg->msg_iov = (struct iovec *) iov;
        msg->msg_iovlen = iovcnt;
        __builtin_memset(msg, 0, offsetof(struct msghdr, msg_iov));
        __builtin_memset(&msg->msg_control, 0, offsetof(struct msghdr, msg_flags) - offsetof(struct msghdr, msg_control));
}

/* recvmsg; the kernel's msg_flags go to *ret_msg_flags if not NULL. */
static inline ssize_t ns_recvv(int fd, const struct iovec *iov, size_t iovcnt, int flags, int *ret_msg_flags) {
        struct msghdr msg;
        ssize_t n;

        if (ns_bad_iov(iov, iovcnt))
                return -EINVAL;
        ns_recvmsg_init(&msg, iov, iovcnt);
        n = recvmsg(fd, &msg, flags);
        if (__builtin_expect(n < 0, 0))
                return ns_neg_errno();
        if (ret_msg_flags)
                *ret_msg_flags = msg.msg_flags;
        return n;
}

/* send_all and recv_exact: one syscall does it all in the common case
 * (a blocking socket with room, MSG_WAITALL); the loops for the rest are
 * ns_send_all_rest and ns_recv_exact_rest, given what the first call did
 * (n = -1: see errno).  What they need is kept in a struct on the stack,
 * so that the fast path stores three words and compares with one of
 * them, instead of saving and restoring three registers. */
struct ns_io_rest {
        size_t len;
        void *buf;
        struct ns_sock *sk;
};
int     ns_send_all_rest(const struct ns_io_rest *io, ssize_t n) __attribute__((cold));
ssize_t ns_recv_exact_rest(const struct ns_io_rest *io, ssize_t n) __attribute__((cold));
/* len 0 (0, nothing sent) or a bad buf/len (-EINVAL), out of the way.
 * sk comes first, unused, so that the arguments are already where the
 * public call got them: the branch to it is a jump. */
int     ns_send_all_args(const struct ns_sock *sk, const void *buf, size_t len) __attribute__((cold));
ssize_t ns_recv_exact_args(const struct ns_sock *sk, const void *buf, size_t len) __attribute__((cold));

static inline int ns_send_all(struct ns_sock *sk, const void *buf, size_t len) {
        struct ns_io_rest io;
        ssize_t n;

        if (__builtin_expect(!buf || !len, 0))
                return ns_send_all_args(sk, buf, len);
        io = (struct ns_io_rest) { len, (void *) buf, sk };
        NS_ON_STACK(io);
        n = send(sk->fd, buf, len, MSG_NOSIGNAL);
        if (__builtin_expect(n == (ssize_t) io.len, 1))
                return 0;
        return ns_send_all_rest(&io, n);
}

static inline ssize_t ns_recv_exact(struct ns_sock *sk, void *buf, size_t len) {
        struct ns_io_rest io;
        ssize_t n;

        /* (ssize_t) len <= 0: len 0 and len > SSIZE_MAX in one compare */
        if (__builtin_expect((ssize_t) len <= 0 || !buf, 0))
                return ns_recv_exact_args(sk, buf, len);
        io = (struct ns_io_rest) { len, buf, sk };
        NS_ON_STACK(io);
        n = recv(sk->fd, buf, len, MSG_WAITALL);
        if (__builtin_expect(n == (ssize_t) io.len, 1))
                return n;
        return ns_recv_exact_rest(&io, n);
}

/* ---- queued sends (sendq.c, API.md §15) -------------------------------- */

/* The bytes send_queued could not send yet, oldest first, in a ring that
 * grows by doubling and never beyond the limit (or what it holds).  Sends
 * take them from head without moving the rest. */
struct ns_sendq {
        size_t len;          /* bytes queued; first, for the plain sends' guard */
        size_t limit;        /* send_queued refuses queued + len > limit */
        size_t head;         /* offset of the oldest byte in buf */
        size_t cap;          /* size of buf; 0: no buffer */
        unsigned char *buf;
};
#define NS_SENDQ_DEFAULT_LIMIT ((size_t) 4 * 1024 * 1024)

ssize_t ns_sendq_send(struct ns_sock *sk, const void *buf, size_t len);
int     ns_sendq_flush(struct ns_sock *sk);
size_t  ns_sendq_queued(const struct ns_sock *sk);
int     ns_sendq_set_limit(struct ns_sock *sk, size_t bytes);
void    ns_sendq_free(struct ns_sendq *q);

/* A plain send on a stream first checks that no queued bytes wait (they
 * would go out after the new ones): one compare and a branch. */
#define NS_SEND_GUARD(s) do {                                                   \
                if (!(s))                                                       \
                        return -EINVAL;                                         \
                if (__builtin_expect((s)->sk.slow & NS_SLOW_QUEUED, 0)) \
                        return -EBUSY;                                          \
        } while (0)

/* ---- ancillary data (ancillary.c) -------------------------------------- */

/* Socket options and control messages newer than the C library's headers
 * (Linux 6.5: pidfds; 6.16: SO_PASSRIGHTS).  The values are the kernel's
 * ABI, the same on every architecture that has AF_UNIX ancillary data. */
#ifndef SO_PASSPIDFD
#define SO_PASSPIDFD 76
#endif
#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif
#ifndef SCM_PIDFD
#define SCM_PIDFD 0x04
#endif
#ifndef SO_PASSRIGHTS
#define SO_PASSRIGHTS 83
#endif
#ifndef SCM_SECURITY
#define SCM_SECURITY 0x03
#endif

/* The control buffer that holds everything one message can carry, in the
 * order the kernel writes it: a security label (SO_PASSSEC; the kernel's
 * contexts fit a page), one set of credentials, one pidfd (SO_PASSPIDFD),
 * and the most fds the kernel attaches (SCM_MAX_FD).  Sized so, MSG_CTRUNC
 * from the kernel means something was really lost (the fd limit). */
#define NS_CMSG_SPACE_FDS   CMSG_SPACE(sizeof(int) * NETSOCK_MAX_FDS)
#define NS_CMSG_SPACE_CREDS CMSG_SPACE(sizeof(struct netsock_creds))
#define NS_CMSG_SPACE_PIDFD CMSG_SPACE(sizeof(int))
#define NS_CMSG_SPACE_SEC   CMSG_SPACE(4096)
#define NS_CMSG_BUFSIZE     (NS_CMSG_SPACE_SEC + NS_CMSG_SPACE_CREDS + NS_CMSG_SPACE_PIDFD + NS_CMSG_SPACE_FDS)
/* Upper bound of the fds any control buffer of that size can hold. */
#define NS_CMSG_MAXFDS      (NS_CMSG_BUFSIZE / sizeof(int))

/* What ns_cmsg_parse() found.  The SCM_RIGHTS fds go straight to the
 * caller's array (fds, cap), in order, up to cap; every other fd that
 * arrived (SCM_RIGHTS fds past cap, a second SCM_PIDFD) is listed in
 * excess[] for the caller to close. */
struct ns_cmsg_parsed {
        int *fds;                      /* in: where SCM_RIGHTS fds are stored */
        size_t cap;                    /* in: room in fds */
        size_t nfds;                   /* out: fds stored in fds[] */
        size_t rights_dropped;         /* out: SCM_RIGHTS fds that did not fit cap (in excess[]) */
        int excess[NS_CMSG_MAXFDS];    /* out: fds nobody gets */
        size_t nexcess;
        int pidfd;                     /* out: the sender's pidfd (SCM_PIDFD), or -1 */
        bool have_creds;
        struct netsock_creds creds;
        bool malformed;                /* a header that does not fit the buffer */
};
/* Pure: walks a control buffer as recvmsg filled it; touches no fd other
 * than by storing fd numbers.  Set out->fds and out->cap first. */
void    ns_cmsg_parse(const void *control, size_t controllen, struct ns_cmsg_parsed *out);
/* The NETSOCK_MSG_* flags a receive reports for what parse found and the
 * kernel's msg_flags (pure, so the fuzzer checks it too). */
static inline unsigned ns_cmsg_flags(const struct ns_cmsg_parsed *p, int msg_flags) {
        unsigned out = 0;

        if (p->rights_dropped > 0 || (msg_flags & MSG_CTRUNC))
                out |= NETSOCK_MSG_CTRUNC;
        if (msg_flags & MSG_TRUNC)
                out |= NETSOCK_MSG_TRUNC;
        if (p->have_creds)
                out |= NETSOCK_MSG_CREDS;
        if (p->pidfd >= 0)
                out |= NETSOCK_MSG_PIDFD;
        return out;
}
/* Closes every fd parse found (the caller's fds[0..nfds), excess, pidfd). */
void    ns_cmsg_close_all(const struct ns_cmsg_parsed *p);
size_t  ns_cmsg_build(void *control, size_t size, const int *fds, size_t nfds, const struct netsock_creds *creds);
ssize_t ns_send_ancillary(int fd, const struct iovec *iov, size_t iovcnt, const struct netsock_ancillary *anc, bool stream);
ssize_t ns_recv_ancillary(int fd, const struct iovec *iov, size_t iovcnt, struct netsock_ancillary *anc, bool stream);
NS_HOT ssize_t ns_send_fds(int fd, const void *buf, size_t len, const int *fds, size_t nfds, bool stream);
NS_HOT ssize_t ns_recv_fds(int fd, void *buf, size_t len, int *fds, size_t *nfds, unsigned *ret_flags, bool stream);
int     ns_peer_credentials(int fd, struct netsock_creds *ret);
ssize_t ns_peer_security_context(int fd, char *buf, size_t size);
int     ns_peer_pidfd(int fd, int *ret_pidfd);
ssize_t ns_peer_groups(int fd, gid_t *groups, size_t n);

/* ---- addresses (addr.c) ------------------------------------------------ */

/* Whether a caller-filled address is well-formed (API.md §4): 0, -EINVAL,
 * or -EAFNOSUPPORT for a family the library does not model.  An empty
 * address (len 0) passes: each caller decides what empty means to it. */
int ns_addr_check(const struct netsock_addr *a);
/* A Unix `name` argument: "@x" abstract, anything else a path. */
int ns_addr_unix_name(struct netsock_addr *ret, const char *name);
/* From what the kernel returned: a sun_path without NUL is made well-formed. */
void ns_addr_from_kernel(struct netsock_addr *ret, const struct sockaddr_storage *ss, socklen_t len);

/* ---- Unix sockets shared by unix_stream and seqpacket (unix.c) ---------- */

int ns_unix_connect(const struct netsock_addr *from, const struct netsock_addr *to, int type, int flags, struct ns_sock **ret);
int ns_unix_pair(int type, int flags, struct ns_sock **ret_a, struct ns_sock **ret_b);
/* ns_addr_unix_name + ns_unix_connect without the netsock_addr for a path
 * (ret NULL: -EINVAL after the name's own errors). */
int ns_unix_connect_name(const char *name, int type, int flags, struct ns_sock **ret);
int ns_unix_listen(const struct netsock_addr *addr, int type, int flags, struct ns_sock **ret);
/* connect with timeout_ms > 0: waits at most that long for room in a full
 * backlog (-ETIMEDOUT); 0 = like ns_unix_connect. */
int ns_unix_connect_timeout(const struct netsock_addr *from, const struct netsock_addr *to, int type, int flags,
                            unsigned timeout_ms, struct ns_sock **ret);
/* listen with mode >= 0: the socket file gets exactly mode (bind_mode);
 * addr NULL: autobind to a kernel-chosen abstract name (bind_auto). */
int ns_unix_listen_mode(const struct netsock_addr *addr, int type, int flags, int mode, struct ns_sock **ret);
/* Removes "<path>.lock" if it is still the file lock_fd has open. */
void ns_unlink_lock_file(const char *path, int lock_fd);
int ns_accept(struct ns_sock *l, int flags, struct ns_sock **ret, struct netsock_addr *ret_peer);

/* ---- TCP (tcp_stream.c) ------------------------------------------------ */

/* Connects the TCP socket fd (which the caller keeps either way).  wait_ms:
 * 0 = do not wait (nonblocking: EINPROGRESS is success), -1 = wait for the
 * result however long, > 0 = wait at most that long (-ETIMEDOUT).  mode
 * (NS_MODE_*) is the socket's blocking mode if known: a timed connect then
 * asks nothing of the kernel, and leaves the socket in that mode. */
int ns_tcp_connect(int fd, const struct netsock_addr *addr, int wait_ms, int mode);
/* A close-on-exec TCP socket of family, or of addr's family after checking
 * that addr is IPv4 or IPv6; returns the fd or -errno. */
int ns_tcp_open(int family, int flags);
int ns_tcp_open_for(const struct netsock_addr *addr, int flags);
int ns_check_inet(const struct netsock_addr *a);

/* ---- typed wrappers ---------------------------------------------------- */

/* Runs `call` (which fills `struct ns_sock *sk_`) and hands the result out
 * as a `struct netsock_T *` in *ret. */
#define NS_RETURN_HANDLE(T, ret, call) do {                             \
                struct ns_sock *sk_ = NULL;                             \
                int r_;                                                 \
                if (!(ret))                                             \
                        return -EINVAL;                                 \
                r_ = (call);                                            \
                if (r_ < 0)                                             \
                        return r_;                                      \
                *(ret) = NS_AS(T, sk_);                                 \
                return 0;                                               \
        } while (0)

/* The common calls of API.md §2 for handle type T. */
#define NS_DEFINE_COMMON(T)                                                                     \
        NS_EXPORT void netsock_##T##_close(struct netsock_##T *h) { ns_sock_close(NS_SK(h)); } \
        NS_EXPORT int netsock_##T##_fd(const struct netsock_##T *h) { return h ? h->sk.fd : -EINVAL; } \
        NS_EXPORT int netsock_##T##_into_fd(struct netsock_##T *h) { return ns_sock_into_fd(NS_SK(h)); } \
        NS_EXPORT int netsock_##T##_from_fd(int fd, struct netsock_##T **ret) {                 \
                NS_RETURN_HANDLE(T, ret, ns_sock_from_fd(fd, &ns_kind_##T, &sk_));             \
        }                                                                                       \
        NS_EXPORT int netsock_##T##_set_nonblocking(struct netsock_##T *h, bool on) {           \
                return h ? ns_sock_set_nonblocking(&h->sk, on) : -EINVAL;                       \
        }                                                                                       \
        NS_EXPORT int netsock_##T##_is_nonblocking(const struct netsock_##T *h, bool *ret) {    \
                return h ? ns_fd_is_nonblocking(h->sk.fd, ret) : -EINVAL;                       \
        }                                                                                       \
        NS_EXPORT int netsock_##T##_try_clone(const struct netsock_##T *h, struct netsock_##T **ret) { \
                NS_RETURN_HANDLE(T, ret, ns_sock_try_clone(NS_SK(h), &sk_));                   \
        }                                                                                       \
        NS_EXPORT int netsock_##T##_take_error(struct netsock_##T *h, int *ret_err) {           \
                return ns_sock_take_error(NS_SK(h), ret_err);                                   \
        }                                                                                       \
        NS_EXPORT int netsock_##T##_local_addr(const struct netsock_##T *h, struct netsock_addr *ret) { \
                return h ? ns_fd_local_addr(h->sk.fd, ret) : -EINVAL;                           \
        }                                                                                       \
        struct ns_unused_##T

/* The extra common calls of connected types. */
#define NS_DEFINE_CONNECTED(T)                                                                  \
        NS_EXPORT int netsock_##T##_peer_addr(const struct netsock_##T *h, struct netsock_addr *ret) { \
                return h ? ns_fd_peer_addr(h->sk.fd, ret) : -EINVAL;                            \
        }                                                                                       \
        NS_EXPORT int netsock_##T##_shutdown(struct netsock_##T *h, int how) {                  \
                return h ? ns_fd_shutdown(h->sk.fd, how) : -EINVAL;                             \
        }                                                                                       \
        NS_EXPORT int netsock_##T##_set_read_timeout(struct netsock_##T *h, unsigned ms) {      \
                return h ? ns_fd_set_timeout(h->sk.fd, SO_RCVTIMEO, ms) : -EINVAL;              \
        }                                                                                       \
        NS_EXPORT int netsock_##T##_read_timeout(const struct netsock_##T *h, unsigned *ret_ms) { \
                return h ? ns_fd_timeout(h->sk.fd, SO_RCVTIMEO, ret_ms) : -EINVAL;              \
        }                                                                                       \
        NS_EXPORT int netsock_##T##_set_write_timeout(struct netsock_##T *h, unsigned ms) {     \
                return h ? ns_fd_set_timeout(h->sk.fd, SO_SNDTIMEO, ms) : -EINVAL;              \
        }                                                                                       \
        NS_EXPORT int netsock_##T##_write_timeout(const struct netsock_##T *h, unsigned *ret_ms) { \
                return h ? ns_fd_timeout(h->sk.fd, SO_SNDTIMEO, ret_ms) : -EINVAL;              \
        }                                                                                       \
        struct ns_unused2_##T

/* A receive on a connected handle first hands out the error an earlier
 * call kept (ns_sock.pending_err): one test and a branch when there is
 * none. */
#define NS_RECV_GUARD(s) do {                                           \
                if (!(s))                                               \
                        return -EINVAL;                                 \
                if (__builtin_expect((s)->sk.slow & NS_SLOW_PENDING, 0)) \
                        return ns_sock_take_pending_cold(&(s)->sk);     \
        } while (0)

/* The data calls shared by the byte-stream types (unix_stream, tcp_stream). */
#define NS_DEFINE_STREAM_DATA(T)                                                                \
        NS_EXPORT NS_HOT ssize_t netsock_##T##_send(struct netsock_##T *s, const void *buf, size_t len) { \
                NS_SEND_GUARD(s);                                                               \
                return ns_send(s->sk.fd, buf, len);                                             \
        }                                                                                       \
        NS_EXPORT NS_HOT ssize_t netsock_##T##_send_vectored(struct netsock_##T *s, const struct iovec *iov, size_t iovcnt) { \
                NS_SEND_GUARD(s);                                                               \
                return ns_sendv(s->sk.fd, iov, iovcnt);                                         \
        }                                                                                       \
        NS_EXPORT NS_HOT int netsock_##T##_send_all(struct netsock_##T *s, const void *buf, size_t len) { \
                NS_SEND_GUARD(s);                                                               \
                return ns_send_all(&s->sk, buf, len);                                           \
        }                                                                                       \
        NS_EXPORT NS_HOT ssize_t netsock_##T##_recv(struct netsock_##T *s, void *buf, size_t len) {    \
                NS_RECV_GUARD(s);                                                               \
                return ns_recv(s->sk.fd, buf, len, 0);                                          \
        }                                                                                       \
        NS_EXPORT NS_HOT ssize_t netsock_##T##_recv_vectored(struct netsock_##T *s, const struct iovec *iov, size_t iovcnt) { \
                NS_RECV_GUARD(s);                                                               \
                return ns_recvv(s->sk.fd, iov, iovcnt, 0, NULL);                                \
        }                                                                                       \
        NS_EXPORT NS_HOT ssize_t netsock_##T##_recv_exact(struct netsock_##T *s, void *buf, size_t len) { \
                NS_RECV_GUARD(s);                                                               \
                return ns_recv_exact(&s->sk, buf, len);                                         \
        }                                                                                       \
        NS_EXPORT NS_HOT ssize_t netsock_##T##_peek(struct netsock_##T *s, void *buf, size_t len) {    \
                if (!s)                                                                         \
                        return -EINVAL;                                                         \
                if (__builtin_expect(s->sk.slow & NS_SLOW_PENDING, 0))                          \
                        return s->sk.pending_err;  /* peek reports it and leaves it kept */     \
                return ns_recv(s->sk.fd, buf, len, MSG_PEEK);                                   \
        }                                                                                       \
        struct ns_unused3_##T

/* Queued sends (API.md §15) for the byte-stream types: the work is in
 * sendq.c, on the handle's struct ns_sock. */
#define NS_DEFINE_SENDQ(T)                                                                      \
        NS_EXPORT ssize_t netsock_##T##_send_queued(struct netsock_##T *s, const void *buf, size_t len) { \
                return ns_sendq_send(NS_SK(s), buf, len);                                       \
        }                                                                                       \
        NS_EXPORT int netsock_##T##_flush(struct netsock_##T *s) {                              \
                return ns_sendq_flush(NS_SK(s));                                                \
        }                                                                                       \
        NS_EXPORT size_t netsock_##T##_queued(const struct netsock_##T *s) {                    \
                return ns_sendq_queued(NS_SK(s));                                               \
        }                                                                                       \
        NS_EXPORT int netsock_##T##_set_send_queue_limit(struct netsock_##T *s, size_t bytes) { \
                return ns_sendq_set_limit(NS_SK(s), bytes);                                     \
        }                                                                                       \
        struct ns_unused_sendq_##T

/* Fd passing, credentials and peer identity (API.md §5, §10), shared by
 * unix_stream and seqpacket. */
#define NS_DEFINE_ANCILLARY(T, STREAM)                                                          \
        NS_EXPORT NS_HOT ssize_t netsock_##T##_send_fds(struct netsock_##T *s, const void *buf, size_t len, const int *fds, size_t nfds) { \
                NS_SEND_GUARD(s);                                                               \
                if (!(STREAM) && s->sk.pending_err)  /* seqpacket: a batch kept it */           \
                        return ns_sock_take_pending(&s->sk);                                    \
                return ns_send_fds(s->sk.fd, buf, len, fds, nfds, STREAM);                      \
        }                                                                                       \
        NS_EXPORT NS_HOT ssize_t netsock_##T##_recv_fds(struct netsock_##T *s, void *buf, size_t len, int *fds, size_t *nfds, unsigned *ret_flags) { \
                NS_RECV_GUARD(s);                                                               \
                return ns_recv_fds(s->sk.fd, buf, len, fds, nfds, ret_flags, STREAM);           \
        }                                                                                       \
        NS_EXPORT ssize_t netsock_##T##_send_ancillary(struct netsock_##T *s, const struct iovec *iov, size_t iovcnt, const struct netsock_ancillary *anc) { \
                NS_SEND_GUARD(s);                                                               \
                if (!(STREAM) && s->sk.pending_err)                                             \
                        return ns_sock_take_pending(&s->sk);                                    \
                return ns_send_ancillary(s->sk.fd, iov, iovcnt, anc, STREAM);                   \
        }                                                                                       \
        NS_EXPORT ssize_t netsock_##T##_recv_ancillary(struct netsock_##T *s, const struct iovec *iov, size_t iovcnt, struct netsock_ancillary *anc) { \
                NS_RECV_GUARD(s);                                                               \
                return ns_recv_ancillary(s->sk.fd, iov, iovcnt, anc, STREAM);                   \
        }                                                                                       \
        NS_EXPORT int netsock_##T##_peer_credentials(const struct netsock_##T *s, struct netsock_creds *ret) { \
                return s ? ns_peer_credentials(s->sk.fd, ret) : -EINVAL;                        \
        }                                                                                       \
        NS_EXPORT ssize_t netsock_##T##_peer_security_context(const struct netsock_##T *s, char *buf, size_t size) { \
                return s ? ns_peer_security_context(s->sk.fd, buf, size) : -EINVAL;             \
        }                                                                                       \
        NS_EXPORT int netsock_##T##_peer_pidfd(const struct netsock_##T *s, int *ret_pidfd) {   \
                return s ? ns_peer_pidfd(s->sk.fd, ret_pidfd) : -EINVAL;                        \
        }                                                                                       \
        NS_EXPORT ssize_t netsock_##T##_peer_groups(const struct netsock_##T *s, gid_t *groups, size_t n) { \
                return s ? ns_peer_groups(s->sk.fd, groups, n) : -EINVAL;                       \
        }                                                                                       \
        NS_DEFINE_UNIX_RECV_OPTIONS(T)

/* What a receiving Unix socket accepts, set on a connection or on a
 * listener (connections that arrive after it is set inherit it). */
#define NS_DEFINE_UNIX_RECV_OPTIONS(T)                                                          \
        NS_EXPORT int netsock_##T##_set_passcred(struct netsock_##T *s, bool on) {              \
                return s ? ns_setopt_bool(s->sk.fd, SOL_SOCKET, SO_PASSCRED, on) : -EINVAL;     \
        }                                                                                       \
        NS_EXPORT int netsock_##T##_set_passpidfd(struct netsock_##T *s, bool on) {             \
                return s ? ns_setopt_bool(s->sk.fd, SOL_SOCKET, SO_PASSPIDFD, on) : -EINVAL;    \
        }                                                                                       \
        NS_EXPORT int netsock_##T##_set_passrights(struct netsock_##T *s, bool on) {            \
                return s ? ns_setopt_bool(s->sk.fd, SOL_SOCKET, SO_PASSRIGHTS, on) : -EINVAL;   \
        }                                                                                       \
        struct ns_unused4_##T

/* A blocking accept that finds nothing within ms returns -EAGAIN (API.md
 * §12): SO_RCVTIMEO on a listening socket bounds accept. */
#define NS_DEFINE_ACCEPT_TIMEOUT(L)                                                             \
        NS_EXPORT int netsock_##L##_set_accept_timeout(struct netsock_##L *l, unsigned ms) {    \
                return l ? ns_fd_set_timeout(l->sk.fd, SO_RCVTIMEO, ms) : -EINVAL;              \
        }                                                                                       \
        NS_EXPORT int netsock_##L##_accept_timeout(const struct netsock_##L *l, unsigned *ret_ms) { \
                return l ? ns_fd_timeout(l->sk.fd, SO_RCVTIMEO, ret_ms) : -EINVAL;              \
        }                                                                                       \
        struct ns_unused_accept_timeout_##L

/* Unix connect with a bound on the wait for a full backlog (API.md §12). */
#define NS_DEFINE_UNIX_CONNECT_TIMEOUT(T, SOCKTYPE)                                             \
        NS_EXPORT int netsock_##T##_connect_timeout(const char *name, unsigned timeout_ms, int flags, struct netsock_##T **ret) { \
                struct netsock_addr a;                                                          \
                int r = timeout_ms == 0 ? -EINVAL : ns_addr_unix_name(&a, name);                \
                if (r < 0)                                                                      \
                        return r;                                                               \
                NS_RETURN_HANDLE(T, ret, ns_unix_connect_timeout(NULL, &a, SOCKTYPE, flags, timeout_ms, &sk_)); \
        }                                                                                       \
        struct ns_unused_connect_timeout_##T

/* A Unix listener type L accepting connections of type C. */
#define NS_DEFINE_UNIX_LISTENER(L, C, SOCKTYPE)                                                 \
        NS_EXPORT int netsock_##L##_bind_addr(const struct netsock_addr *addr, int flags, struct netsock_##L **ret) { \
                NS_RETURN_HANDLE(L, ret, ns_unix_listen(addr, SOCKTYPE, flags, &sk_));          \
        }                                                                                       \
        NS_EXPORT int netsock_##L##_bind(const char *name, int flags, struct netsock_##L **ret) { \
                struct netsock_addr a;                                                          \
                int r = ns_addr_unix_name(&a, name);                                            \
                return r < 0 ? r : netsock_##L##_bind_addr(&a, flags, ret);                     \
        }                                                                                       \
        NS_EXPORT int netsock_##L##_bind_mode(const char *name, unsigned mode, int flags, struct netsock_##L **ret) { \
                struct netsock_addr a;                                                          \
                int r = mode > 07777 ? -EINVAL : ns_addr_unix_name(&a, name);                   \
                if (r < 0)                                                                      \
                        return r;                                                               \
                NS_RETURN_HANDLE(L, ret, ns_unix_listen_mode(&a, SOCKTYPE, flags, (int) mode, &sk_)); \
        }                                                                                       \
        NS_EXPORT int netsock_##L##_bind_auto(int flags, struct netsock_##L **ret) {            \
                NS_RETURN_HANDLE(L, ret, ns_unix_listen_mode(NULL, SOCKTYPE, flags, -1, &sk_)); \
        }                                                                                       \
        NS_DEFINE_ACCEPT_TIMEOUT(L);                                                            \
        NS_DEFINE_UNIX_RECV_OPTIONS(L);                                                         \
        NS_EXPORT int netsock_##L##_accept(struct netsock_##L *l, int flags, struct netsock_##C **ret, struct netsock_addr *ret_peer) { \
                NS_RETURN_HANDLE(C, ret, ns_accept(NS_SK(l), flags, &sk_, ret_peer));          \
        }                                                                                       \
        struct ns_unused5_##L

/* One option of handle type T: netsock_T_set_NAME(h, v) and
 * netsock_T_NAME(h, &v), with KIND (bool, int, uint, u32) the value type
 * and the ns_opt_set_KIND / ns_opt_get_KIND helper that does the work. */
#define NS_DEFINE_OPT(T, NAME, KIND, OPT)                                                       \
        NS_EXPORT int netsock_##T##_set_##NAME(struct netsock_##T *h, ns_vt_##KIND v) {         \
                return h ? ns_opt_set_##KIND(h->sk.fd, &OPT, v) : -EINVAL;                      \
        }                                                                                       \
        NS_EXPORT int netsock_##T##_##NAME(const struct netsock_##T *h, ns_vt_##KIND *ret) {    \
                return h ? ns_opt_get_##KIND(h->sk.fd, &OPT, ret) : -EINVAL;                    \
        }                                                                                       \
        struct ns_unused_opt_##T##_##NAME

/* The options a TCP socket and a TCP stream both have (0.1). */
#define NS_DEFINE_TCP_OPTIONS(T)                                                                \
        NS_EXPORT int netsock_##T##_set_send_buffer_size(struct netsock_##T *s, size_t size) {  \
                return s ? ns_set_bufsize(s->sk.fd, SO_SNDBUF, size) : -EINVAL;                 \
        }                                                                                       \
        NS_EXPORT int netsock_##T##_send_buffer_size(const struct netsock_##T *s, size_t *ret) { \
                return s ? ns_get_bufsize(s->sk.fd, SO_SNDBUF, ret) : -EINVAL;                  \
        }                                                                                       \
        NS_EXPORT int netsock_##T##_set_recv_buffer_size(struct netsock_##T *s, size_t size) {  \
                return s ? ns_set_bufsize(s->sk.fd, SO_RCVBUF, size) : -EINVAL;                 \
        }                                                                                       \
        NS_EXPORT int netsock_##T##_recv_buffer_size(const struct netsock_##T *s, size_t *ret) { \
                return s ? ns_get_bufsize(s->sk.fd, SO_RCVBUF, ret) : -EINVAL;                  \
        }                                                                                       \
        NS_EXPORT int netsock_##T##_set_linger(struct netsock_##T *s, int secs) {               \
                return s ? ns_set_linger(s->sk.fd, secs) : -EINVAL;                             \
        }                                                                                       \
        NS_EXPORT int netsock_##T##_linger(const struct netsock_##T *s, int *ret_secs) {        \
                return s ? ns_get_linger(s->sk.fd, ret_secs) : -EINVAL;                         \
        }                                                                                       \
        NS_DEFINE_OPT(T, nodelay, bool, NS_OPT(IPPROTO_TCP, TCP_NODELAY));                      \
        NS_DEFINE_OPT(T, keepalive, bool, NS_OPT(SOL_SOCKET, SO_KEEPALIVE))

/* The options of API.md §14 that every TCP handle type has (S C L):
 * where its packets go (SO_MARK, for policy routing and netfilter) and
 * which CPU takes its receive work (SO_INCOMING_CPU). */
#define NS_DEFINE_TCP_PLACEMENT(T)                                                              \
        NS_DEFINE_OPT(T, mark, u32, NS_OPT(SOL_SOCKET, SO_MARK));                               \
        NS_DEFINE_OPT(T, incoming_cpu, int, NS_OPT(SOL_SOCKET, SO_INCOMING_CPU))

/* The options of API.md §14 that the builder and the stream share (S C):
 * how the connection sends, acknowledges, probes and gives up. */
#define NS_DEFINE_TCP_TUNING(T)                                                                 \
        NS_DEFINE_OPT(T, user_timeout, uint, NS_OPT(IPPROTO_TCP, TCP_USER_TIMEOUT));            \
        NS_DEFINE_OPT(T, cork, bool, NS_OPT(IPPROTO_TCP, TCP_CORK));                            \
        NS_DEFINE_OPT(T, quickack, bool, NS_OPT(IPPROTO_TCP, TCP_QUICKACK));                    \
        NS_DEFINE_OPT(T, notsent_lowat, uint, NS_OPT(IPPROTO_TCP, TCP_NOTSENT_LOWAT));          \
        NS_DEFINE_OPT(T, max_segment, uint, NS_OPT(IPPROTO_TCP, TCP_MAXSEG));                   \
        NS_DEFINE_OPT(T, priority, int, NS_OPT(SOL_SOCKET, SO_PRIORITY));                       \
        NS_EXPORT int netsock_##T##_set_congestion(struct netsock_##T *h, const char *name) {   \
                if (!h || !name)                                                                \
                        return -EINVAL;                                                         \
                return ns_setopt_name(h->sk.fd, IPPROTO_TCP, TCP_CONGESTION, name, NS_TCP_CA_NAME_MAX); \
        }                                                                                       \
        NS_EXPORT ssize_t netsock_##T##_congestion(const struct netsock_##T *h, char *buf, size_t size) { \
                return h ? ns_getopt_name(h->sk.fd, IPPROTO_TCP, TCP_CONGESTION, buf, size) : -EINVAL; \
        }                                                                                       \
        NS_EXPORT int netsock_##T##_set_keepalive_params(struct netsock_##T *h, unsigned idle_s, unsigned interval_s, unsigned count) { \
                return h ? ns_set_keepalive_params(h->sk.fd, idle_s, interval_s, count) : -EINVAL; \
        }                                                                                       \
        NS_EXPORT int netsock_##T##_keepalive_params(const struct netsock_##T *h, unsigned *ret_idle_s, unsigned *ret_interval_s, unsigned *ret_count) { \
                return h ? ns_get_keepalive_params(h->sk.fd, ret_idle_s, ret_interval_s, ret_count) : -EINVAL; \
        }                                                                                       \
        struct ns_unused7_##T

/* The kernel's TCP_CA_NAME_MAX: a congestion control name is shorter. */
#define NS_TCP_CA_NAME_MAX 16

#endif
