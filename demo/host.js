// The demo partner's front end: mints sessions on its own backend (host.py), loads the Craftkit SDK
// from the Craftkit server and mounts the builder or the form. Every SDK event is logged in the
// Events drawer (#events) and pushed to window.ckEvents ({name, payload}) for automated tests.
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
    if (name === 'render.succeeded') setStatus('Document rendered (' + payload.renderId + ').');
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
