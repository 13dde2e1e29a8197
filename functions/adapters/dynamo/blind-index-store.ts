import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import type { BlindIndexEntry, BlindIndexStore, IdentifierKind } from '#core/ports.ts';

/**
 * Blind-index entries as small items `BIX#<hmac>` / `SIG#<signalId>`: finding
 * the signals that share an identifier is one Query on the table's own key.
 * Puts overwrite the same key, so writing an entry twice is harmless.
 */
export class DynamoBlindIndexStore implements BlindIndexStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async put(entries: readonly BlindIndexEntry[]): Promise<void> {
    for (let i = 0; i < entries.length; i += 25) {
      let requests = entries.slice(i, i + 25).map((e) => ({
        PutRequest: {
          Item: {
            pk: `BIX#${e.hmac}`,
            sk: `SIG#${e.signalId}`,
            kind: e.kind,
            signalId: e.signalId,
            reference: e.reference,
            receivedAt: e.receivedAt,
          },
        },
      }));
      // Unprocessed items are retried with a short back-off; throttling is not an error.
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt > 8) throw new Error('blind index writes kept being throttled');
        if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
        const r = await this.doc.send(
          new BatchWriteCommand({ RequestItems: { [this.table]: requests } }),
        );
        requests = (r.UnprocessedItems?.[this.table] ?? []) as typeof requests;
      }
    }
  }

  async query(hmac: string, limit: number): Promise<BlindIndexEntry[]> {
    const r = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `BIX#${hmac}` },
        Limit: limit,
      }),
    );
    return (r.Items ?? []).map((i) => ({
      hmac,
      kind: i.kind as IdentifierKind,
      signalId: i.signalId as string,
      reference: i.reference as string,
      receivedAt: i.receivedAt as string,
    }));
  }
}
