import { readdir, readFile } from 'node:fs/promises';
import type { Db } from './pool.ts';

const dir = new URL('./migrations/', import.meta.url);

export type Migration = { version: number; name: string; sql: string };

export async function loadMigrations(): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => ({
      version: Number(file.slice(0, 3)),
      name: file.slice(4, -4),
      sql: await readFile(new URL(file, dir), 'utf8'),
    })),
  );
}

/**
 * Applies pending migrations in one transaction under an advisory lock, so several
 * processes starting at once apply each migration exactly once and never see half a schema.
 */
export async function migrate(db: Db): Promise<{ applied: number[]; version: number }> {
  const migrations = await loadMigrations();
  return db.tx(async (q) => {
    await q.query(`SELECT pg_advisory_xact_lock(hashtext('switchboard:migrate'))`);
    await q.query(`CREATE SCHEMA IF NOT EXISTS switchboard`);
    await q.query(`CREATE TABLE IF NOT EXISTS switchboard.schema_migrations (
      version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await q.query<{ version: number }>('SELECT version FROM switchboard.schema_migrations')).rows.map((r) => r.version));
    const applied: number[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await q.query(m.sql);
      await q.query('INSERT INTO switchboard.schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
    return { applied, version: migrations.at(-1)?.version ?? 0 };
  });
}

/** The latest version the code knows and the one the database has: ready when equal. */
export async function migrationStatus(db: Db): Promise<{ expected: number; current: number }> {
  const migrations = await loadMigrations();
  const { rows } = await db.query<{ v: number | null }>(
    `SELECT (SELECT max(version) FROM switchboard.schema_migrations) AS v`,
  ).catch(() => ({ rows: [{ v: null }] }));
  return { expected: migrations.at(-1)?.version ?? 0, current: rows[0]?.v ?? 0 };
}
