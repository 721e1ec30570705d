#!/usr/bin/env python3
"""Turns bench.sh's measurements (JSON lines of name/value) into a table and BENCHMARKS.md."""
import datetime
import json
import math
import platform
import statistics
import subprocess
import sys

results, out_path = sys.argv[1], sys.argv[2]
baseline_rev = sys.argv[3] if len(sys.argv) > 3 else ""
values = {}
for line in open(results):
    r = json.loads(line)
    values.setdefault(r["name"], []).append(float(r["value"]))


def stats(name):
    v = values.get(name, [])
    if not v:
        return None
    return min(v), statistics.median(v), max(v), len(v)


def pct(name, q):
    v = sorted(values.get(name, []))
    if not v:
        return None
    # Nearest rank: the smallest value with at least q of the samples at or below it.
    return v[max(0, min(len(v) - 1, math.ceil(q * len(v)) - 1))]


def fmt(s, unit):
    if s is None:
        return "not measured"
    return f"{s[0]:.1f} / {s[1]:.1f} / {s[2]:.1f} {unit} (n={s[3]})"


def ratio(a, b):
    sa, sb = stats(a), stats(b)
    if not sa or not sb or sb[1] == 0:
        return "n/a"
    return f"{sa[1] / sb[1]:.3f}x"


def first(name):
    v = values.get(name)
    return v[0] if v else None


def per_run_us(cpu_name, runs_name):
    """CPU per probe run in microseconds: a share of one core over runs per second."""
    cpu, runs = first(cpu_name), first(runs_name)
    if cpu is None or not runs:
        return None
    return cpu / 100 / runs * 1e6


def quotient(a, b):
    return "n/a" if a is None or not b else f"{a / b:.3f}x"


def cmd(c):
    try:
        return subprocess.run(c, shell=True, capture_output=True, text=True).stdout.strip()
    except Exception:
        return "?"


cpu = cmd("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip()
containerd_version = cmd("containerd --version | cut -d' ' -f3")
runc_version = cmd("runc --version | head -1")
rows = [
    ("Start, host network: raw CRI chain", fmt(stats("start_raw_host"), "ms"), ""),
    ("Start, host network: crilet manifest to Running", fmt(stats("start_crilet_host"), "ms"),
     "ratio " + ratio("start_crilet_host", "start_raw_host") + " (target <= 1.10x)"),
    ("Start, pod network: raw CRI chain", fmt(stats("start_raw_pod"), "ms"), ""),
    ("Start, pod network: crilet manifest to Running", fmt(stats("start_crilet_pod"), "ms"),
     "ratio " + ratio("start_crilet_pod", "start_raw_pod") + " (target <= 1.10x)"),
    *([("Start, host network: crilet built from " + baseline_rev + " (before)", fmt(stats("start_baseline_host"), "ms"),
        "ratio to raw " + ratio("start_baseline_host", "start_raw_host")),
       ("Start, pod network: crilet built from " + baseline_rev + " (before)", fmt(stats("start_baseline_pod"), "ms"),
        "ratio to raw " + ratio("start_baseline_pod", "start_raw_pod"))] if values.get("start_baseline_host") else []),
    ("Burst of 30, host network: raw CRI, 30 concurrent chains", fmt(stats("burst_raw_host"), "ms"), ""),
    ("Burst of 30, host network: crilet, 30 manifests at once", fmt(stats("burst_crilet_host"), "ms"),
     "ratio " + ratio("burst_crilet_host", "burst_raw_host") + " (target <= 1.10x)"),
    ("Burst of 30, pod network: raw CRI", fmt(stats("burst_raw_pod"), "ms"), ""),
    ("Burst of 30, pod network: crilet", fmt(stats("burst_crilet_pod"), "ms"),
     "ratio " + ratio("burst_crilet_pod", "burst_raw_pod") + " (target <= 1.10x)"),
    ("podman kube play (host network)", fmt(stats("podman_play"), "ms"), ""),
    ("crilet, same pod, manifest to Running", fmt(stats("podman_crilet"), "ms"),
     "crilet/podman " + ratio("podman_crilet", "podman_play") + " (target <= 0.85x)"),
]
exit_rows = []
for name, label in (("exit_report", "Exit to reported terminated, exit watcher (default)"),
                    ("exit_restart", "Exit to restarted container running, exit watcher (default)"),
                    ("exit_report_relist", "Exit to reported terminated, relist only (--exit-watcher=false)"),
                    ("exit_restart_relist", "Exit to restarted container running, relist only")):
    if values.get(name):
        exit_rows.append((label, f"p50 {pct(name, 0.5):.0f} ms, p99 {pct(name, 0.99):.0f} ms, max {max(values[name]):.0f} ms (n={len(values[name])})"))
steady = [
    ("crilet CPU (share of one core)", values.get("steady_cpu_percent", ["?"])[0], "%", "target < 2%"),
    ("Floor: the same probes run by crilet's handler code alone (`bench_tool probe-floor`)",
     values.get("steady_floor_cpu_percent", ["?"])[0], "%",
     f"crilet/floor {ratio('steady_cpu_percent', 'steady_floor_cpu_percent')}"),
    ("Floor: probe runs per second", values.get("steady_floor_runs_per_second", ["?"])[0], "/s", ""),
    ("crilet probe runs per second", values.get("steady_runs_per_second", ["?"])[0], "/s", ""),
    ("crilet CPU per probe run", per_run_us("steady_cpu_percent", "steady_runs_per_second") or "?", "us",
     "floor " + (f"{per_run_us('steady_floor_cpu_percent', 'steady_floor_runs_per_second'):.1f} us"
                 if per_run_us("steady_floor_cpu_percent", "steady_floor_runs_per_second") else "n/a")),
    ("crilet RSS (50 probed pods)", values.get("steady_rss_mb", ["?"])[0], "MB", "target < 35 MB (issue 17, libcurl loaded)"),
    ("crilet RSS: private anonymous part (heap, stacks)", values.get("steady_rss_anon_mb", ["?"])[0], "MB", ""),
    ("crilet RSS with no pods (after start)", values.get("idle_rss_mb", ["?"])[0], "MB", ""),
    ("crilet RSS with no pods: private anonymous part", values.get("idle_rss_anon_mb", ["?"])[0], "MB", ""),
    ("Probe start jitter p50", values.get("probe_jitter_p50_ms", ["?"])[0], "ms", ""),
    ("Probe start jitter p99", values.get("probe_jitter_p99_ms", ["?"])[0], "ms", "target < 20 ms (issue 17)"),
    ("100 pods: time until all Ready", values.get("scale_ready_seconds", ["?"])[0], "s", ""),
    ("100 pods: crilet RSS", values.get("scale_rss_mb", ["?"])[0], "MB", ""),
    ("100 pods at rest: CRI calls per second", values.get("scale_cri_calls_per_second", ["?"])[0], "/s", "a 1 s relist needs 2/s"),
]

steady_us = per_run_us("steady_cpu_percent", "steady_runs_per_second")
tls_us = per_run_us("tls_cpu_percent", "tls_runs_per_second")
tls_floor_us = per_run_us("tls_floor_cpu_percent", "tls_floor_runs_per_second")
tls = [
    ("crilet CPU (share of one core)", first("tls_cpu_percent"), "%", ""),
    ("crilet probe runs per second", first("tls_runs_per_second"), "/s", ""),
    ("crilet probe runs failed in the window", first("tls_failed_runs"), "", "should be 0"),
    ("crilet CPU per probe run", tls_us, "us",
     f"{quotient(tls_us, steady_us)} of a steady-state run, {quotient(tls_us, tls_floor_us)} of the floor's"),
    ("Floor: the same probes by crilet's handler code alone", first("tls_floor_cpu_percent"), "%",
     f"crilet/floor {ratio('tls_cpu_percent', 'tls_floor_cpu_percent')}"),
    ("Floor: probe runs per second", first("tls_floor_runs_per_second"), "/s", ""),
    ("Floor: CPU per probe run", tls_floor_us, "us", ""),
    ("Probe start jitter p50", first("tls_jitter_p50_ms"), "ms",
     "steady state " + (f"{first('probe_jitter_p50_ms'):.2f} ms" if first("probe_jitter_p50_ms") is not None else "n/a")),
    ("Probe start jitter p99", first("tls_jitter_p99_ms"), "ms",
     "target < 20 ms; steady state " + (f"{first('probe_jitter_p99_ms'):.2f} ms" if first("probe_jitter_p99_ms") is not None else "n/a")),
    ("crilet RSS", first("tls_rss_mb"), "MB", ""),
    ("crilet RSS: private anonymous part", first("tls_rss_anon_mb"), "MB", ""),
    ("crilet threads", first("tls_threads"), "", ""),
]

lines = []
lines.append("# crilet benchmarks\n")
lines.append(f"Measured by `scripts/bench.sh` on {datetime.date.today().isoformat()}: {cpu}, "
             f"{cmd('nproc')} cores, kernel {platform.release()}, containerd {containerd_version}, "
             f"{runc_version}. Each figure is min / median / max over the runs (n); raw CRI and crilet "
             "runs are interleaved in the same run on the same private containerd, so ratios compare like with like.\n")
lines.append("## Pod start\n")
lines.append("| what | min / median / max | comparison |\n|---|---|---|")
for r in rows:
    lines.append(f"| {r[0]} | {r[1]} | {r[2]} |")
lines.append("\n## Exit detection (default 1 s relist)\n")
lines.append("20 pods; each container exits when the benchmark tells it to; times run from the exit to the status "
             "server showing it terminated, and to the restarted container running (the first restart has no backoff, as in kubelet). "
             "With 20 samples p99 is the maximum. Target: p99 under 1.2 s.\n")
lines.append("| what | measured |\n|---|---|")
for r in exit_rows:
    lines.append(f"| {r[0]} | {r[1]} |")
lines.append("\n## Steady state and scale\n")
lines.append("50 pods, each with a startup, a liveness and a readiness probe at 1 s; the handlers (exec, httpGet, "
             "tcpSocket) rotate over the three from pod to pod, so once the startup probes have passed (and stop, as in "
             "kubelet) 100 probes per second run, a third of each kind, for 2 minutes. CPU is crilet's own process "
             "(the runc processes exec probes start are not counted). The floor runs the same liveness and readiness "
             "probes against the same pods with crilet's own handler code (exec through CRI ExecSync, httpGet through "
             "crilet's HTTP client, tcpSocket) from 8 plain threads, with no timer queue, pool, results, status or metrics: what "
             "the probe operations themselves cost this machine. Jitter is the actual start of a probe run "
             "minus its scheduled time, over the measured window only (from the bucket counts of "
             "crilet_probe_start_delay_seconds at its start and end, linear within a bucket as Prometheus's "
             "histogram_quantile).\n")
lines.append("| what | measured | target |\n|---|---|---|")
for name, v, unit, target in steady:
    shown = f"{v:.2f}" if isinstance(v, float) else v
    lines.append(f"| {name} | {shown} {unit} | {target} |")
if first("stats_off_cpu_percent") is not None:
    lines.append("\n## Resource usage collection at 100 pods\n")
    lines.append("100 host-network pods (a sleeping busybox container and an emptyDir each). The same pods, crilet "
                 "restarted for each case: collection off (`--housekeeping-interval=0`, the baseline), kubelet's 10 s "
                 "with `/stats/summary` and `/metrics` fetched every 10 s, and 1 s with both fetched every second. CPU "
                 "is the share of one core over the window; containerd's is its own process (it answers "
                 "ListPodSandboxStats or ListContainerStats, and ImageFsInfo), not its shims.\n")
    lines.append("| case | crilet CPU | containerd CPU | crilet RSS | /stats/summary size |\n|---|---|---|---|---|")
    for key, label in (("off", "off (baseline)"), ("on", "10 s, scraped every 10 s"), ("fast", "1 s, scraped every 1 s")):
        c, d, r, k = (first(f"stats_{key}_{m}") for m in ("cpu_percent", "containerd_cpu_percent", "rss_mb", "summary_kb"))
        show = lambda v, unit: "not measured" if v is None else f"{v:.2f} {unit}"
        extra = "" if key == "off" else (f" ({ratio(f'stats_{key}_cpu_percent', 'stats_off_cpu_percent')} of off)")
        extra_d = "" if key == "off" else (f" ({ratio(f'stats_{key}_containerd_cpu_percent', 'stats_off_containerd_cpu_percent')} of off)")
        lines.append(f"| {label} | {show(c, '%')}{extra} | {show(d, '%')}{extra_d} | {show(r, 'MB')} | "
                     f"{'-' if k is None else f'{k:.0f} KiB'} |")
lines.append("\n## HTTPS and host-name httpGet probes\n")
lines.append("50 pods, each with a liveness httpGet probe over HTTPS to 127.0.0.1 and a readiness httpGet probe to "
             "`localhost` (a host name) over HTTP, at 1 s: 100 runs a second. The servers are one host-network pod on "
             "loopback: etcd serving HTTPS with a self-signed certificate (`--auto-tls`) and busybox httpd. crilet is "
             "restarted before this case; jitter is over the measured window, as above. The floor runs the same probes with "
             "crilet's handler code from 8 plain threads, crilet stopped.\n")
lines.append("| what | measured | comparison |\n|---|---|---|")
for name, v, unit, target in tls:
    number = f"{v:.0f}" if unit == "" and isinstance(v, float) else f"{v:.2f}" if isinstance(v, float) else f"{v}"
    shown = "not measured" if v is None else f"{number} {unit}".strip()
    lines.append(f"| {name} | {shown} | {target} |")
# With BASELINE_REV the probe cases ran with the baseline build too, just before the current one.
before_after = [
    ("Steady state: crilet CPU", "steady_cpu_percent", "%", "within 10% of the floor"),
    ("Steady state: probe runs per second", "steady_runs_per_second", "/s", ""),
    ("Steady state: start jitter p50", "probe_jitter_p50_ms", "ms", ""),
    ("Steady state: start jitter p99", "probe_jitter_p99_ms", "ms", "< 20 ms"),
    ("Steady state: RSS (50 probed pods)", "steady_rss_mb", "MB", "< 35 MB"),
    ("HTTPS and host names: crilet CPU", "tls_cpu_percent", "%", "within 10% of the floor"),
    ("HTTPS and host names: probe runs per second", "tls_runs_per_second", "/s", ""),
    ("HTTPS and host names: failed runs", "tls_failed_runs", "", "0"),
    ("HTTPS and host names: start jitter p99", "tls_jitter_p99_ms", "ms", "< 20 ms"),
    ("HTTPS and host names: RSS", "tls_rss_mb", "MB", ""),
    ("HTTPS and host names: threads", "tls_threads", "", ""),
]
if any(first("baseline_" + key) is not None for _, key, _, _ in before_after):
    lines.append(f"\n## Probes before and after, in this run\n")
    lines.append(f"The same two probe cases run first with crilet built from {baseline_rev} (before), then with this "
                 "build (after), each on a freshly started crilet; the floors are measured once, after the current build.\n")
    lines.append("| what | before | after | target |\n|---|---|---|---|")
    for name, key, unit, target in before_after:
        b, a = first("baseline_" + key), first(key)
        show = lambda v: "not measured" if v is None else (f"{v:.0f}" if unit == "" else f"{v:.2f} {unit}")
        lines.append(f"| {name} | {show(b)} | {show(a)} | {target} |")
if values.get("load_average_1m"):
    lines.append(f"\nLoad average (1 min) at the end of the measured windows: "
                 f"{', '.join(f'{v:.2f}' for v in values['load_average_1m'])}.")
text = "\n".join(lines) + "\n"
print(text)
history = ""
try:
    old = open(out_path).read()
    marker = "\n## Improvements\n"
    if marker in old:
        history = old[old.index(marker):]
except FileNotFoundError:
    pass
open(out_path, "w").write(text + history)
