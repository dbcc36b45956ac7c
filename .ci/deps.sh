#!/bin/sh
# Installs the Debian 12 packages pgyer-relay needs, when any is missing.
# Needs root (or sudo) only when something is missing.
#
#   sh .ci/deps.sh check   what `make` and `make check` need
#   sh .ci/deps.sh         everything: also `make check-all`, `make demo`,
#                          `make deb` (used by .ci/run and `make demo`)
set -eu
# Build: the compiler, pkg-config and the libraries' -dev packages.
pkgs="build-essential pkg-config libyajl-dev libcurl4-openssl-dev libssl-dev
libhiredis-dev libfcgi-dev"
# make check: python3 runs the CGI tests, tzdata gives their time zones,
# redis-server is the shared state (state_url) the tests start.
pkgs="$pkgs tzdata ca-certificates python3 redis-server"
if [ "${1:-all}" != check ]; then
	# make check-all and make demo: valgrind, the real web servers (and
	# mod_fcgid for the FastCGI mode), curl.
	pkgs="$pkgs curl valgrind apache2 nginx-light fcgiwrap libapache2-mod-fcgid"
	# make deb and tests/e2e/test_deb.py (debian/control's Build-Depends
	# are the build packages above; logrotate rotates the installed log).
	pkgs="$pkgs dpkg-dev debhelper fakeroot lintian logrotate"
fi
if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "not a Debian system: install the equivalents of:" $pkgs
	exit 0
fi
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
	    grep -q '^install ok installed$' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
sudo=
if [ "$(id -u)" -ne 0 ]; then
	if ! command -v sudo >/dev/null 2>&1; then
		echo "missing:$missing; as root: apt-get install$missing" >&2
		exit 1
	fi
	sudo=sudo
fi
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
