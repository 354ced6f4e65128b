#!/bin/sh
# The HTML manual: one page per man page, made by mandoc -T html, and an
# index.html that lists every page with the one-line description of its NAME
# section.  An alias page (".so man3/REAL.3") becomes a small page that
# redirects to REAL.3.html, so that every call has a page of its own name.
#
#   MANDOC=/usr/bin/mandoc html.sh SRCDIR OUTDIR PAGE...
#
# SRCDIR is the top source directory, each PAGE a path below it
# (doc/man/man3/netsock_x.3), as in Makefile.am's dist_man3_MANS.
set -eu
srcdir=$1 out=$2
shift 2
if [ -z "${MANDOC:-}" ]; then
        echo "html.sh: the HTML manual needs mandoc (configure found none)" >&2
        exit 1
fi
version=$(sed -n '1s/^\.TH [^"]*"libnetsock \([^"]*\)".*/\1/p' "$srcdir/doc/man/man7/netsock.7")
tmp=$out.tmp
rm -rf "$tmp"
mkdir -p "$tmp"

# html TEXT: TEXT with &, < and > escaped, roff's \- and font escapes undone.
html() {
        printf '%s\n' "$1" | sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\(em/\&#8212;/g' -e 's/\\e/\\/g' \
                -e 's/&\([^#]\)/\&amp;\1/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g'
}
# description PAGE: the text after "\-" in the NAME section of PAGE (its
# lines joined).
description() {
        awk '/^\.SH/ { if (n) exit; if ($0 ~ /^\.SH +"?NAME"?$/) n = 1; next }
             n && !/^\./ { text = text (text == "" ? "" : " ") $0 }
             END { if (sub(/^.*\\- */, "", text)) print text }' "$1"
}

for page in "$@"; do
        f=$srcdir/$page
        name=$(basename "$page")
        case $name in
        *.3) section=3 ;;
        *.7) section=7 ;;
        *) echo "html.sh: $page: not a section 3 or 7 page" >&2; exit 1 ;;
        esac
        target=$(sed -n '1s/^\.so  *man[0-9]\/\(.*\)$/\1/p' "$f")
        if [ -n "$target" ]; then
                real=$srcdir/doc/man/man${target##*.}/$target
                [ -f "$real" ] || { echo "html.sh: $page: .so target $target not found" >&2; exit 1; }
                desc=$(description "$real")
                cat >"$tmp/$name.html" <<EOF
<!DOCTYPE html>
<html>
<head>
  <meta charset="utf-8"/>
  <meta http-equiv="refresh" content="0; url=$target.html"/>
  <title>${name%.*}($section)</title>
</head>
<body>
<p><b>${name%.*}</b>($section) is documented in <a href="$target.html">${target%.*}($section)</a>: $(html "$desc").</p>
</body>
</html>
EOF
        else
                desc=$(description "$f")
                # mandoc's page (with its style sheet), and a link back to the index.
                (cd "$srcdir/doc/man" && "$MANDOC" -T html "${page#doc/man/}") |
                        sed -e "s|^<body>\$|<body>\\
<p><a href=\"index.html\">libnetsock $version Manual</a></p>|" >"$tmp/$name.html"
                grep -q '^<p><a href="index.html">' "$tmp/$name.html" ||
                        { echo "html.sh: $page: unexpected mandoc output" >&2; exit 1; }
        fi
        [ -n "$desc" ] || { echo "html.sh: $page: no NAME description" >&2; exit 1; }
        printf '%s\t%s\t%s\n' "$section" "${name%.*}" "$desc" >>"$tmp/index.list"
done

{
        cat <<EOF
<!DOCTYPE html>
<html>
<head>
  <meta charset="utf-8"/>
  <meta name="viewport" content="width=device-width, initial-scale=1.0"/>
  <title>libnetsock $version Manual</title>
</head>
<body>
<h1>libnetsock $version Manual</h1>
<p>Start with <a href="netsock.7.html">netsock(7)</a>, the overview.  Every call
of the library has a page of its own name; calls of one family share a page.</p>
EOF
        for section in 7 3; do
                case $section in
                7) printf '<h2>Overview (section 7)</h2>\n' ;;
                3) printf '<h2>Calls (section 3)</h2>\n' ;;
                esac
                printf '<dl>\n'
                LC_ALL=C sort -t "$(printf '\t')" -k2,2 "$tmp/index.list" |
                        while IFS="$(printf '\t')" read -r s name desc; do
                                [ "$s" = "$section" ] || continue
                                printf '<dt><a href="%s.%s.html">%s</a>(%s)</dt>\n<dd>%s</dd>\n' \
                                        "$name" "$s" "$name" "$s" "$(html "$desc")"
                        done
                printf '</dl>\n'
        done
        printf '</body>\n</html>\n'
} >"$tmp/index.html"
rm -f "$tmp/index.list"
rm -rf "$out"
mv "$tmp" "$out"
