// The form page (/embed/form): a form generated from the session's template, submitted to the server,
// followed until the PDF is rendered, then shown inline (or the page goes to `redirectUrl`).
import './form-strings.js';
import { h, replace, announce, modal, errorState, debounce } from './ck-dom.js';
import { t, locale } from './ck-i18n.js';
import { takeTokenFromURL, api, ApiError, failureCode, loadSession, currentToken, onTokenChange } from './ck-session.js';
import * as bridge from './ck-bridge.js';
import { applyAppearance } from './ck-theme.js';
import { buildModel, fieldSlot } from './form-fields.js';
import { loopEditor, icon } from './form-loops.js';

const POLL_MS = 400;
const MAX_IMAGE_BYTES = 10 * 1024 * 1024;

const state = {
  session: null,
  brand: null,
  slots: [],          // scalar field slots, in DOM order
  loops: [],          // loop editors
  uploadedBytes: 0,
  uploads: new Set(),  // image uploads in flight (submit waits for them)
  lost: false,
  submitting: false,
  initialData: {},
  blobUrls: [],
  appearance: null,
};
const ui = {};

// ---- Data helpers ----

const isObject = (v) => v && typeof v === 'object' && !Array.isArray(v);

function getPath(data, key) {
  if (!isObject(data)) return undefined;
  if (key in data) return data[key];
  let node = data;
  for (const part of key.split('.')) {
    if (!isObject(node) || !(part in node)) return undefined;
    node = node[part];
  }
  return node;
}

function setPath(data, key, value) {
  const parts = key.split('.');
  let node = data;
  for (const part of parts.slice(0, -1)) {
    if (['__proto__', 'constructor', 'prototype'].includes(part)) return;
    if (!isObject(node[part])) node[part] = {};
    node = node[part];
  }
  node[parts[parts.length - 1]] = value;
}

function deepMerge(base, over) {
  if (!isObject(base) || !isObject(over)) return over === undefined ? base : over;
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isObject(v) && isObject(out[k]) ? deepMerge(out[k], v) : v;
  return out;
}

/** The form's data as the server wants it: nested, typed, empty optional values left out. */
function collect(raw = false) {
  const data = {};
  for (const slot of state.slots) {
    const value = raw ? slot.rawValue() : slot.value();
    if (value !== undefined) setPath(data, slot.field.key, value);
  }
  for (const editor of state.loops) {
    const items = editor.values(raw);
    if (items.length) setPath(data, editor.loop.key, items);
  }
  return data;
}

function fill(data) {
  for (const slot of state.slots) {
    const value = getPath(data, slot.field.key);
    slot.set(value);
    slot.clearError();
  }
  for (const editor of state.loops) {
    const items = getPath(data, editor.loop.key);
    editor.set(Array.isArray(items) && items.length ? items : [{}]);
  }
}

const timeFormat = () => new Intl.DateTimeFormat(locale(), { hour: '2-digit', minute: '2-digit' });
const dateTimeFormat = () => new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' });

// ---- Startup ----

async function main() {
  const token = takeTokenFromURL();
  bridge.start();
  document.title = t('form.page_title');
  if (!token) {
    errorState('session_invalid');
    bridge.emit('error', { code: 'session_invalid', message: 'No session token in the URL.' });
    return;
  }
  let session;
  try {
    session = await loadSession();
  } catch (error) {
    const code = failureCode(error);
    errorState(code, { onRetry: code === 'network_offline' ? () => window.location.reload() : undefined });
    bridge.emit('error', { code, message: error.message || code });
    return;
  }
  state.session = session;
  const look = applyAppearance(session);
  state.brand = look.brandName;
  document.title = session.template?.name || t('form.page_title');
  bridge.restrict(session.allowedOrigins);
  bridge.scheduleExpiry();
  bridge.on('appearance', (payload) => {
    state.appearance = Object.assign({}, state.appearance || {}, payload || {});
    applyAppearance(session, state.appearance);
  });
  bridge.on('save', () => { if (session.permissions?.saveFormDraft) saveDraft(); });
  bridge.on('submit', () => ui.form?.requestSubmit());
  bridge.on('expired', () => sessionLost(new ApiError(401, 'session_expired', 'The session expired.')));
  onTokenChange(() => sessionRenewed());

  if (!session.template) {
    errorState('generic', { brand: state.brand });
    bridge.emit('error', { code: 'template_not_found', message: 'No template is attached to this form session.' });
    return;
  }

  let draft = null;
  if (session.permissions?.saveFormDraft) {
    try { draft = await api('GET', `/v1/embed/form-submit/${session.sessionId}/draft`); } catch (error) {
      if (error.status === 401) { const code = failureCode(error); errorState(code, { brand: state.brand }); bridge.emit('error', { code, message: error.message }); return; }
    }
  }
  render(session, look, draft);
  bridge.reportHeight();
  bridge.emit('ready', { mode: session.mode || 'fill' });
}

// ---- Rendering ----

function render(session, look, draft) {
  const model = buildModel(session);
  const formOptions = session.form || {};
  const ctx = {
    onChange: () => changed(),
    upload: (file, onProgress) => {
      const pending = upload(file, onProgress);
      state.uploads.add(pending);
      const done = () => state.uploads.delete(pending);
      pending.then(done, done);
      return pending;
    },
    uploadLimit: () => {
      const max = session.limits?.maxUploadsBytes;
      const used = (session.usage?.uploadBytes || 0) + state.uploadedBytes;
      return Math.min(MAX_IMAGE_BYTES, typeof max === 'number' && max > 0 ? max - used : MAX_IMAGE_BYTES);
    },
    onUploaded: (bytes) => { state.uploadedBytes += bytes; },
    onAuthLost: (error) => sessionLost(error),
    announce,
  };

  const sections = model.sections.map((section) => {
    const headingId = `ck-section-${section.key}`;
    const slots = section.fields.map((field) => fieldSlot(field, { name: field.key, variant: 'field', ctx }));
    state.slots.push(...slots);
    return h('section', { class: 'ck-section', dataset: { section: section.key }, 'aria-labelledby': headingId },
      h('div', { class: 'ck-section-header' }, h('h2', { class: 'ck-section-title', id: headingId }, section.label)),
      h('div', { class: 'ck-section-fields' }, slots.map((s) => s.el)));
  });
  state.loops = model.loops.map((loop) => loopEditor(loop, ctx));

  const canSubmit = session.permissions?.submitForm !== false;
  const canDraft = !!session.permissions?.saveFormDraft;
  ui.submit = h('button', { class: 'ck-button ck-button-primary ck-submit-button', type: 'submit', 'aria-disabled': canSubmit ? null : 'true' },
    h('span', { class: 'ck-submit-label' }, t('form.submit')));
  ui.draftStatus = h('span', { class: 'ck-draft-status', role: 'status' });
  ui.saveDraft = canDraft ? h('button', { class: 'ck-button ck-save-draft-button', type: 'button', onclick: () => saveDraft() }, t('form.save_draft')) : null;
  ui.summary = h('div', { class: 'ck-banner ck-banner-danger ck-form-summary', role: 'alert', tabindex: '-1', hidden: true });
  const empty = !state.slots.length && !state.loops.length ? h('p', { class: 'ck-form-empty' }, t('form.empty')) : null;

  ui.form = h('form', { class: 'ck-form', novalidate: true, 'aria-labelledby': 'ck-form-title' },
    empty, sections, state.loops.map((l) => l.el),
    ui.summary,
    h('div', { class: 'ck-form-actions' },
      h('div', { class: 'ck-form-actions-start' }, ui.saveDraft, canDraft ? ui.draftStatus : null),
      canSubmit ? null : h('span', { class: 'ck-help' }, t('form.no_submit')),
      ui.submit));
  ui.form.addEventListener('submit', (event) => { event.preventDefault(); submit(); });

  ui.banners = h('div', { class: 'ck-banners' });
  const requiredCount = state.slots.filter((s) => s.field.required).length + state.loops.reduce((n, l) => n + l.loop.fields.filter((f) => f.required).length, 0);
  const header = h('header', { class: 'ck-form-header' },
    look.logoUrl ? h('img', { class: 'ck-logo', src: look.logoUrl, alt: look.brandName || '' }) : null,
    h('h1', { class: 'ck-form-title', id: 'ck-form-title' }, session.template.name || t('form.page_title')),
    h('p', { class: 'ck-form-subtitle' }, t('form.subtitle'),
      requiredCount ? ' ' : null, requiredCount ? h('span', { class: 'ck-required-note' }, t('form.required_note')) : null));

  ui.submission = h('section', { class: 'ck-submission', hidden: true, 'aria-labelledby': 'ck-submission-title' });
  const main = h('div', { class: 'ck-form-main' }, header, ui.banners, ui.form, ui.submission);
  const layout = h('div', { class: formOptions.showPreview ? 'ck-form-layout ck-form-layout-preview' : 'ck-form-layout' }, main);
  if (formOptions.showPreview) layout.append(previewPane());
  const root = document.getElementById('ck-root');
  replace(root, layout);
  root.removeAttribute('aria-busy');

  state.initialData = isObject(formOptions.prefill) ? formOptions.prefill : {};
  const start = draft?.data && isObject(draft.data) ? deepMerge(state.initialData, draft.data) : state.initialData;
  fill(start);
  if (draft?.data && draft.savedAt) {
    const when = dateTimeFormat().format(new Date(draft.savedAt));
    ui.draftStatus.textContent = t('form.draft_saved', { time: timeFormat().format(new Date(draft.savedAt)) });
    ui.banners.append(h('div', { class: 'ck-banner ck-banner-info ck-draft-restored' }, t('form.draft_restored', { time: when })));
  }
  if (formOptions.showPreview) refreshPreview();
}

// ---- Changes: autosave and preview ----

const autosave = debounce(() => saveDraft({ auto: true }), 1500);

function changed() {
  if (state.session.permissions?.saveFormDraft && !state.lost) autosave();
  if (state.session.form?.showPreview) schedulePreview();
  if (!ui.summary.hidden && !ui.form.querySelector('.ck-field-invalid')) ui.summary.hidden = true;
}

let draftInFlight = null;
let draftAgain = false;

async function saveDraft({ auto = false } = {}) {
  if (!state.session.permissions?.saveFormDraft || state.lost) return;
  autosave.cancel();
  if (draftInFlight) { draftAgain = true; return; }
  ui.draftStatus.textContent = t('form.draft_saving');
  ui.draftStatus.classList.remove('ck-draft-failed');
  ui.saveDraft?.setAttribute('aria-busy', 'true');
  draftInFlight = api('PUT', `/v1/embed/form-submit/${state.session.sessionId}/draft`, { data: collect(true) });
  try {
    const result = await draftInFlight;
    ui.draftStatus.textContent = t('form.draft_saved', { time: timeFormat().format(result?.savedAt ? new Date(result.savedAt) : new Date()) });
  } catch (error) {
    if (error.status === 401) sessionLost(error);
    ui.draftStatus.textContent = t('form.draft_failed');
    ui.draftStatus.classList.add('ck-draft-failed');
    if (!auto) bridge.emit('error', { code: error.code || 'draft_failed', message: error.message });
  } finally {
    draftInFlight = null;
    ui.saveDraft?.removeAttribute('aria-busy');
    if (draftAgain) { draftAgain = false; saveDraft({ auto: true }); }
  }
}

// ---- Image upload (XHR for progress) ----

function upload(file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/v1/embed/form-submit/${encodeURIComponent(state.session.sessionId)}/upload-image`);
    xhr.setRequestHeader('Authorization', `Bearer ${currentToken()}`);
    xhr.responseType = 'json';
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(Math.min(100, Math.round((event.loaded / event.total) * 100)));
    });
    xhr.addEventListener('load', () => {
      const body = xhr.response;
      if (xhr.status >= 200 && xhr.status < 300 && typeof body?.url === 'string') { onProgress(100); resolve(body.url); return; }
      const e = body?.error;
      reject(new ApiError(xhr.status, (typeof e === 'string' ? e : e?.code) || `http_${xhr.status}`, e?.message || xhr.statusText));
    });
    xhr.addEventListener('error', () => reject(new ApiError(0, 'network_offline', 'The server could not be reached.')));
    const body = new FormData();
    body.append('file', file, file.name || 'image');
    xhr.send(body);
  });
}

// ---- Validation and server errors ----

function byDocumentOrder(a, b) {
  const ea = a.el, eb = b.el;
  return ea === eb ? 0 : ea.compareDocumentPosition(eb) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1;
}

function showInvalid(invalid, summaryText) {
  invalid.sort(byDocumentOrder);
  const count = invalid.length;
  ui.summary.textContent = summaryText || (count === 1 ? t('form.errors_summary_one') : t('form.errors_summary', { count }));
  ui.summary.hidden = false;
  announce(ui.summary.textContent, true);
  const first = invalid[0];
  if (first) {
    first.focus();
    first.el.scrollIntoView?.({ block: 'center', behavior: 'smooth' });
  }
}

function validateAll() {
  const invalid = [];
  for (const slot of state.slots) if (slot.validate()) invalid.push(slot);
  for (const editor of state.loops) invalid.push(...editor.validate());
  return invalid;
}

function localizeServerMessage(message) {
  if (/^required$/i.test(String(message).trim())) return t('form.error.required');
  return String(message);
}

/** Puts server issues ({fieldErrors: {"items[2].qty": [...]}, formErrors}) onto their fields. */
function applyServerIssues(issues) {
  const invalid = [];
  const general = [];
  const fieldErrors = issues?.fieldErrors || {};
  for (const [path, messages] of Object.entries(fieldErrors)) {
    const message = localizeServerMessage(Array.isArray(messages) ? messages[0] : messages);
    const key = path.replace(/\[(\d+)\]/g, '.$1').replace(/^\./, '');
    const scalar = state.slots.find((s) => s.field.key === key);
    if (scalar) { scalar.setError(message); invalid.push(scalar); continue; }
    const editor = state.loops.find((l) => key === l.loop.key || key.startsWith(`${l.loop.key}.`));
    if (editor) {
      const rest = key.slice(editor.loop.key.length + 1);
      const match = /^(\d+)\.(.+)$/.exec(rest);
      const slot = match ? editor.slot(Number(match[1]), match[2]) : null;
      if (slot) { slot.setError(message); invalid.push(slot); continue; }
      editor.setLoopError(message);
      invalid.push({ el: editor.el, focus: () => editor.focusAdd() });
      continue;
    }
    // An object-level issue ("invoice: Required") lands on that group's first field.
    const child = state.slots.find((s) => s.field.key.startsWith(`${key}.`));
    if (child) { child.setError(message); invalid.push(child); continue; }
    general.push(`${path}: ${message}`);
  }
  for (const message of issues?.formErrors || []) general.push(String(message));
  return { invalid, general };
}

// ---- Submit, follow the render, show the result ----

async function submit() {
  if (state.submitting) return;
  if (state.session.permissions?.submitForm === false) return;
  ui.summary.hidden = true;
  state.submitting = true;
  setSubmitBusy(true);
  // Images still uploading: wait for them rather than refusing the submit.
  while (state.uploads.size) await Promise.allSettled([...state.uploads]);
  const invalid = validateAll();
  if (invalid.length) { state.submitting = false; setSubmitBusy(false); showInvalid(invalid); return; }
  let render;
  try {
    render = await api('POST', `/v1/embed/form-submit/${state.session.sessionId}`, { data: collect() });
  } catch (error) {
    state.submitting = false;
    setSubmitBusy(false);
    if (error.status === 401) { sessionLost(error); return; }
    if (error.issues && (error.code === 'invalid_input_data' || error.code === 'invalid_request' || error.status === 400)) {
      const { invalid: fields, general } = applyServerIssues(error.issues);
      showInvalid(fields, general.length && !fields.length ? `${t('form.server_rejected')} ${general.join(' · ')}` : t('form.server_rejected'));
    } else {
      ui.summary.textContent = t('form.submit_failed', { message: error.message || error.code });
      ui.summary.hidden = false;
      ui.summary.focus();
      announce(ui.summary.textContent, true);
    }
    bridge.emit('error', { code: error.code || 'submit_failed', message: error.message || '' });
    return;
  }
  autosave.cancel();
  bridge.emit('form.submitted', { renderId: render?.id || null });
  await follow(render);
  state.submitting = false;
  setSubmitBusy(false);
}

function setSubmitBusy(busy) {
  const label = ui.submit.querySelector('.ck-submit-label');
  label.textContent = busy ? t('form.submitting') : t('form.submit');
  if (busy) ui.submit.setAttribute('aria-busy', 'true'); else ui.submit.removeAttribute('aria-busy');
  ui.form.classList.toggle('ck-form-busy', busy);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const STEPS = ['queued', 'rendering', 'succeeded'];

function statusView() {
  const steps = STEPS.map((step) => h('li', { class: 'ck-status-step', dataset: { step } },
    h('span', { class: 'ck-status-dot', 'aria-hidden': 'true' }), h('span', { class: 'ck-status-step-label' }, t(`form.status.${step}`))));
  const text = h('p', { class: 'ck-render-status-text' });
  const el = h('div', { class: 'ck-render-status', role: 'status', 'aria-live': 'polite', 'aria-label': t('form.status.label') },
    h('ol', { class: 'ck-status-steps', 'aria-hidden': 'true' }, steps), text);
  const set = (status, message) => {
    el.dataset.status = status;
    const index = STEPS.indexOf(status);
    steps.forEach((li, i) => {
      li.classList.toggle('ck-status-done', status === 'succeeded' ? true : i < index);
      li.classList.toggle('ck-status-current', i === index && status !== 'succeeded');
      li.classList.toggle('ck-status-failed', status === 'failed' && i === Math.max(0, steps.findIndex((s) => !s.classList.contains('ck-status-done'))));
    });
    text.textContent = message || t(`form.status.${status}_long`);
  };
  return { el, set };
}

async function follow(render) {
  const options = state.session.form || {};
  const status = statusView();
  const result = h('div', { class: 'ck-result-slot' });
  replace(ui.submission, h('h2', { class: 'ck-submission-title', id: 'ck-submission-title' }, t('form.result.title')), status.el, result);
  ui.form.hidden = true;
  ui.banners.hidden = true;
  ui.submission.hidden = false;
  window.scrollTo?.({ top: 0 });
  status.el.setAttribute('tabindex', '-1');
  status.el.focus();

  const id = render?.id;
  if (!id) {
    // captureMode "collect": no render is created; the partner receives the data by webhook.
    status.set('succeeded', t('form.status.collected'));
    replace(result, actions({ again: true }));
    return;
  }
  status.set(render.status && STEPS.includes(render.status) ? render.status : 'queued');
  const started = Date.now();
  let failures = 0;
  let current = render;
  while (current.status !== 'succeeded' && current.status !== 'failed') {
    await sleep(Date.now() - started > 30000 ? 1500 : POLL_MS);
    try {
      current = await api('GET', `/v1/embed/renders/${encodeURIComponent(id)}`);
      failures = 0;
      status.set(current.status === 'rendering' ? 'rendering' : current.status === 'queued' ? 'queued' : current.status,
        Date.now() - started > 30000 && current.status !== 'succeeded' && current.status !== 'failed' ? t('form.status.timeout') : undefined);
    } catch (error) {
      if (error.status === 401) { sessionLost(error); status.set('failed', t('form.status.failed_long')); replace(result, actions({ back: true })); return; }
      if (++failures > 8) {
        status.set('failed', error.message || t('form.status.failed_long'));
        bridge.emit('error', { code: error.code || 'render_poll_failed', message: error.message || '' });
        replace(result, actions({ back: true }));
        return;
      }
      await sleep(Math.min(4000, 300 * 2 ** failures));
    }
  }
  if (current.status === 'failed') {
    status.set('failed', current.errorMessage ? `${t('form.status.failed_long')} ${current.errorMessage}` : t('form.status.failed_long'));
    bridge.emit('error', { code: 'render_failed', message: current.errorMessage || 'The render failed.' });
    replace(result, actions({ back: true }));
    return;
  }
  const redirectUrl = safeUrl(options.redirectUrl);
  bridge.emit('render.succeeded', { renderId: id, downloadUrl: current.downloadUrl || null, ...(redirectUrl ? { redirectUrl } : {}) });
  if (options.showDocumentAfterSubmit === false) {
    if (redirectUrl) {
      // The iframe cannot reliably navigate the host's top window (cross-origin); it goes there itself
      // and the host, which also receives `render.succeeded` with `redirectUrl`, may navigate the top.
      status.set('succeeded', t('form.status.redirecting'));
      setTimeout(() => window.location.assign(redirectUrl), 400);
      return;
    }
    status.set('succeeded');
    replace(result, actions({ again: true, edit: true }));
    return;
  }
  status.set('succeeded', t('form.status.loading_pdf'));
  try {
    const { blob } = await api('GET', `/v1/embed/renders/${encodeURIComponent(id)}/pdf`, undefined, { blob: true });
    const pdf = blob.type === 'application/pdf' ? blob : new Blob([blob], { type: 'application/pdf' });
    const url = URL.createObjectURL(pdf);
    state.blobUrls.push(url);
    const filename = `${state.session.template.slug || 'document'}-${String(id).slice(-8)}.pdf`;
    status.set('succeeded');
    const download = h('a', { class: 'ck-button ck-button-primary ck-download', href: url, download: filename }, icon('download'), t('form.result.download'));
    const open = h('a', { class: 'ck-button ck-button-ghost ck-open-tab', href: url, target: '_blank', rel: 'noopener' }, icon('external'), t('form.result.open'));
    const file = { filename, size: pdf.size, pages: current.pageCount, download, open };
    // Without a built-in PDF viewer (navigator.pdfViewerEnabled === false: some headless, embedded or
    // mobile browsers) an iframe would stay an empty box, so the file is offered as a card instead.
    if (navigator.pdfViewerEnabled === false) {
      replace(result, h('div', { class: 'ck-result ck-result-file' }, fileCard(file), actions({ again: true, edit: true, redirectUrl })));
    } else {
      // The viewer fades in shortly after it loads (its own chrome paints a moment later); until then a
      // light placeholder, never a dark empty box.
      const frame = h('div', { class: 'ck-result-frame' }, h('div', { class: 'ck-result-loading', role: 'status' }, h('span', { class: 'ck-spinner' }), t('form.status.loading_pdf')));
      const shown = () => frame.classList.add('ck-loaded');
      frame.append(h('iframe', { class: 'ck-result-viewer', src: url, title: t('form.result.viewer'), onload: () => setTimeout(shown, 400) }));
      setTimeout(shown, 5000);
      replace(result, h('div', { class: 'ck-result' }, fileCard(file, true), frame, actions({ again: true, edit: true, redirectUrl })));
    }
  } catch (error) {
    if (error.status === 401) sessionLost(error);
    status.set('succeeded', t('form.result.pdf_failed'));
    bridge.emit('error', { code: error.code || 'pdf_failed', message: error.message || '' });
    replace(result, actions({ again: true, edit: true, redirectUrl }));
  }
}

/** The rendered file: icon, name, "PDF · 2 pages · 34 KB", Download and Open (compact: a bar above the viewer). */
function fileCard({ filename, size, pages, download, open }, compact = false) {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 40 48');
  for (const d of ['M7 1.5h18.5L37 13v31.5a2 2 0 0 1-2 2H7a2 2 0 0 1-2-2v-41a2 2 0 0 1 2-2Z', 'M25.5 1.5V11a2 2 0 0 0 2 2H37']) {
    const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
    path.setAttribute('d', d);
    svg.append(path);
  }
  const kb = size / 1024;
  const sizeText = new Intl.NumberFormat(locale(), kb < 1024
    ? { style: 'unit', unit: 'kilobyte', maximumFractionDigits: 0 }
    : { style: 'unit', unit: 'megabyte', maximumFractionDigits: 1 }).format(kb < 1024 ? Math.max(1, kb) : kb / 1024);
  const pageText = Number.isInteger(pages) && pages > 0 ? t(pages === 1 ? 'form.result.one_page' : 'form.result.pages', { count: pages }) : null;
  return h('div', { class: `ck-result-card${compact ? ' ck-result-card-compact' : ''}` },
    h('div', { class: 'ck-file-icon', 'aria-hidden': 'true' }, svg, h('span', {}, t('form.result.pdf'))),
    h('div', { class: 'ck-file-meta' },
      h('strong', { class: 'ck-file-name', title: filename }, filename),
      h('span', { class: 'ck-file-details' }, [t('form.result.pdf'), pageText, sizeText].filter(Boolean).join(' · '))),
    h('div', { class: 'ck-file-actions' }, compact ? [open, download] : [download, open]),
    compact ? null : h('p', { class: 'ck-file-note' }, t('form.result.no_viewer')));
}

function safeUrl(value) {
  try { const url = new URL(value); return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null; } catch { return null; }
}

function actions({ again = false, edit = false, back = false, redirectUrl = null }) {
  return h('div', { class: 'ck-result-actions' },
    back ? h('button', { class: 'ck-button ck-button-primary', type: 'button', onclick: () => backToForm(false) }, t('form.result.back')) : null,
    edit ? h('button', { class: 'ck-button ck-result-edit', type: 'button', onclick: () => backToForm(false) }, t('form.result.edit')) : null,
    again ? h('button', { class: 'ck-button ck-fill-again', type: 'button', onclick: () => backToForm(true) }, t('form.result.again')) : null,
    redirectUrl ? h('button', { class: 'ck-button ck-result-continue', type: 'button', onclick: () => window.location.assign(redirectUrl) }, t('form.result.continue')) : null);
}

function backToForm(reset) {
  for (const url of state.blobUrls.splice(0)) URL.revokeObjectURL(url);
  if (reset) fill(state.initialData);
  ui.submission.hidden = true;
  replace(ui.submission);
  ui.form.hidden = false;
  ui.banners.hidden = false;
  ui.summary.hidden = true;
  window.scrollTo?.({ top: 0 });
  const first = state.slots[0] || state.loops[0]?.rows[0]?.slots.values().next().value;
  if (first) first.focus(); else ui.submit.focus();
  changed();
}

// ---- Optional live preview ----

let previewAbort = null;
const schedulePreview = debounce(() => refreshPreview(), 500);

function previewPane() {
  ui.previewImg = h('img', { class: 'ck-preview-image', alt: t('form.preview.alt'), hidden: true });
  ui.previewState = h('p', { class: 'ck-preview-state', role: 'status' });
  ui.previewFrame = h('div', { class: 'ck-preview-frame ck-skeleton' }, ui.previewImg);
  return h('aside', { class: 'ck-preview', 'aria-labelledby': 'ck-preview-title' },
    h('div', { class: 'ck-preview-sticky' },
      h('div', { class: 'ck-preview-header' }, h('h2', { class: 'ck-section-title', id: 'ck-preview-title' }, t('form.preview.title')), ui.previewState),
      ui.previewFrame));
}

async function refreshPreview() {
  if (state.lost || !ui.previewFrame) return;
  previewAbort?.abort();
  const controller = new AbortController();
  previewAbort = controller;
  ui.previewState.textContent = t('form.preview.updating');
  ui.previewFrame.classList.add('ck-preview-busy');
  try {
    const { blob } = await api('POST', '/v1/embed/preview', { data: collect(true), format: 'png', page: 1 }, { blob: true, signal: controller.signal });
    const url = URL.createObjectURL(blob);
    const old = ui.previewImg.src;
    ui.previewImg.src = url;
    ui.previewImg.hidden = false;
    ui.previewFrame.classList.remove('ck-skeleton');
    if (old.startsWith('blob:')) setTimeout(() => URL.revokeObjectURL(old), 1000);
    ui.previewState.textContent = '';
  } catch (error) {
    if (error?.name === 'AbortError') return;
    if (error.status === 401) sessionLost(error);
    ui.previewState.textContent = t('form.preview.failed');
  } finally {
    if (previewAbort === controller) ui.previewFrame.classList.remove('ck-preview-busy');
  }
}

// ---- Session lost / renewed ----

function sessionLost(error) {
  if (state.lost) return;
  state.lost = true;
  autosave.cancel();
  const code = failureCode(error);
  const message = t('common.session_lost', { brand: state.brand || t('common.brand') });
  bridge.emit('error', { code, message: error?.message || code });
  ui.lostBanner?.remove();
  ui.lostBanner = h('div', { class: 'ck-banner ck-banner-danger ck-session-lost', role: 'alert', dataset: { code } }, message);
  (ui.banners || document.body).prepend(ui.lostBanner);
  if (ui.banners) ui.banners.hidden = false;
  modal({ title: t('form.session_lost_title'), body: h('p', {}, message), buttons: [{ label: t('common.close'), value: 'close', primary: true }] });
}

function sessionRenewed() {
  if (!state.lost) return;
  state.lost = false;
  ui.lostBanner?.remove();
  ui.lostBanner = null;
  document.querySelector('.ck-modal-backdrop')?.remove();
  announce(t('form.session_renewed'));
}

main().catch((error) => {
  console.error(error);
  errorState('generic', { brand: state.brand });
  bridge.emit('error', { code: 'editor_state_corrupted', message: String(error?.message || error) });
});
