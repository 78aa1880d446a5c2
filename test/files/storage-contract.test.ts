import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFsStorage } from '../../runtime/src/files/fs-storage.ts';
import { createS3Client, createS3Storage } from '../../runtime/src/files/s3-storage.ts';
import type { FileStorage } from '../../runtime/src/files/storage.ts';
import { startLoopbackS3, type LoopbackS3 } from './s3-server.ts';

const MB = 1024 * 1024;
const bytes = (n: number, seed = 1) => {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i += 4096) b[i] = (i / 4096 + seed) & 0xff;
  return b;
};

/** A stream that delivers `good` bytes and then fails, as a dropped upload does. */
function failingAfter(good: Buffer) {
  return Readable.from((async function* () {
    for (let i = 0; i < good.length; i += MB) yield good.subarray(i, i + MB);
    throw new Error('connection reset');
  })(), { objectMode: false });
}

type Driver = { name: string; storage: () => FileStorage; listKeys: () => Promise<string[]>; close: () => Promise<void> };

async function fsDriver(): Promise<Driver> {
  const root = await mkdtemp(join(tmpdir(), 'sb-files-'));
  const storage = createFsStorage(root);
  return {
    name: 'fs', storage: () => storage,
    listKeys: async () => (await readdir(root, { recursive: true, withFileTypes: true })).filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name).slice(root.length + 1)),
    close: () => rm(root, { recursive: true, force: true }),
  };
}

async function s3Driver(): Promise<Driver> {
  const s3 = await startLoopbackS3();
  const options = { bucket: s3.bucket, region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: s3.credentials };
  const client = createS3Client(options);
  const storage = createS3Storage(options, client);
  const { ListObjectsV2Command, ListMultipartUploadsCommand } = await import('@aws-sdk/client-s3');
  return {
    name: 's3', storage: () => storage,
    async listKeys() {
      const objects = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket }));
      const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: s3.bucket })).catch(() => ({ Uploads: [] }));
      return [...(objects.Contents ?? []).map((o) => o.Key!), ...(uploads.Uploads ?? []).map((u) => `(multipart) ${u.Key}`)];
    },
    async close() {
      client.destroy();
      await s3.close();
    },
  };
}

for (const make of [fsDriver, s3Driver]) {
  describe(`storage contract: ${make.name.replace('Driver', '')}`, () => {
    let driver: Driver;
    let storage: FileStorage;
    beforeAll(async () => {
      driver = await make();
      storage = driver.storage();
    });
    afterAll(async () => driver?.close());

    it('stores a stream and gives the same bytes back', async () => {
      const data = bytes(300_000);
      await storage.put('team-a/fil_one', Readable.from([data]), { contentType: 'application/pdf' });
      expect(await storage.exists('team-a/fil_one')).toBe(true);
      expect((await buffer((await storage.get('team-a/fil_one'))!)).equals(data)).toBe(true);
    });

    it('returns an inclusive byte range', async () => {
      const data = bytes(100_000, 7);
      await storage.put('team-a/fil_range', Readable.from([data]), { contentType: 'application/pdf' });
      const part = await buffer((await storage.get('team-a/fil_range', { start: 4096, end: 8191 }))!);
      expect(part.equals(data.subarray(4096, 8192))).toBe(true);
    });

    it('streams a file larger than one multipart part', async () => {
      const data = bytes(20 * MB, 3);
      await storage.put('team-a/fil_big', Readable.from((async function* () {
        for (let i = 0; i < data.length; i += MB) yield data.subarray(i, i + MB);
      })(), { objectMode: false }), { contentType: 'application/zip' });
      expect((await buffer((await storage.get('team-a/fil_big'))!)).equals(data)).toBe(true);
    }, 60_000);

    it('answers undefined for a missing object', async () => {
      expect(await storage.get('team-a/fil_missing')).toBeUndefined();
      expect(await storage.exists('team-a/fil_missing')).toBe(false);
    });

    it('deletes idempotently', async () => {
      await storage.put('team-a/fil_del', Readable.from([bytes(10)]), { contentType: 'text/plain' });
      await storage.delete('team-a/fil_del');
      await storage.delete('team-a/fil_del');
      await storage.delete('team-a/fil_never');
      expect(await storage.exists('team-a/fil_del')).toBe(false);
    });

    it('leaves nothing behind when the stream fails part-way', async () => {
      const before = await driver.listKeys();
      await expect(storage.put('team-a/fil_cut', failingAfter(bytes(18 * MB)), { contentType: 'application/pdf' })).rejects.toThrow();
      expect(await storage.exists('team-a/fil_cut')).toBe(false);
      expect(await driver.listKeys()).toEqual(before);
    }, 60_000);

    it('refuses keys that could leave its root', async () => {
      for (const key of ['../etc/passwd', 'team-a/../../x', '/abs/path', 'team-a/a b', 'team-a/.hidden', 'team-a']) {
        await expect(storage.put(key, Readable.from([bytes(1)]), { contentType: 'text/plain' })).rejects.toThrow(/unsafe/);
        await expect(storage.get(key)).rejects.toThrow(/unsafe/);
      }
    });
  });
}

describe('storage contract: s3 presigned URLs', () => {
  let driver: Driver;
  beforeAll(async () => {
    driver = await s3Driver();
  });
  afterAll(async () => driver?.close());

  it('a fresh presigned URL fetches the object; an expired one is refused by the store', async () => {
    const storage = driver.storage();
    const data = bytes(50_000, 9);
    await storage.put('team-a/fil_signed', Readable.from([data]), { contentType: 'application/pdf' });
    const fresh = await storage.presign!('team-a/fil_signed', { expiresInSeconds: 60, signingDate: new Date(), filename: 'plan.pdf', contentType: 'application/pdf' });
    const ok = await fetch(fresh);
    expect(ok.status).toBe(200);
    expect(Buffer.from(await ok.arrayBuffer()).equals(data)).toBe(true);
    expect(ok.headers.get('content-disposition')).toContain('plan.pdf');

    const expired = await storage.presign!('team-a/fil_signed', { expiresInSeconds: 60, signingDate: new Date(Date.now() - 120_000), filename: 'plan.pdf', contentType: 'application/pdf' });
    const refused = await fetch(expired);
    expect(refused.status).toBe(403);
    await refused.arrayBuffer();
  });
});
