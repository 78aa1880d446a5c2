import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/database.ts';
import { freePort, waitFor } from '../support/net.ts';

const bin = fileURLToPath(new URL('../../runtime/bin/switchboard.ts', import.meta.url));
let database: Awaited<ReturnType<typeof createTestDatabase>>;
const children: ChildProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await database.drop();
});

function runtime(command: string, env: Record<string, string>) {
  const child = spawn(process.execPath, ['--no-node-snapshot', bin, command], {
    env: { PATH: process.env.PATH, DATABASE_URL: database.url, LOG_LEVEL: 'info', SWITCHBOARD_ADMIN_TOKEN: 'sbo_test_admin_token_for_processes', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

describe('runtime processes', () => {
  it('two processes starting at once against one database migrate once and both serve', async () => {
    const [p1, p2] = [await freePort(), await freePort()];
    const a = runtime('start', { PORT: String(p1) });
    const b = runtime('start', { PORT: String(p2) });
    await Promise.all([waitFor(`http://127.0.0.1:${p1}/readyz`, 15_000), waitFor(`http://127.0.0.1:${p2}/readyz`, 15_000)]);
    const client = new pg.Client(database.url);
    await client.connect();
    const { rows } = await client.query(`SELECT version FROM switchboard.schema_migrations ORDER BY version`);
    expect(rows.map((r) => r.version)).toEqual([...new Set(rows.map((r) => r.version))]);
    expect(rows.length).toBeGreaterThan(0);
    await client.end();

    // Graceful shutdown: SIGTERM → in-flight work finishes, exit 0.
    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    expect(await b.exited).toBe(0);
    expect(a.output()).toContain('"msg":"stopped"');
  });

  it('a bad configuration value stops start-up with one line naming the variable', async () => {
    const r = runtime('start', { PORT: 'eighty' });
    expect(await r.exited).toBe(1);
    expect(r.output().trim()).toMatch(/^switchboard: invalid configuration: PORT: /);
    expect(r.output().trim().split('\n')).toHaveLength(1);
  });

  it('generates an admin token on first start, printed once and stored only as a hash', async () => {
    const port = await freePort();
    const fresh = await createTestDatabase();
    try {
      const env = { PORT: String(port), DATABASE_URL: fresh.url, SWITCHBOARD_ADMIN_TOKEN: '' };
      const first = runtime('start', env);
      await waitFor(`http://127.0.0.1:${port}/readyz`, 15_000);
      const token = /sbo_[A-Za-z0-9_-]{20,}/.exec(first.output())?.[0];
      expect(token).toBeDefined();
      expect((await fetch(`http://127.0.0.1:${port}/v1/teams`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      first.child.kill('SIGTERM');
      await first.exited;
      const logLines = first.output().split('\n').filter((l) => l.startsWith('{'));
      expect(logLines.join('\n')).not.toContain(token!);
      const client = new pg.Client(fresh.url);
      await client.connect();
      const stored = (await client.query(`SELECT token_hash FROM switchboard.operator_tokens`)).rows;
      await client.end();
      expect(JSON.stringify(stored)).not.toContain(token!);
      const second = runtime('start', env);
      await waitFor(`http://127.0.0.1:${port}/readyz`, 15_000);
      second.child.kill('SIGTERM');
      await second.exited;
      expect(second.output()).not.toMatch(/sbo_/);
    } finally {
      await fresh.drop();
    }
  });
});
