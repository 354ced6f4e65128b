#!/bin/sh
# SPDX-License-Identifier: MIT
# Issue 12: user-space instructions per call of every data call against the
# raw syscalls (tests/perf/count runs itself under callgrind and prints the
# table).  Counts, not timings: they do not depend on the machine's load.
# Skips (77) without valgrind, under the sanitizers, whose instrumentation
# makes the counts meaningless, and in a build with other compiler flags
# than configure's default "-g -O2" (a distribution's hardening flags --
# stack protector, _FORTIFY_SOURCE, CET -- add instructions of their own:
# the bounds are for the library as this project builds it).
set -u
builddir=${top_builddir:-.}
case " ${SAN_CFLAGS:-} " in
*sanitize*) echo "skipped: sanitized build"; exit 77 ;;
esac
if [ "${NS_BUILD_CFLAGS--g -O2}" != "-g -O2" ] || [ -n "${NS_BUILD_CPPFLAGS:-}" ]; then
        echo "skipped: built with CFLAGS='${NS_BUILD_CFLAGS:-}' CPPFLAGS='${NS_BUILD_CPPFLAGS:-}', not the default -g -O2"
        exit 77
fi
# The data paths sit together (NS_HOT, src/internal.h): every data call's
# code lies within 8 KiB, two pages at most, whatever the translation unit.
lib="$builddir/.libs/libnetsock.so"
if [ -f "$lib" ] && command -v nm >/dev/null 2>&1; then
        n=0 lo= hi=
        for a in $(nm -D --defined-only "$lib" | sed 's/@.*//' |
                grep -E ' T netsock_((unix_stream|tcp_stream|seqpacket)_(send|recv|peek|send_all|recv_exact|send_vectored|recv_vectored|send_fds|recv_fds)|seqpacket_(peek_vectored|next_packet_len|send_batch|recv_batch)|poll_(wait|register|reregister|deregister))$' |
                cut -d' ' -f1); do
                a=$((0x$a)); n=$((n + 1))
                [ -n "$lo" ] && [ "$a" -ge "$lo" ] || lo=$a
                [ -n "$hi" ] && [ "$a" -le "$hi" ] || hi=$a
        done
        span="$n $((${hi:-0} - ${lo:-0}))"
        case "$span" in
        "31 "*) [ "${span#* }" -lt 8192 ] || { echo "FAIL: the data calls span ${span#* } bytes of code (NS_HOT lost?)"; exit 1; }
                echo "data calls: 31, within ${span#* } bytes of code" ;;
        *) echo "FAIL: expected 31 data calls in $lib, found: $span"; exit 1 ;;
        esac
fi
command -v valgrind >/dev/null 2>&1 || { echo "skipped: valgrind is not installed"; exit 77; }
exec "$builddir/tests/perf/count"
