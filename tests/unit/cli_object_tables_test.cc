// crilet get configmaps|secrets|pvc: kubectl's columns from the status server's lists, and no secret value in them.
#include <catch2/catch.hpp>

#include "agent/claim_binding.h"
#include "cli/object_tables.h"
#include "server/object_lists.h"

using namespace crilet;
using nlohmann::json;

namespace {

cli::TableOptions AllNamespaces() {
  cli::TableOptions o;
  o.all_namespaces = true;
  return o;
}

manifests::LocalObjects Objects() {
  manifests::LocalObjects o;
  manifests::ConfigMap cm;
  cm.name = "app-config";
  cm.namespace_ = "test";
  cm.data = {{"a", "1"}, {"b", "2"}};
  cm.binary_data = {{"c", "xyz"}};
  o.config_maps.push_back(cm);
  manifests::Secret s;
  s.name = "token";
  s.namespace_ = "test";
  s.data = {{"password", "hunter2"}};
  o.secrets.push_back(s);
  manifests::PersistentVolumeClaim c;
  c.name = "data";
  c.namespace_ = "test";
  c.access_modes = {"ReadWriteOnce"};
  std::string err;
  c.storage_request = manifests::ParseQuantity("1Gi", &err);
  o.claims.push_back(c);
  c.name = "waits";
  c.namespace_ = "default";
  c.storage_class_name = "";
  o.claims.push_back(c);
  return o;
}

}  // namespace

TEST_CASE("get configmaps and secrets print kubectl's columns; secret values never leave the server", "[cli][objects]") {
  auto o = Objects();
  TimePoint now = std::chrono::system_clock::now();
  json cms = server::ConfigMapListJson(o);
  CHECK(cli::FormatObjectTable("configmaps", cms, "test", cli::TableOptions{}, now) ==
        "NAME         DATA   AGE\n"
        "app-config   3      <unknown>\n");
  json secrets = server::SecretListJson(o);
  CHECK(secrets.dump().find("hunter2") == std::string::npos);
  CHECK(secrets.dump().find("aHVudGVyMg") == std::string::npos);  // nor its base64
  CHECK(secrets["items"][0]["data"]["password"] == "7 bytes");
  CHECK(cli::FormatObjectTable("secrets", secrets, "test", cli::TableOptions{}, now) ==
        "NAME    TYPE     DATA   AGE\n"
        "token   Opaque   1      <unknown>\n");
  CHECK(cli::FormatObjectTable("secrets", secrets, "default", cli::TableOptions{}, now).empty());
}

TEST_CASE("get pvc shows status, volume, capacity, short access modes and class", "[cli][pvc]") {
  auto o = Objects();
  auto bindings = agent::BindClaims(o.claims, {}, {}, "/pv");
  json list = server::ClaimListJson(o, bindings, {{"test/data", {"uid-1"}}});
  CHECK(list["items"][0]["metadata"]["annotations"]["crilet.io/local-path"] == "/pv/test/data");
  CHECK(list["items"][0]["metadata"]["annotations"]["crilet.io/used-by"] == "uid-1");
  CHECK(list["items"][1]["status"]["phase"] == "Pending");
  TimePoint now = std::chrono::system_clock::now();
  CHECK(cli::FormatObjectTable("pvc", list, "test", cli::TableOptions{}, now) ==
        "NAME   STATUS   VOLUME          CAPACITY   ACCESS MODES   STORAGECLASS   AGE\n"
        "data   Bound    pvc-test-data   1Gi        RWO                           <unknown>\n");
  CHECK(cli::FormatObjectTable("pvc", list, "", AllNamespaces(), now) ==
        "NAMESPACE   NAME    STATUS    VOLUME          CAPACITY   ACCESS MODES   STORAGECLASS   AGE\n"
        "test        data    Bound     pvc-test-data   1Gi        RWO                           <unknown>\n"
        "default     waits   Pending                                                            <unknown>\n");
  CHECK(cli::ShortAccessModes(json::array({"ReadWriteOncePod", "ReadOnlyMany", "ReadWriteMany"})) == "RWOP,ROX,RWX");
  CHECK(cli::ObjectResource("cm") == "configmaps");
  CHECK(cli::ObjectResource("persistentvolumeclaims") == "pvc");
  CHECK(cli::ObjectResource("pods").empty());
}
