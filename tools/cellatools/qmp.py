"""A small client of QEMU's machine protocol (QMP) on a Unix socket: screenshots and keys.

The runner starts QEMU with `-qmp unix:PATH,server=on,wait=off`; tests connect
here to take a screenshot (`screendump`, PNG) or press keys (`send-key`,
`input-send-event`) while the console is watched. Only the standard library.
"""

import json
import os
import socket
import time


class QmpError(Exception):
    pass


class Qmp:
    def __init__(self, path, timeout=10.0):
        self.path = path
        self.sock = None
        self.buffer = b""
        self.timeout = timeout
        self.events = []

    def connect(self, wait=10.0):
        """Connects (QEMU may still be creating the socket) and leaves the greeting's capabilities mode."""
        deadline = time.monotonic() + wait
        while True:
            try:
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                sock.settimeout(self.timeout)
                sock.connect(self.path)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                sock.close()
                if time.monotonic() > deadline:
                    raise QmpError(f"no QMP socket at {self.path}") from None
                time.sleep(0.05)
        self.sock = sock
        greeting = self._read()
        if "QMP" not in greeting:
            raise QmpError(f"not a QMP greeting: {greeting}")
        self.command("qmp_capabilities")
        return self

    def close(self):
        if self.sock:
            self.sock.close()
            self.sock = None

    def _read(self):
        while b"\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise QmpError("QEMU closed the QMP socket")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)

    def command(self, name, **arguments):
        """Runs one command; returns its "return" value, raises QmpError with QEMU's message."""
        message = {"execute": name}
        if arguments:
            message["arguments"] = arguments
        self.sock.sendall(json.dumps(message).encode() + b"\n")
        while True:
            reply = self._read()
            if "event" in reply:
                self.events.append(reply)
                continue
            if "error" in reply:
                raise QmpError(f"{name}: {reply['error'].get('desc', reply['error'])}")
            return reply.get("return")

    def screendump(self, path):
        """Writes the screen as a PNG file (QEMU 7.1 and later) and waits until it is complete."""
        path = os.path.abspath(path)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        self.command("screendump", filename=path, format="png")
        return path

    def send_key(self, keys, hold_ms=50):
        """Presses keys together and lets them go: keys as QEMU's qcodes ("ctrl", "alt", "1", "esc")."""
        self.command("send-key", keys=[{"type": "qcode", "data": k} for k in keys], **{"hold-time": hold_ms})

    def type_text(self, text):
        """Types text a key at a time (letters, digits, space, return)."""
        names = {" ": "spc", "\n": "ret", ".": "dot", "-": "minus", "/": "slash"}
        for ch in text:
            self.send_key([names.get(ch, ch.lower())])
