import { Duration, Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/**
 * Where failed invocations wait for the administrator (an alarm fires on the
 * first message). Encrypted with the data key: a failed SES event carries mail
 * headers, which are personal data.
 */
export function deadLetterQueue(scope: Construct, id: string, key: kms.IKey): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: key,
    // Re-use the data key for 15 minutes: fewer KMS calls, same protection.
    dataKeyReuse: Duration.minutes(15),
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      'This queue is itself a dead-letter queue; its messages wait for a person, not a retry.',
  });
  return queue;
}

/**
 * CDK's grant for sending to a KMS-encrypted queue uses wildcard KMS actions
 * (GenerateDataKey*, ReEncrypt*) on the data key. Acknowledged: the envelope
 * Deny statements (access.ts, grantEnvelope) keep those from ever reaching an
 * encrypted signal part.
 */
export function acknowledgeQueueKeyGrant(role: iam.IRole): void {
  for (const action of ['kms:GenerateDataKey*', 'kms:ReEncrypt*']) {
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Action::${action}]`,
      reason:
        "Added by CDK to send failed events to the KMS-encrypted dead-letter queue; the role's envelope Deny statements keep it from any signal ciphertext.",
    });
  }
}
