// Env from local ConfigMaps and Secrets: kubelet's makeEnvironmentVariables rules, messages and optional refs.
#include <catch2/catch.hpp>

#include "agent/container_config.h"
#include "test_pods.h"

using namespace crilet;
using namespace crilet::agent;
using crilet::testing::MakePod;

namespace {

manifests::LocalObjects Objects() {
  manifests::LocalObjects o;
  manifests::ConfigMap cm;
  cm.name = "app-config";
  cm.data = {{"COLOR", "blue"}, {"mode", "fast"}, {"1bad", "x"}, {"has space", "y"}};
  cm.binary_data = {{"BLOB", "\x01"}};  // envFrom takes data only, as kubelet
  o.config_maps.push_back(cm);
  manifests::Secret s;
  s.name = "db";
  s.data = {{"password", "s3cret"}, {"user", "admin"}};
  o.secrets.push_back(s);
  manifests::ConfigMap other = cm;
  other.namespace_ = "other";
  other.data = {{"COLOR", "red"}};
  o.config_maps.push_back(other);
  return o;
}

manifests::EnvVar KeyRef(const std::string& name, bool secret, const std::string& object, const std::string& key,
                         bool optional = false) {
  manifests::EnvVar e;
  e.name = name;
  (secret ? e.secret_key_ref : e.config_map_key_ref) = manifests::KeySelector{object, key, optional};
  return e;
}

std::map<std::string, std::string> AsMap(const std::vector<std::pair<std::string, std::string>>& env) {
  return {env.begin(), env.end()};
}

}  // namespace

TEST_CASE("kubelet parity: envFrom then env, prefixes, invalid keys skipped with kubelet's event text", "[env][objects]") {
  auto pod = MakePod({"app"});
  auto& c = pod.spec.containers[0];
  manifests::EnvFromSource cm;
  cm.config_map_ref = manifests::KeySelector{"app-config", "", false};
  manifests::EnvFromSource db;
  db.prefix = "DB_";
  db.secret_ref = manifests::KeySelector{"db", "", false};
  c.env_from = {cm, db};
  manifests::EnvVar lit;
  lit.name = "URL";
  lit.value = "http://$(DB_user)@$(COLOR)";  // expands against envFrom's variables
  manifests::EnvVar over;
  over.name = "COLOR";
  over.value = "green";  // env wins over envFrom, in place
  c.env = {lit, over, KeyRef("PW", true, "db", "password")};
  auto objects = Objects();
  ContainerContext ctx;
  ctx.objects = &objects;
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<std::string> skipped;
  REQUIRE(MakeEnvironment(pod, c, ctx, &env, &skipped).ok());
  auto m = AsMap(env);
  CHECK(m.at("COLOR") == "green");
  CHECK(m.at("mode") == "fast");
  CHECK(m.at("DB_password") == "s3cret");
  CHECK(m.at("DB_user") == "admin");
  CHECK(m.at("URL") == "http://admin@blue");
  CHECK(m.at("PW") == "s3cret");
  CHECK_FALSE(m.count("BLOB"));
  CHECK_FALSE(m.count("1bad"));
  REQUIRE(skipped.size() == 1);
  CHECK(skipped[0] == "Keys [1bad, has space] from the EnvFrom configMap default/app-config were skipped since they "
                      "are considered invalid environment variable names.");
  CHECK(env.front().first == "COLOR");  // envFrom's first key; env's COLOR replaced it in place
}

TEST_CASE("kubelet parity: a missing ConfigMap, Secret or key is an error in kubelet's words unless optional", "[env][objects]") {
  auto pod = MakePod({"app"});
  auto& c = pod.spec.containers[0];
  auto objects = Objects();
  ContainerContext ctx;
  ctx.objects = &objects;
  std::vector<std::pair<std::string, std::string>> env;

  c.env = {KeyRef("X", false, "missing", "k")};
  CHECK(MakeEnvironment(pod, c, ctx, &env).message() == "configmap \"missing\" not found");
  c.env = {KeyRef("X", true, "missing", "k")};
  CHECK(MakeEnvironment(pod, c, ctx, &env).message() == "secret \"missing\" not found");
  c.env = {KeyRef("X", false, "app-config", "nope")};
  CHECK(MakeEnvironment(pod, c, ctx, &env).message() == "couldn't find key nope in ConfigMap default/app-config");
  c.env = {KeyRef("X", true, "db", "nope")};
  CHECK(MakeEnvironment(pod, c, ctx, &env).message() == "couldn't find key nope in Secret default/db");

  // Optional: the variable is left out, the container starts.
  c.env = {KeyRef("A", false, "missing", "k", true), KeyRef("B", true, "db", "nope", true), KeyRef("C", false, "app-config", "mode")};
  manifests::EnvFromSource absent;
  absent.secret_ref = manifests::KeySelector{"gone", "", true};
  c.env_from = {absent};
  REQUIRE(MakeEnvironment(pod, c, ctx, &env).ok());
  CHECK(AsMap(env) == std::map<std::string, std::string>{{"C", "fast"}});
  absent.secret_ref->optional = false;
  c.env_from = {absent};
  CHECK(MakeEnvironment(pod, c, ctx, &env).message() == "secret \"gone\" not found");

  // Only the pod's own namespace, and no objects at all without a source.
  pod.metadata.namespace_ = "other";
  c.env_from.clear();
  c.env = {KeyRef("X", false, "app-config", "COLOR")};
  REQUIRE(MakeEnvironment(pod, c, ctx, &env).ok());
  CHECK(AsMap(env).at("X") == "red");
  ctx.objects = nullptr;
  CHECK(MakeEnvironment(pod, c, ctx, &env).message() == "configmap \"app-config\" not found");
}

TEST_CASE("IsEnvVarName for envFrom keys", "[env][objects]") {
  CHECK(CheckEnvVarName("A_b-c.d1").empty());
  CHECK(CheckEnvVarName(".dotted").empty());
  CHECK_FALSE(CheckEnvVarName("1st").empty());
  CHECK_FALSE(CheckEnvVarName("a b").empty());
  CHECK_FALSE(CheckEnvVarName("").empty());
}
