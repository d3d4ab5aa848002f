#!/usr/bin/python3
# A Docker/OCI registry token server for tests (Debian python3-jwt and
# python3-cryptography; run with /usr/bin/python3).
#   token_server.py PORT_FILE KEY.pem CERT.pem USER:PASSWORD
# GET /token?service=S&scope=repository:NAME:ACTIONS[&scope=...] with Basic
# USER:PASSWORD -> {"token": JWT, "access_token": JWT}, the JWT signed with
# KEY and carrying CERT in its x5c header (the registry trusts CERT through
# auth.token.rootcertbundle); issuer "test-issuer", audience S. Wrong or no
# credentials -> 401. GET /_stats -> {"tokens": number issued}.
import base64, json, os, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

KEY = open(sys.argv[2], "rb").read()
CERT = x509.load_pem_x509_certificate(open(sys.argv[3], "rb").read())
CREDENTIALS = sys.argv[4]
X5C = [base64.b64encode(CERT.public_bytes(Encoding.DER)).decode()]
lock, issued = threading.Lock(), [0]


class Tokens(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, code, obj, headers=()):
        body = json.dumps(obj).encode()
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urlsplit(self.path)
        if url.path == "/_stats":
            with lock:
                return self.reply(200, {"tokens": issued[0]})
        if url.path != "/token":
            return self.reply(404, {"error": "not found"})
        auth = self.headers.get("Authorization", "")
        given = base64.b64decode(auth[6:]).decode(errors="replace") if auth[:6].lower() == "basic " else ""
        if given != CREDENTIALS:
            return self.reply(401, {"details": "bad credentials"}, [("WWW-Authenticate", 'Basic realm="token"')])
        query = parse_qs(url.query)
        access = []
        for scope in " ".join(query.get("scope", [])).split():
            kind, rest = scope.split(":", 1)
            name, actions = rest.rsplit(":", 1)
            access.append({"type": kind, "name": name, "actions": actions.split(",")})
        now = int(time.time())  # integers: registry 2.8 reads exp/nbf/iat as int64
        claims = {"iss": "test-issuer", "sub": CREDENTIALS.split(":")[0], "aud": query.get("service", [""])[0],
                  "exp": now + 300, "nbf": now - 10, "iat": now, "jti": os.urandom(8).hex(), "access": access}
        token = jwt.encode(claims, KEY, algorithm="ES256", headers={"x5c": X5C})
        with lock:
            issued[0] += 1
        self.reply(200, {"token": token, "access_token": token, "expires_in": 300})


server = ThreadingHTTPServer(("127.0.0.1", 0), Tokens)
server.daemon_threads = True
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()
