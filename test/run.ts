// `npm test`: runs vitest once with live progress and a JSON report, then prints the plain
// closing line `N passed, N failed` from that report. Extra arguments go to vitest (`npm test --
// runtime/src/db`). Exits non-zero when a test or a file failed, vitest failed, or no test ran.
import { spawn } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const report = join(root, 'test', '.results', 'vitest.json');
await mkdir(join(root, 'test', '.results'), { recursive: true });
await rm(report, { force: true }); // a stale report must not pass for this run's

// vitest's own entry run with this Node (24), rather than node_modules/.bin/vitest, whose
// `#!/usr/bin/env node` would pick whichever node comes first on PATH.
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const args = ['run', '--config', 'test/vitest.config.ts', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)];

// Ctrl-C reaches vitest too (same process group): let it stop its workers and the embedded
// PostgreSQL, then still print the summary of what ran.
process.on('SIGINT', () => {});
const code = await new Promise<number>((done) => {
  const child = spawn(process.execPath, [vitest, ...args], { cwd: root, stdio: 'inherit' });
  child.on('error', (err) => {
    console.error(`could not start vitest: ${err.message}`);
    done(1);
  });
  child.on('exit', (c, signal) => done(c ?? (signal ? 1 : 0)));
});

type Report = {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testResults: { status: string; assertionResults: { status: string }[] }[];
};

let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const r = JSON.parse(await readFile(report, 'utf8')) as Report;
  passed = r.numPassedTests;
  // A file that failed outside its tests (import error, failing beforeAll/afterAll) counts once.
  const fileFailures = r.testResults.filter((f) => f.status === 'failed' && !f.assertionResults.some((t) => t.status === 'failed')).length;
  failed = r.numFailedTests + fileFailures;
  skipped = r.numPendingTests + r.numTodoTests;
} catch {
  console.error(`vitest wrote no readable report at ${report}`);
}
if (code !== 0 && failed === 0) console.error(`vitest exited with code ${code}`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exitCode = code !== 0 || failed > 0 || passed === 0 ? 1 : 0;
