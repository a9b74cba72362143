// The live preview: the server's PNG pages of the current draft with sample data, so the preview is
// the PDF. It is kept up to date in every view, so switching to it shows the current pages at once.
import { t } from './ck-i18n.js';
import { h, debounce } from './ck-dom.js';
import { api } from './ck-session.js';
import { pageGeometry } from './builder-model.js';
import { fitZoom } from './builder-canvas.js';
import { icon, button } from './builder-icons.js';

const PREVIEW_MS = 300;

/** `layout()` is the document as it is saved; `handleError` takes the failures a banner should show. */
export function livePreview(app, { layout: currentLayout, handleError }) {
  const state = { seq: 0, urls: [], controller: null };

  async function refresh() {
    if (app.sessionLost || !app.els.preview) return;
    // Only the newest request may draw: an older answer arriving late would show a stale page.
    const seq = ++state.seq;
    state.controller?.abort();
    const controller = (state.controller = new AbortController());
    const layout = currentLayout();
    const geometry = pageGeometry(layout.page);
    const width = (app.els.preview.clientWidth || app.els.center.clientWidth / 2) - 48;
    const dpi = Math.max(72, Math.min(150, Math.round((72 * width * (window.devicePixelRatio || 1)) / geometry.width)));
    const { preview: section, previewStatus: status } = app.els;
    section.classList.add('ck-preview-loading');
    status.textContent = t('preview.rendering');
    try {
      const request = (page) => api('POST', '/v1/embed/preview', { layout, format: 'png', page, dpi }, { blob: true, signal: controller.signal });
      const first = await request(1);
      const count = Math.max(1, Math.min(30, Number(first.headers.get('x-craftkit-page-count')) || 1));
      const rest = await Promise.all(Array.from({ length: count - 1 }, (_, i) => request(i + 2)));
      if (seq !== state.seq) return;
      showPages([first, ...rest].map((r) => r.blob), geometry);
      app.els.previewError.hidden = true;
      status.textContent = t(count === 1 ? 'preview.onePage' : 'preview.pages', { count });
    } catch (error) {
      if (error?.name === 'AbortError' || seq !== state.seq) return;
      if (error?.status === 401) handleError(error, 'preview');
      else showError(error.code === 'network_offline' ? t('preview.offline') : error.message, error?.status !== 422);
      status.textContent = t('preview.failed');
    } finally {
      if (seq === state.seq) section.classList.remove('ck-preview-loading');
    }
  }

  function showPages(blobs, geometry) {
    for (const url of state.urls) URL.revokeObjectURL(url);
    state.urls = blobs.map((b) => URL.createObjectURL(b));
    const params = (i) => ({ page: i + 1, count: blobs.length });
    // Width/height attributes reserve the page's box, so nothing shifts when the image arrives.
    app.els.previewPages.replaceChildren(...state.urls.map((src, i) => h('figure', { class: 'ck-preview-page', dataset: { page: String(i + 1) } },
      h('img', { src, alt: t('preview.pageAlt', params(i)), width: Math.round(geometry.width * 4 / 3), height: Math.round(geometry.height * 4 / 3) }),
      h('figcaption', {}, t('preview.pageLabel', params(i))))));
  }

  function showError(message, retry) {
    const { previewError, previewPages } = app.els;
    previewError.replaceChildren(icon('warning'), h('div', {}, h('strong', {}, t('preview.errorTitle')), h('div', { class: 'ck-preview-error-message' }, message)),
      retry ? button('ck-button ck-button-small', t('common.retry'), () => refresh()) : '');
    previewError.hidden = false;
    if (!previewPages.querySelector('img')) previewPages.replaceChildren(h('div', { class: 'ck-preview-empty' }, t('preview.nothingYet')));
  }

  /** Design (canvas only), split (canvas and preview) or preview (pages only). */
  function setView(view) {
    app.view = view;
    app.els.workspace.dataset.view = view;
    for (const b of app.els.viewToggle.children) b.setAttribute('aria-pressed', String(b.dataset.view === view));
    app.els.preview.hidden = view === 'design';
    app.els.canvas.hidden = view === 'preview';
    requestAnimationFrame(() => fitZoom(app.els.canvas));
    if (view !== 'design') refresh();
  }

  return { refresh, schedule: debounce(refresh, PREVIEW_MS), setView };
}
