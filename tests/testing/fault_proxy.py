#!/usr/bin/python3
# A fault-injecting reverse proxy in front of a registry, for tests.
#   fault_proxy.py PORT_FILE UPSTREAM_HOST:PORT
# Binds an ephemeral port on 127.0.0.1, writes it to PORT_FILE, forwards
# every request to UPSTREAM (the Host header passes through, so the
# registry's Location headers point back at the proxy).
# POST /_proxy/faults with a JSON list of rules replaces the rules:
#   {"method": "PATCH", "path": REGEX (on the path, no query), "nth": 1,
#    "times": 1, "action": "500" | "429" | "drop", "retry_after": 1}
#   a rule fires on the nth..nth+times-1 request it matches ("times": 0 =
#   for ever). "drop" reads half the request body and resets the connection.
# GET /_proxy/stats -> {"HEAD blob": 3, "PUT manifest": 1, ..., "bytes_in": N}
# POST /_proxy/reset clears rules and counters.
import http.client, json, re, socket, struct, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

UPSTREAM = sys.argv[2]
KINDS = [(r"^/v2/?$", "base"), (r"/blobs/uploads/?$", "upload-start"), (r"/blobs/uploads/[^/]+$", "upload"),
         (r"/blobs/[^/]+$", "blob"), (r"/manifests/[^/]+$", "manifest"), (r"/tags/list$", "tags")]
SKIP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "expect", "content-length"}
lock = threading.Lock()
rules, stats = [], {}


class Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, code, body=b"", headers=(), head=False):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def read_body(self, limit=None):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                data += self.rfile.read(size)
                self.rfile.readline()
                if size == 0 or (limit is not None and len(data) >= limit):
                    return data
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n if limit is None else min(n, limit))

    def reset_connection(self):
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def handle_any(self):
        global rules
        path = self.path.split("?")[0]
        if path.startswith("/_proxy/"):
            body = self.read_body()
            with lock:
                if path == "/_proxy/faults":
                    rules = json.loads(body or b"[]")
                elif path == "/_proxy/reset":
                    rules = []
                    stats.clear()
                out = json.dumps(stats).encode()
            return self.answer(200, out, [("Content-Type", "application/json")])
        kind = next((k for rx, k in KINDS if re.search(rx, path)), "other")
        rule = None
        with lock:
            key = f"{self.command} {kind}"
            stats[key] = stats.get(key, 0) + 1
            for r in rules:
                if r.get("method", self.command) != self.command or not re.search(r.get("path", ""), path):
                    continue
                r["seen"] = r.get("seen", 0) + 1
                nth, times = r.get("nth", 1), r.get("times", 1)
                if r["seen"] >= nth and (times == 0 or r["seen"] < nth + times):
                    rule = r
                    break
        action = str(rule["action"]) if rule else ""
        if action == "drop":
            self.read_body(int(self.headers.get("Content-Length") or 65536) // 2)
            return self.reset_connection()
        body = self.read_body()
        with lock:
            stats["bytes_in"] = stats.get("bytes_in", 0) + len(body)
        if action.isdigit():
            code = int(action)
            error = {"code": "TOOMANYREQUESTS" if code == 429 else "UNKNOWN", "message": f"injected {code}"}
            headers = [("Content-Type", "application/json")]
            if code == 429:
                headers.append(("Retry-After", str(rule.get("retry_after", 1))))
            return self.answer(code, json.dumps({"errors": [error]}).encode(), headers)
        headers = {k: ", ".join(self.headers.get_all(k)) for k in self.headers.keys() if k.lower() not in SKIP}
        headers["Content-Length"] = str(len(body))
        try:
            up = http.client.HTTPConnection(UPSTREAM, timeout=120)
            up.request(self.command, self.path, body, headers)
            resp = up.getresponse()
            data = resp.read()
            up.close()
        except OSError as e:
            return self.answer(502, str(e).encode())
        out = [(k, v) for k, v in resp.getheaders() if k.lower() not in SKIP | {"date", "server"}]
        if self.command == "HEAD":
            # Keep the registry's Content-Length (the blob's size), no body.
            self.send_response(resp.status)
            for k, v in resp.getheaders():
                if k.lower() not in SKIP - {"content-length"} | {"date", "server"}:
                    self.send_header(k, v)
            self.end_headers()
            return
        self.answer(resp.status, data, out)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any


server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
server.daemon_threads = True
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()
