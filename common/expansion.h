/// Kubelet's $(VAR) expansion for env values, command and args (third_party/forked/golang/expansion).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace crilet {

// $(NAME) becomes the value when lookup knows NAME, otherwise stays as written; $$ becomes $ (so $$(X) stays
// $(X) literally); an unclosed $( and any other $ are kept
// (and scanning continues after them).
std::string Expand(std::string_view input, const std::function<std::optional<std::string>(const std::string&)>& lookup);

}  // namespace crilet
