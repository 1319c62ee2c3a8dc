# Copyright (c) 2026 The failover authors.
# SPDX-License-Identifier: BSD-2-Clause
"""A real HTTP receiver for the tests of failsh's webhooks (tests/common/webhook_peer.hh).

A threaded http.server on 127.0.0.1, port 0 unless told: the port it bound is written to
--port-file (whole, by a rename) once it listens. Every request is appended to --log as
one JSON line {method, path, headers, body, time, answer} when its body has been read and
before it is answered (one write of one line, so a reader never sees half of one);
headers keep their order and spelling as [name, value] pairs; time is the Unix time in
seconds (a float) at which the request was whole; answer is the mode it met.

Modes (--mode, and switchable while running: the control file --control, when it exists
and is not empty, holds the mode and is read at each request):
  200 (or any other 3-digit status): that status with a short body;
  hang: read the request, never answer (until the client gives up or we are stopped);
  trickle: answer 200 one byte a second (a receiver too slow to wait for);
  redirect: 302 to --redirect-to (default http://127.0.0.1:9/elsewhere).
--tls-cert/--tls-key: HTTPS instead of HTTP.
"""

import argparse
import json
import os
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

args = None
log_lock = threading.Lock()
stopping = threading.Event()


def mode_now():
    if args.control:
        try:
            with open(args.control) as f:
                text = f.read().strip()
            if text:
                return text
        except FileNotFoundError:
            pass
    return args.mode


def append(entry):
    line = (json.dumps(entry, ensure_ascii=False) + "\n").encode()
    with log_lock:
        fd = os.open(args.log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "webhook_peer/1"

    def setup(self):
        # The TLS handshake here, in the request's thread: a client that connects and
        # says nothing must not stop the server from accepting others.
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(30)
            self.request.do_handshake()
            self.request.settimeout(None)
        super().setup()

    def log_message(self, fmt, *a):
        sys.stdout.write("%s %s\n" % (time.strftime("%H:%M:%S"), fmt % a))
        sys.stdout.flush()

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def answer(self, status, body=b"", extra=()):
        self.send_response(status)
        for k, v in extra:
            self.send_header(k, v)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        body = self.read_body()
        mode = mode_now()
        append({"method": self.command, "path": self.path,
                "headers": [[k, v] for k, v in self.headers.items()],
                "body": body.decode("utf-8", errors="replace"), "time": time.time(), "answer": mode})
        if mode == "hang":
            # Holds the connection until the client closes it or the peer stops.
            self.connection.settimeout(0.2)
            while not stopping.is_set():
                try:
                    if self.connection.recv(1) == b"":
                        break
                except TimeoutError:
                    continue
                except OSError:
                    break
            self.close_connection = True
            return
        if mode == "trickle":
            text = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"
            try:
                for i in range(len(text)):
                    if stopping.is_set():
                        break
                    self.wfile.write(text[i:i + 1])
                    self.wfile.flush()
                    time.sleep(1)
            except OSError:
                pass
            self.close_connection = True
            return
        if mode == "redirect":
            self.answer(302, b"moved\n", [("Location", args.redirect_to)])
            return
        try:
            status = int(mode)
        except ValueError:
            status = 200
        self.answer(status, b"ok\n" if status < 300 else b"no\n")

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any


class Server(ThreadingHTTPServer):
    daemon_threads = True


def main():
    global args
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--log", required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--mode", default="200")
    p.add_argument("--control")
    p.add_argument("--redirect-to", default="http://127.0.0.1:9/elsewhere")
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    args = p.parse_args()

    server = Server(("127.0.0.1", args.port), Handler)
    if args.tls_cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    port = server.server_address[1]
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, args.port_file)
    print("listening on 127.0.0.1:%d" % port, "https" if args.tls_cert else "http", "mode", args.mode, flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    stopping.set()
    return 0


if __name__ == "__main__":
    sys.exit(main())
