import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClient, ensureTable } from '#adapters/dynamo/client.ts';
import { startEmbeddedDynamo } from '#adapters/dynamo/embedded.ts';
import { createTableInput, INDEXES } from '#adapters/dynamo/table.ts';

describe('a local table made by an older version', () => {
  let dynamo: Awaited<ReturnType<typeof startEmbeddedDynamo>>;
  let doc: ReturnType<typeof documentClient>;
  beforeAll(async () => {
    dynamo = await startEmbeddedDynamo();
    doc = documentClient({ endpoint: dynamo.endpoint });
  });
  afterAll(async () => {
    doc.destroy();
    await dynamo.close();
  });

  it('keeps its data and says which indexes are outdated or missing', async () => {
    const current = createTableInput('old-table');
    // The first release: only the inbox index, with a smaller projection.
    const first = current.GlobalSecondaryIndexes.filter(
      (g) => g.IndexName === INDEXES.byReceived.name,
    );
    await doc.send(
      new CreateTableCommand({
        ...current,
        AttributeDefinitions: current.AttributeDefinitions.filter((a) =>
          ['pk', 'sk', 'inboxPk', 'receivedKey'].includes(a.AttributeName),
        ),
        GlobalSecondaryIndexes: first.map((g) => ({
          ...g,
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['id', 'reference'] },
        })),
      }),
    );
    await doc.send(
      new PutCommand({
        TableName: 'old-table',
        Item: {
          pk: 'SIG#a',
          sk: 'A',
          id: 'a',
          reference: 'MH-2026-0001',
          status: 'received',
          inboxPk: 'INBOX',
          receivedKey: '2026-01-01#a',
        },
      }),
    );

    const notes = await ensureTable(doc, 'old-table');
    expect(notes.join('\n')).toMatch(/index byReceived .* older projection/);

    // dynalite cannot add indexes to a table; the start says so instead of failing.
    expect(notes.join('\n')).toMatch(/index outbox is missing/);
    const inbox = await doc.send(
      new QueryCommand({
        TableName: 'old-table',
        IndexName: INDEXES.byReceived.name,
        KeyConditionExpression: 'inboxPk = :p',
        ExpressionAttributeValues: { ':p': 'INBOX' },
      }),
    );
    expect(inbox.Items?.[0]?.reference).toBe('MH-2026-0001');
  });
});
