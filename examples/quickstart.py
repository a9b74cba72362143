"""Quickstart, Python standard library only: provision an org, create a template, render, poll, download.

    BASE=http://127.0.0.1:8080 ADMIN_KEY=... python3 examples/quickstart.py
"""
import json, os, time, urllib.request

BASE = os.environ.get("BASE", "http://127.0.0.1:8080")


def call(method, path, key, body=None):
    request = urllib.request.Request(BASE + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        data = response.read()
        return json.loads(data) if response.headers.get_content_type() == "application/json" else data


# 1. Provision an org (idempotent): the answer carries the project's API key.
org = call("POST", "/v1/admin/provision", os.environ["ADMIN_KEY"], {"externalOrgId": "quickstart-py", "name": "Quickstart"})
key = org["apiKey"]

# 2. A template from a manifest (a layout is synthesized and published as version 1).
manifest = {"variables": [{"key": "customer.name", "label": "Customer", "dataType": "text", "required": True},
                          {"key": "invoice.total", "label": "Total", "dataType": "currency", "required": True, "format": "money:EUR"}],
            "loops": [{"key": "items", "label": "Items", "itemFields": [{"key": "description", "label": "Item", "dataType": "text"}]}]}
template = call("PUT", "/v1/templates/invoice", key, {"name": "Invoice", "manifest": manifest})

# 3. Render (asynchronous), with an idempotency key so a retry never renders twice.
request = urllib.request.Request(BASE + "/v1/templates/invoice/render", method="POST",
                                 data=json.dumps({"data": {"customer": {"name": "Ada Lovelace"}, "invoice": {"total": 4200},
                                                           "items": [{"description": "Analytical engine"}]}}).encode(),
                                 headers={"Authorization": "Bearer " + key, "Content-Type": "application/json",
                                          "Idempotency-Key": "quickstart-%d" % time.time_ns()})
render = json.loads(urllib.request.urlopen(request).read())

# 4. Poll until it is done.
while render["status"] in ("queued", "rendering"):
    time.sleep(0.2)
    render = call("GET", "/v1/renders/" + render["id"], key)
assert render["status"] == "succeeded", render

# 5. Download the PDF.
pdf = call("GET", "/v1/renders/%s/download" % render["id"], key)
assert pdf.startswith(b"%PDF-"), pdf[:20]
print("quickstart.py: rendered %s (%d bytes)" % (render["id"], len(pdf)))
