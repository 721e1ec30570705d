// Merging sources into the desired pods.
#include "manifests/pod_config.h"

#include <ctime>
#include <set>
#include <spdlog/spdlog.h>

#include "manifests/static_pod.h"

namespace crilet::manifests {

std::string SeenTime(TimePoint t) {
  auto ns = ToUnixNanos(t);
  std::time_t secs = static_cast<std::time_t>(ns / 1000000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[96];
  std::snprintf(out, sizeof out, "%s.%09lldZ", buf, static_cast<long long>(ns % 1000000000));
  return out;
}

std::vector<Pod> MergeSources(const std::map<std::string, FileState>& files, const FileState* url,
                              const std::string& url_name, std::map<std::string, std::string>* seen,
                              const Clock& clock, std::vector<FieldError>* problems) {
  std::vector<Pod> out;
  std::map<std::string, std::string> owner;  // full name -> where it came from
  std::set<std::string> uids;
  auto add = [&](const std::string& from, const FileState& st) {
    problems->insert(problems->end(), st.errors.begin(), st.errors.end());
    for (const auto& pod : st.pods) {
      std::string full = pod.metadata.namespace_ + "/" + pod.metadata.name;
      auto [it, fresh] = owner.emplace(full, from);
      if (!fresh) {
        // Kubelet keys pods by UID and runs one per full name; the first in file-name order wins.
        problems->push_back(FieldError{from, 0, "metadata.name",
                                       "pod " + full + " is already declared by " + it->second + "; this one is ignored"});
        continue;
      }
      if (!uids.insert(pod.metadata.uid).second) {
        problems->push_back(FieldError{from, 0, "metadata.uid", "uid " + pod.metadata.uid + " is used twice; ignored"});
        continue;
      }
      Pod p = pod;
      auto s = seen->find(p.metadata.uid);
      if (s == seen->end()) s = seen->emplace(p.metadata.uid, SeenTime(clock.Now())).first;
      p.metadata.annotations[kConfigSeenAnnotation] = s->second;
      out.push_back(std::move(p));
    }
  };
  for (const auto& [path, st] : files) add(path, st);
  if (url) add(url_name, *url);
  // Forget seen times of pods that are gone, so a returning pod is seen anew.
  for (auto it = seen->begin(); it != seen->end();) it = uids.count(it->first) ? std::next(it) : seen->erase(it);
  return out;
}

LocalObjects MergeObjects(const std::map<std::string, FileState>& files, const FileState* url,
                          const std::string& url_name, std::vector<FieldError>* problems) {
  LocalObjects out;
  std::map<std::string, std::string> owner;  // "ConfigMap ns/name" -> where it came from
  auto claim = [&](const std::string& from, const std::string& what) {
    auto [it, fresh] = owner.emplace(what, from);
    if (!fresh) {
      problems->push_back(FieldError{from, 0, "metadata.name", what + " is already declared by " + it->second +
                                                                   "; this one is ignored"});
    }
    return fresh;
  };
  auto add = [&](const std::string& from, const FileState& st) {
    for (const auto& c : st.objects.config_maps) {
      if (claim(from, "ConfigMap " + c.namespace_ + "/" + c.name)) out.config_maps.push_back(c);
    }
    for (const auto& s : st.objects.secrets) {
      if (claim(from, "Secret " + s.namespace_ + "/" + s.name)) out.secrets.push_back(s);
    }
    for (const auto& c : st.objects.claims) {
      if (claim(from, "PersistentVolumeClaim " + c.namespace_ + "/" + c.name)) out.claims.push_back(c);
    }
    for (const auto& v : st.objects.persistent_volumes) {
      if (claim(from, "PersistentVolume " + v.name)) out.persistent_volumes.push_back(v);
    }
  };
  for (const auto& [path, st] : files) add(path, st);
  if (url) add(url_name, *url);
  return out;
}

PodConfig::PodConfig(Options options, std::function<void(std::vector<Pod>)> on_change, const Clock* clock)
    : options_(std::move(options)), on_change_(std::move(on_change)), clock_(clock ? clock : &real_clock_) {}

PodConfig::~PodConfig() { Stop(); }

Status PodConfig::Start() {
  if (!options_.manifest_path.empty()) {
    DirSource::Options o;
    o.path = options_.manifest_path;
    o.node_name = options_.node_name;
    o.resync = options_.file_check_frequency;
    o.check_ownership = options_.check_manifest_ownership;
    dir_ = std::make_unique<DirSource>(o, [this](const std::map<std::string, FileState>& files) {
      std::lock_guard<std::mutex> emit(emit_mu_);
      {
        std::lock_guard<std::mutex> lock(mu_);
        files_ = files;
        if (!started_) return;
      }
      Emit();
    });
  }
  if (!options_.manifest_url.empty()) {
    UrlSource::Options o;
    o.url = options_.manifest_url;
    o.headers = options_.url_headers;
    o.node_name = options_.node_name;
    o.period = options_.http_check_frequency;
    url_ = std::make_unique<UrlSource>(o, [this](const FileState& st) {
      std::lock_guard<std::mutex> emit(emit_mu_);
      {
        std::lock_guard<std::mutex> lock(mu_);
        url_state_ = st;
        have_url_state_ = true;
        url_ready_ = url_ready_ || st.ever_valid;
        if (!started_) return;
      }
      Emit();
    });
  }
  if (dir_) {
    if (Status s = dir_->Start(); !s.ok()) return s;
  }
  if (url_) url_->Start();
  std::lock_guard<std::mutex> emit(emit_mu_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    started_ = true;
  }
  Emit();
  return Status::Ok();
}

void PodConfig::Stop() {
  if (dir_) dir_->Stop();
  if (url_) url_->Stop();
}

void PodConfig::Rescan() {
  if (dir_) dir_->Rescan();
  if (url_) url_->Rescan();
}

std::vector<FieldError> PodConfig::Problems() const {
  std::lock_guard<std::mutex> lock(mu_);
  return problems_;
}

LocalObjects PodConfig::Objects() const {
  std::lock_guard<std::mutex> lock(mu_);
  return objects_;
}

bool PodConfig::SourcesReady() const {
  std::lock_guard<std::mutex> lock(mu_);
  return options_.manifest_url.empty() || url_ready_;
}

void PodConfig::Emit() {
  std::map<std::string, FileState> files;
  FileState url;
  bool have_url;
  bool ready;
  std::vector<FieldError> old_problems;
  {
    std::lock_guard<std::mutex> lock(mu_);
    files = files_;
    url = url_state_;
    have_url = have_url_state_;
    old_problems = problems_;
    ready = options_.manifest_url.empty() || url_ready_;
  }
  std::vector<FieldError> problems;
  std::vector<Pod> pods = MergeSources(files, have_url ? &url : nullptr, options_.manifest_url, &seen_, *clock_, &problems);
  LocalObjects objects = MergeObjects(files, have_url ? &url : nullptr, options_.manifest_url, &problems);
  // A source logged its own errors (as E lines) when it read them; only what the merge found (a name or UID
  // declared twice) is logged here, once. A file error at a metadata.* path used to be logged twice.
  std::set<std::string> source_errors;
  for (const auto& [path, st] : files) {
    for (const auto& e : st.errors) source_errors.insert(e.ToString());
  }
  if (have_url) {
    for (const auto& e : url.errors) source_errors.insert(e.ToString());
  }
  for (const auto& p : problems) {
    std::string line = p.ToString();
    if (source_errors.count(line)) continue;
    bool known = false;
    for (const auto& old : old_problems) known = known || old.ToString() == line;
    if (!known) spdlog::warn("{}", line);
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    problems_ = std::move(problems);
    objects_ = objects;
  }
  // A source becoming ready is news too, and so is a changed ConfigMap or Secret.
  if (emitted_ && pods == last_ && ready == last_ready_ && objects == last_objects_) return;
  emitted_ = true;
  last_ = pods;
  last_objects_ = std::move(objects);
  last_ready_ = ready;
  if (on_change_) on_change_(std::move(pods));
}

}  // namespace crilet::manifests
