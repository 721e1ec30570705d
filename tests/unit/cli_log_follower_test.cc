// LogFollower: a log renamed by rotation is read to its end, also what the runtime writes after the new file appears.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cli/log_follower.h"

using namespace crilet;
namespace fs = std::filesystem;
using std::chrono::milliseconds;

namespace {

struct FollowerDir {
  fs::path dir = fs::temp_directory_path() / ("crilet-follower-" + std::to_string(getpid()));
  std::string log = (dir / "0.log").string();
  FollowerDir() {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~FollowerDir() { fs::remove_all(dir); }
};

void Append(std::ofstream& out, const std::string& s) {
  out << s;
  out.flush();
}

}  // namespace

TEST_CASE("log follower: new lines of one file, in order") {
  FollowerDir d;
  std::ofstream w(d.log, std::ios::binary);
  Append(w, "a1\n");
  cli::LogFollower f(d.log, milliseconds(250));
  REQUIRE(f.Open());
  TimePoint t = FromUnixNanos(1'700'000'000'000'000'000);
  CHECK(f.Poll(t) == "a1\n");
  CHECK(f.Poll(t) == "");
  Append(w, "a2\na3\n");
  CHECK(f.Poll(t + milliseconds(100)) == "a2\na3\n");
}

TEST_CASE("log follower: the renamed file drains until quiet before the new file is read") {
  FollowerDir d;
  std::ofstream old_writer(d.log, std::ios::binary);
  Append(old_writer, "a1\n");
  cli::LogFollower f(d.log, milliseconds(250));
  REQUIRE(f.Open());
  TimePoint t = FromUnixNanos(1'700'000'000'000'000'000);
  CHECK(f.Poll(t) == "a1\n");

  // Rotation: rename, and the runtime creates the new file before its writer moves over.
  fs::rename(d.log, d.log + ".20261203-120000");
  CHECK(f.Poll(t + milliseconds(100)) == "");  // no file at the path yet
  std::ofstream new_writer(d.log, std::ios::binary);
  Append(new_writer, "b1\n");
  Append(old_writer, "a2\n");
  CHECK(f.Poll(t + milliseconds(200)) == "a2\n");
  Append(old_writer, "a3\n");  // still the old writer, after the new file has data
  CHECK(f.Poll(t + milliseconds(300)) == "a3\n");
  Append(new_writer, "b2\n");
  CHECK(f.Poll(t + milliseconds(400)) == "");  // quiet for 100 ms only: keep waiting on the old file
  // Quiet for 250 ms: switch, and the new file is read from its start.
  CHECK(f.Poll(t + milliseconds(550)) == "b1\nb2\n");
  Append(new_writer, "b3\n");
  CHECK(f.Poll(t + milliseconds(650)) == "b3\n");
}

TEST_CASE("log follower: Finish reads the renamed file and the new one without waiting") {
  FollowerDir d;
  std::ofstream old_writer(d.log, std::ios::binary);
  cli::LogFollower f(d.log, milliseconds(250));
  REQUIRE(f.Open());
  TimePoint t = FromUnixNanos(1'700'000'000'000'000'000);
  Append(old_writer, "a1\n");
  fs::rename(d.log, d.log + ".1");
  std::ofstream new_writer(d.log, std::ios::binary);
  CHECK(f.Poll(t) == "a1\n");
  Append(old_writer, "a2\n");
  Append(new_writer, "b1\n");
  CHECK(f.Finish() == "a2\nb1\n");
}

TEST_CASE("log follower: a missing file is an error to the caller") {
  FollowerDir d;
  cli::LogFollower f((d.dir / "nope.log").string(), milliseconds(250));
  CHECK_FALSE(f.Open());
}
