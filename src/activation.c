/* SPDX-License-Identifier: MIT */
/*
 * Socket activation: systemd's sd_listen_fds protocol, without libsystemd.
 *
 * A service manager opens the sockets, forks, moves them to fds 3, 4, ...
 * and sets in the child's environment
 *   LISTEN_PID      the pid the fds are meant for (a forked child of the
 *                   service that inherits the environment is not it),
 *   LISTEN_PIDFDID  (systemd >= 256) the inode number of a pidfd of that
 *                   process, which stays right even if the pid is reused,
 *   LISTEN_FDS      how many fds,
 *   LISTEN_FDNAMES  their names, separated by ':' (optional).
 *
 * Everything is read and checked before anything is changed: a malformed
 * environment or a passed fd that is not open changes no fd and writes no
 * output.  The environment is unset last, after the names have been copied
 * out of it: getenv() points into the environment block, and unsetenv()
 * may overwrite what it pointed to.
 *
 * getenv/unsetenv are not thread-safe; like sd_listen_fds() this is meant
 * to be called early in main(), before threads are started.
 */
#include "internal.h"

#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434  /* the same number on every architecture */
#endif
/* Pidfds are inodes of their own file system, pidfs, from Linux 6.9; before,
 * every pidfd was the one anonymous inode and its number names no process. */
#ifndef PIDFS_MAGIC
#define PIDFS_MAGIC 0x50494446
#endif

static const char *const listen_env[] = { "LISTEN_PID", "LISTEN_PIDFDID", "LISTEN_FDS", "LISTEN_FDNAMES" };

/* A decimal number of at most max: one or more digits and nothing else (no
 * sign, no space, no base prefix: strtoul would let all of those through). */
static int parse_decimal(const char *s, uint64_t max, uint64_t *ret) {
        uint64_t v = 0;

        if (!*s)
                return -EINVAL;
        for (; *s; s++) {
                unsigned d;

                if (*s < '0' || *s > '9')
                        return -EINVAL;
                d = (unsigned) (*s - '0');
                if (v > (max - d) / 10)
                        return -EINVAL;
                v = v * 10 + d;
        }
        *ret = v;
        return 0;
}

/* The inode number of a pidfd of this process; -EOPNOTSUPP when the kernel
 * has no pidfds, or no pidfs to give them distinct inode numbers. */
static int own_pidfd_inode(uint64_t *ret) {
        struct statfs sfs;
        struct stat st;
        int fd, r = 0;

        fd = (int) syscall(SYS_pidfd_open, getpid(), 0);
        if (fd < 0) {
                /* ENOSYS before 5.3 (or a seccomp filter); EPERM, EACCES from
                 * sandboxes that forbid the call: systemd ignores the check then. */
                if (errno == ENOSYS || errno == EPERM || errno == EACCES)
                        return -EOPNOTSUPP;
                return -errno;
        }
        if (fstatfs(fd, &sfs) < 0 || fstat(fd, &st) < 0)
                r = -errno;
        else if (sfs.f_type != PIDFS_MAGIC)
                r = -EOPNOTSUPP;
        else
                *ret = (uint64_t) st.st_ino;
        ns_close_fd(fd);
        return r;
}

/* 1 when the environment addresses this process, 0 when not, or -errno. */
static int for_this_process(void) {
        const char *e = getenv("LISTEN_PID");
        uint64_t pid, id, own;
        int r;

        if (!e)
                return 0;
        if (parse_decimal(e, INT_MAX, &pid) < 0 || pid == 0)
                return -EINVAL;
        if ((pid_t) pid != getpid())
                return 0;
        e = getenv("LISTEN_PIDFDID");
        if (!e)
                return 1;
        if (parse_decimal(e, UINT64_MAX, &id) < 0)
                return -EINVAL;
        r = own_pidfd_inode(&own);
        if (r == -EOPNOTSUPP)
                return 1;
        if (r < 0)
                return r;
        return id == own;
}

/* How many ':'-separated names s holds; "" holds none.  -EINVAL if one is
 * longer than fits in struct netsock_listen_fd (names are never cut). */
static int count_names(const char *s, uint64_t *ret) {
        uint64_t n = 0;

        if (*s) {
                for (;;) {
                        size_t len = strcspn(s, ":");

                        if (len >= sizeof(((struct netsock_listen_fd *) 0)->name))
                                return -EINVAL;
                        n++;
                        if (!s[len])
                                break;
                        s += len + 1;
                }
        }
        *ret = n;
        return 0;
}

static int listen_fds(struct netsock_listen_fd *ret, size_t max) {
        const char *e, *names;
        uint64_t n = 0, nnames;
        int r, i, first = NETSOCK_LISTEN_FDS_START, last;

        r = for_this_process();
        if (r <= 0)
                return r;
        e = getenv("LISTEN_FDS");
        /* The last fd, first + n - 1, must be an int. */
        if (e && parse_decimal(e, (uint64_t) INT_MAX - (uint64_t) first + 1, &n) < 0)
                return -EINVAL;
        names = getenv("LISTEN_FDNAMES");
        if (names) {
                r = count_names(names, &nnames);
                if (r < 0)
                        return r;
                if (nnames != n)
                        return -EINVAL;
        }
        if (n == 0)
                return 0;
        last = first + (int) (n - 1);
        /* All must be open before any is touched.  The last one first: a
         * huge LISTEN_FDS then fails at once instead of walking the table. */
        if (fcntl(last, F_GETFD) < 0)
                return -EBADF;
        for (i = first; i < last; i++)
                if (fcntl(i, F_GETFD) < 0)
                        return -EBADF;
        /* Close-on-exec for all of them, also those beyond max: none of
         * them is meant for the programs this process runs. */
        for (i = first; i <= last; i++) {
                int fl = fcntl(i, F_GETFD);

                if (fl < 0)
                        return -errno;
                if (!(fl & FD_CLOEXEC) && fcntl(i, F_SETFD, fl | FD_CLOEXEC) < 0)
                        return -errno;
        }
        for (i = 0; (size_t) i < max && (uint64_t) i < n; i++) {
                size_t len = names ? strcspn(names, ":") : strlen("unknown");

                ret[i].fd = first + i;
                memcpy(ret[i].name, names ? names : "unknown", len);
                ret[i].name[len] = '\0';
                if (names)
                        names += len + (names[len] == ':');
        }
        return (int) n;
}

NS_EXPORT int netsock_listen_fds(unsigned flags, struct netsock_listen_fd *ret, size_t max) {
        size_t i;
        int r;

        /* Argument errors are found before the environment is looked at,
         * and change nothing, the environment included. */
        if (flags & ~NETSOCK_LISTEN_UNSET_ENV)
                return -EINVAL;
        if (!ret && max > 0)
                return -EINVAL;
        r = listen_fds(ret, max);
        if (flags & NETSOCK_LISTEN_UNSET_ENV)
                for (i = 0; i < sizeof(listen_env) / sizeof(listen_env[0]); i++)
                        (void) unsetenv(listen_env[i]);
        return r;
}
