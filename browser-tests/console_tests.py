"""Browser tests of the console (/console, docs/console.md), run by run.py like the others:

  console-signin    sign in with a project key: the cookie is HttpOnly and SameSite=Strict, no key in
                    the page's storage; a change without the CSRF token is 403; sign out ends the session
  console-keys      create a key (its secret shown once, and it works) -> revoke it (it stops working)
  console-webhook   add a webhook endpoint pointing at a local receiver, render -> the delivery is listed
  console-builder   a template made in the console opens in the builder in a new tab; a template's form too
  console-charts    twenty renders -> the overview's charts draw them; "try a render" shows the PDF; the
                    inbound trigger panel, a render's share link and engagement, a catalog's version diff
  console-operator  the admin key's view lists two orgs (one provisioned from the console), queue, health;
                    an org's allowed origins set there show in that org's own embed settings page
  console-phone     390 px wide, English and German: no sideways scroll on any partner page

They use their own server (private webhook targets allowed, a known admin key), so the shared stack's
orgs and settings do not matter. Screenshots go to docs/screenshots/console-*.png.
"""
import http.server
import json
import re
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC_SHOTS = os.path.join(ROOT, "docs", "screenshots")
ADMIN_KEY = "console-browser-admin-key-0123456789"
MANIFEST = {"variables": [{"key": "customer.name", "label": "Customer", "dataType": "text", "required": True},
                          {"key": "invoice.total", "label": "Total", "dataType": "currency", "format": "money:EUR"}],
            "loops": [{"key": "items", "label": "Items", "itemFields": [{"key": "description", "label": "Description", "dataType": "text"}]}]}


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Receiver(http.server.BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        Receiver.received.append({"event": self.headers.get("x-craftkit-event"), "body": body})
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class ConsoleServer:
    """A server of its own, started on first use and stopped when the process exits."""
    current = None

    @classmethod
    def get(cls):
        if cls.current is None:
            cls.current = ConsoleServer()
            import atexit
            atexit.register(cls.current.stop)
        return cls.current

    def __init__(self):
        self.data = tempfile.mkdtemp(prefix="craftkit-console-")
        port = free_port()
        self.api = "http://127.0.0.1:%d" % port
        binary = os.environ.get("CRAFTKIT_BIN", os.path.join(ROOT, ".build", "debug", "craftkit"))
        env = dict(os.environ, CRAFTKIT_DATA_DIR=self.data, CRAFTKIT_PORT=str(port), CRAFTKIT_HOST="127.0.0.1",
                   CRAFTKIT_PUBLIC_DIR=os.path.join(ROOT, "Public"), CRAFTKIT_LOG_LEVEL="warning", CRAFTKIT_WORKERS="2",
                   CRAFTKIT_ADMIN_KEY=ADMIN_KEY, CRAFTKIT_ALLOW_PRIVATE_FETCH="1")
        self.log = open(os.path.join(self.data, "server.log"), "w")
        self.server = subprocess.Popen([binary, "serve"], env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(self.api + "/health", timeout=2):
                    break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
        self.receiver = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Receiver)
        threading.Thread(target=self.receiver.serve_forever, daemon=True).start()
        self.hook_url = "http://127.0.0.1:%d/craftkit" % self.receiver.server_address[1]

    def call(self, method, path, body=None, key=None):
        request = urllib.request.Request(self.api + path, method=method, data=None if body is None else json.dumps(body).encode())
        request.add_header("Content-Type", "application/json")
        if key:
            request.add_header("Authorization", "Bearer " + key)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def org(self, external_id, name=None):
        """A provisioned org's API key, with an invoice template."""
        code, body = self.call("POST", "/v1/admin/provision", {"externalOrgId": external_id, "name": name or external_id}, ADMIN_KEY)
        assert code == 200, (code, body)
        key = body["apiKey"]
        code, body = self.call("PUT", "/v1/templates/invoice", {"name": "Invoice", "manifest": MANIFEST}, key)
        assert code in (200, 201), (code, body)
        return key

    def render(self, key, name="Ada Lovelace"):
        code, body = self.call("POST", "/v1/templates/invoice/render", {"data": {"customer": {"name": name}, "invoice": {"total": 42},
                                                                               "items": [{"description": "Engine"}]}}, key)
        assert code == 202, (code, body)
        return body["id"]

    def wait_renders(self, key, ids, seconds=120):
        deadline = time.time() + seconds
        pending = set(ids)
        while pending and time.time() < deadline:
            for render_id in list(pending):
                _, body = self.call("GET", "/v1/renders/" + render_id, key=key)
                if body["status"] in ("succeeded", "failed"):
                    assert body["status"] == "succeeded", body
                    pending.discard(render_id)
            time.sleep(0.2)
        assert not pending, "renders did not finish: %s" % pending

    def stop(self):
        self.receiver.shutdown()
        self.server.send_signal(signal.SIGTERM)
        try:
            self.server.wait(10)
        except subprocess.TimeoutExpired:
            self.server.kill()
        shutil.rmtree(self.data, ignore_errors=True)


def shot(page, name, **options):
    os.makedirs(DOC_SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(DOC_SHOTS, name), **options)


def sign_in(page, server, key, lang=None):
    page.goto(server.api + "/console" + ("?lang=" + lang if lang else ""))
    page.wait_for_selector("#ck-key")
    page.fill("#ck-key", key)
    page.press("#ck-key", "Enter")
    page.wait_for_selector("[data-principal]")
    page.wait_for_selector(".ck-main .ck-page-head h1")


def close_dialog(page):
    page.locator("dialog[open] .ck-dialog-actions button").last.click()
    page.wait_for_selector("dialog[open]", state="detached")


WIDE_JS = """() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
    .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


def no_sideways_scroll(page):
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_console_signin(stack, page):
    server = ConsoleServer.get()
    key = server.org("signin-org")
    page.goto(server.api + "/console")
    page.wait_for_selector("#ck-key")
    shot(page, "console-signin.png")
    # A wrong key: the form says so and stays.
    page.fill("#ck-key", "ck_live_not-a-key-00000000000000000000")
    page.press("#ck-key", "Enter")
    page.wait_for_selector(".ck-signin-status .ck-message-error")
    page.fill("#ck-key", key)
    page.press("#ck-key", "Enter")
    page.wait_for_selector("[data-principal=project]")
    page.wait_for_selector(".ck-stat")
    cookies = {c["name"]: c for c in page.context.cookies()}
    cookie = cookies["ck_console"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/", cookie
    assert key not in cookie["value"] and key[-20:] not in cookie["value"], "the key is in the cookie"
    stored = page.evaluate("() => JSON.stringify([document.cookie, {...localStorage}, {...sessionStorage}])")
    assert "ck_console" not in stored and key not in stored and key[-20:] not in stored, stored
    assert key not in page.content()
    # A change without the CSRF token is refused; with it (as the console's script sends it) it goes through.
    refused = page.evaluate("""() => fetch('/v1/keys', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: '{"name":"x"}'})
                                     .then(async r => [r.status, (await r.json()).error.code])""")
    assert refused == [403, "csrf_token_invalid"], refused
    accepted = page.evaluate("""async () => {
        const token = (await (await fetch('/console/session')).json()).csrfToken;
        const r = await fetch('/v1/keys', {method: 'POST', headers: {'Content-Type': 'application/json', 'X-CSRF-Token': token}, body: '{"name":"with token"}'});
        return r.status; }""")
    assert accepted == 201, accepted
    page.click("#ck-signout")
    page.wait_for_selector("#ck-key")
    status = page.evaluate("() => fetch('/v1/keys').then(r => r.status)")
    assert status == 401, status
    assert "ck_console" not in {c["name"] for c in page.context.cookies()}


def test_console_keys(stack, page):
    server = ConsoleServer.get()
    key = server.org("keys-org")
    sign_in(page, server, key)
    page.click("a[data-nav=keys]")
    page.wait_for_selector("[data-action=new-key]")
    page.click("[data-action=new-key]")
    page.fill("dialog[open] input[name=name]", "Billing service")
    page.click("dialog[open] button[type=submit]")
    secret = page.wait_for_selector("dialog[open] code[data-secret]").inner_text()
    assert secret.startswith("ck_live_"), secret
    shot(page, "console-key-created.png")
    close_dialog(page)
    code, _ = server.call("GET", "/v1/templates", key=secret)
    assert code == 200, code
    row = page.locator("tr", has_text="Billing service")
    row.wait_for()
    assert secret not in page.content(), "the secret is still on the page"
    row.locator("button[data-revoke]").click()
    page.locator("dialog[open] .ck-button-danger").click()
    page.locator("tr", has_text="Billing service").locator(".ck-badge-failed").wait_for()
    code, _ = server.call("GET", "/v1/templates", key=secret)
    assert code == 401, code
    shot(page, "console-keys.png")


def test_console_webhook(stack, page):
    server = ConsoleServer.get()
    key = server.org("webhook-org")
    sign_in(page, server, key)
    page.click("a[data-nav=webhooks]")
    page.click("[data-action=new-webhook]")
    page.fill("dialog[open] input[name=url]", server.hook_url)
    page.click("dialog[open] button[type=submit]")
    secret = page.wait_for_selector("dialog[open] code[data-secret]").inner_text()
    assert secret.startswith("whsec_"), secret
    close_dialog(page)
    page.wait_for_selector("section[data-webhook]")
    render_id = server.render(key)
    server.wait_renders(key, [render_id])
    deadline = time.time() + 30
    while time.time() < deadline:
        page.reload()
        page.wait_for_selector("section[data-webhook]")
        if page.locator("section[data-webhook] .ck-badge-succeeded").count():
            break
        time.sleep(0.5)
    assert page.locator("section[data-webhook] .ck-badge-succeeded").count() >= 1, "no delivery listed"
    assert page.locator("section[data-webhook]", has_text="render.succeeded").count() == 1
    assert any(r["event"] == "render.succeeded" for r in Receiver.received), Receiver.received
    shot(page, "console-webhooks.png")


def test_console_builder(stack, page):
    server = ConsoleServer.get()
    key = server.org("builder-org")
    sign_in(page, server, key)
    page.click("a[data-nav=templates]")
    page.click(".ck-page-actions [data-action=new-template]")
    page.fill("dialog[open] input[name=name]", "Quote")
    page.click("dialog[open] button[type=submit]")
    page.wait_for_selector("section[data-template=quote]")
    # The starter template renders with sample data before anyone designs it.
    page.click("section[data-template=quote] [data-action=try-render]")
    page.wait_for_selector("section[data-template=quote] [data-render-done]", timeout=60_000)
    with page.context.expect_page() as opened:
        page.click("section[data-template=quote] [data-action=builder]")
    builder = opened.value
    builder.wait_for_url(re.compile(r"/embed/builder\?session_token="))
    builder.wait_for_selector(".ck-add-block")
    builder.wait_for_selector(".ck-template-name")
    assert builder.locator(".ck-template-name").input_value() == "Quote"
    shot(page, "console-templates.png")
    builder.close()
    # The form of a template, as the org's users would see it (a fill session, in a new tab).
    page.click("a[data-nav=templates]")
    page.click("text=Invoice")
    with page.context.expect_page() as opened:
        page.click("section[data-template=invoice] [data-action=form]")
    form = opened.value
    form.wait_for_url(re.compile(r"/embed/form\?session_token="))
    form.wait_for_selector("input")
    form.close()


def test_console_charts(stack, page):
    server = ConsoleServer.get()
    key = server.org("charts-org")
    ids = [server.render(key, "Customer %d" % i) for i in range(20)]
    server.wait_renders(key, ids)
    sign_in(page, server, key)
    page.wait_for_selector("figure[data-chart=renders] .ck-chart-bar rect")
    summary = page.locator("figure[data-chart=renders] .ck-chart-summary").inner_text()
    assert summary.startswith("20 renders, 0 failed"), summary
    assert page.locator("figure[data-chart=renders] .ck-chart-bar").count() >= 1
    assert page.locator("figure[data-chart=time] circle").count() >= 2
    assert "invoice" in page.locator("figure[data-chart=failures]").inner_text()
    assert page.locator(".ck-stat-value").first.inner_text() == "20"
    shot(page, "console-overview.png", full_page=True)
    page.click(".ck-segmented button >> nth=1")
    page.wait_for_function("() => location.hash.includes('window=30d')")
    page.wait_for_selector("figure[data-chart=renders] .ck-chart-bar rect")
    # Renders list with a filter kept in the URL, then "try a render" on the template: the PDF is shown.
    page.click("a[data-nav=renders]")
    page.select_option("#ck-filter-status", "succeeded")
    page.wait_for_function("() => location.hash.includes('status=succeeded')")
    page.wait_for_function("() => document.querySelector('#ck-filter-status')?.value === 'succeeded' && document.querySelector('.ck-table tbody tr')")
    assert page.locator(".ck-table tbody tr").count() == 20
    page.select_option("#ck-filter-since", "1h")
    page.wait_for_function("() => document.querySelector('#ck-filter-since')?.value === '1h' && document.querySelector('.ck-table tbody tr')")
    assert "since=1h" in page.evaluate("() => location.hash") and page.locator(".ck-table tbody tr").count() == 20
    page.click("a[data-nav=templates]")
    page.click("text=Invoice")
    page.click("section[data-template=invoice] [data-action=try-render]")
    page.wait_for_selector("[data-render-done]", timeout=60_000)
    page.wait_for_selector("iframe[data-pdf-preview]")
    shot(page, "console-try-render.png")
    # The inbound trigger panel: replacing the trigger shows its URL and secret once.
    code, _ = server.call("POST", "/v1/templates/invoice/inbound", {}, key)
    assert code == 201, code
    page.click("section[data-template=invoice] [data-inbound] summary")
    page.click("[data-action=create-trigger]")
    hook = page.wait_for_selector("dialog[open] code[data-secret=url]").inner_text()
    assert "/v1/hooks/" in hook, hook
    close_dialog(page)
    code, _ = server.call("POST", hook[hook.index("/v1/hooks/"):], {"customer": {"name": "Hooked"}, "invoice": {"total": 1}})
    assert code == 202, code
    # A render's engagement: a share link made from the console, then opened, shows up as viewed.
    page.goto(server.api + "/console#/renders/" + ids[0])
    page.click("section[data-engagement] [data-action=share]")
    link = page.wait_for_selector("[data-share-url]").get_attribute("href")
    assert "/share/cks_" in link, link
    with urllib.request.urlopen(link) as response:
        assert response.status == 200
    page.reload()
    page.wait_for_selector("section[data-engagement] .ck-timeline")
    funnel = page.locator("section[data-engagement] .ck-hbars li").all_inner_texts()
    assert len(funnel) == 4 and funnel[0].endswith("1") and funnel[1].endswith("1") and funnel[3].endswith("0"), funnel
    # Email: this server has no email provider, and the dialog says so.
    page.click("section[data-engagement] [data-action=email]")
    page.fill("dialog[open] input[name=to]", "ada@example.com")
    page.click("dialog[open] button[type=submit]")
    page.wait_for_selector("dialog[open] .ck-dialog-error .ck-message-error")
    assert "email provider" in page.locator("dialog[open] .ck-dialog-error").inner_text()
    page.locator("dialog[open] .ck-dialog-actions button").last.click()
    # Catalogs: two versions, and what changed between them.
    catalog = {"namespaces": [{"key": "customer", "label": "Customer", "fields": [{"key": "name", "label": "Name", "dataType": "text"}]}], "loops": []}
    assert server.call("POST", "/v1/embed/catalogs", {"name": "crm", "catalog": catalog}, key)[0] == 201
    catalog["namespaces"][0]["fields"].append({"key": "email", "label": "Email", "dataType": "email"})
    assert server.call("POST", "/v1/embed/catalogs", {"name": "crm", "catalog": catalog}, key)[0] == 201
    page.click("a[data-nav=catalogs]")
    page.click("text=crm")
    page.wait_for_selector("section[data-catalog=crm] .ck-diff-added")
    assert page.locator("section[data-catalog=crm] .ck-diff li").all_inner_texts() == ["added customer.email"], \
        page.locator("section[data-catalog=crm] .ck-diff li").all_inner_texts()
    shot(page, "console-catalogs.png")


def test_console_operator(stack, page):
    server = ConsoleServer.get()
    server.org("operator-a", "Acme")
    sign_in(page, server, ADMIN_KEY)
    assert page.locator("[data-principal=operator]").count() == 1
    page.click("[data-action=provision]")
    page.fill("dialog[open] input[name=externalOrgId]", "operator-b")
    page.fill("dialog[open] input[name=name]", "Northwind")
    page.click("dialog[open] button[type=submit]")
    api_key = page.wait_for_selector("dialog[open] code[data-secret]").inner_text()
    assert api_key.startswith("ck_live_"), api_key
    close_dialog(page)
    page.wait_for_selector("[data-org=operator-b]")
    orgs = page.locator("[data-org]").all_inner_texts()
    assert "operator-a" in orgs and "operator-b" in orgs, orgs
    shot(page, "console-operator.png")
    # The operator's cookie does not reach a project's API.
    status = page.evaluate("() => fetch('/v1/templates').then(r => r.status)")
    assert status == 401, status
    page.click("a[data-nav=queue]")
    page.wait_for_selector(".ck-stat")
    page.click("a[data-nav=health]")
    page.wait_for_selector(".ck-badge-succeeded")
    # Org settings from the operator view; the org's own console shows them (read-only).
    page.click("a[data-nav=orgs]")
    page.click("button[data-settings=operator-b]")
    page.fill("dialog[open] textarea[name=origins]", "https://app.northwind.example")
    page.fill("dialog[open] input[name=displayName]", "Northwind Traders")
    page.fill("dialog[open] input[name=colorPrimary]", "#0f766e")
    preview = page.locator("dialog[open] [data-appearance-preview]")
    assert "Northwind Traders" in preview.inner_text(), preview.inner_text()
    color = preview.locator(".ck-brand-preview-button").evaluate("e => getComputedStyle(e).backgroundColor")
    assert color == "rgb(15, 118, 110)", color
    shot(page, "console-org-settings.png")
    page.click("dialog[open] button[type=submit]")
    page.wait_for_selector("dialog[open]", state="detached")
    code, body = server.call("GET", "/v1/project", key=api_key)
    assert code == 200 and body["settings"]["allowedOrigins"] == ["https://app.northwind.example"], (code, body)
    assert body["settings"]["appearance"]["colorPrimary"] == "#0f766e", body
    page.click("#ck-signout")
    page.wait_for_selector("#ck-key")
    sign_in(page, server, api_key)
    page.click("a[data-nav=embed]")
    origins = page.wait_for_selector("[data-origins]").inner_text()
    assert "https://app.northwind.example" in origins, origins
    assert "Northwind" in page.locator("[data-principal]").inner_text()
    shot(page, "console-embed.png")


def test_console_phone(stack, page):
    server = ConsoleServer.get()
    key = server.org("phone-org")
    ids = [server.render(key) for _ in range(3)]
    server.wait_renders(key, ids)
    page.set_viewport_size({"width": 390, "height": 844})
    for lang in ("en", "de"):
        page.context.clear_cookies()
        sign_in(page, server, key, lang)
        assert page.evaluate("() => document.documentElement.lang") == lang
        for view in ("overview", "templates/invoice", "renders", "keys", "webhooks", "catalogs", "embed"):
            page.goto(server.api + "/console?lang=%s#/%s" % (lang, view))
            page.wait_for_selector(".ck-main .ck-page-head h1")
            page.wait_for_load_state("networkidle")
            assert no_sideways_scroll(page), "%s (%s) scrolls sideways at 390 px: %s" % (view, lang, page.evaluate(WIDE_JS))
        page.goto(server.api + "/console?lang=%s#/overview" % lang)
        page.wait_for_selector("figure[data-chart=renders] .ck-chart-bar rect")
        shot(page, "console-390-%s.png" % lang, full_page=True)
    # Keyboard: Tab reaches the navigation, Enter follows a link.
    page.goto(server.api + "/console#/overview")
    page.wait_for_selector(".ck-stat")
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement?.dataset?.nav === 'keys'"):
            break
    assert page.evaluate("() => document.activeElement?.dataset?.nav") == "keys"
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-action=new-key]")


TESTS = {"console-signin": test_console_signin, "console-keys": test_console_keys, "console-webhook": test_console_webhook,
         "console-builder": test_console_builder, "console-charts": test_console_charts, "console-operator": test_console_operator,
         "console-phone": test_console_phone}

# The wrong key's sign-in (401), the CSRF refusal (403) and the signed-out call (401) are on purpose.
EXPECTED_CONSOLE = {"console-signin": [r"status of 401", r"status of 403"], "console-operator": [r"status of 401"],
                    "console-charts": [r"status of 503"]}  # the email call; this server has no email provider
