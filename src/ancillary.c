/* SPDX-License-Identifier: MIT */
/*
 * Ancillary data: fd passing (SCM_RIGHTS) and credentials
 * (SCM_CREDENTIALS), shared by unix_stream and seqpacket.
 *
 * The receive side is where raw sockets leak fds.  The kernel installs
 * every passed fd it can fit in the caller's control buffer and silently
 * closes the rest (setting MSG_CTRUNC); fds that did get installed belong to
 * the process from then on, whether the program looks at them or not.  So
 * we always receive into a buffer large enough for the most fds one message
 * can carry (SCM_MAX_FD = 253) plus one set of credentials, hand the caller
 * as many as fit its capacity and close the others ourselves, reporting
 * NETSOCK_MSG_CTRUNC.  MSG_CMSG_CLOEXEC makes every received fd
 * close-on-exec atomically.
 *
 * ns_cmsg_parse() is a pure function over the control bytes so that it can
 * be tested (and fuzzed) without sockets.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A control buffer aligned for struct cmsghdr. */
union ns_cmsg_buf {
        struct cmsghdr align;
        unsigned char buf[NS_CMSG_BUFSIZE];
};

/* An fd that nobody gets: into excess[] (which holds as many fds as any
 * buffer of NS_CMSG_BUFSIZE can, so a fuller one is malformed). */
static bool add_excess(struct ns_cmsg_parsed *out, int fd) {
        if (out->nexcess == sizeof(out->excess) / sizeof(out->excess[0]))
                return false;
        out->excess[out->nexcess++] = fd;
        return true;
}

/* The parser's body, inline so that the receive calls have it in place
 * (one call less per message); ns_cmsg_parse is the same for the tests
 * and the fuzzer. */
static inline __attribute__((always_inline)) void cmsg_parse(const void *control, size_t controllen, struct ns_cmsg_parsed *out) {
        const unsigned char *base = control;
        size_t off = 0;

        /* Not the whole struct: excess[] is large and only nexcess of it
         * counts. */
        out->nfds = 0;
        out->rights_dropped = 0;
        out->nexcess = 0;
        out->pidfd = -1;
        out->have_creds = false;
        out->malformed = false;
        memset(&out->creds, 0, sizeof(out->creds));
        if (!control)
                return;
        /* Walk by hand rather than with CMSG_NXTHDR: every length is checked
         * against the buffer, so any byte string is safe to parse. */
        while (controllen - off >= sizeof(struct cmsghdr)) {
                struct cmsghdr h;
                const unsigned char *data;
                size_t datalen, step;

                memcpy(&h, base + off, sizeof(h));
                if (h.cmsg_len < CMSG_LEN(0) || h.cmsg_len > controllen - off) {
                        out->malformed = true;
                        return;
                }
                data = base + off + CMSG_LEN(0);
                datalen = h.cmsg_len - CMSG_LEN(0);
                if (h.cmsg_level == SOL_SOCKET && h.cmsg_type == SCM_RIGHTS) {
                        size_t i, n = datalen / sizeof(int), take = out->cap - out->nfds;

                        /* What fits goes to the caller's array in one copy
                         * (nfds never passes cap); the rest to excess[]. */
                        if (take > n)
                                take = n;
                        if (take > 0) {
                                memcpy(out->fds + out->nfds, data, take * sizeof(int));
                                out->nfds += take;
                        }
                        for (i = take; i < n; i++) {
                                int fd;

                                memcpy(&fd, data + i * sizeof(int), sizeof(int));
                                if (!add_excess(out, fd)) {
                                        out->malformed = true;
                                        return;
                                }
                                out->rights_dropped++;
                        }
                } else if (h.cmsg_level == SOL_SOCKET && h.cmsg_type == SCM_PIDFD && datalen >= sizeof(int)) {
                        int fd;

                        /* The kernel sends one; keep the first, close any other. */
                        memcpy(&fd, data, sizeof(int));
                        if (out->pidfd < 0 && fd >= 0) {
                                out->pidfd = fd;
                        } else if (!add_excess(out, fd)) {
                                out->malformed = true;
                                return;
                        }
                } else if (h.cmsg_level == SOL_SOCKET && h.cmsg_type == SCM_CREDENTIALS &&
                           datalen >= sizeof(struct ucred)) {
                        struct ucred uc;

                        memcpy(&uc, data, sizeof(uc));
                        out->creds.pid = uc.pid;
                        out->creds.uid = uc.uid;
                        out->creds.gid = uc.gid;
                        out->have_creds = true;
                }
                step = CMSG_ALIGN(h.cmsg_len);
                if (step > controllen - off)
                        break;
                off += step;
        }
}

void ns_cmsg_parse(const void *control, size_t controllen, struct ns_cmsg_parsed *out) {
        cmsg_parse(control, controllen, out);
}

void ns_cmsg_close_all(const struct ns_cmsg_parsed *p) {
        size_t i;

        for (i = 0; i < p->nfds; i++)
                ns_close_fd(p->fds[i]);
        for (i = 0; i < p->nexcess; i++)
                ns_close_fd(p->excess[i]);
        ns_close_fd(p->pidfd);
}

/* Writes one SOL_SOCKET control message at p (aligned for cmsghdr) and
 * returns the room it takes, CMSG_SPACE(len).  The padding after the data
 * is sent to the kernel too, so it is zeroed, but only it: the last aligned
 * word is cleared before the data is copied over its first part, instead
 * of clearing the whole buffer first. */
static size_t put_cmsg(unsigned char *p, int type, const void *data, size_t len) {
        struct cmsghdr h;
        size_t space = CMSG_SPACE(len);

        memset(p + space - sizeof(size_t), 0, sizeof(size_t));
        h.cmsg_len = CMSG_LEN(len);
        h.cmsg_level = SOL_SOCKET;
        h.cmsg_type = type;
        memcpy(p, &h, sizeof(h));
        memcpy(p + CMSG_LEN(0), data, len);
        return space;
}

size_t ns_cmsg_build(void *control, size_t size, const int *fds, size_t nfds, const struct netsock_creds *creds) {
        unsigned char *p = control;
        size_t used = 0;
        size_t need = (nfds > 0 ? CMSG_SPACE(nfds * sizeof(int)) : 0) + (creds ? CMSG_SPACE(sizeof(struct ucred)) : 0);

        if (need > size)
                return 0;  /* never happens: callers pass NS_CMSG_BUFSIZE and at most 253 fds */
        if (nfds > 0)
                used += put_cmsg(p, SCM_RIGHTS, fds, nfds * sizeof(int));
        if (creds) {
                struct ucred uc;

                uc.pid = creds->pid;
                uc.uid = creds->uid;
                uc.gid = creds->gid;
                used += put_cmsg(p + used, SCM_CREDENTIALS, &uc, sizeof(uc));
        }
        return used;
}

static size_t iov_total(const struct iovec *iov, size_t iovcnt) {
        size_t i, total = 0;

        for (i = 0; i < iovcnt; i++)
                total += iov[i].iov_len;
        return total;
}

ssize_t ns_send_ancillary(int fd, const struct iovec *iov, size_t iovcnt, const struct netsock_ancillary *anc, bool stream) {
        union ns_cmsg_buf cbuf;
        struct msghdr msg;
        ssize_t n;
        int r = ns_msg_init(&msg, iov, iovcnt);

        if (r < 0)
                return r;
        if (anc && (anc->nfds > 0 || anc->creds)) {
                if (anc->nfds > NETSOCK_MAX_FDS || (anc->nfds > 0 && !anc->fds))
                        return -EINVAL;
                /* On a stream socket the kernel queues ancillary data with
                 * the bytes it goes with; with no bytes it is dropped
                 * without an error.  Refuse instead of losing fds. */
                if (stream && iov_total(iov, iovcnt) == 0)
                        return -EINVAL;
                msg.msg_control = cbuf.buf;
                msg.msg_controllen = ns_cmsg_build(cbuf.buf, sizeof(cbuf.buf), anc->fds, anc->nfds, anc->creds);
        }
        n = sendmsg(fd, &msg, MSG_NOSIGNAL);
        return n < 0 ? -errno : n;
}

/* After a recvmsg into control: parses it (the SCM_RIGHTS fds land in
 * p->fds), closes whatever the caller does not get (fds past its capacity;
 * the pidfd unless want_pidfd: SO_PASSPIDFD may have been set by a service
 * manager the program never saw) and computes the NETSOCK_MSG_* flags. */
static inline __attribute__((always_inline)) int take_control(const void *control, const struct msghdr *msg, struct ns_cmsg_parsed *p, bool want_pidfd, unsigned *ret_flags) {
        size_t i;

        cmsg_parse(control, msg->msg_controllen, p);
        if (p->malformed) {
                /* The kernel never produces this; do not guess. */
                ns_cmsg_close_all(p);
                return -EBADMSG;
        }
        for (i = 0; i < p->nexcess; i++)
                ns_close_fd(p->excess[i]);
        if (p->pidfd >= 0 && !want_pidfd) {
                ns_close_fd(p->pidfd);
                p->pidfd = -1;
        }
        *ret_flags = ns_cmsg_flags(p, msg->msg_flags);
        return 0;
}

ssize_t ns_recv_ancillary(int fd, const struct iovec *iov, size_t iovcnt, struct netsock_ancillary *anc, bool stream) {
        union ns_cmsg_buf cbuf;
        struct ns_cmsg_parsed parsed;
        struct msghdr msg;
        unsigned out = 0;
        ssize_t n;
        int r = ns_msg_init(&msg, iov, iovcnt);

        if (r < 0)
                return r;
        parsed.fds = anc ? anc->fds : NULL;
        parsed.cap = anc ? anc->nfds : 0;
        if (parsed.cap > 0 && !parsed.fds)
                return -EINVAL;
        /* A stream recvmsg with no room for bytes still takes the next
         * message's fds and returns 0, which reads as EOF: refuse it. */
        if (stream && iov_total(iov, iovcnt) == 0)
                return -EINVAL;
        msg.msg_control = cbuf.buf;
        msg.msg_controllen = sizeof(cbuf.buf);
        n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
        if (n < 0)
                return -errno;

        r = take_control(cbuf.buf, &msg, &parsed, anc != NULL, &out);
        if (r < 0)
                return r;
        if (anc) {
                anc->nfds = parsed.nfds;
                if (parsed.have_creds && anc->creds)
                        *anc->creds = parsed.creds;
                anc->pidfd = parsed.pidfd;
                anc->flags = out;
        }
        return n;
}

/* send_fds and recv_fds are the ancillary calls with one buffer and fds
 * only, written out rather than through a struct netsock_ancillary: no
 * iovec array, ancillary struct or big control buffer to set up (issue 12).
 * The checks and results are those of the general calls. */
ssize_t ns_send_fds(int fd, const void *buf, size_t len, const int *fds, size_t nfds, bool stream) {
        union {
                struct cmsghdr align;
                unsigned char buf[CMSG_SPACE(sizeof(int) * NETSOCK_MAX_FDS)];
        } cbuf;
        struct iovec iov = { (void *) buf, len };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
        ssize_t n;

        if (!buf && len)
                return -EINVAL;
        if (nfds > 0) {
                if (nfds > NETSOCK_MAX_FDS || !fds)
                        return -EINVAL;
                if (stream && len == 0)
                        return -EINVAL;  /* see ns_send_ancillary */
                msg.msg_control = cbuf.buf;
                msg.msg_controllen = put_cmsg(cbuf.buf, SCM_RIGHTS, fds, nfds * sizeof(int));
        }
        n = sendmsg(fd, &msg, MSG_NOSIGNAL);
        return n < 0 ? -errno : n;
}

ssize_t ns_recv_fds(int fd, void *buf, size_t len, int *fds, size_t *nfds, unsigned *ret_flags, bool stream) {
        union ns_cmsg_buf cbuf;
        struct ns_cmsg_parsed parsed;
        struct iovec iov = { buf, len };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf.buf, .msg_controllen = sizeof(cbuf.buf) };
        unsigned out;
        ssize_t n;
        int r;

        if ((!buf && len) || !nfds || (*nfds > 0 && !fds))
                return -EINVAL;
        if (stream && len == 0)
                return -EINVAL;  /* see ns_recv_ancillary */
        parsed.fds = fds;
        parsed.cap = *nfds;
        n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
        if (n < 0)
                return -errno;
        /* recv_fds has nowhere to put a pidfd. */
        r = take_control(cbuf.buf, &msg, &parsed, false, &out);
        if (r < 0)
                return r;
        *nfds = parsed.nfds;
        if (ret_flags)
                *ret_flags = out;
        return n;
}

int ns_peer_credentials(int fd, struct netsock_creds *ret) {
        struct ucred uc;
        socklen_t len = sizeof(uc);

        if (!ret)
                return -EINVAL;
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) < 0)
                return -errno;
        ret->pid = uc.pid;
        ret->uid = uc.uid;
        ret->gid = uc.gid;
        return 0;
}

/* SO_PEERPIDFD (Linux 6.5) makes a new fd, close-on-exec. */
int ns_peer_pidfd(int fd, int *ret_pidfd) {
        int pidfd = -1;
        socklen_t len = sizeof(pidfd);

        if (!ret_pidfd)
                return -EINVAL;
        if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) < 0)
                return -errno;
        *ret_pidfd = pidfd;
        return 0;
}

/* SO_PEERGROUPS: with too small a buffer the kernel answers ERANGE,
 * stores the size it needs (the snprintf-like count) and copies nothing.
 * The groups were fixed at connect time, so asking again with room for
 * all of them gives the first n that the caller's n promises. */
ssize_t ns_peer_groups(int fd, gid_t *groups, size_t n) {
        gid_t dummy, *all;
        socklen_t len;
        size_t count;

        if (!groups && n)
                return -EINVAL;
        if (n > 0x7fffffff / sizeof(gid_t))
                n = 0x7fffffff / sizeof(gid_t);
        len = (socklen_t) (n * sizeof(gid_t));
        if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups ? groups : &dummy, &len) == 0)
                return (ssize_t) (len / sizeof(gid_t));
        if (errno != ERANGE)
                return -errno;
        count = len / sizeof(gid_t);
        if (n == 0)
                return (ssize_t) count;
        all = malloc(len);
        if (!all)
                return -ENOMEM;
        if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, all, &len) < 0) {
                int r = -errno;

                free(all);
                return r;
        }
        memcpy(groups, all, n * sizeof(gid_t));
        free(all);
        return (ssize_t) count;
}

ssize_t ns_peer_security_context(int fd, char *buf, size_t size) {
        char dummy;
        socklen_t len;

        if (!buf && size)
                return -EINVAL;
        if (size > 0x7fffffff)
                size = 0x7fffffff;
        len = (socklen_t) size;
        /* With a too-small buffer the kernel answers ERANGE and stores the
         * length it needs: that is the snprintf-style result. */
        if (getsockopt(fd, SOL_SOCKET, SO_PEERSEC, buf ? buf : &dummy, &len) < 0) {
                if (errno == ERANGE)
                        return (ssize_t) len;
                return -errno;
        }
        if ((size_t) len < size)
                buf[len] = '\0';
        return (ssize_t) len;
}
