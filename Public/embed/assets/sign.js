// The signing page (/sign/:token): one recipient reviews the document, fills their fields (guided,
// one after another), consents to signing electronically and signs, or declines with a reason. Built
// from GET {base}/request; the page images come from {base}/pages/N. Signatures are drawn (mouse,
// touch, pen), typed (shown in a handwriting style, stamped by the server in a handwriting font) or
// uploaded; everything works from the keyboard (Type is the keyboard path for a signature).
import { h, replace, announce } from './ck-dom.js';

const body = document.body;
const base = body.dataset.signBase;
const main = document.getElementById('ck-sign-main');
const maxImageBytes = 512 * 1024;
const fieldNames = { signature: 'Signature', initials: 'Initials', date: 'Date', text: 'Text' };

/** The values the signer has given so far, by field index: {text} or {image, preview}. */
const values = new Map();
let state;

async function api(method, path, payload) {
  const response = await fetch(`${base}${path}`, {
    method, credentials: 'omit', headers: payload ? { 'Content-Type': 'application/json' } : {},
    body: payload ? JSON.stringify(payload) : undefined,
  });
  let data = null;
  try { data = await response.json(); } catch { data = null; }
  return { ok: response.ok, status: response.status, data };
}

function message(title, text, { status = 'status' } = {}) {
  main.removeAttribute('aria-busy');
  replace(main, h('section', { class: 'ck-share-gone ck-sign-message', role: status },
    h('h1', { class: 'ck-share-title' }, title), text ? h('p', {}, text) : null));
  main.querySelector('h1').setAttribute('tabindex', '-1');
  main.querySelector('h1').focus();
}

function errorText(result) {
  const error = result.data && result.data.error;
  if (error && typeof error === 'object') return error.message || error.code;
  return `The server answered ${result.status}.`;
}

async function load() {
  if (!base) return;
  const result = await api('GET', '/request');
  if (result.status === 404 || result.status === 410) {
    message('This link is no longer active.', 'The signing request has ended or the link is wrong. Ask the sender for a new one.');
    return;
  }
  if (!result.ok) {
    message('The document could not be loaded.', errorText(result), { status: 'alert' });
    return;
  }
  state = result.data;
  render();
}

function myFields() { return state.fields.slice().sort((a, b) => a.page - b.page || a.y - b.y || a.x - b.x); }

function render() {
  const { request, recipient, document: doc } = state;
  document.title = `${request.name} · Review and sign`;
  document.getElementById('ck-sign-brand').textContent = request.name;
  main.removeAttribute('aria-busy');
  if (recipient.status === 'signed') {
    message('You have signed this document.', 'Thank you. Everyone involved gets the signed copy once all signers have signed.');
    return;
  }
  if (recipient.status === 'declined') {
    message('You declined to sign this document.', 'The sender has been told.');
    return;
  }
  const name = [recipient.firstName, recipient.lastName].filter(Boolean).join(' ');
  const intro = h('section', { class: 'ck-share-intro' },
    h('p', { class: 'ck-share-from' }, `${name} · ${recipient.designation || 'Signer'}`),
    h('h1', { class: 'ck-share-title' }, request.name),
    recipient.canSign
      ? h('p', { class: 'ck-sign-lead' }, `${state.fields.length} ${state.fields.length === 1 ? 'field needs' : 'fields need'} your input. Use “Next field” to go through them.`)
      : h('p', { class: 'ck-sign-lead', role: 'status' }, 'It is not your turn to sign yet: you will get an email when it is. You can review the document now.'));
  const progress = h('span', { class: 'ck-share-count', id: 'ck-sign-progress' });
  const next = h('button', { type: 'button', class: 'ck-share-button', id: 'ck-sign-next', onclick: nextField }, 'Next field');
  const decline = h('button', { type: 'button', class: 'ck-share-button ck-share-secondary', id: 'ck-sign-decline', onclick: declineDialog }, 'Decline');
  const bar = h('div', { class: 'ck-share-bar', role: 'toolbar', 'aria-label': 'Signing' }, progress,
    h('span', { class: 'ck-share-actions' }, recipient.canSign ? decline : null, recipient.canSign ? next : null));
  const pages = h('div', { class: 'ck-share-pages ck-sign-pages', id: 'ck-sign-pages' });
  for (let page = 1; page <= doc.pageCount; page++) {
    const size = doc.pages[page - 1] || { width: 595, height: 842 };
    const sheet = h('div', { class: 'ck-sign-sheet' },
      h('img', { src: `${base}/pages/${page}`, alt: `Page ${page} of ${doc.pageCount}`, loading: page <= 2 ? 'eager' : 'lazy', decoding: 'async' }));
    // Geometry goes through the CSSOM: the page's CSP allows no style attributes.
    sheet.style.aspectRatio = `${size.width} / ${size.height}`;
    for (const field of state.fields.filter((f) => f.page === page)) {
      const label = `${fieldNames[field.type] || 'Field'}${field.required ? ' (required)' : ''}`;
      const button = h('button', {
        type: 'button', class: `ck-sign-field ck-sign-field-${field.type}`, id: `ck-sign-field-${field.index}`,
        'aria-label': `${label}, page ${page}`, dataset: { field: String(field.index) },
        disabled: !recipient.canSign, onclick: () => fillField(field),
      }, h('span', { class: 'ck-sign-field-label' }, label));
      Object.assign(button.style, { left: `${field.x}%`, top: `${field.y}%`, width: `${field.width}%`, height: `${field.height}%` });
      sheet.append(button);
    }
    pages.append(h('figure', { class: 'ck-share-page' }, sheet, h('figcaption', {}, `Page ${page} of ${doc.pageCount}`)));
  }
  const consent = h('label', { class: 'ck-sign-consent' },
    h('input', { type: 'checkbox', id: 'ck-sign-consent', onchange: updateProgress }),
    h('span', {}, state.consent.text));
  const finish = h('button', { type: 'button', class: 'ck-share-button ck-sign-finish', id: 'ck-sign-finish', onclick: finishSigning }, 'Finish and sign');
  const footer = recipient.canSign ? h('section', { class: 'ck-sign-submit' }, consent, finish) : null;
  replace(main, intro, bar, pages, footer);
  updateProgress();
}

function updateProgress() {
  const done = state.fields.filter((f) => values.has(f.index)).length;
  const progress = document.getElementById('ck-sign-progress');
  if (progress) progress.textContent = `${done} of ${state.fields.length} fields done`;
  const missing = state.fields.filter((f) => f.required && !values.has(f.index));
  const finish = document.getElementById('ck-sign-finish');
  const consent = document.getElementById('ck-sign-consent');
  if (finish) finish.disabled = missing.length > 0 || !consent.checked;
  const next = document.getElementById('ck-sign-next');
  if (next) next.textContent = missing.length ? 'Next field' : 'Review and finish';
}

function nextField() {
  const pending = myFields().find((f) => !values.has(f.index));
  if (!pending) {
    const consent = document.getElementById('ck-sign-consent');
    consent.scrollIntoView({ block: 'center', behavior: 'smooth' });
    consent.focus();
    return;
  }
  const button = document.getElementById(`ck-sign-field-${pending.index}`);
  button.scrollIntoView({ block: 'center', behavior: 'smooth' });
  button.focus();
  fillField(pending);
}

function fullName() {
  const { firstName, lastName } = state.recipient;
  return [firstName, lastName].filter(Boolean).join(' ');
}

function initials() {
  return fullName().split(/\s+/).filter(Boolean).map((part) => part[0].toUpperCase()).join('');
}

/** A dialog whose primary button runs `adopt`; adopt returns false to keep the dialog open. */
function dialog(title, content, { adoptLabel, adopt }) {
  const previous = document.activeElement;
  const titleId = `ck-sign-dialog-${Math.random().toString(36).slice(2)}`;
  const close = () => { backdrop.remove(); previous?.focus?.(); };
  const error = h('p', { class: 'ck-sign-error', role: 'alert' });
  const primary = h('button', { type: 'button', class: 'ck-button ck-button-primary', id: 'ck-sign-adopt' }, adoptLabel);
  primary.addEventListener('click', async () => {
    error.textContent = '';
    const result = await adopt();
    if (result === true) close();
    else if (typeof result === 'string') error.textContent = result;
  });
  const cancel = h('button', { type: 'button', class: 'ck-button', onclick: close }, 'Cancel');
  const box = h('div', { class: 'ck-modal ck-sign-dialog', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': titleId },
    h('h2', { id: titleId }, title), content, error, h('div', { class: 'ck-modal-actions' }, cancel, primary));
  const backdrop = h('div', { class: 'ck-modal-backdrop' }, box);
  backdrop.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') { event.preventDefault(); close(); }
    if (event.key === 'Tab') {
      const focusable = [...box.querySelectorAll('button:not([disabled]), input, textarea, canvas[tabindex], [role="tab"][tabindex="0"]')];
      const first = focusable[0], last = focusable[focusable.length - 1];
      if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
      else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
    }
  });
  document.body.append(backdrop);
  (box.querySelector('[data-autofocus]') || primary).focus();
  return close;
}

function fillField(field) {
  if (field.type === 'signature' || field.type === 'initials') { signatureDialog(field); return; }
  const isDate = field.type === 'date';
  const current = values.get(field.index);
  const input = h('input', {
    class: 'ck-input', id: 'ck-sign-text', maxlength: '500', 'data-autofocus': '',
    value: current?.text ?? (isDate ? new Date().toISOString().slice(0, 10) : ''),
    'aria-label': isDate ? 'Date' : 'Text',
  });
  dialog(isDate ? 'Date' : 'Your answer', input, {
    adoptLabel: 'Apply',
    adopt: () => {
      const text = input.value.trim();
      if (!text) return 'Enter a value.';
      setValue(field, { text, preview: null });
      return true;
    },
  });
}

function signatureDialog(field) {
  const isInitials = field.type === 'initials';
  const typedDefault = isInitials ? initials() : fullName();
  const tabs = ['Draw', 'Type', 'Upload'];
  let mode = 'Draw';
  const tabList = h('div', { class: 'ck-sign-tabs', role: 'tablist', 'aria-label': 'How to sign' });
  const panels = {};

  // Draw: pointer events cover mouse, touch and pen; strokes are smoothed with quadratic curves.
  const canvas = h('canvas', { class: 'ck-sign-pad', width: '600', height: '200', 'aria-label': 'Signature pad: draw with a mouse, finger or pen', tabindex: '0' });
  const strokes = [];
  const context = canvas.getContext('2d');
  const redraw = () => {
    context.clearRect(0, 0, canvas.width, canvas.height);
    context.lineWidth = 3; context.lineCap = 'round'; context.lineJoin = 'round'; context.strokeStyle = '#111827';
    for (const stroke of strokes) {
      context.beginPath();
      context.moveTo(stroke[0].x, stroke[0].y);
      for (let i = 1; i < stroke.length - 1; i++) {
        const mid = { x: (stroke[i].x + stroke[i + 1].x) / 2, y: (stroke[i].y + stroke[i + 1].y) / 2 };
        context.quadraticCurveTo(stroke[i].x, stroke[i].y, mid.x, mid.y);
      }
      const last = stroke[stroke.length - 1];
      context.lineTo(last.x + 0.01, last.y);
      context.stroke();
    }
  };
  const point = (event) => {
    const rect = canvas.getBoundingClientRect();
    return { x: (event.clientX - rect.left) * (canvas.width / rect.width), y: (event.clientY - rect.top) * (canvas.height / rect.height) };
  };
  canvas.addEventListener('pointerdown', (event) => {
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    strokes.push([point(event)]);
    redraw();
  });
  canvas.addEventListener('pointermove', (event) => {
    if (!canvas.hasPointerCapture(event.pointerId)) return;
    strokes[strokes.length - 1].push(point(event));
    redraw();
  });
  canvas.addEventListener('pointerup', (event) => canvas.releasePointerCapture(event.pointerId));
  const undo = h('button', { type: 'button', class: 'ck-button ck-button-small', onclick: () => { strokes.pop(); redraw(); } }, 'Undo');
  const clearPad = h('button', { type: 'button', class: 'ck-button ck-button-small', onclick: () => { strokes.length = 0; redraw(); } }, 'Clear');
  panels.Draw = h('div', { class: 'ck-sign-panel' }, canvas, h('div', { class: 'ck-sign-pad-actions' }, undo, clearPad));

  // Type: the name in a handwriting style.
  const typed = h('input', { class: 'ck-input', id: 'ck-sign-typed', maxlength: '100', value: typedDefault, 'aria-label': isInitials ? 'Your initials' : 'Your name' });
  const typedPreview = h('div', { class: 'ck-sign-typed-preview', 'aria-hidden': 'true' }, typedDefault);
  typed.addEventListener('input', () => { typedPreview.textContent = typed.value; });
  panels.Type = h('div', { class: 'ck-sign-panel' }, typed, typedPreview);

  // Upload: an image of a signature, converted to PNG in the browser.
  const file = h('input', { type: 'file', accept: 'image/png,image/jpeg,image/webp', class: 'ck-input', id: 'ck-sign-upload', 'aria-label': 'Signature image' });
  const uploadPreview = h('img', { class: 'ck-sign-upload-preview', alt: '', hidden: true });
  let uploaded = null;
  file.addEventListener('change', async () => {
    uploaded = null;
    uploadPreview.hidden = true;
    const chosen = file.files && file.files[0];
    if (!chosen) return;
    uploaded = await toPNG(chosen);
    if (uploaded) { uploadPreview.src = uploaded; uploadPreview.hidden = false; }
  });
  panels.Upload = h('div', { class: 'ck-sign-panel' }, file, uploadPreview);

  const tabButtons = tabs.map((name) => h('button', {
    type: 'button', role: 'tab', class: 'ck-sign-tab', id: `ck-sign-tab-${name.toLowerCase()}`, 'aria-selected': String(name === mode),
    tabindex: name === mode ? '0' : '-1', onclick: () => select(name),
  }, name));
  const select = (name) => {
    mode = name;
    for (const [i, button] of tabButtons.entries()) {
      const selected = tabs[i] === name;
      button.setAttribute('aria-selected', String(selected));
      button.tabIndex = selected ? 0 : -1;
      panels[tabs[i]].hidden = !selected;
    }
  };
  tabList.addEventListener('keydown', (event) => {
    if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
    const index = (tabs.indexOf(mode) + (event.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length;
    select(tabs[index]);
    tabButtons[index].focus();
  });
  tabList.append(...tabButtons);
  select(mode);
  tabButtons[0].setAttribute('data-autofocus', '');

  dialog(isInitials ? 'Your initials' : 'Your signature', h('div', {}, tabList, panels.Draw, panels.Type, panels.Upload), {
    adoptLabel: 'Adopt and sign',
    adopt: () => {
      if (mode === 'Draw') {
        if (!strokes.some((stroke) => stroke.length > 1)) return 'Draw your signature first, or choose Type.';
        const image = trimmedPNG(canvas);
        if (image.length * 0.75 > maxImageBytes) return 'The drawing is too large.';
        setValue(field, { image, preview: image });
        return true;
      }
      if (mode === 'Type') {
        const text = typed.value.trim();
        if (!text) return 'Type your name first.';
        setValue(field, { text, preview: null, handwriting: true });
        return true;
      }
      if (!uploaded) return 'Choose an image file (PNG, JPEG or WebP).';
      if (uploaded.length * 0.75 > maxImageBytes) return 'The image is too large (at most 512 KB).';
      setValue(field, { image: uploaded, preview: uploaded });
      return true;
    },
  });
}

/** The drawing cropped to its strokes, as a PNG data URL. */
function trimmedPNG(canvas) {
  const { width, height } = canvas;
  const pixels = canvas.getContext('2d').getImageData(0, 0, width, height).data;
  let top = height, left = width, right = 0, bottom = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (pixels[(y * width + x) * 4 + 3] > 0) {
        if (x < left) left = x; if (x > right) right = x; if (y < top) top = y; if (y > bottom) bottom = y;
      }
    }
  }
  const pad = 6;
  left = Math.max(0, left - pad); top = Math.max(0, top - pad);
  right = Math.min(width - 1, right + pad); bottom = Math.min(height - 1, bottom + pad);
  const out = document.createElement('canvas');
  out.width = Math.max(1, right - left + 1); out.height = Math.max(1, bottom - top + 1);
  out.getContext('2d').drawImage(canvas, left, top, out.width, out.height, 0, 0, out.width, out.height);
  return out.toDataURL('image/png');
}

/** An uploaded image as a PNG data URL, scaled to at most 1200 px wide. */
function toPNG(file) {
  return new Promise((resolve) => {
    if (file.size > 10 * 1024 * 1024) { resolve(null); return; }
    const reader = new FileReader();
    reader.onload = () => {
      const image = new Image();
      image.onload = () => {
        const scale = Math.min(1, 1200 / image.naturalWidth, 400 / image.naturalHeight);
        const canvas = document.createElement('canvas');
        canvas.width = Math.max(1, Math.round(image.naturalWidth * scale));
        canvas.height = Math.max(1, Math.round(image.naturalHeight * scale));
        canvas.getContext('2d').drawImage(image, 0, 0, canvas.width, canvas.height);
        resolve(canvas.toDataURL('image/png'));
      };
      image.onerror = () => resolve(null);
      image.src = reader.result;
    };
    reader.onerror = () => resolve(null);
    reader.readAsDataURL(file);
  });
}

function setValue(field, value) {
  values.set(field.index, value);
  const button = document.getElementById(`ck-sign-field-${field.index}`);
  button.classList.add('ck-sign-field-done');
  const content = value.preview
    ? h('img', { src: value.preview, alt: '' })
    : h('span', { class: value.handwriting ? 'ck-sign-field-typed' : 'ck-sign-field-text' }, value.text);
  replace(button, content);
  button.setAttribute('aria-label', `${fieldNames[field.type]}: done. Press to change.`);
  announce(`${fieldNames[field.type]} added.`);
  updateProgress();
  const pending = state.fields.find((f) => f.required && !values.has(f.index));
  if (!pending) document.getElementById('ck-sign-consent')?.focus();
}

async function finishSigning() {
  const finish = document.getElementById('ck-sign-finish');
  finish.disabled = true;
  finish.textContent = 'Signing…';
  const payload = {
    consent: document.getElementById('ck-sign-consent').checked,
    values: [...values.entries()].map(([field, value]) => value.image ? { field, image: value.image } : { field, text: value.text }),
  };
  const result = await api('POST', '/sign', payload);
  if (!result.ok) {
    finish.textContent = 'Finish and sign';
    updateProgress();
    announce(errorText(result), true);
    const error = document.getElementById('ck-sign-finish-error') || h('p', { class: 'ck-sign-error', id: 'ck-sign-finish-error', role: 'alert' });
    error.textContent = errorText(result);
    finish.after(error);
    return;
  }
  message('Thank you — you have signed.', 'Everyone involved gets the signed copy by email once all signers have signed.');
}

function declineDialog() {
  const reason = h('textarea', { class: 'ck-textarea', id: 'ck-sign-decline-reason', maxlength: '500', rows: '4', 'aria-label': 'Reason', 'data-autofocus': '' });
  dialog('Decline to sign', h('div', {}, h('p', {}, 'Tell the sender why you decline. The request ends for everyone.'), reason), {
    adoptLabel: 'Decline',
    adopt: async () => {
      const text = reason.value.trim();
      if (!text) return 'Give a reason.';
      const result = await api('POST', '/decline', { reason: text });
      if (!result.ok) return errorText(result);
      message('You declined to sign this document.', 'The sender has been told.');
      return true;
    },
  });
}

load();
