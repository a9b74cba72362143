// Stroke icons (24×24, drawn for Craftkit; no third-party artwork) and the builder's button helpers.
import { h } from './ck-dom.js';

const paths = {
  undo: 'M9 14 4 9l5-5M4 9h10.5a5.5 5.5 0 0 1 0 11H11',
  redo: 'm15 14 5-5-5-5M20 9H9.5a5.5 5.5 0 0 0 0 11H13',
  eye: 'M2 12s3.5-7 10-7 10 7 10 7-3.5 7-10 7S2 12 2 12ZM12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6Z',
  grip: 'M9 5h.01M9 12h.01M9 19h.01M15 5h.01M15 12h.01M15 19h.01',
  plus: 'M12 5v14M5 12h14',
  trash: 'M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3',
  copy: 'M9 9h11v11H9zM5 15H4V4h11v1',
  up: 'm6 15 6-6 6 6',
  down: 'm6 9 6 6 6-6',
  chevron: 'm9 6 6 6-6 6',
  search: 'M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14ZM20 20l-3.5-3.5',
  close: 'M6 6l12 12M18 6 6 18',
  image: 'M4 5h16v14H4zM4 16l5-5 4 4 2-2 5 5M15 9.5h.01',
  table: 'M4 5h16v14H4zM4 10h16M4 15h16M10 10v9',
  heading: 'M6 5v14M18 5v14M6 12h12',
  paragraph: 'M4 7h16M4 12h16M4 17h10',
  keyValue: 'M4 7h5M4 12h5M4 17h5M12 7h8M12 12h8M12 17h8',
  divider: 'M3 12h18',
  spacer: 'M12 4v16M8 8l4-4 4 4M8 16l4 4 4-4',
  signature: 'M3 17c3-8 5-8 6-4s2 4 4 0 3-3 4 1M3 21h18',
  pageBreak: 'M4 4v5h16V4M4 20v-5h16v5M3 12h2M9 12h2M13 12h2M19 12h2',
  loop: 'M17 2l4 4-4 4M3 11V9a3 3 0 0 1 3-3h15M7 22l-4-4 4-4M21 13v2a3 3 0 0 1-3 3H3',
  doc: 'M14 3H6v18h12V7zM14 3v4h4M9 12h6M9 16h6',
  block: 'M4 4h16v16H4z',
  check: 'm5 12 5 5 9-10',
  upload: 'M12 16V4M7 9l5-5 5 5M4 20h16',
  rollback: 'M3 12a9 9 0 1 0 3-6.7L3 8M3 3v5h5',
  warning: 'M12 3 2 20h20zM12 10v4M12 17h.01',
  send: 'M4 12 20 4l-5 16-3-7zM12 13l8-9',
  save: 'M5 4h11l3 3v13H5zM8 4v5h7V4M8 20v-6h8v6',
};

const SVG = 'http://www.w3.org/2000/svg';

export function icon(name, size = 16) {
  const svg = document.createElementNS(SVG, 'svg');
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', paths[name] || paths.block);
  svg.append(path);
  for (const [key, value] of Object.entries({ viewBox: '0 0 24 24', width: size, height: size, 'aria-hidden': 'true', focusable: 'false', class: `ck-icon ck-icon-${name}` })) {
    svg.setAttribute(key, String(value));
  }
  return svg;
}

/** A type=button with an optional leading icon (`attrs.icon`). */
export function button(className, label, onclick, { icon: name, ...attrs } = {}) {
  return h('button', { class: className, type: 'button', onclick, ...attrs }, name ? icon(name) : null, label);
}

/** An icon-only button; `label` is both its tooltip and its accessible name. */
export function iconButton(name, label, onclick, attrs = {}) {
  return h('button', { class: 'ck-icon-button', type: 'button', title: label, 'aria-label': label, onclick, ...attrs }, icon(name));
}
