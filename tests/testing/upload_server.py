#!/usr/bin/python3
# An object store for the http pusher's tests, on 127.0.0.1, objects in memory.
#   upload_server.py PORT_FILE
# Binds an ephemeral port, writes it to PORT_FILE (then serves until killed).
#
# PUT /<path>: stores the body (Content-Length or chunked) -> 201, or 204 when
#   it replaced an object; 412 when the request has If-None-Match: * and the
#   object exists; 400 when a `Digest: sha-256=<b64>` header does not match it.
# HEAD, GET /<path>: 200 with Content-Length (and the body for GET), 404.
#   With a fault entry {"digest_header": true} (no status), answers carry
#   `Digest: sha-256=<b64>`.
# Faults: POST /_faults [{"method": "PUT", "status": 500, "times": 2,
#   "body": "text; {Header-Name} is replaced by that request header"}], each
#   answering `status` to the next `times` matching requests instead of
#   serving them (the body of a PUT is read first).
# GET /_log -> [{"method", "path", "headers": {...}, "length"}] of every request
#   but /_*; POST /_reset forgets objects, faults and the log.
import base64, hashlib, json, os, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
objects, faults, log = {}, [], []


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, code, body=b"", headers=(), head=False):
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = b""
            while True:
                n = int(self.rfile.readline().split(b";")[0], 16)
                out += self.rfile.read(n)
                self.rfile.readline()
                if n == 0:
                    return out
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def fault(self):
        with lock:
            for f in faults:
                if "status" in f and f.get("method", self.command) == self.command and f.get("times", 1) > 0:
                    f["times"] = f.get("times", 1) - 1
                    return dict(f)
        return None

    def handle_any(self):
        path = self.path.split("?")[0]
        data = self.body() if self.command in ("PUT", "POST") else b""
        if path.startswith("/_"):
            with lock:
                if path == "/_faults":
                    faults[:] = json.loads(data or b"[]")
                    return self.reply(200)
                if path == "/_reset":
                    objects.clear(); faults.clear(); log.clear()
                    return self.reply(200)
                if path == "/_log":
                    return self.reply(200, json.dumps(log).encode())
            return self.reply(404)
        with lock:
            log.append({"method": self.command, "path": self.path,
                        "headers": {k: v for k, v in self.headers.items()}, "length": len(data)})
        f = self.fault()
        if f and "status" in f:
            text = f.get("body", "")
            for name in self.headers.keys():
                text = text.replace("{" + name + "}", self.headers.get(name))
            return self.reply(int(f["status"]), text.encode(), head=self.command == "HEAD")
        digest_header = any(x.get("digest_header") for x in faults)
        if self.command == "PUT":
            with lock:
                existed = path in objects
                if self.headers.get("If-None-Match") == "*" and existed:
                    return self.reply(412)
                stated = self.headers.get("Digest", "")
                if stated.startswith("sha-256="):
                    actual = base64.b64encode(hashlib.sha256(data).digest()).decode()
                    if stated[len("sha-256="):] != actual:
                        return self.reply(400, b"digest mismatch")
                objects[path] = data
            return self.reply(204 if existed else 201)
        if self.command in ("GET", "HEAD"):
            with lock:
                data = objects.get(path)
            if data is None:
                return self.reply(404, b"no such object", head=self.command == "HEAD")
            extra = [("Digest", "sha-256=" + base64.b64encode(hashlib.sha256(data).digest()).decode())] \
                if digest_header else []
            return self.reply(200, data, extra, head=self.command == "HEAD")
        self.reply(405)

    do_GET = do_HEAD = do_PUT = do_POST = handle_any


ThreadingHTTPServer.daemon_threads = True
server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
tmp = sys.argv[1] + ".tmp"
with open(tmp, "w") as f:
    f.write(str(server.server_address[1]))
os.rename(tmp, sys.argv[1])
server.serve_forever()
