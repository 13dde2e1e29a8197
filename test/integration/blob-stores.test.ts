import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileBlobStore } from '#adapters/blob/file-blob-store.ts';
import { S3BlobStore } from '#adapters/blob/s3-blob-store.ts';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('the file blob store', () => {
  let dir: string;
  let blobs: FileBlobStore;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'meldroute-blobs-'));
    blobs = new FileBlobStore(dir);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('puts, gets, replaces and deletes by key', async () => {
    await blobs.put('raw/m1', bytes('een'));
    await blobs.put('raw/m1', bytes('twee'));
    expect(new TextDecoder().decode(await blobs.get('raw/m1'))).toBe('twee');
    await blobs.delete('raw/m1');
    expect(await blobs.get('raw/m1')).toBeUndefined();
    await blobs.delete('raw/m1');
  });

  it('lists by prefix across folders, sorted, without unfinished temp files', async () => {
    await blobs.put('attachments/s1/a1', bytes('x'));
    await blobs.put('attachments/s1/a2', bytes('x'));
    await blobs.put('attachments/s2/a1', bytes('x'));
    await writeFile(join(dir, 'attachments', 's1', '.tmp-123'), 'half');
    expect(await blobs.list('attachments/s1/')).toEqual(['attachments/s1/a1', 'attachments/s1/a2']);
    expect(await blobs.list('attachments/')).toHaveLength(3);
    expect(await blobs.list('nothing/')).toEqual([]);
    expect(
      (await readdir(join(dir, 'attachments', 's1'))).filter((f) => f.startsWith('.tmp')).length,
    ).toBe(1);
  });

  it('never writes outside its folder', async () => {
    await expect(blobs.put('../escape', bytes('x'))).rejects.toThrow('invalid blob key');
    await expect(blobs.get('raw/../../etc/passwd')).rejects.toThrow('invalid blob key');
  });
});

describe('the S3 blob store', () => {
  const s3 = mockClient(S3Client);

  it('writes with SSE-KMS under its prefix and maps missing objects to undefined', async () => {
    s3.reset();
    s3.on(PutObjectCommand).resolves({});
    s3.on(GetObjectCommand).rejects(Object.assign(new Error('gone'), { name: 'NoSuchKey' }));
    s3.on(DeleteObjectCommand).resolves({});
    s3.on(ListObjectsV2Command)
      .resolvesOnce({
        Contents: [{ Key: 'p/raw/b' }],
        IsTruncated: true,
        NextContinuationToken: 't',
      })
      .resolvesOnce({ Contents: [{ Key: 'p/raw/a' }], IsTruncated: false });
    const store = new S3BlobStore({
      client: new S3Client({ region: 'eu-central-1' }),
      bucket: 'b',
      prefix: 'p/',
      kmsKeyId: 'arn:k',
    });
    await store.put('raw/x', bytes('sealed'));
    const put = s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(put).toMatchObject({
      Bucket: 'b',
      Key: 'p/raw/x',
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: 'arn:k',
    });
    expect(await store.get('raw/x')).toBeUndefined();
    expect(await store.list('raw/')).toEqual(['raw/a', 'raw/b']);
    await store.delete('raw/x');
  });
});
