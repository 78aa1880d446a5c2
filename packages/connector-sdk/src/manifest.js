// Builds the `switchboard` field of a connector's package.json from its code, so the runtime
// and the console can validate and render config without running vendor code.
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';

export const MANIFEST_VERSION = 1;

export async function buildManifest(pkgDir) {
  const pkg = JSON.parse(await readFile(join(pkgDir, 'package.json'), 'utf8'));
  const entry = pkg.switchboard?.entry ?? pkg.main ?? 'src/index.js';
  const mod = await import(pathToFileURL(resolve(pkgDir, entry)).href);
  const connector = mod.default ?? mod;
  if (!connector || typeof connector.run !== 'function') throw new Error(`${entry} has no default export made with defineConnector`);
  if (connector.name !== pkg.name) throw new Error(`the connector is named "${connector.name}" but the package "${pkg.name}"`);
  const configSchema = connector.configSchema ? z.toJSONSchema(connector.configSchema, { io: 'input' }) : { type: 'object', properties: {} };
  return {
    manifestVersion: MANIFEST_VERSION,
    entry,
    description: connector.description,
    configSchema,
    allowedHosts: [...connector.allowedHosts],
    ...(connector.requires ? { requires: connector.requires } : {}),
  };
}

/** Rewrites package.json's `switchboard` field; run before pack/publish (`prepack`). */
export async function writeManifest(pkgDir) {
  const file = join(pkgDir, 'package.json');
  const pkg = JSON.parse(await readFile(file, 'utf8'));
  pkg.switchboard = await buildManifest(pkgDir);
  await writeFile(file, `${JSON.stringify(pkg, null, 2)}\n`);
  return pkg.switchboard;
}
