#!/bin/sh
# The public interface agrees with itself: the calls declared in the public
# headers, the symbols the shared library exports, the linker map and the
# man pages are one and the same set, every export carries the version
# node the linker map puts it in (LIBNETSOCK_0.1, LIBNETSOCK_0.2, ...), nothing outside netsock_* is exported, the soname is
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
# Each call exported with the node the map lists it under.
awk '/^LIBNETSOCK_[0-9.]+ *\{/ {node=$1} /^[[:space:]]*netsock_[a-z0-9_]*;/ {gsub(/[;[:space:]]/, ""); print $0 "@@" node}' \
        "$top_srcdir/src/libnetsock.map" | sort -u >"$tmp/map-versioned"
grep -v '^LIBNETSOCK_' "$tmp/raw" | sort -u >"$tmp/exported-versioned"
if ! cmp -s "$tmp/exported-versioned" "$tmp/map-versioned"; then
        echo "exports and the map's version nodes differ (< exported, > map):"
        diff "$tmp/exported-versioned" "$tmp/map-versioned" | grep '^[<>]'; fail=1
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
        sed -n 's/^ \(netsock_[a-z0-9_]*\)@LIBNETSOCK_[0-9.]* .*/\1/p' "$symfile" | sort -u >"$tmp/debian-symbols"
        compare exported debian-symbols
        # ... each under the node the library exports it in.
        sed -n 's/^ \(netsock_[a-z0-9_]*\)@\(LIBNETSOCK_[0-9.]*\) .*/\1@@\2/p' "$symfile" | sort -u >"$tmp/debian-versioned"
        compare exported-versioned debian-versioned
fi

soname=$(readelf -d "$lib" 2>/dev/null | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
if [ "$soname" != "libnetsock.so.0" ]; then
        echo "soname is '$soname', not libnetsock.so.0"; fail=1
fi
n=$(wc -l <"$tmp/exported")
[ "$fail" = 0 ] && echo "ok: $n calls agree across headers, exports, map and man pages"
exit $fail
