// Inline SVG charts drawn from the stats API. Readable without colour: failures are hatched, p95 is
// dashed, every chart has a text summary and labelled axes.
import { h, svg, formatMillis, formatNumber, formatPercent, formatDate } from './console-ui.js';
import { t, locale } from './console-strings.js';

const W = 640;
const H = 200;
const PAD = { left: 44, right: 12, top: 14, bottom: 28 };

let patternCount = 0;

function frame(label, width = W, height = H) {
  return svg('svg', { class: 'ck-chart-svg', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label });
}

function hatch(id) {
  return svg('pattern', { id, width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
    svg('rect', { width: 6, height: 6, class: 'ck-chart-failed-bg' }),
    svg('line', { x1: 0, y1: 0, x2: 0, y2: 6, class: 'ck-chart-failed-line' }));
}

function tickLabel(iso, window) {
  const date = new Date(iso);
  return window === '24h'
    ? new Intl.DateTimeFormat(locale(), { hour: '2-digit', minute: '2-digit' }).format(date)
    : new Intl.DateTimeFormat(locale(), { day: 'numeric', month: 'short' }).format(date);
}

function axes(root, max, buckets, window, format) {
  const plotH = H - PAD.top - PAD.bottom;
  root.append(svg('line', { x1: PAD.left, y1: H - PAD.bottom, x2: W - PAD.right, y2: H - PAD.bottom, class: 'ck-chart-axis' }));
  for (const fraction of [0, 0.5, 1]) {
    const y = H - PAD.bottom - plotH * fraction;
    root.append(svg('line', { x1: PAD.left, y1: y, x2: W - PAD.right, y2: y, class: 'ck-chart-grid' }));
    root.append(svg('text', { x: PAD.left - 6, y: y + 4, 'text-anchor': 'end', class: 'ck-chart-label' }, format(max * fraction)));
  }
  const step = (W - PAD.left - PAD.right) / buckets.length;
  const every = window === '24h' ? 6 : 7;
  buckets.forEach((bucket, index) => {
    if (index % every !== 0) return;
    root.append(svg('text', { x: PAD.left + step * index + step / 2, y: H - 8, 'text-anchor': 'middle', class: 'ck-chart-label' }, tickLabel(bucket.start, window)));
  });
  return step;
}

/** Renders per bucket: succeeded solid, failed hatched on top. */
export function rendersChart(stats) {
  const unit = t(stats.window === '24h' ? 'unit.hour' : 'unit.day');
  const buckets = stats.buckets;
  const max = Math.max(1, ...buckets.map((b) => b.renders));
  const summary = t('chart.rendersSummary', { total: stats.totals.renders, failed: stats.totals.failed, unit, max: Math.max(0, ...buckets.map((b) => b.renders)) });
  const root = frame(summary);
  const id = `ck-hatch-${++patternCount}`;
  root.append(svg('defs', {}, hatch(id)));
  const step = axes(root, max, buckets, stats.window, (v) => formatNumber(Math.round(v)));
  const plotH = H - PAD.top - PAD.bottom;
  buckets.forEach((bucket, index) => {
    const x = PAD.left + step * index + step * 0.15;
    const width = step * 0.7;
    const okH = (bucket.succeeded / max) * plotH;
    const failH = (bucket.failed / max) * plotH;
    const otherH = ((bucket.renders - bucket.succeeded - bucket.failed) / max) * plotH;
    const base = H - PAD.bottom;
    const title = `${tickLabel(bucket.start, stats.window)}: ${bucket.renders} (${bucket.failed} ${t('chart.failed')})`;
    const group = svg('g', { class: 'ck-chart-bar' }, svg('title', {}, title));
    if (okH > 0) group.append(svg('rect', { x, y: base - okH, width, height: okH, class: 'ck-chart-succeeded' }));
    if (otherH > 0) group.append(svg('rect', { x, y: base - okH - otherH, width, height: otherH, class: 'ck-chart-other' }));
    if (failH > 0) group.append(svg('rect', { x, y: base - okH - otherH - failH, width, height: failH, fill: `url(#${id})`, class: 'ck-chart-failed' }));
    root.append(group);
  });
  const legend = h('ul.ck-legend', {},
    h('li', {}, h('span.ck-swatch.ck-swatch-succeeded', { 'aria-hidden': 'true' }), t('chart.succeeded')),
    h('li', {}, h('span.ck-swatch.ck-swatch-failed', { 'aria-hidden': 'true' }), t('chart.failed')));
  return h('figure.ck-chart', { 'data-chart': 'renders' },
    h('figcaption', {}, t('overview.rendersChart', { unit })), root, legend, h('p.ck-chart-summary', {}, summary));
}

/** p50 (solid) and p95 (dashed) render time per bucket. */
export function timeChart(stats) {
  const buckets = stats.buckets;
  const values = buckets.flatMap((b) => [b.p50Ms, b.p95Ms]).filter((v) => v !== undefined && v !== null);
  const max = Math.max(1, ...values);
  const summary = t('chart.timeSummary', { p50: formatMillis(stats.totals.p50Ms), p95: formatMillis(stats.totals.p95Ms) });
  const root = frame(summary);
  const step = axes(root, max, buckets, stats.window, (v) => formatMillis(Math.round(v)));
  const plotH = H - PAD.top - PAD.bottom;
  for (const [key, className] of [['p50Ms', 'ck-chart-p50'], ['p95Ms', 'ck-chart-p95']]) {
    const points = [];
    buckets.forEach((bucket, index) => {
      const value = bucket[key];
      if (value === undefined || value === null) return;
      points.push([PAD.left + step * index + step / 2, H - PAD.bottom - (value / max) * plotH, bucket, value]);
    });
    if (points.length > 1) root.append(svg('polyline', { points: points.map((p) => `${p[0].toFixed(1)},${p[1].toFixed(1)}`).join(' '), class: className }));
    for (const [x, y, bucket, value] of points) {
      root.append(svg('circle', { cx: x, cy: y, r: 3, class: className },
        svg('title', {}, `${tickLabel(bucket.start, stats.window)} ${key === 'p50Ms' ? 'p50' : 'p95'}: ${formatMillis(value)}`)));
    }
  }
  const legend = h('ul.ck-legend', {},
    h('li', {}, h('span.ck-swatch.ck-swatch-p50', { 'aria-hidden': 'true' }), t('chart.p50')),
    h('li', {}, h('span.ck-swatch.ck-swatch-p95', { 'aria-hidden': 'true' }), t('chart.p95')));
  return h('figure.ck-chart', { 'data-chart': 'time' }, h('figcaption', {}, t('overview.timeChart')), root, legend, h('p.ck-chart-summary', {}, summary));
}

/** Failure rate per template as labelled horizontal bars. */
export function failuresChart(stats) {
  const rows = stats.byTemplate.slice(0, 10);
  const body = rows.length
    ? h('ul.ck-hbars', {}, rows.map((row) => h('li.ck-hbar', {},
      h('span.ck-hbar-label', {}, row.template),
      h('span.ck-hbar-track', { 'aria-hidden': 'true' }, h('span.ck-hbar-fill', { style: null, dataset: { rate: String(row.failureRate) } })),
      h('span.ck-hbar-value', {}, `${formatPercent(row.failureRate)} (${row.failed}/${row.renders})`))))
    : h('p.ck-chart-summary', {}, t('chart.noData'));
  // Widths are set through CSSOM (no inline style attribute under the CSP).
  for (const fill of body.querySelectorAll?.('.ck-hbar-fill') || []) fill.style.width = `${Math.max(0, Math.min(1, Number(fill.dataset.rate))) * 100}%`;
  return h('figure.ck-chart', { 'data-chart': 'failures' }, h('figcaption', {}, t('overview.failuresChart')), body);
}

/** A small line of values (the stat cards' 24-hour trend). */
export function sparkline(values, label) {
  const width = 120;
  const height = 28;
  const max = Math.max(1, ...values.map((v) => v || 0));
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - 2 - ((v || 0) / max) * (height - 4)).toFixed(1)}`).join(' ');
  return svg('svg', { class: 'ck-spark', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label, preserveAspectRatio: 'none' },
    svg('polyline', { points, class: 'ck-spark-line' }));
}

/** A bar showing a success rate, with its number. */
export function rateBar(rate, label) {
  const bar = h('span.ck-rate-fill');
  bar.style.width = `${rate === null || rate === undefined ? 0 : Math.round(rate * 100)}%`;
  return h('div.ck-rate', { role: 'img', 'aria-label': `${label}: ${formatPercent(rate)}` }, h('span.ck-rate-track', { 'aria-hidden': 'true' }, bar), h('span.ck-rate-value', {}, formatPercent(rate)));
}

export { formatDate };
