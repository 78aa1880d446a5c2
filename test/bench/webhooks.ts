// Webhooks benchmark. The worker runs as its own process (as in production); this process
// ingests sessions (committing session + event), runs the loopback sinks and measures.
// (a) ingest commit → signed POST received, at a steady 500 events/s with 2 matching webhooks;
// (b) sustained deliveries/s to fast sinks, beside a bare undici POST loop to the same sinks;
// (c) healthy endpoints' latency with 1 of 10 endpoints dead (hanging), vs all 10 healthy.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { systemClock } from '../../runtime/src/clock.ts';
import { ingestSession } from '../../runtime/src/domain/sessions.ts';
import { startTestRuntime, type TestRuntime } from '../support/runtime.ts';
import { fmt, printTable, repoRoot, startProcess } from './lib.ts';

process.env.SWITCHBOARD_TEST_ADMIN_URL ??= process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const retention = { afterSubmissionMs: 86_400_000, afterRetrievalMs: 86_400_000 };

type SinkStat = { url: string; server: Server; got: Map<string, number>; count: number };

async function sink(mode: 'fast' | 'dead', onReceive: (sessionId: string, at: number) => void): Promise<SinkStat> {
  const stat = { got: new Map<string, number>(), count: 0 } as SinkStat;
  stat.server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (mode === 'dead') return; // never answers: the worst kind of dead
      const at = performance.now();
      stat.count++;
      if (req.headers['webhook-id']) {
        const id = (JSON.parse(Buffer.concat(chunks).toString()) as { id: string }).id;
        onReceive(id, at);
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => stat.server.listen(0, '127.0.0.1', r));
  stat.url = `http://127.0.0.1:${(stat.server.address() as AddressInfo).port}/hook`;
  return stat;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
};

let seq = 0;

/** Ingests at a steady rate for `seconds`; returns session id → commit time. */
async function ingestSteady(rt: TestRuntime, team: string, perSecond: number, seconds: number) {
  const committed = new Map<string, number>();
  const total = perSecond * seconds;
  const start = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const id = `bench-${++seq}`;
    inFlight.push(ingestSession(rt.db, systemClock, retention, 'bench', { id, team, flow: 'flow', paymentId: 'pay', data: {} }).then(() => void committed.set(id, performance.now())));
    if (inFlight.length > 200) await Promise.all(inFlight.splice(0, 100));
  }
  await Promise.all(inFlight);
  return committed;
}

async function setupTeam(rt: TestRuntime, team: string, urls: string[]) {
  await rt.call('POST', '/v1/teams', { body: { slug: team, name: team } });
  await rt.call('POST', `/v1/teams/${team}/flows`, { body: { slug: 'flow', name: 'Flow' } });
  for (const url of urls) {
    const wh = await rt.call('POST', '/v1/webhooks', { body: { team, url, eventTypes: ['session.*'] } });
    if (wh.status !== 201) throw new Error(wh.text);
    await rt.call('POST', `/v1/teams/${team}/flows/flow/grants`, { body: { destinationKind: 'webhook', destination: wh.json.webhook.id } });
  }
}

async function waitUntil(check: () => boolean, timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  while (!check() && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
}

export default async function run() {
  const rt = await startTestRuntime({ WEBHOOK_ALLOW_PRIVATE: '127.0.0.1/32' });
  // One receive-time table shared by every sink: session id → times received (one per webhook).
  const received = new Map<string, number[]>();
  const onReceive = (id: string, at: number) => {
    const list = received.get(id);
    if (list) list.push(at);
    else received.set(id, [at]);
  };
  const worker = startProcess(['--no-node-snapshot', 'runtime/bin/switchboard.ts', 'worker'], {
    DATABASE_URL: rt.databaseUrl, SWITCHBOARD_ENV: 'test', LOG_LEVEL: 'warn', SWITCHBOARD_ADMIN_TOKEN: rt.adminToken,
    WEBHOOK_ALLOW_PRIVATE: '127.0.0.1/32', DB_POOL_SIZE: '10',
  });
  const sinks: SinkStat[] = [];
  const rows: Record<string, string | number>[] = [];
  try {
    await new Promise((r) => setTimeout(r, 2500)); // worker start-up (migrations already applied)

    const latencies = (committed: Map<string, number>, perEvent: number, keep?: (i: number) => boolean) => {
      const xs: number[] = [];
      for (const [id, at] of committed) for (const [i, got] of (received.get(id) ?? []).entries()) if (!keep || keep(i)) xs.push(got - at);
      const expected = committed.size * perEvent;
      return { xs, missing: expected - xs.length };
    };

    // (a) 500 events/s, 2 matching webhooks each.
    const a = [await sink('fast', onReceive), await sink('fast', onReceive)];
    sinks.push(...a);
    await setupTeam(rt, 'latency', a.map((s) => s.url));
    const committedA = await ingestSteady(rt, 'latency', 500, SECONDS);
    await waitUntil(() => [...committedA.keys()].every((id) => (received.get(id)?.length ?? 0) >= 2), 30_000);
    const la = latencies(committedA, 2);
    const stages = await rt.db.query<{ fanout_p50: number; fanout_p99: number; claim_p50: number; claim_p99: number }>(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY f) AS fanout_p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY f) AS fanout_p99,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY c) AS claim_p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY c) AS claim_p99
       FROM (SELECT extract(epoch FROM d.created_at - e.created_at) * 1000 AS f, extract(epoch FROM a.started_at - d.created_at) * 1000 AS c
             FROM webhook_deliveries d JOIN events e ON e.id = d.event_id JOIN webhook_attempts a ON a.delivery_id = d.id AND a.attempt = 1
             WHERE d.team = 'latency') x`);
    console.log('(a) stages, ms:', stages.rows[0]);
    rows.push({ case: '(a) 500 events/s × 2 webhooks: commit → sink', deliveries: la.xs.length, 'p50 ms': fmt(pct(la.xs, 50), 1), 'p99 ms': fmt(pct(la.xs, 99), 1), missing: la.missing, goal: 'p50 < 50, p99 < 250' });

    // (b) Throughput: a backlog of events to 4 fast endpoints, drained as fast as the worker can.
    const b = [await sink('fast', () => {}), await sink('fast', () => {}), await sink('fast', () => {}), await sink('fast', () => {})];
    sinks.push(...b);
    await setupTeam(rt, 'throughput', b.map((s) => s.url));
    const events = 5000;
    const countB = () => b.reduce((n, s) => n + s.count, 0);
    const t0 = performance.now();
    for (let i = 0; i < events; i += 500) {
      await rt.db.query(
        `INSERT INTO sessions (id, team, flow, producer, submitted_at, purge_after, data, files)
         SELECT 'tp-' || g, 'throughput', 'flow', 'bench', now(), now() + interval '1 day', '{}', '[]' FROM generate_series($1::int, $2::int) g`, [i, i + 499]);
      await rt.db.query(
        `INSERT INTO events (id, type, team, flow, session_id, payload, created_at)
         SELECT 'evt_tp_' || g, 'session.submitted', 'throughput', 'flow', 'tp-' || g, json_build_object('id', 'tp-' || g, 'team', 'throughput', 'flow', 'flow', 'paymentID', null), now()
         FROM generate_series($1::int, $2::int) g`, [i, i + 499]);
    }
    await waitUntil(() => countB() >= events * 4, 120_000);
    const workerRate = countB() / ((performance.now() - t0) / 1000);
    const spans = await rt.db.query(`SELECT extract(epoch FROM max(d.created_at) - min(d.created_at)) * 1000 AS fanout_ms,
      extract(epoch FROM max(a.started_at) - min(a.started_at)) * 1000 AS send_ms, count(*) AS n
      FROM webhook_deliveries d JOIN webhook_attempts a ON a.delivery_id = d.id WHERE d.team = 'throughput'`);
    console.log('(b) spans:', spans.rows[0]);

    // The same sinks, a bare undici Pool POSTing a same-sized signed-looking body, 40 in flight.
    const body = JSON.stringify({ id: 'tp-1', team: 'throughput', flow: 'flow', paymentID: null, type: 'session.submitted', timestamp: new Date().toISOString() });
    const pools = b.map((s) => new Pool(new URL(s.url).origin, { connections: 10 }));
    const bareTotal = events * 4;
    let sent = 0;
    const t1 = performance.now();
    await Promise.all(Array.from({ length: 40 }, async (_, k) => {
      const pool = pools[k % pools.length]!;
      while (sent < bareTotal) {
        sent++;
        const r = await pool.request({ path: '/hook', method: 'POST', body, headers: { 'content-type': 'application/json' } });
        await r.body.dump();
      }
    }));
    const bareRate = bareTotal / ((performance.now() - t1) / 1000);
    await Promise.all(pools.map((p) => p.close()));
    rows.push({ case: '(b) drain 5,000 events × 4 webhooks', 'deliveries/s': fmt(workerRate), 'bare undici/s': fmt(bareRate), ratio: fmt(workerRate / bareRate, 2), goal: '≥ 2,000/s' });

    // (c) 10 endpoints at 100 events/s: all healthy, then 1 of 10 dead.
    for (const dead of [false, true]) {
      const team = dead ? 'onedead' : 'allhealthy';
      const c: SinkStat[] = [];
      for (let i = 0; i < 10; i++) c.push(await sink(dead && i === 9 ? 'dead' : 'fast', onReceive));
      sinks.push(...c);
      await setupTeam(rt, team, c.map((s) => s.url));
      const committed = await ingestSteady(rt, team, 100, SECONDS);
      const healthyPerEvent = dead ? 9 : 10;
      await waitUntil(() => [...committed.keys()].every((id) => (received.get(id)?.length ?? 0) >= healthyPerEvent), 30_000);
      const l = latencies(committed, healthyPerEvent);
      rows.push({ case: `(c) 100 events/s × 10 webhooks, ${dead ? '1 dead (hangs)' : 'all healthy'}: healthy endpoints`, deliveries: l.xs.length, 'p50 ms': fmt(pct(l.xs, 50), 1), 'p99 ms': fmt(pct(l.xs, 99), 1), missing: l.missing });
    }
    printTable('Webhooks (worker in its own process; loopback sinks)', rows);
    const c0 = Number(String(rows.at(-2)!['p99 ms']).replace(/,/g, ''));
    const c1 = Number(String(rows.at(-1)!['p99 ms']).replace(/,/g, ''));
    console.log(`(c) healthy p99 with one dead endpoint / all healthy: ${fmt(c1 / c0, 2)}× (goal ≤ 2×)`);
  } finally {
    await worker.stop();
    for (const s of sinks) {
      s.server.closeAllConnections();
      s.server.close();
    }
    await rt.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run().then(() => process.exit(0));
void repoRoot;
