import { Aws, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { createTableInput, KEY, TTL_ATTRIBUTE } from '#adapters/dynamo/table.ts';
import type { Settings } from '../settings.ts';

export const RAW_MAIL_PREFIX = 'raw/';

/**
 * Everything stateful: the customer-managed key, the table and the buckets.
 * Every resource here is retained when the stack is deleted, and the table
 * has deletion protection on top.
 */
export class Data extends Construct {
  readonly key: kms.Key;
  readonly secretsKey: kms.Key;
  readonly table: dynamodb.Table;
  readonly rawMail: s3.Bucket;
  readonly attachments: s3.Bucket;

  constructor(scope: Construct, id: string, settings: Settings) {
    super(scope, id);

    this.key = new kms.Key(this, 'DataKey', {
      description: `Meldroute ${settings.config.municipality.code}: table, buckets, queues, logs and envelope encryption`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(30),
    });
    // CloudWatch Logs encrypts log groups with the key only for this account's groups.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchLogs',
        principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
        actions: [
          'kms:Encrypt*',
          'kms:Decrypt*',
          'kms:ReEncrypt*',
          'kms:GenerateDataKey*',
          'kms:Describe*',
        ],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*`,
          },
        },
      }),
    );
    // CloudWatch alarms publish to the KMS-encrypted alarm topic.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarms',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );

    // Key material that never leaves KMS; secrets are derived from it (ADR 0011).
    this.secretsKey = new kms.Key(this, 'SecretsKey', {
      description: `Meldroute ${settings.config.municipality.code}: derives the blind-index and other secrets (HMAC)`,
      keySpec: kms.KeySpec.HMAC_256,
      keyUsage: kms.KeyUsage.GENERATE_VERIFY_MAC,
      removalPolicy: RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(30),
    });

    this.table = buildTable(this, this.key);

    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      // S3 server access logging can only write to SSE-S3 buckets, not SSE-KMS.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'expire-logs',
          expiration: Duration.days(settings.logRetentionDays),
          noncurrentVersionExpiration: Duration.days(settings.noncurrentVersionDays),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This is the access-log bucket itself; logging it into itself would loop. It holds request metadata only.',
    });

    const dataBucket = (id: string, prefix: string, lifecycle: s3.LifecycleRule[]) =>
      new s3.Bucket(this, id, {
        encryption: s3.BucketEncryption.KMS,
        encryptionKey: this.key,
        // S3 Bucket Keys cut KMS requests (and cost) by caching a bucket-level data key.
        bucketKeyEnabled: true,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        minimumTLSVersion: 1.2,
        versioned: true,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        serverAccessLogsBucket: accessLogs,
        serverAccessLogsPrefix: prefix,
        removalPolicy: RemovalPolicy.RETAIN,
        lifecycleRules: [
          ...lifecycle,
          {
            id: 'noncurrent-and-uploads',
            noncurrentVersionExpiration: Duration.days(settings.noncurrentVersionDays),
            abortIncompleteMultipartUploadAfter: Duration.days(1),
            expiredObjectDeleteMarker: true,
          },
        ],
      });

    // Raw mail is needed only until the intake has turned it into an encrypted signal.
    this.rawMail = dataBucket('RawMail', 'raw-mail/', [
      {
        id: 'expire-raw-mail',
        prefix: RAW_MAIL_PREFIX,
        expiration: Duration.days(settings.rawMailDays),
      },
    ]);
    // Attachments live as long as their signal; the retention job deletes them with it.
    this.attachments = dataBucket('Attachments', 'attachments/', []);
  }
}

/** The table built from the same definition dynalite uses (functions/adapters/dynamo/table.ts). */
function buildTable(scope: Construct, key: kms.IKey): dynamodb.Table {
  const def = createTableInput('unused');
  const types = new Map(def.AttributeDefinitions.map((a) => [a.AttributeName, a.AttributeType]));
  const attr = (name: string): dynamodb.Attribute => {
    const t: string | undefined = types.get(name);
    const type =
      t === 'N'
        ? dynamodb.AttributeType.NUMBER
        : t === 'B'
          ? dynamodb.AttributeType.BINARY
          : dynamodb.AttributeType.STRING;
    return { name, type };
  };
  const table = new dynamodb.Table(scope, 'Table', {
    partitionKey: attr(KEY.pk),
    sortKey: attr(KEY.sk),
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
    encryptionKey: key,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
    timeToLiveAttribute: TTL_ATTRIBUTE,
    // The outbox function reacts to items with pending mail (filtered on outboxPk).
    stream: dynamodb.StreamViewType.NEW_IMAGE,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  for (const gsi of def.GlobalSecondaryIndexes) {
    const [pk, sk] = gsi.KeySchema;
    if (!pk) throw new Error(`index ${gsi.IndexName} has no partition key`);
    const projection = gsi.Projection;
    table.addGlobalSecondaryIndex({
      indexName: gsi.IndexName,
      partitionKey: attr(pk.AttributeName),
      ...(sk ? { sortKey: attr(sk.AttributeName) } : {}),
      ...('NonKeyAttributes' in projection
        ? {
            projectionType: dynamodb.ProjectionType.INCLUDE,
            nonKeyAttributes: projection.NonKeyAttributes,
          }
        : {
            projectionType:
              projection.ProjectionType === 'KEYS_ONLY'
                ? dynamodb.ProjectionType.KEYS_ONLY
                : dynamodb.ProjectionType.ALL,
          }),
    });
  }
  return table;
}
