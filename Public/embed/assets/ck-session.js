// The session token and the API. The token is read once from the first URL, removed from the address
// bar (history.replaceState) and kept in this module's memory only: never Web Storage or cookies.
// Renewed tokens arrive from the host SDK by postMessage (see ck-bridge.js) and replace it here.

let token = null;
const listeners = new Set();

export class ApiError extends Error {
  constructor(status, code, message, issues) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.issues = issues || null;
  }
}

/** Reads `session_token` from the query string once and strips it from the URL. */
export function takeTokenFromURL() {
  const url = new URL(window.location.href);
  token = url.searchParams.get('session_token');
  if (token) {
    url.searchParams.delete('session_token');
    history.replaceState(null, '', url.pathname + (url.search || '') + url.hash);
  }
  return token;
}

export function currentToken() { return token; }

export function setToken(next) {
  if (typeof next !== 'string' || next.split('.').length !== 3) return false;
  token = next;
  for (const fn of listeners) fn(next);
  return true;
}

export function onTokenChange(fn) { listeners.add(fn); return () => listeners.delete(fn); }

/** The token's claims, decoded without verification (the server verifies); null when unreadable. */
export function claims(of = token) {
  try {
    const part = of.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = decodeURIComponent([...atob(part)].map((c) => '%' + c.charCodeAt(0).toString(16).padStart(2, '0')).join(''));
    return JSON.parse(json);
  } catch { return null; }
}

/** Milliseconds since the epoch at which the current token expires (0 when unknown). */
export function expiresAt() { return (claims()?.exp || 0) * 1000; }

/**
 * Calls the API with the session token. JSON in and out by default; `body` may be FormData; with
 * `{blob: true}` the response body is returned as a Blob (with `headers`). Errors are ApiError with the
 * envelope's code; a network failure is ApiError(0, 'network_offline').
 */
export async function api(method, path, body, { blob = false, signal } = {}) {
  const headers = { Authorization: `Bearer ${token}` };
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) { headers['Content-Type'] = 'application/json'; payload = JSON.stringify(body); }
  let response;
  try {
    response = await fetch(path, { method, headers, body: payload, signal, credentials: 'omit', cache: 'no-store' });
  } catch (error) {
    if (error?.name === 'AbortError') throw error;
    throw new ApiError(0, 'network_offline', 'The server could not be reached.');
  }
  if (!response.ok) {
    let envelope = null;
    try { envelope = await response.json(); } catch { /* not JSON */ }
    const e = envelope?.error;
    const code = typeof e === 'string' ? e : e?.code || `http_${response.status}`;
    const err = new ApiError(response.status, code, e?.message || response.statusText, e?.issues);
    err.retryAfter = Number(response.headers.get('Retry-After')) || 0;
    throw err;
  }
  if (blob) return { blob: await response.blob(), headers: response.headers };
  if (response.status === 204) return null;
  return response.json();
}

/** Maps an API failure to the pages' failure taxonomy (docs/embedding.md#failure-codes). */
export function failureCode(error) {
  if (!(error instanceof ApiError)) return 'editor_state_corrupted';
  if (['session_expired', 'session_revoked', 'session_invalid', 'network_offline', 'rate_limited', 'permission_denied'].includes(error.code)) {
    return error.code;
  }
  if (error.status === 401) return /revoked/i.test(error.message) ? 'session_revoked' : /expired/i.test(error.message) ? 'session_expired' : 'session_invalid';
  if (error.status === 400 && error.code === 'bad_request' && /origin/i.test(error.message)) return 'origin_not_allowed';
  if (error.code === 'limit_reached') return 'permission_denied';
  return error.code;
}

/** GET /v1/embed/session: mode, permissions, limits and usage, catalog, appearance, template. */
export function loadSession() { return api('GET', '/v1/embed/session'); }
