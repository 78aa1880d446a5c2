import { randomBytes } from 'node:crypto';
import pg from 'pg';

// The PostgreSQL tests run against: DATABASE_URL when set, else the machine's local one,
// else the embedded one that global-setup started (it exports the URL to the workers).
export function adminUrl(): string {
  const url = process.env.DATABASE_URL || process.env.SWITCHBOARD_TEST_ADMIN_URL;
  if (!url) throw new Error('no test PostgreSQL: global-setup did not run (use `npm test`)');
  return url;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** A fresh database of its own per test file, so files run in parallel without sharing state. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `sb_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client(adminUrl());
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(adminUrl(), name),
    async drop() {
      const c = new pg.Client(adminUrl());
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
