// `npm test`: runs vitest once with live progress and a JSON report, then prints the plain
// closing line `N passed, N failed` from that report. Non-zero exit on any failure or no test.
import { spawn } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const report = `${root}test/.results/vitest.json`;
await mkdir(`${root}test/.results`, { recursive: true });
await rm(report, { force: true });

const vitest = `${root}node_modules/vitest/vitest.mjs`;
const args = [vitest, 'run', '--config', 'test/vitest.config.ts', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)];
const code = await new Promise<number>((resolve) => {
  const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
  child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
});

let passed = 0, failed = 0, skipped = 0;
try {
  const r = JSON.parse(await readFile(report, 'utf8'));
  passed = r.numPassedTests;
  // A file that fails to load has no failed tests of its own: count it as one failure.
  failed = r.numFailedTests || r.numFailedTestSuites;
  skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
} catch {
  console.error('no vitest report was written');
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(code !== 0 || failed > 0 || passed === 0 ? 1 : 0);
