#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal, as a user at a terminal would: for the exec -it and attach -it tests.

pty_drive.py [--size COLSxROWS] [--step 'expect:TEXT' | --step 'send:TEXT' | --step 'resize:COLSxROWS'] ... -- CMD...
Each step runs in order (also 'until:TEXT|SEND': send SEND each second until TEXT appears): expect waits (up to --timeout seconds) until TEXT has appeared in the output since the
last expect; send writes TEXT (with \\n, \\r, \\x03 and \\x04 escapes decoded) to the terminal; resize sets the
terminal's size (the kernel sends SIGWINCH to the command). At the end it waits for the command, prints what
the terminal showed to stdout, and exits with the command's exit code (124 on a timeout)."""
import argparse
import codecs
import fcntl
import os
import pty
import select
import struct
import sys
import termios
import time


def set_size(fd, spec):
    cols, rows = (int(x) for x in spec.split("x"))
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="80x24")
    ap.add_argument("--timeout", type=float, default=20)
    ap.add_argument("--step", action="append", default=[])
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    set_size(fd, a.size)
    seen = b""
    mark = 0

    def pump(deadline):
        nonlocal seen
        r, _, _ = select.select([fd], [], [], max(0, deadline - time.time()))
        if not r:
            return False
        try:
            data = os.read(fd, 65536)
        except OSError:
            return None
        if not data:
            return None
        seen += data
        return True

    for step in a.step:
        kind, _, arg = step.partition(":")
        if kind == "expect":
            want = codecs.decode(arg, "unicode_escape").encode()
            deadline = time.time() + a.timeout
            while want not in seen[mark:]:
                if time.time() > deadline or pump(deadline) is None:
                    sys.stdout.write(seen.decode(errors="replace"))
                    print(f"\npty_drive: timed out waiting for {arg!r}", file=sys.stderr)
                    os.kill(pid, 9)
                    os.waitpid(pid, 0)
                    sys.exit(124)
            mark = seen.index(want, mark) + len(want)
        elif kind == "until":  # until:TEXT|SEND: send SEND again each second until TEXT appears
            text, _, again = arg.partition("|")
            want = codecs.decode(text, "unicode_escape").encode()
            deadline = time.time() + a.timeout
            while want not in seen[mark:]:
                if time.time() > deadline:
                    sys.stdout.write(seen.decode(errors="replace"))
                    print(f"\npty_drive: timed out waiting for {text!r}", file=sys.stderr)
                    os.kill(pid, 9)
                    os.waitpid(pid, 0)
                    sys.exit(124)
                os.write(fd, codecs.decode(again, "unicode_escape").encode())
                tick = time.time() + 1
                while want not in seen[mark:] and time.time() < tick:
                    if pump(tick) is None:
                        break
            mark = seen.index(want, mark) + len(want)
        elif kind == "send":
            os.write(fd, codecs.decode(arg, "unicode_escape").encode())
        elif kind == "resize":
            set_size(fd, arg)
        else:
            sys.exit(f"pty_drive: unknown step {step!r}")
    deadline = time.time() + a.timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.time() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            sys.stdout.write(seen.decode(errors="replace"))
            print("\npty_drive: the command did not end", file=sys.stderr)
            sys.exit(124)
        pump(time.time() + 0.2)
    while pump(time.time() + 0.1):
        pass
    sys.stdout.write(seen.decode(errors="replace"))
    sys.exit(os.waitstatus_to_exitcode(status))


main()
