// crilet run's flag table and a pflag-compatible parser over it.
#include "cli/run_flags.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <optional>

#include "cli/ignored_settings.h"
#include "common/duration.h"

namespace crilet::cli {
namespace {

enum class Kind { kString, kInt32, kInt64, kBool, kDuration, kStrings, kRepeated };

struct FlagDef {
  const char* name;
  char shorthand;  // 0 = none
  Kind kind;
  const char* help;
  // Called with a value already checked for its kind.
  std::function<void(RunFlags*, const std::string&)> set;
};

int ToInt(const std::string& v) { return static_cast<int>(std::strtol(v.c_str(), nullptr, 0)); }

const std::vector<FlagDef>& Flags() {
  using F = RunFlags;
  static const std::vector<FlagDef> flags = {
      {"config", 0, Kind::kString, "KubeletConfiguration (kubelet.config.k8s.io/v1beta1) file; flags override it",
       [](F* f, const std::string& v) { f->config = v; }},
      {"pod-manifest-path", 0, Kind::kString, "Static pod directory or file (config: staticPodPath)",
       [](F* f, const std::string& v) { f->pod_manifest_path = v; }},
      {"manifest-url", 0, Kind::kString, "URL serving a Pod or PodList (config: staticPodURL)",
       [](F* f, const std::string& v) { f->manifest_url = v; }},
      {"manifest-url-header", 0, Kind::kRepeated, "Header for --manifest-url requests, Name:Value (repeatable)",
       [](F* f, const std::string& v) { f->manifest_url_headers.push_back(v); }},
      {"container-runtime-endpoint", 0, Kind::kString, "CRI socket (default unix:///run/containerd/containerd.sock)",
       [](F* f, const std::string& v) { f->runtime_endpoint = v; }},
      {"root-dir", 0, Kind::kString,
       "Directory for volumes, checkpoints and the node's registry credentials (config.json) (default /var/lib/crilet)",
       [](F* f, const std::string& v) { f->root_dir = v; }},
      {"local-storage-path", 0, Kind::kString,
       "Where PersistentVolumeClaims without a PersistentVolume get a directory, <dir>/<ns>/<claim> "
       "(default <root-dir>/persistent-volumes)",
       [](F* f, const std::string& v) { f->local_storage_path = v; }},
      {"pod-logs-dir", 0, Kind::kString,
       "Container logs: <dir>/<ns>_<pod>_<uid>/<container>/<n>.log (default /var/log/pods)",
       [](F* f, const std::string& v) { f->pod_logs_dir = v; }},
      {"hostname-override", 0, Kind::kString, "Node name; static pod foo runs as foo-<node> (default the host name)",
       [](F* f, const std::string& v) { f->hostname_override = v; }},
      {"node-labels", 0, Kind::kString,
       "Node labels key=value,... that nodeSelector and node affinity see, beside kubernetes.io/hostname, os and "
       "arch; repeats add to the list, as kubelet's map flag merges them",
       [](F* f, const std::string& v) { f->node_labels = f->node_labels ? *f->node_labels + "," + v : v; }},
      {"node-ip", 0, Kind::kString, "Host IP, and pod IP of hostNetwork pods (default the default route's address)",
       [](F* f, const std::string& v) { f->node_ip = v; }},
      {"address", 0, Kind::kString, "Status server address (default 127.0.0.1)",
       [](F* f, const std::string& v) { f->address = v; }},
      {"read-only-port", 0, Kind::kInt32, "Status server port, 0 disables it (default 10255)",
       [](F* f, const std::string& v) { f->read_only_port = ToInt(v); }},
      {"healthz-bind-address", 0, Kind::kString, "Address of the /healthz endpoint (default 127.0.0.1)",
       [](F* f, const std::string& v) { f->healthz_bind_address = v; }},
      {"healthz-port", 0, Kind::kInt32, "Port of the /healthz endpoint, 0 disables it (default 10248)",
       [](F* f, const std::string& v) { f->healthz_port = ToInt(v); }},
      {"file-check-frequency", 0, Kind::kDuration, "Full rescan period of the manifest directory (default 20s)",
       [](F* f, const std::string& v) { f->file_check_frequency = v; }},
      {"http-check-frequency", 0, Kind::kDuration, "Poll period of --manifest-url (default 20s)",
       [](F* f, const std::string& v) { f->http_check_frequency = v; }},
      {"relist-period", 0, Kind::kDuration, "How often CRI state is listed to notice exits (default 1s)",
       [](F* f, const std::string& v) { f->relist_period = v; }},
      {"housekeeping-interval", 0, Kind::kDuration,
       "How often resource usage (CPU, memory, disk of pods and containers) is collected for /stats/summary, "
       "/metrics and crilet top; 0 turns collection off (default 10s)",
       [](F* f, const std::string& v) { f->housekeeping_interval = v; }},
      {"crash-loop-backoff-initial", 0, Kind::kDuration, "First CrashLoopBackOff delay (default 10s)",
       [](F* f, const std::string& v) { f->crash_backoff_initial = v; }},
      {"crash-loop-backoff-max", 0, Kind::kDuration,
       "CrashLoopBackOff cap (config: crashLoopBackOff.maxContainerRestartPeriod) (default 300s)",
       [](F* f, const std::string& v) { f->crash_backoff_max = v; }},
      {"runtime-request-timeout", 0, Kind::kDuration, "Deadline of CRI calls (default 2m)",
       [](F* f, const std::string& v) { f->runtime_request_timeout = v; }},
      {"cluster-dns", 0, Kind::kStrings, "DNS server(s) for ClusterFirst pods, comma-separated (config: clusterDNS)",
       [](F* f, const std::string& v) { f->cluster_dns.push_back(v); }},
      {"cluster-domain", 0, Kind::kString, "Cluster domain for DNS search paths (config: clusterDomain)",
       [](F* f, const std::string& v) { f->cluster_domain = v; }},
      {"resolv-conf", 0, Kind::kString, "Host resolver file pods' DNS starts from (default /etc/resolv.conf)",
       [](F* f, const std::string& v) { f->resolv_conf = v; }},
      {"cgroup-root", 0, Kind::kString,
       "Root cgroup of the QoS cgroups (default /); with --cgroups-per-qos=false the CRI cgroup parent of pod "
       "sandboxes (default the runtime's choice) (config: cgroupRoot)",
       [](F* f, const std::string& v) { f->cgroup_root = v; }},
      {"cgroups-per-qos", 0, Kind::kBool,
       "Kubelet's QoS cgroups: pods under kubepods[/burstable|/besteffort]/pod<uid> with pod-level limits "
       "(default true) (config: cgroupsPerQOS)",
       [](F* f, const std::string& v) { f->cgroups_per_qos = v == "true"; }},
      {"cgroup-driver", 0, Kind::kString,
       "cgroupfs or systemd: how the QoS and pod cgroups are named; must match the runtime's (default cgroupfs) "
       "(config: cgroupDriver)",
       [](F* f, const std::string& v) { f->cgroup_driver = v; }},
      {"kube-reserved", 0, Kind::kString,
       "Resources reserved for Kubernetes components, cpu=100m,memory=256Mi,ephemeral-storage=1Gi,pid=1000: node "
       "allocatable is the capacity less these, systemReserved and the 100Mi eviction threshold; repeats merge "
       "(config: kubeReserved)",
       [](F* f, const std::string& v) { f->kube_reserved = f->kube_reserved ? *f->kube_reserved + "," + v : v; }},
      {"system-reserved", 0, Kind::kString,
       "Resources reserved for the system, as --kube-reserved (config: systemReserved)",
       [](F* f, const std::string& v) { f->system_reserved = f->system_reserved ? *f->system_reserved + "," + v : v; }},
      {"kube-reserved-cgroup", 0, Kind::kString,
       "Existing cgroup (cgroupfs name) that gets --kube-reserved as its limits when enforced (config: kubeReservedCgroup)",
       [](F* f, const std::string& v) { f->kube_reserved_cgroup = v; }},
      {"system-reserved-cgroup", 0, Kind::kString,
       "Existing cgroup that gets --system-reserved as its limits when enforced (config: systemReservedCgroup)",
       [](F* f, const std::string& v) { f->system_reserved_cgroup = v; }},
      {"enforce-node-allocatable", 0, Kind::kStrings,
       "Where node allocatable is enforced: pods (kubepods' cpu.shares, memory limit and pids.max), kube-reserved, "
       "system-reserved (their cgroups' limits), or none; '' for none (default [pods]) (config: enforceNodeAllocatable)",
       [](F* f, const std::string& v) {
         if (!f->enforce_node_allocatable) f->enforce_node_allocatable.emplace();
         if (!v.empty()) f->enforce_node_allocatable->push_back(v);  // pflag: "" is the empty list
       }},
      {"pod-max-pids", 0, Kind::kInt64,
       "pids.max of every pod cgroup; -1: no limit per pod, only kubepods' (default -1) (config: podPidsLimit)",
       [](F* f, const std::string& v) { f->pod_max_pids = std::strtoll(v.c_str(), nullptr, 10); }},
      {"image-gc-high-threshold", 0, Kind::kInt32,
       "Image filesystem usage percent at which unused images are removed (default 85) "
       "(config: imageGCHighThresholdPercent)",
       [](F* f, const std::string& v) { f->image_gc_high_threshold = ToInt(v); }},
      {"image-gc-low-threshold", 0, Kind::kInt32,
       "Usage percent image garbage collection frees down to (default 80) (config: imageGCLowThresholdPercent)",
       [](F* f, const std::string& v) { f->image_gc_low_threshold = ToInt(v); }},
      {"minimum-image-ttl-duration", 0, Kind::kDuration,
       "Minimum age of an unused image before it is garbage collected (default 2m0s) (config: imageMinimumGCAge)",
       [](F* f, const std::string& v) { f->minimum_image_ttl_duration = v; }},
      {"image-maximum-gc-age", 0, Kind::kDuration,
       "Remove images unused for longer than this, whatever the disk usage; 0s: never (default 0s) "
       "(config: imageMaximumGCAge)",
       [](F* f, const std::string& v) { f->image_maximum_gc_age = v; }},
      {"pod-infra-container-image", 0, Kind::kString,
       "The runtime's pod sandbox image, never garbage collected (default registry.k8s.io/pause:3.10)",
       [](F* f, const std::string& v) { f->pod_infra_container_image = v; }},
      {"image-gc-period", 0, Kind::kDuration, "How often image garbage collection runs (default 5m; crilet's, for tests)",
       [](F* f, const std::string& v) { f->image_gc_period = v; }},
      {"container-log-max-size", 0, Kind::kString, "Rotate a container log at this size (default 10Mi)",
       [](F* f, const std::string& v) { f->container_log_max_size = v; }},
      {"container-log-max-files", 0, Kind::kInt32, "Log files kept per container, current included (default 5)",
       [](F* f, const std::string& v) { f->container_log_max_files = ToInt(v); }},
      {"logging-format", 0, Kind::kString, "Log format: text or json (default text)",
       [](F* f, const std::string& v) { f->log_format = v; }},
      {"exit-watcher", 0, Kind::kBool,
       "Learn of container exits at once through pidfds; =false: only through the relist (default true)",
       [](F* f, const std::string& v) { f->exit_watcher = v == "true"; }},
      {"allow-insecure-manifest-dir", 0, Kind::kBool,
       "Load manifests even from a path or file that a non-root user can write or that another user owns "
       "(refused by default: manifests run privileged containers as root); logged as one warning",
       [](F* f, const std::string& v) { f->allow_insecure_manifest_dir = v == "true"; }},
      {"v", 'v', Kind::kInt32, "Log verbosity as kubelet's: 2 state changes, 4+ per-sync detail (default 0)",
       [](F* f, const std::string& v) { f->verbosity = ToInt(v); }},
  };
  return flags;
}

// Go's %q, enough for messages: quotes, backslashes and control bytes escaped.
std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// strconv.ParseBool's spellings, normalised to "true"/"false".
bool ParseBool(const std::string& v, std::string* norm) {
  for (const char* t : {"1", "t", "T", "true", "TRUE", "True"}) {
    if (v == t) {
      *norm = "true";
      return true;
    }
  }
  for (const char* f : {"0", "f", "F", "false", "FALSE", "False"}) {
    if (v == f) {
      *norm = "false";
      return true;
    }
  }
  return false;
}

// The reason pflag gives for a bad value of `kind`, or "" if it is good; *norm gets the value to store.
std::string CheckValue(Kind kind, const std::string& v, std::string* norm) {
  *norm = v;
  switch (kind) {
    case Kind::kInt32:
    case Kind::kInt64: {
      char* end = nullptr;
      errno = 0;
      long long n = std::strtoll(v.c_str(), &end, 0);
      bool digits = !v.empty() && (std::isdigit(static_cast<unsigned char>(v.back())) || v.rfind("0x", 0) == 0);
      if (v.empty() || *end != '\0' || !digits) return "strconv.ParseInt: parsing " + Quote(v) + ": invalid syntax";
      if (errno == ERANGE || (kind == Kind::kInt32 && (n < INT32_MIN || n > INT32_MAX))) {
        return "strconv.ParseInt: parsing " + Quote(v) + ": value out of range";
      }
      *norm = std::to_string(n);
      return "";
    }
    case Kind::kBool:
      return ParseBool(v, norm) ? "" : "strconv.ParseBool: parsing " + Quote(v) + ": invalid syntax";
    case Kind::kDuration: {
      std::string why;
      return ParseDuration(v, &why) ? "" : "time: invalid duration " + Quote(v);
    }
    default:
      return "";
  }
}

const FlagDef* FindLong(const std::string& name) {
  for (const auto& f : Flags()) {
    if (name == f.name) return &f;
  }
  return nullptr;
}

const FlagDef* FindShort(char c) {
  for (const auto& f : Flags()) {
    if (f.shorthand == c) return &f;
  }
  return nullptr;
}

std::string DisplayName(const FlagDef& f) {
  return f.shorthand ? std::string("-") + f.shorthand + ", --" + f.name : std::string("--") + f.name;
}

// Applies one value; returns pflag's error text or "".
std::string Apply(const FlagDef& f, const std::string& value, RunFlags* out) {
  std::string norm;
  if (std::string why = CheckValue(f.kind, value, &norm); !why.empty()) {
    return "invalid argument " + Quote(value) + " for " + Quote(DisplayName(f)) + " flag: " + why;
  }
  if (f.kind == Kind::kStrings) {
    size_t start = 0;
    while (true) {  // pflag's string slices split on commas (CSV)
      size_t comma = norm.find(',', start);
      f.set(out, norm.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  } else {
    f.set(out, norm);
  }
  return "";
}

void NoteIgnored(const std::string& name, RunFlags* out) {
  for (const auto& have : out->ignored_flags) {
    if (have == name) return;
  }
  out->ignored_flags.push_back(name);
}

}  // namespace

RunFlagsParse ParseRunFlags(const std::vector<std::string>& args) {
  RunFlagsParse r;
  auto fail = [&](const std::string& why) {
    r.error = "failed to parse kubelet flag: " + why;
    return r;
  };
  std::vector<std::string> positional;
  for (size_t i = 0; i < args.size(); i++) {
    const std::string& a = args[i];
    if (a == "--") {
      positional.insert(positional.end(), args.begin() + static_cast<long>(i) + 1, args.end());
      break;
    }
    if (a.size() < 2 || a[0] != '-') {
      positional.push_back(a);
      continue;
    }
    if (a[1] == '-') {  // --name, --name=value, --name value
      std::string name = a.substr(2);
      std::optional<std::string> value;
      if (auto eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name.resize(eq);
      }
      if (name.empty() || name[0] == '-' || name[0] == '=') return fail("bad flag syntax: " + a);
      if (name == "help") {
        r.help = true;
        continue;
      }
      if (name == "version") {
        r.version = true;
        continue;
      }
      const FlagDef* f = FindLong(name);
      const IgnoredFlag* ignored = f ? nullptr : FindIgnoredFlag(name);
      if (!f && !ignored) return fail("unknown flag: --" + name);
      std::string ignored_type = ignored ? ignored->type : "";
      bool is_bool = f ? f->kind == Kind::kBool : ignored_type == "bool";
      if (!value) {
        if (is_bool) {
          value = "true";
        } else if (i + 1 < args.size()) {
          value = args[++i];
        } else {
          return fail("flag needs an argument: --" + name);
        }
      }
      if (ignored) {
        // Checked as kubelet would (`--max-pods=x` is an error there too), then only named in a warning.
        Kind kind = ignored_type == "bool" ? Kind::kBool : ignored_type == "int32" ? Kind::kInt32
                    : ignored_type == "int64" ? Kind::kInt64 : Kind::kString;
        std::string norm;
        if (std::string why = CheckValue(kind, *value, &norm); !why.empty()) {
          return fail("invalid argument " + Quote(*value) + " for " + Quote("--" + name) + " flag: " + why);
        }
        NoteIgnored(name, &r.flags);
        continue;
      }
      if (std::string why = Apply(*f, *value, &r.flags); !why.empty()) return fail(why);
      continue;
    }
    // Shorthands: -h, -v 2, -v=2, -v2.
    std::string rest = a.substr(1);
    while (!rest.empty()) {
      char c = rest[0];
      if (c == 'h') {
        r.help = true;
        rest.erase(0, 1);
        continue;
      }
      const FlagDef* f = FindShort(c);
      if (!f) return fail(std::string("unknown shorthand flag: '") + c + "' in " + a);
      std::string value;
      if (rest.size() > 1 && rest[1] == '=') {
        value = rest.substr(2);
      } else if (rest.size() > 1) {
        value = rest.substr(1);
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return fail(std::string("flag needs an argument: '") + c + "' in " + a);
      }
      if (std::string why = Apply(*f, value, &r.flags); !why.empty()) return fail(why);
      break;
    }
  }
  if (!positional.empty() && !r.help) {
    r.error = "unknown command " + positional[0];  // kubelet: not a flag parse error, no prefix
  }
  return r;
}

std::string RunFlagsHelp() {
  std::string out =
      "crilet run: run static pods from a manifest directory or URL through a CRI runtime.\n"
      "Flags use kubelet's names and syntax; --config reads a KubeletConfiguration file and flags override it.\n"
      "A flag given twice keeps the last value; --cluster-dns and --manifest-url-header accumulate.\n"
      "With --image, 'crilet run NAME --image IMAGE' is kubectl's run instead: it creates a pod (see its --help).\n"
      "\n"
      "Usage:\n  crilet run [flags]\n\nFlags:\n";
  auto type_name = [](Kind k) -> std::string {
    switch (k) {
      case Kind::kString: return " string";
      case Kind::kInt32: return " int32";
      case Kind::kInt64: return " int64";
      case Kind::kDuration: return " duration";
      case Kind::kStrings: return " strings";
      case Kind::kRepeated: return " stringArray";
      case Kind::kBool: return "";
    }
    return "";
  };
  std::vector<std::pair<std::string, std::string>> rows;
  size_t width = 0;
  for (const auto& f : Flags()) {
    std::string left = f.shorthand ? std::string("  -") + f.shorthand + ", --" + f.name : std::string("      --") + f.name;
    left += type_name(f.kind);
    width = std::max(width, left.size());
    rows.emplace_back(left, f.help);
  }
  rows.emplace_back("  -h, --help", "Help for crilet run");
  rows.emplace_back("      --version", "Print the version");
  for (const auto& [left, help] : rows) out += left + std::string(width + 3 - std::min(width, left.size()), ' ') + help + "\n";
  out += "\nKubelet flags accepted and ignored (each one given is named in a warning at start):\n ";
  size_t line = 1;
  for (const auto& f : IgnoredKubeletFlags()) {
    std::string word = std::string(" --") + f.name;
    if (line + word.size() > 110) {
      out += "\n ";
      line = 1;
    }
    out += word;
    line += word.size();
  }
  return out + "\n";
}

}  // namespace crilet::cli
