// DOM and API helpers of the console. Everything user-supplied goes in as text (textContent), never
// as markup.
import { t, locale } from './console-strings.js';

/** h('tag.class', {attrs}, ...children): an element; strings become text nodes. */
export function h(spec, attrs = {}, ...children) {
  const [tag, ...classes] = spec.split('.');
  const el = document.createElement(tag || 'div');
  if (classes.length) el.className = classes.join(' ');
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else if (name === 'text') el.textContent = value;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [name, value] of Object.entries(attrs)) if (value !== undefined && value !== null) el.setAttribute(name, String(value));
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

// ---- API ---------------------------------------------------------------------------------------

let csrfToken = null;
let onSessionEnded = () => {};

export function setCSRF(token) { csrfToken = token; }
export function whenSessionEnds(callback) { onSessionEnded = callback; }

export class APIError extends Error {
  constructor(status, code, message) {
    super(message || code || String(status));
    this.status = status;
    this.code = code;
  }
}

/** A JSON call to this server with the session cookie (and the CSRF token on changes). */
export async function api(method, path, body, { raw = false, quiet401 = false } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const response = await fetch(path, {
    method, headers, credentials: 'same-origin', cache: 'no-store',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (raw && response.ok) return response;
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!response.ok) {
    const code = typeof data?.error === 'string' ? data.error : data?.error?.code;
    const message = typeof data?.error === 'string' ? data.message : data?.error?.message;
    if (response.status === 401 && !quiet401) onSessionEnded();
    throw new APIError(response.status, code, message);
  }
  return data;
}

export function errorText(error) {
  if (error?.code === 'csrf_token_invalid') return t('error.csrf');
  if (error instanceof Error && !(error instanceof APIError) && error.name === 'Error') return error.message;
  return t('error.generic', { message: error?.message || String(error) });
}

// ---- Formatting --------------------------------------------------------------------------------

export function formatDate(iso) {
  if (!iso) return t('none');
  const date = new Date(iso);
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

export function formatNumber(value, options = {}) {
  if (value === null || value === undefined) return t('none');
  return new Intl.NumberFormat(locale(), options).format(value);
}

export function formatPercent(value) {
  if (value === null || value === undefined) return t('none');
  return new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 1 }).format(value);
}

export function formatMillis(value) {
  if (value === null || value === undefined) return t('none');
  return value >= 1000 ? `${formatNumber(value / 1000, { maximumFractionDigits: 2 })} s` : `${formatNumber(value)} ms`;
}

export function formatBytes(value) {
  if (!value) return '0 B';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  const index = Math.min(units.length - 1, Math.floor(Math.log(value) / Math.log(1024)));
  return `${formatNumber(value / 1024 ** index, { maximumFractionDigits: 1 })} ${units[index]}`;
}

// ---- Widgets -----------------------------------------------------------------------------------

/** A button that copies `value` and says so. */
export function copyButton(value, label) {
  const button = h('button.ck-copy', { type: 'button', 'aria-label': label || t('copy.id', { id: value }), title: t('copy') }, t('copy'));
  button.addEventListener('click', async () => {
    try { await navigator.clipboard.writeText(value); } catch { /* no clipboard: the value stays selectable */ }
    button.textContent = t('copied');
    setTimeout(() => { button.textContent = t('copy'); }, 1500);
  });
  return button;
}

/** An id in monospace with a copy button. */
export function idCell(id, short = true) {
  return h('span.ck-id', {}, h('code', { title: id }, short ? `…${id.slice(-8)}` : id), copyButton(id));
}

export function badge(status) {
  return h(`span.ck-badge.ck-badge-${status}`, {}, t(`status.${status}`));
}

/** A table: columns [{label, cell(row) → node|string, className?}], rows; onOpen(row) makes rows open. */
export function table(columns, rows, { onOpen, caption, selected } = {}) {
  const head = h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.className }, c.label))));
  const body = h('tbody', {}, rows.map((row) => {
    const tr = h('tr', { class: selected && selected(row) ? 'ck-selected' : null }, columns.map((c) => h('td', { class: c.className, 'data-label': c.label }, c.cell(row))));
    if (onOpen) {
      tr.classList.add('ck-row-link');
      tr.tabIndex = 0;
      tr.addEventListener('click', (event) => { if (!event.target.closest('button, a, input, select')) onOpen(row); });
      tr.addEventListener('keydown', (event) => { if (event.key === 'Enter' && event.target === tr) onOpen(row); });
    }
    return tr;
  }));
  return h('div.ck-table-wrap', {}, h('table.ck-table', {}, caption ? h('caption.ck-visually-hidden', {}, caption) : null, head, body));
}

export function emptyState(text, action) {
  return h('div.ck-empty', { role: 'status' }, h('p', {}, text), action || null);
}

export function message(text, kind = 'error') {
  return h(`p.ck-message.ck-message-${kind}`, { role: kind === 'error' ? 'alert' : 'status' }, text);
}

/** A modal dialog (native <dialog>): content nodes, resolves when closed. */
export function dialog(title, content, { actions = [] } = {}) {
  return new Promise((resolve) => {
    const heading = h('h2.ck-dialog-title', { id: 'ck-dialog-title' }, title);
    const close = h('button.ck-button', { type: 'button' }, t('close'));
    const el = h('dialog.ck-dialog', { 'aria-labelledby': 'ck-dialog-title' }, heading, content, h('div.ck-dialog-actions', {}, actions, close));
    close.addEventListener('click', () => el.close());
    el.addEventListener('close', () => { el.remove(); resolve(el.returnValue); });
    document.body.append(el);
    el.showModal();
  });
}

/** A form dialog: fields built by `build(form)`, `submit(form)` runs on submit; errors stay in the dialog. */
export function formDialog(title, submitLabel, build, submit) {
  return new Promise((resolve) => {
    const error = h('div.ck-dialog-error', { 'aria-live': 'polite' });
    const submitButton = h('button.ck-button.ck-button-primary', { type: 'submit' }, submitLabel);
    const cancel = h('button.ck-button', { type: 'button' }, t('cancel'));
    const form = h('form.ck-form', { novalidate: true });
    form.append(...build(form), error, h('div.ck-dialog-actions', {}, submitButton, cancel));
    const el = h('dialog.ck-dialog', { 'aria-labelledby': 'ck-dialog-title' }, h('h2.ck-dialog-title', { id: 'ck-dialog-title' }, title), form);
    let result;
    cancel.addEventListener('click', () => el.close());
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.replaceChildren();
      submitButton.disabled = true;
      try {
        result = await submit(form);
        el.close();
      } catch (failure) {
        error.append(message(errorText(failure)));
      } finally {
        submitButton.disabled = false;
      }
    });
    el.addEventListener('close', () => { el.remove(); resolve(result); });
    document.body.append(el);
    el.showModal();
    form.querySelector('input, select, textarea')?.focus();
  });
}

/** Shows a secret once, with a copy button and the warning. */
export function secretDialog(title, note, secret) {
  return dialog(title, h('div.ck-secret', {},
    h('p.ck-secret-note', {}, note),
    h('div.ck-secret-value', {}, h('code', { 'data-secret': '' }, secret), copyButton(secret, t('copy')))));
}

export function confirmDialog(text) {
  return new Promise((resolve) => {
    const ok = h('button.ck-button.ck-button-danger', { type: 'button' }, t('confirm'));
    let confirmed = false;
    ok.addEventListener('click', () => { confirmed = true; ok.closest('dialog').close(); });
    dialog(t('confirm'), h('p', {}, text), { actions: [ok] }).then(() => resolve(confirmed));
  });
}

export function field(label, input, hint) {
  const id = input.id || `ck-f-${Math.random().toString(36).slice(2)}`;
  input.id = id;
  return h('div.ck-field', {}, h('label', { for: id }, label), input, hint ? h('p.ck-hint', {}, hint) : null);
}
