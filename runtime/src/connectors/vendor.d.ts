// Minimal typings for npm's own fetchers (they ship none).
declare module 'pacote' {
  export type Manifest = { name: string; version: string; _integrity: string; _resolved: string; [k: string]: unknown };
  export function manifest(spec: string, opts?: Record<string, unknown>): Promise<Manifest>;
  export function extract(spec: string, dest: string, opts?: Record<string, unknown>): Promise<{ integrity: string; resolved: string; from: string }>;
}
declare module '@npmcli/arborist' {
  export default class Arborist {
    constructor(opts: Record<string, unknown>);
    reify(opts?: Record<string, unknown>): Promise<unknown>;
  }
}
