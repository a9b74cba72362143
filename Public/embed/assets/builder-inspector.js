// The inspector: the selected block's properties, page settings, versions, template actions.
// The table, image and header/footer editors (builder-editors.js) load on first use; the version
// history (builder-versions.js) is plugged in by builder.js as app.versionsPanel.
// The form helpers below are exported for those lazily loaded parts.
import { h } from './ck-dom.js';
import { t } from './ck-i18n.js';
import { pageGeometry, mmOf, PAGE_SIZES, TEXT_TYPES } from './builder-model.js';
import { icon, button, iconButton } from './builder-icons.js';

let uid = 0;

export function field(label, control, help) {
  control.id ||= `ck-f${++uid}`;
  return h('div', { class: 'ck-field' }, h('label', { class: 'ck-field-label', for: control.id }, label),
    control, help ? h('div', { class: 'ck-help' }, help) : null);
}

export const group = (label, ...controls) => h('div', { class: 'ck-field', role: 'group', 'aria-label': label }, h('div', { class: 'ck-field-label' }, label), controls);
export const pair = (...fields) => h('div', { class: 'ck-field-pair' }, fields);

export function segmented(label, options, value, onChange) {
  return group(label, h('div', { class: 'ck-segmented', role: 'radiogroup', 'aria-label': label }, options.map((o) => h('button', {
    class: `ck-segment${o.value === value ? ' ck-active' : ''}`, type: 'button', role: 'radio',
    'aria-checked': String(o.value === value), onclick: () => onChange(o.value),
  }, o.label))));
}

/** A number input; an empty value reports undefined. */
export const number = (value, onChange, { min = 0, max = 2000, step = 1, placeholder = '' } = {}) => h('input', {
  class: 'ck-input', type: 'number', min, max, step, placeholder, value: value ?? '',
  onchange: (event) => onChange(event.target.value === '' ? undefined : Number(event.target.value)),
});

export const text = (value, onChange, attrs = {}) => h('input', { class: 'ck-input', type: 'text', value: value ?? '', onchange: (event) => onChange(event.target.value), ...attrs });

export const select = (options, value, onChange) => h('select', { class: 'ck-select', onchange: (event) => onChange(event.target.value) },
  options.map((o) => h('option', { value: o.value, selected: o.value === value }, o.label)));

export const options = (values, prefix) => values.map((value) => ({ value, label: t(`${prefix}${value}`) }));

export const checkbox = (label, checked, onChange) => h('label', { class: 'ck-check' },
  h('input', { type: 'checkbox', checked: !!checked, onchange: (event) => onChange(event.target.checked) }), label);

const color = (value, fallback, onChange) => h('input', { class: 'ck-input ck-color', type: 'color', value: /^#[0-9a-f]{6}$/i.test(value || '') ? value : fallback, onchange: (e) => onChange(e.target.value) });

/** Sets `key` to value, or deletes it when the value is empty or equals the default. */
export const setOrDelete = (b, key, value, fallback) => { if (value === undefined || value === '' || value === false || value === fallback) delete b[key]; else b[key] = value; };

export const alignOptions = (withJustify) => options(['left', 'center', 'right', ...(withJustify ? ['justify'] : [])], 'align.');

export function section(title, body, { actions = null, className = '' } = {}) {
  return h('section', { class: `ck-inspector-section ${className}` }, h('div', { class: 'ck-inspector-heading' }, h('h2', {}, title), actions), body);
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
  } else if (type === 'table') out.push(...lazyEditor((m) => m.tableEditor(app, block, update)));
  else if (type === 'image' || type === 'signature') out.push(...lazyEditor((m) => m.imageEditor(app, block, update, type === 'signature')));
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
  // The language of the text (pdf.language, a BCP 47 tag): the PDF's /Lang for screen readers.
  const language = text(app.doc.pdf?.language, (v) => {
    const tag = v.trim();
    if (tag && !/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(tag)) { language.setAttribute('aria-invalid', 'true'); return; }
    language.removeAttribute('aria-invalid');
    app.commit(() => {
      const pdf = app.doc.pdf ||= {};
      setOrDelete(pdf, 'language', tag);
      if (!Object.keys(pdf).length) delete app.doc.pdf;
    });
  }, { class: 'ck-input ck-doc-language', placeholder: app.doc.locale || 'en-US', spellcheck: 'false', autocomplete: 'off' });
  return section(t('page.settings'), [
    field(t('page.size'), select(sizes, current, (v) => update((p) => { if (v !== 'custom') p.size = v; }))),
    segmented(t('page.orientation'), options(['portrait', 'landscape'], 'page.'), page.orientation || 'portrait', (v) => update((p) => { p.orientation = v; })),
    group(t('page.marginsMm'), margins),
    field(t('page.language'), language, t('page.languageHelp')),
    group(t('page.headerFooter'), ...(app.hfOpen ? lazyEditor((m) => m.headerFooterEditor(app))
      : [button('ck-button ck-button-small', t('page.editHeaderFooter'), () => { app.hfOpen = true; redraw(); })])),
  ]);
}

let editors = null;
let editorsState = 'idle';
let redraw = () => {};

/** The table or image editor from builder-editors.js, loaded on first use (a placeholder meanwhile). */
function lazyEditor(render) {
  if (editors) return render(editors);
  if (editorsState === 'failed') {
    return [h('p', { class: 'ck-help' }, t('banner.offline')), button('ck-button ck-button-small', t('common.retry'), () => { editorsState = 'idle'; redraw(); })];
  }
  if (editorsState === 'idle') {
    editorsState = 'loading';
    import('./builder-editors.js')
      .then((module) => { editors = module; editorsState = 'idle'; }, () => { editorsState = 'failed'; })
      .then(() => redraw());
  }
  return [1, 2, 3].map(() => h('div', { class: 'ck-skeleton ck-sk-field' }));
}

export function renderInspector(app, root) {
  redraw = () => { if (root.isConnected) renderInspector(app, root); };
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
  if (app.perms.viewVersionHistory && app.templateId && app.versionsPanel) parts.push(app.versionsPanel(app));
  if (app.perms.delete && app.templateId && !app.readOnly) {
    parts.push(section(t('template.title'), button('ck-button ck-button-small ck-button-danger ck-delete-button', t('template.delete'), () => app.deleteTemplate(), { icon: 'trash' })));
  }
  root.replaceChildren(...parts);
}
