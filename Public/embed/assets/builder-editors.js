// The inspector's table column editor, image editor and page header/footer editor. Loaded when a
// table, image or signature block is first selected, or the header/footer editor first opened
// (builder-inspector.js).
import { h, announce } from './ck-dom.js';
import { t } from './ck-i18n.js';
import { api, ApiError } from './ck-session.js';
import { loopTable, firstToken, tokenFor } from './builder-model.js';
import { button, iconButton } from './builder-icons.js';
import { field, group, pair, segmented, number, text, select, options, checkbox, setOrDelete, alignOptions } from './builder-inspector.js';
import './builder-more.js';

function moveColumn(b, from, to) {
  for (const list of [b.columns, ...(b.rows || []).filter(Array.isArray)]) list.splice(to, 0, list.splice(from, 1)[0]);
}

export function tableEditor(app, block, update) {
  const loopDef = block.loop ? app.index.loops.get(block.loop) : null;
  const loopSelect = select([{ value: '', label: t('table.static') }, ...[...app.index.loops.values()].map((l) => ({ value: l.key, label: `${l.label || l.key} (${l.key}[])` })),
    ...(block.loop && !loopDef ? [{ value: block.loop, label: block.loop }] : [])],
  block.loop || '', (value) => update((b) => {
    if (!value) { delete b.loop; if (!b.rows?.length) b.rows = [b.columns.map(() => '')]; return; }
    const def = app.index.loops.get(value);
    if (def && (!b.loop || !b.columns?.some((c) => c.cell))) { b.columns = loopTable(def).columns; delete b.rows; }
    b.loop = value;
  }, true));
  const columns = (block.columns || []).map((column, ci) => {
    const set = (fn, inspector) => update((b) => fn(b.columns[ci], b), inspector);
    const pickField = loopDef ? select([{ value: '', label: t('table.pickField') }, ...(loopDef.itemFields || []).map((f) => ({ value: f.key, label: f.label || f.key }))], '',
      (value) => set((c) => {
        const f = loopDef.itemFields.find((x) => x.key === value);
        c.cell = `{{${f.key}${/^(money|currency|date|number|percent)/.test(f.format || '') ? ` | ${f.format}` : ''}}}`;
        c.header ||= f.label || f.key;
      }, true)) : null;
    return h('li', { class: 'ck-column-card' },
      h('div', { class: 'ck-column-head' },
        h('span', { class: 'ck-column-index' }, String(ci + 1)),
        text(column.header, (v) => set((c) => { c.header = v; }), { 'aria-label': t('table.header'), placeholder: t('table.header') }),
        iconButton('up', t('action.moveUp'), () => update((b) => moveColumn(b, ci, ci - 1), true), { disabled: ci === 0 }),
        iconButton('down', t('action.moveDown'), () => update((b) => moveColumn(b, ci, ci + 1), true), { disabled: ci === block.columns.length - 1 }),
        iconButton('trash', t('table.removeColumn'), () => update((b) => { b.columns.splice(ci, 1); (b.rows || []).forEach((r) => Array.isArray(r) && r.splice(ci, 1)); }, true), { class: 'ck-icon-button ck-danger' })),
      block.loop ? h('div', { class: 'ck-column-row' },
        text(column.cell, (v) => set((c) => { c.cell = v; }), { class: 'ck-input ck-mono', 'aria-label': t('table.cell'), placeholder: '{{field}}' }), pickField) : null,
      h('div', { class: 'ck-column-row' },
        text(column.width, (v) => set((c) => { v = v.trim(); setOrDelete(c, 'width', /^\d+(\.\d+)?$/.test(v) ? Number(v) : v, 'auto'); }),
          { 'aria-label': t('table.width'), placeholder: t('table.widthAuto'), title: t('table.widthHelp') }),
        select(alignOptions(false), column.align || 'left', (v) => set((c) => setOrDelete(c, 'align', v, 'left')))));
  });
  const flag = (key, label) => checkbox(label, block[key] !== false, (v) => update((b) => setOrDelete(b, key, v ? undefined : false)));
  return [
    field(t('table.loop'), loopSelect, t(block.loop ? 'table.loopHelp' : 'table.staticHelp')),
    group(t('table.columns'), h('ol', { class: 'ck-column-list' }, columns),
      button('ck-button ck-button-small', t('table.addColumn'), () => update((b) => {
        b.columns ||= [];
        b.columns.push({ header: t('default.column', { n: b.columns.length + 1 }), cell: '' });
        (b.rows || []).forEach((r) => Array.isArray(r) && r.push(''));
      }, true), { icon: 'plus' })),
    block.loop ? null : group(t('table.rows'), h('div', { class: 'ck-inline-actions' },
      button('ck-button ck-button-small', t('table.addRow'), () => update((b) => { (b.rows ||= []).push((b.columns || []).map(() => '')); }, true), { icon: 'plus' }),
      button('ck-button ck-button-small', t('table.removeRow'), () => update((b) => { b.rows.pop(); }, true), { disabled: !block.rows?.length }))),
    field(t('table.borders'), select(options(['horizontal', 'all', 'outer', 'none'], 'borders.'), block.style?.borders || 'horizontal',
      (value) => update((b) => { b.style = { ...b.style, borders: value }; }))),
    h('div', { class: 'ck-field' }, flag('showHeader', t('table.showHeader')), flag('repeatHeader', t('table.repeatHeader'))),
    block.loop ? field(t('table.emptyText'), text(block.emptyText, (v) => update((b) => setOrDelete(b, 'emptyText', v)), { placeholder: t('table.emptyTextPlaceholder') })) : null,
  ];
}

export function imageEditor(app, block, update, signature) {
  const vars = [...app.index.variables.values()].filter((v) => v.dataType === 'image');
  const bound = /^\s*\{\{/.test(block.src || '') ? firstToken(block.src).split('|')[0].trim() : '';
  const source = h('div', { class: 'ck-image-source' });
  if (!signature) {
    const file = h('input', { type: 'file', accept: 'image/png,image/jpeg,image/webp', class: 'ck-visually-hidden', tabindex: '-1',
      onchange: (e) => { const f = e.target.files?.[0]; if (f) uploadImage(app, app.selected, f); e.target.value = ''; } });
    source.append(button('ck-button ck-button-small ck-upload-button', t('image.upload'), () => file.click(), { icon: 'upload' }), file);
    if (block.src && !bound) source.append(h('div', { class: 'ck-help ck-truncate', title: block.src }, t('image.uploaded')));
  }
  if (vars.length) {
    source.append(field(t('image.bind'), select([{ value: '', label: t('image.noVariable') }, ...vars.map((v) => ({ value: v.key, label: v.label || v.key }))], bound,
      (value) => update((b) => { if (value) b.src = `{{${value}}}`; else if (signature) delete b.src; else b.src = ''; }, true))));
  }
  const size = (key, label, max, placeholder) => field(label, number(block[key], (v) => update((b) => setOrDelete(b, key, v, 0)), { min: 8, max, placeholder }));
  return [
    group(t(signature ? 'signature.image' : 'image.source'), source),
    pair(size('width', t('image.width'), 1200),
      signature ? size('imageHeight', t('signature.imageHeight'), 600, '60') : size('height', t('image.height'), 1200, t('image.auto'))),
    segmented(t('prop.align'), alignOptions(false), block.align || 'left', (v) => update((b) => { b.align = v; }, true)),
    ...(signature
      ? [h('div', { class: 'ck-field' }, checkbox(t('signature.showDetail'), block.detail !== undefined, (v) => update((b) => { if (v) b.detail = ''; else delete b.detail; })))]
      : [field(t('image.fit'), select(options(['contain', 'cover', 'fixed'], 'fit.'), block.fit || 'contain', (v) => update((b) => setOrDelete(b, 'fit', v, 'contain')))),
        field(t('image.alt'), text(block.alt, (v) => update((b) => setOrDelete(b, 'alt', v))))]),
  ];
}

/** Uploads an image into block `index`; counts against the session's upload allowance. */
async function uploadImage(app, index, file) {
  const max = app.limits.maxUploadsBytes;
  if (max && file.size > max - (app.usage.uploadBytes || 0)) {
    return app.handleError(new ApiError(413, 'limit_reached', t('limit.upload', { max: Math.round(max / 1048576) })), 'upload');
  }
  const form = new FormData();
  form.append('file', file, file.name);
  app.banner('uploading', { kind: 'info', text: t('image.uploading', { name: file.name }), dismissible: false });
  try {
    const res = await api('POST', '/v1/embed/builder/uploads', form);
    app.usage.uploadBytes = (app.usage.uploadBytes || 0) + file.size;
    app.commit(() => { const b = app.doc.blocks[index]; b.src = res.url; b.alt ||= file.name.replace(/\.[^.]+$/, ''); });
    announce(t('image.uploadedAnnounce'));
  } catch (error) { app.handleError(error, 'upload', () => uploadImage(app, index, file)); }
  finally { app.clearBanner('uploading'); }
}

// Header and footer: one small grey paragraph each; `{{page}}` and `{{pages}}` work there. Anything
// else (several blocks, other block types, styled runs, first/last-page variants) is kept as it is.

const alignFor = { header: 'left', footer: 'center' };

export function headerFooterEditor(app) {
  return ['header', 'footer'].map((which) => decorationEditor(app, which));
}

function decorationEditor(app, which) {
  const part = app.doc[which];
  const blocks = Array.isArray(part?.blocks) ? part.blocks : [];
  const label = t(`page.${which}`);
  const simple = !part?.firstPage && !part?.lastPage
    && (!blocks.length || (blocks.length === 1 && blocks[0]?.type === 'paragraph' && !blocks[0].runs && typeof (blocks[0].text ?? '') === 'string'));
  if (!simple) return group(label, h('p', { class: 'ck-help' }, t(`hf.custom.${which}`)));
  const block = blocks[0];
  const align = block?.align || alignFor[which];
  /** Writes the text (empty removes the header or footer), keeping the block's other properties. */
  const write = (value, { inspector = false, newAlign = align } = {}) => app.commit(() => {
    if (!value.trim()) { delete app.doc[which]; return; }
    const current = app.doc[which]?.blocks?.[0];
    const next = current ? { ...current, text: value } : { type: 'paragraph', text: value, fontSize: 8, color: '#6b6b75' };
    next.align = newAlign;
    app.doc[which] = { ...app.doc[which], blocks: [next] };
  }, { inspector });
  const area = h('textarea', {
    class: 'ck-textarea ck-hf-text', rows: 2, value: block?.text ?? '', placeholder: t(`hf.placeholder.${which}`),
    onchange: () => write(area.value),
  });
  /** Inserts `token` at the caret and applies it straight away. */
  const insert = (token) => {
    const { selectionStart: a = area.value.length, selectionEnd: b = a, value } = area;
    const pad = a > 0 && !/\s$/.test(value.slice(0, a)) ? ' ' : '';
    area.value = `${value.slice(0, a)}${pad}${token}${value.slice(b)}`;
    const caret = a + pad.length + token.length;
    write(area.value);
    area.focus();
    area.setSelectionRange(caret, caret);
    announce(t('hf.inserted'));
  };
  const vars = [...app.index.variables.values()].filter((v) => v.dataType !== 'image');
  const varSelect = vars.length ? select([{ value: '', label: t('hf.insertVariable') }, ...vars.map((v) => ({ value: v.key, label: v.label || v.key }))], '', (key) => {
    varSelect.value = '';
    if (key) insert(`{{${tokenFor(app.index.variables.get(key))}}}`);
  }) : null;
  if (varSelect) { varSelect.classList.add('ck-hf-vars'); varSelect.setAttribute('aria-label', t('hf.insertVariable')); }
  const el = h('div', { class: `ck-hf ck-hf-${which}` },
    field(label, area),
    h('div', { class: 'ck-inline-actions ck-hf-actions' },
      button('ck-button ck-button-small', t('hf.pageNumber'), () => insert(t('hf.pageText', { page: '{{page}}', pages: '{{pages}}' }))),
      varSelect),
    segmented(t('prop.align'), alignOptions(false), align, (v) => {
      if (area.value.trim()) write(area.value, { inspector: true, newAlign: v });
      else { alignFor[which] = v; el.replaceWith(decorationEditor(app, which)); }
    }));
  return el;
}
