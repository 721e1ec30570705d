#!/usr/bin/env bash
# The installed systemd unit restarts crilet as kubelet's unit restarts kubelet (Restart=always, RestartSec=10,
# no start limit) and passes `systemd-analyze verify` with no complaint; install.sh installs a stripped binary.
# Needs no containerd and no root. Exit 77 (CTest: skipped) when systemd-analyze is not installed.
set -euo pipefail
src=${CRILET_SOURCE_DIR:?set CRILET_SOURCE_DIR to the source tree}
bin=${CRILET_BIN:?set CRILET_BIN to the built crilet}
if ! command -v systemd-analyze >/dev/null; then
  echo "SKIP: systemd-analyze is not installed (Debian: apt-get install systemd); the unit file was not verified"
  exit 77
fi
t=$(mktemp -d /tmp/crilet-unit-test.XXXXXX)
trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

DESTDIR=$t/stage CRILET_INSTALL_FROM=$bin "$src/scripts/install.sh" >"$t/install.log" || { cat "$t/install.log"; fail "install.sh"; }
installed=$t/stage/usr/local/bin/crilet
unit=$t/stage/etc/systemd/system/crilet.service
file "$installed" | grep -q ', stripped' || fail "installed binary is not stripped: $(file "$installed")"
! readelf -S "$installed" | grep -q '\.debug_info' || fail "installed binary keeps debug information"
echo "ok: install.sh installs a stripped binary ($(stat -c %s "$bin") -> $(stat -c %s "$installed") bytes)"

for line in 'Restart=always' 'RestartSec=10' 'StartLimitIntervalSec=0' 'KillMode=process'; do
  grep -qx "$line" "$unit" || fail "unit lacks $line"
done
grep -q '^Documentation=' "$unit" || fail "unit lacks Documentation="
doc=$(sed -n 's#^Documentation=file://\([^ ]*\).*#\1#p' "$unit")
[[ -f $t/stage$doc ]] || fail "Documentation= names $doc, which install.sh did not install"
echo "ok: the unit restarts like kubelet's (Restart=always, RestartSec=10, StartLimitIntervalSec=0) and its documentation is installed"

# verify checks that ExecStart's binary exists: point it at the staged one (the unit name must stay crilet.service).
mkdir -p "$t/verify"
sed "s#/usr/local/bin/crilet#$installed#" "$unit" >"$t/verify/crilet.service"
rc=0
out=$(cd "$t/verify" && systemd-analyze verify ./crilet.service 2>&1) || rc=$?
[[ $rc == 0 && -z $out ]] || fail "systemd-analyze verify (rc $rc): $out"
echo "ok: systemd-analyze verify crilet.service: no complaint"
