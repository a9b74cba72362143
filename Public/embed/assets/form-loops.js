// The loop editor: a compact table of rows (one per array item) with add, remove and reorder (drag
// handle, arrow keys on the handle, Alt+↑/↓ in any cell, and explicit up/down buttons). Inputs are
// named `items[0].description`; names follow the row order.
import { h } from './ck-dom.js';
import { t } from './ck-i18n.js';
import { fieldSlot, nextId } from './form-fields.js';

const columnWidth = {
  text: 'minmax(0, 2fr)', longtext: 'minmax(0, 2.4fr)', email: 'minmax(0, 1.6fr)', url: 'minmax(0, 1.6fr)',
  number: 'minmax(0, 0.8fr)', currency: 'minmax(0, 1.1fr)', date: 'minmax(0, 1.2fr)', datetime: 'minmax(0, 1.5fr)',
  boolean: 'minmax(48px, 0.5fr)', image: 'minmax(0, 1.8fr)',
};

const icon = (name) => {
  const paths = {
    grip: 'M7 4h2v2H7zM11 4h2v2h-2zM7 9h2v2H7zM11 9h2v2h-2zM7 14h2v2H7zM11 14h2v2h-2z',
    up: 'M10 5l5 6h-3.5v4h-3v-4H5z',
    down: 'M10 15l-5-6h3.5V5h3v4H15z',
    remove: 'M6 6l8 8M14 6l-8 8',
    plus: 'M10 4v12M4 10h12',
    download: 'M10 3v9.5M6 8.5l4 4 4-4M4 16.5h12',
    external: 'M11.5 3.5h5v5M16.5 3.5 9 11M14.5 12v4.5h-11v-11H8',
  };
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 20 20');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', `ck-icon ck-icon-${name}`);
  const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  path.setAttribute('d', paths[name]);
  svg.append(path);
  return svg;
};
export { icon };

/** ctx as for fieldSlot, plus announce(message). */
export function loopEditor(loop, ctx) {
  const headingId = nextId('ck-loop');
  const rows = [];
  const columns = loop.fields.map((f) => columnWidth[f.dataType] || columnWidth.text).join(' ');
  const count = h('span', { class: 'ck-badge ck-loop-count' });
  const head = h('div', { class: 'ck-loop-head', 'aria-hidden': 'true' },
    h('span', { class: 'ck-loop-head-spacer' }),
    h('div', { class: 'ck-loop-cells' }, loop.fields.map((f) => h('span', { class: 'ck-loop-head-cell' }, f.label,
      f.required ? h('span', { class: 'ck-required' }, '*') : null))),
    h('span', { class: 'ck-loop-head-spacer ck-loop-head-actions' }));
  const list = h('ol', { class: 'ck-loop-rows', 'aria-labelledby': headingId });
  const empty = h('p', { class: 'ck-loop-empty' }, t('form.loop.empty'));
  const loopError = h('p', { class: 'ck-field-error ck-loop-error', id: `${headingId}-error`, hidden: true });
  const add = h('button', { class: 'ck-button ck-loop-add', type: 'button', 'aria-label': t('form.loop.add_named', { label: loop.label }) },
    icon('plus'), t('form.loop.add'));
  const el = h('section', { class: 'ck-section ck-loop', dataset: { loop: loop.key }, 'aria-labelledby': headingId },
    h('div', { class: 'ck-section-header' }, h('h2', { class: 'ck-section-title', id: headingId }, loop.label), count),
    loop.description ? h('p', { class: 'ck-help ck-section-help' }, loop.description) : null,
    h('div', { class: 'ck-loop-table' }, head, list, empty),
    loopError,
    h('div', { class: 'ck-loop-footer' }, add));
  el.style.setProperty('--ck-loop-columns', columns);

  function renumber() {
    rows.forEach((row, i) => {
      const n = i + 1;
      row.el.dataset.index = String(i);
      row.number.textContent = String(n);
      for (const slot of row.slots.values()) {
        slot.rename(`${loop.key}[${i}].${slot.field.key}`, t('form.loop.cell_label', { label: slot.field.label, n }));
        slot.suffix.textContent = `, ${t('form.loop.row', { n })}`;
      }
      row.handle.setAttribute('aria-label', t('form.loop.handle', { n }));
      row.up.setAttribute('aria-label', t('form.loop.up', { n }));
      row.down.setAttribute('aria-label', t('form.loop.down', { n }));
      row.remove.setAttribute('aria-label', t('form.loop.remove', { n }));
      row.up.disabled = i === 0;
      row.down.disabled = i === rows.length - 1;
    });
    empty.hidden = rows.length > 0;
    head.hidden = rows.length === 0;
    count.textContent = rows.length === 1 ? t('form.loop.rows_one') : t('form.loop.rows', { count: rows.length });
    count.hidden = rows.length === 0;
  }

  function move(row, to, focusEl) {
    const from = rows.indexOf(row);
    if (to < 0 || to >= rows.length || to === from) return;
    rows.splice(from, 1);
    rows.splice(to, 0, row);
    list.insertBefore(row.el, rows[to + 1]?.el || null);
    renumber();
    (focusEl && !focusEl.disabled ? focusEl : row.handle).focus();
    ctx.announce(t('form.loop.moved', { n: to + 1 }));
    ctx.onChange?.();
  }

  function removeRow(row) {
    const i = rows.indexOf(row);
    rows.splice(i, 1);
    row.el.remove();
    renumber();
    ctx.announce(t('form.loop.removed', { n: i + 1 }));
    const next = rows[i] || rows[i - 1];
    (next ? next.remove : add).focus();
    ctx.onChange?.();
  }

  let dragging = null;

  function addRow(values = null, { focus = false } = {}) {
    const slots = new Map();
    const cells = h('div', { class: 'ck-loop-cells' });
    for (const field of loop.fields) {
      const slot = fieldSlot(field, { name: `${loop.key}[${rows.length}].${field.key}`, variant: 'cell', ctx });
      slot.suffix = h('span', { class: 'ck-visually-hidden' });
      slot.el.querySelector('.ck-loop-cell-label')?.append(slot.suffix);
      if (values && values[field.key] !== undefined) slot.set(values[field.key]);
      slots.set(field.key, slot);
      cells.append(slot.el);
    }
    const number = h('span', { class: 'ck-loop-row-number', 'aria-hidden': 'true' });
    const handle = h('button', { class: 'ck-loop-handle', type: 'button' }, icon('grip'), number);
    const up = h('button', { class: 'ck-button ck-button-ghost ck-button-icon ck-loop-up', type: 'button' }, icon('up'));
    const down = h('button', { class: 'ck-button ck-button-ghost ck-button-icon ck-loop-down', type: 'button' }, icon('down'));
    const remove = h('button', { class: 'ck-button ck-button-ghost ck-button-icon ck-loop-remove', type: 'button' }, icon('remove'));
    const rowEl = h('li', { class: 'ck-loop-row' }, handle, cells, h('div', { class: 'ck-loop-row-actions' }, up, down, remove));
    const row = { el: rowEl, slots, handle, up, down, remove, number };
    up.addEventListener('click', () => move(row, rows.indexOf(row) - 1, up));
    down.addEventListener('click', () => move(row, rows.indexOf(row) + 1, down));
    remove.addEventListener('click', () => removeRow(row));
    handle.addEventListener('keydown', (event) => {
      if (event.key === 'ArrowUp' || event.key === 'ArrowDown') {
        event.preventDefault();
        move(row, rows.indexOf(row) + (event.key === 'ArrowUp' ? -1 : 1), handle);
      }
    });
    cells.addEventListener('keydown', (event) => {
      if (event.altKey && (event.key === 'ArrowUp' || event.key === 'ArrowDown')) {
        event.preventDefault();
        const focused = document.activeElement;
        move(row, rows.indexOf(row) + (event.key === 'ArrowUp' ? -1 : 1), null);
        focused?.focus();
      }
    });
    // Mouse drag by the handle (HTML drag and drop; the row reorders live while dragging).
    handle.addEventListener('pointerdown', () => { rowEl.draggable = true; });
    rowEl.addEventListener('dragstart', (event) => {
      dragging = row;
      event.dataTransfer.effectAllowed = 'move';
      event.dataTransfer.setData('text/plain', String(rows.indexOf(row) + 1));
      rowEl.classList.add('ck-loop-row-dragging');
    });
    rowEl.addEventListener('dragend', () => {
      rowEl.draggable = false;
      rowEl.classList.remove('ck-loop-row-dragging');
      if (dragging) {
        const order = [...list.children];
        rows.sort((a, b) => order.indexOf(a.el) - order.indexOf(b.el));
        renumber();
        ctx.announce(t('form.loop.moved', { n: rows.indexOf(dragging) + 1 }));
        ctx.onChange?.();
      }
      dragging = null;
    });
    rows.push(row);
    list.append(rowEl);
    renumber();
    if (focus) {
      slots.values().next().value?.focus();
      ctx.announce(t('form.loop.added', { n: rows.length }));
    }
    return row;
  }

  list.addEventListener('dragover', (event) => {
    if (!dragging) return;
    event.preventDefault();
    const target = event.target.closest?.('.ck-loop-row');
    if (!target || target === dragging.el) return;
    const box = target.getBoundingClientRect();
    list.insertBefore(dragging.el, event.clientY > box.top + box.height / 2 ? target.nextSibling : target);
  });
  list.addEventListener('drop', (event) => event.preventDefault());

  add.addEventListener('click', () => {
    addRow(null, { focus: true });
    clearLoopError();
    ctx.onChange?.();
  });

  function clearLoopError() { loopError.hidden = true; loopError.textContent = ''; el.classList.remove('ck-field-invalid'); }
  function setLoopError(message) { loopError.textContent = message; loopError.hidden = false; el.classList.add('ck-field-invalid'); }

  renumber();

  return {
    el, loop,
    get rows() { return rows; },
    addRow,
    clear() { for (const row of rows.splice(0)) row.el.remove(); renumber(); },
    set(items) {
      for (const row of rows.splice(0)) row.el.remove();
      for (const item of Array.isArray(items) ? items : []) addRow(item && typeof item === 'object' ? item : {});
      renumber();
    },
    /** The rows as objects; `raw` keeps unvalidated values (for drafts). */
    values(raw = false) {
      return rows.map((row) => {
        const item = {};
        for (const [key, slot] of row.slots) {
          const value = raw ? slot.rawValue() : slot.value();
          if (value !== undefined) item[key] = value;
        }
        return item;
      });
    },
    slot(index, key) { return rows[index]?.slots.get(key) || null; },
    /** Validates every row; returns the slots (or the loop itself) with errors, in order. */
    validate() {
      const invalid = [];
      clearLoopError();
      const s = loop.schema || {};
      if (typeof s.minItems === 'number' && rows.length < s.minItems) {
        setLoopError(t('form.error.minItems', { min: s.minItems }));
        invalid.push({ focus: () => add.focus(), el });
      }
      if (typeof s.maxItems === 'number' && rows.length > s.maxItems) {
        setLoopError(t('form.error.maxItems', { max: s.maxItems }));
        invalid.push({ focus: () => rows[rows.length - 1].remove.focus(), el });
      }
      for (const row of rows) for (const slot of row.slots.values()) if (slot.validate()) invalid.push(slot);
      return invalid;
    },
    setLoopError, clearLoopError,
    focusAdd() { add.focus(); },
  };
}
