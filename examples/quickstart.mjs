// Quickstart, Node 18+ built-in fetch only: provision an org, create a template, render, poll, download.
//   BASE=http://127.0.0.1:8080 ADMIN_KEY=... node examples/quickstart.mjs
const BASE = process.env.BASE ?? "http://127.0.0.1:8080";

async function call(method, path, key, body, headers = {}) {
  const res = await fetch(BASE + path, {
    method,
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.headers.get("content-type")?.startsWith("application/json") ? res.json() : Buffer.from(await res.arrayBuffer());
}

// 1. Provision an org (idempotent): the answer carries the project's API key.
const { apiKey: key } = await call("POST", "/v1/admin/provision", process.env.ADMIN_KEY, { externalOrgId: "quickstart-node", name: "Quickstart" });

// 2. A template from a manifest (a layout is synthesized and published as version 1).
const manifest = {
  variables: [
    { key: "customer.name", label: "Customer", dataType: "text", required: true },
    { key: "invoice.total", label: "Total", dataType: "currency", required: true, format: "money:EUR" },
  ],
  loops: [{ key: "items", label: "Items", itemFields: [{ key: "description", label: "Item", dataType: "text" }] }],
};
await call("PUT", "/v1/templates/invoice", key, { name: "Invoice", manifest });

// 3. Render (asynchronous), with an idempotency key so a retry never renders twice.
let render = await call(
  "POST", "/v1/templates/invoice/render", key,
  { data: { customer: { name: "Ada Lovelace" }, invoice: { total: 4200 }, items: [{ description: "Analytical engine" }] } },
  { "Idempotency-Key": `quickstart-${Date.now()}` },
);

// 4. Poll until it is done.
while (render.status === "queued" || render.status === "rendering") {
  await new Promise((resolve) => setTimeout(resolve, 200));
  render = await call("GET", `/v1/renders/${render.id}`, key);
}
if (render.status !== "succeeded") throw new Error(JSON.stringify(render));

// 5. Download the PDF.
const pdf = await call("GET", `/v1/renders/${render.id}/download`, key);
if (pdf.subarray(0, 5).toString() !== "%PDF-") throw new Error("not a PDF");
console.log(`quickstart.mjs: rendered ${render.id} (${pdf.length} bytes)`);
