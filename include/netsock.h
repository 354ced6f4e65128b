/* SPDX-License-Identifier: MIT */
/*
 * libnetsock — safe, complete socket types for C programs on Linux.
 *
 * The umbrella header: include this one and get every module.  Each part can
 * also be included on its own as <netsock/NAME.h>.  See netsock(7).
 */
#ifndef NETSOCK_H
#define NETSOCK_H

#include <netsock/error.h>
#include <netsock/addr.h>
#include <netsock/unix_stream.h>
#include <netsock/seqpacket.h>
#include <netsock/tcp_socket.h>
#include <netsock/tcp_stream.h>
#include <netsock/poll.h>
#include <netsock/activation.h>

#endif
