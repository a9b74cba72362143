// The variable picker (left pane) and everything that puts a variable into the document: a click
// inserts at the caret of the text being edited, binds the selected image or table, or adds a block;
// a drag carries the variable to the canvas (dropped there by builder-canvas.js).
import { t } from './ck-i18n.js';
import { h, announce } from './ck-dom.js';
import { typeName } from './builder-strings.js';
import { indexCatalog, loopTable, TEXT_TYPES, blockText, tokenFor } from './builder-model.js';
import { insertChipAt, MIME_VAR } from './builder-canvas.js';
import { icon } from './builder-icons.js';

/** Makes `el` a copy-drag source; `fill(dataTransfer)` sets what it carries. */
export function draggable(el, fill) {
  el.addEventListener('dragstart', (event) => { fill(event.dataTransfer); event.dataTransfer.effectAllowed = 'copy'; });
  return el;
}

/** `part` loads a lazily loaded module (errors reported); `drawInspector` redraws the right pane. */
export function variablePicker(app, { part, drawInspector }) {
  const variable = (key) => app.index.variables.get(key) || { key };

  function insertTokenInto(field, range, key) {
    const block = field.closest('.ck-block');
    if (block) app.selected = Number(block.dataset.index);
    insertChipAt(app, field, range, tokenFor(variable(key)));
    drawInspector();
    announce(t('announce.inserted', { label: variable(key).label || key }));
  }

  function insertVariableBlock(key, index) {
    if (variable(key).dataType === 'image') app.addBlock('image', index, { type: 'image', src: `{{${key}}}`, width: 120, align: 'left' });
    else app.addBlock('paragraph', index, { type: 'paragraph', text: `{{${tokenFor(variable(key))}}}` });
  }

  function bindImage(index, key) {
    app.commit(() => { app.doc.blocks[index].src = `{{${key}}}`; });
    announce(t('announce.bound', { label: variable(key).label || key }));
  }

  /** A click in the picker: into the text being edited, else onto the selected block, else a new block. */
  function insertVariable(key) {
    if (app.readOnly) return;
    const def = variable(key);
    const selected = app.doc.blocks[app.selected];
    if (def.dataType === 'image') {
      if (['image', 'signature'].includes(selected?.type)) bindImage(app.selected, key);
      else insertVariableBlock(key, null);
      return;
    }
    const field = app.lastField;
    if (field?.isConnected && app.lastRange && selected && field.closest('.ck-block')?.dataset.index === String(app.selected)) {
      return insertTokenInto(field, app.lastRange, key);
    }
    if (!TEXT_TYPES.includes(selected?.type)) return insertVariableBlock(key, null);
    app.commit(() => {
      const text = blockText(selected);
      selected.text = `${text}${text && !/\s$/.test(text) ? ' ' : ''}{{${tokenFor(def)}}}`;
      delete selected.runs;
    });
    announce(t('announce.inserted', { label: def.label || key }));
  }

  function insertLoopTable(key, index = null) {
    const loop = app.index.loops.get(key);
    if (!loop) return;
    app.addBlock('table', index, loopTable(loop));
    announce(t('announce.loopTable', { label: loop.label || key }));
  }

  function bindTableToLoop(index, key) {
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
  }

  /** A list goes into the selected table when it has none yet, else into a new table. */
  function insertLoop(key) {
    if (app.readOnly) return;
    const selected = app.doc.blocks[app.selected];
    if (selected?.type === 'table' && !selected.loop) bindTableToLoop(app.selected, key);
    else insertLoopTable(key);
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

  function draw() {
    const catalog = app.catalog;
    const groups = (catalog?.namespaces || []).map((ns) => pickerGroup(ns.key, ns.label || ns.key, (ns.fields || []).map((f) => pickerItem(f))));
    // The index's lists: the catalog's, plus those the template declares itself.
    const loops = [...app.index.loops.values()];
    if (loops.length) groups.push(pickerGroup('__loops', t('picker.lists'), loops.map((l) => pickerItem(l, true))));
    if (app.customVars.length) groups.push(pickerGroup('__custom', t('picker.custom'), app.customVars.map((f) => pickerItem(f))));
    const note = (key, hidden) => h('p', { class: 'ck-help ck-picker-empty', hidden, dataset: { role: key } }, t(`picker.${key}`));
    app.els.pickerGroups.replaceChildren(...groups, groups.length ? note('noResults', true) : note('noCatalog'));
    filter();
  }

  function filter() {
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
    app.index = indexCatalog(app.catalog, app.customVars, app.templateLoops);
    draw();
    insertVariable(values.key);
  }

  return {
    draw, filter, addCustomVariable,
    // Used by the canvas, its menus and the inspector through `app`.
    insertTokenInto, insertVariableBlock, bindImage, insertLoopTable, bindTableToLoop,
  };
}
