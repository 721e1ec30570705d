#!/usr/bin/env bash
# crilet's /metrics checked by the real tools: Debian's Prometheus server scrapes it on loopback (1 s interval),
# its HTTP API must show two scrapes and crilet's series (pods by phase, restarts, probe results, ...), and
# `promtool check metrics` must pass on the exposition with no lint warning.
source "$(dirname "$0")/lib.sh"

if ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null; then
  # scripts/setup.sh installs the package; skip only where Debian has none to install.
  if [[ $(apt-cache policy prometheus 2>/dev/null | awk '/Candidate:/ {print $2}') =~ ^(|\(none\))$ ]]; then
    echo "SKIP: no prometheus package can be installed here (apt-cache policy prometheus: no candidate)"
    exit 77
  fi
  fail "prometheus/promtool not installed; scripts/setup.sh installs them (Debian package prometheus)"
fi

# The PromQL expressions Prometheus must answer with at least one series once it has scraped crilet: each holds
# only when the value is right. Add a line to check a new series.
SERIES=(
  'crilet_pods{job="crilet",phase="Running"} >= 2'
  'crilet_pods{job="crilet",phase="Failed"} == 0'
  'crilet_containers{job="crilet",state="running"} >= 2'
  'crilet_container_restarts{job="crilet",namespace="default",pod="crash-node1",container="c"} >= 1'
  'crilet_probe_total{job="crilet",pod="probed-node1",container="ready",probe_type="Readiness",result="successful"} > 0'
  'crilet_probe_total{job="crilet",pod="probed-node1",container="unready",probe_type="Readiness",result="failed"} > 0'
  'crilet_pod_start_duration_seconds_count{job="crilet"} >= 1'
  'crilet_relist_duration_seconds_count{job="crilet"} > 0'
  'crilet_cri_request_duration_seconds_count{job="crilet",method="RunPodSandbox"} >= 2'
  'crilet_probe_start_delay_quantile_seconds{job="crilet",quantile="0.99"} >= 0'
  'crilet_probe_start_delay_quantile_seconds_count{job="crilet"} > 0'
  # kubelet's resource metrics, from the usage collection (agent/stats_collector)
  'container_cpu_usage_seconds_total{job="crilet",namespace="default",pod="probed-node1",container="ready"} >= 0'
  'container_memory_working_set_bytes{job="crilet",namespace="default",pod="probed-node1",container="ready"} > 0'
)

start_lab
start_crilet
manifest probed.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: probed}
spec:
  hostNetwork: true
  terminationGracePeriodSeconds: 1
  containers:
  - name: ready
    image: docker.io/library/busybox:1.36
    command: [sleep, "3600"]
    readinessProbe: {exec: {command: ["true"]}, periodSeconds: 1}
  - name: unready
    image: docker.io/library/busybox:1.36
    command: [sleep, "3600"]
    readinessProbe: {exec: {command: ["false"]}, periodSeconds: 1}
YAML
manifest crash.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: crash}
spec:
  hostNetwork: true
  terminationGracePeriodSeconds: 1
  containers:
  - {name: c, image: docker.io/library/busybox:1.36, command: [sh, -c, "exit 1"]}
YAML
wait_for "probed running" 60 pod_is probed '.status.phase == "Running"'
wait_for "crash restarted" 30 pod_is crash '.status.containerStatuses[0].restartCount >= 1'

# --- Prometheus on loopback, its own storage, scraping crilet every second ---
PROM_PORT=$(free_port)
mkdir -p "$T/prometheus/data"
cat > "$T/prometheus/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
- job_name: crilet
  metrics_path: /metrics
  static_configs:
  - targets: ['127.0.0.1:$PORT']
EOF
promtool check config "$T/prometheus/prometheus.yml" >"$T/prometheus/check-config.log" 2>&1 ||
  fail "promtool check config: $(cat "$T/prometheus/check-config.log")"
prometheus --config.file="$T/prometheus/prometheus.yml" --storage.tsdb.path="$T/prometheus/data" \
  --web.listen-address="127.0.0.1:$PROM_PORT" >"$T/prometheus/prometheus.log" 2>&1 &
PROM_PID=$!
track "$PROM_PID"
PROM=http://127.0.0.1:$PROM_PORT
prom_failed() { echo "--- prometheus log (last 20 lines) ---"; tail -20 "$T/prometheus/prometheus.log"; fail "$*"; }
kill -0 "$PROM_PID" 2>/dev/null || prom_failed "prometheus exited at start"
wait_for "prometheus ready" 30 curl -sf "$PROM/-/ready"

# query EXPR: the number of series Prometheus answers with (instant query, now).
query() { curl -sfG --data-urlencode "query=$1" "$PROM/api/v1/query"; }
holds() { query "$1" | jq -e '.status == "success" and (.data.result | length) >= 1' >/dev/null; }
# values EXPR: the answer's values, comma-separated.
values() { query "$1" | jq -r '[.data.result[].value[1]] | join(",")'; }
target_up() {
  curl -sf "$PROM/api/v1/targets" |
    jq -e '.data.activeTargets[] | select(.labels.job == "crilet") | .health == "up" and .lastError == ""' >/dev/null
}
wait_for "the crilet target is up" 30 target_up
wait_for "two scrapes of crilet" 30 holds 'count_over_time(up{job="crilet"}[5m]) >= 2'
scrapes=$(values 'count_over_time(up{job="crilet"}[5m])')
ok "Prometheus $(prometheus --version 2>&1 | awk 'NR == 1 {print $3}') scraped crilet's /metrics $scrapes times, target up with no error"

for expr in "${SERIES[@]}"; do
  wait_for "Prometheus answers $expr" 20 holds "$expr"
  log "$expr -> $(values "$expr")"
done
ok "Prometheus's API holds each of ${#SERIES[@]} crilet series with the expected value"

exposition=$(curl -sf "http://127.0.0.1:$PORT/metrics")

# --- promtool's lint on the exposition as scraped (every family with series: pods, probes, histograms) ---
printf '%s\n' "$exposition" > "$T/metrics.txt"
log "exposition: $(grep -c '^# TYPE ' "$T/metrics.txt") families, $(grep -vc '^#' "$T/metrics.txt") samples"
lint=$(promtool check metrics < "$T/metrics.txt" 2>&1) || fail "promtool check metrics failed: $lint"
[[ -z $lint ]] || fail "promtool check metrics warned: $lint"
ok "promtool check metrics passes on crilet's exposition with no lint warning"

kill -TERM "$PROM_PID"
wait "$PROM_PID" 2>/dev/null || true
rm "$MANIFESTS"/*.yaml
wait_for "pods removed" 60 bash -c "[[ \$(curl -sf http://127.0.0.1:$PORT/pods | jq '.items | length') == 0 ]]"
echo "# $CHECKS checks passed"
