/// TCP connect check for tcpSocket probes: a non-blocking connect that must complete within the timeout.
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <string>

#include "probes/pending_probe.h"
#include "probes/probe_state.h"

namespace crilet::probes {

// Kubelet's DoTCPProbe: success once the connection is established (then closed at once); failure with Go's
// wording ("dial tcp 10.88.0.5:8080: connect: connection refused", "... i/o timeout"). `cancel` (may be null)
// ends the wait within 50 ms. An IP address needs no lookup; a host name is resolved with getaddrinfo first,
// which is bounded by resolv.conf's timeouts rather than the probe's.
ProbeOutcome TcpProbe(const std::string& host, int port, std::chrono::milliseconds timeout,
                      const std::atomic<bool>* cancel = nullptr);

// A non-blocking connect to an IP address, for callers that must not block. `address` is false when `ip` is
// not an IP address (nothing was tried). Otherwise `err` is 0 (connected), EINPROGRESS (poll `fd` for POLLOUT,
// then ConnectResult) or the errno the connect failed with (then `fd` is -1). A pod on this host has
// usually completed or refused the handshake by the time it returns.
struct ConnectStart {
  bool address = false;
  int fd = -1;
  int err = 0;
};
ConnectStart ConnectToAddress(const std::string& ip, int port);
// The result of a connect in progress once its socket polled writable: 0, the errno it failed with, or
// EINPROGRESS when it is not over yet.
int ConnectResult(int fd);

// TcpProbe for a caller that must not block (the probe scheduler's timer thread), for an IP address only:
// connects without waiting. A pod on this host completes or refuses the handshake inside the connect call,
// so the outcome is usually known at once; otherwise `pending` holds the connecting socket, with the same
// outcomes as TcpProbe. For a host name (a lookup may block) or a bad port, neither is set: run TcpProbe.
ProbeStart TcpProbeStart(const std::string& host, int port, std::chrono::milliseconds timeout);

}  // namespace crilet::probes
