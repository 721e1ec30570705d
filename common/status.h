/// Status: the outcome of an operation that can fail, as a value with a sentence for the user.
#pragma once

#include <string>
#include <utility>

namespace crilet {

// Codes follow gRPC's where they overlap so CRI errors keep their meaning (NotFound, DeadlineExceeded...).
enum class Code {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
  kUnauthenticated = 16,
};

const char* CodeName(Code code);

// grpc-go's error text, which kubelet passes on as it is: "rpc error: code = NotFound desc = no such container"
// (grpc-go spells kCancelled "Canceled").
std::string GoRpcErrorText(Code code, const std::string& desc);

// errno's text in lower case, as Go's net and os packages print it ("connection refused").
std::string ErrnoText(int err);

class Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status NotFound(std::string m) { return Status(Code::kNotFound, std::move(m)); }
  static Status InvalidArgument(std::string m) { return Status(Code::kInvalidArgument, std::move(m)); }
  static Status Unavailable(std::string m) { return Status(Code::kUnavailable, std::move(m)); }
  static Status Internal(std::string m) { return Status(Code::kInternal, std::move(m)); }
  static Status DeadlineExceeded(std::string m) { return Status(Code::kDeadlineExceeded, std::move(m)); }
  static Status FailedPrecondition(std::string m) { return Status(Code::kFailedPrecondition, std::move(m)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsUnavailable() const { return code_ == Code::kUnavailable; }
  bool IsDeadlineExceeded() const { return code_ == Code::kDeadlineExceeded; }
  const std::string& message() const { return message_; }

  // "NotFound: container abc not found" or "OK".
  std::string ToString() const;

  // Prefixes the message with context: Status("x").Wrap("start container web") -> "start container web: x".
  Status Wrap(const std::string& context) const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

}  // namespace crilet
