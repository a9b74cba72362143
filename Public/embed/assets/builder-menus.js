// Menus and notices opened from the canvas, loaded on first use: the `{{` inline variable menu, the
// block menu behind the "+" between blocks, and the notice when a list is dropped outside a table.
import { h, announce } from './ck-dom.js';
import { t } from './ck-i18n.js';
import { BLOCK_TYPES, tokenFor } from './builder-model.js';
import { placeCaret, insertChipAt } from './builder-canvas.js';
import { icon, button, iconButton } from './builder-icons.js';
import './builder-more.js';

// The `{{` inline variable menu.

let menu = null;

export function closeInlineMenu() { menu?.remove(); menu = null; }

function menuEntries(app, loop) {
  const def = loop ? app.index.loops.get(loop) : null;
  return [
    ...(def?.itemFields || []).map((f) => ({ inner: f.key, label: f.label || f.key, key: f.key })),
    ...[...app.index.variables.values()].filter((f) => f.dataType !== 'image').map((f) => ({ inner: tokenFor(f), label: f.label || f.key, key: f.key })),
  ];
}

/** Replaces the typed `{{` (`range`) with a searchable list of variables. */
export function openInlineMenu(app, field, range) {
  closeInlineMenu();
  if (!field.isConnected || range.toString() !== '{{') return;
  const rect = range.getBoundingClientRect();
  range.deleteContents();
  field._ck.commit();
  const entries = menuEntries(app, field._ck.loop);
  let active = 0;
  let shown = entries;
  const list = h('ul', { class: 'ck-inline-menu-list', role: 'listbox', id: 'ck-inline-menu-list' });
  const input = h('input', {
    class: 'ck-input', type: 'search', placeholder: t('inline.search'),
    'aria-label': t('inline.search'), 'aria-controls': 'ck-inline-menu-list', autocomplete: 'off',
  });
  const finish = (entry) => {
    closeInlineMenu();
    placeCaret(field, range);
    if (entry) insertChipAt(app, field, range, entry.inner);
    else document.execCommand('insertText', false, '{{');
  };
  const draw = () => {
    const q = input.value.trim().toLowerCase();
    shown = entries.filter((e) => !q || e.label.toLowerCase().includes(q) || e.key.toLowerCase().includes(q));
    active = Math.min(active, Math.max(0, shown.length - 1));
    list.replaceChildren(...(shown.length ? [] : [h('li', { class: 'ck-inline-menu-empty' }, t('picker.noResults'))]),
      ...shown.map((entry, i) => h('li', {
        class: `ck-inline-menu-item${i === active ? ' ck-active' : ''}`, role: 'option', 'aria-selected': String(i === active),
        onmousedown: (event) => { event.preventDefault(); finish(entry); },
      }, h('span', {}, entry.label), h('span', { class: 'ck-inline-menu-key' }, entry.key))));
    list.querySelector('.ck-active')?.scrollIntoView({ block: 'nearest' });
  };
  input.addEventListener('input', () => { active = 0; draw(); });
  input.addEventListener('keydown', (event) => {
    const step = { ArrowDown: 1, ArrowUp: -1 }[event.key];
    if (step) { event.preventDefault(); active = Math.max(0, Math.min(active + step, shown.length - 1)); draw(); }
    else if (event.key === 'Enter') { event.preventDefault(); finish(shown[active]); }
    else if (event.key === 'Escape') { event.preventDefault(); event.stopPropagation(); finish(null); }
  });
  input.addEventListener('blur', () => setTimeout(() => { if (menu && !menu.contains(document.activeElement)) closeInlineMenu(); }, 100));
  menu = h('div', { class: 'ck-inline-menu', role: 'dialog', 'aria-label': t('inline.title') },
    h('div', { class: 'ck-inline-menu-title' }, t('inline.title')), input, list);
  document.body.append(menu);
  menu.style.left = `${Math.max(8, Math.min(rect.left, window.innerWidth - 300))}px`;
  menu.style.top = `${Math.max(8, Math.min(rect.bottom + 6, window.innerHeight - 300))}px`;
  draw();
  input.focus();
}

// The block menu (the "+" between blocks).

let close = () => {};
export const closePopover = () => close();

export function openBlockMenu(app, anchor, index) {
  closePopover();
  const pop = h('div', { class: 'ck-popover', role: 'menu', 'aria-label': t('palette.title') }, BLOCK_TYPES.map((type) =>
    button('ck-popover-item', t(`block.${type}`), () => { closePopover(); app.addBlock(type, index); }, { icon: type, role: 'menuitem' })));
  document.body.append(pop);
  const rect = anchor.getBoundingClientRect();
  pop.style.left = `${Math.min(rect.left, window.innerWidth - 220)}px`;
  pop.style.top = `${Math.min(rect.bottom + 4, window.innerHeight - pop.offsetHeight - 8)}px`;
  pop.querySelector('button').focus();
  pop.addEventListener('keydown', (event) => {
    const items = [...pop.querySelectorAll('button')];
    const step = { ArrowDown: 1, ArrowUp: -1 }[event.key];
    if (event.key === 'Escape') { closePopover(); anchor.focus(); }
    if (step) { event.preventDefault(); items[(items.indexOf(document.activeElement) + step + items.length) % items.length].focus(); }
  });
  const outside = (event) => { if (!pop.contains(event.target)) closePopover(); };
  setTimeout(() => document.addEventListener('mousedown', outside), 0);
  close = () => { pop.remove(); document.removeEventListener('mousedown', outside); close = () => {}; };
}

/** A loop dropped on a non-table block: say why, and offer a table instead. */
export function explainLoopDrop(app, key, targetIndex) {
  const text = t('loop.onlyInTable', { label: app.index.loops.get(key)?.label || key });
  const notice = h('div', { class: 'ck-banner ck-banner-info ck-canvas-notice', role: 'alert' }, icon('loop'),
    h('span', { class: 'ck-banner-text' }, text),
    button('ck-button ck-button-small', t('loop.insertTable'), () => { notice.remove(); app.insertLoopTable(key, targetIndex + 1); }),
    iconButton('close', t('common.close'), () => notice.remove()));
  app.els.center.querySelector('.ck-canvas-notice')?.remove();
  app.els.center.append(notice);
  announce(text, true);
  setTimeout(() => notice.remove(), 9000);
}
