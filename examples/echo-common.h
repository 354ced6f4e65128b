/* SPDX-License-Identifier: MIT */
/*
 * What the echo example's server and load generator share: failing loudly,
 * room for a few hundred fds, and the send queue's limit.
 */
#ifndef ECHO_COMMON_H
#define ECHO_COMMON_H

#include <netsock.h>

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

/* The library's default limit of send_queued (4 MiB). */
#define ECHO_QUEUE_LIMIT ((size_t) 4 * 1024 * 1024)

static void echo_die(const char *prog, const char *what, int r) {
        fprintf(stderr, "%s: %s: %s (%s)\n", prog, what, netsock_strerror(r), netsock_errname(r));
        exit(1);
}

/* Each side holds one fd per connection: make sure `want` fit. */
static void echo_raise_nofile(rlim_t want) {
        struct rlimit rl;

        if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= want)
                return;
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
        (void) setrlimit(RLIMIT_NOFILE, &rl);
}

#endif
