#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The LOG_COMPILER of `make check-valgrind`: runs one Check program under
# valgrind (memcheck), with every process it forks (Check runs each case in
# a child of its own) and every program of ours it execs, and fails on
#
#  - any memcheck error or definitely lost block, in any of those processes
#    (suppressions: tests/valgrind.supp, each entry says why it is there);
#  - any fd that the runner or one of Check's test processes still has open
#    at exit, other than the ones it inherited from whoever started it (make,
#    CI) and the result file Check itself keeps open in every test process.
#
# Valgrind 3.19's --track-fds only prints the open fds, it does not count
# them as errors: this script reads them from the logs.  Processes that a
# test forks as a helper peer (ns_fork_pattern_reader and the like) are
# exempt from the fd part only: they hold copies of the test's fds by
# design and end with _exit.
#
# Usage: valgrind-test.sh PROGRAM [ARG...]
#   VALGRIND            the valgrind binary (default: valgrind)
#   CK_TIMEOUT_MULTIPLIER  Check's per-case timeout factor (default 10)
set -u

prog=$1
: "${VALGRIND:=valgrind}"
if ! command -v "$VALGRIND" >/dev/null 2>&1; then
        echo "valgrind-test.sh: $VALGRIND not found" >&2
        exit 99
fi
supp=${top_srcdir:-$(dirname "$0")/..}/tests/valgrind.supp
logs=$(mktemp -d "${TMPDIR:-/tmp}/netsock-vg.XXXXXX") || exit 99
trap 'rm -rf "$logs"' EXIT
# The close-on-exec audit's witness must not count valgrind's own log files.
NS_VALGRIND_LOGS=$logs
export NS_VALGRIND_LOGS

# Valgrind is 20 to 50 times slower: give each case that much more time.
CK_TIMEOUT_MULTIPLIER=${CK_TIMEOUT_MULTIPLIER:-10}
export CK_TIMEOUT_MULTIPLIER
# Valgrind keeps RLIMIT_NOFILE to itself (the kernel's table is never
# lowered), so the fd-exhaustion cases cannot run under it.
CK_EXCLUDE_TAGS=no-valgrind
export CK_EXCLUDE_TAGS

"$VALGRIND" --log-file="$logs/vg.%p.%n" \
        --track-fds=yes --leak-check=full --errors-for-leak-kinds=definite \
        --show-leak-kinds=definite --error-exitcode=1 \
        --trace-children=yes --trace-children-skip='/usr/*,/bin/*,/sbin/*,*/tests/list-fds' \
        --suppressions="$supp" --num-callers=30 \
        "$@" &
top=$!
wait "$top"
rc=$?

# pid -> parent pid of every process valgrind logged.
parents=$(grep -h '^==[0-9]*== Parent PID: ' "$logs"/vg.* | sed -E 's/^==([0-9]+)== Parent PID: ([0-9]+)/\1 \2/')
parent_of() { echo "$parents" | awk -v p="$1" '$1 == p { print $2; exit }'; }

bad=0
for log in "$logs"/vg.*; do
        pid=$(basename "$log" | cut -d. -f2)
        errs=$(sed -nE 's/.*ERROR SUMMARY: ([0-9]+) errors.*/\1/p' "$log" | tail -n 1)
        if [ -n "$errs" ] && [ "$errs" != 0 ]; then
                echo "valgrind: $errs error(s) in process $pid of $prog:"
                cat "$log"
                bad=1
        fi
        # The runner and Check's test processes (its direct children) only.
        if [ "$pid" != "$top" ] && [ "$(parent_of "$pid")" != "$top" ]; then
                continue
        fi
        # Each fd valgrind lists is a block: "Open ... N: what", then its
        # creation stack or "<inherited from parent>", then an empty line.
        leaked=$(awk '
                /== Open (file descriptor|AF_[A-Z0-9]* socket) [0-9]+/ { inblk = 1; blk = $0; next }
                inblk && /==[ ]*$/ {
                        if (blk !~ /<inherited from parent>/ && blk !~ /open_tmp_file/) print blk "\n"
                        inblk = 0; next
                }
                inblk { blk = blk "\n" $0 }
        ' "$log")
        if [ -n "$leaked" ]; then
                echo "valgrind: process $pid of $prog exited with fds it opened:"
                echo "$leaked"
                bad=1
        fi
done
if [ "$rc" = 0 ] && [ "$bad" != 0 ]; then
        rc=1
fi
exit "$rc"
