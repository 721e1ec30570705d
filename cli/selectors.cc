// Label and field selectors as kubectl and the API server read them (apimachinery's labels.Parse, fields).
#include "cli/selectors.h"

#include <cctype>

namespace crilet::cli {
namespace {

enum class Tok { kEnd, kIdent, kIn, kNotIn, kEquals, kDoubleEquals, kNotEquals, kBang, kOpen, kClose, kComma, kOther };

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;
};

bool Special(char c) { return c == '!' || c == '=' || c == '(' || c == ')' || c == ',' || c == '<' || c == '>'; }

// The lexer of labels.Parse: identifiers are runs of anything but blanks and the operator characters.
std::vector<Token> Lex(const std::string& s) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '!' && i + 1 < s.size() && s[i + 1] == '=') {
      out.push_back({Tok::kNotEquals, "!="}), i += 2;
    } else if (c == '=' && i + 1 < s.size() && s[i + 1] == '=') {
      out.push_back({Tok::kDoubleEquals, "=="}), i += 2;
    } else if (Special(c)) {
      Tok k = c == '!' ? Tok::kBang : c == '=' ? Tok::kEquals : c == '(' ? Tok::kOpen : c == ')' ? Tok::kClose
              : c == ',' ? Tok::kComma : Tok::kOther;
      out.push_back({k, std::string(1, c)}), ++i;
    } else {
      size_t j = i;
      while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j])) && !Special(s[j])) ++j;
      std::string word = s.substr(i, j - i);
      out.push_back({word == "in" ? Tok::kIn : word == "notin" ? Tok::kNotIn : Tok::kIdent, word});
      i = j;
    }
  }
  out.push_back({Tok::kEnd, ""});
  return out;
}

bool NameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'; }

// IsQualifiedName's name part, and a label value (which may also be empty).
bool ValidName(const std::string& s) {
  if (s.empty() || s.size() > 63) return false;
  if (!std::isalnum(static_cast<unsigned char>(s.front())) || !std::isalnum(static_cast<unsigned char>(s.back()))) return false;
  for (char c : s) {
    if (!NameChar(c)) return false;
  }
  return true;
}

// A label key: [DNS-1123 subdomain prefix "/"] name.
std::string CheckKey(const std::string& key) {
  size_t slash = key.find('/');
  std::string name = slash == std::string::npos ? key : key.substr(slash + 1);
  if (slash != std::string::npos) {
    std::string prefix = key.substr(0, slash);
    bool ok = !prefix.empty() && prefix.size() <= 253;
    for (char c : prefix) ok = ok && (std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.');
    if (!ok) return "prefix part must be a lowercase RFC 1123 subdomain";
  }
  if (!ValidName(name)) {
    return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
           "alphanumeric character (at most 63)";
  }
  return "";
}

std::string CheckValue(const std::string& v) {
  if (v.empty() || ValidName(v)) return "";
  return "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
         "start and end with an alphanumeric character (at most 63)";
}

Status Invalid(const std::string& what, const std::string& text, const std::string& why) {
  return Status::InvalidArgument("unable to parse requirement: " + what + ": Invalid value: \"" + text + "\": " + why);
}

class Parser {
 public:
  explicit Parser(std::vector<Token> toks) : toks_(std::move(toks)) {}

  Status Parse(LabelSelector* out) {
    if (Peek().kind == Tok::kEnd) return Status::Ok();
    while (true) {
      LabelRequirement r;
      if (Status s = Requirement(&r); !s.ok()) return s;
      out->push_back(std::move(r));
      Token t = Next();
      if (t.kind == Tok::kEnd) return Status::Ok();
      if (t.kind != Tok::kComma) return Status::InvalidArgument("found '" + t.text + "', expected: ',' or 'end of string'");
    }
  }

 private:
  const Token& Peek() const { return toks_[pos_]; }
  Token Next() { return toks_[pos_ < toks_.size() - 1 ? pos_++ : pos_]; }

  Status Requirement(LabelRequirement* r) {
    bool negated = false;
    if (Peek().kind == Tok::kBang) {
      Next();
      negated = true;
    }
    Token key = Next();
    if (key.kind != Tok::kIdent) return Status::InvalidArgument("found '" + key.text + "', expected: identifier");
    if (std::string why = CheckKey(key.text); !why.empty()) return Invalid("key", key.text, why);
    r->key = key.text;
    if (negated) {
      r->op = LabelRequirement::Op::kDoesNotExist;
      return Status::Ok();
    }
    Tok k = Peek().kind;
    if (k == Tok::kEnd || k == Tok::kComma) {
      r->op = LabelRequirement::Op::kExists;
      return Status::Ok();
    }
    Token op = Next();
    switch (op.kind) {
      case Tok::kEquals:
      case Tok::kDoubleEquals: r->op = LabelRequirement::Op::kEquals; return ExactValue(r);
      case Tok::kNotEquals: r->op = LabelRequirement::Op::kNotEquals; return ExactValue(r);
      case Tok::kIn: r->op = LabelRequirement::Op::kIn; return SetValues(r);
      case Tok::kNotIn: r->op = LabelRequirement::Op::kNotIn; return SetValues(r);
      default: return Status::InvalidArgument("found '" + op.text + "', expected: in, notin, =, ==, !=");
    }
  }

  Status ExactValue(LabelRequirement* r) {
    Tok k = Peek().kind;
    if (k == Tok::kEnd || k == Tok::kComma) {  // `a=` selects the empty value
      r->values.insert("");
      return Status::Ok();
    }
    Token v = Next();
    if (v.kind != Tok::kIdent && v.kind != Tok::kIn && v.kind != Tok::kNotIn) {
      return Status::InvalidArgument("found '" + v.text + "', expected: identifier");
    }
    if (std::string why = CheckValue(v.text); !why.empty()) return Invalid("values[0][" + r->key + "]", v.text, why);
    r->values.insert(v.text);
    return Status::Ok();
  }

  Status SetValues(LabelRequirement* r) {
    Token open = Next();
    if (open.kind != Tok::kOpen) return Status::InvalidArgument("found '" + open.text + "', expected: '('");
    while (true) {
      Token v = Next();
      if (v.kind == Tok::kClose && r->values.empty()) break;
      if (v.kind != Tok::kIdent && v.kind != Tok::kIn && v.kind != Tok::kNotIn) {
        return Status::InvalidArgument("found '" + v.text + "', expected: ',', ')' or identifier");
      }
      if (std::string why = CheckValue(v.text); !why.empty()) {
        return Invalid("values[" + std::to_string(r->values.size()) + "][" + r->key + "]", v.text, why);
      }
      r->values.insert(v.text);
      Token sep = Next();
      if (sep.kind == Tok::kClose) break;
      if (sep.kind != Tok::kComma) return Status::InvalidArgument("found '" + sep.text + "', expected: ',' or ')'");
    }
    if (r->values.empty()) {
      return Status::InvalidArgument("unable to parse requirement: values: Invalid value: \"\": for 'in', 'notin' "
                                     "operators, values set can't be empty");
    }
    return Status::Ok();
  }

  std::vector<Token> toks_;
  size_t pos_ = 0;
};

const std::set<std::string>& PodFieldLabels() {
  static const std::set<std::string> kLabels = {
      "metadata.name",       "metadata.namespace",        "spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
      "spec.serviceAccountName", "spec.hostNetwork",     "status.phase",  "status.podIP",       "status.nominatedNodeName"};
  return kLabels;
}

std::string PodField(const nlohmann::json& pod, const std::string& path) {
  size_t dot = path.find('.');
  const nlohmann::json part = pod.value(path.substr(0, dot), nlohmann::json::object());
  const std::string field = path.substr(dot + 1);
  if (path == "spec.hostNetwork") return part.value("hostNetwork", false) ? "true" : "false";
  if (path == "spec.schedulerName") return part.value("schedulerName", "default-scheduler");
  if (path == "metadata.namespace") return part.value("namespace", "default");
  const auto it = part.find(field);
  return it != part.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

Status ParseLabelSelector(const std::string& text, LabelSelector* out) {
  out->clear();
  return Parser(Lex(text)).Parse(out);
}

bool MatchesLabels(const LabelSelector& selector, const std::map<std::string, std::string>& labels) {
  for (const auto& r : selector) {
    auto it = labels.find(r.key);
    bool has = it != labels.end();
    bool in = has && r.values.count(it->second) > 0;
    switch (r.op) {
      case LabelRequirement::Op::kEquals:
      case LabelRequirement::Op::kIn:
        if (!in) return false;
        break;
      case LabelRequirement::Op::kNotEquals:
      case LabelRequirement::Op::kNotIn:
        if (in) return false;
        break;
      case LabelRequirement::Op::kExists:
        if (!has) return false;
        break;
      case LabelRequirement::Op::kDoesNotExist:
        if (has) return false;
        break;
    }
  }
  return true;
}

Status ParseFieldSelector(const std::string& text, FieldSelector* out) {
  out->clear();
  if (text.empty()) return Status::Ok();
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string term = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    FieldRequirement r;
    size_t at;
    if ((at = term.find("!=")) != std::string::npos) {
      r.equals = false, r.path = term.substr(0, at), r.value = term.substr(at + 2);
    } else if ((at = term.find("==")) != std::string::npos) {
      r.path = term.substr(0, at), r.value = term.substr(at + 2);
    } else if ((at = term.find('=')) != std::string::npos) {
      r.path = term.substr(0, at), r.value = term.substr(at + 1);
    } else {
      return Status::InvalidArgument("invalid selector: '" + text + "'; can't understand '" + term + "'");
    }
    if (!PodFieldLabels().count(r.path)) return Status::InvalidArgument("field label not supported: " + r.path);
    out->push_back(std::move(r));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return Status::Ok();
}

bool MatchesFields(const FieldSelector& selector, const nlohmann::json& pod) {
  for (const auto& r : selector) {
    if ((PodField(pod, r.path) == r.value) != r.equals) return false;
  }
  return true;
}

}  // namespace crilet::cli
