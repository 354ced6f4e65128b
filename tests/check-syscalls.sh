#!/bin/sh
# SPDX-License-Identifier: MIT
# Issue 12: each operation makes exactly the syscalls of the raw sequence
# that does the same work.  tests/perf/count --trace OP raw|lib runs OP a few
# times between write(-1, "ns-mark") markers; under strace, the syscall
# names between two markers are the operation's, set-up excluded.  Skips
# (77) without strace, and under the sanitizers (their runtime makes
# syscalls of its own).
set -u
builddir=${top_builddir:-.}
count=$builddir/tests/perf/count
case " ${SAN_CFLAGS:-} " in
*sanitize*) echo "skipped: sanitized build"; exit 77 ;;
esac
command -v strace >/dev/null 2>&1 || { echo "skipped: strace is not installed"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/netsock-syscalls.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# The syscall names between each pair of markers, one region a line.
regions() {
        awk '/ns-mark/ { if (on) print line; on = !on; line = ""; next }
             on { name = $0; sub(/\(.*/, "", name); line = line " " name }' "$1"
}

ops=$("$count" --list) || exit 1
bad=0
for op in $ops; do
        for mode in raw lib; do
                strace -qq -o "$tmp/$mode" "$count" --trace "$op" "$mode" >/dev/null || {
                        echo "FAIL $op: $mode run failed"; bad=1; continue 2; }
                regions "$tmp/$mode" >"$tmp/$mode.seq"
        done
        if [ ! -s "$tmp/raw.seq" ]; then
                echo "FAIL $op: no measured region traced"; bad=1
        elif cmp -s "$tmp/raw.seq" "$tmp/lib.seq"; then
                printf '%-30s %s\n' "$op" "$(head -n 1 "$tmp/raw.seq")"
        else
                echo "FAIL $op: raw [$(head -n 1 "$tmp/raw.seq")] lib [$(head -n 1 "$tmp/lib.seq")]"; bad=1
        fi
done
exit $bad
