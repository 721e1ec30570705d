#!/usr/bin/env python3
"""Hostile probe targets for tests/fault/test_hostile_probes.sh, on loopback, Python 3 stdlib only.

  hostile_server.py PORTS_JSON LOG

Listens on 127.0.0.1 (ephemeral ports) and writes PORTS_JSON = {"http": P, "tcp_silent": P, "grpc_silent": P,
"grpc_h2_silent": P, "tick": P} once every socket listens. LOG gets one line per event, times from
CLOCK_MONOTONIC in seconds:
  req TARGET T            a request for TARGET (the path without "/") arrived at T
  conn TARGET T0 SECS N   a connection to TARGET accepted at T0 ended after SECS, N bytes sent to the client
HTTP targets (port "http"): every connection is read up to the end of the request head, then:
  /headers-1m      200 with 1 MiB of response headers (1024 of 1 KiB), body "ok"
  /endless-body    200, no length, body bytes until the client closes
  /endless-503     the same with status 503
  /endless-chunks  200, chunked, 1 KiB chunks until the client closes
  /huge-chunk      200, chunked, one chunk declared 1 TiB long, its bytes until the client closes
  /slow            the answer "HTTP/1.1 200 OK..." one byte a second
  /slow-body       200 with Content-Length 100 at once, then the body one byte a second
  /garbage         bytes that are not HTTP ("\x00\x01garbage\xff\r\n..."), then the close
  /redirect-loop   302 to /redirect-loop (relative: the same host), forever
  /redirect-other  302 to http://localhost:<http>/elsewhere (another host name), body "moved"
  /elsewhere, /ok  200 "ok"
Other ports: tcp_silent and grpc_silent accept and never read or write; grpc_h2_silent sends an HTTP/2
SETTINGS frame, acknowledges the client's, reads whatever comes and never answers a call; tick answers
every request 200 "ok" (the well-behaved pod's readiness probe; its `req tick` lines give the jitter).
Stops on SIGTERM.
"""
import json
import os
import select
import signal
import socket
import sys
import threading
import time

LOG_LOCK = threading.Lock()
LOG = None
PORTS = {}


def log(line):
    with LOG_LOCK:
        LOG.write(line + "\n")
        LOG.flush()


def read_head(conn):
    """Reads up to the blank line ending a request head; returns the path or None."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return None
        data += chunk
        if len(data) > 65536:
            return None
    parts = data.split(b"\r\n", 1)[0].split(b" ")
    return parts[1].decode("latin-1") if len(parts) >= 2 else None


class Conn:
    """A client connection and the bytes sent to it."""

    def __init__(self, sock):
        self.sock = sock
        self.sent = 0

    def send(self, data):
        self.sock.sendall(data)
        self.sent += len(data)


def closed_within(sock, secs):
    """Waits up to secs for the client to close (without reading); true if it did."""
    p = select.poll()
    p.register(sock, select.POLLRDHUP | select.POLLHUP)
    return bool(p.poll(int(secs * 1000)))


def forever(c, piece, pause=0.0):
    while True:
        c.send(piece)
        if pause and closed_within(c.sock, pause):
            return


def http_target(c, path):
    name = path.lstrip("/").split("?", 1)[0]
    log("req %s %.6f" % (name, time.monotonic()))
    if name == "headers-1m":
        pad = "x" * 1000
        head = "".join("X-Pad-%04d: %s\r\n" % (i, pad) for i in range(1024))
        c.send(("HTTP/1.1 200 OK\r\n%sContent-Length: 2\r\nConnection: close\r\n\r\nok" % head).encode())
    elif name in ("endless-body", "endless-503"):
        status = "200 OK" if name == "endless-body" else "503 Service Unavailable"
        c.send(("HTTP/1.1 %s\r\nConnection: close\r\n\r\n" % status).encode())
        forever(c, b"y" * 65536)
    elif name == "endless-chunks":
        c.send(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
        forever(c, b"400\r\n" + b"c" * 1024 + b"\r\n")
    elif name == "huge-chunk":
        c.send(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n10000000000\r\n")
        forever(c, b"h" * 65536)
    elif name == "slow":
        for b in b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok":
            c.send(bytes([b]))
            if closed_within(c.sock, 1.0):
                return
    elif name == "slow-body":
        c.send(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\n")
        forever(c, b"s", 1.0)
    elif name == "garbage":
        c.send(b"\x00\x01garbage\xff\r\n\r\nmore garbage\r\n")
    elif name == "redirect-loop":
        c.send(b"HTTP/1.1 302 Found\r\nLocation: /redirect-loop\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    elif name == "redirect-other":
        loc = "http://localhost:%d/elsewhere" % PORTS["http"]
        c.send(("HTTP/1.1 302 Found\r\nLocation: %s\r\nContent-Length: 5\r\nConnection: close\r\n\r\nmoved" % loc).encode())
    else:
        c.send(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")


def silent(c, _):
    # Accepts and never reads: the client's bytes stay in the socket buffer; only its close is watched.
    p = select.poll()
    p.register(c.sock, select.POLLRDHUP | select.POLLHUP)
    while not p.poll(1000):
        pass


def grpc_h2_silent(c, _):
    c.send(b"\x00\x00\x00\x04\x00\x00\x00\x00\x00")  # SETTINGS, empty: the server's connection preface
    acked = False
    while True:
        data = c.sock.recv(65536)
        if not data:
            return
        if not acked:
            c.send(b"\x00\x00\x00\x04\x01\x00\x00\x00\x00")  # SETTINGS ACK; the call itself is never answered
            acked = True


def tick(c, path):
    if read_head(c.sock) is None:
        return
    log("req tick %.6f" % time.monotonic())
    c.send(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")


def serve_connection(name, sock, handler):
    c = Conn(sock)
    t0 = time.monotonic()
    target = name
    try:
        if name == "http":
            path = read_head(sock)
            if path is None:
                return
            target = path.lstrip("/").split("?", 1)[0]
            http_target(c, path)
        else:
            handler(c, None)
    except OSError:
        pass  # the client closed: what every endless target waits for
    finally:
        log("conn %s %.6f %.3f %d" % (target, t0, time.monotonic() - t0, c.sent))
        try:
            sock.close()
        except OSError:
            pass


def listen(name, handler):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(128)
    PORTS[name] = s.getsockname()[1]

    def loop():
        while True:
            sock, _ = s.accept()
            threading.Thread(target=serve_connection, args=(name, sock, handler), daemon=True).start()

    threading.Thread(target=loop, daemon=True).start()


def main():
    global LOG
    if len(sys.argv) != 3:
        sys.exit("usage: hostile_server.py PORTS_JSON LOG")
    LOG = open(sys.argv[2], "a")
    for name, handler in (("http", None), ("tcp_silent", silent), ("grpc_silent", silent),
                          ("grpc_h2_silent", grpc_h2_silent), ("tick", tick)):
        listen(name, handler)
    tmp = sys.argv[1] + ".tmp"
    with open(tmp, "w") as f:
        json.dump(PORTS, f)
    os.rename(tmp, sys.argv[1])
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()


if __name__ == "__main__":
    main()
