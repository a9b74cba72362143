// Share a document, Node built-ins only (fetch): render, create a share link, open it as a guest would,
// read the engagement, revoke the link.
//   BASE=http://127.0.0.1:8080 ADMIN_KEY=... node examples/share.mjs
import assert from "node:assert/strict";

const BASE = process.env.BASE ?? "http://127.0.0.1:8080";

async function call(method, path, key, body) {
  const response = await fetch(BASE + path, {
    method,
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

const org = await call("POST", "/v1/admin/provision", process.env.ADMIN_KEY, { externalOrgId: "share-mjs", name: "Share example" });
const key = org.body.apiKey;
const manifest = { variables: [{ key: "customer.name", label: "Customer", dataType: "text", required: true }], loops: [] };
await call("PUT", "/v1/templates/letter", key, { name: "Letter", manifest });
let render = (await call("POST", "/v1/templates/letter/render", key, { data: { customer: { name: "Ada Lovelace" } } })).body;
while (render.status === "queued" || render.status === "rendering") {
  await new Promise((resolve) => setTimeout(resolve, 200));
  render = (await call("GET", `/v1/renders/${render.id}`, key)).body;
}

// 1. A link share (the render must have succeeded; 409 not_ready otherwise).
const share = (await call("POST", `/v1/renders/${render.id}/shares`, key, { message: "Your letter, as promised." })).body;
console.log("share.mjs: share link", share.shareUrl);

// 2. The guest opens the link: a page with the document; the server records one `viewed`.
const page = await fetch(share.shareUrl);
assert.equal(page.status, 200);
assert.ok((await page.text()).includes("Your letter, as promised."));

// 3. Email the document instead (needs CRAFTKIT_RESEND_API_KEY or CRAFTKIT_SMTP_URL on the server).
const sent = await call("POST", `/v1/renders/${render.id}/email`, key, { to: "guest@example.com", recipientName: "Ada" });
if (sent.status === 201) console.log("share.mjs: emailed, message id", sent.body.emailMessageId);
else assert.equal(sent.body.error.code, "email_not_configured");

// 4. Engagement: counts for all seven types, zero-filled.
const engagement = (await call("GET", `/v1/renders/${render.id}/engagement`, key)).body;
assert.equal(engagement.counts.viewed, 1);
assert.equal(engagement.counts.share_created, 1);

// 5. Revoke: the link answers 410 from now on.
await call("DELETE", `/v1/renders/${render.id}/shares/${share.id}`, key);
assert.equal((await fetch(share.shareUrl)).status, 410);
console.log(`share.mjs: viewed ${engagement.counts.viewed} time(s), revoked`);
