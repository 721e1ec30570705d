/// TCP connect check for tcpSocket probes: a non-blocking connect that must complete within the timeout.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "probes/probe_state.h"

namespace crilet::probes {

// Kubelet's DoTCPProbe: success once the connection is established (then closed at once); failure with Go's
// wording ("dial tcp 10.88.0.5:8080: connect: connection refused", "... i/o timeout"). `cancel` (may be null)
// ends the wait within 50 ms. An IP address needs no lookup; a host name is resolved with getaddrinfo first,
// which is bounded by resolv.conf's timeouts rather than the probe's.
ProbeOutcome TcpProbe(const std::string& host, int port, std::chrono::milliseconds timeout,
                      const std::atomic<bool>* cancel = nullptr);

// A tcpSocket probe's connection still in progress after TcpProbeStart; closes its socket when destroyed.
class TcpPending {
 public:
  TcpPending(int fd, std::string target, std::chrono::steady_clock::time_point deadline)
      : fd_(fd), target_(std::move(target)), deadline_(deadline) {}
  ~TcpPending();
  TcpPending(const TcpPending&) = delete;
  TcpPending& operator=(const TcpPending&) = delete;

  // Waits for the connection until the probe's deadline (or `cancel`); the same outcomes as TcpProbe.
  ProbeOutcome Wait(const std::atomic<bool>* cancel);

 private:
  int fd_;
  std::string target_;
  std::chrono::steady_clock::time_point deadline_;
};

// TcpProbe for a caller that must not block (the probe scheduler's timer thread), for an IP address only:
// connects without waiting. A pod on this host completes or refuses the handshake inside the connect call,
// so the outcome is usually known at once; otherwise `pending` holds the connecting socket. For a host name
// (a lookup may block) or a bad port, neither is set: run TcpProbe instead.
struct TcpStart {
  std::optional<ProbeOutcome> outcome;
  std::shared_ptr<TcpPending> pending;
};
TcpStart TcpProbeStart(const std::string& host, int port, std::chrono::milliseconds timeout);

}  // namespace crilet::probes
