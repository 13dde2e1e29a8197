import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, ensureTable } from '#adapters/dynamo/client.ts';
import { startEmbeddedDynamo } from '#adapters/dynamo/embedded.ts';

/** A real dynalite (in memory) with the production table definition. */
export async function testTable(name = 'meldroute-test') {
  const dynamo = await startEmbeddedDynamo();
  const doc = documentClient({ endpoint: dynamo.endpoint });
  await ensureTable(doc, name);
  return {
    doc,
    table: name,
    endpoint: dynamo.endpoint,
    async close() {
      doc.destroy();
      await dynamo.close();
    },
  };
}

/** Every raw item, for tests that look at what is really stored. */
export async function scanAll(doc: DynamoDBDocumentClient, table: string) {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const r = await doc.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    items.push(...(r.Items ?? []));
    start = r.LastEvaluatedKey;
  } while (start);
  return items;
}
