// The Craftkit console (docs/console.md): sign-in, then the partner view of one project or the
// operator view of the deployment, on the public and admin APIs with the session cookie.
import { t, setLocale, locale, locales } from './console-strings.js';
import {
  h, api, setCSRF, whenSessionEnds, errorText, formatDate, formatNumber, formatPercent, formatMillis, formatBytes,
  copyButton, idCell, badge, table, emptyState, message, dialog, formDialog, secretDialog, confirmDialog, field,
} from './console-ui.js';
import { rendersChart, timeChart, failuresChart, sparkline, rateBar } from './console-charts.js';

const app = document.getElementById('ck-app');
let session = null;
let ended = false;

const partnerNav = [['overview', 'nav.overview'], ['templates', 'nav.templates'], ['renders', 'nav.renders'], ['keys', 'nav.keys'], ['webhooks', 'nav.webhooks'], ['catalogs', 'nav.catalogs'], ['embed', 'nav.embed']];
const operatorNav = [['orgs', 'nav.orgs'], ['queue', 'nav.queue'], ['health', 'nav.health']];

// ---- Routing: #/view/param?query (filters stay in the URL) ---------------------------------------

function route() {
  const [path, query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const [view = '', ...rest] = path.split('/').map(decodeURIComponent);
  return { view, param: rest.join('/') || null, query: new URLSearchParams(query) };
}

function go(view, param, query) {
  const q = query && [...query].length ? `?${query}` : '';
  const hash = `#/${view}${param ? `/${encodeURIComponent(param)}` : ''}${q}`;
  if (location.hash === hash) render(); else location.hash = hash;
}

window.addEventListener('hashchange', () => render());

// ---- Language -------------------------------------------------------------------------------------

function languagePicker() {
  const select = h('select.ck-select', { 'aria-label': t('language'), id: 'ck-language' },
    locales.map((code) => h('option', { value: code, selected: code === locale() }, code === 'de' ? 'Deutsch' : 'English')));
  select.addEventListener('change', () => {
    setLocale(select.value);
    try { localStorage.setItem('ck-console-locale', select.value); } catch { /* private mode */ }
    render();
  });
  return select;
}

// ---- Sign-in ----------------------------------------------------------------------------------------

function signInPage(notice) {
  const input = h('input.ck-input', { type: 'password', name: 'key', autocomplete: 'off', spellcheck: 'false', required: true, id: 'ck-key' });
  const status = h('div.ck-signin-status', { 'aria-live': 'polite' }, notice ? message(notice, 'info') : null);
  const submit = h('button.ck-button.ck-button-primary', { type: 'submit' }, t('signin.submit'));
  const form = h('form.ck-signin-form', { novalidate: true },
    field(t('signin.key'), input), submit, status, h('p.ck-hint', {}, t('signin.note')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (!key) { input.focus(); return; }
    submit.disabled = true;
    submit.textContent = t('signin.busy');
    status.replaceChildren();
    try {
      const result = await api('POST', '/console/session', { key }, { quiet401: true });
      input.value = '';
      startSession(result);
      go(result.principal.kind === 'operator' ? 'orgs' : 'overview');
    } catch (error) {
      status.append(message(error.status === 429 ? t('signin.limited') : error.status === 401 ? t('signin.failed') : errorText(error)));
      submit.disabled = false;
      submit.textContent = t('signin.submit');
      input.focus();
    }
  });
  app.replaceChildren(h('main.ck-signin', { id: 'ck-main' },
    h('div.ck-signin-card', {},
      h('div.ck-signin-top', {}, h('span.ck-brand', {}, 'Craftkit'), languagePicker()),
      h('h1', {}, t('signin.title')), h('p.ck-lead', {}, t('signin.lead')), form)));
  app.removeAttribute('aria-busy');
  input.focus();
}

function startSession(result) {
  session = result;
  ended = false;
  setCSRF(result.csrfToken);
}

whenSessionEnds(() => {
  if (ended) return;
  ended = true;
  session = null;
  setCSRF(null);
  signInPage(t('signin.ended'));
});

async function signOut() {
  try { await api('DELETE', '/console/session'); } catch { /* the cookie is cleared either way */ }
  session = null;
  setCSRF(null);
  history.replaceState(null, '', location.pathname);
  signInPage();
}

// ---- Shell --------------------------------------------------------------------------------------------

function shell(active, content) {
  const operator = session.principal.kind === 'operator';
  const nav = h('nav.ck-nav', { 'aria-label': t('nav.label') },
    h('ul', {}, (operator ? operatorNav : partnerNav).map(([view, key]) =>
      h('li', {}, h('a', { href: `#/${view}`, 'aria-current': view === active ? 'page' : null, 'data-nav': view }, t(key))))));
  const who = operator
    ? t('principal.operator')
    : (session.org ? `${session.org.name} · ` : '') + t('principal.project', { id: session.principal.projectId.slice(-8) })
      + (session.principal.environment === 'test' ? ` · ${t('env.test')}` : '');
  const header = h('header.ck-topbar', {},
    h('span.ck-brand', {}, 'Craftkit'), h('span.ck-principal', { 'data-principal': session.principal.kind }, who),
    h('span.ck-spacer'), languagePicker(), h('button.ck-button', { type: 'button', onclick: signOut, id: 'ck-signout' }, t('signout')));
  const main = h('main.ck-main', { id: 'ck-main', tabindex: '-1' }, content);
  app.replaceChildren(h('a.ck-skip', { href: '#ck-main', onclick: (e) => { e.preventDefault(); main.focus(); } }, t('skip')), header, h('div.ck-layout', {}, nav, main));
  app.removeAttribute('aria-busy');
  return main;
}

function page(title, actions, ...body) {
  return [h('div.ck-page-head', {}, h('h1', {}, title), h('div.ck-page-actions', {}, actions || [])), ...body];
}

async function render() {
  if (!session) return;
  if (session.principal.kind === 'project' && session.org === undefined) {
    session.org = null;
    try { session.org = await api('GET', '/v1/project'); } catch (error) { if (error.status === 401) return; }
  }
  const { view, param, query } = route();
  const operator = session.principal.kind === 'operator';
  const views = operator ? { orgs: orgsView, queue: queueView, health: healthView } : {
    overview: overviewView, templates: templatesView, renders: rendersView, keys: keysView, webhooks: webhooksView, catalogs: catalogsView, embed: embedView,
  };
  const fallback = operator ? 'orgs' : 'overview';
  const handler = views[view];
  if (!handler) { go(fallback); return; }
  const main = shell(view, h('p.ck-loading', { role: 'status' }, t('loading')));
  try {
    const content = await handler(param, query);
    if (session && route().view === view) main.replaceChildren(...[content].flat());
  } catch (error) {
    if (error.status === 401) return;
    main.replaceChildren(message(errorText(error)), h('button.ck-button', { type: 'button', onclick: () => render() }, t('retry')));
  }
}

// ---- Partner: overview -----------------------------------------------------------------------------------

function windowPicker(current, onPick) {
  return h('div.ck-segmented', { role: 'group', 'aria-label': t('window.label') }, ['24h', '30d'].map((w) =>
    h('button.ck-button', { type: 'button', 'aria-pressed': String(w === current), onclick: () => onPick(w) }, t(`window.${w}`))));
}

function statCard(label, value, spark) {
  return h('div.ck-stat', {}, h('span.ck-stat-label', {}, label), h('span.ck-stat-value', {}, value), spark || null);
}

async function overviewView(_, query) {
  const window = query.get('window') === '30d' ? '30d' : '24h';
  const [stats, hooks, day] = await Promise.all([
    api('GET', `/v1/stats/renders?window=${window}`), api('GET', `/v1/stats/webhooks?window=${window}`),
    window === '24h' ? null : api('GET', '/v1/stats/renders?window=24h'),
  ]);
  const hourly = (day || stats).buckets;
  const cards = h('div.ck-stats', {},
    statCard(t('overview.renders'), formatNumber(stats.totals.renders), sparkline(hourly.map((b) => b.renders), t('overview.renders'))),
    statCard(t('overview.failureRate'), formatPercent(stats.totals.failureRate), sparkline(hourly.map((b) => (b.renders ? b.failed / b.renders : 0)), t('overview.failureRate'))),
    statCard(t('overview.p95'), formatMillis(stats.totals.p95Ms), sparkline(hourly.map((b) => b.p95Ms || 0), t('overview.p95'))),
    statCard(t('overview.webhooks'), formatPercent(hooks.successRate), rateBar(hooks.successRate, t('overview.webhooks'))));
  const picker = windowPicker(window, (w) => go('overview', null, new URLSearchParams({ window: w })));
  if (stats.totals.renders === 0) {
    return page(t('overview.title'), picker, cards, emptyState(t('overview.empty'),
      h('button.ck-button.ck-button-primary', { type: 'button', onclick: () => go('templates') }, t('overview.emptyAction'))));
  }
  return page(t('overview.title'), picker, cards,
    h('div.ck-charts', {}, rendersChart(stats), timeChart(stats), failuresChart(stats)));
}

// ---- Partner: templates -----------------------------------------------------------------------------------

const starterManifest = {
  variables: [
    { key: 'customer.name', label: 'Customer name', dataType: 'text', required: true },
    { key: 'invoice.total', label: 'Amount', dataType: 'currency', format: 'money:EUR' },
  ],
  loops: [],
};

function setPath(target, path, value) {
  const keys = path.split('.');
  let node = target;
  keys.slice(0, -1).forEach((key) => { node = node[key] = node[key] && typeof node[key] === 'object' ? node[key] : {}; });
  node[keys[keys.length - 1]] = value;
}

function sampleValue(variable, index = 1) {
  switch (variable.dataType) {
    case 'text': return index === 1 ? variable.label : `${variable.label} ${index}`;
    case 'longtext': return `${variable.label}: a longer sample text.`;
    case 'number': return index * 3;
    case 'currency': return 1234.5 * index;
    case 'date': return new Date().toISOString().slice(0, 10);
    case 'datetime': return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    case 'boolean': return index % 2 === 1;
    case 'url': return 'https://example.com';
    case 'email': return 'someone@example.com';
    default: return undefined;
  }
}

/** Plausible data for a manifest (each variable by its type, two rows per loop). */
export function sampleData(manifest) {
  const data = {};
  for (const variable of manifest?.variables || []) {
    const value = sampleValue(variable);
    if (value !== undefined) setPath(data, variable.key, value);
  }
  for (const loop of manifest?.loops || []) {
    const rows = loop.previewData?.length ? loop.previewData : [1, 2].map((index) => {
      const row = {};
      for (const f of loop.itemFields || []) { const v = sampleValue(f, index); if (v !== undefined) setPath(row, f.key, v); }
      return row;
    });
    setPath(data, loop.key, rows);
  }
  return data;
}

async function openInBuilder(slug, status, mode = 'edit') {
  // Opened synchronously so the browser allows the tab, then pointed at the minted session.
  const tab = window.open('', '_blank');
  try {
    const minted = await api('POST', '/v1/embed/sessions', {
      tenant: { externalId: 'console', displayName: 'Console' },
      actor: { externalId: `console-${session.principal.keyId}`, displayName: 'Console' },
      scope: { mode, templateExternalId: slug },
      ...(mode === 'edit' ? { permissions: { rename: true, rollback: true } } : {}),
    });
    if (tab) {
      tab.opener = null;
      tab.location.href = minted.iframe_url;
      status.replaceChildren(message(t(mode === 'edit' ? 'templates.builderOpened' : 'templates.formOpened'), 'info'));
    } else {
      status.replaceChildren(message(t('templates.builderBlocked'), 'info'), h('a', { href: minted.iframe_url, target: '_blank', rel: 'noopener noreferrer', 'data-builder-link': '' }, t('templates.openBuilder')));
    }
  } catch (error) {
    tab?.close();
    status.replaceChildren(message(errorText(error)));
  }
}

async function waitForRender(id, onStatus) {
  for (let attempt = 0; attempt < 240; attempt += 1) {
    const current = await api('GET', `/v1/renders/${id}`);
    onStatus(current.status);
    if (['succeeded', 'failed', 'cancelled'].includes(current.status)) return current;
    await new Promise((resolve) => setTimeout(resolve, attempt < 10 ? 250 : 1000));
  }
  throw new Error('timeout');
}

/** The PDF of a render in an embedded viewer, plus a download link. */
async function pdfPreview(render) {
  const response = await api('GET', `/v1/renders/${render.id}/download`, undefined, { raw: true });
  const blob = await response.blob();
  const url = URL.createObjectURL(new Blob([blob], { type: 'application/pdf' }));
  return h('div.ck-pdf', {},
    h('iframe.ck-pdf-frame', { src: url, title: t('renders.preview'), 'data-pdf-preview': '' }),
    h('a.ck-button', { href: url, download: `${render.id}.pdf`, 'data-download': '' }, t('renders.download')));
}

async function tryRender(template, out) {
  const data = sampleData(template.manifest);
  out.replaceChildren(h('p.ck-status', { role: 'status' }, t('templates.rendering', { status: '' })));
  try {
    const queued = await api('POST', `/v1/templates/${encodeURIComponent(template.slug)}/render`, { data });
    const done = await waitForRender(queued.id, (status) => {
      out.firstChild.textContent = t('templates.rendering', { status: t(`status.${status}`) });
    });
    if (done.status !== 'succeeded') {
      out.replaceChildren(message(t('templates.renderFailed', { message: done.errorMessage || done.status })));
      return;
    }
    out.replaceChildren(h('p.ck-status', { role: 'status', 'data-render-done': done.id }, t('templates.renderDone', { ms: done.durationMs ?? '?' }),
      ' ', h('a', { href: `#/renders/${done.id}` }, done.id.slice(-8))), await pdfPreview(done));
  } catch (error) {
    if (error.status !== 401) out.replaceChildren(message(errorText(error)));
  }
}

/** The template's inbound trigger: its state, create/replace (URL and secret shown once), remove. */
function inboundPanel(template) {
  // A <details> that asks for the trigger when opened (most templates have none: that answer is a 404).
  const section = h('div.ck-subsection-body');
  const box = h('details.ck-details.ck-subsection', { 'data-inbound': template.slug }, h('summary', {}, t('inbound.title')), section);
  box.addEventListener('toggle', () => { if (box.open && !section.childElementCount) draw().catch((error) => section.replaceChildren(message(errorText(error)))); }, { once: false });
  const path = `/v1/templates/${encodeURIComponent(template.slug)}/inbound`;
  const draw = async () => {
    let trigger = null;
    try { trigger = await api('GET', path); } catch (error) { if (error.status !== 404) throw error; }
    const enforce = h('input', { type: 'checkbox', id: `ck-enforce-${template.slug}` });
    const status = h('div', { 'aria-live': 'polite' });
    const create = h('button.ck-button', { type: 'button', 'data-action': 'create-trigger', onclick: async () => {
      try {
        const created = await api('POST', path, { enforceSignature: enforce.checked });
        await dialog(t('inbound.secretTitle'), h('div.ck-secret', {}, h('p.ck-secret-note', {}, t('inbound.secretNote')),
          h('p', {}, t('inbound.url')), h('div.ck-secret-value', {}, h('code', { 'data-secret': 'url' }, created.url), copyButton(created.url, t('copy'))),
          h('p', {}, t('inbound.secret')), h('div.ck-secret-value', {}, h('code', { 'data-secret': 'secret' }, created.secret), copyButton(created.secret, t('copy')))));
        await draw();
      } catch (error) { status.replaceChildren(message(errorText(error))); }
    } }, t(trigger ? 'inbound.replace' : 'inbound.create'));
    const remove = trigger ? h('button.ck-button.ck-button-danger', { type: 'button', onclick: async () => {
      try { await api('DELETE', path); await draw(); } catch (error) { status.replaceChildren(message(errorText(error))); }
    } }, t('inbound.delete')) : null;
    section.replaceChildren(
      trigger
        ? h('p', {}, t('inbound.active', { date: formatDate(trigger.createdAt), prefix: trigger.tokenPrefix || '', signed: trigger.enforceSignature ? t('inbound.signed') : '' }))
        : h('p.ck-hint', {}, t('inbound.none')),
      h('label.ck-check', { for: enforce.id }, enforce, t('inbound.enforce')),
      h('div.ck-actions', {}, create, remove), status);
  };
  return box;
}

async function templateDetail(slug) {
  const template = await api('GET', `/v1/templates/${encodeURIComponent(slug)}`);
  const status = h('div.ck-inline-status', { 'aria-live': 'polite' });
  const renderOut = h('div.ck-render-out', { 'aria-live': 'polite' });
  const variables = template.manifest?.variables || [];
  const loops = template.manifest?.loops || [];
  return h('section.ck-panel', { 'aria-label': template.name, 'data-template': template.slug },
    h('div.ck-panel-head', {}, h('h2', {}, template.name), h('a.ck-button', { href: '#/templates', 'aria-label': t('close') }, '×')),
    h('dl.ck-facts', {},
      h('dt', {}, t('templates.slug')), h('dd', {}, h('code', {}, template.slug), copyButton(template.slug)),
      h('dt', {}, 'ID'), h('dd', {}, idCell(template.id, false)),
      h('dt', {}, t('templates.version')), h('dd', {}, template.currentVersionNumber ? `v${template.currentVersionNumber}` : t('templates.draft')),
      h('dt', {}, t('templates.updated')), h('dd', {}, formatDate(template.updatedAt))),
    h('div.ck-actions', {},
      h('button.ck-button.ck-button-primary', { type: 'button', 'data-action': 'builder', onclick: () => openInBuilder(template.slug, status) }, t('templates.openBuilder')),
      template.published ? h('button.ck-button', { type: 'button', 'data-action': 'try-render', onclick: () => tryRender(template, renderOut) }, t('templates.tryRender')) : null,
      template.published ? h('button.ck-button', { type: 'button', 'data-action': 'form', onclick: () => openInBuilder(template.slug, status, 'fill') }, t('templates.openForm')) : null),
    status, renderOut,
    h('h3', {}, t('templates.variables')),
    variables.length || loops.length
      ? h('ul.ck-vars', {},
        variables.map((v) => h('li', {}, h('code', {}, v.key), ` ${v.label} · ${v.dataType}${v.required ? ' *' : ''}`)),
        loops.map((l) => h('li', {}, h('code', {}, `${l.key}[]`), ` ${l.label} · ${(l.itemFields || []).map((f) => f.key).join(', ')}`)))
      : h('p.ck-hint', {}, t('templates.noVariables')),
    inboundPanel(template),
    template.jsonSchema ? h('details.ck-details', {}, h('summary', {}, t('templates.schema')), h('pre.ck-code', {}, JSON.stringify(template.jsonSchema, null, 2))) : null,
    h('details.ck-details', {}, h('summary', {}, t('templates.sampleData')), h('pre.ck-code', {}, JSON.stringify(sampleData(template.manifest), null, 2))));
}

async function templatesView(slug) {
  const { templates } = await api('GET', '/v1/templates');
  const create = h('button.ck-button.ck-button-primary', { type: 'button', 'data-action': 'new-template', onclick: async () => {
    const created = await formDialog(t('templates.createTitle'), t('templates.create'),
      () => [field(t('templates.createName'), h('input.ck-input', { name: 'name', required: true, maxlength: 200 }))],
      (form) => api('POST', '/v1/templates', { name: form.elements.name.value.trim() || 'Untitled', manifest: starterManifest }));
    if (created) go('templates', created.slug);
  } }, t('templates.new'));
  if (!templates.length) return page(t('templates.title'), create, emptyState(t('templates.empty'), create.cloneNode(true)));
  const list = table([
    { label: t('templates.name'), cell: (r) => h('a', { href: `#/templates/${encodeURIComponent(r.slug)}` }, r.name) },
    { label: t('templates.slug'), cell: (r) => h('code', {}, r.slug), className: 'ck-hide-narrow' },
    { label: t('templates.version'), cell: (r) => (r.currentVersionNumber ? `v${r.currentVersionNumber}` : t('templates.draft')) },
    { label: t('templates.updated'), cell: (r) => formatDate(r.updatedAt), className: 'ck-hide-narrow' },
  ], templates, { onOpen: (r) => go('templates', r.slug), caption: t('templates.title'), selected: (r) => r.slug === slug });
  const body = h('div.ck-split', {}, list, slug ? await templateDetail(slug) : null);
  // The empty-state button needs its handler again after cloning.
  return page(t('templates.title'), create, body);
}

// ---- Partner: renders -----------------------------------------------------------------------------------

/** Shares and engagement of a finished render: a funnel of counts, the newest events, a share link. */
async function engagementPanel(render) {
  const section = h('section.ck-subsection', { 'data-engagement': render.id });
  const draw = async (shared) => {
    const [engagement, signatures] = await Promise.all([
      api('GET', `/v1/renders/${render.id}/engagement`), api('GET', `/v1/signatures?renderId=${encodeURIComponent(render.id)}`),
    ]);
    const counts = engagement.counts || {};
    const signed = (signatures.signatures || []).reduce((sum, request) => sum + request.recipients.filter((r) => r.signedAt).length, 0);
    const steps = [['share_created', (counts.share_created || 0) + (counts.email_sent || 0)], ['viewed', counts.viewed || 0],
      ['downloaded', counts.downloaded || 0], ['signed', signed]];
    const max = Math.max(1, ...steps.map((step) => step[1]));
    const funnel = h('ul.ck-hbars', { 'aria-label': t('engagement.funnel') }, steps.map(([type, count]) => {
      const fill = h('span.ck-rate-fill');
      fill.style.width = `${Math.round((count / max) * 100)}%`;
      return h('li.ck-hbar', {}, h('span.ck-hbar-label', {}, t(`engagement.type.${type}`)), h('span.ck-rate-track', { 'aria-hidden': 'true' }, fill), h('span.ck-hbar-value', {}, String(count)));
    }));
    const share = h('button.ck-button', { type: 'button', 'data-action': 'share', onclick: async () => {
      try { const created = await api('POST', `/v1/renders/${render.id}/shares`, {}); await draw(created); } catch (error) { section.append(message(errorText(error))); }
    } }, t('engagement.share'));
    section.replaceChildren(h('h3', {}, t('engagement.title')), funnel,
      engagement.recent?.length
        ? h('ol.ck-timeline', {}, engagement.recent.slice(0, 20).map((e) => h('li', {}, h('time', {}, formatDate(e.createdAt)), ' ', t(`engagement.type.${e.eventType}`))))
        : h('p.ck-hint', {}, t('engagement.none')),
      h('div.ck-actions', {}, share, h('button.ck-button', { type: 'button', 'data-action': 'email', onclick: async () => {
        const sent = await formDialog(t('engagement.email'), t('engagement.emailSend'),
          () => [field(t('engagement.emailTo'), h('input.ck-input', { name: 'to', type: 'email', required: true }))],
          async (form) => {
            const to = form.elements.to.value.trim();
            try {
              await api('POST', `/v1/renders/${render.id}/email`, { to });
            } catch (error) {
              if (error.code === 'email_not_configured') throw new Error(t('engagement.emailUnavailable'));
              throw error;
            }
            return to;
          });
        if (sent) { await draw(null); section.append(message(t('engagement.emailed', { to: sent }), 'info')); }
      } }, t('engagement.email'))),
      shared ? h('p', {}, t('engagement.shared'), ' ', h('a.ck-wrap', { href: shared.shareUrl, target: '_blank', rel: 'noopener noreferrer', 'data-share-url': '' }, shared.shareUrl), copyButton(shared.shareUrl, t('copy'))) : null);
  };
  await draw(null);
  return section;
}

async function renderDetail(id) {
  const render = await api('GET', `/v1/renders/${encodeURIComponent(id)}`);
  const preview = h('div.ck-render-out');
  const panel = h('section.ck-panel', { 'aria-label': `${t('renders.id')} ${render.id}`, 'data-render': render.id },
    h('div.ck-panel-head', {}, h('h2', {}, `${t('renders.id')} ${render.id.slice(-8)}`), h('a.ck-button', { href: '#/renders', 'aria-label': t('close') }, '×')),
    h('dl.ck-facts', {},
      h('dt', {}, 'ID'), h('dd', {}, idCell(render.id, false)),
      h('dt', {}, t('renders.status')), h('dd', {}, badge(render.status)),
      h('dt', {}, t('renders.template')), h('dd', {}, h('a', { href: `#/templates/${encodeURIComponent(render.templateSlug)}` }, render.templateSlug), ` v${render.versionNumber}`),
      h('dt', {}, t('renders.created')), h('dd', {}, formatDate(render.createdAt)),
      h('dt', {}, t('renders.completed')), h('dd', {}, formatDate(render.completedAt)),
      h('dt', {}, t('renders.duration')), h('dd', {}, formatMillis(render.durationMs)),
      h('dt', {}, t('renders.pages')), h('dd', {}, render.pageCount ?? t('none')),
      render.sha256 ? [h('dt', {}, t('renders.sha')), h('dd', {}, h('code.ck-wrap', {}, render.sha256))] : null,
      render.errorMessage ? [h('dt', {}, t('renders.error')), h('dd', {}, render.errorMessage)] : null),
    preview);
  if (render.status === 'succeeded') {
    preview.append(await pdfPreview(render));
    panel.append(await engagementPanel(render));
  }
  return panel;
}

async function rendersView(id, query) {
  const { data } = await api('GET', '/v1/renders?limit=200');
  const status = query.get('status') || '';
  const template = query.get('template') || '';
  const since = query.get('since') || '';
  const sinceMillis = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 }[since];
  const cutoff = sinceMillis ? Date.now() - sinceMillis : 0;
  const rows = data.filter((r) => (!status || r.status === status) && (!template || r.templateSlug === template)
    && (!cutoff || Date.parse(r.createdAt) >= cutoff));
  const setFilter = (name, value) => {
    const next = new URLSearchParams(query);
    if (value) next.set(name, value); else next.delete(name);
    go('renders', id, next);
  };
  const statusSelect = h('select.ck-select', { id: 'ck-filter-status', onchange: (e) => setFilter('status', e.target.value) },
    h('option', { value: '' }, t('renders.all')),
    ['queued', 'rendering', 'succeeded', 'failed'].map((s) => h('option', { value: s, selected: s === status }, t(`status.${s}`))));
  const slugs = [...new Set(data.map((r) => r.templateSlug))].sort();
  const templateSelect = h('select.ck-select', { id: 'ck-filter-template', onchange: (e) => setFilter('template', e.target.value) },
    h('option', { value: '' }, t('renders.all')), slugs.map((s) => h('option', { value: s, selected: s === template }, s)));
  const sinceSelect = h('select.ck-select', { id: 'ck-filter-since', onchange: (e) => setFilter('since', e.target.value) },
    h('option', { value: '' }, t('renders.all')), ['1h', '24h', '7d'].map((s) => h('option', { value: s, selected: s === since }, t(`renders.since.${s}`))));
  const filters = h('div.ck-filters', {}, field(t('renders.status'), statusSelect), field(t('renders.template'), templateSelect),
    field(t('renders.since'), sinceSelect));
  if (!data.length) {
    return page(t('renders.title'), null, emptyState(t('renders.empty'),
      h('button.ck-button.ck-button-primary', { type: 'button', onclick: () => go('templates') }, t('overview.emptyAction'))));
  }
  const list = rows.length ? table([
    { label: t('renders.id'), cell: (r) => idCell(r.id) },
    { label: t('renders.status'), cell: (r) => badge(r.status) },
    { label: t('renders.template'), cell: (r) => r.templateSlug },
    { label: t('renders.created'), cell: (r) => formatDate(r.createdAt), className: 'ck-hide-narrow' },
    { label: t('renders.duration'), cell: (r) => formatMillis(r.durationMs), className: 'ck-hide-narrow' },
  ], rows, { onOpen: (r) => go('renders', r.id, query), caption: t('renders.title'), selected: (r) => r.id === id }) : emptyState(t('renders.emptyFiltered'));
  return page(t('renders.title'), null, filters, h('div.ck-split', {}, list, id ? await renderDetail(id) : null));
}

// ---- Partner: keys -----------------------------------------------------------------------------------------

async function keysView() {
  const { data } = await api('GET', '/v1/keys');
  const create = h('button.ck-button.ck-button-primary', { type: 'button', 'data-action': 'new-key', onclick: async () => {
    const created = await formDialog(t('keys.createTitle'), t('keys.create'), () => [
      field(t('keys.createName'), h('input.ck-input', { name: 'name', required: true, maxlength: 100 })),
      field(t('keys.environment'), h('select.ck-select', { name: 'environment' }, h('option', { value: 'live' }, t('env.live')), h('option', { value: 'test' }, t('env.test')))),
    ], (form) => api('POST', '/v1/keys', { name: form.elements.name.value.trim() || 'API key', environment: form.elements.environment.value }));
    if (created) {
      await secretDialog(t('keys.secretTitle'), t('keys.secretNote'), created.key);
      render();
    }
  } }, t('keys.new'));
  return page(t('keys.title'), create, table([
    { label: t('keys.name'), cell: (r) => [r.name, r.id === session.principal.keyId ? h('span.ck-tag', {}, t('keys.current')) : null] },
    { label: t('keys.prefix'), cell: (r) => h('code', {}, `${r.prefix}…`) },
    { label: t('keys.environment'), cell: (r) => t(`env.${r.environment}`), className: 'ck-hide-narrow' },
    { label: t('keys.created'), cell: (r) => formatDate(r.createdAt), className: 'ck-hide-narrow' },
    { label: t('keys.state'), cell: (r) => (r.revokedAt ? h('span.ck-badge.ck-badge-failed', {}, t('keys.revoked', { date: formatDate(r.revokedAt) })) : h('span.ck-badge.ck-badge-succeeded', {}, t('keys.active'))) },
    { label: '', cell: (r) => (r.revokedAt ? null : h('button.ck-button.ck-button-danger', { type: 'button', 'data-revoke': r.id, onclick: async () => {
      if (!(await confirmDialog(t('keys.revokeConfirm', { name: r.name })))) return;
      try { await api('DELETE', `/v1/keys/${r.id}`); render(); } catch (error) { if (error.status !== 401) alertError(error); }
    } }, t('keys.revoke'))) },
  ], data, { caption: t('keys.title') }));
}

function alertError(error) {
  const main = document.getElementById('ck-main');
  main?.prepend(message(errorText(error)));
}

// ---- Partner: webhooks -------------------------------------------------------------------------------------

const eventTypes = ['render.succeeded', 'render.failed', 'form.submitted', 'template.published', 'document.viewed', 'document.downloaded', 'signature.completed'];

async function deliveriesPanel(endpoint) {
  const { data } = await api('GET', `/v1/webhooks/${endpoint.id}/deliveries`);
  const status = h('div', { 'aria-live': 'polite' });
  return h('section.ck-panel', { 'aria-label': t('webhooks.deliveries'), 'data-webhook': endpoint.id },
    h('div.ck-panel-head', {}, h('h2', {}, t('webhooks.deliveries')), h('a.ck-button', { href: '#/webhooks', 'aria-label': t('close') }, '×')),
    h('p', {}, h('code.ck-wrap', {}, endpoint.url)),
    h('div.ck-actions', {},
      h('button.ck-button', { type: 'button', onclick: async () => {
        if (!(await confirmDialog(t('webhooks.rotateConfirm')))) return;
        try { const rotated = await api('POST', `/v1/webhooks/${endpoint.id}/rotate-secret`); await secretDialog(t('webhooks.secretTitle'), t('webhooks.secretNote'), rotated.secret); } catch (error) { status.replaceChildren(message(errorText(error))); }
      } }, t('webhooks.rotate')),
      h('button.ck-button.ck-button-danger', { type: 'button', onclick: async () => {
        if (!(await confirmDialog(t('webhooks.deleteConfirm', { url: endpoint.url })))) return;
        try { await api('DELETE', `/v1/webhooks/${endpoint.id}`); go('webhooks'); } catch (error) { status.replaceChildren(message(errorText(error))); }
      } }, t('webhooks.delete'))),
    status,
    data.length ? table([
      { label: t('webhooks.event'), cell: (d) => [h('code', {}, d.eventType), ' ', idCell(d.subjectId)] },
      { label: t('renders.status'), cell: (d) => badge(d.status) },
      { label: t('webhooks.attempts'), cell: (d) => String(d.attempts) },
      { label: t('webhooks.response'), cell: (d) => (d.lastStatusCode ? `HTTP ${d.lastStatusCode}` : d.lastError || t('none')) },
      { label: t('renders.created'), cell: (d) => formatDate(d.createdAt), className: 'ck-hide-narrow' },
      { label: '', cell: (d) => h('button.ck-button', { type: 'button', onclick: async () => {
        try { await api('POST', `/v1/webhooks/${endpoint.id}/deliveries/${d.id}/replay`); status.replaceChildren(message(t('webhooks.replayed'), 'info')); } catch (error) { status.replaceChildren(message(errorText(error))); }
      } }, t('webhooks.replay')) },
    ], data, { caption: t('webhooks.deliveries') }) : emptyState(t('webhooks.noDeliveries')));
}

async function webhooksView(id) {
  const [{ data }, stats] = await Promise.all([api('GET', '/v1/webhooks'), api('GET', '/v1/stats/webhooks?window=24h')]);
  const create = h('button.ck-button.ck-button-primary', { type: 'button', 'data-action': 'new-webhook', onclick: async () => {
    const created = await formDialog(t('webhooks.createTitle'), t('webhooks.create'), () => [
      field(t('webhooks.url'), h('input.ck-input', { name: 'url', type: 'url', required: true, placeholder: 'https://example.com/craftkit' })),
      h('fieldset.ck-fieldset', {}, h('legend', {}, t('webhooks.events')),
        h('label.ck-check', {}, h('input', { type: 'checkbox', name: 'all', checked: true }), t('webhooks.allEvents')),
        eventTypes.map((e) => h('label.ck-check', {}, h('input', { type: 'checkbox', name: 'event', value: e }), h('code', {}, e)))),
    ], (form) => {
      const events = [...form.querySelectorAll('input[name=event]:checked')].map((i) => i.value);
      const body = { url: form.elements.url.value.trim() };
      if (!form.elements.all.checked && events.length) body.events = events;
      return api('POST', '/v1/webhooks', body);
    });
    if (created) {
      await secretDialog(t('webhooks.secretTitle'), t('webhooks.secretNote'), created.secret);
      go('webhooks', created.id);
    }
  } }, t('webhooks.new'));
  if (!data.length) return page(t('webhooks.title'), create, emptyState(t('webhooks.empty')));
  const endpoint = data.find((e) => e.id === id);
  const list = table([
    { label: t('webhooks.url'), cell: (e) => h('a.ck-wrap', { href: `#/webhooks/${e.id}` }, e.url) },
    { label: t('webhooks.events'), cell: (e) => (e.events.length > 3 ? `${e.events.length}` : e.events.join(', ')), className: 'ck-hide-narrow' },
    { label: t('webhooks.created'), cell: (e) => formatDate(e.createdAt), className: 'ck-hide-narrow' },
  ], data, { onOpen: (e) => go('webhooks', e.id), caption: t('webhooks.title'), selected: (e) => e.id === id });
  return page(t('webhooks.title'), create,
    h('div.ck-inline-stat', {}, h('span', {}, t('webhooks.successRate', { window: t('window.24h') })), rateBar(stats.successRate, t('overview.webhooks'))),
    h('div.ck-split', {}, list, endpoint ? await deliveriesPanel(endpoint) : null));
}

// ---- Partner: catalogs -------------------------------------------------------------------------------------

/** A catalog's variables and loops by key, each with its definition as text, for comparing versions. */
function catalogEntries(catalog) {
  const entries = new Map();
  for (const namespace of catalog?.namespaces || []) {
    for (const variable of namespace.fields || namespace.variables || []) entries.set(`${namespace.key}.${variable.key}`, JSON.stringify(variable));
  }
  for (const loop of catalog?.loops || []) entries.set(`${loop.key}[]`, JSON.stringify(loop));
  return entries;
}

function catalogDiff(before, after) {
  const a = catalogEntries(before);
  const b = catalogEntries(after);
  const rows = [];
  for (const [key, value] of b) {
    if (!a.has(key)) rows.push(['added', key]); else if (a.get(key) !== value) rows.push(['changed', key]);
  }
  for (const key of a.keys()) if (!b.has(key)) rows.push(['removed', key]);
  return rows.sort((x, y) => x[1].localeCompare(y[1]));
}

async function catalogDetail(name, query) {
  const current = await api('GET', `/v1/embed/catalogs/${encodeURIComponent(name)}`);
  const to = Math.min(Number(query.get('to')) || current.version, current.version);
  const from = Math.max(1, Math.min(Number(query.get('from')) || to - 1, to));
  const base = `/v1/embed/catalogs/${encodeURIComponent(name)}/versions/`;
  const [older, newer] = await Promise.all([from < to ? api('GET', base + from) : null, api('GET', base + to)]);
  const pick = (key, value) => {
    const next = new URLSearchParams(query);
    next.set(key, value);
    go('catalogs', name, next);
  };
  const versions = Array.from({ length: current.version }, (_, i) => i + 1);
  const select = (key, value, label) => h('select.ck-select', { 'aria-label': label, onchange: (e) => pick(key, e.target.value) },
    versions.map((v) => h('option', { value: String(v), selected: v === value }, `v${v}`)));
  const diff = older ? catalogDiff(older.catalog, newer.catalog) : null;
  return h('section.ck-panel', { 'aria-label': name, 'data-catalog': name },
    h('div.ck-panel-head', {}, h('h2', {}, name), h('a.ck-button', { href: '#/catalogs', 'aria-label': t('close') }, '×')),
    h('div.ck-filters', {}, select('from', from, 'from'), ' → ', select('to', to, 'to')),
    h('h3', {}, t('catalogs.diff', { from, to })),
    diff === null ? h('p.ck-hint', {}, t('catalogs.first'))
      : diff.length ? h('ul.ck-diff', {}, diff.map(([kind, key]) => h(`li.ck-diff-${kind}`, {}, h('span.ck-badge', {}, t(`catalogs.${kind}`)), ' ', h('code', {}, key))))
        : h('p.ck-hint', {}, t('catalogs.noChanges')),
    h('details.ck-details', {}, h('summary', {}, t('catalogs.content', { version: to })), h('pre.ck-code', {}, JSON.stringify(newer.catalog, null, 2))));
}

async function catalogsView(name, query) {
  let data;
  try { ({ data } = await api('GET', '/v1/embed/catalogs')); } catch (error) {
    if (error.status === 401 || error.status === 403) return page(t('catalogs.title'), null, emptyState(t('catalogs.needsEmbed')));
    throw error;
  }
  if (!data.length) return page(t('catalogs.title'), null, emptyState(t('catalogs.empty')));
  const list = table([
    { label: t('catalogs.name'), cell: (c) => h('a', { href: `#/catalogs/${encodeURIComponent(c.name)}` }, c.name) },
    { label: t('catalogs.version'), cell: (c) => `v${c.version}` },
    { label: t('catalogs.created'), cell: (c) => formatDate(c.createdAt), className: 'ck-hide-narrow' },
  ], data, { onOpen: (c) => go('catalogs', c.name), caption: t('catalogs.title'), selected: (c) => c.name === name });
  return page(t('catalogs.title'), null, h('div.ck-split', {}, list, name ? await catalogDetail(name, query) : null));
}

const appearanceKeys = ['displayName', 'logoUrl', 'colorPrimary', 'colorPrimaryForeground', 'colorBackground'];
const colorPattern = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i;

/** A small sample of a guest-facing page in an appearance: the name, a line of text, a button. */
function appearancePreview(appearance) {
  const box = h('div.ck-brand-preview', { 'data-appearance-preview': '', 'aria-label': t('appearance.preview'), role: 'img' });
  const update = (values) => {
    const name = h('strong.ck-brand-preview-name', {}, values.displayName || 'Craftkit');
    const button = h('span.ck-brand-preview-button', {}, t('appearance.button'));
    if (colorPattern.test(values.colorPrimary || '')) button.style.background = values.colorPrimary;
    if (colorPattern.test(values.colorPrimaryForeground || '')) button.style.color = values.colorPrimaryForeground;
    box.style.background = colorPattern.test(values.colorBackground || '') ? values.colorBackground : '';
    box.replaceChildren(name, h('p', {}, t('appearance.sample')), button);
  };
  update(appearance || {});
  box.update = update;
  return box;
}

// ---- Partner: embed settings (read-only) -------------------------------------------------------------------

async function embedView() {
  const project = await api('GET', '/v1/project');
  session.org = project;
  const settings = project.settings;
  return page(t('embed.title'), null,
    message(t('embed.note'), 'info'),
    h('dl.ck-facts.ck-panel', {},
      h('dt', {}, t('embed.org')), h('dd', {}, `${project.name} (`, h('code', {}, project.externalOrgId), ')'),
      h('dt', {}, t('embed.origins')), h('dd', { 'data-origins': '' }, settings.allowedOrigins.length
        ? h('ul.ck-vars', {}, settings.allowedOrigins.map((origin) => h('li', {}, h('code', {}, origin))))
        : t('embed.originsNone')),
      h('dt', {}, t('embed.emailFrom')), h('dd', {}, settings.emailFrom || t('none')),
      h('dt', {}, t('embed.appearance')), h('dd', {}, settings.appearance
        ? [h('ul.ck-vars', {}, appearanceKeys.filter((key) => settings.appearance[key]).map((key) => {
          const swatch = key.startsWith('color') ? h('span.ck-swatch', { 'aria-hidden': 'true' }) : null;
          if (swatch) swatch.style.background = String(settings.appearance[key]);
          return h('li', {}, t(`appearance.${key}`), ': ', swatch, ' ', h('code', {}, String(settings.appearance[key])));
        })), appearancePreview(settings.appearance)]
        : t('embed.appearanceNone'))),
    h('p.ck-hint', {}, t('embed.preview')));
}

// ---- Operator ---------------------------------------------------------------------------------------------

async function orgsView() {
  const { data } = await api('GET', '/v1/admin/orgs');
  const create = h('button.ck-button.ck-button-primary', { type: 'button', 'data-action': 'provision', onclick: async () => {
    const created = await formDialog(t('orgs.createTitle'), t('orgs.create'), () => [
      field(t('orgs.external'), h('input.ck-input', { name: 'externalOrgId', required: true, maxlength: 160 })),
      field(t('orgs.name'), h('input.ck-input', { name: 'name', maxlength: 200 })),
    ], (form) => {
      const body = { externalOrgId: form.elements.externalOrgId.value.trim() };
      const name = form.elements.name.value.trim();
      if (name) body.name = name;
      return api('POST', '/v1/admin/provision', body);
    });
    if (created) {
      await secretDialog(t('orgs.keyTitle'), t('orgs.keyNote'), created.apiKey);
      render();
    }
  } }, t('orgs.new'));
  if (!data.length) return page(t('orgs.title'), create, emptyState(t('orgs.empty')));
  return page(t('orgs.title'), create, table([
    { label: t('orgs.external'), cell: (o) => h('code', { 'data-org': o.externalOrgId }, o.externalOrgId) },
    { label: t('orgs.name'), cell: (o) => o.name },
    { label: t('orgs.renders'), cell: (o) => formatNumber(o.usage.renders), className: 'ck-num' },
    { label: t('orgs.storage'), cell: (o) => formatBytes(o.usage.storageBytes), className: 'ck-num' },
    { label: t('orgs.sessions'), cell: (o) => formatNumber(o.usage.sessions), className: 'ck-num ck-hide-narrow' },
    { label: t('orgs.created'), cell: (o) => formatDate(o.createdAt), className: 'ck-hide-narrow' },
    { label: t('queue.project'), cell: (o) => idCell(o.projectId), className: 'ck-hide-narrow' },
    { label: '', cell: (o) => h('button.ck-button', { type: 'button', 'data-settings': o.externalOrgId, onclick: () => editOrg(o) }, t('orgs.settings')) },
  ], data, { caption: t('orgs.title') }));
}

async function editOrg(org) {
  const preview = appearancePreview(org.settings?.appearance);
  const saved = await formDialog(t('orgs.settingsTitle', { org: org.name }), t('orgs.save'), (form) => {
    // The preview follows the fields as they are typed.
    form.addEventListener('input', () => preview.update(Object.fromEntries(appearanceKeys.map((key) => [key, form.elements[key].value.trim()]))));
    return [
    field(t('orgs.originsField'), h('textarea.ck-input.ck-textarea', { name: 'origins', rows: 4 }, (org.settings?.allowedOrigins || []).join('\n'))),
    field(t('orgs.emailField'), h('input.ck-input', { name: 'emailFrom', value: org.settings?.emailFrom || '' })),
    h('fieldset.ck-fieldset', {}, h('legend', {}, t('embed.appearance')),
      appearanceKeys.map((key) => field(t(`appearance.${key}`), h('input.ck-input', { name: key, value: org.settings?.appearance?.[key] || '', 'data-appearance': key }))),
      h('p.ck-hint', {}, t('appearance.preview')), preview),
    ];
  }, (form) => {
    const origins = form.elements.origins.value.split(/\s+/).map((o) => o.trim()).filter(Boolean);
    const emailFrom = form.elements.emailFrom.value.trim();
    const body = { externalOrgId: org.externalOrgId, allowedOrigins: origins };
    if (emailFrom) body.emailFrom = emailFrom; else if (org.settings?.emailFrom) body.emailFrom = null;
    const appearance = {};
    for (const key of appearanceKeys) { const value = form.elements[key].value.trim(); if (value) appearance[key] = value; }
    if (Object.keys(appearance).length) body.appearance = appearance; else if (org.settings?.appearance) body.appearance = null;
    return api('PATCH', '/v1/admin/provision', body);
  });
  if (saved) render();
}

async function queueView() {
  const queue = await api('GET', '/v1/admin/queue');
  return page(t('queue.title'), null,
    h('div.ck-stats', {}, statCard(t('queue.depth'), formatNumber(queue.depth)), statCard(t('queue.oldest'), formatDate(queue.oldestWaitingAt)),
      statCard(t('queue.busy'), formatNumber(queue.workersBusy))),
    queue.jobs.length ? table([
      { label: t('queue.kind'), cell: (j) => j.kind },
      { label: t('queue.state'), cell: (j) => j.state },
      { label: t('queue.count'), cell: (j) => formatNumber(j.count), className: 'ck-num' },
      { label: t('queue.oldest'), cell: (j) => formatDate(j.oldestRunAt) },
    ], queue.jobs, { caption: t('queue.title') }) : emptyState(t('queue.empty')),
    h('h2.ck-section-title', {}, t('queue.failures')),
    queue.recentFailures?.length ? table([
      { label: t('renders.id'), cell: (f) => idCell(f.renderId) },
      { label: t('queue.project'), cell: (f) => idCell(f.projectId) },
      { label: t('renders.template'), cell: (f) => f.templateSlug, className: 'ck-hide-narrow' },
      { label: t('queue.failedAt'), cell: (f) => formatDate(f.failedAt) },
    ], queue.recentFailures, { caption: t('queue.failures') }) : h('p.ck-hint', {}, t('queue.noFailures')));
}

async function healthView() {
  const response = await fetch('/v1/health', { cache: 'no-store' });
  const health = await response.json();
  return page(t('health.title'), null,
    h('div.ck-stats', {}, statCard(t('health.status'), health.status), statCard(t('health.version'), health.version)),
    table([
      { label: t('health.check'), cell: (c) => c[0] },
      { label: t('health.status'), cell: (c) => h(`span.ck-badge.ck-badge-${c[1] === 'ok' ? 'succeeded' : 'failed'}`, {}, t(`health.${c[1] === 'ok' ? 'ok' : 'error'}`)) },
    ], Object.entries(health.checks || {}), { caption: t('health.title') }));
}

// ---- Start --------------------------------------------------------------------------------------------------

async function start() {
  let preferred = new URLSearchParams(location.search).get('lang');
  try { preferred = preferred || localStorage.getItem('ck-console-locale'); } catch { /* private mode */ }
  setLocale(preferred || navigator.language);
  try {
    const current = await api('GET', '/console/session', undefined, { quiet401: true });
    if (!current) { signInPage(); return; }
    startSession(current);
    render();
  } catch {
    signInPage();
  }
}

start();
