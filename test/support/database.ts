import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The PostgreSQL server tests run against: DATABASE_URL when set, else what global-setup chose
 * (the machine's local one, or an embedded one) and handed to the workers in the environment.
 */
export function adminUrl(): string {
  const url = process.env.DATABASE_URL || process.env.SWITCHBOARD_TEST_ADMIN_URL;
  if (!url) throw new Error('no test PostgreSQL: set DATABASE_URL, or run through `npm test` so test/support/global-setup.ts picks one');
  return url;
}

async function admin(sql: string) {
  const c = new pg.Client(adminUrl());
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** A fresh database of its own per test file, so files run in parallel without sharing state. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `sb_test_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    // FORCE ends the connections a test left open (a pool not closed after a failure).
    drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}
