// Craftkit embed — template builder (entry). Three panes: variable picker + block palette, the page
// canvas (with the server's PNG preview beside or instead of it), and the inspector.
import { t, locale } from './ck-i18n.js';
import { h, announce, toast, modal, errorState, debounce } from './ck-dom.js';
import { takeTokenFromURL, api, ApiError, failureCode, loadSession, onTokenChange } from './ck-session.js';
import * as bridge from './ck-bridge.js';
import { applyAppearance } from './ck-theme.js';
import { typeName } from './builder-strings.js';
import { clone, newBlock, loopTable, indexCatalog, buildManifest, normalizeLayout, pageGeometry, BLOCK_TYPES, TEXT_TYPES, blockText, tokenFor } from './builder-model.js';
import { renderCanvas, fitZoom, wireDrops, insertChipAt, MIME_VAR, MIME_NEW } from './builder-canvas.js';
import { renderInspector } from './builder-inspector.js';
import { icon, button, iconButton } from './builder-icons.js';

const AUTOSAVE_MS = 1500;
const PREVIEW_MS = 300;
const isMac = /Mac|iPhone|iPad/.test(navigator.platform || '');

const app = {
  session: null, overrides: null, perms: {}, limits: {}, usage: {}, mode: 'edit', readOnly: false, brand: null, logoUrl: null,
  catalog: null, customVars: [], index: indexCatalog(null), templateId: null, name: '', doc: { blocks: [] }, selected: -1,
  currentVersion: 0, publishedManifest: null, history: [], future: [], dirty: false, editSeq: 0, savedAt: null,
  saveState: 'clean', saving: null, publishing: false, sessionLost: false, versions: null, view: 'design',
  lastField: null, lastRange: null, lastTextEl: null, lastTextAt: 0, els: {},
};

const shortcut = (key) => `${isMac ? '⌘' : 'Ctrl+'}${key}`;
const templatePath = (app.templatePath = (suffix = '') => `/v1/embed/builder/templates/${encodeURIComponent(app.templateId)}${suffix}`);
const brand = () => app.brand || t('common.brand');
const emit = (name, payload) => bridge.emit(name, payload);

// Banners: soft, recoverable problems above the workspace.

function banner(id, { kind = 'warning', text, detail = null, action = null, dismissible = true }) {
  clearBanner(id);
  const el = h('div', { class: `ck-banner${kind === 'warning' ? '' : ` ck-banner-${kind}`}`, role: kind === 'danger' ? 'alert' : 'status', dataset: { banner: id } },
    icon(kind === 'info' ? 'check' : 'warning'),
    h('div', { class: 'ck-banner-text' }, text, detail ? h('ul', {}, detail.map((d) => h('li', {}, d))) : null),
    action ? button('ck-button ck-button-small', action.label, () => { el.remove(); action.fn(); }) : null,
    dismissible ? iconButton('close', t('common.close'), () => el.remove()) : null);
  app.els.banners?.append(el);
}
const clearBanner = (id) => app.els.banners?.querySelector(`[data-banner="${id}"]`)?.remove();
const retryAction = (retry) => (retry ? { label: t('common.retry'), fn: retry } : null);

// Errors: every API failure after startup lands in handleError, never silently.

function sessionLost(code, message) {
  if (app.sessionLost) return;
  app.sessionLost = true;
  emit('error', { code, message: message || t(`error.${code}.title`), recoverable: code === 'session_expired' });
  updateToolbar();
  const text = t('common.session_lost', { brand: brand() });
  banner('session', { kind: 'danger', text, dismissible: false });
  modal({ title: t('lost.title'), body: h('p', {}, text), buttons: [{ label: t('lost.close'), value: 'close' }, { label: t('lost.stay'), value: 'stay', primary: true }] })
    .then((value) => { if (value === 'close') emit('close.requested', { reason: code, unsavedChanges: app.dirty }); });
}

function limitMax(action) {
  if (action === 'publish' || action === 'rollback') return app.limits.maxPublishes;
  return action === 'upload' ? Math.round((app.limits.maxUploadsBytes || 0) / 1048576) : app.limits.maxSaveDrafts;
}

function handleError(error, action, retry) {
  if (error?.name === 'AbortError') return;
  const code = error instanceof ApiError ? error.code : 'editor_state_corrupted';
  const message = error?.message || code;
  if (error?.status === 401 || ['session_expired', 'session_revoked', 'session_invalid'].includes(code)) return sessionLost(failureCode(error), message);
  const recoverable = code === 'network_offline' || code === 'rate_limited';
  emit('error', { code: recoverable ? code : failureCode(error), message, recoverable, ...(recoverable ? {} : { action }) });
  if (code === 'network_offline') {
    banner('offline', { text: t('banner.offline'), action: retryAction(retry) });
    if (retry) window.addEventListener('online', () => { clearBanner('offline'); retry(); }, { once: true });
  } else if (code === 'rate_limited') {
    banner('rate', { text: t('common.rate_limited') });
    if (retry) setTimeout(() => { clearBanner('rate'); retry(); }, Math.max(2, error.retryAfter || 5) * 1000);
  } else if (code === 'limit_reached') {
    banner(`limit-${action}`, { kind: 'danger', text: t(`limit.${action}`, { max: limitMax(action) }) });
    if (action === 'publish') app.usage.publishes = app.limits.maxPublishes;
    if (action === 'save') app.usage.draftsSaved = app.limits.maxSaveDrafts;
    updateToolbar();
  } else if (code === 'permission_denied' || code === 'wrong_mode') {
    banner(`denied-${action}`, { kind: 'danger', text: t('denied', { action: t(`action.${action}Noun`) }), detail: [message] });
  } else if (code === 'template_invalid') {
    const issues = (error.issues || []).map((i) => (typeof i === 'string' ? i : `${i.message || i.code}${i.path ? ` (${i.path})` : ''}`));
    banner('invalid', { kind: 'danger', text: t('publish.invalid'), detail: issues.length ? issues.slice(0, 6) : [message] });
  } else {
    banner(`failed-${action}`, { kind: 'danger', text: t(`failed.${action}`), detail: [message], action: retryAction(retry) });
  }
}

Object.assign(app, { handleError, banner, clearBanner });

/**
 * Rarely used parts load on first use (the page budget in UI.md): builder-publish.js (the publish
 * dialog), builder-versions.js (history, rollback), builder-dialogs.js (custom variable, delete), and,
 * from the inspector, builder-editors.js. A failed load is reported like a failed request.
 */
async function part(load, action, retry) {
  try { return await load(); } catch { handleError(new ApiError(0, 'network_offline', t('banner.offline')), action, retry); return null; }
}

/** Explains why save/publish cannot run (banner + host event). */
function blocked(action, why, max) {
  const text = t(why, { max });
  banner(`${action}-blocked`, { kind: 'danger', text });
  emit('error', { code: /limit$/.test(why) ? 'limit_reached' : 'permission_denied', message: text, recoverable: false, action });
  return false;
}

// Permissions.

const left = (max, used) => (max ? max - (used || 0) : Infinity);
const draftsLeft = () => left(app.limits.maxSaveDrafts, app.usage.draftsSaved);
const publishesLeft = () => left(app.limits.maxPublishes, app.usage.publishes);
const canEdit = () => !app.readOnly && !app.sessionLost;
const canSave = () => canEdit() && !!app.perms.saveDraft && draftsLeft() > 0;
const canPublish = () => canEdit() && !!app.perms.publish && publishesLeft() > 0 && (!!app.templateId || !!app.perms.saveDraft);

// Editing: history, commits, selection.

function snapshot() {
  app.history.push(JSON.stringify(app.doc));
  if (app.history.length > 200) app.history.shift();
  app.future = [];
}

function changed() {
  app.dirty = true;
  app.editSeq += 1;
  if (app.saveState !== 'saving') app.saveState = 'dirty';
  updateToolbar();
  if (canSave()) autosave();
  schedulePreview();
}

/** A structural change: snapshot for undo, apply, re-render. */
app.commit = (fn, { inspector = true } = {}) => {
  snapshot();
  fn();
  app.lastTextEl = null;
  changed();
  drawCanvas();
  if (inspector) drawInspector();
};

/** Typing: one undo step per field per pause. */
app.textEdited = (el, fn) => {
  const now = Date.now();
  if (app.lastTextEl !== el || now - app.lastTextAt > 1200) snapshot();
  app.lastTextEl = el;
  app.lastTextAt = now;
  fn();
  changed();
};

/** Undo (from history to future) or redo (the other way). */
function travel(from, to, message) {
  if (!from.length || app.readOnly) return;
  to.push(JSON.stringify(app.doc));
  app.doc = JSON.parse(from.pop());
  app.lastTextEl = null;
  app.selected = Math.min(app.selected, app.doc.blocks.length - 1);
  changed();
  drawCanvas();
  drawInspector();
  announce(message);
}
const undo = () => travel(app.history, app.future, t('undo.done'));
const redo = () => travel(app.future, app.history, t('redo.done'));

const blockEl = (index) => app.els.canvas.querySelector(`.ck-flow > .ck-block[data-index="${index}"]`);

app.select = (index, { keepFocus = false } = {}) => {
  app.selected = index;
  for (const el of app.els.canvas.querySelectorAll('.ck-flow > .ck-block')) el.classList.toggle('ck-block-selected', Number(el.dataset.index) === index);
  drawInspector();
  if (!keepFocus && index >= 0) blockEl(index)?.focus({ preventScroll: true });
};

function focusBlock(index, text = false) {
  const el = blockEl(index);
  if (!el) return;
  el.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  const field = text && el.querySelector('.ck-editable[contenteditable="true"]');
  if (!field) return el.focus({ preventScroll: true });
  field.focus();
  const range = document.createRange();
  range.selectNodeContents(field);
  range.collapse(false);
  window.getSelection().removeAllRanges();
  window.getSelection().addRange(range);
}

app.addBlock = (type, index = null, block = newBlock(type, t)) => {
  if (app.readOnly) return;
  const at = index ?? (app.selected >= 0 ? app.selected + 1 : app.doc.blocks.length);
  app.commit(() => { app.doc.blocks.splice(at, 0, block); app.selected = at; });
  focusBlock(at, TEXT_TYPES.includes(block.type));
  announce(t('announce.added', { type: t(`block.${block.type}`) }));
};
app.deleteBlock = (index) => {
  if (app.readOnly || index < 0) return;
  const type = t(`block.${app.doc.blocks[index]?.type}`);
  app.commit(() => { app.doc.blocks.splice(index, 1); app.selected = Math.min(index, app.doc.blocks.length - 1); });
  if (app.selected >= 0) focusBlock(app.selected);
  else app.els.canvas.focus();
  announce(t('announce.deleted', { type }));
  toast(t('announce.deletedUndo', { type, key: shortcut('Z') }));
};
app.duplicateBlock = (index) => {
  if (app.readOnly || index < 0) return;
  app.commit(() => { app.doc.blocks.splice(index + 1, 0, clone(app.doc.blocks[index])); app.selected = index + 1; });
  focusBlock(index + 1);
  announce(t('announce.duplicated'));
};
app.moveBlock = (index, delta) => app.moveBlockTo(index, index + delta + (delta > 0 ? 1 : 0));
/** Moves block `from` to the gap before `gap` (0…length). */
app.moveBlockTo = (from, gap) => {
  const blocks = app.doc.blocks;
  const to = gap > from ? gap - 1 : gap;
  if (app.readOnly || !blocks[from] || gap < 0 || gap > blocks.length || to === from) return;
  app.commit(() => { blocks.splice(to, 0, ...blocks.splice(from, 1)); app.selected = to; });
  focusBlock(to);
  announce(t('announce.moved', { position: to + 1, count: blocks.length }));
};

// Variables into the document.

const variable = (key) => app.index.variables.get(key) || { key };

app.insertTokenInto = (field, range, key) => {
  const block = field.closest('.ck-block');
  if (block) app.selected = Number(block.dataset.index);
  insertChipAt(app, field, range, tokenFor(variable(key)));
  drawInspector();
  announce(t('announce.inserted', { label: variable(key).label || key }));
};

app.insertVariableBlock = (key, index) => {
  if (variable(key).dataType === 'image') app.addBlock('image', index, { type: 'image', src: `{{${key}}}`, width: 120, align: 'left' });
  else app.addBlock('paragraph', index, { type: 'paragraph', text: `{{${tokenFor(variable(key))}}}` });
};

app.bindImage = (index, key) => {
  app.commit(() => { app.doc.blocks[index].src = `{{${key}}}`; });
  announce(t('announce.bound', { label: variable(key).label || key }));
};

/** A click in the picker: into the text being edited, else onto the selected block, else a new block. */
function insertVariable(key) {
  if (app.readOnly) return;
  const def = variable(key);
  const selected = app.doc.blocks[app.selected];
  if (def.dataType === 'image') {
    if (['image', 'signature'].includes(selected?.type)) app.bindImage(app.selected, key);
    else app.insertVariableBlock(key, null);
    return;
  }
  const field = app.lastField;
  if (field?.isConnected && app.lastRange && selected && field.closest('.ck-block')?.dataset.index === String(app.selected)) {
    return app.insertTokenInto(field, app.lastRange, key);
  }
  if (!TEXT_TYPES.includes(selected?.type)) return app.insertVariableBlock(key, null);
  app.commit(() => {
    const text = blockText(selected);
    selected.text = `${text}${text && !/\s$/.test(text) ? ' ' : ''}{{${tokenFor(def)}}}`;
    delete selected.runs;
  });
  announce(t('announce.inserted', { label: def.label || key }));
}

app.insertLoopTable = (key, index = null) => {
  const loop = app.index.loops.get(key);
  if (!loop) return;
  app.addBlock('table', index, loopTable(loop));
  announce(t('announce.loopTable', { label: loop.label || key }));
};

app.bindTableToLoop = (index, key) => {
  const loop = app.index.loops.get(key);
  if (!loop) return;
  app.commit(() => {
    const b = app.doc.blocks[index];
    const hasCells = b.columns?.some((c) => c.cell) || b.rows?.some((r) => Array.isArray(r) && r.some(Boolean));
    if (!hasCells || b.loop !== key) { b.columns = loopTable(loop).columns; delete b.rows; }
    b.loop = key;
    app.selected = index;
  });
  announce(t('announce.loopBound', { label: loop.label || key }));
};

function insertLoop(key) {
  if (app.readOnly) return;
  const selected = app.doc.blocks[app.selected];
  if (selected?.type === 'table' && !selected.loop) app.bindTableToLoop(app.selected, key);
  else app.insertLoopTable(key);
}

// Menus and notices opened from the canvas load on first use (builder-menus.js).

let menus = null;
async function withMenus(fn) {
  menus ||= await part(() => import('./builder-menus.js'), 'menu');
  return menus ? fn(menus) : undefined;
}
app.openInlineMenu = (field, braces) => withMenus((m) => m.openInlineMenu(app, field, braces));
app.openBlockMenu = (anchor, index) => withMenus((m) => m.openBlockMenu(app, anchor, index));
/** A loop dropped on a non-table block: say why, and offer a table instead. */
app.explainLoopDrop = (key, targetIndex) => withMenus((m) => m.explainLoopDrop(app, key, targetIndex));

// Save, publish, rename (rollback and delete are in the lazily loaded parts).

function prepareLayout() {
  const layout = clone(app.doc);
  Object.assign(layout, buildManifest(layout, app.index));
  return layout;
}

const autosave = debounce(() => { if (app.dirty && canSave()) save(); }, AUTOSAVE_MS);

async function save({ manual = false } = {}) {
  if (!canSave()) {
    if (!manual) return false;
    const why = app.readOnly ? 'save.readOnly' : !app.perms.saveDraft ? 'save.noPermission' : app.sessionLost ? 'save.sessionLost' : 'save.limit';
    return blocked('save', why, app.limits.maxSaveDrafts);
  }
  if (app.saving) { await app.saving; return app.dirty ? save({ manual }) : true; }
  autosave.cancel();
  const seq = app.editSeq;
  const documentTemplate = { name: app.name || t('template.untitled'), layout: prepareLayout() };
  app.saveState = 'saving';
  updateToolbar();
  app.saving = (async () => {
    try {
      if (app.templateId) await api('PUT', templatePath('/draft'), { documentTemplate });
      else {
        const res = await api('POST', '/v1/embed/builder/templates', { documentTemplate, autoPublish: false });
        app.templateId = res?.documentTemplate?._id || res?.documentTemplate?.id;
        updateNameControl();
        loadVersions();
      }
      app.usage.draftsSaved = (app.usage.draftsSaved || 0) + 1;
      if (app.editSeq === seq) app.dirty = false;
      app.savedAt = new Date();
      app.saveState = app.dirty ? 'dirty' : 'saved';
      clearBanner('failed-save');
      clearBanner('offline');
      emit('template.saved', { templateId: app.templateId });
      return true;
    } catch (error) {
      app.saveState = 'failed';
      handleError(error, 'save', () => save({ manual: true }));
      return false;
    } finally {
      app.saving = null;
      updateToolbar();
      if (app.dirty && app.saveState !== 'failed' && canSave()) autosave();
    }
  })();
  return app.saving;
}

/** After publish or rollback: remember the version and tell the host. */
app.published = (res, extra = {}) => {
  app.currentVersion = res.version;
  app.publishedManifest = res.manifest;
  app.usage.publishes = (app.usage.publishes || 0) + 1;
  emit('template.published', { templateId: res.templateId || app.templateId, version: res.version, manifest: res.manifest, ...extra });
  loadVersions();
};

/** The publish dialog with the manifest diff; resolves true when the user confirms. */
let confirming = false;
async function confirmPublish() {
  if (confirming) return false;
  confirming = true;
  try {
    const dialog = await part(() => import('./builder-publish.js'), 'publish', () => publish());
    return !!dialog && !!(await dialog.confirmPublish(app, buildManifest(app.doc, app.index), publishesLeft()));
  } finally { confirming = false; }
}

async function publish({ confirm = true } = {}) {
  if (!canPublish()) {
    const why = app.readOnly ? 'publish.readOnly' : !app.perms.publish ? 'publish.noPermission' : app.sessionLost ? 'save.sessionLost' : publishesLeft() <= 0 ? 'publish.limit' : 'publish.needsSave';
    return blocked('publish', why, app.limits.maxPublishes);
  }
  if (app.publishing || (confirm && !(await confirmPublish()))) return false;
  app.publishing = true;
  updateToolbar();
  try {
    // The server publishes the draft it holds, so unsaved edits are saved first.
    if ((app.dirty || !app.templateId || app.saving) && canSave() && !(await save({ manual: true }))) return false;
    if (!app.templateId) return false;
    const res = await api('POST', templatePath('/publish'), { layout: prepareLayout() });
    app.published(res);
    clearBanner('invalid');
    clearBanner('failed-publish');
    toast(t('publish.done', { version: res.version }));
    announce(t('publish.done', { version: res.version }));
    const warnings = (res.warnings || []).map((w) => (typeof w === 'string' ? w : w.message || w.code));
    if (warnings.length) banner('publish-warnings', { kind: 'info', text: t('publish.warnings'), detail: warnings.slice(0, 6) });
    return true;
  } catch (error) {
    handleError(error, 'publish', () => publish({ confirm: false }));
    return false;
  } finally {
    app.publishing = false;
    updateToolbar();
  }
}

app.deleteTemplate = async () => (await part(() => import('./builder-dialogs.js'), 'delete'))?.deleteTemplate(app);

async function rename(next) {
  const name = next.trim() || app.name;
  if (name === app.name) return updateNameControl();
  const previous = app.name;
  app.name = name;
  updateNameControl();
  if (!app.templateId) return changed();
  try {
    await api('PATCH', templatePath(), { name });
    emit('template.renamed', { templateId: app.templateId, name });
    announce(t('rename.done', { name }));
  } catch (error) {
    app.name = previous;
    updateNameControl();
    handleError(error, 'rename', () => rename(name));
  }
}

async function loadVersions() {
  if (!app.perms.viewVersionHistory || !app.templateId) return;
  if (!app.versionsPanel) {
    const history = await part(() => import('./builder-versions.js'), 'versions', loadVersions);
    if (!history) return;
    app.versionsPanel = history.versionsSection;
  }
  if (!Array.isArray(app.versions)) { app.versions = 'loading'; drawInspector(); }
  try {
    const res = await api('GET', templatePath('/versions'));
    app.versions = (res?.data || []).sort((a, b) => b.version - a.version);
  } catch (error) {
    app.versions = 'error';
    if (error?.status === 401) handleError(error, 'versions');
  }
  drawInspector();
}

// Preview: the server's PNG pages of the current draft with sample data. It is kept up to date in
// every view, so switching to it shows the current pages at once.

const preview = { seq: 0, urls: [], controller: null };
const schedulePreview = debounce(() => refreshPreview(), PREVIEW_MS);

async function refreshPreview() {
  if (app.sessionLost || !app.els.preview) return;
  const seq = ++preview.seq;
  preview.controller?.abort();
  const controller = (preview.controller = new AbortController());
  const layout = prepareLayout();
  const geometry = pageGeometry(layout.page);
  const width = (app.els.preview.clientWidth || app.els.center.clientWidth / 2) - 48;
  const dpi = Math.max(72, Math.min(150, Math.round((72 * width * (window.devicePixelRatio || 1)) / geometry.width)));
  const { preview: section, previewStatus: status } = app.els;
  section.classList.add('ck-preview-loading');
  status.textContent = t('preview.rendering');
  try {
    const request = (page) => api('POST', '/v1/embed/preview', { layout, format: 'png', page, dpi }, { blob: true, signal: controller.signal });
    const first = await request(1);
    const count = Math.max(1, Math.min(30, Number(first.headers.get('x-craftkit-page-count')) || 1));
    const rest = await Promise.all(Array.from({ length: count - 1 }, (_, i) => request(i + 2)));
    if (seq !== preview.seq) return;
    showPreviewPages([first, ...rest].map((r) => r.blob), geometry);
    app.els.previewError.hidden = true;
    status.textContent = t(count === 1 ? 'preview.onePage' : 'preview.pages', { count });
  } catch (error) {
    if (error?.name === 'AbortError' || seq !== preview.seq) return;
    if (error?.status === 401) handleError(error, 'preview');
    else showPreviewError(error.code === 'network_offline' ? t('preview.offline') : error.message, error?.status !== 422);
    status.textContent = t('preview.failed');
  } finally {
    if (seq === preview.seq) section.classList.remove('ck-preview-loading');
  }
}

function showPreviewPages(blobs, geometry) {
  for (const url of preview.urls) URL.revokeObjectURL(url);
  preview.urls = blobs.map((b) => URL.createObjectURL(b));
  const params = (i) => ({ page: i + 1, count: blobs.length });
  // Width/height attributes reserve the page's box, so nothing shifts when the image arrives.
  app.els.previewPages.replaceChildren(...preview.urls.map((src, i) => h('figure', { class: 'ck-preview-page', dataset: { page: String(i + 1) } },
    h('img', { src, alt: t('preview.pageAlt', params(i)), width: Math.round(geometry.width * 4 / 3), height: Math.round(geometry.height * 4 / 3) }),
    h('figcaption', {}, t('preview.pageLabel', params(i))))));
}

function showPreviewError(message, retry) {
  const { previewError, previewPages } = app.els;
  previewError.replaceChildren(icon('warning'), h('div', {}, h('strong', {}, t('preview.errorTitle')), h('div', { class: 'ck-preview-error-message' }, message)),
    retry ? button('ck-button ck-button-small', t('common.retry'), () => refreshPreview()) : '');
  previewError.hidden = false;
  if (!previewPages.querySelector('img')) previewPages.replaceChildren(h('div', { class: 'ck-preview-empty' }, t('preview.nothingYet')));
}

function setView(view) {
  app.view = view;
  app.els.workspace.dataset.view = view;
  for (const b of app.els.viewToggle.children) b.setAttribute('aria-pressed', String(b.dataset.view === view));
  app.els.preview.hidden = view === 'design';
  app.els.canvas.hidden = view === 'preview';
  requestAnimationFrame(() => fitZoom(app.els.canvas));
  if (view !== 'design') refreshPreview();
}

// Rendering.

function drawCanvas() {
  menus?.closeInlineMenu();
  renderCanvas(app, app.els.canvas);
}
function drawInspector() { if (app.els.inspectorBody) renderInspector(app, app.els.inspectorBody); }

function updateNameControl() {
  const control = app.els.name;
  if (!control) return;
  if (control.tagName === 'INPUT') control.value = app.name;
  else control.textContent = app.name;
  document.title = `${app.name} · ${t('builder.title')}`;
}

function saveStateText() {
  if (app.readOnly) return ['state.viewOnly', 'muted'];
  if (!app.perms.saveDraft) return ['state.cannotSave', 'warning'];
  if (app.sessionLost) return ['state.sessionLost', 'danger'];
  if (app.saveState === 'saving') return ['state.saving', 'busy'];
  if (app.saveState === 'failed') return ['state.failed', 'danger'];
  if (draftsLeft() <= 0 && app.dirty) return ['state.limit', 'warning'];
  if (app.dirty) return ['state.unsaved', 'muted'];
  if (app.savedAt) return ['state.saved', 'ok'];
  return app.templateId ? ['state.upToDate', 'ok'] : ['state.new', 'muted'];
}

function updateToolbar() {
  const els = app.els;
  if (!els.saveState) return;
  const [key, kind] = saveStateText();
  const text = t(key, { time: app.savedAt && new Intl.DateTimeFormat(locale(), { hour: 'numeric', minute: '2-digit' }).format(app.savedAt) });
  els.saveState.dataset.state = kind;
  els.saveState.replaceChildren(kind === 'ok' ? icon('check', 14) : kind === 'busy' ? h('span', { class: 'ck-spinner', 'aria-hidden': 'true' }) : '', text);
  if (els.undo) { els.undo.disabled = !app.history.length; els.redo.disabled = !app.future.length; }
  if (els.save) {
    els.save.disabled = !canSave() || app.saveState === 'saving';
    els.save.title = canSave() ? `${t('toolbar.save')} (${shortcut('S')})` : text;
    els.save.setAttribute('aria-busy', String(app.saveState === 'saving'));
  }
  if (els.publish) {
    const remaining = publishesLeft();
    els.publish.disabled = !canPublish() || app.publishing;
    els.publish.setAttribute('aria-busy', String(app.publishing));
    els.publish.title = !app.perms.publish ? t('publish.noPermission') : remaining <= 0 ? t('publish.limit', { max: app.limits.maxPublishes }) : t('publish.hint');
    els.quota.hidden = !app.perms.publish || !Number.isFinite(remaining);
    els.quota.textContent = t('publish.left', { left: Math.max(0, remaining), max: app.limits.maxPublishes });
    els.quota.classList.toggle('ck-quota-low', remaining <= 2);
  }
}

function draggable(el, fill) {
  el.addEventListener('dragstart', (event) => { fill(event.dataTransfer); event.dataTransfer.effectAllowed = 'copy'; });
  return el;
}

function pickerItem(def, loop = false) {
  const item = h('button', {
    class: 'ck-variable-item', type: 'button', draggable: String(!app.readOnly), disabled: app.readOnly,
    dataset: loop ? { key: def.key, loop: '' } : { key: def.key, type: def.dataType || 'text' },
    title: loop ? t('picker.loopHint', { key: def.key }) : `${def.description ? `${def.description}\n` : ''}{{${def.key}}}`,
    onclick: () => (loop ? insertLoop(def.key) : insertVariable(def.key)),
  },
  loop ? icon('loop', 14) : null,
  h('span', { class: 'ck-variable-label' }, def.label || def.key),
  h('span', { class: 'ck-variable-type' }, loop ? t('picker.loopFields', { count: (def.itemFields || []).length }) : typeName(def.dataType)),
  def.required && !loop ? h('span', { class: 'ck-required', title: t('picker.required'), 'aria-label': t('picker.required') }, '•') : null);
  return draggable(item, (dt) => {
    dt.setData(MIME_VAR, JSON.stringify({ key: def.key, loop, dataType: def.dataType }));
    dt.setData('text/plain', `{{${def.key}}}`);
  });
}

function pickerGroup(key, label, items) {
  return h('details', { class: 'ck-picker-group', open: true, dataset: { group: key } },
    h('summary', {}, icon('chevron', 14), h('span', {}, label), h('span', { class: 'ck-picker-count' }, String(items.length))),
    h('ul', { class: 'ck-picker-list' }, items.map((item) => h('li', {}, item))));
}

function drawPicker() {
  const catalog = app.catalog;
  const groups = (catalog?.namespaces || []).map((ns) => pickerGroup(ns.key, ns.label || ns.key, (ns.fields || []).map((f) => pickerItem(f))));
  if (catalog?.loops?.length) groups.push(pickerGroup('__loops', t('picker.lists'), catalog.loops.map((l) => pickerItem(l, true))));
  if (app.customVars.length) groups.push(pickerGroup('__custom', t('picker.custom'), app.customVars.map((f) => pickerItem(f))));
  const note = (key, hidden) => h('p', { class: 'ck-help ck-picker-empty', hidden, dataset: { role: key } }, t(`picker.${key}`));
  app.els.pickerGroups.replaceChildren(...groups, groups.length ? note('noResults', true) : note('noCatalog'));
  filterPicker();
}

function filterPicker() {
  const q = app.els.search.value.trim().toLowerCase();
  let any = false;
  for (const group of app.els.pickerGroups.querySelectorAll('.ck-picker-group')) {
    let visible = 0;
    for (const item of group.querySelectorAll('.ck-variable-item')) {
      const match = !q || `${item.textContent} ${item.dataset.key}`.toLowerCase().includes(q);
      item.parentElement.hidden = !match;
      visible += match;
    }
    group.hidden = !visible;
    if (q && visible) group.open = true;
    any ||= visible > 0;
  }
  const none = app.els.pickerGroups.querySelector('[data-role="noResults"]');
  if (none) none.hidden = any || !q;
}

async function addCustomVariable() {
  const values = await (await part(() => import('./builder-dialogs.js'), 'customVariable'))?.askCustomVariable(app);
  if (!values) return;
  app.customVars.push({ key: values.key, label: values.label || values.key, dataType: values.type, required: false });
  app.index = indexCatalog(app.catalog, app.customVars);
  drawPicker();
  insertVariable(values.key);
}

function buildShell() {
  const p = app.perms;
  const els = (app.els = {});
  const editing = !app.readOnly;
  const toolbarButton = (name, label, onclick, className, title = label) => h('button', {
    class: `ck-button ck-button-ghost ck-button-icon ${className}`, type: 'button', title, 'aria-label': label, onclick,
  }, icon(name));

  // Toolbar.
  const logo = app.logoUrl ? h('img', { class: 'ck-logo', src: app.logoUrl, alt: app.brand || '' }) : h('span', { class: 'ck-app-mark', 'aria-hidden': 'true' }, icon('doc'));
  els.name = editing && (p.rename || !app.templateId)
    ? h('input', { class: 'ck-template-name', type: 'text', value: app.name, 'aria-label': t('toolbar.name'), title: t('toolbar.renameHint'), maxlength: '120', spellcheck: 'false',
      onchange: (e) => rename(e.target.value),
      onkeydown: (e) => { if (e.key === 'Escape') e.target.value = app.name; if (e.key === 'Enter' || e.key === 'Escape') e.target.blur(); } })
    : h('span', { class: 'ck-template-name', title: p.rename ? null : t('toolbar.noRename') }, app.name);
  els.saveState = h('span', { class: 'ck-save-state', role: 'status', 'aria-live': 'polite' });
  els.viewToggle = h('div', { class: 'ck-segmented', role: 'group', 'aria-label': t('toolbar.view') },
    [['design', 'block'], ['split', 'copy'], ['preview', 'eye']].map(([view, name]) =>
      button('ck-segment', t(`view.${view}`), () => setView(view), { icon: name, dataset: { view }, 'aria-pressed': 'false' })));
  const center = h('div', { class: 'ck-toolbar-group' }, els.viewToggle);
  const right = h('div', { class: 'ck-toolbar-group ck-toolbar-actions' });
  if (editing) {
    els.undo = toolbarButton('undo', t('toolbar.undo'), undo, 'ck-undo-button', `${t('toolbar.undo')} (${shortcut('Z')})`);
    els.redo = toolbarButton('redo', t('toolbar.redo'), redo, 'ck-redo-button', `${t('toolbar.redo')} (${isMac ? '⇧⌘Z' : 'Ctrl+Shift+Z'})`);
    center.prepend(els.undo, els.redo, h('span', { class: 'ck-toolbar-sep' }));
    els.quota = h('span', { class: 'ck-publish-quota', id: 'ck-publish-quota' });
    els.save = button('ck-button ck-save-button', t('toolbar.save'), () => save({ manual: true }), { icon: 'save' });
    els.publish = button('ck-button ck-button-primary ck-publish-button', t('toolbar.publish'), () => publish(), { icon: 'send', 'aria-describedby': 'ck-publish-quota' });
    right.append(els.quota, els.save, els.publish);
  }
  right.append(toolbarButton('close', t('toolbar.close'), () => emit('close.requested', { templateId: app.templateId, unsavedChanges: app.dirty }), 'ck-close-button'));
  const toolbar = h('header', { class: 'ck-toolbar', role: 'toolbar', 'aria-label': t('toolbar.label') },
    h('div', { class: 'ck-toolbar-group ck-toolbar-title' }, logo, h('div', { class: 'ck-title-stack' }, els.name, els.saveState)), center, right);
  els.banners = h('div', { class: 'ck-banners', 'aria-live': 'polite' });

  // Picker and palette.
  els.search = h('input', { class: 'ck-input ck-picker-search', type: 'search', placeholder: t('picker.search'), 'aria-label': t('picker.search'), oninput: filterPicker });
  els.pickerGroups = h('div');
  const canCustom = !!app.catalog?.allowCustom && !!p.createCustomVariables;
  const picker = h('aside', { class: 'ck-variable-picker ck-pane', 'aria-label': t('picker.title') },
    h('div', { class: 'ck-pane-head' }, h('h2', {}, t('picker.title')), h('div', { class: 'ck-search-wrap' }, icon('search', 14), els.search)),
    h('div', { class: 'ck-pane-scroll' }, els.pickerGroups,
      canCustom ? button('ck-button ck-button-ghost ck-add-custom', t('picker.addCustom'), addCustomVariable, { icon: 'plus' }) : null,
      h('div', { class: 'ck-palette' }, h('h2', {}, t('palette.title')), h('div', { class: 'ck-palette-grid' }, BLOCK_TYPES.map((type) =>
        draggable(button('ck-add-block', t(`block.${type}`), () => app.addBlock(type), { icon: type, draggable: 'true', dataset: { type } }), (dt) => dt.setData(MIME_NEW, type)))))));

  // Canvas and preview.
  els.canvas = h('div', { class: 'ck-canvas', role: 'region', 'aria-label': t('canvas.label'), tabindex: '-1' });
  els.previewStatus = h('span');
  els.previewError = h('div', { class: 'ck-preview-error', role: 'alert', hidden: true });
  els.previewPages = h('div', { class: 'ck-preview-pages' });
  els.preview = h('section', { class: 'ck-preview', 'aria-label': t('preview.label'), hidden: true },
    h('div', { class: 'ck-preview-bar' }, h('strong', {}, t('preview.title')), els.previewStatus), els.previewError, els.previewPages);
  els.center = h('main', { class: 'ck-center' }, els.canvas, els.preview);
  els.inspectorBody = h('div', { class: 'ck-pane-scroll ck-inspector-body' });

  els.workspace = h('div', { class: 'ck-workspace', dataset: { view: 'design' } }, editing ? picker : null, els.center,
    h('aside', { class: 'ck-inspector ck-pane', 'aria-label': t('inspector.title') }, els.inspectorBody));
  document.body.replaceChildren(h('div', { class: `ck-root ck-builder${editing ? '' : ' ck-read-only'}`, dataset: { mode: app.mode } }, toolbar, els.banners, els.workspace));

  wireDrops(app, els.canvas);
  els.canvas.addEventListener('mousedown', (event) => {
    if (!event.target.closest('.ck-block, .ck-inserter') && app.selected >= 0) app.select(-1, { keepFocus: true });
  });
  new ResizeObserver(() => fitZoom(els.canvas)).observe(els.canvas);
  drawPicker();
  drawCanvas();
  drawInspector();
  updateNameControl();
  updateToolbar();
  setView(app.view);
  if (app.readOnly) banner('readonly', { kind: 'info', text: t('banner.readOnly') });
  else if (!p.saveDraft) banner('nosave', { text: t('banner.noSave') });
  if (app.foreign) banner('foreign', { kind: 'danger', text: t('banner.foreignLayout'), dismissible: false });
  if (app.sessionLost) banner('session', { kind: 'danger', text: t('common.session_lost', { brand: brand() }), dismissible: false });
  if (app.view === 'design') refreshPreview();
}

// Keyboard and selection tracking (document-level, wired once).

function wireKeyboard() {
  document.addEventListener('selectionchange', () => {
    const selection = window.getSelection();
    const node = selection.rangeCount ? selection.anchorNode : null;
    const field = (node?.nodeType === Node.ELEMENT_NODE ? node : node?.parentElement)?.closest('.ck-editable');
    if (field?.isContentEditable) { app.lastField = field; app.lastRange = selection.getRangeAt(0).cloneRange(); }
  });
  document.addEventListener('keydown', (event) => {
    if (document.querySelector('.ck-modal-backdrop') || !app.els.canvas) return;
    const mod = event.metaKey || event.ctrlKey;
    const target = event.target;
    const inForm = ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
    const key = event.key.toLowerCase();
    const run = (fn) => { event.preventDefault(); fn(); };
    if (mod && key === 's') return run(() => { if (inForm) target.blur(); save({ manual: true }); });
    if (app.readOnly || inForm) return;
    if (mod && key === 'z') return run(event.shiftKey ? redo : undo);
    if (mod && key === 'y') return run(redo);
    if (app.selected >= 0) {
      if (mod && key === 'd') return run(() => app.duplicateBlock(app.selected));
      if (event.altKey && (key === 'arrowup' || key === 'arrowdown')) return run(() => app.moveBlock(app.selected, key === 'arrowup' ? -1 : 1));
      if ((key === 'delete' || key === 'backspace') && !target.isContentEditable && target.closest('.ck-canvas')) return run(() => app.deleteBlock(app.selected));
    }
    if (key === 'escape') {
      if (document.querySelector('.ck-popover')) menus?.closePopover();
      else if (target.isContentEditable) target.closest('.ck-block')?.focus();
      else if (app.selected >= 0) app.select(-1);
    }
  });
}

// Startup.

function skeleton() {
  const lines = (n) => Array.from({ length: n }, () => h('div', { class: 'ck-skeleton ck-sk-line' }));
  document.body.replaceChildren(h('div', { class: 'ck-root ck-builder ck-builder-loading', 'aria-busy': 'true' },
    h('div', { class: 'ck-toolbar' }, h('div', { class: 'ck-skeleton ck-sk-title' }), h('div', { class: 'ck-skeleton ck-sk-buttons' })),
    h('div', { class: 'ck-workspace' },
      h('div', { class: 'ck-pane ck-sk-pane' }, lines(7)),
      h('div', { class: 'ck-center' }, h('div', { class: 'ck-canvas' }, h('div', { class: 'ck-page-wrap' },
        h('div', { class: 'ck-page ck-sk-page' }, h('div', { class: 'ck-skeleton ck-sk-heading' }), lines(5))))),
      h('div', { class: 'ck-pane ck-sk-pane' }, lines(5))),
    h('span', { class: 'ck-visually-hidden', role: 'status' }, t('common.loading'))));
}

/** Applies the session's appearance plus the host's overrides; reports whether the locale changed. */
async function applyLook() {
  const [before, untitled] = [locale(), t('template.untitled')];
  const look = applyAppearance(app.session, app.overrides);
  if (look.locale === 'de') await import('./builder-strings-de.js').catch(() => {});
  app.logoUrl = look.logoUrl;
  app.brand = look.brandName;
  if (app.name === untitled) app.name = t('template.untitled');
  return look.locale !== before;
}

function fail(error, retryable = ['network_offline', 'rate_limited']) {
  const code = failureCode(error);
  const recoverable = retryable.includes(code);
  errorState(code, { brand: app.brand, onRetry: recoverable ? start : undefined });
  emit('error', { code, message: error?.message || code, recoverable });
}

async function start() {
  skeleton();
  let session;
  try { session = await loadSession(); } catch (error) { return fail(error); }
  app.session = session;
  await applyLook();
  bridge.restrict(session.allowedOrigins);
  bridge.scheduleExpiry();
  app.mode = session.mode || 'edit';
  app.perms = session.permissions || {};
  app.limits = session.limits || {};
  app.usage = { publishes: 0, draftsSaved: 0, uploadBytes: 0, ...session.usage };
  app.readOnly = app.mode === 'view';
  app.catalog = session.catalog || null;
  if (app.mode === 'fill') {
    errorState('generic', { brand: app.brand });
    return emit('error', { code: 'wrong_mode', message: 'This session is for the form page.', recoverable: false });
  }
  let doc = null;
  app.name = t('template.untitled');
  if (session.template?.id) {
    app.templateId = session.template.id;
    try {
      const tpl = await api('GET', templatePath());
      app.name = tpl.name || session.template.name || app.name;
      app.currentVersion = tpl.currentVersionNumber ?? session.template.currentVersionNumber ?? 0;
      app.publishedManifest = tpl.published?.manifest || session.template.manifest || null;
      const source = tpl.draft?.layout || tpl.published?.layout || null;
      doc = normalizeLayout(source);
      app.foreign = !!source && !doc;
    } catch (error) { return fail(error, ['network_offline']); }
  }
  app.doc = doc || { version: 1, page: { size: 'A4', orientation: 'portrait', margins: '20mm' }, blocks: [] };
  // Variables the document declares that the catalog does not: custom variables from earlier sessions.
  const catalogKeys = indexCatalog(app.catalog).variables;
  app.customVars = (app.doc.variables || []).filter((v) => v?.key && !catalogKeys.has(v.key));
  app.index = indexCatalog(app.catalog, app.customVars);
  buildShell();
  wireKeyboard();
  loadVersions();
  bridge.reportHeight();
  emit('ready', { mode: app.mode, templateId: app.templateId });
}

function boot() {
  const token = takeTokenFromURL();
  bridge.start();
  if (!token) {
    errorState('session_invalid');
    return emit('error', { code: 'session_invalid', message: t('error.session_invalid.title'), recoverable: false });
  }
  bridge.on('save', () => save({ manual: true }));
  bridge.on('publish', (payload) => publish({ confirm: payload?.confirm !== false }));
  bridge.on('close', async () => {
    if (app.dirty && canSave()) await save({ manual: true });
    emit('close.requested', { templateId: app.templateId, unsavedChanges: app.dirty, reason: 'host' });
  });
  // The host's mount-time or runtime appearance; a new locale re-renders the page's strings.
  bridge.on('appearance', async (payload) => {
    app.overrides = { ...app.overrides, ...payload };
    if (app.session && (await applyLook()) && app.els.canvas) buildShell();
  });
  bridge.on('expired', () => sessionLost('session_expired'));
  onTokenChange(() => {
    if (!app.sessionLost) return;
    app.sessionLost = false;
    clearBanner('session');
    document.querySelector('.ck-modal-backdrop')?.remove();
    updateToolbar();
    if (app.dirty) save();
  });
  window.addEventListener('beforeunload', (event) => { if (app.dirty && canSave()) event.preventDefault(); });
  start();
}

boot();
