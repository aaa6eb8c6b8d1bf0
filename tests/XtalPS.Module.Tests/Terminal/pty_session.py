"""Runs a program on a pseudo-terminal, answers its questions, and prints everything it showed.

Usage: python3 pty_session.py '{"argv": [...], "steps": [["expect", "text"], ["send", "y\\r"]], "timeout": 120}'
The program's standard input, output and error are the terminal (150 columns); each "expect" waits until the
text appears after the previous match, each "send" types text. Prints the transcript to stdout and exits
with the program's exit code, or 124 when an expected text did not come in time.
"""
import fcntl
import json
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time

spec = json.loads(sys.argv[1])
deadline = time.monotonic() + spec.get("timeout", 120)
master, slave = pty.openpty()
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 150, 0, 0))
child = subprocess.Popen(spec["argv"], stdin=slave, stdout=slave, stderr=slave, close_fds=True,
                         start_new_session=True, env=dict(os.environ, TERM="xterm"))
os.close(slave)
transcript = bytearray()
seen = 0


def pump(wait):
    """Reads what the program wrote within `wait` seconds; False once the terminal is closed."""
    ready, _, _ = select.select([master], [], [], wait)
    if not ready:
        return True
    try:
        data = os.read(master, 65536)
    except OSError:  # EIO: the program exited and the terminal closed
        return False
    if not data:
        return False
    transcript.extend(data)
    return True


def give_up(reason):
    child.kill()
    child.wait()
    sys.stdout.write(transcript.decode("utf-8", "replace"))
    sys.stdout.write("\n[pty_session: %s]\n" % reason)
    sys.exit(124)


for kind, text in spec.get("steps", []):
    if kind == "expect":
        needle = text.encode()
        while transcript.find(needle, seen) < 0:
            if time.monotonic() > deadline:
                give_up("timed out waiting for %r" % text)
            if not pump(0.2) and transcript.find(needle, seen) < 0:
                give_up("the program ended before %r" % text)
        seen = transcript.find(needle, seen) + len(needle)
    else:
        os.write(master, text.encode())

while pump(0.2):
    if time.monotonic() > deadline:
        give_up("timed out waiting for the program to end")
code = child.wait()
sys.stdout.write(transcript.decode("utf-8", "replace"))
sys.exit(code)
