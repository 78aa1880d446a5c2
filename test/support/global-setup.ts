import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

const LOCAL = process.env.SWITCHBOARD_TEST_PG_PROBE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

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

/** Picks the PostgreSQL for the run; starts an embedded one only when no real one answers. */
export default async function setup() {
  if (process.env.DATABASE_URL) return;
  if (await answers(LOCAL)) {
    process.env.SWITCHBOARD_TEST_ADMIN_URL = LOCAL;
    return;
  }
  const { startEmbeddedPostgres } = await import('../../runtime/src/db/embedded.ts');
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-test-pg-'));
  console.log(`no PostgreSQL at ${LOCAL}: starting an embedded one in ${dir}`);
  const embedded = await startEmbeddedPostgres({ dataDir: join(dir, 'pg') });
  process.env.SWITCHBOARD_TEST_ADMIN_URL = embedded.url;
  return async () => {
    await embedded.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
