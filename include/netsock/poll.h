/* SPDX-License-Identifier: MIT */
/*
 * Readiness polling (mio's Poll): epoll underneath, tokens instead of fds,
 * level, edge and oneshot registration, and a wake-up from any thread.
 * See netsock_poll_new(3).
 */
#ifndef NETSOCK_POLL_H
#define NETSOCK_POLL_H

#include <netsock/common.h>

NETSOCK_BEGIN_DECLS

struct netsock_poll;

struct netsock_event {
        uint64_t token;
        unsigned ready;
};

/* Interest and readiness bits. */
#define NETSOCK_READABLE 0x01u
#define NETSOCK_WRITABLE 0x02u
#define NETSOCK_PRIORITY 0x04u
/* Readiness only. */
#define NETSOCK_ERROR    0x08u
#define NETSOCK_HUP      0x10u
#define NETSOCK_READ_HUP 0x20u

/* Registration options. */
#define NETSOCK_LEVEL    0x0u
#define NETSOCK_EDGE     0x1u
#define NETSOCK_ONESHOT  0x2u

/* The token of the event netsock_poll_wake() produces; reserved. */
#define NETSOCK_WAKE_TOKEN UINT64_MAX

int  netsock_poll_new(struct netsock_poll **ret);
void netsock_poll_close(struct netsock_poll *p);
int  netsock_poll_fd(const struct netsock_poll *p);
int  netsock_poll_register(struct netsock_poll *p, int fd, uint64_t token, unsigned interest, unsigned opts);
int  netsock_poll_reregister(struct netsock_poll *p, int fd, uint64_t token, unsigned interest, unsigned opts);
int  netsock_poll_deregister(struct netsock_poll *p, int fd);
int  netsock_poll_wait(struct netsock_poll *p, struct netsock_event *events, size_t max, int timeout_ms);
int  netsock_poll_wake(struct netsock_poll *p);

NETSOCK_END_DECLS

#endif
