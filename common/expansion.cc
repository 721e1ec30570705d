// $(VAR) expansion with Kubernetes' escaping rules.
#include "common/expansion.h"

namespace crilet {

std::string Expand(std::string_view in, const std::function<std::optional<std::string>(const std::string&)>& lookup) {
  std::string out;
  out.reserve(in.size());
  size_t i = 0;
  while (i < in.size()) {
    if (in[i] != '$' || i + 1 >= in.size()) {
      out += in[i++];
      continue;
    }
    char next = in[i + 1];
    if (next == '$') {  // escaped: $$ -> $
      out += '$';
      i += 2;
      continue;
    }
    if (next != '(') {  // not a reference: keep the $ and go on
      out += '$';
      i += 1;
      continue;
    }
    size_t close = in.find(')', i + 2);
    if (close == std::string_view::npos) {  // unclosed: keep "$(" and scan on (a later $(X) still expands)
      out += "$(";
      i += 2;
      continue;
    }
    std::string name(in.substr(i + 2, close - i - 2));
    if (name.empty()) {  // "$()" stays as written
      out.append(in.substr(i, close - i + 1));
    } else if (auto v = lookup(name)) {
      out += *v;
    } else {
      out.append(in.substr(i, close - i + 1));
    }
    i = close + 1;
  }
  return out;
}

}  // namespace crilet
