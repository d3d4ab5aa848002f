#!/usr/bin/python3
# A health-endpoint server for tests and bench/env_bench.sh, on 127.0.0.1.
#   health_server.py PORT_FILE [STATE_JSON]
# Binds an ephemeral port, writes it to PORT_FILE (then serves until killed).
# STATE_JSON: {"svc": "version", ...} or {"svc": {"version": ..., "mode": ...}}.
#
# GET /<svc>/health -> 200 {"service": svc, "version": V, "build": {"git_sha": V}}
#   unknown service -> 404. What a service answers depends on its state:
#   mode "ok" | "500" | "garbage" (200, not JSON) | "redirect" (302 to
#   /_redirected/<svc>/health, which answers as "ok") | "loop" (302 to itself)
#   | "drop" (closes without answering); "delay": seconds before answering;
#   "switch_after": N with "next_version": V serves V from the N+1th GET on;
#   "require": {"Header": "value"} answers 401 unless the request has it.
# PUT /_state/<svc> with a JSON object merges it into the service's state.
# GET /_stats -> {"svc": number of GETs of its health}.
import json, os, socket, struct, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
state, stats = {}, {}
if len(sys.argv) > 2:
    with open(sys.argv[2]) as f:
        for name, value in json.load(f).items():
            state[name] = value if isinstance(value, dict) else {"version": value}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as libcurl uses it

    def log_message(self, *args):
        pass

    def reply(self, code, body, ctype="application/json", headers=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_PUT(self):
        parts = self.path.strip("/").split("/")
        update = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        if len(parts) != 2 or parts[0] != "_state":
            return self.reply(404, b"{}")
        with lock:
            state.setdefault(parts[1], {"version": "0"}).update(update)
            body = json.dumps(state[parts[1]]).encode()
        self.reply(200, body)

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/_stats":
            with lock:
                return self.reply(200, json.dumps(stats).encode())
        parts = path.strip("/").split("/")
        redirected = parts[0] == "_redirected"
        if redirected:
            parts = parts[1:]
        if len(parts) != 2 or parts[1] != "health":
            return self.reply(404, b'{"error":"no such path"}')
        svc = parts[0]
        with lock:
            st = state.get(svc)
            if st is None:
                return self.reply(404, b'{"error":"unknown service"}')
            stats[svc] = stats.get(svc, 0) + 1
            seen = stats[svc]
            st = dict(st)
        time.sleep(float(st.get("delay", 0)))
        for name, value in st.get("require", {}).items():
            if self.headers.get(name) != value:
                return self.reply(401, b'{"error":"unauthorized"}')
        mode = "ok" if redirected else st.get("mode", "ok")
        version = st.get("version")
        if "switch_after" in st and seen > int(st["switch_after"]):
            version = st.get("next_version", version)
        if mode == "drop":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        if mode == "500":
            return self.reply(500, b'{"error":"internal error: the database is down"}')
        if mode == "garbage":
            return self.reply(200, b"<html>not json\x01\x02</html>", "text/html")
        if mode == "redirect":
            return self.reply(302, b"", headers=[("Location", f"/_redirected/{svc}/health")])
        if mode == "loop":
            return self.reply(302, b"", headers=[("Location", f"/{svc}/health")])
        body = {"service": svc, "version": version, "build": {"git_sha": version}, "status": "ok"}
        self.reply(200, json.dumps(body).encode())


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer.request_queue_size = 1024
server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
tmp = sys.argv[1] + ".tmp"
with open(tmp, "w") as f:
    f.write(str(server.server_address[1]))
os.rename(tmp, sys.argv[1])
server.serve_forever()
