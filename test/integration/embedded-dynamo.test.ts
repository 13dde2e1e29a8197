import { createRequire } from 'node:module';
import { queryObjects } from 'node:v8';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTable } from '../support/dynamo.ts';

/** The iterator class dynalite's LevelDB streams are made of. */
function levelIteratorClass(): abstract new (...args: never[]) => unknown {
  const dynalite = createRequire(import.meta.url).resolve('dynalite');
  const level = createRequire(dynalite).resolve('level');
  return createRequire(level)('abstract-level').AbstractValueIterator;
}

describe('the embedded DynamoDB of npm start', () => {
  let t: Awaited<ReturnType<typeof testTable>>;
  beforeAll(async () => {
    t = await testTable();
    for (let i = 0; i < 5; i++) {
      await t.doc.send(
        new PutCommand({
          TableName: t.table,
          Item: {
            pk: `SIG#${i}`,
            sk: 'A',
            inboxPk: 'INBOX',
            receivedKey: `2026-03-0${i + 1}#${i}`,
          },
        }),
      );
    }
  });
  afterAll(() => t.close());

  it('lets go of every LevelDB iterator a query used, so a long-running server does not grow', async () => {
    const Iterator = levelIteratorClass();
    const before = queryObjects(Iterator, { format: 'count' });
    for (let i = 0; i < 200; i++) {
      await t.doc.send(
        new QueryCommand({
          TableName: t.table,
          IndexName: 'byReceived',
          KeyConditionExpression: 'inboxPk = :p',
          ExpressionAttributeValues: { ':p': 'INBOX' },
          ScanIndexForward: false,
          Limit: i % 2 ? 2 : 25,
        }),
      );
    }
    // Closed iterators are garbage; open ones stay attached to the database.
    expect(queryObjects(Iterator, { format: 'count' }) - before).toBeLessThan(20);
  });
});
