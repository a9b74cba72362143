"""Embed sessions from a partner backend, Python standard library only: mint a fill session for a
template, then refresh it with its single-use renew token.

    BASE=http://127.0.0.1:8080 ADMIN_KEY=... python3 examples/embed-session.py
"""
import json, os, urllib.request

BASE = os.environ.get("BASE", "http://127.0.0.1:8080")


def call(method, path, key, body=None):
    request = urllib.request.Request(BASE + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


key = call("POST", "/v1/admin/provision", os.environ["ADMIN_KEY"],
           {"externalOrgId": "embed-py", "allowedOrigins": ["https://app.example.com"]})["apiKey"]
manifest = {"variables": [{"key": "customer.name", "label": "Customer", "dataType": "text", "required": True}], "loops": []}
call("PUT", "/v1/templates/welcome", key, {"name": "Welcome", "manifest": manifest})

# Mint: the iframe URL goes to the browser; the renew token stays on the partner's backend.
minted = call("POST", "/v1/embed/sessions", key, {
    "tenant": {"externalId": "customer-42", "displayName": "Customer 42"},
    "actor": {"externalId": "user-7", "email": "user@example.com"},
    "scope": {"mode": "fill", "templateExternalId": "welcome"},
    "form": {"prefill": {"customer": {"name": "Ada"}}},
})
assert minted["session_token"] and minted["iframe_url"], minted

# Refresh before expiry: a new session token and a new renew token (the old one is spent).
refreshed = call("POST", "/v1/embed/sessions/refresh", key, {"renewToken": minted["renew_token"]})
assert refreshed["session_id"] == minted["session_id"] and refreshed["renew_token"] != minted["renew_token"], refreshed
print("embed-session.py: minted and refreshed session %s" % minted["session_id"])
