/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the control-message parser (ns_cmsg_parse) and the flags a
 * receive reports (ns_cmsg_flags), against a reference walk written here.
 *
 * Input: [0..1] controllen selector (little endian), [2] capacity of the
 * caller's fd array (0..NETSOCK_MAX_FDS), [3] msg_flags bits and the
 * buffer's misalignment, [4..] the control bytes.  The control buffer is
 * copied to a heap block of exactly controllen bytes and the fd array to
 * one of exactly cap ints, so ASan reports any read or write past them.
 *
 * What must hold (API.md §5, §10): the parser never reads past
 * controllen, stores at most cap fds, and every fd a well-formed
 * SCM_RIGHTS or SCM_PIDFD header carried before the first malformed one
 * is accounted for exactly once -- in fds[] (handed out), pidfd (the
 * first SCM_PIDFD) or excess[] (closed by the receive path) -- so no fd
 * that is not handed out stays open.  Credentials are the last
 * SCM_CREDENTIALS; CTRUNC is reported exactly when fds were lost.
 */
#include "fuzz-common.h"

#include "internal.h"

/* The reference's view of one buffer. */
struct ref {
        int fds[NETSOCK_MAX_FDS];
        size_t nfds, dropped;
        int excess[NS_CMSG_MAXFDS];
        size_t nexcess;
        int pidfd;
        bool have_creds, malformed, overflow;
        struct netsock_creds creds;
};

static size_t get_size(const unsigned char *p) {
        size_t v;

        memcpy(&v, p, sizeof(v));
        return v;
}

static int get_int(const unsigned char *p) {
        int v;

        memcpy(&v, p, sizeof(v));
        return v;
}

/* An fd nobody is given; false when excess[] is full, which the parser
 * must call malformed (no buffer the kernel fills can get there). */
static bool ref_excess(struct ref *r, int fd) {
        if (r->nexcess == sizeof(r->excess) / sizeof(r->excess[0])) {
                r->malformed = r->overflow = true;
                return false;
        }
        r->excess[r->nexcess++] = fd;
        return true;
}

/* Header: cmsg_len (size_t), cmsg_level, cmsg_type (int); data after
 * HDR bytes; the next header at cmsg_len rounded up to size_t. */
#define HDR   (sizeof(size_t) + 2 * sizeof(int))
#define ALIGN(n) (((n) + sizeof(size_t) - 1) & ~(sizeof(size_t) - 1))

static void ref_walk(const unsigned char *buf, size_t len, size_t cap, struct ref *r) {
        size_t pos = 0;

        memset(r, 0, sizeof(*r));
        r->pidfd = -1;
        while (pos + HDR <= len) {
                size_t clen = get_size(buf + pos), dlen;
                int level = get_int(buf + pos + sizeof(size_t));
                int type = get_int(buf + pos + sizeof(size_t) + sizeof(int));
                const unsigned char *d = buf + pos + HDR;

                if (clen < HDR || clen > len - pos) {
                        r->malformed = true;
                        return;
                }
                dlen = clen - HDR;
                if (level == SOL_SOCKET && type == SCM_RIGHTS) {
                        for (size_t k = 0; k + sizeof(int) <= dlen; k += sizeof(int)) {
                                int fd = get_int(d + k);

                                if (r->nfds < cap) {
                                        r->fds[r->nfds++] = fd;
                                } else {
                                        if (!ref_excess(r, fd))
                                                return;
                                        r->dropped++;
                                }
                        }
                } else if (level == SOL_SOCKET && type == SCM_PIDFD && dlen >= sizeof(int)) {
                        int fd = get_int(d);

                        if (r->pidfd == -1 && fd >= 0)
                                r->pidfd = fd;
                        else if (!ref_excess(r, fd))
                                return;
                } else if (level == SOL_SOCKET && type == SCM_CREDENTIALS && dlen >= 3 * sizeof(int)) {
                        r->creds.pid = get_int(d);
                        r->creds.uid = (uid_t) get_int(d + sizeof(int));
                        r->creds.gid = (gid_t) get_int(d + 2 * sizeof(int));
                        r->have_creds = true;
                }
                if (ALIGN(clen) > len - pos)
                        return;
                pos += ALIGN(clen);
        }
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        (void) argc;
        (void) argv;
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static struct ns_cmsg_parsed got;
        static struct ref want;
        const unsigned char *ctl = data + 4;
        size_t avail, len, cap, shift;
        unsigned char *mem, *buf;
        int *fds, msg_flags = 0;
        unsigned flags, want_flags;

        if (size < 4)
                return 0;
        avail = size - 4;
        len = ((size_t) data[0] | (size_t) data[1] << 8) % (avail + 1);
        cap = data[2] % (NETSOCK_MAX_FDS + 1);
        shift = (data[3] >> 4) & 7;
        if (data[3] & 1)
                msg_flags |= MSG_CTRUNC;
        if (data[3] & 2)
                msg_flags |= MSG_TRUNC;
        if (data[3] & 4)
                msg_flags |= MSG_EOR | MSG_OOB | MSG_ERRQUEUE;

        /* Exactly len bytes, at an offset from malloc's alignment when
         * shift says so: ASan catches a read past len, UBSan a misaligned
         * access. */
        mem = malloc(len + shift);
        FUZZ_CHECK(mem);
        buf = mem + shift;
        memcpy(buf, ctl, len);
        fds = cap > 0 || (data[3] & 8) ? malloc(cap * sizeof(int)) : NULL;
        FUZZ_CHECK(fds || cap == 0);

        /* Everything the parser reports must be written by it. */
        memset(&got, 0xa5, sizeof(got));
        got.fds = fds;
        got.cap = cap;
        ns_cmsg_parse(buf, len, &got);
        ref_walk(ctl, len, cap, &want);

        FUZZ_CHECK(got.fds == fds && got.cap == cap);
        FUZZ_CHECK(got.malformed == want.malformed);
        FUZZ_CHECK(got.nfds <= cap);
        FUZZ_CHECK(got.nfds == want.nfds);
        FUZZ_CHECK(got.nfds == 0 || memcmp(got.fds, want.fds, got.nfds * sizeof(int)) == 0);
        FUZZ_CHECK(got.nexcess == want.nexcess);
        FUZZ_CHECK(got.nexcess == 0 || memcmp(got.excess, want.excess, got.nexcess * sizeof(int)) == 0);
        FUZZ_CHECK(got.rights_dropped == want.dropped);
        FUZZ_CHECK(got.pidfd == want.pidfd);
        FUZZ_CHECK(got.have_creds == want.have_creds);
        if (want.have_creds)
                FUZZ_CHECK(got.creds.pid == want.creds.pid && got.creds.uid == want.creds.uid &&
                           got.creds.gid == want.creds.gid);
        else
                FUZZ_CHECK(got.creds.pid == 0 && got.creds.uid == 0 && got.creds.gid == 0);
        /* A buffer the size the receive path passes to recvmsg can never
         * fill excess[]: every fd it carries is accounted for. */
        if (len <= NS_CMSG_BUFSIZE)
                FUZZ_CHECK(!want.overflow);

        if (!got.malformed) {
                flags = ns_cmsg_flags(&got, msg_flags);
                want_flags = (want.dropped > 0 || (msg_flags & MSG_CTRUNC) ? NETSOCK_MSG_CTRUNC : 0) |
                             (msg_flags & MSG_TRUNC ? NETSOCK_MSG_TRUNC : 0) |
                             (want.have_creds ? NETSOCK_MSG_CREDS : 0) | (want.pidfd >= 0 ? NETSOCK_MSG_PIDFD : 0);
                FUZZ_CHECK(flags == want_flags);
        }

        /* No control buffer at all: nothing found, nothing read. */
        memset(&got, 0xa5, sizeof(got));
        got.fds = fds;
        got.cap = cap;
        ns_cmsg_parse(NULL, len, &got);
        FUZZ_CHECK(got.nfds == 0 && got.nexcess == 0 && got.pidfd == -1 && !got.have_creds && !got.malformed);

        free(fds);
        free(mem);
        return 0;
}
