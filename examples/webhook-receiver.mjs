// A webhook receiver, Node built-ins only: registers itself, triggers a render, and verifies the
// delivery's x-craftkit-signature (hex HMAC-SHA256 of the raw body under the secret as shown).
//   BASE=http://127.0.0.1:8080 ADMIN_KEY=... node examples/webhook-receiver.mjs
// (The server must be allowed to reach this receiver: on one machine, CRAFTKIT_ALLOW_PRIVATE_FETCH=1.)
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";

const BASE = process.env.BASE ?? "http://127.0.0.1:8080";
let secret = "";
let resolveDelivery;
const delivered = new Promise((resolve) => (resolveDelivery = resolve));

const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => {
    const rawBody = Buffer.concat(chunks);
    const expected = createHmac("sha256", secret).update(rawBody).digest("hex");
    const given = req.headers["x-craftkit-signature"] ?? "";
    const ok = given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
    res.writeHead(ok ? 200 : 401).end();
    if (ok) resolveDelivery(JSON.parse(rawBody));
  });
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));

async function call(method, path, key, body) {
  const res = await fetch(BASE + path, {
    method,
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

const { apiKey: key } = await call("POST", "/v1/admin/provision", process.env.ADMIN_KEY, { externalOrgId: "webhook-node" });
const endpoint = await call("POST", "/v1/webhooks", key, { url: `http://127.0.0.1:${server.address().port}/hooks`, events: ["render.succeeded"] });
secret = endpoint.secret; // shown once: store it with the endpoint
await call("PUT", "/v1/templates/note", key, { name: "Note", manifest: { variables: [{ key: "text", label: "Text", dataType: "text" }], loops: [] } });
const render = await call("POST", "/v1/templates/note/render", key, { data: { text: "hello" } });

const timeout = setTimeout(() => { console.error("no verified delivery within 30 s"); process.exit(1); }, 30_000);
const event = await delivered;
clearTimeout(timeout);
server.close();
if (event.renderId !== render.id) throw new Error(JSON.stringify(event));
console.log(`webhook-receiver.mjs: verified ${event.event} for render ${render.id}`);
