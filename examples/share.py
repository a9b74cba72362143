"""Share a document, Python standard library only: render, create a share link, open it as a guest would,
read the engagement, revoke the link.

    BASE=http://127.0.0.1:8080 ADMIN_KEY=... python3 examples/share.py
"""
import json, os, time, urllib.error, urllib.request

BASE = os.environ.get("BASE", "http://127.0.0.1:8080")


def call(method, path, key, body=None):
    request = urllib.request.Request(BASE + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


key = call("POST", "/v1/admin/provision", os.environ["ADMIN_KEY"], {"externalOrgId": "share-py", "name": "Share example"})["apiKey"]
manifest = {"variables": [{"key": "customer.name", "label": "Customer", "dataType": "text", "required": True}], "loops": []}
call("PUT", "/v1/templates/letter", key, {"name": "Letter", "manifest": manifest})
render = call("POST", "/v1/templates/letter/render", key, {"data": {"customer": {"name": "Ada Lovelace"}}})
while render["status"] in ("queued", "rendering"):
    time.sleep(0.2)
    render = call("GET", "/v1/renders/" + render["id"], key)

# 1. A link share (the render must have succeeded; 409 not_ready otherwise).
share = call("POST", "/v1/renders/%s/shares" % render["id"], key, {"message": "Your letter, as promised."})
print("share.py: share link", share["shareUrl"])

# 2. The guest opens the link: a page with the document; the server records one `viewed`.
with urllib.request.urlopen(share["shareUrl"]) as page:
    assert page.status == 200 and "Your letter, as promised." in page.read().decode()

# 3. Email the document instead (needs CRAFTKIT_RESEND_API_KEY or CRAFTKIT_SMTP_URL on the server).
try:
    sent = call("POST", "/v1/renders/%s/email" % render["id"], key, {"to": "guest@example.com", "recipientName": "Ada"})
    print("share.py: emailed, message id", sent["emailMessageId"])
except urllib.error.HTTPError as error:
    assert error.code == 503 and json.loads(error.read())["error"]["code"] == "email_not_configured"

# 4. Engagement: counts for all seven types, zero-filled.
engagement = call("GET", "/v1/renders/%s/engagement" % render["id"], key)
assert engagement["counts"]["viewed"] == 1 and engagement["counts"]["share_created"] == 1, engagement

# 5. Revoke: the link answers 410 from now on.
call("DELETE", "/v1/renders/%s/shares/%s" % (render["id"], share["id"]), key)
try:
    urllib.request.urlopen(share["shareUrl"])
    raise AssertionError("a revoked link still opens")
except urllib.error.HTTPError as error:
    assert error.code == 410
print("share.py: viewed %d time(s), revoked" % engagement["counts"]["viewed"])
