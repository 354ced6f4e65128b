/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the address codec (API.md §4).
 *
 * 1. The input as text (up to its first NUL): if netsock_addr_parse takes
 *    it, the address is well-formed, format succeeds with fewer than
 *    NETSOCK_ADDRSTRLEN characters (the exact text for Unix addresses),
 *    and parse(format(a)) == a where §4 promises it.
 * 2. The input bytes as a struct sockaddr, through
 *    netsock_addr_from_sockaddr for every length 0..sizeof(sockaddr_un)+3
 *    and for the input's own length, each time from a heap copy of exactly
 *    that many bytes (ASan: nothing reads past len).  On success the
 *    address is well-formed and format, equal, family, port and unix_kind
 *    agree with the bytes it came from.
 */
#include "fuzz-common.h"

#include "internal.h"

static void check_round_trip(const struct netsock_addr *a, const char *text) {
        struct netsock_addr b;

        if (!fuzz_round_trips(a))
                return;
        FUZZ_CHECK(netsock_addr_parse(&b, text) == 0);
        FUZZ_CHECK(netsock_addr_equal(a, &b));
        FUZZ_CHECK(b.len == a->len && memcmp(&b.storage, &a->storage, a->len) == 0);
}

/* A well-formed address: everything that takes one agrees. */
static void check_addr(const struct netsock_addr *a, bool full) {
        char text[NETSOCK_ADDRSTRLEN];
        struct netsock_addr copy;

        FUZZ_CHECK(fuzz_ref_check(a) == 0 && ns_addr_check(a) == 0);
        FUZZ_CHECK(a->len > 0);
        fuzz_check_accessors(a);
        fuzz_check_format(a, text, full);
        memcpy(&copy, a, sizeof(copy));
        FUZZ_CHECK(netsock_addr_equal(a, &copy) && netsock_addr_equal(&copy, a));
        check_round_trip(a, text);
}

static void fuzz_parse(const uint8_t *data, size_t size) {
        char *text = malloc(size + 1);
        struct netsock_addr a;
        size_t n;
        int r;

        FUZZ_CHECK(text);
        memcpy(text, data, size);
        text[size] = '\0';
        n = strlen(text);
        memset(&a, 0x5a, sizeof(a));
        r = netsock_addr_parse(&a, text);
        if (r == 0) {
                check_addr(&a, true);
                /* What parse makes of a Unix name is fixed by §4. */
                if (text[0] == '@') {
                        FUZZ_CHECK(a.storage.ss_family == AF_UNIX && a.len == FUZZ_SUN_OFF + n);
                        FUZZ_CHECK(memcmp((char *) &a.storage + FUZZ_SUN_OFF + 1, text + 1, n - 1) == 0);
                } else if (a.storage.ss_family == AF_UNIX) {
                        FUZZ_CHECK(a.len == FUZZ_SUN_OFF + n + 1);
                        FUZZ_CHECK(strcmp((char *) &a.storage + FUZZ_SUN_OFF, text) == 0);
                }
        } else {
                FUZZ_CHECK(r == -EINVAL || r == -ENAMETOOLONG);
                /* Written only on success. */
                for (size_t i = 0; i < sizeof(a); i++)
                        FUZZ_CHECK(((unsigned char *) &a)[i] == 0x5a);
                /* Only an empty or too long Unix name, or bad inet text. */
                if (r == -ENAMETOOLONG)
                        FUZZ_CHECK(text[0] == '@' ? n - 1 > FUZZ_SUN_MAX - 1 : n > FUZZ_SUN_MAX - 1);
        }
        free(text);
}

static struct netsock_addr last_checked;

/* from_sockaddr of the first len input bytes (zeros past the input). */
static void from_bytes(const uint8_t *data, size_t size, size_t len, bool full) {
        unsigned char *sa = malloc(len ? len : 1);
        struct netsock_addr a;
        int r, fam;

        FUZZ_CHECK(sa);
        memset(sa, 0, len);
        memcpy(sa, data, size < len ? size : len);
        memset(&a, 0x5a, sizeof(a));
        r = netsock_addr_from_sockaddr(&a, (const struct sockaddr *) sa, (socklen_t) len);
        fam = len >= sizeof(sa_family_t) ? ((const struct sockaddr *) (void *) sa)->sa_family : -1;
        if (len < sizeof(sa_family_t) || (fam == AF_INET && len < sizeof(struct sockaddr_in)) ||
            (fam == AF_INET6 && len < sizeof(struct sockaddr_in6))) {
                FUZZ_CHECK(r == -EINVAL);
        } else if (fam != AF_INET && fam != AF_INET6 && fam != AF_UNIX) {
                FUZZ_CHECK(r == -EAFNOSUPPORT);
        } else {
                const unsigned char *p = sa + FUZZ_SUN_OFF;

                FUZZ_CHECK(r == 0);
                /* Longer lengths often give the same address again (an
                 * inet one past its size): check each distinct one once,
                 * format may ask the kernel for interface names. */
                if (full || memcmp(&a, &last_checked, sizeof(a)) != 0) {
                        check_addr(&a, full);
                        memcpy(&last_checked, &a, sizeof(a));
                }
                FUZZ_CHECK(a.storage.ss_family == fam);
                if (fam == AF_INET) {
                        FUZZ_CHECK(a.len == sizeof(struct sockaddr_in));
                        FUZZ_CHECK(memcmp(&a.storage, sa, offsetof(struct sockaddr_in, sin_zero)) == 0);
                } else if (fam == AF_INET6) {
                        FUZZ_CHECK(a.len == sizeof(struct sockaddr_in6));
                        FUZZ_CHECK(memcmp(&a.storage, sa, sizeof(struct sockaddr_in6)) == 0);
                } else if (len <= FUZZ_SUN_OFF) {
                        FUZZ_CHECK(a.len == FUZZ_SUN_OFF);
                } else {
                        size_t n = len - FUZZ_SUN_OFF;

                        if (n > FUZZ_SUN_MAX)
                                n = FUZZ_SUN_MAX;
                        if (p[0] == 0) {
                                /* Abstract: the exact bytes. */
                                FUZZ_CHECK(a.len == FUZZ_SUN_OFF + n);
                                FUZZ_CHECK(memcmp((char *) &a.storage + FUZZ_SUN_OFF, p, n) == 0);
                        } else {
                                /* A path ends at its first NUL. */
                                size_t k = strnlen((const char *) p, n);

                                FUZZ_CHECK(a.len == FUZZ_SUN_OFF + (k < FUZZ_SUN_MAX ? k + 1 : FUZZ_SUN_MAX));
                                FUZZ_CHECK(strlen((char *) &a.storage + FUZZ_SUN_OFF) == k);
                                FUZZ_CHECK(memcmp((char *) &a.storage + FUZZ_SUN_OFF, p, k) == 0);
                                /* A full 108-byte path has no text parse
                                 * takes back. */
                                if (k == FUZZ_SUN_MAX && !fuzz_path_looks_other(p, k)) {
                                        char text[NETSOCK_ADDRSTRLEN];
                                        struct netsock_addr b;

                                        FUZZ_CHECK(netsock_addr_format(&a, text, sizeof(text)) == (int) k);
                                        FUZZ_CHECK(netsock_addr_parse(&b, text) == -ENAMETOOLONG);
                                }
                        }
                }
        }
        if (r != 0)
                for (size_t i = 0; i < sizeof(a); i++)
                        FUZZ_CHECK(((unsigned char *) &a)[i] == 0x5a);
        free(sa);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        (void) argc;
        (void) argv;
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct netsock_addr a;
        static unsigned char big[sizeof(struct sockaddr_storage) + 1];

        fuzz_parse(data, size);
        memset(&last_checked, 0, sizeof(last_checked));
        /* Every length; the whole snprintf contract at the edges (the
         * family, the inet sizes, a full sun_path and past it). */
        for (size_t len = 0; len <= sizeof(struct sockaddr_un) + 3; len++)
                from_bytes(data, size, len,
                           len <= 3 || len == sizeof(struct sockaddr_in) || len == sizeof(struct sockaddr_in6) ||
                                   len >= sizeof(struct sockaddr_un) - 2);
        if (size <= sizeof(struct sockaddr_storage))
                from_bytes(data, size, size, true);
        /* Longer than any sockaddr: refused without a look. */
        FUZZ_CHECK(netsock_addr_from_sockaddr(&a, (const struct sockaddr *) big, sizeof(big)) == -EINVAL);
        return 0;
}
