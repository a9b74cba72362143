#!/usr/bin/env python3
"""Browser tests of the embed pages: Playwright (PyPI) driving Debian's headless chromium.

Starts a throwaway Craftkit Server (the built `craftkit` binary, SQLite in a temp dir) and the demo
partner app (demo/host.py) on another port, i.e. another origin, then runs each test against them:

  builder   mount through the SDK, insert two catalog variables and a loop table, save, publish
            -> the host receives template.published and the API shows version 1
  form      fill fields and three loop rows, upload an image, submit -> the PDF's text holds the inputs
  keyboard  the form filled and submitted with the keyboard only
  revoked   a revoked token -> the designed error state and an `error` event on the host
  origin    a host origin not on the allow-list -> the browser refuses the frame
  refresh   session.expiring -> the SDK renews the token through the host's refresh(); work goes on
  appearance mint-time appearance (accent colour, German) applied in the frame
  narrow    the builder opened directly at 1024x700 (English and German): no block label cut, the
            page orientation control labelled
  phone     the form opened directly 390 px wide: no horizontal scroll, every control on screen and
            not covered, filled and submitted there
  manifest  a template created from a manifest with a loop (POST /v1/templates) opens in the builder
            with its loop fields known (no unknown-variable flag) and publishes with its loop
  share     a guest opens a share link: branded page with page images; Download and Print recorded
            once each, a reload is still one view (engagement API); revoked -> 410 at once; the token
            never in the server log
  share-phone the share page 390 px wide: pages at screen width, no sideways scroll, buttons on screen
  sign      two signers in order (the first draws, the second types on a 390 px phone; the second is
            invited only after the first signs) -> the sealed PDF passes pdfsig, the certificate names
            both, an ended request's link says so; the tokens never in the server log
  sign-keyboard one signer with the keyboard only (Next field, Type tab by arrow key, consent by Space)
  demo-share the demo partner app: a render made through the form is listed; Share makes a cks_ link
            (Copy, Open) that answers 200 and shows up in the engagement counts; Email shows the
            server's email_not_configured answer (the test server has no email provider)
  console-*  the console (/console): sign-in and CSRF, keys, webhooks, builder, charts, operator, phone
            (browser-tests/console_tests.py)

Every test also fails on a 404 from any request and on a console error its page should not log.
Screenshots (1280x800 unless a test says otherwise) go to browser-tests/screenshots/. Usage: python3 browser-tests/run.py [name ...]
"""
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request
import zlib

from playwright.sync_api import sync_playwright

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHOTS = os.path.join(ROOT, "browser-tests", "screenshots")
CHROMIUM = os.environ.get("CRAFTKIT_CHROMIUM", "/usr/bin/chromium")
TIMEOUT_MS = 20_000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("nothing answered at " + url)


def get_json(url, method="GET", body=None):
    request = urllib.request.Request(url, method=method, data=None if body is None else json.dumps(body).encode())
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def get_bytes(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def png_bytes(width=64, height=40, rgb=(79, 70, 229)):
    """A small solid PNG, made here so the test needs no fixture file."""
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def pdf_text(pdf):
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "out.pdf")
        with open(path, "wb") as f:
            f.write(pdf)
        subprocess.run(["pdftotext", "-layout", path, path + ".txt"], check=True)
        images = subprocess.run(["pdfimages", "-list", path], check=True, capture_output=True, text=True).stdout
        with open(path + ".txt") as f:
            return f.read(), max(0, len(images.strip().splitlines()) - 2)


class Stack:
    """The server and the partner app, each in its own process."""

    def __init__(self):
        self.data = tempfile.mkdtemp(prefix="craftkit-browser-")
        self.api_port, self.host_port = free_port(), free_port()
        self.api = "http://127.0.0.1:%d" % self.api_port
        self.host = "http://localhost:%d" % self.host_port          # the allowed origin
        self.foreign = "http://127.0.0.1:%d" % self.host_port       # same app, an origin not on the list
        binary = os.environ.get("CRAFTKIT_BIN", os.path.join(ROOT, ".build", "debug", "craftkit"))
        env = dict(os.environ, CRAFTKIT_DATA_DIR=self.data, CRAFTKIT_PORT=str(self.api_port), CRAFTKIT_HOST="127.0.0.1",
                   CRAFTKIT_PUBLIC_DIR=os.path.join(ROOT, "Public"), CRAFTKIT_LOG_LEVEL="warning", CRAFTKIT_WORKERS="2",
                   # Tokens live 5 minutes and 6 seconds: `session.expiring` (5 minutes before expiry) fires
                   # 6 s after a mount, so the refresh test sees the SDK renew a token.
                   CRAFTKIT_SESSION_TTL_SECONDS="306")
        self.server_log = open(os.path.join(self.data, "server.log"), "w")
        self.server = subprocess.Popen([binary, "serve"], env=env, stdout=self.server_log, stderr=subprocess.STDOUT)
        wait_http(self.api + "/health")
        self.host_log = open(os.path.join(self.data, "host.log"), "w")
        self.partner = subprocess.Popen(
            [sys.executable, os.path.join(ROOT, "demo", "host.py"), "--api", self.api, "--admin-key-file",
             os.path.join(self.data, "admin-key"), "--port", str(self.host_port), "--allow-origin", self.host],
            stdout=self.host_log, stderr=subprocess.STDOUT)
        wait_http(self.host + "/api/config")

    def stop(self):
        for process in (self.partner, self.server):
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(self.data, ignore_errors=True)


def admin_key(stack):
    with open(os.path.join(stack.data, "admin-key")) as f:
        return f.read().strip()


def call(url, method="GET", body=None, key=None):
    """A JSON API call with a bearer key; returns (status, body) for error statuses too."""
    request = urllib.request.Request(url, method=method, data=None if body is None else json.dumps(body).encode())
    request.add_header("Content-Type", "application/json")
    if key:
        request.add_header("Authorization", "Bearer " + key)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def mint(stack, **body):
    """A session token from the partner app's backend (as its own page would get one)."""
    return get_json(stack.host + "/api/sessions", "POST", body)["sessionToken"]


def open_direct(stack, page, path, token):
    """An embed page opened on its own (a new tab, a partner's webview), not framed by the host."""
    page.goto("%s/embed/%s?session_token=%s" % (stack.api, path, urllib.request.quote(token)))


def events(page, name=None):
    found = page.evaluate("() => window.ckEvents || []")
    return [e for e in found if name is None or e["name"] == name]


def wait_event(page, name, timeout_ms=TIMEOUT_MS):
    page.wait_for_function("(n) => (window.ckEvents || []).some(e => e.name === n)", arg=name, timeout=timeout_ms)
    return events(page, name)[-1]


def embed_frame(page, path):
    """The iframe whose URL is the given embed page, once its document has loaded."""
    deadline = time.time() + TIMEOUT_MS / 1000
    while time.time() < deadline:
        for frame in page.frames:
            if path in frame.url:
                return frame
        time.sleep(0.1)
    raise AssertionError("no %s frame" % path)


def test_builder(stack, page):
    page.goto(stack.host + "/?mount=create")
    wait_event(page, "ready")
    frame = embed_frame(page, "/embed/builder")
    frame.fill(".ck-template-name", "Service invoice")
    frame.press(".ck-template-name", "Enter")
    # The document language (pdf.language, the PDF's /Lang): a malformed tag is refused, a good one kept.
    frame.fill(".ck-doc-language", "not a tag")
    frame.press(".ck-doc-language", "Tab")
    assert frame.get_attribute(".ck-doc-language", "aria-invalid") == "true"
    frame.fill(".ck-doc-language", "de-CH")
    frame.press(".ck-doc-language", "Tab")
    frame.wait_for_function("() => !document.querySelector('.ck-doc-language[aria-invalid]')")
    assert frame.input_value(".ck-doc-language") == "de-CH"
    # A heading and a paragraph typed by hand, each with a catalog variable inserted at the caret.
    for block, text, variable in [("heading", "Invoice ", "invoice.number"), ("paragraph", "Bill to: ", "customer.name")]:
        frame.click('.ck-add-block[data-type="%s"]' % block)
        frame.locator(".ck-block-selected .ck-editable").first.click()
        page.keyboard.press("Control+A")
        page.keyboard.type(text)
        frame.click('.ck-variable-item[data-key="%s"]' % variable)
    frame.click('.ck-variable-item[data-key="items"]')  # a loop: becomes a table bound to it
    assert frame.locator(".ck-canvas .ck-variable-chip").count() >= 2
    frame.wait_for_selector('.ck-preview img', state="attached")
    frame.click(".ck-save-button")
    wait_event(page, "template.saved")
    page.screenshot(path=os.path.join(SHOTS, "builder.png"))
    # The live preview is the server's render of the draft, with the catalog's preview data.
    frame.click('.ck-segmented button[data-view="split"]')
    wait_preview(frame)
    page.screenshot(path=os.path.join(SHOTS, "builder-preview.png"))
    frame.click(".ck-publish-button")
    frame.click(".ck-confirm-publish")
    published = wait_event(page, "template.published")["payload"]
    assert published["version"] == 1, published
    keys = {v["key"] for v in published["manifest"]["variables"]}
    assert {"customer.name", "invoice.number"} <= keys, keys
    assert [loop["key"] for loop in published["manifest"]["loops"]] == ["items"], published["manifest"]
    listed = get_json(stack.host + "/api/builder-templates")["templates"]
    template = next(t for t in listed if t["id"] == published["templateId"])
    detail = get_json(stack.host + "/api/templates/" + template["slug"])
    assert detail["currentVersionNumber"] == 1 and detail["published"] is True, detail
    assert "customer.name" in {v["key"] for v in detail["manifest"]["variables"]}, detail["manifest"]
    page.screenshot(path=os.path.join(SHOTS, "builder-published.png"))


def wait_preview(frame):
    """The preview has finished its latest render (status no longer "Rendering…") and shows its pages."""
    frame.wait_for_function("""() => {
        const preview = document.querySelector('.ck-preview');
        const images = [...document.querySelectorAll('.ck-preview img')];
        return preview && !preview.classList.contains('ck-preview-loading') && images.length > 0
            && images.every(i => i.complete && i.naturalWidth > 0);
    }""")
    # Decoded is not yet painted: wait two frames so a screenshot shows the pages.
    frame.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def fill_form(frame, image_path):
    frame.fill('input[name="customer.name"]', "Margaret Hamilton")
    frame.fill('input[name="invoice.number"]', "INV-7731")
    frame.fill('input[name="invoice.date"]', "2026-11-25")
    rows = [("Apollo guidance review", "3", "450"), ("Flight software audit", "2", "990"), ("Rope memory weaving", "5", "120")]
    loop = frame.locator('[data-loop="items"]')
    while loop.locator(".ck-loop-row").count() < len(rows):
        loop.locator(".ck-loop-add").click()
    for index, (description, quantity, price) in enumerate(rows):
        frame.fill('[name="items[%d].description"]' % index, description)
        frame.fill('[name="items[%d].quantity"]' % index, quantity)
        frame.fill('[name="items[%d].unitPrice"]' % index, price)
    frame.set_input_files('input[type=file][name="company.logo"]', image_path)
    frame.wait_for_selector('.ck-field img', timeout=TIMEOUT_MS)
    return rows


def test_form(stack, page):
    page.goto(stack.host + "/?mount=form")
    wait_event(page, "ready")
    frame = embed_frame(page, "/embed/form")
    image = os.path.join(tempfile.mkdtemp(), "logo.png")
    with open(image, "wb") as f:
        f.write(png_bytes())
    rows = fill_form(frame, image)
    page.screenshot(path=os.path.join(SHOTS, "form.png"))
    frame.click("button.ck-submit-button")
    wait_event(page, "form.submitted")
    succeeded = wait_event(page, "render.succeeded", timeout_ms=60_000)["payload"]
    frame.wait_for_selector(".ck-result", timeout=TIMEOUT_MS)
    frame.wait_for_selector("a.ck-download", timeout=TIMEOUT_MS)
    try:
        frame.wait_for_selector(".ck-loaded", timeout=5_000)  # the PDF viewer, when the browser has one
        time.sleep(0.5)
    except Exception:
        pass
    page.screenshot(path=os.path.join(SHOTS, "form-result.png"))
    text, images = pdf_text(get_bytes(stack.host + "/api/renders/%s/pdf" % succeeded["renderId"]))
    for expected in ["Margaret Hamilton", "INV-7731"] + [row[0] for row in rows]:
        assert expected in text, "%r not in the PDF text:\n%s" % (expected, text)
    assert images >= 1, "the uploaded image is not in the PDF"


def test_keyboard(stack, page):
    """Only the keyboard: tab into the form, type, tab on; submit with Enter on the button."""
    page.goto(stack.host + "/?mount=form&form=" + urllib.request.quote(json.dumps({"prefill": {"invoice": {"date": "2026-11-25"}}})))
    wait_event(page, "ready")
    frame = embed_frame(page, "/embed/form")
    frame.focus('input[name="customer.name"]')
    page.keyboard.type("Keyboard Only")
    focused = []
    for _ in range(40):
        page.keyboard.press("Tab")
        name = frame.evaluate("() => document.activeElement && (document.activeElement.name || document.activeElement.className)")
        focused.append(name)
        if name == "invoice.number":
            page.keyboard.type("KB-1")
        if "ck-submit-button" in str(name):
            break
    assert "invoice.number" in focused, focused
    assert any("ck-submit-button" in str(n) for n in focused), "the submit button is not reachable by Tab: %s" % focused
    page.keyboard.press("Enter")
    # Required loop rows are missing: the form refuses, announces it and moves focus to the first error.
    frame.wait_for_selector(".ck-field-error:not(:empty)", timeout=TIMEOUT_MS)
    active = frame.evaluate("() => document.activeElement && document.activeElement.getAttribute('aria-invalid')")
    assert active == "true", "focus did not move to the first invalid field"


def test_revoked(stack, page):
    page.goto(stack.host + "/?mount=form&revokeFirst=1")
    error = wait_event(page, "error")["payload"]
    assert error["code"] == "session_revoked", error
    frame = embed_frame(page, "/embed/form")
    frame.wait_for_selector(".ck-error", timeout=TIMEOUT_MS)
    assert frame.locator(".ck-error h1").inner_text().strip(), "the error state has no title"
    page.screenshot(path=os.path.join(SHOTS, "error-revoked.png"))


def test_origin(stack, page):
    page.goto(stack.foreign + "/?mount=builder")
    wait_event(page, "error", timeout_ms=30_000)
    for frame in page.frames:
        if frame is page.main_frame:
            continue
        try:
            served = frame.evaluate("() => !!document.querySelector('.ck-root, .ck-toolbar')")
        except Exception:
            served = False
        assert not served, "the builder rendered inside a host that is not on the allow-list"


def test_refresh(stack, page):
    """session.expiring -> the SDK calls the host's refresh() -> the iframe gets the new token and works on."""
    page.goto(stack.host + "/?mount=builder")
    wait_event(page, "ready")
    frame = embed_frame(page, "/embed/builder")
    wait_event(page, "session.expiring", timeout_ms=30_000)
    renewed = wait_event(page, "session.renewed", timeout_ms=30_000)["payload"]
    assert renewed.get("expiresAt"), renewed
    frame.click('.ck-add-block[data-type="paragraph"]')
    frame.click(".ck-save-button")
    wait_event(page, "template.saved")
    assert not events(page, "error"), events(page, "error")


def test_appearance(stack, page):
    """Mint-time appearance: the accent colour and German strings are applied before the page shows."""
    appearance = {"variables": {"colorPrimary": "#0f766e"}, "layout": {"locale": "de"}}
    page.goto(stack.host + "/?mount=form&appearance=" + urllib.request.quote(json.dumps(appearance)))
    wait_event(page, "ready")
    frame = embed_frame(page, "/embed/form")
    primary = frame.evaluate("() => getComputedStyle(document.documentElement).getPropertyValue('--ck-primary').trim()")
    assert primary == "#0f766e", primary
    assert frame.evaluate("() => document.documentElement.lang") == "de"
    label = frame.locator("button.ck-submit-button").inner_text()
    assert label and label != "Submit" and "Create" not in label, label
    page.screenshot(path=os.path.join(SHOTS, "form-de.png"))


# Text wider than its box, per palette button and per orientation/view segment; and whether each
# segment's label is visible (a font size of 0 hides it while keeping the accessible name).
BUILDER_LABELS_JS = """() => {
    const cut = (el) => el.scrollWidth > el.clientWidth + 0.5;
    const labels = [...document.querySelectorAll('.ck-add-block-label')];
    if (!labels.length) labels.push(...document.querySelectorAll('.ck-add-block'));  // a label without its own element
    const orientation = [...document.querySelectorAll('.ck-inspector .ck-segmented button')];
    return {
        palette: labels.map(l => ({ text: l.textContent, cut: cut(l), width: l.clientWidth })),
        orientation: orientation.map(b => ({ text: b.innerText.trim(), cut: cut(b), fontSize: parseFloat(getComputedStyle(b).fontSize) })),
        pageOverflow: document.documentElement.scrollWidth > document.documentElement.clientWidth,
    };
}"""


def test_narrow(stack, page):
    """The builder opened directly at 1024x700, in English and in German (longer labels)."""
    page.set_viewport_size({"width": 1024, "height": 700})
    for locale in ("en", "de"):
        token = mint(stack, mode="edit", appearance={"layout": {"locale": locale}})
        open_direct(stack, page, "builder", token)
        page.wait_for_selector(".ck-add-block")
        page.wait_for_selector(".ck-inspector .ck-segmented button")
        found = page.evaluate(BUILDER_LABELS_JS)
        assert len(found["palette"]) >= 9, found
        cut = [label["text"] for label in found["palette"] if label["cut"] or label["width"] == 0]
        assert not cut, "%s: palette labels cut at 1024 px: %s" % (locale, cut)
        orientation = found["orientation"]
        assert len(orientation) == 2, orientation
        for segment in orientation:
            assert segment["text"] and segment["fontSize"] >= 10 and not segment["cut"], "%s: orientation label hidden or cut: %s" % (locale, orientation)
        assert not found["pageOverflow"], "%s: the builder scrolls sideways at 1024 px" % locale
        # The toolbar's view toggle is icon-only here: its buttons still say what they do.
        for view in page.locator(".ck-toolbar .ck-segment").all():
            assert view.get_attribute("title") and view.get_attribute("aria-pressed"), view
        page.locator(".ck-palette").scroll_into_view_if_needed()
        page.screenshot(path=os.path.join(SHOTS, "builder-1024-%s.png" % locale))


# Every visible control of the form: rendered, inside the viewport horizontally (after scrolling to
# it), at least 24 px tall (touch), and the topmost element at its centre (not covered).
FORM_CONTROLS_JS = """() => {
    const width = document.documentElement.clientWidth;
    const problems = [];
    const controls = [...document.querySelectorAll('input, select, textarea, button, a[href]')].filter((el) =>
        el.type !== 'hidden' && !el.closest('[hidden], [aria-hidden="true"], .ck-visually-hidden'));
    for (const el of controls) {
        el.scrollIntoView({ block: 'center', inline: 'nearest' });
        const r = el.getBoundingClientRect();
        const name = el.name || el.getAttribute('aria-label') || el.className || el.tagName;
        if (!r.width || !r.height) { problems.push(name + ': not rendered'); continue; }
        if (r.left < -0.5 || r.right > width + 0.5) problems.push(name + ': outside the viewport ' + JSON.stringify([r.left, r.right]));
        if (r.height < 24 && el.type !== 'checkbox' && el.type !== 'radio') problems.push(name + ': ' + r.height + ' px tall');
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        if (!hit || !(hit === el || el.contains(hit) || hit.closest('label')?.control === el)) {
            problems.push(name + ': covered by ' + (hit ? hit.className || hit.tagName : 'nothing'));
        }
    }
    window.scrollTo(0, 0);
    return { count: controls.length, problems, scrollWidth: document.documentElement.scrollWidth, width };
}"""


def test_phone(stack, page):
    """The form opened directly on a phone (390x844): nothing scrolls sideways, every control works."""
    page.set_viewport_size({"width": 390, "height": 844})
    open_direct(stack, page, "form", mint(stack, mode="fill"))
    page.wait_for_selector('input[name="customer.name"]')
    loop = page.locator('[data-loop="items"]')
    while loop.locator(".ck-loop-row").count() < 2:
        loop.locator(".ck-loop-add").click()
    found = page.evaluate(FORM_CONTROLS_JS)
    assert found["count"] >= 10, found
    assert found["scrollWidth"] <= found["width"], "the form scrolls sideways at 390 px: %s" % found
    assert not found["problems"], "controls not usable at 390 px: %s" % found["problems"]
    image = os.path.join(tempfile.mkdtemp(), "logo.png")
    with open(image, "wb") as f:
        f.write(png_bytes())
    fill_form(page, image)
    assert page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"), "sideways scroll after filling"
    page.screenshot(path=os.path.join(SHOTS, "form-390.png"), full_page=True)
    page.click("button.ck-submit-button")
    page.wait_for_selector(".ck-result", timeout=60_000)
    page.wait_for_selector("a.ck-download", timeout=TIMEOUT_MS)
    assert page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"), "sideways scroll on the result"
    page.screenshot(path=os.path.join(SHOTS, "form-390-result.png"))


def test_manifest(stack, page):
    """A template made from a manifest alone: its loop's item fields are known inside the loop."""
    status, provisioned = call(stack.api + "/v1/admin/provision", "POST", {"externalOrgId": "demo-partner"}, admin_key(stack))
    assert status in (200, 201), provisioned
    manifest = {
        "variables": [{"key": "customer.name", "label": "Customer", "dataType": "text", "required": True}],
        "loops": [{"key": "lines", "label": "Order lines", "itemFields": [
            {"key": "name", "label": "Item", "dataType": "text"}, {"key": "qty", "label": "Qty", "dataType": "number"}]}],
    }
    status, created = call(stack.api + "/v1/templates", "POST", {"name": "Packing list", "manifest": manifest}, provisioned["apiKey"])
    assert status == 201, created
    open_direct(stack, page, "builder", mint(stack, mode="edit", templateExternalId=created["slug"]))
    page.wait_for_selector('.ck-block[data-type="table"] .ck-variable-chip')
    chips = page.eval_on_selector_all('.ck-block[data-type="table"] .ck-loop-row .ck-variable-chip', "els => els.map(e => e.dataset.key)")
    assert {"name", "qty"} <= set(chips), chips
    unknown = page.eval_on_selector_all(".ck-chip-unknown, .ck-loop-unknown", "els => els.map(e => e.title || e.textContent)")
    assert not unknown, "flagged as unknown: %s" % unknown
    # The list is offered in the picker, and the preview (the server's lint and render) accepts the layout.
    page.wait_for_selector('.ck-variable-item[data-loop][data-key="lines"]')
    wait_preview(page)
    assert page.locator(".ck-preview-error").is_hidden(), page.locator(".ck-preview-error").inner_text()
    page.screenshot(path=os.path.join(SHOTS, "builder-manifest.png"))
    # Publishing keeps the loop and its fields in the manifest.
    page.click(".ck-publish-button")
    page.click(".ck-confirm-publish")
    page.wait_for_function("() => document.querySelector('.ck-save-state')?.dataset.state === 'ok' && !document.querySelector('.ck-publish-button[aria-busy=\"true\"]')")
    detail = None
    for _ in range(50):
        detail = get_json(stack.host + "/api/templates/" + created["slug"])
        if detail.get("currentVersionNumber", 0) >= 2:
            break
        time.sleep(0.1)
    assert detail["currentVersionNumber"] == 2, detail
    loops = {loop["key"]: [f["key"] for f in loop["itemFields"]] for loop in detail["manifest"]["loops"]}
    assert loops == {"lines": ["name", "qty"]}, detail["manifest"]


SHARE_MANIFEST = {
    "variables": [{"key": "customer.name", "label": "Customer", "dataType": "text", "required": True},
                  {"key": "invoice.total", "label": "Total", "dataType": "currency", "format": "money:EUR"}],
    "loops": [{"key": "items", "label": "Items", "itemFields": [{"key": "description", "label": "Description", "dataType": "text"},
                                                                {"key": "qty", "label": "Qty", "dataType": "number"}]}]}


def shared_render(stack, org):
    """A provisioned project, a finished two-page render of it and a link share with a message."""
    status, provisioned = call(stack.api + "/v1/admin/provision", "POST",
                               {"externalOrgId": org, "name": "Northwind Traders"}, key=admin_key(stack))
    assert status in (200, 201), provisioned
    key = provisioned["apiKey"]
    status, created = call(stack.api + "/v1/templates", "POST", {"name": "Statement", "manifest": SHARE_MANIFEST}, key=key)
    assert status == 201, created
    rows = [{"description": "Line item %d" % n, "qty": n} for n in range(1, 70)]
    status, render = call(stack.api + "/v1/templates/%s/render" % created["slug"], "POST",
                          {"data": {"customer": {"name": "Ada Lovelace"}, "invoice": {"total": 4200}, "items": rows}}, key=key)
    assert status == 202, render
    for _ in range(300):
        status, render = call(stack.api + "/v1/renders/" + render["id"], key=key)
        if render["status"] in ("succeeded", "failed"):
            break
        time.sleep(0.1)
    assert render["status"] == "succeeded", render
    status, share = call(stack.api + "/v1/renders/%s/shares" % render["id"], "POST",
                         {"message": "Your statement for November.\nThank you for your business!"}, key=key)
    assert status == 201, share
    return key, render, share


def engagement_counts(stack, key, render_id):
    status, body = call(stack.api + "/v1/renders/%s/engagement" % render_id, key=key)
    assert status == 200, body
    return body["counts"]


def test_share(stack, page):
    """A guest opens a share: branded page with page images, Download and Print recorded once each, a
    reload inside five minutes is still one view, and a revoked link is a calm 410 at once."""
    key, render, share = shared_render(stack, "share-desktop")
    url = share["shareUrl"]
    page.goto(url)
    page.wait_for_function("() => [...document.querySelectorAll('.ck-share-page img')].slice(0, 2).every(i => i.complete && i.naturalWidth > 0)")
    assert "Northwind Traders" in page.inner_text(".ck-share-brand")
    assert "Thank you for your business!" in page.inner_text(".ck-share-message")
    assert page.locator(".ck-share-page img").count() == render["pageCount"] >= 2, render
    page.screenshot(path=os.path.join(SHOTS, "share.png"))
    with page.expect_download() as download:
        page.click("#ck-share-download")
    pdf = open(download.value.path(), "rb").read()
    assert pdf.startswith(b"%PDF-") and "Ada Lovelace" in pdf_text(pdf)[0]
    with page.expect_response(lambda r: r.url.endswith("/printed") and r.request.method == "POST") as printed:
        page.click("#ck-share-print")
    assert printed.value.status == 204
    page.reload()
    page.wait_for_selector(".ck-share-page img")
    counts = engagement_counts(stack, key, render["id"])
    assert (counts["viewed"], counts["downloaded"], counts["printed"], counts["share_created"]) == (1, 1, 1, 1), counts
    status, revoked = call(stack.api + "/v1/renders/%s/shares/%s" % (render["id"], share["id"]), "DELETE", key=key)
    assert status == 200, revoked
    response = page.goto(url)
    assert response.status == 410, response.status
    assert "This link is no longer active." in page.inner_text("main")
    assert "Ada" not in page.content()
    with open(os.path.join(stack.data, "server.log")) as f:
        log = f.read()
    assert share["shareToken"] not in log, "the share token is in the server log"


class SigningServer:
    """A second server for the signing test, with an SMTP sink as its email provider (the shared
    stack has none, on purpose: the demo-share test shows that answer), so invitations can be read."""

    def __init__(self):
        self.data = tempfile.mkdtemp(prefix="craftkit-signing-")
        port, smtp_port = free_port(), free_port()
        self.api = "http://127.0.0.1:%d" % port
        self.mail = os.path.join(self.data, "smtp")
        self.sink = subprocess.Popen([sys.executable, os.path.join(ROOT, "scripts", "smtp-sink.py"), "--port", str(smtp_port), "--dir",
                                      self.mail, "--until-stdin-closes", "--lifetime", "600"], stdin=subprocess.PIPE)
        deadline = time.time() + 30
        while not os.path.exists(os.path.join(self.mail, "ready")) and time.time() < deadline:
            time.sleep(0.1)
        binary = os.environ.get("CRAFTKIT_BIN", os.path.join(ROOT, ".build", "debug", "craftkit"))
        env = dict(os.environ, CRAFTKIT_DATA_DIR=self.data, CRAFTKIT_PORT=str(port), CRAFTKIT_HOST="127.0.0.1",
                   CRAFTKIT_PUBLIC_DIR=os.path.join(ROOT, "Public"), CRAFTKIT_LOG_LEVEL="warning", CRAFTKIT_WORKERS="2",
                   CRAFTKIT_SMTP_URL="smtp://127.0.0.1:%d" % smtp_port, CRAFTKIT_EMAIL_FROM="Northwind <docs@northwind.example>")
        self.log = open(os.path.join(self.data, "server.log"), "w")
        self.server = subprocess.Popen([binary, "serve"], env=env, stdout=self.log, stderr=subprocess.STDOUT)
        wait_http(self.api + "/health")
        with open(os.path.join(self.data, "admin-key")) as f:
            self.admin = f.read().strip()

    def invitations(self):
        """(recipient address, signing URL) of every email received so far, oldest first."""
        found = []
        for name in sorted(os.listdir(os.path.join(self.mail, "messages"))):
            with open(os.path.join(self.mail, "messages", name)) as f:
                record = json.load(f)
            text = " ".join(part.get("body") or "" for part in record.get("parts", []))
            link = re.search(r"https?://[^\s\"'<>]+/sign/[A-Za-z0-9_-]+", text)
            if link:
                found.append((record["to"]["address"], link.group(0)))
        return found

    def wait_invitation(self, address, seconds=30):
        deadline = time.time() + seconds
        while time.time() < deadline:
            for to, link in self.invitations():
                if to == address:
                    return link
            time.sleep(0.2)
        raise AssertionError("no invitation for %s; got %s" % (address, self.invitations()))

    def stop(self):
        self.server.send_signal(signal.SIGTERM)
        try:
            self.server.wait(10)
        except subprocess.TimeoutExpired:
            self.server.kill()
        self.sink.stdin.close()
        self.sink.wait(10)
        shutil.rmtree(self.data, ignore_errors=True)


def sign_in_page(page, link, draw):
    """One signer's visit: every field through "Next field" (the signature drawn with the mouse or
    typed), the consent, Finish."""
    page.goto(link)
    page.wait_for_selector("#ck-sign-next")
    page.wait_for_function("() => [...document.querySelectorAll('.ck-sign-sheet img')].every(i => i.complete && i.naturalWidth > 0)")
    while page.inner_text("#ck-sign-next") == "Next field":
        page.click("#ck-sign-next")
        page.wait_for_selector(".ck-sign-dialog")
        if page.locator(".ck-sign-pad").count():
            if draw:
                box = page.locator(".ck-sign-pad").bounding_box()
                page.mouse.move(box["x"] + 30, box["y"] + box["height"] * 0.6)
                page.mouse.down()
                for step in range(40):
                    page.mouse.move(box["x"] + 30 + step * 9, box["y"] + box["height"] * (0.4 + 0.25 * ((step % 6) / 5)))
                page.mouse.up()
            else:
                page.click("#ck-sign-tab-type")
        page.click("#ck-sign-adopt")
        page.wait_for_selector(".ck-sign-dialog", state="detached")
    page.check("#ck-sign-consent")
    page.click("#ck-sign-finish")
    page.wait_for_selector(".ck-sign-message")
    assert "you have signed" in page.inner_text("main").lower(), page.inner_text("main")


def signature_request(server, recipients, fields):
    """A succeeded render of a one-page agreement sent out for signing; (project key, the request)."""
    key = call(server.api + "/v1/admin/provision", "POST", {"externalOrgId": "signing", "name": "Northwind"}, key=server.admin)[1]["apiKey"]
    manifest = {"variables": [{"key": "customer.name", "label": "Customer", "dataType": "text", "required": True}], "loops": []}
    assert call(server.api + "/v1/templates", "POST", {"name": "Agreement", "manifest": manifest}, key=key)[0] == 201
    status, render = call(server.api + "/v1/templates/agreement/render", "POST", {"data": {"customer": {"name": "Contoso"}}}, key=key)
    assert status == 202, render
    for _ in range(200):
        render = call(server.api + "/v1/renders/" + render["id"], key=key)[1]
        if render["status"] == "succeeded":
            break
        time.sleep(0.1)
    assert render["status"] == "succeeded", render
    request = {"renderId": render["id"], "name": "Agreement with Contoso", "recipients": recipients, "fields": fields}
    status, created = call(server.api + "/v1/signatures", "POST", request, key=key)
    assert status == 201 and created["status"] == "sent", created
    return key, created


def test_sign(stack, page):
    """Two signers in order: the first draws, the second (on a 390 px phone) types; the second is
    invited only after the first signs; the sealed PDF passes pdfsig, the certificate names both, and a
    signing link no longer works once the request has ended."""
    server = SigningServer()
    try:
        key, created = signature_request(server, [
            {"firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.com", "order": 1},
            {"firstName": "Grace", "lastName": "Hopper", "email": "grace@example.com", "order": 2},
        ], [
            {"page": 1, "x": 8, "y": 70, "width": 34, "height": 8, "type": "signature", "recipientIndex": 0},
            {"page": 1, "x": 50, "y": 72, "width": 20, "height": 4, "type": "date", "recipientIndex": 0},
            {"page": 1, "x": 8, "y": 82, "width": 34, "height": 8, "type": "signature", "recipientIndex": 1},
        ])
        first = server.wait_invitation("ada@example.com")
        time.sleep(1)
        assert [to for to, _ in server.invitations()] == ["ada@example.com"], "the second signer was invited before the first signed"

        sign_in_page(page, first, draw=True)
        page.screenshot(path=os.path.join(SHOTS, "sign-done.png"))
        second = server.wait_invitation("grace@example.com")
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(second)
        page.wait_for_selector("#ck-sign-next")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=os.path.join(SHOTS, "sign-phone.png"))
        sign_in_page(page, second, draw=False)

        for _ in range(300):
            signature = call(server.api + "/v1/signatures/" + created["id"], key=key)[1]
            if signature["status"] in ("completed", "failed"):
                break
            time.sleep(0.1)
        assert signature["status"] == "completed", signature
        signed = urllib.request.Request(server.api + "/v1/signatures/%s/download" % created["id"], headers={"Authorization": "Bearer " + key})
        certificate = urllib.request.Request(server.api + "/v1/signatures/%s/certificate" % created["id"],
                                             headers={"Authorization": "Bearer " + key})
        with tempfile.TemporaryDirectory() as directory:
            for name, request_ in (("signed.pdf", signed), ("certificate.pdf", certificate)):
                with urllib.request.urlopen(request_, timeout=30) as response, open(os.path.join(directory, name), "wb") as out:
                    out.write(response.read())
            report = subprocess.run(["pdfsig", os.path.join(directory, "signed.pdf")], capture_output=True, text=True).stdout
            assert "Signature is Valid." in report and "Total document signed" in report, report
            text = subprocess.run(["pdftotext", os.path.join(directory, "certificate.pdf"), "-"], capture_output=True, text=True).stdout
            assert "Ada Lovelace" in text and "Grace Hopper" in text, text
        response = page.goto(first)
        page.wait_for_selector(".ck-sign-message")
        assert "no longer active" in page.inner_text("main"), page.inner_text("main")
        with open(os.path.join(server.data, "server.log")) as f:
            log = f.read()
        assert first.rsplit("/", 1)[1] not in log, "a signing token is in the server log"
    finally:
        server.stop()


def tab_to(page, element_id, limit=40):
    """Presses Tab until the element with that id has the focus."""
    for _ in range(limit):
        if page.evaluate("() => document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError("Tab never reached #%s" % element_id)


def test_sign_keyboard(stack, page):
    """One signer with the keyboard only: Next field, the Type tab by arrow key, Adopt, the date, the
    consent by Space, Finish; the request completes."""
    server = SigningServer()
    try:
        key, created = signature_request(server, [{"firstName": "Alan", "lastName": "Turing", "email": "alan@example.com"}], [
            {"page": 1, "x": 8, "y": 70, "width": 34, "height": 8, "type": "signature", "recipientIndex": 0},
            {"page": 1, "x": 50, "y": 72, "width": 20, "height": 4, "type": "date", "recipientIndex": 0},
        ])
        page.goto(server.wait_invitation("alan@example.com"))
        page.wait_for_selector("#ck-sign-next")
        tab_to(page, "ck-sign-next")
        page.keyboard.press("Enter")
        page.wait_for_selector(".ck-sign-dialog")
        assert page.evaluate("() => document.activeElement.id") == "ck-sign-tab-draw"
        page.keyboard.press("ArrowRight")
        assert page.evaluate("() => document.activeElement.id") == "ck-sign-tab-type"
        tab_to(page, "ck-sign-adopt")
        page.keyboard.press("Enter")
        page.wait_for_selector(".ck-sign-dialog", state="detached")
        tab_to(page, "ck-sign-next")
        page.keyboard.press("Enter")
        page.wait_for_selector("#ck-sign-text")
        tab_to(page, "ck-sign-adopt")
        page.keyboard.press("Enter")
        page.wait_for_selector(".ck-sign-dialog", state="detached")
        tab_to(page, "ck-sign-consent")
        page.keyboard.press("Space")
        tab_to(page, "ck-sign-finish")
        page.keyboard.press("Enter")
        page.wait_for_selector(".ck-sign-message")
        for _ in range(300):
            signature = call(server.api + "/v1/signatures/" + created["id"], key=key)[1]
            if signature["status"] in ("completed", "failed"):
                break
            time.sleep(0.1)
        assert signature["status"] == "completed", signature
    finally:
        server.stop()


def test_share_phone(stack, page):
    """The share page on a phone (390x844): the pages at the screen's width, no sideways scroll, the
    action bar on screen."""
    key, render, share = shared_render(stack, "share-phone")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(share["shareUrl"])
    page.wait_for_function("() => { const i = document.querySelector('.ck-share-page img'); return i && i.complete && i.naturalWidth > 0 }")
    assert page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"), "sideways scroll at 390 px"
    width = page.evaluate("() => document.querySelector('.ck-share-page img').getBoundingClientRect().width")
    assert width >= 340, width
    for selector in ("#ck-share-download", "#ck-share-print"):
        box = page.locator(selector).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["height"] >= 40, (selector, box)
    page.screenshot(path=os.path.join(SHOTS, "share-390.png"))


def test_demo_share(stack, page):
    """The demo partner app's Share and Email buttons on a finished render, through its own backend."""
    page.goto(stack.host + "/?mount=form")
    wait_event(page, "ready")
    frame = embed_frame(page, "/embed/form")
    image = os.path.join(tempfile.mkdtemp(), "logo.png")
    with open(image, "wb") as f:
        f.write(png_bytes())
    fill_form(frame, image)
    frame.click("button.ck-submit-button")
    render_id = wait_event(page, "render.succeeded", timeout_ms=60_000)["payload"]["renderId"]
    page.click("#refresh-renders")
    item = page.locator('.render-item[data-render-id="%s"][data-status="succeeded"]' % render_id)
    item.locator("button.share-button").wait_for()
    # Share: a link share with Copy and Open, and the engagement counts (nothing viewed yet).
    item.locator("button.share-button").click()
    assert item.locator("button.share-button").get_attribute("aria-expanded") == "true"
    url_input = item.locator("input.share-url")
    page.wait_for_function("(el) => /\\/share\\/cks_/.test(el.value)", arg=url_input.element_handle())
    share_url = url_input.input_value()
    assert re.search(r"/share/cks_[A-Za-z0-9_-]{20,}$", share_url), share_url
    assert page.locator('label[for="%s"]' % url_input.get_attribute("id")).count() == 1, "the share link has no label"
    assert item.locator("a.share-open").get_attribute("href") == share_url
    assert item.locator("button.share-copy").is_visible()
    counts = item.locator(".engagement-counts")
    page.wait_for_function("(el) => el.textContent.includes('0')", arg=item.locator('dd[data-count="viewed"]').element_handle())
    assert [counts.locator('dd[data-count="%s"]' % k).inner_text() for k in ("viewed", "downloaded", "printed")] == ["0", "0", "0"]
    with urllib.request.urlopen(share_url, timeout=30) as response:
        assert response.status == 200, response.status
        assert b"<html" in response.read().lower()
    # Closing and opening Share again refreshes the counts: the link was opened once.
    item.locator("button.share-button").click()
    assert item.locator(".share-panel").is_hidden()
    item.locator("button.share-button").click()
    page.wait_for_function("(el) => el.textContent === '1'", arg=item.locator('dd[data-count="viewed"]').element_handle())
    assert url_input.input_value() == share_url, "opening Share again made another link"
    page.screenshot(path=os.path.join(SHOTS, "demo-share.png"), full_page=True)
    # Email: an inline form; the server has no email provider, so the page shows that answer.
    item.locator("button.email-button").click()
    to = item.locator('input[name="to"]')
    assert to.evaluate("(el) => el === document.activeElement"), "focus did not move to the recipient field"
    for name in ("to", "recipientName", "message"):
        field = item.locator('[name="%s"]' % name)
        assert page.locator('label[for="%s"]' % field.get_attribute("id")).count() == 1, "no label for %s" % name
    to.fill("ada@example.com")
    item.locator('input[name="recipientName"]').fill("Ada Lovelace")
    item.locator('textarea[name="message"]').fill("Your invoice")
    item.locator("button.email-send").click()
    status = item.locator('.email-status[data-state="error"]')
    status.wait_for()
    assert status.get_attribute("data-code") == "email_not_configured", status.get_attribute("data-code")
    assert "Email is not set up on this Craftkit server" in status.inner_text(), status.inner_text()
    page.screenshot(path=os.path.join(SHOTS, "demo-email.png"), full_page=True)
    # The backend passes the API's errors through and refuses ids that are not UUID-shaped.
    code, body = call(stack.host + "/api/renders/%s/email" % render_id, "POST", {"to": "not an address"})
    assert code == 400 and body["error"]["code"] == "invalid_request" and "to" in body["error"]["issues"]["fieldErrors"], (code, body)
    code, _ = call(stack.host + "/api/renders/NOT-A-RENDER/engagement")
    assert code == 404, code
    # The project key stays on the partner's backend.
    assert not re.search(r"ck_(live|test)_", page.content()), "a project key reached the page"


TESTS = {"builder": test_builder, "form": test_form, "keyboard": test_keyboard, "revoked": test_revoked, "origin": test_origin,
         "refresh": test_refresh, "appearance": test_appearance, "narrow": test_narrow, "phone": test_phone, "manifest": test_manifest,
         "share": test_share, "share-phone": test_share_phone, "demo-share": test_demo_share, "sign": test_sign,
         "sign-keyboard": test_sign_keyboard}

# Console errors a test provokes on purpose (regular expressions); anything else fails the test.
EXPECTED_CONSOLE = {
    "revoked": [r"status of 401"],                           # the revoked token's session request
    "origin": [r"Refused to frame", r"frame-ancestors"],     # the browser refusing the frame
    "share": [r"status of 410"],                             # the revoked link, opened on purpose
    "sign": [r"status of 410"],                              # the ended request's link, opened on purpose
    "demo-share": [r"status of 503"],                        # the email call; the test server has no email provider
}

# The console's tests (browser-tests/console_tests.py), on a server of their own.
from console_tests import TESTS as CONSOLE_TESTS, EXPECTED_CONSOLE as CONSOLE_EXPECTED  # noqa: E402
TESTS.update(CONSOLE_TESTS)
EXPECTED_CONSOLE.update(CONSOLE_EXPECTED)


def main():
    chosen = sys.argv[1:] or list(TESTS)
    os.makedirs(SHOTS, exist_ok=True)
    stack = Stack()
    failures = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            for name in chosen:
                context = browser.new_context(viewport={"width": 1280, "height": 800})
                page = context.new_page()
                page.set_default_timeout(TIMEOUT_MS)
                errors, console, missing = [], [], []
                page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
                # Console and network of every frame (the embed pages are cross-origin iframes).
                page.on("console", lambda m, console=console: console.append(m.text) if m.type == "error" else None)
                page.on("response", lambda r, missing=missing: missing.append(r.url) if r.status == 404 else None)
                started = time.time()
                try:
                    TESTS[name](stack, page)
                    assert not errors, "uncaught page errors: %s" % errors
                    assert not missing, "404 responses: %s" % missing
                    expected = EXPECTED_CONSOLE.get(name, [])
                    unexpected = [text for text in console if not any(re.search(pattern, text) for pattern in expected)]
                    assert not unexpected, "console errors: %s" % unexpected
                    print("ok    %-9s %.1fs" % (name, time.time() - started), flush=True)
                except Exception:
                    failures.append(name)
                    page.screenshot(path=os.path.join(SHOTS, "failed-%s.png" % name))
                    print("FAIL  %-9s\n%s" % (name, traceback.format_exc()), flush=True)
                    print("host events: %s" % json.dumps(events(page))[:2000])
                context.close()
            browser.close()
    finally:
        if failures:
            with open(os.path.join(stack.data, "server.log")) as f:
                print("--- server log (tail) ---\n" + "".join(f.readlines()[-30:]))
        stack.stop()
    print("browser tests: %d passed, %d failed" % (len(chosen) - len(failures), len(failures)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
