// Document-model helpers: tokens, block defaults, page geometry, the manifest (its diff against the
// last version is in builder-publish.js).
// The builder edits the native document model (docs/document-model.md) directly.

const TOKEN_RE = /\{\{\s*([^{}]*?)\s*\}\}/g;

export const BLOCK_TYPES = ['heading', 'paragraph', 'table', 'image', 'keyValue', 'divider', 'spacer', 'signature', 'pageBreak'];
export const TEXT_TYPES = ['heading', 'paragraph', 'text'];

export const clone = (value) => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

/** A copy of a stored layout ready to edit (a default page), or null if it is not a native layout. */
export function normalizeLayout(layout) {
  if (!Array.isArray(layout?.blocks)) return null;
  const doc = clone(layout);
  doc.page ||= { size: 'A4', orientation: 'portrait', margins: '20mm' };
  return doc;
}

/** "customer.name | money:EUR" → {path, formatters} */
export function parseToken(inner) {
  const [path, ...formatters] = String(inner).split('|').map((part) => part.trim());
  return { path, formatters };
}

/** Splits a text into [{text}] and [{token}] segments. */
export function splitText(text) {
  const out = [];
  const source = String(text ?? '');
  let last = 0;
  for (const match of source.matchAll(TOKEN_RE)) {
    if (match.index > last) out.push({ text: source.slice(last, match.index) });
    out.push({ token: match[1] });
    last = match.index + match[0].length;
  }
  if (last < source.length) out.push({ text: source.slice(last) });
  return out;
}

/** The first token of a string (image sources, signatures), or undefined. */
export const firstToken = (text) => splitText(text).find((s) => s.token !== undefined)?.token;

/** The plain text of a text block (runs are flattened; editing turns them into `text`). */
export function blockText(block) {
  if (typeof block.text === 'string') return block.text;
  return Array.isArray(block.runs) ? block.runs.map((run) => run?.text ?? '').join('') : '';
}

/** The token text for a catalog field: numbers and dates keep the catalog's formatter. */
export function tokenFor(field) {
  return field?.format && /^(money|currency|date|datetime|number|percent):?/.test(field.format) ? `${field.key} | ${field.format}` : field.key;
}

/** A loop column's cell: currency fields get a money formatter even without a catalog format. */
function cellFor(field) {
  const format = typeof field.format === 'string' ? field.format.trim() : '';
  if (/^(money|currency):[A-Za-z]{3}$/.test(format)) return `{{${field.key} | ${format}}}`;
  return field.dataType === 'currency' && !format ? `{{${field.key} | money:EUR}}` : `{{${field.key}}}`;
}

const numericTypes = ['number', 'currency', 'integer', 'decimal', 'percent'];

/** A table bound to a catalog loop: one column per item field. */
export function loopTable(loop) {
  return {
    type: 'table', loop: loop.key, style: { borders: 'horizontal' },
    columns: (loop.itemFields || []).map((field) => ({
      header: field.label || field.key, cell: cellFor(field), ...(numericTypes.includes(field.dataType) ? { align: 'right' } : {}),
    })),
  };
}

export function newBlock(type, t) {
  const column = (n) => ({ header: t('default.column', { n }), cell: '' });
  return {
    heading: { type, level: 2, text: '' },
    table: { type, columns: [column(1), column(2)], rows: [['', '']], style: { borders: 'horizontal' } },
    image: { type, src: '', width: 160, align: 'left' },
    keyValue: { type, items: [{ label: t('default.label'), value: '' }] },
    divider: { type },
    spacer: { type, height: 16 },
    signature: { type, caption: t('default.signature'), width: 200 },
    pageBreak: { type },
  }[type] || { type: 'paragraph', text: '' };
}

// Page geometry, in points.
export const PAGE_SIZES = { A3: [842, 1191], A4: [595, 842], A5: [420, 595], Letter: [612, 792], Legal: [612, 1008] };

function toPoints(value, fallback) {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  const match = /^\s*(-?[\d.]+)\s*(pt|mm|cm|in|px)?\s*$/.exec(String(value ?? ''));
  if (!match) return fallback;
  const n = Number(match[1]);
  return { pt: n, mm: (n * 72) / 25.4, cm: (n * 720) / 25.4, in: n * 72, px: n * 0.75 }[match[2] || 'pt'];
}

export function pageGeometry(page = {}) {
  let [width, height] = PAGE_SIZES.A4;
  if (PAGE_SIZES[page.size]) [width, height] = PAGE_SIZES[page.size];
  else if (page.size && typeof page.size === 'object') { width = toPoints(page.size.width, width); height = toPoints(page.size.height, height); }
  if (page.orientation === 'landscape') [width, height] = [height, width];
  const fallback = (20 * 72) / 25.4;
  const m = page.margins;
  const margins = m && typeof m === 'object'
    ? ['top', 'right', 'bottom', 'left'].map((side) => toPoints(m[side], fallback))
    : Array(4).fill(toPoints(m, fallback));
  return { width, height, margins };
}

export const mmOf = (points) => Math.round(((points * 25.4) / 72) * 10) / 10;

/**
 * Indexes the catalog, plus the variables and loops the template declares itself, by key. A template
 * made from a manifest (POST /v1/templates) or against another catalog declares lists the session's
 * catalog lacks, or item fields it lacks: inside such a loop those fields are known, not typos.
 */
export function indexCatalog(catalog, customVariables = [], templateLoops = []) {
  const variables = new Map();
  for (const namespace of catalog?.namespaces || []) {
    for (const field of namespace.fields || []) variables.set(field.key, { ...field, namespace: namespace.key });
  }
  for (const field of customVariables) if (!variables.has(field.key)) variables.set(field.key, { ...field, custom: true });
  const loops = new Map((catalog?.loops || []).map((loop) => [loop.key, loop]));
  for (const loop of templateLoops) {
    if (!loop?.key) continue;
    const known = loops.get(loop.key);
    const fields = (loop.itemFields || []).filter((f) => f?.key && !known?.itemFields?.some((k) => k.key === f.key));
    if (!known) loops.set(loop.key, { ...loop, itemFields: fields, custom: true });
    else if (fields.length) loops.set(loop.key, { ...known, itemFields: [...(known.itemFields || []), ...fields] });
  }
  return { variables, loops };
}

/** What a stored template declares (its layout's and its last manifest's `variables` and `loops`), once per key. */
export function declaredByTemplate(...sources) {
  const once = (items) => {
    const byKey = new Map();
    for (const item of items) if (item?.key && !byKey.has(item.key)) byKey.set(item.key, item); // the first source wins
    return [...byKey.values()];
  };
  const present = sources.filter(Boolean);
  return {
    variables: once(present.flatMap((s) => (Array.isArray(s.variables) ? s.variables : []))),
    loops: once(present.flatMap((s) => (Array.isArray(s.loops) ? s.loops : []))),
  };
}

const ignoredPaths = new Set(['page', 'pages', 'this']);
const skippedKeys = new Set(['variables', 'loops', 'type', 'loop', 'version', 'style', 'page', 'locale']);

/**
 * Every token path the document uses: {variables: Set, loops: Map(loopKey → Set(field))}. Inside a
 * loop a token is a loop field unless the catalog knows it as a root variable and the loop does not.
 */
function collectUsage(doc, index) {
  const variables = new Set();
  const loops = new Map();
  const scan = (text, loop) => {
    for (const match of text.matchAll(TOKEN_RE)) {
      const { path } = parseToken(match[1]);
      if (!path || ignoredPaths.has(path) || path.startsWith('@')) continue;
      const isField = loop && index.loops.get(loop)?.itemFields?.some((f) => f.key === path);
      if (loop && (isField || !index.variables.has(path))) loops.get(loop).add(path);
      else variables.add(path);
    }
  };
  const walk = (node, loop) => {
    if (typeof node === 'string') return scan(node, loop);
    if (Array.isArray(node)) return node.forEach((item) => walk(item, loop));
    if (!node || typeof node !== 'object') return;
    let inner = loop;
    if (typeof node.loop === 'string' && node.loop) {
      inner = node.loop;
      if (!loops.has(inner)) loops.set(inner, new Set());
    }
    for (const [key, value] of Object.entries(node)) {
      if (!skippedKeys.has(key)) walk(value, ['totals', 'empty', 'emptyText'].includes(key) ? loop : inner);
    }
  };
  walk({ meta: doc.meta, header: doc.header, footer: doc.footer, blocks: doc.blocks }, null);
  return { variables, loops };
}

const definition = (field) => ({
  key: field.key, label: field.label || field.key, dataType: field.dataType || 'text', required: !!field.required,
  ...(field.format ? { format: field.format } : {}),
});

/** The manifest ({variables, loops}) the document declares, from the catalog definitions it uses. */
export function buildManifest(doc, index) {
  const usage = collectUsage(doc, index);
  const variables = [...usage.variables].map((key) => index.variables.get(key)).filter(Boolean).map(definition);
  const loops = [];
  for (const [key, used] of usage.loops) {
    const loop = index.loops.get(key);
    if (!loop) continue;
    const fields = (loop.itemFields || []).filter((f) => used.has(f.key));
    loops.push({ key: loop.key, label: loop.label || loop.key, itemFields: (fields.length ? fields : loop.itemFields || []).map(definition) });
  }
  return { variables, loops };
}
