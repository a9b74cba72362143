// The inspector: the selected block's properties, page settings, versions, template actions.
import { h } from './ck-dom.js';
import { t } from './ck-i18n.js';
import { loopTable, pageGeometry, mmOf, PAGE_SIZES, TEXT_TYPES, firstToken } from './builder-model.js';
import { icon, button, iconButton } from './builder-icons.js';

let uid = 0;

function field(label, control, help) {
  control.id ||= `ck-f${++uid}`;
  return h('div', { class: 'ck-field' }, h('label', { class: 'ck-field-label', for: control.id }, label),
    control, help ? h('div', { class: 'ck-help' }, help) : null);
}

const group = (label, ...controls) => h('div', { class: 'ck-field', role: 'group', 'aria-label': label }, h('div', { class: 'ck-field-label' }, label), controls);
const pair = (...fields) => h('div', { class: 'ck-field-pair' }, fields);

function segmented(label, options, value, onChange) {
  return group(label, h('div', { class: 'ck-segmented', role: 'radiogroup', 'aria-label': label }, options.map((o) => h('button', {
    class: `ck-segment${o.value === value ? ' ck-active' : ''}`, type: 'button', role: 'radio',
    'aria-checked': String(o.value === value), onclick: () => onChange(o.value),
  }, o.label))));
}

/** A number input; an empty value reports undefined. */
const number = (value, onChange, { min = 0, max = 2000, step = 1, placeholder = '' } = {}) => h('input', {
  class: 'ck-input', type: 'number', min, max, step, placeholder, value: value ?? '',
  onchange: (event) => onChange(event.target.value === '' ? undefined : Number(event.target.value)),
});

const text = (value, onChange, attrs = {}) => h('input', { class: 'ck-input', type: 'text', value: value ?? '', onchange: (event) => onChange(event.target.value), ...attrs });

const select = (options, value, onChange) => h('select', { class: 'ck-select', onchange: (event) => onChange(event.target.value) },
  options.map((o) => h('option', { value: o.value, selected: o.value === value }, o.label)));

const options = (values, prefix) => values.map((value) => ({ value, label: t(`${prefix}${value}`) }));

const checkbox = (label, checked, onChange) => h('label', { class: 'ck-check' },
  h('input', { type: 'checkbox', checked: !!checked, onchange: (event) => onChange(event.target.checked) }), label);

const color = (value, fallback, onChange) => h('input', { class: 'ck-input ck-color', type: 'color', value: /^#[0-9a-f]{6}$/i.test(value || '') ? value : fallback, onchange: (e) => onChange(e.target.value) });

/** Sets `key` to value, or deletes it when the value is empty or equals the default. */
const setOrDelete = (b, key, value, fallback) => { if (value === undefined || value === '' || value === false || value === fallback) delete b[key]; else b[key] = value; };

const alignOptions = (withJustify) => options(['left', 'center', 'right', ...(withJustify ? ['justify'] : [])], 'align.');

function section(title, body, { actions = null, className = '' } = {}) {
  return h('section', { class: `ck-inspector-section ${className}` }, h('div', { class: 'ck-inspector-heading' }, h('h2', {}, title), actions), body);
}

function moveColumn(b, from, to) {
  for (const list of [b.columns, ...(b.rows || []).filter(Array.isArray)]) list.splice(to, 0, list.splice(from, 1)[0]);
}

function tableEditor(app, block, update) {
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

function imageEditor(app, block, update, signature) {
  const vars = [...app.index.variables.values()].filter((v) => v.dataType === 'image');
  const bound = /^\s*\{\{/.test(block.src || '') ? firstToken(block.src).split('|')[0].trim() : '';
  const source = h('div', { class: 'ck-image-source' });
  if (!signature) {
    const file = h('input', { type: 'file', accept: 'image/png,image/jpeg,image/webp', class: 'ck-visually-hidden', tabindex: '-1',
      onchange: (e) => { const f = e.target.files?.[0]; if (f) app.uploadImage(app.selected, f); e.target.value = ''; } });
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

function blockEditor(app, block, index) {
  const update = (fn, inspector = false) => app.commit(() => fn(app.doc.blocks[index]), { inspector });
  const out = [];
  const type = block.type;
  if (TEXT_TYPES.includes(type)) {
    if (type === 'heading') out.push(segmented(t('prop.level'), [1, 2, 3, 4, 5, 6].map((n) => ({ value: n, label: `H${n}` })), Number(block.level) || 1, (v) => update((b) => { b.level = v; }, true)));
    out.push(segmented(t('prop.align'), alignOptions(true), block.align || 'left', (v) => update((b) => setOrDelete(b, 'align', v, 'left'), true)),
      pair(field(t('prop.fontSize'), number(block.fontSize, (v) => update((b) => setOrDelete(b, 'fontSize', v, 0)), { min: 6, max: 96, step: 0.5, placeholder: t('prop.auto') })),
        field(t('prop.color'), color(block.color, '#1f1f1f', (v) => update((b) => { b.color = v; })))),
      h('div', { class: 'ck-field ck-inline-actions' },
        checkbox(t('prop.bold'), block.bold, (v) => update((b) => setOrDelete(b, 'bold', v))),
        checkbox(t('prop.italic'), block.italic, (v) => update((b) => setOrDelete(b, 'italic', v)))),
      h('p', { class: 'ck-help' }, t('prop.tokenHint')));
  } else if (type === 'table') out.push(...tableEditor(app, block, update));
  else if (type === 'image' || type === 'signature') out.push(...imageEditor(app, block, update, type === 'signature'));
  else if (type === 'keyValue') {
    out.push(group(t('kv.rows'),
      h('ol', { class: 'ck-column-list' }, (block.items || []).map((item, i) => h('li', { class: 'ck-column-card' },
        h('div', { class: 'ck-column-head' },
          text(item.label, (v) => update((b) => { b.items[i].label = v; }), { 'aria-label': t('kv.label') }),
          iconButton('trash', t('kv.remove'), () => update((b) => { b.items.splice(i, 1); }, true), { class: 'ck-icon-button ck-danger' }))))),
      button('ck-button ck-button-small', t('kv.add'), () => update((b) => { (b.items ||= []).push({ label: t('default.label'), value: '' }); }, true), { icon: 'plus' })),
    field(t('kv.labelWidth'), text(block.labelWidth, (v) => update((b) => setOrDelete(b, 'labelWidth', v)), { placeholder: '35%' })),
    h('div', { class: 'ck-field' }, checkbox(t('kv.boldLabels'), block.boldLabels !== false, (v) => update((b) => setOrDelete(b, 'boldLabels', v ? undefined : false)))));
  } else if (type === 'divider') {
    out.push(pair(field(t('divider.thickness'), number(block.thickness, (v) => update((b) => setOrDelete(b, 'thickness', v, 0)), { min: 0.25, max: 12, step: 0.25, placeholder: '0.75' })),
      field(t('prop.color'), color(block.color, '#cccccc', (v) => update((b) => { b.color = v; })))));
  } else if (type === 'spacer') {
    out.push(field(t('spacer.height'), number(block.height, (v) => update((b) => { b.height = v || 0; }), { max: 800 })));
  } else {
    out.push(h('p', { class: 'ck-help' }, t(type === 'pageBreak' ? 'pageBreak.help' : 'block.otherHelp')));
  }
  if (type !== 'pageBreak') {
    const space = (key) => field(t(`prop.${key}`), number(block[key], (v) => update((b) => setOrDelete(b, key, v, 0)), { placeholder: '0' }));
    out.push(pair(space('spaceBefore'), space('spaceAfter')));
  }
  return out;
}

function pageSettings(app) {
  const page = app.doc.page || {};
  const geometry = pageGeometry(page);
  const update = (fn) => app.commit(() => fn(app.doc.page ||= {}));
  const sizes = options(['A4', 'Letter', 'Legal', 'A3', 'A5'], 'size.');
  const current = PAGE_SIZES[page.size] ? page.size : page.size ? 'custom' : 'A4';
  if (current === 'custom') sizes.push({ value: 'custom', label: t('size.custom') });
  const sides = ['top', 'right', 'bottom', 'left'];
  const margins = h('div', { class: 'ck-margins' }, sides.map((side, i) => field(t(`margin.${side}`), number(mmOf(geometry.margins[i]), (v) => update((p) => {
    const values = geometry.margins.map(mmOf);
    values[i] = v ?? 20;
    p.margins = values.every((x) => x === values[0]) ? `${values[0]}mm` : Object.fromEntries(sides.map((s, j) => [s, `${values[j]}mm`]));
  }), { max: 100 }))));
  return section(t('page.settings'), [
    field(t('page.size'), select(sizes, current, (v) => update((p) => { if (v !== 'custom') p.size = v; }))),
    segmented(t('page.orientation'), options(['portrait', 'landscape'], 'page.'), page.orientation || 'portrait', (v) => update((p) => { p.orientation = v; })),
    group(t('page.marginsMm'), margins),
  ]);
}

function versionsSection(app) {
  const state = app.versions;
  const note = (key) => h('li', { class: 'ck-help' }, t(key));
  let items;
  if (state === 'loading') items = [1, 2].map(() => h('li', { class: 'ck-version ck-skeleton ck-version-skeleton' }));
  else if (state === 'error') items = [note('versions.error')];
  else if (!state?.length) items = [note('versions.empty')];
  else {
    items = state.map((v) => {
      const current = v.version === app.currentVersion;
      return h('li', { class: 'ck-version', dataset: { version: String(v.version) } },
        h('div', { class: 'ck-version-main' },
          h('strong', {}, t('versions.label', { version: v.version })),
          current ? h('span', { class: 'ck-badge ck-badge-live' }, t('versions.live')) : null,
          h('span', { class: 'ck-version-date' }, app.formatDate(v.createdAt))),
        !current && app.perms.rollback && !app.readOnly
          ? button('ck-button ck-button-small ck-rollback-button', t('versions.rollback'), () => app.rollback(v.version), { icon: 'rollback', title: t('versions.rollbackHint', { version: v.version }) })
          : null);
    });
  }
  return section(t('versions.title'), h('ul', { class: 'ck-version-list' }, items));
}

export function renderInspector(app, root) {
  const block = app.doc.blocks[app.selected];
  const parts = [];
  if (!app.readOnly) {
    const index = app.selected;
    parts.push(block
      ? section(t(`block.${block.type}`), blockEditor(app, block, index), {
        className: 'ck-block-section',
        actions: h('div', { class: 'ck-inline-actions' },
          iconButton('copy', t('action.duplicateKey'), () => app.duplicateBlock(index)),
          iconButton('trash', t('action.deleteKey'), () => app.deleteBlock(index), { class: 'ck-icon-button ck-danger' })),
      })
      : h('div', { class: 'ck-inspector-empty' }, icon('block', 20), h('p', {}, t('inspector.nothingSelected')), h('p', { class: 'ck-help' }, t('inspector.shortcuts'))));
    if (app.perms.changePageSettings) parts.push(pageSettings(app));
  }
  if (app.perms.viewVersionHistory && app.templateId) parts.push(versionsSection(app));
  if (app.perms.delete && app.templateId && !app.readOnly) {
    parts.push(section(t('template.title'), button('ck-button ck-button-small ck-button-danger ck-delete-button', t('template.delete'), () => app.deleteTemplate(), { icon: 'trash' })));
  }
  root.replaceChildren(...parts);
}
