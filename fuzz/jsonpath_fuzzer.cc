// libFuzzer target: any bytes as a kubectl JSONPath template must parse or fail, and run on a pod list, never
// crash or hang.
#include <cstddef>
#include <cstdint>
#include <string>

#include "cli/jsonpath.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const nlohmann::json kDoc = nlohmann::json::parse(
      R"({"items":[{"metadata":{"name":"a","labels":{"x":"1"}},"status":{"phase":"Running","n":3,"c":[{"t":"Ready"}]}},)"
      R"({"metadata":{"name":"b"},"status":{"phase":"Pending","n":0}}]})");
  crilet::cli::JsonPath p;
  if (crilet::cli::JsonPath::Parse(std::string(reinterpret_cast<const char*>(data), size), &p).ok()) {
    (void)p.Execute(kDoc);
    (void)p.Values(kDoc);
  }
  return 0;
}
