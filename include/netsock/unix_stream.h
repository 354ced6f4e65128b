/* SPDX-License-Identifier: MIT */
/*
 * Unix stream sockets and their listeners, with fd passing and credentials.
 * The interprocess UdStream / UdStreamListener of C.  See
 * netsock_unix_stream_connect(3) and netsock_unix_listener_bind(3).
 */
#ifndef NETSOCK_UNIX_STREAM_H
#define NETSOCK_UNIX_STREAM_H

#include <netsock/common.h>
#include <netsock/addr.h>

NETSOCK_BEGIN_DECLS

struct netsock_unix_stream;
struct netsock_unix_listener;

int netsock_unix_stream_connect(const char *name, int flags, struct netsock_unix_stream **ret);
int netsock_unix_stream_connect_timeout(const char *name, unsigned timeout_ms, int flags, struct netsock_unix_stream **ret);
int netsock_unix_stream_connect_addr(const struct netsock_addr *addr, int flags, struct netsock_unix_stream **ret);
int netsock_unix_stream_pair(int flags, struct netsock_unix_stream **ret_a, struct netsock_unix_stream **ret_b);

ssize_t netsock_unix_stream_send(struct netsock_unix_stream *s, const void *buf, size_t len);
ssize_t netsock_unix_stream_send_vectored(struct netsock_unix_stream *s, const struct iovec *iov, size_t iovcnt);
int     netsock_unix_stream_send_all(struct netsock_unix_stream *s, const void *buf, size_t len);
ssize_t netsock_unix_stream_recv(struct netsock_unix_stream *s, void *buf, size_t len);
ssize_t netsock_unix_stream_recv_vectored(struct netsock_unix_stream *s, const struct iovec *iov, size_t iovcnt);
ssize_t netsock_unix_stream_recv_exact(struct netsock_unix_stream *s, void *buf, size_t len);
ssize_t netsock_unix_stream_peek(struct netsock_unix_stream *s, void *buf, size_t len);
/* Queued sends for nonblocking handles (0.2): all or nothing, in order. */
ssize_t netsock_unix_stream_send_queued(struct netsock_unix_stream *s, const void *buf, size_t len);
int     netsock_unix_stream_flush(struct netsock_unix_stream *s);
size_t  netsock_unix_stream_queued(const struct netsock_unix_stream *s);
int     netsock_unix_stream_set_send_queue_limit(struct netsock_unix_stream *s, size_t bytes);  /* default 4 MiB */

ssize_t netsock_unix_stream_send_fds(struct netsock_unix_stream *s, const void *buf, size_t len, const int *fds, size_t nfds);
ssize_t netsock_unix_stream_recv_fds(struct netsock_unix_stream *s, void *buf, size_t len, int *fds, size_t *nfds, unsigned *ret_flags);
ssize_t netsock_unix_stream_send_ancillary(struct netsock_unix_stream *s, const struct iovec *iov, size_t iovcnt, const struct netsock_ancillary *anc);
ssize_t netsock_unix_stream_recv_ancillary(struct netsock_unix_stream *s, const struct iovec *iov, size_t iovcnt, struct netsock_ancillary *anc);
int     netsock_unix_stream_set_passcred(struct netsock_unix_stream *s, bool on);
int     netsock_unix_stream_peer_credentials(const struct netsock_unix_stream *s, struct netsock_creds *ret);
ssize_t netsock_unix_stream_peer_security_context(const struct netsock_unix_stream *s, char *buf, size_t size);
/* Peer identity that survives pid reuse, and what the socket accepts (0.2). */
int     netsock_unix_stream_peer_pidfd(const struct netsock_unix_stream *s, int *ret_pidfd);
ssize_t netsock_unix_stream_peer_groups(const struct netsock_unix_stream *s, gid_t *groups, size_t n);
int     netsock_unix_stream_set_passpidfd(struct netsock_unix_stream *s, bool on);
int     netsock_unix_stream_set_passrights(struct netsock_unix_stream *s, bool on);

void netsock_unix_stream_close(struct netsock_unix_stream *h);
int  netsock_unix_stream_fd(const struct netsock_unix_stream *h);
int  netsock_unix_stream_into_fd(struct netsock_unix_stream *h);
int  netsock_unix_stream_from_fd(int fd, struct netsock_unix_stream **ret);
int  netsock_unix_stream_set_nonblocking(struct netsock_unix_stream *h, bool on);
int  netsock_unix_stream_is_nonblocking(const struct netsock_unix_stream *h, bool *ret);
int  netsock_unix_stream_try_clone(const struct netsock_unix_stream *h, struct netsock_unix_stream **ret);
int  netsock_unix_stream_take_error(struct netsock_unix_stream *h, int *ret_err);
int  netsock_unix_stream_local_addr(const struct netsock_unix_stream *h, struct netsock_addr *ret);
int  netsock_unix_stream_peer_addr(const struct netsock_unix_stream *h, struct netsock_addr *ret);
int  netsock_unix_stream_shutdown(struct netsock_unix_stream *h, int how);
int  netsock_unix_stream_set_read_timeout(struct netsock_unix_stream *h, unsigned ms);
int  netsock_unix_stream_read_timeout(const struct netsock_unix_stream *h, unsigned *ret_ms);
int  netsock_unix_stream_set_write_timeout(struct netsock_unix_stream *h, unsigned ms);
int  netsock_unix_stream_write_timeout(const struct netsock_unix_stream *h, unsigned *ret_ms);

int netsock_unix_listener_bind(const char *name, int flags, struct netsock_unix_listener **ret);
int netsock_unix_listener_bind_addr(const struct netsock_addr *addr, int flags, struct netsock_unix_listener **ret);
int netsock_unix_listener_bind_mode(const char *name, unsigned mode, int flags, struct netsock_unix_listener **ret);
int netsock_unix_listener_bind_auto(int flags, struct netsock_unix_listener **ret);
int netsock_unix_listener_set_accept_timeout(struct netsock_unix_listener *l, unsigned ms);
int netsock_unix_listener_accept_timeout(const struct netsock_unix_listener *l, unsigned *ret_ms);
int netsock_unix_listener_set_passcred(struct netsock_unix_listener *l, bool on);  /* inherited by accepted connections */
int netsock_unix_listener_set_passpidfd(struct netsock_unix_listener *l, bool on);    /* inherited by later connections */
int netsock_unix_listener_set_passrights(struct netsock_unix_listener *l, bool on);   /* inherited by later connections */
int netsock_unix_listener_accept(struct netsock_unix_listener *l, int flags, struct netsock_unix_stream **ret, struct netsock_addr *ret_peer);

void netsock_unix_listener_close(struct netsock_unix_listener *h);
int  netsock_unix_listener_fd(const struct netsock_unix_listener *h);
int  netsock_unix_listener_into_fd(struct netsock_unix_listener *h);
int  netsock_unix_listener_from_fd(int fd, struct netsock_unix_listener **ret);
int  netsock_unix_listener_set_nonblocking(struct netsock_unix_listener *h, bool on);
int  netsock_unix_listener_is_nonblocking(const struct netsock_unix_listener *h, bool *ret);
int  netsock_unix_listener_try_clone(const struct netsock_unix_listener *h, struct netsock_unix_listener **ret);
int  netsock_unix_listener_take_error(struct netsock_unix_listener *h, int *ret_err);
int  netsock_unix_listener_local_addr(const struct netsock_unix_listener *h, struct netsock_addr *ret);

NETSOCK_END_DECLS

#endif
