// The demo partner's front end: mints sessions on its own backend (host.py), loads the Craftkit SDK
// from the Craftkit server and mounts the builder or the form. Every SDK event is logged in the
// Events drawer (#events) and pushed to window.ckEvents ({name, payload}) for automated tests.
// Below the embed, the org's documents (GET /api/renders): each finished one has Share (a link share
// with Copy and Open, and its engagement counts) and Email (an inline form) through this page's backend.
//
// URL parameters: ?mount=builder|create|form|view  mounts at load
//                 &revokeFirst=1                   revokes the minted session before mounting
//                 &token=bad                       mounts with a garbage token
//                 &permissions=<json> &form=<json> &appearance=<json>  passed to the mint
//                 &api=<url>                       the Craftkit server (default: /api/config)
(function () {
  'use strict';
  var params = new URLSearchParams(window.location.search);
  window.ckEvents = [];
  window.ckHandle = null;

  var kinds = {
    builder: { mode: 'edit', mount: 'mountBuilder', label: 'Template builder (edit invoice-demo)' },
    create: { mode: 'create', mount: 'mountBuilder', label: 'Template builder (new template)' },
    form: { mode: 'fill', mount: 'mountForm', label: 'Invoice form' },
    view: { mode: 'view', mount: 'mountBuilder', label: 'Template (read only)' },
  };
  var apiBase = null;
  var sdkLoaded = null;
  var current = null;

  var $ = function (id) { return document.getElementById(id); };

  function setStatus(text, isError) {
    var el = $('status');
    el.textContent = text;
    el.classList.toggle('error', !!isError);
  }

  function short(payload) {
    var text;
    try { text = JSON.stringify(payload); } catch (e) { text = String(payload); }
    if (text === undefined) text = '';
    return text.length > 180 ? text.slice(0, 177) + '…' : text;
  }

  function logEvent(name, payload) {
    window.ckEvents.push({ name: name, payload: payload });
    var li = document.createElement('li');
    if (name === 'error' || name === 'session.expired') li.className = 'ev-error';
    var head = document.createElement('div');
    head.className = 'ev-head';
    var n = document.createElement('span');
    n.className = 'ev-name';
    n.textContent = name;
    var time = document.createElement('span');
    time.className = 'ev-time';
    time.textContent = new Date().toLocaleTimeString();
    head.append(n, time);
    var body = document.createElement('div');
    body.className = 'ev-payload';
    body.textContent = short(payload);
    li.append(head, body);
    $('events').prepend(li);
    $('event-count').textContent = String($('events').children.length);
    if (name === 'error' || name === 'host.error') $('toggle-events').classList.add('has-error');
    if (name === 'error') setStatus('Error: ' + (payload && (payload.code || payload.message)), true);
    if (name === 'ready') setStatus(current ? current.label + ' is ready.' : 'Ready.');
    if (name === 'render.succeeded') {
      setStatus('Document rendered (' + payload.renderId + ').');
      loadRenders();
    }
  }

  function loadSdk(base) {
    if (sdkLoaded) return sdkLoaded;
    sdkLoaded = new Promise(function (resolve, reject) {
      var script = document.createElement('script');
      script.src = base.replace(/\/+$/, '') + '/sdk/craftkit-embed.js';
      script.onload = function () { window.Craftkit ? resolve(window.Craftkit) : reject(new Error('SDK did not define Craftkit')); };
      script.onerror = function () { reject(new Error('Could not load the SDK from ' + script.src)); };
      document.head.append(script);
    });
    return sdkLoaded;
  }

  function jsonParam(name) {
    var raw = params.get(name);
    if (!raw) return undefined;
    try { return JSON.parse(raw); } catch (e) { setStatus('Ignoring ?' + name + '= (not JSON)', true); return undefined; }
  }

  async function postJSON(path, body) {
    var response = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    var data = await response.json().catch(function () { return {}; });
    if (!response.ok) throw new Error((data.error && (data.error.message || data.error.code || data.error)) || 'HTTP ' + response.status);
    return data;
  }

  function unmount() {
    if (window.ckHandle) window.ckHandle.destroy();
    window.ckHandle = null;
    current = null;
    $('unmount').disabled = true;
    $('craftkit-frame').className = 'frame-box';
    for (var key in kinds) $('mount-' + key).setAttribute('aria-pressed', 'false');
  }

  async function mount(kind) {
    var spec = kinds[kind];
    if (!spec) { setStatus('Unknown mount kind: ' + kind, true); return; }
    unmount();
    current = spec;
    $('mount-' + kind).setAttribute('aria-pressed', 'true');
    setStatus('Minting a ' + spec.mode + ' session…');
    try {
      var Craftkit = await loadSdk(apiBase);
      var body = { mode: spec.mode };
      var permissions = jsonParam('permissions');
      var form = jsonParam('form');
      var appearance = jsonParam('appearance');
      if (permissions) body.permissions = permissions;
      if (form) body.form = form;
      if (appearance) body.appearance = appearance;
      var minted = await postJSON('/api/sessions', body);
      if (params.get('revokeFirst') === '1') {
        await fetch('/api/sessions/' + encodeURIComponent(minted.sessionId), { method: 'DELETE' });
      }
      var token = params.get('token') === 'bad' ? 'not-a-valid.session.token' : minted.sessionToken;
      var box = $('craftkit-frame');
      var placeholder = $('placeholder');
      if (placeholder) placeholder.remove();
      box.className = 'frame-box ' + (kind === 'form' ? 'form' : 'builder');
      var handle = Craftkit[spec.mount]({
        container: box,
        sessionToken: token,
        autoResize: kind === 'form',
        baseUrl: apiBase,
        refresh: function () {
          return fetch('/api/refresh', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ sessionId: minted.sessionId }) })
            .then(function (r) { if (!r.ok) throw new Error('refresh failed: HTTP ' + r.status); return r.json(); })
            .then(function (b) { return b.sessionToken; });
        },
      });
      handle.on('*', function (payload, name) { logEvent(name, payload); });
      handle.on('close.requested', function () { unmount(); setStatus('Closed by the embedded page.'); });
      window.ckHandle = handle;
      window.ckSession = { sessionId: minted.sessionId, mode: spec.mode };
      $('unmount').disabled = false;
      setStatus('Loading ' + spec.label + '…');
    } catch (error) {
      setStatus('Could not mount: ' + error.message, true);
      logEvent('host.error', { message: error.message });
    }
  }

  // ---- The org's documents: Share and Email on each finished render ----
  var ENGAGEMENT = [['viewed', 'Viewed'], ['downloaded', 'Downloaded'], ['printed', 'Printed']];
  var FRIENDLY = {
    email_not_configured: 'Email is not set up on this Craftkit server (no email provider is configured). Copy the share link and send it yourself instead.',
    email_send_failed: 'The email provider refused the message. Try again later, or share the link instead.',
  };
  var shares = {};      // renderId -> Promise of the link share made on this page (one per render)
  var listing = null;   // the list request in flight

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (key === 'text') node.textContent = value;
      else if (key === 'className') node.className = value;
      else if (key === 'hidden') node.hidden = !!value;
      else if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value === true ? '' : String(value));
    });
    (children || []).forEach(function (child) { if (child) node.append(child); });
    return node;
  }

  // A JSON call to this page's backend: {ok, status, data}, for error statuses too (their envelope is shown).
  async function callJSON(method, path, body) {
    var init = { method: method, headers: {} };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    try {
      var response = await fetch(path, init);
      var data = await response.json().catch(function () { return {}; });
      return { ok: response.ok, status: response.status, data: data || {} };
    } catch (error) {
      return { ok: false, status: 0, data: { error: { code: 'network_error', message: error.message } } };
    }
  }

  function errorCode(result) {
    var error = result.data && result.data.error;
    return error && typeof error === 'object' ? error.code || '' : String(error || '');
  }

  function errorText(result) {
    var error = result.data && result.data.error;
    if (!error) return 'HTTP ' + result.status;
    if (typeof error !== 'object') return String(error);
    var fields = (error.issues && error.issues.fieldErrors) || {};
    var details = Object.keys(fields).map(function (name) { return name + ': ' + [].concat(fields[name]).join(', '); });
    var text = FRIENDLY[error.code] || error.message || error.code || 'HTTP ' + result.status;
    return text + (details.length ? ' (' + details.join('; ') + ')' : '');
  }

  function setPanelStatus(node, text, state) {
    node.textContent = text;
    node.dataset.state = state || '';
    node.classList.toggle('error', state === 'error');
  }

  function formatDate(value) {
    var date = new Date(value);
    return isNaN(date.getTime()) ? String(value || '') : date.toLocaleString();
  }

  function togglePanel(button, panel, onOpen) {
    var open = panel.hidden;
    panel.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    if (open) onOpen();
  }

  function buildSharePanel(id, panel) {
    var urlId = 'share-url-' + id;
    var parts = {
      link: el('div', { className: 'share-link', hidden: true }),
      url: el('input', { id: urlId, className: 'share-url', type: 'text', readonly: true, spellcheck: 'false' }),
      copy: el('button', { type: 'button', className: 'btn btn-small share-copy', text: 'Copy' }),
      open: el('a', { className: 'btn btn-small btn-link share-open', target: '_blank', rel: 'noopener noreferrer', text: 'Open' }),
      status: el('p', { className: 'panel-status share-status', role: 'status' }),
      counts: {},
      note: el('p', { className: 'engagement-note' }),
      refresh: el('button', { type: 'button', className: 'btn btn-small btn-ghost engagement-refresh', text: 'Refresh counts' }),
    };
    parts.link.append(el('label', { for: urlId, text: 'Share link' }), el('div', { className: 'share-row' }, [parts.url, parts.copy, parts.open]));
    var list = el('dl', { className: 'engagement-counts' });
    ENGAGEMENT.forEach(function (pair) {
      parts.counts[pair[0]] = el('dd', { 'data-count': pair[0], text: '–' });
      list.append(el('div', { className: 'engagement-count' }, [el('dt', { text: pair[1] }), parts.counts[pair[0]]]));
    });
    var engagement = el('div', { className: 'engagement', role: 'group', 'aria-label': 'Engagement' }, [
      el('h3', { text: 'Engagement' }), list, el('div', { className: 'engagement-foot' }, [parts.note, parts.refresh])]);
    panel.append(parts.link, parts.status, engagement);
    parts.url.addEventListener('focus', function () { parts.url.select(); });
    parts.copy.addEventListener('click', function () { copyLink(parts); });
    parts.refresh.addEventListener('click', function () { refreshEngagement(id, parts); });
    panel.ckParts = parts;
    return parts;
  }

  function copyLink(parts) {
    var done = function () { setPanelStatus(parts.status, 'Link copied.', 'copied'); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(parts.url.value).then(done, function () { fallbackCopy(parts, done); });
    } else {
      fallbackCopy(parts, done);
    }
  }

  function fallbackCopy(parts, done) {
    parts.url.focus();
    parts.url.select();
    try {
      if (document.execCommand('copy')) return done();
    } catch (e) { /* fall through */ }
    setPanelStatus(parts.status, 'Press Ctrl+C (⌘C) to copy the selected link.', 'select');
  }

  async function refreshEngagement(id, parts) {
    parts.refresh.disabled = true;
    var result = await callJSON('GET', '/api/renders/' + encodeURIComponent(id) + '/engagement');
    parts.refresh.disabled = false;
    if (!result.ok) {
      parts.note.textContent = 'Could not load the counts: ' + errorText(result);
      parts.note.classList.add('error');
      return;
    }
    var counts = result.data.counts || {};
    ENGAGEMENT.forEach(function (pair) { parts.counts[pair[0]].textContent = String(counts[pair[0]] || 0); });
    parts.note.classList.remove('error');
    parts.note.textContent = (result.data.total || 0) + ' events in all · updated ' + new Date().toLocaleTimeString();
  }

  async function openShare(id, panel) {
    var parts = panel.ckParts || buildSharePanel(id, panel);
    if (!shares[id]) {
      setPanelStatus(parts.status, 'Creating a share link…', 'busy');
      shares[id] = callJSON('POST', '/api/renders/' + encodeURIComponent(id) + '/share', {});
    }
    var result = await shares[id];
    if (!result.ok) {
      delete shares[id];  // a later open tries again
      setPanelStatus(parts.status, 'Could not create a link: ' + errorText(result), 'error');
    } else {
      parts.url.value = result.data.shareUrl;
      parts.open.href = result.data.shareUrl;
      parts.link.hidden = false;
      if (parts.status.dataset.state === 'busy' || parts.status.dataset.state === 'error') {
        setPanelStatus(parts.status, 'Anyone with this link can open the document until it is revoked.', 'ready');
      }
    }
    await refreshEngagement(id, parts);
  }

  function buildEmailForm(id, panel) {
    var field = function (name, label, control) {
      control.id = 'email-' + name + '-' + id;
      control.name = name;
      return el('div', { className: 'field field-' + name }, [el('label', { for: control.id, text: label }), control]);
    };
    var to = el('input', { type: 'email', required: true, autocomplete: 'email', placeholder: 'ada@example.com' });
    var name = el('input', { type: 'text', autocomplete: 'name' });
    var message = el('textarea', { rows: '2', maxlength: '2000' });
    var submit = el('button', { type: 'submit', className: 'btn btn-small btn-primary email-send', text: 'Send email' });
    var status = el('p', { className: 'panel-status email-status', role: 'status' });
    var form = el('form', { className: 'email-form', 'aria-label': 'Email this document' }, [
      field('to', 'Recipient email', to), field('recipientName', 'Name (optional)', name), field('message', 'Message (optional)', message),
      el('div', { className: 'email-actions' }, [submit]), status]);
    var inputs = { to: to, recipientName: name, message: message };
    form.addEventListener('submit', async function (event) {
      event.preventDefault();
      Object.keys(inputs).forEach(function (key) { inputs[key].removeAttribute('aria-invalid'); });
      submit.disabled = true;
      form.setAttribute('aria-busy', 'true');
      setPanelStatus(status, 'Sending…', 'busy');
      var body = { to: to.value.trim() };
      if (name.value.trim()) body.recipientName = name.value.trim();
      if (message.value.trim()) body.message = message.value;
      var result = await callJSON('POST', '/api/renders/' + encodeURIComponent(id) + '/email', body);
      submit.disabled = false;
      form.removeAttribute('aria-busy');
      if (result.ok) {
        setPanelStatus(status, 'Sent to ' + body.to + ' (message id ' + (result.data.emailMessageId || '?') + ').', 'sent');
        form.dataset.messageId = result.data.emailMessageId || '';
        return;
      }
      status.dataset.code = errorCode(result);
      setPanelStatus(status, 'Not sent: ' + errorText(result), 'error');
      var fields = (result.data.error && result.data.error.issues && result.data.error.issues.fieldErrors) || {};
      var first = null;
      Object.keys(fields).forEach(function (key) {
        if (inputs[key]) { inputs[key].setAttribute('aria-invalid', 'true'); first = first || inputs[key]; }
      });
      if (first) first.focus();
    });
    panel.append(form);
    panel.ckParts = { to: to };
    return panel.ckParts;
  }

  function openEmail(id, panel) {
    var parts = panel.ckParts || buildEmailForm(id, panel);
    parts.to.focus();
  }

  function renderItem(render) {
    var id = render.id;
    var title = (render.templateSlug || 'Document') + (render.versionNumber ? ' v' + render.versionNumber : '');
    var pages = render.pageCount ? ' · ' + render.pageCount + (render.pageCount === 1 ? ' page' : ' pages') : '';
    var li = el('li', { className: 'render-item', 'data-render-id': id, 'data-status': render.status });
    var actions = el('div', { className: 'render-actions' });
    li.append(el('div', { className: 'render-row' }, [
      el('div', { className: 'render-info' }, [
        el('span', { className: 'render-title', text: title }),
        el('span', { className: 'render-meta', text: formatDate(render.createdAt) + pages }),
        el('code', { className: 'render-id', text: id }),
      ]),
      el('span', { className: 'badge badge-' + render.status, text: render.status }),
      actions,
    ]));
    if (render.status !== 'succeeded') return li;
    var sharePanel = el('div', { className: 'render-panel share-panel', id: 'share-panel-' + id, hidden: true });
    var emailPanel = el('div', { className: 'render-panel email-panel', id: 'email-panel-' + id, hidden: true });
    var shareButton = el('button', { type: 'button', className: 'btn btn-small share-button', 'aria-expanded': 'false',
      'aria-controls': sharePanel.id, 'aria-label': 'Share ' + title, text: 'Share' });
    var emailButton = el('button', { type: 'button', className: 'btn btn-small email-button', 'aria-expanded': 'false',
      'aria-controls': emailPanel.id, 'aria-label': 'Email ' + title, text: 'Email' });
    actions.append(
      el('a', { className: 'btn btn-small btn-link', href: '/api/renders/' + encodeURIComponent(id) + '/pdf', target: '_blank',
        rel: 'noopener', 'aria-label': 'PDF of ' + title, text: 'PDF' }),
      shareButton, emailButton);
    li.append(sharePanel, emailPanel);
    shareButton.addEventListener('click', function () { togglePanel(shareButton, sharePanel, function () { openShare(id, sharePanel); }); });
    emailButton.addEventListener('click', function () { togglePanel(emailButton, emailPanel, function () { openEmail(id, emailPanel); }); });
    return li;
  }

  // Lists the org's embed renders; an item already shown keeps its node (and its open panels) while its status is the same.
  function loadRenders() {
    if (listing) return listing;
    var status = $('renders-status');
    status.textContent = 'Loading documents…';
    status.classList.remove('error');
    listing = callJSON('GET', '/api/renders').then(function (result) {
      listing = null;
      if (!result.ok) {
        status.textContent = 'Could not list the documents: ' + errorText(result);
        status.classList.add('error');
        return;
      }
      var list = $('renders');
      var existing = {};
      Array.prototype.forEach.call(list.children, function (li) { existing[li.dataset.renderId] = li; });
      var items = (result.data.data || []).map(function (render) {
        var old = existing[render.id];
        return old && old.dataset.status === render.status ? old : renderItem(render);
      });
      var same = items.length === list.children.length && items.every(function (li, i) { return list.children[i] === li; });
      if (!same) list.replaceChildren.apply(list, items);
      var done = items.filter(function (li) { return li.dataset.status === 'succeeded'; }).length;
      status.textContent = items.length ? items.length + (items.length === 1 ? ' document, ' : ' documents, ') + done + ' finished.' : '';
      list.dataset.loaded = 'true';
    });
    return listing;
  }

  function toggleEvents(open) {
    var drawer = $('event-drawer');
    if (open === undefined) open = drawer.hidden;
    drawer.hidden = !open;
    $('toggle-events').setAttribute('aria-expanded', String(open));
    if (open) $('close-events').focus();
  }

  // The builder fills the viewport below the header (host.css reads --topbar-height).
  function trackTopbar() {
    var bar = $('topbar');
    var set = function () { document.documentElement.style.setProperty('--topbar-height', bar.offsetHeight + 'px'); };
    set();
    if (window.ResizeObserver) new ResizeObserver(set).observe(bar);
  }

  function snippet() {
    return [
      '<script src="' + apiBase + '/sdk/craftkit-embed.js"></script>',
      '<div id="craftkit"></div>',
      '<script>',
      '  const { sessionToken, sessionId } = await fetch("/api/sessions", {',
      '    method: "POST", body: JSON.stringify({ mode: "fill" }) }).then(r => r.json());',
      '  const handle = Craftkit.mountForm({',
      '    container: "#craftkit", sessionToken, autoResize: true,',
      '    refresh: () => fetch("/api/refresh", { method: "POST",',
      '      body: JSON.stringify({ sessionId }) }).then(r => r.json()).then(b => b.sessionToken),',
      '  });',
      '  handle.on("render.succeeded", ({ renderId }) => console.log(renderId));',
      '</script>',
    ].join('\n');
  }

  async function init() {
    Object.keys(kinds).forEach(function (kind) {
      $('mount-' + kind).addEventListener('click', function () { mount(kind); });
    });
    $('unmount').addEventListener('click', function () { unmount(); setStatus('Closed.'); });
    $('clear-events').addEventListener('click', function () {
      $('events').replaceChildren();
      $('event-count').textContent = '0';
      $('toggle-events').classList.remove('has-error');
    });
    $('toggle-events').addEventListener('click', function () { toggleEvents(); });
    $('close-events').addEventListener('click', function () { toggleEvents(false); $('toggle-events').focus(); });
    document.addEventListener('keydown', function (event) {
      if (event.key === 'Escape' && !$('event-drawer').hidden) { toggleEvents(false); $('toggle-events').focus(); }
    });
    trackTopbar();
    $('copy-snippet').addEventListener('click', function () {
      navigator.clipboard && navigator.clipboard.writeText($('snippet').textContent).then(function () { setStatus('Snippet copied.'); });
    });
    $('refresh-renders').addEventListener('click', function () { loadRenders(); });
    loadRenders();
    try {
      var config = await fetch('/api/config').then(function (r) { return r.json(); });
      apiBase = (params.get('api') || config.api || '').replace(/\/+$/, '');
    } catch (error) {
      apiBase = (params.get('api') || '').replace(/\/+$/, '');
    }
    if (!apiBase) { setStatus('No Craftkit server configured.', true); return; }
    $('snippet').textContent = snippet();
    loadSdk(apiBase).catch(function (error) { setStatus(error.message, true); });
    var initial = params.get('mount');
    if (initial) mount(initial);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init); else init();
})();
