#!/usr/bin/env bash
# Resource usage (issue 20): a container running `yes > /dev/null` under a 200m CPU limit shows near 200m in
# crilet top and an idle one near 0m; GET /stats/summary validates against a JSON schema of kubelet's
# stats/v1alpha1 Summary and carries the emptyDir's and logs' disk usage; /metrics has the usage series under
# kubelet's names; top node, --containers, -A and --sort-by; --housekeeping-interval=0 turns it all off.
source "$(dirname "$0")/lib.sh"

SCHEMA=$CRILET_SOURCE_DIR/tests/integration/schemas/stats_summary.schema.json
/usr/bin/python3 -c 'import jsonschema' 2>/dev/null || { echo "SKIP: needs python3-jsonschema (scripts/setup.sh)"; exit 77; }

start_lab
# A 1 s housekeeping interval, so the CPU rate settles within seconds (kubelet's is 10 s).
start_crilet --housekeeping-interval 1s

manifest busy.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: busy}
spec:
  hostNetwork: true
  terminationGracePeriodSeconds: 1
  containers:
  - name: burn
    image: docker.io/library/busybox:1.36
    command: [sh, -c, "yes > /dev/null"]
    resources: {limits: {cpu: 200m, memory: 32Mi}}
YAML
manifest idle.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: idle, labels: {app: idle}}
spec:
  hostNetwork: true
  terminationGracePeriodSeconds: 1
  volumes:
  - {name: cache, emptyDir: {}}
  containers:
  - name: nap
    image: docker.io/library/busybox:1.36
    command: [sh, -c, "dd if=/dev/zero of=/cache/blob bs=1024 count=2048 2>/dev/null; echo written; exec sleep 3600"]
    volumeMounts: [{name: cache, mountPath: /cache}]
YAML
wait_for "busy and idle running" 60 eval 'pod_is busy ".status.phase == \"Running\"" && pod_is idle ".status.phase == \"Running\""'

# --- crilet top pods: busy near its 200m limit, idle near 0 ---
# The millicores of POD in `crilet top pods` ("" when it has no row yet).
millicores() { C top pods 2>/dev/null | awk -v p="$1-node1" '$1 == p {sub(/m$/, "", $2); print $2}'; }
near_limits() {
  local busy idle
  busy=$(millicores busy)
  idle=$(millicores idle)
  [[ -n $busy && -n $idle ]] && ((busy >= 150 && busy <= 230 && idle <= 5))
}
wait_for "top pods: busy near 200m (150m-230m), idle near 0m (at most 5m)" 30 near_limits
top=$(C top pods)
while IFS= read -r line; do log "$line"; done <<<"$top"
[[ $(head -1 <<<"$top") =~ ^NAME\ +CPU\(cores\)\ +MEMORY\(bytes\)$ ]] || fail "top header: $top"
grep -qE '^idle-node1 +[0-9]+m +[0-9]+Mi$' <<<"$top" || fail "top idle row: $top"
ok "crilet top pods: busy-node1 $(millicores busy)m under a 200m limit, idle-node1 $(millicores idle)m; kubectl's columns"

# --containers, --sort-by, -A, top node.
sorted=$(C top pods --containers --sort-by cpu -A)
[[ $(head -1 <<<"$sorted") =~ ^NAMESPACE\ +POD\ +NAME\ +CPU\(cores\)\ +MEMORY\(bytes\)$ ]] || fail "top --containers -A: $sorted"
[[ $(sed -n 2p <<<"$sorted") =~ ^default\ +busy-node1\ +burn\  ]] || fail "top --sort-by cpu: busy first? $sorted"
grep -qE '^default +idle-node1 +nap +[0-9]+m +[0-9]+Mi$' <<<"$sorted" || fail "top --containers: $sorted"
node=$(C top node)
while IFS= read -r line; do log "$line"; done <<<"$node"
[[ $(head -1 <<<"$node") =~ ^NAME\ +CPU\(cores\)\ +CPU%\ +MEMORY\(bytes\)\ +MEMORY%$ ]] || fail "top node header: $node"
grep -qE '^node1 +[0-9]+m +[0-9]+% +[0-9]+Mi +[0-9]+%$' <<<"$node" || fail "top node row: $node"
[[ $(C top pods busy --no-headers) =~ ^busy-node1\ +[0-9]+m\ +[0-9]+Mi$ ]] || fail "top pods busy: $(C top pods busy --no-headers)"
[[ $(C top pods -l app=idle --no-headers) =~ ^idle-node1\ +[0-9]+m\ +[0-9]+Mi$ ]] || fail "top -l app=idle: $(C top pods -l app=idle)"
C top pods nosuch >/dev/null 2>"$T/err" && fail "top of a missing pod succeeded"
grep -q "Metrics not available for pod default/nosuch" "$T/err" || fail "top nosuch: $(cat "$T/err")"
ok "top pods --containers --sort-by cpu -A (busy's container first), top pods NAME and -l, top node with CPU% and MEMORY%, a missing pod's error"

# --- /stats/summary against kubelet's shape ---
curl -sf "http://127.0.0.1:$PORT/stats/summary" > "$T/summary.json" || fail "GET /stats/summary"
validate() {
  /usr/bin/python3 - "$SCHEMA" "$1" <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
for e in errors:
    print("/".join(map(str, e.absolute_path)) + ": " + e.message)
sys.exit(1 if errors else 0)
PY
}
validate "$T/summary.json" > "$T/schema.out" || fail "summary does not match the schema: $(head -20 "$T/schema.out")"
# The schema is strict: a misspelt field is caught.
jq '.pods[0].cpu.usageNanocores = 1' "$T/summary.json" > "$T/bad.json"
validate "$T/bad.json" > "$T/schema.out" && fail "the schema accepted a misspelt field"
grep -q "usageNanocores" "$T/schema.out" || fail "schema error: $(cat "$T/schema.out")"
curl -sf "http://127.0.0.1:$PORT/stats/summary?only_cpu_and_memory=true" > "$T/lean.json" || fail "GET ?only_cpu_and_memory"
validate "$T/lean.json" > "$T/schema.out" || fail "lean summary: $(head -20 "$T/schema.out")"
jq -e '(.node | has("fs") | not) and (.pods[0] | has("ephemeral-storage") | not) and .pods[0].containers[0].cpu.time' \
  "$T/lean.json" >/dev/null || fail "only_cpu_and_memory: $(jq -c '.pods[0]' "$T/lean.json")"
ok "GET /stats/summary (and ?only_cpu_and_memory=true) validates against kubelet's stats/v1alpha1 Summary schema (which refuses a misspelt field)"

S=$T/summary.json
# containerd refreshes ImageFsInfo's usage every 10 s (its stats_collect_period): just after a start it may be 0.
jq -e '.node.nodeName == "node1" and .node.cpu.usageNanoCores > 0 and .node.memory.workingSetBytes > 0 and
       .node.fs.capacityBytes > 0 and .node.runtime.imageFs.capacityBytes > 0 and .node.runtime.imageFs.usedBytes >= 0' "$S" >/dev/null || fail "node stats: $(jq -c .node "$S")"
idle=$(jq -c '.pods[] | select(.podRef.name == "idle-node1")' "$S")
jq -e '.containers[0].name == "nap" and .containers[0].memory.workingSetBytes > 0 and .containers[0].rootfs.usedBytes >= 0 and
       .containers[0].logs.usedBytes > 0 and (.volume[] | select(.name == "cache") | .usedBytes >= 2097152) and
       .["ephemeral-storage"].usedBytes >= 2097152 and .memory.workingSetBytes > 0 and .cpu.usageCoreNanoSeconds > 0' \
  <<<"$idle" >/dev/null || fail "idle pod stats: $idle"
busy=$(jq -c '.pods[] | select(.podRef.name == "busy-node1")' "$S")
jq -e '.cpu.usageNanoCores > 100000000 and .containers[0].cpu.usageNanoCores > 100000000' <<<"$busy" >/dev/null ||
  fail "busy pod stats: $busy"
source_line=$(grep -m1 "resource usage: pod figures from" "$T/crilet.log" || true)
[[ -n $source_line ]] || fail "no log line naming the pod figures' source"
log "${source_line#*] }"
ok "node CPU, memory, fs and image fs; the idle pod's emptyDir (2 MiB written), logs, writable layer, ephemeral storage; pod CPU"

# --- Prometheus series under kubelet's names ---
metrics=$(curl -sf "http://127.0.0.1:$PORT/metrics")
grep -qE '^container_cpu_usage_seconds_total\{container="burn",namespace="default",pod="busy-node1"\} [0-9.e+]+$' <<<"$metrics" ||
  fail "no container_cpu_usage_seconds_total for busy: $(grep container_cpu <<<"$metrics")"
grep -qE '^container_memory_working_set_bytes\{container="nap",namespace="default",pod="idle-node1"\} [1-9][0-9]*$' <<<"$metrics" ||
  fail "no container_memory_working_set_bytes for idle: $(grep container_memory <<<"$metrics")"
grep -q '^# TYPE container_cpu_usage_seconds_total counter$' <<<"$metrics" || fail "container_cpu_usage_seconds_total not a counter"
grep -qE '^pod_memory_working_set_bytes\{namespace="default",pod="idle-node1"\} [1-9]' <<<"$metrics" || fail "no pod_memory_working_set_bytes"
grep -qE '^node_cpu_usage_seconds_total [0-9]' <<<"$metrics" || fail "no node_cpu_usage_seconds_total"
if command -v promtool >/dev/null; then
  promtool check metrics <<<"$metrics" > "$T/promtool.out" 2>&1 || fail "promtool check metrics: $(cat "$T/promtool.out")"
  log "promtool check metrics: no problems"
fi
ok "/metrics: container_cpu_usage_seconds_total (counter), container_memory_working_set_bytes, pod_ and node_ series"

# --- collection off ---
stop_crilet
start_crilet --housekeeping-interval 0
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/stats/summary")
[[ $code == 404 ]] || fail "/stats/summary with collection off: $code"
C top pods >/dev/null 2>"$T/err" && fail "top with collection off succeeded"
grep -q "Metrics API not available" "$T/err" || fail "top error: $(cat "$T/err")"
grep -q '^container_cpu_usage_seconds_total{' <<<"$(curl -sf "http://127.0.0.1:$PORT/metrics")" && fail "usage series with collection off"
ok "--housekeeping-interval 0: /stats/summary 404, top says the metrics API is not available, no usage series"

rm -f "$MANIFESTS"/*.yaml
wait_for "pods gone" 30 eval '[[ $(count_cri pods) == 0 ]]'
echo "PASS ($CHECKS checks)"
