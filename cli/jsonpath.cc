// A parser and evaluator for kubectl's JSONPath template dialect (client-go util/jsonpath).
#include "cli/jsonpath.h"

#include <cctype>
#include <cstdio>
#include <optional>

namespace crilet::cli {

using nlohmann::json;

namespace {

// One step of a path.
struct Step {
  enum class Kind { kField, kRecursive, kIndex, kSlice, kWildcard, kFilter };
  Kind kind = Kind::kField;
  std::string name;                      // kField, kRecursive
  int64_t index = 0;                     // kIndex
  std::optional<int64_t> start, end;     // kSlice
  int64_t step = 1;                      // kSlice
  std::vector<Step> lhs;                 // kFilter: the path from @
  std::string op;                        // kFilter: "", ==, !=, <, <=, >, >=
  std::optional<json> rhs;               // kFilter: a literal
  std::vector<Step> rhs_path;            // kFilter: or a path from @
  bool rhs_is_path = false;
};

using Path = std::vector<Step>;

Step Wildcard() {
  Step s;
  s.kind = Step::Kind::kWildcard;
  return s;
}

}  // namespace

struct JsonPath::Node {
  enum class Kind { kText, kPath, kRange };
  Kind kind = Kind::kText;
  std::string text;
  Path path;
  std::vector<std::unique_ptr<Node>> body;  // kRange
};

namespace {

using Node = JsonPath::Node;

class PathParser {
 public:
  explicit PathParser(const std::string& s) : s_(s) {}

  Status Parse(Path* out) {
    Skip();
    if (Peek() == '$' || Peek() == '@') ++i_;
    while (true) {
      Skip();
      if (i_ >= s_.size()) return Status::Ok();
      char c = s_[i_];
      if (c == '.') {
        if (i_ + 1 < s_.size() && s_[i_ + 1] == '.') {
          i_ += 2;
          Step st;
          st.kind = Step::Kind::kRecursive;
          if (Peek() == '*') {
            ++i_;
            st.name = "*";
          } else {
            st.name = Name();
          }
          if (st.name.empty()) return Status::InvalidArgument("missing field name after '..'");
          out->push_back(std::move(st));
          continue;
        }
        ++i_;
        if (Peek() == '*') {
          ++i_;
          out->push_back(Wildcard());
          continue;
        }
        std::string n = Name();
        if (n.empty()) {
          if (i_ >= s_.size() || s_[i_] == '[') continue;  // "." alone is the current node
          return Unrecognized();
        }
        Step st;
        st.name = std::move(n);
        out->push_back(std::move(st));
      } else if (c == '[') {
        ++i_;
        if (Status s = Bracket(out); !s.ok()) return s;
      } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        Step st;  // a leading field without its dot, as in {items[0]}
        st.name = Name();
        out->push_back(std::move(st));
      } else {
        return Unrecognized();
      }
    }
  }

 private:
  char Peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  void Skip() {
    while (i_ < s_.size() && s_[i_] == ' ') ++i_;
  }
  Status Unrecognized() const {
    char buf[64];
    unsigned char c = i_ < s_.size() ? static_cast<unsigned char>(s_[i_]) : 0;
    std::snprintf(buf, sizeof buf, "unrecognized character in action: U+%04X", c);
    std::string msg = buf;
    if (std::isprint(c)) msg += std::string(" '") + static_cast<char>(c) + "'";
    return Status::InvalidArgument(msg);
  }
  std::string Name() {
    size_t start = i_;
    while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_' || s_[i_] == '-' ||
                              s_[i_] == '/' || s_[i_] == '\\')) {
      if (s_[i_] == '\\' && i_ + 1 < s_.size()) ++i_;  // \. keeps a dot in a key: {.metadata.labels.app\.kubernetes\.io/name}
      ++i_;
    }
    std::string raw = s_.substr(start, i_ - start), out;
    for (size_t k = 0; k < raw.size(); ++k) {
      if (raw[k] == '\\' && k + 1 < raw.size()) ++k;
      out += raw[k];
    }
    return out;
  }
  std::optional<int64_t> Int() {
    Skip();
    size_t start = i_;
    if (Peek() == '-' || Peek() == '+') ++i_;
    while (std::isdigit(static_cast<unsigned char>(Peek()))) ++i_;
    if (i_ == start || (i_ == start + 1 && !std::isdigit(static_cast<unsigned char>(s_[start])))) {
      i_ = start;
      return std::nullopt;
    }
    try {
      return std::stoll(s_.substr(start, i_ - start));
    } catch (...) {
      return std::nullopt;
    }
  }
  Status Quoted(std::string* out) {
    char q = s_[i_++];
    while (i_ < s_.size() && s_[i_] != q) {
      if (s_[i_] == '\\' && i_ + 1 < s_.size()) ++i_;
      *out += s_[i_++];
    }
    if (i_ >= s_.size()) return Status::InvalidArgument("unterminated quoted string");
    ++i_;
    return Status::Ok();
  }
  Status Close() {
    Skip();
    if (Peek() != ']') return Status::InvalidArgument("unterminated array");
    ++i_;
    return Status::Ok();
  }
  Status Bracket(Path* out) {
    Skip();
    char c = Peek();
    if (c == '*') {
      ++i_;
      out->push_back(Wildcard());
      return Close();
    }
    if (c == '\'' || c == '"') {
      Step st;
      if (Status s = Quoted(&st.name); !s.ok()) return s;
      out->push_back(std::move(st));
      return Close();
    }
    if (c == '?') {
      ++i_;
      Skip();
      if (Peek() != '(') return Status::InvalidArgument("unterminated filter");
      ++i_;
      if (Status s = Filter(out); !s.ok()) return s;
      return Close();
    }
    Step st;
    std::optional<int64_t> first = Int();
    Skip();
    if (Peek() == ':') {
      st.kind = Step::Kind::kSlice;
      st.start = first;
      ++i_;
      st.end = Int();
      Skip();
      if (Peek() == ':') {
        ++i_;
        if (auto step = Int()) st.step = *step;
        if (st.step == 0) return Status::InvalidArgument("step cannot be 0");
      }
      out->push_back(std::move(st));
      return Close();
    }
    if (!first) return Status::InvalidArgument("invalid array index");
    st.kind = Step::Kind::kIndex;
    st.index = *first;
    out->push_back(std::move(st));
    return Close();
  }
  // `@.path [op value]` up to the closing ')'.
  Status Filter(Path* out) {
    size_t close = s_.find(')', i_);
    // A quoted ')' inside the filter does not close it.
    for (size_t k = i_, q = 0; k < s_.size(); ++k) {
      if (q) {
        if (s_[k] == static_cast<char>(q)) q = 0;
      } else if (s_[k] == '\'' || s_[k] == '"') {
        q = static_cast<unsigned char>(s_[k]);
      } else if (s_[k] == ')') {
        close = k;
        break;
      }
    }
    if (close == std::string::npos) return Status::InvalidArgument("unterminated filter");
    std::string expr = s_.substr(i_, close - i_);
    i_ = close + 1;
    Step st;
    st.kind = Step::Kind::kFilter;
    static const char* kOps[] = {"==", "!=", "<=", ">=", "<", ">"};
    size_t at = std::string::npos, len = 0;
    for (size_t k = 0, q = 0; k < expr.size() && at == std::string::npos; ++k) {
      if (q) {
        if (expr[k] == static_cast<char>(q)) q = 0;
        continue;
      }
      if (expr[k] == '\'' || expr[k] == '"') {
        q = static_cast<unsigned char>(expr[k]);
        continue;
      }
      for (const char* op : kOps) {
        std::string o = op;
        if (expr.compare(k, o.size(), o) == 0) {
          at = k, len = o.size(), st.op = o;
          break;
        }
      }
    }
    std::string lhs = at == std::string::npos ? expr : expr.substr(0, at);
    if (Status s = PathParser(lhs).Parse(&st.lhs); !s.ok()) return s;
    if (at != std::string::npos) {
      std::string rhs = expr.substr(at + len);
      size_t b = rhs.find_first_not_of(' '), e = rhs.find_last_not_of(' ');
      rhs = b == std::string::npos ? "" : rhs.substr(b, e - b + 1);
      if (rhs.empty()) return Status::InvalidArgument("filter: missing value after " + st.op);
      if (rhs[0] == '\'' || rhs[0] == '"') {
        std::string lit;
        PathParser p(rhs);
        if (Status s = p.Quoted(&lit); !s.ok()) return s;
        st.rhs = lit;
      } else if (rhs[0] == '@' || rhs[0] == '$') {
        st.rhs_is_path = true;
        if (Status s = PathParser(rhs).Parse(&st.rhs_path); !s.ok()) return s;
      } else {
        json v = json::parse(rhs, nullptr, false);
        if (v.is_discarded() || v.is_object() || v.is_array()) return Status::InvalidArgument("filter: bad value " + rhs);
        st.rhs = v;
      }
    }
    out->push_back(std::move(st));
    return Status::Ok();
  }

  const std::string& s_;
  size_t i_ = 0;
};

void Recurse(const json& v, const std::string& name, std::vector<const json*>* out) {
  if (v.is_object()) {
    if (name == "*") {
      for (const auto& [k, x] : v.items()) out->push_back(&x);
    } else if (auto it = v.find(name); it != v.end()) {
      out->push_back(&*it);
    }
    for (const auto& [k, x] : v.items()) Recurse(x, name, out);
  } else if (v.is_array()) {
    for (const auto& x : v) Recurse(x, name, out);
  }
}

std::vector<const json*> Eval(const Path& path, std::vector<const json*> cur);

bool Compare(const json& a, const std::string& op, const json& b) {
  if (a.is_number() && b.is_number()) {
    double x = a.get<double>(), y = b.get<double>();
    return op == "==" ? x == y : op == "!=" ? x != y : op == "<" ? x < y : op == "<=" ? x <= y : op == ">" ? x > y : x >= y;
  }
  if (op == "==") return a == b;
  if (op == "!=") return a != b;
  if (a.is_string() && b.is_string()) {
    const auto& x = a.get_ref<const std::string&>();
    const auto& y = b.get_ref<const std::string&>();
    return op == "<" ? x < y : op == "<=" ? x <= y : op == ">" ? x > y : x >= y;
  }
  return false;
}

bool Keep(const Step& f, const json& item) {
  std::vector<const json*> l = Eval(f.lhs, {&item});
  if (f.op.empty()) return !l.empty() && !(l[0]->is_boolean() && !l[0]->get<bool>()) && !l[0]->is_null();
  if (l.empty()) return false;
  if (f.rhs_is_path) {
    std::vector<const json*> r = Eval(f.rhs_path, {&item});
    return !r.empty() && Compare(*l[0], f.op, *r[0]);
  }
  return Compare(*l[0], f.op, *f.rhs);
}

std::vector<const json*> Eval(const Path& path, std::vector<const json*> cur) {
  for (const Step& st : path) {
    std::vector<const json*> next;
    for (const json* v : cur) {
      switch (st.kind) {
        case Step::Kind::kField:
          if (v->is_object()) {
            if (auto it = v->find(st.name); it != v->end()) next.push_back(&*it);
          }
          break;
        case Step::Kind::kRecursive: Recurse(*v, st.name, &next); break;
        case Step::Kind::kWildcard:
          if (v->is_object() || v->is_array()) {
            for (const auto& x : *v) next.push_back(&x);
          }
          break;
        case Step::Kind::kIndex:
          if (v->is_array()) {
            int64_t n = static_cast<int64_t>(v->size()), k = st.index < 0 ? st.index + n : st.index;
            if (k >= 0 && k < n) next.push_back(&(*v)[static_cast<size_t>(k)]);
          }
          break;
        case Step::Kind::kSlice:
          if (v->is_array()) {
            int64_t n = static_cast<int64_t>(v->size());
            auto clamp = [n](int64_t k) { return std::max<int64_t>(0, std::min<int64_t>(n, k < 0 ? k + n : k)); };
            int64_t a = st.start ? clamp(*st.start) : 0, b = st.end ? clamp(*st.end) : n;
            if (st.step > 0) {
              for (int64_t k = a; k < b; k += st.step) next.push_back(&(*v)[static_cast<size_t>(k)]);
            } else {
              for (int64_t k = b - 1; k >= a; k += st.step) next.push_back(&(*v)[static_cast<size_t>(k)]);
            }
          }
          break;
        case Step::Kind::kFilter:
          if (v->is_array()) {
            for (const auto& x : *v) {
              if (Keep(st, x)) next.push_back(&x);
            }
          } else if (Keep(st, *v)) {
            next.push_back(v);
          }
          break;
      }
    }
    cur = std::move(next);
  }
  return cur;
}

std::string Print(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// Literal text inside an action: "..." with Go's escapes.
std::string Unquote(const std::string& s) {
  std::string out;
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    if (s[i] == '\\' && i + 2 < s.size()) {
      char c = s[++i];
      out += c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;
    } else {
      out += s[i];
    }
  }
  return out;
}

// The end of the action starting after '{' at `i`: the matching '}', skipping quoted text.
size_t ActionEnd(const std::string& s, size_t i) {
  for (char q = 0; i < s.size(); ++i) {
    if (q) {
      if (s[i] == '\\') ++i;
      else if (s[i] == q) q = 0;
    } else if (s[i] == '"' || s[i] == '\'') {
      q = s[i];
    } else if (s[i] == '}') {
      return i;
    }
  }
  return std::string::npos;
}

void Run(const std::vector<std::unique_ptr<Node>>& nodes, const json& cur, const json& root, std::string* out,
         std::vector<json>* values) {
  for (const auto& n : nodes) {
    switch (n->kind) {
      case Node::Kind::kText: *out += n->text; break;
      case Node::Kind::kPath: {
        bool first = true;
        for (const json* v : Eval(n->path, {&cur})) {
          if (!first) *out += " ";
          first = false;
          *out += Print(*v);
          if (values) values->push_back(*v);
        }
        break;
      }
      case Node::Kind::kRange:
        for (const json* v : Eval(n->path, {&cur})) Run(n->body, *v, root, out, values);
        break;
    }
  }
}

}  // namespace

JsonPath::JsonPath() = default;
JsonPath::~JsonPath() = default;
JsonPath::JsonPath(JsonPath&&) noexcept = default;
JsonPath& JsonPath::operator=(JsonPath&&) noexcept = default;

Status JsonPath::Parse(const std::string& text, JsonPath* out) {
  out->nodes_.clear();
  std::vector<std::vector<std::unique_ptr<Node>>*> stack = {&out->nodes_};
  size_t i = 0;
  std::string literal;
  auto flush = [&] {
    if (literal.empty()) return;
    auto n = std::make_unique<Node>();
    n->text = std::move(literal);
    literal.clear();
    stack.back()->push_back(std::move(n));
  };
  while (i < text.size()) {
    if (text[i] != '{') {
      literal += text[i++];
      continue;
    }
    size_t end = ActionEnd(text, i + 1);
    if (end == std::string::npos) return Status::InvalidArgument("unclosed action");
    std::string action = text.substr(i + 1, end - i - 1);
    i = end + 1;
    size_t b = action.find_first_not_of(' '), e = action.find_last_not_of(' ');
    action = b == std::string::npos ? "" : action.substr(b, e - b + 1);
    flush();
    auto n = std::make_unique<Node>();
    if (action == "end") {
      if (stack.size() == 1) return Status::InvalidArgument("not in range, nothing to end");
      stack.pop_back();
      continue;
    }
    if (action.rfind("range ", 0) == 0 || action == "range") {
      n->kind = Node::Kind::kRange;
      if (Status s = PathParser(action.substr(5)).Parse(&n->path); !s.ok()) return s;
      auto* body = &n->body;
      stack.back()->push_back(std::move(n));
      stack.push_back(body);
      continue;
    }
    if (!action.empty() && (action[0] == '"' || action[0] == '\'')) {
      if (action.size() < 2 || action.back() != action[0]) return Status::InvalidArgument("unterminated quoted string");
      n->text = Unquote(action);
    } else {
      n->kind = Node::Kind::kPath;
      if (Status s = PathParser(action).Parse(&n->path); !s.ok()) return s;
    }
    stack.back()->push_back(std::move(n));
  }
  flush();
  if (stack.size() != 1) return Status::InvalidArgument("unterminated range");
  return Status::Ok();
}

std::string JsonPath::Execute(const json& data) const {
  std::string out;
  Run(nodes_, data, data, &out, nullptr);
  return out;
}

std::vector<json> JsonPath::Values(const json& data) const {
  std::string ignored;
  std::vector<json> out;
  Run(nodes_, data, data, &ignored, &out);
  return out;
}

Status ParseFieldSpec(const std::string& spec, JsonPath* out) {
  std::string t = spec;
  if (t.empty()) return Status::InvalidArgument("empty field spec");
  if (t.front() != '{') t = "{" + t + "}";
  return JsonPath::Parse(t, out);
}

}  // namespace crilet::cli
