import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTableInput, TTL_ATTRIBUTE } from '#adapters/dynamo/table.ts';
import { synthMeldroute } from './support.ts';

/** Issue 7, data at rest: the key, the table and the buckets. Template assertions only. */

let template: Template;
let dataKeyId: string;

beforeAll(() => {
  ({ template } = synthMeldroute({}, { bundle: false, validate: false }));
  const keys = template.findResources('AWS::KMS::Key', { Properties: { KeySpec: Match.absent() } });
  dataKeyId = Object.keys(keys)[0] ?? '';
}, 120_000);

const keyArn = () => ({ 'Fn::GetAtt': [dataKeyId, 'Arn'] });

describe('data at rest', () => {
  it('has one customer-managed symmetric key with rotation, kept when the stack goes', () => {
    template.resourcePropertiesCountIs('AWS::KMS::Key', { KeySpec: Match.absent() }, 1);
    template.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true, KeySpec: Match.absent() },
      DeletionPolicy: 'Retain',
    });
  });

  it('derives secrets from a separate HMAC key that never leaves KMS', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeySpec: 'HMAC_256',
      KeyUsage: 'GENERATE_VERIFY_MAC',
    });
  });

  it('encrypts the table with the key, with PITR, deletion protection, TTL and a stream', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn() },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
        StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
        BillingMode: 'PAY_PER_REQUEST',
      },
      DeletionPolicy: 'Retain',
    });
  });

  it('deploys exactly the keys and indexes that dynalite creates locally', () => {
    const local = createTableInput('x');
    const table = Object.values(template.findResources('AWS::DynamoDB::Table'))[0]?.Properties;
    expect(table.KeySchema).toEqual(local.KeySchema);
    expect(new Set(table.AttributeDefinitions)).toEqual(new Set(local.AttributeDefinitions));
    const byName = (a: { IndexName: string }, b: { IndexName: string }) =>
      a.IndexName.localeCompare(b.IndexName);
    expect([...table.GlobalSecondaryIndexes].sort(byName)).toEqual(
      [...local.GlobalSecondaryIndexes].sort(byName),
    );
  });

  it('blocks public access, versions and requires TLS on every bucket', () => {
    const buckets = template.findResources('AWS::S3::Bucket');
    expect(Object.keys(buckets)).toHaveLength(3);
    for (const b of Object.values(buckets)) {
      expect(b.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(b.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      expect(b.Properties.LifecycleConfiguration.Rules.length).toBeGreaterThan(0);
      expect(b.DeletionPolicy).toBe('Retain');
    }
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy'));
    expect(policies).toHaveLength(3);
    for (const p of policies) {
      expect(p.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    }
  });

  it('encrypts the data buckets with the key and logs access to them', () => {
    const data = template.findResources('AWS::S3::Bucket', {
      Properties: { LoggingConfiguration: Match.anyValue() },
    });
    expect(Object.keys(data)).toHaveLength(2);
    for (const b of Object.values(data)) {
      expect(b.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0]).toMatchObject({
        ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn() },
        BucketKeyEnabled: true,
      });
    }
    // The access-log bucket itself: S3 logging can only deliver to SSE-S3.
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: Match.absent(),
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
        ],
      },
    });
  });

  it('expires raw mail after the configured days and old versions everywhere', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Prefix: 'raw/', ExpirationInDays: 30, Status: 'Enabled' }),
          Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 30 } }),
        ]),
      },
    });
  });

  it('encrypts every queue, topic and log group with the key', () => {
    for (const q of Object.values(template.findResources('AWS::SQS::Queue'))) {
      expect(q.Properties.KmsMasterKeyId).toEqual(keyArn());
    }
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: keyArn() });
    for (const g of Object.values(template.findResources('AWS::Logs::LogGroup'))) {
      expect(g.Properties.KmsKeyId).toEqual(keyArn());
      expect(g.Properties.RetentionInDays).toBe(180);
    }
  });
});
