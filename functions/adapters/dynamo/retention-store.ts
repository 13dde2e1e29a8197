import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { MonitoringFactsSchema } from '#core/monitoring/facts.ts';
import type { ClosedSignalRef, Remnant, RetentionStore } from '#core/ports.ts';
import { INDEXES } from './table.ts';

const signalKey = (id: string) => ({ pk: `SIG#${id}`, sk: 'A' });
/** Remnants stay in the received-date index (monitoring) but in their own partition (not the inbox). */
export const ERASED_PARTITION = 'ERASED';

/**
 * Retention and erasure against the one table. The remnant REPLACES the
 * signal item in one conditional put, so ciphertexts, handovers, notes,
 * events, queued mail and every index attribute but the received-date one
 * are gone in the same atomic write.
 */
export class DynamoRetentionStore implements RetentionStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async listClosed(receivedBefore: string): Promise<ClosedSignalRef[]> {
    const ix = INDEXES.byStatus;
    const out: ClosedSignalRef[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const r = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: ix.name,
          KeyConditionExpression: '#pk = :pk AND #sk < :before',
          ExpressionAttributeNames: { '#pk': ix.pk, '#sk': ix.sk },
          ExpressionAttributeValues: { ':pk': 'STATUS#closed', ':before': receivedBefore },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of r.Items ?? []) {
        const facts = MonitoringFactsSchema.safeParse(item.facts);
        // Without facts (an item older than this feature) the closing date is unknown: keep it.
        if (facts.success && facts.data.closedAt)
          out.push({ id: item.id, closedAt: facts.data.closedAt });
      }
      start = r.LastEvaluatedKey;
    } while (start);
    return out;
  }

  async replaceWithRemnant(remnant: Remnant, expectedVersion: number): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...signalKey(remnant.id),
            kind: 'remnant',
            ...remnant,
            inboxPk: ERASED_PARTITION,
            receivedKey: `${remnant.receivedAt}#${remnant.id}`,
            // Blobs and related items still to delete; cleared by markCleaned.
            cleanupPk: 'CLEANUP',
          },
          ConditionExpression: '#k = :signal AND #v = :v',
          ExpressionAttributeNames: { '#k': 'kind', '#v': 'version' },
          ExpressionAttributeValues: { ':signal': 'signal', ':v': expectedVersion },
        }),
      );
      return true;
    } catch (err) {
      if ((err as Error).name === 'ConditionalCheckFailedException') return false;
      throw err;
    }
  }

  async getRemnant(id: string): Promise<Remnant | undefined> {
    const r = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: signalKey(id), ConsistentRead: true }),
    );
    const i = r.Item;
    if (i?.kind !== 'remnant') return undefined;
    return {
      id: i.id,
      receivedAt: i.receivedAt,
      facts: MonitoringFactsSchema.parse(i.facts),
      erasedAt: i.erasedAt,
      erasedBy: i.erasedBy,
      reason: i.reason,
    };
  }

  /** Every remnant's id, or only those whose blobs and related items may not be deleted yet. */
  async listRemnantIds(onlyPendingCleanup = false): Promise<string[]> {
    const ix = INDEXES.byReceived;
    const ids: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const r = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: ix.name,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': ix.pk },
          ExpressionAttributeValues: { ':pk': ERASED_PARTITION },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      ids.push(...(r.Items ?? []).map((i) => i.id as string));
      start = r.LastEvaluatedKey;
    } while (start);
    if (!onlyPendingCleanup) return ids;
    const pending: string[] = [];
    for (const id of ids) {
      const r = await this.doc.send(
        new GetCommand({
          TableName: this.table,
          Key: signalKey(id),
          ProjectionExpression: 'cleanupPk',
        }),
      );
      if (r.Item?.cleanupPk) pending.push(id);
    }
    return pending;
  }

  async markCleaned(id: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: signalKey(id),
        UpdateExpression: 'REMOVE cleanupPk',
        ConditionExpression: '#k = :remnant',
        ExpressionAttributeNames: { '#k': 'kind' },
        ExpressionAttributeValues: { ':remnant': 'remnant' },
      }),
    );
  }

  /**
   * Blind-index entries (pk `BIX#…`, sk `SIG#<id>`) are keyed by an HMAC we
   * can only recompute by decrypting, and any other per-signal item may
   * exist: so one filtered scan per batch finds every item whose sort key
   * names one of these signals. Erasure is rare (a daily job, an officer's
   * click); page views never scan. Under the signal's own key, everything
   * but the remnant and the access log (AUDIT#, no content) goes too.
   */
  async deleteRelatedItems(signalIds: readonly string[]): Promise<number> {
    let deleted = 0;
    for (let i = 0; i < signalIds.length; i += 50) {
      const chunk = signalIds.slice(i, i + 50);
      const values = Object.fromEntries(chunk.map((id, j) => [`:s${j}`, `SIG#${id}`]));
      let start: Record<string, unknown> | undefined;
      do {
        const r = await this.doc.send(
          new ScanCommand({
            TableName: this.table,
            FilterExpression: `sk IN (${Object.keys(values).join(', ')}) OR (pk IN (${Object.keys(values).join(', ')}) AND sk <> :a AND NOT begins_with(sk, :audit))`,
            ExpressionAttributeValues: { ...values, ':a': 'A', ':audit': 'AUDIT#' },
            ProjectionExpression: 'pk, sk',
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        for (const item of r.Items ?? []) {
          await this.doc.send(
            new DeleteCommand({ TableName: this.table, Key: { pk: item.pk, sk: item.sk } }),
          );
          deleted++;
        }
        start = r.LastEvaluatedKey;
      } while (start);
    }
    return deleted;
  }
}
