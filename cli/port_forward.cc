// Port forwarding: local listeners and connections, and their SPDY stream pairs, in one poll loop.
#include "cli/port_forward.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <memory>

#include "cli/spdy_connection.h"

namespace crilet::cli {
namespace {

constexpr size_t kMaxQueued = 1 << 20;  // stop reading local connections while this much waits for the socket

// strconv.ParseUint(s, 10, 16) and its error text.
bool ParsePort(const std::string& s, uint16_t* out, std::string* error) {
  bool digits = !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
  if (!digits) {
    *error = "strconv.ParseUint: parsing \"" + s + "\": invalid syntax";
    return false;
  }
  if (s.size() > 5 || std::stoul(s) > 65535) {
    *error = "strconv.ParseUint: parsing \"" + s + "\": value out of range";
    return false;
  }
  *out = static_cast<uint16_t>(std::stoul(s));
  return true;
}

// A container port's number by its name, as kubectl's convertPodNamedPortToNumber.
bool NamedPort(const nlohmann::json& pod, const std::string& name, uint16_t* out) {
  for (const auto& c : pod["spec"].value("containers", nlohmann::json::array())) {
    for (const auto& p : c.value("ports", nlohmann::json::array())) {
      if (p.value("name", "") == name && p.contains("containerPort")) {
        *out = static_cast<uint16_t>(p["containerPort"].get<int>());
        return true;
      }
    }
  }
  return false;
}

struct Listener {
  int fd = -1;
  ForwardedPort port;
};

struct Connection {
  int fd = -1;
  ForwardedPort port;
  uint32_t error_id = 0, data_id = 0;
  std::string to_local;
  bool local_eof = false, remote_fin = false, error_done = false;
  std::string error_text;
};

class Forwarder : public SpdyListener {
 public:
  Forwarder(SpdyConnection* conn, std::ostream& err) : conn_(conn), err_(err) {}

  void Accept(int fd, ForwardedPort port) {
    auto c = std::make_unique<Connection>();
    c->fd = fd;
    c->port = port;
    std::string id = std::to_string(next_request_++);
    std::string remote = std::to_string(port.remote);
    c->error_id = conn_->OpenStream({{"streamtype", "error"}, {"port", remote}, {"requestid", id}});
    conn_->CloseStream(c->error_id);  // the error stream only ever carries the server's words
    c->data_id = conn_->OpenStream({{"streamtype", "data"}, {"port", remote}, {"requestid", id}});
    by_stream_[c->error_id] = c.get();
    by_stream_[c->data_id] = c.get();
    conns_[fd] = std::move(c);
  }

  void OnReply(uint32_t) override {}
  void OnData(uint32_t id, std::string_view data) override {
    Connection* c = Find(id);
    if (!c) return;
    if (id == c->data_id) c->to_local.append(data);
    else if (c->error_text.size() < 4096) c->error_text.append(data);
  }
  void OnRemoteFin(uint32_t id) override {
    Connection* c = Find(id);
    if (!c) return;
    if (id == c->data_id) c->remote_fin = true;
    if (id == c->error_id) {
      c->error_done = true;
      if (!c->error_text.empty()) {
        err_ << "error: an error occurred forwarding " << c->port.local << " -> " << c->port.remote << ": "
             << c->error_text << std::endl;
        c->remote_fin = true;  // nothing more will come: end this connection, keep the forward
        c->to_local.clear();
      }
    }
  }
  void OnReset(uint32_t id, uint32_t) override {
    Connection* c = Find(id);
    if (!c) return;
    c->remote_fin = true;
    c->error_done = true;
  }

  std::map<int, std::unique_ptr<Connection>>& conns() { return conns_; }

  // Local reads, local writes, and the end of a connection once both sides are done.
  void Serve(Connection* c, short revents) {
    if ((revents & (POLLIN | POLLHUP | POLLERR)) && !c->local_eof) {
      char buf[32 * 1024];
      ssize_t n = recv(c->fd, buf, sizeof buf, 0);
      if (n > 0) {
        conn_->Write(c->data_id, std::string_view(buf, static_cast<size_t>(n)));
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        c->local_eof = true;
        conn_->CloseStream(c->data_id);  // the client is done sending: the pod's side sees EOF
      }
    }
    if (!c->to_local.empty() && (revents & POLLOUT)) {
      ssize_t n = send(c->fd, c->to_local.data(), c->to_local.size(), MSG_NOSIGNAL);
      if (n > 0) c->to_local.erase(0, static_cast<size_t>(n));
      else if (n < 0 && errno != EAGAIN && errno != EINTR) {
        c->to_local.clear();
        c->remote_fin = true;
        c->local_eof = true;
      }
    }
  }

  void Reap() {
    for (auto it = conns_.begin(); it != conns_.end();) {
      Connection* c = it->second.get();
      if (c->remote_fin && c->to_local.empty() && c->error_done) {
        // kubectl closes the local connection when the pod's side is done and the error stream has said
        // whether it failed (containerd ends the data stream first, then writes the error).
        conn_->ResetStream(c->data_id);
        conn_->ResetStream(c->error_id);
        by_stream_.erase(c->data_id);
        by_stream_.erase(c->error_id);
        close(c->fd);
        it = conns_.erase(it);
      } else {
        ++it;
      }
    }
  }

 private:
  Connection* Find(uint32_t id) {
    auto it = by_stream_.find(id);
    return it == by_stream_.end() ? nullptr : it->second;
  }

  SpdyConnection* conn_;
  std::ostream& err_;
  int next_request_ = 0;
  std::map<int, std::unique_ptr<Connection>> conns_;
  std::map<uint32_t, Connection*> by_stream_;
};

Status Listen(const std::string& ip, uint16_t port, int* fd, uint16_t* bound) {
  bool v6 = ip.find(':') != std::string::npos;
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (v6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    if (inet_pton(AF_INET6, ip.c_str(), &a->sin6_addr) != 1) return Status::InvalidArgument("bad address " + ip);
    len = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    if (inet_pton(AF_INET, ip.c_str(), &a->sin_addr) != 1) return Status::InvalidArgument("bad address " + ip);
    len = sizeof *a;
  }
  int s = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s < 0) return Status::Unavailable(std::strerror(errno));
  int one = 1;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (v6) setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if (bind(s, reinterpret_cast<sockaddr*>(&ss), len) != 0 || listen(s, 128) != 0) {
    std::string why = std::strerror(errno);
    close(s);
    return Status::Unavailable(why);
  }
  sockaddr_storage got{};
  socklen_t got_len = sizeof got;
  getsockname(s, reinterpret_cast<sockaddr*>(&got), &got_len);
  *bound = ntohs(v6 ? reinterpret_cast<sockaddr_in6*>(&got)->sin6_port : reinterpret_cast<sockaddr_in*>(&got)->sin_port);
  *fd = s;
  return Status::Ok();
}

}  // namespace

Status ParsePortSpecs(const std::vector<std::string>& specs, const nlohmann::json& pod, std::vector<ForwardedPort>* out) {
  out->clear();
  for (const auto& spec : specs) {
    std::string local, remote;
    size_t colon = spec.find(':');
    if (colon == std::string::npos) {
      local = remote = spec;
    } else {
      if (spec.find(':', colon + 1) != std::string::npos) return Status::InvalidArgument("invalid port format '" + spec + "'");
      local = spec.substr(0, colon);
      remote = spec.substr(colon + 1);
      if (local.empty()) local = "0";
    }
    ForwardedPort p;
    std::string why;
    if (!remote.empty() && remote.find_first_not_of("0123456789") != std::string::npos) {
      uint16_t number = 0;
      if (!NamedPort(pod, remote, &number)) {
        return Status::InvalidArgument("Pod '" + pod["metadata"].value("name", "") + "' does not have a named port '" + remote + "'");
      }
      if (colon == std::string::npos) local = std::to_string(number);
      remote = std::to_string(number);
    }
    if (!ParsePort(local, &p.local, &why)) return Status::InvalidArgument("error parsing local port '" + local + "': " + why);
    if (!ParsePort(remote, &p.remote, &why)) return Status::InvalidArgument("error parsing remote port '" + remote + "': " + why);
    if (p.remote == 0) return Status::InvalidArgument("remote port must be > 0");
    out->push_back(p);
  }
  if (out->empty()) return Status::InvalidArgument("at least 1 PORT is required for port-forward");
  return Status::Ok();
}

Status ParseListenAddresses(const std::vector<std::string>& addresses, std::vector<std::string>* out) {
  out->clear();
  for (const auto& list : addresses) {
    size_t start = 0;
    while (start <= list.size()) {
      size_t comma = list.find(',', start);
      std::string a = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      start = comma == std::string::npos ? list.size() + 1 : comma + 1;
      if (a.empty()) continue;
      if (a == "localhost") {
        out->push_back("127.0.0.1");
        out->push_back("::1");
        continue;
      }
      in6_addr v6;
      in_addr v4;
      if (inet_pton(AF_INET, a.c_str(), &v4) != 1 && inet_pton(AF_INET6, a.c_str(), &v6) != 1) {
        return Status::InvalidArgument(a + " is not a valid IP");
      }
      out->push_back(a);
    }
  }
  if (out->empty()) out->assign({"127.0.0.1", "::1"});
  return Status::Ok();
}

Status RunPortForward(const std::string& url, const std::vector<std::string>& addresses, std::vector<ForwardedPort> ports,
                      std::ostream& out, std::ostream& err) {
  std::unique_ptr<SpdyConnection> conn;
  std::string protocol;
  if (Status s = SpdyConnection::Dial(url, {"portforward.k8s.io"}, std::chrono::seconds(30), &conn, &protocol); !s.ok()) {
    return s;
  }
  std::vector<Listener> listeners;
  for (auto& port : ports) {
    bool any = false;
    for (const auto& ip : addresses) {
      int fd = -1;
      uint16_t bound = 0;
      Status s = Listen(ip, port.local, &fd, &bound);
      std::string shown = ip.find(':') != std::string::npos ? "[" + ip + "]" : ip;
      if (!s.ok()) {
        // kubectl: one address failing (no IPv6 here, say) is only noted while another works.
        err << "Unable to listen on port " << port.local << ": Listeners failed to create with the following errors: "
            << "[unable to create listener: Error listen tcp " << shown << ":" << port.local << ": " << s.message() << "]\n";
        continue;
      }
      if (port.local == 0) port.local = bound;  // the other addresses take the same port, as kubectl does
      any = true;
      out << "Forwarding from " << shown << ":" << port.local << " -> " << port.remote << std::endl;
      listeners.push_back(Listener{fd, port});
    }
    if (!any) return Status::Unavailable("unable to listen on any of the requested ports: [{" + std::to_string(port.local) + " " + std::to_string(port.remote) + "}]");
  }
  Forwarder fwd(conn.get(), err);
  for (;;) {
    std::vector<pollfd> fds;
    fds.push_back({conn->fd(), static_cast<short>(POLLIN | (conn->WantsWrite() ? POLLOUT : 0)), 0});
    bool room = conn->Queued() < kMaxQueued;
    for (const auto& l : listeners) fds.push_back({l.fd, POLLIN, 0});
    std::vector<Connection*> order;
    for (auto& [fd, c] : fwd.conns()) {
      short ev = 0;
      if (!c->local_eof && room && conn->replied(c->data_id)) ev |= POLLIN;
      if (!c->to_local.empty()) ev |= POLLOUT;
      fds.push_back({fd, ev, 0});
      order.push_back(c.get());
    }
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return Status::Internal(std::string("poll: ") + std::strerror(errno));
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      if (Status s = conn->OnReadable(&fwd); !s.ok()) return s;
    }
    for (size_t i = 0; i < listeners.size(); ++i) {
      if (!(fds[1 + i].revents & POLLIN)) continue;
      int c = accept4(listeners[i].fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (c < 0) continue;
      out << "Handling connection for " << listeners[i].port.local << std::endl;
      fwd.Accept(c, listeners[i].port);
    }
    for (size_t i = 0; i < order.size(); ++i) {
      short rev = fds[1 + listeners.size() + i].revents;
      if (rev) fwd.Serve(order[i], rev);
    }
    fwd.Reap();
    if (conn->WantsWrite()) {
      if (Status s = conn->OnWritable(); !s.ok()) return s;
    }
    if (conn->closed()) return Status::Unavailable("lost connection to pod");
  }
}

}  // namespace crilet::cli
