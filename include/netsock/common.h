/* SPDX-License-Identifier: MIT */
/*
 * Shared definitions of the public headers: flags, the credentials and
 * ancillary-data structs, and the C/C++ glue.  Included by every module
 * header; not meant to be included on its own.
 */
#ifndef NETSOCK_COMMON_H
#define NETSOCK_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#ifdef __cplusplus
#define NETSOCK_BEGIN_DECLS extern "C" {
#define NETSOCK_END_DECLS }
#else
#define NETSOCK_BEGIN_DECLS
#define NETSOCK_END_DECLS
#endif

/* Flags for constructors (connect, pair, bind, accept, new, from listen). */
#define NETSOCK_NONBLOCK         0x1u  /* the new handle is non-blocking */
#define NETSOCK_REMOVE_ON_CLOSE  0x2u  /* Unix listeners: close unlinks the socket file if still ours */
#define NETSOCK_REPLACE_STALE    0x4u  /* Unix listeners: bind replaces a socket file nobody listens on */

/* Out-flags of netsock_*_recv_fds / netsock_ancillary.flags. */
#define NETSOCK_MSG_TRUNC   0x1u  /* the packet was longer than the buffer (seqpacket) */
#define NETSOCK_MSG_CTRUNC  0x2u  /* fds were lost: capacity or the fd limit too small */
#define NETSOCK_MSG_CREDS   0x4u  /* credentials arrived (stored where creds points, if set) */
#define NETSOCK_MSG_PIDFD   0x8u  /* the sender's pidfd arrived in netsock_ancillary.pidfd */

/* The most fds one message can carry (the kernel's SCM_MAX_FD). */
#define NETSOCK_MAX_FDS 253

NETSOCK_BEGIN_DECLS

struct netsock_creds {
        pid_t pid;
        uid_t uid;
        gid_t gid;
};

struct netsock_ancillary {
        int *fds;                    /* send: fds to pass; recv: where received fds are stored */
        size_t nfds;                 /* send: how many; recv: in = capacity of fds, out = how many arrived */
        struct netsock_creds *creds; /* send: credentials to attach, or NULL; recv: where to store them, or NULL */
        unsigned flags;              /* recv, out: NETSOCK_MSG_TRUNC | _CTRUNC | _CREDS | _PIDFD */
        int pidfd;                   /* recv, out: the sender's pidfd when NETSOCK_MSG_PIDFD is in
                                        flags (the caller owns and closes it), else -1. send: ignored. */
};

NETSOCK_END_DECLS

#endif
