import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeSessions } from '../../runtime/src/domain/retention.ts';
import { createFileDownloadToken, fileUrlSecret } from '../../runtime/src/files/download-token.ts';
import { purgeFiles } from '../../runtime/src/files/purge.ts';
import { createS3Client } from '../../runtime/src/files/s3-storage.ts';
import { seed, startFilesRuntime, type FilesRuntime } from './harness.ts';
import { startLoopbackS3, type LoopbackS3 } from './s3-server.ts';

const MB = 1024 * 1024;
const DAY = 86_400_000;
const pdf = (size: number, seed = 0) => {
  const b = Buffer.alloc(size, 0x20);
  b.write('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 0, 'latin1');
  for (let i = 64; i < size; i += 997) b[i] = (i + seed) & 0xff;
  return b;
};
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const filesOnDisk = async (dir: string) => (await readdir(dir, { recursive: true, withFileTypes: true })).filter((d) => d.isFile()).map((d) => d.name);

async function submit(rt: FilesRuntime, s: Awaited<ReturnType<typeof seed>>, id: string) {
  const r = await rt.call('POST', '/v1/sessions', { auth: s.producer, body: { id, team: s.team, flow: s.flow, data: { passport: {} } } });
  expect(r.status).toBe(201);
}

async function upload(rt: FilesRuntime, auth: { basic: { key: string; secret: string } }, sessionId: string, name: string, body: RequestInit['body'], type = 'application/pdf') {
  const res = await fetch(`${rt.url}/v1/sessions/${encodeURIComponent(sessionId)}/files?name=${encodeURIComponent(name)}`, {
    method: 'POST', headers: { authorization: rt.authHeader(auth), 'content-type': type }, body, duplex: 'half',
  } as RequestInit);
  return { status: res.status, json: (await res.json()) as any };
}

async function download(rt: FilesRuntime, auth: { basic: { key: string; secret: string } }, path: string, headers: Record<string, string> = {}) {
  return fetch(rt.url + path, { headers: { authorization: rt.authHeader(auth), ...headers }, redirect: 'manual' });
}

describe('files API (fs driver)', () => {
  let rt: FilesRuntime;
  let s: Awaited<ReturnType<typeof seed>>;
  beforeAll(async () => {
    rt = await startFilesRuntime({ FILES_MAX_BYTES: String(8 * MB) });
    s = await seed(rt);
  });
  afterAll(async () => rt?.close());

  it('stores an upload once, lists it with its hash and serves the same bytes', async () => {
    await submit(rt, s, 'sess-1');
    const data = pdf(300_000);
    const up = await upload(rt, s.producer, 'sess-1', 'site plan.pdf', data, 'application/octet-stream');
    expect(up.status).toBe(201);
    expect(up.json.file).toMatchObject({ name: 'site plan.pdf', contentType: 'application/pdf', size: data.length, sha256: sha(data) });

    const again = await upload(rt, s.producer, 'sess-1', 'site plan.pdf', data);
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ duplicate: true, file: { id: up.json.file.id } });
    expect(await filesOnDisk(rt.dir)).toHaveLength(1);

    const list = await rt.call('GET', '/v1/sessions/sess-1/files', { auth: s.consumer });
    expect(list.status).toBe(200);
    expect(list.json.files).toEqual([up.json.file]);

    const res = await download(rt, s.consumer, `/v1/sessions/sess-1/files/${up.json.file.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-length')).toBe(String(data.length));
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-disposition')).toContain('attachment');
    expect(Buffer.from(await res.arrayBuffer()).equals(data)).toBe(true);
  });

  it('serves byte ranges, and 416 for a range past the end', async () => {
    await submit(rt, s, 'sess-range');
    const data = pdf(100_000, 3);
    const { json } = await upload(rt, s.producer, 'sess-range', 'a.pdf', data);
    const path = `/v1/sessions/sess-range/files/${json.file.id}`;

    const mid = await download(rt, s.consumer, path, { range: 'bytes=1000-1999' });
    expect(mid.status).toBe(206);
    expect(mid.headers.get('content-range')).toBe(`bytes 1000-1999/${data.length}`);
    expect(Buffer.from(await mid.arrayBuffer()).equals(data.subarray(1000, 2000))).toBe(true);

    const tail = await download(rt, s.consumer, path, { range: 'bytes=-10' });
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer()).equals(data.subarray(-10))).toBe(true);

    const open = await download(rt, s.consumer, path, { range: `bytes=${data.length - 5}-` });
    expect(Buffer.from(await open.arrayBuffer()).equals(data.subarray(-5))).toBe(true);

    const past = await download(rt, s.consumer, path, { range: `bytes=${data.length}-` });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${data.length}`);
    await past.arrayBuffer();
  });

  it('refuses types off the allow list (sniffed, not declared) and stores nothing', async () => {
    await submit(rt, s, 'sess-type');
    const before = await filesOnDisk(rt.dir);
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(5000, 1)]);
    const r = await upload(rt, s.producer, 'sess-type', 'innocent.pdf', elf, 'application/pdf');
    expect(r.status).toBe(415);
    expect(r.json.code).toBe('unsupported_media_type');
    const binaryAsText = await upload(rt, s.producer, 'sess-type', 'notes.txt', Buffer.from([0, 1, 2, 3, 0, 0, 0xff]), 'text/plain');
    expect(binaryAsText.status).toBe(415);
    const text = await upload(rt, s.producer, 'sess-type', 'notes.txt', Buffer.from('plain words, ünïcode too\n'), 'text/plain; charset=utf-8');
    expect(text.status).toBe(201);
    expect(text.json.file.contentType).toBe('text/plain');
    expect((await filesOnDisk(rt.dir)).length).toBe(before.length + 1);
  });

  it('refuses an upload over the size limit, declared or streamed, and stores nothing', async () => {
    await submit(rt, s, 'sess-big');
    const before = await filesOnDisk(rt.dir);
    const declared = await upload(rt, s.producer, 'sess-big', 'big.pdf', pdf(9 * MB));
    expect(declared.status).toBe(413);
    // No Content-Length: the limit is enforced while the bytes stream.
    const body = pdf(9 * MB);
    const streamed = await upload(rt, s.producer, 'sess-big', 'big.pdf', new ReadableStream({
      start(c) {
        for (let i = 0; i < body.length; i += MB) c.enqueue(body.subarray(i, i + MB));
        c.close();
      },
    }));
    expect(streamed.status).toBe(413);
    expect(streamed.json.code).toBe('payload_too_large');
    expect(await filesOnDisk(rt.dir)).toEqual(before);
  });

  it('a connection dropped mid-upload leaves nothing stored', async () => {
    await submit(rt, s, 'sess-drop');
    const before = await filesOnDisk(rt.dir);
    const url = new URL(`${rt.url}/v1/sessions/sess-drop/files?name=cut.pdf`);
    const req = request(url, { method: 'POST', headers: { authorization: rt.authHeader(s.producer), 'content-type': 'application/pdf', 'content-length': String(6 * MB) } });
    req.on('error', () => {});
    req.write(pdf(3 * MB));
    // Wait until the server is writing the file, then cut the connection.
    for (let i = 0; i < 200 && !(await filesOnDisk(rt.dir)).some((n) => n.endsWith('.partial')); i++) await new Promise((r) => setTimeout(r, 25));
    expect((await filesOnDisk(rt.dir)).some((n) => n.endsWith('.partial'))).toBe(true);
    req.destroy();
    let now = await filesOnDisk(rt.dir);
    for (let i = 0; i < 200 && now.length !== before.length; i++) {
      await new Promise((r) => setTimeout(r, 25));
      now = await filesOnDisk(rt.dir);
    }
    expect(now).toEqual(before);
    const list = await rt.call('GET', '/v1/sessions/sess-drop/files', { auth: s.consumer });
    expect(list.json.files).toEqual([]);
  });

  it('another team sees 404, an ungranted platform 403', async () => {
    await submit(rt, s, 'sess-private');
    const { json } = await upload(rt, s.producer, 'sess-private', 'a.pdf', pdf(5000));
    const other = await seed(rt, 'southwark', 'ldc', 'bops');
    const list = await rt.call('GET', '/v1/sessions/sess-private/files', { auth: other.consumer });
    expect(list.status).toBe(404);
    const get = await download(rt, other.consumer, `/v1/sessions/sess-private/files/${json.file.id}`);
    expect(get.status).toBe(404);
    await get.arrayBuffer();
    const up = await upload(rt, other.producer, 'sess-private', 'b.pdf', pdf(5000));
    expect(up.status).toBe(404);

    const idox = await rt.call('POST', '/v1/credentials', { body: { kind: 'consumer', platform: 'idox', teams: [s.team], scopes: ['files:read'] } });
    const ungranted = { basic: { key: idox.json.credential.key, secret: idox.json.secret } };
    expect((await rt.call('GET', '/v1/sessions/sess-private/files', { auth: ungranted })).status).toBe(403);
    const denied = await download(rt, ungranted, `/v1/sessions/sess-private/files/${json.file.id}`);
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as any).code).toBe('not_granted');

    const noScope = await rt.call('POST', '/v1/credentials', { body: { kind: 'consumer', platform: 'bops', teams: [s.team], scopes: ['sessions:read'] } });
    const r = await rt.call('GET', '/v1/sessions/sess-private/files', { auth: { basic: { key: noScope.json.credential.key, secret: noScope.json.secret } } });
    expect(r.status).toBe(403);
    expect(r.json.code).toBe('insufficient_scope');
  });

  it('path traversal in file names and ids reaches nothing', async () => {
    await submit(rt, s, 'sess-trav');
    const a = await upload(rt, s.producer, 'sess-trav', '../../../etc/passwd', Buffer.from('root:x:0:0\n'), 'text/plain');
    expect(a.status).toBe(201);
    expect(a.json.file.name).toBe('passwd');
    const b = await upload(rt, s.producer, 'sess-trav', '..\\..\\win.ini', Buffer.from('[x]\n'), 'text/plain');
    expect(b.json.file.name).toBe('win.ini');
    const c = await upload(rt, s.producer, 'sess-trav', '..', Buffer.from('dots\n'), 'text/plain');
    expect(c.json.file.name).toBe('file');
    // Stored under our own ids inside the files folder.
    const stored = (await readdir(rt.dir, { recursive: true })).map(String);
    expect(stored.some((p) => p.includes('passwd') || p.includes('..'))).toBe(false);
    for (const id of ['..%2F..%2Fetc%2Fpasswd', '..', '%2e%2e']) {
      const r = await download(rt, s.consumer, `/v1/sessions/sess-trav/files/${id}`);
      expect([404]).toContain(r.status);
      await r.arrayBuffer();
    }
    const res = await download(rt, s.consumer, `/v1/sessions/sess-trav/files/${a.json.file.id}`);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="passwd"; filename*=UTF-8''passwd`);
    await res.arrayBuffer();
  });

  it('audits every download and counts it as a retrieval for retention', async () => {
    await submit(rt, s, 'sess-audit');
    const { json } = await upload(rt, s.producer, 'sess-audit', 'a.pdf', pdf(5000));
    const before = await rt.db.query<{ first_retrieved_at: Date | null; purge_after: Date }>(`SELECT first_retrieved_at, purge_after FROM sessions WHERE id = 'sess-audit'`);
    expect(before.rows[0]!.first_retrieved_at).toBeNull();
    const res = await download(rt, s.consumer, `/v1/sessions/sess-audit/files/${json.file.id}`);
    await res.arrayBuffer();
    await rt.deps.audit.flush();
    const after = await rt.db.query<{ first_retrieved_at: Date | null; purge_after: Date }>(`SELECT first_retrieved_at, purge_after FROM sessions WHERE id = 'sess-audit'`);
    expect(after.rows[0]!.first_retrieved_at).not.toBeNull();
    expect(after.rows[0]!.purge_after.getTime()).toBeLessThan(before.rows[0]!.purge_after.getTime());
    const audit = await rt.db.query(`SELECT route, status, session_id, team FROM audit_log WHERE session_id = 'sess-audit' AND method = 'GET'`);
    expect(audit.rows).toEqual([{ route: '/v1/sessions/{id}/files/{fileId}', status: 200, session_id: 'sess-audit', team: s.team }]);
  });

  it('short-lived download links serve one file until they expire', async () => {
    await submit(rt, s, 'sess-link');
    const { json } = await upload(rt, s.producer, 'sess-link', 'a.pdf', pdf(7000));
    const secret = fileUrlSecret(rt.deps.config.FILES_URL_SECRET);
    const token = createFileDownloadToken({ team: s.team, sessionId: 'sess-link', fileId: json.file.id, expiresAt: new Date(rt.clock.now().getTime() + 60_000) }, secret);
    const ok = await fetch(`${rt.url}/v1/file-downloads/${token}`);
    expect(ok.status).toBe(200);
    expect((await ok.arrayBuffer()).byteLength).toBe(7000);
    const tampered = await fetch(`${rt.url}/v1/file-downloads/${token.slice(0, -2)}xx`);
    expect(tampered.status).toBe(403);
    await tampered.arrayBuffer();
    rt.clock.advance(61_000);
    const expired = await fetch(`${rt.url}/v1/file-downloads/${token}`);
    expect(expired.status).toBe(403);
    expect(((await expired.json()) as any).code).toBe('invalid_download_link');
  });

  it('purge deletes the bytes, resumes after a crash, and a purged file is 410', async () => {
    await submit(rt, s, 'sess-purge');
    const { json } = await upload(rt, s.producer, 'sess-purge', 'a.pdf', pdf(6000));
    const { json: json2 } = await upload(rt, s.producer, 'sess-purge', 'b.pdf', pdf(6000, 9));
    rt.clock.advance(31 * DAY);
    expect(await purgeSessions(rt.db, rt.clock.now())).toBeGreaterThan(0);
    // A purged session's files are gone to consumers at once, before the bytes are deleted.
    const gone = await download(rt, s.consumer, `/v1/sessions/sess-purge/files/${json.file.id}`);
    expect(gone.status).toBe(410);
    await gone.arrayBuffer();
    expect((await rt.call('GET', '/v1/sessions/sess-purge/files', { auth: s.consumer })).status).toBe(410);

    // A crash after deleting one object but before marking its row: the next run finishes the job.
    await rt.deps.storage.delete(`${s.team}/${json.file.id}`);
    const deleted = await purgeFiles(rt.db, rt.deps.storage, rt.clock);
    expect(deleted).toBeGreaterThanOrEqual(2);
    expect(await purgeFiles(rt.db, rt.deps.storage, rt.clock)).toBe(0);
    expect(await rt.deps.storage.exists(`${s.team}/${json2.file.id}`)).toBe(false);
    const rows = await rt.db.query(`SELECT deleted_at FROM files WHERE session_id = 'sess-purge'`);
    expect(rows.rows.every((r: any) => r.deleted_at !== null)).toBe(true);
    const up = await upload(rt, s.producer, 'sess-purge', 'late.pdf', pdf(100));
    expect(up.status).toBe(410);
  });

  it('a download in flight when the purge runs completes; the next one is 410', async () => {
    rt.clock.set(new Date());
    await submit(rt, s, 'sess-inflight');
    const data = pdf(6 * MB, 5);
    const { json } = await upload(rt, s.producer, 'sess-inflight', 'a.pdf', data);
    const res = await download(rt, s.consumer, `/v1/sessions/sess-inflight/files/${json.file.id}`);
    const reader = res.body!.getReader();
    const first = await reader.read();
    const chunks: Uint8Array[] = [first.value!];
    rt.clock.advance(31 * DAY);
    await purgeSessions(rt.db, rt.clock.now());
    await purgeFiles(rt.db, rt.deps.storage, rt.clock);
    expect(await rt.deps.storage.exists(`${s.team}/${json.file.id}`)).toBe(false);
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      chunks.push(r.value);
    }
    expect(sha(Buffer.concat(chunks))).toBe(sha(data));
    const next = await download(rt, s.consumer, `/v1/sessions/sess-inflight/files/${json.file.id}`);
    expect(next.status).toBe(410);
    await next.arrayBuffer();
  });
});

describe('files API (s3 driver, presigned redirects)', () => {
  let s3: LoopbackS3;
  let rt: FilesRuntime;
  let s: Awaited<ReturnType<typeof seed>>;
  beforeAll(async () => {
    s3 = await startLoopbackS3();
    rt = await startFilesRuntime({
      FILES_DRIVER: 's3', FILES_S3_BUCKET: s3.bucket, FILES_S3_ENDPOINT: s3.endpoint, FILES_S3_FORCE_PATH_STYLE: 'true',
      FILES_S3_ACCESS_KEY_ID: s3.credentials.accessKeyId, FILES_S3_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
      FILES_DOWNLOAD: 'redirect', FILES_URL_TTL: '30s', FILES_REFERENCE_ENDPOINT: s3.endpoint,
    });
    s = await seed(rt);
  });
  afterAll(async () => {
    await rt?.close();
    await s3?.close();
  });

  it('redirects to a presigned URL that works until it expires', async () => {
    await submit(rt, s, 'sess-s3');
    const data = pdf(200_000, 4);
    const up = await upload(rt, s.producer, 'sess-s3', 'plan.pdf', data);
    expect(up.status).toBe(201);
    const res = await download(rt, s.consumer, `/v1/sessions/sess-s3/files/${up.json.file.id}`);
    expect(res.status).toBe(302);
    const location = res.headers.get('location')!;
    expect(location.startsWith(s3.endpoint)).toBe(true);
    const direct = await fetch(location);
    expect(direct.status).toBe(200);
    expect(Buffer.from(await direct.arrayBuffer()).equals(data)).toBe(true);

    // A URL signed 31 s ago with a 30 s lifetime: the store refuses it.
    rt.clock.set(new Date(Date.now() - 31_000));
    const old = await download(rt, s.consumer, `/v1/sessions/sess-s3/files/${up.json.file.id}`);
    const refused = await fetch(old.headers.get('location')!);
    expect(refused.status).toBe(403);
    await refused.arrayBuffer();
    rt.clock.set(new Date());
  });

  it("copies a file in from the producer's bucket by reference; bad credentials store nothing", async () => {
    await submit(rt, s, 'sess-ref');
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    const producerS3 = createS3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: s3.credentials });
    const data = pdf(40_000, 8);
    await producerS3.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'producer-uploads/plan.pdf', Body: data }));
    producerS3.destroy();
    const ref = { name: 'plan.pdf', bucket: s3.bucket, key: 'producer-uploads/plan.pdf', region: 'us-east-1', ...s3.credentials };
    const r = await rt.call('POST', '/v1/sessions/sess-ref/files/references', { auth: s.producer, body: ref });
    expect(r.status).toBe(201);
    expect(r.json.file).toMatchObject({ name: 'plan.pdf', size: data.length, sha256: sha(data), contentType: 'application/pdf' });
    expect(await rt.deps.storage.exists(`${s.team}/${r.json.file.id}`)).toBe(true);

    // (s3rver checks the access key id, not SigV4 signatures, so the refusal is driven by an unknown key.)
    const wrong = await rt.call('POST', '/v1/sessions/sess-ref/files/references', { auth: s.producer, body: { ...ref, name: 'x.pdf', accessKeyId: 'AKIAUNKNOWN', secretAccessKey: 'not-the-secret' } });
    expect(wrong.status).toBe(502);
    expect(wrong.json.code).toBe('file_reference_failed');
    expect(JSON.stringify(wrong.json)).not.toContain('not-the-secret');
    const missing = await rt.call('POST', '/v1/sessions/sess-ref/files/references', { auth: s.producer, body: { ...ref, name: 'y.pdf', key: 'producer-uploads/none.pdf' } });
    expect(missing.status).toBe(502);
    const list = await rt.call('GET', '/v1/sessions/sess-ref/files', { auth: s.consumer });
    expect(list.json.files.map((f: any) => f.name)).toEqual(['plan.pdf']);
  });

  it('a connection dropped mid-upload (multipart under way) leaves no object', async () => {
    await submit(rt, s, 'sess-s3-drop');
    const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
    const client = createS3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: s3.credentials });
    const objects = async () => ((await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `${s.team}/` }))).Contents ?? []).length;
    // s3rver keeps in-progress multipart uploads as folders under its directory.
    const multipartParts = async () => (await readdir(s3.directory, { recursive: true })).map(String).filter((p) => /uploads/.test(p)).length;
    const before = await objects();
    const req = request(new URL(`${rt.url}/v1/sessions/sess-s3-drop/files?name=cut.pdf`), {
      method: 'POST', headers: { authorization: rt.authHeader(s.producer), 'content-type': 'application/pdf', 'content-length': String(40 * MB) },
    });
    req.on('error', () => {});
    req.write(pdf(20 * MB));
    let parts = 0;
    for (let i = 0; i < 200 && parts === 0; i++) {
      await new Promise((r) => setTimeout(r, 25));
      parts = await multipartParts();
    }
    expect(parts).toBeGreaterThan(0); // past the first 8 MB part: the multipart upload has begun
    req.destroy();
    await new Promise((r) => setTimeout(r, 500));
    expect(await objects()).toBe(before);
    const list = await rt.call('GET', '/v1/sessions/sess-s3-drop/files', { auth: s.consumer });
    expect(list.status).toBe(200);
    expect(list.json.files).toEqual([]);
    client.destroy();
  }, 20_000);

  it('purge deletes the object from the bucket', async () => {
    await submit(rt, s, 'sess-s3-purge');
    const up = await upload(rt, s.producer, 'sess-s3-purge', 'plan.pdf', pdf(10_000));
    const key = `${s.team}/${up.json.file.id}`;
    expect(await rt.deps.storage.exists(key)).toBe(true);
    rt.clock.advance(31 * DAY);
    await purgeSessions(rt.db, rt.clock.now());
    await purgeFiles(rt.db, rt.deps.storage, rt.clock);
    expect(await rt.deps.storage.exists(key)).toBe(false);
    rt.clock.set(new Date());
  });
});
