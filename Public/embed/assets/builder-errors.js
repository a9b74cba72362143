// Builder error handling: every API failure after startup lands in handleError, never silently.
// Soft, recoverable problems become banners above the workspace; a lost session also tells the host
// (the work stays in memory, so the host can renew and the user carries on).
import { t } from './ck-i18n.js';
import { h, modal } from './ck-dom.js';
import { ApiError, failureCode } from './ck-session.js';
import { emit } from './ck-bridge.js';
import { icon, button, iconButton } from './builder-icons.js';

/** `refreshToolbar` redraws the toolbar after a state change here (lost session, a limit reached). */
export function errorHandling(app, { refreshToolbar }) {
  const brand = () => app.brand || t('common.brand');

  function banner(id, { kind = 'warning', text, detail = null, action = null, dismissible = true }) {
    clearBanner(id);
    const el = h('div', { class: `ck-banner${kind === 'warning' ? '' : ` ck-banner-${kind}`}`, role: kind === 'danger' ? 'alert' : 'status', dataset: { banner: id } },
      icon(kind === 'info' ? 'check' : 'warning'),
      h('div', { class: 'ck-banner-text' }, text, detail ? h('ul', {}, detail.map((d) => h('li', {}, d))) : null),
      action ? button('ck-button ck-button-small', action.label, () => { el.remove(); action.fn(); }) : null,
      dismissible ? iconButton('close', t('common.close'), () => el.remove()) : null);
    app.els.banners?.append(el);
  }
  const clearBanner = (id) => app.els.banners?.querySelector(`[data-banner="${id}"]`)?.remove();
  const retryAction = (retry) => (retry ? { label: t('common.retry'), fn: retry } : null);
  const sessionLostText = () => t('common.session_lost', { brand: brand() });

  function sessionLost(code, message) {
    if (app.sessionLost) return;
    app.sessionLost = true;
    emit('error', { code, message: message || t(`error.${code}.title`), recoverable: code === 'session_expired' });
    refreshToolbar();
    banner('session', { kind: 'danger', text: sessionLostText(), dismissible: false });
    modal({ title: t('lost.title'), body: h('p', {}, sessionLostText()), buttons: [{ label: t('lost.close'), value: 'close' }, { label: t('lost.stay'), value: 'stay', primary: true }] })
      .then((value) => { if (value === 'close') emit('close.requested', { reason: code, unsavedChanges: app.dirty }); });
  }

  function limitMax(action) {
    if (action === 'publish' || action === 'rollback') return app.limits.maxPublishes;
    return action === 'upload' ? Math.round((app.limits.maxUploadsBytes || 0) / 1048576) : app.limits.maxSaveDrafts;
  }

  function handleError(error, action, retry) {
    if (error?.name === 'AbortError') return;
    const code = error instanceof ApiError ? error.code : 'editor_state_corrupted';
    const message = error?.message || code;
    if (error?.status === 401 || ['session_expired', 'session_revoked', 'session_invalid'].includes(code)) return sessionLost(failureCode(error), message);
    const recoverable = code === 'network_offline' || code === 'rate_limited';
    emit('error', { code: recoverable ? code : failureCode(error), message, recoverable, ...(recoverable ? {} : { action }) });
    if (code === 'network_offline') {
      banner('offline', { text: t('banner.offline'), action: retryAction(retry) });
      if (retry) window.addEventListener('online', () => { clearBanner('offline'); retry(); }, { once: true });
    } else if (code === 'rate_limited') {
      banner('rate', { text: t('common.rate_limited') });
      if (retry) setTimeout(() => { clearBanner('rate'); retry(); }, Math.max(2, error.retryAfter || 5) * 1000);
    } else if (code === 'limit_reached') {
      banner(`limit-${action}`, { kind: 'danger', text: t(`limit.${action}`, { max: limitMax(action) }) });
      if (action === 'publish') app.usage.publishes = app.limits.maxPublishes;
      if (action === 'save') app.usage.draftsSaved = app.limits.maxSaveDrafts;
      refreshToolbar();
    } else if (code === 'permission_denied' || code === 'wrong_mode') {
      banner(`denied-${action}`, { kind: 'danger', text: t('denied', { action: t(`action.${action}Noun`) }), detail: [message] });
    } else if (code === 'template_invalid') {
      const issues = (error.issues || []).map((i) => (typeof i === 'string' ? i : `${i.message || i.code}${i.path ? ` (${i.path})` : ''}`));
      banner('invalid', { kind: 'danger', text: t('publish.invalid'), detail: issues.length ? issues.slice(0, 6) : [message] });
    } else {
      banner(`failed-${action}`, { kind: 'danger', text: t(`failed.${action}`), detail: [message], action: retryAction(retry) });
    }
  }

  /**
   * Rarely used parts load on first use (the page budget of docs/decisions/0014-embed-page-budget.md):
   * builder-publish.js (the publish dialog), builder-versions.js (history, rollback),
   * builder-dialogs.js (custom variable, delete), builder-menus.js and, from the inspector,
   * builder-editors.js. A failed load is reported like a failed request.
   */
  async function part(load, action, retry) {
    try { return await load(); } catch { handleError(new ApiError(0, 'network_offline', t('banner.offline')), action, retry); return null; }
  }

  /** Explains why save/publish cannot run (banner + host event). */
  function blocked(action, why, max) {
    const text = t(why, { max });
    banner(`${action}-blocked`, { kind: 'danger', text });
    emit('error', { code: /limit$/.test(why) ? 'limit_reached' : 'permission_denied', message: text, recoverable: false, action });
    return false;
  }

  return { banner, clearBanner, sessionLost, sessionLostText, handleError, part, blocked };
}
