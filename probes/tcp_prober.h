/// TCP connect check for tcpSocket probes: a non-blocking connect that must complete within the timeout.
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <string>

#include "common/curl_loop.h"
#include "probes/pending_probe.h"
#include "probes/probe_state.h"

namespace crilet::probes {

// Kubelet's DoTCPProbe, waited for (for tests and callers without a loop): TcpProbeStart on a private
// CurlLoop. `cancel` (may be null) ends the wait within 50 ms.
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

// Kubelet's DoTCPProbe without blocking: success once the connection is established (then closed at once);
// failure with Go's wording ("dial tcp 10.88.0.5:8080: connect: connection refused", "... i/o timeout").
// An IP address is connected to at once (a pod on this host completes or refuses the handshake inside the
// connect call, so the outcome is usually known at once; otherwise `pending` holds the connecting socket).
// A host name is resolved and connected by `curl` (libcurl's threaded resolver, which never blocks the
// loop), whose sockets the caller polls. A bad port is an error outcome.
ProbeStart TcpProbeStart(CurlLoop* curl, const std::string& host, int port, std::chrono::milliseconds timeout);

}  // namespace crilet::probes
