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

void ns_cmsg_parse(const void *control, size_t controllen, struct ns_cmsg_parsed *out) {
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
                        size_t i, n = datalen / sizeof(int);

                        for (i = 0; i < n; i++) {
                                int fd;

                                memcpy(&fd, data + i * sizeof(int), sizeof(int));
                                if (out->nfds < out->cap) {
                                        out->fds[out->nfds++] = fd;
                                        continue;
                                }
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

unsigned ns_cmsg_flags(const struct ns_cmsg_parsed *p, int msg_flags) {
        unsigned out = 0;

        if (p->rights_dropped > 0 || (msg_flags & MSG_CTRUNC))
                out |= NETSOCK_MSG_CTRUNC;
        if (msg_flags & MSG_TRUNC)
                out |= NETSOCK_MSG_TRUNC;
        if (p->have_creds)
                out |= NETSOCK_MSG_CREDS;
        if (p->pidfd >= 0)
                out |= NETSOCK_MSG_PIDFD;
        return out;
}

void ns_cmsg_close_all(const struct ns_cmsg_parsed *p) {
        size_t i;

        for (i = 0; i < p->nfds; i++)
                ns_close_fd(p->fds[i]);
        for (i = 0; i < p->nexcess; i++)
                ns_close_fd(p->excess[i]);
        ns_close_fd(p->pidfd);
}

size_t ns_cmsg_build(void *control, size_t size, const int *fds, size_t nfds, const struct netsock_creds *creds) {
        unsigned char *p = control;
        size_t used = 0;
        struct cmsghdr h;

        size_t need = (nfds > 0 ? CMSG_SPACE(nfds * sizeof(int)) : 0) + (creds ? CMSG_SPACE(sizeof(struct ucred)) : 0);

        if (need > size)
                return 0;  /* never happens: callers pass NS_CMSG_BUFSIZE and at most 253 fds */
        memset(control, 0, need);  /* the padding the kernel will read */
        if (nfds > 0) {
                h.cmsg_len = CMSG_LEN(nfds * sizeof(int));
                h.cmsg_level = SOL_SOCKET;
                h.cmsg_type = SCM_RIGHTS;
                memcpy(p, &h, sizeof(h));
                memcpy(p + CMSG_LEN(0), fds, nfds * sizeof(int));
                used += CMSG_SPACE(nfds * sizeof(int));
        }
        if (creds) {
                struct ucred uc;

                uc.pid = creds->pid;
                uc.uid = creds->uid;
                uc.gid = creds->gid;
                h.cmsg_len = CMSG_LEN(sizeof(uc));
                h.cmsg_level = SOL_SOCKET;
                h.cmsg_type = SCM_CREDENTIALS;
                memcpy(p + used, &h, sizeof(h));
                memcpy(p + used + CMSG_LEN(0), &uc, sizeof(uc));
                used += CMSG_SPACE(sizeof(uc));
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

ssize_t ns_recv_ancillary(int fd, const struct iovec *iov, size_t iovcnt, struct netsock_ancillary *anc, bool stream) {
        union ns_cmsg_buf cbuf;
        struct ns_cmsg_parsed parsed;
        struct msghdr msg;
        size_t i;
        unsigned out;
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

        ns_cmsg_parse(cbuf.buf, msg.msg_controllen, &parsed);
        if (parsed.malformed) {
                /* The kernel never produces this; do not guess. */
                ns_cmsg_close_all(&parsed);
                return -EBADMSG;
        }
        /* Whatever the caller does not get is closed here: fds past its
         * capacity, and the pidfd when there is no anc to hand it out in
         * (SO_PASSPIDFD may have been set by a service manager the
         * program never saw). */
        for (i = 0; i < parsed.nexcess; i++)
                ns_close_fd(parsed.excess[i]);
        if (parsed.pidfd >= 0 && !anc) {
                ns_close_fd(parsed.pidfd);
                parsed.pidfd = -1;
        }
        out = ns_cmsg_flags(&parsed, msg.msg_flags);
        if (anc) {
                anc->nfds = parsed.nfds;
                if (parsed.have_creds && anc->creds)
                        *anc->creds = parsed.creds;
                anc->pidfd = parsed.pidfd;
                anc->flags = out;
        }
        return n;
}

ssize_t ns_send_fds(int fd, const void *buf, size_t len, const int *fds, size_t nfds, bool stream) {
        struct iovec iov;
        struct netsock_ancillary anc;

        if (!buf && len)
                return -EINVAL;
        iov.iov_base = (void *) buf;
        iov.iov_len = len;
        memset(&anc, 0, sizeof(anc));
        anc.fds = (int *) fds;
        anc.nfds = nfds;
        return ns_send_ancillary(fd, &iov, 1, &anc, stream);
}

ssize_t ns_recv_fds(int fd, void *buf, size_t len, int *fds, size_t *nfds, unsigned *ret_flags, bool stream) {
        struct iovec iov;
        struct netsock_ancillary anc;
        ssize_t n;

        if ((!buf && len) || !nfds)
                return -EINVAL;
        iov.iov_base = buf;
        iov.iov_len = len;
        anc.fds = fds;
        anc.nfds = *nfds;
        anc.creds = NULL;
        n = ns_recv_ancillary(fd, &iov, 1, &anc, stream);
        if (n < 0)
                return n;
        /* recv_fds has nowhere to put a pidfd. */
        if (anc.flags & NETSOCK_MSG_PIDFD)
                ns_close_fd(anc.pidfd);
        *nfds = anc.nfds;
        if (ret_flags)
                *ret_flags = anc.flags & ~NETSOCK_MSG_PIDFD;
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

/* SO_PEERGROUPS: with too small a buffer the kernel answers ERANGE and
 * stores the size it needs, which gives the snprintf-like count. */
ssize_t ns_peer_groups(int fd, gid_t *groups, size_t n) {
        gid_t dummy;
        socklen_t len;

        if (!groups && n)
                return -EINVAL;
        if (n > 0x7fffffff / sizeof(gid_t))
                n = 0x7fffffff / sizeof(gid_t);
        len = (socklen_t) (n * sizeof(gid_t));
        if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups ? groups : &dummy, &len) < 0 && errno != ERANGE)
                return -errno;
        return (ssize_t) (len / sizeof(gid_t));
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
