/* SPDX-License-Identifier: MIT */
/*
 * Errors and version: netsock_errname(), netsock_strerror(), the
 * NETSOCK_E* constants and netsock_version() (API.md §3).  The names, the
 * texts and the constants all come from NETSOCK_ERRNO_MAP, so the tests
 * walk that same table to prove that no entry was left out of any of them.
 */
#include "config.h"
#include "common.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

START_TEST(errname_accepts_negative_and_positive_codes) {
        ck_assert_str_eq(netsock_errname(-EAGAIN), "EAGAIN");
        ck_assert_str_eq(netsock_errname(EAGAIN), "EAGAIN");
        ck_assert_str_eq(netsock_errname(-ECONNREFUSED), "ECONNREFUSED");
        ck_assert_str_eq(netsock_errname(ECONNREFUSED), "ECONNREFUSED");
        ck_assert_str_eq(netsock_errname(-EINVAL), "EINVAL");
        ck_assert_str_eq(netsock_errname(-ENAMETOOLONG), "ENAMETOOLONG");
        ck_assert_str_eq(netsock_errname(-EPIPE), "EPIPE");
}
END_TEST

START_TEST(errname_aliases_give_the_canonical_name) {
        /* Same value on Linux: the table holds the canonical name only. */
        ck_assert_str_eq(netsock_errname(-EWOULDBLOCK), "EAGAIN");
        ck_assert_str_eq(netsock_errname(-ENOTSUP), "EOPNOTSUPP");
}
END_TEST

START_TEST(errname_of_unknown_codes_is_UNKNOWN) {
        ck_assert_str_eq(netsock_errname(-3999), "UNKNOWN");
        ck_assert_str_eq(netsock_errname(3999), "UNKNOWN");
        ck_assert_str_eq(netsock_errname(-4000), "UNKNOWN");
        ck_assert_str_eq(netsock_errname(-4007), "UNKNOWN");
        ck_assert_str_eq(netsock_errname(0), "UNKNOWN");
        ck_assert_str_eq(netsock_errname(INT_MIN), "UNKNOWN");
        ck_assert_str_eq(netsock_errname(INT_MAX), "UNKNOWN");
        ck_assert_str_eq(netsock_errname(INT_MIN + 1), "UNKNOWN");
}
END_TEST

START_TEST(errname_is_never_null) {
        int e;

        for (e = -5000; e <= 5000; e++)
                ck_assert_ptr_nonnull(netsock_errname(e));
        ck_assert_ptr_nonnull(netsock_errname(INT_MIN));
        ck_assert_ptr_nonnull(netsock_errname(INT_MAX));
}
END_TEST

START_TEST(strerror_gives_exact_texts) {
        ck_assert_str_eq(netsock_strerror(-EAGAIN), "Resource temporarily unavailable");
        ck_assert_str_eq(netsock_strerror(EAGAIN), "Resource temporarily unavailable");
        ck_assert_str_eq(netsock_strerror(-ECONNREFUSED), "Connection refused");
        ck_assert_str_eq(netsock_strerror(-EINVAL), "Invalid argument");
        ck_assert_str_eq(netsock_strerror(-EPIPE), "Broken pipe");
        ck_assert_str_eq(netsock_strerror(-ENAMETOOLONG), "File name too long");
        ck_assert_str_eq(netsock_strerror(-EAFNOSUPPORT), "Address family not supported by protocol");
        ck_assert_str_eq(netsock_strerror(-ENOTSOCK), "Socket operation on non-socket");
}
END_TEST

START_TEST(strerror_of_zero_is_Success) {
        ck_assert_str_eq(netsock_strerror(0), "Success");
}
END_TEST

START_TEST(strerror_of_unknown_codes_is_Unknown_error_N) {
        ck_assert_str_eq(netsock_strerror(-3999), "Unknown error -3999");
        ck_assert_str_eq(netsock_strerror(3999), "Unknown error 3999");
        ck_assert_str_eq(netsock_strerror(INT_MIN), "Unknown error -2147483648");
        ck_assert_str_eq(netsock_strerror(INT_MAX), "Unknown error 2147483647");
}
END_TEST

/* Codes no page documents still have the C library's name and text. */
START_TEST(every_errno_of_the_c_library_has_a_name_and_text) {
        static const struct { int err; const char *name, *msg; } codes[] = {
                { ETXTBSY, "ETXTBSY", "Text file busy" },
                { ENOTEMPTY, "ENOTEMPTY", "Directory not empty" },
                { ESTALE, "ESTALE", "Stale file handle" },
                { ECANCELED, "ECANCELED", "Operation canceled" },
                { EHWPOISON, "EHWPOISON", "Memory page has hardware error" },
                { EDEADLK, "EDEADLK", "Resource deadlock avoided" },
        };
        size_t i;
        int e;

        for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
                ck_assert_str_eq(netsock_errname(-codes[i].err), codes[i].name);
                ck_assert_str_eq(netsock_errname(codes[i].err), codes[i].name);
                ck_assert_str_eq(netsock_strerror(-codes[i].err), codes[i].msg);
        }
        /* 1 .. EHWPOISON (133) is every errno Linux defines except the
         * unused numbers 41 and 58. */
        for (e = 1; e <= EHWPOISON; e++) {
                if (e == 41 || e == 58)
                        continue;
                ck_assert_msg(strcmp(netsock_errname(-e), "UNKNOWN") != 0, "errno %d has no name", e);
                ck_assert_msg(strncmp(netsock_strerror(-e), "Unknown error", 13) != 0, "errno %d has no text", e);
        }
        ck_assert_str_eq(netsock_errname(-41), "UNKNOWN");
        ck_assert_str_eq(netsock_strerror(-41), "Unknown error -41");
}
END_TEST

START_TEST(version_macros_agree) {
        ck_assert_int_eq(NETSOCK_VERSION_NUMBER, (NETSOCK_VERSION_MAJOR << 16) | (NETSOCK_VERSION_MINOR << 8) | NETSOCK_VERSION_PATCH);
        ck_assert_int_eq(NETSOCK_VERSION_NUMBER, 0x000200);
        ck_assert(NETSOCK_CHECK_VERSION(0, 2, 0));
        ck_assert(NETSOCK_CHECK_VERSION(0, 1, 9));
        ck_assert(!NETSOCK_CHECK_VERSION(0, 2, 1));
        ck_assert(!NETSOCK_CHECK_VERSION(1, 0, 0));
#if !NETSOCK_CHECK_VERSION(0, 2, 0)
        ck_abort_msg("usable in #if");
#endif
}
END_TEST

START_TEST(strerror_is_never_null_or_empty) {
        int e;

        for (e = -5000; e <= 5000; e++) {
                const char *s = netsock_strerror(e);

                ck_assert_ptr_nonnull(s);
                ck_assert_int_gt(strlen(s), 0);
        }
        ck_assert_ptr_nonnull(netsock_strerror(INT_MIN));
        ck_assert_ptr_nonnull(netsock_strerror(INT_MAX));
        ck_assert_ptr_nonnull(netsock_strerror(INT_MIN + 1));
        ck_assert_ptr_nonnull(netsock_strerror(INT_MAX - 1));
}
END_TEST

START_TEST(constants_are_negative_errnos) {
        ck_assert_int_eq(NETSOCK_EAGAIN, -EAGAIN);
        ck_assert_int_eq(NETSOCK_EINVAL, -EINVAL);
        ck_assert_int_eq(NETSOCK_EBADF, -EBADF);
        ck_assert_int_eq(NETSOCK_EPIPE, -EPIPE);
        ck_assert_int_eq(NETSOCK_ECONNREFUSED, -ECONNREFUSED);
        ck_assert_int_eq(NETSOCK_ENAMETOOLONG, -ENAMETOOLONG);
        ck_assert_int_eq(NETSOCK_ENOTSOCK, -ENOTSOCK);
        ck_assert_int_eq(NETSOCK_EAFNOSUPPORT, -EAFNOSUPPORT);
        ck_assert_int_eq(NETSOCK_EPROTOTYPE, -EPROTOTYPE);
        ck_assert_int_eq(NETSOCK_EINPROGRESS, -EINPROGRESS);
        ck_assert_int_eq(NETSOCK_ETIMEDOUT, -ETIMEDOUT);
        ck_assert_int_eq(NETSOCK_EEXIST, -EEXIST);
        ck_assert_int_eq(NETSOCK_ENOENT, -ENOENT);
        ck_assert_int_eq(NETSOCK_EBADMSG, -EBADMSG);
        ck_assert_int_eq(NETSOCK_ENOPROTOOPT, -ENOPROTOOPT);
        ck_assert_int_eq(NETSOCK_EADDRINUSE, -EADDRINUSE);
}
END_TEST

/* One row of NETSOCK_ERRNO_MAP, with the constant the header made of it. */
struct map_entry {
        int value;
        int constant;
        const char *name;
        const char *msg;
};

#define MAP_ROW_(name, msg) { name, NETSOCK_##name, #name, msg },
static const struct map_entry map[] = {
        NETSOCK_ERRNO_MAP(MAP_ROW_)
};
#undef MAP_ROW_
#define MAP_SIZE (sizeof(map) / sizeof(map[0]))

START_TEST(every_map_entry_has_its_own_name) {
        size_t i;

        ck_assert_uint_ge(MAP_SIZE, 50);
        for (i = 0; i < MAP_SIZE; i++) {
                ck_assert_msg(strcmp(netsock_errname(-map[i].value), map[i].name) == 0,
                              "errname(-%s) is %s", map[i].name, netsock_errname(-map[i].value));
                ck_assert_msg(strcmp(netsock_errname(map[i].value), map[i].name) == 0,
                              "errname(%s) is %s", map[i].name, netsock_errname(map[i].value));
        }
}
END_TEST

START_TEST(every_map_entry_has_its_own_message) {
        size_t i;

        for (i = 0; i < MAP_SIZE; i++) {
                ck_assert_str_eq(netsock_strerror(-map[i].value), map[i].msg);
                ck_assert_str_eq(netsock_strerror(map[i].value), map[i].msg);
                ck_assert_str_ne(map[i].msg, "Unknown error");
        }
}
END_TEST

START_TEST(every_map_entry_constant_is_minus_its_errno) {
        size_t i;

        for (i = 0; i < MAP_SIZE; i++) {
                ck_assert_msg(map[i].constant == -map[i].value, "NETSOCK_%s is %d, not %d",
                              map[i].name, map[i].constant, -map[i].value);
                ck_assert_int_gt(map[i].value, 0);
                /* Library-specific codes would live below -4000. */
                ck_assert_int_lt(map[i].value, 4000);
        }
}
END_TEST

START_TEST(map_has_no_duplicate_values) {
        size_t i, j;

        /* Two rows with one value would make the switch in error.c fail to
         * compile, and one of the names would be unreachable. */
        for (i = 0; i < MAP_SIZE; i++)
                for (j = i + 1; j < MAP_SIZE; j++)
                        ck_assert_msg(map[i].value != map[j].value, "%s and %s share a value",
                                      map[i].name, map[j].name);
}
END_TEST

START_TEST(library_codes_have_their_values_names_and_texts) {
        /* Written out, not generated from NETSOCK_LIBERR_MAP: API.md §14
         * fixes these numbers, names and texts. */
        static const struct { int constant, value; const char *name, *msg; } codes[] = {
                { NETSOCK_EAI_NONAME, -4001, "EAI_NONAME", "Name or service not known" },
                { NETSOCK_EAI_AGAIN, -4002, "EAI_AGAIN", "Temporary failure in name resolution" },
                { NETSOCK_EAI_FAIL, -4003, "EAI_FAIL", "Non-recoverable failure in name resolution" },
                { NETSOCK_EAI_SERVICE, -4004, "EAI_SERVICE", "Servname not supported for ai_socktype" },
                { NETSOCK_EAI_FAMILY, -4005, "EAI_FAMILY", "ai_family not supported" },
                { NETSOCK_EAI_MEMORY, -4006, "EAI_MEMORY", "Memory allocation failure" },
        };
        size_t i;

        for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
                ck_assert_int_eq(codes[i].constant, codes[i].value);
                ck_assert_str_eq(netsock_errname(codes[i].value), codes[i].name);
                ck_assert_str_eq(netsock_errname(-codes[i].value), codes[i].name);
                ck_assert_str_eq(netsock_strerror(codes[i].value), codes[i].msg);
                ck_assert_str_eq(netsock_strerror(-codes[i].value), codes[i].msg);
        }
}
END_TEST

START_TEST(version_matches_the_macros) {
        char expect[64];

        snprintf(expect, sizeof(expect), "%d.%d.%d", NETSOCK_VERSION_MAJOR,
                 NETSOCK_VERSION_MINOR, NETSOCK_VERSION_PATCH);
        ck_assert_ptr_nonnull(netsock_version());
        ck_assert_str_eq(netsock_version(), expect);
}
END_TEST

START_TEST(version_matches_the_package_version) {
        ck_assert_str_eq(netsock_version(), PACKAGE_VERSION);
}
END_TEST

static Suite *make(void) {
        Suite *s = suite_create("error");
        TCase *tc;

        tc = ns_tcase(s, "errname");
        tcase_add_test(tc, errname_accepts_negative_and_positive_codes);
        tcase_add_test(tc, errname_aliases_give_the_canonical_name);
        tcase_add_test(tc, errname_of_unknown_codes_is_UNKNOWN);
        tcase_add_test(tc, errname_is_never_null);

        tc = ns_tcase(s, "strerror");
        tcase_add_test(tc, strerror_gives_exact_texts);
        tcase_add_test(tc, strerror_of_zero_is_Success);
        tcase_add_test(tc, strerror_of_unknown_codes_is_Unknown_error_N);
        tcase_add_test(tc, every_errno_of_the_c_library_has_a_name_and_text);
        tcase_add_test(tc, version_macros_agree);
        tcase_add_test(tc, strerror_is_never_null_or_empty);

        tc = ns_tcase(s, "table");
        tcase_add_test(tc, constants_are_negative_errnos);
        tcase_add_test(tc, every_map_entry_has_its_own_name);
        tcase_add_test(tc, every_map_entry_has_its_own_message);
        tcase_add_test(tc, every_map_entry_constant_is_minus_its_errno);
        tcase_add_test(tc, map_has_no_duplicate_values);
        tcase_add_test(tc, library_codes_have_their_values_names_and_texts);

        tc = ns_tcase(s, "version");
        tcase_add_test(tc, version_matches_the_macros);
        tcase_add_test(tc, version_matches_the_package_version);
        return s;
}

NS_TEST_MAIN(make)
