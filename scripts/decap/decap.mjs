// Run parts of Decap CMS itself (its published ESM sources) outside the browser,
// for the tests:
//   validate   stdin {configs: [..]}     -> {errors: [[..], ..]}  Decap's own config schema (ajv)
//   roundtrip  stdin {files: [{path, text, format, order}]}
//                                         -> {files: [{path, text}]}  what a save writes
// Start with:  node --import ./scripts/decap/register.mjs scripts/decap/decap.mjs CMD
import { readFileSync } from 'node:fs';

const input = JSON.parse(readFileSync(0, 'utf8'));
const command = process.argv[2];
let output;

if (command === 'validate') {
  const { validateConfig } = await import('decap-cms-core/dist/esm/constants/configSchema.js');
  output = { errors: input.configs.map(config => {
    try {
      validateConfig(config);
      return [];
    } catch (e) {
      return String(e.message || e).split('\n');
    }
  }) };
} else if (command === 'roundtrip') {
  const { resolveFormat } = await import('decap-cms-core/dist/esm/formats/formats.js');
  const { Map } = await import('immutable');
  output = { files: [] };
  for (const f of input.files) {
    // As the backend does: format from the collection, data from the file,
    // then entryToRaw() with the collection's field order.
    const collection = Map({ format: f.format });
    const format = resolveFormat(collection, { path: f.path });
    const data = format.fromFile(f.text);
    let text = format.toFile(data, f.order || [], {});
    if (text.slice(-1) !== '\n') text += '\n';
    output.files.push({ path: f.path, text });
  }
} else {
  console.error(`unknown command ${command}`);
  process.exit(2);
}
process.stdout.write(JSON.stringify(output));
