// Checked scalar, list and map reads over yaml-cpp nodes.
#include "manifests/yaml_reader.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <utility>

namespace crilet::manifests {
namespace {

const char* KindName(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: return "an object";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return "a scalar";
    case YAML::NodeType::Null: return "null";
    default: return "nothing";
  }
}


}  // namespace

int YamlReader::Line(const YAML::Node& n) {
  if (!n.IsDefined()) return 0;
  int line = n.Mark().line;
  return line >= 0 ? line + 1 : 0;
}

void YamlReader::Error(const YAML::Node& at, const std::string& path, const std::string& message) {
  if (errors_->size() >= kMaxReported) {
    ++errors_dropped_;
    return;
  }
  errors_->push_back(FieldError{file_, Line(at), path, message});
}

void YamlReader::Warn(const YAML::Node& at, const std::string& path, const std::string& message) {
  if (warnings_->size() >= kMaxReported) {
    ++warnings_dropped_;
    return;
  }
  warnings_->push_back(FieldError{file_, Line(at), path, message});
}

void YamlReader::Finish() {
  if (errors_dropped_ > 0) {
    errors_->push_back(FieldError{file_, 0, "", std::to_string(errors_dropped_) + " more errors not shown"});
  }
  if (warnings_dropped_ > 0) {
    warnings_->push_back(FieldError{file_, 0, "", std::to_string(warnings_dropped_) + " more warnings not shown"});
  }
  errors_dropped_ = warnings_dropped_ = 0;
}

bool YamlReader::Spend(const YAML::Node& at, const std::string& path) {
  if (budget_ <= 0) return false;
  if (--budget_ == 0) Error(at, path, "the document expands to too many values (aliases?); giving up");
  return budget_ > 0;
}

bool YamlReader::Fields(const YAML::Node& n, const std::string& path,
                        const std::function<bool(const std::string&, const YAML::Node&, const std::string&)>& field) {
  if (n.IsNull()) return true;
  if (!n.IsMap()) {
    Error(n, path, std::string("must be an object, not ") + KindName(n));
    return false;
  }
  std::vector<std::pair<YAML::Node, YAML::Node>> entries;
  std::map<std::string, size_t> last;  // key -> index of its last occurrence
  for (const auto& kv : n) {
    if (!Spend(kv.first, path)) return false;
    if (!kv.first.IsScalar()) {
      Error(kv.first, path, "keys must be strings");
      continue;
    }
    last[kv.first.Scalar()] = entries.size();
    entries.emplace_back(kv.first, kv.second);
  }
  for (size_t i = 0; i < entries.size(); ++i) {
    const auto& [k, v] = entries[i];
    std::string key = k.Scalar();
    std::string p = path.empty() ? key : path + "." + key;
    if (last[key] != i) {
      Warn(k, p, "duplicate field, ignored: a later one is used");
      continue;
    }
    lines_[p] = Line(k);
    // "key:" or "key: null" means absent in Kubernetes, but the key must still be one we know.
    const YAML::Node value = v.IsNull() ? YAML::Node(YAML::NodeType::Undefined) : v;
    if (!field(key, value, p)) Warn(k, p, "unknown field, ignored");
  }
  return true;
}

void YamlReader::List(const YAML::Node& n, const std::string& path,
                      const std::function<void(const YAML::Node&, const std::string&)>& item) {
  if (!n.IsDefined() || n.IsNull()) return;
  if (!n.IsSequence()) {
    Error(n, path, std::string("must be a list, not ") + KindName(n));
    return;
  }
  for (size_t i = 0; i < n.size(); ++i) {
    if (!Spend(n, path)) return;
    std::string p = path + "[" + std::to_string(i) + "]";
    lines_[p] = Line(n[i]);
    item(n[i], p);
  }
}

std::string YamlReader::Str(const YAML::Node& n, const std::string& path) {
  if (!n.IsDefined() || n.IsNull()) return "";
  if (!n.IsScalar()) {
    Error(n, path, std::string("must be a string, not ") + KindName(n));
    return "";
  }
  const std::string& s = n.Scalar();
  if (n.Tag() == "?") {
    PlainType t = ResolvePlain(s);
    if (t == PlainType::kNumber || t == PlainType::kBool) {
      Warn(n, path, std::string("expected a string, found the ") + (t == PlainType::kNumber ? "number " : "boolean ") + s +
                        ": quote it (\"" + s + "\"); kubelet rejects this file");
    }
  }
  return s;
}

bool YamlReader::Bool(const YAML::Node& n, const std::string& path) {
  if (!n.IsDefined() || n.IsNull()) return false;
  const std::string s = n.IsScalar() ? n.Scalar() : "";
  bool quoted = n.IsScalar() && n.Tag() != "?";
  if (!quoted && ResolvePlain(s) == PlainType::kBool) {
    return s == "true" || s == "True" || s == "TRUE" || s == "y" || s == "Y" || s == "yes" || s == "Yes" ||
           s == "YES" || s == "on" || s == "On" || s == "ON";
  }
  if (quoted && (s == "true" || s == "false")) {
    Warn(n, path, "expected a boolean, found the string \"" + s + "\": remove the quotes; kubelet rejects this file");
    return s == "true";
  }
  Error(n, path, "must be true or false");
  return false;
}

namespace {

bool ParseDigits(const std::string& digits, int base, long long* out) {
  if (digits.empty() || digits[0] == '+' || digits[0] == '-' || std::isspace(static_cast<unsigned char>(digits[0]))) {
    return false;
  }
  errno = 0;
  char* end = nullptr;
  *out = std::strtoll(digits.c_str(), &end, base);
  return *end == '\0' && errno != ERANGE;
}

bool ParseDecimal(const std::string& s, long long* out) {
  if (!s.empty() && s[0] == '-') {
    if (!ParseDigits(s.substr(1), 10, out)) return false;
    *out = -*out;
    return true;
  }
  return ParseDigits(s, 10, out);
}

}  // namespace

bool ParseYaml11Int(const std::string& in, long long* out) {
  std::string s;
  for (char c : in) {
    if (c != '_') s += c;  // go-yaml drops underscores: 1_000 is 1000
  }
  size_t i = 0;
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    i = 1;
  }
  int base = 10;
  if (s.size() > i + 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
    base = 16, i += 2;
  } else if (s.size() > i + 2 && s[i] == '0' && (s[i + 1] == 'o' || s[i + 1] == 'O')) {
    base = 8, i += 2;
  } else if (s.size() > i + 2 && s[i] == '0' && (s[i + 1] == 'b' || s[i + 1] == 'B')) {
    base = 2, i += 2;
  } else if (s.size() > i + 1 && s[i] == '0') {
    base = 8, i += 1;
  }
  if (!ParseDigits(s.substr(i), base, out)) return false;
  if (negative) *out = -*out;
  return true;
}

std::optional<int64_t> YamlReader::Int(const YAML::Node& n, const std::string& path, int64_t min, int64_t max) {
  if (!n.IsDefined() || n.IsNull()) return std::nullopt;
  auto range = [&] { return "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max); };
  if (!n.IsScalar()) {
    Error(n, path, range());
    return std::nullopt;
  }
  const std::string& s = n.Scalar();
  long long v = 0;
  // A plain scalar is a YAML 1.1 integer, as go-yaml reads it for kubelet: `mode: 0400` is 256.
  bool parsed = n.Tag() == "?" ? ParseYaml11Int(s, &v) : ParseDecimal(s, &v);
  if (!parsed || v < min || v > max) {
    Error(n, path, range());
    return std::nullopt;
  }
  if (n.Tag() != "?") {
    Warn(n, path, "expected a number, found the string \"" + s + "\": remove the quotes; kubelet rejects this file");
  }
  return v;
}

std::vector<std::string> YamlReader::Strings(const YAML::Node& n, const std::string& path) {
  std::vector<std::string> out;
  List(n, path, [&](const YAML::Node& v, const std::string& p) { out.push_back(Str(v, p)); });
  return out;
}

std::map<std::string, std::string> YamlReader::StringMap(const YAML::Node& n, const std::string& path) {
  std::map<std::string, std::string> out;
  if (!n.IsDefined() || n.IsNull()) return out;
  if (!n.IsMap()) {
    Error(n, path, std::string("must be an object of strings, not ") + KindName(n));
    return out;
  }
  for (const auto& kv : n) {
    if (!Spend(kv.first, path)) break;
    if (!kv.first.IsScalar()) {
      Error(kv.first, path, "keys must be strings");
      continue;
    }
    std::string key = kv.first.Scalar();
    std::string p = path + "." + key;
    if (out.count(key)) Warn(kv.first, p, "duplicate key, replaces the earlier value");
    lines_[p] = Line(kv.first);
    out[key] = Str(kv.second, p);
  }
  return out;
}

std::optional<Quantity> YamlReader::Qty(const YAML::Node& n, const std::string& path) {
  if (!n.IsDefined() || n.IsNull()) return std::nullopt;
  std::string why;
  auto q = n.IsScalar() ? ParseQuantity(n.Scalar(), &why) : std::nullopt;
  if (!q) {
    Error(n, path, why.empty() ? "must be a quantity such as 500m, 128Mi, 1Gi or 1e3" : why);
    return std::nullopt;
  }
  return q;
}

std::optional<IntOrString> YamlReader::Port(const YAML::Node& n, const std::string& path) {
  if (!n.IsDefined() || n.IsNull()) return std::nullopt;
  if (!n.IsScalar() || n.Scalar().empty()) {
    Error(n, path, "must be a number 1-65535 or a named container port");
    return std::nullopt;
  }
  const std::string& s = n.Scalar();
  bool numeric = s.find_first_not_of("0123456789") == std::string::npos;
  // A quoted "8080" is still a string in Kubernetes (IntOrString); yaml-cpp keeps the tag to tell.
  if (numeric && n.Tag() != "!") {
    long long v = s.size() > 6 ? 0 : std::atoll(s.c_str());
    if (v < 1 || v > 65535) {
      Error(n, path, "must be a number 1-65535 or a named container port");
      return std::nullopt;
    }
    return IntOrString::Int(static_cast<int32_t>(v));
  }
  return IntOrString::Str(s);
}

}  // namespace crilet::manifests
