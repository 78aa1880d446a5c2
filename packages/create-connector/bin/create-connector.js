#!/usr/bin/env node
// npm create @switchboard/connector <dir> [--name @acme/connector-x] [--description "..."] [--sdk <spec>]
import { scaffold } from '../src/scaffold.js';

const args = process.argv.slice(2);
const opt = (flag) => {
  const i = args.indexOf(flag);
  if (i === -1) return undefined;
  const [v] = args.splice(i, 2).slice(1);
  return v;
};
const name = opt('--name');
const description = opt('--description');
const sdk = opt('--sdk');
const [dir] = args;
if (!dir) {
  console.error('usage: npm create @switchboard/connector <directory> [--name <package name>] [--description <text>]');
  process.exit(2);
}
try {
  const r = await scaffold({ dir, name, description, sdk });
  console.log(`Created ${r.name} in ${r.dir}:\n  ${r.files.join('\n  ')}\n\nNext:\n  cd ${dir}\n  npm install\n  npm test\n  npm pack`);
} catch (err) {
  console.error(`create-connector: ${err.message}`);
  process.exit(1);
}
