"""A webhook receiver, Python standard library only: registers itself, triggers a render, and verifies
the delivery's x-craftkit-signature (hex HMAC-SHA256 of the raw body under the secret as shown).

    BASE=http://127.0.0.1:8080 ADMIN_KEY=... python3 examples/webhook-receiver.py
(The server must be allowed to reach this receiver: on one machine, CRAFTKIT_ALLOW_PRIVATE_FETCH=1.)
"""
import hashlib, hmac, http.server, json, os, threading, urllib.request

BASE = os.environ.get("BASE", "http://127.0.0.1:8080")
received = []


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        raw_body = self.rfile.read(int(self.headers["Content-Length"]))
        expected = hmac.new(SECRET.encode(), raw_body, hashlib.sha256).hexdigest()
        ok = hmac.compare_digest(expected, self.headers.get("x-craftkit-signature", ""))
        self.send_response(200 if ok else 401)
        self.end_headers()
        if ok:
            received.append(json.loads(raw_body))

    def log_message(self, *args):
        pass


def call(method, path, key, body=None):
    request = urllib.request.Request(BASE + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


server = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
threading.Thread(target=server.serve_forever, daemon=True).start()
key = call("POST", "/v1/admin/provision", os.environ["ADMIN_KEY"], {"externalOrgId": "webhook-py"})["apiKey"]
endpoint = call("POST", "/v1/webhooks", key, {"url": "http://127.0.0.1:%d/hooks" % server.server_port, "events": ["render.succeeded"]})
SECRET = endpoint["secret"]  # shown once: store it with the endpoint
call("PUT", "/v1/templates/note", key, {"name": "Note", "manifest": {"variables": [{"key": "text", "label": "Text", "dataType": "text"}], "loops": []}})
render = call("POST", "/v1/templates/note/render", key, {"data": {"text": "hello"}})

for _ in range(300):
    if received:
        break
    threading.Event().wait(0.1)
server.shutdown()
assert received and received[0]["renderId"] == render["id"], received
print("webhook-receiver.py: verified %s for render %s" % (received[0]["event"], render["id"]))
