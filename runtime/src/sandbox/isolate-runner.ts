import ivm from 'isolated-vm';
import type { AddressGuard } from '../net/address-guard.ts';
import { bootstrapSource } from './bootstrap.ts';
import { createBridge, type BridgeCall } from './http-bridge.ts';
import type { LimitHit, SandboxJob, SandboxResult } from './types.ts';

type RunHooks = { onRequest: (c: BridgeCall) => Promise<unknown>; onLog: (line: string) => void; abort: (hit: LimitHit) => void };
type Instance = { isolate: ivm.Isolate; invoke: ivm.Reference; runs: Map<number, RunHooks>; uses: number; memoryMb: number };

/** Runs one warm instance serves before it is recycled (contexts and heaps are not reclaimed promptly). */
const WARM_RUN_BUDGET = 1000;
/** Warm instances kept per reuse key, runs multiplexed on each, and reuse keys kept in all. */
const PER_KEY = 4;
const RUNS_PER_INSTANCE = 32;
const KEYS_MAX = 64;

/**
 * Runs connector bundles in isolated-vm. Lives in the sandbox child process only, so a crash
 * of V8 itself (onCatastrophicError) ends that child, never the worker.
 *
 * Reuse: runs with the same reuse key (one enablement at one config revision, so one team)
 * share warm instances, several at a time; runs without one get a fresh isolate that is
 * disposed after. Nothing is ever shared between reuse keys. A run that hits a limit
 * disposes its instance, which also ends the runs of the same enablement sharing it.
 */
export function createIsolateRunner(o: { guard: AddressGuard; onCatastrophe: (message: string) => void }) {
  const cachedData = new Map<string, ivm.ExternalCopy<ArrayBuffer>>();
  const warm = new Map<string, Instance[]>();
  let runSeq = 0;

  async function create(job: SandboxJob): Promise<Instance> {
    const isolate = new ivm.Isolate({ memoryLimit: job.limits.memoryMb, onCatastrophicError: o.onCatastrophe });
    try {
      const context = await isolate.createContext();
      const runs = new Map<number, RunHooks>();
      await context.global.set('__sb_request', new ivm.Reference(async (rid: number, c: BridgeCall) => {
        const hooks = runs.get(rid);
        if (!hooks) throw new Error('request: this run has ended');
        return hooks.onRequest(c);
      }));
      await context.global.set('__sb_log', new ivm.Reference((rid: number, line: string) => runs.get(rid)?.onLog(line)));
      await context.eval(bootstrapSource, { timeout: 1000 });
      const cached = cachedData.get(job.bundle.key);
      const script = (await isolate.compileScript(job.bundle.code, cached ? { cachedData: cached } : { produceCachedData: true })) as ivm.Script & ivm.CachedDataResult;
      if (!cached && script.cachedData) cachedData.set(job.bundle.key, script.cachedData);
      await script.run(context, { timeout: job.limits.wallMs });
      const invoke = await context.global.get('__sb_invoke', { reference: true });
      return { isolate, invoke, runs, uses: 0, memoryMb: job.limits.memoryMb };
    } catch (err) {
      if (!isolate.isDisposed) isolate.dispose();
      throw err;
    }
  }

  function warmKey(job: SandboxJob) {
    return job.reuseKey ? `${job.reuseKey}|${job.bundle.key}|${job.limits.memoryMb}` : undefined;
  }

  function retire(key: string | undefined, inst: Instance) {
    if (key) {
      const list = warm.get(key);
      const i = list?.indexOf(inst) ?? -1;
      if (list && i >= 0) list.splice(i, 1);
      if (list && list.length === 0) warm.delete(key);
    }
    if (inst.runs.size === 0 && !inst.isolate.isDisposed) inst.isolate.dispose();
  }

  /** A warm instance with room, a new pooled one, or (pool full) a one-off. */
  async function acquire(job: SandboxJob, key: string | undefined): Promise<{ inst: Instance; pooled: boolean; wasWarm: boolean }> {
    if (!key) return { inst: await create(job), pooled: false, wasWarm: false };
    const list = warm.get(key) ?? [];
    const free = list.filter((i) => !i.isolate.isDisposed && i.runs.size < RUNS_PER_INSTANCE && i.uses < WARM_RUN_BUDGET).sort((a, b) => a.runs.size - b.runs.size)[0];
    if (free) return { inst: free, pooled: true, wasWarm: true };
    const inst = await create(job);
    if (list.length < PER_KEY) {
      if (!warm.has(key)) {
        if (warm.size >= KEYS_MAX) {
          // Least recently added key goes; its idle instances are disposed, busy ones when they finish.
          const [oldKey, old] = warm.entries().next().value!;
          warm.delete(oldKey);
          for (const i of old) if (i.runs.size === 0 && !i.isolate.isDisposed) i.isolate.dispose();
        }
        warm.set(key, list);
      }
      list.push(inst);
      return { inst, pooled: true, wasWarm: false };
    }
    return { inst, pooled: false, wasWarm: false };
  }

  async function run(job: SandboxJob): Promise<SandboxResult> {
    const started = performance.now();
    const logs: string[] = [];
    let droppedLogs = 0;
    let limit: LimitHit | undefined;
    let abort: (hit: LimitHit) => void = () => {};
    const bridge = createBridge({ allowedHosts: job.allowedHosts, limits: job.limits, guard: o.guard, dryRun: job.dryRun, onCapExceeded: () => abort('requests') });
    const key = warmKey(job);

    let acquired;
    try {
      acquired = await acquire(job, key);
    } catch (err) {
      return finish('error', describe(err), undefined, 0, 0, false);
    }
    const { inst, pooled, wasWarm } = acquired;
    const rid = ++runSeq;
    inst.uses++;
    const killed = new Promise<void>((resolve) => {
      abort = (hit) => {
        limit ??= hit;
        if (!inst.isolate.isDisposed) inst.isolate.dispose();
        resolve();
      };
    });
    inst.runs.set(rid, {
      onRequest: bridge.call,
      onLog(line) {
        if (logs.length < job.limits.maxLogLines) logs.push(line);
        else droppedLogs++;
      },
      abort,
    });
    let cpuStart = 0n;
    try {
      cpuStart = inst.isolate.cpuTime;
    } catch {
      // Disposed by a sibling run already; the call below fails and is recorded.
    }

    let value: { kind: 'returned'; value: string } | { kind: 'threw'; message: string } | undefined;
    let error: string | undefined;
    // isolated-vm's own timeout covers synchronous code only; the wall clock is enforced here.
    const wall = setTimeout(() => abort('wall_clock'), job.limits.wallMs);
    const cpuWatch = setInterval(() => {
      try {
        // Shared by the runs multiplexed on this instance: an upper bound for this run.
        if (Number(inst.isolate.cpuTime - cpuStart) / 1e6 > job.limits.cpuMs) abort('cpu');
      } catch {
        // Disposed meanwhile.
      }
    }, Math.min(50, Math.max(5, job.limits.cpuMs / 4)));
    try {
      const call = inst.invoke.apply(undefined, [{ runId: rid, session: job.session, config: job.config }], {
        arguments: { copy: true }, result: { promise: true, copy: true }, timeout: job.limits.wallMs,
      }) as Promise<typeof value>;
      call.catch(() => {});
      value = await Promise.race([call, killed.then(() => undefined)]);
    } catch (err) {
      error = describe(err);
      if (/memory limit/i.test(error)) limit ??= 'memory';
      else if (/timed out/i.test(error)) limit ??= 'wall_clock';
    } finally {
      clearTimeout(wall);
      clearInterval(cpuWatch);
      inst.runs.delete(rid);
    }

    let cpuMs = 0;
    let memoryBytes = 0;
    if (!inst.isolate.isDisposed) {
      cpuMs = Number(inst.isolate.cpuTime - cpuStart) / 1e6;
      const heap = inst.isolate.getHeapStatisticsSync();
      memoryBytes = heap.used_heap_size + heap.externally_allocated_size;
    }
    if (!pooled || limit || inst.isolate.isDisposed || inst.uses >= WARM_RUN_BUDGET || memoryBytes > inst.memoryMb * 1024 * 1024 * 0.5) {
      retire(pooled ? key : undefined, inst);
    }
    if (droppedLogs) logs.push(`[${droppedLogs} more log lines dropped]`);

    if (limit) return finish('error', limitMessage(limit, job), limit, cpuMs, memoryBytes, wasWarm);
    if (error !== undefined) return finish('error', /disposed/i.test(error) ? 'killed: a run sharing this sandbox hit a limit' : error, undefined, cpuMs, memoryBytes, wasWarm);
    if (!value) return finish('error', 'the run ended without a result', undefined, cpuMs, memoryBytes, wasWarm);
    if (value.kind === 'threw') return finish('error', value.message, undefined, cpuMs, memoryBytes, wasWarm);
    if (value.value === 'success' || value.value === 'failed') return finish(value.value, undefined, undefined, cpuMs, memoryBytes, wasWarm);
    return finish('error', value.value, undefined, cpuMs, memoryBytes, wasWarm);

    function finish(outcome: SandboxResult['outcome'], err: string | undefined, hit: LimitHit | undefined, cpu: number, mem: number, warmRun: boolean): SandboxResult {
      return {
        outcome, ...(err !== undefined ? { error: err } : {}), ...(hit ? { limit: hit } : {}),
        durationMs: Math.round((performance.now() - started) * 100) / 100, cpuMs: Math.round(cpu * 100) / 100, memoryBytes: mem,
        requests: bridge.records, logs, warm: warmRun,
      };
    }
  }

  return {
    run,
    warmCount: () => [...warm.values()].reduce((n, l) => n + l.length, 0),
    disposeAll() {
      for (const list of warm.values()) for (const i of list) if (!i.isolate.isDisposed) i.isolate.dispose();
      warm.clear();
      cachedData.clear();
    },
  };
}

function limitMessage(limit: LimitHit, job: SandboxJob) {
  switch (limit) {
    case 'memory': return `killed: memory limit of ${job.limits.memoryMb} MB exceeded`;
    case 'wall_clock': return `killed: wall-clock limit of ${job.limits.wallMs} ms exceeded`;
    case 'cpu': return `killed: CPU time limit of ${job.limits.cpuMs} ms exceeded`;
    case 'requests': return `killed: more than ${job.limits.maxRequests} requests in one run`;
    case 'crash': return 'killed: the sandbox crashed';
  }
}

function describe(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  return m.slice(0, 2000);
}
