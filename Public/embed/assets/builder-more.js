// Support for the builder's lazily loaded parts (publish dialog, versions, dialogs, canvas menus,
// table and image editors): their English strings, their stylesheet and a confirmation dialog. German strings for them
// are in builder-strings-de.js with the rest. Importing this module waits for the stylesheet, so a
// lazily loaded part never shows unstyled.
import { h, modal } from './ck-dom.js';
import { register, t } from './ck-i18n.js';

register({
  en: {
    'inline.title': 'Insert variable',
    'inline.search': 'Type to filter…',
    'loop.onlyInTable': '“{label}” is a list with one entry per item, so it can only go into a table that repeats for each item.',
    'loop.insertTable': 'Insert table',

    'publish.title': 'Publish this template?',
    'publish.intro': 'Version {version} replaces version {current} for new documents. Documents already created keep their version.',
    'publish.introFirst': 'This creates the first version. These fields will be requested when documents are made from it.',
    'publish.noChanges': 'No variable changes since the last version.',
    'publish.removedWarning': 'Systems that still send removed fields are not affected; the values are ignored.',
    'publish.quotaAfter': '{left} of {max} publishes left after this one.',
    'publish.confirm': 'Publish',
    'diff.added': 'Added',
    'diff.removed': 'Removed',
    'diff.changed': 'Changed',
    'diff.required': 'required',
    'diff.typeChanged': 'type {from} → {to}',
    'diff.labelChanged': 'label “{from}” → “{to}”',
    'diff.nowRequired': 'now required',
    'diff.nowOptional': 'now optional',

    'rollback.title': 'Restore version {version}?',
    'rollback.body': 'Version {version} is published again as a new version, and the editor loads it. Your current draft stays in the undo history.',
    'rollback.confirm': 'Restore',
    'rollback.done': 'Version {version} restored as version {newVersion}',
    'delete.title': 'Delete this template?',
    'delete.body': '“{name}” and its versions will no longer be available for new documents.',
    'delete.confirm': 'Delete',
    'delete.doneTitle': 'Template deleted',
    'delete.doneBody': 'You can close this window.',
    'versions.title': 'Versions', 'versions.label': 'Version {version}', 'versions.live': 'Live',
    'versions.rollback': 'Roll back', 'versions.rollbackHint': 'Publish version {version} again',
    'versions.empty': 'Not published yet.', 'versions.error': 'The version history could not be loaded.',

    'custom.title': 'New custom variable',
    'custom.label': 'Label',
    'custom.labelPlaceholder': 'VAT ID',
    'custom.key': 'Key',
    'custom.keyHelp': 'Letters, digits and dots, e.g. customer.vatId. Sent by your system when documents are made.',
    'custom.type': 'Type',
    'custom.add': 'Add variable',
    'custom.invalidKey': 'Use letters, digits, _ and dots for the key (e.g. customer.vatId).',
    'custom.exists': '“{key}” already exists.',

    'table.loop': 'Rows',
    'table.static': 'Fixed rows (no list)',
    'table.loopHelp': 'One row per item. Cells use the item’s fields, e.g. {{description}}.',
    'table.staticHelp': 'Choose a list to repeat a row for each item.',
    'table.columns': 'Columns', 'table.pickField': 'Field…', 'table.addColumn': 'Add column', 'table.removeColumn': 'Remove column',
    'table.width': 'Width', 'table.widthAuto': 'Width: auto', 'table.widthHelp': 'auto, points (80) or a percentage (20%)',
    'table.rows': 'Rows', 'table.addRow': 'Add row', 'table.removeRow': 'Remove last row',
    'table.borders': 'Lines', 'table.showHeader': 'Show header row', 'table.repeatHeader': 'Repeat header on each page',
    'table.emptyText': 'Text when the list is empty', 'table.emptyTextPlaceholder': 'No items',
    'borders.horizontal': 'Between rows', 'borders.all': 'All cells', 'borders.outer': 'Outline only', 'borders.none': 'None',

    'image.source': 'Image', 'image.upload': 'Upload image', 'image.uploaded': 'Uploaded image',
    'image.bind': 'Or use an image variable', 'image.noVariable': 'None',
    'image.width': 'Width (pt)', 'image.height': 'Height (pt)', 'image.auto': 'auto', 'image.fit': 'Fit', 'image.alt': 'Alternative text',
    'fit.contain': 'Fit inside', 'fit.cover': 'Fill and crop', 'fit.fixed': 'Stretch to size',
    'signature.image': 'Signature image',
    'signature.imageHeight': 'Image height (pt)', 'signature.showDetail': 'Show a detail line (name, date)',

    'hf.placeholder.header': 'No header', 'hf.placeholder.footer': 'No footer',
    'hf.pageNumber': 'Page number', 'hf.pageText': 'Page {page} of {pages}',
    'hf.insertVariable': 'Insert variable…', 'hf.inserted': 'Inserted',
    'hf.custom.header': 'This header has a custom layout. It is kept as it is.',
    'hf.custom.footer': 'This footer has a custom layout. It is kept as it is.',
  },
});

/** A yes/no dialog; resolves true on confirm. */
export const confirm = (title, text, label, danger = false) => modal({
  title, body: h('p', {}, text), buttons: [{ label: t('common.cancel'), value: false }, { label, value: true, primary: true, danger }],
});

await new Promise((resolve) => {
  const link = h('link', { rel: 'stylesheet', href: new URL('builder-more.css', import.meta.url).href, onload: resolve, onerror: resolve });
  document.head.append(link);
});
