// Craftkit embed — template builder (entry): the app state, the shell (toolbar, three panes),
// block operations, save and publish, keyboard, startup. Three panes: variable picker + block palette,
// the page canvas (with the server's PNG preview beside or instead of it), and the inspector.
// Its parts: builder-errors.js (failures, banners), builder-history.js (undo/redo),
// builder-picker.js (variables into the document), builder-preview.js (the live preview).
import { t, locale } from './ck-i18n.js';
import { h, announce, toast, errorState, debounce } from './ck-dom.js';
import { takeTokenFromURL, api, failureCode, loadSession, onTokenChange } from './ck-session.js';
import * as bridge from './ck-bridge.js';
import { applyAppearance } from './ck-theme.js';
import { clone, newBlock, indexCatalog, declaredByTemplate, buildManifest, normalizeLayout, BLOCK_TYPES, TEXT_TYPES } from './builder-model.js';
import { renderCanvas, fitZoom, wireDrops, MIME_NEW } from './builder-canvas.js';
import { renderInspector } from './builder-inspector.js';
import { icon, button } from './builder-icons.js';
import { errorHandling } from './builder-errors.js';
import { createHistory } from './builder-history.js';
import { variablePicker, draggable } from './builder-picker.js';
import { livePreview } from './builder-preview.js';

const AUTOSAVE_MS = 1500;
const isMac = /Mac|iPhone|iPad/.test(navigator.platform || '');

const app = {
  session: null, overrides: null, perms: {}, limits: {}, usage: {}, mode: 'edit', readOnly: false, brand: null, logoUrl: null,
  catalog: null, customVars: [], templateLoops: [], index: indexCatalog(null), templateId: null, name: '', doc: { blocks: [] }, selected: -1,
  currentVersion: 0, publishedManifest: null, dirty: false, editSeq: 0, savedAt: null,
  saveState: 'clean', saving: null, publishing: false, sessionLost: false, versions: null, view: 'design',
  lastField: null, lastRange: null, els: {},
};

const shortcut = (key) => `${isMac ? '⌘' : 'Ctrl+'}${key}`;
const templatePath = (app.templatePath = (suffix = '') => `/v1/embed/builder/templates/${encodeURIComponent(app.templateId)}${suffix}`);
const emit = (name, payload) => bridge.emit(name, payload);

// The parts. Function declarations below are hoisted, so the parts can be handed them here.
const { banner, clearBanner, sessionLost, sessionLostText, handleError, part, blocked } = errorHandling(app, { refreshToolbar: updateToolbar });
const undoStack = createHistory();
const preview = livePreview(app, { layout: prepareLayout, handleError });
const picker = variablePicker(app, { part, drawInspector });
// The interface the canvas, the inspector and the lazily loaded parts use (they receive `app`).
Object.assign(app, {
  handleError, banner, clearBanner,
  insertTokenInto: picker.insertTokenInto, insertVariableBlock: picker.insertVariableBlock, bindImage: picker.bindImage,
  insertLoopTable: picker.insertLoopTable, bindTableToLoop: picker.bindTableToLoop,
});

// Permissions.

const left = (max, used) => (max ? max - (used || 0) : Infinity);
const draftsLeft = () => left(app.limits.maxSaveDrafts, app.usage.draftsSaved);
const publishesLeft = () => left(app.limits.maxPublishes, app.usage.publishes);
const canEdit = () => !app.readOnly && !app.sessionLost;
const canSave = () => canEdit() && !!app.perms.saveDraft && draftsLeft() > 0;
const canPublish = () => canEdit() && !!app.perms.publish && publishesLeft() > 0 && (!!app.templateId || !!app.perms.saveDraft);

// Editing: commits, undo, selection.

function changed() {
  app.dirty = true;
  app.editSeq += 1;
  if (app.saveState !== 'saving') app.saveState = 'dirty';
  updateToolbar();
  if (canSave()) autosave();
  preview.schedule();
}

/** A structural change: snapshot for undo, apply, re-render. */
app.commit = (fn, { inspector = true } = {}) => {
  undoStack.record(app.doc);
  fn();
  changed();
  drawCanvas();
  if (inspector) drawInspector();
};

/** Typing: one undo step per field per pause. */
app.textEdited = (el, fn) => {
  undoStack.recordTyping(app.doc, el);
  fn();
  changed();
};

function travel(doc, message) {
  if (!doc) return;
  app.doc = doc;
  app.selected = Math.min(app.selected, app.doc.blocks.length - 1);
  changed();
  drawCanvas();
  drawInspector();
  announce(message);
}
const undo = () => { if (!app.readOnly) travel(undoStack.undo(app.doc), t('undo.done')); };
const redo = () => { if (!app.readOnly) travel(undoStack.redo(app.doc), t('redo.done')); };

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
  if (els.undo) { els.undo.disabled = !undoStack.canUndo; els.redo.disabled = !undoStack.canRedo; }
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
      button('ck-segment', t(`view.${view}`), () => preview.setView(view), { icon: name, dataset: { view }, 'aria-pressed': 'false', title: t(`view.${view}`) })));
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
  els.search = h('input', { class: 'ck-input ck-picker-search', type: 'search', placeholder: t('picker.search'), 'aria-label': t('picker.search'), oninput: picker.filter });
  els.pickerGroups = h('div');
  els.palette = h('div', { class: 'ck-palette-grid' }, BLOCK_TYPES.map((type) => draggable(h('button', {
    class: 'ck-add-block', type: 'button', draggable: 'true', dataset: { type }, title: t(`block.${type}`), onclick: () => app.addBlock(type),
  }, icon(type), h('span', { class: 'ck-add-block-label' }, t(`block.${type}`))), (dt) => dt.setData(MIME_NEW, type))));
  const canCustom = !!app.catalog?.allowCustom && !!p.createCustomVariables;
  const pickerPane = h('aside', { class: 'ck-variable-picker ck-pane', 'aria-label': t('picker.title') },
    h('div', { class: 'ck-pane-head' }, h('h2', {}, t('picker.title')), h('div', { class: 'ck-search-wrap' }, icon('search', 14), els.search)),
    h('div', { class: 'ck-pane-scroll' }, els.pickerGroups,
      canCustom ? button('ck-button ck-button-ghost ck-add-custom', t('picker.addCustom'), picker.addCustomVariable, { icon: 'plus' }) : null,
      h('div', { class: 'ck-palette' }, h('h2', {}, t('palette.title')), els.palette)));

  // Canvas and preview.
  els.canvas = h('div', { class: 'ck-canvas', role: 'region', 'aria-label': t('canvas.label'), tabindex: '-1' });
  els.previewStatus = h('span');
  els.previewError = h('div', { class: 'ck-preview-error', role: 'alert', hidden: true });
  els.previewPages = h('div', { class: 'ck-preview-pages' });
  els.preview = h('section', { class: 'ck-preview', 'aria-label': t('preview.label'), hidden: true },
    h('div', { class: 'ck-preview-bar' }, h('strong', {}, t('preview.title')), els.previewStatus), els.previewError, els.previewPages);
  els.center = h('main', { class: 'ck-center' }, els.canvas, els.preview);
  els.inspectorBody = h('div', { class: 'ck-pane-scroll ck-inspector-body' });

  els.workspace = h('div', { class: 'ck-workspace', dataset: { view: 'design' } }, editing ? pickerPane : null, els.center,
    h('aside', { class: 'ck-inspector ck-pane', 'aria-label': t('inspector.title') }, els.inspectorBody));
  document.body.replaceChildren(h('div', { class: `ck-root ck-builder${editing ? '' : ' ck-read-only'}`, dataset: { mode: app.mode } }, toolbar, els.banners, els.workspace));

  wireDrops(app, els.canvas);
  els.canvas.addEventListener('mousedown', (event) => {
    if (!event.target.closest('.ck-block, .ck-inserter') && app.selected >= 0) app.select(-1, { keepFocus: true });
  });
  new ResizeObserver(() => fitZoom(els.canvas)).observe(els.canvas);
  observeWidth(els.palette, () => fitPalette(els.palette));
  picker.draw();
  drawCanvas();
  drawInspector();
  updateNameControl();
  updateToolbar();
  preview.setView(app.view);
  if (app.readOnly) banner('readonly', { kind: 'info', text: t('banner.readOnly') });
  else if (!p.saveDraft) banner('nosave', { text: t('banner.noSave') });
  if (app.foreign) banner('foreign', { kind: 'danger', text: t('banner.foreignLayout'), dismissible: false });
  if (app.sessionLost) banner('session', { kind: 'danger', text: sessionLostText(), dismissible: false });
  if (app.view === 'design') preview.refresh();
}

/** Calls `fn` when the element's width changes (its height may change in `fn` without a loop). */
function observeWidth(el, fn) {
  let width = -1;
  new ResizeObserver(([entry]) => {
    if (entry.contentRect.width === width) return;
    width = entry.contentRect.width;
    fn();
  }).observe(el);
}

/** Two columns of block buttons when every label fits, else one: never a cut label ("Signatu"). */
function fitPalette(grid) {
  grid.classList.remove('ck-palette-single');
  const cut = [...grid.querySelectorAll('.ck-add-block-label')].some((label) => label.scrollWidth > label.clientWidth);
  grid.classList.toggle('ck-palette-single', cut);
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
  // Variables and lists the template declares that the catalog does not: custom variables from earlier
  // sessions, or a template created from a manifest (its loops' item fields must count as known).
  const declared = declaredByTemplate(app.doc, app.publishedManifest);
  const catalogKeys = indexCatalog(app.catalog).variables;
  app.customVars = declared.variables.filter((v) => !catalogKeys.has(v.key));
  app.templateLoops = declared.loops;
  app.index = indexCatalog(app.catalog, app.customVars, app.templateLoops);
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
