import { isBuiltin } from 'node:module';
import { build, type Plugin } from 'esbuild';

export class BundleError extends Error {}

// Connectors get no Node APIs in the sandbox; refusing at install time names the import now
// instead of failing every run later.
const refuseBuiltins: Plugin = {
  name: 'refuse-node-builtins',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (!isBuiltin(args.path)) return undefined;
      return { errors: [{ text: `imports the Node built-in "${args.path}" (from ${args.importer.replace(/^.*node_modules\//, '')}); connectors may use only request and log` }] };
    });
  },
};

/**
 * Bundles a connector package with its dependencies into one platform-neutral script that
 * assigns the module to `__sb_connector` (what the sandbox runs).
 */
export async function bundleConnector(pkgDir: string, entry: string): Promise<string> {
  try {
    const out = await build({
      absWorkingDir: pkgDir,
      entryPoints: [entry],
      bundle: true,
      write: false,
      format: 'iife',
      globalName: '__sb_connector',
      platform: 'neutral',
      mainFields: ['module', 'main'],
      conditions: ['import', 'default'],
      target: 'es2022',
      minify: true,
      legalComments: 'none',
      logLevel: 'silent',
      plugins: [refuseBuiltins],
    });
    return out.outputFiles[0]!.text;
  } catch (err) {
    const errors = (err as { errors?: { text: string }[] }).errors;
    if (errors?.length) throw new BundleError(errors.map((e) => e.text).join('; '));
    throw err;
  }
}
