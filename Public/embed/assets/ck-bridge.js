// The conversation with the host page (the SDK). Messages out go to window.parent with an explicit
// targetOrigin; messages in are accepted only from that origin. The host origin comes from the SDK
// (`#ck_host=` in the iframe URL) or the browser (location.ancestorOrigins), and once the session is
// loaded it must be one of the partner's allowed origins.
import { setToken, expiresAt, onTokenChange } from './ck-session.js';

let hostOrigin = null;
let allowed = null;
const handlers = new Map();
let expiryTimers = [];

function originFromHash() {
  const params = new URLSearchParams(window.location.hash.slice(1));
  const claimed = params.get('ck_host');
  try { return claimed ? new URL(claimed).origin : null; } catch { return null; }
}

/** Decides the host origin. Call before the session is known; `restrict` narrows it once it is. */
export function start() {
  if (window.parent === window) return;
  hostOrigin = originFromHash() || window.location.ancestorOrigins?.[0] || null;
  window.addEventListener('message', receive);
  onTokenChange(scheduleExpiry);
}

/** Keeps talking only to an allowed origin (the CSP frame-ancestors already enforces the same list). */
export function restrict(allowedOrigins) {
  allowed = (allowedOrigins || []).map((o) => o.toLowerCase());
  if (hostOrigin && !allowed.includes(hostOrigin.toLowerCase())) hostOrigin = null;
  if (!hostOrigin && allowed.length === 1 && window.parent !== window) hostOrigin = allowed[0];
}

export function isEmbedded() { return window.parent !== window && !!hostOrigin; }

/** Sends an event to the host SDK: {source:'craftkit', type:'craftkit.<name>', payload}. */
export function emit(name, payload = {}) {
  if (window.parent === window || !hostOrigin) return;
  window.parent.postMessage({ source: 'craftkit', type: `craftkit.${name}`, payload }, hostOrigin);
}

/** Handles a command from the host: 'token', 'appearance', 'save', 'publish', 'close'. */
export function on(command, fn) { handlers.set(command, fn); }

function receive(event) {
  if (!hostOrigin || event.origin !== hostOrigin || event.source !== window.parent) return;
  const data = event.data;
  if (!data || data.source !== 'craftkit-host' || typeof data.type !== 'string') return;
  const name = data.type.replace(/^craftkit\./, '');
  if (name === 'token') {
    if (setToken(data.token)) emit('session.renewed', { expiresAt: new Date(expiresAt()).toISOString() });
    return;
  }
  handlers.get(name)?.(data.payload || {});
}

/** Tells the host 5 minutes before the token expires (so the SDK renews it) and when it has expired. */
export function scheduleExpiry() {
  for (const timer of expiryTimers) clearTimeout(timer);
  const at = expiresAt();
  if (!at) return;
  const now = Date.now();
  const expiresIso = new Date(at).toISOString();
  expiryTimers = [
    setTimeout(() => emit('session.expiring', { expiresAt: expiresIso }), Math.max(0, at - now - 5 * 60 * 1000)),
    setTimeout(() => { emit('session.expired', { expiresAt: expiresIso }); handlers.get('expired')?.(); }, Math.max(0, at - now)),
  ];
}

/** Reports the content height to the host (for autoResize) whenever it changes. */
export function reportHeight(element = document.documentElement) {
  let last = 0;
  const send = () => {
    const height = Math.ceil(element.scrollHeight);
    if (height !== last) { last = height; emit('resize', { height }); }
  };
  new ResizeObserver(send).observe(element);
  send();
}
