import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './net.ts';

const run = promisify(execFile);
const toolDir = new URL('../tools/verdaccio/', import.meta.url).pathname;

/** npm with the test's Node first on PATH. */
export async function npm(args: string[], cwd: string, env: Record<string, string> = {}) {
  const PATH = `${join(process.execPath, '..')}:${process.env.PATH}`;
  return run('npm', args, { cwd, env: { ...process.env, PATH, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', ...env }, maxBuffer: 20 * 1024 * 1024 });
}

/**
 * A real npm registry (Verdaccio) on loopback with no uplinks: everything the tests install
 * is published to it first. Kept outside the workspace (test/tools/verdaccio) and installed
 * on first use.
 */
export async function startVerdaccio() {
  if (!existsSync(join(toolDir, 'node_modules/verdaccio'))) await npm(['ci', '--no-audit', '--no-fund'], toolDir);
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-verdaccio-'));
  const port = await freePort();
  await writeFile(join(dir, 'config.yaml'), [
    `storage: ${join(dir, 'storage')}`,
    'auth:', '  htpasswd:', `    file: ${join(dir, 'htpasswd')}`, '    max_users: 100',
    'uplinks: {}',
    'packages:', "  '**':", '    access: $all', '    publish: $authenticated', '    unpublish: $authenticated',
    'logs: { type: stdout, format: pretty, level: error }',
    'server:', '  keepAliveTimeout: 60',
    '',
  ].join('\n'));
  const child = spawn(process.execPath, [join(toolDir, 'node_modules/verdaccio/bin/verdaccio'), '--config', join(dir, 'config.yaml'), '--listen', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, NODE_OPTIONS: '' },
  });
  const url = `http://127.0.0.1:${port}/`;
  const until = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${url}-/ping`)).ok) break;
    } catch {}
    if (Date.now() > until || child.exitCode !== null) throw new Error('verdaccio did not start');
    await new Promise((r) => setTimeout(r, 200));
  }
  const res = await fetch(`${url}-/user/org.couchdb.user:tester`, {
    method: 'PUT', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'tester', password: 'tester-password-1', email: 'tester@example.invalid', type: 'user' }),
  });
  const token = ((await res.json()) as { token: string }).token;
  const npmrc = join(dir, '.npmrc');
  await writeFile(npmrc, `registry=${url}\n//127.0.0.1:${port}/:_authToken=${token}\n`);
  const env = { npm_config_userconfig: npmrc, npm_config_registry: url };

  return {
    url, token,
    /** `npm publish` of a package directory (scripts run unless told not to, so prepack writes the manifest). */
    publish: (pkgDir: string, opts: { ignoreScripts?: boolean } = {}) => npm(['publish', '--registry', url, ...(opts.ignoreScripts ? ['--ignore-scripts'] : [])], pkgDir, env),
    unpublish: (spec: string) => npm(['unpublish', spec, '--force', '--registry', url], dir, env),
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
