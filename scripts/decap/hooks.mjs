// Node module hooks used by decap.mjs to load Decap CMS's own ESM sources
// (decap-cms-core/dist/esm) outside the browser: extensionless relative
// imports get their ".js", and the widget registry (which pulls the whole
// React UI) is replaced by one that only holds the widgets' published schemas.
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));

export async function resolve(specifier, context, next) {
  const parent = context.parentURL || '';
  if (specifier === '../lib/registry' && /decap-cms-core\/dist\/esm\/(constants|formats)\//.test(parent)) {
    return { url: pathToFileURL(path.join(here, 'registry.mjs')).href, shortCircuit: true };
  }
  if (specifier === 'ajv-keywords/dist/keywords') {
    return { url: pathToFileURL(path.join(here, 'ajv-keywords.mjs')).href, shortCircuit: true };
  }
  if (specifier === '../lib/i18n' && parent.includes('decap-cms-core/dist/esm/constants/')) {
    return { url: pathToFileURL(path.join(here, 'i18n.mjs')).href, shortCircuit: true };
  }
  try {
    return await next(specifier, context);
  } catch (err) {
    if (err.code === 'ERR_MODULE_NOT_FOUND' || err.code === 'ERR_UNSUPPORTED_DIR_IMPORT') {
      // CommonJS resolution (extension and index.js added) from the importing file.
      const found = createRequire(parent).resolve(specifier);
      return { url: pathToFileURL(found).href, shortCircuit: true };
    }
    throw err;
  }
}
