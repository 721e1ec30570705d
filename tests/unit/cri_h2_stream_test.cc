// FinishCall: the Status a unary gRPC call ends with, from what its HTTP/2 stream gathered.
#include <catch2/catch.hpp>

#include <nghttp2/nghttp2.h>

#include <string>

#include "cri/h2_stream.h"

using namespace crilet;
using crilet::cri::FinishCall;
using crilet::cri::H2Stream;

namespace {

H2Stream Answered(std::string grpc_status, std::string body = "", std::string message = "") {
  H2Stream st;
  st.http_status = "200";
  st.grpc_status = std::move(grpc_status);
  st.grpc_message = std::move(message);
  st.body = std::move(body);
  st.closed = true;
  return st;
}

std::string Framed(const std::string& message, char flag = 0) {
  std::string out(1, flag);
  for (int shift : {24, 16, 8, 0}) out += static_cast<char>((message.size() >> shift) & 0xff);
  return out + message;
}

}  // namespace

TEST_CASE("gRPC answers: message, errors, and answers that are not gRPC", "[cri][h2]") {
  std::string response;
  bool retry = false;
  CHECK(FinishCall(Answered("0", Framed("hello")), &response, &retry).ok());
  CHECK(response == "hello");
  CHECK_FALSE(retry);

  Status s = FinishCall(Answered("2", "", "exec%20failed%3A%20no%20such%20file"), &response, &retry);
  CHECK(s.code() == Code::kUnknown);
  CHECK(s.message() == "exec failed: no such file");
  s = FinishCall(Answered("99"), &response, &retry);
  CHECK(s.code() == Code::kUnknown);

  // Found by fuzz/h2_answer_fuzzer: an error without grpc-message was a Status with an empty message.
  s = FinishCall(Answered("16"), &response, &retry);
  CHECK(s.code() == Code::kUnauthenticated);
  CHECK(s.message() == "the runtime failed the call with grpc-status 16 and no message");

  // atoi read "0x1" and " 5" as 0: a success with whatever body came.
  for (const char* bad : {"0x1", " 5", "", "1234567890123", "-1"}) {
    INFO(bad);
    H2Stream st = Answered(bad, Framed("hello"));
    s = FinishCall(st, &response, &retry);
    CHECK_FALSE(s.ok());
    if (std::string(bad).empty()) {
      CHECK(s.message() == "the runtime's answer has no grpc-status");
    } else {
      CHECK(s.message() == "the runtime's answer has a malformed grpc-status \"" + std::string(bad) + "\"");
    }
  }

  CHECK(FinishCall(Answered("0", Framed("zz", 1)), &response, &retry).message() ==
        "the runtime's answer is compressed, which crilet did not ask for");
  CHECK(FinishCall(Answered("0", Framed("abc").substr(0, 6)), &response, &retry).message() ==
        "the runtime's answer has a wrong length");
  CHECK(FinishCall(Answered("0", "abc"), &response, &retry).message() == "the runtime's answer has no message");

  H2Stream http503;
  http503.http_status = "503";
  http503.closed = true;
  CHECK(FinishCall(http503, &response, &retry).code() == Code::kUnavailable);

  H2Stream refused;
  refused.closed = true;
  refused.close_error = NGHTTP2_REFUSED_STREAM;
  retry = false;
  CHECK(FinishCall(refused, &response, &retry).code() == Code::kUnavailable);
  CHECK(retry);
}
