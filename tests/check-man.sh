#!/bin/sh
# Man pages are well-formed: mandoc -T lint (or groff warnings) is clean,
# every real page has the sections a reader looks for, every page named in
# a .so alias exists, and every alias is listed in the NAME section of the
# page it points to, and every error code a page lists has its NETSOCK_E*
# constant (errno codes in NETSOCK_ERRNO_MAP, library codes such as
# EAI_NONAME in NETSOCK_LIBERR_MAP).
set -u
: "${top_srcdir:=.}"
top_srcdir=$(cd "$top_srcdir" && pwd)
mandir="$top_srcdir/doc/man"
fail=0
pages="${MAN3_PAGES:-} ${MAN7_PAGES:-}"
[ -n "$(echo $pages)" ] || { echo "no man pages listed"; exit 1; }
for p in $pages; do
        f="$top_srcdir/$p"
        [ -f "$f" ] || { echo "FAIL: $p listed but missing"; fail=1; continue; }
        name=$(basename "$p"); name=${name%.*}
        first=$(head -n 1 "$f")
        case "$first" in
        .so\ *)
                target="$mandir/${first#.so }"
                if [ ! -f "$target" ]; then
                        echo "FAIL: $p points to missing ${first#.so }"; fail=1
                elif ! sed -n '/^\.SH NAME/,/^\.SH/p' "$target" | grep -q "\\b$name\\b"; then
                        echo "FAIL: $name is not in the NAME section of ${first#.so }"; fail=1
                fi
                continue ;;
        esac
        for sec in NAME LIBRARY SYNOPSIS DESCRIPTION "RETURN VALUE" ERRORS NOTES "SEE ALSO"; do
                case "$p:$sec" in *.7:LIBRARY|*.7:ERRORS|*.7:"RETURN VALUE"|*.7:NOTES) continue ;; esac
                grep -q "^\.SH \"\?$sec\"\?\$" "$f" || { echo "FAIL: $p has no $sec section"; fail=1; }
        done
        if ! sed -n '/^\.SH NAME/,/^\.SH/p' "$f" | grep -q "\\b$name\\b"; then
                echo "FAIL: $p does not name $name in NAME"; fail=1
        fi
        if [ -n "${MANDOC:-}" ]; then
                out=$(cd "$mandir" && "$MANDOC" -T lint -W warning "$f" 2>&1)
        elif [ -n "${GROFF:-}" ]; then
                out=$("$GROFF" -man -ww -z "$f" 2>&1)
        else
                echo "no mandoc or groff: skipping lint"; exit 77
        fi
        if [ -n "$out" ]; then
                echo "FAIL: lint of $p:"; echo "$out"; fail=1
        fi
done
# Every error code a page documents has its NETSOCK_E* constant and name.
documented=$(for p in $pages; do
        sed -n '/^\.SH ERRORS/,/^\.SH /p' "$top_srcdir/$p"
done | grep -oE '\bE[A-Z0-9]{2,}\b|\b(NETSOCK_)?EAI_[A-Z]+\b' | sed 's/^NETSOCK_//' | grep -v '^ERRORS$' | sort -u)
for e in $documented; do
        grep -q "X($e," "$top_srcdir/include/netsock/error.h" ||
                { echo "FAIL: $e is documented but not in NETSOCK_ERRNO_MAP or NETSOCK_LIBERR_MAP"; fail=1; }
done
[ "$fail" = 0 ] && echo "ok: $(echo $pages | wc -w) man pages"
exit $fail
