/* SPDX-License-Identifier: MIT */
/*
 * Connected TCP streams (mio's TcpStream): blocking or nonblocking connect
 * with finish_connect, data calls that never raise SIGPIPE, and every useful
 * option with read-back.  See netsock_tcp_stream_connect(3).
 */
#ifndef NETSOCK_TCP_STREAM_H
#define NETSOCK_TCP_STREAM_H

#include <netsock/common.h>
#include <netsock/addr.h>

NETSOCK_BEGIN_DECLS

struct netsock_tcp_stream;

int netsock_tcp_stream_connect(const struct netsock_addr *addr, int flags, struct netsock_tcp_stream **ret);
int netsock_tcp_stream_connect_timeout(const struct netsock_addr *addr, unsigned timeout_ms, int flags, struct netsock_tcp_stream **ret);
int netsock_tcp_stream_finish_connect(struct netsock_tcp_stream *s);
/* Resolve host and port, then race the addresses (RFC 8305); see
 * netsock_tcp_stream_connect_host(3). */
int netsock_tcp_stream_connect_host(const char *host, const char *port, unsigned timeout_ms, int flags, struct netsock_tcp_stream **ret);
int netsock_tcp_stream_connect_any(const struct netsock_addr *addrs, size_t n, unsigned attempt_delay_ms, unsigned timeout_ms, int flags,
                                   struct netsock_tcp_stream **ret);

ssize_t netsock_tcp_stream_send(struct netsock_tcp_stream *s, const void *buf, size_t len);
ssize_t netsock_tcp_stream_send_vectored(struct netsock_tcp_stream *s, const struct iovec *iov, size_t iovcnt);
int     netsock_tcp_stream_send_all(struct netsock_tcp_stream *s, const void *buf, size_t len);
ssize_t netsock_tcp_stream_recv(struct netsock_tcp_stream *s, void *buf, size_t len);
ssize_t netsock_tcp_stream_recv_vectored(struct netsock_tcp_stream *s, const struct iovec *iov, size_t iovcnt);
ssize_t netsock_tcp_stream_recv_exact(struct netsock_tcp_stream *s, void *buf, size_t len);
ssize_t netsock_tcp_stream_peek(struct netsock_tcp_stream *s, void *buf, size_t len);
/* Queued sends for nonblocking handles (0.2): all or nothing, in order. */
ssize_t netsock_tcp_stream_send_queued(struct netsock_tcp_stream *s, const void *buf, size_t len);
int     netsock_tcp_stream_flush(struct netsock_tcp_stream *s);
size_t  netsock_tcp_stream_queued(const struct netsock_tcp_stream *s);
int     netsock_tcp_stream_set_send_queue_limit(struct netsock_tcp_stream *s, size_t bytes);  /* default 4 MiB */

int netsock_tcp_stream_set_nodelay(struct netsock_tcp_stream *s, bool on);
int netsock_tcp_stream_nodelay(const struct netsock_tcp_stream *s, bool *ret);
int netsock_tcp_stream_set_send_buffer_size(struct netsock_tcp_stream *s, size_t size);
int netsock_tcp_stream_send_buffer_size(const struct netsock_tcp_stream *s, size_t *ret);
int netsock_tcp_stream_set_recv_buffer_size(struct netsock_tcp_stream *s, size_t size);
int netsock_tcp_stream_recv_buffer_size(const struct netsock_tcp_stream *s, size_t *ret);
int netsock_tcp_stream_set_keepalive(struct netsock_tcp_stream *s, bool on);
int netsock_tcp_stream_keepalive(const struct netsock_tcp_stream *s, bool *ret);
int netsock_tcp_stream_set_keepalive_params(struct netsock_tcp_stream *s, unsigned idle_s, unsigned interval_s, unsigned count);
int netsock_tcp_stream_keepalive_params(const struct netsock_tcp_stream *s, unsigned *ret_idle_s, unsigned *ret_interval_s, unsigned *ret_count);
int netsock_tcp_stream_set_ttl(struct netsock_tcp_stream *s, unsigned ttl);
int netsock_tcp_stream_ttl(const struct netsock_tcp_stream *s, unsigned *ret);
int netsock_tcp_stream_set_only_v6(struct netsock_tcp_stream *s, bool on);
int netsock_tcp_stream_only_v6(const struct netsock_tcp_stream *s, bool *ret);
int netsock_tcp_stream_set_linger(struct netsock_tcp_stream *s, int secs);
int netsock_tcp_stream_linger(const struct netsock_tcp_stream *s, int *ret_secs);
int netsock_tcp_stream_set_user_timeout(struct netsock_tcp_stream *s, unsigned ms);
int netsock_tcp_stream_user_timeout(const struct netsock_tcp_stream *s, unsigned *ret_ms);
int netsock_tcp_stream_set_congestion(struct netsock_tcp_stream *s, const char *name);
ssize_t netsock_tcp_stream_congestion(const struct netsock_tcp_stream *s, char *buf, size_t size);
int netsock_tcp_stream_set_cork(struct netsock_tcp_stream *s, bool on);
int netsock_tcp_stream_cork(const struct netsock_tcp_stream *s, bool *ret);
int netsock_tcp_stream_set_quickack(struct netsock_tcp_stream *s, bool on);
int netsock_tcp_stream_quickack(const struct netsock_tcp_stream *s, bool *ret);
int netsock_tcp_stream_set_notsent_lowat(struct netsock_tcp_stream *s, unsigned bytes);
int netsock_tcp_stream_notsent_lowat(const struct netsock_tcp_stream *s, unsigned *ret);
int netsock_tcp_stream_set_max_segment(struct netsock_tcp_stream *s, unsigned bytes);
int netsock_tcp_stream_max_segment(const struct netsock_tcp_stream *s, unsigned *ret);
int netsock_tcp_stream_set_mark(struct netsock_tcp_stream *s, uint32_t mark);
int netsock_tcp_stream_mark(const struct netsock_tcp_stream *s, uint32_t *ret);
int netsock_tcp_stream_set_priority(struct netsock_tcp_stream *s, int priority);
int netsock_tcp_stream_priority(const struct netsock_tcp_stream *s, int *ret);
int netsock_tcp_stream_set_incoming_cpu(struct netsock_tcp_stream *s, int cpu);
int netsock_tcp_stream_incoming_cpu(const struct netsock_tcp_stream *s, int *ret);

/* Connection statistics from TCP_INFO, in a layout of the library's own
 * that does not depend on the kernel headers (netsock_tcp_stream_info(3)).
 * A field the running kernel does not report is 0. */
struct netsock_tcp_info {
        unsigned state;                          /* the kernel's TCP state number (1 = ESTABLISHED ...) */
        uint32_t rtt_us, rttvar_us, min_rtt_us, rto_us;
        uint32_t snd_mss, rcv_mss, snd_cwnd, snd_ssthresh, pmtu;
        uint32_t unacked, lost, retrans, total_retrans, notsent_bytes;
        uint64_t bytes_sent, bytes_acked, bytes_received, bytes_retrans;
        uint64_t delivery_rate;                  /* bytes per second */
        uint32_t reserved[8];                    /* 0; room to grow without an ABI break */
};
int netsock_tcp_stream_info(const struct netsock_tcp_stream *s, struct netsock_tcp_info *ret);

void netsock_tcp_stream_close(struct netsock_tcp_stream *h);
int  netsock_tcp_stream_fd(const struct netsock_tcp_stream *h);
int  netsock_tcp_stream_into_fd(struct netsock_tcp_stream *h);
int  netsock_tcp_stream_from_fd(int fd, struct netsock_tcp_stream **ret);
int  netsock_tcp_stream_set_nonblocking(struct netsock_tcp_stream *h, bool on);
int  netsock_tcp_stream_is_nonblocking(const struct netsock_tcp_stream *h, bool *ret);
int  netsock_tcp_stream_try_clone(const struct netsock_tcp_stream *h, struct netsock_tcp_stream **ret);
int  netsock_tcp_stream_take_error(struct netsock_tcp_stream *h, int *ret_err);
int  netsock_tcp_stream_local_addr(const struct netsock_tcp_stream *h, struct netsock_addr *ret);
int  netsock_tcp_stream_peer_addr(const struct netsock_tcp_stream *h, struct netsock_addr *ret);
int  netsock_tcp_stream_shutdown(struct netsock_tcp_stream *h, int how);
int  netsock_tcp_stream_set_read_timeout(struct netsock_tcp_stream *h, unsigned ms);
int  netsock_tcp_stream_read_timeout(const struct netsock_tcp_stream *h, unsigned *ret_ms);
int  netsock_tcp_stream_set_write_timeout(struct netsock_tcp_stream *h, unsigned ms);
int  netsock_tcp_stream_write_timeout(const struct netsock_tcp_stream *h, unsigned *ret_ms);

NETSOCK_END_DECLS

#endif
