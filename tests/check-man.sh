#!/bin/sh
# Man pages are well-formed: mandoc -T lint (or groff warnings) is clean,
# every real page has the sections a reader looks for, every page named in
# a .so alias exists, and every alias is listed in the NAME section of the
# page it points to, and every error code a page lists has its NETSOCK_E*
# constant (errno codes in NETSOCK_ERRNO_MAP, library codes such as
# EAI_NONAME in NETSOCK_LIBERR_MAP).
# Each real page is also rendered at 80 columns, with groff as man-db does
# it (man-db's MANWIDTH=80 is groff -rLL=78n -rLT=78n -rcR=1, the same text
# as `MANWIDTH=80 man -l PAGE` but for blank lines) and with mandoc -Owidth=80,
# by whichever of the two is installed: no rendered line may be wider than
# 80 columns, and the header line must be the left title, space, the volume
# (the 5th .TH argument) if any, space, the right title: a title too long for
# its line runs into the volume (groff) or loses the right title (mandoc).
# groff must render every page at 80 columns without a warning.
set -u
: "${top_srcdir:=.}"
top_srcdir=$(cd "$top_srcdir" && pwd)
mandir="$top_srcdir/doc/man"
fail=0
bs=$(printf '\b'); cont=$(printf '\200-\277')
# render PAGE RENDERER: the page as plain text (no overstriking) at 80 columns
render() {
        case "$2" in
        groff) "$GROFF" -man -t -Tutf8 -rLL=78n -rLT=78n -rcR=1 -P-cbou "$1" 2>/dev/null ;;
        mandoc) "$MANDOC" -Tutf8 -Owidth=80 "$1" 2>/dev/null |
                LC_ALL=C sed "s/_$bs//g; s/$bs[^$cont][$cont]*//g" ;;
        esac
}
# check_render PAGE: width and header line of PAGE with each renderer
check_render() {
        th=$(head -n 1 "$1")
        title=$(echo "$th" | awk '{ print $2 "(" $3 ")" }')
        vol=$(echo "$th" | sed -n 's/^\.TH .*"\([^"]*\)"[[:space:]]*$/\1/p')
        for r in $renderers; do
                out=$(render "$1" "$r" | LC_ALL=C awk -v t="$title" -v vol="$vol" '
                        { s = $0; gsub(/[\200-\277]/, "", s)
                          if (length(s) > 80) printf "    line %d is %d columns: %s\n", NR, length(s), $0 }
                        NR == 1 {
                                lt = length(t); mid = substr($0, lt + 1, length($0) - 2 * lt)
                                ok = length($0) > 2 * lt && substr($0, 1, lt) == t &&
                                        substr($0, length($0) - lt + 1) == t
                                # between the titles: spaces, the volume, spaces
                                if (vol == "") ok = ok && mid ~ /^ +$/
                                else ok = ok && sub(/^ +/, "", mid) && sub(/ +$/, "", mid) && mid == vol
                                if (!ok) printf "    header line collides: %s\n", $0
                        }')
                [ -z "$out" ] || { echo "FAIL: $p rendered by $r at 80 columns:"; echo "$out"; fail=1; }
        done
        # What man-db shows on the terminal besides the page: groff's
        # warnings at 80 columns ("cannot adjust line" where filled text
        # meets a long identifier; the pages are set ragged right, .ad l).
        case " $renderers " in
        *" groff "*)
                warn=$("$GROFF" -man -t -Tutf8 -rLL=78n -rLT=78n -rcR=1 "$1" 2>&1 >/dev/null)
                [ -z "$warn" ] || { echo "FAIL: $p: groff warns at 80 columns:"; echo "$warn" | sed 's/^/    /'; fail=1; } ;;
        esac
}
renderers=
[ -n "${GROFF:-}" ] && renderers="groff"
[ -n "${MANDOC:-}" ] && renderers="$renderers mandoc"
[ -n "$renderers" ] || echo "no groff or mandoc: skipping the 80-column rendering check"
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
        check_render "$f"
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
