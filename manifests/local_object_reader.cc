// Reading ConfigMap and Secret documents with YamlReader, then the API server's checks (local_objects.cc).
#include "manifests/local_object_reader.h"

#include "common/base64.h"
#include "manifests/parser.h"
#include "manifests/persistent_volume_reader.h"
#include "manifests/yaml_reader.h"

namespace crilet::manifests {
namespace {

struct Meta {
  std::string* name;
  std::string* namespace_;
  std::map<std::string, std::string>* labels;
  std::map<std::string, std::string>* annotations;
};

void ReadMeta(YamlReader& r, const YAML::Node& n, const Meta& m) {
  r.Mark("metadata", n);
  r.Fields(n, "metadata", [&](const std::string& k, const YAML::Node& v, const std::string& p) {
    r.Mark(p, v);
    if (k == "name") *m.name = r.Str(v, p);
    else if (k == "namespace") *m.namespace_ = r.Str(v, p);
    else if (k == "labels") *m.labels = r.StringMap(v, p);
    else if (k == "annotations") *m.annotations = r.StringMap(v, p);
    else if (k == "creationTimestamp" || k == "uid" || k == "resourceVersion") {}  // kubectl's output carries them
    else return false;
    return true;
  });
}

// YamlReader::StringMap without ever quoting a value: Secret values must not reach warnings (and logs).
std::map<std::string, std::string> RedactedStrings(YamlReader& r, const YAML::Node& n, const std::string& path) {
  std::map<std::string, std::string> out;
  if (!n.IsDefined() || n.IsNull()) return out;
  if (!n.IsMap()) {
    r.Error(n, path, "must be an object of strings");
    return out;
  }
  for (const auto& kv : n) {
    if (!kv.first.IsScalar()) {
      r.Error(kv.first, path, "keys must be strings");
      continue;
    }
    std::string key = kv.first.Scalar();
    std::string p = path + "." + key;
    if (out.count(key)) r.Warn(kv.first, p, "duplicate key, replaces the earlier value");
    r.Mark(p, kv.first);
    if (kv.second.IsNull() || !kv.second.IsDefined()) {
      out[key] = "";
    } else if (!kv.second.IsScalar()) {
      r.Error(kv.second, p, "must be a string");
    } else {
      PlainType t = kv.second.Tag() == "?" ? ResolvePlain(kv.second.Scalar()) : PlainType::kString;
      if (t == PlainType::kNumber || t == PlainType::kBool) {
        r.Warn(kv.second, p, std::string("expected a string, found a ") + (t == PlainType::kNumber ? "number" : "boolean") +
                                 " (value not shown): quote it; kubelet rejects this file");
      }
      out[key] = kv.second.Scalar();
    }
  }
  return out;
}

// A map of base64 values (Secret data, ConfigMap binaryData), decoded; errors name the key only.
std::map<std::string, std::string> ReadBytes(YamlReader& r, const YAML::Node& v, const std::string& p) {
  std::map<std::string, std::string> out;
  for (auto& [key, encoded] : RedactedStrings(r, v, p)) {
    std::string bytes, why;
    if (!DecodeBase64(encoded, &bytes, &why)) {
      r.Error(v[key], p + "[" + key + "]", "not valid base64: " + why);
      continue;
    }
    out[key] = std::move(bytes);
  }
  return out;
}

// Validation names keys as data[key]; the reader marked them as data.key.
void KeyLines(std::map<std::string, int>* lines) {
  std::map<std::string, int> extra;
  for (const auto& [path, line] : *lines) {
    for (const char* field : {"data.", "binaryData.", "stringData."}) {
      std::string f(field);
      if (path.rfind(f, 0) == 0) extra[f.substr(0, f.size() - 1) + "[" + path.substr(f.size()) + "]"] = line;
    }
  }
  lines->insert(extra.begin(), extra.end());
}

}  // namespace

bool IsLocalObjectKind(const std::string& kind) {
  return kind == "ConfigMap" || kind == "Secret" || kind == "PersistentVolumeClaim" || kind == "PersistentVolume";
}

LocalObjectDocument ReadLocalObject(const YAML::Node& n, const std::string& file) {
  LocalObjectDocument d;
  YamlReader r(file, &d.errors, &d.warnings);
  const std::string kind = ScalarField(n, "kind");
  if (kind == "PersistentVolumeClaim" || kind == "PersistentVolume") {
    PersistentVolumeClaim claim;
    PersistentVolume pv;
    if (kind == "PersistentVolumeClaim") ReadClaim(r, n, &claim);
    else ReadPersistentVolume(r, n, &pv);
    r.Finish();
    if (!d.errors.empty()) return d;
    std::map<std::string, int> lines = r.lines();
    lines[""] = YamlReader::Line(n);
    if (kind == "PersistentVolumeClaim") {
      d.errors = ValidateClaim(claim, lines, file);
      if (d.errors.empty()) d.claim = std::move(claim);
    } else {
      d.errors = ValidatePersistentVolume(pv, lines, file);
      if (d.errors.empty()) d.persistent_volume = std::move(pv);
    }
    return d;
  }
  ConfigMap cm;
  Secret secret;
  std::map<std::string, std::string> string_data;
  Meta meta = kind == "Secret" ? Meta{&secret.name, &secret.namespace_, &secret.labels, &secret.annotations}
                               : Meta{&cm.name, &cm.namespace_, &cm.labels, &cm.annotations};
  r.Fields(n, "", [&](const std::string& k, const YAML::Node& v, const std::string& p) {
    r.Mark(p, v);
    if (k == "apiVersion" || k == "kind") {
      if (r.Str(v, p) != (k == "kind" ? kind : "v1")) r.Error(v, p, "must be " + (k == "kind" ? kind : std::string("v1")));
    } else if (k == "metadata") {
      ReadMeta(r, v, meta);
    } else if (k == "immutable") {
      (kind == "Secret" ? secret.immutable : cm.immutable) = r.Bool(v, p);
    } else if (k == "data" && kind == "ConfigMap") {
      cm.data = r.StringMap(v, p);
    } else if (k == "binaryData" && kind == "ConfigMap") {
      cm.binary_data = ReadBytes(r, v, p);
    } else if (k == "data" && kind == "Secret") {
      secret.data = ReadBytes(r, v, p);
    } else if (k == "stringData" && kind == "Secret") {
      string_data = RedactedStrings(r, v, p);
    } else if (k == "type" && kind == "Secret") {
      secret.type = r.Str(v, p);
    } else {
      return false;
    }
    return true;
  });
  r.Finish();
  if (!d.errors.empty()) return d;
  std::map<std::string, int> lines = r.lines();
  lines[""] = YamlReader::Line(n);
  KeyLines(&lines);
  if (kind == "Secret") {
    // stringData is write-only and merged over data, as the API server does.
    for (auto& [key, value] : string_data) {
      secret.data[key] = std::move(value);
      if (auto it = lines.find("stringData[" + key + "]"); it != lines.end()) lines["data[" + key + "]"] = it->second;
    }
    d.errors = ValidateSecret(secret, lines, file);
    if (d.errors.empty()) d.secret = std::move(secret);
  } else {
    d.errors = ValidateConfigMap(cm, lines, file);
    if (d.errors.empty()) d.config_map = std::move(cm);
  }
  return d;
}

}  // namespace crilet::manifests
