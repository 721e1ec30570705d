#!/usr/bin/env python3
"""Writes the seed inputs of h2_answer into fuzz/corpus/<target>/.

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
