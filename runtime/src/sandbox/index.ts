export { createSandbox, type Sandbox, type SandboxOptions } from './pool.ts';
export { resolveAllowedHosts } from './allowed-hosts.ts';
export { defaultLimits, type Limits, type SandboxJob, type SandboxResult, type RequestRecord, type LimitHit } from './types.ts';
