// The page canvas: blocks at fit-width zoom, inline text editing with variable chips, and drag and
// drop (reorder, variables, new blocks). The menus it opens are in builder-menus.js.
import { h, clear } from './ck-dom.js';
import { t } from './ck-i18n.js';
import { splitText, parseToken, blockText, pageGeometry, firstToken } from './builder-model.js';
import { icon, button, iconButton } from './builder-icons.js';

const PX = 96 / 72;
const MIME_BLOCK = 'application/x-ck-block';
export const MIME_VAR = 'application/x-ck-variable';
export const MIME_NEW = 'application/x-ck-new-block';
const typeLabel = (type) => t(`block.${type}`);
const hexColor = (value) => (/^#[0-9a-f]{3,8}$/i.test(value || '') ? value : '');

// Chips and editable text.

export function chip(app, inner, loop) {
  const { path, formatters } = parseToken(inner);
  const def = (loop && app.index.loops.get(loop)?.itemFields?.find((f) => f.key === path)) || app.index.variables.get(path);
  const special = ['page', 'pages', '@index', '@number', 'this'].includes(path);
  const loopMisuse = !loop && app.index.loops.has(path);
  const unknown = !def && !special;
  return h('span', {
    class: `ck-variable-chip${unknown || loopMisuse ? ' ck-chip-unknown' : ''}`,
    contenteditable: 'false', dataset: { token: inner, key: path },
    title: unknown ? t(loopMisuse ? 'chip.loopOutside' : 'chip.unknown', { key: path }) : `{{${inner}}}`,
  }, def ? def.label || path : special ? t(`token.${path.replace('@', '')}`) : path,
  formatters.length ? h('span', { class: 'ck-chip-format' }, formatters[0].split(':')[0]) : null);
}

function fill(app, el, text, loop) {
  clear(el);
  for (const segment of splitText(text)) {
    if (segment.token !== undefined) { el.append(chip(app, segment.token, loop)); continue; }
    segment.text.split('\n').forEach((line, i) => {
      if (i > 0) el.append(h('br'));
      if (line) el.append(line);
    });
  }
  // A trailing <br> needs a second one to be visible in contenteditable.
  if (el.lastChild?.nodeName === 'BR') el.append(h('br'));
}

function serialize(el) {
  let out = '';
  const walk = (node) => {
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) out += child.nodeValue.replace(/\u00a0/g, ' ').replace(/\u200b/g, '');
      else if (child.dataset?.token !== undefined) out += `{{${child.dataset.token}}}`;
      else if (child.nodeName === 'BR') out += '\n';
      else {
        if (['DIV', 'P'].includes(child.nodeName) && out && !out.endsWith('\n')) out += '\n';
        walk(child);
      }
    }
  };
  walk(el);
  return el.lastChild?.nodeName === 'BR' ? out.replace(/\n$/, '') : out;
}

/** An inline-editable text bound to get/set. `loop` makes tokens item-relative (table cells). */
export function editable(app, { get, set, loop = null, multiline = false, placeholder = '', className = '', label }) {
  const el = h('div', {
    class: `ck-editable ${className}`, role: 'textbox', 'aria-label': label || placeholder,
    'aria-multiline': String(multiline), 'data-placeholder': placeholder,
  });
  if (!app.readOnly) { el.contentEditable = 'true'; el.spellcheck = true; }
  fill(app, el, get(), loop);
  const markEmpty = () => el.classList.toggle('ck-editable-empty', !el.textContent && !el.querySelector('.ck-variable-chip'));
  el._ck = { loop, commit: () => { app.textEdited(el, () => set(serialize(el))); markEmpty(); } };
  markEmpty();
  el.addEventListener('input', () => { el._ck.commit(); maybeOpenInlineMenu(app, el); });
  el.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || event.isComposing) return;
    event.preventDefault();
    if (multiline) document.execCommand('insertLineBreak');
  });
  el.addEventListener('paste', (event) => {
    event.preventDefault();
    const text = event.clipboardData.getData('text/plain');
    document.execCommand('insertText', false, multiline ? text : text.replace(/\s*\n\s*/g, ' '));
  });
  // Tokens typed or pasted as plain text become chips once the field is left.
  el.addEventListener('blur', () => { if (/\{\{[^{}]*\}\}/.test(el.textContent)) fill(app, el, get(), loop); });
  return el;
}

export function placeCaret(field, range) {
  field.focus();
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}

/** Inserts a token chip at a range inside an editable field and commits the field. */
export function insertChipAt(app, field, range, inner) {
  const node = chip(app, inner, field._ck.loop);
  range.deleteContents();
  range.insertNode(node);
  const space = document.createTextNode('\u00a0');
  node.after(space);
  const after = document.createRange();
  after.setStart(space, 1);
  placeCaret(field, after);
  field._ck.commit();
}

// The `{{` inline variable menu (builder-menus.js, loaded on first use): the two braces stay typed
// text until the menu opens and replaces them.

function maybeOpenInlineMenu(app, field) {
  const selection = window.getSelection();
  const range = selection.rangeCount ? selection.getRangeAt(0) : null;
  const node = range?.startContainer;
  if (node?.nodeType !== Node.TEXT_NODE || node.nodeValue.slice(range.startOffset - 2, range.startOffset) !== '{{') return;
  const braces = document.createRange();
  braces.setStart(node, range.startOffset - 2);
  braces.setEnd(node, range.startOffset);
  app.openInlineMenu(field, braces);
}

// Blocks.

function imagePreview(app, block) {
  const src = String(block.src || '');
  const token = firstToken(src);
  const box = h('div', { class: 'ck-image-box' });
  box.style.width = `${Math.max(24, Number(block.width) || 160) * PX}px`;
  if (Number(block.height)) box.style.height = `${Number(block.height) * PX}px`;
  if (token) {
    box.classList.add('ck-image-placeholder');
    box.append(icon('image'), chip(app, token, null));
  } else if (/^(https?:|data:image\/|\/)/.test(src)) {
    box.append(h('img', { src, alt: block.alt || '', class: block.fit === 'cover' ? 'ck-fit-cover' : null }));
  } else {
    box.classList.add('ck-image-placeholder');
    box.append(icon('image'), h('span', {}, t('image.empty')));
  }
  return h('div', { class: `ck-image-row ck-align-${block.align || 'left'}` }, box);
}

function columnWidth(w) {
  if (typeof w === 'string' && /%$/.test(w)) return w;
  return typeof w === 'number' || /^[\d.]+(pt|mm|cm|in|px)?$/.test(String(w ?? '')) ? `${parseFloat(w) * PX}px` : '';
}

function tableView(app, block, set) {
  const loop = block.loop || null;
  const columns = Array.isArray(block.columns) ? block.columns : [];
  const td = (tag, align, field) => h(tag, { class: `ck-align-${align || 'left'}` }, editable(app, field));
  const table = h('table', { class: `ck-table-view ck-borders-${block.style?.borders || 'horizontal'}` },
    h('colgroup', {}, columns.map((c) => { const col = h('col'); col.style.width = columnWidth(c.width); return col; })));
  if (block.showHeader !== false) {
    table.append(h('thead', {}, h('tr', {}, columns.map((c, ci) => td('th', c.align,
      { get: () => c.header ?? '', set: (v) => set((b) => { b.columns[ci].header = v; }), placeholder: t('table.header'), label: t('table.header') })))));
  }
  const body = h('tbody');
  if (loop) {
    body.append(h('tr', { class: 'ck-loop-row' }, columns.map((c, ci) => td('td', c.align,
      { get: () => c.cell ?? '', loop, set: (v) => set((b) => { b.columns[ci].cell = v; }), placeholder: t('table.cell'), label: t('table.cell') }))));
  }
  (Array.isArray(block.rows) ? block.rows : []).forEach((row, ri) => {
    body.append(h('tr', {}, columns.map((c, ci) => {
      const cell = row?.[ci];
      const isObject = cell && typeof cell === 'object';
      return td('td', (isObject && cell.align) || c.align, {
        get: () => (isObject ? cell.text : cell) ?? '', label: t('table.cell'),
        set: (v) => set((b) => { b.rows[ri] ||= []; if (isObject) b.rows[ri][ci].text = v; else b.rows[ri][ci] = v; }),
      });
    })));
  });
  table.append(body);
  const def = loop ? app.index.loops.get(loop) : null;
  return [
    loop ? h('div', { class: `ck-loop-badge${def ? '' : ' ck-loop-unknown'}` }, icon('loop'), t('table.repeats', { loop: def?.label || loop })) : null,
    table,
    columns.length ? null : h('div', { class: 'ck-block-hint' }, t('table.noColumns')),
  ];
}

function textField(app, block, set, key, className, placeholderKey) {
  return editable(app, { get: () => block[key] ?? '', set: (v) => set((b) => { b[key] = v; }), className, placeholder: t(placeholderKey), label: t(placeholderKey) });
}

function blockBody(app, block, index) {
  const set = (fn) => fn(app.doc.blocks[index]);
  switch (block.type) {
    case 'heading':
    case 'paragraph':
    case 'text': {
      const heading = block.type === 'heading';
      const el = editable(app, {
        get: () => blockText(block), multiline: true,
        set: (v) => set((b) => { b.text = v; delete b.runs; }),
        placeholder: t(heading ? 'placeholder.heading' : 'placeholder.paragraph'),
        className: heading ? `ck-text ck-h${block.level || 1}` : 'ck-text ck-p',
        label: typeLabel(heading ? 'heading' : 'paragraph'),
      });
      Object.assign(el.style, {
        textAlign: ['left', 'right', 'center', 'justify'].includes(block.align) ? block.align : '',
        fontSize: block.fontSize ? `${Number(block.fontSize) * PX}px` : '',
        fontWeight: block.bold ? '700' : '', fontStyle: block.italic ? 'italic' : '', color: hexColor(block.color),
      });
      return el;
    }
    case 'image': return imagePreview(app, block);
    case 'table': return tableView(app, block, set);
    case 'keyValue': {
      const grid = h('div', { class: 'ck-kv' });
      grid.style.gridTemplateColumns = `${/%$/.test(block.labelWidth) ? block.labelWidth : '35%'} 1fr`;
      (block.items || []).forEach((item, i) => grid.append(
        textField(app, item, (fn) => set((b) => fn(b.items[i])), 'label', `ck-kv-label${block.boldLabels === false ? '' : ' ck-bold'}`, 'kv.label'),
        textField(app, item, (fn) => set((b) => fn(b.items[i])), 'value', '', 'kv.value')));
      if (!block.items?.length) grid.append(h('div', { class: 'ck-block-hint' }, t('kv.empty')));
      return grid;
    }
    case 'divider': {
      const line = h('div', { class: 'ck-divider-line' });
      line.style.borderTopWidth = `${Math.max(1, (Number(block.thickness) || 0.75) * PX)}px`;
      line.style.borderTopColor = hexColor(block.color);
      return line;
    }
    case 'spacer': {
      const el = h('div', { class: 'ck-spacer-box' }, h('span', {}, t('spacer.label', { height: Number(block.height) || 0 })));
      el.style.height = `${Math.max(12, (Number(block.height) || 12) * PX)}px`;
      return el;
    }
    case 'pageBreak': return h('div', { class: 'ck-page-break' }, h('span', {}, typeLabel('pageBreak')));
    case 'signature': {
      const token = firstToken(block.src);
      const box = h('div', { class: 'ck-signature' },
        h('div', { class: 'ck-signature-space' }, token ? chip(app, token, null) : null),
        h('div', { class: 'ck-signature-line' }),
        textField(app, block, set, 'caption', 'ck-signature-caption', 'signature.caption'),
        block.detail !== undefined ? textField(app, block, set, 'detail', 'ck-signature-detail', 'signature.detail') : null);
      box.style.width = `${(Number(block.width) || 200) * PX}px`;
      return h('div', { class: `ck-image-row ck-align-${block.align || 'left'}` }, box);
    }
    default:
      return h('div', { class: 'ck-block-hint' }, icon('block'), t('block.other', { type: String(block.type) }));
  }
}

function blockElement(app, block, index) {
  const el = h('div', {
    class: `ck-block${app.selected === index ? ' ck-block-selected' : ''}`,
    dataset: { index: String(index), type: block.type }, tabindex: '-1', 'aria-label': typeLabel(block.type), role: 'group',
  });
  if (Number(block.spaceBefore)) el.style.paddingTop = `${Number(block.spaceBefore) * PX}px`;
  if (Number(block.spaceAfter)) el.style.paddingBottom = `${Number(block.spaceAfter) * PX}px`;
  if (!app.readOnly) {
    const handle = button('ck-block-handle', null, () => app.select(index), { icon: 'grip', draggable: 'true', title: t('block.dragHint'), 'aria-label': t('block.dragHint') });
    handle.addEventListener('dragstart', (event) => {
      event.dataTransfer.setData(MIME_BLOCK, String(index));
      event.dataTransfer.effectAllowed = 'move';
      event.dataTransfer.setDragImage(el, 16, 16);
      el.classList.add('ck-dragging');
    });
    handle.addEventListener('dragend', () => el.classList.remove('ck-dragging'));
    el.append(h('div', { class: 'ck-block-tag' }, typeLabel(block.type)), handle,
      h('div', { class: 'ck-block-actions' },
        iconButton('up', t('action.moveUp'), () => app.moveBlock(index, -1), { disabled: index === 0 }),
        iconButton('down', t('action.moveDown'), () => app.moveBlock(index, 1), { disabled: index === app.doc.blocks.length - 1 }),
        iconButton('copy', t('action.duplicate'), () => app.duplicateBlock(index)),
        iconButton('trash', t('action.delete'), () => app.deleteBlock(index), { class: 'ck-icon-button ck-danger' })));
  }
  el.append(h('div', { class: 'ck-block-body' }, blockBody(app, block, index)));
  const select = () => { if (app.selected !== index) app.select(index, { keepFocus: true }); };
  el.addEventListener('mousedown', select);
  el.addEventListener('focusin', select);
  return el;
}

/** Header and footer blocks: shown read-only on the page (edited through the API for now). */
function decoration(app, part, which) {
  if (!Array.isArray(part?.blocks) || !part.blocks.length) return null;
  const readOnlyApp = { ...app, readOnly: true };
  return h('div', { class: `ck-page-decoration ck-page-${which}`, title: t(`page.${which}Hint`) },
    h('span', { class: 'ck-decoration-tag' }, t(`page.${which}`)),
    part.blocks.map((block, i) => h('div', {}, blockBody(readOnlyApp, block, i))));
}

function inserter(app, index) {
  return h('div', { class: 'ck-inserter', dataset: { insert: String(index) } },
    button('ck-inserter-button', null, (event) => app.openBlockMenu(event.currentTarget, index), { icon: 'plus', title: t('canvas.addHere'), 'aria-label': t('canvas.addHere') }));
}

/** Renders the whole page into `canvas`. */
export function renderCanvas(app, canvas) {
  const geometry = pageGeometry(app.doc.page);
  const page = h('div', { class: 'ck-page', role: 'document', 'aria-label': t('canvas.page') });
  Object.assign(page.style, {
    width: `${geometry.width * PX}px`, minHeight: `${geometry.height * PX}px`,
    padding: geometry.margins.map((m) => `${m * PX}px`).join(' '), fontSize: `${(Number(app.doc.style?.fontSize) || 10) * PX}px`,
  });
  const flow = h('div', { class: 'ck-flow' });
  const blocks = app.doc.blocks || [];
  if (!blocks.length) {
    flow.append(h('div', { class: 'ck-empty' },
      h('div', { class: 'ck-empty-icon' }, icon('doc')),
      h('p', {}, t(app.readOnly ? 'canvas.emptyReadOnly' : 'canvas.empty')),
      app.readOnly ? null : h('div', { class: 'ck-inline-actions' }, ['heading', 'paragraph', 'table'].map((type) =>
        button('ck-button ck-button-small', typeLabel(type), () => app.addBlock(type), { icon: type })))));
  } else {
    blocks.forEach((block, i) => flow.append(...(app.readOnly ? [] : [inserter(app, i)]), blockElement(app, block, i)));
    if (!app.readOnly) flow.append(inserter(app, blocks.length));
  }
  page.append(...[decoration(app, app.doc.header, 'header'), flow, decoration(app, app.doc.footer, 'footer')].filter(Boolean));
  canvas.replaceChildren(h('div', { class: 'ck-page-wrap' }, page));
  fitZoom(canvas);
}

export function fitZoom(canvas) {
  const page = canvas.querySelector('.ck-page');
  if (!page) return;
  const zoom = Math.max(0.4, Math.min(1, (canvas.clientWidth - 96) / (parseFloat(page.style.width) || 794)));
  page.style.zoom = String(Math.round(zoom * 1000) / 1000);
}

// Drag and drop onto the canvas.

const canvasBlocks = (canvas) => [...canvas.querySelectorAll('.ck-flow > .ck-block')];

function dropIndex(canvas, y) {
  const blocks = canvasBlocks(canvas);
  const hit = blocks.find((el) => { const rect = el.getBoundingClientRect(); return y < rect.top + rect.height / 2; });
  return hit ? Number(hit.dataset.index) : blocks.length;
}

function showIndicator(canvas, index) {
  const flow = canvas.querySelector('.ck-flow');
  if (!flow) return;
  const line = canvas.querySelector('.ck-drop-indicator') || h('div', { class: 'ck-drop-indicator', 'aria-hidden': 'true' });
  const target = canvasBlocks(canvas)[index];
  // Before the inserter that precedes the target block, so the line sits in the gap.
  if (target) flow.insertBefore(line, target.previousElementSibling?.classList.contains('ck-inserter') ? target.previousElementSibling : target);
  else flow.append(line);
}

const hideIndicator = (canvas) => canvas.querySelector('.ck-drop-indicator')?.remove();

function caretRangeAt(x, y) {
  if (document.caretRangeFromPoint) return document.caretRangeFromPoint(x, y);
  const pos = document.caretPositionFromPoint?.(x, y);
  if (!pos) return null;
  const range = document.createRange();
  range.setStart(pos.offsetNode, pos.offset);
  return range;
}

export function wireDrops(app, canvas) {
  const accepts = (event) => !app.readOnly && [MIME_BLOCK, MIME_VAR, MIME_NEW].some((type) => event.dataTransfer.types.includes(type));
  canvas.addEventListener('dragover', (event) => {
    if (!accepts(event)) return;
    event.preventDefault();
    const types = event.dataTransfer.types;
    event.dataTransfer.dropEffect = types.includes(MIME_BLOCK) ? 'move' : 'copy';
    if (types.includes(MIME_VAR) && event.target.closest?.('.ck-editable')) hideIndicator(canvas);
    else showIndicator(canvas, dropIndex(canvas, event.clientY));
  });
  canvas.addEventListener('dragleave', (event) => { if (!canvas.contains(event.relatedTarget)) hideIndicator(canvas); });
  canvas.addEventListener('drop', (event) => {
    if (!accepts(event)) return;
    event.preventDefault();
    hideIndicator(canvas);
    const index = dropIndex(canvas, event.clientY);
    const dt = event.dataTransfer;
    if (dt.types.includes(MIME_BLOCK)) return app.moveBlockTo(Number(dt.getData(MIME_BLOCK)), index);
    if (dt.types.includes(MIME_NEW)) return app.addBlock(dt.getData(MIME_NEW), index);
    const data = JSON.parse(dt.getData(MIME_VAR) || '{}');
    const blockEl = event.target.closest?.('.ck-block');
    const field = event.target.closest?.('.ck-editable');
    const targetIndex = blockEl ? Number(blockEl.dataset.index) : -1;
    const target = app.doc.blocks[targetIndex];
    if (data.loop) {
      if (target?.type === 'table') app.bindTableToLoop(targetIndex, data.key);
      else if (target) app.explainLoopDrop(data.key, targetIndex);
      else app.insertLoopTable(data.key, index);
      return;
    }
    const range = field && target ? caretRangeAt(event.clientX, event.clientY) : null;
    if (range && field.contains(range.startContainer)) app.insertTokenInto(field, range, data.key);
    else if (target?.type === 'image' && data.dataType === 'image') app.bindImage(targetIndex, data.key);
    else app.insertVariableBlock(data.key, index);
  });
}
