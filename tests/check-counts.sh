#!/bin/sh
# SPDX-License-Identifier: MIT
# Issue 12: user-space instructions per call of every data call against the
# raw syscalls (tests/perf/count runs itself under callgrind and prints the
# table).  Counts, not timings: they do not depend on the machine's load.
# Skips (77) without valgrind, and under the sanitizers, whose
# instrumentation makes the counts meaningless.
set -u
builddir=${top_builddir:-.}
case " ${SAN_CFLAGS:-} " in
*sanitize*) echo "skipped: sanitized build"; exit 77 ;;
esac
command -v valgrind >/dev/null 2>&1 || { echo "skipped: valgrind is not installed"; exit 77; }
exec "$builddir/tests/perf/count"
