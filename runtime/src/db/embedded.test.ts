import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from './embedded.ts';

const dir = await mkdtemp(join(tmpdir(), 'switchboard-embedded-'));
// mkdtemp makes a private folder; as root the server runs as `postgres`, which must be able to enter it.
await chmod(dir, 0o755);
afterAll(() => rm(dir, { recursive: true, force: true }));

async function roundTrip(url: string) {
  const c = new pg.Client(url);
  await c.connect();
  try {
    return (await c.query<{ n: number }>('SELECT 41 + 1 AS n')).rows[0]!.n;
  } finally {
    await c.end();
  }
}

describe('embedded PostgreSQL', () => {
  it('initialises a data folder once, serves real queries, stops, and starts again on the same data', async () => {
    const dataDir = join(dir, '.switchboard', 'pg');
    const first = await startEmbeddedPostgres({ dataDir });
    expect(await roundTrip(first.url)).toBe(42);
    const c = new pg.Client(first.url);
    await c.connect();
    await c.query('CREATE TABLE kept (v int); INSERT INTO kept VALUES (7)');
    await c.end();
    await first.stop();
    await expect(roundTrip(first.url)).rejects.toThrow();

    const second = await startEmbeddedPostgres({ dataDir });
    const c2 = new pg.Client(second.url);
    await c2.connect();
    expect((await c2.query('SELECT v FROM kept')).rows).toEqual([{ v: 7 }]);
    await c2.end();
    await second.stop();
  });
});
