import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// s3rver: a real S3-compatible HTTP server (SigV4, multipart, presigned URLs) on loopback.
import S3rver from 's3rver';

export type LoopbackS3 = { endpoint: string; directory: string; bucket: string; credentials: { accessKeyId: string; secretAccessKey: string }; close(): Promise<void> };

export async function startLoopbackS3(bucket = 'switchboard-files'): Promise<LoopbackS3> {
  const directory = await mkdtemp(join(tmpdir(), 'sb-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
  const address = (await server.run()) as { port: number };
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    directory,
    bucket,
    // s3rver's fixed development key pair.
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    async close() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
