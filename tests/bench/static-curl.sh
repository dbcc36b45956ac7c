#!/bin/sh
# Builds the "trimmed static libcurl" the bench can compare against:
# Debian's own curl source, at the version installed, with
# Debian's patches (its security fixes), configured for HTTP and HTTPS
# only, as a static library; OpenSSL stays the distribution's.
#
#   sh tests/bench/static-curl.sh [DIR]      # default $TMPDIR/pgyer-relay-curl
#   BENCH_CURL_STATIC=DIR make bench
#
# The source comes from Debian's archive through apt-get source, with a
# private source list and cache in DIR: the system's apt setup is not
# touched.  Needs dpkg-dev, patch, make, a C compiler, libssl-dev.
set -eu
dir=${1:-${TMPDIR:-/tmp}/pgyer-relay-curl}
mkdir -p "$dir/apt/lists/partial"
dir=$(cd "$dir" && pwd)
if [ -f "$dir/src/lib/.libs/libcurl.a" ]; then
	echo "$dir/src"
	exit 0
fi
ver=$(dpkg-query -W -f='${Version}' libcurl4)
# The system's own Debian sources, as source (deb-src) entries.
rm -rf "$dir/apt/parts"
mkdir -p "$dir/apt/parts"
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
    /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] || continue
	b=$(basename "$f")
	case $f in
	*.sources) sed 's/^Types:.*/Types: deb-src/' "$f" >"$dir/apt/parts/$b" ;;
	*) sed -n 's/^deb /deb-src /p' "$f" >"$dir/apt/parts/${b%.list}.list" ;;
	esac
done
apt="-o Dir::Etc::SourceList=/dev/null
-o Dir::Etc::SourceParts=$dir/apt/parts -o Dir::State::Lists=$dir/apt/lists"
cd "$dir"
# shellcheck disable=SC2086
apt-get $apt update -qq
# shellcheck disable=SC2086
apt-get $apt source --download-only "curl=$ver"
rm -rf src
dpkg-source -x --skip-patches curl_*.dsc src >/dev/null
cd src
grep -v '^#' debian/patches/series | while read -r p; do
	[ -n "$p" ] && patch -p1 -s <"debian/patches/$p"
done
# Only what a robot POST needs: HTTP(S), the proxy, the threaded resolver.
./configure --disable-shared --enable-static --with-pic --with-openssl \
    --with-ca-bundle=/etc/ssl/certs/ca-certificates.crt \
    --with-ca-path=/etc/ssl/certs \
    --enable-http --enable-proxy --enable-threaded-resolver \
    --disable-ftp --disable-file --disable-ldap --disable-ldaps \
    --disable-rtsp --disable-dict --disable-telnet --disable-tftp \
    --disable-pop3 --disable-imap --disable-smb --disable-smtp \
    --disable-gopher --disable-mqtt --disable-manual --disable-ntlm \
    --disable-ntlm-wb --disable-alt-svc --disable-netrc \
    --disable-unix-sockets \
    --without-libpsl --without-brotli --without-zstd --without-zlib \
    --without-nghttp2 --without-nghttp3 --without-libidn2 \
    --without-librtmp --without-libssh2 --without-gssapi >configure.log
make -C lib -j"$(nproc)" >make.log
echo "$dir/src"
