#!/usr/bin/env bash
# Status-server latency and idle RSS of two crilet binaries on one private containerd with 3 running pods:
# VmRSS 5 s after the pods run, then N sequential GET /healthz and GET /pods (a fresh connection each, as
# the server closes it after its answer) from a small Python loop; p50/p99/mean per request. Runs alternate
# A/B so drift hits both alike; the load average is printed beside each run (the machine may be shared).
#   CRILET_BIN_A=old/crilet CRILET_BIN_B=new/crilet [RUNS=3] [N=1000] bash bench/status_latency.sh
set -euo pipefail
: "${CRILET_BIN_A:?}" "${CRILET_BIN_B:?}"
RUNS=${RUNS:-3}
N=${N:-1000}
export CRILET_BIN=$CRILET_BIN_A
source "$(dirname "$0")/../tests/integration/lib.sh"
start_lab
for i in 1 2 3; do
  manifest "sleep$i.yaml" <<YAML
apiVersion: v1
kind: Pod
metadata: {name: sleep$i}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - {name: app, image: docker.io/library/busybox:1.36, command: [sleep, "3600"]}
YAML
done

latency() {  # port path
  python3 - "$1" "$2" "$N" <<'PY'
import socket, sys, time
port, path, n = int(sys.argv[1]), sys.argv[2].encode(), int(sys.argv[3])
req = b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
ms = []
for _ in range(n):
    t0 = time.perf_counter()
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(req)
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    ms.append((time.perf_counter() - t0) * 1000)
    assert data.startswith(b"HTTP/1.1 200"), data[:80]
ms.sort()
print(f"{path.decode()} p50={ms[n // 2]:.3f} ms p99={ms[n * 99 // 100]:.3f} ms mean={sum(ms) / n:.3f} ms "
      f"bytes={len(data)}")
PY
}
field() { awk -v f="$1:" '$1 == f {printf "%.1f", $2 / 1024}' "/proc/$CRILET_PID/status"; }
measure() {  # label binary
  local label=$1 bin=$2 p
  CRILET_BIN=$bin start_crilet
  for p in 1 2 3; do wait_for "sleep$p runs" 60 pod_is "sleep$p" '.status.phase == "Running"'; done
  sleep 5  # settle: a measuring interval, not a synchronisation
  echo "$label VmRSS=$(field VmRSS) MB RssAnon=$(field RssAnon) MB threads=$(ls /proc/$CRILET_PID/task | wc -l) load=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "$label $(latency "$PORT" /healthz)"
  echo "$label $(latency "$PORT" /pods)"
  echo "$label after: VmRSS=$(field VmRSS) MB load=$(cut -d' ' -f1-3 /proc/loadavg)"
  stop_crilet TERM
}
for ((i = 1; i <= RUNS; i++)); do
  measure "A run $i" "$CRILET_BIN_A"
  measure "B run $i" "$CRILET_BIN_B"
done
