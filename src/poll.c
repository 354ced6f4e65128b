/* SPDX-License-Identifier: MIT */
/*
 * Readiness polling (mio Poll): epoll underneath, a 64-bit token per
 * registration instead of the fd, level (default), edge and oneshot modes,
 * and a wake-up that any thread can send through an eventfd registered
 * under the reserved token NETSOCK_WAKE_TOKEN.
 */
#include "internal.h"

#include <limits.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define INTEREST_BITS (NETSOCK_READABLE | NETSOCK_WRITABLE | NETSOCK_PRIORITY)
#define OPT_BITS (NETSOCK_EDGE | NETSOCK_ONESHOT)
/* Events fetched per epoll_wait; a caller with a larger array simply gets
 * the rest on its next wait. */
#define WAIT_BATCH 256

struct netsock_poll {
        int epfd;
        int wakefd;
};

NS_EXPORT int netsock_poll_new(struct netsock_poll **ret) {
        struct epoll_event ev;
        struct netsock_poll *p;
        int r;

        if (!ret)
                return -EINVAL;
        p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        p->wakefd = -1;
        p->epfd = epoll_create1(EPOLL_CLOEXEC);
        if (p->epfd < 0)
                goto fail_errno;
        p->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (p->wakefd < 0)
                goto fail_errno;
        /* Level-triggered: wait drains the counter when it reports it. */
        ev.events = EPOLLIN;
        ev.data.u64 = NETSOCK_WAKE_TOKEN;
        if (epoll_ctl(p->epfd, EPOLL_CTL_ADD, p->wakefd, &ev) < 0)
                goto fail_errno;
        *ret = p;
        return 0;

fail_errno:
        r = -errno;
        netsock_poll_close(p);
        return r;
}

NS_EXPORT void netsock_poll_close(struct netsock_poll *p) {
        if (!p)
                return;
        if (p->wakefd >= 0)
                ns_close_fd(p->wakefd);
        if (p->epfd >= 0)
                ns_close_fd(p->epfd);
        free(p);
}

NS_EXPORT int netsock_poll_fd(const struct netsock_poll *p) {
        return p ? p->epfd : -EINVAL;
}

static int ctl(struct netsock_poll *p, int op, int fd, uint64_t token, unsigned interest, unsigned opts) {
        struct epoll_event ev;

        if (!p)
                return -EINVAL;
        if (fd < 0)
                return -EBADF;
        if (token == NETSOCK_WAKE_TOKEN || interest == 0 || (interest & ~INTEREST_BITS) || (opts & ~OPT_BITS))
                return -EINVAL;
        /* The wake-up eventfd is ours; nobody may touch its registration. */
        if (fd == p->wakefd)
                return op == EPOLL_CTL_ADD ? -EEXIST : -EINVAL;
        ev.events = 0;
        if (interest & NETSOCK_READABLE)
                ev.events |= EPOLLIN | EPOLLRDHUP;
        if (interest & NETSOCK_WRITABLE)
                ev.events |= EPOLLOUT;
        if (interest & NETSOCK_PRIORITY)
                ev.events |= EPOLLPRI;
        if (opts & NETSOCK_EDGE)
                ev.events |= EPOLLET;
        if (opts & NETSOCK_ONESHOT)
                ev.events |= EPOLLONESHOT;
        ev.data.u64 = token;
        return epoll_ctl(p->epfd, op, fd, &ev) < 0 ? -errno : 0;
}

NS_EXPORT int netsock_poll_register(struct netsock_poll *p, int fd, uint64_t token, unsigned interest, unsigned opts) {
        return ctl(p, EPOLL_CTL_ADD, fd, token, interest, opts);
}

NS_EXPORT int netsock_poll_reregister(struct netsock_poll *p, int fd, uint64_t token, unsigned interest, unsigned opts) {
        return ctl(p, EPOLL_CTL_MOD, fd, token, interest, opts);
}

NS_EXPORT int netsock_poll_deregister(struct netsock_poll *p, int fd) {
        if (!p)
                return -EINVAL;
        if (fd < 0)
                return -EBADF;
        if (fd == p->wakefd)
                return -ENOENT;
        return epoll_ctl(p->epfd, EPOLL_CTL_DEL, fd, NULL) < 0 ? -errno : 0;
}

static unsigned ready_bits(uint32_t e) {
        unsigned r = 0;

        if (e & EPOLLIN)
                r |= NETSOCK_READABLE;
        if (e & EPOLLOUT)
                r |= NETSOCK_WRITABLE;
        if (e & EPOLLPRI)
                r |= NETSOCK_PRIORITY;
        if (e & EPOLLERR)
                r |= NETSOCK_ERROR;
        if (e & EPOLLHUP)
                r |= NETSOCK_HUP | NETSOCK_READ_HUP;  /* both halves are closed */
        if (e & EPOLLRDHUP)
                r |= NETSOCK_READ_HUP;
        return r;
}

static long long now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

NS_EXPORT int netsock_poll_wait(struct netsock_poll *p, struct netsock_event *events, size_t max, int timeout_ms) {
        struct epoll_event evs[WAIT_BATCH];
        long long deadline = 0;
        int n, i, left = timeout_ms;

        if (!p || !events || max == 0 || timeout_ms < -1)
                return -EINVAL;
        if (max > WAIT_BATCH)
                max = WAIT_BATCH;
        if (timeout_ms > 0)
                deadline = now_ms() + timeout_ms;
        for (;;) {
                n = epoll_wait(p->epfd, evs, (int) max, left);
                if (n >= 0)
                        break;
                if (errno != EINTR)
                        return -errno;
                /* Interrupted: wait again for what is left of the time. */
                if (timeout_ms > 0) {
                        long long d = deadline - now_ms();

                        left = d < 0 ? 0 : (int) d;
                }
        }
        for (i = 0; i < n; i++) {
                events[i].token = evs[i].data.u64;
                events[i].ready = ready_bits(evs[i].events);
                if (evs[i].data.u64 == NETSOCK_WAKE_TOKEN) {
                        uint64_t v;

                        /* Reset the counter so the wake-up is reported once. */
                        (void) !read(p->wakefd, &v, sizeof(v));
                }
        }
        return n;
}

NS_EXPORT int netsock_poll_wake(struct netsock_poll *p) {
        uint64_t one = 1;

        if (!p)
                return -EINVAL;
        if (write(p->wakefd, &one, sizeof(one)) < 0 && errno != EAGAIN)
                return -errno;  /* EAGAIN: the counter is full, a wake-up is pending anyway */
        return 0;
}
