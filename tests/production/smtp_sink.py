"""A small SMTP server for CI's production leg (.ci/production runs it; the worker's EMAIL_URL points at it).

Every message it accepts (answered "250" to a client still connected) is written to MAIL_DIR as one file, as
Django's file backend would, so the journey and the summary read the same folder as before. For the fault drills
(tests/production/test_faults.py) it can keep a sender waiting inside a send: while a recipient is listed in
STATE_DIR/hold, a message to it is kept after its last byte, before the answer, in STATE_DIR/held/; if the client
goes away meanwhile (the worker killed) the message moves to STATE_DIR/aborted/ and counts as not delivered (no
"250" was given), and once the recipient is taken off the list it is accepted. Standard library only.

    python tests/production/smtp_sink.py PORT MAIL_DIR STATE_DIR
"""

import itertools
import os
import select
import socket
import socketserver
import sys
import threading
import time
from pathlib import Path

_numbers = itertools.count(1)
_lock = threading.Lock()


def _next_name():
    with _lock:
        return f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{next(_numbers):05d}.eml"


class Handler(socketserver.StreamRequestHandler):
    timeout = 300

    def reply(self, line):
        self.wfile.write(line.encode("ascii") + b"\r\n")
        self.wfile.flush()

    def handle(self):
        self.reply("220 localhost jx-production smtp sink")
        recipients = []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            verb = line.decode("ascii", "replace").strip()
            upper = verb.upper()
            if upper.startswith("EHLO"):
                self.wfile.write(b"250-localhost\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                self.wfile.flush()
            elif upper.startswith(("HELO", "NOOP")):
                self.reply("250 OK")
            elif upper.startswith("MAIL FROM"):
                recipients = []
                self.reply("250 OK")
            elif upper.startswith("RCPT TO"):
                recipients.append(verb.split(":", 1)[1].split()[0].strip("<>").lower())
                self.reply("250 OK")
            elif upper == "RSET":
                recipients = []
                self.reply("250 OK")
            elif upper == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                data = self.read_data()
                if data is None:
                    return
                if not self.deliver(data, recipients):
                    return
                self.reply("250 OK queued")
                recipients = []
            elif upper == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")

    def read_data(self):
        lines = []
        while True:
            line = self.rfile.readline()
            if not line:
                return None
            if line in (b".\r\n", b".\n"):
                return b"".join(lines)
            lines.append(line[1:] if line.startswith(b"..") else line)

    def held(self, recipients):
        hold = STATE / "hold"
        listed = {a.strip().lower() for a in hold.read_text().splitlines()} if hold.exists() else set()
        return bool(listed & set(recipients))

    def deliver(self, data, recipients):
        """Write the message where it belongs; False if the client went away while it was held."""
        name = _next_name()
        if self.held(recipients):
            (STATE / "held" / name).write_bytes(data)
            while self.held(recipients):
                readable, _, _ = select.select([self.connection], [], [], 0.1)
                if readable and not self.connection.recv(1, socket.MSG_PEEK):  # the sender is gone
                    os.replace(STATE / "held" / name, STATE / "aborted" / name)
                    return False
            os.replace(STATE / "held" / name, MAIL / name)
            return True
        (MAIL / name).write_bytes(data)
        return True


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


if __name__ == "__main__":
    port, MAIL, STATE = int(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    for folder in (MAIL, STATE / "held", STATE / "aborted"):
        folder.mkdir(parents=True, exist_ok=True)
    with Server(("127.0.0.1", port), Handler) as server:
        print(f"smtp sink on 127.0.0.1:{port}", flush=True)
        server.serve_forever()
