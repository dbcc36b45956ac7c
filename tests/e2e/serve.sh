#!/bin/sh
# `make serve [PORT=8080] [CONFIG=file]`: the relay behind nginx + fcgiwrap
# on 127.0.0.1:PORT in the foreground until Ctrl-C.  Without CONFIG, the
# demo config and its mock robots (what they receive is printed).
set -eu
port=${1:-8080}
config=${2:-}
top=$(cd "$(dirname "$0")/../.." && pwd)
case $config in
"" | /*) ;;
*) config=$(pwd)/$config ;;		# relative to where make ran
esac
cd "$top"
if [ "$(id -u)" -ne 0 ]; then
	echo "serve: run as root: nginx starts as root and serves as www-data" >&2
	exit 1
fi
if [ -n "$config" ] && [ ! -r "$config" ]; then
	echo "serve: cannot read $config" >&2
	exit 1
fi
exec python3 tests/e2e/demo.py serve "$port" "$config"
