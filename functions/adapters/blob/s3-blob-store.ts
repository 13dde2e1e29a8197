import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { BlobStore } from '#core/ports.ts';

/**
 * The AWS BlobStore: one object per key in a bucket, under an optional
 * prefix. The bytes are already sealed by the Crypto port; SSE-KMS with the
 * customer-managed key is the second layer the bucket policy enforces. S3
 * writes are durable when PutObject returns, which is all `put` promises.
 */
export class S3BlobStore implements BlobStore {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #kmsKeyId: string | undefined;

  constructor(options: { client: S3Client; bucket: string; prefix?: string; kmsKeyId?: string }) {
    this.#client = options.client;
    this.#bucket = options.bucket;
    this.#prefix = options.prefix ?? '';
    this.#kmsKeyId = options.kmsKeyId;
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    await this.#client.send(
      new PutObjectCommand({
        Bucket: this.#bucket,
        Key: this.#prefix + key,
        Body: bytes,
        ContentType: 'application/octet-stream',
        ServerSideEncryption: 'aws:kms',
        ...(this.#kmsKeyId ? { SSEKMSKeyId: this.#kmsKeyId, BucketKeyEnabled: true } : {}),
      }),
    );
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      const r = await this.#client.send(
        new GetObjectCommand({ Bucket: this.#bucket, Key: this.#prefix + key }),
      );
      return r.Body ? await r.Body.transformToByteArray() : new Uint8Array();
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await this.#client.send(
      new DeleteObjectCommand({ Bucket: this.#bucket, Key: this.#prefix + key }),
    );
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const r = await this.#client.send(
        new ListObjectsV2Command({
          Bucket: this.#bucket,
          Prefix: this.#prefix + prefix,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      for (const o of r.Contents ?? []) {
        if (o.Key) keys.push(o.Key.slice(this.#prefix.length));
      }
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }
}

function isMissing(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
}

/** Reads an object as it is (the SES inbound bucket holds raw mail, not our ciphertext). */
export async function readS3Object(
  client: Pick<S3Client, 'send'>,
  bucket: string,
  key: string,
): Promise<Uint8Array | undefined> {
  try {
    const r = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return r.Body ? await r.Body.transformToByteArray() : new Uint8Array();
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}
