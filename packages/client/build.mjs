// tsc rewrites `.ts` import extensions in the JavaScript it emits but not in declarations:
// point the declarations at `.js` too, so consumers' TypeScript resolves them.
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';

const dist = new URL('./dist/', import.meta.url);
for (const file of await readdir(dist)) {
  if (!file.endsWith('.d.ts')) continue;
  const url = new URL(file, dist);
  const text = await readFile(url, 'utf8');
  await writeFile(url, text.replace(/(from\s+['"]\.{1,2}\/[^'"]+)\.ts(['"])/g, '$1.js$2'));
}
await rm(new URL('schema.js.map', dist), { force: true });
