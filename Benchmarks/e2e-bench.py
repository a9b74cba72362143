#!/usr/bin/env python3
"""End-to-end render throughput through the API (issue 16), side by side in one run: enqueue ->
PDF stored -> `succeeded`, on SQLite + files and on PostgreSQL + S3, with 1 and 2 workers, as a ratio
of the in-process engine rate of the same document on the same binary (`craftkit bench render`);
queue latency p50/p99 under that load; p99 of GET /v1/renders/:id while the workers are saturated.
Prints a Markdown section for BENCHMARKS.md.

    scripts/with-s3.sh scripts/with-postgres.sh python3 Benchmarks/e2e-bench.py [--bin .build/release/craftkit] [--renders 400]

The document is the engine benchmark's 12-row invoice (Fixtures/render/invoice.json); its images are
served from a local HTTP server (CRAFTKIT_ALLOW_PRIVATE_FETCH=1), so each render also fetches them.
"""
import argparse, concurrent.futures, datetime, http.server, json, os, shutil, socket, statistics, subprocess, sys, tempfile
import threading, time, urllib.request, uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
parser = argparse.ArgumentParser()
parser.add_argument("--bin", default=os.path.join(ROOT, ".build/release/craftkit"))
parser.add_argument("--renders", type=int, default=400)
parser.add_argument("--engine-iterations", type=int, default=200, help="iterations of `craftkit bench render`")
args = parser.parse_args()
ADMIN = "e2e-bench-admin-key-0123456789"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def parse_time(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


class Assets(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *a, **k):
        super().__init__(*a, directory=os.path.join(ROOT, "Fixtures/render/assets"), **k)

    def log_message(self, *a):
        pass


assets_port = free_port()
threading.Thread(target=http.server.ThreadingHTTPServer(("127.0.0.1", assets_port), Assets).serve_forever, daemon=True).start()
asset_base = "http://127.0.0.1:%d/" % assets_port
document = json.loads(open(os.path.join(ROOT, "Fixtures/render/invoice.json")).read().replace("asset:", asset_base))
data = json.loads(open(os.path.join(ROOT, "Fixtures/render/invoice.data.json")).read().replace("asset:", asset_base))


def engine_rate():
    """PDFs/s of the same document in process, 2 renders in flight (the engine benchmark's invoice-12)."""
    with tempfile.TemporaryDirectory() as directory:
        report = os.path.join(directory, "render.json")
        subprocess.run([args.bin, "bench", "render", "--iterations", str(args.engine_iterations), "--json", report], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cases = json.load(open(report))["results"]
        return next(c for c in cases if c["name"] == "invoice-12")["pdfsPerSecond"]


def start(topology, workers, data_dir, port, database):
    env = dict(os.environ, CRAFTKIT_DATA_DIR=data_dir, CRAFTKIT_PORT=str(port), CRAFTKIT_ADMIN_KEY=ADMIN, CRAFTKIT_LOG_LEVEL="error",
               CRAFTKIT_WORKERS=str(workers), CRAFTKIT_RATE_LIMIT_PER_KEY="0", CRAFTKIT_ALLOW_PRIVATE_FETCH="1")
    if topology == "PostgreSQL + S3":
        env["CRAFTKIT_DATABASE_URL"] = os.environ["CRAFTKIT_TEST_POSTGRES_URL"].replace("/postgres?", "/%s?" % database)
        env.update(CRAFTKIT_STORAGE_URL="s3://e2e-bench/%s?endpoint=%s&region=us-east-1&path_style=1" % (
            database, os.environ["CRAFTKIT_TEST_S3_ENDPOINT"]), AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench")
    server = subprocess.Popen([args.bin, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            urllib.request.urlopen("http://127.0.0.1:%d/health" % port)
            return server
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


def stop(server):
    server.terminate()
    server.wait()


def run(topology, workers):
    """Throughput: the queue is filled with the workers off, then a server with `workers` workers
    drains it (so no client shares the CPU); latency: renders enqueued one by one at half that rate,
    each timed from enqueue to `succeeded`, with GET /v1/renders/:id timed while the workers are busy."""
    data_dir = tempfile.mkdtemp(prefix="craftkit-e2e.")
    port = free_port()
    base = "http://127.0.0.1:%d" % port
    database = "e2e_" + uuid.uuid4().hex[:10]
    if topology == "PostgreSQL + S3":
        subprocess.run(["psql", os.environ["CRAFTKIT_TEST_POSTGRES_URL"], "-qc", "CREATE DATABASE " + database], check=True)
        try:
            urllib.request.urlopen(urllib.request.Request("%s/e2e-bench" % os.environ["CRAFTKIT_TEST_S3_ENDPOINT"], method="PUT"))
        except urllib.error.HTTPError:
            pass  # it exists

    def call(method, path, key, body=None):
        request = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                         headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
        with urllib.request.urlopen(request) as response:
            return json.loads(response.read())

    def wait(key, render_id):
        while True:
            render = call("GET", "/v1/renders/" + render_id, key)
            if render["status"] in ("succeeded", "failed"):
                assert render["status"] == "succeeded", render
                return render
            time.sleep(0.02)

    try:
        server = start(topology, 0, data_dir, port, database)
        key = call("POST", "/v1/admin/provision", ADMIN, {"externalOrgId": "bench"})["apiKey"]
        call("POST", "/v1/templates", key, {"name": "Invoice", "slug": "invoice", "manifest": {"variables": [], "loops": []},
                                            "layout": document})
        warm = call("POST", "/v1/templates/invoice/render", key, {"data": data})["id"]
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            ids = list(pool.map(lambda _: call("POST", "/v1/templates/invoice/render", key, {"data": data})["id"], range(args.renders)))
        stop(server)
        server = start(topology, workers, data_dir, port, database)
        drain_started = time.time()
        wait(key, warm)
        last = wait(key, ids[-1])
        renders = [call("GET", "/v1/renders/" + i, key) for i in ids]
        assert all(r["status"] == "succeeded" for r in renders)
        rate = len(renders) / (max(parse_time(r["completedAt"]) for r in renders) - drain_started)

        # Latency at half the measured rate, and polls while the workers work.
        interval = 2 / rate
        latencies, poll_ms = [], []
        pending = []
        for _ in range(min(120, args.renders)):
            began = time.time()
            pending.append(call("POST", "/v1/templates/invoice/render", key, {"data": data})["id"])
            polled = time.monotonic()
            call("GET", "/v1/renders/" + pending[-1], key)
            poll_ms.append((time.monotonic() - polled) * 1000)
            time.sleep(max(0, interval - (time.time() - began)))
        for render_id in pending:
            render = wait(key, render_id)
            latencies.append((parse_time(render["completedAt"]) - parse_time(render["createdAt"])) * 1000)
        return {"rate": rate, "latency_p50": percentile(latencies, 50), "latency_p99": percentile(latencies, 99),
                "poll_p99": percentile(poll_ms, 99)}
    finally:
        stop(server)
        shutil.rmtree(data_dir, ignore_errors=True)


engine = engine_rate()
rows = []
topologies = ["SQLite + files"] + (["PostgreSQL + S3"] if os.environ.get("CRAFTKIT_TEST_POSTGRES_URL") and os.environ.get(
    "CRAFTKIT_TEST_S3_ENDPOINT") else [])
for topology in topologies:
    for workers in (1, 2):
        result = run(topology, workers)
        rows.append((topology, workers, result))
        print("%s, %d worker(s): %.1f renders/s" % (topology, workers, result["rate"]), file=sys.stderr)

print("## End to end through the API (issue 16) — %s, 2 cores, %s build" % (
    datetime.date.today().isoformat(), "release" if "release" in args.bin else "debug"))
print("Command: `scripts/with-s3.sh scripts/with-postgres.sh python3 Benchmarks/e2e-bench.py --renders %d`. Throughput: %d renders"
      " of the engine benchmark's 12-row invoice queued with the workers off, then drained by one `craftkit serve` process with N"
      " workers (enqueue → PDF stored → `succeeded`). Latency: 120 renders sent one by one at half that rate, each timed from"
      " `createdAt` to `completedAt`; the poll p99 is GET /v1/renders/:id right after each enqueue, while the workers render." % (
          args.renders, args.renders))
print()
print("In-process engine rate of the same document on the same binary (`craftkit bench render`, invoice-12, 2 in flight): "
      "**%.1f PDFs/s**." % engine)
print()
print("| storage | workers | renders/s end to end | share of the engine rate | enqueue → succeeded p50 | p99 | GET /v1/renders/:id p99 while rendering |")
print("|---|---:|---:|---:|---:|---:|---:|")
for topology, workers, r in rows:
    print("| %s | %d | %.1f | %.0f %% | %.0f ms | %.0f ms | %.1f ms |" % (
        topology, workers, r["rate"], 100 * r["rate"] / engine, r["latency_p50"], r["latency_p99"], r["poll_p99"]))
