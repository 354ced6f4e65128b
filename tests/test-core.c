/* SPDX-License-Identifier: MIT */
/*
 * The shared core: the control-message parser (a pure function, tested and
 * fuzzed on byte buffers), and the common calls that NS_DEFINE_COMMON /
 * NS_DEFINE_CONNECTED / NS_DEFINE_STREAM_DATA stamp out for every handle
 * type, exercised through unix_stream and unix_listener handles.  Since the
 * wrappers are generated once for all types, what holds here holds for
 * seqpacket and the TCP types too; their own suites test what is special.
 */
#include "config.h"
#include "internal.h"
#include "common.h"

#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* The parser stores SCM_RIGHTS fds in an array the caller gives it; these
 * tests give it room for every fd a buffer could hold. */
#define FDS_CAP NS_CMSG_MAXFDS
static int parsed_fds[FDS_CAP];

/* A control buffer aligned for struct cmsghdr, with room to spare. */
union cbuf {
        struct cmsghdr align;
        unsigned char b[4 * NS_CMSG_BUFSIZE];
};

/* Writes one control header by hand at off; returns the next offset. */
static size_t put_cmsg(unsigned char *buf, size_t off, size_t cmsg_len, int level, int type,
                       const void *data, size_t datalen) {
        struct cmsghdr h;

        memset(&h, 0, sizeof(h));
        h.cmsg_len = cmsg_len;
        h.cmsg_level = level;
        h.cmsg_type = type;
        memcpy(buf + off, &h, sizeof(h));
        if (datalen)
                memcpy(buf + off + CMSG_LEN(0), data, datalen);
        return off + CMSG_ALIGN(cmsg_len);
}

static void parsed_poison(struct ns_cmsg_parsed *p) {
        memset(p, 0xff, sizeof(*p));
}

/* ns_cmsg_parse into parsed_fds, with capacity cap. */
static void parse_cap(const void *buf, size_t len, struct ns_cmsg_parsed *p, size_t cap) {
        p->fds = parsed_fds;
        p->cap = cap;
        ns_cmsg_parse(buf, len, p);
}

static void parse(const void *buf, size_t len, struct ns_cmsg_parsed *p) {
        parse_cap(buf, len, p, FDS_CAP);
}

/* ---- ns_cmsg_parse ------------------------------------------------------- */

START_TEST(cmsg_parse_rights_with_three_fds) {
        static const int fds[] = { 100, 101, 102 };
        union cbuf u;
        struct ns_cmsg_parsed p;
        size_t n;

        n = ns_cmsg_build(u.b, sizeof(u.b), fds, 3, NULL);
        ck_assert_uint_eq(n, CMSG_SPACE(3 * sizeof(int)));
        parsed_poison(&p);
        parse(u.b, n, &p);
        ck_assert(!p.malformed);
        ck_assert(!p.have_creds);
        ck_assert_uint_eq(p.nfds, 3);
        ck_assert_int_eq(p.fds[0], 100);
        ck_assert_int_eq(p.fds[1], 101);
        ck_assert_int_eq(p.fds[2], 102);
        /* The last header without its trailing padding parses the same. */
        parsed_poison(&p);
        parse(u.b, CMSG_LEN(3 * sizeof(int)), &p);
        ck_assert(!p.malformed);
        ck_assert_uint_eq(p.nfds, 3);
        ck_assert_int_eq(p.fds[2], 102);
}
END_TEST

START_TEST(cmsg_parse_credentials_only) {
        struct netsock_creds c = { 1234, 1000, 100 };
        union cbuf u;
        struct ns_cmsg_parsed p;
        size_t n;

        n = ns_cmsg_build(u.b, sizeof(u.b), NULL, 0, &c);
        ck_assert_uint_eq(n, CMSG_SPACE(sizeof(struct ucred)));
        parsed_poison(&p);
        parse(u.b, n, &p);
        ck_assert(!p.malformed);
        ck_assert(p.have_creds);
        ck_assert_uint_eq(p.nfds, 0);
        ck_assert_int_eq(p.creds.pid, 1234);
        ck_assert_uint_eq(p.creds.uid, 1000);
        ck_assert_uint_eq(p.creds.gid, 100);
}
END_TEST

START_TEST(cmsg_parse_rights_and_credentials) {
        static const int fds[] = { 7, 8 };
        struct netsock_creds c = { 42, 0, 5 };
        union cbuf u;
        struct ns_cmsg_parsed p;
        size_t n;

        n = ns_cmsg_build(u.b, sizeof(u.b), fds, 2, &c);
        ck_assert_uint_eq(n, CMSG_SPACE(2 * sizeof(int)) + CMSG_SPACE(sizeof(struct ucred)));
        parsed_poison(&p);
        parse(u.b, n, &p);
        ck_assert(!p.malformed);
        ck_assert_uint_eq(p.nfds, 2);
        ck_assert_int_eq(p.fds[0], 7);
        ck_assert_int_eq(p.fds[1], 8);
        ck_assert(p.have_creds);
        ck_assert_int_eq(p.creds.pid, 42);
        ck_assert_uint_eq(p.creds.uid, 0);
        ck_assert_uint_eq(p.creds.gid, 5);
}
END_TEST

START_TEST(cmsg_build_of_nothing_is_empty) {
        union cbuf u;

        ck_assert_uint_eq(ns_cmsg_build(u.b, NS_CMSG_BUFSIZE, NULL, 0, NULL), 0);
}
END_TEST

START_TEST(cmsg_parse_most_fds_and_creds_fill_the_buffer) {
        int fds[NETSOCK_MAX_FDS];
        struct netsock_creds c = { 1, 2, 3 };
        union cbuf u;
        struct ns_cmsg_parsed p;
        size_t i, n;

        for (i = 0; i < NETSOCK_MAX_FDS; i++)
                fds[i] = (int) (1000 + i);
        n = ns_cmsg_build(u.b, NS_CMSG_BUFSIZE, fds, NETSOCK_MAX_FDS, &c);
        ck_assert_uint_eq(n, NS_CMSG_SPACE_FDS + NS_CMSG_SPACE_CREDS);
        ck_assert_uint_le(n, NS_CMSG_BUFSIZE);
        parse(u.b, n, &p);
        ck_assert(!p.malformed);
        ck_assert_uint_eq(p.nfds, NETSOCK_MAX_FDS);
        for (i = 0; i < NETSOCK_MAX_FDS; i++)
                ck_assert_int_eq(p.fds[i], (int) (1000 + i));
        ck_assert(p.have_creds);
        ck_assert_int_eq(p.creds.pid, 1);
}
END_TEST

START_TEST(cmsg_parse_empty_buffer) {
        union cbuf u;
        struct ns_cmsg_parsed p;

        memset(u.b, 0xab, sizeof(u.b));
        parsed_poison(&p);
        parse(u.b, 0, &p);
        ck_assert(!p.malformed);
        ck_assert(!p.have_creds);
        ck_assert_uint_eq(p.nfds, 0);
}
END_TEST

START_TEST(cmsg_parse_null_buffer) {
        struct ns_cmsg_parsed p;

        parsed_poison(&p);
        parse(NULL, 0, &p);
        ck_assert(!p.malformed);
        ck_assert(!p.have_creds);
        ck_assert_uint_eq(p.nfds, 0);
        parsed_poison(&p);
        parse(NULL, 64, &p);
        ck_assert(!p.malformed);
        ck_assert(!p.have_creds);
        ck_assert_uint_eq(p.nfds, 0);
}
END_TEST

START_TEST(cmsg_parse_ignores_tail_shorter_than_a_header) {
        static const int fds[] = { 100 };
        union cbuf u;
        struct ns_cmsg_parsed p;
        size_t n;

        memset(u.b, 0xee, sizeof(u.b));
        parse(u.b, sizeof(struct cmsghdr) - 1, &p);
        ck_assert(!p.malformed);
        ck_assert_uint_eq(p.nfds, 0);
        n = ns_cmsg_build(u.b, CMSG_SPACE(sizeof(int)), fds, 1, NULL);
        memset(u.b + n, 0xee, sizeof(struct cmsghdr) - 1);
        parse(u.b, n + sizeof(struct cmsghdr) - 1, &p);
        ck_assert(!p.malformed);
        ck_assert_uint_eq(p.nfds, 1);
        ck_assert_int_eq(p.fds[0], 100);
}
END_TEST

START_TEST(cmsg_parse_truncated_header_is_malformed) {
        static const int fds[] = { 100, 101, 102 };
        union cbuf u;
        struct ns_cmsg_parsed p;
        size_t n;

        n = ns_cmsg_build(u.b, sizeof(u.b), fds, 3, NULL);
        /* cmsg_len reaches one byte past the end of the buffer. */
        parse(u.b, CMSG_LEN(3 * sizeof(int)) - 1, &p);
        ck_assert(p.malformed);
        /* cmsg_len far larger than the buffer. */
        put_cmsg(u.b, 0, 100000, SOL_SOCKET, SCM_RIGHTS, fds, sizeof(fds));
        parse(u.b, n, &p);
        ck_assert(p.malformed);
        ck_assert_uint_eq(p.nfds, 0);
}
END_TEST

START_TEST(cmsg_parse_header_shorter_than_cmsg_len_zero_is_malformed) {
        static const int fds[] = { 100 };
        union cbuf u;
        struct ns_cmsg_parsed p;
        size_t lens[] = { 0, 1, sizeof(struct cmsghdr) - 1, CMSG_LEN(0) - 1 };
        size_t i;

        for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
                memset(u.b, 0, sizeof(u.b));
                put_cmsg(u.b, 0, CMSG_LEN(sizeof(int)), SOL_SOCKET, SCM_RIGHTS, fds, sizeof(fds));
                ((struct cmsghdr *) u.b)->cmsg_len = lens[i];
                parsed_poison(&p);
                parse(u.b, 64, &p);
                ck_assert_msg(p.malformed, "cmsg_len %zu not reported malformed", lens[i]);
                ck_assert_uint_eq(p.nfds, 0);
        }
        /* A bad second header after a good one. */
        memset(u.b, 0, sizeof(u.b));
        put_cmsg(u.b, 0, CMSG_LEN(sizeof(int)), SOL_SOCKET, SCM_RIGHTS, fds, sizeof(fds));
        put_cmsg(u.b, CMSG_SPACE(sizeof(int)), 3, SOL_SOCKET, SCM_RIGHTS, NULL, 0);
        parse(u.b, CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(int)), &p);
        ck_assert(p.malformed);
}
END_TEST

START_TEST(cmsg_parse_ignores_unknown_level_and_type) {
        static const int fds[] = { 100, 101 };
        int ttl = 64;
        struct timeval tv = { 1, 2 };
        struct ucred uc = { 77, 1001, 1002 };
        unsigned char junk[20];
        union cbuf u;
        struct ns_cmsg_parsed p;
        size_t off = 0;

        memset(junk, 0x5a, sizeof(junk));
        memset(u.b, 0, sizeof(u.b));
        off = put_cmsg(u.b, off, CMSG_LEN(sizeof(ttl)), IPPROTO_IP, 2 /* IP_TTL */, &ttl, sizeof(ttl));
        off = put_cmsg(u.b, off, CMSG_LEN(sizeof(fds)), SOL_SOCKET, SCM_RIGHTS, fds, sizeof(fds));
        off = put_cmsg(u.b, off, CMSG_LEN(sizeof(tv)), SOL_SOCKET, SO_TIMESTAMP, &tv, sizeof(tv));
        /* SCM_RIGHTS's number at another level is not SCM_RIGHTS. */
        off = put_cmsg(u.b, off, CMSG_LEN(sizeof(junk)), IPPROTO_IPV6, SCM_RIGHTS, junk, sizeof(junk));
        off = put_cmsg(u.b, off, CMSG_LEN(sizeof(uc)), SOL_SOCKET, SCM_CREDENTIALS, &uc, sizeof(uc));
        off = put_cmsg(u.b, off, CMSG_LEN(sizeof(junk)), 12345, 678, junk, sizeof(junk));
        off = put_cmsg(u.b, off, CMSG_LEN(0), SOL_SOCKET, 999, NULL, 0);
        parsed_poison(&p);
        parse(u.b, off, &p);
        ck_assert(!p.malformed);
        ck_assert_uint_eq(p.nfds, 2);
        ck_assert_int_eq(p.fds[0], 100);
        ck_assert_int_eq(p.fds[1], 101);
        ck_assert(p.have_creds);
        ck_assert_int_eq(p.creds.pid, 77);
        ck_assert_uint_eq(p.creds.uid, 1001);
        ck_assert_uint_eq(p.creds.gid, 1002);
}
END_TEST

START_TEST(cmsg_parse_ignores_short_credentials) {
        struct ucred uc = { 77, 1001, 1002 };
        union cbuf u;
        struct ns_cmsg_parsed p;
        size_t off;

        memset(u.b, 0, sizeof(u.b));
        off = put_cmsg(u.b, 0, CMSG_LEN(sizeof(uc) - 1), SOL_SOCKET, SCM_CREDENTIALS, &uc, sizeof(uc) - 1);
        parsed_poison(&p);
        parse(u.b, off, &p);
        ck_assert(!p.malformed);
        ck_assert(!p.have_creds);
        ck_assert_uint_eq(p.nfds, 0);
}
END_TEST

START_TEST(cmsg_parse_rights_ignores_partial_int) {
        static const int fds[] = { 100, 101 };
        union cbuf u;
        struct ns_cmsg_parsed p;
        size_t off;

        memset(u.b, 0, sizeof(u.b));
        off = put_cmsg(u.b, 0, CMSG_LEN(sizeof(int) + 3), SOL_SOCKET, SCM_RIGHTS, fds, sizeof(int) + 3);
        parse(u.b, off, &p);
        ck_assert(!p.malformed);
        ck_assert_uint_eq(p.nfds, 1);
        ck_assert_int_eq(p.fds[0], 100);
}
END_TEST

START_TEST(cmsg_parse_concatenated_rights_keep_order) {
        static const int first[] = { 100, 101 };
        static const int second[] = { 102, 103, 104 };
        struct ucred uc = { 1, 2, 3 };
        union cbuf u;
        struct ns_cmsg_parsed p;
        size_t off = 0, i;

        memset(u.b, 0, sizeof(u.b));
        off = put_cmsg(u.b, off, CMSG_LEN(sizeof(first)), SOL_SOCKET, SCM_RIGHTS, first, sizeof(first));
        off = put_cmsg(u.b, off, CMSG_LEN(sizeof(uc)), SOL_SOCKET, SCM_CREDENTIALS, &uc, sizeof(uc));
        off = put_cmsg(u.b, off, CMSG_LEN(sizeof(second)), SOL_SOCKET, SCM_RIGHTS, second, sizeof(second));
        parse(u.b, off, &p);
        ck_assert(!p.malformed);
        ck_assert(p.have_creds);
        ck_assert_uint_eq(p.nfds, 5);
        for (i = 0; i < 5; i++)
                ck_assert_int_eq(p.fds[i], (int) (100 + i));
}
END_TEST

START_TEST(cmsg_parse_more_fds_than_capacity_is_malformed) {
        union cbuf u;
        struct ns_cmsg_parsed p;
        size_t i, n = 2 * FDS_CAP + 10, off;
        int *fds = malloc(n * sizeof(int));

        ck_assert_ptr_nonnull(fds);
        ck_assert_uint_le(CMSG_SPACE(n * sizeof(int)), sizeof(u.b));
        for (i = 0; i < n; i++)
                fds[i] = (int) i;
        off = put_cmsg(u.b, 0, CMSG_LEN(n * sizeof(int)), SOL_SOCKET, SCM_RIGHTS, fds, n * sizeof(int));
        free(fds);
        parse(u.b, off, &p);
        ck_assert(p.malformed);
        ck_assert_uint_le(p.nfds, FDS_CAP);
}
END_TEST

/* xorshift32: a fixed sequence, the same on every run. */
static uint32_t rnd_state;

static uint32_t rnd(void) {
        uint32_t x = rnd_state;

        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        return rnd_state = x;
}

/* Builds a buffer of plausible headers; when `exact`, they are all valid
 * and the expected result is recorded in *want. */
static size_t fuzz_fill(unsigned char *buf, size_t size, struct ns_cmsg_parsed *want, bool exact) {
        size_t off = 0;
        static int want_fds[FDS_CAP];

        memset(want, 0, sizeof(*want));
        want->fds = want_fds;
        want->cap = FDS_CAP;
        while (size - off >= CMSG_LEN(0)) {
                unsigned kind = rnd() % 4;
                size_t room = size - off - CMSG_LEN(0), datalen, len, i;
                unsigned char data[NS_CMSG_BUFSIZE];
                int level = SOL_SOCKET, type;

                datalen = kind == 0 ? (rnd() % 32) * sizeof(int) : rnd() % 48;
                if (datalen > room)
                        datalen = room;
                for (i = 0; i < datalen; i++)
                        data[i] = (unsigned char) rnd();
                switch (kind) {
                case 0:
                        type = SCM_RIGHTS;
                        break;
                case 1:
                        type = SCM_CREDENTIALS;
                        break;
                case 2:
                        level = (int) (rnd() % 300);
                        type = (int) (rnd() % 64);
                        break;
                default:
                        level = (int) rnd();
                        type = (int) rnd();
                        break;
                }
                if (level == SOL_SOCKET && (type == SCM_RIGHTS || type == SCM_CREDENTIALS) && kind >= 2)
                        level = 12345;
                len = CMSG_LEN(datalen);
                if (!exact && rnd() % 8 == 0)
                        len = (size_t) rnd() % (2 * size + 2);  /* any length at all */
                off = put_cmsg(buf, off, len, level, type, data, datalen);
                if (exact) {
                        if (type == SCM_RIGHTS && level == SOL_SOCKET) {
                                for (i = 0; i + sizeof(int) <= datalen; i += sizeof(int))
                                        memcpy(&want->fds[want->nfds++], data + i, sizeof(int));
                        } else if (type == SCM_CREDENTIALS && level == SOL_SOCKET && datalen >= sizeof(struct ucred)) {
                                struct ucred uc;

                                memcpy(&uc, data, sizeof(uc));
                                want->have_creds = true;
                                want->creds.pid = uc.pid;
                                want->creds.uid = uc.uid;
                                want->creds.gid = uc.gid;
                        }
                }
                if (off >= size || rnd() % 6 == 0)
                        break;
        }
        return off < size ? off : size;
}

START_TEST(cmsg_parse_survives_fuzzing) {
        static struct ns_cmsg_parsed want, got;
        unsigned iter;

        rnd_state = 0x2545f491u;
        for (iter = 0; iter < 20000; iter++) {
                size_t size = rnd() % (NS_CMSG_BUFSIZE + 1), len, i;
                unsigned mode = rnd() % 4, shift = rnd() % 2;
                /* Heap-allocated to the exact size (ASan sees every overread),
                 * sometimes at an odd address (UBSan sees misaligned reads). */
                unsigned char *mem = malloc(size + shift + 1), *buf = mem + shift;

                ck_assert_ptr_nonnull(mem);
                memset(mem, 0, size + shift + 1);
                if (mode == 0) {
                        for (i = 0; i < size; i++)
                                buf[i] = (unsigned char) rnd();
                        len = size;
                } else {
                        bool exact = mode == 1;

                        len = fuzz_fill(buf, size, &want, exact);
                        if (mode == 3) {
                                unsigned flips = 1 + rnd() % 8;

                                while (len && flips--)
                                        buf[rnd() % len] ^= (unsigned char) (1u << (rnd() % 8));
                        }
                        if (exact) {
                                parse(buf, len, &got);
                                ck_assert_msg(!got.malformed, "iteration %u: valid buffer called malformed", iter);
                                ck_assert_uint_eq(got.nfds, want.nfds);
                                ck_assert(memcmp(got.fds, want.fds, want.nfds * sizeof(int)) == 0);
                                ck_assert(got.have_creds == want.have_creds);
                                if (want.have_creds)
                                        ck_assert(memcmp(&got.creds, &want.creds, sizeof(want.creds)) == 0);
                        }
                }
                /* The tail after len is not ours to read: copy exactly. */
                {
                        unsigned char *exactbuf = malloc(len ? len : 1);

                        ck_assert_ptr_nonnull(exactbuf);
                        memcpy(exactbuf, buf, len);
                        parse(exactbuf, len, &got);
                        free(exactbuf);
                }
                ck_assert_uint_le(got.nfds, FDS_CAP);
                ck_assert_uint_le(got.nfds * sizeof(int), len);
                /* Every fd came from the bytes of some header in the buffer. */
                if (got.nfds > 0)
                        ck_assert_uint_le(CMSG_LEN(got.nfds * sizeof(int)), len);
                free(mem);
        }
}
END_TEST

/* ---- helpers for the socket tests ---------------------------------------- */

static void pair(int flags, struct netsock_unix_stream **a, struct netsock_unix_stream **b) {
        ck_assert_int_eq(netsock_unix_stream_pair(flags, a, b), 0);
}

/* from_fd(fd) fails with `err`, leaves *ret alone and the fd open. */
static void stream_from_fd_fails(int fd, int err) {
        struct netsock_unix_stream *h = NS_SENTINEL(netsock_unix_stream);

        ck_assert_int_eq(netsock_unix_stream_from_fd(fd, &h), err);
        ck_assert_ptr_eq(h, NS_SENTINEL(netsock_unix_stream));
        if (fd >= 0 && err != -EBADF)
                ck_assert(ns_fd_is_open(fd));
}

static void listener_from_fd_fails(int fd, int err) {
        struct netsock_unix_listener *h = NS_SENTINEL(netsock_unix_listener);

        ck_assert_int_eq(netsock_unix_listener_from_fd(fd, &h), err);
        ck_assert_ptr_eq(h, NS_SENTINEL(netsock_unix_listener));
        if (fd >= 0 && err != -EBADF)
                ck_assert(ns_fd_is_open(fd));
}

/* ---- from_fd / into_fd / fd / close --------------------------------------- */

START_TEST(from_fd_rejects_negative_fd) {
        stream_from_fd_fails(-1, -EBADF);
        stream_from_fd_fails(-100, -EBADF);
        listener_from_fd_fails(-1, -EBADF);
}
END_TEST

START_TEST(from_fd_rejects_closed_fd) {
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        ck_assert_int_ge(fd, 0);
        close(fd);
        stream_from_fd_fails(fd, -EBADF);
        listener_from_fd_fails(fd, -EBADF);
        ck_assert(!ns_fd_is_open(fd));
}
END_TEST

START_TEST(from_fd_rejects_pipe) {
        int p[2];

        ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
        stream_from_fd_fails(p[0], -ENOTSOCK);
        stream_from_fd_fails(p[1], -ENOTSOCK);
        listener_from_fd_fails(p[0], -ENOTSOCK);
        close(p[0]);
        close(p[1]);
}
END_TEST

START_TEST(from_fd_rejects_tcp_socket) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

        ck_assert_int_ge(fd, 0);
        stream_from_fd_fails(fd, -EAFNOSUPPORT);
        listener_from_fd_fails(fd, -EAFNOSUPPORT);
        close(fd);
}
END_TEST

START_TEST(from_fd_rejects_unix_datagram_socket) {
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

        ck_assert_int_ge(fd, 0);
        stream_from_fd_fails(fd, -EPROTOTYPE);
        listener_from_fd_fails(fd, -EPROTOTYPE);
        close(fd);
}
END_TEST

START_TEST(from_fd_rejects_unix_seqpacket_socket) {
        int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

        ck_assert_int_ge(fd, 0);
        stream_from_fd_fails(fd, -EPROTOTYPE);
        close(fd);
}
END_TEST

START_TEST(from_fd_rejects_listening_socket_as_stream) {
        int fd = ns_listening_unix_socket(SOCK_STREAM);

        stream_from_fd_fails(fd, -EINVAL);
        close(fd);
}
END_TEST

START_TEST(from_fd_rejects_unlistening_socket_as_listener) {
        int sv[2];

        ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        listener_from_fd_fails(sv[0], -EINVAL);
        close(sv[0]);
        close(sv[1]);
        sv[0] = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ck_assert_int_ge(sv[0], 0);
        listener_from_fd_fails(sv[0], -EINVAL);
        close(sv[0]);
}
END_TEST

START_TEST(from_fd_rejects_null_ret_and_keeps_fd) {
        int sv[2];

        ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        ck_assert_int_eq(netsock_unix_stream_from_fd(sv[0], NULL), -EINVAL);
        ck_assert(ns_fd_is_open(sv[0]));
        close(sv[0]);
        close(sv[1]);
}
END_TEST

START_TEST(from_fd_failure_leaves_fd_flags_alone) {
        int fd = socket(AF_UNIX, SOCK_DGRAM, 0);  /* no close-on-exec */

        ck_assert_int_ge(fd, 0);
        ck_assert(!ns_fd_has_cloexec(fd));
        stream_from_fd_fails(fd, -EPROTOTYPE);
        ck_assert(!ns_fd_has_cloexec(fd));
        close(fd);
}
END_TEST

START_TEST(from_fd_sets_cloexec) {
        struct netsock_unix_stream *h = NULL;
        struct netsock_unix_listener *l = NULL;
        int sv[2], lfd;

        ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
        ck_assert(!ns_fd_has_cloexec(sv[0]));
        ck_assert_int_eq(netsock_unix_stream_from_fd(sv[0], &h), 0);
        ck_assert_ptr_nonnull(h);
        ck_assert_int_eq(netsock_unix_stream_fd(h), sv[0]);
        ck_assert(ns_fd_has_cloexec(sv[0]));
        netsock_unix_stream_close(h);
        ck_assert(!ns_fd_is_open(sv[0]));
        close(sv[1]);

        lfd = ns_listening_unix_socket(SOCK_STREAM);
        ck_assert_int_eq(fcntl(lfd, F_SETFD, 0), 0);
        ck_assert_int_eq(netsock_unix_listener_from_fd(lfd, &l), 0);
        ck_assert_int_eq(netsock_unix_listener_fd(l), lfd);
        ck_assert(ns_fd_has_cloexec(lfd));
        netsock_unix_listener_close(l);
        ck_assert(!ns_fd_is_open(lfd));
}
END_TEST

START_TEST(from_fd_keeps_nonblocking_mode) {
        struct netsock_unix_stream *h;
        int sv[2];
        bool nb = true;

        /* Blocking stays blocking... */
        ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        ck_assert_int_eq(netsock_unix_stream_from_fd(sv[0], &h), 0);
        ck_assert(!ns_fd_has_nonblock(sv[0]));
        ck_assert_int_eq(netsock_unix_stream_is_nonblocking(h, &nb), 0);
        ck_assert(!nb);
        netsock_unix_stream_close(h);
        close(sv[1]);

        /* ...and nonblocking stays nonblocking. */
        ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv), 0);
        ck_assert_int_eq(netsock_unix_stream_from_fd(sv[0], &h), 0);
        ck_assert(ns_fd_has_nonblock(sv[0]));
        ck_assert_int_eq(netsock_unix_stream_is_nonblocking(h, &nb), 0);
        ck_assert(nb);
        netsock_unix_stream_close(h);
        close(sv[1]);
}
END_TEST

START_TEST(from_fd_adopted_handle_works) {
        struct netsock_unix_stream *h;
        int sv[2];
        char c = 0;

        ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        ck_assert_int_eq(netsock_unix_stream_from_fd(sv[0], &h), 0);
        ck_assert_int_eq(netsock_unix_stream_send(h, "k", 1), 1);
        ck_assert_int_eq(read(sv[1], &c, 1), 1);
        ck_assert_int_eq(c, 'k');
        netsock_unix_stream_close(h);
        close(sv[1]);
}
END_TEST

START_TEST(into_fd_returns_same_fd_and_leaves_it_open) {
        struct netsock_unix_stream *a, *b;
        struct netsock_unix_listener *l;
        int fd, lfd;
        char c = 0;

        pair(0, &a, &b);
        fd = netsock_unix_stream_fd(a);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(netsock_unix_stream_into_fd(a), fd);
        ck_assert(ns_fd_is_open(fd));
        ck_assert(ns_fd_has_cloexec(fd));
        /* Still the same connection. */
        ck_assert_int_eq(write(fd, "z", 1), 1);
        ck_assert_int_eq(netsock_unix_stream_recv(b, &c, 1), 1);
        ck_assert_int_eq(c, 'z');
        close(fd);
        netsock_unix_stream_close(b);

        lfd = ns_listening_unix_socket(SOCK_STREAM);
        ck_assert_int_eq(netsock_unix_listener_from_fd(lfd, &l), 0);
        ck_assert_int_eq(netsock_unix_listener_into_fd(l), lfd);
        ck_assert(ns_fd_is_open(lfd));
        close(lfd);
}
END_TEST

START_TEST(fd_borrows_without_giving_away) {
        struct netsock_unix_stream *a, *b;
        int fd;

        pair(0, &a, &b);
        fd = netsock_unix_stream_fd(a);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(netsock_unix_stream_fd(a), fd);
        ck_assert(ns_fd_is_open(fd));
        ck_assert_int_ne(netsock_unix_stream_fd(b), fd);
        netsock_unix_stream_close(a);
        ck_assert(!ns_fd_is_open(fd));
        netsock_unix_stream_close(b);
}
END_TEST

START_TEST(close_null_is_safe) {
        netsock_unix_stream_close(NULL);
        netsock_unix_listener_close(NULL);
}
END_TEST

/* ---- try_clone / nonblocking / take_error / addresses -------------------- */

START_TEST(try_clone_shares_the_connection) {
        struct netsock_unix_stream *a, *b, *c = NULL;
        char buf[8];

        pair(0, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_try_clone(a, &c), 0);
        ck_assert_ptr_nonnull(c);
        ck_assert_ptr_ne(c, a);
        ck_assert_int_ne(netsock_unix_stream_fd(c), netsock_unix_stream_fd(a));
        ck_assert(ns_fd_has_cloexec(netsock_unix_stream_fd(c)));
        ck_assert_int_eq(netsock_unix_stream_send(c, "clone", 5), 5);
        ck_assert_int_eq(netsock_unix_stream_recv_exact(b, buf, 5), 5);
        ck_assert_mem_eq(buf, "clone", 5);
        /* Closing the original leaves the clone's connection alive. */
        netsock_unix_stream_close(a);
        ck_assert_int_eq(netsock_unix_stream_send(b, "back", 4), 4);
        ck_assert_int_eq(netsock_unix_stream_recv_exact(c, buf, 4), 4);
        ck_assert_mem_eq(buf, "back", 4);
        netsock_unix_stream_close(c);
        netsock_unix_stream_close(b);
}
END_TEST

START_TEST(try_clone_of_listener) {
        struct netsock_unix_listener *l, *c = NULL;
        int lfd = ns_listening_unix_socket(SOCK_STREAM);

        ck_assert_int_eq(netsock_unix_listener_from_fd(lfd, &l), 0);
        ck_assert_int_eq(netsock_unix_listener_try_clone(l, &c), 0);
        ck_assert_int_ne(netsock_unix_listener_fd(c), lfd);
        ck_assert(ns_fd_has_cloexec(netsock_unix_listener_fd(c)));
        netsock_unix_listener_close(l);
        netsock_unix_listener_close(c);
}
END_TEST

START_TEST(set_nonblocking_round_trip) {
        struct netsock_unix_stream *a, *b;
        bool nb = true;

        pair(0, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_is_nonblocking(a, &nb), 0);
        ck_assert(!nb);
        ck_assert_int_eq(netsock_unix_stream_set_nonblocking(a, true), 0);
        ck_assert_int_eq(netsock_unix_stream_is_nonblocking(a, &nb), 0);
        ck_assert(nb);
        ck_assert(ns_fd_has_nonblock(netsock_unix_stream_fd(a)));
        ck_assert_int_eq(netsock_unix_stream_set_nonblocking(a, true), 0);
        ck_assert_int_eq(netsock_unix_stream_is_nonblocking(a, &nb), 0);
        ck_assert(nb);
        ck_assert_int_eq(netsock_unix_stream_set_nonblocking(a, false), 0);
        ck_assert_int_eq(netsock_unix_stream_is_nonblocking(a, &nb), 0);
        ck_assert(!nb);
        ck_assert(!ns_fd_has_nonblock(netsock_unix_stream_fd(a)));
        /* The other end is untouched. */
        ck_assert_int_eq(netsock_unix_stream_is_nonblocking(b, &nb), 0);
        ck_assert(!nb);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);

        pair(NETSOCK_NONBLOCK, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_is_nonblocking(a, &nb), 0);
        ck_assert(nb);
        ck_assert_int_eq(netsock_unix_stream_is_nonblocking(b, &nb), 0);
        ck_assert(nb);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

START_TEST(take_error_on_fresh_pair_is_zero) {
        struct netsock_unix_stream *a, *b;
        int err = 12345;

        pair(0, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_take_error(a, &err), 0);
        ck_assert_int_eq(err, 0);
        err = 12345;
        ck_assert_int_eq(netsock_unix_stream_take_error(b, &err), 0);
        ck_assert_int_eq(err, 0);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

START_TEST(local_and_peer_addr_of_pair_are_unnamed) {
        struct netsock_unix_stream *a, *b;
        struct netsock_addr addr;

        pair(0, &a, &b);
        memset(&addr, 0xa5, sizeof(addr));
        ck_assert_int_eq(netsock_unix_stream_local_addr(a, &addr), 0);
        ck_assert_int_eq(netsock_addr_family(&addr), AF_UNIX);
        ck_assert_int_eq(netsock_addr_unix_kind(&addr), NETSOCK_UNIX_UNNAMED);
        memset(&addr, 0xa5, sizeof(addr));
        ck_assert_int_eq(netsock_unix_stream_peer_addr(a, &addr), 0);
        ck_assert_int_eq(netsock_addr_family(&addr), AF_UNIX);
        ck_assert_int_eq(netsock_addr_unix_kind(&addr), NETSOCK_UNIX_UNNAMED);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

/* ---- timeouts ------------------------------------------------------------ */

START_TEST(timeouts_read_back) {
        static const unsigned values[] = { 0, 100, 1500, 0, 2000, 100 };
        struct netsock_unix_stream *a, *b;
        unsigned ms;
        size_t i;

        pair(0, &a, &b);
        for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
                ck_assert_int_eq(netsock_unix_stream_set_read_timeout(a, values[i]), 0);
                ms = 7777;
                ck_assert_int_eq(netsock_unix_stream_read_timeout(a, &ms), 0);
                ck_assert_uint_eq(ms, values[i]);
                ck_assert_int_eq(netsock_unix_stream_set_write_timeout(a, values[i]), 0);
                ms = 7777;
                ck_assert_int_eq(netsock_unix_stream_write_timeout(a, &ms), 0);
                ck_assert_uint_eq(ms, values[i]);
        }
        /* Read and write timeouts are separate. */
        ck_assert_int_eq(netsock_unix_stream_set_read_timeout(a, 1500), 0);
        ck_assert_int_eq(netsock_unix_stream_set_write_timeout(a, 0), 0);
        ck_assert_int_eq(netsock_unix_stream_read_timeout(a, &ms), 0);
        ck_assert_uint_eq(ms, 1500);
        ck_assert_int_eq(netsock_unix_stream_write_timeout(a, &ms), 0);
        ck_assert_uint_eq(ms, 0);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

START_TEST(fresh_socket_has_no_timeouts) {
        struct netsock_unix_stream *a, *b;
        unsigned ms = 7777;

        pair(0, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_read_timeout(a, &ms), 0);
        ck_assert_uint_eq(ms, 0);
        ms = 7777;
        ck_assert_int_eq(netsock_unix_stream_write_timeout(a, &ms), 0);
        ck_assert_uint_eq(ms, 0);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

START_TEST(one_ms_timeout_does_not_become_zero) {
        struct netsock_unix_stream *a, *b;
        unsigned ms = 7777;

        /* 0 means "no timeout": 1 ms must never read back as that. */
        pair(0, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_set_read_timeout(a, 1), 0);
        ck_assert_int_eq(netsock_unix_stream_read_timeout(a, &ms), 0);
        ck_assert_uint_ge(ms, 1);
        ck_assert_uint_le(ms, 10);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

START_TEST(read_timeout_makes_recv_return_eagain) {
        struct netsock_unix_stream *a, *b;
        char buf[4];
        long long t0, dt;
        ssize_t n;

        pair(0, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_set_read_timeout(a, 100), 0);
        t0 = ns_now_ms();
        n = netsock_unix_stream_recv(a, buf, sizeof(buf));
        dt = ns_elapsed_ms(t0);
        ck_assert_int_eq(n, -EAGAIN);
        ck_assert_int_ge(dt, 80);
        ck_assert_int_le(dt, 1000);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

/* ---- shutdown ------------------------------------------------------------- */

START_TEST(shutdown_write_gives_peer_eof_other_way_works) {
        struct netsock_unix_stream *a, *b;
        char buf[8];

        pair(0, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_send(a, "last", 4), 4);
        ck_assert_int_eq(netsock_unix_stream_shutdown(a, SHUT_WR), 0);
        ck_assert_int_eq(netsock_unix_stream_recv_exact(b, buf, 4), 4);
        ck_assert_mem_eq(buf, "last", 4);
        ck_assert_int_eq(netsock_unix_stream_recv(b, buf, sizeof(buf)), 0);
        ck_assert_int_eq(netsock_unix_stream_recv(b, buf, sizeof(buf)), 0);
        /* The other direction still works. */
        ck_assert_int_eq(netsock_unix_stream_send(b, "back", 4), 4);
        ck_assert_int_eq(netsock_unix_stream_recv_exact(a, buf, 4), 4);
        ck_assert_mem_eq(buf, "back", 4);
        /* Writing after SHUT_WR is EPIPE, without a signal. */
        ck_assert_int_eq(netsock_unix_stream_send(a, "x", 1), -EPIPE);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

START_TEST(shutdown_rejects_bad_how) {
        struct netsock_unix_stream *a, *b;
        char c;

        pair(0, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_shutdown(a, 42), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_shutdown(a, -1), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_shutdown(a, 3), -EINVAL);
        /* Nothing was shut down. */
        ck_assert_int_eq(netsock_unix_stream_send(a, "y", 1), 1);
        ck_assert_int_eq(netsock_unix_stream_recv(b, &c, 1), 1);
        ck_assert_int_eq(c, 'y');
        ck_assert_int_eq(netsock_unix_stream_shutdown(a, SHUT_RDWR), 0);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

/* ---- NULL handles and NULL out-parameters -------------------------------- */

START_TEST(null_handle_is_einval_for_every_common_call) {
        struct netsock_unix_stream *s = NS_SENTINEL(netsock_unix_stream);
        struct netsock_unix_listener *l = NS_SENTINEL(netsock_unix_listener);
        struct netsock_addr addr, copy;
        struct iovec iov = { NULL, 0 };
        bool nb = true;
        int err = 12345;
        unsigned ms = 7777;
        char buf[4];

        memset(&addr, 0xa5, sizeof(addr));
        memcpy(&copy, &addr, sizeof(addr));

        ck_assert_int_eq(netsock_unix_stream_fd(NULL), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_into_fd(NULL), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_set_nonblocking(NULL, true), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_is_nonblocking(NULL, &nb), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_try_clone(NULL, &s), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_take_error(NULL, &err), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_local_addr(NULL, &addr), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_peer_addr(NULL, &addr), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_shutdown(NULL, SHUT_RDWR), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_set_read_timeout(NULL, 10), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_read_timeout(NULL, &ms), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_set_write_timeout(NULL, 10), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_write_timeout(NULL, &ms), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_send(NULL, "x", 1), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_send_vectored(NULL, &iov, 1), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_send_all(NULL, "x", 1), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_recv(NULL, buf, sizeof(buf)), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_recv_vectored(NULL, &iov, 1), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_recv_exact(NULL, buf, sizeof(buf)), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_peek(NULL, buf, sizeof(buf)), -EINVAL);

        ck_assert_int_eq(netsock_unix_listener_fd(NULL), -EINVAL);
        ck_assert_int_eq(netsock_unix_listener_into_fd(NULL), -EINVAL);
        ck_assert_int_eq(netsock_unix_listener_set_nonblocking(NULL, false), -EINVAL);
        ck_assert_int_eq(netsock_unix_listener_is_nonblocking(NULL, &nb), -EINVAL);
        ck_assert_int_eq(netsock_unix_listener_try_clone(NULL, &l), -EINVAL);
        ck_assert_int_eq(netsock_unix_listener_take_error(NULL, &err), -EINVAL);
        ck_assert_int_eq(netsock_unix_listener_local_addr(NULL, &addr), -EINVAL);
        ck_assert_int_eq(netsock_unix_listener_accept(NULL, 0, &s, &addr), -EINVAL);

        ck_assert_ptr_eq(s, NS_SENTINEL(netsock_unix_stream));
        ck_assert_ptr_eq(l, NS_SENTINEL(netsock_unix_listener));
        ck_assert(nb);
        ck_assert_int_eq(err, 12345);
        ck_assert_uint_eq(ms, 7777);
        ck_assert(memcmp(&addr, &copy, sizeof(addr)) == 0);
}
END_TEST

START_TEST(null_out_parameter_is_einval) {
        struct netsock_unix_stream *a, *b;
        struct netsock_unix_listener *l;
        int before = ns_count_fds();

        pair(0, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_is_nonblocking(a, NULL), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_try_clone(a, NULL), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_take_error(a, NULL), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_local_addr(a, NULL), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_peer_addr(a, NULL), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_read_timeout(a, NULL), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_write_timeout(a, NULL), -EINVAL);
        ck_assert_int_eq(ns_count_fds(), before + 2);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);

        ck_assert_int_eq(netsock_unix_listener_from_fd(ns_listening_unix_socket(SOCK_STREAM), &l), 0);
        ck_assert_int_eq(netsock_unix_listener_is_nonblocking(l, NULL), -EINVAL);
        ck_assert_int_eq(netsock_unix_listener_try_clone(l, NULL), -EINVAL);
        ck_assert_int_eq(netsock_unix_listener_take_error(l, NULL), -EINVAL);
        ck_assert_int_eq(netsock_unix_listener_local_addr(l, NULL), -EINVAL);
        netsock_unix_listener_close(l);
}
END_TEST

/* ---- data calls ------------------------------------------------------------ */

START_TEST(send_to_closed_peer_is_epipe_without_sigpipe) {
        struct netsock_unix_stream *a, *b;
        struct iovec iov = { (void *) "v", 1 };
        struct sigaction sa;
        sigset_t set, pending;

        /* SIGPIPE at its default action (death) and deliverable: a send
         * that raised it would kill this test. */
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = SIG_DFL;
        ck_assert_int_eq(sigaction(SIGPIPE, &sa, NULL), 0);
        sigemptyset(&set);
        sigaddset(&set, SIGPIPE);
        ck_assert_int_eq(sigprocmask(SIG_UNBLOCK, &set, NULL), 0);

        pair(0, &a, &b);
        netsock_unix_stream_close(b);
        ck_assert_int_eq(netsock_unix_stream_send(a, "x", 1), -EPIPE);
        ck_assert_int_eq(netsock_unix_stream_send_vectored(a, &iov, 1), -EPIPE);
        ck_assert_int_eq(netsock_unix_stream_send_all(a, "abc", 3), -EPIPE);
        sigemptyset(&pending);
        ck_assert_int_eq(sigpending(&pending), 0);
        ck_assert(!sigismember(&pending, SIGPIPE));
        netsock_unix_stream_close(a);
}
END_TEST

START_TEST(vectored_calls_reject_too_many_iovecs) {
        struct netsock_unix_stream *a, *b;
        struct iovec *iov = calloc(IOV_MAX + 1, sizeof(*iov));
        char data[IOV_MAX + 1], c;
        size_t i;

        ck_assert_ptr_nonnull(iov);
        for (i = 0; i <= IOV_MAX; i++) {
                data[i] = (char) i;
                iov[i].iov_base = &data[i];
                iov[i].iov_len = 1;
        }
        pair(NETSOCK_NONBLOCK, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_send_vectored(a, iov, IOV_MAX + 1), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_send_vectored(a, iov, (size_t) -1), -EINVAL);
        /* Nothing was sent. */
        ck_assert_int_eq(netsock_unix_stream_recv(b, &c, 1), -EAGAIN);
        ck_assert_int_eq(netsock_unix_stream_recv_vectored(b, iov, IOV_MAX + 1), -EINVAL);
        /* NULL iov with a count is the same programming error. */
        ck_assert_int_eq(netsock_unix_stream_send_vectored(a, NULL, 1), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_recv_vectored(b, NULL, 1), -EINVAL);
        /* Exactly IOV_MAX is fine. */
        ck_assert_int_eq(netsock_unix_stream_send_vectored(a, iov, IOV_MAX), IOV_MAX);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
        free(iov);
}
END_TEST

START_TEST(null_buffer_with_length_is_einval) {
        struct netsock_unix_stream *a, *b;
        char c;

        pair(NETSOCK_NONBLOCK, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_send(a, NULL, 1), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_send_all(a, NULL, 1), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_recv(b, &c, 1), -EAGAIN);  /* nothing sent */
        ck_assert_int_eq(netsock_unix_stream_send(a, "q", 1), 1);
        ck_assert_int_eq(netsock_unix_stream_recv(b, NULL, 1), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_recv_exact(b, NULL, 1), -EINVAL);
        ck_assert_int_eq(netsock_unix_stream_peek(b, NULL, 1), -EINVAL);
        /* The byte is still there. */
        ck_assert_int_eq(netsock_unix_stream_recv(b, &c, 1), 1);
        ck_assert_int_eq(c, 'q');
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

START_TEST(recv_on_empty_nonblocking_socket_is_eagain) {
        struct netsock_unix_stream *a, *b;
        char buf[4];

        pair(NETSOCK_NONBLOCK, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_recv(a, buf, sizeof(buf)), -EAGAIN);
        ck_assert_int_eq(netsock_unix_stream_peek(a, buf, sizeof(buf)), -EAGAIN);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);

        pair(0, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_set_nonblocking(a, true), 0);
        ck_assert_int_eq(netsock_unix_stream_recv(a, buf, sizeof(buf)), -EAGAIN);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

START_TEST(peek_leaves_data_in_place) {
        struct netsock_unix_stream *a, *b;
        char buf[8];

        pair(0, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_send(a, "peek", 4), 4);
        ck_assert_int_eq(netsock_unix_stream_peek(b, buf, sizeof(buf)), 4);
        ck_assert_mem_eq(buf, "peek", 4);
        ck_assert_int_eq(netsock_unix_stream_recv(b, buf, sizeof(buf)), 4);
        ck_assert_mem_eq(buf, "peek", 4);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

#define BIG (4u * NS_MIB)

START_TEST(send_all_delivers_4_mib_to_a_slow_reader) {
        /* The child reads in small bites with pauses, so that the sender
         * fills the socket buffer again and again. */
        static const struct ns_trickle reader = { .len = BIG, .chunk = 32768, .pause_every = 8, .pause_ms = 2 };
        struct netsock_unix_stream *a, *b;
        unsigned char *buf = malloc(BIG);
        pid_t pid;

        ck_assert_ptr_nonnull(buf);
        ns_fill_pattern(buf, BIG);
        pair(0, &a, &b);
        pid = ns_fork_pattern_reader(netsock_unix_stream_fd(b), netsock_unix_stream_fd(a), &reader);
        netsock_unix_stream_close(b);
        ck_assert_int_eq(netsock_unix_stream_send_all(a, buf, BIG), 0);
        netsock_unix_stream_close(a);
        ns_assert_child_ok(pid);
        free(buf);
}
END_TEST

START_TEST(recv_exact_gets_1_mib_from_a_trickling_sender) {
        /* Many small writes of odd sizes with pauses: recv_exact must
         * stitch them together. */
        static const struct ns_trickle writer = { .len = NS_MIB, .chunk = 7001, .pause_every = 16, .pause_ms = 1 };
        struct netsock_unix_stream *a, *b;
        unsigned char *buf = malloc(NS_MIB);
        pid_t pid;

        ck_assert_ptr_nonnull(buf);
        memset(buf, 0, NS_MIB);
        pair(0, &a, &b);
        pid = ns_fork_pattern_writer(netsock_unix_stream_fd(a), netsock_unix_stream_fd(b), &writer);
        netsock_unix_stream_close(a);
        ck_assert_int_eq(netsock_unix_stream_recv_exact(b, buf, NS_MIB), (ssize_t) NS_MIB);
        ns_assert_pattern(buf, NS_MIB);
        ns_assert_child_ok(pid);
        /* Nothing more than 1 MiB was sent: now EOF. */
        ck_assert_int_eq(netsock_unix_stream_recv(b, buf, 1), 0);
        netsock_unix_stream_close(b);
        free(buf);
}
END_TEST

START_TEST(recv_exact_returns_short_count_only_at_eof) {
        struct netsock_unix_stream *a, *b;
        char buf[100];

        pair(0, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_send_all(a, "0123456789", 10), 0);
        netsock_unix_stream_close(a);
        memset(buf, 0, sizeof(buf));
        ck_assert_int_eq(netsock_unix_stream_recv_exact(b, buf, sizeof(buf)), 10);
        ck_assert_mem_eq(buf, "0123456789", 10);
        ck_assert_int_eq(netsock_unix_stream_recv_exact(b, buf, sizeof(buf)), 0);
        netsock_unix_stream_close(b);
}
END_TEST

/* recv_exact stopped early by a read timeout or by O_NONBLOCK: whatever it
 * answers, the bytes it already took must not vanish.  Either it reports
 * them (a short count) or it fails and they are still there to read. */
static void recv_exact_keeps_partial_data(struct netsock_unix_stream *a, struct netsock_unix_stream *b) {
        char buf[100], rest[100];
        ssize_t n, m;

        ck_assert_int_eq(netsock_unix_stream_send_all(a, "0123456789", 10), 0);
        memset(buf, 0, sizeof(buf));
        n = netsock_unix_stream_recv_exact(b, buf, sizeof(buf));
        ck_assert_msg(n == 10 || n == -EAGAIN, "recv_exact returned %zd", n);
        if (n == 10) {
                ck_assert_mem_eq(buf, "0123456789", 10);
                return;
        }
        ck_assert_int_eq(netsock_unix_stream_set_nonblocking(b, true), 0);
        m = netsock_unix_stream_recv(b, rest, sizeof(rest));
        ck_assert_msg(m == 10, "recv_exact failed with -EAGAIN and consumed the 10 bytes it had read "
                      "(a recv after it returned %zd)", m);
        ck_assert_mem_eq(rest, "0123456789", 10);
}

START_TEST(recv_exact_interrupted_by_timeout_loses_no_data) {
        struct netsock_unix_stream *a, *b;

        pair(0, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_set_read_timeout(b, 100), 0);
        recv_exact_keeps_partial_data(a, b);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

START_TEST(recv_exact_on_nonblocking_socket_loses_no_data) {
        struct netsock_unix_stream *a, *b;

        pair(NETSOCK_NONBLOCK, &a, &b);
        recv_exact_keeps_partial_data(a, b);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

START_TEST(recv_exact_and_send_all_of_nothing) {
        struct netsock_unix_stream *a, *b;
        char buf[1];

        pair(NETSOCK_NONBLOCK, &a, &b);
        ck_assert_int_eq(netsock_unix_stream_send_all(a, NULL, 0), 0);
        ck_assert_int_eq(netsock_unix_stream_recv_exact(b, buf, 0), 0);
        ck_assert_int_eq(netsock_unix_stream_recv_exact(b, NULL, 0), 0);
        ck_assert_int_eq(netsock_unix_stream_recv(b, buf, 1), -EAGAIN);
        netsock_unix_stream_close(a);
        netsock_unix_stream_close(b);
}
END_TEST

static Suite *make(void) {
        Suite *s = suite_create("core");
        TCase *tc;

        tc = ns_tcase(s, "cmsg");
        tcase_add_test(tc, cmsg_parse_rights_with_three_fds);
        tcase_add_test(tc, cmsg_parse_credentials_only);
        tcase_add_test(tc, cmsg_parse_rights_and_credentials);
        tcase_add_test(tc, cmsg_build_of_nothing_is_empty);
        tcase_add_test(tc, cmsg_parse_most_fds_and_creds_fill_the_buffer);
        tcase_add_test(tc, cmsg_parse_empty_buffer);
        tcase_add_test(tc, cmsg_parse_null_buffer);
        tcase_add_test(tc, cmsg_parse_ignores_tail_shorter_than_a_header);
        tcase_add_test(tc, cmsg_parse_truncated_header_is_malformed);
        tcase_add_test(tc, cmsg_parse_header_shorter_than_cmsg_len_zero_is_malformed);
        tcase_add_test(tc, cmsg_parse_ignores_unknown_level_and_type);
        tcase_add_test(tc, cmsg_parse_ignores_short_credentials);
        tcase_add_test(tc, cmsg_parse_rights_ignores_partial_int);
        tcase_add_test(tc, cmsg_parse_concatenated_rights_keep_order);
        tcase_add_test(tc, cmsg_parse_more_fds_than_capacity_is_malformed);
        tcase_add_test(tc, cmsg_parse_survives_fuzzing);

        tc = ns_tcase(s, "handles");
        tcase_add_test(tc, from_fd_rejects_negative_fd);
        tcase_add_test(tc, from_fd_rejects_closed_fd);
        tcase_add_test(tc, from_fd_rejects_pipe);
        tcase_add_test(tc, from_fd_rejects_tcp_socket);
        tcase_add_test(tc, from_fd_rejects_unix_datagram_socket);
        tcase_add_test(tc, from_fd_rejects_unix_seqpacket_socket);
        tcase_add_test(tc, from_fd_rejects_listening_socket_as_stream);
        tcase_add_test(tc, from_fd_rejects_unlistening_socket_as_listener);
        tcase_add_test(tc, from_fd_rejects_null_ret_and_keeps_fd);
        tcase_add_test(tc, from_fd_failure_leaves_fd_flags_alone);
        tcase_add_test(tc, from_fd_sets_cloexec);
        tcase_add_test(tc, from_fd_keeps_nonblocking_mode);
        tcase_add_test(tc, from_fd_adopted_handle_works);
        tcase_add_test(tc, into_fd_returns_same_fd_and_leaves_it_open);
        tcase_add_test(tc, fd_borrows_without_giving_away);
        tcase_add_test(tc, close_null_is_safe);
        tcase_add_test(tc, try_clone_shares_the_connection);
        tcase_add_test(tc, try_clone_of_listener);
        tcase_add_test(tc, set_nonblocking_round_trip);
        tcase_add_test(tc, take_error_on_fresh_pair_is_zero);
        tcase_add_test(tc, local_and_peer_addr_of_pair_are_unnamed);
        tcase_add_test(tc, null_handle_is_einval_for_every_common_call);
        tcase_add_test(tc, null_out_parameter_is_einval);

        tc = ns_tcase(s, "timeouts");
        tcase_add_test(tc, timeouts_read_back);
        tcase_add_test(tc, fresh_socket_has_no_timeouts);
        tcase_add_test(tc, one_ms_timeout_does_not_become_zero);
        tcase_add_test(tc, read_timeout_makes_recv_return_eagain);

        tc = ns_tcase(s, "data");
        tcase_add_test(tc, shutdown_write_gives_peer_eof_other_way_works);
        tcase_add_test(tc, shutdown_rejects_bad_how);
        tcase_add_test(tc, send_to_closed_peer_is_epipe_without_sigpipe);
        tcase_add_test(tc, vectored_calls_reject_too_many_iovecs);
        tcase_add_test(tc, null_buffer_with_length_is_einval);
        tcase_add_test(tc, recv_on_empty_nonblocking_socket_is_eagain);
        tcase_add_test(tc, peek_leaves_data_in_place);
        tcase_add_test(tc, send_all_delivers_4_mib_to_a_slow_reader);
        tcase_add_test(tc, recv_exact_gets_1_mib_from_a_trickling_sender);
        tcase_add_test(tc, recv_exact_returns_short_count_only_at_eof);
        tcase_add_test(tc, recv_exact_and_send_all_of_nothing);
        tcase_add_test(tc, recv_exact_interrupted_by_timeout_loses_no_data);
        tcase_add_test(tc, recv_exact_on_nonblocking_socket_loses_no_data);
        return s;
}

NS_TEST_MAIN(make)
