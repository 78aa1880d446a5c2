import ivm from 'isolated-vm';
import type { AddressGuard } from '../net/address-guard.ts';
import { bootstrapSource } from './bootstrap.ts';
import { createBridge, type BridgeCall } from './http-bridge.ts';
import type { LimitHit, SandboxJob, SandboxResult } from './types.ts';

type Warm = { isolate: ivm.Isolate; context: ivm.Context; invoke: ivm.Reference; busy: boolean; uses: number; hooks: Hooks };
type Hooks = { onRequest?: (c: BridgeCall) => Promise<unknown>; onLog?: (line: string) => void };

/** How many runs a warm isolate serves before it is recycled (contexts and heaps are not reclaimed promptly). */
const WARM_RUN_BUDGET = 500;
const WARM_MAX = 64;

/**
 * Runs connector bundles in isolated-vm. Lives in the sandbox child process only, so a crash
 * of V8 itself (onCatastrophicError) ends that child, never the worker.
 */
export function createIsolateRunner(o: { guard: AddressGuard; onCatastrophe: (message: string) => void }) {
  const cachedData = new Map<string, ivm.ExternalCopy<ArrayBuffer>>();
  const warm = new Map<string, Warm>();

  async function create(job: SandboxJob): Promise<Warm> {
    const isolate = new ivm.Isolate({ memoryLimit: job.limits.memoryMb, onCatastrophicError: o.onCatastrophe });
    try {
      const context = await isolate.createContext();
      const hooks: Hooks = {};
      const jail = context.global;
      await jail.set('__sb_request', new ivm.Reference(async (c: BridgeCall) => {
        if (!hooks.onRequest) throw new Error('request: no run in progress');
        return hooks.onRequest(c);
      }));
      await jail.set('__sb_log', new ivm.Reference((line: string) => hooks.onLog?.(line)));
      await context.eval(bootstrapSource, { timeout: 1000 });
      const cached = cachedData.get(job.bundle.key);
      const script = (await isolate.compileScript(job.bundle.code, cached ? { cachedData: cached } : { produceCachedData: true })) as ivm.Script & ivm.CachedDataResult;
      if (!cached && script.cachedData) cachedData.set(job.bundle.key, script.cachedData);
      await script.run(context, { timeout: job.limits.wallMs });
      const invoke = await context.global.get('__sb_invoke', { reference: true });
      return { isolate, context, invoke, busy: false, uses: 0, hooks };
    } catch (err) {
      if (!isolate.isDisposed) isolate.dispose();
      throw err;
    }
  }

  function warmKey(job: SandboxJob) {
    return job.reuseKey ? `${job.reuseKey}|${job.bundle.key}|${job.limits.memoryMb}` : undefined;
  }

  function drop(key: string | undefined, w: Warm) {
    if (key && warm.get(key) === w) warm.delete(key);
    if (!w.isolate.isDisposed) w.isolate.dispose();
  }

  async function run(job: SandboxJob): Promise<SandboxResult> {
    const started = performance.now();
    const logs: string[] = [];
    let droppedLogs = 0;
    let limit: LimitHit | undefined;
    let abort: (hit: LimitHit) => void = () => {};
    const bridge = createBridge({ allowedHosts: job.allowedHosts, limits: job.limits, guard: o.guard, dryRun: job.dryRun, onCapExceeded: () => abort('requests') });

    const key = warmKey(job);
    let w = key ? warm.get(key) : undefined;
    const wasWarm = !!w && !w.busy;
    if (!w || w.busy) {
      try {
        w = await create(job);
      } catch (err) {
        return finish('error', describe(err), undefined, 0, 0);
      }
      if (key && !warm.has(key)) {
        if (warm.size >= WARM_MAX) {
          const [oldKey, old] = warm.entries().next().value!;
          if (!old.busy) drop(oldKey, old);
          else warm.delete(oldKey);
        }
        warm.set(key, w);
      }
    }
    const instance = w;
    const owned = !key || warm.get(key) !== instance;
    instance.busy = true;
    instance.uses++;
    instance.hooks.onRequest = bridge.call;
    instance.hooks.onLog = (line) => {
      if (logs.length < job.limits.maxLogLines) logs.push(line);
      else droppedLogs++;
    };
    const cpuStart = instance.isolate.cpuTime;

    let value: { kind: 'returned'; value: string } | { kind: 'threw'; message: string } | undefined;
    let error: string | undefined;
    const killed = new Promise<void>((resolve) => {
      abort = (hit) => {
        limit ??= hit;
        if (!instance.isolate.isDisposed) instance.isolate.dispose();
        resolve();
      };
    });
    // isolated-vm's own timeout covers synchronous code only; the wall clock is enforced here.
    const wall = setTimeout(() => abort('wall_clock'), job.limits.wallMs);
    const cpuWatch = setInterval(() => {
      try {
        if (Number(instance.isolate.cpuTime - cpuStart) / 1e6 > job.limits.cpuMs) abort('cpu');
      } catch {
        // Disposed meanwhile.
      }
    }, Math.min(50, Math.max(5, job.limits.cpuMs / 4)));
    try {
      const call = instance.invoke.apply(undefined, [{ session: job.session, config: job.config }], {
        arguments: { copy: true }, result: { promise: true, copy: true }, timeout: job.limits.wallMs,
      }) as Promise<typeof value>;
      value = await Promise.race([call, killed.then(() => undefined)]);
      call.catch(() => {});
    } catch (err) {
      error = describe(err);
      if (/memory limit/i.test(error)) limit ??= 'memory';
      else if (/timed out/i.test(error)) limit ??= 'wall_clock';
    } finally {
      clearTimeout(wall);
      clearInterval(cpuWatch);
    }

    let cpuMs = 0;
    let memoryBytes = 0;
    if (!instance.isolate.isDisposed) {
      cpuMs = Number(instance.isolate.cpuTime - cpuStart) / 1e6;
      const heap = instance.isolate.getHeapStatisticsSync();
      memoryBytes = heap.used_heap_size + heap.externally_allocated_size;
    }
    instance.hooks.onRequest = undefined;
    instance.hooks.onLog = undefined;
    instance.busy = false;
    if (owned || limit || instance.isolate.isDisposed || instance.uses >= WARM_RUN_BUDGET || memoryBytes > job.limits.memoryMb * 1024 * 1024 * 0.5) {
      drop(owned ? undefined : key, instance);
    }
    if (droppedLogs) logs.push(`[${droppedLogs} more log lines dropped]`);

    if (limit) return finish('error', limitMessage(limit, job), limit, cpuMs, memoryBytes);
    if (error !== undefined) return finish('error', error, undefined, cpuMs, memoryBytes);
    if (!value) return finish('error', 'the run ended without a result', undefined, cpuMs, memoryBytes);
    if (value.kind === 'threw') return finish('error', value.message, undefined, cpuMs, memoryBytes);
    if (value.value === 'success' || value.value === 'failed') return finish(value.value, undefined, undefined, cpuMs, memoryBytes);
    return finish('error', value.value, undefined, cpuMs, memoryBytes);

    function finish(outcome: SandboxResult['outcome'], err: string | undefined, hit: LimitHit | undefined, cpu: number, mem: number): SandboxResult {
      return {
        outcome, ...(err !== undefined ? { error: err } : {}), ...(hit ? { limit: hit } : {}),
        durationMs: Math.round((performance.now() - started) * 100) / 100, cpuMs: Math.round(cpu * 100) / 100, memoryBytes: mem,
        requests: bridge.records, logs, warm: wasWarm,
      };
    }
  }

  return {
    run,
    warmCount: () => warm.size,
    disposeAll() {
      for (const [k, w] of warm) drop(k, w);
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
