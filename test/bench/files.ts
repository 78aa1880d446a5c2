// Download throughput of a 100 MB file through Switchboard vs straight from the storage,
// for the fs driver (a folder) and the s3 driver (s3rver on loopback), and RSS meanwhile.
import { spawn } from 'node:child_process';
import { createServer, get, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { seed, startFilesRuntime, type FilesRuntime } from '../files/harness.ts';
import { startLoopbackS3 } from '../files/s3-server.ts';

const MB = 1024 * 1024;
const SIZE = 100 * MB;
const ROUNDS = 5;

async function drain(body: AsyncIterable<Uint8Array>): Promise<number> {
  let n = 0;
  for await (const chunk of body) n += chunk.byteLength;
  return n;
}

/** Seconds taken and peak RSS growth (MB) while `fn` runs. */
async function measure(fn: () => Promise<number>) {
  const base = process.memoryUsage.rss();
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
  const start = process.hrtime.bigint();
  const bytes = await fn();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  clearInterval(timer);
  if (bytes !== SIZE) throw new Error(`read ${bytes} bytes, expected ${SIZE}`);
  return { seconds, rssMb: (peak - base) / MB };
}

/** The download done by a consumer in a process of its own, as a real one is; RSS is this (server) process's. */
async function measureRemote(url: string, authorization = '') {
  const base = process.memoryUsage.rss();
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(new URL('./download-client.ts', import.meta.url)), url, authorization], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`download client exited ${code}`))));
  });
  clearInterval(timer);
  const r = JSON.parse(out) as { bytes: number; seconds: number };
  if (r.bytes !== SIZE) throw new Error(`read ${r.bytes} bytes, expected ${SIZE}`);
  return { seconds: r.seconds, rssMb: (peak - base) / MB };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function benchDriver(label: string, rt: FilesRuntime) {
  const s = await seed(rt);
  await rt.call('POST', '/v1/sessions', { auth: s.producer, body: { id: 'bench', team: s.team, flow: s.flow, data: {} } });
  const chunk = Buffer.alloc(MB, 0x41);
  chunk.write('%PDF-1.7\n', 0, 'latin1');
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({ pull(c) { if (sent >= SIZE) return c.close(); sent += MB; c.enqueue(chunk); } });
  const up = await fetch(`${rt.url}/v1/sessions/bench/files?name=bench.pdf`, {
    method: 'POST', headers: { authorization: rt.authHeader(s.producer), 'content-type': 'application/pdf' }, body, duplex: 'half',
  } as RequestInit);
  const { file } = (await up.json()) as { file: { id: string } };
  const key = `${s.team}/${file.id}`;

  // The loopback HTTP ceiling: a bare node:http server piping the same bytes from storage.
  const bare: Server = createServer(async (_req, res) => {
    res.writeHead(200, { 'content-length': SIZE });
    (await rt.deps.storage.get(key))!.pipe(res);
  });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
  const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/`;
  const httpGet = (url: string, headers: Record<string, string>) => new Promise<number>((resolve, reject) => {
    get(url, { headers }, (res) => void drain(res).then(resolve, reject)).on('error', reject);
  });

  const direct: number[] = [];
  const through: number[] = [];
  const ceiling: number[] = [];
  let rssDirect = 0;
  let rssThrough = 0;
  const throughRemote: number[] = [];
  const ceilingRemote: number[] = [];
  let rssRemote = 0;
  // Alternate the two so machine noise hits both alike; the first round of each warms up.
  for (let i = 0; i <= ROUNDS; i++) {
    const d = await measure(async () => drain((await rt.deps.storage.get(key))!));
    // node:http as the client: the consumer's HTTP stack is not Switchboard's cost (fetch's web streams cost as much again).
    const t = await measure(() => httpGet(`${rt.url}/v1/sessions/bench/files/${file.id}`, { authorization: rt.authHeader(s.consumer) }));
    const b = await measure(() => httpGet(bareUrl, {}));
    const tr = await measureRemote(`${rt.url}/v1/sessions/bench/files/${file.id}`, rt.authHeader(s.consumer));
    const br = await measureRemote(bareUrl);
    if (i === 0) continue;
    ceiling.push(SIZE / MB / b.seconds);
    throughRemote.push(SIZE / MB / tr.seconds);
    ceilingRemote.push(SIZE / MB / br.seconds);
    rssRemote = Math.max(rssRemote, tr.rssMb);
    direct.push(SIZE / MB / d.seconds);
    through.push(SIZE / MB / t.seconds);
    rssDirect = Math.max(rssDirect, d.rssMb);
    rssThrough = Math.max(rssThrough, t.rssMb);
  }
  bare.close();
  const ratio = median(through) / median(direct);
  console.log(`files ${label}: 100 MB download, median of ${ROUNDS}: straight from storage ${median(direct).toFixed(0)} MB/s, through Switchboard ${median(through).toFixed(0)} MB/s, ratio ${ratio.toFixed(2)} (goal >= 0.8)`);
  console.log(`files ${label}: bare node:http server streaming the same object ${median(ceiling).toFixed(0)} MB/s; Switchboard / bare HTTP ratio ${(median(through) / median(ceiling)).toFixed(2)} (client, server${label.startsWith('s3') ? ' and s3rver' : ''} share this one process)`);
  console.log(`files ${label}: consumer in its own process: through Switchboard ${median(throughRemote).toFixed(0)} MB/s, ratio to storage ${(median(throughRemote) / median(direct)).toFixed(2)} (goal >= 0.8); bare node:http ${median(ceilingRemote).toFixed(0)} MB/s (Switchboard / bare ${(median(throughRemote) / median(ceilingRemote)).toFixed(2)}); server RSS growth ${rssRemote.toFixed(1)} MB`);
  console.log(`files ${label}: peak RSS growth during transfer: storage read ${rssDirect.toFixed(1)} MB, through Switchboard ${rssThrough.toFixed(1)} MB (file is 100 MB); RSS now ${(process.memoryUsage.rss() / MB).toFixed(0)} MB`);
}

export default async function run(): Promise<void> {
  const fsRt = await startFilesRuntime({ FILES_MAX_BYTES: String(SIZE + MB) });
  try {
    await benchDriver('fs', fsRt);
  } finally {
    await fsRt.close();
  }
  const s3 = await startLoopbackS3();
  const s3Rt = await startFilesRuntime({
    FILES_MAX_BYTES: String(SIZE + MB), FILES_DRIVER: 's3', FILES_S3_BUCKET: s3.bucket, FILES_S3_ENDPOINT: s3.endpoint,
    FILES_S3_FORCE_PATH_STYLE: 'true', FILES_S3_ACCESS_KEY_ID: s3.credentials.accessKeyId, FILES_S3_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
  });
  try {
    await benchDriver('s3 (s3rver on loopback)', s3Rt);
  } finally {
    await s3Rt.close();
    await s3.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { default: selectPostgres } = await import('../support/global-setup.ts');
  const teardown = await selectPostgres();
  await run();
  await teardown?.();
}
