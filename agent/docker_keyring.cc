// Registry credential matching (kubelet pkg/credentialprovider/keyring.go: Add, Lookup, URLsMatch).
#include "agent/docker_keyring.h"

#include <algorithm>

namespace crilet::agent {
namespace {

// A schemeless URL split as Go's url.Parse("https://" + s) would: host (with port) and path.
struct HostAndPath {
  std::string host;
  std::string path;
};

HostAndPath Split(const std::string& schemeless) {
  size_t slash = schemeless.find('/');
  if (slash == std::string::npos) return {schemeless, ""};
  return {schemeless.substr(0, slash), schemeless.substr(slash)};
}

// net.SplitHostPort, where a failure leaves the whole host and no port (kubelet's SplitURL).
void SplitHostPort(const std::string& host, std::string* name, std::string* port) {
  *name = host;
  port->clear();
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    if (close != std::string::npos && close + 1 < host.size() && host[close + 1] == ':') {
      *name = host.substr(1, close - 1);
      *port = host.substr(close + 2);
    }
    return;
  }
  size_t colon = host.find(':');
  if (colon == std::string::npos || host.find(':', colon + 1) != std::string::npos) return;
  *name = host.substr(0, colon);
  *port = host.substr(colon + 1);
}

std::vector<std::string> Labels(const std::string& host) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t dot = host.find('.', start);
    out.push_back(host.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return out;
    start = dot + 1;
  }
}

// One `[...]` class at pattern[*i] (just past '['); advances *i past ']'. False for a malformed class.
bool MatchClass(const std::string& p, size_t* i, char c, bool* matched) {
  bool negate = *i < p.size() && p[*i] == '^';
  if (negate) ++*i;
  bool hit = false;
  bool first = true;
  while (*i < p.size() && (first || p[*i] != ']')) {
    first = false;
    char lo = p[*i];
    if (lo == '\\' && *i + 1 < p.size()) lo = p[++*i];
    ++*i;
    char hi = lo;
    if (*i + 1 < p.size() && p[*i] == '-' && p[*i + 1] != ']') {
      hi = p[*i + 1];
      if (hi == '\\' && *i + 2 < p.size()) hi = p[++*i + 1];
      *i += 2;
      if (hi < lo) return false;
    }
    if (lo <= c && c <= hi) hit = true;
  }
  if (*i >= p.size()) return false;  // no closing ']'
  ++*i;
  *matched = hit != negate;
  return true;
}

bool GlobAt(const std::string& p, size_t pi, const std::string& t, size_t ti) {
  while (pi < p.size()) {
    char pc = p[pi];
    if (pc == '*') {
      while (pi < p.size() && p[pi] == '*') ++pi;
      for (size_t k = ti; k <= t.size(); ++k) {
        if (GlobAt(p, pi, t, k)) return true;
      }
      return false;
    }
    if (ti >= t.size()) return false;
    if (pc == '?') {
      ++pi;
    } else if (pc == '[') {
      ++pi;
      bool matched = false;
      if (!MatchClass(p, &pi, t[ti], &matched) || !matched) return false;
    } else {
      if (pc == '\\') {
        if (++pi >= p.size()) return false;
        pc = p[pi];
      }
      if (pc != t[ti]) return false;
      ++pi;
    }
    ++ti;
  }
  return ti == t.size();
}

bool LooksLikeHost(const std::string& component) {
  return component.find_first_of(".:") != std::string::npos || component == "localhost";
}

// kubelet's isDefaultRegistryMatch, literally: a first component without '.' or ':' counts as Docker Hub's
// (so "localhost/x" does too, as in kubelet).
bool IsDefaultRegistryMatch(const std::string& image) {
  size_t slash = image.find('/');
  std::string first = image.substr(0, slash);
  if (first.empty()) return false;
  if (slash == std::string::npos || first == "docker.io" || first == "index.docker.io") return true;
  return first.find_first_of(".:") == std::string::npos;
}

}  // namespace

bool GlobMatch(const std::string& pattern, const std::string& text) { return GlobAt(pattern, 0, text, 0); }

std::string NormalizeRegistryKey(const std::string& key) {
  std::string rest = key;
  for (const char* scheme : {"https://", "http://"}) {
    if (rest.rfind(scheme, 0) == 0) {
      rest = rest.substr(std::char_traits<char>::length(scheme));
      break;
    }
  }
  HostAndPath hp = Split(rest);
  std::string path = hp.path;
  if (path.rfind("/v2/", 0) == 0 || path.rfind("/v1/", 0) == 0) path = path.substr(3);
  if (path.empty() || path == "/") return hp.host;
  return hp.host + path;
}

std::string NormalizeImageRepository(const std::string& image) {
  std::string name = image.substr(0, image.find('@'));
  size_t last_slash = name.rfind('/');
  size_t colon = name.rfind(':');
  if (colon != std::string::npos && (last_slash == std::string::npos || colon > last_slash)) name.resize(colon);
  size_t slash = name.find('/');
  std::string domain, remainder;
  if (slash != std::string::npos && LooksLikeHost(name.substr(0, slash))) {
    domain = name.substr(0, slash);
    remainder = name.substr(slash + 1);
  } else {
    domain = "docker.io";
    remainder = name;
  }
  if (domain == "index.docker.io") domain = "docker.io";
  if (domain == "docker.io" && remainder.find('/') == std::string::npos) remainder = "library/" + remainder;
  return domain + "/" + remainder;
}

bool RegistryKeyMatches(const std::string& glob, const std::string& target) {
  HostAndPath g = Split(glob), t = Split(target);
  std::string g_name, g_port, t_name, t_port;
  SplitHostPort(g.host, &g_name, &g_port);
  SplitHostPort(t.host, &t_name, &t_port);
  if (g_port != t_port) return false;
  std::vector<std::string> g_labels = Labels(g_name), t_labels = Labels(t_name);
  if (g_labels.size() != t_labels.size()) return false;
  if (t.path.rfind(g.path, 0) != 0) return false;
  for (size_t i = 0; i < g_labels.size(); ++i) {
    if (!GlobMatch(g_labels[i], t_labels[i])) return false;
  }
  return true;
}

void DockerKeyring::Add(const DockerConfig& config, const std::string& source) {
  for (const auto& [key, entry] : config) {
    std::string normalised = NormalizeRegistryKey(key);
    PullCredential c;
    c.auth.username = entry.username;
    c.auth.password = entry.password;
    c.auth.identity_token = entry.identity_token;
    c.auth.registry_token = entry.registry_token;
    // server_address stays empty, as kubelet sends it: containerd 1.6 drops credentials whose server address
    // is not the host it contacts, which would lose them behind every hosts.toml mirror.
    c.source = source;
    c.key = normalised;
    auto [it, added] = creds_.try_emplace(normalised);
    it->second.push_back(std::move(c));
    if (added) index_.push_back(normalised);
  }
  std::sort(index_.begin(), index_.end(), std::greater<>());
}

std::vector<PullCredential> DockerKeyring::Lookup(const std::string& repository) const {
  std::vector<PullCredential> out;
  for (const std::string& key : index_) {
    if (!RegistryKeyMatches(key, repository)) continue;
    const auto& found = creds_.at(key);
    out.insert(out.end(), found.begin(), found.end());
  }
  if (!out.empty()) return out;
  if (IsDefaultRegistryMatch(repository)) {
    if (auto it = creds_.find("index.docker.io"); it != creds_.end()) return it->second;
  }
  return out;
}

}  // namespace crilet::agent
