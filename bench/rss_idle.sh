#!/usr/bin/env bash
# Idle RSS of two crilet binaries on one private containerd: VmRSS (and its file/anon parts) from
# /proc/PID/status 5 s after /healthz answers, with an empty manifest dir, then with --manifest-url polling
# a loopback server that serves an empty manifest. Runs alternate A/B so drift hits both alike.
#   CRILET_BIN_A=old/crilet CRILET_BIN_B=new/crilet [RUNS=3] bash bench/rss_idle.sh
set -euo pipefail
: "${CRILET_BIN_A:?}" "${CRILET_BIN_B:?}"
RUNS=${RUNS:-3}
export CRILET_BIN=$CRILET_BIN_A
source "$(dirname "$0")/../tests/integration/lib.sh"
start_lab
mkdir -p "$T/www" && : > "$T/www/pods.yaml"
WWW_PORT=$(free_port)
python3 -m http.server --bind 127.0.0.1 --directory "$T/www" "$WWW_PORT" >"$T/www.log" 2>&1 &
WWW_PID=$!
trap 'kill $WWW_PID 2>/dev/null || true; cleanup' EXIT
wait_for "manifest server" 10 curl -sf "http://127.0.0.1:$WWW_PORT/pods.yaml"

field() { awk -v f="$1:" '$1 == f {printf "%.1f", $2 / 1024}' "/proc/$CRILET_PID/status"; }
measure() {  # label binary [flags]
  local label=$1 bin=$2
  shift 2
  CRILET_BIN=$bin start_crilet "$@"
  sleep 5  # settle: a measuring interval, not a synchronisation
  echo "$label VmRSS=$(field VmRSS) MB RssFile=$(field RssFile) MB RssAnon=$(field RssAnon) MB"
  stop_crilet TERM
}
for ((i = 1; i <= RUNS; i++)); do
  for case in idle url; do
    flags=()
    [[ $case == url ]] && flags=(--manifest-url "http://127.0.0.1:$WWW_PORT/pods.yaml" --http-check-frequency 1s)
    measure "A $case run $i" "$CRILET_BIN_A" "${flags[@]}"
    measure "B $case run $i" "$CRILET_BIN_B" "${flags[@]}"
  done
done
