// ESM face of ajv-keywords/dist/keywords (CommonJS, whose `instanceof` export
// Node cannot detect statically).
import { createRequire } from 'node:module';
const k = createRequire(import.meta.url)('ajv-keywords/dist/keywords');
export const select = k.select;
export const uniqueItemProperties = k.uniqueItemProperties;
export const prohibited = k.prohibited;
const instanceOf = k.instanceof;
export { instanceOf as instanceof };
export default k;
