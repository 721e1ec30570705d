// A removed pod while it stops: /pods carries deletionTimestamp and deletionGracePeriodSeconds, and get and
// describe show it Terminating as kubectl does.
#include <catch2/catch.hpp>

#include "cli/describe_command.h"
#include "cli/pod_table.h"
#include "server/pod_json.h"
#include "test_pods.h"

using namespace crilet;

TEST_CASE("kubectl parity: a pod being removed is Terminating in /pods, get and describe", "[cli][removal]") {
  agent::PodRecord r;
  r.pod = crilet::testing::MakePod({"app"});
  r.status.phase = "Running";
  r.status.start_time = FromUnixNanos(1'700'000'000'000'000'000);
  agent::ContainerStatus cs;
  cs.name = "app";
  cs.ready = true;
  cs.state.running = agent::ContainerStateRunning{*r.status.start_time};
  r.status.container_statuses = {cs};
  TimePoint now = *r.status.start_time + std::chrono::minutes(10);

  auto json = server::PodToJson(r);
  CHECK_FALSE(json["metadata"].contains("deletionTimestamp"));
  CHECK(cli::MakePodRow(json, now).status == "Running");

  r.deletion_timestamp = now + std::chrono::seconds(30);
  r.deletion_grace_period_seconds = 30;
  json = server::PodToJson(r);
  CHECK(json["metadata"]["deletionTimestamp"] == server::FormatTime(now + std::chrono::seconds(30)));
  CHECK(json["metadata"]["deletionGracePeriodSeconds"] == 30);
  CHECK(cli::MakePodRow(json, now).status == "Terminating");
  std::string text = cli::DescribePod(json, now);
  CHECK(text.find("Terminating (lasts 30s)") != std::string::npos);
  CHECK(text.find("Termination Grace Period:  30s") != std::string::npos);

  // A pod that already finished shows its phase, as kubectl does.
  json["status"]["phase"] = "Succeeded";
  CHECK(cli::MakePodRow(json, now).status != "Terminating");
}
