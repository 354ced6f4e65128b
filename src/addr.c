/* SPDX-License-Identifier: MIT */
/*
 * Addresses: parse, build, format and compare IPv4, IPv6, Unix path and
 * Linux abstract addresses.
 *
 * Unix addresses are the trap here.  An abstract name is the exact bytes
 * after sun_path[0] == '\0', its length given only by the address length:
 * passing sizeof(struct sockaddr_un) pads the name with NULs and makes it a
 * different name.  So every Unix address keeps its exact length, and paths
 * are stored as offsetof(sun_path) + strlen + 1, the form the kernel itself
 * reports (a full 108-byte path keeps length sizeof(sockaddr_un), its NUL
 * lying just past it in the storage).  Nothing is ever truncated: a path that does not fit is
 * -ENAMETOOLONG.
 */
#include "internal.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#define SUN_OFF offsetof(struct sockaddr_un, sun_path)
#define SUN_MAX (sizeof(((struct sockaddr_un *) 0)->sun_path))  /* 108 */

static void addr_init(struct netsock_addr *a, int family, socklen_t len) {
        memset(a, 0, sizeof(*a));
        a->storage.ss_family = (sa_family_t) family;
        a->len = len;
}

NS_EXPORT int netsock_addr_unix(struct netsock_addr *ret, const char *path) {
        struct netsock_addr a;
        size_t n;

        if (!ret || !path || !*path)
                return -EINVAL;
        n = strlen(path);
        if (n > SUN_MAX - 1)
                return -ENAMETOOLONG;
        addr_init(&a, AF_UNIX, (socklen_t) (SUN_OFF + n + 1));
        memcpy(((struct sockaddr_un *) &a.storage)->sun_path, path, n);
        *ret = a;
        return 0;
}

NS_EXPORT int netsock_addr_abstract(struct netsock_addr *ret, const void *name, size_t len) {
        struct netsock_addr a;

        if (!ret || (!name && len))
                return -EINVAL;
        if (len > SUN_MAX - 1)
                return -ENAMETOOLONG;
        addr_init(&a, AF_UNIX, (socklen_t) (SUN_OFF + 1 + len));
        if (len)
                memcpy(((struct sockaddr_un *) &a.storage)->sun_path + 1, name, len);
        *ret = a;
        return 0;
}

int ns_addr_unix_name(struct netsock_addr *ret, const char *name) {
        if (!name)
                return -EINVAL;
        if (name[0] == '@')
                return netsock_addr_abstract(ret, name + 1, strlen(name + 1));
        return netsock_addr_unix(ret, name);
}

/* "0".."65535", decimal digits only. */
static int parse_port(const char *s, in_port_t *ret) {
        unsigned long v = 0;
        const char *p;

        if (!*s)
                return -EINVAL;
        for (p = s; *p; p++) {
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                v = v * 10 + (unsigned long) (*p - '0');
                if (v > 65535)
                        return -EINVAL;
        }
        *ret = htons((in_port_t) v);
        return 0;
}

/* "[addr]:port" or "[addr%scope]:port"; numeric only. */
static int parse_v6(struct netsock_addr *ret, const char *text) {
        char host[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
        const char *close = strchr(text, ']');
        struct sockaddr_in6 *sin6;
        struct netsock_addr a;
        char *pct;
        size_t n;
        int r;

        if (!close || close[1] != ':')
                return -EINVAL;
        n = (size_t) (close - (text + 1));
        if (n == 0 || n >= sizeof(host))
                return -EINVAL;
        memcpy(host, text + 1, n);
        host[n] = '\0';
        addr_init(&a, AF_INET6, sizeof(struct sockaddr_in6));
        sin6 = (struct sockaddr_in6 *) &a.storage;
        pct = strchr(host, '%');
        if (pct) {
                const char *scope = pct + 1;
                char *end;
                unsigned long v;

                *pct = '\0';
                if (!*scope)
                        return -EINVAL;
                v = strtoul(scope, &end, 10);
                if (*scope >= '0' && *scope <= '9' && !*end && v <= 0xffffffffUL)
                        sin6->sin6_scope_id = (uint32_t) v;
                else if (!(sin6->sin6_scope_id = if_nametoindex(scope)))
                        return -EINVAL;  /* no such interface */
        }
        if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
                return -EINVAL;
        r = parse_port(close + 2, &sin6->sin6_port);
        if (r < 0)
                return r;
        *ret = a;
        return 0;
}

/* Only digits and dots before a colon: the text means IPv4. */
static bool looks_v4(const char *text) {
        const char *p = text;

        if (!(*p >= '0' && *p <= '9'))
                return false;
        while ((*p >= '0' && *p <= '9') || *p == '.')
                p++;
        return *p == ':';
}

static int parse_v4(struct netsock_addr *ret, const char *text) {
        char host[INET_ADDRSTRLEN];
        const char *colon = strchr(text, ':');
        struct sockaddr_in *sin;
        struct netsock_addr a;
        size_t n = (size_t) (colon - text);
        int r;

        if (n >= sizeof(host))
                return -EINVAL;
        memcpy(host, text, n);
        host[n] = '\0';
        addr_init(&a, AF_INET, sizeof(struct sockaddr_in));
        sin = (struct sockaddr_in *) &a.storage;
        if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
                return -EINVAL;
        r = parse_port(colon + 1, &sin->sin_port);
        if (r < 0)
                return r;
        *ret = a;
        return 0;
}

NS_EXPORT int netsock_addr_parse(struct netsock_addr *ret, const char *text) {
        if (!ret || !text)
                return -EINVAL;
        if (text[0] == '[')
                return parse_v6(ret, text);
        if (looks_v4(text))
                return parse_v4(ret, text);
        return ns_addr_unix_name(ret, text);
}

/* Brings a Unix address to the canonical form: a path ends at its first
 * NUL and is stored with exactly one NUL after it (there is room: the
 * storage is larger than sockaddr_un, so a 108-byte sun_path without NUL
 * from the kernel still gets one); an abstract name keeps its exact bytes. */
static void unix_from(struct netsock_addr *ret, const struct sockaddr *sa, socklen_t len) {
        const struct sockaddr_un *sun = (const struct sockaddr_un *) sa;
        size_t avail;

        if (len > SUN_OFF + SUN_MAX)
                len = SUN_OFF + SUN_MAX;
        addr_init(ret, AF_UNIX, len);
        if (len <= SUN_OFF) {
                ret->len = (socklen_t) SUN_OFF;  /* unnamed */
                return;
        }
        avail = len - SUN_OFF;
        if (sun->sun_path[0] == '\0') {
                memcpy(((struct sockaddr_un *) &ret->storage)->sun_path, sun->sun_path, avail);
                return;
        }
        avail = strnlen(sun->sun_path, avail);
        memcpy(((struct sockaddr_un *) &ret->storage)->sun_path, sun->sun_path, avail);
        /* A full 108-byte sun_path has no room for its NUL inside
         * sockaddr_un; the kernel refuses lengths beyond it, so keep the
         * length at sizeof(sockaddr_un): the zeroed storage after it still
         * ends the string for C. */
        ret->len = (socklen_t) (SUN_OFF + (avail < SUN_MAX ? avail + 1 : SUN_MAX));
}

static int addr_from(struct netsock_addr *ret, const struct sockaddr *sa, socklen_t len) {
        struct netsock_addr a;

        if (len < sizeof(sa_family_t))
                return -EINVAL;
        switch (sa->sa_family) {
        case AF_INET:
                if (len < sizeof(struct sockaddr_in))
                        return -EINVAL;
                addr_init(&a, AF_INET, sizeof(struct sockaddr_in));
                memcpy(&a.storage, sa, sizeof(struct sockaddr_in));
                memset(((struct sockaddr_in *) &a.storage)->sin_zero, 0, sizeof(((struct sockaddr_in *) 0)->sin_zero));
                break;
        case AF_INET6:
                if (len < sizeof(struct sockaddr_in6))
                        return -EINVAL;
                addr_init(&a, AF_INET6, sizeof(struct sockaddr_in6));
                memcpy(&a.storage, sa, sizeof(struct sockaddr_in6));
                break;
        case AF_UNIX:
                unix_from(&a, sa, len);
                break;
        default:
                return -EAFNOSUPPORT;
        }
        *ret = a;
        return 0;
}

NS_EXPORT int netsock_addr_from_sockaddr(struct netsock_addr *ret, const struct sockaddr *sa, socklen_t len) {
        if (!ret || !sa || len > sizeof(struct sockaddr_storage))
                return -EINVAL;
        return addr_from(ret, sa, len);
}

void ns_addr_from_kernel(struct netsock_addr *ret, const struct sockaddr_storage *ss, socklen_t len) {
        if (len > sizeof(*ss))
                len = sizeof(*ss);
        if (addr_from(ret, (const struct sockaddr *) ss, len) < 0) {
                /* A family we do not model: keep the bytes as they are. */
                memset(ret, 0, sizeof(*ret));
                memcpy(&ret->storage, ss, len);
                ret->len = len;
        }
}

/* struct netsock_addr is public, so a caller may have filled it by hand:
 * nothing may trust len or the bytes before this check.  A valid address
 * has len within the storage and exactly right for its family, and a Unix
 * path has its NUL within sun_path (or, for a full 108-byte path as the
 * kernel reports it, in the storage byte just after it), so that the path
 * can be used as a C string without reading past what the caller meant. */
int ns_addr_check(const struct netsock_addr *a) {
        const struct sockaddr_un *sun;
        size_t n;

        if (!a || a->len > sizeof(a->storage))
                return -EINVAL;
        if (a->len == 0)
                return 0;
        if (a->len < sizeof(sa_family_t))
                return -EINVAL;
        switch (a->storage.ss_family) {
        case AF_INET:
                return a->len == sizeof(struct sockaddr_in) ? 0 : -EINVAL;
        case AF_INET6:
                return a->len == sizeof(struct sockaddr_in6) ? 0 : -EINVAL;
        case AF_UNIX:
                if (a->len < SUN_OFF || a->len > SUN_OFF + SUN_MAX)
                        return -EINVAL;
                sun = (const struct sockaddr_un *) &a->storage;
                n = a->len - SUN_OFF;
                if (n == 0 || sun->sun_path[0] == '\0')
                        return 0;  /* unnamed, or abstract: any bytes */
                if (memchr(sun->sun_path, '\0', n))
                        return 0;
                if (n == SUN_MAX && ((const unsigned char *) &a->storage)[a->len] == 0)
                        return 0;
                return -EINVAL;
        default:
                return -EAFNOSUPPORT;
        }
}

NS_EXPORT int netsock_addr_family(const struct netsock_addr *a) {
        int r = ns_addr_check(a);

        if (r == -EINVAL)
                return r;
        return a->len == 0 ? AF_UNSPEC : a->storage.ss_family;
}

NS_EXPORT int netsock_addr_unix_kind(const struct netsock_addr *a) {
        const struct sockaddr_un *sun;

        if (ns_addr_check(a) == -EINVAL)
                return -EINVAL;
        if (a->len == 0 || a->storage.ss_family != AF_UNIX)
                return -EAFNOSUPPORT;
        sun = (const struct sockaddr_un *) &a->storage;
        if (a->len <= SUN_OFF)
                return NETSOCK_UNIX_UNNAMED;
        return sun->sun_path[0] == '\0' ? NETSOCK_UNIX_ABSTRACT : NETSOCK_UNIX_PATH;
}

NS_EXPORT int netsock_addr_port(const struct netsock_addr *a) {
        if (ns_addr_check(a) == -EINVAL)
                return -EINVAL;
        if (a->len == 0)
                return -EAFNOSUPPORT;
        if (a->storage.ss_family == AF_INET)
                return ntohs(((const struct sockaddr_in *) &a->storage)->sin_port);
        if (a->storage.ss_family == AF_INET6)
                return ntohs(((const struct sockaddr_in6 *) &a->storage)->sin6_port);
        return -EAFNOSUPPORT;
}

NS_EXPORT bool netsock_addr_equal(const struct netsock_addr *a, const struct netsock_addr *b) {
        if (!a || !b)
                return a == b;
        if (ns_addr_check(a) == -EINVAL || ns_addr_check(b) == -EINVAL)
                return false;
        return a->len == b->len && memcmp(&a->storage, &b->storage, a->len) == 0;
}

/* snprintf-like appending: counts everything, stores what fits. */
struct out {
        char *buf;
        size_t size, len;
};

static void put(struct out *o, const char *s, size_t n) {
        if (o->len < o->size) {
                size_t room = o->size - 1 - o->len;

                memcpy(o->buf + o->len, s, n < room ? n : room);
        }
        o->len += n;
}

static void puts_(struct out *o, const char *s) {
        put(o, s, strlen(s));
}

NS_EXPORT int netsock_addr_format(const struct netsock_addr *a, char *buf, size_t size) {
        struct out o = { buf, size, 0 };
        char tmp[INET6_ADDRSTRLEN + IF_NAMESIZE + 16];
        static const char hex[] = "0123456789abcdef";

        int r = ns_addr_check(a);

        if (r < 0)
                return r;
        if ((!buf && size) || a->len == 0)
                return -EINVAL;
        switch (a->storage.ss_family) {
        case AF_INET: {
                const struct sockaddr_in *sin = (const struct sockaddr_in *) &a->storage;

                inet_ntop(AF_INET, &sin->sin_addr, tmp, sizeof(tmp));
                puts_(&o, tmp);
                snprintf(tmp, sizeof(tmp), ":%u", (unsigned) ntohs(sin->sin_port));
                puts_(&o, tmp);
                break;
        }
        case AF_INET6: {
                const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *) &a->storage;
                char ifname[IF_NAMESIZE];

                puts_(&o, "[");
                inet_ntop(AF_INET6, &sin6->sin6_addr, tmp, sizeof(tmp));
                puts_(&o, tmp);
                if (sin6->sin6_scope_id) {
                        if (if_indextoname(sin6->sin6_scope_id, ifname))
                                snprintf(tmp, sizeof(tmp), "%%%s", ifname);
                        else
                                snprintf(tmp, sizeof(tmp), "%%%u", (unsigned) sin6->sin6_scope_id);
                        puts_(&o, tmp);
                }
                snprintf(tmp, sizeof(tmp), "]:%u", (unsigned) ntohs(sin6->sin6_port));
                puts_(&o, tmp);
                break;
        }
        case AF_UNIX: {
                const struct sockaddr_un *sun = (const struct sockaddr_un *) &a->storage;
                size_t i, n;

                if (a->len <= SUN_OFF) {
                        puts_(&o, "(unnamed)");
                        break;
                }
                n = a->len - SUN_OFF;
                if (sun->sun_path[0] != '\0') {
                        put(&o, sun->sun_path, strnlen(sun->sun_path, n));
                        break;
                }
                puts_(&o, "@");
                for (i = 1; i < n; i++) {
                        unsigned char c = (unsigned char) sun->sun_path[i];

                        if (c >= 0x20 && c < 0x7f && c != '\\') {
                                put(&o, (const char *) &c, 1);
                        } else {
                                char e[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };

                                put(&o, e, 4);
                        }
                }
                break;
        }
        default:
                return -EAFNOSUPPORT;
        }
        if (size)
                buf[o.len < size ? o.len : size - 1] = '\0';
        return (int) o.len;
}
