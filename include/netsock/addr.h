/* SPDX-License-Identifier: MIT */
/*
 * Socket addresses: IPv4, IPv6 (with scope ids), Unix paths and Linux
 * abstract names, parsed and formatted without DNS and without truncation.
 * See netsock_addr_parse(3).
 */
#ifndef NETSOCK_ADDR_H
#define NETSOCK_ADDR_H

#include <netsock/common.h>

NETSOCK_BEGIN_DECLS

struct netsock_addr {
        socklen_t len;                   /* bytes of storage in use; 0 = empty */
        struct sockaddr_storage storage;
};

/* Enough for any formatted address plus the NUL: "@" + 107 bytes as \xHH. */
#define NETSOCK_ADDRSTRLEN 432

/* netsock_addr_unix_kind() results. */
#define NETSOCK_UNIX_UNNAMED  0
#define NETSOCK_UNIX_PATH     1
#define NETSOCK_UNIX_ABSTRACT 2

int  netsock_addr_parse(struct netsock_addr *ret, const char *text);
int  netsock_addr_unix(struct netsock_addr *ret, const char *path);
int  netsock_addr_abstract(struct netsock_addr *ret, const void *name, size_t len);
int  netsock_addr_from_sockaddr(struct netsock_addr *ret, const struct sockaddr *sa, socklen_t len);
int  netsock_addr_format(const struct netsock_addr *a, char *buf, size_t size);
int  netsock_addr_family(const struct netsock_addr *a);
int  netsock_addr_unix_kind(const struct netsock_addr *a);
int  netsock_addr_port(const struct netsock_addr *a);
bool netsock_addr_equal(const struct netsock_addr *a, const struct netsock_addr *b);

NETSOCK_END_DECLS

#endif
