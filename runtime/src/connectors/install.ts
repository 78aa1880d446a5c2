import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Arborist from '@npmcli/arborist';
import * as pacote from 'pacote';
import type { Db } from '../db/pool.ts';
import { getPackage, insertPackage, type PackageRow } from '../db/store/connectors.ts';
import { bundleConnector } from './bundle.ts';
import { assertSchema } from './json-schema.ts';
import { parseManifest } from './manifest.ts';

export type RegistryOptions = { registry: string; token?: string };

export class InstallError extends Error {
  readonly code: 'integrity_mismatch' | 'invalid_package' | 'not_found';
  constructor(code: InstallError['code'], message: string) {
    super(message);
    this.code = code;
  }
}

/** npm's own options for a registry and its token (`//host/path/:_authToken`). */
function npmOptions(r: RegistryOptions, cache: string) {
  const url = new URL(r.registry);
  const opts: Record<string, unknown> = { registry: r.registry, cache, preferOnline: true, fullMetadata: false };
  if (r.token) opts[`//${url.host}${url.pathname.replace(/\/?$/, '/')}:_authToken`] = r.token;
  return opts;
}

/**
 * Installs name@version from a registry: fetches it with npm's fetcher (pacote), records the
 * tarball's integrity (a changed tarball for an installed version is refused), installs its
 * dependencies without running scripts (Arborist), and stores one platform-neutral bundle.
 */
export async function installConnector(db: Db, source: { name: string; version: string } | { tarball: Buffer }, registry: RegistryOptions, installedBy: string): Promise<{ pkg: PackageRow; created: boolean }> {
  const work = await mkdtemp(join(tmpdir(), 'switchboard-connector-'));
  try {
    const opts = npmOptions(registry, join(work, 'cache'));
    let spec: string;
    if ('tarball' in source) {
      // An uploaded tarball: its integrity is computed from the bytes; dependencies still come from the registry.
      spec = `file:${join(work, 'upload.tgz')}`;
      await writeFile(join(work, 'upload.tgz'), source.tarball);
    } else spec = `${source.name}@${source.version}`;
    let manifest: pacote.Manifest;
    try {
      manifest = await pacote.manifest(spec, opts);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'E404' || code === 'ETARGET') throw new InstallError('not_found', `${spec} is not in ${registry.registry}`);
      if ('tarball' in source) throw new InstallError('invalid_package', `the upload is not an npm package tarball: ${(err as Error).message}`);
      throw err;
    }
    if (!('tarball' in source)) spec = `${manifest.name}@${manifest.version}`;
    const existing = await getPackage(db, manifest.name, manifest.version);
    if (existing) {
      if (existing.integrity !== manifest._integrity) {
        throw new InstallError('integrity_mismatch', `${manifest.name}@${manifest.version} was installed with integrity ${existing.integrity}; the registry now serves ${manifest._integrity}. A published version must never change: refusing.`);
      }
      return { pkg: existing, created: false };
    }
    const dir = join(work, 'package');
    // pacote verifies the tarball against the integrity the registry announced.
    await pacote.extract(spec, dir, { ...opts, integrity: manifest._integrity });
    const pkgJson = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
    let m;
    try {
      m = parseManifest(pkgJson.switchboard);
      assertSchema(m.configSchema);
      if (m.requires) assertSchema(m.requires);
    } catch (err) {
      throw new InstallError('invalid_package', `${manifest.name}@${manifest.version}: ${(err as Error).message}`);
    }
    await new Arborist({ path: dir, ...opts }).reify({ omit: ['dev', 'optional', 'peer'], ignoreScripts: true, save: false, audit: false, fund: false });
    let bundle: string;
    try {
      bundle = await bundleConnector(dir, m.entry);
    } catch (err) {
      throw new InstallError('invalid_package', `${manifest.name}@${manifest.version} ${(err as Error).message}`);
    }
    const row = await insertPackage(db, {
      name: manifest.name, version: manifest.version, integrity: manifest._integrity, resolved: 'tarball' in source ? 'upload' : manifest._resolved, manifest: m,
      bundle, bundle_sha256: createHash('sha256').update(bundle).digest('hex'), installed_by: installedBy,
    });
    // A concurrent install of the same version won the race: report that one.
    return row ? { pkg: row, created: true } : { pkg: (await getPackage(db, manifest.name, manifest.version))!, created: false };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
