#!/usr/bin/env python3
"""Fair queueing, measured (docs/operations.md#fair-queueing): tenant A enqueues a burst of renders of a
300-row invoice, then tenant B enqueues one 1-row render; prints how long B waits for `succeeded` and how
long A's burst takes. Starts its own server on SQLite with 2 workers.

    python3 Benchmarks/fairness.py [--bin .build/release/craftkit] [--burst 1500] [--cap 16]
"""
import argparse, concurrent.futures, json, os, socket, subprocess, tempfile, time, urllib.request

parser = argparse.ArgumentParser()
parser.add_argument("--bin", default=".build/release/craftkit")
parser.add_argument("--burst", type=int, default=1500)
parser.add_argument("--rows", type=int, default=300)
parser.add_argument("--workers", type=int, default=2)
parser.add_argument("--cap", type=int, default=16, help="CRAFTKIT_MAX_RUNNING_RENDERS_PER_PROJECT")
args = parser.parse_args()

sock = socket.socket(); sock.bind(("127.0.0.1", 0)); port = sock.getsockname()[1]; sock.close()
base, admin = "http://127.0.0.1:%d" % port, "fairness-admin-key-0123456789"
data_dir = tempfile.mkdtemp(prefix="craftkit-fairness.")
env = dict(os.environ, CRAFTKIT_DATA_DIR=data_dir, CRAFTKIT_PORT=str(port), CRAFTKIT_ADMIN_KEY=admin, CRAFTKIT_LOG_LEVEL="error",
           CRAFTKIT_WORKERS=str(args.workers), CRAFTKIT_RATE_LIMIT_PER_KEY="0", CRAFTKIT_MAX_RUNNING_RENDERS_PER_PROJECT=str(args.cap))
server = subprocess.Popen([args.bin, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def call(method, path, key, body=None):
    request = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def wait(key, render_id):
    while True:
        status = call("GET", "/v1/renders/" + render_id, key)["status"]
        if status in ("succeeded", "failed"):
            return status
        time.sleep(0.01)


try:
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/health"); break
        except OSError:
            time.sleep(0.1)
    manifest = {"variables": [{"key": "customer.name", "label": "Customer", "dataType": "text"}],
                "loops": [{"key": "items", "label": "Items", "itemFields": [{"key": "description", "label": "Item", "dataType": "text"},
                                                                           {"key": "qty", "label": "Qty", "dataType": "number"}]}]}
    keys = {}
    for tenant in ("a", "b"):
        keys[tenant] = call("POST", "/v1/admin/provision", admin, {"externalOrgId": "fairness-" + tenant})["apiKey"]
        call("POST", "/v1/templates", keys[tenant], {"name": "Invoice", "slug": "invoice", "manifest": manifest})
    rows = [{"description": "Line %d" % i, "qty": i} for i in range(args.rows)]
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        burst = list(pool.map(lambda _: call("POST", "/v1/templates/invoice/render", keys["a"],
                                             {"data": {"customer": {"name": "A"}, "items": rows}})["id"], range(args.burst)))
    enqueued = time.monotonic()
    single_started = time.monotonic()
    single = call("POST", "/v1/templates/invoice/render", keys["b"], {"data": {"customer": {"name": "B"}, "items": rows[:1]}})["id"]
    assert wait(keys["b"], single) == "succeeded"
    single_wait = time.monotonic() - single_started
    assert wait(keys["a"], burst[-1]) == "succeeded"
    burst_done = time.monotonic() - started
    print(json.dumps({"burst": args.burst, "rows": args.rows, "workers": args.workers, "cap": args.cap,
                      "burst_enqueue_s": round(enqueued - started, 2), "burst_total_s": round(burst_done, 2),
                      "tenant_b_wait_s": round(single_wait, 3)}))
finally:
    server.terminate(); server.wait()
