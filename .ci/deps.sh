#!/bin/sh
# Installs the Debian 12 packages pgyer-relay needs to build, test and run
# its demo, when any is missing.  Needs root (or sudo) only when something
# is missing.  Used by .ci/run and `make demo`.
set -eu
pkgs="build-essential pkg-config libyajl-dev libcurl4-openssl-dev libssl-dev
libfcgi-dev tzdata ca-certificates curl python3 valgrind apache2 nginx-light
fcgiwrap libapache2-mod-fcgid"
# state_url (Redis): the client library, and a server for the tests.
pkgs="$pkgs libhiredis-dev redis-server"
# make deb and tests/e2e/test_deb.py (debian/control's Build-Depends are
# the build packages above; logrotate rotates the installed log).
pkgs="$pkgs dpkg-dev debhelper fakeroot lintian logrotate"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
	    grep -q '^install ok installed$' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
# Keep Debian's postinst scripts from starting apache2/nginx on their
# default port 80: the tests and the demo start their own on free ports.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
	$sudo chmod 755 /usr/sbin/policy-rc.d
	trap '$sudo rm -f /usr/sbin/policy-rc.d' EXIT
fi
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing
