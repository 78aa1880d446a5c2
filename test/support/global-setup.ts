import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

// SWITCHBOARD_TEST_PG_PROBE_URL lets a test of this fallback point the probe at a closed port.
const LOCAL = process.env.SWITCHBOARD_TEST_PG_PROBE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

async function answers(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

/**
 * On Ctrl-C vitest exits without its teardown, while the server (which got the signal too) is still
 * shutting down: a detached process removes the folder once the server has let go of it.
 */
function removeWhenStopped(dir: string) {
  if (!existsSync(dir)) return; // the teardown ran
  const script = `const { existsSync, rmSync } = require('node:fs');
    const [dir, pidFile] = process.argv.slice(1), until = Date.now() + 30_000;
    (function wait() {
      if (existsSync(pidFile) && Date.now() < until) return setTimeout(wait, 100);
      rmSync(dir, { recursive: true, force: true });
    })();`;
  spawn(process.execPath, ['-e', script, dir, join(dir, 'pg', 'postmaster.pid')], { detached: true, stdio: 'ignore' }).unref();
}

/**
 * Picks the PostgreSQL for the run (vitest globalSetup; `npm run bench` calls it too): DATABASE_URL,
 * else the local one if it answers, else an embedded one started here and stopped by the returned
 * teardown. The choice reaches test files through SWITCHBOARD_TEST_ADMIN_URL, set before vitest
 * forks its workers, so processes that tests spawn inherit it as well.
 */
export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.DATABASE_URL) return undefined;
  if (await answers(LOCAL)) {
    process.env.SWITCHBOARD_TEST_ADMIN_URL = LOCAL;
    return undefined;
  }
  const { startEmbeddedPostgres } = await import('../../runtime/src/db/embedded.ts');
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-test-pg-'));
  // mkdtemp makes a private folder; as root the server runs as `postgres`, which must enter it.
  await chmod(dir, 0o755);
  process.once('exit', () => removeWhenStopped(dir));
  console.log(`no PostgreSQL answers at ${LOCAL}: starting an embedded one in ${dir}`);
  const started = Date.now();
  const embedded = await startEmbeddedPostgres({ dataDir: join(dir, 'pg') }).catch(async (err) => {
    await rm(dir, { recursive: true, force: true });
    throw err;
  });
  console.log(`embedded PostgreSQL ready in ${Date.now() - started} ms at ${embedded.url}`);
  process.env.SWITCHBOARD_TEST_ADMIN_URL = embedded.url;
  return async () => {
    await embedded.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
