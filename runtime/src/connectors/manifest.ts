import { z } from 'zod';
import type { ConnectorManifest } from '../db/store/connectors.ts';

/** The `switchboard` field of a connector's package.json (written by the SDK's manifest builder). */
export const manifestSchema = z.object({
  manifestVersion: z.literal(1),
  entry: z.string().min(1).max(300).refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), 'a path inside the package'),
  description: z.string().max(2000).optional(),
  configSchema: z.record(z.string(), z.unknown()),
  allowedHosts: z.array(z.string().min(1).max(300)).max(50),
  requires: z.record(z.string(), z.unknown()).optional(),
});

export function parseManifest(value: unknown): ConnectorManifest {
  const r = manifestSchema.safeParse(value);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new Error(`invalid switchboard manifest: ${['switchboard', ...i.path.map(String)].join('.')}: ${i.message}`);
  }
  return r.data as ConnectorManifest;
}
