#!/usr/bin/env node
// `switchboard-connector manifest`: writes the manifest into ./package.json (use as `prepack`).
import { writeManifest } from '../src/manifest.js';

const [command = 'manifest'] = process.argv.slice(2);
if (command !== 'manifest') {
  console.error('usage: switchboard-connector manifest');
  process.exit(2);
}
const manifest = await writeManifest(process.cwd());
console.log(`manifest written: ${Object.keys(manifest.configSchema.properties ?? {}).length} config fields, ${manifest.allowedHosts.length} allowed hosts`);
