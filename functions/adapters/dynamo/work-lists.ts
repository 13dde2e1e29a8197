import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { WorkLists } from '#core/ports.ts';
import type { AgendaEntry } from '#core/signal.ts';
import { INDEXES } from './table.ts';

/** The agenda and due-handover lists, each one Query on a sparse index. */
export class DynamoWorkLists implements WorkLists {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async agenda(limit: number) {
    const r = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: INDEXES.agenda.name,
        KeyConditionExpression: 'agendaPk = :p',
        ExpressionAttributeValues: { ':p': 'AGENDA' },
        Limit: limit,
      }),
    );
    return (r.Items ?? []).map((i) => ({
      signalId: i.id as string,
      reference: i.reference as string,
      agenda: i.agenda as AgendaEntry,
    }));
  }

  async dueBy(date: string, limit: number, cursor?: string) {
    const r = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: INDEXES.due.name,
        // '#' sorts after every digit, so `<date>#~` includes all ids due on `date`.
        KeyConditionExpression: 'duePk = :p AND dueKey <= :k',
        ExpressionAttributeValues: { ':p': 'DUE', ':k': `${date}#~` },
        Limit: limit,
        ...(cursor
          ? { ExclusiveStartKey: JSON.parse(Buffer.from(cursor, 'base64url').toString()) }
          : {}),
      }),
    );
    return {
      items: (r.Items ?? []).map((i) => ({
        signalId: i.id as string,
        dueDate: String(i.dueKey).slice(0, 10),
      })),
      ...(r.LastEvaluatedKey
        ? { cursor: Buffer.from(JSON.stringify(r.LastEvaluatedKey)).toString('base64url') }
        : {}),
    };
  }
}
