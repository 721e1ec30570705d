#!/usr/bin/env python3
"""Hostile HTTP clients for test_hostile_status_server.sh, and the /healthz poller that watches them.

  hostile_http.py poll PORT STOPFILE OUT.json    polls /healthz every 50 ms until STOPFILE exists (at least 10 times, at most 300 s)
  hostile_http.py ATTACK PORT [N]                 runs one attack and prints a JSON summary

Every attack is bounded in count and time and talks only to 127.0.0.1.
"""
import json
import os
import random
import socket
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

HOST = "127.0.0.1"


def connect(port, timeout=5.0):
    s = socket.create_connection((HOST, port), timeout=timeout)
    s.settimeout(timeout)
    return s


def read_all(s, limit=15.0):
    """Everything the server sends until it closes (or resets after its answer), or `limit` seconds pass."""
    data = b""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        try:
            s.settimeout(max(0.05, end - time.monotonic()))
            chunk = s.recv(65536)
        except socket.timeout:
            break
        except (ConnectionResetError, BrokenPipeError):
            break
        if not chunk:
            break
        data += chunk
    return data


def status_of(answer):
    if answer.startswith(b"HTTP/1.1 ") and len(answer) >= 12 and answer[9:12].isdigit():
        return int(answer[9:12])
    return 0  # no answer


def count_answers(answer):
    return answer.count(b"HTTP/1.1 ")


def exchange(port, data, shutdown_write=False, limit=15.0):
    """Sends `data` (from a thread, so a server that answers early is read while we still send) and reads."""
    s = connect(port)
    sent_error = []

    def send():
        try:
            s.sendall(data)
            if shutdown_write:
                s.shutdown(socket.SHUT_WR)
        except OSError as e:  # the server answered and closed before taking it all
            sent_error.append(type(e).__name__)

    t = threading.Thread(target=send)
    t.start()
    answer = read_all(s, limit)
    t.join(limit)
    s.close()
    return answer


def poll(port, stopfile, out):
    latencies, failures, statuses = [], 0, {}
    deadline = time.monotonic() + 300
    # At least 10 polls, so even a short attack is watched from start to end.
    while (len(latencies) < 10 or not os.path.exists(stopfile)) and time.monotonic() < deadline:
        t0 = time.monotonic()
        try:
            s = connect(port, timeout=5.0)
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            answer = read_all(s, 5.0)
            s.close()
            code = status_of(answer)
        except OSError:
            code = 0
        ms = (time.monotonic() - t0) * 1000
        latencies.append(ms)
        statuses[code] = statuses.get(code, 0) + 1
        if code != 200:
            failures += 1
        time.sleep(0.05)
    latencies.sort()
    summary = {
        "polls": len(latencies),
        "failures": failures,
        "statuses": statuses,
        "p50_ms": round(latencies[len(latencies) // 2], 1) if latencies else None,
        "max_ms": round(latencies[-1], 1) if latencies else None,
    }
    with open(out, "w") as f:
        json.dump(summary, f)


# Each with libmicrohttpd 0.9.75's verdict (0: closed without an answer). It is lenient where RFC 9112 allows
# or where nothing can be smuggled past a read-only server that reads no bodies: a doubled space, a space
# before the colon, a folded or NUL-holding header value reach the routes (which answer 404 for "/"), and a NUL
# in the method cuts it ("G", which gets 405).
MALFORMED = [
    (b"HELLO\r\n\r\n", 0),
    (b"GET /\r\n\r\n", 400),
    (b"GET / HTTP/9.9\r\n\r\n", 505),
    (b"GET  / HTTP/1.1\r\n\r\n", 404),
    (b"GET nopath HTTP/1.1\r\n\r\n", 400),
    (b"G\x00T / HTTP/1.1\r\n\r\n", 405),
    (b"GET /\x7f HTTP/1.1\r\n\r\n", 404),
    (b"GET / HTTP/1.1\r\nNo colon here\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nName : space before colon\r\n\r\n", 404),
    (b"GET / HTTP/1.1\r\nX: a\r\n folded\r\n\r\n", 404),
    (b"GET / HTTP/1.1\r\nX: nul\x00byte\r\n\r\n", 404),
]


def tally(statuses):
    out = {}
    for code in statuses:
        out[str(code)] = out.get(str(code), 0) + 1
    return out


def attack(name, port, n):
    started = time.monotonic()
    result = {"attack": name}
    if name == "malformed":
        codes = [status_of(exchange(port, MALFORMED[i % len(MALFORMED)][0])) for i in range(n)]
        result.update(sent=n, answers=tally(codes), expected=tally(MALFORMED[i % len(MALFORMED)][1] for i in range(n)))
    elif name == "garbage":
        rnd = random.Random(15)
        codes = [status_of(exchange(port, bytes(rnd.getrandbits(8) for _ in range(4096)))) for _ in range(n)]
        # libmicrohttpd answers 400 where it finds a request line to refuse, else closes the connection.
        codes = ["400 or closed" if c in (0, 400) else c for c in codes]
        result.update(sent=n, answers=tally(codes), expected={"400 or closed": n})
    elif name == "long-line":
        codes = [status_of(exchange(port, b"GET /" + b"a" * (1 << 20) + b" HTTP/1.1\r\n\r\n")) for _ in range(n)]
        result.update(sent=n, bytes_each=1 << 20, answers=tally(codes), expected={"414": n})
    elif name == "big-headers":
        headers = b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 1000) for i in range(1024))
        codes = [status_of(exchange(port, b"GET /healthz HTTP/1.1\r\n" + headers + b"\r\n")) for _ in range(n)]
        result.update(sent=n, bytes_each=len(headers), answers=tally(codes), expected={"431": n})
    elif name == "no-end":
        # Heads that never end: each must be closed (libmicrohttpd sends no 408) when the idle timeout (10 s)
        # passes, none earlier.
        socks = []
        for i in range(n):
            s = connect(port, timeout=20.0)
            s.sendall(b"GET /healthz HTTP/1.1\r\nX-Never: ends" if i % 2 else b"GET /heal")
            socks.append(s)
        t0 = time.monotonic()
        with ThreadPoolExecutor(max_workers=min(n, 64)) as pool:
            answers = list(pool.map(lambda s: (read_all(s, 20.0), time.monotonic() - t0), socks))
        for s in socks:
            s.close()
        result.update(sent=n, answers=tally(status_of(a) for a, _ in answers), expected={"0": n},
                      answered_after_s=[round(min(t for _, t in answers), 1), round(max(t for _, t in answers), 1)])
    elif name == "body-on-get":
        body = b"z" * 100000
        answers = [exchange(port, b"GET /healthz HTTP/1.1\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
                   for _ in range(n)]
        result.update(sent=n, answers=tally(status_of(a) for a in answers), expected={"200": n},
                      bodies_ok=sum(a.endswith(b"\r\n\r\nok") for a in answers))
    elif name == "pipelined":
        req = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
        answers = [exchange(port, req * 5) for _ in range(n)]
        result.update(sent=n, answers=tally(status_of(a) for a in answers), expected={"200": n},
                      answers_per_connection=sorted({count_answers(a) for a in answers}))
    elif name == "half-closed":
        # Half of them close their side after a full request (they get the answer), half in mid-head (they
        # get nothing: the server sees the end of the stream before the end of the head).
        full = [exchange(port, b"GET /healthz HTTP/1.1\r\n\r\n", shutdown_write=True) for _ in range(n // 2)]
        cut = [exchange(port, b"GET /healthz HTTP/1.1\r\nHost:", shutdown_write=True) for _ in range(n - n // 2)]
        result.update(sent=n, answers=tally([status_of(a) for a in full] + [status_of(a) for a in cut]),
                      expected={"200": n // 2, "0": n - n // 2})
    elif name == "flood":
        targets = [b"/healthz", b"/pods", b"/metrics", b"/healthz?verbose", b"/no/such/path"]

        def one(i):
            target = targets[i % len(targets)]
            method = b"POST" if i % 50 == 49 else b"GET"
            try:
                s = connect(port, timeout=10.0)
                s.sendall(method + b" " + target + b" HTTP/1.1\r\nHost: x\r\n\r\n")
                a = read_all(s, 10.0)
                s.close()
                return status_of(a)
            except OSError:
                return 0

        with ThreadPoolExecutor(max_workers=32) as pool:
            codes = list(pool.map(one, range(n)))
        want_404 = sum(1 for i in range(n) if i % 50 != 49 and i % len(targets) == 4)
        want_405 = sum(1 for i in range(n) if i % 50 == 49)
        result.update(sent=n, answers=tally(codes),
                      expected={"200": n - want_404 - want_405, "404": want_404, "405": want_405})
    else:
        raise SystemExit("unknown attack " + name)
    result["seconds"] = round(time.monotonic() - started, 2)
    print(json.dumps(result, sort_keys=True))


def idle(port, n, hold_file, released_file, out):
    """Opens n connections that send nothing, holds them until hold_file is removed, then closes them."""
    socks, refused = [], 0
    for _ in range(n):
        try:
            socks.append(connect(port, timeout=5.0))
        except OSError:
            refused += 1
    with open(out, "w") as f:
        json.dump({"opened": len(socks), "refused": refused}, f)
    deadline = time.monotonic() + 120
    while os.path.exists(hold_file) and time.monotonic() < deadline:
        time.sleep(0.05)
    # Which of them the server closed meanwhile (the cap making room, or the read timeout's 408).
    closed_by_server = answered_408 = 0
    for s in socks:
        s.setblocking(False)
        try:
            data = s.recv(4096)
            closed_by_server += 1
            answered_408 += status_of(data) == 408
        except BlockingIOError:
            pass
        except OSError:
            closed_by_server += 1
        s.close()
    with open(out, "w") as f:
        json.dump({"opened": len(socks), "refused": refused, "closed_by_server": closed_by_server,
                   "answered_408": answered_408}, f)
    open(released_file, "w").close()


if __name__ == "__main__":
    if sys.argv[1] == "poll":
        poll(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    elif sys.argv[1] == "idle":
        idle(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6])
    else:
        attack(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 20)
