/*!
 * Craftkit embed SDK — mounts the template builder or the form in an iframe on a partner's page.
 * One classic script, no dependencies: <script src="https://craftkit.example/sdk/craftkit-embed.js"></script>
 * defines window.Craftkit = { mountBuilder, mountForm, version }.
 *
 *   const handle = Craftkit.mountForm({
 *     container: '#form',                 // selector or element
 *     sessionToken,                       // minted by your backend
 *     refresh: async () => newToken,      // your backend renews the session (it holds the renew token)
 *     autoResize: true,                   // iframe height follows the content
 *     appearance: { variables: { colorPrimary: '#0a7' } },
 *     baseUrl: 'https://craftkit.example' // default: where this script was loaded from
 *   });
 *   handle.on('render.succeeded', ({ renderId, downloadUrl }) => { ... });
 *   handle.on('*', (payload, name) => { ... });   // every event
 *   handle.send('appearance', {...}); handle.setToken(token); handle.destroy();
 *
 * Events (iframe → host): ready, resize {height}, template.saved, template.published
 * {templateId, version, manifest}, form.submitted {renderId}, render.succeeded {renderId, downloadUrl},
 * close.requested, session.expiring {expiresAt}, session.expired, session.renewed, error {code, message}.
 * Messages are accepted only from the Craftkit origin and only from this handle's iframe.
 */
(function (global) {
  'use strict';
  if (global.Craftkit && global.Craftkit.__craftkitEmbed) return;

  var VERSION = '1.0.0';
  var READY_TIMEOUT_MS = 15000;
  var REFRESH_DELAYS_MS = [0, 1000, 3000, 8000, 15000];
  var scriptSrc = (document.currentScript && document.currentScript.src) || null;

  function defaultBase() {
    if (scriptSrc) {
      try { return new URL(scriptSrc).origin; } catch (e) { /* fall through */ }
    }
    return global.location.origin;
  }

  function resolveContainer(container) {
    var el = typeof container === 'string' ? document.querySelector(container) : container;
    if (!el || typeof el.appendChild !== 'function') throw new Error('Craftkit: container not found: ' + String(container));
    return el;
  }

  function mount(kind, options) {
    options = options || {};
    if (!options.sessionToken || typeof options.sessionToken !== 'string') throw new Error('Craftkit: sessionToken is required');
    var container = resolveContainer(options.container);
    var base = new URL(options.baseUrl || defaultBase(), global.location.href);
    var baseOrigin = base.origin;
    var basePath = base.pathname.replace(/\/+$/, '');
    var listeners = {};
    var pending = [];
    var ready = false;
    var destroyed = false;
    var heardFromFrame = false;
    var refreshing = null;
    var token = options.sessionToken;

    var iframe = document.createElement('iframe');
    iframe.src = baseOrigin + basePath + '/embed/' + kind + '?session_token=' + encodeURIComponent(token) +
      '#ck_host=' + encodeURIComponent(global.location.origin);
    iframe.title = options.title || (kind === 'form' ? 'Craftkit form' : 'Craftkit template builder');
    iframe.setAttribute('allow', 'clipboard-write');
    iframe.setAttribute('referrerpolicy', 'no-referrer');
    iframe.className = 'craftkit-frame craftkit-frame-' + kind;
    iframe.style.border = 'none';
    iframe.style.width = '100%';
    iframe.style.display = 'block';
    iframe.style.colorScheme = 'normal';
    if (options.height) iframe.style.height = typeof options.height === 'number' ? options.height + 'px' : String(options.height);
    else if (options.autoResize) iframe.style.height = (kind === 'form' ? 480 : 640) + 'px';
    else { iframe.style.height = '100%'; iframe.style.minHeight = (kind === 'form' ? 480 : 640) + 'px'; }

    function dispatch(name, payload) {
      var fns = [].concat(listeners[name] || [], listeners['*'] || []);
      for (var i = 0; i < fns.length; i++) {
        try { fns[i].call(handle, payload, name); } catch (e) { setTimeout(function (err) { return function () { throw err; }; }(e)); }
      }
    }

    function post(message) {
      if (destroyed || !iframe.contentWindow) return;
      iframe.contentWindow.postMessage(message, baseOrigin);
    }

    function sendToken(next) {
      token = next;
      post({ source: 'craftkit-host', type: 'craftkit.token', token: next });
    }

    function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

    function renew() {
      if (typeof options.refresh !== 'function' || destroyed) return null;
      if (refreshing) return refreshing;
      refreshing = (async function () {
        var lastError = null;
        for (var i = 0; i < REFRESH_DELAYS_MS.length; i++) {
          if (REFRESH_DELAYS_MS[i]) await sleep(REFRESH_DELAYS_MS[i]);
          if (destroyed) return null;
          try {
            var next = await options.refresh();
            if (typeof next === 'string' && next.split('.').length === 3) { sendToken(next); return next; }
            lastError = new Error('refresh() did not return a session token');
          } catch (e) { lastError = e; }
        }
        dispatch('error', { code: 'refresh_failed', message: (lastError && lastError.message) || 'The session could not be renewed.' });
        return null;
      })();
      refreshing.then(function () { refreshing = null; }, function () { refreshing = null; });
      return refreshing;
    }

    function onMessage(event) {
      if (destroyed || event.origin !== baseOrigin || event.source !== iframe.contentWindow) return;
      var data = event.data;
      if (!data || data.source !== 'craftkit' || typeof data.type !== 'string' || data.type.indexOf('craftkit.') !== 0) return;
      var name = data.type.slice('craftkit.'.length);
      var payload = data.payload && typeof data.payload === 'object' ? data.payload : {};
      heardFromFrame = true;
      clearTimeout(loadTimer);
      if (name === 'ready') {
        ready = true;
        if (options.appearance) post({ source: 'craftkit-host', type: 'craftkit.appearance', payload: options.appearance });
        var queued = pending.splice(0);
        for (var i = 0; i < queued.length; i++) post(queued[i]);
      } else if (name === 'resize') {
        if (options.autoResize && typeof payload.height === 'number' && payload.height > 0) iframe.style.height = Math.ceil(payload.height) + 'px';
      } else if (name === 'session.expiring' || name === 'session.expired') {
        renew();
      }
      dispatch(name, payload);
    }

    var loadTimer = setTimeout(function () {
      if (!ready && !heardFromFrame && !destroyed) dispatch('error', { code: 'iframe_load_failed', message: 'The Craftkit frame did not load.' });
    }, READY_TIMEOUT_MS);
    iframe.addEventListener('error', function () {
      if (!destroyed) dispatch('error', { code: 'iframe_load_failed', message: 'The Craftkit frame could not be loaded.' });
    });

    var handle = {
      kind: kind,
      iframe: iframe,
      on: function (name, fn) {
        if (typeof fn !== 'function') return handle;
        (listeners[name] = listeners[name] || []).push(fn);
        return handle;
      },
      off: function (name, fn) {
        if (!listeners[name]) return handle;
        listeners[name] = fn ? listeners[name].filter(function (f) { return f !== fn; }) : [];
        return handle;
      },
      /** Commands: save, publish, close, appearance (payload = an appearance object). */
      send: function (command, payload) {
        if (destroyed) return handle;
        var message = { source: 'craftkit-host', type: 'craftkit.' + String(command).replace(/^craftkit\./, ''), payload: payload || {} };
        if (ready) post(message); else pending.push(message);
        return handle;
      },
      updateAppearance: function (appearance) { return handle.send('appearance', appearance); },
      /** Passes a renewed session token to the page (normally done for you through `refresh`). */
      setToken: function (next) { if (typeof next === 'string') sendToken(next); return handle; },
      refresh: function () { return renew() || Promise.resolve(null); },
      destroy: function () {
        if (destroyed) return;
        destroyed = true;
        clearTimeout(loadTimer);
        global.removeEventListener('message', onMessage);
        listeners = {};
        pending = [];
        if (iframe.parentNode) iframe.parentNode.removeChild(iframe);
      },
    };

    global.addEventListener('message', onMessage);
    container.appendChild(iframe);
    return handle;
  }

  global.Craftkit = {
    __craftkitEmbed: true,
    version: VERSION,
    mountBuilder: function (options) { return mount('builder', options); },
    mountForm: function (options) { return mount('form', options); },
  };
})(window);
