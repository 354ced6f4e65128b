/* SPDX-License-Identifier: MIT */
/*
 * Shared pieces of the fuzz harnesses (tests/fuzz/fuzz-*.c).  Each harness
 * is a libFuzzer target (LLVMFuzzerTestOneInput) built two ways: with clang
 * and -fsanitize=fuzzer by tests/fuzz/run, and with the normal compiler and
 * standalone-main.c as a `make check` program over its checked-in corpus.
 *
 * The reference code here is written against API.md §4, not against
 * src/addr.c: it must not call the library, or it would only agree with it.
 */
#ifndef NS_FUZZ_COMMON_H
#define NS_FUZZ_COMMON_H

#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <netsock.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A finding: say what, then stop with a signal libFuzzer (and make check)
 * reports as a crash, keeping the input that caused it. */
#define FUZZ_CHECK(cond)                                                              \
        do {                                                                          \
                if (!(cond)) {                                                        \
                        fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
                        __builtin_trap();                                             \
                }                                                                     \
        } while (0)

#define FUZZ_SUN_OFF offsetof(struct sockaddr_un, sun_path)    /* 2 */
#define FUZZ_SUN_MAX sizeof(((struct sockaddr_un *) 0)->sun_path) /* 108 */

/* What API.md §4 (0.2) says of a hand-filled address: 0 (well-formed),
 * -EINVAL, or -EAFNOSUPPORT for a family the library does not model.
 * Deliberately not shared with src/addr.c: it is the oracle. */
static inline int fuzz_ref_check(const struct netsock_addr *a) {
        const unsigned char *path = (const unsigned char *) &a->storage + FUZZ_SUN_OFF;
        size_t len = a->len, family;
        bool has_nul;

        if (len == 0)
                return 0;  /* empty: each call decides what it means */
        if (len < sizeof(sa_family_t) || len > sizeof(a->storage))
                return -EINVAL;
        family = a->storage.ss_family;
        if (family != AF_UNIX) {
                size_t want = family == AF_INET ? sizeof(struct sockaddr_in)
                            : family == AF_INET6 ? sizeof(struct sockaddr_in6) : 0;

                if (!want)
                        return -EAFNOSUPPORT;
                return len == want ? 0 : -EINVAL;
        }
        if (len - FUZZ_SUN_OFF > FUZZ_SUN_MAX)
                return -EINVAL;
        /* Unnamed and abstract: any bytes.  A path: its NUL within len,
         * or for a full 108-byte path as the kernel reports it, in the
         * storage byte just past sockaddr_un. */
        if (len == FUZZ_SUN_OFF || path[0] == '\0')
                return 0;
        has_nul = memchr(path, 0, len - FUZZ_SUN_OFF) != NULL ||
                  (len - FUZZ_SUN_OFF == FUZZ_SUN_MAX && path[FUZZ_SUN_MAX] == '\0');
        return has_nul ? 0 : -EINVAL;
}

/* The text format gives for a well-formed Unix address (API.md §4), into
 * buf (at least NETSOCK_ADDRSTRLEN bytes); its length. */
static inline size_t fuzz_ref_unix_text(const struct netsock_addr *a, char *buf) {
        static const char hex[] = "0123456789abcdef";
        const unsigned char *p = (const unsigned char *) &a->storage + FUZZ_SUN_OFF;
        size_t n = a->len - FUZZ_SUN_OFF, k = 0;

        if (a->len <= FUZZ_SUN_OFF) {
                strcpy(buf, "(unnamed)");
                return strlen(buf);
        }
        if (p[0] != 0) {
                while (k < n && p[k])
                        k++;
                memcpy(buf, p, k);
                buf[k] = '\0';
                return k;
        }
        buf[k++] = '@';
        for (size_t i = 1; i < n; i++) {
                if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\') {
                        buf[k++] = (char) p[i];
                } else {
                        buf[k++] = '\\';
                        buf[k++] = 'x';
                        buf[k++] = hex[p[i] >> 4];
                        buf[k++] = hex[p[i] & 15];
                }
        }
        buf[k] = '\0';
        return k;
}

/* Whether the text of a path (p, at most n bytes) is one parse takes for
 * another kind of address: "@x", "[...", "1.2.3.4:80". */
static inline bool fuzz_path_looks_other(const unsigned char *p, size_t n) {
        size_t i = 0;

        if (p[0] == '@' || p[0] == '[')
                return true;
        /* Digits and dots up to a colon: parse takes it for IPv4. */
        if (!(p[0] >= '0' && p[0] <= '9'))
                return false;
        while (i < n && ((p[i] >= '0' && p[i] <= '9') || p[i] == '.'))
                i++;
        return i < n && p[i] == ':';
}

/* Whether parse(format(a)) must give back a (API.md §4): every inet
 * address (a v6 flow label is not part of the text, so only without one),
 * every path that parse reads back as a path (not one that looks like
 * "@x", "[...", "1.2.3.4:80", and not a full 108-byte path, which parse
 * refuses as too long), and every printable abstract name. */
static inline bool fuzz_round_trips(const struct netsock_addr *a) {
        const unsigned char *p = (const unsigned char *) &a->storage + FUZZ_SUN_OFF;
        size_t n;

        if (a->len == 0)
                return false;
        if (a->storage.ss_family == AF_INET)
                return true;
        if (a->storage.ss_family == AF_INET6)
                return ((const struct sockaddr_in6 *) &a->storage)->sin6_flowinfo == 0;
        if (a->storage.ss_family != AF_UNIX || a->len <= FUZZ_SUN_OFF)
                return false;
        n = a->len - FUZZ_SUN_OFF;
        if (p[0] == 0) {
                for (size_t i = 1; i < n; i++)
                        if (p[i] < 0x20 || p[i] >= 0x7f || p[i] == '\\')
                                return false;
                return true;
        }
        return strnlen((const char *) p, n) < FUZZ_SUN_MAX && !fuzz_path_looks_other(p, n);
}

/* Checks format of a well-formed address: a length below
 * NETSOCK_ADDRSTRLEN, for Unix addresses the exact text, and when full,
 * the snprintf contract into exact-size heap buffers (so ASan sees a write
 * past size).  The text in
 * out (NETSOCK_ADDRSTRLEN bytes); its length. */
static inline int fuzz_check_format(const struct netsock_addr *a, char *out, bool full) {
        int len = netsock_addr_format(a, out, NETSOCK_ADDRSTRLEN);
        char *exact;

        FUZZ_CHECK(len >= 0 && len < NETSOCK_ADDRSTRLEN);
        FUZZ_CHECK(strlen(out) == (size_t) len);
        if (full) {
                /* The size-0 count, and exactly the room it needs. */
                FUZZ_CHECK(netsock_addr_format(a, NULL, 0) == len);
                exact = malloc((size_t) len + 1);
                FUZZ_CHECK(exact);
                FUZZ_CHECK(netsock_addr_format(a, exact, (size_t) len + 1) == len);
                FUZZ_CHECK(memcmp(exact, out, (size_t) len + 1) == 0);
                free(exact);
        }
        /* Too small by one, and a single byte: truncated, NUL-terminated. */
        if (full && len > 0) {
                exact = malloc((size_t) len);
                FUZZ_CHECK(exact);
                FUZZ_CHECK(netsock_addr_format(a, exact, (size_t) len) == len);
                FUZZ_CHECK(strlen(exact) == (size_t) len - 1 && memcmp(exact, out, (size_t) len - 1) == 0);
                free(exact);
        }
        if (full) {
                exact = malloc(1);
                FUZZ_CHECK(exact);
                FUZZ_CHECK(netsock_addr_format(a, exact, 1) == len && exact[0] == '\0');
                free(exact);
        }
        if (a->storage.ss_family == AF_UNIX) {
                char want[NETSOCK_ADDRSTRLEN + 512];

                FUZZ_CHECK(fuzz_ref_unix_text(a, want) == (size_t) len);
                FUZZ_CHECK(strcmp(want, out) == 0);
        }
        return len;
}

/* The accessors on a well-formed, non-empty address agree with its bytes. */
static inline void fuzz_check_accessors(const struct netsock_addr *a) {
        const unsigned char *p = (const unsigned char *) &a->storage + FUZZ_SUN_OFF;
        int fam = a->storage.ss_family;

        FUZZ_CHECK(netsock_addr_family(a) == fam);
        if (fam == AF_INET) {
                FUZZ_CHECK(netsock_addr_port(a) == ntohs(((const struct sockaddr_in *) &a->storage)->sin_port));
                FUZZ_CHECK(netsock_addr_unix_kind(a) == -EAFNOSUPPORT);
        } else if (fam == AF_INET6) {
                FUZZ_CHECK(netsock_addr_port(a) == ntohs(((const struct sockaddr_in6 *) &a->storage)->sin6_port));
                FUZZ_CHECK(netsock_addr_unix_kind(a) == -EAFNOSUPPORT);
        } else if (fam == AF_UNIX) {
                FUZZ_CHECK(netsock_addr_port(a) == -EAFNOSUPPORT);
                FUZZ_CHECK(netsock_addr_unix_kind(a) == (a->len <= FUZZ_SUN_OFF ? NETSOCK_UNIX_UNNAMED
                                                         : p[0] == 0            ? NETSOCK_UNIX_ABSTRACT
                                                                                : NETSOCK_UNIX_PATH));
        }
        FUZZ_CHECK(netsock_addr_equal(a, a));
}

#endif
