// Small DOM helpers. Text always goes in through textContent (never innerHTML with user data).
import { t } from './ck-i18n.js';

/** h('button', {class: 'ck-button', onclick}, 'Save') — attributes, properties (on*, dataset), children. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'class') el.className = value;
    else if (key === 'value' || key === 'checked' || key === 'selected') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el) { while (el.firstChild) el.firstChild.remove(); return el; }

export function replace(el, ...children) { clear(el); append(el, children); return el; }

let liveRegion;
/** Announces a message to screen readers (polite, or assertive for errors). */
export function announce(message, assertive = false) {
  if (!liveRegion) {
    liveRegion = h('div', { class: 'ck-visually-hidden', 'aria-live': 'polite', role: 'status' });
    document.body.append(liveRegion);
  }
  liveRegion.setAttribute('aria-live', assertive ? 'assertive' : 'polite');
  liveRegion.textContent = '';
  setTimeout(() => { liveRegion.textContent = message; }, 30);
}

let toastBox;
export function toast(message, { danger = false, timeout = 3500 } = {}) {
  if (!toastBox) { toastBox = h('div', { class: 'ck-toasts' }); document.body.append(toastBox); }
  const el = h('div', { class: danger ? 'ck-toast ck-toast-danger' : 'ck-toast', role: danger ? 'alert' : 'status' }, message);
  toastBox.append(el);
  setTimeout(() => el.remove(), timeout);
}

/**
 * A modal dialog with focus kept inside; resolves with the value of the button pressed (or null on
 * Escape). buttons: [{label, value, primary, danger}].
 */
export function modal({ title, body, buttons }) {
  return new Promise((resolve) => {
    const previous = document.activeElement;
    const titleId = `ck-modal-${Math.random().toString(36).slice(2)}`;
    const close = (value) => { backdrop.remove(); previous?.focus?.(); resolve(value); };
    const actions = buttons.map((b) => h('button', {
      class: `ck-button${b.primary ? ' ck-button-primary' : ''}${b.danger ? ' ck-button-danger' : ''}`,
      type: 'button', onclick: () => close(b.value),
    }, b.label));
    const dialog = h('div', { class: 'ck-modal', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': titleId },
      h('h2', { id: titleId }, title), body, h('div', { class: 'ck-modal-actions' }, actions));
    const backdrop = h('div', { class: 'ck-modal-backdrop' }, dialog);
    backdrop.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') { event.preventDefault(); close(null); }
      if (event.key === 'Tab') {
        const focusable = [...dialog.querySelectorAll('button, input, select, textarea, [tabindex]:not([tabindex="-1"])')];
        const first = focusable[0], last = focusable[focusable.length - 1];
        if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
        else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
      }
    });
    document.body.append(backdrop);
    (actions.find((_, i) => buttons[i].primary) || actions[actions.length - 1])?.focus();
  });
}

const terminalCodes = ['session_expired', 'session_revoked', 'session_invalid', 'origin_not_allowed', 'network_offline'];

/** Replaces the page with the designed error state for a terminal failure. */
export function errorState(code, { brand, onRetry } = {}) {
  const key = terminalCodes.includes(code) ? code : 'generic';
  const params = { brand: brand || t('common.brand') };
  const card = h('div', { class: 'ck-error-card', role: 'alert' },
    h('div', { class: 'ck-error-icon', 'aria-hidden': 'true' }, '!'),
    h('h1', {}, t(`error.${key}.title`, params)),
    h('p', {}, t(`error.${key}.body`, params)),
    onRetry ? h('button', { class: 'ck-button ck-button-primary', type: 'button', onclick: onRetry }, t('error.retry')) : null,
    h('div', { class: 'ck-error-code' }, code));
  const root = h('main', { class: 'ck-root ck-error', dataset: { code } }, card);
  document.body.replaceChildren(root);
  return root;
}

/** Debounce: run fn after `wait` ms of quiet. */
export function debounce(fn, wait) {
  let timer;
  const debounced = (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), wait); };
  debounced.cancel = () => clearTimeout(timer);
  return debounced;
}
