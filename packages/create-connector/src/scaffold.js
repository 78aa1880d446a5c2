// Writes a new connector package from ./template, replacing {{name}}, {{description}} and {{sdk}}.
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';

const templateDir = new URL('../template/', import.meta.url).pathname;
const NAME = /^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/;

export async function scaffold({ dir, name, description, sdk = '^0.1.0' }) {
  const target = resolve(dir);
  const pkgName = name ?? basename(target);
  if (!NAME.test(pkgName)) throw new Error(`"${pkgName}" is not a valid npm package name`);
  if (await stat(target).then((s) => s.isDirectory() && readdir(target).then((f) => f.length > 0), () => false)) {
    throw new Error(`${target} exists and is not empty`);
  }
  const values = { name: pkgName, description: description ?? `A Switchboard connector: ${pkgName}.`, sdk };
  const written = [];
  async function copy(from, to) {
    await mkdir(to, { recursive: true });
    for (const entry of await readdir(from, { withFileTypes: true })) {
      const src = join(from, entry.name);
      // npm drops .gitignore files from published packages, so the template calls it `gitignore`.
      const dst = join(to, entry.name === 'gitignore' ? '.gitignore' : entry.name);
      if (entry.isDirectory()) await copy(src, dst);
      else {
        const text = (await readFile(src, 'utf8')).replace(/\{\{(\w+)\}\}/g, (m, k) => values[k] ?? m);
        await writeFile(dst, text);
        written.push(dst.slice(target.length + 1));
      }
    }
  }
  await copy(templateDir, target);
  return { dir: target, name: pkgName, files: written.sort() };
}
