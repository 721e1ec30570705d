#!/usr/bin/env bash
# Runs the unit tests tagged [.slowdns] where the only name server is 127.0.0.1:53 and the test holds that
# port silent: private mount and network namespaces (root), /etc/resolv.conf bind-mounted over in them only.
#   bash tests/unit/slow_dns.sh build/unit_tests
set -euo pipefail
bin=$1
if [[ $(id -u) -ne 0 ]] || ! unshare -mn true 2>/dev/null; then
  echo "SKIP: needs root and unshare for a namespace with a silent name server"
  exit 77
fi
conf=$(mktemp /tmp/crilet-slow-dns.XXXXXX)
trap 'rm -f "$conf"' EXIT
echo "nameserver 127.0.0.1" > "$conf"
# unshare makes the new mount namespace private: the bind mount is not seen outside it.
unshare -mn bash -c 'ip link set lo up && mount --bind "$1" /etc/resolv.conf && "$2" "[.slowdns]"' _ "$conf" "$bin"
