import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed, startFilesRuntime, type FilesRuntime } from './harness.ts';

const MB = 1024 * 1024;
const SIZE = Number(process.env.FILES_TEST_MB ?? 200) * MB;

/** 200 MB of PDF-looking bytes from one reused 1 MB chunk: the test itself holds ~1 MB. */
function generated(total: number) {
  const chunk = Buffer.alloc(MB, 0x41);
  chunk.write('%PDF-1.7\n', 0, 'latin1');
  let sent = 0;
  const hash = createHash('sha256');
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      if (sent >= total) return c.close();
      const n = Math.min(MB, total - sent);
      const part = chunk.subarray(0, n);
      hash.update(part);
      sent += n;
      c.enqueue(part);
    },
  });
  return { stream, digest: () => hash.digest('hex') };
}

function sampleRss() {
  const base = process.memoryUsage.rss();
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  return { stop: () => (clearInterval(timer), (peak - base) / MB) };
}

describe('a 200 MB file through the API', () => {
  let rt: FilesRuntime;
  let s: Awaited<ReturnType<typeof seed>>;
  beforeAll(async () => {
    rt = await startFilesRuntime({ FILES_MAX_BYTES: String(SIZE + MB) });
    s = await seed(rt);
    await rt.call('POST', '/v1/sessions', { auth: s.producer, body: { id: 'big', team: s.team, flow: s.flow, data: {} } });
  });
  afterAll(async () => rt?.close());

  it('uploads and downloads with memory staying flat (streamed, never buffered)', async () => {
    // Warm-up: first-use allocations (HTTP client pools, JIT, heap sizing) are not per-byte costs.
    const warm = await fetch(`${rt.url}/v1/sessions/big/files?name=warm.pdf`, {
      method: 'POST', headers: { authorization: rt.authHeader(s.producer), 'content-type': 'application/pdf' }, body: generated(32 * MB).stream, duplex: 'half',
    } as RequestInit);
    expect(warm.status).toBe(201);
    const up = generated(SIZE);
    const upRss = sampleRss();
    const res = await fetch(`${rt.url}/v1/sessions/big/files?name=huge.pdf`, {
      method: 'POST', headers: { authorization: rt.authHeader(s.producer), 'content-type': 'application/pdf' }, body: up.stream, duplex: 'half',
    } as RequestInit);
    const uploaded = (await res.json()) as any;
    const uploadGrowth = upRss.stop();
    expect(res.status).toBe(201);
    expect(uploaded.file.size).toBe(SIZE);
    expect(uploaded.file.sha256).toBe(up.digest());

    const downRss = sampleRss();
    const down = await fetch(`${rt.url}/v1/sessions/big/files/${uploaded.file.id}`, { headers: { authorization: rt.authHeader(s.consumer) } });
    expect(down.status).toBe(200);
    const hash = createHash('sha256');
    let received = 0;
    for await (const chunk of down.body as unknown as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      received += chunk.byteLength;
    }
    const downloadGrowth = downRss.stop();
    expect(received).toBe(SIZE);
    expect(hash.digest('hex')).toBe(uploaded.file.sha256);

    console.log(`RSS growth: upload ${uploadGrowth.toFixed(1)} MB, download ${downloadGrowth.toFixed(1)} MB for a ${SIZE / MB} MB file`);
    // Buffering would grow RSS by the file size; streaming stays flat (the same ~tens of MB
    // of buffers and heap headroom for 100 MB or 400 MB files).
    expect(uploadGrowth).toBeLessThan(SIZE / MB / 3);
    expect(downloadGrowth).toBeLessThan(SIZE / MB / 3);
  }, 180_000);
});
