#!/usr/bin/env python3
"""A loopback HTTP server for the tests: serves the files of DIR on 127.0.0.1 at a free
port, written to PORTFILE once it listens, until it is killed. Paths choose a behaviour:
  /A/B             the file DIR/A/B when there is one (200), or DIR/A/B.503 (503), or
                   DIR/A/B.400 (400); with DIR/A/B.key beside it, only to a request with
                   "Authorization: Bearer KEY" (KEY its first line), else llama-server's 401
  /FILE            the file (404 when it is not there)
  /truncated/FILE  a Content-Length of the whole file, then half of it and a closed socket
  /slow/FILE       the headers and the first 100 bytes, then one byte every 2 s
  /forever...      an endless body without a length
  /hang/...        no answer for 30 s
  /redirect/...    a 302 to the same path on plain http without /redirect
  /A/B with DIR/A/B.hang beside it: no answer for 30 s
With --unix (usage: http_stub.py DIR SOCKET --unix) it listens on the Unix socket SOCKET
instead, as a container engine's API does (/info, /containers/json, ...).
Further arguments are ignored: a test starting it under the name llama-server gives it
llama-server's flags (--alias, --model, --api-key), as the doctor reads them in /proc.
With --child DIR2 PORTFILE2 ALIAS MODEL it also starts a child of itself serving DIR2, as
a llama-server router starts a model's instance: under the same name, with the flags
--host 127.0.0.1 --alias ALIAS --model MODEL.
usage: http_stub.py DIR PORTFILE [--child DIR2 PORTFILE2 ALIAS MODEL] [FLAGS...]"""
import http.server
import os
import socketserver
import subprocess
import sys
import time

root, portfile = sys.argv[1:3]
UNAUTHORIZED = b'{"error":{"code":401,"message":"Invalid API Key","type":"authentication_error"}}'


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_body_head(self, length):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.end_headers()

    def do_GET(self):
        parts = self.path.lstrip("/").split("/", 1)
        mode = parts[0] if len(parts) == 2 else ""
        name = parts[-1]
        exact = os.path.join(root, self.path.lstrip("/"))
        if os.path.isfile(exact + ".hang") and ".." not in self.path:
            time.sleep(30)
        if os.path.isfile(exact + ".key") and ".." not in self.path:
            key = open(exact + ".key").read().splitlines()[0]
            if self.headers.get("Authorization", "") != "Bearer " + key:
                self.send_response(401)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(UNAUTHORIZED)))
                self.end_headers()
                self.wfile.write(UNAUTHORIZED)
                return
        for suffix, status in (("", 200), (".503", 503), (".400", 400)):
            if os.path.isfile(exact + suffix) and ".." not in self.path:
                data = open(exact + suffix, "rb").read()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except OSError:  # the client stopped reading (a cap): nothing to say
                    pass
                return
        if mode == "hang":
            time.sleep(30)
        if mode == "redirect":
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:%d/%s" % (self.server.server_address[1], name))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path.startswith("/forever"):
            self.send_body_head(None)
            try:
                while True:
                    self.wfile.write(b"{" * 65536)
            except OSError:
                return
        path = os.path.join(root, os.path.basename(name))
        if not os.path.isfile(path):
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = open(path, "rb").read()
        self.send_body_head(len(data))
        try:
            if mode == "truncated":
                self.wfile.write(data[: len(data) // 2])
                self.wfile.flush()
                self.close_connection = True
            elif mode == "slow":
                self.wfile.write(data[:100])
                self.wfile.flush()
                for b in data[100:]:
                    time.sleep(2)
                    self.wfile.write(bytes([b]))
                    self.wfile.flush()
            else:
                self.wfile.write(data)
        except OSError:
            pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


class UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


class UnixHandler(Handler):
    def address_string(self):
        return "unix"


if len(sys.argv) > 3 and sys.argv[3] == "--unix":
    unix = UnixServer(portfile, UnixHandler)
    unix.serve_forever()
if len(sys.argv) > 7 and sys.argv[3] == "--child":
    # the router's model instance: the same program under the same name
    subprocess.Popen([sys.orig_argv[0], os.path.abspath(__file__), sys.argv[4], sys.argv[5],
                      "--host", "127.0.0.1", "--alias", sys.argv[6], "--model", sys.argv[7]])
server = Server(("127.0.0.1", 0), Handler)
with open(portfile + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(portfile + ".tmp", portfile)
server.serve_forever()
