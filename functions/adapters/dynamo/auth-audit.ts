import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AuthAudit, AuthEvent } from '#core/ports.ts';

const FIELDS = ['at', 'type', 'actor', 'role', 'method', 'reason', 'path'] as const;

/**
 * The sign-in audit trail: one small item per event under `AUDIT#AUTH#<yyyy-mm>`,
 * sorted by time. Separate items, so appending never contends with anything.
 */
export class DynamoAuthAudit implements AuthAudit {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly random: () => string,
  ) {}

  async append(event: AuthEvent): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: `AUDIT#AUTH#${event.at.slice(0, 7)}`,
          sk: `${event.at}#${this.random()}`,
          kind: 'auth-audit',
          ...event,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async list(month: string): Promise<AuthEvent[]> {
    const out: AuthEvent[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const r = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `AUDIT#AUTH#${month}` },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const i of r.Items ?? []) {
        const e: Record<string, unknown> = {};
        for (const f of FIELDS) if (i[f] !== undefined) e[f] = i[f];
        out.push(e as AuthEvent);
      }
      start = r.LastEvaluatedKey;
    } while (start);
    return out;
  }
}
