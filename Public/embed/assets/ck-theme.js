// Appearance: the session's `appearance` (or legacy `branding`) applied through --ck-* custom
// properties before the page shows, and again when the host sends a runtime update.
import { setLocale } from './ck-i18n.js';

// appearance.variables names (the reference's camelCase tokens) → our custom properties.
const variableNames = {
  colorPrimary: '--ck-primary', colorPrimaryForeground: '--ck-primary-foreground', colorBackground: '--ck-background',
  colorSurface: '--ck-surface', colorForeground: '--ck-foreground', colorText: '--ck-foreground', colorMuted: '--ck-muted',
  colorBorder: '--ck-border', colorDanger: '--ck-danger', colorSuccess: '--ck-success', colorWarning: '--ck-warning',
  colorChip: '--ck-chip', borderRadius: '--ck-radius', fontFamily: '--ck-font-family', fontSize: '--ck-font-size',
  spacingUnit: '--ck-space', controlHeight: '--ck-control-height',
};

const safeValue = (value) => typeof value === 'string' || typeof value === 'number' ? String(value).replace(/[;{}<>]/g, '') : null;

function httpURL(value) {
  try { const url = new URL(value); return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null; } catch { return null; }
}

function addStylesheet(href, id) {
  const url = httpURL(href);
  if (!url || document.getElementById(id)) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet'; link.href = url; link.id = id;
  document.head.append(link);
}

let rulesSheet;

/**
 * Applies {appearance, branding} (appearance wins) and returns {locale, logoUrl, brandName}.
 * `overrides` is a later channel (SDK mount option or runtime update) stacked on top.
 */
export function applyAppearance(session, overrides = null) {
  const branding = session?.branding || {};
  const appearance = Object.assign({}, session?.appearance || {}, overrides || {});
  const root = document.documentElement;
  const primary = appearance.variables?.colorPrimary || branding.primaryColor;
  if (primary) root.style.setProperty('--ck-primary', safeValue(primary));
  for (const [name, value] of Object.entries(appearance.variables || {})) {
    const property = name.startsWith('--ck-') ? name : variableNames[name];
    const clean = safeValue(value);
    if (property && clean) root.style.setProperty(property, clean);
  }
  const theme = appearance.baseTheme === 'auto'
    ? (window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light') : appearance.baseTheme;
  root.classList.toggle('ck-theme-dark', theme === 'dark');
  root.classList.toggle('ck-density-compact', appearance.layout?.density === 'compact');
  const fontUrl = appearance.fontUrl || branding.fontUrl;
  if (fontUrl) addStylesheet(fontUrl, 'ck-font');
  if (appearance.stylesheetUrl) addStylesheet(appearance.stylesheetUrl, 'ck-partner-stylesheet');
  if (appearance.rules && typeof appearance.rules === 'object') {
    // Selector → camelCase style object, through CSSOM (no inline <style>, allowed by the CSP).
    rulesSheet ??= new CSSStyleSheet();
    const text = Object.entries(appearance.rules).map(([selector, style]) => {
      if (typeof selector !== 'string' || /[{}<]/.test(selector) || typeof style !== 'object') return '';
      const body = Object.entries(style).map(([k, v]) => {
        const value = safeValue(v);
        return value ? `${k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}: ${value};` : '';
      }).join(' ');
      return `${selector} { ${body} }`;
    }).join('\n');
    try { rulesSheet.replaceSync(text); } catch { /* an invalid selector leaves the defaults */ }
    if (!document.adoptedStyleSheets.includes(rulesSheet)) document.adoptedStyleSheets = [...document.adoptedStyleSheets, rulesSheet];
  }
  const locale = setLocale(appearance.layout?.locale || appearance.locale || branding.locale || navigator.language);
  return { locale, logoUrl: httpURL(appearance.logoUrl || branding.logoUrl || ''), brandName: session?.tenant?.displayName || null };
}
