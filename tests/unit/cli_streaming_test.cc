// CRI streaming: SPDY frames and header blocks, the upgrade exchange, exec's exit status, kubectl's stream and port rules.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "cli/cp_paths.h"
#include "cli/interactive.h"
#include "cli/port_forward.h"
#include "cli/remote_command.h"
#include "cli/spdy_connection.h"
#include "common/spdy_frame.h"

using namespace crilet;
using namespace crilet::cli;

namespace {

// Reads every frame of `bytes` fed in pieces of `piece` bytes.
std::vector<spdy::Frame> ReadAll(spdy::FrameReader* r, const std::string& bytes, size_t piece) {
  std::vector<spdy::Frame> frames;
  for (size_t at = 0; at < bytes.size(); at += piece) {
    r->Feed(std::string_view(bytes).substr(at, piece));
    spdy::Frame f;
    std::string error;
    while (r->Next(&f, &error) == spdy::FrameReader::Result::kFrame) frames.push_back(f);
    INFO(error);
    REQUIRE(error.empty());
  }
  return frames;
}

}  // namespace

TEST_CASE("SPDY frames round trip whatever pieces the bytes arrive in", "[streaming]") {
  for (size_t piece : {size_t{1}, size_t{7}, size_t{4096}}) {
    spdy::HeaderCompressor c;  // one compressor per direction: the second block depends on the first
    // In sequence: the operands of + may be evaluated in any order, and the blocks must go out in theirs.
    std::string wire = spdy::EncodeSynStream(&c, 1, {{"streamtype", "error"}}, false);
    wire += spdy::EncodeSynStream(&c, 3, {{"streamtype", "data"}, {"port", "8080"}, {"requestid", "0"}}, false);
    wire += spdy::EncodeData(3, std::string(70000, 'x'), false) + spdy::EncodeData(3, "", true) +
                       spdy::EncodeRstStream(1, spdy::kRstCancel) + spdy::EncodePing(2) + spdy::EncodeGoAway(3, 0);
    spdy::FrameReader r(1 << 20);
    auto frames = ReadAll(&r, wire, piece);
    REQUIRE(frames.size() == 7);
    CHECK(frames[0].type == spdy::FrameType::kSynStream);
    CHECK(frames[0].stream_id == 1);
    CHECK(frames[0].headers == spdy::Headers{{"streamtype", "error"}});
    CHECK(frames[1].headers == spdy::Headers{{"streamtype", "data"}, {"port", "8080"}, {"requestid", "0"}});
    CHECK(frames[2].type == spdy::FrameType::kData);
    CHECK(frames[2].data == std::string(70000, 'x'));
    CHECK_FALSE(frames[2].fin());
    CHECK(frames[3].fin());
    CHECK(frames[3].data.empty());
    CHECK(frames[4].type == spdy::FrameType::kRstStream);
    CHECK(frames[4].value == spdy::kRstCancel);
    CHECK(frames[5].type == spdy::FrameType::kPing);
    CHECK(frames[5].stream_id == 2);
    CHECK(frames[6].type == spdy::FrameType::kGoAway);
    CHECK(frames[6].stream_id == 3);
  }
}

TEST_CASE("SPDY reader refuses broken input for good", "[streaming]") {
  spdy::Frame f;
  std::string error;
  SECTION("a frame over the limit") {
    spdy::FrameReader r(1024);
    r.Feed(spdy::EncodeData(1, std::string(2000, 'a'), false));
    CHECK(r.Next(&f, &error) == spdy::FrameReader::Result::kError);
    CHECK(error.find("over the limit") != std::string::npos);
    CHECK(r.Next(&f, &error) == spdy::FrameReader::Result::kError);
  }
  SECTION("another SPDY version") {
    spdy::FrameReader r;
    r.Feed(std::string("\x80\x02\x00\x06\x00\x00\x00\x04\x00\x00\x00\x01", 12));
    CHECK(r.Next(&f, &error) == spdy::FrameReader::Result::kError);
    CHECK(error == "SPDY version 2, not 3");
  }
  SECTION("a header block that is not zlib") {
    spdy::FrameReader r;
    r.Feed(std::string("\x80\x03\x00\x02\x00\x00\x00\x08\x00\x00\x00\x01garbage!", 16));
    CHECK(r.Next(&f, &error) == spdy::FrameReader::Result::kError);
    CHECK(error.rfind("header block", 0) == 0);
  }
  SECTION("a DATA frame on stream 0") {
    spdy::FrameReader r;
    r.Feed(spdy::EncodeData(0, "x", false));
    CHECK(r.Next(&f, &error) == spdy::FrameReader::Result::kError);
  }
  SECTION("an unknown control frame is skipped, as the spec says") {
    spdy::FrameReader r;
    r.Feed(std::string("\x80\x03\x00\x0a\x00\x00\x00\x02zz", 10) + spdy::EncodeData(5, "after", false));
    REQUIRE(r.Next(&f, &error) == spdy::FrameReader::Result::kFrame);
    CHECK(f.type == spdy::FrameType::kUnknown);
    REQUIRE(r.Next(&f, &error) == spdy::FrameReader::Result::kFrame);
    CHECK(f.data == "after");
  }
}

TEST_CASE("Streaming URL and the SPDY upgrade exchange", "[streaming]") {
  StreamUrl u;
  REQUIRE(ParseStreamUrl("http://127.0.0.1:41233/exec/AbC", &u).ok());
  CHECK(u.host == "127.0.0.1");
  CHECK(u.port == "41233");
  CHECK(u.path == "/exec/AbC");
  REQUIRE(ParseStreamUrl("http://[::1]:9/portforward/x?y=1", &u).ok());
  CHECK(u.host == "::1");
  CHECK(u.path == "/portforward/x?y=1");
  CHECK(ParseStreamUrl("https://127.0.0.1:1/exec/x", &u).message().find("only http://") != std::string::npos);

  std::string req = UpgradeRequest(u, {"v4.channel.k8s.io"});
  CHECK(req.rfind("POST /portforward/x?y=1 HTTP/1.1\r\nHost: [::1]:9\r\n", 0) == 0);
  CHECK(req.find("\r\nUpgrade: SPDY/3.1\r\n") != std::string::npos);
  CHECK(req.find("\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\n") != std::string::npos);

  std::string protocol;
  CHECK(ParseUpgradeResponse("HTTP/1.1 101 Switching Protocols\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\n", "",
                             &protocol)
            .ok());
  CHECK(protocol == "v4.channel.k8s.io");
  Status s = ParseUpgradeResponse("HTTP/1.1 404 Not Found\r\nContent-Length: 19\r\n", "404 page not found\n", &protocol);
  CHECK(s.message() == "unable to upgrade connection: 404 page not found");
  s = ParseUpgradeResponse("HTTP/1.1 500 Internal Server Error\r\n", "", &protocol);
  CHECK(s.message() == "unable to upgrade connection: HTTP/1.1 500 Internal Server Error");
}

TEST_CASE("The v4 error stream decides exec's exit code", "[streaming]") {
  CHECK(ParseRemoteStatus("").exit_code == 0);
  CHECK(ParseRemoteStatus(R"({"metadata":{},"status":"Success"})").exit_code == 0);
  auto r = ParseRemoteStatus(
      R"({"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: exit status 3",)"
      R"("reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}})");
  CHECK(r.exit_code == 3);
  CHECK(r.error.empty());
  r = ParseRemoteStatus(R"j({"status":"Failure","message":"container not running (abc)","reason":"InternalError"})j");
  CHECK(r.exit_code == 1);
  CHECK(r.error == "container not running (abc)");
  r = ParseRemoteStatus("plain text from a v1 server");
  CHECK(r.exit_code == 1);
  CHECK(r.error == "plain text from a v1 server");

  std::string message;
  CHECK(SessionExit(Status::Ok(), ParseRemoteStatus(R"({"status":"Failure","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"7"}]}})"), &message) == 7);
  CHECK(message == "command terminated with exit code 7");
  CHECK(SessionExit(Status::Unavailable("lost the connection"), {}, &message) == 1);
  CHECK(message == "error: lost the connection");
  CHECK(TerminalSizeMessage({120, 40}) == R"({"Width":120,"Height":40})");
}

TEST_CASE("kubectl's terminal rules for exec and attach", "[streaming]") {
  std::string warning;
  auto o = ChooseStreams(true, true, true, &warning);
  CHECK((o.stdin && o.tty && o.stdout && !o.stderr));
  CHECK(warning.empty());
  o = ChooseStreams(true, true, false, &warning);  // -it with stdin from a pipe
  CHECK((o.stdin && !o.tty && o.stderr));
  CHECK(warning == "Unable to use a TTY - input is not a terminal or the right kind of file");
  warning.clear();
  o = ChooseStreams(false, true, true, &warning);  // -t alone: no terminal, no warning
  CHECK((!o.stdin && !o.tty && o.stderr));
  CHECK(warning.empty());
}

TEST_CASE("kubectl's port-forward specs and addresses", "[streaming]") {
  auto pod = nlohmann::json::parse(R"({"metadata":{"name":"web-node1"},"spec":{"containers":[
      {"name":"a","ports":[{"name":"http","containerPort":8080}]}]}})");
  std::vector<ForwardedPort> p;
  REQUIRE(ParsePortSpecs({"8080:80", ":81", "82", "9000:http", "http"}, pod, &p).ok());
  REQUIRE(p.size() == 5);
  CHECK((p[0].local == 8080 && p[0].remote == 80));
  CHECK((p[1].local == 0 && p[1].remote == 81));
  CHECK((p[2].local == 82 && p[2].remote == 82));
  CHECK((p[3].local == 9000 && p[3].remote == 8080));
  CHECK((p[4].local == 8080 && p[4].remote == 8080));
  CHECK(ParsePortSpecs({"1:2:3"}, pod, &p).message() == "invalid port format '1:2:3'");
  CHECK(ParsePortSpecs({"x:80"}, pod, &p).message() == "error parsing local port 'x': strconv.ParseUint: parsing \"x\": invalid syntax");
  CHECK(ParsePortSpecs({"70000:80"}, pod, &p).message() ==
        "error parsing local port '70000': strconv.ParseUint: parsing \"70000\": value out of range");
  CHECK(ParsePortSpecs({"80:0"}, pod, &p).message() == "remote port must be > 0");
  CHECK(ParsePortSpecs({"80:grpc"}, pod, &p).message() == "Pod 'web-node1' does not have a named port 'grpc'");

  std::vector<std::string> a;
  REQUIRE(ParseListenAddresses({"localhost"}, &a).ok());
  CHECK(a == std::vector<std::string>{"127.0.0.1", "::1"});
  REQUIRE(ParseListenAddresses({"0.0.0.0,::"}, &a).ok());
  CHECK(a == std::vector<std::string>{"0.0.0.0", "::"});
  CHECK(ParseListenAddresses({"example"}, &a).message() == "example is not a valid IP");
}

TEST_CASE("kubectl cp's file specs and path rules", "[streaming]") {
  FileSpec f;
  REQUIRE(ExtractFileSpec("web:/tmp/x/", &f).ok());
  CHECK((f.pod == "web" && f.ns.empty() && f.path == "/tmp/x"));
  REQUIRE(ExtractFileSpec("prod/web:rel", &f).ok());
  CHECK((f.ns == "prod" && f.pod == "web" && f.path == "rel"));
  REQUIRE(ExtractFileSpec("/local/only", &f).ok());
  CHECK((f.pod.empty() && f.path == "/local/only"));
  CHECK(ExtractFileSpec(":x", &f).message() == "filespec must match the canonical format: [[namespace/]pod:]file/path");
  CHECK(ExtractFileSpec("a/b/c:x", &f).message() == "filespec must match the canonical format: [[namespace/]pod:]file/path");

  CHECK(CleanPath("a/../b") == "b");
  CHECK(CleanPath("/../x/./y/") == "/x/y");
  CHECK(CleanPath("../../x") == "../../x");
  CHECK(CleanPath("") == ".");

  auto plan = PlanCopyToPod("/home/me/tree/", "/tmp", true);  // into an existing directory
  CHECK((plan.entry_name == "tree" && plan.extract_dir == "/tmp"));
  plan = PlanCopyToPod("notes.txt", "/etc/app/config.txt", false);  // to a new name
  CHECK((plan.entry_name == "config.txt" && plan.extract_dir == "/etc/app"));
  plan = PlanCopyToPod("notes.txt", "here.txt", false);
  CHECK((plan.entry_name == "here.txt" && plan.extract_dir == "."));

  CHECK(CopyFromPodPrefix("/var/log/") == "var/log");
  CHECK(CopyFromPodPrefix("../../etc/hostname") == "etc/hostname");
  std::string out;
  CHECK(LocalTarget("/dst", "var/log", "var/log/a/b.txt", &out));
  CHECK(out == "/dst/a/b.txt");
  CHECK(LocalTarget("/dst", "etc/hostname", "etc/hostname", &out));
  CHECK(out == "/dst");
  CHECK_FALSE(LocalTarget("/dst", "data", "data/../../escape", &out));
  CHECK(out == "/escape");
  CHECK_FALSE(LocalTarget("rel", "d", "d/../../up", &out));
  CHECK(LocalTarget(".", "d", "d/x", &out));
  CHECK(out == "x");
  CHECK_FALSE(LocalTarget(".", "d", "d/../../x", &out));
}
