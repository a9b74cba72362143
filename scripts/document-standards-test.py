"""The document-standards check of `make test` (docs/document-model.md#accessibility-and-archiving),
against a live server (BASE, ADMIN_KEY), with the readers people use on the output:

- pikepdf (PyPI) reads a PDF/A-3b Factur-X render: XMP `pdfaid` part 3 conformance B, the sRGB output
  intent, every font embedded, the XML attached with its `/AFRelationship`, a trailer `/ID`;
- qpdf --check passes on every render; two renders of the same request are byte-identical;
- every script, emoji, symbols and combining marks render without a warning, and a character no font
  covers comes back in the render's `warnings`;
- pdftotext reads the text in document order; pdfinfo -struct shows the tagged structure tree.
"""
import base64, io, json, os, subprocess, sys, tempfile, time, urllib.error, urllib.request

import pikepdf

BASE = os.environ["BASE"]
failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        failures.append(what)


def call(method, path, key, body=None):
    request = urllib.request.Request(BASE + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request) as response:
            data = response.read()
            return json.loads(data) if response.headers.get_content_type() == "application/json" else data
    except urllib.error.HTTPError as error:
        raise SystemExit("%s %s: %s %s" % (method, path, error.code, error.read().decode()))


def render(key, slug, body):
    queued = call("POST", "/v1/templates/%s/render" % slug, key, body)
    deadline = time.time() + 60
    while queued["status"] in ("queued", "rendering") and time.time() < deadline:
        time.sleep(0.1)
        queued = call("GET", "/v1/renders/" + queued["id"], key)
    if queued["status"] != "succeeded":
        raise SystemExit("render %s: %s" % (queued["id"], queued))
    return queued, call("GET", "/v1/renders/%s/download" % queued["id"], key)


def tool(*args, stdin=None):
    result = subprocess.run(args, input=stdin, capture_output=True)
    return result.returncode, result.stdout.decode("utf-8", "replace")


def with_file(pdf, *command, after=()):
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        return tool(*command, handle.name, *after)


EVERY_SCRIPT = ("Latin Größe ñ ø · Ελληνικά · Кириллица · עברית · العربية · हिन्दी · ไทย · 日本語 中文 한국어 · Tiếng Việt · "
                "Emoji 😀🎉👍🏽🇩🇪❤️ · ✓ ✗ € ∑ ∞ ★ ⚠ ⌘ Ω₂ · e\u0301 a\u0308 n\u0303")
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="  # 1x1
FACTUR_X = b"""<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
  xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100">
 <rsm:ExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter>
  <ram:ID>urn:cen.eu:en16931:2017</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter></rsm:ExchangedDocumentContext>
</rsm:CrossIndustryInvoice>
"""

layout = {
    "version": 1, "locale": "de-DE", "meta": {"title": "Rechnung {{number}}", "author": "Craftkit Demo AG"},
    "pdf": {"tagged": True},
    "footer": {"blocks": [{"type": "paragraph", "align": "right", "text": "Seite {{page}} von {{pages}}"}]},
    "variables": [{"key": "number", "label": "Number", "dataType": "text", "required": True},
                  {"key": "note", "label": "Note", "dataType": "text"}],
    "loops": [{"key": "items", "label": "Items", "itemFields": [
        {"key": "description", "label": "Item", "dataType": "text"}, {"key": "amount", "label": "Amount", "dataType": "number"}]}],
    "blocks": [
        {"type": "heading", "level": 1, "text": "Rechnung {{number}}"},
        {"type": "paragraph", "text": "Erster Absatz. " + EVERY_SCRIPT},
        {"type": "image", "src": "data:image/png;base64," + PNG, "width": 24, "alt": "Firmenlogo"},
        {"type": "table", "loop": "items", "columns": [
            {"header": "Beschreibung", "cell": "{{description}}"}, {"header": "Betrag", "cell": "{{amount | number:2}}", "align": "right"}]},
        {"type": "paragraph", "text": "Letzter Absatz. {{note}}"},
    ],
}

org = call("POST", "/v1/admin/provision", os.environ["ADMIN_KEY"], {"externalOrgId": "document-standards", "name": "Standards"})
key = org["apiKey"]
call("PUT", "/v1/templates/rechnung", key, {"name": "Rechnung", "layout": layout,
                                            "manifest": {"variables": layout["variables"], "loops": layout["loops"]}})
data = {"number": "2024-0012", "note": "Danke.", "items": [{"description": "Analytische Maschine", "amount": 4200}]}
attachment = {"filename": "factur-x.xml", "mimeType": "text/xml", "relationship": "Alternative", "description": "Factur-X invoice",
              "content": base64.b64encode(FACTUR_X).decode()}
request = {"data": data, "options": {"pdfa": "3b"}, "attachments": [attachment]}

# PDF/A-3b with a Factur-X XML, read by pikepdf.
record, pdf = render(key, "rechnung", request)
check(record.get("pdfa") == "3b" and record.get("attachmentCount") == 1, "the render shows pdfa 3b and one attachment")
check("warnings" not in record, "every script, emoji, symbol and combining mark has a font (no warnings: %s)" % record.get("warnings"))
document = pikepdf.open(io.BytesIO(pdf))
meta = document.open_metadata()
check(meta.get("pdfaid:part") == "3" and meta.get("pdfaid:conformance") == "B", "XMP pdfaid: part 3, conformance B")
check(meta.get("{http://www.aiim.org/pdfua/ns/id/}part") == "1", "XMP pdfuaid: part 1 (the template is tagged)")
fx = "{urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#}"
check(meta.get(fx + "DocumentFileName") == "factur-x.xml" and meta.get(fx + "DocumentType") == "INVOICE", "XMP fx: Factur-X invoice")
intents = document.Root.get("/OutputIntents")
check(intents is not None and len(intents) == 1 and intents[0].S == "/GTS_PDFA1" and intents[0].DestOutputProfile.N == 3,
      "one sRGB output intent (GTS_PDFA1, 3 components)")
fonts, unembedded = 0, []
for page in document.pages:
    for name, font in (page.Resources.get("/Font") or {}).items():
        fonts += 1
        if font.Subtype == "/Type3":
            continue
        descriptor = (font.DescendantFonts[0] if font.Subtype == "/Type0" else font).get("/FontDescriptor")
        if descriptor is None or not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
            unembedded.append(str(font.get("/BaseFont")))
check(fonts > 0 and not unembedded, "all %d fonts embedded %s" % (fonts, unembedded))
attached = document.attachments.get("factur-x.xml")
check(attached is not None and attached.obj.get("/AFRelationship") == "/Alternative", "factur-x.xml attached as Alternative")
check(attached is not None and attached.get_file().read_bytes() == FACTUR_X, "the attachment holds the XML sent")
check(len(document.Root.AF) == 1, "the catalog's /AF lists it")
check("/ID" in document.trailer, "the trailer has an /ID")
check(b"/Interpolate true" not in pdf, "no /Interpolate true")
status, output = with_file(pdf, "qpdf", "--check")
check(status == 0, "qpdf --check: %s" % output.strip().splitlines()[-1:])

# Deterministic: the same request (a new render) gives the same bytes.
_, again = render(key, "rechnung", request)
check(again == pdf, "two renders of the same request are byte-identical")

# Text in document order, and the structure tree.
status, text = with_file(pdf, "pdftotext", after=("-",))
words = ["Rechnung 2024-0012", "Erster Absatz", "Beschreibung", "Analytische Maschine", "Letzter Absatz"]
positions = [text.find(w) for w in words]
check(all(p >= 0 for p in positions) and positions == sorted(positions), "pdftotext reads the blocks in document order %s" % positions)
status, tree = with_file(pdf, "pdfinfo", "-struct")
for tag in ("H1", "P", "Figure", "Table", "TR", "TH", "TD"):
    check(tag in tree, "pdfinfo -struct shows %s" % tag)

# A character no font covers comes back as a warning.
boxes = [{"key": "text", "label": "Text", "dataType": "text"}]
call("PUT", "/v1/templates/boxes", key, {"name": "Boxes", "manifest": {"variables": boxes, "loops": []},
                                         "layout": {"version": 1, "blocks": [{"type": "paragraph", "text": "Box {{text}}"}], "variables": boxes}})
record, _ = render(key, "boxes", {"data": {"text": "\U0010FFFD"}})
warnings = record.get("warnings") or []
check(len(warnings) == 1 and warnings[0]["code"] == "font_coverage" and "U+10FFFD" in warnings[0]["message"],
      "an uncovered character is a font_coverage warning: %s" % warnings)

# An attachment named by URL (the examples' server allows loopback fetches) is fetched when the render runs.
import http.server, threading


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(FACTUR_X)))
        self.end_headers()
        self.wfile.write(FACTUR_X)

    def log_message(self, *args):
        pass


files = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=files.serve_forever, daemon=True).start()
by_url = {"filename": "factur-x.xml", "mimeType": "text/xml", "relationship": "Alternative",
          "url": "http://127.0.0.1:%d/factur-x.xml" % files.server_address[1]}
_, fetched = render(key, "rechnung", {"data": data, "options": {"pdfa": "3b"}, "attachments": [by_url]})
fetched_document = pikepdf.open(io.BytesIO(fetched))  # kept: its attachments read from it
attached = fetched_document.attachments.get("factur-x.xml")
check(attached is not None and attached.get_file().read_bytes() == FACTUR_X, "an attachment named by URL is fetched and embedded")
files.shutdown()

print("document standards: %d failed" % len(failures))
sys.exit(1 if failures else 0)
