#!/usr/bin/env python3
"""Writes the seed inputs of h2_answer and spdy_frame into fuzz/corpus/<target>/.

The seeds are committed; this script says what each one is (the HTTP/2 ones are binary frames).
"""
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def write(target, name, data):
    os.makedirs(os.path.join(ROOT, target), exist_ok=True)
    with open(os.path.join(ROOT, target, name), "wb") as f:
        f.write(data)


# h2_answer: control byte (0: one read), then the runtime's frames on the connection.
def frame(ftype, flags, stream, payload):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + struct.pack(">I", stream) + payload


def hpack(headers):  # literal header fields without indexing, new names; lengths < 127
    out = b""
    for name, value in headers:
        out += b"\x00" + bytes([len(name)]) + name + bytes([len(value)]) + value
    return out


def grpc_message(body, flag=0, length=None):
    return bytes([flag]) + struct.pack(">I", len(body) if length is None else length) + body


SETTINGS = frame(4, 0, 0, b"") + frame(4, 1, 0, b"")
HEADERS = frame(1, 4, 1, hpack([(b":status", b"200"), (b"content-type", b"application/grpc")]))


def trailers(status, message=None):
    h = [(b"grpc-status", status)] + ([(b"grpc-message", message)] if message else [])
    return frame(1, 5, 1, hpack(h))


def h2(name, frames, control=0):
    write("h2_answer", name, bytes([control]) + frames)


h2("ok", SETTINGS + HEADERS + frame(0, 0, 1, grpc_message(b"\x0a\x02hi")) + trailers(b"0"))
h2("ok-split-reads", SETTINGS + HEADERS + frame(0, 0, 1, grpc_message(b"stdout")) + trailers(b"0"), control=3)
h2("error-trailers-only", SETTINGS + frame(1, 5, 1, hpack([(b":status", b"200"), (b"grpc-status", b"2"),
                                                         (b"grpc-message", b"exec%20failed%3A%20no%20such%20file")])))
h2("refused", SETTINGS + frame(3, 0, 1, struct.pack(">I", 7)))
h2("http-503", SETTINGS + frame(1, 5, 1, hpack([(b":status", b"503")])))
h2("goaway-then-answer", SETTINGS + frame(7, 0, 0, struct.pack(">II", 1, 0)) + HEADERS +
   frame(0, 0, 1, grpc_message(b"x")) + trailers(b"0"))
h2("compressed", SETTINGS + HEADERS + frame(0, 0, 1, grpc_message(b"zz", flag=1)) + trailers(b"0"))
h2("wrong-length", SETTINGS + HEADERS + frame(0, 0, 1, grpc_message(b"abc", length=9)) + trailers(b"0"))
h2("bad-status", SETTINGS + HEADERS + frame(0, 0, 1, grpc_message(b"")) + trailers(b"0x1"))
h2("many-frames", SETTINGS + frame(6, 0, 0, b"12345678") + frame(8, 0, 0, struct.pack(">I", 1000)) +
   frame(1, 0, 1, hpack([(b":status", b"200")])) + frame(9, 4, 1, hpack([(b"content-type", b"application/grpc")])) +
   frame(0, 8, 1, b"\x03" + grpc_message(b"abcdef")[:4] + b"pad") + frame(0, 0, 1, grpc_message(b"abcdef")[4:]) +
   trailers(b"16", b"%zz%"))


# spdy_frame: control byte (piece size - 1), then what a CRI streaming server sends: SYN_REPLYs whose header
# blocks share one zlib stream primed with SPDY/3's dictionary, DATA, RST_STREAM, PING, GOAWAY.
def spdy_dictionary():
    import re
    with open(os.path.join(os.path.dirname(ROOT), "..", "common", "spdy_dictionary.h")) as f:
        return bytes(int(x, 16) for x in re.findall(r"0x([0-9a-f]{2})", f.read()))


def spdy_control(ftype, flags, payload):
    return struct.pack(">HH", 0x8003, ftype) + struct.pack(">I", (flags << 24) | len(payload)) + payload


def spdy_data(stream, flags, data):
    return struct.pack(">I", stream) + struct.pack(">I", (flags << 24) | len(data)) + data


def spdy_headers(z, headers):
    block = struct.pack(">I", len(headers))
    for k, v in headers:
        block += struct.pack(">I", len(k)) + k + struct.pack(">I", len(v)) + v
    import zlib
    return z.compress(block) + z.flush(zlib.Z_SYNC_FLUSH)


def spdy(name, control, build):
    import zlib
    z = zlib.compressobj(zdict=spdy_dictionary())
    write("spdy_frame", name, bytes([control]) + build(z))


spdy("exec-session", 0, lambda z: b"".join(
    spdy_control(2, 0, struct.pack(">I", i) + spdy_headers(z, [(b"streamtype", t)]))
    for i, t in [(1, b"error"), (3, b"stdin"), (5, b"stdout"), (7, b"stderr")]) +
    spdy_data(5, 0, b"hello\n") + spdy_data(5, 1, b"") + spdy_data(7, 1, b"") +
    spdy_data(1, 1, b'{"metadata":{},"status":"Failure","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}') +
    spdy_control(7, 0, struct.pack(">II", 0, 0)))
spdy("port-forward-split", 6, lambda z: spdy_control(2, 0, struct.pack(">I", 1) + spdy_headers(z, [(b"streamtype", b"error"), (b"port", b"80")])) +
     spdy_data(3, 0, b"HTTP/1.0 200 OK\r\n\r\n" + b"x" * 3000) + spdy_control(6, 0, struct.pack(">I", 2)) +
     spdy_control(3, 0, struct.pack(">II", 3, 5)))
spdy("settings-window-unknown", 0, lambda z: spdy_control(4, 0, struct.pack(">III", 1, 7, 65536)) +
     spdy_control(9, 0, struct.pack(">II", 1, 1000)) + spdy_control(10, 0, b"zz"))
