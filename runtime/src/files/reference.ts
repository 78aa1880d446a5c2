import { GetObjectCommand } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { createS3Client } from './s3-storage.ts';
import { storeUpload, type UploadDeps, type UploadResult } from './upload.ts';

export type FileReference = {
  name: string; bucket: string; key: string; region: string;
  accessKeyId: string; secretAccessKey: string; sessionToken?: string | undefined;
};

export type ReferenceResult = UploadResult | { outcome: 'unreadable'; reason: string };

/**
 * Copies a file from the producer's own S3 bucket into our storage at ingest, so that its
 * retention is ours. The producer's key pair is used for this one read and never stored.
 * `endpoint` is ours to configure (FILES_REFERENCE_ENDPOINT), never the caller's: a caller
 * chosen endpoint would let a producer make Switchboard fetch arbitrary URLs.
 */
export async function copyFromReference(deps: UploadDeps, target: { team: string; sessionId: string }, ref: FileReference, endpoint: string | undefined): Promise<ReferenceResult> {
  const client = createS3Client({
    region: ref.region,
    endpoint,
    forcePathStyle: endpoint !== undefined,
    credentials: { accessKeyId: ref.accessKeyId, secretAccessKey: ref.secretAccessKey, ...(ref.sessionToken ? { sessionToken: ref.sessionToken } : {}) },
  });
  try {
    let object;
    try {
      object = await client.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
    } catch (error) {
      const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
      return { outcome: 'unreadable', reason: `${e.name ?? 'error'} (${e.$metadata?.httpStatusCode ?? 'no status'})` };
    }
    if (object.ContentLength !== undefined && object.ContentLength > deps.maxBytes) {
      (object.Body as Readable).destroy();
      return { outcome: 'too_large' };
    }
    return await storeUpload(deps, {
      team: target.team, sessionId: target.sessionId, name: ref.name, declaredType: object.ContentType,
      declaredLength: object.ContentLength, body: Readable.toWeb(object.Body as Readable) as ReadableStream<Uint8Array>, source: 'reference',
    });
  } finally {
    client.destroy();
  }
}
