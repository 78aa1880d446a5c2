import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { adminUrl, createTestDatabase } from './database.ts';

async function exists(name: string): Promise<boolean> {
  const c = new pg.Client(adminUrl());
  await c.connect();
  try {
    return (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
  } finally {
    await c.end();
  }
}

describe('test databases', () => {
  it('each call makes a fresh database of its own, and drop() removes it even with a connection left open', async () => {
    const [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    const name = (url: string) => new URL(url).pathname.slice(1);
    expect(name(a.url)).toMatch(/^sb_test_[0-9a-f]{12}$/);
    expect(name(a.url)).not.toBe(name(b.url));

    const left = new pg.Client(a.url);
    left.on('error', () => {}); // the forced drop ends this session
    await left.connect();
    expect((await left.query('SELECT current_database() AS db')).rows).toEqual([{ db: name(a.url) }]);
    await left.query('CREATE TABLE t (v int)');

    await a.drop();
    await b.drop();
    expect(await exists(name(a.url))).toBe(false);
    expect(await exists(name(b.url))).toBe(false);
    await left.end().catch(() => {});
  });
});
