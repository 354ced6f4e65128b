/* SPDX-License-Identifier: MIT */
/*
 * The TCP socket builder (tokio's TcpSocket): make a socket, set options,
 * then bind and listen or connect.  Also the TCP listener.  See
 * netsock_tcp_socket_new_v4(3) and netsock_tcp_listener_bind(3).
 */
#ifndef NETSOCK_TCP_SOCKET_H
#define NETSOCK_TCP_SOCKET_H

#include <netsock/common.h>
#include <netsock/addr.h>

NETSOCK_BEGIN_DECLS

struct netsock_tcp_socket;
struct netsock_tcp_listener;
struct netsock_tcp_stream;

int netsock_tcp_socket_new_v4(int flags, struct netsock_tcp_socket **ret);
int netsock_tcp_socket_new_v6(int flags, struct netsock_tcp_socket **ret);

int netsock_tcp_socket_set_reuseaddr(struct netsock_tcp_socket *s, bool on);
int netsock_tcp_socket_reuseaddr(const struct netsock_tcp_socket *s, bool *ret);
int netsock_tcp_socket_set_reuseport(struct netsock_tcp_socket *s, bool on);
int netsock_tcp_socket_reuseport(const struct netsock_tcp_socket *s, bool *ret);
int netsock_tcp_socket_set_send_buffer_size(struct netsock_tcp_socket *s, size_t size);
int netsock_tcp_socket_send_buffer_size(const struct netsock_tcp_socket *s, size_t *ret);
int netsock_tcp_socket_set_recv_buffer_size(struct netsock_tcp_socket *s, size_t size);
int netsock_tcp_socket_recv_buffer_size(const struct netsock_tcp_socket *s, size_t *ret);
int netsock_tcp_socket_set_linger(struct netsock_tcp_socket *s, int secs);
int netsock_tcp_socket_linger(const struct netsock_tcp_socket *s, int *ret_secs);
int netsock_tcp_socket_set_tos(struct netsock_tcp_socket *s, unsigned tos);
int netsock_tcp_socket_tos(const struct netsock_tcp_socket *s, unsigned *ret);
int netsock_tcp_socket_set_only_v6(struct netsock_tcp_socket *s, bool on);   /* IPv6 sockets, before bind */
int netsock_tcp_socket_only_v6(const struct netsock_tcp_socket *s, bool *ret);
int netsock_tcp_socket_bind_device(struct netsock_tcp_socket *s, const char *ifname);
ssize_t netsock_tcp_socket_device(const struct netsock_tcp_socket *s, char *buf, size_t size);
int netsock_tcp_socket_set_nodelay(struct netsock_tcp_socket *s, bool on);
int netsock_tcp_socket_nodelay(const struct netsock_tcp_socket *s, bool *ret);
int netsock_tcp_socket_set_keepalive(struct netsock_tcp_socket *s, bool on);
int netsock_tcp_socket_keepalive(const struct netsock_tcp_socket *s, bool *ret);

/* The options of release 0.2 (see netsock_tcp_socket_set_cork(3) and the
 * pages it points to).  Getters store what the kernel reports. */
int netsock_tcp_socket_set_keepalive_params(struct netsock_tcp_socket *s, unsigned idle_s, unsigned interval_s, unsigned count);
int netsock_tcp_socket_keepalive_params(const struct netsock_tcp_socket *s, unsigned *ret_idle_s, unsigned *ret_interval_s, unsigned *ret_count);
int netsock_tcp_socket_set_user_timeout(struct netsock_tcp_socket *s, unsigned ms);
int netsock_tcp_socket_user_timeout(const struct netsock_tcp_socket *s, unsigned *ret_ms);
int netsock_tcp_socket_set_congestion(struct netsock_tcp_socket *s, const char *name);
ssize_t netsock_tcp_socket_congestion(const struct netsock_tcp_socket *s, char *buf, size_t size);
int netsock_tcp_socket_set_cork(struct netsock_tcp_socket *s, bool on);
int netsock_tcp_socket_cork(const struct netsock_tcp_socket *s, bool *ret);
int netsock_tcp_socket_set_quickack(struct netsock_tcp_socket *s, bool on);
int netsock_tcp_socket_quickack(const struct netsock_tcp_socket *s, bool *ret);
int netsock_tcp_socket_set_notsent_lowat(struct netsock_tcp_socket *s, unsigned bytes);
int netsock_tcp_socket_notsent_lowat(const struct netsock_tcp_socket *s, unsigned *ret);
int netsock_tcp_socket_set_max_segment(struct netsock_tcp_socket *s, unsigned bytes);
int netsock_tcp_socket_max_segment(const struct netsock_tcp_socket *s, unsigned *ret);
int netsock_tcp_socket_set_mark(struct netsock_tcp_socket *s, uint32_t mark);
int netsock_tcp_socket_mark(const struct netsock_tcp_socket *s, uint32_t *ret);
int netsock_tcp_socket_set_priority(struct netsock_tcp_socket *s, int priority);
int netsock_tcp_socket_priority(const struct netsock_tcp_socket *s, int *ret);
int netsock_tcp_socket_set_incoming_cpu(struct netsock_tcp_socket *s, int cpu);
int netsock_tcp_socket_incoming_cpu(const struct netsock_tcp_socket *s, int *ret);
int netsock_tcp_socket_set_freebind(struct netsock_tcp_socket *s, bool on);
int netsock_tcp_socket_freebind(const struct netsock_tcp_socket *s, bool *ret);
int netsock_tcp_socket_set_transparent(struct netsock_tcp_socket *s, bool on);
int netsock_tcp_socket_transparent(const struct netsock_tcp_socket *s, bool *ret);
int netsock_tcp_socket_set_bind_address_no_port(struct netsock_tcp_socket *s, bool on);
int netsock_tcp_socket_bind_address_no_port(const struct netsock_tcp_socket *s, bool *ret);
int netsock_tcp_socket_set_fastopen(struct netsock_tcp_socket *s, unsigned qlen);
int netsock_tcp_socket_fastopen(const struct netsock_tcp_socket *s, unsigned *ret);
int netsock_tcp_socket_set_fastopen_connect(struct netsock_tcp_socket *s, bool on);
int netsock_tcp_socket_fastopen_connect(const struct netsock_tcp_socket *s, bool *ret);
int netsock_tcp_socket_set_defer_accept(struct netsock_tcp_socket *s, unsigned secs);
int netsock_tcp_socket_defer_accept(const struct netsock_tcp_socket *s, unsigned *ret_secs);

int netsock_tcp_socket_bind(struct netsock_tcp_socket *s, const struct netsock_addr *addr);
int netsock_tcp_socket_connect(struct netsock_tcp_socket *s, const struct netsock_addr *addr, struct netsock_tcp_stream **ret);
int netsock_tcp_socket_connect_timeout(struct netsock_tcp_socket *s, const struct netsock_addr *addr, unsigned timeout_ms, struct netsock_tcp_stream **ret);
int netsock_tcp_socket_listen(struct netsock_tcp_socket *s, unsigned backlog, struct netsock_tcp_listener **ret);

void netsock_tcp_socket_close(struct netsock_tcp_socket *h);
int  netsock_tcp_socket_fd(const struct netsock_tcp_socket *h);
int  netsock_tcp_socket_into_fd(struct netsock_tcp_socket *h);
int  netsock_tcp_socket_from_fd(int fd, struct netsock_tcp_socket **ret);
int  netsock_tcp_socket_set_nonblocking(struct netsock_tcp_socket *h, bool on);
int  netsock_tcp_socket_is_nonblocking(const struct netsock_tcp_socket *h, bool *ret);
int  netsock_tcp_socket_try_clone(const struct netsock_tcp_socket *h, struct netsock_tcp_socket **ret);
int  netsock_tcp_socket_take_error(struct netsock_tcp_socket *h, int *ret_err);
int  netsock_tcp_socket_local_addr(const struct netsock_tcp_socket *h, struct netsock_addr *ret);

int netsock_tcp_listener_bind(const struct netsock_addr *addr, int flags, struct netsock_tcp_listener **ret);
int netsock_tcp_listener_accept(struct netsock_tcp_listener *l, int flags, struct netsock_tcp_stream **ret, struct netsock_addr *ret_peer);
int netsock_tcp_listener_set_accept_timeout(struct netsock_tcp_listener *l, unsigned ms);
int netsock_tcp_listener_accept_timeout(const struct netsock_tcp_listener *l, unsigned *ret_ms);
int netsock_tcp_listener_set_ttl(struct netsock_tcp_listener *l, unsigned ttl);
int netsock_tcp_listener_ttl(const struct netsock_tcp_listener *l, unsigned *ret);
int netsock_tcp_listener_set_mark(struct netsock_tcp_listener *l, uint32_t mark);
int netsock_tcp_listener_mark(const struct netsock_tcp_listener *l, uint32_t *ret);
int netsock_tcp_listener_set_incoming_cpu(struct netsock_tcp_listener *l, int cpu);
int netsock_tcp_listener_incoming_cpu(const struct netsock_tcp_listener *l, int *ret);
int netsock_tcp_listener_set_defer_accept(struct netsock_tcp_listener *l, unsigned secs);
int netsock_tcp_listener_defer_accept(const struct netsock_tcp_listener *l, unsigned *ret_secs);
int netsock_tcp_listener_only_v6(const struct netsock_tcp_listener *l, bool *ret);

void netsock_tcp_listener_close(struct netsock_tcp_listener *h);
int  netsock_tcp_listener_fd(const struct netsock_tcp_listener *h);
int  netsock_tcp_listener_into_fd(struct netsock_tcp_listener *h);
int  netsock_tcp_listener_from_fd(int fd, struct netsock_tcp_listener **ret);
int  netsock_tcp_listener_set_nonblocking(struct netsock_tcp_listener *h, bool on);
int  netsock_tcp_listener_is_nonblocking(const struct netsock_tcp_listener *h, bool *ret);
int  netsock_tcp_listener_try_clone(const struct netsock_tcp_listener *h, struct netsock_tcp_listener **ret);
int  netsock_tcp_listener_take_error(struct netsock_tcp_listener *h, int *ret_err);
int  netsock_tcp_listener_local_addr(const struct netsock_tcp_listener *h, struct netsock_addr *ret);

NETSOCK_END_DECLS

#endif
