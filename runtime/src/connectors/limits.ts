import type { Config } from '../config/env.ts';
import { defaultLimits, type Limits } from '../sandbox/types.ts';

/** An enablement may set its own limits, within the operator's maxima. */
export function effectiveLimits(requested: Partial<Limits>, config: Pick<Config, 'CONNECTOR_MAX_MEMORY_MB' | 'CONNECTOR_MAX_WALL' | 'CONNECTOR_MAX_CPU'>): Limits {
  const l = { ...defaultLimits, ...requested };
  return {
    ...l,
    memoryMb: Math.min(l.memoryMb, config.CONNECTOR_MAX_MEMORY_MB),
    wallMs: Math.min(l.wallMs, config.CONNECTOR_MAX_WALL),
    cpuMs: Math.min(l.cpuMs, config.CONNECTOR_MAX_CPU),
    maxRequests: Math.min(l.maxRequests, 1000),
    maxResponseBytes: Math.min(l.maxResponseBytes, 50 * 1024 * 1024),
  };
}
