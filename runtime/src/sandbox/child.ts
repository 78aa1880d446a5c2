// The sandbox child process: runs connector bundles in isolated-vm on behalf of its parent
// (a worker or the SDK's test harness), over IPC. If V8 loses control of an isolate the
// child exits and its parent starts another; the parent process never hosts an isolate.
import { createAddressGuard } from '../net/address-guard.ts';
import { createIsolateRunner } from './isolate-runner.ts';
import type { SandboxJob } from './types.ts';

type Message =
  | { type: 'run'; id: number; job: Omit<SandboxJob, 'bundle'> & { bundle: { key: string; code?: string } } }
  | { type: 'stop' };

const allow = (process.env.SANDBOX_ALLOWED_ADDRESSES ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const hosts = JSON.parse(process.env.SANDBOX_TEST_HOSTS ?? '{}') as Record<string, string[]>;
const guard = createAddressGuard({
  allow,
  // Test-only static name → address map (e.g. a name resolving to 169.254.169.254); real DNS otherwise.
  ...(Object.keys(hosts).length ? { resolve: async (h: string) => hosts[h] ?? (await import('node:dns/promises')).lookup(h, { all: true }).then((r) => r.map((a) => a.address)) } : {}),
});
const runner = createIsolateRunner({
  guard,
  onCatastrophe(message) {
    process.send?.({ type: 'catastrophe', message });
    process.exit(70);
  },
});
const code = new Map<string, string>();

process.on('message', (m: Message) => {
  if (m.type === 'stop') {
    runner.disposeAll();
    process.disconnect?.();
    return;
  }
  if (m.type !== 'run') return;
  if (m.job.bundle.code !== undefined) code.set(m.job.bundle.key, m.job.bundle.code);
  const source = code.get(m.job.bundle.key);
  if (source === undefined) {
    process.send?.({ type: 'need-code', id: m.id });
    return;
  }
  runner.run({ ...m.job, bundle: { key: m.job.bundle.key, code: source } }).then(
    (result) => process.send?.({ type: 'result', id: m.id, result }),
    (err: Error) => process.send?.({ type: 'result', id: m.id, result: { outcome: 'error', error: `sandbox: ${err.message}`, durationMs: 0, cpuMs: 0, memoryBytes: 0, requests: [], logs: [], warm: false } }),
  );
});
process.on('disconnect', () => process.exit(0));
process.send?.({ type: 'ready' });
