/** Per-run limits; the operator sets maxima, an enablement may lower them. */
export type Limits = {
  memoryMb: number;
  wallMs: number;
  cpuMs: number;
  maxRequests: number;
  maxResponseBytes: number;
  requestTimeoutMs: number;
  maxLogLines: number;
};

export const defaultLimits: Limits = {
  memoryMb: 64, wallMs: 30_000, cpuMs: 10_000, maxRequests: 50, maxResponseBytes: 5 * 1024 * 1024, requestTimeoutMs: 10_000, maxLogLines: 200,
};

export type SandboxJob = {
  /** The compiled connector: `key` identifies immutable code (package@version#integrity). */
  bundle: { key: string; code: string };
  /**
   * Runs sharing a reuse key may share a warm isolate and context (same enablement, same
   * config revision). Runs without one always get a fresh isolate.
   */
  reuseKey?: string;
  session: unknown;
  config: unknown;
  /** Hosts `request` may call: `name` (any port) or `name:port`. */
  allowedHosts: string[];
  limits: Limits;
  /** Record requests without sending them. */
  dryRun?: boolean;
};

export type RequestRecord = { method: string; host: string; path: string; status: number | null; durationMs: number; error?: string; dryRun?: boolean };

export type LimitHit = 'memory' | 'wall_clock' | 'cpu' | 'requests' | 'crash';

export type SandboxResult = {
  /** `success` and `failed` as the connector returned them; `error` for anything else. */
  outcome: 'success' | 'failed' | 'error';
  error?: string;
  limit?: LimitHit;
  durationMs: number;
  cpuMs: number;
  memoryBytes: number;
  requests: RequestRecord[];
  logs: string[];
  warm: boolean;
};
