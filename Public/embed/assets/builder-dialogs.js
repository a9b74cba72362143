// Rarely used dialogs: a new custom variable, and deleting the template. Loaded on first use.
import { h, modal, toast } from './ck-dom.js';
import { t } from './ck-i18n.js';
import { api } from './ck-session.js';
import * as bridge from './ck-bridge.js';
import { typeName } from './builder-strings.js';
import { icon, button } from './builder-icons.js';
import { confirm } from './builder-more.js';

const CUSTOM_TYPES = ['text', 'longtext', 'number', 'currency', 'date', 'boolean', 'email', 'url', 'image'];

/** Asks for a custom variable until it is valid and new; resolves {key, label, type} or null. */
export async function askCustomVariable(app) {
  let values = { key: '', label: '', type: 'text' };
  for (;;) {
    const keyInput = h('input', { class: 'ck-input', id: 'ck-custom-key', value: values.key, placeholder: 'customer.vatId', autocomplete: 'off', spellcheck: 'false' });
    const labelInput = h('input', { class: 'ck-input', id: 'ck-custom-label', value: values.label, placeholder: t('custom.labelPlaceholder') });
    const typeSelect = h('select', { class: 'ck-select', id: 'ck-custom-type' }, CUSTOM_TYPES.map((v) => h('option', { value: v, selected: v === values.type }, typeName(v))));
    const row = (id, control, help) => h('div', { class: 'ck-field' }, h('label', { class: 'ck-field-label', for: `ck-custom-${id}` }, t(`custom.${id}`)), control, help);
    // The key follows the label (camelCase) until the user edits it.
    labelInput.addEventListener('input', () => {
      if (!keyInput.dataset.touched) keyInput.value = labelInput.value.trim().toLowerCase().replace(/[^a-z0-9]+(.)?/g, (_, c) => (c ? c.toUpperCase() : '')).replace(/^[^a-z_]+/, '');
    });
    keyInput.addEventListener('input', () => { keyInput.dataset.touched = '1'; });
    const pending = modal({
      title: t('custom.title'),
      body: h('div', { class: 'ck-form-grid' }, row('label', labelInput), row('key', keyInput, h('div', { class: 'ck-help' }, t('custom.keyHelp'))), row('type', typeSelect)),
      buttons: [{ label: t('common.cancel'), value: false }, { label: t('custom.add'), value: true, primary: true }],
    });
    labelInput.focus();
    if (!(await pending)) return null;
    values = { key: keyInput.value.trim(), label: labelInput.value.trim(), type: typeSelect.value };
    if (!/^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/.test(values.key)) toast(t('custom.invalidKey'), { danger: true });
    else if (app.index.variables.has(values.key) || app.index.loops.has(values.key.split('.')[0])) toast(t('custom.exists', { key: values.key }), { danger: true });
    else return values;
  }
}

/** Deletes the template after confirmation and replaces the page with a closing note. */
export async function deleteTemplate(app) {
  if (!(await confirm(t('delete.title'), t('delete.body', { name: app.name }), t('delete.confirm'), true))) return;
  try {
    await api('DELETE', app.templatePath());
    bridge.emit('template.deleted', { templateId: app.templateId });
    app.readOnly = true; // stops autosave
    document.body.replaceChildren(h('main', { class: 'ck-root ck-error' }, h('div', { class: 'ck-error-card', role: 'status' },
      h('div', { class: 'ck-error-icon', 'aria-hidden': 'true' }, icon('trash', 22)),
      h('h1', {}, t('delete.doneTitle')), h('p', {}, t('delete.doneBody')),
      button('ck-button ck-button-primary', t('common.close'), () => bridge.emit('close.requested', { reason: 'deleted' })))));
  } catch (error) { app.handleError(error, 'delete'); }
}
