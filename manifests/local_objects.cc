// The API server's checks on ConfigMaps and Secrets (k8s.io/kubernetes pkg/apis/core/validation), as pure functions.
#include "manifests/local_objects.h"

#include <nlohmann/json.hpp>

#include "manifests/validation.h"

namespace crilet::manifests {
namespace {

using Errors = LineFieldErrors;

void CheckMeta(const std::string& name, const std::string& ns, Errors* e) {
  if (name.empty()) {
    e->Add("metadata.name", "required");
  } else if (std::string why = CheckDnsSubdomain(name); !why.empty()) {
    e->Add("metadata.name", "invalid value \"" + name + "\": " + why);
  }
  if (std::string why = CheckDnsLabel(ns); !why.empty()) e->Add("metadata.namespace", "invalid value \"" + ns + "\": " + why);
}

void CheckKeys(const std::map<std::string, std::string>& data, const std::string& field, Errors* e, size_t* total) {
  for (const auto& [key, value] : data) {
    if (std::string why = CheckObjectKey(key); !why.empty()) e->Add(field + "[" + key + "]", "invalid key: " + why);
    *total += value.size();
  }
}

void RequireKey(const Secret& s, const std::string& key, Errors* e) {
  if (!s.data.count(key)) e->Add("data[" + key + "]", "required for a Secret of type " + s.type);
}

}  // namespace

const ConfigMap* LocalObjects::FindConfigMap(const std::string& ns, const std::string& name) const {
  for (const auto& c : config_maps) {
    if (c.namespace_ == ns && c.name == name) return &c;
  }
  return nullptr;
}

const Secret* LocalObjects::FindSecret(const std::string& ns, const std::string& name) const {
  for (const auto& s : secrets) {
    if (s.namespace_ == ns && s.name == name) return &s;
  }
  return nullptr;
}

std::string CheckObjectKey(const std::string& key) {
  if (key.empty()) return "must not be empty";
  if (key.size() > 253) return "must be no more than 253 characters";
  for (char c : key) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) return "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name')";
  }
  if (key == ".") return "must not be '.'";
  if (key == "..") return "must not be '..'";
  if (key.rfind("..", 0) == 0) return "must not start with '..'";
  return "";
}

std::vector<FieldError> ValidateConfigMap(const ConfigMap& cm, const std::map<std::string, int>& lines,
                                          const std::string& file) {
  Errors e(lines, file);
  CheckMeta(cm.name, cm.namespace_, &e);
  size_t total = 0;
  CheckKeys(cm.data, "data", &e, &total);
  CheckKeys(cm.binary_data, "binaryData", &e, &total);
  for (const auto& [key, value] : cm.binary_data) {
    if (cm.data.count(key)) e.Add("binaryData[" + key + "]", "duplicate of key present in data");
  }
  if (total > kMaxObjectDataBytes) {
    e.Add("", "too long: data and binaryData must have at most " + std::to_string(kMaxObjectDataBytes) +
                  " bytes in all, not " + std::to_string(total));
  }
  return std::move(e.out);
}

std::vector<FieldError> ValidateSecret(const Secret& s, const std::map<std::string, int>& lines, const std::string& file) {
  Errors e(lines, file);
  CheckMeta(s.name, s.namespace_, &e);
  size_t total = 0;
  CheckKeys(s.data, "data", &e, &total);
  if (total > kMaxObjectDataBytes) {
    e.Add("data", "too long: must have at most " + std::to_string(kMaxObjectDataBytes) + " bytes, not " +
                      std::to_string(total));
  }
  auto json_key = [&](const std::string& key) {
    auto it = s.data.find(key);
    if (it == s.data.end()) return RequireKey(s, key, &e);
    if (nlohmann::json::parse(it->second, nullptr, false).is_discarded()) e.Add("data[" + key + "]", "must be valid JSON");
  };
  if (s.type == "kubernetes.io/dockercfg") {
    json_key(".dockercfg");
  } else if (s.type == "kubernetes.io/dockerconfigjson") {
    json_key(".dockerconfigjson");
  } else if (s.type == "kubernetes.io/basic-auth") {
    if (!s.data.count("username") && !s.data.count("password")) {
      e.Add("data", "a Secret of type kubernetes.io/basic-auth must have at least one of the keys username, password");
    }
  } else if (s.type == "kubernetes.io/ssh-auth") {
    RequireKey(s, "ssh-privatekey", &e);
  } else if (s.type == "kubernetes.io/tls") {
    RequireKey(s, "tls.crt", &e);
    RequireKey(s, "tls.key", &e);
  } else if (s.type == "kubernetes.io/service-account-token") {
    if (!s.annotations.count("kubernetes.io/service-account.name")) {
      e.Add("metadata.annotations[kubernetes.io/service-account.name]", "required for a Secret of type " + s.type);
    }
  } else if (s.type.empty()) {
    e.Add("type", "must not be empty");
  }
  return std::move(e.out);
}

}  // namespace crilet::manifests
