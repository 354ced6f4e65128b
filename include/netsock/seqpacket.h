/* SPDX-License-Identifier: MIT */
/*
 * Unix seqpacket sockets: reliable, ordered, connection-oriented packets with
 * their boundaries kept, fd passing and credentials.  The uds
 * UnixSeqpacketConn of C.  See netsock_seqpacket_connect(3).
 */
#ifndef NETSOCK_SEQPACKET_H
#define NETSOCK_SEQPACKET_H

#include <netsock/common.h>
#include <netsock/addr.h>

NETSOCK_BEGIN_DECLS

struct netsock_seqpacket;
struct netsock_seqpacket_listener;

int netsock_seqpacket_connect(const char *name, int flags, struct netsock_seqpacket **ret);
int netsock_seqpacket_connect_timeout(const char *name, unsigned timeout_ms, int flags, struct netsock_seqpacket **ret);
int netsock_seqpacket_connect_addr(const struct netsock_addr *addr, int flags, struct netsock_seqpacket **ret);
int netsock_seqpacket_connect_from_to(const struct netsock_addr *from, const struct netsock_addr *to, int flags, struct netsock_seqpacket **ret);
int netsock_seqpacket_pair(int flags, struct netsock_seqpacket **ret_a, struct netsock_seqpacket **ret_b);

ssize_t netsock_seqpacket_send(struct netsock_seqpacket *s, const void *buf, size_t len);
ssize_t netsock_seqpacket_send_vectored(struct netsock_seqpacket *s, const struct iovec *iov, size_t iovcnt);
ssize_t netsock_seqpacket_recv(struct netsock_seqpacket *s, void *buf, size_t len, bool *ret_truncated);
ssize_t netsock_seqpacket_recv_vectored(struct netsock_seqpacket *s, const struct iovec *iov, size_t iovcnt, bool *ret_truncated);
ssize_t netsock_seqpacket_peek(struct netsock_seqpacket *s, void *buf, size_t len, bool *ret_truncated);
ssize_t netsock_seqpacket_peek_vectored(struct netsock_seqpacket *s, const struct iovec *iov, size_t iovcnt, bool *ret_truncated);
ssize_t netsock_seqpacket_next_packet_len(struct netsock_seqpacket *s);

ssize_t netsock_seqpacket_send_fds(struct netsock_seqpacket *s, const void *buf, size_t len, const int *fds, size_t nfds);
ssize_t netsock_seqpacket_recv_fds(struct netsock_seqpacket *s, void *buf, size_t len, int *fds, size_t *nfds, unsigned *ret_flags);
ssize_t netsock_seqpacket_send_ancillary(struct netsock_seqpacket *s, const struct iovec *iov, size_t iovcnt, const struct netsock_ancillary *anc);
ssize_t netsock_seqpacket_recv_ancillary(struct netsock_seqpacket *s, const struct iovec *iov, size_t iovcnt, struct netsock_ancillary *anc);
int     netsock_seqpacket_set_passcred(struct netsock_seqpacket *s, bool on);
int     netsock_seqpacket_peer_credentials(const struct netsock_seqpacket *s, struct netsock_creds *ret);
ssize_t netsock_seqpacket_peer_security_context(const struct netsock_seqpacket *s, char *buf, size_t size);
/* Peer identity that survives pid reuse, and what the socket accepts (0.2). */
int     netsock_seqpacket_peer_pidfd(const struct netsock_seqpacket *s, int *ret_pidfd);
ssize_t netsock_seqpacket_peer_groups(const struct netsock_seqpacket *s, gid_t *groups, size_t n);
int     netsock_seqpacket_set_passpidfd(struct netsock_seqpacket *s, bool on);
int     netsock_seqpacket_set_passrights(struct netsock_seqpacket *s, bool on);
/* Batched packets (0.2): one sendmmsg / recvmmsg for up to 1024 packets. */
struct netsock_packet {
        const struct iovec *iov;  /* send: the packet's bytes; recv: where to store them */
        size_t iovcnt;
        size_t len;               /* out: bytes sent, or bytes stored */
        bool truncated;           /* recv, out: the packet was longer than iov holds; the rest is gone */
};
ssize_t netsock_seqpacket_send_batch(struct netsock_seqpacket *s, struct netsock_packet *pkts, size_t n);
ssize_t netsock_seqpacket_recv_batch(struct netsock_seqpacket *s, struct netsock_packet *pkts, size_t n);

void netsock_seqpacket_close(struct netsock_seqpacket *h);
int  netsock_seqpacket_fd(const struct netsock_seqpacket *h);
int  netsock_seqpacket_into_fd(struct netsock_seqpacket *h);
int  netsock_seqpacket_from_fd(int fd, struct netsock_seqpacket **ret);
int  netsock_seqpacket_set_nonblocking(struct netsock_seqpacket *h, bool on);
int  netsock_seqpacket_is_nonblocking(const struct netsock_seqpacket *h, bool *ret);
int  netsock_seqpacket_try_clone(const struct netsock_seqpacket *h, struct netsock_seqpacket **ret);
int  netsock_seqpacket_take_error(struct netsock_seqpacket *h, int *ret_err);
int  netsock_seqpacket_local_addr(const struct netsock_seqpacket *h, struct netsock_addr *ret);
int  netsock_seqpacket_peer_addr(const struct netsock_seqpacket *h, struct netsock_addr *ret);
int  netsock_seqpacket_shutdown(struct netsock_seqpacket *h, int how);
int  netsock_seqpacket_set_read_timeout(struct netsock_seqpacket *h, unsigned ms);
int  netsock_seqpacket_read_timeout(const struct netsock_seqpacket *h, unsigned *ret_ms);
int  netsock_seqpacket_set_write_timeout(struct netsock_seqpacket *h, unsigned ms);
int  netsock_seqpacket_write_timeout(const struct netsock_seqpacket *h, unsigned *ret_ms);

int netsock_seqpacket_listener_bind(const char *name, int flags, struct netsock_seqpacket_listener **ret);
int netsock_seqpacket_listener_bind_addr(const struct netsock_addr *addr, int flags, struct netsock_seqpacket_listener **ret);
int netsock_seqpacket_listener_bind_mode(const char *name, unsigned mode, int flags, struct netsock_seqpacket_listener **ret);
int netsock_seqpacket_listener_bind_auto(int flags, struct netsock_seqpacket_listener **ret);
int netsock_seqpacket_listener_set_accept_timeout(struct netsock_seqpacket_listener *l, unsigned ms);
int netsock_seqpacket_listener_accept_timeout(const struct netsock_seqpacket_listener *l, unsigned *ret_ms);
int netsock_seqpacket_listener_set_passcred(struct netsock_seqpacket_listener *l, bool on);  /* inherited by accepted connections */
int netsock_seqpacket_listener_set_passpidfd(struct netsock_seqpacket_listener *l, bool on);    /* inherited by later connections */
int netsock_seqpacket_listener_set_passrights(struct netsock_seqpacket_listener *l, bool on);   /* inherited by later connections */
int netsock_seqpacket_listener_accept(struct netsock_seqpacket_listener *l, int flags, struct netsock_seqpacket **ret, struct netsock_addr *ret_peer);

void netsock_seqpacket_listener_close(struct netsock_seqpacket_listener *h);
int  netsock_seqpacket_listener_fd(const struct netsock_seqpacket_listener *h);
int  netsock_seqpacket_listener_into_fd(struct netsock_seqpacket_listener *h);
int  netsock_seqpacket_listener_from_fd(int fd, struct netsock_seqpacket_listener **ret);
int  netsock_seqpacket_listener_set_nonblocking(struct netsock_seqpacket_listener *h, bool on);
int  netsock_seqpacket_listener_is_nonblocking(const struct netsock_seqpacket_listener *h, bool *ret);
int  netsock_seqpacket_listener_try_clone(const struct netsock_seqpacket_listener *h, struct netsock_seqpacket_listener **ret);
int  netsock_seqpacket_listener_take_error(struct netsock_seqpacket_listener *h, int *ret_err);
int  netsock_seqpacket_listener_local_addr(const struct netsock_seqpacket_listener *h, struct netsock_addr *ret);

NETSOCK_END_DECLS

#endif
