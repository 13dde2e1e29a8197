import { type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { OutboxStore, OwnerKind, PendingMail } from '#core/ports.ts';
import { INDEXES } from './table.ts';

const OWNER_PREFIX: Readonly<Record<OwnerKind, string>> = {
  signal: 'SIG#',
  login: 'LOGIN#',
  digest: 'DIGEST#',
};
const ownerKey = (kind: OwnerKind, id: string) => ({ pk: `${OWNER_PREFIX[kind]}${id}`, sk: 'A' });

/**
 * The transactional outbox: mails live in the item whose change caused them and
 * are found through a sparse index, so a sweep reads only what is still to send.
 */
export class DynamoOutboxStore implements OutboxStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async listPending(limit: number, staleBefore: string): Promise<PendingMail[]> {
    const out: PendingMail[] = [];
    let start: Record<string, unknown> | undefined;
    // Items whose mails are all freshly claimed (a send that failed a moment
    // ago) must not crowd out newer mail: read on, a bounded number of pages.
    for (let page = 0; page < 20 && out.length < limit; page++) {
      const r = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: INDEXES.outbox.name,
          KeyConditionExpression: 'outboxPk = :p',
          ExpressionAttributeValues: { ':p': 'PENDING' },
          Limit: limit,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of r.Items ?? []) {
        const mails = (item.mails ?? {}) as Record<
          string,
          { c: Uint8Array; s: string; cl?: string }
        >;
        for (const [mailId, m] of Object.entries(mails)) {
          if (m.s === 'p' || (m.s === 'c' && (m.cl ?? '') < staleBefore))
            out.push({ mailId, cipher: m.c, ownerId: item.id, ownerKind: item.kind as OwnerKind });
        }
      }
      start = r.LastEvaluatedKey;
      if (!start) break;
    }
    return out;
  }

  async claim(kind: OwnerKind, id: string, mailId: string, at: string, staleBefore: string) {
    try {
      const r = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: ownerKey(kind, id),
          // `c = c` changes nothing but makes UPDATED_NEW return the item's own
          // cipher: an index entry can hold an older image of the item (on AWS
          // an index lags; the embedded dynalite writes index entries before
          // the item, so a crash between leaves one behind).
          UpdateExpression: 'SET mails.#m.s = :claimed, mails.#m.cl = :at, mails.#m.c = mails.#m.c',
          ConditionExpression:
            'mails.#m.s = :pending OR (mails.#m.s = :claimed AND mails.#m.cl < :stale)',
          ExpressionAttributeNames: { '#m': mailId },
          ExpressionAttributeValues: {
            ':claimed': 'c',
            ':pending': 'p',
            ':at': at,
            ':stale': staleBefore,
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      const cipher = (r.Attributes?.mails as Record<string, { c?: unknown }> | undefined)?.[mailId]
        ?.c;
      if (!(cipher instanceof Uint8Array)) throw new Error(`claimed mail ${mailId} has no content`);
      return cipher;
    } catch (err) {
      if ((err as Error).name === 'ConditionalCheckFailedException') return undefined;
      throw err;
    }
  }

  async markSent(kind: OwnerKind, id: string, mailId: string, at: string): Promise<boolean> {
    let remaining: number;
    try {
      const r = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: ownerKey(kind, id),
          UpdateExpression:
            'SET mails.#m.s = :sent, mails.#m.sentAt = :at REMOVE mails.#m.c ADD pendingMails :minus',
          ConditionExpression: 'mails.#m.s = :claimed',
          ExpressionAttributeNames: { '#m': mailId },
          ExpressionAttributeValues: { ':sent': 's', ':claimed': 'c', ':at': at, ':minus': -1 },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      remaining = (r.Attributes?.pendingMails as number | undefined) ?? 0;
    } catch (err) {
      if ((err as Error).name === 'ConditionalCheckFailedException') return false;
      throw err;
    }
    if (remaining <= 0) {
      try {
        // Leave the sparse index only when nothing was queued meanwhile.
        await this.doc.send(
          new UpdateCommand({
            TableName: this.table,
            Key: ownerKey(kind, id),
            UpdateExpression: 'REMOVE outboxPk, outboxKey',
            ConditionExpression: 'pendingMails <= :zero',
            ExpressionAttributeValues: { ':zero': 0 },
          }),
        );
      } catch (err) {
        if ((err as Error).name !== 'ConditionalCheckFailedException') throw err;
      }
    }
    return true;
  }
}
