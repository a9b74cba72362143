// The publish confirmation: what changed in the manifest since the last version, before the user
// confirms (docs/decisions/0014-embed-page-budget.md). Loaded on the first publish.
import { h, modal } from './ck-dom.js';
import { t } from './ck-i18n.js';
import { typeName } from './builder-strings.js';
import { icon } from './builder-icons.js';
import './builder-more.js';

/** Added / removed / changed variables and loop fields between two manifests. */
export function diffManifests(before, after) {
  const flatten = (manifest) => {
    const map = new Map((manifest?.variables || []).map((v) => [v.key, v]));
    for (const loop of manifest?.loops || []) {
      map.set(`${loop.key}[]`, { key: `${loop.key}[]`, label: loop.label, dataType: 'list' });
      for (const f of loop.itemFields || []) map.set(`${loop.key}[].${f.key}`, { ...f, key: `${loop.key}[].${f.key}` });
    }
    return map;
  };
  const a = flatten(before);
  const b = flatten(after);
  const diff = { added: [], removed: [...a.values()].filter((v) => !b.has(v.key)), changed: [] };
  for (const [key, v] of b) {
    const old = a.get(key);
    if (!old) diff.added.push(v);
    else if ((old.dataType || 'text') !== (v.dataType || 'text') || (old.label || '') !== (v.label || '') || !!old.required !== !!v.required) {
      diff.changed.push({ before: old, after: v });
    }
  }
  return diff;
}

function diffList(kind, items, describe) {
  if (!items.length) return null;
  return h('div', { class: `ck-diff-group ck-diff-${kind}` },
    h('h3', {}, t(`diff.${kind}`), h('span', { class: 'ck-badge' }, String(items.length))),
    h('ul', {}, items.map((item) => h('li', {}, h('span', { class: 'ck-diff-mark', 'aria-hidden': 'true' }, { added: '+', removed: '−', changed: '~' }[kind]), describe(item)))));
}

/** Resolves true when the user confirms publishing `manifest`; `left` is the publishes left now. */
export function confirmPublish(app, manifest, left) {
  const diff = diffManifests(app.publishedManifest, manifest);
  const name = (v) => [h('strong', {}, v.label || v.key), ' ', h('code', {}, v.key), ' '];
  const describe = (v) => h('span', {}, name(v), h('span', { class: 'ck-diff-type' }, typeName(v.dataType)), v.required ? h('span', { class: 'ck-diff-type' }, t('diff.required')) : null);
  const describeChange = ({ before, after }) => {
    const notes = [];
    if ((before.dataType || 'text') !== (after.dataType || 'text')) notes.push(t('diff.typeChanged', { from: typeName(before.dataType), to: typeName(after.dataType) }));
    if ((before.label || '') !== (after.label || '')) notes.push(t('diff.labelChanged', { from: before.label || '–', to: after.label || '–' }));
    if (!!before.required !== !!after.required) notes.push(t(after.required ? 'diff.nowRequired' : 'diff.nowOptional'));
    return h('span', {}, name(after), h('span', { class: 'ck-diff-note' }, notes.join(' · ')));
  };
  const none = !diff.added.length && !diff.removed.length && !diff.changed.length;
  const body = h('div', { class: 'ck-publish-diff' },
    h('p', { class: 'ck-help' }, app.currentVersion ? t('publish.intro', { version: app.currentVersion + 1, current: app.currentVersion }) : t('publish.introFirst')),
    none ? h('p', { class: 'ck-diff-none' }, icon('check'), t('publish.noChanges')) : null,
    diffList('added', diff.added, describe),
    diffList('removed', diff.removed, describe),
    diffList('changed', diff.changed, describeChange),
    diff.removed.length ? h('p', { class: 'ck-help' }, t('publish.removedWarning')) : null,
    Number.isFinite(left) ? h('p', { class: 'ck-help' }, t('publish.quotaAfter', { left: left - 1, max: app.limits.maxPublishes })) : null);
  const result = modal({ title: t('publish.title'), body, buttons: [{ label: t('common.cancel'), value: false }, { label: t('publish.confirm'), value: true, primary: true }] });
  body.closest('.ck-modal')?.querySelector('.ck-button-primary')?.classList.add('ck-confirm-publish');
  return result;
}
