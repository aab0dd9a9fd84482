// Stand-in for decap-cms-core/lib/registry: the built-in widgets (those the
// decap-cms bundle registers) with the config schema each widget publishes.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';

const require = createRequire(import.meta.url);
const NAMES = ['boolean', 'code', 'colorstring', 'datetime', 'file', 'image', 'list', 'map',
  'markdown', 'number', 'object', 'relation', 'select', 'string', 'text', 'richtext', 'uuid'];

const widgets = [];
for (const name of NAMES) {
  let schema = {};
  const pkg = `decap-cms-widget-${name}`;
  try {
    const file = require.resolve(`${pkg}/package.json`).replace(/package\.json$/, 'dist/esm/schema.js');
    if (existsSync(file)) schema = (await import(file)).default;
  } catch (e) { /* widget without its own schema */ }
  widgets.push({ name, schema });
}
// The select and list widgets of Decap register these aliases too.
export function getWidgets() { return widgets; }
export function getCustomFormatsExtensions() { return {}; }
export function getCustomFormatsFormatters() { return {}; }
