import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { SignalDirectory } from '#core/ports.ts';
import { INDEXES } from './table.ts';

const REFERENCE = /^([A-Z]{1,6})-(\d{4})-(\d{4,9})$/;

/**
 * Reference → signal id through the inbox index. A reference names its year
 * and signals are received in (or, around New Year in Amsterdam, just before)
 * that year, so the query reads one year of the index, never the table. A
 * municipality receives tens of signals a year; should that grow, a pointer
 * item per reference written with the signal replaces this.
 */
export class DynamoSignalDirectory implements SignalDirectory {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async findByReference(reference: string): Promise<string | undefined> {
    const m = REFERENCE.exec(reference);
    if (!m) return undefined;
    const year = Number(m[2]);
    const ix = INDEXES.byReceived;
    let start: Record<string, unknown> | undefined;
    do {
      const r = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: ix.name,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
          FilterExpression: '#ref = :ref',
          ExpressionAttributeNames: {
            '#pk': ix.pk,
            '#sk': ix.sk,
            '#ref': 'reference',
            '#id': 'id',
          },
          ExpressionAttributeValues: {
            ':pk': 'INBOX',
            // UTC keys; Amsterdam's year starts up to two hours earlier.
            ':from': `${year - 1}-12-31T00`,
            ':to': `${year + 1}-01-01T03`,
            ':ref': reference,
          },
          ProjectionExpression: '#id',
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      const hit = r.Items?.[0]?.id;
      if (typeof hit === 'string') return hit;
      start = r.LastEvaluatedKey;
    } while (start);
    return undefined;
  }
}
