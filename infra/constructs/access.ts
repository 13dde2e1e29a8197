import { Aws, type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import { INDEXES } from '#adapters/dynamo/table.ts';

/**
 * Least-privilege grants written out by hand: CDK's `grant*` helpers give
 * every KMS use of a key without conditions, which would let any function
 * decrypt any ciphertext under the data key. These name each action, each
 * resource (no `*`), and the encryption-context or service conditions.
 */

export type TableAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:Query'
  | 'dynamodb:Scan'
  | 'dynamodb:ConditionCheckItem';
export type IndexName = keyof typeof INDEXES;

/** Item actions on the table, and Query only on the named indexes (explicit ARNs, no index/*). */
export function grantTable(
  role: iam.IRole,
  table: dynamodb.ITable,
  actions: TableAction[],
  indexes: IndexName[] = [],
): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: [...actions].sort(), resources: [table.tableArn] }),
  );
  if (indexes.length) {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: indexes.map((ix) => `${table.tableArn}/index/${INDEXES[ix].name}`),
      }),
    );
  }
}

/** Services that may use the data key on a function's behalf (server-side encryption at rest). */
export type AtRestService = 'dynamodb' | 's3' | 'sqs';

/** Using the key for SSE of the table, buckets or queues: only through those services. */
export function grantKeyViaServices(
  role: iam.IRole,
  key: kms.IKey,
  services: AtRestService[],
): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      // The set CDK's own table/bucket/queue grants use, spelled out (no wildcards) and service-bound.
      actions: [
        'kms:Decrypt',
        'kms:DescribeKey',
        'kms:Encrypt',
        'kms:GenerateDataKey',
        'kms:GenerateDataKeyWithoutPlaintext',
        'kms:ReEncryptFrom',
        'kms:ReEncryptTo',
      ],
      resources: [key.keyArn],
      conditions: {
        StringEquals: { 'kms:ViaService': services.map((s) => `${s}.${Aws.REGION}.amazonaws.com`) },
      },
    }),
  );
}

export type EnvelopeAccess = {
  municipality: string;
  /** Parts (encryption-context `part`) the function may encrypt: GenerateDataKey. */
  encrypt: string[] | 'any';
  /** Parts it may decrypt. The reporter part is never given to partner-facing code. */
  decrypt: string[] | 'any';
};

/**
 * The Encryption SDK calls KMS with the ciphertext's encryption context, so an
 * IAM condition on `part` decides what a function can ever open. An explicit
 * Deny backs the Allows up: whatever else a role is granted later (by CDK or a
 * person), it cannot touch another municipality's or another part's data keys.
 */
export function grantEnvelope(role: iam.IRole, key: kms.IKey, access: EnvelopeAccess): void {
  const municipality = { 'kms:EncryptionContext:municipality': access.municipality };
  const allow = (action: string, parts: string[] | 'any') => {
    if (parts !== 'any' && parts.length === 0) return;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [action],
        resources: [key.keyArn],
        conditions: {
          StringEquals:
            parts === 'any'
              ? municipality
              : { ...municipality, 'kms:EncryptionContext:part': parts },
        },
      }),
    );
  };
  allow('kms:GenerateDataKey', access.encrypt);
  allow('kms:Decrypt', access.decrypt);

  const all = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'];
  // Null=false: the context key is present, i.e. an envelope (Encryption SDK) call, not SSE.
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'EnvelopeOnlyOwnMunicipality',
      effect: iam.Effect.DENY,
      actions: all,
      resources: [key.keyArn],
      conditions: {
        Null: { 'kms:EncryptionContext:municipality': 'false' },
        StringNotEquals: municipality,
      },
    }),
  );
  const deny = (sid: string, actions: string[], parts: string[] | 'any') => {
    if (parts === 'any') return;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid,
        effect: iam.Effect.DENY,
        actions,
        resources: [key.keyArn],
        conditions: {
          Null: { 'kms:EncryptionContext:part': 'false' },
          ...(parts.length
            ? { StringNotEquals: { 'kms:EncryptionContext:part': [...parts].sort() } }
            : {}),
        },
      }),
    );
  };
  deny('DecryptOnlyOwnParts', ['kms:Decrypt', 'kms:ReEncryptFrom'], access.decrypt);
  deny(
    'EncryptOnlyOwnParts',
    ['kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncryptTo'],
    access.encrypt,
  );
}

/** Derives secrets (HMAC of a fixed label) without ever reading the key material. */
export function grantSecretDerivation(role: iam.IRole, secretsKey: kms.IKey): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['kms:GenerateMac'],
      resources: [secretsKey.keyArn],
      conditions: { StringEquals: { 'kms:MacAlgorithm': 'HMAC_SHA_256' } },
    }),
  );
}

/** Object actions under one prefix of one bucket. */
export function grantObjects(
  role: iam.IRole,
  bucket: s3.IBucket,
  prefix: string,
  actions: string[],
) {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions, resources: [bucket.arnForObjects(`${prefix}*`)] }),
  );
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${arnRef(bucket)}/${prefix}*]`,
    reason: `Object keys are message and signal ids known only at run time; access stays within this one bucket${prefix ? ` and its ${prefix} prefix` : ''}.`,
  });
}

/** ListObjectsV2 under one prefix of one bucket (ListBucket is a bucket action, scoped by s3:prefix). */
export function grantListObjects(role: iam.IRole, bucket: s3.IBucket, prefixes: string[]) {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [...prefixes].sort() } },
    }),
  );
}

/** How cdk-nag names a resource's ARN in a finding: <LogicalId.Arn>. */
export function arnRef(construct: IConstruct): string {
  const cfn = construct.node.defaultChild as CfnElement | undefined;
  if (!cfn) throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return `<${Stack.of(construct).getLogicalId(cfn)}.Arn>`;
}
