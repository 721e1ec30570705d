// Splitting applied manifests into per-object files, naming them, and kubectl's apply verdict.
#include "cli/apply_objects.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <exception>
#include <map>

#include "common/yaml_plain.h"

namespace crilet::cli {
namespace {

const std::map<std::string, std::string>& Words() {
  static const std::map<std::string, std::string> words = {
      {"Pod", "pod"},
      {"ConfigMap", "configmap"},
      {"Secret", "secret"},
      {"PersistentVolumeClaim", "persistentvolumeclaim"},
      {"PersistentVolume", "persistentvolume"},
  };
  return words;
}

// Writes the node in block style, keeping each scalar's type: yaml-cpp's own emitter drops the quotes of
// "1" or "yes", which crilet's parser would then read as a number or a boolean (and kubelet reject).
void EmitNode(YAML::Emitter& e, const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map:
      if (n.size() == 0) e << YAML::Flow;  // "resources: {}" on one line, as written
      e << YAML::BeginMap;
      for (const auto& kv : n) {
        e << YAML::Key;
        EmitNode(e, kv.first);
        e << YAML::Value;
        EmitNode(e, kv.second);
      }
      e << YAML::EndMap;
      break;
    case YAML::NodeType::Sequence:
      if (n.size() == 0) e << YAML::Flow;
      e << YAML::BeginSeq;
      for (const auto& item : n) EmitNode(e, item);
      e << YAML::EndSeq;
      break;
    case YAML::NodeType::Scalar:
      // Tag "!" marks a quoted scalar (or a JSON string): a string even when its text reads as something else.
      if (n.Tag() == "!" && ResolvePlain(n.Scalar()) != PlainType::kString) {
        e << YAML::DoubleQuoted << n.Scalar();
      } else {
        e << n.Scalar();
      }
      break;
    default:
      e << YAML::Null;
      break;
  }
}

std::string Emit(const YAML::Node& node) {
  YAML::Emitter emitter;
  emitter.SetMapFormat(YAML::Block);
  emitter.SetSeqFormat(YAML::Block);
  EmitNode(emitter, node);
  return std::string(emitter.c_str()) + "\n";
}

bool AddObject(const YAML::Node& doc, std::vector<AppliedObject>* out, std::string* error) {
  if (!doc.IsMap()) {
    *error = "a document is not a mapping";
    return false;
  }
  std::string kind = doc["kind"] ? doc["kind"].as<std::string>() : "";
  if (kind == "List" || kind == "PodList") {
    for (const auto& item : doc["items"]) {
      YAML::Node copy = YAML::Clone(item);
      // A PodList's items may leave apiVersion and kind out, as the API server's lists do.
      if (!copy["kind"]) copy["kind"] = kind == "PodList" ? "Pod" : "";
      if (!copy["apiVersion"]) copy["apiVersion"] = "v1";
      if (!AddObject(copy, out, error)) return false;
    }
    return true;
  }
  if (!Words().count(kind)) {
    *error = "crilet apply does not write objects of kind \"" + kind + "\"";
    return false;
  }
  AppliedObject o;
  o.kind = kind;
  const YAML::Node meta = doc["metadata"];
  o.name = meta && meta["name"] ? meta["name"].as<std::string>() : "";
  if (kind != "PersistentVolume") {
    o.namespace_ = meta && meta["namespace"] ? meta["namespace"].as<std::string>() : "default";
    if (o.namespace_.empty()) o.namespace_ = "default";
  }
  if (o.name.empty()) {
    *error = "a " + kind + " without metadata.name";
    return false;
  }
  o.content = std::string(kAppliedHeader) + Emit(doc);
  out->push_back(std::move(o));
  return true;
}

}  // namespace

bool SplitObjects(const std::string& text, std::vector<AppliedObject>* out, std::string* error) {
  try {
    for (const auto& doc : YAML::LoadAll(text)) {
      if (doc.IsNull()) continue;  // an empty document, as between two "---"
      if (!AddObject(doc, out, error)) return false;
    }
  } catch (const std::exception& e) {
    *error = e.what();
    return false;
  }
  return true;
}

std::string ObjectFileName(const std::string& kind, const std::string& ns, const std::string& name) {
  std::string word = ResourceWord(kind);
  return (ns.empty() ? "" : ns + ".") + name + "." + word + ".yaml";
}

std::string ResourceWord(const std::string& kind) {
  auto it = Words().find(kind);
  if (it != Words().end()) return it->second;
  std::string lower = kind;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return lower;
}

std::string KindForResource(const std::string& resource) {
  static const std::map<std::string, std::string> kinds = {
      {"pod", "Pod"},
      {"pods", "Pod"},
      {"po", "Pod"},
      {"configmap", "ConfigMap"},
      {"configmaps", "ConfigMap"},
      {"cm", "ConfigMap"},
      {"secret", "Secret"},
      {"secrets", "Secret"},
      {"persistentvolumeclaim", "PersistentVolumeClaim"},
      {"persistentvolumeclaims", "PersistentVolumeClaim"},
      {"pvc", "PersistentVolumeClaim"},
      {"persistentvolume", "PersistentVolume"},
      {"persistentvolumes", "PersistentVolume"},
      {"pv", "PersistentVolume"},
  };
  auto it = kinds.find(resource);
  return it == kinds.end() ? "" : it->second;
}

ApplyOutcome DecideApply(const std::optional<std::string>& existing, const std::string& wanted) {
  if (!existing) return ApplyOutcome::kCreated;
  return *existing == wanted ? ApplyOutcome::kUnchanged : ApplyOutcome::kConfigured;
}

const char* ApplyOutcomeWord(ApplyOutcome outcome) {
  switch (outcome) {
    case ApplyOutcome::kCreated: return "created";
    case ApplyOutcome::kConfigured: return "configured";
    case ApplyOutcome::kUnchanged: return "unchanged";
  }
  return "";
}

unsigned ObjectFileMode(const std::string& kind) { return kind == "Secret" ? 0600 : 0644; }

bool WrittenByApply(const std::string& content) { return content.rfind(kAppliedHeader, 0) == 0; }

}  // namespace crilet::cli

namespace crilet::cli {

DeleteTarget FindDeleteTarget(const std::string& kind, const std::string& ns, const std::string& name,
                              const std::vector<ManifestDirFile>& files) {
  const std::string own = ObjectFileName(kind, kind == "PersistentVolume" ? "" : ns, name);
  for (const auto& f : files) {
    if (f.name == own && WrittenByApply(f.content)) return {DeleteTarget::Kind::kAppliedFile, f.name, 1};
  }
  for (const auto& f : files) {
    std::vector<AppliedObject> objects;
    std::string error;
    if (!SplitObjects(f.content, &objects, &error)) continue;  // the daemon refuses it too; it holds no pod
    for (const auto& o : objects) {
      if (o.kind == kind && o.name == name && (kind == "PersistentVolume" || o.namespace_ == ns)) {
        return {DeleteTarget::Kind::kHandWritten, f.name, objects.size()};
      }
    }
  }
  return {};
}

std::string HandWrittenRefusal(const std::string& kind, const std::string& name, const std::string& path, size_t documents) {
  std::string holds = documents > 1 ? "holds " + std::to_string(documents) + " objects and " : "";
  return ResourceWord(kind) + " \"" + name + "\" comes from " + path + ", which " + holds +
         "was not written by crilet apply; crilet delete does not edit it: remove the object from that file yourself";
}

}  // namespace crilet::cli
