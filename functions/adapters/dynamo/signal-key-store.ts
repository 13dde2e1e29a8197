import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SignalKeyStore } from '#core/ports.ts';

/**
 * A signal's wrapped data key (docs/adr/0016) as its own small item in the
 * signal's partition, `SIG#<id>` / `KEY`: never in the aggregate, whose
 * version-checked writes would race its creation, and deleted with the
 * signal's other related items on erasure (retention-store.ts).
 */
const key = (signalId: string) => ({ pk: `SIG#${signalId}`, sk: 'KEY' });

export class DynamoSignalKeyStore implements SignalKeyStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async get(signalId: string): Promise<Uint8Array | undefined> {
    // Consistent: a key another container has just stored must be found, not created again.
    const r = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: key(signalId), ConsistentRead: true }),
    );
    const wrapped = r.Item?.wrapped;
    return wrapped instanceof Uint8Array ? wrapped : undefined;
  }

  async putIfAbsent(signalId: string, wrapped: Uint8Array): Promise<Uint8Array> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...key(signalId), kind: 'signal-key', wrapped },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return wrapped;
    } catch (err) {
      if ((err as Error).name !== 'ConditionalCheckFailedException') throw err;
    }
    const winner = await this.get(signalId);
    if (!winner) throw new Error('signal key vanished between a failed create and its read');
    return winner;
  }
}
