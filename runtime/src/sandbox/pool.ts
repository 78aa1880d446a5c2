import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SandboxJob, SandboxResult } from './types.ts';

export type SandboxOptions = {
  /** Child processes hosting isolates (each runs many isolates concurrently on V8 threads). */
  processes?: number;
  /** Addresses or CIDRs the SSRF guard lets through (operator allowlist; tests use 127.0.0.1). */
  allowAddresses?: string[];
  /** Test-only name → addresses map for the guard's resolver. */
  testHosts?: Record<string, string[]>;
  /** Extra grace past a run's wall clock before its child is killed from here. */
  killGraceMs?: number;
};

type Pending = { job: SandboxJob; resolve: (r: SandboxResult) => void; timer: NodeJS.Timeout };
type Slot = { child: ChildProcess; ready: Promise<void>; bundles: Set<string>; pending: Map<number, Pending> };

const childPath = fileURLToPath(new URL('./child.ts', import.meta.url));

/**
 * The sandbox as the worker (and the SDK's harness) sees it: `run(job)` → result. Isolates
 * live in child processes; a child that crashes or stops answering past the wall clock is
 * killed and replaced, and its runs are recorded as killed, so the caller carries on.
 */
export function createSandbox(o: SandboxOptions = {}) {
  const slots: Slot[] = [];
  let nextId = 1;
  let closed = false;
  const n = Math.max(1, o.processes ?? 1);

  function spawn(i: number): Slot {
    const child = fork(childPath, [], {
      execArgv: ['--no-node-snapshot'],
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        SANDBOX_ALLOWED_ADDRESSES: (o.allowAddresses ?? []).join(','),
        SANDBOX_TEST_HOSTS: JSON.stringify(o.testHosts ?? {}),
      },
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const slot: Slot = {
      child, bundles: new Set(), pending: new Map(),
      ready: new Promise((resolve, reject) => {
        child.once('message', () => resolve());
        child.once('error', reject);
      }),
    };
    slot.ready.catch(() => {});
    child.on('message', (m: { type: string; id?: number; result?: SandboxResult }) => {
      if (m.type === 'result' && m.id !== undefined) {
        const p = slot.pending.get(m.id);
        if (!p) return;
        slot.pending.delete(m.id);
        clearTimeout(p.timer);
        p.resolve(m.result!);
      } else if (m.type === 'need-code' && m.id !== undefined) {
        const p = slot.pending.get(m.id);
        if (p) child.send({ type: 'run', id: m.id, job: p.job });
      }
    });
    child.on('exit', () => {
      for (const [, p] of slot.pending) {
        clearTimeout(p.timer);
        p.resolve(killed(p.job, 'killed: the sandbox process crashed'));
      }
      slot.pending.clear();
      if (!closed && slots[i] === slot) slots[i] = spawn(i);
    });
    return slot;
  }

  for (let i = 0; i < n; i++) slots.push(spawn(i));

  function pick(job: SandboxJob): Slot {
    // Same reuse key → same child, so warm isolates are found again.
    if (!job.reuseKey || n === 1) return slots[job.reuseKey ? 0 : nextId % n]!;
    let h = 0;
    for (const ch of job.reuseKey) h = (h * 31 + ch.charCodeAt(0)) | 0;
    return slots[Math.abs(h) % n]!;
  }

  async function run(job: SandboxJob): Promise<SandboxResult> {
    if (closed) throw new Error('sandbox closed');
    const slot = pick(job);
    await slot.ready;
    const id = nextId++;
    return new Promise<SandboxResult>((resolve) => {
      // The host-side backstop: a child that does not answer soon after the wall clock is killed.
      const timer = setTimeout(() => {
        slot.pending.delete(id);
        resolve(killed(job, `killed: wall-clock limit of ${job.limits.wallMs} ms exceeded`, 'wall_clock'));
        slot.child.kill('SIGKILL');
      }, job.limits.wallMs + (o.killGraceMs ?? 5000));
      slot.pending.set(id, { job, resolve, timer });
      const known = slot.bundles.has(job.bundle.key);
      slot.bundles.add(job.bundle.key);
      slot.child.send({ type: 'run', id, job: known ? { ...job, bundle: { key: job.bundle.key } } : job });
    });
  }

  return {
    run,
    /** Child process ids, for tests that crash one on purpose. */
    pids: () => slots.map((s) => s.child.pid),
    async close() {
      closed = true;
      await Promise.all(slots.map((s) => new Promise<void>((resolve) => {
        if (s.child.exitCode !== null || s.child.signalCode) return resolve();
        s.child.once('exit', () => resolve());
        s.child.send({ type: 'stop' });
        setTimeout(() => s.child.kill('SIGKILL'), 2000).unref();
      })));
    },
  };
}

export type Sandbox = ReturnType<typeof createSandbox>;

function killed(job: SandboxJob, error: string, limit: SandboxResult['limit'] = 'crash'): SandboxResult {
  return { outcome: 'error', error, limit, durationMs: job.limits.wallMs, cpuMs: 0, memoryBytes: 0, requests: [], logs: [], warm: false };
}
