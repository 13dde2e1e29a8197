import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { DigestStore, SealedMail } from '#core/ports.ts';
import { mailsAttribute, outboxKeys } from './signal-store.ts';
import { TTL_ATTRIBUTE } from './table.ts';

/** A day's digest item is kept a while (what went out), then expires. */
const KEEP_DAYS = 30;

/**
 * Officers' digest preferences (`PREF#<hash of the address>`) and one item per
 * day (`DIGEST#<date>`) holding that day's digest mails in its outbox.
 */
export class DynamoDigestStore implements DigestStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async isEnabled(officerHash: string): Promise<boolean> {
    const r = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: `PREF#${officerHash}`, sk: 'A' },
        ConsistentRead: true,
      }),
    );
    return r.Item?.digest !== false;
  }

  async setEnabled(officerHash: string, enabled: boolean, at: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: `PREF#${officerHash}`, sk: 'A' },
        UpdateExpression: 'SET kind = :k, digest = :d, updatedAt = :at',
        ExpressionAttributeValues: { ':k': 'preference', ':d': enabled, ':at': at },
      }),
    );
  }

  async record(date: string, mails: SealedMail[], at: string): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: `DIGEST#${date}`,
            sk: 'A',
            kind: 'digest',
            id: date,
            createdAt: at,
            [TTL_ATTRIBUTE]: Math.floor(Date.parse(at) / 1000) + KEEP_DAYS * 86_400,
            mails: mailsAttribute(mails, at),
            pendingMails: mails.length,
            ...(mails.length ? outboxKeys('digest', date, at) : {}),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (err) {
      if ((err as Error).name === 'ConditionalCheckFailedException') return false;
      throw err;
    }
  }
}
