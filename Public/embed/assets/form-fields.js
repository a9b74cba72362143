// Form fields: the model (template manifest, labelled and grouped from the catalog, constrained by the
// JSON Schema) and one control per data type. A control reads its value ({value, error}), writes one
// (set), and shows its own inline error. Text always goes in through textContent.
import { h } from './ck-dom.js';
import { t, locale } from './ck-i18n.js';

let uid = 0;
export const nextId = (prefix) => `${prefix}-${++uid}`;

export function humanize(key) {
  const last = String(key).split('.').pop().replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ');
  return last.charAt(0).toUpperCase() + last.slice(1);
}

/** The JSON Schema node at a dot path ("customer.name", or "items.*.qty" for loop item fields). */
export function schemaAt(schema, path) {
  let node = schema;
  for (const part of path.split('.')) {
    if (!node) return null;
    node = part === '*' ? node.items : node.properties?.[part];
  }
  return node || null;
}

function schemaRequired(schema, path) {
  const parts = path.split('.');
  const name = parts.pop();
  const parent = parts.length ? schemaAt(schema, parts.join('.')) : schema;
  return Array.isArray(parent?.required) && parent.required.includes(name);
}

function mergeField(manifestField, catalogField, schema, schemaPath) {
  const c = catalogField || {};
  const node = schema ? schemaAt(schema, schemaPath) : null;
  const placeholder = c.previewData ?? manifestField.previewData;
  return {
    key: manifestField.key,
    label: c.label || manifestField.label || humanize(manifestField.key),
    dataType: manifestField.dataType || c.dataType || 'text',
    format: manifestField.format || c.format || null,
    required: !!(manifestField.required || (schema && schemaRequired(schema, schemaPath))),
    description: c.description || manifestField.description || null,
    placeholder: typeof placeholder === 'string' || typeof placeholder === 'number' ? String(placeholder) : null,
    schema: node,
  };
}

/**
 * {sections: [{key, label, fields}], loops: [{key, label, description, fields, schema}]} from the
 * session: the manifest decides which fields exist; the catalog labels, groups and explains them.
 */
export function buildModel(session) {
  const manifest = session.template?.manifest || { variables: [], loops: [] };
  const schema = session.template?.schema || null;
  const catalog = session.catalog || { namespaces: [], loops: [] };
  const catalogField = new Map();
  const namespaceOf = new Map();
  for (const ns of catalog.namespaces || []) {
    for (const f of ns.fields || []) { catalogField.set(f.key, f); namespaceOf.set(f.key, ns); }
  }
  const sections = [];
  const byNamespace = new Map();
  for (const ns of catalog.namespaces || []) {
    const section = { key: ns.key, label: ns.label || humanize(ns.key), fields: [], order: [] };
    byNamespace.set(ns.key, section);
    sections.push(section);
  }
  const general = { key: '_general', label: t('form.general'), fields: [] };
  const catalogOrder = (key) => (namespaceOf.get(key)?.fields || []).findIndex((f) => f.key === key);
  for (const variable of manifest.variables || []) {
    const field = mergeField(variable, catalogField.get(variable.key), schema, variable.key);
    const ns = namespaceOf.get(variable.key);
    if (ns) byNamespace.get(ns.key).fields.push(field);
    else general.fields.push(field);
  }
  for (const section of sections) section.fields.sort((a, b) => catalogOrder(a.key) - catalogOrder(b.key));
  const used = sections.filter((s) => s.fields.length);
  if (general.fields.length) used.push(general);
  const catalogLoops = new Map((catalog.loops || []).map((l) => [l.key, l]));
  const loops = (manifest.loops || []).map((loop) => {
    const c = catalogLoops.get(loop.key) || {};
    const cFields = new Map((c.itemFields || []).map((f) => [f.key, f]));
    const loopSchema = schema ? schemaAt(schema, loop.key) : null;
    return {
      key: loop.key,
      label: c.label || loop.label || humanize(loop.key),
      description: c.description || null,
      schema: loopSchema,
      fields: (loop.itemFields || []).map((f) => mergeField(f, cFields.get(f.key), schema, `${loop.key}.*.${f.key}`)),
    };
  });
  return { sections: used, loops };
}

// ---- Numbers and currency in the page's locale ----

function separators() {
  const parts = new Intl.NumberFormat(locale()).formatToParts(12345.6);
  return { group: parts.find((p) => p.type === 'group')?.value || ',', decimal: parts.find((p) => p.type === 'decimal')?.value || '.' };
}

export function currencyOf(format) {
  const match = /^(?:money|currency):([A-Za-z]{3})/.exec(format || '');
  return match ? match[1].toUpperCase() : null;
}

function currencySymbol(code) {
  try {
    return new Intl.NumberFormat(locale(), { style: 'currency', currency: code }).formatToParts(1).find((p) => p.type === 'currency')?.value || code;
  } catch { return code; }
}

/** Parses "1,280.50", "1.280,50", "12.5" or "12,5" → number; NaN when it is not a number. */
export function parseDecimal(text) {
  let s = String(text).replace(/[\s\u00a0\u202f']/g, '').replace(/[^\d.,+-]/g, (c) => (/[A-Za-z€$£¥₹]/.test(c) ? '' : c));
  if (!s) return NaN;
  const { decimal } = separators();
  const lastComma = s.lastIndexOf(','), lastDot = s.lastIndexOf('.');
  if (lastComma >= 0 && lastDot >= 0) {
    const dec = lastComma > lastDot ? ',' : '.';
    s = s.split(dec === ',' ? '.' : ',').join('').replace(dec, '.');
  } else if (lastComma >= 0 || lastDot >= 0) {
    const sep = lastComma >= 0 ? ',' : '.';
    const count = s.split(sep).length - 1;
    const after = s.length - s.lastIndexOf(sep) - 1;
    const grouping = count > 1 || (sep !== decimal && after === 3);
    s = grouping ? s.split(sep).join('') : s.replace(sep, '.');
  }
  return /^[+-]?(\d+\.?\d*|\.\d+)$/.test(s) ? Number(s) : NaN;
}

function formatDecimal(value, digits = 2) {
  return new Intl.NumberFormat(locale(), { minimumFractionDigits: digits, maximumFractionDigits: Math.max(digits, 4) }).format(value);
}

export function formatBytes(bytes) {
  const mb = bytes / (1024 * 1024);
  return mb >= 1 ? `${new Intl.NumberFormat(locale(), { maximumFractionDigits: 1 }).format(mb)} MB` : `${Math.round(bytes / 1024)} KB`;
}

const pad = (n) => String(n).padStart(2, '0');

function toLocalDateTime(value) {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Schema and type checks shared by every control: returns an error message or null. */
function check(field, value) {
  const s = field.schema || {};
  if (value === undefined) return field.required ? t('form.error.required') : null;
  if (typeof value === 'string') {
    if (field.dataType === 'email' && !EMAIL.test(value)) return t('form.error.email');
    if (field.dataType === 'url' && !/^https?:\/\/[^\s]+\.[^\s]+|^https?:\/\/localhost/.test(value)) return t('form.error.url');
    if (s.minLength && value.length < s.minLength) return t('form.error.minLength', { min: s.minLength });
    if (s.maxLength && value.length > s.maxLength) return t('form.error.maxLength', { max: s.maxLength });
    if (s.pattern && field.dataType !== 'image') { try { if (!new RegExp(s.pattern, 'u').test(value)) return t('form.error.pattern'); } catch { /* ignore */ } }
    if (Array.isArray(s.enum) && !s.enum.includes(value)) return t('form.error.enum');
  }
  if (typeof value === 'number') {
    if (s.type === 'integer' && !Number.isInteger(value)) return t('form.error.integer');
    if (typeof s.minimum === 'number' && value < s.minimum) return t('form.error.min', { min: s.minimum });
    if (typeof s.maximum === 'number' && value > s.maximum) return t('form.error.max', { max: s.maximum });
  }
  return null;
}

/**
 * One field slot (label, help, control, error). `variant: 'field'` is a full form field
 * (.ck-field); `'cell'` is a loop cell (.ck-loop-cell) whose label is visually hidden on wide screens.
 * ctx: {onChange(), upload(file, onProgress), uploadLimit(), onUploaded(size), onAuthLost(error)}.
 */
export function fieldSlot(field, { name, variant = 'field', ctx }) {
  const id = nextId('ck-f');
  const errorId = `${id}-error`;
  const helpId = field.description && variant === 'field' ? `${id}-help` : null;
  const labelId = `${id}-label`;
  const control = makeControl(field, { id, name, labelId, ctx });
  const requiredMark = field.required ? h('span', { class: 'ck-required', 'aria-hidden': 'true' }, '*') : null;
  const errorEl = h('p', { class: 'ck-field-error', id: errorId, hidden: true });
  const labelText = h('span', { class: 'ck-field-label-text' }, field.label);
  let label;
  if (field.dataType === 'boolean') {
    label = h('label', { class: variant === 'field' ? 'ck-field-label ck-check' : 'ck-loop-cell-label ck-check', id: labelId }, control.input, labelText);
  } else if (field.dataType === 'image') {
    label = h('span', { class: variant === 'field' ? 'ck-field-label' : 'ck-loop-cell-label', id: labelId }, labelText, requiredMark);
  } else {
    label = h('label', { class: variant === 'field' ? 'ck-field-label' : 'ck-loop-cell-label', for: id, id: labelId }, labelText, requiredMark);
  }
  const help = helpId ? h('p', { class: 'ck-help', id: helpId }, field.description) : null;
  const el = variant === 'field'
    ? h('div', { class: `ck-field ck-field-${field.dataType}`, dataset: { key: field.key } },
      label, field.dataType === 'boolean' ? null : control.element, help, errorEl)
    : h('div', { class: `ck-loop-cell ck-loop-cell-${field.dataType}`, dataset: { field: field.key } },
      label, field.dataType === 'boolean' ? null : control.element, errorEl);
  const describe = (withError) => {
    const ids = [helpId, control.hintId, withError ? errorId : null].filter(Boolean).join(' ');
    for (const target of control.describeTargets) {
      if (ids) target.setAttribute('aria-describedby', ids); else target.removeAttribute('aria-describedby');
    }
  };
  describe(false);
  const slot = {
    field, el, control, name,
    get input() { return control.input; },
    setError(message) {
      errorEl.textContent = message;
      errorEl.hidden = false;
      el.classList.add('ck-field-invalid');
      for (const target of control.describeTargets) target.setAttribute('aria-invalid', 'true');
      describe(true);
    },
    clearError() {
      if (errorEl.hidden) return;
      errorEl.hidden = true;
      errorEl.textContent = '';
      el.classList.remove('ck-field-invalid');
      for (const target of control.describeTargets) target.removeAttribute('aria-invalid');
      describe(false);
    },
    /** Runs the checks; shows the error (when `show`) and returns it (or null). */
    validate(show = true) {
      const { value, error } = control.read();
      const message = error ? t(error) : check(field, value);
      if (show) { if (message) slot.setError(message); else slot.clearError(); }
      return message;
    },
    value() { const r = control.read(); return r.error ? undefined : r.value; },
    rawValue() { return control.read().value; },
    set(value) { control.set(value); },
    rename(nextName, labelText) { control.rename(nextName); if (labelText) control.setAccessibleLabel?.(labelText); },
    focus() { control.focusTarget().focus(); },
  };
  control.onEdit = () => { slot.clearError(); ctx.onChange?.(); };
  control.onFailure = (message) => { slot.setError(message); ctx.announce?.(message, true); };
  control.onCommit = () => { if (!errorEl.hidden) slot.validate(); };
  return slot;
}

function makeControl(field, { id, name, labelId, ctx }) {
  switch (field.dataType) {
    case 'longtext': return textControl(field, { id, name, multiline: true });
    case 'number': return numberControl(field, { id, name });
    case 'currency': return currencyControl(field, { id, name });
    case 'date': return dateControl(field, { id, name, kind: 'date' });
    case 'datetime': return dateControl(field, { id, name, kind: 'datetime-local' });
    case 'boolean': return booleanControl(field, { id, name });
    case 'image': return imageControl(field, { id, name, labelId, ctx });
    default: return textControl(field, { id, name, type: field.dataType === 'email' ? 'email' : field.dataType === 'url' ? 'url' : 'text' });
  }
}

function wire(control, input) {
  input.addEventListener('input', () => control.onEdit?.());
  input.addEventListener('change', () => control.onCommit?.());
  input.addEventListener('blur', () => control.onCommit?.());
}

function baseControl(input, element = input) {
  const control = {
    input, element, describeTargets: [input],
    focusTarget: () => input,
    rename(next) { input.name = next; },
  };
  return control;
}

function textControl(field, { id, name, type = 'text', multiline = false }) {
  const options = field.schema?.enum;
  let input;
  if (Array.isArray(options) && options.length && !multiline) {
    input = h('select', { class: 'ck-select', id, name, 'aria-required': field.required ? 'true' : null },
      h('option', { value: '' }, t('form.select_placeholder')), options.map((o) => h('option', { value: String(o) }, String(o))));
  } else if (multiline) {
    input = h('textarea', { class: 'ck-textarea', id, name, rows: 3, placeholder: field.placeholder, 'aria-required': field.required ? 'true' : null });
  } else {
    input = h('input', {
      class: 'ck-input', id, name, type, placeholder: field.placeholder, 'aria-required': field.required ? 'true' : null,
      autocomplete: type === 'email' ? 'email' : type === 'url' ? 'url' : 'off', spellcheck: type === 'text' ? null : 'false',
      maxlength: field.schema?.maxLength || null,
    });
  }
  const control = baseControl(input);
  control.read = () => {
    const value = multiline ? input.value : input.value.trim();
    return { value: value.trim() ? value : undefined };
  };
  control.set = (value) => { input.value = value === undefined || value === null ? '' : String(value); };
  wire(control, input);
  return control;
}

function numberControl(field, { id, name }) {
  const integer = field.schema?.type === 'integer';
  const input = h('input', {
    class: 'ck-input ck-input-number', id, name, type: 'number', step: integer ? '1' : 'any', inputmode: integer ? 'numeric' : 'decimal',
    placeholder: field.placeholder, 'aria-required': field.required ? 'true' : null,
    min: field.schema?.minimum ?? null, max: field.schema?.maximum ?? null,
  });
  const control = baseControl(input);
  control.read = () => {
    if (input.validity.badInput) return { value: undefined, error: 'form.error.number' };
    if (input.value.trim() === '') return { value: undefined };
    const n = Number(input.value);
    return Number.isFinite(n) ? { value: n } : { value: undefined, error: 'form.error.number' };
  };
  control.set = (value) => { input.value = typeof value === 'number' || (typeof value === 'string' && value !== '') ? String(value) : ''; };
  wire(control, input);
  return control;
}

function currencyControl(field, { id, name }) {
  const code = currencyOf(field.format);
  const symbol = code ? currencySymbol(code) : null;
  const placeholderNumber = field.placeholder !== null && !Number.isNaN(Number(field.placeholder)) ? formatDecimal(Number(field.placeholder)) : field.placeholder;
  const input = h('input', {
    class: 'ck-input ck-input-currency', id, name, type: 'text', inputmode: 'decimal', autocomplete: 'off',
    placeholder: placeholderNumber, 'aria-required': field.required ? 'true' : null,
  });
  const element = symbol
    ? h('div', { class: 'ck-affix' }, h('span', { class: 'ck-affix-text', 'aria-hidden': 'true' }, symbol), input, code ? h('span', { class: 'ck-visually-hidden' }, code) : null)
    : input;
  if (code) input.setAttribute('aria-label', `${field.label} (${code})`);
  const control = baseControl(input, element);
  control.setAccessibleLabel = (text) => { input.setAttribute('aria-label', code ? `${text} (${code})` : text); };
  control.read = () => {
    if (input.value.trim() === '') return { value: undefined };
    const n = parseDecimal(input.value);
    return Number.isFinite(n) ? { value: Math.round(n * 10000) / 10000 } : { value: undefined, error: 'form.error.number' };
  };
  control.set = (value) => {
    const n = typeof value === 'number' ? value : typeof value === 'string' && value !== '' ? parseDecimal(value) : NaN;
    input.value = Number.isFinite(n) ? formatDecimal(n) : '';
  };
  wire(control, input);
  input.addEventListener('blur', () => {
    const { value, error } = control.read();
    if (!error && value !== undefined) input.value = formatDecimal(value);
  });
  return control;
}

function dateControl(field, { id, name, kind }) {
  const input = h('input', { class: 'ck-input ck-input-date', id, name, type: kind, 'aria-required': field.required ? 'true' : null });
  const control = baseControl(input);
  control.read = () => {
    if (input.validity.badInput) return { value: undefined, error: 'form.error.date' };
    if (!input.value) return { value: undefined };
    if (kind === 'date') return { value: input.value };
    const d = new Date(input.value);
    return Number.isNaN(d.getTime()) ? { value: undefined, error: 'form.error.date' } : { value: d.toISOString() };
  };
  control.set = (value) => {
    if (value === undefined || value === null || value === '') { input.value = ''; return; }
    input.value = kind === 'date' ? String(value).slice(0, 10) : toLocalDateTime(value);
  };
  wire(control, input);
  return control;
}

function booleanControl(field, { id, name }) {
  const input = h('input', { class: 'ck-checkbox', id, name, type: 'checkbox' });
  const control = baseControl(input, null);
  control.read = () => ({ value: input.checked });
  control.set = (value) => { input.checked = value === true || value === 'true'; };
  input.addEventListener('change', () => control.onEdit?.());
  return control;
}

/** Image: the file uploads as soon as it is chosen (XHR for progress), then the field holds its URL. */
function imageControl(field, { id, name, labelId, ctx }) {
  let url = null;
  let uploading = null;
  let objectUrl = null;
  const hintId = `${id}-hint`;
  const file = h('input', { class: 'ck-visually-hidden ck-file-input', type: 'file', name, id: `${id}-file`, accept: 'image/png,image/jpeg,image/webp,image/gif', tabindex: '-1', 'aria-hidden': 'true' });
  const chooseLabel = h('span', {}, t('form.image.choose'));
  const choose = h('button', { class: 'ck-button ck-button-small ck-image-choose', type: 'button', id, 'aria-labelledby': `${labelId} ${id}` }, chooseLabel);
  const remove = h('button', { class: 'ck-button ck-button-small ck-button-ghost ck-button-danger ck-image-remove', type: 'button', hidden: true }, t('form.image.remove'));
  const thumbImg = h('img', { class: 'ck-image-thumb-img', alt: t('form.image.alt', { label: field.label }), hidden: true });
  const thumbEmpty = h('span', { class: 'ck-image-thumb-empty', 'aria-hidden': 'true' });
  const thumb = h('div', { class: 'ck-image-thumb' }, thumbImg, thumbEmpty);
  const bar = h('progress', { class: 'ck-image-progress', max: 100, value: 0, hidden: true });
  const hint = h('p', { class: 'ck-image-hint', id: hintId }, t('form.image.hint', { size: formatBytes(ctx.uploadLimit()) }));
  const element = h('div', { class: 'ck-image' }, thumb, h('div', { class: 'ck-image-body' },
    h('div', { class: 'ck-image-actions' }, choose, remove), bar, hint), file);
  const control = { input: file, element, describeTargets: [choose], hintId, focusTarget: () => choose };
  control.rename = (next) => { file.name = next; };

  const show = (src) => {
    if (objectUrl && src !== objectUrl) { URL.revokeObjectURL(objectUrl); objectUrl = null; }
    thumbImg.hidden = !src; thumbEmpty.hidden = !!src;
    if (src) thumbImg.src = src; else thumbImg.removeAttribute('src');
    chooseLabel.textContent = src ? t('form.image.replace') : t('form.image.choose');
    remove.hidden = !src;
    element.classList.toggle('ck-image-filled', !!src);
  };
  const resetHint = () => { hint.textContent = t('form.image.hint', { size: formatBytes(ctx.uploadLimit()) }); hint.classList.remove('ck-image-hint-busy'); };

  choose.addEventListener('click', () => file.click());
  remove.addEventListener('click', () => {
    url = null; show(null); file.value = ''; resetHint();
    ctx.announce?.(t('form.image.removed'));
    control.onEdit?.();
    choose.focus();
  });
  file.addEventListener('change', async () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    const fail = (key, params) => { control.onFailure?.(t(key, params)); };
    if (!/^image\/(png|jpeg|webp|gif)$/.test(chosen.type)) { file.value = ''; fail('form.image.invalid_type'); return; }
    const limit = ctx.uploadLimit();
    if (limit <= 0) { file.value = ''; fail('form.image.quota'); return; }
    if (chosen.size > limit) { file.value = ''; fail('form.image.too_large', { size: formatBytes(limit) }); return; }
    const previous = url;
    control.onEdit?.();
    objectUrl = URL.createObjectURL(chosen);
    show(objectUrl);
    element.classList.add('ck-image-busy');
    bar.hidden = false; bar.value = 0;
    hint.classList.add('ck-image-hint-busy');
    hint.textContent = t('form.image.uploading', { percent: 0 });
    choose.setAttribute('aria-busy', 'true');
    uploading = ctx.upload(chosen, (percent) => {
      bar.value = percent;
      hint.textContent = t('form.image.uploading', { percent });
    });
    try {
      url = await uploading;
      ctx.onUploaded?.(chosen.size);
      ctx.announce?.(t('form.image.uploaded'));
      resetHint();
      control.onEdit?.();
    } catch (error) {
      url = previous;
      show(previous);
      resetHint();
      const code = error?.code;
      if (error?.status === 401) ctx.onAuthLost?.(error);
      fail(code === 'file_too_large' ? 'form.image.too_large' : code === 'invalid_type' ? 'form.image.invalid_type'
        : code === 'limit_reached' ? 'form.image.quota' : 'form.image.failed', { size: formatBytes(ctx.uploadLimit()) });
    } finally {
      uploading = null;
      bar.hidden = true;
      element.classList.remove('ck-image-busy');
      choose.removeAttribute('aria-busy');
      file.value = '';
    }
  });
  control.read = () => (uploading ? { value: url || undefined, error: 'form.error.uploading' } : { value: url || undefined });
  control.set = (value) => { url = typeof value === 'string' && value ? value : null; show(url); };
  show(null);
  return control;
}
