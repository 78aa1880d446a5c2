// Integration API benchmark: (a) authenticated pull of a 50 KB session vs a bare Hono + one
// SELECT route on the same PostgreSQL; (b) sustained ingest rate and p99.
import pg from 'pg';
import { createTestDatabase } from '../support/database.ts';
import { autocannon, fmt, freePort, printTable, repoRoot, startProcess, waitFor } from './lib.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

function fiftyKbSession(): Record<string, unknown> {
  const answers: Record<string, string> = {};
  for (let i = 0; answers && JSON.stringify(answers).length < 50_000; i++) answers[`question.${i}`] = `answer ${i} `.repeat(8);
  return { passport: { data: answers }, breadcrumbs: {}, paymentDetails: {} };
}

export default async function run() {
  const database = await createTestDatabase();
  const adminToken = 'sbo_bench_admin_token_0123456789abcdef';
  const port = await freePort();
  const api = startProcess(['--no-node-snapshot', 'runtime/bin/switchboard.ts', 'api'], {
    DATABASE_URL: database.url, PORT: String(port), LOG_LEVEL: 'warn', SWITCHBOARD_ENV: 'bench',
    SWITCHBOARD_ADMIN_TOKEN: adminToken, RATE_LIMIT_PER_SECOND: '1000000', RATE_LIMIT_BURST: '1000000', DB_POOL_SIZE: '10',
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`${base}/readyz`);
    const call = async (path: string, body: unknown, auth = `Bearer ${adminToken}`) => {
      const res = await fetch(base + path, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return res.json() as Promise<any>;
    };
    await call('/v1/teams', { slug: 'bench', name: 'Bench' });
    await call('/v1/teams/bench/flows', { slug: 'flow', name: 'Flow' });
    await call('/v1/teams/bench/flows/flow/grants', { destination: 'bops' });
    const producer = await call('/v1/credentials', { kind: 'producer', platform: 'planx', teams: ['bench'] });
    const consumer = await call('/v1/credentials', { kind: 'consumer', platform: 'bops', teams: ['bench'] });
    const basic = (c: any) => `Basic ${Buffer.from(`${c.credential.key}:${c.secret}`).toString('base64')}`;
    const data = fiftyKbSession();
    await call('/v1/sessions', { id: 'pull-target', team: 'bench', flow: 'flow', data }, basic(producer));

    // The baseline serves the same 50 KB JSON from the same PostgreSQL.
    const client = new pg.Client(database.url);
    await client.connect();
    await client.query(`CREATE TABLE public.bench_rows (id text PRIMARY KEY, data jsonb)`);
    await client.query(`INSERT INTO public.bench_rows VALUES ('pull-target', $1)`, [JSON.stringify(data)]);
    await client.end();
    const barePort = await freePort();
    const bare = startProcess([`${repoRoot}test/bench/bare-hono.ts`], { DATABASE_URL: database.url, PORT: String(barePort) });
    await waitFor(`http://127.0.0.1:${barePort}/row/pull-target`);

    const bareResult = await autocannon({ url: `http://127.0.0.1:${barePort}/row/pull-target`, connections: 50, seconds: SECONDS });
    await bare.stop();
    const pull = await autocannon({ url: `${base}/v1/sessions/pull-target`, connections: 50, seconds: SECONDS, headers: { authorization: basic(consumer) } });

    const ingestBody = JSON.stringify({ id: 'ing-[<id>]', team: 'bench', flow: 'flow', paymentId: 'pay', data: { passport: { data: { 'applicant.name': 'Ada', 'site.address': '1 High Street' } } } });
    const ingest = await autocannon({ url: `${base}/v1/sessions`, method: 'POST', connections: 20, seconds: SECONDS, body: ingestBody, idReplacement: true, headers: { authorization: basic(producer), 'content-type': 'application/json' } });

    printTable('Integration API (autocannon, separate process; 50 connections for reads, 20 for ingest)', [
      { case: 'bare Hono + 1 PK SELECT (50 KB row)', 'req/s': fmt(bareResult.rps), 'p50 ms': bareResult.p50, 'p99 ms': bareResult.p99, non2xx: bareResult.non2xx },
      { case: 'authenticated, audited pull (50 KB)', 'req/s': fmt(pull.rps), 'p50 ms': pull.p50, 'p99 ms': pull.p99, non2xx: pull.non2xx },
      { case: 'ingest (session + event, audited)', 'req/s': fmt(ingest.rps), 'p50 ms': ingest.p50, 'p99 ms': ingest.p99, non2xx: ingest.non2xx },
    ]);
    console.log(`pull / bare ratio: ${fmt(pull.rps / bareResult.rps, 2)} (goal ≥ 0.6)`);
    console.log(`ingest: ${fmt(ingest.rps)} sessions/s, p99 ${ingest.p99} ms (goal ≥ 1,000/s, p99 < 50 ms)`);
  } finally {
    await api.stop();
    await database.drop();
  }
}
