// Offline manifest validation.
#include "cli/validate_command.h"

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/node_info.h"
#include "manifests/loader.h"
#include "manifests/parser.h"
#include "manifests/printer.h"

namespace crilet::cli {

int RunValidate(const std::vector<std::string>& files, const std::string& node, std::ostream& out, std::ostream& err) {
  int status = 0;
  bool first = true;
  for (const auto& path : files) {
    std::string data;
    {
      std::ifstream in(path, std::ios::binary);
      if (!in) {
        err << path << ": cannot read file\n";
        status = 1;
        continue;
      }
      in.seekg(0, std::ios::end);
      auto size = static_cast<size_t>(in.tellg());
      in.seekg(0);
      // Read at most one byte past the limit: enough for the loader to say the file is too large.
      data.resize(std::min(size, manifests::kMaxManifestBytes + 1));
      in.read(data.data(), static_cast<std::streamsize>(data.size()));
    }
    manifests::LoadOptions lo;
    lo.node_name = node;
    lo.source = manifests::PodSource{"file", path, 0};
    manifests::LoadResult r = manifests::LoadManifest(data, lo);
    for (const auto& w : r.warnings) err << "warning: " << w.ToString() << "\n";
    for (const auto& e : r.errors) err << "error: " << e.ToString() << "\n";
    if (!r.errors.empty()) status = 1;
    for (const auto& pod : r.pods) {
      if (!first) out << "---\n";
      first = false;
      out << manifests::PodToYaml(pod);
    }
  }
  return status;
}

int ValidateCommand(int argc, char** argv) {
  CLI::App app{"crilet validate: check static pod manifests and print them normalized (defaults applied)."};
  app.name("crilet validate");
  std::vector<std::string> files;
  std::string node;
  app.add_option("files", files, "Manifest files")->required();
  app.add_option("--hostname-override", node, "Node name used for the static pod name suffix [default: host name]");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return RunValidate(files, node.empty() ? DefaultNodeName() : node, std::cout, std::cerr);
}

}  // namespace crilet::cli
