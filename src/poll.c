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
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define INTEREST_BITS (NETSOCK_READABLE | NETSOCK_WRITABLE | NETSOCK_PRIORITY)
#define OPT_BITS (NETSOCK_EDGE | NETSOCK_ONESHOT)
/* The most events one epoll_wait takes (the kernel's EP_MAX_EVENTS). */
#define MAX_EVENTS ((size_t) INT_MAX / sizeof(struct epoll_event))

/* Interest and readiness are translated by table lookups, not a branch per
 * bit (issue 12: register and the per-event cost of wait).  The tables are
 * built by the macros from the bit meanings, so they cannot drift. */
_Static_assert(INTEREST_BITS == 7 && OPT_BITS == 3, "the tables below index by these bits");
#define NS_EPOLL_INTEREST(i) \
        ((((i) & NETSOCK_READABLE) ? EPOLLIN | EPOLLRDHUP : 0u) | (((i) & NETSOCK_WRITABLE) ? EPOLLOUT : 0u) | \
         (((i) & NETSOCK_PRIORITY) ? EPOLLPRI : 0u))
static const uint32_t interest_events[8] = {
        NS_EPOLL_INTEREST(0), NS_EPOLL_INTEREST(1), NS_EPOLL_INTEREST(2), NS_EPOLL_INTEREST(3),
        NS_EPOLL_INTEREST(4), NS_EPOLL_INTEREST(5), NS_EPOLL_INTEREST(6), NS_EPOLL_INTEREST(7),
};
static const uint32_t opt_events[4] = { 0, EPOLLET, EPOLLONESHOT, EPOLLET | EPOLLONESHOT };
/* Both at once, for register: events_by[opts * 8 + interest], one load
 * (an index computed in 32 bits needs no zero extension). */
#define NS_EPOLL_EVENTS(o, i) (NS_EPOLL_INTEREST(i) | ((o) & NETSOCK_EDGE ? EPOLLET : 0u) | \
                               ((o) & NETSOCK_ONESHOT ? EPOLLONESHOT : 0u))
#define NS_EPOLL_EVENTS8(o) NS_EPOLL_EVENTS(o, 0), NS_EPOLL_EVENTS(o, 1), NS_EPOLL_EVENTS(o, 2), NS_EPOLL_EVENTS(o, 3), \
                            NS_EPOLL_EVENTS(o, 4), NS_EPOLL_EVENTS(o, 5), NS_EPOLL_EVENTS(o, 6), NS_EPOLL_EVENTS(o, 7)
static const uint32_t events_by[4 * 8] = {
        NS_EPOLL_EVENTS8(0), NS_EPOLL_EVENTS8(1), NS_EPOLL_EVENTS8(2), NS_EPOLL_EVENTS8(3),
};

/* Readiness: epoll reports only what was asked (EPOLLIN, EPOLLRDHUP,
 * EPOLLOUT, EPOLLPRI) plus EPOLLERR and EPOLLHUP, that is bits 0-4 and 13.
 * A table indexed by those bits in place (e & 0x201f) gives the NETSOCK_*
 * bits in two instructions, which is most of the per-event budget of wait:
 * it is 8 KiB of read-only data, but only its first 32 bytes and the 32 at
 * 0x2000 are ever read (two cache lines), and the rest is zero. */
_Static_assert(EPOLLIN == 0x1 && EPOLLPRI == 0x2 && EPOLLOUT == 0x4 && EPOLLERR == 0x8 && EPOLLHUP == 0x10 &&
               EPOLLRDHUP == 0x2000, "epoll's bit values");
#define READY_MASK 0x201fu
/* From a compact index: bits 0-4 as epoll's, bit 5 for EPOLLRDHUP. */
#define NS_READY(i)                                                                                         \
        ((((i) & 0x01) ? NETSOCK_READABLE : 0u) | (((i) & 0x04) ? NETSOCK_WRITABLE : 0u) |                 \
         (((i) & 0x02) ? NETSOCK_PRIORITY : 0u) | (((i) & 0x08) ? NETSOCK_ERROR : 0u) |                    \
         (((i) & 0x10) ? NETSOCK_HUP | NETSOCK_READ_HUP : 0u) | /* both halves are closed */              \
         (((i) & 0x20) ? NETSOCK_READ_HUP : 0u))
#define NS_READY4(i) NS_READY(i), NS_READY((i) + 1), NS_READY((i) + 2), NS_READY((i) + 3)
#define NS_READY16(i) NS_READY4(i), NS_READY4((i) + 4), NS_READY4((i) + 8), NS_READY4((i) + 12)
static const unsigned char ready_bits[READY_MASK + 1] = {
        NS_READY16(0), NS_READY16(16),                /* without EPOLLRDHUP */
        [EPOLLRDHUP] = NS_READY16(32), NS_READY16(48), /* with it */
};

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
        /* Edge-triggered: every write to an eventfd is a new edge, and one
         * that nobody has waited for yet is reported once however many
         * wake-ups came meanwhile.  So wait never has to look for the wake
         * token among the events nor read the counter (issue 12); the
         * counter only grows, and wake resets it in the 2^64 case. */
        ev.events = EPOLLIN | EPOLLET;
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

static inline __attribute__((always_inline)) int ctl(struct netsock_poll *p, int op, int fd, uint64_t token, unsigned interest,
                                                     unsigned opts) {
        struct epoll_event ev;

        if (!p)
                return -EINVAL;
        if (fd < 0)
                return -EBADF;
        /* interest - 1 wraps for 0: one compare for "none" and "unknown bits". */
        if (token == NETSOCK_WAKE_TOKEN || interest - 1 >= INTEREST_BITS || opts > OPT_BITS)
                return -EINVAL;
        /* The wake-up eventfd is ours; nobody may touch its registration. */
        if (fd == p->wakefd)
                return op == EPOLL_CTL_ADD ? -EEXIST : -EINVAL;
        ev.events = interest_events[interest] | opt_events[opts];
        ev.data.u64 = token;
        return epoll_ctl(p->epfd, op, fd, &ev) < 0 ? -errno : 0;
}

/* Register leaves the two fd errors to the kernel, which gives the same
 * ones: -EBADF for fd < 0, and -EEXIST for the wake-up eventfd, which is
 * registered already (ADD cannot change a registration).  The arguments
 * the kernel would take are checked here.  So the fast path is three
 * checks, one table load and epoll_ctl (issue 12). */
NS_EXPORT NS_HOT int netsock_poll_register(struct netsock_poll *p, int fd, uint64_t token, unsigned interest, unsigned opts) {
        struct epoll_event ev;
        int epfd, r;

        if (!p)
                return -EINVAL;
        epfd = p->epfd;
        if (token == NETSOCK_WAKE_TOKEN || interest - 1 >= INTEREST_BITS || opts > OPT_BITS)
                return -EINVAL;
        ev.events = events_by[opts * 8 + interest];
        ev.data.u64 = token;
        r = epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
        if (__builtin_expect(r < 0, 0))
                return (int) ns_neg_errno();
        return r;
}

NS_EXPORT NS_HOT int netsock_poll_reregister(struct netsock_poll *p, int fd, uint64_t token, unsigned interest, unsigned opts) {
        return ctl(p, EPOLL_CTL_MOD, fd, token, interest, opts);
}

NS_EXPORT NS_HOT int netsock_poll_deregister(struct netsock_poll *p, int fd) {
        if (!p)
                return -EINVAL;
        if (fd < 0)
                return -EBADF;
        if (fd == p->wakefd)
                return -ENOENT;
        return epoll_ctl(p->epfd, EPOLL_CTL_DEL, fd, NULL) < 0 ? -errno : 0;
}

static long long now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* epoll_wait writes straight into the caller's array, and the events are
 * converted there in place: a struct epoll_event (12 bytes, packed, on
 * x86-64; 16 elsewhere) is never larger than a struct netsock_event (16),
 * so n of them fit in the first n entries.  Converting from the last to
 * the first never overwrites an epoll_event not yet read: entry i is
 * written at [16 i, 16 i + 16), past the end (12 i) of every epoll_event
 * before it, and its own is read before it is written.  No stack array,
 * no copy (issue 12). */
_Static_assert(sizeof(struct epoll_event) <= sizeof(struct netsock_event), "epoll events must fit in place");

static inline __attribute__((always_inline)) void convert_one(struct netsock_event *e, const unsigned char *raw) {
        struct epoll_event ev;

        memcpy(&ev, raw, sizeof(ev));
        e->token = ev.data.u64;
        e->ready = ready_bits[ev.events & READY_MASK];
}

/* Four events a round, so that the loop's own instructions count a
 * quarter; the n % 4 last ones first, from the last down as the in-place
 * order requires. */
static inline __attribute__((always_inline)) void convert(struct netsock_event *events, int n) {
        const size_t sz = sizeof(struct epoll_event);
        const unsigned char *raw = (const unsigned char *) events + (size_t) n * sz;
        struct netsock_event *e = events + n;

        if (n & 1) {
                raw -= sz;
                convert_one(--e, raw);
        }
        if (n & 2) {
                raw -= 2 * sz;
                e -= 2;
                convert_one(e + 1, raw + sz);
                convert_one(e, raw);
        }
        while (e != events) {
                raw -= 4 * sz;
                e -= 4;
                convert_one(e + 3, raw + 3 * sz);
                convert_one(e + 2, raw + 2 * sz);
                convert_one(e + 1, raw + sz);
                convert_one(e, raw);
        }
}

/* A wait with a timeout, or one a signal interrupted: out of line, so that
 * the common wait (timeout 0 or -1) has nothing else to carry. */
static __attribute__((noinline)) int wait_loop(struct netsock_poll *p, struct netsock_event *events, int max, int timeout_ms) {
        long long deadline = timeout_ms > 0 ? now_ms() + timeout_ms : 0;
        int n, left = timeout_ms;

        for (;;) {
                n = epoll_wait(p->epfd, (struct epoll_event *) (void *) events, max, left);
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
        convert(events, n);
        return n;
}

/* What the retry after EINTR needs.  The common wait keeps it on the
 * stack: stored once before epoll_wait, it saves restoring registers
 * after it. */
struct wait_args {
        struct netsock_poll *p;
        struct netsock_event *events;
        int max, timeout_ms;
};

/* epoll_wait failed: EINTR waits again, anything else is the error. */
static __attribute__((cold, noinline)) int wait_retry(const struct wait_args *w) {
        return errno == EINTR ? wait_loop(w->p, w->events, w->max, w->timeout_ms) : -errno;
}

NS_EXPORT NS_HOT int netsock_poll_wait(struct netsock_poll *p, struct netsock_event *events, size_t max, int timeout_ms) {
        struct wait_args w;
        int n;

        if (!p || !events)
                return -EINVAL;
        /* max - 1 wraps for 0: one compare for 0 and for too many. */
        if (__builtin_expect(max - 1 >= MAX_EVENTS, 0)) {
                if (max == 0)
                        return -EINVAL;
                max = MAX_EVENTS;  /* the rest on the next wait */
        }
        /* timeout_ms + 1 > 1 unsigned: anything but 0 and -1, in one compare. */
        if ((unsigned) timeout_ms + 1 > 1) {
                if (timeout_ms < -1)
                        return -EINVAL;
                return wait_loop(p, events, (int) max, timeout_ms);
        }
        w = (struct wait_args) { p, events, (int) max, timeout_ms };
        n = epoll_wait(p->epfd, (struct epoll_event *) (void *) events, (int) max, timeout_ms);
        if (__builtin_expect(n < 0, 0))
                return wait_retry(&w);
        /* One event is the common answer of a busy loop: converted without
         * the loop's set-up. */
        if (n == 1)
                convert_one(w.events, (const unsigned char *) w.events);
        else
                convert(w.events, n);
        return n;
}

NS_EXPORT int netsock_poll_wake(struct netsock_poll *p) {
        uint64_t one = 1, v;

        if (!p)
                return -EINVAL;
        while (write(p->wakefd, &one, sizeof(one)) < 0) {
                if (errno != EAGAIN)
                        return -errno;
                /* The counter is full (2^64 - 2 wake-ups nobody read): a
                 * full eventfd makes no new edge, so empty it and write
                 * again. */
                (void) !read(p->wakefd, &v, sizeof(v));
        }
        return 0;
}
