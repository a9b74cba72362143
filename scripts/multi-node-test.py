#!/usr/bin/env python3
"""The multi-node test (issue 16.2), run by scripts/multi-node-test.sh (which see); standard library only.

Starts API nodes A and B (`craftkit serve`, CRAFTKIT_WORKERS=0, no rate limit), API nodes C and D (the
same, with CRAFTKIT_RATE_LIMIT_PER_KEY=RATE_LIMIT) and two `craftkit worker` processes, all on one
PostgreSQL database and one S3 bucket, and checks, failing at the first miss:

  1. 1,000 renders sent round-robin to A and B succeed exactly once (one render row, one job, one
     claim and one `render.succeeded` delivery row each; `succeeded` with the same sha256 on both
     nodes), and PDFs download from either node with that sha256;
  2. a session minted on A refreshes on B, and its spent renew token presented again on A is 401
     `refresh_failed` and revokes the session everywhere;
  3. a webhook receiver on loopback gets exactly one delivery per render (no duplicate, none missing);
  4. `kill -9` of a worker holding leased renders loses nothing: a replacement worker starts, the dead
     worker's leases expire (CRAFTKIT_RENDER_LEASE_MS=MULTINODE_LEASE_MS, 8 s), and every render still
     succeeds exactly once;
  5. a per-key rate limit holds across nodes: 2 x RATE_LIMIT requests split over C and D within one
     minute get RATE_LIMIT accepted in all, not 2 x RATE_LIMIT;
  6. an API key revoked on A is refused on B within 2 s.

Environment (set by the shell script): MULTINODE_BIN, MULTINODE_DIR, MULTINODE_DATABASE_URL,
MULTINODE_STORAGE_URL, MULTINODE_PIDS (a file the pids of started processes are appended to).
"""

import concurrent.futures
import hashlib
import hmac
import http.server
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
import urllib.error
import urllib.request

BIN = os.environ["MULTINODE_BIN"]
WORK = os.environ["MULTINODE_DIR"]
DATABASE_URL = os.environ["MULTINODE_DATABASE_URL"]
STORAGE_URL = os.environ["MULTINODE_STORAGE_URL"]
PIDS = os.environ["MULTINODE_PIDS"]
RENDERS = int(os.environ.get("MULTINODE_RENDERS", "1000"))
SLOW_RENDERS = int(os.environ.get("MULTINODE_SLOW_RENDERS", "120"))
RATE_LIMIT = int(os.environ.get("MULTINODE_RATE_LIMIT", "100"))
WORKER_COUNT = os.environ.get("MULTINODE_WORKER_COUNT", "2")
LEASE_MS = int(os.environ.get("MULTINODE_LEASE_MS", "8000"))
ADMIN_KEY = "multinode-admin-key-0123456789"
# The load balancer's address the nodes would sit behind (the test calls each node directly).
PUBLIC_URL = "http://craftkit.multinode.test"
THREADS = 16
STARTED = time.monotonic()
# What the summary prints.
numbers = {}


class Failure(Exception):
    pass


def log(message):
    print("multinode: [%5.1f s] %s" % (time.monotonic() - STARTED, message), flush=True)


def check(condition, message):
    if not condition:
        raise Failure(message)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- processes -----------------------------------------------------------------------------------

processes = {}


def start(name, args, extra_env):
    env = {key: value for key, value in os.environ.items() if not key.startswith("CRAFTKIT_")}
    env.update({
        "CRAFTKIT_DATABASE_URL": DATABASE_URL, "CRAFTKIT_STORAGE_URL": STORAGE_URL,
        "AWS_ACCESS_KEY_ID": "multinode", "AWS_SECRET_ACCESS_KEY": "multinode-secret",
        "CRAFTKIT_ADMIN_KEY": ADMIN_KEY, "CRAFTKIT_LOG_LEVEL": "warning", "CRAFTKIT_ALLOW_PRIVATE_FETCH": "1",
        "CRAFTKIT_DATA_DIR": os.path.join(WORK, name), "CRAFTKIT_VERSION": "multinode",
        # Nodes behind one load balancer share its address: session tokens are issued for it (their
        # audience), and poll and download URLs point at it.
        "CRAFTKIT_PUBLIC_URL": PUBLIC_URL,
        # A dead worker's renders are taken again after this (30 s by default).
        "CRAFTKIT_RENDER_LEASE_MS": str(LEASE_MS),
    })
    env.update(extra_env)
    os.makedirs(env["CRAFTKIT_DATA_DIR"], exist_ok=True)
    out = open(os.path.join(WORK, name + ".log"), "ab")
    process = subprocess.Popen([BIN] + args, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    with open(PIDS, "a") as pids:
        pids.write("%d\n" % process.pid)
    processes[name] = process
    return process


def start_node(name, rate_limit):
    port = free_port()
    start(name, ["serve"], {"CRAFTKIT_PORT": str(port), "CRAFTKIT_WORKERS": "0", "CRAFTKIT_RATE_LIMIT_PER_KEY": str(rate_limit)})
    return "http://127.0.0.1:%d" % port


def start_worker(name):
    return start(name, ["worker", "--count", WORKER_COUNT], {})


def wait_ready(name, base, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        check(processes[name].poll() is None, "%s exited with %s during start-up" % (name, processes[name].returncode))
        try:
            with urllib.request.urlopen(base + "/v1/health/ready", timeout=2) as response:
                if response.status == 200:
                    return
        except (OSError, urllib.error.HTTPError):
            pass
        time.sleep(0.1)
    raise Failure("%s (%s) not ready after %d s" % (name, base, timeout))


def stop_all():
    for name, process in processes.items():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 10
    for process in processes.values():
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def tail_logs():
    for name, process in processes.items():
        path = os.path.join(WORK, name + ".log")
        code = process.poll()
        try:
            lines = open(path, errors="replace").read().splitlines()[-15 if code is None else -60:]
        except OSError:
            continue
        state = "running" if code is None else "exited with %d" % code
        if code == 0:
            state += ": a clean exit, so SIGTERM or SIGINT from outside the test"
        print("---- %s (pid %d, %s): last lines of its log ----" % (name, process.pid, state), file=sys.stderr)
        for line in lines:
            print("    " + line, file=sys.stderr)


# --- HTTP and SQL ----------------------------------------------------------------------------------

def call(base, method, path, key=None, body=None, expect=None):
    """(status, parsed JSON or raw bytes, headers). `expect`: the status wanted, else a Failure."""
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"} if data is not None else {}
    if key:
        headers["Authorization"] = "Bearer " + key
    request = urllib.request.Request(base + path, method=method, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, raw, got = response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        status, raw, got = error.code, error.read(), error.headers
    except (OSError, urllib.error.URLError) as error:
        raise Failure("%s %s%s: %s: %s" % (method, base, path, type(error).__name__, error)) from error
    parsed = raw
    if (got.get("Content-Type") or "").startswith("application/json") and raw:
        parsed = json.loads(raw)
    if expect is not None and status != expect:
        raise Failure("%s %s%s answered %d, wanted %d: %r" % (method, base, path, status, expect, raw[:300]))
    return status, parsed, got


def sql(query):
    """Rows of a query as lists of strings (psql, unaligned, tab-separated)."""
    result = subprocess.run(["psql", DATABASE_URL, "-X", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", query],
                            capture_output=True, text=True)
    check(result.returncode == 0, "psql failed: %s" % result.stderr.strip())
    return [line.split("\t") for line in result.stdout.splitlines() if line]


def quoted(value):
    return "'" + value.replace("'", "''") + "'"


def parallel(function, items):
    with concurrent.futures.ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(function, items))


# --- the webhook receiver ------------------------------------------------------------------------

deliveries = []
deliveries_lock = threading.Lock()
webhook_secret = {}


class Receiver(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        secret = webhook_secret.get("secret", "")
        signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        event = json.loads(body)
        with deliveries_lock:
            deliveries.append({
                "delivery": self.headers.get("x-craftkit-delivery-id"), "event": self.headers.get("x-craftkit-event-id"),
                "type": self.headers.get("x-craftkit-event-type"),
                "render": event.get("renderId") or (event.get("data") or {}).get("id"),
                "download": event.get("downloadUrl") or (event.get("data") or {}).get("downloadUrl") or "",
                "signed": hmac.compare_digest(signature, self.headers.get("x-craftkit-signature") or ""),
            })
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


# --- the checks ----------------------------------------------------------------------------------

SMALL_TEMPLATE = {"name": "Multi", "manifest": {
    "variables": [{"key": "n", "label": "N", "dataType": "number", "required": True},
                  {"key": "customer", "label": "Customer", "dataType": "text"}], "loops": []}}
SLOW_TEMPLATE = {"name": "Slow", "manifest": {
    "variables": [{"key": "n", "label": "N", "dataType": "number", "required": True}],
    "loops": [{"key": "items", "label": "Items", "itemFields": [
        {"key": "description", "label": "Item", "dataType": "text"}, {"key": "qty", "label": "Qty", "dataType": "number"}]}]}}


def provision(base, org):
    _, body, _ = call(base, "POST", "/v1/admin/provision", ADMIN_KEY,
                      {"externalOrgId": org, "name": org, "allowedOrigins": ["https://app.example.com"]}, expect=200)
    return body["apiKey"], body["projectId"]


def wait_for(description, predicate, timeout, every=0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise Failure("%s: not after %d s" % (description, timeout))
        time.sleep(every)


def render_counts(project):
    rows = sql("SELECT status, COUNT(*) FROM renders WHERE project_id = %s GROUP BY status" % quoted(project))
    return {status: int(count) for status, count in rows}


def exactly_once(project, count, label, retried=()):
    """One render row, one finished job and one success per render of `project`; jobs not in `retried`
    were claimed once."""
    counts = render_counts(project)
    check(counts == {"succeeded": count}, "%s: render rows by status %s, wanted {'succeeded': %d}" % (label, counts, count))
    rows = sql("""
        SELECT r.id, COUNT(j.id), MIN(j.status), MAX(j.status), MAX(j.attempts), MAX(j.lease_owner),
               BOOL_AND(r.completed_at IS NOT NULL AND r.sha256 IS NOT NULL AND r.blob_key IS NOT NULL)
        FROM renders r LEFT JOIN jobs j ON j.subject_id = r.id AND j.kind = 'render'
        WHERE r.project_id = %s GROUP BY r.id""" % quoted(project))
    check(len(rows) == count, "%s: %d render rows, wanted %d" % (label, len(rows), count))
    for render, jobs, low, high, attempts, owner, complete in rows:
        check(jobs == "1", "%s: render %s has %s render jobs" % (label, render, jobs))
        check(low == high == "done" and owner == "", "%s: render %s's job is %s/%s (owner %r), not done" % (label, render, low, high, owner))
        check(complete == "t", "%s: render %s has no completion (completed_at, sha256, blob)" % (label, render))
        if render not in retried:
            check(attempts == "1", "%s: render %s's job was claimed %s times" % (label, render, attempts))
    blobs = sql("SELECT COUNT(DISTINCT blob_key) FROM renders WHERE project_id = %s" % quoted(project))[0][0]
    check(int(blobs) == count, "%s: %s distinct blobs for %d renders" % (label, blobs, count))


def same_everywhere(nodes, key, ids, label):
    """GET /v1/renders/:id is succeeded with one sha256 on every node; returns {id: sha256}."""
    def one(render_id):
        seen = set()
        for base in nodes:
            _, render, _ = call(base, "GET", "/v1/renders/" + render_id, key, expect=200)
            check(render["status"] == "succeeded", "%s: render %s is %s on %s" % (label, render_id, render["status"], base))
            check(render["id"] == render_id, "%s: asked for %s, got %s" % (label, render_id, render["id"]))
            check((render.get("downloadUrl") or "").startswith(PUBLIC_URL + "/"),
                  "%s: render %s's downloadUrl on %s is %r, not under %s" % (label, render_id, base, render.get("downloadUrl"), PUBLIC_URL))
            seen.add(render["sha256"])
        check(len(seen) == 1, "%s: render %s has different sha256 on the nodes: %s" % (label, render_id, seen))
        return render_id, seen.pop()
    return dict(parallel(one, ids))


def downloads(nodes, key, shas, sample, label):
    """PDFs of `sample` ids download from every node with the recorded sha256."""
    def one(render_id):
        for base in nodes:
            _, pdf, _ = call(base, "GET", "/v1/renders/%s/download" % render_id, key, expect=200)
            check(isinstance(pdf, bytes) and pdf.startswith(b"%PDF-"), "%s: %s from %s is not a PDF" % (label, render_id, base))
            digest = hashlib.sha256(pdf).hexdigest()
            check(digest == shas[render_id], "%s: %s from %s has sha256 %s, the record says %s" % (label, render_id, base, digest, shas[render_id]))
    parallel(one, sample)


def renders_on_both_nodes(a, b, key, project):
    check_started = time.monotonic()
    call(a, "PUT", "/v1/templates/multi", key, SMALL_TEMPLATE, expect=201)
    nodes = [a, b]

    def enqueue(i):
        base = nodes[i % 2]
        _, render, _ = call(base, "POST", "/v1/templates/multi/render", key, {"data": {"n": i, "customer": "Customer %d" % i}}, expect=202)
        return render["id"]

    started = time.monotonic()
    ids = parallel(enqueue, range(RENDERS))
    enqueued = time.monotonic() - started
    check(len(set(ids)) == RENDERS, "1: %d distinct render ids for %d requests" % (len(set(ids)), RENDERS))
    log("1: %d renders enqueued round-robin on A and B in %.1f s (%.0f/s)" % (RENDERS, enqueued, RENDERS / enqueued))

    def done():
        counts = render_counts(project)
        check(counts.get("failed", 0) == 0, "1: %d renders failed" % counts.get("failed", 0))
        return counts.get("succeeded", 0) == RENDERS
    wait_for("1: %d renders succeeded" % RENDERS, done, timeout=150)
    total = time.monotonic() - started
    numbers["renders"] = "%d renders in %.1f s end to end (%.1f renders/s; enqueue %.1f s, queue drained %.1f s after the last enqueue)" % (
        RENDERS, total, RENDERS / total, enqueued, total - enqueued)
    log("1: all %d succeeded after %.1f s (%.1f renders/s end to end)" % (RENDERS, total, RENDERS / total))

    exactly_once(project, RENDERS, "1")
    shas = same_everywhere(nodes, key, ids, "1")
    records = dict(sql("SELECT id, sha256 FROM renders WHERE project_id = %s" % quoted(project)))
    check(all(records[i] == shas[i] for i in ids), "1: a sha256 the API answers differs from the render row")
    sample = random.sample(ids, min(50, len(ids)))
    downloads(nodes, key, shas, sample, "1")
    log("1: every render succeeded once (1 row, 1 job claimed once, 1 blob), reads succeeded with one sha256 on A and B; "
        "%d PDFs downloaded from both nodes with that sha256 (%.1f s)" % (len(sample), time.monotonic() - check_started))
    return ids


def webhooks_once(endpoint, ids, started):
    expected = set(ids)

    def drained():
        rows = sql("SELECT status, COUNT(*) FROM webhook_deliveries WHERE endpoint_id = %s GROUP BY status" % quoted(endpoint))
        with deliveries_lock:
            received = len(deliveries)
        pending = sum(int(n) for status, n in rows if status not in ("delivered", "succeeded"))
        return received >= len(expected) and pending == 0

    wait_for("3: %d webhook deliveries" % len(expected), drained, timeout=60)
    drain = time.monotonic() - started
    time.sleep(2)  # Room for a duplicate to arrive.
    with deliveries_lock:
        got = list(deliveries)
    delivery_ids = [d["delivery"] for d in got]
    event_ids = [d["event"] for d in got]
    renders = [d["render"] for d in got]
    check(all(d["type"] == "render.succeeded" for d in got), "3: an event other than render.succeeded arrived")
    check(all(d["signed"] for d in got), "3: a delivery's x-craftkit-signature does not verify")
    # Deliverers run in every process (API nodes and workers): each must link to the shared address.
    strays = [d["download"] for d in got if not d["download"].startswith(PUBLIC_URL + "/")]
    check(not strays, "3: %d deliveries link elsewhere than %s, e.g. %s" % (len(strays), PUBLIC_URL, strays[:2]))
    check(len(set(delivery_ids)) == len(delivery_ids), "3: %d duplicate delivery ids" % (len(delivery_ids) - len(set(delivery_ids))))
    check(len(set(event_ids)) == len(event_ids), "3: %d duplicate event ids" % (len(event_ids) - len(set(event_ids))))
    check(len(renders) == len(set(renders)), "3: %d renders notified more than once" % (len(renders) - len(set(renders))))
    missing = expected - set(renders)
    check(not missing, "3: %d renders never notified, e.g. %s" % (len(missing), sorted(missing)[:3]))
    check(set(renders) == expected, "3: deliveries for renders not sent: %s" % sorted(set(renders) - expected)[:3])
    rows = sql("""SELECT COUNT(*), COUNT(DISTINCT subject_id), COUNT(DISTINCT event_id) FROM webhook_deliveries
                  WHERE endpoint_id = %s AND event_type = 'render.succeeded'""" % quoted(endpoint))
    check(rows[0] == [str(len(expected))] * 3, "3: delivery rows (rows, renders, events) = %s, wanted %d each" % (rows[0], len(expected)))
    numbers["webhooks"] = "%d deliveries, %d distinct, 0 duplicates, 0 missing; all delivered %.1f s after the first enqueue" % (
        len(got), len(set(delivery_ids)), drain)
    log("3: %d webhook deliveries, one per render, signed, no duplicate, none missing (drained %.1f s after the first enqueue)" % (len(got), drain))


def session_across_nodes(a, b, key):
    call(a, "PUT", "/v1/templates/invoice", key, SMALL_TEMPLATE, expect=201)
    _, minted, _ = call(a, "POST", "/v1/embed/sessions", key, {
        "tenant": {"externalId": "tenant-1", "displayName": "Tenant 1"}, "actor": {"externalId": "user-1"},
        "scope": {"mode": "edit", "templateExternalId": "invoice"}}, expect=200)
    check("session_token" in minted and "renew_token" in minted, "2: minting a session on A failed: %r" % minted)
    _, refreshed, _ = call(b, "POST", "/v1/embed/sessions/refresh", key, {"renewToken": minted["renew_token"]}, expect=200)
    check(refreshed["session_id"] == minted["session_id"], "2: the refresh on B answered another session")
    check(refreshed["renew_token"] != minted["renew_token"] and refreshed["session_token"] != minted["session_token"],
          "2: the refresh on B did not rotate the tokens")
    for base in (a, b):
        call(base, "GET", "/v1/embed/session", refreshed["session_token"], expect=200)
    status, error, _ = call(a, "POST", "/v1/embed/sessions/refresh", key, {"renewToken": minted["renew_token"]})
    # The partner-key embed routes answer credential errors flat: {"error": "<code>"} (docs/decisions/0003).
    code = error.get("error") if isinstance(error, dict) else None
    code = code.get("code") if isinstance(code, dict) else code
    check(status == 401 and code == "refresh_failed",
          "2: the spent renew token again on A answered %d %r, wanted 401 refresh_failed" % (status, error))
    for base, name in ((a, "A"), (b, "B")):
        status, _, _ = call(base, "GET", "/v1/embed/session", refreshed["session_token"])
        check(status == 401, "2: after the reuse, the session's latest token still answers %d on %s" % (status, name))
    status, _, _ = call(b, "POST", "/v1/embed/sessions/refresh", key, {"renewToken": refreshed["renew_token"]})
    check(status == 401, "2: after the reuse, the latest renew token still refreshes on B (%d)" % status)
    log("2: a session minted on A refreshed on B; its spent renew token on A was 401 refresh_failed and revoked the session on both nodes")


def revoke_across_nodes(a, b, key):
    _, created, _ = call(a, "POST", "/v1/keys", key, {"name": "revoke-me"}, expect=201)
    check("key" in created and "id" in created, "6: creating a key failed: %r" % created)
    call(b, "GET", "/v1/keys", created["key"], expect=200)
    call(a, "DELETE", "/v1/keys/" + created["id"], key, expect=200)
    revoked = time.monotonic()
    while True:
        status, _, _ = call(b, "GET", "/v1/keys", created["key"])
        waited = time.monotonic() - revoked
        if status == 401:
            break
        check(status == 200, "6: the revoked key on B answered %d" % status)
        check(waited < 2, "6: the key revoked on A still works on B after %.1f s" % waited)
        time.sleep(0.05)
    numbers["revocation"] = "refused on B %.0f ms after the revocation on A" % (waited * 1000)
    log("6: the key revoked on A was refused (401) on B after %.0f ms" % (waited * 1000))


def rate_limit_across_nodes(a, c, d, key):
    _, created, _ = call(a, "POST", "/v1/keys", key, {"name": "rate-limited"}, expect=201)
    limited = created["key"]
    # The limit counts per minute window: stay inside one.
    into = time.time() % 60
    if into > 50:
        log("5: waiting %.0f s for the next minute window" % (60.5 - into))
        time.sleep(60.5 - into)
    window = int(time.time() // 60)
    nodes = [c, d]

    def one(i):
        status, _, _ = call(nodes[i % 2], "GET", "/v1/templates", limited)
        return i % 2, status

    results = parallel(one, range(2 * RATE_LIMIT))
    check(int(time.time() // 60) == window, "5: the burst crossed a minute boundary; run again")
    accepted = [sum(1 for node, status in results if node == n and status == 200) for n in (0, 1)]
    limited_count = sum(1 for _, status in results if status == 429)
    others = [status for _, status in results if status not in (200, 429)]
    check(not others, "5: unexpected statuses %s" % sorted(set(others)))
    check(sum(accepted) == RATE_LIMIT, "5: %d of %d requests split over C and D were accepted with a limit of %d/min "
          "(C %d, D %d): the limit is not shared" % (sum(accepted), 2 * RATE_LIMIT, RATE_LIMIT, accepted[0], accepted[1]))
    check(min(accepted) > 0, "5: one node accepted nothing (C %d, D %d)" % tuple(accepted))
    numbers["rate limit"] = "%d/min per key: %d requests over C and D -> %d accepted (C %d, D %d), %d answered 429" % (
        RATE_LIMIT, 2 * RATE_LIMIT, sum(accepted), accepted[0], accepted[1], limited_count)
    log("5: %d requests split over C and D with a limit of %d/min: %d accepted (C %d + D %d), %d rate-limited" % (
        2 * RATE_LIMIT, RATE_LIMIT, sum(accepted), accepted[0], accepted[1], limited_count))


def kill_worker_mid_render(a, b, key, project):
    """Enqueues the slow batch and kills worker-1 with SIGKILL while it holds leases; returns what the
    verification later needs."""
    call(a, "PUT", "/v1/templates/slow", key, SLOW_TEMPLATE, expect=201)
    rows = [{"description": "Line %d of a long invoice" % i, "qty": i} for i in range(300)]
    nodes = [a, b]

    def enqueue(i):
        _, render, _ = call(nodes[i % 2], "POST", "/v1/templates/slow/render", key, {"data": {"n": i, "items": rows}}, expect=202)
        return render["id"]

    ids = parallel(enqueue, range(SLOW_RENDERS))
    victim = processes["worker-1"]
    owner = "%%-%d-render-%%" % victim.pid

    def leased_by_victim():
        found = sql("""SELECT j.subject_id FROM jobs j JOIN renders r ON r.id = j.subject_id
                       WHERE j.kind = 'render' AND j.status = 'leased' AND j.lease_owner LIKE %s AND r.status = 'rendering'""" % quoted(owner))
        return found if len(found) >= 1 else None

    wait_for("4: worker-1 leasing a slow render", leased_by_victim, timeout=30, every=0.02)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    killed = time.monotonic()
    orphans = [row[0] for row in sql("SELECT subject_id FROM jobs WHERE kind = 'render' AND status = 'leased' AND lease_owner LIKE %s" % quoted(owner))]
    check(orphans, "4: worker-1 held no lease when it died")
    states = sql("SELECT status, COUNT(*) FROM renders WHERE id IN (%s) GROUP BY status" % ", ".join(map(quoted, orphans)))
    progress = render_counts(project)
    start_worker("worker-3")
    log("4: killed worker-1 (pid %d) with SIGKILL holding %d leased renders (their rows: %s; project: %s); started worker-3" % (
        victim.pid, len(orphans), dict(states), progress))
    return ids, orphans, killed


def kill_recovered(a, b, key, project, ids, orphans, killed):
    def done():
        counts = render_counts(project)
        check(counts.get("failed", 0) == 0, "4: %d renders failed" % counts.get("failed", 0))
        return counts.get("succeeded", 0) == len(ids)

    def orphans_done():
        rows = sql("SELECT COUNT(*) FROM jobs WHERE kind = 'render' AND status = 'done' AND subject_id IN (%s)" % ", ".join(map(quoted, orphans)))
        return int(rows[0][0]) == len(orphans)

    wait_for("4: the dead worker's renders finished", orphans_done, timeout=90)
    recovered = time.monotonic() - killed
    wait_for("4: every slow render succeeded", done, timeout=90)
    exactly_once(project, len(ids), "4", retried=set(orphans))
    claims = sql("SELECT MIN(attempts) FROM jobs WHERE subject_id IN (%s)" % ", ".join(map(quoted, orphans)))[0][0]
    check(int(claims) >= 2, "4: a dead worker's job was never claimed again (attempts %s)" % claims)
    shas = same_everywhere([a, b], key, ids, "4")
    downloads([a, b], key, shas, orphans + random.sample(ids, min(10, len(ids))), "4")
    numbers["kill -9"] = "%d leased renders of a dead worker re-rendered %.1f s after SIGKILL (lease %.0f s); %d/%d slow renders succeeded once" % (
        len(orphans), recovered, LEASE_MS / 1000, len(ids), len(ids))
    log("4: the %d renders worker-1 held were taken again after their leases expired and finished %.1f s after the kill; "
        "all %d slow renders succeeded exactly once and download from both nodes" % (len(orphans), recovered, len(ids)))


def main():
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    receiver.daemon_threads = True
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    hook_url = "http://127.0.0.1:%d/hooks" % receiver.server_address[1]

    # A migrates first; then everyone else starts at once.
    a = start_node("node-a", 0)
    wait_ready("node-a", a)
    b = start_node("node-b", 0)
    c = start_node("node-c", RATE_LIMIT)
    d = start_node("node-d", RATE_LIMIT)
    start_worker("worker-1")
    start_worker("worker-2")
    for name, base in (("node-b", b), ("node-c", c), ("node-d", d)):
        wait_ready(name, base)
    log("API nodes A %s, B %s (no rate limit), C %s, D %s (%d/min per key), all CRAFTKIT_WORKERS=0; "
        "2 x `craftkit worker --count %s`; one PostgreSQL database, one S3 bucket" % (a, b, c, d, RATE_LIMIT, WORKER_COUNT))

    key, project = provision(a, "multinode-renders")
    _, endpoint, _ = call(b, "POST", "/v1/webhooks", key, {"url": hook_url, "events": ["render.succeeded"]}, expect=201)
    webhook_secret["secret"] = endpoint["secret"]

    started = time.monotonic()
    ids = renders_on_both_nodes(a, b, key, project)
    webhooks_once(endpoint["id"], ids, started)

    slow_key, slow_project = provision(b, "multinode-kill")
    slow_ids, orphans, killed = kill_worker_mid_render(a, b, slow_key, slow_project)
    # While the dead worker's leases run out:
    session_across_nodes(a, b, key)
    revoke_across_nodes(a, b, key)
    rate_limit_across_nodes(a, c, d, key)
    kill_recovered(a, b, slow_key, slow_project, slow_ids, orphans, killed)

    for name, process in processes.items():
        if name != "worker-1":
            check(process.poll() is None, "%s exited with %s during the test" % (name, process.returncode))


if __name__ == "__main__":
    status = 0
    try:
        main()
    except Failure as failure:
        print("multinode: FAILED: %s" % failure, file=sys.stderr)
        tail_logs()
        status = 1
    except BaseException as error:  # noqa: B036 - report anything, then clean up
        print("multinode: FAILED with %s: %s" % (type(error).__name__, error), file=sys.stderr)
        traceback.print_exc()
        tail_logs()
        status = 1
    finally:
        stop_all()
    elapsed = time.monotonic() - STARTED
    if status == 0:
        print("multinode: summary (%.0f s)" % elapsed)
        for name in ("renders", "webhooks", "kill -9", "rate limit", "revocation"):
            print("  %-11s %s" % (name + ":", numbers.get(name, "-")))
        print("multinode: passed: 2 API nodes + 2 workers on one PostgreSQL and one S3 bucket (and 2 rate-limited API nodes)")
    sys.exit(status)
