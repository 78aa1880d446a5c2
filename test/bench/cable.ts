// Websocket delivery benchmark: 1,000 subscribed sockets on one API process, ingest at
// 200 events/s spread over teams; latency from ingest to client receipt, memory per idle
// socket, and how many sockets one process holds before p99 doubles.
import { readFile } from 'node:fs/promises';
import WebSocket from 'ws';
import { createTestDatabase } from '../support/database.ts';
import { fmt, freePort, startProcess, waitFor } from './lib.ts';

const TEAMS = 10;
const RATE = 200;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ADMIN = 'sbo_bench_admin_token_0123456789abcdef';

const rssMb = async (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;

export default async function run() {
  const database = await createTestDatabase();
  const port = await freePort();
  const api = startProcess(['--no-node-snapshot', 'runtime/bin/switchboard.ts', 'api'], {
    DATABASE_URL: database.url, PORT: String(port), LOG_LEVEL: 'warn', SWITCHBOARD_ENV: 'bench', SWITCHBOARD_ADMIN_TOKEN: ADMIN,
    RATE_LIMIT_PER_SECOND: '1000000', RATE_LIMIT_BURST: '1000000',
  });
  const base = `http://127.0.0.1:${port}`;
  const sockets: WebSocket[] = [];
  try {
    await waitFor(`${base}/readyz`);
    const post = async (path: string, body: unknown, auth = `Bearer ${ADMIN}`) =>
      (await fetch(base + path, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<any>;
    const basic = (c: any) => `Basic ${Buffer.from(`${c.credential.key}:${c.secret}`).toString('base64')}`;
    const teams: { slug: string; producer: string; consumer: string }[] = [];
    for (let t = 0; t < TEAMS; t++) {
      const slug = `team-${t}`;
      await post('/v1/teams', { slug, name: slug });
      await post(`/v1/teams/${slug}/flows`, { slug: 'flow', name: 'Flow' });
      await post(`/v1/teams/${slug}/flows/flow/grants`, { destination: 'bops' });
      teams.push({
        slug,
        producer: basic(await post('/v1/credentials', { kind: 'producer', platform: 'planx', teams: [slug] })),
        consumer: basic(await post('/v1/credentials', { kind: 'consumer', platform: 'bops', teams: [slug], scopes: ['events:read'] })),
      });
    }

    const sentAt = new Map<string, number>();
    let latencies: number[] = [];
    const open = async (count: number) => {
      const batch = Array.from({ length: count }, (_, i) => {
        const team = teams[(sockets.length + i) % TEAMS]!;
        const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/cable`, ['actioncable-v1-json'], { headers: { authorization: team.consumer } });
        sockets.push(ws);
        return new Promise<void>((resolve, reject) => {
          ws.on('message', (data) => {
            const frame = JSON.parse(data.toString());
            if (frame.type === 'welcome') ws.send(JSON.stringify({ command: 'subscribe', identifier: JSON.stringify({ channel: 'EventChannel', events: 'session.*' }) }));
            else if (frame.type === 'confirm_subscription') resolve();
            else if (frame.type === 'reject_subscription') reject(new Error(`subscription rejected for ${team.slug}`));
            else if (frame.identifier && frame.message) {
              const t0 = sentAt.get(frame.message.payload.id);
              if (t0 !== undefined) latencies.push(performance.now() - t0);
            }
          });
          ws.on('error', reject);
        });
      });
      for (let i = 0; i < batch.length; i += 200) {
        await Promise.all(batch.slice(i, i + 200));
        process.stdout.write(`\r  ${sockets.length - batch.length + Math.min(i + 200, batch.length)} sockets subscribed`);
      }
      process.stdout.write('\n');
    };

    let n = 0;
    const ingestFor = async (seconds: number) => {
      latencies = [];
      const until = performance.now() + seconds * 1000;
      const inflight = new Set<Promise<unknown>>();
      for (let tick = performance.now(); tick < until; tick += 1000 / RATE) {
        const wait = tick - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const team = teams[n % TEAMS]!;
        const id = `s-${++n}`;
        sentAt.set(id, performance.now()); // from the POST's start: an upper bound on commit → receipt
        const p = post('/v1/sessions', { id, team: team.slug, flow: 'flow', data: {} }, team.producer).finally(() => inflight.delete(p));
        inflight.add(p);
      }
      await Promise.all(inflight);
      await new Promise((r) => setTimeout(r, 500));
      return { p50: pct(latencies, 50), p99: pct(latencies, 99), deliveries: latencies.length };
    };

    const idleRss = await rssMb(api.child.pid!);
    await open(1000);
    await new Promise((r) => setTimeout(r, 1000));
    const perSocketKb = ((await rssMb(api.child.pid!)) - idleRss) * 1024 / 1000;
    const base1000 = await ingestFor(SECONDS);
    console.log(`\nWebsocket delivery (ActionCable), 1,000 subscribed sockets over ${TEAMS} teams, ingest ${RATE} events/s for ${SECONDS} s`);
    console.table([{ sockets: 1000, deliveries: base1000.deliveries, 'p50 ms': fmt(base1000.p50, 1), 'p99 ms': fmt(base1000.p99, 1) }]);
    console.log(`ingest → client receipt (timed from the ingest POST's start): p50 ${fmt(base1000.p50, 1)} ms, p99 ${fmt(base1000.p99, 1)} ms (goal p99 < 100 ms)`);
    console.log(`memory per idle subscribed socket: ${fmt(perSocketKb, 1)} KB (server RSS ${fmt(idleRss)} MB → ${fmt(await rssMb(api.child.pid!))} MB)`);

    const steps: Record<string, string | number>[] = [];
    let limit = 'not reached';
    for (const total of [2000, 4000, 8000]) {
      await open(total - sockets.length);
      const r = await ingestFor(Math.max(4, SECONDS / 2));
      steps.push({ sockets: total, deliveries: r.deliveries, 'p50 ms': fmt(r.p50, 1), 'p99 ms': fmt(r.p99, 1), 'server RSS MB': fmt(await rssMb(api.child.pid!)) });
      if (r.p99 > 2 * base1000.p99) {
        limit = `${total} sockets (p99 ${fmt(r.p99, 1)} ms > 2 × ${fmt(base1000.p99, 1)} ms)`;
        break;
      }
    }
    console.table(steps);
    console.log(`sockets one process holds before p99 doubles: ${limit}; client and server share this machine's 2 cores`);
  } finally {
    for (const ws of sockets) ws.terminate();
    await api.stop();
    await database.drop();
  }
}
