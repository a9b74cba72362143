#!/usr/bin/env python3
"""A small partner app for trying the embed pages: it plays the partner's backend and front end.

It provisions a demo org on a running Craftkit Server (admin key), publishes a demo catalog and an
invoice template, and serves a host page on another port (so another origin) that mounts the builder
and the form through the SDK. Its backend mints sessions with the project key and keeps each
session's renew token server side, as a real partner backend would:

    GET  /                    the host page
    POST /api/sessions        {mode, templateExternalId?, permissions?, limits?, form?, appearance?} -> {sessionToken, sessionId, expiresAt}
    POST /api/refresh         {sessionId} -> {sessionToken, expiresAt}    (uses the stored renew token)
    DELETE /api/sessions/ID   revokes a session
    GET  /api/config          {api, templates: [...]} for the page
    GET  /api/templates/SLUG  the template as the API sees it (versions)
    GET  /api/renders         the org's embed renders (partner view)
    GET  /api/renders/ID/pdf  a render's PDF
    POST /api/renders/ID/share       {message?} -> the link share {id, shareToken, shareUrl, ...} (POST /v1/renders/ID/shares)
    POST /api/renders/ID/email       {to, recipientName?, message?} -> the API's answer and status, errors included
                                     (201 {id, shareUrl, emailMessageId, sentAt}; 503 email_not_configured; 502; 400)
    GET  /api/renders/ID/engagement  {counts, linkOpens, total, recent} (GET /v1/renders/ID/engagement)
    GET  /api/builder-templates  the org's builder templates

Standard library only. Usage: python3 demo/host.py --api http://127.0.0.1:8080 --admin-key-file data/admin-key
"""
import argparse
import json
import os
import re
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
RENDER_ID = re.compile(r"[0-9a-f-]{36}")


class Api:
    def __init__(self, base, key=None):
        self.base = base.rstrip("/")
        self.key = key

    def call(self, method, path, body=None, key=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Authorization", "Bearer " + (key or self.key))
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
                return response.status, (json.loads(raw) if raw else None)
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                return error.code, json.loads(raw)
            except ValueError:
                return error.code, {"error": {"code": "http_%d" % error.code, "message": raw.decode(errors="replace")}}


    def download(self, path):
        request = urllib.request.Request(self.base + path)
        request.add_header("Authorization", "Bearer " + self.key)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()


def wait_for(base, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(base + "/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    sys.exit("Craftkit Server did not answer at %s/health" % base)


def setup(api_base, admin_key, host_origin, org):
    """Provisions the demo org (idempotent), allows the host origin, publishes catalog and template."""
    admin = Api(api_base, admin_key)
    status, body = admin.call("POST", "/v1/admin/provision", {"externalOrgId": org, "name": "Demo Partner", "allowedOrigins": [host_origin]})
    if status not in (200, 201):
        sys.exit("provisioning failed: %s %s" % (status, body))
    origins = sorted(set((body.get("embed") or {}).get("allowedOrigins") or []) | {host_origin})
    admin.call("PATCH", "/v1/admin/provision", {"externalOrgId": org, "allowedOrigins": origins})
    project = Api(api_base, body["apiKey"])
    with open(os.path.join(HERE, "catalog.json")) as f:
        catalog = json.load(f)
    status, existing = project.call("GET", "/v1/embed/catalogs/demo")
    if status != 200 or existing.get("catalog") != catalog:
        project.call("POST", "/v1/embed/catalogs", {"name": "demo", "catalog": catalog})
    status, _ = project.call("GET", "/v1/templates/invoice-demo")
    if status == 404:
        with open(os.path.join(HERE, "template.json")) as f:
            status, body2 = project.call("PUT", "/v1/templates/invoice-demo", json.load(f))
            if status >= 300:
                sys.exit("template setup failed: %s %s" % (status, body2))
    return project


class Partner:
    """The partner backend's state: renew tokens live here, never in the browser."""

    def __init__(self, project):
        self.project = project
        self.renew = {}
        self.lock = threading.Lock()

    def mint(self, request):
        mode = request.get("mode", "edit")
        body = {
            "tenant": {"externalId": request.get("tenant", "demo-tenant"), "displayName": request.get("tenantName", "Demo Tenant")},
            "actor": {"externalId": "demo-user", "displayName": "Demo User", "email": "demo@example.com"},
            "scope": {"mode": mode},
            "catalogRef": {"name": "demo"},
        }
        if mode in ("edit", "view", "fill"):
            body["scope"]["templateExternalId"] = request.get("templateExternalId", "invoice-demo")
        for key in ("permissions", "limits", "form", "appearance", "branding"):
            if key in request:
                body[key] = request[key]
        status, minted = self.project.call("POST", "/v1/embed/sessions", body)
        if status != 200:
            return status, minted
        with self.lock:
            self.renew[minted["session_id"]] = minted["renew_token"]
        return 200, {"sessionToken": minted["session_token"], "sessionId": minted["session_id"], "expiresAt": minted["expires_at"],
                     "iframeUrl": minted["iframe_url"]}

    def refresh(self, session_id):
        with self.lock:
            renew = self.renew.get(session_id)
        if not renew:
            return 404, {"error": {"code": "session_not_found", "message": "unknown session"}}
        status, minted = self.project.call("POST", "/v1/embed/sessions/refresh", {"renewToken": renew})
        if status != 200:
            return status, minted
        with self.lock:
            self.renew[session_id] = minted["renew_token"]
        return 200, {"sessionToken": minted["session_token"], "expiresAt": minted["expires_at"]}


def render_route(path, action):
    """The render id of `/api/renders/ID/<action>`, or None when the path is not that or the id is not UUID-shaped."""
    parts = path.split("/")
    if len(parts) == 5 and parts[1:3] == ["api", "renders"] and parts[4] == action and RENDER_ID.fullmatch(parts[3]):
        return parts[3]
    return None


def pick(body, required, optional):
    """Only the fields the API route takes: strings, optional ones dropped when blank."""
    out = {}
    for key in required + optional:
        value = body.get(key) if isinstance(body, dict) else None
        if isinstance(value, str) and (value.strip() or key in required):
            out[key] = value.strip() if key != "message" else value
        elif key in required:
            out[key] = ""
    return out


def handler_for(partner, api_base):
    static = {"/": ("index.html", "text/html; charset=utf-8"), "/host.js": ("host.js", "text/javascript"),
              "/host.css": ("host.css", "text/css")}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def send(self, status, body, content_type="application/json"):
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

        def body(self):
            length = int(self.headers.get("Content-Length") or 0)
            if not length:
                return {}
            try:
                return json.loads(self.rfile.read(min(length, 1 << 20)))
            except ValueError:
                return {}

        def do_GET(self):
            path = self.path.split("?")[0]
            if path in static:
                name, content_type = static[path]
                with open(os.path.join(HERE, name), "rb") as f:
                    return self.send(200, f.read(), content_type)
            if path == "/api/config":
                return self.send(200, {"api": api_base})
            if path.startswith("/api/templates/"):
                return self.send(*partner.project.call("GET", "/v1/templates/" + path.rsplit("/", 1)[1]))
            if path == "/api/renders":
                return self.send(*partner.project.call("GET", "/v1/embed/renders?limit=20"))
            if path == "/api/builder-templates":
                return self.send(*partner.project.call("GET", "/v1/embed/builder/templates"))
            if path.startswith("/api/renders/") and path.endswith("/pdf"):
                status, pdf = partner.project.download("/v1/embed/renders/%s/download" % path.split("/")[3])
                return self.send(status, pdf, "application/pdf" if status == 200 else "application/json")
            render_id = render_route(path, "engagement")
            if render_id:
                return self.proxy("GET", "/v1/renders/%s/engagement" % render_id)
            self.send(404, {"error": "not_found"})

        def proxy(self, method, api_path, body=None):
            """An API call with the project key; the API's status and JSON go back as they are."""
            try:
                status, answer = partner.project.call(method, api_path, body)
            except OSError as error:
                status, answer = 502, {"error": {"code": "upstream_unreachable", "message": "Craftkit Server did not answer: %s" % error}}
            return self.send(status, answer if answer is not None else {})

        def do_POST(self):
            path = self.path.split("?")[0]
            if path == "/api/sessions":
                return self.send(*partner.mint(self.body()))
            if path == "/api/refresh":
                return self.send(*partner.refresh(self.body().get("sessionId", "")))
            render_id = render_route(path, "share")
            if render_id:
                return self.proxy("POST", "/v1/renders/%s/shares" % render_id, pick(self.body(), [], ["message"]))
            render_id = render_route(path, "email")
            if render_id:
                return self.proxy("POST", "/v1/renders/%s/email" % render_id, pick(self.body(), ["to"], ["recipientName", "message"]))
            self.send(404, {"error": "not_found"})

        def do_DELETE(self):
            path = self.path.split("?")[0]
            if path.startswith("/api/sessions/"):
                status, body = partner.project.call("DELETE", "/v1/embed/sessions/" + path.rsplit("/", 1)[1])
                return self.send(status, body or {})
            self.send(404, {"error": "not_found"})

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--api", default=os.environ.get("CRAFTKIT_URL", "http://127.0.0.1:8080"))
    parser.add_argument("--admin-key", default=os.environ.get("CRAFTKIT_ADMIN_KEY"))
    parser.add_argument("--admin-key-file", default="data/admin-key")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--org", default="demo-partner")
    parser.add_argument("--allow-origin", help="the origin to allow (default: this host page's own)")
    args = parser.parse_args()
    wait_for(args.api)  # first: a fresh `craftkit serve` writes its admin key file as it starts
    admin_key = args.admin_key
    if not admin_key:
        with open(args.admin_key_file) as f:
            admin_key = f.read().strip()
    host_origin = args.allow_origin or "http://%s:%d" % ("localhost" if args.host in ("0.0.0.0", "127.0.0.1") else args.host, args.port)
    project = setup(args.api, admin_key, host_origin, args.org)
    server = ThreadingHTTPServer((args.host, args.port), handler_for(Partner(project), args.api))
    print("Demo partner app: http://localhost:%d  (Craftkit Server at %s)" % (args.port, args.api), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
