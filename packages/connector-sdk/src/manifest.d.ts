export declare const MANIFEST_VERSION: 1;
export type Manifest = {
  manifestVersion: 1;
  entry: string;
  description?: string;
  configSchema: Record<string, unknown>;
  allowedHosts: string[];
  requires?: Record<string, unknown>;
};
export declare function buildManifest(pkgDir: string): Promise<Manifest>;
export declare function writeManifest(pkgDir: string): Promise<Manifest>;
