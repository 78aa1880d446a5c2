import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from './embedded.ts';

const dir = await mkdtemp(join(tmpdir(), 'switchboard-embedded-'));
// mkdtemp makes a private folder; as root the server runs as `postgres`, which must be able to enter it.
await chmod(dir, 0o755);
afterAll(() => rm(dir, { recursive: true, force: true }));

async function query<T>(url: string, sql: string): Promise<T[]> {
  const c = new pg.Client(url);
  await c.connect();
  try {
    return (await c.query(sql)).rows;
  } finally {
    await c.end();
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const postmasterPid = async (dataDir: string) => Number((await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);

describe('embedded PostgreSQL', () => {
  it('initialises a data folder once, serves real queries, stops, and starts again on the same data', async () => {
    const dataDir = join(dir, 'reuse', '.switchboard', 'pg');
    const logs: string[] = [];
    const log = (m: string) => logs.push(m);

    const first = await startEmbeddedPostgres({ dataDir, log });
    expect(await query(first.url, 'SELECT 41 + 1 AS n')).toEqual([{ n: 42 }]);
    await query(first.url, 'CREATE TABLE kept (v int); INSERT INTO kept VALUES (7)');
    await first.stop();
    await expect(query(first.url, 'SELECT 1')).rejects.toThrow();
    expect(logs.filter((l) => l.startsWith('initialising'))).toHaveLength(1);

    const second = await startEmbeddedPostgres({ dataDir, log });
    expect(await query(second.url, 'SELECT v FROM kept')).toEqual([{ v: 7 }]);
    await second.stop();
    expect(logs.filter((l) => l.startsWith('initialising'))).toHaveLength(1);
  });

  it('stop() returns at once when the server already stopped on its own, as on Ctrl-C', async () => {
    const dataDir = join(dir, 'interrupted', 'pg');
    const server = await startEmbeddedPostgres({ dataDir });
    const pid = await postmasterPid(dataDir);
    process.kill(pid, 'SIGINT');
    await expect.poll(() => alive(pid), { timeout: 10_000 }).toBe(false); // exited and reaped
    await server.stop();
    await server.stop();
  });

  it('stops a server left running by a process that was killed -9, then starts on the same data', async () => {
    const dataDir = join(dir, 'orphan', 'pg');
    const script = `const { startEmbeddedPostgres } = await import(${JSON.stringify(new URL('./embedded.ts', import.meta.url).href)});
      const s = await startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)} }); console.log(s.url);`;
    const owner = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const orphanUrl = await new Promise<string>((ok, fail) => {
      owner.stdout.once('data', (d: Buffer) => ok(d.toString().trim()));
      owner.once('exit', (code) => fail(new Error(`the owning process exited (${code}) before the server was up`)));
    });
    const orphanPid = await postmasterPid(dataDir);
    owner.kill('SIGKILL');
    try {
      expect(await query(orphanUrl, 'SELECT 1 AS up')).toEqual([{ up: 1 }]);

      const server = await startEmbeddedPostgres({ dataDir });
      expect(await postmasterPid(dataDir)).not.toBe(orphanPid);
      expect(await query(server.url, 'SELECT 1 AS up')).toEqual([{ up: 1 }]);
      await server.stop();
    } finally {
      try {
        process.kill(orphanPid, 'SIGINT'); // only if the test failed before taking it over
      } catch {}
    }
  });

  it('a stale pid file whose pid now belongs to another process never stops that process', async () => {
    const dataDir = join(dir, 'stale', 'pg');
    await (await startEmbeddedPostgres({ dataDir })).stop();
    const bystander = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      const pidFile = join(dataDir, 'postmaster.pid');
      await writeFile(pidFile, `${bystander.pid}\n${dataDir}\n`);
      // As root PostgreSQL ignores the file (another user's pid cannot be its postmaster); as a
      // normal user it refuses to start. Either way the bystander lives.
      const server = await startEmbeddedPostgres({ dataDir }).catch(() => undefined);
      await server?.stop();
      expect(alive(bystander.pid!)).toBe(true);
    } finally {
      bystander.kill();
    }
  });
});
