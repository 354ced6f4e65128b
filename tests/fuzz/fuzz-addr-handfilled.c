/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: a hand-filled struct netsock_addr (API.md §4, 0.2).  The
 * input bytes ARE the struct (len, then the storage; zeros past the
 * input), held in a heap block of exactly its size, and go through every
 * call that takes an address.
 *
 * Every call either accepts it or says -EINVAL (-EAFNOSUPPORT for another
 * family), exactly as the §4 rules computed here say; nothing reads past
 * len or past the struct (ASan; a copy that differs past len compares
 * equal); format stays below NETSOCK_ADDRSTRLEN; and no input leaves an fd
 * or a file behind.
 *
 * The socket calls are made only where they cannot touch anything outside
 * this process: the working directory is a private mkdtemp directory and
 * a Unix path is used only when no string the library could read from the
 * storage holds a '/' (so every file it could create or remove is in that
 * directory); TCP connects go only to loopback ports this process holds
 * bound without listening (refused), TCP binds only to port 0, listeners
 * only on loopback.  Addresses the rules reject are passed to every call:
 * the check must come before any system call.
 */
#include "fuzz-common.h"

#include "internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static char workdir[4096];
static in_port_t refused_v4, refused_v6;  /* network order; 0 = none */
static int probe_fd = -1;                 /* /dev/null, to find the lowest free fd */

static void remove_workdir(void) {
        DIR *d;
        struct dirent *e;

        if (!workdir[0] || chdir(workdir) < 0)
                return;
        d = opendir(".");
        if (d) {
                while ((e = readdir(d)))
                        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
                                (void) unlink(e->d_name);
                closedir(d);
        }
        if (chdir("/") == 0)
                (void) rmdir(workdir);
}

/* A loopback port nobody can take while this process holds it bound, and
 * where connects are refused because nothing listens. */
static in_port_t reserve_port(int family) {
        struct sockaddr_storage ss;
        socklen_t len = family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
        int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (fd < 0)
                return 0;
        memset(&ss, 0, sizeof(ss));
        ss.ss_family = (sa_family_t) family;
        if (family == AF_INET)
                ((struct sockaddr_in *) &ss)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        else
                ((struct sockaddr_in6 *) &ss)->sin6_addr = in6addr_loopback;
        if (bind(fd, (struct sockaddr *) &ss, len) < 0 || getsockname(fd, (struct sockaddr *) &ss, &len) < 0) {
                close(fd);
                return 0;
        }
        /* Kept open on purpose for the life of the process. */
        return family == AF_INET ? ((struct sockaddr_in *) &ss)->sin_port : ((struct sockaddr_in6 *) &ss)->sin6_port;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        const char *tmp = getenv("TMPDIR");

        (void) argc;
        (void) argv;
        snprintf(workdir, sizeof(workdir), "%s/netsock-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(workdir) || chdir(workdir) < 0) {
                fprintf(stderr, "fuzz-addr-handfilled: no private directory: %s\n", strerror(errno));
                abort();
        }
        atexit(remove_workdir);
        probe_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (probe_fd < 0)
                abort();
        refused_v4 = reserve_port(AF_INET);
        refused_v6 = reserve_port(AF_INET6);
        return 0;
}

/* Fds open in [lo, lo + WINDOW) -- every fd an input makes lands there,
 * the kernel giving out the lowest free number. */
#define WINDOW 32
static unsigned long open_fds(int lo) {
        unsigned long mask = 0;

        for (int i = 0; i < WINDOW; i++)
                if (fcntl(lo + i, F_GETFD) >= 0)
                        mask |= 1ul << i;
        return mask;
}


static int lowest_free_fd(void) {
        int fd = fcntl(probe_fd, F_DUPFD_CLOEXEC, 0);

        FUZZ_CHECK(fd >= 0);
        close(fd);
        return fd;
}

/* The name a Unix path address gives the kernel, as a C string; true when
 * every string the library could read from the storage, from sun_path to
 * the end of the struct, is a single relative name (no '/'). */
static bool private_path(const struct netsock_addr *a) {
        const unsigned char *p = (const unsigned char *) &a->storage + FUZZ_SUN_OFF;
        size_t n = sizeof(a->storage) - FUZZ_SUN_OFF;

        if (p[0] == 0)
                return false;
        for (size_t i = 0; i < n && p[i]; i++)
                if (p[i] == '/')
                        return false;
        return true;
}

static void unlink_created(const struct netsock_addr *a) {
        char name[sizeof(a->storage) + 8];
        size_t n = strnlen((const char *) &a->storage + FUZZ_SUN_OFF, sizeof(a->storage) - FUZZ_SUN_OFF);

        memcpy(name, (const char *) &a->storage + FUZZ_SUN_OFF, n);
        name[n] = '\0';
        (void) unlink(name);
        strcpy(name + n, ".lock");
        (void) unlink(name);
}

/* "." and "..": names that exist before any bind. */
static bool is_dot(const struct netsock_addr *a) {
        const char *p = (const char *) &a->storage + FUZZ_SUN_OFF;

        return !strcmp(p, ".") || !strcmp(p, "..");
}

/* The form the kernel reads back: a path with exactly its NUL in len (a
 * full 108-byte one with none), an abstract name as it is.  A hand-filled
 * path may be well-formed with bytes after its NUL, but reads back
 * without them. */
static bool canonical(const struct netsock_addr *a) {
        const char *p = (const char *) &a->storage + FUZZ_SUN_OFF;
        size_t k;

        if (p[0] == 0)
                return true;
        k = strnlen(p, FUZZ_SUN_MAX);
        return a->len == FUZZ_SUN_OFF + (k < FUZZ_SUN_MAX ? k + 1 : FUZZ_SUN_MAX);
}

static bool exists(const struct netsock_addr *a) {
        struct stat st;

        return lstat((const char *) &a->storage + FUZZ_SUN_OFF, &st) == 0;
}

static void workdir_is_empty(void) {
        DIR *d = opendir(".");
        struct dirent *e;

        FUZZ_CHECK(d);
        while ((e = readdir(d))) {
                if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
                        fprintf(stderr, "left behind: %s\n", e->d_name);
                        FUZZ_CHECK(!"a file was left behind");
                }
        }
        closedir(d);
}

/* What a Unix call must answer for an address the rules reject or that is
 * not a named Unix address. */
static int unix_refusal(const struct netsock_addr *a, int ref) {
        if (ref == -EINVAL || a->len == 0)
                return -EINVAL;
        if (a->storage.ss_family != AF_UNIX)
                return -EAFNOSUPPORT;
        if (a->len <= FUZZ_SUN_OFF)
                return -EINVAL;
        return 0;
}

/* Errors the kernel may give for a well-formed address we may use. */
static bool kernel_errno(int r) {
        switch (-r) {
        case ENOENT: case ECONNREFUSED: case EADDRINUSE: case EADDRNOTAVAIL: case EACCES: case EPERM:
        case EPROTOTYPE: case EAGAIN: case EISDIR: case ENOTDIR: case ELOOP: case EINVAL: case ENAMETOOLONG:
        case EAFNOSUPPORT: case ENETUNREACH: case EHOSTUNREACH: case ENODEV: case ENXIO: case EROFS:
                return true;
        }
        return false;
}

static void unix_calls(const struct netsock_addr *a, int ref, unsigned sel) {
        int want = unix_refusal(a, ref), r;
        bool path = want == 0 && ((const unsigned char *) &a->storage)[FUZZ_SUN_OFF] != 0;
        unsigned lflags = NETSOCK_NONBLOCK | (sel & 1 ? NETSOCK_REMOVE_ON_CLOSE : 0) | (sel & 2 ? NETSOCK_REPLACE_STALE : 0);

        /* Whatever the rules say of it: should the check ever let a bad
         * one through, the kernel must still see a name in this
         * directory. */
        if (a->storage.ss_family == AF_UNIX && a->len > FUZZ_SUN_OFF && ((const unsigned char *) &a->storage)[FUZZ_SUN_OFF] != 0 &&
            !private_path(a))
                return;
        {
                struct netsock_unix_stream *s = NULL;

                r = netsock_unix_stream_connect_addr(a, NETSOCK_NONBLOCK, &s);
                FUZZ_CHECK(want < 0 ? r == want : r == 0 || kernel_errno(r));
                FUZZ_CHECK(r == 0 ? s != NULL : s == NULL);
                netsock_unix_stream_close(s);
        }
        {
                struct netsock_seqpacket *s = NULL;

                r = netsock_seqpacket_connect_addr(a, NETSOCK_NONBLOCK, &s);
                FUZZ_CHECK(want < 0 ? r == want : r == 0 || kernel_errno(r));
                netsock_seqpacket_close(s);
                /* Bound to itself, connected to itself: refused (nobody
                 * listens), and the socket file the bind made is gone. */
                s = NULL;
                r = netsock_seqpacket_connect_from_to(a, a, NETSOCK_NONBLOCK, &s);
                FUZZ_CHECK(want < 0 ? r == want : r == 0 || kernel_errno(r));
                netsock_seqpacket_close(s);
                if (want == 0 && path && r < 0 && !is_dot(a))
                        FUZZ_CHECK(!exists(a));
        }
        {
                struct netsock_unix_listener *l = NULL;

                r = netsock_unix_listener_bind_addr(a, (int) lflags, &l);
                FUZZ_CHECK(want < 0 ? r == want : r == 0 || kernel_errno(r));
                if (r == 0) {
                        struct netsock_unix_stream *c = NULL;
                        struct netsock_addr local;

                        /* The listener's own address reads back the same. */
                        FUZZ_CHECK(netsock_unix_listener_local_addr(l, &local) == 0);
                        if (canonical(a))
                                FUZZ_CHECK(netsock_addr_equal(&local, a));
                        if (netsock_unix_stream_connect_addr(a, NETSOCK_NONBLOCK, &c) == 0)
                                netsock_unix_stream_close(c);
                        netsock_unix_listener_close(l);
                        if (path && (lflags & NETSOCK_REMOVE_ON_CLOSE))
                                FUZZ_CHECK(!exists(a));
                }
        }
        {
                struct netsock_seqpacket_listener *l = NULL;

                r = netsock_seqpacket_listener_bind_addr(a, NETSOCK_NONBLOCK, &l);
                FUZZ_CHECK(want < 0 ? r == want : r == 0 || kernel_errno(r));
                netsock_seqpacket_listener_close(l);
        }
        if (path)
                unlink_created(a);
}

static int inet_refusal(const struct netsock_addr *a, int ref) {
        if (ref == -EINVAL || a->len == 0)
                return -EINVAL;
        if (a->storage.ss_family != AF_INET && a->storage.ss_family != AF_INET6)
                return -EAFNOSUPPORT;
        return 0;
}

static bool is_loopback(const struct netsock_addr *a) {
        if (a->storage.ss_family == AF_INET)
                return ((const struct sockaddr_in *) &a->storage)->sin_addr.s_addr == htonl(INADDR_LOOPBACK);
        return memcmp(&((const struct sockaddr_in6 *) &a->storage)->sin6_addr, &in6addr_loopback, sizeof(struct in6_addr)) == 0;
}

static void set_port(struct netsock_addr *a, in_port_t port) {
        if (a->storage.ss_family == AF_INET)
                ((struct sockaddr_in *) &a->storage)->sin_port = port;
        else
                ((struct sockaddr_in6 *) &a->storage)->sin6_port = port;
}

static void tcp_calls(const struct netsock_addr *a, int ref) {
        int want = inet_refusal(a, ref), r;
        struct netsock_addr *use = malloc(sizeof(*use));
        struct netsock_tcp_socket *b = NULL;

        FUZZ_CHECK(use);
        memcpy(use, a, sizeof(*use));
        /* A well-formed inet address only ever with port 0 for a bind. */
        if (want == 0)
                set_port(use, 0);
        r = want == 0 && a->storage.ss_family == AF_INET6 ? netsock_tcp_socket_new_v6(0, &b) : netsock_tcp_socket_new_v4(0, &b);
        if (r == 0) {
                r = netsock_tcp_socket_bind(b, use);
                FUZZ_CHECK(want < 0 ? r == want : r == 0 || kernel_errno(r));
                netsock_tcp_socket_close(b);
        }
        if (want < 0 || is_loopback(a)) {
                struct netsock_tcp_listener *l = NULL;

                r = netsock_tcp_listener_bind(use, NETSOCK_NONBLOCK, &l);
                FUZZ_CHECK(want < 0 ? r == want : r == 0 || kernel_errno(r));
                netsock_tcp_listener_close(l);
        }
        /* Connects: only to a loopback port of ours that refuses. */
        if (want == 0) {
                in_port_t port = a->storage.ss_family == AF_INET ? refused_v4 : refused_v6;

                if (!is_loopback(a) || port == 0) {
                        free(use);
                        return;
                }
                set_port(use, port);
        }
        {
                struct netsock_tcp_stream *s = NULL;

                r = netsock_tcp_stream_connect(use, NETSOCK_NONBLOCK, &s);
                FUZZ_CHECK(want < 0 ? r == want : r == 0 || kernel_errno(r));
                netsock_tcp_stream_close(s);
        }
        if (want < 0) {
                struct netsock_tcp_stream *s = NULL;

                /* Blocking ones too: the check comes first, so they
                 * cannot block. */
                r = netsock_tcp_stream_connect(use, 0, &s);
                FUZZ_CHECK(r == want && s == NULL);
                r = netsock_tcp_stream_connect_timeout(use, 1000, 0, &s);
                FUZZ_CHECK(r == want && s == NULL);
                FUZZ_CHECK(netsock_tcp_socket_new_v4(0, &b) == 0);
                r = netsock_tcp_socket_connect(b, use, &s);  /* consumes b */
                FUZZ_CHECK(r == want && s == NULL);
        }
        free(use);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct netsock_addr *a = malloc(sizeof(*a)), *copy = malloc(sizeof(*a));
        char text[NETSOCK_ADDRSTRLEN];
        int ref, lo = lowest_free_fd();
        unsigned long before = open_fds(lo);
        unsigned sel = size > sizeof(*a) ? data[sizeof(*a)] : 0;

        FUZZ_CHECK(a && copy);
        memset(a, 0, sizeof(*a));
        memcpy(a, data, size < sizeof(*a) ? size : sizeof(*a));
        ref = fuzz_ref_check(a);
        FUZZ_CHECK(ns_addr_check(a) == ref);

        /* A copy that differs only past len (and past the NUL of a full
         * 108-byte path, which lies just past len). */
        memcpy(copy, a, sizeof(*a));
        if (a->len < sizeof(a->storage) - 1)
                memset((char *) &copy->storage + a->len + 1, 0xee, sizeof(a->storage) - a->len - 1);

        if (ref == -EINVAL) {
                FUZZ_CHECK(netsock_addr_format(a, text, sizeof(text)) == -EINVAL);
                FUZZ_CHECK(netsock_addr_format(a, NULL, 0) == -EINVAL);
                FUZZ_CHECK(netsock_addr_family(a) == -EINVAL);
                FUZZ_CHECK(netsock_addr_unix_kind(a) == -EINVAL);
                FUZZ_CHECK(netsock_addr_port(a) == -EINVAL);
                FUZZ_CHECK(!netsock_addr_equal(a, a) && !netsock_addr_equal(a, copy));
        } else if (a->len == 0) {
                FUZZ_CHECK(netsock_addr_format(a, text, sizeof(text)) == -EINVAL);
                FUZZ_CHECK(netsock_addr_family(a) == AF_UNSPEC);
                FUZZ_CHECK(netsock_addr_unix_kind(a) == -EAFNOSUPPORT);
                FUZZ_CHECK(netsock_addr_port(a) == -EAFNOSUPPORT);
                FUZZ_CHECK(netsock_addr_equal(a, a) && netsock_addr_equal(a, copy));
        } else if (ref == -EAFNOSUPPORT) {
                FUZZ_CHECK(netsock_addr_format(a, text, sizeof(text)) == -EAFNOSUPPORT);
                FUZZ_CHECK(netsock_addr_family(a) == a->storage.ss_family);
                FUZZ_CHECK(netsock_addr_unix_kind(a) == -EAFNOSUPPORT);
                FUZZ_CHECK(netsock_addr_port(a) == -EAFNOSUPPORT);
                FUZZ_CHECK(netsock_addr_equal(a, a) && netsock_addr_equal(a, copy));
        } else {
                fuzz_check_accessors(a);
                fuzz_check_format(a, text, true);
                FUZZ_CHECK(netsock_addr_equal(a, copy) && netsock_addr_equal(copy, a));
        }

        unix_calls(a, ref, sel);
        tcp_calls(a, ref);

        /* Nothing left behind: no fd, no file. */
        FUZZ_CHECK(lowest_free_fd() == lo);
        FUZZ_CHECK(open_fds(lo) == before);
        workdir_is_empty();
        free(copy);
        free(a);
        return 0;
}
