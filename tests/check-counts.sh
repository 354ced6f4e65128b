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
command -v valgrind >/dev/null 2>&1 || { echo "skipped: valgrind is not installed"; exit 77; }
exec "$builddir/tests/perf/count"
