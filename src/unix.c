/* SPDX-License-Identifier: MIT */
/*
 * Unix-domain connect, pair, listen and accept, shared by unix_stream
 * (SOCK_STREAM) and seqpacket (SOCK_SEQPACKET): the socket type is the only
 * difference between them here.
 */
#include "internal.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define LISTENER_FLAGS (NETSOCK_NONBLOCK | NETSOCK_REMOVE_ON_CLOSE | NETSOCK_REPLACE_STALE)

/* A named Unix address (path or abstract); unnamed ones cannot be bound
 * or connected to. */
static int check_unix(const struct netsock_addr *a) {
        int r = ns_addr_check(a);

        if (r == -EINVAL || a->len == 0)
                return -EINVAL;
        if (a->storage.ss_family != AF_UNIX)
                return -EAFNOSUPPORT;
        if (r < 0 || a->len <= offsetof(struct sockaddr_un, sun_path))
                return -EINVAL;
        return 0;
}

static bool is_path(const struct netsock_addr *a) {
        return netsock_addr_unix_kind(a) == NETSOCK_UNIX_PATH;
}

static const char *path_of(const struct netsock_addr *a) {
        return ((const struct sockaddr_un *) &a->storage)->sun_path;
}

int ns_unix_connect(const struct netsock_addr *from, const struct netsock_addr *to, int type, int flags, struct ns_sock **ret) {
        return ns_unix_connect_timeout(from, to, type, flags, 0, ret);
}

/* A blocking AF_UNIX connect to a listener whose backlog is full sleeps
 * until a slot frees; with SO_SNDTIMEO on the connecting socket it gives up
 * after that long with EAGAIN (Linux: unix_stream_connect waits
 * sock_sndtimeo()).  A nonblocking one fails with EAGAIN at once and there
 * is nothing poll could wait for, so connect_timeout always connects
 * blocking with a send timeout, and only then clears the timeout and makes
 * the socket nonblocking if it was asked to be. */
static int connect_within(int fd, const struct sockaddr *to, socklen_t to_len, unsigned timeout_ms) {
        long long deadline = 0;
        struct timespec now;
        int r;

        if (timeout_ms) {
                clock_gettime(CLOCK_MONOTONIC, &now);
                deadline = (long long) now.tv_sec * 1000 + now.tv_nsec / 1000000 + timeout_ms;
                r = ns_fd_set_timeout(fd, SO_SNDTIMEO, timeout_ms);
                if (r < 0)
                        return r;
        }
        /* A Unix connect interrupted by a signal leaves the socket
         * unconnected, so trying again is safe (with what is left of the
         * time).  A nonblocking connect to a listener with a full backlog
         * fails with EAGAIN (Linux), not EINPROGRESS. */
        while (connect(fd, to, to_len) < 0) {
                long long left;

                if (errno != EINTR)
                        return timeout_ms && errno == EAGAIN ? -ETIMEDOUT : -errno;
                if (!timeout_ms)
                        continue;
                clock_gettime(CLOCK_MONOTONIC, &now);
                left = deadline - ((long long) now.tv_sec * 1000 + now.tv_nsec / 1000000);
                if (left <= 0)
                        return -ETIMEDOUT;
                r = ns_fd_set_timeout(fd, SO_SNDTIMEO, (unsigned) left);
                if (r < 0)
                        return r;
        }
        return timeout_ms ? ns_fd_set_timeout(fd, SO_SNDTIMEO, 0) : 0;
}

int ns_unix_connect_timeout(const struct netsock_addr *from, const struct netsock_addr *to, int type, int flags,
                            unsigned timeout_ms, struct ns_sock **ret) {
        struct stat st;
        bool bound = false;
        int fd, r;

        r = ns_check_flags(flags, NETSOCK_NONBLOCK);
        if (r < 0)
                return r;
        r = check_unix(to);
        if (r < 0)
                return r;
        if (from && (r = check_unix(from)) < 0)
                return r;
        fd = socket(AF_UNIX, type | ns_sock_flags(timeout_ms ? 0 : flags), 0);
        if (fd < 0)
                return -errno;
        if (from) {
                if (bind(fd, (const struct sockaddr *) &from->storage, from->len) < 0)
                        goto fail;
                /* The socket file bind made is ours to remove if the
                 * connect fails: remember which file it is. */
                if (is_path(from) && lstat(path_of(from), &st) == 0)
                        bound = true;
        }
        r = connect_within(fd, (const struct sockaddr *) &to->storage, to->len, timeout_ms);
        if (r == 0 && timeout_ms && (flags & NETSOCK_NONBLOCK))
                r = ns_fd_set_nonblocking(fd, true);
        if (r < 0)
                goto out;
        r = ns_sock_adopt(fd, ret);
        if (r < 0 && bound)
                ns_unlink_if_same(path_of(from), st.st_dev, st.st_ino);
        return r;
fail:
        r = -errno;
out:
        if (bound)
                ns_unlink_if_same(path_of(from), st.st_dev, st.st_ino);
        ns_close_fd(fd);
        return r;
}

/* Connect by name, the common call (issue 12): a path goes straight into
 * a sockaddr_un on the stack, with no netsock_addr to clear, copy and
 * check again (it is well-formed by construction), and one strlen.  An
 * abstract name takes the general way.  The errors, and their order, are
 * those of ns_addr_unix_name then ns_unix_connect. */
int ns_unix_connect_name(const char *name, int type, int flags, struct ns_sock **ret) {
        struct netsock_addr a;
        struct sockaddr_un sa;
        size_t n;
        int fd, r;

        if (!name || !*name)
                return -EINVAL;
        if (name[0] == '@') {
                r = ns_addr_unix_name(&a, name);
                if (r < 0)
                        return r;
                return ret ? ns_unix_connect(NULL, &a, type, flags, ret) : -EINVAL;
        }
        n = strlen(name);
        if (n > sizeof(sa.sun_path) - 1)
                return -ENAMETOOLONG;
        if (!ret)
                return -EINVAL;
        r = ns_check_flags(flags, NETSOCK_NONBLOCK);
        if (r < 0)
                return r;
        /* Only the bytes the kernel reads: the family, the path, its NUL. */
        sa.sun_family = AF_UNIX;
        memcpy(sa.sun_path, name, n + 1);
        fd = socket(AF_UNIX, type | ns_sock_flags(flags), 0);
        if (fd < 0)
                return -errno;
        r = connect_within(fd, (const struct sockaddr *) &sa, (socklen_t) (offsetof(struct sockaddr_un, sun_path) + n + 1), 0);
        if (r < 0) {
                ns_close_fd(fd);
                return r;
        }
        return ns_sock_adopt(fd, ret);
}

int ns_unix_pair(int type, int flags, struct ns_sock **ret_a, struct ns_sock **ret_b) {
        struct ns_sock *a, *b;
        int fds[2], r;

        if (!ret_a || !ret_b)
                return -EINVAL;
        r = ns_check_flags(flags, NETSOCK_NONBLOCK);
        if (r < 0)
                return r;
        if (socketpair(AF_UNIX, type | ns_sock_flags(flags), 0, fds) < 0)
                return -errno;
        r = ns_sock_adopt(fds[0], &a);
        if (r < 0) {
                ns_close_fd(fds[1]);
                return r;
        }
        r = ns_sock_adopt(fds[1], &b);
        if (r < 0) {
                ns_sock_close(a);
                return r;
        }
        *ret_a = a;
        *ret_b = b;
        return 0;
}

/* NETSOCK_REPLACE_STALE: a socket file nobody listens on is left behind
 * when a server dies without unlinking.  Probe it with a nonblocking
 * connect: ECONNREFUSED means nobody listens and the file may go; any other
 * answer (connected, EAGAIN for a full backlog, EPROTOTYPE for a listener
 * of another type) means it is alive.  The file is removed only if it is
 * still the same socket file that was probed. */
static int remove_if_stale(const struct netsock_addr *addr, int type) {
        const char *path = path_of(addr);
        struct stat before, now;
        int fd, r;

        if (lstat(path, &before) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (!S_ISSOCK(before.st_mode))
                return -EADDRINUSE;
        fd = socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        r = connect(fd, (const struct sockaddr *) &addr->storage, addr->len) < 0 ? errno : 0;
        ns_close_fd(fd);
        if (r != ECONNREFUSED)
                return -EADDRINUSE;
        if (lstat(path, &now) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (now.st_dev != before.st_dev || now.st_ino != before.st_ino)
                return -EADDRINUSE;
        if (unlink(path) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

/* NETSOCK_REPLACE_STALE serialises binders of one path with an flock on
 * "<path>.lock": without it two servers starting at once could each see
 * the other's socket as stale (between bind and listen it refuses
 * connections) and remove it, and both would "listen". */
static int lock_path(char *buf, size_t size, const char *path) {
        int n = snprintf(buf, size, "%s.lock", path);

        return n < 0 || (size_t) n >= size ? -ENAMETOOLONG : 0;
}

static int take_lock(const char *path, int *ret_fd) {
        char lp[PATH_MAX];
        struct stat locked, named;
        int fd, r = lock_path(lp, sizeof(lp), path);

        if (r < 0)
                return r;
        for (;;) {
                fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
                if (fd < 0)
                        return -errno;
                if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                        r = errno == EWOULDBLOCK ? -EADDRINUSE : -errno;
                        ns_close_fd(fd);
                        return r;
                }
                /* The previous holder removes the lock file on close
                 * (REMOVE_ON_CLOSE) before it lets go of the lock, so the
                 * file we locked may no longer be the one at lp: a lock
                 * nobody else will look at.  Only a lock on the file that
                 * is still there counts. */
                if (fstat(fd, &locked) < 0) {
                        r = -errno;
                        ns_close_fd(fd);
                        return r;
                }
                if (stat(lp, &named) == 0 && named.st_dev == locked.st_dev && named.st_ino == locked.st_ino) {
                        *ret_fd = fd;
                        return 0;
                }
                ns_close_fd(fd);
        }
}

void ns_unlink_lock_file(const char *path, int lock_fd) {
        char lp[PATH_MAX];
        struct stat locked, named;

        if (lock_path(lp, sizeof(lp), path) < 0 || fstat(lock_fd, &locked) < 0)
                return;
        if (lstat(lp, &named) == 0 && named.st_dev == locked.st_dev && named.st_ino == locked.st_ino)
                (void) unlink(lp);
}

static int bind_listen(int fd, const struct netsock_addr *addr) {
        if (bind(fd, (const struct sockaddr *) &addr->storage, addr->len) < 0)
                return -errno;
        return 0;
}

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452  /* Linux 6.6, the same number on every architecture */
#endif

/* bind_mode: the socket file bind created (st) gets exactly mode.  Before
 * bind the socket inode was fchmod'ed to mode, and Linux creates the file
 * with that inode's mode minus the umask, so the file was never wider than
 * mode; this widens it to exactly mode without ever touching the umask,
 * which is per process and shared by every thread.  The chmod goes through
 * an O_PATH fd of the file checked to be ours, so a symlink or a file
 * swapped in at path is never what gets changed. */
static int chmod_bound(const char *path, const struct stat *st, mode_t mode) {
        char proc[64];
        struct stat now;
        int fd, r = 0;

        fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &now) < 0)
                r = -errno;
        else if (now.st_dev != st->st_dev || now.st_ino != st->st_ino)
                r = -EADDRINUSE;
        else if (syscall(SYS_fchmodat2, fd, "", mode, AT_EMPTY_PATH) < 0) {
                r = -errno;
                /* Before 6.6 (or a seccomp filter that does not know the
                 * call): the same, through the fd's /proc link. */
                if (r == -ENOSYS || r == -EPERM) {
                        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
                        r = chmod(proc, mode) < 0 ? -errno : 0;
                }
        }
        ns_close_fd(fd);
        return r;
}

int ns_unix_listen(const struct netsock_addr *addr, int type, int flags, struct ns_sock **ret) {
        if (!addr)
                return -EINVAL;   /* NULL means autobind only to ns_unix_listen_mode */
        return ns_unix_listen_mode(addr, type, flags, -1, ret);
}

/* Every Unix listener is made here: bind (addr), bind_mode (mode >= 0,
 * a path only) and bind_auto (addr NULL: an address of just the family
 * makes the kernel pick an abstract name, "@" + 5 hex digits). */
int ns_unix_listen_mode(const struct netsock_addr *addr, int type, int flags, int mode, struct ns_sock **ret) {
        static const sa_family_t autobind = AF_UNIX;
        struct ns_sock *sk = NULL;
        struct stat st;
        bool path, bound = false;
        int fd, lock_fd = -1, r;

        r = ns_check_flags(flags, addr ? LISTENER_FLAGS : NETSOCK_NONBLOCK);
        if (r < 0)
                return r;
        if (addr) {
                r = check_unix(addr);
                if (r < 0)
                        return r;
        }
        path = addr && is_path(addr);
        if (mode >= 0 && (!path || mode > 07777))
                return -EINVAL;
        if (path && (flags & NETSOCK_REPLACE_STALE)) {
                r = take_lock(path_of(addr), &lock_fd);
                if (r < 0)
                        return r;
        }
        fd = socket(AF_UNIX, type | ns_sock_flags(flags), 0);
        if (fd < 0) {
                r = -errno;
                goto fail;
        }
        if (mode >= 0 && fchmod(fd, (mode_t) mode) < 0) {
                r = -errno;
                goto fail;
        }
        if (!addr)
                r = bind(fd, (const struct sockaddr *) &autobind, sizeof(autobind)) < 0 ? -errno : 0;
        else
                r = bind_listen(fd, addr);
        if (r == -EADDRINUSE && path && (flags & NETSOCK_REPLACE_STALE)) {
                r = remove_if_stale(addr, type);
                if (r == 0)
                        r = bind_listen(fd, addr);
        }
        if (r < 0)
                goto fail;
        /* From here on the socket file is ours: remember which file it is,
         * to remove it on failure and (REMOVE_ON_CLOSE) on close. */
        if (path) {
                if (lstat(path_of(addr), &st) < 0) {
                        r = -errno;
                        goto fail;
                }
                bound = true;
        }
        if (mode >= 0) {
                r = chmod_bound(path_of(addr), &st, (mode_t) mode);
                if (r < 0)
                        goto fail;
        }
        if (listen(fd, SOMAXCONN) < 0) {
                r = -errno;
                goto fail;
        }
        r = ns_sock_new(fd, &sk);
        if (r < 0)
                goto fail;
        if (path && (flags & NETSOCK_REMOVE_ON_CLOSE)) {
                sk->owner = getpid();
                sk->unlink_path = strdup(path_of(addr));
                if (!sk->unlink_path) {
                        r = -ENOMEM;
                        goto fail;
                }
                sk->dev = st.st_dev;
                sk->ino = st.st_ino;
        }
        sk->lock_fd = lock_fd;
        *ret = sk;
        return 0;

fail:
        if (bound)
                ns_unlink_if_same(path_of(addr), st.st_dev, st.st_ino);
        if (lock_fd >= 0) {
                /* Whether we made the lock file or a stale server left it,
                 * nobody holds it but us: it goes, then the lock. */
                ns_unlink_lock_file(path_of(addr), lock_fd);
                ns_close_fd(lock_fd);
        }
        free(sk);
        ns_close_fd(fd);
        return r;
}
