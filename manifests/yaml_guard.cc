// Limits checked on the raw text and on yaml-cpp's event stream before any node tree is built.
#include "manifests/yaml_guard.h"

#include <map>
#include <utility>
#include <vector>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <sstream>

namespace crilet::manifests {
namespace {

std::string Hex(unsigned char c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", c);
  return buf;
}

// Length of the UTF-8 sequence starting at s[i], or 0 when it is not valid UTF-8 (overlong forms,
// surrogates and code points above U+10FFFF included), as Go's utf8.Valid decides.
size_t Utf8Length(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t n;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) n = 2;
  else if (c == 0xE0) n = 3, lo = 0xA0;
  else if (c == 0xED) n = 3, hi = 0x9F;
  else if (c >= 0xE1 && c <= 0xEF) n = 3;
  else if (c == 0xF0) n = 4, lo = 0x90;
  else if (c >= 0xF1 && c <= 0xF3) n = 4;
  else if (c == 0xF4) n = 4, hi = 0x8F;
  else return 0;
  if (i + n > s.size()) return 0;
  if (b(i + 1) < lo || b(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    if (b(i + k) < 0x80 || b(i + k) > 0xBF) return 0;
  }
  return n;
}

// Thrown from the event handler to stop yaml-cpp's parser early; caught in SafeLoadAll.
struct Refused {
  int line;
  std::string message;
};

// Counts what the event parser reports and refuses documents that are too deep or too big. Builds nothing.
class LimitCheck : public YAML::EventHandler {
 public:
  explicit LimitCheck(const YamlLimits& limits) : limits_(limits) {}

  void OnDocumentStart(const YAML::Mark& mark) override {
    start = mark;
    anchored_.clear();
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t a) override { Leaf(m, a); }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t a) override {
    Count(m);
    auto it = anchored_.find(a);
    Expand(m, it == anchored_.end() ? 1 : it->second);
  }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t a, const std::string&) override { Leaf(m, a); }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t a, YAML::EmitterStyle::value) override {
    Open(m, a);
  }
  void OnSequenceEnd() override { Close(); }
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t a, YAML::EmitterStyle::value) override {
    Open(m, a);
  }
  void OnMapEnd() override { Close(); }

  YAML::Mark start = YAML::Mark::null_mark();

 private:
  void Count(const YAML::Mark& m) {
    if (++*nodes_ > limits_.max_nodes) {
      throw Refused{m.line + 1, "too many values (more than " + std::to_string(limits_.max_nodes) +
                                    ") to be a Pod manifest"};
    }
  }
  // What the document becomes once aliases are expanded (a "billion laughs" bomb is small before): refused
  // past max_expanded, as Go's YAML decoder in kubelet refuses "excessive aliasing".
  void Expand(const YAML::Mark& m, long n) {
    expanded_ += n;
    if (expanded_ > limits_.max_expanded) {
      throw Refused{m.line + 1, "document contains excessive aliasing (expands to more than " +
                                    std::to_string(limits_.max_expanded) + " values)"};
    }
  }
  void Leaf(const YAML::Mark& m, YAML::anchor_t a) {
    Count(m);
    Expand(m, 1);
    if (a != YAML::NullAnchor) anchored_[a] = 1;
  }
  // yaml-cpp reports a collection before it recurses into it, so the refusal comes before deep recursion.
  void Open(const YAML::Mark& m, YAML::anchor_t a) {
    Count(m);
    if (++depth_ > limits_.max_depth) {
      throw Refused{m.line + 1, "nested too deeply (more than " + std::to_string(limits_.max_depth) +
                                    " levels) to be a Pod manifest"};
    }
    Expand(m, 1);
    open_.push_back({a, expanded_});
  }
  void Close() {
    --depth_;
    if (open_.empty()) return;
    auto [a, at_start] = open_.back();
    open_.pop_back();
    if (a != YAML::NullAnchor) anchored_[a] = expanded_ - at_start + 1;
  }

  const YamlLimits& limits_;
  int depth_ = 0;
  long expanded_ = 0;                                   // values after alias expansion, this parse
  std::map<YAML::anchor_t, long> anchored_;             // anchor -> values it expands to
  std::vector<std::pair<YAML::anchor_t, long>> open_;   // open collections: anchor, expanded_ at start

 public:
  long* nodes_ = nullptr;  // shared across documents
};

}  // namespace

bool CheckYamlText(std::string_view text, const YamlLimits& limits, YamlLoadError* error) {
  auto refuse = [&](int line, std::string message) {
    *error = YamlLoadError{line, std::move(message)};
    return false;
  };
  if (text.size() > limits.max_bytes) {
    // Readers stop one byte past the limit, so the size itself is not known here.
    return refuse(0, "larger than " + std::to_string(limits.max_bytes) + " bytes, the limit for a manifest");
  }
  if (text.size() >= 2 && ((text[0] == '\xff' && text[1] == '\xfe') || (text[0] == '\xfe' && text[1] == '\xff'))) {
    return refuse(1, "UTF-16 text is not supported: save the file as UTF-8");
  }
  int line = 1;
  int depth = 0;
  long flow_items = 0;
  bool in_single = false, in_double = false, comment = false;
  char previous = '\n';
  for (size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++line;
      comment = false;
      previous = '\n';
      ++i;
      continue;
    }
    if (c == 0) return refuse(line, "not a text file (NUL byte)");
    if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f) {
      return refuse(line, "not a text file (control character " + Hex(c) + ")");
    }
    size_t n = Utf8Length(text, i);
    if (n == 0) return refuse(line, "not valid UTF-8 (byte " + Hex(c) + ")");
    i += n;
    if (n > 1) {
      previous = 'x';
      continue;
    }
    // Flow nesting: yaml-cpp recurses once per '[' or '{'; count them outside quotes and comments.
    char here = static_cast<char>(c);
    char before = previous;
    previous = here;
    if (comment) continue;
    if (in_double) {
      // An escaped quote does not close (only an ASCII escape is skipped: the byte checks stay intact).
      if (c == '\\' && i < text.size() && text[i] > ' ' && text[i] < 0x7f) ++i;
      else if (c == '"') in_double = false;
      continue;
    }
    if (in_single) {
      if (c == '\'') in_single = false;
      continue;
    }
    // Quotes open a quoted scalar only where a value starts (a plain scalar such as don't keeps them).
    bool value_start = before == ' ' || before == '\t' || before == '\n' || before == '[' || before == '{' ||
                       before == ',' || before == ':';
    if (c == '#' && (before == ' ' || before == '\t' || before == '\n')) comment = true;
    else if (c == '"' && value_start) in_double = true;
    else if (c == '\'' && value_start) in_single = true;
    else if (c == '[' || c == '{') {
      if (++depth > limits.max_depth) {
        return refuse(line, "nested too deeply (more than " + std::to_string(limits.max_depth) +
                                " levels) to be a Pod manifest");
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    } else if (c == ',' && depth > 0 && ++flow_items > limits.max_nodes) {
      // yaml-cpp queues every token of a flow collection before reporting its first event.
      return refuse(line, "too many values (more than " + std::to_string(limits.max_nodes) + ") to be a Pod manifest");
    }
  }
  return true;
}

bool SafeLoadAll(std::string_view text, const YamlLimits& limits, std::vector<YAML::Node>* docs,
                 YamlLoadError* error) {
  if (!CheckYamlText(text, limits, error)) return false;
  try {
    // Pass 1: events only. yaml-cpp 0.7 never consumes a ',' where a document's root node starts ("#\n,",
    // "[a]\n,"): it then reports empty documents forever, so a document starting where the previous one
    // did is an error too.
    std::istringstream in{std::string(text)};
    YAML::Parser parser(in);
    long nodes = 0;
    int previous = -1;
    for (int documents = 0;; ++documents) {
      LimitCheck check(limits);
      check.nodes_ = &nodes;
      if (!parser.HandleNextDocument(check)) break;
      if (check.start.pos == previous) {
        *error = YamlLoadError{check.start.line + 1, "not valid YAML or JSON: unexpected ','"};
        return false;
      }
      if (documents >= limits.max_documents) {
        *error = YamlLoadError{check.start.line + 1,
                               "too many documents (more than " + std::to_string(limits.max_documents) + ")"};
        return false;
      }
      previous = check.start.pos;
    }
    // Pass 2: the same text, now known to be bounded, as nodes.
    *docs = YAML::LoadAll(std::string(text));
    return true;
  } catch (const Refused& r) {
    *error = YamlLoadError{r.line, r.message};
  } catch (const YAML::Exception& e) {
    *error = YamlLoadError{e.mark.line >= 0 ? e.mark.line + 1 : 0, "not valid YAML or JSON: " + e.msg};
  } catch (const std::exception& e) {
    *error = YamlLoadError{0, std::string("not valid YAML or JSON: ") + e.what()};
  }
  return false;
}

}  // namespace crilet::manifests
