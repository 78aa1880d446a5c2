// `npm run bench`: runs every benchmark in this folder (or those named on the command line) in turn.
import { readdir } from 'node:fs/promises';
import selectPostgres from '../support/global-setup.ts';

const here = new URL('./', import.meta.url);
const skip = new Set(['run.ts', 'lib.ts', 'bare-hono.ts']);
const only = process.argv.slice(2);
const files = (await readdir(here)).filter((f) => f.endsWith('.ts') && !skip.has(f) && !f.startsWith('_') && (only.length === 0 || only.some((o) => f.includes(o)))).sort();

// The same PostgreSQL choice as the tests: DATABASE_URL, else the local one, else embedded.
const teardown = await selectPostgres();
for (const file of files) {
  console.log(`\n=== bench: ${file} ===`);
  const started = Date.now();
  const mod = await import(new URL(file, here).href);
  await mod.default();
  console.log(`(${file}: ${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
await teardown?.();
process.exit(0);
