#!/usr/bin/env python3
"""Tenant isolation under hostile load (issue 12): one tenant's end user floods previews and sends
oversized form data while another tenant's backend reads a template; prints that tenant's p50/p99
idle and under the flood, as a Markdown section for BENCHMARKS.md.

    python3 Benchmarks/isolation.py [--bin .build/release/craftkit] [--seconds 10] [--flooders 16]

Traffic goes to a server this script starts on 127.0.0.1 and stops itself; loops are bounded in time.
"""
import argparse, http.client, json, os, socket, subprocess, sys, tempfile, threading, time

ADMIN = "isolation-admin-key-0123456789"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Client:
    def __init__(self, port):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(self, method, path, token=None, body=None):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = "Bearer " + token
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        try:
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
            payload = response.read()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            raise
        return response.status, payload


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] if values else float("nan")


def measure(port, key, seconds):
    client = Client(port)
    latencies = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        start = time.perf_counter()
        status, _ = client.call("GET", "/v1/templates/invoice", key)
        latencies.append((time.perf_counter() - start) * 1000)
        assert status == 200, status
    return latencies


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=".build/release/craftkit")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--flooders", type=int, default=16)
    args = parser.parse_args()
    port = free_port()
    data_dir = tempfile.mkdtemp(prefix="craftkit-isolation-")
    env = dict(os.environ, CRAFTKIT_DATA_DIR=data_dir, CRAFTKIT_PORT=str(port), CRAFTKIT_ADMIN_KEY=ADMIN, CRAFTKIT_LOG_LEVEL="error",
               CRAFTKIT_RATE_LIMIT_PER_SESSION="0", CRAFTKIT_RATE_LIMIT_PER_KEY="0")
    server = subprocess.Popen([args.bin, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                if Client(port).call("GET", "/health")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        admin = Client(port)
        keys = {}
        for org in ("victim", "flooder"):
            _, body = admin.call("POST", "/v1/admin/provision", ADMIN, {"externalOrgId": org})
            keys[org] = json.loads(body)["apiKey"]
        manifest = {"variables": [{"key": "customer.name", "label": "Customer", "dataType": "text", "required": True}],
                    "loops": [{"key": "items", "label": "Items", "itemFields": [{"key": "description", "label": "Item", "dataType": "text"}]}]}
        for org in keys:
            status, body = admin.call("POST", "/v1/templates", keys[org], {"name": "Invoice", "manifest": manifest})
            assert status == 201, body
        _, body = admin.call("POST", "/v1/embed/sessions", keys["flooder"],
                             {"tenant": {"externalId": "t", "displayName": "T"}, "actor": {"externalId": "a"}, "scope": {"mode": "create"}})
        assert b"session_token" in body, body
        create_token = json.loads(body)["session_token"]
        _, body = admin.call("POST", "/v1/embed/sessions", keys["flooder"],
                             {"tenant": {"externalId": "t", "displayName": "T"}, "actor": {"externalId": "a"}, "scope": {"mode": "fill", "templateExternalId": "invoice"}})
        fill = json.loads(body)
        rows = [{"type": "paragraph", "text": "Row %d {{customer.name}} lorem ipsum dolor sit amet" % i} for i in range(300)]
        preview = {"layout": {"blocks": rows}, "format": "png", "dpi": 150}
        bomb = json.dumps({"data": {".".join(["a"] * 150_000): "x"}}).encode()

        idle = measure(port, keys["victim"], args.seconds)
        stop = threading.Event()
        outcomes = {}
        lock = threading.Lock()

        def flood(index):
            client = Client(port)
            while not stop.is_set():
                try:
                    if index % 4 == 3:
                        status, _ = client.call("POST", "/v1/embed/form-submit/" + fill["session_id"], fill["session_token"], bomb)
                    else:
                        status, _ = client.call("POST", "/v1/embed/preview", create_token, preview)
                except (http.client.HTTPException, OSError):
                    status = "error"
                with lock:
                    outcomes[status] = outcomes.get(status, 0) + 1

        threads = [threading.Thread(target=flood, args=(i,)) for i in range(args.flooders)]
        for thread in threads:
            thread.start()
        time.sleep(1)
        loaded = measure(port, keys["victim"], args.seconds)
        stop.set()
        for thread in threads:
            thread.join()
        alive = Client(port).call("GET", "/health")[0] == 200
    finally:
        server.terminate()
        server.wait()
    print("## Tenant isolation under a hostile end user (`python3 Benchmarks/isolation.py`)\n")
    print("Machine: %d cores; %s; binary %s; %d flooding connections (3 of 4 previewing a 300-paragraph layout as PNG at 150 dpi,"
          " 1 of 4 sending a 150,000-segment form key); the other tenant reads a template one request at a time.\n"
          % (os.cpu_count(), time.strftime("%Y-%m-%d"), args.bin, args.flooders))
    print("| other tenant's GET /v1/templates/:slug | requests | p50 ms | p99 ms |")
    print("|---|---:|---:|---:|")
    print("| idle | %d | %.2f | %.2f |" % (len(idle), percentile(idle, 0.5), percentile(idle, 0.99)))
    print("| under the flood | %d | %.2f | %.2f |" % (len(loaded), percentile(loaded, 0.5), percentile(loaded, 0.99)))
    print("\nFlooder outcomes: %s; server alive afterwards: %s; p99 ratio %.2f×.\n"
          % (", ".join("%s × %d" % (k, v) for k, v in sorted(outcomes.items(), key=str)), alive, percentile(loaded, 0.99) / percentile(idle, 0.99)))


if __name__ == "__main__":
    sys.exit(main())
