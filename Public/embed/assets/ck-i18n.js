// String tables: one per locale, registered by each page (no text in the markup).
// t('key', {name}) looks the key up in the active locale, then English, then returns the key.
const tables = { en: {}, de: {} };
let active = 'en';

export function register(strings) {
  for (const [locale, entries] of Object.entries(strings)) {
    tables[locale] = Object.assign(tables[locale] || {}, entries);
  }
}

/** Picks the best supported locale for a BCP 47 tag ("de-AT" → "de"); English otherwise. */
export function setLocale(tag) {
  const base = String(tag || '').toLowerCase().split(/[-_]/)[0];
  active = tables[base] && Object.keys(tables[base]).length ? base : 'en';
  document.documentElement.lang = active;
  return active;
}

export function locale() { return active; }

export function t(key, params = {}) {
  const text = tables[active]?.[key] ?? tables.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in params ? String(params[name]) : `{${name}}`));
}

/** Fills every element carrying data-i18n (text) or data-i18n-label (aria-label) under root. */
export function translate(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.setAttribute('placeholder', t(el.dataset.i18nPlaceholder));
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.setAttribute('title', t(el.dataset.i18nTitle));
}

register({
  en: {
    'error.session_expired.title': 'This session has expired',
    'error.session_expired.body': 'For your security, editing sessions end after a while. Close this window and open it again to continue.',
    'error.session_revoked.title': 'This session was ended',
    'error.session_revoked.body': 'Access to this page was withdrawn. Close this window and open it again from {brand}.',
    'error.session_invalid.title': 'This link is not valid',
    'error.session_invalid.body': 'The page could not verify its access. Open it again from {brand}.',
    'error.origin_not_allowed.title': 'This page cannot be shown here',
    'error.origin_not_allowed.body': 'The site embedding this page is not allowed to use it.',
    'error.network_offline.title': 'You appear to be offline',
    'error.network_offline.body': 'Check your connection and try again.',
    'error.generic.title': 'Something went wrong',
    'error.generic.body': 'The page could not load. Please try again.',
    'error.retry': 'Try again',
    'error.close': 'Close',
    'common.brand': 'the application',
    'common.cancel': 'Cancel',
    'common.close': 'Close',
    'common.loading': 'Loading…',
    'common.retry': 'Retry',
    'common.offline': 'Connection lost. Your work is kept here; retrying…',
    'common.session_expiring': 'Your session is about to end. Reconnecting…',
    'common.session_lost': 'Your session ended. Your changes are kept on this page — ask {brand} to reopen it to save them.',
    'common.rate_limited': 'Too many requests. Retrying in a moment…',
  },
  de: {
    'error.session_expired.title': 'Diese Sitzung ist abgelaufen',
    'error.session_expired.body': 'Zu Ihrer Sicherheit enden Bearbeitungssitzungen nach einer Weile. Schließen Sie dieses Fenster und öffnen Sie es erneut.',
    'error.session_revoked.title': 'Diese Sitzung wurde beendet',
    'error.session_revoked.body': 'Der Zugriff auf diese Seite wurde entzogen. Schließen Sie das Fenster und öffnen Sie es erneut über {brand}.',
    'error.session_invalid.title': 'Dieser Link ist ungültig',
    'error.session_invalid.body': 'Die Seite konnte ihren Zugriff nicht prüfen. Öffnen Sie sie erneut über {brand}.',
    'error.origin_not_allowed.title': 'Diese Seite kann hier nicht angezeigt werden',
    'error.origin_not_allowed.body': 'Die einbettende Website darf diese Seite nicht verwenden.',
    'error.network_offline.title': 'Sie scheinen offline zu sein',
    'error.network_offline.body': 'Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.',
    'error.generic.title': 'Etwas ist schiefgelaufen',
    'error.generic.body': 'Die Seite konnte nicht geladen werden. Bitte versuchen Sie es erneut.',
    'error.retry': 'Erneut versuchen',
    'error.close': 'Schließen',
    'common.brand': 'der Anwendung',
    'common.cancel': 'Abbrechen',
    'common.close': 'Schließen',
    'common.loading': 'Wird geladen …',
    'common.retry': 'Wiederholen',
    'common.offline': 'Verbindung unterbrochen. Ihre Arbeit bleibt erhalten; neuer Versuch läuft …',
    'common.session_expiring': 'Ihre Sitzung endet gleich. Verbindung wird erneuert …',
    'common.session_lost': 'Ihre Sitzung ist beendet. Ihre Änderungen bleiben auf dieser Seite – bitten Sie {brand}, sie erneut zu öffnen.',
    'common.rate_limited': 'Zu viele Anfragen. Gleich neuer Versuch …',
  },
});
