/* SPDX-License-Identifier: MIT */
/*
 * Addresses (API.md §4): parse, build, format, compare.  Every rule is
 * checked with exact values: the stored length (for Unix addresses the
 * length is the name), the family, the port, and the formatted text.  Out
 * parameters are filled with a pattern first so that "untouched on failure"
 * is checked byte for byte.
 */
#include "config.h"
#include "common.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define SUN_OFF offsetof(struct sockaddr_un, sun_path)
#define SUN_MAX sizeof(((struct sockaddr_un *) 0)->sun_path)

static const struct sockaddr_un *sun_of(const struct netsock_addr *a) {
        return (const struct sockaddr_un *) &a->storage;
}

static const struct sockaddr_in *sin_of(const struct netsock_addr *a) {
        return (const struct sockaddr_in *) &a->storage;
}

static const struct sockaddr_in6 *sin6_of(const struct netsock_addr *a) {
        return (const struct sockaddr_in6 *) &a->storage;
}

/* A netsock_addr full of a recognisable pattern, and its copy. */
static void poison(struct netsock_addr *a, struct netsock_addr *copy) {
        memset(a, 0xa5, sizeof(*a));
        memcpy(copy, a, sizeof(*a));
}

#define ck_assert_untouched(a, copy) \
        ck_assert_msg(memcmp((a), (copy), sizeof(*(a))) == 0, "out-parameter written on failure")

/* format(a) is exactly `expect`, and the return value is its length. */
static void format_is(const struct netsock_addr *a, const char *expect, size_t expect_len) {
        char buf[NETSOCK_ADDRSTRLEN];
        int n;

        memset(buf, 'Z', sizeof(buf));
        n = netsock_addr_format(a, buf, sizeof(buf));
        ck_assert_int_eq(n, (int) expect_len);
        ck_assert_int_lt(n, NETSOCK_ADDRSTRLEN);
        ck_assert_int_eq(buf[n], '\0');
        ck_assert_msg(memcmp(buf, expect, expect_len) == 0, "formatted as \"%s\", expected \"%s\"", buf, expect);
}

#define format_is_str(a, s) format_is((a), (s), strlen(s))

/* parse(format(a)) gives back exactly a. */
static void round_trips(const struct netsock_addr *a) {
        char buf[NETSOCK_ADDRSTRLEN];
        struct netsock_addr b;
        int n;

        n = netsock_addr_format(a, buf, sizeof(buf));
        ck_assert_int_gt(n, 0);
        ck_assert_int_lt(n, NETSOCK_ADDRSTRLEN);
        ck_assert_int_eq(netsock_addr_parse(&b, buf), 0);
        ck_assert_msg(netsock_addr_equal(a, &b), "\"%s\" does not parse back to the same address", buf);
        ck_assert_uint_eq(a->len, b.len);
}

/* ---- parse: inet -------------------------------------------------------- */

START_TEST(parse_ipv4_with_port) {
        struct netsock_addr a;

        ck_assert_int_eq(netsock_addr_parse(&a, "1.2.3.4:80"), 0);
        ck_assert_uint_eq(a.len, sizeof(struct sockaddr_in));
        ck_assert_int_eq(netsock_addr_family(&a), AF_INET);
        ck_assert_int_eq(sin_of(&a)->sin_family, AF_INET);
        ck_assert_uint_eq(ntohl(sin_of(&a)->sin_addr.s_addr), 0x01020304u);
        ck_assert_uint_eq(ntohs(sin_of(&a)->sin_port), 80);
        ck_assert_int_eq(netsock_addr_port(&a), 80);
        ck_assert_int_eq(netsock_addr_unix_kind(&a), -EAFNOSUPPORT);
        format_is_str(&a, "1.2.3.4:80");
        round_trips(&a);
}
END_TEST

START_TEST(parse_ipv4_port_limits) {
        struct netsock_addr a;

        ck_assert_int_eq(netsock_addr_parse(&a, "0.0.0.0:0"), 0);
        ck_assert_int_eq(netsock_addr_port(&a), 0);
        ck_assert_uint_eq(sin_of(&a)->sin_addr.s_addr, htonl(INADDR_ANY));
        format_is_str(&a, "0.0.0.0:0");

        ck_assert_int_eq(netsock_addr_parse(&a, "255.255.255.255:65535"), 0);
        ck_assert_int_eq(netsock_addr_port(&a), 65535);
        ck_assert_uint_eq(sin_of(&a)->sin_addr.s_addr, htonl(INADDR_BROADCAST));
        format_is_str(&a, "255.255.255.255:65535");
}
END_TEST

START_TEST(parse_ipv6_loopback) {
        struct netsock_addr a;

        ck_assert_int_eq(netsock_addr_parse(&a, "[::1]:80"), 0);
        ck_assert_uint_eq(a.len, sizeof(struct sockaddr_in6));
        ck_assert_int_eq(netsock_addr_family(&a), AF_INET6);
        ck_assert(IN6_IS_ADDR_LOOPBACK(&sin6_of(&a)->sin6_addr));
        ck_assert_uint_eq(sin6_of(&a)->sin6_scope_id, 0);
        ck_assert_uint_eq(sin6_of(&a)->sin6_flowinfo, 0);
        ck_assert_int_eq(netsock_addr_port(&a), 80);
        ck_assert_int_eq(netsock_addr_unix_kind(&a), -EAFNOSUPPORT);
        format_is_str(&a, "[::1]:80");
        round_trips(&a);
}
END_TEST

START_TEST(parse_ipv6_scope_by_name) {
        struct netsock_addr a;
        unsigned lo = if_nametoindex("lo");
        static const unsigned char fe80_1[16] = { 0xfe, 0x80, [15] = 1 };

        ck_assert_uint_ne(lo, 0);
        ck_assert_int_eq(netsock_addr_parse(&a, "[fe80::1%lo]:80"), 0);
        ck_assert_int_eq(netsock_addr_family(&a), AF_INET6);
        ck_assert_mem_eq(&sin6_of(&a)->sin6_addr, fe80_1, 16);
        ck_assert_uint_eq(sin6_of(&a)->sin6_scope_id, lo);
        ck_assert_int_eq(netsock_addr_port(&a), 80);
        format_is_str(&a, "[fe80::1%lo]:80");
        round_trips(&a);
}
END_TEST

START_TEST(parse_ipv6_numeric_scope) {
        struct netsock_addr a;
        char ifname[IF_NAMESIZE], expect[64];

        ck_assert_int_eq(netsock_addr_parse(&a, "[fe80::1%1]:443"), 0);
        ck_assert_uint_eq(sin6_of(&a)->sin6_scope_id, 1);
        ck_assert_int_eq(netsock_addr_port(&a), 443);
        /* Formatting names the interface when there is one. */
        if (if_indextoname(1, ifname))
                snprintf(expect, sizeof(expect), "[fe80::1%%%s]:443", ifname);
        else
                snprintf(expect, sizeof(expect), "[fe80::1%%1]:443");
        format_is_str(&a, expect);
        round_trips(&a);
}
END_TEST

START_TEST(ipv6_scope_without_interface_formats_as_number) {
        struct netsock_addr a;
        char ifname[IF_NAMESIZE];

        if (if_indextoname(4000000000u, ifname))
                return;  /* absurdly, such an interface exists */
        ck_assert_int_eq(netsock_addr_parse(&a, "[fe80::2%4000000000]:7"), 0);
        ck_assert_uint_eq(sin6_of(&a)->sin6_scope_id, 4000000000u);
        format_is_str(&a, "[fe80::2%4000000000]:7");
        round_trips(&a);
}
END_TEST

/* ---- parse: Unix --------------------------------------------------------- */

START_TEST(parse_abstract_name_keeps_exact_bytes) {
        struct netsock_addr a;

        ck_assert_int_eq(netsock_addr_parse(&a, "@name"), 0);
        ck_assert_uint_eq(a.len, SUN_OFF + 1 + 4);
        ck_assert_int_eq(netsock_addr_family(&a), AF_UNIX);
        ck_assert_int_eq(netsock_addr_unix_kind(&a), NETSOCK_UNIX_ABSTRACT);
        ck_assert_int_eq(sun_of(&a)->sun_path[0], '\0');
        ck_assert_mem_eq(sun_of(&a)->sun_path + 1, "name", 4);
        ck_assert_int_eq(netsock_addr_port(&a), -EAFNOSUPPORT);
        format_is_str(&a, "@name");
        round_trips(&a);
}
END_TEST

START_TEST(parse_empty_abstract_name) {
        struct netsock_addr a;

        ck_assert_int_eq(netsock_addr_parse(&a, "@"), 0);
        ck_assert_uint_eq(a.len, SUN_OFF + 1);
        ck_assert_int_eq(netsock_addr_family(&a), AF_UNIX);
        ck_assert_int_eq(netsock_addr_unix_kind(&a), NETSOCK_UNIX_ABSTRACT);
        ck_assert_int_eq(sun_of(&a)->sun_path[0], '\0');
        format_is_str(&a, "@");
        round_trips(&a);
}
END_TEST

static void check_path(const char *text) {
        struct netsock_addr a;

        ck_assert_int_eq(netsock_addr_parse(&a, text), 0);
        ck_assert_uint_eq(a.len, SUN_OFF + strlen(text) + 1);
        ck_assert_int_eq(netsock_addr_family(&a), AF_UNIX);
        ck_assert_int_eq(netsock_addr_unix_kind(&a), NETSOCK_UNIX_PATH);
        ck_assert_str_eq(sun_of(&a)->sun_path, text);
        ck_assert_int_eq(netsock_addr_port(&a), -EAFNOSUPPORT);
        format_is_str(&a, text);
        round_trips(&a);
}

START_TEST(parse_absolute_path) {
        check_path("/run/x.sock");
}
END_TEST

START_TEST(parse_relative_path) {
        check_path("x.sock");
}
END_TEST

START_TEST(parse_path_that_hides_an_at_sign) {
        check_path("./@x");
}
END_TEST

START_TEST(parse_path_that_hides_an_inet_address) {
        check_path("./1.2.3.4:80");
        check_path("/[::1]:80");
}
END_TEST

START_TEST(parse_equals_addr_unix_and_addr_abstract) {
        struct netsock_addr a, b;

        ck_assert_int_eq(netsock_addr_parse(&a, "/run/x.sock"), 0);
        ck_assert_int_eq(netsock_addr_unix(&b, "/run/x.sock"), 0);
        ck_assert(netsock_addr_equal(&a, &b));
        ck_assert_int_eq(netsock_addr_parse(&a, "@name"), 0);
        ck_assert_int_eq(netsock_addr_abstract(&b, "name", 4), 0);
        ck_assert(netsock_addr_equal(&a, &b));
}
END_TEST

/* ---- parse: malformed ---------------------------------------------------- */

static void check_malformed(const char *text) {
        struct netsock_addr a, copy;

        poison(&a, &copy);
        ck_assert_msg(netsock_addr_parse(&a, text) == -EINVAL, "\"%s\" did not give -EINVAL", text);
        ck_assert_untouched(&a, &copy);
}

START_TEST(parse_rejects_malformed_ipv4) {
        check_malformed("1.2.3.4:");
        check_malformed("1.2.3.4:65536");
        check_malformed("1.2.3.4:99999999999999999999999");
        check_malformed("1.2.3:80");
        check_malformed("256.1.1.1:80");
        check_malformed("1.2.3.4:-1");
        check_malformed("1.2.3.4:+80");
        check_malformed("1.2.3.4:80x");
        check_malformed("1.2.3.4: 80");
        check_malformed("1.2.3.4:0x50");
}
END_TEST

START_TEST(parse_rejects_malformed_ipv6) {
        check_malformed("[::1]");
        check_malformed("[::1]:");
        check_malformed("[::1]:x");
        check_malformed("[::1]:65536");
        check_malformed("[::1]80");
        check_malformed("[::1");
        check_malformed("[]:80");
        check_malformed("[zz::1]:80");
        check_malformed("[1.2.3.4]:80");
        check_malformed("[::1%]:80");
        check_malformed("[fe80::1%nosuchif0]:1");
}
END_TEST

START_TEST(parse_rejects_empty_text) {
        check_malformed("");
}
END_TEST

START_TEST(parse_rejects_null_arguments) {
        struct netsock_addr a, copy;

        poison(&a, &copy);
        ck_assert_int_eq(netsock_addr_parse(NULL, "1.2.3.4:80"), -EINVAL);
        ck_assert_int_eq(netsock_addr_parse(NULL, "/x"), -EINVAL);
        ck_assert_int_eq(netsock_addr_parse(&a, NULL), -EINVAL);
        ck_assert_untouched(&a, &copy);
}
END_TEST

START_TEST(parse_rejects_too_long_path_and_name) {
        char text[SUN_MAX + 2];
        struct netsock_addr a, copy;

        /* 108 bytes of path: no room for the NUL. */
        memset(text, 'p', SUN_MAX);
        text[0] = '/';
        text[SUN_MAX] = '\0';
        poison(&a, &copy);
        ck_assert_int_eq(netsock_addr_parse(&a, text), -ENAMETOOLONG);
        ck_assert_untouched(&a, &copy);
        /* "@" + 108 bytes: one more than sun_path holds after its NUL. */
        memset(text, 'n', SUN_MAX + 1);
        text[0] = '@';
        text[SUN_MAX + 1] = '\0';
        ck_assert_int_eq(netsock_addr_parse(&a, text), -ENAMETOOLONG);
        ck_assert_untouched(&a, &copy);
        /* "@" + 107 bytes fits exactly. */
        text[SUN_MAX] = '\0';
        ck_assert_int_eq(netsock_addr_parse(&a, text), 0);
        ck_assert_uint_eq(a.len, sizeof(struct sockaddr_un));
}
END_TEST

/* ---- netsock_addr_unix / netsock_addr_abstract --------------------------- */

START_TEST(unix_rejects_empty_path) {
        struct netsock_addr a, copy;

        poison(&a, &copy);
        ck_assert_int_eq(netsock_addr_unix(&a, ""), -EINVAL);
        ck_assert_untouched(&a, &copy);
}
END_TEST

START_TEST(unix_rejects_null_arguments) {
        struct netsock_addr a, copy;

        poison(&a, &copy);
        ck_assert_int_eq(netsock_addr_unix(NULL, "/x"), -EINVAL);
        ck_assert_int_eq(netsock_addr_unix(&a, NULL), -EINVAL);
        ck_assert_untouched(&a, &copy);
}
END_TEST

START_TEST(unix_accepts_107_byte_path) {
        char path[SUN_MAX];
        struct netsock_addr a;

        memset(path, 'q', SUN_MAX - 1);
        path[0] = '/';
        path[SUN_MAX - 1] = '\0';
        ck_assert_uint_eq(strlen(path), 107);
        ck_assert_int_eq(netsock_addr_unix(&a, path), 0);
        ck_assert_uint_eq(a.len, sizeof(struct sockaddr_un));
        ck_assert_int_eq(netsock_addr_unix_kind(&a), NETSOCK_UNIX_PATH);
        ck_assert_mem_eq(sun_of(&a)->sun_path, path, 107);
        ck_assert_int_eq(sun_of(&a)->sun_path[107], '\0');
        format_is(&a, path, 107);
        round_trips(&a);
}
END_TEST

START_TEST(unix_rejects_108_byte_path_untouched) {
        char path[SUN_MAX + 1];
        struct netsock_addr a, copy;

        memset(path, 'q', SUN_MAX);
        path[0] = '/';
        path[SUN_MAX] = '\0';
        ck_assert_uint_eq(strlen(path), 108);
        poison(&a, &copy);
        ck_assert_int_eq(netsock_addr_unix(&a, path), -ENAMETOOLONG);
        ck_assert_untouched(&a, &copy);
}
END_TEST

START_TEST(unix_path_may_start_with_at_sign) {
        struct netsock_addr a;

        /* netsock_addr_unix never makes an abstract name. */
        ck_assert_int_eq(netsock_addr_unix(&a, "@x"), 0);
        ck_assert_uint_eq(a.len, SUN_OFF + 3);
        ck_assert_int_eq(netsock_addr_unix_kind(&a), NETSOCK_UNIX_PATH);
        ck_assert_str_eq(sun_of(&a)->sun_path, "@x");
}
END_TEST

START_TEST(abstract_keeps_embedded_nuls) {
        static const char name[] = { 'a', '\0', 'b', '\0' };
        struct netsock_addr a;

        ck_assert_int_eq(netsock_addr_abstract(&a, name, sizeof(name)), 0);
        ck_assert_uint_eq(a.len, SUN_OFF + 1 + 4);
        ck_assert_int_eq(netsock_addr_unix_kind(&a), NETSOCK_UNIX_ABSTRACT);
        ck_assert_int_eq(sun_of(&a)->sun_path[0], '\0');
        ck_assert_mem_eq(sun_of(&a)->sun_path + 1, name, sizeof(name));
        format_is_str(&a, "@a\\x00b\\x00");
}
END_TEST

START_TEST(abstract_names_differ_by_trailing_nul) {
        struct netsock_addr a, b;

        ck_assert_int_eq(netsock_addr_abstract(&a, "a", 1), 0);
        ck_assert_int_eq(netsock_addr_abstract(&b, "a", 2), 0);  /* "a\0" */
        ck_assert_uint_eq(a.len + 1, b.len);
        ck_assert(!netsock_addr_equal(&a, &b));
        format_is_str(&a, "@a");
        format_is_str(&b, "@a\\x00");
}
END_TEST

START_TEST(abstract_empty_name) {
        struct netsock_addr a;

        ck_assert_int_eq(netsock_addr_abstract(&a, NULL, 0), 0);
        ck_assert_uint_eq(a.len, SUN_OFF + 1);
        ck_assert_int_eq(netsock_addr_unix_kind(&a), NETSOCK_UNIX_ABSTRACT);
        format_is_str(&a, "@");
}
END_TEST

START_TEST(abstract_accepts_107_bytes) {
        unsigned char name[SUN_MAX - 1];
        char expect[NETSOCK_ADDRSTRLEN];
        struct netsock_addr a;
        size_t i;

        for (i = 0; i < sizeof(name); i++)
                name[i] = (unsigned char) (0xff - i);
        ck_assert_int_eq(netsock_addr_abstract(&a, name, sizeof(name)), 0);
        ck_assert_uint_eq(a.len, sizeof(struct sockaddr_un));
        ck_assert_mem_eq(sun_of(&a)->sun_path + 1, name, sizeof(name));
        /* The longest possible text: "@" and 107 escapes. */
        expect[0] = '@';
        for (i = 0; i < sizeof(name); i++)
                snprintf(expect + 1 + 4 * i, 5, "\\x%02x", name[i]);
        ck_assert_uint_eq(strlen(expect), 1 + 4 * 107);
        format_is_str(&a, expect);
}
END_TEST

START_TEST(abstract_rejects_108_bytes_untouched) {
        char name[SUN_MAX];
        struct netsock_addr a, copy;

        memset(name, 'n', sizeof(name));
        poison(&a, &copy);
        ck_assert_int_eq(netsock_addr_abstract(&a, name, sizeof(name)), -ENAMETOOLONG);
        ck_assert_untouched(&a, &copy);
}
END_TEST

START_TEST(abstract_rejects_null_arguments) {
        struct netsock_addr a, copy;

        poison(&a, &copy);
        ck_assert_int_eq(netsock_addr_abstract(NULL, "x", 1), -EINVAL);
        ck_assert_int_eq(netsock_addr_abstract(&a, NULL, 1), -EINVAL);
        ck_assert_untouched(&a, &copy);
}
END_TEST

/* ---- format --------------------------------------------------------------- */

START_TEST(format_truncates_like_snprintf) {
        struct netsock_addr a;
        char buf[32];

        ck_assert_int_eq(netsock_addr_parse(&a, "1.2.3.4:80"), 0);

        memset(buf, 'Z', sizeof(buf));
        ck_assert_int_eq(netsock_addr_format(&a, buf, 5), 10);
        ck_assert_str_eq(buf, "1.2.");
        ck_assert_int_eq(buf[5], 'Z');

        memset(buf, 'Z', sizeof(buf));
        ck_assert_int_eq(netsock_addr_format(&a, buf, 1), 10);
        ck_assert_int_eq(buf[0], '\0');
        ck_assert_int_eq(buf[1], 'Z');

        memset(buf, 'Z', sizeof(buf));
        ck_assert_int_eq(netsock_addr_format(&a, buf, 10), 10);
        ck_assert_str_eq(buf, "1.2.3.4:8");

        memset(buf, 'Z', sizeof(buf));
        ck_assert_int_eq(netsock_addr_format(&a, buf, 11), 10);
        ck_assert_str_eq(buf, "1.2.3.4:80");
        ck_assert_int_eq(buf[11], 'Z');
}
END_TEST

START_TEST(format_with_size_zero_only_measures) {
        struct netsock_addr a;
        char buf[4] = "ZZZ";

        ck_assert_int_eq(netsock_addr_parse(&a, "[::1]:80"), 0);
        ck_assert_int_eq(netsock_addr_format(&a, NULL, 0), 8);
        ck_assert_int_eq(netsock_addr_format(&a, buf, 0), 8);
        ck_assert_str_eq(buf, "ZZZ");
        ck_assert_int_eq(netsock_addr_parse(&a, "@ab\x01"), 0);
        ck_assert_int_eq(netsock_addr_format(&a, NULL, 0), 7);
}
END_TEST

START_TEST(format_truncates_inside_an_escape) {
        struct netsock_addr a;
        char buf[16];

        ck_assert_int_eq(netsock_addr_abstract(&a, "\x01z", 2), 0);
        memset(buf, 'Z', sizeof(buf));
        ck_assert_int_eq(netsock_addr_format(&a, buf, 4), 6);
        ck_assert_str_eq(buf, "@\\x");
        ck_assert_int_eq(netsock_addr_format(&a, buf, sizeof(buf)), 6);
        ck_assert_str_eq(buf, "@\\x01z");
}
END_TEST

START_TEST(format_rejects_null_arguments) {
        struct netsock_addr a;
        char buf[8] = "ZZZZZZZ";

        ck_assert_int_eq(netsock_addr_parse(&a, "1.2.3.4:80"), 0);
        ck_assert_int_eq(netsock_addr_format(NULL, buf, sizeof(buf)), -EINVAL);
        ck_assert_int_eq(netsock_addr_format(&a, NULL, 8), -EINVAL);
        ck_assert_str_eq(buf, "ZZZZZZZ");
}
END_TEST

START_TEST(format_unnamed_unix_address) {
        struct sockaddr_un sun;
        struct netsock_addr a;

        memset(&sun, 0, sizeof(sun));
        sun.sun_family = AF_UNIX;
        ck_assert_int_eq(netsock_addr_from_sockaddr(&a, (struct sockaddr *) &sun, SUN_OFF), 0);
        ck_assert_uint_eq(a.len, SUN_OFF);
        ck_assert_int_eq(netsock_addr_family(&a), AF_UNIX);
        ck_assert_int_eq(netsock_addr_unix_kind(&a), NETSOCK_UNIX_UNNAMED);
        format_is_str(&a, "(unnamed)");
}
END_TEST

START_TEST(format_escapes_backslash_and_unprintable_bytes) {
        struct netsock_addr a;

        ck_assert_int_eq(netsock_addr_abstract(&a, "a\\b", 3), 0);
        format_is_str(&a, "@a\\x5cb");
        ck_assert_int_eq(netsock_addr_abstract(&a, "\x1f \x7e\x7f\x80\xff\n", 7), 0);
        format_is_str(&a, "@\\x1f ~\\x7f\\x80\\xff\\x0a");
        ck_assert_int_eq(netsock_addr_abstract(&a, "!~", 2), 0);
        format_is_str(&a, "@!~");
}
END_TEST

START_TEST(format_of_empty_address_fails) {
        struct netsock_addr a;
        char buf[16];

        memset(&a, 0, sizeof(a));
        ck_assert_int_eq(netsock_addr_format(&a, buf, sizeof(buf)), -EINVAL);
}
END_TEST

START_TEST(format_parse_round_trips) {
        static const char *const texts[] = {
                "1.2.3.4:80", "0.0.0.0:0", "127.0.0.1:65535", "10.0.0.255:1",
                "[::1]:80", "[::]:0", "[2001:db8::1]:65535", "[::ffff:1.2.3.4]:1",
                "[fe80::1%lo]:80", "[fe80::1:2:3:4%lo]:9",
                "/run/x.sock", "x.sock", "./@x", "./1.2.3.4:80", "/a b\tc",
                "@name", "@", "@with space", "@a.b:c[d]%e",
        };
        char long_path[SUN_MAX], long_name[SUN_MAX + 1];
        struct netsock_addr a;
        size_t i;

        for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
                ck_assert_msg(netsock_addr_parse(&a, texts[i]) == 0, "\"%s\" did not parse", texts[i]);
                round_trips(&a);
        }
        memset(long_path, 'r', sizeof(long_path) - 1);
        long_path[0] = '/';
        long_path[sizeof(long_path) - 1] = '\0';
        ck_assert_int_eq(netsock_addr_unix(&a, long_path), 0);
        round_trips(&a);
        memset(long_name, 'r', sizeof(long_name) - 1);
        long_name[0] = '@';
        long_name[sizeof(long_name) - 1] = '\0';
        ck_assert_int_eq(netsock_addr_parse(&a, long_name), 0);
        ck_assert_uint_eq(a.len, sizeof(struct sockaddr_un));
        round_trips(&a);
        /* Numeric scope ids round trip whether or not they name a link. */
        ck_assert_int_eq(netsock_addr_parse(&a, "[fe80::1%1]:443"), 0);
        round_trips(&a);
}
END_TEST

/* ---- from_sockaddr ------------------------------------------------------- */

START_TEST(from_sockaddr_normalises_padded_path) {
        struct sockaddr_un sun;
        struct netsock_addr a, b;

        memset(&sun, 0, sizeof(sun));
        sun.sun_family = AF_UNIX;
        strcpy(sun.sun_path, "/run/x.sock");
        ck_assert_int_eq(netsock_addr_from_sockaddr(&a, (struct sockaddr *) &sun, sizeof(sun)), 0);
        ck_assert_uint_eq(a.len, SUN_OFF + strlen("/run/x.sock") + 1);
        ck_assert_int_eq(netsock_addr_unix_kind(&a), NETSOCK_UNIX_PATH);
        ck_assert_int_eq(netsock_addr_unix(&b, "/run/x.sock"), 0);
        ck_assert(netsock_addr_equal(&a, &b));
        format_is_str(&a, "/run/x.sock");
}
END_TEST

START_TEST(from_sockaddr_path_ends_at_first_nul) {
        struct sockaddr_un sun;
        struct netsock_addr a, b;

        /* Garbage after the NUL is not part of a path name. */
        memset(&sun, 'X', sizeof(sun));
        sun.sun_family = AF_UNIX;
        memcpy(sun.sun_path, "rel\0", 4);
        ck_assert_int_eq(netsock_addr_from_sockaddr(&a, (struct sockaddr *) &sun, sizeof(sun)), 0);
        ck_assert_uint_eq(a.len, SUN_OFF + 4);
        ck_assert_int_eq(netsock_addr_unix(&b, "rel"), 0);
        ck_assert(netsock_addr_equal(&a, &b));
}
END_TEST

START_TEST(from_sockaddr_108_byte_path_without_nul) {
        struct sockaddr_un sun;
        struct netsock_addr a;
        size_t i;

        sun.sun_family = AF_UNIX;
        for (i = 0; i < SUN_MAX; i++)
                sun.sun_path[i] = (char) ('a' + i % 26);
        ck_assert_int_eq(netsock_addr_from_sockaddr(&a, (struct sockaddr *) &sun, sizeof(sun)), 0);
        ck_assert_int_eq(netsock_addr_family(&a), AF_UNIX);
        ck_assert_int_eq(netsock_addr_unix_kind(&a), NETSOCK_UNIX_PATH);
        ck_assert_mem_eq(sun_of(&a)->sun_path, sun.sun_path, SUN_MAX);
        format_is(&a, sun.sun_path, SUN_MAX);
        /* The name ends there: a C-string view of the path stops at 108. */
        ck_assert_int_eq(((const char *) &a.storage)[SUN_OFF + SUN_MAX], '\0');
}
END_TEST

START_TEST(from_sockaddr_108_byte_path_is_usable_with_connect) {
        struct sockaddr_un sun;
        struct netsock_addr a;
        char dir[256];
        int l, c, n, r, err;

        /* The kernel reports a 108-byte path with length
         * sizeof(struct sockaddr_un) and no NUL.  The address made from it
         * must still be one that bind/connect accept. */
        snprintf(dir, sizeof(dir), "%s/", ns_tmpdir());
        n = (int) strlen(dir);
        ck_assert_int_lt(n, 100);
        memset(&sun, 0, sizeof(sun));
        sun.sun_family = AF_UNIX;
        memcpy(sun.sun_path, dir, (size_t) n);
        memset(sun.sun_path + n, 's', SUN_MAX - (size_t) n);
        l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ck_assert_int_ge(l, 0);
        ck_assert_int_eq(bind(l, (struct sockaddr *) &sun, sizeof(sun)), 0);
        ck_assert_int_eq(listen(l, 1), 0);
        ck_assert_int_eq(netsock_addr_from_sockaddr(&a, (struct sockaddr *) &sun, sizeof(sun)), 0);
        format_is(&a, sun.sun_path, SUN_MAX);
        c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ck_assert_int_ge(c, 0);
        r = connect(c, (struct sockaddr *) &a.storage, a.len);
        err = r < 0 ? errno : 0;
        close(c);
        close(l);
        ck_assert_msg(r == 0, "connect to the address of a 108-byte path failed: %s (len %u)",
                      strerror(err), (unsigned) a.len);
}
END_TEST

START_TEST(from_sockaddr_keeps_abstract_length_exactly) {
        struct sockaddr_un sun;
        struct netsock_addr a, b;
        char expect[NETSOCK_ADDRSTRLEN];
        size_t i;

        memset(&sun, 0, sizeof(sun));
        sun.sun_family = AF_UNIX;
        memcpy(sun.sun_path, "\0abc", 4);
        /* Exact length: the name is "abc". */
        ck_assert_int_eq(netsock_addr_from_sockaddr(&a, (struct sockaddr *) &sun, SUN_OFF + 4), 0);
        ck_assert_uint_eq(a.len, SUN_OFF + 4);
        ck_assert_int_eq(netsock_addr_abstract(&b, "abc", 3), 0);
        ck_assert(netsock_addr_equal(&a, &b));
        /* Whole struct: the padding NULs are part of the name. */
        ck_assert_int_eq(netsock_addr_from_sockaddr(&a, (struct sockaddr *) &sun, sizeof(sun)), 0);
        ck_assert_uint_eq(a.len, sizeof(sun));
        ck_assert_int_eq(netsock_addr_unix_kind(&a), NETSOCK_UNIX_ABSTRACT);
        ck_assert(!netsock_addr_equal(&a, &b));
        strcpy(expect, "@abc");
        for (i = 0; i < SUN_MAX - 4; i++)
                strcat(expect, "\\x00");
        format_is_str(&a, expect);
}
END_TEST

START_TEST(from_sockaddr_ignores_sin_zero) {
        struct sockaddr_in sin;
        struct netsock_addr a, b;

        memset(&sin, 0, sizeof(sin));
        sin.sin_family = AF_INET;
        sin.sin_port = htons(80);
        sin.sin_addr.s_addr = htonl(0x01020304);
        memset(sin.sin_zero, 0xee, sizeof(sin.sin_zero));
        ck_assert_int_eq(netsock_addr_from_sockaddr(&a, (struct sockaddr *) &sin, sizeof(sin)), 0);
        ck_assert_int_eq(netsock_addr_parse(&b, "1.2.3.4:80"), 0);
        ck_assert(netsock_addr_equal(&a, &b));
        ck_assert_uint_eq(a.len, sizeof(struct sockaddr_in));
        format_is_str(&a, "1.2.3.4:80");
}
END_TEST

START_TEST(from_sockaddr_longer_length_is_normalised) {
        struct sockaddr_storage ss;
        struct sockaddr_in *sin = (struct sockaddr_in *) &ss;
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) &ss;
        struct netsock_addr a, b;

        memset(&ss, 0x77, sizeof(ss));
        sin->sin_family = AF_INET;
        sin->sin_port = htons(9);
        sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ck_assert_int_eq(netsock_addr_from_sockaddr(&a, (struct sockaddr *) &ss, sizeof(ss)), 0);
        ck_assert_uint_eq(a.len, sizeof(struct sockaddr_in));
        ck_assert_int_eq(netsock_addr_parse(&b, "127.0.0.1:9"), 0);
        ck_assert(netsock_addr_equal(&a, &b));

        memset(&ss, 0x77, sizeof(ss));
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(9);
        sin6->sin6_flowinfo = 0;
        sin6->sin6_addr = in6addr_loopback;
        sin6->sin6_scope_id = 0;
        ck_assert_int_eq(netsock_addr_from_sockaddr(&a, (struct sockaddr *) &ss, sizeof(ss)), 0);
        ck_assert_uint_eq(a.len, sizeof(struct sockaddr_in6));
        ck_assert_int_eq(netsock_addr_parse(&b, "[::1]:9"), 0);
        ck_assert(netsock_addr_equal(&a, &b));
}
END_TEST

START_TEST(from_sockaddr_rejects_short_lengths) {
        struct sockaddr_storage ss;
        struct netsock_addr a, copy;

        memset(&ss, 0, sizeof(ss));
        poison(&a, &copy);
        ss.ss_family = AF_INET;
        ck_assert_int_eq(netsock_addr_from_sockaddr(&a, (struct sockaddr *) &ss, sizeof(struct sockaddr_in) - 1), -EINVAL);
        ck_assert_int_eq(netsock_addr_from_sockaddr(&a, (struct sockaddr *) &ss, 0), -EINVAL);
        ck_assert_int_eq(netsock_addr_from_sockaddr(&a, (struct sockaddr *) &ss, 1), -EINVAL);
        ss.ss_family = AF_INET6;
        ck_assert_int_eq(netsock_addr_from_sockaddr(&a, (struct sockaddr *) &ss, sizeof(struct sockaddr_in6) - 1), -EINVAL);
        ck_assert_int_eq(netsock_addr_from_sockaddr(&a, (struct sockaddr *) &ss, sizeof(struct sockaddr_in)), -EINVAL);
        ss.ss_family = AF_UNIX;
        ck_assert_int_eq(netsock_addr_from_sockaddr(&a, (struct sockaddr *) &ss, 1), -EINVAL);
        ck_assert_int_eq(netsock_addr_from_sockaddr(&a, (struct sockaddr *) &ss, 0), -EINVAL);
        ck_assert_untouched(&a, &copy);
}
END_TEST

START_TEST(from_sockaddr_rejects_null_and_oversized) {
        struct sockaddr_storage ss[2];
        struct netsock_addr a, copy;

        memset(ss, 0, sizeof(ss));
        ss[0].ss_family = AF_INET;
        poison(&a, &copy);
        ck_assert_int_eq(netsock_addr_from_sockaddr(NULL, (struct sockaddr *) ss, sizeof(struct sockaddr_in)), -EINVAL);
        ck_assert_int_eq(netsock_addr_from_sockaddr(&a, NULL, sizeof(struct sockaddr_in)), -EINVAL);
        ck_assert_int_eq(netsock_addr_from_sockaddr(&a, (struct sockaddr *) ss, sizeof(ss)), -EINVAL);
        ck_assert_untouched(&a, &copy);
}
END_TEST

START_TEST(from_sockaddr_rejects_other_families) {
        struct sockaddr_ll sll;
        struct netsock_addr a, copy;

        memset(&sll, 0, sizeof(sll));
        sll.sll_family = AF_PACKET;
        poison(&a, &copy);
        ck_assert_int_eq(netsock_addr_from_sockaddr(&a, (struct sockaddr *) &sll, sizeof(sll)), -EAFNOSUPPORT);
        ck_assert_untouched(&a, &copy);
}
END_TEST

/* ---- family / unix_kind / port / equal ----------------------------------- */

START_TEST(queries_on_every_kind) {
        struct netsock_addr v4, v6, path, abst, unnamed;
        struct sockaddr_un sun;

        ck_assert_int_eq(netsock_addr_parse(&v4, "10.1.2.3:4242"), 0);
        ck_assert_int_eq(netsock_addr_parse(&v6, "[2001:db8::7]:8080"), 0);
        ck_assert_int_eq(netsock_addr_parse(&path, "/tmp/q"), 0);
        ck_assert_int_eq(netsock_addr_parse(&abst, "@q"), 0);
        memset(&sun, 0, sizeof(sun));
        sun.sun_family = AF_UNIX;
        ck_assert_int_eq(netsock_addr_from_sockaddr(&unnamed, (struct sockaddr *) &sun, SUN_OFF), 0);

        ck_assert_int_eq(netsock_addr_family(&v4), AF_INET);
        ck_assert_int_eq(netsock_addr_family(&v6), AF_INET6);
        ck_assert_int_eq(netsock_addr_family(&path), AF_UNIX);
        ck_assert_int_eq(netsock_addr_family(&abst), AF_UNIX);
        ck_assert_int_eq(netsock_addr_family(&unnamed), AF_UNIX);

        ck_assert_int_eq(netsock_addr_unix_kind(&v4), -EAFNOSUPPORT);
        ck_assert_int_eq(netsock_addr_unix_kind(&v6), -EAFNOSUPPORT);
        ck_assert_int_eq(netsock_addr_unix_kind(&path), NETSOCK_UNIX_PATH);
        ck_assert_int_eq(netsock_addr_unix_kind(&abst), NETSOCK_UNIX_ABSTRACT);
        ck_assert_int_eq(netsock_addr_unix_kind(&unnamed), NETSOCK_UNIX_UNNAMED);

        ck_assert_int_eq(netsock_addr_port(&v4), 4242);
        ck_assert_int_eq(netsock_addr_port(&v6), 8080);
        ck_assert_int_eq(netsock_addr_port(&path), -EAFNOSUPPORT);
        ck_assert_int_eq(netsock_addr_port(&abst), -EAFNOSUPPORT);
        ck_assert_int_eq(netsock_addr_port(&unnamed), -EAFNOSUPPORT);
}
END_TEST

START_TEST(queries_on_empty_address) {
        struct netsock_addr e;

        memset(&e, 0, sizeof(e));
        ck_assert_int_eq(netsock_addr_family(&e), AF_UNSPEC);
        ck_assert_int_eq(netsock_addr_port(&e), -EAFNOSUPPORT);
        ck_assert_int_eq(netsock_addr_unix_kind(&e), -EAFNOSUPPORT);
        /* len 0 is empty whatever the storage holds. */
        memset(&e, 0, sizeof(e));
        e.storage.ss_family = AF_INET;
        ck_assert_int_eq(netsock_addr_family(&e), AF_UNSPEC);
        ck_assert_int_eq(netsock_addr_port(&e), -EAFNOSUPPORT);
        e.storage.ss_family = AF_UNIX;
        ck_assert_int_eq(netsock_addr_family(&e), AF_UNSPEC);
        ck_assert_int_eq(netsock_addr_unix_kind(&e), -EAFNOSUPPORT);
}
END_TEST

START_TEST(queries_reject_null) {
        ck_assert_int_eq(netsock_addr_family(NULL), -EINVAL);
        ck_assert_int_eq(netsock_addr_unix_kind(NULL), -EINVAL);
        ck_assert_int_eq(netsock_addr_port(NULL), -EINVAL);
}
END_TEST

START_TEST(equal_distinguishes_every_kind) {
        struct netsock_addr all[9], copy, e1, e2;
        struct sockaddr_un sun;
        size_t i, j, n = 0;

        ck_assert_int_eq(netsock_addr_parse(&all[n++], "1.2.3.4:80"), 0);
        ck_assert_int_eq(netsock_addr_parse(&all[n++], "1.2.3.4:81"), 0);
        ck_assert_int_eq(netsock_addr_parse(&all[n++], "[::1]:80"), 0);
        ck_assert_int_eq(netsock_addr_parse(&all[n++], "[fe80::1%lo]:80"), 0);
        ck_assert_int_eq(netsock_addr_parse(&all[n++], "/a"), 0);
        ck_assert_int_eq(netsock_addr_parse(&all[n++], "@a"), 0);
        ck_assert_int_eq(netsock_addr_parse(&all[n++], "@"), 0);
        memset(&sun, 0, sizeof(sun));
        sun.sun_family = AF_UNIX;
        ck_assert_int_eq(netsock_addr_from_sockaddr(&all[n++], (struct sockaddr *) &sun, SUN_OFF), 0);
        memset(&all[n++], 0, sizeof(all[0]));
        ck_assert_uint_eq(n, 9);

        for (i = 0; i < n; i++) {
                memcpy(&copy, &all[i], sizeof(copy));
                ck_assert(netsock_addr_equal(&all[i], &all[i]));
                ck_assert(netsock_addr_equal(&all[i], &copy));
                ck_assert(!netsock_addr_equal(&all[i], NULL));
                ck_assert(!netsock_addr_equal(NULL, &all[i]));
                for (j = 0; j < n; j++)
                        if (i != j)
                                ck_assert_msg(!netsock_addr_equal(&all[i], &all[j]),
                                              "addresses %zu and %zu compare equal", i, j);
        }
        /* Two empty addresses are equal whatever their storage holds. */
        memset(&e1, 0, sizeof(e1));
        memset(&e2, 0x5a, sizeof(e2));
        e2.len = 0;
        ck_assert(netsock_addr_equal(&e1, &e2));
}
END_TEST

START_TEST(equal_null_null_is_true) {
        ck_assert(netsock_addr_equal(NULL, NULL));
}
END_TEST

static Suite *make(void) {
        Suite *s = suite_create("addr");
        TCase *tc;

        tc = ns_tcase(s, "parse");
        tcase_add_test(tc, parse_ipv4_with_port);
        tcase_add_test(tc, parse_ipv4_port_limits);
        tcase_add_test(tc, parse_ipv6_loopback);
        tcase_add_test(tc, parse_ipv6_scope_by_name);
        tcase_add_test(tc, parse_ipv6_numeric_scope);
        tcase_add_test(tc, ipv6_scope_without_interface_formats_as_number);
        tcase_add_test(tc, parse_abstract_name_keeps_exact_bytes);
        tcase_add_test(tc, parse_empty_abstract_name);
        tcase_add_test(tc, parse_absolute_path);
        tcase_add_test(tc, parse_relative_path);
        tcase_add_test(tc, parse_path_that_hides_an_at_sign);
        tcase_add_test(tc, parse_path_that_hides_an_inet_address);
        tcase_add_test(tc, parse_equals_addr_unix_and_addr_abstract);
        tcase_add_test(tc, parse_rejects_malformed_ipv4);
        tcase_add_test(tc, parse_rejects_malformed_ipv6);
        tcase_add_test(tc, parse_rejects_empty_text);
        tcase_add_test(tc, parse_rejects_null_arguments);
        tcase_add_test(tc, parse_rejects_too_long_path_and_name);

        tc = ns_tcase(s, "build");
        tcase_add_test(tc, unix_rejects_empty_path);
        tcase_add_test(tc, unix_rejects_null_arguments);
        tcase_add_test(tc, unix_accepts_107_byte_path);
        tcase_add_test(tc, unix_rejects_108_byte_path_untouched);
        tcase_add_test(tc, unix_path_may_start_with_at_sign);
        tcase_add_test(tc, abstract_keeps_embedded_nuls);
        tcase_add_test(tc, abstract_names_differ_by_trailing_nul);
        tcase_add_test(tc, abstract_empty_name);
        tcase_add_test(tc, abstract_accepts_107_bytes);
        tcase_add_test(tc, abstract_rejects_108_bytes_untouched);
        tcase_add_test(tc, abstract_rejects_null_arguments);

        tc = ns_tcase(s, "format");
        tcase_add_test(tc, format_truncates_like_snprintf);
        tcase_add_test(tc, format_with_size_zero_only_measures);
        tcase_add_test(tc, format_truncates_inside_an_escape);
        tcase_add_test(tc, format_rejects_null_arguments);
        tcase_add_test(tc, format_unnamed_unix_address);
        tcase_add_test(tc, format_escapes_backslash_and_unprintable_bytes);
        tcase_add_test(tc, format_of_empty_address_fails);
        tcase_add_test(tc, format_parse_round_trips);

        tc = ns_tcase(s, "from_sockaddr");
        tcase_add_test(tc, from_sockaddr_normalises_padded_path);
        tcase_add_test(tc, from_sockaddr_path_ends_at_first_nul);
        tcase_add_test(tc, from_sockaddr_108_byte_path_without_nul);
        tcase_add_test(tc, from_sockaddr_108_byte_path_is_usable_with_connect);
        tcase_add_test(tc, from_sockaddr_keeps_abstract_length_exactly);
        tcase_add_test(tc, from_sockaddr_ignores_sin_zero);
        tcase_add_test(tc, from_sockaddr_longer_length_is_normalised);
        tcase_add_test(tc, from_sockaddr_rejects_short_lengths);
        tcase_add_test(tc, from_sockaddr_rejects_null_and_oversized);
        tcase_add_test(tc, from_sockaddr_rejects_other_families);

        tc = ns_tcase(s, "queries");
        tcase_add_test(tc, queries_on_every_kind);
        tcase_add_test(tc, queries_on_empty_address);
        tcase_add_test(tc, queries_reject_null);
        tcase_add_test(tc, equal_distinguishes_every_kind);
        tcase_add_test(tc, equal_null_null_is_true);
        return s;
}

NS_TEST_MAIN(make)
