#!/usr/bin/env python3
"""Peer benchmark for `make bench`: renders the Render fixtures' equivalents with Typst, WeasyPrint and
headless Chromium (warm browser, Playwright page.pdf — how Craftkit's own Handlebars pipeline runs
Puppeteer), and writes BENCHMARKS.md with Craftkit's numbers (from `craftkit bench render --json`) and ratios.

    python3 Benchmarks/peers.py --ours bench-out/render.json --out BENCHMARKS.md [--iterations 40]

Inputs are built from the same data files as the Swift fixtures (Fixtures/render/*.data.json): the same
text, table columns, formatting, logo and "Page X of Y" footer.
"""
import argparse, base64, html, json, multiprocessing as mp, os, platform, subprocess, sys, tempfile, time
from datetime import datetime, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "Fixtures", "render")
ASSETS = os.path.join(FIX, "assets")

def load(name):
    with open(os.path.join(FIX, name), encoding="utf-8") as f:
        return json.load(f)

def eur(v):  # de-DE money, like {{x | money:EUR}}
    s = f"{v:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    return s + "\u00a0€"

def usd(v):
    return f"${v:,.2f}"

def b64(name):
    with open(os.path.join(ASSETS, name), "rb") as f:
        return base64.b64encode(f.read()).decode()

# ---------------------------------------------------------------- HTML (WeasyPrint, Chromium)
CSS_BASE = """
@page { size: A4; margin: 18mm 18mm 20mm 18mm;
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 7.5pt 'Noto Sans'; color: #666; } }
body { font: 9.5pt/1.35 'Noto Sans', sans-serif; color: #222; margin: 0; }
table { width: 100%; border-collapse: collapse; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; break-inside: avoid; }
th { background: #3a4a9a; color: #fff; text-align: left; padding: 4pt; }
td { padding: 4pt; border-bottom: 0.5pt solid #ccc; vertical-align: top; }
tbody tr:nth-child(even) td { background: #f5f6fa; }
.r { text-align: right; }
h1 { font-size: 20pt; margin: 8pt 0; }
"""

def invoice_html(d):
    rows = "".join(
        f"<tr><td>{i+1}</td><td>{html.escape(it['description'])}</td><td class=r>{it['quantity']}</td>"
        f"<td class=r>{eur(it['unitPrice'])}</td><td class=r>{eur(it['amount'])}</td></tr>"
        for i, it in enumerate(d["lineItems"]))
    c, cu, t = d["company"], d["customer"], d["totals"]
    return f"""<!doctype html><html><head><meta charset=utf-8><style>{CSS_BASE}</style></head><body>
<div style="display:flex;justify-content:space-between"><img src="data:image/png;base64,{b64('logo.png')}" style="width:120pt">
<div class=r style="font-size:8pt;color:#555">{c['name']}<br>{c['street']}<br>{c['city']}<br>{c['email']}</div></div>
<hr style="border:0;border-top:1pt solid #3a4a9a">
<div style="display:flex;gap:24pt"><div style="flex:1"><div style="font-size:7.5pt;color:#777">Bill to</div><b>{cu['name']}</b><br>{cu['street']}<br>{cu['city']}</div>
<div style="flex:1"><table><tr><td><b>Invoice no.</b></td><td>{d['invoice']['number']}</td></tr><tr><td><b>Date</b></td><td>5. März 2024</td></tr>
<tr><td><b>Due</b></td><td>04.04.2024</td></tr><tr><td><b>Status</b></td><td>Open</td></tr></table></div></div>
<h1>Invoice {d['invoice']['number']}</h1>
<table><thead><tr><th style="width:30pt">#</th><th>Description</th><th class=r style="width:40pt">Qty</th><th class=r style="width:72pt">Unit price</th><th class=r style="width:80pt">Amount</th></tr></thead>
<tbody>{rows}</tbody>
<tfoot><tr><td></td><td></td><td></td><td class=r>Net</td><td class=r>{eur(t['net'])}</td></tr><tr><td></td><td></td><td></td><td class=r>VAT 19%</td><td class=r>{eur(t['vat'])}</td></tr>
<tr><td></td><td></td><td></td><td class=r><b>Total</b></td><td class=r><b>{eur(t['gross'])}</b></td></tr></tfoot></table>
<p style="font-size:8.5pt">Notes: {d['notes']}</p>
<p style="font-size:8.5pt">Please pay by 4. April 2024. Questions? <a href="mailto:{c['email']}">Write to us</a> or visit <a href="https://example.com/help"><i>our help centre</i></a>.</p>
<div style="break-inside:avoid"><img src="data:image/png;base64,{b64('signature.png')}" style="height:40pt"><div style="border-top:0.75pt solid #333;width:180pt"></div>
<div style="font-size:8.5pt">Approved by {c['name']}</div><div style="font-size:7.6pt;color:#595959">5. März 2024</div></div>
</body></html>"""

def report_html(d):
    rows = "".join(
        f"<tr><td>{r['id']}</td><td>{r['date']}</td><td>{r['region'].upper()}</td><td>{r['customer']}</td>"
        f"<td class=r>{r['units']:,}</td><td class=r>{usd(r['revenue'])}</td><td class=r>{round(r['margin']*100)}%</td></tr>" for r in d["rows"])
    css = CSS_BASE.replace("18mm 18mm 20mm 18mm", "15mm").replace("9.5pt", "8pt").replace('"Page " counter(page) " of " counter(pages)', 'counter(page) " / " counter(pages)')
    css += "th { background:#eee; color:#222 } td, th { border: 0.5pt solid #c8c8c8; padding: 3pt }"
    s = d["summary"]
    return f"""<!doctype html><html><head><meta charset=utf-8><style>{css}</style></head><body>
<h1>{d['report']['title']}</h1><p>Prepared by {d['report']['owner']}. {s['count']:,} transactions, {s['units']:,} units, revenue {usd(s['revenue'])}.</p>
<table><thead><tr><th>ID</th><th>Date</th><th>Region</th><th>Customer</th><th class=r>Units</th><th class=r>Revenue</th><th class=r>Margin</th></tr></thead>
<tbody>{rows}</tbody><tfoot><tr><td></td><td></td><td></td><td><b>Total</b></td><td class=r><b>{s['units']:,}</b></td><td class=r><b>{usd(s['revenue'])}</b></td><td></td></tr></tfoot></table></body></html>"""

def letter_html(d):
    css = CSS_BASE.replace("size: A4; margin: 18mm 18mm 20mm 18mm", "size: Letter; margin: 1in").replace('"Page " counter(page) " of " counter(pages)', f'"{d["sender"]["name"]} — " counter(page) "/" counter(pages)')
    css += "body { font-size: 10.5pt; font-family: 'Noto Sans', 'Noto Sans Arabic', 'Noto Sans Hebrew', 'Noto Sans CJK JP' } p { text-align: justify }"
    s, l = d["sender"], d["letter"]
    return f"""<!doctype html><html><head><meta charset=utf-8><style>{css}</style></head><body>
<div class=r><img src="data:image/webp;base64,{b64('logo.webp')}" style="width:96pt"></div>
<p>{s['name']}<br>{s['city']}, 14 juin 2024</p><h2>{l['subject']}</h2>
<p>Madame, Monsieur, nous vous remercions de votre confiance. Ce courrier réunit plusieurs écritures afin de vérifier la mise en forme : les accents (é, è, ç, œ), les marques combinantes (é, ä, Z̧, ṩ) et les ligatures (ﬁ, office, affiche) doivent s’afficher correctement.</p>
<h3>العربية</h3><p dir=rtl>{d['arabic']['greeting']} هذه رسالة تجريبية لاختبار تشكيل النص العربي واتجاهه من اليمين إلى اليسار، مع رقم الفاتورة {l['reference']}.</p>
<h3>עברית</h3><p dir=rtl>שלום רב, זהו מכתב לדוגמה הבודק טקסט עברי מימין לשמאל.</p>
<h3>中文 · 日本語 · 한국어</h3><p>{d['cjk']['chinese']}</p><p>日本語の文章も正しく表示されるか確認します。ひらがな、カタカナ、漢字。</p><p>한국어 문장도 올바르게 표시되는지 확인합니다.</p>
<p>Veuillez agréer nos salutations distinguées.</p><img src="data:image/png;base64,{b64('signature.png')}" style="height:60pt"><div style="border-top:0.75pt solid #333;width:200pt"></div>
<div>{s['name']}</div><div style="font-size:8.4pt;color:#595959">{s['role']}</div></body></html>"""

# ---------------------------------------------------------------- Typst
TYPST_COMMON = """
#let eur(v) = {
  let cents = calc.round(v * 100)
  let whole = calc.quo(int(cents), 100)
  let frac = calc.rem(int(cents), 100)
  let s = str(whole)
  let out = ""
  let n = s.len()
  for (i, ch) in s.clusters().enumerate() {
    if i > 0 and calc.rem(n - i, 3) == 0 { out += "." }
    out += ch
  }
  out + "," + (if frac < 10 { "0" } else { "" }) + str(frac) + sym.space.nobreak + "€"
}
#let usd(v) = {
  let cents = calc.round(v * 100)
  let whole = calc.quo(int(cents), 100)
  let frac = calc.rem(int(cents), 100)
  let s = str(whole)
  let out = ""
  let n = s.len()
  for (i, ch) in s.clusters().enumerate() {
    if i > 0 and calc.rem(n - i, 3) == 0 { out += "," }
    out += ch
  }
  "$" + out + "." + (if frac < 10 { "0" } else { "" }) + str(frac)
}
"""

TYPST_INVOICE = TYPST_COMMON + """
#let d = json(bytes(sys.inputs.data))
#set page(paper: "a4", margin: (top: 18mm, x: 18mm, bottom: 20mm),
  footer: context [#set text(7.5pt, fill: rgb("#666")); #d.company.name · IBAN #d.company.iban #h(1fr) Page #counter(page).display() of #counter(page).final().first()])
#set text(font: "Noto Sans", size: 9.5pt, fill: rgb("#222"))
#grid(columns: (1fr, 1fr), image("logo.png", width: 120pt), align(right, text(8pt, fill: rgb("#555"))[#d.company.name \\ #d.company.street \\ #d.company.city \\ #d.company.email]))
#line(length: 100%, stroke: 1pt + rgb("#3a4a9a"))
#grid(columns: (1fr, 1fr), gutter: 24pt, [#text(7.5pt, fill: rgb("#777"))[Bill to] \\ *#d.customer.name* \\ #d.customer.street \\ #d.customer.city],
  table(columns: (45%, 1fr), stroke: none, [*Invoice no.*], d.invoice.number, [*Date*], [5. März 2024], [*Due*], [04.04.2024], [*Status*], [Open]))
#heading(level: 1)[Invoice #d.invoice.number]
#table(columns: (30pt, 1fr, 40pt, 72pt, 80pt), stroke: (x: none, y: 0.5pt + rgb("#ccc")),
  fill: (x, y) => if y == 0 { rgb("#3a4a9a") } else if calc.even(y) { rgb("#f5f6fa") },
  align: (x, y) => if x >= 2 { right } else { left },
  table.header(..("#", "Description", "Qty", "Unit price", "Amount").map(h => text(fill: white, weight: "bold", h))),
  ..d.lineItems.enumerate().map(((i, it)) => (str(i + 1), it.description, str(it.quantity), eur(it.unitPrice), eur(it.amount))).flatten(),
  [], [], [], [Net], eur(d.totals.net), [], [], [], [VAT 19%], eur(d.totals.vat), [], [], [], [*Total*], [*#eur(d.totals.gross)*])
#text(8.5pt)[Notes: #d.notes]

#text(8.5pt)[Please pay by 4. April 2024. Questions? #link("mailto:" + d.company.email)[Write to us] or visit #link("https://example.com/help")[_our help centre_].]
#block(breakable: false)[#image("signature.png", height: 40pt) #line(length: 180pt, stroke: 0.75pt) #text(8.5pt)[Approved by #d.company.name] \\ #text(7.6pt, fill: rgb("#595959"))[5. März 2024]]
"""

TYPST_REPORT = TYPST_COMMON + """
#let d = json(bytes(sys.inputs.data))
#set page(paper: "a4", margin: 15mm, footer: context align(center, text(7.5pt, fill: rgb("#666"))[#counter(page).display() / #counter(page).final().first()]))
#set text(font: "Noto Sans", size: 8pt)
#heading(level: 1)[#d.report.title]
Prepared by #d.report.owner. #d.summary.count transactions, #d.summary.units units, revenue #usd(d.summary.revenue).
#table(columns: (52pt, 62pt, 58pt, 1fr, 44pt, 78pt, 46pt), stroke: 0.5pt + rgb("#c8c8c8"), inset: 3pt,
  fill: (x, y) => if y == 0 { rgb("#eee") }, align: (x, y) => if x >= 4 { right } else { left },
  table.header([*ID*], [*Date*], [*Region*], [*Customer*], [*Units*], [*Revenue*], [*Margin*]),
  ..d.rows.map(r => (r.id, r.date, upper(r.region), r.customer, str(r.units), usd(r.revenue), str(calc.round(r.margin * 100)) + "%")).flatten(),
  [], [], [], [*Total*], [*#d.summary.units*], [*#usd(d.summary.revenue)*], [])
"""

TYPST_LETTER = """
#let d = json(bytes(sys.inputs.data))
#set page(paper: "us-letter", margin: 1in, footer: context align(center, text(8pt, fill: rgb("#777"))[#d.sender.name — #counter(page).display()/#counter(page).final().first()]))
#set text(font: ("Noto Sans", "Noto Sans Arabic", "Noto Sans Hebrew", "Noto Sans CJK JP"), size: 10.5pt)
#set par(justify: true)
#align(right, image("logo.webp", width: 96pt))
#d.sender.name \\ #d.sender.city, 14 juin 2024
#heading(level: 2)[#d.letter.subject]
Madame, Monsieur, nous vous remercions de votre confiance. Ce courrier réunit plusieurs écritures afin de vérifier la mise en forme : les accents (é, è, ç, œ), les marques combinantes (é, ä, Z̧, ṩ) et les ligatures (ﬁ, office, affiche) doivent s’afficher correctement.
#heading(level: 3)[العربية]
#text(dir: rtl)[#d.arabic.greeting هذه رسالة تجريبية لاختبار تشكيل النص العربي واتجاهه من اليمين إلى اليسار، مع رقم الفاتورة #d.letter.reference.]
#heading(level: 3)[עברית]
#text(dir: rtl)[שלום רב, זהו מכתב לדוגמה הבודק טקסט עברי מימין לשמאל.]
#heading(level: 3)[中文 · 日本語 · 한국어]
#d.cjk.chinese

日本語の文章も正しく表示されるか確認します。ひらがな、カタカナ、漢字。

한국어 문장도 올바르게 표시되는지 확인합니다.

Veuillez agréer nos salutations distinguées.
#image("signature.png", height: 60pt)
#line(length: 200pt, stroke: 0.75pt)
#d.sender.name \\ #text(8.4pt, fill: rgb("#595959"))[#d.sender.role]
"""

CASES = [
    ("invoice-12", "invoice.data.json", invoice_html, TYPST_INVOICE),
    ("invoice-300", "invoice-300.data.json", invoice_html, TYPST_INVOICE),
    ("report-1000", "report-1000.data.json", report_html, TYPST_REPORT),
    ("letter-multiscript", "letter.data.json", letter_html, TYPST_LETTER),
]

def cpu_busy(seconds=1.0):
    """Fraction of all CPU time spent busy over `seconds` (from /proc/stat)."""
    def snap():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return sum(v), v[3] + v[4]
    t0, i0 = snap(); time.sleep(seconds); t1, i1 = snap()
    return 1 - (i1 - i0) / max(1, t1 - t0)

def wait_idle(limit=0.15, timeout=900):
    """Waits until the machine is idle (other work would distort timings); returns the busy fraction seen."""
    start = time.time()
    busy = cpu_busy()
    while busy > limit and time.time() - start < timeout:
        busy = cpu_busy(2.0)
    return busy

def pct(samples, p):
    s = sorted(samples)
    return s[min(len(s) - 1, max(0, int(-(-len(s) * p // 1)) - 1))]

def typst_dir(case):
    name, data_file, _, typ = case
    d = tempfile.mkdtemp(prefix=f"typst-{name}-")
    with open(os.path.join(d, "main.typ"), "w", encoding="utf-8") as f: f.write(typ)
    with open(os.path.join(d, "data.json"), "w", encoding="utf-8") as f: json.dump(load(data_file), f)
    for a in ("logo.png", "logo.webp", "signature.png"):
        with open(os.path.join(ASSETS, a), "rb") as src, open(os.path.join(d, a), "wb") as dst: dst.write(src.read())
    return d

def vary(value, i):
    """A distinct variant of the data for iteration i (numbers shifted, longer texts suffixed), so that
    no engine can answer from a cache of an identical earlier compile (Typst memoizes layout across compiles)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str):
        if i == 0 or len(value.encode()) < 12 or value.startswith("asset:") or (value[4] == "-" and value[7] == "-" and value[:4].isdigit()):
            return value
        return f"{value} {i}"
    if isinstance(value, (int, float)):
        return round(value + i * 0.01, 2)
    if isinstance(value, list):
        return [vary(v, i) for v in value]
    return {k: vary(v, i) for k, v in value.items()}

# One render function per engine, called as render(i) with a distinct data variant per i; each returns
# PDF bytes. Engines are imported lazily per process; variants are prepared before any timing.
def make_renderer(engine, case):
    """Returns (prepare, run): prepare(i) builds the input of iteration i (not timed), run(input) renders."""
    name, data_file, html_fn, _ = case
    data = load(data_file)
    if engine == "typst":
        import typst
        d = typst_dir(case)
        # A Compiler keeps fonts loaded between compiles, as a server would.
        comp = typst.Compiler(os.path.join(d, "main.typ"), sys_inputs={"data": json.dumps(data)})
        return (lambda i: json.dumps(vary(data, i))), (lambda inp: comp.compile(sys_inputs={"data": inp}))
    if engine == "weasyprint":
        import logging
        logging.getLogger("weasyprint").setLevel(logging.ERROR)
        logging.getLogger("fontTools").setLevel(logging.ERROR)
        from weasyprint import HTML
        return (lambda i: html_fn(vary(data, i))), (lambda doc: HTML(string=doc).write_pdf())
    raise ValueError(engine)

def parallel_worker(engine, case_index, n, barrier, results):
    """One throughput worker: sets up a warm renderer and its inputs, waits for the others, then renders."""
    case = CASES[case_index]
    if engine == "chromium":
        from playwright.sync_api import sync_playwright
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            page = browser.new_page()
            docs = [case[2](vary(load(case[1]), 1000 + k)) for k in range(n)]
            page.set_content(docs[0]); page.pdf(prefer_css_page_size=True)
            barrier.wait()
            t0 = time.perf_counter()
            for doc in docs:
                page.set_content(doc, wait_until="load"); page.pdf(prefer_css_page_size=True, print_background=True)
            results.put((time.perf_counter() - t0, chromium_rss_mb()))
            browser.close()
        return
    prepare, run = make_renderer(engine, case)
    run(prepare(0))
    inputs = [prepare(1000 + os.getpid() % 997 * 100 + i) for i in range(n)]
    barrier.wait()
    t0 = time.perf_counter()
    for inp in inputs: run(inp)
    results.put((time.perf_counter() - t0, vm_hwm_mb()))

def throughput(engine, case, iterations, procs):
    """PDFs/s with `procs` worker processes rendering at the same time (the GIL rules out threads)."""
    ctx = mp.get_context("spawn")
    per = max(1, iterations // procs)
    barrier, results = ctx.Barrier(procs), ctx.Queue()
    ps = [ctx.Process(target=parallel_worker, args=(engine, CASES.index(case), per, barrier, results)) for _ in range(procs)]
    for p in ps: p.start()
    res = [results.get() for _ in ps]
    for p in ps: p.join()
    return per * procs / max(r[0] for r in res), max(r[1] for r in res)

def bench_inprocess(engine, case, iterations, procs):
    prepare, run = make_renderer(engine, case)
    for i in range(2): pdf = run(prepare(i))
    samples = []
    for i in range(iterations):
        inp = prepare(2 + i)
        t0 = time.perf_counter(); pdf = run(inp); samples.append((time.perf_counter() - t0) * 1000)
    # RSS from the throughput workers: fresh processes per case (this process has run every earlier case).
    tput, worker_rss = throughput(engine, case, iterations, procs)
    return dict(p50=pct(samples, .5), p95=pct(samples, .95), p99=pct(samples, .99), pdfs_per_s=tput,
                bytes=len(pdf), rss_mb=worker_rss)

def vm_hwm_mb():
    """Peak RSS of this process image (VmHWM). Not ru_maxrss: Linux carries that across exec, so a spawned
    worker would report the size of the process it was forked from."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0

def chromium_rss_mb():
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit(): continue
        try:
            with open(f"/proc/{pid}/status") as f: st = f.read()
        except OSError: continue
        if "Name:\tchrom" in st or "Name:\theadless_shell" in st:
            for line in st.splitlines():
                if line.startswith("VmRSS:"): total += int(line.split()[1])
    return total / 1024

def bench_chromium(case, iterations, procs):
    from playwright.sync_api import sync_playwright
    name, data_file, html_fn, _ = case
    doc = html_fn(load(data_file))
    exe = "/usr/bin/chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=["--no-sandbox"])
        page = browser.new_page()
        def render(pg):
            pg.set_content(doc, wait_until="load")
            return pg.pdf(format="A4" if "letter" not in name else "Letter", print_background=True, prefer_css_page_size=True)
        for _ in range(2): pdf = render(page)
        samples = []
        for _ in range(iterations):
            t0 = time.perf_counter(); pdf = render(page); samples.append((time.perf_counter() - t0) * 1000)
        rss = chromium_rss_mb()
        browser.close()
    tput, _ = throughput("chromium", case, iterations, procs)
    return dict(p50=pct(samples, .5), p95=pct(samples, .95), p99=pct(samples, .99), pdfs_per_s=tput,
                bytes=len(pdf), rss_mb=rss)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ours", required=True, help="JSON written by `craftkit bench render --json`")
    ap.add_argument("--out", default=os.path.join(ROOT, "BENCHMARKS.md"))
    ap.add_argument("--iterations", type=int, default=40)
    ap.add_argument("--procs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--engines", default="typst,weasyprint,chromium")
    ap.add_argument("--note", default="", help="an extra line for the report (e.g. how the Craftkit numbers were produced)")
    ap.add_argument("--wait-idle", action="store_true", help="before each measurement, wait until the CPUs are idle (shared machines)")
    ap.add_argument("--notes-file", default=os.path.join(ROOT, "Benchmarks", "NOTES.md"), help="Markdown appended to the report (analysis)")
    a = ap.parse_args()
    with open(a.ours) as f: ours = json.load(f)
    results = {"craftkit": {r["name"]: dict(p50=r["p50Ms"], p95=r["p95Ms"], p99=r["p99Ms"], pdfs_per_s=r["pdfsPerSecond"], bytes=r["bytes"],
                                            rss_mb=r.get("rssMB", ours["peakRSSMB"])) for r in ours["results"]}}
    versions = {}
    for engine in a.engines.split(","):
        results[engine] = {}
        for case in CASES:
            n = a.iterations if case[0] in ("invoice-12", "letter-multiscript") else max(5, a.iterations // 4)
            if a.wait_idle:
                wait_idle()
            try:
                r = bench_chromium(case, n, a.procs) if engine == "chromium" else bench_inprocess(engine, case, n, a.procs)
            except Exception as e:  # an engine missing on this machine is reported, not fatal
                print(f"{engine} {case[0]}: {e}", file=sys.stderr); r = None
            results[engine][case[0]] = r
            if r: print(f"{engine:10} {case[0]:20} p50 {r['p50']:8.2f} ms  {r['pdfs_per_s']:7.1f} PDFs/s  {r['bytes']/1024:7.1f} KB", file=sys.stderr)
    try:
        import typst; versions["typst"] = getattr(typst, "__version__", "?")
    except Exception: pass
    try:
        import weasyprint; versions["weasyprint"] = weasyprint.__version__
    except Exception: pass
    try:
        versions["chromium"] = subprocess.run(["/usr/bin/chromium", "--version"], capture_output=True, text=True).stdout.strip()
    except Exception: pass
    write_markdown(a, ours, results, versions)

def write_markdown(a, ours, results, versions):
    cpu = ""
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except Exception: pass
    mem = ""
    try:
        mem = f"{int(next(l.split()[1] for l in open('/proc/meminfo') if l.startswith('MemTotal'))) // 1024} MB"
    except Exception: pass
    lines = ["# Benchmarks", "",
             f"Render engine benchmark, generated by `make bench` on {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}.", "",
             f"- Machine: {cpu}, {os.cpu_count()} cores, {mem} RAM, {platform.system()} {platform.release()}",
             f"- Commands: `craftkit bench render --iterations N --json bench-out/render.json` then `python3 Benchmarks/peers.py --ours bench-out/render.json --iterations {a.iterations}`",
             f"- Peers: " + ", ".join(f"{k} {v}" for k, v in versions.items()),
             "- Latency: sequential renders on one core, warm (fonts loaded; Chromium: one warm browser page, `setContent` + `page.pdf`, as Craftkit's Puppeteer pipeline does).",
             f"- Throughput: PDFs/s with {a.procs} renders in flight (Craftkit: concurrent tasks in one process; Typst/WeasyPrint: worker processes; Chromium: one warm browser per worker).",
             "- RSS: Craftkit RSS of the benchmark process right after the case (cases run in the order shown); Typst/WeasyPrint: peak RSS of a throughput worker (a fresh process per case); Chromium: sum over its processes after the latency run.",
             "- Inputs: Craftkit renders `Fixtures/render/*.json`; the peers render equivalent HTML (WeasyPrint, Chromium) and Typst markup built by this script from the same data files. Every timed render (Craftkit's too) gets a distinct data variant (numbers shifted by 0.01·i, texts of 12+ UTF-8 bytes other than dates suffixed with i; the same rule as `RenderBenchmark.variant`), so no engine answers from a cache of an identical earlier compile.",
             *([f"- Note: {a.note}"] if a.note else []), "",
             "| case | engine | p50 ms | p95 ms | p99 ms | PDFs/s | size KB | RSS MB | latency ratio | throughput ratio |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for case in [c[0] for c in CASES]:
        base = results["craftkit"].get(case)
        for engine in results:
            r = results[engine].get(case)
            if not r:
                lines.append(f"| {case} | {engine} | – | – | – | – | – | – | – | – |"); continue
            ratio = f"{r['p50'] / base['p50']:.1f}×" if base and engine != "craftkit" else "1×"
            tput = f"{base['pdfs_per_s'] / r['pdfs_per_s']:.1f}×" if base and engine != "craftkit" else "1×"
            lines.append(f"| {case} | {engine} | {r['p50']:.2f} | {r['p95']:.2f} | {r['p99']:.2f} | {r['pdfs_per_s']:.1f} | {r['bytes']/1024:.1f} | {r['rss_mb']:.0f} | {ratio} | {tput} |")
    lines += ["", "Latency ratio = the engine's p50 ÷ Craftkit's p50; throughput ratio = Craftkit's PDFs/s ÷ the engine's PDFs/s. Above 1× means Craftkit is faster.", ""]
    c = results["craftkit"]
    def target(label, value, unit, limit, ok):
        return f"| {label} | {value:.1f} {unit} | {limit} | {'met' if ok else 'missed'} |"
    inv, inv300 = c.get("invoice-12"), c.get("invoice-300")
    latin_rss = max(c[k]["rss_mb"] for k in ("invoice-12", "invoice-300", "report-1000") if k in c)
    if inv and inv300:
        lines += ["## Targets (issue 3)", "", "| target | measured | goal | |", "|---|---:|---:|---|",
                  target("1-page invoice p50, one core", inv["p50"], "ms", "≤ 5 ms", inv["p50"] <= 5),
                  target("300-row invoice p50", inv300["p50"], "ms", "≤ 60 ms", inv300["p50"] <= 60),
                  target(f"1-page invoices per second, {a.procs} cores", inv["pdfs_per_s"], "PDFs/s", "≥ 300", inv["pdfs_per_s"] >= 300),
                  target("steady RSS, Latin documents", latin_rss, "MB", "≤ 120 MB", latin_rss <= 120),
                  target("RSS after the CJK letter", ours["peakRSSMB"], "MB", "≤ 120 MB", ours["peakRSSMB"] <= 120),
                  target("1-page invoice size", inv["bytes"] / 1024, "KB", "≤ 25 KB", inv["bytes"] / 1024 <= 25), ""]
    if a.notes_file and os.path.exists(a.notes_file):
        with open(a.notes_file, encoding="utf-8") as f: lines += [f.read().rstrip(), ""]
    with open(a.out, "w", encoding="utf-8") as f: f.write("\n".join(lines) + "\n")
    print(f"wrote {a.out}", file=sys.stderr)

if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--wait-idle-only":
        print(f"busy {wait_idle():.2f}", file=sys.stderr)
    else:
        main()
