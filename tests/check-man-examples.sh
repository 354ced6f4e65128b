#!/bin/sh
# The complete programs in the manual compile: every EXAMPLES/.EX block of
# netsock(7) and of the section-3 pages that starts with "#include" is
# extracted (roff escapes undone) and compiled with -Wall -Wextra -Werror
# against the tree's headers.  A block that needs a header this machine
# lacks (<uv.h>, <glib-unix.h>, <systemd/sd-event.h>) is reported as not
# checked, and the script fails if nothing at all could be checked.
set -u
: "${top_srcdir:=.}" "${CC:=cc}"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
fail=0 checked=0 unchecked=0
pages="${MAN7_PAGES:-doc/man/man7/netsock.7} ${MAN3_PAGES:-}"
for p in $pages; do
        f="$top_srcdir/$p"
        head -n 1 "$f" | grep -q '^\.so ' && continue
        # One file per .EX block, with roff escapes turned back into C.
        awk -v dir="$tmp" -v base="$(basename "$p")" '
                /^\.EX/ { n++; out = sprintf("%s/%s.%d.c", dir, base, n); inblk = 1; next }
                /^\.EE/ { inblk = 0; close(out); next }
                inblk {
                        line = $0
                        sub(/^\\&/, "", line)
                        gsub(/\\-/, "-", line); gsub(/\\e/, "\\", line); gsub(/\\\(dq/, "\"", line)
                        print line > out
                }' "$f"
done
for c in "$tmp"/*.c; do
        [ -f "$c" ] || continue
        head -n 1 "$c" | grep -q '^#include' || continue
        extra=
        if grep -q '<glib' "$c"; then
                extra=$(pkg-config --cflags glib-2.0 2>/dev/null) || { unchecked=$((unchecked + 1)); continue; }
        fi
        if grep -q '<uv.h>' "$c" && ! echo '#include <uv.h>' | $CC -E -x c - >/dev/null 2>&1; then
                unchecked=$((unchecked + 1)); continue
        fi
        if grep -q '<systemd/' "$c" && ! echo '#include <systemd/sd-event.h>' | $CC -E -x c - >/dev/null 2>&1; then
                unchecked=$((unchecked + 1)); continue
        fi
        # shellcheck disable=SC2086
        if ! $CC -std=gnu11 -Wall -Wextra -Werror -Wno-unused-function -fsyntax-only \
                -I"$top_srcdir/include" $extra "$c" 2>"$c.err"; then
                echo "FAIL: $(basename "$c" .c) does not compile:"; sed 's/^/    /' "$c.err"; fail=1
        fi
        checked=$((checked + 1))
done
echo "checked $checked programs from the manual ($unchecked need headers this machine lacks)"
[ "$checked" -gt 0 ] || { echo "FAIL: no program found"; exit 1; }
exit $fail
