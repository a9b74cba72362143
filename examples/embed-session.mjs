// Embed sessions from a partner backend, Node 18+ built-in fetch only: mint a fill session for a
// template, then refresh it with its single-use renew token.
//   BASE=http://127.0.0.1:8080 ADMIN_KEY=... node examples/embed-session.mjs
const BASE = process.env.BASE ?? "http://127.0.0.1:8080";

async function call(method, path, key, body) {
  const res = await fetch(BASE + path, {
    method,
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

const { apiKey: key } = await call("POST", "/v1/admin/provision", process.env.ADMIN_KEY, {
  externalOrgId: "embed-node",
  allowedOrigins: ["https://app.example.com"],
});
const manifest = { variables: [{ key: "customer.name", label: "Customer", dataType: "text", required: true }], loops: [] };
await call("PUT", "/v1/templates/welcome", key, { name: "Welcome", manifest });

// Mint: the iframe URL goes to the browser; the renew token stays on the partner's backend.
const minted = await call("POST", "/v1/embed/sessions", key, {
  tenant: { externalId: "customer-42", displayName: "Customer 42" },
  actor: { externalId: "user-7", email: "user@example.com" },
  scope: { mode: "fill", templateExternalId: "welcome" },
  form: { prefill: { customer: { name: "Ada" } } },
});
if (!minted.session_token || !minted.iframe_url) throw new Error(JSON.stringify(minted));

// Refresh before expiry: a new session token and a new renew token (the old one is spent).
const refreshed = await call("POST", "/v1/embed/sessions/refresh", key, { renewToken: minted.renew_token });
if (refreshed.session_id !== minted.session_id || refreshed.renew_token === minted.renew_token) throw new Error(JSON.stringify(refreshed));
console.log(`embed-session.mjs: minted and refreshed session ${minted.session_id}`);
