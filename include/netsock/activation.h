/* SPDX-License-Identifier: MIT */
/*
 * Socket activation: the sockets a service manager (systemd, s6,
 * systemd-socket-activate) opened for this process and passed in at fd 3
 * onwards, described by LISTEN_PID, LISTEN_PIDFDID, LISTEN_FDS and
 * LISTEN_FDNAMES.  See netsock_listen_fds(3).
 */
#ifndef NETSOCK_ACTIVATION_H
#define NETSOCK_ACTIVATION_H

#include <netsock/common.h>

NETSOCK_BEGIN_DECLS

/* The first passed fd; the others follow without gaps. */
#define NETSOCK_LISTEN_FDS_START 3
/* Remove the LISTEN_* variables from the environment, so children do not see them. */
#define NETSOCK_LISTEN_UNSET_ENV 0x1u

struct netsock_listen_fd {
        int fd;
        char name[256];   /* from LISTEN_FDNAMES; "unknown" when none was given */
};

int netsock_listen_fds(unsigned flags, struct netsock_listen_fd *ret, size_t max);

NETSOCK_END_DECLS

#endif
