import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, S3Client, type ServerSideEncryption } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Readable } from 'node:stream';
import { assertSafeKey, type FileStorage } from './storage.ts';

export type S3Options = {
  bucket: string;
  region: string;
  endpoint?: string | undefined;
  forcePathStyle?: boolean | undefined;
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
  serverSideEncryption?: 'AES256' | 'aws:kms' | undefined;
  kmsKeyId?: string | undefined;
};

export function createS3Client(o: Pick<S3Options, 'region' | 'endpoint' | 'forcePathStyle' | 'credentials'>): S3Client {
  return new S3Client({
    region: o.region,
    ...(o.endpoint ? { endpoint: o.endpoint } : {}),
    forcePathStyle: o.forcePathStyle ?? false,
    ...(o.credentials ? { credentials: o.credentials } : {}),
    // Checksums only where S3 demands them: S3-compatible stores (MinIO, R2, …) differ on the newer ones.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

const notFound = (error: unknown) => {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
};

/** Any S3-compatible store. Uploads stream as multipart (bounded memory); a failed one is aborted. */
export function createS3Storage(o: S3Options, client: S3Client = createS3Client(o)): FileStorage {
  const Bucket = o.bucket;
  const sse = o.serverSideEncryption
    ? { ServerSideEncryption: o.serverSideEncryption as ServerSideEncryption, ...(o.kmsKeyId ? { SSEKMSKeyId: o.kmsKeyId } : {}) }
    : {};
  return {
    kind: 's3',
    async put(key, body, { contentType }) {
      assertSafeKey(key);
      const upload = new Upload({
        client,
        params: { Bucket, Key: key, Body: body, ContentType: contentType, ...sse },
        partSize: 8 * 1024 * 1024,
        queueSize: 2,
        leavePartsOnError: false,
      });
      let failure: unknown;
      // The SDK reads the stream; an error on it (a dropped upload, a size limit) must abort the upload.
      body.once('error', (error) => {
        failure = error;
        void upload.abort().catch(() => {});
      });
      try {
        await upload.done();
      } catch (error) {
        throw failure ?? error;
      }
      if (failure) {
        // Raced: the object completed while the stream failed. Remove it: all or nothing.
        await client.send(new DeleteObjectCommand({ Bucket, Key: key })).catch(() => {});
        throw failure;
      }
    },
    async get(key, range) {
      assertSafeKey(key);
      try {
        const r = await client.send(new GetObjectCommand({ Bucket, Key: key, ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }));
        return r.Body as Readable;
      } catch (error) {
        if (notFound(error)) return undefined;
        throw error;
      }
    },
    async exists(key) {
      assertSafeKey(key);
      try {
        await client.send(new HeadObjectCommand({ Bucket, Key: key }));
        return true;
      } catch (error) {
        if (notFound(error)) return false;
        throw error;
      }
    },
    async delete(key) {
      assertSafeKey(key);
      try {
        await client.send(new DeleteObjectCommand({ Bucket, Key: key }));
      } catch (error) {
        if (!notFound(error)) throw error;
      }
    },
    async presign(key, p) {
      assertSafeKey(key);
      const command = new GetObjectCommand({
        Bucket, Key: key,
        ResponseContentType: p.contentType,
        ResponseContentDisposition: contentDisposition(p.filename),
      });
      return getSignedUrl(client, command, { expiresIn: p.expiresInSeconds, signingDate: p.signingDate });
    },
  };
}

/** `attachment` with an ASCII fallback and the exact UTF-8 name (RFC 6266 / 8187). */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}
