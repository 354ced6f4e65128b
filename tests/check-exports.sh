#!/bin/sh
# The public interface agrees with itself: the calls declared in the public
# headers, the symbols the shared library exports, the linker map and the
# man pages are one and the same set, every export is in the LIBNETSOCK_0.1
# version node, nothing outside netsock_* is exported, the soname is
# libnetsock.so.0, and debian/libnetsock0.symbols lists the same calls.
set -u
: "${top_srcdir:=.}" "${top_builddir:=.}" "${NM:=nm}"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
fail=0
lib="$top_builddir/.libs/libnetsock.so"
[ -f "$lib" ] || { echo "no $lib (built with --disable-shared?)"; exit 77; }

# Declared in the headers: every "netsock_name(" in include/.
sed -n 's/.*\b\(netsock_[a-z0-9_]*\) *(.*/\1/p' "$top_srcdir"/include/netsock/*.h | sort -u >"$tmp/headers"
# Exported, with their version node.
$NM -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' >"$tmp/raw"
grep -v '^LIBNETSOCK_' "$tmp/raw" | sed 's/@.*//' | sort -u >"$tmp/exported"
grep -v '^netsock_' "$tmp/exported" >"$tmp/foreign"
if [ -s "$tmp/foreign" ]; then
        echo "exported outside netsock_*:"; cat "$tmp/foreign"; fail=1
fi
grep -v '^LIBNETSOCK_' "$tmp/raw" | grep -v '@@LIBNETSOCK_0\.1$' >"$tmp/unversioned"
if [ -s "$tmp/unversioned" ]; then
        echo "exported without the LIBNETSOCK_0.1 node:"; cat "$tmp/unversioned"; fail=1
fi
# In the map.
sed -n 's/^[[:space:]]*\(netsock_[a-z0-9_]*\);.*/\1/p' "$top_srcdir/src/libnetsock.map" | sort -u >"$tmp/map"
# With a man page listed for installation.
: >"$tmp/man"
for p in ${MAN3_PAGES:-}; do basename "$p" .3; done | sort -u >"$tmp/man"

compare() {
        if ! cmp -s "$tmp/$1" "$tmp/$2"; then
                echo "$1 and $2 differ (< only in $1, > only in $2):"
                diff "$tmp/$1" "$tmp/$2" | grep '^[<>]'
                fail=1
        fi
}
compare headers exported
compare exported map
compare exported man
# The Debian symbols file (in the git tree; release tarballs leave debian/ out).
symfile="$top_srcdir/debian/libnetsock0.symbols"
if [ -f "$symfile" ]; then
        sed -n 's/^ \(netsock_[a-z0-9_]*\)@LIBNETSOCK_0\.1 .*/\1/p' "$symfile" | sort -u >"$tmp/debian-symbols"
        compare exported debian-symbols
fi

soname=$(readelf -d "$lib" 2>/dev/null | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
if [ "$soname" != "libnetsock.so.0" ]; then
        echo "soname is '$soname', not libnetsock.so.0"; fail=1
fi
n=$(wc -l <"$tmp/exported")
[ "$fail" = 0 ] && echo "ok: $n calls agree across headers, exports, map and man pages"
exit $fail
