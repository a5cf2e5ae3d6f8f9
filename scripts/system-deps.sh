#!/usr/bin/env bash
# Debian packages, installed only when missing (a second run costs nothing):
#   scripts/system-deps.sh          what `make test` needs: Chromium (browser tests), PostgreSQL
#                                   (storage tests), Redis and nginx (the short soak of the scaled
#                                   profile), Node.js and npm (the widget bundle);
#   scripts/system-deps.sh run      what `make run` needs: Node.js and npm (the widget bundle);
#   scripts/system-deps.sh scaled   what the scaled profile needs (make run-scaled, make soak):
#                                   PostgreSQL (tracker store, staff database), Redis (lock store)
#                                   and nginx (load balancer), and Node.js and npm.
set -euo pipefail

group="${1:-test}"
case "$group" in
test | run | scaled) ;;
*)
	echo "usage: $0 [test|run|scaled]" >&2
	exit 2
	;;
esac

missing=()
if [ "$group" != run ]; then
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
	command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
	{ command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; } || missing+=(nginx)
fi
if [ "$group" = test ]; then
	[ -x /usr/bin/chromium ] || missing+=(chromium)
fi
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
	echo "ERROR: missing Debian packages: ${missing[*]}. Install them with: apt-get install ${missing[*]}" >&2
	exit 1
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "==> installing Debian packages: ${missing[*]}"
$SUDO apt-get update -qq
# policy-rc.d: the packages must not start their system-wide services (ports 80, 5432, 6379);
# the tests and the scaled profile run their own instances on their own ports.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
	$SUDO chmod +x /usr/sbin/policy-rc.d
	trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
