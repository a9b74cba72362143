// The version history in the inspector, and rollback. Loaded by builder.js when the history is first
// shown (sessions with viewVersionHistory on a saved template).
import { h, toast } from './ck-dom.js';
import { t, locale } from './ck-i18n.js';
import { api } from './ck-session.js';
import { normalizeLayout } from './builder-model.js';
import { button } from './builder-icons.js';
import { section } from './builder-inspector.js';
import { confirm } from './builder-more.js';

const formatDate = (iso) => {
  try { return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso)); } catch { return String(iso || ''); }
};

export function versionsSection(app) {
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
          h('span', { class: 'ck-version-date' }, formatDate(v.createdAt))),
        !current && app.perms.rollback && !app.readOnly
          ? button('ck-button ck-button-small ck-rollback-button', t('versions.rollback'), () => rollback(app, v.version), { icon: 'rollback', title: t('versions.rollbackHint', { version: v.version }) })
          : null);
    });
  }
  return section(t('versions.title'), h('ul', { class: 'ck-version-list' }, items));
}

/** Publishes an earlier version again, then loads it into the editor (the draft stays undoable). */
export async function rollback(app, version) {
  if (!(await confirm(t('rollback.title', { version }), t('rollback.body', { version }), t('rollback.confirm')))) return;
  try {
    const res = await api('POST', app.templatePath('/rollback'), { versionNumber: version });
    app.published(res, { rolledBackFrom: version });
    toast(t('rollback.done', { version, newVersion: res.version }));
    const layout = (await api('GET', app.templatePath()))?.published?.layout;
    if (Array.isArray(layout?.blocks)) app.commit(() => { app.doc = normalizeLayout(layout); app.selected = -1; });
  } catch (error) { app.handleError(error, 'rollback', () => rollback(app, version)); }
}
